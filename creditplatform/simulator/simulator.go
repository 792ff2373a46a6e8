// Package simulator is an in-process fake of the city credit platform
// 信用中国（广东韶关）. It serves the wire format documented in package
// creditplatform, verifies signatures with creditplatform.Verify, remembers
// nonces, and keeps publications idempotent by Idempotency-Key. Tests and dev
// mode use it; it holds everything in memory.
package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	cp "creditwater/creditplatform"
)

// Credentials used when Options leaves them empty.
const (
	DefaultAppKey    = "simulator-app-key"
	DefaultAppSecret = "simulator-app-secret"
)

// maxBodyBytes bounds request bodies.
const maxBodyBytes = 1 << 20

// Options configures a Simulator.
type Options struct {
	// AppKey and AppSecret are the one accepted credential pair
	// (DefaultAppKey and DefaultAppSecret when empty).
	AppKey    string
	AppSecret string
	// Window is the replay window (creditplatform.DefaultWindow when zero).
	Window time.Duration
}

// Subject is an enterprise known to the simulated platform.
type Subject struct {
	USCC        string
	Name        string
	Rating      cp.Rating
	EvaluatedAt time.Time
	Entries     []cp.DishonestyEntry
	// PDFSHA256 is reported as the report PDF's hash; empty means no PDF.
	PDFSHA256 string
}

// Fault makes the simulator misbehave. The zero Fault is healthy.
type Fault struct {
	// Latency delays every response; more than the client's timeout
	// simulates a timeout.
	Latency time.Duration
	// Status, when non-zero, answers every request with this HTTP status
	// and an error body (e.g. 503).
	Status int
	// FailNext answers the next FailNext requests with 503.
	FailNext int
}

// RequestKind classifies requests for the counters.
type RequestKind string

// The request kinds. KindAll counts every request.
const (
	KindAll      RequestKind = ""
	KindReport   RequestKind = "report"
	KindRating   RequestKind = "rating"
	KindPublish  RequestKind = "publish"
	KindWithdraw RequestKind = "withdraw"
	KindOther    RequestKind = "other"
)

// The routes, as http.ServeMux patterns, and their kinds.
const (
	routeReport   = "GET /api/v1/subjects/{uscc}/report"
	routeRating   = "GET /api/v1/subjects/{uscc}/rating"
	routePublish  = "POST /api/v1/publications"
	routeWithdraw = "POST /api/v1/publications/{id}/withdrawal"
)

// Publication is a publication stored by the simulator.
type Publication struct {
	ID             string
	IdempotencyKey string
	Kind           cp.PublicationKind
	SubjectUSCC    string
	Title          string
	Body           json.RawMessage
	PublishedAt    time.Time
	// WithdrawnAt is zero unless the publication was withdrawn.
	WithdrawnAt time.Time
}

// Withdrawal is a withdrawal stored by the simulator.
type Withdrawal struct {
	PublicationID  string
	IdempotencyKey string
	Reason         string
	WithdrawnAt    time.Time
}

// Simulator is a fake credit platform. It is safe for concurrent use.
type Simulator struct {
	key, secret string
	window      time.Duration
	mux         *http.ServeMux
	cst         *time.Location

	mu          sync.Mutex
	subjects    map[string]Subject
	fault       Fault
	requests    map[RequestKind]int
	nonces      map[string]time.Time // nonce → time it may be forgotten
	pubs        []*pubRecord
	pubByID     map[string]*pubRecord
	pubByKey    map[string]*pubRecord
	withdrawals []Withdrawal
	wdByKey     map[string]string // idempotency key → publication id
	reportSeq   int
	srv         *httptest.Server
}

type pubRecord struct {
	pub         Publication
	fingerprint string
}

