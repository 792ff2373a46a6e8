// Package scalar holds the marshalers of the schema's custom scalars (Time,
// Int64, Upload), bound in gqlgen.yml. Times are written in one format (calendar.Format); input
// is checked strictly, and a malformed value is an INVALID *apperr.Error
// without a field: the error presenter (graph.ErrorPresenter) names the
// argument or input field from the error's path (R7.3).
package scalar

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"creditwater/apperr"
	"creditwater/calendar"
)

// Reason is extensions.reason of every malformed scalar value.
const Reason = "MALFORMED_VALUE"

func malformed(format string, args ...any) *apperr.Error {
	return apperr.New(apperr.Invalid, format, args...).WithReason(Reason)
}

// MarshalTime writes t in the API's one time format, calendar.Format:
// RFC 3339 with seconds and the +08:00 offset, e.g.
// "2026-03-01T08:00:00+08:00" (null for the zero time).
func MarshalTime(t time.Time) graphql.Marshaler {
	if t.IsZero() {
		return graphql.Null
	}
	return graphql.MarshalString(calendar.Format(t))
}

// UnmarshalTime reads an RFC 3339 date-time with its offset, e.g.
// "2026-03-01T08:00:00+08:00". A time without an offset is refused rather
// than guessed (UTC and Asia/Shanghai are eight hours apart). It returns
// INVALID (reason MALFORMED_VALUE) for anything else.
func UnmarshalTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, malformed("时间应为 RFC 3339 格式的字符串，例如 2026-03-01T08:00:00+08:00")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, malformed("时间 %q 不是 RFC 3339 格式（需带时区，例如 2026-03-01T08:00:00+08:00）", truncate(s))
	}
	return t, nil
}

// MarshalInt64 writes i as a JSON number.
func MarshalInt64(i int64) graphql.Marshaler { return graphql.MarshalInt64(i) }

// UnmarshalInt64 reads a whole number in int64 range, given as a number or
// a decimal string. It returns INVALID (reason MALFORMED_VALUE) for
// fractions, text and out-of-range values.
func UnmarshalInt64(v any) (int64, error) {
	var s string
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case json.Number:
		s = string(x)
	case string:
		s = x
	case float64:
		if x == float64(int64(x)) && x >= -9.2e18 && x <= 9.2e18 {
			return int64(x), nil
		}
		return 0, malformed("应为整数")
	default:
		return 0, malformed("应为整数")
	}
	i, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, malformed("%q 不是有效的整数（-9223372036854775808 到 9223372036854775807）", truncate(s))
	}
	return i, nil
}

// MarshalUpload copies the file to the response (gqlgen's encoding).
func MarshalUpload(f graphql.Upload) graphql.Marshaler { return graphql.MarshalUpload(f) }

// UnmarshalUpload accepts a file part of a multipart request (the GraphQL
// multipart request spec). It returns INVALID (reason MALFORMED_VALUE) for
// any other value, e.g. a string sent in its place.
func UnmarshalUpload(v any) (graphql.Upload, error) {
	if u, ok := v.(graphql.Upload); ok {
		return u, nil
	}
	if u, ok := v.(*graphql.Upload); ok && u != nil {
		return *u, nil
	}
	return graphql.Upload{}, malformed("应为 multipart 请求中上传的文件")
}

// truncate keeps an echoed value short.
func truncate(s string) string {
	const limit = 40
	r := []rune(s)
	if len(r) > limit {
		return string(r[:limit]) + "…"
	}
	return s
}
