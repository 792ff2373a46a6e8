package server_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"creditwater/creditplatform/simulator"
	"creditwater/enterprise"
	"creditwater/ident"
	"creditwater/models"
)

const (
	giveConsent = `mutation($p:ConsentPurpose!,$v:String!){giveConsent(input:{purpose:$p,textVersion:$v}){consent{purpose}}}`
	bindMut     = `mutation($in:BindEnterpriseInput!){bindEnterprise(input:$in){binding{id uscc status idNumberMasked role personName subject{id uscc name}}}}`
	startFace   = `mutation($s:ID,$b:ID){startFaceVerification(input:{subjectId:$s,bindingId:$b}){verifyId}}`
	doneFace    = `mutation($v:String!){completeFaceVerification(input:{verifyId:$v}){outcome passed validUntil binding{id status subject{id name}}}}`
)

// residentID completes 17 digits with their GB 11643-1999 check character.
func residentID(first17 string) string {
	c, err := ident.ResidentIDCheckChar(first17)
	if err != nil {
		panic(err)
	}
	return first17 + string(c)
}

func bindInput(uscc, idNo string) map[string]any {
	return map[string]any{"uscc": uscc, "legalRepName": "张三", "idType": "RESIDENT_ID_CARD", "idNumber": idNo}
}

type bound struct {
	BindEnterprise struct {
		Binding struct {
			ID, Uscc, Status, IDNumberMasked, Role, PersonName string
			Subject                                            *struct{ ID, Uscc, Name string }
		}
	} `json:"bindEnterprise"`
}

// registered makes the registry simulator show 张三 with idNo as uscc's
// current legal representative (R6.5).
func (h *harness) registered(uscc, idNo string) {
	h.t.Helper()
	if !h.srv.RegistrySimulator().SetLegalRep(uscc, "张三", idNo) {
		h.t.Fatalf("the registry simulator does not know %s", uscc)
	}
}

// consented logs a new enterprise user in and records both consents.
func (h *harness) consented(code string) string {
	tok := h.wechatToken(code)
	for _, p := range []string{"ID_PROCESSING", "FACE_VERIFICATION"} {
		h.must(tok, giveConsent, map[string]any{"p": p, "v": enterprise.ConsentTextVersion}, nil)
	}
	return tok
}

// bind registers 张三 with idNo as uscc's legal representative and binds
// the user as such: the binding is PENDING.
func (h *harness) bind(tok, uscc, idNo string) bound {
	h.t.Helper()
	h.registered(uscc, idNo)
	var b bound
	h.must(tok, bindMut, map[string]any{"in": bindInput(uscc, idNo)}, &b)
	return b
}

type faceDone struct {
	CompleteFaceVerification struct {
		Outcome    string
		Passed     bool
		ValidUntil *string
		Binding    *struct {
			ID, Status string
			Subject    *struct{ ID, Name string }
		}
	} `json:"completeFaceVerification"`
}

// face runs a face verification of the caller's binding bindingID (or of
// the binding to subjectID) and returns the result.
func (h *harness) face(tok, bindingID, subjectID string) faceDone {
	h.t.Helper()
	vars := map[string]any{}
	if bindingID != "" {
		vars["b"] = bindingID
	}
	if subjectID != "" {
		vars["s"] = subjectID
	}
	var st struct {
		StartFaceVerification struct{ VerifyID string } `json:"startFaceVerification"`
	}
	h.must(tok, startFace, vars, &st)
	var done faceDone
	h.must(tok, doneFace, map[string]any{"v": st.StartFaceVerification.VerifyID}, &done)
	return done
}

// bindVerified binds the user as uscc's legal representative and passes
// the face verification that makes the binding ACTIVE; it returns the
// subject's ID.
func (h *harness) bindVerified(tok, uscc, idNo string) string {
	h.t.Helper()
	b := h.bind(tok, uscc, idNo)
	done := h.face(tok, b.BindEnterprise.Binding.ID, "")
	got := done.CompleteFaceVerification
	if !got.Passed || got.Binding == nil || got.Binding.Status != "ACTIVE" || got.Binding.Subject == nil {
		h.t.Fatalf("binding not activated by the face verification: %+v", got)
	}
	return got.Binding.Subject.ID
}

// passFace runs a face verification that passes.
func (h *harness) passFace(tok, subjectID string) {
	h.t.Helper()
	if !h.face(tok, "", subjectID).CompleteFaceVerification.Passed {
		h.t.Fatal("face verification did not pass")
	}
}

