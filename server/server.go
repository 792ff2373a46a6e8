// Package server is creditwater's composition root: it builds the database,
// Redis, the outside-world adapters, the domain services, the GraphQL handler,
// the HTTP routes and the background jobs from one Config, and shuts them
// down gracefully. It holds no business rules.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/redis/go-redis/v9"
	"github.com/vektah/gqlparser/v2/ast"
	"gorm.io/gorm"

	"creditwater/access"
	"creditwater/apperr"
	"creditwater/apply"
	"creditwater/audit"
	"creditwater/auth"
	"creditwater/billing"
	"creditwater/billing/importqueue"
	"creditwater/calendar"
	"creditwater/config"
	"creditwater/console"
	"creditwater/credit"
	"creditwater/credit/grade"
	"creditwater/credit/record"
	"creditwater/credit/review"
	"creditwater/credit/rules"
	"creditwater/credit/usage"
	"creditwater/creditplatform/simulator"
	"creditwater/docurl"
	"creditwater/enterprise"
	"creditwater/evidence"
	"creditwater/graph"
	"creditwater/graph/generated"
	"creditwater/graph/querycost"
	"creditwater/graph/textargs"
	"creditwater/inbox"
	"creditwater/jobs"
	"creditwater/notice"
	"creditwater/ops"
	"creditwater/outbox"
	"creditwater/pii"
	"creditwater/rating"
	regsim "creditwater/registry/simulator"
	"creditwater/selfservice"
	"creditwater/server/graphiql"
	"creditwater/store"
	"creditwater/store/creditdb"
	"creditwater/store/opsdb"
	"creditwater/store/writestamp"
	"creditwater/tracing"
	"creditwater/wechat"
	"creditwater/wechat/fake"
)

// Server is the running service.
type Server struct {
	cfg        config.Config
	log        *slog.Logger
	db         *gorm.DB
	rdb        redis.UniversalClient
	stamp      *writestamp.Plugin
	metrics    *metrics
	auth       *auth.Service
	audit      *audit.Log
	wxFake     *fake.Server
	wx         *wechat.Client
	wxBase     string
	oa         *wechat.OfficialAccount
	sim        *simulator.Simulator
	ent        *enterprise.Service
	policy     *access.Policy
	inbox      *inbox.Inbox
	self       *selfservice.Service
	publicity  *selfservice.Publicity
	followUps  *selfservice.FollowUps
	evidence   *evidence.Files
	regSim     *regsim.Simulator
	ratings    *rating.Service
	apply      *apply.Service
	records    *record.Service
	cases      *rules.Cases
	exemptions *rules.Exemptions
	grades     *grade.Service
	usage      *usage.Service
	repairs    *review.Repairs
	objections *review.Objections
	reviews    *review.Desk
	importer   *billing.Importer
	imports    *importqueue.Worker
	jobs       *jobs.Runner
	outbox     *outbox.Worker
	ops        *ops.Service
	sealer     *pii.Sealer
	handler    http.Handler
	clientIPs  clientIPs
	// tracing is nil unless CW_OTEL_ENDPOINT is set.
	tracing *tracing.Provider
	closers []func()

	// Background work started by Start and stopped by Shutdown.
	bgMu         sync.Mutex
	bgCancel     context.CancelFunc
	bgDone       chan struct{}
	shutdownOnce sync.Once
}

