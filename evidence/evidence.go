// Package evidence keeps the files and texts that support a request: the
// evidence of a credit repair or an objection (R5.1, R5.2) and the scan of a
// paper letter of authorisation (授权委托书, R6.6). Files are checked by their
// content before anything is stored (PDF, JPEG or PNG only, size and count
// limits), kept in the database (safe with many instances) and read back
// only through an access check that the owner's package registers.
package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/auth"
	"creditwater/models"
)

// Kinds of evidence (Evidence.Kind).
const (
	KindText = "TEXT"
	KindFile = "FILE"
)

// Upload is one file sent by a user. Only the content decides its type: the
// declared ContentType and the file name's extension are not trusted.
type Upload struct {
	// FileName is the name the user gave; it is sanitised before storing.
	FileName string
	// ContentType is the declared type. It is not trusted and not stored:
	// the stored type is sniffed from the content.
	ContentType string
	// Size is the declared size, or 0 or negative when unknown; a declared
	// size over the limit is refused without reading Body.
	Size int64
	// Body is read once, at most the size limit plus one byte.
	Body io.Reader
}

// Limits bound what Read accepts.
type Limits struct {
	// MaxBytes is the largest file (default 5 MiB).
	MaxBytes int64
	// MaxFiles is the most files in one request (default 10).
	MaxFiles int
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = 5 << 20
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = 10
	}
	return l
}

// fileRefusal is why one upload was refused.
type fileRefusal struct {
	index   int
	name    string
	code    string
	problem string
}

// allowedExt returns the file extension of a sniffed media type that may be
// stored (PDF, JPEG, PNG), or "" for any other type.
func allowedExt(mediaType string) string {
	switch mediaType {
	case "application/pdf":
		return ".pdf"
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	}
	return ""
}

// Read reads and checks every upload before anything is stored: at most
// MaxFiles files, each non-empty, at most MaxBytes long and, by its content
// (http.DetectContentType), a PDF, JPEG or PNG. It returns the evidence rows
// (without owner), or INVALID with field "evidence" naming every refused
// file and why (reason TOO_MANY_FILES or EVIDENCE_REFUSED, detail "files").
func Read(ups []Upload, lim Limits, uploadedBy string, now time.Time) ([]models.Evidence, error) {
	lim = lim.withDefaults()
	if len(ups) > lim.MaxFiles {
		return nil, apperr.InvalidField("evidence", "一次最多上传 %d 个文件，本次上传了 %d 个", lim.MaxFiles, len(ups)).
			WithReason("TOO_MANY_FILES").WithDetail("maxFiles", lim.MaxFiles)
	}
	limit := lim.MaxBytes
	var refused []fileRefusal
	rows := make([]models.Evidence, 0, len(ups))
	for i, u := range ups {
		name := SanitizeFileName(u.FileName)
		shown := name
		if shown == "" {
			shown = fmt.Sprintf("#%d", i+1)
		}
		refuse := func(code, problem string) {
			refused = append(refused, fileRefusal{index: i, name: shown, code: code, problem: problem})
		}
		if u.Body == nil {
			refuse("EMPTY", "文件没有内容")
			continue
		}
		if u.Size > limit {
			refuse("TOO_LARGE", "文件超过 "+byteSize(limit))
			continue
		}
		data, err := io.ReadAll(io.LimitReader(u.Body, limit+1))
		switch {
		case err != nil:
			refuse("UNREADABLE", "文件未能完整读取")
			continue
		case int64(len(data)) > limit:
			refuse("TOO_LARGE", "文件超过 "+byteSize(limit))
			continue
		case len(data) == 0:
			refuse("EMPTY", "文件为空")
			continue
		}
		sniffed, _, err := mime.ParseMediaType(http.DetectContentType(data))
		if err != nil {
			sniffed = "application/octet-stream"
		}
		ext := allowedExt(sniffed)
		if ext == "" {
			refuse("TYPE_NOT_ALLOWED", "文件内容为 "+sniffed+"，只接受 PDF、JPEG 或 PNG 文件")
			continue
		}
		if name == "" {
			name = fmt.Sprintf("evidence-%d", i+1)
		}
		if got := strings.ToLower(path.Ext(name)); got != ext && !(ext == ".jpg" && got == ".jpeg") {
			name = truncate(name, 100) + ext
		}
		sum := sha256.Sum256(data)
		rows = append(rows, models.Evidence{
			PublicID: models.NewID(), Kind: KindFile, FileName: name, ContentType: sniffed,
			Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Data: data, UploadedBy: uploadedBy, CreatedAt: now,
		})
	}
	if len(refused) > 0 {
		msgs := make([]string, len(refused))
		files := make([]map[string]any, len(refused))
		for i, r := range refused {
			msgs[i] = fmt.Sprintf("第 %d 个文件（%s）未被接受：%s", r.index+1, r.name, r.problem)
			files[i] = map[string]any{"index": r.index, "fileName": r.name, "code": r.code, "problem": r.problem}
		}
		return nil, apperr.InvalidField("evidence", "%s；未保存任何内容", strings.Join(msgs, "；")).
			WithReason("EVIDENCE_REFUSED").WithDetail("files", files)
	}
	return rows, nil
}

