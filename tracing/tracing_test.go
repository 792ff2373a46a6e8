package tracing

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"

	"creditwater/config"
	"creditwater/store"
	"creditwater/store/storetest"
)

// recorded is a provider whose spans a test reads back.
func recorded(t *testing.T) (*Provider, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return &Provider{tp: tp, tracer: tp.Tracer(scope), propagator: propagation.TraceContext{}}, rec
}

// leaks returns every place in spans where one of secrets appears: names,
// attributes, events and statuses.
func leaks(spans []sdktrace.ReadOnlySpan, secrets ...string) []string {
	var out []string
	check := func(where, text string) {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				out = append(out, where+": "+text)
			}
		}
	}
	attrs := func(where string, kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			check(where+" "+string(kv.Key), kv.Value.String())
		}
	}
	for _, s := range spans {
		check("name", s.Name())
		check(s.Name()+" status", s.Status().Description)
		attrs(s.Name(), s.Attributes())
		for _, e := range s.Events() {
			check(s.Name()+" event", e.Name)
			attrs(s.Name()+" event", e.Attributes)
		}
	}
	return out
}

func attr(s sdktrace.ReadOnlySpan, key attribute.Key) string {
	for _, kv := range s.Attributes() {
		if kv.Key == key {
			return kv.Value.String()
		}
	}
	return ""
}

type tracedSecret struct {
	ID    uint   `gorm:"primaryKey"`
	Phone string `gorm:"size:32;uniqueIndex"`
}

// secretsDB is a fresh database (SQLite, or MariaDB with CW_TEST_*) with
// the table traced_secrets.
func secretsDB(tb testing.TB) *gorm.DB {
	tb.Helper()
	db, err := store.OpenDB(context.Background(), storetest.DBConfig(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			_ = s.Close()
		}
	})
	if err := db.AutoMigrate(&tracedSecret{}); err != nil {
		tb.Fatal(err)
	}
	return db
}

// R7.2: a SQL span names the statement and its table and carries the
// statement with its placeholders — never the values bound to them (the
// MySQL DSN interpolates parameters, so the text the server runs holds
// them), nor the database's message for a failure (MySQL quotes the
// duplicate value); statements outside a recorded span make none.
func TestR7_2_SQLSpansCarryNoValues(t *testing.T) {
	p, rec := recorded(t)
	db := secretsDB(t)
	if err := db.Use(p.SQL()); err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&tracedSecret{Phone: "before"}).Error; err != nil { // no parent span: untraced
		t.Fatal(err)
	}
	const phone, other = "13912345678", "13787654321"
	ctx, root := p.tracer.Start(context.Background(), "request")
	tx := db.WithContext(ctx)
	row := tracedSecret{Phone: phone}
	if err := tx.Create(&row).Error; err != nil {
		t.Fatal(err)
	}
	if err := tx.Create(&tracedSecret{Phone: phone}).Error; !errors.Is(err, gorm.ErrDuplicatedKey) {
		t.Fatalf("second insert: %v", err)
	}
	var got tracedSecret
	if err := tx.Where("phone = ?", phone).First(&got).Error; err != nil {
		t.Fatal(err)
	}
	if err := tx.Model(&got).Update("phone", other).Error; err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := tx.Raw("SELECT COUNT(*) FROM traced_secrets WHERE phone = ?", other).Scan(&n).Error; err != nil || n != 1 {
		t.Fatalf("raw count: %d, %v", n, err)
	}
	root.End()
	if err := db.Create(&tracedSecret{Phone: "no parent"}).Error; err != nil {
		t.Fatal(err)
	}

	spans := rec.Ended()
	var names []string
	for _, s := range spans {
		if s.Name() == "request" {
			continue
		}
		names = append(names, s.Name())
		if s.Parent().SpanID() != root.SpanContext().SpanID() {
			t.Errorf("%s: parent %s, want the request's span", s.Name(), s.Parent().SpanID())
		}
		if q := attr(s, "db.query.text"); !strings.Contains(q, "?") {
			t.Errorf("%s: db.query.text %q has no placeholder", s.Name(), q)
		}
		if attr(s, "db.system.name") != db.Dialector.Name() {
			t.Errorf("%s: db.system.name %q", s.Name(), attr(s, "db.system.name"))
		}
	}
	want := []string{"INSERT traced_secrets", "INSERT traced_secrets", "SELECT traced_secrets", "UPDATE traced_secrets", "SELECT"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("spans %v, want %v", names, want)
	}
	if failed := spans[1]; failed.Status().Code != codes.Error || attr(failed, "error.type") != "duplicate_key" {
		t.Errorf("the duplicate insert: status %v, error.type %q", failed.Status(), attr(failed, "error.type"))
	}
	if l := leaks(spans, phone, other); len(l) > 0 {
		t.Errorf("values in spans: %v", l)
	}
}

// R7.2: a Redis span names the command only — not the key or the value —
// and commands outside a recorded span make none.
func TestR7_2_RedisSpansCarryNoArguments(t *testing.T) {
	p, rec := recorded(t)
	rdb, prefix := storetest.Redis(t)
	if err := p.Redis(rdb); err != nil {
		t.Fatal(err)
	}
	const token, value = "tok-5f1e2d3c4b5a", "13912345678"
	ctx, root := p.tracer.Start(context.Background(), "request")
	if err := rdb.Set(ctx, prefix+token, value, 0).Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := rdb.Get(ctx, prefix+token).Result(); err != nil || got != value {
		t.Fatalf("get: %q, %v", got, err)
	}
	pipe := rdb.TxPipeline()
	pipe.Incr(ctx, prefix+token+":n")
	pipe.Expire(ctx, prefix+token+":n", 0)
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	root.End()
	if err := rdb.Get(context.Background(), prefix+token).Err(); err != nil {
		t.Fatal(err)
	}
	spans := rec.Ended()
	parents := map[trace.SpanID]trace.SpanID{}
	for _, s := range spans {
		parents[s.SpanContext().SpanID()] = s.Parent().SpanID()
	}
	var names []string
	for _, s := range spans {
		if s.Name() == "request" {
			continue
		}
		names = append(names, s.Name())
		id := s.SpanContext().SpanID()
		for id.IsValid() && id != root.SpanContext().SpanID() {
			id = parents[id]
		}
		if !id.IsValid() {
			t.Errorf("%s: not within the request's span", s.Name())
		}
	}
	joined := strings.Join(names, ",")
	if !strings.Contains(joined, "set,get,") || !strings.Contains(joined, "redis.pipeline multi incr expire exec") {
		t.Errorf("spans %v, want set, get and the pipeline", names)
	}
	if l := leaks(spans, token, value); len(l) > 0 {
		t.Errorf("arguments in spans: %v", l)
	}
}

// R7.4: tracing is off unless CW_OTEL_ENDPOINT is set; an endpoint
// without a path gets OTLP's traces path.
func TestR7_4_OffWithoutEndpoint(t *testing.T) {
	p, err := New(context.Background(), config.Tracing{ServiceName: "creditwater", SampleRatio: 1}, "test")
	if err != nil || p != nil {
		t.Fatalf("no endpoint: %v, %v", p, err)
	}
	for in, want := range map[string]string{
		"http://collector:4318":           "http://collector:4318/v1/traces",
		"https://collector:4318/":         "https://collector:4318/v1/traces",
		"https://otel.example/api/traces": "https://otel.example/api/traces",
	} {
		if got := exportURL(in); got != want {
			t.Errorf("exportURL(%q) = %q, want %q", in, got, want)
		}
	}
}
