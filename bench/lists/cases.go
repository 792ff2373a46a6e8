package main

import (
	"context"
	"database/sql"
	"time"

	"creditwater/page"
)

// The console's queries (console/src/pages), with the same selections, so
// that each case reads what a staff member's screen reads.
const (
	queueQuery = `query ConsoleQueue($filter: ApplicationFilter, $orderBy: ApplicationOrder, $first: Int, $after: String) {
  applications(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor ageSeconds stepDue overdue
      node { id status vip address category channel submittedAt stepSince wantsCreditHandling subject { id name uscc } } }
  }
}`
	recordsQuery = `query ConsoleRecords($filter: DishonestyRecordFilter, $first: Int, $after: String) {
  dishonestyRecords(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id kind severity status source summary accountNo decidedOn publicityEnd subject { id name uscc } } }
  }
}`
	auditQuery = `query ConsoleAudit($filter: AuditLogFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id at actorId actorRole action subjectType subjectId purpose requestId } }
  }
}`
	deadlinesQuery = `query ConsoleDeadlines($filter: DeadlineFilter) {
  deadlines(filter: $filter, first: 100) {
    totalCount
    edges { node { kind id recordId subjectId status dueAt overdue assigneeId } }
  }
}`
	repairsQuery = `query Repairs($filter: RepairFilter, $first: Int) {
  repairs(filter: $filter, first: $first) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id status dueAt assigneeId } }
  }
}`
	objectionsQuery = `query Objections($filter: ObjectionFilter, $first: Int) {
  objections(filter: $filter, first: $first) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id status dueAt extended } }
  }
}`
	statisticsQuery = `query ConsoleDashboard($from: Time, $to: Time) {
  statistics(from: $from, to: $to) {
    from to
    applicationsPerWeek { weekStart submitted accepted }
    handlingByPath { path accepted avgHours }
    recordsByKindAndStatus { kind status count }
    tiers { tier count }
    ratings { rating count }
    reviewDeadlines { kind onTime late openOnTime openOverdue }
    csvUrl
  }
}`
	handlingQuery = `query Handling($from: Time, $to: Time) { handlingStats(from: $from, to: $to) { vip accepted averageHours } }`
)

// openStatuses is the console queue's default filter ("办理中").
var openStatuses = []string{"SUBMITTED", "SURVEY_SCHEDULED", "SURVEYED", "CREDIT_CHECKED", "COMMITMENT_SIGNED", "PUBLISHED", "FALLBACK_TO_DOCUMENTS"}

// benchCase is one measured request.
type benchCase struct {
	name  string
	query string
	vars  map[string]any
}

