// Package enterprise owns how a WeChat user comes to act for an enterprise:
// separate consent for personal-data processing (PIPL), binding to an
// enterprise as its legal representative or an authorised agent, and face
// verification of the person who acts (R6.1, R7.2). Later sensitive actions
// (credit report, commitment signing) call RequireFreshFace.
package enterprise

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"creditwater/audit"
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

// Config are the rules of this package (R7.4).
type Config struct {
	// FaceValidity is how long a passed face verification authorises
	// sensitive actions (default 30 minutes).
	FaceValidity time.Duration
	// FaceAttempts per FaceWindow per user (default 5 per 10 minutes).
	FaceAttempts int
	FaceWindow   time.Duration
	// ConsentVersions are the current texts' versions by purpose.
	ConsentVersions map[string]string
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{FaceValidity: 30 * time.Minute, FaceAttempts: 5, FaceWindow: 10 * time.Minute,
		ConsentVersions: map[string]string{"ID_PROCESSING": ConsentTextVersion, "FACE_VERIFICATION": ConsentTextVersion}}
}

// Service is the enterprise-binding service.
type Service struct {
	db     *gorm.DB
	rdb    redis.UniversalClient
	prefix string
	sealer *pii.Sealer
	face   FaceVerifier
	audit  *audit.Log
	cfg    Config
	now    func() time.Time
}

// New wires the service.
func New(db *gorm.DB, rdb redis.UniversalClient, prefix string, sealer *pii.Sealer, face FaceVerifier, log *audit.Log, cfg Config) *Service {
	return &Service{db: db, rdb: rdb, prefix: prefix, sealer: sealer, face: face, audit: log, cfg: cfg, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }
