package projects

import (
	"slices"
	"strconv"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
)

// Milestone returns milestone mid of project id.
func (k Keeper) Milestone(ctx chain.Context, id, mid string) (Milestone, bool) {
	var m Milestone
	ok := k.get(ctx, milestoneKey(id, mid), &m)
	return m, ok
}

func (k Keeper) milestone(ctx chain.Context, p *Project, mid string) (Milestone, error) {
	m, ok := k.Milestone(ctx, p.ID, mid)
	if !ok {
		return m, ErrUnknownMilestone.Wrapf("project %s has no milestone %q", p.ID, mid)
	}
	return m, nil
}

func (k Keeper) putMilestone(ctx chain.Context, m *Milestone) {
	k.set(ctx, milestoneKey(m.Project, m.ID), m)
}

// Milestones lists project id's milestones in id order.
func (k Keeper) Milestones(ctx chain.Context, id string) []Milestone {
	return store.Records[Milestone](k.st(ctx), inProject(keyMilestone, id))
}

func (k Keeper) countMilestones(ctx chain.Context, id string) int {
	p := inProject(keyMilestone, id)
	it := k.st(ctx).Iterator(p, store.PrefixEnd(p))
	defer it.Close()
	n := 0
	for ; it.Valid(); it.Next() {
		n++
	}
	return n
}

func milestoneEvent(typ string, m *Milestone, kv ...string) chain.Event {
	return chain.NewEvent(typ, append([]string{"project", m.Project, "milestone", m.ID}, kv...)...)
}

// PlanMilestone plans a milestone of a project.
func (k Keeper) PlanMilestone(ctx chain.Context, msg *MsgPlanMilestone) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	p, err := k.project(ctx, msg.Project)
	if err != nil {
		return err
	}
	roles, err := k.withRole(ctx, &p, msg.Planner, "planning a milestone of", RolePublicAgency, RolePrivatePartner)
	if err != nil {
		return err
	}
	if _, ok := k.Milestone(ctx, p.ID, msg.ID); ok {
		return ErrMilestoneExists.Wrapf("project %s has a milestone %q", p.ID, msg.ID)
	}
	if n := k.countMilestones(ctx, p.ID); n >= MaxMilestones {
		return ErrTooMany.Wrapf("project %s has %d milestones, the most a project may have", p.ID, MaxMilestones)
	}
	if now := ctx.Time.Unix(); msg.Due <= now {
		return ErrBadTime.Wrapf("due date %s is not after the block time %s", chain.Unix(msg.Due), chain.Unix(now))
	}
	if _, err := k.cashAsset(ctx, msg.Tranche.Denom, false); err != nil {
		return err
	}
	if err := k.badAccount(ctx, &p, msg.Payee, "payee"); err != nil {
		return err
	}
	if len(k.RolesOf(ctx, p.ID, msg.Payee)) == 0 {
		return ErrNotStakeholder.Wrapf("payee %s holds no role in project %s: add it as a stakeholder (e.g. contractor) first", msg.Payee, p.ID)
	}
	m := Milestone{Project: p.ID, ID: msg.ID, Description: msg.Description, Due: msg.Due, Tranche: msg.Tranche, Payee: msg.Payee,
		Policy: msg.Policy, Window: msg.Window, Status: MilestonePlanned, PlannedBy: msg.Planner, Height: ctx.Height, Time: ctx.Time.Unix()}
	k.putMilestone(ctx, &m)
	k.st(ctx).Set(lateKey(m.Due, p.ID, m.ID), marker)
	ctx.Emit(milestoneEvent("projects.milestone_planned", &m, "by", msg.Planner.String(), "tranche", m.Tranche.String(),
		"payee", m.Payee.String(), "policy", m.Policy.String(), "window", strconv.FormatInt(m.Window, 10), "due", chain.Unix(m.Due)))
	k.record(ctx, &p, TimelineRecord{Kind: TLMilestonePlanned, By: by(msg.Planner), Roles: roles, Milestone: m.ID, Account: by(m.Payee),
		Amount: &m.Tranche, Note: "due " + chain.Unix(m.Due) + ", sign-off " + m.Policy.String()})
	return nil
}

