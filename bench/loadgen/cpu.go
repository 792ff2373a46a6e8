package loadgen

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the CPU times in /proc/PID/stat (USER_HZ, fixed at
// 100 by Linux's user-space ABI).
const userHZ = 100

var errStatFormat = errors.New("/proc/PID/stat: unexpected format")

// ProcessCPU is the CPU time (user + system, all threads) process pid has
// used so far, from /proc/PID/stat; an error where there is no /proc.
func ProcessCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return statCPU(b)
}

// statCPU reads the CPU time of a /proc/PID/stat line.
func statCPU(b []byte) (time.Duration, error) {
	// The command name (field 2) is in parentheses and may hold spaces:
	// the fields counted are those after its closing parenthesis, from
	// field 3 (state) on; utime and stime are fields 14 and 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errStatFormat
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errStatFormat
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errStatFormat
	}
	return time.Duration(utime+stime) * time.Second / userHZ, nil
}

// FindProcess returns the PID of a process of this machine whose command
// name is name (mariadbd, redis-server), or 0 when none runs or there is no
// /proc.
func FindProcess(name string) int {
	comms, _ := filepath.Glob("/proc/[0-9]*/comm")
	for _, c := range comms {
		if b, err := os.ReadFile(c); err == nil && strings.TrimSpace(string(b)) == name {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(c)))
			return pid
		}
	}
	return 0
}

// PID is the product's process ID.
func (p *Product) PID() int { return p.cmd.Process.Pid }
