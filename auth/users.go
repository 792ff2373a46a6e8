package auth

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/ident"
	"creditwater/models"
	"creditwater/page"
	"creditwater/store"
)

// staffRoles are the water company's roles.
var staffRoles = []models.Role{models.RoleStaff, models.RoleCreditOfficer, models.RoleAdmin}

// UserFilter selects users; zero fields match everything. Query matches the
// username (in its normalised form) or the display name, in part.
type UserFilter struct {
	Role     models.Role
	Disabled *bool
	Query    string
	// Count asks for UserPage.TotalCount (capped at page.CountCap+1).
	Count bool
}

// userKey is the order of the user list: creation order (IDs are
// time-ordered).
var userKey = page.NewKey("users", page.Asc("id"))

// UserPage is one page of users, in the order they were created.
type UserPage struct {
	Users []models.User
	page.Info
}

// UserCursor is the opaque keyset cursor of a user in a listing.
func UserCursor(u models.User) string { return userKey.Encode(u.ID) }

// ListUsers pages through users (R8.1), in creation order, first (1–100)
// after the opaque keyset cursor after. An ADMIN sees every user in full.
// STAFF and CREDIT_OFFICER callers see only active staff users, and of
// them only the name view (ID, role, display name), so that they can pick
// an assignee; an ENTERPRISE caller is refused. It returns INVALID (field
// first, after or filter.query), UNAUTHENTICATED, FORBIDDEN and INTERNAL.
func (s *Service) ListUsers(ctx context.Context, f UserFilter, first int, after string) (UserPage, error) {
	a, err := Require(ctx, staffRoles...)
	if err != nil {
		return UserPage{}, err
	}
	first = page.Clamp(first)
	q := store.ReadReplica(s.db.WithContext(ctx)).Model(&models.User{})
	if f.Role != "" {
		if !f.Role.Valid() {
			return UserPage{}, apperr.InvalidField("filter.role", "未知角色 %q", f.Role)
		}
		q = q.Where("role = ?", f.Role)
	}
	if f.Disabled != nil {
		q = q.Where("disabled = ?", *f.Disabled)
	}
	if query := strings.TrimSpace(f.Query); query != "" {
		if utf8.RuneCountInString(query) > 64 {
			return UserPage{}, apperr.InvalidField("filter.query", "搜索词最多 64 个字符")
		}
		q = q.Where("username_key LIKE ? ESCAPE '!' OR display_name LIKE ? ESCAPE '!'",
			"%"+store.LikeEscape(ident.UsernameKey(query))+"%", "%"+store.LikeEscape(query)+"%")
	}
	admin := a.Role == models.RoleAdmin
	if !admin {
		q = q.Where("role IN ? AND disabled = ?", staffRoles, false)
	}
	var p UserPage
	if f.Count {
		n, err := store.CountUpTo(q)
		if err != nil {
			return p, apperr.Wrap(err, apperr.Internal, "无法读取用户列表")
		}
		p.TotalCount = n
	}
	var id string
	pos, err := userKey.Position(after, &id)
	if err != nil {
		return p, err
	}
	if err := store.PageQuery(q, userKey, pos, first).Find(&p.Users).Error; err != nil {
		return p, apperr.Wrap(err, apperr.Internal, "无法读取用户列表")
	}
	if len(p.Users) > first {
		p.Users, p.HasNext = p.Users[:first], true
	}
	if n := len(p.Users); n > 0 {
		p.EndCursor = UserCursor(p.Users[n-1])
	}
	if !admin {
		for i := range p.Users {
			p.Users[i] = nameView(p.Users[i])
		}
	}
	return p, nil
}

// nameView is what staff see of another staff user: who it is, not how it
// logs in or when.
func nameView(u models.User) models.User {
	return models.User{Entity: u.Entity, Role: u.Role, DisplayName: u.DisplayName, Disabled: u.Disabled, Version: u.Version}
}

// ViewUser returns the user with id as the caller may see it (R8.1): an
// ADMIN sees any user in full; anyone sees themself in full; STAFF and
// CREDIT_OFFICER see another staff user's name view (so that actorId and
// assigneeId can be shown as names); nothing else is visible. It returns
// UNAUTHENTICATED, NOT_FOUND for a user that does not exist or is not
// visible to the caller (its existence is not revealed) and INTERNAL.
func (s *Service) ViewUser(ctx context.Context, id string) (models.User, error) {
	a, err := Require(ctx)
	if err != nil {
		return models.User{}, err
	}
	u, err := s.User(ctx, id)
	switch {
	case err != nil:
		return models.User{}, err
	case a.Role == models.RoleAdmin || a.UserID == u.ID:
		return u, nil
	case a.Role.IsStaff() && u.Role.IsStaff():
		return nameView(u), nil
	}
	return models.User{}, apperr.New(apperr.NotFound, "用户不存在")
}

// Change is the outcome of a user-management mutation: the user as it is
// now and how many of its sessions were ended.
type Change struct {
	User          models.User
	SessionsEnded int
}

