package app

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/fees"
)

const benchAccounts = 1000

// presign makes n transfers spread over the harness's accounts, nonces in order.
func presign(b *testing.B, h *harness, n int) [][]byte {
	b.Helper()
	txs := make([][]byte, n)
	for i := range txs {
		from := h.accs[i%len(h.accs)]
		to := h.accs[(i+1)%len(h.accs)]
		txs[i] = send(b, from, to, 1, uint64(i/len(h.accs)))
	}
	return txs
}

// BenchmarkCheckTx measures mempool admission of a new transfer: decode, signature, nonce, fee.
func BenchmarkCheckTx(b *testing.B) {
	h := newHarness(b, store.OpenMemory(), benchAccounts, fees.DefaultParams())
	h.block()
	txs := presign(b, h, b.N)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for _, raw := range txs {
		r, err := h.app.CheckTx(ctx, &abci.CheckTxRequest{Tx: raw, Type: abci.CHECK_TX_TYPE_CHECK})
		if err != nil || r.Code != 0 {
			b.Fatalf("CheckTx: %v %s", err, r.Log)
		}
	}
}

// BenchmarkFinalizeBlock measures executing and committing blocks of 1,000 transfers (to disk),
// per tx: "verified" txs were admitted by this node's CheckTx (signature cached), "unverified"
// ones arrive only in the block.
func BenchmarkFinalizeBlock(b *testing.B) {
	for _, verified := range []bool{true, false} {
		name := "unverified"
		if verified {
			name = "verified"
		}
		b.Run(fmt.Sprintf("%s/block=1000", name), func(b *testing.B) {
			tree, err := store.Open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer tree.Close()
			h := newHarness(b, tree, benchAccounts, fees.DefaultParams())
			h.block()
			const per = 1000
			blocks := (b.N + per - 1) / per
			txs := presign(b, h, blocks*per)
			h.benchBlocks(b, txs, per, verified)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(blocks*per), "ns/tx")
		})
	}
}

// BenchmarkEd25519Verify is the baseline for the figures above: one signature verification,
// the floor of CheckTx for a new tx, measured in the same run.
func BenchmarkEd25519Verify(b *testing.B) {
	a := testAccount("baseline")
	msg := make([]byte, 200)
	sig := ed25519.Sign(a.priv, msg)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if !ed25519.Verify(a.pub, msg, sig) {
			b.Fatal("verify")
		}
	}
}

// benchBlocks executes and commits txs in blocks of per, timed (admitted by CheckTx first,
// untimed, when verified), failing on any tx that does not succeed.
func (h *harness) benchBlocks(b *testing.B, txs [][]byte, per int, verified bool) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i+per <= len(txs); i += per {
		blk := txs[i : i+per]
		if verified {
			b.StopTimer()
			for _, raw := range blk {
				if r, _ := h.app.CheckTx(ctx, &abci.CheckTxRequest{Tx: raw}); r.Code != 0 {
					b.Fatalf("CheckTx: %s", r.Log)
				}
			}
			b.StartTimer()
		}
		h.height++
		h.time = h.time.Add(time.Second)
		res, err := h.app.FinalizeBlock(ctx, &abci.FinalizeBlockRequest{Txs: blk, Height: h.height, Time: h.time})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := h.app.Commit(ctx, &abci.CommitRequest{}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		for _, r := range res.TxResults {
			if r.Code != 0 {
				b.Fatalf("tx failed: %s", r.Log)
			}
		}
		b.StartTimer()
	}
	b.StopTimer()
}