// FundMilestone moves a milestone's tranche from the project's treasury into escrow. A milestone
// whose window closed while it waited for funds is then released at the end of the block.
func (k Keeper) FundMilestone(ctx chain.Context, msg *MsgFundMilestone) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	p, err := k.project(ctx, msg.Project)
	if err != nil {
		return err
	}
	roles, err := k.withRoleOrDAO(ctx, &p, msg.Funder, "funding a milestone of", RolePublicAgency, RolePrivatePartner)
	if err != nil {
		return err
	}
	m, err := k.milestone(ctx, &p, msg.Milestone)
	if err != nil {
		return err
	}
	if Final(m.Status) {
		return ErrWrongStatus.Wrapf("milestone %s of project %s is %s", m.ID, p.ID, m.Status)
	}
	if m.Funded {
		return ErrAlreadyFunded.Wrapf("milestone %s of project %s was funded at height %d", m.ID, p.ID, m.FundedHeight)
	}
	if _, err := k.cashAsset(ctx, m.Tranche.Denom, true); err != nil {
		return err
	}
	if have := k.bank.Balance(ctx, p.Treasury, m.Tranche.Denom); have < m.Tranche.Amount {
		return ErrInsufficientFunds.Wrapf("treasury %s of project %s holds %s; milestone %s needs %s", p.Treasury, p.ID,
			coin.New(m.Tranche.Denom, have), m.ID, m.Tranche)
	}
	if err := k.bank.Send(ctx, p.Treasury, EscrowAccount, m.Tranche); err != nil {
		return err
	}
	if err := k.addTotals(ctx, m.Tranche, func(t *Totals) *coin.Amount { return &t.Funded }); err != nil {
		return err
	}
	m.Funded, m.FundedBy, m.FundedHeight = true, by(msg.Funder), ctx.Height
	if m.Status == MilestoneAwaitingFunds {
		// Its window closed undisputed: released at the end of this block.
		m.Status = MilestoneSignedOff
		k.st(ctx).Set(releaseKey(m.WindowEnds, p.ID, m.ID), marker)
	}
	k.putMilestone(ctx, &m)
	ctx.Emit(milestoneEvent("projects.milestone_funded", &m, "by", msg.Funder.String(), "amount", m.Tranche.String(),
		"treasury", p.Treasury.String(), "status", m.Status))
	k.record(ctx, &p, TimelineRecord{Kind: TLMilestoneFunded, By: by(msg.Funder), Roles: roles, Milestone: m.ID, Amount: &m.Tranche})
	return nil
}

// ClaimComplete records the payee's claim that a planned milestone is complete.
func (k Keeper) ClaimComplete(ctx chain.Context, msg *MsgClaimComplete) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	p, err := k.project(ctx, msg.Project)
	if err != nil {
		return err
	}
	m, err := k.milestone(ctx, &p, msg.Milestone)
	if err != nil {
		return err
	}
	if msg.Payee != m.Payee {
		return ErrNotPayee.Wrapf("milestone %s of project %s pays %s; only it claims the milestone complete", m.ID, p.ID, m.Payee)
	}
	roles, err := k.stakeholder(ctx, &p, msg.Payee)
	if err != nil {
		return err
	}
	switch m.Status {
	case MilestonePlanned:
	case MilestoneClaimed, MilestoneSignedOff, MilestoneAwaitingFunds, MilestoneDisputed:
		return ErrAlreadyClaimed.Wrapf("milestone %s of project %s was claimed complete at height %d (now %s)", m.ID, p.ID, m.ClaimedHeight, m.Status)
	default:
		return ErrWrongStatus.Wrapf("milestone %s of project %s is %s", m.ID, p.ID, m.Status)
	}
	m.Status, m.Claims, m.ClaimedHeight, m.ClaimedTime = MilestoneClaimed, m.Claims+1, ctx.Height, ctx.Time.Unix()
	m.Evidence, m.ClaimNote, m.SignOffs, m.Dispute = msg.Evidence, msg.Note, nil, nil
	k.putMilestone(ctx, &m)
	ctx.Emit(milestoneEvent("projects.milestone_claimed", &m, "by", msg.Payee.String(), "claim", chain.Uint(uint64(m.Claims)),
		"evidence", chain.Uint(uint64(len(m.Evidence))), "policy", m.Policy.String()))
	k.record(ctx, &p, TimelineRecord{Kind: TLMilestoneClaimed, By: by(msg.Payee), Roles: roles, Milestone: m.ID, Note: msg.Note})
	return nil
}

