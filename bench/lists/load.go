package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// sizes are the row counts of one load: the sizes times the scale.
type sizes struct {
	Scale                  float64
	Subjects, Users, Staff int64
	Apps, Records, Audit   int64
	Repairs, Objections    int64
	NowMS, SpanMS          int64
}

// spanMS is the three years the generated activity spreads over.
const spanMS = 3 * 365 * 24 * 3600 * 1000

func newSizes(scale float64, now time.Time) sizes {
	n := func(full float64, least int64) int64 { return max(int64(full*scale), least) }
	return sizes{
		Scale:    scale,
		Subjects: n(100_000, 10), Users: n(10_000, 5), Staff: 50,
		Apps: n(1_000_000, 20), Records: n(1_000_000, 20), Audit: n(5_000_000, 50),
		Repairs: n(100_000, 10), Objections: n(20_000, 5),
		NowMS: now.UnixMilli(), SpanMS: spanMS,
	}
}

// The loaded tables and their expected counts (for -reuse).
func (z sizes) counts() map[string]int64 {
	return map[string]int64{
		"subjects": z.Subjects, "applications": z.Apps, "dishonesty_records": z.Records,
		"record_events": 2 * z.Records, "audit_entries": z.Audit, "repair_requests": z.Repairs, "objections": z.Objections,
	}
}

// ms is the SQL of the Unix milliseconds of the n-th of total rows spread
// evenly over the last three years (row total is now).
func (z sizes) ms(total int64, n string) string {
	return fmt.Sprintf("(%d - (%d - (%s)) * %d DIV %d)", z.NowMS, total, n, z.SpanMS, total)
}

// uuid is the SQL of a UUIDv7-shaped ID (the product's IDs are UUIDv7)
// whose time part is the milliseconds ms and whose last group is n, so
// that IDs sort by creation time as the product's do.
func uuid(ms, n string) string {
	return fmt.Sprintf("LOWER(CONCAT(SUBSTR(LPAD(HEX(%[1]s),12,'0'),1,8),'-',SUBSTR(LPAD(HEX(%[1]s),12,'0'),9,4),'-7000-8000-',LPAD(HEX(%[2]s),12,'0')))", ms, n)
}

// at is the SQL of the DATETIME(3) of the Unix milliseconds ms (the
// session's time zone is UTC).
func at(ms string) string { return "FROM_UNIXTIME((" + ms + ") / 1000)" }

// rnd is the SQL of a pseudo-random integer 0–999 of the row n for the
// stream s (CRC32: cheap and well spread).
func rnd(s, n string) string { return fmt.Sprintf("(CRC32(CONCAT('%s:', %s)) MOD 1000)", s, n) }

// pick is the SQL of the row n's pseudo-random number 1–total (stream s).
func pick(s, n string, total int64) string {
	return fmt.Sprintf("(1 + CRC32(CONCAT('%s:', %s)) MOD %d)", s, n, total)
}

// The IDs of the rows the lists reference, as SQL of their number n.
func (z sizes) subjectID(n string) string { return uuid(fmt.Sprint(z.NowMS-4*spanMS/3), n) }
func (z sizes) staffID(n string) string   { return uuid(fmt.Sprint(z.NowMS-4*spanMS/3-1), n) }
func (z sizes) userID(n string) string    { return uuid(fmt.Sprint(z.NowMS-4*spanMS/3-2), n) }
func (z sizes) appID(n string) string     { return uuid(z.ms(z.Apps, n), n) }
func (z sizes) recordID(n string) string  { return uuid(z.ms(z.Records, n), n) }

// chunk is how many rows one INSERT … SELECT writes.
const chunk = 500_000

