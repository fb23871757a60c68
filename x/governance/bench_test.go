package governance_test

import (
	"crypto/sha256"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/chain/chaintest"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/distributions"
	"github.com/girder-chain/girder/x/governance"
	"github.com/girder-chain/girder/x/identity"
)

// The benchmarks run each op in its own branch of a state committed to an IAVL tree, as a node
// runs a tx (a branch over the block's branch over the tree), and quote every figure also as a
// multiple of a baseline measured in the same process and state: the baseline op is timed
// interleaved with the benchmarked one (16 baseline runs after every 16 ops, timer stopped), so
// that a busy machine slows both alike and the ratios ("x-…") stay comparable between runs. Each
// benchmark also runs its baseline as a case of its own, whose ratio (≈ 1) shows the noise and
// whose allocs/op are the baseline's.

const (
	benchHistory    = 10_000 // balance-history entries of the heavy voter
	benchDelegators = 1_000  // delegators of the bench delegate
	benchWhale      = 10_000_000
)

var (
	benchHeavy    = addr("bench-heavy")    // 10,000 balance changes, one per block
	benchFeeder   = addr("bench-feeder")   // the other side of those changes
	benchDelegate = addr("bench-delegate") // holds nothing; 1,000 delegators
)

func benchDelegator(i int) address.Address { return addr(fmt.Sprintf("bench-delegator-%04d", i)) }

// benchBackends are the databases under the committed tree: goleveldb in a temporary
// directory, as a node runs (store.Open), and the in-memory database the other modules'
// benchmarks use (store.OpenMemory). The memory database's iterators run a goroutine each, which
// weighs on every history lookup (a reverse seek), so governance's figures are quoted on disk.
var benchBackends = []string{"goleveldb", "memdb"}

// benchCommit copies e's state into a fresh IAVL tree on backend and commits it; e then runs over
// a block branch of the committed tree, in the next block, so reads go to the tree as in a node.
func benchCommit(b *testing.B, e *env, backend string) {
	b.Helper()
	tree := store.OpenMemory()
	if backend == "goleveldb" {
		t, err := store.Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { t.Close() }) // before the directory goes
		tree = t
	}
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

// flush writes e's block branch to newEnv's memory tree (setup only: keeps the branch small, so
// that its iterators do not sort tens of thousands of writes).
func flush(e *env) { e.ctx.KV().(*store.Cache).Write() }

// benchRegister registers accts under identity id with KYC claims (50 accounts per identity).
func benchRegister(e *env, id string, accts []address.Address) {
	for i := 0; i < len(accts); i += 50 {
		part := fmt.Sprintf("%s-%d", id, i/50)
		e.ok(&identity.MsgRegister{Provider: kyc, ID: part, Accounts: accts[i:min(i+50, len(accts))]})
		e.ok(&identity.MsgIssue{Issuer: kyc, ID: part, Claims: identity.ClaimSet{KYCLevel: 2, Jurisdiction: "DE"},
			Expiry: start.AddDate(10, 0, 0).Unix(), EvidenceHash: sha256.Sum256([]byte(part))})
	}
}

// bankWithoutGovernance is a second bank keeper over the same state, wired as newEnv wires
// e.bank (compliance as the transfer review, compliance and distributions as balance hooks) but
// without governance's balance hook: a transfer through it is the same transfer with governance
// taken out.
func bankWithoutGovernance(e *env) bank.Keeper {
	modules := []address.Address{compliance.HoldAccount, distributions.EscrowAccount, governance.EscrowAccount}
	au := auth.NewKeeper()
	bk := bank.NewKeeper(au, map[address.Address]string{compliance.HoldAccount: compliance.ModuleName,
		distributions.EscrowAccount: distributions.ModuleName, governance.EscrowAccount: governance.ModuleName})
	ids := identity.NewKeeper(au)
	comp := compliance.NewKeeper(bk, ids, au, native, modules)
	ids.SetHooks(comp)
	comp.SetAssets(e.as)
	bk.SetHooks(comp, comp, e.dist)
	return bk
}

// voteBench is the state the vote and transfer benchmarks run in: dave holds 10,000,000 ubridge
// (so no single vote reaches the quorum) and proposed two spends, P1 (no votes) and P2 (on which
// the delegate voted); the delegate holds no ubridge and was delegated 10 ubridge by each of
// 1,000 delegators, one delegation per block (1,000 power-history entries); benchHeavy's
// balance changed in 10,000 blocks (10,000 balance-history entries); alice's history has one.
type voteBench struct {
	e      *env
	p1, p2 uint64
	plain  bank.Keeper // bank without the governance hook
}

