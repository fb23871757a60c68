package offerings

import (
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
)

// Invariants: the escrow holds exactly the unsold tokens and the pending cash of the live
// offerings; every offering's totals are the sums of its subscriptions (subscribed ≤ hard cap,
// each subscription's cash is the price of its amount, per-investor tallies within the limits);
// the indexes list exactly what they index.
func (m *Module) Invariants() []chain.Invariant {
	k := m.Keeper
	return []chain.Invariant{
		{Name: "offerings/escrow-equals-live-offerings", Check: func(ctx chain.Context) error {
			want := map[string]coin.Amount{}
			var err error
			add := func(denom string, v coin.Amount) {
				if s, e := want[denom].Add(v); e != nil {
					err = e
				} else if v != 0 {
					want[denom] = s
				}
			}
			k.eachOffering(ctx, func(o *Offering) {
				if Live(o.Status) {
					add(o.Security, o.InEscrow())
					add(o.Cash, o.CashEscrowed)
				}
			})
			if err != nil {
				return err
			}
			for _, c := range k.bank.Balances(ctx, EscrowAccount) {
				if want[c.Denom] != c.Amount {
					return fmt.Errorf("escrow holds %s, live offerings account for %s", c, coin.New(c.Denom, want[c.Denom]))
				}
				delete(want, c.Denom)
			}
			left := make([]string, 0, len(want))
			for d := range want {
				left = append(left, d)
			}
			sort.Strings(left)
			if len(left) > 0 {
				return fmt.Errorf("live offerings account for %s, the escrow holds none", coin.New(left[0], want[left[0]]))
			}
			return nil
		}},
		{Name: "offerings/subscriptions-add-up", Check: func(ctx chain.Context) error {
			var err error
			var n uint64
			k.eachOffering(ctx, func(o *Offering) {
				if err != nil {
					return
				}
				t := &totals{}
				p := subPrefix(o.ID)
				it := k.st(ctx).Iterator(p, store.PrefixEnd(p))
				for ; it.Valid(); it.Next() {
					var s Subscription
					canon.MustDecode(it.Value(), &s)
					if s.Offering != o.ID || string(it.Key()[len(p):]) != string(s.Investor[:]) {
						t.err = fmt.Errorf("subscription record %x holds the subscription of %s to offering %d", it.Key(), s.Investor, s.Offering)
					}
					t.add(o, &s)
				}
				it.Close()
				n += t.count
				if err = t.check(o); err != nil {
					return
				}
				err = k.checkTallies(ctx, o, t.tallies)
			})
			if err != nil {
				return err
			}
			all := uint64(0)
			it := k.st(ctx).Iterator(keySub, store.PrefixEnd(keySub))
			defer it.Close()
			for ; it.Valid(); it.Next() {
				all++
			}
			if all != n {
				return fmt.Errorf("%d subscription records, %d belong to known offerings", all, n)
			}
			return nil
		}},
		{Name: "offerings/indexes", Check: func(ctx chain.Context) error {
			var err error
			due, work, bySec := 0, 0, 0
			k.eachOffering(ctx, func(o *Offering) {
				if err != nil {
					return
				}
				st := k.st(ctx)
				isDue, isWork := st.Has(dueKey(o.End, o.ID)), st.Has(workKey(o.ID))
				if isDue != (o.Status == StatusOpen) || isWork != working(o.Status) {
					err = fmt.Errorf("offering %d is %s but due index %v, work index %v", o.ID, o.Status, isDue, isWork)
					return
				}
				if !st.Has(securityKey(o.Security, o.ID)) {
					err = fmt.Errorf("offering %d is missing from the index of %s", o.ID, o.Security)
					return
				}
				if o.ID > k.Sequence(ctx) {
					err = fmt.Errorf("offering %d is above the sequence %d", o.ID, k.Sequence(ctx))
					return
				}
				due += b2i(isDue)
				work += b2i(isWork)
				bySec++
			})
			if err != nil {
				return err
			}
			for _, c := range []struct {
				name   string
				prefix []byte
				want   int
			}{{"due", keyDue, due}, {"work", keyWork, work}, {"security", keySecurity, bySec}} {
				if got := k.count(ctx, c.prefix); got != c.want {
					return fmt.Errorf("%d entries in the %s index for %d offerings", got, c.name, c.want)
				}
			}
			it := k.st(ctx).Iterator(keyInvestor, store.PrefixEnd(keyInvestor))
			defer it.Close()
			n := 0
			for ; it.Valid(); it.Next() {
				key := it.Key()[len(keyInvestor):]
				var a [20]byte
				copy(a[:], key)
				id := binary.BigEndian.Uint64(key[20:])
				if _, ok := k.Subscription(ctx, id, a); !ok {
					return fmt.Errorf("investor index lists a subscription of %x to offering %d that does not exist", a, id)
				}
				n++
			}
			if subs := k.count(ctx, keySub); subs != n {
				return fmt.Errorf("%d entries in the investor index for %d subscriptions", n, subs)
			}
			return nil
		}},
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (k Keeper) count(ctx chain.Context, prefix []byte) int {
	it := k.st(ctx).Iterator(prefix, store.PrefixEnd(prefix))
	defer it.Close()
	n := 0
	for ; it.Valid(); it.Next() {
		n++
	}
	return n
}

func (k Keeper) eachOffering(ctx chain.Context, fn func(o *Offering)) {
	it := k.st(ctx).Iterator(keyOffering, store.PrefixEnd(keyOffering))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		var o Offering
		canon.MustDecode(it.Value(), &o)
		fn(&o)
	}
}

// checkTallies compares offering o's stored per-investor tallies with the sums of its
// subscriptions, and each with the per-investor maximum.
func (k Keeper) checkTallies(ctx chain.Context, o *Offering, want map[string]coin.Amount) error {
	max := o.MaxPerInvestor
	if max == 0 {
		max = o.HardCap
	}
	p := store.Key(keyTally, store.Uint64Key(o.ID))
	it := k.st(ctx).Iterator(p, store.PrefixEnd(p))
	defer it.Close()
	seen := 0
	for ; it.Valid(); it.Next() {
		who := string(it.Key()[len(p):])
		var v coin.Amount
		canon.MustDecode(it.Value(), &v)
		if v != want[who] {
			return fmt.Errorf("offering %d: %s's tally is %d, its subscriptions add up to %d", o.ID, who, v, want[who])
		}
		if v > max {
			return fmt.Errorf("offering %d: %s subscribed %d, above the maximum %d", o.ID, who, v, max)
		}
		if v < o.MinPerInvestor {
			return fmt.Errorf("offering %d: %s subscribed %d, below the minimum %d", o.ID, who, v, o.MinPerInvestor)
		}
		seen++
	}
	if seen != len(want) {
		return fmt.Errorf("offering %d: %d tallies for %d investors", o.ID, seen, len(want))
	}
	return nil
}
