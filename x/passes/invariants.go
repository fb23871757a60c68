package passes

import (
	"encoding/binary"
	"fmt"
	"maps"
	"slices"

	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
)

// Invariants: the accounting (per project and cash denom deferred + earned + refunded = sold;
// sold is what the passes were paid, deferred what they still defer; the escrow holds exactly the
// deferred revenue), the classes and passes (sold within the supply, uses within the class's,
// deferred as the uses say, no redemption after the validity end, statuses consistent), and the
// indexes and queues.
func (m *Module) Invariants() []chain.Invariant {
	k := m.Keeper
	return []chain.Invariant{
		{Name: "passes/accounting", Check: func(ctx chain.Context) error { return k.checkAccounting(ctx) }},
		{Name: "passes/passes", Check: func(ctx chain.Context) error { return k.checkPasses(ctx) }},
		{Name: "passes/indexes", Check: func(ctx chain.Context) error { return k.checkIndexes(ctx) }},
	}
}

func each[T any](k Keeper, ctx chain.Context, prefix []byte, fn func(key []byte, v T) error) error {
	it := k.st(ctx).Iterator(prefix, store.PrefixEnd(prefix))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		var v T
		canon.MustDecode(it.Value(), &v)
		if err := fn(it.Key()[len(prefix):], v); err != nil {
			return err
		}
	}
	return nil
}

type acct struct{ project, denom string }

// checkEscrow compares the escrow's balances with the deferred revenue per denom.
func (k Keeper) checkEscrow(ctx chain.Context, want map[string]coin.Amount) error {
	have := map[string]bool{}
	for _, b := range k.bank.Balances(ctx, EscrowAccount) {
		have[b.Denom] = true
		if b.Amount != want[b.Denom] {
			return fmt.Errorf("the escrow holds %s, the deferred revenue is %s", b, coin.New(b.Denom, want[b.Denom]))
		}
	}
	for _, d := range slices.Sorted(maps.Keys(want)) {
		if !have[d] && want[d] != 0 {
			return fmt.Errorf("the escrow holds no %s, the deferred revenue is %s", d, coin.New(d, want[d]))
		}
	}
	return nil
}

