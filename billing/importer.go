package billing

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // Asia/Shanghai on machines without a zoneinfo database

	"golang.org/x/sync/errgroup"
	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/billing/textenc"
	"creditwater/calendar"
	"creditwater/models"
	"creditwater/pii"
	"creditwater/store"
)

// Options tune an Importer. Zero values select the defaults.
type Options struct {
	// BatchRows is how many rows one multi-row upsert writes (default 5000).
	// It is capped so a statement stays under the placeholder limit (SQLite
	// 32766, about 4000 rows; MySQL 65535), and a batch is also cut at about
	// 4 MiB of field data.
	BatchRows int
	// Writers is how many database connections write batches in parallel
	// on MySQL (default 2). Rows are spread over the writers by a hash of
	// their natural key, so rows with the same key are always written in
	// file order. Each writer holds one connection of db's pool while it
	// writes. SQLite, and accounts files (whose rows share subjects), always
	// use one writer.
	Writers int
	// MaxErrors is how many row errors a job stores and returns (default
	// 1000); all are counted in ImportJob.Errors.
	MaxErrors int
	// Location is the zone of the billing system's dates and times (default
	// Asia/Shanghai).
	Location *time.Location
	// Logger receives the queue's errors (default: discarded).
	Logger *slog.Logger
}

// Defaults of Options.
const (
	DefaultBatchRows = 5000
	DefaultWriters   = 2
	DefaultMaxErrors = 1000
)

// maxBatchBytes cuts a batch at about this many bytes of field data, to stay
// well under MySQL's max_allowed_packet (16 MiB by default).
const maxBatchBytes = 4 << 20

// Placeholder limits of one statement: SQLite's default is 32766; MySQL's
// 65535 applies when the driver cannot interpolate and prepares instead.
const (
	maxPlaceholdersSQLite = 32766
	maxPlaceholdersMySQL  = 65535
)

// Meta describes one import file.
type Meta struct {
	// FileName is the uploaded file's name, kept for the job list.
	FileName string
	// Encoding is "auto" (or empty), "utf-8" or "gbk" (read as GB18030).
	Encoding string
	// StartedBy is the ID of the user who started the import.
	StartedBy string
	// Progress, when set, is called after each written batch with the number
	// of data rows done so far (written, unchanged or rejected). Calls come
	// from the import's goroutines, one at a time.
	Progress func(rowsDone int64)
}

// Importer imports billing-system files (R1.1, R1.2). It is safe for
// concurrent use; imports of different files may run at the same time.
type Importer struct {
	db     *gorm.DB
	sealer *pii.Sealer
	opts   Options
	mysql  bool
	seed   maphash.Seed

	flavour   sync.Once
	isMariaDB bool

	log *slog.Logger
	// queued wakes this process's workers when a job is queued.
	queued chan struct{}

	// How batches were classified, for tests.
	countedBatches, readBatches atomic.Int64
}

// mariaDB reports whether the database is MariaDB (asked once; a failed
// query counts as no).
func (im *Importer) mariaDB(ctx context.Context) bool {
	if !im.mysql {
		return false
	}
	im.flavour.Do(func() {
		var v string
		if err := im.db.WithContext(context.WithoutCancel(ctx)).Raw("SELECT VERSION()").Scan(&v).Error; err == nil {
			im.isMariaDB = strings.Contains(strings.ToLower(v), "mariadb")
		}
	})
	return im.isMariaDB
}

// NewImporter returns an Importer writing to db. The sealer protects the ID
// numbers of persons named by accounts files; it may be nil when no accounts
// are imported.
func NewImporter(db *gorm.DB, sealer *pii.Sealer, opts Options) *Importer {
	if opts.BatchRows <= 0 {
		opts.BatchRows = DefaultBatchRows
	}
	if opts.Writers <= 0 {
		opts.Writers = DefaultWriters
	}
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = DefaultMaxErrors
	}
	if opts.Location == nil {
		opts.Location = calendar.Shanghai
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	im := &Importer{db: db, sealer: sealer, opts: opts, mysql: store.IsMySQL(db), seed: maphash.MakeSeed(),
		log: opts.Logger, queued: make(chan struct{}, 1)}
	if !im.mysql {
		im.opts.Writers = 1
	}
	return im
}

