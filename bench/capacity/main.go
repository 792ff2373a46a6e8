// Command capacity measures how many requests per second one core of the
// product serves for its main operations, for the capacity note in the
// README. The product is the built binary run as its own process with
// everything it runs in production (outbox poller, job scheduler, metrics,
// access log) and GOMAXPROCS=1 (so its figures are per core), on MariaDB
// and Redis; a closed-loop load generator in this process keeps -c clients
// busy on one operation at a time for -d after a warm-up. Operations:
//
//   - rating: cached creditRating, staff session (the mini-program's and the
//     counter's most frequent read);
//   - queue: the staff work queue's first page (20 applications with their
//     subjects);
//   - records: the first page of dishonesty records;
//   - me: an enterprise user's own profile (session and access check only);
//   - inbox: an enterprise user's first inbox page.
//
// The demo data is small, so the lists measure per-request cost; their cost
// at a million rows is bench/lists'.
//
//	go run ./bench/capacity [-db 'root@tcp(127.0.0.1:3306)/cw_capacity'] [-redis redis://127.0.0.1:6379/0] [-procs 1] [-c 16] [-d 5s]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"time"

	"creditwater/bench/loadgen"
	"creditwater/creditplatform/simulator"
)

type operation struct {
	name, who, query, want string
}

var operations = []operation{
	{"rating", "staff", `query Rating { creditRating(uscc: "` + simulator.EnterpriseA + `") { uscc rating stale } }`, `"rating":"A"`},
	{"queue", "staff", `{ applications(first: 20) { edges { node { id status subject { name } } } } }`, `"applications"`},
	{"records", "staff", `{ dishonestyRecords(first: 20) { edges { node { id kind status } } } }`, `"dishonestyRecords"`},
	{"me", "enterprise", `{ me { id } }`, `"me"`},
	{"inbox", "enterprise", `{ myInbox(first: 20) { edges { node { id } } } }`, `"myInbox"`},
}

func main() {
	dbURL := flag.String("db", "root@tcp(127.0.0.1:3306)/cw_capacity", "MariaDB/MySQL DSN of the product's database (created when missing)")
	redisURL := flag.String("redis", "redis://127.0.0.1:6379/0", "the product's Redis")
	procs := flag.Int("procs", 1, "GOMAXPROCS of the product")
	conc := flag.Int("c", 16, "concurrent clients")
	dur := flag.Duration("d", 5*time.Second, "measured duration per operation")
	warm := flag.Duration("warmup", time.Second, "warm-up per operation")
	bin := flag.String("bin", "", "product binary (empty: built from this tree)")
	flag.Parse()
	if err := run(*dbURL, *redisURL, *bin, *procs, *conc, *dur, *warm); err != nil {
		fmt.Fprintln(os.Stderr, "capacity:", err)
		os.Exit(1)
	}
}

func run(dbURL, redisURL, bin string, procs, conc int, dur, warm time.Duration) error {
	ctx := context.Background()
	if _, err := loadgen.EnsureDatabase(ctx, dbURL); err != nil {
		return fmt.Errorf("-db: %w", err)
	}
	dir, bin, remove, err := loadgen.Workdir("capacity", bin)
	if err != nil {
		return err
	}
	defer remove()
	env := []string{"CW_ENV=development", "CW_DATA_DIR=" + dir, "CW_DATABASE_URL=" + dbURL, "CW_REDIS_URL=" + redisURL,
		fmt.Sprintf("CW_REDIS_PREFIX=cwcap:%d:", time.Now().UnixNano()), "CW_PLAYGROUND=false", "CW_LOG_LEVEL=info", "CW_JOBS_ENABLED=true"}
	product, err := loadgen.StartProduct(bin, env, []string{fmt.Sprintf("GOMAXPROCS=%d", procs)})
	if err != nil {
		return err
	}
	defer product.Stop()
	tokens := map[string]string{}
	if tokens["staff"], err = loadgen.Token(ctx, product.URL, loadgen.StaffLogin); err != nil {
		return err
	}
	if tokens["enterprise"], err = loadgen.Token(ctx, product.URL, `mutation{wechatLogin(input:{code:"capacity-bench"}){token}}`); err != nil {
		return err
	}
	fmt.Printf("product: GOMAXPROCS=%d, MariaDB + Redis, own process (outbox, jobs, metrics, access log); %d clients, %s per operation after %s warm-up; machine NumCPU=%d\n",
		procs, conc, dur, warm, runtime.NumCPU())
	fmt.Printf("%-8s %10s %10s %10s %8s %14s\n", "op", "req/s", "p50", "p99", "errors", "req/s per core")
	for _, op := range operations {
		body, _ := json.Marshal(map[string]string{"query": op.query})
		check := loadgen.NoErrors(op.want)
		if err := loadgen.Post(http.DefaultClient, product.URL, tokens[op.who], body, check); err != nil {
			return fmt.Errorf("%s: %w", op.name, err)
		}
		r := loadgen.Load(product.URL, tokens[op.who], body, check, conc, warm, dur)
		fmt.Printf("%-8s %10.0f %10s %10s %8d %14.0f\n", op.name, r.RPS, r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Errors, r.RPS/float64(procs))
	}
	return nil
}
