package billing

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"creditwater/models"
	"creditwater/store/storetest"
)

// R1.1: both ways of classifying a batch give exact counts. On MariaDB a
// writer counts in the upsert while most rows are new and reads first once
// most rows exist; on SQLite it always reads first. The file below has
// batches of 10 that are new, unchanged, mixed and changed.
func TestBatchClassification_R1_1(t *testing.T) {
	t.Parallel()
	db := storetest.DB(t)
	im := NewImporter(db, nil, Options{BatchRows: 10, Writers: 1})
	line := func(i int, amount string) string {
		return fmt.Sprintf("C%03d,A1,2024-01,%s,2024-02-01,2024-02-28\n", i, amount)
	}
	var first, second strings.Builder
	first.WriteString("bill_no,account_no,period,amount_yuan,issued_on,due_on\n")
	second.WriteString(first.String())
	for i := range 30 {
		first.WriteString(line(i, "1"))
	}
	for i := range 30 { // 0–9 unchanged, 10–19 changed
		second.WriteString(line(i, map[bool]string{true: "2", false: "1"}[i >= 10 && i < 20]))
	}
	for i := 30; i < 60; i++ { // new
		second.WriteString(line(i, "1"))
	}
	ctx := context.Background()
	job, _, err := im.Import(ctx, KindBills, strings.NewReader(first.String()), Meta{})
	if err != nil || job.Inserted != 30 {
		t.Fatalf("first import: %+v, %v", job, err)
	}
	job, _, err = im.Import(ctx, KindBills, strings.NewReader(second.String()), Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if job.Inserted != 30 || job.Updated != 10 || job.Unchanged != 20 {
		t.Fatalf("second import counted %d/%d/%d inserted/updated/unchanged, want 30/10/20", job.Inserted, job.Updated, job.Unchanged)
	}
	var n int64
	db.Model(&models.Bill{}).Where("amount_fen = ?", 200).Count(&n)
	if n != 10 {
		t.Fatalf("%d bills changed, want 10", n)
	}
	counted, read := im.countedBatches.Load(), im.readBatches.Load()
	if im.mariaDB(ctx) {
		if counted == 0 || read == 0 {
			t.Fatalf("counted %d batches, read first %d: want both ways used", counted, read)
		}
	} else if counted != 0 {
		t.Fatalf("counted %d batches without MariaDB", counted)
	}
}
