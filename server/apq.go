package server

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/redis/go-redis/v9"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// apqCache stores automatic persisted queries in Redis, so every instance
// knows a query registered on any of them.
//
// gqlgen's AutomaticPersistedQuery extension checks the hash and calls Add
// as soon as a query arrives, before it is parsed: anyone could store any
// text. So Add stores nothing, and the same value, used as an
// OperationContextMutator after validation and the cost limits, stores the
// query only once it has parsed, validated and passed them, and only when
// it is at most maxBytes long (R7.3). A longer query still runs; the client
// just keeps sending its text.
//
// Persisted queries are content-addressed (the key is the SHA-256 of the
// text) and never change, so each instance also keeps the ones it has seen
// in local, an in-process LRU: a persisted query costs a Redis round trip
// only the first time an instance sees its hash.
type apqCache struct {
	local    graphql.Cache[string]
	rdb      redis.UniversalClient
	prefix   string
	ttl      time.Duration
	maxBytes int
}

var _ interface {
	graphql.Cache[string]
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = apqCache{}

// Get returns the query registered under the hash key; a Redis failure is a
// miss (the client then sends the full query).
func (c apqCache) Get(ctx context.Context, key string) (string, bool) {
	if s, ok := c.local.Get(ctx, key); ok {
		return s, true
	}
	s, err := c.rdb.Get(ctx, c.prefix+"apq:"+key).Result()
	if err != nil {
		return "", false
	}
	c.local.Add(ctx, key, s)
	return s, true
}

// Add stores nothing: see MutateOperationContext.
func (c apqCache) Add(context.Context, string, string) {}

// ExtensionName names the registration step for gqlgen.
func (apqCache) ExtensionName() string { return "PersistedQueryRegistration" }

// Validate accepts any schema.
func (apqCache) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext registers the query of a request that sent its
// text with a persisted-query hash (the hash was checked against the text by
// gqlgen's extension). gqlgen calls it only for a query that parsed and
// validated, after the mutators added before it (the complexity limit).
// A Redis failure is ignored: registration is an optimisation.
func (c apqCache) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	st := extension.GetApqStats(ctx)
	if st == nil || !st.SentQuery || len(opCtx.RawQuery) > c.maxBytes {
		return nil
	}
	if _, ok := c.local.Get(ctx, st.Hash); ok {
		return nil // registered already (here, or read from Redis)
	}
	c.local.Add(ctx, st.Hash, opCtx.RawQuery)
	_ = c.rdb.Set(ctx, c.prefix+"apq:"+st.Hash, opCtx.RawQuery, c.ttl).Err()
	return nil
}