// loadTable fills table with total rows from the statement made by insert
// for the sequence table of each chunk (seq_A_to_B), secondary indexes
// dropped during the load and rebuilt after it (a sorted build is many
// times faster than keeping them up to date row by row).
func loadTable(ctx context.Context, c *sql.Conn, log io.Writer, table string, total int64, insert func(seq string) string) error {
	start := time.Now()
	keys, err := secondaryKeys(ctx, c, table)
	if err != nil {
		return err
	}
	// The definitions are kept in bench_keys before the drop, so that a
	// load that stopped half-way (indexes dropped) restores them next time.
	rows, err := c.QueryContext(ctx, "SELECT name, def FROM bench_keys WHERE tbl = ?", table)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.name, &k.def); err != nil {
			rows.Close()
			return err
		}
		if !slices.ContainsFunc(keys, func(o key) bool { return o.name == k.name }) {
			keys = append(keys, k)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := c.ExecContext(ctx, "REPLACE INTO bench_keys (tbl, name, def) VALUES (?, ?, ?)", table, k.name, k.def); err != nil {
			return err
		}
	}
	current, err := secondaryKeys(ctx, c, table)
	if err != nil {
		return err
	}
	if len(current) > 0 {
		drops := make([]string, len(current))
		for i, k := range current {
			drops[i] = "DROP INDEX `" + k.name + "`"
		}
		if _, err := c.ExecContext(ctx, "ALTER TABLE "+table+" "+strings.Join(drops, ", ")); err != nil {
			return fmt.Errorf("%s: dropping indexes: %w", table, err)
		}
	}
	for from := int64(1); from <= total; from += chunk {
		to := min(from+chunk-1, total)
		if _, err := c.ExecContext(ctx, insert(fmt.Sprintf("seq_%d_to_%d", from, to))); err != nil {
			return fmt.Errorf("%s: rows %d–%d: %w", table, from, to, err)
		}
	}
	loaded := time.Since(start)
	if len(keys) > 0 {
		adds := make([]string, len(keys))
		for i, k := range keys {
			adds[i] = "ADD " + k.def
		}
		if _, err := c.ExecContext(ctx, "ALTER TABLE "+table+" "+strings.Join(adds, ", ")); err != nil {
			return fmt.Errorf("%s: rebuilding indexes: %w", table, err)
		}
	}
	fmt.Fprintf(log, "  %-20s %10d rows  %6.1fs (+%.1fs for %d indexes)\n", table, total, loaded.Seconds(), (time.Since(start) - loaded).Seconds(), len(keys))
	return nil
}

type key struct{ name, def string }

// secondaryKeys reads the definitions of table's secondary indexes from
// SHOW CREATE TABLE, as the migrations made them.
func secondaryKeys(ctx context.Context, c *sql.Conn, table string) ([]key, error) {
	var name, ddl string
	if err := c.QueryRowContext(ctx, "SHOW CREATE TABLE "+table).Scan(&name, &ddl); err != nil {
		return nil, err
	}
	var keys []key
	for _, line := range strings.Split(ddl, "\n") {
		line = strings.TrimSuffix(strings.TrimSpace(line), ",")
		if !strings.HasPrefix(line, "KEY ") && !strings.HasPrefix(line, "UNIQUE KEY ") {
			continue
		}
		_, rest, _ := strings.Cut(line, "`")
		n, _, _ := strings.Cut(rest, "`")
		keys = append(keys, key{name: n, def: line})
	}
	return keys, nil
}

