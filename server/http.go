package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"creditwater/graph"
	"creditwater/reqctx"
)

// withRequest gives every request an ID (the client's X-Request-ID only when
// it matches requestIDRE), the client IP (X-Forwarded-For only from a
// trusted proxy), a panic guard and a structured access log.
func (s *Server) withRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID(r)
		w.Header().Set("X-Request-ID", id)
		ip := s.clientIPs.of(r)
		ctx := reqctx.WithRequest(r.Context(), id, ip)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if p := recover(); p != nil {
				s.log.ErrorContext(ctx, "panic in handler", "request_id", id, "panic", p)
				writeGraphQLError(rec, r.WithContext(ctx), http.StatusInternalServerError, "INTERNAL", "内部错误")
			}
			s.log.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("request_id", id), slog.String("method", r.Method),
				slog.String("path", r.URL.Path), slog.String("client_ip", ip), slog.Int("status", rec.status), slog.Duration("duration", time.Since(start)))
		}()
		next.ServeHTTP(rec, r.WithContext(ctx))
	})
}

// withBodyLimit answers 413 for a body over the limit (multipart uploads
// have their own, larger limit): at once when Content-Length says so, and
// otherwise when the transport reads past the limit (a chunked body), which
// it answers with the same PAYLOAD_TOO_LARGE error.
func (s *Server) withBodyLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := s.cfg.HTTP.MaxBodyBytes
		if requestMediaType(r) == "multipart/form-data" {
			limit = s.cfg.HTTP.MaxUploadBytes
		}
		if r.ContentLength > limit {
			tooLarge(w, r)
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

// withSession resolves a bearer token into the request's actor, checking
// the session against the user's current state on every request (R7.1:
// disabled, demoted or ended sessions stop at once). A bad, expired or
// ended token, or a session store that cannot be reached, is remembered so
// that protected fields answer with the reason; public fields (login)
// still work.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		ctx := r.Context()
		if ok && token != "" {
			actor, err := s.auth.Authenticate(ctx, strings.TrimSpace(token))
			if err != nil {
				ctx = graph.WithAuthError(ctx, err)
			} else {
				ctx = reqctx.WithActor(ctx, actor)
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// writeGraphQLError answers a request that never reached GraphQL with one
// error (code and request ID in extensions, no "data"), in the media type
// the client accepts.
func writeGraphQLError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	ext := map[string]string{"code": code}
	if id := reqctx.RequestID(r.Context()); id != "" {
		ext["requestId"] = id
	}
	writeJSON(w, responseMediaType(r.Header.Get("Accept")), status, map[string]any{"errors": []any{map[string]any{"message": msg, "extensions": ext}}})
}

func tooLarge(w http.ResponseWriter, r *http.Request) {
	e := errPayloadTooLarge()
	writeGraphQLError(w, r, http.StatusRequestEntityTooLarge, string(e.Code), e.Message)
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, "ok\n")
}

// readyz answers 200 when the database and Redis both answer.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var problems []string
	if sqlDB, err := s.db.DB(); err != nil || sqlDB.PingContext(ctx) != nil {
		problems = append(problems, "database")
	}
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		problems = append(problems, "redis")
	}
	w.Header().Set("Content-Type", "text/plain")
	if len(problems) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "not ready: "+strings.Join(problems, ", ")+"\n")
		return
	}
	_, _ = io.WriteString(w, "ready\n")
}
