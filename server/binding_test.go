package server_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"creditwater/creditplatform/simulator"
	"creditwater/models"
	regsim "creditwater/registry/simulator"
)

const (
	requestAgentMut = `mutation($in:RequestAgentBindingInput!){requestAgentBinding(input:$in){binding{id status role personName identityVerified scopes subject{id}}}}`
	authoriseMut    = `mutation($b:ID!,$s:[AgentScope!]!){authoriseAgent(input:{bindingId:$b,scopes:$s}){binding{id status scopes}}}`
	revokeMut       = `mutation($b:ID!){revokeAgent(input:{bindingId:$b,reason:"不再委托"}){binding{id status statusReason}}}`
	unbindMut       = `mutation($b:ID!){unbindEnterprise(input:{bindingId:$b}){binding{id status idNumberMasked}}}`
	myReportQ       = `query($s:ID){myCreditReport(subjectId:$s){reportNo uscc}}`
	myEnterprisesQ  = `{myEnterprises{id uscc status statusReason role scopes subject{id name legalRepName}}}`
	runRegistryJob  = `mutation{runJob(input:{name:"enterprise.registry-check"}){run{status detail}}}`
)

func (h *harness) rows(table string, where string, args ...any) int64 {
	h.t.Helper()
	var n int64
	q := h.srv.DB().Table(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		h.t.Fatal(err)
	}
	return n
}

// bindLegalRep binds the user as EnterpriseA's registered legal
// representative 林志强 and activates the binding with a face verification.
func (h *harness) bindLegalRep(tok string) (bindingID, subjectID string) {
	h.t.Helper()
	var b bound
	h.must(tok, bindMut, map[string]any{"in": map[string]any{"uscc": regsim.EnterpriseA, "legalRepName": regsim.LegalRepAName,
		"idType": "RESIDENT_ID_CARD", "idNumber": regsim.LegalRepAID}}, &b)
	done := h.face(tok, b.BindEnterprise.Binding.ID, "")
	if done.CompleteFaceVerification.Binding == nil || done.CompleteFaceVerification.Binding.Status != "ACTIVE" {
		h.t.Fatalf("legal representative not activated: %+v", done)
	}
	return b.BindEnterprise.Binding.ID, done.CompleteFaceVerification.Binding.Subject.ID
}

// R6.5: a stranger who names someone else's enterprise with a wrong name or
// ID number is refused; nothing is written but an audit entry, and nothing
// of the enterprise is visible or can be done for it.
func TestStrangerCannotBindOrAct_R6_5(t *testing.T) {
	h := newHarness(t, testEnv(t))
	owner := h.consented("owner")
	_, subj := h.bindLegalRep(owner)
	bindingsBefore := h.rows("enterprise_bindings", "")

	stranger := h.consented("stranger")
	for _, c := range []struct{ name, id string }{
		{"陌生人", regsim.LegalRepAID},                  // invented name, the real ID number
		{regsim.LegalRepAName, "440524188001010014"}, // the real name, someone else's ID number
		{"陌生人", residentID("44010219800101123")},     // nothing right
	} {
		r := h.gql(stranger, bindMut, map[string]any{"in": map[string]any{"uscc": regsim.EnterpriseA, "legalRepName": c.name,
			"idType": "RESIDENT_ID_CARD", "idNumber": c.id, "unitName": "抢注公司"}})
		if r.code() != "FAILED_PRECONDITION" || r.Errors[0].Extensions["reason"] != "LEGAL_REP_MISMATCH" {
			t.Errorf("stranger bind %s/%s: %s", c.name, c.id, r.Raw)
		}
	}
	if n := h.rows("enterprise_bindings", ""); n != bindingsBefore {
		t.Fatalf("refused binds wrote bindings: %d → %d", bindingsBefore, n)
	}
	if n := h.rows("audit_entries", "action = ?", "enterprise.bind_refused"); n != 3 {
		t.Errorf("refusals audited: %d, want 3", n)
	}
	var subjName string
	h.srv.DB().Model(&models.Subject{}).Where("id = ?", subj).Pluck("name", &subjName)
	if subjName != "韶关市清源食品有限公司" {
		t.Errorf("subject name %q after a stranger sent another", subjName)
	}
	// Nothing of the enterprise for the stranger.
	for name, q := range map[string]struct {
		query string
		vars  map[string]any
	}{
		"subject":     {`query($s:ID!){subject(id:$s){name}}`, map[string]any{"s": subj}},
		"report":      {myReportQ, map[string]any{"s": subj}},
		"records":     {`query($s:ID){dishonestyRecords(filter:{subjectId:$s}){totalCount}}`, map[string]any{"s": subj}},
		"profile":     {`query($s:ID!){creditProfile(subjectId:$s){tier}}`, map[string]any{"s": subj}},
		"agents":      {`query($s:ID!){enterpriseAgents(subjectId:$s){id}}`, map[string]any{"s": subj}},
		"application": {submitMut, map[string]any{"in": map[string]any{"subjectId": subj, "address": "韶关市浈江区工业大道 8 号", "land": "OWN_BUILDING_ON_STATE_LAND", "category": "工业用水", "contactName": "李四", "wantsCreditHandling": true, "idempotencyKey": "stranger-key-1"}}},
	} {
		r := h.gql(stranger, q.query, q.vars)
		if c := r.code(); c != "FORBIDDEN" && c != "FAILED_PRECONDITION" {
			t.Errorf("stranger %s: %s", name, r.Raw)
		}
	}
}

