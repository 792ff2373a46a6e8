package wechat

import (
	"context"
	"errors"
	"log/slog"
	"regexp"

	"github.com/silenceper/wechat/v2/miniprogram/business"
	"github.com/silenceper/wechat/v2/util"

	"creditwater/apperr"
	"creditwater/wechat/wxerr"
)

// Session is the result of a mini-program login. SessionKey must never leave
// the server; String and LogValue leave it out.
type Session struct {
	OpenID     string
	UnionID    string // empty unless the app is bound to an open-platform account
	SessionKey string
}

// String describes s without its session key.
func (s Session) String() string {
	return "wechat.Session{OpenID:" + s.OpenID + " UnionID:" + s.UnionID + " SessionKey:" + mask(s.SessionKey) + "}"
}

// LogValue logs s without its session key.
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(slog.String("openid", s.OpenID), slog.String("unionid", s.UnionID))
}

// codePattern admits wx.login and getPhoneNumber codes; the SDK puts the
// login code into a URL unescaped, so nothing else may pass.
var codePattern = regexp.MustCompile(`^[A-Za-z0-9_.~-]{1,128}$`)

// Code2Session exchanges a wx.login code for the user's session
// (jscode2session). It returns INVALID (field code) for a missing or
// malformed code, UNAUTHENTICATED when WeChat says the code is invalid or
// already used (40029, 40163), FORBIDDEN when WeChat blocks the user as
// high-risk (40226), RATE_LIMITED (45011), UNAVAILABLE for network
// failures, timeouts, non-200 answers and a busy WeChat, and INTERNAL for any
// other errcode.
func (c *Client) Code2Session(ctx context.Context, code string) (Session, error) {
	const op = "jscode2session"
	if !codePattern.MatchString(code) {
		return Session{}, apperr.InvalidField("code", "微信登录凭证缺失或格式不正确")
	}
	res, err := c.mp.GetAuth().Code2SessionContext(ctx, code)
	switch {
	case res.ErrCode == wxerr.InvalidCode || res.ErrCode == wxerr.CodeUsed:
		return Session{}, c.rejected(ctx, op, res.ErrCode, apperr.New(apperr.Unauthenticated, "微信登录凭证无效或已过期"))
	case res.ErrCode == wxerr.HighRiskUser:
		return Session{}, c.rejected(ctx, op, res.ErrCode, apperr.New(apperr.Forbidden, "微信拒绝了本次登录").WithReason("WECHAT_HIGH_RISK_USER"))
	case res.ErrCode != 0:
		return Session{}, c.errcodeFailure(ctx, op, res.ErrCode)
	case err != nil:
		return Session{}, c.transportFailure(ctx, op, err)
	case res.OpenID == "" || res.SessionKey == "":
		return Session{}, c.incomplete(ctx, op, "an incomplete session")
	}
	return Session{OpenID: res.OpenID, UnionID: res.UnionID, SessionKey: res.SessionKey}, nil
}

// PhoneNumber exchanges a getPhoneNumber code for the user's phone number
// (getuserphonenumber; with the country code for numbers outside mainland
// China). It returns INVALID (field code) for a missing, malformed, invalid
// or used code (40029), RATE_LIMITED (45011), UNAVAILABLE for network
// failures, timeouts and a busy WeChat, and INTERNAL for any other errcode or
// when no access token can be had.
func (c *Client) PhoneNumber(ctx context.Context, code string) (string, error) {
	const op = "getuserphonenumber"
	if !codePattern.MatchString(code) {
		return "", apperr.InvalidField("code", "手机号授权凭证缺失或格式不正确")
	}
	var info business.PhoneInfo
	errcode, err := c.withToken(ctx, op, func(ctx context.Context, _ string) (int64, error) {
		// The SDK takes the token from the same cache withToken just read.
		var err error
		info, err = c.mp.GetBusiness().GetPhoneNumberWithContext(ctx, &business.GetPhoneNumberRequest{Code: code})
		var ce *util.CommonError
		if errors.As(err, &ce) {
			return ce.ErrCode, nil
		}
		return 0, err
	})
	switch {
	case err != nil:
		return "", err
	case errcode == wxerr.InvalidCode:
		return "", c.rejected(ctx, op, errcode, apperr.InvalidField("code", "手机号授权凭证无效或已过期"))
	case errcode != 0:
		return "", c.errcodeFailure(ctx, op, errcode)
	case info.PhoneNumber == "":
		return "", c.incomplete(ctx, op, "no phone number")
	}
	return info.PhoneNumber, nil
}
