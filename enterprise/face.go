package enterprise

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/audit"
	"creditwater/auth"
	"creditwater/ident"
	"creditwater/models"
	"creditwater/reqctx"
	"creditwater/store"
)

// Face verification states stored on models.FaceVerification.Outcome; the
// result itself (PASSED, FACE_MISMATCH …, COUNTER_VERIFIED) is sealed.
const (
	FacePending   = "PENDING"
	FaceCompleted = "COMPLETED"
	FacePassed    = "PASSED"
	// FaceCounter is a verification done by staff at the counter, the
	// alternative for people who cannot or will not use face recognition.
	FaceCounter = "COUNTER_VERIFIED"
)

// StartFace starts a WeChat face verification of the person of the
// caller's PENDING or ACTIVE binding (the legal representative, or the
// agent themself): that person's name and ID go to WeChat with the
// caller's openid, and the verifyId comes back for wx.requestFacialVerify.
// It returns FAILED_PRECONDITION (CONSENT_REQUIRED without face consent,
// NOT_BOUND, FACE_UNSUPPORTED_ID_TYPE for documents WeChat cannot check —
// verify at the counter instead), INVALID (subjectId), RATE_LIMITED after
// too many attempts and UNAVAILABLE when WeChat cannot be reached. The
// binding is named by bindingID, or by subjectID, or is the caller's only
// open one.
func (s *Service) StartFace(ctx context.Context, bindingID, subjectID string) (string, error) {
	a, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return "", err
	}
	b, err := s.ownBinding(ctx, a.UserID, bindingID, subjectID)
	if err != nil {
		return "", err
	}
	if err := s.requireConsent(ctx, s.db, a.UserID, models.ConsentFaceVerification); err != nil {
		return "", err
	}
	if ident.IDType(b.IDType) != ident.ResidentIDCard {
		return "", apperr.Precondition("FACE_UNSUPPORTED_ID_TYPE", "微信人脸核身仅支持居民身份证；请持证件到营业厅由工作人员核验")
	}
	if err := s.limit(ctx, "face:"+a.UserID, s.cfg.FaceAttempts, s.cfg.FaceWindow, "人脸核身次数过多"); err != nil {
		return "", err
	}
	idNo, err := s.sealer.Open(b.IDSealed)
	if err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "无法读取证件号码")
	}
	outSeq := "cw" + randHex(12)
	verifyID, err := s.face.StartFace(ctx, FaceStart{OutSeqNo: outSeq, CertName: b.PersonName, CertNo: idNo, OpenID: a.OpenID})
	if err != nil {
		return "", err
	}
	fv := models.FaceVerification{UserID: a.UserID, BindingID: b.ID, OutSeqNo: outSeq, VerifyID: verifyID, Outcome: FacePending,
		BindingGeneration: b.Generation, CertIndex: b.IDIndex}
	if err := s.db.WithContext(ctx).Create(&fv).Error; err != nil {
		return "", apperr.Wrap(err, apperr.Internal, "无法记录人脸核身")
	}
	_ = s.audit.Record(ctx, nil, audit.Entry{Action: "face.start", SubjectType: "binding", SubjectID: b.ID, Purpose: "人脸核身"})
	return verifyID, nil
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// FaceResult is the outcome of CompleteFace or VerifyAtCounter.
type FaceResult struct {
	Outcome    string
	Passed     bool
	ValidUntil *time.Time
	// Binding is the binding after the verification (ACTIVE when a legal
	// representative's pass activated it).
	Binding models.EnterpriseBinding
}

