package selfservice

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/ident"
	"creditwater/models"
	"creditwater/pii"
	"creditwater/reqctx"
	"creditwater/store"
)

// PublicityLimit is the per-client budget of the public publicity query.
type PublicityLimit struct {
	Rate   int
	Window time.Duration
}

// Publicity is the public publicity query (公示查询, R6): anyone, without
// logging in, finds the commitments and dishonesty records of an
// enterprise that were published to the credit platform and are still in
// their publicity period, by USCC or by name. It shows no person: subjects
// that are persons are never found, and a legal representative's name is
// masked (林*强). Each client IP has a budget of queries (redis_rate, the
// limiter the binding attempts use).
type Publicity struct {
	db     *gorm.DB
	rdb    redis.UniversalClient
	prefix string
	limit  PublicityLimit
	now    func() time.Time
}

// NewPublicity returns the query; prefix is the Redis key prefix.
func NewPublicity(db *gorm.DB, rdb redis.UniversalClient, prefix string, limit PublicityLimit) *Publicity {
	return &Publicity{db: db, rdb: rdb, prefix: prefix, limit: limit, now: time.Now}
}

// SetClock replaces the clock (tests).
func (p *Publicity) SetClock(now func() time.Time) { p.now = now }

// PublicCommitment is a published commitment as the public sees it.
type PublicCommitment struct {
	ID             string `gorm:"column:id"`
	EnterpriseName string
	USCC           string
	// LegalRepMasked is the legal representative's masked name.
	LegalRepMasked string `gorm:"-"`
	LegalRepName   string `json:"-"`
	SignedAt       time.Time
	PublishedAt    time.Time
}

// PublicRecord is a published dishonesty record as the public sees it.
type PublicRecord struct {
	ID             string `gorm:"column:id"`
	EnterpriseName string
	USCC           string
	Kind           models.RecordKind
	Severity       models.Severity
	Summary        string
	DecidedOn      time.Time
	PublicityStart *time.Time
	PublicityEnd   *time.Time
}

// Query sizes.
const (
	minNameRunes = 2
	maxQueryRune = 100
)

// begin checks the client's budget and the query text, and returns the
// subquery of the enterprises it names. It returns RATE_LIMITED (with
// retryAfter), UNAVAILABLE when Redis cannot be reached, and INVALID
// (field query) for a query that is neither a USCC nor a name of at least
// two characters.
func (p *Publicity) begin(ctx context.Context, query string) (*gorm.DB, error) {
	ip := reqctx.ClientIP(ctx)
	res, err := redis_rate.NewLimiter(p.rdb).Allow(ctx, p.prefix+"publicity:"+ip,
		redis_rate.Limit{Rate: p.limit.Rate, Burst: p.limit.Rate, Period: p.limit.Window})
	if err != nil {
		e := apperr.Wrap(err, apperr.Unavailable, "服务暂时不可用，请稍后再试")
		e.RetryAfter = 5 * time.Second
		return nil, e
	}
	if res.Allowed == 0 {
		e := apperr.New(apperr.RateLimited, "查询过于频繁，请于 %s 后再试", res.RetryAfter.Round(time.Second))
		e.RetryAfter = res.RetryAfter
		return nil, e
	}
	q := strings.TrimSpace(query)
	subjects := store.ReadReplica(p.db.WithContext(ctx)).Model(&models.Subject{}).Select("id").Where("kind = ?", models.SubjectEnterprise)
	if ident.ValidateUSCC(q) == nil {
		return subjects.Where("uscc = ?", ident.NormalizeUSCC(q)), nil
	}
	if n := utf8.RuneCountInString(q); n < minNameRunes || n > maxQueryRune {
		return nil, apperr.InvalidField("query", "请输入统一社会信用代码，或至少 %d 个字的企业名称", minNameRunes)
	}
	esc := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(q)
	return subjects.Where("name LIKE ? ESCAPE '!'", "%"+esc+"%"), nil
}

// Commitments lists the published commitments (公开承诺, R2.3) of the
// enterprises query names, newest first. Errors: those of begin, INVALID
// (first, after) and INTERNAL.
func (p *Publicity) Commitments(ctx context.Context, query string, first *int, after string, count bool) (Page[PublicCommitment], error) {
	subjects, err := p.begin(ctx, query)
	if err != nil {
		return Page[PublicCommitment]{}, err
	}
	q := store.ReadReplica(p.db.WithContext(ctx)).Table("commitments").
		Select("commitments.id, subjects.name AS enterprise_name, subjects.uscc, subjects.legal_rep_name, commitments.signed_at, commitments.published_at").
		Joins("JOIN subjects ON subjects.id = commitments.subject_id").
		Where("commitments.subject_id IN (?)", subjects).
		Where("commitments.published_at IS NOT NULL AND commitments.publication_id <> ''")
	pg, err := list(q, "commitments", first, after, count, func(c PublicCommitment) string { return c.ID })
	for i := range pg.Items {
		pg.Items[i].LegalRepMasked = pii.MaskName(pg.Items[i].LegalRepName)
		pg.Items[i].LegalRepName = ""
	}
	return pg, err
}

// Records lists the dishonesty records of the enterprises query names that
// were published to the platform and are in force within their publicity
// period: not repaired, revoked, expired or past their publicity end, and
// never a record that was not published. Newest first. Errors: those of
// begin, INVALID (first, after) and INTERNAL.
func (p *Publicity) Records(ctx context.Context, query string, first *int, after string, count bool) (Page[PublicRecord], error) {
	subjects, err := p.begin(ctx, query)
	if err != nil {
		return Page[PublicRecord]{}, err
	}
	q := store.ReadReplica(p.db.WithContext(ctx)).Table("dishonesty_records").
		Select("dishonesty_records.id, subjects.name AS enterprise_name, subjects.uscc, dishonesty_records.kind, dishonesty_records.severity, "+
			"dishonesty_records.summary, dishonesty_records.decided_on, dishonesty_records.publicity_start, dishonesty_records.publicity_end").
		Joins("JOIN subjects ON subjects.id = dishonesty_records.subject_id").
		Where("dishonesty_records.subject_id IN (?)", subjects).
		Where("dishonesty_records.publication_id <> ''").
		Where("dishonesty_records.status IN ?", []models.RecordStatus{models.RecordActive, models.RecordUnderObjection}).
		Where("dishonesty_records.publicity_end IS NULL OR dishonesty_records.publicity_end > ?", p.now())
	return list(q, "dishonesty_records", first, after, count, func(r PublicRecord) string { return r.ID })
}
