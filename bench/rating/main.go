// Command rating measures a cached creditRating query through the product
// against a like-for-like baseline, both over loopback HTTP against the
// same Redis, with the same load generator, in alternated rounds of one run:
//
//   - product: the creditwater binary, built from this tree and run as its
//     own process with everything it runs in production (outbox poller, job
//     scheduler, metrics listener, access log, session check in Redis,
//     @hasRole, cost limits, persisted queries, error presenter, rating
//     cache), a staff session;
//   - baseline: this command re-run as a second process serving a minimal
//     gqlgen handler on the same schema, built by server.NewGraphQLHandler
//     (the product's transports and LRU query cache) plus gqlgen's
//     persisted-query extension with an in-memory cache, whose creditRating
//     resolver does one Redis GET and decodes the JSON.
//
// Two variants: the query text sent each time, and an automatic persisted
// query (only the SHA-256 hash sent, registered once beforehand). Rounds
// alternate baseline, product, baseline, …; the medians of each target's
// rounds are compared. The load generator is in this (third) process.
//
// With -profile DIR, the first round of each variant also records a CPU
// profile of each target (the product's through CW_PPROF on its metrics
// listener, the baseline's on a second listener of its own) into DIR, for
// `go tool pprof -diff_base`; profiling perturbs that round a little, for
// both targets alike.
//
//	go run ./bench/rating [-redis redis://127.0.0.1:6379/0] [-db 'root@tcp(127.0.0.1:3306)/cwbench'] [-c 64] [-d 5s] [-rounds 5] [-profile DIR]
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/pprof"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/redis/go-redis/v9"

	"creditwater/bench/bare"
	"creditwater/bench/loadgen"
	"creditwater/creditplatform/simulator"
	"creditwater/graph"
	"creditwater/graph/generated"
	"creditwater/rating"
	"creditwater/server"
)

const queryText = `query Rating { creditRating(uscc: "` + simulator.EnterpriseA + `") { uscc rating stale } }`

