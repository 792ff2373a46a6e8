// Package credit holds the credit rules of creditwater: dishonesty records
// (失信记录) and their history (R1.3, R1.4), the automatic arrears rule,
// staff cases, credit tiers and incentives (R3.1, R3.2) and the usage
// analysis offered to EXCELLENT subjects. Every threshold is a field of
// Config (R7.4).
//
// Dates: a "day" is a calendar date in Asia/Shanghai. Date-like columns
// written by this package (BehaviourOn, DecidedOn, publicity dates) hold the
// start of that Shanghai day, in UTC. Comparisons with date-like columns
// written elsewhere (e.g. a reminder's ServedOn) use half-open ranges of
// Shanghai days, so a date stored as UTC midnight or as Shanghai midnight is
// read as the same day.
package credit

import (
	"context"
	"time"
	_ "time/tzdata" // Asia/Shanghai on machines without a zone database

	"gorm.io/gorm"

	"creditwater/access"
	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/auth"
	"creditwater/models"
	"creditwater/reqctx"
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
func DefaultConfig() Config { return Config{}.withDefaults() }

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if c.ArrearsThresholdFen <= 0 {
		c.ArrearsThresholdFen = 100000
	}
	def(&c.ArrearsGraceMonths, 1)
	def(&c.WindowMonths, 36)
	def(&c.GeneralPublicityMinMonths, 3)
	def(&c.GeneralPublicityMaxMonths, 12)
	def(&c.SeriousPublicityMinMonths, 12)
	def(&c.SeriousPublicityMaxMonths, 36)
	def(&c.BatchSize, 1000)
	def(&c.UsageTrailingMonths, 3)
	def(&c.UsageBaselineMonths, 12)
	def(&c.UsageMinBaseline, 3)
	def(&c.UsageMaxMonths, 60)
	if c.UsageHighFactor <= 0 {
		c.UsageHighFactor = 2.0
	}
	if c.UsageLowFactor <= 0 {
		c.UsageLowFactor = 0.3
	}
	return c
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
	c = c.withDefaults()
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

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil { // cannot happen: time/tzdata is linked in
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// DayOf returns the start of the Asia/Shanghai calendar day containing t, in
// UTC. The zero time stays zero.
func DayOf(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.In(shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, shanghai).UTC()
}

// AddMonths adds n calendar months (n may be negative) to the Shanghai day
// of t, clamping the day of month to the length of the target month
// (2026-01-31 + 1 month = 2026-02-28, not March 3 as time.AddDate gives). It
// returns a Shanghai day start in UTC.
func AddMonths(t time.Time, n int) time.Time {
	y, m, d := t.In(shanghai).Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, shanghai)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), 0, 0, 0, 0, shanghai).UTC()
}

// addDays adds n days to a Shanghai day start (calendar days, so it is
// exact across any clock change).
func addDays(day time.Time, n int) time.Time {
	y, m, d := day.In(shanghai).Date()
	return time.Date(y, m, d+n, 0, 0, 0, 0, shanghai).UTC()
}

// dateString formats a day as YYYY-MM-DD in Shanghai.
func dateString(t time.Time) string { return t.In(shanghai).Format(time.DateOnly) }

// guard is credit's use of the one access policy (package access): staff
// see every subject; an ENTERPRISE user acts only through an ACTIVE binding
// that allows one of the scopes asked.
type guard struct{ p *access.Policy }

func newGuard(db *gorm.DB) guard { return guard{p: access.New(db)} }

// subject checks that the caller may act for subjectID with one of scopes.
// It returns UNAUTHENTICATED without an actor, FORBIDDEN otherwise and
// INTERNAL when the binding cannot be read.
func (g guard) subject(ctx context.Context, subjectID string, scopes ...models.AgentScope) (*reqctx.Actor, error) {
	if subjectID == "" {
		actor, err := auth.Require(ctx)
		if err != nil {
			return nil, err
		}
		if !actor.Role.IsStaff() {
			return nil, apperr.New(apperr.Forbidden, "无权查看该主体的信用信息")
		}
		return actor, nil
	}
	gr, err := g.p.Subject(ctx, subjectID, scopes...)
	if err != nil {
		return nil, err
	}
	return gr.Actor, nil
}

// subjects is the subquery of the subjects an enterprise user may act for
// with one of scopes.
func (g guard) subjects(ctx context.Context, userID string, scopes ...models.AgentScope) *gorm.DB {
	return g.p.Subjects(ctx, userID, scopes...)
}

// Scopes of credit data: records are read with VIEW (or DISPUTE, to dispute
// them); repairs and objections are DISPUTE's.
var (
	viewRecords = []models.AgentScope{models.ScopeView, models.ScopeDispute}
	dispute     = []models.AgentScope{models.ScopeDispute}
)

// actorID is the acting user's ID, or "SYSTEM" for scheduled work.
func actorID(ctx context.Context) string {
	if a := reqctx.ActorFrom(ctx); a != nil {
		return a.UserID
	}
	return SystemActor
}

// SystemActor is the actor recorded for work done by scheduled jobs.
const SystemActor = "SYSTEM"

// recordAudit writes an audit entry, turning a failure into INTERNAL.
func recordAudit(ctx context.Context, log *audit.Log, tx *gorm.DB, e audit.Entry) error {
	if log == nil {
		return nil
	}
	return log.Record(ctx, tx, e)
}
