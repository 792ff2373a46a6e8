package review_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"creditwater/access"
	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/calendar"
	ct "creditwater/credit/credittest"
	"creditwater/credit/review"
	"creditwater/models"
	"creditwater/reqctx"
)

// fakeReviews is an in-memory review.Store of requests, their history and
// audit entries. moved makes the next UpdateRequest find the row changed
// by someone else. Methods the transitions below do not use are the nil
// embedded interface's.
type fakeReviews struct {
	review.Store
	repairs    map[string]models.RepairRequest
	objections map[string]models.Objection
	events     []models.RequestEvent
	audits     []audit.Entry
	evidence   int
	moved      bool
}

func (f *fakeReviews) Tx(_ context.Context, fn func(review.Store) error) error { return fn(f) }
func (f *fakeReviews) Audit(_ context.Context, e audit.Entry) error {
	f.audits = append(f.audits, e)
	return nil
}

func (f *fakeReviews) AddEvent(_ context.Context, ev models.RequestEvent) error {
	f.events = append(f.events, ev)
	return nil
}

func (f *fakeReviews) AddEvidence(_ context.Context, _, _ string, files []models.Evidence) error {
	f.evidence += len(files)
	return nil
}

func (f *fakeReviews) Request(_ context.Context, id string, row any) (bool, error) {
	switch r := row.(type) {
	case *models.RepairRequest:
		v, ok := f.repairs[id]
		*r = v
		return ok, nil
	case *models.Objection:
		v, ok := f.objections[id]
		*r = v
		return ok, nil
	}
	return false, nil
}

func (f *fakeReviews) UpdateRequest(_ context.Context, row any, version int) (bool, error) {
	if f.moved {
		return false, nil
	}
	switch r := row.(type) {
	case *models.RepairRequest:
		if f.repairs[r.ID].Version != version {
			return false, nil
		}
		f.repairs[r.ID] = *r
	case *models.Objection:
		if f.objections[r.ID].Version != version {
			return false, nil
		}
		f.objections[r.ID] = *r
	}
	return true, nil
}

// policy is an access policy that lets staff and the enterprise user u1
// act for every subject, and nobody else.
type policy struct{}

func (policy) Subject(ctx context.Context, _ string, _ ...models.AgentScope) (access.Grant, error) {
	a := reqctx.ActorFrom(ctx)
	if a == nil || (!a.Role.IsStaff() && a.UserID != "u1") {
		return access.Grant{}, apperr.New(apperr.Forbidden, "forbidden")
	}
	return access.Grant{Actor: a, Staff: a.Role.IsStaff()}, nil
}

// machine is the workflow on a fake store at noon of Monday 2026-06-01.
func machine() (*fakeReviews, *review.Repairs, *review.Objections, time.Time) {
	now := ct.Noon(2026, 6, 1)
	st := &fakeReviews{repairs: map[string]models.RepairRequest{}, objections: map[string]models.Objection{}}
	d := review.Deps{Store: st, Access: policy{}, Calendar: calendar.Default(), Now: func() time.Time { return now }}
	return st, review.NewRepairs(d), review.NewObjections(d), now
}

func TestRepairStateMachine(t *testing.T) {
	// R5.1, R5.3: which repair transitions each state allows; an allowed one
	// moves the state, bumps the version, writes one history entry (actor,
	// from, to) and one audit entry; a refused one is FAILED_PRECONDITION
	// INVALID_STATE naming the state, and writes nothing.
	ctx, ent := ct.OfficerCtx(), ct.ActorCtx(models.RoleEnterprise, "u1")
	type repairs = *review.Repairs
	assigned := func(r models.RepairRequest) bool { return r.AssigneeID != nil && *r.AssigneeID == ct.OfficerUser }
	actions := []struct {
		name  string
		run   func(r repairs, id string) (models.RepairRequest, error)
		from  []models.RepairStatus
		to    models.RepairStatus
		act   string
		actor string
		// check says whether the request is as the transition leaves it.
		check func(r models.RepairRequest, now time.Time) bool
	}{
		{"start review", func(r repairs, id string) (models.RepairRequest, error) { return r.StartReview(ctx, id, nil) },
			[]models.RepairStatus{models.RepairSubmitted}, models.RepairUnderReview, review.ActionReviewStarted, ct.OfficerUser,
			func(r models.RepairRequest, _ time.Time) bool { return assigned(r) }},
		{"request a supplement", func(r repairs, id string) (models.RepairRequest, error) {
			return r.RequestSupplement(ctx, id, []string{"照片"}, nil)
		}, []models.RepairStatus{models.RepairSubmitted, models.RepairUnderReview}, models.RepairNeedsSupplement, review.ActionSupplementAsked, ct.OfficerUser,
			func(r models.RepairRequest, _ time.Time) bool { return assigned(r) && r.MissingItems == `["照片"]` }},
		{"supplement", func(r repairs, id string) (models.RepairRequest, error) {
			return r.Supplement(ent, id, "补充说明", nil)
		},
			[]models.RepairStatus{models.RepairNeedsSupplement}, models.RepairUnderReview, review.ActionSupplemented, "u1",
			func(r models.RepairRequest, now time.Time) bool { // the review clock starts again
				return r.MissingItems == "[]" && r.DueAt.Equal(calendar.Default().AddWorkdays(now, 10).UTC())
			}},
		{"deny", func(r repairs, id string) (models.RepairRequest, error) { return r.Deny(ctx, id, "材料不足", nil) },
			[]models.RepairStatus{models.RepairUnderReview}, models.RepairDenied, review.ActionDenied, ct.OfficerUser,
			func(r models.RepairRequest, now time.Time) bool { // decided and closed
				return r.OpenKey == nil && r.DecidedBy == ct.OfficerUser && r.DecidedAt.Equal(now) && r.Decision == "材料不足"
			}},
	}
	all := []models.RepairStatus{models.RepairSubmitted, models.RepairNeedsSupplement, models.RepairUnderReview, models.RepairApproved, models.RepairDenied}
	for _, a := range actions {
		for _, from := range all {
			st, repairs, _, now := machine()
			st.repairs["r1"] = models.RepairRequest{Entity: models.Entity{ID: "r1"}, RecordID: "rec1", SubjectID: "s1",
				Status: from, Version: 3, DueAt: now, OpenKey: ct.Ptr("rec1"), MissingItems: `["x"]`}
			got, err := a.run(repairs, "r1")
			if !slices.Contains(a.from, from) {
				e := apperr.As(err)
				if e == nil || e.Reason != "INVALID_STATE" || e.Details["status"] != string(from) || len(st.events)+len(st.audits) != 0 ||
					st.repairs["r1"].Version != 3 {
					t.Errorf("%s from %s: %v (events %d, audits %d)", a.name, from, err, len(st.events), len(st.audits))
				}
				continue
			}
			ct.Must(t, err)
			ev := st.events
			if got.Status != a.to || got.Version != 4 || !a.check(got, now.UTC()) || len(ev) != 1 || ev[0].Action != a.act ||
				ev[0].FromStatus != string(from) || ev[0].ToStatus != string(a.to) || ev[0].ActorID != a.actor || ev[0].OwnerType != review.OwnerRepair ||
				len(st.audits) != 1 || st.audits[0].SubjectType != "repair_request" {
				t.Errorf("%s from %s: %+v, events %+v, audits %+v", a.name, from, got, ev, st.audits)
			}
		}
	}
}

