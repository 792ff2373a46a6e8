package registry_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"creditwater/apperr"
	"creditwater/ident"
	"creditwater/registry"
	"creditwater/registry/simulator"
)

const (
	testKey    = "registry-test-app"
	testSecret = "registry-test-secret-4f1c"
)

// newPair starts a simulator and a client pointed at it; mod may adjust the
// client's configuration. The returned buffer holds the client's logs.
func newPair(t *testing.T, mod func(*registry.Config)) (*registry.Client, *simulator.Simulator, *bytes.Buffer) {
	t.Helper()
	sim := simulator.New(simulator.Options{AppKey: testKey, AppSecret: testSecret})
	url := sim.Start()
	t.Cleanup(sim.Close)
	logs := &bytes.Buffer{} // slog handlers serialise their writes
	cfg := registry.Config{
		BaseURL:            url,
		AppKey:             testKey,
		AppSecret:          testSecret,
		Timeout:            5 * time.Second,
		BreakerOpenTimeout: time.Hour,
		Logger:             slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mod != nil {
		mod(&cfg)
	}
	return registry.New(cfg), sim, logs
}

// wantErr fails unless err is an *apperr.Error with the code and, when not
// empty, the reason and field.
func wantErr(t *testing.T, err error, code apperr.Code, reason, field string) *apperr.Error {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
	if reason != "" && e.Reason != reason {
		t.Fatalf("reason = %q, want %q (%v)", e.Reason, reason, err)
	}
	if field != "" && e.Field != field {
		t.Fatalf("field = %q, want %q (%v)", e.Field, field, err)
	}
	return e
}

// R6.5: the client reads every fixture's name, status and legal
// representative from the registry over signed HTTP.
func TestLookupFixtures_R6_5(t *testing.T) {
	t.Parallel()
	client, sim, _ := newPair(t, nil)
	fixtures := simulator.Fixtures()
	for _, f := range fixtures {
		got, err := client.Lookup(t.Context(), f.USCC)
		if err != nil {
			t.Fatalf("Lookup(%s): %v", f.USCC, err)
		}
		want := registry.Enterprise{USCC: f.USCC, Name: f.Name, Status: f.Status, LegalRepName: f.LegalRepName}
		if got.USCC != want.USCC || got.Name != want.Name || got.Status != want.Status || got.LegalRepName != want.LegalRepName ||
			!got.LegalRepSince.Equal(f.LegalRepSince) {
			t.Errorf("Lookup(%s) = %+v, want %+v since %v", f.USCC, got, want, f.LegalRepSince)
		}
	}
	if n := sim.Requests(); n != len(fixtures) {
		t.Errorf("simulator saw %d requests, want %d", n, len(fixtures))
	}
	// A code is normalised before it is sent.
	got, err := client.Lookup(t.Context(), " 9144030071526726xg ")
	if err != nil || got.USCC != simulator.EnterpriseB || got.LegalRepName != simulator.LegalRepBName {
		t.Errorf("Lookup of a lower-case code = %+v, %v", got, err)
	}
}

// R6.5: an enterprise the registry does not know is NOT_FOUND with reason
// ENTERPRISE_NOT_FOUND; a malformed code is refused before any request.
func TestLookupUnknownAndInvalid_R6_5(t *testing.T) {
	t.Parallel()
	client, sim, _ := newPair(t, nil)
	_, err := client.Lookup(t.Context(), simulator.EnterpriseUnknown)
	wantErr(t, err, apperr.NotFound, registry.ReasonNotFound, "")
	_, err = client.VerifyLegalRep(t.Context(), simulator.EnterpriseUnknown, simulator.LegalRepAName, string(ident.ResidentIDCard), simulator.LegalRepAID)
	wantErr(t, err, apperr.NotFound, registry.ReasonNotFound, "")
	if n := sim.Requests(); n != 2 {
		t.Fatalf("simulator saw %d requests, want 2", n)
	}
	for _, bad := range []string{"914403001922038217", "", "../../enterprises", "91440300192203821"} {
		_, err := client.Lookup(t.Context(), bad)
		wantErr(t, err, apperr.Invalid, "", "uscc")
	}
	if n := sim.Requests(); n != 2 {
		t.Errorf("malformed codes reached the registry: %d requests", n)
	}
}

// R6.5: revoked (吊销) and cancelled (注销) enterprises are found with their
// status, and a status change in the registry shows on the next lookup.
func TestLookupStatuses_R6_5(t *testing.T) {
	t.Parallel()
	client, sim, _ := newPair(t, nil)
	for uscc, want := range map[string]struct {
		st    registry.Status
		label string
	}{
		simulator.EnterpriseA:         {registry.StatusActive, "存续"},
		simulator.EnterpriseRevoked:   {registry.StatusRevoked, "吊销"},
		simulator.EnterpriseCancelled: {registry.StatusCancelled, "注销"},
	} {
		got, err := client.Lookup(t.Context(), uscc)
		if err != nil || got.Status != want.st || got.Status.Label() != want.label {
			t.Errorf("Lookup(%s) = %s (%s), %v; want %s (%s)", uscc, got.Status, got.Status.Label(), err, want.st, want.label)
		}
	}
	if !sim.SetStatus(simulator.EnterpriseB, registry.StatusCancelled) {
		t.Fatal("SetStatus: the simulator does not know EnterpriseB")
	}
	if got, err := client.Lookup(t.Context(), simulator.EnterpriseB); err != nil || got.Status != registry.StatusCancelled {
		t.Errorf("after SetStatus: %+v, %v", got, err)
	}
	if sim.SetStatus(simulator.EnterpriseUnknown, registry.StatusActive) {
		t.Error("SetStatus of an unknown code reported success")
	}
	if _, err := client.Lookup(t.Context(), simulator.EnterpriseUnknown); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("SetStatus of an unknown code registered it: %v", err)
	}
}