// New builds the service from cfg. It opens the database (and migrates it
// when CW_MIGRATE_ON_SERVE is set outside production), Redis, WeChat (or its
// local fake) and seeds demo data in development.
func New(ctx context.Context, cfg config.Config, logger *slog.Logger) (_ *Server, err error) {
	s := &Server{cfg: cfg, log: logger}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if err = s.startTracing(ctx); err != nil {
		return nil, err
	}
	if s.db, err = store.OpenDB(ctx, dbConfig(cfg)); err != nil {
		return nil, err
	}
	s.db = store.WithLogger(s.db, logger) // transactions run again after a deadlock say so here
	if cfg.Storage.DatabaseURL == "" && len(cfg.Storage.ReplicaURLs) > 0 {
		logger.WarnContext(ctx, "内置 SQLite 数据库不使用只读副本：已忽略 CW_DATABASE_REPLICA_URLS")
	}
	s.closers = append(s.closers, func() { store.CloseDB(s.db) })
	if cfg.Storage.MigrateOnServe && !cfg.Production() {
		if err = store.Migrate(s.db); err != nil {
			return nil, err
		}
	}
	var closeRedis func()
	if s.rdb, closeRedis, err = store.OpenRedis(ctx, store.RedisConfig{URL: cfg.Storage.RedisURL, Mode: cfg.Storage.RedisMode}); err != nil {
		return nil, err
	}
	s.closers = append(s.closers, closeRedis)
	// Writes to the statistics' and the large staff lists' tables make
	// what is cached of them stale (R8.3, totalCount).
	if s.stamp, err = useWriteStamp(s.db, s.rdb, cfg, logger); err != nil {
		return nil, err
	}
	if s.tracing != nil {
		if err = s.db.Use(s.tracing.SQL()); err != nil {
			return nil, fmt.Errorf("tracing: %w", err)
		}
		if err = s.tracing.Redis(s.rdb); err != nil {
			return nil, err
		}
	}

	wx, err := s.newWeChat()
	if err != nil {
		return nil, err
	}
	if s.oa, err = s.newOfficialAccount(s.wxBase); err != nil {
		return nil, err
	}
	if s.sealer, err = newSealer(cfg); err != nil {
		return nil, err
	}
	s.wx = wx
	s.audit = audit.New(s.db)
	sessions := auth.NewSessions(s.rdb, cfg.Storage.RedisPrefix, auth.SessionConfig(cfg.Auth.Session))
	s.auth = auth.NewService(s.db, s.rdb, cfg.Storage.RedisPrefix, sessions, func(ctx context.Context, code string) (auth.WeChatIdentity, error) {
		sess, err := wx.Code2Session(ctx, code) // its session_key is dropped here: nothing needs it
		return auth.WeChatIdentity{OpenID: sess.OpenID, UnionID: sess.UnionID}, err
	}, auth.Limits(cfg.Auth.Limits), s.audit)

	platform := s.newCreditPlatform()
	s.ratings = rating.New(platformAdapter{c: platform}, s.rdb, cfg.Storage.RedisPrefix, rating.Config{Rating: cfg.Rating,
		LocalTTL: cfg.LocalCache.RatingTTL, LocalSize: cfg.LocalCache.Size}, s.audit, logger)
	entCfg := enterprise.DefaultConfig()
	entCfg.Face, entCfg.Evidence = cfg.Face, evidence.Limits(cfg.Evidence)
	s.policy = access.New(s.db)
	s.inbox = inbox.New(s.db)
	s.self = selfservice.New(s.db, s.policy)
	s.publicity = selfservice.NewPublicity(s.db, s.rdb, cfg.Storage.RedisPrefix,
		selfservice.PublicityLimit{Rate: cfg.SelfService.PublicityQueryLimit, Window: cfg.SelfService.PublicityQueryWindow})
	notices := inbox.NewNotifier(s.inbox, s.policy, logger)
	s.ent = enterprise.New(enterprise.Deps{DB: s.db, Redis: s.rdb, Prefix: cfg.Storage.RedisPrefix, Sealer: s.sealer, Face: faceAdapter{wx: wx},
		Registry: registryAdapter{c: s.newRegistry()}, Policy: s.policy, Inbox: s.inbox, Audit: s.audit}, entCfg)

	s.metrics = newMetrics(s.db, s.rdb)
	s.outbox = outbox.NewWorker(s.db, logger, outbox.Config{Outbox: cfg.Outbox, Instance: instanceName(),
		Drain: drainTime(cfg.HTTP.ShutdownTimeout)})
	s.metrics.reg.MustRegister(outboxCollector{stats: s.outbox.Stats})
	credCfg := credit.Config{Credit: cfg.Credit, Lifecycle: cfg.Lifecycle}
	cdb := creditdb.New(s.db, s.audit, s.policy)
	s.grades = grade.New(grade.Deps{Store: cdb.Grades(), Access: s.policy, Config: credCfg, Inbox: notices})
	s.usage = usage.New(usage.Deps{Store: cdb.Usage(), Access: s.policy, Config: credCfg})
	recDeps := record.Deps{Store: cdb.Records(), Access: s.policy, Grades: s.grades, Config: credCfg, Inbox: notices}
	s.records = record.New(recDeps)
	pubs := record.NewPublications(recDeps)
	cal := calendar.Default()
	ruleDeps := rules.Deps{Store: cdb.Rules(), Records: s.records, Grades: s.grades, Config: credCfg, Calendar: cal, Evidence: entCfg.Evidence}
	s.cases, s.exemptions = rules.NewCases(ruleDeps), rules.NewExemptions(ruleDeps)
	arrears := rules.NewArrears(ruleDeps)
	revDeps := review.Deps{Store: cdb.Reviews(), Notices: cdb.Notices(), Inbox: notices, Access: s.policy, Records: s.records, Calendar: cal,
		Config: review.Config{Review: cfg.Review, Evidence: entCfg.Evidence}}
	s.repairs = review.NewRepairs(revDeps)
	s.objections = review.NewObjections(revDeps)
	s.reviews = review.NewDesk(revDeps)
	s.evidence = evidence.NewFiles(s.db, s.audit)
	s.evidence.Register(review.OwnerRepair, s.reviews.EvidenceCheck(review.OwnerRepair))
	s.evidence.Register(review.OwnerObjection, s.reviews.EvidenceCheck(review.OwnerObjection))
	s.evidence.Register(enterprise.OwnerAgentAuthorisation, s.ent.AuthorisationEvidenceCheck)
	s.evidence.Register(rules.OwnerExemption, s.exemptions.EvidenceCheck)
	s.importer = billing.NewImporter(s.db, s.sealer, billing.Options{Logger: logger})
	s.imports = importqueue.New(s.db, s.importer, instanceName(), cfg.Ops.ImportLease, cfg.Ops.ImportPollInterval, logger)
	if s.jobs, err = jobs.New(s.db, s.rdb, cfg.Storage.RedisPrefix, logger, instanceName()); err != nil {
		return nil, err
	}
	s.followUps = selfservice.NewFollowUps(s.self, cal, s.inbox,
		selfservice.FollowUpConfig{Days: cfg.SelfService.FollowUpDays, RemindDays: cfg.SelfService.FollowUpRemindDays})
	if err = s.registerJobs(arrears, pubs); err != nil {
		return nil, err
	}
	appCfg := apply.DefaultConfig()
	appCfg.Apply, appCfg.PlatformName = cfg.Apply, cfg.CreditPlatform.Name
	appCfg.Lifecycle, appCfg.StatsDefaultDays, appCfg.StatsCacheTTL = cfg.Lifecycle, cfg.Ops.StatsDefaultDays, cfg.Ops.StatsCacheTTL
	s.apply = apply.New(s.db, s.policy, identityAdapter{ent: s.ent}, s.ratings, enqueue, s.sealer, s.audit, cal, appCfg)
	s.apply.OnAccepted = s.metrics.observeAcceptance
	s.apply.OnLenientAccept = s.followUps.Create
	s.apply.Notices = notices
	// R7.6: a corrected or revoked record is also a subscribe message
	// where the user holds a grant.
	notices.Message, notices.MessageKinds = s.apply.QueueNoticeMessage, []notice.Kind{notice.RecordChanged}
	publisher := publisherAdapter{c: platform}
	s.ops = ops.New(opsdb.New(s.db), s.outbox, cfg.Ops, ops.NewStatsCache(s.stamp, cfg.Ops.StatsCacheTTL))
	s.outbox.Handle(record.KindPublishDishonesty, pubs.DeliverDishonesty(publisher), cdb.RecordsDone(pubs.DishonestyDelivered))
	s.outbox.Handle(record.KindWithdrawPublication, pubs.DeliverWithdrawal(publisher), cdb.RecordsDone(pubs.WithdrawalDelivered))
	s.outbox.Handle(review.KindPublishRepair, s.repairs.DeliverRepair(publisher), cdb.ReviewsDone(s.repairs.RepairDelivered))
	s.outbox.Handle(apply.KindPublishCommitment, apply.DeliverCommitment(publisher), s.apply.CommitmentDelivered)
	send := func(ctx context.Context, openID, tmpl, page string, data map[string]string) error {
		return wx.SendSubscribeMessage(ctx, wechat.SubscribeMessage{ToUser: openID, TemplateID: tmpl, Page: page, Data: data})
	}
	s.outbox.Handle(apply.KindNotify, s.apply.DeliverNotification(send), s.apply.NotificationDelivered)
	s.outbox.Handle(apply.KindNotifyNotice, s.apply.DeliverNoticeMessage(send), s.apply.NoticeMessageDelivered)
	if cfg.DemoData && !cfg.Production() {
		if err = s.seedDemo(ctx); err != nil {
			return nil, err
		}
	}
	nets, err := cfg.TrustedProxyNets()
	if err != nil {
		return nil, fmt.Errorf("config: CW_TRUSTED_PROXIES: %w", err)
	}
	s.clientIPs = newClientIPs(nets)
	s.handler = s.routes()
	return s, nil
}

