package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/util"

	"creditwater/apperr"
	"creditwater/wechat/fake"
	"creditwater/wechat/wxerr"
)

// The tests of this file must not call t.Parallel either: NewOfficialAccount
// swaps the SDK's global HTTP client.

const (
	testOAAppID   = "wxoa00000000000001"
	testOASecret  = "oa-s3cr3t-do-not-leak-2b9d"
	testOAToken   = "oaT0kenDoNotLeak"
	testMPAppID   = "wxmp00000000000001"
	testOAID      = "gh_0123456789ab"
	testOpenID    = "oUser0000000000000000000001"
	menuFile      = "../config/menu.json"
	successAnswer = "success"
)

// oaEnv is one test's world: a fake WeChat, a Redis, the menu of
// config/menu.json and an OfficialAccount whose handler records its calls.
type oaEnv struct {
	fake   *fake.Server
	mr     *miniredis.Miniredis
	rdb    *redis.Client
	prefix string
	logs   *syncBuffer
	cfg    OAConfig
	cb     fake.OACallback
	menu   Menu
	oa     *OfficialAccount

	mu     sync.Mutex
	events []Event
	fail   error // returned by the handler when set
}

func newOAEnv(t *testing.T, mods ...func(*OAConfig)) *oaEnv {
	t.Helper()
	return newOAEnvWith(t, nil, mods...)
}

// plainMode configures plain mode only: no EncodingAESKey, AllowPlain set.
func plainMode(c *OAConfig) { c.EncodingAESKey, c.AllowPlain = "", true }

// newOAEnvWith is newOAEnv with the Deduper passed through wrap (nil: as is).
func newOAEnvWith(t *testing.T, wrap func(Deduper) Deduper, mods ...func(*OAConfig)) *oaEnv {
	t.Helper()
	f, mr, rdb := fakeAndRedis(t, testOAAppID, testOASecret)
	m, err := LoadMenuFile(menuFile)
	if err != nil {
		t.Fatalf("LoadMenuFile: %v", err)
	}
	aesKey := fake.NewAESKey()
	e := &oaEnv{
		fake:   f,
		mr:     mr,
		rdb:    rdb,
		prefix: randomPrefix(),
		logs:   &syncBuffer{},
		cfg: OAConfig{
			AppID: testOAAppID, AppSecret: testOASecret, Token: testOAToken, EncodingAESKey: aesKey,
			MiniProgramAppID: testMPAppID, Timeout: 5 * time.Second, BaseURL: f.URL(),
		},
		cb:   fake.OACallback{Token: testOAToken, AESKey: aesKey, AppID: testOAAppID},
		menu: m,
	}
	for _, mod := range mods {
		mod(&e.cfg)
	}
	replies := MenuClickReplies(m)
	handler := EventHandlerFunc(func(ctx context.Context, ev Event) (string, error) {
		if _, ok := ctx.Deadline(); !ok {
			t.Errorf("handler context has no deadline")
		}
		e.mu.Lock()
		e.events = append(e.events, ev)
		fail := e.fail
		e.mu.Unlock()
		if fail != nil {
			return "", fail
		}
		return replies.HandleEvent(ctx, ev)
	})
	logger := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var dedup Deduper = NewRedisDeduper(rdb, e.prefix+"dedup:")
	if wrap != nil {
		dedup = wrap(dedup)
	}
	e.oa, err = NewOfficialAccount(e.cfg, NewTokenCache(rdb, e.prefix), dedup, handler, logger)
	if err != nil {
		t.Fatalf("NewOfficialAccount: %v", err)
	}
	return e
}

// wantCalls checks how many events the handler got.
func (e *oaEnv) wantCalls(t *testing.T, n int) {
	t.Helper()
	if got := len(e.handled()); got != n {
		t.Errorf("handler calls = %d, want %d", got, n)
	}
}

// wantLogged checks that the logs hold s.
func (e *oaEnv) wantLogged(t *testing.T, s string) {
	t.Helper()
	if !strings.Contains(e.logs.String(), s) {
		t.Errorf("logs lack %q:\n%s", s, e.logs.String())
	}
}

func (e *oaEnv) handled() []Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Event(nil), e.events...)
}

// serve sends one request to the server endpoint.
func (e *oaEnv) serve(method, query string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/wechat/oa?"+query, bytes.NewReader(body))
	req.Header.Set("Content-Type", "text/xml")
	rec := httptest.NewRecorder()
	e.oa.ServeHTTP(rec, req)
	return rec
}

// textReply is a passive text reply.
type textReply struct {
	ToUserName   string `xml:"ToUserName"`
	FromUserName string `xml:"FromUserName"`
	CreateTime   int64  `xml:"CreateTime"`
	MsgType      string `xml:"MsgType"`
	Content      string `xml:"Content"`
}

func parseReply(t *testing.T, body string) textReply {
	t.Helper()
	var r textReply
	if err := xml.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("reply %q is not XML: %v", body, err)
	}
	return r
}

