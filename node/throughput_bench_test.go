package node

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cometbft/cometbft/abci/example/kvstore"
	abci "github.com/cometbft/cometbft/abci/types"
	cmtcfg "github.com/cometbft/cometbft/config"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/fees"
)

// BenchmarkThroughput drives a real in-process network (1 or 4 validators, default
// configuration) with pre-signed native transfers from many accounts, submitted over RPC
// (broadcast_tx_sync) at a fixed offered rate, and reports committed tx/s and submit→commit
// latency percentiles; the same driver then runs CometBFT's kvstore example app on the same
// configuration, and the ratio girder/kvstore is reported (issue 10's targets):
//
//	go test ./node -run '^$' -bench Throughput -benchtime 1x -timeout 30m
//
// Environment: GIRDER_LOAD_RATE (offered tx/s, default 12000), GIRDER_LOAD_SECONDS (default 10),
// GIRDER_LOAD_VALIDATORS (default "1,4"), GIRDER_LOAD_APPS (default "girder,kvstore"),
// GIRDER_LOAD_WORKERS (concurrent submitters, a power of two up to 4096, default 512),
// GIRDER_LOAD_CPUPROFILE (a directory: one CPU profile of the load phase per case).
// The benchmark runs once whatever b.N is (use -benchtime 1x).
func BenchmarkThroughput(b *testing.B) {
	rate := envInt("GIRDER_LOAD_RATE", 12000)
	secs := envInt("GIRDER_LOAD_SECONDS", 10)
	vals := envList("GIRDER_LOAD_VALIDATORS", "1,4")
	apps := envList("GIRDER_LOAD_APPS", "girder,kvstore")
	for _, v := range vals {
		nv, _ := strconv.Atoi(v)
		tps := map[string]float64{}
		for _, appName := range apps {
			b.Run(fmt.Sprintf("validators=%d/app=%s", nv, appName), func(b *testing.B) {
				r := runLoad(b, loadSpec{validators: nv, kvstore: appName == "kvstore", rate: rate,
					dur: time.Duration(secs) * time.Second, workers: envInt("GIRDER_LOAD_WORKERS", 512), profile: os.Getenv("GIRDER_LOAD_CPUPROFILE")})
				tps[appName] = r.tps
				b.ReportMetric(r.tps, "tx/s")
				b.ReportMetric(ms(r.p50), "p50-ms")
				b.ReportMetric(ms(r.p95), "p95-ms")
				b.ReportMetric(ms(r.p99), "p99-ms")
				b.ReportMetric(r.blockMs, "ms/block")
				b.ReportMetric(float64(r.rejected), "rejected")
				b.ReportMetric(float64(r.lost), "uncommitted")
				b.ReportMetric(float64(r.failed), "failed")
				b.Logf("%s, %d validator(s), offered %d tx/s: sent %d (%.0f tx/s), rejected %d, committed %.0f tx/s, p50 %v p95 %v p99 %v, %.0f ms/block, %.0f tx/block, uncommitted %d, failed %d",
					appName, nv, rate, r.sent, r.sentRate, r.rejected, r.tps, r.p50, r.p95, r.p99, r.blockMs, r.txPerBlock, r.lost, r.failed)
			})
		}
		if tps["kvstore"] > 0 && tps["girder"] > 0 {
			b.Logf("validators=%d: girder/kvstore = %.2f (%.0f / %.0f tx/s)", nv, tps["girder"]/tps["kvstore"], tps["girder"], tps["kvstore"])
		}
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func envList(name, def string) []string {
	v := os.Getenv(name)
	if v == "" {
		v = def
	}
	var out []string
	for _, s := range bytes.Split([]byte(v), []byte(",")) {
		if len(s) > 0 {
			out = append(out, string(s))
		}
	}
	return out
}

type loadSpec struct {
	validators int
	kvstore    bool
	rate       int // offered tx/s
	dur        time.Duration
	profile    string // directory for a CPU profile of the load phase ("": none)
	workers    int    // concurrent submitters (a divisor of loadAccounts: an account's txs go through one, in order)
}

type loadResult struct {
	sent, rejected, lost, failed int
	sentRate, tps                float64
	p50, p95, p99                time.Duration
	blockMs, txPerBlock          float64
}

const (
	loadAccounts = 4096
	loadChain    = "girder-load"
)

// runLoad starts the network, pre-signs rate×dur txs, offers them at rate, and measures.
func runLoad(b *testing.B, s loadSpec) loadResult {
	b.Helper()
	signers := make([]memSigner, loadAccounts)
	var bals []bank.Balance
	for i := range signers {
		signers[i] = newSigner(fmt.Sprintf("load %d", i))
		bals = append(bals, bank.Balance{Address: signers[i].Address(), Coins: []coin.Coin{coin.New("ugrd", 1_000_000_000_000)}})
	}
	dir := b.TempDir()
	var homes []string
	if s.validators == 1 {
		home := filepath.Join(dir, "node0")
		if _, err := Init(InitOptions{Home: home, ChainID: loadChain, Moniker: "v0", Balances: bals}); err != nil {
			b.Fatal(err)
		}
		homes = []string{home}
	} else {
		tn, err := InitTestnet(TestnetOptions{Dir: dir, ChainID: loadChain, Validators: s.validators, Balances: bals,
			Ports: func(int) (string, string) { return freePortAddr(b), freePortAddr(b) }})
		if err != nil {
			b.Fatal(err)
		}
		for _, n := range tn.Nodes {
			homes = append(homes, n.Home)
		}
	}
	var abciTimes abciTimings
	var nodes []*Node
	for i, home := range homes {
		o := Options{Log: nopWriter{}}
		if s.validators == 1 {
			rpc, p2p := freePortAddr(b), freePortAddr(b)
			o.Configure = func(c *cmtcfg.Config) { c.RPC.ListenAddress, c.P2P.ListenAddress = "tcp://"+rpc, "tcp://"+p2p }
		}
		o.WrapApp = func(a abci.Application) abci.Application {
			if s.kvstore {
				a = kvstore.NewInMemoryApplication()
			}
			if i == 0 {
				return &timed{Application: a, t: &abciTimes}
			}
			return a
		}
		n, err := Start(context.Background(), home, o)
		if err != nil {
			b.Fatalf("node %d: %v", i, err)
		}
		nodes = append(nodes, n)
	}
	defer func() {
		for _, n := range nodes {
			_ = n.Stop()
		}
	}()
	for _, n := range nodes {
		deadline := time.Now().Add(60 * time.Second)
		for n.Comet().BlockStore().Height() < 2 {
			if time.Now().After(deadline) {
				b.Fatal("network did not start")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// Pre-sign: tx j is account j mod A's tx of nonce j / A.
	total := s.rate * int(s.dur/time.Second)
	txs := make([][]byte, total)
	var wg sync.WaitGroup
	cpus := runtime.NumCPU()
	for c := 0; c < cpus; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for j := c; j < total; j += cpus {
				if s.kvstore {
					txs[j] = []byte(fmt.Sprintf("load%09d=%d", j, j))
					continue
				}
				txs[j] = loadTransfer(b, signers, j)
			}
		}(c)
	}
	wg.Wait()
	index := make(map[[32]byte]int, total)
	for j, raw := range txs {
		index[sha256.Sum256(raw)] = j
	}
	submitted := make([]atomic.Int64, total) // unix ns when broadcast_tx_sync returned OK
	committed := make([]int64, total)        // unix ns of the NewBlock event

	// Blocks, as node 0 commits them.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub, err := nodes[0].Comet().EventBus().Subscribe(ctx, "load", cmttypes.EventQueryNewBlock, 10_000)
	if err != nil {
		b.Fatal(err)
	}
	type blockSeen struct {
		at  time.Time
		txs int
	}
	var (
		blocksMu sync.Mutex
		blocks   []blockSeen
		failed   atomic.Int64
		inBlocks atomic.Int64
	)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case msg := <-sub.Out():
				now := time.Now()
				ev := msg.Data().(cmttypes.EventDataNewBlock)
				for i, raw := range ev.Block.Txs {
					j, ok := index[sha256.Sum256(raw)]
					if !ok {
						continue
					}
					committed[j] = now.UnixNano()
					if i < len(ev.ResultFinalizeBlock.TxResults) && ev.ResultFinalizeBlock.TxResults[i].Code != 0 {
						failed.Add(1)
					}
				}
				inBlocks.Add(int64(len(ev.Block.Txs)))
				blocksMu.Lock()
				blocks = append(blocks, blockSeen{at: now, txs: len(ev.Block.Txs)})
				blocksMu.Unlock()
			}
		}
	}()

	if s.profile != "" {
		name := "girder"
		if s.kvstore {
			name = "kvstore"
		}
		f, err := os.Create(filepath.Join(s.profile, fmt.Sprintf("cpu-%s-%dv.pprof", name, s.validators)))
		if err != nil {
			b.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}

	// Offer the txs at rate: tx j is due at t0 + j/rate; worker w sends j ≡ w (mod workers).
	httpc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: s.workers, MaxConnsPerHost: s.workers}}
	urls := make([]string, len(nodes))
	for i, n := range nodes {
		urls[i] = n.RPCURL()
	}
	var rejected atomic.Int64
	var firstErr atomic.Value
	t0 := time.Now()
	for w := 0; w < s.workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			dead := map[int]bool{}
			url := urls[w%len(urls)]
			for j := w; j < total; j += s.workers {
				if dead[j%loadAccounts] {
					rejected.Add(1)
					continue
				}
				if d := time.Until(t0.Add(time.Duration(int64(j) * int64(time.Second) / int64(s.rate)))); d > 0 {
					time.Sleep(d)
				}
				start := time.Now()
				if err := broadcastSync(httpc, url, txs[j]); err != nil {
					rejected.Add(1)
					dead[j%loadAccounts] = true
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				submitted[j].Store(start.UnixNano())
			}
		}(w)
	}
	wg.Wait()
	sendEnd := time.Now()
	accepted := total - int(rejected.Load())
	// Drain: wait for every accepted tx to commit (at most 30 s after the last send).
	for time.Since(sendEnd) < 30*time.Second && inBlocks.Load() < int64(accepted) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	cancel()
	if e := firstErr.Load(); e != nil {
		b.Logf("first rejection: %s", e)
	}

	b.Logf("node 0, per block: %s", abciTimes.String())
	r := loadResult{sent: accepted, rejected: int(rejected.Load()), failed: int(failed.Load())}
	r.sentRate = float64(total) / sendEnd.Sub(t0).Seconds()
	var lat []time.Duration
	for j := range txs {
		st := submitted[j].Load()
		if st == 0 {
			continue
		}
		if committed[j] == 0 {
			r.lost++
			continue
		}
		lat = append(lat, time.Duration(committed[j]-st))
	}
	sort.Slice(lat, func(i, k int) bool { return lat[i] < lat[k] })
	if len(lat) > 0 {
		r.p50, r.p95, r.p99 = lat[len(lat)/2], lat[len(lat)*95/100], lat[len(lat)*99/100]
	}
	// Steady-state throughput: txs in blocks committed between 1 s after the start and the end
	// of the send phase, over that window.
	blocksMu.Lock()
	defer blocksMu.Unlock()
	from, to := t0.Add(time.Second), sendEnd
	var n, nb, firstTxs int
	var first, last time.Time
	for _, bl := range blocks {
		if bl.at.Before(from) || bl.at.After(to) {
			continue
		}
		if nb == 0 {
			first, firstTxs = bl.at, bl.txs
		}
		last = bl.at
		n += bl.txs
		nb++
	}
	if nb > 1 {
		// txs of the blocks after the first one in the window, over the time they took
		r.tps = float64(n-firstTxs) / last.Sub(first).Seconds()
		r.blockMs = ms(last.Sub(first)) / float64(nb-1)
		r.txPerBlock = float64(n) / float64(nb)
	}
	return r
}