// Import reads one CSV file of the given kind (formats: see the package
// documentation) and upserts its rows by natural key, returning the finished
// job and the stored row errors (at most Options.MaxErrors, in file order).
// Bad rows are reported and skipped; good rows are kept. Each batch commits
// on its own, so a failed import leaves the batches before the failure
// written: import the file again, which is idempotent.
//
// A refused file writes nothing: the header is read and checked before the
// job is created, so an unknown kind or encoding, an empty file, a header
// that lacks a required column or names one twice, or a file that cannot be
// read as text returns INVALID (Field: "kind", "encoding", "file" or the
// column) with no job and no stored error. Once the header is accepted the
// job is RUNNING; a failure while the rows stream keeps it as FAILED with
// the reason in its message, for staff to see: INTERNAL when the database
// fails, UNAVAILABLE with Reason CANCELLED when ctx ends first, INVALID
// with Reason UNREADABLE when the file cannot be read further.
func (im *Importer) Import(ctx context.Context, kind Kind, r io.Reader, meta Meta) (models.ImportJob, []models.ImportError, error) {
	ru, mode, job, err := im.prepare(kind, meta, StatusRunning)
	if err != nil {
		return models.ImportJob{}, nil, err
	}
	ru.progress = meta.Progress
	in, err := ru.open(r, mode)
	if err != nil {
		return models.ImportJob{}, nil, err
	}
	if err := im.db.WithContext(ctx).Create(&job).Error; err != nil {
		return models.ImportJob{}, nil, apperr.Wrap(err, apperr.Internal, "无法创建导入任务")
	}
	ru.job = &job
	runErr := ru.execute(ctx, in)
	return ru.finish(ctx, runErr)
}

// prepare checks the kind and the encoding of a file to import and returns
// its run, its text mode and its job in the given status (not stored). It
// returns INVALID (Field "kind" or "encoding"), and INTERNAL when accounts
// are imported with no sealer.
func (im *Importer) prepare(kind Kind, meta Meta, status string) (*run, textenc.Mode, models.ImportJob, error) {
	k, err := ParseKind(string(kind))
	if err != nil {
		return nil, 0, models.ImportJob{}, err
	}
	sp := specFor(k)
	mode, err := textenc.ParseMode(meta.Encoding)
	if err != nil {
		return nil, 0, models.ImportJob{}, err
	}
	if sp.kind == KindAccounts && im.sealer == nil {
		return nil, 0, models.ImportJob{}, apperr.New(apperr.Internal, "导入程序无法加密个人信息：未配置加密组件")
	}
	job := models.ImportJob{
		Kind: string(sp.kind), FileName: clip(meta.FileName, 255), Encoding: strings.ToLower(strings.TrimSpace(meta.Encoding)),
		Status: status, StartedBy: meta.StartedBy,
	}
	if job.Encoding == "" {
		job.Encoding = textenc.Auto
	}
	return &run{im: im, sp: sp}, mode, job, nil
}

// clip shortens s to at most n bytes without cutting a character.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// run is the state of one import.
type run struct {
	im       *Importer
	sp       *spec
	job      *models.ImportJob
	progress func(int64)
	text     *textenc.Reader

	// Owned by the reading goroutine. kept is how many row errors are
	// stored or waiting to be (at most Options.MaxErrors).
	rows, failedRows, errCount int64
	kept                       int
	errs                       []models.ImportError

	// ckpt is set for a queued job: the writer saves the job's checkpoint
	// with every batch (see queue.go); nil for an import run at once.
	ckpt *Lease
	// skip is how many data rows a resumed job has done already;
	// rowsSaved the rows done as of the last checkpoint written.
	skip      int64
	rowsSaved atomic.Int64

	// Updated by the writers.
	inserted, updated, unchanged, written atomic.Int64
	failedSeen                            atomic.Int64
	progressMu                            sync.Mutex
}

// rowError records one error of the row at line.
func (ru *run) rowError(line int64, column, reason string) {
	ru.errCount++
	if ru.kept < ru.im.opts.MaxErrors {
		ru.kept++
		ru.errs = append(ru.errs, models.ImportError{JobID: ru.job.ID, Line: line, Column: column, Reason: clip(reason, 500)})
	}
}

func (ru *run) rejectRow(line int64, errs []fieldError) {
	ru.failedRows++
	ru.failedSeen.Add(1)
	for _, e := range errs {
		ru.rowError(line, e.column, e.reason)
	}
}

