package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"
	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/ident"
	"creditwater/models"
	"creditwater/reqctx"
	"creditwater/store"
)

// WeChatIdentity is what WeChat's code2session tells about a mini-program
// user that we keep. WeChat's session_key is deliberately not part of it:
// nothing here needs it, so it is never stored.
type WeChatIdentity struct {
	OpenID, UnionID string
}

// CodeExchanger exchanges a wx.login code for the user's identity. The
// wechat adapter provides it; it returns UNAUTHENTICATED for a bad code and
// UNAVAILABLE when WeChat cannot be reached.
type CodeExchanger func(ctx context.Context, code string) (WeChatIdentity, error)

// Service logs users in and out, checks sessions against the users' current
// state and manages users.
type Service struct {
	db       *gorm.DB
	rdb      redis.UniversalClient
	sessions *Sessions
	exchange CodeExchanger
	prefix   string
	limits   Limits
	audit    *audit.Log
	now      func() time.Time
	// states caches users' role, disabled flag and session generation for
	// the session check (nil: read every time); loads collapses concurrent
	// misses of one user into one query.
	states *expirable.LRU[string, userState]
	loads  singleflight.Group
}

// NewService wires the identity service. The session check caches a user's
// state for sessions.Config().CheckCache (none when zero).
func NewService(db *gorm.DB, rdb redis.UniversalClient, prefix string, sessions *Sessions, exchange CodeExchanger, limits Limits, log *audit.Log) *Service {
	s := &Service{db: db, rdb: rdb, sessions: sessions, exchange: exchange, prefix: prefix, limits: limits, audit: log, now: time.Now}
	if ttl := sessions.Config().CheckCache; ttl > 0 {
		s.states = expirable.NewLRU[string, userState](10000, nil, ttl)
	}
	return s
}

// Sessions returns the session store.
func (s *Service) Sessions() *Sessions { return s.sessions }

// Login is the result of a successful login.
type Login struct {
	Token     string
	User      models.User
	Created   bool      // a new user was registered by this login
	ExpiresAt time.Time // the session's absolute end
}

// WeChatLogin exchanges a mini-program login code (R6.1), finds or creates
// the ENTERPRISE user of the openid (keeping the unionid when WeChat gives
// one) and opens a session. WeChat's session_key is not kept. Failed
// attempts count against the client IP's wechatLogin budget (R7.1). It
// returns INVALID for an empty code, UNAUTHENTICATED for a code WeChat
// refuses, FORBIDDEN for a disabled user, RATE_LIMITED when the client IP
// has failed too often and UNAVAILABLE when WeChat or Redis cannot be
// reached.
func (s *Service) WeChatLogin(ctx context.Context, code string) (_ Login, err error) {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 128 {
		return Login{}, apperr.InvalidField("code", "缺少 wx.login 登录凭证（最多 128 个字符）")
	}
	r, err := s.reserve(ctx, budget{"wx:ip:" + reqctx.ClientIP(ctx), s.limits.WeChatPerIP})
	if err != nil {
		return Login{}, err
	}
	defer func() { r.settle(ctx, err) }()
	id, err := s.exchange(ctx, code)
	if err != nil {
		return Login{}, err
	}
	var u models.User
	created := false
	err = store.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		u, created = models.User{}, false // read again when the transaction runs again
		res := tx.Where("open_id = ?", id.OpenID).Limit(1).Find(&u)
		if res.Error != nil {
			return res.Error
		}
		now := s.now().UTC()
		if res.RowsAffected == 0 {
			openID := id.OpenID
			u = models.User{Role: models.RoleEnterprise, OpenID: &openID, DisplayName: "微信用户", LastLoginAt: &now, Version: 1}
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
		return Login{}, apperr.Wrap(err, apperr.Internal, "无法记录登录")
	}
	if u.Disabled {
		return Login{}, apperr.New(apperr.Forbidden, "账号已停用，请联系供水企业").WithReason("ACCOUNT_DISABLED")
	}
	return s.open(ctx, u, id.OpenID, created)
}

