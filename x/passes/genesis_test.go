package passes_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain/chaintest"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/passes"
)

// rich builds a state with a class in every status and a pass in every status: A (from_opening,
// refund) on sale with used-up, partly used, transferred and unused passes; B (fixed, unlimited)
// expired; C (from_opening, extend) closed; D (fixed, 3 uses, refund) late with a refunded pass
// and a pass used after the late opening. The service opened at day 6; the block time is day 20
// + 1 s.
func rich(t testing.TB) (e *env, a, b, c, d uint64) {
	e = newEnv(t)
	a = e.create(classMsg())
	m := classMsg()
	m.Uses, m.Price = 0, coin.New(cash, 700)
	m.Validity = passes.Validity{Kind: passes.ValidityFixed, Start: at(0), End: at(20 * day)}
	m.PromisedOpening, m.Late, m.ComplianceAsset = 0, passes.LatePolicy{}, ""
	b = e.create(m)
	m = classMsg()
	m.Late = passes.LatePolicy{Policy: passes.LateExtend, ExtendBy: 7 * day}
	m.Creator, m.Transferable = spv, false
	c = e.create(m)
	m = classMsg()
	m.Uses, m.Price = 3, coin.New(cash, 1_001)
	m.Validity = passes.Validity{Kind: passes.ValidityFixed, Start: at(0), End: at(90 * day)}
	m.PromisedOpening = at(5 * day)
	d = e.create(m)
	pa := e.buy(alice, a, 3)
	e.buy(bob, a, 2)
	pb := e.buy(bob, b, 2)
	e.buy(alice, c, 1)
	e.ok(&passes.MsgCloseSale{Actor: spv, Class: c})
	pd := e.buy(alice, d, 2)
	// D has a promised opening: its passes are usable only once the service opens.
	e.fails(redeem(use(aliceK, pd[1], 1, at(0))), passes.ErrNotOpen, "has not opened")
	e.setTime(at(5*day) + 1)
	e.endBlock()
	e.ok(&passes.MsgClaimRefund{Holder: alice, Pass: pd[0]})
	e.setTime(at(6 * day))
	e.open(at(6 * day))
	var batch []passes.Use
	for s := uint32(1); s <= 10; s++ {
		batch = append(batch, use(aliceK, pa[0], s, at(6*day)))
	}
	for s := uint32(1); s <= 3; s++ {
		batch = append(batch, use(aliceK, pa[1], s, at(6*day)))
	}
	batch = append(batch, use(bobK, pb[0], 1, at(6*day)), use(bobK, pb[0], 2, at(6*day)), use(aliceK, pd[1], 1, at(6*day)))
	e.ok(redeem(batch...))
	e.ok(&passes.MsgTransfer{From: alice, To: bob, Pass: pa[2]})
	e.setTime(at(20*day) + 1)
	e.endBlock()
	return e, a, b, c, d
}

