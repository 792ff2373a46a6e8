package config_test

import (
	"os"
	"strings"
	"testing"

	"creditwater/config"
)

func TestDefaults(t *testing.T) {
	c, err := config.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" || c.Env != "development" || !c.WeChatFake || c.DatabaseURL != "" {
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
		{[]string{"CW_MAX_BODY_BYTES=0"}, "CW_MAX_BODY_BYTES"},
		{[]string{"CW_DATA_KEY=short"}, "CW_DATA_KEY"},
		{[]string{"CW_OUTBOX_LEASE=8s"}, "CW_OUTBOX_LEASE"}, // less than twice the 5 s platform timeout
		{[]string{"CW_CREDIT_PLATFORM_BREAKER_RATIO=1.5"}, "CW_CREDIT_PLATFORM_BREAKER_RATIO"},
		{[]string{"CW_CREDIT_PLATFORM_BREAKER_FAILURES=0"}, "CW_CREDIT_PLATFORM_BREAKER_FAILURES"},
	} {
		_, err := config.Load(tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %v, want one line naming %s", tc.env, err, tc.want)
		}
	}
}

func TestProductionRefusesDevelopmentConveniences(t *testing.T) {
	base := []string{"CW_ENV=production", "CW_DATABASE_URL=app:pw@tcp(db:3306)/cw", "CW_REDIS_URL=redis://r:6379/0",
		"CW_WECHAT_APPID=wx1", "CW_WECHAT_SECRET=s3cret-value",
		"CW_CREDIT_PLATFORM_URL=https://credit.example", "CW_CREDIT_PLATFORM_KEY=k", "CW_CREDIT_PLATFORM_SECRET=s",
		"CW_DATA_KEY=" + strings.Repeat("ab", 32), "CW_INDEX_KEY=" + strings.Repeat("cd", 32)}
	c, err := config.Load(base)
	if err != nil {
		t.Fatalf("complete production config refused: %v", err)
	}
	if c.Playground || c.WeChatFake || c.DemoData {
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
	c, err := config.Load([]string{"CW_WECHAT_SECRET=topsecret", "CW_DATABASE_URL=root:hunter2@tcp(h:3306)/db"})
	if err != nil {
		t.Fatal(err)
	}
	s := c.String()
	if strings.Contains(s, "topsecret") || strings.Contains(s, "hunter2") || !strings.Contains(s, "CW_WECHAT_SECRET=****") {
		t.Errorf("secrets not masked: %s", s)
	}
}

// R7.4: every setting is documented in the README's configuration table.
func TestEveryVariableIsDocumented_R7_4(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range config.Vars() {
		short := v.Name
		if i := strings.Index(short, "_MIN_MONTHS"); i > 0 && strings.Contains(short, "PUBLICITY") {
			short = short[:i+len("_MIN_MONTHS")]
		}
		if i := strings.Index(short, "_MAX_MONTHS"); i > 0 && strings.Contains(short, "PUBLICITY") {
			short = "_MAX_MONTHS"
		}
		if !strings.Contains(string(readme), "`"+short+"`") && !strings.Contains(string(readme), short) {
			t.Errorf("%s is not in the README", v.Name)
		}
	}
}
