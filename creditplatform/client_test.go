package creditplatform_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"creditwater/apperr"
	cp "creditwater/creditplatform"
	"creditwater/creditplatform/simulator"
)

const (
	testKey    = "test-app"
	testSecret = "test-secret"
)

// newPair starts a simulator and a client pointed at it; mod may adjust the
// client's configuration.
func newPair(t *testing.T, mod func(*cp.Config)) (*cp.Client, *simulator.Simulator) {
	t.Helper()
	sim := simulator.New(simulator.Options{AppKey: testKey, AppSecret: testSecret})
	url := sim.Start()
	t.Cleanup(sim.Close)
	cfg := cp.Config{
		BaseURL:            url,
		AppKey:             testKey,
		AppSecret:          testSecret,
		Timeout:            5 * time.Second,
		BreakerOpenTimeout: time.Hour,
		Logger:             slog.New(slog.DiscardHandler),
	}
	if mod != nil {
		mod(&cfg)
	}
	return cp.New(cfg), sim
}

// wantCode fails unless err is an *apperr.Error with the code (and reason,
// when given).
func wantCode(t *testing.T, err error, code apperr.Code, reason string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
	if reason != "" && e.Reason != reason {
		t.Fatalf("reason = %q, want %q", e.Reason, reason)
	}
}

// R6.2, R4.1: the backend reads the comprehensive rating A–D by USCC.
func TestClientRating(t *testing.T) {
	t.Parallel()
	client, sim := newPair(t, nil)
	tests := []struct {
		uscc     string
		want     cp.Rating
		wantCode apperr.Code
	}{
		{simulator.EnterpriseA, cp.RatingA, ""},
		{simulator.EnterpriseB, cp.RatingB, ""},
		{simulator.EnterpriseC, cp.RatingC, ""},
		{simulator.EnterpriseD, cp.RatingD, ""},
		{simulator.EnterpriseWithEntries, cp.RatingC, ""},
		{simulator.EnterpriseUnknown, "", apperr.NotFound},
		{"914403001922038217", "", apperr.Invalid}, // bad check character
		{"../../publications", "", apperr.Invalid},
	}
	for _, tt := range tests {
		got, err := client.Rating(context.Background(), tt.uscc)
		if tt.wantCode != "" {
			wantCode(t, err, tt.wantCode, "")
			continue
		}
		if err != nil {
			t.Fatalf("Rating(%s): %v", tt.uscc, err)
		}
		if got.USCC != tt.uscc || got.Rating != tt.want || got.EvaluatedAt.IsZero() {
			t.Errorf("Rating(%s) = %+v, want rating %s", tt.uscc, got, tt.want)
		}
	}
	// Invalid codes are refused locally: six valid-looking requests reached the platform.
	if n := sim.Requests(simulator.KindRating); n != 6 {
		t.Errorf("simulator saw %d rating requests, want 6", n)
	}
}

// R6.2: the electronic credit report carries number, name, USCC, rating,
// dishonesty entries, issue date, period and PDF hash.
func TestClientReport(t *testing.T) {
	t.Parallel()
	client, _ := newPair(t, nil)
	tests := []struct {
		uscc        string
		rating      cp.Rating
		entryKinds  []string
		wantPDFHash bool
		wantCode    apperr.Code
	}{
		{uscc: simulator.EnterpriseA, rating: cp.RatingA, entryKinds: []string{}, wantPDFHash: true},
		{uscc: simulator.EnterpriseB, rating: cp.RatingB, entryKinds: []string{}},
		{uscc: simulator.EnterpriseD, rating: cp.RatingD, entryKinds: []string{"严重失信主体名单"}},
		{uscc: simulator.EnterpriseWithEntries, rating: cp.RatingC, entryKinds: []string{"欠缴水费", "行政处罚"}},
		{uscc: simulator.EnterpriseUnknown, wantCode: apperr.NotFound},
	}
	names := map[string]string{}
	for _, s := range simulator.Fixtures() {
		names[s.USCC] = s.Name
	}
	seenNo := map[string]bool{}
	for _, tt := range tests {
		rep, err := client.Report(context.Background(), tt.uscc)
		if tt.wantCode != "" {
			wantCode(t, err, tt.wantCode, "")
			continue
		}
		if err != nil {
			t.Fatalf("Report(%s): %v", tt.uscc, err)
		}
		if rep.USCC != tt.uscc || rep.Rating != tt.rating || rep.SubjectName != names[tt.uscc] {
			t.Errorf("Report(%s) = %s %s %s, want %s %s", tt.uscc, rep.USCC, rep.SubjectName, rep.Rating, names[tt.uscc], tt.rating)
		}
		if rep.ReportNo == "" || seenNo[rep.ReportNo] {
			t.Errorf("report number %q empty or repeated", rep.ReportNo)
		}
		seenNo[rep.ReportNo] = true
		if rep.IssuedAt.IsZero() || !rep.PeriodFrom.Before(rep.PeriodTo) {
			t.Errorf("dates: issued %v, period %v–%v", rep.IssuedAt, rep.PeriodFrom, rep.PeriodTo)
		}
		if (rep.PDFSHA256 != "") != tt.wantPDFHash {
			t.Errorf("PDF hash %q, want present=%v", rep.PDFSHA256, tt.wantPDFHash)
		}
		if len(rep.Entries) != len(tt.entryKinds) {
			t.Fatalf("entries = %+v, want kinds %v", rep.Entries, tt.entryKinds)
		}
		for i, e := range rep.Entries {
			if e.Kind != tt.entryKinds[i] || e.DecidedOn == "" || e.Authority == "" || e.Description == "" {
				t.Errorf("entry %d = %+v, want kind %s with all fields", i, e, tt.entryKinds[i])
			}
		}
	}
}

