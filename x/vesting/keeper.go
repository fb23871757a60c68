// Package vesting holds lock-up schedules on accounts (cliff + linear, or periodic; up to five
// years) for any asset, native ugrd included. A grant moves tokens from a grantor into the
// grantee's balance, where they count (for voting, for distributions) but the locked part cannot
// be spent: bank asks CheckSpend before every user transfer and before a fee is charged. The
// grantor may claw back the unvested part of a grant made clawback-able.
package vesting

import (
	"encoding/binary"
	"fmt"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/compliance"
)

// ModuleName is the module's name and code space.
const ModuleName = "vesting"

// StorePrefix is the module's key prefix in state.
var StorePrefix = []byte{0x0A}

var (
	keySeq     = []byte("n")  // n → last grant id
	keyGrant   = []byte("g/") // g/<id8> → Grant
	keyLive    = []byte("l/") // l/<grantee20><denom>\x00<id8> → marker: grants still vesting
	keyAccount = []byte("a/") // a/<grantee20><id8> → marker: every grant an account received
	keyDue     = []byte("d/") // d/<end8><id8> → marker: grants still vesting, by the end of their schedule
	keyLiveN   = []byte("c/") // c/<grantee20><denom> → how many grants in l/ (absent: none): a point read for accounts without grants
	sep        = []byte{0}
	marker     = []byte{1}
)

// Failures.
var (
	ErrInvalidMsg      = codes.Register(ModuleName, 2, "invalid vesting msg")
	ErrLocked          = codes.Register(ModuleName, 3, "tokens are locked by a vesting schedule")
	ErrUnknownGrant    = codes.Register(ModuleName, 4, "unknown grant")
	ErrNotGrantor      = codes.Register(ModuleName, 5, "signer is not the grant's grantor")
	ErrNoClawback      = codes.Register(ModuleName, 6, "grant cannot be clawed back")
	ErrNothingUnvested = codes.Register(ModuleName, 7, "nothing left to claw back")
	ErrTooManyGrants   = codes.Register(ModuleName, 8, "too many grants still vesting")
	ErrBadTime         = codes.Register(ModuleName, 9, "schedule out of range")
	ErrUnknownDenom    = codes.Register(ModuleName, 10, "unknown denom")
	ErrModuleAccount   = codes.Register(ModuleName, 11, "module accounts cannot receive grants")
	ErrRefused         = codes.Register(ModuleName, 12, "grant refused by compliance")
	ErrInsufficient    = codes.Register(ModuleName, 13, "grantor cannot spend the amount")
)

// Keeper keeps grants.
type Keeper struct {
	bank       Bank
	compliance Compliance
}

// NewKeeper makes the vesting keeper.
func NewKeeper(bank Bank, c Compliance) Keeper { return Keeper{bank: bank, compliance: c} }

func grantKey(id uint64) []byte { return store.Key(keyGrant, store.Uint64Key(id)) }
func livePrefix(a address.Address, denom string) []byte {
	return store.Key(keyLive, a[:], []byte(denom), sep)
}
func liveCountKey(a address.Address, denom string) []byte {
	return store.Key(keyLiveN, a[:], []byte(denom))
}

// liveCount is how many of a's grants of denom are still vesting (the l/ entries).
func (k Keeper) liveCount(ctx chain.Context, a address.Address, denom string) uint64 {
	var n uint64
	store.GetRecord(k.st(ctx), liveCountKey(a, denom), &n)
	return n
}

func (k Keeper) setLive(ctx chain.Context, g *Grant) {
	k.st(ctx).Set(liveKey(g.Grantee, g.Amount.Denom, g.ID), marker)
	store.SetRecord(k.st(ctx), liveCountKey(g.Grantee, g.Amount.Denom), k.liveCount(ctx, g.Grantee, g.Amount.Denom)+1)
}

func (k Keeper) dropLive(ctx chain.Context, g *Grant) {
	k.st(ctx).Delete(liveKey(g.Grantee, g.Amount.Denom, g.ID))
	if n := k.liveCount(ctx, g.Grantee, g.Amount.Denom); n > 1 {
		store.SetRecord(k.st(ctx), liveCountKey(g.Grantee, g.Amount.Denom), n-1)
	} else {
		k.st(ctx).Delete(liveCountKey(g.Grantee, g.Amount.Denom))
	}
}

