package snapshots_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtlog "github.com/cometbft/cometbft/libs/log"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/app"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/snapshots"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/fees"
	"github.com/girder-chain/girder/x/governance"
)

// The app's ABCI snapshot methods, as CometBFT calls them on a serving node and on a node
// state-syncing from it: the restored app reports the served height and app hash, knows the
// chain id, and answers queries from the restored state.
func TestAppStateSyncThroughABCI(t *testing.T) {
	ctx := context.Background()
	seed := sha256.Sum256([]byte("snapshot test"))
	holder := address.Address(seed[:20])
	gen := appGenesis(t, []bank.Balance{{Address: holder, Coins: []coin.Coin{coin.New("ugrd", 12345)}}})

	srcTree := store.OpenMemory()
	src, err := app.New(srcTree, cmtlog.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := snapshots.New(t.TempDir(), srcTree, 4, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer mgr.Close()
	src.SetSnapshots(mgr)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := src.InitChain(ctx, &abci.InitChainRequest{ChainId: "girder-snap", InitialHeight: 1, Time: t0, AppStateBytes: gen}); err != nil {
		t.Fatal(err)
	}
	hashAt := map[int64][]byte{}
	for h := int64(1); h <= 9; h++ {
		if _, err := src.FinalizeBlock(ctx, &abci.FinalizeBlockRequest{Height: h, Time: t0.Add(time.Duration(h) * time.Second)}); err != nil {
			t.Fatal(err)
		}
		if _, err := src.Commit(ctx, &abci.CommitRequest{}); err != nil {
			t.Fatal(err)
		}
		hashAt[h] = srcTree.Hash()
		mgr.Wait()
	}
	list, err := src.ListSnapshots(ctx, &abci.ListSnapshotsRequest{})
	if err != nil || len(list.Snapshots) != 2 || list.Snapshots[0].Height != 8 || list.Snapshots[1].Height != 4 {
		t.Fatalf("listed %v %v, want heights 8 and 4", list, err)
	}
	s := list.Snapshots[0]

	dstTree := store.OpenMemory()
	dst, err := app.New(dstTree, cmtlog.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	dmgr, err := snapshots.New(t.TempDir(), dstTree, 4, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dmgr.Close()
	dst.SetSnapshots(dmgr)
	off, err := dst.OfferSnapshot(ctx, &abci.OfferSnapshotRequest{Snapshot: s, AppHash: hashAt[8]})
	if err != nil || off.Result != abci.OFFER_SNAPSHOT_RESULT_ACCEPT {
		t.Fatalf("offer: %v %v", off, err)
	}
	for i := uint32(0); i < s.Chunks; i++ {
		c, err := src.LoadSnapshotChunk(ctx, &abci.LoadSnapshotChunkRequest{Height: s.Height, Format: s.Format, Chunk: i})
		if err != nil || len(c.Chunk) == 0 {
			t.Fatalf("load chunk %d: %v", i, err)
		}
		res, err := dst.ApplySnapshotChunk(ctx, &abci.ApplySnapshotChunkRequest{Index: i, Chunk: c.Chunk, Sender: "src"})
		if err != nil || res.Result != abci.APPLY_SNAPSHOT_CHUNK_RESULT_ACCEPT {
			t.Fatalf("apply chunk %d: %v %v", i, res, err)
		}
	}
	info, err := dst.Info(ctx, &abci.InfoRequest{})
	if err != nil || info.LastBlockHeight != 8 || !bytes.Equal(info.LastBlockAppHash, hashAt[8]) || info.AppVersion != app.AppVersion {
		t.Fatalf("info after restore: %+v %v", info, err)
	}
	if dst.ChainID() != "girder-snap" {
		t.Fatalf("chain id after restore: %q", dst.ChainID())
	}
	q, err := dst.Query(ctx, &abci.QueryRequest{Path: "/bank/balance/" + holder.String() + "/ugrd"})
	if err != nil || q.Code != 0 || !bytes.Contains(q.Value, []byte("12345")) {
		t.Fatalf("balance query after restore: %+v %v", q, err)
	}
	if err := dst.Invariants(); err != nil {
		t.Fatal(err)
	}

	// The restored app runs the next block to the same app hash as the source.
	req := &abci.FinalizeBlockRequest{Height: 9, Time: t0.Add(9 * time.Second)}
	fb, err := dst.FinalizeBlock(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dst.Commit(ctx, &abci.CommitRequest{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fb.AppHash, hashAt[9]) || !bytes.Equal(dstTree.Hash(), hashAt[9]) {
		t.Fatal("restored app diverges at the next block")
	}

	// A chunk that is not served gives an empty answer, not an error.
	c, err := src.LoadSnapshotChunk(ctx, &abci.LoadSnapshotChunkRequest{Height: 3, Format: s.Format})
	if err != nil || c.Chunk != nil {
		t.Fatalf("missing chunk: %v %v", c, err)
	}
	// An app without a snapshot manager serves none and restores none.
	bare, _ := app.New(store.OpenMemory(), cmtlog.NewNopLogger())
	if l, _ := bare.ListSnapshots(ctx, &abci.ListSnapshotsRequest{}); len(l.Snapshots) != 0 {
		t.Fatal("bare app lists snapshots")
	}
	if o, _ := bare.OfferSnapshot(ctx, &abci.OfferSnapshotRequest{Snapshot: s, AppHash: hashAt[8]}); o.Result == abci.OFFER_SNAPSHOT_RESULT_ACCEPT {
		t.Fatal("bare app accepts a snapshot")
	}
}

// appGenesis is a genesis app_state with the native token, default fees and the balances.
func appGenesis(t *testing.T, balances []bank.Balance) []byte {
	t.Helper()
	authG, err1 := json.Marshal(auth.Genesis{Accounts: []auth.Account{}})
	bankG, err2 := json.Marshal(bank.Genesis{Units: []coin.Unit{{Base: "ugrd", Display: "GRD", Exponent: 6}}, Balances: balances})
	feesG, err3 := json.Marshal(fees.DefaultGenesis())
	st, err4 := json.Marshal(map[string]json.RawMessage{"auth": authG, "bank": bankG, "fees": feesG, "identity": json.RawMessage(`{}`), "compliance": json.RawMessage(`{}`), "assets": json.RawMessage(`{}`), "offerings": json.RawMessage(`{}`), "distributions": json.RawMessage(`{}`), "projects": json.RawMessage(`{}`), "vesting": json.RawMessage(`{}`), "governance": governanceGenesis, "passes": json.RawMessage(`{}`)})
	for _, err := range []error{err1, err2, err3, err4} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// governanceGenesis is x/governance's default genesis (its params have no zero defaults).
var governanceGenesis = func() json.RawMessage {
	b, err := json.Marshal(governance.DefaultGenesis())
	if err != nil {
		panic(err)
	}
	return b
}()
