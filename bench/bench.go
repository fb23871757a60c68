// Package bench is Girder's load harness (issue 10): it starts a network of in-process
// validators (or targets running nodes), sets a scenario up through ordinary txs, pre-signs each
// rate step's txs, submits them at the offered rate over several RPC connections
// (broadcast_tx_sync), follows the committed blocks over the websocket, and reports committed
// tx/s, submit→commit latency percentiles, block interval and the txs rejected and dropped. The
// same steps run against CometBFT's kvstore example application on the same node configuration,
// so Girder's figures come with a ceiling measured in the same run. `girder bench` is its command.
package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/node"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
)

// Config says what to run. Zero values take the defaults.
type Config struct {
	Scenario   string // transfer (default), security or claim
	Validators int    // validators of the network started (default 1)
	// Rates are the offered rates (tx/s) in order; empty: auto, doubling from autoStart until a
	// step saturates (committed < 0.9 × offered, or p99 > 2 s) or autoMax is passed.
	Rates    []int
	Duration time.Duration // per rate step (default 10 s)
	Tail     time.Duration // wait after a step for its admitted txs to commit (default 5 s)
	Accounts int           // sending accounts (default 2000)
	Baseline string        // kvstore (default) or none
	Conns    int           // RPC connections txs are broadcast over (default 16)
	// Nodes, when set, are running nodes' RPC addresses to target instead of starting a network;
	// Funder then funds the accounts (and, for security and claims, needs the IssuerRoles).
	Nodes  []string
	Funder client.Signer
	// Seed derives the accounts' keys (default "girder-bench").
	Seed string
	// Dir holds the networks' homes (default: a temporary directory, removed after the run).
	Dir string
	// ProfileDir, when set, receives a CPU and a heap profile of the process per Girder step.
	ProfileDir string
	// Progress receives a line per phase and per rate step (nil: discarded).
	Progress io.Writer
}

// The auto mode's first and largest rates (tx/s).
const (
	autoStart = 500
	autoMax   = 64000
)

func (c *Config) defaults() error {
	if c.Scenario == "" {
		c.Scenario = ScenarioTransfer
	}
	switch c.Scenario {
	case ScenarioTransfer, ScenarioSecurity, ScenarioClaim:
	default:
		return fmt.Errorf("scenario %q: want transfer, security or claim", c.Scenario)
	}
	if c.Validators == 0 {
		c.Validators = 1
	}
	if c.Validators < 1 || c.Validators > 20 {
		return fmt.Errorf("validators %d: want 1 to 20", c.Validators)
	}
	if c.Duration == 0 {
		c.Duration = 10 * time.Second
	}
	if c.Tail == 0 {
		c.Tail = 5 * time.Second
	}
	if c.Accounts == 0 {
		c.Accounts = 2000
	}
	if c.Accounts < 2 {
		return errors.New("at least 2 accounts")
	}
	if c.Baseline == "" {
		c.Baseline = "kvstore"
	}
	if c.Baseline != "kvstore" && c.Baseline != "none" {
		return fmt.Errorf("baseline %q: want kvstore or none", c.Baseline)
	}
	if c.Conns == 0 {
		c.Conns = 16
	}
	for _, r := range c.Rates {
		if r <= 0 {
			return fmt.Errorf("rate %d: want a positive tx/s", r)
		}
	}
	if c.Seed == "" {
		c.Seed = "girder-bench"
	}
	if len(c.Nodes) > 0 {
		if c.Funder == nil {
			return errors.New("targeting running nodes needs a funder key (it funds the bench accounts)")
		}
		if c.Baseline == "kvstore" {
			return errors.New("the kvstore baseline needs the harness's own network: use --baseline none with --node")
		}
	}
	return nil
}

