package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/models"
	"creditwater/reqctx"
)

// WeChatIdentity is what WeChat's code2session tells about a mini-program
// user.
type WeChatIdentity struct {
	OpenID, UnionID, SessionKey string
}

// CodeExchanger exchanges a wx.login code for the user's identity. The
// wechat adapter provides it; it returns UNAUTHENTICATED for a bad code and
// UNAVAILABLE when WeChat cannot be reached.
type CodeExchanger func(ctx context.Context, code string) (WeChatIdentity, error)

// Limits are the login rate limits (per account and per client IP, within
// Window).
type Limits struct {
	PerAccount, PerIP int
	Window            time.Duration
}

// Service logs users in and out.
type Service struct {
	db       *gorm.DB
	sessions *Sessions
	exchange CodeExchanger
	limiter  *redis_rate.Limiter
	prefix   string
	limits   Limits
	audit    *audit.Log
	now      func() time.Time
}

// NewService wires the identity service.
func NewService(db *gorm.DB, rdb redis.UniversalClient, prefix string, sessions *Sessions, exchange CodeExchanger, limits Limits, log *audit.Log) *Service {
	return &Service{db: db, sessions: sessions, exchange: exchange, limiter: redis_rate.NewLimiter(rdb), prefix: prefix, limits: limits, audit: log, now: time.Now}
}

// Sessions returns the session store.
func (s *Service) Sessions() *Sessions { return s.sessions }

// Login is the result of a successful login.
type Login struct {
	Token   string
	User    models.User
	Created bool // a new user was registered by this login
}

// WeChatLogin exchanges a mini-program login code (R6.1), finds or creates
// the ENTERPRISE user of the openid (keeping the unionid when WeChat gives
// one) and opens a session. The session_key stays on the server. It returns
// INVALID for an empty code, UNAUTHENTICATED for a code WeChat refuses,
// RATE_LIMITED when the client IP tries too often and UNAVAILABLE when
// WeChat or Redis cannot be reached.
func (s *Service) WeChatLogin(ctx context.Context, code string) (Login, error) {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 128 {
		return Login{}, apperr.InvalidField("code", "the wx.login code is required (at most 128 characters)")
	}
	if err := s.allow(ctx, "ip:"+reqctx.ClientIP(ctx), s.limits.PerIP); err != nil {
		return Login{}, err
	}
	id, err := s.exchange(ctx, code)
	if err != nil {
		return Login{}, err
	}
	var u models.User
	created := false
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("open_id = ?", id.OpenID).Limit(1).Find(&u)
		if res.Error != nil {
			return res.Error
		}
		now := s.now().UTC()
		if res.RowsAffected == 0 {
			openID := id.OpenID
			u = models.User{Role: models.RoleEnterprise, OpenID: &openID, DisplayName: "微信用户", LastLoginAt: &now}
			if id.UnionID != "" {
				unionID := id.UnionID
				u.UnionID = &unionID
			}
			created = true
			return tx.Create(&u).Error
		}
		updates := map[string]any{"last_login_at": now}
		if id.UnionID != "" && (u.UnionID == nil || *u.UnionID != id.UnionID) {
			updates["union_id"] = id.UnionID
		}
		return tx.Model(&u).Updates(updates).Error
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		// A concurrent first login of the same user won the insert.
		err = s.db.WithContext(ctx).Where("open_id = ?", id.OpenID).First(&u).Error
		created = false
	}
	if err != nil {
		return Login{}, apperr.Wrap(err, apperr.Internal, "could not record the login")
	}
	if u.Disabled {
		return Login{}, apperr.New(apperr.Forbidden, "this account is disabled")
	}
	token, err := s.sessions.Create(ctx, Session{UserID: u.ID, Role: u.Role, OpenID: id.OpenID, SessionKey: id.SessionKey, CreatedAt: s.now().UTC()})
	if err != nil {
		return Login{}, err
	}
	return Login{Token: token, User: u, Created: created}, nil
}

// dummyHash keeps the time of a login for an unknown user close to that of a
// wrong password, so usernames cannot be probed by timing.
var dummyHash = func() string {
	h, _ := argon2id.CreateHash("not-a-password", argon2id.DefaultParams)
	return h
}()

