package bench

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	jsonrpcclient "github.com/cometbft/cometbft/rpc/jsonrpc/client"
	cmttypes "github.com/cometbft/cometbft/types"
)

// fate is what became of a tx of a step.
type fate uint8

const (
	fateUnsent    fate = iota // the step's time ran out before the client sent it
	fatePending               // admitted to the mempool, not (yet) in a block
	fateCommitted             // in a block, executed with code 0
	fateFailed                // in a block, executed with a non-zero code
	fateRejected              // CheckTx refused it (a code)
	fateDropped               // the broadcast failed (mempool full, timeout), or admitted but never committed
)

// outcome is a step's per-tx record.
type outcome struct {
	fate     []fate
	submitAt []time.Time
	commitAt []time.Time
	height   []int64

	rejects map[string]int // "codespace/code" → count
	drops   map[string]int // reason → count
	blocks  []blockInfo    // blocks that carried the step's txs, in height order
	pending int
}

type blockInfo struct {
	time time.Time // the block header's time
	txs  int       // all txs in the block
	ours int       // txs of this step
}

// tracker follows a node's committed blocks: the NewBlockHeader events of its websocket give
// each height's arrival time; each block is then read (/block) for its tx hashes. A height whose
// event was missed is found by a status poll and stamped when found.
type tracker struct {
	c    *rpcClient
	mu   sync.Mutex
	step *liveStep
	last int64
	stop context.CancelFunc
	done chan struct{}
}

// liveStep maps the tx hashes of the running step to their index.
type liveStep struct {
	idx map[[32]byte]int
	o   *outcome
	mu  *sync.Mutex // guards o and closed (shared with the submitters)
	// closed is set when runStep finalises o: a block read later (the tracker copies the step
	// before reading the block) no longer touches it.
	closed bool
	// signal is poked when a block brought txs of the step.
	signal chan struct{}
}

