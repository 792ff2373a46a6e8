package creditplatform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"

	"creditwater/apperr"
)

// ReasonUnavailable is the apperr reason of every UNAVAILABLE error of Client.
const ReasonUnavailable = "CREDIT_PLATFORM_UNAVAILABLE"

// Defaults applied by New to zero Config fields.
const (
	DefaultTimeout             = 5 * time.Second
	DefaultBreakerFailures     = 3
	DefaultBreakerFailureRatio = 0.5
	DefaultBreakerMinRequests  = 10
	DefaultBreakerWindow       = 30 * time.Second
	DefaultBreakerOpenTimeout  = 30 * time.Second
	// DefaultRetryAfter is the retryAfter of an UNAVAILABLE error while
	// the breaker is closed and the platform sent no Retry-After.
	DefaultRetryAfter = 5 * time.Second
)

// breakerBuckets is how many buckets the breaker's rolling window has.
const breakerBuckets = 10

// Limits on what Client reads from the platform.
const (
	maxResponseBytes = 4 << 20
	maxErrorBytes    = 64 << 10
)

// publicationIDPattern keeps publication ids safe to put in a path.
var publicationIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,128}$`)

// Config configures a Client.
type Config struct {
	// BaseURL is the platform's root, e.g. https://credit.example.gov.cn; a
	// path prefix is kept.
	BaseURL   string
	AppKey    string
	AppSecret string
	// Timeout bounds each HTTP request (DefaultTimeout when zero).
	Timeout time.Duration
	// BreakerFailures is the number of consecutive failures (5xx, timeouts,
	// transport errors, malformed responses) that opens the circuit breaker
	// (DefaultBreakerFailures when zero).
	BreakerFailures uint32
	// BreakerFailureRatio opens the breaker too when, within BreakerWindow,
	// at least BreakerMinRequests requests were sent and this share of them
	// failed (DefaultBreakerFailureRatio when zero; above 1 disables it).
	BreakerFailureRatio float64
	// BreakerMinRequests is the least number of requests in the window
	// before the ratio counts (DefaultBreakerMinRequests when zero).
	BreakerMinRequests uint32
	// BreakerWindow is the rolling window of the ratio (DefaultBreakerWindow
	// when zero; at least twice Timeout, so that a timed-out request still
	// counts in the window it started in).
	BreakerWindow time.Duration
	// BreakerOpenTimeout is how long the open breaker fails fast before it
	// lets one trial request through (DefaultBreakerOpenTimeout when zero).
	BreakerOpenTimeout time.Duration
	// Transport is the HTTP transport (http.DefaultTransport when nil).
	Transport http.RoundTripper
	// Logger receives misconfiguration errors and breaker state changes
	// (slog.Default() when nil). Secrets are never logged.
	Logger *slog.Logger
}

// Client is the HTTP adapter to the city credit platform. It signs every
// request, bounds it with a timeout and guards the platform with a circuit
// breaker. It is safe for concurrent use.
type Client struct {
	base        string
	key, secret string
	http        *http.Client
	breaker     *gobreaker.CircuitBreaker[struct{}]
	// openUntil is when the open breaker lets a trial request through
	// (Unix nanoseconds), for retryAfter.
	openUntil atomic.Int64
	log       *slog.Logger
}

// New returns a Client for cfg. A malformed BaseURL is reported by every call
// as INTERNAL.
func New(cfg Config) *Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.BreakerFailures == 0 {
		cfg.BreakerFailures = DefaultBreakerFailures
	}
	if cfg.BreakerFailureRatio <= 0 {
		cfg.BreakerFailureRatio = DefaultBreakerFailureRatio
	}
	if cfg.BreakerMinRequests == 0 {
		cfg.BreakerMinRequests = DefaultBreakerMinRequests
	}
	if cfg.BreakerWindow <= 0 {
		cfg.BreakerWindow = DefaultBreakerWindow
	}
	cfg.BreakerWindow = max(cfg.BreakerWindow, 2*cfg.Timeout)
	if cfg.BreakerOpenTimeout <= 0 {
		cfg.BreakerOpenTimeout = DefaultBreakerOpenTimeout
	}
	if cfg.Transport == nil {
		cfg.Transport = http.DefaultTransport
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	c := &Client{
		base:   strings.TrimRight(cfg.BaseURL, "/"),
		key:    cfg.AppKey,
		secret: cfg.AppSecret,
		http: &http.Client{
			Timeout:   cfg.Timeout,
			Transport: cfg.Transport,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse // a redirect would drop the signature's path
			},
		},
		log: cfg.Logger.With("component", "creditplatform"),
	}
	c.breaker = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name: "creditplatform",
		// The counts roll over the window in buckets, so the ratio is of
		// recent requests only.
		Interval:     cfg.BreakerWindow,
		BucketPeriod: cfg.BreakerWindow / breakerBuckets,
		Timeout:      cfg.BreakerOpenTimeout,
		ReadyToTrip:  readyToTrip(cfg.BreakerFailures, cfg.BreakerMinRequests, cfg.BreakerFailureRatio),
		IsSuccessful: func(err error) bool { return !isFailure(err) },
		IsExcluded:   func(err error) bool { return errors.Is(err, errCanceled) },
		OnStateChange: func(_ string, from, to gobreaker.State) {
			if to == gobreaker.StateOpen {
				c.openUntil.Store(time.Now().Add(cfg.BreakerOpenTimeout).UnixNano())
			}
			c.log.Warn("credit platform circuit breaker changed state", "from", from.String(), "to", to.String())
		},
	})
	return c
}

// readyToTrip opens the breaker after failures consecutive failures, or when
// at least minRequests requests were sent in the window and ratio of them
// failed. Requests still in flight count as sent, so a burst of timeouts
// opens it as soon as enough of the burst has failed, not after the last.
func readyToTrip(failures, minRequests uint32, ratio float64) func(gobreaker.Counts) bool {
	return func(c gobreaker.Counts) bool {
		if c.ConsecutiveFailures >= failures {
			return true
		}
		sent := c.Requests - min(c.TotalExclusions, c.Requests)
		return sent >= minRequests && float64(c.TotalFailures) >= ratio*float64(sent)
	}
}

// retryAfter is when an UNAVAILABLE caller should try again: the rest of the
// breaker's open period while it is open (at least a second), otherwise
// DefaultRetryAfter.
func (c *Client) retryAfter() time.Duration {
	if c.breaker.State() != gobreaker.StateClosed {
		return max(time.Until(time.Unix(0, c.openUntil.Load())).Round(time.Second), time.Second)
	}
	return DefaultRetryAfter
}

// Report fetches the electronic credit report of the subject with the given
// USCC (R6.2). The caller records the audit entry.
//
// It returns INVALID (field "uscc") for a malformed USCC, NOT_FOUND when the
// platform does not know the subject, UNAVAILABLE (reason
// CREDIT_PLATFORM_UNAVAILABLE, with RetryAfter) when the platform fails, times out or the
// breaker is open, and INTERNAL when the platform rejects our credentials or
// request.
func (c *Client) Report(ctx context.Context, uscc string) (*Report, error) {
	if !ValidUSCC(uscc) {
		return nil, apperr.InvalidField("uscc", "not a valid unified social credit code")
	}
	var rep Report
	err := c.call(ctx, http.MethodGet, "/api/v1/subjects/"+uscc+"/report", "", nil, func(b []byte) error {
		if err := json.Unmarshal(b, &rep); err != nil {
			return err
		}
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
// CREDIT_PLATFORM_UNAVAILABLE, with RetryAfter) when the platform fails, times out or the
// breaker is open, and INTERNAL when the platform rejects our credentials or
// request.
func (c *Client) Rating(ctx context.Context, uscc string) (RatingResult, error) {
	if !ValidUSCC(uscc) {
		return RatingResult{}, apperr.InvalidField("uscc", "not a valid unified social credit code")
	}
	var res RatingResult
	err := c.call(ctx, http.MethodGet, "/api/v1/subjects/"+uscc+"/rating", "", nil, func(b []byte) error {
		if err := json.Unmarshal(b, &res); err != nil {
			return err
		}
		if res.USCC != uscc || !res.Rating.Valid() {
			return errors.New("rating does not match the request or is not A-D")
		}
		return nil
	})
	if err != nil {
		return RatingResult{}, err
	}
	return res, nil
}

// Publish publishes p on the platform (R2.3). Repeating a call with the same
// IdempotencyKey returns the same publication id and creates no duplicate,
// so an outbox may retry freely.
//
// It returns INVALID (naming the field) for a missing idempotency key,
// unknown kind, malformed USCC, empty title or a body that is not a JSON
// object; NOT_FOUND when the platform does not know the subject; CONFLICT
// (reason IDEMPOTENCY_KEY_REUSED) when the key was used for a different
// publication; UNAVAILABLE (reason CREDIT_PLATFORM_UNAVAILABLE, with RetryAfter) when the
// platform fails, times out or the breaker is open; and INTERNAL when the
// platform rejects our credentials or request.
func (c *Client) Publish(ctx context.Context, p Publication) (PublishResult, error) {
	switch {
	case !printable(p.IdempotencyKey):
		return PublishResult{}, apperr.InvalidField("idempotencyKey", "must be 1 to %d printable ASCII characters", maxNonceLen)
	case !p.Kind.Valid():
		return PublishResult{}, apperr.InvalidField("kind", "must be COMMITMENT, DISHONESTY or REPAIR")
	case !ValidUSCC(p.SubjectUSCC):
		return PublishResult{}, apperr.InvalidField("subjectUscc", "not a valid unified social credit code")
	case strings.TrimSpace(p.Title) == "":
		return PublishResult{}, apperr.InvalidField("title", "must not be empty")
	case len(p.Body) > 0 && !isJSONObject(p.Body):
		return PublishResult{}, apperr.InvalidField("body", "must be a JSON object")
	}
	var res PublishResult
	err := c.call(ctx, http.MethodPost, "/api/v1/publications", p.IdempotencyKey, p, func(b []byte) error {
		if err := json.Unmarshal(b, &res); err != nil {
			return err
		}
		if !publicationIDPattern.MatchString(res.PublicationID) {
			return errors.New("publication response lacks a usable id")
		}
		return nil
	})
	if err != nil {
		return PublishResult{}, err
	}
	return res, nil
}

// Withdraw withdraws a publication. Withdrawing twice is harmless: the
// platform returns the first withdrawal.
//
// It returns INVALID (naming the field) for a missing idempotency key or a
// malformed publication id, NOT_FOUND when the platform does not know the
// publication, CONFLICT (reason IDEMPOTENCY_KEY_REUSED) when the key was used
// for another publication, UNAVAILABLE (reason CREDIT_PLATFORM_UNAVAILABLE, with RetryAfter)
// when the platform fails, times out or the breaker is open, and INTERNAL
// when the platform rejects our credentials or request.
func (c *Client) Withdraw(ctx context.Context, w Withdrawal) (WithdrawResult, error) {
	switch {
	case !printable(w.IdempotencyKey):
		return WithdrawResult{}, apperr.InvalidField("idempotencyKey", "must be 1 to %d printable ASCII characters", maxNonceLen)
	case !publicationIDPattern.MatchString(w.PublicationID):
		return WithdrawResult{}, apperr.InvalidField("publicationId", "malformed publication id")
	}
	var res WithdrawResult
	err := c.call(ctx, http.MethodPost, "/api/v1/publications/"+w.PublicationID+"/withdrawal", w.IdempotencyKey, w, func(b []byte) error {
		if err := json.Unmarshal(b, &res); err != nil {
			return err
		}
		if res.PublicationID != w.PublicationID {
			return errors.New("withdrawal response names another publication")
		}
		return nil
	})
	if err != nil {
		return WithdrawResult{}, err
	}
	return res, nil
}

// call sends one signed request through the breaker and decodes a 2xx body
// with decode. path must already be escaped. It returns *apperr.Error.
func (c *Client) call(ctx context.Context, method, path, idemKey string, in any, decode func([]byte) error) error {
	var body []byte
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return apperr.Wrap(err, apperr.Internal, "cannot encode credit platform request")
		}
		body = b
	}
	_, err := c.breaker.Execute(func() (struct{}, error) {
		return struct{}{}, c.roundTrip(ctx, method, path, idemKey, body, decode)
	})
	if err != nil {
		return c.classify(err, method, path)
	}
	return nil
}

// roundTrip performs one HTTP exchange. Its errors are *statusError,
// *transportError, *decodeError, *configError or errCanceled.
func (c *Client) roundTrip(ctx context.Context, method, path, idemKey string, body []byte, decode func([]byte) error) error {
	if ctx.Err() != nil {
		// The caller's deadline passed before we asked: not the platform's
		// doing, so it does not count against it.
		return errCanceled
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil || req.URL.Host == "" {
		return &configError{err: fmt.Errorf("bad base URL: %w", err)}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "creditwater")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idemKey != "" {
		req.Header.Set(HeaderIdempotencyKey, idemKey)
	}
	SignRequest(req, body, c.key, c.secret, time.Now())

	resp, err := c.http.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return errCanceled
		}
		return &transportError{err: err}
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		se := &statusError{status: resp.StatusCode, retryAfter: retryAfter(resp.Header.Get("Retry-After"))}
		var eb ErrorBody
		if b, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBytes)); err == nil && json.Unmarshal(b, &eb) == nil {
			se.code = eb.Code
		}
		return se
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return errCanceled
		}
		return &transportError{err: err}
	}
	if len(b) > maxResponseBytes {
		return &decodeError{err: errors.New("response too large")}
	}
	if err := decode(b); err != nil {
		return &decodeError{err: err}
	}
	return nil
}

// classify turns a roundTrip or breaker error into an *apperr.Error.
func (c *Client) classify(err error, method, path string) *apperr.Error {
	var (
		se *statusError
		ce *configError
	)
	switch {
	case errors.Is(err, gobreaker.ErrOpenState), errors.Is(err, gobreaker.ErrTooManyRequests), errors.Is(err, errCanceled):
		return c.unavailable(err, 0)
	case errors.As(err, &ce):
		c.log.Error("credit platform client misconfigured", "method", method, "path", redactPath(path), "error", err.Error())
		return apperr.Wrap(err, apperr.Internal, "credit platform client is misconfigured")
	case errors.As(err, &se):
		switch {
		case se.status == http.StatusNotFound && se.code == CodeSubjectNotFound:
			return apperr.Wrap(err, apperr.NotFound, "subject is unknown to the credit platform")
		case se.status == http.StatusNotFound && se.code == CodePublicationNotFound:
			return apperr.Wrap(err, apperr.NotFound, "publication is unknown to the credit platform")
		case se.status == http.StatusConflict:
			return apperr.Wrap(err, apperr.Conflict, "idempotency key already used for a different request").WithReason("IDEMPOTENCY_KEY_REUSED")
		case se.status == http.StatusTooManyRequests || se.status >= 500:
			return c.unavailable(err, se.retryAfter)
		default:
			// 401/403 (key, secret, clock), 400 or an unknown route: our
			// configuration or code is wrong, retrying will not help.
			c.log.Error("credit platform rejected the request; check app key, secret, clock and base URL",
				"method", method, "path", redactPath(path), "status", se.status, "code", se.code)
			return apperr.Wrap(err, apperr.Internal, "credit platform rejected the request")
		}
	default: // transport and decode errors
		return c.unavailable(err, 0)
	}
}

// unavailable is the UNAVAILABLE error of cause, with the platform's own
// Retry-After when it sent one and c.retryAfter otherwise.
func (c *Client) unavailable(cause error, platformRetryAfter time.Duration) *apperr.Error {
	e := apperr.Wrap(cause, apperr.Unavailable, "信用平台暂时无法访问，请稍后再试").WithReason(ReasonUnavailable)
	e.RetryAfter = platformRetryAfter
	if e.RetryAfter <= 0 {
		e.RetryAfter = c.retryAfter()
	}
	return e
}

// redactPath drops the subject's USCC from a path before logging it.
func redactPath(path string) string {
	const prefix = "/api/v1/subjects/"
	if rest, ok := strings.CutPrefix(path, prefix); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return prefix + "{uscc}" + rest[i:]
		}
	}
	return path
}

func isJSONObject(b []byte) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(b, &m) == nil && m != nil
}

func retryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}

// errCanceled marks a request the caller canceled, or whose deadline had
// passed before it was sent; the breaker ignores it. A deadline that passes
// while the platform is answering is a timeout, which counts.
var errCanceled = errors.New("creditplatform: request canceled by caller")

// statusError is a non-2xx response.
type statusError struct {
	status     int
	code       string
	retryAfter time.Duration
}

func (e *statusError) Error() string {
	return fmt.Sprintf("creditplatform: HTTP %d %s", e.status, e.code)
}

// transportError is a network failure or timeout.
type transportError struct{ err error }

func (e *transportError) Error() string { return "creditplatform: transport: " + e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// decodeError is a 2xx response we cannot use.
type decodeError struct{ err error }

func (e *decodeError) Error() string { return "creditplatform: bad response: " + e.err.Error() }
func (e *decodeError) Unwrap() error { return e.err }

// configError is a request we cannot even build.
type configError struct{ err error }

func (e *configError) Error() string { return "creditplatform: " + e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// isFailure reports whether err counts against the platform's health: 5xx,
// transport errors, timeouts and unusable responses do; 4xx, 429 and our
// own mistakes do not.
func isFailure(err error) bool {
	if err == nil {
		return false
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.status >= 500
	}
	var te *transportError
	var de *decodeError
	return errors.As(err, &te) || errors.As(err, &de)
}