// R6.4: WeChat's server verification GET is echoed only with a valid
// signature.
func TestOAServerVerification_R6_4(t *testing.T) {
	e := newOAEnv(t)
	valid := e.cb.Verification("echo-123456")
	withParam := func(k, v string) string {
		q, _ := url.ParseQuery(valid)
		q.Set(k, v)
		return q.Encode()
	}
	without := func(k string) string {
		q, _ := url.ParseQuery(valid)
		q.Del(k)
		return q.Encode()
	}
	tests := []struct {
		name       string
		method     string
		query      string
		wantStatus int
		wantBody   string
	}{
		{name: "signed GET is echoed", method: http.MethodGet, query: valid, wantStatus: http.StatusOK, wantBody: "echo-123456"},
		{name: "wrong token", method: http.MethodGet, query: fake.OACallback{Token: "other"}.Verification("echo-123456"), wantStatus: http.StatusForbidden, wantBody: "invalid signature"},
		{name: "bad signature", method: http.MethodGet, query: withParam("signature", strings.Repeat("0", 40)), wantStatus: http.StatusForbidden, wantBody: "invalid signature"},
		{name: "uppercase signature", method: http.MethodGet, query: withParam("signature", strings.ToUpper(func() string { q, _ := url.ParseQuery(valid); return q.Get("signature") }())), wantStatus: http.StatusForbidden, wantBody: "invalid signature"},
		{name: "tampered timestamp", method: http.MethodGet, query: withParam("timestamp", "1"), wantStatus: http.StatusForbidden, wantBody: "invalid signature"},
		{name: "missing signature", method: http.MethodGet, query: without("signature"), wantStatus: http.StatusForbidden, wantBody: "invalid signature"},
		{name: "missing nonce", method: http.MethodGet, query: without("nonce"), wantStatus: http.StatusForbidden, wantBody: "invalid signature"},
		{name: "no query at all", method: http.MethodGet, query: "", wantStatus: http.StatusForbidden, wantBody: "invalid signature"},
		{name: "signed but no echostr", method: http.MethodGet, query: without("echostr"), wantStatus: http.StatusBadRequest, wantBody: "echostr missing"},
		{name: "other method", method: http.MethodPut, query: valid, wantStatus: http.StatusMethodNotAllowed, wantBody: "method not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.serve(tt.method, tt.query, nil)
			if rec.Code != tt.wantStatus || rec.Body.String() != tt.wantBody {
				t.Errorf("answer = %d %q, want %d %q", rec.Code, rec.Body.String(), tt.wantStatus, tt.wantBody)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type = %q, want text/plain", ct)
			}
		})
	}
	if n := len(e.handled()); n != 0 {
		t.Errorf("handler called %d times by verification requests", n)
	}
}

// R6.4: plain-mode pushes are answered from the menu file; unsigned ones are
// refused and not processed.
func TestOAPlainPush_R6_4(t *testing.T) {
	e := newOAEnv(t, plainMode)
	help := e.menu.Help
	helpReply := e.menu.clickReplies()["HELP"]
	if !strings.Contains(helpReply, "信用办水") {
		t.Fatalf("HELP reply of %s = %q, want the 信用办水 guide", menuFile, helpReply)
	}
	now := time.Now().Unix()
	tests := []struct {
		name       string
		query      string
		body       string
		wantStatus int
		wantText   string // "" expects the plain "success"
		wantBody   string // for non-200 answers
		wantCalls  int
		wantEvent  Event
	}{
		{
			name: "CLICK HELP answered with the menu's text", query: e.cb.Plain(),
			body:       fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now),
			wantStatus: http.StatusOK, wantText: helpReply, wantCalls: 1,
			wantEvent: Event{FromUser: testOpenID, ToUser: testOAID, Type: EventClick, EventKey: "HELP", CreateTime: time.Unix(now, 0).UTC()},
		},
		{
			name: "unknown CLICK key gets the help text", query: e.cb.Plain(),
			body:       fake.EventXML(testOAID, testOpenID, "CLICK", "NO_SUCH_KEY", now),
			wantStatus: http.StatusOK, wantText: help, wantCalls: 1,
			wantEvent: Event{FromUser: testOpenID, ToUser: testOAID, Type: EventClick, EventKey: "NO_SUCH_KEY", CreateTime: time.Unix(now, 0).UTC()},
		},
		{
			name: "subscribe gets the welcome", query: e.cb.Plain(),
			body:       fake.EventXML(testOAID, testOpenID, "subscribe", "", now),
			wantStatus: http.StatusOK, wantText: e.menu.Welcome, wantCalls: 1,
			wantEvent: Event{FromUser: testOpenID, ToUser: testOAID, Type: EventSubscribe, CreateTime: time.Unix(now, 0).UTC()},
		},
		{
			name: "text message gets the help text", query: e.cb.Plain(),
			body:       fake.TextXML(testOAID, testOpenID, "你好", 7001, now),
			wantStatus: http.StatusOK, wantText: help, wantCalls: 1,
			wantEvent: Event{FromUser: testOpenID, ToUser: testOAID, Type: MessageText, Content: "你好", MsgID: 7001, CreateTime: time.Unix(now, 0).UTC()},
		},
		{
			name: "mini-program button tap needs no reply", query: e.cb.Plain(),
			body:       fake.EventXML(testOAID, testOpenID, "view_miniprogram", "pages/apply/index", now),
			wantStatus: http.StatusOK, wantCalls: 1,
			wantEvent: Event{FromUser: testOpenID, ToUser: testOAID, Type: EventViewMiniProgram, EventKey: "pages/apply/index", CreateTime: time.Unix(now, 0).UTC()},
		},
		{
			name: "bad signature is refused", query: fake.OACallback{Token: "other"}.Plain(),
			body:       fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now),
			wantStatus: http.StatusForbidden, wantBody: "invalid signature",
		},
		{
			name: "unsigned is refused", query: "",
			body:       fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now),
			wantStatus: http.StatusForbidden, wantBody: "invalid signature",
		},
		{
			name: "malformed XML", query: e.cb.Plain(), body: "<xml><FromUserName>",
			wantStatus: http.StatusBadRequest, wantBody: "malformed message",
		},
		{
			name: "no sender", query: e.cb.Plain(), body: fake.EventXML(testOAID, "", "CLICK", "HELP", now),
			wantStatus: http.StatusBadRequest, wantBody: "malformed message",
		},
		{
			name: "unknown encrypt_type", query: e.cb.Plain() + "&encrypt_type=rot13", body: fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now),
			wantStatus: http.StatusBadRequest, wantBody: "unsupported encrypt_type",
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(e.handled())
			// Distinct senders keep the cases apart for duplicate detection.
			body := strings.Replace(tt.body, testOpenID, testOpenID+string(rune('a'+i)), 1)
			rec := e.serve(http.MethodPost, tt.query, []byte(body))
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d (%q), want %d", rec.Code, rec.Body.String(), tt.wantStatus)
			}
			calls := e.handled()[before:]
			if len(calls) != tt.wantCalls {
				t.Fatalf("handler calls = %d, want %d", len(calls), tt.wantCalls)
			}
			switch {
			case tt.wantStatus != http.StatusOK:
				if rec.Body.String() != tt.wantBody {
					t.Errorf("body = %q, want %q", rec.Body.String(), tt.wantBody)
				}
				return
			case tt.wantText == "":
				if rec.Body.String() != successAnswer {
					t.Errorf("body = %q, want %q", rec.Body.String(), successAnswer)
				}
			default:
				r := parseReply(t, rec.Body.String())
				want := textReply{ToUserName: testOpenID + string(rune('a'+i)), FromUserName: testOAID, MsgType: "text", Content: tt.wantText, CreateTime: r.CreateTime}
				if r != want || r.CreateTime == 0 {
					t.Errorf("reply = %+v, want %+v", r, want)
				}
			}
			want := tt.wantEvent
			want.FromUser += string(rune('a' + i))
			if calls[0] != want {
				t.Errorf("event = %+v, want %+v", calls[0], want)
			}
		})
	}
}

