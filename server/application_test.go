package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"creditwater/creditplatform/simulator"
	"creditwater/models"
)

const (
	submitMut = `mutation($in:SubmitApplicationInput!){submitApplication(input:$in){replayed application{id status version vip} eligibilityPreview{code passed}}}`
	appQuery  = `query($id:ID!){application(id:$id){id status version documentsWaived reportNo rating failedConditions{code passed detail} commitment{id sha256 text publicationId} events{toStatus actorRole reason}}}`
)

type appView struct {
	ID, Status       string
	Version          int
	DocumentsWaived  bool
	ReportNo, Rating *string
	FailedConditions []struct {
		Code   string
		Passed *bool
		Detail string
	}
	Commitment *struct{ ID, Sha256, Text, PublicationID string }
	Events     []struct{ ToStatus, ActorRole, Reason string }
}

func (h *harness) app(tok, id string) appView {
	var out struct{ Application appView }
	h.must(tok, appQuery, map[string]any{"id": id}, &out)
	return out.Application
}

func submitInput(key string, land string) map[string]any {
	return map[string]any{"address": "韶关市浈江区工业大道 8 号", "land": land, "category": "工业用水", "contactName": "李四",
		"contactPhone": "13812345678", "wantsCreditHandling": true, "idempotencyKey": key}
}

func (h *harness) submit(tok string, in map[string]any) (id string, replayed bool) {
	var out struct {
		SubmitApplication struct {
			Replayed    bool
			Application struct{ ID, Status string }
		} `json:"submitApplication"`
	}
	h.must(tok, submitMut, map[string]any{"in": in}, &out)
	return out.SubmitApplication.Application.ID, out.SubmitApplication.Replayed
}

func (h *harness) staffID(tok string) string {
	var me struct{ Me struct{ ID string } }
	h.must(tok, `{me{id}}`, nil, &me)
	return me.Me.ID
}

// surveyed takes an application through survey scheduling and a fitting survey.
func (h *harness) surveyed(staff, appID string) {
	h.must(staff, `mutation($id:ID!,$a:ID!,$t:Time!,$v:Int!){scheduleSurvey(input:{applicationId:$id,assigneeId:$a,at:$t,version:$v}){application{status}}}`,
		map[string]any{"id": appID, "a": h.staffID(staff), "t": time.Now().Add(24 * time.Hour).Format(time.RFC3339), "v": h.ver(staff, appID)}, nil)
	h.must(staff, `mutation($id:ID!,$v:Int!){recordSurvey(input:{applicationId:$id,fit:true,wantsCreditHandling:true,notes:"地址与业务类别适用",version:$v}){application{status}}}`,
		map[string]any{"id": appID, "v": h.ver(staff, appID)}, nil)
}

// ver is the application's version now, as a staff screen shows it.
func (h *harness) ver(staff, appID string) int {
	return h.app(staff, appID).Version
}

func (h *harness) creditCheck(staff, appID string) (eligible bool, view appView) {
	var out struct {
		RunCreditCheck struct{ Eligible bool } `json:"runCreditCheck"`
	}
	h.must(staff, `mutation($id:ID!,$v:Int!){runCreditCheck(input:{applicationId:$id,version:$v}){eligible}}`, map[string]any{"id": appID, "v": h.ver(staff, appID)}, &out)
	return out.RunCreditCheck.Eligible, h.app(staff, appID)
}

const signMut = `mutation($id:ID!){signCommitment(input:{applicationId:$id,noProofReason:"厂房系历史遗留建筑，暂未办理不动产权证",relation:OWNER}){commitment{id sha256 text} application{status}}}`