// R6.5, R7.3: the registry confirms only the current legal
// representative's name with that ID document; any other name, number or
// type does not match; malformed input is refused, naming the field, before
// any request.
func TestVerifyLegalRep_R6_5(t *testing.T) {
	t.Parallel()
	client, sim, _ := newPair(t, nil)
	rid := string(ident.ResidentIDCard)
	tests := []struct {
		name                    string
		uscc, rep, idType, idNo string
		want                    bool
		field                   string // INVALID naming it
	}{
		{name: "A's legal representative", uscc: simulator.EnterpriseA, rep: simulator.LegalRepAName, idType: rid, idNo: simulator.LegalRepAID, want: true},
		{name: "B's legal representative", uscc: simulator.EnterpriseB, rep: simulator.LegalRepBName, idType: rid, idNo: simulator.LegalRepBID, want: true},
		{name: "lower-case check character and spaces", uscc: simulator.EnterpriseA, rep: " 林志强 ", idType: rid, idNo: " 11010519491231002x", want: true},
		{name: "wrong name", uscc: simulator.EnterpriseA, rep: "陌生人", idType: rid, idNo: simulator.LegalRepAID},
		{name: "wrong ID number", uscc: simulator.EnterpriseA, rep: simulator.LegalRepAName, idType: rid, idNo: simulator.LegalRepBID},
		{name: "another enterprise's legal representative", uscc: simulator.EnterpriseA, rep: simulator.LegalRepBName, idType: rid, idNo: simulator.LegalRepBID},
		{name: "revoked enterprise's recorded legal representative", uscc: simulator.EnterpriseRevoked, rep: "张海涛", idType: rid, idNo: "440222197909180051", want: true},
		{name: "bad code", uscc: "914403001922038217", rep: simulator.LegalRepAName, idType: rid, idNo: simulator.LegalRepAID, field: "uscc"},
		{name: "empty name", uscc: simulator.EnterpriseA, rep: "  ", idType: rid, idNo: simulator.LegalRepAID, field: "legalRepName"},
		{name: "name too long", uscc: simulator.EnterpriseA, rep: strings.Repeat("林", 101), idType: rid, idNo: simulator.LegalRepAID, field: "legalRepName"},
		{name: "unknown ID type", uscc: simulator.EnterpriseA, rep: simulator.LegalRepAName, idType: "DRIVING_LICENCE", idNo: simulator.LegalRepAID, field: "idType"},
		{name: "bad check character", uscc: simulator.EnterpriseA, rep: simulator.LegalRepAName, idType: rid, idNo: "110105194912310021", field: "idNumber"},
		{name: "empty ID number", uscc: simulator.EnterpriseA, rep: simulator.LegalRepAName, idType: rid, field: "idNumber"},
	}
	sent := 0
	for _, tt := range tests {
		got, err := client.VerifyLegalRep(t.Context(), tt.uscc, tt.rep, tt.idType, tt.idNo)
		if tt.field != "" {
			wantErr(t, err, apperr.Invalid, "", tt.field)
		} else {
			sent++
		}
		if (tt.field == "" && err != nil) || got != tt.want {
			t.Errorf("%s: VerifyLegalRep = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	if n := sim.Requests(); n != sent {
		t.Errorf("simulator saw %d requests, want %d (malformed input must not be sent)", n, sent)
	}

	// A legal representative with a passport: the document type must match
	// too (H12345678 is also the shape of a Hong Kong permit).
	const uscc = "91440203MA4UTR6E67"
	if err := ident.ValidateUSCC(uscc); err != nil {
		t.Fatalf("test code invalid: %v", err)
	}
	sim.Put(simulator.Entry{USCC: uscc, Name: "韶关市武江港韶贸易有限公司", Status: registry.StatusActive,
		LegalRepName: "CHAN TAI MAN", LegalRepIDType: ident.Passport, LegalRepIDNumber: "H12345678",
		LegalRepSince: time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)})
	for idType, want := range map[ident.IDType]bool{ident.Passport: true, ident.HKMacaoPermit: false} {
		got, err := client.VerifyLegalRep(t.Context(), uscc, "CHAN TAI MAN", string(idType), "h12345678")
		if err != nil || got != want {
			t.Errorf("passport holder verified as %s: %v, %v; want %v", idType, got, err, want)
		}
	}
}

// R6.5, R6.7: after the registry records a new legal representative, the
// old one no longer matches, the new one does, and the lookup shows the new
// name from a later date.
func TestVerifyAfterLegalRepChange_R6_5(t *testing.T) {
	t.Parallel()
	client, sim, _ := newPair(t, nil)
	before, err := client.Lookup(t.Context(), simulator.EnterpriseA)
	if err != nil {
		t.Fatal(err)
	}
	const newName, newID = "周建华", "440203198807070017"
	if _, err := ident.ValidateID(ident.ResidentIDCard, newID); err != nil {
		t.Fatalf("test ID number invalid: %v", err)
	}
	if !sim.SetLegalRep(simulator.EnterpriseA, newName, newID) {
		t.Fatal("SetLegalRep: the simulator does not know EnterpriseA")
	}
	rid := string(ident.ResidentIDCard)
	if ok, err := client.VerifyLegalRep(t.Context(), simulator.EnterpriseA, simulator.LegalRepAName, rid, simulator.LegalRepAID); err != nil || ok {
		t.Errorf("old legal representative after the change: %v, %v; want no match", ok, err)
	}
	if ok, err := client.VerifyLegalRep(t.Context(), simulator.EnterpriseA, newName, rid, newID); err != nil || !ok {
		t.Errorf("new legal representative: %v, %v; want a match", ok, err)
	}
	after, err := client.Lookup(t.Context(), simulator.EnterpriseA)
	if err != nil || after.LegalRepName != newName || !after.LegalRepSince.After(before.LegalRepSince) || after.Name != before.Name {
		t.Errorf("lookup after the change = %+v, %v; before %+v", after, err, before)
	}
}

// R6.5, R7.2: an outage (503) and a timeout are UNAVAILABLE with reason
// REGISTRY_UNAVAILABLE and a RetryAfter; neither the error nor the logs
// carry the ID number or the secret.
func TestUnavailable_R6_5(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault func(*simulator.Simulator)
		mod   func(*registry.Config)
	}{
		{"503", func(s *simulator.Simulator) { s.SetFailing(true) }, nil},
		{"timeout", func(s *simulator.Simulator) { s.SetDelay(time.Minute) }, func(c *registry.Config) { c.Timeout = 50 * time.Millisecond }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, sim, logs := newPair(t, tt.mod)
			tt.fault(sim)
			_, err := client.VerifyLegalRep(t.Context(), simulator.EnterpriseA, simulator.LegalRepAName, string(ident.ResidentIDCard), simulator.LegalRepAID)
			e := wantErr(t, err, apperr.Unavailable, registry.ReasonUnavailable, "")
			if e.RetryAfter <= 0 {
				t.Errorf("RetryAfter = %v, want positive", e.RetryAfter)
			}
			_, err = client.Lookup(t.Context(), simulator.EnterpriseA)
			wantErr(t, err, apperr.Unavailable, registry.ReasonUnavailable, "")
			for _, secret := range []string{simulator.LegalRepAID, "11010519491231", testSecret} {
				if strings.Contains(e.Error(), secret) || strings.Contains(e.Message, secret) || strings.Contains(logs.String(), secret) {
					t.Errorf("%q leaked: error %q, logs %q", secret, e.Error(), logs.String())
				}
			}
		})
	}
}

