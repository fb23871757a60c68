package app

import (
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/x/governance"
)

// UpgradeHandler migrates state at the height of a software upgrade that chain governance
// scheduled. It runs at the start of that block, before its txs, in the block's branch.
type UpgradeHandler func(ctx chain.Context, plan governance.Plan) error

// upgrades are the software upgrades this binary knows, and the halt it signals when the chain
// reaches one it does not.
type upgrades struct {
	handlers map[string]UpgradeHandler

	mu     sync.Mutex
	halted chan struct{}
	plan   *governance.Plan
}

func newUpgrades() *upgrades {
	return &upgrades{handlers: map[string]UpgradeHandler{}, halted: make(chan struct{})}
}

// RegisterUpgrade teaches this binary the upgrade name: when chain governance's plan of that name
// reaches its height, fn runs and the chain goes on. Register before the node starts.
func (a *App) RegisterUpgrade(name string, fn UpgradeHandler) { a.upgrades.handlers[name] = fn }

// KnownUpgrades lists the upgrade names this binary can apply, sorted.
func (a *App) KnownUpgrades() []string {
	names := make([]string, 0, len(a.upgrades.handlers))
	for n := range a.upgrades.handlers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Halted is closed when the chain reached the height of an upgrade this binary does not know:
// the node must stop (girder start and girder dev do) and be restarted with the new binary.
func (a *App) Halted() <-chan struct{} { return a.upgrades.halted }

// HaltPlan is the upgrade that halted the node (nil while it runs).
func (a *App) HaltPlan() *governance.Plan {
	a.upgrades.mu.Lock()
	defer a.upgrades.mu.Unlock()
	return a.upgrades.plan
}

func (a *App) halt(p governance.Plan) {
	a.upgrades.mu.Lock()
	defer a.upgrades.mu.Unlock()
	if a.upgrades.plan == nil {
		a.upgrades.plan = &p
		close(a.upgrades.halted)
		a.logger.Error("UPGRADE NEEDED: the chain halts for a software upgrade this binary does not know",
			"upgrade", p.Name, "height", p.Height, "info", p.Info)
	}
}

// applyUpgrade runs at the start of a block: at a planned upgrade's height, a known upgrade is
// applied; an unknown one stops the block (the node halts rather than run the old rules).
func (a *App) applyUpgrade(ctx chain.Context) error {
	p, ok := a.Governance.UpgradeNeeded(ctx, ctx.Height)
	if !ok {
		return nil
	}
	fn, known := a.upgrades.handlers[p.Name]
	if !known {
		a.halt(p)
		return fmt.Errorf("%w: upgrade %q is planned at height %d and this binary (girder %s) does not know it; install the binary that does and restart",
			ErrUpgradeNeeded, p.Name, p.Height, Version)
	}
	return a.runUpgrade(ctx, p, fn)
}

// runUpgrade applies a known upgrade's handler and records it done (FinalizeBlock, and Replay
// re-running a block that applied one).
func (a *App) runUpgrade(ctx chain.Context, p governance.Plan, fn UpgradeHandler) error {
	if err := fn(ctx, p); err != nil {
		return fmt.Errorf("upgrade %q at height %d: %w", p.Name, p.Height, err)
	}
	return a.Governance.MarkUpgradeDone(ctx, p.Name)
}

// checkHalt runs after a commit: when the next block is an unknown upgrade's, the node halts now
// (before CometBFT proposes a block the app would refuse).
func (a *App) checkHalt(ctx chain.Context, committed int64) {
	if p, ok := a.Governance.UpgradeNeeded(ctx, committed+1); ok {
		if _, known := a.upgrades.handlers[p.Name]; !known {
			a.halt(p)
		}
	}
}

// ErrUpgradeNeeded is the error FinalizeBlock returns at an unknown upgrade's height.
var ErrUpgradeNeeded = errors.New("upgrade needed")
