// Command lists measures the staff console's lists at scale (issue 14):
// it loads 1,000,000 applications, 1,000,000 dishonesty records (with
// 2,000,000 history rows), 5,000,000 audit entries and 100,000 repairs
// (plus 20,000 objections and the 100,000 subjects and 10,050 users they
// reference) into a MariaDB database of its own through the product's
// migrations and INSERT … SELECT from the SEQUENCE engine, starts the
// product (the binary built from this tree, its own process) and measures
// through GraphQL, as an ADMIN it creates, each list the console reads:
// the first page, a deep page and each filter, sequentially and then with
// concurrent clients, and prints the EXPLAIN of the SQL each request ran
// (captured from MariaDB's general log for one request per list). With
// -floor it also measures what the queue's and the deadlines' pages cost
// with none of the product's own work (floor.go).
//
//	go run ./bench/lists [-db 'root@tcp(127.0.0.1:3306)/cw_bench'] [-scale 1] [-reuse] [-n 20] [-c 16] [-d 5s] [-floor]
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"creditwater/bench/loadgen"
	"creditwater/store"
)

const (
	adminUser = "bench-admin"
	adminPass = "bench-admin-pass-1"
)

type opts struct {
	db, redis, bin, only string
	profile              string
	scale                float64
	reuse, explain       bool
	floor                bool
	serveFloor, pageFile string
	floorSQL             string
	n, conc              int
	dur                  time.Duration
}

