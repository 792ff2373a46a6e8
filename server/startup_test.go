package server_test

import (
	"context"
	"sync"
	"testing"

	"creditwater/server"
)

// Two instances starting together on one empty database (and one Redis) both
// come up: migrations, demo seeding and everything else on first start are
// safe under concurrency, and /readyz answers ready on both.
func TestTwoInstancesStartTogetherOnEmptyDatabase(t *testing.T) {
	cfg := loadConfig(t, testEnv(t))
	var (
		wg   sync.WaitGroup
		srvs [2]*server.Server
		errs [2]error
		gate = make(chan struct{})
	)
	for i := range srvs {
		wg.Go(func() {
			<-gate
			srvs[i], errs[i] = server.New(context.Background(), cfg, testLogger())
		})
	}
	close(gate)
	wg.Wait()
	var hs []*harness
	for i, s := range srvs {
		if errs[i] != nil {
			t.Errorf("instance %d did not start: %v", i, errs[i])
			continue
		}
		hs = append(hs, attach(t, cfg, s))
	}
	if t.Failed() {
		return
	}
	for i, h := range hs {
		if code, body := get(t, h.ts.URL+"/readyz"); code != 200 || body != "ready\n" && body != "ready" {
			t.Errorf("instance %d: readyz %d %q", i, code, body)
		}
		if tok := h.staffToken("admin", "demo-admin-pass"); tok == "" {
			t.Errorf("instance %d: the demo admin cannot log in", i)
		}
	}
}
