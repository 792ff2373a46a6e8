package store_test

import (
	"testing"
	"time"

	"creditwater/models"
	"creditwater/store"
)

// R6.5: bindings made before verified identity existed are migrated to
// PENDING and must verify again; earlier face passes no longer authorise
// anything, and their clear results are gone (R7.2).
func TestMigration0008BindingsMustVerifyAgain_R6_5(t *testing.T) {
	db := migratedTo(t, "0007_repair_objection")
	now := time.Now().UTC()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"INSERT INTO enterprise_bindings (id, created_at, updated_at, user_id, subject_id, role, authorisation_ref, legal_rep_name, id_type, id_sealed, id_index, id_masked, active) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
			[]any{"b1", now, now, "u1", "s1", "LEGAL_REPRESENTATIVE", "", "陌生人", "RESIDENT_ID_CARD", "sealed", "idx", "1101**********002X", true}},
		{"INSERT INTO enterprise_bindings (id, created_at, updated_at, user_id, subject_id, role, authorisation_ref, legal_rep_name, id_type, id_sealed, id_index, id_masked, active) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
			[]any{"b2", now, now, "u2", "s1", "AUTHORISED_AGENT", "ref", "代理人", "RESIDENT_ID_CARD", "sealed", "idx2", "1101**********002X", false}},
		{"INSERT INTO face_verifications (id, created_at, updated_at, user_id, binding_id, out_seq_no, verify_id, cert_hash, outcome, verify_ret, completed_at, valid_until) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
			[]any{"f1", now, now, "u1", "b1", "seq1", "vid1", "hash", "PASSED", 10000, now, now.Add(time.Hour)}},
	} {
		if err := db.Exec(q.sql, q.args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Migrate(db); err != nil {
		t.Fatal(err)
	}
	var bs []models.EnterpriseBinding
	if err := db.Order("id").Find(&bs).Error; err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 || bs[0].Status != models.BindingPending || bs[1].Status != models.BindingEnded || bs[0].Generation != 1 || bs[0].PersonName != "陌生人" {
		t.Fatalf("bindings after migration: %+v", bs)
	}
	var fv models.FaceVerification
	if err := db.Take(&fv, "id = ?", "f1").Error; err != nil {
		t.Fatal(err)
	}
	if fv.Outcome != "COMPLETED" || fv.ValidUntil != nil || fv.BindingGeneration != 0 {
		t.Fatalf("face verification after migration: %+v", fv)
	}
	if db.Migrator().HasColumn(&models.FaceVerification{}, "cert_hash") || db.Migrator().HasColumn(&models.FaceVerification{}, "verify_ret") {
		t.Fatal("the clear face results are still stored")
	}
}