// R6.5: unknown, revoked and cancelled enterprises are refused with a clear
// code, and nothing is stored.
func TestUnknownRevokedCancelledEnterprisesRefused_R6_5(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("refused")
	for _, c := range []struct{ uscc, code, reason string }{
		{regsim.EnterpriseUnknown, "NOT_FOUND", "ENTERPRISE_NOT_FOUND"},
		{regsim.EnterpriseRevoked, "FAILED_PRECONDITION", "ENTERPRISE_REVOKED"},
		{regsim.EnterpriseCancelled, "FAILED_PRECONDITION", "ENTERPRISE_CANCELLED"},
	} {
		r := h.gql(tok, bindMut, map[string]any{"in": bindInput(c.uscc, "11010519491231002X")})
		if r.code() != c.code || r.Errors[0].Extensions["reason"] != c.reason {
			t.Errorf("%s: %s", c.uscc, r.Raw)
		}
		r = h.gql(tok, requestAgentMut, map[string]any{"in": map[string]any{"uscc": c.uscc, "name": "王五", "idType": "RESIDENT_ID_CARD", "idNumber": "11010519491231002X"}})
		if r.code() != c.code || r.Errors[0].Extensions["reason"] != c.reason {
			t.Errorf("agent request %s: %s", c.uscc, r.Raw)
		}
	}
	if n := h.rows("enterprise_bindings", ""); n != 0 {
		t.Fatalf("%d bindings stored", n)
	}
	if n := h.rows("subjects", "uscc IN ?", []string{regsim.EnterpriseUnknown, regsim.EnterpriseRevoked, regsim.EnterpriseCancelled}); n != 0 {
		t.Fatalf("%d subjects stored for refused enterprises", n)
	}
}

// R6.5: the right legal representative stays PENDING — nothing visible —
// until a face verification of that same name and ID passes; the
// subject's name is the registry's, whatever the user sent.
func TestLegalRepPendingUntilSamePersonVerified_R6_5(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("lr")
	var b bound
	h.must(tok, bindMut, map[string]any{"in": map[string]any{"uscc": regsim.EnterpriseA, "legalRepName": regsim.LegalRepAName,
		"idType": "RESIDENT_ID_CARD", "idNumber": regsim.LegalRepAID, "unitName": "我起的名字有限公司"}}, &b)
	got := b.BindEnterprise.Binding
	if got.Status != "PENDING" || got.Subject != nil || got.PersonName != regsim.LegalRepAName {
		t.Fatalf("new binding: %+v", got)
	}
	if r := h.gql(tok, myReportQ, nil); r.code() != "FAILED_PRECONDITION" || r.Errors[0].Extensions["reason"] != "NOT_BOUND" {
		t.Errorf("report while PENDING: %s", r.Raw)
	}
	// WeChat says the face is not the ID holder's: still PENDING.
	h.srv.WeChatFake().SetFaceResult(regsim.LegalRepAID, 10004)
	done := h.face(tok, got.ID, "")
	if done.CompleteFaceVerification.Passed || done.CompleteFaceVerification.Binding.Status != "PENDING" {
		t.Fatalf("after a face mismatch: %+v", done)
	}
	// A counter check of another document does not count either.
	staff := h.staffToken("staff", "demo-staff-pass")
	r := h.gql(staff, `mutation($b:ID!,$n:String!){verifyIdentityAtCounter(input:{bindingId:$b,idType:RESIDENT_ID_CARD,idNumber:$n,note:"柜台核验"}){passed}}`,
		map[string]any{"b": got.ID, "n": "440524188001010014"})
	if r.code() != "FAILED_PRECONDITION" || r.Errors[0].Extensions["reason"] != "ID_MISMATCH" {
		t.Errorf("counter check of another document: %s", r.Raw)
	}
	var mine struct {
		MyEnterprises []struct {
			Status  string
			Subject *struct{ Name, LegalRepName string }
		}
	}
	h.must(tok, myEnterprisesQ, nil, &mine)
	if len(mine.MyEnterprises) != 1 || mine.MyEnterprises[0].Status != "PENDING" || mine.MyEnterprises[0].Subject != nil {
		t.Fatalf("bindings while PENDING: %+v", mine)
	}
	h.srv.WeChatFake().SetFaceResult(regsim.LegalRepAID, 10000)
	done = h.face(tok, got.ID, "")
	if !done.CompleteFaceVerification.Passed || done.CompleteFaceVerification.Binding.Status != "ACTIVE" {
		t.Fatalf("after the pass: %+v", done)
	}
	h.must(tok, myEnterprisesQ, nil, &mine)
	if s := mine.MyEnterprises[0].Subject; s == nil || s.Name != "韶关市清源食品有限公司" || s.LegalRepName != regsim.LegalRepAName {
		t.Fatalf("the subject is not the registry's: %+v", mine)
	}
	h.must(tok, myReportQ, nil, nil)
}

