// Package bare serves the product's GraphQL schema without the product:
// the baselines and floors the benches compare the product with. A bare
// server has the product's transports, LRU query cache and garbage-
// collector settings, and none of its sessions, middleware, limits or
// directives.
package bare

import (
	"context"
	"io"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"

	"creditwater/config"
	"creditwater/graph/generated"
	"creditwater/models"
	"creditwater/server"
)

// Handler is the product's schema with root's resolvers (a root embeds
// *graph.Resolver and overrides what it serves) behind
// server.NewGraphQLHandler; @hasRole and @public let every field through.
func Handler(root generated.ResolverRoot) *handler.Server {
	es := generated.NewExecutableSchema(generated.Config{Resolvers: root, Directives: generated.DirectiveRoot{
		HasRole: func(ctx context.Context, _ any, next graphql.Resolver, _ []models.Role) (any, error) {
			return next(ctx)
		},
		Public: func(ctx context.Context, _ any, next graphql.Resolver) (any, error) { return next(ctx) },
	}})
	h, _ := server.NewGraphQLHandler(es)
	return h
}

// Mux serves gql at /graphql and "ok" at GET /healthz (for
// loadgen.WaitReady).
func Mux(gql http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/graphql", gql)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	return mux
}

// TuneGC applies the product's default garbage-collector target and memory
// limit (CW_GC_PERCENT, CW_GC_MEMORY_LIMIT) as `serve` does, and returns
// the product's default configuration.
func TuneGC() (config.Config, error) {
	defaults, err := config.Load(nil)
	if err != nil {
		return defaults, err
	}
	server.TuneGC(defaults.HTTP)
	return defaults, nil
}
