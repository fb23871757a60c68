package offerings

import (
	"encoding/binary"

	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
)

// EndBlock works through the offerings whose window has ended, and those cancelled, at most
// Params.PerBlock units of work per block over all offerings: each offering reaching its end
// costs one, each subscription looked at (closing, settling, refunding) one, and finishing an
// offering (returning unsold tokens) one. Offerings are worked through in id order; what is
// left continues in the next blocks. An error means the state is broken (the escrow lacks what
// the records say it holds).
func (k Keeper) EndBlock(ctx chain.Context) error {
	budget := int(k.Params(ctx).PerBlock)
	now := ctx.Time.Unix()
	if now >= 0 {
		var due []uint64
		it := k.st(ctx).Iterator(keyDue, store.Key(keyDue, store.Uint64Key(uint64(now)+1)))
		for ; it.Valid() && len(due) < budget; it.Next() {
			due = append(due, binary.BigEndian.Uint64(it.Key()[len(keyDue)+8:]))
		}
		it.Close()
		for _, id := range due {
			budget--
			k.end(ctx, id)
		}
	}
	if budget <= 0 {
		return nil
	}
	// Each offering worked on costs at least one unit: budget ids are enough.
	var work []uint64
	it := k.st(ctx).Iterator(keyWork, store.PrefixEnd(keyWork))
	for ; it.Valid() && len(work) < budget; it.Next() {
		work = append(work, binary.BigEndian.Uint64(it.Key()[len(keyWork):]))
	}
	it.Close()
	for _, id := range work {
		if budget <= 0 {
			break
		}
		used, err := k.work(ctx, id, budget)
		if err != nil {
			return err
		}
		budget -= used
	}
	return nil
}

// end moves an open offering whose window has ended into the work queue: closing, or refunding
// at once when less than the soft cap was subscribed.
func (k Keeper) end(ctx chain.Context, id uint64) {
	o, ok := k.Offering(ctx, id)
	if !ok || o.Status != StatusOpen {
		return
	}
	k.st(ctx).Delete(dueKey(o.End, o.ID))
	k.st(ctx).Set(workKey(o.ID), marker)
	o.Cursor = nil
	o.Status = StatusClosing
	if o.Subscribed < o.SoftCap {
		o.Status, o.EndedHeight = StatusRefunding, ctx.Height
	}
	k.putOffering(ctx, &o)
	ctx.Emit(chain.NewEvent("offerings.ended", "offering", chain.Uint(o.ID), "security", o.Security,
		"subscribers", chain.Uint(o.Subscribers), "subscribed", coin.New(o.Security, o.Subscribed).String(),
		"soft_cap", coin.New(o.Security, o.SoftCap).String(), "status", o.Status))
}

// batch reads up to n subscriptions of o after its cursor, in investor address order.
func (k Keeper) batch(ctx chain.Context, o *Offering, n int) []Subscription {
	p := subPrefix(o.ID)
	start := p
	if o.Cursor != nil {
		start = store.Key(p, o.Cursor[:], sep)
	}
	out := make([]Subscription, 0, min(n, 64))
	it := k.st(ctx).Iterator(start, store.PrefixEnd(p))
	defer it.Close()
	for ; it.Valid() && len(out) < n; it.Next() {
		var s Subscription
		canon.MustDecode(it.Value(), &s)
		out = append(out, s)
	}
	return out
}

// paused reports whether either asset of o is paused: its end-of-window work then waits (no
// check, delivery or refund moves an asset its controller has stopped).
func (k Keeper) paused(ctx chain.Context, o *Offering) bool {
	for _, d := range []string{o.Security, o.Cash} {
		if a, ok := k.assets.Asset(ctx, d); ok && a.Paused {
			return true
		}
	}
	return false
}

// work does up to budget units of offering id's end-of-window work; it returns the units used
// (at least one).
func (k Keeper) work(ctx chain.Context, id uint64, budget int) (int, error) {
	o, ok := k.Offering(ctx, id)
	if !ok || !working(o.Status) {
		k.st(ctx).Delete(workKey(id)) // cannot happen: the index follows the status
		return 1, nil
	}
	if k.paused(ctx, &o) {
		return 1, nil
	}
	used := 0
	if o.Status == StatusClosing {
		used = k.close(ctx, &o, budget)
	}
	var err error
	if o.Status != StatusClosing && used < budget {
		var n int
		n, err = k.payOut(ctx, &o, budget-used)
		used += n
	}
	k.putOffering(ctx, &o)
	return max(used, 1), err
}

// close checks subscriptions again, as they would be delivered now, until those that pass reach
// the soft cap (settling) or none is left (refunding). It returns the units used.
func (k Keeper) close(ctx chain.Context, o *Offering, budget int) int {
	used := 0
	for {
		if o.Eligible >= o.SoftCap {
			k.judge(ctx, o, StatusSettling)
			return used
		}
		if used == budget {
			return used
		}
		subs := k.batch(ctx, o, budget-used)
		if len(subs) == 0 {
			k.judge(ctx, o, StatusRefunding)
			return used
		}
		for i := range subs {
			s := &subs[i]
			used++
			o.Cursor = &s.Investor
			if !refused(k.compliance.Decide(ctx, o.Issuer, s.Investor, coin.New(o.Security, s.Amount))) {
				o.Eligible, _ = o.Eligible.Add(s.Amount) // ≤ Subscribed ≤ HardCap
				if o.Eligible >= o.SoftCap {
					break
				}
			}
		}
	}
}