func main() {
	var o opts
	flag.StringVar(&o.db, "db", "root@tcp(127.0.0.1:3306)/cw_bench", "MariaDB DSN of the bench's own database (created if missing; never a shared one)")
	flag.StringVar(&o.redis, "redis", "redis://127.0.0.1:6379/13", "Redis of the product (keys under a prefix of this run)")
	flag.Float64Var(&o.scale, "scale", 1, "data size: 1 = the issue's sizes, 0.1 for quick runs")
	flag.BoolVar(&o.reuse, "reuse", false, "skip loading when a complete load of this scale is there")
	flag.IntVar(&o.n, "n", 20, "sequential requests per list")
	flag.IntVar(&o.conc, "c", 16, "concurrent clients")
	flag.DurationVar(&o.dur, "d", 5*time.Second, "duration of the concurrent run per list")
	flag.BoolVar(&o.explain, "explain", true, "print the EXPLAIN of each list's SQL")
	flag.StringVar(&o.only, "only", "", "measure only the lists whose name matches this regular expression")
	flag.StringVar(&o.bin, "bin", "", "product binary (empty: built from this tree)")
	flag.StringVar(&o.profile, "profile", "", "directory for a CPU profile of the product during each list's concurrent run (CW_PPROF on its metrics listener)")
	flag.BoolVar(&o.floor, "floor", false, "also measure the floors of the queue's and the deadlines' pages: gqlgen and net/http alone serving the product's answer from memory, without and with the product's SELECTs (see floor.go)")
	flag.StringVar(&o.serveFloor, "serve-floor", "", "internal: serve the floor on this address (with -floor-page)")
	flag.StringVar(&o.pageFile, "floor-page", "", "internal: the product's answer the floor serves")
	flag.StringVar(&o.floorSQL, "floor-sql", "", "internal: the statements the floor replays (JSON list; empty: none)")
	flag.Parse()
	if o.serveFloor != "" {
		if err := runFloor(o.serveFloor, o.pageFile, o.floorSQL, o.db); err != nil {
			fmt.Fprintln(os.Stderr, "floor:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(context.Background(), o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// openBench opens the bench's database, creating it, and refuses the
// shared ones.
func openBench(ctx context.Context, dsn string) (*sql.DB, string, error) {
	norm, err := store.MySQLDSN(dsn)
	if err != nil {
		return nil, "", err
	}
	switch name := loadgen.DBName(norm); name {
	case "", "test", "cw_ci", "mysql":
		return nil, "", fmt.Errorf("-db must name the bench's own database (not %q)", name)
	}
	name, err := loadgen.EnsureDatabase(ctx, norm)
	if err != nil {
		return nil, "", err
	}
	db, err := sql.Open("mysql", norm)
	if err != nil {
		return nil, "", err
	}
	db.SetMaxOpenConns(4)
	return db, name, nil
}

func run(ctx context.Context, o opts, out io.Writer) error {
	if o.scale <= 0 || o.scale > 10 {
		return errors.New("-scale must be in (0, 10]")
	}
	var only *regexp.Regexp
	if o.only != "" {
		var err error
		if only, err = regexp.Compile(o.only); err != nil {
			return err
		}
	}
	db, dbName, err := openBench(ctx, o.db)
	if err != nil {
		return err
	}
	defer db.Close()
	dir, bin, remove, err := loadgen.Workdir("lists", o.bin)
	if err != nil {
		return err
	}
	defer remove()
	o.bin = bin
	base := []string{"CW_ENV=development", "CW_DEMO_DATA=false", "CW_DATABASE_URL=" + o.db, "CW_DATA_DIR=" + filepath.Join(dir, "data"), "CW_LOG_LEVEL=warn"}
	env := slices.Concat(slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "CW_") }), base)
	// The product's own migrations, as an operator runs them.
	if err := command(env, o.bin, "migrate"); err != nil {
		return err
	}
	z, ok, err := loaded(ctx, db, o.scale)
	if err != nil {
		return err
	}
	if ok && o.reuse {
		fmt.Fprintln(out, "reusing the loaded data (-reuse; counts match)")
	} else {
		z = newSizes(o.scale, time.Now())
		fmt.Fprintln(out, "loading (INSERT … SELECT from seq_1_to_N, indexes rebuilt after each table):")
		start := time.Now()
		if err := load(ctx, db, z, out); err != nil {
			return err
		}
		fmt.Fprintf(out, "loaded in %s\n", time.Since(start).Round(time.Second))
	}
	fmt.Fprintf(out, "database %s, scale %g: %d applications, %d records (+%d history), %d audit entries, %d repairs, %d objections, %d subjects, %d users\n",
		dbName, o.scale, z.Apps, z.Records, 2*z.Records, z.Audit, z.Repairs, z.Objections, z.Subjects, z.Staff+z.Users)
	// The ADMIN the bench logs in as (it sees every list, the audit log
	// included); already there on -reuse.
	_ = command(slices.Concat(env, []string{"CW_NEW_PASSWORD=" + adminPass}), o.bin, "user", "create", "-username", adminUser, "-role", "ADMIN", "-name", "基准测试管理员")

	penv := []string{"CW_REDIS_URL=" + o.redis, fmt.Sprintf("CW_REDIS_PREFIX=cwbenchlists:%d:", time.Now().UnixNano()),
		"CW_PLAYGROUND=false", "CW_JOBS_ENABLED=false", "CW_MIGRATE_ON_SERVE=false"}
	if o.profile != "" {
		if err := os.MkdirAll(o.profile, 0o755); err != nil {
			return err
		}
		penv = append(penv, "CW_PPROF=true")
	}
	prod, err := loadgen.StartProduct(o.bin, slices.Concat(base, penv), nil)
	if err != nil {
		return err
	}
	defer prod.Stop()
	url := prod.URL
	token, err := loadgen.Token(ctx, url, fmt.Sprintf(`mutation{staffLogin(input:{username:%q,password:%q}){token}}`, adminUser, adminPass))
	if err != nil {
		return err
	}
	cs, err := cases(ctx, db, z)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "product: %s serve (own process, jobs off), %d sequential requests per list, then %d clients for %s; bench GOMAXPROCS=%d NumCPU=%d\n",
		o.bin, o.n, o.conc, o.dur, runtime.GOMAXPROCS(0), runtime.NumCPU())
	check := loadgen.NoErrors(`"data"`)
	procs := []int{prod.PID(), loadgen.MariaDBPID(ctx, db), loadgen.RedisPID(ctx, o.redis), os.Getpid()}
	var results []result
	var plans []plan
	floored := map[string]bool{} // the queue's and the deadlines' first lists measured get a floor
	for _, c := range cs {
		if only != nil && !only.MatchString(c.name) {
			continue
		}
		body, _ := json.Marshal(map[string]any{"query": c.query, "variables": c.vars})
		client := &http.Client{}
		t0 := time.Now()
		if err := loadgen.Post(client, url, token, body, check); err != nil { // warm-up, and a check
			fmt.Fprintf(out, "  %-32s failed: %v\n", c.name, err)
			results = append(results, result{name: c.name, failed: true})
			continue
		}
		// The first request of a list finds the product's caches (counts,
		// statistics) empty: what a list costs when its table was just
		// written.
		cold := time.Since(t0)
		if o.explain {
			p, err := capture(ctx, db, dbName, func() error { return loadgen.Post(client, url, token, body, check) })
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			p.name = c.name
			plans = append(plans, p)
		}
		var profile func() error
		if o.profile != "" {
			profile = func() error { return prod.CPUProfile(o.dur, filepath.Join(o.profile, profileName(c.name))) }
		}
		r, err := measureLoad(o, client, url, token, body, check, procs, profile)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		r.name, r.cold = c.name, cold
		fmt.Fprintf(out, "  %-32s first %8s | seq p50 %8s p99 %8s | %2d clients %7.1f req/s p50 %8s p99 %8s%s\n", r.name,
			ms(r.cold), ms(r.seqP50), ms(r.seqP99), o.conc, r.rps, ms(r.p50), ms(r.p99), errNote(r.errors))
		results = append(results, r)
		client.CloseIdleConnections()
		if o.floor && (c.query == queueQuery || c.query == deadlinesQuery) && !floored[c.query] {
			// The floor right after the product's run of the same
			// request, so that both see the machine in the same state.
			floored[c.query] = true
			frs, err := measureFloor(ctx, o, db, dbName, dir, url, token, body, procs)
			if err != nil {
				return fmt.Errorf("floor: %w", err)
			}
			for _, fr := range frs {
				fmt.Fprintf(out, "  %-32s seq p50 %8s p99 %8s | %2d clients %7.1f req/s p50 %8s p99 %8s%s\n", fr.name,
					ms(fr.seqP50), ms(fr.seqP99), o.conc, fr.rps, ms(fr.p50), ms(fr.p99), errNote(fr.errors))
			}
			results = append(results, frs...)
		}
	}
	printTable(out, results, o)
	if o.explain {
		printPlans(out, plans)
	}
	return nil
}