// R6.7: a new ID number on a binding starts a new generation: the earlier
// face pass no longer lets anyone sign, even once the binding is ACTIVE
// again.
func TestRebindVoidsEarlierFacePass_R6_7(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("rebinder")
	subj := h.bindVerified(tok, simulator.EnterpriseA, "11010519491231002X")
	appID, _ := h.submit(tok, submitInput("rebind-key-0001", "OWN_BUILDING_ON_STATE_LAND"))
	staff := h.staffToken("staff", "demo-staff-pass")
	h.surveyed(staff, appID)
	h.creditCheck(staff, appID)

	// The same user binds again with another ID number (the registry now
	// names that person).
	other := residentID("44020219800101123")
	b := h.bind(tok, simulator.EnterpriseA, other)
	if b.BindEnterprise.Binding.Status != "PENDING" {
		t.Fatalf("rebinding: %+v", b)
	}
	if r := h.gql(tok, signMut, map[string]any{"id": appID}); r.code() != "FORBIDDEN" {
		t.Errorf("signing while PENDING: %s", r.Raw)
	}
	// Even ACTIVE (forced here), the earlier pass of the old number counts
	// for nothing.
	h.srv.DB().Model(&models.EnterpriseBinding{}).Where("id = ?", b.BindEnterprise.Binding.ID).Update("status", models.BindingActive)
	r := h.gql(tok, signMut, map[string]any{"id": appID})
	if r.code() != "FORBIDDEN" || r.Errors[0].Extensions["reason"] != "FACE_VERIFICATION_REQUIRED" {
		t.Fatalf("signing with the old face pass: %s", r.Raw)
	}
	h.passFace(tok, subj)
	var out struct {
		SignCommitment struct{ Commitment struct{ Text string } } `json:"signCommitment"`
	}
	h.must(tok, signMut, map[string]any{"id": appID}, &out)
	if !strings.Contains(out.SignCommitment.Commitment.Text, other[:4]+"**********"+other[14:]) {
		t.Errorf("the letter does not name the new document: %s", out.SignCommitment.Commitment.Text)
	}
}

