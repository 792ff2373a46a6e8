package wechat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"creditwater/apperr"
	"creditwater/wechat/wxerr"
)

// tokenRejected reports whether errcode says the access token is invalid or
// expired.
func tokenRejected(errcode int64) bool {
	return errcode == wxerr.InvalidCredential || errcode == wxerr.InvalidToken || errcode == wxerr.AccessTokenExpired
}

// upstreamError is the cause attached to the apperr errors of this package.
// It names the operation and the errcode, HTTP status or network failure,
// never a URL (which would carry secret=, js_code= or access_token=).
type upstreamError struct {
	op      string
	errcode int64
	status  int
	timeout bool
	cause   error // the network error below the URL, or nil
}

func (e *upstreamError) Error() string {
	switch {
	case e.errcode != 0:
		return fmt.Sprintf("wechat %s: errcode %d", e.op, e.errcode)
	case e.status != 0:
		return fmt.Sprintf("wechat %s: HTTP status %d", e.op, e.status)
	case e.timeout:
		return fmt.Sprintf("wechat %s: timeout", e.op)
	case e.cause != nil:
		return fmt.Sprintf("wechat %s: %s", e.op, scrub(e.cause.Error()))
	}
	return "wechat " + e.op + ": failed"
}

func (e *upstreamError) Unwrap() error { return e.cause }

// statusError is a non-200 answer to one of the Client's own requests.
type statusError struct{ status int }

func (e *statusError) Error() string { return "HTTP status " + strconv.Itoa(e.status) }

var (
	sdkStatus  = regexp.MustCompile(`statusCode=(\d+)`)
	sdkErrcode = regexp.MustCompile(`errcode=(-?\d+)`)
	secretish  = regexp.MustCompile(`(?i)(secret|access_token|js_code|code|session_key)=[^&\s,"]*`)
	urlish     = regexp.MustCompile(`https?://\S+`)
)

// scrub removes URLs and credential parameters from an error text.
func scrub(s string) string {
	s = urlish.ReplaceAllString(s, "<url>")
	return secretish.ReplaceAllString(s, "$1=<redacted>")
}

// sanitize turns an error of an HTTP exchange (the SDK's or ours) into an
// upstreamError that holds no URL.
func sanitize(op string, err error) *upstreamError {
	ue := &upstreamError{op: op}
	var urlErr *url.Error
	var se *statusError
	switch {
	case errors.As(err, &urlErr):
		ue.timeout = urlErr.Timeout()
		ue.cause = urlErr.Err
	case errors.As(err, &se):
		ue.status = se.status
	case sdkStatus.MatchString(err.Error()):
		ue.status, _ = strconv.Atoi(sdkStatus.FindStringSubmatch(err.Error())[1])
	default:
		ue.timeout = errors.Is(err, context.DeadlineExceeded)
		ue.cause = errors.New(scrub(err.Error()))
	}
	return ue
}

// transportFailure classifies a failed HTTP exchange (network, timeout,
// non-200 status, unreadable body) as UNAVAILABLE and logs it without its text.
func (c *Client) transportFailure(ctx context.Context, op string, err error) *apperr.Error {
	return transportFailure(ctx, c.log, op, err)
}

func transportFailure(ctx context.Context, log *slog.Logger, op string, err error) *apperr.Error {
	ue := sanitize(op, err)
	log.WarnContext(ctx, "wechat request failed", "op", op, "timeout", ue.timeout, "status", ue.status)
	return apperr.Wrap(ue, apperr.Unavailable, "微信服务暂不可用，请稍后再试")
}

// incomplete is the UNAVAILABLE error of an answer that reports success
// but lacks what the call is for (what); it is logged.
func (c *Client) incomplete(ctx context.Context, op, what string) *apperr.Error {
	c.log.WarnContext(ctx, "wechat returned "+what, "op", op)
	return apperr.Wrap(&upstreamError{op: op}, apperr.Unavailable, "微信服务暂不可用，请稍后再试")
}

// tokenFailure classifies a failure to obtain an access token: UNAVAILABLE
// for network trouble and WeChat being busy, INTERNAL when WeChat rejects the
// app's credentials (a configuration error).
func (c *Client) tokenFailure(ctx context.Context, err error) *apperr.Error {
	m := sdkErrcode.FindStringSubmatch(err.Error())
	if m == nil {
		return c.transportFailure(ctx, "stable_token", err)
	}
	code, _ := strconv.ParseInt(m[1], 10, 64)
	return c.errcodeFailure(ctx, "stable_token", code)
}

// errcodeFailure classifies an errcode the operation has no specific meaning
// for: UNAVAILABLE when WeChat is busy, over its daily quota or keeps
// rejecting fresh tokens; RATE_LIMITED for the per-minute limit; INTERNAL
// otherwise (a request or configuration the adapter got wrong).
func (c *Client) errcodeFailure(ctx context.Context, op string, errcode int64) *apperr.Error {
	return errcodeFailure(ctx, c.log, op, errcode)
}

func errcodeFailure(ctx context.Context, log *slog.Logger, op string, errcode int64) *apperr.Error {
	cause := &upstreamError{op: op, errcode: errcode}
	switch {
	case errcode == wxerr.SystemBusy || errcode == wxerr.DailyQuota || tokenRejected(errcode):
		log.WarnContext(ctx, "wechat unavailable", "op", op, "errcode", errcode)
		return apperr.Wrap(cause, apperr.Unavailable, "微信服务暂不可用，请稍后再试")
	case errcode == wxerr.RateLimited:
		log.WarnContext(ctx, "wechat rate limit", "op", op, "errcode", errcode)
		e := apperr.Wrap(cause, apperr.RateLimited, "微信请求过于频繁，请稍后再试")
		e.RetryAfter = time.Minute
		return e
	}
	log.ErrorContext(ctx, "wechat rejected request", "op", op, "errcode", errcode)
	return apperr.Wrap(cause, apperr.Internal, "微信拒绝了该请求")
}

// rejected returns an error of the given code for an errcode the operation
// understands, logged at info level.
func (c *Client) rejected(ctx context.Context, op string, errcode int64, e *apperr.Error) *apperr.Error {
	c.log.LogAttrs(ctx, slog.LevelInfo, "wechat rejected request", slog.String("op", op), slog.Int64("errcode", errcode))
	e.Err = &upstreamError{op: op, errcode: errcode}
	return e
}
