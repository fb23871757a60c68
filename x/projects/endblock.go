package projects

import (
	"bytes"

	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/store"
)

// due is an index entry whose time has come: the time, the project and (for milestones) the
// milestone, or (for changes) the change id.
type due struct {
	key       []byte
	project   string
	milestone string
	change    uint64
}

// scan reads up to n entries of a time index (prefix, then 8 bytes of time) whose time is at
// or before last.
func (k Keeper) scan(ctx chain.Context, prefix []byte, last int64, n int) []due {
	if last < 0 || n <= 0 {
		return nil
	}
	var out []due
	it := k.st(ctx).Iterator(prefix, store.Key(prefix, store.Uint64Key(uint64(last)+1)))
	defer it.Close()
	for ; it.Valid() && len(out) < n; it.Next() {
		key := append([]byte(nil), it.Key()...)
		d := due{key: key}
		rest := key[len(prefix)+8:]
		if bytes.Equal(prefix, keyChangeExp) {
			d.change = beUint64(rest)
		} else if i := bytes.IndexByte(rest, 0); i >= 0 {
			d.project, d.milestone = string(rest[:i]), string(rest[i+1:])
		}
		out = append(out, d)
	}
	return out
}

// EndBlock does the module's timed work, at most Params.PerBlock items per block, in this
// order: milestones whose challenge window has closed (released to the payee when funded and
// the cash asset is not paused; awaiting_funds when unfunded; a paused asset's release waits at
// the front of the queue and counts), milestones past their due date without a sign-off (one
// projects.milestone_late alert each), and pending stakeholder changes past their expiry. Each
// queue is worked in time order; what is left continues in the next blocks. An error means the
// state is broken (the escrow lacks a tranche the records say it holds).
func (k Keeper) EndBlock(ctx chain.Context) error {
	budget := int(k.Params(ctx).PerBlock)
	now := ctx.Time.Unix()
	for _, d := range k.scan(ctx, keyRelease, now, budget) {
		budget--
		if err := k.closeWindow(ctx, d); err != nil {
			return err
		}
	}
	// Late: the due date has passed (strictly before the block time).
	for _, d := range k.scan(ctx, keyLate, now-1, budget) {
		budget--
		k.late(ctx, d)
	}
	for _, d := range k.scan(ctx, keyChangeExp, now, budget) {
		budget--
		k.expire(ctx, d)
	}
	return nil
}

// closeWindow handles a signed-off milestone whose challenge window has closed undisputed.
func (k Keeper) closeWindow(ctx chain.Context, d due) error {
	m, ok := k.Milestone(ctx, d.project, d.milestone)
	p, okp := k.Project(ctx, d.project)
	if !ok || !okp || m.Status != MilestoneSignedOff {
		k.st(ctx).Delete(d.key) // cannot happen: the index follows the status
		return nil
	}
	if !m.Funded {
		k.st(ctx).Delete(d.key)
		m.Status = MilestoneAwaitingFunds
		k.putMilestone(ctx, &m)
		ctx.Emit(milestoneEvent("projects.milestone_awaiting_funds", &m, "tranche", m.Tranche.String(), "treasury", p.Treasury.String()))
		k.record(ctx, &p, TimelineRecord{Kind: TLMilestoneAwaiting, Milestone: m.ID, Amount: &m.Tranche,
			Note: "challenge window closed undisputed; released when funded"})
		return nil
	}
	if a, ok := k.assets.Asset(ctx, m.Tranche.Denom); ok && a.Paused {
		return nil // waits for the cash asset's controller to unpause it
	}
	k.st(ctx).Delete(d.key)
	return k.release(ctx, &p, &m, ViaWindow)
}

// late raises a milestone's late alert (once).
func (k Keeper) late(ctx chain.Context, d due) {
	k.st(ctx).Delete(d.key)
	m, ok := k.Milestone(ctx, d.project, d.milestone)
	p, okp := k.Project(ctx, d.project)
	if !ok || !okp || m.Late || !watchesDue(m.Status) {
		return // cannot happen: the index follows the status
	}
	m.Late, m.LateHeight = true, ctx.Height
	k.putMilestone(ctx, &m)
	ctx.Emit(milestoneEvent("projects.milestone_late", &m, "due", chain.Unix(m.Due), "status", m.Status, "payee", m.Payee.String()))
	k.record(ctx, &p, TimelineRecord{Kind: TLMilestoneLate, Milestone: m.ID, Note: "due " + chain.Unix(m.Due) + ", " + m.Status})
}

// expire drops a pending stakeholder change past its expiry.
func (k Keeper) expire(ctx chain.Context, d due) {
	c, ok := k.Change(ctx, d.change)
	if !ok {
		k.st(ctx).Delete(d.key) // cannot happen
		return
	}
	k.dropChange(ctx, &c)
	ctx.Emit(chain.NewEvent("projects.stakeholder_change_expired", "project", c.Project, "change", chain.Uint(c.ID),
		"action", c.Action, "account", c.Account.String(), "role", c.Role))
	if p, ok := k.Project(ctx, c.Project); ok {
		k.record(ctx, &p, TimelineRecord{Kind: TLChangeExpired, Change: c.ID, Account: by(c.Account), Role: c.Role, Note: c.Action})
	}
}
