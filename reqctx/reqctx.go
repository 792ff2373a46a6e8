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
	keyRequest key = iota
	keyActor
)

// request is what the HTTP layer knows before authentication; one context
// value for both, set once per request.
type request struct{ id, clientIP string }

// Actor is the authenticated caller.
type Actor struct {
	UserID    string
	Role      models.Role
	OpenID    string
	SessionID string // hash of the session token, never the token itself
}

// WithRequest returns ctx carrying the request ID and the caller's IP
// address.
func WithRequest(ctx context.Context, id, clientIP string) context.Context {
	return context.WithValue(ctx, keyRequest, &request{id: id, clientIP: clientIP})
}

// RequestID returns the request ID or "".
func RequestID(ctx context.Context) string {
	if r, ok := ctx.Value(keyRequest).(*request); ok {
		return r.id
	}
	return ""
}

// ClientIP returns the caller's IP address or "".
func ClientIP(ctx context.Context) string {
	if r, ok := ctx.Value(keyRequest).(*request); ok {
		return r.clientIP
	}
	return ""
}

// WithActor returns ctx carrying the authenticated actor.
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, keyActor, a)
}

// ActorFrom returns the authenticated actor, or nil for an anonymous caller.
func ActorFrom(ctx context.Context) *Actor { a, _ := ctx.Value(keyActor).(*Actor); return a }