// SignOff records one role's sign-off of a claimed milestone; when the policy is met the
// milestone is signed off and its challenge window starts.
func (k Keeper) SignOff(ctx chain.Context, msg *MsgSignOff) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	p, err := k.project(ctx, msg.Project)
	if err != nil {
		return err
	}
	m, err := k.milestone(ctx, &p, msg.Milestone)
	if err != nil {
		return err
	}
	switch m.Status {
	case MilestoneClaimed:
	case MilestonePlanned:
		return ErrWrongStatus.Wrapf("milestone %s of project %s is not claimed complete: there is nothing to sign off", m.ID, p.ID)
	case MilestoneSignedOff, MilestoneAwaitingFunds, MilestoneDisputed, MilestoneReleased:
		return ErrAlreadySigned.Wrapf("milestone %s of project %s is signed off already (%s)", m.ID, p.ID, m.Status)
	default:
		return ErrWrongStatus.Wrapf("milestone %s of project %s is %s", m.ID, p.ID, m.Status)
	}
	if !m.Policy.Has(msg.Role) {
		return ErrRoleNotInPolicy.Wrapf("milestone %s of project %s is signed off by %s; not by %s", m.ID, p.ID, m.Policy, msg.Role)
	}
	roles, err := k.stakeholder(ctx, &p, msg.Signatory)
	if err != nil {
		return err
	}
	if !slices.Contains(roles, msg.Role) {
		return ErrRoleNotHeld.Wrapf("%s holds %s in project %s, not %s", msg.Signatory, joinAnd(roles), p.ID, msg.Role)
	}
	if msg.Signatory == m.Payee {
		return ErrPayeeSignOff.Wrapf("%s is the payee of milestone %s", m.Payee, m.ID)
	}
	roleSigned, accountSigned := m.signedFor(msg.Role, msg.Signatory)
	if roleSigned {
		return ErrAlreadySigned.Wrapf("the role %s signed off milestone %s of project %s already", msg.Role, m.ID, p.ID)
	}
	if accountSigned {
		return ErrAlreadySigned.Wrapf("%s signed off milestone %s of project %s already, for another role: each role signs by a different account", msg.Signatory, m.ID, p.ID)
	}
	now := ctx.Time.Unix()
	m.SignOffs = append(m.SignOffs, SignOff{Role: msg.Role, By: msg.Signatory, Height: ctx.Height, Time: now})
	met := uint32(len(m.SignOffs)) >= m.Policy.Min
	if met {
		m.Status, m.SignedOffTime, m.WindowEnds = MilestoneSignedOff, now, now+m.Window
		k.st(ctx).Delete(lateKey(m.Due, p.ID, m.ID))
		k.st(ctx).Set(releaseKey(m.WindowEnds, p.ID, m.ID), marker)
	}
	k.putMilestone(ctx, &m)
	ctx.Emit(milestoneEvent("projects.milestone_sign_off", &m, "by", msg.Signatory.String(), "role", msg.Role,
		"signatures", chain.Uint(uint64(len(m.SignOffs))), "min", chain.Uint(uint64(m.Policy.Min))))
	k.record(ctx, &p, TimelineRecord{Kind: TLMilestoneSignOff, By: by(msg.Signatory), Roles: roles, Milestone: m.ID, Role: msg.Role})
	if met {
		ctx.Emit(milestoneEvent("projects.milestone_signed_off", &m, "window_ends", chain.Unix(m.WindowEnds), "funded", strconv.FormatBool(m.Funded)))
		k.record(ctx, &p, TimelineRecord{Kind: TLMilestoneSignedOff, Milestone: m.ID, Note: "challenge window until " + chain.Unix(m.WindowEnds)})
	}
	return nil
}

