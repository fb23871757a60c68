package governance

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
)

// Eligible is the weight that may vote in the DAO of denom at the end of block height: the
// supply then, less the balances then of the accounts that never vote (module accounts, the DAO
// itself, the treasury of the project linked to denom).
func (k Keeper) Eligible(ctx chain.Context, denom string, height int64) coin.Amount {
	e := k.dist.SupplyAt(ctx, denom, height)
	sub := func(a address.Address) {
		if s, err := e.Sub(k.dist.BalanceAt(ctx, denom, a, height)); err == nil {
			e = s
		} else {
			e = 0
		}
	}
	for _, a := range k.moduleList {
		sub(a)
	}
	for _, a := range k.daoAccounts(ctx, denom) {
		if !k.isModule(a) {
			sub(a)
		}
	}
	return e
}

// daoAccounts are the accounts of the DAO of denom whose balances never vote, besides the module
// accounts: the DAO itself and the treasury of the project linked to denom.
func (k Keeper) daoAccounts(ctx chain.Context, denom string) []address.Address {
	out := []address.Address{authority.DAO(denom)}
	if k.w.projects != nil {
		if _, treasury, ok := k.w.projects.ProjectOfSecurity(ctx, denom); ok {
			out = append(out, treasury)
		}
	}
	return out
}

// nonVoting reports whether a's balance of denom is not eligible weight.
func (k Keeper) nonVoting(ctx chain.Context, denom string, a address.Address) bool {
	return k.isModule(a) || slices.Contains(k.daoAccounts(ctx, denom), a)
}

// own is a's own balance of denom at the snapshot height (0 for an account that never votes).
func (k Keeper) own(ctx chain.Context, denom string, a address.Address, height int64) coin.Amount {
	if k.nonVoting(ctx, denom, a) {
		return 0
	}
	return k.dist.BalanceAt(ctx, denom, a, height)
}

// Weight is voter's weight on DAO proposal p now: its own balance at the snapshot plus the power
// delegated to it at the snapshot, less what its delegators took back by voting themselves. On
// a chain proposal it is 1 for a snapshotted member, 0 otherwise.
func (k Keeper) Weight(ctx chain.Context, p *Proposal, voter address.Address) coin.Amount {
	if p.IsChain() {
		if isMember(p.Members, voter) {
			return 1
		}
		return 0
	}
	w, err := k.own(ctx, p.DAO, voter, p.Snapshot).Add(k.PowerAt(ctx, p.DAO, voter, p.Snapshot))
	if err != nil {
		w = coin.MaxAmount
	}
	if s, err := w.Sub(k.Overridden(ctx, p.ID, voter)); err == nil {
		return s
	}
	return 0
}

func isMember(members []address.Address, a address.Address) bool {
	i := sort.Search(len(members), func(i int) bool { return bytes.Compare(members[i][:], a[:]) >= 0 })
	return i < len(members) && members[i] == a
}

// checkMsgs decodes and checks the msgs p carries: each decodes and validates, is signed by the
// proposal's authority, is of a type the chamber allows and, for a DAO, lies in the DAO's powers.
// It records the protected parameters they change.
func (k Keeper) checkMsgs(ctx chain.Context, p *Proposal) error {
	allowed, chamber := DAOMsgTypes, "a project DAO"
	if p.IsChain() {
		allowed, chamber = ChainMsgTypes, "chain governance"
	}
	var protected []string
	for i, a := range p.Msgs {
		m, err := k.reg.DecodeMsg(a)
		if err != nil {
			return ErrInvalidProposalMsg.Wrapf("msg %d (%s): %v", i, a.Type, err)
		}
		if m.Signer() != p.Authority {
			return ErrWrongAuthority.Wrapf("msg %d (%s) is signed by %s; a proposal of %s acts as %s", i, a.Type, m.Signer(), chamberName(p), p.Authority)
		}
		if !slices.Contains(allowed, a.Type) {
			return ErrNotAllowed.Wrapf("msg %d: %s cannot be carried by a proposal of %s (allowed: %s)", i, a.Type, chamber, strings.Join(allowed, ", "))
		}
		if p.IsChain() {
			continue
		}
		denom, project, prot, err := k.scope(ctx, m)
		if err != nil {
			return ErrOutOfScope.Wrapf("msg %d (%s): %v", i, a.Type, err)
		}
		if denom != p.DAO {
			return ErrOutOfScope.Wrapf("msg %d (%s) acts for the DAO of %q, not of %s", i, a.Type, denom, p.DAO)
		}
		if len(prot) > 0 {
			if project == "" || (p.Project != "" && p.Project != project) {
				return ErrOutOfScope.Wrapf("msg %d (%s) changes protected parameters of project %q, the proposal's project is %q", i, a.Type, project, p.Project)
			}
			p.Project = project
			protected = append(protected, prot...)
		}
	}
	if len(protected) > 0 {
		sort.Strings(protected)
		p.Protected = slices.Compact(protected)
	}
	return nil
}

