package wechat

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/officialaccount"
	oaconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/menu"
	"github.com/silenceper/wechat/v2/util"

	"creditwater/apperr"
	"creditwater/wechat/wxerr"
)

// OAConfig configures an OfficialAccount (公众号).
type OAConfig struct {
	AppID     string
	AppSecret string
	// Token is the server token (令牌) set in the official account's
	// console; WeChat signs every callback with it.
	Token string
	// EncodingAESKey is the 43-character message key (消息加解密密钥) of
	// safe mode; "" means the server accepts plain callbacks only.
	EncodingAESKey string
	// MiniProgramAppID is the mini-program that miniprogram menu buttons
	// without an appid of their own open.
	MiniProgramAppID string
	// Timeout bounds each HTTP request to WeChat (DefaultTimeout when zero).
	Timeout time.Duration
	// BaseURL replaces https://api.weixin.qq.com when set (wechat/fake);
	// "" talks to WeChat itself.
	BaseURL string
	// TimestampWindow is how far a callback's timestamp may be from now,
	// either way (DefaultTimestampWindow when zero or negative). It also
	// bounds how long signatures are remembered against replays.
	TimestampWindow time.Duration
	// AllowPlain accepts plain-mode pushes when no EncodingAESKey is set.
	// Plain mode's signature covers the token, timestamp and nonce but not
	// the body (WeChat's design), so it is off unless allowed; with an
	// EncodingAESKey only safe mode is accepted, whatever AllowPlain says.
	AllowPlain bool
}

// String describes c with the secret, token and message key masked.
func (c OAConfig) String() string {
	return "wechat.OAConfig{AppID:" + c.AppID + " AppSecret:" + mask(c.AppSecret) + " Token:" + mask(c.Token) +
		" EncodingAESKey:" + mask(c.EncodingAESKey) + " MiniProgramAppID:" + c.MiniProgramAppID +
		" Timeout:" + c.Timeout.String() + " BaseURL:" + c.BaseURL +
		" TimestampWindow:" + c.TimestampWindow.String() + " AllowPlain:" + strconv.FormatBool(c.AllowPlain) + "}"
}

// LogValue logs c with the secret, token and message key masked.
func (c OAConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("app_id", c.AppID),
		slog.String("app_secret", mask(c.AppSecret)),
		slog.String("token", mask(c.Token)),
		slog.String("encoding_aes_key", mask(c.EncodingAESKey)),
		slog.String("mini_program_app_id", c.MiniProgramAppID),
		slog.Duration("timeout", c.Timeout),
		slog.String("base_url", c.BaseURL),
		slog.Duration("timestamp_window", c.TimestampWindow),
		slog.Bool("allow_plain", c.AllowPlain),
	)
}

// OfficialAccount is the official account's channel: its server endpoint
// (ServeHTTP) and its menu (PushMenu). It is safe for concurrent use.
type OfficialAccount struct {
	appID   string
	mpAppID string
	token   string
	aesKey  string // "" when safe mode is not configured
	// plain tells that plain-mode pushes are accepted: no aesKey and
	// OAConfig.AllowPlain.
	plain   bool
	window  time.Duration
	sdk     *officialaccount.OfficialAccount
	menu    *menu.Menu
	http    *http.Client
	cache   *TokenCache
	dedup   Deduper
	handler EventHandler
	log     *slog.Logger
}