// New returns a simulator that knows the Fixtures subjects.
func New(opts Options) *Simulator {
	if opts.AppKey == "" {
		opts.AppKey = DefaultAppKey
	}
	if opts.AppSecret == "" {
		opts.AppSecret = DefaultAppSecret
	}
	if opts.Window <= 0 {
		opts.Window = cp.DefaultWindow
	}
	s := &Simulator{
		key:      opts.AppKey,
		secret:   opts.AppSecret,
		window:   opts.Window,
		mux:      http.NewServeMux(),
		cst:      time.FixedZone("CST", 8*3600),
		subjects: map[string]Subject{},
		requests: map[RequestKind]int{},
		nonces:   map[string]time.Time{},
		pubByID:  map[string]*pubRecord{},
		pubByKey: map[string]*pubRecord{},
		wdByKey:  map[string]string{},
	}
	for _, sub := range Fixtures() {
		s.subjects[sub.USCC] = sub
	}
	s.mux.HandleFunc(routeReport, s.report)
	s.mux.HandleFunc(routeRating, s.rating)
	s.mux.HandleFunc(routePublish, s.publish)
	s.mux.HandleFunc(routeWithdraw, s.withdraw)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, cp.CodeRouteNotFound, "no such endpoint")
	})
	return s
}

// Handler returns the simulator's HTTP handler, for mounting on any server.
func (s *Simulator) Handler() http.Handler { return http.HandlerFunc(s.serve) }

// Start serves the simulator on a random local port (once) and returns its
// base URL.
func (s *Simulator) Start() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil {
		s.srv = httptest.NewServer(s.Handler())
	}
	return s.srv.URL
}

// Close stops the server started by Start, if any.
func (s *Simulator) Close() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// AddSubject adds sub, replacing a subject with the same USCC.
func (s *Simulator) AddSubject(sub Subject) {
	sub.Entries = slices.Clone(sub.Entries)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subjects[sub.USCC] = sub
}

// SetRating sets the rating of the subject with the given USCC, adding a
// subject named after the code when the simulator does not know it.
func (s *Simulator) SetRating(uscc string, r cp.Rating) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.subjects[uscc]
	if !ok {
		sub = Subject{USCC: uscc, Name: "韶关市测试企业（" + uscc + "）"}
	}
	sub.Rating = r
	sub.EvaluatedAt = time.Now().In(s.cst).Truncate(time.Second)
	s.subjects[uscc] = sub
}

// SetFault replaces the current fault; SetFault(Fault{}) heals the simulator.
func (s *Simulator) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// Requests returns how many requests of the kind reached the simulator,
// counting rejected and failed ones; KindAll counts all.
func (s *Simulator) Requests(kind RequestKind) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if kind == KindAll {
		n := 0
		for _, c := range s.requests {
			n += c
		}
		return n
	}
	return s.requests[kind]
}

// Publications returns the stored publications in creation order; repeated
// idempotency keys are stored once.
func (s *Simulator) Publications() []Publication {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Publication, len(s.pubs))
	for i, p := range s.pubs {
		out[i] = p.pub
		out[i].Body = slices.Clone(p.pub.Body)
	}
	return out
}

// Withdrawals returns the stored withdrawals in order, one per publication.
func (s *Simulator) Withdrawals() []Withdrawal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.withdrawals)
}

