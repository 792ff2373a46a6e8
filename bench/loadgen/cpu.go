package loadgen

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
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

// MariaDBPID is the process ID of the MariaDB server db is connected to,
// read from the server's pid file (@@pid_file); 0 when that file is not
// readable here or names no mariadbd of this machine (a server elsewhere).
// Looking the server up by name would find any mariadbd running here,
// CI's replicas as well.
func MariaDBPID(ctx context.Context, db *sql.DB) int {
	var file string
	if err := db.QueryRowContext(ctx, "SELECT @@global.pid_file").Scan(&file); err != nil {
		return 0
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return named(pid, "mariadbd")
}

// RedisPID is the process ID the Redis server at url reports (INFO
// server); 0 when it does not answer or is no redis-server of this
// machine.
func RedisPID(ctx context.Context, url string) int {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return 0
	}
	opt.MaxRetries, opt.DialerRetries = -1, 1 // one question: no retries
	c := redis.NewClient(opt)
	defer c.Close()
	info, err := c.Info(ctx, "server").Result()
	if err != nil {
		return 0
	}
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "process_id:"); ok {
			pid, _ := strconv.Atoi(v)
			return named(pid, "redis-server")
		}
	}
	return 0
}

// named is pid when process pid of this machine has the command name name,
// else 0.
func named(pid int, name string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if pid <= 0 || err != nil || strings.TrimSpace(string(b)) != name {
		return 0
	}
	return pid
}

// PID is the product's process ID.
func (p *Product) PID() int { return p.cmd.Process.Pid }
