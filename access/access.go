// Package access is the one access policy of creditwater (R6.6, R7.1): it
// answers "may this user act for this subject, and with which scope". Staff
// roles see every subject (what each role may do is decided by @hasRole and
// the domain); an ENTERPRISE user acts only through an ACTIVE binding — as
// the enterprise's verified legal representative (every scope), or as an
// agent within the scopes the legal representative gave. A PENDING,
// SUSPENDED or ENDED binding gives nothing, and the check reads the binding
// on every call, so a revocation takes effect on the agent's next request.
package access

import (
	"context"
	"slices"
	"strings"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/models"
	"creditwater/reqctx"
	"creditwater/store"
)

// Grant is how the caller may act for a subject.
type Grant struct {
	Actor *reqctx.Actor
	// Staff is true for staff roles (no binding involved).
	Staff bool
	// Binding is the caller's ACTIVE binding (enterprise users).
	Binding models.EnterpriseBinding
}

// LegalRepresentative reports whether the grant is a verified legal
// representative's.
func (g Grant) LegalRepresentative() bool {
	return !g.Staff && g.Binding.Role == models.BindingLegalRepresentative
}

// SubjectID is the subject of an enterprise user's grant ("" for staff).
func (g Grant) SubjectID() string { return g.Binding.SubjectID }

// Policy answers access questions from the bindings table.
type Policy struct{ db *gorm.DB }

// New returns the policy.
func New(db *gorm.DB) *Policy { return &Policy{db: db} }

// FormatScopes is the stored form of scopes: sorted, without duplicates,
// with a comma before and after each (",APPLY,VIEW,").
func FormatScopes(scopes []models.AgentScope) string {
	ss := make([]string, 0, len(scopes))
	for _, s := range scopes {
		ss = append(ss, string(s))
	}
	slices.Sort(ss)
	ss = slices.Compact(ss)
	if len(ss) == 0 {
		return ""
	}
	return "," + strings.Join(ss, ",") + ","
}

// Scopes parses an agent's stored scopes.
func Scopes(stored string) []models.AgentScope {
	var out []models.AgentScope
	for _, s := range strings.Split(stored, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, models.AgentScope(s))
		}
	}
	return out
}

// allows reports whether an ACTIVE binding allows any of scopes (a legal
// representative has every scope; no scopes asked means any binding).
func allows(b models.EnterpriseBinding, scopes []models.AgentScope) bool {
	if b.Status != models.BindingActive {
		return false
	}
	if b.Role == models.BindingLegalRepresentative || len(scopes) == 0 {
		return true
	}
	have := Scopes(b.Scopes)
	for _, s := range scopes {
		if slices.Contains(have, s) {
			return true
		}
	}
	return false
}

// Subject returns how the caller may act for subjectID with any of scopes.
// When subjectID is empty, an enterprise user's only ACTIVE binding that
// allows the scope is used. It returns UNAUTHENTICATED without a session;
// for an enterprise user FAILED_PRECONDITION (reason NOT_BOUND) without any
// ACTIVE binding, INVALID (field subjectId) when several could be meant,
// and FORBIDDEN (reason NOT_BOUND, or SCOPE_NOT_GRANTED for an agent
// without the scope) for a subject it may not act for; INTERNAL when the
// bindings cannot be read.
func (p *Policy) Subject(ctx context.Context, subjectID string, scopes ...models.AgentScope) (Grant, error) {
	actor, err := auth.Require(ctx)
	if err != nil {
		return Grant{}, err
	}
	if actor.Role.IsStaff() {
		return Grant{Actor: actor, Staff: true}, nil
	}
	if actor.Role != models.RoleEnterprise {
		return Grant{}, apperr.New(apperr.Forbidden, "无权访问该主体的信息")
	}
	var bs []models.EnterpriseBinding
	q := p.db.WithContext(ctx).Where("user_id = ? AND status = ?", actor.UserID, models.BindingActive)
	q = store.Eq(q, "subject_id", subjectID)
	if err := q.Order("created_at").Find(&bs).Error; err != nil {
		return Grant{}, apperr.Wrap(err, apperr.Internal, "无法读取企业绑定")
	}
	if subjectID != "" {
		if len(bs) == 0 {
			return Grant{}, apperr.New(apperr.Forbidden, "您未绑定该企业，或绑定尚未生效").WithReason("NOT_BOUND")
		}
		if !allows(bs[0], scopes) {
			return Grant{}, apperr.New(apperr.Forbidden, "法定代表人未授权您办理此项业务").WithReason("SCOPE_NOT_GRANTED").
				WithDetail("scopes", scopes)
		}
		return Grant{Actor: actor, Binding: bs[0]}, nil
	}
	if len(bs) == 0 {
		return Grant{}, apperr.Precondition("NOT_BOUND", "请先绑定企业并完成身份核验")
	}
	var ok []models.EnterpriseBinding
	for _, b := range bs {
		if allows(b, scopes) {
			ok = append(ok, b)
		}
	}
	switch len(ok) {
	case 0:
		return Grant{}, apperr.New(apperr.Forbidden, "法定代表人未授权您办理此项业务").WithReason("SCOPE_NOT_GRANTED").WithDetail("scopes", scopes)
	case 1:
		return Grant{Actor: actor, Binding: ok[0]}, nil
	}
	return Grant{}, apperr.InvalidField("subjectId", "您代表多家企业，请指明企业")
}

// Subjects is the subquery of the subject IDs the enterprise user userID
// may act for with any of scopes, for list filters
// (`subject_id IN (?)`). A legal representative's ACTIVE binding counts for
// every scope; an agent's when it holds one of scopes.
func (p *Policy) Subjects(ctx context.Context, userID string, scopes ...models.AgentScope) *gorm.DB {
	q := p.db.WithContext(ctx).Model(&models.EnterpriseBinding{}).Select("subject_id").
		Where("user_id = ? AND status = ?", userID, models.BindingActive)
	if len(scopes) == 0 {
		return q
	}
	cond := p.db.Where("role = ?", models.BindingLegalRepresentative)
	for _, s := range scopes {
		// Scopes are stored as ",VIEW,APPLY," (see FormatScopes), so a
		// LIKE on ",SCOPE," is exact on every dialect.
		cond = cond.Or("scopes LIKE ?", "%,"+string(s)+",%")
	}
	return q.Where(cond)
}

// Users returns the users who may act for subjectID with any of scopes:
// every ACTIVE binding of a legal representative, and ACTIVE agents
// holding one of scopes (any ACTIVE binding when no scope is given). It
// reads on db when not nil (a caller's transaction) and returns INTERNAL
// when the bindings cannot be read.
func (p *Policy) Users(ctx context.Context, db *gorm.DB, subjectID string, scopes ...models.AgentScope) ([]string, error) {
	if db == nil {
		db = p.db
	}
	var bs []models.EnterpriseBinding
	if err := db.WithContext(ctx).Where("subject_id = ? AND status = ?", subjectID, models.BindingActive).
		Order("user_id").Find(&bs).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "无法读取企业绑定")
	}
	var out []string
	for _, b := range bs {
		if allows(b, scopes) && !slices.Contains(out, b.UserID) {
			out = append(out, b.UserID)
		}
	}
	return out, nil
}