// R4.2, R2.1–R2.3, R4.4, R6.3: the whole zero-document flow through the
// HTTP handler with the fake WeChat and the credit-platform simulator.
func TestZeroDocumentApplicationEndToEnd_R4_2_R2_3_R6_3(t *testing.T) {
	h := newHarness(t, testEnv(t))
	sim := h.srv.CreditPlatformSimulator()
	fk := h.srv.WeChatFake()

	tok := h.consented("e2e-enterprise")
	subj := h.bindVerified(tok, simulator.EnterpriseA, "11010519491231002X")
	for range 8 {
		h.must(tok, `mutation{grantSubscription(input:{templateId:"application-status"}){remaining}}`, nil, nil)
	}
	h.passFace(tok, subj)

	in := submitInput("e2e-key-0001", "OWN_BUILDING_ON_STATE_LAND")
	id, replayed := h.submit(tok, in)
	id2, replayed2 := h.submit(tok, in) // a retried submit (R6.3)
	if id2 != id || replayed || !replayed2 {
		t.Fatalf("idempotent submit: %s/%v then %s/%v", id, replayed, id2, replayed2)
	}
	var n int64
	h.srv.DB().Model(&models.Application{}).Count(&n)
	if n != 1 {
		t.Fatalf("applications after a retried submit: %d", n)
	}

	staff := h.staffToken("staff", "demo-staff-pass")
	h.surveyed(staff, id)
	eligible, view := h.creditCheck(staff, id)
	if !eligible || view.Status != "CREDIT_CHECKED" || view.ReportNo == nil || *view.Rating != "A" {
		t.Fatalf("credit check: %v %+v", eligible, view)
	}

	var signed struct {
		SignCommitment struct {
			Commitment  struct{ ID, Sha256, Text string }
			Application struct{ Status string }
		} `json:"signCommitment"`
	}
	h.must(tok, signMut, map[string]any{"id": id}, &signed)
	c := signed.SignCommitment.Commitment
	sum := sha256.Sum256([]byte(c.Text))
	if signed.SignCommitment.Application.Status != "COMMITMENT_SIGNED" || hex.EncodeToString(sum[:]) != c.Sha256 ||
		!strings.Contains(c.Text, "韶关市清源食品有限公司") || !strings.Contains(c.Text, "☑业主") || strings.Contains(c.Text, "11010519491231002X") {
		t.Fatalf("signed letter: %+v", signed.SignCommitment)
	}

	// Publication through the outbox (R2.3).
	if _, err := h.srv.Outbox().RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	view = h.app(staff, id)
	if view.Status != "PUBLISHED" || view.Commitment == nil || view.Commitment.PublicationID == "" || len(sim.Publications()) != 1 {
		t.Fatalf("after delivery: %+v, %d publications", view, len(sim.Publications()))
	}

	// Two staff accept at once: one succeeds, the other gets CONFLICT.
	other := h.staffToken("officer", "demo-officer-pass")
	var wg sync.WaitGroup
	codes := make([]string, 2)
	for i, who := range []string{staff, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := h.gql(who, `mutation($id:ID!,$v:Int!){acceptApplication(input:{applicationId:$id,version:$v}){application{status}}}`,
				map[string]any{"id": id, "v": view.Version})
			codes[i] = r.code()
		}()
	}
	wg.Wait()
	if !((codes[0] == "" && codes[1] == "CONFLICT") || (codes[0] == "CONFLICT" && codes[1] == "")) {
		t.Fatalf("concurrent acceptance codes: %q", codes)
	}
	view = h.app(staff, id)
	if view.Status != "ACCEPTED" || !view.DocumentsWaived {
		t.Fatalf("accepted: %+v", view)
	}
	want := []string{"SUBMITTED", "SURVEY_SCHEDULED", "SURVEYED", "CREDIT_CHECKED", "COMMITMENT_SIGNED", "PUBLISHED", "ACCEPTED"}
	var got []string
	for _, e := range view.Events {
		got = append(got, e.ToStatus)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("history: %v", got)
	}

	// Notifications along the way (R4.4): one per status change after submission.
	if _, err := h.srv.Outbox().RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if sent := fk.SentMessages(); len(sent) != len(want)-1 {
		t.Errorf("subscribe messages sent: %d, want %d", len(sent), len(want)-1)
	}

	// The audit log has the steps and the report read.
	admin := h.staffToken("admin", "demo-admin-pass")
	for _, action := range []string{"application.submitted", "application.credit_checked", "credit.report.read", "application.accepted"} {
		var log struct{ AuditLog struct{ TotalCount int } }
		h.must(admin, `query($a:String){auditLog(filter:{action:$a}){totalCount}}`, map[string]any{"a": action}, &log)
		if log.AuditLog.TotalCount < 1 {
			t.Errorf("audit log lacks %s", action)
		}
	}

	// The signed letter cannot be changed (R2.2): signing again returns the
	// same letter, another one is refused, and it cannot be updated.
	var again struct {
		SignCommitment struct{ Commitment struct{ ID, Sha256 string } } `json:"signCommitment"`
	}
	h.must(tok, signMut, map[string]any{"id": id}, &again)
	if again.SignCommitment.Commitment.ID != c.ID || again.SignCommitment.Commitment.Sha256 != c.Sha256 {
		t.Errorf("signing again: %+v", again)
	}
	err := h.srv.DB().Model(&models.Commitment{}).Where("id = ?", c.ID).Updates(map[string]any{"text": "tampered"}).Error
	if err == nil {
		t.Error("a signed letter's text could be updated")
	}
	// The printable letter.
	code, body := getAuth(t, h.ts.URL+"/commitments/"+c.ID+".html", tok)
	if code != 200 || !strings.Contains(body, "信用办水承诺书") || !strings.Contains(body, c.Sha256) {
		t.Errorf("HTML letter: %d", code)
	}
	// Its CSP allows its own <style> (by hash) and nothing else.
	resp, _ := h.fetch("/commitments/"+c.ID+".html", map[string]string{"Authorization": "Bearer " + tok})
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(body)
	if style == nil {
		t.Fatal("the letter has no <style>")
	}
	styleSum := sha256.Sum256([]byte(style[1]))
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "style-src 'sha256-"+base64.StdEncoding.EncodeToString(styleSum[:])+"';") || !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("letter CSP: %q", csp)
	}
	if code, _ := getAuth(t, h.ts.URL+"/commitments/"+c.ID+".html", h.wechatToken("stranger")); code != 403 {
		t.Errorf("someone else's letter: %d", code)
	}
}