func main() {
	redisURL := flag.String("redis", "redis://127.0.0.1:6379/0", "Redis both targets use")
	dbURL := flag.String("db", "", "CW_DATABASE_URL of the product, a MariaDB/MySQL DSN (created when missing; empty: its embedded SQLite)")
	conc := flag.Int("c", 64, "concurrent clients")
	dur := flag.Duration("d", 5*time.Second, "measured duration of each round")
	warm := flag.Duration("warmup", time.Second, "warm-up of each round")
	rounds := flag.Int("rounds", 5, "rounds per target and variant")
	bin := flag.String("bin", "", "product binary (empty: built from this tree)")
	serveBaseline := flag.String("serve-baseline", "", "internal: serve the baseline on this address")
	key := flag.String("key", "", "internal: the baseline's Redis key")
	pprofAddr := flag.String("pprof-addr", "", "internal: the baseline's profiler address")
	profile := flag.String("profile", "", "directory for CPU profiles of the first round of each target and variant")
	flag.Parse()
	var err error
	if *serveBaseline != "" {
		err = runBaseline(*serveBaseline, *redisURL, *key, *pprofAddr)
	} else {
		err = run(opts{redisURL: *redisURL, dbURL: *dbURL, conc: *conc, dur: *dur, warm: *warm, rounds: *rounds, bin: *bin, profile: *profile})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type opts struct {
	redisURL, dbURL string
	conc            int
	dur, warm       time.Duration
	rounds          int
	bin, profile    string
}

func run(o opts) error {
	if o.redisURL == "" {
		return errors.New("-redis is required: the two processes share one Redis")
	}
	ctx := context.Background()
	dir, bin, remove, err := loadgen.Workdir("rating", o.bin)
	if err != nil {
		return err
	}
	defer remove()
	o.bin = bin
	prefix := fmt.Sprintf("cwbench:%d:", time.Now().UnixNano())
	baseAddr := loadgen.FreeAddr()
	env := []string{"CW_ENV=development", "CW_DATA_DIR=" + filepath.Join(dir, "data"), "CW_REDIS_URL=" + o.redisURL,
		"CW_REDIS_PREFIX=" + prefix, "CW_PLAYGROUND=false", "CW_LOG_LEVEL=info", "CW_JOBS_ENABLED=true"}
	if o.dbURL != "" {
		if _, err := loadgen.EnsureDatabase(context.Background(), o.dbURL); err != nil {
			return err
		}
		env = append(env, "CW_DATABASE_URL="+o.dbURL)
	}
	if o.profile != "" {
		env = append(env, "CW_PPROF=true")
		if err := os.MkdirAll(o.profile, 0o755); err != nil {
			return err
		}
	}
	product, err := loadgen.StartProduct(o.bin, env, nil)
	if err != nil {
		return err
	}
	defer product.Stop()

	self, err := os.Executable()
	if err != nil {
		return err
	}
	baseKey := prefix + "baseline"
	opt, err := redis.ParseURL(o.redisURL)
	if err != nil {
		return err
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	raw, _ := json.Marshal(rating.Rating{USCC: simulator.EnterpriseA, Level: rating.LevelA, EvaluatedAt: time.Now(), FetchedAt: time.Now()})
	if err := rdb.Set(ctx, baseKey, raw, time.Hour).Err(); err != nil {
		return err
	}
	defer rdb.Del(context.Background(), baseKey)
	basePprof := ""
	if o.profile != "" {
		basePprof = loadgen.FreeAddr()
	}
	baseline := exec.Command(self, "-serve-baseline", baseAddr, "-redis", o.redisURL, "-key", baseKey, "-pprof-addr", basePprof)
	baseline.Stderr = os.Stderr
	if err := baseline.Start(); err != nil {
		return err
	}
	defer loadgen.StopProcess(baseline)

	productURL, baseURL := product.URL, "http://"+baseAddr+"/graphql"
	if err := loadgen.WaitReady("http://"+baseAddr+"/healthz", 30*time.Second); err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	token, err := loadgen.Token(ctx, productURL, loadgen.StaffLogin)
	if err != nil {
		return err
	}

	text, _ := json.Marshal(map[string]any{"query": queryText})
	hash := sha256.Sum256([]byte(queryText))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(hash[:])}}
	register, _ := json.Marshal(map[string]any{"query": queryText, "extensions": ext})
	persisted, _ := json.Marshal(map[string]any{"extensions": ext})
	// Fill the product's rating cache and register the persisted query on
	// both targets.
	for _, t := range []struct{ url, token string }{{productURL, token}, {baseURL, ""}} {
		if err := loadgen.Post(http.DefaultClient, t.url, t.token, register, check); err != nil {
			return err
		}
		if err := loadgen.Post(http.DefaultClient, t.url, t.token, persisted, check); err != nil {
			return fmt.Errorf("persisted query: %w", err)
		}
	}

	fmt.Printf("creditRating, cached, staff session; %d clients; %d alternated rounds of %s (after %s warm-up) per target and variant; bench GOMAXPROCS=%d, NumCPU=%d\n",
		o.conc, o.rounds, o.dur, o.warm, runtime.GOMAXPROCS(0), runtime.NumCPU())
	fmt.Printf("product: %s serve (own process, outbox + jobs + metrics), database %s\n", o.bin, orDefault(o.dbURL, "embedded SQLite"))
	for _, v := range []struct {
		name string
		body []byte
	}{{"query text", text}, {"persisted (APQ)", persisted}} {
		var base, prod []loadgen.Result
		for i := range o.rounds {
			var stopProfiles func() error
			if o.profile != "" && i == 0 {
				stopProfiles = profileBoth(o, v.name, product, basePprof)
			}
			b := loadgen.Load(baseURL, "", v.body, check, o.conc, o.warm, o.dur)
			p := loadgen.Load(productURL, token, v.body, check, o.conc, o.warm, o.dur)
			if stopProfiles != nil {
				if err := stopProfiles(); err != nil {
					return err
				}
			}
			fmt.Printf("  %s round %d: baseline %7.0f req/s p99 %-9s product %7.0f req/s p99 %-9s errors %d/%d\n",
				v.name, i+1, b.RPS, b.P99.Round(10*time.Microsecond), p.RPS, p.P99.Round(10*time.Microsecond), b.Errors, p.Errors)
			base, prod = append(base, b), append(prod, p)
		}
		mb, mp := loadgen.Medians(base), loadgen.Medians(prod)
		fmt.Printf("%s, medians: baseline %.0f req/s, p50 %s, p99 %s; product %.0f req/s, p50 %s, p99 %s\n",
			v.name, mb.RPS, mb.P50, mb.P99, mp.RPS, mp.P50, mp.P99)
		fmt.Printf("%s: product/baseline throughput %.2fx (goal >= 0.8x), p99 %.2fx (goal <= 1.5x)\n",
			v.name, mp.RPS/mb.RPS, float64(mp.P99)/float64(mb.P99))
	}
	return nil
}

// runBaseline serves the baseline on addr until killed, with the
// product's default garbage-collector target and memory limit
// (CW_GC_PERCENT, CW_GC_MEMORY_LIMIT), as `serve` applies them.
func runBaseline(addr, redisURL, key, pprofAddr string) error {
	if _, err := bare.TuneGC(); err != nil {
		return err
	}
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return err
	}
	if pprofAddr != "" {
		// Its own listener, so the measured handler has no mux in front.
		go func() { _ = http.ListenAndServe(pprofAddr, http.HandlerFunc(pprof.Profile)) }()
	}
	return http.ListenAndServe(addr, baselineHandler(redis.NewClient(opt), key))
}