func TestObjectionStateMachine(t *testing.T) {
	// R5.2, R5.3: an objection is refused only while SUBMITTED and its
	// deadline is extended only UNDER_REVIEW, once, by working days.
	ctx := ct.OfficerCtx()
	for _, from := range []models.ObjectionStatus{models.ObjectionSubmitted, models.ObjectionUnderReview, models.ObjectionUpheld} {
		st, _, objections, now := machine()
		due := now.Add(24 * time.Hour)
		st.objections["o1"] = models.Objection{Entity: models.Entity{ID: "o1"}, RecordID: "rec1", SubjectID: "s1", Status: from,
			Version: 1, DueAt: due, OpenKey: ct.Ptr("rec1")}
		got, err := objections.NotAccept(ctx, "o1", "无依据", nil)
		if from == models.ObjectionSubmitted {
			if err != nil || got.Status != models.ObjectionNotAccepted || got.OpenKey != nil || got.Decision != "无依据" {
				t.Fatalf("not accepted from %s: %+v %v", from, got, err)
			}
			continue
		}
		if e := apperr.As(err); e == nil || e.Reason != "INVALID_STATE" {
			t.Fatalf("not accepted from %s: %v", from, err)
		}
		got, err = objections.Extend(ctx, "o1", 2, "现场核查", nil)
		if from != models.ObjectionUnderReview {
			if e := apperr.As(err); e == nil || e.Reason != "INVALID_STATE" {
				t.Fatalf("extended from %s: %v", from, err)
			}
			continue
		}
		if err != nil || !got.Extended || !got.DueAt.Equal(calendar.Default().AddWorkdays(due, 2).UTC()) || got.Status != from || got.Version != 2 {
			t.Fatalf("extended: %+v %v", got, err)
		}
		_, err = objections.Extend(ctx, "o1", 1, "再次", nil)
		if e := apperr.As(err); e == nil || e.Reason != "ALREADY_EXTENDED" || len(st.events) != 1 {
			t.Fatalf("second extension: %v (%d events)", err, len(st.events))
		}
	}
}

func TestReviewOptimisticLocking(t *testing.T) {
	// R5.2: a stale version from the caller, or a row changed between the
	// read and the write, is CONFLICT (REQUEST_CHANGED) and writes nothing.
	st, repairs, _, now := machine()
	st.repairs["r1"] = models.RepairRequest{Entity: models.Entity{ID: "r1"}, RecordID: "rec1", SubjectID: "s1",
		Status: models.RepairUnderReview, Version: 5, DueAt: now, MissingItems: "[]"}
	_, err := repairs.RequestSupplement(ct.OfficerCtx(), "r1", []string{"照片"}, ct.Ptr(4))
	if e := apperr.As(err); e == nil || e.Code != apperr.Conflict || e.Reason != "REQUEST_CHANGED" || e.Details["version"] != 5 {
		t.Fatalf("stale version: %v", err)
	}
	st.moved = true
	_, err = repairs.StartReview(ct.OfficerCtx(), "r1", nil)
	ct.WantCode(t, err, apperr.FailedPrecondition) // the state is checked first
	_, err = repairs.Deny(ct.OfficerCtx(), "r1", "材料不足", nil)
	if e := apperr.As(err); e == nil || e.Code != apperr.Conflict || e.Reason != "REQUEST_CHANGED" {
		t.Fatalf("changed meanwhile: %v", err)
	}
	if len(st.events) != 0 || len(st.audits) != 0 || st.repairs["r1"].Status != models.RepairUnderReview {
		t.Fatalf("a refused transition wrote %d events, %d audits", len(st.events), len(st.audits))
	}
}