// R6.1, R7.2: binding needs consent, validates USCC and ID per the national
// standards, stores the ID sealed and shows it masked.
func TestBindEnterprise_R6_1_R7_2(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.wechatToken("binder")
	r := h.gql(tok, bindMut, map[string]any{"in": bindInput(simulator.EnterpriseA, "11010519491231002X")})
	if r.code() != "FAILED_PRECONDITION" || r.Errors[0].Extensions["reason"] != "CONSENT_REQUIRED" {
		t.Fatalf("bind without consent: %s", r.Raw)
	}
	h.must(tok, giveConsent, map[string]any{"p": "ID_PROCESSING", "v": enterprise.ConsentTextVersion}, nil)
	if r := h.gql(tok, giveConsent, map[string]any{"p": "FACE_VERIFICATION", "v": "1999-old"}); r.code() != "INVALID" {
		t.Errorf("stale consent text version: %s", r.Raw)
	}

	bad := []struct {
		name, uscc, id, field, reason string
	}{
		{"USCC too short", "91440300192203821", "11010519491231002X", "uscc", "LENGTH"},
		{"USCC with I", "9144030019220382I6", "11010519491231002X", "uscc", "CHARSET"},
		{"USCC checksum", "914403001922038217", "11010519491231002X", "uscc", "CHECKSUM"},
		{"ID too short", simulator.EnterpriseA, "1101051949123100", "idNumber", "LENGTH"},
		{"ID birth date", simulator.EnterpriseA, "110105194902300027", "idNumber", "BIRTH_DATE"},
		{"ID checksum", simulator.EnterpriseA, "110105194912310021", "idNumber", "CHECKSUM"},
	}
	for _, c := range bad {
		r := h.gql(tok, bindMut, map[string]any{"in": bindInput(c.uscc, c.id)})
		if r.code() != "INVALID" || r.Errors[0].Extensions["field"] != c.field || r.Errors[0].Extensions["reason"] != c.reason {
			t.Errorf("%s: %s", c.name, r.Raw)
		}
	}
	var n int64
	h.srv.DB().Table("enterprise_bindings").Count(&n)
	if n != 0 {
		t.Fatalf("invalid input stored %d bindings", n)
	}

	for _, v := range []struct{ uscc, id string }{
		{simulator.EnterpriseA, "11010519491231002X"}, {simulator.EnterpriseB, "440524188001010014"},
	} {
		b := h.bind(tok, v.uscc, v.id)
		got := b.BindEnterprise.Binding
		if got.Uscc != v.uscc || got.Status != "PENDING" || got.Subject != nil || got.IDNumberMasked != v.id[:4]+strings.Repeat("*", 10)+v.id[14:] {
			t.Errorf("binding: %+v", got)
		}
	}
	// The raw row does not contain the plain number.
	var rows []map[string]any
	h.srv.DB().Table("enterprise_bindings").Find(&rows)
	for _, row := range rows {
		raw, _ := json.Marshal(row)
		if strings.Contains(string(raw), "11010519491231002X") || strings.Contains(string(raw), "440524188001010014") {
			t.Errorf("plain ID number stored: %s", raw)
		}
	}
}

// R6.1: each face-verification outcome, and a verifyId works once.
func TestFaceVerificationOutcomes_R6_1(t *testing.T) {
	h := newHarness(t, testEnv(t))
	fk := h.srv.WeChatFake()
	cases := []struct {
		id      string
		ret     int
		outcome string
	}{
		{"11010519491231002X", 10000, "PASSED"},
		{"440524188001010014", 90004, "CANCELLED"},
		{residentID("11010519491231004"), 90017, "TIMED_OUT"},
		{residentID("11010519491231006"), 10004, "FACE_MISMATCH"},
		{residentID("11010519491231008"), 10003, "ID_MISMATCH"},
	}
	for i, c := range cases {
		tok := h.consented("face-" + c.outcome)
		b := h.bind(tok, simulator.EnterpriseA, c.id)
		fk.SetFaceResult(c.id, c.ret)
		var st struct {
			StartFaceVerification struct{ VerifyID string } `json:"startFaceVerification"`
		}
		h.must(tok, startFace, map[string]any{"b": b.BindEnterprise.Binding.ID}, &st)
		var done faceDone
		h.must(tok, doneFace, map[string]any{"v": st.StartFaceVerification.VerifyID}, &done)
		got := done.CompleteFaceVerification
		if got.Outcome != c.outcome || got.Passed != (c.outcome == "PASSED") || (got.ValidUntil != nil) != got.Passed {
			t.Errorf("case %d verify_ret %d: %+v, want %s", i, c.ret, got, c.outcome)
		}
		// R6.5: only a pass of the same person makes the binding ACTIVE.
		if want := map[bool]string{true: "ACTIVE", false: "PENDING"}[got.Passed]; got.Binding == nil || got.Binding.Status != want {
			t.Errorf("case %d: binding after %s: %+v, want %s", i, c.outcome, got.Binding, want)
		}
		r := h.gql(tok, doneFace, map[string]any{"v": st.StartFaceVerification.VerifyID})
		if r.code() != "FAILED_PRECONDITION" || r.Errors[0].Extensions["reason"] != "FACE_VERIFY_ID_USED" {
			t.Errorf("reused verifyId: %s", r.Raw)
		}
	}
	// Another user's verifyId is not found.
	other := h.consented("face-other")
	if r := h.gql(other, doneFace, map[string]any{"v": "no-such-id"}); r.code() != "NOT_FOUND" {
		t.Errorf("unknown verifyId: %s", r.Raw)
	}
}