// open starts a session of u in its current session generation.
func (s *Service) open(ctx context.Context, u models.User, openID string, created bool) (Login, error) {
	token, sess, err := s.sessions.Create(ctx, Session{UserID: u.ID, Role: u.Role, OpenID: openID, Gen: u.SessionGen, CreatedAt: s.now().UTC()})
	if err != nil {
		return Login{}, err
	}
	return Login{Token: token, User: u, Created: created, ExpiresAt: sess.ExpiresAt}, nil
}

// dummyHash keeps the time of a login for an unknown user close to that of a
// wrong password, so usernames cannot be probed by timing.
var dummyHash = func() string {
	h, _ := argon2id.CreateHash("not-a-password", argon2id.DefaultParams)
	return h
}()

// maxPasswordBytes bounds the password hashed at login.
const maxPasswordBytes = 256

// StaffLogin checks a staff member's username and password (argon2id) and
// opens a session. The username is compared in its normalised form
// (ident.UsernameKey), so "officer", "Officer", "officer" + U+200B and
// "ofﬁcer" are one account with one failure budget. Failures count per
// account and client IP, per account across all clients (clients that
// logged in lately exempt) and per client IP (R7.1). It returns INVALID for
// empty or oversized input, UNAUTHENTICATED for a wrong username or
// password (the same message for both, also for a disabled account),
// RATE_LIMITED with a retry time and UNAVAILABLE when Redis or the database
// cannot be reached.
func (s *Service) StaffLogin(ctx context.Context, username, password string) (_ Login, err error) {
	key := ident.UsernameKey(username)
	switch {
	case key == "":
		return Login{}, apperr.InvalidField("username", "请输入用户名")
	case utf8.RuneCountInString(username) > 128:
		return Login{}, apperr.InvalidField("username", "用户名过长")
	case password == "":
		return Login{}, apperr.InvalidField("password", "请输入密码")
	case len(password) > maxPasswordBytes:
		return Login{}, apperr.InvalidField("password", "密码过长（最多 %d 字节）", maxPasswordBytes)
	}
	ip, tag := reqctx.ClientIP(ctx), accountTag(key)
	fromIP, total, _ := accountKeys(tag, ip)
	budgets := []budget{{"staff:ip:" + ip, s.limits.PerIP}, {fromIP, s.limits.PerAccount}}
	known, err := s.knownClient(ctx, tag, ip)
	if err != nil {
		return Login{}, err
	}
	if !known {
		budgets = append(budgets, budget{total, s.limits.PerAccountTotal})
	}
	r, err := s.reserve(ctx, budgets...)
	if err != nil {
		return Login{}, err
	}
	defer func() { r.settle(ctx, err) }()
	var u models.User
	res := s.db.WithContext(ctx).Where("username_key = ?", key).Limit(1).Find(&u)
	if res.Error != nil {
		return Login{}, apperr.Wrap(res.Error, apperr.Internal, "无法核对登录信息")
	}
	// The column compares bytes on MySQL; checking again here keeps the
	// account and its failure budget one and the same on any collation.
	found := res.RowsAffected == 1 && u.UsernameKey != nil && *u.UsernameKey == key && u.Role.IsStaff()
	hash := dummyHash
	if found {
		hash = u.PasswordHash
	}
	ok, cmpErr := argon2id.ComparePasswordAndHash(password, hash)
	if cmpErr != nil || !ok || !found || u.Disabled {
		_ = s.audit.Record(ctx, nil, audit.Entry{Action: "staff.login_failed", SubjectType: "user", SubjectID: truncate(key, 64)})
		return Login{}, apperr.New(apperr.Unauthenticated, "用户名或密码错误")
	}
	s.rememberClient(ctx, tag, ip)
	now := s.now().UTC()
	_ = s.db.WithContext(ctx).Model(&u).Update("last_login_at", now).Error
	return s.open(ctx, u, "", false)
}

// Logout ends the caller's session. It returns UNAUTHENTICATED without one
// and UNAVAILABLE when Redis cannot be reached.
func (s *Service) Logout(ctx context.Context) error {
	a, err := Require(ctx)
	if err != nil {
		return err
	}
	return s.sessions.Delete(ctx, a.UserID, a.SessionID)
}

