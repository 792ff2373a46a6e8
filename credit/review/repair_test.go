package review_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"creditwater/apperr"
	"creditwater/calendar"
	"creditwater/config"
	"creditwater/credit"
	ct "creditwater/credit/credittest"
	"creditwater/credit/record"
	"creditwater/credit/review"
	"creditwater/evidence"
	"creditwater/models"
)

func TestRepairPreconditionsAllNamedAtOnce(t *testing.T) {
	// R5.1, R5.3: a repair is refused before the minimum publicity period
	// has passed (naming the day it becomes possible), while the cited bills
	// are unpaid (naming them) and without the signed commitment — every
	// failed condition in one error — and nothing is stored.
	w := ct.NewWorkflow(t, review.Config{})
	s := w.Enterprise(t, "韶关甲公司", "914403001922038216")
	w.Account(t, "A1", s.ID)
	w.Bill(t, "B1", "A1", 60000)
	w.Bill(t, "B2", "A1", 50000)
	w.Reminder(t, "R1", "A1", ct.Day(2026, 1, 10), "B1", "B2")
	n, err := w.Arrears.Detect(context.Background(), ct.Noon(2026, 2, 20))
	ct.Must(t, err)
	if n != 1 {
		t.Fatalf("arrears records: %d", n)
	}
	var rec models.DishonestyRecord
	ct.Must(t, w.DB.Where("source_key = ?", "ARREARS:R1").Take(&rec).Error) // GENERAL, decided 2026-02-20: minimum ends 2026-05-20

	steps := []struct {
		name         string
		now          time.Time
		pay          func()
		sign         bool
		want         []string
		possibleFrom string
		unpaid       []string
	}{
		{"too early and unpaid", ct.Noon(2026, 4, 1), nil, true,
			[]string{"MIN_PUBLICITY_NOT_OVER", "OBLIGATION_NOT_MET"}, "2026-05-20", []string{"B1", "B2"}},
		{"the day before, B2 partly paid, unsigned", ct.Noon(2026, 5, 19), func() {
			w.Pay(t, "P1", "B1", "A1", 60000)
			w.Pay(t, "P2", "B2", "A1", 20000)
		}, false, []string{"MIN_PUBLICITY_NOT_OVER", "OBLIGATION_NOT_MET", "COMMITMENT_NOT_SIGNED"}, "2026-05-20", []string{"B2"}},
		{"on time, paid in full, unsigned", ct.Noon(2026, 5, 20), func() { w.Pay(t, "P3", "B2", "A1", 30000) }, false,
			[]string{"COMMITMENT_NOT_SIGNED"}, "", nil},
		{"everything met", ct.Noon(2026, 5, 20), nil, true, nil, "", nil},
	}
	for _, st := range steps {
		w.Clock.Set(st.now)
		if st.pay != nil {
			st.pay()
		}
		req, err := w.Repairs.File(ct.EntCtx(), review.FileRepair{RecordID: rec.ID, Statement: "已缴清全部欠费", SignCommitment: st.sign,
			Evidence: []credit.Upload{ct.Upload("缴费凭证.pdf", ct.PDFBody(1000))}})
		if st.want == nil {
			ct.Must(t, err)
			sum := sha256.Sum256([]byte(req.CommitmentText))
			if req.Status != models.RepairSubmitted || req.CommitmentSHA256 != hex.EncodeToString(sum[:]) ||
				req.CommitmentVersion != review.RepairCommitmentVersion || !strings.Contains(req.CommitmentText, "韶关甲公司") ||
				!req.CommitmentSignedAt.Equal(st.now) {
				t.Fatalf("%s: request %+v", st.name, req)
			}
			continue
		}
		if got := ct.ConditionCodes(t, err); !slices.Equal(got, st.want) {
			t.Errorf("%s: conditions %v, want %v", st.name, got, st.want)
		}
		e := apperr.As(err)
		if st.possibleFrom != "" && (e.Details["possibleFrom"] != st.possibleFrom || !strings.Contains(e.Message, st.possibleFrom)) {
			t.Errorf("%s: possibleFrom %v, message %q", st.name, e.Details["possibleFrom"], e.Message)
		}
		if st.possibleFrom == "" && e.Details["possibleFrom"] != nil {
			t.Errorf("%s: unexpected possibleFrom %v", st.name, e.Details["possibleFrom"])
		}
		if got, _ := e.Details["unpaidBills"].([]string); !slices.Equal(got, st.unpaid) {
			t.Errorf("%s: unpaid bills %v, want %v", st.name, got, st.unpaid)
		}
		for _, b := range st.unpaid {
			if !strings.Contains(e.Message, b) {
				t.Errorf("%s: message %q does not name bill %s", st.name, e.Message, b)
			}
		}
		if n := w.Count(t, &models.RepairRequest{}, ""); n != 0 {
			t.Fatalf("%s: %d requests stored by a refused filing", st.name, n)
		}
		if n := w.Count(t, &models.Evidence{}, ""); n != 0 {
			t.Fatalf("%s: %d evidence rows stored by a refused filing", st.name, n)
		}
	}

	// A MINOR record has no minimum publicity period: it can be repaired
	// the day it is decided.
	minor := w.NewRecord(t, s.ID, models.KindViolation, models.SeverityMinor, ct.Noon(2026, 5, 20))
	_, err = w.Repairs.File(ct.EntCtx(), review.FileRepair{RecordID: minor.ID, Statement: "已整改", SignCommitment: true})
	ct.Must(t, err)

	// R7.1: staff may not file; an unbound user may not either.
	other := w.NewRecord(t, s.ID, models.KindViolation, models.SeverityMinor, ct.Noon(2026, 5, 20))
	for _, c := range []struct {
		name string
		ctx  context.Context
		code apperr.Code
	}{
		{"staff", ct.OfficerCtx(), apperr.Forbidden},
		{"unbound enterprise user", ct.ActorCtx(models.RoleEnterprise, "stranger"), apperr.Forbidden},
		{"anonymous", context.Background(), apperr.Unauthenticated},
	} {
		_, err := w.Repairs.File(c.ctx, review.FileRepair{RecordID: other.ID, Statement: "x", SignCommitment: true})
		if apperr.CodeOf(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
}

func TestRepairSupplementLoopApprovalAndWithdrawal(t *testing.T) {
	// R5.1: officers ask for every missing item at once, the enterprise
	// supplements, the approval marks the record REPAIRED (kept, not
	// deleted), queues the withdrawal of its publication exactly once and
	// publishes the repair; the outbox delivers the withdrawal once.
	w := ct.NewWorkflow(t, review.Config{})
	ctx := context.Background()
	s := w.Enterprise(t, "韶关乙公司", "9144030071526726XG")
	rec := w.NewRecord(t, s.ID, models.KindTheft, models.SeverityGeneral, ct.Noon(2026, 1, 5))

	// Publish the record first, so the approval has something to withdraw.
	n, err := w.Pubs.QueueDue(ctx, ct.Noon(2026, 6, 1))
	ct.Must(t, err)
	if n != 1 {
		t.Fatalf("queued %d publications", n)
	}
	ct.Drain(t, w.Worker())
	if got := w.LoadRecord(t, rec.ID).PublicationID; got != "PUB-001" {
		t.Fatalf("publication ID %q", got)
	}

	req, err := w.Repairs.File(ct.EntCtx(), review.FileRepair{RecordID: rec.ID, Statement: "已缴纳罚款并整改", SignCommitment: true,
		Evidence: []credit.Upload{ct.Upload("整改报告.pdf", ct.PDFBody(4096))}})
	ct.Must(t, err)
	// R5.3: 2026-06-01 + 10 working days = 2026-06-15 (end of day, Shanghai).
	if want := time.Date(2026, 6, 15, 23, 59, 59, 0, credit.Shanghai); !req.DueAt.Equal(want) {
		t.Fatalf("due %v, want %v", req.DueAt, want)
	}
	_, err = w.Repairs.File(ct.EntCtx(), review.FileRepair{RecordID: rec.ID, Statement: "again", SignCommitment: true})
	if e := apperr.As(err); e == nil || e.Code != apperr.Conflict || e.Reason != "REPAIR_PENDING" {
		t.Fatalf("second filing: %v", err)
	}

	// Roles (R7.1).
	_, err = w.Repairs.StartReview(ct.StaffCtx(), req.ID, nil)
	ct.WantCode(t, err, apperr.Forbidden)
	_, err = w.Repairs.Approve(ct.EntCtx(), req.ID, "ok", nil)
	ct.WantCode(t, err, apperr.Forbidden)

	stale := 99
	_, err = w.Repairs.RequestSupplement(ct.OfficerCtx(), req.ID, []string{"x"}, &stale)
	ct.WantCode(t, err, apperr.Conflict)
	_, err = w.Repairs.RequestSupplement(ct.OfficerCtx(), req.ID, []string{" ", ""}, nil)
	if e := apperr.As(err); e == nil || e.Field != "missing" {
		t.Fatalf("empty missing list: %v", err)
	}
	req, err = w.Repairs.RequestSupplement(ct.OfficerCtx(), req.ID, []string{"营业执照副本", "罚款缴纳凭证", "营业执照副本"}, &req.Version)
	ct.Must(t, err)
	var missing []string
	ct.Must(t, json.Unmarshal([]byte(req.MissingItems), &missing))
	if req.Status != models.RepairNeedsSupplement || !slices.Equal(missing, []string{"营业执照副本", "罚款缴纳凭证"}) ||
		req.AssigneeID == nil || *req.AssigneeID != ct.OfficerUser {
		t.Fatalf("after the request for a supplement: %+v", req)
	}
	_, err = w.Repairs.Approve(ct.OfficerCtx(), req.ID, "ok", nil)
	if e := apperr.As(err); e == nil || e.Code != apperr.FailedPrecondition || e.Details["status"] != "NEEDS_SUPPLEMENT" ||
		!strings.Contains(e.Message, "NEEDS_SUPPLEMENT") {
		t.Fatalf("approve while waiting for a supplement: %v", err)
	}

	w.Clock.Set(ct.Noon(2026, 6, 3))
	_, err = w.Repairs.Supplement(ct.EntCtx(), req.ID, "", nil)
	ct.WantCode(t, err, apperr.Invalid)
	req, err = w.Repairs.Supplement(ct.EntCtx(), req.ID, "补充材料见附件", []credit.Upload{ct.Upload("执照.png", ct.PNGBody(500)), ct.Upload("罚款.pdf", ct.PDFBody(800))})
	ct.Must(t, err)
	// The deadline starts again: 2026-06-03 + 10 working days = 2026-06-17.
	if want := time.Date(2026, 6, 17, 23, 59, 59, 0, credit.Shanghai); req.Status != models.RepairUnderReview || !req.DueAt.Equal(want) || req.MissingItems != "[]" {
		t.Fatalf("after the supplement: status %s due %v missing %s", req.Status, req.DueAt, req.MissingItems)
	}
	ev, err := w.Repairs.Evidence(ct.EntCtx(), req.ID)
	ct.Must(t, err)
	if len(ev) != 4 || ev[0].Kind != evidence.KindFile || ev[1].Kind != evidence.KindText || ev[2].ContentType != "image/png" || ev[2].Data != nil {
		t.Fatalf("evidence %+v", ev)
	}

	_, err = w.Repairs.Approve(ct.OfficerCtx(), req.ID, " ", nil)
	ct.WantCode(t, err, apperr.Invalid)
	req, err = w.Repairs.Approve(ct.OfficerCtx(), req.ID, "材料齐全，已纠正失信行为", nil)
	ct.Must(t, err)
	if req.Status != models.RepairApproved || req.DecidedBy != ct.OfficerUser || req.DecidedAt == nil || req.OpenKey != nil {
		t.Fatalf("approved request %+v", req)
	}
	got := w.LoadRecord(t, rec.ID) // kept, not deleted (R1.4)
	if got.Status != models.RecordRepaired {
		t.Fatalf("record status %s", got.Status)
	}
	_, err = w.Repairs.Approve(ct.OfficerCtx(), req.ID, "again", nil)
	if e := apperr.As(err); e == nil || e.Code != apperr.FailedPrecondition || e.Details["status"] != "APPROVED" {
		t.Fatalf("second approval: %v", err)
	}
	if n := w.Messages(t, record.WithdrawKey(rec.ID)); n != 1 {
		t.Fatalf("%d withdrawal messages, want 1", n)
	}
	if n := w.Messages(t, "repair:"+req.ID); n != 1 {
		t.Fatalf("%d repair publication messages, want 1", n)
	}

	ct.Drain(t, w.Worker())
	ct.Drain(t, w.Worker())
	pubs, wds := w.Platform.Snapshot()
	if len(wds) != 1 || wds[0].PublicationID != "PUB-001" || wds[0].IdempotencyKey != record.WithdrawKey(rec.ID) {
		t.Fatalf("withdrawals %+v", wds)
	}
	if len(pubs) != 2 || pubs[1].Kind != "REPAIR" || pubs[1].SubjectUSCC != "9144030071526726XG" {
		t.Fatalf("publications %+v", pubs)
	}
	if got, err := w.Repairs.Get(ct.EntCtx(), req.ID); err != nil || got.PublicationID != "PUB-002" {
		t.Fatalf("repair publication: %+v %v", got, err)
	}

	hist, err := w.Repairs.History(ct.EntCtx(), req.ID)
	ct.Must(t, err)
	actions := ct.Pluck(hist, func(h models.RequestEvent) string { return h.Action })
	if want := []string{review.ActionFiled, review.ActionSupplementAsked, review.ActionSupplemented, review.ActionApproved}; !slices.Equal(actions, want) {
		t.Fatalf("history %v, want %v", actions, want)
	}
	recHist, err := w.Records.History(ct.StaffCtx(), rec.ID)
	ct.Must(t, err)
	recActions := ct.Pluck(recHist, func(h models.RecordEvent) string { return h.Action })
	if want := []string{record.EventCreated, record.EventPublished, record.EventStatusChanged, record.EventWithdrawn}; !slices.Equal(recActions, want) {
		t.Fatalf("record history %v, want %v", recActions, want)
	}
}

func TestRepairDenyAndApprovalWithoutPublication(t *testing.T) {
	// R5.1: a denial leaves the record unchanged and closes the request; an
	// approval of a record never published queues no withdrawal.
	w := ct.NewWorkflow(t, review.Config{})
	s := w.Enterprise(t, "丙公司", "914403001922038216")
	rec := w.NewRecord(t, s.ID, models.KindViolation, models.SeverityGeneral, ct.Noon(2026, 1, 5))
	file := func() models.RepairRequest {
		t.Helper()
		req, err := w.Repairs.File(ct.EntCtx(), review.FileRepair{RecordID: rec.ID, Statement: "已整改", SignCommitment: true})
		ct.Must(t, err)
		return req
	}
	req := file()
	_, err := w.Repairs.Deny(ct.OfficerCtx(), req.ID, "no", nil)
	if e := apperr.As(err); e == nil || e.Code != apperr.FailedPrecondition || e.Details["status"] != "SUBMITTED" {
		t.Fatalf("deny before review: %v", err)
	}
	req, err = w.Repairs.StartReview(ct.OfficerCtx(), req.ID, nil)
	ct.Must(t, err)
	if req.Status != models.RepairUnderReview || req.AssigneeID == nil || *req.AssigneeID != ct.OfficerUser {
		t.Fatalf("in review: %+v", req)
	}
	_, err = w.Repairs.StartReview(ct.OfficerCtx(), req.ID, nil)
	ct.WantCode(t, err, apperr.FailedPrecondition)
	req, err = w.Repairs.Deny(ct.OfficerCtx(), req.ID, "整改材料不足", nil)
	ct.Must(t, err)
	if req.Status != models.RepairDenied || w.LoadRecord(t, rec.ID).Status != models.RecordActive {
		t.Fatalf("denied: %s, record %s", req.Status, w.LoadRecord(t, rec.ID).Status)
	}

	req = file() // a denied request no longer blocks a new one
	_, err = w.Repairs.StartReview(ct.OfficerCtx(), req.ID, nil)
	ct.Must(t, err)
	_, err = w.Repairs.Approve(ct.OfficerCtx(), req.ID, "ok", nil)
	ct.Must(t, err)
	if n := w.Messages(t, record.WithdrawKey(rec.ID)); n != 0 {
		t.Fatalf("%d withdrawal messages for a record never published", n)
	}
	list, err := w.Repairs.Queue(ct.EntCtx(), review.RepairFilter{SubjectID: s.ID, Count: true}, 20, "")
	ct.Must(t, err)
	if len(list.Items) != 2 || list.TotalCount != 2 {
		t.Fatalf("%d requests listed", len(list.Items))
	}
}

func TestRepairQueue(t *testing.T) {
	// R5.1, R5.3: staff see the queue by deadline with an Overdue flag.
	w := ct.NewWorkflow(t, review.Config{})
	s := w.Enterprise(t, "丁公司", "914403001922038216")
	var ids []string
	for i, filed := range []time.Time{ct.Noon(2026, 6, 1), ct.Noon(2026, 6, 2), ct.Noon(2026, 6, 3)} {
		w.Clock.Set(filed)
		rec := w.NewRecord(t, s.ID, models.KindViolation, models.SeverityMinor, filed)
		req, err := w.Repairs.File(ct.EntCtx(), review.FileRepair{RecordID: rec.ID, Statement: "已整改", SignCommitment: true})
		ct.Must(t, err)
		ids = append(ids, req.ID)
		if i == 1 {
			_, err = w.Repairs.StartReview(ct.OfficerCtx(), req.ID, nil)
			ct.Must(t, err)
		}
	}
	w.Clock.Set(ct.Noon(2026, 6, 16)) // after the first deadline (2026-06-15), before the second (2026-06-16 end)
	_, err := w.Repairs.Queue(ct.EntCtx(), review.RepairFilter{}, 10, "")
	ct.WantCode(t, err, apperr.Invalid) // R8.1: an enterprise user names its subject
	yes, no := true, false
	cases := []struct {
		name    string
		f       review.RepairFilter
		want    []string
		overdue []bool
	}{
		{"all", review.RepairFilter{Count: true}, ids, []bool{true, false, false}},
		{"overdue only", review.RepairFilter{Overdue: &yes, Count: true}, ids[:1], []bool{true}},
		{"R8.1 not overdue", review.RepairFilter{Overdue: &no, Count: true}, ids[1:], []bool{false, false}},
		{"by assignee", review.RepairFilter{AssigneeID: ct.OfficerUser, Count: true}, ids[1:2], []bool{false}},
		{"by status", review.RepairFilter{Status: models.RepairSubmitted, Count: true}, []string{ids[0], ids[2]}, []bool{true, false}},
	}
	for _, c := range cases {
		p, err := w.Repairs.Queue(ct.StaffCtx(), c.f, 10, "")
		ct.Must(t, err)
		var got []string
		var over []bool
		for _, it := range p.Items {
			got, over = append(got, it.Request.ID), append(over, it.Overdue)
		}
		if !slices.Equal(got, c.want) || !slices.Equal(over, c.overdue) || p.TotalCount != int64(len(c.want)) {
			t.Errorf("%s: %v %v (total %d), want %v %v", c.name, got, over, p.TotalCount, c.want, c.overdue)
		}
	}
	// Pagination one at a time follows the deadlines.
	paged := ct.Pages(t, func(after string) ([]string, string, bool, error) {
		p, err := w.Repairs.Queue(ct.StaffCtx(), review.RepairFilter{}, 1, after)
		return ct.Pluck(p.Items, func(it review.Queued[models.RepairRequest]) string { return it.Request.ID }), p.EndCursor, p.HasNext, err
	})
	if !slices.Equal(paged, ids) {
		t.Fatalf("paged %v, want %v", paged, ids)
	}
	_, err = w.Repairs.Queue(ct.StaffCtx(), review.RepairFilter{}, 1, "bogus")
	ct.WantCode(t, err, apperr.Invalid)
	_, err = w.Repairs.Queue(ct.StaffCtx(), review.RepairFilter{Status: "NOPE"}, 1, "")
	ct.WantCode(t, err, apperr.Invalid)
}

func TestDeadlinesFollowTheCalendar(t *testing.T) {
	// R5.3: review deadlines are working days from the holiday calendar
	// (holidays skipped, make-up working days counted) and configuration.
	cases := []struct {
		name                  string
		cfg                   review.Config
		filed                 time.Time
		repairDue, objDue     time.Time
		acceptedDue, extended time.Time
	}{
		// 2026-09-29 (Tue): 9-30, [10-1…10-7 国庆], 10-8, 10-9, 10-10 (调休上班), 10-12 … 10-19.
		{"across National Day", review.Config{}, ct.Noon(2026, 9, 29),
			time.Date(2026, 10, 19, 23, 59, 59, 0, credit.Shanghai), time.Date(2026, 10, 12, 23, 59, 59, 0, credit.Shanghai),
			time.Date(2026, 10, 12, 23, 59, 59, 0, credit.Shanghai), time.Date(2026, 10, 14, 23, 59, 59, 0, credit.Shanghai)},
		// 2026-02-13 (Fri): 2-14 (Sat, 调休上班), [2-15…2-23 春节], 2-24 … 2-27, 2-28 (Sat, 调休上班), 3-2 … 3-5.
		{"Spring Festival with make-up days", review.Config{}, ct.Noon(2026, 2, 13),
			time.Date(2026, 3, 5, 23, 59, 59, 0, credit.Shanghai), time.Date(2026, 2, 27, 23, 59, 59, 0, credit.Shanghai),
			time.Date(2026, 2, 27, 23, 59, 59, 0, credit.Shanghai), time.Date(2026, 3, 2, 23, 59, 59, 0, credit.Shanghai)},
		{"configured periods", review.Config{Review: config.Review{RepairReviewDays: 2, ObjectionReviewDays: 1}}, ct.Noon(2026, 2, 13),
			time.Date(2026, 2, 24, 23, 59, 59, 0, credit.Shanghai), time.Date(2026, 2, 14, 23, 59, 59, 0, credit.Shanghai),
			time.Date(2026, 2, 14, 23, 59, 59, 0, credit.Shanghai), time.Date(2026, 2, 25, 23, 59, 59, 0, credit.Shanghai)},
	}
	cal := calendar.Default()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := ct.NewWorkflow(t, c.cfg)
			w.Clock.Set(c.filed)
			s := w.Enterprise(t, "戊公司", "914403001922038216")
			r1 := w.NewRecord(t, s.ID, models.KindViolation, models.SeverityMinor, c.filed)
			r2 := w.NewRecord(t, s.ID, models.KindViolation, models.SeverityMinor, c.filed)
			req, err := w.Repairs.File(ct.EntCtx(), review.FileRepair{RecordID: r1.ID, Statement: "已整改", SignCommitment: true})
			ct.Must(t, err)
			obj, err := w.Objections.File(ct.EntCtx(), review.FileObjection{RecordID: r2.ID, Reason: "记录有误"})
			ct.Must(t, err)
			if !req.DueAt.Equal(c.repairDue) || !req.DueAt.Equal(cal.AddWorkdays(c.filed, c.cfg.WithDefaults().RepairReviewDays)) {
				t.Errorf("repair due %v, want %v", req.DueAt.In(credit.Shanghai), c.repairDue)
			}
			if !obj.DueAt.Equal(c.objDue) {
				t.Errorf("objection acceptance due %v, want %v", obj.DueAt.In(credit.Shanghai), c.objDue)
			}
			obj, err = w.Objections.Accept(ct.OfficerCtx(), obj.ID, nil)
			ct.Must(t, err)
			if !obj.DueAt.Equal(c.acceptedDue) {
				t.Errorf("objection decision due %v, want %v", obj.DueAt.In(credit.Shanghai), c.acceptedDue)
			}
			obj, err = w.Objections.Extend(ct.OfficerCtx(), obj.ID, 2, "需要现场核查", nil)
			ct.Must(t, err)
			if !obj.DueAt.Equal(c.extended) || !obj.Extended {
				t.Errorf("extended due %v, want %v", obj.DueAt.In(credit.Shanghai), c.extended)
			}
		})
	}
}
