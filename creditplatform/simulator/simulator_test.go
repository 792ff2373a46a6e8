package simulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"creditwater/apisign"
	cp "creditwater/creditplatform"
	"creditwater/creditplatform/simulator"
)

const (
	key    = "sim-test-key"
	secret = "sim-test-secret"
)

// checkChar is an independent GB 32100-2015 check-character generator used
// to confirm the fixtures (and to derive new valid codes).
func checkChar(first17 string) byte {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i, w := range weights {
		sum += strings.IndexByte(alphabet, first17[i]) * w
	}
	return alphabet[(31-sum%31)%31]
}

func TestFixtures(t *testing.T) {
	t.Parallel()
	want := map[string]cp.Rating{
		simulator.EnterpriseA:           cp.RatingA,
		simulator.EnterpriseB:           cp.RatingB,
		simulator.EnterpriseC:           cp.RatingC,
		simulator.EnterpriseD:           cp.RatingD,
		simulator.EnterpriseWithEntries: cp.RatingC,
	}
	for _, code := range []string{
		simulator.EnterpriseA, simulator.EnterpriseB, simulator.EnterpriseC,
		simulator.EnterpriseD, simulator.EnterpriseWithEntries, simulator.EnterpriseUnknown,
	} {
		if len(code) != 18 || checkChar(code[:17]) != code[17] || !cp.ValidUSCC(code) {
			t.Errorf("fixture %s is not a valid USCC", code)
		}
	}
	subs := simulator.Fixtures()
	if len(subs) != len(want) {
		t.Fatalf("%d fixtures, want %d", len(subs), len(want))
	}
	for _, s := range subs {
		if s.Rating != want[s.USCC] || s.Name == "" || s.EvaluatedAt.IsZero() {
			t.Errorf("fixture %+v, want rating %s and a name", s, want[s.USCC])
		}
		if s.USCC == simulator.EnterpriseUnknown {
			t.Errorf("the unknown enterprise must not be a fixture")
		}
		if hasEntries := len(s.Entries) > 0; hasEntries != (s.USCC == simulator.EnterpriseWithEntries || s.USCC == simulator.EnterpriseD) {
			t.Errorf("fixture %s entries = %d", s.USCC, len(s.Entries))
		}
	}
}

// request builds a request signed at the given time.
func request(method, path, body string, at time.Time) *http.Request {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	apisign.SignRequest(r, []byte(body), key, secret, at)
	return r
}

func serve(h http.Handler, r *http.Request) (int, cp.ErrorBody) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	var eb cp.ErrorBody
	_ = json.Unmarshal(rec.Body.Bytes(), &eb)
	return rec.Code, eb
}

// The simulator verifies every signature with creditplatform.Verify and
// remembers nonces (replay protection).
func TestSignatureChecks(t *testing.T) {
	t.Parallel()
	ratingPath := "/api/v1/subjects/" + simulator.EnterpriseA + "/rating"
	pubBody := `{"kind":"COMMITMENT","subjectUscc":"` + simulator.EnterpriseA + `","title":"t"}`
	tests := []struct {
		name     string
		requests func() []*http.Request // the last one is checked
		status   int
		code     string
	}{
		{"valid", func() []*http.Request {
			return []*http.Request{request(http.MethodGet, ratingPath, "", time.Now())}
		}, http.StatusOK, ""},
		{"tampered body", func() []*http.Request {
			r := request(http.MethodPost, "/api/v1/publications", pubBody, time.Now())
			r.Body = io.NopCloser(strings.NewReader(strings.Replace(pubBody, `"t"`, `"u"`, 1)))
			r.Header.Set(cp.HeaderIdempotencyKey, "k")
			return []*http.Request{r}
		}, http.StatusUnauthorized, cp.CodeBadSignature},
		{"replayed nonce", func() []*http.Request {
			first := request(http.MethodGet, ratingPath, "", time.Now())
			replay := httptest.NewRequest(http.MethodGet, ratingPath, nil)
			replay.Header = first.Header.Clone()
			return []*http.Request{first, replay}
		}, http.StatusUnauthorized, cp.CodeNonceReused},
		{"stale timestamp", func() []*http.Request {
			return []*http.Request{request(http.MethodGet, ratingPath, "", time.Now().Add(-10*time.Minute))}
		}, http.StatusUnauthorized, cp.CodeTimestampOutOfWindow},
		{"unknown app key", func() []*http.Request {
			r := httptest.NewRequest(http.MethodGet, ratingPath, nil)
			apisign.SignRequest(r, nil, "other", secret, time.Now())
			return []*http.Request{r}
		}, http.StatusUnauthorized, cp.CodeUnknownAppKey},
		{"unsigned", func() []*http.Request {
			return []*http.Request{httptest.NewRequest(http.MethodGet, ratingPath, nil)}
		}, http.StatusUnauthorized, cp.CodeMissingSignature},
		{"unknown route", func() []*http.Request {
			return []*http.Request{request(http.MethodGet, "/api/v2/x", "", time.Now())}
		}, http.StatusNotFound, cp.CodeRouteNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sim := simulator.New(simulator.Options{AppKey: key, AppSecret: secret})
			reqs := tt.requests()
			var status int
			var eb cp.ErrorBody
			for _, r := range reqs {
				status, eb = serve(sim.Handler(), r)
			}
			if status != tt.status || eb.Code != tt.code {
				t.Errorf("got %d %q, want %d %q", status, eb.Code, tt.status, tt.code)
			}
			if n := sim.Requests(simulator.KindAll); n != len(reqs) {
				t.Errorf("counted %d requests, want %d", n, len(reqs))
			}
			if len(sim.Publications()) != 0 {
				t.Errorf("a rejected request stored a publication")
			}
		})
	}
}

