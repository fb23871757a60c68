package distributions_test

import (
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/distributions"
)

func holderN(i int) address.Address {
	var a address.Address
	a[0] = 0xbe
	binary.BigEndian.PutUint64(a[12:], uint64(i))
	return a
}

// benchEnv is a chain whose security has n holders with balance history (written through the
// bank hook directly: bank balances are not needed by deposits and claims), committed to the
// IAVL tree so that reads go to the tree as in a node. Built once per size.
type benchEnv struct {
	e  *env
	cp uint64
	id uint64
}

var benchEnvs = map[int]*benchEnv{}

func benchSetup(b *testing.B, n int) *benchEnv {
	if be, ok := benchEnvs[n]; ok {
		return be
	}
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	t0 := time.Now()
	e := newEnv(b)
	h := e.ctx.Height
	for i := 0; i < n; i++ {
		e.k.BalanceChanged(e.ctx, holderN(i), sec, 0, coin.Amount(1+i%7))
	}
	var supply coin.Amount
	for i := 0; i < n; i++ {
		supply += coin.Amount(1 + i%7)
	}
	e.k.SupplyChanged(e.ctx, sec, 0, supply)
	e.ctx.Height = h + 1
	cp := e.checkpoint(0)
	e.ok(&assets.MsgMint{Issuer: bankCo, Denom: cash, Amount: 1_000_000_000_000, To: issuer})
	id := e.deposit(distributions.MsgDeposit{Checkpoint: cp, Amount: eur(1_000_000_000_000), TaxAccount: taxman, DefaultBps: 1500})
	e.ctx.KV().(*store.Cache).Write()
	if _, _, err := e.tree.Commit(); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d holders' history built and committed in %v", n, time.Since(t0).Round(time.Millisecond))
	be := &benchEnv{e: e, cp: cp, id: id}
	benchEnvs[n] = be
	return be
}

// inBranch runs f in a fresh branch of the state, dropped afterwards, as a tx that is not kept.
func (be *benchEnv) inBranch(f func()) {
	saved := be.e.ctx
	be.e.ctx = saved.WithKV(store.NewCache(saved.KV()))
	f()
	be.e.ctx = saved
}

var benchSizes = []struct {
	name string
	n    int
}{{"10", 10}, {"1k", 1_000}, {"1M", 1_000_000}}

// BenchmarkDistributions measures, per number of holders, in the same committed state: a plain
// bank move of the cash asset (send: the baseline the others are quoted against), a deposit (its
// cost must not depend on the number of holders) and a claim (history lookup, withholding, two
// payments, records; each by another holder). Each op runs in its own branch.
func BenchmarkDistributions(b *testing.B) {
	for _, s := range benchSizes {
		be := benchSetup(b, s.n)
		b.Run("holders="+s.name+"/send", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				be.inBranch(func() {
					if err := be.e.bank.Send(be.e.ctx, issuer, taxman, eur(1)); err != nil {
						b.Fatal(err)
					}
				})
			}
		})
		b.Run("holders="+s.name+"/deposit", func(b *testing.B) {
			m := &distributions.MsgDeposit{Depositor: issuer, Asset: sec, Checkpoint: be.cp, Amount: eur(1000), Expiry: be.e.ctx.Time.Add(year).Unix()}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				be.inBranch(func() {
					if _, err := be.e.k.Deposit(be.e.ctx, m); err != nil {
						b.Fatal(err)
					}
				})
			}
		})
		b.Run("holders="+s.name+"/claim", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				m := &distributions.MsgClaim{Holder: holderN((i * 7919) % s.n), Distribution: be.id}
				be.inBranch(func() {
					if err := be.e.k.Claim(be.e.ctx, m); err != nil {
						b.Fatal(fmt.Sprintf("claim %d: %v", i, err))
					}
				})
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "claims/s")
		})
		if s.n < 100 {
			continue
		}
		// One block's push work: an agent queues 100 holders and the end of the block pays them.
		b.Run("holders="+s.name+"/push-block", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				m := &distributions.MsgPush{Agent: issuer, Distribution: be.id}
				for j := 0; j < 100; j++ {
					m.Holders = append(m.Holders, holderN(((i*100+j)*7919)%s.n))
				}
				be.inBranch(func() {
					if err := be.e.k.Push(be.e.ctx, m); err != nil {
						b.Fatal(err)
					}
					if err := be.e.k.PayQueue(be.e.ctx); err != nil {
						b.Fatal(err)
					}
					if n := be.e.k.QueueLen(be.e.ctx); n != 0 {
						b.Fatalf("%d payments left in the queue after one block", n)
					}
				})
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100), "ns/payment")
		})
	}
}
