package config

import (
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
)

// Storage is the database and Redis (and the keys that seal personal data
// stored in them).
type Storage struct {
	DatabaseURL    string        `env:"CW_DATABASE_URL" secret:"true"`
	DBMaxOpen      int           `env:"CW_DB_MAX_OPEN" envDefault:"20"`
	DBMaxIdle      int           `env:"CW_DB_MAX_IDLE" envDefault:"10"`
	DBConnLifetime time.Duration `env:"CW_DB_CONN_MAX_LIFETIME" envDefault:"30m"`
	// ReplicaURLs are read replicas of the MySQL database (DSNs or mysql://
	// URLs, comma-separated); empty = none. Lists and reports read from them
	// (store.ReadReplica); ignored on the embedded SQLite database.
	ReplicaURLs    []string `env:"CW_DATABASE_REPLICA_URLS" secret:"true"`
	ReplicaMaxOpen int      `env:"CW_DB_REPLICA_MAX_OPEN" envDefault:"20"`
	ReplicaMaxIdle int      `env:"CW_DB_REPLICA_MAX_IDLE" envDefault:"10"`
	RedisURL       string   `env:"CW_REDIS_URL" secret:"true"`
	// RedisMode is how CW_REDIS_URL is read: single (one server), cluster
	// (Redis Cluster seed nodes) or sentinel (Sentinels and a master name).
	RedisMode      string `env:"CW_REDIS_MODE" envDefault:"single"`
	RedisPrefix    string `env:"CW_REDIS_PREFIX" envDefault:"cw:"`
	MigrateOnServe bool   `env:"CW_MIGRATE_ON_SERVE" envDefault:"true"`
	// CountCacheTTL is how long a list's capped totalCount stays in Redis
	// while no write to its table happens (a write makes it stale at
	// once); 0 counts on every request.
	CountCacheTTL time.Duration `env:"CW_COUNT_CACHE_TTL" envDefault:"30s"`
	// Data protection: 32-byte keys, base64 or hex. In development they are
	// derived from a key file generated into the data dir.
	DataKey  string `env:"CW_DATA_KEY" secret:"true"`
	IndexKey string `env:"CW_INDEX_KEY" secret:"true"`
}

// validateRedis checks the Redis mode, the URL's scheme and the key
// prefix; store.OpenRedis parses the rest of the URL with go-redis.
func (s Storage) validateRedis() error {
	switch s.RedisMode {
	case "single", "cluster", "sentinel":
	default:
		return fmt.Errorf("config: CW_REDIS_MODE=%q: want single, cluster or sentinel", s.RedisMode)
	}
	if s.RedisURL == "" && s.RedisMode != "single" {
		return fmt.Errorf("config: CW_REDIS_URL is required with CW_REDIS_MODE=%s (the in-process Redis is a single server)", s.RedisMode)
	}
	if s.RedisURL != "" {
		if u, err := url.Parse(s.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			return fmt.Errorf("config: CW_REDIS_URL must be a redis:// or rediss:// URL")
		}
	}
	if s.CountCacheTTL < 0 || s.CountCacheTTL > 10*time.Minute {
		return fmt.Errorf("config: CW_COUNT_CACHE_TTL must be between 0 and 10m")
	}
	if strings.ContainsAny(s.RedisPrefix, "{}") {
		// A hash tag in the prefix would put every key on one cluster slot
		// and hide the keys' own tags.
		return fmt.Errorf("config: CW_REDIS_PREFIX must not contain { or } (Redis Cluster hash tags)")
	}
	return nil
}

// HTTP is the listeners and request limits.
type HTTP struct {
	MaxBodyBytes    int64         `env:"CW_MAX_BODY_BYTES" envDefault:"1048576"`
	MaxUploadBytes  int64         `env:"CW_MAX_UPLOAD_BYTES" envDefault:"10485760"`
	ShutdownTimeout time.Duration `env:"CW_SHUTDOWN_TIMEOUT" envDefault:"15s"`
	// TrustedProxies are the load balancers (CIDRs or addresses) whose
	// X-Forwarded-For is believed; empty trusts none.
	TrustedProxies []string `env:"CW_TRUSTED_PROXIES"`
	// MetricsAddr is the listen address of /metrics; empty turns it off.
	MetricsAddr string `env:"CW_METRICS_ADDR" envDefault:"127.0.0.1:9090"`
	// Pprof adds Go's profiler (/debug/pprof/) to the metrics listener,
	// never to the public one; off unless set.
	Pprof bool `env:"CW_PPROF" envDefault:"false"`
	// GCPercent is the Go garbage collector's target (GOGC) of `serve`:
	// the heap may grow by this percentage of the live heap before a
	// collection. The live heap of a request-serving instance is small
	// (about 10 MiB), so Go's 100 collects many times a second under load;
	// 400 collects a quarter as often. -1 turns the collector off (then set
	// GOMEMLIMIT). GOGC in the environment, when set, wins.
	GCPercent int `env:"CW_GC_PERCENT" envDefault:"400"`
	// GCMemoryLimit is the soft memory limit of `serve` (GOMEMLIMIT): past
	// it the collector runs as often as it must to stay near it, whatever
	// GCPercent says. With a small live heap (serving requests) the 400
	// target governs; with a large one (a billing import in the queue's
	// worker: some 60 MiB live) the limit does, so that an import's peak
	// stays what bench/import measures. 0 = none. GOMEMLIMIT in the
	// environment, when set, wins (the Deployment sets it from the pod's
	// memory).
	GCMemoryLimit ByteSize `env:"CW_GC_MEMORY_LIMIT" envDefault:"140MiB"`
}

