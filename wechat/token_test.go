package wechat

import (
	"strings"
	"testing"
	"time"

	"creditwater/apperr"
	"creditwater/wechat/fake"
	"creditwater/wechat/wxerr"
)

// tokenOps are the calls that need an access token; prepare registers what
// the call needs and returns it.
var tokenOps = []struct {
	name    string
	path    string
	prepare func(t *testing.T, e *env) func() error
}{
	{
		name: "subscribe message",
		path: "/cgi-bin/message/subscribe/send",
		prepare: func(t *testing.T, e *env) func() error {
			return func() error {
				return e.client.SendSubscribeMessage(ctx(t), SubscribeMessage{ToUser: "o-1", TemplateID: "tpl-1", Data: map[string]string{"thing1": "ok"}})
			}
		},
	},
	{
		name: "phone number",
		path: "/wxa/business/getuserphonenumber",
		prepare: func(t *testing.T, e *env) func() error {
			e.fake.AddPhoneCode("ph-ok", "13900000000")
			return func() error { _, err := e.client.PhoneNumber(ctx(t), "ph-ok"); return err }
		},
	},
	{
		name: "start face verification",
		path: "/cityservice/face/identify/getverifyid",
		prepare: func(t *testing.T, e *env) func() error {
			return func() error {
				_, err := e.client.StartFaceVerification(ctx(t), FaceRequest{OutSeqNo: "seq-00001", CertName: "张三", CertNo: "110101199003070011", OpenID: "o-1"})
				return err
			}
		},
	},
	{
		name: "query face verification",
		path: "/cityservice/face/identify/queryverifyinfo",
		prepare: func(t *testing.T, e *env) func() error {
			req := FaceRequest{OutSeqNo: "seq-00002", CertName: "张三", CertNo: "110101199003070011", OpenID: "o-1"}
			id, err := e.client.StartFaceVerification(ctx(t), req)
			if err != nil {
				t.Fatalf("start: %v", err)
			}
			return func() error {
				res, err := e.client.QueryFaceVerification(ctx(t), FaceQuery{VerifyID: id, OutSeqNo: req.OutSeqNo, CertName: req.CertName, CertNo: req.CertNo, OpenID: req.OpenID})
				if err == nil && !res.Passed {
					t.Errorf("result = %+v, want passed", res)
				}
				return err
			}
		},
	},
}

// An expired access token (40001) is refreshed once, transparently.
func TestExpiredTokenRefreshedOnce(t *testing.T) {
	for _, op := range tokenOps {
		t.Run(op.name, func(t *testing.T) {
			e := newEnv(t)
			call := op.prepare(t, e)
			if _, err := e.client.accessToken(ctx(t)); err != nil {
				t.Fatalf("warm-up token: %v", err)
			}
			if got := e.fake.TokenIssued(); got != 1 {
				t.Fatalf("tokens issued before = %d, want 1", got)
			}
			before := e.fake.Calls(op.path)
			e.fake.ExpireTokens()
			if err := call(); err != nil {
				t.Fatalf("call after expiry: %v", err)
			}
			if got := e.fake.TokenIssued(); got != 2 {
				t.Errorf("tokens issued = %d, want 2", got)
			}
			if got := e.fake.Calls(op.path) - before; got != 2 {
				t.Errorf("%s calls = %d, want 2 (rejected + retried)", op.path, got)
			}
			if got := e.fake.Calls("/cgi-bin/token"); got != 0 {
				t.Errorf("plain cgi-bin/token calls = %d, want 0 (stable token only)", got)
			}
			// The fresh token is the shared one now.
			if got, _ := e.rdb.Get(ctx(t), e.prefix+tokenKey(testAppID)).Result(); got != e.fake.AccessToken() {
				t.Errorf("cached token = %q, want the fresh %q", got, e.fake.AccessToken())
			}
		})
	}
}