// startTracing builds the tracer provider when CW_OTEL_ENDPOINT is set;
// Close flushes it last, after the background work and the stores.
func (s *Server) startTracing(ctx context.Context) (err error) {
	if s.tracing, err = tracing.New(ctx, s.cfg.Tracing, instanceName()); err != nil || s.tracing == nil {
		return err
	}
	s.closers = append(s.closers, func() {
		fctx, cancel := context.WithTimeout(context.Background(), min(s.cfg.HTTP.ShutdownTimeout, 5*time.Second))
		defer cancel()
		if err := s.tracing.Shutdown(fctx); err != nil {
			s.log.Error("spans were not all exported", "err", err.Error())
		}
	})
	return nil
}

func dbConfig(cfg config.Config) store.DBConfig {
	return store.DBConfig{URL: cfg.Storage.DatabaseURL, DataDir: cfg.DataDir, MaxOpen: cfg.Storage.DBMaxOpen, MaxIdle: cfg.Storage.DBMaxIdle, ConnLifetime: cfg.Storage.DBConnLifetime,
		Replicas: cfg.Storage.ReplicaURLs, ReplicaMaxOpen: cfg.Storage.ReplicaMaxOpen, ReplicaMaxIdle: cfg.Storage.ReplicaMaxIdle}
}

