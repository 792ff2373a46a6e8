package server

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/billing"
	"creditwater/creditplatform/simulator"
	"creditwater/models"
	"creditwater/store"
)

// DemoStaff are the staff accounts seeded in development (never in
// production). The README lists them.
var DemoStaff = []struct {
	Username, Password, Name string
	Role                     models.Role
}{
	{"admin", "demo-admin-pass", "演示管理员", models.RoleAdmin},
	{"staff", "demo-staff-pass", "演示工作人员", models.RoleStaff},
	{"officer", "demo-officer-pass", "演示信用专员", models.RoleCreditOfficer},
}

// demoLock is the database lock that instances starting together take
// around seeding, so they seed one after the other (the second finds
// everything there: the seeding is idempotent).
const demoLock = "creditwater.demo"

// seedDemo seeds the demo users and billing data under demoLock. It returns
// the first error of a step (the seed is idempotent: a retry completes it).
func (s *Server) seedDemo(ctx context.Context) error {
	return store.WithLock(ctx, s.db, demoLock, 2*time.Minute, func(*gorm.DB) error { return s.seedDemoLocked(ctx) })
}

func (s *Server) seedDemoLocked(ctx context.Context) error {
	for _, d := range DemoStaff {
		if _, err := s.auth.CreateStaff(ctx, d.Username, d.Password, d.Name, d.Role); err != nil && !apperr.Is(err, apperr.Conflict) {
			return err
		}
	}
	// Billing data of two simulator enterprises, through the real import
	// (idempotent, so every start is the same): an excellent one with two
	// years of usage, and one with an unpaid reminder.
	files := []struct {
		kind billing.Kind
		csv  string
	}{
		{billing.KindAccounts, "account_no,subject_kind,subject_id,subject_name,address,use_type,opened_on\n" +
			"DEMO-0001,ENTERPRISE," + simulator.EnterpriseA + ",韶关市清源食品有限公司,韶关市浈江区工业大道 8 号,工业,2018-05-01\n" +
			"DEMO-0002,ENTERPRISE," + simulator.EnterpriseWithEntries + ",仁化县金泉酒店管理有限公司,仁化县丹霞大道 2 号,商业,2020-09-01\n"},
		{billing.KindUsage, demoUsage()},
		{billing.KindBills, "bill_no,account_no,period,amount_yuan,issued_on,due_on\n" +
			"DEMO-B-2026-01,DEMO-0002,2026-01,1520.00,2026-02-03,2026-02-28\n" +
			"DEMO-B-2026-02,DEMO-0002,2026-02,1380.50,2026-03-03,2026-03-31\n"},
		{billing.KindReminders, "reminder_no,account_no,served_on,amount_yuan,bill_nos\n" +
			"DEMO-R-0001,DEMO-0002,2026-04-10,2900.50,DEMO-B-2026-01;DEMO-B-2026-02\n"},
	}
	for _, f := range files {
		if _, _, err := s.importer.Import(ctx, f.kind, strings.NewReader(f.csv), billing.Meta{FileName: "demo", StartedBy: "demo"}); err != nil {
			return err
		}
	}
	_, err := s.grades.Recompute(ctx, time.Now())
	return err
}

// demoUsage is 24 months of usage of DEMO-0001 with one anomalous month.
func demoUsage() string {
	var b strings.Builder
	b.WriteString("account_no,period,reading,volume_m3\n")
	start := time.Now().AddDate(0, -24, 0)
	reading := 10000.0
	for i := range 24 {
		m := start.AddDate(0, i, 0)
		vol := 800.0 + float64((i*37)%120)
		if i == 20 {
			vol = 2600 // a leak, flagged HIGH
		}
		reading += vol
		fmt.Fprintf(&b, "DEMO-0001,%s,%.3f,%.3f\n", m.Format("2006-01"), reading, vol)
	}
	return b.String()
}
