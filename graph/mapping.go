package graph

import (
	"creditwater/auth"
	"creditwater/enterprise"
	"creditwater/graph/model"
	"creditwater/models"
)

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func ptrIf(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (r *Resolver) loginPayload(l auth.Login) *model.LoginPayload {
	return &model.LoginPayload{Token: l.Token, ExpiresIn: int(r.SessionTTL.Seconds()), User: &l.User, NewUser: l.Created}
}

func facePayload(res enterprise.FaceResult) *model.CompleteFaceVerificationPayload {
	return &model.CompleteFaceVerificationPayload{Outcome: model.FaceOutcome(res.Outcome), Passed: res.Passed, ValidUntil: res.ValidUntil}
}

func appPayload(app models.Application, err error) (*model.ApplicationPayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.ApplicationPayload{Application: &app}, nil
}
