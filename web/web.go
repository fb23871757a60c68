// Package web is Girder's web dashboard: a single-page app (plain HTML, CSS and JavaScript, no
// build step) embedded in the binary and served by the node's API server at "/". Every figure it
// shows comes from the REST API (/v1) and its live events; see docs/dashboard.md.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed assets
var assets embed.FS

type file struct {
	body  []byte
	ctype string
	etag  string
}

// Handler serves the dashboard: the assets by name (app.js, style.css, …) and index.html for
// "/" and for any other path (the app routes with the URL's #fragment). GET and HEAD only.
// index.html is never cached without revalidation; assets carry a content-hash ETag.
func Handler() http.Handler {
	files := map[string]file{}
	err := fs.WalkDir(assets, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := assets.ReadFile(p)
		if err != nil {
			return err
		}
		ct, ok := contentTypes[path.Ext(p)]
		if !ok {
			return fmt.Errorf("dashboard asset %s: no content type for its extension", p)
		}
		sum := sha256.Sum256(b)
		files[strings.TrimPrefix(p, "assets/")] = file{body: b, ctype: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		panic(err) // the embedded assets are fixed at build time: a bad one is a bug
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		f, ok := files[name]
		if !ok || name == "index.html" {
			if name != "" && name != "index.html" && strings.Contains(path.Base(name), ".") {
				http.NotFound(w, r) // a missing asset, not a page
				return
			}
			f, name = files["index.html"], "index.html"
		}
		h := w.Header()
		h.Set("Content-Type", f.ctype)
		h.Set("ETag", f.etag) // ServeContent answers If-None-Match with it, and HEAD
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.body))
	})
}

// contentTypes are the dashboard's asset types (an asset of another type fails the build's tests).
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
}

// contentSecurityPolicy: the dashboard runs only its own script and talks only to its own node;
// an on-chain string can never become script (a javascript: link is refused by the browser).
// Inline style attributes are allowed: the charts size their drawings with them.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