// edit is what one user-management mutation does to a user locked in tx:
// the column changes (none: nothing to do), whether to end its sessions and
// a detail for the audit entry.
type edit func(tx *gorm.DB, u models.User) (changes map[string]any, end bool, detail string, err error)

// change runs one user-management mutation as an active ADMIN (checked in
// the transaction, not from the session cache): it locks the user, applies
// do, moves the session generation on when sessions end, writes the audit
// entry in the same transaction and, after commit, deletes the user's
// sessions from Redis. A mutation that changes nothing writes nothing.
func (s *Service) change(ctx context.Context, userID, action, reason string, guardAdmins bool, do edit) (Change, error) {
	a, err := Require(ctx, models.RoleAdmin)
	if err != nil {
		return Change{}, err
	}
	if strings.TrimSpace(userID) == "" {
		return Change{}, apperr.InvalidField("userId", "请指定用户")
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 500 {
		return Change{}, apperr.InvalidField("reason", "原因最多 500 个字符")
	}
	var out Change
	end := false
	err = store.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		if err := adminNow(tx, a); err != nil {
			return err
		}
		if guardAdmins {
			// Lock the active admins first, in one order for every
			// mutation that may reduce them, so that two admins demoting
			// each other at once cannot leave none.
			var ids []string
			if err := lockFor(tx.Model(&models.User{}).Where("role = ? AND disabled = ?", models.RoleAdmin, false)).Order("id").Pluck("id", &ids).Error; err != nil {
				return err
			}
		}
		var u models.User
		res := lockFor(tx.Where("id = ?", userID).Limit(1)).Find(&u)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.NotFound, "用户不存在")
		}
		changes, ends, detail, err := do(tx, u)
		if err != nil {
			return err
		}
		if len(changes) == 0 && !ends {
			out.User = u
			return nil
		}
		if changes == nil {
			changes = map[string]any{}
		}
		if ends {
			changes["session_gen"] = gorm.Expr("session_gen + 1")
		}
		if err := tx.Model(&u).Updates(changes).Error; err != nil {
			return err
		}
		if err := s.audit.Record(ctx, tx, audit.Entry{Action: action, SubjectType: "user", SubjectID: u.ID, Purpose: reason, Detail: detail}); err != nil {
			return err
		}
		end = ends
		return tx.Where("id = ?", u.ID).First(&out.User).Error
	})
	if err != nil {
		if apperr.As(err) != nil {
			return Change{}, err
		}
		return Change{}, apperr.Wrap(err, apperr.Internal, "无法更新用户")
	}
	s.forget(userID)
	if end {
		out.SessionsEnded = s.endSessions(ctx, userID)
	}
	return out, nil
}

// checkVersion returns CONFLICT (reason STALE_VERSION) when the user
// changed since the caller saw version.
func checkVersion(u models.User, version int) error {
	if u.Version != version {
		return apperr.Stale("该用户已被他人修改（当前版本 %d，您看到的是 %d），请刷新后重试", u.Version, version)
	}
	return nil
}

// keepsAnAdmin returns FAILED_PRECONDITION (reason LAST_ADMIN) when
// disabling or demoting u would leave no active ADMIN. The active admins
// are locked by change (guardAdmins).
func keepsAnAdmin(tx *gorm.DB, u models.User) error {
	if u.Role != models.RoleAdmin || u.Disabled {
		return nil
	}
	var n int64
	if err := tx.Model(&models.User{}).Where("role = ? AND disabled = ? AND id <> ?", models.RoleAdmin, false, u.ID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return apperr.Precondition("LAST_ADMIN", "这是最后一名在用的管理员，不能停用或降级；请先设置另一名管理员")
	}
	return nil
}

func requireStaffUser(u models.User) error {
	if !u.Role.IsStaff() {
		return apperr.Precondition("NOT_A_STAFF_USER", "企业用户通过微信登录，没有密码和工作人员角色")
	}
	return nil
}

// DisableUser disables a user (ADMIN, R8.1): it can no longer log in and
// all its sessions end at once. version is the user's version the admin saw
// and reason is required (both audited). Disabling a disabled user changes
// nothing. It returns INVALID (field reason or userId), UNAUTHENTICATED,
// FORBIDDEN, NOT_FOUND, CONFLICT (STALE_VERSION), FAILED_PRECONDITION
// (LAST_ADMIN) and INTERNAL.
func (s *Service) DisableUser(ctx context.Context, userID string, version int, reason string) (Change, error) {
	if strings.TrimSpace(reason) == "" {
		return Change{}, apperr.InvalidField("reason", "请填写停用原因")
	}
	return s.change(ctx, userID, "user.disable", reason, true, func(tx *gorm.DB, u models.User) (map[string]any, bool, string, error) {
		if err := checkVersion(u, version); err != nil || u.Disabled {
			return nil, false, "", err
		}
		if err := keepsAnAdmin(tx, u); err != nil {
			return nil, false, "", err
		}
		return map[string]any{"disabled": true, "version": u.Version + 1}, true, "", nil
	})
}

