package server

import (
	"context"
	"net/http"
)

// withDeadline bounds a GraphQL request by CW_GRAPHQL_TIMEOUT. Its context
// ends when the deadline passes or when the client goes away (net/http
// cancels a request's context when the connection closes); database and
// Redis calls take that context, and querycost.StopWhenDone starts no resolver
// after it ended, so an abandoned request stops working. Errors it causes
// answer UNAVAILABLE (reason DEADLINE_EXCEEDED) with retryAfter.
func (s *Server) withDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.GraphQL.Timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
