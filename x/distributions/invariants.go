package distributions

import (
	"fmt"
	"math/bits"
	"sort"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
)

// Invariants: the history of every tracked asset ends at the current balances and supply; the
// escrow holds exactly what the distributions have not paid out or returned; every distribution's
// accounting is exact (paid + withheld + unclaimed + remainder = deposited, and the remainder is
// what the integer divisions left); the indexes match the records.
func (m *Module) Invariants() []chain.Invariant {
	k := m.Keeper
	return []chain.Invariant{
		{Name: "distributions/history-matches-balances", Check: k.checkHistory},
		{Name: "distributions/escrow-equals-outstanding", Check: k.checkEscrow},
		{Name: "distributions/conservation", Check: k.checkConservation},
		{Name: "distributions/indexes", Check: k.checkIndexes},
	}
}

func (k Keeper) checkHistory(ctx chain.Context) error {
	tracked := map[string]bool{}
	for _, t := range k.TrackedAssets(ctx) {
		tracked[t.Denom] = true
	}
	// The last entry of each (asset, account) must be the account's balance now.
	seen := map[string]bool{}
	var err error
	var cur HistoryEntry
	have := false
	flush := func() {
		if !have || err != nil {
			return
		}
		if bal := k.bank.Balance(ctx, cur.Address, cur.Asset); bal != cur.Amount {
			err = fmt.Errorf("history of %s ends at %d for %s (height %d); the balance is %d", cur.Asset, cur.Amount, cur.Address, cur.Height, bal)
		}
		seen[cur.Asset+"\x00"+string(cur.Address[:])] = true
	}
	k.eachHistory(ctx, keyHistory, func(e HistoryEntry) {
		if err != nil {
			return
		}
		if !tracked[e.Asset] {
			err = fmt.Errorf("balance history of %s, which is not tracked", e.Asset)
			return
		}
		if e.Height > ctx.Height {
			err = fmt.Errorf("history of %s for %s at height %d, after the current height %d", e.Asset, e.Address, e.Height, ctx.Height)
			return
		}
		if have && (e.Asset != cur.Asset || e.Address != cur.Address) {
			flush()
		}
		cur, have = e, true
	})
	flush()
	if err != nil {
		return err
	}
	k.bank.EachBalance(ctx, func(a address.Address, c coin.Coin) {
		if err == nil && tracked[c.Denom] && c.Amount != 0 && !seen[c.Denom+"\x00"+string(a[:])] {
			err = fmt.Errorf("%s holds %s but has no balance history", a, c)
		}
	})
	if err != nil {
		return err
	}
	// Supply likewise.
	last := map[string]coin.Amount{}
	k.eachSupply(ctx, keySupply, func(e SupplyEntry) {
		if err != nil {
			return
		}
		if !tracked[e.Asset] {
			err = fmt.Errorf("supply history of %s, which is not tracked", e.Asset)
			return
		}
		if e.Height > ctx.Height {
			err = fmt.Errorf("supply history of %s at height %d, after the current height %d", e.Asset, e.Height, ctx.Height)
		}
		last[e.Asset] = e.Amount
	})
	if err != nil {
		return err
	}
	for _, t := range k.TrackedAssets(ctx) {
		if s := k.bank.Supply(ctx, t.Denom); last[t.Denom] != s {
			return fmt.Errorf("supply history of %s ends at %d; the supply is %d", t.Denom, last[t.Denom], s)
		}
	}
	return nil
}

func (k Keeper) eachDistribution(ctx chain.Context, fn func(d Distribution) error) error {
	it := k.st(ctx).Iterator(keyDist, store.PrefixEnd(keyDist))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		var d Distribution
		canon.MustDecode(it.Value(), &d)
		if err := fn(d); err != nil {
			return err
		}
	}
	return nil
}

