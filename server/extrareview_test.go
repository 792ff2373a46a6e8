package server_test

import (
	"strings"
	"testing"

	"creditwater/creditplatform/simulator"
	"creditwater/models"
	"creditwater/notice"
)

const (
	extraQuery = `query($id:ID!){application(id:$id){status version extraReview{required passedAt passedBy note} events{toStatus reason}}}`
	passExtra  = `mutation($id:ID!,$n:String!,$v:Int!){passExtraReview(input:{applicationId:$id,note:$n,version:$v}){application{status version extraReview{required passedAt passedBy note}}}}`
	acceptMut  = `mutation($id:ID!){acceptApplication(input:{applicationId:$id}){application{status}}}`
)

type extraView struct {
	Status      string
	Version     int
	ExtraReview struct {
		Required bool
		PassedAt *string
		PassedBy *string
		Note     *string
	}
	Events []struct{ ToStatus, Reason string }
}

func (h *harness) extra(tok, id string) extraView {
	h.t.Helper()
	var out struct{ Application extraView }
	h.must(tok, extraQuery, map[string]any{"id": id}, &out)
	return out.Application
}

// fallback takes an application to FALLBACK_TO_DOCUMENTS through a survey
// that finds it out of scope: the ordinary path, where acceptance is next.
func (h *harness) fallback(staff, appID string) {
	h.t.Helper()
	h.surveyed(staff, appID)
	h.creditCheck(staff, appID)
}

// R3.4: the application of a DISHONEST subject has an explicit extra review
// step: it is marked at submission (and at the credit check), cannot be
// accepted before a credit officer passes it — not even by the officer —,
// staff without the officer's role cannot pass it, passing it takes the
// version read, adds a history event and an audit entry and tells the
// applicant; then the ordinary acceptance happens. A GOOD subject's
// application skips the step.
func TestR3_4_DishonestExtraReviewStep(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("extra-review-owner")
	subj := h.bindVerified(tok, simulator.EnterpriseA, "11010519491231002X")
	staff := h.staffToken("staff", "demo-staff-pass")
	officer := h.staffToken("officer", "demo-officer-pass")

	// GOOD: no step; accepted as usual.
	good, _ := h.submit(tok, submitInput("extra-key-good", "OTHER"))
	if v := h.extra(staff, good); v.ExtraReview.Required {
		t.Fatalf("a GOOD subject's application needs the extra review: %+v", v)
	}
	h.fallback(staff, good)
	if r := h.gql(officer, passExtra, map[string]any{"id": good, "n": "无须复核", "v": h.extra(staff, good).Version}); r.code() != "FAILED_PRECONDITION" ||
		!strings.Contains(r.Raw, "EXTRA_REVIEW_NOT_REQUIRED") {
		t.Fatalf("passing a step that is not required: %s", r.Raw)
	}
	h.must(staff, acceptMut, map[string]any{"id": good}, nil)

	// DISHONEST: the step is required from submission.
	if err := h.srv.DB().Model(&models.Subject{}).Where("id = ?", subj).Update("grade", models.GradeDishonest).Error; err != nil {
		t.Fatal(err)
	}
	app, _ := h.submit(tok, submitInput("extra-key-dishonest", "OTHER"))
	if v := h.extra(staff, app); !v.ExtraReview.Required || v.ExtraReview.PassedAt != nil {
		t.Fatalf("a DISHONEST subject's application: %+v", v.ExtraReview)
	}
	h.fallback(staff, app)
	for who, t0 := range map[string]string{"staff": staff, "officer": officer} {
		if r := h.gql(t0, acceptMut, map[string]any{"id": app}); r.code() != "FAILED_PRECONDITION" || !strings.Contains(r.Raw, "EXTRA_REVIEW_REQUIRED") {
			t.Fatalf("%s accepted before the extra review: %s", who, r.Raw)
		}
	}
	v := h.extra(staff, app)
	if r := h.gql(staff, passExtra, map[string]any{"id": app, "n": "已复核", "v": v.Version}); r.code() != "FORBIDDEN" {
		t.Fatalf("staff without the officer's role passed it: %s", r.Raw)
	}
	if r := h.gql(tok, passExtra, map[string]any{"id": app, "n": "已复核", "v": v.Version}); r.code() != "FORBIDDEN" {
		t.Fatalf("the applicant passed it: %s", r.Raw)
	}
	if r := h.gql(officer, passExtra, map[string]any{"id": app, "n": "已复核", "v": v.Version - 1}); r.code() != "CONFLICT" {
		t.Fatalf("stale version: %s", r.Raw)
	}
	if r := h.gql(officer, passExtra, map[string]any{"id": app, "n": " ", "v": v.Version}); r.code() != "INVALID" {
		t.Fatalf("blank note: %s", r.Raw)
	}
	var passed struct {
		PassExtraReview struct{ Application extraView } `json:"passExtraReview"`
	}
	h.must(officer, passExtra, map[string]any{"id": app, "n": "已核实整改情况，同意按普通程序受理", "v": v.Version}, &passed)
	got := passed.PassExtraReview.Application
	if got.Status != v.Status || got.Version != v.Version+1 || got.ExtraReview.PassedAt == nil || got.ExtraReview.PassedBy == nil ||
		*got.ExtraReview.PassedBy != h.staffID(officer) || got.ExtraReview.Note == nil {
		t.Fatalf("after passing: %+v (before %+v)", got, v)
	}
	if r := h.gql(officer, passExtra, map[string]any{"id": app, "n": "再次复核", "v": got.Version}); r.code() != "FAILED_PRECONDITION" ||
		!strings.Contains(r.Raw, "EXTRA_REVIEW_PASSED") {
		t.Fatalf("passed twice: %s", r.Raw)
	}
	events := h.extra(staff, app).Events
	if last := events[len(events)-1]; last.ToStatus != v.Status || !strings.Contains(last.Reason, "失信主体额外复核通过") {
		t.Errorf("history: %+v", events)
	}
	if n := h.rows("audit_entries", "action = 'application.extra_review' AND subject_id = ?", app); n != 1 {
		t.Errorf("%d audit entries, want 1", n)
	}
	told := 0
	for _, e := range h.inbox(tok, false).Edges {
		if e.Node.Kind == string(notice.ApplicationStatus) && e.Node.RefID == app && strings.Contains(e.Node.Body, "额外复核") {
			told++
		}
	}
	if told != 1 {
		t.Errorf("the applicant was told %d times, want 1", told)
	}
	// Now the ordinary acceptance, by staff.
	h.must(staff, acceptMut, map[string]any{"id": app}, nil)
	if s := h.extra(staff, app).Status; s != "ACCEPTED" {
		t.Fatalf("status %s", s)
	}
}
