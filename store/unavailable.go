package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"strings"
	"syscall"

	gosqlite "github.com/glebarez/go-sqlite"
	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"
)

// MySQL/MariaDB server errors that mean "the database cannot serve us now"
// rather than "this statement is wrong": too many connections, shutdown,
// killed connection or query, lock and statement timeouts, read-only mode
// during a fail-over, and refused logins or a missing database.
var mysqlUnavailable = map[uint16]bool{
	1040: true, // ER_CON_COUNT_ERROR: too many connections
	1044: true, // ER_DBACCESS_DENIED_ERROR
	1045: true, // ER_ACCESS_DENIED_ERROR
	1049: true, // ER_BAD_DB_ERROR: unknown database
	1053: true, // ER_SERVER_SHUTDOWN
	1205: true, // ER_LOCK_WAIT_TIMEOUT
	1290: true, // ER_OPTION_PREVENTS_STATEMENT (--read-only)
	1317: true, // ER_QUERY_INTERRUPTED
	1836: true, // ER_READ_ONLY_MODE
	1927: true, // ER_CONNECTION_KILLED (MariaDB)
	1969: true, // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
	3024: true, // ER_QUERY_TIMEOUT (MySQL max_execution_time)
}

// SQLite primary result codes of the same kind: the file is locked after
// the busy timeout, cannot be opened or written, or the disk is full.
var sqliteUnavailable = map[int]bool{
	5:  true, // SQLITE_BUSY ("database is locked" after busy_timeout)
	6:  true, // SQLITE_LOCKED
	8:  true, // SQLITE_READONLY
	10: true, // SQLITE_IOERR
	13: true, // SQLITE_FULL
	14: true, // SQLITE_CANTOPEN
}

// Redis error replies of a server that is starting, failing over or has
// lost its cluster.
var redisUnavailablePrefixes = []string{"LOADING ", "MASTERDOWN ", "CLUSTERDOWN ", "TRYAGAIN ", "READONLY "}

// IsUnavailable reports whether err's chain carries a failure to reach the
// database or Redis — a lost or refused connection, a closed pool, a server
// shutting down or refusing connections, SQLite's "database is locked" after
// its busy timeout — as opposed to a fault of the statement or the data.
// It is the one classification of storage outages: the GraphQL error
// presenter turns such errors into UNAVAILABLE with retryAfter whatever code
// the domain wrapped them in. Context cancellation and deadlines are not
// outages and answer false.
func IsUnavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// The caller's own deadline or departure (context.DeadlineExceeded
		// also satisfies net.Error, so this test comes first).
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, redis.ErrClosed) || errors.Is(err, redis.ErrPoolTimeout) || errors.Is(err, redis.ErrPoolExhausted) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ETIMEDOUT) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) {
		return true
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return true
	}
	if me, ok := errors.AsType[*mysql.MySQLError](err); ok {
		return mysqlUnavailable[me.Number]
	}
	if se, ok := errors.AsType[*gosqlite.Error](err); ok {
		return sqliteUnavailable[se.Code()&0xff]
	}
	if re, ok := errors.AsType[redis.Error](err); ok {
		msg := re.Error()
		for _, p := range redisUnavailablePrefixes {
			if strings.HasPrefix(msg, p) {
				return true
			}
		}
	}
	// database/sql keeps its "closed pool" error unexported; its text has
	// not changed since Go 1.0.
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e.Error() == "sql: database is closed" {
			return true
		}
	}
	return false
}

// IsSQLiteBusy reports whether err's chain carries SQLite's "database is
// locked" (SQLITE_BUSY) after its busy timeout.
func IsSQLiteBusy(err error) bool {
	se, ok := errors.AsType[*gosqlite.Error](err)
	return ok && se.Code()&0xff == 5
}
