package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	rpcclient "github.com/cometbft/cometbft/rpc/client"
	"github.com/cometbft/cometbft/rpc/client/local"

	"github.com/girder-chain/girder/api"
	"github.com/girder-chain/girder/app"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/internal/nodetest"
	"github.com/girder-chain/girder/node"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/bank"
)

// evNode starts a real one-validator node where keys hold funds, and its SDK client, and waits
// for its second block.
func evNode(t *testing.T, keys ...nodetest.Key) (*node.Node, *client.Client) {
	t.Helper()
	tn := nodetest.Start(t, nodetest.Options{ChainID: "girder-events", Funded: keys})
	nodetest.WaitHeight(t, tn.Client, 2)
	return tn.Node, tn.Client
}

// evAPI starts the API over the node (its hub follows the node's blocks).
func evAPI(t *testing.T, n *node.Node, buffer int) (*api.Server, rpcclient.Client) {
	t.Helper()
	return nodetest.StartAPI(t, n, api.Config{Addr: "127.0.0.1:0", SSEBuffer: buffer})
}

// evMsg is one SSE message.
type evMsg struct {
	ID, Event, Data string
	Ev              api.StreamEvent
}

// evStream reads an SSE response.
type evStream struct {
	t      *testing.T
	res    *http.Response
	cancel context.CancelFunc
	msgs   chan evMsg
}

func evOpen(t *testing.T, hc *http.Client, base, query, lastID string) *evStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	u := base + "/v1/events"
	if query != "" {
		u += "?" + query
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		cancel()
		t.Fatalf("GET %s: %s %s", u, res.Status, b)
	}
	s := &evStream{t: t, res: res, cancel: cancel, msgs: make(chan evMsg, 1<<16)}
	t.Cleanup(s.close)
	return s
}

// read starts reading the stream (a slow client delays it).
func (s *evStream) read() *evStream {
	go func() {
		defer close(s.msgs)
		sc := bufio.NewScanner(s.res.Body)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		var m evMsg
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if m.Data != "" {
					if m.Event != "overflow" && m.Event != "error" {
						if err := json.Unmarshal([]byte(m.Data), &m.Ev); err != nil {
							s.t.Errorf("event %s: bad data %q: %v", m.ID, m.Data, err)
						}
					}
					s.msgs <- m
				}
				m = evMsg{}
			case strings.HasPrefix(line, "id: "):
				m.ID = line[4:]
			case strings.HasPrefix(line, "event: "):
				m.Event = line[7:]
			case strings.HasPrefix(line, "data: "):
				m.Data = line[6:]
			}
		}
	}()
	return s
}

func (s *evStream) close() {
	s.cancel()
	s.res.Body.Close()
}

// next is the next message; ok is false when the stream ended.
func (s *evStream) next(timeout time.Duration) (evMsg, bool) {
	s.t.Helper()
	select {
	case m, ok := <-s.msgs:
		return m, ok
	case <-time.After(timeout):
		s.t.Fatalf("no event within %v", timeout)
		return evMsg{}, false
	}
}

// until reads messages up to and including the first one pred accepts.
func (s *evStream) until(pred func(evMsg) bool) []evMsg {
	s.t.Helper()
	var out []evMsg
	for {
		m, ok := s.next(60 * time.Second)
		if !ok {
			s.t.Fatalf("stream ended after %d messages without the expected one", len(out))
		}
		out = append(out, m)
		if pred(m) {
			return out
		}
	}
}

func evIsTransfer(hash string, from, to nodetest.Key) func(evMsg) bool {
	return func(m evMsg) bool {
		return m.Event == "bank.transfer" && m.Ev.TxHash == hash && m.Ev.Attributes["from"] == from.Address().String() && m.Ev.Attributes["to"] == to.Address().String()
	}
}

// evOpts signs with the signer's committed nonce (+ skip) and fixed fee limits: no dry run
// against the mempool's state, so back-to-back txs do not depend on it.
func evOpts(t *testing.T, c *client.Client, k nodetest.Key, skip uint64) client.BuildOptions {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	acc, _, err := c.Account(ctx, k.Address())
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Fees(ctx)
	if err != nil {
		t.Fatal(err)
	}
	nonce := acc.Nonce + skip
	const gas = 2_000_000
	return client.BuildOptions{Nonce: &nonce, GasLimit: gas, MaxFee: info.BaseFee * 4 * gas}
}

