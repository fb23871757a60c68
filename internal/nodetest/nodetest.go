// Package nodetest starts real one-validator Girder nodes for tests: CometBFT in-process with its
// RPC and P2P on loopback ports from internal/testports, a genesis that funds in-memory ed25519
// keys, and an SDK client dialled to it; the REST API over such a node; the IDs of its events. It
// is used only by tests (node's own tests cannot use it: it imports node).
package nodetest

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	rpcclient "github.com/cometbft/cometbft/rpc/client"
	"github.com/cometbft/cometbft/rpc/client/local"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/api"
	"github.com/girder-chain/girder/app"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/internal/testports"
	"github.com/girder-chain/girder/node"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/bank"
)

// Key is an in-memory ed25519 key: a client.Signer.
type Key struct{ priv ed25519.PrivateKey }

// NewKey derives a key from name: the same name gives the same key (and address).
func NewKey(name string) Key {
	seed := sha256.Sum256([]byte("nodetest " + name))
	return Key{ed25519.NewKeyFromSeed(seed[:])}
}

func (k Key) PubKey() []byte           { return k.priv.Public().(ed25519.PublicKey) }
func (k Key) Address() address.Address { return address.FromPubKey(tx.KeyEd25519, k.PubKey()) }
func (k Key) Sign(m []byte) []byte     { return ed25519.Sign(k.priv, m) }

// DefaultFunds is what each funded key holds at genesis when Options.Funds is 0.
const DefaultFunds = coin.Amount(5_000_000_000)

// Options describe the node to start; the zero value is a valid node with no funded keys.
type Options struct {
	ChainID string      // "girder-test" when empty; the moniker is always "v0"
	Funded  []Key       // each holds Funds ugrd at genesis
	Funds   coin.Amount // DefaultFunds when 0
	Log     io.Writer   // the node's logs; a file node.log in its home when nil
}

// Net is a running node and a client dialled to it.
type Net struct {
	Node   *node.Node
	Client *client.Client
	RPC    string // the node's RPC address (tcp://127.0.0.1:port)
	Home   string
	Keys   []Key // Options.Funded

	stop func() error
}

// Start starts a node in a temporary home, stopped when the test ends.
func Start(t testing.TB, o Options) *Net {
	t.Helper()
	n, err := Launch(o)
	if err != nil {
		t.Fatalf("start a node: %v", err)
	}
	t.Cleanup(func() { n.Stop() })
	return n
}

// Launch is Start for callers without a testing.TB (TestMain, Examples): the caller stops the
// node, and removes its home, with Stop.
func Launch(o Options) (*Net, error) {
	if o.ChainID == "" {
		o.ChainID = "girder-test"
	}
	if o.Funds == 0 {
		o.Funds = DefaultFunds
	}
	home, err := os.MkdirTemp("", "girder-nodetest-")
	if err != nil {
		return nil, err
	}
	var bals []bank.Balance
	for _, k := range o.Funded {
		bals = append(bals, bank.Balance{Address: k.Address(), Coins: []coin.Coin{coin.New("ugrd", o.Funds)}})
	}
	if _, err := node.Init(node.InitOptions{Home: home, ChainID: o.ChainID, Moniker: "v0", Balances: bals}); err != nil {
		os.RemoveAll(home)
		return nil, err
	}
	closeLog := func() error { return nil }
	if o.Log == nil {
		f, err := os.Create(filepath.Join(home, "node.log"))
		if err != nil {
			os.RemoveAll(home)
			return nil, err
		}
		o.Log, closeLog = f, f.Close
	}
	rpc, p2p := testports.Addr(), testports.Addr()
	n, err := node.Start(context.Background(), home, node.Options{Log: o.Log, NoSnapshots: true, Configure: func(c *cmtcfg.Config) {
		c.RPC.ListenAddress, c.P2P.ListenAddress = "tcp://"+rpc, "tcp://"+p2p
	}})
	if err != nil {
		closeLog()
		os.RemoveAll(home)
		return nil, err
	}
	var once sync.Once
	var stopErr error
	net := &Net{Node: n, RPC: n.RPCAddress(), Home: home, Keys: o.Funded, stop: func() error {
		once.Do(func() {
			stopErr = n.Stop()
			closeLog()
			os.RemoveAll(home)
		})
		return stopErr
	}}
	if net.Client, err = client.Dial(net.RPC); err != nil {
		net.Stop()
		return nil, err
	}
	return net, nil
}

// Stop stops the node and removes its home; calls after the first return the first's result.
func (n *Net) Stop() error { return n.stop() }

// WaitHeight waits until the node behind c has committed height h; it fails the test after a
// minute.
func WaitHeight(t testing.TB, c *client.Client, h int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := AwaitHeight(ctx, c, h); err != nil {
		t.Fatalf("the node made no blocks: %v", err)
	}
}

// AwaitHeight is WaitHeight without a testing.TB: it returns an error when ctx ends first.
func AwaitHeight(ctx context.Context, c *client.Client, h int64) error {
	for {
		s, err := c.AppHeight(ctx)
		if err == nil && s >= h {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("height %d not reached: %w (last status error: %v)", h, ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// StartAPI serves the REST API over n with cfg (a started server: it listens on cfg.Addr, and
// its live events follow n's blocks), stopped when the test ends; a failed stop fails the test.
// It returns the server and the in-process RPC client it reads the node through.
func StartAPI(t testing.TB, n *node.Node, cfg api.Config) (*api.Server, rpcclient.Client) {
	t.Helper()
	rpc := local.New(n.Comet())
	s := api.New(cfg, rpc, app.NewRegistry(), n.App.Modules())
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Errorf("stop API: %v", err)
		}
	})
	return s, rpc
}

// EventIDs lists "id type" of every event of heights from..to (the IDs the API's live events
// give them: "height:sequence"), from the node's block results.
func EventIDs(t testing.TB, rpc rpcclient.Client, from, to int64) []string {
	t.Helper()
	var out []string
	for h := from; h <= to; h++ {
		hh := h
		r, err := rpc.BlockResults(context.Background(), &hh)
		if err != nil {
			t.Fatalf("results of %d: %v", h, err)
		}
		seq := 0
		for _, tr := range r.TxResults {
			for _, e := range tr.Events {
				out = append(out, fmt.Sprintf("%d:%d %s", h, seq, e.Type))
				seq++
			}
		}
		for _, e := range r.FinalizeBlockEvents {
			out = append(out, fmt.Sprintf("%d:%d %s", h, seq, e.Type))
			seq++
		}
	}
	return out
}
