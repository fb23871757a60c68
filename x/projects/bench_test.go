package projects_test

import (
	"fmt"
	"testing"

	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/chain/chaintest"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/projects"
)

// The benchmarks run each op in its own branch of a state committed to an IAVL tree, as a node
// runs a tx (a branch over the block's branch over the tree), and quote every figure also as a
// multiple of the baseline: one plain bank Send of 1,000 ueur in the same kind of branch, timed
// interleaved with the op (timer stopped), so that a busy machine slows both alike and the
// ratios ("x-send") stay comparable between runs.

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

// inBranch runs f over a fresh branch of ctx's state, dropped afterwards.

// benchEnv has the bridge with n milestones signed off and funded (1,000 ueur each, 7-day
// windows from the start), 30 ledger entries with attestations, committed.
func benchEnv(b *testing.B, n int) *env {
	e := newEnv(b)
	e.create(projects.RuleAgency, coin.Amount(n)*1_000)
	for i := 0; i < 30; i++ {
		e.ok(post("", uint32(i), fmt.Sprintf("week %d", i)))
		e.ok(attest(engineer, uint64(i+1)))
	}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("m-%04d", i)
		e.signedOff(id, 1_000, true)
	}
	commitTree(b, e)
	return e
}

// BenchmarkBaselineSend is the baseline on its own: one plain bank Send of 1,000 ueur.
func BenchmarkBaselineSend(b *testing.B) {
	e := benchEnv(b, 0)
	c := coin.New(cash, 1_000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		chaintest.InBranch(e.ctx, func(ctx chain.Context) {
			if err := e.bank.Send(ctx, spv, mallory, c); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkPostReport: one progress report with two documents on a milestone (stakeholder and
// milestone checks, the hash-chained entry, the timeline record, the project, the event).
func BenchmarkPostReport(b *testing.B) {
	e := benchEnv(b, 1)
	// The baseline: plain bank Sends of 1,000 ueur from spv to mallory, each in its own branch.
	sends := chaintest.NewMeter(b, e.ctx, func(ctx chain.Context) error { return e.bank.Send(ctx, spv, mallory, coin.New(cash, 1_000)) })
	sends.Run(100) // warm
	sends.Reset()
	m := &projects.MsgPostReport{Author: builder, Project: bridge, Milestone: "m-0000", Percent: 55,
		Summary:   "Spans 1-4 of 8 placed; span 5 formwork in progress. Weather delay of two days.",
		Documents: []projects.Attachment{{URI: "ipfs://bafy-report-week-31", Hash: hash("report")}, {URI: "ipfs://bafy-photos-week-31", Hash: hash("photos")}}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		chaintest.InBranch(e.ctx, func(ctx chain.Context) {
			if _, err := e.k.PostReport(ctx, m); err != nil {
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
}

// BenchmarkEndBlockRelease: the end of a block in which n funded milestones' windows have
// closed: each released (escrow → payee, the milestone, the totals, the timeline, the event).
// n = 0 is a block with nothing due (the three index scans every block pays). ns/release is
// per milestone released.
func BenchmarkEndBlockRelease(b *testing.B) {
	for _, n := range []int{0, 1, 100} {
		b.Run(fmt.Sprintf("releases=%d", n), func(b *testing.B) {
			e := benchEnv(b, n)
			ctx := e.ctx
			ctx.Time, ctx.Height = start.Add(week), e.ctx.Height+1
			// Once, untimed: the block releases them all and the invariants hold.
			chaintest.InBranch(ctx, func(c chain.Context) {
				if err := e.m.EndBlock(c); err != nil {
					b.Fatal(err)
				}
				if got := e.k.Totals(c, cash).Released; got != coin.Amount(n)*1_000 {
					b.Fatalf("released %d", got)
				}
				if err := allInvariants(e, c); err != nil {
					b.Fatal(err)
				}
			})
			// The baseline: plain bank Sends of 1,000 ueur from spv to mallory, each in its own branch.
			sends := chaintest.NewMeter(b, e.ctx, func(ctx chain.Context) error { return e.bank.Send(ctx, spv, mallory, coin.New(cash, 1_000)) })
			sends.Run(100)
			sends.Reset()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				chaintest.InBranch(ctx, func(c chain.Context) {
					if err := e.m.EndBlock(c); err != nil {
						b.Fatal(err)
					}
				})
				if i%16 == 15 || i == b.N-1 {
					b.StopTimer()
					sends.Run(16)
					b.StartTimer()
				}
			}
			b.StopTimer()
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			base := sends.Mean()
			b.ReportMetric(base, "ns/send")
			b.ReportMetric(ns/base, "x-send/block")
			if n > 0 {
				b.ReportMetric(ns/float64(n), "ns/release")
				b.ReportMetric(ns/float64(n)/base, "x-send/release")
			}
		})
	}
}
