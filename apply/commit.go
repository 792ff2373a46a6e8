package apply

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/ident"
	"creditwater/letter"
	"creditwater/models"
	"creditwater/store"
)

// Draft is the commitment letter prefilled for an application (R2.1).
type Draft struct {
	Fields letter.Fields
}

// DraftCommitment returns the letter prefilled for an application (R2.1):
// the enterprise's name and legal representative as the registry gives
// them, the address, and — for the legal representative who will sign —
// the document type and masked number of their verified binding; the
// applicant fills in the reason and the relation. It returns FORBIDDEN for
// a user who does not act for the subject with the APPLY scope.
func (s *Service) DraftCommitment(ctx context.Context, appID string) (Draft, error) {
	if _, err := auth.Require(ctx, models.RoleEnterprise); err != nil {
		return Draft{}, err
	}
	app, err := s.load(ctx, s.db, appID)
	if err != nil {
		return Draft{}, err
	}
	g, err := s.policy.Subject(ctx, app.SubjectID, models.ScopeApply)
	if err != nil {
		return Draft{}, err
	}
	subj, err := s.identity.Subject(ctx, app.SubjectID)
	if err != nil {
		return Draft{}, err
	}
	var lr *models.EnterpriseBinding
	if g.LegalRepresentative() {
		lr = &g.Binding
	}
	return Draft{Fields: prefill(app, subj, lr)}, nil
}

// prefill fills the letter from the registry's subject; the legal
// representative's document comes from their verified binding when known.
func prefill(app models.Application, subj models.Subject, lr *models.EnterpriseBinding) letter.Fields {
	uscc := ""
	if subj.USCC != nil {
		uscc = *subj.USCC
	}
	f := letter.Fields{UnitName: subj.Name, Address: app.Address, USCC: uscc, LegalRepName: subj.LegalRepName, Signer: subj.Name}
	if lr != nil {
		f.IDTypeLabel, f.IDNumberMasked = ident.IDType(lr.IDType).Label(), lr.IDMasked
	}
	return f
}

// SignInput is what the applicant fills in.
type SignInput struct {
	NoProofReason string
	Relation      models.Relation
	Version       *int
}

// CommitmentPayload is the outbox payload of a commitment publication.
type CommitmentPayload struct {
	CommitmentID string `json:"commitmentId"`
	USCC         string `json:"uscc"`
	Title        string `json:"title"`
	SHA256       string `json:"sha256"`
	Text         string `json:"text"`
}

// Signed is the result of SignCommitment.
type Signed struct {
	Commitment models.Commitment
	// Replayed is true when the same letter had been signed already (a
	// retry after an ambiguous failure): nothing new was stored.
	Replayed bool
}

// SignCommitment signs the commitment letter for an application that passed
// the credit check (R2.1, R2.2, R6.7). Only the enterprise's verified legal
// representative signs — never an agent — with a face verification of
// their own ID number passed within the validity window, and the registry
// must still confirm them (see Identity.Signer); the letter names the
// registry's enterprise name and legal representative. The text, its
// SHA-256, the signer, the face verification and the time are stored,
// immutable, and the publication is queued in the same transaction (R2.3).
// Signing is idempotent: the same letter signed again by the same user
// returns the stored commitment (Replayed). It returns FORBIDDEN
// (NOT_LEGAL_REPRESENTATIVE, FACE_VERIFICATION_REQUIRED), INVALID naming
// the field, FAILED_PRECONDITION when the application is not
// CREDIT_CHECKED or the registry no longer confirms the signer, and
// CONFLICT (COMMITMENT_ALREADY_SIGNED) when another letter was signed.
func (s *Service) SignCommitment(ctx context.Context, appID string, in SignInput) (Signed, error) {
	a, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return Signed{}, err
	}
	app, err := s.load(ctx, s.db, appID)
	if err != nil {
		return Signed{}, err
	}
	if _, err := s.policy.Subject(ctx, app.SubjectID, models.ScopeApply); err != nil {
		return Signed{}, err
	}
	in.NoProofReason = strings.TrimSpace(in.NoProofReason)
	if app.Status != models.AppCreditChecked {
		if prev, ok, err := s.signedBefore(ctx, app, a.UserID, in); ok || err != nil {
			return prev, err
		}
		return Signed{}, apperr.Precondition("ILLEGAL_TRANSITION", "申请当前状态为 %s；承诺书只能在信用核查通过（CREDIT_CHECKED）后签署一次", app.Status).
			WithDetail("currentStatus", string(app.Status))
	}
	sig, err := s.identity.Signer(ctx, app.SubjectID)
	if err != nil {
		return Signed{}, err
	}
	f := prefill(app, sig.Subject, &sig.Binding)
	f.NoProofReason, f.Relation, f.SignedAt = in.NoProofReason, in.Relation, s.now().UTC()
	if err := letter.Validate(f); err != nil {
		return Signed{}, err
	}
	text := letter.Text(f)
	fields, _ := json.Marshal(f)
	c := models.Commitment{ApplicationID: app.ID, SubjectID: app.SubjectID, SignerID: a.UserID, BindingID: sig.Binding.ID, FaceID: sig.FaceID,
		Fields: string(fields), Text: text, SHA256: letter.Hash(text), TemplateVer: letter.TemplateVersion, SignedAt: f.SignedAt}
	read := app // transition moves app on; a transaction run again starts from what was read
	err = store.Transaction(ctx, s.db, func(tx *gorm.DB) error {
		app = read
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		if err := s.transition(ctx, tx, &app, change{to: models.AppCommitmentSigned, version: in.Version, reason: "法定代表人已签署信用承诺书（SHA-256 " + c.SHA256 + "）",
			set: map[string]any{"commitment_id": c.ID}}); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, "commitment:"+c.ID, KindPublishCommitment, app.ID,
			CommitmentPayload{CommitmentID: c.ID, USCC: f.USCC, Title: letter.Title + "（" + f.UnitName + "）", SHA256: c.SHA256, Text: text})
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		// A concurrent retry signed first.
		if app, lerr := s.load(ctx, s.db, appID); lerr == nil {
			if prev, ok, perr := s.signedBefore(ctx, app, a.UserID, in); ok || perr != nil {
				return prev, perr
			}
		}
	}
	if err != nil {
		if apperr.As(err) == nil {
			err = apperr.Wrap(err, apperr.Internal, "无法保存承诺")
		}
		return Signed{}, err
	}
	return Signed{Commitment: c}, nil
}