func benchVoteEnv(b *testing.B, backend string) *voteBench {
	b.Helper()
	t0 := time.Now()
	e := newEnv(b)
	delegators := make([]address.Address, benchDelegators)
	for i := range delegators {
		delegators[i] = benchDelegator(i)
	}
	benchRegister(e, "bench-holders", []address.Address{benchHeavy, benchFeeder, benchDelegate})
	benchRegister(e, "bench-delegators", delegators)
	e.ok(&assets.MsgMint{Issuer: issuer, Denom: sec, Amount: benchWhale, To: dave})
	e.ok(&assets.MsgMint{Issuer: issuer, Denom: sec, Amount: 2 * benchHistory, To: benchFeeder})
	for _, d := range delegators {
		e.ok(&assets.MsgMint{Issuer: issuer, Denom: sec, Amount: 10, To: d})
	}
	// benchHeavy's history: one balance change per block, through the real transfer path.
	for i := 0; i < benchHistory; i++ {
		e.ctx.Height++
		e.ctx.Time = e.ctx.Time.Add(5 * time.Second)
		if err := e.bank.Transfer(e.ctx, benchFeeder, benchHeavy, coin.New(sec, 1)); err != nil {
			b.Fatal(err)
		}
	}
	flush(e)
	for i, d := range delegators {
		if i%100 == 0 {
			flush(e)
		}
		e.ctx.Height++
		e.ctx.Time = e.ctx.Time.Add(5 * time.Second)
		e.ok(&governance.MsgDelegate{Delegator: d, Denom: sec, Delegate: benchDelegate})
	}
	e.block(hour) // the snapshot of the proposals
	vb := &voteBench{e: e, plain: bankWithoutGovernance(e)}
	vb.p1 = e.submit(dave, sec, spend(carol, 1))
	vb.p2 = e.submit(dave, sec, spend(carol, 1))
	e.vote(benchDelegate, vb.p2, governance.OptionYes)
	if w := e.weightOf(vb.p2, benchDelegate); w != 10*benchDelegators {
		b.Fatalf("the delegate voted with %d, want %d", w, 10*benchDelegators)
	}
	e.invariants()
	benchCommit(b, e, backend)
	b.Logf("vote state (10,000-entry history, 1,000 delegations) built and committed on %s in %v", backend, time.Since(t0).Round(time.Millisecond))
	return vb
}

// measure runs op b.N times, each in its own branch of ctx, with base timed interleaved (timer
// stopped), and reports the baseline's ns per run and the op's multiple of it as "x-"+unit.
func measure(b *testing.B, ctx chain.Context, base *chaintest.Meter, unit string, op func(chain.Context) error) {
	b.Helper()
	base.Run(100) // warm
	base.Reset()
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
			base.Run(16)
			b.StartTimer()
		}
	}
	b.StopTimer()
	ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(base.Mean(), "ns/"+unit)
	b.ReportMetric(ns/base.Mean(), "x-"+unit)
}

// BenchmarkVote: one vote on a DAO proposal (snapshot weight from distributions' balance history
// and governance's power history, the override bookkeeping, the vote, the tally, the proposal),
// against a plain bank Transfer of 1 ubridge from alice to bob in the same state:
//   - own-weight: alice (600 ubridge, one history entry, no delegation) votes on P1;
//   - own-weight-history-10k: benchHeavy, whose balance history has 10,000 entries, votes on P1;
//   - delegate-1k-delegators: the delegate votes on P1 with the power of 1,000 delegators;
//   - delegator-overrides: a delegator votes on P2, where its delegate already voted (it takes
//     its 10 back from the delegate's vote and the tally).
func BenchmarkVote(b *testing.B) {
	for _, db := range benchBackends {
		b.Run("db="+db, func(b *testing.B) { benchVote(b, db) })
	}
}