// DisputeMilestone disputes a signed-off milestone in its challenge window.
func (k Keeper) DisputeMilestone(ctx chain.Context, msg *MsgDisputeMilestone) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	p, err := k.project(ctx, msg.Project)
	if err != nil {
		return err
	}
	roles, err := k.stakeholder(ctx, &p, msg.Disputer)
	if err != nil {
		return err
	}
	m, err := k.milestone(ctx, &p, msg.Milestone)
	if err != nil {
		return err
	}
	now := ctx.Time.Unix()
	switch m.Status {
	case MilestoneSignedOff:
		if now >= m.WindowEnds {
			return ErrWindowClosed.Wrapf("the challenge window of milestone %s of project %s closed at %s", m.ID, p.ID, chain.Unix(m.WindowEnds))
		}
	case MilestoneAwaitingFunds, MilestoneReleased:
		return ErrWindowClosed.Wrapf("the challenge window of milestone %s of project %s closed at %s", m.ID, p.ID, chain.Unix(m.WindowEnds))
	case MilestoneDisputed:
		return ErrWrongStatus.Wrapf("milestone %s of project %s is disputed already (by %s): the resolver decides", m.ID, p.ID, m.Dispute.By)
	case MilestonePlanned, MilestoneClaimed:
		return ErrWrongStatus.Wrapf("milestone %s of project %s is %s: a milestone is disputed once signed off, in its challenge window", m.ID, p.ID, m.Status)
	default:
		return ErrWrongStatus.Wrapf("milestone %s of project %s is %s", m.ID, p.ID, m.Status)
	}
	k.st(ctx).Delete(releaseKey(m.WindowEnds, p.ID, m.ID))
	m.Status = MilestoneDisputed
	m.Dispute = &Action{By: msg.Disputer, Roles: roles, Reason: msg.Reason, Height: ctx.Height, Time: now}
	k.putMilestone(ctx, &m)
	ctx.Emit(milestoneEvent("projects.milestone_disputed", &m, "by", msg.Disputer.String(), "roles", joinAnd(roles), "reason", msg.Reason))
	k.record(ctx, &p, TimelineRecord{Kind: TLMilestoneDisputed, By: by(msg.Disputer), Roles: roles, Milestone: m.ID, Note: msg.Reason})
	return nil
}

// resolver returns a's roles in p, failing unless a holds p's resolver role or is p's DAO
// (roles [dao]).
func (k Keeper) resolver(ctx chain.Context, p *Project, a address.Address) ([]string, error) {
	if p.isDAO(a) {
		return []string{ActorDAO}, nil
	}
	roles := k.RolesOf(ctx, p.ID, a)
	if !slices.Contains(roles, p.ResolverRole) {
		dao := ""
		if d, ok := p.DAO(); ok {
			dao = " (or the project's DAO " + d.String() + ", through a proposal)"
		}
		return nil, ErrNotResolver.Wrapf("project %s's resolver role is %s%s; %s holds %s", p.ID, p.ResolverRole, dao, a, joinAnd(roles))
	}
	return roles, nil
}

// Resolve decides a disputed milestone: release pays the tranche now, reject plans it again.
func (k Keeper) Resolve(ctx chain.Context, msg *MsgResolve) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	p, err := k.project(ctx, msg.Project)
	if err != nil {
		return err
	}
	roles, err := k.resolver(ctx, &p, msg.Resolver)
	if err != nil {
		return err
	}
	m, err := k.milestone(ctx, &p, msg.Milestone)
	if err != nil {
		return err
	}
	if m.Status != MilestoneDisputed {
		return ErrWrongStatus.Wrapf("milestone %s of project %s is %s: only a disputed milestone is resolved", m.ID, p.ID, m.Status)
	}
	if msg.Decision == DecisionRelease {
		if !m.Funded {
			return ErrNotFunded.Wrapf("milestone %s of project %s is not funded: fund it (its tranche %s moves from the treasury into escrow), then resolve", m.ID, p.ID, m.Tranche)
		}
		if _, err := k.cashAsset(ctx, m.Tranche.Denom, true); err != nil {
			return err
		}
	}
	m.Resolution = &Action{By: msg.Resolver, Roles: roles, Decision: msg.Decision, Reason: msg.Reason, Height: ctx.Height, Time: ctx.Time.Unix()}
	ctx.Emit(milestoneEvent("projects.milestone_resolved", &m, "by", msg.Resolver.String(), "decision", msg.Decision, "reason", msg.Reason))
	k.record(ctx, &p, TimelineRecord{Kind: TLMilestoneResolved, By: by(msg.Resolver), Roles: roles, Milestone: m.ID, Note: msg.Decision + ": " + msg.Reason})
	if msg.Decision == DecisionRelease {
		return k.release(ctx, &p, &m, ViaResolution)
	}
	// Rejected: planned again; the payee may claim again. A funded tranche stays in escrow.
	m.Status, m.ClaimedHeight, m.ClaimedTime, m.Evidence, m.ClaimNote = MilestonePlanned, 0, 0, nil, ""
	m.SignOffs, m.SignedOffTime, m.WindowEnds, m.Dispute = nil, 0, 0, nil
	if !m.Late {
		k.st(ctx).Set(lateKey(m.Due, p.ID, m.ID), marker)
	}
	k.putMilestone(ctx, &m)
	return nil
}

