// Package config holds creditwater's typed configuration. It is read once, at
// start-up, from CW_* environment variables (github.com/caarlos0/env), with
// the defaults below, and validated; a bad value stops start-up with one line
// that names the variable.
package config

import (
	_ "embed"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/realclientip/realclientip-go"

	"creditwater/pii"
)

// Environments.
const (
	EnvDevelopment = "development"
	EnvTest        = "test"
	EnvProduction  = "production"
)

// Config is every setting of the service. Field tags name the variable and
// its default; `secret:"true"` masks the value in String.
type Config struct {
	Env      string `env:"CW_ENV" envDefault:"development"`
	HTTPAddr string `env:"CW_HTTP_ADDR" envDefault:":8080"`
	DataDir  string `env:"CW_DATA_DIR" envDefault:"./data"`
	LogLevel string `env:"CW_LOG_LEVEL" envDefault:"info"`
	// DemoData seeds demo users and fixtures on start (never in production).
	DemoData bool `env:"CW_DEMO_DATA" envDefault:"true"`

	// Storage.
	DatabaseURL    string        `env:"CW_DATABASE_URL" secret:"true"`
	DBMaxOpen      int           `env:"CW_DB_MAX_OPEN" envDefault:"20"`
	DBMaxIdle      int           `env:"CW_DB_MAX_IDLE" envDefault:"10"`
	DBConnLifetime time.Duration `env:"CW_DB_CONN_MAX_LIFETIME" envDefault:"30m"`
	RedisURL       string        `env:"CW_REDIS_URL" secret:"true"`
	RedisPrefix    string        `env:"CW_REDIS_PREFIX" envDefault:"cw:"`
	MigrateOnServe bool          `env:"CW_MIGRATE_ON_SERVE" envDefault:"true"`

	// HTTP and GraphQL.
	MaxBodyBytes    int64         `env:"CW_MAX_BODY_BYTES" envDefault:"1048576"`
	MaxUploadBytes  int64         `env:"CW_MAX_UPLOAD_BYTES" envDefault:"10485760"`
	ComplexityLimit int           `env:"CW_GRAPHQL_COMPLEXITY_LIMIT" envDefault:"10000"`
	Playground      bool          `env:"CW_PLAYGROUND" envDefault:"true"`
	ShutdownTimeout time.Duration `env:"CW_SHUTDOWN_TIMEOUT" envDefault:"15s"`
	APQTTL          time.Duration `env:"CW_APQ_TTL" envDefault:"24h"`
	// Query cost before validation, the per-request deadline and the
	// persisted-query size cap (R7.3).
	GraphQLTimeout   time.Duration `env:"CW_GRAPHQL_TIMEOUT" envDefault:"30s"`
	GraphQLMaxTokens int           `env:"CW_GRAPHQL_MAX_TOKENS" envDefault:"5000"`
	GraphQLMaxFields int           `env:"CW_GRAPHQL_MAX_FIELDS" envDefault:"500"`
	GraphQLMaxDepth  int           `env:"CW_GRAPHQL_MAX_DEPTH" envDefault:"20"`
	APQMaxBytes      int           `env:"CW_APQ_MAX_BYTES" envDefault:"16384"`
	// TrustedProxies are the load balancers (CIDRs or addresses) whose
	// X-Forwarded-For is believed; empty trusts none.
	TrustedProxies []string `env:"CW_TRUSTED_PROXIES"`
	// MetricsAddr is the listen address of /metrics; empty turns it off.
	MetricsAddr string `env:"CW_METRICS_ADDR" envDefault:"127.0.0.1:9090"`

	// Identity.
	SessionTTL        time.Duration `env:"CW_SESSION_TTL" envDefault:"2h"`
	LoginLimitAccount int           `env:"CW_LOGIN_LIMIT_PER_ACCOUNT" envDefault:"5"`
	LoginLimitIP      int           `env:"CW_LOGIN_LIMIT_PER_IP" envDefault:"30"`
	LoginLimitWindow  time.Duration `env:"CW_LOGIN_LIMIT_WINDOW" envDefault:"15m"`
	// Sessions follow the user (R7.1): an absolute lifetime per role on top
	// of the sliding TTL, and how long a user's state (role, disabled,
	// session generation) may be cached in-process (0 = read every time).
	SessionMaxAgeEnterprise time.Duration `env:"CW_SESSION_MAX_AGE_ENTERPRISE" envDefault:"24h"`
	SessionMaxAgeStaff      time.Duration `env:"CW_SESSION_MAX_AGE_STAFF" envDefault:"12h"`
	SessionCheckCache       time.Duration `env:"CW_SESSION_CHECK_CACHE" envDefault:"5s"`
	// Login failure budgets: per account across all clients (clients that
	// logged into the account lately are exempt) and wechatLogin's own
	// per-IP budget.
	LoginLimitAccountTotal int `env:"CW_LOGIN_LIMIT_PER_ACCOUNT_TOTAL" envDefault:"50"`
	WeChatLoginLimitIP     int `env:"CW_WECHAT_LOGIN_LIMIT_PER_IP" envDefault:"300"`

	// WeChat mini-program. WeChatFake serves WeChat's API from wechat/fake.
	WeChatAppID   string        `env:"CW_WECHAT_APPID" envDefault:"wx00000000000000a1"`
	WeChatSecret  string        `env:"CW_WECHAT_SECRET" secret:"true"`
	WeChatFake    bool          `env:"CW_WECHAT_FAKE" envDefault:"true"`
	WeChatBaseURL string        `env:"CW_WECHAT_BASE_URL"`
	WeChatTimeout time.Duration `env:"CW_WECHAT_TIMEOUT" envDefault:"5s"`

	// City credit platform 信用中国（广东韶关）. CreditPlatformSimulator serves
	// it from the in-process simulator.
	CreditPlatformName      string        `env:"CW_CREDIT_PLATFORM_NAME" envDefault:"信用中国（广东韶关）"`
	CreditPlatformURL       string        `env:"CW_CREDIT_PLATFORM_URL"`
	CreditPlatformKey       string        `env:"CW_CREDIT_PLATFORM_KEY"`
	CreditPlatformSecret    string        `env:"CW_CREDIT_PLATFORM_SECRET" secret:"true"`
	CreditPlatformTimeout   time.Duration `env:"CW_CREDIT_PLATFORM_TIMEOUT" envDefault:"5s"`
	CreditPlatformSimulator bool          `env:"CW_CREDIT_PLATFORM_SIMULATOR" envDefault:"true"`
	RatingCacheTTL          time.Duration `env:"CW_RATING_CACHE_TTL" envDefault:"24h"`
	ReportCacheTTL          time.Duration `env:"CW_REPORT_CACHE_TTL" envDefault:"1h"`
	RatingStaleMax          time.Duration `env:"CW_RATING_STALE_MAX" envDefault:"168h"`
	// The platform client's circuit breaker: it opens after BreakerFailures
	// consecutive failures (timeouts included), or when BreakerRatio of at
	// least BreakerMinRequests requests within BreakerWindow failed, and
	// fails fast for BreakerOpen.
	BreakerFailures    int           `env:"CW_CREDIT_PLATFORM_BREAKER_FAILURES" envDefault:"3"`
	BreakerRatio       float64       `env:"CW_CREDIT_PLATFORM_BREAKER_RATIO" envDefault:"0.5"`
	BreakerMinRequests int           `env:"CW_CREDIT_PLATFORM_BREAKER_MIN_REQUESTS" envDefault:"10"`
	BreakerWindow      time.Duration `env:"CW_CREDIT_PLATFORM_BREAKER_WINDOW" envDefault:"30s"`
	BreakerOpen        time.Duration `env:"CW_CREDIT_PLATFORM_BREAKER_OPEN" envDefault:"30s"`

	// Enterprise registry 企业登记信息 (R6.5), its own authority and adapter.
	// RegistrySimulator serves it from the in-process simulator.
	RegistryURL       string        `env:"CW_REGISTRY_URL"`
	RegistryKey       string        `env:"CW_REGISTRY_KEY"`
	RegistrySecret    string        `env:"CW_REGISTRY_SECRET" secret:"true"`
	RegistryTimeout   time.Duration `env:"CW_REGISTRY_TIMEOUT" envDefault:"5s"`
	RegistrySimulator bool          `env:"CW_REGISTRY_SIMULATOR" envDefault:"true"`

	// Face verification (人脸核身).
	FaceValidity time.Duration `env:"CW_FACE_VALIDITY" envDefault:"30m"`
	FaceAttempts int           `env:"CW_FACE_ATTEMPTS" envDefault:"5"`
	FaceWindow   time.Duration `env:"CW_FACE_WINDOW" envDefault:"10m"`

	// Credit rules (R1.3, R3, R5.3).
	ArrearsThresholdFen   int64  `env:"CW_ARREARS_THRESHOLD_FEN" envDefault:"100000"`
	ArrearsGraceMonths    int    `env:"CW_ARREARS_GRACE_MONTHS" envDefault:"1"`
	ExcellentWindowMonths int    `env:"CW_EXCELLENT_WINDOW_MONTHS" envDefault:"36"`
	GeneralPublicityMin   int    `env:"CW_PUBLICITY_GENERAL_MIN_MONTHS" envDefault:"3"`
	GeneralPublicityMax   int    `env:"CW_PUBLICITY_GENERAL_MAX_MONTHS" envDefault:"12"`
	SeriousPublicityMin   int    `env:"CW_PUBLICITY_SERIOUS_MIN_MONTHS" envDefault:"12"`
	SeriousPublicityMax   int    `env:"CW_PUBLICITY_SERIOUS_MAX_MONTHS" envDefault:"36"`
	RepairReviewDays      int    `env:"CW_REPAIR_REVIEW_DAYS" envDefault:"10"`
	ObjectionReviewDays   int    `env:"CW_OBJECTION_REVIEW_DAYS" envDefault:"5"`
	ObjectionMaxExtension int    `env:"CW_OBJECTION_MAX_EXTENSION_DAYS" envDefault:"5"`
	EvidenceMaxBytes      int64  `env:"CW_EVIDENCE_MAX_BYTES" envDefault:"5242880"`
	EvidenceMaxFiles      int    `env:"CW_EVIDENCE_MAX_FILES" envDefault:"10"`
	JobsEnabled           bool   `env:"CW_JOBS_ENABLED" envDefault:"true"`
	PublishSchedule       string `env:"CW_JOB_PUBLISH_SCHEDULE" envDefault:"10m"`
	RemindersSchedule     string `env:"CW_JOB_REMINDERS_SCHEDULE" envDefault:"30 8 * * *"`
	ArrearsSchedule       string `env:"CW_JOB_ARREARS_SCHEDULE" envDefault:"30 2 * * *"`
	TiersSchedule         string `env:"CW_JOB_TIERS_SCHEDULE" envDefault:"0 3 * * *"`
	RegistryCheckSchedule string `env:"CW_JOB_REGISTRY_CHECK_SCHEDULE" envDefault:"0 4 * * *"`

	// Zero-document applications (R4) and the publication outbox (R2.3).
	ZeroDocRatings    []string      `env:"CW_ZERO_DOC_RATINGS" envDefault:"A,B"`
	NotifyTemplateID  string        `env:"CW_NOTIFY_TEMPLATE_ID" envDefault:"application-status"`
	OutboxPoll        time.Duration `env:"CW_OUTBOX_POLL_INTERVAL" envDefault:"1s"`
	OutboxBaseBackoff time.Duration `env:"CW_OUTBOX_BASE_BACKOFF" envDefault:"2s"`
	OutboxMaxBackoff  time.Duration `env:"CW_OUTBOX_MAX_BACKOFF" envDefault:"10m"`
	OutboxMaxAttempts int           `env:"CW_OUTBOX_MAX_ATTEMPTS" envDefault:"20"`
	// OutboxLease is how long a claimed message is exclusive to its worker.
	OutboxLease time.Duration `env:"CW_OUTBOX_LEASE" envDefault:"60s"`
	// CJKFont is a TrueType font for commitment PDFs; empty: searched.
	CJKFont string `env:"CW_CJK_FONT"`

	// WeChat official account (公众号, R6.4). The callback endpoint
	// /wechat/oa is served when CW_OA_TOKEN is set; CW_OA_AES_KEY enables
	// safe (encrypted) mode. CW_OA_MENU_FILE overrides the embedded menu.
	OAAppID    string `env:"CW_OA_APPID" envDefault:"wx00000000000000b2"`
	OASecret   string `env:"CW_OA_SECRET" secret:"true"`
	OAToken    string `env:"CW_OA_TOKEN" secret:"true"`
	OAAESKey   string `env:"CW_OA_AES_KEY" secret:"true"`
	OAMenuFile string `env:"CW_OA_MENU_FILE"`
	// CW_OA_TIMESTAMP_WINDOW bounds how far a callback's timestamp may be
	// from now (and how long its nonce is remembered). CW_OA_ALLOW_PLAIN
	// accepts plain-mode callbacks when no CW_OA_AES_KEY is set; it defaults
	// to false in production, where the key or an explicit true is required.
	OATimestampWindow time.Duration `env:"CW_OA_TIMESTAMP_WINDOW" envDefault:"5m"`
	OAAllowPlain      bool          `env:"CW_OA_ALLOW_PLAIN" envDefault:"true"`

	// Data protection: 32-byte keys, base64 or hex. In development they are
	// derived from a key file generated into the data dir.
	DataKey  string `env:"CW_DATA_KEY" secret:"true"`
	IndexKey string `env:"CW_INDEX_KEY" secret:"true"`

	// LocalCache are the in-process caches in front of Redis (cache.go).
	LocalCache LocalCache
}

