package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Lifecycle is the configuration of the credit lifecycle: when records
// expire (R1.5), the prior notice before an ARREARS record (R1.6), the four
// grades and their handling (R3.4) and what counts as a late payment
// (R3.5). It is one field of Config, passed whole to the credit packages.
type Lifecycle struct {
	// MinorMaxMonths is the maximum period of a MINOR record, which is not
	// published (at most 3 months, NDRC Order 36); GENERAL and SERIOUS
	// records end at CW_PUBLICITY_*_MAX_MONTHS.
	MinorMaxMonths int `env:"CW_PUBLICITY_MINOR_MAX_MONTHS" envDefault:"3"`
	// MaxByKind are the maximum periods of a kind and severity that differ
	// from the severity's (CW_PUBLICITY_*_MAX_MONTHS above): SPEC's table
	// gives one period per severity for every kind, the default; a city
	// may set e.g. ARREARS:GENERAL=6m (R1.5).
	MaxByKind PublicityPeriods `env:"CW_PUBLICITY_MAX_BY_KIND" envDefault:""`
	// ExpireSchedule runs the job that marks records EXPIRED at the end of
	// their maximum period and queues the withdrawal of their publication.
	ExpireSchedule string `env:"CW_JOB_EXPIRE_SCHEDULE" envDefault:"15 2 * * *"`
	// NoticeWorkingDays is the period, in working days of the holiday
	// calendar, between the prior notice (告知) and the ARREARS record.
	NoticeWorkingDays int `env:"CW_ARREARS_NOTICE_WORKING_DAYS" envDefault:"5"`
	// LateToleranceDays: a bill paid (or still unpaid) more than this many
	// days after its due day is a late payment (R3.5).
	LateToleranceDays int `env:"CW_LATE_PAYMENT_TOLERANCE_DAYS" envDefault:"15"`
	// WatchLateMonths and WatchLatePayments: this many late payments in
	// that many months make a subject WATCH (R3.4).
	WatchLateMonths   int `env:"CW_WATCH_LATE_MONTHS" envDefault:"12"`
	WatchLatePayments int `env:"CW_WATCH_LATE_PAYMENTS" envDefault:"1"`
	// DishonestRecords records in force make a subject DISHONEST even
	// when none is serious ("repeated records").
	DishonestRecords int `env:"CW_DISHONEST_RECORDS" envDefault:"2"`
	// The handling of each grade (R3.4): which grades get the VIP green
	// channel, 容缺 acceptance, zero-document handling, and which need the
	// extra review step.
	VIPGrades         []string `env:"CW_GRADES_VIP" envDefault:"EXCELLENT"`
	LenientGrades     []string `env:"CW_GRADES_LENIENT" envDefault:"EXCELLENT"`
	ZeroDocGrades     []string `env:"CW_GRADES_ZERO_DOC" envDefault:"EXCELLENT,GOOD"`
	ExtraReviewGrades []string `env:"CW_GRADES_EXTRA_REVIEW" envDefault:"DISHONEST"`
}

// grades are the four grades of R3.4.
var grades = []string{"EXCELLENT", "GOOD", "WATCH", "DISHONEST"}

func (l Lifecycle) validate() error {
	if err := positive([]setting{{"CW_PUBLICITY_MINOR_MAX_MONTHS", int64(l.MinorMaxMonths)}, {"CW_ARREARS_NOTICE_WORKING_DAYS", int64(l.NoticeWorkingDays)},
		{"CW_WATCH_LATE_MONTHS", int64(l.WatchLateMonths)}, {"CW_WATCH_LATE_PAYMENTS", int64(l.WatchLatePayments)},
		{"CW_DISHONEST_RECORDS", int64(l.DishonestRecords)}, {"CW_LATE_PAYMENT_TOLERANCE_DAYS", int64(l.LateToleranceDays)}}); err != nil {
		return err
	}
	for _, g := range []struct {
		name string
		v    []string
	}{{"CW_GRADES_VIP", l.VIPGrades}, {"CW_GRADES_LENIENT", l.LenientGrades}, {"CW_GRADES_ZERO_DOC", l.ZeroDocGrades},
		{"CW_GRADES_EXTRA_REVIEW", l.ExtraReviewGrades}} {
		for _, v := range g.v {
			if !slices.Contains(grades, v) {
				return fmt.Errorf("config: %s has %q: grades are EXCELLENT, GOOD, WATCH or DISHONEST", g.name, v)
			}
		}
	}
	return nil
}

