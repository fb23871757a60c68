package projects

import (
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/tx"
)

// Module is projects' registration with the chain.
type Module struct{ Keeper Keeper }

// NewModule makes the module.
func NewModule(k Keeper) *Module { return &Module{Keeper: k} }

func (*Module) Name() string { return ModuleName }

// Routes: create, set_document, remove_document, add_stakeholder, remove_stakeholder,
// propose_stakeholder_change, approve_stakeholder_change, post_report, attest, dispute,
// plan_milestone, fund_milestone, claim_complete, sign_off, dispute_milestone, resolve,
// cancel_milestone, set_security, spend, set_parameter.
func (m *Module) Routes() []chain.Route {
	k := m.Keeper
	return []chain.Route{
		{Msg: &MsgCreate{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Create(ctx, msg.(*MsgCreate)) }},
		{Msg: &MsgSetDocument{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.SetDocument(ctx, msg.(*MsgSetDocument)) }},
		{Msg: &MsgRemoveDocument{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.RemoveDocument(ctx, msg.(*MsgRemoveDocument)) }},
		{Msg: &MsgAddStakeholder{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.AddStakeholder(ctx, msg.(*MsgAddStakeholder)) }},
		{Msg: &MsgRemoveStakeholder{}, Handle: func(ctx chain.Context, msg tx.Msg) error {
			return k.RemoveStakeholder(ctx, msg.(*MsgRemoveStakeholder))
		}},
		{Msg: &MsgProposeStakeholderChange{}, Handle: func(ctx chain.Context, msg tx.Msg) error {
			_, err := k.ProposeStakeholderChange(ctx, msg.(*MsgProposeStakeholderChange))
			return err
		}},
		{Msg: &MsgApproveStakeholderChange{}, Handle: func(ctx chain.Context, msg tx.Msg) error {
			return k.ApproveStakeholderChange(ctx, msg.(*MsgApproveStakeholderChange))
		}},
		{Msg: &MsgPostReport{}, Handle: func(ctx chain.Context, msg tx.Msg) error {
			_, err := k.PostReport(ctx, msg.(*MsgPostReport))
			return err
		}},
		{Msg: &MsgAttest{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Attest(ctx, msg.(*MsgAttest)) }},
		{Msg: &MsgDispute{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Dispute(ctx, msg.(*MsgDispute)) }},
		{Msg: &MsgPlanMilestone{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.PlanMilestone(ctx, msg.(*MsgPlanMilestone)) }},
		{Msg: &MsgFundMilestone{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.FundMilestone(ctx, msg.(*MsgFundMilestone)) }},
		{Msg: &MsgClaimComplete{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.ClaimComplete(ctx, msg.(*MsgClaimComplete)) }},
		{Msg: &MsgSignOff{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.SignOff(ctx, msg.(*MsgSignOff)) }},
		{Msg: &MsgDisputeMilestone{}, Handle: func(ctx chain.Context, msg tx.Msg) error {
			return k.DisputeMilestone(ctx, msg.(*MsgDisputeMilestone))
		}},
		{Msg: &MsgResolve{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Resolve(ctx, msg.(*MsgResolve)) }},
		{Msg: &MsgCancelMilestone{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.CancelMilestone(ctx, msg.(*MsgCancelMilestone)) }},
		{Msg: &MsgSetSecurity{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.SetSecurity(ctx, msg.(*MsgSetSecurity)) }},
		{Msg: &MsgSpend{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Spend(ctx, msg.(*MsgSpend)) }},
		{Msg: &MsgSetParameter{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.SetParameter(ctx, msg.(*MsgSetParameter)) }},
	}
}

// EndBlock releases tranches whose challenge window closed, raises late alerts and expires
// stakeholder changes (bounded per block).
func (m *Module) EndBlock(ctx chain.Context) error { return m.Keeper.EndBlock(ctx) }

var (
	_ chain.Module        = (*Module)(nil)
	_ chain.EndBlocker    = (*Module)(nil)
	_ chain.RouteProvider = (*Module)(nil)
)
