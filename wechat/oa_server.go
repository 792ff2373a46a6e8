package wechat

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"

	"creditwater/apperr"
	"creditwater/reqctx"
)

// Values of Event.Type: the event types (for MsgType "event") and message
// types WeChat pushes to the official account's server. WeChat spells the
// event types exactly so, in mixed case.
const (
	EventSubscribe       = "subscribe"
	EventUnsubscribe     = "unsubscribe"
	EventScan            = "SCAN"
	EventClick           = "CLICK"
	EventView            = "VIEW"
	EventViewMiniProgram = "view_miniprogram"
	MessageText          = "text"
)

// Event is a message or event WeChat pushed to the official account.
type Event struct {
	// FromUser is the user's openid under the official account.
	FromUser string
	// ToUser is the official account's original ID (gh_…).
	ToUser string
	// Type is the event type (EventClick, EventSubscribe, …) for events and
	// the message type (MessageText, "image", …) for messages.
	Type string
	// EventKey is the menu key of a CLICK, the URL or page of a VIEW, or the
	// scene of a SCAN or QR-code subscribe.
	EventKey string
	// Content is the text of a text message.
	Content string
	// MsgID identifies a message; events have none (0).
	MsgID      int64
	CreateTime time.Time
}

// LogValue logs ev without the openid and the message text.
func (ev Event) LogValue() slog.Value {
	return slog.GroupValue(slog.String("type", ev.Type), slog.String("event_key", ev.EventKey), slog.Int64("msg_id", ev.MsgID))
}

// EventHandler answers the messages and events pushed to the official
// account. The reply text is sent back to the user as a text message; ""
// sends nothing. An error is logged and nothing is sent. HandleEvent runs
// within WeChat's 5-second answer window: ctx ends after 4 seconds.
type EventHandler interface {
	HandleEvent(ctx context.Context, ev Event) (replyText string, err error)
}

// EventHandlerFunc adapts a function to EventHandler.
type EventHandlerFunc func(ctx context.Context, ev Event) (string, error)

// HandleEvent calls f.
func (f EventHandlerFunc) HandleEvent(ctx context.Context, ev Event) (string, error) {
	return f(ctx, ev)
}

// Deduper remembers keys for a while. SeenBefore records key for ttl and
// reports whether it was already recorded; it must be atomic, so that of two
// concurrent calls with one key exactly one gets false.
type Deduper interface {
	SeenBefore(ctx context.Context, key string, ttl time.Duration) (bool, error)
}

// DedupTTL is how long a delivery is remembered: WeChat retries an
// unanswered push up to 3 times within about 15 seconds.
const DedupTTL = 60 * time.Second

// RedisDeduper is a Deduper on Redis (SET key 1 NX EX ttl), shared by all
// instances.
type RedisDeduper struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewRedisDeduper returns a RedisDeduper storing keys as prefix+key in rdb.
func NewRedisDeduper(rdb redis.UniversalClient, prefix string) *RedisDeduper {
	return &RedisDeduper{rdb: rdb, prefix: prefix}
}

// SeenBefore records key for ttl (DedupTTL when ttl is not positive, so that
// no key stays forever) and reports whether it was recorded already. It
// returns UNAVAILABLE when Redis fails.
func (d *RedisDeduper) SeenBefore(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		ttl = DedupTTL
	}
	set, err := d.rdb.SetNX(ctx, d.prefix+key, 1, ttl).Result()
	if err != nil {
		return false, apperr.Wrap(fmt.Errorf("dedup: %w", err), apperr.Unavailable, "重复检测暂不可用")
	}
	return !set, nil
}

// DefaultTimestampWindow is how far a callback's timestamp may be from now
// when OAConfig.TimestampWindow is not set.
const DefaultTimestampWindow = 5 * time.Minute

// Limits of the server endpoint.
const (
	maxCallbackBytes = 64 << 10
	// handlerBudget bounds the EventHandler: WeChat waits 5 seconds for an
	// answer before it retries.
	handlerBudget = 4 * time.Second
	dedupTimeout  = time.Second
)

// inbound is the XML of a pushed message or event (plain, or decrypted).
type inbound struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"`
	Event        string   `xml:"Event"`
	EventKey     string   `xml:"EventKey"`
	Content      string   `xml:"Content"`
	MsgID        int64    `xml:"MsgId"`
}