// Run runs the bench: Girder's steps, then the baseline's.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	progress := func(format string, args ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, format+"\n", args...)
		}
	}
	rep := &Report{Scenario: cfg.Scenario, Validators: cfg.Validators, Nodes: cfg.Nodes, Duration: cfg.Duration.String(),
		Accounts: cfg.Accounts, Conns: cfg.Conns, Started: time.Now().UTC(), Machine: machine(), Girder: Series{App: AppGirder}}
	if len(cfg.Nodes) > 0 {
		rep.Validators = 0
	}
	dir := cfg.Dir
	if dir == "" && len(cfg.Nodes) == 0 {
		d, err := os.MkdirTemp("", "girder-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	if cfg.ProfileDir != "" {
		if err := os.MkdirAll(cfg.ProfileDir, 0o755); err != nil {
			return nil, err
		}
	}

	rates, txBytes, err := runGirder(ctx, cfg, dir, rep, progress)
	rep.Girder.TxBytes = txBytes
	if err != nil {
		if len(rep.Girder.Steps) == 0 {
			return nil, err // nothing to report
		}
		return rep, err
	}

	if cfg.Baseline != "kvstore" {
		return rep, nil
	}
	progress("starting %d kvstore validator(s) (same CometBFT config)", cfg.Validators)
	kv, err := startNetwork(ctx, filepath.Join(dir, "kvstore"), AppKVStore, cfg.Validators, nil, nil)
	if err != nil {
		return rep, err
	}
	defer kv.stop()
	rep.KVStore = &Series{App: AppKVStore, TxBytes: max(txBytes, 16)}
	kcfg := cfg
	kcfg.ProfileDir = ""
	_, err = runSeries(ctx, kcfg, kv, &kvLoad{size: rep.KVStore.TxBytes}, rep.KVStore, rates, progress)
	rep.ratios()
	return rep, err
}

// runGirder starts the Girder network (or reaches cfg.Nodes), sets the scenario up and runs
// Girder's steps into rep.Girder; the network it started is stopped when it returns. It returns
// the rates it ran and the mean size of its txs.
func runGirder(ctx context.Context, cfg Config, dir string, rep *Report, progress func(string, ...any)) ([]int, int, error) {
	var net *network
	issuer := client.Signer(cfg.Funder)
	tag := ""
	if len(cfg.Nodes) > 0 {
		var err error
		if net, err = external(cfg.Nodes); err != nil {
			return nil, 0, err
		}
		var b [4]byte
		_, _ = rand.Read(b[:])
		tag = hex.EncodeToString(b[:])
		cfg.Seed += "/" + tag // fresh accounts on a chain that may have seen a bench before
	} else {
		k := newKey(cfg.Seed, "issuer")
		issuer = k
		var roles []auth.GenesisRole
		for _, r := range IssuerRoles {
			roles = append(roles, auth.GenesisRole{Role: r, Address: k.addr})
		}
		progress("starting %d Girder validator(s) in %s", cfg.Validators, dir)
		var err error
		net, err = startNetwork(ctx, filepath.Join(dir, "girder"), AppGirder, cfg.Validators,
			[]bank.Balance{{Address: k.addr, Coins: []coin.Coin{coin.New("ugrd", 1_000_000_000_000_000)}}}, roles)
		if err != nil {
			return nil, 0, err
		}
		rep.Config = nodeConfig(net.cfg)
	}
	defer net.stop()
	c, err := client.Dial(net.rpcs[0])
	if err != nil {
		return nil, 0, err
	}
	progress("setting up the %s scenario: %d accounts", cfg.Scenario, cfg.Accounts)
	wl, err := newGirderLoad(ctx, c, cfg.Scenario, issuer, cfg.Seed, cfg.Accounts, tag, progress)
	if err != nil {
		return nil, 0, fmt.Errorf("setup: %w", err)
	}
	rates, err := runSeries(ctx, cfg, net, wl, &rep.Girder, nil, progress)
	return rates, wl.meanSize(), err
}