func liveKey(a address.Address, denom string, id uint64) []byte {
	return store.Key(livePrefix(a, denom), store.Uint64Key(id))
}
func accountKey(a address.Address, id uint64) []byte {
	return store.Key(keyAccount, a[:], store.Uint64Key(id))
}
func dueKey(end int64, id uint64) []byte {
	return store.Key(keyDue, store.Uint64Key(uint64(end)), store.Uint64Key(id))
}

func (Keeper) st(ctx chain.Context) store.KV { return ctx.Store(StorePrefix) }

// Grant returns grant id.
func (k Keeper) Grant(ctx chain.Context, id uint64) (Grant, bool) {
	var g Grant
	ok := store.GetRecord(k.st(ctx), grantKey(id), &g)
	return g, ok
}

func (k Keeper) put(ctx chain.Context, g *Grant) { store.SetRecord(k.st(ctx), grantKey(g.ID), g) }

// Sequence is the last grant id given (0: none yet).
func (k Keeper) Sequence(ctx chain.Context) uint64 {
	var n uint64
	store.GetRecord(k.st(ctx), keySeq, &n)
	return n
}

// liveIDs lists the ids of a's grants of denom still vesting, in id order (at most MaxLiveGrants
// in a consistent state).
func (k Keeper) liveIDs(ctx chain.Context, a address.Address, denom string) []uint64 {
	if k.liveCount(ctx, a, denom) == 0 { // most accounts: one point read, no iterator
		return nil
	}
	p := livePrefix(a, denom)
	it := k.st(ctx).Iterator(p, store.PrefixEnd(p))
	defer it.Close()
	var ids []uint64
	for ; it.Valid(); it.Next() {
		ids = append(ids, binary.BigEndian.Uint64(it.Key()[len(p):]))
	}
	return ids
}

// LockInfo is what is locked in an account's balance of a denom at a time.
type LockInfo struct {
	Locked coin.Amount // Σ over the grants still vesting of granted − vested − clawed back
	Until  int64       // when the last of them ends (0 when nothing is locked)
	Grants int         // grants still vesting
}

// Lock is what is locked in a's balance of denom at t (unix seconds): O(grants still vesting of
// that account and denom), at most MaxLiveGrants.
func (k Keeper) Lock(ctx chain.Context, a address.Address, denom string, t int64) (LockInfo, error) {
	var li LockInfo
	for _, id := range k.liveIDs(ctx, a, denom) {
		g, ok := k.Grant(ctx, id)
		if !ok {
			return li, fmt.Errorf("vesting: live index names grant %d, which does not exist", id)
		}
		li.Grants++
		l := g.Locked(t)
		if l == 0 {
			continue
		}
		var err error
		if li.Locked, err = li.Locked.Add(l); err != nil {
			return li, fmt.Errorf("vesting: locked amount of %s in %s overflows", a, denom)
		}
		if end := g.Schedule.EndTime(); end > li.Until {
			li.Until = end
		}
	}
	return li, nil
}

// Locked is what is locked in a's balance of denom at the block time.
func (k Keeper) Locked(ctx chain.Context, a address.Address, denom string) coin.Amount {
	li, err := k.Lock(ctx, a, denom, ctx.Time.Unix())
	if err != nil {
		panic(err) // a broken index: the node's state is corrupt
	}
	return li.Locked
}

// Spendable is what a may spend of its balance of denom at the block time: balance − locked (0
// when the balance is below the locked amount, which the invariants forbid).
func (k Keeper) Spendable(ctx chain.Context, a address.Address, denom string) coin.Amount {
	bal := k.bank.Balance(ctx, a, denom)
	if l := k.Locked(ctx, a, denom); l < bal {
		return bal - l
	}
	return 0
}

// CheckSpend refuses with ErrLocked a spend of c from a that would leave its balance below its
// locked amount. Bank calls it before a user transfer; the app before charging a fee.
func (k Keeper) CheckSpend(ctx chain.Context, a address.Address, c coin.Coin) error {
	li, err := k.Lock(ctx, a, c.Denom, ctx.Time.Unix())
	if err != nil {
		return err
	}
	if li.Locked == 0 {
		return nil
	}
	bal := k.bank.Balance(ctx, a, c.Denom)
	var free coin.Amount
	if li.Locked < bal {
		free = bal - li.Locked
	}
	if c.Amount <= free {
		return nil
	}
	return ErrLocked.Wrapf("%s of %s's %s is locked until %s at the latest; %s is spendable, %s was asked",
		coin.New(c.Denom, li.Locked), a, coin.New(c.Denom, bal), chain.Unix(li.Until), coin.New(c.Denom, free), c)
}

