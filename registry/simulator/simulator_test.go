package simulator_test

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"creditwater/apisign"
	cpsim "creditwater/creditplatform/simulator"
	"creditwater/ident"
	"creditwater/registry"
	"creditwater/registry/simulator"
)

const (
	key    = "registry-sim-test-key"
	secret = "registry-sim-test-secret"
)

// R6.5: the registry knows the credit platform's enterprises under the same
// codes and names (and not its unknown one), plus a revoked and a cancelled
// enterprise; every code and every legal representative's ID number is
// valid, and the README's demo identities are the ones served.
func TestFixtures_R6_5(t *testing.T) {
	t.Parallel()
	platform := map[string]string{}
	for _, s := range cpsim.Fixtures() {
		platform[s.USCC] = s.Name
	}
	fixtures := simulator.Fixtures()
	codes := map[string]simulator.Entry{}
	for _, e := range fixtures {
		if err := ident.ValidateUSCC(e.USCC); err != nil || e.USCC != ident.NormalizeUSCC(e.USCC) {
			t.Errorf("%s: not a valid canonical USCC: %v", e.USCC, err)
		}
		if norm, err := ident.ValidateID(e.LegalRepIDType, e.LegalRepIDNumber); err != nil || norm != e.LegalRepIDNumber {
			t.Errorf("%s: legal representative's ID %s invalid: %v", e.USCC, ident.MaskID(e.LegalRepIDNumber), err)
		}
		if e.Name == "" || e.LegalRepName == "" || e.LegalRepSince.IsZero() || !e.Status.Valid() {
			t.Errorf("%s: incomplete entry %+v", e.USCC, e)
		}
		if _, dup := codes[e.USCC]; dup {
			t.Errorf("%s listed twice", e.USCC)
		}
		codes[e.USCC] = e
		if name, known := platform[e.USCC]; known && name != e.Name {
			t.Errorf("%s: registry name %s, credit platform name %s", e.USCC, e.Name, name)
		}
	}
	for uscc := range platform {
		if _, ok := codes[uscc]; !ok {
			t.Errorf("the credit platform's %s is missing from the registry", uscc)
		}
	}
	if _, ok := codes[simulator.EnterpriseUnknown]; ok || ident.ValidateUSCC(simulator.EnterpriseUnknown) != nil {
		t.Errorf("EnterpriseUnknown must be a valid code the registry does not know")
	}
	for uscc, want := range map[string]registry.Status{
		simulator.EnterpriseRevoked: registry.StatusRevoked, simulator.EnterpriseCancelled: registry.StatusCancelled,
	} {
		if codes[uscc].Status != want || platform[uscc] != "" {
			t.Errorf("%s: status %s, want %s and a code new to the credit platform", uscc, codes[uscc].Status, want)
		}
	}
	if len(codes) != len(platform)+2 {
		t.Errorf("%d fixtures, want the platform's %d and two more", len(codes), len(platform))
	}
	for uscc, want := range map[string][2]string{
		simulator.EnterpriseA: {"林志强", "11010519491231002X"},
		simulator.EnterpriseB: {"陈美玲", "440524188001010014"},
	} {
		e := codes[uscc]
		if e.LegalRepName != want[0] || e.LegalRepIDNumber != want[1] || e.LegalRepIDType != ident.ResidentIDCard || e.Status != registry.StatusActive {
			t.Errorf("demo identity of %s = %s %s (%s)", uscc, e.LegalRepName, ident.MaskID(e.LegalRepIDNumber), e.Status)
		}
	}
}

// signed builds a request signed at the given time.
func signed(method, path, body string, at time.Time) *http.Request {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	apisign.SignRequest(r, []byte(body), key, secret, at)
	return r
}

// exchange serves r and returns the status, the error code and the raw body.
func exchange(h http.Handler, r *http.Request) (int, string, []byte) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	var eb apisign.ErrorBody
	_ = json.Unmarshal(rec.Body.Bytes(), &eb)
	return rec.Code, eb.Code, rec.Body.Bytes()
}

const verifyPath = "/api/v1/enterprises/" + simulator.EnterpriseA + "/legal-representative/verification"