func (k Keeper) judge(ctx chain.Context, o *Offering, status string) {
	o.Status, o.Cursor, o.EndedHeight = status, nil, ctx.Height
	ctx.Emit(chain.NewEvent("offerings.judged", "offering", chain.Uint(o.ID), "security", o.Security,
		"eligible", coin.New(o.Security, o.Eligible).String(), "subscribed", coin.New(o.Security, o.Subscribed).String(),
		"soft_cap", coin.New(o.Security, o.SoftCap).String(), "status", status))
}

// refundReason says why the subscribers of a refunding or cancelling offering get their cash
// back.
func refundReason(o *Offering) string {
	switch {
	case o.Status == StatusCancelling && o.CancelledByDAO:
		return "cancelled by the DAO of " + o.Security + ": " + o.CancelReason
	case o.Status == StatusCancelling:
		return "cancelled by the issuer: " + o.CancelReason
	case o.Subscribed < o.SoftCap:
		return "soft cap missed: " + chain.Uint(o.Subscribed) + " of " + chain.Uint(o.SoftCap) + " subscribed"
	}
	return "soft cap missed: " + chain.Uint(o.Eligible) + " of " + chain.Uint(o.SoftCap) + " subscribed passed compliance at the end"
}

// payOut settles or refunds subscriptions after the cursor, then finishes the offering. It
// returns the units used.
func (k Keeper) payOut(ctx chain.Context, o *Offering, budget int) (int, error) {
	subs := k.batch(ctx, o, budget)
	used := 0
	for i := range subs {
		s := &subs[i]
		used++
		o.Cursor = &s.Investor
		if o.Status == StatusSettling {
			// The delivery's decision is recorded (alerts, velocity, refusals in the audit trail).
			d := k.compliance.Check(ctx, o.Issuer, s.Investor, coin.New(o.Security, s.Amount))
			if !refused(d) {
				if err := k.settle(ctx, o, s); err != nil {
					return used, err
				}
				continue
			}
			if err := k.refund(ctx, o, s, "compliance at settlement: "+decisionText(d)); err != nil {
				return used, err
			}
			continue
		}
		if err := k.refund(ctx, o, s, refundReason(o)); err != nil {
			return used, err
		}
	}
	if used < budget {
		used++
		return used, k.finish(ctx, o)
	}
	return used, nil
}

func (k Keeper) settle(ctx chain.Context, o *Offering, s *Subscription) error {
	tokens, cash := coin.New(o.Security, s.Amount), coin.New(o.Cash, s.Cash)
	if err := k.bank.Send(ctx, EscrowAccount, s.Investor, tokens); err != nil {
		return err
	}
	if err := k.bank.Send(ctx, EscrowAccount, o.Treasury, cash); err != nil {
		return err
	}
	var err error
	if o.Delivered, err = o.Delivered.Add(s.Amount); err != nil {
		return err
	}
	if o.Raised, err = o.Raised.Add(s.Cash); err != nil {
		return err
	}
	if o.CashEscrowed, err = o.CashEscrowed.Sub(s.Cash); err != nil {
		return err
	}
	o.Settled++
	s.Status, s.ClosedHeight = SubSettled, ctx.Height
	k.putSub(ctx, s)
	ctx.Emit(chain.NewEvent("offerings.settled", "offering", chain.Uint(o.ID), "investor", s.Investor.String(),
		"tokens", tokens.String(), "cash", cash.String(), "treasury", o.Treasury.String()))
	return nil
}

func (k Keeper) refund(ctx chain.Context, o *Offering, s *Subscription, reason string) error {
	cash := coin.New(o.Cash, s.Cash)
	if err := k.bank.Send(ctx, EscrowAccount, s.Investor, cash); err != nil {
		return err
	}
	var err error
	if o.CashEscrowed, err = o.CashEscrowed.Sub(s.Cash); err != nil {
		return err
	}
	o.Refunded++
	s.Status, s.ClosedHeight, s.Reason = SubRefunded, ctx.Height, reason
	k.putSub(ctx, s)
	ctx.Emit(chain.NewEvent("offerings.refunded", "offering", chain.Uint(o.ID), "investor", s.Investor.String(),
		"cash", cash.String(), "amount", coin.New(o.Security, s.Amount).String(), "reason", reason))
	return nil
}

// finish returns the unsold tokens to the issuer and closes the offering.
func (k Keeper) finish(ctx chain.Context, o *Offering) error {
	unsold := o.InEscrow()
	if unsold > 0 {
		if err := k.bank.Send(ctx, EscrowAccount, o.Issuer, coin.New(o.Security, unsold)); err != nil {
			return err
		}
	}
	var err error
	if o.Returned, err = o.Returned.Add(unsold); err != nil {
		return err
	}
	switch o.Status {
	case StatusSettling:
		o.Status = StatusSettled
	case StatusRefunding:
		o.Status = StatusRefunded
	case StatusCancelling:
		o.Status = StatusCancelled
	}
	o.Cursor, o.ClosedHeight = nil, ctx.Height
	k.st(ctx).Delete(workKey(o.ID))
	ctx.Emit(chain.NewEvent("offerings.closed", "offering", chain.Uint(o.ID), "security", o.Security, "status", o.Status,
		"subscribers", chain.Uint(o.Subscribers), "settled", chain.Uint(o.Settled), "refunded", chain.Uint(o.Refunded),
		"delivered", coin.New(o.Security, o.Delivered).String(), "raised", coin.New(o.Cash, o.Raised).String(),
		"returned", coin.New(o.Security, unsold).String(), "treasury", o.Treasury.String()))
	return nil
}
