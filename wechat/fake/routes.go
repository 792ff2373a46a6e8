package fake

import (
	"creditwater/wechat/wxerr"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// routes registers every endpoint. Add new endpoints here.
func (s *Server) routes() {
	s.handle("GET /sns/jscode2session", s.queryGrant("authorization_code", s.code2Session))
	s.handle("GET /cgi-bin/token", s.queryGrant("client_credential", s.token))
	s.handle("POST /cgi-bin/stable_token", jsonLocked(s, s.stableToken))
	s.handle("POST /wxa/business/getuserphonenumber", s.withToken(jsonLocked(s, s.phoneNumber)))
	s.handle("POST /cgi-bin/message/subscribe/send", s.withToken(jsonLocked(s, s.subscribeSend)))
	s.handle("POST /cityservice/face/identify/getverifyid", s.withToken(jsonLocked(s, s.getVerifyID)))
	s.handle("POST /cityservice/face/identify/queryverifyinfo", s.withToken(jsonLocked(s, s.queryVerifyInfo)))
	s.handle("POST /cgi-bin/menu/create", s.withToken(s.menuCreate))
}

// handle registers h under pattern ("METHOD /path") behind the common
// middleware: call counting, latency and injected failures.
func (s *Server) handle(pattern string, h http.HandlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		s.mu.Lock()
		s.calls[path]++
		latency := s.latency
		var f failure
		failing := len(s.failures[path]) > 0
		if failing {
			f = s.failures[path][0]
			s.failures[path] = s.failures[path][1:]
		}
		s.mu.Unlock()
		if latency > 0 {
			t := time.NewTimer(latency)
			defer t.Stop()
			select {
			case <-t.C:
			case <-r.Context().Done():
				return
			case <-s.done:
				return
			}
		}
		if failing {
			if f.status != 0 {
				http.Error(w, http.StatusText(f.status), f.status)
				return
			}
			writeErr(w, f.errcode, "injected failure")
			return
		}
		h(w, r)
	})
}

// withToken checks the access_token query parameter before h runs.
func (s *Server) withToken(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := r.URL.Query().Get("access_token")
		if token == "" {
			writeErr(w, wxerr.MissingAccessToken, "access_token missing")
			return
		}
		s.mu.Lock()
		valid := s.tokens[token]
		s.mu.Unlock()
		if !valid {
			writeErr(w, wxerr.InvalidCredential, "invalid credential, access_token is invalid or not latest")
			return
		}
		h(w, r)
	}
}

// jsonLocked decodes the request body into a new T and runs h on it with
// s.mu held; a malformed body is answered with wxerr.InvalidArgs.
func jsonLocked[T any](s *Server, h func(w http.ResponseWriter, in *T)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in T
		if !readJSON(w, r, &in) {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		h(w, &in)
	}
}

// queryGrant checks the app credentials and grant type (want) in the query
// and runs h on the query with s.mu held.
func (s *Server) queryGrant(want string, h func(w http.ResponseWriter, q url.Values)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.checkGrant(w, q.Get("appid"), q.Get("secret"), q.Get("grant_type"), want) {
			h(w, q)
		}
	}
}

// checkGrant validates an app ID, secret and grant type (want); on a
// mismatch it writes the errcode and reports false. s.mu is held.
func (s *Server) checkGrant(w http.ResponseWriter, appID, secret, grantType, want string) bool {
	code := 0
	switch {
	case appID == "":
		code = wxerr.MissingAppID
	case s.appID == "":
	case appID != s.appID:
		code = wxerr.InvalidAppID
	case secret == "":
		code = wxerr.MissingSecret
	case secret != s.secret:
		code = wxerr.InvalidSecret
	}
	if code != 0 {
		writeErr(w, code, "invalid app credentials")
		return false
	}
	if grantType != want {
		writeErr(w, wxerr.InvalidGrantType, "invalid grant_type")
		return false
	}
	return true
}

func (s *Server) code2Session(w http.ResponseWriter, q url.Values) {
	code := q.Get("js_code")
	if code == "" {
		writeErr(w, wxerr.MissingCode, "missing code")
		return
	}
	l, ok := s.logins[code]
	switch {
	case !ok && s.autoLogin:
		l = &login{openID: AutoOpenID(code)}
	case !ok:
		writeErr(w, wxerr.InvalidCode, "invalid code")
		return
	case l.used:
		writeErr(w, wxerr.CodeUsed, "code been used")
		return
	default:
		l.used = true
	}
	writeJSON(w, map[string]any{
		"openid":      l.openID,
		"unionid":     l.unionID,
		"session_key": base64.StdEncoding.EncodeToString([]byte(randomHex(8))),
	})
}

func (s *Server) token(w http.ResponseWriter, _ url.Values) {
	writeJSON(w, map[string]any{"access_token": s.issueToken(), "expires_in": int(TokenTTL.Seconds())})
}

