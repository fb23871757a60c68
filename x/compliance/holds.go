package compliance

import (
	"encoding/binary"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
)

func (k Keeper) next(ctx chain.Context, key []byte) uint64 {
	var n uint64
	k.get(ctx, key, &n)
	n++
	k.set(ctx, key, n)
	return n
}

func holdKey(id uint64) []byte  { return store.Key(keyHold, store.Uint64Key(id)) }
func alertKey(id uint64) []byte { return store.Key(keyAlert, store.Uint64Key(id)) }
func dueKey(deadline int64, id uint64) []byte {
	return store.Key(keyHoldDue, store.Uint64Key(uint64(deadline)), store.Uint64Key(id))
}

// Hold returns hold id.
func (k Keeper) Hold(ctx chain.Context, id uint64) (Hold, bool) {
	var h Hold
	ok := k.get(ctx, holdKey(id), &h)
	return h, ok
}

// Alert returns alert id.
func (k Keeper) Alert(ctx chain.Context, id uint64) (Alert, bool) {
	var a Alert
	ok := k.get(ctx, alertKey(id), &a)
	return a, ok
}

func (k Keeper) openHold(ctx chain.Context, from, to address.Address, c coin.Coin, d Decision) Hold {
	id := k.next(ctx, keyHoldSeq)
	now := ctx.Time.Unix()
	h := Hold{ID: id, From: from, To: to, Amount: c, Rule: d.Rule, Scope: d.Scope, Reason: d.Reason, Status: HoldOpen,
		Height: ctx.Height, Time: now, Deadline: now + d.HoldFor}
	k.putHold(ctx, h)
	st := k.st(ctx)
	st.Set(store.Key(keyHoldAccount, from[:], store.Uint64Key(id)), marker)
	st.Set(store.Key(keyHoldAccount, to[:], store.Uint64Key(id)), marker)
	st.Set(store.Key(keyHoldAsset, []byte(c.Denom), sep, store.Uint64Key(id)), marker)
	st.Set(store.Key(keyHoldOpen, store.Uint64Key(id)), marker)
	st.Set(dueKey(h.Deadline, id), marker)
	return h
}

func (k Keeper) putHold(ctx chain.Context, h Hold) { k.set(ctx, holdKey(h.ID), &h) }

// close ends an open hold: the amount goes to dest, the hold leaves the open indexes.
func (k Keeper) closeHold(ctx chain.Context, h *Hold, status string, dest address.Address) error {
	if err := k.bank.Send(ctx, HoldAccount, dest, h.Amount); err != nil {
		return err
	}
	st := k.st(ctx)
	st.Delete(store.Key(keyHoldOpen, store.Uint64Key(h.ID)))
	st.Delete(dueKey(h.Deadline, h.ID))
	h.Status = status
	h.DecidedAt = ctx.Height
	k.putHold(ctx, *h)
	return nil
}

// DecideHold releases a hold to its receiver or returns it to its sender. The officer's decision
// is final: a release does not evaluate the rules again.
func (k Keeper) DecideHold(ctx chain.Context, m *MsgDecideHold) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := k.requireOfficer(ctx, m.Officer); err != nil {
		return err
	}
	h, ok := k.Hold(ctx, m.Hold)
	if !ok {
		return ErrUnknownHold.Wrapf("no hold %d", m.Hold)
	}
	if h.Status != HoldOpen {
		return ErrHoldDecided.Wrapf("hold %d is already %s (at height %d)", h.ID, h.Status, h.DecidedAt)
	}
	status, dest := HoldReleased, h.To
	if m.Action == ActionReturn {
		status, dest = HoldReturned, h.From
	}
	h.DecidedBy, h.Decision = m.Officer, m.Reason
	if err := k.closeHold(ctx, &h, status, dest); err != nil {
		return err
	}
	ctx.Emit(chain.NewEvent("compliance.hold_decided", "hold", chain.Uint(h.ID), "action", m.Action, "rule", h.Rule,
		"asset", h.Amount.Denom, "from", h.From.String(), "to", h.To.String(), "amount", h.Amount.String(),
		"reason", m.Reason, "by", m.Officer.String()))
	return nil
}