// envelope is the body of a safe-mode push.
type envelope struct {
	XMLName xml.Name `xml:"xml"`
	Encrypt string   `xml:"Encrypt"`
}

// ServeHTTP is the official account's server endpoint (服务器地址) (R6.4).
//
// GET is WeChat's server verification: when signature is the SHA-1 of the
// sorted token, timestamp and nonce and the timestamp is within the window,
// echostr is echoed.
//
// POST is a pushed message or event. With an EncodingAESKey only safe mode
// is accepted (encrypt_type=aes, checked by msg_signature over the token,
// timestamp, nonce and ciphertext, and by signature when present); without
// one, plain mode (checked by signature) only when OAConfig.AllowPlain is
// set. Plain mode's signature does not cover the body — that is WeChat's
// design — so a captured signature could be sent with another body; the
// replay check below stops that once the original has arrived, and safe
// mode stops it altogether.
//
// Every POST must carry a timestamp within OAConfig.TimestampWindow of now,
// and its (timestamp, nonce, signatures) are remembered until the timestamp
// leaves the window (Redis SET NX through the Deduper, shared by all
// instances): the same signatures with another body are refused; the very
// same request again is answered "success" and not handled (WeChat's retry
// of a request it saw no answer to, or a replay: either way it was handled
// once). When the replay check cannot run (Redis down) the push is refused
// with 503, and WeChat retries it.
//
// The EventHandler's reply goes back as a text message, encrypted in safe
// mode; no reply, a handler error and a repeated delivery are answered
// "success" (WeChat's "nothing to say"). Repeated deliveries are recognised
// by MsgId for messages and by sender, CreateTime, event and key for events,
// and are not handed to the handler again; when the Deduper fails at that
// point the push is handled anyway (at least once) and the failure logged.
//
// A bad or missing signature, a timestamp outside the window, a replayed
// signature and a push in a mode that is not accepted get 403; a malformed
// request 400; other methods 405; all with a short plain-text body and
// nothing processed.
func (oa *OfficialAccount) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch r.Method {
	case http.MethodGet:
		oa.serveVerification(w, r, q)
	case http.MethodPost:
		oa.servePush(w, r, q)
	default:
		w.Header().Set("Allow", "GET, POST")
		writePlain(w, http.StatusMethodNotAllowed, "method not allowed")
	}
}

func (oa *OfficialAccount) serveVerification(w http.ResponseWriter, r *http.Request, q url.Values) {
	if !oa.signed(q, "signature") {
		oa.forbid(w, r)
		return
	}
	if !oa.fresh(q) {
		oa.refuse(w, r, "timestamp out of window")
		return
	}
	echostr := q.Get("echostr")
	if echostr == "" {
		writePlain(w, http.StatusBadRequest, "echostr missing")
		return
	}
	writePlain(w, http.StatusOK, echostr)
}