// Subjects configured by other tests are served.
func TestClientConfiguredSubject(t *testing.T) {
	t.Parallel()
	client, sim := newPair(t, nil)
	sim.SetRating(simulator.EnterpriseA, cp.RatingD)
	sim.SetRating(simulator.EnterpriseUnknown, cp.RatingB)
	for uscc, want := range map[string]cp.Rating{simulator.EnterpriseA: cp.RatingD, simulator.EnterpriseUnknown: cp.RatingB} {
		got, err := client.Rating(context.Background(), uscc)
		if err != nil || got.Rating != want {
			t.Errorf("Rating(%s) = %v, %v; want %s", uscc, got.Rating, err, want)
		}
	}
}

// Platform failures become UNAVAILABLE with reason CREDIT_PLATFORM_UNAVAILABLE;
// our own misconfiguration becomes INTERNAL.
func TestClientFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fault  simulator.Fault
		config func(*cp.Config)
		code   apperr.Code
		reason string
	}{
		{name: "503", fault: simulator.Fault{Status: 503}, code: apperr.Unavailable, reason: cp.ReasonUnavailable},
		{name: "500", fault: simulator.Fault{Status: 500}, code: apperr.Unavailable, reason: cp.ReasonUnavailable},
		{name: "429", fault: simulator.Fault{Status: 429}, code: apperr.Unavailable, reason: cp.ReasonUnavailable},
		{name: "fail next", fault: simulator.Fault{FailNext: 1}, code: apperr.Unavailable, reason: cp.ReasonUnavailable},
		{name: "latency beyond timeout", fault: simulator.Fault{Latency: time.Minute},
			config: func(c *cp.Config) { c.Timeout = 50 * time.Millisecond }, code: apperr.Unavailable, reason: cp.ReasonUnavailable},
		{name: "wrong secret", config: func(c *cp.Config) { c.AppSecret = "wrong" }, code: apperr.Internal},
		{name: "wrong key", config: func(c *cp.Config) { c.AppKey = "wrong" }, code: apperr.Internal},
		{name: "wrong base path", config: func(c *cp.Config) { c.BaseURL += "/gateway" }, code: apperr.Internal},
		{name: "malformed base URL", config: func(c *cp.Config) { c.BaseURL = "::not a url" }, code: apperr.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, sim := newPair(t, tt.config)
			sim.SetFault(tt.fault)
			_, err := client.Rating(context.Background(), simulator.EnterpriseA)
			wantCode(t, err, tt.code, tt.reason)
			_, err = client.Report(context.Background(), simulator.EnterpriseA)
			if tt.fault.FailNext == 0 {
				wantCode(t, err, tt.code, tt.reason)
			} else if err != nil { // the fault was used up by the first call
				t.Fatalf("Report after FailNext was used up: %v", err)
			}
		})
	}
}

