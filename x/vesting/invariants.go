package vesting

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
)

// Invariants: every grant adds up (vested + unvested = granted − clawed back); every account
// holds at least what its grants lock (locked tokens never moved); the indexes name exactly the
// grants they should. They judge locks at the latest block time (WithBlockTime).
func (m *Module) Invariants() []chain.Invariant {
	k := m.Keeper
	return []chain.Invariant{
		{Name: "vesting/grants", Check: func(ctx chain.Context) error { return k.checkGrants(m.at(ctx)) }},
		{Name: "vesting/locked-held", Check: func(ctx chain.Context) error { return k.checkHeld(m.at(ctx)) }},
		{Name: "vesting/indexes", Check: func(ctx chain.Context) error { return k.checkIndexes(m.at(ctx)) }},
	}
}

func (k Keeper) eachGrant(ctx chain.Context, fn func(g Grant) error) error {
	it := k.st(ctx).Iterator(keyGrant, store.PrefixEnd(keyGrant))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		var g Grant
		canon.MustDecode(it.Value(), &g)
		if id := binary.BigEndian.Uint64(it.Key()[len(keyGrant):]); id != g.ID {
			return fmt.Errorf("grant under id %d says id %d", id, g.ID)
		}
		if err := fn(g); err != nil {
			return err
		}
	}
	return nil
}

func (k Keeper) checkGrants(ctx chain.Context) error {
	t := ctx.Time.Unix()
	seq := k.Sequence(ctx)
	return k.eachGrant(ctx, func(g Grant) error {
		if g.ID == 0 || g.ID > seq {
			return fmt.Errorf("grant %d beyond the sequence %d", g.ID, seq)
		}
		if err := checkGrant(g); err != nil {
			return fmt.Errorf("grant %d: %v", g.ID, err)
		}
		v := g.Schedule.vested(g.Amount.Amount, t)
		if v > g.Amount.Amount {
			return fmt.Errorf("grant %d: %d vested of %s", g.ID, v, g.Amount)
		}
		vested, unvested := g.Vested(t), g.Locked(t)
		if sum, err := vested.Add(unvested); err != nil || sum != g.Amount.Amount-g.ClawedBack {
			return fmt.Errorf("grant %d: vested %d + unvested %d ≠ granted %d − clawed back %d", g.ID, vested, unvested, g.Amount.Amount, g.ClawedBack)
		}
		if g.Status == StatusVested && g.Schedule.EndTime() > t {
			return fmt.Errorf("grant %d is marked vested but its schedule ends at %s, after the block time %s", g.ID, chain.Unix(g.Schedule.EndTime()), chain.Unix(t))
		}
		return nil
	})
}

// checkHeld reads, for every account and denom with grants still vesting, the balance through
// bank: it must cover what is locked.
func (k Keeper) checkHeld(ctx chain.Context) error {
	t := ctx.Time.Unix()
	it := k.st(ctx).Iterator(keyLive, store.PrefixEnd(keyLive))
	defer it.Close()
	var prev []byte
	for ; it.Valid(); it.Next() {
		rest := it.Key()[len(keyLive):]
		if len(rest) < address.Len+2+8 {
			return fmt.Errorf("malformed live index key %x", it.Key())
		}
		head := rest[:len(rest)-8]
		if bytes.Equal(head, prev) {
			continue
		}
		prev = append(prev[:0], head...)
		a, _ := address.FromBytes(head[:address.Len])
		denom := string(head[address.Len : len(head)-1])
		li, err := k.Lock(ctx, a, denom, t)
		if err != nil {
			return err
		}
		if bal := k.bank.Balance(ctx, a, denom); bal < li.Locked {
			return fmt.Errorf("%s holds %s but its grants lock %s: locked tokens moved", a, coin.New(denom, bal), coin.New(denom, li.Locked))
		}
	}
	return nil
}

func (k Keeper) checkIndexes(ctx chain.Context) error {
	st := k.st(ctx)
	var grants, vesting int
	live := map[string]int{}
	err := k.eachGrant(ctx, func(g Grant) error {
		grants++
		if !st.Has(accountKey(g.Grantee, g.ID)) {
			return fmt.Errorf("grant %d is not indexed under its grantee %s", g.ID, g.Grantee)
		}
		inLive := st.Has(liveKey(g.Grantee, g.Amount.Denom, g.ID))
		inDue := st.Has(dueKey(g.Schedule.EndTime(), g.ID))
		isVesting := g.Status == StatusVesting
		if inLive != isVesting || inDue != isVesting {
			return fmt.Errorf("grant %d is %s; live index %v, due index %v", g.ID, g.Status, inLive, inDue)
		}
		if isVesting {
			vesting++
			key := string(g.Grantee[:]) + g.Amount.Denom
			live[key]++
			if live[key] > MaxLiveGrants {
				return fmt.Errorf("%s has more than %d grants of %s still vesting", g.Grantee, MaxLiveGrants, g.Amount.Denom)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	count := func(p []byte) int {
		n := 0
		it := st.Iterator(p, store.PrefixEnd(p))
		defer it.Close()
		for ; it.Valid(); it.Next() {
			n++
		}
		return n
	}
	if n := count(keyAccount); n != grants {
		return fmt.Errorf("%d account index entries for %d grants", n, grants)
	}
	if n := count(keyLive); n != vesting {
		return fmt.Errorf("%d live index entries for %d grants still vesting", n, vesting)
	}
	if n := count(keyDue); n != vesting {
		return fmt.Errorf("%d due index entries for %d grants still vesting", n, vesting)
	}
	// The live counts: one per (grantee, denom) with grants still vesting, equal to their number.
	if n := count(keyLiveN); n != len(live) {
		return fmt.Errorf("%d live counts for %d accounts and denoms with grants still vesting", n, len(live))
	}
	it := st.Iterator(keyLiveN, store.PrefixEnd(keyLiveN))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		var n uint64
		canon.MustDecode(it.Value(), &n)
		if key := string(it.Key()[len(keyLiveN):]); uint64(live[key]) != n {
			return fmt.Errorf("live count %d for %x, but %d grants still vesting", n, key, live[key])
		}
	}
	return nil
}
