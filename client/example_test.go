package client_test

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/internal/nodetest"
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

// exampleNode starts a one-validator chain in a temp dir where alice holds 1,000 GRD (Examples
// have no testing.T: it panics when the node does not start).
func exampleNode() (rpcAddr string, alice, bob nodetest.Key, stop func()) {
	alice, bob = nodetest.NewKey("alice"), nodetest.NewKey("bob")
	n, err := nodetest.Launch(nodetest.Options{ChainID: "girder-example", Funded: []nodetest.Key{alice}, Funds: 1_000_000_000, Log: io.Discard})
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := nodetest.AwaitHeight(ctx, n.Client, 1); err != nil {
		panic(err)
	}
	return n.RPC, alice, bob, func() { n.Stop() }
}
