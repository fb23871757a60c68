package node

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	abcicli "github.com/cometbft/cometbft/abci/client"
	abci "github.com/cometbft/cometbft/abci/types"
	cmtcfg "github.com/cometbft/cometbft/config"
	cmtflags "github.com/cometbft/cometbft/libs/cli/flags"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	cmtsync "github.com/cometbft/cometbft/libs/sync"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"

	"github.com/girder-chain/girder/api"
	"github.com/girder-chain/girder/app"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/snapshots"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/governance"
)

// Node is a running Girder node: CometBFT plus the app, in one process.
type Node struct {
	App    *app.App
	Config *cmtcfg.Config
	comet  *cmtnode.Node
	tree   *store.Tree
	dbs    *openedDBs
	snaps  *snapshots.Manager
	api    *api.Server
}

// Options tune Start.
type Options struct {
	// Log receives CometBFT's and the app's logs (os.Stderr when nil).
	Log io.Writer
	// Configure adjusts the loaded config before the node starts (tests pick free ports).
	Configure func(*cmtcfg.Config)
	// WrapApp, when set, wraps the app CometBFT talks to (instrumentation; fault injection in tests).
	WrapApp func(abci.Application) abci.Application
	// API, when set, serves the REST API with this configuration.
	API *api.Config
	// SnapshotInterval: a state-sync snapshot every this many blocks (0: DefaultSnapshotInterval).
	SnapshotInterval uint64
	// SnapshotKeepRecent: how many snapshots to keep (0: DefaultSnapshotKeepRecent).
	SnapshotKeepRecent int
	// NoSnapshots: take no snapshots (the node still serves those it has, and restores one
	// when it state-syncs).
	NoSnapshots bool
	// Upgrades are the software upgrades this binary knows, by name: registered with the app
	// before CometBFT starts (its handshake may replay the upgrade's block). When chain
	// governance's plan reaches an upgrade not listed here, the app halts: App.Halted closes.
	Upgrades map[string]app.UpgradeHandler
}

// snapshotSettings applies the defaults.
func (o Options) snapshotSettings() (interval uint64, keep int) {
	interval, keep = o.SnapshotInterval, o.SnapshotKeepRecent
	if interval == 0 {
		interval = DefaultSnapshotInterval
	}
	if o.NoSnapshots {
		interval = 0
	}
	if keep <= 0 {
		keep = DefaultSnapshotKeepRecent
	}
	return interval, keep
}

// StateDir is where the app keeps its state tree inside a home.
func StateDir(home string) string { return filepath.Join(home, "data", "girder") }

// Start runs the node in home until Stop. It resumes from the last committed height: CometBFT
// asks the app (ABCI Info) where it is and replays the blocks the app has not committed.
func Start(ctx context.Context, home string, o Options) (*Node, error) {
	c, err := LoadConfig(home)
	if err != nil {
		return nil, err
	}
	if o.Configure != nil {
		o.Configure(c)
	}
	w := o.Log
	if w == nil {
		w = os.Stderr
	}
	base := cmtlog.NewTMLogger(cmtlog.NewSyncWriter(w))
	logger, err := cmtflags.ParseLogLevel(c.LogLevel, base, "info")
	if err != nil {
		return nil, fmt.Errorf("log_level %q: %w", c.LogLevel, err)
	}
	tree, err := store.Open(StateDir(home))
	if err != nil {
		return nil, err
	}
	a, err := app.New(tree, logger.With("module", "girder"))
	if err != nil {
		tree.Close()
		return nil, err
	}
	for name, fn := range o.Upgrades {
		a.RegisterUpgrade(name, fn)
	}
	// A state that stopped at an upgrade this binary does not know is not run again.
	if p, ok := unknownUpgrade(a, tree); ok {
		tree.Close()
		return nil, &UpgradeNeededError{Plan: p}
	}
	interval, keep := o.snapshotSettings()
	snaps, err := snapshots.New(SnapshotDir(home), tree, interval, keep, logger.With("module", "snapshots"))
	if err != nil {
		tree.Close()
		return nil, err
	}
	a.SetSnapshots(snaps)
	closeState := func() { snaps.Close(); tree.Close() } // snapshots first: one may be reading the tree
	nodeKey, err := p2p.LoadNodeKey(c.NodeKeyFile())
	if err != nil {
		closeState()
		return nil, fmt.Errorf("node key: %w", err)
	}
	pv := privval.LoadFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile())
	dbs := &openedDBs{}
	var abciApp abci.Application = a
	if o.WrapApp != nil {
		abciApp = o.WrapApp(a)
	}
	n, err := cmtnode.NewNode(ctx, c, pv, nodeKey, appClients{app: abciApp, conn: a.ConnMutex(), preCheck: a.PreCheckTx},
		cmtnode.DefaultGenesisDocProviderFunc(c), dbs.open,
		cmtnode.DefaultMetricsProvider(c.Instrumentation), logger)
	if err != nil {
		closeState()
		if p := a.HaltPlan(); p != nil { // CometBFT's handshake replayed the upgrade's block
			return nil, &UpgradeNeededError{Plan: *p}
		}
		return nil, fmt.Errorf("create node: %w", err)
	}
	if err := n.Start(); err != nil {
		closeState()
		return nil, fmt.Errorf("start node: %w", err)
	}
	node := &Node{App: a, Config: c, comet: n, tree: tree, dbs: dbs, snaps: snaps}
	if o.API != nil {
		if err := node.startAPI(ctx, *o.API); err != nil {
			_ = node.Stop()
			return nil, err
		}
	}
	return node, nil
}