func evSend(t *testing.T, c *client.Client, from, to nodetest.Key, amount coin.Amount) *client.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r, err := c.Send(ctx, from, []tx.Msg{&bank.MsgSend{From: from.Address(), To: to.Address(), Amount: coin.New("ugrd", amount)}}, evOpts(t, c, from, 0))
	if err != nil {
		t.Fatal(err)
	}
	if r.Code != 0 {
		t.Fatalf("transfer failed: %+v", r)
	}
	return r
}

// evLastID is the id of the last event of height h.
func evLastID(t *testing.T, rpc rpcclient.Client, h int64) string {
	t.Helper()
	ids := nodetest.EventIDs(t, rpc, h, h)
	if len(ids) == 0 {
		t.Fatalf("height %d has no events", h)
	}
	return strings.Fields(ids[len(ids)-1])[0]
}

func evIDs(ms []evMsg) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.ID+" "+m.Event)
	}
	return out
}

func evSameList(t *testing.T, what string, got, want []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, g := range got {
		if seen[g] {
			t.Errorf("%s: %s received twice", what, g)
		}
		seen[g] = true
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s: got %d events, want %d\ngot:  %v\nwant: %v", what, len(got), len(want), got, want)
	}
}

// TestEventsFilters: clients connected before a transfer receive its events, with the tx hash
// and the block's height and time, each stream only what its filter selects.
func TestEventsFilters(t *testing.T) {
	alice, bob, carol := nodetest.NewKey("alice"), nodetest.NewKey("bob"), nodetest.NewKey("carol")
	n, c := evNode(t, alice, bob, carol)
	s, rpc := evAPI(t, n, 64)
	base := "http://" + s.Addr()

	all := evOpen(t, nil, base, "", "").read()
	byAccount := evOpen(t, nil, base, "account="+alice.Address().String(), "").read()
	byModule := evOpen(t, nil, base, "module=bank", "").read()
	byType := evOpen(t, nil, base, "type=bank.transfer", "").read()
	byAsset := evOpen(t, nil, base, "asset=ugrd", "").read()
	otherAsset := evOpen(t, nil, base, "asset=uusd", "").read()
	combined := evOpen(t, nil, base, "account="+alice.Address().String()+"&type=bank.transfer&asset=ugrd&module=bank", "").read()

	r1 := evSend(t, c, bob, carol, 1_000) // alice is not involved
	r2 := evSend(t, c, alice, bob, 2_000)

	// The unfiltered stream has every event of both blocks, as the node recorded them.
	end := evLastID(t, rpc, r2.Height)
	got := all.until(func(m evMsg) bool { return m.ID == end })
	var fromR1 []evMsg
	for i, m := range got {
		if m.Ev.Height == r1.Height {
			fromR1 = got[i:]
			break
		}
	}
	evSameList(t, "unfiltered", evIDs(fromR1), nodetest.EventIDs(t, rpc, r1.Height, r2.Height))
	hb := r2.Height
	blk, err := rpc.Block(context.Background(), &hb)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range fromR1 {
		if m.Ev.Height == r2.Height && !m.Ev.Time.Equal(blk.Block.Time) {
			t.Fatalf("event %s time %v, block time %v", m.ID, m.Ev.Time, blk.Block.Time)
		}
		if want := fmt.Sprintf("%d:%d", m.Ev.Height, m.Ev.Seq); m.ID != want || m.Ev.Type != m.Event {
			t.Fatalf("message id %s / event %s, data %+v", m.ID, m.Event, m.Ev)
		}
	}

	// By account: alice's transfer (right hash, amount, module), nothing of bob→carol.
	for _, m := range byAccount.until(evIsTransfer(r2.Hash, alice, bob)) {
		if m.Ev.TxHash == r1.Hash {
			t.Fatalf("account filter let through %s of a tx between two other accounts", m.ID)
		}
		if m.Ev.TxHash != r2.Hash && m.Ev.TxHash != "" {
			t.Fatalf("account filter: unexpected %+v", m)
		}
		if m.Event == "bank.transfer" && m.Ev.Attributes["to"] == bob.Address().String() &&
			(m.Ev.Attributes["amount"] != "2000ugrd" || m.Ev.Module != "bank" || m.Ev.Height != r2.Height) {
			t.Fatalf("alice's transfer: %+v", m.Ev)
		}
	}
	// By module and type: both transfers, only bank events / only transfers.
	for _, m := range byModule.until(evIsTransfer(r2.Hash, alice, bob)) {
		if m.Ev.Module != "bank" || !strings.HasPrefix(m.Event, "bank.") {
			t.Fatalf("module filter let through %+v", m)
		}
	}
	sawR1 := false
	for _, m := range byType.until(evIsTransfer(r2.Hash, alice, bob)) {
		if m.Event != "bank.transfer" {
			t.Fatalf("type filter let through %+v", m)
		}
		sawR1 = sawR1 || evIsTransfer(r1.Hash, bob, carol)(m)
	}
	if !sawR1 {
		t.Fatal("type filter: bob's transfer to carol is missing")
	}
	sawR1 = false
	for _, m := range byAsset.until(evIsTransfer(r2.Hash, alice, bob)) {
		if !strings.HasSuffix(m.Ev.Attributes["amount"], "ugrd") && m.Ev.Attributes["denom"] != "ugrd" {
			t.Fatalf("asset filter let through %+v", m)
		}
		sawR1 = sawR1 || evIsTransfer(r1.Hash, bob, carol)(m)
	}
	if !sawR1 {
		t.Fatal("asset filter: bob's transfer to carol is missing")
	}
	for _, m := range combined.until(evIsTransfer(r2.Hash, alice, bob)) {
		if m.Event != "bank.transfer" || m.Ev.TxHash != r2.Hash {
			t.Fatalf("combined filter let through %+v", m)
		}
	}
	select {
	case m := <-otherAsset.msgs:
		t.Fatalf("asset=uusd received %+v", m)
	default:
	}
}

