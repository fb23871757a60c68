package passes_test

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/chain/chaintest"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/passes"
)

// The benchmarks run each op in its own branch of a state committed to an IAVL tree on goleveldb
// in a temporary directory, as a node runs a tx (a branch over the block's branch over the tree),
// and quote every figure also as a multiple of a baseline measured in the same process and state:
// the baseline op is timed interleaved with the benchmarked one (16 baseline runs after every 16
// ops, timer stopped), so that a busy machine slows both alike and the ratios ("x-…") stay
// comparable between runs. Each benchmark also runs its baselines as cases of their own, whose
// ratio (≈ 1) shows the noise and whose allocs/op are the baseline's. Allocations are always the
// op's (the baselines run with the timer stopped).

const (
	benchPrice   = 1_000 // ueur: the price of a pass of either class
	benchUses    = 10    // uses of a pass of either class: a use earns benchPrice/benchUses
	benchSoldA   = 400   // passes of class A (365 days): 300 alice's, 100 bob's
	benchSoldB   = 250   // passes of class B (30 days): 100 alice's, 150 bob's
	benchUsedA   = 20    // alice's passes of class A used once before the commit
	benchMsgSize = 100   // bytes of the message of the ed25519 baseline
)

// passBench is the state the benchmarks run in. At start the operator created class A (10
// crossings, 1,000 ueur, 365 days from the opening) and class B (the same, 30 days), and the
// bridge opened a day later; alice bought 300 passes of A and 100 of B, bob 100 of A and 150 of
// B (650 passes, 650,000 ueur in the escrow); 20 of alice's passes of A were used once (the
// treasury holds the 2,000 ueur earned). The state is committed; now (a block 5 s later) nothing
// is due at the end of the block; at ends (30 days after the opening and 1 s) class B's validity
// has ended: its 250 active passes are due to expire, 100 a block.
type passBench struct {
	e            *env
	now, ends    chain.Context
	classA       uint64
	classB       uint64
	aliceA, bobA []uint64 // their passes of class A not used yet
}

// benchCommit copies e's state into a fresh IAVL tree on goleveldb in a temporary directory and
// commits it; e then runs over a block branch of the committed tree, in the next block, so reads
// go to the tree as in a node.
func benchCommit(b *testing.B, e *env) {
	b.Helper()
	tree, err := store.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { tree.Close() }) // before the directory goes
	it := e.ctx.KV().Iterator(nil, nil)
	for ; it.Valid(); it.Next() {
		tree.Set(it.Key(), it.Value())
	}
	it.Close()
	if _, _, err := tree.Commit(); err != nil {
		b.Fatal(err)
	}
	e.ctx = e.ctx.WithKV(store.NewCache(tree))
	e.ctx.Height++
	e.ctx.Time = e.ctx.Time.Add(5 * time.Second)
	runtime.GC() // the setup's garbage is not the benchmarks' to collect
}

func benchEnv(b *testing.B) *passBench {
	b.Helper()
	t0 := time.Now()
	e := newEnv(b)
	pb := &passBench{e: e}
	pb.classA = e.create(classMsg())
	mb := classMsg()
	mb.Name, mb.Validity.Duration = "10 crossings, 30 days", 30*day
	pb.classB = e.create(mb)
	e.setTime(at(day))
	e.open(at(day))
	var aliceA []uint64
	for i := 0; i < 3; i++ {
		aliceA = append(aliceA, e.buy(alice, pb.classA, 100)...)
	}
	pb.bobA = e.buy(bob, pb.classA, 100)
	e.buy(alice, pb.classB, 100)
	e.buy(bob, pb.classB, 100)
	e.buy(bob, pb.classB, 50)
	var uses []passes.Use
	for _, id := range aliceA[len(aliceA)-benchUsedA:] {
		uses = append(uses, use(aliceK, id, 1, at(day)))
	}
	e.ok(redeem(uses...))
	pb.aliceA = aliceA[:len(aliceA)-benchUsedA]
	if r := e.revenue(); r.Sold != (benchSoldA+benchSoldB)*benchPrice || r.Earned != benchUsedA*benchPrice/benchUses {
		b.Fatalf("revenue %+v", r)
	}
	if got := e.bal(treasury); got != benchUsedA*benchPrice/benchUses {
		b.Fatalf("the treasury holds %d ueur", got)
	}
	benchCommit(b, e)
	pb.now = e.ctx
	pb.ends = e.ctx
	pb.ends.Time = time.Unix(at(day)+30*day+1, 0).UTC()
	b.Logf("passes state (650 passes of 2 classes) built and committed on goleveldb in %v", time.Since(t0).Round(time.Millisecond))
	return pb
}

// baseline is a meter of a baseline op: chaintest.Meter (an op in a branch of a state) or
// verifyMeter (no state).
type baseline interface {
	Run(k int)
	Reset()
	Mean() float64
}

