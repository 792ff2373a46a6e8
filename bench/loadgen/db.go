package loadgen

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/go-sql-driver/mysql"

	"creditwater/store"
)

// EnvOr returns the environment variable key, or def when it is unset or
// empty: a flag's default that CI can set.
func EnvOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// ScratchDatabase creates a new, randomly named database (prefix and 12 hex
// digits) on the MySQL/MariaDB server of dsn and returns its DSN and a
// function that drops it.
func ScratchDatabase(ctx context.Context, dsn, prefix string) (string, func(), error) {
	norm, err := store.MySQLDSN(dsn)
	if err != nil {
		return "", nil, err
	}
	admin, err := sql.Open("mysql", norm)
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := prefix + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	cfg, _ := mysql.ParseDSN(norm)
	cfg.DBName = name
	drop := func() {
		_, _ = admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name)
		admin.Close()
	}
	return cfg.FormatDSN(), drop, nil
}

// EnsureDatabase creates the database dsn names on its server when it is
// missing (utf8mb4, as the product's tests make theirs) and returns its name.
func EnsureDatabase(ctx context.Context, dsn string) (string, error) {
	norm, err := store.MySQLDSN(dsn)
	if err != nil {
		return "", err
	}
	cfg, err := mysql.ParseDSN(norm)
	if err != nil {
		return "", err
	}
	name := cfg.DBName
	if name == "" || strings.Contains(name, "`") {
		return "", fmt.Errorf("the DSN must name a database")
	}
	cfg.DBName = ""
	root, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return "", err
	}
	defer root.Close()
	_, err = root.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS `"+name+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	return name, err
}

// DBName is the database a DSN names ("?" for a malformed DSN).
func DBName(dsn string) string {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return "?"
	}
	return cfg.DBName
}