// A caller's deadline shorter than the platform's latency is UNAVAILABLE too.
func TestClientContextDeadline(t *testing.T) {
	t.Parallel()
	client, sim := newPair(t, nil)
	sim.SetFault(simulator.Fault{Latency: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := client.Rating(ctx, simulator.EnterpriseA)
	wantCode(t, err, apperr.Unavailable, cp.ReasonUnavailable)
}

// R6.2: after BreakerFailures consecutive failures the breaker opens and
// calls fail fast without reaching the platform, even once it has recovered.
func TestClientBreakerOpens(t *testing.T) {
	t.Parallel()
	client, sim := newPair(t, func(c *cp.Config) { c.BreakerFailures = 3 })
	sim.SetFault(simulator.Fault{FailNext: 100})
	for i := range 3 {
		_, err := client.Rating(context.Background(), simulator.EnterpriseA)
		wantCode(t, err, apperr.Unavailable, cp.ReasonUnavailable)
		if n := sim.Requests(simulator.KindRating); n != i+1 {
			t.Fatalf("after call %d the simulator saw %d requests", i+1, n)
		}
	}
	sim.SetFault(simulator.Fault{}) // healed, but the breaker is open
	for range 5 {
		_, err := client.Rating(context.Background(), simulator.EnterpriseA)
		wantCode(t, err, apperr.Unavailable, cp.ReasonUnavailable)
		if e := apperr.As(err); e.RetryAfter < time.Second || e.RetryAfter > time.Hour {
			t.Errorf("open breaker error has RetryAfter %v, want the rest of the hour it stays open", e.RetryAfter)
		}
		_, err = client.Report(context.Background(), simulator.EnterpriseA)
		wantCode(t, err, apperr.Unavailable, cp.ReasonUnavailable)
	}
	if n := sim.Requests(simulator.KindAll); n != 3 {
		t.Errorf("simulator saw %d requests, want 3 (open breaker must fail fast)", n)
	}
}

// Timeouts are failures: after BreakerFailures consecutive timeouts the
// breaker is open and the next call fails at once, without waiting for the
// platform, with retryAfter set to the rest of the open period.
func TestClientBreakerOpensOnTimeouts(t *testing.T) {
	t.Parallel()
	client, sim := newPair(t, func(c *cp.Config) { c.Timeout = 100 * time.Millisecond })
	sim.SetFault(simulator.Fault{Latency: time.Minute})
	for i := range cp.DefaultBreakerFailures {
		_, err := client.Rating(context.Background(), simulator.EnterpriseA)
		wantCode(t, err, apperr.Unavailable, cp.ReasonUnavailable)
		want := cp.DefaultRetryAfter // closed: "a few seconds"
		if i == cp.DefaultBreakerFailures-1 {
			want = time.Hour // this timeout opened the breaker
		}
		if got := apperr.As(err).RetryAfter; got != want {
			t.Fatalf("timeout %d: RetryAfter %v, want %v", i+1, got, want)
		}
	}
	err := wantOpen(t, client, sim, cp.DefaultBreakerFailures)
	if got := apperr.As(err).RetryAfter; got < time.Hour-time.Minute || got > time.Hour {
		t.Fatalf("open breaker RetryAfter %v, want about an hour", got)
	}
}

// wantOpen fails unless the breaker is open: one more call fails at once
// without reaching the platform, which has seen sent requests in all. It
// returns the call's error.
func wantOpen(t *testing.T, client *cp.Client, sim *simulator.Simulator, sent int) error {
	t.Helper()
	sim.SetFault(simulator.Fault{}) // healed: only the breaker can refuse now
	_, err := client.Report(context.Background(), simulator.EnterpriseA)
	wantCode(t, err, apperr.Unavailable, cp.ReasonUnavailable)
	if n := sim.Requests(simulator.KindAll); n != sent || sent == 0 {
		t.Fatalf("simulator saw %d requests, want %d: the breaker is not open", n, sent)
	}
	return err
}

// A burst of concurrent callers all timing out opens the breaker after that
// one timeout period: the platform sees the burst and nothing after it.
func TestClientBreakerOpensOnConcurrentTimeouts(t *testing.T) {
	t.Parallel()
	client, sim := newPair(t, func(c *cp.Config) { c.Timeout = 100 * time.Millisecond })
	sim.SetFault(simulator.Fault{Latency: time.Minute})
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			_, err := client.Rating(context.Background(), simulator.EnterpriseA)
			if apperr.CodeOf(err) != apperr.Unavailable {
				t.Errorf("burst call: %v", err)
			}
		})
	}
	wg.Wait()
	wantOpen(t, client, sim, sim.Requests(simulator.KindRating))
}

// A caller's deadline that passes while the platform is answering counts as
// a platform failure; a deadline that had passed before the call does not
// (the platform never saw it).
func TestClientBreakerCountsPlatformDeadlines(t *testing.T) {
	t.Parallel()
	client, sim := newPair(t, func(c *cp.Config) { c.BreakerFailures = 2 })
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	for range 5 {
		_, err := client.Rating(expired, simulator.EnterpriseA)
		wantCode(t, err, apperr.Unavailable, cp.ReasonUnavailable)
	}
	if n := sim.Requests(simulator.KindAll); n != 0 {
		t.Fatalf("expired calls reached the platform %d times", n)
	}
	sim.SetFault(simulator.Fault{Latency: time.Minute})
	for range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		_, err := client.Rating(ctx, simulator.EnterpriseA)
		cancel()
		wantCode(t, err, apperr.Unavailable, cp.ReasonUnavailable)
	}
	wantOpen(t, client, sim, 2) // two slow answers opened it
}

