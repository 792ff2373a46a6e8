package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
)

// plan is the SQL one request of a list ran and the EXPLAIN of each
// SELECT.
type plan struct {
	name  string
	stmts []stmtPlan
}

type stmtPlan struct {
	sql  string
	rows []string // one line per EXPLAIN row: table, access type, key, rows, Extra
}

// capture runs fn (one request) with MariaDB's general log on (to the
// mysql.general_log table, for as long as the request takes; the previous
// settings are restored), reads the statements the product's connections
// to the bench's database sent, and EXPLAINs each SELECT.
func capture(ctx context.Context, db *sql.DB, dbName string, fn func() error) (p plan, err error) {
	c, err := db.Conn(ctx)
	if err != nil {
		return p, err
	}
	defer c.Close()
	var wasOn, output string
	var self int64
	if err := c.QueryRowContext(ctx, "SELECT @@global.general_log, @@global.log_output, CONNECTION_ID()").Scan(&wasOn, &output, &self); err != nil {
		return p, err
	}
	var start string
	if err := c.QueryRowContext(ctx, "SELECT NOW(6)").Scan(&start); err != nil {
		return p, err
	}
	if _, err := c.ExecContext(ctx, "SET GLOBAL log_output = 'TABLE'"); err != nil {
		return p, err
	}
	if _, err := c.ExecContext(ctx, "SET GLOBAL general_log = ON"); err != nil {
		return p, err
	}
	ferr := fn()
	if _, err := c.ExecContext(ctx, "SET GLOBAL general_log = "+wasOn); err != nil {
		return p, err
	}
	if _, err := c.ExecContext(ctx, "SET GLOBAL log_output = '"+output+"'"); err != nil {
		return p, err
	}
	if ferr != nil {
		return p, ferr
	}
	rows, err := c.QueryContext(ctx, `SELECT argument FROM mysql.general_log
WHERE event_time >= ? AND command_type = 'Query' AND thread_id <> ? AND thread_id IN (
  SELECT id FROM information_schema.processlist WHERE db = ?
  UNION SELECT thread_id FROM mysql.general_log WHERE event_time >= ? AND command_type IN ('Connect', 'Init DB') AND argument LIKE ?)
ORDER BY event_time`, start, self, dbName, start, "%"+dbName+"%")
	if err != nil {
		return p, err
	}
	var stmts []string
	for rows.Next() {
		var arg []byte
		if err := rows.Scan(&arg); err != nil {
			rows.Close()
			return p, err
		}
		stmts = append(stmts, string(arg))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, err
	}
	for _, s := range stmts {
		// The outbox poller's transactions run on their own schedule, not
		// for the request.
		if strings.Contains(s, "outbox_messages") || s == "START TRANSACTION" || s == "COMMIT" || strings.HasPrefix(s, "SET TRANSACTION") {
			continue
		}
		sp := stmtPlan{sql: s}
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(s)), "SELECT") {
			if sp.rows, err = explain(ctx, c, s); err != nil {
				return p, fmt.Errorf("EXPLAIN %s: %w", s, err)
			}
		}
		p.stmts = append(p.stmts, sp)
	}
	return p, nil
}

// explain returns MariaDB's EXPLAIN of the SELECT s, one line per row.
func explain(ctx context.Context, c *sql.Conn, s string) ([]string, error) {
	rows, err := c.QueryContext(ctx, "EXPLAIN "+s)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		get := func(name string) string {
			for i, c := range cols {
				if strings.EqualFold(c, name) && vals[i].Valid {
					return vals[i].String
				}
			}
			return "-"
		}
		out = append(out, fmt.Sprintf("%s %s: %s, key %s, rows %s, %s", get("select_type"), get("table"), get("type"), get("key"), get("rows"), get("Extra")))
	}
	return out, rows.Err()
}

func printPlans(out io.Writer, ps []plan) {
	fmt.Fprintln(out, "\nEXPLAIN of the SQL each list ran (one request, from the general log):")
	for _, p := range ps {
		fmt.Fprintf(out, "\n%s (%d statements)\n", p.name, len(p.stmts))
		for _, s := range p.stmts {
			text := strings.Join(strings.Fields(s.sql), " ")
			if len(text) > 400 {
				text = text[:400] + " …"
			}
			fmt.Fprintf(out, "  %s\n", text)
			for _, r := range s.rows {
				fmt.Fprintf(out, "    → %s\n", r)
			}
		}
	}
}
