package config

import "time"

// WeChat is the mini-program's WeChat API. Fake serves it from wechat/fake.
type WeChat struct {
	AppID   string        `env:"CW_WECHAT_APPID" envDefault:"wx00000000000000a1"`
	Secret  string        `env:"CW_WECHAT_SECRET" secret:"true"`
	Fake    bool          `env:"CW_WECHAT_FAKE" envDefault:"true"`
	BaseURL string        `env:"CW_WECHAT_BASE_URL"`
	Timeout time.Duration `env:"CW_WECHAT_TIMEOUT" envDefault:"5s"`
}

// OfficialAccount is the WeChat official account (公众号, R6.4). The
// callback endpoint /wechat/oa is served when Token is set (outside
// production it defaults to DemoOAToken; in production it has no default);
// AESKey enables safe (encrypted) mode; MenuFile overrides the embedded
// menu. TimestampWindow bounds how far a callback's timestamp may be from
// now (and how long its nonce is remembered). AllowPlain accepts plain-mode
// callbacks when no AESKey is set; it defaults to false in production,
// where the key or an explicit true is required.
type OfficialAccount struct {
	AppID           string        `env:"CW_OA_APPID" envDefault:"wx00000000000000b2"`
	Secret          string        `env:"CW_OA_SECRET" secret:"true"`
	Token           string        `env:"CW_OA_TOKEN" envDefault:"creditwater-demo-oa-token" secret:"true"`
	AESKey          string        `env:"CW_OA_AES_KEY" secret:"true"`
	MenuFile        string        `env:"CW_OA_MENU_FILE"`
	TimestampWindow time.Duration `env:"CW_OA_TIMESTAMP_WINDOW" envDefault:"5m"`
	AllowPlain      bool          `env:"CW_OA_ALLOW_PLAIN" envDefault:"true"`
}

// CreditPlatform is the city credit platform 信用中国（广东韶关）. Simulator
// serves it from the in-process simulator. The client's circuit breaker
// opens after BreakerFailures consecutive failures (timeouts included), or
// when BreakerRatio of at least BreakerMinRequests requests within
// BreakerWindow failed, and fails fast for BreakerOpen.
type CreditPlatform struct {
	Upstream           `envPrefix:"CW_CREDIT_PLATFORM_"`
	Name               string        `env:"CW_CREDIT_PLATFORM_NAME" envDefault:"信用中国（广东韶关）"`
	BreakerFailures    int           `env:"CW_CREDIT_PLATFORM_BREAKER_FAILURES" envDefault:"3"`
	BreakerRatio       float64       `env:"CW_CREDIT_PLATFORM_BREAKER_RATIO" envDefault:"0.5"`
	BreakerMinRequests int           `env:"CW_CREDIT_PLATFORM_BREAKER_MIN_REQUESTS" envDefault:"10"`
	BreakerWindow      time.Duration `env:"CW_CREDIT_PLATFORM_BREAKER_WINDOW" envDefault:"30s"`
	BreakerOpen        time.Duration `env:"CW_CREDIT_PLATFORM_BREAKER_OPEN" envDefault:"30s"`
}

// Rating is the caching of ratings and reports (R6.2), passed whole to
// package rating.
type Rating struct {
	RatingTTL time.Duration `env:"CW_RATING_CACHE_TTL" envDefault:"24h"`
	ReportTTL time.Duration `env:"CW_REPORT_CACHE_TTL" envDefault:"1h"`
	StaleMax  time.Duration `env:"CW_RATING_STALE_MAX" envDefault:"168h"`
}

// Registry is the enterprise registry 企业登记信息 (R6.5), its own authority
// and adapter.
type Registry struct {
	Upstream `envPrefix:"CW_REGISTRY_"`
}

// Upstream is how to reach a signed API (package apisign): its URL, app key
// and secret, the timeout of a call, and whether the in-process simulator
// serves it (when no URL is set). A group embeds it under its variables'
// prefix (envPrefix), e.g. CW_REGISTRY_URL.
type Upstream struct {
	URL       string        `env:"URL"`
	Key       string        `env:"KEY"`
	Secret    string        `env:"SECRET" secret:"true"`
	Timeout   time.Duration `env:"TIMEOUT" envDefault:"5s"`
	Simulator bool          `env:"SIMULATOR" envDefault:"true"`
}