// R6.4: safe-mode (AES) pushes are verified by msg_signature, decrypted, and
// answered encrypted.
func TestOAEncryptedPush_R6_4(t *testing.T) {
	e := newOAEnv(t)
	helpReply := e.menu.clickReplies()["HELP"]
	now := time.Now().Unix()

	t.Run("CLICK answered encrypted", func(t *testing.T) {
		query, body, err := e.cb.Encrypted(fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now))
		if err != nil {
			t.Fatal(err)
		}
		rec := e.serve(http.MethodPost, query, body)
		if rec.Code != http.StatusOK {
			t.Fatalf("status = %d (%q)", rec.Code, rec.Body.String())
		}
		if strings.Contains(rec.Body.String(), "信用") || strings.Contains(rec.Body.String(), testOpenID) {
			t.Fatalf("safe-mode reply carries plain text: %q", rec.Body.String())
		}
		inner, err := e.cb.OpenReply(rec.Body.Bytes())
		if err != nil {
			t.Fatalf("OpenReply: %v (body %q)", err, rec.Body.String())
		}
		r := parseReply(t, inner)
		if r.Content != helpReply || r.ToUserName != testOpenID || r.FromUserName != testOAID || r.MsgType != "text" {
			t.Errorf("decrypted reply = %+v, want the HELP text to %s", r, testOpenID)
		}
		if got := e.handled(); len(got) != 1 || got[0].Type != EventClick || got[0].EventKey != "HELP" {
			t.Errorf("handled = %+v, want one CLICK HELP", got)
		}
	})

	t.Run("no reply is a plain success", func(t *testing.T) {
		query, body, err := e.cb.Encrypted(fake.EventXML(testOAID, testOpenID, "unsubscribe", "", now))
		if err != nil {
			t.Fatal(err)
		}
		if rec := e.serve(http.MethodPost, query, body); rec.Code != http.StatusOK || rec.Body.String() != successAnswer {
			t.Errorf("answer = %d %q, want 200 success", rec.Code, rec.Body.String())
		}
	})

	otherKey := fake.OACallback{Token: testOAToken, AESKey: fake.NewAESKey(), AppID: testOAAppID}
	otherApp := fake.OACallback{Token: testOAToken, AESKey: e.cfg.EncodingAESKey, AppID: "wxother00000000001"}
	refused := []struct {
		name       string
		build      func(t *testing.T) (string, []byte)
		wantStatus int
		wantBody   string
	}{
		{
			name: "msg_signature over another ciphertext",
			build: func(t *testing.T) (string, []byte) {
				q1, _, _ := e.cb.Encrypted(fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now+1))
				_, b2, _ := e.cb.Encrypted(fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now+2))
				return q1, b2
			},
			wantStatus: http.StatusForbidden, wantBody: "invalid signature",
		},
		{
			name: "missing msg_signature",
			build: func(t *testing.T) (string, []byte) {
				q, b, _ := e.cb.Encrypted(fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now+3))
				v, _ := url.ParseQuery(q)
				v.Del("msg_signature")
				return v.Encode(), b
			},
			wantStatus: http.StatusForbidden, wantBody: "invalid signature",
		},
		{
			name: "bad plain signature next to a good msg_signature",
			build: func(t *testing.T) (string, []byte) {
				q, b, _ := e.cb.Encrypted(fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now+4))
				v, _ := url.ParseQuery(q)
				v.Set("signature", strings.Repeat("a", 40))
				return v.Encode(), b
			},
			wantStatus: http.StatusForbidden, wantBody: "invalid signature",
		},
		{
			name: "signed by another token",
			build: func(t *testing.T) (string, []byte) {
				q, b, _ := fake.OACallback{Token: "other", AESKey: e.cfg.EncodingAESKey, AppID: testOAAppID}.Encrypted(fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now+5))
				return q, b
			},
			wantStatus: http.StatusForbidden, wantBody: "invalid signature",
		},
		{
			name: "encrypted with another key",
			build: func(t *testing.T) (string, []byte) {
				q, b, _ := otherKey.Encrypted(fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now+6))
				return q, b
			},
			wantStatus: http.StatusBadRequest, wantBody: "cannot decrypt message",
		},
		{
			name: "encrypted for another app",
			build: func(t *testing.T) (string, []byte) {
				q, b, _ := otherApp.Encrypted(fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now+7))
				return q, b
			},
			wantStatus: http.StatusBadRequest, wantBody: "cannot decrypt message",
		},
		{
			name: "no Encrypt element",
			build: func(t *testing.T) (string, []byte) {
				q, _, _ := e.cb.Encrypted(fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now+8))
				return q, []byte(fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now+8))
			},
			wantStatus: http.StatusBadRequest, wantBody: "malformed message",
		},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			before := len(e.handled())
			q, b := tt.build(t)
			rec := e.serve(http.MethodPost, q, b)
			if rec.Code != tt.wantStatus || rec.Body.String() != tt.wantBody {
				t.Errorf("answer = %d %q, want %d %q", rec.Code, rec.Body.String(), tt.wantStatus, tt.wantBody)
			}
			if n := len(e.handled()) - before; n != 0 {
				t.Errorf("handler called %d times", n)
			}
		})
	}

	t.Run("safe mode without a configured key", func(t *testing.T) {
		plainOnly := newOAEnv(t, func(c *OAConfig) { c.EncodingAESKey = "" })
		q, b, err := e.cb.Encrypted(fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now))
		if err != nil {
			t.Fatal(err)
		}
		if rec := plainOnly.serve(http.MethodPost, q, b); rec.Code != http.StatusInternalServerError {
			t.Errorf("status = %d, want 500", rec.Code)
		}
		if n := len(plainOnly.handled()); n != 0 {
			t.Errorf("handler called %d times", n)
		}
	})
}