// TestEventsBadFilter: bad filters and resume points are refused with a problem before any
// streaming.
func TestEventsBadFilter(t *testing.T) {
	alice := nodetest.NewKey("alice")
	n, _ := evNode(t, alice)
	s, _ := evAPI(t, n, 0)
	for _, tc := range []struct{ query, lastID string }{
		{query: "account=gir1notanaddress"},
		{query: "account=" + strings.Replace(alice.Address().String(), "gir1", "cosmos1", 1)},
		{query: "asset=9bad"},
		{query: "module=Bank!"},
		{query: "type=bank%0Atransfer"},
		{query: "acount=" + alice.Address().String()},
		{query: "module=bank&module=fees"},
		{query: "from_height=0"},
		{query: "from_height=abc"},
		{lastID: "12"},
		{lastID: "x:1"},
		{query: "last_event_id=3:-2"},
	} {
		req, _ := http.NewRequest(http.MethodGet, "http://"+s.Addr()+"/v1/events?"+tc.query, nil)
		if tc.lastID != "" {
			req.Header.Set("Last-Event-ID", tc.lastID)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var p api.Problem
		err = json.NewDecoder(res.Body).Decode(&p)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || res.Header.Get("Content-Type") != "application/problem+json" || err != nil || p.Status != 400 || p.Detail == "" {
			t.Errorf("%q (Last-Event-ID %q): %s %s %+v %v", tc.query, tc.lastID, res.Status, res.Header.Get("Content-Type"), p, err)
		}
	}
}

// TestEventsResume: a client that drops its connection and comes back with Last-Event-ID gets
// exactly the events it missed: together the two connections hold every event of those blocks
// once, in order, whatever the block the connection dropped in.
func TestEventsResume(t *testing.T) {
	alice, bob := nodetest.NewKey("alice"), nodetest.NewKey("bob")
	n, c := evNode(t, alice, bob)
	s, rpc := evAPI(t, n, 0)
	base := "http://" + s.Addr()
	st, err := rpc.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	h0 := st.SyncInfo.LatestBlockHeight - 1 // replayed from the node, then live

	first := evOpen(t, nil, base, fmt.Sprintf("from_height=%d", h0), "").read()
	r1 := evSend(t, c, alice, bob, 10)
	got := first.until(evIsTransfer(r1.Hash, alice, bob)) // the block's later events are not read
	first.close()
	last := got[len(got)-1].ID

	r2 := evSend(t, c, bob, alice, 20)
	r3 := evSend(t, c, alice, bob, 30)
	end := evLastID(t, rpc, r3.Height)
	second := evOpen(t, nil, base, "", last).read()
	more := second.until(func(m evMsg) bool { return m.ID == end })
	evSameList(t, "resumed", evIDs(append(got, more...)), nodetest.EventIDs(t, rpc, h0, r3.Height))
	for _, r := range []*client.Result{r2, r3} {
		found := false
		for _, m := range more {
			found = found || (m.Event == "bank.transfer" && m.Ev.TxHash == r.Hash && m.Ev.Height == r.Height)
		}
		if !found {
			t.Fatalf("transfer %s missing after the resume", r.Hash)
		}
	}

	// The query form of the resume point works the same way.
	third := evOpen(t, nil, base, "last_event_id="+last, "").read()
	evSameList(t, "resumed by query", evIDs(third.until(func(m evMsg) bool { return m.ID == end })), evIDs(more))
}

// evSmallBuffers serves an http.Handler on a listener whose connections have tiny evSend
// buffers, so that a client that does not read blocks the server's writes after a few KB
// (instead of the megabytes loopback sockets buffer).
func evSmallBuffers(t *testing.T, h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(evSmallListener{ln})
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

type evSmallListener struct{ net.Listener }

func (l evSmallListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4096)
	}
	return c, err
}