// verifyMeter times one ed25519 verification of a 100-byte message (no branch: it reads no
// state).
type verifyMeter struct {
	b   *testing.B
	pub ed25519.PublicKey
	msg []byte
	sig []byte
	ns  time.Duration
	n   int
}

func newVerifyMeter(b *testing.B) *verifyMeter {
	msg := make([]byte, benchMsgSize)
	for i := range msg {
		msg[i] = byte(i)
	}
	return &verifyMeter{b: b, pub: aliceK.pub, msg: msg, sig: aliceK.sign(msg)}
}

func (m *verifyMeter) verify() error {
	if !ed25519.Verify(m.pub, m.msg, m.sig) {
		return errors.New("the baseline's signature does not verify")
	}
	return nil
}

func (m *verifyMeter) Run(k int) {
	for i := 0; i < k; i++ {
		t0 := time.Now()
		if err := m.verify(); err != nil {
			m.b.Fatal(err)
		}
		m.ns += time.Since(t0)
		m.n++
	}
}

func (m *verifyMeter) Reset()        { m.ns, m.n = 0, 0 }
func (m *verifyMeter) Mean() float64 { return float64(m.ns.Nanoseconds()) / float64(m.n) }

// bench is a baseline and the unit its figures are reported in ("ns/"+unit, "x-"+unit).
type bench struct {
	unit string
	m    baseline
}

// measure runs op b.N times, each in its own branch of ctx, with the baselines timed
// interleaved (timer stopped), and reports each baseline's ns per run and the op's multiple of
// it per item ("x-"+unit: the op's time divided by items, over the baseline's); items > 1 also
// reports the op's ns per item.
func measure(b *testing.B, ctx chain.Context, items int, bases []bench, op func(chain.Context) error) {
	b.Helper()
	for _, base := range bases {
		base.m.Run(100) // warm
		base.m.Reset()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		chaintest.InBranch(ctx, func(c chain.Context) {
			if err := op(c); err != nil {
				b.Fatal(err)
			}
		})
		if i%16 == 15 || i == b.N-1 {
			b.StopTimer()
			for _, base := range bases {
				base.m.Run(16)
			}
			b.StartTimer()
		}
	}
	b.StopTimer()
	ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(items)
	if items > 1 {
		b.ReportMetric(ns, "ns/item")
	}
	for _, base := range bases {
		b.ReportMetric(base.m.Mean(), "ns/"+base.unit)
		b.ReportMetric(ns/base.m.Mean(), "x-"+base.unit)
	}
}

// batch is a redeem of n uses by the operator: the first use of n passes of class A not used
// yet, half alice's and half bob's (one of alice's for n = 1), in pass order, shown at the
// block time.
func (pb *passBench) batch(n int) *passes.MsgRedeem {
	t := pb.now.Time.Unix()
	var uses []passes.Use
	for i := 0; i < (n+1)/2; i++ {
		uses = append(uses, use(aliceK, pb.aliceA[i], 1, t))
	}
	for i := 0; i < n/2; i++ {
		uses = append(uses, use(bobK, pb.bobA[i], 1, t))
	}
	return redeem(uses...)
}

// BenchmarkRedeem: a redeem of a batch of 1, 10 or 100 uses (each: the pass and its class read,
// the operator's role, the ticket's holder key and ed25519 signature checked, the pass rewritten,
// 100 ueur moved from deferred to earned: the revenue record and a bank Send escrow → treasury,
// an event), quoted per use against
//   - verify: one ed25519 verification of a 100-byte message (a ticket's signed bytes are 68 here,
//     with the chain id "test-chain");
//   - send: a plain bank Send of 100 ueur, escrow → treasury (the move a use makes).
func BenchmarkRedeem(b *testing.B) {
	pb := benchEnv(b)
	e, ctx := pb.e, pb.now
	vm := newVerifyMeter(b)
	earn := coin.New(cash, benchPrice/benchUses)
	send := func(c chain.Context) error { return e.bank.Send(c, escrow, treasury, earn) }
	bases := func() []bench {
		return []bench{{"verify", newVerifyMeter(b)}, {"send", chaintest.NewMeter(b, ctx, send)}}
	}
	if n := len(passes.TicketSignBytes(pb.batch(1).Uses[0].Ticket)); n > benchMsgSize {
		b.Fatalf("a ticket's signed bytes are %d, more than the baseline's message", n)
	}
	b.Run("baseline-verify", func(b *testing.B) {
		measure(b, ctx, 1, bases(), func(chain.Context) error { return vm.verify() })
	})
	b.Run("baseline-send", func(b *testing.B) { measure(b, ctx, 1, bases(), send) })
	for _, n := range []int{1, 10, passes.MaxBatch} {
		m := pb.batch(n)
		// Once, untimed: every use counts.
		chaintest.InBranch(ctx, func(c chain.Context) {
			before := e.k.Revenue(c, bridge, cash).Earned
			if err := e.k.Redeem(c, m); err != nil {
				b.Fatalf("batch of %d: %v", n, err)
			}
			if got := e.k.Revenue(c, bridge, cash).Earned - before; got != coin.Amount(n)*earn.Amount {
				b.Fatalf("batch of %d earned %d", n, got)
			}
			if p, _ := e.k.Pass(c, m.Uses[n-1].Pass); p.Used != 1 {
				b.Fatalf("batch of %d: the last pass has %d uses", n, p.Used)
			}
		})
		b.Run(fmt.Sprintf("uses=%d", n), func(b *testing.B) {
			measure(b, ctx, n, bases(), func(c chain.Context) error { return e.k.Redeem(c, m) })
		})
	}
}

