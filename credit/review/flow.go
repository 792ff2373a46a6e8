package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/auth"
	"creditwater/calendar"
	"creditwater/credit"
	"creditwater/credit/record"
	"creditwater/evidence"
	"creditwater/models"
	"creditwater/notice"
	"creditwater/page"
)

// head points into one request row at what every kind has.
type head[S ~string] struct {
	entity    *models.Entity
	recordID  *string
	subjectID *string
	status    *S
	version   *int
	dueAt     *time.Time
	assignee  **string
	decidedBy *string
	decidedAt **time.Time
	decision  *string
	openKey   **string
}

// kind describes one kind of review request R with statuses S.
type kind[R any, S ~string] struct {
	owner string // OwnerRepair, OwnerObjection
	noun  string // "信用修复申请": messages (Chinese)
	short string // "申请": "只有 SUBMITTED 状态的申请才能…"
	label string // "repair": audit actions (a code)
	// auditType is the audit entries' SubjectType.
	auditType string
	// pending is the CONFLICT reason of a second open request and
	// pendingMsg its message; pendingID names the open one in the details.
	pending, pendingMsg, pendingID string
	// filed is the status of a new request; open are the statuses staff owe
	// a decision in; all are every status.
	filed     S
	open, all []S
	// head points into a request of the kind.
	head func(*R) head[S]
}

// flow is the review-request workflow of one kind.
type flow[R any, S ~string] struct {
	kind    kind[R, S]
	store   Store
	guard   credit.Guard
	records *record.Service
	cal     *calendar.Calendar
	cfg     Config
	inbox   notice.Notifier
	now     func() time.Time
}

func newFlow[R any, S ~string](k kind[R, S], d Deps) *flow[R, S] {
	if d.Calendar == nil {
		d.Calendar = calendar.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return &flow[R, S]{kind: k, store: d.Store, guard: credit.Guard{Policy: d.Access}, records: d.Records,
		cal: d.Calendar, cfg: d.Config.WithDefaults(), inbox: notice.Or(d.Inbox), now: d.Now}
}

// due is the deadline n working days after t, in UTC.
func (f *flow[R, S]) due(t time.Time, n int) time.Time { return f.cal.AddWorkdays(t, n).UTC() }

// read reads request id into req: NOT_FOUND or INTERNAL (locked inside a
// transaction).
func (f *flow[R, S]) read(ctx context.Context, st Store, id string, req *R) error {
	ok, err := st.Request(ctx, id, req)
	if err != nil || !ok {
		return credit.NotFound(err, "未找到该%s", f.kind.noun)
	}
	return nil
}

// event appends one history entry of a request; detail, when not nil, is
// stored as JSON.
func (f *flow[R, S]) event(ctx context.Context, st Store, id string, at time.Time, action string, from, to S, reason string, detail any) error {
	ev := models.RequestEvent{OwnerType: f.kind.owner, OwnerID: id, At: at, ActorID: credit.ActorID(ctx), Action: action,
		FromStatus: string(from), ToStatus: string(to), Reason: credit.Truncate(reason, maxDecisionRunes)}
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return apperr.Wrap(err, apperr.Internal, "无法记录历史详情")
		}
		ev.Detail = string(b)
	}
	return st.AddEvent(ctx, ev)
}

// filing is what File needs of one kind.
type filing[R any] struct {
	recordID string
	// text is the statement or reason, checked as field; textMsg is its
	// INVALID message.
	text, field, textMsg string
	uploads              []credit.Upload
	// build checks the locked record and returns the kind's fields of the
	// new request; the workflow sets the rest.
	build func(st Store, rec models.DishonestyRecord, now time.Time, actor string) (R, error)
	// detail is the audit detail of the filing.
	detail func(req *R, files int) string
}

