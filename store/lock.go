package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// WithLock runs fn while this process holds the database-wide named lock, so
// instances that share the database run fn one after another (e.g. first-start
// work such as migrating or seeding). On MySQL it is a user lock (GET_LOCK)
// held by one pinned connection, which fn receives (a fresh session on it);
// fn may also use the pool. It waits up to wait for the lock. SQLite has a
// single writer and no user locks: fn runs at once, with db.
//
// It returns an error when the lock cannot be taken within wait, and fn's
// error otherwise.
func WithLock(ctx context.Context, db *gorm.DB, name string, wait time.Duration, fn func(conn *gorm.DB) error) error {
	if !IsMySQL(db) {
		return fn(db)
	}
	return db.WithContext(ctx).Connection(func(pinned *gorm.DB) error {
		// A fresh session on the pinned connection: every statement starts
		// clean, as on the pool.
		conn := pinned.Session(&gorm.Session{NewDB: true})
		var got *int
		if err := conn.Raw("SELECT GET_LOCK(?, ?)", name, int(wait.Seconds())).Scan(&got).Error; err != nil {
			return fmt.Errorf("store: take the %s lock: %w", name, err)
		}
		if got == nil || *got != 1 {
			return fmt.Errorf("store: another instance held the %s lock for %s", name, wait)
		}
		// The lock is released even when ctx has ended (fn's work is done or
		// abandoned; the lock must not outlive it on a pooled connection).
		defer conn.WithContext(context.WithoutCancel(ctx)).Exec("SELECT RELEASE_LOCK(?)", name)
		return fn(conn)
	})
}
