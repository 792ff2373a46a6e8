// Command import benchmarks the billing import against MariaDB/MySQL's own
// bulk loader. In one run it generates N bill rows as CSV, creates a fresh
// database, loads the file with LOAD DATA LOCAL INFILE, truncates the
// table, imports the same file through billing.Importer in a child process
// (so the child's peak RSS, VmHWM, is the import's own), imports it once
// more to time an idempotent re-import, and prints rows/s, the ratio and the
// peak RSS. See README.md.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"creditwater/bench/loadgen"
	"creditwater/billing"
	"creditwater/billing/importqueue"
	cwconfig "creditwater/config"
	"creditwater/models"
	"creditwater/server"
	"creditwater/store"
)

type config struct {
	n        int
	dsn      string
	batch    int
	writers  int
	timeout  time.Duration
	keep     bool
	rounds   int
	reimport bool
	// queued imports through the queue (billing.Enqueue and an
	// importqueue worker) instead of billing.Importer.Import.
	queued bool
	// child mode
	child bool
	file  string
	// cpuProfile is where the import child writes a CPU profile.
	cpuProfile string
}

func main() {
	var c config
	flag.IntVar(&c.n, "n", 1_000_000, "number of bill rows to generate")
	flag.StringVar(&c.dsn, "dsn", loadgen.EnvOr("CW_BENCH_DATABASE_URL", "root@tcp(127.0.0.1:3306)/test"), "MySQL/MariaDB DSN of a server where a new database may be created (env CW_BENCH_DATABASE_URL)")
	flag.IntVar(&c.batch, "batch", 0, "billing.Options.BatchRows (0: the default)")
	flag.IntVar(&c.writers, "writers", 0, "billing.Options.Writers (0: the default)")
	flag.DurationVar(&c.timeout, "timeout", 15*time.Minute, "give up after this long")
	flag.BoolVar(&c.keep, "keep", false, "keep the benchmark database instead of dropping it")
	flag.IntVar(&c.rounds, "rounds", 5, "rounds of LOAD DATA and import (alternating order); medians are reported")
	flag.BoolVar(&c.reimport, "reimport", true, "also time a second, unchanged import of the same file")
	flag.BoolVar(&c.queued, "queued", false, "import through the queue, as the API does: Enqueue (the file stored in the database), then an importqueue worker with its per-batch checkpoints")
	flag.BoolVar(&c.child, "child", false, "internal: run one import in this process and print its result as JSON")
	flag.StringVar(&c.file, "file", "", "internal: the CSV file the child imports")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of each import child to this file (the last one stays; use with -rounds 1 -reimport=false)")
	flag.Parse()
	if c.rounds < 1 {
		c.rounds = 1
	}

	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	var err error
	if c.child {
		err = runChild(ctx, c)
	} else {
		err = runParent(ctx, c)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/import:", err)
		os.Exit(1)
	}
}

// result is what the child reports.
type result struct {
	Rows      int64   `json:"rows"`
	Inserted  int64   `json:"inserted"`
	Updated   int64   `json:"updated"`
	Unchanged int64   `json:"unchanged"`
	Failed    int64   `json:"failed"`
	Seconds   float64 `json:"seconds"`
	VmHWMKiB  int64   `json:"vmhwm_kib"`
}