// R2.2: signing without a fresh face verification is FORBIDDEN.
func TestSignWithoutFaceVerification_R2_2(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("no-face")
	h.bindVerified(tok, simulator.EnterpriseB, "440524188001010014")
	// The pass that activated the binding has expired.
	h.srv.DB().Model(&models.FaceVerification{}).Where("1 = 1").Update("valid_until", time.Now().Add(-time.Second))
	id, _ := h.submit(tok, submitInput("no-face-key-1", "OWN_STATE_LAND_NO_BUILDING"))
	staff := h.staffToken("staff", "demo-staff-pass")
	h.surveyed(staff, id)
	if ok, v := h.creditCheck(staff, id); !ok {
		t.Fatalf("B-rated enterprise not eligible: %+v", v)
	}
	r := h.gql(tok, signMut, map[string]any{"id": id})
	if r.code() != "FORBIDDEN" || r.Errors[0].Extensions["reason"] != "FACE_VERIFICATION_REQUIRED" {
		t.Fatalf("sign without face: %s", r.Raw)
	}
	if v := h.app(tok, id); v.Status != "CREDIT_CHECKED" || v.Commitment != nil {
		t.Fatalf("a refused signature changed the application: %+v", v)
	}
}

// R4.1, R4.3: each ineligibility reason falls back to the document path
// naming the condition.
func TestIneligibleApplicationsFallBack_R4_1_R4_3(t *testing.T) {
	h := newHarness(t, testEnv(t))
	staff := h.staffToken("staff", "demo-staff-pass")
	db := h.srv.DB()

	person := models.Subject{Kind: models.SubjectPerson, Name: "王五", IDMasked: "4405**********0014"}
	if err := db.Create(&person).Error; err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, uscc, id, land, wantCode string
		record                         bool
	}{
		{"rating C", simulator.EnterpriseC, "11010519491231002X", "OWN_BUILDING_ON_STATE_LAND", "RATING_IN_SCOPE", false},
		{"rating D", simulator.EnterpriseD, "11010519491231002X", "OWN_BUILDING_ON_STATE_LAND", "RATING_IN_SCOPE", false},
		{"record in force", simulator.EnterpriseB, "11010519491231002X", "OWN_BUILDING_ON_STATE_LAND", "NO_DISHONESTY_RECORD", true},
		{"land OTHER", simulator.EnterpriseA, "11010519491231002X", "OTHER", "LAND_IN_SCOPE", false},
		{"a person", "", "", "OWN_BUILDING_ON_STATE_LAND", "ENTERPRISE_SUBJECT", false},
	}
	for i, c := range cases {
		var appID string
		if c.uscc == "" {
			in := submitInput("counter-key-"+strings.ReplaceAll(c.name, " ", "-"), c.land)
			in["subjectId"] = person.ID
			appID, _ = h.submit(staff, in)
		} else {
			tok := h.consented("inelig-" + strings.ReplaceAll(c.name, " ", "-"))
			subj := h.bindVerified(tok, c.uscc, c.id)
			if c.record {
				rec := models.DishonestyRecord{SubjectID: subj, Kind: models.KindArrears, Severity: models.SeverityGeneral, Status: models.RecordActive,
					SourceKey: "TEST:" + subj, Source: "TEST", BehaviourOn: time.Now().AddDate(0, -2, 0), DecidedOn: time.Now().AddDate(0, -1, 0)}
				if err := db.Create(&rec).Error; err != nil {
					t.Fatal(err)
				}
			}
			appID, _ = h.submit(tok, submitInput("inelig-key-"+string(rune('a'+i))+"-xx", c.land))
		}
		h.surveyed(staff, appID)
		eligible, v := h.creditCheck(staff, appID)
		if eligible || v.Status != "FALLBACK_TO_DOCUMENTS" {
			t.Errorf("%s: eligible %v status %s", c.name, eligible, v.Status)
			continue
		}
		var codes []string
		for _, f := range v.FailedConditions {
			codes = append(codes, f.Code)
		}
		if len(codes) != 1 || codes[0] != c.wantCode {
			t.Errorf("%s: failed conditions %v, want [%s]", c.name, codes, c.wantCode)
		}
		if last := v.Events[len(v.Events)-1]; !strings.Contains(last.Reason, c.wantCode) {
			t.Errorf("%s: reason %q does not name %s", c.name, last.Reason, c.wantCode)
		}
		// The ordinary path continues: staff accept with documents.
		h.must(staff, `mutation($id:ID!,$v:Int!){acceptApplication(input:{applicationId:$id,version:$v}){application{status}}}`, map[string]any{"id": appID, "v": h.ver(staff, appID)}, nil)
		if v := h.app(staff, appID); v.Status != "ACCEPTED" || v.DocumentsWaived {
			t.Errorf("%s: ordinary acceptance %+v", c.name, v)
		}
	}
}