// R6.4: WeChat's retries of one push are handled once; the repeats are
// answered "success".
func TestOADuplicateDelivery_R6_4(t *testing.T) {
	now := time.Now().Unix()
	tests := []struct {
		name      string
		first     string
		second    string
		safe      bool
		wantCalls int
	}{
		{name: "same CLICK event twice", first: fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now), second: fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now), wantCalls: 1},
		{name: "same encrypted event twice", first: fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now), second: fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now), safe: true, wantCalls: 1},
		{name: "same text message twice", first: fake.TextXML(testOAID, testOpenID, "你好", 42, now), second: fake.TextXML(testOAID, testOpenID, "你好", 42, now), wantCalls: 1},
		{name: "two clicks at different times", first: fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now), second: fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now+1), wantCalls: 2},
		{name: "two users in the same second", first: fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now), second: fake.EventXML(testOAID, testOpenID+"x", "CLICK", "HELP", now), wantCalls: 2},
		{name: "two messages", first: fake.TextXML(testOAID, testOpenID, "你好", 42, now), second: fake.TextXML(testOAID, testOpenID, "你好", 43, now), wantCalls: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newOAEnv(t)
			if !tt.safe {
				e = newOAEnv(t, plainMode)
			}
			send := func(x string) *httptest.ResponseRecorder {
				if !tt.safe {
					return e.serve(http.MethodPost, e.cb.Plain(), []byte(x))
				}
				q, b, err := e.cb.Encrypted(x)
				if err != nil {
					t.Fatal(err)
				}
				return e.serve(http.MethodPost, q, b)
			}
			first := send(tt.first)
			if first.Code != http.StatusOK || first.Body.String() == successAnswer {
				t.Fatalf("first answer = %d %q, want a reply", first.Code, first.Body.String())
			}
			second := send(tt.second)
			if second.Code != http.StatusOK {
				t.Fatalf("second status = %d", second.Code)
			}
			if got := len(e.handled()); got != tt.wantCalls {
				t.Errorf("handler calls = %d, want %d", got, tt.wantCalls)
			}
			if tt.wantCalls == 1 && second.Body.String() != successAnswer {
				t.Errorf("repeat answered %q, want %q", second.Body.String(), successAnswer)
			}
			if tt.wantCalls == 2 && second.Body.String() == successAnswer {
				t.Errorf("second, distinct push answered %q, want a reply", second.Body.String())
			}
		})
	}

	t.Run("concurrent repeats are handled once", func(t *testing.T) {
		e := newOAEnv(t, plainMode)
		x := fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now)
		var wg sync.WaitGroup
		answers := make([]string, 4)
		for i := range answers {
			wg.Go(func() { answers[i] = e.serve(http.MethodPost, e.cb.Plain(), []byte(x)).Body.String() })
		}
		wg.Wait()
		if got := len(e.handled()); got != 1 {
			t.Errorf("handler calls = %d, want 1", got)
		}
		successes := 0
		for _, a := range answers {
			if a == successAnswer {
				successes++
			}
		}
		if successes != len(answers)-1 {
			t.Errorf("answers = %q, want one reply and %d successes", answers, len(answers)-1)
		}
	})

	t.Run("duplicate check down: handled anyway and logged", func(t *testing.T) {
		// Only the delivery check fails; the replay check works.
		e := newOAEnvWith(t, func(d Deduper) Deduper { return failingDelivery{d} }, plainMode)
		x := fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now)
		for range 2 {
			if rec := e.serve(http.MethodPost, e.cb.Plain(), []byte(x)); rec.Code != http.StatusOK || rec.Body.String() == successAnswer {
				t.Fatalf("answer = %d %q, want a reply", rec.Code, rec.Body.String())
			}
		}
		e.wantCalls(t, 2) // at least once
		e.wantLogged(t, "duplicate check failed")
	})
}

