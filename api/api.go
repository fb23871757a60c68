// Package api is Girder's REST/JSON API, served by every node under /v1: node status, blocks,
// txs, accounts and module queries, broadcast and simulate, live events (server-sent events),
// and its own OpenAPI 3 description. It talks to the node through CometBFT's RPC client
// interface (in-process in a node), so modules never see HTTP: they publish query routes as data
// (chain.QueryRoute) and the API serves and describes them.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	rpcclient "github.com/cometbft/cometbft/rpc/client"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/tx"
)

// Config are the API server's settings.
type Config struct {
	// Addr is host:port to listen on (default 127.0.0.1:1317).
	Addr string
	// ReadOnly refuses broadcast (a regulator's node).
	ReadOnly bool
	// CORSOrigins lists the origins browsers may call the API from; empty: CORS off.
	CORSOrigins []string
	// MaxBodyBytes caps request bodies (default 1 MiB).
	MaxBodyBytes int64
	// Timeout bounds each non-streaming request (default 15 s).
	Timeout time.Duration
	// MaxPageSize caps list pages (default 100).
	MaxPageSize int
	// SSEBuffer is the number of events a slow live-event client may lag behind before it is
	// disconnected (it resumes with Last-Event-ID, missing nothing; default 1024).
	SSEBuffer int
	// Dashboard, when set, answers GET and HEAD of every path outside /v1 (the web dashboard,
	// package web); nil: no dashboard, those paths are 404 problems like any unknown route.
	Dashboard http.Handler
}

// DefaultAddr is where a node serves the API unless told otherwise.
const DefaultAddr = "127.0.0.1:1317"

func (c *Config) defaults() {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.Timeout == 0 {
		c.Timeout = 15 * time.Second
	}
	if c.MaxPageSize == 0 {
		c.MaxPageSize = 100
	}
	if c.SSEBuffer == 0 {
		c.SSEBuffer = 1024
	}
}

// Param describes a path or query parameter of a route.
type Param struct {
	Name        string
	In          string // "path" or "query"
	Description string
	Required    bool
}

// Route is one API endpoint. The mux and the OpenAPI description are both built from the
// server's routes, so they cannot disagree.
type Route struct {
	Method      string
	Path        string // under /v1, with {params}
	Summary     string
	Tag         string
	Params      []Param
	Body        any // a value of the request body's type (nil: none)
	Response    any // a value of the answer's type (nil: see Stream / raw)
	Stream      bool
	ContentType string // of the answer, when not application/json
	Handler     func(w http.ResponseWriter, r *http.Request) (any, error)
}

// Server serves the API of one node.
type Server struct {
	cfg     Config
	rpc     rpcclient.Client
	reg     *tx.Registry
	routes  []Route
	mux     *http.ServeMux
	http    *http.Server
	events  *hub
	started time.Time
	// replays: one committed tx's state changes are computed at a time (each holds the node's
	// query lock); answers are kept by tx hash (a committed tx's changes never change).
	replaySlot  chan struct{}
	replayCache *lru.Cache[string, TxChanges]
}

// New builds the API over a node's RPC client. modules are the chain's modules; those that
// publish query routes are served under their paths.
func New(cfg Config, rpc rpcclient.Client, reg *tx.Registry, modules []chain.Module) *Server {
	cfg.defaults()
	s := &Server{cfg: cfg, rpc: rpc, reg: reg, mux: http.NewServeMux(), replaySlot: make(chan struct{}, 1)}
	s.replayCache, _ = lru.New[string, TxChanges](replayCacheSize)
	s.events = newHub(s)
	s.routes = append(s.coreRoutes(), s.moduleRoutes(modules)...)
	s.routes = append(s.routes, s.eventRoutes()...)
	s.routes = append(s.routes, s.docRoutes()...)
	for _, r := range s.routes {
		s.mux.Handle(r.Method+" /v1"+r.Path, s.wrap(r))
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Dashboard != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
			r.URL.Path != "/v1" && !strings.HasPrefix(r.URL.Path, "/v1/") {
			s.cfg.Dashboard.ServeHTTP(w, r)
			return
		}
		writeProblem(w, r, notFound("no API route %s %s (see /v1/docs)", r.Method, r.URL.Path))
	})
	return s
}

// Routes lists the API's routes (the OpenAPI description and its test use it).
func (s *Server) Routes() []Route { return s.routes }

// Handler is the API as an http.Handler (tests serve it with httptest).
func (s *Server) Handler() http.Handler { return s.cors(s.mux) }

// Start listens on the configured address and serves until Stop.
func (s *Server) Start(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("API listen on %s: %w", s.cfg.Addr, err)
	}
	s.cfg.Addr = ln.Addr().String()
	s.started = time.Now()
	s.http = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute}
	if err := s.events.start(ctx); err != nil {
		ln.Close()
		return err
	}
	go func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Println("API server:", err)
		}
	}()
	return nil
}

// Addr is the address the API listens on.
func (s *Server) Addr() string { return s.cfg.Addr }

// Stop closes the listener, live-event streams and open requests.
func (s *Server) Stop(ctx context.Context) error {
	s.events.stop()
	if s.http == nil {
		return nil
	}
	return s.http.Shutdown(ctx)
}

// wrap applies body limits, timeouts, problem+json errors and JSON encoding to a route.
func (s *Server) wrap(rt Route) http.Handler {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
		v, err := rt.Handler(w, r)
		if err != nil {
			writeProblem(w, r, err)
			return
		}
		if v == nil { // the handler wrote its answer itself
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
	if rt.Stream {
		return h
	}
	th := http.TimeoutHandler(h, s.cfg.Timeout, `{"type":"about:blank","title":"timeout","status":503,"detail":"the request took too long"}`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The timeout answer's type; a finished handler's own Content-Type replaces it.
		w.Header().Set("Content-Type", "application/problem+json")
		th.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONAs(w, "application/json", status, v)
}

func writeJSONAs(w http.ResponseWriter, contentType string, status int, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// cors answers browsers for the configured origins only.
func (s *Server) cors(next http.Handler) http.Handler {
	if len(s.cfg.CORSOrigins) == 0 {
		return next
	}
	allowed := map[string]bool{}
	for _, o := range s.cfg.CORSOrigins {
		allowed[strings.TrimRight(o, "/")] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin != "" && (allowed[origin] || allowed["*"]) {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Vary", "Origin")
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Last-Event-ID")
			if r.Method == http.MethodOptions {
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