func runParent(ctx context.Context, c config) error {
	dir, err := os.MkdirTemp("", "cw-bench-import-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "bills.csv")
	t0 := time.Now()
	size, err := generate(file, c.n)
	if err != nil {
		return err
	}
	fmt.Printf("generated %d bill rows (%.1f MiB) in %s: %s\n", c.n, float64(size)/(1<<20), time.Since(t0).Round(time.Millisecond), file)

	dbDSN, drop, err := loadgen.ScratchDatabase(ctx, c.dsn, "cwbench_")
	if err != nil {
		return err
	}
	if c.keep {
		fmt.Println("keeping database:", loadgen.DBName(dbDSN))
	} else {
		defer drop()
	}
	if err := migrate(ctx, dbDSN); err != nil {
		return err
	}
	raw, err := sql.Open("mysql", dbDSN)
	if err != nil {
		return err
	}
	defer raw.Close()

	mysql.RegisterLocalFile(file)
	defer mysql.DeregisterLocalFile(file)

	// Rounds alternate the order of the two loaders, each into an emptied
	// table after InnoDB has written back the previous phase's dirty pages,
	// so neither pays for the other's leftovers; medians absorb the noise
	// of a shared machine.
	var loadRates, impRates []float64
	var peak int64
	var wantCount, wantSum int64
	for round := 1; round <= c.rounds; round++ {
		phases := []string{"load", "import"}
		if round%2 == 0 {
			phases = []string{"import", "load"}
		}
		for _, ph := range phases {
			if _, err := raw.ExecContext(ctx, "TRUNCATE TABLE bills"); err != nil {
				return err
			}
			waited, err := settle(ctx, raw)
			if err != nil {
				return err
			}
			if ph == "load" {
				rate, err := loadData(ctx, raw, file)
				if err != nil {
					return err
				}
				loadRates = append(loadRates, rate)
				fmt.Printf("round %d  LOAD DATA LOCAL INFILE: %8.0f rows/s   (settled %s)\n", round, rate, waited.Round(100*time.Millisecond))
			} else {
				imp, err := child(ctx, c, dbDSN, file)
				if err != nil {
					return err
				}
				if imp.Inserted != int64(c.n) || imp.Rows != int64(c.n) {
					return fmt.Errorf("import counted %+v, want %d inserted", imp, c.n)
				}
				rate := float64(imp.Rows) / imp.Seconds
				impRates = append(impRates, rate)
				peak = max(peak, imp.VmHWMKiB)
				fmt.Printf("round %d  billing.Importer:       %8.0f rows/s   (settled %s)  peak RSS %.1f MiB\n", round, rate, waited.Round(100*time.Millisecond), float64(imp.VmHWMKiB)/1024)
			}
			count, sum, err := tally(ctx, raw)
			if err != nil {
				return err
			}
			if wantCount == 0 {
				wantCount, wantSum = count, sum
			}
			if count != int64(c.n) || count != wantCount || sum != wantSum {
				return fmt.Errorf("%s stored %d rows (checksum %d), want %d rows (checksum %d)", ph, count, sum, wantCount, wantSum)
			}
		}
	}
	fmt.Printf("check: every phase stored the same %d rows (checksum %d)\n", wantCount, wantSum)

	if c.reimport {
		// The table holds the file already (the last phase left it full).
		if _, err := settle(ctx, raw); err != nil {
			return err
		}
		again, err := child(ctx, c, dbDSN, file)
		if err != nil {
			return err
		}
		if again.Unchanged != int64(c.n) {
			return fmt.Errorf("re-import counted %+v, want %d unchanged", again, c.n)
		}
		fmt.Printf("re-import, all unchanged:        %8.0f rows/s   peak RSS %.1f MiB\n", float64(again.Rows)/again.Seconds, float64(again.VmHWMKiB)/1024)
	}

	loadRate, impRate := median(loadRates), median(impRates)
	ratio := impRate / loadRate
	rssMiB := float64(peak) / 1024
	fmt.Printf("\nmedian LOAD DATA %.0f rows/s, median import %.0f rows/s over %d rounds, N=%d\n", loadRate, impRate, c.rounds, c.n)
	fmt.Printf("ratio import/LOAD DATA = %.2f (goal ≥ 0.50): %s\n", ratio, verdict(ratio >= 0.5))
	fmt.Printf("import peak RSS = %.1f MiB (goal < 150 MiB): %s\n", rssMiB, verdict(rssMiB < 150))
	return nil
}

// loadData loads the file with LOAD DATA LOCAL INFILE, making the same
// conversions as the import (yuan → fen, Shanghai dates → UTC), and returns
// rows/s.
func loadData(ctx context.Context, raw *sql.DB, file string) (float64, error) {
	t0 := time.Now()
	res, err := raw.ExecContext(ctx, "LOAD DATA LOCAL INFILE '"+file+"' INTO TABLE bills CHARACTER SET utf8mb4"+
		" FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' LINES TERMINATED BY '\\n' IGNORE 1 LINES"+
		" (bill_no, account_no, period, @amount, @issued, @due)"+
		" SET amount_fen = ROUND(@amount * 100), issued_on = @issued - INTERVAL 8 HOUR, due_on = @due - INTERVAL 8 HOUR, updated_at = UTC_TIMESTAMP(3)")
	if err != nil {
		return 0, fmt.Errorf("LOAD DATA: %w", err)
	}
	secs := time.Since(t0).Seconds()
	n, _ := res.RowsAffected()
	return float64(n) / secs, nil
}

// settle waits (at most settleMax) until InnoDB has written back most dirty
// pages, and returns how long it waited.
func settle(ctx context.Context, raw *sql.DB) (time.Duration, error) {
	const settleMax = 15 * time.Second
	t0 := time.Now()
	for time.Since(t0) < settleMax {
		var name string
		var dirty, total int64
		if err := raw.QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'").Scan(&name, &dirty); err != nil {
			return 0, err
		}
		if err := raw.QueryRowContext(ctx, "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_total'").Scan(&name, &total); err != nil {
			return 0, err
		}
		if dirty*20 <= total {
			break
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	return time.Since(t0), nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// child runs one import in a child process of this binary and returns its
// report.
func child(ctx context.Context, c config, dsn, file string) (result, error) {
	args := []string{"-child", "-file", file, "-batch", strconv.Itoa(c.batch), "-writers", strconv.Itoa(c.writers), "-timeout", c.timeout.String()}
	if c.cpuProfile != "" {
		args = append(args, "-cpuprofile", c.cpuProfile)
	}
	if c.queued {
		args = append(args, "-queued")
	}
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	// The DSN travels in the environment, not on the command line that ps
	// shows.
	cmd.Env = append(os.Environ(), "CW_BENCH_DATABASE_URL="+dsn)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return result{}, fmt.Errorf("import child: %w", err)
	}
	var r result
	if err := json.Unmarshal(out, &r); err != nil {
		return result{}, fmt.Errorf("import child output: %w", err)
	}
	return r, nil
}

func runChild(ctx context.Context, c config) error {
	db, err := store.OpenDB(ctx, store.DBConfig{URL: c.dsn, MaxOpen: 8, MaxIdle: 8})
	if err != nil {
		return err
	}
	f, err := os.Open(c.file)
	if err != nil {
		return err
	}
	defer f.Close()
	im := billing.NewImporter(db, nil, billing.Options{BatchRows: c.batch, Writers: c.writers})
	if c.cpuProfile != "" {
		pf, err := os.Create(c.cpuProfile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	t0 := time.Now()
	var job models.ImportJob
	if c.queued {
		// The queue's worker runs inside `serve`, which collects at
		// CW_GC_PERCENT within CW_GC_MEMORY_LIMIT: so does this import.
		var defaults cwconfig.Config
		if defaults, err = cwconfig.Load(nil); err != nil {
			return err
		}
		server.TuneGC(defaults.HTTP)
		if job, err = im.Enqueue(ctx, billing.KindBills, f, billing.Meta{FileName: filepath.Base(c.file)}); err == nil {
			_, err = importqueue.New(db, im, "bench", 0, 0, nil).RunOnce(ctx)
		}
		if err == nil {
			job, err = im.Job(ctx, job.ID)
		}
	} else {
		job, _, err = im.Import(ctx, billing.KindBills, f, billing.Meta{FileName: filepath.Base(c.file)})
	}
	secs := time.Since(t0).Seconds()
	if err != nil {
		return err
	}
	hwm, err := vmHWM()
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(result{
		Rows: job.Rows, Inserted: job.Inserted, Updated: job.Updated, Unchanged: job.Unchanged, Failed: job.Failed,
		Seconds: secs, VmHWMKiB: hwm,
	})
}

// vmHWM reads this process's peak resident set size from /proc/self/status.
func vmHWM() (int64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, errors.New("no VmHWM in /proc/self/status")
}

// generate writes n bill rows: 200,000 accounts, 24 periods, amounts with
// two decimals, due 30 days after issue.
func generate(path string, n int) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("bill_no,account_no,period,amount_yuan,issued_on,due_on\n")
	var buf []byte
	for i := range n {
		p := i % 24
		y, m := 2024+p/12, time.Month(p%12+1)
		issued := time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
		due := issued.AddDate(0, 0, 30)
		fen := (i*7919)%2000000 + 100
		buf = buf[:0]
		buf = fmt.Appendf(buf, "B%09d,A%07d,%04d-%02d,%d.%02d,", i, i%200000, y, m, fen/100, fen%100)
		buf = issued.AppendFormat(buf, "2006-01-02")
		buf = append(buf, ',')
		buf = due.AppendFormat(buf, "2006-01-02")
		buf = append(buf, '\n')
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, err
	}
	st, err := f.Stat()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

func migrate(ctx context.Context, dsn string) error {
	db, err := store.OpenDB(ctx, store.DBConfig{URL: dsn, MaxOpen: 2, MaxIdle: 1})
	if err != nil {
		return err
	}
	defer func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	}()
	return store.Migrate(db)
}

// tally returns the row count of the bills table and a checksum of all its
// stored values (updated_at aside).
func tally(ctx context.Context, db *sql.DB) (count, sum int64, err error) {
	err = db.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(BIT_XOR(CRC32(CONCAT_WS(',', bill_no, account_no, period, amount_fen, issued_on, due_on))), 0) FROM bills").Scan(&count, &sum)
	return count, sum, err
}