// Guard is bank's compliance hook with the lock in front: Review refuses a transfer that would
// spend locked tokens (ErrLocked), then asks Next. The app may wire it instead of a new bank hook:
// bank.SetHooks(vesting.Guard{Vesting: v, Next: compliance}, …).
type Guard struct {
	Vesting SpendGuard
	Next    Reviewer
}

// Review checks the lock, then passes the transfer to the compliance engine.
func (g Guard) Review(ctx chain.Context, from, to address.Address, c coin.Coin) (bool, error) {
	if err := g.Vesting.CheckSpend(ctx, from, c); err != nil {
		return false, err
	}
	if g.Next == nil {
		return false, nil
	}
	return g.Next.Review(ctx, from, to, c)
}

// release marks an ended grant vested and drops it from the live indexes.
func (k Keeper) release(ctx chain.Context, g *Grant) {
	g.Status = StatusVested
	k.put(ctx, g)
	k.dropLive(ctx, g)
	k.st(ctx).Delete(dueKey(g.Schedule.EndTime(), g.ID))
	ctx.Emit(chain.NewEvent("vesting.vested", "grant", chain.Uint(g.ID), "grantee", g.Grantee.String(),
		"amount", coin.New(g.Amount.Denom, g.Kept()).String()))
}

// GrantTo makes a grant and returns its id.
func (k Keeper) GrantTo(ctx chain.Context, m *MsgGrant) (uint64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	now := ctx.Time.Unix()
	s := m.Schedule
	if end := s.EndTime(); end <= now {
		return 0, ErrBadTime.Wrapf("the schedule ends at %s, not after the block time %s: nothing would be locked (send the tokens instead)", chain.Unix(end), chain.Unix(now))
	}
	if s.Start > now+MaxStartAhead {
		return 0, ErrBadTime.Wrapf("the schedule starts at %s, more than %d days after the block time %s", chain.Unix(s.Start), MaxStartAhead/86400, chain.Unix(now))
	}
	if _, ok := k.bank.Unit(ctx, m.Amount.Denom); !ok {
		return 0, ErrUnknownDenom.Wrapf("%q is not an asset of this chain", m.Amount.Denom)
	}
	if name, ok := k.bank.ModuleAccount(m.Grantee); ok {
		return 0, ErrModuleAccount.Wrapf("%s belongs to the %s module", m.Grantee, name)
	}
	if free := k.Spendable(ctx, m.Grantor, m.Amount.Denom); free < m.Amount.Amount {
		return 0, ErrInsufficient.Wrapf("%s may spend %s (balance %s, locked %s), the grant is of %s", m.Grantor,
			coin.New(m.Amount.Denom, free), coin.New(m.Amount.Denom, k.bank.Balance(ctx, m.Grantor, m.Amount.Denom)),
			coin.New(m.Amount.Denom, k.Locked(ctx, m.Grantor, m.Amount.Denom)), m.Amount)
	}
	// Release the grantee's ended grants of the denom first: only grants still vesting count.
	live := 0
	for _, id := range k.liveIDs(ctx, m.Grantee, m.Amount.Denom) {
		g, ok := k.Grant(ctx, id)
		if !ok {
			return 0, fmt.Errorf("vesting: live index names grant %d, which does not exist", id)
		}
		if g.Schedule.EndTime() <= now {
			k.release(ctx, &g)
			continue
		}
		live++
	}
	if live >= MaxLiveGrants {
		return 0, ErrTooManyGrants.Wrapf("%s already has %d grants of %s still vesting, the most an account may have", m.Grantee, live, m.Amount.Denom)
	}
	if k.compliance != nil {
		d := k.compliance.Check(ctx, m.Grantor, m.Grantee, m.Amount)
		if d.Outcome == compliance.OutcomeReject || d.Outcome == compliance.OutcomeHold {
			return 0, ErrRefused.Wrapf("%s by rule %s (%s, %s): %s", d.Outcome, d.Rule, d.Scope, d.Kind, d.Reason)
		}
	}
	if err := k.bank.Send(ctx, m.Grantor, m.Grantee, m.Amount); err != nil {
		return 0, err
	}
	id := k.Sequence(ctx) + 1
	store.SetRecord(k.st(ctx), keySeq, id)
	g := Grant{ID: id, Grantor: m.Grantor, Grantee: m.Grantee, Amount: m.Amount, Schedule: s, Clawback: m.Clawback, Memo: m.Memo,
		Status: StatusVesting, CreatedHeight: ctx.Height, CreatedTime: now}
	k.put(ctx, &g)
	k.index(ctx, &g)
	ctx.Emit(chain.NewEvent("vesting.granted", "grant", chain.Uint(id), "grantor", m.Grantor.String(), "grantee", m.Grantee.String(),
		"amount", m.Amount.String(), "kind", s.Kind, "start", chain.Uint(s.Start), "cliff", chain.Uint(s.Cliff),
		"end", chain.Uint(s.EndTime()), "clawback", fmt.Sprint(m.Clawback), "locked", chain.Uint(g.Locked(now))))
	return id, nil
}