// stableToken hands out the current token while it is valid, like WeChat's
// stable_token without force_refresh.
func (s *Server) stableToken(w http.ResponseWriter, in *struct {
	GrantType    string `json:"grant_type"`
	AppID        string `json:"appid"`
	Secret       string `json:"secret"`
	ForceRefresh bool   `json:"force_refresh"`
}) {
	if !s.checkGrant(w, in.AppID, in.Secret, in.GrantType, "client_credential") {
		return
	}
	token := s.current
	if in.ForceRefresh || !s.tokens[token] {
		token = s.issueToken()
	}
	writeJSON(w, map[string]any{"access_token": token, "expires_in": int(TokenTTL.Seconds())})
}

func (s *Server) phoneNumber(w http.ResponseWriter, in *struct {
	Code string `json:"code"`
}) {
	p, ok := s.phones[in.Code]
	switch {
	case !ok && s.autoLogin && in.Code != "":
		sum := sha256.Sum256([]byte("phone:" + in.Code))
		p = &phoneCode{number: fmt.Sprintf("139%08d", binary.BigEndian.Uint32(sum[:4])%100000000)}
	case !ok || p.used:
		writeErr(w, wxerr.InvalidCode, "invalid code")
		return
	default:
		p.used = true
	}
	writeJSON(w, map[string]any{
		"errcode": 0,
		"errmsg":  "ok",
		"phone_info": map[string]any{
			"phoneNumber":     p.number,
			"purePhoneNumber": p.number,
			"countryCode":     "86",
			"watermark":       map[string]any{"appid": s.appID, "timestamp": time.Now().Unix()},
		},
	})
}

func (s *Server) subscribeSend(w http.ResponseWriter, in *struct {
	ToUser     string `json:"touser"`
	TemplateID string `json:"template_id"`
	Page       string `json:"page"`
	Data       map[string]struct {
		Value any `json:"value"`
	} `json:"data"`
	State string `json:"miniprogram_state"`
	Lang  string `json:"lang"`
}) {
	switch {
	case in.ToUser == "":
		writeErr(w, wxerr.InvalidOpenID, "invalid openid")
		return
	case in.TemplateID == "":
		writeErr(w, wxerr.InvalidTemplateID, "invalid template_id")
		return
	}
	msg := SentMessage{ToUser: in.ToUser, TemplateID: in.TemplateID, Page: in.Page, State: in.State, Lang: in.Lang, Data: map[string]string{}}
	for k, v := range in.Data {
		msg.Data[k] = fmt.Sprint(v.Value)
	}
	s.sent = append(s.sent, msg)
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": len(s.sent)})
}

var outSeqNoPattern = regexp.MustCompile(`^[0-9A-Za-z_-]{5,32}$`)

func (s *Server) getVerifyID(w http.ResponseWriter, in *struct {
	OutSeqNo string `json:"out_seq_no"`
	CertInfo struct {
		Type string `json:"cert_type"`
		Name string `json:"cert_name"`
		No   string `json:"cert_no"`
	} `json:"cert_info"`
	OpenID string `json:"openid"`
}) {
	c := in.CertInfo
	if !outSeqNoPattern.MatchString(in.OutSeqNo) || c.Type != "IDENTITY_CARD" || c.Name == "" || c.No == "" || in.OpenID == "" {
		writeErr(w, wxerr.InvalidArgs, "invalid args")
		return
	}
	if s.seqNos[in.OutSeqNo] {
		writeErr(w, wxerr.InvalidArgs, "out_seq_no duplicated")
		return
	}
	s.seqNos[in.OutSeqNo] = true
	id := "fakevid_" + randomHex(16)
	s.verifies[id] = &verification{
		outSeqNo: in.OutSeqNo,
		certHash: certHash(c.Type, c.Name, c.No),
		openID:   in.OpenID,
		certNo:   c.No,
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "verify_id": id, "expires_in": 3600})
}

func (s *Server) queryVerifyInfo(w http.ResponseWriter, in *struct {
	VerifyID string `json:"verify_id"`
	OutSeqNo string `json:"out_seq_no"`
	CertHash string `json:"cert_hash"`
	OpenID   string `json:"openid"`
}) {
	v, ok := s.verifies[in.VerifyID]
	switch {
	case !ok:
		writeErr(w, wxerr.VerifyIDInvalid, "invalid verify_id")
		return
	case v.used:
		writeErr(w, wxerr.VerifyIDUsed, "verify_id already used")
		return
	case in.OutSeqNo != v.outSeqNo || in.CertHash != v.certHash || in.OpenID != v.openID:
		writeErr(w, wxerr.IdentityMismatch, "out_seq_no, cert_hash or openid mismatch")
		return
	}
	v.used = true
	ret, ok := s.faceRets[v.certNo]
	if !ok {
		ret = VerifyPassed
	}
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "verify_ret": ret})
}

// certHash is WeChat's cert_hash, computed here independently of package wechat.
func certHash(certType, name, no string) string {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	sum := sha256.Sum256([]byte(strings.Join([]string{
		"cert_type=" + b64(certType),
		"cert_name=" + b64(name),
		"cert_no=" + b64(no),
	}, "&")))
	return hex.EncodeToString(sum[:])
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		writeErr(w, wxerr.InvalidArgs, "data format error")
		return false
	}
	return true
}

func writeErr(w http.ResponseWriter, errcode int, msg string) {
	writeJSON(w, map[string]any{"errcode": errcode, "errmsg": fmt.Sprintf("%s, rid: %s", msg, randomHex(4))})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}
