package inbox

import (
	"context"

	"gorm.io/gorm"

	"creditwater/apperr"
	"creditwater/models"
)

// ToSubject posts n, in tx, to every user with an ACTIVE binding to the
// subject (its legal representative and its agents), n.SubjectID set to
// it: the inbox entry of an event that concerns an enterprise (R7.6). A
// DedupKey is made per user (key + ":" + user ID), so posting the same
// event twice posts once. It returns INTERNAL on a database failure.
func ToSubject(ctx context.Context, tx *gorm.DB, subjectID string, n models.Notice) error {
	var users []string
	err := tx.WithContext(ctx).Model(&models.EnterpriseBinding{}).
		Where("subject_id = ? AND status = ?", subjectID, models.BindingActive).
		Distinct().Order("user_id").Pluck("user_id", &users).Error
	if err != nil {
		return apperr.Wrap(err, apperr.Internal, "could not read the enterprise's users")
	}
	b := New(tx)
	for _, u := range users {
		m := n
		m.UserID, m.SubjectID = u, subjectID
		if n.DedupKey != nil {
			key := *n.DedupKey + ":" + u
			m.DedupKey = &key
		}
		if err := b.Post(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}
