package loadgen

import (
	"os"
	"runtime"
	"testing"
	"time"
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

// This process's CPU time grows as it works, and it finds itself by name.
func TestProcessCPUAndFindProcess(t *testing.T) {
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
	if pid := FindProcess(string(comm[:len(comm)-1])); pid == 0 {
		t.Errorf("FindProcess(%q) found nothing", comm)
	}
	if pid := FindProcess("no-such-process-here"); pid != 0 {
		t.Errorf("FindProcess found %d for a name nobody has", pid)
	}
}