func benchVote(b *testing.B, backend string) {
	vb := benchVoteEnv(b, backend)
	e, ctx := vb.e, vb.e.ctx
	transfer := func(c chain.Context) error { return e.bank.Transfer(c, alice, bob, coin.New(sec, 1)) }
	cases := []struct {
		name   string
		voter  address.Address
		id     uint64
		weight coin.Amount
	}{
		{"own-weight", alice, vb.p1, 600},
		{"own-weight-history-10k", benchHeavy, vb.p1, benchHistory},
		{"delegate-1k-delegators", benchDelegate, vb.p1, 10 * benchDelegators},
		{"delegator-overrides", benchDelegator(0), vb.p2, 10},
	}
	b.Run("baseline-transfer", func(b *testing.B) {
		measure(b, ctx, chaintest.NewMeter(b, ctx, transfer), "transfer", transfer)
	})
	for _, c := range cases {
		m := &governance.MsgVote{Voter: c.voter, Proposal: c.id, Option: governance.OptionNo}
		// Once, untimed: the vote counts with the expected weight.
		chaintest.InBranch(ctx, func(bc chain.Context) {
			if err := e.k.CastVote(bc, m); err != nil {
				b.Fatalf("%s: %v", c.name, err)
			}
			if v, ok := e.k.Vote(bc, c.id, c.voter); !ok || v.Weight != c.weight {
				b.Fatalf("%s: vote %+v, want weight %d", c.name, v, c.weight)
			}
			if c.name == "delegator-overrides" {
				if v, _ := e.k.Vote(bc, c.id, benchDelegate); v.Weight != 10*benchDelegators-10 {
					b.Fatalf("the delegate's vote kept %d after the override", v.Weight)
				}
			}
		})
		b.Run(c.name, func(b *testing.B) {
			measure(b, ctx, chaintest.NewMeter(b, ctx, transfer), "transfer", func(bc chain.Context) error { return e.k.CastVote(bc, m) })
		})
	}
}

// BenchmarkTransferHook: a guarded bank Transfer of 1 ubridge between two holders, against the
// same transfer through a bank wired without governance's balance hook (baseline):
//   - not-delegated: alice → bob; the hook reads alice's and bob's delegation (two misses);
//   - sender-delegated: a delegator → bob; the hook also reads the delegate's power and writes a
//     power-history entry at this height.
func BenchmarkTransferHook(b *testing.B) {
	for _, db := range benchBackends {
		b.Run("db="+db, func(b *testing.B) { benchTransferHook(b, db) })
	}
}

func benchTransferHook(b *testing.B, backend string) {
	vb := benchVoteEnv(b, backend)
	e, ctx := vb.e, vb.e.ctx
	one := coin.New(sec, 1)
	plain := func(c chain.Context) error { return vb.plain.Transfer(c, alice, bob, one) }
	// Once, untimed: the governance-less bank moves the balance and leaves the power alone; the
	// wired one moves the power of a delegator's delegate.
	chaintest.InBranch(ctx, func(c chain.Context) {
		if err := vb.plain.Transfer(c, benchDelegator(1), bob, one); err != nil {
			b.Fatal(err)
		}
		if p := e.k.Power(c, sec, benchDelegate); p != 10*benchDelegators {
			b.Fatalf("power %d after a transfer without the hook", p)
		}
		if err := e.bank.Transfer(c, benchDelegator(2), bob, one); err != nil {
			b.Fatal(err)
		}
		if p := e.k.Power(c, sec, benchDelegate); p != 10*benchDelegators-1 {
			b.Fatalf("power %d after a delegator's transfer", p)
		}
	})
	cases := []struct {
		name string
		op   func(chain.Context) error
	}{
		{"baseline-no-governance-hook", plain},
		{"not-delegated", func(c chain.Context) error { return e.bank.Transfer(c, alice, bob, one) }},
		{"sender-delegated", func(c chain.Context) error { return e.bank.Transfer(c, benchDelegator(1), bob, one) }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			measure(b, ctx, chaintest.NewMeter(b, ctx, plain), "transfer", c.op)
		})
	}
}

// endBench is the state of the end-of-block benchmark, at a block time when nothing is due, and
// the times when 32 proposals' voting periods have ended (ends) and when, besides, 8 passed
// proposals' timelocks have passed too (full).
type endBench struct {
	e          *env
	idle       chain.Context
	ends, full chain.Context
	a, bs      []uint64 // the 8 passed proposals awaiting execution; the 32 voting ones
}

const benchSpend = 1_000 // ugrd each passed proposal pays carol

