// Package fake is a local fake of the parts of WeChat's server API that
// creditwater uses: mini-program login (jscode2session), access tokens (plain
// and stable), phone numbers, subscribe messages, face verification
// (人脸核身 2.0) and the official account's menu (menu/create). OACallback
// builds the signed (and, in safe mode, encrypted) pushes WeChat sends to
// the official account's server endpoint. Dev mode and tests point the wechat
// adapter at it through wechat.Config.BaseURL (OAConfig.BaseURL).
//
// Behaviour is scripted through goroutine-safe methods (AddLoginCode,
// ExpireTokens, FailNext, SetFaceResult, …) and what the fake received is
// recorded (Calls, TokenIssued, SentMessages). Routes live in one table in
// routes.go; new endpoints (e.g. the official account's) are added there and
// get the same latency, failure injection and call counting.
//
// The fake must never serve production traffic; the composition root refuses
// to start it when CW_ENV=production.
package fake

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// verify_ret values of queryverifyinfo, from WeChat's documented enum. The
// mapping of all values to outcomes lives in package wechat (OutcomeOf).
const (
	VerifyPassed        = 10000 // 识别成功
	VerifyIDMismatch    = 10003 // 身份证号不匹配
	VerifyFaceMismatch  = 10004 // 比对人脸信息不匹配
	VerifyUserCancelled = 90004 // 用户在识别过程中取消
	VerifyTimedOut      = 90017 // 识别过程超时
	VerifySystemError   = 90018 // 系统错误
)

// TokenTTL is the expires_in the fake returns for access tokens.
const TokenTTL = 7200 * time.Second

// SentMessage is a subscribe message the fake accepted.
type SentMessage struct {
	ToUser     string
	TemplateID string
	Page       string
	// Data maps each template keyword to its value.
	Data  map[string]string
	State string // miniprogram_state
	Lang  string
}

type login struct {
	openID, unionID string
	used            bool
}

type phoneCode struct {
	number string
	used   bool
}

type verification struct {
	outSeqNo, certHash, openID, certNo string
	used                               bool
}

type failure struct {
	errcode int
	status  int
}

// Server is a running fake. Its zero value is not usable; call New.
type Server struct {
	srv  *httptest.Server
	mux  *http.ServeMux
	done chan struct{}
	once sync.Once

	mu        sync.Mutex
	appID     string // "" accepts any app ID and secret
	secret    string
	autoLogin bool
	logins    map[string]*login
	phones    map[string]*phoneCode
	tokens    map[string]bool // issued token → still valid
	current   string          // the token stable_token hands out
	issued    int
	latency   time.Duration
	failures  map[string][]failure
	faceRets  map[string]int // cert_no → verify_ret
	verifies  map[string]*verification
	seqNos    map[string]bool
	sent      []SentMessage
	menu      []byte // body of the last accepted menu/create
	calls     map[string]int
}

// New starts a fake on a random local port. Close it when done.
func New() *Server {
	s := newServer()
	s.srv = httptest.NewServer(s.mux)
	return s
}

// NewHandler returns a fake that is not listening: serve Handler() yourself
// (URL and Close are then no-ops).
func NewHandler() *Server { return newServer() }

func newServer() *Server {
	s := &Server{
		mux:      http.NewServeMux(),
		done:     make(chan struct{}),
		logins:   map[string]*login{},
		phones:   map[string]*phoneCode{},
		tokens:   map[string]bool{},
		failures: map[string][]failure{},
		faceRets: map[string]int{},
		verifies: map[string]*verification{},
		seqNos:   map[string]bool{},
		calls:    map[string]int{},
	}
	s.routes()
	return s
}

// URL returns the fake's base URL, e.g. http://127.0.0.1:12345 ("" for a
// fake made by NewHandler).
func (s *Server) URL() string {
	if s.srv == nil {
		return ""
	}
	return s.srv.URL
}

// Handler returns the fake's HTTP handler.
func (s *Server) Handler() http.Handler { return s.mux }

// Close aborts delayed requests and stops the server.
func (s *Server) Close() {
	s.once.Do(func() { close(s.done) })
	if s.srv != nil {
		s.srv.Close()
	}
}

// SetCredentials makes the fake accept only this app ID and secret (errcodes
// 40013 and 40125 otherwise). By default any app ID and secret are accepted.
func (s *Server) SetCredentials(appID, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.appID, s.secret = appID, secret
}

// AddLoginCode registers a wx.login code for a user. The code is usable
// once: jscode2session answers 40163 on the second use; unknown codes get
// 40029.
func (s *Server) AddLoginCode(code, openID, unionID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logins[code] = &login{openID: openID, unionID: unionID}
}

// SetAutoLogin makes jscode2session accept unregistered codes (for dev mode
// and the playground): the openid is derived from the code, so the same code
// always logs in the same user, and such codes may be reused. Unknown phone
// codes likewise yield a number derived from the code. Registered codes keep
// their single-use rule.
func (s *Server) SetAutoLogin(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.autoLogin = on
}

// AutoOpenID returns the openid SetAutoLogin derives from code.
func AutoOpenID(code string) string {
	sum := sha256.Sum256([]byte("openid:" + code))
	return "ofake" + base64.RawURLEncoding.EncodeToString(sum[:])[:23]
}

// AddPhoneCode registers a getPhoneNumber code; it is usable once (40029
// afterwards and for unknown codes).
func (s *Server) AddPhoneCode(code, number string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.phones[code] = &phoneCode{number: number}
}

// ExpireTokens invalidates every access token issued so far: the next call
// carrying one gets errcode 40001, and stable_token then issues a new token.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.tokens {
		s.tokens[t] = false
	}
}

// AccessToken returns the token stable_token currently hands out ("" before
// the first).
func (s *Server) AccessToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

// TokenIssued returns how many distinct access tokens the fake has issued.
func (s *Server) TokenIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// SetLatency delays every response by d (requests whose client gives up are
// abandoned early). Zero removes the delay.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// FailNext makes the next request to path (e.g. "/sns/jscode2session")
// answer HTTP 200 with the given errcode. Calls queue up: two calls fail the
// next two requests.
func (s *Server) FailNext(path string, errcode int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[path] = append(s.failures[path], failure{errcode: errcode})
}

// FailNextStatus makes the next request to path answer with the given HTTP
// status (e.g. 502) and no JSON body.
func (s *Server) FailNextStatus(path string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[path] = append(s.failures[path], failure{status: status})
}

// SetFaceResult decides the verify_ret queryverifyinfo reports for the person
// with this ID number (default 10000, passed).
func (s *Server) SetFaceResult(certNo string, verifyRet int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faceRets[certNo] = verifyRet
}

// SentMessages returns the subscribe messages accepted so far, oldest first.
func (s *Server) SentMessages() []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SentMessage, len(s.sent))
	for i, m := range s.sent {
		m.Data = maps.Clone(m.Data)
		out[i] = m
	}
	return out
}

// Calls returns how many requests reached path, failed ones included.
func (s *Server) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

// issueToken mints a new valid token and makes it current. s.mu is held.
func (s *Server) issueToken() string {
	s.issued++
	t := fmt.Sprintf("fake-at-%d-%s", s.issued, randomHex(8))
	s.tokens[t] = true
	s.current = t
	return t
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