// appClients are the node's ABCI connections to the app, in process. The consensus connection
// has a lock of its own; the mempool, query and snapshot connections share the app's ConnMutex
// (which Commit also takes). So FinalizeBlock runs while CheckTx admits txs (on two cores, the
// signature checks of new txs overlap the block's execution), while everything that reads the
// mempool's state or the committed tree is serialised as the app requires. CometBFT's
// NewLocalClientCreator instead puts every call behind one lock.
type appClients struct {
	app      abci.Application
	conn     *cmtsync.Mutex
	preCheck func(tx []byte) // the app's stateless checks of a new tx, before the lock
}

var _ proxy.ClientCreator = appClients{}

func (c appClients) NewABCIConsensusClient() (abcicli.Client, error) {
	return abcicli.NewLocalClient(nil, c.app), nil
}

func (c appClients) NewABCIMempoolClient() (abcicli.Client, error) {
	return mempoolClient{Client: abcicli.NewLocalClient(c.conn, c.app), preCheck: c.preCheck}, nil
}

// mempoolClient runs the app's PreCheckTx on each new tx in the caller's goroutine (the RPC
// handler's or the peer's), concurrently, and only then CheckTx under the lock: the signature
// checks of new txs use both cores while CheckTx itself, its callback adding the tx to the
// mempool, and so the mempool's order, stay serial.
type mempoolClient struct {
	abcicli.Client
	preCheck func([]byte)
}

func (c mempoolClient) CheckTxAsync(ctx context.Context, req *abci.CheckTxRequest) (*abcicli.ReqRes, error) {
	if req.Type == abci.CHECK_TX_TYPE_CHECK {
		c.preCheck(req.Tx)
	}
	return c.Client.CheckTxAsync(ctx, req)
}

func (c mempoolClient) CheckTx(ctx context.Context, req *abci.CheckTxRequest) (*abci.CheckTxResponse, error) {
	if req.Type == abci.CHECK_TX_TYPE_CHECK {
		c.preCheck(req.Tx)
	}
	return c.Client.CheckTx(ctx, req)
}

func (c appClients) NewABCIQueryClient() (abcicli.Client, error) {
	return abcicli.NewLocalClient(c.conn, c.app), nil
}

func (c appClients) NewABCISnapshotClient() (abcicli.Client, error) {
	return abcicli.NewLocalClient(c.conn, c.app), nil
}

// UpgradeNeededError says the chain stopped at a software upgrade that chain governance
// scheduled and this binary does not know (errors.Is(err, app.ErrUpgradeNeeded) holds): the
// binary that knows it must run the node from Plan.Height on.
type UpgradeNeededError struct {
	Plan governance.Plan
}