func (k Keeper) index(ctx chain.Context, g *Grant) {
	k.st(ctx).Set(accountKey(g.Grantee, g.ID), marker)
	if g.Status == StatusVesting {
		k.setLive(ctx, g)
		k.st(ctx).Set(dueKey(g.Schedule.EndTime(), g.ID), marker)
	}
}

// Clawback returns the unvested part of a grant to its grantor; the vested part stays.
func (k Keeper) Clawback(ctx chain.Context, m *MsgClawback) (coin.Amount, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	g, ok := k.Grant(ctx, m.Grant)
	if !ok {
		return 0, ErrUnknownGrant.Wrapf("no grant %d", m.Grant)
	}
	if g.Grantor != m.Grantor {
		return 0, ErrNotGrantor.Wrapf("grant %d was made by %s, not %s", g.ID, g.Grantor, m.Grantor)
	}
	if !g.Clawback {
		return 0, ErrNoClawback.Wrapf("grant %d was made without clawback: it vests to %s as scheduled", g.ID, g.Grantee)
	}
	if g.Status == StatusClawedBack {
		return 0, ErrNothingUnvested.Wrapf("grant %d was already clawed back at %s", g.ID, chain.Unix(g.ClawedAt))
	}
	now := ctx.Time.Unix()
	unvested := g.Locked(now)
	if unvested == 0 {
		return 0, ErrNothingUnvested.Wrapf("grant %d has fully vested (%s at %s)", g.ID, g.Amount, chain.Unix(g.Schedule.EndTime()))
	}
	vested := g.Vested(now)
	// The record first: the returned tokens are no longer locked when bank moves them.
	wasLive := g.Status == StatusVesting
	g.Status, g.ClawedBack, g.ClawedAt, g.Reason = StatusClawedBack, unvested, now, m.Reason
	k.put(ctx, &g)
	if wasLive {
		k.dropLive(ctx, &g)
		k.st(ctx).Delete(dueKey(g.Schedule.EndTime(), g.ID))
	}
	back := coin.New(g.Amount.Denom, unvested)
	if err := k.bank.Send(ctx, g.Grantee, g.Grantor, back); err != nil {
		return 0, err
	}
	ctx.Emit(chain.NewEvent("vesting.clawed_back", "grant", chain.Uint(g.ID), "grantor", g.Grantor.String(), "grantee", g.Grantee.String(),
		"returned", back.String(), "vested_kept", coin.New(g.Amount.Denom, vested).String(), "reason", m.Reason))
	return unvested, nil
}

// EndBlock releases the grants whose schedule ended at or before the block time (at most
// MaxReleasesPerBlock; the rest at the end of the next blocks; an ended grant locks nothing
// meanwhile): each is marked vested and leaves the live indexes.
func (k Keeper) EndBlock(ctx chain.Context) error {
	if ctx.Time.Unix() < 0 {
		return nil
	}
	end := store.Key(keyDue, store.Uint64Key(uint64(ctx.Time.Unix())+1))
	var ids []uint64
	it := k.st(ctx).Iterator(keyDue, end)
	for ; it.Valid() && len(ids) < MaxReleasesPerBlock; it.Next() {
		ids = append(ids, binary.BigEndian.Uint64(it.Key()[len(it.Key())-8:]))
	}
	it.Close()
	for _, id := range ids {
		g, ok := k.Grant(ctx, id)
		if !ok || g.Status != StatusVesting {
			return fmt.Errorf("vesting: due index names grant %d, which is not vesting", id)
		}
		k.release(ctx, &g)
	}
	return nil
}
