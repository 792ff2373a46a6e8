package graph

import (
	"context"
	"errors"
	"log/slog"
	"math"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"creditwater/apperr"
	"creditwater/reqctx"
)

// ErrorPresenter maps errors to GraphQL errors with extensions.code (and
// field, reason, retryAfter, details where set). Errors that are not
// *apperr.Error are logged with the request ID and shown as "internal error":
// no SQL, no upstream text, no secret reaches a client. onCode, when not nil,
// is told each code (for metrics).
func ErrorPresenter(logger *slog.Logger, onCode func(string)) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := &gqlerror.Error{}
		var ge *gqlerror.Error
		if errors.As(err, &ge) && apperr.As(err) == nil {
			// Parse/validation errors from gqlgen itself: already safe.
			if ge.Extensions != nil && ge.Extensions["code"] != nil {
				if onCode != nil {
					onCode(toString(ge.Extensions["code"]))
				}
				return ge
			}
			if ge.Err == nil {
				return ge
			}
		}
		gqlErr.Path = graphql.GetPath(ctx)
		if ge != nil {
			gqlErr.Path = ge.Path
			gqlErr.Locations = ge.Locations
		}
		e := apperr.As(err)
		if e == nil || e.Code == apperr.Internal {
			logger.ErrorContext(ctx, "internal error", "request_id", reqctx.RequestID(ctx), "err", err.Error())
			gqlErr.Message = "internal error"
			gqlErr.Extensions = map[string]any{"code": string(apperr.Internal)}
			if e != nil && e.Message != "" {
				gqlErr.Message = "internal error: " + e.Message
			}
		} else {
			if e.Err != nil && (e.Code == apperr.Unavailable) {
				logger.WarnContext(ctx, "dependency unavailable", "request_id", reqctx.RequestID(ctx), "err", e.Err.Error())
			}
			gqlErr.Message = e.Message
			ext := map[string]any{"code": string(e.Code)}
			if e.Field != "" {
				ext["field"] = e.Field
			}
			if e.Reason != "" {
				ext["reason"] = e.Reason
			}
			if e.RetryAfter > 0 {
				ext["retryAfter"] = int(math.Ceil(e.RetryAfter.Seconds()))
			}
			if len(e.Details) > 0 {
				ext["details"] = e.Details
			}
			gqlErr.Extensions = ext
		}
		if rid := reqctx.RequestID(ctx); rid != "" {
			gqlErr.Extensions["requestId"] = rid
		}
		if onCode != nil {
			onCode(toString(gqlErr.Extensions["code"]))
		}
		return gqlErr
	}
}

func toString(v any) string {
	s, _ := v.(string)
	return s
}

// Recover turns a resolver panic into an INTERNAL error (logged by the
// presenter) instead of crashing the request.
func Recover(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "panic in resolver", "request_id", reqctx.RequestID(ctx), "panic", p)
		return apperr.New(apperr.Internal, "unexpected failure")
	}
}
