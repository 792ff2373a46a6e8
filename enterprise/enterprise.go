// Package enterprise owns how a WeChat user comes to act for an enterprise
// (R6.1, R6.5–R6.8, R7.2): separate consent for personal-data processing
// (PIPL), binding as the enterprise's legal representative — confirmed by
// the enterprise registry and by a face verification of that same person —
// agents (经办人) authorised by the legal representative or at the counter,
// signing rights, unbinding and erasure, and the daily check of the
// registry. Later sensitive actions (credit report, commitment signing)
// call RequireFreshFace or Signer.
package enterprise

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"creditwater/access"
	"creditwater/audit"
	"creditwater/config"
	"creditwater/evidence"
	"creditwater/models"
	"creditwater/pii"
)

// FaceStart is what starting a face verification needs.
type FaceStart struct {
	OutSeqNo, CertName, CertNo, OpenID string
}

// FaceQuery asks for the result of a started verification.
type FaceQuery struct {
	VerifyID, OutSeqNo, CertName, CertNo, OpenID string
}

// FaceVerifier is WeChat face verification (人脸核身) as this package needs
// it. Query returns the outcome (PASSED, CANCELLED, TIMED_OUT,
// FACE_MISMATCH, ID_MISMATCH, FAILED), passed only for WeChat's errcode 0
// and verify_ret 10000.
type FaceVerifier interface {
	StartFace(ctx context.Context, req FaceStart) (verifyID string, err error)
	QueryFace(ctx context.Context, q FaceQuery) (outcome string, verifyRet int, err error)
}

// Poster posts a notice to a user's inbox (R7.6), inside tx when given.
type Poster interface {
	Post(ctx context.Context, tx *gorm.DB, n models.Notice) error
}

// Config are the rules of this package (R7.4).
type Config struct {
	// Face is the configured face verification, passed whole: FaceValidity,
	// how long a pass authorises sensitive actions (default 30 minutes);
	// FaceAttempts per FaceWindow per user (default 5 per 10 minutes).
	config.Face
	// BindAttempts per BindWindow per user: each asks the registry whether a
	// name and ID number are an enterprise's legal representative, so they
	// are limited (default 10 per hour).
	BindAttempts int
	BindWindow   time.Duration
	// ConsentVersions are the current texts' versions by purpose.
	ConsentVersions map[string]string
	// Evidence limits the scan of a paper letter of authorisation.
	Evidence evidence.Limits
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{Face: config.Face{FaceValidity: 30 * time.Minute, FaceAttempts: 5, FaceWindow: 10 * time.Minute},
		BindAttempts: 10, BindWindow: time.Hour,
		ConsentVersions: map[string]string{"ID_PROCESSING": ConsentTextVersion, "FACE_VERIFICATION": ConsentTextVersion}}
}

// Service is the enterprise-binding service.
type Service struct {
	db       *gorm.DB
	rdb      redis.UniversalClient
	prefix   string
	sealer   *pii.Sealer
	face     FaceVerifier
	registry Registry
	policy   *access.Policy
	inbox    Poster
	audit    *audit.Log
	cfg      Config
	now      func() time.Time
}

// Deps are the collaborators of the service.
type Deps struct {
	DB       *gorm.DB
	Redis    redis.UniversalClient
	Prefix   string
	Sealer   *pii.Sealer
	Face     FaceVerifier
	Registry Registry
	Policy   *access.Policy
	Inbox    Poster
	Audit    *audit.Log
}

// New wires the service.
func New(d Deps, cfg Config) *Service {
	def := DefaultConfig()
	if cfg.BindAttempts <= 0 {
		cfg.BindAttempts, cfg.BindWindow = def.BindAttempts, def.BindWindow
	}
	if cfg.ConsentVersions == nil {
		cfg.ConsentVersions = def.ConsentVersions
	}
	return &Service{db: d.DB, rdb: d.Redis, prefix: d.Prefix, sealer: d.Sealer, face: d.Face, registry: d.Registry,
		policy: d.Policy, inbox: d.Inbox, audit: d.Audit, cfg: cfg, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }
