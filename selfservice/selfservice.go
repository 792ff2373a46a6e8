// Package selfservice is the enterprise's own side of the scheme (R1.7,
// R3.2, R3.6, R6): the accounts, bills, payments, arrears and contracts of
// the subjects a user may VIEW (its legal representative, or an agent with
// the VIEW scope; staff name the subject), and its account manager. Every
// list is a keyset-paged connection (package page); who may see what is the
// one access policy (package access).
package selfservice

import (
	"context"
	"net/url"
	"time"

	"gorm.io/gorm"

	"creditwater/access"
	"creditwater/apperr"
	"creditwater/credit"
	"creditwater/models"
	"creditwater/page"
	"creditwater/store"
)

// Service answers the self-service queries.
type Service struct {
	db     *gorm.DB
	policy *access.Policy
	now    func() time.Time
}

// New returns the service.
func New(db *gorm.DB, policy *access.Policy) *Service {
	return &Service{db: db, policy: policy, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Page is one page of a connection, newest first.
type Page[T any] struct {
	Items      []T
	Cursors    []string
	HasNext    bool
	TotalCount int64
}

// Bill is a bill with what has been paid against it.
type Bill struct {
	models.Bill `gorm:"embedded"`
	// PaidFen is the sum of the payments against the bill.
	PaidFen int64
}

// OutstandingFen is what is left to pay (never negative).
func (b Bill) OutstandingFen() int64 { return max(b.AmountFen-b.PaidFen, 0) }

// Overdue reports whether the bill is unpaid past its due date at now:
// the due date is the last day to pay (Asia/Shanghai).
func (b Bill) Overdue(now time.Time) bool {
	return b.OutstandingFen() > 0 && credit.DayOf(now).After(credit.DayOf(b.DueOn))
}

// Filter narrows a list: the subject (an enterprise user with one
// binding may leave it empty) and optionally one of its accounts.
type Filter struct {
	SubjectID string
	AccountNo string
	// Count asks for Page.TotalCount (capped at page.CountCap+1).
	Count bool
}

// subject resolves whose data is asked for: an enterprise user's subject
// through an ACTIVE binding with the VIEW scope, or the subject a staff
// user names. It returns UNAUTHENTICATED, FORBIDDEN (NOT_BOUND,
// SCOPE_NOT_GRANTED), FAILED_PRECONDITION (NOT_BOUND), INVALID (field
// subjectId: staff must name one, or a user of several enterprises),
// NOT_FOUND for a staff user's unknown subject, and INTERNAL.
func (s *Service) subject(ctx context.Context, subjectID string) (string, error) {
	g, err := s.policy.Subject(ctx, subjectID, models.ScopeView)
	if err != nil {
		return "", err
	}
	if !g.Staff {
		return g.SubjectID(), nil
	}
	if subjectID == "" {
		return "", apperr.InvalidField("subjectId", "工作人员查询时须指明主体")
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&models.Subject{}).Where("id = ?", subjectID).Count(&n).Error; err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "could not read the subject")
	}
	if n == 0 {
		return "", apperr.New(apperr.NotFound, "主体不存在")
	}
	return subjectID, nil
}

// accountsOf is the subquery of the account numbers of a subject.
func (s *Service) accountsOf(ctx context.Context, subjectID string) *gorm.DB {
	return s.db.WithContext(ctx).Model(&models.Account{}).Select("account_no").Where("subject_id = ?", subjectID)
}

// scoped is q limited to the subject's accounts (and to f.AccountNo when
// given); table names the list's table.
func (s *Service) scoped(ctx context.Context, q *gorm.DB, table string, subjectID string, f Filter) *gorm.DB {
	q = q.Where(table+".account_no IN (?)", s.accountsOf(ctx, subjectID))
	if f.AccountNo != "" {
		q = q.Where(table+".account_no = ?", f.AccountNo)
	}
	return q
}

// list reads one page of q, newest (highest id) first, with its total
// when count is set (store.CountUpTo: capped at page.CountCap+1). The key K
// is the table's id: an integer, or a UUIDv7 string, which sorts by
// creation time too.
func list[T any, K any](q *gorm.DB, table string, first *int, after string, count bool, id func(T) K) (Page[T], error) {
	n, err := page.First(first)
	if err != nil {
		return Page[T]{}, err
	}
	var afterID K
	hasAfter, err := page.Decode(table, after, &afterID)
	if err != nil {
		return Page[T]{}, err
	}
	var out Page[T]
	if count {
		if out.TotalCount, err = store.CountUpTo(q.Session(&gorm.Session{})); err != nil {
			return Page[T]{}, apperr.Wrap(err, apperr.Internal, "could not read %s", table)
		}
	}
	q = q.Session(&gorm.Session{})
	if hasAfter {
		q = q.Where(table+".id < ?", afterID)
	}
	if err := q.Order(table + ".id DESC").Limit(n + 1).Find(&out.Items).Error; err != nil {
		return Page[T]{}, apperr.Wrap(err, apperr.Internal, "could not read %s", table)
	}
	if len(out.Items) > n {
		out.Items, out.HasNext = out.Items[:n], true
	}
	for _, it := range out.Items {
		out.Cursors = append(out.Cursors, page.Encode(table, id(it)))
	}
	return out, nil
}