// evSmallReader is an HTTP client whose connections have tiny receive buffers.
func evSmallReader() *http.Client {
	d := &net.Dialer{}
	return &http.Client{Transport: &http.Transport{DisableCompression: true, DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetReadBuffer(4096)
		}
		return c, err
	}}}
}

// evWave sends ntx txs of 64 transfers each from one signer and waits for them to commit.
func evWave(t *testing.T, c *client.Client, from, to nodetest.Key, ntx int) (first, last *client.Result) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	msgs := make([]tx.Msg, tx.MaxMsgs)
	for i := range msgs {
		msgs[i] = &bank.MsgSend{From: from.Address(), To: to.Address(), Amount: coin.New("ugrd", coin.Amount(1+i))}
	}
	var hashes []string
	o := evOpts(t, c, from, 0)
	nonce0 := *o.Nonce
	for i := 0; i < ntx; i++ {
		nonce := nonce0 + uint64(i)
		o.Nonce = &nonce
		raw, err := c.Build(ctx, from, msgs, o)
		if err != nil {
			t.Fatal(err)
		}
		h, err := c.Broadcast(ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	for i, h := range hashes {
		r, err := c.WaitForTx(ctx, h)
		if err != nil || r.Code != 0 {
			t.Fatalf("evWave tx: %+v %v", r, err)
		}
		if i == 0 {
			first = r
		}
		last = r
	}
	return first, last
}

// TestEventsSlowClient: a client that stops reading is cut off with an overflow message once it
// lags more than the buffer, while a client that reads keeps receiving everything and the node
// keeps making blocks; the cut-off client resumes from the overflow's id without loss.
func TestEventsSlowClient(t *testing.T) {
	alice, bob := nodetest.NewKey("alice"), nodetest.NewKey("bob")
	n, c := evNode(t, alice, bob)
	s, rpc := evAPI(t, n, 4)
	normal := evOpen(t, nil, "http://"+s.Addr(), "", "").read()
	slow := evOpen(t, evSmallReader(), evSmallBuffers(t, s.Handler()), "", "") // never reads, for now

	// Hundreds of KB of events over several blocks: far more than the slow client's sockets
	// hold, so its writes block and the next block overflows its queue.
	w1, _ := evWave(t, c, alice, bob, 8)
	_, w2 := evWave(t, c, alice, bob, 8)
	r := evSend(t, c, bob, alice, 5) // after the overflow
	got := normal.until(evIsTransfer(r.Hash, bob, alice))
	for _, m := range got {
		if m.Event == "overflow" {
			t.Fatalf("the reading client overflowed: %+v", m)
		}
	}
	var fromW1 []evMsg
	for i, m := range got {
		if m.Ev.Height == w1.Height {
			fromW1 = got[i:]
			break
		}
	}
	want := nodetest.EventIDs(t, rpc, w1.Height, r.Height)
	evSameList(t, "reading client", evIDs(fromW1), want[:len(fromW1)])
	if len(fromW1) < 16*tx.MaxMsgs {
		t.Fatalf("reading client got %d events of the waves", len(fromW1))
	}
	if w2.Height <= w1.Height {
		t.Logf("both waves in block %d", w1.Height)
	}
	st, err := rpc.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if st2, err := rpc.Status(context.Background()); err != nil || st2.SyncInfo.LatestBlockHeight <= st.SyncInfo.LatestBlockHeight {
		t.Fatalf("the node stopped making blocks: %v", err)
	}

	// Now the slow client reads: what was queued, then the overflow, then the end.
	slow.read()
	var sgot []evMsg
	var over evMsg
	for {
		m, ok := slow.next(30 * time.Second)
		if !ok {
			break
		}
		if m.Event == "overflow" {
			over = m
			continue
		}
		if over.Event != "" {
			t.Fatalf("message after the overflow: %+v", m)
		}
		sgot = append(sgot, m)
	}
	if over.Event == "" {
		t.Fatalf("the slow client was not cut off (received %d events, then the stream ended)", len(sgot))
	}
	var od struct {
		Reason      string `json:"reason"`
		LastEventID string `json:"last_event_id"`
	}
	if err := json.Unmarshal([]byte(over.Data), &od); err != nil || od.LastEventID == "" || od.LastEventID != over.ID || od.Reason == "" {
		t.Fatalf("overflow message %+v: %v", over, err)
	}
	// It resumes from the overflow's id and, with what it had, has exactly what the reading
	// client has.
	resumed := evOpen(t, nil, "http://"+s.Addr(), "", over.ID).read()
	all := append(sgot, resumed.until(evIsTransfer(r.Hash, bob, alice))...)
	var allW1 []evMsg
	for i, m := range all {
		if m.Ev.Height == w1.Height {
			allW1 = all[i:]
			break
		}
	}
	evSameList(t, "slow client, resumed", evIDs(allW1), evIDs(fromW1))
	t.Logf("slow client: %d events before the overflow at %s, %d after resuming", len(sgot), over.ID, len(all)-len(sgot))
}

// TestEventsStopEndsStreams: stopping the server ends its streams (Stop does not hang on them).
func TestEventsStopEndsStreams(t *testing.T) {
	n, _ := evNode(t, nodetest.NewKey("alice"))
	rpc := local.New(n.Comet())
	s := api.New(api.Config{Addr: "127.0.0.1:0"}, rpc, app.NewRegistry(), n.App.Modules())
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := evOpen(t, nil, "http://"+s.Addr(), "", "").read()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	for {
		if _, ok := st.next(5 * time.Second); !ok {
			break
		}
	}
}

// TestEventsStreamCap: a server serves a bounded number of streams at once; one more is refused
// with 503, and a stream that ends frees its place.
func TestEventsStreamCap(t *testing.T) {
	n, _ := evNode(t, nodetest.NewKey("alice"))
	s, _ := evAPI(t, n, 0)
	base := "http://" + s.Addr()
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(hc.CloseIdleConnections)
	var open []*evStream
	for i := 0; i < 256; i++ {
		open = append(open, evOpen(t, hc, base, "", ""))
	}
	res, err := hc.Get(base + "/v1/events")
	if err != nil {
		t.Fatal(err)
	}
	var p api.Problem
	err = json.NewDecoder(res.Body).Decode(&p)
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || p.Status != 503 || err != nil {
		t.Fatalf("stream 257: %s %+v %v", res.Status, p, err)
	}
	open[0].close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := hc.Get(base + "/v1/events")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a closed stream did not free its place: %s", res.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
