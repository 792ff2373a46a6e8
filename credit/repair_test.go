package credit

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
	"creditwater/evidence"
	"creditwater/models"
)

func TestRepairPreconditionsAllNamedAtOnce(t *testing.T) {
	// R5.1, R5.3: a repair is refused before the minimum publicity period
	// has passed (naming the day it becomes possible), while the cited bills
	// are unpaid (naming them) and without the signed commitment — every
	// failed condition in one error — and nothing is stored.
	w := newWF(t, RepairConfig{})
	s := w.enterprise(t, "韶关甲公司", "914403001922038216")
	w.account(t, "A1", s.ID)
	w.bill(t, "B1", "A1", 60000)
	w.bill(t, "B2", "A1", 50000)
	w.reminder(t, "R1", "A1", day(2026, 1, 10), "B1", "B2")
	n, err := w.rules.DetectArrears(context.Background(), noon(2026, 2, 20))
	must(t, err)
	if n != 1 {
		t.Fatalf("arrears records: %d", n)
	}
	var rec models.DishonestyRecord
	must(t, w.db.Where("source_key = ?", "ARREARS:R1").Take(&rec).Error) // GENERAL, decided 2026-02-20: minimum ends 2026-05-20

	steps := []struct {
		name         string
		now          time.Time
		pay          func()
		sign         bool
		want         []string
		possibleFrom string
		unpaid       []string
	}{
		{"too early and unpaid", noon(2026, 4, 1), nil, true,
			[]string{"MIN_PUBLICITY_NOT_OVER", "OBLIGATION_NOT_MET"}, "2026-05-20", []string{"B1", "B2"}},
		{"the day before, B2 partly paid, unsigned", noon(2026, 5, 19), func() {
			w.pay(t, "P1", "B1", "A1", 60000)
			w.pay(t, "P2", "B2", "A1", 20000)
		}, false, []string{"MIN_PUBLICITY_NOT_OVER", "OBLIGATION_NOT_MET", "COMMITMENT_NOT_SIGNED"}, "2026-05-20", []string{"B2"}},
		{"on time, paid in full, unsigned", noon(2026, 5, 20), func() { w.pay(t, "P3", "B2", "A1", 30000) }, false,
			[]string{"COMMITMENT_NOT_SIGNED"}, "", nil},
		{"everything met", noon(2026, 5, 20), nil, true, nil, "", nil},
	}
	for _, st := range steps {
		w.clock.set(st.now)
		if st.pay != nil {
			st.pay()
		}
		req, err := w.repairs.File(entCtx(), FileRepair{RecordID: rec.ID, Statement: "已缴清全部欠费", SignCommitment: st.sign,
			Evidence: []Upload{upload("缴费凭证.pdf", pdfBody(1000))}})
		if st.want == nil {
			must(t, err)
			sum := sha256.Sum256([]byte(req.CommitmentText))
			if req.Status != models.RepairSubmitted || req.CommitmentSHA256 != hex.EncodeToString(sum[:]) ||
				req.CommitmentVersion != RepairCommitmentVersion || !strings.Contains(req.CommitmentText, "韶关甲公司") ||
				!req.CommitmentSignedAt.Equal(st.now) {
				t.Fatalf("%s: request %+v", st.name, req)
			}
			continue
		}
		if got := conditionCodes(t, err); !slices.Equal(got, st.want) {
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
		if n := w.count(t, &models.RepairRequest{}, ""); n != 0 {
			t.Fatalf("%s: %d requests stored by a refused filing", st.name, n)
		}
		if n := w.count(t, &models.Evidence{}, ""); n != 0 {
			t.Fatalf("%s: %d evidence rows stored by a refused filing", st.name, n)
		}
	}

	// A MINOR record has no minimum publicity period: it can be repaired
	// the day it is decided.
	minor := w.newRecord(t, s.ID, models.KindViolation, models.SeverityMinor, noon(2026, 5, 20))
	_, err = w.repairs.File(entCtx(), FileRepair{RecordID: minor.ID, Statement: "已整改", SignCommitment: true})
	must(t, err)

	// R7.1: staff may not file; an unbound user may not either.
	other := w.newRecord(t, s.ID, models.KindViolation, models.SeverityMinor, noon(2026, 5, 20))
	for _, c := range []struct {
		name string
		ctx  context.Context
		code apperr.Code
	}{
		{"staff", officerCtx(), apperr.Forbidden},
		{"unbound enterprise user", actorCtx(models.RoleEnterprise, "stranger"), apperr.Forbidden},
		{"anonymous", context.Background(), apperr.Unauthenticated},
	} {
		_, err := w.repairs.File(c.ctx, FileRepair{RecordID: other.ID, Statement: "x", SignCommitment: true})
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
	w := newWF(t, RepairConfig{})
	ctx := context.Background()
	s := w.enterprise(t, "韶关乙公司", "9144030071526726XG")
	rec := w.newRecord(t, s.ID, models.KindTheft, models.SeverityGeneral, noon(2026, 1, 5))

	// Publish the record first, so the approval has something to withdraw.
	n, err := w.pubs.QueueDue(ctx, noon(2026, 6, 1))
	must(t, err)
	if n != 1 {
		t.Fatalf("queued %d publications", n)
	}
	drain(t, w.worker())
	if got := w.loadRecord(t, rec.ID).PublicationID; got != "PUB-001" {
		t.Fatalf("publication ID %q", got)
	}

	req, err := w.repairs.File(entCtx(), FileRepair{RecordID: rec.ID, Statement: "已缴纳罚款并整改", SignCommitment: true,
		Evidence: []Upload{upload("整改报告.pdf", pdfBody(4096))}})
	must(t, err)
	// R5.3: 2026-06-01 + 10 working days = 2026-06-15 (end of day, Shanghai).
	if want := time.Date(2026, 6, 15, 23, 59, 59, 0, shanghai); !req.DueAt.Equal(want) {
		t.Fatalf("due %v, want %v", req.DueAt, want)
	}
	_, err = w.repairs.File(entCtx(), FileRepair{RecordID: rec.ID, Statement: "again", SignCommitment: true})
	if e := apperr.As(err); e == nil || e.Code != apperr.Conflict || e.Reason != "REPAIR_PENDING" {
		t.Fatalf("second filing: %v", err)
	}

	// Roles (R7.1).
	_, err = w.repairs.StartReview(staffCtx(), req.ID)
	wantCode(t, err, apperr.Forbidden)
	_, err = w.repairs.Approve(entCtx(), req.ID, "ok")
	wantCode(t, err, apperr.Forbidden)

	stale := 99
	_, err = w.repairs.RequestSupplement(officerCtx(), req.ID, []string{"x"}, &stale)
	wantCode(t, err, apperr.Conflict)
	_, err = w.repairs.RequestSupplement(officerCtx(), req.ID, []string{" ", ""}, nil)
	if e := apperr.As(err); e == nil || e.Field != "missing" {
		t.Fatalf("empty missing list: %v", err)
	}
	req, err = w.repairs.RequestSupplement(officerCtx(), req.ID, []string{"营业执照副本", "罚款缴纳凭证", "营业执照副本"}, &req.Version)
	must(t, err)
	var missing []string
	must(t, json.Unmarshal([]byte(req.MissingItems), &missing))
	if req.Status != models.RepairNeedsSupplement || !slices.Equal(missing, []string{"营业执照副本", "罚款缴纳凭证"}) ||
		req.AssigneeID == nil || *req.AssigneeID != officerUser {
		t.Fatalf("after the request for a supplement: %+v", req)
	}
	_, err = w.repairs.Approve(officerCtx(), req.ID, "ok")
	if e := apperr.As(err); e == nil || e.Code != apperr.FailedPrecondition || e.Details["status"] != "NEEDS_SUPPLEMENT" ||
		!strings.Contains(e.Message, "NEEDS_SUPPLEMENT") {
		t.Fatalf("approve while waiting for a supplement: %v", err)
	}

	w.clock.set(noon(2026, 6, 3))
	_, err = w.repairs.Supplement(entCtx(), req.ID, "", nil)
	wantCode(t, err, apperr.Invalid)
	req, err = w.repairs.Supplement(entCtx(), req.ID, "补充材料见附件", []Upload{upload("执照.png", pngBody(500)), upload("罚款.pdf", pdfBody(800))})
	must(t, err)
	// The deadline starts again: 2026-06-03 + 10 working days = 2026-06-17.
	if want := time.Date(2026, 6, 17, 23, 59, 59, 0, shanghai); req.Status != models.RepairUnderReview || !req.DueAt.Equal(want) || req.MissingItems != "[]" {
		t.Fatalf("after the supplement: status %s due %v missing %s", req.Status, req.DueAt, req.MissingItems)
	}
	ev, err := w.repairs.Evidence(entCtx(), req.ID)
	must(t, err)
	if len(ev) != 4 || ev[0].Kind != evidence.KindFile || ev[1].Kind != evidence.KindText || ev[2].ContentType != "image/png" || ev[2].Data != nil {
		t.Fatalf("evidence %+v", ev)
	}

	_, err = w.repairs.Approve(officerCtx(), req.ID, " ")
	wantCode(t, err, apperr.Invalid)
	req, err = w.repairs.Approve(officerCtx(), req.ID, "材料齐全，已纠正失信行为")
	must(t, err)
	if req.Status != models.RepairApproved || req.DecidedBy != officerUser || req.DecidedAt == nil || req.OpenKey != nil {
		t.Fatalf("approved request %+v", req)
	}
	got := w.loadRecord(t, rec.ID) // kept, not deleted (R1.4)
	if got.Status != models.RecordRepaired {
		t.Fatalf("record status %s", got.Status)
	}
	_, err = w.repairs.Approve(officerCtx(), req.ID, "again")
	if e := apperr.As(err); e == nil || e.Code != apperr.FailedPrecondition || e.Details["status"] != "APPROVED" {
		t.Fatalf("second approval: %v", err)
	}
	if n := w.messages(t, WithdrawKey(rec.ID)); n != 1 {
		t.Fatalf("%d withdrawal messages, want 1", n)
	}
	if n := w.messages(t, "repair:"+req.ID); n != 1 {
		t.Fatalf("%d repair publication messages, want 1", n)
	}

	drain(t, w.worker())
	drain(t, w.worker())
	pubs, wds := w.platform.snapshot()
	if len(wds) != 1 || wds[0].PublicationID != "PUB-001" || wds[0].IdempotencyKey != WithdrawKey(rec.ID) {
		t.Fatalf("withdrawals %+v", wds)
	}
	if len(pubs) != 2 || pubs[1].Kind != "REPAIR" || pubs[1].SubjectUSCC != "9144030071526726XG" {
		t.Fatalf("publications %+v", pubs)
	}
	if got, err := w.repairs.Get(entCtx(), req.ID); err != nil || got.PublicationID != "PUB-002" {
		t.Fatalf("repair publication: %+v %v", got, err)
	}

	hist, err := w.repairs.History(entCtx(), req.ID)
	must(t, err)
	var actions []string
	for _, h := range hist {
		actions = append(actions, h.Action)
	}
	if want := []string{ActionFiled, ActionSupplementAsked, ActionSupplemented, ActionApproved}; !slices.Equal(actions, want) {
		t.Fatalf("history %v, want %v", actions, want)
	}
	recHist, err := w.records.History(staffCtx(), rec.ID)
	must(t, err)
	var recActions []string
	for _, h := range recHist {
		recActions = append(recActions, h.Action)
	}
	if want := []string{EventCreated, EventPublished, EventStatusChanged, EventWithdrawn}; !slices.Equal(recActions, want) {
		t.Fatalf("record history %v, want %v", recActions, want)
	}
}

func TestRepairDenyAndApprovalWithoutPublication(t *testing.T) {
	// R5.1: a denial leaves the record unchanged and closes the request; an
	// approval of a record never published queues no withdrawal.
	w := newWF(t, RepairConfig{})
	s := w.enterprise(t, "丙公司", "914403001922038216")
	rec := w.newRecord(t, s.ID, models.KindViolation, models.SeverityGeneral, noon(2026, 1, 5))
	file := func() models.RepairRequest {
		t.Helper()
		req, err := w.repairs.File(entCtx(), FileRepair{RecordID: rec.ID, Statement: "已整改", SignCommitment: true})
		must(t, err)
		return req
	}
	req := file()
	_, err := w.repairs.Deny(officerCtx(), req.ID, "no")
	if e := apperr.As(err); e == nil || e.Code != apperr.FailedPrecondition || e.Details["status"] != "SUBMITTED" {
		t.Fatalf("deny before review: %v", err)
	}
	req, err = w.repairs.StartReview(officerCtx(), req.ID)
	must(t, err)
	if req.Status != models.RepairUnderReview || req.AssigneeID == nil || *req.AssigneeID != officerUser {
		t.Fatalf("in review: %+v", req)
	}
	_, err = w.repairs.StartReview(officerCtx(), req.ID)
	wantCode(t, err, apperr.FailedPrecondition)
	req, err = w.repairs.Deny(officerCtx(), req.ID, "整改材料不足")
	must(t, err)
	if req.Status != models.RepairDenied || w.loadRecord(t, rec.ID).Status != models.RecordActive {
		t.Fatalf("denied: %s, record %s", req.Status, w.loadRecord(t, rec.ID).Status)
	}

	req = file() // a denied request no longer blocks a new one
	_, err = w.repairs.StartReview(officerCtx(), req.ID)
	must(t, err)
	_, err = w.repairs.Approve(officerCtx(), req.ID, "ok")
	must(t, err)
	if n := w.messages(t, WithdrawKey(rec.ID)); n != 0 {
		t.Fatalf("%d withdrawal messages for a record never published", n)
	}
	list, err := w.repairs.ListForSubject(entCtx(), s.ID)
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("%d requests listed", len(list))
	}
}

func TestRepairQueue(t *testing.T) {
	// R5.1, R5.3: staff see the queue by deadline with an Overdue flag.
	w := newWF(t, RepairConfig{})
	s := w.enterprise(t, "丁公司", "914403001922038216")
	var ids []string
	for i, filed := range []time.Time{noon(2026, 6, 1), noon(2026, 6, 2), noon(2026, 6, 3)} {
		w.clock.set(filed)
		rec := w.newRecord(t, s.ID, models.KindViolation, models.SeverityMinor, filed)
		req, err := w.repairs.File(entCtx(), FileRepair{RecordID: rec.ID, Statement: "已整改", SignCommitment: true})
		must(t, err)
		ids = append(ids, req.ID)
		if i == 1 {
			_, err = w.repairs.StartReview(officerCtx(), req.ID)
			must(t, err)
		}
	}
	w.clock.set(noon(2026, 6, 16)) // after the first deadline (2026-06-15), before the second (2026-06-16 end)
	_, err := w.repairs.Queue(entCtx(), RepairFilter{}, 10, "")
	wantCode(t, err, apperr.Forbidden)
	cases := []struct {
		name    string
		f       RepairFilter
		want    []string
		overdue []bool
	}{
		{"all", RepairFilter{}, ids, []bool{true, false, false}},
		{"overdue only", RepairFilter{OverdueOnly: true}, ids[:1], []bool{true}},
		{"by assignee", RepairFilter{AssigneeID: officerUser}, ids[1:2], []bool{false}},
		{"by status", RepairFilter{Status: models.RepairSubmitted}, []string{ids[0], ids[2]}, []bool{true, false}},
	}
	for _, c := range cases {
		p, err := w.repairs.Queue(staffCtx(), c.f, 10, "")
		must(t, err)
		var got []string
		var over []bool
		for _, it := range p.Items {
			got, over = append(got, it.ID), append(over, it.Overdue)
		}
		if !slices.Equal(got, c.want) || !slices.Equal(over, c.overdue) || p.TotalCount != int64(len(c.want)) {
			t.Errorf("%s: %v %v (total %d), want %v %v", c.name, got, over, p.TotalCount, c.want, c.overdue)
		}
	}
	// Pagination one at a time follows the deadlines.
	var paged []string
	after := ""
	for range 5 {
		p, err := w.repairs.Queue(staffCtx(), RepairFilter{}, 1, after)
		must(t, err)
		for _, it := range p.Items {
			paged = append(paged, it.ID)
		}
		if !p.HasNext {
			break
		}
		after = p.EndCursor
	}
	if !slices.Equal(paged, ids) {
		t.Fatalf("paged %v, want %v", paged, ids)
	}
	_, err = w.repairs.Queue(staffCtx(), RepairFilter{}, 1, "bogus")
	wantCode(t, err, apperr.Invalid)
	_, err = w.repairs.Queue(staffCtx(), RepairFilter{Status: "NOPE"}, 1, "")
	wantCode(t, err, apperr.Invalid)
}

func TestDeadlinesFollowTheCalendar(t *testing.T) {
	// R5.3: review deadlines are working days from the holiday calendar
	// (holidays skipped, make-up working days counted) and configuration.
	cases := []struct {
		name                  string
		cfg                   RepairConfig
		filed                 time.Time
		repairDue, objDue     time.Time
		acceptedDue, extended time.Time
	}{
		// 2026-09-29 (Tue): 9-30, [10-1…10-7 国庆], 10-8, 10-9, 10-10 (调休上班), 10-12 … 10-19.
		{"across National Day", RepairConfig{}, noon(2026, 9, 29),
			time.Date(2026, 10, 19, 23, 59, 59, 0, shanghai), time.Date(2026, 10, 12, 23, 59, 59, 0, shanghai),
			time.Date(2026, 10, 12, 23, 59, 59, 0, shanghai), time.Date(2026, 10, 14, 23, 59, 59, 0, shanghai)},
		// 2026-02-13 (Fri): 2-14 (Sat, 调休上班), [2-15…2-23 春节], 2-24 … 2-27, 2-28 (Sat, 调休上班), 3-2 … 3-5.
		{"Spring Festival with make-up days", RepairConfig{}, noon(2026, 2, 13),
			time.Date(2026, 3, 5, 23, 59, 59, 0, shanghai), time.Date(2026, 2, 27, 23, 59, 59, 0, shanghai),
			time.Date(2026, 2, 27, 23, 59, 59, 0, shanghai), time.Date(2026, 3, 2, 23, 59, 59, 0, shanghai)},
		{"configured periods", RepairConfig{RepairReviewDays: 2, ObjectionReviewDays: 1}, noon(2026, 2, 13),
			time.Date(2026, 2, 24, 23, 59, 59, 0, shanghai), time.Date(2026, 2, 14, 23, 59, 59, 0, shanghai),
			time.Date(2026, 2, 14, 23, 59, 59, 0, shanghai), time.Date(2026, 2, 25, 23, 59, 59, 0, shanghai)},
	}
	cal := calendar.Default()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWF(t, c.cfg)
			w.clock.set(c.filed)
			s := w.enterprise(t, "戊公司", "914403001922038216")
			r1 := w.newRecord(t, s.ID, models.KindViolation, models.SeverityMinor, c.filed)
			r2 := w.newRecord(t, s.ID, models.KindViolation, models.SeverityMinor, c.filed)
			req, err := w.repairs.File(entCtx(), FileRepair{RecordID: r1.ID, Statement: "已整改", SignCommitment: true})
			must(t, err)
			obj, err := w.objections.File(entCtx(), FileObjection{RecordID: r2.ID, Reason: "记录有误"})
			must(t, err)
			if !req.DueAt.Equal(c.repairDue) || !req.DueAt.Equal(cal.AddWorkdays(c.filed, w.repairs.cfg.RepairReviewDays)) {
				t.Errorf("repair due %v, want %v", req.DueAt.In(shanghai), c.repairDue)
			}
			if !obj.DueAt.Equal(c.objDue) {
				t.Errorf("objection acceptance due %v, want %v", obj.DueAt.In(shanghai), c.objDue)
			}
			obj, err = w.objections.Accept(officerCtx(), obj.ID)
			must(t, err)
			if !obj.DueAt.Equal(c.acceptedDue) {
				t.Errorf("objection decision due %v, want %v", obj.DueAt.In(shanghai), c.acceptedDue)
			}
			obj, err = w.objections.Extend(officerCtx(), obj.ID, 2, "需要现场核查")
			must(t, err)
			if !obj.DueAt.Equal(c.extended) || !obj.Extended {
				t.Errorf("extended due %v, want %v", obj.DueAt.In(shanghai), c.extended)
			}
		})
	}
}
