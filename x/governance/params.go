package governance

import (
	"strconv"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/chain"
)

func requireChain(a address.Address) error {
	if a != authority.Chain {
		return ErrWrongAuthority.Wrapf("%s is not the chain governance account %s: only a chain proposal does this", a, authority.Chain)
	}
	return nil
}

func paramsEvent(what, scope string) chain.Event {
	return chain.NewEvent("governance.params_set", "params", what, "scope", scope)
}

// requireDepositDenom fails unless a proposer can pay a deposit in denom: the native denom or an
// asset of this chain (a DAO whose deposit is in a denom that does not exist could never submit
// a proposal again, not even one to change it back).
func (k Keeper) requireDepositDenom(ctx chain.Context, denom string) error {
	if denom == NativeDenom {
		return nil
	}
	if _, ok := k.assets.Asset(ctx, denom); ok {
		return nil
	}
	return ErrInvalidParams.Wrapf("deposit denom %q is neither the native %s nor an asset of this chain: no proposer could pay the deposit", denom, NativeDenom)
}

// SetDAOParams sets the params of the DAO of m.Denom (its own proposal).
func (k Keeper) SetDAOParams(ctx chain.Context, m *MsgSetDAOParams) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if m.Authority != authority.DAO(m.Denom) {
		return ErrWrongAuthority.Wrapf("%s is not the DAO of %s: only that DAO's proposal sets its params", m.Authority, m.Denom)
	}
	if err := k.requireSecurity(ctx, m.Denom); err != nil {
		return err
	}
	if err := k.requireDepositDenom(ctx, m.Params.Deposit.Denom); err != nil {
		return err
	}
	k.set(ctx, daoParamsKey(m.Denom), &m.Params)
	ctx.Emit(paramsEvent("dao", m.Denom))
	return nil
}

// SetChainParams sets chain governance's params.
func (k Keeper) SetChainParams(ctx chain.Context, m *MsgSetChainParams) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := requireChain(m.Authority); err != nil {
		return err
	}
	k.set(ctx, keyChainPar, &m.Params)
	ctx.Emit(paramsEvent("chain", "chain"))
	return nil
}

// SetDAODefaults sets the params of every DAO without its own.
func (k Keeper) SetDAODefaults(ctx chain.Context, m *MsgSetDAODefaults) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := requireChain(m.Authority); err != nil {
		return err
	}
	if err := k.requireDepositDenom(ctx, m.Params.Deposit.Denom); err != nil {
		return err
	}
	k.set(ctx, keyDAODefault, &m.Params)
	ctx.Emit(paramsEvent("dao_defaults", "chain"))
	return nil
}

// SetFeeParams replaces the fee params, except the fee denom: every account holds the current
// one to pay its fees, so another would make every tx fail at the fee charge, a proposal to
// change it back among them.
func (k Keeper) SetFeeParams(ctx chain.Context, m *MsgSetFeeParams) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := requireChain(m.Authority); err != nil {
		return err
	}
	if k.w.fees == nil {
		return ErrNotWired.Wrapf("no fees module")
	}
	if cur := k.w.fees.Params(ctx).Denom; m.Params.Denom != cur {
		return ErrInvalidParams.Wrapf("fee denom %q: fees are paid in %s and the fee denom does not change (every tx would fail at the fee charge)", m.Params.Denom, cur)
	}
	k.w.fees.SetParams(ctx, m.Params)
	ctx.Emit(paramsEvent("fees", "chain"))
	return nil
}

// SetBlockParams stores the block limits for the app to hand to consensus at the end of this
// block (effective from the next height).
func (k Keeper) SetBlockParams(ctx chain.Context, m *MsgSetBlockParams) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := requireChain(m.Authority); err != nil {
		return err
	}
	k.set(ctx, keyBlock, &BlockParams{MaxBytes: m.MaxBytes, MaxGas: m.MaxGas, Height: ctx.Height})
	ev := paramsEvent("block", "chain")
	ev.Attrs = append(ev.Attrs, chain.Attr{Key: "max_bytes", Value: chain.Uint(uint64(m.MaxBytes)), Index: true},
		chain.Attr{Key: "max_gas", Value: strconv.FormatInt(m.MaxGas, 10), Index: true})
	ctx.Emit(ev)
	return nil
}

