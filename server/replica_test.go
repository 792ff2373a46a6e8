package server_test

import (
	"database/sql"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"creditwater/creditplatform/simulator"
	"creditwater/models"
	"creditwater/store"
	"creditwater/testwait"
)

// The read-replica tests need a primary and its replica
// (scripts/mariadb-replica.sh): CW_TEST_DATABASE_URL on the primary,
// CW_TEST_REPLICA_URL a root DSN of the replica. They pause the replica's
// SQL thread, so they must not run beside other tests on the same pair
// (.ci/run runs them alone).

// replicaEnv is testEnv with the replica configured; it skips the test
// without the pair.
func replicaEnv(t *testing.T) map[string]string {
	t.Helper()
	if os.Getenv("CW_TEST_DATABASE_URL") == "" || os.Getenv("CW_TEST_REPLICA_URL") == "" {
		t.Skip("needs a primary and its replica: CW_TEST_DATABASE_URL and CW_TEST_REPLICA_URL (scripts/mariadb-replica.sh)")
	}
	env := testEnv(t)
	if env["CW_DATABASE_REPLICA_URLS"] == "" {
		t.Fatal("testEnv did not configure the replica")
	}
	env["CW_TEST_REPLICA_LAG"] = "1" // these tests want the replica's lag
	return env
}

