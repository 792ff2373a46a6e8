package server_test

import (
	"encoding/json"
	"regexp"
	"testing"

	"creditwater/creditplatform/simulator"
)

// oneTimeFormat is the API's one time format: RFC 3339 with seconds and the
// Asia/Shanghai offset.
var oneTimeFormat = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$`)

// timeLike is any string that starts like a date-time.
var timeLike = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[T ]\d`)

// walkTimes calls f with the path and value of every string in v that
// looks like a date-time.
func walkTimes(path string, v any, f func(path, s string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			walkTimes(path+"."+k, e, f)
		}
	case []any:
		for _, e := range x {
			walkTimes(path+"[]", e, f)
		}
	case string:
		if timeLike.MatchString(x) {
			f(path, x)
		}
	}
}

// R8.1: every time the API returns has one format — RFC 3339 with seconds
// and the +08:00 offset — whether it was stored as an instant (UTC) or as
// a Shanghai calendar day: a walk through the JSON of a sample of
// responses (an application and its history, the queue, the statistics,
// import jobs, users, the audit log, the session) finds no other.
func TestEveryTimeHasOneFormat_R8_1(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("one-time-format")
	h.bindVerified(tok, simulator.EnterpriseA, "11010519491231002X")
	id, _ := h.submit(tok, submitInput("one-time-format-1", "OWN_BUILDING_ON_STATE_LAND"))
	staff := h.staffToken("staff", "demo-staff-pass")
	admin := h.staffToken("admin", "demo-admin-pass")
	h.surveyed(staff, id)
	h.creditCheck(staff, id)
	queries := []struct {
		tok, q string
		vars   map[string]any
	}{
		{staff, `query($id:ID!){application(id:$id){submittedAt stepSince surveyAt creditCheckedAt acceptedAt events{at}}}`, map[string]any{"id": id}},
		{staff, `{applications(first:50){edges{stepDue node{submittedAt stepSince}}}}`, nil},
		{staff, `{statistics{from to applicationsPerWeek{weekStart}}}`, nil},
		{staff, `{importJobs(first:50){edges{node{createdAt updatedAt finishedAt}}}}`, nil},
		{staff, `{users(first:50){edges{node{createdAt lastLoginAt}}}}`, nil},
		{admin, `{auditLog(first:50){edges{node{at}}}}`, nil},
	}
	seen := 0
	for _, c := range queries {
		r := h.gql(c.tok, c.q, c.vars)
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %s", c.q, r.Raw)
		}
		var v any
		if err := json.Unmarshal(r.Data, &v); err != nil {
			t.Fatal(err)
		}
		walkTimes("data", v, func(path, s string) {
			seen++
			if !oneTimeFormat.MatchString(s) {
				t.Errorf("%s = %q: not RFC 3339 with seconds and +08:00", path, s)
			}
		})
	}
	if seen < 20 {
		t.Errorf("only %d times in the sample", seen)
	}
}
