package billing_test

import (
	"testing"
	"time"

	"creditwater/billing"
	"creditwater/models"
)

// R1.7: contracts import like the other billing data — values converted,
// per-row errors without losing the good rows (bad status, a term that
// ends before it starts, a formula in a party's name, a missing party),
// and a corrected row updates the stored contract.
func TestR1_7_ContractsImport(t *testing.T) {
	t.Parallel()
	e := newEnv(t, billing.Options{})
	csv := "contract_no,account_no,supplier,customer,starts_on,ends_on,status\n" +
		"C001,A001,韶关市供水有限公司,韶关市测试水务用户有限公司,2019-03-01,2029-02-28,active\n" +
		"C002,A001,韶关市供水有限公司,韶关市测试水务用户有限公司,2019-03-01,2029-02-28,SIGNED\n" +
		"C003,A001,韶关市供水有限公司,韶关市测试水务用户有限公司,2029-03-01,2019-02-28,ACTIVE\n" +
		"C004,A001,韶关市供水有限公司,=1+2,2019-03-01,2029-02-28,ACTIVE\n" +
		"C005,A001,,韶关市测试水务用户有限公司,2019-03-01,2029-02-28,ACTIVE\n"
	job, errs := e.run(t, billing.KindContracts, []byte(csv), "")
	wantCounts(t, job, 5, 1, 0, 0, 4)
	want := map[int64]string{3: "status", 4: "ends_on", 5: "customer", 6: "supplier"}
	if len(errs) != len(want) {
		t.Fatalf("row errors %+v", errs)
	}
	for _, re := range errs {
		if want[re.Line] != re.Column {
			t.Errorf("line %d: error on %q (%s), want %q", re.Line, re.Column, re.Reason, want[re.Line])
		}
	}
	var c models.Contract
	if err := e.db.Where("contract_no = ?", "C001").Take(&c).Error; err != nil {
		t.Fatal(err)
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, shanghai) }
	if c.AccountNo != "A001" || c.Supplier != "韶关市供水有限公司" || c.Customer != "韶关市测试水务用户有限公司" ||
		!c.StartsOn.Equal(day(2019, 3, 1)) || !c.EndsOn.Equal(day(2029, 2, 28)) || c.Status != models.ContractActive {
		t.Fatalf("contract = %+v", c)
	}
	// The billing system terminates the contract: the row is updated.
	job, _ = e.run(t, billing.KindContracts, []byte("contract_no,account_no,supplier,customer,starts_on,ends_on,status\n"+
		"C001,A001,韶关市供水有限公司,韶关市测试水务用户有限公司,2019-03-01,2029-02-28,TERMINATED\n"), "")
	wantCounts(t, job, 1, 0, 1, 0, 0)
	e.db.Where("contract_no = ?", "C001").Take(&c)
	if c.Status != models.ContractTerminated {
		t.Fatalf("status %s after the update", c.Status)
	}
}