func TestOAHandlerFailureAnswersSuccess(t *testing.T) {
	e := newOAEnv(t, plainMode)
	e.fail = apperr.New(apperr.Unavailable, "domain is down")
	rec := e.serve(http.MethodPost, e.cb.Plain(), []byte(fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", time.Now().Unix())))
	if rec.Code != http.StatusOK || rec.Body.String() != successAnswer {
		t.Errorf("answer = %d %q, want 200 success", rec.Code, rec.Body.String())
	}
	if logs := e.logs.String(); !strings.Contains(logs, "event handler failed") || !strings.Contains(logs, "UNAVAILABLE") {
		t.Errorf("logs lack the handler failure:\n%s", logs)
	}
}

func TestRedisDeduper(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr(), MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { _ = rdb.Close() })
	prefix := randomPrefix()
	d := NewRedisDeduper(rdb, prefix)
	tests := []struct {
		key     string
		ttl     time.Duration
		want    bool
		wantTTL time.Duration
	}{
		{key: "a", ttl: DedupTTL, want: false, wantTTL: DedupTTL},
		{key: "a", ttl: DedupTTL, want: true, wantTTL: DedupTTL},
		{key: "b", ttl: 0, want: false, wantTTL: DedupTTL},
		{key: "c", ttl: 5 * time.Second, want: false, wantTTL: 5 * time.Second},
	}
	for _, tt := range tests {
		seen, err := d.SeenBefore(t.Context(), tt.key, tt.ttl)
		if err != nil || seen != tt.want {
			t.Errorf("SeenBefore(%q) = %v, %v; want %v", tt.key, seen, err, tt.want)
		}
		if got := mr.TTL(prefix + tt.key); got != tt.wantTTL {
			t.Errorf("TTL(%q) = %v, want %v", tt.key, got, tt.wantTTL)
		}
	}
	mr.FastForward(DedupTTL + time.Second)
	if seen, _ := d.SeenBefore(t.Context(), "a", DedupTTL); seen {
		t.Errorf("key still seen after its TTL")
	}
	mr.Close()
	_, err := d.SeenBefore(t.Context(), "d", DedupTTL)
	wantCode(t, err, apperr.Unavailable)
}

// R6.4: the menu deep-links into the mini-program pages.
func TestPushMenu_R6_4(t *testing.T) {
	e := newOAEnv(t)
	if err := e.oa.PushMenu(t.Context(), e.menu); err != nil {
		t.Fatalf("PushMenu: %v", err)
	}
	var got struct {
		Button []struct {
			Type      string            `json:"type"`
			Name      string            `json:"name"`
			Key       string            `json:"key"`
			AppID     string            `json:"appid"`
			PagePath  string            `json:"pagepath"`
			URL       string            `json:"url"`
			SubButton []json.RawMessage `json:"sub_button"`
		} `json:"button"`
	}
	raw := e.fake.LastMenu()
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("LastMenu %q: %v", raw, err)
	}
	for _, page := range []string{"pages/apply/index", "pages/credit/report", "pages/credit/repair", "pages/credit/objection",
		"pages/apply/mine", "pages/usage/index", "pages/publicity/index"} {
		if !bytes.Contains(raw, []byte(`"pagepath":"`+page+`"`)) {
			t.Errorf("pushed menu lacks pagepath %s: %s", page, raw)
		}
	}
	if n := bytes.Count(raw, []byte(`"appid":"`+testMPAppID+`"`)); n != 7 {
		t.Errorf("pushed menu has %d buttons with the mini-program appid, want 7: %s", n, raw)
	}
	if len(got.Button) != 3 || got.Button[0].Name != "办水服务" || got.Button[2].Key != "HELP" {
		t.Errorf("pushed buttons = %+v", got.Button)
	}
	if bytes.Contains(raw, []byte("reply")) || bytes.Contains(raw, []byte("营业时间")) || bytes.Contains(raw, []byte("welcome")) {
		t.Errorf("pushed menu carries the server-side replies: %s", raw)
	}
}

