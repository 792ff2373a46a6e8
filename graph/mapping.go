package graph

import (
	"context"
	"slices"

	"creditwater/page"
	"creditwater/reqctx"
	"github.com/99designs/gqlgen/graphql"

	"creditwater/auth"
	"creditwater/credit"
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
	return &model.LoginPayload{Token: l.Token, ExpiresIn: int(r.SessionTTL.Seconds()), SessionExpiresAt: l.ExpiresAt, User: &l.User, NewUser: l.Created}
}

func facePayload(res enterprise.FaceResult) *model.CompleteFaceVerificationPayload {
	out := &model.CompleteFaceVerificationPayload{Outcome: model.FaceOutcome(res.Outcome), Passed: res.Passed, ValidUntil: res.ValidUntil}
	if res.Binding.ID != "" {
		out.Binding = &res.Binding
	}
	return out
}

func agentPayload(b models.EnterpriseBinding, err error) (*model.AgentPayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.AgentPayload{Binding: &b}, nil
}

// isStaff reports whether the caller has a staff role.
func isStaff(ctx context.Context) bool {
	a := reqctx.ActorFrom(ctx)
	return a != nil && a.Role.IsStaff()
}

func appPayload(app models.Application, err error) (*model.ApplicationPayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.ApplicationPayload{Application: &app}, nil
}

func ptrOrErr[T any](v T, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// uploads maps GraphQL multipart files to the domain's uploads.
func uploads(files []graphql.Upload) []credit.Upload {
	out := make([]credit.Upload, 0, len(files))
	for _, f := range files {
		out = append(out, credit.Upload{FileName: f.Filename, ContentType: f.ContentType, Size: f.Size, Body: f.File})
	}
	return out
}

// repairPayload wraps a repair mutation's result.
func repairPayload(req models.RepairRequest, err error) (*model.RepairPayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.RepairPayload{Repair: &req}, nil
}

// objectionPayload wraps an objection mutation's result.
func objectionPayload(o models.Objection, err error) (*model.ObjectionPayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.ObjectionPayload{Objection: &o}, nil
}

// listArgs checks a connection's first with the one page-size rule
// (page.First: INVALID field first outside 1–100) and tells whether the
// client selected totalCount, so that lists count only when asked.
func listArgs(ctx context.Context, first *int) (int, bool, error) {
	n, err := page.First(first)
	if err != nil {
		return 0, false, err
	}
	return n, wantsTotal(ctx), nil
}

// wantsTotal tells whether the client selected a connection's totalCount.
func wantsTotal(ctx context.Context) bool {
	return slices.Contains(graphql.CollectAllFields(ctx), "totalCount")
}

// edgeCursor is cursor() when the client selected edges.cursor on the
// connection being resolved (see wantsEdgeCursors), "" otherwise: a page
// read without per-edge cursors (the console's records, audit log and
// deadlines) does not encode one per item.
func edgeCursor(want bool, cursor func() string) string {
	if !want {
		return ""
	}
	return cursor()
}

// wantsEdgeCursors tells whether the client selected edges.cursor on the
// connection being resolved.
func wantsEdgeCursors(ctx context.Context) bool {
	opCtx := graphql.GetOperationContext(ctx)
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name != "edges" {
			continue
		}
		for _, g := range graphql.CollectFields(opCtx, f.Selections, nil) {
			if g.Name == "cursor" {
				return true
			}
		}
	}
	return false
}

// pageInfoOf is a connection's PageInfo.
func pageInfoOf(hasNext bool, endCursor string) *model.PageInfo {
	return &model.PageInfo{HasNextPage: hasNext, EndCursor: ptrIf(endCursor)}
}