// R7.2: an answer the client cannot use is UNAVAILABLE, and no answer's
// body — even one echoing the ID number — is quoted in the error or the
// logs.
func TestAnswersNeverQuoted_R6_5(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status int
		body   string
		code   apperr.Code
	}{
		{200, `{"match": 11010519491231002}`, apperr.Unavailable},
		{200, `{"matched": true}`, apperr.Unavailable},
		{200, `not json 11010519491231002X`, apperr.Unavailable},
		{503, `{"code": "11010519491231002X", "message": "11010519491231002X"}`, apperr.Unavailable},
		{400, `{"code": "BAD ID 11010519491231002X", "message": "11010519491231002X"}`, apperr.Internal},
	}
	for _, tt := range tests {
		var logs bytes.Buffer
		client := registry.New(registry.Config{
			BaseURL: "http://registry.invalid", AppKey: testKey, AppSecret: testSecret,
			Logger: slog.New(slog.NewTextHandler(&logs, nil)),
			Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
				return &http.Response{StatusCode: tt.status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(tt.body))}, nil
			}),
		})
		_, err := client.VerifyLegalRep(t.Context(), simulator.EnterpriseA, simulator.LegalRepAName, string(ident.ResidentIDCard), simulator.LegalRepAID)
		e := wantErr(t, err, tt.code, "", "")
		for _, leak := range []string{"11010519491231002", "matched"} {
			if strings.Contains(e.Error(), leak) || strings.Contains(logs.String(), leak) {
				t.Errorf("%d %s quoted: error %q, logs %q", tt.status, tt.body, e.Error(), logs.String())
			}
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// R6.5: the simulator refuses a client with the wrong secret or key; the
// client reports INTERNAL (our configuration is wrong) and logs no secret.
func TestWrongCredentials_R6_5(t *testing.T) {
	t.Parallel()
	for _, mod := range []func(*registry.Config){
		func(c *registry.Config) { c.AppSecret = "not-the-secret" },
		func(c *registry.Config) { c.AppKey = "not-the-key" },
	} {
		client, _, logs := newPair(t, mod)
		_, err := client.Lookup(t.Context(), simulator.EnterpriseA)
		wantErr(t, err, apperr.Internal, "", "")
		if strings.Contains(logs.String(), "not-the-secret") || !strings.Contains(logs.String(), "/api/v1/enterprises/{uscc}") {
			t.Errorf("logs = %q, want the route and no secret", logs.String())
		}
	}
}

// R6.5: consecutive timeouts (or 503s) open the breaker; then calls fail
// fast without reaching the registry, even once it has recovered, with
// RetryAfter the breaker's remaining open time. NOT_FOUND answers never
// open it.
func TestBreakerOpens_R6_5(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault func(*simulator.Simulator)
	}{
		{"timeouts", func(s *simulator.Simulator) { s.SetDelay(time.Minute) }},
		{"503", func(s *simulator.Simulator) { s.SetFailing(true) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, sim, _ := newPair(t, func(c *registry.Config) {
				c.BreakerFailures = 2
				c.Timeout = 50 * time.Millisecond
			})
			tt.fault(sim)
			for i := range 2 {
				_, err := client.Lookup(t.Context(), simulator.EnterpriseA)
				wantErr(t, err, apperr.Unavailable, registry.ReasonUnavailable, "")
				if n := sim.Requests(); n != i+1 {
					t.Fatalf("after call %d the simulator saw %d requests", i+1, n)
				}
			}
			sim.SetDelay(0)
			sim.SetFailing(false)
			for range 3 {
				_, err := client.VerifyLegalRep(t.Context(), simulator.EnterpriseA, simulator.LegalRepAName, string(ident.ResidentIDCard), simulator.LegalRepAID)
				e := wantErr(t, err, apperr.Unavailable, registry.ReasonUnavailable, "")
				if e.RetryAfter < 50*time.Minute || e.RetryAfter > time.Hour {
					t.Errorf("open breaker RetryAfter = %v, want the remaining open time (about 1h)", e.RetryAfter)
				}
			}
			if n := sim.Requests(); n != 2 {
				t.Errorf("simulator saw %d requests, want 2 (an open breaker fails fast)", n)
			}
		})
	}
}