func newTracker(ctx context.Context, rpc string) (*tracker, error) {
	c, err := dialRPC(rpc, nil)
	if err != nil {
		return nil, err
	}
	if err := c.Start(); err != nil {
		c.close()
		return nil, fmt.Errorf("websocket to %s: %w", rpc, err)
	}
	s, err := c.Status(ctx)
	if err != nil {
		_ = c.Stop()
		c.close()
		return nil, err
	}
	events, err := c.Subscribe(ctx, "girder-bench", cmttypes.EventQueryNewBlockHeader.String(), 1000)
	if err != nil {
		_ = c.Stop()
		c.close()
		return nil, fmt.Errorf("subscribe to %s: %w", rpc, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	t := &tracker{c: c, last: s.SyncInfo.LatestBlockHeight, stop: cancel, done: make(chan struct{})}
	go t.run(ctx, events)
	return t, nil
}

func (t *tracker) run(ctx context.Context, events <-chan ctypes.ResultEvent) {
	defer close(t.done)
	poll := time.NewTicker(500 * time.Millisecond)
	defer poll.Stop()
	for {
		var h int64
		select {
		case <-ctx.Done():
			return
		case ev := <-events:
			now := time.Now()
			d, ok := ev.Data.(cmttypes.EventDataNewBlockHeader)
			if !ok {
				continue
			}
			h = d.Header.Height
			t.catchUp(ctx, h, now)
		case <-poll.C:
			s, err := t.c.Status(ctx)
			if err != nil {
				continue
			}
			h = s.SyncInfo.LatestBlockHeight
			t.catchUp(ctx, h, time.Now())
		}
	}
}

// catchUp reads the blocks after the last one read up to h, all stamped with arrival.
func (t *tracker) catchUp(ctx context.Context, h int64, arrival time.Time) {
	for t.last < h {
		next := t.last + 1
		var b *ctypes.ResultBlock
		var err error
		for attempt := 0; attempt < 20; attempt++ {
			if b, err = t.c.Block(ctx, &next); err == nil {
				break
			}
			if ctx.Err() != nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil {
			return
		}
		t.last = next
		t.mu.Lock()
		st := t.step
		t.mu.Unlock()
		if st != nil {
			st.block(b.Block, arrival)
		}
	}
}

func (st *liveStep) block(b *cmttypes.Block, arrival time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return
	}
	bi := blockInfo{time: b.Time, txs: len(b.Txs)}
	for _, raw := range b.Txs {
		j, ok := st.idx[sha256.Sum256(raw)]
		if !ok {
			continue
		}
		bi.ours++
		o := st.o
		if o.fate[j] == fatePending {
			o.pending--
		}
		o.fate[j], o.commitAt[j], o.height[j] = fateCommitted, arrival, b.Height
	}
	st.o.blocks = append(st.o.blocks, bi)
	select {
	case st.signal <- struct{}{}:
	default:
	}
}

func (t *tracker) close() {
	t.stop()
	<-t.done
	_ = t.c.Stop()
	t.c.close()
}

// rpcClient is a node's RPC client with the HTTP client under it, whose idle connections close
// closes. The harness makes one per node and use (tracker, submitter connection, the network's
// reads) and reuses it.
type rpcClient struct {
	*rpchttp.HTTP
	hc *http.Client
}

// dialRPC makes an RPC client of remote over hc (nil: CometBFT's default HTTP client).
func dialRPC(remote string, hc *http.Client) (*rpcClient, error) {
	if hc == nil {
		var err error
		if hc, err = jsonrpcclient.DefaultHTTPClient(remote); err != nil {
			return nil, fmt.Errorf("rpc %s: %w", remote, err)
		}
	}
	c, err := rpchttp.NewWithClient(remote, hc)
	if err != nil {
		return nil, fmt.Errorf("rpc %s: %w", remote, err)
	}
	return &rpcClient{HTTP: c, hc: hc}, nil
}

func (c *rpcClient) close() { c.hc.CloseIdleConnections() }

// submitter holds the RPC connections txs are broadcast over.
type submitter struct {
	conns []*rpcClient
}

// newSubmitter opens conns HTTP connections, spread over the nodes (connection w to node w mod N).
func newSubmitter(rpcs []string, conns int) (*submitter, error) {
	s := &submitter{}
	for w := 0; w < conns; w++ {
		hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 2}}
		c, err := dialRPC(rpcs[w%len(rpcs)], hc)
		if err != nil {
			s.close()
			return nil, err
		}
		s.conns = append(s.conns, c)
	}
	return s, nil
}

// close closes the connections' transports.
func (s *submitter) close() {
	for _, c := range s.conns {
		c.close()
	}
}