// serve counts, applies faults, verifies the signature and routes.
func (s *Simulator) serve(w http.ResponseWriter, r *http.Request) {
	_, pattern := s.mux.Handler(r)
	kind := kindOf(pattern)

	s.mu.Lock()
	s.requests[kind]++
	f := s.fault
	failNow := s.fault.FailNext > 0
	if failNow {
		s.fault.FailNext--
	}
	s.mu.Unlock()

	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	switch {
	case failNow:
		writeError(w, http.StatusServiceUnavailable, cp.CodeServiceUnavailable, "service temporarily unavailable")
		return
	case f.Status != 0:
		code := cp.CodeServiceUnavailable
		switch {
		case f.Status == http.StatusTooManyRequests:
			code = cp.CodeRateLimited
		case f.Status != http.StatusServiceUnavailable && f.Status >= 500:
			code = cp.CodeInternalError
		}
		writeError(w, f.Status, code, "simulated fault")
		return
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		writeError(w, http.StatusBadRequest, cp.CodeInvalidRequest, "body unreadable or too large")
		return
	}
	now := time.Now()
	signed, err := cp.Verify(r, body, func(k string) (string, bool) { return s.secret, k == s.key }, now, s.window)
	if err != nil {
		writeError(w, http.StatusUnauthorized, verifyCode(err), "signature rejected")
		return
	}
	if !s.rememberNonce(signed.AppKey+"\x00"+signed.Nonce, now) {
		writeError(w, http.StatusUnauthorized, cp.CodeNonceReused, "nonce already used")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mux.ServeHTTP(w, r)
}

// rememberNonce records a nonce for twice the window (a timestamp may be up
// to one window in the future) and reports whether it was new.
func (s *Simulator) rememberNonce(nonce string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for n, until := range s.nonces {
		if now.After(until) {
			delete(s.nonces, n)
		}
	}
	if _, seen := s.nonces[nonce]; seen {
		return false
	}
	s.nonces[nonce] = now.Add(2 * s.window)
	return true
}

func (s *Simulator) subject(w http.ResponseWriter, r *http.Request) (Subject, bool) {
	uscc := r.PathValue("uscc")
	if !cp.ValidUSCC(uscc) {
		writeError(w, http.StatusBadRequest, cp.CodeInvalidRequest, "malformed unified social credit code")
		return Subject{}, false
	}
	s.mu.Lock()
	sub, ok := s.subjects[uscc]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, cp.CodeSubjectNotFound, "subject not found")
		return Subject{}, false
	}
	return sub, true
}

func (s *Simulator) report(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.subject(w, r)
	if !ok {
		return
	}
	now := time.Now().In(s.cst).Truncate(time.Second)
	s.mu.Lock()
	s.reportSeq++
	seq := s.reportSeq
	s.mu.Unlock()
	entries := slices.Clone(sub.Entries)
	if entries == nil {
		entries = []cp.DishonestyEntry{}
	}
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.cst)
	writeJSON(w, http.StatusOK, cp.Report{
		ReportNo:    fmt.Sprintf("SGXYBG%s%06d", now.Format("20060102"), seq),
		SubjectName: sub.Name,
		USCC:        sub.USCC,
		Rating:      sub.Rating,
		Entries:     entries,
		IssuedAt:    now,
		PeriodFrom:  day.AddDate(-3, 0, 0),
		PeriodTo:    day,
		PDFSHA256:   sub.PDFSHA256,
	})
}

func (s *Simulator) rating(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.subject(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, cp.RatingResult{USCC: sub.USCC, Rating: sub.Rating, EvaluatedAt: sub.EvaluatedAt})
}

