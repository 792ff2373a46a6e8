package tracing

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"creditwater/store/storetest"
)

// BenchmarkStatementSpans is what a span costs one SQL statement and one
// Redis command (the embedded SQLite and miniredis, or MariaDB and Redis
// with CW_TEST_*): untraced (no plugin, no hook: tracing off), inside an
// unsampled request, and inside a sampled one whose spans go through the
// batch processor to an exporter that drops them.
//
//	go test -run '^$' -bench StatementSpans -benchmem ./tracing
func BenchmarkStatementSpans(b *testing.B) {
	for _, mode := range []string{"off", "unsampled", "sampled"} {
		b.Run(mode, func(b *testing.B) {
			tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()),
				sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample())))
			b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
			p := &Provider{tp: tp, tracer: tp.Tracer(scope), propagator: propagation.TraceContext{}}
			db := secretsDB(b)
			rdb, prefix := storetest.Redis(b)
			ctx := context.Background()
			if mode != "off" {
				if err := db.Use(p.SQL()); err != nil {
					b.Fatal(err)
				}
				if err := p.Redis(rdb); err != nil {
					b.Fatal(err)
				}
				flags := trace.TraceFlags(0)
				if mode == "sampled" {
					flags = trace.FlagsSampled
				}
				ctx = trace.ContextWithRemoteSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
					TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}, TraceFlags: flags, Remote: true}))
				var span trace.Span
				ctx, span = p.tracer.Start(ctx, "request")
				defer span.End()
			}
			b.ReportAllocs()
			for b.Loop() {
				var n int64
				if err := db.WithContext(ctx).Model(&tracedSecret{}).Where("phone = ?", "x").Count(&n).Error; err != nil {
					b.Fatal(err)
				}
				if err := rdb.Get(ctx, prefix+"k").Err(); err == nil {
					b.Fatal("unexpected key")
				}
			}
		})
	}
}
