package client_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"github.com/girder-chain/girder/internal/testports"
	"io"
	"os"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/node"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/bank"
)

// Example sends a transfer and waits for the block that commits it. In a program, dial your
// node's RPC address (girder dev prints it: tcp://127.0.0.1:26657) and sign with a key from the
// keyring; here a throwaway dev node and in-memory keys stand in for them.
func Example() {
	rpcAddr, alice, bob, stop := exampleNode()
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.Dial(rpcAddr)
	if err != nil {
		panic(err)
	}
	amount, err := c.ParseAmount(ctx, "1.5GRD") // 1,500,000 ugrd
	if err != nil {
		panic(err)
	}
	res, err := c.Send(ctx, alice, []tx.Msg{&bank.MsgSend{From: alice.Address(), To: bob.Address(), Amount: amount}}, client.BuildOptions{})
	if err != nil {
		panic(err) // refused by the node: a *codes.Error with module, code and message
	}
	fmt.Println("code:", res.Code, "committed:", res.Height > 0, "fee paid:", res.Fee > 0)
	bal, err := c.Balance(ctx, bob.Address(), "ugrd")
	if err != nil {
		panic(err)
	}
	fmt.Println("bob holds:", bal)
	// Output:
	// code: 0 committed: true fee paid: true
	// bob holds: 1500000ugrd
}

// exampleKey is an in-memory ed25519 key: a client.Signer.
type exampleKey struct{ priv ed25519.PrivateKey }

func (k exampleKey) PubKey() []byte           { return k.priv.Public().(ed25519.PublicKey) }
func (k exampleKey) Address() address.Address { return address.FromPubKey(tx.KeyEd25519, k.PubKey()) }
func (k exampleKey) Sign(m []byte) []byte     { return ed25519.Sign(k.priv, m) }

func newExampleKey(name string) exampleKey {
	seed := sha256.Sum256([]byte("example " + name))
	return exampleKey{ed25519.NewKeyFromSeed(seed[:])}
}

func loopbackPort() string {
	return testports.Addr()
}

// exampleNode starts a one-validator chain in a temp dir where alice holds 1,000 GRD.
func exampleNode() (rpcAddr string, alice, bob exampleKey, stop func()) {
	alice, bob = newExampleKey("alice"), newExampleKey("bob")
	home, err := os.MkdirTemp("", "girder-example-")
	if err != nil {
		panic(err)
	}
	if _, err := node.Init(node.InitOptions{Home: home, ChainID: "girder-example", Moniker: "example",
		Balances: []bank.Balance{{Address: alice.Address(), Coins: []coin.Coin{coin.New("ugrd", 1_000_000_000)}}}}); err != nil {
		panic(err)
	}
	rpc, p2p := loopbackPort(), loopbackPort()
	n, err := node.Start(context.Background(), home, node.Options{Log: io.Discard, Configure: func(c *cmtcfg.Config) {
		c.RPC.ListenAddress, c.P2P.ListenAddress = "tcp://"+rpc, "tcp://"+p2p
	}})
	if err != nil {
		panic(err)
	}
	c, _ := client.Dial(n.RPCAddress())
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if s, err := c.Status(context.Background()); err == nil && s.Height >= 1 {
			break
		}
	}
	return n.RPCAddress(), alice, bob, func() { n.Stop(); os.RemoveAll(home) }
}