// R6.6: agents pass their own face verification, are authorised by the
// legal representative with scopes, can do only what the scopes allow (a
// VIEW agent reads the report but cannot apply or sign), and a revocation
// takes effect on their next request.
func TestAgentsAndScopes_R6_6(t *testing.T) {
	h := newHarness(t, testEnv(t))
	lr := h.consented("legal-rep")
	_, subj := h.bindLegalRep(lr)
	appID, _ := h.submit(lr, submitInput("agent-app-0001", "OWN_BUILDING_ON_STATE_LAND"))
	staff := h.staffToken("staff", "demo-staff-pass")
	h.surveyed(staff, appID)
	h.creditCheck(staff, appID)

	agent := h.consented("agent")
	agentID := residentID("44020219900101111")
	var req struct {
		RequestAgentBinding struct {
			Binding struct {
				ID, Status       string
				IdentityVerified bool
				Subject          *struct{ ID string }
			}
		} `json:"requestAgentBinding"`
	}
	h.must(agent, requestAgentMut, map[string]any{"in": map[string]any{"uscc": regsim.EnterpriseA, "name": "赵经办", "idType": "RESIDENT_ID_CARD", "idNumber": agentID}}, &req)
	ab := req.RequestAgentBinding.Binding
	if ab.Status != "PENDING" || ab.Subject != nil {
		t.Fatalf("agent request: %+v", ab)
	}
	// Not verified yet: cannot be authorised.
	r := h.gql(lr, authoriseMut, map[string]any{"b": ab.ID, "s": []string{"VIEW"}})
	if r.code() != "FAILED_PRECONDITION" || r.Errors[0].Extensions["reason"] != "AGENT_NOT_VERIFIED" {
		t.Fatalf("authorising an unverified agent: %s", r.Raw)
	}
	done := h.face(agent, ab.ID, "")
	if !done.CompleteFaceVerification.Passed || done.CompleteFaceVerification.Binding.Status != "PENDING" {
		t.Fatalf("agent's own face verification: %+v", done)
	}
	// Only the legal representative authorises: not the agent, not another user.
	if r := h.gql(agent, authoriseMut, map[string]any{"b": ab.ID, "s": []string{"VIEW", "APPLY", "DISPUTE"}}); r.code() != "FORBIDDEN" {
		t.Errorf("agent authorising themself: %s", r.Raw)
	}
	h.must(lr, authoriseMut, map[string]any{"b": ab.ID, "s": []string{"VIEW"}}, nil)
	var agents struct {
		EnterpriseAgents []struct{ ID, Status string }
	}
	h.must(lr, `query($s:ID!){enterpriseAgents(subjectId:$s){id status}}`, map[string]any{"s": subj}, &agents)
	if len(agents.EnterpriseAgents) != 1 || agents.EnterpriseAgents[0].Status != "ACTIVE" {
		t.Fatalf("agents: %+v", agents)
	}
	// VIEW: the report, yes; an application or the letter, no.
	h.must(agent, myReportQ, map[string]any{"s": subj}, nil)
	if r := h.gql(agent, submitMut, map[string]any{"in": submitInput("agent-key-0002", "OWN_BUILDING_ON_STATE_LAND")}); r.code() != "FORBIDDEN" || r.Errors[0].Extensions["reason"] != "SCOPE_NOT_GRANTED" {
		t.Errorf("VIEW agent applying: %s", r.Raw)
	}
	if r := h.gql(agent, signMut, map[string]any{"id": appID}); r.code() != "FORBIDDEN" {
		t.Errorf("VIEW agent signing: %s", r.Raw)
	}
	if r := h.gql(agent, appQuery, map[string]any{"id": appID}); r.code() != "FORBIDDEN" {
		t.Errorf("VIEW agent reading an application: %s", r.Raw)
	}
	// APPLY: may apply, still never sign.
	h.must(lr, authoriseMut, map[string]any{"b": ab.ID, "s": []string{"VIEW", "APPLY"}}, nil)
	h.submit(agent, submitInput("agent-key-0003", "OWN_BUILDING_ON_STATE_LAND"))
	r = h.gql(agent, signMut, map[string]any{"id": appID})
	if r.code() != "FORBIDDEN" || r.Errors[0].Extensions["reason"] != "NOT_LEGAL_REPRESENTATIVE" {
		t.Errorf("APPLY agent signing: %s", r.Raw)
	}
	// Revoked: refused on the very next request.
	h.must(lr, revokeMut, map[string]any{"b": ab.ID}, nil)
	if r := h.gql(agent, myReportQ, map[string]any{"s": subj}); r.code() != "FORBIDDEN" || r.Errors[0].Extensions["reason"] != "NOT_BOUND" {
		t.Errorf("revoked agent: %s", r.Raw)
	}
	var inbox struct {
		MyInbox struct {
			Edges []struct{ Node struct{ Kind string } }
		} `json:"myInbox"`
	}
	h.must(agent, `{myInbox{edges{node{kind}}}}`, nil, &inbox)
	if len(inbox.MyInbox.Edges) == 0 || inbox.MyInbox.Edges[0].Node.Kind != "AGENT_ENDED" {
		t.Errorf("agent's inbox: %+v", inbox)
	}
}

