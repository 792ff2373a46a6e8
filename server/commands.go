package server

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"creditwater/audit"
	"creditwater/auth"
	"creditwater/billing"
	"creditwater/config"
	"creditwater/models"
	"creditwater/ops"
	"creditwater/store"
	"creditwater/store/writestamp"
	"creditwater/wechat"
)

// The subcommands of the binary build only what they need: the database
// for `user create` and `import`, the official-account client for `wechat
// menu push` — no Redis (unless configured), migrations, fakes, simulators
// or demo data. Each returns the same typed errors as the API.

// stampedTables are the tables whose writes the write stamp counts: those
// of the statistics and of the large staff lists whose totalCount is cached.
var stampedTables = slices.Concat(ops.StatsTables, []string{"audit_entries", "users"})

// useWriteStamp puts the write stamp on db (with the count cache's TTL).
func useWriteStamp(db *gorm.DB, rdb redis.UniversalClient, cfg config.Config, logger *slog.Logger) (*writestamp.Plugin, error) {
	w := writestamp.New(rdb, cfg.Storage.RedisPrefix, logger, stampedTables...)
	w.CountTTL = cfg.Storage.CountCacheTTL
	return w, db.Use(w)
}

// openDB opens the configured database without migrating it.
func openDB(ctx context.Context, cfg config.Config) (*gorm.DB, func(), error) {
	db, err := store.OpenDB(ctx, dbConfig(cfg))
	if err != nil {
		return nil, nil, err
	}
	return db, func() { store.CloseDB(db) }, nil
}

// CreateStaff creates a STAFF, CREDIT_OFFICER or ADMIN user (`creditwater
// user create`). It opens the database only; the user is audited as the
// API's createUser is. It returns INVALID for a bad name, role or password
// and CONFLICT when the name is taken.
func CreateStaff(ctx context.Context, cfg config.Config, username, password, displayName string, role models.Role) (models.User, error) {
	db, closeDB, err := openDB(ctx, cfg)
	if err != nil {
		return models.User{}, err
	}
	defer closeDB()
	log := audit.New(db)
	svc := auth.NewService(db, nil, cfg.Storage.RedisPrefix, auth.NewSessions(nil, cfg.Storage.RedisPrefix, auth.SessionConfig(cfg.Auth.Session)), nil, auth.Limits(cfg.Auth.Limits), log)
	return svc.CreateStaff(ctx, username, password, displayName, role)
}

// OpenImporter returns the billing importer (`creditwater import`) on the
// database (and Redis when configured and reachable, for the write stamp
// of the cached statistics and counts), and the function that closes it.
func OpenImporter(ctx context.Context, cfg config.Config) (*billing.Importer, func(), error) {
	sealer, err := newSealer(cfg)
	if err != nil {
		return nil, nil, err
	}
	db, closeDB, err := openDB(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	if cfg.Storage.RedisURL != "" {
		// The import creates subjects: what the serving instances cached
		// of them (statistics, R8.3; counts) must see it. It needs the
		// database alone: without Redis the caches see it within their TTL.
		rdb, closeRedis, err := store.OpenRedis(ctx, store.RedisConfig{URL: cfg.Storage.RedisURL, Mode: cfg.Storage.RedisMode})
		if err != nil {
			slog.Default().Warn("Redis unreachable: the instances' cached statistics and counts see this import within their TTL", "err", err.Error())
			return billing.NewImporter(db, sealer, billing.Options{}), closeDB, nil
		}
		closeBoth := func() { closeRedis(); closeDB() }
		if _, err := useWriteStamp(db, rdb, cfg, slog.Default()); err != nil {
			closeBoth()
			return nil, nil, err
		}
		closeDB = closeBoth
	}
	return billing.NewImporter(db, sealer, billing.Options{}), closeDB, nil
}

// PushMenu pushes the official account's menu (`creditwater wechat menu
// push`) from file, or the configured or embedded menu when file is empty,
// to WeChat (CW_WECHAT_BASE_URL when set). The access token is shared
// through Redis when CW_REDIS_URL is set, else fetched for this push alone.
// It returns the menu pushed.
func PushMenu(ctx context.Context, cfg config.Config, logger *slog.Logger, file string) (wechat.Menu, error) {
	if file != "" {
		cfg.OA.MenuFile = file
	}
	menu, err := loadMenu(cfg)
	if err != nil {
		return wechat.Menu{}, err
	}
	cache := wechat.NewTokenCache(nil, cfg.Storage.RedisPrefix)
	if cfg.Storage.RedisURL != "" {
		rdb, closeRedis, err := store.OpenRedis(ctx, store.RedisConfig{URL: cfg.Storage.RedisURL, Mode: cfg.Storage.RedisMode})
		if err != nil {
			return wechat.Menu{}, err
		}
		defer closeRedis()
		cache = wechat.NewTokenCache(rdb, cfg.Storage.RedisPrefix)
	}
	oa, err := wechat.NewOfficialAccount(wechat.OAConfig{AppID: cfg.OA.AppID, AppSecret: cfg.OA.Secret,
		Token:            "menu-push", // the callback token is not needed to push a menu
		MiniProgramAppID: cfg.WeChat.AppID, Timeout: cfg.WeChat.Timeout, BaseURL: cfg.WeChat.BaseURL},
		cache, noDedup{}, nil, logger)
	if err != nil {
		return wechat.Menu{}, err
	}
	return menu, oa.PushMenu(ctx, menu)
}

// noDedup serves an official-account client that receives no callbacks.
type noDedup struct{}

func (noDedup) SeenBefore(context.Context, string, time.Duration) (bool, error) { return false, nil }
