package offerings_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/chain/chaintest"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/offerings"
)

// ---- msgs ----

// fuzzMsgs are the seeds of FuzzDecodeMsg: one valid msg of each offerings type.
func fuzzMsgs() []tx.Msg {
	return []tx.Msg{
		openMsg(),
		&offerings.MsgSubscribe{Investor: alice, Offering: 1, Amount: 10_000},
		&offerings.MsgCancel{Issuer: issuer, Offering: 1, Reason: "permit withdrawn"},
	}
}

// FuzzDecodeMsg feeds arbitrary bytes to the chain's msg decoder as each offerings msg type (the
// first byte picks the type). Decoding never panics; a msg it accepts is valid, is the one
// canonical encoding of its value, and survives a JSON round trip (clients show and build msgs
// as JSON).
func FuzzDecodeMsg(f *testing.F) {
	protos := fuzzMsgs()
	reg := tx.NewRegistry()
	for _, m := range protos {
		reg.Register(m)
	}
	for i, m := range protos {
		b, err := canon.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		if err := m.Validate(); err != nil {
			f.Fatalf("seed %s: %v", m.MsgType(), err)
		}
		f.Add(append([]byte{byte(i)}, b...))
		f.Add(append([]byte{byte(i)}, b[:len(b)/2]...))
	}
	// Valid with the optional fields left out (no soft cap, no limits, the issuer as treasury).
	lean := &offerings.MsgOpen{Issuer: issuer, Security: sec, Cash: cash, PriceNum: 5, PriceDen: 4, HardCap: 10_000_000_000_000,
		Start: opens.Unix(), End: ends.Unix()}
	// Well-formed CBOR that validation refuses.
	bad := []tx.Msg{
		func() tx.Msg { m := openMsg(); m.PriceDen = 0; return m }(),
		func() tx.Msg { m := openMsg(); m.SoftCap = m.HardCap + 1; return m }(),
		func() tx.Msg { m := openMsg(); m.PriceNum = uint64(coin.MaxAmount); return m }(),
		func() tx.Msg { m := openMsg(); m.End = m.Start + offerings.MaxDuration + 1; return m }(),
		func() tx.Msg { m := openMsg(); m.Security = "u"; return m }(),
		&offerings.MsgSubscribe{Investor: alice, Offering: 0, Amount: 1},
		&offerings.MsgSubscribe{Investor: alice, Offering: 1, Amount: 0},
		&offerings.MsgCancel{Issuer: issuer, Offering: 1, Reason: strings.Repeat("x", offerings.MaxReasonLen+1)},
		&offerings.MsgCancel{Issuer: issuer, Offering: 1},
	}
	for _, m := range append([]tx.Msg{lean}, bad...) {
		b, err := canon.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		for i, p := range protos {
			if p.MsgType() == m.MsgType() {
				f.Add(append([]byte{byte(i)}, b...))
			}
		}
	}
	f.Add([]byte{0, 0xa0})                   // an empty map
	f.Add([]byte{1, 0xa3, 0x01, 0x40})       // an investor of the wrong length
	f.Add([]byte{2, 0xa1, 0x03, 0x62, 0xc3}) // truncated UTF-8
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		typ := protos[int(in[0])%len(protos)].MsgType()
		m, err := reg.DecodeMsg(tx.Any{Type: typ, Value: in[1:]})
		if err != nil {
			if codes.As(err) == nil {
				t.Fatalf("%s: an error without a code: %v", typ, err)
			}
			return
		}
		again, err := canon.Marshal(m)
		if err != nil || !bytes.Equal(again, in[1:]) {
			t.Fatalf("accepted %s re-encodes differently: %x vs %x (%v)", typ, again, in[1:], err)
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("accepted %s is invalid: %v", typ, err)
		}
		js, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("%s to JSON: %v", typ, err)
		}
		back := reflect.New(reflect.TypeOf(m).Elem()).Interface()
		if err := json.Unmarshal(js, back); err != nil || !reflect.DeepEqual(back, m) {
			t.Fatalf("%s does not survive JSON: %s → %+v (%v)", typ, js, back, err)
		}
	})
}

// ---- genesis ----

// branch is a fresh state branch over the base env's state.
func branch(base *env) chain.Context {
	return base.ctx.WithKV(store.NewCache(base.ctx.KV()))
}