func (e *UpgradeNeededError) Error() string {
	info := ""
	if e.Plan.Info != "" {
		info = " (" + e.Plan.Info + ")"
	}
	return fmt.Sprintf("the chain stops at height %d for the software upgrade %q%s that chain governance scheduled, and this binary (girder %s) does not know it: install the binary that knows it, then start again",
		e.Plan.Height, e.Plan.Name, info, app.Version)
}

func (e *UpgradeNeededError) Unwrap() error { return app.ErrUpgradeNeeded }

// Halt is the error of a node whose app halted for an unknown upgrade (nil while it runs).
func (n *Node) Halt() error {
	if p := n.App.HaltPlan(); p != nil {
		return &UpgradeNeededError{Plan: *p}
	}
	return nil
}

// unknownUpgrade reports the upgrade planned at the height after the committed one when this
// binary does not know it.
func unknownUpgrade(a *app.App, tree *store.Tree) (governance.Plan, bool) {
	v := tree.Version()
	if v == 0 {
		return governance.Plan{}, false
	}
	view, err := tree.At(v)
	if err != nil {
		return governance.Plan{}, false // app.New read this version: Start fails further on if it is gone
	}
	ctx := chain.NewContext(store.NewReadCache(view), v, time.Unix(0, 0).UTC(), a.ChainID(), chain.ModeQuery)
	p, ok := a.Governance.UpgradeNeeded(ctx, v+1)
	if !ok || slices.Contains(a.KnownUpgrades(), p.Name) {
		return governance.Plan{}, false
	}
	return p, true
}

// ChainID is the chain's id from the genesis (known before the app has any state, e.g. while
// the node state-syncs).
func (n *Node) ChainID() string { return n.comet.GenesisDoc().ChainID }

// openedDBs remembers the databases CometBFT opens: its node does not close the tx index's on
// Stop, and a restart in the same process would find it locked.
type openedDBs struct {
	mu  sync.Mutex
	dbs map[string]dbm.DB
}

func (o *openedDBs) open(ctx *cmtcfg.DBContext) (dbm.DB, error) {
	db, err := cmtcfg.DefaultDBProvider(ctx)
	if err != nil {
		return nil, err
	}
	if ctx.ID == "blockstore" || ctx.ID == "state" { // read by goroutines that outlive Stop
		db = &stopSafeDB{DB: db}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.dbs == nil {
		o.dbs = map[string]dbm.DB{}
	}
	o.dbs[ctx.ID] = db
	return db, nil
}

// closeLeft closes the databases CometBFT's Stop leaves open.
func (o *openedDBs) closeLeft() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	var err error
	for id, db := range o.dbs {
		switch id {
		case "blockstore", "state", "evidence": // closed by the node
		default:
			if e := db.Close(); e != nil && err == nil {
				err = fmt.Errorf("close %s db: %w", id, e)
			}
		}
	}
	o.dbs = nil
	return err
}

// RPCAddress is the node's CometBFT RPC address (tcp://host:port).
func (n *Node) RPCAddress() string { return n.Config.RPC.ListenAddress }

// RPCURL is the RPC address as an http URL.
func (n *Node) RPCURL() string {
	return "http://" + strings.TrimPrefix(n.Config.RPC.ListenAddress, "tcp://")
}

// Comet is the CometBFT node (its block store and event bus are used by tests and the API).
func (n *Node) Comet() *cmtnode.Node { return n.comet }

// Stop stops consensus, p2p and RPC, then closes the state database. Committed blocks and state
// are on disk; a restart continues from there.
func (n *Node) Stop() error {
	err := n.stopAPI()
	if n.comet.IsRunning() {
		if e := n.comet.Stop(); e != nil {
			err = fmt.Errorf("stop node: %w", e)
		}
		n.comet.Wait()
	}
	if e := n.dbs.closeLeft(); e != nil && err == nil {
		err = e
	}
	if e := n.snaps.Close(); e != nil && err == nil { // waits for a snapshot being written
		err = e
	}
	if e := n.tree.Close(); e != nil && err == nil {
		err = fmt.Errorf("close state: %w", e)
	}
	return err
}
