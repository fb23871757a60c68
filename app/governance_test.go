package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtlog "github.com/cometbft/cometbft/libs/log"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/fees"
	"github.com/girder-chain/girder/x/governance"
	"github.com/girder-chain/girder/x/identity"
	"github.com/girder-chain/girder/x/projects"
)

// Accounts of the governance scenario. 0–2 are the role scenario's admin, KYC provider and
// compliance officer; here they are also the consortium members (auth role member).
const (
	gAgency   = 3 // public_agency: creates the project, links its security, protects a parameter
	gIssuer   = 4 // asset_issuer and cash_issuer: the security and the cash
	gInvA     = 5 // holds 600 of the security
	gInvB     = 6 // holds 400
	gFlash    = 7 // buys after a proposal's creation
	gPayee    = 8 // receives the treasury spend
	gGrantee  = 9 // granted asset_issuer by chain governance
	gAccounts = 10
)

const (
	govSec     = "ubridge"
	govProject = "toll-bridge"
	govDeposit = coin.Amount(5_000_000) // 5 GRD
)

// Short rules: a DAO votes 20 s and waits 10 s; chain governance votes 10 s and waits 5 s (one
// harness block is one second).
var (
	govDAOParams = governance.DAOParams{ProposalThresholdBps: 100, Deposit: coin.New("ugrd", govDeposit), VotingPeriod: 20,
		QuorumBps: 2000, ThresholdBps: 5000, VetoThresholdBps: 3334, LateQuorumExtension: 0, Timelock: 10}
	govChainParams = governance.ChainParams{VotingPeriod: 10, QuorumBps: 5000, ThresholdBps: 5000, VetoThresholdBps: 3334, Timelock: 5, MaxMembers: 200}
)

