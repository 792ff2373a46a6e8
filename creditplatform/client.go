package creditplatform

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"creditwater/apisign"
	"creditwater/apperr"
)

// ReasonUnavailable is the apperr reason of every UNAVAILABLE error of Client.
const ReasonUnavailable = "CREDIT_PLATFORM_UNAVAILABLE"

// Defaults applied by New to zero Config fields.
const (
	DefaultTimeout            = apisign.DefaultTimeout
	DefaultBreakerFailures    = apisign.DefaultBreakerFailures
	DefaultBreakerOpenTimeout = apisign.DefaultBreakerOpenTimeout
	DefaultRetryAfter         = apisign.DefaultRetryAfter
)

// publicationIDPattern keeps publication ids safe to put in a path.
var publicationIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,128}$`)

// Config says how to reach the platform (BaseURL, app key and secret,
// timeout, breaker settings, transport, logger); see apisign.Config.
type Config = apisign.Config

// Client is the HTTP adapter to the city credit platform. It signs every
// request, bounds it with a timeout and guards the platform with a circuit
// breaker (package apisign). It is safe for concurrent use.
type Client struct {
	api *apisign.Client
}

// New returns a Client for cfg. A malformed BaseURL is reported by every call
// as INTERNAL.
func New(cfg Config) *Client {
	return &Client{api: apisign.NewClient(apisign.Upstream{
		Name:              "creditplatform",
		Title:             "城市信用平台",
		UnavailableReason: ReasonUnavailable,
		Refusal:           refusal,
	}, cfg)}
}

// refusal maps the platform's documented 4xx answers.
func refusal(status int, code string) *apperr.Error {
	switch {
	case status == http.StatusNotFound && code == CodeSubjectNotFound:
		return apperr.New(apperr.NotFound, "城市信用平台没有该主体的信息")
	case status == http.StatusNotFound && code == CodePublicationNotFound:
		return apperr.New(apperr.NotFound, "城市信用平台没有该公示记录")
	case status == http.StatusConflict:
		return apperr.New(apperr.Conflict, "该幂等键已用于另一请求").WithReason("IDEMPOTENCY_KEY_REUSED")
	}
	return nil
}

func isJSONObject(b []byte) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(b, &m) == nil && m != nil
}

// Report fetches the electronic credit report of the subject with the given
// USCC (R6.2). The caller records the audit entry.
//
// It returns INVALID (field "uscc") for a malformed USCC, NOT_FOUND when the
// platform does not know the subject, UNAVAILABLE (reason
// CREDIT_PLATFORM_UNAVAILABLE) when the platform fails, times out or the
// breaker is open, and INTERNAL when the platform rejects our credentials or
// request.
func (c *Client) Report(ctx context.Context, uscc string) (*Report, error) {
	if !ValidUSCC(uscc) {
		return nil, apperr.InvalidField("uscc", "不是有效的统一社会信用代码")
	}
	rep, err := apisign.DoJSON(ctx, c.api, apisign.Request{Method: http.MethodGet, Path: "/api/v1/subjects/" + uscc + "/report", Route: "/api/v1/subjects/{uscc}/report"}, func(rep *Report) error {
		if rep.USCC != uscc || !rep.Rating.Valid() || rep.ReportNo == "" {
			return errors.New("report does not match the request or lacks fields")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if rep.Entries == nil {
		rep.Entries = []DishonestyEntry{}
	}
	return &rep, nil
}

// Rating fetches the current comprehensive rating of the subject with the
// given USCC (R6.2, R4.1). Caching is the caller's concern.
//
// It returns INVALID (field "uscc") for a malformed USCC, NOT_FOUND when the
// platform does not know the subject, UNAVAILABLE (reason
// CREDIT_PLATFORM_UNAVAILABLE) when the platform fails, times out or the
// breaker is open, and INTERNAL when the platform rejects our credentials or
// request.
func (c *Client) Rating(ctx context.Context, uscc string) (RatingResult, error) {
	if !ValidUSCC(uscc) {
		return RatingResult{}, apperr.InvalidField("uscc", "不是有效的统一社会信用代码")
	}
	return apisign.DoJSON(ctx, c.api, apisign.Request{Method: http.MethodGet, Path: "/api/v1/subjects/" + uscc + "/rating", Route: "/api/v1/subjects/{uscc}/rating"}, func(res *RatingResult) error {
		if res.USCC != uscc || !res.Rating.Valid() {
			return errors.New("rating does not match the request or is not A-D")
		}
		return nil
	})
}

// Publish publishes p on the platform (R2.3). Repeating a call with the same
// IdempotencyKey returns the same publication id and creates no duplicate,
// so an outbox may retry freely.
//
// It returns INVALID (naming the field) for a missing idempotency key,
// unknown kind, malformed USCC, empty title or a body that is not a JSON
// object; NOT_FOUND when the platform does not know the subject; CONFLICT
// (reason IDEMPOTENCY_KEY_REUSED) when the key was used for a different
// publication; UNAVAILABLE (reason CREDIT_PLATFORM_UNAVAILABLE) when the
// platform fails, times out or the breaker is open; and INTERNAL when the
// platform rejects our credentials or request.
func (c *Client) Publish(ctx context.Context, p Publication) (PublishResult, error) {
	switch {
	case !apisign.ValidNonce(p.IdempotencyKey):
		return PublishResult{}, apperr.InvalidField("idempotencyKey", "幂等键须为 1 至 %d 个可打印 ASCII 字符", apisign.MaxNonceLen)
	case !p.Kind.Valid():
		return PublishResult{}, apperr.InvalidField("kind", "类型须为 COMMITMENT、DISHONESTY 或 REPAIR")
	case !ValidUSCC(p.SubjectUSCC):
		return PublishResult{}, apperr.InvalidField("subjectUscc", "不是有效的统一社会信用代码")
	case strings.TrimSpace(p.Title) == "":
		return PublishResult{}, apperr.InvalidField("title", "标题不能为空")
	case len(p.Body) > 0 && !isJSONObject(p.Body):
		return PublishResult{}, apperr.InvalidField("body", "内容须为 JSON 对象")
	}
	return apisign.DoJSON(ctx, c.api, apisign.Request{Method: http.MethodPost, Path: "/api/v1/publications", Route: "/api/v1/publications",
		Header: idempotency(p.IdempotencyKey), Body: p}, func(res *PublishResult) error {
		if !publicationIDPattern.MatchString(res.PublicationID) {
			return errors.New("publication response lacks a usable id")
		}
		return nil
	})
}

// Withdraw withdraws a publication. Withdrawing twice is harmless: the
// platform returns the first withdrawal.
//
// It returns INVALID (naming the field) for a missing idempotency key or a
// malformed publication id, NOT_FOUND when the platform does not know the
// publication, CONFLICT (reason IDEMPOTENCY_KEY_REUSED) when the key was used
// for another publication, UNAVAILABLE (reason CREDIT_PLATFORM_UNAVAILABLE)
// when the platform fails, times out or the breaker is open, and INTERNAL
// when the platform rejects our credentials or request.
func (c *Client) Withdraw(ctx context.Context, w Withdrawal) (WithdrawResult, error) {
	switch {
	case !apisign.ValidNonce(w.IdempotencyKey):
		return WithdrawResult{}, apperr.InvalidField("idempotencyKey", "幂等键须为 1 至 %d 个可打印 ASCII 字符", apisign.MaxNonceLen)
	case !publicationIDPattern.MatchString(w.PublicationID):
		return WithdrawResult{}, apperr.InvalidField("publicationId", "公示记录编号格式有误")
	}
	return apisign.DoJSON(ctx, c.api, apisign.Request{Method: http.MethodPost, Path: "/api/v1/publications/" + w.PublicationID + "/withdrawal",
		Route: "/api/v1/publications/{id}/withdrawal", Header: idempotency(w.IdempotencyKey), Body: w}, func(res *WithdrawResult) error {
		if res.PublicationID != w.PublicationID {
			return errors.New("withdrawal response names another publication")
		}
		return nil
	})
}

// idempotency is the header set of an idempotent call.
func idempotency(key string) http.Header {
	return http.Header{HeaderIdempotencyKey: {key}}
}
