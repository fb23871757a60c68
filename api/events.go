package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
)

// Live events: GET /v1/events streams the events of committed blocks as server-sent events.
//
// The event model. The events of a block, in order, are: for each tx in block order its events
// (each carrying the tx's hash), then the block's own events (FinalizeBlock events such as
// fees.base_fee). An event's id is "<height>:<seq>", seq its position in that sequence from 0,
// so ids are totally ordered by (height, seq). Every message is
//
//	id: 12:3
//	event: bank.transfer
//	data: {"height":12,"time":"…","tx_hash":"AB…","type":"bank.transfer","module":"bank","attributes":{"amount":"5ugrd","from":"gir1…","to":"gir1…"},"seq":3}
//
// Attributes with a repeated key (the "account" event lists every address a tx touches under
// "address") are joined with ",". Every 15 s the server sends a comment (": ping") followed by
// an id line that carries the stream's position (the id of the last event the stream is past,
// delivered or filtered out; "H:-1" means "before the first event of height H"), which an
// EventSource records as its last event id without dispatching anything.
//
// Resuming. With a Last-Event-ID header (browsers send it when they reconnect; last_event_id=
// in the query does the same) or from_height=H (= Last-Event-ID "H:-1"), the server replays the
// committed events after that id from the node's block store, then continues live, with no gap
// and no duplicate at the seam: the stream is registered with the live fan-out first, which
// records the last height it had fanned out (R); heights up to R are replayed from the node,
// heights above R come from the live queue, and events at or before the stream's position are
// skipped. A height this node no longer has (pruned) is refused before the stream starts with
// 410 Gone; if results disappear during the replay, the stream sends an `event: error` message
// (data: a problem object) and ends.
//
// Slow clients. Each stream has a queue of at most Config.SSEBuffer events beyond the block it
// is writing (a block is always accepted into an empty queue, however many events it has). The
// fan-out never blocks: a stream whose queue is full is marked overflowed, writes what it had
// queued, then a final `event: overflow` message whose id is its position, and ends; the
// client reconnects with that Last-Event-ID and misses nothing. A client that stops reading
// altogether is disconnected when a write has been stuck for 30 s. At most 256 streams run at
// once; more are refused with 503.

const (
	sseMaxStreams    = 256
	sseHeartbeat     = 15 * time.Second
	sseWriteTimeout  = 30 * time.Second
	sseRetryMillis   = 1000
	sseMaxGapFill    = 256 // blocks the fan-out fetches itself when the event bus skipped some
	sseSubscribeCap  = 256 // new-block events the node's event bus may queue for the fan-out
	sseNewBlockQuery = "tm.event='NewBlock'"
)

// StreamEvent is the data of one message of GET /v1/events.
type StreamEvent struct {
	Height     int64             `json:"height"`
	Time       time.Time         `json:"time"`
	TxHash     string            `json:"tx_hash,omitempty"`
	Type       string            `json:"type"`
	Module     string            `json:"module"`
	Attributes map[string]string `json:"attributes"`
	Seq        int               `json:"seq"`
}

// ssePos is a position in the event sequence: (height, seq). Resuming "after" (H, -1) starts
// with the first event of height H.
type ssePos struct {
	h   int64
	seq int
}

func (p ssePos) less(q ssePos) bool { return p.h < q.h || (p.h == q.h && p.seq < q.seq) }

func (p ssePos) String() string { return strconv.FormatInt(p.h, 10) + ":" + strconv.Itoa(p.seq) }

func parseSSEPos(s string) (ssePos, error) {
	hs, ss, ok := strings.Cut(strings.TrimSpace(s), ":")
	h, herr := strconv.ParseInt(hs, 10, 64)
	q, serr := strconv.Atoi(ss)
	if !ok || herr != nil || serr != nil || h < 1 || q < -1 {
		return ssePos{}, badRequest("event id %q: want <height>:<seq> as the stream sent it, e.g. 12:3", s)
	}
	return ssePos{h, q}, nil
}

