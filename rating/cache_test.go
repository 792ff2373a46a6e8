package rating_test

import (
	"context"
	"testing"
	"time"

	"creditwater/rating"
	"creditwater/store/storetest"
)

// R6.2: the cache format is versioned. An entry in an older (or newer)
// format — the unversioned wire DTO of version 1, an envelope of another
// version, garbage, another enterprise's entry — is a miss: the platform is
// asked, the caller gets no error, and the entry is replaced by the current
// format.
func TestOtherCacheFormatsAreMisses_R6_2(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	p := newFakePlatform()
	c := newClock()
	svc := newService(t, p, rdb, prefix, c)
	ctx := context.Background()
	fresh := c.now().Format(time.RFC3339)
	ratingKey := prefix + "credit:rating:v2:" + usccB
	// Each claims D, fetched just now: served from the cache, it would win.
	for name, raw := range map[string]string{
		"v1 wire DTO":      `{"uscc":"` + usccB + `","rating":"D","evaluatedAt":"2026-11-01T00:00:00Z","fetchedAt":"` + fresh + `"}`,
		"v1 envelope":      `{"v":1,"value":{"uscc":"` + usccB + `","level":"D","evaluatedAt":"2026-11-01T00:00:00Z","fetchedAt":"` + fresh + `"}}`,
		"v3 envelope":      `{"v":3,"value":{"uscc":"` + usccB + `","level":"D","evaluatedAt":"2026-11-01T00:00:00Z","fetchedAt":"` + fresh + `"}}`,
		"not JSON":         `D`,
		"another USCC":     `{"v":2,"value":{"uscc":"` + usccD + `","level":"D","evaluatedAt":"2026-11-01T00:00:00Z","fetchedAt":"` + fresh + `"}}`,
		"level outside AD": `{"v":2,"value":{"uscc":"` + usccB + `","level":"E","evaluatedAt":"2026-11-01T00:00:00Z","fetchedAt":"` + fresh + `"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			if err := rdb.Set(ctx, ratingKey, raw, time.Hour).Err(); err != nil {
				t.Fatal(err)
			}
			calls := p.ratingCalls.Load()
			r, err := svc.Rating(ctx, usccB)
			if err != nil || r.Level != rating.LevelB || r.Stale {
				t.Fatalf("rating over a %s entry: %+v, %v; want B from the platform", name, r, err)
			}
			if p.ratingCalls.Load() != calls+1 {
				t.Fatalf("a %s entry was not a miss: %d platform calls", name, p.ratingCalls.Load()-calls)
			}
			if got, _ := rdb.Get(ctx, ratingKey).Result(); got == raw {
				t.Fatalf("the %s entry was not replaced", name)
			}
		})
	}
	// The entry of the version-1 key (as an earlier release wrote it) is
	// not read at all.
	if err := rdb.Set(ctx, prefix+"credit:rating:"+usccA, `{"uscc":"`+usccA+`","rating":"D","fetchedAt":"`+fresh+`"}`, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if r, err := svc.Rating(ctx, usccA); err != nil || r.Level != rating.LevelA {
		t.Fatalf("rating beside a version-1 key: %+v, %v", r, err)
	}

	// Reports likewise: the wire DTO under the report key is a miss.
	reportKey := prefix + "credit:report:v2:" + usccC
	if err := rdb.Set(ctx, reportKey, `{"reportNo":"OLD","uscc":"`+usccC+`","rating":"A","entries":[]}`, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	rep, err := svc.Report(ctx, usccC, "测试")
	if err != nil || rep.ReportNo == "OLD" || rep.Level != rating.LevelC || p.reportCalls.Load() != 1 {
		t.Fatalf("report over a version-1 entry: %+v, %v, %d calls", rep, err, p.reportCalls.Load())
	}
	if _, err := svc.Report(ctx, usccC, "测试"); err != nil || p.reportCalls.Load() != 1 {
		t.Fatalf("the replaced report entry was not served: %v, %d calls", err, p.reportCalls.Load())
	}
}

// The cache format of version 2, byte for byte. When this test fails
// because Rating's or Report's JSON form changed, bump cacheVersion (and the
// keys here): instances of the previous release would misread the entries.
func TestCacheFormatPinned(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	svc := newService(t, newFakePlatform(), rdb, prefix, newClock())
	ctx := context.Background()
	if _, err := svc.Rating(ctx, usccA); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Report(ctx, usccC, "测试"); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"credit:rating:v2:" + usccA: `{"v":2,"value":{"uscc":"914403001922038216","level":"A","evaluatedAt":"2026-11-01T00:00:00Z","fetchedAt":"2026-11-26T10:00:00Z"}}`,
		"credit:report:v2:" + usccC: `{"v":2,"value":{"reportNo":"SGXYBG-91440224MA4X8N1P16","subjectName":"测试企业","uscc":"91440224MA4X8N1P16","level":"C",` +
			`"entries":[{"kind":"欠缴水费","description":"欠缴水费超过三个月","decidedOn":"2025-03-01","authority":"韶关市水务局","documentNo":"韶水罚〔2025〕12号"},` +
			`{"kind":"行政处罚","description":"违规用水","decidedOn":"2025-06-10","authority":"韶关市水务局"}],` +
			`"issuedAt":"2026-11-01T00:00:00Z","periodFrom":"2023-11-01T00:00:00Z","periodTo":"2026-11-01T00:00:00Z"}}`,
		"credit:rating:v2:" + usccC: `{"v":2,"value":{"uscc":"91440224MA4X8N1P16","level":"C","evaluatedAt":"2026-11-01T00:00:00Z","fetchedAt":"2026-11-26T10:00:00Z"}}`,
	} {
		got, err := rdb.Get(ctx, prefix+key).Result()
		if err != nil || got != want {
			t.Errorf("%s:\n got %s (%v)\nwant %s", key, got, err, want)
		}
	}
}

// R6.2, R7.4: with CW_LOCAL_RATING_TTL a rating read from Redis is served
// from memory for that long (a change in Redis is not seen before it ends,
// and is seen after); a rating this process fetches replaces the local copy
// at once.
func TestLocalRatingCache_R6_2(t *testing.T) {
	rdb, prefix := storetest.Redis(t)
	p := newFakePlatform()
	c := newClock()
	cfg := rating.DefaultConfig()
	cfg.LocalTTL = 2 * time.Second
	svc := rating.New(p, rdb, prefix, cfg, nil, nil)
	svc.SetClock(c.now)
	t.Cleanup(func() { svc.Close(context.Background()) })
	ctx := context.Background()
	key := prefix + "credit:rating:v2:" + usccB
	entry := func(l rating.Level) string {
		return `{"v":2,"value":{"uscc":"` + usccB + `","level":"` + string(l) + `","evaluatedAt":"2026-11-01T00:00:00Z","fetchedAt":"` + c.now().Format(time.RFC3339Nano) + `"}}`
	}
	level := func() rating.Level {
		t.Helper()
		r, err := svc.Rating(ctx, usccB)
		if err != nil {
			t.Fatal(err)
		}
		return r.Level
	}
	if err := rdb.Set(ctx, key, entry(rating.LevelC), time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if l := level(); l != rating.LevelC {
		t.Fatalf("first read: %s, want C from Redis", l)
	}
	// Another instance writes D: within the local TTL this one still serves C
	// without reading Redis.
	if err := rdb.Set(ctx, key, entry(rating.LevelD), time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	c.advance(time.Second)
	if l := level(); l != rating.LevelC {
		t.Fatalf("within the local TTL: %s, want the local C", l)
	}
	c.advance(1500 * time.Millisecond)
	if l := level(); l != rating.LevelD {
		t.Fatalf("after the local TTL: %s, want D from Redis", l)
	}
	// A rating this process fetches (the cache emptied, the platform says B)
	// replaces the local copy at once.
	if err := rdb.Del(ctx, key).Err(); err != nil {
		t.Fatal(err)
	}
	c.advance(3 * time.Second)
	if l := level(); l != rating.LevelB || p.ratingCalls.Load() != 1 {
		t.Fatalf("after a fetch: %s with %d platform calls, want B from one call", l, p.ratingCalls.Load())
	}
	if err := rdb.Set(ctx, key, entry(rating.LevelD), time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if l := level(); l != rating.LevelB {
		t.Fatalf("the fetched rating was not kept locally: %s", l)
	}
}
