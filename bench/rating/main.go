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
//	go run ./bench/rating [-redis redis://127.0.0.1:6379/0] [-db 'root@tcp(127.0.0.1:3306)/cwbench'] [-c 64] [-d 5s] [-rounds 5]
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/redis/go-redis/v9"

	"creditwater/creditplatform/simulator"
	"creditwater/graph"
	"creditwater/graph/generated"
	"creditwater/models"
	"creditwater/rating"
	"creditwater/server"
)

const queryText = `query Rating { creditRating(uscc: "` + simulator.EnterpriseA + `") { uscc rating stale } }`

func main() {
	redisURL := flag.String("redis", "redis://127.0.0.1:6379/0", "Redis both targets use")
	dbURL := flag.String("db", "", "CW_DATABASE_URL of the product (empty: its embedded SQLite)")
	conc := flag.Int("c", 64, "concurrent clients")
	dur := flag.Duration("d", 5*time.Second, "measured duration of each round")
	warm := flag.Duration("warmup", time.Second, "warm-up of each round")
	rounds := flag.Int("rounds", 5, "rounds per target and variant")
	bin := flag.String("bin", "", "product binary (empty: built from this tree)")
	serveBaseline := flag.String("serve-baseline", "", "internal: serve the baseline on this address")
	key := flag.String("key", "", "internal: the baseline's Redis key")
	flag.Parse()
	var err error
	if *serveBaseline != "" {
		err = runBaseline(*serveBaseline, *redisURL, *key)
	} else {
		err = run(opts{redisURL: *redisURL, dbURL: *dbURL, conc: *conc, dur: *dur, warm: *warm, rounds: *rounds, bin: *bin})
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
	bin             string
}

func run(o opts) error {
	if o.redisURL == "" {
		return errors.New("-redis is required: the two processes share one Redis")
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "cw-bench-rating")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if o.bin == "" {
		o.bin = filepath.Join(dir, "creditwater")
		build := exec.Command("go", "build", "-o", o.bin, "creditwater")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building the product: %w", err)
		}
	}
	prefix := fmt.Sprintf("cwbench:%d:", time.Now().UnixNano())
	productAddr, metricsAddr, baseAddr := freeAddr(), freeAddr(), freeAddr()

	env := []string{"CW_ENV=development", "CW_HTTP_ADDR=" + productAddr, "CW_METRICS_ADDR=" + metricsAddr,
		"CW_DATA_DIR=" + filepath.Join(dir, "data"), "CW_REDIS_URL=" + o.redisURL, "CW_REDIS_PREFIX=" + prefix,
		"CW_PLAYGROUND=false", "CW_LOG_LEVEL=info", "CW_JOBS_ENABLED=true"}
	if o.dbURL != "" {
		env = append(env, "CW_DATABASE_URL="+o.dbURL)
	}
	product := exec.Command(o.bin, "serve")
	product.Env = append(withoutCW(os.Environ()), env...)
	// The access log is written as in production, to /dev/null.
	if err := product.Start(); err != nil {
		return err
	}
	defer stop(product)

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
	baseline := exec.Command(self, "-serve-baseline", baseAddr, "-redis", o.redisURL, "-key", baseKey)
	baseline.Stderr = os.Stderr
	if err := baseline.Start(); err != nil {
		return err
	}
	defer stop(baseline)

	productURL, baseURL := "http://"+productAddr+"/graphql", "http://"+baseAddr+"/graphql"
	if err := waitReady("http://"+productAddr+"/readyz", 90*time.Second); err != nil {
		return fmt.Errorf("product: %w", err)
	}
	if err := waitReady("http://"+baseAddr+"/healthz", 30*time.Second); err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	token, err := login(productURL)
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
		if err := do(http.DefaultClient, t.url, t.token, register); err != nil {
			return err
		}
		if err := do(http.DefaultClient, t.url, t.token, persisted); err != nil {
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
		var base, prod []result
		for i := range o.rounds {
			b := load(baseURL, "", v.body, o.conc, o.warm, o.dur)
			p := load(productURL, token, v.body, o.conc, o.warm, o.dur)
			fmt.Printf("  %s round %d: baseline %7.0f req/s p99 %-9s product %7.0f req/s p99 %-9s errors %d/%d\n",
				v.name, i+1, b.rps, b.p99.Round(10*time.Microsecond), p.rps, p.p99.Round(10*time.Microsecond), b.errors, p.errors)
			base, prod = append(base, b), append(prod, p)
		}
		mb, mp := medians(base), medians(prod)
		fmt.Printf("%s, medians: baseline %.0f req/s, p50 %s, p99 %s; product %.0f req/s, p50 %s, p99 %s\n",
			v.name, mb.rps, mb.p50, mb.p99, mp.rps, mp.p50, mp.p99)
		fmt.Printf("%s: product/baseline throughput %.2fx (goal >= 0.8x), p99 %.2fx (goal <= 1.5x)\n",
			v.name, mp.rps/mb.rps, float64(mp.p99)/float64(mb.p99))
	}
	return nil
}