// User returns the user with id, unredacted (for the caller's own record
// and internal use). It returns NOT_FOUND when there is none.
func (s *Service) User(ctx context.Context, id string) (models.User, error) {
	var u models.User
	if err := s.db.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&u).Error; err != nil {
		return u, apperr.Wrap(err, apperr.Internal, "无法读取用户")
	}
	if u.ID == "" {
		return u, apperr.New(apperr.NotFound, "用户不存在")
	}
	return u, nil
}

// checkUsername validates a new staff username and returns its trimmed
// (NFC) form and its key. It returns INVALID (field username) for a name
// that is too short or long, or holds white space, "@", control or
// invisible characters.
func checkUsername(username string) (string, string, error) {
	username = norm.NFC.String(strings.TrimSpace(username))
	for _, r := range username {
		if unicode.IsSpace(r) || unicode.IsControl(r) || ident.DefaultIgnorable(r) || r == '@' || !unicode.IsPrint(r) {
			return "", "", apperr.InvalidField("username", "用户名不能包含空白、@、控制字符或不可见字符")
		}
	}
	key := ident.UsernameKey(username)
	if n := utf8.RuneCountInString(username); n < 3 || n > 64 || utf8.RuneCountInString(key) > 64 || utf8.RuneCountInString(key) < 3 {
		return "", "", apperr.InvalidField("username", "用户名长度须为 3–64 个字符")
	}
	return username, key, nil
}

// checkPassword validates a new password. It returns INVALID naming field
// for one shorter than 10 characters or longer than 256 bytes.
func checkPassword(field, password string) error {
	if utf8.RuneCountInString(password) < 10 || len(password) > maxPasswordBytes {
		return apperr.InvalidField(field, "密码长度须为 10 个字符以上、%d 字节以内", maxPasswordBytes)
	}
	return nil
}

// CreateStaff creates a staff account with an argon2id password hash. The
// username is unique in its normalised form (ident.UsernameKey): a name that
// only differs from a taken one by case, width, ligatures or invisible
// characters is taken. When an actor is in ctx (the createStaffUser
// mutation) it is re-checked against the database: it must still be an
// active ADMIN. It returns INVALID for a bad username, role or short
// password, FORBIDDEN for a caller who is no longer an admin and CONFLICT
// (reason USERNAME_TAKEN) when the username is taken.
func (s *Service) CreateStaff(ctx context.Context, username, password, displayName string, role models.Role) (models.User, error) {
	username, key, err := checkUsername(username)
	switch {
	case err != nil:
		return models.User{}, err
	case !role.IsStaff():
		return models.User{}, apperr.InvalidField("role", "角色须为 STAFF、CREDIT_OFFICER 或 ADMIN")
	}
	if err := checkPassword("password", password); err != nil {
		return models.User{}, err
	}
	hash, err := argon2id.CreateHash(password, argon2id.DefaultParams)
	if err != nil {
		return models.User{}, apperr.Wrap(err, apperr.Internal, "无法处理密码")
	}
	if displayName = strings.TrimSpace(displayName); displayName == "" {
		displayName = username
	}
	if utf8.RuneCountInString(displayName) > 100 {
		return models.User{}, apperr.InvalidField("displayName", "显示名称最多 100 个字符")
	}
	u := models.User{Role: role, Username: &username, UsernameKey: &key, PasswordHash: hash, DisplayName: displayName, Version: 1}
	taken := apperr.New(apperr.Conflict, "用户名“%s”已被占用", username).WithReason("USERNAME_TAKEN")
	err = store.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		if a := reqctx.ActorFrom(ctx); a != nil {
			if err := adminNow(tx, a); err != nil {
				return err
			}
		}
		var n int64
		if err := tx.Model(&models.User{}).Where("username_key = ?", key).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return taken
		}
		if err := tx.Create(&u).Error; err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Action: "user.create", SubjectType: "user", SubjectID: u.ID, Detail: fmt.Sprintf("role=%s", role)})
	})
	switch {
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return models.User{}, taken
	case apperr.As(err) != nil:
		return models.User{}, err
	case err != nil:
		return models.User{}, apperr.Wrap(err, apperr.Internal, "无法创建用户")
	}
	return u, nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