func TestTokenRejectionRetriesOnlyOnce(t *testing.T) {
	const path = "/cgi-bin/message/subscribe/send"
	tests := []struct {
		name      string
		errcodes  []int
		want      apperr.Code
		wantCalls int
	}{
		{name: "40001 once", errcodes: []int{wxerr.InvalidCredential}, wantCalls: 2},
		{name: "42001 once", errcodes: []int{wxerr.AccessTokenExpired}, wantCalls: 2},
		{name: "40014 once", errcodes: []int{40014}, wantCalls: 2},
		{name: "40001 twice gives up", errcodes: []int{wxerr.InvalidCredential, wxerr.InvalidCredential}, want: apperr.Unavailable, wantCalls: 2},
		{name: "other errcode is not retried", errcodes: []int{wxerr.SystemBusy}, want: apperr.Unavailable, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			for _, c := range tt.errcodes {
				e.fake.FailNext(path, c)
			}
			err := e.client.SendSubscribeMessage(ctx(t), SubscribeMessage{ToUser: "o-1", TemplateID: "tpl", Data: map[string]string{"k": "v"}})
			wantCode(t, err, tt.want)
			if got := e.fake.Calls(path); got != tt.wantCalls {
				t.Errorf("calls = %d, want %d", got, tt.wantCalls)
			}
			wantFetches := tt.wantCalls // one fetch per attempt: the first, then one after each drop
			if got := e.fake.Calls("/cgi-bin/stable_token"); got != wantFetches {
				t.Errorf("stable_token calls = %d, want %d", got, wantFetches)
			}
		})
	}
}

// Two Clients (instances) on the same Redis and prefix share one token.
func TestTokenSharedThroughRedis(t *testing.T) {
	tests := []struct {
		name        string
		samePrefix  bool
		wantFetches int
	}{
		{name: "same prefix shares the token", samePrefix: true, wantFetches: 1},
		{name: "other prefix fetches its own", samePrefix: false, wantFetches: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			prefix := randomPrefix()
			if tt.samePrefix {
				prefix = e.prefix
			}
			second := e.newClient(t, prefix)
			msg := SubscribeMessage{ToUser: "o-1", TemplateID: "tpl", Data: map[string]string{"k": "v"}}
			if err := e.client.SendSubscribeMessage(ctx(t), msg); err != nil {
				t.Fatalf("first client: %v", err)
			}
			if err := second.SendSubscribeMessage(ctx(t), msg); err != nil {
				t.Fatalf("second client: %v", err)
			}
			if got := e.fake.Calls("/cgi-bin/stable_token"); got != tt.wantFetches {
				t.Errorf("stable_token calls = %d, want %d", got, tt.wantFetches)
			}
			if got := e.fake.TokenIssued(); got != 1 {
				t.Errorf("tokens issued = %d, want 1 (stable token is reused by WeChat)", got)
			}
			key := e.prefix + tokenKey(testAppID)
			if got, _ := e.rdb.Get(ctx(t), key).Result(); got != e.fake.AccessToken() {
				t.Errorf("redis %s = %q, want %q", key, got, e.fake.AccessToken())
			}
			if ttl := e.mr.TTL(key); ttl != fake.TokenTTL-300*time.Second {
				t.Errorf("token TTL = %v, want %v", ttl, fake.TokenTTL-300*time.Second)
			}
		})
	}
}

// With Redis down, calls still work: the cache reads as empty and a failed
// write does not fail the call.
func TestTokenCacheOutageReadsThrough(t *testing.T) {
	e := newEnv(t)
	e.mr.Close()
	for i := range 2 {
		err := e.client.SendSubscribeMessage(ctx(t), SubscribeMessage{ToUser: "o-1", TemplateID: "tpl", Data: map[string]string{"k": "v"}})
		if err != nil {
			t.Fatalf("send %d with Redis down: %v", i, err)
		}
	}
	if got := e.fake.Calls("/cgi-bin/stable_token"); got != 2 {
		t.Errorf("stable_token calls = %d, want 2 (no cache)", got)
	}
	if !strings.Contains(e.logs.String(), "not cached") {
		t.Errorf("logs do not report the cache failure:\n%s", e.logs)
	}
}
