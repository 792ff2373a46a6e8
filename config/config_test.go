package config_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"creditwater/config"
)

func TestDefaults(t *testing.T) {
	c, err := config.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" || c.Env != "development" || !c.WeChat.Fake || c.Storage.DatabaseURL != "" ||
		!c.Registry.Simulator || c.Registry.Timeout != 5*time.Second || c.Registry.URL != "" || c.Storage.RedisMode != "single" {
		t.Fatalf("defaults: %+v", c)
	}
}

// A bad value stops start-up with one line naming the variable.
func TestBadValuesNameTheVariable(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{"CW_SESION_TTL=1h"}, "CW_SESION_TTL"}, // unknown (misspelt) variable
		{[]string{"CW_SESSION_TTL=forever"}, "CW_SESSION_TTL"},
		{[]string{"CW_DB_MAX_OPEN=many"}, "CW_DB_MAX_OPEN"},
		{[]string{"CW_ENV=staging"}, "CW_ENV"},
		{[]string{"CW_LOG_LEVEL=loud"}, "CW_LOG_LEVEL"},
		{[]string{"CW_REDIS_URL=http://x"}, "CW_REDIS_URL"},
		{[]string{"CW_REDIS_URL=http://:s3cret@x"}, "CW_REDIS_URL must be a redis:// or rediss:// URL"},
		{[]string{"CW_REDIS_MODE=replicas"}, "CW_REDIS_MODE"},
		{[]string{"CW_REDIS_MODE=cluster"}, "CW_REDIS_URL is required with CW_REDIS_MODE=cluster"},
		{[]string{"CW_REDIS_PREFIX={cw}:"}, "CW_REDIS_PREFIX"},
		{[]string{"CW_MAX_BODY_BYTES=0"}, "CW_MAX_BODY_BYTES"},
		{[]string{"CW_DATA_KEY=short"}, "CW_DATA_KEY"},
		{[]string{"CW_REGISTRY_TIMEOUT=0s"}, "CW_REGISTRY_TIMEOUT"},
		{[]string{"CW_REGISTRY_SIMULATOR=maybe"}, "CW_REGISTRY_SIMULATOR"},
		// Fields of the same name in two groups: the error names the one set.
		{[]string{"CW_CREDIT_PLATFORM_SIMULATOR=maybe"}, `CW_CREDIT_PLATFORM_SIMULATOR="maybe"`},
		{[]string{"CW_CREDIT_PLATFORM_TIMEOUT=soon"}, `CW_CREDIT_PLATFORM_TIMEOUT="soon"`},
		{[]string{"CW_WECHAT_TIMEOUT=soon"}, `CW_WECHAT_TIMEOUT="soon"`},
		{[]string{"CW_TRUSTED_PROXIES=10.0.0.0/8,proxy.internal"}, "CW_TRUSTED_PROXIES"},
		{[]string{"CW_TRUSTED_PROXIES=10.0.0.0/33"}, "CW_TRUSTED_PROXIES"},
		{[]string{"CW_METRICS_ADDR=9090"}, "CW_METRICS_ADDR"},
		{[]string{"CW_OUTBOX_LEASE=8s"}, "CW_OUTBOX_LEASE"}, // less than twice the 5 s platform timeout
		{[]string{"CW_CREDIT_PLATFORM_BREAKER_RATIO=1.5"}, "CW_CREDIT_PLATFORM_BREAKER_RATIO"},
		{[]string{"CW_CREDIT_PLATFORM_BREAKER_FAILURES=0"}, "CW_CREDIT_PLATFORM_BREAKER_FAILURES"},
		{[]string{"CW_DATABASE_REPLICA_URLS=replica.internal:3306"}, "CW_DATABASE_REPLICA_URLS"},
		{[]string{"CW_DB_REPLICA_MAX_OPEN=0"}, "CW_DB_REPLICA_MAX_OPEN"},
		{[]string{"CW_GC_PERCENT=10"}, "CW_GC_PERCENT"},
		{[]string{"CW_GC_PERCENT=-2"}, "CW_GC_PERCENT"},
		{[]string{"CW_GC_PERCENT=often"}, "CW_GC_PERCENT"},
		{[]string{"CW_GC_MEMORY_LIMIT=lots"}, "CW_GC_MEMORY_LIMIT"},
		{[]string{"CW_GC_MEMORY_LIMIT=1MiB"}, "CW_GC_MEMORY_LIMIT"},
	} {
		_, err := config.Load(tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %v, want one line naming %s", tc.env, err, tc.want)
		}
	}
}

