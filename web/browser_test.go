package web_test

// Browser tests of the dashboard (issue 11): headless Debian chromium, driven with chromedp,
// against ONE real `girder dev` node with its demo data, started for the whole file (the girder
// binary built from ./cmd/girder, run as a process). ./scripts/test installs chromium and sets
// GIRDER_CHROMIUM; in CI (env CI set) a missing chromium fails the tests, outside CI they skip.
// Screenshots of every page at 1280 and 375 px go to $GIRDER_ARTIFACTS (default
// $TMPDIR/girder-screenshots).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// installHint is how to get the browser the tests drive.
const installHint = "chromium is not installed: run `sudo apt-get update && sudo apt-get install -y chromium` (./scripts/test does it), or set GIRDER_CHROMIUM to a Chromium/Chrome binary"

type harness struct {
	work    string // temporary directory: the binary and the dev home
	bin     string // the girder binary
	home    string // the dev chain's home
	base    string // the dashboard's URL, "http://127.0.0.1:port/"
	rpc     string // the dev node's CometBFT RPC, host:port
	api     string // base + "v1"
	keys    map[string]string
	dev     *exec.Cmd
	devOut  *syncBuffer
	devDone chan struct{}

	browser       context.Context // a chromedp context whose browser is running
	cancelAlloc   context.CancelFunc
	cancelBrowser context.CancelFunc
	artifacts     string

	demoTx     string // hash of a demo tx of alice's
	demoHeight int64  // its block
}

var (
	setupOnce sync.Once
	h         *harness
	setupErr  error
	skipMsg   string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if h != nil {
		h.close()
	}
	os.Exit(code)
}

// env starts the dev node and the browser on first use; every test shares them.
func env(t *testing.T) *harness {
	t.Helper()
	setupOnce.Do(func() {
		start := time.Now()
		h, setupErr, skipMsg = setup()
		if setupErr == nil && skipMsg == "" {
			fmt.Fprintf(os.Stderr, "browser tests: girder dev with demo data and chromium ready in %s (dashboard %s)\n", time.Since(start).Round(time.Millisecond), h.base)
		}
	})
	if skipMsg != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("the browser tests never skip in CI: %s", skipMsg)
		}
		t.Skip(skipMsg)
	}
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	return h
}

