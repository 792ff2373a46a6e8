package config

import (
	"fmt"
	"time"
)

// LocalCache are the in-process caches in front of Redis that keep a hot
// read at one Redis round trip per request (the session's).
type LocalCache struct {
	// RatingTTL is how long an instance serves a credit rating it read
	// from the shared cache without asking Redis again; 0 turns the local
	// cache off. A rating this instance fetches or refreshes replaces its
	// local copy at once; another instance's refresh is seen within
	// RatingTTL.
	RatingTTL time.Duration `env:"CW_LOCAL_RATING_TTL" envDefault:"2s"`
	// Size is how many entries each local cache holds (least recently used
	// dropped first).
	Size int `env:"CW_LOCAL_CACHE_SIZE" envDefault:"10000"`
}

func (c LocalCache) validate() error {
	if c.RatingTTL < 0 || c.RatingTTL > time.Minute {
		return fmt.Errorf("config: CW_LOCAL_RATING_TTL must be between 0 and 1m")
	}
	if c.Size < 1 || c.Size > 1_000_000 {
		return fmt.Errorf("config: CW_LOCAL_CACHE_SIZE must be between 1 and 1000000")
	}
	return nil
}
