package wechat

import (
	"testing"
	"time"
)

func TestTokenCache(t *testing.T) {
	e := newEnv(t)
	c := NewTokenCache(e.rdb, e.prefix)
	tests := []struct {
		name    string
		do      func(t *testing.T)
		key     string
		want    any // Get's result
		wantTTL time.Duration
	}{
		{name: "missing key reads nil", do: func(t *testing.T) {}, key: "missing", want: nil},
		{name: "string round trip", do: func(t *testing.T) {
			if err := c.Set("tok", "abc", time.Minute); err != nil {
				t.Fatal(err)
			}
		}, key: "tok", want: "abc", wantTTL: time.Minute},
		{name: "non-string stored as text", do: func(t *testing.T) {
			if err := c.Set("num", 42, time.Minute); err != nil {
				t.Fatal(err)
			}
		}, key: "num", want: "42", wantTTL: time.Minute},
		{name: "zero TTL stores nothing", do: func(t *testing.T) {
			if err := c.Set("zero", "x", 0); err != nil {
				t.Fatal(err)
			}
		}, key: "zero", want: nil},
		{name: "negative TTL removes the old value", do: func(t *testing.T) {
			_ = c.Set("neg", "old", time.Minute)
			if err := c.Set("neg", "new", -time.Second); err != nil {
				t.Fatal(err)
			}
		}, key: "neg", want: nil},
		{name: "delete", do: func(t *testing.T) {
			_ = c.Set("del", "x", time.Minute)
			if err := c.Delete("del"); err != nil {
				t.Fatal(err)
			}
		}, key: "del", want: nil},
		{name: "wrong Redis type reads nil", do: func(t *testing.T) {
			e.mr.HSet(e.prefix+"hash", "f", "v")
		}, key: "hash", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.do(t)
			got := c.Get(tt.key)
			if got != tt.want {
				t.Errorf("Get = %#v, want %#v", got, tt.want)
			}
			if exists := c.IsExist(tt.key); exists != (tt.want != nil || tt.key == "hash") {
				t.Errorf("IsExist = %v", exists)
			}
			if tt.wantTTL != 0 {
				if ttl := e.mr.TTL(e.prefix + tt.key); ttl != tt.wantTTL {
					t.Errorf("TTL = %v, want %v", ttl, tt.wantTTL)
				}
				if !e.mr.Exists(e.prefix + tt.key) {
					t.Errorf("key not stored under the prefix")
				}
			}
		})
	}
}