// file files a request for one of the caller's records. The caller must
// be an ENTERPRISE user acting for the record's subject with the DISPUTE
// scope (R6.6); the evidence is checked before anything is stored. The
// request (SUBMITTED, open for its record, version 1), its evidence, its
// FILED history entry and an audit entry are stored in one transaction.
// It returns UNAUTHENTICATED, FORBIDDEN, INVALID (field recordId, the
// text's field or evidence), NOT_FOUND, CONFLICT (the kind's pending
// reason) when a request of the kind is open for the record, build's
// errors and INTERNAL.
func (f *flow[R, S]) file(ctx context.Context, in filing[R]) (R, error) {
	var req R
	actor, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return req, err
	}
	in.recordID, in.text = strings.TrimSpace(in.recordID), strings.TrimSpace(in.text)
	switch {
	case in.recordID == "" || len(in.recordID) > 36:
		return req, apperr.InvalidField("recordId", "请指明失信记录")
	case in.text == "" || utf8.RuneCountInString(in.text) > maxStatementRunes:
		return req, apperr.InvalidField(in.field, in.textMsg, maxStatementRunes)
	}
	if rec, err := f.records.Get(ctx, in.recordID); err != nil { // NOT_FOUND or not bound
		return req, err
	} else if _, err := f.guard.Subject(ctx, rec.SubjectID, credit.Dispute...); err != nil { // R6.6: DISPUTE scope
		return req, err
	}
	now := f.now().UTC()
	files, err := evidence.Read(in.uploads, f.cfg.Evidence, actor.UserID, now)
	if err != nil {
		return req, err
	}
	k := f.kind
	err = f.store.Tx(ctx, func(st Store) error {
		var zero R
		req = zero // built again when the transaction runs again
		rec, err := record.Find(ctx, st.Records(), in.recordID)
		if err != nil {
			return err
		}
		if open, err := st.OpenRequest(ctx, &req, rec.ID); err != nil {
			return err
		} else if open != "" {
			return f.pending(open)
		}
		if req, err = in.build(st, rec, now, actor.UserID); err != nil {
			return err
		}
		h := k.head(&req)
		h.entity.ID, h.entity.CreatedAt, h.entity.UpdatedAt = models.NewID(), now, now
		key := rec.ID
		*h.recordID, *h.subjectID, *h.status, *h.openKey, *h.version = rec.ID, rec.SubjectID, k.filed, &key, 1
		if err := st.InsertRequest(ctx, &req); err != nil {
			if errors.Is(err, credit.ErrDuplicate) {
				return f.pending("")
			}
			return err
		}
		if err := st.AddEvidence(ctx, k.owner, h.entity.ID, files); err != nil {
			return err
		}
		if err := f.event(ctx, st, h.entity.ID, now, ActionFiled, "", k.filed, in.text, nil); err != nil {
			return err
		}
		return st.Audit(ctx, audit.Entry{Action: k.label + ".file", SubjectType: k.auditType, SubjectID: h.entity.ID,
			Detail: in.detail(&req, len(files))})
	})
	if err != nil {
		var zero R
		return zero, credit.Internal(err, "无法提交"+k.noun)
	}
	f.tell(ctx, &req, ActionFiled, "")
	return req, nil
}

// tell posts what action did to req to the inbox of the enterprise's
// users (R7.6), after the change was committed.
func (f *flow[R, S]) tell(ctx context.Context, req *R, action, reason string) {
	h := f.kind.head(req)
	body := "您对失信记录 " + *h.recordID + " 的" + f.kind.noun + actionText[action] + "。"
	if reason != "" && action != ActionFiled {
		body += "说明：" + reason
	}
	f.inbox.Notify(ctx, notice.Event{SubjectID: *h.subjectID, Kind: noticeKinds[f.kind.owner][action], Body: body,
		RefType: f.kind.auditType, RefID: h.entity.ID, Key: f.kind.owner + ":" + h.entity.ID + ":" + strconv.Itoa(*h.version)})
}

// pending is the CONFLICT of a second open request (naming the open one
// when known), or nil when open is "" and nothing is known to be open.
func (f *flow[R, S]) pending(open string) error {
	e := apperr.New(apperr.Conflict, "%s", f.kind.pendingMsg).WithReason(f.kind.pending)
	if open != "" {
		e = e.WithDetail(f.kind.pendingID, open)
	}
	return e
}

// step is one transition of a request.
type step[R any, S ~string] struct {
	from   []S
	to     S // "" keeps the status (an extension)
	verb   string
	action string
	reason string
	detail any
	// apply checks more and makes the side effects inside the
	// transaction; it may change the request's fields.
	apply func(st Store, req *R, now time.Time) error
}

