package apisign

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

// Defaults applied by NewClient to zero ClientConfig fields.
const (
	DefaultTimeout             = 5 * time.Second
	DefaultBreakerFailures     = 3
	DefaultBreakerFailureRatio = 0.5
	DefaultBreakerMinRequests  = 10
	DefaultBreakerWindow       = 30 * time.Second
	DefaultBreakerOpenTimeout  = 30 * time.Second
	// DefaultRetryAfter is the RetryAfter of an UNAVAILABLE error when the
	// upstream named none and the breaker is closed.
	DefaultRetryAfter = 5 * time.Second
)

// breakerBuckets is how many buckets the breaker's rolling window has.
const breakerBuckets = 10

// wireCode is the shape of an error body's code (letters and underscores,
// so never an ID number); anything else is dropped, since an upstream could
// echo request data there and the code is logged.
var wireCode = regexp.MustCompile(`^[A-Z][A-Z_]{0,63}$`)

// Limits on what a Client reads from the upstream.
const (
	maxResponseBytes = 4 << 20
	maxErrorBytes    = 64 << 10
)

// Config says how to reach one upstream. Adapters expose it as their own
// Config type.
type Config struct {
	// BaseURL is the upstream's root, e.g. https://credit.example.gov.cn; a
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
	// (slog.Default() when nil). Secrets and bodies are never logged.
	Logger *slog.Logger
}

// Upstream describes the API an adapter speaks.
type Upstream struct {
	// Name names the upstream in logs and errors, e.g. "creditplatform".
	Name string
	// Title is the upstream's name in messages shown to people, in Chinese,
	// e.g. 城市信用平台.
	Title string
	// UnavailableReason is the apperr reason of every UNAVAILABLE error.
	UnavailableReason string
	// Refusal maps a 4xx answer other than 429 that the API documents as
	// the caller's concern (e.g. 404 with wire code SUBJECT_NOT_FOUND) to an
	// error. When it is nil or returns nil the answer means our key, secret,
	// clock or code is wrong: the Client logs it and returns INTERNAL.
	Refusal func(status int, code string) *apperr.Error
}

// Client sends signed JSON requests to one upstream API, bounds each with a
// timeout and guards the upstream with a circuit breaker
// (github.com/sony/gobreaker/v2) that opens on 5xx answers, timeouts and
// transport failures. It is safe for concurrent use.
type Client struct {
	up       Upstream
	cfg      Config
	base     string
	http     *http.Client
	breaker  *gobreaker.CircuitBreaker[struct{}]
	openedAt atomic.Int64 // Unix nanoseconds of the breaker's last opening
	log      *slog.Logger
}

// NewClient returns a Client of the upstream up reached as cfg says. A
// malformed BaseURL is reported by every call as INTERNAL.
func NewClient(up Upstream, cfg Config) *Client {
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
		up:   up,
		cfg:  cfg,
		base: strings.TrimRight(cfg.BaseURL, "/"),
		http: &http.Client{
			Timeout:   cfg.Timeout,
			Transport: cfg.Transport,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse // a redirect would drop the signature's path
			},
		},
		log: cfg.Logger.With("component", up.Name),
	}
	c.breaker = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name: up.Name,
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
				c.openedAt.Store(time.Now().UnixNano())
			}
			c.log.Warn("circuit breaker changed state", "from", from.String(), "to", to.String())
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

// Request is one call of a Client.
type Request struct {
	Method string
	// Path is the escaped path below the base URL.
	Path string
	// Route is Path with identifiers replaced by placeholders, e.g.
	// /api/v1/subjects/{uscc}/report; only Route is logged.
	Route string
	// Header holds extra headers, e.g. Idempotency-Key.
	Header http.Header
	// Body, when not nil, is sent as JSON.
	Body any
}

// Do sends req signed, through the breaker, and passes a 2xx body to decode;
// a decode error counts as an upstream failure.
//
// It returns UNAVAILABLE (reason Upstream.UnavailableReason, RetryAfter
// set) for 5xx and 429 answers, timeouts, transport failures, unusable
// responses, a canceled call and an open breaker; the error of
// Upstream.Refusal for the 4xx answers it maps; and INTERNAL (logged) for
// other 4xx answers and a malformed base URL.
func (c *Client) Do(ctx context.Context, req Request, decode func([]byte) error) error {
	var body []byte
	if req.Body != nil {
		b, err := json.Marshal(req.Body)
		if err != nil {
			return apperr.Wrap(err, apperr.Internal, "无法编码发往%s的请求", c.up.Title)
		}
		body = b
	}
	_, err := c.breaker.Execute(func() (struct{}, error) {
		return struct{}{}, c.roundTrip(ctx, req, body, decode)
	})
	if err != nil {
		return c.classify(err, req)
	}
	return nil
}

