// Package config holds creditwater's typed configuration. It is read once, at
// start-up, from CW_* environment variables (github.com/caarlos0/env), with
// the defaults below, and validated; a bad value stops start-up with one line
// that names the variable.
package config

import (
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
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

// Config is every setting of the service, grouped per area in nested
// structs (config/<area>.go), each passed whole to the package it tunes.
// Field tags name the variable and its default; `secret:"true"` masks the
// value in String. A new area adds one group type in its own file and one
// field here.
type Config struct {
	Env string `env:"CW_ENV" envDefault:"development"`
	// Ops holds the operations API's settings (config/ops.go).
	Ops      Ops
	HTTPAddr string `env:"CW_HTTP_ADDR" envDefault:":8080"`
	DataDir  string `env:"CW_DATA_DIR" envDefault:"./data"`
	LogLevel string `env:"CW_LOG_LEVEL" envDefault:"info"`
	// DemoData seeds demo users and fixtures on start (never in production).
	DemoData bool `env:"CW_DEMO_DATA" envDefault:"true"`

	Storage        Storage
	HTTP           HTTP
	GraphQL        GraphQL
	Auth           Auth
	Face           Face
	WeChat         WeChat
	OA             OfficialAccount
	CreditPlatform CreditPlatform
	Rating         Rating
	Registry       Registry
	Credit         Credit
	Review         Review
	Evidence       Evidence
	Jobs           Jobs
	Apply          Apply
	Outbox         Outbox
	// Lifecycle: record expiry, prior notice, grades (R1.5, R1.6, R3.4, R3.5).
	Lifecycle Lifecycle
	// SelfService: the enterprise's self-service and the public publicity query (config/selfservice.go).
	SelfService SelfService
	// LocalCache are the in-process caches in front of Redis (cache.go).
	LocalCache LocalCache
	// Tracing is OpenTelemetry tracing, off unless an endpoint is set (tracing.go).
	Tracing Tracing
}

// CommandVars are variables read by a subcommand, not configuration:
// CW_NEW_PASSWORD is the password of `creditwater user create`.
var CommandVars = []string{"CW_NEW_PASSWORD"}

// DemoOAToken is the official-account callback token on the embedded
// defaults, so that /wechat/oa answers on `go run .`; production refuses it.
const DemoOAToken = "creditwater-demo-oa-token"

// Load reads the configuration from environ (os.Environ() form), applies the
// defaults and validates it. The error is one line naming the variable.
func Load(environ []string) (Config, error) {
	envMap := env.ToMap(environ)
	var c Config
	known := knownVars()
	var unknown []string
	for k := range envMap {
		if strings.HasPrefix(k, "CW_") && !strings.HasPrefix(k, "CW_TEST_") && !slices.Contains(known, k) && !slices.Contains(CommandVars, k) {
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
				if pe.Type == reflect.TypeFor[PublicityPeriods]() {
					// The list has its own syntax: say what is wrong with it.
					return c, fmt.Errorf("config: %s: %v", varOf(pe.Name, envMap), pe.Err)
				}
				name := varOf(pe.Name, envMap)
				return c, fmt.Errorf("config: %s=%q is not a valid %s", name, envMap[name], pe.Type)
			}
			return c, fmt.Errorf("config: %v", agg.Errors[0])
		}
		return c, fmt.Errorf("config: %v", err)
	}
	if c.Production() {
		// In production the development conveniences default to off; set
		// explicitly, they are refused by validate.
		for name, field := range map[string]*bool{"CW_PLAYGROUND": &c.GraphQL.Playground, "CW_DEMO_DATA": &c.DemoData, "CW_WECHAT_FAKE": &c.WeChat.Fake, "CW_CREDIT_PLATFORM_SIMULATOR": &c.CreditPlatform.Simulator,
			"CW_REGISTRY_SIMULATOR": &c.Registry.Simulator, "CW_OA_ALLOW_PLAIN": &c.OA.AllowPlain} {
			if _, set := envMap[name]; !set {
				*field = false
			}
		}
	}
	if _, set := envMap["CW_OA_TOKEN"]; !set && c.Production() {
		c.OA.Token = "" // the demo token is a development default only
	}
	if v, set := envMap["CW_METRICS_ADDR"]; set && strings.TrimSpace(v) == "" {
		c.HTTP.MetricsAddr = "" // set but empty: metrics off (env would apply the default)
	}
	if err := c.validate(); err != nil {
		return c, err
	}
	return c, nil
}

