package store_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"creditwater/models"
	"creditwater/store"
	"creditwater/store/storetest"
)

// released are the SHA-256 of every released migration file. A released
// migration never changes: a schema change is a new migration (append its
// file here when it is released).
var released = map[string]string{
	"migrate_0001.go": "a74d2e166fa03db7a267ada138dc81381d3e4c1c6f8f0e4c5e027a036178ae51",
	"migrate_0002.go": "16691d36f2814a72ce30ad91dd6891355975efaf1b74b9905d65b744e5744dc4",
	"migrate_0003.go": "83fb5b8207718ea9a257fffdaeacdbe340ac105e4cf8e6f81c469c8830060b19",
	"migrate_0004.go": "c7ee11eda3c1c2a9b697e6d0868b2c186a874ea3680fa5531d301633a7399a98",
	"migrate_0005.go": "5e45eb32ab91f215aeb99dc7d0f2d3e62df6f60394f5cefee8fd40e04a68ac68",
	"migrate_0006.go": "49e6200903cc728916a79374bae63c050a0c3a3259962e48b4e4baf780d1caed",
	"migrate_0007.go": "53e97de654746af53abbed7b7d7cf999c208ad0c67840351d4074f6fffab6549",
	"migrate_0008.go": "7045f3fde7acbd121121f84fb3d90e2864abbf97896b2fa5d27b05e28adb214b",
	"migrate_0009.go": "4d93289c9654908a1f1192fd7ec5fbc0ee84b56707e52ef11205e9f2c55df3dd",
	"migrate_0010.go": "2db411576b4e3eb35d3ba5fd1122fd4aa1aa135113082c7cdf696babca24c3ad",
	"migrate_0011.go": "38c53fe277cffceff399cea68bf969e7fcb9a1404e4811d6b6ff137e731e1e24",
	"migrate_0012.go": "eb9400bf7bb557921814ea787ec1ea7efdc6e0885dd6c7d347be9f07332e228c",
	"migrate_0013.go": "6881271e11835e21d7afd28530a278a9a2d6c6e3e5796aa8f8cb71d371c6fa5c",
	"migrate_0016.go": "383030c28351d7991c38f892d9e7c400a3acff67e09a01dc0c5af7fab07a7e90",
	"migrate_0017.go": "8919b4d9c83a4f5e197083ca4b65d68f3690650d92c491a93f4347fde40a087f",
	"migrate_0018.go": "f043d2d92d579ab68373ab1d8fb6b7f922212d38c82594392cb802425a072717",
	"migrate_0026.go": "35cf5cb5181faa7133ea404c0d2319f45273c69565ca108b194f4272cea1274a",
	"migrate_0030.go": "7aca672d046be4951c9b25a4c415f4c7f8919259b2131576118246441d51f294",
	"migrate_0031.go": "f4f548c7039a62555e7075b0674521c0227ce02076769a2fc81173b96ee02aef",
	"migrate_0034.go": "fafcb7e608993ef3224f3649610ea2c137eaf58689bec4ccb816cd883fdcd825",
	"migrate_0035.go": "3205c3090a0777e91e7e536e8f219ff54aadb5d4b1d4198d9e6671b90528e71d",
}

func TestReleasedMigrationsNeverChange(t *testing.T) {
	files, _ := filepath.Glob("migrate_[0-9][0-9][0-9][0-9]*.go")
	if len(files) != len(store.MigrationIDs()) {
		t.Errorf("%d migration files for %d migrations: one file per migration", len(files), len(store.MigrationIDs()))
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(raw)
		got := hex.EncodeToString(sum[:])
		want, ok := released[f]
		if !ok {
			t.Errorf("%s is not in the released list: add %q: %q", f, f, got)
			continue
		}
		if got != want {
			t.Errorf("%s changed (sha256 %s, released %s): released migrations are frozen; add a new migration instead", f, got, want)
		}
	}
}

// TestMigratedSchemaMatchesModels migrates a fresh database to head and
// checks that every column and index the models declare exists, and that no
// table has a column the models do not know.
func TestMigratedSchemaMatchesModels(t *testing.T) {
	db := storetest.DB(t)
	m := db.Migrator()
	for _, model := range models.All() {
		stmt := &gorm.Statement{DB: db}
		if err := stmt.Parse(model); err != nil {
			t.Fatal(err)
		}
		table := stmt.Schema.Table
		if !m.HasTable(model) {
			t.Errorf("table %s is missing", table)
			continue
		}
		known := map[string]bool{}
		for _, f := range stmt.Schema.Fields {
			if f.DBName == "" {
				continue
			}
			known[strings.ToLower(f.DBName)] = true
			if !m.HasColumn(model, f.DBName) {
				t.Errorf("%s.%s is missing", table, f.DBName)
			}
		}
		for _, idx := range stmt.Schema.ParseIndexes() {
			if !m.HasIndex(model, idx.Name) {
				t.Errorf("index %s on %s is missing", idx.Name, table)
			}
		}
		cols, err := m.ColumnTypes(model)
		if err != nil {
			t.Fatal(err)
		}
		var extra []string
		for _, c := range cols {
			if !known[strings.ToLower(c.Name())] {
				extra = append(extra, c.Name())
			}
		}
		sort.Strings(extra)
		if len(extra) > 0 {
			t.Errorf("%s has columns the model lacks: %v", table, extra)
		}
	}
}

// Instances starting together on an empty database both migrate without
// error: the second waits for the first's lock and finds everything applied.
func TestConcurrentMigrate(t *testing.T) {
	cfg := storetest.DBConfig(t)
	dbs := make([]*gorm.DB, 3)
	for i := range dbs {
		db, err := store.OpenDB(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		dbs[i] = db
		t.Cleanup(func() {
			if s, err := db.DB(); err == nil {
				_ = s.Close()
			}
		})
	}
	var wg sync.WaitGroup
	errs := make([]error, len(dbs))
	for i, db := range dbs {
		wg.Go(func() { errs[i] = store.Migrate(db) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
	}
}