// CW_TRUSTED_PROXIES takes addresses and CIDRs with spaces; empty trusts
// none. CW_METRICS_ADDR defaults to loopback.
func TestTrustedProxies(t *testing.T) {
	c, err := config.Load([]string{"CW_TRUSTED_PROXIES=10.0.0.0/8, 192.168.1.7 ,::1"})
	if err != nil {
		t.Fatal(err)
	}
	nets, err := c.TrustedProxyNets()
	if err != nil || len(nets) != 3 || nets[1].String() != "192.168.1.7/32" || nets[2].String() != "::1/128" {
		t.Fatalf("nets %v, %v", nets, err)
	}
	if c, err = config.Load(nil); err != nil {
		t.Fatal(err)
	}
	if nets, err := c.TrustedProxyNets(); err != nil || len(nets) != 0 || c.HTTP.MetricsAddr != "127.0.0.1:9090" {
		t.Fatalf("defaults: nets %v, metrics %q, %v", nets, c.HTTP.MetricsAddr, err)
	}
	// CW_METRICS_ADDR set but empty turns the metrics listener off.
	if c, err = config.Load([]string{"CW_METRICS_ADDR="}); err != nil || c.HTTP.MetricsAddr != "" {
		t.Fatalf("empty CW_METRICS_ADDR: %q, %v", c.HTTP.MetricsAddr, err)
	}
}

// CW_DATABASE_REPLICA_URLS is a comma-separated list, masked in logs.
func TestReplicaURLs(t *testing.T) {
	c, err := config.Load([]string{"CW_DATABASE_REPLICA_URLS=app:s3cret@tcp(r1:3306)/cw,mysql://app:s3cret@r2:3306/cw"})
	if err != nil || len(c.Storage.ReplicaURLs) != 2 || c.Storage.ReplicaURLs[1] != "mysql://app:s3cret@r2:3306/cw" {
		t.Fatalf("replicas %q, %v", c.Storage.ReplicaURLs, err)
	}
	if strings.Contains(c.String(), "s3cret") || !strings.Contains(c.String(), "CW_DATABASE_REPLICA_URLS=****") {
		t.Fatalf("replica URLs must be masked: %s", c.String())
	}
	if c, err = config.Load(nil); err != nil || len(c.Storage.ReplicaURLs) != 0 || c.Storage.ReplicaMaxOpen != 20 || c.Storage.ReplicaMaxIdle != 10 ||
		!strings.Contains(c.String(), "CW_DATABASE_REPLICA_URLS=[] ") {
		t.Fatalf("defaults: %+v, %v", c.Storage, err)
	}
}

func TestProductionRefusesDevelopmentConveniences(t *testing.T) {
	base := []string{"CW_ENV=production", "CW_DATABASE_URL=app:pw@tcp(db:3306)/cw", "CW_REDIS_URL=redis://r:6379/0",
		"CW_WECHAT_APPID=wx1", "CW_WECHAT_SECRET=s3cret-value",
		"CW_CREDIT_PLATFORM_URL=https://credit.example", "CW_CREDIT_PLATFORM_KEY=k", "CW_CREDIT_PLATFORM_SECRET=s",
		"CW_REGISTRY_URL=https://registry.example", "CW_REGISTRY_KEY=rk", "CW_REGISTRY_SECRET=rs",
		"CW_DATA_KEY=" + strings.Repeat("ab", 32), "CW_INDEX_KEY=" + strings.Repeat("cd", 32)}
	c, err := config.Load(base)
	if err != nil {
		t.Fatalf("complete production config refused: %v", err)
	}
	if c.GraphQL.Playground || c.WeChat.Fake || c.DemoData || c.CreditPlatform.Simulator || c.Registry.Simulator {
		t.Errorf("production defaults keep development conveniences: %+v", c)
	}
	for _, tc := range []struct{ drop, add, want string }{
		{"CW_DATABASE_URL", "", "CW_DATABASE_URL"},
		{"CW_REDIS_URL", "", "CW_REDIS_URL"},
		{"CW_WECHAT_SECRET", "", "CW_WECHAT_SECRET"},
		{"CW_DATA_KEY", "", "CW_DATA_KEY"},
		{"", "CW_WECHAT_FAKE=true", "CW_WECHAT_FAKE"},
		{"", "CW_PLAYGROUND=true", "CW_PLAYGROUND"},
		{"", "CW_CREDIT_PLATFORM_SIMULATOR=true", "CW_CREDIT_PLATFORM_SIMULATOR"},
		{"CW_CREDIT_PLATFORM_SECRET", "", "CW_CREDIT_PLATFORM_SECRET"},
		{"", "CW_REGISTRY_SIMULATOR=true", "CW_REGISTRY_SIMULATOR"},
		{"CW_REGISTRY_URL", "", "CW_REGISTRY_URL"},
		{"CW_REGISTRY_KEY", "", "CW_REGISTRY_KEY"},
		{"CW_REGISTRY_SECRET", "", "CW_REGISTRY_SECRET"},
	} {
		var env []string
		for _, kv := range base {
			if tc.drop == "" || !strings.HasPrefix(kv, tc.drop+"=") {
				env = append(env, kv)
			}
		}
		if tc.add != "" {
			env = append(env, tc.add)
		}
		if _, err := config.Load(env); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("drop %s add %s: %v, want error naming %s", tc.drop, tc.add, err, tc.want)
		}
	}
}