func chamberName(p *Proposal) string {
	if p.IsChain() {
		return "chain governance"
	}
	return "the DAO of " + p.DAO
}

// scope asks the module owning m which DAO may use it; governance scopes its own msgs.
func (k Keeper) scope(ctx chain.Context, m tx.Msg) (string, string, []string, error) {
	module, _, _ := strings.Cut(m.MsgType(), "/")
	if module == ModuleName {
		if s, ok := m.(*MsgSetDAOParams); ok {
			return s.Denom, "", nil, nil
		}
		return "", "", nil, ErrNotAllowed.Wrapf("a DAO cannot use %s", m.MsgType())
	}
	sc := k.w.scopers[module]
	if sc == nil {
		return "", "", nil, ErrNotWired.Wrapf("module %s does not say which DAO may use its msgs", module)
	}
	return sc.DAOScope(ctx, m)
}

// Submit makes a proposal and returns its id.
func (k Keeper) Submit(ctx chain.Context, m *MsgSubmit) (uint64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	now := ctx.Time.Unix()
	p := Proposal{DAO: m.DAO, Proposer: m.Proposer, Title: m.Title, Summary: m.Summary, Msgs: m.Msgs, Status: StatusVoting,
		Height: ctx.Height, Time: now, Snapshot: ctx.Height - 1}
	var deposit coin.Coin
	if p.IsChain() {
		p.Authority = authority.Chain
		if !k.roles.HasRole(ctx, m.Proposer, RoleMember) {
			return 0, ErrNotMember.Wrapf("%s does not hold the chain role %s", m.Proposer, RoleMember)
		}
		cp := k.ChainParams(ctx)
		members := k.roles.Holders(ctx, RoleMember) // in address order, each once
		if uint64(len(members)) > cp.MaxMembers {
			return 0, ErrTooManyMembers.Wrapf("%d members hold the role, chain governance counts at most %d", len(members), cp.MaxMembers)
		}
		p.Members, p.Eligible = members, coin.Amount(len(members))
		p.Rules = Rules{QuorumBps: cp.QuorumBps, ThresholdBps: cp.ThresholdBps, VetoThresholdBps: cp.VetoThresholdBps, Timelock: cp.Timelock}
		p.VotingEnd = now + cp.VotingPeriod
	} else {
		if err := k.requireSecurity(ctx, m.DAO); err != nil {
			return 0, err
		}
		p.Authority = authority.DAO(m.DAO)
		dp, _ := k.DAOParams(ctx, m.DAO)
		p.Eligible = k.Eligible(ctx, m.DAO, p.Snapshot)
		if p.Eligible == 0 {
			return 0, ErrNoEligibleWeight.Wrapf("no %s that may vote existed at the end of block %d", m.DAO, p.Snapshot)
		}
		w := k.Weight(ctx, &p, m.Proposer)
		if !atLeastBps(w, dp.ProposalThresholdBps, p.Eligible) {
			return 0, ErrBelowThreshold.Wrapf("%s had a weight of %d at the end of block %d; proposing needs %d bps of the eligible %d",
				m.Proposer, w, p.Snapshot, dp.ProposalThresholdBps, p.Eligible)
		}
		p.Rules = Rules{QuorumBps: dp.QuorumBps, ThresholdBps: dp.ThresholdBps, VetoThresholdBps: dp.VetoThresholdBps,
			Extension: dp.LateQuorumExtension, Timelock: dp.Timelock}
		p.VotingEnd = now + dp.VotingPeriod
		deposit = dp.Deposit
	}
	if err := k.checkMsgs(ctx, &p); err != nil {
		return 0, err
	}
	p.ID = k.Sequence(ctx) + 1
	k.set(ctx, keySeq, p.ID)
	p.Deposit = coin.New(deposit.Denom, 0)
	if deposit.Amount > 0 {
		if err := k.bank.Send(ctx, m.Proposer, EscrowAccount, deposit); err != nil {
			return 0, err
		}
		p.Deposit, p.DepositStatus = deposit, DepositHeld
	}
	k.putProposal(ctx, &p)
	k.st(ctx).Set(byDAOKey(p.DAO, p.ID), marker)
	k.st(ctx).Set(endKey(p.VotingEnd, p.ID), marker)
	types := make([]string, len(p.Msgs))
	for i, a := range p.Msgs {
		types[i] = a.Type
	}
	ctx.Emit(chain.NewEvent("governance.proposal_submitted", "proposal", chain.Uint(p.ID), "dao", p.DAO, "proposer", p.Proposer.String(),
		"title", p.Title, "msgs", strings.Join(types, ","), "snapshot_height", chain.Uint(p.Snapshot), "eligible", chain.Uint(p.Eligible),
		"deposit", p.Deposit.String(), "voting_end", chain.Unix(p.VotingEnd), "protected", strings.Join(p.Protected, ",")))
	return p.ID, nil
}

