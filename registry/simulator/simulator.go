// Package simulator is an in-process fake of the enterprise registry
// (企业登记信息). It serves the wire format documented in package registry
// over real HTTP, verifies signatures with apisign.Verifier (replayed nonces
// are refused), and knows the Fixtures enterprises and their legal
// representatives. Tests and development mode use it; it holds everything in
// memory.
package simulator

import (
	"cmp"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"creditwater/apisign"
	"creditwater/ident"
	"creditwater/registry"
)

// Credentials used when Options leaves them empty.
const (
	DefaultAppKey    = "registry-simulator-app-key"
	DefaultAppSecret = "registry-simulator-app-secret"
)

// maxBodyBytes bounds request bodies.
const maxBodyBytes = 64 << 10

// cst is Beijing time (UTC+8, no daylight saving since 1991), the zone of the
// fixtures' dates.
var cst = time.FixedZone("CST", 8*3600)

// Options configures a Simulator.
type Options struct {
	// AppKey and AppSecret are the one accepted credential pair
	// (DefaultAppKey and DefaultAppSecret when empty).
	AppKey    string
	AppSecret string
	// Window is the replay window (apisign.DefaultWindow when zero).
	Window time.Duration
}

// Entry is an enterprise registered in the simulator, with its legal
// representative's ID document (which the wire format never returns).
type Entry struct {
	USCC   string
	Name   string
	Status registry.Status
	// LegalRepName is the current legal representative's name.
	LegalRepName string
	// LegalRepIDType is the legal representative's document type
	// (ident.ResidentIDCard when empty).
	LegalRepIDType ident.IDType
	// LegalRepIDNumber is compared after upper-casing.
	LegalRepIDNumber string
	// LegalRepSince is when the legal representative took office.
	LegalRepSince time.Time
}

// Simulator is a fake enterprise registry. It is safe for concurrent use.
// Its embedded LocalServer serves it: Handler, Start (real HTTP on a local
// port, once; returns the base URL) and Close.
type Simulator struct {
	*apisign.LocalServer
	verified http.Handler // the signature check, then misbehave, then the routes

	mu       sync.Mutex
	entries  map[string]Entry
	failing  bool
	delay    time.Duration
	requests int
}

// New returns a simulator that knows the Fixtures enterprises.
func New(opts Options) *Simulator {
	opts.AppKey = cmp.Or(opts.AppKey, DefaultAppKey)
	opts.AppSecret = cmp.Or(opts.AppSecret, DefaultAppSecret)
	s := &Simulator{entries: map[string]Entry{}}
	for _, e := range Fixtures() {
		s.entries[e.USCC] = e
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/enterprises/{uscc}", s.lookup)
	mux.HandleFunc("POST /api/v1/enterprises/{uscc}/legal-representative/verification", s.verify)
	mux.HandleFunc("/", apisign.RouteNotFound)
	s.verified = apisign.NewVerifier(opts.AppKey, opts.AppSecret, opts.Window).Handler(maxBodyBytes,
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.misbehave(w, r, mux) }))
	s.LocalServer = apisign.NewLocalServer(http.HandlerFunc(s.serve))
	return s
}

// Put registers e, replacing an entry with the same USCC. An empty
// LegalRepIDType means a resident ID card.
func (s *Simulator) Put(e Entry) {
	if e.LegalRepIDType == "" {
		e.LegalRepIDType = ident.ResidentIDCard
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries[e.USCC] = e
}

// SetLegalRep records a change of legal representative: from today the
// person with this name and resident ID number holds office. It reports
// whether the simulator knows uscc (and changes nothing when not).
func (s *Simulator) SetLegalRep(uscc, name, idNumber string) bool {
	return s.update(uscc, func(e *Entry) {
		e.LegalRepName, e.LegalRepIDType, e.LegalRepIDNumber = name, ident.ResidentIDCard, idNumber
		y, m, d := time.Now().In(cst).Date()
		e.LegalRepSince = time.Date(y, m, d, 0, 0, 0, 0, cst)
	})
}

// SetStatus sets the registration status of uscc. It reports whether the
// simulator knows uscc (and changes nothing when not).
func (s *Simulator) SetStatus(uscc string, st registry.Status) bool {
	return s.update(uscc, func(e *Entry) { e.Status = st })
}

func (s *Simulator) update(uscc string, change func(*Entry)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[uscc]
	if ok {
		change(&e)
		s.entries[uscc] = e
	}
	return ok
}

// SetFailing makes every signed request fail with 503 SERVICE_UNAVAILABLE (true)
// or heals the simulator (false).
func (s *Simulator) SetFailing(failing bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = failing
}

// SetDelay delays every response by d (0: none); more than the client's
// timeout simulates a timeout.
func (s *Simulator) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Requests returns how many requests reached the simulator, counting
// rejected and failed ones.
func (s *Simulator) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// serve counts the request and passes it to the signature check.
func (s *Simulator) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	s.verified.ServeHTTP(w, r)
}

// misbehave applies the delay and the failure to a request whose body has
// been read (so that a client's hang-up cancels the delay), then routes it.
func (s *Simulator) misbehave(w http.ResponseWriter, r *http.Request, next http.Handler) {
	s.mu.Lock()
	delay, failing := s.delay, s.failing
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if failing {
		apisign.WriteError(w, http.StatusServiceUnavailable, apisign.CodeServiceUnavailable, "simulated outage")
		return
	}
	next.ServeHTTP(w, r)
}

// entry answers 400 or 404 and reports false when the path's USCC is
// malformed or unknown.
func (s *Simulator) entry(w http.ResponseWriter, r *http.Request) (Entry, bool) {
	return apisign.Resource(w, r, "uscc", validUSCC, func(uscc string) (Entry, bool) {
		s.mu.Lock()
		defer s.mu.Unlock()
		e, ok := s.entries[uscc]
		return e, ok
	}, registry.CodeEnterpriseNotFound)
}

// validUSCC accepts a valid USCC in canonical (upper-case) form.
func validUSCC(uscc string) bool {
	return uscc == ident.NormalizeUSCC(uscc) && ident.ValidateUSCC(uscc) == nil
}

func (s *Simulator) lookup(w http.ResponseWriter, r *http.Request) {
	e, ok := s.entry(w, r)
	if !ok {
		return
	}
	apisign.WriteJSON(w, http.StatusOK, registry.Enterprise{
		USCC: e.USCC, Name: e.Name, Status: e.Status, LegalRepName: e.LegalRepName, LegalRepSince: e.LegalRepSince,
	})
}

func (s *Simulator) verify(w http.ResponseWriter, r *http.Request) {
	e, ok := s.entry(w, r)
	if !ok {
		return
	}
	var in registry.Verification
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil ||
		strings.TrimSpace(in.Name) == "" || in.IDNumber == "" || !in.IDType.Valid() {
		apisign.WriteError(w, http.StatusBadRequest, apisign.CodeInvalidRequest, "name, idType and idNumber are required")
		return
	}
	match := in.Name == e.LegalRepName && in.IDType == e.LegalRepIDType &&
		strings.EqualFold(in.IDNumber, e.LegalRepIDNumber)
	apisign.WriteJSON(w, http.StatusOK, registry.VerificationResult{Match: &match})
}