// CompleteFace pulls the result of a verification the caller started, once:
// a verifyId is usable one time only. The result is stored sealed (R7.2). A
// pass authorises sensitive actions for the configured time, for this
// binding generation and ID number only; it marks the person verified and
// makes a PENDING legal representative's binding ACTIVE (R6.5). It returns
// NOT_FOUND for a verifyId the caller did not start, FAILED_PRECONDITION
// (FACE_VERIFY_ID_USED for one already completed, BINDING_CHANGED when the
// binding changed since the start) and UNAVAILABLE when WeChat cannot be
// reached (the verifyId stays usable).
func (s *Service) CompleteFace(ctx context.Context, verifyID string) (FaceResult, error) {
	a, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return FaceResult{}, err
	}
	verifyID = strings.TrimSpace(verifyID)
	if verifyID == "" || len(verifyID) > 128 {
		return FaceResult{}, apperr.InvalidField("verifyId", "verifyId 不能为空")
	}
	var fv models.FaceVerification
	if err := s.db.WithContext(ctx).Where("verify_id = ? AND user_id = ?", verifyID, a.UserID).Limit(1).Find(&fv).Error; err != nil {
		return FaceResult{}, apperr.Wrap(err, apperr.Internal, "无法读取人脸核身记录")
	}
	if fv.ID == "" {
		return FaceResult{}, apperr.New(apperr.NotFound, "没有您发起的该 verifyId 的人脸核身")
	}
	used := apperr.Precondition("FACE_VERIFY_ID_USED", "该 verifyId 已使用，请重新发起人脸核身")
	if fv.Outcome != FacePending {
		return FaceResult{}, used
	}
	var b models.EnterpriseBinding
	if err := s.db.WithContext(ctx).Where("id = ?", fv.BindingID).Take(&b).Error; err != nil {
		return FaceResult{}, apperr.Wrap(err, apperr.Internal, "无法读取企业绑定")
	}
	changed := apperr.Precondition("BINDING_CHANGED", "绑定信息已变更，请重新发起人脸核身")
	if b.Generation != fv.BindingGeneration || (b.Status != models.BindingPending && b.Status != models.BindingActive) {
		return FaceResult{}, changed
	}
	idNo, err := s.sealer.Open(b.IDSealed)
	if err != nil {
		return FaceResult{}, apperr.Wrap(err, apperr.Internal, "无法读取证件号码")
	}
	outcome, ret, err := s.face.QueryFace(ctx, FaceQuery{VerifyID: verifyID, OutSeqNo: fv.OutSeqNo, CertName: b.PersonName, CertNo: idNo, OpenID: a.OpenID})
	if e := apperr.As(err); e != nil && e.Reason == "FACE_VERIFY_ID_USED" {
		_ = s.db.WithContext(ctx).Model(&fv).Where("outcome = ?", FacePending).Update("outcome", FaceCompleted).Error
		return FaceResult{}, used
	}
	if err != nil {
		return FaceResult{}, err
	}
	sealed, err := s.sealer.Seal(fmt.Sprintf("%s:%d", outcome, ret))
	if err != nil {
		return FaceResult{}, apperr.Wrap(err, apperr.Internal, "无法加密人脸核身结果")
	}
	now := s.now().UTC()
	res := FaceResult{Outcome: outcome, Passed: outcome == FacePassed}
	err = store.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		upd := map[string]any{"outcome": FaceCompleted, "result_sealed": sealed, "completed_at": now}
		if res.Passed {
			until := now.Add(s.cfg.FaceValidity)
			upd["valid_until"], res.ValidUntil = until, &until
		}
		// Only while the row is still pending: a concurrent completion of
		// the same verifyId loses.
		r := tx.Model(&models.FaceVerification{}).Where("id = ? AND outcome = ?", fv.ID, FacePending).Updates(upd)
		if r.Error != nil {
			return apperr.Wrap(r.Error, apperr.Internal, "无法记录人脸核身")
		}
		if r.RowsAffected == 0 {
			return used
		}
		if err := s.audit.Record(ctx, tx, audit.Entry{Action: "face.complete", SubjectType: "binding", SubjectID: b.ID, Detail: map[bool]string{true: "通过", false: "未通过"}[res.Passed]}); err != nil {
			return err
		}
		if !res.Passed {
			res.Binding = b
			return nil
		}
		var err error
		res.Binding, err = s.verified(ctx, tx, b.ID, fv.BindingGeneration, now)
		return err
	})
	if err != nil {
		return FaceResult{}, err
	}
	return res, nil
}

// verified records inside tx that the person of binding id (of generation
// gen) passed a face or counter verification; a PENDING legal
// representative's binding becomes ACTIVE. It returns FAILED_PRECONDITION
// (BINDING_CHANGED) when the binding moved on meanwhile.
func (s *Service) verified(ctx context.Context, tx *gorm.DB, id string, gen int, now time.Time) (models.EnterpriseBinding, error) {
	b, err := loadBinding(tx, id)
	if err != nil {
		return b, err
	}
	if b.Generation != gen || (b.Status != models.BindingPending && b.Status != models.BindingActive) {
		return b, apperr.Precondition("BINDING_CHANGED", "绑定信息已变更，请重新核验")
	}
	upd := map[string]any{"identity_verified_at": now, "updated_at": now, "version": b.Version + 1}
	activate := b.Status == models.BindingPending && b.Role == models.BindingLegalRepresentative
	if activate {
		upd["status"], upd["status_changed_at"], upd["status_reason"] = models.BindingActive, now, ""
		b.Status, b.StatusChangedAt, b.StatusReason = models.BindingActive, &now, ""
	}
	b.IdentityVerifiedAt, b.Version = &now, b.Version+1
	if err := tx.Model(&models.EnterpriseBinding{}).Where("id = ?", b.ID).Updates(upd).Error; err != nil {
		return b, apperr.Wrap(err, apperr.Internal, "无法更新企业绑定")
	}
	if activate {
		if err := s.audit.Record(ctx, tx, audit.Entry{Action: "enterprise.binding_active", SubjectType: "binding", SubjectID: b.ID,
			Detail: fmt.Sprintf("generation=%d", b.Generation)}); err != nil {
			return b, err
		}
		if err := s.notify(ctx, tx, b, NoticeBindingActive, "企业绑定已生效", "您已通过身份核验，可以代表企业办理业务。"); err != nil {
			return b, err
		}
	}
	return b, nil
}

