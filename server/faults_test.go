package server_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"creditwater/creditplatform/simulator"
	"creditwater/models"
	"creditwater/server"
	"creditwater/testwait"
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

// R2.3: SIGTERM (the server's Shutdown) while the credit platform is slow to
// take a publication: the delivery is cut at the end of the drain, its
// lease is released before Shutdown returns, no attempt is counted, and the
// next instance delivers it at once: one publication overall.
func TestShutdownDuringDeliveryReleasesLease_R2_3(t *testing.T) {
	env := testEnv(t)
	sim := externalPlatform(t, env)
	env["CW_SHUTDOWN_TIMEOUT"] = "1500ms" // deliveries may drain for 1 s
	env["CW_OUTBOX_POLL_INTERVAL"] = "10ms"

	first := newHarness(t, env)
	_, _, commitmentID := first.signedCommitment("shutdown", simulator.EnterpriseA)
	// The platform takes the request and answers long after the drain. (The
	// simulator reads a POST body only after the latency, so it notices the
	// cancelled call only then: the test's cleanup waits for it.)
	sim.SetFault(simulator.Fault{Latency: 10 * time.Second})
	first.srv.Start(context.Background())
	testwait.For(t, "the publication to reach the platform", func() bool { return sim.Requests(simulator.KindPublish) > 0 })

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := first.srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	var msg models.OutboxMessage
	if err := first.srv.DB().Where("kind = ?", "PUBLISH_COMMITMENT").Take(&msg).Error; err != nil {
		t.Fatal(err)
	}
	if msg.Status != models.OutboxPending || msg.LockedBy != "" || msg.LockedUntil != nil || msg.Attempts != 0 {
		t.Fatalf("after Shutdown the message is %s, attempts %d, locked by %q until %v; want PENDING, released, uncounted",
			msg.Status, msg.Attempts, msg.LockedBy, msg.LockedUntil)
	}
	if n := len(sim.Publications()); n != 0 {
		t.Fatalf("the cut delivery published %d", n)
	}

	sim.SetFault(simulator.Fault{})
	env2 := map[string]string{}
	for k, v := range env {
		env2[k] = v
	}
	env2["CW_DEMO_DATA"] = "false"
	second := newHarness(t, env2)
	if n, err := second.srv.Outbox().RunOnce(context.Background()); n != 1 || err != nil {
		t.Fatalf("the next instance delivered %d, %v; want 1 at once", n, err)
	}
	if n, err := second.srv.Outbox().RunOnce(context.Background()); n != 0 || err != nil {
		t.Fatalf("delivered again: %d, %v", n, err)
	}
	pubs := sim.Publications()
	if len(pubs) != 1 {
		t.Fatalf("the platform holds %d publications, want 1", len(pubs))
	}
	var c models.Commitment
	if err := second.srv.DB().Where("id = ?", commitmentID).Take(&c).Error; err != nil {
		t.Fatal(err)
	}
	if c.PublicationID != pubs[0].ID {
		t.Fatalf("commitment publication %q, platform %q", c.PublicationID, pubs[0].ID)
	}
}