// BenchmarkBuy: bob buys 1 or 100 passes of class A (the class read, the sale checks, the pass
// asset's compliance rules on the buyer, the cash leg's compliance check, a bank Send of the
// price to the escrow, the revenue and class records, per pass a record and three index keys,
// the sequence, an event), against a compliance-checked bank Transfer of 1,000 ueur (the price
// of a pass) from bob to alice.
func BenchmarkBuy(b *testing.B) {
	pb := benchEnv(b)
	e, ctx := pb.e, pb.now
	transfer := func(c chain.Context) error { return e.bank.Transfer(c, bob, alice, coin.New(cash, benchPrice)) }
	bases := func() []bench { return []bench{{"transfer", chaintest.NewMeter(b, ctx, transfer)}} }
	b.Run("baseline-transfer", func(b *testing.B) { measure(b, ctx, 1, bases(), transfer) })
	for _, q := range []uint32{1, passes.MaxQuantity} {
		m := &passes.MsgBuy{Buyer: bob, Class: pb.classA, Quantity: q}
		// Once, untimed: q passes for bob, paid into the escrow.
		chaintest.InBranch(ctx, func(c chain.Context) {
			before := e.bank.Balance(c, escrow, cash)
			ids, err := e.k.Buy(c, m)
			if err != nil {
				b.Fatalf("buy %d: %v", q, err)
			}
			if len(ids) != int(q) || e.bank.Balance(c, escrow, cash)-before != coin.Amount(q)*benchPrice {
				b.Fatalf("buy %d: %d passes", q, len(ids))
			}
		})
		b.Run(fmt.Sprintf("passes=%d", q), func(b *testing.B) {
			measure(b, ctx, 1, bases(), func(c chain.Context) error {
				_, err := e.k.Buy(c, m)
				return err
			})
		})
	}
}

// BenchmarkEndBlock: passes' end of block, against 100 plain bank Sends of 1,000 ueur, escrow →
// treasury (the move each expiry makes), done directly in one branch:
//   - idle: nothing due (the late and expiry queue scans every block pays);
//   - expire=100: class B's validity has ended; the block expires 100 of its 250 passes (the
//     bound, MaxPassesPerBlock), each recognising its 1,000 ueur.
func BenchmarkEndBlock(b *testing.B) {
	pb := benchEnv(b)
	e := pb.e
	sends := func(c chain.Context) error {
		for i := 0; i < passes.MaxPassesPerBlock; i++ {
			if err := e.bank.Send(c, escrow, treasury, coin.New(cash, benchPrice)); err != nil {
				return err
			}
		}
		return nil
	}
	// Once, untimed: what each block does.
	chaintest.InBranch(pb.ends, func(c chain.Context) {
		before := e.bank.Balance(c, treasury, cash)
		if err := e.m.EndBlock(c); err != nil {
			b.Fatal(err)
		}
		var expired int
		for _, ev := range c.Events() {
			if ev.Type == "passes.expired" {
				expired++
			}
		}
		if expired != passes.MaxPassesPerBlock {
			b.Fatalf("%d passes expired", expired)
		}
		if got := e.bank.Balance(c, treasury, cash) - before; got != passes.MaxPassesPerBlock*benchPrice {
			b.Fatalf("the treasury received %d", got)
		}
	})
	chaintest.InBranch(pb.now, func(c chain.Context) {
		if err := e.m.EndBlock(c); err != nil || len(c.Events()) != 0 {
			b.Fatalf("idle block: %v, %d events", err, len(c.Events()))
		}
	})
	endBlock := func(c chain.Context) error { return e.m.EndBlock(c) }
	cases := []struct {
		name string
		ctx  chain.Context
		op   func(chain.Context) error
	}{
		{"baseline-100-sends", pb.ends, sends},
		{"idle", pb.now, endBlock},
		{"expire=100", pb.ends, endBlock},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			measure(b, c.ctx, 1, []bench{{"100sends", chaintest.NewMeter(b, pb.ends, sends)}}, c.op)
		})
	}
}