func subSat(a, b coin.Amount) coin.Amount {
	if b > a {
		return 0
	}
	return a - b
}

func addSat(a, b coin.Amount) coin.Amount {
	if s, err := a.Add(b); err == nil {
		return s
	}
	return coin.MaxAmount
}

// quorum reports whether p's participation reached its quorum.
func quorum(p *Proposal) bool {
	part, ok := p.Tally.Participation()
	return ok && atLeastBps(part, p.Rules.QuorumBps, p.Eligible)
}

// CastVote records m.Voter's vote (replacing an earlier one) and moves the tally.
func (k Keeper) CastVote(ctx chain.Context, m *MsgVote) error {
	if err := m.Validate(); err != nil {
		return err
	}
	p, ok := k.Proposal(ctx, m.Proposal)
	if !ok {
		return ErrUnknownProposal.Wrapf("no proposal %d", m.Proposal)
	}
	now := ctx.Time.Unix()
	if p.Status != StatusVoting || now >= p.VotingEnd {
		return ErrVotingClosed.Wrapf("proposal %d is %s; its voting period ended at %s", p.ID, p.Status, chain.Unix(p.VotingEnd))
	}
	prev, voted := k.Vote(ctx, p.ID, m.Voter)
	w := k.Weight(ctx, &p, m.Voter)
	if w == 0 {
		if p.IsChain() {
			return ErrNoWeight.Wrapf("%s was not a member when proposal %d was submitted", m.Voter, p.ID)
		}
		return ErrNoWeight.Wrapf("%s held and was delegated no %s at the end of block %d (the snapshot of proposal %d), or its delegators voted themselves",
			m.Voter, p.DAO, p.Snapshot, p.ID)
	}
	if !p.IsChain() && !voted {
		// The voter takes its own balance back from its delegate at the snapshot.
		if d, ok := k.DelegateAt(ctx, p.DAO, m.Voter, p.Snapshot); ok {
			if own := k.own(ctx, p.DAO, m.Voter, p.Snapshot); own > 0 {
				k.set(ctx, overrideKey(p.ID, d), addSat(k.Overridden(ctx, p.ID, d), own))
				if dv, ok := k.Vote(ctx, p.ID, d); ok {
					dv.Weight = subSat(dv.Weight, own)
					c := p.Tally.of(dv.Option)
					*c = subSat(*c, own)
					k.set(ctx, voteKey(p.ID, d), &dv)
				}
			}
		}
	}
	if voted {
		c := p.Tally.of(prev.Option)
		*c = subSat(*c, prev.Weight)
	}
	c := p.Tally.of(m.Option)
	*c = addSat(*c, w)
	k.set(ctx, voteKey(p.ID, m.Voter), &Vote{Proposal: p.ID, Voter: m.Voter, Option: m.Option, Weight: w, Height: ctx.Height, Time: now})
	ctx.Emit(chain.NewEvent("governance.vote", "proposal", chain.Uint(p.ID), "voter", m.Voter.String(), "option", m.Option, "weight", chain.Uint(w)))
	if !p.QuorumReached && quorum(&p) {
		p.QuorumReached = true
		if ext := p.Rules.Extension; ext > 0 && !p.Extended && p.VotingEnd-now < ext {
			k.st(ctx).Delete(endKey(p.VotingEnd, p.ID))
			old := p.VotingEnd
			p.VotingEnd, p.Extended = now+ext, true
			k.st(ctx).Set(endKey(p.VotingEnd, p.ID), marker)
			ctx.Emit(chain.NewEvent("governance.voting_extended", "proposal", chain.Uint(p.ID), "previous_end", chain.Unix(old), "voting_end", chain.Unix(p.VotingEnd)))
		}
	}
	k.putProposal(ctx, &p)
	return nil
}