func (oa *OfficialAccount) servePush(w http.ResponseWriter, r *http.Request, q url.Values) {
	ctx := r.Context()
	body, err := readBody(w, r)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writePlain(w, http.StatusRequestEntityTooLarge, "body too large")
			return
		}
		writePlain(w, http.StatusBadRequest, "cannot read body")
		return
	}
	var raw []byte
	var env envelope
	safe := false
	switch q.Get("encrypt_type") {
	case "", "raw":
		if !oa.signed(q, "signature") {
			oa.forbid(w, r)
			return
		}
		if !oa.plain {
			oa.refuse(w, r, "plain mode not accepted")
			return
		}
		raw = body
	case "aes":
		safe = true
		if q.Get("msg_signature") == "" {
			oa.forbid(w, r)
			return
		}
		if err := xml.Unmarshal(body, &env); err != nil || env.Encrypt == "" {
			writePlain(w, http.StatusBadRequest, "malformed message")
			return
		}
		if !oa.signed(q, "msg_signature", env.Encrypt) || (q.Has("signature") && !oa.signed(q, "signature")) {
			oa.forbid(w, r)
			return
		}
	default:
		writePlain(w, http.StatusBadRequest, "unsupported encrypt_type")
		return
	}
	if !oa.fresh(q) {
		oa.refuse(w, r, "timestamp out of window")
		return
	}
	switch oa.replay(ctx, q, body) {
	case replayRepeat:
		oa.log.InfoContext(ctx, "wechat oa request repeated with the same signature and body; not handled again")
		writePlain(w, http.StatusOK, "success")
		return
	case replaySignature:
		oa.refuse(w, r, "replayed signature")
		return
	case replayUnknown:
		writePlain(w, http.StatusServiceUnavailable, "try again later")
		return
	}
	if safe {
		if oa.aesKey == "" {
			oa.log.ErrorContext(ctx, "wechat oa push in safe mode, but no EncodingAESKey is configured")
			writePlain(w, http.StatusInternalServerError, "safe mode is not configured")
			return
		}
		_, raw, err = util.DecryptMsg(oa.appID, env.Encrypt, oa.aesKey)
		if err != nil {
			// The signature was right, so the key or app ID is misconfigured.
			oa.log.ErrorContext(ctx, "wechat oa push cannot be decrypted; check EncodingAESKey and AppID")
			writePlain(w, http.StatusBadRequest, "cannot decrypt message")
			return
		}
	}

	var in inbound
	if err := xml.Unmarshal(raw, &in); err != nil || in.FromUserName == "" || in.MsgType == "" {
		writePlain(w, http.StatusBadRequest, "malformed message")
		return
	}
	ev := in.event()
	if oa.seenBefore(ctx, in, ev) {
		oa.log.InfoContext(ctx, "wechat oa duplicate delivery ignored", "event", ev)
		writePlain(w, http.StatusOK, "success")
		return
	}
	text := oa.handle(ctx, ev)
	if text == "" {
		writePlain(w, http.StatusOK, "success")
		return
	}
	out, err := oa.reply(in, text, safe)
	if err != nil {
		oa.log.ErrorContext(ctx, "wechat oa reply cannot be built", "event", ev)
		writePlain(w, http.StatusOK, "success")
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, maxCallbackBytes)
	defer body.Close()
	return io.ReadAll(body)
}

// signed reports whether q's param is the signature of the token, timestamp,
// nonce and extra (util.Signature: SHA-1 of the sorted, concatenated values).
func (oa *OfficialAccount) signed(q url.Values, param string, extra ...string) bool {
	sig, ts, nonce := q.Get(param), q.Get("timestamp"), q.Get("nonce")
	if sig == "" || ts == "" || nonce == "" {
		return false
	}
	want := util.Signature(append([]string{oa.token, ts, nonce}, extra...)...)
	return subtle.ConstantTimeCompare([]byte(sig), []byte(want)) == 1
}

func (oa *OfficialAccount) forbid(w http.ResponseWriter, r *http.Request) {
	oa.refuse(w, r, "invalid signature")
}

// refuse answers 403 with why (a short English phrase for WeChat's console)
// and logs it.
func (oa *OfficialAccount) refuse(w http.ResponseWriter, r *http.Request, why string) {
	oa.log.WarnContext(r.Context(), "wechat oa request rejected", "why", why, "method", r.Method, "client_ip", reqctx.ClientIP(r.Context()))
	writePlain(w, http.StatusForbidden, why)
}

// fresh reports whether q's timestamp is within the window of now.
func (oa *OfficialAccount) fresh(q url.Values) bool {
	ts, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
	if err != nil {
		return false
	}
	d := time.Since(time.Unix(ts, 0))
	return d <= oa.window && d >= -oa.window
}

// Outcomes of the replay check.
type replayOutcome int

const (
	replayFresh     replayOutcome = iota // first use of these signatures
	replayRepeat                         // the same signatures and body again
	replaySignature                      // the same signatures with another body
	replayUnknown                        // the check could not run
)

// replay records a push's timestamp, nonce and signatures, and its body,
// until the timestamp leaves the window, and tells whether they were seen
// before. Keys are hashed: no signature or body lands in Redis.
func (oa *OfficialAccount) replay(ctx context.Context, q url.Values, body []byte) replayOutcome {
	if oa.dedup == nil {
		return replayFresh
	}
	ts, _ := strconv.ParseInt(q.Get("timestamp"), 10, 64) // fresh has parsed it
	ttl := time.Until(time.Unix(ts, 0).Add(oa.window)) + time.Second
	h := sha256.New()
	for _, p := range []string{"timestamp", "nonce", "signature", "msg_signature"} {
		h.Write([]byte(q.Get(p)))
		h.Write([]byte{0})
	}
	sigKey := "oa:" + oa.appID + ":sig:" + hex.EncodeToString(h.Sum(nil)[:16])
	h.Write(body)
	reqKey := "oa:" + oa.appID + ":req:" + hex.EncodeToString(h.Sum(nil)[:16])

	dctx, cancel := context.WithTimeout(ctx, dedupTimeout)
	defer cancel()
	same, err := oa.dedup.SeenBefore(dctx, reqKey, ttl)
	if err == nil && same {
		return replayRepeat
	}
	var used bool
	if err == nil {
		used, err = oa.dedup.SeenBefore(dctx, sigKey, ttl)
	}
	switch {
	case err != nil:
		oa.log.WarnContext(ctx, "wechat oa replay check failed; push refused for WeChat to retry", "code", apperr.CodeOf(err))
		return replayUnknown
	case used:
		return replaySignature
	}
	return replayFresh
}

