package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/girder-chain/girder/api"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/internal/nodetest"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/bank"
)

// ExampleSubscribe follows the transfers of one account, resuming where it left off. The
// subscription reconnects by itself (after a dropped connection, or when the server cut off a
// consumer that fell behind) and never delivers an event twice.
func ExampleSubscribe() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lastSeen := "" // e.g. loaded from your database: the ID of the last event you processed
	events, errs := client.Subscribe(ctx, "http://127.0.0.1:1317",
		client.EventFilter{Account: "gir1…", Type: "bank.transfer"}, lastSeen)
	for ev := range events {
		fmt.Println(ev.Height, ev.TxHash, ev.Attributes["from"], "→", ev.Attributes["to"], ev.Attributes["amount"])
		lastSeen = ev.ID // save it with what you did with the event
	}
	if err := <-errs; !errors.Is(err, context.Canceled) {
		fmt.Println("subscription ended:", err) // e.g. a *client.StreamError: bad filter, pruned height
	}
}

// subProxy forwards TCP connections to target; it can cut them all, or stop forwarding the
// server's bytes (a stalled network) with tiny buffers so that the server's writes block.
type subProxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	cond   *sync.Cond
	paused bool
	conns  []net.Conn
}

func newSubProxy(t *testing.T, target string) *subProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &subProxy{ln: ln, target: target}
	p.cond = sync.NewCond(&p.mu)
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.resume()
		p.drop()
	})
	return p
}

func (p *subProxy) serve() {
	for {
		down, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			down.Close()
			continue
		}
		up.(*net.TCPConn).SetReadBuffer(4096)
		down.(*net.TCPConn).SetWriteBuffer(4096)
		p.mu.Lock()
		p.conns = append(p.conns, down, up)
		p.mu.Unlock()
		go func() { io.Copy(up, down); up.Close() }()
		go func() {
			buf := make([]byte, 2048)
			for {
				p.mu.Lock()
				for p.paused {
					p.cond.Wait()
				}
				p.mu.Unlock()
				n, err := up.Read(buf)
				if n > 0 {
					if _, werr := down.Write(buf[:n]); werr != nil {
						break
					}
				}
				if err != nil {
					break
				}
			}
			down.Close()
		}()
	}
}

// drop cuts every connection.
func (p *subProxy) drop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *subProxy) pause() {
	p.mu.Lock()
	p.paused = true
	p.mu.Unlock()
}

func (p *subProxy) resume() {
	p.mu.Lock()
	p.paused = false
	p.cond.Broadcast()
	p.mu.Unlock()
}

// subSmallWrites serves h on a listener whose connections have tiny send buffers.
func subSmallWrites(t *testing.T, h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(subSmallListener{ln})
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

type subSmallListener struct{ net.Listener }

func (l subSmallListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4096)
	}
	return c, err
}

// subCollector gathers what a subscription delivers.
type subCollector struct {
	mu  sync.Mutex
	evs []client.StreamEvent
	err error
	end chan struct{}
}

func subCollect(events <-chan client.StreamEvent, errs <-chan error) *subCollector {
	c := &subCollector{end: make(chan struct{})}
	go func() {
		for ev := range events {
			c.mu.Lock()
			c.evs = append(c.evs, ev)
			c.mu.Unlock()
		}
		c.mu.Lock()
		c.err = <-errs
		c.mu.Unlock()
		close(c.end)
	}()
	return c
}