// offeringsState is every offerings record of ctx, in key order.
func offeringsState(ctx chain.Context) []string {
	var out []string
	it := ctx.KV().Iterator(offerings.StorePrefix, store.PrefixEnd(offerings.StorePrefix))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		out = append(out, string(it.Key())+"="+string(it.Value()))
	}
	return out
}

// fundEscrow mints into the escrow what the live offerings of g hold there, as bank's genesis
// would; false when that much cannot exist (a supply would overflow).
func fundEscrow(base *env, ctx chain.Context, g offerings.Genesis) bool {
	need := map[string]coin.Amount{}
	var denoms []string
	for _, o := range g.Offerings {
		if !offerings.Live(o.Status) {
			continue
		}
		for _, c := range []coin.Coin{coin.New(o.Security, o.InEscrow()), coin.New(o.Cash, o.CashEscrowed)} {
			if _, seen := need[c.Denom]; !seen {
				denoms = append(denoms, c.Denom)
			}
			s, err := need[c.Denom].Add(c.Amount)
			if err != nil {
				return false
			}
			need[c.Denom] = s
		}
	}
	for _, d := range denoms {
		if need[d] == 0 {
			continue
		}
		if err := base.bank.Mint(ctx, escrow, coin.New(d, need[d])); err != nil {
			return false
		}
	}
	return true
}

func checkInvariants(t *testing.T, base *env, ctx chain.Context, when string) {
	t.Helper()
	for _, m := range base.mods {
		if err := chaintest.All(m).Check(ctx); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
	}
}

// runToEnd runs end blocks after every offering's end until each is final, checking the
// invariants after every block; the escrow must end empty.
func runToEnd(t *testing.T, base *env, ctx chain.Context, g offerings.Genesis) {
	t.Helper()
	now := ctx.Time.Unix()
	for _, o := range g.Offerings {
		now = max(now, o.End)
	}
	// Each block does at least one unit of work; an offering costs at most 1 (end) + 2 per
	// subscription (check, payout) + 1 (finish).
	limit := 2*len(g.Subscriptions) + 2*len(g.Offerings) + 2
	for b := 0; ; b++ {
		done := true
		for _, o := range g.Offerings {
			if cur, _ := base.k.Offering(ctx, o.ID); offerings.Live(cur.Status) {
				done = false
			}
		}
		if done {
			break
		}
		if b > limit {
			t.Fatalf("offerings not final after %d blocks", b)
		}
		bctx := ctx.WithKV(ctx.KV())
		bctx.Height, bctx.Time = ctx.Height+int64(b)+1, time.Unix(now+int64(b), 0).UTC()
		if err := base.m.EndBlock(bctx); err != nil {
			t.Fatalf("end block %d: %v", b, err)
		}
		checkInvariants(t, base, ctx, "after end block "+strconv.Itoa(b))
	}
	if left := base.bank.Balances(ctx, escrow); len(left) != 0 {
		t.Fatalf("every offering is final; the escrow still holds %v", left)
	}
}

// genesisTimeline runs offerings through their life with 3 units of work per block and exports
// the state at each step: A reaches its soft cap, B misses it, C is cancelled, D stays open.
func genesisTimeline(tb testing.TB) [][]byte {
	e := newEnv(tb)
	e.kycRule()
	g := offerings.DefaultGenesis()
	g.Params.PerBlock = 3
	if err := e.m.InitGenesis(e.ctx, chaintest.GenesisJSON(tb, g)); err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	export := func() {
		raw, err := e.m.ExportGenesis(e.ctx)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, raw)
	}
	export()
	a := e.open(func(m *offerings.MsgOpen) { m.SoftCap = 20_000 })
	b := e.open(func(m *offerings.MsgOpen) { m.SoftCap = 90_000 })
	c := e.open(nil)
	d := e.open(func(m *offerings.MsgOpen) {
		m.End = ends.Add(30 * 24 * time.Hour).Unix()
		m.MaxPerInvestor = 0
		m.Treasury = address.Address{}
	})
	e.at(opens)
	for _, id := range []uint64{a, b, c, d} {
		e.subscribe(alice, id, 10_000)
		e.subscribe(alice2, id, 1_001)
		e.subscribe(bob, id, 20_000)
		e.subscribe(carol, id, 3_000)
	}
	e.subscribe(alice, a, 7) // a top-up
	export()
	e.ok(&offerings.MsgCancel{Issuer: issuer, Offering: c, Reason: "permit withdrawn"})
	export()
	e.at(ends)
	for i := 0; i < 12; i++ {
		e.endBlock()
		export()
		e.at(e.ctx.Time.Add(5 * time.Second))
	}
	if o := e.offering(a); o.Status != offerings.StatusSettled {
		tb.Fatalf("offering a is %s", o.Status)
	}
	return out
}

