package apisign

import (
	"net/http"
	"net/http/httptest"
	"sync"
)

// LocalServer serves a handler over real HTTP on a random local port; the
// simulators of the signed APIs embed it, so that development and tests talk
// to them exactly as to the real upstream. It is safe for concurrent use.
type LocalServer struct {
	handler http.Handler

	mu  sync.Mutex
	srv *httptest.Server
}

// NewLocalServer returns a LocalServer of h, not yet started.
func NewLocalServer(h http.Handler) *LocalServer { return &LocalServer{handler: h} }

// Handler returns the served handler, for mounting on any server.
func (l *LocalServer) Handler() http.Handler { return l.handler }

// Start serves the handler on a random local port (once) and returns its
// base URL.
func (l *LocalServer) Start() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.srv == nil {
		l.srv = httptest.NewServer(l.handler)
	}
	return l.srv.URL
}

// Close stops the server started by Start, if any.
func (l *LocalServer) Close() {
	l.mu.Lock()
	srv := l.srv
	l.srv = nil
	l.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}
