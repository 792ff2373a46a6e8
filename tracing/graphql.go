package tracing

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// GraphQL returns the gqlgen extension that makes one span per operation
// (not per field), named "query Name" / "mutation Name" (or just the type
// for an anonymous operation), with graphql.operation.type and
// graphql.operation.name. Its resolvers' SQL and Redis spans are its
// children. An operation that answered with errors is marked as failed and
// lists the errors' extensions.code values — never their messages, paths,
// the query text or the variables. A request that does not parse or
// validate never becomes an operation: its HTTP span shows it.
func (p *Provider) GraphQL() graphql.HandlerExtension { return operationTracer{tracer: p.tracer} }

type operationTracer struct{ tracer trace.Tracer }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = operationTracer{}

func (operationTracer) ExtensionName() string                   { return "tracing" }
func (operationTracer) Validate(graphql.ExecutableSchema) error { return nil }

// errorCodes is the attribute listing an operation's error codes.
const errorCodes = attribute.Key("graphql.error.codes")

func (t operationTracer) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	kind, name := "query", ""
	if op := graphql.GetOperationContext(ctx).Operation; op != nil {
		kind, name = string(op.Operation), op.Name
	}
	spanName := kind
	attrs := []attribute.KeyValue{semconv.GraphQLOperationTypeKey.String(kind)}
	if name != "" {
		spanName += " " + name
		attrs = append(attrs, semconv.GraphQLOperationName(name))
	}
	ctx, span := t.tracer.Start(ctx, spanName, trace.WithAttributes(attrs...))
	respond := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := respond(ctx)
		if resp != nil {
			var codesSeen []string
			for _, e := range resp.Errors {
				code, _ := e.Extensions["code"].(string)
				if code == "" {
					code = "UNKNOWN"
				}
				if !slices.Contains(codesSeen, code) {
					codesSeen = append(codesSeen, code)
				}
			}
			if len(codesSeen) > 0 {
				span.SetAttributes(errorCodes.StringSlice(codesSeen))
				span.SetStatus(codes.Error, codesSeen[0])
			}
		}
		if resp == nil || resp.HasNext == nil || !*resp.HasNext {
			span.End()
		}
		return resp
	}
}