// badGenesis are genesis states the import must refuse, each made from the open state of the
// timeline by one change.
func badGenesis(tb testing.TB, open []byte) [][]byte {
	var out [][]byte
	edit := func(fn func(g *offerings.Genesis)) {
		var g offerings.Genesis
		if err := json.Unmarshal(open, &g); err != nil {
			tb.Fatal(err)
		}
		fn(&g)
		raw, err := json.Marshal(g)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, raw)
	}
	sub := func(g *offerings.Genesis, id uint64, a address.Address) *offerings.Subscription {
		for i := range g.Subscriptions {
			if s := &g.Subscriptions[i]; s.Offering == id && s.Investor == a {
				return s
			}
		}
		tb.Fatalf("no subscription of %s to %d", a, id)
		return nil
	}
	// grow adds n to a's subscription to offering 1 (and to the offering's totals).
	grow := func(g *offerings.Genesis, a address.Address, n coin.Amount) {
		o, s := &g.Offerings[0], sub(g, 1, a)
		cost, _ := o.Cost(s.Amount + n)
		o.Subscribed += n
		o.CashEscrowed += cost - s.Cash
		s.Amount, s.Cash = s.Amount+n, cost
	}
	edit(func(g *offerings.Genesis) { g.Params.PerBlock = 0 })
	edit(func(g *offerings.Genesis) { g.Sequence = 2 })
	edit(func(g *offerings.Genesis) { g.Offerings[1].ID = 1 })
	edit(func(g *offerings.Genesis) { g.Offerings[0].Status = "pending" })
	edit(func(g *offerings.Genesis) { g.Offerings[0].PriceDen = 0 })
	edit(func(g *offerings.Genesis) { g.Offerings[0].Cash = "uusd" })
	edit(func(g *offerings.Genesis) { g.Offerings[0].Treasury = escrow })
	edit(func(g *offerings.Genesis) { g.Offerings[0].Subscribed++ })
	edit(func(g *offerings.Genesis) { g.Offerings[0].Returned = 1 })
	edit(func(g *offerings.Genesis) { g.Subscriptions[0].Cash-- })
	edit(func(g *offerings.Genesis) { g.Subscriptions[0].Offering = 9 })
	edit(func(g *offerings.Genesis) { g.Subscriptions[1] = g.Subscriptions[0] })
	edit(func(g *offerings.Genesis) { g.Subscriptions[0].CountedAs = "" })
	edit(func(g *offerings.Genesis) { g.Subscriptions[0].Status = offerings.SubSettled })
	// Above the per-investor maximum (50,000): alice's identity subscribed 11,008.
	edit(func(g *offerings.Genesis) { grow(g, alice, 40_000) })
	// Below the per-investor minimum (1,000).
	edit(func(g *offerings.Genesis) {
		o, s := &g.Offerings[0], sub(g, 1, carol)
		o.Subscribed -= 2_500
		o.CashEscrowed -= s.Cash
		s.Amount = 500
		s.Cash, _ = o.Cost(500)
		o.CashEscrowed += s.Cash
	})
	// A module account as investor: its tokens and cash would never leave the escrow.
	edit(func(g *offerings.Genesis) {
		s := sub(g, 1, bob)
		s.Investor, s.CountedAs = escrow, "account:"+escrow.String()
	})
	// A module account as issuer: the unsold tokens would stay in the escrow.
	edit(func(g *offerings.Genesis) { g.Offerings[0].Issuer = compliance.HoldAccount })
	// Eligibility counted before the end, or while closing but before the cursor: it would be
	// counted again (here: soft cap 34,008 = subscribed, eligible 34,007 + 10,007 + …).
	edit(func(g *offerings.Genesis) {
		o := &g.Offerings[0]
		o.SoftCap, o.Eligible = o.Subscribed, o.Subscribed-1
	})
	edit(func(g *offerings.Genesis) {
		o := &g.Offerings[0]
		o.Status, o.SoftCap, o.Eligible = offerings.StatusClosing, o.Subscribed, o.Subscribed-1
	})
	// Settling with a cursor past pending subscriptions: they would never be paid.
	edit(func(g *offerings.Genesis) {
		o := &g.Offerings[0]
		last := g.Subscriptions[3].Investor
		o.Status, o.Cursor, o.Eligible = offerings.StatusSettling, &last, o.Subscribed
	})
	out = append(out,
		[]byte(`{"params":{"per_block":500},"offerings":[],"subscriptions":[],"sequence":0,"extra":1}`),
		[]byte(`{"params":{"per_block":500}} {}`),
		[]byte(`{"offerings":[{"id":1,"soft_cap":100}]}`),
		[]byte(`{"sequence":-1}`),
		[]byte(`[]`),
		[]byte(``),
	)
	return out
}

