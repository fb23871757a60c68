package app

import (
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/projects"
)

// Accounts of the projects scenario (0 is the admin).
const (
	pAgency     = 3
	pSPV        = 4
	pContractor = 5
	pEngineer   = 6
	pOutsider   = 7
)

// blockEvents lists the events of a block's end (not of its txs) of one type, as attribute maps.
func blockEvents(res *abci.FinalizeBlockResponse, typ string) []map[string]string {
	var out []map[string]string
	for _, e := range res.Events {
		if e.Type != typ {
			continue
		}
		at := map[string]string{}
		for _, a := range e.Attributes {
			at[a.Key] = a.Value
		}
		out = append(out, at)
	}
	return out
}

// TestProjectsScenario runs the toll bridge through the whole app, block by block with every
// invariant after each: the treasury is paid in a cash asset, milestones are funded into escrow;
// the design tranche is released by the end of a block once its challenge window closes; the
// foundations are disputed within their window and released by the resolver; the deck passes its
// due date and raises one late alert; bad input changes nothing.
func TestProjectsScenario(t *testing.T) {
	s := newRoleScenario(t, store.OpenMemory(), "prj", 8)
	h := s.h
	admin, agency, spv, contractor, engineer := s.addr(idAdmin), s.addr(pAgency), s.addr(pSPV), s.addr(pContractor), s.addr(pEngineer)
	bal := func(a address.Address) coin.Amount { return h.app.Bank.Balance(h.ctx(), a, cashDenom) }
	s.block()
	s.block(ok(s.tx(idAdmin, &auth.MsgGrantRole{Authority: admin, Role: auth.RolePublicAgency, Account: agency},
		&auth.MsgGrantRole{Authority: admin, Role: auth.RoleCashIssuer, Account: admin})))
	const p = "toll-bridge"
	treasury := projects.Treasury(p)
	start := h.time
	s.block(
		ok(s.tx(pAgency, &projects.MsgCreate{Creator: agency, ID: p, Name: "Toll bridge", Sector: "bridge", Location: "Estuary",
			ConcessionStart: start.Unix(), ConcessionEnd: start.AddDate(30, 0, 0).Unix(),
			Stakeholders: []projects.StakeholderRole{{Account: spv, Role: projects.RolePrivatePartner},
				{Account: contractor, Role: projects.RoleContractor}, {Account: engineer, Role: projects.RoleIndependentEngineer}}})),
		ok(s.tx(idAdmin, &assets.MsgCreate{Issuer: admin, Denom: cashDenom, Kind: assets.KindCash, Name: "Tokenized euro", Symbol: "EURt", Decimals: 2})),
	)
	s.block(ok(s.tx(idAdmin, &assets.MsgMint{Issuer: admin, Denom: cashDenom, Amount: 1_000_000, To: treasury})))
	// Only the project's milestones move its treasury's money: not even the cash's controller.
	s.block(
		outcome{s.tx(idAdmin, &assets.MsgForceTransfer{Controller: admin, Denom: cashDenom, From: treasury, To: admin, Amount: 1, Reason: "x"}), assets.ModuleName, assets.ErrModuleAccount.Code},
		outcome{s.tx(idAdmin, &assets.MsgFreeze{Controller: admin, Denom: cashDenom, Account: treasury, Reason: "x"}), assets.ModuleName, assets.ErrModuleAccount.Code},
	)

	both := projects.Policy{Roles: []string{projects.RoleIndependentEngineer, projects.RolePublicAgency}, Min: 2}
	plan := func(id string, due time.Time, n coin.Amount, window int64) *projects.MsgPlanMilestone {
		return &projects.MsgPlanMilestone{Planner: spv, Project: p, ID: id, Description: id, Due: due.Unix(),
			Tranche: coin.New(cashDenom, n), Payee: contractor, Policy: both, Window: window}
	}
	fund := func(id string) *projects.MsgFundMilestone {
		return &projects.MsgFundMilestone{Funder: spv, Project: p, Milestone: id}
	}
	s.block(ok(s.tx(pSPV, plan("design", start.AddDate(0, 1, 0), 100_000, 5), plan("foundations", start.AddDate(0, 2, 0), 400_000, 5),
		plan("deck", h.time.Add(20*time.Second), 300_000, 5), fund("design"), fund("foundations"))))
	if bal(treasury) != 500_000 || bal(projects.EscrowAccount) != 500_000 {
		t.Fatalf("after funding: treasury %d, escrow %d", bal(treasury), bal(projects.EscrowAccount))
	}
	projErr := func(raw []byte, code uint32) outcome { return outcome{raw, projects.ModuleName, code} }
	claim := func(id string) []byte {
		return s.tx(pContractor, &projects.MsgClaimComplete{Payee: contractor, Project: p, Milestone: id})
	}
	sign := func(i int, id, role string) []byte {
		return s.tx(i, &projects.MsgSignOff{Signatory: s.addr(i), Project: p, Milestone: id, Role: role})
	}

	// Design: claimed and signed off by both roles; the window of 5 s closes undisputed.
	s.block(ok(claim("design")), ok(sign(pEngineer, "design", projects.RoleIndependentEngineer)))
	s.block(
		projErr(sign(pEngineer, "design", projects.RoleIndependentEngineer), projects.ErrAlreadySigned.Code),
		projErr(sign(pContractor, "design", projects.RolePublicAgency), projects.ErrRoleNotHeld.Code),
		projErr(s.tx(pOutsider, &projects.MsgPostReport{Author: s.addr(pOutsider), Project: p, Percent: 5, Summary: "spam"}), projects.ErrNotStakeholder.Code),
		ok(sign(pAgency, "design", projects.RolePublicAgency)),
	)
	released := 0
	for i := 0; i < 8 && released == 0; i++ {
		s.block()
		released = len(blockEvents(s.lastResults, "projects.milestone_released"))
	}
	if released != 1 || bal(contractor) != 100_000 {
		t.Fatalf("design not released after its window: %d releases, contractor %d", released, bal(contractor))
	}

	// Foundations: the SPV disputes within the window; nothing is released until the agency
	// resolves; the tranche is paid once.
	s.block(ok(claim("foundations")), ok(sign(pEngineer, "foundations", projects.RoleIndependentEngineer)), ok(sign(pAgency, "foundations", projects.RolePublicAgency)))
	s.block(ok(s.tx(pSPV, &projects.MsgDisputeMilestone{Disputer: spv, Project: p, Milestone: "foundations", Reason: "pier 4 cracked"})))
	for i := 0; i < 8; i++ {
		s.block()
	}
	if bal(contractor) != 100_000 {
		t.Fatalf("a disputed tranche moved: contractor %d", bal(contractor))
	}
	s.block(ok(s.tx(pAgency, &projects.MsgResolve{Resolver: agency, Project: p, Milestone: "foundations", Decision: "release", Reason: "repair certified"})))
	if bal(contractor) != 500_000 || bal(projects.EscrowAccount) != 0 {
		t.Fatalf("after the resolution: contractor %d, escrow %d", bal(contractor), bal(projects.EscrowAccount))
	}
	s.block(projErr(s.tx(pSPV, &projects.MsgDisputeMilestone{Disputer: spv, Project: p, Milestone: "foundations", Reason: "too late"}), projects.ErrWindowClosed.Code))

	// Deck: its due date passes unclaimed: one late alert, not repeated.
	late := 0
	for i := 0; i < 25; i++ {
		s.block()
		late += len(blockEvents(s.lastResults, "projects.milestone_late"))
	}
	if late != 1 {
		t.Fatalf("late alerts for the deck: %d, want 1", late)
	}
	if bal(treasury) != 500_000 {
		t.Fatalf("treasury %d", bal(treasury))
	}
}
