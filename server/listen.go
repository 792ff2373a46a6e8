package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// MetricsHandler serves GET /metrics (Prometheus) and, with CW_PPROF, Go's
// profiles under /debug/pprof/ (net/http/pprof), and nothing else. It is
// not on the public handler: Run serves it on CW_METRICS_ADDR.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.handler())
	if s.cfg.HTTP.Pprof {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	return withSecurityHeaders(mux)
}

// httpServers are the listeners Run serves: the API and, unless
// CW_METRICS_ADDR is empty, the metrics.
func (s *Server) httpServers() []*http.Server {
	servers := []*http.Server{{Addr: s.cfg.HTTPAddr, Handler: s.handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}}
	if s.cfg.HTTP.MetricsAddr != "" {
		servers = append(servers, &http.Server{Addr: s.cfg.HTTP.MetricsAddr, Handler: s.MetricsHandler(),
			ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second})
	}
	return servers
}

// serve listens on every server's address first (so a taken port fails
// start-up before anything runs), starts the background workers, serves
// until ctx ends or a server fails, and then shuts every server down
// gracefully within CW_SHUTDOWN_TIMEOUT.
func (s *Server) serve(ctx context.Context, servers []*http.Server) error {
	listeners := make([]net.Listener, 0, len(servers))
	for _, srv := range servers {
		ln, err := net.Listen("tcp", srv.Addr)
		if err != nil {
			for _, l := range listeners {
				_ = l.Close()
			}
			return fmt.Errorf("server: %w", err)
		}
		listeners = append(listeners, ln)
	}
	s.Start(ctx)
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		s.log.Info("serving", "addr", listeners[i].Addr().String(), "metrics", srv.Addr == s.cfg.HTTP.MetricsAddr, "env", s.cfg.Env)
		go func() { errc <- srv.Serve(listeners[i]) }()
	}
	var failed error
	select {
	case err := <-errc:
		failed = fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.HTTP.ShutdownTimeout)
	defer cancel()
	// The background work (see Shutdown) stops with the servers.
	bg := make(chan error, 1)
	go func() { bg <- s.Shutdown(sctx) }()
	errs := []error{failed}
	for _, srv := range servers {
		if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(append(errs, <-bg)...)
}