// recordKinds and severities are the record kinds and severities a
// PublicityPeriods entry may name (models.RecordKind, models.Severity).
var (
	recordKinds = []string{"ARREARS", "THEFT", "VIOLATION", "BROKEN_PROMISE"}
	severities  = []string{"MINOR", "GENERAL", "SERIOUS"}
)

// PublicityPeriods are maximum periods in months by record kind and
// severity, keyed "KIND:SEVERITY" (R1.5). It is read from a list such as
// "ARREARS:GENERAL=6m,THEFT:SERIOUS=5y" (m: months, y: years; positive,
// at most 10 years; each pair once).
type PublicityPeriods map[string]int

// UnmarshalText parses the list (see PublicityPeriods); the error names the
// entry that is wrong and why.
func (p *PublicityPeriods) UnmarshalText(text []byte) error {
	out := PublicityPeriods{}
	for entry := range strings.SplitSeq(string(text), ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		key, period, ok := strings.Cut(entry, "=")
		kind, severity, ok2 := strings.Cut(strings.TrimSpace(key), ":")
		kind, severity, period = strings.ToUpper(strings.TrimSpace(kind)), strings.ToUpper(strings.TrimSpace(severity)), strings.TrimSpace(period)
		switch {
		case !ok || !ok2:
			return fmt.Errorf("entry %q: want KIND:SEVERITY=<n>m or <n>y, e.g. ARREARS:GENERAL=6m", entry)
		case !slices.Contains(recordKinds, kind):
			return fmt.Errorf("entry %q: kinds are %s", entry, strings.Join(recordKinds, ", "))
		case !slices.Contains(severities, severity):
			return fmt.Errorf("entry %q: severities are %s", entry, strings.Join(severities, ", "))
		}
		months, err := parsePeriod(period)
		if err != nil {
			return fmt.Errorf("entry %q: %v", entry, err)
		}
		k := kind + ":" + severity
		if _, dup := out[k]; dup {
			return fmt.Errorf("entry %q: %s is given twice", entry, k)
		}
		out[k] = months
	}
	*p = out
	return nil
}

// parsePeriod reads "<n>m" (months) or "<n>y" (years) as months, 1 to 120.
func parsePeriod(s string) (int, error) {
	if len(s) < 2 {
		return 0, fmt.Errorf("period %q: want <n>m or <n>y", s)
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	unit := 0
	switch s[len(s)-1] {
	case 'm', 'M':
		unit = 1
	case 'y', 'Y':
		unit = 12
	}
	if err != nil || unit == 0 || n <= 0 || n*unit > 120 {
		return 0, fmt.Errorf("period %q: want <n>m or <n>y, from 1 month to 10 years", s)
	}
	return n * unit, nil
}

// Months returns the period of kind and severity and whether one is set.
func (p PublicityPeriods) Months(kind, severity string) (int, bool) {
	m, ok := p[kind+":"+severity]
	return m, ok
}

// String lists the periods in the form UnmarshalText reads, sorted.
func (p PublicityPeriods) String() string {
	var parts []string
	for k, m := range p {
		parts = append(parts, fmt.Sprintf("%s=%dm", k, m))
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

// checkMinimums refuses a GENERAL or SERIOUS period shorter than its
// severity's minimum publicity period (a repair could otherwise never
// wait for it).
func (p PublicityPeriods) checkMinimums(generalMin, seriousMin int) error {
	for k, m := range p {
		least := 0
		switch {
		case strings.HasSuffix(k, ":GENERAL"):
			least = generalMin
		case strings.HasSuffix(k, ":SERIOUS"):
			least = seriousMin
		}
		if m < least {
			return fmt.Errorf("config: CW_PUBLICITY_MAX_BY_KIND has %s=%dm, shorter than the severity's minimum publicity period (%d months)", k, m, least)
		}
	}
	return nil
}