// baselineHandler is the baseline: the product's GraphQL transports and
// query cache (bare.Handler) plus gqlgen's APQ extension, and a
// creditRating resolver doing one Redis GET of key.
func baselineHandler(rdb redis.UniversalClient, key string) http.Handler {
	h := bare.Handler(baseRoot{Resolver: &graph.Resolver{}, q: baseQuery{rdb: rdb, key: key}})
	h.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](server.QueryCacheSize)})
	return bare.Mux(h)
}

type baseRoot struct {
	*graph.Resolver
	q baseQuery
}

func (r baseRoot) Query() generated.QueryResolver { return r.q }

type baseQuery struct {
	generated.QueryResolver // nil: only creditRating is served
	rdb                     redis.UniversalClient
	key                     string
}

func (q baseQuery) CreditRating(ctx context.Context, _ string) (*rating.Rating, error) {
	raw, err := q.rdb.Get(ctx, q.key).Bytes()
	if err != nil {
		return nil, err
	}
	var r rating.Rating
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// check accepts only the cached rating's answer.
var check = loadgen.NoErrors(`"rating":"A"`)

// profileBoth records a CPU profile of the baseline's and then the
// product's part of one round (each its warm-up plus measured duration,
// started in step with loadgen.Load's order) into o.profile; the function
// it returns waits for both files.
func profileBoth(o opts, variant string, product *loadgen.Product, basePprof string) func() error {
	name := strings.Fields(variant)[0] // "query" or "persisted"
	each := o.warm + o.dur
	errc := make(chan error, 2)
	go func() {
		errc <- loadgen.SaveProfile("http://"+basePprof+"/?seconds="+strconv.Itoa(int(each/time.Second)), filepath.Join(o.profile, "baseline-"+name+".pprof"))
	}()
	go func() {
		time.Sleep(each)
		errc <- product.CPUProfile(each, filepath.Join(o.profile, "product-"+name+".pprof"))
	}()
	return func() error { return errors.Join(<-errc, <-errc) }
}