// FuzzGenesis imports arbitrary JSON as offerings' genesis. The import fails cleanly or gives
// a state whose invariants hold (with the escrow funded as bank's genesis would), which exports
// and re-imports to the same records and the same JSON, and whose offerings all end (end
// blocks after their windows) with every invariant holding after every block and the escrow
// empty.
func FuzzGenesis(f *testing.F) {
	base := newEnv(f)
	timeline := genesisTimeline(f)
	for _, raw := range timeline {
		f.Add(raw)
	}
	for _, raw := range badGenesis(f, timeline[1]) {
		f.Add(raw)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"params":{"per_block":1},"sequence":7}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ctx := branch(base)
		if err := base.m.InitGenesis(ctx, raw); err != nil {
			if !strings.HasPrefix(err.Error(), "offerings genesis: ") {
				t.Fatalf("error does not say where: %v", err)
			}
			return
		}
		exported, err := base.m.ExportGenesis(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var g offerings.Genesis
		if err := json.Unmarshal(exported, &g); err != nil {
			t.Fatalf("export is not a genesis: %v", err)
		}
		if !fundEscrow(base, ctx, g) {
			return
		}
		checkInvariants(t, base, ctx, "after import")

		ctx2 := branch(base)
		if err := base.m.InitGenesis(ctx2, exported); err != nil {
			t.Fatalf("the export does not import: %v\n%s", err, exported)
		}
		again, err := base.m.ExportGenesis(ctx2)
		if err != nil || !bytes.Equal(again, exported) {
			t.Fatalf("export after re-import differs (%v):\n%s\n%s", err, exported, again)
		}
		if a, b := offeringsState(ctx), offeringsState(ctx2); !reflect.DeepEqual(a, b) {
			t.Fatalf("re-import wrote %d records, the import %d", len(b), len(a))
		}
		runToEnd(t, base, ctx, g)
	})
}

// ---- queries ----

// queryEnv is a state with offerings of two securities in several statuses.
func queryEnv(tb testing.TB) *env {
	e := newEnv(tb)
	e.ok(&assets.MsgCreate{Issuer: mallory, Denom: "utunnel", Kind: assets.KindSecurity, Name: "Tunnel notes", Symbol: "TUNNEL", Decimals: 6})
	e.ok(&assets.MsgMint{Issuer: mallory, Denom: "utunnel", Amount: 1_000_000})
	a := e.open(func(m *offerings.MsgOpen) { m.SoftCap = 10_000 })
	b := e.open(nil)
	c := e.open(func(m *offerings.MsgOpen) { m.Issuer, m.Security = mallory, "utunnel" })
	d := e.open(func(m *offerings.MsgOpen) { m.End = ends.Add(time.Hour).Unix() })
	e.at(opens)
	for _, id := range []uint64{a, b, c, d} {
		e.subscribe(alice, id, 10_000)
		e.subscribe(bob, id, 2_000)
		e.subscribe(dave, id, 1_000)
	}
	e.ok(&offerings.MsgCancel{Issuer: issuer, Offering: b, Reason: "withdrawn"})
	e.at(ends)
	e.endBlock()
	return e
}

