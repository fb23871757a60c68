package node

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"github.com/girder-chain/girder/internal/testports"
	"os"
	"path/filepath"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
)

// memSigner is an in-memory ed25519 key (the SDK's Signer).
type memSigner struct{ priv ed25519.PrivateKey }

func newSigner(name string) memSigner {
	seed := sha256.Sum256([]byte("node test " + name))
	return memSigner{ed25519.NewKeyFromSeed(seed[:])}
}
func (s memSigner) PubKey() []byte           { return s.priv.Public().(ed25519.PublicKey) }
func (s memSigner) Address() address.Address { return address.FromPubKey(tx.KeyEd25519, s.PubKey()) }
func (s memSigner) Sign(m []byte) []byte     { return ed25519.Sign(s.priv, m) }

func freePort(t *testing.T) string { return freePortAddr(t) }

// freePortAddr returns a loopback address with a port free at the time of the call.
func freePortAddr(t testing.TB) string {
	t.Helper()
	return testports.Addr()
}

// loopback binds a node's RPC and p2p to free loopback ports.
func loopback(t *testing.T) func(*cmtcfg.Config) {
	rpc, p2p := freePort(t), freePort(t)
	return func(c *cmtcfg.Config) {
		c.RPC.ListenAddress = "tcp://" + rpc
		c.P2P.ListenAddress = "tcp://" + p2p
	}
}

