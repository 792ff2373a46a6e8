// Command rating measures a cached creditRating query through the full
// stack (HTTP, request ID, body limit, session check in Redis, @hasRole,
// complexity limit, APQ, metrics, error presenter, rating cache in Redis)
// against a baseline: a minimal gqlgen handler on the same schema whose
// creditRating resolver does one Redis GET. Both run in this process on
// loopback, against the same Redis, with the same load generator, in the
// same run, so their ratio is meaningful on any machine.
//
//	go run ./bench/rating [-redis redis://127.0.0.1:6379/0] [-c 64] [-d 10s]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/redis/go-redis/v9"

	"creditwater/config"
	"creditwater/creditplatform/simulator"
	"creditwater/graph"
	"creditwater/graph/generated"
	"creditwater/models"
	"creditwater/rating"
	"creditwater/server"
)

const query = `{"query":"query Rating { creditRating(uscc: \"` + simulator.EnterpriseA + `\") { uscc rating stale } }"}`

func main() {
	redisURL := flag.String("redis", "redis://127.0.0.1:6379/0", "Redis both targets use (empty: in-process)")
	conc := flag.Int("c", 64, "concurrent clients")
	dur := flag.Duration("d", 10*time.Second, "measured duration per target")
	warm := flag.Duration("warmup", 2*time.Second, "warm-up per target")
	flag.Parse()
	if err := run(*redisURL, *conc, *dur, *warm); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(redisURL string, conc int, dur, warm time.Duration) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "cw-bench-rating")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	prefix := fmt.Sprintf("cwbench:%d:", time.Now().UnixNano())
	env := []string{"CW_ENV=test", "CW_DATA_DIR=" + dir, "CW_REDIS_PREFIX=" + prefix, "CW_LOG_LEVEL=info"}
	if redisURL != "" {
		env = append(env, "CW_REDIS_URL="+redisURL)
	}
	cfg, err := config.Load(env)
	if err != nil {
		return err
	}
	// Logs are formatted as in production but not written out.
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	srv, err := server.New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer srv.Close()
	full := httptest.NewServer(srv.Handler())
	defer full.Close()

	token, err := login(full.URL)
	if err != nil {
		return err
	}
	// Fill the rating cache.
	if _, err := do(http.DefaultClient, full.URL, token); err != nil {
		return err
	}

	// The baseline shares the server's Redis client (same pool, same server).
	rdb := srv.Redis()
	raw, _ := json.Marshal(rating.Rating{USCC: simulator.EnterpriseA, Level: rating.LevelA, EvaluatedAt: time.Now(), FetchedAt: time.Now()})
	if err := rdb.Set(ctx, prefix+"baseline", raw, time.Hour).Err(); err != nil {
		return err
	}
	base := httptest.NewServer(baseline(rdb, prefix+"baseline"))
	defer base.Close()

	fmt.Printf("creditRating, cached; %d clients, %s each after %s warm-up; GOMAXPROCS=%d\n", conc, dur, warm, runtime.GOMAXPROCS(0))
	b := load(base.URL, "", conc, warm, dur)
	f := load(full.URL, token, conc, warm, dur)
	fmt.Printf("%-10s %10s %10s %10s %8s\n", "target", "req/s", "p50", "p99", "errors")
	for _, r := range []struct {
		name string
		res  result
	}{{"baseline", b}, {"full", f}} {
		fmt.Printf("%-10s %10.0f %10s %10s %8d\n", r.name, r.res.rps, r.res.p50, r.res.p99, r.res.errors)
	}
	fmt.Printf("ratio full/baseline: throughput %.2f (goal >= 0.75), p99 %.2fx (goal <= 2x)\n", f.rps/b.rps, float64(f.p99)/float64(b.p99))
	return nil
}

// baseline is the minimal gqlgen handler: our schema, POST only, no
// directives' checks, no extensions, a creditRating resolver doing one
// Redis GET.
func baseline(rdb redis.UniversalClient, key string) http.Handler {
	root := baseRoot{Resolver: &graph.Resolver{}, q: baseQuery{rdb: rdb, key: key}}
	es := generated.NewExecutableSchema(generated.Config{Resolvers: root, Directives: generated.DirectiveRoot{
		HasRole: func(ctx context.Context, _ any, next graphql.Resolver, _ []models.Role) (any, error) {
			return next(ctx)
		},
		Public: func(ctx context.Context, _ any, next graphql.Resolver) (any, error) { return next(ctx) },
	}})
	h := handler.New(es)
	h.AddTransport(transport.POST{})
	return h
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

func login(url string) (string, error) {
	body := `{"query":"mutation{staffLogin(input:{username:\"staff\",password:\"demo-staff-pass\"}){token}}"}`
	resp, err := http.Post(url+"/graphql", "application/json", bytes.NewBufferString(body))
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

func do(c *http.Client, url, token string) (bool, error) {
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewBufferString(query))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return false, err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || bytes.Contains(b, []byte(`"errors"`)) || !bytes.Contains(b, []byte(`"rating":"A"`)) {
		return false, fmt.Errorf("bad response %d: %s", resp.StatusCode, b)
	}
	return true, nil
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	errors   int64
}

// load runs conc clients for warm+dur and measures the last dur.
func load(url, token string, conc int, warm, dur time.Duration) result {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc * 2, MaxConnsPerHost: conc * 2}}
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
				_, err := do(client, url, token)
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