// reportProgress calls the progress callback with the rows done so far.
func (ru *run) reportProgress() {
	if ru.progress == nil {
		return
	}
	ru.progressMu.Lock()
	defer ru.progressMu.Unlock()
	ru.progress(ru.written.Load() + ru.failedSeen.Load())
}

// header is a file whose header row was read and accepted.
type header struct {
	cr  *csv.Reader
	pos []int // positions of the spec's columns
	n   int   // fields of the header row
}

// open reads and checks the header row; it writes nothing. It returns
// INVALID (Field "file" or the column) when the file is empty, is not text,
// or its header is malformed or lacks or repeats a column.
func (ru *run) open(r io.Reader, mode textenc.Mode) (header, error) {
	tr, err := textenc.NewReader(r, mode)
	if err != nil {
		return header{}, apperr.Wrap(err, apperr.Invalid, "无法读取该文件").WithReason("UNREADABLE")
	}
	ru.text = tr
	cr := csv.NewReader(tr)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	names, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		return header{}, apperr.InvalidField("file", "文件为空：须有表头行").WithReason("EMPTY_FILE")
	case err != nil:
		return header{}, headerReadError(err)
	}
	for _, h := range names {
		if !textenc.Valid(h) {
			return header{}, apperr.InvalidField("file", "表头不是有效的 %s 文本", tr.Encoding()).WithReason("UNDECODABLE")
		}
	}
	pos, err := ru.sp.mapHeader(names)
	if err != nil {
		return header{}, err
	}
	return header{cr: cr, pos: pos, n: len(names)}, nil
}

// execute reads the rows after the header and feeds the writers.
func (ru *run) execute(ctx context.Context, in header) error {
	cr, pos, nHeader := in.cr, in.pos, in.n
	tr := ru.text

	im := ru.im
	nw := im.opts.Writers
	if ru.sp.kind == KindAccounts || ru.ckpt != nil {
		// A queued job's checkpoint needs its batches committed in file
		// order.
		// Accounts of one subject may sit in different batches, and each
		// batch recomputes the subject's history from the committed
		// accounts: one writer keeps that exact.
		nw = 1
	}
	limit := maxPlaceholdersSQLite
	if im.mysql {
		limit = maxPlaceholdersMySQL
	}
	batchRows := min(im.opts.BatchRows, limit/(len(ru.sp.cols)+2))
	g, gctx := errgroup.WithContext(ctx)
	queues := make([]chan *batch, nw)
	free := make(chan *batch, 2*nw)
	onMariaDB := im.mariaDB(ctx)
	for i := range queues {
		queues[i] = make(chan *batch, 1)
		w := newWriter(ru, onMariaDB)
		q := queues[i]
		g.Go(func() error {
			for b := range q {
				if err := w.write(gctx, b); err != nil {
					return err // cancels gctx, which stops the reader
				}
				ru.reportProgress()
				select {
				case free <- b:
				default:
				}
			}
			return nil
		})
	}
	newBatch := func() *batch {
		select {
		case b := <-free:
			b.reset()
			return b
		default:
			return newBatchFor(ru.sp, batchRows)
		}
	}
	send := func(i int, b *batch) bool {
		select {
		case queues[i] <- b:
			return true
		case <-gctx.Done():
			return false
		}
	}

	p := &rowParser{sp: ru.sp, pos: pos, tp: newTimeParser(im.opts.Location), sealer: im.sealer, enc: tr.Encoding}
	vals := make([]any, len(ru.sp.cols))
	cur := make([]*batch, nw)
	readErr := func() error {
		// A resumed job passes over the rows it has done.
		for ru.rows < ru.skip {
			_, err := cr.Read()
			if errors.Is(err, io.EOF) {
				return nil
			}
			var pe *csv.ParseError
			if err != nil && !errors.As(err, &pe) {
				return apperr.Wrap(err, apperr.Invalid, "无法读取该文件").WithReason("UNREADABLE")
			}
			ru.rows++
		}
		for {
			if ru.rows%256 == 0 && gctx.Err() != nil {
				return nil // a writer failed or ctx ended: g.Wait tells
			}
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				var pe *csv.ParseError
				if !errors.As(err, &pe) {
					return apperr.Wrap(err, apperr.Invalid, "无法读取该文件").WithReason("UNREADABLE")
				}
				ru.rows++
				ru.rejectRow(int64(pe.StartLine), []fieldError{{reason: fmt.Sprintf("第 %d 行第 %d 列 CSV 格式不正确：%v", pe.Line, pe.Column, pe.Err)}})
				continue
			}
			ru.rows++
			line, _ := cr.FieldPos(0)
			if len(rec) != nHeader {
				ru.rejectRow(int64(line), []fieldError{{reason: fmt.Sprintf("该行有 %d 个字段，表头有 %d 个", len(rec), nHeader)}})
				continue
			}
			p.reset(rec)
			ref := ru.sp.parse(p, vals)
			if p.failed() {
				ru.rejectRow(int64(line), p.errs)
				continue
			}
			key := ru.keyOf(vals)
			w := 0
			if nw > 1 {
				w = int(maphash.String(im.seed, key) % uint64(nw))
			}
			b := cur[w]
			if b == nil {
				b = newBatch()
				cur[w] = b
			}
			if b.has(key) {
				// A key repeated within a batch starts the next batch, so
				// every batch holds distinct keys and rows apply in file
				// order.
				ru.seal(b, ru.rows-1)
				if !send(w, b) {
					return nil
				}
				b = newBatch()
				cur[w] = b
			}
			b.add(int64(line), key, vals, ref)
			if b.full() {
				ru.seal(b, ru.rows)
				if !send(w, b) {
					return nil
				}
				cur[w] = nil
			}
		}
	}()
	if readErr == nil {
		for i, b := range cur {
			if b == nil || len(b.rows) == 0 {
				continue
			}
			ru.seal(b, ru.rows)
			if !send(i, b) {
				break
			}
		}
	}
	for _, q := range queues {
		close(q)
	}
	werr := g.Wait()
	switch {
	case werr != nil:
		return werr
	case readErr != nil:
		return readErr
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return nil
}