// pauseReplication stops the replica's SQL thread (the replica keeps
// receiving the primary's changes but applies none: it lags) until the
// returned function, or the end of the test, starts it again.
func pauseReplication(t *testing.T) (resume func()) {
	t.Helper()
	dsn, err := store.MySQLDSN(os.Getenv("CW_TEST_REPLICA_URL"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := mysql.ParseDSN(dsn)
	cfg.DBName = ""
	root, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := root.Exec("STOP SLAVE SQL_THREAD"); err != nil {
		t.Fatalf("pause replication: %v", err)
	}
	started := false
	resume = func() {
		if !started {
			started = true
			if _, err := root.Exec("START SLAVE SQL_THREAD"); err != nil {
				t.Errorf("resume replication: %v", err)
			}
		}
	}
	t.Cleanup(func() { resume(); _ = root.Close() })
	return resume
}

const replicaAppsQuery = `query($s:ID){applications(filter:{subjectId:$s},first:100){totalCount edges{node{id status}}}}`

type replicaAppList struct {
	Applications struct {
		TotalCount int
		Edges      []struct{ Node struct{ ID, Status string } }
	}
}

func (l replicaAppList) ids() []string {
	var out []string
	for _, e := range l.Applications.Edges {
		out = append(out, e.Node.ID)
	}
	return out
}

// R8.1 at scale (issue 14): the staff list reads the replica, so while the
// replica lags a new application is not in it yet; the mutation's payload
// and reads by ID come from the primary (read-your-writes); once the
// replica applies the change, the list shows it.
func TestReadReplicas_R8_1_ListsLagButPayloadsReadTheirWrites(t *testing.T) {
	h := newHarness(t, replicaEnv(t))
	staff := h.staffToken("staff", "demo-staff-pass")
	resume := pauseReplication(t)

	// The whole binding and application flow works while the replica lags:
	// every step reads what the step before wrote.
	tok := h.consented("replica-lag")
	subj := h.bindVerified(tok, simulator.EnterpriseA, "11010519491231002X")
	var out struct {
		SubmitApplication struct {
			Application struct {
				ID, Status string
				Version    int
			}
		} `json:"submitApplication"`
	}
	h.must(tok, submitMut, map[string]any{"in": submitInput("replica-lag-0001", "OWN_BUILDING_ON_STATE_LAND")}, &out)
	app := out.SubmitApplication.Application
	if app.ID == "" || app.Status != "SUBMITTED" || app.Version < 1 {
		t.Fatalf("the mutation's payload must read the primary: %+v", app)
	}
	if v := h.app(staff, app.ID); v.Status != "SUBMITTED" {
		t.Fatalf("application(id) reads the primary: %+v", v)
	}
	// A staff decision's payload too.
	var sched struct {
		ScheduleSurvey struct{ Application struct{ ID, Status string } } `json:"scheduleSurvey"`
	}
	h.must(staff, `mutation($id:ID!,$a:ID!,$t:Time!,$v:Int!){scheduleSurvey(input:{applicationId:$id,assigneeId:$a,at:$t,version:$v}){application{id status}}}`,
		map[string]any{"id": app.ID, "a": h.staffID(staff), "t": time.Now().Add(24 * time.Hour).Format(time.RFC3339), "v": app.Version}, &sched)
	if sched.ScheduleSurvey.Application.Status != "SURVEY_SCHEDULED" {
		t.Fatalf("scheduleSurvey's payload: %+v", sched.ScheduleSurvey)
	}

	var list replicaAppList
	h.must(staff, replicaAppsQuery, map[string]any{"s": subj}, &list)
	if list.Applications.TotalCount != 0 || len(list.Applications.Edges) != 0 {
		t.Fatalf("the staff list reads the replica, which has not applied the submission yet: %+v", list)
	}

	resume()
	testwait.For(t, "the application in the staff list once the replica catches up", func() bool {
		var l replicaAppList
		h.must(staff, replicaAppsQuery, map[string]any{"s": subj}, &l)
		return slices.Contains(l.ids(), app.ID) && l.Applications.Edges[0].Node.Status == "SURVEY_SCHEDULED"
	})
}

// R4.1 (issue 14): the credit check decides on the primary: a dishonesty
// record written while the replica lags makes the application ineligible
// (NO_DISHONESTY_RECORD), though the staff record list, read from the
// replica, does not show the record yet.
func TestReadReplicas_R4_1_CreditCheckReadsThePrimary(t *testing.T) {
	h := newHarness(t, replicaEnv(t))
	staff := h.staffToken("staff", "demo-staff-pass")
	tok := h.consented("replica-rule")
	subj := h.bindVerified(tok, simulator.EnterpriseB, "11010519491231002X")
	appID, _ := h.submit(tok, submitInput("replica-rule-0001", "OWN_BUILDING_ON_STATE_LAND"))
	h.surveyed(staff, appID)

	resume := pauseReplication(t)
	rec := models.DishonestyRecord{SubjectID: subj, Kind: models.KindArrears, Severity: models.SeverityGeneral, Status: models.RecordActive,
		SourceKey: "TEST:" + subj, Source: "TEST", BehaviourOn: time.Now().AddDate(0, -2, 0), DecidedOn: time.Now().AddDate(0, -1, 0)}
	if err := h.srv.DB().Create(&rec).Error; err != nil {
		t.Fatal(err)
	}
	const recordsQuery = `query($s:ID){dishonestyRecords(filter:{subjectId:$s}){totalCount edges{node{id}}}}`
	var recs struct {
		DishonestyRecords struct{ TotalCount int } `json:"dishonestyRecords"`
	}
	h.must(staff, recordsQuery, map[string]any{"s": subj}, &recs)
	if recs.DishonestyRecords.TotalCount != 0 {
		t.Fatalf("the record list reads the lagging replica: %+v", recs)
	}

	eligible, v := h.creditCheck(staff, appID)
	if eligible || v.Status != "FALLBACK_TO_DOCUMENTS" || len(v.FailedConditions) != 1 || v.FailedConditions[0].Code != "NO_DISHONESTY_RECORD" {
		t.Fatalf("the credit check must see the record on the primary: eligible %v, %+v", eligible, v)
	}

	resume()
	testwait.For(t, "the record in the staff list once the replica catches up", func() bool {
		h.must(staff, recordsQuery, map[string]any{"s": subj}, &recs)
		return recs.DishonestyRecords.TotalCount == 1
	})
}

// On the embedded SQLite database the replicas are ignored, with a warning,
// and the lists work as before.
func TestReadReplicasIgnoredOnEmbeddedDatabase(t *testing.T) {
	env := testEnv(t)
	env["CW_DATABASE_URL"], env["CW_DATABASE_REPLICA_URLS"] = "", "root@tcp(127.0.0.1:1)/nowhere"
	h := newHarness(t, env)
	if w := h.logs.lines(slog.LevelWarn); len(w) != 1 || !strings.Contains(w[0], "CW_DATABASE_REPLICA_URLS") {
		t.Fatalf("warnings: %q", w)
	}
	staff := h.staffToken("staff", "demo-staff-pass")
	var list replicaAppList
	h.must(staff, replicaAppsQuery, nil, &list)
}