// measureLoad sends body to url o.n times in a row with client, then from
// o.conc clients for o.dur after warmUp, and measures the CPU each process
// of procs uses from the end of the warm-up; profile, when not nil, runs
// from then on too (the product's profile of the measured part).
func measureLoad(o opts, client *http.Client, url, token string, body []byte, check loadgen.Check, procs []int, profile func() error) (result, error) {
	var r result
	seq := make([]time.Duration, 0, o.n)
	for range o.n {
		t := time.Now()
		if err := loadgen.Post(client, url, token, body, check); err != nil {
			r.errors++
		}
		seq = append(seq, time.Since(t))
	}
	r.seqP50, r.seqP99 = quantile(seq, 0.5), quantile(seq, 0.99)
	atWarm, profiled := make(chan []time.Duration, 1), make(chan error, 1)
	go func() {
		time.Sleep(warmUp)
		atWarm <- cpuTimes(procs)
		if profile == nil {
			profiled <- nil
			return
		}
		profiled <- profile()
	}()
	lr := loadgen.Load(url, token, body, check, o.conc, warmUp, o.dur)
	r.cpu = perRequest(<-atWarm, cpuTimes(procs), lr.RPS*o.dur.Seconds())
	if err := <-profiled; err != nil {
		return r, fmt.Errorf("profile: %w", err)
	}
	r.rps, r.p50, r.p99, r.errors = lr.RPS, lr.P50, lr.P99, r.errors+int(lr.Errors)
	return r, nil
}

// command runs the product binary with env (its CW_ variables only).
func command(env []string, bin string, args ...string) error {
	c := exec.Command(bin, args...)
	c.Env = env
	var buf bytes.Buffer
	c.Stdout, c.Stderr = &buf, &buf
	if err := c.Run(); err != nil {
		return fmt.Errorf("%s %s: %w: %s", filepath.Base(bin), strings.Join(args, " "), err, buf.String())
	}
	return nil
}

type result struct {
	name                           string
	cold, seqP50, seqP99, p50, p99 time.Duration
	rps                            float64
	errors                         int
	failed                         bool
	// cpu is the CPU time per request of the concurrent run: the product,
	// MariaDB, Redis and this load generator (0 where not measured).
	cpu [4]time.Duration
}

// cpuTimes reads the CPU time used so far by each of pids (0 for a PID of
// 0 or one not readable: MariaDB or Redis on another machine).
func cpuTimes(pids []int) []time.Duration {
	out := make([]time.Duration, len(pids))
	for i, pid := range pids {
		if pid != 0 {
			out[i], _ = loadgen.ProcessCPU(pid)
		}
	}
	return out
}

// perRequest divides each process's CPU time between before and after by
// the n requests measured.
func perRequest(before, after []time.Duration, n float64) (cpu [4]time.Duration) {
	if n < 1 {
		return cpu
	}
	for i := range min(len(cpu), len(before), len(after)) {
		if before[i] > 0 {
			cpu[i] = time.Duration(float64(after[i]-before[i]) / n)
		}
	}
	return cpu
}

// quantile is the q-quantile of ds (nearest rank).
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*q+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// profileName is a list's profile file: its name's letters and digits,
// lower case ("queue: VIP first, all" → queue-vip-first-all.pprof).
func profileName(list string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(list), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}), "-") + ".pprof"
}

// cpuMS is a CPU time per request, in ms to the hundredth; "-" where it
// was not measured.
func cpuMS(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

func errNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d errors)", n)
}

// warmUp is how long each list's concurrent run goes before it is
// measured.
const warmUp = 500 * time.Millisecond

// goalP99 is the goal for every list.
const goalP99 = 50 * time.Millisecond

func printTable(out io.Writer, rs []result, o opts) {
	fmt.Fprintf(out, "\n| list | first (cold caches) | sequential p50 | sequential p99 | %d clients req/s | %d clients p50 | %d clients p99 | p99 < 50 ms | CPU per request: product / MariaDB / Redis / load generator |\n|---|---|---|---|---|---|---|---|---|\n", o.conc, o.conc, o.conc)
	for _, r := range rs {
		if r.failed {
			fmt.Fprintf(out, "| %s | failed (see above) | | | | | | **no** | |\n", r.name)
			continue
		}
		okMark := "yes"
		if r.seqP99 >= goalP99 || r.p99 >= goalP99 || r.errors > 0 {
			okMark = "**no**"
		}
		fmt.Fprintf(out, "| %s | %s | %s | %s | %.1f | %s | %s | %s%s | %s / %s / %s / %s |\n", r.name, ms(r.cold), ms(r.seqP50), ms(r.seqP99), r.rps, ms(r.p50), ms(r.p99), okMark, errNote(r.errors),
			cpuMS(r.cpu[0]), cpuMS(r.cpu[1]), cpuMS(r.cpu[2]), cpuMS(r.cpu[3]))
	}
}