func (s *Simulator) publish(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(cp.HeaderIdempotencyKey)
	if key == "" || len(key) > 128 {
		writeError(w, http.StatusBadRequest, cp.CodeInvalidRequest, "Idempotency-Key header required")
		return
	}
	var in cp.Publication
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, cp.CodeInvalidRequest, "malformed JSON")
		return
	}
	var body bytes.Buffer
	if len(in.Body) > 0 {
		var obj map[string]json.RawMessage
		if json.Unmarshal(in.Body, &obj) != nil || obj == nil || json.Compact(&body, in.Body) != nil {
			writeError(w, http.StatusBadRequest, cp.CodeInvalidRequest, "body must be a JSON object")
			return
		}
	}
	switch {
	case !in.Kind.Valid():
		writeError(w, http.StatusBadRequest, cp.CodeInvalidRequest, "kind must be COMMITMENT, DISHONESTY or REPAIR")
		return
	case !cp.ValidUSCC(in.SubjectUSCC):
		writeError(w, http.StatusBadRequest, cp.CodeInvalidRequest, "malformed subjectUscc")
		return
	case strings.TrimSpace(in.Title) == "":
		writeError(w, http.StatusBadRequest, cp.CodeInvalidRequest, "title required")
		return
	}
	fp := string(in.Kind) + "\x00" + in.SubjectUSCC + "\x00" + in.Title + "\x00" + body.String()

	s.mu.Lock()
	defer s.mu.Unlock()
	if rec, ok := s.pubByKey[key]; ok {
		if rec.fingerprint != fp {
			writeError(w, http.StatusConflict, cp.CodeIdempotencyKeyReused, "Idempotency-Key used for a different publication")
			return
		}
		writeJSON(w, http.StatusOK, cp.PublishResult{PublicationID: rec.pub.ID, PublishedAt: rec.pub.PublishedAt})
		return
	}
	if _, ok := s.subjects[in.SubjectUSCC]; !ok {
		writeError(w, http.StatusNotFound, cp.CodeSubjectNotFound, "subject not found")
		return
	}
	rec := &pubRecord{
		pub: Publication{
			ID:             uuid.Must(uuid.NewV7()).String(),
			IdempotencyKey: key,
			Kind:           in.Kind,
			SubjectUSCC:    in.SubjectUSCC,
			Title:          in.Title,
			Body:           json.RawMessage(body.Bytes()),
			PublishedAt:    time.Now().In(s.cst).Truncate(time.Second),
		},
		fingerprint: fp,
	}
	s.pubs = append(s.pubs, rec)
	s.pubByID[rec.pub.ID] = rec
	s.pubByKey[key] = rec
	writeJSON(w, http.StatusCreated, cp.PublishResult{PublicationID: rec.pub.ID, PublishedAt: rec.pub.PublishedAt})
}

func (s *Simulator) withdraw(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(cp.HeaderIdempotencyKey)
	if key == "" || len(key) > 128 {
		writeError(w, http.StatusBadRequest, cp.CodeInvalidRequest, "Idempotency-Key header required")
		return
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || strings.TrimSpace(in.Reason) == "" {
		writeError(w, http.StatusBadRequest, cp.CodeInvalidRequest, "reason required")
		return
	}
	id := r.PathValue("id")

	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.pubByID[id]
	if !ok {
		writeError(w, http.StatusNotFound, cp.CodePublicationNotFound, "publication not found")
		return
	}
	if other, used := s.wdByKey[key]; used && other != id {
		writeError(w, http.StatusConflict, cp.CodeIdempotencyKeyReused, "Idempotency-Key used for another publication")
		return
	}
	s.wdByKey[key] = id
	if rec.pub.WithdrawnAt.IsZero() {
		rec.pub.WithdrawnAt = time.Now().In(s.cst).Truncate(time.Second)
		s.withdrawals = append(s.withdrawals, Withdrawal{
			PublicationID: id, IdempotencyKey: key, Reason: in.Reason, WithdrawnAt: rec.pub.WithdrawnAt,
		})
	}
	writeJSON(w, http.StatusOK, cp.WithdrawResult{PublicationID: id, WithdrawnAt: rec.pub.WithdrawnAt})
}

func kindOf(pattern string) RequestKind {
	switch pattern {
	case routeReport:
		return KindReport
	case routeRating:
		return KindRating
	case routePublish:
		return KindPublish
	case routeWithdraw:
		return KindWithdraw
	}
	return KindOther
}

func verifyCode(err error) string {
	switch {
	case errors.Is(err, cp.ErrUnknownAppKey):
		return cp.CodeUnknownAppKey
	case errors.Is(err, cp.ErrStaleTimestamp):
		return cp.CodeTimestampOutOfWindow
	case errors.Is(err, cp.ErrBadSignature):
		return cp.CodeBadSignature
	}
	return cp.CodeMissingSignature
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, cp.ErrorBody{Code: code, Message: msg})
}
