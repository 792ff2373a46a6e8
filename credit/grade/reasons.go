package grade

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"creditwater/credit"
	"creditwater/models"
)

// gradeLabels are the Chinese names of the grades (R3.4).
var gradeLabels = map[models.Grade]string{models.GradeExcellent: "优良", models.GradeGood: "良好",
	models.GradeWatch: "关注", models.GradeDishonest: "失信"}

// GradeLabel is the Chinese name of a grade ("未评定" when there is none).
func GradeLabel(g models.Grade) string {
	if l, ok := gradeLabels[g]; ok {
		return l
	}
	return "未评定"
}

// Reasons explains, in Chinese, the grade of subj as of asOf (R3.4): what
// the rule found in its records (recs: all of them) and its bills. The
// grade itself is the one stored by the last evaluation. It returns
// INTERNAL when the bills cannot be read.
func (s *Service) Reasons(ctx context.Context, subj models.Subject, recs []models.DishonestyRecord, asOf time.Time) ([]string, error) {
	r := s.RuleAt(asOf)
	lc := s.d.Config.Lifecycle
	var inForce, serious, counting []string
	for _, rec := range recs {
		what := fmt.Sprintf("%s（%s，%s）", credit.KindLabel(rec.Kind), credit.SeverityLabel(rec.Severity), credit.DateString(rec.BehaviourOn))
		if slices.Contains(r.InForce, rec.Status) && slices.Contains(r.Kinds, rec.Kind) {
			inForce = append(inForce, what)
			if rec.Severity == models.SeveritySerious {
				serious = append(serious, what)
			}
		}
		if !slices.Contains(credit.Uncounted, rec.Status) && !rec.BehaviourOn.Before(r.WindowFrom) && rec.BehaviourOn.Before(r.WindowTo) {
			counting = append(counting, what)
		}
	}
	late, err := s.d.Store.LateBills(ctx, subj.ID, r, r.WindowFrom)
	if err != nil {
		return nil, err
	}
	var recent []string
	for _, b := range late {
		if !b.DueOn.Before(r.WatchFrom) {
			recent = append(recent, fmt.Sprintf("%s（%s，应缴日 %s）", b.BillNo, b.Period, credit.DateString(b.DueOn)))
		}
	}
	var out []string
	switch subj.Grade {
	case models.GradeExcellent:
		out = append(out, fmt.Sprintf("近 %d 个月无欠缴水费、窃水、违约用水、违反信用承诺记录", s.d.Config.WindowMonths),
			fmt.Sprintf("近 %d 个月无超过应缴日 %d 天的缴费", s.d.Config.WindowMonths, lc.LateToleranceDays))
	case models.GradeDishonest:
		if len(serious) > 0 {
			out = append(out, "有在效的严重失信记录："+strings.Join(serious, "、"))
		}
		if len(inForce) >= r.DishonestRecords {
			out = append(out, fmt.Sprintf("在效失信记录 %d 条（达到 %d 条即为失信）：%s", len(inForce), r.DishonestRecords, strings.Join(inForce, "、")))
		}
	case models.GradeWatch:
		if len(inForce) > 0 {
			out = append(out, "有在效的非严重失信记录："+strings.Join(inForce, "、"))
		}
		if len(recent) >= r.WatchLate {
			out = append(out, fmt.Sprintf("近 %d 个月逾期超过 %d 天的缴费 %d 笔：%s", lc.WatchLateMonths, lc.LateToleranceDays, len(recent), strings.Join(recent, "、")))
		}
	case models.GradeGood:
		out = append(out, "无在效失信记录")
		switch {
		case subj.HistorySince == nil || !subj.HistorySince.Before(r.HistoryBefore):
			out = append(out, fmt.Sprintf("用水历史不足 %d 个月，暂不能评为优良", s.d.Config.WindowMonths))
		case len(counting) > 0:
			out = append(out, fmt.Sprintf("近 %d 个月内有失信记录（已修复或在效），暂不能评为优良：%s", s.d.Config.WindowMonths, strings.Join(counting, "、")))
		case len(late) > 0:
			out = append(out, fmt.Sprintf("近 %d 个月内有逾期超过 %d 天的缴费 %d 笔，暂不能评为优良", s.d.Config.WindowMonths, lc.LateToleranceDays, len(late)))
		}
	default:
		out = append(out, "尚未评定，将在下次信用评定时给出")
	}
	return out, nil
}
