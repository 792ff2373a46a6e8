package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"creditwater/apperr"
	"creditwater/graph/scalar"
	"creditwater/reqctx"
	"creditwater/store"
)

// RetryAfterOutage is the retryAfter of a storage outage or a request
// that ran out of time.
const RetryAfterOutage = 5 * time.Second

// ErrorPresenter maps errors to GraphQL errors with extensions.code (and
// field, reason, retryAfter, details where set). Errors that are not
// *apperr.Error are logged with the request ID and shown as "内部错误":
// no SQL, no upstream text, no secret reaches a client. Before that, causes
// are classified whatever code the domain wrapped them in:
//   - a malformed argument (a custom scalar, an enum in a variable) is
//     INVALID with extensions.field naming the argument or input field, e.g.
//     "from" or "input.occurredOn" (R7.3);
//   - a database or Redis outage (store.IsUnavailable) is UNAVAILABLE with
//     reason STORAGE_UNAVAILABLE and retryAfter, logged at WARN;
//   - the request's deadline (CW_GRAPHQL_TIMEOUT) is UNAVAILABLE with reason
//     DEADLINE_EXCEEDED and retryAfter, and a client that went away is
//     UNAVAILABLE with reason CANCELLED (logged at DEBUG only).
//
// onCode, when not nil, is told each code (for metrics).
func ErrorPresenter(logger *slog.Logger, onCode func(string)) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := &gqlerror.Error{}
		var ge *gqlerror.Error
		argPath := ""
		if errors.As(err, &ge) {
			argPath = argumentPath(ctx, ge)
		}
		if ge != nil && apperr.As(err) == nil && argPath == "" {
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
		e := classify(err, argPath)
		if e == nil || e.Code == apperr.Internal {
			logger.ErrorContext(ctx, "内部错误", "request_id", reqctx.RequestID(ctx), "err", err.Error())
			gqlErr.Message = "内部错误"
			gqlErr.Extensions = map[string]any{"code": string(apperr.Internal)}
			if e != nil && e.Message != "" {
				gqlErr.Message = "internal error: " + e.Message
			}
		} else {
			if e.Err != nil && e.Code == apperr.Unavailable {
				level := slog.LevelWarn
				if e.Reason == reasonCancelled {
					level = slog.LevelDebug
				}
				logger.Log(ctx, level, "依赖服务暂不可用", "request_id", reqctx.RequestID(ctx), "reason", e.Reason, "err", e.Err.Error())
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

// Reasons set by classify.
const (
	reasonStorage   = "STORAGE_UNAVAILABLE"
	reasonDeadline  = "DEADLINE_EXCEEDED"
	reasonCancelled = "CANCELLED"
)

// classify returns the *apperr.Error to present for err: the one in its
// chain, unless the cause says more (see ErrorPresenter). argPath is the
// argument at fault when err was raised while reading arguments. It never
// modifies an error in err's chain.
func classify(err error, argPath string) *apperr.Error {
	e := apperr.As(err)
	if argPath != "" {
		switch {
		case e == nil:
			return &apperr.Error{Code: apperr.Invalid, Message: "参数格式不正确", Field: argPath, Reason: scalar.Reason}
		case e.Code == apperr.Invalid && e.Field == "":
			c := *e
			c.Field = argPath
			return &c
		}
		return e
	}
	if e != nil && e.Code != apperr.Internal {
		return e
	}
	outage := func(reason, msg string) *apperr.Error {
		return &apperr.Error{Code: apperr.Unavailable, Message: msg, Reason: reason, RetryAfter: RetryAfterOutage, Err: err}
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return outage(reasonDeadline, "请求处理超时，请稍后重试")
	case errors.Is(err, context.Canceled):
		return outage(reasonCancelled, "请求已取消")
	case store.IsUnavailable(err):
		return outage(reasonStorage, "服务暂时不可用，请稍后重试")
	}
	return e
}

// argumentPath returns the argument or input field at fault ("from",
// "input.occurredOn", "input.evidence[1]") when ge was raised while the
// current field's arguments were read — its path then continues the field's
// own path — and "" otherwise.
func argumentPath(ctx context.Context, ge *gqlerror.Error) string {
	if graphql.GetFieldContext(ctx) == nil {
		return ""
	}
	field := graphql.GetPath(ctx)
	if len(ge.Path) <= len(field) {
		return ""
	}
	for i := range field {
		if ge.Path[i] != field[i] {
			return ""
		}
	}
	var b strings.Builder
	for _, el := range ge.Path[len(field):] {
		switch v := el.(type) {
		case ast.PathName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(v))
		case ast.PathIndex:
			fmt.Fprintf(&b, "[%d]", int(v))
		}
	}
	return b.String()
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
		return apperr.New(apperr.Internal, "意外故障")
	}
}