// PendingBlockParams are the block limits set and not yet taken by the app.
func (k Keeper) PendingBlockParams(ctx chain.Context) (BlockParams, bool) {
	var b BlockParams
	ok := k.get(ctx, keyBlock, &b)
	return b, ok
}

// TakeBlockParams returns and forgets the pending block limits: the app calls it at the end of
// FinalizeBlock and returns them as the ConsensusParamUpdates of the block.
func (k Keeper) TakeBlockParams(ctx chain.Context) (maxBytes, maxGas int64, ok bool) {
	b, ok := k.PendingBlockParams(ctx)
	if !ok {
		return 0, 0, false
	}
	k.st(ctx).Delete(keyBlock)
	return b.MaxBytes, b.MaxGas, true
}

// ---- upgrades ----

// UpgradePlan returns the scheduled upgrade.
func (k Keeper) UpgradePlan(ctx chain.Context) (Plan, bool) {
	var p Plan
	ok := k.get(ctx, keyPlan, &p)
	return p, ok
}

// Done returns the record of the applied upgrade name.
func (k Keeper) Done(ctx chain.Context, name string) (DoneUpgrade, bool) {
	var d DoneUpgrade
	ok := k.get(ctx, doneKey(name), &d)
	return d, ok
}

// ScheduleUpgrade stores the plan, replacing one not yet applied.
func (k Keeper) ScheduleUpgrade(ctx chain.Context, m *MsgScheduleUpgrade) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := requireChain(m.Authority); err != nil {
		return err
	}
	if m.Height <= ctx.Height+1 {
		return ErrBadHeight.Wrapf("height %d: an upgrade is scheduled after the next block (this is block %d)", m.Height, ctx.Height)
	}
	if d, ok := k.Done(ctx, m.Name); ok {
		return ErrUpgradeDone.Wrapf("upgrade %s was applied at height %d: give the new one another name", m.Name, d.Height)
	}
	ev := chain.NewEvent("governance.upgrade_scheduled", "name", m.Name, "height", chain.Uint(uint64(m.Height)), "info", m.Info)
	if old, ok := k.UpgradePlan(ctx); ok {
		ev.Attrs = append(ev.Attrs, chain.Attr{Key: "replaced", Value: old.Name, Index: true})
	}
	k.set(ctx, keyPlan, &Plan{Name: m.Name, Height: m.Height, Info: m.Info})
	ctx.Emit(ev)
	return nil
}

// CancelUpgrade drops the plan.
func (k Keeper) CancelUpgrade(ctx chain.Context, m *MsgCancelUpgrade) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := requireChain(m.Authority); err != nil {
		return err
	}
	p, ok := k.UpgradePlan(ctx)
	if !ok {
		return ErrNoUpgrade.Wrapf("nothing to cancel")
	}
	k.st(ctx).Delete(keyPlan)
	ctx.Emit(chain.NewEvent("governance.upgrade_cancelled", "name", p.Name, "height", chain.Uint(uint64(p.Height))))
	return nil
}

// UpgradeNeeded returns the plan when block height reaches its height: the app then refuses to
// finalize the block unless it has the upgrade's handler, which it runs at the start of the block
// before MarkUpgradeDone.
func (k Keeper) UpgradeNeeded(ctx chain.Context, height int64) (Plan, bool) {
	p, ok := k.UpgradePlan(ctx)
	if !ok || height < p.Height {
		return Plan{}, false
	}
	return p, true
}

// MarkUpgradeDone records the scheduled upgrade name as applied at the block's height and drops
// the plan.
func (k Keeper) MarkUpgradeDone(ctx chain.Context, name string) error {
	p, ok := k.UpgradePlan(ctx)
	if !ok || p.Name != name {
		return ErrNoUpgrade.Wrapf("no upgrade %q is scheduled", name)
	}
	k.st(ctx).Delete(keyPlan)
	k.set(ctx, doneKey(name), &DoneUpgrade{Name: name, Height: ctx.Height})
	ctx.Emit(chain.NewEvent("governance.upgrade_done", "name", name, "height", chain.Uint(uint64(ctx.Height))))
	return nil
}
