package offerings_test

import (
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/chain/chaintest"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/offerings"
)

// The benchmarks run each op in its own branch of a state committed to an IAVL tree, as a node
// runs a tx (a branch over the block's branch over the tree), and quote every figure also as a
// multiple of the baseline: one plain bank Send of the subscription's cost (6,667 ueur) in the
// same kind of branch. The baseline is timed interleaved with the op (timer stopped), so that a
// busy machine slows both alike and the ratios ("x-send") stay comparable between runs.

const benchAmount = 10_000 // ubridge per subscription; at 2/3 ueur each it costs 6,667 ueur

func investorN(i int) address.Address {
	var a address.Address
	a[0] = 0x1e
	binary.BigEndian.PutUint64(a[12:], uint64(i))
	return a
}

// commitTree copies e's state into a fresh IAVL tree and commits it; e then runs over a block
// branch of the committed tree, so reads go to the tree as in a node.
func commitTree(tb testing.TB, e *env) *store.Tree {
	tb.Helper()
	tree := store.OpenMemory()
	it := e.ctx.KV().Iterator(nil, nil)
	for ; it.Valid(); it.Next() {
		tree.Set(it.Key(), it.Value())
	}
	it.Close()
	if _, _, err := tree.Commit(); err != nil {
		tb.Fatal(err)
	}
	e.ctx = e.ctx.WithKV(store.NewCache(tree))
	return tree
}

