package compliance_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/compliance"
)

// benchRules are n rules that all pass for a transfer from alice to bob's identity, so that each
// is evaluated in full (claims read once per party, holdings and velocity looked up).
func benchRules(n int) []compliance.Rule {
	kinds := []compliance.Rule{
		rule("kyc", compliance.KindRequiredClaims, "reject", compliance.Params{Side: "both", KYCLevel: 1}),
		rule("geo", compliance.KindJurisdictionBlock, "reject", compliance.Params{Side: "both", Jurisdictions: []string{"KP", "IR"}}),
		rule("deny", compliance.KindDenyList, "reject", compliance.Params{Side: "both"}),
		rule("cap", compliance.KindMaxHolders, "reject", compliance.Params{MaxHolders: 1_000}),
		rule("max", compliance.KindMaxBalance, "reject", compliance.Params{Bps: 5_000}),
		rule("lock", compliance.KindLockup, "reject", compliance.Params{Until: start.Add(-time.Hour).Unix()}),
		rule("vel", compliance.KindVelocity, "reject", compliance.Params{Amount: 1 << 60, Window: 86_400}),
		rule("big", compliance.KindLargeTransfer, "hold", compliance.Params{Amount: 1 << 60}),
	}
	out := make([]compliance.Rule, n)
	for i := range out {
		out[i] = kinds[i%len(kinds)]
		out[i].ID = fmt.Sprintf("%s-%d", out[i].ID, i)
	}
	return out
}

// BenchmarkTransfer measures a ubridge transfer through bank.Transfer with 0, 5 and 20 rules,
// and a plain bank.Send (no compliance at all) as the baseline of the ratios in docs/compliance.md.
func BenchmarkTransfer(b *testing.B) {
	run := func(b *testing.B, e *env, move func() error) {
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			branch := store.NewCache(e.ctx.KV()) // each transfer in its own branch, as a tx runs
			ctx := e.ctx.WithKV(branch)
			saved := e.ctx
			e.ctx = ctx
			if err := move(); err != nil {
				b.Fatal(err)
			}
			e.ctx = saved
		}
	}
	b.Run("baseline-plain-send", func(b *testing.B) {
		e := newEnv(b)
		run(b, e, func() error { return e.bank.Send(e.ctx, alice, bob, br(1)) })
	})
	for _, n := range []int{0, 5, 20} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			e := newEnv(b)
			if n > 0 {
				e.rules("ubridge", benchRules(n)...)
			}
			var to address.Address = bob
			run(b, e, func() error { return e.bank.Transfer(e.ctx, alice, to, br(1)) })
		})
	}
}