// ExpireHolds returns to their senders the open holds whose deadline is at or before the block
// time, at most MaxExpiries per block (the rest follow in the next blocks).
func (k Keeper) ExpireHolds(ctx chain.Context) error {
	now := ctx.Time.Unix()
	end := store.Key(keyHoldDue, store.Uint64Key(uint64(now)+1))
	var due []uint64
	it := k.st(ctx).Iterator(keyHoldDue, end)
	for ; it.Valid() && len(due) < MaxExpiries; it.Next() {
		due = append(due, binary.BigEndian.Uint64(it.Key()[len(keyHoldDue)+8:]))
	}
	it.Close()
	for _, id := range due {
		h, ok := k.Hold(ctx, id)
		if !ok || h.Status != HoldOpen {
			continue
		}
		if err := k.closeHold(ctx, &h, HoldExpired, h.From); err != nil {
			return err // the hold account lacks a held amount: the state is broken
		}
		ctx.Emit(chain.NewEvent("compliance.hold_expired", "hold", chain.Uint(h.ID), "rule", h.Rule, "asset", h.Amount.Denom,
			"from", h.From.String(), "to", h.To.String(), "amount", h.Amount.String(), "deadline", chain.Uint(h.Deadline)))
	}
	return nil
}

func (k Keeper) openAlert(ctx chain.Context, from, to address.Address, c coin.Coin, d Decision) uint64 {
	id := k.next(ctx, keyAlertSeq)
	a := Alert{ID: id, From: from, To: to, Amount: c, Rule: d.Rule, Scope: d.Scope, Severity: d.Severity, Reason: d.Reason,
		Status: AlertOpen, Height: ctx.Height, Time: ctx.Time.Unix()}
	k.set(ctx, alertKey(id), &a)
	st := k.st(ctx)
	st.Set(store.Key(keyAlertAcct, from[:], store.Uint64Key(id)), marker)
	st.Set(store.Key(keyAlertAcct, to[:], store.Uint64Key(id)), marker)
	st.Set(store.Key(keyAlertAsset, []byte(c.Denom), sep, store.Uint64Key(id)), marker)
	st.Set(store.Key(keyAlertOpen, store.Uint64Key(id)), marker)
	return id
}

// CloseAlert closes an open alert with the officer's note.
func (k Keeper) CloseAlert(ctx chain.Context, m *MsgCloseAlert) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := k.requireOfficer(ctx, m.Officer); err != nil {
		return err
	}
	a, ok := k.Alert(ctx, m.Alert)
	if !ok {
		return ErrUnknownAlert.Wrapf("no alert %d", m.Alert)
	}
	if a.Status != AlertOpen {
		return ErrAlertClosed.Wrapf("alert %d was closed at height %d", a.ID, a.ClosedAt)
	}
	a.Status, a.ClosedBy, a.Note, a.ClosedAt = AlertClosed, m.Officer, m.Note, ctx.Height
	k.set(ctx, alertKey(a.ID), &a)
	k.st(ctx).Delete(store.Key(keyAlertOpen, store.Uint64Key(a.ID)))
	ctx.Emit(chain.NewEvent("compliance.alert_closed", "alert", chain.Uint(a.ID), "rule", a.Rule, "asset", a.Amount.Denom,
		"note", m.Note, "by", m.Officer.String()))
	return nil
}

// Filter selects holds or alerts; zero fields select all.
type Filter struct {
	Account address.Address
	Asset   string
	Rule    string
	Status  string
	After   uint64 // ids above this one
	Limit   int
}

// maxScan bounds the records one list query looks at (filters on rule and status read each).
const maxScan = 10_000

