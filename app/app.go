// Package app is Girder's ABCI 2.0 application: the adapter between CometBFT and the modules,
// and the one place where modules are wired together.
package app

import (
	"bytes"
	"fmt"
	"sort"
	"sync"
	"time"

	cmtlog "github.com/cometbft/cometbft/libs/log"
	cmtsync "github.com/cometbft/cometbft/libs/sync"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/distributions"
	"github.com/girder-chain/girder/x/fees"
	"github.com/girder-chain/girder/x/governance"
	"github.com/girder-chain/girder/x/identity"
	"github.com/girder-chain/girder/x/offerings"
	"github.com/girder-chain/girder/x/passes"
	"github.com/girder-chain/girder/x/projects"
	"github.com/girder-chain/girder/x/vesting"
)

// Version is the application's software version.
const Version = "0.1.0"

// AppVersion is the state machine's protocol version, reported to CometBFT.
const AppVersion uint64 = 1

// MaxTxBytes is the largest tx accepted (also the mempool's limit).
const MaxTxBytes = 64 << 10

// App is the Girder state machine behind ABCI.
type App struct {
	logger cmtlog.Logger
	tree   *store.Tree

	// modules, in genesis order; routes by msg type.
	modules []chain.Module
	routes  map[string]func(chain.Context, tx.Msg) error
	reg     *tx.Registry
	// layouts: who owns each key's first byte and what its records are (state changes, tests).
	layouts map[byte]ownedLayout

	Auth          auth.Keeper
	Bank          bank.Keeper
	Fees          fees.Keeper
	Identity      identity.Keeper
	Compliance    compliance.Keeper
	Assets        assets.Keeper
	Offerings     offerings.Keeper
	Distributions distributions.Keeper
	Projects      projects.Keeper
	Vesting       vesting.Keeper
	Governance    governance.Keeper
	Passes        passes.Keeper

	chainID string
	check   checkState
	block   *blockState
	seen    *verifiedTxs
	reads   *committedReads // reads of the last committed state, shared by check and block state
	keys    *signerKeys     // keys bound by signers, for PreCheckTx

	// connMu serialises the mempool's state and the committed tree: CheckTx, Query, Info and the
	// snapshot calls run under it (the node's ABCI clients for those connections hold it, see
	// ConnMutex), and Commit takes it. FinalizeBlock does not, so a block executes while CheckTx
	// admits txs.
	connMu *cmtsync.Mutex

	snapshots Snapshots // state-sync snapshots (nil: none); see snapshot.go
	upgrades  *upgrades // software upgrades this binary knows; see upgrade.go

	// commitMu keeps readers that run outside CometBFT's ABCI mutex (Invariants, ExportGenesis:
	// tests and operators call them on a live node) from reading the tree while Commit saves a
	// version: IAVL's node database is not safe for that.
	commitMu sync.RWMutex
}