// FailNext fails exactly the next N requests; Status fails all until healed.
func TestFaults(t *testing.T) {
	t.Parallel()
	sim := simulator.New(simulator.Options{AppKey: key, AppSecret: secret})
	path := "/api/v1/subjects/" + simulator.EnterpriseB + "/report"
	sim.SetFault(simulator.Fault{FailNext: 2})
	var got []int
	for range 3 {
		status, _ := serve(sim.Handler(), request(http.MethodGet, path, "", time.Now()))
		got = append(got, status)
	}
	sim.SetFault(simulator.Fault{Status: http.StatusBadGateway})
	for range 2 {
		status, _ := serve(sim.Handler(), request(http.MethodGet, path, "", time.Now()))
		got = append(got, status)
	}
	sim.SetFault(simulator.Fault{})
	status, _ := serve(sim.Handler(), request(http.MethodGet, path, "", time.Now()))
	got = append(got, status)

	want := []int{503, 503, 200, 502, 502, 200}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("statuses = %v, want %v", got, want)
		}
	}
	if n := sim.Requests(simulator.KindReport); n != 6 {
		t.Errorf("counted %d report requests, want 6", n)
	}
}

// R2.3: Idempotency-Key is required, and repeating it replays the first
// publication (200) instead of creating another (201).
func TestPublishIdempotencyWire(t *testing.T) {
	t.Parallel()
	sim := simulator.New(simulator.Options{AppKey: key, AppSecret: secret})
	body := `{"kind":"REPAIR","subjectUscc":"` + simulator.EnterpriseWithEntries + `","title":"信用修复","body":{"a": 1}}`
	publish := func(idem string) (int, cp.PublishResult) {
		r := request(http.MethodPost, "/api/v1/publications", body, time.Now())
		if idem != "" {
			r.Header.Set(cp.HeaderIdempotencyKey, idem)
		}
		rec := httptest.NewRecorder()
		sim.Handler().ServeHTTP(rec, r)
		var res cp.PublishResult
		_ = json.Unmarshal(rec.Body.Bytes(), &res)
		return rec.Code, res
	}
	if status, _ := publish(""); status != http.StatusBadRequest {
		t.Errorf("without Idempotency-Key: %d, want 400", status)
	}
	s1, r1 := publish("key-1")
	s2, r2 := publish("key-1")
	if s1 != http.StatusCreated || s2 != http.StatusOK || r1.PublicationID == "" || r1.PublicationID != r2.PublicationID {
		t.Fatalf("publish twice = %d %+v, %d %+v", s1, r1, s2, r2)
	}
	pubs := sim.Publications()
	if len(pubs) != 1 || pubs[0].IdempotencyKey != "key-1" || string(pubs[0].Body) != `{"a":1}` {
		t.Errorf("stored = %+v", pubs)
	}
}

// Subjects added by other tests are served; Start serves over real HTTP.
func TestAddSubjectAndStart(t *testing.T) {
	t.Parallel()
	sim := simulator.New(simulator.Options{})
	url := sim.Start()
	defer sim.Close()
	if again := sim.Start(); again != url {
		t.Errorf("second Start = %s, want %s", again, url)
	}
	uscc := "91440203MA4UTR6E6" + string(checkChar("91440203MA4UTR6E6"))
	sim.AddSubject(simulator.Subject{USCC: uscc, Name: "韶关市武江测试水务用户有限公司", Rating: cp.RatingB})

	client := cp.New(cp.Config{BaseURL: url, AppKey: simulator.DefaultAppKey, AppSecret: simulator.DefaultAppSecret})
	rep, err := client.Report(t.Context(), uscc)
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	if rep.SubjectName != "韶关市武江测试水务用户有限公司" || rep.Rating != cp.RatingB || len(rep.Entries) != 0 {
		t.Errorf("report = %+v", rep)
	}
}
