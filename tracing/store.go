package tracing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm"
)

// Redis adds a client span per command (and per pipeline) to rdb through
// github.com/redis/go-redis/extra/redisotel: the command's name only — its
// arguments (keys, values, tokens) are not recorded, nor the caller's
// source line. Like SQL statements, commands are traced only inside a
// recorded span (a sampled request), not in background work.
//
// On a Redis Cluster the spans come from each node's client: redisotel
// hooks only the nodes a ClusterClient creates after it is instrumented,
// and store.OpenRedis has already connected, so the nodes it knows are
// hooked here as well (once each).
func (p *Provider) Redis(rdb redis.UniversalClient) error {
	opts := []redisotel.TracingOption{redisotel.WithTracerProvider(childOnly{p.tp}),
		redisotel.WithDBStatement(false), redisotel.WithCallerEnabled(false)}
	cc, ok := rdb.(*redis.ClusterClient)
	if !ok {
		if err := redisotel.InstrumentTracing(rdb, opts...); err != nil {
			return fmt.Errorf("tracing: redis: %w", err)
		}
		return nil
	}
	var hooked sync.Map
	hook := func(node *redis.Client) {
		if _, done := hooked.LoadOrStore(node, true); !done {
			_ = redisotel.InstrumentTracing(node, opts...) // a *redis.Client: never an error
		}
	}
	cc.OnNewNode(hook)
	if err := cc.ForEachShard(context.Background(), func(_ context.Context, node *redis.Client) error {
		hook(node)
		return nil
	}); err != nil {
		return fmt.Errorf("tracing: redis cluster nodes: %w", err)
	}
	return nil
}

// SQL returns the gorm plugin that makes a client span per statement,
// named like "SELECT users", with db.system.name, db.operation.name,
// db.collection.name and db.query.text: the statement as gorm built it,
// with its "?" placeholders and never the values bound to them (the MySQL
// driver interpolates them later, so the text a server would log holds
// values; this one does not). A failed statement records its error class
// (error.type: duplicate_key, mysql_1213, …), not the database's message,
// which quotes values ("Duplicate entry '…'").
func (p *Provider) SQL() gorm.Plugin {
	return sqlTracer{tracer: childOnly{p.tp}.Tracer(scope)}
}

type sqlTracer struct{ tracer trace.Tracer }

func (sqlTracer) Name() string { return "creditwater:tracing" }

// registrar is a gorm callback position (Before/After of a processor).
type registrar interface {
	Register(name string, fn func(*gorm.DB)) error
}

// Initialize registers the start and end of a span around each kind of
// statement gorm runs.
func (t sqlTracer) Initialize(db *gorm.DB) error {
	cb := db.Callback()
	for _, k := range []struct {
		kind          string
		before, after registrar
	}{
		{"create", cb.Create().Before("gorm:create"), cb.Create().After("gorm:create")},
		{"query", cb.Query().Before("gorm:query"), cb.Query().After("gorm:query")},
		{"update", cb.Update().Before("gorm:update"), cb.Update().After("gorm:update")},
		{"delete", cb.Delete().Before("gorm:delete"), cb.Delete().After("gorm:delete")},
		{"row", cb.Row().Before("gorm:row"), cb.Row().After("gorm:row")},
		{"raw", cb.Raw().Before("gorm:raw"), cb.Raw().After("gorm:raw")},
	} {
		if err := k.before.Register("tracing:start_"+k.kind, t.start); err != nil {
			return fmt.Errorf("tracing: gorm %s callback: %w", k.kind, err)
		}
		if err := k.after.Register("tracing:end_"+k.kind, t.end); err != nil {
			return fmt.Errorf("tracing: gorm %s callback: %w", k.kind, err)
		}
	}
	return nil
}

// statementContext is a statement's context while its span is open: the
// span's context, remembering the caller's to put back.
type statementContext struct {
	context.Context
	caller context.Context
}

func (t sqlTracer) start(tx *gorm.DB) {
	caller := tx.Statement.Context
	ctx, span := t.tracer.Start(caller, "SQL", trace.WithSpanKind(trace.SpanKindClient))
	if span.IsRecording() {
		tx.Statement.Context = statementContext{Context: ctx, caller: caller}
	}
}

func (t sqlTracer) end(tx *gorm.DB) {
	sc, ok := tx.Statement.Context.(statementContext)
	if !ok {
		return
	}
	tx.Statement.Context = sc.caller
	span := trace.SpanFromContext(sc.Context)
	defer span.End()
	query := tx.Statement.SQL.String()
	op := sqlOperation(query)
	span.SetAttributes(semconv.DBSystemNameKey.String(tx.Dialector.Name()), semconv.DBOperationName(op), semconv.DBQueryText(query))
	name := op
	if table := tx.Statement.Table; table != "" {
		name += " " + table
		span.SetAttributes(semconv.DBCollectionName(table))
	}
	span.SetName(name)
	if class := errorClass(tx.Error); class != "" {
		span.SetAttributes(semconv.ErrorTypeKey.String(class))
		span.SetStatus(codes.Error, class)
	}
}

// sqlOperation is the statement's first keyword (SELECT, INSERT, …), or
// "SQL" when it does not start with one.
func sqlOperation(query string) string {
	word, _, _ := strings.Cut(strings.TrimLeft(query, " \t\r\n("), " ")
	for _, r := range word {
		if (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') {
			return "SQL"
		}
	}
	if word == "" {
		return "SQL"
	}
	return strings.ToUpper(word)
}

// errorClass names what went wrong with a statement without the
// database's message, or "" when nothing did (no rows is no failure).
func errorClass(err error) string {
	var my *mysql.MySQLError
	switch {
	case err == nil, errors.Is(err, gorm.ErrRecordNotFound):
		return ""
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return "duplicate_key"
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return "foreign_key_violated"
	case errors.Is(err, gorm.ErrCheckConstraintViolated):
		return "check_constraint_violated"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline_exceeded"
	case errors.As(err, &my):
		return fmt.Sprintf("mysql_%d", my.Number)
	}
	return fmt.Sprintf("%T", err)
}

// childOnly is a tracer provider whose spans exist only under a recorded
// span: a statement or command of a sampled request gets one; one of the
// outbox poller, a job or an unsampled request gets none (and costs no
// span), so background polling does not fill the collector with traces of
// one statement.
type childOnly struct{ trace.TracerProvider }

func (c childOnly) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return childTracer{Tracer: c.TracerProvider.Tracer(name, opts...)}
}

type childTracer struct{ trace.Tracer }

func (t childTracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	if parent := trace.SpanFromContext(ctx); !parent.IsRecording() {
		return ctx, parent // ending or annotating a span that records nothing does nothing
	}
	return t.Tracer.Start(ctx, name, opts...)
}