// flush commits e's block branch to the tree (a branch that grows makes every iterator over it
// sort its keys again).
func flush(tb testing.TB, e *env, tree *store.Tree) {
	tb.Helper()
	e.ctx.KV().(*store.Cache).Write()
	if _, _, err := tree.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// fiveRules is a security's rule set in which every rule is evaluated and none hits for the
// benchmark's investors (identities with KYC level 2 in DE).
func fiveRules(e *env) {
	e.t.Helper()
	e.ok(&compliance.MsgSetRules{Officer: officer, Asset: sec, Rules: []compliance.Rule{
		{ID: "kyc", Kind: compliance.KindRequiredClaims, Outcome: compliance.OutcomeReject, Params: compliance.Params{Side: compliance.SideReceiver, KYCLevel: 2}},
		{ID: "eea", Kind: compliance.KindJurisdictionAllow, Outcome: compliance.OutcomeReject, Params: compliance.Params{Side: compliance.SideReceiver, Jurisdictions: []string{"AT", "DE", "FR", "NL"}}},
		{ID: "holders", Kind: compliance.KindMaxHolders, Outcome: compliance.OutcomeReject, Params: compliance.Params{MaxHolders: 1_000_000}},
		{ID: "concentration", Kind: compliance.KindMaxBalance, Outcome: compliance.OutcomeReject, Params: compliance.Params{Bps: 2_500}},
		{ID: "large", Kind: compliance.KindLargeTransfer, Outcome: compliance.OutcomeFlag, Params: compliance.Params{Amount: 5_000_000, Severity: compliance.SeverityHigh}},
	}})
}

// inBranch runs f over a fresh branch of ctx's state, dropped afterwards.

// newSendMeter times the baseline: plain bank Sends of 6,667 ueur from an investor to the
// treasury, each in its own branch of a committed state.
func newSendMeter(b *testing.B) *chaintest.Meter {
	e := subscribeEnv(b, 0)
	c := coin.New(cash, 6_667)
	return chaintest.NewMeter(b, e.ctx, func(ctx chain.Context) error { return e.bank.Send(ctx, alice, treasury, c) })
}

var subscribeEnvs = map[int]*env{}

// subscribeEnv has offering 1 (openMsg) open at the block time, with rules compliance rules on
// the security, committed.
func subscribeEnv(tb testing.TB, rules int) *env {
	if e, ok := subscribeEnvs[rules]; ok {
		return e
	}
	e := newEnv(tb)
	if rules == 5 {
		fiveRules(e)
	}
	e.open(nil)
	e.at(opens)
	commitTree(tb, e)
	subscribeEnvs[rules] = e
	return e
}

// BenchmarkBaselineSend is the baseline on its own: one plain bank Send of 6,667 ueur.
func BenchmarkBaselineSend(b *testing.B) {
	e := subscribeEnv(b, 0)
	c := coin.New(cash, 6_667)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		chaintest.InBranch(e.ctx, func(ctx chain.Context) {
			if err := e.bank.Send(ctx, alice, treasury, c); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkSubscribe: one first subscription of 10,000 ubridge (two compliance decisions, the
// cash into escrow, the records), with 0 and 5 rules on the security.
func BenchmarkSubscribe(b *testing.B) {
	for _, rules := range []int{0, 5} {
		b.Run(fmt.Sprintf("rules=%d", rules), func(b *testing.B) {
			e := subscribeEnv(b, rules)
			sends := newSendMeter(b)
			sends.Run(100) // warm
			sends.Reset()
			m := &offerings.MsgSubscribe{Investor: alice, Offering: 1, Amount: benchAmount}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				chaintest.InBranch(e.ctx, func(ctx chain.Context) {
					if err := e.k.Subscribe(ctx, m); err != nil {
						b.Fatal(err)
					}
				})
				if i%64 == 63 || i == b.N-1 {
					b.StopTimer()
					sends.Run(64)
					b.StartTimer()
				}
			}
			b.StopTimer()
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(sends.Mean(), "ns/send")
			b.ReportMetric(ns/sends.Mean(), "x-send")
		})
	}
}

type settleEnv struct {
	e    *env
	tree *store.Tree
	id   uint64
}

var settleEnvs = map[string]*settleEnv{}

// settlementEnv has one offering with n subscribers (identities with KYC 2 in DE), each of
// 1,000 ubridge for 667 ueur, soft cap half the subscriptions, rules rules on the security,
// committed at the end of the window. Built once per (rules, n).
func settlementEnv(b *testing.B, rules, n int) *settleEnv {
	key := fmt.Sprint(rules, "/", n)
	if se, ok := settleEnvs[key]; ok {
		return se
	}
	b.Helper()
	t0 := time.Now()
	e := newEnv(b)
	if rules == 5 {
		fiveRules(e)
	}
	e.ok(&assets.MsgMint{Issuer: issuer, Denom: sec, Amount: coin.Amount(n) * 1_000})
	id := e.open(func(m *offerings.MsgOpen) {
		m.HardCap, m.SoftCap = coin.Amount(n)*1_000, coin.Amount(n)*500
	})
	e.at(opens)
	tree := commitTree(b, e)
	for i := 0; i < n; i++ {
		a := investorN(i)
		e.identity(fmt.Sprintf("inv-%05d", i), "DE", start.AddDate(1, 0, 0), a)
		e.fund(a, 667)
		if err := e.k.Subscribe(e.ctx, &offerings.MsgSubscribe{Investor: a, Offering: id, Amount: 1_000}); err != nil {
			b.Fatal(err)
		}
		if i%250 == 249 {
			flush(b, e, tree)
		}
	}
	flush(b, e, tree)
	e.invariants()
	e.at(ends)
	b.Logf("%d subscriptions (%d rules) built and committed in %v", n, rules, time.Since(t0).Round(time.Millisecond))
	se := &settleEnv{e: e, tree: tree, id: id}
	settleEnvs[key] = se
	return se
}

// settle runs end blocks (default budget: 500 units per block) until the offering is settled,
// each in its own block branch over the tree as in a node; between blocks (timer stopped) the
// branch is written into the tree's working version, which is rolled back at the end, and
// sends (if not nil) times 100 baseline sends. inspect sees the final state first. It returns
// the number of blocks.
func (se *settleEnv) settle(b *testing.B, sends *chaintest.Meter, inspect func(ctx chain.Context)) int {
	defer se.tree.Rollback()
	for blocks := 1; ; blocks++ {
		bctx := se.e.ctx.WithKV(store.NewCache(se.tree))
		bctx.Height, bctx.Time = se.e.ctx.Height+int64(blocks), se.e.ctx.Time.Add(time.Duration(blocks)*5*time.Second)
		if err := se.e.m.EndBlock(bctx); err != nil {
			b.Fatal(err)
		}
		o, _ := se.e.k.Offering(bctx, se.id)
		b.StopTimer()
		bctx.KV().(*store.Cache).Write()
		if sends != nil {
			sends.Run(100)
		}
		if !offerings.Live(o.Status) {
			if inspect != nil {
				inspect(se.e.ctx.WithKV(store.NewCache(se.tree)))
			}
			b.StartTimer()
			return blocks
		}
		b.StartTimer()
	}
}

// BenchmarkSettlement: an offering's whole end (the compliance re-check up to the soft cap,
// then one settlement per subscriber: two moves out of the escrow and the records) over as many
// end blocks as the per-block budget needs. ns/sub is per subscription settled; ns/block per end
// block.
func BenchmarkSettlement(b *testing.B) {
	for _, rules := range []int{0, 5} {
		for _, n := range []int{1_000, 10_000} {
			b.Run(fmt.Sprintf("rules=%d/subscribers=%dk", rules, n/1_000), func(b *testing.B) {
				se := settlementEnv(b, rules, n)
				sends := newSendMeter(b)
				// Once, untimed: the settlement is complete and correct.
				blocks := se.settle(b, sends, func(ctx chain.Context) {
					o, _ := se.e.k.Offering(ctx, se.id)
					if o.Status != offerings.StatusSettled || o.Settled != uint64(n) || o.Delivered != coin.Amount(n)*1_000 || o.Raised != coin.Amount(n)*667 {
						b.Fatalf("settled offering %+v", o)
					}
					for _, m := range se.e.mods {
						for _, inv := range m.Invariants() {
							if err := inv.Check(ctx); err != nil {
								b.Fatal(err)
							}
						}
					}
				})
				sends.Reset()
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					blocks = se.settle(b, sends, nil)
				}
				b.StopTimer()
				ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
				base := sends.Mean()
				b.ReportMetric(base, "ns/send")
				b.ReportMetric(float64(blocks), "blocks")
				b.ReportMetric(ns/float64(n), "ns/sub")
				b.ReportMetric(ns/float64(n)/base, "x-send/sub")
				b.ReportMetric(ns/float64(blocks), "ns/block")
				b.ReportMetric(ns/float64(blocks)/base, "x-send/block")
			})
		}
	}
}
