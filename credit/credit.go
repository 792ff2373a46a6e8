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
	"reflect"
	"strconv"
	"strings"
	"time"

	"creditwater/config"
	"creditwater/models"
)

// Config holds the thresholds of the credit rules (R7.4). A zero field takes
// the default documented on it (see SPEC "Defaults drawn from the rules").
type Config struct {
	// Credit is the configured thresholds (CW_ARREARS_*, CW_PUBLICITY_*,
	// CW_EXCELLENT_WINDOW_MONTHS), passed whole by the composition root;
	// each zero field takes its envDefault.
	config.Credit
	// Lifecycle is record expiry, prior notice, grades and late payments
	// (R1.5, R1.6, R3.4, R3.5); zero fields take their envDefault.
	Lifecycle config.Lifecycle
	// BatchSize is the number of rows per multi-row INSERT of the arrears
	// rule and per IN list of the tier recomputation. Default 1000.
	BatchSize int `default:"1000"`
	// UsageTrailingMonths is the span of the trailing average of the usage
	// analysis. Default 3.
	UsageTrailingMonths int `default:"3"`
	// UsageBaselineMonths is the span of the baseline mean a period is
	// compared with (the months before it). Default 12.
	UsageBaselineMonths int `default:"12"`
	// UsageMinBaseline is how many periods with data the baseline needs
	// before anything is flagged. Default 3.
	UsageMinBaseline int `default:"3"`
	// UsageHighFactor flags a period above factor × baseline mean as HIGH.
	// Default 2.0.
	UsageHighFactor float64 `default:"2.0"`
	// UsageLowFactor flags a positive period below factor × baseline mean as
	// LOW. Default 0.3. A zero volume with a positive baseline is ZERO.
	UsageLowFactor float64 `default:"0.3"`
	// UsageMaxMonths is the longest analysis a caller may ask for. Default 60.
	UsageMaxMonths int `default:"60"`
}

// DefaultConfig returns the defaults of every threshold.
func DefaultConfig() Config { return Config{}.WithDefaults() }

// WithDefaults returns c with every zero (or negative) field set to its
// default.
func (c Config) WithDefaults() Config {
	Defaults(&c)
	return c
}

// Defaults sets every zero or negative int, int64 or float64 field, and
// every empty []string, of the struct *p or its nested structs that has a
// `default:"…"` (or, in a configuration group, `envDefault:"…"`) tag to
// that default: the rule of every setting of the credit packages. A tag
// that does not parse as the field's type is a programming error and
// panics.
func Defaults(p any) { defaults(reflect.ValueOf(p).Elem()) }

func defaults(v reflect.Value) {
	for i := range v.NumField() {
		sf, f := v.Type().Field(i), v.Field(i)
		if f.Kind() == reflect.Struct && f.Type() != reflect.TypeFor[time.Time]() {
			defaults(f)
			continue
		}
		tag, ok := sf.Tag.Lookup("default")
		if !ok {
			tag, ok = sf.Tag.Lookup("envDefault")
		}
		if !ok {
			continue
		}
		switch f.Kind() {
		case reflect.Slice:
			if f.Len() == 0 && f.Type().Elem().Kind() == reflect.String {
				f.Set(reflect.ValueOf(strings.Split(tag, ",")))
			}
		case reflect.Int, reflect.Int64:
			if f.Int() <= 0 {
				f.SetInt(must(strconv.ParseInt(tag, 10, 64)))
			}
		case reflect.Float64:
			if f.Float() <= 0 {
				f.SetFloat(must(strconv.ParseFloat(tag, 64)))
			}
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic("credit: bad default: " + err.Error())
	}
	return v
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

// MaxMonths is the maximum period, in months, of a record of kind and
// severity (R1.5): Lifecycle.MaxByKind's entry for the pair when there is
// one, otherwise the severity's (GENERAL and SERIOUS: the end of
// publicity; MINOR, not published: Lifecycle.MinorMaxMonths).
func (c Config) MaxMonths(kind models.RecordKind, severity models.Severity) int {
	c = c.WithDefaults()
	if m, ok := c.Lifecycle.MaxByKind.Months(string(kind), string(severity)); ok {
		return m
	}
	switch severity {
	case models.SeverityGeneral:
		return c.GeneralPublicityMaxMonths
	case models.SeveritySerious:
		return c.SeriousPublicityMaxMonths
	}
	return c.Lifecycle.MinorMaxMonths
}

// Ends returns the end of the maximum period of a record of kind and
// severity decided on decidedOn (R1.5, see MaxMonths): the end of its
// publicity for GENERAL and SERIOUS records, the end of the period after
// the decision for MINOR ones (not published). A Shanghai day start in UTC.
func (c Config) Ends(kind models.RecordKind, severity models.Severity, decidedOn time.Time) time.Time {
	return AddMonths(DayOf(decidedOn), c.MaxMonths(kind, severity))
}

// Publicity computes the publicity period of a record of kind and severity
// decided on decidedOn (R5.3): GENERAL from 3 months to 1 year, SERIOUS
// from 1 to 3 years, MINOR not published (defaults; see Config); the
// maximum is MaxMonths'. All times are Shanghai day starts in UTC.
func (c Config) Publicity(kind models.RecordKind, severity models.Severity, decidedOn time.Time) Publicity {
	c = c.WithDefaults()
	start := DayOf(decidedOn)
	var lo int
	switch severity {
	case models.SeverityGeneral:
		lo = c.GeneralPublicityMinMonths
	case models.SeveritySerious:
		lo = c.SeriousPublicityMinMonths
	default:
		return Publicity{}
	}
	return Publicity{Published: true, Start: start, MinEnd: AddMonths(start, lo), End: AddMonths(start, c.MaxMonths(kind, severity))}
}
