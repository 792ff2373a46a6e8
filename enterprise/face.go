package enterprise

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/auth"
	"creditwater/ident"
	"creditwater/models"
	"creditwater/reqctx"
)

// Face verification outcomes stored on models.FaceVerification.
const (
	FacePending = "PENDING"
	FacePassed  = "PASSED"
	// FaceCounter is a verification done by staff at the counter, the
	// alternative for people who cannot or will not use face recognition.
	FaceCounter = "COUNTER_VERIFIED"
)

// StartFace starts a WeChat face verification of the person who acts for
// the bound enterprise: the legal representative's name and ID go to WeChat
// with the caller's openid, and the verifyId comes back for
// wx.requestFacialVerify. It returns FAILED_PRECONDITION with reason
// CONSENT_REQUIRED without face consent, FACE_UNSUPPORTED_ID_TYPE for
// documents WeChat cannot check (use counter verification), RATE_LIMITED
// after too many attempts, and UNAVAILABLE when WeChat cannot be reached.
func (s *Service) StartFace(ctx context.Context, subjectID string) (string, error) {
	a, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return "", err
	}
	b, err := s.BindingFor(ctx, subjectID)
	if err != nil {
		return "", err
	}
	if err := s.requireConsent(ctx, s.db, a.UserID, models.ConsentFaceVerification); err != nil {
		return "", err
	}
	if ident.IDType(b.IDType) != ident.ResidentIDCard {
		return "", apperr.Precondition("FACE_UNSUPPORTED_ID_TYPE", "WeChat face verification checks mainland resident ID cards only; verify at a service counter instead")
	}
	if b.Role != models.BindingLegalRepresentative {
		return "", apperr.Precondition("FACE_AGENT_NOT_SUPPORTED", "face verification is for the legal representative; an authorised agent is verified at a service counter")
	}
	if err := s.allowFace(ctx, a.UserID); err != nil {
		return "", err
	}
	idNo, err := s.sealer.Open(b.IDSealed)
	if err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "could not read the ID number")
	}
	seq := make([]byte, 12)
	_, _ = rand.Read(seq)
	outSeq := "cw" + hex.EncodeToString(seq)
	verifyID, err := s.face.StartFace(ctx, FaceStart{OutSeqNo: outSeq, CertName: b.LegalRepName, CertNo: idNo, OpenID: a.OpenID})
	if err != nil {
		return "", err
	}
	fv := models.FaceVerification{UserID: a.UserID, BindingID: b.ID, OutSeqNo: outSeq, VerifyID: verifyID, Outcome: FacePending}
	if err := s.db.WithContext(ctx).Create(&fv).Error; err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "could not record the face verification")
	}
	_ = s.audit.Record(ctx, nil, audit.Entry{Action: "face.start", SubjectType: "binding", SubjectID: b.ID, Purpose: "face verification"})
	return verifyID, nil
}

func (s *Service) allowFace(ctx context.Context, userID string) error {
	lim := redis_rate.NewLimiter(s.rdb)
	res, err := lim.Allow(ctx, s.prefix+"face:"+userID, redis_rate.Limit{Rate: s.cfg.FaceAttempts, Burst: s.cfg.FaceAttempts, Period: s.cfg.FaceWindow})
	if err != nil {
		e := apperr.Wrap(err, apperr.Unavailable, "face verification is temporarily unavailable; try again shortly")
		e.RetryAfter = 5 * time.Second
		return e
	}
	if res.Allowed == 0 {
		e := apperr.New(apperr.RateLimited, "too many face verification attempts; try again in %s", res.RetryAfter.Round(time.Second))
		e.RetryAfter = res.RetryAfter
		return e
	}
	return nil
}

// FaceResult is the outcome of CompleteFace.
type FaceResult struct {
	Outcome    string
	Passed     bool
	ValidUntil *time.Time
}