// StaffLogin checks a staff member's username and password (argon2id) and
// opens a session. Attempts are rate limited per account and per client IP.
// It returns INVALID for empty input, UNAUTHENTICATED for a wrong username
// or password (the same message for both), RATE_LIMITED with a retry time
// and UNAVAILABLE when Redis cannot be reached.
func (s *Service) StaffLogin(ctx context.Context, username, password string) (Login, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if username == "" {
		return Login{}, apperr.InvalidField("username", "username is required")
	}
	if password == "" {
		return Login{}, apperr.InvalidField("password", "password is required")
	}
	if err := s.allow(ctx, "ip:"+reqctx.ClientIP(ctx), s.limits.PerIP); err != nil {
		return Login{}, err
	}
	if err := s.allow(ctx, "user:"+username, s.limits.PerAccount); err != nil {
		return Login{}, err
	}
	var u models.User
	res := s.db.WithContext(ctx).Where("username = ?", username).Limit(1).Find(&u)
	if res.Error != nil {
		return Login{}, apperr.Wrap(res.Error, apperr.Internal, "could not check the login")
	}
	hash := dummyHash
	if res.RowsAffected == 1 && u.Role.IsStaff() {
		hash = u.PasswordHash
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil || !ok || res.RowsAffected == 0 || !u.Role.IsStaff() || u.Disabled {
		_ = s.audit.Record(ctx, nil, audit.Entry{Action: "staff.login_failed", SubjectType: "user", SubjectID: username})
		return Login{}, apperr.New(apperr.Unauthenticated, "wrong username or password")
	}
	_ = s.limiter.Reset(ctx, s.prefix+"login:user:"+username)
	now := s.now().UTC()
	_ = s.db.WithContext(ctx).Model(&u).Update("last_login_at", now).Error
	token, err := s.sessions.Create(ctx, Session{UserID: u.ID, Role: u.Role, CreatedAt: now})
	if err != nil {
		return Login{}, err
	}
	return Login{Token: token, User: u}, nil
}

func (s *Service) allow(ctx context.Context, key string, perWindow int) error {
	limit := redis_rate.Limit{Rate: perWindow, Burst: perWindow, Period: s.limits.Window}
	res, err := s.limiter.Allow(ctx, s.prefix+"login:"+key, limit)
	if err != nil {
		return unavailable(err)
	}
	if res.Allowed == 0 {
		e := apperr.New(apperr.RateLimited, "too many login attempts; try again in %s", res.RetryAfter.Round(time.Second))
		e.RetryAfter = res.RetryAfter
		return e
	}
	return nil
}

// Logout ends the caller's session. It returns UNAUTHENTICATED without one.
func (s *Service) Logout(ctx context.Context) error {
	a, err := Require(ctx)
	if err != nil {
		return err
	}
	return s.sessions.Delete(ctx, a.SessionID)
}

// User returns the user with id. It returns NOT_FOUND when there is none.
func (s *Service) User(ctx context.Context, id string) (models.User, error) {
	var u models.User
	if err := s.db.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&u).Error; err != nil {
		return u, apperr.Wrap(err, apperr.Internal, "could not read the user")
	}
	if u.ID == "" {
		return u, apperr.New(apperr.NotFound, "user not found")
	}
	return u, nil
}

// CreateStaff creates a staff account with an argon2id password hash. It
// returns INVALID for a bad username, role or short password and CONFLICT
// when the username is taken.
func (s *Service) CreateStaff(ctx context.Context, username, password, displayName string, role models.Role) (models.User, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	switch {
	case len(username) < 3 || len(username) > 64 || strings.ContainsAny(username, " \t@"):
		return models.User{}, apperr.InvalidField("username", "username must be 3–64 characters without spaces")
	case !role.IsStaff():
		return models.User{}, apperr.InvalidField("role", "role must be STAFF, CREDIT_OFFICER or ADMIN")
	case len(password) < 10:
		return models.User{}, apperr.InvalidField("password", "password must be at least 10 characters")
	}
	hash, err := argon2id.CreateHash(password, argon2id.DefaultParams)
	if err != nil {
		return models.User{}, apperr.Wrap(err, apperr.Internal, "could not hash the password")
	}
	if displayName == "" {
		displayName = username
	}
	u := models.User{Role: role, Username: &username, PasswordHash: hash, DisplayName: displayName}
	if err := s.db.WithContext(ctx).Create(&u).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return models.User{}, apperr.New(apperr.Conflict, "username %q is taken", username).WithReason("USERNAME_TAKEN")
		}
		return models.User{}, apperr.Wrap(err, apperr.Internal, "could not create the user")
	}
	_ = s.audit.Record(ctx, nil, audit.Entry{Action: "user.create", SubjectType: "user", SubjectID: u.ID, Detail: fmt.Sprintf("role=%s", role)})
	return u, nil
}