// Approve records the public agency's approval of a proposal changing protected parameters.
func (k Keeper) Approve(ctx chain.Context, m *MsgApprove) error {
	if err := m.Validate(); err != nil {
		return err
	}
	p, ok := k.Proposal(ctx, m.Proposal)
	if !ok {
		return ErrUnknownProposal.Wrapf("no proposal %d", m.Proposal)
	}
	if p.Status != StatusVoting || ctx.Time.Unix() >= p.VotingEnd {
		return ErrVotingClosed.Wrapf("proposal %d is %s; the agency approves within the voting period, which ended at %s", p.ID, p.Status, chain.Unix(p.VotingEnd))
	}
	if len(p.Protected) == 0 {
		return ErrNotProtected.Wrapf("proposal %d changes no protected parameter", p.ID)
	}
	if p.ApprovedBy != nil {
		return ErrAlreadyApproved.Wrapf("proposal %d was approved by %s", p.ID, p.ApprovedBy)
	}
	if k.w.projects == nil || !k.w.projects.IsAgency(ctx, p.Project, m.Agency) {
		return ErrNotAgency.Wrapf("%s is not a public_agency stakeholder of project %s", m.Agency, p.Project)
	}
	a := m.Agency
	p.ApprovedBy = &a
	k.putProposal(ctx, &p)
	ctx.Emit(chain.NewEvent("governance.approved", "proposal", chain.Uint(p.ID), "project", p.Project, "agency", m.Agency.String(),
		"protected", strings.Join(p.Protected, ",")))
	return nil
}

// end tallies p at the end of its voting period: vetoed (deposit burnt), passed (execution
// queued after the timelock) or rejected with a reason (deposit returned).
func (k Keeper) end(ctx chain.Context, p *Proposal) error {
	k.st(ctx).Delete(endKey(p.VotingEnd, p.ID))
	part, _ := p.Tally.Participation()
	q := quorum(p)
	against := addSat(addSat(p.Tally.Yes, p.Tally.No), p.Tally.Veto)
	p.EndHeight = ctx.Height
	switch {
	case q && atLeastBps(p.Tally.Veto, p.Rules.VetoThresholdBps, part):
		p.Status = StatusVetoed
	case !q:
		p.Status, p.Reason = StatusRejected, ReasonQuorum
	case !moreThanBps(p.Tally.Yes, p.Rules.ThresholdBps, against):
		p.Status, p.Reason = StatusRejected, ReasonThreshold
	case len(p.Protected) > 0 && p.ApprovedBy == nil:
		p.Status, p.Reason = StatusRejected, ReasonApproval
	default:
		p.Status, p.ExecuteAfter = StatusPassed, p.VotingEnd+p.Rules.Timelock
		k.st(ctx).Set(execKey(p.ExecuteAfter, p.ID), marker)
	}
	if p.DepositStatus == DepositHeld {
		if p.Status == StatusVetoed {
			if err := k.bank.Burn(ctx, EscrowAccount, p.Deposit); err != nil {
				return fmt.Errorf("governance: burn the deposit of proposal %d: %w", p.ID, err)
			}
			p.DepositStatus = DepositBurnt
		} else {
			if err := k.bank.Send(ctx, EscrowAccount, p.Proposer, p.Deposit); err != nil {
				return fmt.Errorf("governance: return the deposit of proposal %d: %w", p.ID, err)
			}
			p.DepositStatus = DepositReturned
		}
	}
	k.putProposal(ctx, p)
	attrs := []string{"proposal", chain.Uint(p.ID), "dao", p.DAO, "yes", chain.Uint(p.Tally.Yes), "no", chain.Uint(p.Tally.No),
		"abstain", chain.Uint(p.Tally.Abstain), "veto", chain.Uint(p.Tally.Veto), "eligible", chain.Uint(p.Eligible)}
	switch p.Status {
	case StatusPassed:
		ctx.Emit(chain.NewEvent("governance.proposal_passed", append(attrs, "execute_after", chain.Unix(p.ExecuteAfter))...))
	case StatusVetoed:
		ctx.Emit(chain.NewEvent("governance.proposal_vetoed", append(attrs, "deposit_burnt", p.Deposit.String())...))
	default:
		ctx.Emit(chain.NewEvent("governance.proposal_rejected", append(attrs, "reason", p.Reason)...))
	}
	return nil
}

