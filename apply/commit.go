package apply

import (
	"context"
	"encoding/json"
	"strings"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/ident"
	"creditwater/letter"
	"creditwater/models"
)

// Draft is the commitment letter prefilled for an application (R2.1).
type Draft struct {
	Fields letter.Fields
}

// DraftCommitment returns the letter prefilled from the subject, the
// address and the legal representative (masked ID); the applicant fills the
// reason and the relation. It returns FORBIDDEN for an unbound user and
// FAILED_PRECONDITION before the credit check passed.
func (s *Service) DraftCommitment(ctx context.Context, appID string) (Draft, error) {
	if _, err := auth.Require(ctx, models.RoleEnterprise); err != nil {
		return Draft{}, err
	}
	app, err := s.load(ctx, s.db, appID)
	if err != nil {
		return Draft{}, err
	}
	b, err := s.identity.BindingFor(ctx, app.SubjectID)
	if err != nil {
		return Draft{}, err
	}
	f, err := s.prefill(ctx, app, b)
	return Draft{Fields: f}, err
}

func (s *Service) prefill(ctx context.Context, app models.Application, b models.EnterpriseBinding) (letter.Fields, error) {
	subj, err := s.identity.Subject(ctx, app.SubjectID)
	if err != nil {
		return letter.Fields{}, err
	}
	uscc := ""
	if subj.USCC != nil {
		uscc = *subj.USCC
	}
	return letter.Fields{UnitName: subj.Name, Address: app.Address, USCC: uscc, LegalRepName: b.LegalRepName,
		IDTypeLabel: ident.IDType(b.IDType).Label(), IDNumberMasked: b.IDMasked, Signer: subj.Name}, nil
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

// SignCommitment signs the commitment letter for an application that passed
// the credit check (R2.1, R2.2): the user must be bound to the enterprise and
// have passed a face verification within the validity window. The letter's
// text, its SHA-256, the signer and the time are stored, immutable, and its
// publication is queued in the same transaction (R2.3). It returns FORBIDDEN
// (reason FACE_VERIFICATION_REQUIRED) without a fresh verification, INVALID
// naming the field, and FAILED_PRECONDITION when the application is not
// CREDIT_CHECKED (a signed letter cannot be signed again or changed).
func (s *Service) SignCommitment(ctx context.Context, appID string, in SignInput) (models.Commitment, error) {
	a, err := auth.Require(ctx, models.RoleEnterprise)
	if err != nil {
		return models.Commitment{}, err
	}
	app, err := s.load(ctx, s.db, appID)
	if err != nil {
		return models.Commitment{}, err
	}
	b, err := s.identity.BindingFor(ctx, app.SubjectID)
	if err != nil {
		return models.Commitment{}, err
	}
	if app.Status != models.AppCreditChecked {
		return models.Commitment{}, apperr.Precondition("ILLEGAL_TRANSITION", "the application is %s; the letter is signed once, after the credit check (CREDIT_CHECKED)", app.Status).
			WithDetail("currentStatus", string(app.Status))
	}
	if err := s.identity.RequireFreshFace(ctx, b); err != nil {
		return models.Commitment{}, err
	}
	f, err := s.prefill(ctx, app, b)
	if err != nil {
		return models.Commitment{}, err
	}
	f.NoProofReason, f.Relation, f.SignedAt = strings.TrimSpace(in.NoProofReason), in.Relation, s.now().UTC()
	if err := letter.Validate(f); err != nil {
		return models.Commitment{}, err
	}
	text := letter.Text(f)
	fields, _ := json.Marshal(f)
	c := models.Commitment{ApplicationID: app.ID, SubjectID: app.SubjectID, SignerID: a.UserID, BindingID: b.ID, Fields: string(fields),
		Text: text, SHA256: letter.Hash(text), TemplateVer: letter.TemplateVersion, SignedAt: f.SignedAt}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		if err := s.transition(ctx, tx, &app, change{to: models.AppCommitmentSigned, version: in.Version, reason: "commitment signed, SHA-256 " + c.SHA256,
			set: map[string]any{"commitment_id": c.ID}}); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, "commitment:"+c.ID, KindPublishCommitment, app.ID,
			CommitmentPayload{CommitmentID: c.ID, USCC: f.USCC, Title: letter.Title + "（" + f.UnitName + "）", SHA256: c.SHA256, Text: text})
	})
	if err != nil {
		if apperr.As(err) == nil {
			err = apperr.Wrap(err, apperr.Internal, "could not store the commitment")
		}
		return models.Commitment{}, err
	}
	return c, nil
}

// CommitmentPublished completes a publication inside the outbox's
// transaction: the commitment records the publication and the application
// becomes PUBLISHED (R2.3).
func (s *Service) CommitmentPublished(ctx context.Context, tx *gorm.DB, commitmentID, publicationID string) error {
	var c models.Commitment
	if err := tx.WithContext(ctx).Where("id = ?", commitmentID).Take(&c).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "could not read the commitment")
	}
	now := s.now().UTC()
	if err := tx.WithContext(ctx).Model(&models.Commitment{}).Where("id = ?", c.ID).
		Updates(map[string]any{"publication_id": publicationID, "published_at": now}).Error; err != nil {
		return apperr.Wrap(err, apperr.Internal, "could not record the publication")
	}
	app, err := s.load(ctx, tx, c.ApplicationID)
	if err != nil {
		return err
	}
	if app.Status != models.AppCommitmentSigned {
		return nil // withdrawn or rejected meanwhile: the publication stands, the application stays
	}
	return s.transition(ctx, tx, &app, change{to: models.AppPublished, reason: "commitment published as " + publicationID})
}

// Commitment returns a signed commitment: its signer, users bound to its
// subject and staff may read it.
func (s *Service) Commitment(ctx context.Context, id string) (models.Commitment, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return models.Commitment{}, err
	}
	var c models.Commitment
	if err := s.db.WithContext(ctx).Where("id = ?", id).Limit(1).Find(&c).Error; err != nil {
		return c, apperr.Wrap(err, apperr.Internal, "could not read the commitment")
	}
	if c.ID == "" {
		return c, apperr.New(apperr.NotFound, "commitment not found")
	}
	if a.Role == models.RoleEnterprise && c.SignerID != a.UserID {
		if _, err := s.identity.BindingFor(ctx, c.SubjectID); err != nil {
			return models.Commitment{}, apperr.New(apperr.Forbidden, "not your commitment")
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