func TestPushMenuErrors(t *testing.T) {
	const path = "/cgi-bin/menu/create"
	tests := []struct {
		name      string
		errcodes  []int
		mod       func(*OAConfig)
		want      apperr.Code
		wantField string
		wantCalls int
	}{
		{name: "40001 retried once", errcodes: []int{wxerr.InvalidCredential}, wantCalls: 2},
		{name: "42001 retried once", errcodes: []int{wxerr.AccessTokenExpired}, wantCalls: 2},
		{name: "40001 twice gives up", errcodes: []int{wxerr.InvalidCredential, wxerr.InvalidCredential}, want: apperr.Unavailable, wantCalls: 2},
		{name: "menu rejected", errcodes: []int{wxerr.InvalidButtonSize}, want: apperr.Invalid, wantField: "menu", wantCalls: 1},
		{name: "page path rejected", errcodes: []int{wxerr.InvalidPagePath}, want: apperr.Invalid, wantField: "pagepath", wantCalls: 1},
		{name: "not allowed", errcodes: []int{48001}, want: apperr.FailedPrecondition, wantCalls: 1},
		{name: "busy", errcodes: []int{wxerr.SystemBusy}, want: apperr.Unavailable, wantCalls: 1},
		{name: "rate limited", errcodes: []int{45011}, want: apperr.RateLimited, wantCalls: 1},
		{name: "no mini-program configured", mod: func(c *OAConfig) { c.MiniProgramAppID = "" }, want: apperr.Invalid, wantField: "MiniProgramAppID", wantCalls: 0},
		{name: "wrong secret", mod: func(c *OAConfig) { c.AppSecret = "wrong" }, want: apperr.Internal, wantCalls: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mods []func(*OAConfig)
			if tt.mod != nil {
				mods = append(mods, tt.mod)
			}
			e := newOAEnv(t, mods...)
			for _, c := range tt.errcodes {
				e.fake.FailNext(path, c)
			}
			err := e.oa.PushMenu(t.Context(), e.menu)
			if ae := wantCode(t, err, tt.want); ae != nil && tt.wantField != "" && ae.Field != tt.wantField {
				t.Errorf("field = %q, want %q", ae.Field, tt.wantField)
			}
			if got := e.fake.Calls(path); got != tt.wantCalls {
				t.Errorf("menu/create calls = %d, want %d", got, tt.wantCalls)
			}
			if tt.want == "" && !bytes.Contains(e.fake.LastMenu(), []byte("pages/apply/index")) {
				t.Errorf("LastMenu = %s, want the menu", e.fake.LastMenu())
			}
			if tt.want != "" && e.fake.LastMenu() != nil {
				t.Errorf("a failed push left a menu: %s", e.fake.LastMenu())
			}
		})
	}
}

// An expired token is dropped from the shared cache and replaced.
func TestPushMenuRefreshesExpiredToken(t *testing.T) {
	e := newOAEnv(t)
	if err := e.oa.PushMenu(t.Context(), e.menu); err != nil {
		t.Fatalf("first push: %v", err)
	}
	e.fake.ExpireTokens()
	if err := e.oa.PushMenu(t.Context(), e.menu); err != nil {
		t.Fatalf("push after expiry: %v", err)
	}
	if got := e.fake.TokenIssued(); got != 2 {
		t.Errorf("tokens issued = %d, want 2", got)
	}
	if got := e.fake.Calls("/cgi-bin/menu/create"); got != 3 {
		t.Errorf("menu/create calls = %d, want 3 (ok, rejected, retried)", got)
	}
	if got, _ := e.rdb.Get(t.Context(), e.prefix+oaTokenKey(testOAAppID)).Result(); got != e.fake.AccessToken() {
		t.Errorf("cached token = %q, want the fresh %q", got, e.fake.AccessToken())
	}
}

func TestNewOfficialAccount(t *testing.T) {
	e := newOAEnv(t)
	cache := NewTokenCache(e.rdb, e.prefix)
	good := e.cfg
	tests := []struct {
		name      string
		mod       func(*OAConfig)
		cache     *TokenCache
		wantField string
	}{
		{name: "complete", cache: cache},
		{name: "plain mode only", mod: func(c *OAConfig) { c.EncodingAESKey = "" }, cache: cache},
		{name: "fake without secret", mod: func(c *OAConfig) { c.AppSecret = "" }, cache: cache},
		{name: "no app ID", mod: func(c *OAConfig) { c.AppID = "" }, cache: cache, wantField: "AppID"},
		{name: "no secret for real WeChat", mod: func(c *OAConfig) { c.AppSecret = ""; c.BaseURL = "" }, cache: cache, wantField: "AppSecret"},
		{name: "no token", mod: func(c *OAConfig) { c.Token = "" }, cache: cache, wantField: "Token"},
		{name: "short AES key", mod: func(c *OAConfig) { c.EncodingAESKey = "abc" }, cache: cache, wantField: "EncodingAESKey"},
		{name: "AES key not base64", mod: func(c *OAConfig) { c.EncodingAESKey = strings.Repeat("!", 43) }, cache: cache, wantField: "EncodingAESKey"},
		{name: "malformed mini-program app ID", mod: func(c *OAConfig) { c.MiniProgramAppID = "app" }, cache: cache, wantField: "MiniProgramAppID"},
		{name: "relative base URL", mod: func(c *OAConfig) { c.BaseURL = "localhost:1" }, cache: cache, wantField: "BaseURL"},
		{name: "no cache", wantField: "cache"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			if tt.mod != nil {
				tt.mod(&cfg)
			}
			oa, err := NewOfficialAccount(cfg, tt.cache, nil, nil, nil)
			if wantFieldError(t, err, tt.wantField) {
				return
			}
			if util.DefaultHTTPClient != oa.http {
				t.Errorf("NewOfficialAccount did not install its HTTP client as the SDK's global")
			}
		})
	}
}