// EnableUser enables a disabled user again (ADMIN, R8.1); it logs in anew.
// Enabling an enabled user changes nothing. It returns INVALID,
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT (STALE_VERSION) and
// INTERNAL.
func (s *Service) EnableUser(ctx context.Context, userID string, version int, reason string) (Change, error) {
	return s.change(ctx, userID, "user.enable", reason, false, func(_ *gorm.DB, u models.User) (map[string]any, bool, string, error) {
		if err := checkVersion(u, version); err != nil || !u.Disabled {
			return nil, false, "", err
		}
		return map[string]any{"disabled": false, "version": u.Version + 1}, false, "", nil
	})
}

// ChangeUserRole gives a staff user another staff role (ADMIN, R8.1); all
// its sessions end at once, so the next request is made in the new role
// after a new login. The same role changes nothing. It returns INVALID
// (field role), UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT
// (STALE_VERSION), FAILED_PRECONDITION (NOT_A_STAFF_USER, LAST_ADMIN) and
// INTERNAL.
func (s *Service) ChangeUserRole(ctx context.Context, userID string, role models.Role, version int, reason string) (Change, error) {
	if !role.IsStaff() {
		return Change{}, apperr.InvalidField("role", "角色须为 STAFF、CREDIT_OFFICER 或 ADMIN")
	}
	return s.change(ctx, userID, "user.role_change", reason, true, func(tx *gorm.DB, u models.User) (map[string]any, bool, string, error) {
		if err := requireStaffUser(u); err != nil {
			return nil, false, "", err
		}
		if err := checkVersion(u, version); err != nil || u.Role == role {
			return nil, false, "", err
		}
		if role != models.RoleAdmin {
			if err := keepsAnAdmin(tx, u); err != nil {
				return nil, false, "", err
			}
		}
		return map[string]any{"role": role, "version": u.Version + 1}, true, fmt.Sprintf("role=%s→%s", u.Role, role), nil
	})
}

// ResetUserPassword sets a staff user's password (ADMIN, R8.1) and ends all
// its sessions. The password itself is never logged or audited. It returns
// INVALID (field newPassword), UNAUTHENTICATED, FORBIDDEN, NOT_FOUND,
// FAILED_PRECONDITION (NOT_A_STAFF_USER) and INTERNAL.
func (s *Service) ResetUserPassword(ctx context.Context, userID, password, reason string) (Change, error) {
	if err := checkPassword("newPassword", password); err != nil {
		return Change{}, err
	}
	hash, err := argon2id.CreateHash(password, argon2id.DefaultParams)
	if err != nil {
		return Change{}, apperr.Wrap(err, apperr.Internal, "无法处理密码")
	}
	return s.change(ctx, userID, "user.password_reset", reason, false, func(_ *gorm.DB, u models.User) (map[string]any, bool, string, error) {
		if err := requireStaffUser(u); err != nil {
			return nil, false, "", err
		}
		return map[string]any{"password_hash": hash}, true, "", nil
	})
}

// EndUserSessions ends all of a user's sessions at once (ADMIN, R8.1), on
// every instance. It returns INVALID, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND
// and INTERNAL.
func (s *Service) EndUserSessions(ctx context.Context, userID, reason string) (Change, error) {
	return s.change(ctx, userID, "user.sessions_end", reason, false, func(*gorm.DB, models.User) (map[string]any, bool, string, error) {
		return nil, true, "", nil
	})
}

// SetWorkPhone sets a staff user's work (office) telephone (ADMIN, R3.2),
// which the enterprises they serve as account manager see; an empty phone
// clears it. The same phone changes nothing. It returns INVALID (field
// workPhone), UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT
// (STALE_VERSION), FAILED_PRECONDITION (NOT_A_STAFF_USER) and INTERNAL.
func (s *Service) SetWorkPhone(ctx context.Context, userID, phone string, version int) (Change, error) {
	phone = strings.TrimSpace(phone)
	if phone != "" && !validWorkPhone(phone) {
		return Change{}, apperr.InvalidField("workPhone", "办公电话须为 7–20 位数字，可含空格、+、- 和括号")
	}
	return s.change(ctx, userID, "user.work_phone", "", false, func(_ *gorm.DB, u models.User) (map[string]any, bool, string, error) {
		if err := requireStaffUser(u); err != nil {
			return nil, false, "", err
		}
		if err := checkVersion(u, version); err != nil || u.WorkPhone == phone {
			return nil, false, "", err
		}
		return map[string]any{"work_phone": phone}, false, "work_phone=" + phone, nil
	})
}

// validWorkPhone reports whether s is 7–20 characters of digits, spaces,
// +, - and parentheses with at least 7 digits.
func validWorkPhone(s string) bool {
	if len(s) < 7 || len(s) > 20 {
		return false
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +-()", r):
		default:
			return false
		}
	}
	return digits >= 7
}
