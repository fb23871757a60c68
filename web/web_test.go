package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/girder-chain/girder/web"
)

// TestHandler: pages and assets with their types, the content security policy, ETag
// revalidation, HEAD, and refusals — over real HTTP.
func TestHandler(t *testing.T) {
	srv := httptest.NewServer(web.Handler())
	defer srv.Close()
	do := func(method, path string, header ...string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	for _, c := range []struct{ path, ctype, contains string }{
		{"/", "text/html; charset=utf-8", `<script src="/app.js" defer>`},
		{"/projects/harbour-bridge", "text/html; charset=utf-8", "<main"}, // any page path: index.html
		{"/app.js", "text/javascript; charset=utf-8", "'use strict'"},
		{"/style.css", "text/css; charset=utf-8", ":root"},
	} {
		res, body := do("GET", c.path)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != c.ctype || !strings.Contains(body, c.contains) {
			t.Errorf("GET %s: %d %s, body has %q: %v", c.path, res.StatusCode, res.Header.Get("Content-Type"), c.contains, strings.Contains(body, c.contains))
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("GET %s: Content-Security-Policy %q", c.path, csp)
		}
		etag := res.Header.Get("ETag")
		if etag == "" {
			t.Errorf("GET %s: no ETag", c.path)
			continue
		}
		if res, body := do("GET", c.path, "If-None-Match", etag); res.StatusCode != http.StatusNotModified || body != "" {
			t.Errorf("GET %s with its ETag: %d, %d bytes", c.path, res.StatusCode, len(body))
		}
		if res, body := do("HEAD", c.path); res.StatusCode != 200 || body != "" || res.Header.Get("ETag") != etag {
			t.Errorf("HEAD %s: %d, %d bytes, ETag %q", c.path, res.StatusCode, len(body), res.Header.Get("ETag"))
		}
	}
	if res, _ := do("GET", "/missing.js"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /missing.js: %d, want 404", res.StatusCode)
	}
	if res, _ := do("POST", "/"); res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /: %d Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
}
