// Package auth owns identity: WeChat and staff login, opaque sessions in
// Redis that follow the user's current state, login failure budgets, user
// management and role checks (R6.1, R7.1, R8.1).
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/redis/go-redis/v9"

	"creditwater/apperr"
	"creditwater/models"
	"creditwater/reqctx"
)

// Session is what the server keeps about a login. It never leaves the
// server: the client holds only the opaque token. It holds nothing secret
// of WeChat's (no session_key: nothing needs it).
type Session struct {
	UserID string      `json:"u"`
	Role   models.Role `json:"r"`
	OpenID string      `json:"o,omitempty"`
	// Gen is the user's session generation when the session was opened;
	// the session ends when the user's generation moves on (R7.1).
	Gen       int64     `json:"g"`
	CreatedAt time.Time `json:"c"`
	// ExpiresAt is the absolute end of the session, however active.
	ExpiresAt time.Time `json:"x"`
}

// SessionConfig are the session lifetimes: the sliding idle TTL, the
// absolute lifetime per role (R7.1) and how long a user's state may be
// cached in-process when checking a session.
type SessionConfig struct {
	IdleTTL          time.Duration
	MaxAgeEnterprise time.Duration
	MaxAgeStaff      time.Duration
	CheckCache       time.Duration
}

// MaxAge returns the absolute session lifetime of role.
func (c SessionConfig) MaxAge(role models.Role) time.Duration {
	if role == models.RoleEnterprise {
		return c.MaxAgeEnterprise
	}
	return c.MaxAgeStaff
}

// Sessions stores sessions in Redis under a hash of the token, with a sliding
// TTL capped by the absolute lifetime, so any instance can check any
// session. Each user's session IDs are also kept in a sorted set (score: the
// session's absolute end) so that all of them can be ended at once.
type Sessions struct {
	rdb    redis.UniversalClient
	prefix string
	cfg    SessionConfig
	now    func() time.Time
	// decoded keeps recently read sessions by ID with the stored value
	// they were decoded from (see decode).
	decoded *lru.Cache[string, decodedSession]
}

// decodedSession is a session and the stored value it was decoded from.
type decodedSession struct {
	raw string
	s   Session
}

// decodedSessions is how many decoded sessions each instance keeps.
const decodedSessions = 10000

// NewSessions returns a session store. Zero lifetimes in cfg default to the
// idle TTL.
func NewSessions(rdb redis.UniversalClient, prefix string, cfg SessionConfig) *Sessions {
	if cfg.MaxAgeEnterprise <= 0 {
		cfg.MaxAgeEnterprise = cfg.IdleTTL
	}
	if cfg.MaxAgeStaff <= 0 {
		cfg.MaxAgeStaff = cfg.IdleTTL
	}
	decoded, _ := lru.New[string, decodedSession](decodedSessions)
	return &Sessions{rdb: rdb, prefix: prefix, cfg: cfg, now: time.Now, decoded: decoded}
}

// Config returns the session lifetimes.
func (st *Sessions) Config() SessionConfig { return st.cfg }

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func (st *Sessions) key(sessionID string) string  { return st.prefix + "sess:" + sessionID }
func (st *Sessions) userKey(userID string) string { return st.prefix + "usess:" + userID }

// Create stores s, sets its absolute end from its role and returns a new
// opaque token and the session as stored. It returns UNAVAILABLE when Redis
// cannot be reached.
func (st *Sessions) Create(ctx context.Context, s Session) (string, Session, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", s, apperr.Wrap(err, apperr.Internal, "无法创建会话")
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	if s.CreatedAt.IsZero() {
		s.CreatedAt = st.now().UTC()
	}
	maxAge := st.cfg.MaxAge(s.Role)
	s.ExpiresAt = s.CreatedAt.Add(maxAge)
	raw, _ := json.Marshal(s)
	id := tokenHash(token)
	ttl := min(st.cfg.IdleTTL, maxAge)
	uk := st.userKey(s.UserID)
	_, err := st.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, st.key(id), raw, ttl)
		p.ZAdd(ctx, uk, redis.Z{Score: float64(s.ExpiresAt.UnixMilli()), Member: id})
		p.ZRemRangeByScore(ctx, uk, "-inf", "("+strconv.FormatInt(st.now().UnixMilli(), 10))
		p.Expire(ctx, uk, max(st.cfg.MaxAgeEnterprise, st.cfg.MaxAgeStaff))
		return nil
	})
	if err != nil {
		return "", s, unavailable(err)
	}
	return token, s, nil
}

// errSessionGone is the answer for an unknown, expired or ended session.
func errSessionGone() error {
	return apperr.New(apperr.Unauthenticated, "会话无效或已过期，请重新登录").WithReason("SESSION_EXPIRED")
}

