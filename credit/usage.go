package credit

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"creditwater/apperr"
	"creditwater/models"
)

// Anomaly flags an unusual period of the usage analysis.
type Anomaly string

// Anomalies. A period is compared with its baseline: the mean of the
// periods with data among the Config.UsageBaselineMonths before it (at
// least Config.UsageMinBaseline of them, else nothing is flagged).
const (
	AnomalyNone Anomaly = ""
	// AnomalyHigh: volume > UsageHighFactor (2.0) × baseline.
	AnomalyHigh Anomaly = "HIGH"
	// AnomalyLow: 0 < volume < UsageLowFactor (0.3) × baseline.
	AnomalyLow Anomaly = "LOW"
	// AnomalyZero: volume 0 while the baseline is positive.
	AnomalyZero Anomaly = "ZERO"
)

// UsagePeriod is one period (month) of the usage analysis. Pointers are nil
// where there is no data.
type UsagePeriod struct {
	// Period is YYYY-MM.
	Period string
	// VolumeM3 is the metered volume in m³ (nil: no reading for the period).
	VolumeM3 *float64
	// LastYearM3 is the volume of the same month a year before.
	LastYearM3 *float64
	// YoYChange is (volume − last year) / last year, e.g. 0.25 for +25%; nil
	// when either is missing or last year's is 0.
	YoYChange *float64
	// TrailingAvgM3 is the mean of the periods with data among the last
	// Config.UsageTrailingMonths periods, this one included.
	TrailingAvgM3 *float64
	// BaselineM3 is the mean the anomaly rule compares with.
	BaselineM3 *float64
	Anomaly    Anomaly
}

// UsageReport is the usage analysis of one account (日常用水分析, R3.2).
type UsageReport struct {
	AccountNo string
	SubjectID string
	// Periods run from the oldest to the newest period.
	Periods []UsagePeriod
	// The thresholds used, for display.
	TrailingMonths, BaselineMonths int
	HighFactor, LowFactor          float64
}

// month is a period as a month count (year×12 + month − 1).
type month int

func parsePeriod(p string) (month, bool) {
	if len(p) != 7 || p[4] != '-' {
		return 0, false
	}
	y, err1 := strconv.Atoi(p[:4])
	m, err2 := strconv.Atoi(p[5:])
	if err1 != nil || err2 != nil || m < 1 || m > 12 {
		return 0, false
	}
	return month(y*12 + m - 1), true
}

func (m month) String() string { return fmt.Sprintf("%04d-%02d", int(m)/12, int(m)%12+1) }

// UsageAnalysis analyses the last months periods (1–Config.UsageMaxMonths)
// of an account, ending with its newest period with data (or the current
// month when it has none): per-period volumes in m³, year-over-year change,
// trailing average and anomaly flags (see Anomaly). Staff may analyse any
// account; an ENTERPRISE user only accounts of subjects it is bound to, and
// only while the subject is EXCELLENT (usage analysis is an incentive,
// R3.2). It returns INVALID (field months), NOT_FOUND, UNAUTHENTICATED,
// FORBIDDEN, FAILED_PRECONDITION (reason NOT_EXCELLENT) or INTERNAL.
func (t *Tiers) UsageAnalysis(ctx context.Context, accountNo string, months int) (UsageReport, error) {
	if months < 1 || months > t.cfg.UsageMaxMonths {
		return UsageReport{}, apperr.InvalidField("months", "months must be between 1 and %d", t.cfg.UsageMaxMonths)
	}
	db := t.db.WithContext(ctx)
	var acc models.Account
	res := db.Where("account_no = ?", accountNo).Limit(1).Find(&acc)
	if res.Error != nil {
		return UsageReport{}, apperr.Wrap(res.Error, apperr.Internal, "could not read the account")
	}
	if res.RowsAffected == 0 {
		return UsageReport{}, apperr.New(apperr.NotFound, "account not found")
	}
	actor, err := t.acc.subject(ctx, acc.SubjectID, models.ScopeView)
	if err != nil {
		return UsageReport{}, err
	}
	if !actor.Role.IsStaff() {
		var s models.Subject
		if err := db.Select("id, tier").Where("id = ?", acc.SubjectID).First(&s).Error; err != nil {
			return UsageReport{}, apperr.Wrap(err, apperr.Internal, "could not read the subject")
		}
		if s.Tier != models.TierExcellent {
			return UsageReport{}, apperr.Precondition("NOT_EXCELLENT", "usage analysis is offered to EXCELLENT subjects")
		}
	}
	var newest sql.NullString
	if err := db.Model(&models.Usage{}).Select("MAX(period)").Where("account_no = ?", accountNo).Scan(&newest).Error; err != nil {
		return UsageReport{}, apperr.Wrap(err, apperr.Internal, "could not read the usage")
	}
	end, ok := parsePeriod(newest.String)
	if !ok {
		y, m, _ := t.now().In(shanghai).Date()
		end = month(y*12 + int(m) - 1)
	}
	start := end - month(months) + 1
	lookback := month(max(t.cfg.UsageBaselineMonths, 12, t.cfg.UsageTrailingMonths))
	var rows []models.Usage
	err = db.Where("account_no = ? AND period >= ? AND period <= ?", accountNo, (start - lookback).String(), end.String()).Find(&rows).Error
	if err != nil {
		return UsageReport{}, apperr.Wrap(err, apperr.Internal, "could not read the usage")
	}
	vol := make(map[month]float64, len(rows))
	for _, r := range rows {
		if m, ok := parsePeriod(r.Period); ok {
			vol[m] = float64(r.VolumeL) / 1000
		}
	}
	rep := analyse(t.cfg, vol, start, end)
	rep.AccountNo, rep.SubjectID = accountNo, acc.SubjectID
	return rep, nil
}

// analyse computes the report of periods start…end from volumes in m³.
func analyse(cfg Config, vol map[month]float64, start, end month) UsageReport {
	mean := func(from, to month) (float64, int) {
		var sum float64
		n := 0
		for m := from; m <= to; m++ {
			if v, ok := vol[m]; ok {
				sum += v
				n++
			}
		}
		if n == 0 {
			return 0, 0
		}
		return sum / float64(n), n
	}
	ptr := func(v float64) *float64 { return &v }
	rep := UsageReport{TrailingMonths: cfg.UsageTrailingMonths, BaselineMonths: cfg.UsageBaselineMonths,
		HighFactor: cfg.UsageHighFactor, LowFactor: cfg.UsageLowFactor}
	for m := start; m <= end; m++ {
		p := UsagePeriod{Period: m.String()}
		v, has := vol[m]
		if has {
			p.VolumeM3 = ptr(v)
		}
		if ly, ok := vol[m-12]; ok {
			p.LastYearM3 = ptr(ly)
			if has && ly != 0 {
				p.YoYChange = ptr((v - ly) / ly)
			}
		}
		if avg, n := mean(m-month(cfg.UsageTrailingMonths)+1, m); n > 0 {
			p.TrailingAvgM3 = ptr(avg)
		}
		if base, n := mean(m-month(cfg.UsageBaselineMonths), m-1); n >= cfg.UsageMinBaseline {
			p.BaselineM3 = ptr(base)
			if has {
				switch {
				case v == 0 && base > 0:
					p.Anomaly = AnomalyZero
				case v > cfg.UsageHighFactor*base:
					p.Anomaly = AnomalyHigh
				case v > 0 && v < cfg.UsageLowFactor*base:
					p.Anomaly = AnomalyLow
				}
			}
		}
		rep.Periods = append(rep.Periods, p)
	}
	return rep
}