func (s *Server) newWeChat() (*wechat.Client, error) {
	wcfg := wechat.Config{AppID: s.cfg.WeChat.AppID, AppSecret: s.cfg.WeChat.Secret, Timeout: s.cfg.WeChat.Timeout, BaseURL: s.cfg.WeChat.BaseURL}
	if s.cfg.WeChat.Fake && wcfg.BaseURL == "" {
		s.wxFake = fake.New()
		if wcfg.AppSecret == "" {
			wcfg.AppSecret = "dev-secret"
		}
		s.wxFake.SetAutoLogin(true)
		s.closers = append(s.closers, s.wxFake.Close)
		wcfg.BaseURL = s.wxFake.URL()
		s.log.Info("WeChat is served by the local fake", "url", wcfg.BaseURL)
	}
	s.wxBase = wcfg.BaseURL
	return wechat.New(wcfg, wechat.NewTokenCache(s.rdb, s.cfg.Storage.RedisPrefix), s.log)
}

// newSealer builds the personal-data sealer from CW_DATA_KEY/CW_INDEX_KEY,
// or in development from a key file generated into the data dir.
func newSealer(cfg config.Config) (*pii.Sealer, error) {
	if cfg.Storage.DataKey != "" && cfg.Storage.IndexKey != "" {
		enc, err := pii.ParseKey(cfg.Storage.DataKey)
		if err != nil {
			return nil, fmt.Errorf("config: CW_DATA_KEY: %w", err)
		}
		idx, err := pii.ParseKey(cfg.Storage.IndexKey)
		if err != nil {
			return nil, fmt.Errorf("config: CW_INDEX_KEY: %w", err)
		}
		return pii.NewSealer(enc, idx)
	}
	master, err := pii.LoadOrCreateKeyFile(filepath.Join(cfg.DataDir, "pii.key"))
	if err != nil {
		return nil, fmt.Errorf("server: development data key: %w", err)
	}
	return pii.NewSealerFromMaster(master)
}