func (c *subCollector) waitFor(t *testing.T, what string, pred func(client.StreamEvent) bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		for _, ev := range c.evs {
			if pred(ev) {
				c.mu.Unlock()
				return
			}
		}
		err := c.err
		c.mu.Unlock()
		if err != nil {
			t.Fatalf("waiting for %s: the subscription ended: %v", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s within 90 s", what)
}

func (c *subCollector) ids() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, ev := range c.evs {
		out = append(out, ev.ID+" "+ev.Type)
	}
	return out
}

func subTransfer(r *client.Result) func(client.StreamEvent) bool {
	return func(ev client.StreamEvent) bool {
		return ev.Type == "bank.transfer" && ev.TxHash == r.Hash && ev.Height == r.Height
	}
}

// TestSubscribeReconnects: a subscription through a network that drops its connections twice
// and stalls long enough for the server to cut it off (overflow) still delivers every event of
// the chain from its start height, once each, in order.
func TestSubscribeReconnects(t *testing.T) {
	alice, bob := nodetest.NewKey("alice"), nodetest.NewKey("bob")
	tn := nodetest.Start(t, nodetest.Options{ChainID: "girder-subscribe", Funded: []nodetest.Key{alice, bob}, Log: io.Discard})
	c := tn.Client
	s, rpc := nodetest.StartAPI(t, tn.Node, api.Config{Addr: "127.0.0.1:0", SSEBuffer: 4})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	nodetest.WaitHeight(t, c, 2)
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h0 := st.Height

	// A refused subscription ends with the API's problem.
	evs, errs := client.Subscribe(ctx, "http://"+s.Addr(), client.EventFilter{Account: "gir1nope"}, "")
	if _, ok := <-evs; ok {
		t.Fatal("an event from a refused subscription")
	}
	var se *client.StreamError
	if err := <-errs; !errors.As(err, &se) || se.Status != http.StatusBadRequest {
		t.Fatalf("bad filter: %v", err)
	}

	// The subscription goes through a proxy that can cut or stall the network, to the API
	// served with tiny socket buffers; requests counts the subscription's (re)connections.
	var requests atomic.Int64
	h := s.Handler()
	p := newSubProxy(t, subSmallWrites(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		h.ServeHTTP(w, r)
	})))
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	col := subCollect(client.Subscribe(sctx, "http://"+p.ln.Addr().String()+"/v1", client.EventFilter{FromHeight: h0}, ""))

	// Txs are signed with the committed nonce and fixed fee limits (no dry run against the
	// mempool's state), so back-to-back txs do not depend on it.
	opts := func(k nodetest.Key) client.BuildOptions {
		t.Helper()
		acc, _, err := c.Account(ctx, k.Address())
		if err != nil {
			t.Fatal(err)
		}
		info, err := c.Fees(ctx)
		if err != nil {
			t.Fatal(err)
		}
		nonce := acc.Nonce
		const gas = 2_000_000
		return client.BuildOptions{Nonce: &nonce, GasLimit: gas, MaxFee: info.BaseFee * 4 * gas}
	}
	send := func(from, to nodetest.Key, amount coin.Amount) *client.Result {
		t.Helper()
		r, err := c.Send(ctx, from, []tx.Msg{&bank.MsgSend{From: from.Address(), To: to.Address(), Amount: coin.New("ugrd", amount)}}, opts(from))
		if err != nil || r.Code != 0 {
			t.Fatalf("send: %+v %v", r, err)
		}
		return r
	}
	r1 := send(alice, bob, 1)
	col.waitFor(t, "the first transfer", subTransfer(r1))
	p.drop()
	r2 := send(bob, alice, 2)
	col.waitFor(t, "the transfer after the first drop", subTransfer(r2))
	p.drop()
	r3 := send(alice, bob, 3)
	col.waitFor(t, "the transfer after the second drop", subTransfer(r3))
	before := requests.Load()

	// The network stalls while hundreds of KB of events are made: the server cuts the
	// subscription off (overflow) and it resumes once the network is back.
	p.pause()
	msgs := make([]tx.Msg, tx.MaxMsgs)
	for i := range msgs {
		msgs[i] = &bank.MsgSend{From: alice.Address(), To: bob.Address(), Amount: coin.New("ugrd", coin.Amount(10+i))}
	}
	var hashes []string
	o := opts(alice)
	first := *o.Nonce
	for i := 0; i < 8; i++ {
		nonce := first + uint64(i)
		o.Nonce = &nonce
		raw, err := c.Build(ctx, alice, msgs, o)
		if err != nil {
			t.Fatal(err)
		}
		h, err := c.Broadcast(ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	for _, h := range hashes {
		if r, err := c.WaitForTx(ctx, h); err != nil || r.Code != 0 {
			t.Fatalf("wave: %+v %v", r, err)
		}
	}
	r4 := send(bob, alice, 4)
	time.Sleep(500 * time.Millisecond)
	p.resume()
	col.waitFor(t, "the transfer after the stall", subTransfer(r4))
	end := nodetest.EventIDs(t, rpc, r4.Height, r4.Height)
	lastID := strings.Fields(end[len(end)-1])[0]
	col.waitFor(t, "the end of the last block", func(ev client.StreamEvent) bool { return ev.ID == lastID })

	got, want := col.ids(), nodetest.EventIDs(t, rpc, h0, r4.Height)
	if len(got) > len(want) {
		got = got[:len(want)] // later blocks keep coming
	}
	seen := map[string]bool{}
	for _, g := range got {
		if seen[g] {
			t.Errorf("%s delivered twice", g)
		}
		seen[g] = true
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("delivered %d events, the chain has %d:\ngot  %v\nwant %v", len(got), len(want), got, want)
	}
	if n := requests.Load(); n <= before {
		t.Fatalf("the subscription was not cut off during the stall (%d requests before, %d after)", before, n)
	}
	t.Logf("%d events over %d requests", len(got), requests.Load())
	stop()
	<-col.end
	if !errors.Is(col.err, context.Canceled) {
		t.Fatalf("after cancel: %v", col.err)
	}
}
