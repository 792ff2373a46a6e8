package config

import "time"

// Credit is the thresholds of the credit rules (R1.3, R3, R5.3, R7.4),
// passed whole to the credit packages (credit.Config embeds it).
type Credit struct {
	// ArrearsThresholdFen is the "large amount" of unpaid fees, in fen, from
	// which an ARREARS record is made (¥1,000).
	ArrearsThresholdFen int64 `env:"CW_ARREARS_THRESHOLD_FEN" envDefault:"100000"`
	// ArrearsGraceMonths is the grace period after a reminder (催告), in
	// calendar months.
	ArrearsGraceMonths int `env:"CW_ARREARS_GRACE_MONTHS" envDefault:"1"`
	// WindowMonths is the look-back window of the EXCELLENT tier and the
	// history it requires, in months.
	WindowMonths int `env:"CW_EXCELLENT_WINDOW_MONTHS" envDefault:"36"`
	// General/Serious publicity bound the publicity period of a GENERAL or
	// SERIOUS record, in months. MINOR records are not published.
	GeneralPublicityMinMonths int `env:"CW_PUBLICITY_GENERAL_MIN_MONTHS" envDefault:"3"`
	GeneralPublicityMaxMonths int `env:"CW_PUBLICITY_GENERAL_MAX_MONTHS" envDefault:"12"`
	SeriousPublicityMinMonths int `env:"CW_PUBLICITY_SERIOUS_MIN_MONTHS" envDefault:"12"`
	SeriousPublicityMaxMonths int `env:"CW_PUBLICITY_SERIOUS_MAX_MONTHS" envDefault:"36"`
}

// Review is the deadlines of repairs and objections in working days
// (R5.1–R5.3), passed whole to package review (review.Config embeds it).
type Review struct {
	RepairReviewDays          int `env:"CW_REPAIR_REVIEW_DAYS" envDefault:"10"`
	ObjectionReviewDays       int `env:"CW_OBJECTION_REVIEW_DAYS" envDefault:"5"`
	ObjectionMaxExtensionDays int `env:"CW_OBJECTION_MAX_EXTENSION_DAYS" envDefault:"5"`
}

// Evidence bounds the evidence files of one request.
type Evidence struct {
	MaxBytes int64 `env:"CW_EVIDENCE_MAX_BYTES" envDefault:"5242880"`
	MaxFiles int   `env:"CW_EVIDENCE_MAX_FILES" envDefault:"10"`
}

// Jobs is the scheduled jobs (cron in Asia/Shanghai, or an interval).
type Jobs struct {
	Enabled               bool   `env:"CW_JOBS_ENABLED" envDefault:"true"`
	PublishSchedule       string `env:"CW_JOB_PUBLISH_SCHEDULE" envDefault:"10m"`
	RemindersSchedule     string `env:"CW_JOB_REMINDERS_SCHEDULE" envDefault:"30 8 * * *"`
	ArrearsSchedule       string `env:"CW_JOB_ARREARS_SCHEDULE" envDefault:"30 2 * * *"`
	TiersSchedule         string `env:"CW_JOB_TIERS_SCHEDULE" envDefault:"0 3 * * *"`
	RegistryCheckSchedule string `env:"CW_JOB_REGISTRY_CHECK_SCHEDULE" envDefault:"0 4 * * *"`
}

// Apply is zero-document applications (R4), passed whole to package apply
// (apply.Config embeds it). CJKFont is a TrueType font for commitment PDFs;
// empty: searched.
type Apply struct {
	Ratings          []string `env:"CW_ZERO_DOC_RATINGS" envDefault:"A,B"`
	NotifyTemplateID string   `env:"CW_NOTIFY_TEMPLATE_ID" envDefault:"application-status"`
	CJKFont          string   `env:"CW_CJK_FONT"`
}

// Outbox is the publication outbox's delivery (R2.3), passed whole to
// package outbox (outbox.Config embeds it). Lease is how long a claimed
// message is exclusive to its worker.
type Outbox struct {
	PollInterval time.Duration `env:"CW_OUTBOX_POLL_INTERVAL" envDefault:"1s"`
	BaseBackoff  time.Duration `env:"CW_OUTBOX_BASE_BACKOFF" envDefault:"2s"`
	MaxBackoff   time.Duration `env:"CW_OUTBOX_MAX_BACKOFF" envDefault:"10m"`
	MaxAttempts  int           `env:"CW_OUTBOX_MAX_ATTEMPTS" envDefault:"20"`
	Lease        time.Duration `env:"CW_OUTBOX_LEASE" envDefault:"60s"`
}