// FuzzQuery sends arbitrary paths and query strings (the REST API's query parameters) to the
// module's queries. A query never panics; it fails with a coded error or answers JSON that
// obeys its filters and page size, in order.
func FuzzQuery(f *testing.F) {
	e := queryEnv(f)
	al, bo := alice.String(), bob.String()
	for _, s := range []struct{ path, data string }{
		{"params", ""},
		{"offering/1", ""},
		{"offering/0", ""},
		{"offering/99", ""},
		{"offering/x", ""},
		{"offerings", ""},
		{"offerings", "security=ubridge&status=settled&after=0&limit=2"},
		{"offerings", "security=utunnel"},
		{"offerings", "status=open&limit=500"},
		{"offerings", "after=2&limit=1"},
		{"offerings", "after=18446744073709551615"},
		{"offerings", "after=18446744073709551614"},
		{"offerings", "after=-1"},
		{"offerings", "limit=0"},
		{"offerings", "limit=501"},
		{"offerings", "status=bogus"},
		{"offerings", "colour=red"},
		{"offerings", "limit=1;after=2"},
		{"offerings", "security=%zz"},
		{"offerings", "security=ubridge%00%00%00%00"},
		{"offerings", "security=ubr"},
		{"subscriptions/1", ""},
		{"subscriptions/1", "after=" + al + "&limit=1"},
		{"subscriptions/1", "after=" + bo},
		{"subscriptions/1", "after=girder1xyz"},
		{"subscriptions/1", "status=open"},
		{"subscriptions/9", ""},
		{"subscription/1/" + al, ""},
		{"subscription/1/" + escrow.String(), ""},
		{"subscription/1/bogus", ""},
		{"investor/" + al, ""},
		{"investor/" + al, "after=1&limit=1"},
		{"investor/" + al, "after=x"},
		{"investor/nobody", ""},
		{"", ""},
		{"offering/1/extra", ""},
	} {
		f.Add(s.path, s.data)
	}
	f.Fuzz(func(t *testing.T, path, data string) {
		ctx := branch(e)
		v, q, limit := chaintest.FuzzQuery(t, e.m, ctx, offerings.ModuleName, path, data)
		if v == nil {
			return
		}
		switch ans := v.(type) {
		case offerings.OfferingList:
			after, _ := strconv.ParseUint(q.Get("after"), 10, 64)
			if len(ans.Offerings) > limit {
				t.Fatalf("%q: %d offerings on a page of %d", data, len(ans.Offerings), limit)
			}
			for i, o := range ans.Offerings {
				if o.ID <= after || (i > 0 && o.ID <= ans.Offerings[i-1].ID) {
					t.Fatalf("%q: offering %d out of order", data, o.ID)
				}
				if s := q.Get("security"); s != "" && o.Security != s {
					t.Fatalf("%q: offering %d of %s", data, o.ID, o.Security)
				}
				if s := q.Get("status"); s != "" && o.Status != s {
					t.Fatalf("%q: offering %d is %s", data, o.ID, o.Status)
				}
			}
			if n := len(ans.Offerings); ans.Next != 0 && n > 0 && ans.Next < ans.Offerings[n-1].ID {
				t.Fatalf("%q: next %d before the last offering %d", data, ans.Next, ans.Offerings[n-1].ID)
			}
		case offerings.SubscriptionList:
			if len(ans.Subscriptions) > limit {
				t.Fatalf("%q: %d subscriptions on a page of %d", data, len(ans.Subscriptions), limit)
			}
			for i, s := range ans.Subscriptions {
				if i > 0 && bytes.Compare(s.Investor[:], ans.Subscriptions[i-1].Investor[:]) <= 0 {
					t.Fatalf("%q: subscriptions out of order", data)
				}
				if a := q.Get("after"); a != "" {
					if after, _ := address.Parse(a); bytes.Compare(s.Investor[:], after[:]) <= 0 {
						t.Fatalf("%q: subscription of %s not after %s", data, s.Investor, a)
					}
				}
			}
		case offerings.InvestorSubscriptions:
			for i, s := range ans.Subscriptions {
				if s.Investor != ans.Investor || (i > 0 && s.Offering <= ans.Subscriptions[i-1].Offering) {
					t.Fatalf("%q: subscription %+v out of place", data, s)
				}
			}
		}
	})
}