// NewOfficialAccount builds an OfficialAccount and, like New, points the
// SDK's global util.DefaultHTTPClient at an HTTP client with cfg's timeout
// and BaseURL (see the package doc: the last New or NewOfficialAccount wins).
// The secret may be empty only with a BaseURL.
//
// dedup detects WeChat's repeated deliveries and replayed signatures (see
// ServeHTTP); nil disables both and is meant only for an OfficialAccount
// that serves no callbacks (e.g. the menu push command). handler answers
// messages and events; nil answers none. A nil logger discards logs.
//
// It returns INVALID (naming the OAConfig field or argument) for a missing
// app ID, secret, token or cache, a malformed EncodingAESKey,
// MiniProgramAppID or BaseURL.
func NewOfficialAccount(cfg OAConfig, cache *TokenCache, dedup Deduper, handler EventHandler, logger *slog.Logger) (*OfficialAccount, error) {
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.AppID == "":
		return nil, apperr.InvalidField("AppID", "请配置公众号 AppID")
	case cfg.AppSecret == "" && base == nil:
		return nil, apperr.InvalidField("AppSecret", "请配置公众号 AppSecret")
	case cfg.Token == "":
		return nil, apperr.InvalidField("Token", "请配置公众号服务器令牌（Token）")
	case cfg.EncodingAESKey != "" && !validAESKey(cfg.EncodingAESKey):
		return nil, apperr.InvalidField("EncodingAESKey", "EncodingAESKey 须为 43 位 base64 字符")
	case cfg.MiniProgramAppID != "" && !appIDPattern.MatchString(cfg.MiniProgramAppID):
		return nil, apperr.InvalidField("MiniProgramAppID", "小程序 AppID 格式不正确")
	case cache == nil:
		return nil, apperr.InvalidField("cache", "须配置令牌缓存")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	window := cfg.TimestampWindow
	if window <= 0 {
		window = DefaultTimestampWindow
	}
	hc := newHTTPClient(base, cfg.Timeout)
	// The SDK reads this global on every request; see the package doc.
	util.DefaultHTTPClient = hc

	sdk := officialaccount.NewOfficialAccount(&oaconfig.Config{
		AppID:          cfg.AppID,
		AppSecret:      cfg.AppSecret,
		Token:          cfg.Token,
		EncodingAESKey: cfg.EncodingAESKey,
		Cache:          cache,
		UseStableAK:    true,
	})
	if inner, ok := sdk.GetContext().AccessTokenHandle.(credential.AccessTokenContextHandle); ok {
		sdk.SetAccessTokenHandle(tolerantToken{inner: inner, log: logger})
	}
	return &OfficialAccount{
		appID:   cfg.AppID,
		mpAppID: cfg.MiniProgramAppID,
		token:   cfg.Token,
		aesKey:  cfg.EncodingAESKey,
		plain:   cfg.EncodingAESKey == "" && cfg.AllowPlain,
		window:  window,
		sdk:     sdk,
		menu:    sdk.GetMenu(), // built once: the SDK's lazy getters are not goroutine-safe
		http:    hc,
		cache:   cache,
		dedup:   dedup,
		handler: handler,
		log:     logger,
	}, nil
}

// parseBaseURL checks a fake's base URL; "" gives nil.
func parseBaseURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, apperr.InvalidField("BaseURL", "微信接口地址须为完整的 http(s) 地址")
	}
	return u, nil
}

// newHTTPClient builds the HTTP client the SDK uses: a timeout and, with a
// base URL, a RewriteTransport to it.
func newHTTPClient(base *url.URL, timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	var rt http.RoundTripper = http.DefaultTransport
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		rt = t.Clone()
	}
	if base != nil {
		rt = RewriteTransport(base, rt)
	}
	return &http.Client{Timeout: timeout, Transport: rt}
}

// validAESKey reports whether key is an EncodingAESKey: 43 characters that
// decode (with the missing "=") to a 32-byte AES key.
func validAESKey(key string) bool {
	if len(key) != 43 {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(key + "=")
	return err == nil && len(b) == 32
}

// oaTokenKey is the cache key under which the SDK (v2.1.10) keeps the
// official account's stable access token.
func oaTokenKey(appID string) string {
	return credential.CacheKeyOfficialAccountPrefix + "_stable_access_token_" + appID
}

// Operation names logged and carried by upstreamError.
const (
	opMenuCreate    = "menu_create"
	opOAStableToken = "oa_stable_token"
)

// PushMenu validates m (see Menu.Validate) and sets it as the official
// account's custom menu (menu/create through the SDK's Menu.SetMenu).
// Miniprogram buttons without an appid get OAConfig.MiniProgramAppID;
// replies stay on the server. When WeChat rejects the access token (40001,
// 40014, 42001) the cached token is dropped and the call retried once.
//
// It returns INVALID for a menu Validate rejects, for a miniprogram button
// when no mini-program app ID is configured (field MiniProgramAppID), when
// WeChat rejects the menu (field menu, 40016-40027, 40054, 40055) or a page
// path (field pagepath, 40165: the page must be in the released
// mini-program); FAILED_PRECONDITION with reason WECHAT_API_UNAUTHORIZED when
// the account may not set menus (48001); RATE_LIMITED (45011); UNAVAILABLE
// for network failures, timeouts, a busy WeChat or a cancelled ctx; INTERNAL
// otherwise. The SDK call takes no context: the HTTP timeout bounds it.
func (oa *OfficialAccount) PushMenu(ctx context.Context, m Menu) error {
	if err := m.Validate(); err != nil {
		return err
	}
	buttons, err := oa.sdkButtons(m.Buttons, "button")
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return apperr.Wrap(err, apperr.Unavailable, "菜单推送已取消")
		}
		// Fetch the token with ctx first so that token failures are told
		// apart; SetMenu then reads it from the cache.
		if _, err := oa.sdk.GetAccessTokenContext(ctx); err != nil {
			return oa.tokenFailure(ctx, err)
		}
		err := oa.menu.SetMenu(buttons)
		if err == nil {
			oa.log.InfoContext(ctx, "wechat official account menu set", "op", opMenuCreate, "buttons", len(buttons))
			return nil
		}
		var ce *util.CommonError
		if !errors.As(err, &ce) {
			if sdkErrcode.MatchString(err.Error()) {
				return oa.tokenFailure(ctx, err)
			}
			return oa.transportFailure(ctx, opMenuCreate, err)
		}
		if attempt == 1 && tokenRejected(ce.ErrCode) {
			oa.log.InfoContext(ctx, "wechat access token rejected, refreshing", "op", opMenuCreate, "errcode", ce.ErrCode)
			if err := oa.cache.Delete(oaTokenKey(oa.appID)); err != nil {
				oa.log.WarnContext(ctx, "wechat token cache delete failed", "op", opMenuCreate)
			}
			continue
		}
		return oa.menuFailure(ctx, ce.ErrCode)
	}
}