// cases builds the measured requests from the loaded data: a staff user
// with surveys assigned, a subject with audit entries, and cursors of the
// rows half-way down each list (the cursor the API gives for that row,
// made with package page as the product makes it).
func cases(ctx context.Context, db *sql.DB, z sizes) ([]benchCase, error) {
	now := time.UnixMilli(z.NowMS).UTC()
	var assignee, subject, auditSubject string
	if err := db.QueryRowContext(ctx, "SELECT survey_assignee FROM applications WHERE survey_assignee IS NOT NULL ORDER BY submitted_at DESC LIMIT 1").Scan(&assignee); err != nil {
		return nil, err
	}
	if err := db.QueryRowContext(ctx, "SELECT subject_id FROM dishonesty_records ORDER BY id DESC LIMIT 1").Scan(&subject); err != nil {
		return nil, err
	}
	if err := db.QueryRowContext(ctx, "SELECT subject_id FROM audit_entries WHERE subject_type = 'Subject' ORDER BY at DESC, id DESC LIMIT 1").Scan(&auditSubject); err != nil {
		return nil, err
	}
	var vip bool
	var sub time.Time
	var appID string
	if err := db.QueryRowContext(ctx, "SELECT vip, submitted_at, id FROM applications ORDER BY vip DESC, submitted_at, id LIMIT 1 OFFSET ?", z.Apps/2).Scan(&vip, &sub, &appID); err != nil {
		return nil, err
	}
	queueDeep := page.Encode("applications.vip", vip, sub.UTC(), appID)
	var recID string
	if err := db.QueryRowContext(ctx, "SELECT id FROM dishonesty_records ORDER BY id DESC LIMIT 1 OFFSET ?", z.Records/2).Scan(&recID); err != nil {
		return nil, err
	}
	recordsDeep := page.Encode("records", recID)
	var auditAt time.Time
	var auditID uint64
	if err := db.QueryRowContext(ctx, "SELECT at, id FROM audit_entries ORDER BY at DESC, id DESC LIMIT 1 OFFSET ?", z.Audit/2).Scan(&auditAt, &auditID); err != nil {
		return nil, err
	}
	auditDeep := page.Encode("audit", auditAt.UTC(), auditID)

	yearAgo := now.AddDate(-1, 0, 0)
	month := map[string]any{"submittedFrom": yearAgo, "submittedTo": yearAgo.AddDate(0, 1, 0)}
	q := func(name string, filter map[string]any, order string, after string) benchCase {
		v := map[string]any{"filter": filter, "orderBy": order, "first": 50}
		if after != "" {
			v["after"] = after
		}
		return benchCase{name, queueQuery, v}
	}
	rec := func(name string, filter map[string]any, after string) benchCase {
		v := map[string]any{"filter": filter, "first": 20}
		if after != "" {
			v["after"] = after
		}
		return benchCase{name, recordsQuery, v}
	}
	aud := func(name string, filter map[string]any, after string) benchCase {
		v := map[string]any{"filter": filter, "first": 30}
		if after != "" {
			v["after"] = after
		}
		return benchCase{name, auditQuery, v}
	}
	return []benchCase{
		q("queue: VIP first, all", map[string]any{}, "VIP_FIRST", ""),
		q("queue: VIP first, deep page", map[string]any{}, "VIP_FIRST", queueDeep),
		q("queue: open (console default)", map[string]any{"statuses": openStatuses}, "VIP_FIRST", ""),
		q("queue: open, VIP only", map[string]any{"statuses": openStatuses, "vipOnly": true}, "VIP_FIRST", ""),
		q("queue: one status", map[string]any{"statuses": []string{"SURVEYED"}}, "VIP_FIRST", ""),
		q("queue: assignee", map[string]any{"assigneeId": assignee}, "VIP_FIRST", ""),
		q("queue: assignee, open", map[string]any{"assigneeId": assignee, "statuses": openStatuses}, "VIP_FIRST", ""),
		q("queue: month a year ago", month, "VIP_FIRST", ""),
		q("queue: zero-document", map[string]any{"zeroDocument": true}, "VIP_FIRST", ""),
		q("queue: keyword (name prefix)", map[string]any{"keyword": "韶关市测试食品1000"}, "VIP_FIRST", ""),
		q("queue: oldest, all", map[string]any{}, "OLDEST", ""),
		q("queue: newest, open", map[string]any{"statuses": openStatuses}, "NEWEST", ""),
		rec("records: first page", map[string]any{}, ""),
		rec("records: deep page", map[string]any{}, recordsDeep),
		rec("records: kind+status", map[string]any{"kind": "VIOLATION", "status": "ACTIVE"}, ""),
		rec("records: kind+status+date", map[string]any{"kind": "ARREARS", "status": "ACTIVE", "from": yearAgo, "to": yearAgo.AddDate(0, 1, 0)}, ""),
		rec("records: subject", map[string]any{"subjectId": subject}, ""),
		rec("records: severity", map[string]any{"severity": "SERIOUS"}, ""),
		aud("audit: first page", map[string]any{}, ""),
		aud("audit: deep page", map[string]any{}, auditDeep),
		aud("audit: action", map[string]any{"action": "pii.revealed"}, ""),
		aud("audit: actor", map[string]any{"actorId": assignee}, ""),
		aud("audit: target subject", map[string]any{"subjectId": auditSubject}, ""),
		aud("audit: week a year ago", map[string]any{"from": yearAgo, "to": yearAgo.AddDate(0, 0, 7)}, ""),
		{"repairs: first page", repairsQuery, map[string]any{"first": 20}},
		{"repairs: open, overdue", repairsQuery, map[string]any{"first": 20, "filter": map[string]any{"overdue": true}}},
		{"repairs: status", repairsQuery, map[string]any{"first": 20, "filter": map[string]any{"status": "UNDER_REVIEW"}}},
		{"objections: first page", objectionsQuery, map[string]any{"first": 20}},
		{"deadlines (console)", deadlinesQuery, map[string]any{"filter": map[string]any{}}},
		{"deadlines: overdue, mine", deadlinesQuery, map[string]any{"filter": map[string]any{"overdueOnly": true, "assigneeId": assignee}}},
		{"statistics (default period)", statisticsQuery, map[string]any{}},
		{"handlingStats (default period)", handlingQuery, map[string]any{}},
	}, nil
}