func (c *Config) validate() error {
	bad := func(name, why string) error { return fmt.Errorf("config: %s %s", name, why) }
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
	if c.Storage.DatabaseURL != "" && !strings.Contains(c.Storage.DatabaseURL, "@") && !strings.HasPrefix(c.Storage.DatabaseURL, "mysql://") {
		return bad("CW_DATABASE_URL", "must be a MySQL DSN (user:pass@tcp(host:3306)/db) or mysql:// URL")
	}
	for _, r := range c.Storage.ReplicaURLs {
		if r = strings.TrimSpace(r); r != "" && !strings.Contains(r, "@") && !strings.HasPrefix(r, "mysql://") {
			return bad("CW_DATABASE_REPLICA_URLS", "must be comma-separated MySQL DSNs (user:pass@tcp(host:3306)/db) or mysql:// URLs")
		}
	}
	if err := c.Storage.validateRedis(); err != nil {
		return err
	}
	if err := positive([]setting{
		{"CW_DB_MAX_OPEN", int64(c.Storage.DBMaxOpen)}, {"CW_DB_REPLICA_MAX_OPEN", int64(c.Storage.ReplicaMaxOpen)}, {"CW_MAX_BODY_BYTES", c.HTTP.MaxBodyBytes},
		{"CW_MAX_UPLOAD_BYTES", c.HTTP.MaxUploadBytes}, {"CW_GRAPHQL_COMPLEXITY_LIMIT", int64(c.GraphQL.ComplexityLimit)},
		{"CW_LOGIN_LIMIT_PER_ACCOUNT", int64(c.Auth.Limits.PerAccount)}, {"CW_LOGIN_LIMIT_PER_IP", int64(c.Auth.Limits.PerIP)},
		{"CW_SESSION_TTL", int64(c.Auth.Session.IdleTTL)}, {"CW_LOGIN_LIMIT_WINDOW", int64(c.Auth.Limits.Window)},
		{"CW_SESSION_MAX_AGE_ENTERPRISE", int64(c.Auth.Session.MaxAgeEnterprise)}, {"CW_SESSION_MAX_AGE_STAFF", int64(c.Auth.Session.MaxAgeStaff)},
		{"CW_LOGIN_LIMIT_PER_ACCOUNT_TOTAL", int64(c.Auth.Limits.PerAccountTotal)}, {"CW_WECHAT_LOGIN_LIMIT_PER_IP", int64(c.Auth.Limits.WeChatPerIP)},
		{"CW_CREDIT_PLATFORM_TIMEOUT", int64(c.CreditPlatform.Timeout)}, {"CW_RATING_CACHE_TTL", int64(c.Rating.RatingTTL)},
		{"CW_REPORT_CACHE_TTL", int64(c.Rating.ReportTTL)}, {"CW_RATING_STALE_MAX", int64(c.Rating.StaleMax)},
		{"CW_OUTBOX_POLL_INTERVAL", int64(c.Outbox.PollInterval)}, {"CW_OUTBOX_BASE_BACKOFF", int64(c.Outbox.BaseBackoff)},
		{"CW_OUTBOX_MAX_BACKOFF", int64(c.Outbox.MaxBackoff)}, {"CW_OUTBOX_MAX_ATTEMPTS", int64(c.Outbox.MaxAttempts)},
		{"CW_ARREARS_THRESHOLD_FEN", c.Credit.ArrearsThresholdFen}, {"CW_ARREARS_GRACE_MONTHS", int64(c.Credit.ArrearsGraceMonths)},
		{"CW_EXCELLENT_WINDOW_MONTHS", int64(c.Credit.WindowMonths)},
		{"CW_PUBLICITY_GENERAL_MIN_MONTHS", int64(c.Credit.GeneralPublicityMinMonths)}, {"CW_PUBLICITY_GENERAL_MAX_MONTHS", int64(c.Credit.GeneralPublicityMaxMonths)},
		{"CW_PUBLICITY_SERIOUS_MIN_MONTHS", int64(c.Credit.SeriousPublicityMinMonths)}, {"CW_PUBLICITY_SERIOUS_MAX_MONTHS", int64(c.Credit.SeriousPublicityMaxMonths)},
		{"CW_REPAIR_REVIEW_DAYS", int64(c.Review.RepairReviewDays)}, {"CW_OBJECTION_REVIEW_DAYS", int64(c.Review.ObjectionReviewDays)},
		{"CW_OBJECTION_MAX_EXTENSION_DAYS", int64(c.Review.ObjectionMaxExtensionDays)}, {"CW_EVIDENCE_MAX_BYTES", c.Evidence.MaxBytes},
		{"CW_EVIDENCE_MAX_FILES", int64(c.Evidence.MaxFiles)},
		{"CW_FACE_VALIDITY", int64(c.Face.FaceValidity)}, {"CW_FACE_ATTEMPTS", int64(c.Face.FaceAttempts)}, {"CW_FACE_WINDOW", int64(c.Face.FaceWindow)},
		{"CW_REGISTRY_TIMEOUT", int64(c.Registry.Timeout)},
		{"CW_OA_TIMESTAMP_WINDOW", int64(c.OA.TimestampWindow)},
		{"CW_GRAPHQL_TIMEOUT", int64(c.GraphQL.Timeout)}, {"CW_GRAPHQL_MAX_TOKENS", int64(c.GraphQL.MaxTokens)},
		{"CW_GRAPHQL_MAX_FIELDS", int64(c.GraphQL.MaxFields)}, {"CW_GRAPHQL_MAX_DEPTH", int64(c.GraphQL.MaxDepth)},
		{"CW_APQ_MAX_BYTES", int64(c.GraphQL.APQMaxBytes)},
		{"CW_OUTBOX_LEASE", int64(c.Outbox.Lease)}, {"CW_SHUTDOWN_TIMEOUT", int64(c.HTTP.ShutdownTimeout)},
		{"CW_CREDIT_PLATFORM_BREAKER_FAILURES", int64(c.CreditPlatform.BreakerFailures)}, {"CW_CREDIT_PLATFORM_BREAKER_MIN_REQUESTS", int64(c.CreditPlatform.BreakerMinRequests)},
		{"CW_CREDIT_PLATFORM_BREAKER_WINDOW", int64(c.CreditPlatform.BreakerWindow)}, {"CW_CREDIT_PLATFORM_BREAKER_OPEN", int64(c.CreditPlatform.BreakerOpen)},
	}); err != nil {
		return err
	}
	if c.HTTP.GCPercent != -1 && (c.HTTP.GCPercent < 50 || c.HTTP.GCPercent > 2000) {
		return bad("CW_GC_PERCENT", "must be -1 (off) or between 50 and 2000")
	}
	if c.HTTP.GCMemoryLimit != 0 && c.HTTP.GCMemoryLimit < 32<<20 {
		return bad("CW_GC_MEMORY_LIMIT", "must be 0 (none) or at least 32MiB")
	}
	if err := c.Ops.validate(); err != nil {
		return err
	}
	if err := c.LocalCache.validate(); err != nil {
		return err
	}
	if err := c.Tracing.validate(); err != nil {
		return err
	}
	if c.Auth.Session.CheckCache < 0 || c.Auth.Session.CheckCache > 30*time.Second {
		return bad("CW_SESSION_CHECK_CACHE", "must be between 0 and 30s (a disabled user's sessions work at most this long)")
	}
	for _, k := range []struct{ name, v string }{{"CW_DATA_KEY", c.Storage.DataKey}, {"CW_INDEX_KEY", c.Storage.IndexKey}} {
		if k.v != "" {
			if _, err := pii.ParseKey(k.v); err != nil {
				return bad(k.name, "must be 32 bytes, base64 or hex encoded")
			}
		}
	}
	if k := c.OA.AESKey; k != "" {
		// WeChat's EncodingAESKey: 43 characters, base64 of a 32-byte
		// AES key without its trailing "=".
		if b, err := base64.StdEncoding.DecodeString(k + "="); len(k) != 43 || err != nil || len(b) != 32 {
			return bad("CW_OA_AES_KEY", "must be the official account's 43-character EncodingAESKey (消息加解密密钥)")
		}
	}
	if c.HTTP.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.HTTP.MetricsAddr); err != nil || c.HTTP.MetricsAddr == c.HTTPAddr {
			return bad("CW_METRICS_ADDR", "must be host:port (not CW_HTTP_ADDR), or empty to turn metrics off")
		}
	}
	if _, err := c.TrustedProxyNets(); err != nil {
		return bad("CW_TRUSTED_PROXIES", "must be comma-separated IP addresses or CIDRs: "+err.Error())
	}
	if c.Outbox.Lease < 2*c.CreditPlatform.Timeout {
		// A delivery gets half the lease; it must outlast a platform call.
		return bad("CW_OUTBOX_LEASE", "must be at least twice CW_CREDIT_PLATFORM_TIMEOUT")
	}
	if c.CreditPlatform.BreakerRatio <= 0 || c.CreditPlatform.BreakerRatio > 1 {
		return bad("CW_CREDIT_PLATFORM_BREAKER_RATIO", "must be above 0 and at most 1")
	}
	if c.Credit.GeneralPublicityMinMonths > c.Credit.GeneralPublicityMaxMonths {
		return bad("CW_PUBLICITY_GENERAL_MIN_MONTHS", "must not exceed CW_PUBLICITY_GENERAL_MAX_MONTHS")
	}
	if c.Credit.SeriousPublicityMinMonths > c.Credit.SeriousPublicityMaxMonths {
		return bad("CW_PUBLICITY_SERIOUS_MIN_MONTHS", "must not exceed CW_PUBLICITY_SERIOUS_MAX_MONTHS")
	}
	if err := c.Lifecycle.MaxByKind.checkMinimums(c.Credit.GeneralPublicityMinMonths, c.Credit.SeriousPublicityMinMonths); err != nil {
		return err
	}
	if err := c.Lifecycle.validate(); err != nil {
		return err
	}
	if err := c.SelfService.validate(); err != nil {
		return err
	}
	for _, r := range c.Apply.Ratings {
		if r != "A" && r != "B" && r != "C" && r != "D" {
			return bad("CW_ZERO_DOC_RATINGS", fmt.Sprintf("has %q: ratings are A, B, C or D", r))
		}
	}
	if c.Production() {
		switch {
		case c.Storage.DatabaseURL == "":
			return bad("CW_DATABASE_URL", "is required in production (the embedded SQLite database is for development)")
		case c.Storage.RedisURL == "":
			return bad("CW_REDIS_URL", "is required in production (the in-process Redis is for development)")
		case c.WeChat.Fake:
			return bad("CW_WECHAT_FAKE", "must be false in production")
		case c.WeChat.AppID == "" || c.WeChat.Secret == "":
			return bad("CW_WECHAT_SECRET", "and CW_WECHAT_APPID are required in production")
		case c.CreditPlatform.Simulator:
			return bad("CW_CREDIT_PLATFORM_SIMULATOR", "must be false in production")
		case c.CreditPlatform.URL == "" || c.CreditPlatform.Key == "" || c.CreditPlatform.Secret == "":
			return bad("CW_CREDIT_PLATFORM_URL", "CW_CREDIT_PLATFORM_KEY and CW_CREDIT_PLATFORM_SECRET are required in production")
		case c.Registry.Simulator:
			return bad("CW_REGISTRY_SIMULATOR", "must be false in production")
		case c.Registry.URL == "" || c.Registry.Key == "" || c.Registry.Secret == "":
			return bad("CW_REGISTRY_URL", "CW_REGISTRY_KEY and CW_REGISTRY_SECRET are required in production")
		case c.Storage.DataKey == "" || c.Storage.IndexKey == "":
			return bad("CW_DATA_KEY", "and CW_INDEX_KEY are required in production")
		case c.GraphQL.Playground:
			return bad("CW_PLAYGROUND", "must be false in production")
		case c.DemoData:
			return bad("CW_DEMO_DATA", "must be false in production")
		case c.OA.Token == DemoOAToken:
			return bad("CW_OA_TOKEN", "must not be the demo token in production")
		case c.OA.Token != "" && c.OA.AESKey == "" && !c.OA.AllowPlain:
			// R6.4: plain mode's signature does not cover the body.
			return bad("CW_OA_AES_KEY", "is required in production when CW_OA_TOKEN is set (safe mode); set CW_OA_ALLOW_PLAIN=true to accept unencrypted callbacks anyway")
		}
	}
	return nil
}