// New wires the modules over the state tree.
func New(tree *store.Tree, logger cmtlog.Logger) (*App, error) {
	a := &App{logger: logger, tree: tree, routes: map[string]func(chain.Context, tx.Msg) error{}, reg: tx.NewRegistry(), seen: newVerifiedTxs(),
		reads: newCommittedReads(), keys: newSignerKeys(), connMu: new(cmtsync.Mutex), upgrades: newUpgrades()}
	a.Auth = auth.NewKeeper()
	// Module accounts: each module's escrow or pool. Users may not send to them; compliance does
	// not count them as holders; offerings may not pay proceeds into them; distributions never pays
	// them.
	moduleAccounts := map[address.Address]string{
		fees.PoolAddress:            fees.ModuleName,
		compliance.HoldAccount:      compliance.ModuleName,
		offerings.EscrowAccount:     offerings.ModuleName,
		distributions.EscrowAccount: distributions.ModuleName,
		projects.EscrowAccount:      projects.ModuleName,
		governance.EscrowAccount:    governance.ModuleName,
		passes.EscrowAccount:        passes.ModuleName,
	}
	moduleList := make([]address.Address, 0, len(moduleAccounts))
	for addr := range moduleAccounts {
		moduleList = append(moduleList, addr)
	}
	sort.Slice(moduleList, func(i, j int) bool { return bytes.Compare(moduleList[i][:], moduleList[j][:]) < 0 })

	a.Bank = bank.NewKeeper(a.Auth, moduleAccounts)
	a.Fees = fees.NewKeeper(a.Bank)
	a.Identity = identity.NewKeeper(a.Auth)
	a.Compliance = compliance.NewKeeper(a.Bank, a.Identity, a.Auth, fees.DefaultParams().Denom, moduleList)
	a.Identity.SetHooks(a.Compliance)
	a.Assets = assets.NewKeeper(a.Bank, a.Compliance, a.Identity, a.Auth)
	a.Compliance.SetAssets(a.Assets)
	a.Offerings = offerings.NewKeeper(a.Bank, a.Assets, a.Compliance, a.Identity, moduleList)
	a.Distributions = distributions.NewKeeper(a.Bank, a.Assets, a.Compliance, a.Identity, moduleList)
	a.Projects = projects.NewKeeper(a.Bank, a.Auth, a.Assets, moduleList)
	a.Assets.SetTreasuries(a.Projects)
	a.Passes = passes.NewKeeper(a.Bank, a.Assets, a.Compliance, a.Projects)
	a.Vesting = vesting.NewKeeper(a.Bank, a.Compliance)
	a.Bank.SetLocks(a.Vesting) // locked grants leave no account, whoever moves them
	// Governance: weights from distributions' balance history; a passed proposal's msgs run
	// through the same routes as a tx's (with the DAO's or the chain's authority as signer).
	a.Governance = governance.NewKeeper(a.Bank, a.Distributions, a.Assets, a.Auth, a.reg, moduleList)
	a.Governance.SetRouter(governance.RouterFunc(a.route))
	a.Governance.SetProjects(a.Projects)
	a.Governance.SetFees(a.Fees)
	a.Governance.SetScopers(map[string]governance.Scoper{projects.ModuleName: a.Projects,
		distributions.ModuleName: a.Distributions, offerings.ModuleName: a.Offerings})
	// Balance hooks in order: compliance's holder accounting, distributions' balance history,
	// governance's delegated voting power.
	a.Bank.SetHooks(a.Compliance, a.Compliance, a.Distributions, a.Governance)
	a.Assets.SetHooks(a.Distributions)
	a.modules = []chain.Module{auth.NewModule(a.Auth), bank.NewModule(a.Bank), fees.NewModule(a.Fees),
		identity.NewModule(a.Identity).WithBlockTime(blockTimeOf), compliance.NewModule(a.Compliance).WithBlockTime(blockTimeOf),
		assets.NewModule(a.Assets), offerings.NewModule(a.Offerings), distributions.NewModule(a.Distributions).WithBlockTime(blockTimeOf),
		projects.NewModule(a.Projects), vesting.NewModule(a.Vesting).WithBlockTime(blockTimeOf),
		governance.NewModule(a.Governance).WithBlockTime(blockTimeOf), passes.NewModule(a.Passes).WithBlockTime(blockTimeOf)}
	for _, m := range a.modules {
		for _, r := range m.Routes() {
			a.reg.Register(r.Msg)
			a.routes[r.Msg.MsgType()] = r.Handle
		}
	}
	a.layouts = layoutsOf(a.modules)
	if err := a.load(); err != nil {
		return nil, err
	}
	return a, nil
}

// ConnMutex is the lock under which CometBFT must call CheckTx, Query, Info and the snapshot
// methods (the ABCI client of the mempool, query and snapshot connections holds it for each
// call; the mempool's may call PreCheckTx before taking it); the consensus connection (PrepareProposal, ProcessProposal, FinalizeBlock, Commit) runs
// under a lock of its own, so a block executes while the mempool admits txs. Commit takes this
// lock itself while it saves the block and resets the mempool's state. With a single lock for
// every connection (CometBFT's NewLocalClientCreator) the app is safe too.
func (a *App) ConnMutex() *cmtsync.Mutex { return a.connMu }

// Registry is the msg type registry (clients decode txs with it).
func (a *App) Registry() *tx.Registry { return a.reg }

// Modules lists the wired modules in genesis order.
func (a *App) Modules() []chain.Module { return a.modules }

// ChainID is the chain's id (empty before InitChain).
func (a *App) ChainID() string { return a.chainID }

// Invariants checks every module invariant against the last committed state.
func (a *App) Invariants() error {
	a.commitMu.RLock()
	defer a.commitMu.RUnlock()
	v, err := a.tree.At(a.tree.Version())
	if err != nil {
		return err
	}
	return a.checkInvariants(chain.NewContext(store.NewReadCache(v), v.Version(), zeroTime, a.chainID, chain.ModeQuery))
}

func (a *App) checkInvariants(ctx chain.Context) error {
	for _, m := range a.modules {
		for _, inv := range m.Invariants() {
			if err := inv.Check(ctx); err != nil {
				return fmt.Errorf("invariant %s broken at height %d: %w", inv.Name, ctx.Height, err)
			}
		}
	}
	return nil
}

// blockTimeOf is the time of the last block written to ctx's state (queries judge expiry at it).
func blockTimeOf(ctx chain.Context) time.Time {
	b := store.Prefix(ctx.KV(), metaPrefix).Get(keyBlockTime)
	if b == nil {
		return ctx.Time
	}
	var ns int64
	canon.MustDecode(b, &ns)
	return time.Unix(0, ns).UTC()
}

// NewRegistry returns the registry of every msg type of this chain, for clients that decode txs.
func NewRegistry() *tx.Registry {
	a, err := New(store.OpenMemory(), cmtlog.NewNopLogger())
	if err != nil {
		panic(err) // an empty memory state always loads
	}
	return a.reg
}
