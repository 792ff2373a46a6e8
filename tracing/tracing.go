// Package tracing is creditwater's OpenTelemetry tracing: a tracer
// provider that samples and exports spans over OTLP/HTTP, and the spans of
// HTTP requests, GraphQL operations, SQL statements and Redis commands.
//
// It is off unless CW_OTEL_ENDPOINT is set: New then returns nil, and the
// composition root installs no middleware, extension or hook, so an
// untraced server pays nothing. The provider is passed to each
// instrumentation explicitly; the process-wide otel globals are never set.
//
// What a span may carry is decided here, not by the libraries' defaults:
// names of operations, routes, tables and commands, status codes and error
// classes — never variables, SQL parameters, Redis arguments, error
// messages from the database, headers, client addresses or tokens.
package tracing

import (
	"context"
	"fmt"
	"net/url"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"creditwater/config"
)

// scope is the instrumentation scope of the spans made in this package.
const scope = "creditwater/tracing"

// maxAttributeLength bounds every attribute value (a long SQL statement
// is cut there).
const maxAttributeLength = 2048

// Provider owns the tracer provider and its exporter.
type Provider struct {
	tp     *sdktrace.TracerProvider
	tracer trace.Tracer
	// propagator reads (and writes) the W3C traceparent header.
	propagator propagation.TextMapPropagator
}

// New builds the provider from cfg, or returns nil when tracing is off.
// instance names this process (service.instance.id). The exporter sends
// batches in the background; Shutdown flushes them.
func New(ctx context.Context, cfg config.Tracing, instance string) (*Provider, error) {
	if !cfg.Enabled() {
		return nil, nil
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(exportURL(cfg.Endpoint)), otlptracehttp.WithHeaders(cfg.Headers))
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter: %w", err)
	}
	res := resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName(cfg.ServiceName), semconv.ServiceInstanceID(instance))
	limits := sdktrace.NewSpanLimits()
	limits.AttributeValueLengthLimit = maxAttributeLength
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(res),
		sdktrace.WithRawSpanLimits(limits),
		// A caller's sampling decision (traceparent's flag) is followed;
		// traces that start here are kept at the configured ratio.
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(cfg.SampleRatio))),
	)
	return &Provider{tp: tp, tracer: tp.Tracer(scope), propagator: propagation.TraceContext{}}, nil
}

// exportURL is the URL spans are posted to: the endpoint as given, or with
// OTLP's traces path when it has no path (as OTEL_EXPORTER_OTLP_ENDPOINT).
func exportURL(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return endpoint
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/v1/traces"
	}
	return u.String()
}

// TracerProvider is the provider, for instrumentation built elsewhere.
func (p *Provider) TracerProvider() trace.TracerProvider { return p.tp }

// Shutdown exports the spans still queued and stops the exporter, at most
// until ctx ends.
func (p *Provider) Shutdown(ctx context.Context) error {
	if err := p.tp.Shutdown(ctx); err != nil {
		return fmt.Errorf("tracing: shutdown: %w", err)
	}
	return nil
}