// NOT_FOUND answers and caller cancellations are not registry failures and
// never open the breaker.
func TestBreakerIgnoresNotFoundAndCancel_R6_5(t *testing.T) {
	t.Parallel()
	client, _, _ := newPair(t, func(c *registry.Config) { c.BreakerFailures = 1 })
	for range 3 {
		_, err := client.Lookup(t.Context(), simulator.EnterpriseUnknown)
		wantErr(t, err, apperr.NotFound, registry.ReasonNotFound, "")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := client.Lookup(ctx, simulator.EnterpriseA)
	wantErr(t, err, apperr.Unavailable, registry.ReasonUnavailable, "")
	if _, err := client.Lookup(t.Context(), simulator.EnterpriseA); err != nil {
		t.Fatalf("breaker opened on NOT_FOUND or cancellation: %v", err)
	}
}

// R7.2: a Verification printed by mistake shows the ID number masked.
func TestVerificationStringMasksID_R7_2(t *testing.T) {
	t.Parallel()
	v := registry.Verification{Name: simulator.LegalRepAName, IDType: ident.ResidentIDCard, IDNumber: simulator.LegalRepAID}
	for _, s := range []string{fmt.Sprint(v), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprint(&v)} {
		if strings.Contains(s, simulator.LegalRepAID) || !strings.Contains(s, "1101**********002X") {
			t.Errorf("rendered %q", s)
		}
	}
}
