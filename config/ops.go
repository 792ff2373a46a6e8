package config

import "fmt"

// Ops is the configuration of the operations API (R8.1, R8.3).
type Ops struct {
	// StatsDefaultDays is the period of the management statistics when the
	// caller names none: the last N days up to now.
	StatsDefaultDays int `env:"CW_STATS_DEFAULT_DAYS" envDefault:"90"`
	// StatsMaxDays is the longest period a statistics query or export may
	// cover.
	StatsMaxDays int `env:"CW_STATS_MAX_DAYS" envDefault:"1100"`
}

// validate checks the operations settings.
func (o Ops) validate() error {
	if o.StatsDefaultDays <= 0 || o.StatsMaxDays <= 0 || o.StatsDefaultDays > o.StatsMaxDays {
		return fmt.Errorf("config: CW_STATS_DEFAULT_DAYS and CW_STATS_MAX_DAYS must be positive, the default at most the maximum")
	}
	return nil
}