// transition moves request id through s in one transaction: it locks the
// request, checks its state (FAILED_PRECONDITION, reason INVALID_STATE,
// detail "status") and, when version is not nil, its version (CONFLICT,
// reason REQUEST_CHANGED), runs s.apply and writes the request under
// optimistic locking, then appends the history entry and an audit entry.
func (f *flow[R, S]) transition(ctx context.Context, id string, version *int, s step[R, S]) (R, error) {
	var req R
	k := f.kind
	changed := func() *apperr.Error {
		return apperr.New(apperr.Conflict, "%s已被他人修改，请刷新后重试", k.noun).WithReason("REQUEST_CHANGED")
	}
	err := f.store.Tx(ctx, func(st Store) error {
		if err := f.read(ctx, st, id, &req); err != nil {
			return err
		}
		h := k.head(&req)
		from := *h.status
		if !slices.Contains(s.from, from) {
			return apperr.Precondition("INVALID_STATE", "%s状态为 %s，只有 %s 状态的%s才能%s",
				k.noun, from, joinStatuses(s.from), k.short, s.verb).WithDetail("status", string(from))
		}
		if version != nil && *version != *h.version {
			return changed().WithDetail("version", *h.version)
		}
		now, read, to := f.now().UTC(), *h.version, s.to
		if to == "" {
			to = from
		}
		if s.apply != nil {
			if err := s.apply(st, &req, now); err != nil {
				return err
			}
		}
		*h.status, *h.version, h.entity.UpdatedAt = to, read+1, now
		if ok, err := st.UpdateRequest(ctx, &req, read); err != nil {
			return err
		} else if !ok {
			return changed()
		}
		if err := f.read(ctx, st, id, &req); err != nil {
			return err
		}
		if err := f.event(ctx, st, id, now, s.action, from, to, s.reason, s.detail); err != nil {
			return err
		}
		return st.Audit(ctx, audit.Entry{Action: k.label + "." + strings.ToLower(s.action), SubjectType: k.auditType,
			SubjectID: id, Detail: fmt.Sprintf("%s->%s record=%s", from, to, *h.recordID)})
	})
	if err != nil {
		var zero R
		return zero, credit.Internal(err, "无法变更"+k.noun)
	}
	f.tell(ctx, &req, s.action, s.reason)
	return req, nil
}

// decide sets the decision of req and closes it (its record may have a new
// request of the kind).
func (f *flow[R, S]) decide(req *R, uid string, now time.Time, reason string) {
	h := f.kind.head(req)
	*h.decidedBy, *h.decidedAt, *h.decision, *h.openKey = uid, &now, reason, nil
}

func joinStatuses[S ~string](ss []S) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, " 或 ")
}

func decisionReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > maxDecisionRunes {
		return "", apperr.InvalidField("reason", "请填写理由（最多 %d 字）", maxDecisionRunes)
	}
	return reason, nil
}

// Get returns a request. Staff see every request; an ENTERPRISE user only
// requests of subjects it acts for with the DISPUTE scope. It returns
// NOT_FOUND, UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (f *flow[R, S]) Get(ctx context.Context, id string) (R, error) {
	var req R
	if err := f.read(ctx, f.store, id, &req); err != nil {
		return req, err
	}
	if _, err := f.guard.Subject(ctx, *f.kind.head(&req).subjectID, credit.Dispute...); err != nil {
		var zero R
		return zero, err
	}
	return req, nil
}

// History returns the request's history, oldest first, under the access
// rule of Get. It returns NOT_FOUND, UNAUTHENTICATED, FORBIDDEN or
// INTERNAL.
func (f *flow[R, S]) History(ctx context.Context, id string) ([]models.RequestEvent, error) {
	if _, err := f.Get(ctx, id); err != nil {
		return nil, err
	}
	return f.store.Events(ctx, f.kind.owner, id)
}

// Evidence lists the request's evidence without file contents (see
// Desk.EvidenceCheck), oldest first, under the access rule of Get. It
// returns NOT_FOUND, UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (f *flow[R, S]) Evidence(ctx context.Context, id string) ([]models.Evidence, error) {
	if _, err := f.Get(ctx, id); err != nil {
		return nil, err
	}
	return f.store.Evidence(ctx, f.kind.owner, id)
}

// visible returns the IDs of the requests among ids that exist, under the
// access rule of Get checked once per subject. It returns UNAUTHENTICATED,
// FORBIDDEN or INTERNAL.
func (f *flow[R, S]) visible(ctx context.Context, ids []string) ([]string, error) {
	var reqs []R
	if _, err := f.store.Requests(ctx, Query{IDs: ids, Limit: len(ids)}, &reqs); err != nil {
		return nil, err
	}
	found, subjects := make([]string, len(reqs)), make([]string, len(reqs))
	for i := range reqs {
		h := f.kind.head(&reqs[i])
		found[i], subjects[i] = h.entity.ID, *h.subjectID
	}
	if err := f.guard.Subjects(ctx, subjects, credit.Dispute...); err != nil {
		return nil, err
	}
	return found, nil
}

// Histories returns the histories of the requests with the IDs by request
// ID, oldest first, under the access rule of Get, in two reads whatever
// the number of requests: the batch read of a dataloader. It returns
// UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (f *flow[R, S]) Histories(ctx context.Context, ids []string) (map[string][]models.RequestEvent, error) {
	return byRequest(ctx, f, ids, f.store.Events, func(ev models.RequestEvent) string { return ev.OwnerID })
}

