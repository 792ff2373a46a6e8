package rating

import (
	"context"
	"time"
)

// Level is the city credit platform's comprehensive credit rating of an
// enterprise (综合信用评价, GB/T 45255-2025): A, B, C or D. It is the
// platform's word, called "rating" throughout the API; "grade" is kept for
// the scheme's own four-band classification (R3.4).
type Level string

// The rating levels.
const (
	LevelA Level = "A" // 诚信优良
	LevelB Level = "B" // 基本诚信
	LevelC Level = "C" // 失信观察
	LevelD Level = "D" // 严重失信
)

// levelLabels are the Chinese names of the levels.
var levelLabels = map[Level]string{LevelA: "诚信优良", LevelB: "基本诚信", LevelC: "失信观察", LevelD: "严重失信"}

// Valid reports whether l is one of the four levels.
func (l Level) Valid() bool {
	_, ok := levelLabels[l]
	return ok
}

// Label returns the Chinese name of the level (诚信优良 …), or "" for an
// invalid level.
func (l Level) Label() string { return levelLabels[l] }

// Rating is an enterprise's comprehensive credit rating as served. Its JSON
// form is part of the cache format (see cacheVersion).
type Rating struct {
	USCC  string `json:"uscc"`
	Level Level  `json:"level"`
	// EvaluatedAt is when the platform evaluated the enterprise.
	EvaluatedAt time.Time `json:"evaluatedAt"`
	// FetchedAt is when this service fetched the rating (set by Service;
	// a Platform leaves it zero).
	FetchedAt time.Time `json:"fetchedAt"`
	// Stale is true when the rating is older than RatingTTL: a refresh is
	// under way, or the platform fails and this is the last known rating.
	Stale bool `json:"-"`
}

// Label returns the Chinese name of the rating's level.
func (r Rating) Label() string { return r.Level.Label() }

// Entry is one dishonesty item (失信信息) listed in a credit report.
type Entry struct {
	// Kind is the platform's category, e.g. 欠缴水费 or 行政处罚.
	Kind        string `json:"kind"`
	Description string `json:"description"`
	// DecidedOn is the decision date, YYYY-MM-DD.
	DecidedOn string `json:"decidedOn"`
	// Authority is the deciding body.
	Authority string `json:"authority"`
	// DocumentNo is the decision document number, or "" when there is none.
	DocumentNo string `json:"documentNo,omitempty"`
}

// Report is an electronic credit report (电子信用报告) of one enterprise. Its
// JSON form is part of the cache format (see cacheVersion).
type Report struct {
	ReportNo    string `json:"reportNo"`
	SubjectName string `json:"subjectName"`
	USCC        string `json:"uscc"`
	// Level is the rating the report states.
	Level Level `json:"level"`
	// Entries lists the dishonesty entries of the period; empty, not nil,
	// when there are none.
	Entries    []Entry   `json:"entries"`
	IssuedAt   time.Time `json:"issuedAt"`
	PeriodFrom time.Time `json:"periodFrom"`
	PeriodTo   time.Time `json:"periodTo"`
	// PDFSHA256 is the lowercase hex SHA-256 of the report's PDF, or "" when
	// the platform has no PDF for it.
	PDFSHA256 string `json:"pdfSha256,omitempty"`
}

// Label returns the Chinese name of the report's rating level.
func (r Report) Label() string { return r.Level.Label() }

// Platform is what this package needs from the city credit platform, in the
// domain's types: the adapter (package creditplatform, fitted in package
// server) maps its wire format to them, so a change of the platform's API
// changes one adapter.
//
// Both methods return NOT_FOUND when the platform does not know the
// enterprise and UNAVAILABLE (with RetryAfter) when it cannot be reached or
// answers something unusable, including a level outside A–D.
type Platform interface {
	// Rating returns the current rating of the enterprise with the
	// normalized USCC uscc; FetchedAt and Stale are left zero.
	Rating(ctx context.Context, uscc string) (Rating, error)
	// Report issues an electronic credit report of the enterprise with the
	// normalized USCC uscc.
	Report(ctx context.Context, uscc string) (*Report, error)
}
