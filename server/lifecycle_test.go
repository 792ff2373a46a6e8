package server_test

import (
	"context"
	"testing"
	"time"

	"creditwater/credit/record"
	"creditwater/creditplatform/simulator"
	"creditwater/models"
)

// drain runs the outbox of h a few times.
func (h *harness) drain() {
	h.t.Helper()
	for range 3 {
		if _, err := h.srv.Outbox().RunOnce(context.Background()); err != nil {
			h.t.Fatal(err)
		}
	}
}

// R1.5: a published record past its maximum publicity period becomes
// EXPIRED through the credit.expire job, is still listed (history), and its
// withdrawal reaches the platform exactly once although the job runs again
// on a restarted server (a new instance on the same database).
func TestR1_5_ExpiryWithdrawsOnceAcrossRestart(t *testing.T) {
	env := testEnv(t)
	sim := externalPlatform(t, env)
	first := newHarness(t, env)
	tok := first.consented("expiry")
	subj := first.bindVerified(tok, simulator.EnterpriseA, "11010519491231002X")
	rec := first.record(subj, models.KindViolation, 11)
	admin := first.staffToken("admin", "demo-admin-pass")
	first.must(admin, `mutation{runJob(name:"credit.publish"){status}}`, nil, nil)
	first.drain()
	if n := len(sim.Publications()); n != 1 {
		t.Fatalf("published: %d", n)
	}
	// A year has passed: the publicity period has ended.
	ended := time.Now().UTC().Add(-time.Hour)
	if err := first.srv.DB().Model(&models.DishonestyRecord{}).Where("id = ?", rec.ID).Update("publicity_end", ended).Error; err != nil {
		t.Fatal(err)
	}
	var run struct {
		RunJob struct{ Status, Detail string }
	}
	first.must(admin, `mutation{runJob(name:"credit.expire"){status detail}}`, nil, &run)
	if run.RunJob.Status != "OK" || run.RunJob.Detail != "1 records expired" {
		t.Fatalf("expire job: %+v", run)
	}
	first.ts.Close()
	first.srv.Close() // the restart, before the withdrawal is delivered

	env2 := map[string]string{}
	for k, v := range env {
		env2[k] = v
	}
	env2["CW_DEMO_DATA"] = "false"
	second := newHarness(t, env2)
	admin = second.staffToken("admin", "demo-admin-pass")
	second.must(admin, `mutation{runJob(name:"credit.expire"){status detail}}`, nil, &run)
	if run.RunJob.Detail != "0 records expired" {
		t.Errorf("second run: %+v", run)
	}
	second.drain()
	second.must(admin, `mutation{runJob(name:"credit.expire"){status}}`, nil, nil)
	second.must(admin, `mutation{runJob(name:"credit.publish"){status}}`, nil, nil)
	second.drain()
	if w := sim.Withdrawals(); len(w) != 1 {
		t.Fatalf("withdrawals: %d, want exactly 1", len(w))
	}
	var msgs int64
	second.srv.DB().Model(&models.OutboxMessage{}).Where(&models.OutboxMessage{Key: record.WithdrawKey(rec.ID)}).Count(&msgs)
	if msgs != 1 {
		t.Errorf("withdrawal messages: %d", msgs)
	}
	var got struct {
		DishonestyRecords struct {
			Edges []struct{ Node struct{ ID, Status string } }
		}
	}
	second.must(tok, `query($s:ID!){dishonestyRecords(filter:{subjectId:$s,status:EXPIRED}){edges{node{id status}}}}`, map[string]any{"s": subj}, &got)
	if e := got.DishonestyRecords.Edges; len(e) != 1 || e[0].Node.ID != rec.ID {
		t.Errorf("expired records listed: %+v", got)
	}
	var notices int64
	second.srv.DB().Model(&models.Notice{}).Where("kind = ? AND ref_id = ?", "RECORD_EXPIRED", rec.ID).Count(&notices)
	if notices != 1 {
		t.Errorf("inbox notices of the expiry: %d", notices)
	}
}