// sseEvent is one event, rendered once for every stream.
type sseEvent struct {
	pos      ssePos
	typ      string
	module   string
	attrs    []abci.EventAttribute
	accounts map[string]bool // of its tx ("account" event), or its own account attributes
	msg      []byte          // the SSE message
}

// sseBlock is the event sequence of one block.
type sseBlock struct {
	h   int64
	evs []*sseEvent
}

// end is the position of the block's last event ((h, -1) when it has none).
func (b *sseBlock) end() ssePos { return ssePos{b.h, len(b.evs) - 1} }

// sseAccountKeys are the attributes that name an account (as in app/exec.go).
var sseAccountKeys = map[string]bool{"from": true, "to": true, "payer": true, "address": true, "signer": true}

// newSSEBlock renders a block's events: per tx its events, then the block's own.
func newSSEBlock(height int64, t time.Time, txs cmttypes.Txs, results []*abci.ExecTxResult, blockEvents []abci.Event) *sseBlock {
	b := &sseBlock{h: height}
	add := func(e abci.Event, txHash string, accounts map[string]bool) {
		seq := len(b.evs)
		mod := e.Type
		if i := strings.IndexByte(mod, '.'); i >= 0 {
			mod = mod[:i]
		}
		data := StreamEvent{Height: height, Time: t, TxHash: txHash, Type: e.Type, Module: mod, Attributes: map[string]string{}, Seq: seq}
		for _, a := range e.Attributes {
			if v, ok := data.Attributes[a.Key]; ok {
				data.Attributes[a.Key] = v + "," + a.Value
			} else {
				data.Attributes[a.Key] = a.Value
			}
		}
		js, _ := json.Marshal(data) // strings, numbers and a time: cannot fail
		ev := &sseEvent{pos: ssePos{height, seq}, typ: e.Type, module: mod, attrs: e.Attributes, accounts: accounts}
		if ev.accounts == nil {
			ev.accounts = map[string]bool{}
			for _, a := range e.Attributes {
				if sseAccountKeys[a.Key] {
					ev.accounts[a.Value] = true
				}
			}
		}
		ev.msg = []byte("id: " + ev.pos.String() + "\nevent: " + sseField(e.Type) + "\ndata: " + string(js) + "\n\n")
		b.evs = append(b.evs, ev)
	}
	for i, r := range results {
		if r == nil {
			continue
		}
		var hash string
		if i < len(txs) {
			hash = fmt.Sprintf("%X", txs[i].Hash())
		}
		accounts := map[string]bool{}
		for _, e := range r.Events {
			for _, a := range e.Attributes {
				if (e.Type == "account" && a.Key == "address") || sseAccountKeys[a.Key] {
					accounts[a.Value] = true
				}
			}
		}
		for _, e := range r.Events {
			add(e, hash, accounts)
		}
	}
	for _, e := range blockEvents {
		add(e, "", nil)
	}
	return b
}