// runStep submits b at rate tx/s for d (a token bucket refilled every 5 ms hands each tx to the
// connection of its lane, which broadcasts it with broadcast_tx_sync), then waits up to tail for
// the admitted txs to commit. The tracker records commits.
func runStep(ctx context.Context, sub *submitter, tr *tracker, b *batch, rate int, d, tail time.Duration) *outcome {
	n := len(b.txs)
	o := &outcome{fate: make([]fate, n), submitAt: make([]time.Time, n), commitAt: make([]time.Time, n), height: make([]int64, n),
		rejects: map[string]int{}, drops: map[string]int{}}
	var mu sync.Mutex
	st := &liveStep{idx: make(map[[32]byte]int, n), o: o, mu: &mu, signal: make(chan struct{}, 1)}
	for j, raw := range b.txs {
		st.idx[sha256.Sum256(raw)] = j
	}
	tr.mu.Lock()
	tr.step = st
	tr.mu.Unlock()

	// Each tx goes to the queue of its lane; a queue holds all of its txs, so the token bucket
	// never waits for a connection.
	W := len(sub.conns)
	per := make([]int, W)
	for _, l := range b.lane {
		per[l%W]++
	}
	queues := make([]chan int, W)
	for w := range queues {
		queues[w] = make(chan int, per[w])
	}
	start := time.Now()
	cutoff := start.Add(d + 250*time.Millisecond) // a tx sent later than this: the client fell behind
	var wg sync.WaitGroup
	for w := 0; w < W; w++ {
		wg.Add(1)
		go func(c *rpcClient, q chan int) {
			defer wg.Done()
			for j := range q {
				now := time.Now()
				if now.After(cutoff) {
					continue // unsent
				}
				mu.Lock()
				o.submitAt[j] = now
				o.fate[j] = fatePending
				o.pending++
				mu.Unlock()
				r, err := c.BroadcastTxSync(ctx, b.txs[j])
				mu.Lock()
				switch {
				case err != nil:
					if o.fate[j] == fatePending {
						o.pending--
						o.fate[j] = fateDropped
						o.drops[dropReason(err)]++
					}
				case r.Code != 0:
					if o.fate[j] == fatePending {
						o.pending--
						o.fate[j] = fateRejected
						o.rejects[fmt.Sprintf("%s/%d", r.Codespace, r.Code)]++
					}
				}
				mu.Unlock()
			}
		}(sub.conns[w], queues[w])
	}
	// The token bucket.
	tick := time.NewTicker(5 * time.Millisecond)
	sent := 0
	for sent < n {
		el := time.Since(start)
		due := min(n, int(float64(rate)*el.Seconds())+1)
		for ; sent < due; sent++ {
			queues[b.lane[sent]%W] <- sent
		}
		if el > d || ctx.Err() != nil {
			break
		}
		<-tick.C
	}
	tick.Stop()
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	// The tail: wait for what the mempools admitted to commit.
	end := time.Now().Add(tail)
	for {
		mu.Lock()
		p := o.pending
		mu.Unlock()
		if p == 0 || time.Now().After(end) || ctx.Err() != nil {
			break
		}
		select {
		case <-st.signal:
		case <-time.After(50 * time.Millisecond):
		}
	}
	tr.mu.Lock()
	tr.step = nil
	tr.mu.Unlock()
	mu.Lock()
	defer mu.Unlock()
	st.closed = true
	for j := range o.fate {
		if o.fate[j] == fatePending {
			o.fate[j] = fateDropped
			o.drops["not committed within the tail"]++
		}
	}
	o.pending = 0
	return o
}

// markFailed reads the results of the step's blocks and marks txs that executed with a non-zero
// code (after the step: the reads do not disturb the measurement).
func markFailed(ctx context.Context, c *rpcClient, b *batch, o *outcome) error {
	heights := map[int64][]int{}
	for j, h := range o.height {
		if o.fate[j] == fateCommitted {
			heights[h] = append(heights[h], j)
		}
	}
	for h := range heights {
		blk, err := c.Block(ctx, &h)
		if err != nil {
			return err
		}
		res, err := c.BlockResults(ctx, &h)
		if err != nil {
			return err
		}
		pos := map[[32]byte]int{}
		for i, raw := range blk.Block.Txs {
			pos[sha256.Sum256(raw)] = i
		}
		for _, j := range heights[h] {
			i, ok := pos[sha256.Sum256(b.txs[j])]
			if !ok || i >= len(res.TxResults) {
				continue
			}
			if r := res.TxResults[i]; r.Code != 0 {
				o.fate[j] = fateFailed
				o.rejects[fmt.Sprintf("in block: %s/%d", r.Codespace, r.Code)]++
			}
		}
	}
	return nil
}

// waitMempool waits (up to timeout) until the nodes' mempools are empty; it says which node's
// was not (or could not be read) when the time ran out.
func waitMempool(ctx context.Context, n *network, timeout time.Duration) error {
	end := time.Now().Add(timeout)
	for i, c := range n.clients {
		u := n.rpcs[i]
		for {
			r, err := c.NumUnconfirmedTxs(ctx)
			if err == nil && r.Total == 0 {
				break
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if time.Now().After(end) {
				if err != nil {
					return fmt.Errorf("mempool of %s not read within %s: %w", u, timeout, err)
				}
				return fmt.Errorf("mempool of %s still holds %d txs after %s", u, r.Total, timeout)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}

func dropReason(err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "mempool is full"):
		return "mempool full"
	case strings.Contains(s, "Timeout"), strings.Contains(s, "timeout"), strings.Contains(s, "deadline"):
		return "timeout"
	case strings.Contains(s, "already exists in cache"):
		return "duplicate (in cache)"
	}
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}