// signedBefore finds the letter already signed for app: when the caller
// signed it with the same reason and relation it is returned (ok); another
// letter is CONFLICT. No letter: not ok, no error.
func (s *Service) signedBefore(ctx context.Context, app models.Application, userID string, in SignInput) (Signed, bool, error) {
	if app.CommitmentID == nil {
		return Signed{}, false, nil
	}
	var c models.Commitment
	if err := s.db.WithContext(ctx).Where("id = ?", *app.CommitmentID).Take(&c).Error; err != nil {
		return Signed{}, false, apperr.Wrap(err, apperr.Internal, "无法读取承诺")
	}
	f := LetterFields(c)
	if c.SignerID != userID || f.NoProofReason != in.NoProofReason || f.Relation != in.Relation {
		return Signed{}, false, apperr.New(apperr.Conflict, "该申请的信用承诺书已签署，不能再签署另一份").WithReason("COMMITMENT_ALREADY_SIGNED").
			WithDetail("commitmentId", c.ID)
	}
	return Signed{Commitment: c, Replayed: true}, true, nil
}

// CommitmentPublished completes a publication inside the outbox's
// transaction: the commitment records the publication and the application
// becomes PUBLISHED (R2.3).
func (s *Service) CommitmentPublished(ctx context.Context, tx *gorm.DB, commitmentID, publicationID string) error {
	var c models.Commitment
	if err := tx.WithContext(ctx).Where("id = ?", commitmentID).Take(&c).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法读取承诺")
	}
	now := s.now().UTC()
	if err := tx.WithContext(ctx).Model(&models.Commitment{}).Where("id = ?", c.ID).
		Updates(map[string]any{"publication_id": publicationID, "published_at": now}).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "无法记录公示")
	}
	app, err := s.load(ctx, tx, c.ApplicationID)
	if err != nil {
		return err
	}
	if app.Status != models.AppCommitmentSigned {
		return nil // withdrawn or rejected meanwhile: the publication stands, the application stays
	}
	return s.transition(ctx, tx, &app, change{to: models.AppPublished, reason: "承诺已公示，公示编号 " + publicationID})
}

// Commitment returns a signed commitment: staff and users who act for its
// subject (APPLY or VIEW scope) may read it; a signer whose binding ended
// may not.
func (s *Service) Commitment(ctx context.Context, id string) (models.Commitment, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return models.Commitment{}, err
	}
	var c models.Commitment
	if err := s.db.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&c).Error; err != nil {
		return c, apperr.Wrap(err, apperr.Internal, "无法读取承诺")
	}
	if c.ID == "" {
		return c, apperr.New(apperr.NotFound, "未找到该承诺")
	}
	if a.Role == models.RoleEnterprise {
		if _, err := s.policy.Subject(ctx, c.SubjectID, models.ScopeApply, models.ScopeView); err != nil {
			return models.Commitment{}, apperr.New(apperr.Forbidden, "不是您企业的承诺书")
		}
	}
	return c, nil
}

// LetterFields decodes a commitment's stored fields.
func LetterFields(c models.Commitment) letter.Fields {
	var f letter.Fields
	_ = json.Unmarshal([]byte(c.Fields), &f)
	return f
}
