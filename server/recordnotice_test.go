package server_test

import (
	"strings"
	"testing"

	"creditwater/creditplatform/simulator"
	"creditwater/models"
	"creditwater/notice"
)

// R7.6: an objection's decision that corrects or revokes a record tells the
// enterprise's users who may view it, in Chinese, exactly once per change
// (RECORD_CHANGED); one that upholds it tells nothing about the record; the
// user of another enterprise is told nothing. A WeChat subscribe message
// goes out where the user holds a grant, one per grant.
func TestR7_6_RecordChangedNotice(t *testing.T) {
	h := newHarness(t, testEnv(t))
	tok := h.consented("changed-owner")
	subj := h.bindVerified(tok, simulator.EnterpriseA, "11010519491231002X")
	stranger := h.consented("changed-stranger")
	h.bindVerified(stranger, simulator.EnterpriseB, "440524188001010014")
	officer := h.staffToken("officer", "demo-officer-pass")
	// Each holds one grant of the subscribe template: the owner's first
	// RECORD_CHANGED notice uses it; the stranger's stays.
	for _, tk := range []string{tok, stranger} {
		h.must(tk, `mutation{grantSubscription(input:{templateId:"application-status"}){remaining}}`, nil, nil)
	}

	decide := func(recordID, outcome string, extra map[string]any) {
		t.Helper()
		var obj struct {
			FileObjection struct{ Objection struct{ ID string } } `json:"fileObjection"`
		}
		h.must(tok, `mutation($r:ID!){fileObjection(input:{recordId:$r,reason:"该记录有误"}){objection{id}}}`, map[string]any{"r": recordID}, &obj)
		id := obj.FileObjection.Objection.ID
		h.must(officer, `mutation($id:ID!,$v:Int!){acceptObjection(input:{id:$id,version:$v}){objection{status}}}`, map[string]any{"id": id, "v": h.version("objection", id)}, nil)
		in := map[string]any{"id": id, "outcome": outcome, "reason": "经核查作出决定", "version": h.version("objection", id)}
		for k, v := range extra {
			in[k] = v
		}
		h.must(officer, `mutation($in:DecideObjectionInput!){decideObjection(input:$in){objection{status}}}`, map[string]any{"in": in}, nil)
	}
	corrected := h.record(subj, models.KindViolation, 2)
	revoked := h.record(subj, models.KindTheft, 2)
	upheld := h.record(subj, models.KindViolation, 3)
	decide(corrected.ID, "CORRECTED", map[string]any{"correctedSummary": "更正后的摘要", "correctedSeverity": "MINOR"})
	decide(revoked.ID, "REVOKED", nil)
	decide(upheld.ID, "UPHELD", nil)

	got := map[string][]string{}
	for _, e := range h.inbox(tok, false).Edges {
		if e.Node.Kind == string(notice.RecordChanged) {
			if e.Node.RefType != "record" || e.Node.SubjectID != subj || !cjk.MatchString(e.Node.Title) || englishRun.MatchString(e.Node.Body) {
				t.Errorf("notice %+v", e.Node)
			}
			got[e.Node.RefID] = append(got[e.Node.RefID], e.Node.Body)
		}
	}
	if len(got[corrected.ID]) != 1 || len(got[revoked.ID]) != 1 || len(got) != 2 {
		t.Fatalf("RECORD_CHANGED notices by record: %v (want one for the corrected and one for the revoked record)", got)
	}
	if b := got[corrected.ID][0]; !cjk.MatchString(b) || !strings.Contains(b, "已更正") || !strings.Contains(b, "更正后的摘要") || !strings.Contains(b, "「轻微」") {
		t.Errorf("corrected: %q", b)
	}
	if b := got[revoked.ID][0]; !strings.Contains(b, "已撤销") {
		t.Errorf("revoked: %q", b)
	}
	for _, e := range h.inbox(stranger, false).Edges {
		if e.Node.Kind == string(notice.RecordChanged) {
			t.Errorf("a stranger was told: %+v", e.Node)
		}
	}

	// The subscribe message where a grant is held: one grant, one message.
	for range 2 {
		if _, err := h.srv.Outbox().RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	var msgs []map[string]string
	for _, m := range h.srv.WeChatFake().SentMessages() {
		if m.Page == "pages/inbox/index" {
			msgs = append(msgs, m.Data)
		}
	}
	if len(msgs) != 1 || msgs[0]["thing1"] != notice.Title(notice.RecordChanged) || !cjk.MatchString(msgs[0]["thing3"]) {
		t.Errorf("subscribe messages of record changes: %v, want one", msgs)
	}
	if n := h.rows("subscription_grants", "remaining = 1"); n != 1 {
		t.Errorf("%d grants left unused, want the stranger's", n)
	}
}