func exportOf(t testing.TB, e *env) (passes.Genesis, []byte) {
	t.Helper()
	raw, err := e.m.ExportGenesis(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var g passes.Genesis
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	return g, raw
}

// fresh is a new env at e's block time whose escrow holds what e's does (bank's genesis would).
func fresh(t testing.TB, e *env) *env {
	t.Helper()
	f := newEnv(t)
	f.ctx.Time, f.ctx.Height = e.ctx.Time, e.ctx.Height
	if amt := e.bal(escrow); amt > 0 {
		if err := f.bank.Send(f.ctx, alice, escrow, coin.New(cash, amt)); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestGenesisRoundTrip(t *testing.T) {
	e, _, _, _, _ := rich(t)
	g, raw := exportOf(t, e)
	statuses := map[string]bool{}
	for _, p := range g.Passes {
		statuses[p.Status] = true
	}
	for _, c := range g.Classes {
		statuses[c.Status] = true
	}
	for _, s := range []string{passes.PassActive, passes.PassUsedUp, passes.PassExpired, passes.PassRefunded, passes.ClassOnSale, passes.ClassClosed, passes.ClassLate} {
		if !statuses[s] {
			t.Fatalf("the rich state has no %s record", s)
		}
	}
	if len(g.Services) != 1 || len(g.Revenue) != 1 {
		t.Fatalf("services %v, revenue %v", g.Services, g.Revenue)
	}
	f := fresh(t, e)
	if err := f.m.InitGenesis(f.ctx, raw); err != nil {
		t.Fatal(err)
	}
	f.invariants()
	_, again := exportOf(t, f)
	if !bytes.Equal(raw, again) {
		t.Fatalf("round trip differs:\n%s\n%s", raw, again)
	}
	// The rebuilt queues do the same work: both states end the same way.
	for _, x := range []*env{e, f} {
		x.setTime(at(400 * day))
		x.endBlock()
		x.setTime(at(400*day) + 5)
		x.endBlock()
	}
	_, a1 := exportOf(t, e)
	_, a2 := exportOf(t, f)
	if !bytes.Equal(a1, a2) {
		t.Fatalf("after the same blocks:\n%s\n%s", a1, a2)
	}
	if f.revenue().Deferred != 0 {
		t.Fatalf("deferred left after every validity ended: %+v", f.revenue())
	}
}

func TestGenesisRefusals(t *testing.T) {
	e, a, _, _, _ := rich(t)
	for _, tc := range []struct {
		name string
		edit func(g *passes.Genesis)
		in   string
	}{
		{"revenue sum", func(g *passes.Genesis) { g.Revenue[0].Earned++ }, "≠ sold"},
		{"revenue deferred", func(g *passes.Genesis) { g.Revenue[0].Deferred++; g.Revenue[0].Sold++ }, "sold"},
		{"no revenue", func(g *passes.Genesis) { g.Revenue = nil }, "no revenue account"},
		{"pass deferred", func(g *passes.Genesis) { g.Passes[len(g.Passes)-1].Deferred-- }, "deferred"},
		{"pass uses", func(g *passes.Genesis) { g.Passes[0].Used = 11 }, "uses"},
		{"pass holder module", func(g *passes.Genesis) { g.Passes[1].Holder = escrow }, "passes module"},
		{"pass of unknown class", func(g *passes.Genesis) { g.Passes[0].Class = 77 }, "class 77"},
		{"pass ids", func(g *passes.Genesis) { g.Passes[1].ID = g.Passes[0].ID }, "ids increase"},
		{"class sold", func(g *passes.Genesis) { g.Classes[0].Sold-- }, "sold"},
		{"class sequence", func(g *passes.Genesis) { g.ClassSequence = 1 }, "class_sequence"},
		{"class status", func(g *passes.Genesis) { g.Classes[0].Status = "open" }, "status"},
		{"class project", func(g *passes.Genesis) { g.Classes[0].Project = "no-such" }, "not a project"},
		{"class price", func(g *passes.Genesis) { g.Classes[0].Price.Denom = pass }, "not a cash asset"},
		{"class promise after its end", func(g *passes.Genesis) { g.Classes[3].PromisedOpening = g.Classes[3].Validity.End }, "not before the validity end"},
		{"service future", func(g *passes.Genesis) { g.Services[0].Opened = at(500 * day) }, "up to the genesis time"},
		{"service twice", func(g *passes.Genesis) { g.Services = append(g.Services, g.Services[0]) }, "twice"},
		{"redeemed after end", func(g *passes.Genesis) {
			for i := range g.Passes {
				if g.Passes[i].Class != a && g.Passes[i].LastUse != 0 && g.Passes[i].Status == passes.PassExpired {
					g.Passes[i].LastUse = at(21 * day)
				}
			}
		}, "after the validity end"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, _ := exportOf(t, e)
			tc.edit(&g)
			f := fresh(t, e)
			err := f.m.InitGenesis(f.ctx, chaintest.GenesisJSON(t, g))
			if err == nil || !strings.Contains(err.Error(), tc.in) {
				t.Fatalf("got %v, want an error saying %q", err, tc.in)
			}
		})
	}
	t.Run("escrow short", func(t *testing.T) {
		_, raw := exportOf(t, e)
		f := newEnv(t)
		f.ctx.Time = e.ctx.Time
		if err := f.m.InitGenesis(f.ctx, raw); err == nil || !strings.Contains(err.Error(), "the escrow holds no") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("unknown field", func(t *testing.T) {
		f := fresh(t, e)
		if err := f.m.InitGenesis(f.ctx, []byte(`{"classes":[],"extra":1}`)); err == nil {
			t.Fatal("unknown field accepted")
		}
	})
}

// TestInvariantsCatch: each invariant notices a corruption of the state it guards.
func TestInvariantsCatch(t *testing.T) {
	type corruption struct {
		name, inv, in string
		corrupt       func(e *env)
	}
	raw := func(e *env) store.KV { return e.ctx.Store(passes.StorePrefix) }
	setPass := func(e *env, id uint64, f func(p *passes.Pass)) {
		p := e.pass(id)
		f(&p)
		raw(e).Set(store.Key([]byte("p/"), store.Uint64Key(id)), canon.MustMarshal(&p))
	}
	setClass := func(e *env, id uint64, f func(c *passes.Class)) {
		c := e.class(id)
		f(&c)
		raw(e).Set(store.Key([]byte("c/"), store.Uint64Key(id)), canon.MustMarshal(&c))
	}
	for _, tc := range []corruption{
		{"revenue adds up", "passes/accounting", "≠ sold", func(e *env) {
			r := e.revenue()
			r.Earned++
			raw(e).Set(store.Key([]byte("r/"), []byte(bridge), []byte{0}, []byte(cash)), canon.MustMarshal(&r))
		}},
		{"escrow holds the deferred", "passes/accounting", "the escrow holds", func(e *env) {
			if err := e.bank.Send(e.ctx, alice, escrow, coin.New(cash, 1)); err != nil {
				t.Fatal(err)
			}
		}},
		{"passes defer the revenue", "passes/accounting", "its passes defer", func(e *env) {
			setPass(e, 2, func(p *passes.Pass) { p.Deferred -= 100 })
		}},
		{"uses within the class", "passes/passes", "uses", func(e *env) { setPass(e, 2, func(p *passes.Pass) { p.Used = 11 }) }},
		{"deferred as the uses say", "passes/passes", "deferred", func(e *env) {
			setPass(e, 2, func(p *passes.Pass) { p.Used, p.UsesLeft = 4, 6 })
		}},
		{"no redemption after the end", "passes/passes", "an expired pass was redeemed", func(e *env) {
			setPass(e, 6, func(p *passes.Pass) { p.LastUse = at(20*day) + 1 })
		}},
		{"sold within the supply", "passes/passes", "more than its cap", func(e *env) {
			setClass(e, 1, func(c *passes.Class) { c.MaxSupply = 4 })
		}},
		{"sold counts the passes", "passes/passes", "says 6 sold", func(e *env) { setClass(e, 1, func(c *passes.Class) { c.Sold = 6 }) }},
		{"holder index", "passes/indexes", "not indexed under its holder", func(e *env) {
			raw(e).Delete(store.Key([]byte("h/"), alice[:], store.Uint64Key(2)))
		}},
		{"active index", "passes/indexes", "in the active index", func(e *env) {
			raw(e).Delete(store.Key([]byte("a/"), store.Uint64Key(1), store.Uint64Key(2)))
		}},
		{"expiry queue", "passes/indexes", "not queued to expire", func(e *env) {
			it := raw(e).Iterator([]byte("x/"), store.PrefixEnd([]byte("x/")))
			var keys [][]byte
			for ; it.Valid(); it.Next() {
				keys = append(keys, append([]byte(nil), it.Key()...))
			}
			it.Close()
			for _, k := range keys {
				raw(e).Delete(k)
			}
		}},
		{"late queue", "passes/indexes", "late queue", func(e *env) {
			raw(e).Set(store.Key([]byte("l/"), store.Uint64Key(uint64(at(99*day))), store.Uint64Key(2)), []byte{1})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _, _, _, _ := rich(t)
			for _, i := range e.m.Invariants() {
				if i.Name == tc.inv {
					chaintest.InvariantCatches(t, i, e.ctx, func() { tc.corrupt(e) }, tc.in)
					return
				}
			}
			t.Fatalf("no invariant %s", tc.inv)
		})
	}
}