// ByteSize is a size in bytes read as Go's GOMEMLIMIT writes it ("140MiB",
// "1GiB", "150000000"; go-humanize's parser).
type ByteSize int64

// UnmarshalText parses a size.
func (b *ByteSize) UnmarshalText(text []byte) error {
	n, err := humanize.ParseBytes(string(text))
	if err != nil || n > math.MaxInt64 {
		return fmt.Errorf("want a size such as 140MiB")
	}
	*b = ByteSize(n)
	return nil
}

// String writes the size in IEC units.
func (b ByteSize) String() string { return humanize.IBytes(uint64(b)) }

// GraphQL is the GraphQL handler's limits (R7.3) and the playground.
type GraphQL struct {
	ComplexityLimit int           `env:"CW_GRAPHQL_COMPLEXITY_LIMIT" envDefault:"10000"`
	Playground      bool          `env:"CW_PLAYGROUND" envDefault:"true"`
	APQTTL          time.Duration `env:"CW_APQ_TTL" envDefault:"24h"`
	// Query cost before validation, the per-request deadline and the
	// persisted-query size cap (R7.3).
	Timeout     time.Duration `env:"CW_GRAPHQL_TIMEOUT" envDefault:"30s"`
	MaxTokens   int           `env:"CW_GRAPHQL_MAX_TOKENS" envDefault:"5000"`
	MaxFields   int           `env:"CW_GRAPHQL_MAX_FIELDS" envDefault:"500"`
	MaxDepth    int           `env:"CW_GRAPHQL_MAX_DEPTH" envDefault:"20"`
	APQMaxBytes int           `env:"CW_APQ_MAX_BYTES" envDefault:"16384"`
}

// Auth is sessions and login limits (R7.1), passed whole to package auth.
type Auth struct {
	Session Session
	Limits  LoginLimits
}

// Session is the lifetime of sessions: a sliding idle TTL, an absolute
// lifetime per role on top, and how long a user's state (role, disabled,
// session generation) may be cached in-process (0 = read every time).
type Session struct {
	IdleTTL          time.Duration `env:"CW_SESSION_TTL" envDefault:"2h"`
	MaxAgeEnterprise time.Duration `env:"CW_SESSION_MAX_AGE_ENTERPRISE" envDefault:"24h"`
	MaxAgeStaff      time.Duration `env:"CW_SESSION_MAX_AGE_STAFF" envDefault:"12h"`
	CheckCache       time.Duration `env:"CW_SESSION_CHECK_CACHE" envDefault:"5s"`
}

// LoginLimits are the login failure budgets: per account from one client,
// per account across all clients (clients that logged into the account
// lately are exempt), per client IP, and wechatLogin's own per-IP budget,
// each within Window.
type LoginLimits struct {
	PerAccount      int           `env:"CW_LOGIN_LIMIT_PER_ACCOUNT" envDefault:"5"`
	PerAccountTotal int           `env:"CW_LOGIN_LIMIT_PER_ACCOUNT_TOTAL" envDefault:"50"`
	PerIP           int           `env:"CW_LOGIN_LIMIT_PER_IP" envDefault:"30"`
	WeChatPerIP     int           `env:"CW_WECHAT_LOGIN_LIMIT_PER_IP" envDefault:"300"`
	Window          time.Duration `env:"CW_LOGIN_LIMIT_WINDOW" envDefault:"15m"`
}

// Face is face verification (人脸核身): how long a pass authorises
// sensitive actions, and the attempts per user per window.
type Face struct {
	FaceValidity time.Duration `env:"CW_FACE_VALIDITY" envDefault:"30m"`
	FaceAttempts int           `env:"CW_FACE_ATTEMPTS" envDefault:"5"`
	FaceWindow   time.Duration `env:"CW_FACE_WINDOW" envDefault:"10m"`
}