// QueryCacheSize is how many parsed and validated query documents the
// GraphQL handler keeps (an LRU keyed by the query text).
const QueryCacheSize = 1000

// NewGraphQLHandler returns a gqlgen handler for es with the API's
// transports (OPTIONS, GraphQL over HTTP GET and POST, multipart uploads,
// and the coded refusal of everything else) and its LRU query cache, which
// it also returns; the caller adds extensions and middleware. bench/rating
// builds its baseline with it, so that the product and the baseline pay for
// the same transports and the same cache.
func NewGraphQLHandler(es graphql.ExecutableSchema) (*handler.Server, graphql.Cache[*ast.QueryDocument]) {
	h := handler.New(es)
	h.AddTransport(transport.Options{})
	h.AddTransport(graphQLTransport{})
	h.AddTransport(multipartTransport{maxMemory: 4 << 20})
	h.AddTransport(rejectTransport{})
	queries := lru.New[*ast.QueryDocument](QueryCacheSize)
	h.SetQueryCache(queries)
	return h, queries
}

// graphQL builds the gqlgen handler with explicit transports and limits.
func (s *Server) graphQL() http.Handler {
	resolver := &graph.Resolver{Auth: s.auth, Audit: s.audit, SessionTTL: s.cfg.Auth.Session.IdleTTL,
		Phone: s.wx.PhoneNumber, Sealer: s.sealer, Enterprise: s.ent, Ratings: s.ratings, Apply: s.apply,
		Records: s.records, Cases: s.cases, Exempt: s.exemptions, Grades: s.grades, Usage: s.usage, JobRunner: s.jobs,
		Repairs: s.repairs, Objections: s.objections, Reviews: s.reviews, Importer: s.importer, Inbox: s.inbox, Ops: s.ops,
		Self: s.self, Publicity: s.publicity, FollowUps: s.followUps}
	es := generated.NewExecutableSchema(generated.Config{Resolvers: resolver, Directives: graph.Directives()})
	h, queries := NewGraphQLHandler(querycost.PagedComplexity(es))
	if s.tracing != nil {
		h.Use(s.tracing.GraphQL()) // first: its span covers the other extensions' work
	}
	// Introspection and "did you mean" suggestions only with the playground
	// (never in production); otherwise __schema is a validation error.
	introspection := s.cfg.GraphQL.Playground && !s.cfg.Production()
	if introspection {
		h.Use(extension.Introspection{})
	}
	h.SetValidationRulesFn(querycost.ValidationRules(introspection))
	h.SetDisableSuggestion(!introspection)
	h.SetParserTokenLimit(s.cfg.GraphQL.MaxTokens)
	apq := apqCache{local: lru.New[string](s.cfg.LocalCache.Size), rdb: s.rdb, prefix: s.cfg.Storage.RedisPrefix, ttl: s.cfg.GraphQL.APQTTL, maxBytes: s.cfg.GraphQL.APQMaxBytes}
	h.Use(extension.AutomaticPersistedQuery{Cache: apq})
	h.Use(querycost.DocumentLimits{MaxTokens: s.cfg.GraphQL.MaxTokens, MaxFields: s.cfg.GraphQL.MaxFields, MaxDepth: s.cfg.GraphQL.MaxDepth, Cache: queries})
	h.Use(extension.FixedComplexityLimit(s.cfg.GraphQL.ComplexityLimit))
	h.Use(textargs.TextArguments{}) // R7.3: control characters refused in every string argument
	h.Use(apq)                      // registers a persisted query once it passed the above
	h.Use(opExtension{m: s.metrics})
	h.AroundFields(querycost.StopWhenDone)
	h.AroundFields(graph.DenyUngranted)
	present := graph.ErrorPresenter(s.log, s.metrics.countError)
	h.SetErrorPresenter(present)
	h.AroundOperations(querycost.AnswerWhenDone(present))
	h.AroundOperations(resolver.WithLoaders)
	h.SetRecoverFunc(graph.Recover(s.log))
	return h
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	gql := s.withDeadline(s.withBodyLimit(s.withSession(s.graphQL())))
	mux.Handle("/graphql", s.metrics.middleware("/graphql", gql))
	mux.Handle(docurl.CommitmentRoute, s.withSession(http.HandlerFunc(s.commitmentDocument)))
	mux.Handle(docurl.EvidenceRoute, s.withSession(http.HandlerFunc(s.evidenceFile)))
	mux.Handle("GET "+docurl.StatisticsCSV, s.withSession(http.HandlerFunc(s.statisticsCSV)))
	mux.Handle("GET "+docurl.CreditReportPDF, s.withSession(http.HandlerFunc(s.creditReportDocument)))
	if s.oa != nil {
		mux.Handle("/wechat/oa", s.oa)
	}
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	if s.cfg.GraphQL.Playground && !s.cfg.Production() {
		graphiql.Register(mux, "creditwater GraphQL", "/graphql")
	}
	console.Register(mux)
	h := withSecurityHeaders(s.withRequest(mux))
	if s.tracing != nil {
		h = s.tracing.HTTP(h, func(r *http.Request) string { _, pattern := mux.Handler(r); return pattern })
	}
	return h
}

