package app

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"syscall"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/identity"
)

// BenchmarkSecurityTransfers measures blocks of 1,000 signed transfers (admitted by CheckTx first,
// executed and committed to disk) among 1,000 verified investors: of the native token (the
// baseline), and of a security whose every transfer passes five compliance rules (claims,
// jurisdictions, maximum balance, large-transfer flag, velocity), in the same run and state.
// The "interleaved" case alternates a native block and a security block (each timed on its own)
// so that a busy machine slows both alike: it reports both costs per tx and their ratio
// (x-native: how many native transfers one security transfer costs, over the whole run and as the
// median of the block pairs; issue 10 wants at most 2).
func BenchmarkSecurityTransfers(b *testing.B) {
	tree, err := store.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer tree.Close()
	s := newRoleScenario(b, tree, "bench", benchAccounts)
	h := s.h
	admin, kyc, officer := s.addr(idAdmin), s.addr(idKYC1), s.addr(idOfficer)
	h.block()
	s.block(ok(s.tx(idAdmin, &auth.MsgGrantRole{Authority: admin, Role: auth.RoleAssetIssuer, Account: admin})))

	exempt := []address.Address{admin}
	var setup []outcome
	setup = append(setup, ok(s.tx(idAdmin, &assets.MsgCreate{Issuer: admin, Denom: secDenom, Kind: assets.KindSecurity, Name: "Bench bridge", Symbol: "BRIDGE"})),
		ok(s.tx(idOfficer, &compliance.MsgSetRules{Officer: officer, Asset: secDenom, Rules: []compliance.Rule{
			{ID: "kyc", Kind: compliance.KindRequiredClaims, Outcome: compliance.OutcomeReject, Params: compliance.Params{Side: compliance.SideReceiver, KYCLevel: 1, Sanctions: true, Exempt: exempt}},
			{ID: "eu", Kind: compliance.KindJurisdictionAllow, Outcome: compliance.OutcomeReject, Params: compliance.Params{Side: compliance.SideBoth, Jurisdictions: []string{"DE", "FR", "NL"}, Exempt: exempt}},
			{ID: "cap", Kind: compliance.KindMaxBalance, Outcome: compliance.OutcomeReject, Params: compliance.Params{Bps: 5_000, Exempt: exempt}},
			{ID: "large", Kind: compliance.KindLargeTransfer, Outcome: compliance.OutcomeFlag, Params: compliance.Params{Amount: 1_000_000_000}},
			{ID: "daily", Kind: compliance.KindVelocity, Outcome: compliance.OutcomeReject, Params: compliance.Params{Amount: 1_000_000_000_000, Window: 86_400, Exempt: exempt}},
		}})))
	ev := identity.Hash(sha256.Sum256([]byte("bench kyc")))
	var msgs []tx.Msg
	for i := 3; i < benchAccounts; i++ {
		id := fmt.Sprintf("inv-%d", i)
		msgs = append(msgs, &identity.MsgRegister{Provider: kyc, ID: id, Accounts: []address.Address{s.addr(i)}},
			&identity.MsgIssue{Issuer: kyc, ID: id, Claims: identity.ClaimSet{KYCLevel: 2, Jurisdiction: []string{"DE", "FR", "NL"}[i%3], SanctionsScreened: true},
				Expiry: h.time.AddDate(1, 0, 0).Unix(), EvidenceHash: ev})
		if len(msgs) == 20 || i == benchAccounts-1 {
			setup = append(setup, ok(signTx(b, h.accs[idKYC1], testChain, s.nonces[idKYC1], tx.Fee{GasLimit: 1_000_000, MaxFee: 100_000_000}, true, msgs...)))
			s.nonces[idKYC1]++
			msgs = nil
		}
	}
	s.block(setup...)
	setup = []outcome{ok(s.tx(idAdmin, &assets.MsgMint{Issuer: admin, Denom: secDenom, Amount: 1_000_000_000_000}))}
	for i := 3; i < benchAccounts; i++ {
		setup = append(setup, ok(s.tx(idAdmin, &bank.MsgSend{From: admin, To: s.addr(i), Amount: coin.New(secDenom, 1_000_000)})))
	}
	s.block(setup...)

	sign := func(denom string, n int, i0 int) [][]byte {
		txs := make([][]byte, 0, n)
		for i := i0; len(txs) < n; i++ {
			from, to := 3+i%(benchAccounts-3), 3+(i+1)%(benchAccounts-3)
			txs = append(txs, s.tx(from, &bank.MsgSend{From: s.addr(from), To: s.addr(to), Amount: coin.New(denom, 1)}))
		}
		return txs
	}
	b.Run("interleaved/block=1000", func(b *testing.B) {
		const per = 1000
		blocks := (b.N + per - 1) / per
		var native, security [][][]byte
		for i := 0; i < blocks; i++ { // signed in the order they run: nonces follow
			native = append(native, sign("ugrd", per, i*per))
			security = append(security, sign(secDenom, per, i*per))
		}
		var tn, ts, cn, cs time.Duration
		ratios := make([]float64, blocks)
		b.ReportAllocs()
		b.ResetTimer()
		b.StopTimer() // the benchmark's own timer (ns/op, allocs) counts the security blocks
		for i := 0; i < blocks; i++ {
			dn, un := h.timeBlock(b, native[i], false)
			ds, us := h.timeBlock(b, security[i], true)
			tn, ts, cn, cs, ratios[i] = tn+dn, ts+ds, cn+un, cs+us, float64(ds)/float64(dn)
		}
		n := float64(blocks * per)
		slices.Sort(ratios)
		b.ReportMetric(float64(tn.Nanoseconds())/n, "native-ns/tx")
		b.ReportMetric(float64(ts.Nanoseconds())/n, "security-ns/tx")
		b.ReportMetric(float64(ts)/float64(tn), "x-native")
		// The median of the ratios of each pair of blocks: a burst of load on the machine
		// skews one pair, not the figure.
		b.ReportMetric(ratios[len(ratios)/2], "x-native-median")
		// The ratio of the CPU time the process spent (user and system, all its threads: GC and
		// the database's compactions included), which other processes on the machine do not
		// lengthen as they do the wall time.
		b.ReportMetric(float64(cs)/float64(cn), "x-native-cpu")
	})
	for _, denom := range []string{"ugrd", secDenom} {
		b.Run(denom+"/block=1000", func(b *testing.B) {
			const per = 1000
			blocks := (b.N + per - 1) / per
			txs := make([][]byte, 0, blocks*per)
			for i := 0; len(txs) < blocks*per; i++ {
				from, to := 3+i%(benchAccounts-3), 3+(i+1)%(benchAccounts-3)
				txs = append(txs, s.tx(from, &bank.MsgSend{From: s.addr(from), To: s.addr(to), Amount: coin.New(denom, 1)}))
			}
			h.benchBlocks(b, txs, per, true)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(blocks*per), "ns/tx")
		})
	}
}

