package compliance

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
)

// Invariants: open holds add up to the hold account's balance per asset; frozen amounts stay;
// holdings and holder counts equal what balances and identity links give; every stored rule is
// valid; the open-hold indexes list exactly the open holds.
func (m *Module) Invariants() []chain.Invariant {
	k := m.Keeper
	return []chain.Invariant{
		{Name: "compliance/open-holds-equal-hold-account", Check: func(ctx chain.Context) error {
			sums, err := k.openHoldTotals(ctx)
			if err != nil {
				return err
			}
			for _, c := range k.bank.Balances(ctx, HoldAccount) {
				if sums[c.Denom] != c.Amount {
					return fmt.Errorf("hold account holds %s, open holds add up to %d", c, sums[c.Denom])
				}
				delete(sums, c.Denom)
			}
			denoms := make([]string, 0, len(sums))
			for d := range sums {
				denoms = append(denoms, d)
			}
			sort.Strings(denoms)
			for _, d := range denoms {
				if sums[d] != 0 {
					return fmt.Errorf("open holds of %s add up to %d, the hold account holds none", d, sums[d])
				}
			}
			return nil
		}},
		{Name: "compliance/frozen-amounts-stay", Check: func(ctx chain.Context) error {
			for _, f := range k.Freezes(ctx, "") {
				if bal := k.bank.Balance(ctx, f.Account, f.Asset); bal < f.Floor {
					return fmt.Errorf("%s holds %s but %d is frozen", f.Account, coin.New(f.Asset, bal), f.Floor)
				}
			}
			return nil
		}},
		{Name: "compliance/holder-accounting", Check: func(ctx chain.Context) error {
			want := map[string]coin.Amount{} // holdingKey → amount
			var err error
			k.bank.EachBalance(ctx, func(a address.Address, c coin.Coin) {
				if err != nil || !k.tracked(c.Denom, a) {
					return
				}
				key := string(holdingKey(c.Denom, k.holderOf(ctx, a)))
				s, e := want[key].Add(c.Amount)
				if e != nil {
					err = e
				}
				want[key] = s
			})
			if err != nil {
				return err
			}
			counts := map[string]uint64{}
			it := k.st(ctx).Iterator(keyHolding, store.PrefixEnd(keyHolding))
			defer it.Close()
			for ; it.Valid(); it.Next() {
				var v coin.Amount
				canon.MustDecode(it.Value(), &v)
				key := string(it.Key())
				if want[key] != v || v == 0 {
					return fmt.Errorf("holding %q is %d, balances give %d", key[len(keyHolding):], v, want[key])
				}
				delete(want, key)
				rest := it.Key()[len(keyHolding):]
				counts[string(rest[:bytes.IndexByte(rest, 0)])]++
			}
			keys := make([]string, 0, len(want))
			for key := range want {
				keys = append(keys, key)
			}
			sort.Strings(keys)
			if len(keys) > 0 {
				return fmt.Errorf("holding %q (%d) is not recorded", keys[0][len(keyHolding):], want[keys[0]])
			}
			ct := k.st(ctx).Iterator(keyHolders, store.PrefixEnd(keyHolders))
			defer ct.Close()
			for ; ct.Valid(); ct.Next() {
				var n uint64
				canon.MustDecode(ct.Value(), &n)
				asset := string(ct.Key()[len(keyHolders):])
				if counts[asset] != n {
					return fmt.Errorf("%s has %d holders recorded, %d hold it", asset, n, counts[asset])
				}
				delete(counts, asset)
			}
			left := make([]string, 0, len(counts))
			for asset := range counts {
				left = append(left, asset)
			}
			sort.Strings(left)
			if len(left) > 0 {
				return fmt.Errorf("%s: %d holders not counted", left[0], counts[left[0]])
			}
			return nil
		}},
		{Name: "compliance/rules-valid", Check: func(ctx chain.Context) error {
			for _, rs := range k.RuleSets(ctx) {
				for _, r := range rs.Rules {
					if err := r.Validate(rs.Asset, k.native); err != nil {
						return err
					}
				}
			}
			return nil
		}},
		{Name: "compliance/open-hold-index", Check: func(ctx chain.Context) error {
			open := 0
			it := k.st(ctx).Iterator(keyHold, store.PrefixEnd(keyHold))
			defer it.Close()
			for ; it.Valid(); it.Next() {
				var h Hold
				canon.MustDecode(it.Value(), &h)
				indexed := k.st(ctx).Has(store.Key(keyHoldOpen, store.Uint64Key(h.ID)))
				due := k.st(ctx).Has(dueKey(h.Deadline, h.ID))
				if (h.Status == HoldOpen) != indexed || indexed != due {
					return fmt.Errorf("hold %d is %s but open index %v, deadline index %v", h.ID, h.Status, indexed, due)
				}
				if indexed {
					open++
				}
			}
			n := 0
			dt := k.st(ctx).Iterator(keyHoldDue, store.PrefixEnd(keyHoldDue))
			defer dt.Close()
			for ; dt.Valid(); dt.Next() {
				n++
			}
			if n != open {
				return fmt.Errorf("%d deadline index entries for %d open holds", n, open)
			}
			return nil
		}},
	}
}