// runSeries runs the rate steps of one application. With fixed rates it runs them all; in auto
// mode it starts with the rates given (the other application's) and doubles until a step
// saturates. It returns the rates it ran.
func runSeries(ctx context.Context, cfg Config, net *network, wl workload, s *Series, first []int, progress func(string, ...any)) ([]int, error) {
	tr, err := newTracker(ctx, net.rpcs[0])
	if err != nil {
		return nil, err
	}
	defer tr.close()
	sub, err := newSubmitter(net.rpcs, cfg.Conns)
	if err != nil {
		return nil, err
	}
	defer sub.close()
	auto := len(cfg.Rates) == 0
	var ran []int
	nextRate := func(i int) (int, bool) {
		if !auto {
			if i < len(cfg.Rates) {
				return cfg.Rates[i], true
			}
			return 0, false
		}
		if i < len(first) {
			return first[i], true
		}
		r := autoStart
		if len(ran) > 0 {
			r = ran[len(ran)-1] * 2
		}
		if r > autoMax || (len(s.Steps) > 0 && s.Steps[len(s.Steps)-1].Saturated) {
			return 0, false
		}
		return r, true
	}
	for i := 0; ; i++ {
		rate, ok := nextRate(i)
		if !ok {
			break
		}
		if ctx.Err() != nil {
			return ran, ctx.Err()
		}
		n := int(float64(rate) * cfg.Duration.Seconds())
		t0 := time.Now()
		b, err := wl.next(ctx, n)
		if err != nil {
			return ran, fmt.Errorf("%s at %d/s: pre-sign: %w", s.App, rate, err)
		}
		prep := time.Since(t0)
		if err := waitMempool(ctx, net, 30*time.Second); err != nil {
			progress("%-7s offered %6d/s: before the step: %v", s.App, rate, err)
		}
		runtime.GC()
		stopProfile, err := startProfile(cfg.ProfileDir, s.App, rate)
		if err != nil {
			return ran, err
		}
		o := runStep(ctx, sub, tr, b, rate, cfg.Duration, cfg.Tail)
		if err := stopProfile(); err != nil {
			return ran, err
		}
		if err := markFailed(ctx, net.clients[0], b, o); err != nil {
			return ran, fmt.Errorf("%s at %d/s: block results: %w", s.App, rate, err)
		}
		st := stepOf(rate, b, o)
		s.add(st)
		ran = append(ran, rate)
		sat := ""
		if st.Saturated {
			sat = "  SATURATED"
		}
		progress("%-7s offered %6d/s: %7d txs (pre-signed in %.1fs), submitted %7d (%6.0f/s), committed %7d (%6.0f/s), p50/p95/p99 %4.0f/%4.0f/%4.0f ms, block %4.0f ms × %5.0f tx, failed %d rejected %d dropped %d unsent %d%s",
			s.App, rate, st.Txs, prep.Seconds(), st.Submitted, st.SubmittedTPS, st.Committed, st.CommittedTPS, st.P50, st.P95, st.P99,
			st.BlockInterval, st.TxsPerBlock, st.Failed, st.Rejected, st.Dropped, st.Unsent, sat)
		// The accounts' pending nonces are read once what the step left in the mempools has
		// committed or been evicted (before the next step's txs are signed with them).
		if err := waitMempool(ctx, net, 30*time.Second); err != nil {
			progress("%-7s offered %6d/s: after the step: %v", s.App, rate, err)
		}
		if err := wl.done(ctx, b, o); err != nil {
			return ran, fmt.Errorf("%s at %d/s: nonces after the step: %w", s.App, rate, err)
		}
	}
	return ran, nil
}

// startProfile starts a CPU profile of the process for one step (a no-op without dir); the
// function it returns stops it and writes a heap profile.
func startProfile(dir, app string, rate int) (func() error, error) {
	if dir == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-cpu-%d.pprof", app, rate)))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return err
		}
		h, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-heap-%d.pprof", app, rate)))
		if err != nil {
			return err
		}
		defer h.Close()
		return pprof.WriteHeapProfile(h)
	}, nil
}

func nodeConfig(c *cmtcfg.Config) NodeConfig {
	p := node.ConsensusParams()
	return NodeConfig{TimeoutCommit: c.Consensus.TimeoutCommit.String(), TimeoutPropose: c.Consensus.TimeoutPropose.String(),
		MempoolSize: c.Mempool.Size, MempoolRecheck: c.Mempool.Recheck, BlockMaxBytes: p.Block.MaxBytes, BlockMaxGas: p.Block.MaxGas,
		TxIndexer: c.TxIndex.Indexer, DBBackend: c.DBBackend}
}