func chromiumPath() string {
	if p := os.Getenv("GIRDER_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		return ""
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

func setup() (_ *harness, err error, skip string) {
	chromium := chromiumPath()
	if chromium == "" {
		if p := os.Getenv("GIRDER_CHROMIUM"); p != "" {
			return nil, nil, fmt.Sprintf("GIRDER_CHROMIUM=%s does not exist; %s", p, installHint)
		}
		return nil, nil, installHint
	}
	work, err := os.MkdirTemp("", "girder-browser-")
	if err != nil {
		return nil, err, ""
	}
	x := &harness{work: work, bin: filepath.Join(work, "girder"), home: filepath.Join(work, "home"), devOut: &syncBuffer{}, devDone: make(chan struct{})}
	defer func() {
		if err != nil {
			x.close()
		}
	}()
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	build := exec.Command(goBin, "build", "-o", x.bin, "github.com/girder-chain/girder/cmd/girder")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./cmd/girder: %v\n%s", err, out), ""
	}
	apiAddr, err := freeAddr()
	if err != nil {
		return nil, err, ""
	}
	rpcAddr, err := freeAddr()
	if err != nil {
		return nil, err, ""
	}
	p2pAddr, err := freeAddr()
	if err != nil {
		return nil, err, ""
	}
	x.rpc = rpcAddr
	x.dev = exec.Command(x.bin, "dev", "--home", x.home, "--api.address", apiAddr, "--rpc.address", rpcAddr, "--p2p.address", p2pAddr, "--no-snapshots")
	x.dev.Env = append(os.Environ(), "HOME="+work)
	x.dev.Stdout, x.dev.Stderr = x.devOut, x.devOut
	x.dev.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := x.dev.Start(); err != nil {
		return nil, err, ""
	}
	go func() { x.dev.Wait(); close(x.devDone) }()

	// The banner comes after the demo data; it names the dashboard and the keys.
	deadline := time.After(4 * time.Minute)
	for !strings.Contains(x.devOut.String(), "keys in the dev keyring") || !fileExists(filepath.Join(x.home, "demo-data-written")) {
		select {
		case <-x.devDone:
			return nil, fmt.Errorf("girder dev exited (%v) before its banner:\n%s", x.dev.ProcessState, x.devOut.String()), ""
		case <-deadline:
			return nil, fmt.Errorf("girder dev printed no banner with demo data in 4 min:\n%s", x.devOut.String()), ""
		case <-time.After(200 * time.Millisecond):
		}
	}
	time.Sleep(300 * time.Millisecond) // the rest of the banner
	out := x.devOut.String()
	if m := regexp.MustCompile(`(?m)^\s*Dashboard\s+(http://\S+?)/?\s`).FindStringSubmatch(out); m != nil {
		x.base = m[1] + "/"
	} else {
		return nil, fmt.Errorf("girder dev's banner names no Dashboard URL (web-spec: `Dashboard http://127.0.0.1:1317/`):\n%s", out), ""
	}
	x.api = x.base + "v1"
	if want := "demo project " + x.base + "#/projects/harbour-bridge"; !strings.Contains(out, want) {
		return nil, fmt.Errorf("girder dev's banner lacks %q:\n%s", want, out), ""
	}
	x.keys = map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s{4}(\w+)\s+(gir1[0-9a-z]+)`).FindAllStringSubmatch(out, -1) {
		x.keys[m[1]] = m[2]
	}
	if x.keys["alice"] == "" || x.keys["bob"] == "" {
		return nil, fmt.Errorf("no alice and bob in girder dev's banner:\n%s", out), ""
	}
	// A demo tx of alice's (her offering subscription, her vote, her passes) and its block.
	var txs struct {
		Txs []struct {
			Hash   string `json:"hash"`
			Height int64  `json:"height"`
		} `json:"txs"`
	}
	if err := x.get("/accounts/"+x.keys["alice"]+"/txs", &txs); err != nil || len(txs.Txs) == 0 {
		return nil, fmt.Errorf("alice's demo txs: %+v %v", txs, err), ""
	}
	x.demoTx, x.demoHeight = txs.Txs[len(txs.Txs)-1].Hash, txs.Txs[len(txs.Txs)-1].Height

	x.artifacts = os.Getenv("GIRDER_ARTIFACTS")
	if x.artifacts == "" {
		x.artifacts = filepath.Join(os.TempDir(), "girder-screenshots")
	}
	if x.artifacts, err = filepath.Abs(x.artifacts); err != nil {
		return nil, err, ""
	}
	if err := os.MkdirAll(x.artifacts, 0o755); err != nil {
		return nil, err, ""
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.Headless,
		chromedp.WindowSize(1280, 900), chromedp.UserDataDir(filepath.Join(work, "chromium")))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // chromium refuses its sandbox as root
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	x.cancelAlloc = cancelAlloc
	x.browser, x.cancelBrowser = chromedp.NewContext(allocCtx)
	if err := chromedp.Do(x.browser); err != nil { // starts the browser (no timeout: it would stop it)
		return nil, fmt.Errorf("start %s: %v", chromium, err), ""
	}
	return x, nil, ""
}

func (x *harness) close() {
	if x.cancelBrowser != nil {
		x.cancelBrowser()
	}
	if x.cancelAlloc != nil {
		x.cancelAlloc()
	}
	if x.dev != nil && x.dev.Process != nil {
		syscall.Kill(-x.dev.Process.Pid, syscall.SIGTERM)
		select {
		case <-x.devDone:
		case <-time.After(15 * time.Second):
			syscall.Kill(-x.dev.Process.Pid, syscall.SIGKILL)
			<-x.devDone
		}
	}
	os.RemoveAll(x.work)
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// get decodes the API's answer to GET /v1<path>.
func (x *harness) get(path string, v any) error {
	resp, err := http.Get(x.api + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /v1%s: %s: %s", path, resp.Status, b)
	}
	return json.Unmarshal(b, v)
}

func (x *harness) mustGet(t *testing.T, path string, v any) {
	t.Helper()
	if err := x.get(path, v); err != nil {
		t.Fatal(err)
	}
}

// send sends GRD from one dev key to another with the CLI and the dev keyring, and returns the
// committed tx's hash.
func (x *harness) send(t *testing.T, from, to, amount string) string {
	t.Helper()
	return x.tx(t, "bank", "send", from, to, amount)
}

// tx runs `girder tx <args>` against the dev node with the dev keyring, requires a committed
// success and returns its hash.
func (x *harness) tx(t *testing.T, args ...string) string {
	t.Helper()
	args = append(append([]string{"tx"}, args...), "--home", x.home, "--keyring-backend", "test", "--node", "tcp://"+x.rpc, "-o", "json")
	cmd := exec.Command(x.bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+x.work)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("girder %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	var r struct {
		Hash string `json:"hash"`
		Code int    `json:"code"`
	}
	if err := json.Unmarshal(out, &r); err != nil || r.Hash == "" || r.Code != 0 {
		t.Fatalf("girder %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return r.Hash
}

// tab is one browser tab with what its page wrote to the console.
type tab struct {
	ctx    context.Context
	mu     sync.Mutex
	msgs   []chromedp.ConsoleMessage
	width  int
	cancel context.CancelFunc
}

// open loads the dashboard at a hash route (e.g. "/projects") in a new tab of the given width,
// and waits for its page's data-ready="true".
func (x *harness) open(t *testing.T, route string, width int) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(x.browser)
	tb := &tab{ctx: ctx, width: width, cancel: cancel}
	t.Cleanup(cancel)
	msgs := chromedp.Console(ctx) // opens the tab; subscribes before the page loads
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.msgs = append(tb.msgs, m)
			tb.mu.Unlock()
		}
	}()
	tb.do(t, chromedp.EmulateViewport(int64(width), 900))
	ctx2, cancel2 := context.WithTimeout(ctx, 45*time.Second)
	defer cancel2()
	resp, err := chromedp.RunResponse(ctx2, chromedp.Navigate(x.base+"#"+route))
	if err != nil {
		t.Fatalf("open %s#%s: %v", x.base, route, err)
	}
	if resp != nil && resp.Status != http.StatusOK {
		t.Fatalf("GET %s answered %d %s: is the dashboard mounted at / (web.Handler)?", x.base, resp.Status, resp.StatusText)
	}
	tb.waitReady(t, route)
	return tb
}

// do runs steps with a time limit.
func (tb *tab) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%v%s", err, tb.consoleText())
	}
}

// eval evaluates a JS expression (its value as JSON into T).
func eval[T any](t *testing.T, tb *tab, js string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// poll waits until the JS expression is truthy.
func (tb *tab) poll(t *testing.T, what, js string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, timeout+5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(timeout))); err != nil {
		loc, _ := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`location.hash + " data-ready=" + ((document.querySelector("main")||{}).dataset||{}).ready`))
		t.Fatalf("%s: not within %s (page %s): %v%s", what, timeout, loc, err, tb.consoleText())
	}
}

const readyJS = `document.querySelector('main[data-ready="true"]') !== null`

func (tb *tab) waitReady(t *testing.T, route string) {
	t.Helper()
	tb.poll(t, "#"+route+" data-ready=\"true\" on <main>", readyJS, 20*time.Second)
}

func (tb *tab) consoleText() string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var b strings.Builder
	for _, m := range tb.msgs {
		fmt.Fprintf(&b, "\n  console %s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line)
	}
	return b.String()
}

// consoleErrors fails t with every console error and uncaught exception the page had.
func (tb *tab) consoleErrors(t *testing.T) {
	t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, m := range tb.msgs {
		if m.Type == chromedp.ConsoleError || m.IsException() {
			where := m.URL
			if m.Exception != nil && m.Stack == nil && m.Exception.StackTrace != nil {
				where += " (stack)"
			}
			t.Errorf("console %s: %s at %s:%d", m.Type, m.Text, where, m.Line+1)
		}
	}
}

func (tb *tab) screenshot(t *testing.T, x *harness, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	// Let the page lay out what it rendered last (two animation frames) before measuring it.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(document.documentElement.scrollHeight))))`,
		chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("screenshot: layout: %v", err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	p := filepath.Join(x.artifacts, fmt.Sprintf("%s-%d.png", name, tb.width))
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", p)
}

// sel is the CSS selector of a data-testid.
func sel(testid string) string { return fmt.Sprintf(`[data-testid="%s"]`, testid) }

// text is the trimmed text of the first element with the testid ("" when there is none).
func text(t *testing.T, tb *tab, testid string) string {
	t.Helper()
	return strings.TrimSpace(eval[string](t, tb, fmt.Sprintf(`(document.querySelector(%q)||{textContent:""}).textContent`, sel(testid))))
}

func count(t *testing.T, tb *tab, testid string) int {
	t.Helper()
	return eval[int](t, tb, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel(testid)))
}

// item is an element's text and data-* attributes.
type item struct {
	Text string            `json:"text"`
	Data map[string]string `json:"data"`
}

func items(t *testing.T, tb *tab, testid string) []item {
	t.Helper()
	return eval[[]item](t, tb, fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).map(e => ({text: e.textContent.trim(), data: Object.assign({}, e.dataset)}))`, sel(testid)))
}

// page is a dashboard page: its route, and the testids it must show with the demo data.
type page struct {
	name, route string
	testids     []string
}

var common = []string{"nav-overview", "nav-projects", "nav-portfolio", "nav-compliance", "nav-explorer", "search-input", "search-submit", "page-title"}

func (x *harness) pages() []page {
	alice := x.keys["alice"]
	return []page{
		{"overview", "/", []string{"chain-id", "height", "block-interval", "tx-rate", "validators", "base-fee", "burnt", "overview-project", "block-time-chart", "recent-blocks", "block-row", "recent-txs"}},
		{"projects", "/projects", []string{"project-row"}},
		{"project", "/projects/harbour-bridge", []string{"project-name", "token", "supply", "offering-chart", "offering-raised", "offering-soft-cap", "offering-hard-cap",
			"milestone", "document", "stakeholder", "treasury-balance", "distribution", "pass-class", "proposal"}},
		{"portfolio", "/portfolio/" + alice, []string{"holding", "claimable", "pass", "vote", "history"}},
		{"compliance", "/compliance", []string{"flow-chart"}},
		{"explorer", "/explorer", []string{"block-row", "tx-row"}},
		{"block", "/blocks/" + strconv.FormatInt(x.demoHeight, 10), []string{"block-height", "block-txs"}},
		{"tx", "/txs/" + x.demoTx, []string{"tx-hash", "tx-msgs", "tx-events", "tx-result", "tx-replay", "tx-changes", "tx-change"}},
		{"account", "/accounts/" + alice, []string{"account-address", "account-balance"}},
	}
}

// TestPages: every page loads to data-ready="true" at 1280 and at 375 px with the contract's
// testids, no console error and no uncaught exception; at 375 px nothing overflows sideways and
// the nav links are reachable; a full-page screenshot of each.
func TestPages(t *testing.T) {
	x := env(t)
	t.Logf("screenshots in %s", x.artifacts)
	for _, p := range x.pages() {
		for _, width := range []int{1280, 375} {
			t.Run(fmt.Sprintf("%s-%d", p.name, width), func(t *testing.T) {
				start := time.Now()
				tb := x.open(t, p.route, width)
				loaded := time.Since(start)
				var missing []string
				for _, id := range append(append([]string{}, common...), p.testids...) {
					if count(t, tb, id) == 0 {
						missing = append(missing, id)
					}
				}
				if len(missing) > 0 {
					t.Errorf("#%s has no element with data-testid %s", p.route, strings.Join(missing, ", "))
				}
				if title := text(t, tb, "page-title"); title == "" {
					t.Errorf("#%s: empty page-title", p.route)
				}
				// No value leaked as "null", "undefined", "NaN" or "[object Object]" (outside code
				// and JSON blocks, where null is a value).
				if junk := eval[[]string](t, tb, junkTextJS); len(junk) > 0 {
					t.Errorf("#%s at %d px shows placeholder text: %q", p.route, width, junk)
				}
				if width == 375 {
					sw := eval[int](t, tb, `document.documentElement.scrollWidth`)
					if sw > 375 {
						wide := eval[[]string](t, tb, `Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > 376).slice(0, 8).map(e => e.tagName.toLowerCase() + (e.dataset.testid ? "[data-testid=" + e.dataset.testid + "]" : "") + (e.className && typeof e.className === "string" ? "." + e.className.split(" ").join(".") : "") + " right=" + Math.round(e.getBoundingClientRect().right))`)
						t.Errorf("#%s at 375 px: document.documentElement.scrollWidth %d > 375; wider elements: %v", p.route, sw, wide)
					}
					navUsable(t, tb)
				}
				tb.screenshot(t, x, p.name)
				tb.consoleErrors(t)
				t.Logf("#%s at %d px: ready in %s", p.route, width, loaded.Round(time.Millisecond))
			})
		}
	}
}

// junkTextJS lists text nodes of <main> (outside pre and code) that read null, undefined, NaN or
// [object Object]: a value the page failed to format.
const junkTextJS = `(() => {
	const w = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT), bad = [];
	for (let n = w.nextNode(); n; n = w.nextNode()) {
		if (n.parentElement.closest('pre,code')) continue;
		if (/(^|[\s(:])(null|undefined|NaN|\[object Object\])($|[\s),.])/.test(n.textContent)) bad.push(n.textContent.trim().slice(0, 80));
	}
	return bad;
})()`

// navUsable: each nav link is visible inside the 375 px viewport, at once or after its menu
// button is pressed.
func navUsable(t *testing.T, tb *tab) {
	t.Helper()
	const visible = `["nav-overview","nav-projects","nav-portfolio","nav-compliance","nav-explorer"].filter(id => {
		const e = document.querySelector('[data-testid="' + id + '"]'); if (!e) return true;
		const r = e.getBoundingClientRect(), s = getComputedStyle(e);
		return !(r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= innerWidth + 0.5 && s.visibility !== "hidden");
	})`
	hidden := eval[[]string](t, tb, visible)
	if len(hidden) == 0 {
		return
	}
	// A menu toggle: a button that controls the nav.
	pressed := eval[bool](t, tb, `(() => { const b = document.querySelector('button[aria-controls], button[aria-expanded], [data-testid="nav-toggle"]'); if (!b) return false; b.click(); return true })()`)
	if pressed {
		time.Sleep(300 * time.Millisecond)
		hidden = eval[[]string](t, tb, visible)
	}
	if len(hidden) > 0 {
		t.Errorf("at 375 px the nav links %v are not visible inside the viewport (menu button found: %v)", hidden, pressed)
	}
}

// amount parses the first number of a formatted amount ("1,200,000 BRIDGE", "2 500 000,00 EURt"
// is not expected: the dashboard uses the CLI's format, comma thousands and a point).
var numberRE = regexp.MustCompile(`[0-9][0-9,\x{202f}\x{a0}' ]*(\.[0-9]+)?`)

func parseAmount(s string) (*big.Rat, bool) {
	m := numberRE.FindString(s)
	if m == "" {
		return nil, false
	}
	clean := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '.' {
			return r
		}
		return -1
	}, m)
	r, ok := new(big.Rat).SetString(clean)
	return r, ok
}

