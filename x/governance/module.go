package governance

import (
	"time"

	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/tx"
)

// Module is governance's registration with the chain.
type Module struct {
	Keeper    Keeper
	blockTime func(chain.Context) time.Time
}

// NewModule makes the module.
func NewModule(k Keeper) *Module { return &Module{Keeper: k} }

// WithBlockTime sets how queries learn the time of the block they read (whether a proposal is
// still open, its quorum now).
func (m *Module) WithBlockTime(f func(chain.Context) time.Time) *Module {
	m.blockTime = f
	return m
}

func (m *Module) at(ctx chain.Context) chain.Context {
	if m.blockTime != nil {
		ctx.Time = m.blockTime(ctx)
	}
	return ctx
}

func (*Module) Name() string { return ModuleName }

// Routes: submit, vote, delegate, undelegate, approve, and the msgs only proposals carry:
// set_dao_params, set_chain_params, set_dao_defaults, set_fee_params, set_block_params,
// schedule_upgrade, cancel_upgrade.
func (m *Module) Routes() []chain.Route {
	k := m.Keeper
	return []chain.Route{
		{Msg: &MsgSubmit{}, Handle: func(ctx chain.Context, msg tx.Msg) error { _, err := k.Submit(ctx, msg.(*MsgSubmit)); return err }},
		{Msg: &MsgVote{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.CastVote(ctx, msg.(*MsgVote)) }},
		{Msg: &MsgDelegate{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Delegate(ctx, msg.(*MsgDelegate)) }},
		{Msg: &MsgUndelegate{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Undelegate(ctx, msg.(*MsgUndelegate)) }},
		{Msg: &MsgApprove{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Approve(ctx, msg.(*MsgApprove)) }},
		{Msg: &MsgSetDAOParams{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.SetDAOParams(ctx, msg.(*MsgSetDAOParams)) }},
		{Msg: &MsgSetChainParams{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.SetChainParams(ctx, msg.(*MsgSetChainParams)) }},
		{Msg: &MsgSetDAODefaults{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.SetDAODefaults(ctx, msg.(*MsgSetDAODefaults)) }},
		{Msg: &MsgSetFeeParams{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.SetFeeParams(ctx, msg.(*MsgSetFeeParams)) }},
		{Msg: &MsgSetBlockParams{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.SetBlockParams(ctx, msg.(*MsgSetBlockParams)) }},
		{Msg: &MsgScheduleUpgrade{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.ScheduleUpgrade(ctx, msg.(*MsgScheduleUpgrade)) }},
		{Msg: &MsgCancelUpgrade{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.CancelUpgrade(ctx, msg.(*MsgCancelUpgrade)) }},
	}
}

// EndBlock tallies the proposals whose voting ended and executes those whose timelock passed.
func (m *Module) EndBlock(ctx chain.Context) error { return m.Keeper.EndBlock(ctx) }

var (
	_ chain.Module        = (*Module)(nil)
	_ chain.EndBlocker    = (*Module)(nil)
	_ chain.RouteProvider = (*Module)(nil)
)