// EvidenceOf lists the evidence of the requests with the IDs by request ID
// as Evidence does, in two reads whatever the number of requests. It
// returns UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (f *flow[R, S]) EvidenceOf(ctx context.Context, ids []string) (map[string][]models.Evidence, error) {
	return byRequest(ctx, f, ids, f.store.Evidence, func(e models.Evidence) string { return e.OwnerID })
}

// byRequest reads with read the rows of the visible requests among ids and
// groups them by request (an empty list for a request without any).
func byRequest[T any, R any, S ~string](ctx context.Context, f *flow[R, S], ids []string,
	read func(context.Context, string, ...string) ([]T, error), owner func(T) string) (map[string][]T, error) {
	found, err := f.visible(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]T, len(found))
	if len(found) == 0 {
		return out, nil
	}
	for _, id := range found {
		out[id] = []T{}
	}
	rows, err := read(ctx, f.kind.owner, found...)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[owner(r)] = append(out[owner(r)], r)
	}
	return out, nil
}

// Filter selects requests of a list (R8.1); zero fields match all.
type Filter[S ~string] struct {
	Status S
	// SubjectID keeps one subject's requests; an ENTERPRISE user must give
	// one it may dispute for.
	SubjectID  string
	AssigneeID string
	// Overdue true keeps open (SUBMITTED or UNDER_REVIEW) requests past
	// their DueAt; false keeps the others.
	Overdue *bool
	// Count asks for TotalCount (capped at page.CountCap+1).
	Count bool
}

// The filters of the two queues.
type (
	RepairFilter    = Filter[models.RepairStatus]
	ObjectionFilter = Filter[models.ObjectionStatus]
)

// Queued is a request in the staff queue.
type Queued[R any] struct {
	Request R
	// Cursor is the request's opaque position in the list.
	Cursor string
	// Overdue: the request is open (SUBMITTED or UNDER_REVIEW) and now is
	// after its DueAt.
	Overdue bool
}

// Page is one page of the staff queue, earliest deadline first.
type Page[R any] struct {
	Items []Queued[R]
	page.Info
}

// DueKey is the order of the request lists: earliest deadline first.
func (f *flow[R, S]) dueKey() page.Key {
	return page.NewKey(f.kind.owner+"s", page.Asc("due_at"), page.Asc("id"))
}

// Queue returns the requests matching f, ordered by DueAt, first at a time
// (1–100, default 20) after the opaque cursor after. Staff see any
// subject's; an ENTERPRISE user only those of a subject it may dispute for
// (flt.SubjectID is then required). It returns UNAUTHENTICATED, FORBIDDEN,
// INVALID (field status, subjectId or after) and INTERNAL.
func (f *flow[R, S]) Queue(ctx context.Context, flt Filter[S], first int, after string) (Page[R], error) {
	var out Page[R]
	if flt.SubjectID != "" {
		if _, err := f.guard.Subject(ctx, flt.SubjectID, credit.Dispute...); err != nil {
			return out, err
		}
	} else if a, err := auth.Require(ctx); err != nil {
		return out, err
	} else if !a.Role.IsStaff() {
		return out, apperr.InvalidField("subjectId", "请指定用水主体")
	}
	q := Query{Status: string(flt.Status), SubjectID: flt.SubjectID, AssigneeID: flt.AssigneeID, Count: flt.Count}
	if flt.Status != "" && !slices.Contains(f.kind.all, flt.Status) {
		return out, apperr.InvalidField("status", "未知的%s状态", f.kind.noun)
	}
	now := f.now().UTC()
	if flt.Overdue != nil {
		q.Open, q.OverdueAt, q.Overdue = strs(f.kind.open), &now, *flt.Overdue
	}
	key := f.dueKey()
	var c DueCursor
	if ok, err := key.Decode(after, &c.DueAt, &c.ID); err != nil {
		return out, err
	} else if ok {
		q.After = &c
	}
	first = page.Clamp(first)
	q.Limit = first + 1
	var rows []R
	total, err := f.store.Requests(ctx, q, &rows)
	if err != nil {
		return out, err
	}
	out.TotalCount = total
	if len(rows) > first {
		rows, out.HasNext = rows[:first], true
	}
	for i := range rows {
		h := f.kind.head(&rows[i])
		it := Queued[R]{Request: rows[i], Cursor: key.Encode(h.dueAt.UTC(), h.entity.ID),
			Overdue: slices.Contains(f.kind.open, *h.status) && now.After(*h.dueAt)}
		out.Items = append(out.Items, it)
		out.EndCursor = it.Cursor
	}
	return out, nil
}

func strs[S ~string](ss []S) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}
