// Package reqctx carries what the service knows about the current request
// through a context.Context: its ID, the client's address and the
// authenticated actor. The HTTP layer fills it; domain packages read it.
package reqctx

import (
	"context"

	"creditwater/models"
)

type key int

const (
	keyRequestID key = iota
	keyClientIP
	keyActor
)

// Actor is the authenticated caller.
type Actor struct {
	UserID    string
	Role      models.Role
	OpenID    string
	SessionID string // hash of the session token, never the token itself
}

// WithRequestID returns ctx carrying the request ID.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, keyRequestID, id)
}

// RequestID returns the request ID or "".
func RequestID(ctx context.Context) string { s, _ := ctx.Value(keyRequestID).(string); return s }

// WithClientIP returns ctx carrying the caller's IP address.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, keyClientIP, ip)
}

// ClientIP returns the caller's IP address or "".
func ClientIP(ctx context.Context) string { s, _ := ctx.Value(keyClientIP).(string); return s }

// WithActor returns ctx carrying the authenticated actor.
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, keyActor, a)
}

// ActorFrom returns the authenticated actor, or nil for an anonymous caller.
func ActorFrom(ctx context.Context) *Actor { a, _ := ctx.Value(keyActor).(*Actor); return a }