// Failures that never run BreakerFailures in a row still open the breaker
// when they are BreakerFailureRatio of BreakerMinRequests or more requests
// in the window.
func TestClientBreakerOpensOnFailureRatio(t *testing.T) {
	t.Parallel()
	client, sim := newPair(t, func(c *cp.Config) { c.BreakerFailures = 3; c.BreakerMinRequests = 10 })
	for i := range 10 {
		fail := i%2 == 1 // success, failure, success, … : never two failures in a row
		if fail {
			sim.SetFault(simulator.Fault{FailNext: 1})
		}
		_, err := client.Rating(context.Background(), simulator.EnterpriseA)
		if fail {
			wantCode(t, err, apperr.Unavailable, cp.ReasonUnavailable)
		} else if err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	wantOpen(t, client, sim, 10) // half of 10 failed
}

// After the open timeout one trial request goes through and closes the breaker.
func TestClientBreakerRecovers(t *testing.T) {
	t.Parallel()
	client, sim := newPair(t, func(c *cp.Config) {
		c.BreakerFailures = 1
		c.BreakerOpenTimeout = 10 * time.Millisecond
	})
	sim.SetFault(simulator.Fault{FailNext: 1})
	_, err := client.Rating(context.Background(), simulator.EnterpriseA)
	wantCode(t, err, apperr.Unavailable, cp.ReasonUnavailable)
	time.Sleep(50 * time.Millisecond) // let the open period pass
	if _, err := client.Rating(context.Background(), simulator.EnterpriseA); err != nil {
		t.Fatalf("trial request after open timeout: %v", err)
	}
	if n := sim.Requests(simulator.KindRating); n != 2 {
		t.Errorf("simulator saw %d requests, want 2", n)
	}
}

// NOT_FOUND answers and caller cancellations are not platform failures and
// never open the breaker.
func TestClientBreakerIgnoresNotFoundAndCancel(t *testing.T) {
	t.Parallel()
	client, sim := newPair(t, func(c *cp.Config) { c.BreakerFailures = 1 })
	for range 5 {
		_, err := client.Rating(context.Background(), simulator.EnterpriseUnknown)
		wantCode(t, err, apperr.NotFound, "")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 3 {
		_, err := client.Rating(ctx, simulator.EnterpriseA)
		wantCode(t, err, apperr.Unavailable, cp.ReasonUnavailable)
	}
	if _, err := client.Rating(context.Background(), simulator.EnterpriseA); err != nil {
		t.Fatalf("breaker opened on NOT_FOUND or cancellation: %v", err)
	}
	if n := sim.Requests(simulator.KindRating); n != 6 {
		t.Errorf("simulator saw %d rating requests, want 6", n)
	}
}

func commitment(key string) cp.Publication {
	return cp.Publication{
		IdempotencyKey: key,
		Kind:           cp.KindCommitment,
		SubjectUSCC:    simulator.EnterpriseA,
		Title:          "信用承诺书（用水报装）",
		Body:           json.RawMessage(`{"commitmentId":"c-1","sha256":"abc"}`),
	}
}

// R2.3: publication is idempotent — the same key yields the same id and one
// stored publication, so the outbox may retry after any failure.
func TestClientPublishIdempotent(t *testing.T) {
	t.Parallel()
	client, sim := newPair(t, nil)
	ctx := context.Background()

	sim.SetFault(simulator.Fault{FailNext: 1})
	_, err := client.Publish(ctx, commitment("outbox-1"))
	wantCode(t, err, apperr.Unavailable, cp.ReasonUnavailable)

	first, err := client.Publish(ctx, commitment("outbox-1"))
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	again, err := client.Publish(ctx, commitment("outbox-1"))
	if err != nil {
		t.Fatalf("Publish again: %v", err)
	}
	if first.PublicationID == "" || again.PublicationID != first.PublicationID || !again.PublishedAt.Equal(first.PublishedAt) {
		t.Fatalf("same key gave %+v then %+v", first, again)
	}
	pubs := sim.Publications()
	if len(pubs) != 1 || pubs[0].ID != first.PublicationID || pubs[0].Kind != cp.KindCommitment ||
		pubs[0].SubjectUSCC != simulator.EnterpriseA || string(pubs[0].Body) != `{"commitmentId":"c-1","sha256":"abc"}` {
		t.Fatalf("stored publications = %+v", pubs)
	}

	other, err := client.Publish(ctx, commitment("outbox-2"))
	if err != nil || other.PublicationID == first.PublicationID {
		t.Fatalf("new key gave %+v, %v; want a new publication", other, err)
	}

	changed := commitment("outbox-1")
	changed.Title = "另一份承诺"
	_, err = client.Publish(ctx, changed)
	wantCode(t, err, apperr.Conflict, "IDEMPOTENCY_KEY_REUSED")

	if n := len(sim.Publications()); n != 2 {
		t.Errorf("simulator stored %d publications, want 2", n)
	}
}

func TestClientPublishRejects(t *testing.T) {
	t.Parallel()
	client, sim := newPair(t, nil)
	tests := []struct {
		name  string
		edit  func(*cp.Publication)
		code  apperr.Code
		field string
	}{
		{"no key", func(p *cp.Publication) { p.IdempotencyKey = "" }, apperr.Invalid, "idempotencyKey"},
		{"unknown kind", func(p *cp.Publication) { p.Kind = "PRAISE" }, apperr.Invalid, "kind"},
		{"bad uscc", func(p *cp.Publication) { p.SubjectUSCC = "123" }, apperr.Invalid, "subjectUscc"},
		{"empty title", func(p *cp.Publication) { p.Title = " " }, apperr.Invalid, "title"},
		{"body not object", func(p *cp.Publication) { p.Body = json.RawMessage(`[1]`) }, apperr.Invalid, "body"},
		{"unknown subject", func(p *cp.Publication) { p.SubjectUSCC = simulator.EnterpriseUnknown }, apperr.NotFound, ""},
	}
	for i, tt := range tests {
		p := commitment("k-" + strconv.Itoa(i))
		tt.edit(&p)
		_, err := client.Publish(context.Background(), p)
		wantCode(t, err, tt.code, "")
		if e := apperr.As(err); e.Field != tt.field {
			t.Errorf("%s: field = %q, want %q", tt.name, e.Field, tt.field)
		}
	}
	if n := len(sim.Publications()); n != 0 {
		t.Errorf("simulator stored %d publications, want 0", n)
	}
	if n := sim.Requests(simulator.KindPublish); n != 1 {
		t.Errorf("simulator saw %d publish requests, want 1 (only the unknown subject)", n)
	}
}

// Withdrawal is idempotent and refuses unknown publications.
func TestClientWithdraw(t *testing.T) {
	t.Parallel()
	client, sim := newPair(t, nil)
	ctx := context.Background()
	pub, err := client.Publish(ctx, commitment("p-1"))
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	pub2, err := client.Publish(ctx, commitment("p-2"))
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	w := cp.Withdrawal{IdempotencyKey: "w-1", PublicationID: pub.PublicationID, Reason: "信用修复完成"}
	first, err := client.Withdraw(ctx, w)
	if err != nil || first.PublicationID != pub.PublicationID || first.WithdrawnAt.IsZero() {
		t.Fatalf("Withdraw = %+v, %v", first, err)
	}
	again, err := client.Withdraw(ctx, w)
	if err != nil || !again.WithdrawnAt.Equal(first.WithdrawnAt) {
		t.Fatalf("Withdraw again = %+v, %v; want the first withdrawal", again, err)
	}

	tests := []struct {
		name string
		w    cp.Withdrawal
		code apperr.Code
	}{
		{"unknown publication", cp.Withdrawal{IdempotencyKey: "w-2", PublicationID: "no-such-id", Reason: "x"}, apperr.NotFound},
		{"key reused", cp.Withdrawal{IdempotencyKey: "w-1", PublicationID: pub2.PublicationID, Reason: "x"}, apperr.Conflict},
		{"no key", cp.Withdrawal{PublicationID: pub2.PublicationID, Reason: "x"}, apperr.Invalid},
		{"path in id", cp.Withdrawal{IdempotencyKey: "w-3", PublicationID: "a/../../b", Reason: "x"}, apperr.Invalid},
	}
	for _, tt := range tests {
		_, err := client.Withdraw(ctx, tt.w)
		wantCode(t, err, tt.code, "")
	}

	ws := sim.Withdrawals()
	if len(ws) != 1 || ws[0].PublicationID != pub.PublicationID || ws[0].Reason != "信用修复完成" {
		t.Errorf("stored withdrawals = %+v", ws)
	}
}
