package governance

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
)

// DAOGenesis is a DAO's own params.
type DAOGenesis struct {
	Denom  string    `json:"denom"`
	Params DAOParams `json:"params"`
}

// Genesis is governance's genesis state. The queues and indexes are rebuilt from the proposals.
type Genesis struct {
	ChainParams       ChainParams       `json:"chain_params"`
	DAODefaults       DAOParams         `json:"dao_defaults"`
	DAOs              []DAOGenesis      `json:"daos"`
	Proposals         []Proposal        `json:"proposals"`
	Votes             []Vote            `json:"votes"`
	Overrides         []Override        `json:"overrides"`
	Executions        []ExecutionRecord `json:"executions"`
	Delegations       []Delegation      `json:"delegations"`
	DelegationHistory []DelegationEntry `json:"delegation_history"`
	PowerHistory      []PowerEntry      `json:"power_history"`
	Upgrade           *Plan             `json:"upgrade,omitempty"`
	DoneUpgrades      []DoneUpgrade     `json:"done_upgrades"`
	BlockParams       *BlockParams      `json:"block_params,omitempty"`
	Sequence          uint64            `json:"proposal_sequence"`
}

// DefaultGenesis has the default params and nothing else.
func DefaultGenesis() Genesis {
	return Genesis{ChainParams: DefaultChainParams(), DAODefaults: DefaultDAOParams(), DAOs: []DAOGenesis{}, Proposals: []Proposal{},
		Votes: []Vote{}, Overrides: []Override{}, Executions: []ExecutionRecord{}, Delegations: []Delegation{},
		DelegationHistory: []DelegationEntry{}, PowerHistory: []PowerEntry{}, DoneUpgrades: []DoneUpgrade{}}
}

// checkProposal checks a proposal record on its own (genesis, invariants).
func checkProposal(p *Proposal) error {
	if p.ID == 0 {
		return fmt.Errorf("id 0")
	}
	if p.Proposer.IsZero() || p.Title == "" || len(p.Title) > MaxTitleLen || len(p.Summary) > MaxSummaryLen {
		return fmt.Errorf("proposer, title or summary")
	}
	if len(p.Msgs) == 0 || len(p.Msgs) > MaxMsgs {
		return fmt.Errorf("%d msgs", len(p.Msgs))
	}
	for i, a := range p.Msgs {
		if a.Type == "" || len(a.Value) == 0 {
			return fmt.Errorf("msg %d is empty", i)
		}
	}
	if p.IsChain() {
		if p.Authority != authority.Chain {
			return fmt.Errorf("a chain proposal acts as %s, not %s", authority.Chain, p.Authority)
		}
		for i := 1; i < len(p.Members); i++ {
			if bytes.Compare(p.Members[i-1][:], p.Members[i][:]) >= 0 {
				return fmt.Errorf("members not sorted or repeated")
			}
		}
		if p.Eligible != coin.Amount(len(p.Members)) || len(p.Members) == 0 || len(p.Members) > MaxMembersLimit {
			return fmt.Errorf("eligible %d for %d members", p.Eligible, len(p.Members))
		}
		if p.Deposit.Amount != 0 || len(p.Protected) != 0 || p.Rules.Extension != 0 {
			return fmt.Errorf("a chain proposal has no deposit, protected parameters or extension")
		}
	} else {
		if err := coin.ValidateDenom(p.DAO); err != nil {
			return err
		}
		if p.Authority != authority.DAO(p.DAO) {
			return fmt.Errorf("a proposal of the DAO of %s acts as %s, not %s", p.DAO, authority.DAO(p.DAO), p.Authority)
		}
		if len(p.Members) != 0 || p.Eligible == 0 {
			return fmt.Errorf("a DAO proposal has no members and a positive eligible weight")
		}
	}
	r := p.Rules
	if err := validRules(1, r.QuorumBps, r.ThresholdBps, r.VetoThresholdBps, r.Timelock); err != nil {
		return err
	}
	if r.Extension < 0 || r.Extension > Year {
		return fmt.Errorf("extension %d", r.Extension)
	}
	if part, ok := p.Tally.Participation(); !ok || part > p.Eligible {
		return fmt.Errorf("tally %+v exceeds the eligible weight %d", p.Tally, p.Eligible)
	}
	if p.Snapshot != p.Height-1 || p.VotingEnd <= p.Time || p.Height < 1 {
		return fmt.Errorf("heights and times: submitted at %d (%d), snapshot %d, voting end %d", p.Height, p.Time, p.Snapshot, p.VotingEnd)
	}
	if p.Deposit.Amount > 0 {
		if err := p.Deposit.Validate(); err != nil {
			return err
		}
	} else if p.DepositStatus != "" {
		return fmt.Errorf("deposit status %q without a deposit", p.DepositStatus)
	}
	if len(p.Protected) > 0 {
		if p.Project == "" || !slices.IsSorted(p.Protected) || len(slices.Compact(slices.Clone(p.Protected))) != len(p.Protected) {
			return fmt.Errorf("protected parameters %v of project %q", p.Protected, p.Project)
		}
	} else if p.ApprovedBy != nil {
		return fmt.Errorf("approved but changes no protected parameter")
	}
	held := p.Deposit.Amount > 0
	want := func(deposit string, reason bool, executeAfter, ended, executed bool) error {
		if held && p.DepositStatus != deposit {
			return fmt.Errorf("%s with deposit %s", p.Status, p.DepositStatus)
		}
		if (p.Reason != "") != reason || (p.ExecuteAfter != 0) != executeAfter || (p.EndHeight != 0) != ended || (p.ExecutedHeight != 0) != executed {
			return fmt.Errorf("%s: reason %q, execute after %d, ended at %d, executed at %d", p.Status, p.Reason, p.ExecuteAfter, p.EndHeight, p.ExecutedHeight)
		}
		return nil
	}
	var err error
	switch p.Status {
	case StatusVoting:
		err = want(DepositHeld, false, false, false, false)
	case StatusPassed:
		err = want(DepositReturned, false, true, true, false)
	case StatusRejected:
		err = want(DepositReturned, true, false, true, false)
		if err == nil && p.Reason != ReasonQuorum && p.Reason != ReasonThreshold && p.Reason != ReasonApproval {
			err = fmt.Errorf("reason %q", p.Reason)
		}
	case StatusVetoed:
		err = want(DepositBurnt, false, false, true, false)
	case StatusExecuted, StatusFailed:
		err = want(DepositReturned, false, true, true, true)
	default:
		err = fmt.Errorf("status %q", p.Status)
	}
	if err != nil {
		return err
	}
	if (p.Status == StatusFailed) != (p.Failure != nil) {
		return fmt.Errorf("%s with failure %v", p.Status, p.Failure)
	}
	if p.ExecuteAfter != 0 && p.ExecuteAfter != p.VotingEnd+r.Timelock {
		return fmt.Errorf("executes after %d, not voting end %d + timelock %d", p.ExecuteAfter, p.VotingEnd, r.Timelock)
	}
	return nil
}

