package apply

import (
	"context"

	"creditwater/apperr"
	"creditwater/auth"
	"creditwater/models"
)

// The batch reads of the dataloaders: a constant number of queries per
// batch, however many items, under the same access rules as the one-item
// reads.

// EventsOf returns the histories of the applications with the IDs by
// application ID, oldest first, under the access rule of Get (checked once
// per subject); unknown IDs are left out. It returns UNAUTHENTICATED,
// FORBIDDEN or INTERNAL.
func (s *Service) EventsOf(ctx context.Context, ids []string) (map[string][]models.ApplicationEvent, error) {
	if _, err := auth.Require(ctx); err != nil {
		return nil, err
	}
	var apps []models.Application
	if err := s.db.WithContext(ctx).Select("id", "subject_id").Where("id IN ?", ids).Find(&apps).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "could not read the applications")
	}
	out := make(map[string][]models.ApplicationEvent, len(apps))
	if len(apps) == 0 {
		return out, nil
	}
	found, subjects := make([]string, len(apps)), make([]string, len(apps))
	for i, a := range apps {
		found[i], subjects[i] = a.ID, a.SubjectID
		out[a.ID] = []models.ApplicationEvent{}
	}
	if err := s.mayActFor(ctx, subjects, "不是您企业的申请", models.ScopeApply); err != nil {
		return nil, err
	}
	var evs []models.ApplicationEvent
	if err := s.db.WithContext(ctx).Where("application_id IN ?", found).Order("id").Find(&evs).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "could not read the history")
	}
	for _, ev := range evs {
		out[ev.ApplicationID] = append(out[ev.ApplicationID], ev)
	}
	return out, nil
}

// CommitmentsOf returns the commitments with the IDs by ID under the
// access rule of Commitment (checked once per subject); unknown IDs are
// left out. It returns UNAUTHENTICATED, FORBIDDEN or INTERNAL.
func (s *Service) CommitmentsOf(ctx context.Context, ids []string) (map[string]models.Commitment, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	var cs []models.Commitment
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&cs).Error; err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "could not read the commitments")
	}
	out := make(map[string]models.Commitment, len(cs))
	subjects := make([]string, len(cs))
	for i, c := range cs {
		out[c.ID], subjects[i] = c, c.SubjectID
	}
	if a.Role == models.RoleEnterprise {
		if err := s.mayActFor(ctx, subjects, "不是您企业的承诺书", models.ScopeApply, models.ScopeView); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// mayActFor checks the access policy once for each distinct subject and
// answers FORBIDDEN with msg at the first refusal.
func (s *Service) mayActFor(ctx context.Context, subjects []string, msg string, scopes ...models.AgentScope) error {
	seen := make(map[string]bool, len(subjects))
	for _, id := range subjects {
		if seen[id] {
			continue
		}
		seen[id] = true
		if _, err := s.policy.Subject(ctx, id, scopes...); err != nil {
			return apperr.New(apperr.Forbidden, "%s", msg)
		}
	}
	return nil
}