// Handler is the service's HTTP handler (used by tests and Run).
func (s *Server) Handler() http.Handler { return s.handler }

// WeChatFake returns the in-process WeChat fake in development, or nil.
func (s *Server) WeChatFake() *fake.Server { return s.wxFake }

// CreditPlatformSimulator returns the in-process credit-platform simulator
// in development, or nil.
func (s *Server) CreditPlatformSimulator() *simulator.Simulator { return s.sim }

// RegistrySimulator returns the in-process enterprise-registry simulator in
// development, or nil.
func (s *Server) RegistrySimulator() *regsim.Simulator { return s.regSim }

// Run serves the API on CW_HTTP_ADDR and, when CW_METRICS_ADDR is set,
// /metrics on that separate address, until ctx is cancelled; then it shuts
// both down gracefully within CW_SHUTDOWN_TIMEOUT. It fails at once when an
// address cannot be listened on.
func (s *Server) Run(ctx context.Context) error {
	return s.serve(ctx, s.httpServers())
}

// drainTime is how long in-flight outbox deliveries may go on in a
// shutdown of the given timeout: all of it but a margin (a third, at most
// 5 s) to release the leases of the rest and close.
func drainTime(shutdown time.Duration) time.Duration {
	return shutdown - min(shutdown/3, 5*time.Second)
}

// Start runs the background work until ctx ends or Shutdown: the outbox
// worker, the worker of queued billing imports and, when CW_JOBS_ENABLED,
// the job scheduler.
func (s *Server) Start(ctx context.Context) {
	bctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	s.bgMu.Lock()
	s.bgCancel, s.bgDone = cancel, done
	s.bgMu.Unlock()
	go func() {
		defer close(done)
		imports := make(chan struct{})
		go func() { defer close(imports); s.imports.Run(bctx) }()
		s.outbox.Run(bctx)
		<-imports
	}()
	if s.cfg.Jobs.Enabled {
		if err := s.jobs.Start(); err != nil {
			s.log.Error("jobs did not start", "err", err.Error())
		}
	}
}

// Shutdown stops the background work gracefully and waits for it, at most
// until ctx ends: the outbox claims nothing more, lets its deliveries in
// flight finish within the drain time and releases the leases of the
// messages it did not deliver (so another instance takes them at once); the
// scheduler stops (cancelling running jobs); background rating refreshes
// end. It returns UNAVAILABLE when ctx ended first. Later calls return nil
// at once.
func (s *Server) Shutdown(ctx context.Context) error {
	var waits []<-chan struct{}
	s.shutdownOnce.Do(func() {
		s.bgMu.Lock()
		cancel, done := s.bgCancel, s.bgDone
		s.bgMu.Unlock()
		if cancel != nil {
			cancel()
			waits = append(waits, done)
		}
		for _, stop := range []func(){
			func() {
				if err := s.jobs.Stop(); err != nil {
					s.log.Error("jobs did not stop cleanly", "code", apperr.CodeOf(err))
				}
			},
			func() { s.ratings.Close(ctx) },
		} {
			c := make(chan struct{})
			go func() { defer close(c); stop() }()
			waits = append(waits, c)
		}
	})
	for _, c := range waits {
		select {
		case <-c:
		case <-ctx.Done():
			s.log.Error("background work did not stop within the shutdown timeout")
			return apperr.New(apperr.Unavailable, "后台任务未能在关闭时限内停止")
		}
	}
	return nil
}