func (k Keeper) checkEscrow(ctx chain.Context) error {
	owed := map[string]coin.Amount{}
	err := k.eachDistribution(ctx, func(d Distribution) error {
		out, err := d.Amount.Amount.Sub(d.Paid)
		if err == nil {
			out, err = out.Sub(d.Withheld)
		}
		if err == nil {
			out, err = out.Sub(d.Reclaimed)
		}
		if err == nil {
			owed[d.Amount.Denom], err = owed[d.Amount.Denom].Add(out)
		}
		if err != nil {
			return fmt.Errorf("distribution %d: paid %d + withheld %d + reclaimed %d exceed the deposit %s", d.ID, d.Paid, d.Withheld, d.Reclaimed, d.Amount)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range k.bank.Balances(ctx, EscrowAccount) {
		if owed[c.Denom] != c.Amount {
			return fmt.Errorf("escrow holds %s; the distributions have %d%s outstanding", c, owed[c.Denom], c.Denom)
		}
		delete(owed, c.Denom)
	}
	denoms := make([]string, 0, len(owed))
	for d := range owed {
		denoms = append(denoms, d)
	}
	sort.Strings(denoms)
	for _, d := range denoms {
		if owed[d] != 0 {
			return fmt.Errorf("escrow holds no %s; the distributions have %d%s outstanding", d, owed[d], d)
		}
	}
	return nil
}

// exact checks ClaimedBalance × Amount = (Paid + Withheld + Remainder) × Supply + RemainderNum in
// 128 bits: every payment was floor(balance × amount / supply) and the remainders are all counted.
func exact(d Distribution) bool {
	hi1, lo1 := bits.Mul64(uint64(d.ClaimedBalance), uint64(d.Amount.Amount))
	s, c1 := bits.Add64(uint64(d.Paid), uint64(d.Withheld), 0)
	s, c2 := bits.Add64(s, uint64(d.Remainder), 0)
	if c1 != 0 || c2 != 0 {
		return false
	}
	hi2, lo2 := bits.Mul64(s, uint64(d.Supply))
	lo2, c := bits.Add64(lo2, uint64(d.RemainderNum), 0)
	hi2 += c
	return hi1 == hi2 && lo1 == lo2
}

func (k Keeper) checkConservation(ctx chain.Context) error {
	return k.eachDistribution(ctx, func(d Distribution) error {
		out := d.Outstanding()
		switch {
		case d.Paid > d.Amount.Amount || d.Withheld > d.Amount.Amount-d.Paid || d.Reclaimed > d.Amount.Amount-d.Paid-d.Withheld:
			return fmt.Errorf("distribution %d: paid %d + withheld %d + reclaimed %d exceed the deposit %s", d.ID, d.Paid, d.Withheld, d.Reclaimed, d.Amount)
		case d.Status == StatusOpen && (d.Reclaimed != 0 || out < d.Remainder):
			return fmt.Errorf("distribution %d: open with %d outstanding, remainder %d, reclaimed %d: paid + withheld + unclaimed + remainder ≠ deposited", d.ID, out, d.Remainder, d.Reclaimed)
		case d.Status == StatusReclaimed && (out != 0 || d.Reclaimed < d.Remainder):
			return fmt.Errorf("distribution %d: reclaimed %d with %d still outstanding (remainder %d)", d.ID, d.Reclaimed, out, d.Remainder)
		case d.Status != StatusOpen && d.Status != StatusReclaimed:
			return fmt.Errorf("distribution %d: status %q", d.ID, d.Status)
		case d.Supply == 0 || d.RemainderNum >= d.Supply || d.ClaimedBalance > d.Supply:
			return fmt.Errorf("distribution %d: supply %d, remainder numerator %d, claimed balance %d", d.ID, d.Supply, d.RemainderNum, d.ClaimedBalance)
		case !exact(d):
			return fmt.Errorf("distribution %d: claimed balance %d × %d ≠ (paid %d + withheld %d + remainder %d) × supply %d + %d: the remainder is not what the divisions left",
				d.ID, d.ClaimedBalance, d.Amount.Amount, d.Paid, d.Withheld, d.Remainder, d.Supply, d.RemainderNum)
		}
		var gross, net, withheld, balance coin.Amount
		var n uint64
		p := store.Key(keyPayment, store.Uint64Key(d.ID))
		it := k.st(ctx).Iterator(p, store.PrefixEnd(p))
		defer it.Close()
		for ; it.Valid(); it.Next() {
			var pm Payment
			canon.MustDecode(it.Value(), &pm)
			if pm.Withheld > pm.Gross || pm.Net != pm.Gross-pm.Withheld || pm.Distribution != d.ID {
				return fmt.Errorf("payment of distribution %d to %s: gross %d, withheld %d, net %d", d.ID, pm.Holder, pm.Gross, pm.Withheld, pm.Net)
			}
			var e1, e2, e3, e4 error
			gross, e1 = gross.Add(pm.Gross)
			net, e2 = net.Add(pm.Net)
			withheld, e3 = withheld.Add(pm.Withheld)
			balance, e4 = balance.Add(pm.Balance)
			if e1 != nil || e2 != nil || e3 != nil || e4 != nil {
				return fmt.Errorf("payments of distribution %d overflow", d.ID)
			}
			n++
		}
		if net != d.Paid || withheld != d.Withheld || balance != d.ClaimedBalance || n != d.Payments {
			return fmt.Errorf("distribution %d records paid %d, withheld %d, %d payments for a balance of %d; its payments add up to %d, %d, %d for %d",
				d.ID, d.Paid, d.Withheld, d.Payments, d.ClaimedBalance, net, withheld, n, balance)
		}
		return nil
	})
}

func (k Keeper) checkIndexes(ctx chain.Context) error {
	st := k.st(ctx)
	scheduled, checkpoints := 0, 0
	it := st.Iterator(keyCheckpoint, store.PrefixEnd(keyCheckpoint))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		var c Checkpoint
		canon.MustDecode(it.Value(), &c)
		checkpoints++
		due := c.RecordTime > 0 && st.Has(dueKey(c.RecordTime, c.ID))
		if (c.Status == CheckpointScheduled) != due {
			return fmt.Errorf("checkpoint %d is %s, due index %v", c.ID, c.Status, due)
		}
		if due {
			scheduled++
		}
		if !st.Has(checkAssetKey(c.Asset, c.ID)) {
			return fmt.Errorf("checkpoint %d is not indexed under %s", c.ID, c.Asset)
		}
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
	if n := count(keyCheckDue); n != scheduled {
		return fmt.Errorf("%d due index entries for %d scheduled checkpoints", n, scheduled)
	}
	if n := count(keyCheckAsset); n != checkpoints {
		return fmt.Errorf("%d asset index entries for %d checkpoints", n, checkpoints)
	}
	dists := 0
	err := k.eachDistribution(ctx, func(d Distribution) error {
		dists++
		if !st.Has(distAssetKey(d.Asset, d.ID)) {
			return fmt.Errorf("distribution %d is not indexed under %s", d.ID, d.Asset)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if n := count(keyDistAsset); n != dists {
		return fmt.Errorf("%d asset index entries for %d distributions", n, dists)
	}
	var queued uint64
	qt := st.Iterator(keyQueue, store.PrefixEnd(keyQueue))
	defer qt.Close()
	for ; qt.Valid(); qt.Next() {
		var e PushEntry
		canon.MustDecode(qt.Value(), &e)
		if s := queueSeqOf(qt.Key()); e.Seq != s {
			return fmt.Errorf("queued payment under seq %d says seq %d", s, e.Seq)
		}
		queued++
	}
	if n := k.QueueLen(ctx); n != queued {
		return fmt.Errorf("push queue length %d, %d payments queued", n, queued)
	}
	return nil
}