// load empties the bench's tables and fills them at the sizes z with
// INSERT … SELECT from MariaDB's SEQUENCE engine.
func load(ctx context.Context, db *sql.DB, z sizes, log io.Writer) error {
	c, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	for _, s := range []string{"SET SESSION time_zone = '+00:00'", "SET SESSION unique_checks = 0", "SET SESSION foreign_key_checks = 0",
		"DROP TABLE IF EXISTS bench_loaded",
		"CREATE TABLE IF NOT EXISTS bench_keys (tbl VARCHAR(64) NOT NULL, name VARCHAR(64) NOT NULL, def TEXT NOT NULL, PRIMARY KEY (tbl, name))"} {
		if _, err := c.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	for _, t := range []string{"subjects", "users", "applications", "dishonesty_records", "record_events", "audit_entries", "repair_requests", "objections"} {
		if _, err := c.ExecContext(ctx, "TRUNCATE TABLE "+t); err != nil {
			return err
		}
	}
	now := at(fmt.Sprint(z.NowMS))
	open := "'SUBMITTED','SUBMITTED','SURVEY_SCHEDULED','SURVEY_SCHEDULED','SURVEYED','CREDIT_CHECKED','COMMITMENT_SIGNED','PUBLISHED','FALLBACK_TO_DOCUMENTS','ACCEPTED'"
	tables := []struct {
		name   string
		total  int64
		insert func(seq string) string
	}{
		// Subjects: 90% enterprises (USCC), 10% people; every tenth one
		// EXCELLENT (VIP).
		{"subjects", z.Subjects, func(seq string) string {
			return fmt.Sprintf(`INSERT INTO subjects (id, created_at, updated_at, kind, name, uscc, id_index, tier, tier_since, grade)
SELECT %s, %s, %s, IF(seq MOD 10 = 7, 'PERSON', 'ENTERPRISE'),
  IF(seq MOD 10 = 7, CONCAT('测试个人', seq), CONCAT(ELT(1 + seq MOD 5, '韶关市', '曲江区', '乐昌市', '南雄市', '仁化县'), '测试', ELT(1 + seq MOD 4, '食品', '酒店', '机械', '物流'), seq, '有限公司')),
  IF(seq MOD 10 = 7, NULL, CONCAT('91440200', LPAD(seq, 9, '0'), 'X')), IF(seq MOD 10 = 7, CONCAT('bench-id-', seq), NULL),
  IF(seq MOD 10 = 0, 'EXCELLENT', 'STANDARD'), %s, IF(seq MOD 10 = 0, 'A', 'B')
FROM %s`, z.subjectID("seq"), now, now, now, seq)
		}},
		// Users: 50 staff (the assignees) and the enterprise users who apply.
		{"users", z.Staff + z.Users, func(seq string) string {
			return fmt.Sprintf(`INSERT INTO users (id, created_at, updated_at, role, open_id, username, username_key, display_name)
SELECT IF(seq <= %[1]d, %[2]s, %[3]s), %[4]s, %[4]s, IF(seq <= %[1]d, 'STAFF', 'ENTERPRISE'),
  IF(seq <= %[1]d, NULL, CONCAT('bench-openid-', seq)), IF(seq <= %[1]d, CONCAT('bench-staff-', seq), NULL),
  IF(seq <= %[1]d, CONCAT('bench-staff-', seq), NULL), IF(seq <= %[1]d, CONCAT('测试工作人员', seq), CONCAT('测试用户', seq))
FROM %[5]s`, z.Staff, z.staffID("seq"), z.userID(fmt.Sprintf("seq - %d", z.Staff)), now, seq)
		}},
		// Applications over three years: those of the last 60 days are
		// mostly open, 1% of the older ones are stuck open, the rest ACCEPTED
		// (87%), REJECTED (7%) or WITHDRAWN (5%).
		{"applications", z.Apps, func(seq string) string {
			return fmt.Sprintf(`INSERT INTO applications (id, created_at, updated_at, subject_id, user_id, idempotency_key, channel, address, land, category,
  contact_name, wants_credit, status, vip, submitted_at, step_since, survey_assignee, rating, credit_checked_at, accepted_at, accepted_by)
SELECT %[1]s, t.sub, t.sub, %[2]s, %[3]s, CONCAT('bench-', t.seq), IF(t.r1 < 700, 'MINI_PROGRAM', 'COUNTER'),
  CONCAT('韶关市浈江区测试路 ', t.seq, ' 号'), 'STATE_OWNED', '工业用水', '张三', t.r1 MOD 10 < 4, t.status, t.sno MOD 10 = 0, t.sub,
  t.sub + INTERVAL 1 DAY, IF(t.status = 'SUBMITTED', NULL, %[4]s),
  IF(t.r1 MOD 10 < 4 AND t.status NOT IN ('SUBMITTED','SURVEY_SCHEDULED','SURVEYED'), ELT(1 + t.r3 MOD 3, 'A', 'B', 'C'), NULL),
  IF(t.r1 MOD 10 < 4 AND t.status NOT IN ('SUBMITTED','SURVEY_SCHEDULED','SURVEYED'), t.sub + INTERVAL 2 DAY, NULL),
  IF(t.status = 'ACCEPTED', t.sub + INTERVAL (24 + t.r3 * 8 / 10) HOUR, NULL), IF(t.status = 'ACCEPTED', %[4]s, NULL)
FROM (SELECT s.*, %[5]s AS sub, CASE
    WHEN s.ms > %[6]d THEN ELT(1 + s.r2 DIV 100, %[7]s)
    WHEN s.r2 < 10 THEN ELT(1 + s.r2 MOD 5, 'SUBMITTED','SURVEY_SCHEDULED','SURVEYED','CREDIT_CHECKED','FALLBACK_TO_DOCUMENTS')
    WHEN s.r2 < 80 THEN 'REJECTED' WHEN s.r2 < 130 THEN 'WITHDRAWN' ELSE 'ACCEPTED' END AS status
  FROM (SELECT seq, %[8]s AS ms, %[9]s AS sno, %[10]s AS r1, %[11]s AS r2, %[12]s AS r3 FROM %[13]s) s) t`,
				uuid("t.ms", "t.seq"), z.subjectID("t.sno"), z.userID(pick("u", "t.seq", z.Users)), z.staffID(pick("a", "t.seq", z.Staff)),
				at("s.ms"), z.NowMS-60*86400_000, open, z.ms(z.Apps, "seq"), pick("s", "seq", z.Subjects),
				rnd("r1", "seq"), rnd("r2", "seq"), rnd("r3", "seq"), seq)
		}},
		// Dishonesty records: 70% arrears; active, expired, repaired,
		// revoked, under objection.
		{"dishonesty_records", z.Records, func(seq string) string {
			return fmt.Sprintf(`INSERT INTO dishonesty_records (id, created_at, updated_at, subject_id, account_no, kind, severity, status, source_key, source,
  evidence, summary, behaviour_on, decided_on, publicity_start, publicity_end, recorded_by)
SELECT %[1]s, t.at, t.at, %[2]s, CONCAT('BENCH-', t.sno),
  CASE WHEN t.r1 < 700 THEN 'ARREARS' WHEN t.r1 < 850 THEN 'VIOLATION' WHEN t.r1 < 950 THEN 'THEFT' ELSE 'BROKEN_PROMISE' END,
  CASE WHEN t.r2 < 500 THEN 'MINOR' WHEN t.r2 < 850 THEN 'GENERAL' ELSE 'SERIOUS' END,
  CASE WHEN t.r3 < 400 THEN 'ACTIVE' WHEN t.r3 < 700 THEN 'EXPIRED' WHEN t.r3 < 900 THEN 'REPAIRED' WHEN t.r3 < 950 THEN 'REVOKED' ELSE 'UNDER_OBJECTION' END,
  CONCAT('bench:', t.seq), IF(t.r1 < 700, 'BILLING', 'MANUAL'), '催缴通知书 2 份', '欠缴水费超过 3 个月',
  DATE(t.at - INTERVAL (t.r2 MOD 60) DAY), DATE(t.at), t.at, t.at + INTERVAL 3 YEAR, %[3]s
FROM (SELECT seq, %[4]s AS ms, %[5]s AS at, %[6]s AS sno, %[7]s AS r1, %[8]s AS r2, %[9]s AS r3 FROM %[10]s) t`,
				uuid("t.ms", "t.seq"), z.subjectID("t.sno"), z.staffID(pick("a", "t.seq", z.Staff)),
				z.ms(z.Records, "seq"), at(z.ms(z.Records, "seq")), pick("s", "seq", z.Subjects), rnd("r1", "seq"), rnd("r2", "seq"), rnd("r3", "seq"), seq)
		}},
		// Two history rows per record: created, then a later step.
		{"record_events", 2 * z.Records, func(seq string) string {
			return fmt.Sprintf(`INSERT INTO record_events (id, record_id, at, actor_id, action, from_status, to_status, reason)
SELECT t.seq, %[1]s, %[2]s + INTERVAL t.k * 30 DAY, %[3]s, IF(t.k = 0, 'CREATED', 'STATUS_CHANGED'), IF(t.k = 0, NULL, 'ACTIVE'), IF(t.k = 0, 'ACTIVE', 'EXPIRED'), NULL
FROM (SELECT seq, (seq + 1) DIV 2 AS n, seq MOD 2 = 0 AS k FROM %[4]s) t`,
				z.recordID("t.n"), at(z.ms(z.Records, "t.n")), z.staffID(pick("a", "t.seq", z.Staff)), seq)
		}},
		// The audit log: 16 actions, staff (60%) and enterprise users;
		// targets are subjects or applications.
		{"audit_entries", z.Audit, func(seq string) string {
			return fmt.Sprintf(`INSERT INTO audit_entries (id, public_id, at, actor_id, actor_role, action, subject_type, subject_id, purpose, request_id)
SELECT t.seq, %[1]s, %[2]s, IF(t.r1 < 600, %[3]s, %[4]s), IF(t.r1 < 600, 'STAFF', 'ENTERPRISE'),
  ELT(1 + t.r2 MOD 16, 'session.login', 'application.submitted', 'application.survey_scheduled', 'application.accepted', 'record.created',
    'record.viewed', 'subject.viewed', 'credit_report.viewed', 'repair.filed', 'repair.decided', 'objection.filed', 'user.created',
    'import.finished', 'publication.sent', 'rating.fetched', 'pii.revealed'),
  IF(t.r3 < 500, 'Subject', 'Application'), IF(t.r3 < 500, %[5]s, %[6]s), '业务办理', CONCAT('bench-req-', t.seq)
FROM (SELECT seq, %[7]s AS ms, %[8]s AS r1, %[9]s AS r2, %[10]s AS r3 FROM %[11]s) t`,
				uuid("t.ms", "t.seq"), at("t.ms"), z.staffID(pick("a", "t.seq", z.Staff)), z.userID(pick("u", "t.seq", z.Users)),
				z.subjectID(pick("s", "t.seq", z.Subjects)), z.appID(pick("p", "t.seq", z.Apps)),
				z.ms(z.Audit, "seq"), rnd("r1", "seq"), rnd("r2", "seq"), rnd("r3", "seq"), seq)
		}},
		// Repairs: open ones are those of the last 30 days (70%) and 1% of the
		// older ones (overdue); the rest approved or denied, some late.
		{"repair_requests", z.Repairs, func(seq string) string {
			return fmt.Sprintf(`INSERT INTO repair_requests (id, created_at, updated_at, record_id, subject_id, filed_by, statement, commitment_text,
  commitment_version, commitment_sha256, commitment_signed_at, status, assignee_id, due_at, decided_by, decided_at, decision, open_key)
SELECT %[1]s, t.at, t.at, %[2]s, %[3]s, %[4]s, '已缴清欠费，申请信用修复', '本单位承诺……', 'v1', REPEAT('0', 64), t.at, t.status,
  %[5]s, t.at + INTERVAL 21 DAY, IF(t.open, NULL, %[5]s), IF(t.open, NULL, t.at + INTERVAL (5 + t.r2 MOD 20) DAY),
  IF(t.open, NULL, '同意'), IF(t.open, %[1]s, NULL)
FROM (SELECT s.*, s.status IN ('SUBMITTED', 'UNDER_REVIEW', 'NEEDS_SUPPLEMENT') AS open FROM (SELECT seq, %[6]s AS ms, %[7]s AS at,
  %[8]s AS rn, %[9]s AS sno, %[10]s AS r2, CASE
    WHEN %[6]s > %[11]d AND %[12]s < 700 THEN ELT(1 + seq MOD 3, 'SUBMITTED', 'UNDER_REVIEW', 'NEEDS_SUPPLEMENT')
    WHEN %[12]s < 10 THEN 'UNDER_REVIEW' WHEN %[12]s < 700 THEN 'APPROVED' ELSE 'DENIED' END AS status
  FROM %[13]s) s) t`,
				uuid("t.ms", "t.seq"), z.recordID("t.rn"), z.subjectID("t.sno"), z.userID(pick("u", "t.seq", z.Users)), z.staffID(pick("a", "t.seq", z.Staff)),
				z.ms(z.Repairs, "seq"), at(z.ms(z.Repairs, "seq")), pick("r", "seq", z.Records), pick("s", "seq", z.Subjects), rnd("r2", "seq"),
				z.NowMS-30*86400_000, rnd("r1", "seq"), seq)
		}},
		{"objections", z.Objections, func(seq string) string {
			return fmt.Sprintf(`INSERT INTO objections (id, created_at, updated_at, record_id, subject_id, filed_by, reason, status, accepted_at, due_at,
  assignee_id, decided_by, decided_at, decision, open_key)
SELECT %[1]s, t.at, t.at, %[2]s, %[3]s, %[4]s, '记录有误', t.status, t.at, t.at + INTERVAL 21 DAY,
  %[5]s, IF(t.open, NULL, %[5]s), IF(t.open, NULL, t.at + INTERVAL (5 + t.r2 MOD 20) DAY), IF(t.open, NULL, '维持'), IF(t.open, %[1]s, NULL)
FROM (SELECT s.*, s.status IN ('SUBMITTED', 'UNDER_REVIEW') AS open FROM (SELECT seq, %[6]s AS ms, %[7]s AS at,
  %[8]s AS rn, %[9]s AS sno, %[10]s AS r2, CASE
    WHEN %[6]s > %[11]d AND %[12]s < 700 THEN ELT(1 + seq MOD 2, 'SUBMITTED', 'UNDER_REVIEW')
    WHEN %[12]s < 10 THEN 'UNDER_REVIEW' ELSE ELT(1 + seq MOD 4, 'CORRECTED', 'REVOKED', 'UPHELD', 'NOT_ACCEPTED') END AS status
  FROM %[13]s) s) t`,
				uuid("t.ms", "t.seq"), z.recordID("t.rn"), z.subjectID("t.sno"), z.userID(pick("u", "t.seq", z.Users)), z.staffID(pick("a", "t.seq", z.Staff)),
				z.ms(z.Objections, "seq"), at(z.ms(z.Objections, "seq")), pick("r", "seq", z.Records), pick("s", "seq", z.Subjects), rnd("r2", "seq"),
				z.NowMS-30*86400_000, rnd("r1", "seq"), seq)
		}},
	}
	for _, t := range tables {
		if err := loadTable(ctx, c, log, t.name, t.total, t.insert); err != nil {
			return err
		}
	}
	for _, s := range []string{
		"CREATE TABLE bench_loaded (scale DOUBLE NOT NULL, now_ms BIGINT NOT NULL)",
		fmt.Sprintf("INSERT INTO bench_loaded VALUES (%g, %d)", z.Scale, z.NowMS),
	} {
		if _, err := c.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	for _, t := range tables {
		if _, err := c.ExecContext(ctx, "ANALYZE TABLE "+t.name); err != nil {
			return err
		}
	}
	return nil
}

// loaded returns the sizes of an earlier complete load at scale whose
// counts still match (ok false otherwise).
func loaded(ctx context.Context, db *sql.DB, scale float64) (sizes, bool, error) {
	var s float64
	var nowMS int64
	if err := db.QueryRowContext(ctx, "SELECT scale, now_ms FROM bench_loaded").Scan(&s, &nowMS); err != nil {
		return sizes{}, false, nil // no complete load
	}
	z := newSizes(scale, time.UnixMilli(nowMS))
	if s != scale {
		return z, false, nil
	}
	for t, want := range z.counts() {
		var n int64
		count := "SELECT COUNT(*) FROM " + t
		if t == "audit_entries" {
			count += " WHERE id <= ?" // the product audits the bench's own requests after the loaded rows
		} else {
			count += " WHERE ? > 0"
		}
		if err := db.QueryRowContext(ctx, count, want).Scan(&n); err != nil {
			return z, false, err
		}
		if n != want {
			return z, false, nil
		}
	}
	return z, true, nil
}