// Load reads the configuration from environ (os.Environ() form), applies the
// defaults and validates it. The error is one line naming the variable.
func Load(environ []string) (Config, error) {
	envMap := env.ToMap(environ)
	var c Config
	known := knownVars()
	var unknown []string
	for k := range envMap {
		if strings.HasPrefix(k, "CW_") && !strings.HasPrefix(k, "CW_TEST_") && !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return c, fmt.Errorf("config: unknown variable %s (known: see README's configuration table)", strings.Join(unknown, ", "))
	}
	if err := env.ParseWithOptions(&c, env.Options{Environment: envMap}); err != nil {
		var agg env.AggregateError
		if errors.As(err, &agg) && len(agg.Errors) > 0 {
			var pe env.ParseError
			if errors.As(agg.Errors[0], &pe) {
				return c, fmt.Errorf("config: %s=%q is not a valid %s", varOf(pe.Name), envMap[varOf(pe.Name)], pe.Type)
			}
			return c, fmt.Errorf("config: %v", agg.Errors[0])
		}
		return c, fmt.Errorf("config: %v", err)
	}
	if c.Production() {
		// In production the development conveniences default to off; set
		// explicitly, they are refused by validate.
		for name, field := range map[string]*bool{"CW_PLAYGROUND": &c.Playground, "CW_DEMO_DATA": &c.DemoData, "CW_WECHAT_FAKE": &c.WeChatFake, "CW_CREDIT_PLATFORM_SIMULATOR": &c.CreditPlatformSimulator,
			"CW_REGISTRY_SIMULATOR": &c.RegistrySimulator, "CW_OA_ALLOW_PLAIN": &c.OAAllowPlain} {
			if _, set := envMap[name]; !set {
				*field = false
			}
		}
	}
	if v, set := envMap["CW_METRICS_ADDR"]; set && strings.TrimSpace(v) == "" {
		c.MetricsAddr = "" // set but empty: metrics off (env would apply the default)
	}
	if err := c.validate(); err != nil {
		return c, err
	}
	return c, nil
}

