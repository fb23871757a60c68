package passes

import (
	"time"

	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/tx"
)

// Module is passes' registration with the chain.
type Module struct {
	Keeper    Keeper
	blockTime func(chain.Context) time.Time
}

// NewModule makes the module.
func NewModule(k Keeper) *Module { return &Module{Keeper: k} }

// WithBlockTime sets how queries learn the time of the block they read (whether a pass is valid
// now).
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

// Routes: create_class, close_sale, buy, transfer, redeem, claim_refund, open_service.
func (m *Module) Routes() []chain.Route {
	k := m.Keeper
	return []chain.Route{
		{Msg: &MsgCreateClass{}, Handle: func(ctx chain.Context, msg tx.Msg) error {
			_, err := k.CreateClass(ctx, msg.(*MsgCreateClass))
			return err
		}},
		{Msg: &MsgCloseSale{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.CloseSale(ctx, msg.(*MsgCloseSale)) }},
		{Msg: &MsgBuy{}, Handle: func(ctx chain.Context, msg tx.Msg) error { _, err := k.Buy(ctx, msg.(*MsgBuy)); return err }},
		{Msg: &MsgTransfer{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Transfer(ctx, msg.(*MsgTransfer)) }},
		{Msg: &MsgRedeem{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Redeem(ctx, msg.(*MsgRedeem)) }},
		{Msg: &MsgClaimRefund{}, Handle: func(ctx chain.Context, msg tx.Msg) error {
			_, err := k.ClaimRefund(ctx, msg.(*MsgClaimRefund))
			return err
		}},
		{Msg: &MsgOpenService{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.OpenService(ctx, msg.(*MsgOpenService)) }},
	}
}

// EndBlock makes classes late and expires passes (bounded per block).
func (m *Module) EndBlock(ctx chain.Context) error { return m.Keeper.EndBlock(ctx) }

var (
	_ chain.Module        = (*Module)(nil)
	_ chain.EndBlocker    = (*Module)(nil)
	_ chain.RouteProvider = (*Module)(nil)
)
