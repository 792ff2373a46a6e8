package server_test

import (
	"maps"
	"math"
	"slices"
	"testing"
	"time"

	"creditwater/apply"
	"creditwater/graph/generated"
	"creditwater/models"
)

// R8.1, R3.2 (issue 14): the queue filtered by several statuses (the
// console's "open" filter) is read one index range per status and merged;
// every order gives the unfiltered queue's order restricted to those
// statuses, page after page, with the right totalCount.
func TestR8_1_QueueSeveralStatusesMergedInOrder(t *testing.T) {
	h := newHarness(t, testEnv(t))
	staff := h.staffToken("staff", "demo-staff-pass")
	s1, _ := seedQueue(t, h, 13)
	// Three statuses: some of s1's SUBMITTED ones move on to SURVEYED.
	db := h.srv.DB()
	var ids []string
	if err := db.Model(&models.Application{}).Where("subject_id = ?", s1).Order("submitted_at").Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Model(&models.Application{}).Where("id IN ?", []string{ids[1], ids[4], ids[5]}).Update("status", models.AppSurveyed).Error; err != nil {
		t.Fatal(err)
	}
	const q = `query($f:ApplicationFilter,$o:ApplicationOrder,$first:Int,$after:String){applications(filter:$f,orderBy:$o,first:$first,after:$after){
		edges{cursor node{id vip submittedAt status}} pageInfo{hasNextPage endCursor} totalCount}}`
	statuses := []string{"SURVEYED", "SUBMITTED", "SURVEYED"} // a repeat is read once
	for _, order := range []string{"VIP_FIRST", "OLDEST", "NEWEST"} {
		var all appPage
		h.must(staff, q, map[string]any{"o": order, "first": 100}, &all)
		var want []string
		for _, e := range all.Applications.Edges {
			if slices.Contains(statuses, e.Node.Status) {
				want = append(want, e.Node.ID)
			}
		}
		if len(want) != 7 {
			t.Fatalf("%s: seeded %d SUBMITTED/SURVEYED, want 7", order, len(want))
		}
		var one appPage
		h.must(staff, q, map[string]any{"o": order, "first": 100, "f": map[string]any{"statuses": statuses}}, &one)
		var got []string
		for _, e := range one.Applications.Edges {
			got = append(got, e.Node.ID)
		}
		if !slices.Equal(got, want) || one.Applications.TotalCount != 7 || one.Applications.PageInfo.HasNextPage {
			t.Errorf("%s: one page %v (totalCount %d), want %v", order, got, one.Applications.TotalCount, want)
		}
		got = queueIDs(h, staff, q, map[string]any{"o": order, "first": 2, "f": map[string]any{"statuses": statuses}})
		if !slices.Equal(got, want) {
			t.Errorf("%s: paged two at a time %v, want %v", order, got, want)
		}
	}
}

// R3.3 (issue 14): handlingStats is aggregated in SQL over the
// applications accepted in the period, by default the last
// CW_STATS_DEFAULT_DAYS (90) days; its cached figures follow a write at
// once.
func TestR3_3_HandlingStatsPeriodInSQL(t *testing.T) {
	h := newHarness(t, testEnv(t))
	staff := h.staffToken("staff", "demo-staff-pass")
	seedQueue(t, h, 6) // 0, 2, 4 SUBMITTED; 1, 3, 5 ACCEPTED; 0 and 3 VIP
	db := h.srv.DB()
	var apps []models.Application
	if err := db.Where("status = ?", models.AppAccepted).Order("submitted_at").Find(&apps).Error; err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	// #1 accepted 10 hours after submission, #3 (VIP) 4 hours, both within
	// the default period; #5 accepted 100 days ago, outside it.
	for i, acc := range []time.Time{now.Add(-time.Hour), now.Add(-2 * time.Hour), now.AddDate(0, 0, -100)} {
		sub := acc.Add(-[]time.Duration{10 * time.Hour, 4 * time.Hour, time.Hour}[i])
		if err := db.Model(&models.Application{}).Where("id = ?", apps[i].ID).Updates(map[string]any{"submitted_at": sub, "accepted_at": acc}).Error; err != nil {
			t.Fatal(err)
		}
	}
	type row struct {
		Vip          bool
		Accepted     int
		AverageHours float64
	}
	var st struct{ HandlingStats []row }
	h.must(staff, `{handlingStats{vip accepted averageHours}}`, nil, &st)
	want := []row{{true, 1, 4}, {false, 1, 10}}
	if len(st.HandlingStats) != 2 || st.HandlingStats[0].Accepted != 1 || st.HandlingStats[1].Accepted != 1 ||
		math.Abs(st.HandlingStats[0].AverageHours-4) > 0.01 || math.Abs(st.HandlingStats[1].AverageHours-10) > 0.01 {
		t.Errorf("default period: %+v, want %+v", st.HandlingStats, want)
	}
	h.must(staff, `query($f:Time,$t:Time){handlingStats(from:$f,to:$t){vip accepted averageHours}}`,
		map[string]any{"f": now.AddDate(0, 0, -200), "t": now.AddDate(0, 0, -50)}, &st)
	if st.HandlingStats[0].Accepted != 0 || st.HandlingStats[1].Accepted != 1 || math.Abs(st.HandlingStats[1].AverageHours-1) > 0.01 {
		t.Errorf("100 days ago: %+v", st.HandlingStats)
	}
	// Cached, but not across a write: #5 accepted an hour ago now (6 hours
	// after submission) is counted at once.
	if err := db.Model(&models.Application{}).Where("id = ?", apps[2].ID).
		Updates(map[string]any{"submitted_at": now.Add(-7 * time.Hour), "accepted_at": now.Add(-time.Hour)}).Error; err != nil {
		t.Fatal(err)
	}
	h.must(staff, `{handlingStats{vip accepted averageHours}}`, nil, &st)
	if st.HandlingStats[1].Accepted != 2 || math.Abs(st.HandlingStats[1].AverageHours-8) > 0.01 {
		t.Errorf("after an acceptance: %+v, want 2 ordinary averaging 8 hours", st.HandlingStats)
	}
}