func (c *Config) validate() error {
	bad := func(name, why string) error { return fmt.Errorf("config: %s %s", name, why) }
	if err := c.LocalCache.validate(); err != nil {
		return err
	}
	switch c.Env {
	case EnvDevelopment, EnvTest, EnvProduction:
	default:
		return bad("CW_ENV", fmt.Sprintf("=%q: want development, test or production", c.Env))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return bad("CW_LOG_LEVEL", fmt.Sprintf("=%q: want debug, info, warn or error", c.LogLevel))
	}
	if c.HTTPAddr == "" {
		return bad("CW_HTTP_ADDR", "must not be empty")
	}
	if c.DatabaseURL != "" && !strings.Contains(c.DatabaseURL, "@") && !strings.HasPrefix(c.DatabaseURL, "mysql://") {
		return bad("CW_DATABASE_URL", "must be a MySQL DSN (user:pass@tcp(host:3306)/db) or mysql:// URL")
	}
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			return bad("CW_REDIS_URL", "must be a redis:// or rediss:// URL")
		}
	}
	for _, p := range []struct {
		name string
		v    int64
	}{
		{"CW_DB_MAX_OPEN", int64(c.DBMaxOpen)}, {"CW_MAX_BODY_BYTES", c.MaxBodyBytes},
		{"CW_MAX_UPLOAD_BYTES", c.MaxUploadBytes}, {"CW_GRAPHQL_COMPLEXITY_LIMIT", int64(c.ComplexityLimit)},
		{"CW_LOGIN_LIMIT_PER_ACCOUNT", int64(c.LoginLimitAccount)}, {"CW_LOGIN_LIMIT_PER_IP", int64(c.LoginLimitIP)},
		{"CW_SESSION_TTL", int64(c.SessionTTL)}, {"CW_LOGIN_LIMIT_WINDOW", int64(c.LoginLimitWindow)},
		{"CW_SESSION_MAX_AGE_ENTERPRISE", int64(c.SessionMaxAgeEnterprise)}, {"CW_SESSION_MAX_AGE_STAFF", int64(c.SessionMaxAgeStaff)},
		{"CW_LOGIN_LIMIT_PER_ACCOUNT_TOTAL", int64(c.LoginLimitAccountTotal)}, {"CW_WECHAT_LOGIN_LIMIT_PER_IP", int64(c.WeChatLoginLimitIP)},
		{"CW_CREDIT_PLATFORM_TIMEOUT", int64(c.CreditPlatformTimeout)}, {"CW_RATING_CACHE_TTL", int64(c.RatingCacheTTL)},
		{"CW_REPORT_CACHE_TTL", int64(c.ReportCacheTTL)}, {"CW_RATING_STALE_MAX", int64(c.RatingStaleMax)},
		{"CW_OUTBOX_POLL_INTERVAL", int64(c.OutboxPoll)}, {"CW_OUTBOX_BASE_BACKOFF", int64(c.OutboxBaseBackoff)},
		{"CW_OUTBOX_MAX_BACKOFF", int64(c.OutboxMaxBackoff)}, {"CW_OUTBOX_MAX_ATTEMPTS", int64(c.OutboxMaxAttempts)},
		{"CW_ARREARS_THRESHOLD_FEN", c.ArrearsThresholdFen}, {"CW_ARREARS_GRACE_MONTHS", int64(c.ArrearsGraceMonths)},
		{"CW_EXCELLENT_WINDOW_MONTHS", int64(c.ExcellentWindowMonths)},
		{"CW_PUBLICITY_GENERAL_MIN_MONTHS", int64(c.GeneralPublicityMin)}, {"CW_PUBLICITY_GENERAL_MAX_MONTHS", int64(c.GeneralPublicityMax)},
		{"CW_PUBLICITY_SERIOUS_MIN_MONTHS", int64(c.SeriousPublicityMin)}, {"CW_PUBLICITY_SERIOUS_MAX_MONTHS", int64(c.SeriousPublicityMax)},
		{"CW_REPAIR_REVIEW_DAYS", int64(c.RepairReviewDays)}, {"CW_OBJECTION_REVIEW_DAYS", int64(c.ObjectionReviewDays)},
		{"CW_OBJECTION_MAX_EXTENSION_DAYS", int64(c.ObjectionMaxExtension)}, {"CW_EVIDENCE_MAX_BYTES", c.EvidenceMaxBytes},
		{"CW_EVIDENCE_MAX_FILES", int64(c.EvidenceMaxFiles)},
		{"CW_FACE_VALIDITY", int64(c.FaceValidity)}, {"CW_FACE_ATTEMPTS", int64(c.FaceAttempts)}, {"CW_FACE_WINDOW", int64(c.FaceWindow)},
		{"CW_REGISTRY_TIMEOUT", int64(c.RegistryTimeout)},
		{"CW_OA_TIMESTAMP_WINDOW", int64(c.OATimestampWindow)},
		{"CW_GRAPHQL_TIMEOUT", int64(c.GraphQLTimeout)}, {"CW_GRAPHQL_MAX_TOKENS", int64(c.GraphQLMaxTokens)},
		{"CW_GRAPHQL_MAX_FIELDS", int64(c.GraphQLMaxFields)}, {"CW_GRAPHQL_MAX_DEPTH", int64(c.GraphQLMaxDepth)},
		{"CW_APQ_MAX_BYTES", int64(c.APQMaxBytes)},
		{"CW_OUTBOX_LEASE", int64(c.OutboxLease)}, {"CW_SHUTDOWN_TIMEOUT", int64(c.ShutdownTimeout)},
		{"CW_CREDIT_PLATFORM_BREAKER_FAILURES", int64(c.BreakerFailures)}, {"CW_CREDIT_PLATFORM_BREAKER_MIN_REQUESTS", int64(c.BreakerMinRequests)},
		{"CW_CREDIT_PLATFORM_BREAKER_WINDOW", int64(c.BreakerWindow)}, {"CW_CREDIT_PLATFORM_BREAKER_OPEN", int64(c.BreakerOpen)},
	} {
		if p.v <= 0 {
			return bad(p.name, "must be positive")
		}
	}
	if c.SessionCheckCache < 0 || c.SessionCheckCache > 30*time.Second {
		return bad("CW_SESSION_CHECK_CACHE", "must be between 0 and 30s (a disabled user's sessions work at most this long)")
	}
	for _, k := range []struct{ name, v string }{{"CW_DATA_KEY", c.DataKey}, {"CW_INDEX_KEY", c.IndexKey}} {
		if k.v != "" {
			if _, err := pii.ParseKey(k.v); err != nil {
				return bad(k.name, "must be 32 bytes, base64 or hex encoded")
			}
		}
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil || c.MetricsAddr == c.HTTPAddr {
			return bad("CW_METRICS_ADDR", "must be host:port (not CW_HTTP_ADDR), or empty to turn metrics off")
		}
	}
	if _, err := c.TrustedProxyNets(); err != nil {
		return bad("CW_TRUSTED_PROXIES", "must be comma-separated IP addresses or CIDRs: "+err.Error())
	}
	if c.OutboxLease < 2*c.CreditPlatformTimeout {
		// A delivery gets half the lease; it must outlast a platform call.
		return bad("CW_OUTBOX_LEASE", "must be at least twice CW_CREDIT_PLATFORM_TIMEOUT")
	}
	if c.BreakerRatio <= 0 || c.BreakerRatio > 1 {
		return bad("CW_CREDIT_PLATFORM_BREAKER_RATIO", "must be above 0 and at most 1")
	}
	if c.GeneralPublicityMin > c.GeneralPublicityMax {
		return bad("CW_PUBLICITY_GENERAL_MIN_MONTHS", "must not exceed CW_PUBLICITY_GENERAL_MAX_MONTHS")
	}
	if c.SeriousPublicityMin > c.SeriousPublicityMax {
		return bad("CW_PUBLICITY_SERIOUS_MIN_MONTHS", "must not exceed CW_PUBLICITY_SERIOUS_MAX_MONTHS")
	}
	for _, r := range c.ZeroDocRatings {
		if r != "A" && r != "B" && r != "C" && r != "D" {
			return bad("CW_ZERO_DOC_RATINGS", fmt.Sprintf("has %q: ratings are A, B, C or D", r))
		}
	}
	if c.Production() {
		switch {
		case c.DatabaseURL == "":
			return bad("CW_DATABASE_URL", "is required in production (the embedded SQLite database is for development)")
		case c.RedisURL == "":
			return bad("CW_REDIS_URL", "is required in production (the in-process Redis is for development)")
		case c.WeChatFake:
			return bad("CW_WECHAT_FAKE", "must be false in production")
		case c.WeChatAppID == "" || c.WeChatSecret == "":
			return bad("CW_WECHAT_SECRET", "and CW_WECHAT_APPID are required in production")
		case c.CreditPlatformSimulator:
			return bad("CW_CREDIT_PLATFORM_SIMULATOR", "must be false in production")
		case c.CreditPlatformURL == "" || c.CreditPlatformKey == "" || c.CreditPlatformSecret == "":
			return bad("CW_CREDIT_PLATFORM_URL", "CW_CREDIT_PLATFORM_KEY and CW_CREDIT_PLATFORM_SECRET are required in production")
		case c.RegistrySimulator:
			return bad("CW_REGISTRY_SIMULATOR", "must be false in production")
		case c.RegistryURL == "" || c.RegistryKey == "" || c.RegistrySecret == "":
			return bad("CW_REGISTRY_URL", "CW_REGISTRY_KEY and CW_REGISTRY_SECRET are required in production")
		case c.DataKey == "" || c.IndexKey == "":
			return bad("CW_DATA_KEY", "and CW_INDEX_KEY are required in production")
		case c.Playground:
			return bad("CW_PLAYGROUND", "must be false in production")
		case c.DemoData:
			return bad("CW_DEMO_DATA", "must be false in production")
		case c.OAToken != "" && c.OAAESKey == "" && !c.OAAllowPlain:
			// R6.4: plain mode's signature does not cover the body.
			return bad("CW_OA_AES_KEY", "is required in production when CW_OA_TOKEN is set (safe mode); set CW_OA_ALLOW_PLAIN=true to accept unencrypted callbacks anyway")
		}
	}
	return nil
}