type unit struct {
	Base     string `json:"base"`
	Display  string `json:"display"`
	Exponent int    `json:"exponent"`
}

func (x *harness) units(t *testing.T) map[string]unit {
	var us []unit
	x.mustGet(t, "/denoms", &us)
	m := map[string]unit{}
	for _, u := range us {
		m[u.Base] = u
	}
	return m
}

// display is amount (in base units of denom, a decimal string) in display units.
func display(t *testing.T, amount string, u unit) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(amount)
	if !ok {
		t.Fatalf("amount %q", amount)
	}
	return r.Quo(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(u.Exponent)), nil)))
}

// shows reports whether text is one of the amounts, in their display unit.
func shows(text string, want ...*big.Rat) bool {
	got, ok := parseAmount(text)
	if !ok {
		return false
	}
	for _, w := range want {
		if got.Cmp(w) == 0 {
			return true
		}
	}
	return false
}

// TestFiguresEqualAPI: what the pages show is what the API answers.
func TestFiguresEqualAPI(t *testing.T) {
	x := env(t)
	units := x.units(t)
	t.Run("overview", func(t *testing.T) {
		var before struct {
			ChainID string `json:"chain_id"`
			Height  int64  `json:"latest_block_height"`
		}
		x.mustGet(t, "/status", &before)
		tb := x.open(t, "/", 1280)
		if got := text(t, tb, "chain-id"); got != before.ChainID {
			t.Errorf("chain-id %q, API %q", got, before.ChainID)
		}
		var vals struct {
			Total int `json:"total"`
		}
		x.mustGet(t, "/validators", &vals)
		if got := text(t, tb, "validators"); !strings.HasPrefix(got, strconv.Itoa(vals.Total)) || vals.Total != 1 {
			t.Errorf("validators %q, API %d (girder dev has one)", got, vals.Total)
		}
		// The projects at a glance: the API's projects, milestones released, the offering raised.
		var ps struct {
			Projects []struct {
				ID string `json:"id"`
			} `json:"projects"`
		}
		x.mustGet(t, "/projects?limit=6", &ps)
		rows := items(t, tb, "overview-project")
		if len(rows) != len(ps.Projects) || len(rows) == 0 {
			t.Errorf("overview lists %d projects, API %d", len(rows), len(ps.Projects))
		}
		for i, r := range rows {
			if i >= len(ps.Projects) || r.Data["id"] != ps.Projects[i].ID {
				t.Errorf("overview project %d is %q, API %+v", i, r.Data["id"], ps.Projects)
				continue
			}
			var ms []struct {
				Status string `json:"status"`
			}
			x.mustGet(t, "/projects/"+r.Data["id"]+"/milestones", &ms)
			released := 0
			for _, m := range ms {
				if m.Status == "released" {
					released++
				}
			}
			if r.Data["released"] != strconv.Itoa(released) || r.Data["milestones"] != strconv.Itoa(len(ms)) || !strings.Contains(r.Text, fmt.Sprintf("%d of %d milestones released", released, len(ms))) {
				t.Errorf("overview project %s: %q (data %v), API %d of %d released", r.Data["id"], r.Text, r.Data, released, len(ms))
			}
		}
		if len(rows) > 0 && rows[0].Data["id"] == "harbour-bridge" {
			var o struct {
				Raised string `json:"raised"`
				Cash   string `json:"cash"`
			}
			x.mustGet(t, "/offerings/1", &o)
			want := display(t, o.Raised, units[o.Cash])
			if _, after, ok := strings.Cut(rows[0].Text, "raised "); !ok || !shows(after, want) || !strings.Contains(after, units[o.Cash].Display) {
				t.Errorf("overview harbour-bridge %q, API raised %s %s", rows[0].Text, want.FloatString(0), units[o.Cash].Display)
			}
		}
		h1 := pageHeight(t, tb)
		var after struct {
			Height int64 `json:"latest_block_height"`
		}
		x.mustGet(t, "/status", &after)
		if h1 < before.Height || h1 > after.Height {
			t.Errorf("height %d on the page, API's latest %d before the page loaded and %d after", h1, before.Height, after.Height)
		}
		// Live: the height follows the chain without a reload (a block every ~0.2 s).
		tb.poll(t, "the overview's height grows without reload", fmt.Sprintf(`parseInt((document.querySelector(%q)||{textContent:""}).textContent.replace(/[^0-9]/g, "")) > %d`, sel("height"), h1+2), 15*time.Second)
		tb.consoleErrors(t)
	})
	t.Run("project", func(t *testing.T) {
		var p struct {
			Name     string `json:"name"`
			Security string `json:"security"`
		}
		x.mustGet(t, "/projects/harbour-bridge", &p)
		var o struct {
			Security string `json:"security"`
			Cash     string `json:"cash"`
			PriceNum int64  `json:"price_num"`
			PriceDen int64  `json:"price_den"`
			SoftCap  string `json:"soft_cap"`
			HardCap  string `json:"hard_cap"`
			Raised   string `json:"raised"`
		}
		x.mustGet(t, "/offerings/1", &o)
		var ms []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		}
		x.mustGet(t, "/projects/harbour-bridge/milestones", &ms)
		tb := x.open(t, "/projects/harbour-bridge", 1280)
		if got := text(t, tb, "project-name"); !strings.Contains(got, p.Name) {
			t.Errorf("project-name %q, API %q", got, p.Name)
		}
		if got, sec := text(t, tb, "token"), units[p.Security].Display; !strings.Contains(got, sec) {
			t.Errorf("token %q, API's security %s (%s)", got, p.Security, sec)
		}
		cash, sec := units[o.Cash], units[o.Security]
		raised := display(t, o.Raised, cash)
		if got := text(t, tb, "offering-raised"); !shows(got, raised) || !strings.Contains(got, cash.Display) {
			t.Errorf("offering-raised %q, API %s %s", got, raised.FloatString(cash.Exponent), cash.Display)
		}
		// Caps are in the security's units; the page may show them so or as cash at the price.
		for id, c := range map[string]string{"offering-soft-cap": o.SoftCap, "offering-hard-cap": o.HardCap} {
			inSec := display(t, c, sec)
			base, _ := new(big.Rat).SetString(c)
			inCash := new(big.Rat).Mul(base, big.NewRat(o.PriceNum, o.PriceDen))
			inCash.Quo(inCash, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(cash.Exponent)), nil)))
			if got := text(t, tb, id); !(shows(got, inSec) && strings.Contains(got, sec.Display)) && !(shows(got, inCash) && strings.Contains(got, cash.Display)) {
				t.Errorf("%s %q, API %s %s (%s %s at the offering's price)", id, got, inSec.FloatString(0), sec.Display, inCash.FloatString(cash.Exponent), cash.Display)
			}
		}
		got := map[string]string{}
		for _, it := range items(t, tb, "milestone") {
			got[it.Data["id"]] = it.Data["status"]
		}
		want := map[string]string{}
		for _, m := range ms {
			want[m.ID] = m.Status
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("milestones (data-id: data-status) %v, API %v", got, want)
		}
		if want["design-approval"] != "released" || got["design-approval"] != "released" {
			t.Errorf("design-approval: page %q, API %q, want released", got["design-approval"], want["design-approval"])
		}
		// The demo proposal's tally (the DAO's votes in BRIDGE).
		var prop struct {
			DAO   string            `json:"dao"`
			Tally map[string]string `json:"tally"`
		}
		x.mustGet(t, "/governance/proposals/1", &prop)
		for _, k := range []string{"yes", "no", "abstain", "veto"} {
			amt := prop.Tally[k]
			if amt == "" {
				amt = "0"
			}
			u := units[prop.DAO]
			if got := text(t, tb, "tally-"+k); !shows(got, display(t, amt, u)) {
				t.Errorf("tally-%s %q, API %s %s", k, got, display(t, amt, u).FloatString(0), u.Display)
			}
		}
		tb.consoleErrors(t)
	})
	t.Run("portfolio", func(t *testing.T) {
		alice := x.keys["alice"]
		var bal struct {
			Balances []struct {
				Denom  string `json:"denom"`
				Amount string `json:"amount"`
			} `json:"balances"`
		}
		x.mustGet(t, "/accounts/"+alice+"/balances", &bal)
		var ent struct {
			Net struct {
				Denom  string `json:"denom"`
				Amount string `json:"amount"`
			} `json:"net"`
		}
		x.mustGet(t, "/distributions/entitlements/1/"+alice, &ent)
		tb := x.open(t, "/portfolio/"+alice, 1280)
		// Her dividend of distribution 1, net of the German withholding.
		net := display(t, ent.Net.Amount, units[ent.Net.Denom])
		var claim *item
		for _, it := range items(t, tb, "claimable") {
			if it.Data["id"] == "1" {
				claim = &it
			}
		}
		if claim == nil || !strings.Contains(strings.ReplaceAll(claim.Text, ",", ""), net.FloatString(units[ent.Net.Denom].Exponent)) {
			t.Errorf("claimable of distribution 1: %+v, API's net entitlement %s %s", claim, net.FloatString(units[ent.Net.Denom].Exponent), units[ent.Net.Denom].Display)
		}
		holdings := items(t, tb, "holding")
		checked := false
		for _, b := range bal.Balances {
			if b.Denom != "ubridge" {
				continue
			}
			checked = true
			u := units[b.Denom]
			want := display(t, b.Amount, u)
			var found *item
			for i := range holdings {
				if d := holdings[i].Data["denom"]; d == b.Denom || d == u.Display {
					found = &holdings[i]
				}
			}
			switch {
			case found == nil:
				t.Errorf("no holding with data-denom %s among %+v", b.Denom, holdings)
			case !shows(found.Text, want) || !strings.Contains(found.Text, u.Display):
				t.Errorf("alice's %s holding %q, API %s %s", u.Display, found.Text, want.FloatString(0), u.Display)
			}
		}
		if !checked {
			t.Errorf("the API shows no BRIDGE (ubridge) for alice: %+v", bal)
		}
		tb.consoleErrors(t)
	})
}