// Text is a TEXT evidence row (e.g. a supplement's explanation).
func Text(text, uploadedBy string, now time.Time) models.Evidence {
	sum := sha256.Sum256([]byte(text))
	return models.Evidence{PublicID: models.NewID(), Kind: KindText, Text: text, Size: int64(len(text)),
		SHA256: hex.EncodeToString(sum[:]), UploadedBy: uploadedBy, CreatedAt: now}
}

// Store writes the rows for their owner in tx, one INSERT each so no
// statement exceeds the server's packet limit. It returns INTERNAL on a
// database failure.
func Store(tx *gorm.DB, ownerType, ownerID string, rows []models.Evidence) error {
	for i := range rows {
		rows[i].OwnerType, rows[i].OwnerID = ownerType, ownerID
		if err := tx.Create(&rows[i]).Error; err != nil {
			return apperr.Wrap(err, apperr.Internal, "无法保存证明材料")
		}
	}
	return nil
}

// columns are the columns of a listing: all but the data.
var columns = []string{"id", "public_id", "owner_type", "owner_id", "kind", "text", "file_name", "content_type", "size", "sha256", "uploaded_by", "created_at"}

// List returns the owner's evidence without the file contents, oldest
// first. It returns INTERNAL on a database failure.
func List(ctx context.Context, db *gorm.DB, ownerType string, ownerIDs ...string) ([]models.Evidence, error) {
	var out []models.Evidence
	err := db.WithContext(ctx).Select(columns).Where("owner_type = ? AND owner_id IN ?", ownerType, ownerIDs).
		Order("id ASC").Find(&out).Error
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取证明材料")
	}
	return out, nil
}

// SanitizeFileName keeps the last path element of name without control or
// invisible formatting characters, reserved characters replaced by "_",
// leading dots and spaces removed, at most 100 characters. It returns ""
// when nothing usable is left.
func SanitizeFileName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r):
		case strings.ContainsRune(`:*?"<>|;`, r):
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	s := strings.TrimLeft(strings.TrimSpace(b.String()), ". ")
	if utf8.RuneCountInString(s) > 100 {
		ext := path.Ext(s)
		if utf8.RuneCountInString(ext) > 10 {
			ext = ""
		}
		s = truncate(strings.TrimSuffix(s, ext), 100-utf8.RuneCountInString(ext)) + ext
	}
	return s
}

// byteSize formats n bytes for a message, e.g. "5 MiB".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d 字节", n)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

// OwnerCheck decides whether the caller may read the evidence of one owner
// (a repair request, an objection, an agent authorisation …): nil, or
// FORBIDDEN / NOT_FOUND. It also names the purpose written to the audit log.
type OwnerCheck func(ctx context.Context, ownerID string) (purpose string, err error)

// Files serves stored evidence by public ID, each owner type under the
// access check its package registered.
type Files struct {
	db     *gorm.DB
	audit  *audit.Log
	mu     sync.RWMutex
	checks map[string]OwnerCheck
}

// NewFiles returns the evidence file service.
func NewFiles(db *gorm.DB, log *audit.Log) *Files {
	return &Files{db: db, audit: log, checks: map[string]OwnerCheck{}}
}

// Register sets the access check of an owner type.
func (f *Files) Register(ownerType string, check OwnerCheck) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.checks[ownerType] = check
}

// Get returns one piece of evidence with its content, by public ID, when
// the owner's check allows the caller, and writes an audit entry. Serve it
// with the stored (sniffed) ContentType, "Content-Disposition: attachment"
// and "X-Content-Type-Options: nosniff". It returns UNAUTHENTICATED,
// FORBIDDEN, NOT_FOUND (also for an owner type nobody registered) or
// INTERNAL.
func (f *Files) Get(ctx context.Context, publicID string) (models.Evidence, error) {
	if _, err := auth.Require(ctx); err != nil {
		return models.Evidence{}, err
	}
	var ev models.Evidence
	res := f.db.WithContext(ctx).Where("public_id = ?", publicID).Limit(1).Find(&ev)
	if res.Error != nil {
		return models.Evidence{}, apperr.Wrap(res.Error, apperr.Internal, "无法读取证明材料")
	}
	f.mu.RLock()
	check := f.checks[ev.OwnerType]
	f.mu.RUnlock()
	if res.RowsAffected == 0 || check == nil {
		return models.Evidence{}, apperr.New(apperr.NotFound, "证据文件不存在")
	}
	purpose, err := check(ctx, ev.OwnerID)
	if err != nil {
		return models.Evidence{}, err
	}
	if err := f.audit.Record(ctx, nil, audit.Entry{Action: "evidence.read", SubjectType: "evidence", SubjectID: ev.PublicID, Purpose: purpose}); err != nil {
		return models.Evidence{}, err
	}
	return ev, nil
}