// loadTransfer signs tx j: 1 ugrd from account j mod A to the next account, nonce j / A, its
// gas limit set as the SDK sets it (the tx's gas plus the fee fields' bytes) and a max fee of
// twice the minimum base fee.
func loadTransfer(b *testing.B, signers []memSigner, j int) []byte {
	from, to := signers[j%len(signers)], signers[(j+1)%len(signers)]
	nonce := uint64(j / len(signers))
	a, err := tx.Pack(&bank.MsgSend{From: from.Address(), To: to.Address(), Amount: coin.New("ugrd", 1)})
	if err != nil {
		b.Error(err)
		return nil
	}
	var pub []byte
	if nonce == 0 {
		pub = from.PubKey()
	}
	body := tx.Body{ChainID: loadChain, Signer: from.Address(), Nonce: nonce, Msgs: []tx.Any{a}}
	probe, err := tx.Sign(body, pub, from.Sign)
	if err != nil {
		b.Error(err)
		return nil
	}
	p := fees.DefaultParams()
	gas := p.TxBaseGas + uint64(len(probe)+26)*p.PerByteGas + 1_000
	body.Fee = tx.Fee{GasLimit: gas, MaxFee: 2 * p.MinBaseFee * coin.Amount(gas)}
	raw, err := tx.Sign(body, pub, func(m []byte) []byte { return ed25519.Sign(from.priv, m) })
	if err != nil {
		b.Error(err)
	}
	return raw
}