func TestStringMasksSecrets(t *testing.T) {
	c, err := config.Load([]string{"CW_WECHAT_SECRET=topsecret", "CW_DATABASE_URL=root:hunter2@tcp(h:3306)/db", "CW_REGISTRY_SECRET=regsecret"})
	if err != nil {
		t.Fatal(err)
	}
	s := c.String()
	if strings.Contains(s, "topsecret") || strings.Contains(s, "hunter2") || strings.Contains(s, "regsecret") ||
		!strings.Contains(s, "CW_WECHAT_SECRET=****") || !strings.Contains(s, "CW_REGISTRY_SECRET=****") {
		t.Errorf("secrets not masked: %s", s)
	}
}

// The demo official-account token makes /wechat/oa answer on the embedded
// defaults (R6.4); production has no default token and refuses the demo one.
// CW_NEW_PASSWORD, read by `user create`, is not refused as unknown.
func TestDemoOATokenAndCommandVariables_R6_4(t *testing.T) {
	c, err := config.Load([]string{"CW_NEW_PASSWORD=x"})
	if err != nil || c.OA.Token != config.DemoOAToken {
		t.Fatalf("development: token %q, %v", c.OA.Token, err)
	}
	prod := []string{"CW_ENV=production", "CW_DATABASE_URL=app:pw@tcp(db:3306)/cw", "CW_REDIS_URL=redis://r:6379/0",
		"CW_WECHAT_APPID=wx1", "CW_WECHAT_SECRET=s3cret-value",
		"CW_CREDIT_PLATFORM_URL=https://credit.example", "CW_CREDIT_PLATFORM_KEY=k", "CW_CREDIT_PLATFORM_SECRET=s",
		"CW_REGISTRY_URL=https://registry.example", "CW_REGISTRY_KEY=rk", "CW_REGISTRY_SECRET=rs",
		"CW_DATA_KEY=" + strings.Repeat("ab", 32), "CW_INDEX_KEY=" + strings.Repeat("cd", 32)}
	if c, err = config.Load(prod); err != nil || c.OA.Token != "" {
		t.Fatalf("production: token %q, %v; want none", c.OA.Token, err)
	}
	demo := append(prod[:len(prod):len(prod)], "CW_OA_TOKEN="+config.DemoOAToken, "CW_OA_AES_KEY="+strings.Repeat("a", 43))
	if _, err = config.Load(demo); err == nil || !strings.Contains(err.Error(), "CW_OA_TOKEN") {
		t.Fatalf("production with the demo token: %v, want an error naming CW_OA_TOKEN", err)
	}
}

// R6.4: in production the official account's callback needs safe mode
// (CW_OA_AES_KEY) unless plain mode is explicitly allowed; the timestamp
// window must be positive.
func TestOfficialAccountCallbackSettings_R6_4(t *testing.T) {
	base := []string{"CW_ENV=production", "CW_DATABASE_URL=app:pw@tcp(db:3306)/cw", "CW_REDIS_URL=redis://r:6379/0",
		"CW_WECHAT_APPID=wx1", "CW_WECHAT_SECRET=s3cret-value",
		"CW_CREDIT_PLATFORM_URL=https://credit.example", "CW_CREDIT_PLATFORM_KEY=k", "CW_CREDIT_PLATFORM_SECRET=s",
		"CW_REGISTRY_URL=https://registry.example", "CW_REGISTRY_KEY=rk", "CW_REGISTRY_SECRET=rs",
		"CW_DATA_KEY=" + strings.Repeat("ab", 32), "CW_INDEX_KEY=" + strings.Repeat("cd", 32), "CW_OA_TOKEN=tok"}
	aesKey := "CW_OA_AES_KEY=" + strings.Repeat("a", 43)
	tests := []struct {
		env       []string
		wantErr   string
		wantPlain bool
	}{
		{env: base, wantErr: "CW_OA_AES_KEY"},
		{env: append(base[:len(base):len(base)], aesKey)},
		{env: append(base[:len(base):len(base)], "CW_OA_ALLOW_PLAIN=true"), wantPlain: true},
		{env: append(base[:len(base):len(base)], aesKey, "CW_OA_TIMESTAMP_WINDOW=0s"), wantErr: "CW_OA_TIMESTAMP_WINDOW"},
		{env: []string{"CW_OA_TOKEN=tok"}, wantPlain: true}, // development
		// The key must be a WeChat EncodingAESKey, in any environment.
		{env: []string{"CW_OA_TOKEN=tok", "CW_OA_AES_KEY=" + strings.Repeat("a", 42)}, wantErr: "CW_OA_AES_KEY"},
		{env: []string{"CW_OA_TOKEN=tok", "CW_OA_AES_KEY=" + strings.Repeat("a", 42) + "!"}, wantErr: "CW_OA_AES_KEY"},
		{env: append(base[:len(base):len(base)], "CW_OA_AES_KEY="+strings.Repeat("a", 44)), wantErr: "CW_OA_AES_KEY"},
	}
	for _, tt := range tests {
		c, err := config.Load(tt.env)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: error %v, want one naming %s", tt.env[len(tt.env)-1], err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tt.env[len(tt.env)-1], err)
			continue
		}
		if c.OA.AllowPlain != tt.wantPlain || c.OA.TimestampWindow != 5*time.Minute {
			t.Errorf("%v: allow plain %v window %v, want %v 5m", tt.env[len(tt.env)-1], c.OA.AllowPlain, c.OA.TimestampWindow, tt.wantPlain)
		}
	}
}

