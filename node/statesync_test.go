package node

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/snapshots"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/bank"
)

func startNodeWith(t *testing.T, home string, o Options) (*Node, *client.Client) {
	t.Helper()
	logf, err := os.Create(filepath.Join(t.TempDir(), "node.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		logf.Close()
		if t.Failed() { // the end of the node's log says what went wrong
			b, _ := os.ReadFile(logf.Name())
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			t.Logf("last lines of %s's log:\n%s", home, strings.Join(lines[max(0, len(lines)-40):], "\n"))
		}
	})
	o.Log = logf
	n, err := Start(context.Background(), home, o)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(n.RPCAddress())
	if err != nil {
		t.Fatal(err)
	}
	return n, c
}

func eventually(t *testing.T, timeout time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestStateSync starts a validator that snapshots its state every 5 blocks, then a new full node
// with state sync enabled: it restores the validator's latest snapshot (verified by the light
// client against the chain), carries on with the blocks after it, and ends with the validator's
// state, without having replayed the chain from genesis.
func TestStateSync(t *testing.T) {
	// Small chunks, so the snapshot travels in several (both nodes run in this process).
	defer func(size int) { snapshots.ChunkSize = size }(snapshots.ChunkSize)
	snapshots.ChunkSize = 200

	alice, bob := newSigner("alice"), newSigner("bob")
	home := t.TempDir()
	gen, err := Init(InitOptions{Home: home, ChainID: "girder-statesync", Moniker: "v0", Balances: []bank.Balance{
		{Address: alice.Address(), Coins: []coin.Coin{coin.New("ugrd", funds)}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	val, vc := startNodeWith(t, home, Options{Configure: loopback(t), SnapshotInterval: 5})
	defer val.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	waitHeight(t, vc, 2)
	for i := 1; i <= 3; i++ {
		r, err := vc.Send(ctx, alice, []tx.Msg{&bank.MsgSend{From: alice.Address(), To: bob.Address(), Amount: coin.New("ugrd", coin.Amount(1000*i))}}, client.BuildOptions{})
		if err != nil || r.Code != 0 {
			t.Fatalf("transfer %d: %+v %v", i, r, err)
		}
	}
	waitHeight(t, vc, 12)
	eventually(t, 10*time.Second, "snapshots at 5 and 10", func() bool {
		list, err := val.snaps.List()
		if err != nil {
			t.Fatal(err)
		}
		var hs []uint64
		for _, s := range list {
			hs = append(hs, s.Height)
		}
		return len(hs) >= 2 && hs[0] >= 10 && hs[len(hs)-1] >= 5 && list[0].Chunks > 1
	})

	// The trusted header: height 2, its hash read from the validator.
	vrpc, err := rpchttp.New(val.RPCURL())
	if err != nil {
		t.Fatal(err)
	}
	trustHeight := int64(2)
	b, err := vrpc.Block(ctx, &trustHeight)
	if err != nil {
		t.Fatal(err)
	}

	// A full node: its own keys, the validator's genesis, the validator as its peer.
	fullHome := t.TempDir()
	peer := fmt.Sprintf("%s@%s", val.Comet().NodeInfo().ID(), strings.TrimPrefix(val.Config.P2P.ListenAddress, "tcp://"))
	if _, err := Init(InitOptions{Home: fullHome, Moniker: "full", Genesis: cloneGenesis(t, gen), Peers: peer}); err != nil {
		t.Fatal(err)
	}
	ports := loopback(t)
	rpcAddr := strings.TrimPrefix(val.Config.RPC.ListenAddress, "tcp://")
	full, fc := startNodeWith(t, fullHome, Options{Configure: func(c *cmtcfg.Config) {
		ports(c)
		c.StateSync.Enable = true
		c.StateSync.RPCServers = []string{rpcAddr, rpcAddr}
		c.StateSync.TrustHeight = trustHeight
		c.StateSync.TrustHash = b.BlockID.Hash.String()
		c.StateSync.TrustPeriod = time.Hour
		c.StateSync.DiscoveryTime = 5 * time.Second // CometBFT's minimum
	}})
	defer full.Stop()

	// It catches up with the validator.
	eventually(t, 60*time.Second, "the full node to catch up", func() bool {
		vs, err1 := vc.Status(ctx)
		fs, err2 := fc.Status(ctx)
		return err1 == nil && err2 == nil && !fs.CatchingUp && fs.Height >= vs.Height-1 && fs.Height > 12
	})
	base := full.Comet().BlockStore().Base()
	if base <= 1 {
		t.Fatalf("full node's block store starts at %d: it replayed from genesis", base)
	}
	t.Logf("the full node restored the snapshot at %d", base-1)
	if blk, _ := full.Comet().BlockStore().LoadBlock(1); blk != nil {
		t.Fatal("full node holds block 1")
	}

	// A transfer after the sync reaches the full node's state too.
	r, err := vc.Send(ctx, alice, []tx.Msg{&bank.MsgSend{From: alice.Address(), To: bob.Address(), Amount: coin.New("ugrd", 7)}}, client.BuildOptions{})
	if err != nil || r.Code != 0 {
		t.Fatalf("transfer after the sync: %+v %v", r, err)
	}
	waitHeight(t, fc, r.Height+1)

	// Same state at a common height: the full node's app hash (ABCI info) is the one the
	// validator committed to in the next header, and balances read at that height agree.
	frpc, err := rpchttp.New(full.RPCURL())
	if err != nil {
		t.Fatal(err)
	}
	info, err := frpc.ABCIInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h := info.Response.LastBlockHeight
	if h < r.Height {
		t.Fatalf("full node's app at height %d, the last transfer is at %d", h, r.Height)
	}
	waitHeight(t, vc, h+1)
	next := h + 1
	nb, err := vrpc.Block(ctx, &next)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(nb.Block.Header.AppHash, info.Response.LastBlockAppHash) {
		t.Fatalf("app hash at %d: full node %X, validator %X", h, info.Response.LastBlockAppHash, nb.Block.Header.AppHash)
	}
	for _, s := range []memSigner{alice, bob} {
		var vb, fb coin.Coin
		path := "/bank/balance/" + s.Address().String() + "/ugrd"
		if err := vc.Query(ctx, path, nil, h, &vb); err != nil {
			t.Fatal(err)
		}
		if err := fc.Query(ctx, path, nil, h, &fb); err != nil {
			t.Fatal(err)
		}
		if vb != fb || vb.Amount == 0 {
			t.Fatalf("balance of %s at %d: validator %v, full node %v", s.Address(), h, vb, fb)
		}
	}
	if b, err := fc.Balance(ctx, bob.Address(), "ugrd"); err != nil || b.Amount != 1000+2000+3000+7 {
		t.Fatalf("bob's balance on the full node: %v %v", b, err)
	}
	// The full node's state starts at the snapshot: it has no version from before it.
	var early coin.Coin
	if err := fc.Query(ctx, "/bank/balance/"+bob.Address().String()+"/ugrd", nil, 3, &early); err == nil {
		t.Fatal("full node answers at height 3, below its snapshot")
	}
	if err := full.App.Invariants(); err != nil {
		t.Fatal(err)
	}
}

// cloneGenesis returns a copy of the validator's genesis as another home would read it.
func cloneGenesis(t *testing.T, g *cmttypes.GenesisDoc) *cmttypes.GenesisDoc {
	t.Helper()
	path := filepath.Join(t.TempDir(), "genesis.json")
	if err := g.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	c, err := cmttypes.GenesisDocFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