// broadcastSync posts a broadcast_tx_sync and returns an error unless CheckTx accepted the tx.
func broadcastSync(c *http.Client, url string, raw []byte) error {
	body := `{"jsonrpc":"2.0","id":1,"method":"broadcast_tx_sync","params":{"tx":"` + base64.StdEncoding.EncodeToString(raw) + `"}}`
	resp, err := c.Post(url, "application/json", bytes.NewBufferString(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var r struct {
		Result *struct {
			Code uint32 `json:"code"`
			Log  string `json:"log"`
		} `json:"result"`
		Error *struct {
			Message string `json:"message"`
			Data    string `json:"data"`
		} `json:"error"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return fmt.Errorf("%w: %s", err, out)
	}
	if r.Error != nil {
		return fmt.Errorf("rpc: %s %s", r.Error.Message, r.Error.Data)
	}
	if r.Result == nil || r.Result.Code != 0 {
		return fmt.Errorf("CheckTx: %s", out)
	}
	return nil
}

// abciTimings sums the time node 0's app spends in each consensus call (and in CheckTx).
type abciTimings struct {
	mu                                      sync.Mutex
	blocks                                  int
	prepare, process, finalize, commit, chk time.Duration
	checks                                  int
}

func (t *abciTimings) add(d *time.Duration, since time.Time) {
	t.mu.Lock()
	*d += time.Since(since)
	t.mu.Unlock()
}

func (t *abciTimings) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.blocks == 0 {
		return "no blocks"
	}
	per := func(d time.Duration) time.Duration { return (d / time.Duration(t.blocks)).Round(10 * time.Microsecond) }
	chk := time.Duration(0)
	if t.checks > 0 {
		chk = t.chk / time.Duration(t.checks)
	}
	return fmt.Sprintf("%d blocks: prepare %v, process %v, finalize %v, commit %v; CheckTx %v each (%d)",
		t.blocks, per(t.prepare), per(t.process), per(t.finalize), per(t.commit), chk, t.checks)
}

// timed measures an app's ABCI calls.
type timed struct {
	abci.Application
	t *abciTimings
}

func (a *timed) CheckTx(ctx context.Context, r *abci.CheckTxRequest) (*abci.CheckTxResponse, error) {
	defer a.t.add(&a.t.chk, time.Now())
	a.t.mu.Lock()
	a.t.checks++
	a.t.mu.Unlock()
	return a.Application.CheckTx(ctx, r)
}

func (a *timed) PrepareProposal(ctx context.Context, r *abci.PrepareProposalRequest) (*abci.PrepareProposalResponse, error) {
	defer a.t.add(&a.t.prepare, time.Now())
	return a.Application.PrepareProposal(ctx, r)
}

func (a *timed) ProcessProposal(ctx context.Context, r *abci.ProcessProposalRequest) (*abci.ProcessProposalResponse, error) {
	defer a.t.add(&a.t.process, time.Now())
	return a.Application.ProcessProposal(ctx, r)
}

func (a *timed) FinalizeBlock(ctx context.Context, r *abci.FinalizeBlockRequest) (*abci.FinalizeBlockResponse, error) {
	defer a.t.add(&a.t.finalize, time.Now())
	a.t.mu.Lock()
	a.t.blocks++
	a.t.mu.Unlock()
	return a.Application.FinalizeBlock(ctx, r)
}

func (a *timed) Commit(ctx context.Context, r *abci.CommitRequest) (*abci.CommitResponse, error) {
	defer a.t.add(&a.t.commit, time.Now())
	return a.Application.Commit(ctx, r)
}