// R7.4: tracing is configuration, off by default; its endpoint, ratio and
// service name are checked at start-up and its headers are a secret.
func TestR7_4_TracingConfig(t *testing.T) {
	c, err := config.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Tracing.Enabled() || c.Tracing.ServiceName != "creditwater" || c.Tracing.SampleRatio != 0.1 {
		t.Fatalf("tracing defaults: %+v", c.Tracing)
	}
	if !strings.Contains(c.String(), "CW_OTEL_HEADERS=map[]") {
		t.Errorf("no headers are shown as a masked secret: %s", c.String())
	}
	c, err = config.Load([]string{"CW_OTEL_ENDPOINT=https://otel.example:4318", "CW_OTEL_SAMPLE_RATIO=1",
		"CW_OTEL_HEADERS=Authorization=Basic dXNlcjpwYXNz==,X-Tenant=water"})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Tracing.Enabled() || c.Tracing.SampleRatio != 1 || c.Tracing.Headers["Authorization"] != "Basic dXNlcjpwYXNz==" || c.Tracing.Headers["X-Tenant"] != "water" {
		t.Fatalf("tracing: %+v", c.Tracing)
	}
	if strings.Contains(c.String(), "dXNlcjpwYXNz") || !strings.Contains(c.String(), "CW_OTEL_HEADERS=****") {
		t.Errorf("the headers are logged: %s", c.String())
	}
	for _, tc := range []struct{ env, want string }{
		{"CW_OTEL_SAMPLE_RATIO=1.5", "CW_OTEL_SAMPLE_RATIO"},
		{"CW_OTEL_SAMPLE_RATIO=-0.1", "CW_OTEL_SAMPLE_RATIO"},
		{"CW_OTEL_ENDPOINT=collector:4318", "CW_OTEL_ENDPOINT"},
		{"CW_OTEL_ENDPOINT=http://user:secret@collector:4318", "CW_OTEL_ENDPOINT"},
	} {
		_, err := config.Load([]string{tc.env, "CW_OTEL_SERVICE_NAME=x"})
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: %v", tc.env, err)
		}
	}
	if _, err := config.Load([]string{"CW_OTEL_ENDPOINT=http://collector:4318", "CW_OTEL_SERVICE_NAME= "}); err == nil || !strings.Contains(err.Error(), "CW_OTEL_SERVICE_NAME") {
		t.Errorf("empty service name: %v", err)
	}
}

// The credit platform and the registry share the Upstream group, each
// under its own prefix: CW_CREDIT_PLATFORM_URL sets only the platform's.
func TestUpstreamsReadTheirOwnPrefix(t *testing.T) {
	c, err := config.Load([]string{"CW_CREDIT_PLATFORM_URL=https://credit.example", "CW_CREDIT_PLATFORM_TIMEOUT=7s",
		"CW_REGISTRY_KEY=rk", "CW_REGISTRY_SIMULATOR=false"})
	if err != nil {
		t.Fatal(err)
	}
	cp, reg := c.CreditPlatform.Upstream, c.Registry.Upstream
	if cp.URL != "https://credit.example" || cp.Timeout != 7*time.Second || cp.Key != "" || !cp.Simulator ||
		reg.URL != "" || reg.Timeout != 5*time.Second || reg.Key != "rk" || reg.Simulator {
		t.Fatalf("credit platform %+v, registry %+v", cp, reg)
	}
	var names []string
	for _, v := range config.Vars() {
		names = append(names, v.Name)
	}
	for _, want := range []string{"CW_CREDIT_PLATFORM_URL", "CW_CREDIT_PLATFORM_SECRET", "CW_REGISTRY_URL", "CW_REGISTRY_TIMEOUT"} {
		if !slices.Contains(names, want) {
			t.Errorf("Vars() lacks %s", want)
		}
	}
}
