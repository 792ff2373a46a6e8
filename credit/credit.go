// Package credit is the vocabulary shared by creditwater's credit rules:
// the thresholds (Config, R7.4), publicity periods (R5.3), Shanghai days,
// record kinds and sources, the evidence of an ARREARS record, the access
// guard and the ports every credit store shares. The rules themselves live
// in its sub-packages, split by reason to change; imports flow one way:
//
//	credit          ← vocabulary (this package)
//	credit/grade    ← tiers and incentives (R3.1, R3.2)
//	credit/record   ← dishonesty records, their history and publication (R1.4, R5.3)
//	credit/rules    ← the ARREARS rule and staff cases (R1.3)
//	credit/review   ← repair and objection: one review workflow with kinds (R5.1–R5.3)
//	credit/usage    ← usage analysis (R3.2)
//
// Each sub-package declares the store it needs (a small interface); the
// SQL and every dialect branch live in store/creditdb.
//
// Dates: a "day" is a calendar date in Asia/Shanghai. Date-like columns
// written by the credit packages (BehaviourOn, DecidedOn, publicity dates)
// hold the start of that Shanghai day, in UTC. Comparisons with date-like
// columns written elsewhere (e.g. a reminder's ServedOn) use half-open
// ranges of Shanghai days, so a date stored as UTC midnight or as Shanghai
// midnight is read as the same day.
package credit

import (
	"time"

	"creditwater/models"
)

// Config holds the thresholds of the credit rules (R7.4). A zero field takes
// the default documented on it (see SPEC "Defaults drawn from the rules").
type Config struct {
	// ArrearsThresholdFen is the "large amount" of unpaid fees, in fen, from
	// which an ARREARS record is made. Default 100000 (¥1,000).
	ArrearsThresholdFen int64
	// ArrearsGraceMonths is the grace period after a reminder (催告), in
	// calendar months. Default 1.
	ArrearsGraceMonths int
	// WindowMonths is the look-back window of the EXCELLENT tier and the
	// history it requires, in months. Default 36.
	WindowMonths int
	// GeneralPublicityMinMonths / GeneralPublicityMaxMonths bound the
	// publicity period of a GENERAL record. Defaults 3 and 12.
	GeneralPublicityMinMonths, GeneralPublicityMaxMonths int
	// SeriousPublicityMinMonths / SeriousPublicityMaxMonths bound the
	// publicity period of a SERIOUS record. Defaults 12 and 36. MINOR
	// records are not published.
	SeriousPublicityMinMonths, SeriousPublicityMaxMonths int
	// BatchSize is the number of rows per multi-row INSERT of the arrears
	// rule and per IN list of the tier recomputation. Default 1000.
	BatchSize int
	// UsageTrailingMonths is the span of the trailing average of the usage
	// analysis. Default 3.
	UsageTrailingMonths int
	// UsageBaselineMonths is the span of the baseline mean a period is
	// compared with (the months before it). Default 12.
	UsageBaselineMonths int
	// UsageMinBaseline is how many periods with data the baseline needs
	// before anything is flagged. Default 3.
	UsageMinBaseline int
	// UsageHighFactor flags a period above factor × baseline mean as HIGH.
	// Default 2.0.
	UsageHighFactor float64
	// UsageLowFactor flags a positive period below factor × baseline mean as
	// LOW. Default 0.3. A zero volume with a positive baseline is ZERO.
	UsageLowFactor float64
	// UsageMaxMonths is the longest analysis a caller may ask for. Default 60.
	UsageMaxMonths int
}

// DefaultConfig returns the defaults of every threshold.
func DefaultConfig() Config { return Config{}.WithDefaults() }

// WithDefaults returns c with every zero (or negative) field set to its
// default.
func (c Config) WithDefaults() Config {
	if c.ArrearsThresholdFen <= 0 {
		c.ArrearsThresholdFen = 100000
	}
	Default(&c.ArrearsGraceMonths, 1)
	Default(&c.WindowMonths, 36)
	Default(&c.GeneralPublicityMinMonths, 3)
	Default(&c.GeneralPublicityMaxMonths, 12)
	Default(&c.SeriousPublicityMinMonths, 12)
	Default(&c.SeriousPublicityMaxMonths, 36)
	Default(&c.BatchSize, 1000)
	Default(&c.UsageTrailingMonths, 3)
	Default(&c.UsageBaselineMonths, 12)
	Default(&c.UsageMinBaseline, 3)
	Default(&c.UsageMaxMonths, 60)
	if c.UsageHighFactor <= 0 {
		c.UsageHighFactor = 2.0
	}
	if c.UsageLowFactor <= 0 {
		c.UsageLowFactor = 0.3
	}
	return c
}

// Default sets *v to d when it is zero or negative: the rule of every
// setting of the credit packages.
func Default[N int | int64](v *N, d N) {
	if *v <= 0 {
		*v = d
	}
}

// Publicity is when a record is shown publicly (R5.3).
type Publicity struct {
	// Published is false for MINOR records, which are not published; the
	// times are then zero.
	Published bool
	// Start is the first day of publicity (the day the record was decided).
	Start time.Time
	// MinEnd is the end of the minimum publicity period: the earliest day a
	// repair may take the record out of public view.
	MinEnd time.Time
	// End is the end of the maximum publicity period.
	End time.Time
}

// Publicity computes the publicity period of a record of severity decided on
// decidedOn (R5.3): GENERAL from 3 months to 1 year, SERIOUS from 1 to 3
// years, MINOR not published (defaults; see Config). All times are Shanghai
// day starts in UTC.
func (c Config) Publicity(severity models.Severity, decidedOn time.Time) Publicity {
	c = c.WithDefaults()
	start := DayOf(decidedOn)
	var lo, hi int
	switch severity {
	case models.SeverityGeneral:
		lo, hi = c.GeneralPublicityMinMonths, c.GeneralPublicityMaxMonths
	case models.SeveritySerious:
		lo, hi = c.SeriousPublicityMinMonths, c.SeriousPublicityMaxMonths
	default:
		return Publicity{}
	}
	return Publicity{Published: true, Start: start, MinEnd: AddMonths(start, lo), End: AddMonths(start, hi)}
}
