package review_test

import (
	"context"
	"slices"
	"testing"

	"creditwater/apperr"
	ct "creditwater/credit/credittest"
	"creditwater/credit/review"
	"creditwater/models"
)

func TestDeadlinesAndReminders(t *testing.T) {
	// R5.3: staff see open repairs and objections by deadline, overdue ones
	// flagged; the daily reminder notifies each assignee at most once per
	// item per day.
	w := ct.NewWorkflow(t, review.Config{})
	ctx := context.Background()
	officer2 := ct.ActorCtx(models.RoleCreditOfficer, "officer-2")
	s := w.Enterprise(t, "丑公司", "914403001922038216")
	rec := func() models.DishonestyRecord {
		return w.NewRecord(t, s.ID, models.KindViolation, models.SeverityMinor, w.Clock.Now())
	}

	// 2026-06-01 (Mon): r1 filed and taken into review by officer-1 (due
	// 06-15); r2 filed, unassigned (due 06-15); o1 filed and accepted by
	// officer-1 (due 06-08); r3 sent back for a supplement (not listed).
	w.Clock.Set(ct.Noon(2026, 6, 1))
	r1, err := w.Repairs.File(ct.EntCtx(), review.FileRepair{RecordID: rec().ID, Statement: "已整改", SignCommitment: true})
	ct.Must(t, err)
	_, err = w.Repairs.StartReview(ct.OfficerCtx(), r1.ID, nil)
	ct.Must(t, err)
	r2, err := w.Repairs.File(ct.EntCtx(), review.FileRepair{RecordID: rec().ID, Statement: "已整改", SignCommitment: true})
	ct.Must(t, err)
	o1, err := w.Objections.File(ct.EntCtx(), review.FileObjection{RecordID: rec().ID, Reason: "有误"})
	ct.Must(t, err)
	_, err = w.Objections.Accept(ct.OfficerCtx(), o1.ID, nil)
	ct.Must(t, err)
	r3, err := w.Repairs.File(ct.EntCtx(), review.FileRepair{RecordID: rec().ID, Statement: "已整改", SignCommitment: true})
	ct.Must(t, err)
	_, err = w.Repairs.RequestSupplement(ct.OfficerCtx(), r3.ID, []string{"照片"}, nil)
	ct.Must(t, err)
	// 2026-06-08: o2 filed and accepted by officer-2 (due 06-15).
	w.Clock.Set(ct.Noon(2026, 6, 8))
	o2, err := w.Objections.File(ct.EntCtx(), review.FileObjection{RecordID: rec().ID, Reason: "有误"})
	ct.Must(t, err)
	_, err = w.Objections.Accept(officer2, o2.ID, nil)
	ct.Must(t, err)

	_, err = w.Desk.Deadlines(ct.EntCtx(), review.DeadlineFilter{}, 20, "")
	ct.WantCode(t, err, apperr.Forbidden) // staff only
	w.Clock.Set(ct.Noon(2026, 6, 9))
	cases := []struct {
		name    string
		f       review.DeadlineFilter
		want    []string
		overdue []bool
	}{
		{"all", review.DeadlineFilter{}, nil, nil}, // checked below: ties on 06-15 are ordered by ID
		{"overdue only", review.DeadlineFilter{OverdueOnly: true}, []string{o1.ID}, []bool{true}},
		{"officer-2", review.DeadlineFilter{AssigneeID: "officer-2"}, []string{o2.ID}, []bool{false}},
		{"officer-1", review.DeadlineFilter{AssigneeID: ct.OfficerUser}, []string{o1.ID, r1.ID}, []bool{true, false}},
		{"R8.1 objections only", review.DeadlineFilter{Kind: review.OwnerObjection, AssigneeID: ct.OfficerUser}, []string{o1.ID}, []bool{true}},
	}
	for _, c := range cases {
		p, err := w.Desk.Deadlines(ct.StaffCtx(), c.f, 20, "")
		ct.Must(t, err)
		ds := p.Items
		var ids []string
		var over []bool
		for _, d := range ds {
			ids, over = append(ids, d.ID), append(over, d.Overdue)
		}
		if c.want == nil {
			if len(ds) != 4 || ds[0].ID != o1.ID || ds[0].Kind != review.OwnerObjection || !ds[0].Overdue || ds[0].AssigneeID != ct.OfficerUser {
				t.Fatalf("all deadlines %+v", ds)
			}
			rest := []string{ds[1].ID, ds[2].ID, ds[3].ID}
			want := []string{r1.ID, r2.ID, o2.ID}
			slices.Sort(want)
			if !slices.Equal(rest, want) || slices.Contains(ids, r3.ID) {
				t.Fatalf("deadlines %v, want o1 then %v (no r3)", ids, want)
			}
			continue
		}
		if !slices.Equal(ids, c.want) || !slices.Equal(over, c.overdue) {
			t.Errorf("%s: %v %v, want %v %v", c.name, ids, over, c.want, c.overdue)
		}
	}

	runs := []struct {
		name string
		asOf func() (int, error)
		want int
	}{
		// 06-09: due by the end of 06-10 or overdue, with an assignee: o1.
		{"Tuesday", func() (int, error) { return w.Desk.RemindDue(ctx, ct.Noon(2026, 6, 9)) }, 1},
		{"Tuesday again", func() (int, error) { return w.Desk.RemindDue(ctx, ct.Noon(2026, 6, 9)) }, 0},
		// 06-12 (Fri): the next working day is Monday 06-15: o1, r1, o2 (r2 has no assignee).
		{"Friday", func() (int, error) { return w.Desk.RemindDue(ctx, ct.Noon(2026, 6, 12)) }, 3},
	}
	for _, r := range runs {
		n, err := r.asOf()
		ct.Must(t, err)
		if n != r.want {
			t.Errorf("%s: %d notices, want %d", r.name, n, r.want)
		}
	}
	mine, err := w.Desk.Notices(ct.OfficerCtx())
	ct.Must(t, err)
	var kinds []string
	for _, n := range mine {
		kinds = append(kinds, n.Kind+":"+n.RefID)
	}
	slices.Sort(kinds)
	want := []string{review.NoticeObjectionOverdue + ":" + o1.ID, review.NoticeObjectionOverdue + ":" + o1.ID, review.NoticeRepairDue + ":" + r1.ID}
	slices.Sort(want)
	if !slices.Equal(kinds, want) {
		t.Fatalf("officer-1 notices %v, want %v", kinds, want)
	}
	theirs, err := w.Desk.Notices(officer2)
	ct.Must(t, err)
	if len(theirs) != 1 || theirs[0].Kind != review.NoticeObjectionDue || theirs[0].RefID != o2.ID {
		t.Fatalf("officer-2 notices %+v", theirs)
	}
	ct.WantCode(t, w.Desk.MarkNoticeRead(officer2, mine[0].ID), apperr.NotFound)
	ct.Must(t, w.Desk.MarkNoticeRead(ct.OfficerCtx(), mine[0].ID))
	again, err := w.Desk.Notices(ct.OfficerCtx())
	ct.Must(t, err)
	if again[0].ReadAt == nil {
		t.Fatal("the notice was not marked read")
	}
}