// Accounts lists the subject's water accounts (户号), newest first. Errors:
// those of subject, INVALID (first, after).
func (s *Service) Accounts(ctx context.Context, f Filter, first *int, after string) (Page[models.Account], error) {
	subj, err := s.subject(ctx, f.SubjectID)
	if err != nil {
		return Page[models.Account]{}, err
	}
	q := s.db.WithContext(ctx).Model(&models.Account{}).Where("subject_id = ?", subj)
	q = store.Eq(q, "account_no", f.AccountNo)
	return list(q, "accounts", first, after, f.Count, func(a models.Account) uint64 { return a.ID })
}

// bills is the query of bills with their paid amounts.
func (s *Service) bills(ctx context.Context) *gorm.DB {
	paid := s.db.Model(&models.Payment{}).Select("COALESCE(SUM(payments.amount_fen), 0)").Where("payments.bill_no = bills.bill_no")
	return s.db.WithContext(ctx).Table("bills").Select("bills.*, (?) AS paid_fen", paid)
}

// Bills lists the subject's bills with what was paid, newest first.
// Errors: those of subject, INVALID (first, after).
func (s *Service) Bills(ctx context.Context, f Filter, first *int, after string) (Page[Bill], error) {
	subj, err := s.subject(ctx, f.SubjectID)
	if err != nil {
		return Page[Bill]{}, err
	}
	return list(s.scoped(ctx, s.bills(ctx), "bills", subj, f), "bills", first, after, f.Count, func(b Bill) uint64 { return b.ID })
}

// Arrears lists the subject's bills unpaid past their due date today
// (欠费, R3.5's "currently overdue"), newest first. Errors: those of
// subject, INVALID (first, after).
func (s *Service) Arrears(ctx context.Context, f Filter, first *int, after string) (Page[Bill], error) {
	subj, err := s.subject(ctx, f.SubjectID)
	if err != nil {
		return Page[Bill]{}, err
	}
	paid := s.db.Model(&models.Payment{}).Select("COALESCE(SUM(payments.amount_fen), 0)").Where("payments.bill_no = bills.bill_no")
	q := s.scoped(ctx, s.bills(ctx), "bills", subj, f).
		Where("bills.due_on < ?", credit.DayOf(s.now())).
		Where("bills.amount_fen > (?)", paid)
	return list(q, "bills", first, after, f.Count, func(b Bill) uint64 { return b.ID })
}

// Payments lists the subject's payments, newest first. Errors: those of
// subject, INVALID (first, after).
func (s *Service) Payments(ctx context.Context, f Filter, first *int, after string) (Page[models.Payment], error) {
	subj, err := s.subject(ctx, f.SubjectID)
	if err != nil {
		return Page[models.Payment]{}, err
	}
	q := s.scoped(ctx, s.db.WithContext(ctx).Model(&models.Payment{}), "payments", subj, f)
	return list(q, "payments", first, after, f.Count, func(p models.Payment) uint64 { return p.ID })
}

// Contracts lists the subject's water-supply contracts (R1.7), newest
// first. Errors: those of subject, INVALID (first, after).
func (s *Service) Contracts(ctx context.Context, f Filter, first *int, after string) (Page[models.Contract], error) {
	subj, err := s.subject(ctx, f.SubjectID)
	if err != nil {
		return Page[models.Contract]{}, err
	}
	q := s.scoped(ctx, s.db.WithContext(ctx).Model(&models.Contract{}), "contracts", subj, f)
	return list(q, "contracts", first, after, f.Count, func(c models.Contract) uint64 { return c.ID })
}

// Manager is an account manager as the enterprise sees them: a name and a
// work telephone, nothing else of the staff user.
type Manager struct {
	Name      string
	WorkPhone string
}

// AccountManager returns the subject's account manager (客户经理, R3.2),
// or nil when none is assigned (or the one assigned has left). Errors:
// those of subject.
func (s *Service) AccountManager(ctx context.Context, subjectID string) (*Manager, error) {
	subj, err := s.subject(ctx, subjectID)
	if err != nil {
		return nil, err
	}
	var m struct {
		DisplayName string
		WorkPhone   string
	}
	err = s.db.WithContext(ctx).Table("subjects").Select("users.display_name, users.work_phone").
		Joins("JOIN users ON users.id = subjects.account_manager_id").
		Where("subjects.id = ? AND users.disabled = ?", subj, false).Take(&m).Error
	switch {
	case err == gorm.ErrRecordNotFound:
		return nil, nil
	case err != nil:
		return nil, apperr.Wrap(err, apperr.Internal, "could not read the account manager")
	}
	return &Manager{Name: m.DisplayName, WorkPhone: m.WorkPhone}, nil
}

// CreditReportPDFURL returns the path of the e-credit report's PDF of the
// subject the caller may VIEW (with ?subjectId= when named). The document
// itself checks again, and asks for a fresh face verification, like the
// report's data. Errors: those of subject.
func (s *Service) CreditReportPDFURL(ctx context.Context, path, subjectID string) (string, error) {
	if _, err := s.subject(ctx, subjectID); err != nil {
		return "", err
	}
	if subjectID == "" {
		return path, nil
	}
	return path + "?subjectId=" + url.QueryEscape(subjectID), nil
}
