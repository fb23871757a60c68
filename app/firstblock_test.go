package app

import (
	"context"
	"sync"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/fees"
)

// TestCheckTxDuringFirstBlock: the mempool admits txs (under the connection lock, as the node
// calls CheckTx) while block 1 executes and writes the tree — before any version is committed,
// when the mempool's state reads the working tree itself. Under the race detector (./scripts/test)
// an unguarded write is a data race; the block and the admitted txs must come out right.
func TestCheckTxDuringFirstBlock(t *testing.T) {
	h := newHarness(t, store.OpenMemory(), 400, fees.DefaultParams())
	a, b, c := h.accs[0], h.accs[1], h.accs[2]
	// Txs of accounts the mempool has not read yet: each CheckTx reads the tree.
	var pending [][]byte
	for _, acc := range h.accs[3:] {
		pending = append(pending, send(t, acc, c, 5, 0))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, raw := range pending {
			select {
			case <-stop:
				return
			default:
			}
			h.app.connMu.Lock()
			_, err := h.app.CheckTx(context.Background(), &abci.CheckTxRequest{Tx: raw, Type: abci.CHECK_TX_TYPE_RECHECK})
			h.app.connMu.Unlock()
			if err != nil {
				t.Errorf("CheckTx: %v", err)
				return
			}
		}
	}()
	res := h.block(send(t, a, b, 1_000, 0), send(t, b, a, 2_000, 0))
	close(stop)
	wg.Wait()
	for i, r := range res.TxResults {
		if r.Code != 0 {
			t.Fatalf("block 1 tx %d: %s", i, r.Log)
		}
	}
	h.checkChain()
	if r := h.checkTx(send(t, b, c, 5, 1)); r.Code != 0 { // b's next nonce after block 1
		t.Fatalf("CheckTx after block 1: %s", r.Log)
	}
}