// listIDs walks the narrowest index for f, in id order from f.After, calling keep for each id
// until it has accepted f.Limit of them. next is the id to continue after (0: the end).
func (k Keeper) listIDs(ctx chain.Context, f Filter, all, byAccount, byAsset, open []byte, openStatus string, keep func(id uint64) bool) (next uint64) {
	var p []byte
	switch {
	case !f.Account.IsZero():
		p = store.Key(byAccount, f.Account[:])
	case f.Asset != "":
		p = store.Key(byAsset, []byte(f.Asset), sep)
	case f.Status == openStatus:
		p = open
	default:
		p = all
	}
	start := p
	if f.After != 0 {
		start = store.Key(p, store.Uint64Key(f.After+1))
		if f.After == ^uint64(0) {
			return 0
		}
	}
	it := k.st(ctx).Iterator(start, store.PrefixEnd(p))
	defer it.Close()
	n, scanned := 0, 0
	for ; it.Valid(); it.Next() {
		key := it.Key()
		id := binary.BigEndian.Uint64(key[len(key)-8:])
		if n == f.Limit || scanned == maxScan {
			return id - 1
		}
		scanned++
		if keep(id) {
			n++
		}
	}
	return 0
}

// HoldList is a page of holds; Next, when not 0, is the "after" of the following page.
type HoldList struct {
	Holds []Hold `json:"holds"`
	Next  uint64 `json:"next,omitempty"`
}

// Holds lists holds matching f in id order.
func (k Keeper) Holds(ctx chain.Context, f Filter) HoldList {
	out := HoldList{Holds: []Hold{}}
	out.Next = k.listIDs(ctx, f, keyHold, keyHoldAccount, keyHoldAsset, keyHoldOpen, HoldOpen, func(id uint64) bool {
		h, ok := k.Hold(ctx, id)
		if !ok || (f.Asset != "" && h.Amount.Denom != f.Asset) || (f.Rule != "" && h.Rule != f.Rule) || (f.Status != "" && h.Status != f.Status) {
			return false
		}
		if n := len(out.Holds); n > 0 && out.Holds[n-1].ID == id {
			return false // from and to are the same account
		}
		out.Holds = append(out.Holds, h)
		return true
	})
	return out
}

// AlertList is a page of alerts; Next, when not 0, is the "after" of the following page.
type AlertList struct {
	Alerts []Alert `json:"alerts"`
	Next   uint64  `json:"next,omitempty"`
}

// Alerts lists alerts matching f in id order.
func (k Keeper) Alerts(ctx chain.Context, f Filter) AlertList {
	out := AlertList{Alerts: []Alert{}}
	out.Next = k.listIDs(ctx, f, keyAlert, keyAlertAcct, keyAlertAsset, keyAlertOpen, AlertOpen, func(id uint64) bool {
		a, ok := k.Alert(ctx, id)
		if !ok || (f.Asset != "" && a.Amount.Denom != f.Asset) || (f.Rule != "" && a.Rule != f.Rule) || (f.Status != "" && a.Status != f.Status) {
			return false
		}
		if n := len(out.Alerts); n > 0 && out.Alerts[n-1].ID == id {
			return false
		}
		out.Alerts = append(out.Alerts, a)
		return true
	})
	return out
}

// openHoldTotals sums the open holds per asset (the invariant compares them with the hold account).
func (k Keeper) openHoldTotals(ctx chain.Context) (map[string]coin.Amount, error) {
	sums := map[string]coin.Amount{}
	it := k.st(ctx).Iterator(keyHoldOpen, store.PrefixEnd(keyHoldOpen))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		var h Hold
		b := k.st(ctx).Get(holdKey(binary.BigEndian.Uint64(it.Key()[len(keyHoldOpen):])))
		if b == nil {
			continue
		}
		canon.MustDecode(b, &h)
		s, err := sums[h.Amount.Denom].Add(h.Amount.Amount)
		if err != nil {
			return nil, err
		}
		sums[h.Amount.Denom] = s
	}
	return sums, nil
}