// index writes p's queue and DAO index entries.
func (k Keeper) index(ctx chain.Context, p *Proposal) {
	k.st(ctx).Set(byDAOKey(p.DAO, p.ID), marker)
	switch p.Status {
	case StatusVoting:
		k.st(ctx).Set(endKey(p.VotingEnd, p.ID), marker)
	case StatusPassed:
		k.st(ctx).Set(execKey(p.ExecuteAfter, p.ID), marker)
	}
}

// InitGenesis loads governance's state. It runs after bank, assets and distributions: the escrow
// must hold the deposits of the proposals in their voting period, a DAO is a security's, and a
// delegate's power is the sum of its delegators' balances.
func (m *Module) InitGenesis(ctx chain.Context, raw json.RawMessage) error {
	k := m.Keeper
	var g Genesis
	if err := chain.DecodeGenesis(raw, &g); err != nil {
		return fmt.Errorf("governance genesis: %w", err)
	}
	fail := func(format string, args ...any) error { return fmt.Errorf("governance genesis: "+format, args...) }
	if k.Sequence(ctx) != 0 || k.st(ctx).Has(keyChainPar) {
		return fail("state already holds governance")
	}
	if err := g.ChainParams.Validate(); err != nil {
		return fail("chain params: %v", err)
	}
	if err := g.DAODefaults.Validate(); err != nil {
		return fail("dao defaults: %v", err)
	}
	k.set(ctx, keyChainPar, &g.ChainParams)
	k.set(ctx, keyDAODefault, &g.DAODefaults)
	for _, d := range g.DAOs {
		if err := k.requireSecurity(ctx, d.Denom); err != nil {
			return fail("dao %q: %v", d.Denom, err)
		}
		if err := d.Params.Validate(); err != nil {
			return fail("dao %s: %v", d.Denom, err)
		}
		if k.st(ctx).Has(daoParamsKey(d.Denom)) {
			return fail("dao %s given twice", d.Denom)
		}
		k.set(ctx, daoParamsKey(d.Denom), &d.Params)
	}
	for i := range g.Proposals {
		p := g.Proposals[i]
		if p.ID > g.Sequence {
			return fail("proposal %d beyond proposal_sequence %d", p.ID, g.Sequence)
		}
		if err := checkProposal(&p); err != nil {
			return fail("proposal %d: %v", p.ID, err)
		}
		if _, dup := k.Proposal(ctx, p.ID); dup {
			return fail("proposal %d given twice", p.ID)
		}
		if !p.IsChain() {
			if err := k.requireSecurity(ctx, p.DAO); err != nil {
				return fail("proposal %d: %v", p.ID, err)
			}
		}
		k.putProposal(ctx, &p)
		k.index(ctx, &p)
	}
	if g.Sequence > 0 {
		k.set(ctx, keySeq, g.Sequence)
	}
	for _, v := range g.Votes {
		p, ok := k.Proposal(ctx, v.Proposal)
		if !ok || v.Voter.IsZero() || !slices.Contains(Options, v.Option) {
			return fail("vote of %s on proposal %d: unknown proposal, zero voter or option %q", v.Voter, v.Proposal, v.Option)
		}
		if _, dup := k.Vote(ctx, v.Proposal, v.Voter); dup {
			return fail("vote of %s on proposal %d given twice", v.Voter, v.Proposal)
		}
		if p.IsChain() && (v.Weight != 1 || !isMember(p.Members, v.Voter)) {
			return fail("vote of %s on chain proposal %d: a member votes with weight 1", v.Voter, v.Proposal)
		}
		k.set(ctx, voteKey(v.Proposal, v.Voter), &v)
	}
	for _, o := range g.Overrides {
		p, ok := k.Proposal(ctx, o.Proposal)
		if !ok || p.IsChain() || o.Amount == 0 || o.Delegate.IsZero() {
			return fail("override of %s on proposal %d: unknown or chain proposal, or zero amount", o.Delegate, o.Proposal)
		}
		if k.st(ctx).Has(overrideKey(o.Proposal, o.Delegate)) {
			return fail("override of %s on proposal %d given twice", o.Delegate, o.Proposal)
		}
		k.set(ctx, overrideKey(o.Proposal, o.Delegate), o.Amount)
	}
	for _, x := range g.Executions {
		if k.st(ctx).Has(execRecordKey(x.Proposal)) {
			return fail("execution of proposal %d given twice", x.Proposal)
		}
		k.set(ctx, execRecordKey(x.Proposal), &x)
	}
	for _, d := range g.Delegations {
		if coin.ValidateDenom(d.Denom) != nil || d.Delegator.IsZero() || d.Delegate.IsZero() || d.Delegator == d.Delegate || d.Height < 0 {
			return fail("delegation of %q by %s to %s", d.Denom, d.Delegator, d.Delegate)
		}
		if d.Denom == NativeDenom || k.isModule(d.Delegator) || k.isModule(d.Delegate) {
			return fail("delegation of %s by %s to %s: the native denom and module accounts do not delegate", d.Denom, d.Delegator, d.Delegate)
		}
		if _, dup := k.Delegation(ctx, d.Denom, d.Delegator); dup {
			return fail("delegation of %s by %s given twice", d.Denom, d.Delegator)
		}
		k.set(ctx, delegationKey(d.Denom, d.Delegator), &d)
	}
	for _, e := range g.DelegationHistory {
		if coin.ValidateDenom(e.Denom) != nil || e.Delegator.IsZero() || e.Height < 0 || e.Delegate == e.Delegator {
			return fail("delegation history of %q by %s at %d", e.Denom, e.Delegator, e.Height)
		}
		key := store.Key(delegHistPrefix(e.Denom, e.Delegator), store.Uint64Key(uint64(e.Height)))
		if k.st(ctx).Has(key) {
			return fail("delegation history of %s by %s at %d given twice", e.Denom, e.Delegator, e.Height)
		}
		k.set(ctx, key, e.Delegate)
	}
	for _, e := range g.PowerHistory {
		if coin.ValidateDenom(e.Denom) != nil || e.Delegate.IsZero() || e.Height < 0 {
			return fail("power history of %q of %s at %d", e.Denom, e.Delegate, e.Height)
		}
		key := store.Key(powerHistPrefix(e.Denom, e.Delegate), store.Uint64Key(uint64(e.Height)))
		if k.st(ctx).Has(key) {
			return fail("power history of %s of %s at %d given twice", e.Denom, e.Delegate, e.Height)
		}
		k.set(ctx, key, e.Amount)
	}
	for _, d := range g.DoneUpgrades {
		if err := ValidUpgradeName(d.Name); err != nil || d.Height < 1 {
			return fail("done upgrade %q at %d", d.Name, d.Height)
		}
		if _, dup := k.Done(ctx, d.Name); dup {
			return fail("done upgrade %s given twice", d.Name)
		}
		k.set(ctx, doneKey(d.Name), &d)
	}
	if u := g.Upgrade; u != nil {
		if err := ValidUpgradeName(u.Name); err != nil || u.Height < 1 || len(u.Info) > MaxUpgradeInfoLen {
			return fail("upgrade plan %q at %d", u.Name, u.Height)
		}
		if _, done := k.Done(ctx, u.Name); done {
			return fail("upgrade %s is planned and done", u.Name)
		}
		k.set(ctx, keyPlan, u)
	}
	if b := g.BlockParams; b != nil {
		if err := (&MsgSetBlockParams{Authority: authority.Chain, MaxBytes: b.MaxBytes, MaxGas: b.MaxGas}).Validate(); err != nil || b.Height < 0 {
			return fail("block params: %v", err)
		}
		k.set(ctx, keyBlock, b)
	}
	for _, inv := range m.Invariants() {
		if err := inv.Check(ctx); err != nil {
			return fail("%s: %v", inv.Name, err)
		}
	}
	return nil
}