// setting is a numeric variable's name and value (durations in
// nanoseconds), for the checks shared by the groups.
type setting struct {
	name string
	v    int64
}

// positive returns the error for the first setting that is not positive.
func positive(settings []setting) error {
	for _, s := range settings {
		if s.v <= 0 {
			return fmt.Errorf("config: %s must be positive", s.name)
		}
	}
	return nil
}

// TrustedProxyNets parses CW_TRUSTED_PROXIES (addresses or CIDRs, spaces
// allowed) into networks. An empty list trusts no proxy. It fails on the
// first entry that is neither an address nor a CIDR.
func (c Config) TrustedProxyNets() ([]net.IPNet, error) {
	var entries []string
	for _, e := range c.HTTP.TrustedProxies {
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
	walk(reflect.ValueOf(c), "", func(name string, f reflect.StructField, v reflect.Value) {
		val := fmt.Sprint(v.Interface())
		if f.Tag.Get("secret") == "true" && !v.IsZero() {
			val = "****"
		}
		fmt.Fprintf(&b, "%s=%s ", name, val)
	})
	return strings.TrimSpace(b.String())
}

// walk calls fn for every field of the struct v that names a variable,
// with the variable's name, descending into nested structs (the groups of
// Config) and prefixing the names below a field tagged envPrefix.
func walk(v reflect.Value, prefix string, fn func(name string, f reflect.StructField, v reflect.Value)) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		switch {
		case f.Tag.Get("env") != "":
			fn(prefix+f.Tag.Get("env"), f, v.Field(i))
		case f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[time.Time]():
			walk(v.Field(i), prefix+f.Tag.Get("envPrefix"), fn)
		}
	}
}

// Vars lists every variable with its default, for documentation and tests.
func Vars() []Var {
	var out []Var
	walk(reflect.ValueOf(Config{}), "", func(name string, f reflect.StructField, _ reflect.Value) {
		out = append(out, Var{Name: name, Default: f.Tag.Get("envDefault"), Secret: f.Tag.Get("secret") == "true"})
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

// varOf returns the variable of the field named field (env's ParseError
// names the Go field), or field itself. Several groups have a field of
// that name (Timeout, Simulator, …): the variable is the one that is set,
// since only a set variable can fail to parse.
func varOf(field string, envMap map[string]string) string {
	name := field
	walk(reflect.ValueOf(Config{}), "", func(v string, f reflect.StructField, _ reflect.Value) {
		if _, set := envMap[v]; f.Name == field && set {
			name = v
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
