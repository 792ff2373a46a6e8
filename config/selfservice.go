package config

import (
	"fmt"
	"time"
)

// SelfService are the settings of the enterprise's self-service (package
// selfservice): the public publicity query (公示查询, R6).
type SelfService struct {
	// PublicityQueryLimit queries of the public publicity query per
	// PublicityQueryWindow per client IP.
	PublicityQueryLimit  int           `env:"CW_PUBLICITY_QUERY_LIMIT" envDefault:"30"`
	PublicityQueryWindow time.Duration `env:"CW_PUBLICITY_QUERY_WINDOW" envDefault:"1m"`
}

// validate checks the settings; the error names the variable.
func (s SelfService) validate() error {
	if s.PublicityQueryLimit <= 0 {
		return fmt.Errorf("config: CW_PUBLICITY_QUERY_LIMIT must be positive")
	}
	if s.PublicityQueryWindow <= 0 {
		return fmt.Errorf("config: CW_PUBLICITY_QUERY_WINDOW must be positive")
	}
	return nil
}
