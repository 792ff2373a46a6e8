// Package wechat is creditwater's adapter to WeChat's server API for the
// mini-program: login (code2session), phone numbers, subscribe messages and
// face verification (人脸核身 2.0). It uses github.com/silenceper/wechat/v2
// through miniprogram.NewMiniProgram (never the SDK's root package, whose
// init switches logrus to debug output) and calls the endpoints the SDK lacks
// itself.
//
// # The SDK's global HTTP client
//
// The SDK sends every request through the package-global
// util.DefaultHTTPClient. New replaces that global with a client that has
// Config.Timeout and, when Config.BaseURL is set, a RewriteTransport that
// sends requests for api.weixin.qq.com to BaseURL (wechat/fake in dev mode and
// tests). The last New wins, so every Client in a process shares one HTTP
// configuration, and tests that call New (or otherwise swap the global) must
// not run in parallel with each other.
//
// # Access tokens
//
// Clients use the stable access token (cgi-bin/stable_token, UseStableAK),
// cached in Redis through a TokenCache so that all instances share one token.
// When WeChat answers errcode 40001, 40014 or 42001 (token invalid or
// expired), the cached token is dropped and the call is retried once.
//
// # Errors
//
// Every method returns *apperr.Error values. Their messages and causes never
// contain the SDK's error texts, which carry secret=, js_code= and
// access_token= in URLs; failures are logged with the operation and the
// WeChat errcode (or timeout/HTTP status) only.
package wechat

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/miniprogram"
	mpconfig "github.com/silenceper/wechat/v2/miniprogram/config"
	"github.com/silenceper/wechat/v2/util"

	"creditwater/apperr"
)

// DefaultTimeout bounds each request to WeChat when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// apiHost is WeChat's API host; RewriteTransport redirects it.
const (
	apiHost = "api.weixin.qq.com"
	apiBase = "https://" + apiHost
)

// Config configures a Client.
type Config struct {
	AppID     string
	AppSecret string
	// Timeout bounds each HTTP request (DefaultTimeout when zero).
	Timeout time.Duration
	// BaseURL replaces https://api.weixin.qq.com when set (wechat/fake);
	// "" talks to WeChat itself.
	BaseURL string
}

// String describes c with the secret masked.
func (c Config) String() string {
	return "wechat.Config{AppID:" + c.AppID + " AppSecret:" + mask(c.AppSecret) + " Timeout:" + c.Timeout.String() + " BaseURL:" + c.BaseURL + "}"
}

// LogValue logs c with the secret masked.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("app_id", c.AppID),
		slog.String("app_secret", mask(c.AppSecret)),
		slog.Duration("timeout", c.Timeout),
		slog.String("base_url", c.BaseURL),
	)
}

func mask(s string) string {
	if s == "" {
		return ""
	}
	return "***"
}

// Client calls WeChat's mini-program API. It is safe for concurrent use.
type Client struct {
	appID string
	mp    *miniprogram.MiniProgram
	http  *http.Client
	cache *TokenCache
	log   *slog.Logger
}

// New builds a Client and points the SDK's global util.DefaultHTTPClient at
// an HTTP client with cfg's timeout and, when cfg.BaseURL is set, a
// RewriteTransport to it (see the package doc). The secret may be empty only
// with a BaseURL (the fake accepts any). It returns INVALID (naming the
// Config field) for a missing app ID, secret or cache, or a malformed BaseURL.
// A nil logger discards logs.
func New(cfg Config, cache *TokenCache, logger *slog.Logger) (*Client, error) {
	var base *url.URL
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, apperr.InvalidField("BaseURL", "微信接口地址须为完整的 http(s) 地址")
		}
		base = u
	}
	switch {
	case cfg.AppID == "":
		return nil, apperr.InvalidField("AppID", "请配置微信 AppID")
	case cfg.AppSecret == "" && base == nil:
		return nil, apperr.InvalidField("AppSecret", "请配置微信 AppSecret")
	case cache == nil:
		return nil, apperr.InvalidField("cache", "须配置令牌缓存")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	hc := newHTTPClient(base, cfg.Timeout)
	// The SDK reads this global on every request; see the package doc.
	util.DefaultHTTPClient = hc

	mp := miniprogram.NewMiniProgram(&mpconfig.Config{
		AppID:       cfg.AppID,
		AppSecret:   cfg.AppSecret,
		Cache:       cache,
		UseStableAK: true,
	})
	mp.SetAccessTokenContextHandle(tolerantToken{inner: mp.GetContext().AccessTokenContextHandle, log: logger})
	return &Client{appID: cfg.AppID, mp: mp, http: hc, cache: cache, log: logger}, nil
}

// tokenKey is the cache key under which the SDK (v2.1.10) keeps the stable
// access token of appID; dropToken deletes it.
func tokenKey(appID string) string {
	return credential.CacheKeyMiniProgramPrefix + "_stable_access_token_" + appID
}

// tolerantToken wraps the SDK's stable-token handle so that a failed cache
// write (Redis down) does not fail the call: the SDK then returns the fresh
// token together with the cache error.
type tolerantToken struct {
	inner credential.AccessTokenContextHandle
	log   *slog.Logger
}

func (t tolerantToken) GetAccessToken() (string, error) {
	return t.GetAccessTokenContext(context.Background())
}

func (t tolerantToken) GetAccessTokenContext(ctx context.Context) (string, error) {
	token, err := t.inner.GetAccessTokenContext(ctx)
	if err != nil && token != "" {
		t.log.WarnContext(ctx, "wechat access token not cached", "op", "stable_token")
		return token, nil
	}
	return token, err
}

// RewriteTransport returns a RoundTripper that sends requests for
// api.weixin.qq.com to base instead (scheme, host and a path prefix), and
// passes every other request to next unchanged. A nil next means
// http.DefaultTransport.
func RewriteTransport(base *url.URL, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &rewriter{base: base, next: next}
}

type rewriter struct {
	base *url.URL
	next http.RoundTripper
}

func (t *rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Hostname() != apiHost {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	prefix := strings.TrimSuffix(t.base.Path, "/")
	r.URL.Scheme = t.base.Scheme
	r.URL.Host = t.base.Host
	r.URL.Path = prefix + req.URL.Path
	if req.URL.RawPath != "" {
		r.URL.RawPath = strings.TrimSuffix(t.base.EscapedPath(), "/") + req.URL.RawPath
	}
	r.Host = ""
	return t.next.RoundTrip(r)
}
