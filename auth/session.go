// Package auth owns identity: WeChat and staff login, opaque sessions in
// Redis, login rate limits and role checks (R6.1, R7.1).
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"creditwater/apperr"
	"creditwater/models"
	"creditwater/reqctx"
)

// Session is what the server keeps about a login. It never leaves the
// server: the client holds only the opaque token.
type Session struct {
	UserID     string      `json:"u"`
	Role       models.Role `json:"r"`
	OpenID     string      `json:"o,omitempty"`
	SessionKey string      `json:"k,omitempty"` // WeChat session_key
	CreatedAt  time.Time   `json:"c"`
}

// Sessions stores sessions in Redis under a hash of the token, with a sliding
// TTL, so any instance can check any session.
type Sessions struct {
	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration
}

// NewSessions returns a session store.
func NewSessions(rdb redis.UniversalClient, prefix string, ttl time.Duration) *Sessions {
	return &Sessions{rdb: rdb, prefix: prefix + "sess:", ttl: ttl}
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Create stores s and returns a new opaque token. It returns UNAVAILABLE
// when Redis cannot be reached.
func (st *Sessions) Create(ctx context.Context, s Session) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "could not create a session")
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	raw, _ := json.Marshal(s)
	if err := st.rdb.Set(ctx, st.prefix+tokenHash(token), raw, st.ttl).Err(); err != nil {
		return "", unavailable(err)
	}
	return token, nil
}

// Lookup returns the session of token and extends its TTL. It returns
// UNAUTHENTICATED for an unknown or expired token and UNAVAILABLE when Redis
// cannot be reached (sessions fail closed).
func (st *Sessions) Lookup(ctx context.Context, token string) (*reqctx.Actor, error) {
	key := tokenHash(token)
	raw, err := st.rdb.GetEx(ctx, st.prefix+key, st.ttl).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, apperr.New(apperr.Unauthenticated, "session is invalid or has expired; log in again")
	}
	if err != nil {
		return nil, unavailable(err)
	}
	var s Session
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, apperr.New(apperr.Unauthenticated, "session is invalid or has expired; log in again")
	}
	return &reqctx.Actor{UserID: s.UserID, Role: s.Role, OpenID: s.OpenID, SessionID: key}, nil
}

// Delete ends the session of token. It returns UNAVAILABLE when Redis
// cannot be reached.
func (st *Sessions) Delete(ctx context.Context, sessionID string) error {
	if err := st.rdb.Del(ctx, st.prefix+sessionID).Err(); err != nil {
		return unavailable(err)
	}
	return nil
}

func unavailable(err error) error {
	e := apperr.Wrap(err, apperr.Unavailable, "the session store is temporarily unavailable; try again shortly")
	e.RetryAfter = 5 * time.Second
	return e
}

// Require returns the actor when it has one of roles (any role when none
// are given). It returns UNAUTHENTICATED without a session and FORBIDDEN for
// another role.
func Require(ctx context.Context, roles ...models.Role) (*reqctx.Actor, error) {
	a := reqctx.ActorFrom(ctx)
	if a == nil {
		return nil, apperr.New(apperr.Unauthenticated, "log in first")
	}
	if len(roles) == 0 {
		return a, nil
	}
	for _, r := range roles {
		if a.Role == r {
			return a, nil
		}
	}
	return nil, apperr.New(apperr.Forbidden, "your role %s may not do this", a.Role)
}
