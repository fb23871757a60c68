package vesting_test

import (
	"testing"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/vesting"
)

// benchEnv: holder0 has no grant, holder1 one grant, holder64 sixty-four grants of ugrd (and 10,000
// ugrd unlocked each), committed to the IAVL tree so that reads go to the tree as in a node.
func benchEnv(b *testing.B) (*env, map[int]address.Address) {
	b.Helper()
	e := newEnv(b)
	holders := map[int]address.Address{0: addr("holder0"), 1: addr("holder1"), 64: addr("holder64")}
	for n, h := range holders {
		if err := e.bank.Send(e.ctx, treasury, h, coin.New(native, 10_000)); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < n; i++ {
			e.grant(vesting.MsgGrant{Grantee: h, Amount: coin.New(native, 100), Schedule: linear(at(0), at(year), at(2*year+int64(i)))})
		}
	}
	e.invariants()
	e.ctx.KV().(*store.Cache).Write()
	if _, _, err := e.tree.Commit(); err != nil {
		b.Fatal(err)
	}
	e.setTime(at(year + 100*day))
	return e, holders
}

// BenchmarkSpendable measures, in the same committed state and run, a plain bank Balance read
// (the baseline), Spendable and CheckSpend (what bank and the fee check pay per transfer) for an
// account with 0, 1 and 64 grants still vesting, and a whole guarded bank Transfer.
func BenchmarkSpendable(b *testing.B) {
	e, holders := benchEnv(b)
	for _, n := range []int{0, 1, 64} {
		h := holders[n]
		name := map[int]string{0: "grants=0", 1: "grants=1", 64: "grants=64"}[n]
		b.Run(name+"/bank-balance", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if e.bank.Balance(e.ctx, h, native) == 0 {
					b.Fatal("no balance")
				}
			}
		})
		b.Run(name+"/spendable", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if e.k.Spendable(e.ctx, h, native) < 10_000 {
					b.Fatal("spendable below the unlocked balance")
				}
			}
		})
		b.Run(name+"/check-spend", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := e.k.CheckSpend(e.ctx, h, coin.New(native, 1)); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/guarded-transfer", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				ctx := e.ctx.WithKV(store.NewCache(e.ctx.KV()))
				if err := e.bank.Transfer(ctx, h, bob, coin.New(native, 1)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
