package auth

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"creditwater/apperr"
	"creditwater/models"
	"creditwater/reqctx"
	"creditwater/store"
)

// userState is what a session is checked against: the user's current role,
// disabled flag and session generation.
type userState struct {
	exists   bool
	role     models.Role
	disabled bool
	gen      int64
}

// admits returns nil when a session opened as sess is still good for the
// user in state st, and UNAUTHENTICATED with the reason otherwise:
// ACCOUNT_DISABLED, or SESSION_ENDED when the user is gone or has moved on
// (role changed, password reset, sessions ended by an admin).
func (st userState) admits(sess Session) error {
	switch {
	case !st.exists:
		return apperr.New(apperr.Unauthenticated, "账号不存在，请重新登录").WithReason("SESSION_ENDED")
	case st.disabled:
		return apperr.New(apperr.Unauthenticated, "账号已停用，请联系管理员").WithReason("ACCOUNT_DISABLED")
	case st.gen != sess.Gen || st.role != sess.Role:
		return apperr.New(apperr.Unauthenticated, "会话已结束（账号角色或密码已变更，或管理员结束了会话），请重新登录").WithReason("SESSION_ENDED")
	}
	return nil
}

// Authenticate turns a bearer token into the request's actor. The session
// must exist, be within its sliding and absolute lifetimes, and agree with
// the user's current state (R7.1), which is read from the database and
// cached in-process for at most the configured few seconds. A session that
// no longer agrees is deleted. It returns UNAUTHENTICATED (reason
// SESSION_EXPIRED, SESSION_MAX_AGE, SESSION_ENDED or ACCOUNT_DISABLED) and
// UNAVAILABLE when Redis or the database cannot be reached (fail closed).
func (s *Service) Authenticate(ctx context.Context, token string) (*reqctx.Actor, error) {
	sess, id, err := s.sessions.lookup(ctx, token)
	if err != nil {
		return nil, err
	}
	st, cached, err := s.state(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	if st.admits(sess) != nil && cached {
		// Only fresh data refuses a session: the cache may predate the
		// login (a new session in a new generation or role).
		s.forget(sess.UserID)
		if st, _, err = s.state(ctx, sess.UserID); err != nil {
			return nil, err
		}
	}
	if err := st.admits(sess); err != nil {
		_ = s.sessions.Delete(ctx, sess.UserID, id)
		return nil, err
	}
	return &reqctx.Actor{UserID: sess.UserID, Role: st.role, OpenID: sess.OpenID, SessionID: id}, nil
}

// state returns the user's current state, from the cache when it holds it
// (cached is then true).
func (s *Service) state(ctx context.Context, userID string) (st userState, cached bool, err error) {
	if s.states != nil {
		if st, ok := s.states.Get(userID); ok {
			return st, true, nil
		}
	}
	v, err, _ := s.loads.Do(userID, func() (any, error) {
		qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		var row struct {
			Role       models.Role
			Disabled   bool
			SessionGen int64
		}
		res := s.db.WithContext(qctx).Model(&models.User{}).Select("role, disabled, session_gen").Where("id = ?", userID).Limit(1).Find(&row)
		if res.Error != nil {
			return userState{}, res.Error
		}
		st := userState{exists: res.RowsAffected == 1, role: row.Role, disabled: row.Disabled, gen: row.SessionGen}
		if s.states != nil {
			s.states.Add(userID, st)
		}
		return st, nil
	})
	if err != nil {
		e := apperr.Wrap(err, apperr.Unavailable, "暂时无法核验会话，请稍后重试")
		e.RetryAfter = 5 * time.Second
		return userState{}, false, e
	}
	return v.(userState), false, nil
}

// forget drops the cached state of the user, after a change made here.
func (s *Service) forget(userID string) {
	if s.states != nil {
		s.states.Remove(userID)
	}
}

// endSessions deletes the user's sessions from Redis after its session
// generation was moved on in the database, and returns how many were
// deleted. A Redis failure is not an error: the generation alone ends the
// sessions, at the latest when other instances' cached state expires.
func (s *Service) endSessions(ctx context.Context, userID string) int {
	s.forget(userID)
	n, _ := s.sessions.EndAll(context.WithoutCancel(ctx), userID)
	return n
}

// adminNow checks, inside tx and without the session cache, that the actor
// is still an active ADMIN. It returns FORBIDDEN otherwise.
func adminNow(tx *gorm.DB, a *reqctx.Actor) error {
	var row struct {
		Role     models.Role
		Disabled bool
	}
	res := tx.Model(&models.User{}).Select("role, disabled").Where("id = ?", a.UserID).Limit(1).Find(&row)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 || row.Disabled || row.Role != models.RoleAdmin {
		return apperr.New(apperr.Forbidden, "只有在用的管理员可以执行此操作")
	}
	return nil
}

// lockFor adds FOR UPDATE on MySQL; SQLite transactions already hold the
// write lock (they begin IMMEDIATE).
func lockFor(q *gorm.DB) *gorm.DB {
	if store.IsMySQL(q) {
		return q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	return q
}