// lookup returns the session of token and its ID, extending its sliding TTL
// up to its absolute end. It returns UNAUTHENTICATED (reason
// SESSION_EXPIRED) for an unknown, expired or too old session and
// UNAVAILABLE when Redis cannot be reached (sessions fail closed).
func (st *Sessions) lookup(ctx context.Context, token string) (Session, string, error) {
	id := tokenHash(token)
	raw, err := st.rdb.GetEx(ctx, st.key(id), st.cfg.IdleTTL).Bytes()
	if errors.Is(err, redis.Nil) {
		return Session{}, id, errSessionGone()
	}
	if err != nil {
		return Session{}, id, unavailable(err)
	}
	s, ok := st.decode(id, raw)
	if !ok {
		return Session{}, id, errSessionGone()
	}
	if s.ExpiresAt.IsZero() {
		// A session stored before absolute lifetimes existed.
		s.ExpiresAt = s.CreatedAt.Add(st.cfg.MaxAge(s.Role))
	}
	left := s.ExpiresAt.Sub(st.now())
	if left <= 0 {
		_ = st.Delete(ctx, s.UserID, id)
		return Session{}, id, apperr.New(apperr.Unauthenticated, "会话已达最长有效期，请重新登录").WithReason("SESSION_MAX_AGE")
	}
	if left < st.cfg.IdleTTL {
		if err := st.rdb.PExpireAt(ctx, st.key(id), s.ExpiresAt).Err(); err != nil {
			return Session{}, id, unavailable(err)
		}
	}
	return s, id, nil
}

// decode returns the session stored as raw under id, or false for a value
// that is not a session. A session's value is written once, at login, and
// only read, expired or deleted after that, so a value byte-equal to the one
// a session was decoded from is that session: it is not decoded again (the
// JSON decoding was a fifth of a request's session check). Redis stays the
// only judge of whether the session exists and lives: lookup reads the value
// on every request.
func (st *Sessions) decode(id string, raw []byte) (Session, bool) {
	if d, ok := st.decoded.Get(id); ok && d.raw == string(raw) {
		return d.s, true
	}
	var s Session
	if err := json.Unmarshal(raw, &s); err != nil || s.UserID == "" || s.CreatedAt.IsZero() {
		return Session{}, false
	}
	st.decoded.Add(id, decodedSession{raw: string(raw), s: s})
	return s, true
}

// Delete ends one session of the user. It returns UNAVAILABLE when Redis
// cannot be reached.
func (st *Sessions) Delete(ctx context.Context, userID, sessionID string) error {
	_, err := st.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, st.key(sessionID))
		p.ZRem(ctx, st.userKey(userID), sessionID)
		return nil
	})
	if err != nil {
		return unavailable(err)
	}
	return nil
}

// EndAll deletes every session of the user and returns how many there were.
// The keys are deleted one by one (they may live on different Redis Cluster
// slots). It returns UNAVAILABLE when Redis cannot be reached; the user's
// session generation, moved on in the database first, still ends them.
func (st *Sessions) EndAll(ctx context.Context, userID string) (int, error) {
	uk := st.userKey(userID)
	ids, err := st.rdb.ZRange(ctx, uk, 0, -1).Result()
	if err != nil {
		return 0, unavailable(err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	dels := make([]*redis.IntCmd, len(ids))
	_, err = st.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			dels[i] = p.Del(ctx, st.key(id))
		}
		members := make([]any, len(ids))
		for i, id := range ids {
			members[i] = id
		}
		p.ZRem(ctx, uk, members...)
		return nil
	})
	if err != nil {
		return 0, unavailable(err)
	}
	n := 0
	for _, d := range dels {
		n += int(d.Val())
	}
	return n, nil
}

func unavailable(err error) error {
	e := apperr.Wrap(err, apperr.Unavailable, "会话服务暂时不可用，请稍后重试")
	e.RetryAfter = 5 * time.Second
	return e
}

// Require returns the actor when it has one of roles (any role when none
// are given). It returns UNAUTHENTICATED without a session and FORBIDDEN for
// another role.
func Require(ctx context.Context, roles ...models.Role) (*reqctx.Actor, error) {
	a := reqctx.ActorFrom(ctx)
	if a == nil {
		return nil, apperr.New(apperr.Unauthenticated, "请先登录")
	}
	if len(roles) == 0 {
		return a, nil
	}
	for _, r := range roles {
		if a.Role == r {
			return a, nil
		}
	}
	return nil, apperr.New(apperr.Forbidden, "您的角色（%s）无权执行此操作", a.Role)
}
