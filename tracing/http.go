package tracing

import (
	"net/http"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// HTTP wraps next with one server span per request, named by its method
// and route. A request that carries a W3C traceparent continues the
// caller's trace (and follows its sampling decision). route returns the
// pattern that serves r (e.g. "/graphql", "GET /healthz"), or "" when none
// does; paths, queries, headers, the client's address and user agent are
// not recorded. The span also carries the response's X-Request-ID, which
// the access log has, to go from a log line to its trace.
func (p *Provider) HTTP(next http.Handler, route func(*http.Request) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := p.propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		method := knownMethod(r.Method)
		pattern := route(r)
		if _, path, ok := strings.Cut(pattern, " "); ok {
			pattern = path // "GET /healthz": the method is its own attribute
		}
		name := method
		attrs := []attribute.KeyValue{semconv.HTTPRequestMethodKey.String(method)}
		if pattern != "" {
			name += " " + pattern
			attrs = append(attrs, semconv.HTTPRoute(pattern))
		}
		ctx, span := p.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
		defer span.End()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r.WithContext(ctx))
		span.SetAttributes(semconv.HTTPResponseStatusCode(sw.status))
		if id := w.Header().Get("X-Request-ID"); id != "" {
			span.SetAttributes(attribute.String("creditwater.request_id", id))
		}
		if sw.status >= http.StatusInternalServerError {
			span.SetStatus(codes.Error, http.StatusText(sw.status))
		}
	})
}

// knownMethod is r.Method when it is a standard method, else "_OTHER" (a
// client chooses the method; span names stay bounded).
func knownMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "_OTHER"
}

// statusWriter remembers the response status.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