// R6.5: the simulator checks every signature (apisign.Verifier), refuses a
// replayed nonce, and answers the documented error codes.
func TestSignatureAndErrors_R6_5(t *testing.T) {
	t.Parallel()
	now := time.Now()
	good := `{"name":"林志强","idType":"RESIDENT_ID_CARD","idNumber":"11010519491231002X"}`
	lookup := "/api/v1/enterprises/" + simulator.EnterpriseA
	tampered := signed(http.MethodPost, verifyPath, good, now)
	tampered.Body = io.NopCloser(strings.NewReader(strings.Replace(good, "林志强", "陌生人", 1)))
	otherKey := httptest.NewRequest(http.MethodGet, lookup, nil)
	apisign.SignRequest(otherKey, nil, "other-key", secret, now)
	replayed := signed(http.MethodGet, lookup, "", now)

	tests := []struct {
		name   string
		reqs   []*http.Request // the last one is checked
		status int
		code   string
	}{
		{"lookup", []*http.Request{signed(http.MethodGet, lookup, "", now)}, 200, ""},
		{"verification", []*http.Request{signed(http.MethodPost, verifyPath, good, now)}, 200, ""},
		{"tampered body", []*http.Request{tampered}, 401, apisign.CodeBadSignature},
		{"replayed nonce", []*http.Request{replayed, cloneHeaders(replayed)}, 401, apisign.CodeNonceReused},
		{"stale timestamp", []*http.Request{signed(http.MethodGet, lookup, "", now.Add(-10*time.Minute))}, 401, apisign.CodeTimestampOutOfWindow},
		{"unknown app key", []*http.Request{otherKey}, 401, apisign.CodeUnknownAppKey},
		{"unsigned", []*http.Request{httptest.NewRequest(http.MethodGet, lookup, nil)}, 401, apisign.CodeMissingSignature},
		{"unknown route", []*http.Request{signed(http.MethodGet, "/api/v2/enterprises", "", now)}, 404, apisign.CodeRouteNotFound},
		{"unknown enterprise", []*http.Request{signed(http.MethodGet, "/api/v1/enterprises/"+simulator.EnterpriseUnknown, "", now)}, 404, registry.CodeEnterpriseNotFound},
		{"malformed code", []*http.Request{signed(http.MethodGet, "/api/v1/enterprises/914403001922038217", "", now)}, 400, apisign.CodeInvalidRequest},
		{"verification without number", []*http.Request{signed(http.MethodPost, verifyPath, `{"name":"林志强","idType":"RESIDENT_ID_CARD"}`, now)}, 400, apisign.CodeInvalidRequest},
		{"verification with unknown idType", []*http.Request{signed(http.MethodPost, verifyPath, strings.Replace(good, "RESIDENT_ID_CARD", "DRIVING_LICENCE", 1), now)}, 400, apisign.CodeInvalidRequest},
	}
	sim := simulator.New(simulator.Options{AppKey: key, AppSecret: secret})
	total := 0
	for _, tt := range tests {
		var status int
		var code string
		for _, r := range tt.reqs {
			status, code, _ = exchange(sim.Handler(), r)
		}
		total += len(tt.reqs)
		if status != tt.status || code != tt.code {
			t.Errorf("%s: got %d %q, want %d %q", tt.name, status, code, tt.status, tt.code)
		}
	}
	if n := sim.Requests(); n != total {
		t.Errorf("counted %d requests, want %d", n, total)
	}
}

// cloneHeaders is a second request with r's signing headers (a replay).
func cloneHeaders(r *http.Request) *http.Request {
	c := httptest.NewRequest(r.Method, r.URL.Path, nil)
	c.Header = r.Header.Clone()
	return c
}

// R6.5, R7.2: the lookup's body has exactly the documented fields and never
// an ID number; the verification answers a bare match.
func TestWireBodies_R6_5(t *testing.T) {
	t.Parallel()
	sim := simulator.New(simulator.Options{AppKey: key, AppSecret: secret})
	_, _, body := exchange(sim.Handler(), signed(http.MethodGet, "/api/v1/enterprises/"+simulator.EnterpriseA, "", time.Now()))
	var fields map[string]any
	if err := json.Unmarshal(body, &fields); err != nil {
		t.Fatalf("lookup body %s: %v", body, err)
	}
	keys := slices.Sorted(maps.Keys(fields))
	if !slices.Equal(keys, []string{"legalRepName", "legalRepSince", "name", "status", "uscc"}) ||
		fields["legalRepSince"] != "2016-03-01T00:00:00+08:00" || strings.Contains(string(body), simulator.LegalRepAID) {
		t.Errorf("lookup body = %s", body)
	}
	for number, want := range map[string]string{"11010519491231002x": `{"match":true}`, "110105194912310021": `{"match":false}`} {
		_, _, body := exchange(sim.Handler(), signed(http.MethodPost, verifyPath,
			`{"name":"林志强","idType":"RESIDENT_ID_CARD","idNumber":"`+number+`"}`, time.Now()))
		if strings.TrimSpace(string(body)) != want {
			t.Errorf("verification of %s = %s, want %s", ident.MaskID(number), body, want)
		}
	}
}

// The default credentials are the simulator's when Options leaves them
// empty.
func TestDefaultCredentials(t *testing.T) {
	t.Parallel()
	sim := simulator.New(simulator.Options{})
	client := registry.New(registry.Config{BaseURL: sim.Start(), AppKey: simulator.DefaultAppKey, AppSecret: simulator.DefaultAppSecret})
	defer sim.Close()
	ok, err := client.VerifyLegalRep(t.Context(), simulator.EnterpriseB, simulator.LegalRepBName, string(ident.ResidentIDCard), simulator.LegalRepBID)
	if err != nil || !ok {
		t.Errorf("VerifyLegalRep with default credentials = %v, %v", ok, err)
	}
}