func headerReadError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return apperr.InvalidField("file", "表头不是有效的 CSV：%v", pe.Err).WithReason("BAD_HEADER")
	}
	return apperr.Wrap(err, apperr.Invalid, "无法读取该文件").WithReason("UNREADABLE")
}

// keyOf returns the batch key of a row: its natural key, case-folded on
// MySQL, whose utf8mb4_unicode_ci collation treats keys differing only in
// case as equal (keys are ASCII, so folding is exact).
func (ru *run) keyOf(vals []any) string {
	k := vals[0].(string)
	if ru.sp.nKey == 2 {
		k += "\x00" + vals[1].(string)
	}
	if ru.im.mysql {
		k = strings.ToLower(k)
	}
	return k
}

// finish records the outcome in the job and stores the row errors.
func (ru *run) finish(ctx context.Context, runErr error) (models.ImportJob, []models.ImportError, error) {
	ctx = context.WithoutCancel(ctx)
	if ru.ckpt != nil {
		return ru.finishQueued(ctx, runErr)
	}
	job := ru.job
	if ru.text != nil {
		job.Encoding = ru.text.Encoding()
	}
	if runErr != nil {
		switch {
		case errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded):
			runErr = apperr.Wrap(runErr, apperr.Unavailable, "导入已取消").WithReason("CANCELLED")
		case apperr.As(runErr) == nil:
			runErr = apperr.Wrap(runErr, apperr.Internal, "导入失败")
		}
		e := apperr.As(runErr)
		job.Status, job.Message = StatusFailed, clip(e.Message, 500)
	} else {
		job.Status = StatusDone
	}
	job.Rows, job.TotalRows, job.Failed, job.Errors = ru.rows, ru.rows, ru.failedRows, ru.errCount
	job.Inserted, job.Updated, job.Unchanged = ru.inserted.Load(), ru.updated.Load(), ru.unchanged.Load()
	now := time.Now().UTC()
	job.FinishedAt = &now
	db := ru.im.db.WithContext(ctx)
	err := db.Transaction(func(tx *gorm.DB) error {
		if len(ru.errs) > 0 {
			if err := tx.CreateInBatches(&ru.errs, 500).Error; err != nil {
				return err
			}
		}
		return tx.Save(job).Error
	})
	if err != nil && runErr == nil {
		runErr = apperr.Wrap(err, apperr.Internal, "无法记录导入结果")
	}
	return *job, ru.errs, runErr
}