// R4.2: illegal transitions name the current state; bad input changes nothing.
func TestIllegalTransitionsAndBadInput_R4_2(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("illegal")
	h.bindVerified(tok, simulator.EnterpriseA, "11010519491231002X")
	staff := h.staffToken("staff", "demo-staff-pass")
	bad := submitInput("short", "OWN_BUILDING_ON_STATE_LAND")
	if r := h.gql(tok, submitMut, map[string]any{"in": bad}); r.code() != "INVALID" || r.Errors[0].Extensions["field"] != "idempotencyKey" {
		t.Errorf("short key: %s", r.Raw)
	}
	id, _ := h.submit(tok, submitInput("illegal-key-1", "OWN_BUILDING_ON_STATE_LAND"))
	r := h.gql(staff, `mutation($id:ID!){runCreditCheck(input:{applicationId:$id,version:1}){eligible}}`, map[string]any{"id": id})
	if r.code() != "FAILED_PRECONDITION" || !strings.Contains(r.Errors[0].Message, "SUBMITTED") {
		t.Errorf("credit check before survey: %s", r.Raw)
	}
	r = h.gql(staff, `mutation($id:ID!){acceptApplication(input:{applicationId:$id,version:1}){application{status}}}`, map[string]any{"id": id})
	if r.code() != "FAILED_PRECONDITION" {
		t.Errorf("accept a new application: %s", r.Raw)
	}
	r = h.gql(staff, `mutation($id:ID!){rejectApplication(input:{applicationId:$id,reason:"x",version:7}){application{status}}}`, map[string]any{"id": id})
	if r.code() != "CONFLICT" {
		t.Errorf("stale version: %s", r.Raw)
	}
	if v := h.app(staff, id); v.Status != "SUBMITTED" || v.Version != 1 || len(v.Events) != 1 {
		t.Errorf("refused steps changed the application: %+v", v)
	}
}