// R6.1, R6.2: the e-credit report needs a fresh face verification, is only
// for one's own enterprise, and every read is audited.
func TestCreditReportAccess_R6_1_R6_2(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("reporter")
	const myReport = `query($s:ID){myCreditReport(subjectId:$s){reportNo uscc rating ratingLabel entries{kind}}}`
	h.bind(tok, simulator.EnterpriseWithEntries, "11010519491231002X")
	if r := h.gql(tok, myReport, nil); r.code() != "FAILED_PRECONDITION" || r.Errors[0].Extensions["reason"] != "NOT_BOUND" {
		t.Fatalf("report of a PENDING binding: %s", r.Raw)
	}
	subj := h.bindVerified(tok, simulator.EnterpriseWithEntries, "11010519491231002X")
	// The face pass expires: the report needs a fresh one.
	h.srv.DB().Model(&models.FaceVerification{}).Where("1 = 1").Update("valid_until", time.Now().Add(-time.Minute))
	r := h.gql(tok, myReport, map[string]any{"s": subj})
	if r.code() != "FORBIDDEN" || r.Errors[0].Extensions["reason"] != "FACE_VERIFICATION_REQUIRED" {
		t.Fatalf("report without a fresh face verification: %s", r.Raw)
	}
	h.passFace(tok, subj)
	var rep struct {
		MyCreditReport struct {
			ReportNo, Uscc, Rating, RatingLabel string
			Entries                             []struct{ Kind string }
		} `json:"myCreditReport"`
	}
	h.must(tok, myReport, map[string]any{"s": subj}, &rep)
	if rep.MyCreditReport.Uscc != simulator.EnterpriseWithEntries || rep.MyCreditReport.Rating != "C" || rep.MyCreditReport.RatingLabel != "失信观察" || len(rep.MyCreditReport.Entries) != 2 {
		t.Errorf("report: %+v", rep.MyCreditReport)
	}

	// Another enterprise's report: not bound → FORBIDDEN.
	otherTok := h.consented("other-enterprise")
	other := h.bindVerified(otherTok, simulator.EnterpriseB, "440524188001010014")
	if r := h.gql(tok, myReport, map[string]any{"s": other}); r.code() != "FORBIDDEN" {
		t.Errorf("another enterprise's report: %s", r.Raw)
	}
	if r := h.gql(tok, `{creditReport(uscc:"`+simulator.EnterpriseB+`",purpose:"x"){reportNo}}`, nil); r.code() != "FORBIDDEN" {
		t.Errorf("staff report query as enterprise: %s", r.Raw)
	}

	staff := h.staffToken("staff", "demo-staff-pass")
	h.must(staff, `{creditReport(uscc:"`+simulator.EnterpriseB+`",purpose:"受理用水申请核查"){reportNo}}`, nil, nil)
	var rating struct {
		CreditRating struct {
			Rating string
			Stale  bool
		} `json:"creditRating"`
	}
	h.must(staff, `{creditRating(uscc:"`+simulator.EnterpriseD+`"){rating stale}}`, nil, &rating)
	if rating.CreditRating.Rating != "D" || rating.CreditRating.Stale {
		t.Errorf("rating: %+v", rating)
	}

	admin := h.staffToken("admin", "demo-admin-pass")
	var log struct {
		AuditLog struct {
			TotalCount int
			Edges      []struct {
				Node struct{ ActorRole, SubjectID, Purpose string }
			}
		} `json:"auditLog"`
	}
	h.must(admin, `{auditLog(filter:{action:"credit.report.read"}){totalCount edges{node{actorRole subjectId purpose}}}}`, nil, &log)
	if log.AuditLog.TotalCount != 2 {
		t.Fatalf("audited report reads: %+v", log.AuditLog)
	}
	roles := map[string]string{}
	for _, e := range log.AuditLog.Edges {
		roles[e.Node.ActorRole] = e.Node.SubjectID + " / " + e.Node.Purpose
	}
	if !strings.HasPrefix(roles["STAFF"], simulator.EnterpriseB+" / 受理用水申请核查") || !strings.HasPrefix(roles["ENTERPRISE"], simulator.EnterpriseWithEntries) {
		t.Errorf("audit entries: %v", roles)
	}
}

// Sessions need Redis: with Redis down an API call fails closed with
// UNAVAILABLE (not a panic or a bare 500) and works again, without a
// restart, when Redis returns.
func TestRedisOutageFailsClosedAndRecovers(t *testing.T) {
	mr := miniredis.RunT(t)
	env := testEnv(t)
	env["CW_REDIS_URL"], env["CW_REDIS_MODE"] = "redis://"+mr.Addr(), "single"
	h := newHarness(t, env)
	tok := h.staffToken("staff", "demo-staff-pass")
	mr.Close()
	r := h.gql(tok, `{me{role}}`, nil)
	if r.Status != 200 || r.code() != "UNAVAILABLE" || r.Errors[0].Extensions["retryAfter"] == nil {
		t.Fatalf("with Redis down: %d %s", r.Status, r.Raw)
	}
	if err := mr.Restart(); err != nil {
		t.Fatal(err)
	}
	var me struct{ Me struct{ Role string } }
	h.must(tok, `{me{role}}`, nil, &me)
	if me.Me.Role != "STAFF" {
		t.Fatalf("after Redis returned: %+v", me)
	}
}