// R6.7: the registry reports a new legal representative: the daily check
// suspends the old binding, its agents lapse, signing is refused and the
// user is told; a change found while signing does the same.
func TestRegistryChangeSuspendsBinding_R6_7(t *testing.T) {
	h := newHarness(t, testEnv(t))
	admin := h.staffToken("admin", "demo-admin-pass")
	lr := h.consented("old-lr")
	_, subj := h.bindLegalRep(lr)
	agent := h.consented("old-agent")
	var req struct {
		RequestAgentBinding struct{ Binding struct{ ID string } } `json:"requestAgentBinding"`
	}
	h.must(agent, requestAgentMut, map[string]any{"in": map[string]any{"uscc": regsim.EnterpriseA, "name": "赵经办", "idType": "RESIDENT_ID_CARD", "idNumber": residentID("44020219900101111")}}, &req)
	h.face(agent, req.RequestAgentBinding.Binding.ID, "")
	h.must(lr, authoriseMut, map[string]any{"b": req.RequestAgentBinding.Binding.ID, "s": []string{"VIEW"}}, nil)
	appID, _ := h.submit(lr, submitInput("change-key-0001", "OWN_BUILDING_ON_STATE_LAND"))
	staff := h.staffToken("staff", "demo-staff-pass")
	h.surveyed(staff, appID)
	h.creditCheck(staff, appID)

	h.srv.RegistrySimulator().SetLegalRep(regsim.EnterpriseA, "新法人", residentID("44020219700101222"))
	var run struct {
		RunJob struct {
			Run struct{ Status, Detail string }
		} `json:"runJob"`
	}
	h.must(admin, runRegistryJob, nil, &run)
	if run.RunJob.Run.Status != "OK" || !strings.Contains(run.RunJob.Run.Detail, " 1 个") {
		t.Fatalf("registry check: %+v", run)
	}
	var mine struct {
		MyEnterprises []struct{ Status, StatusReason string }
	}
	h.must(lr, myEnterprisesQ, nil, &mine)
	if len(mine.MyEnterprises) != 1 || mine.MyEnterprises[0].Status != "SUSPENDED" || !strings.Contains(mine.MyEnterprises[0].StatusReason, "新法人") {
		t.Fatalf("after the registry change: %+v", mine)
	}
	if r := h.gql(lr, signMut, map[string]any{"id": appID}); r.code() != "FORBIDDEN" {
		t.Errorf("signing after suspension: %s", r.Raw)
	}
	if r := h.gql(agent, myReportQ, map[string]any{"s": subj}); r.code() == "" {
		t.Errorf("the lapsed agent still reads the report: %s", r.Raw)
	}
	var inbox struct {
		MyInbox struct {
			UnreadCount int
			Edges       []struct{ Node struct{ Kind, Body string } }
		} `json:"myInbox"`
	}
	h.must(lr, `{myInbox{unreadCount edges{node{kind body}}}}`, nil, &inbox)
	if inbox.MyInbox.UnreadCount == 0 || inbox.MyInbox.Edges[0].Node.Kind != "BINDING_SUSPENDED" {
		t.Errorf("the user was not told: %+v", inbox)
	}
	// Running the check again changes nothing.
	h.must(admin, runRegistryJob, nil, &run)
	if !strings.Contains(run.RunJob.Run.Detail, " 0 个") {
		t.Errorf("second check: %+v", run)
	}

	// Found while signing: a second enterprise whose legal representative
	// changes between the credit check and the signature.
	lr2 := h.consented("lr-b")
	h.bindVerified(lr2, simulator.EnterpriseB, "440524188001010014")
	app2, _ := h.submit(lr2, submitInput("change-key-0002", "OWN_BUILDING_ON_STATE_LAND"))
	h.surveyed(staff, app2)
	h.creditCheck(staff, app2)
	h.srv.RegistrySimulator().SetLegalRep(simulator.EnterpriseB, "另一人", residentID("44020219700101333"))
	r := h.gql(lr2, signMut, map[string]any{"id": app2})
	if r.code() != "FAILED_PRECONDITION" || r.Errors[0].Extensions["reason"] != "LEGAL_REP_CHANGED" {
		t.Fatalf("signing after a change: %s", r.Raw)
	}
	if n := h.rows("commitments", ""); n != 0 {
		t.Fatalf("%d commitments stored", n)
	}
	if n := h.rows("enterprise_bindings", "status = ?", models.BindingSuspended); n != 2 {
		t.Errorf("%d suspended bindings, want 2", n)
	}
}

// rawDump is every row of every table as JSON text (the raw-row check).
func (h *harness) rawDump() string {
	h.t.Helper()
	var b strings.Builder
	for _, m := range models.All() {
		var rows []map[string]any
		if err := h.srv.DB().Model(m).Find(&rows).Error; err != nil {
			h.t.Fatal(err)
		}
		raw, _ := json.Marshal(rows)
		b.Write(raw)
	}
	return b.String()
}