// R8.1 (issue 14): every open status together (the console's default) is
// read as one range of the is_open indexes (migration 0035). The column is
// apply.Terminal's negation for every status, and the queue filtered by
// the open statuses, with or without a surveyor, gives the unfiltered
// queue's order restricted to them, page after page, with totalCount.
func TestR8_1_QueueOpenStatusesAreOneRange(t *testing.T) {
	h := newHarness(t, testEnv(t))
	staff := h.staffToken("staff", "demo-staff-pass")
	// Every status the API knows (a new one is checked without editing
	// this test), two applications each.
	var every []models.AppStatus
	for _, v := range generated.NewExecutableSchema(generated.Config{}).Schema().Types["ApplicationStatus"].EnumValues {
		every = append(every, models.AppStatus(v.Name))
	}
	seedQueue(t, h, 2*len(every))
	db := h.srv.DB()
	var ids []string
	if err := db.Model(&models.Application{}).Order("submitted_at").Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	var open []string
	for i, id := range ids {
		st := every[i%len(every)]
		set := map[string]any{"status": st}
		if i%3 == 0 {
			set["survey_assignee"] = "surveyor-1"
		}
		if err := db.Model(&models.Application{}).Where("id = ?", id).Updates(set).Error; err != nil {
			t.Fatal(err)
		}
		if !apply.Terminal(st) {
			open = append(open, string(st))
		}
	}
	for _, st := range every {
		var flags []int
		if err := db.Model(&models.Application{}).Where("status = ?", st).Pluck("is_open", &flags).Error; err != nil {
			t.Fatal(err)
		}
		if len(flags) != 2 || flags[0] != flags[1] || (flags[0] == 1) == apply.Terminal(st) {
			t.Errorf("%s: is_open %v, apply.Terminal %v", st, flags, apply.Terminal(st))
		}
	}
	slices.Sort(open)
	open = slices.Compact(open)
	if len(open) < 7 || len(every) < 10 {
		t.Fatalf("open statuses %v of %v, want at least 7 of 10", open, every)
	}
	const q = `query($f:ApplicationFilter,$o:ApplicationOrder,$first:Int,$after:String){applications(filter:$f,orderBy:$o,first:$first,after:$after){
		edges{cursor node{id vip submittedAt status}} pageInfo{hasNextPage endCursor} totalCount}}`
	for _, assignee := range []string{"", "surveyor-1"} {
		for _, order := range []string{"VIP_FIRST", "OLDEST", "NEWEST"} {
			base := map[string]any{}
			if assignee != "" {
				base["assigneeId"] = assignee
			}
			var all appPage
			h.must(staff, q, map[string]any{"o": order, "first": 100, "f": base}, &all)
			var want []string
			for _, e := range all.Applications.Edges {
				if slices.Contains(open, e.Node.Status) {
					want = append(want, e.Node.ID)
				}
			}
			if len(want) == 0 || len(want) == len(all.Applications.Edges) {
				t.Fatalf("%s %q: %d open of %d, want some of each", order, assignee, len(want), len(all.Applications.Edges))
			}
			f := maps.Clone(base)
			f["statuses"] = open
			var one appPage
			h.must(staff, q, map[string]any{"o": order, "first": 100, "f": f}, &one)
			var got []string
			for _, e := range one.Applications.Edges {
				got = append(got, e.Node.ID)
			}
			if !slices.Equal(got, want) || one.Applications.TotalCount != len(want) {
				t.Errorf("%s %q: one page %v (totalCount %d), want %v", order, assignee, got, one.Applications.TotalCount, want)
			}
			if got := queueIDs(h, staff, q, map[string]any{"o": order, "first": 2, "f": f}); !slices.Equal(got, want) {
				t.Errorf("%s %q: paged two at a time %v, want %v", order, assignee, got, want)
			}
		}
	}
}