func writePlain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func (in inbound) event() Event {
	typ := in.MsgType
	if typ == string(message.MsgTypeEvent) {
		typ = in.Event
	}
	return Event{
		FromUser:   in.FromUserName,
		ToUser:     in.ToUserName,
		Type:       typ,
		EventKey:   in.EventKey,
		Content:    in.Content,
		MsgID:      in.MsgID,
		CreateTime: time.Unix(in.CreateTime, 0).UTC(),
	}
}

// dedupKey identifies a delivery: by MsgId for messages, and by sender,
// CreateTime, event and key for events (hashed, to keep openids out of
// Redis keys).
func (oa *OfficialAccount) dedupKey(in inbound) string {
	if in.MsgID != 0 {
		return "oa:" + oa.appID + ":msg:" + strconv.FormatInt(in.MsgID, 10)
	}
	sum := sha256.Sum256([]byte(in.FromUserName + "\x00" + strconv.FormatInt(in.CreateTime, 10) + "\x00" + in.Event + "\x00" + in.EventKey))
	return "oa:" + oa.appID + ":evt:" + hex.EncodeToString(sum[:16])
}

// seenBefore reports whether the push was delivered before. A Deduper
// failure counts as "not seen": the push is handled (at least once).
func (oa *OfficialAccount) seenBefore(ctx context.Context, in inbound, ev Event) bool {
	if oa.dedup == nil {
		return false
	}
	dctx, cancel := context.WithTimeout(ctx, dedupTimeout)
	defer cancel()
	seen, err := oa.dedup.SeenBefore(dctx, oa.dedupKey(in), DedupTTL)
	if err != nil {
		oa.log.WarnContext(ctx, "wechat oa duplicate check failed, handling the delivery anyway", "event", ev, "code", apperr.CodeOf(err))
		return false
	}
	return seen
}

// handle runs the EventHandler within handlerBudget; a failure gives "".
func (oa *OfficialAccount) handle(ctx context.Context, ev Event) string {
	if oa.handler == nil {
		return ""
	}
	hctx, cancel := context.WithTimeout(ctx, handlerBudget)
	defer cancel()
	text, err := oa.handler.HandleEvent(hctx, ev)
	if err != nil {
		attrs := []any{"event", ev, "code", apperr.CodeOf(err)}
		if ae := apperr.As(err); ae != nil {
			attrs = append(attrs, "message", ae.Message)
		}
		oa.log.ErrorContext(ctx, "wechat oa event handler failed", attrs...)
		return ""
	}
	return text
}

// reply builds the passive text reply to in, encrypted in safe mode.
func (oa *OfficialAccount) reply(in inbound, text string, safe bool) ([]byte, error) {
	msg := message.NewText(text)
	msg.SetToUserName(message.CDATA(in.FromUserName))
	msg.SetFromUserName(message.CDATA(in.ToUserName))
	msg.SetCreateTime(time.Now().Unix())
	msg.SetMsgType(message.MsgTypeText)
	plain, err := xml.Marshal(msg)
	if err != nil || !safe {
		return plain, err
	}
	random := make([]byte, 16)
	_, _ = rand.Read(random)
	encrypted, err := util.EncryptMsg(random, plain, oa.appID, oa.aesKey)
	if err != nil {
		return nil, err
	}
	ts := time.Now().Unix()
	nonce := randomDigits(10)
	return xml.Marshal(message.ResponseEncryptedXMLMsg{
		EncryptedMsg: string(encrypted),
		MsgSignature: util.Signature(oa.token, strconv.FormatInt(ts, 10), nonce, string(encrypted)),
		Timestamp:    ts,
		Nonce:        nonce,
	})
}

func randomDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		d, _ := rand.Int(rand.Reader, big.NewInt(10))
		b[i] = byte('0' + d.Int64())
	}
	return string(b)
}