// R6.8, R7.2: unbinding, and withdrawing consent to ID processing, leave no
// ID ciphertext and no blind index in any row of any table; the audit
// trail keeps masked values only.
func TestUnbindAndConsentWithdrawalEraseID_R6_8(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("unbinder")
	bindingID, _ := h.bindLegalRep(tok)
	var b models.EnterpriseBinding
	if err := h.srv.DB().Where("id = ?", bindingID).Take(&b).Error; err != nil {
		t.Fatal(err)
	}
	sealed, index := b.IDSealed, b.IDIndex
	if sealed == "" || index == "" || !strings.Contains(h.rawDump(), sealed) {
		t.Fatal("the binding holds no ID data to erase")
	}
	var out struct {
		UnbindEnterprise struct {
			Binding struct{ Status, IDNumberMasked string }
		} `json:"unbindEnterprise"`
	}
	h.must(tok, unbindMut, map[string]any{"b": bindingID}, &out)
	if out.UnbindEnterprise.Binding.Status != "ENDED" || out.UnbindEnterprise.Binding.IDNumberMasked != "1101**********002X" {
		t.Fatalf("unbound: %+v", out)
	}
	dump := h.rawDump()
	for what, v := range map[string]string{"ciphertext": sealed, "blind index": index, "plain ID": regsim.LegalRepAID} {
		if strings.Contains(dump, v) {
			t.Errorf("the %s is still stored after unbinding", what)
		}
	}
	if r := h.gql(tok, myReportQ, nil); r.code() != "FAILED_PRECONDITION" {
		t.Errorf("report after unbinding: %s", r.Raw)
	}
	if r := h.gql(tok, unbindMut, map[string]any{"b": bindingID}); r.code() != "FAILED_PRECONDITION" {
		t.Errorf("unbinding twice: %s", r.Raw)
	}
	if r := h.gql(h.consented("other-user"), unbindMut, map[string]any{"b": bindingID}); r.code() != "NOT_FOUND" {
		t.Errorf("unbinding someone else's binding: %s", r.Raw)
	}

	// Consent withdrawal: an ACTIVE and a PENDING binding of one user.
	tok2 := h.consented("withdrawer")
	h.bindLegalRep(tok2)
	h.bind(tok2, simulator.EnterpriseB, "440524188001010014")
	var seals []string
	h.srv.DB().Model(&models.EnterpriseBinding{}).Where("id_sealed <> ''").Pluck("id_sealed", &seals)
	var idxs []string
	h.srv.DB().Model(&models.EnterpriseBinding{}).Where("id_index <> ''").Pluck("id_index", &idxs)
	if len(seals) != 2 || len(idxs) != 2 {
		t.Fatalf("ID data before withdrawal: %d sealed, %d indexes", len(seals), len(idxs))
	}
	h.must(tok2, `mutation{withdrawConsent(input:{purpose:ID_PROCESSING}){ok}}`, nil, nil)
	dump = h.rawDump()
	for _, v := range append(append(seals, idxs...), regsim.LegalRepAID, "440524188001010014") {
		if strings.Contains(dump, v) {
			t.Errorf("ID data %q… still stored after consent withdrawal", v[:8])
		}
	}
	if n := h.rows("enterprise_bindings", "status <> ?", models.BindingEnded); n != 0 {
		t.Errorf("%d bindings not ended", n)
	}
	var details []string
	h.srv.DB().Model(&models.AuditEntry{}).Pluck("detail", &details)
	for _, d := range details {
		if strings.Contains(d, regsim.LegalRepAID) || strings.Contains(d, "440524188001010014") {
			t.Errorf("an audit entry holds a plain ID number: %s", d)
		}
	}
	// Without consent there is no binding.
	if r := h.gql(tok2, bindMut, map[string]any{"in": bindInput(simulator.EnterpriseB, "440524188001010014")}); r.Errors[0].Extensions["reason"] != "CONSENT_REQUIRED" {
		t.Errorf("bind after withdrawal: %s", r.Raw)
	}
}