// execute runs p's msgs in order in one branch of the store, committed only if every one
// succeeds. The outcome is recorded once; a failed proposal is never retried.
func (k Keeper) execute(ctx chain.Context, p *Proposal) {
	k.st(ctx).Delete(execKey(p.ExecuteAfter, p.ID))
	br := store.NewCache(ctx.KV())
	bctx := ctx.WithKV(br)
	fail := k.runMsgs(bctx, p)
	var rec ExecutionRecord
	k.get(ctx, execRecordKey(p.ID), &rec)
	rec.Proposal, rec.Height, rec.Count = p.ID, ctx.Height, rec.Count+1
	if fail == nil {
		br.Write()
		for _, ev := range bctx.Events() {
			ctx.Emit(ev)
		}
		p.Status, p.ExecutedHeight, rec.OK = StatusExecuted, ctx.Height, true
		ctx.Emit(chain.NewEvent("governance.proposal_executed", "proposal", chain.Uint(p.ID), "dao", p.DAO, "msgs", chain.Uint(uint64(len(p.Msgs)))))
	} else {
		// As for a failed tx: the state changes are dropped, the events the msgs kept are not
		// (a compliance refusal of a DAO spend stays in the audit trail).
		for _, ev := range bctx.Kept() {
			ctx.EmitKept(ev)
		}
		p.Status, p.ExecutedHeight, p.Failure = StatusFailed, ctx.Height, fail
		ctx.Emit(chain.NewEvent("governance.execution_failed", "proposal", chain.Uint(p.ID), "dao", p.DAO, "msg", chain.Uint(uint64(fail.Msg)),
			"module", fail.Module, "code", chain.Uint(uint64(fail.Code)), "message", fail.Message))
	}
	k.set(ctx, execRecordKey(p.ID), &rec)
	k.putProposal(ctx, p)
}

// runMsgs routes p's msgs on ctx; the first failure stops them. A handler's panic is a failure
// (deterministic on every node), except a storage failure, which stops the node.
func (k Keeper) runMsgs(ctx chain.Context, p *Proposal) (fail *Failure) {
	i := 0
	defer func() {
		if r := recover(); r != nil {
			var f store.Failure
			if e, ok := r.(error); ok && errors.As(e, &f) {
				panic(r)
			}
			c := codes.Internal.Wrapf("msg handler panicked: %v", r)
			fail = &Failure{Msg: uint32(i), Module: c.Module, Code: c.Code, Message: c.Msg}
		}
	}()
	if k.w.router == nil {
		c := ErrNotWired.Wrapf("no router executes proposals")
		return &Failure{Module: c.Module, Code: c.Code, Message: c.Msg}
	}
	for ; i < len(p.Msgs); i++ {
		m, err := k.reg.DecodeMsg(p.Msgs[i])
		if err == nil {
			err = k.w.router.Route(ctx, m)
		}
		if err != nil {
			c := codes.As(err)
			return &Failure{Msg: uint32(i), Module: c.Module, Code: c.Code, Message: c.Msg}
		}
	}
	return nil
}

// EndBlock tallies the proposals whose voting period ended at or before the block time (at most
// MaxEndsPerBlock), then executes the passed proposals whose timelock passed (at most
// MaxExecutionsPerBlock); the rest wait for the next blocks.
func (k Keeper) EndBlock(ctx chain.Context) error {
	now := ctx.Time.Unix()
	if now < 0 {
		return nil
	}
	for _, id := range k.due(ctx, keyEnds, now, MaxEndsPerBlock) {
		p, ok := k.Proposal(ctx, id)
		if !ok || p.Status != StatusVoting {
			return fmt.Errorf("governance: end queue names proposal %d, which is not voting", id)
		}
		if err := k.end(ctx, &p); err != nil {
			return err
		}
	}
	for _, id := range k.due(ctx, keyExec, now, MaxExecutionsPerBlock) {
		p, ok := k.Proposal(ctx, id)
		if !ok || p.Status != StatusPassed {
			return fmt.Errorf("governance: execution queue names proposal %d, which has not passed", id)
		}
		k.execute(ctx, &p)
	}
	return nil
}

// due lists up to max ids of queue q whose time is at most now.
func (k Keeper) due(ctx chain.Context, q []byte, now int64, max int) []uint64 {
	var ids []uint64
	it := k.st(ctx).Iterator(q, store.Key(q, store.Uint64Key(uint64(now)+1)))
	defer it.Close()
	for ; it.Valid() && len(ids) < max; it.Next() {
		ids = append(ids, idOf(it.Key()))
	}
	return ids
}
