package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/graph/generated"
	"creditwater/models"
)

type authErrKey struct{}

// WithAuthError records why the request's credentials were not accepted
// (expired session, session store down), so that a protected field answers
// with that reason instead of a bare UNAUTHENTICATED.
func WithAuthError(ctx context.Context, err error) context.Context {
	return context.WithValue(ctx, authErrKey{}, err)
}

// AuthError returns why the request's credentials were not accepted, or nil.
func AuthError(ctx context.Context) error {
	err, _ := ctx.Value(authErrKey{}).(error)
	return err
}

// Directives returns the schema directives.
func Directives() generated.DirectiveRoot {
	return generated.DirectiveRoot{
		HasRole: func(ctx context.Context, _ any, next graphql.Resolver, roles []models.Role) (any, error) {
			if err, ok := ctx.Value(authErrKey{}).(error); ok {
				return nil, err
			}
			if _, err := auth.Require(ctx, roles...); err != nil {
				return nil, err
			}
			return next(ctx)
		},
		Public: func(ctx context.Context, _ any, next graphql.Resolver) (any, error) { return next(ctx) },
	}
}

// DenyUngranted is a field middleware enforcing default deny: a root field
// (of Query or Mutation) without @hasRole or @public is refused (R7.1).
func DenyUngranted(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc != nil && fc.Object != "" && (fc.Object == "Query" || fc.Object == "Mutation" || fc.Object == "Subscription") && fc.Field.Definition != nil {
		d := fc.Field.Definition.Directives
		if d.ForName("hasRole") == nil && d.ForName("public") == nil && fc.Field.Name != "__typename" && fc.Field.Name != "__schema" && fc.Field.Name != "__type" {
			return nil, apperr.New(apperr.Forbidden, "字段 %s 未授权给任何角色", fc.Field.Name)
		}
	}
	return next(ctx)
}