// R6.1, R6.5: people who cannot use face recognition (a passport) are
// verified by staff at the counter, recorded with the staff member and the
// document inspected.
func TestCounterVerification_R6_5(t *testing.T) {
	h := newHarness(t, testEnv(t))
	h.srv.RegistrySimulator().Put(regsim.Entry{USCC: simulator.EnterpriseC, Name: "韶关市浈江恒信建材有限公司", Status: "ACTIVE",
		LegalRepName: "JOHN SMITH", LegalRepIDType: "PASSPORT", LegalRepIDNumber: "E12345678", LegalRepSince: time.Now().AddDate(-1, 0, 0)})
	tok := h.consented("foreigner")
	var b bound
	h.must(tok, bindMut, map[string]any{"in": map[string]any{"uscc": simulator.EnterpriseC, "legalRepName": "JOHN SMITH", "idType": "PASSPORT", "idNumber": "E12345678"}}, &b)
	r := h.gql(tok, startFace, map[string]any{"b": b.BindEnterprise.Binding.ID})
	if r.code() != "FAILED_PRECONDITION" || r.Errors[0].Extensions["reason"] != "FACE_UNSUPPORTED_ID_TYPE" {
		t.Fatalf("face verification of a passport: %s", r.Raw)
	}
	const counter = `mutation($b:ID!,$n:String!){verifyIdentityAtCounter(input:{bindingId:$b,idType:PASSPORT,idNumber:$n,note:"核验护照原件"}){outcome passed binding{status}}}`
	if r := h.gql(tok, counter, map[string]any{"b": b.BindEnterprise.Binding.ID, "n": "E12345678"}); r.code() != "FORBIDDEN" {
		t.Errorf("an enterprise user verifying themself: %s", r.Raw)
	}
	staff := h.staffToken("staff", "demo-staff-pass")
	var out struct {
		VerifyIdentityAtCounter struct {
			Outcome string
			Passed  bool
			Binding struct{ Status string }
		} `json:"verifyIdentityAtCounter"`
	}
	h.must(staff, counter, map[string]any{"b": b.BindEnterprise.Binding.ID, "n": "E12345678"}, &out)
	if out.VerifyIdentityAtCounter.Outcome != "COUNTER_VERIFIED" || out.VerifyIdentityAtCounter.Binding.Status != "ACTIVE" {
		t.Fatalf("counter verification: %+v", out)
	}
	var fv models.FaceVerification
	h.srv.DB().Where("binding_id = ?", b.BindEnterprise.Binding.ID).Take(&fv)
	if fv.CheckedBy != h.staffID(staff) || !strings.Contains(fv.Document, "护照") || strings.Contains(fv.Document, "E12345678") {
		t.Errorf("counter record: checked by %q, document %q", fv.CheckedBy, fv.Document)
	}
	h.must(tok, myReportQ, nil, nil)
}

// agentRequest is an agent's PENDING request to act for the enterprise
// whose legal representative is bound: the tokens, the subject, the
// binding and the agent's ID number.
type agentRequest struct{ lr, agent, subj, bindingID, idNumber string }

// counterAgent has "<prefix>-lr" bind enterprise A as its legal
// representative and "<prefix>-agent" ask to be its agent (钱经办).
func (h *harness) counterAgent(prefix string) agentRequest {
	h.t.Helper()
	r := agentRequest{lr: h.consented(prefix + "-lr"), idNumber: residentID("44020219900101444")}
	_, r.subj = h.bindLegalRep(r.lr)
	r.agent = h.consented(prefix + "-agent")
	var req struct {
		RequestAgentBinding struct{ Binding struct{ ID string } } `json:"requestAgentBinding"`
	}
	h.must(r.agent, requestAgentMut, map[string]any{"in": map[string]any{"uscc": regsim.EnterpriseA, "name": "钱经办", "idType": "RESIDENT_ID_CARD", "idNumber": r.idNumber}}, &req)
	r.bindingID = req.RequestAgentBinding.Binding.ID
	return r
}

// R6.6: staff approve an agent at the counter against a paper 授权委托书;
// the scan follows the evidence rules and only staff and the legal
// representative may download it.
func TestAgentApprovedAtCounter_R6_6(t *testing.T) {
	h := newHarness(t, testEnv(t))
	req := h.counterAgent("counter")
	lr, subj, agent, agentID := req.lr, req.subj, req.agent, req.idNumber
	staff := h.staffToken("staff", "demo-staff-pass")
	const approve = `mutation($in:ApproveAgentAtCounterInput!){approveAgentAtCounter(input:$in){binding{id status scopes authorisationRef}}}`
	in := func(id string) map[string]any {
		return map[string]any{"bindingId": req.bindingID, "scopes": []string{"APPLY"}, "authorisationRef": "WT-2026-001",
			"idType": "RESIDENT_ID_CARD", "idNumber": id, "letter": nil, "note": "核验身份证原件及盖章授权委托书", "version": 1}
	}
	evidenceBefore := h.rows("evidences", "")
	if r := h.upload(staff, approve, map[string]any{"in": in(agentID)}, "variables.in.letter", map[string][]byte{"letter.exe": []byte("MZ\x90\x00 not a scan")}); r.code() != "INVALID" {
		t.Errorf("an executable as the letter: %s", r.Raw)
	}
	if r := h.upload(staff, approve, map[string]any{"in": in(residentID("44020219900101555"))}, "variables.in.letter", map[string][]byte{"letter.pdf": pdfBytes}); r.Errors == nil || r.Errors[0].Extensions["reason"] != "ID_MISMATCH" {
		t.Errorf("another document: %s", r.Raw)
	}
	if n := h.rows("evidences", ""); n != evidenceBefore {
		t.Fatalf("refused approvals stored %d evidence rows", n-evidenceBefore)
	}
	r := h.upload(staff, approve, map[string]any{"in": in(agentID)}, "variables.in.letter", map[string][]byte{"letter.pdf": pdfBytes})
	if len(r.Errors) > 0 || !strings.Contains(r.Raw, `"status":"ACTIVE"`) {
		t.Fatalf("counter approval: %s", r.Raw)
	}
	// The agent applies (APPLY) without a face verification of their own?
	// No: nothing needs one for applying; the scope is what counts.
	h.submit(agent, map[string]any{"subjectId": subj, "address": "韶关市浈江区工业大道 8 号", "land": "OWN_BUILDING_ON_STATE_LAND",
		"category": "工业用水", "contactName": "钱经办", "wantsCreditHandling": true, "idempotencyKey": "counter-agent-0001"})
	var b models.EnterpriseBinding
	h.srv.DB().Where("id = ?", req.bindingID).Take(&b)
	url := "/evidence/" + b.AuthorisationEvidenceID
	for who, c := range map[string]struct {
		tok  string
		want int
	}{"staff": {staff, 200}, "legal representative": {lr, 200}, "the agent": {agent, 403}, "a stranger": {h.consented("nosy"), 403}, "anonymous": {"", 401}} {
		if got := h.getStatus(c.tok, url); got != c.want {
			t.Errorf("%s downloading the letter: %d, want %d", who, got, c.want)
		}
	}
}