// sdkButtons converts buttons to the SDK's type, filling mini-program app
// IDs and leaving replies out.
func (oa *OfficialAccount) sdkButtons(bs []Button, path string) ([]*menu.Button, error) {
	out := make([]*menu.Button, 0, len(bs))
	for i, b := range bs {
		sb := &menu.Button{Type: b.Type, Name: b.Name, Key: b.Key, URL: b.URL, AppID: b.AppID, PagePath: b.PagePath}
		if b.Type == ButtonMiniProgram && sb.AppID == "" {
			if oa.mpAppID == "" {
				return nil, apperr.InvalidField("MiniProgramAppID", "%s[%d]（%q）用于打开小程序，但未配置小程序 AppID", path, i, b.Name)
			}
			sb.AppID = oa.mpAppID
		}
		if len(b.SubButtons) > 0 {
			subs, err := oa.sdkButtons(b.SubButtons, path+"["+strconv.Itoa(i)+"].sub_button")
			if err != nil {
				return nil, err
			}
			sb.SubButtons = subs
		}
		out = append(out, sb)
	}
	return out, nil
}

// menuFailure classifies an errcode of menu/create.
func (oa *OfficialAccount) menuFailure(ctx context.Context, errcode int64) *apperr.Error {
	cause := &upstreamError{op: opMenuCreate, errcode: errcode}
	var e *apperr.Error
	switch {
	case errcode >= wxerr.InvalidButtonSize && errcode <= wxerr.InvalidSubButtonURLSize, errcode == wxerr.InvalidSubButtonURLDomain, errcode == wxerr.InvalidButtonURLDomain:
		e = apperr.InvalidField("menu", "微信拒绝了菜单定义").WithDetail("errcode", errcode)
	case errcode == wxerr.InvalidPagePath:
		e = apperr.InvalidField("pagepath", "微信拒绝了小程序页面路径：该页面须存在于已发布的小程序中")
	case errcode == wxerr.APIUnauthorized:
		e = apperr.Precondition("WECHAT_API_UNAUTHORIZED", "该公众号无权设置自定义菜单")
	default:
		return oa.errcodeFailure(ctx, opMenuCreate, errcode)
	}
	oa.log.WarnContext(ctx, "wechat rejected request", "op", opMenuCreate, "errcode", errcode)
	e.Err = cause
	return e
}

// tokenFailure classifies a failure to obtain an access token like
// Client.tokenFailure.
func (oa *OfficialAccount) tokenFailure(ctx context.Context, err error) *apperr.Error {
	m := sdkErrcode.FindStringSubmatch(err.Error())
	if m == nil {
		return oa.transportFailure(ctx, opOAStableToken, err)
	}
	code, _ := strconv.ParseInt(m[1], 10, 64)
	return oa.errcodeFailure(ctx, opOAStableToken, code)
}

// transportFailure and errcodeFailure classify failures like the
// mini-program client's.
func (oa *OfficialAccount) transportFailure(ctx context.Context, op string, err error) *apperr.Error {
	return transportFailure(ctx, oa.log, op, err)
}

func (oa *OfficialAccount) errcodeFailure(ctx context.Context, op string, errcode int64) *apperr.Error {
	return errcodeFailure(ctx, oa.log, op, errcode)
}
