package fake

import (
	"creditwater/wechat/wxerr"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// get and post call the fake and return the decoded JSON answer.
func get(t *testing.T, s *Server, path string, q url.Values) map[string]any {
	t.Helper()
	resp, err := http.Get(s.URL() + path + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, resp)
}

func post(t *testing.T, s *Server, path, token string, body any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	u := s.URL() + path
	if token != "" {
		u += "?access_token=" + url.QueryEscape(token)
	}
	resp, err := http.Post(u, "application/json", strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, resp)
}

func decode(t *testing.T, resp *http.Response) map[string]any {
	t.Helper()
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("decode (status %d): %v", resp.StatusCode, err)
	}
	return m
}

func errcode(m map[string]any) int {
	f, _ := m["errcode"].(float64)
	return int(f)
}

func stable(t *testing.T, s *Server, force bool) string {
	t.Helper()
	m := post(t, s, "/cgi-bin/stable_token", "", map[string]any{"grant_type": "client_credential", "appid": "wx1", "secret": "sec", "force_refresh": force})
	tok, _ := m["access_token"].(string)
	if tok == "" {
		t.Fatalf("stable_token = %v", m)
	}
	return tok
}

func loginQuery(code string) url.Values {
	return url.Values{"appid": {"wx1"}, "secret": {"sec"}, "js_code": {code}, "grant_type": {"authorization_code"}}
}

func TestFake(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		run  func(t *testing.T, s *Server) int // returns the final errcode
		want int
	}{
		{name: "code is single-use", want: wxerr.CodeUsed, run: func(t *testing.T, s *Server) int {
			s.AddLoginCode("c1", "o1", "")
			if m := get(t, s, "/sns/jscode2session", loginQuery("c1")); m["openid"] != "o1" {
				t.Fatalf("first use = %v", m)
			}
			return errcode(get(t, s, "/sns/jscode2session", loginQuery("c1")))
		}},
		{name: "unknown code", want: wxerr.InvalidCode, run: func(t *testing.T, s *Server) int {
			return errcode(get(t, s, "/sns/jscode2session", loginQuery("nope")))
		}},
		{name: "auto login is stable and reusable", run: func(t *testing.T, s *Server) int {
			s.SetAutoLogin(true)
			a := get(t, s, "/sns/jscode2session", loginQuery("alice"))
			b := get(t, s, "/sns/jscode2session", loginQuery("alice"))
			if a["openid"] != AutoOpenID("alice") || b["openid"] != a["openid"] {
				t.Errorf("openids %v, %v", a["openid"], b["openid"])
			}
			return errcode(b)
		}},
		{name: "wrong secret", want: wxerr.InvalidSecret, run: func(t *testing.T, s *Server) int {
			s.SetCredentials("wx1", "other")
			return errcode(get(t, s, "/sns/jscode2session", loginQuery("c")))
		}},
		{name: "stable token is reused until expired", run: func(t *testing.T, s *Server) int {
			a, b := stable(t, s, false), stable(t, s, false)
			if a != b || s.TokenIssued() != 1 {
				t.Errorf("tokens %q, %q, issued %d; want one token", a, b, s.TokenIssued())
			}
			s.ExpireTokens()
			if c := stable(t, s, false); c == a || s.TokenIssued() != 2 {
				t.Errorf("after expiry token %q (old %q), issued %d", c, a, s.TokenIssued())
			}
			if d := stable(t, s, true); s.TokenIssued() != 3 || d != s.AccessToken() {
				t.Errorf("force_refresh gave %q, issued %d; want a third, current token", d, s.TokenIssued())
			}
			return 0
		}},
		{name: "expired token is rejected", want: wxerr.InvalidCredential, run: func(t *testing.T, s *Server) int {
			tok := stable(t, s, false)
			s.ExpireTokens()
			return errcode(post(t, s, "/cgi-bin/message/subscribe/send", tok, map[string]any{"touser": "o", "template_id": "t"}))
		}},
		{name: "missing token", want: wxerr.MissingAccessToken, run: func(t *testing.T, s *Server) int {
			return errcode(post(t, s, "/cgi-bin/message/subscribe/send", "", map[string]any{}))
		}},
		{name: "failures queue per path", want: 0, run: func(t *testing.T, s *Server) int {
			s.FailNext("/sns/jscode2session", wxerr.SystemBusy)
			s.FailNext("/sns/jscode2session", 45011)
			s.SetAutoLogin(true)
			for _, want := range []int{wxerr.SystemBusy, 45011} {
				if got := errcode(get(t, s, "/sns/jscode2session", loginQuery("x"))); got != want {
					t.Errorf("errcode = %d, want %d", got, want)
				}
			}
			if n := s.Calls("/sns/jscode2session"); n != 2 {
				t.Errorf("calls = %d, want 2", n)
			}
			return errcode(get(t, s, "/sns/jscode2session", loginQuery("x")))
		}},
		{name: "out_seq_no is unique", want: wxerr.InvalidArgs, run: func(t *testing.T, s *Server) int {
			tok := stable(t, s, false)
			body := map[string]any{"out_seq_no": "seq-0001", "openid": "o", "cert_info": map[string]any{"cert_type": "IDENTITY_CARD", "cert_name": "n", "cert_no": "1"}}
			if m := post(t, s, "/cityservice/face/identify/getverifyid", tok, body); m["verify_id"] == nil {
				t.Fatalf("first = %v", m)
			}
			return errcode(post(t, s, "/cityservice/face/identify/getverifyid", tok, body))
		}},
		{name: "query checks cert_hash", want: wxerr.IdentityMismatch, run: func(t *testing.T, s *Server) int {
			tok := stable(t, s, false)
			m := post(t, s, "/cityservice/face/identify/getverifyid", tok, map[string]any{"out_seq_no": "seq-0002", "openid": "o", "cert_info": map[string]any{"cert_type": "IDENTITY_CARD", "cert_name": "n", "cert_no": "1"}})
			q := map[string]any{"verify_id": m["verify_id"], "out_seq_no": "seq-0002", "openid": "o", "cert_hash": certHash("IDENTITY_CARD", "n", "2")}
			return errcode(post(t, s, "/cityservice/face/identify/queryverifyinfo", tok, q))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New()
			t.Cleanup(s.Close)
			if got := tt.run(t, s); got != tt.want {
				t.Errorf("errcode = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestSentMessagesAreCopies(t *testing.T) {
	t.Parallel()
	s := New()
	t.Cleanup(s.Close)
	tok := stable(t, s, false)
	m := post(t, s, "/cgi-bin/message/subscribe/send", tok, map[string]any{"touser": "o", "template_id": "t", "data": map[string]any{"thing1": map[string]any{"value": "hi"}}})
	if errcode(m) != 0 {
		t.Fatalf("send = %v", m)
	}
	sent := s.SentMessages()
	sent[0].Data["thing1"] = "changed"
	if got := s.SentMessages()[0].Data["thing1"]; got != "hi" {
		t.Errorf("recorded data = %q, want hi", got)
	}
}
