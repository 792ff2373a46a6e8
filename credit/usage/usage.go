// Package usage is the usage analysis offered to EXCELLENT subjects
// (日常用水分析, R3.2): per-month volumes, year-over-year change, trailing
// average and anomaly flags. It returns data; package render draws it.
package usage

import (
	"context"
	"fmt"
	"strconv"

	"creditwater/apperr"
	"creditwater/credit"
	"creditwater/models"
)

// Store reads accounts and their metered usage. Implementations:
// store/creditdb.
type Store interface {
	// Account reads an account; INTERNAL.
	Account(ctx context.Context, no string) (models.Account, bool, error)
	// Tier reads a subject's tier; INTERNAL (also for an unknown subject).
	Tier(ctx context.Context, subjectID string) (models.Tier, error)
	// NewestPeriod returns the account's newest period with usage (YYYY-MM,
	// "" for none); INTERNAL.
	NewestPeriod(ctx context.Context, accountNo string) (string, error)
	// Usage returns the account's usage of the periods from … to
	// (YYYY-MM, inclusive); INTERNAL.
	Usage(ctx context.Context, accountNo, from, to string) ([]models.Usage, error)
}

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

// Period is one period (month) of the usage analysis. Pointers are nil
// where there is no data.
type Period struct {
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

// Report is the usage analysis of one account (R3.2).
type Report struct {
	AccountNo string
	SubjectID string
	// Periods run from the oldest to the newest period.
	Periods []Period
	// The thresholds used, for display.
	TrailingMonths, BaselineMonths int
	HighFactor, LowFactor          float64
}

// Deps are what the service needs.
type Deps = credit.Deps[Store]

// Service analyses usage.
type Service struct{ d Deps }

// New returns the usage service; the Config's zero fields take their
// defaults.
func New(d Deps) *Service { return &Service{d.WithDefaults()} }

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

// Analyse analyses the last months periods (1–Config.UsageMaxMonths) of an
// account, ending with its newest period with data (or the current month
// when it has none): per-period volumes in m³, year-over-year change,
// trailing average and anomaly flags (see Anomaly). Staff may analyse any
// account; an ENTERPRISE user only accounts of subjects it is bound to, and
// only while the subject is EXCELLENT (usage analysis is an incentive,
// R3.2). It returns INVALID (field months), NOT_FOUND, UNAUTHENTICATED,
// FORBIDDEN, FAILED_PRECONDITION (reason NOT_EXCELLENT) or INTERNAL.
func (s *Service) Analyse(ctx context.Context, accountNo string, months int) (Report, error) {
	if months < 1 || months > s.d.Config.UsageMaxMonths {
		return Report{}, apperr.InvalidField("months", "月数须在 1 至 %d 之间", s.d.Config.UsageMaxMonths)
	}
	acc, ok, err := s.d.Store.Account(ctx, accountNo)
	if err != nil || !ok {
		return Report{}, credit.NotFound(err, "未找到该用水户号")
	}
	actor, err := s.d.Guard().Subject(ctx, acc.SubjectID, models.ScopeView)
	if err != nil {
		return Report{}, err
	}
	if !actor.Role.IsStaff() {
		tier, err := s.d.Store.Tier(ctx, acc.SubjectID)
		if err != nil {
			return Report{}, err
		}
		if tier != models.TierExcellent {
			return Report{}, apperr.Precondition("NOT_EXCELLENT", "用水分析仅向 EXCELLENT（守信激励）主体提供")
		}
	}
	newest, err := s.d.Store.NewestPeriod(ctx, accountNo)
	if err != nil {
		return Report{}, err
	}
	end, ok := parsePeriod(newest)
	if !ok {
		y, m, _ := s.d.Now().In(credit.Shanghai).Date()
		end = month(y*12 + int(m) - 1)
	}
	start := end - month(months) + 1
	lookback := month(max(s.d.Config.UsageBaselineMonths, 12, s.d.Config.UsageTrailingMonths))
	rows, err := s.d.Store.Usage(ctx, accountNo, (start - lookback).String(), end.String())
	if err != nil {
		return Report{}, err
	}
	vol := make(map[month]float64, len(rows))
	for _, r := range rows {
		if m, ok := parsePeriod(r.Period); ok {
			vol[m] = float64(r.VolumeL) / 1000
		}
	}
	rep := analyse(s.d.Config, vol, start, end)
	rep.AccountNo, rep.SubjectID = accountNo, acc.SubjectID
	return rep, nil
}

// analyse computes the report of periods start…end from volumes in m³.
func analyse(cfg credit.Config, vol map[month]float64, start, end month) Report {
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
	rep := Report{TrailingMonths: cfg.UsageTrailingMonths, BaselineMonths: cfg.UsageBaselineMonths,
		HighFactor: cfg.UsageHighFactor, LowFactor: cfg.UsageLowFactor}
	for m := start; m <= end; m++ {
		p := Period{Period: m.String()}
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