// runBaseline serves the baseline on addr until killed.
func runBaseline(addr, redisURL, key string) error {
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return err
	}
	return http.ListenAndServe(addr, baselineHandler(redis.NewClient(opt), key))
}

// baselineHandler is the baseline: the product's GraphQL transports and
// query cache (server.NewGraphQLHandler) plus gqlgen's APQ extension, and a
// creditRating resolver doing one Redis GET of key.
func baselineHandler(rdb redis.UniversalClient, key string) http.Handler {
	root := baseRoot{Resolver: &graph.Resolver{}, q: baseQuery{rdb: rdb, key: key}}
	es := generated.NewExecutableSchema(generated.Config{Resolvers: root, Directives: generated.DirectiveRoot{
		HasRole: func(ctx context.Context, _ any, next graphql.Resolver, _ []models.Role) (any, error) {
			return next(ctx)
		},
		Public: func(ctx context.Context, _ any, next graphql.Resolver) (any, error) { return next(ctx) },
	}})
	h, _ := server.NewGraphQLHandler(es)
	h.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](server.QueryCacheSize)})
	mux := http.NewServeMux()
	mux.Handle("/graphql", h)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	return mux
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

func withoutCW(environ []string) []string {
	return slices.DeleteFunc(slices.Clone(environ), func(kv string) bool { return strings.HasPrefix(kv, "CW_") })
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// freeAddr returns a loopback address with a port free just now.
func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func stop(c *exec.Cmd) {
	_ = c.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = c.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = c.Process.Kill()
		<-done
	}
}

func waitReady(url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready at %s after %s", url, limit)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func login(url string) (string, error) {
	body := `{"query":"mutation{staffLogin(input:{username:\"staff\",password:\"demo-staff-pass\"}){token}}"}`
	resp, err := http.Post(url, "application/json", bytes.NewBufferString(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		Data struct{ StaffLogin struct{ Token string } }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Data.StaffLogin.Token == "" {
		return "", fmt.Errorf("login failed: %v", err)
	}
	return out.Data.StaffLogin.Token, nil
}

func do(c *http.Client, url, token string, body []byte) error {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return check(resp.StatusCode, b)
}

// check accepts only the cached rating's answer.
func check(status int, b []byte) error {
	if status != 200 || bytes.Contains(b, []byte(`"errors"`)) || !bytes.Contains(b, []byte(`"rating":"A"`)) {
		return fmt.Errorf("bad response %d: %s", status, b)
	}
	return nil
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	errors   int64
}

// medians returns the median of each figure over rounds.
func medians(rs []result) result {
	pick := func(f func(result) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return result{
		rps: pick(func(r result) float64 { return r.rps }),
		p50: time.Duration(pick(func(r result) float64 { return float64(r.p50) })),
		p99: time.Duration(pick(func(r result) float64 { return float64(r.p99) })),
	}
}

// load runs conc clients for warm+dur and measures the last dur.
func load(url, token string, body []byte, conc int, warm, dur time.Duration) result {
	tr := &http.Transport{MaxIdleConnsPerHost: conc * 2, MaxConnsPerHost: conc * 2}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var measuring atomic.Bool
	var errs atomic.Int64
	lat := make([][]time.Duration, conc)
	stop := time.Now().Add(warm + dur)
	var wg sync.WaitGroup
	for i := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				t := time.Now()
				err := do(client, url, token, body)
				if measuring.Load() {
					if err != nil {
						errs.Add(1)
						continue
					}
					lat[i] = append(lat[i], time.Since(t))
				}
			}
		}()
	}
	time.Sleep(warm)
	measuring.Store(true)
	start := time.Now()
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	if len(all) == 0 {
		return result{errors: errs.Load()}
	}
	return result{rps: float64(len(all)) / elapsed.Seconds(), p50: all[len(all)/2], p99: all[len(all)*99/100], errors: errs.Load()}
}