// sseField keeps a value on one line of the stream.
func sseField(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// sseFilter selects events; empty fields match everything.
type sseFilter struct {
	module, typ, account, asset string
}

var (
	sseModuleRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	sseTypeRE   = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_.-]{0,127}$`)
)

// sseParams are the query parameters GET /v1/events understands.
var sseParams = map[string]bool{"module": true, "type": true, "account": true, "asset": true, "from_height": true, "last_event_id": true}

func parseSSEFilter(q url.Values) (sseFilter, error) {
	var f sseFilter
	for k, v := range q {
		if !sseParams[k] {
			return f, badRequest("unknown parameter %q: the filters are module, type, account and asset; from_height and last_event_id resume", k)
		}
		if len(v) > 1 {
			return f, badRequest("parameter %q given %d times: give it once", k, len(v))
		}
	}
	f.module, f.typ, f.account, f.asset = q.Get("module"), q.Get("type"), q.Get("account"), q.Get("asset")
	if f.module != "" && !sseModuleRE.MatchString(f.module) {
		return f, badRequest("module %q: want a module name such as bank", f.module)
	}
	if f.typ != "" && !sseTypeRE.MatchString(f.typ) {
		return f, badRequest("type %q: want an event type such as bank.transfer", f.typ)
	}
	if f.account != "" {
		a, err := address.Parse(f.account)
		if err != nil {
			return f, badRequest("account: %v", err)
		}
		f.account = a.String()
	}
	if f.asset != "" {
		if err := coin.ValidateDenom(f.asset); err != nil {
			return f, badRequest("asset: %v", err)
		}
	}
	return f, nil
}

func (f sseFilter) match(e *sseEvent) bool {
	if f.module != "" && e.module != f.module {
		return false
	}
	if f.typ != "" && e.typ != f.typ {
		return false
	}
	if f.account != "" && !e.accounts[f.account] {
		return false
	}
	if f.asset != "" && !sseHasAsset(e.attrs, f.asset) {
		return false
	}
	return true
}

// sseHasAsset: an "amount" attribute in that denom ("5ugrd", or one of "5ugrd,7uusd"), or a
// "denom" attribute equal to it.
func sseHasAsset(attrs []abci.EventAttribute, denom string) bool {
	for _, a := range attrs {
		switch a.Key {
		case "denom":
			if a.Value == denom {
				return true
			}
		case "amount":
			for _, c := range strings.Split(a.Value, ",") {
				c = strings.TrimSpace(c)
				if d := strings.TrimLeft(c, "0123456789"); d == denom && len(d) < len(c) {
					return true
				}
			}
		}
	}
	return false
}

// sseSub is one stream's live queue, filled by the fan-out and drained by the stream.
type sseSub struct {
	f      sseFilter
	limit  int
	notify chan struct{} // a signal: something to take

	mu       sync.Mutex
	queue    []*sseEvent
	end      ssePos // position the queued blocks end at
	hasEnd   bool
	pending  int // events queued or being written
	over     bool
	reason   string
	reg      int64         // live blocks are those above reg
	regReady chan struct{} // closed once reg is known
}

func (c *sseSub) signal() {
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// push queues a block's matching events; called by the fan-out, never blocks.
func (c *sseSub) push(b *sseBlock) {
	var evs []*sseEvent
	for _, e := range b.evs {
		if c.f.match(e) {
			evs = append(evs, e)
		}
	}
	c.mu.Lock()
	if c.over {
		c.mu.Unlock()
		return
	}
	select {
	case <-c.regReady:
	default:
		c.reg = b.h - 1
		close(c.regReady)
	}
	if len(evs) > 0 && c.pending > 0 && c.pending+len(evs) > c.limit {
		c.over, c.reason = true, fmt.Sprintf("the client fell more than %d events behind", c.limit)
	} else {
		c.queue = append(c.queue, evs...)
		c.pending += len(evs)
		c.end, c.hasEnd = b.end(), true
	}
	c.mu.Unlock()
	c.signal()
}

// overflow ends the stream at its position (the client resumes from there).
func (c *sseSub) overflow(reason string) {
	c.mu.Lock()
	if !c.over {
		c.over, c.reason = true, reason
	}
	c.mu.Unlock()
	c.signal()
}

// take hands the stream what is queued; written tells the queue how many were written.
func (c *sseSub) take() (evs []*sseEvent, end ssePos, hasEnd, over bool, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	evs, end, hasEnd = c.queue, c.end, c.hasEnd
	c.queue, c.hasEnd = nil, false
	return evs, end, hasEnd, c.over, c.reason
}

func (c *sseSub) written(n int) {
	c.mu.Lock()
	c.pending -= n
	c.mu.Unlock()
}

// hub fans the events of each new block out to the streams. It consumes the node's event bus
// without ever blocking on a stream.
type hub struct {
	s       *Server
	name    string // subscriber name on the event bus, unique to this server
	ctx     context.Context
	cancel  context.CancelFunc
	done    chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
	streams atomic.Int64

	mu      sync.Mutex
	subs    map[*sseSub]struct{}
	last    int64 // the last height fanned out (0: not known yet)
	running bool
}

var hubSeq atomic.Uint64

func newHub(s *Server) *hub {
	ctx, cancel := context.WithCancel(context.Background())
	return &hub{s: s, ctx: ctx, cancel: cancel, done: make(chan struct{}), subs: map[*sseSub]struct{}{},
		name: fmt.Sprintf("girder-api-%d-%d-%p", hubSeq.Add(1), time.Now().UnixNano(), s)}
}

// start subscribes to new blocks on the node's event bus. The hub runs until stop (ctx only
// bounds the subscription itself).
func (h *hub) start(ctx context.Context) error {
	out, err := h.s.rpc.Subscribe(ctx, h.name, sseNewBlockQuery, sseSubscribeCap)
	if err != nil {
		return fmt.Errorf("API live events: subscribe to new blocks: %w", err)
	}
	var last int64
	if st, err := h.s.rpc.Status(ctx); err == nil && st.SyncInfo.LatestBlockHeight > 1 {
		// The latest block's results may not be saved yet; the one before is. A block the
		// subscription missed is fetched when the next one arrives.
		last = st.SyncInfo.LatestBlockHeight - 1
	}
	h.mu.Lock()
	select {
	case <-h.done:
		h.mu.Unlock()
		return nil
	default:
	}
	h.last, h.running = last, true
	h.mu.Unlock()
	h.wg.Add(1)
	go h.run(out)
	return nil
}

func (h *hub) stop() {
	h.once.Do(func() {
		h.mu.Lock()
		started := h.running
		h.running = false
		close(h.done)
		h.mu.Unlock()
		h.cancel()
		if started {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = h.s.rpc.Unsubscribe(ctx, h.name, sseNewBlockQuery)
			cancel()
		}
		h.wg.Wait()
	})
}

func (h *hub) run(out <-chan ctypes.ResultEvent) {
	defer h.wg.Done()
	for {
		select {
		case <-h.done:
			return
		case ev, ok := <-out:
			if !ok {
				h.mu.Lock()
				h.running = false
				for c := range h.subs {
					c.overflow("the node's event subscription ended")
				}
				h.mu.Unlock()
				return
			}
			var nb cmttypes.EventDataNewBlock
			switch d := ev.Data.(type) {
			case cmttypes.EventDataNewBlock:
				nb = d
			case *cmttypes.EventDataNewBlock:
				nb = *d
			default:
				continue
			}
			if nb.Block != nil {
				h.onBlock(nb)
			}
		}
	}
}

func (h *hub) onBlock(nb cmttypes.EventDataNewBlock) {
	height := nb.Block.Height
	h.mu.Lock()
	last := h.last
	h.mu.Unlock()
	if height <= last {
		return // already fanned out (fetched to fill a gap)
	}
	if last > 0 && height > last+1 {
		// The event bus skipped blocks (its queue was full): fetch them from the node.
		if height-last-1 > sseMaxGapFill {
			h.reset(height-1, "the server skipped blocks")
		} else {
			for g := last + 1; g < height; g++ {
				b, err := h.load(h.ctx, g)
				if err != nil {
					h.reset(height-1, "the server could not read block "+strconv.FormatInt(g, 10))
					break
				}
				h.fanout(b)
			}
		}
	}
	r := nb.ResultFinalizeBlock
	h.fanout(newSSEBlock(height, nb.Block.Time, nb.Block.Txs, r.TxResults, r.Events))
}

// reset ends every stream (each resumes from its own position, replaying from the node) and
// continues after height.
func (h *hub) reset(height int64, reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.subs {
		c.overflow(reason)
	}
	h.last = height
}

func (h *hub) fanout(b *sseBlock) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last = b.h
	for c := range h.subs {
		c.push(b)
	}
}

// load reads a committed block's events from the node.
func (h *hub) load(ctx context.Context, height int64) (*sseBlock, error) {
	hh := height
	b, err := h.s.rpc.Block(ctx, &hh)
	if err != nil {
		return nil, err
	}
	if b.Block == nil {
		return nil, fmt.Errorf("no block at height %d", height)
	}
	r, err := h.s.rpc.BlockResults(ctx, &hh)
	if err != nil {
		return nil, err
	}
	return newSSEBlock(height, b.Block.Time, b.Block.Txs, r.TxResults, r.FinalizeBlockEvents), nil
}

func (h *hub) register(f sseFilter) *sseSub {
	c := &sseSub{f: f, limit: h.s.cfg.SSEBuffer, notify: make(chan struct{}, 1), regReady: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.running {
		return nil
	}
	if h.last > 0 {
		c.reg = h.last
		close(c.regReady)
	}
	h.subs[c] = struct{}{}
	return c
}

func (h *hub) unregister(c *sseSub) {
	h.mu.Lock()
	delete(h.subs, c)
	h.mu.Unlock()
}

func (s *Server) eventRoutes() []Route {
	return []Route{{
		Method: "GET", Path: "/events", Tag: "events", Stream: true, ContentType: "text/event-stream",
		Summary: "Live events of committed blocks as server-sent events (id <height>:<seq>, event <type>, data: the event as JSON). " +
			"Resume with the Last-Event-ID header (or last_event_id / from_height): the events after it are replayed from the node, then the stream continues live with no gap and no duplicate. " +
			"A client that falls more than the server's buffer behind gets a final `overflow` message and reconnects with its last event id. 400: bad filter; 410: the resume height is pruned on this node; 503: too many streams.",
		Params: []Param{
			{Name: "module", In: "query", Description: "only events of this module (the type's prefix), e.g. bank"},
			{Name: "type", In: "query", Description: "only events of this type, e.g. bank.transfer"},
			{Name: "account", In: "query", Description: "gir1… address: only events of txs that touch it (their `account` event lists it) and block events naming it"},
			{Name: "asset", In: "query", Description: "denom: only events with an `amount` in it (e.g. 5ugrd) or a `denom` equal to it"},
			{Name: "from_height", In: "query", Description: "replay from this height (its first event), then continue live"},
			{Name: "last_event_id", In: "query", Description: "replay the events after this id (<height>:<seq>), as the Last-Event-ID header does (the header wins)"},
		},
		Response: StreamEvent{},
		Handler:  s.streamEvents,
	}}
}

// sseStream writes one client's stream.
type sseStream struct {
	w      http.ResponseWriter
	rc     *http.ResponseController
	cursor ssePos // every event at or before it was written or filtered out
	known  bool   // cursor is set
}

func (st *sseStream) write(b []byte) error {
	_, err := st.w.Write(b)
	return err
}

func (st *sseStream) flush() error {
	_ = st.rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout))
	return st.rc.Flush()
}

// event writes e unless the stream is past it.
func (st *sseStream) event(e *sseEvent) error {
	if st.known && !st.cursor.less(e.pos) {
		return nil
	}
	if err := st.write(e.msg); err != nil {
		return err
	}
	st.cursor, st.known = e.pos, true
	return nil
}

// advance moves the position to p (the end of a block whose events were all handled).
func (st *sseStream) advance(p ssePos) {
	if !st.known || st.cursor.less(p) {
		st.cursor, st.known = p, true
	}
}

func (st *sseStream) control(event string, data any) error {
	js, _ := json.Marshal(data)
	var b strings.Builder
	if st.known {
		b.WriteString("id: " + st.cursor.String() + "\n")
	}
	b.WriteString("event: " + event + "\ndata: " + string(js) + "\n\n")
	if err := st.write([]byte(b.String())); err != nil {
		return err
	}
	return st.flush()
}

// sseOverflow is the data of the overflow message.
type sseOverflow struct {
	Reason      string `json:"reason"`
	LastEventID string `json:"last_event_id,omitempty"`
	Detail      string `json:"detail"`
}

func (s *Server) streamEvents(w http.ResponseWriter, r *http.Request) (any, error) {
	h := s.events
	q := r.URL.Query()
	f, err := parseSSEFilter(q)
	if err != nil {
		return nil, err
	}
	var from ssePos
	resume := false
	switch {
	case r.Header.Get("Last-Event-ID") != "":
		from, err = parseSSEPos(r.Header.Get("Last-Event-ID"))
		resume = true
	case q.Get("last_event_id") != "":
		from, err = parseSSEPos(q.Get("last_event_id"))
		resume = true
	case q.Get("from_height") != "":
		var fh int64
		fh, err = parseHeight(q.Get("from_height"))
		from, resume = ssePos{fh, -1}, true
	}
	if err != nil {
		return nil, err
	}
	if n := h.streams.Add(1); n > sseMaxStreams {
		h.streams.Add(-1)
		return nil, &httpError{http.StatusServiceUnavailable, "too many streams", fmt.Sprintf("this server already serves %d event streams: retry later", sseMaxStreams)}
	}
	defer h.streams.Add(-1)
	if resume {
		st, err := s.rpc.Status(r.Context())
		if err != nil {
			return nil, unavailable(err)
		}
		if e := st.SyncInfo.EarliestBlockHeight; from.h < e {
			return nil, &httpError{http.StatusGone, "pruned", fmt.Sprintf("this node no longer has height %d (its earliest block is %d): resume with from_height=%d to get what it has, or use a node that keeps older blocks", from.h, e, e)}
		}
	}
	c := h.register(f)
	if c == nil {
		return nil, &httpError{http.StatusServiceUnavailable, "live events unavailable", "this server does not follow the node's blocks (it is not started or is stopping)"}
	}
	defer h.unregister(c)

	st := &sseStream{w: w, rc: http.NewResponseController(w)}
	// The server keeps the connection for the client's next request: do not leave it the
	// stream's write deadline.
	defer func() { _ = st.rc.SetWriteDeadline(time.Time{}) }()
	if resume {
		st.cursor, st.known = from, true
	} else {
		select {
		case <-c.regReady:
			st.cursor, st.known = ssePos{c.reg + 1, -1}, true
		default: // set by the first live block
		}
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil, nil
	}
	head := "retry: " + strconv.Itoa(sseRetryMillis) + "\n"
	if st.known {
		head += "id: " + st.cursor.String() + "\n"
	}
	if st.write([]byte(head+"\n")) != nil || st.flush() != nil {
		return nil, nil
	}
	ctx := r.Context()

	if resume {
		select {
		case <-c.regReady:
		case <-ctx.Done():
			return nil, nil
		case <-h.done:
			return nil, nil
		}
		for g := from.h; g <= c.reg; g++ {
			if ctx.Err() != nil {
				return nil, nil
			}
			select {
			case <-h.done:
				return nil, nil
			default:
			}
			b, err := h.load(ctx, g)
			if err != nil {
				if ctx.Err() == nil {
					status, title := http.StatusBadGateway, "node unavailable"
					if strings.Contains(err.Error(), "not found") || strings.Contains(err.Error(), "could not find") || strings.Contains(err.Error(), "must be less than or equal") || strings.Contains(err.Error(), "is not available") {
						status, title = http.StatusGone, "pruned"
					}
					_ = st.control("error", Problem{Type: "about:blank", Title: title, Status: status, Instance: r.URL.Path,
						Detail: fmt.Sprintf("replaying height %d: %v", g, err)})
				}
				return nil, nil
			}
			for _, e := range b.evs {
				if f.match(e) {
					if st.event(e) != nil {
						return nil, nil
					}
				}
			}
			st.advance(b.end())
			if st.flush() != nil {
				return nil, nil
			}
		}
	}

	ping := time.NewTicker(sseHeartbeat)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, nil
		case <-h.done:
			return nil, nil
		case <-ping.C:
			msg := ": ping\n"
			if st.known {
				msg += "id: " + st.cursor.String() + "\n"
			}
			if st.write([]byte(msg+"\n")) != nil || st.flush() != nil {
				return nil, nil
			}
		case <-c.notify:
			evs, end, hasEnd, over, reason := c.take()
			for _, e := range evs {
				if st.event(e) != nil {
					return nil, nil
				}
			}
			if hasEnd {
				st.advance(end)
			}
			err := st.flush()
			c.written(len(evs))
			if err != nil {
				return nil, nil
			}
			if over {
				o := sseOverflow{Reason: reason, Detail: "reconnect with the Last-Event-ID header set to last_event_id to receive the rest, missing nothing"}
				if st.known {
					o.LastEventID = st.cursor.String()
				}
				_ = st.control("overflow", o)
				return nil, nil
			}
		}
	}
}