// newGovScenario is the role scenario's chain with consortium members 0–2 and short governance
// rules in the genesis. The governance escrow is added to the harness' accounts so that the
// supply identity (balances + fee pool = supply) counts the deposits it holds.
func newGovScenario(t *testing.T, tree *store.Tree) *idScenario {
	t.Helper()
	a, err := New(tree, cmtlog.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, app: a, tree: tree, time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	for i := 0; i < gAccounts; i++ {
		h.accs = append(h.accs, testAccount(fmt.Sprintf("gov%d", i)))
	}
	h.genesis = startFunds * coin.Amount(len(h.accs))
	var st map[string]json.RawMessage
	if err := json.Unmarshal(genesisState(t, h.accs, fees.DefaultParams()), &st); err != nil {
		t.Fatal(err)
	}
	roles := []auth.GenesisRole{
		{Role: auth.RoleAdmin, Address: h.accs[idAdmin].addr},
		{Role: auth.RoleKYCProvider, Address: h.accs[idKYC1].addr},
		{Role: auth.RoleComplianceOfficer, Address: h.accs[idOfficer].addr},
	}
	for _, i := range []int{idAdmin, idKYC1, idOfficer} {
		roles = append(roles, auth.GenesisRole{Role: auth.RoleMember, Address: h.accs[i].addr})
	}
	st["auth"], _ = json.Marshal(auth.Genesis{Accounts: []auth.Account{}, Roles: roles})
	st["identity"], _ = json.Marshal(identity.Genesis{Trust: []identity.Trust{{Issuer: h.accs[idKYC1].addr, Claims: identity.ClaimKinds, SetBy: h.accs[idAdmin].addr}}})
	gg := governance.DefaultGenesis()
	gg.ChainParams, gg.DAODefaults = govChainParams, govDAOParams
	st["governance"], _ = json.Marshal(gg)
	raw, _ := json.Marshal(st)
	if _, err := a.InitChain(context.Background(), &abci.InitChainRequest{ChainId: testChain, InitialHeight: 1, Time: h.time, AppStateBytes: raw}); err != nil {
		t.Fatal(err)
	}
	h.accs = append(h.accs, account{name: "governance escrow", addr: governance.EscrowAccount})
	return &idScenario{h: h, nonces: map[int]uint64{}}
}

func packAll(t *testing.T, msgs ...tx.Msg) []tx.Any {
	t.Helper()
	out := make([]tx.Any, len(msgs))
	for i, m := range msgs {
		a, err := tx.Pack(m)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = a
	}
	return out
}

// TestGovernanceScenario runs governance end to end on the whole app, real modules only, block by
// block with every module invariant (governance's tally, queues, executed-once, escrow and
// delegated power among them) and the supply identities checked after each block:
// (a) a treasury spend decided by the holders of the project's security: a flash buy after
// submission gives no weight, nothing moves before voting end + timelock, the spend executes by
// itself in the first block after, exactly once; (b) a protected project parameter changes only
// with the public agency's approval; (c) an execution that fails is recorded with its code,
// never retried, and the deposit is returned; (d) chain governance by the consortium members
// changes the fee params at the end of the executing block, hands block params to consensus in
// that block only, and grants a role; (e) an upgrade it schedules halts the app after the commit
// of the height before, FinalizeBlock refuses that height without changing the state, and a
// binary that knows the upgrade applies it once and goes on.
func TestGovernanceScenario(t *testing.T) {
	tree := store.OpenMemory()
	s := newGovScenario(t, tree)
	h := s.h
	// The harness checks every module invariant after each block: governance's are among them.
	var govInvariants []string
	for _, m := range h.app.Modules() {
		if m.Name() == governance.ModuleName {
			for _, inv := range m.Invariants() {
				govInvariants = append(govInvariants, inv.Name)
			}
		}
	}
	for _, want := range []string{"governance/tally", "governance/executed-once", "governance/escrow"} {
		if !slices.Contains(govInvariants, want) {
			t.Fatalf("governance invariants %v lack %s", govInvariants, want)
		}
	}

	admin, agency, issuer := s.addr(idAdmin), s.addr(gAgency), s.addr(gIssuer)
	invA, invB, flash, payee := s.addr(gInvA), s.addr(gInvB), s.addr(gFlash), s.addr(gPayee)
	dao := authority.DAO(govSec)
	treasury := projects.Treasury(govProject)
	cash := func(a address.Address) coin.Amount { return h.app.Bank.Balance(h.ctx(), a, cashDenom) }
	grd := func(a address.Address) coin.Amount { return h.app.Bank.Balance(h.ctx(), a, "ugrd") }
	prop := func(id uint64) governance.Proposal {
		t.Helper()
		p, ok := h.app.Governance.Proposal(h.ctx(), id)
		if !ok {
			t.Fatalf("no proposal %d", id)
		}
		return p
	}
	refused := func(raw []byte, code uint32) outcome { return outcome{raw, governance.ModuleName, code} }
	submitDAO := func(i int, title string, msgs ...tx.Msg) []byte {
		return s.tx(i, &governance.MsgSubmit{Proposer: s.addr(i), DAO: govSec, Title: title, Msgs: packAll(t, msgs...)})
	}
	submitChain := func(i int, title string, msgs ...tx.Msg) []byte {
		return s.tx(i, &governance.MsgSubmit{Proposer: s.addr(i), Title: title, Msgs: packAll(t, msgs...)})
	}
	vote := func(i int, id uint64, option string) []byte {
		return s.tx(i, &governance.MsgVote{Voter: s.addr(i), Proposal: id, Option: option})
	}

	// Setup: roles; the security and the cash; the project, its security linked by the agency,
	// a protected parameter; the two investors' holdings and the treasury's cash.
	s.block()
	s.block(ok(s.tx(idAdmin, &auth.MsgGrantRole{Authority: admin, Role: auth.RolePublicAgency, Account: agency},
		&auth.MsgGrantRole{Authority: admin, Role: auth.RoleAssetIssuer, Account: issuer},
		&auth.MsgGrantRole{Authority: admin, Role: auth.RoleCashIssuer, Account: issuer})))
	s.block(
		ok(s.tx(gIssuer, &assets.MsgCreate{Issuer: issuer, Denom: govSec, Kind: assets.KindSecurity, Name: "Toll bridge SPV equity", Symbol: "TOLL"},
			&assets.MsgCreate{Issuer: issuer, Denom: cashDenom, Kind: assets.KindCash, Name: "Tokenized euro", Symbol: "EURt", Decimals: 2})),
		ok(s.tx(gAgency, &projects.MsgCreate{Creator: agency, ID: govProject, Name: "Toll bridge", Sector: "bridge", Location: "Estuary",
			ConcessionStart: h.time.Unix(), ConcessionEnd: h.time.AddDate(30, 0, 0).Unix()})),
	)
	s.block(
		ok(s.tx(gAgency, &projects.MsgSetSecurity{Agency: agency, Project: govProject, Security: govSec},
			&projects.MsgSetParameter{Authority: agency, Project: govProject, Name: "tariff_cap", Value: "100", Protected: true})),
		ok(s.tx(gIssuer, &assets.MsgMint{Issuer: issuer, Denom: govSec, Amount: 600, To: invA},
			&assets.MsgMint{Issuer: issuer, Denom: govSec, Amount: 400, To: invB},
			&assets.MsgMint{Issuer: issuer, Denom: cashDenom, Amount: 1_000_000, To: treasury})),
	)
	if pr, _, linked := h.app.Projects.ProjectOfSecurity(h.ctx(), govSec); !linked || pr != govProject {
		t.Fatalf("security %s linked to %q %v", govSec, pr, linked)
	}
	// The DAO itself cannot change a protected parameter without saying so, and no one but the
	// DAO may change it: the agency's own attempt is refused.
	s.block(outcome{s.tx(gAgency, &projects.MsgSetParameter{Authority: agency, Project: govProject, Name: "tariff_cap", Value: "999", Protected: true}),
		projects.ModuleName, projects.ErrProtected.Code})

	// (a) Treasury spend. A proposes in block S+1 (snapshot S); in the same block B sells 100 to
	// the flash buyer, who has no weight; B keeps the weight it had at the snapshot.
	spend := &projects.MsgSpend{Authority: dao, Project: govProject, To: payee, Amount: coin.New(cashDenom, 250_000), Reason: "toll gantry"}
	aBefore := grd(invA)
	s.block(ok(submitDAO(gInvA, "Pay the toll gantry", spend)),
		ok(s.tx(gInvB, &bank.MsgSend{From: invB, To: flash, Amount: coin.New(govSec, 100)})))
	p1 := prop(1)
	if p1.Status != governance.StatusVoting || p1.Eligible != 1000 || p1.Snapshot != h.height-1 || p1.DepositStatus != governance.DepositHeld {
		t.Fatalf("proposal 1 after submission: %+v", p1)
	}
	if got := grd(governance.EscrowAccount); got != govDeposit {
		t.Fatalf("escrow holds %d, want the deposit %d", got, govDeposit)
	}
	if fee := aBefore - grd(invA) - govDeposit; fee == 0 || fee > goodFee.MaxFee {
		t.Fatalf("proposer paid %d beyond the deposit", fee)
	}
	s.block(ok(vote(gInvA, 1, governance.OptionYes)), ok(vote(gInvB, 1, governance.OptionYes)),
		refused(vote(gFlash, 1, governance.OptionYes), governance.ErrNoWeight.Code))
	if p := prop(1); p.Tally.Yes != 1000 || p.Tally.No != 0 || !p.QuorumReached {
		t.Fatalf("tally after both investors voted yes: %+v", p.Tally)
	}
	if v, voted := h.app.Governance.Vote(h.ctx(), 1, invB); !voted || v.Weight != 400 {
		t.Fatalf("B's vote counts its snapshot balance 400: %+v %v", v, voted)
	}

	// (b) and (c) are submitted now and run alongside: a protected parameter change without the
	// agency (2), the same with it (3), a spend larger than the treasury (4).
	setCap := func(v string) *projects.MsgSetParameter {
		return &projects.MsgSetParameter{Authority: dao, Project: govProject, Name: "tariff_cap", Value: v, Protected: true}
	}
	s.block(ok(submitDAO(gInvA, "Raise the tariff cap without the agency", setCap("110"))),
		ok(submitDAO(gInvA, "Raise the tariff cap with the agency", setCap("120"))),
		ok(submitDAO(gInvB, "Spend more than the treasury holds",
			&projects.MsgSpend{Authority: dao, Project: govProject, To: payee, Amount: coin.New(cashDenom, 10_000_000), Reason: "too much"})))
	for _, id := range []uint64{2, 3} {
		if p := prop(id); p.Project != govProject || !slices.Equal(p.Protected, []string{"tariff_cap"}) {
			t.Fatalf("proposal %d does not record the protected parameter: project %q protected %v", id, p.Project, p.Protected)
		}
	}
	if got := grd(governance.EscrowAccount); got != 4*govDeposit {
		t.Fatalf("escrow holds %d, want four deposits", got)
	}
	s.block(ok(vote(gInvA, 2, governance.OptionYes)), ok(vote(gInvB, 2, governance.OptionYes)),
		ok(vote(gInvA, 3, governance.OptionYes)), ok(vote(gInvB, 3, governance.OptionYes)),
		ok(vote(gInvA, 4, governance.OptionYes)), ok(vote(gInvB, 4, governance.OptionYes)),
		refused(s.tx(gInvA, &governance.MsgApprove{Agency: invA, Proposal: 3}), governance.ErrNotAgency.Code),
		refused(s.tx(gAgency, &governance.MsgApprove{Agency: agency, Proposal: 1}), governance.ErrNotProtected.Code),
		ok(s.tx(gAgency, &governance.MsgApprove{Agency: agency, Proposal: 3})))

	// Blocks until proposal 1's voting ends; then its deposit is back, and nothing moves until
	// the timelock passes; the spend runs in the end of the first block at or after it, once.
	spends := 0
	var execHeight int64
	for n := 0; execHeight == 0; n++ {
		if n == 60 {
			t.Fatalf("proposal 1 not executed after 60 blocks: %+v", prop(1))
		}
		before := prop(1)
		aBal := grd(invA)
		blockTime := h.time.Add(time.Second).Unix()
		s.block()
		spends += len(blockEvents(s.lastResults, "projects.treasury_spend"))
		p := prop(1)
		if before.Status == governance.StatusVoting && p.Status != governance.StatusVoting {
			if blockTime < p.VotingEnd || p.Status != governance.StatusPassed || p.ExecuteAfter != p.VotingEnd+govDAOParams.Timelock {
				t.Fatalf("proposal 1 ended at block time %d: %+v", blockTime, p)
			}
			if p.DepositStatus != governance.DepositReturned || grd(invA) != aBal+govDeposit {
				t.Fatalf("deposit of proposal 1 %s; proposer %d → %d", p.DepositStatus, aBal, grd(invA))
			}
		}
		if blockTime < p.ExecuteAfter || p.Status == governance.StatusVoting {
			if cash(payee) != 0 || cash(treasury) != 1_000_000 || p.Status == governance.StatusExecuted {
				t.Fatalf("height %d (time %d, execute after %d): payee %d, treasury %d, status %s", h.height, blockTime, p.ExecuteAfter,
					cash(payee), cash(treasury), p.Status)
			}
			continue
		}
		// The first block at or after ExecuteAfter.
		if p.Status != governance.StatusExecuted || p.ExecutedHeight != h.height {
			t.Fatalf("height %d, time %d ≥ execute after %d: %+v", h.height, blockTime, p.ExecuteAfter, p)
		}
		if len(blockEvents(s.lastResults, "governance.proposal_executed")) == 0 {
			t.Fatal("no governance.proposal_executed event in the executing block")
		}
		execHeight = h.height
	}
	checkSpent := func() {
		t.Helper()
		if cash(payee) != 250_000 || cash(treasury) != 750_000 {
			t.Fatalf("height %d: payee %d, treasury %d", h.height, cash(payee), cash(treasury))
		}
	}
	checkSpent()
	for i := 0; i < 10; i++ {
		s.block()
		spends += len(blockEvents(s.lastResults, "projects.treasury_spend"))
		checkSpent()
	}
	if p := prop(1); spends != 1 || p.Status != governance.StatusExecuted || p.ExecutedHeight != execHeight {
		t.Fatalf("after 10 more blocks: %d spends, %+v", spends, p)
	}

	// (b) Without the agency's approval the protected change is rejected; with it, it executes.
	waitStatus := func(id uint64, statuses ...string) governance.Proposal {
		t.Helper()
		for n := 0; ; n++ {
			p := prop(id)
			if slices.Contains(statuses, p.Status) {
				return p
			}
			if n == 60 {
				t.Fatalf("proposal %d still %s after 60 blocks, want %v", id, p.Status, statuses)
			}
			s.block()
		}
	}
	p2 := waitStatus(2, governance.StatusRejected, governance.StatusPassed, governance.StatusExecuted)
	if p2.Status != governance.StatusRejected || p2.Reason != governance.ReasonApproval || p2.DepositStatus != governance.DepositReturned {
		t.Fatalf("protected change without approval: %+v", p2)
	}
	p4 := waitStatus(4, governance.StatusExecuted, governance.StatusFailed)
	p3 := waitStatus(3, governance.StatusExecuted, governance.StatusFailed)
	if p3.Status != governance.StatusExecuted || p3.ApprovedBy == nil || *p3.ApprovedBy != agency {
		t.Fatalf("protected change with approval: %+v", p3)
	}
	prm, found := h.app.Projects.Parameter(h.ctx(), govProject, "tariff_cap")
	if !found || prm.Value != "120" || prm.Version != 2 || !prm.Protected || prm.By != dao || prm.Height != p3.ExecutedHeight {
		t.Fatalf("tariff_cap after proposal 3: %+v", prm)
	}

	// (c) The execution of 4 failed with the projects error, recorded, and its deposit returned;
	// it is never retried and the treasury did not move.
	if p4.Status != governance.StatusFailed || p4.Failure == nil || p4.Failure.Module != projects.ModuleName ||
		p4.Failure.Code != projects.ErrTreasuryShort.Code || p4.Failure.Msg != 0 || p4.DepositStatus != governance.DepositReturned {
		t.Fatalf("failing execution: %+v (failure %+v)", p4, p4.Failure)
	}
	failedAt := p4.ExecutedHeight
	for i := 0; i < 5; i++ {
		s.block()
		if len(blockEvents(s.lastResults, "governance.execution_failed")) != 0 {
			t.Fatalf("height %d: a failed proposal ran again", h.height)
		}
	}
	if p := prop(4); p.Status != governance.StatusFailed || p.ExecutedHeight != failedAt {
		t.Fatalf("failed proposal changed: %+v", p)
	}
	checkSpent()
	if got := grd(governance.EscrowAccount); got != 0 {
		t.Fatalf("escrow holds %d after every deposit went back", got)
	}
	exported, _, err := h.app.ExportGenesis()
	if err != nil {
		t.Fatal(err)
	}
	var gg governance.Genesis
	if err := json.Unmarshal(exported[governance.ModuleName], &gg); err != nil {
		t.Fatal(err)
	}
	runs := map[uint64]governance.ExecutionRecord{}
	for _, x := range gg.Executions {
		runs[x.Proposal] = x
	}
	if len(runs) != 3 || runs[1].Count != 1 || !runs[1].OK || runs[3].Count != 1 || !runs[3].OK || runs[4].Count != 1 || runs[4].OK {
		t.Fatalf("execution records: %+v", gg.Executions)
	}

	// (d) Chain governance: the members raise the minimum base fee and a transfer's gas, set the
	// block limits and grant a role, in one proposal.
	oldFees := h.app.Fees.Params(h.ctx())
	newFees := oldFees
	newFees.MinBaseFee = 50
	newFees.Schedule = slices.Clone(oldFees.Schedule)
	for i := range newFees.Schedule {
		if newFees.Schedule[i].Type == "bank/send" {
			newFees.Schedule[i].Base = 3_000
		}
	}
	grantee := s.addr(gGrantee)
	s.block(ok(submitChain(idAdmin, "Fees, block limits, an issuer",
		&governance.MsgSetFeeParams{Authority: authority.Chain, Params: newFees},
		&governance.MsgSetBlockParams{Authority: authority.Chain, MaxBytes: 2 << 20, MaxGas: 80_000_000},
		&auth.MsgGrantRole{Authority: authority.Chain, Role: auth.RoleAssetIssuer, Account: grantee})),
		refused(submitChain(gInvA, "not a member", &governance.MsgCancelUpgrade{Authority: authority.Chain}), governance.ErrNotMember.Code),
		refused(submitChain(idAdmin, "wrong authority", &auth.MsgGrantRole{Authority: admin, Role: auth.RoleAssetIssuer, Account: grantee}),
			governance.ErrWrongAuthority.Code),
		refused(submitDAO(gInvA, "chain msg in a DAO", &governance.MsgCancelUpgrade{Authority: dao}), governance.ErrNotAllowed.Code))
	const chainProp = 5
	if p := prop(chainProp); !p.IsChain() || p.Eligible != 3 || len(p.Members) != 3 {
		t.Fatalf("chain proposal: %+v", p)
	}
	s.block(ok(vote(idAdmin, chainProp, governance.OptionYes)), ok(vote(idOfficer, chainProp, governance.OptionYes)),
		refused(vote(gInvA, chainProp, governance.OptionYes), governance.ErrNoWeight.Code))
	// A transfer in every block; the block whose end executes the proposal (E) charges the old
	// params, the next (E+1) the new ones.
	type charged struct {
		height  int64
		gas     int64
		baseFee string
		updates *abci.FinalizeBlockResponse
	}
	var log []charged
	execE := int64(0)
	for n := 0; execE == 0 || h.height < execE+3; n++ {
		if n == 60 {
			t.Fatalf("chain proposal not executed after 60 blocks: %+v", prop(chainProp))
		}
		s.block(ok(s.tx(gPayee, &bank.MsgSend{From: payee, To: invA, Amount: coin.New("ugrd", 1)})))
		bf := ""
		for _, e := range s.lastResults.TxResults[0].Events {
			if e.Type == "fees.charged" {
				for _, at := range e.Attributes {
					if at.Key == "base_fee" {
						bf = at.Value
					}
				}
			}
		}
		log = append(log, charged{h.height, s.lastResults.TxResults[0].GasUsed, bf, s.lastResults})
		if execE == 0 && prop(chainProp).Status == governance.StatusExecuted {
			execE = h.height
			if prop(chainProp).ExecutedHeight != execE {
				t.Fatalf("executed height %d, block %d", prop(chainProp).ExecutedHeight, execE)
			}
			if got := h.app.Fees.Params(h.ctx()); got.MinBaseFee != 50 {
				t.Fatalf("fee params after the executing block %d: min base fee %d", execE, got.MinBaseFee)
			}
			if !h.app.Auth.HasRole(h.ctx(), grantee, auth.RoleAssetIssuer) {
				t.Fatal("the role granted by chain governance is not held")
			}
		} else if execE == 0 {
			if got := h.app.Fees.Params(h.ctx()); got.MinBaseFee != oldFees.MinBaseFee {
				t.Fatalf("fee params changed at height %d before the proposal executed", h.height)
			}
			if h.app.Auth.HasRole(h.ctx(), grantee, auth.RoleAssetIssuer) {
				t.Fatalf("role granted at height %d before the proposal executed", h.height)
			}
		}
	}
	for _, c := range log {
		cp := c.updates.ConsensusParamUpdates
		switch {
		case c.height == execE:
			if cp == nil || cp.Block == nil || cp.Block.MaxBytes != 2<<20 || cp.Block.MaxGas != 80_000_000 {
				t.Fatalf("executing block %d returned consensus params %v", c.height, cp)
			}
		case cp != nil:
			t.Fatalf("block %d (proposal executed at %d) returned consensus params %v", c.height, execE, cp)
		}
		wantBase, wantGasUp := fmt.Sprint(oldFees.MinBaseFee), false
		if c.height > execE {
			wantBase, wantGasUp = "50", true
		}
		if c.baseFee != wantBase {
			t.Fatalf("block %d (executed at %d): transfer charged at base fee %s, want %s", c.height, execE, c.baseFee, wantBase)
		}
		if gasUp := c.gas >= log[0].gas+2_000; gasUp != wantGasUp {
			t.Fatalf("block %d (executed at %d): transfer used %d gas (first %d)", c.height, execE, c.gas, log[0].gas)
		}
	}
	if _, pending := h.app.Governance.PendingBlockParams(h.ctx()); pending {
		t.Fatal("block params still pending after the app handed them to consensus")
	}

	// (e) An upgrade at H, scheduled by chain governance.
	upH := h.height + 25
	s.block(ok(submitChain(idAdmin, "Upgrade v2", &governance.MsgScheduleUpgrade{Authority: authority.Chain, Name: "v2", Height: upH, Info: "girder 0.2.0"})))
	const upProp = 6
	s.block(ok(vote(idAdmin, upProp, governance.OptionYes)), ok(vote(idKYC1, upProp, governance.OptionYes)))
	halted := func(a *App) bool {
		select {
		case <-a.Halted():
			return true
		default:
			return false
		}
	}
	for h.height < upH-1 {
		if halted(h.app) {
			t.Fatalf("halted after the commit of %d, the upgrade is at %d", h.height, upH)
		}
		s.block()
	}
	if p := prop(upProp); p.Status != governance.StatusExecuted {
		t.Fatalf("upgrade proposal at height %d: %+v", h.height, p)
	}
	if !halted(h.app) {
		t.Fatalf("not halted after the commit of %d, the upgrade is at %d", h.height, upH)
	}
	if hp := h.app.HaltPlan(); hp == nil || hp.Name != "v2" || hp.Height != upH || hp.Info != "girder 0.2.0" {
		t.Fatalf("halt plan %+v", hp)
	}
	// The old binary refuses block H and changes nothing.
	hash, version := tree.Hash(), tree.Version()
	_, err = h.app.FinalizeBlock(context.Background(), &abci.FinalizeBlockRequest{Height: upH, Time: h.time.Add(time.Second),
		Txs: [][]byte{s.tx(gPayee, &bank.MsgSend{From: payee, To: invA, Amount: coin.New("ugrd", 1)})}})
	s.nonces[gPayee]-- // the tx never ran
	if !errors.Is(err, ErrUpgradeNeeded) {
		t.Fatalf("FinalizeBlock at the upgrade height: %v, want ErrUpgradeNeeded", err)
	}
	if tree.Version() != version || string(tree.Hash()) != string(hash) || string(tree.WorkingHash()) != string(hash) {
		t.Fatalf("a refused block changed the state: version %d → %d", version, tree.Version())
	}
	if err := h.app.Invariants(); err != nil {
		t.Fatal(err)
	}

	// A new binary over the same state knows v2: it applies it once at H and goes on.
	next, err := New(tree, cmtlog.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	var ran []governance.Plan
	var ranAt []int64
	next.RegisterUpgrade("v2", func(ctx chain.Context, plan governance.Plan) error {
		ran, ranAt = append(ran, plan), append(ranAt, ctx.Height)
		// A migration: the fee pool's target gas halves.
		p := next.Fees.Params(ctx)
		p.TargetBlockGas /= 2
		next.Fees.SetParams(ctx, p)
		return nil
	})
	if got := next.KnownUpgrades(); !slices.Equal(got, []string{"v2"}) {
		t.Fatalf("known upgrades %v", got)
	}
	h.app = next
	s.block(ok(s.tx(gPayee, &bank.MsgSend{From: payee, To: invA, Amount: coin.New("ugrd", 1)})))
	if h.height != upH || len(ran) != 1 || ran[0].Name != "v2" || ranAt[0] != upH {
		t.Fatalf("height %d: upgrade handler ran %d times %v at %v", h.height, len(ran), ran, ranAt)
	}
	if got := next.Fees.Params(h.ctx()).TargetBlockGas; got != newFees.TargetBlockGas/2 {
		t.Fatalf("the migration's write did not commit: target gas %d", got)
	}
	for i := 0; i < 3; i++ {
		s.block()
	}
	if len(ran) != 1 || halted(next) {
		t.Fatalf("after the upgrade: handler ran %d times, halted %v", len(ran), halted(next))
	}
	r, err := next.Query(context.Background(), &abci.QueryRequest{Path: "/governance/upgrade"})
	if err != nil || r.Code != 0 {
		t.Fatalf("query upgrade: %v %s", err, r.Log)
	}
	var up governance.UpgradeInfo
	if err := json.Unmarshal(r.Value, &up); err != nil {
		t.Fatal(err)
	}
	if up.Plan != nil || len(up.Done) != 1 || up.Done[0].Name != "v2" || up.Done[0].Height != upH {
		t.Fatalf("upgrade query after the upgrade: %s", r.Value)
	}
	t.Logf("spend executed at %d, protected change at %d, failed execution at %d, chain params at %d, upgrade v2 at %d",
		execHeight, p3.ExecutedHeight, failedAt, execE, upH)
}

// TestGovernanceBlockFloorHoldsATx: the smallest block chain governance may set (CometBFT's
// evidence limit: governance cannot import app/ to compare with MaxTxBytes itself) holds the
// largest tx the app accepts.
func TestGovernanceBlockFloorHoldsATx(t *testing.T) {
	if MaxTxBytes >= governance.MinBlockBytes {
		t.Fatalf("max tx %d bytes, smallest block chain governance may set %d bytes", MaxTxBytes, governance.MinBlockBytes)
	}
}

// TestGovernanceRefusedSpendKeepsDecision: a DAO spend that compliance refuses fails the
// proposal's execution, moves nothing, and leaves the compliance decision in the events of the
// executing block (the audit trail a refused tx leaves too).
func TestGovernanceRefusedSpendKeepsDecision(t *testing.T) {
	s := newGovScenario(t, store.OpenMemory())
	h := s.h
	admin, agency, issuer, officer := s.addr(idAdmin), s.addr(gAgency), s.addr(gIssuer), s.addr(idOfficer)
	invA, invB, payee := s.addr(gInvA), s.addr(gInvB), s.addr(gPayee)
	dao := authority.DAO(govSec)
	treasury := projects.Treasury(govProject)
	cash := func(a address.Address) coin.Amount { return h.app.Bank.Balance(h.ctx(), a, cashDenom) }
	s.block()
	s.block(ok(s.tx(idAdmin, &auth.MsgGrantRole{Authority: admin, Role: auth.RolePublicAgency, Account: agency},
		&auth.MsgGrantRole{Authority: admin, Role: auth.RoleAssetIssuer, Account: issuer},
		&auth.MsgGrantRole{Authority: admin, Role: auth.RoleCashIssuer, Account: issuer})))
	s.block(
		ok(s.tx(gIssuer, &assets.MsgCreate{Issuer: issuer, Denom: govSec, Kind: assets.KindSecurity, Name: "Toll bridge SPV equity", Symbol: "TOLL"},
			&assets.MsgCreate{Issuer: issuer, Denom: cashDenom, Kind: assets.KindCash, Name: "Tokenized euro", Symbol: "EURt", Decimals: 2})),
		ok(s.tx(gAgency, &projects.MsgCreate{Creator: agency, ID: govProject, Name: "Toll bridge", Sector: "bridge", Location: "Estuary",
			ConcessionStart: h.time.Unix(), ConcessionEnd: h.time.AddDate(30, 0, 0).Unix()})),
	)
	s.block(
		ok(s.tx(gAgency, &projects.MsgSetSecurity{Agency: agency, Project: govProject, Security: govSec})),
		ok(s.tx(gIssuer, &assets.MsgMint{Issuer: issuer, Denom: govSec, Amount: 600, To: invA},
			&assets.MsgMint{Issuer: issuer, Denom: govSec, Amount: 400, To: invB},
			&assets.MsgMint{Issuer: issuer, Denom: cashDenom, Amount: 1_000_000, To: treasury})),
	)
	// The officer's rule: whoever receives the cash belongs to a verified identity. The payee
	// does not.
	s.block(ok(s.tx(idOfficer, &compliance.MsgSetRules{Officer: officer, Asset: cashDenom, Rules: []compliance.Rule{
		{ID: "kyc", Kind: compliance.KindRequiredClaims, Outcome: compliance.OutcomeReject,
			Params: compliance.Params{Side: compliance.SideReceiver, KYCLevel: 1}}}})))
	spend := &projects.MsgSpend{Authority: dao, Project: govProject, To: payee, Amount: coin.New(cashDenom, 250_000), Reason: "toll gantry"}
	s.block(ok(s.tx(gInvA, &governance.MsgSubmit{Proposer: invA, DAO: govSec, Title: "Pay the gantry", Msgs: packAll(t, spend)})))
	s.block(ok(s.tx(gInvA, &governance.MsgVote{Voter: invA, Proposal: 1, Option: governance.OptionYes})))
	for n := 0; ; n++ {
		if n == 60 {
			t.Fatal("proposal 1 not executed after 60 blocks")
		}
		s.block()
		p, _ := h.app.Governance.Proposal(h.ctx(), 1)
		if p.Status != governance.StatusFailed && p.Status != governance.StatusExecuted {
			if len(blockEvents(s.lastResults, "compliance.decision")) != 0 {
				t.Fatalf("height %d: a compliance decision before the execution", h.height)
			}
			continue
		}
		if p.Status != governance.StatusFailed || p.Failure == nil || p.Failure.Module != compliance.ModuleName ||
			p.Failure.Code != compliance.ErrRejected.Code || p.ExecutedHeight != h.height {
			t.Fatalf("proposal 1: %+v (failure %+v)", p, p.Failure)
		}
		decisions := blockEvents(s.lastResults, "compliance.decision")
		if len(decisions) != 1 {
			t.Fatalf("executing block's compliance decisions: %v", decisions)
		}
		d := decisions[0]
		if d["outcome"] != compliance.OutcomeReject || d["rule"] != "kyc" || d["from"] != treasury.String() || d["to"] != payee.String() ||
			d["amount"] != spend.Amount.String() {
			t.Fatalf("decision %v", d)
		}
		if len(blockEvents(s.lastResults, "governance.execution_failed")) != 1 || len(blockEvents(s.lastResults, "projects.treasury_spend")) != 0 {
			t.Fatal("the executing block does not show the failure alone")
		}
		break
	}
	if cash(payee) != 0 || cash(treasury) != 1_000_000 {
		t.Fatalf("payee %d, treasury %d", cash(payee), cash(treasury))
	}
}
