// Package graphiql serves the GraphiQL IDE (the API's playground) entirely
// from the binary: its page, its start-up script and the GraphiQL and React
// browser builds are embedded (go:embed) and served from this server's own
// paths, so the playground works on an intranet with no internet access and
// asks no other host for anything.
//
// The vendored builds are in assets/vendor/ (versions in VERSIONS); they come
// from npm with the exact versions of package.json/package-lock.json beside
// this file: `npm ci && npm run vendor` refreshes them.
//
// The page runs under a strict Content-Security-Policy: scripts, styles,
// fonts and images only from this server (fonts and images also as data:
// URLs, which GraphiQL's stylesheet embeds), requests only to this server,
// no inline script, and inline styles only with the page's per-request nonce
// (GraphiQL's dialogs add one <style> element).
package graphiql

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"github.com/unrolled/secure"
)

//go:embed assets
var embedded embed.FS

// assets is the embedded assets directory; page is its HTML template.
var (
	assets = must(fs.Sub(embedded, "assets"))
	page   = template.Must(template.ParseFS(assets, "index.html"))
	// version is a digest of every asset: asset URLs carry it, so browsers
	// may cache them for good and still get new ones after an upgrade.
	version = digest(assets)
)

// CSP is the page's Content-Security-Policy; $NONCE is the per-request nonce.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self' $NONCE; img-src 'self' data:; font-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Register mounts the GraphiQL page at GET / and its assets under
// GET /graphiql/{version}/ on mux; the page sends its queries to endpoint
// (a path on this server, e.g. "/graphql").
func Register(mux *http.ServeMux, title, endpoint string) {
	base := "/graphiql/" + version
	withCSP := secure.New(secure.Options{ContentSecurityPolicy: CSP})
	mux.Handle("GET /{$}", withCSP.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		data := struct{ Title, Base, Endpoint, Nonce string }{title, base, endpoint, secure.CSPNonce(r.Context())}
		if err := page.Execute(&b, data); err != nil {
			// Only a programming error in the embedded template gets here.
			http.Error(w, "内部错误", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(b.Bytes())
	})))
	files := http.StripPrefix(base, http.FileServerFS(assets))
	mux.Handle("GET "+base+"/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || strings.HasSuffix(r.URL.Path, ".html") {
			http.NotFound(w, r) // no directory listings, no template source
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		files.ServeHTTP(w, r)
	}))
}

func digest(fsys fs.FS) string {
	h := sha256.New()
	_ = fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func must[T any](v T, err error) T {
	if err != nil {
		panic("graphiql: embedded assets: " + err.Error())
	}
	return v
}