// CounterCheck is what staff record when they verify a person in person at
// the counter: the binding and the document inspected.
type CounterCheck struct {
	BindingID string
	IDType    ident.IDType
	IDNumber  string
	Note      string
}

// VerifyAtCounter records that staff checked the person of a binding in
// person, the alternative to face recognition (PIPL; R6.1, R6.5) — e.g. for
// foreign ID documents. The document inspected must be the binding's (same
// type and number); the check is recorded with the staff member and the
// masked document, and counts like a face pass (a PENDING legal
// representative's binding becomes ACTIVE). It returns FORBIDDEN for
// non-staff, INVALID (note, idNumber), NOT_FOUND, FAILED_PRECONDITION
// (BINDING_NOT_OPEN, ID_MISMATCH).
func (s *Service) VerifyAtCounter(ctx context.Context, in CounterCheck) (FaceResult, error) {
	a, err := auth.Require(ctx, models.RoleStaff, models.RoleCreditOfficer, models.RoleAdmin)
	if err != nil {
		return FaceResult{}, err
	}
	in.Note = strings.TrimSpace(in.Note)
	if in.Note == "" || utf8.RuneCountInString(in.Note) > 500 {
		return FaceResult{}, apperr.InvalidField("note", "请说明核验情况（最多 500 个字符）")
	}
	idNo, err := ident.ValidateID(in.IDType, in.IDNumber)
	if err != nil {
		return FaceResult{}, err
	}
	now := s.now().UTC()
	until := now.Add(s.cfg.FaceValidity)
	res := FaceResult{Outcome: FaceCounter, Passed: true, ValidUntil: &until}
	err = store.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		b, err := loadBinding(tx, in.BindingID)
		if err != nil {
			return err
		}
		if b.Status != models.BindingPending && b.Status != models.BindingActive {
			return apperr.Precondition("BINDING_NOT_OPEN", "该绑定已暂停或结束，请先重新绑定")
		}
		if string(in.IDType) != b.IDType || s.sealer.BlindIndex(idNo) != b.IDIndex {
			return apperr.Precondition("ID_MISMATCH", "所核验的证件与绑定中的证件不一致")
		}
		sealed, err := s.sealer.Seal(FaceCounter + ":0")
		if err != nil {
			return apperr.Wrap(err, apperr.Internal, "无法加密核验结果")
		}
		doc := ident.IDType(b.IDType).Label() + " " + b.IDMasked
		fv := models.FaceVerification{UserID: b.UserID, BindingID: b.ID, OutSeqNo: "counter" + randHex(12), VerifyID: "counter:" + randHex(12),
			Outcome: FaceCompleted, ResultSealed: sealed, BindingGeneration: b.Generation, CertIndex: b.IDIndex,
			CompletedAt: &now, ValidUntil: &until, CheckedBy: a.UserID, Document: doc}
		if err := tx.Create(&fv).Error; err != nil {
			return apperr.Wrap(err, apperr.Internal, "无法记录核验结果")
		}
		if err := s.audit.Record(ctx, tx, audit.Entry{Action: "face.counter", SubjectType: "binding", SubjectID: b.ID, Detail: doc + "；" + in.Note}); err != nil {
			return err
		}
		res.Binding, err = s.verified(ctx, tx, b.ID, b.Generation, now)
		return err
	})
	if err != nil {
		return FaceResult{}, err
	}
	return res, nil
}

// RequireFreshFace checks that the caller passed a face (or counter)
// verification for binding b within the validity window, of b's current
// generation and of b's ID number (R6.7: a change of the binding voids
// earlier passes). It returns FORBIDDEN with reason
// FACE_VERIFICATION_REQUIRED otherwise.
func (s *Service) RequireFreshFace(ctx context.Context, b models.EnterpriseBinding) error {
	_, err := s.freshFace(ctx, b)
	return err
}

// freshFace returns the face verification that authorises b now.
func (s *Service) freshFace(ctx context.Context, b models.EnterpriseBinding) (models.FaceVerification, error) {
	a := reqctx.ActorFrom(ctx)
	if a == nil {
		return models.FaceVerification{}, apperr.New(apperr.Unauthenticated, "请先登录")
	}
	var fv models.FaceVerification
	res := s.db.WithContext(ctx).
		Where("user_id = ? AND binding_id = ? AND binding_generation = ? AND cert_index = ? AND cert_index <> '' AND valid_until > ?",
			a.UserID, b.ID, b.Generation, b.IDIndex, s.now().UTC()).
		Order("valid_until DESC").Limit(1).Find(&fv)
	if res.Error != nil {
		return fv, apperr.Wrap(res.Error, apperr.Internal, "无法核对人脸核身")
	}
	if res.RowsAffected == 0 || b.IDIndex == "" {
		return fv, apperr.New(apperr.Forbidden, "需要在 %s 内完成本人人脸核身", s.cfg.FaceValidity).WithReason("FACE_VERIFICATION_REQUIRED")
	}
	return fv, nil
}
