package wechat

import (
	"net/http"
	"testing"

	"creditwater/apperr"
	"creditwater/wechat/wxerr"
)

// R6.1: the mini-program user logs in with WeChat (code2session).
func TestCode2Session(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(t *testing.T, e *env)
		code      string
		want      apperr.Code
		wantField string
		wantUser  Session
		wantCalls int // requests to jscode2session
	}{
		{
			name:      "registered code logs in",
			setup:     func(t *testing.T, e *env) { e.fake.AddLoginCode("code-ok-1", "o-alice", "u-alice") },
			code:      "code-ok-1",
			wantUser:  Session{OpenID: "o-alice", UnionID: "u-alice"},
			wantCalls: 1,
		},
		{
			name:      "code without unionid",
			setup:     func(t *testing.T, e *env) { e.fake.AddLoginCode("code-ok-2", "o-bob", "") },
			code:      "code-ok-2",
			wantUser:  Session{OpenID: "o-bob"},
			wantCalls: 1,
		},
		{
			name:      "unknown code is unauthenticated",
			code:      "never-issued",
			want:      apperr.Unauthenticated,
			wantCalls: 1,
		},
		{
			name: "used code is unauthenticated",
			setup: func(t *testing.T, e *env) {
				e.fake.AddLoginCode("code-once", "o-carol", "")
				if _, err := e.client.Code2Session(ctx(t), "code-once"); err != nil {
					t.Fatalf("first use: %v", err)
				}
			},
			code:      "code-once",
			want:      apperr.Unauthenticated,
			wantCalls: 2,
		},
		{name: "empty code is invalid", code: "", want: apperr.Invalid, wantField: "code"},
		{name: "code with URL syntax is invalid", code: "x&appid=other", want: apperr.Invalid, wantField: "code"},
		{
			name:      "WeChat busy is unavailable",
			setup:     func(t *testing.T, e *env) { e.fake.FailNext("/sns/jscode2session", wxerr.SystemBusy) },
			code:      "whatever",
			want:      apperr.Unavailable,
			wantCalls: 1,
		},
		{
			name:      "HTTP 502 is unavailable",
			setup:     func(t *testing.T, e *env) { e.fake.FailNextStatus("/sns/jscode2session", http.StatusBadGateway) },
			code:      "whatever",
			want:      apperr.Unavailable,
			wantCalls: 1,
		},
		{
			name:      "high-risk user is forbidden",
			setup:     func(t *testing.T, e *env) { e.fake.FailNext("/sns/jscode2session", 40226) },
			code:      "whatever",
			want:      apperr.Forbidden,
			wantCalls: 1,
		},
		{
			name:      "minute quota is rate limited",
			setup:     func(t *testing.T, e *env) { e.fake.FailNext("/sns/jscode2session", 45011) },
			code:      "whatever",
			want:      apperr.RateLimited,
			wantCalls: 1,
		},
		{
			name:      "wrong app secret is internal",
			setup:     func(t *testing.T, e *env) { e.fake.SetCredentials(testAppID, "another-secret") },
			code:      "whatever",
			want:      apperr.Internal,
			wantCalls: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnvSetup(t, tt.setup)
			s, err := e.client.Code2Session(ctx(t), tt.code)
			ae := wantCode(t, err, tt.want)
			if got := e.fake.Calls("/sns/jscode2session"); got != tt.wantCalls {
				t.Errorf("jscode2session calls = %d, want %d", got, tt.wantCalls)
			}
			if tt.want != "" {
				if ae.Field != tt.wantField {
					t.Errorf("field = %q, want %q", ae.Field, tt.wantField)
				}
				if tt.want == apperr.Unauthenticated && ae.Message != "微信登录凭证无效或已过期" {
					t.Errorf("message = %q", ae.Message)
				}
				if tt.want == apperr.RateLimited && ae.RetryAfter <= 0 {
					t.Errorf("RetryAfter = %v, want > 0", ae.RetryAfter)
				}
				return
			}
			if s.OpenID != tt.wantUser.OpenID || s.UnionID != tt.wantUser.UnionID || s.SessionKey == "" {
				t.Errorf("session = %+v, want %+v with a session key", s, tt.wantUser)
			}
			if e.fake.TokenIssued() != 0 {
				t.Errorf("login fetched an access token; it needs none")
			}
		})
	}
}

func TestPhoneNumber(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, e *env)
		code  string
		want  apperr.Code
		phone string
	}{
		{
			name:  "registered code",
			setup: func(t *testing.T, e *env) { e.fake.AddPhoneCode("ph-1", "13800138000") },
			code:  "ph-1",
			phone: "13800138000",
		},
		{
			name: "used code is invalid",
			setup: func(t *testing.T, e *env) {
				e.fake.AddPhoneCode("ph-2", "13800138001")
				if _, err := e.client.PhoneNumber(ctx(t), "ph-2"); err != nil {
					t.Fatalf("first use: %v", err)
				}
			},
			code: "ph-2",
			want: apperr.Invalid,
		},
		{name: "unknown code is invalid", code: "ph-unknown", want: apperr.Invalid},
		{name: "empty code is invalid", code: "", want: apperr.Invalid},
		{
			name:  "HTTP 500 is unavailable",
			setup: func(t *testing.T, e *env) { e.fake.FailNextStatus("/wxa/business/getuserphonenumber", 500) },
			code:  "ph-x",
			want:  apperr.Unavailable,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnvSetup(t, tt.setup)
			got, err := e.client.PhoneNumber(ctx(t), tt.code)
			ae := wantCode(t, err, tt.want)
			if ae != nil && ae.Code == apperr.Invalid && ae.Field != "code" {
				t.Errorf("field = %q, want code", ae.Field)
			}
			if got != tt.phone {
				t.Errorf("phone = %q, want %q", got, tt.phone)
			}
		})
	}
}