func TestOANoSecretsInLogsOrErrors(t *testing.T) {
	e := newOAEnv(t)
	e.fake.FailNext("/cgi-bin/menu/create", wxerr.SystemBusy)
	err := e.oa.PushMenu(t.Context(), e.menu)
	wantCode(t, err, apperr.Unavailable)
	e.fake.FailNextStatus("/cgi-bin/menu/create", http.StatusBadGateway)
	err2 := e.oa.PushMenu(t.Context(), e.menu)
	wantCode(t, err2, apperr.Unavailable)
	q, b, _ := fake.OACallback{Token: testOAToken, AESKey: fake.NewAESKey(), AppID: testOAAppID}.Encrypted(fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", 1))
	e.serve(http.MethodPost, q, b)
	e.serve(http.MethodPost, e.cb.Plain(), []byte(fake.TextXML(testOAID, testOpenID, "秘密内容", 9, 1)))
	e.serve(http.MethodGet, "signature=x&timestamp=1&nonce=2&echostr=3", nil)

	secrets := []string{testOASecret, testOAToken, e.cfg.EncodingAESKey, e.fake.AccessToken(), testOpenID, "秘密内容"}
	texts := []string{e.logs.String(), err.Error(), err2.Error(), e.cfg.String()}
	for _, s := range secrets {
		for i, text := range texts {
			if strings.Contains(text, s) {
				t.Errorf("text %d contains %q:\n%s", i, s, text)
			}
		}
	}
	var ue *upstreamError
	if !errors.As(err, &ue) || ue.errcode != wxerr.SystemBusy {
		t.Errorf("cause = %v, want the errcode", err)
	}
}

// failingDelivery is a Deduper whose delivery checks (MsgId, event) fail
// while the replay checks reach the wrapped Deduper.
type failingDelivery struct{ Deduper }

func (f failingDelivery) SeenBefore(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if strings.Contains(key, ":msg:") || strings.Contains(key, ":evt:") {
		return false, apperr.New(apperr.Unavailable, "dedup store down")
	}
	return f.Deduper.SeenBefore(ctx, key, ttl)
}

// R6.4: a callback whose timestamp is outside the window (a 2010 timestamp,
// or minutes off either way) is refused in both modes and for the
// verification GET; within the window it is handled.
func TestOATimestampWindow_R6_4(t *testing.T) {
	now := time.Now().Unix()
	year2010 := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	tests := []struct {
		name       string
		mods       []func(*OAConfig)
		at         int64
		mode       string // "get", "plain" or "safe"
		wantStatus int
		wantBody   string
	}{
		{name: "2010 verification GET", at: year2010, mode: "get", wantStatus: http.StatusForbidden, wantBody: "timestamp out of window"},
		{name: "2010 plain push", mods: []func(*OAConfig){plainMode}, at: year2010, mode: "plain", wantStatus: http.StatusForbidden, wantBody: "timestamp out of window"},
		{name: "2010 safe push", at: year2010, mode: "safe", wantStatus: http.StatusForbidden, wantBody: "timestamp out of window"},
		{name: "six minutes old", at: now - 6*60, mode: "safe", wantStatus: http.StatusForbidden, wantBody: "timestamp out of window"},
		{name: "six minutes ahead", at: now + 6*60, mode: "safe", wantStatus: http.StatusForbidden, wantBody: "timestamp out of window"},
		{name: "four minutes old", at: now - 4*60, mode: "safe", wantStatus: http.StatusOK},
		{name: "four minutes ahead", at: now + 4*60, mode: "plain", mods: []func(*OAConfig){plainMode}, wantStatus: http.StatusOK},
		{name: "two minutes old with a one-minute window", at: now - 2*60, mode: "safe", wantStatus: http.StatusForbidden, wantBody: "timestamp out of window",
			mods: []func(*OAConfig){func(c *OAConfig) { c.TimestampWindow = time.Minute }}},
		{name: "current verification GET", at: now, mode: "get", wantStatus: http.StatusOK, wantBody: "echo-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newOAEnv(t, tt.mods...)
			cb := e.cb
			cb.Timestamp = tt.at
			var rec *httptest.ResponseRecorder
			click := fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now)
			switch tt.mode {
			case "get":
				rec = e.serve(http.MethodGet, cb.Verification("echo-1"), nil)
			case "plain":
				rec = e.serve(http.MethodPost, cb.Plain(), []byte(click))
			default:
				q, b, err := cb.Encrypted(click)
				if err != nil {
					t.Fatal(err)
				}
				rec = e.serve(http.MethodPost, q, b)
			}
			if rec.Code != tt.wantStatus || tt.wantBody != "" && rec.Body.String() != tt.wantBody {
				t.Fatalf("answer = %d %q, want %d %q", rec.Code, rec.Body.String(), tt.wantStatus, tt.wantBody)
			}
			wantCalls := 0
			if tt.wantStatus == http.StatusOK && tt.mode != "get" {
				wantCalls = 1
			}
			e.wantCalls(t, wantCalls)
		})
	}
}