func (k Keeper) checkAccounting(ctx chain.Context) error {
	classes := map[uint64]Class{}
	if err := each(k, ctx, keyClass, func(_ []byte, c Class) error { classes[c.ID] = c; return nil }); err != nil {
		return err
	}
	deferred, paid := map[acct]coin.Amount{}, map[acct]coin.Amount{}
	err := each(k, ctx, keyPass, func(_ []byte, p Pass) error {
		c, ok := classes[p.Class]
		if !ok {
			return fmt.Errorf("pass %d of class %d, which does not exist", p.ID, p.Class)
		}
		key := acct{c.Project, p.Paid.Denom}
		var err error
		if deferred[key], err = deferred[key].Add(p.Deferred); err != nil {
			return fmt.Errorf("deferred revenue of %s in %s overflows", key.project, key.denom)
		}
		if paid[key], err = paid[key].Add(p.Paid.Amount); err != nil {
			return fmt.Errorf("revenue of %s in %s overflows", key.project, key.denom)
		}
		return nil
	})
	if err != nil {
		return err
	}
	escrow := map[string]coin.Amount{}
	seen := map[acct]bool{}
	err = each(k, ctx, keyRevenue, func(_ []byte, r Revenue) error {
		key := acct{r.Project, r.Denom}
		seen[key] = true
		if err := checkRevenue(r); err != nil {
			return err
		}
		if paid[key] != r.Sold {
			return fmt.Errorf("revenue of %s in %s: %d sold, its passes were paid %d", r.Project, r.Denom, r.Sold, paid[key])
		}
		if deferred[key] != r.Deferred {
			return fmt.Errorf("revenue of %s in %s: %d deferred, its passes defer %d", r.Project, r.Denom, r.Deferred, deferred[key])
		}
		var err error
		if escrow[r.Denom], err = escrow[r.Denom].Add(r.Deferred); err != nil {
			return fmt.Errorf("deferred revenue in %s overflows", r.Denom)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(seen) != len(paid) {
		for key := range paid { // the error names one of them; which one is not important
			if !seen[key] {
				return fmt.Errorf("passes of %s were paid in %s, but it has no revenue account of it", key.project, key.denom)
			}
		}
	}
	return k.checkEscrow(ctx, escrow)
}

func (k Keeper) checkPasses(ctx chain.Context) error {
	classSeq, passSeq := k.ClassSequence(ctx), k.PassSequence(ctx)
	classes := map[uint64]Class{}
	err := each(k, ctx, keyClass, func(key []byte, c Class) error {
		if id := binary.BigEndian.Uint64(key); id != c.ID || c.ID > classSeq {
			return fmt.Errorf("class under id %d says id %d (sequence %d)", id, c.ID, classSeq)
		}
		if err := checkClass(c); err != nil {
			return fmt.Errorf("class %d: %v", c.ID, err)
		}
		classes[c.ID] = c
		return nil
	})
	if err != nil {
		return err
	}
	sold := map[uint64]uint64{}
	err = each(k, ctx, keyPass, func(key []byte, p Pass) error {
		if id := binary.BigEndian.Uint64(key); id != p.ID || p.ID > passSeq {
			return fmt.Errorf("pass under id %d says id %d (sequence %d)", id, p.ID, passSeq)
		}
		c, ok := classes[p.Class]
		if !ok {
			return fmt.Errorf("pass %d of class %d, which does not exist", p.ID, p.Class)
		}
		_, end, _ := k.window(ctx, c)
		if err := checkPass(p, c, end); err != nil {
			return fmt.Errorf("pass %d: %v", p.ID, err)
		}
		sold[c.ID]++
		return nil
	})
	if err != nil {
		return err
	}
	return each(k, ctx, keyClass, func(_ []byte, c Class) error {
		if sold[c.ID] != c.Sold {
			return fmt.Errorf("class %d says %d sold, %d passes exist", c.ID, c.Sold, sold[c.ID])
		}
		return nil
	})
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

func (k Keeper) checkIndexes(ctx chain.Context) error {
	st := k.st(ctx)
	var classes, lates, expiries int
	active := map[uint64]int{}
	var passes, actives int
	err := each(k, ctx, keyPass, func(_ []byte, p Pass) error {
		passes++
		if !st.Has(holderKey(p.Holder, p.ID)) || !st.Has(ofClassKey(p.Class, p.ID)) {
			return fmt.Errorf("pass %d is not indexed under its holder %s and its class %d", p.ID, p.Holder, p.Class)
		}
		if isActive := p.Status == PassActive; st.Has(activeKey(p.Class, p.ID)) != isActive {
			return fmt.Errorf("pass %d is %s; in the active index: %v", p.ID, p.Status, !isActive)
		}
		if p.Status == PassActive {
			actives++
			active[p.Class]++
		}
		return nil
	})
	if err != nil {
		return err
	}
	perProject := map[string]int{}
	err = each(k, ctx, keyClass, func(_ []byte, c Class) error {
		classes++
		if perProject[c.Project]++; perProject[c.Project] > MaxClassesPerProject {
			return fmt.Errorf("project %s has more than %d classes", c.Project, MaxClassesPerProject)
		}
		if !st.Has(projClassKey(c.Project, c.ID)) {
			return fmt.Errorf("class %d is not indexed under its project %s", c.ID, c.Project)
		}
		opened := k.Service(ctx, c.Project).Opened
		waits := waitsForOpening(&c, opened)
		if c.PromisedOpening != 0 && st.Has(lateKey(c.PromisedOpening, c.ID)) != waits {
			return fmt.Errorf("class %d is %s, service opened at %d; in the late queue: %v", c.ID, c.Status, opened, !waits)
		}
		if waits {
			lates++
		}
		_, end, known := c.Window(opened)
		if known && st.Has(expiryKey(end, c.ID)) {
			expiries++
		} else if active[c.ID] > 0 && known {
			return fmt.Errorf("class %d has %d active passes but is not queued to expire at its end %s", c.ID, active[c.ID], chain.Unix(end))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range []struct {
		what   string
		prefix []byte
		want   int
	}{
		{"project class index", keyProjCls, classes}, {"holder index", keyHolder, passes}, {"class index", keyOfClass, passes},
		{"active index", keyActive, actives}, {"late queue", keyLate, lates}, {"expiry queue", keyExpiry, expiries},
	} {
		if n := k.count(ctx, c.prefix); n != c.want {
			return fmt.Errorf("%d entries in the %s, want %d", n, c.what, c.want)
		}
	}
	return nil
}