// R2.3: the platform fails the first publications and the server restarts
// between attempts: the commitment is published exactly once and the
// application reaches PUBLISHED.
func TestPublicationSurvivesFailuresAndRestart_R2_3(t *testing.T) {
	env := testEnv(t)
	sim := externalPlatform(t, env)
	env["CW_OUTBOX_BASE_BACKOFF"] = "1ms"
	env["CW_OUTBOX_MAX_BACKOFF"] = "2ms"

	first := newHarness(t, env)
	tok := first.consented("restart")
	subj := first.bindVerified(tok, simulator.EnterpriseA, "11010519491231002X")
	first.passFace(tok, subj)
	id, _ := first.submit(tok, submitInput("restart-key-1", "OWN_BUILDING_ON_STATE_LAND"))
	staff := first.staffToken("staff", "demo-staff-pass")
	first.surveyed(staff, id)
	first.creditCheck(staff, id)
	first.must(tok, signMut, map[string]any{"id": id}, nil)

	sim.SetFault(simulator.Fault{FailNext: 3})
	ctx := context.Background()
	if n, _ := first.srv.Outbox().RunOnce(ctx); n != 0 {
		t.Fatalf("delivered through a failing platform: %d", n)
	}
	first.ts.Close()
	first.srv.Close() // the "restart"

	env2 := map[string]string{}
	for k, v := range env {
		env2[k] = v
	}
	env2["CW_DEMO_DATA"] = "false"
	second := newHarness(t, env2)
	delivered := 0
	for range 20 {
		time.Sleep(5 * time.Millisecond)
		n, err := second.srv.Outbox().RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		delivered += n
	}
	if delivered != 1 || len(sim.Publications()) != 1 {
		t.Fatalf("delivered %d, platform holds %d publications", delivered, len(sim.Publications()))
	}
	var app models.Application
	second.srv.DB().Where("id = ?", id).Take(&app)
	if app.Status != models.AppPublished {
		t.Fatalf("application %s", app.Status)
	}
	var msg models.OutboxMessage
	second.srv.DB().Where("kind = ?", "PUBLISH_COMMITMENT").Take(&msg)
	if msg.Attempts < 3 || msg.Status != models.OutboxDone {
		raw, _ := json.Marshal(msg)
		t.Fatalf("outbox message: %s", raw)
	}
}

// R8.1, R4.2: every staff step on an application carries the version the
// staff member saw: without it the request is refused, and with a stale
// one it is CONFLICT (STALE_VERSION) and changes nothing.
func TestStaffStepsRequireVersion_R8_1(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("version-required")
	h.bindVerified(tok, simulator.EnterpriseA, "11010519491231002X")
	id, _ := h.submit(tok, submitInput("version-required-1", "OWN_BUILDING_ON_STATE_LAND"))
	staff := h.staffToken("staff", "demo-staff-pass")
	vars := map[string]any{"id": id, "a": h.staffID(staff), "t": time.Now().Add(24 * time.Hour).Format(time.RFC3339)}
	steps := map[string]string{
		"scheduleSurvey":    `scheduleSurvey(input:{applicationId:$id,assigneeId:$a,at:$t%s}){application{status}}`,
		"recordSurvey":      `recordSurvey(input:{applicationId:$id,fit:true,wantsCreditHandling:true%s}){application{status}}`,
		"runCreditCheck":    `runCreditCheck(input:{applicationId:$id%s}){eligible}`,
		"acceptApplication": `acceptApplication(input:{applicationId:$id%s}){application{status}}`,
		"rejectApplication": `rejectApplication(input:{applicationId:$id,reason:"材料不符"%s}){application{status}}`,
	}
	for name, step := range steps {
		q := func(version string) string {
			decl := "$id:ID!"
			if name == "scheduleSurvey" {
				decl += ",$a:ID!,$t:Time!"
			}
			return `mutation(` + decl + `){` + strings.Replace(step, "%s", version, 1) + `}`
		}
		vars := vars
		if name != "scheduleSurvey" {
			vars = map[string]any{"id": id}
		}
		if r := h.gql(staff, q(""), vars); len(r.Errors) == 0 || !strings.Contains(r.Raw, "version") {
			t.Errorf("%s without version: %s", name, r.Raw)
		}
		r := h.gql(staff, q(",version:9"), vars)
		if r.code() != "CONFLICT" || r.Errors[0].Extensions["reason"] != "STALE_VERSION" {
			t.Errorf("%s with a stale version: %s", name, r.Raw)
		}
		if v := h.app(staff, id); v.Status != "SUBMITTED" || v.Version != 1 || len(v.Events) != 1 {
			t.Errorf("%s changed the application: %+v", name, v)
		}
	}
	h.must(staff, `mutation($id:ID!,$a:ID!,$t:Time!){`+strings.Replace(steps["scheduleSurvey"], "%s", ",version:1", 1)+`}`, vars, nil)
	if v := h.app(staff, id); v.Status != "SURVEY_SCHEDULED" || v.Version != 2 {
		t.Errorf("with the current version: %+v", v)
	}
}
