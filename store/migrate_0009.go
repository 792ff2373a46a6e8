package store

import (
	"fmt"

	"gorm.io/gorm"

	"creditwater/ident"
)

// Migration 0009_auth_usernames, frozen: the columns as released. Never edit this file (a
// test checks its checksum); change the schema with a new migration.
//
// It adds to users the username's comparison form (username_key, unique;
// byte-compared on MySQL so that the database and Go agree on equality),
// the session generation and the version of role and disabled flag (R7.1).
// Existing usernames get their key from ident.UsernameKey; when two
// existing usernames have one key (officer and officer + U+200B), the
// oldest account keeps it and the others are disabled without a key (they
// cannot log in; an admin sees them in users(filter:{disabled:true})).
func migrate0009(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, col := range []string{"UsernameKey", "SessionGen", "Version"} {
		if !m.HasColumn(&userV0009{}, col) {
			if err := m.AddColumn(&userV0009{}, col); err != nil {
				return fmt.Errorf("users.%s: %w", col, err)
			}
		}
	}
	if IsMySQL(tx) {
		if err := tx.Exec("ALTER TABLE users MODIFY username_key VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL").Error; err != nil {
			return fmt.Errorf("users.username_key collation: %w", err)
		}
	}
	var rows []struct {
		ID       string
		Username string
	}
	if err := tx.Table("users").Select("id, username").Where("username IS NOT NULL").Order("created_at, id").Scan(&rows).Error; err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, r := range rows {
		key := ident.UsernameKey(r.Username)
		if len([]rune(key)) > 64 {
			key = ""
		}
		q := tx.Table("users").Where("id = ?", r.ID)
		var err error
		if key == "" || seen[key] {
			err = q.Updates(map[string]any{"username_key": nil, "disabled": true}).Error
		} else {
			seen[key] = true
			err = q.Update("username_key", key).Error
		}
		if err != nil {
			return err
		}
	}
	if !m.HasIndex(&userV0009{}, "UsernameKey") {
		return m.CreateIndex(&userV0009{}, "UsernameKey")
	}
	return nil
}

type userV0009 struct {
	ID          string  `gorm:"primaryKey;size:36"`
	UsernameKey *string `gorm:"size:64;uniqueIndex"`
	SessionGen  int64   `gorm:"not null;default:0"`
	Version     int     `gorm:"not null;default:1"`
}

func (userV0009) TableName() string { return "users" }