// ExportGenesis writes governance's state in key order.
func (m *Module) ExportGenesis(ctx chain.Context) (json.RawMessage, error) {
	k := m.Keeper
	g := DefaultGenesis()
	g.ChainParams, g.DAODefaults = k.ChainParams(ctx), k.DAODefaults(ctx)
	st := k.st(ctx)
	each(st, keyDAOParams, func(key, val []byte) {
		var p DAOParams
		canon.MustDecode(val, &p)
		g.DAOs = append(g.DAOs, DAOGenesis{Denom: string(key[len(keyDAOParams):]), Params: p})
	})
	g.Proposals = store.Records[Proposal](st, keyProposal)
	g.Votes = store.Records[Vote](st, keyVote)
	each(st, keyOverride, func(key, val []byte) {
		var n coin.Amount
		canon.MustDecode(val, &n)
		g.Overrides = append(g.Overrides, Override{Proposal: binary.BigEndian.Uint64(key[len(keyOverride):]), Delegate: addrAt(key, 0), Amount: n})
	})
	g.Executions = store.Records[ExecutionRecord](st, keyExecRecord)
	g.Delegations = store.Records[Delegation](st, keyDelegation)
	each(st, keyDelegHist, func(key, val []byte) {
		denom, a, _ := splitDenomAddr(key[len(keyDelegHist):], 8)
		var d address.Address
		canon.MustDecode(val, &d)
		g.DelegationHistory = append(g.DelegationHistory, DelegationEntry{Denom: denom, Delegator: a, Height: int64(idOf(key)), Delegate: d})
	})
	each(st, keyPowerHist, func(key, val []byte) {
		denom, a, _ := splitDenomAddr(key[len(keyPowerHist):], 8)
		var n coin.Amount
		canon.MustDecode(val, &n)
		g.PowerHistory = append(g.PowerHistory, PowerEntry{Denom: denom, Delegate: a, Height: int64(idOf(key)), Amount: n})
	})
	if p, ok := k.UpgradePlan(ctx); ok {
		g.Upgrade = &p
	}
	g.DoneUpgrades = store.Records[DoneUpgrade](st, keyDone)
	if b, ok := k.PendingBlockParams(ctx); ok {
		g.BlockParams = &b
	}
	g.Sequence = k.Sequence(ctx)
	sort.SliceStable(g.DAOs, func(i, j int) bool { return g.DAOs[i].Denom < g.DAOs[j].Denom })
	return json.Marshal(g)
}

// each calls fn on every key and value under prefix p, in key order.
func each(st store.KV, p []byte, fn func(key, val []byte)) {
	it := st.Iterator(p, store.PrefixEnd(p))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		fn(it.Key(), it.Value())
	}
}