// timeBlock admits txs by CheckTx (untimed), then executes and commits them as one block and
// returns how long that took and the CPU time the process spent meanwhile (also on b's timer
// when timed), failing on any tx that does not succeed. b's timer must be stopped.
func (h *harness) timeBlock(b *testing.B, txs [][]byte, timed bool) (time.Duration, time.Duration) {
	ctx := context.Background()
	for _, raw := range txs {
		if r, _ := h.app.CheckTx(ctx, &abci.CheckTxRequest{Tx: raw}); r.Code != 0 {
			b.Fatalf("CheckTx: %s", r.Log)
		}
	}
	h.height++
	h.time = h.time.Add(time.Second)
	if timed {
		b.StartTimer()
	}
	cpu0 := cpuTime(b)
	start := time.Now()
	res, err := h.app.FinalizeBlock(ctx, &abci.FinalizeBlockRequest{Txs: txs, Height: h.height, Time: h.time})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := h.app.Commit(ctx, &abci.CommitRequest{}); err != nil {
		b.Fatal(err)
	}
	d := time.Since(start)
	cpu := cpuTime(b) - cpu0
	if timed {
		b.StopTimer()
	}
	for _, r := range res.TxResults {
		if r.Code != 0 {
			b.Fatalf("tx failed: %s", r.Log)
		}
	}
	return d, cpu
}

// cpuTime is the CPU time (user and system) the process has spent so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
