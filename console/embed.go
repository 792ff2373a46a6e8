// Package console serves the staff console (员工工作台, R8.2): a React app
// whose built assets (dist/, built from this folder's source with
// `npm run build`) are embedded in the binary, so the server needs no
// Node.js and the page loads nothing from another host.
package console

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/unrolled/secure"
)

//go:embed all:dist
var embedded embed.FS

var dist = func() fs.FS {
	sub, err := fs.Sub(embedded, "dist")
	if err != nil {
		panic("console: embedded assets: " + err.Error())
	}
	return sub
}()

// CSP is the console's Content-Security-Policy: scripts, styles, images and
// GraphQL requests from this origin only; no inline script, no frames, no
// form posts elsewhere.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Register adds the console under /console/ to mux: the page at /console/
// (and a redirect from /console) and its assets under /console/assets/.
// Anything else under /console/ is 404.
func Register(mux *http.ServeMux) {
	withCSP := secure.New(secure.Options{ContentSecurityPolicy: CSP})
	index, err := fs.ReadFile(dist, "index.html")
	if err != nil {
		panic("console: embedded index.html: " + err.Error())
	}
	mux.Handle("GET /console", http.RedirectHandler("/console/", http.StatusMovedPermanently))
	mux.Handle("GET /console/{$}", withCSP.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(index)
	})))
	files := http.StripPrefix("/console/", http.FileServerFS(dist))
	mux.Handle("GET /console/assets/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // no directory listings
			return
		}
		// The file names carry no content hash (the build is reproducible
		// byte for byte), so browsers revalidate instead of caching for good.
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	}))
}