func startNode(t *testing.T, home string, configure func(*cmtcfg.Config)) (*Node, *client.Client) {
	t.Helper()
	logf, err := os.Create(filepath.Join(t.TempDir(), "node.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logf.Close() })
	n, err := Start(context.Background(), home, Options{Log: logf, Configure: configure})
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(n.RPCAddress())
	if err != nil {
		t.Fatal(err)
	}
	return n, c
}

func waitHeight(t *testing.T, c *client.Client, h int64) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		s, err := c.Status(ctx)
		if err == nil && s.Height >= h {
			return s.Height
		}
		select {
		case <-ctx.Done():
			t.Fatalf("chain did not reach height %d: %v", h, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

const funds = coin.Amount(5_000_000_000)

// TestNodeEndToEnd starts a real validator (CometBFT in-process, real RPC, state on disk), sends
// txs through the SDK, checks the committed state, restarts the node, and exports its state to
// start a second chain that reaches the same state.
func TestNodeEndToEnd(t *testing.T) {
	alice, bob, carol := newSigner("alice"), newSigner("bob"), newSigner("carol")
	home := t.TempDir()
	_, err := Init(InitOptions{Home: home, ChainID: "girder-e2e", Moniker: "v0", Balances: []bank.Balance{
		{Address: alice.Address(), Coins: []coin.Coin{coin.New("ugrd", funds)}},
		{Address: bob.Address(), Coins: []coin.Coin{coin.New("ugrd", funds)}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Init(InitOptions{Home: home, ChainID: "girder-e2e", Moniker: "v0"}); !errors.Is(err, ErrInitialized) {
		t.Fatalf("second init of the same home: %v, want ErrInitialized", err)
	}
	ports := loopback(t)
	n, c := startNode(t, home, ports)
	waitHeight(t, c, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// A transfer commits; balances, supply and fee totals move exactly.
	r, err := c.Send(ctx, alice, []tx.Msg{&bank.MsgSend{From: alice.Address(), To: bob.Address(), Amount: coin.New("ugrd", 1_500_000)}}, client.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Code != 0 || r.Height == 0 || r.GasUsed == 0 || r.Fee == 0 {
		t.Fatalf("transfer result %+v", r)
	}
	if r.Burnt != r.Fee/2 {
		t.Fatalf("burnt %d of fee %d, want half", r.Burnt, r.Fee)
	}
	expectBalance(t, c, alice, funds-1_500_000-r.Fee)
	expectBalance(t, c, bob, funds+1_500_000)
	f, err := c.Fees(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if f.Burnt != r.Burnt || f.Pooled != r.Fee-r.Burnt || f.PoolBalance != f.Pooled {
		t.Fatalf("fee totals %+v after one tx paying %d (burnt %d)", f, r.Fee, r.Burnt)
	}
	s, _ := c.Supply(ctx, "ugrd")
	if s.Amount != 2*funds-r.Burnt {
		t.Fatalf("supply %d, want %d", s.Amount, 2*funds-r.Burnt)
	}
	acc, ok, err := c.Account(ctx, alice.Address())
	if err != nil || !ok || acc.Nonce != 1 || !bytes.Equal(acc.PubKey, alice.PubKey()) {
		t.Fatalf("alice's account after her first tx: %+v %v %v", acc, ok, err)
	}
	info, err := c.Tx(ctx, r.Hash)
	if err != nil || len(info.Msgs) != 1 || info.Signer != alice.Address() || info.Height != r.Height {
		t.Fatalf("query tx: %+v %v", info, err)
	}

	// A multi-send creates carol's account on receipt.
	r, err = c.Send(ctx, bob, []tx.Msg{&bank.MsgMultiSend{From: bob.Address(), Outputs: []bank.Output{
		{To: alice.Address(), Amount: coin.New("ugrd", 10)}, {To: carol.Address(), Amount: coin.New("ugrd", 20)}}}}, client.BuildOptions{})
	if err != nil || r.Code != 0 {
		t.Fatalf("multi-send: %+v %v", r, err)
	}
	expectBalance(t, c, carol, 20)

	// Refusals come back as the chain's codes and change nothing.
	before, _ := c.Balances(ctx, alice.Address())
	_, err = c.Send(ctx, alice, []tx.Msg{&bank.MsgSend{From: alice.Address(), To: bob.Address(), Amount: coin.New("ugrd", funds*2)}}, client.BuildOptions{})
	expectCode(t, err, "bank", 2)
	stale := uint64(0)
	_, err = c.Send(ctx, alice, []tx.Msg{&bank.MsgSend{From: alice.Address(), To: bob.Address(), Amount: coin.New("ugrd", 1)}}, client.BuildOptions{Nonce: &stale, GasLimit: 10_000})
	expectCode(t, err, "auth", 3)
	_, err = c.Send(ctx, carol, []tx.Msg{&bank.MsgSend{From: carol.Address(), To: bob.Address(), Amount: coin.New("ugrd", 1)}}, client.BuildOptions{GasLimit: 10_000})
	expectCode(t, err, "fees", 3) // 20ugrd cannot cover the max fee
	after, _ := c.Balances(ctx, alice.Address())
	if !equalCoins(before, after) {
		t.Fatalf("refused txs changed alice's balances: %v → %v", before, after)
	}
	if err := n.App.Invariants(); err != nil {
		t.Fatal(err)
	}

	// Restart: height and state persist; the next tx uses the next nonce.
	height := waitHeight(t, c, 0)
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	n, c = startNode(t, home, ports)
	if h := waitHeight(t, c, height+1); h <= height {
		t.Fatalf("height %d after restart, was %d", h, height)
	}
	expectBalance(t, c, carol, 20)
	r, err = c.Send(ctx, alice, []tx.Msg{&bank.MsgSend{From: alice.Address(), To: carol.Address(), Amount: coin.New("ugrd", 5)}}, client.BuildOptions{})
	if err != nil || r.Code != 0 {
		t.Fatalf("transfer after restart: %+v %v", r, err)
	}
	if acc, _, _ := c.Account(ctx, alice.Address()); acc.Nonce != 2 {
		t.Fatalf("alice's nonce after restart and one more tx: %d, want 2", acc.Nonce)
	}
	if err := n.App.Invariants(); err != nil {
		t.Fatal(err)
	}
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}

	// Export, start a new chain from the export, export again: same state.
	gen, err := Export(home, "")
	if err != nil {
		t.Fatal(err)
	}
	home2 := t.TempDir()
	for _, f := range []string{"config/config.toml", "config/node_key.json", "config/priv_validator_key.json", "data/priv_validator_state.json"} {
		copyFile(t, filepath.Join(home, f), filepath.Join(home2, f))
	}
	if err := gen.SaveAs(filepath.Join(home2, "config", "genesis.json")); err != nil {
		t.Fatal(err)
	}
	n2, c2 := startNode(t, home2, loopback(t))
	waitHeight(t, c2, gen.InitialHeight+2)
	expectBalance(t, c2, carol, 25)
	if err := n2.Stop(); err != nil {
		t.Fatal(err)
	}
	gen2, err := Export(home2, "")
	if err != nil {
		t.Fatal(err)
	}
	var s1, s2 map[string]json.RawMessage
	_ = json.Unmarshal(gen.AppState, &s1)
	_ = json.Unmarshal(gen2.AppState, &s2)
	for _, m := range []string{"auth", "bank", "fees"} {
		if !bytes.Equal(s1[m], s2[m]) {
			t.Fatalf("%s state differs after the export round trip:\n%s\n%s", m, s1[m], s2[m])
		}
	}
	var ag auth.Genesis
	if err := json.Unmarshal(s2["auth"], &ag); err != nil || len(ag.Accounts) < 3 {
		t.Fatalf("exported accounts: %v %v", ag.Accounts, err)
	}
}

func expectBalance(t *testing.T, c *client.Client, s memSigner, want coin.Amount) {
	t.Helper()
	b, err := c.Balance(context.Background(), s.Address(), "ugrd")
	if err != nil || b.Amount != want {
		t.Fatalf("balance of %s = %v (%v), want %d", s.Address(), b, err, want)
	}
}

func expectCode(t *testing.T, err error, module string, code uint32) {
	t.Helper()
	var ce *codes.Error
	if !errors.As(err, &ce) || ce.Module != module || ce.Code != code {
		t.Fatalf("error %v, want %s code %d", err, module, code)
	}
	if ce.Msg == "" {
		t.Fatal("no message")
	}
}

func equalCoins(a, b []coin.Coin) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
