package apply

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"creditwater/apperr"
	"creditwater/credit"
	"creditwater/credit/grade"
	"creditwater/models"
)

// gradeOf is the subject's grade (R3.4); before its first evaluation, the
// grade its tier implies.
func gradeOf(subj models.Subject) models.Grade {
	switch {
	case subj.Grade != "":
		return subj.Grade
	case subj.Tier == models.TierExcellent:
		return models.GradeExcellent
	}
	return models.GradeGood
}

// handles reports whether grades (a handling of Config.Lifecycle) include
// the subject's grade.
func handles(grades []string, subj models.Subject) bool {
	return slices.Contains(grades, string(gradeOf(subj)))
}

// gradeCondition is GRADE_IN_SCOPE (R3.4): WATCH and DISHONEST subjects
// (by default) are excluded from zero-document handling.
func (s *Service) gradeCondition(subj models.Subject) Condition {
	g := gradeOf(subj)
	ok := handles(s.cfg.Lifecycle.ZeroDocGrades, subj)
	detail := fmt.Sprintf("信用等级为「%s」，可适用信用办水", grade.GradeLabel(g))
	if !ok {
		detail = fmt.Sprintf("信用等级为「%s」，不适用信用办水（关注、失信等级不予零证办理）", grade.GradeLabel(g))
	}
	return Condition{Code: "GRADE_IN_SCOPE", Passed: boolp(ok), Detail: detail}
}

// overdueBill is a bill due before today and not fully paid.
type overdueBill struct {
	BillNo    string
	Period    string
	UnpaidFen int64
}

// overdueCondition is NO_OVERDUE_BILL (R3.5): zero-document eligibility
// fails on any bill of the subject's accounts whose due day has passed
// and that is not fully paid, named with what is unpaid. It returns
// INTERNAL.
func (s *Service) overdueCondition(ctx context.Context, subjectID string) (Condition, error) {
	var bills []overdueBill
	err := s.db.WithContext(ctx).Raw(`SELECT b.bill_no, b.period, b.amount_fen - (SELECT COALESCE(SUM(p.amount_fen), 0) FROM payments p WHERE p.bill_no = b.bill_no) AS unpaid_fen
		FROM bills b JOIN accounts a ON a.account_no = b.account_no
		WHERE a.subject_id = ? AND b.due_on < ? AND b.amount_fen > (SELECT COALESCE(SUM(p.amount_fen), 0) FROM payments p WHERE p.bill_no = b.bill_no)
		ORDER BY b.due_on, b.bill_no`, subjectID, credit.DayOf(s.now())).Scan(&bills).Error
	if err != nil {
		return Condition{}, apperr.Wrap(err, apperr.Internal, "could not read the bills")
	}
	if len(bills) == 0 {
		return Condition{Code: "NO_OVERDUE_BILL", Passed: boolp(true), Detail: "无逾期未缴的水费账单"}, nil
	}
	var parts []string
	for _, b := range bills {
		parts = append(parts, fmt.Sprintf("%s（%s，未缴 ¥%s）", b.BillNo, b.Period, credit.Yuan(b.UnpaidFen)))
	}
	return Condition{Code: "NO_OVERDUE_BILL", Passed: boolp(false), Detail: "有逾期未缴的水费账单：" + strings.Join(parts, "、")}, nil
}

// gradeList names grades in Chinese, joined with "或".
func gradeList(grades []string) string {
	var out []string
	for _, g := range grades {
		out = append(out, "「"+grade.GradeLabel(models.Grade(g))+"」")
	}
	return strings.Join(out, "或")
}
