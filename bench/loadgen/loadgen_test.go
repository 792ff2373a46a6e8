package loadgen

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"creditwater/store/storetest"
)

// The CPU time of a /proc/PID/stat line is utime + stime (fields 14 and
// 15) in 1/100 s, counted after the command name, which may hold spaces
// and parentheses.
func TestStatCPU(t *testing.T) {
	line := []byte("4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 1 0 0 0 250 75 0 0 20 0 3 0 100 0 0\n")
	if got, err := statCPU(line); err != nil || got != 3250*time.Millisecond {
		t.Errorf("statCPU = %v, %v; want 3.25s", got, err)
	}
	for _, bad := range []string{"", "4242 no-parenthesis S 1", "4242 (x) S 1 2 3", "4242 (x) S 1 4242 4242 0 -1 1 1 0 0 0 ten 75 0"} {
		if _, err := statCPU([]byte(bad)); err == nil {
			t.Errorf("statCPU(%q): no error", bad)
		}
	}
}

// This process's CPU time grows as it works, and it is found by its PID
// and name only.
func TestProcessCPUAndNamed(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	before, err := ProcessCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for end := time.Now().Add(300 * time.Millisecond); time.Now().Before(end); {
	}
	if after, err := ProcessCPU(os.Getpid()); err != nil || after-before < 100*time.Millisecond {
		t.Errorf("CPU time %v → %v (%v) after 300 ms of work", before, after, err)
	}
	comm, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	if pid := named(os.Getpid(), string(comm[:len(comm)-1])); pid != os.Getpid() {
		t.Errorf("named(self, %q) = %d", comm, pid)
	}
	if pid := named(os.Getpid(), "no-such-process-here"); pid != 0 {
		t.Errorf("named found %d under a name it does not have", pid)
	}
}

// The MariaDB and the Redis the tests use (CW_TEST_DATABASE_URL,
// CW_TEST_REDIS_URL; local in CI, with CI's replica MariaDBs running
// beside) are found by what they report, not by name.
func TestServerPIDs(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	ctx := context.Background()
	if storetest.DatabaseURL(t) != "" {
		db, err := storetest.DB(t).DB()
		if err != nil {
			t.Fatal(err)
		}
		// mariadbd runs in its data directory.
		var datadir string
		if err := db.QueryRowContext(ctx, "SELECT @@datadir").Scan(&datadir); err != nil {
			t.Fatal(err)
		}
		pid := MariaDBPID(ctx, db)
		cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid))
		if pid == 0 || err != nil || cwd != strings.TrimSuffix(datadir, "/") {
			t.Errorf("MariaDBPID = %d, in %q (%v); the server's data directory is %s", pid, cwd, err, datadir)
		}
	}
	if u := os.Getenv("CW_TEST_REDIS_URL"); u != "" && storetest.RedisMode() == "single" {
		if pid := RedisPID(ctx, u); pid == 0 {
			t.Errorf("RedisPID(%s) = 0", u)
		}
	}
	if pid := RedisPID(ctx, "redis://127.0.0.1:1"); pid != 0 {
		t.Errorf("RedisPID of no server = %d", pid)
	}
}