// CancelMilestone cancels a milestone that is planned, claimed or disputed; a funded tranche
// returns to the treasury.
func (k Keeper) CancelMilestone(ctx chain.Context, msg *MsgCancelMilestone) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	p, err := k.project(ctx, msg.Project)
	if err != nil {
		return err
	}
	roles, err := k.resolver(ctx, &p, msg.Resolver)
	if err != nil {
		return err
	}
	m, err := k.milestone(ctx, &p, msg.Milestone)
	if err != nil {
		return err
	}
	switch m.Status {
	case MilestonePlanned, MilestoneClaimed, MilestoneDisputed:
	case MilestoneSignedOff, MilestoneAwaitingFunds:
		return ErrWrongStatus.Wrapf("milestone %s of project %s is signed off: dispute it in its challenge window first", m.ID, p.ID)
	default:
		return ErrWrongStatus.Wrapf("milestone %s of project %s is %s", m.ID, p.ID, m.Status)
	}
	returned := coin.New(m.Tranche.Denom, 0)
	if m.Funded {
		if _, err := k.cashAsset(ctx, m.Tranche.Denom, true); err != nil {
			return err
		}
		if err := k.bank.Send(ctx, EscrowAccount, p.Treasury, m.Tranche); err != nil {
			return err
		}
		if err := k.addTotals(ctx, m.Tranche, func(t *Totals) *coin.Amount { return &t.Returned }); err != nil {
			return err
		}
		returned = m.Tranche
		m.Returned = m.Tranche.Amount
	}
	k.st(ctx).Delete(lateKey(m.Due, p.ID, m.ID))
	m.Status = MilestoneCancelled
	m.Cancellation = &Action{By: msg.Resolver, Roles: roles, Reason: msg.Reason, Height: ctx.Height, Time: ctx.Time.Unix()}
	k.putMilestone(ctx, &m)
	ctx.Emit(milestoneEvent("projects.milestone_cancelled", &m, "by", msg.Resolver.String(), "returned", returned.String(),
		"treasury", p.Treasury.String(), "reason", msg.Reason))
	k.record(ctx, &p, TimelineRecord{Kind: TLMilestoneCancelled, By: by(msg.Resolver), Roles: roles, Milestone: m.ID, Amount: &returned, Note: msg.Reason})
	return nil
}

// release pays m's tranche from escrow to its payee (once) and saves m.
func (k Keeper) release(ctx chain.Context, p *Project, m *Milestone, via string) error {
	if m.Status == MilestoneReleased || m.Released != 0 || !m.Funded {
		return ErrWrongStatus.Wrapf("milestone %s of project %s: released %d, funded %v (a broken state)", m.ID, p.ID, m.Released, m.Funded)
	}
	if err := k.bank.Send(ctx, EscrowAccount, m.Payee, m.Tranche); err != nil {
		return err
	}
	if err := k.addTotals(ctx, m.Tranche, func(t *Totals) *coin.Amount { return &t.Released }); err != nil {
		return err
	}
	m.Status, m.Released, m.ReleasedHeight, m.ReleasedVia = MilestoneReleased, m.Tranche.Amount, ctx.Height, via
	k.putMilestone(ctx, m)
	ctx.Emit(milestoneEvent("projects.milestone_released", m, "payee", m.Payee.String(), "amount", m.Tranche.String(), "via", via))
	k.record(ctx, p, TimelineRecord{Kind: TLMilestoneReleased, Milestone: m.ID, Account: by(m.Payee), Amount: &m.Tranche, Note: via})
	return nil
}
