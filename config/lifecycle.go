package config

import (
	"fmt"
	"slices"
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
	for _, p := range []struct {
		name string
		v    int
	}{{"CW_PUBLICITY_MINOR_MAX_MONTHS", l.MinorMaxMonths}, {"CW_ARREARS_NOTICE_WORKING_DAYS", l.NoticeWorkingDays},
		{"CW_WATCH_LATE_MONTHS", l.WatchLateMonths}, {"CW_WATCH_LATE_PAYMENTS", l.WatchLatePayments},
		{"CW_DISHONEST_RECORDS", l.DishonestRecords}, {"CW_LATE_PAYMENT_TOLERANCE_DAYS", l.LateToleranceDays}} {
		if p.v <= 0 {
			return fmt.Errorf("config: %s must be positive", p.name)
		}
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