// TrustedProxyNets parses CW_TRUSTED_PROXIES (addresses or CIDRs, spaces
// allowed) into networks. An empty list trusts no proxy. It fails on the
// first entry that is neither an address nor a CIDR.
func (c Config) TrustedProxyNets() ([]net.IPNet, error) {
	var entries []string
	for _, e := range c.TrustedProxies {
		if e = strings.TrimSpace(e); e != "" {
			entries = append(entries, e)
		}
	}
	return realclientip.AddressesAndRangesToIPNets(entries...)
}

// Production reports whether CW_ENV is production.
func (c Config) Production() bool { return c.Env == EnvProduction }

// String renders the configuration for logs with secrets masked.
func (c Config) String() string {
	var b strings.Builder
	eachVar(reflect.ValueOf(c), func(f reflect.StructField, v reflect.Value) {
		val := fmt.Sprint(v.Interface())
		if f.Tag.Get("secret") == "true" && val != "" {
			val = "****"
		}
		fmt.Fprintf(&b, "%s=%s ", f.Tag.Get("env"), val)
	})
	return strings.TrimSpace(b.String())
}

// eachVar calls fn with every field of v that is a variable, descending
// into the nested setting structs (fields without an env tag).
func eachVar(v reflect.Value, fn func(reflect.StructField, reflect.Value)) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Tag.Get("env") == "" && f.Type.Kind() == reflect.Struct {
			eachVar(v.Field(i), fn)
			continue
		}
		fn(f, v.Field(i))
	}
}

// Vars lists every variable with its default, for documentation and tests.
func Vars() []Var {
	var out []Var
	eachVar(reflect.ValueOf(Config{}), func(f reflect.StructField, _ reflect.Value) {
		out = append(out, Var{Name: f.Tag.Get("env"), Default: f.Tag.Get("envDefault"), Secret: f.Tag.Get("secret") == "true"})
	})
	return out
}

// Var describes one configuration variable.
type Var struct {
	Name, Default string
	Secret        bool
}

func knownVars() []string {
	var out []string
	for _, v := range Vars() {
		out = append(out, v.Name)
	}
	return out
}

func varOf(field string) string {
	name := field
	eachVar(reflect.ValueOf(Config{}), func(f reflect.StructField, _ reflect.Value) {
		if f.Name == field {
			name = f.Tag.Get("env")
		}
	})
	return name
}

// DefaultMenu is the official account's menu (menu.json beside this file):
// buttons deep-linking into the mini-program's pages.
//
//go:embed menu.json
var DefaultMenu []byte

// FromOS loads the configuration from the process environment.
func FromOS() (Config, error) { return Load(os.Environ()) }