// R2.2, R6.7: the signed letter names the registry's enterprise and legal
// representative; signing is idempotent for a retry and CONFLICT for
// another letter.
func TestSignedLetterNamesRegistryAndIsIdempotent_R2_2_R6_7(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("signer")
	h.bindLegalRep(tok)
	appID, _ := h.submit(tok, submitInput("sign-key-0001", "OWN_BUILDING_ON_STATE_LAND"))
	staff := h.staffToken("staff", "demo-staff-pass")
	h.surveyed(staff, appID)
	h.creditCheck(staff, appID)
	const sign = `mutation($id:ID!,$r:String!){signCommitment(input:{applicationId:$id,noProofReason:$r,relation:OWNER}){replayed commitment{id text}}}`
	type signed struct {
		SignCommitment struct {
			Replayed   bool
			Commitment struct{ ID, Text string }
		} `json:"signCommitment"`
	}
	var first, again signed
	h.must(tok, sign, map[string]any{"id": appID, "r": "厂房系历史遗留建筑，暂未办理不动产权证"}, &first)
	text := first.SignCommitment.Commitment.Text
	for _, want := range []string{"申请用水单位名称：韶关市清源食品有限公司", "法定代表人姓名：" + regsim.LegalRepAName, "1101**********002X"} {
		if !strings.Contains(text, want) {
			t.Errorf("the letter lacks %q:\n%s", want, text)
		}
	}
	h.must(tok, sign, map[string]any{"id": appID, "r": "厂房系历史遗留建筑，暂未办理不动产权证"}, &again)
	if !again.SignCommitment.Replayed || again.SignCommitment.Commitment.ID != first.SignCommitment.Commitment.ID {
		t.Errorf("retried signature: %+v", again)
	}
	if r := h.gql(tok, sign, map[string]any{"id": appID, "r": "另一个原因，另一个原因"}); r.code() != "CONFLICT" || r.Errors[0].Extensions["reason"] != "COMMITMENT_ALREADY_SIGNED" {
		t.Errorf("another letter: %s", r.Raw)
	}
	if n := h.rows("commitments", ""); n != 1 {
		t.Errorf("%d commitments", n)
	}
	if n := h.rows("outbox_messages", "kind = ?", "PUBLISH_COMMITMENT"); n != 1 {
		t.Errorf("%d publications queued", n)
	}
}

// R4.2, R7.3: an idempotency key reused with another application is a
// CONFLICT, not a silent replay of the first.
func TestIdempotencyKeyReusedWithAnotherPayload_R7_3(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("idem")
	h.bindLegalRep(tok)
	in := submitInput("idem-key-0001", "OWN_BUILDING_ON_STATE_LAND")
	id, _ := h.submit(tok, in)
	again, replayed := h.submit(tok, in)
	if again != id || !replayed {
		t.Fatalf("same request: %s replayed %v", again, replayed)
	}
	in["address"] = "韶关市武江区另一个地址 9 号"
	r := h.gql(tok, submitMut, map[string]any{"in": in})
	if r.code() != "CONFLICT" || r.Errors[0].Extensions["reason"] != "IDEMPOTENCY_KEY_REUSED" {
		t.Fatalf("key reused with another address: %s", r.Raw)
	}
	if n := h.rows("applications", ""); n != 1 {
		t.Fatalf("%d applications", n)
	}
}