// benchEndEnv: dave (10,000,000 ubridge, the only voter) submitted at t0 eight spends A
// (treasury → carol, 1,000 ugrd each) and voted yes: they passed at t0+7d and execute after the
// two-day timelock, at t0+9d. At t0+2d−1h he submitted 32 spends B whose voting ends at
// t0+9d−1h: 8 voted yes (they will pass and queue), 8 voted no (rejected: threshold), 16
// without votes (rejected: quorum); each deposit goes back to dave at the tally.
func benchEndEnv(b *testing.B, backend string) *endBench {
	b.Helper()
	t0 := time.Now()
	e := newEnv(b)
	e.ok(&assets.MsgMint{Issuer: issuer, Denom: sec, Amount: benchWhale, To: dave})
	if err := e.bank.Send(e.ctx, treasury, dave, coin.New(native, 100*deposit)); err != nil {
		b.Fatal(err)
	}
	e.block(hour)
	eb := &endBench{e: e}
	s0 := e.ctx.Time.Unix()
	for i := 0; i < governance.MaxExecutionsPerBlock; i++ {
		id := e.submit(dave, sec, spend(carol, benchSpend))
		e.vote(dave, id, governance.OptionYes)
		eb.a = append(eb.a, id)
	}
	e.until(s0+2*86400-3600, 12*hour)
	for i := 0; i < governance.MaxEndsPerBlock; i++ {
		id := e.submit(dave, sec, spend(carol, benchSpend))
		switch {
		case i < 8:
			e.vote(dave, id, governance.OptionYes)
		case i < 16:
			e.vote(dave, id, governance.OptionNo)
		}
		eb.bs = append(eb.bs, id)
	}
	e.until(s0+9*86400-2*3600, 12*hour)
	for _, id := range eb.a {
		if p := e.proposal(id); p.Status != governance.StatusPassed || p.ExecuteAfter != s0+9*86400 {
			b.Fatalf("proposal %d: %s, execute after %d", id, p.Status, p.ExecuteAfter)
		}
	}
	benchCommit(b, e, backend)
	eb.idle = e.ctx
	eb.ends, eb.full = e.ctx, e.ctx
	eb.ends.Time = time.Unix(s0+9*86400-3600, 0)
	eb.full.Time = time.Unix(s0+9*86400, 0)
	b.Logf("end-of-block state (40 proposals) built and committed on %s in %v", backend, time.Since(t0).Round(time.Millisecond))
	return eb
}

// BenchmarkEndBlock: governance's end of block, against the 8 bank Sends that the 8 executed
// proposals' msgs make (treasury → carol, 1,000 ugrd), done directly in one branch:
//   - idle: nothing due (the two due-queue scans every block pays);
//   - ends=32: 32 proposals tallied (8 pass and queue, 24 are rejected), 32 deposits returned;
//   - ends=32+execs=8: the same, and 8 passed proposals executed through the router (a fake
//     x/projects: one bank Send per msg), each in its own branch, with its record.
func BenchmarkEndBlock(b *testing.B) {
	for _, db := range benchBackends {
		b.Run("db="+db, func(b *testing.B) { benchEndBlock(b, db) })
	}
}

func benchEndBlock(b *testing.B, backend string) {
	eb := benchEndEnv(b, backend)
	e := eb.e
	sends := func(c chain.Context) error {
		for i := 0; i < governance.MaxExecutionsPerBlock; i++ {
			if err := e.bank.Send(c, treasury, carol, coin.New(native, benchSpend)); err != nil {
				return err
			}
		}
		return nil
	}
	// Once, untimed: what each block does.
	chaintest.InBranch(eb.full, func(c chain.Context) {
		before := e.bank.Balance(c, carol, native)
		if err := e.m.EndBlock(c); err != nil {
			b.Fatal(err)
		}
		for _, id := range eb.a {
			if p, _ := e.k.Proposal(c, id); p.Status != governance.StatusExecuted {
				b.Fatalf("proposal %d: %s", id, p.Status)
			}
		}
		count := map[string]int{}
		for _, id := range eb.bs {
			p, _ := e.k.Proposal(c, id)
			count[p.Status]++
		}
		if count[governance.StatusPassed] != 8 || count[governance.StatusRejected] != 24 {
			b.Fatalf("tally of the 32: %v", count)
		}
		if got := e.bank.Balance(c, carol, native) - before; got != governance.MaxExecutionsPerBlock*benchSpend {
			b.Fatalf("carol received %d", got)
		}
	})
	chaintest.InBranch(eb.idle, func(c chain.Context) {
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
		{"baseline-8-sends", eb.full, sends},
		{"idle", eb.idle, endBlock},
		{"ends=32", eb.ends, endBlock},
		{"ends=32+execs=8", eb.full, endBlock},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			measure(b, c.ctx, chaintest.NewMeter(b, eb.full, sends), "8sends", c.op)
		})
	}
}
