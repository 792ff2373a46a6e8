package config

import (
	"fmt"
	"time"
)

// Ops is the configuration of the operations API (R8.1, R8.3).
type Ops struct {
	// StatsDefaultDays is the period of the management statistics when the
	// caller names none: the last N days up to now.
	StatsDefaultDays int `env:"CW_STATS_DEFAULT_DAYS" envDefault:"90"`
	// StatsMaxDays is the longest period a statistics query or export may
	// cover.
	StatsMaxDays int `env:"CW_STATS_MAX_DAYS" envDefault:"1100"`
	// StatsCacheTTL is how long the statistics of a period stay in Redis
	// (shared by the instances) while no write to the tables they count
	// happens; a write makes them stale at once. 0 turns the cache off.
	StatsCacheTTL time.Duration `env:"CW_STATS_CACHE_TTL" envDefault:"30s"`
	// ImportLease is how long a worker's claim of a queued billing import
	// lasts unless a written batch renews it: the wait before another
	// instance resumes the import of an instance that died.
	ImportLease time.Duration `env:"CW_IMPORT_LEASE" envDefault:"2m"`
	// ImportPollInterval is how often an idle instance looks for queued
	// billing imports (an upload to the same instance starts at once).
	ImportPollInterval time.Duration `env:"CW_IMPORT_POLL_INTERVAL" envDefault:"2s"`
}

// validate checks the operations settings.
func (o Ops) validate() error {
	if o.StatsDefaultDays <= 0 || o.StatsMaxDays <= 0 || o.StatsDefaultDays > o.StatsMaxDays {
		return fmt.Errorf("config: CW_STATS_DEFAULT_DAYS and CW_STATS_MAX_DAYS must be positive, the default at most the maximum")
	}
	if o.StatsCacheTTL < 0 || o.StatsCacheTTL > 10*time.Minute {
		return fmt.Errorf("config: CW_STATS_CACHE_TTL must be between 0 and 10m")
	}
	if o.ImportLease < 10*time.Second || o.ImportPollInterval <= 0 {
		return fmt.Errorf("config: CW_IMPORT_LEASE must be at least 10s and CW_IMPORT_POLL_INTERVAL positive")
	}
	return nil
}
