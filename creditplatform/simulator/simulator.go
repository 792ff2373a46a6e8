// Package simulator is an in-process fake of the city credit platform
// 信用中国（广东韶关）. It serves the wire format documented in package
// creditplatform, verifies signatures with apisign.Verifier (which remembers
// nonces), and keeps publications idempotent by Idempotency-Key. Tests and dev
// mode use it; it holds everything in memory.
package simulator

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"creditwater/apisign"
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
	// Window is the replay window (apisign.DefaultWindow when zero).
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

// Simulator is a fake credit platform. It is safe for concurrent use. Its
// embedded LocalServer serves it: Handler, Start (real HTTP on a local
// port, once; returns the base URL) and Close.
type Simulator struct {
	*apisign.LocalServer
	verified http.Handler // the signature check in front of mux
	mux      *http.ServeMux
	cst      *time.Location

	mu          sync.Mutex
	subjects    map[string]Subject
	fault       Fault
	requests    map[RequestKind]int
	pubs        []*pubRecord
	pubByID     map[string]*pubRecord
	pubByKey    map[string]*pubRecord
	withdrawals []Withdrawal
	wdByKey     map[string]string // idempotency key → publication id
	reportSeq   int
}

type pubRecord struct {
	pub         Publication
	fingerprint string
}

// New returns a simulator that knows the Fixtures subjects.
func New(opts Options) *Simulator {
	opts.AppKey = cmp.Or(opts.AppKey, DefaultAppKey)
	opts.AppSecret = cmp.Or(opts.AppSecret, DefaultAppSecret)
	s := &Simulator{
		mux:      http.NewServeMux(),
		cst:      time.FixedZone("CST", 8*3600),
		subjects: map[string]Subject{},
		requests: map[RequestKind]int{},
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
	s.mux.HandleFunc("/", apisign.RouteNotFound)
	s.verified = apisign.NewVerifier(opts.AppKey, opts.AppSecret, opts.Window).Handler(maxBodyBytes, s.mux)
	s.LocalServer = apisign.NewLocalServer(http.HandlerFunc(s.serve))
	return s
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

// serve counts, applies faults, verifies the signature (replayed nonces
// refused) and routes.
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
		apisign.WriteError(w, http.StatusServiceUnavailable, cp.CodeServiceUnavailable, "service temporarily unavailable")
		return
	case f.Status != 0:
		code := cp.CodeServiceUnavailable
		switch {
		case f.Status == http.StatusTooManyRequests:
			code = cp.CodeRateLimited
		case f.Status != http.StatusServiceUnavailable && f.Status >= 500:
			code = cp.CodeInternalError
		}
		apisign.WriteError(w, f.Status, code, "simulated fault")
		return
	}

	s.verified.ServeHTTP(w, r)
}

// subject answers 400 or 404 and reports false when the path's USCC is
// malformed or unknown.
func (s *Simulator) subject(w http.ResponseWriter, r *http.Request) (Subject, bool) {
	return apisign.Resource(w, r, "uscc", cp.ValidUSCC, func(uscc string) (Subject, bool) {
		s.mu.Lock()
		defer s.mu.Unlock()
		sub, ok := s.subjects[uscc]
		return sub, ok
	}, cp.CodeSubjectNotFound)
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
	apisign.WriteJSON(w, http.StatusOK, cp.Report{
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
	apisign.WriteJSON(w, http.StatusOK, cp.RatingResult{USCC: sub.USCC, Rating: sub.Rating, EvaluatedAt: sub.EvaluatedAt})
}

func (s *Simulator) publish(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(cp.HeaderIdempotencyKey)
	if key == "" || len(key) > 128 {
		apisign.WriteError(w, http.StatusBadRequest, cp.CodeInvalidRequest, "Idempotency-Key header required")
		return
	}
	var in cp.Publication
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		apisign.WriteError(w, http.StatusBadRequest, cp.CodeInvalidRequest, "malformed JSON")
		return
	}
	var body bytes.Buffer
	if len(in.Body) > 0 {
		var obj map[string]json.RawMessage
		if json.Unmarshal(in.Body, &obj) != nil || obj == nil || json.Compact(&body, in.Body) != nil {
			apisign.WriteError(w, http.StatusBadRequest, cp.CodeInvalidRequest, "body must be a JSON object")
			return
		}
	}
	switch {
	case !in.Kind.Valid():
		apisign.WriteError(w, http.StatusBadRequest, cp.CodeInvalidRequest, "kind must be COMMITMENT, DISHONESTY or REPAIR")
		return
	case !cp.ValidUSCC(in.SubjectUSCC):
		apisign.WriteError(w, http.StatusBadRequest, cp.CodeInvalidRequest, "malformed subjectUscc")
		return
	case strings.TrimSpace(in.Title) == "":
		apisign.WriteError(w, http.StatusBadRequest, cp.CodeInvalidRequest, "title required")
		return
	}
	fp := string(in.Kind) + "\x00" + in.SubjectUSCC + "\x00" + in.Title + "\x00" + body.String()

	s.mu.Lock()
	defer s.mu.Unlock()
	if rec, ok := s.pubByKey[key]; ok {
		if rec.fingerprint != fp {
			apisign.WriteError(w, http.StatusConflict, cp.CodeIdempotencyKeyReused, "Idempotency-Key used for a different publication")
			return
		}
		apisign.WriteJSON(w, http.StatusOK, cp.PublishResult{PublicationID: rec.pub.ID, PublishedAt: rec.pub.PublishedAt})
		return
	}
	if _, ok := s.subjects[in.SubjectUSCC]; !ok {
		apisign.WriteError(w, http.StatusNotFound, cp.CodeSubjectNotFound, "未找到该用水主体")
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
	apisign.WriteJSON(w, http.StatusCreated, cp.PublishResult{PublicationID: rec.pub.ID, PublishedAt: rec.pub.PublishedAt})
}

func (s *Simulator) withdraw(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(cp.HeaderIdempotencyKey)
	if key == "" || len(key) > 128 {
		apisign.WriteError(w, http.StatusBadRequest, cp.CodeInvalidRequest, "Idempotency-Key header required")
		return
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || strings.TrimSpace(in.Reason) == "" {
		apisign.WriteError(w, http.StatusBadRequest, cp.CodeInvalidRequest, "reason required")
		return
	}
	id := r.PathValue("id")

	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.pubByID[id]
	if !ok {
		apisign.WriteError(w, http.StatusNotFound, cp.CodePublicationNotFound, "publication not found")
		return
	}
	if other, used := s.wdByKey[key]; used && other != id {
		apisign.WriteError(w, http.StatusConflict, cp.CodeIdempotencyKeyReused, "Idempotency-Key used for another publication")
		return
	}
	s.wdByKey[key] = id
	if rec.pub.WithdrawnAt.IsZero() {
		rec.pub.WithdrawnAt = time.Now().In(s.cst).Truncate(time.Second)
		s.withdrawals = append(s.withdrawals, Withdrawal{
			PublicationID: id, IdempotencyKey: key, Reason: in.Reason, WithdrawnAt: rec.pub.WithdrawnAt,
		})
	}
	apisign.WriteJSON(w, http.StatusOK, cp.WithdrawResult{PublicationID: id, WithdrawnAt: rec.pub.WithdrawnAt})
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
