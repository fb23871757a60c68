// Package faults holds the fault-tolerance tests of Girder networks: validators as real OS
// processes on loopback, killed with SIGKILL, stopped, partitioned through per-link TCP proxies,
// and crashed at chosen points of a block, under a bounded load.
package faults

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"github.com/girder-chain/girder/internal/testports"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/app"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/node"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/bank"
)

// The test binary doubles as a node: with $GIRDER_FAULT_NODE set it runs the node of that home.
func TestMain(m *testing.M) {
	if home := os.Getenv("GIRDER_FAULT_NODE"); home != "" {
		os.Exit(runNode(home, os.Getenv("GIRDER_FAULT_CRASH")))
	}
	os.Exit(m.Run())
}

func runNode(home, crash string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	logf, err := os.OpenFile(filepath.Join(home, "node.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	opts := node.Options{Log: logf}
	if crash != "" {
		when, h, _ := strings.Cut(crash, ":")
		height, _ := strconv.ParseInt(h, 10, 64)
		opts.WrapApp = func(a abci.Application) abci.Application { return &crashApp{Application: a, when: when, at: height} }
	}
	n, err := node.Start(ctx, home, opts)
	if err != nil {
		fmt.Fprintln(logf, "start:", err)
		return 1
	}
	<-ctx.Done()
	if err := n.Stop(); err != nil {
		fmt.Fprintln(logf, "stop:", err)
		return 1
	}
	return 0
}

// crashApp ends the process abruptly (as SIGKILL would: no cleanup) around the Commit of block
// `at`: "before-commit" after the block is saved and executed but before the app commits it;
// "after-commit" after the app committed but before CometBFT saved its own state.
type crashApp struct {
	abci.Application
	when   string
	at     int64
	height int64
}

const crashExit = 3

func (c *crashApp) FinalizeBlock(ctx context.Context, req *abci.FinalizeBlockRequest) (*abci.FinalizeBlockResponse, error) {
	c.height = req.Height
	return c.Application.FinalizeBlock(ctx, req)
}

func (c *crashApp) Commit(ctx context.Context, req *abci.CommitRequest) (*abci.CommitResponse, error) {
	if c.height == c.at && c.when == "before-commit" {
		os.Exit(crashExit)
	}
	res, err := c.Application.Commit(ctx, req)
	if c.height == c.at && c.when == "after-commit" {
		os.Exit(crashExit)
	}
	return res, err
}

// signer is an in-memory funded key.
type signer struct{ priv ed25519.PrivateKey }

func newSigner(i int) signer {
	seed := sha256.Sum256([]byte(fmt.Sprintf("faults key %d", i)))
	return signer{ed25519.NewKeyFromSeed(seed[:])}
}
func (s signer) PubKey() []byte           { return s.priv.Public().(ed25519.PublicKey) }
func (s signer) Address() address.Address { return address.FromPubKey(tx.KeyEd25519, s.PubKey()) }
func (s signer) Sign(m []byte) []byte     { return ed25519.Sign(s.priv, m) }

// network is a local testnet whose nodes run as child processes and reach each other only
// through proxies[i][j] (the link node i dials to reach node j).
type network struct {
	t       testing.TB
	tn      *node.Testnet
	procs   []*proc
	proxies [][]*proxy
	keys    []signer
}

type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

func freeAddr(t testing.TB) string {
	t.Helper()
	return testports.Addr()
}

// newNetwork writes a testnet of vals validators and full full nodes (not started).
func newNetwork(t testing.TB, vals, full int) *network {
	t.Helper()
	n := vals + full
	nw := &network{t: t, procs: make([]*proc, n), proxies: make([][]*proxy, n)}
	type ports struct{ p2p, rpc string }
	ps := make([]ports, n)
	for i := range ps {
		ps[i] = ports{freeAddr(t), freeAddr(t)}
	}
	for i := 0; i < n; i++ {
		nw.proxies[i] = make([]*proxy, n)
		for j := 0; j < n; j++ {
			if i != j {
				nw.proxies[i][j] = newProxy(t, ps[j].p2p)
			}
		}
	}
	var bals []bank.Balance
	for i := 0; i < 6; i++ {
		k := newSigner(i)
		nw.keys = append(nw.keys, k)
		bals = append(bals, bank.Balance{Address: k.Address(), Coins: []coin.Coin{coin.New("ugrd", 1_000_000_000_000)}})
	}
	tn, err := node.InitTestnet(node.TestnetOptions{
		Dir: t.TempDir(), ChainID: "girder-faults", Validators: vals, FullNodes: full, Balances: bals,
		Ports: func(i int) (string, string) { return ps[i].p2p, ps[i].rpc },
		Peer:  func(i, j int) string { return nw.proxies[i][j].addr },
	})
	if err != nil {
		t.Fatal(err)
	}
	nw.tn = tn
	t.Cleanup(nw.shutdown)
	return nw
}

// start runs node i as a child process (crash: "", or "before-commit:H" / "after-commit:H").
func (nw *network) start(i int, crash string) {
	nw.t.Helper()
	self, err := os.Executable()
	if err != nil {
		nw.t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(os.Environ(), "GIRDER_FAULT_NODE="+nw.tn.Nodes[i].Home, "GIRDER_FAULT_CRASH="+crash)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		nw.t.Fatal(err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	nw.procs[i] = p
}

// startAll starts every node that is not running.
func (nw *network) startAll() {
	for i := range nw.tn.Nodes {
		if !nw.running(i) {
			nw.start(i, "")
		}
	}
}

func (nw *network) running(i int) bool {
	p := nw.procs[i]
	if p == nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// kill sends SIGKILL to node i and waits for it to die.
func (nw *network) kill(i int) {
	if p := nw.procs[i]; p != nil {
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// stop asks node i to stop cleanly.
func (nw *network) stop(i int) {
	nw.t.Helper()
	if p := nw.procs[i]; p != nil && nw.running(i) {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(20 * time.Second):
			nw.t.Fatalf("node%d did not stop within 20s", i)
		}
	}
}

// waitExit waits for node i to end by itself (a crash) and returns its exit code.
func (nw *network) waitExit(i int, timeout time.Duration) int {
	nw.t.Helper()
	select {
	case <-nw.procs[i].done:
		return nw.procs[i].cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		nw.t.Fatalf("node%d did not exit within %v", i, timeout)
		return 0
	}
}

func (nw *network) shutdown() {
	for i := range nw.procs {
		nw.kill(i)
	}
	for _, row := range nw.proxies {
		for _, p := range row {
			if p != nil {
				p.close()
			}
		}
	}
}

func (nw *network) client(i int) *client.Client {
	c, err := client.Dial("tcp://" + nw.tn.Nodes[i].RPC)
	if err != nil {
		nw.t.Fatal(err)
	}
	return c
}

// height is node i's latest height, or -1 when it does not answer.
func (nw *network) height(i int) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s, err := nw.client(i).Status(ctx)
	if err != nil {
		return -1
	}
	return s.Height
}

// waitHeight waits until every listed node reaches h.
func (nw *network) waitHeight(h int64, timeout time.Duration, nodes ...int) {
	nw.t.Helper()
	deadline := time.Now().Add(timeout)
	for _, i := range nodes {
		for nw.height(i) < h {
			if time.Now().After(deadline) {
				nw.t.Fatalf("node%d at height %d, did not reach %d within %v", i, nw.height(i), h, timeout)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

func (nw *network) maxHeight(nodes ...int) int64 {
	var m int64
	for _, i := range nodes {
		if h := nw.height(i); h > m {
			m = h
		}
	}
	return m
}

// cut severs every link between the nodes of a and those of b (both directions).
func (nw *network) cut(a, b []int) {
	for _, i := range a {
		for _, j := range b {
			nw.proxies[i][j].cut()
			nw.proxies[j][i].cut()
		}
	}
}

// heal restores every link.
func (nw *network) heal() {
	for _, row := range nw.proxies {
		for _, p := range row {
			if p != nil {
				p.heal()
			}
		}
	}
}

// checkAgreement requires every listed node to have the same block hash and app hash at every
// height they all have.
func (nw *network) checkAgreement(nodes ...int) int64 {
	nw.t.Helper()
	top := int64(-1)
	for _, i := range nodes {
		if h := nw.height(i); top < 0 || h < top {
			top = h
		}
	}
	if top < 1 {
		nw.t.Fatalf("nodes %v have no common block", nodes)
	}
	ctx := context.Background()
	type hdr struct{ block, app string }
	var first []hdr
	for k, i := range nodes {
		rc, err := rpchttp.New("tcp://" + nw.tn.Nodes[i].RPC)
		if err != nil {
			nw.t.Fatal(err)
		}
		var got []hdr
		for lo := int64(1); lo <= top; lo += 20 {
			hi := min(lo+19, top)
			info, err := rc.BlockchainInfo(ctx, lo, hi)
			if err != nil {
				nw.t.Fatalf("node%d blockchain info %d-%d: %v", i, lo, hi, err)
			}
			// BlockMetas come highest first.
			for m := len(info.BlockMetas) - 1; m >= 0; m-- {
				bm := info.BlockMetas[m]
				got = append(got, hdr{bm.BlockID.Hash.String(), bm.Header.AppHash.String()})
			}
		}
		if int64(len(got)) != top {
			nw.t.Fatalf("node%d returned %d headers for heights 1-%d", i, len(got), top)
		}
		if k == 0 {
			first = got
			continue
		}
		for h := range got {
			if got[h] != first[h] {
				nw.t.Fatalf("height %d: node%d has block %s app %s, node%d has block %s app %s",
					h+1, i, got[h].block, got[h].app, nodes[0], first[h].block, first[h].app)
			}
		}
	}
	return top
}

// checkInvariants opens the state of each listed (stopped) node and checks every module invariant.
func (nw *network) checkInvariants(nodes ...int) {
	nw.t.Helper()
	for _, i := range nodes {
		if nw.running(i) {
			nw.t.Fatalf("node%d must be stopped to check its state", i)
		}
		tree, err := store.Open(node.StateDir(nw.tn.Nodes[i].Home))
		if err != nil {
			nw.t.Fatal(err)
		}
		a, err := app.New(tree, cmtlog.NewNopLogger())
		if err == nil {
			err = a.Invariants()
		}
		tree.Close()
		if err != nil {
			nw.t.Fatalf("node%d: %v", i, err)
		}
	}
}

func all(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// load sends transfers from each key in turn to the running nodes until stopped, and records
// every tx it saw committed (hash → height, code 0).
type load struct {
	mu    sync.Mutex
	acked map[string]int64
	sent  int
	stop  context.CancelFunc
	done  sync.WaitGroup
}

func (nw *network) startLoad(nodes ...int) *load {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute) // bounded in time
	l := &load{acked: map[string]int64{}, stop: cancel}
	for k, key := range nw.keys {
		l.done.Add(1)
		go func(k int, key signer) {
			defer l.done.Done()
			to := nw.keys[(k+1)%len(nw.keys)].Address()
			for i := 0; ctx.Err() == nil && i < 10_000; i++ { // bounded in count
				target := nodes[(k+i)%len(nodes)]
				if !nw.running(target) {
					time.Sleep(50 * time.Millisecond)
					continue
				}
				c := nw.client(target)
				actx, acancel := context.WithTimeout(ctx, 5*time.Second)
				r, err := c.Send(actx, key, []tx.Msg{&bank.MsgSend{From: key.Address(), To: to, Amount: coin.New("ugrd", 1)}}, client.BuildOptions{})
				acancel()
				l.mu.Lock()
				l.sent++
				if err == nil && r.Code == 0 {
					l.acked[r.Hash] = r.Height
				}
				l.mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}(k, key)
	}
	return l
}

func (l *load) finish() map[string]int64 {
	l.stop()
	l.done.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]int64, len(l.acked))
	for h, v := range l.acked {
		out[h] = v
	}
	return out
}

// proxy forwards TCP connections to a node's p2p port until cut.
type proxy struct {
	addr   string
	target string
	ln     net.Listener
	mu     sync.Mutex
	isCut  bool
	conns  map[net.Conn]struct{}
	closed bool
}

func newProxy(t testing.TB, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{addr: ln.Addr().String(), target: target, ln: ln, conns: map[net.Conn]struct{}{}}
	go p.serve()
	return p
}

func (p *proxy) serve() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		refused := p.isCut || p.closed
		p.mu.Unlock()
		if refused {
			in.Close()
			continue
		}
		out, err := net.DialTimeout("tcp", p.target, 2*time.Second)
		if err != nil {
			in.Close()
			continue
		}
		p.mu.Lock()
		p.conns[in], p.conns[out] = struct{}{}, struct{}{}
		p.mu.Unlock()
		go p.pipe(in, out)
		go p.pipe(out, in)
	}
}

func (p *proxy) pipe(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.isCut = true
	for c := range p.conns {
		c.Close()
	}
}

func (p *proxy) heal() {
	p.mu.Lock()
	p.isCut = false
	p.mu.Unlock()
}

func (p *proxy) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.ln.Close()
	p.cut()
}
