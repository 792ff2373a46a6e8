package config

import (
	"fmt"
	"time"
)

// SelfService are the settings of the enterprise's self-service (package
// selfservice): documents to follow (容缺, R3.6) and the public publicity
// query (公示查询, R6).
type SelfService struct {
	// FollowUpDays is how many working days a document accepted as
	// to-follow (容缺受理) has, from the acceptance (R3.6).
	FollowUpDays int `env:"CW_FOLLOW_UP_DAYS" envDefault:"10"`
	// FollowUpRemindDays is how many working days before its due date the
	// subject is reminded (and again on the due date).
	FollowUpRemindDays int `env:"CW_FOLLOW_UP_REMIND_DAYS" envDefault:"3"`
	// FollowUpSchedule runs the reminders (cron, Asia/Shanghai).
	FollowUpSchedule string `env:"CW_JOB_FOLLOW_UP_SCHEDULE" envDefault:"0 9 * * *"`
	// PublicityQueryLimit queries of the public publicity query per
	// PublicityQueryWindow per client IP.
	PublicityQueryLimit  int           `env:"CW_PUBLICITY_QUERY_LIMIT" envDefault:"30"`
	PublicityQueryWindow time.Duration `env:"CW_PUBLICITY_QUERY_WINDOW" envDefault:"1m"`
}

// validate checks the settings; the error names the variable.
func (s SelfService) validate() error {
	if err := positive([]setting{{"CW_FOLLOW_UP_DAYS", int64(s.FollowUpDays)}, {"CW_PUBLICITY_QUERY_LIMIT", int64(s.PublicityQueryLimit)},
		{"CW_PUBLICITY_QUERY_WINDOW", int64(s.PublicityQueryWindow)}}); err != nil {
		return err
	}
	if s.FollowUpRemindDays < 0 || s.FollowUpRemindDays >= s.FollowUpDays {
		return fmt.Errorf("config: CW_FOLLOW_UP_REMIND_DAYS must be at least 0 and less than CW_FOLLOW_UP_DAYS")
	}
	if s.FollowUpSchedule == "" {
		return fmt.Errorf("config: CW_JOB_FOLLOW_UP_SCHEDULE must not be empty")
	}
	return nil
}