// registerJobs registers the scheduled jobs: each runs once per schedule
// slot across all instances, and ADMIN can run it on demand (runJob).
func (s *Server) registerJobs(arrears *rules.Arrears, pubs *record.Publications) error {
	asOf := func(ctx context.Context) time.Time {
		if t, ok := jobs.Slot(ctx); ok {
			return t
		}
		return time.Now()
	}
	for _, j := range []jobs.Job{
		{Name: "credit.arrears", Schedule: s.cfg.Jobs.ArrearsSchedule, Run: func(ctx context.Context) (string, error) {
			n, err := arrears.Detect(ctx, asOf(ctx))
			return fmt.Sprintf("新增 %d 条欠费失信记录", n), err
		}},
		{Name: "credit.tiers", Schedule: s.cfg.Jobs.TiersSchedule, Run: func(ctx context.Context) (string, error) {
			n, err := s.grades.Recompute(ctx, asOf(ctx))
			return fmt.Sprintf("已评定 %d 个用水主体", n), err
		}},
		{Name: "credit.expire", Schedule: s.cfg.Lifecycle.ExpireSchedule, Run: func(ctx context.Context) (string, error) {
			n, err := s.records.Expire(ctx, asOf(ctx))
			return fmt.Sprintf("%d 条失信记录已到期", n), err
		}},
		{Name: "credit.publish", Schedule: s.cfg.Jobs.PublishSchedule, Run: func(ctx context.Context) (string, error) {
			n, err := pubs.QueueDue(ctx, asOf(ctx))
			return fmt.Sprintf("%d 条记录公示已加入发送队列", n), err
		}},
		{Name: "credit.deadline-reminders", Schedule: s.cfg.Jobs.RemindersSchedule, Run: func(ctx context.Context) (string, error) {
			n, err := s.reviews.RemindDue(ctx, asOf(ctx))
			return fmt.Sprintf("已向工作人员发送 %d 条到期提醒", n), err
		}},
		{Name: "selfservice.follow-up-reminders", Schedule: s.cfg.SelfService.FollowUpSchedule, Run: s.followUps.Remind},
		{Name: "enterprise.registry-check", Schedule: s.cfg.Jobs.RegistryCheckSchedule, Run: func(ctx context.Context) (string, error) {
			n, err := s.ent.CheckRegistry(ctx)
			return fmt.Sprintf("已暂停 %d 个企业绑定", n), err
		}},
	} {
		if err := s.jobs.Register(j); err != nil {
			return fmt.Errorf("config: job %s: %w", j.Name, err)
		}
	}
	return nil
}

// OfficialAccount returns the official-account endpoint, or nil when it is
// not configured.
func (s *Server) OfficialAccount() *wechat.OfficialAccount { return s.oa }

// Outbox returns the outbox worker (tests drive it with RunOnce).
func (s *Server) Outbox() *outbox.Worker { return s.outbox }

// Close shuts the background work down (Shutdown, within
// CW_SHUTDOWN_TIMEOUT) unless that was done, then releases the database,
// Redis and the fakes.
func (s *Server) Close() {
	if s.jobs != nil { // New got that far
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.HTTP.ShutdownTimeout)
		_ = s.Shutdown(ctx)
		cancel()
	}
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
}

// DB returns the database handle (for subcommands).
func (s *Server) DB() *gorm.DB { return s.db }

// ImportWorker returns the worker of queued billing imports (tests drive
// it with RunOnce).
func (s *Server) ImportWorker() *importqueue.Worker { return s.imports }

// Importer returns the billing importer (for the import subcommand).
func (s *Server) Importer() *billing.Importer { return s.importer }

// Auth returns the identity service (for subcommands).
func (s *Server) Auth() *auth.Service { return s.auth }

// Redis returns the Redis client (for subcommands and benchmarks).
func (s *Server) Redis() redis.UniversalClient { return s.rdb }