// R6.4: the signatures of a push are remembered for the timestamp window: a
// captured plain-mode signature sent with another body is refused; the same
// request replayed after the 60-second delivery dedup has expired is not
// handled again; when the replay check cannot run the push is refused.
func TestOAReplay_R6_4(t *testing.T) {
	now := time.Now().Unix()
	click := fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now)

	t.Run("captured plain signature with another body", func(t *testing.T) {
		e := newOAEnv(t, plainMode)
		q := e.cb.Plain()
		if rec := e.serve(http.MethodPost, q, []byte(click)); rec.Code != http.StatusOK {
			t.Fatalf("original: %d %q", rec.Code, rec.Body.String())
		}
		forged := fake.TextXML(testOAID, testOpenID+"-victim", "伪造的消息", 777, now)
		rec := e.serve(http.MethodPost, q, []byte(forged))
		if rec.Code != http.StatusForbidden || rec.Body.String() != "replayed signature" {
			t.Errorf("forged body: %d %q, want 403 replayed signature", rec.Code, rec.Body.String())
		}
		if got := e.handled(); len(got) != 1 || got[0].Type != EventClick {
			t.Errorf("handled = %+v, want only the original CLICK", got)
		}
	})

	for _, safe := range []bool{false, true} {
		name := map[bool]string{false: "plain", true: "safe"}[safe]
		t.Run("exact replay after 65 s in "+name+" mode", func(t *testing.T) {
			var mods []func(*OAConfig)
			if !safe {
				mods = append(mods, plainMode)
			}
			e := newOAEnv(t, mods...)
			q, b := e.cb.Plain(), []byte(click)
			if safe {
				var err error
				if q, b, err = e.cb.Encrypted(click); err != nil {
					t.Fatal(err)
				}
			}
			if rec := e.serve(http.MethodPost, q, b); rec.Code != http.StatusOK || rec.Body.String() == successAnswer {
				t.Fatalf("original: %d %q, want a reply", rec.Code, rec.Body.String())
			}
			e.mr.FastForward(65 * time.Second) // the delivery dedup (60 s) is gone
			rec := e.serve(http.MethodPost, q, b)
			if rec.Code != http.StatusOK || rec.Body.String() != successAnswer {
				t.Errorf("replay: %d %q, want 200 %q and nothing done", rec.Code, rec.Body.String(), successAnswer)
			}
			e.wantCalls(t, 1)
			// The signatures are kept until the timestamp leaves the window.
			for _, k := range e.mr.Keys() {
				if strings.Contains(k, ":sig:") || strings.Contains(k, ":req:") {
					if ttl := e.mr.TTL(k); ttl <= 0 || ttl > 2*DefaultTimestampWindow+time.Second {
						t.Errorf("key %s TTL %v, want within (0, %v]", k, ttl, 2*DefaultTimestampWindow+time.Second)
					}
				}
			}
		})
	}

	t.Run("Redis down: refused with 503, nothing handled", func(t *testing.T) {
		e := newOAEnv(t)
		e.mr.Close()
		q, b, err := e.cb.Encrypted(click)
		if err != nil {
			t.Fatal(err)
		}
		if rec := e.serve(http.MethodPost, q, b); rec.Code != http.StatusServiceUnavailable {
			t.Errorf("answer = %d %q, want 503", rec.Code, rec.Body.String())
		}
		e.wantCalls(t, 0)
		e.wantLogged(t, "replay check failed")
	})
}

// R6.4: with an EncodingAESKey only safe mode is accepted; without one,
// plain mode only when allowed.
func TestOAPlainModeRefused_R6_4(t *testing.T) {
	now := time.Now().Unix()
	tests := []struct {
		name       string
		mod        func(*OAConfig)
		wantStatus int
	}{
		{name: "AES key set", mod: func(*OAConfig) {}, wantStatus: http.StatusForbidden},
		{name: "AES key set, plain allowed", mod: func(c *OAConfig) { c.AllowPlain = true }, wantStatus: http.StatusForbidden},
		{name: "no AES key, plain not allowed", mod: func(c *OAConfig) { c.EncodingAESKey = "" }, wantStatus: http.StatusForbidden},
		{name: "no AES key, plain allowed", mod: plainMode, wantStatus: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newOAEnv(t, tt.mod)
			for i, q := range []string{e.cb.Plain(), e.cb.Plain() + "&encrypt_type=raw"} {
				rec := e.serve(http.MethodPost, q, []byte(fake.EventXML(testOAID, testOpenID, "CLICK", "HELP", now+int64(i))))
				if rec.Code != tt.wantStatus {
					t.Errorf("%s: answer = %d %q, want %d", q, rec.Code, rec.Body.String(), tt.wantStatus)
				}
				if tt.wantStatus == http.StatusForbidden && rec.Body.String() != "plain mode not accepted" {
					t.Errorf("body = %q, want %q", rec.Body.String(), "plain mode not accepted")
				}
			}
			wantCalls := map[bool]int{true: 2, false: 0}[tt.wantStatus == http.StatusOK]
			e.wantCalls(t, wantCalls)
			// The verification GET works in every mode.
			if rec := e.serve(http.MethodGet, e.cb.Verification("echo-2"), nil); rec.Code != http.StatusOK || rec.Body.String() != "echo-2" {
				t.Errorf("verification: %d %q", rec.Code, rec.Body.String())
			}
		})
	}
}