// DoJSON is Do for a JSON answer: it decodes a 2xx body into a T and hands
// it to check, which rejects an answer that does not fit the request. Like
// a malformed body, check's error counts as an upstream failure. On error
// it returns T's zero value.
func DoJSON[T any](ctx context.Context, c *Client, req Request, check func(*T) error) (T, error) {
	var v T
	err := c.Do(ctx, req, func(b []byte) error {
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		return check(&v)
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// roundTrip performs one HTTP exchange. Its errors are *statusError,
// *transportError, *decodeError, *configError or errCanceled.
func (c *Client) roundTrip(ctx context.Context, in Request, body []byte, decode func([]byte) error) error {
	if ctx.Err() != nil {
		// The caller's deadline passed before we asked: not the upstream's
		// doing, so it does not count against it.
		return errCanceled
	}
	req, err := http.NewRequestWithContext(ctx, in.Method, c.base+in.Path, bytes.NewReader(body))
	if err != nil || req.URL.Host == "" {
		return &configError{name: c.up.Name, err: fmt.Errorf("bad base URL: %w", err)}
	}
	for k, vs := range in.Header {
		req.Header[k] = vs
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "creditwater")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	SignRequest(req, body, c.cfg.AppKey, c.cfg.AppSecret, time.Now())

	resp, err := c.http.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return errCanceled
		}
		return &transportError{name: c.up.Name, err: err}
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		se := &statusError{name: c.up.Name, status: resp.StatusCode, retryAfter: retryAfter(resp.Header.Get("Retry-After"))}
		var eb ErrorBody
		if b, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBytes)); err == nil && json.Unmarshal(b, &eb) == nil &&
			wireCode.MatchString(eb.Code) {
			se.code = eb.Code // only a code-shaped value: it is logged
		}
		return se
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return errCanceled
		}
		return &transportError{name: c.up.Name, err: err}
	}
	if len(b) > maxResponseBytes {
		return &decodeError{name: c.up.Name, err: errors.New("response too large")}
	}
	if err := decode(b); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		if errors.As(err, &syn) || errors.As(err, &typ) {
			err = errors.New("malformed JSON") // their text may quote the body
		}
		return &decodeError{name: c.up.Name, err: err}
	}
	return nil
}

// classify turns a roundTrip or breaker error into an *apperr.Error.
func (c *Client) classify(err error, req Request) *apperr.Error {
	var (
		se *statusError
		ce *configError
	)
	switch {
	case errors.Is(err, gobreaker.ErrOpenState), errors.Is(err, gobreaker.ErrTooManyRequests):
		return c.unavailable(err, c.openRemaining())
	case errors.As(err, &ce):
		c.log.Error("client misconfigured", "method", req.Method, "route", req.Route, "error", err.Error())
		return apperr.Wrap(err, apperr.Internal, "%s接口配置有误", c.up.Title)
	case errors.As(err, &se):
		if se.status == http.StatusTooManyRequests || se.status >= 500 {
			return c.unavailable(err, se.retryAfter)
		}
		if c.up.Refusal != nil {
			if e := c.up.Refusal(se.status, se.code); e != nil {
				if e.Err == nil {
					e.Err = err
				}
				return e
			}
		}
		// 401/403 (key, secret, clock), 400 or an unknown route: our
		// configuration or code is wrong, retrying will not help.
		c.log.Error("the upstream rejected the request; check app key, secret, clock and base URL",
			"method", req.Method, "route", req.Route, "status", se.status, "code", se.code)
		return apperr.Wrap(err, apperr.Internal, "%s拒绝了请求", c.up.Title)
	default: // canceled, transport and decode errors
		return c.unavailable(err, 0)
	}
}

// unavailable is the UNAVAILABLE error of this upstream; retry ≤ 0 means
// what is left of the open period while the breaker is open (this failure
// may have opened it), DefaultRetryAfter otherwise.
func (c *Client) unavailable(cause error, retry time.Duration) *apperr.Error {
	switch {
	case retry > 0:
	case c.breaker.State() != gobreaker.StateClosed:
		retry = c.openRemaining() // this failure opened it
	default:
		retry = DefaultRetryAfter
	}
	e := apperr.Wrap(cause, apperr.Unavailable, "%s暂时不可用，请稍后重试", c.up.Title).WithReason(c.up.UnavailableReason)
	e.RetryAfter = retry
	return e
}

// openRemaining is how long the open breaker will still fail fast, rounded
// up to a whole second (at least one).
func (c *Client) openRemaining() time.Duration {
	left := time.Until(time.Unix(0, c.openedAt.Load()).Add(c.cfg.BreakerOpenTimeout))
	if left < time.Second {
		return time.Second
	}
	return left.Round(time.Second)
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
// while the upstream is answering is a timeout, which counts.
var errCanceled = errors.New("apisign: request canceled by caller")

// statusError is a non-2xx response.
type statusError struct {
	name       string
	status     int
	code       string
	retryAfter time.Duration
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s: HTTP %d %s", e.name, e.status, e.code)
}

// transportError is a network failure or timeout.
type transportError struct {
	name string
	err  error
}

func (e *transportError) Error() string { return e.name + ": transport: " + e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// decodeError is a 2xx response we cannot use.
type decodeError struct {
	name string
	err  error
}

func (e *decodeError) Error() string { return e.name + ": bad response: " + e.err.Error() }
func (e *decodeError) Unwrap() error { return e.err }

// configError is a request we cannot even build.
type configError struct {
	name string
	err  error
}

func (e *configError) Error() string { return e.name + ": " + e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// isFailure reports whether err counts against the upstream's health: 5xx,
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