// CompleteFace pulls the result of a verification the caller started, once:
// a verifyId is usable one time only. A pass authorises sensitive actions for
// the configured time. It returns NOT_FOUND for a verifyId the caller did not
// start, FAILED_PRECONDITION (reason FACE_VERIFY_ID_USED) for one already
// completed, and UNAVAILABLE when WeChat cannot be reached (the verifyId
// stays usable).
func (s *Service) CompleteFace(ctx context.Context, verifyID string) (FaceResult, error) {
	a, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return FaceResult{}, err
	}
	verifyID = strings.TrimSpace(verifyID)
	if verifyID == "" || len(verifyID) > 128 {
		return FaceResult{}, apperr.InvalidField("verifyId", "verifyId is required")
	}
	var fv models.FaceVerification
	if err := s.db.WithContext(ctx).Where("verify_id = ? AND user_id = ?", verifyID, a.UserID).Limit(1).Find(&fv).Error; err != nil {
		return FaceResult{}, apperr.Wrap(err, apperr.Internal, "could not read the face verification")
	}
	if fv.ID == "" {
		return FaceResult{}, apperr.New(apperr.NotFound, "no face verification with this verifyId was started by you")
	}
	if fv.Outcome != FacePending {
		return FaceResult{}, apperr.Precondition("FACE_VERIFY_ID_USED", "this verifyId was already used; start a new face verification")
	}
	var b models.EnterpriseBinding
	if err := s.db.WithContext(ctx).Where("id = ?", fv.BindingID).Take(&b).Error; err != nil {
		return FaceResult{}, apperr.Wrap(err, apperr.Internal, "could not read the binding")
	}
	idNo, err := s.sealer.Open(b.IDSealed)
	if err != nil {
		return FaceResult{}, apperr.Wrap(err, apperr.Internal, "could not read the ID number")
	}
	outcome, ret, err := s.face.QueryFace(ctx, FaceQuery{VerifyID: verifyID, OutSeqNo: fv.OutSeqNo, CertName: b.LegalRepName, CertNo: idNo, OpenID: a.OpenID})
	if apperr.As(err) != nil && apperr.As(err).Reason == "FACE_VERIFY_ID_USED" {
		outcome, ret, err = "FAILED", 0, apperr.Precondition("FACE_VERIFY_ID_USED", "this verifyId was already used; start a new face verification")
		_ = s.db.WithContext(ctx).Model(&fv).Where("outcome = ?", FacePending).Update("outcome", outcome).Error
		return FaceResult{}, err
	}
	if err != nil {
		return FaceResult{}, err
	}
	now := s.now().UTC()
	upd := map[string]any{"outcome": outcome, "verify_ret": ret, "completed_at": now}
	res := FaceResult{Outcome: outcome, Passed: outcome == FacePassed}
	if res.Passed {
		until := now.Add(s.cfg.FaceValidity)
		upd["valid_until"] = until
		res.ValidUntil = &until
	}
	// The update only succeeds while the row is still pending: a concurrent
	// completion of the same verifyId loses.
	r := s.db.WithContext(ctx).Model(&models.FaceVerification{}).Where("id = ? AND outcome = ?", fv.ID, FacePending).Updates(upd)
	if r.Error != nil {
		return FaceResult{}, apperr.Wrap(r.Error, apperr.Internal, "could not record the face verification")
	}
	if r.RowsAffected == 0 {
		return FaceResult{}, apperr.Precondition("FACE_VERIFY_ID_USED", "this verifyId was already used; start a new face verification")
	}
	_ = s.audit.Record(ctx, nil, audit.Entry{Action: "face.complete", SubjectType: "binding", SubjectID: b.ID, Detail: outcome})
	return res, nil
}

// VerifyAtCounter records that staff checked the person of a binding in
// person, the alternative to face recognition (PIPL; R6.1). It returns
// FORBIDDEN for non-staff and NOT_FOUND for an unknown binding.
func (s *Service) VerifyAtCounter(ctx context.Context, bindingID, note string) (FaceResult, error) {
	if _, err := auth.Require(ctx, models.RoleStaff, models.RoleCreditOfficer, models.RoleAdmin); err != nil {
		return FaceResult{}, err
	}
	if strings.TrimSpace(note) == "" {
		return FaceResult{}, apperr.InvalidField("note", "say which document was checked")
	}
	var b models.EnterpriseBinding
	if err := s.db.WithContext(ctx).Where("id = ? AND active = ?", bindingID, true).Limit(1).Find(&b).Error; err != nil {
		return FaceResult{}, apperr.Wrap(err, apperr.Internal, "could not read the binding")
	}
	if b.ID == "" {
		return FaceResult{}, apperr.New(apperr.NotFound, "binding not found")
	}
	now := s.now().UTC()
	until := now.Add(s.cfg.FaceValidity)
	seq := make([]byte, 12)
	_, _ = rand.Read(seq)
	fv := models.FaceVerification{UserID: b.UserID, BindingID: b.ID, OutSeqNo: "counter" + hex.EncodeToString(seq), VerifyID: "counter:" + hex.EncodeToString(seq),
		Outcome: FaceCounter, CompletedAt: &now, ValidUntil: &until}
	if err := s.db.WithContext(ctx).Create(&fv).Error; err != nil {
		return FaceResult{}, apperr.Wrap(err, apperr.Internal, "could not record the verification")
	}
	_ = s.audit.Record(ctx, nil, audit.Entry{Action: "face.counter", SubjectType: "binding", SubjectID: b.ID, Detail: note})
	return FaceResult{Outcome: FaceCounter, Passed: true, ValidUntil: &until}, nil
}

// RequireFreshFace checks that the caller passed a face (or counter)
// verification for their binding to the subject within the validity window.
// It returns FORBIDDEN with reason FACE_VERIFICATION_REQUIRED otherwise.
func (s *Service) RequireFreshFace(ctx context.Context, b models.EnterpriseBinding) error {
	a := reqctx.ActorFrom(ctx)
	if a == nil {
		return apperr.New(apperr.Unauthenticated, "log in first")
	}
	var n int64
	err := s.db.WithContext(ctx).Model(&models.FaceVerification{}).
		Where("user_id = ? AND binding_id = ? AND outcome IN ? AND valid_until > ?", a.UserID, b.ID, []string{FacePassed, FaceCounter}, s.now().UTC()).
		Count(&n).Error
	if err != nil {
		return apperr.Wrap(err, apperr.Internal, "could not check face verification")
	}
	if n == 0 {
		return apperr.New(apperr.Forbidden, "a face verification within the last %s is required", s.cfg.FaceValidity).WithReason("FACE_VERIFICATION_REQUIRED")
	}
	return nil
}
