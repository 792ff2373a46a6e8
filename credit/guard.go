package credit

import (
	"context"
	"time"

	"creditwater/access"
	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/models"
	"creditwater/reqctx"

	"creditwater/notice"
)

// Access is the one access policy (package access) as the credit packages
// use it; *access.Policy implements it.
type Access interface {
	// Subject returns how the caller may act for subjectID with one of
	// scopes: UNAUTHENTICATED, FORBIDDEN, FAILED_PRECONDITION, INVALID or
	// INTERNAL otherwise (see access.Policy.Subject).
	Subject(ctx context.Context, subjectID string, scopes ...models.AgentScope) (access.Grant, error)
}

// Scopes of credit data: records are read with VIEW (or DISPUTE, to dispute
// them); repairs and objections are DISPUTE's.
var (
	ViewRecords = []models.AgentScope{models.ScopeView, models.ScopeDispute}
	Dispute     = []models.AgentScope{models.ScopeDispute}
)

// Guard is the credit packages' use of the access policy: staff see every
// subject; an ENTERPRISE user acts only through an ACTIVE binding that
// allows one of the scopes asked.
type Guard struct{ Policy Access }

// Subject checks that the caller may act for subjectID with one of scopes;
// an empty subjectID is for staff only. It returns UNAUTHENTICATED without
// an actor, FORBIDDEN otherwise and INTERNAL when the binding cannot be
// read.
func (g Guard) Subject(ctx context.Context, subjectID string, scopes ...models.AgentScope) (*reqctx.Actor, error) {
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
	gr, err := g.Policy.Subject(ctx, subjectID, scopes...)
	if err != nil {
		return nil, err
	}
	return gr.Actor, nil
}

// RequireStaff admits the staff roles (STAFF, CREDIT_OFFICER, ADMIN):
// UNAUTHENTICATED or FORBIDDEN otherwise.
func RequireStaff(ctx context.Context) (*reqctx.Actor, error) {
	return auth.Require(ctx, models.RoleStaff, models.RoleCreditOfficer, models.RoleAdmin)
}

// RequireReviewer admits the roles that decide cases, repairs and
// objections (CREDIT_OFFICER, ADMIN) and returns the caller's user ID:
// UNAUTHENTICATED or FORBIDDEN otherwise.
func RequireReviewer(ctx context.Context) (string, error) {
	a, err := auth.Require(ctx, models.RoleCreditOfficer, models.RoleAdmin)
	if err != nil {
		return "", err
	}
	return a.UserID, nil
}

// Deps are what a credit service over a store S needs.
type Deps[S any] struct {
	Store  S
	Access Access
	Config Config
	// Inbox tells enterprises what concerns them (R7.6; nil: nobody).
	Inbox notice.Notifier
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// WithDefaults returns d with its Config's defaults and the wall clock
// when it has none.
func (d Deps[S]) WithDefaults() Deps[S] {
	if d.Now == nil {
		d.Now = time.Now
	}
	d.Config = d.Config.WithDefaults()
	d.Inbox = notice.Or(d.Inbox)
	return d
}

// Guard is the access guard of d's policy.
func (d Deps[S]) Guard() Guard { return Guard{Policy: d.Access} }

// Subjects checks Subject for each distinct subject of subjectIDs (a batch
// of items already read), stopping at the first refusal, which it returns.
func (g Guard) Subjects(ctx context.Context, subjectIDs []string, scopes ...models.AgentScope) error {
	seen := make(map[string]bool, len(subjectIDs))
	for _, id := range subjectIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		if _, err := g.Subject(ctx, id, scopes...); err != nil {
			return err
		}
	}
	return nil
}