func pageHeight(t *testing.T, tb *tab) int64 {
	t.Helper()
	s := text(t, tb, "height")
	n, err := strconv.ParseInt(strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s), 10, 64)
	if err != nil {
		t.Fatalf("height %q: %v", s, err)
	}
	return n
}

// TestLiveTx: a tx sent while the overview and the explorer are open appears on both without a
// reload.
func TestLiveTx(t *testing.T) {
	x := env(t)
	overview := x.open(t, "/", 1280)
	explorer := x.open(t, "/explorer", 1280)
	for _, tb := range []*tab{overview, explorer} { // gone if the page reloads
		eval[bool](t, tb, `window.__girderNoReload = true`)
	}
	hash := x.send(t, "alice", x.keys["bob"], "1.5GRD")
	t.Logf("sent %s", hash)
	for name, tb := range map[string]*tab{"overview": overview, "explorer": explorer} {
		js := fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).some(e => (e.dataset.hash||"").toUpperCase() === %q)`, sel("tx-row"), strings.ToUpper(hash))
		start := time.Now()
		tb.poll(t, name+": tx-row of the new tx appears without reload", js, 15*time.Second)
		if !eval[bool](t, tb, `window.__girderNoReload === true`) {
			t.Errorf("%s reloaded to show the tx", name)
		}
		t.Logf("%s shows the tx %s after %s", name, hash[:8], time.Since(start).Round(time.Millisecond))
		tb.consoleErrors(t)
	}
}

// TestSearch: the search box takes a height, a tx hash, an address and a project id.
func TestSearch(t *testing.T) {
	x := env(t)
	alice := x.keys["alice"]
	h := strconv.FormatInt(x.demoHeight, 10)
	for _, c := range []struct{ query, route, testid, want string }{
		{h, "#/blocks/" + h, "block-height", h},
		{x.demoTx, "#/txs/", "tx-hash", x.demoTx},
		{strings.ToLower(x.demoTx), "#/txs/", "tx-hash", x.demoTx},
		{alice, "#/", "", alice}, // accounts or portfolio
		{"harbour-bridge", "#/projects/harbour-bridge", "project-name", "Harbour Bridge"},
	} {
		t.Run(c.query, func(t *testing.T) {
			tb := x.open(t, "/explorer", 1280)
			tb.do(t, chromedp.Click(sel("search-input"), chromedp.NodeVisible), chromedp.SendKeys(sel("search-input"), c.query), chromedp.Click(sel("search-submit"), chromedp.NodeVisible))
			cond := fmt.Sprintf(`location.hash.toLowerCase().startsWith(%q) && location.hash !== "#/explorer" && %s`, strings.ToLower(c.route), readyJS)
			if c.testid != "" {
				cond += fmt.Sprintf(` && (e => e !== null && e.textContent.replace(/,/g, "").toUpperCase().includes(%q))(document.querySelector(%q))`, strings.ToUpper(c.want), sel(c.testid))
			}
			tb.poll(t, fmt.Sprintf("search %q → %s… showing %s %q", c.query, c.route, c.testid, c.want), cond, 15*time.Second)
			if loc := eval[string](t, tb, "location.hash"); c.testid == "" && loc != "#/accounts/"+alice && loc != "#/portfolio/"+alice {
				t.Errorf("search %q → %s, want #/accounts/%s or #/portfolio/%s", c.query, loc, alice, alice)
			}
			tb.consoleErrors(t)
		})
	}
}

// TestKeyboard: from the top of the page, Tab reaches the search input and every nav link, and
// Enter on a focused nav link navigates.
func TestKeyboard(t *testing.T) {
	x := env(t)
	tb := x.open(t, "/", 1280)
	want := map[string]bool{"search-input": false, "nav-overview": false, "nav-projects": false, "nav-portfolio": false, "nav-compliance": false, "nav-explorer": false}
	var order []string
	for i := 0; i < 40; i++ {
		tb.do(t, chromedp.KeyEvent("\t"))
		id := eval[string](t, tb, `(document.activeElement && document.activeElement.dataset && document.activeElement.dataset.testid) || (document.activeElement ? document.activeElement.tagName.toLowerCase() : "")`)
		order = append(order, id)
		if _, ok := want[id]; ok {
			want[id] = true
		}
		done := true
		for _, v := range want {
			done = done && v
		}
		if done {
			break
		}
	}
	for id, ok := range want {
		if !ok {
			t.Errorf("Tab never reached %s (focus went %v)", id, order)
		}
	}
	if t.Failed() {
		return
	}
	// On a fresh page, Tab to the Projects link; Enter opens the projects page.
	tb = x.open(t, "/", 1280)
	for i := 0; i < 40 && eval[string](t, tb, `(document.activeElement.dataset||{}).testid || ""`) != "nav-projects"; i++ {
		tb.do(t, chromedp.KeyEvent("\t"))
	}
	if id := eval[string](t, tb, `(document.activeElement.dataset||{}).testid || ""`); id != "nav-projects" {
		t.Fatalf("Tab from the top never focused nav-projects (focus on %q)", id)
	}
	// Focus is visible on the keyboard-focused link: an outline or a ring.
	if ring := eval[string](t, tb, `(() => { const s = getComputedStyle(document.activeElement); return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none" ? "" : "outline " + s.outlineStyle + " " + s.outlineWidth + ", box-shadow " + s.boxShadow })()`); ring != "" {
		t.Errorf("the focused nav-projects link shows no focus ring (%s)", ring)
	}
	tb.do(t, chromedp.KeyEvent("\r"))
	tb.poll(t, "Enter on nav-projects opens #/projects", `location.hash === "#/projects" && `+readyJS, 10*time.Second)
	outline := eval[string](t, tb, `(() => { const e = document.activeElement; if (!e || e === document.body) return "none"; const s = getComputedStyle(e); return s.outlineStyle + " " + s.outlineWidth + " " + s.boxShadow })()`)
	t.Logf("Tab order: %v; focus style after navigation: %s", order, outline)
	tb.consoleErrors(t)
}
