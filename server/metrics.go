package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
	"github.com/vektah/gqlparser/v2/ast"
	"gorm.io/gorm"

	"creditwater/models"
	"creditwater/store"
)

// metrics are the service's Prometheus metrics, on a registry of its own
// (no global state, so tests can build many servers).
type metrics struct {
	reg        *prometheus.Registry
	operations *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	errors     *prometheus.CounterVec
	http       *prometheus.CounterVec
	handling   *prometheus.HistogramVec
	// rootFields are the schema's root field names: the operation labels.
	rootFields map[string]bool
}

func newMetrics(db *gorm.DB, rdb redis.UniversalClient) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "creditwater_graphql_operations_total", Help: "GraphQL operations by root field (or multiple, introspection, invalid) and outcome.",
		}, []string{"operation", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "creditwater_graphql_operation_seconds", Help: "GraphQL operation latency by root field (or multiple, introspection, invalid).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"operation"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "creditwater_graphql_errors_total", Help: "GraphQL errors by extensions.code.",
		}, []string{"code"}),
		http: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "creditwater_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "status"}),
	}
	m.handling = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "creditwater_application_handling_hours", Help: "Hours from submission to acceptance, VIP (EXCELLENT) or not (R3.3).",
		Buckets: []float64{1, 4, 8, 24, 48, 72, 120, 240, 480},
	}, []string{"vip"})
	m.reg.MustRegister(m.operations, m.duration, m.errors, m.http, m.handling,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if sqlDB, err := db.DB(); err == nil {
		m.reg.MustRegister(collectors.NewDBStatsCollector(sqlDB, "creditwater"))
	}
	for i, replica := range store.ReplicaPools(db) {
		m.reg.MustRegister(collectors.NewDBStatsCollector(replica, fmt.Sprintf("creditwater_replica_%d", i+1)))
	}
	m.reg.MustRegister(redisPoolCollector{rdb: rdb})
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

func (m *metrics) countError(code string) {
	if code == "" {
		code = "UNKNOWN"
	}
	m.errors.WithLabelValues(code).Inc()
}

// opExtension is a gqlgen extension counting and timing each operation.
// Its label is bounded by the schema, never chosen by the client: the root
// field the operation selects (e.g. "creditRating"), "multiple" for several
// root fields, "introspection" for only __schema/__type/__typename, and
// "invalid" for a request that did not parse or names no known field.
type opExtension struct{ m *metrics }

func (opExtension) ExtensionName() string { return "metrics" }

// Validate records the schema's root field names (the allowed labels).
func (e opExtension) Validate(es graphql.ExecutableSchema) error {
	known := map[string]bool{}
	for _, root := range []*ast.Definition{es.Schema().Query, es.Schema().Mutation, es.Schema().Subscription} {
		if root != nil {
			for _, f := range root.Fields {
				known[f.Name] = true
			}
		}
	}
	e.m.rootFields = known
	return nil
}

func (e opExtension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	start := time.Now()
	resp := next(ctx)
	name := e.m.operationLabel(ctx)
	outcome := "ok"
	if resp != nil && len(resp.Errors) > 0 {
		outcome = "error"
	}
	e.m.operations.WithLabelValues(name, outcome).Inc()
	e.m.duration.WithLabelValues(name).Observe(time.Since(start).Seconds())
	return resp
}

// operationLabel is the metrics label of the operation in ctx (see
// opExtension).
func (m *metrics) operationLabel(ctx context.Context) string {
	if !graphql.HasOperationContext(ctx) {
		return "invalid"
	}
	op := graphql.GetOperationContext(ctx).Operation
	if op == nil {
		return "invalid"
	}
	label := ""
	for _, sel := range op.SelectionSet {
		f, ok := sel.(*ast.Field)
		switch {
		case !ok:
			return "multiple" // a fragment at the root: possibly several fields
		case strings.HasPrefix(f.Name, "__"):
			continue
		case !m.rootFields[f.Name]:
			return "invalid"
		case label != "" && label != f.Name:
			return "multiple"
		}
		label = f.Name
	}
	if label == "" {
		return "introspection"
	}
	return label
}

// redisPoolCollector exports go-redis connection-pool statistics.
type redisPoolCollector struct{ rdb redis.UniversalClient }

var (
	redisConnsDesc = prometheus.NewDesc("creditwater_redis_pool_connections", "Redis pool connections by state.", []string{"state"}, nil)
	redisEvtDesc   = prometheus.NewDesc("creditwater_redis_pool_events_total", "Redis pool hits, misses and timeouts.", []string{"event"}, nil)
)

func (c redisPoolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- redisConnsDesc
	ch <- redisEvtDesc
}

func (c redisPoolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.rdb.PoolStats()
	ch <- prometheus.MustNewConstMetric(redisConnsDesc, prometheus.GaugeValue, float64(s.TotalConns), "total")
	ch <- prometheus.MustNewConstMetric(redisConnsDesc, prometheus.GaugeValue, float64(s.IdleConns), "idle")
	ch <- prometheus.MustNewConstMetric(redisEvtDesc, prometheus.CounterValue, float64(s.Hits), "hit")
	ch <- prometheus.MustNewConstMetric(redisEvtDesc, prometheus.CounterValue, float64(s.Misses), "miss")
	ch <- prometheus.MustNewConstMetric(redisEvtDesc, prometheus.CounterValue, float64(s.Timeouts), "timeout")
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }

func (m *metrics) middleware(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		m.http.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
	})
}

func (m *metrics) observeAcceptance(vip bool, d time.Duration) {
	m.handling.WithLabelValues(strconv.FormatBool(vip)).Observe(d.Hours())
}

// outboxCollector exports the outbox's message counts by status, so a
// growing PENDING or any DEAD message can alert.
type outboxCollector struct {
	stats func(ctx context.Context) (map[models.OutboxStatus]int64, error)
}

var outboxDesc = prometheus.NewDesc("creditwater_outbox_messages", "Outbox messages by status.", []string{"status"}, nil)

func (c outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- outboxDesc }

func (c outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := c.stats(ctx)
	if err != nil {
		return
	}
	for status, n := range st {
		ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(n), string(status))
	}
}
