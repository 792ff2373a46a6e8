// Package loadgen is what the load benches share: building and running the
// product as its own process, waiting for it, and a closed-loop HTTP load
// generator that reports throughput and latency percentiles.
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Result is one measured round.
type Result struct {
	RPS      float64
	P50, P99 time.Duration
	Errors   int64
}

// Medians returns the median of each figure over rounds.
func Medians(rs []Result) Result {
	pick := func(f func(Result) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return Result{
		RPS: pick(func(r Result) float64 { return r.RPS }),
		P50: time.Duration(pick(func(r Result) float64 { return float64(r.P50) })),
		P99: time.Duration(pick(func(r Result) float64 { return float64(r.P99) })),
	}
}

// Check accepts or refuses one response (status and body).
type Check func(status int, body []byte) error

// NoErrors accepts a 200 whose body has no "errors" member and contains
// want.
func NoErrors(want string) Check {
	return func(status int, b []byte) error {
		if status != http.StatusOK || bytes.Contains(b, []byte(`"errors"`)) || !bytes.Contains(b, []byte(want)) {
			return fmt.Errorf("bad response %d: %.300s", status, b)
		}
		return nil
	}
}

// Post sends body to url (JSON, with the bearer token when set) and checks
// the answer.
func Post(c *http.Client, url, token string, body []byte, check Check) error {
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

// Load runs conc clients posting body to url for warm+dur and measures the
// last dur.
func Load(url, token string, body []byte, check Check, conc int, warm, dur time.Duration) Result {
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
				err := Post(client, url, token, body, check)
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
		return Result{Errors: errs.Load()}
	}
	return Result{RPS: float64(len(all)) / elapsed.Seconds(), P50: all[len(all)/2], P99: all[len(all)*99/100], Errors: errs.Load()}
}

// FreeAddr returns a loopback address with a port free just now.
func FreeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// WaitReady polls url until it answers 200 or limit passes.
func WaitReady(url string, limit time.Duration) error {
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

// Build builds the product from this tree into dir and returns the binary.
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "creditwater")
	build := exec.Command("go", "build", "-o", bin, "creditwater")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("building the product: %w", err)
	}
	return bin, nil
}

// Product is the product running as its own process (`serve`).
type Product struct {
	cmd *exec.Cmd
	// URL is its GraphQL endpoint.
	URL string
	// MetricsURL is the base URL of its metrics listener (/metrics, and
	// /debug/pprof/ when started with CW_PPROF=true).
	MetricsURL string
}

// StartProduct runs bin serve with the CW_ variables of env (and none of
// this process's) on a free address with its metrics on another, and
// waits until /readyz answers. extra are other variables (GOMAXPROCS, …).
func StartProduct(bin string, env, extra []string) (*Product, error) {
	addr, metrics := FreeAddr(), FreeAddr()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(append(withoutCW(os.Environ()), extra...), append(env, "CW_HTTP_ADDR="+addr, "CW_METRICS_ADDR="+metrics)...)
	// The access log is written as in production, to /dev/null.
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Product{cmd: cmd, URL: "http://" + addr + "/graphql", MetricsURL: "http://" + metrics}
	if err := WaitReady("http://"+addr+"/readyz", 90*time.Second); err != nil {
		p.Stop()
		return nil, fmt.Errorf("product: %w", err)
	}
	return p, nil
}

// Stop interrupts the process and waits for it (killing it after 10 s).
func (p *Product) Stop() { StopProcess(p.cmd) }

// StopProcess interrupts c and waits for it (killing it after 10 s).
func StopProcess(c *exec.Cmd) {
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

// Token runs a login mutation (field staffLogin or wechatLogin) at url and
// returns the session token.
func Token(ctx context.Context, url, mutation string) (string, error) {
	body, _ := json.Marshal(map[string]string{"query": mutation})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		Data map[string]struct{ Token string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", fmt.Errorf("login: %w", err)
	}
	for _, v := range out.Data {
		if v.Token != "" {
			return v.Token, nil
		}
	}
	return "", fmt.Errorf("login failed (%d)", resp.StatusCode)
}

// StaffLogin is the demo staff user's login mutation.
const StaffLogin = `mutation{staffLogin(input:{username:"staff",password:"demo-staff-pass"}){token}}`

func withoutCW(environ []string) []string {
	return slices.DeleteFunc(slices.Clone(environ), func(kv string) bool { return strings.HasPrefix(kv, "CW_") })
}

// CPUProfile fetches a CPU profile of d from the product (started with
// CW_PPROF=true) into file; it returns when the profile is written.
func (p *Product) CPUProfile(d time.Duration, file string) error {
	return SaveProfile(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", p.MetricsURL, int(d/time.Second)), file)
}

// SaveProfile saves the profile a net/http/pprof handler serves at url
// into file.
func SaveProfile(url, file string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("profile %s: %s", url, resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
