package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/node"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/governance"
)

// TestStartStopsAtUnknownUpgrade: a chain whose genesis plans the upgrade v2 at height 3.
// `girder start` commits blocks 1 and 2, then stops the node and exits with status 1 and a message
// on stderr naming the upgrade and its height and what to do; started again, it refuses at once.
func TestStartStopsAtUnknownUpgrade(t *testing.T) {
	home := t.TempDir()
	rpc, p2p := loopbackAddr(t), loopbackAddr(t)
	_, err := node.Init(node.InitOptions{Home: home, ChainID: "halt-test", Moniker: "v",
		Balances:  []bank.Balance{{Address: haltAddr(), Coins: []coin.Coin{coin.New("ugrd", 1_000_000)}}},
		Configure: func(c *cmtcfg.Config) { c.RPC.ListenAddress, c.P2P.ListenAddress = "tcp://"+rpc, "tcp://"+p2p },
		EditAppState: func(st map[string]json.RawMessage) error {
			var g governance.Genesis
			if err := json.Unmarshal(st[governance.ModuleName], &g); err != nil {
				return err
			}
			g.Upgrade = &governance.Plan{Name: "v2", Height: 3, Info: "girder 0.2.0"}
			b, err := json.Marshal(g)
			st[governance.ModuleName] = b
			return err
		}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`"v2"`, "height 3", "install the binary that knows it, then start again"}
	for run := 0; run < 2; run++ {
		type result struct {
			stdout, stderr string
			code           int
		}
		done := make(chan result, 1)
		go func() {
			out, errOut, code := girder(t, "start", "--home", home, "--api.off", "--no-snapshots")
			done <- result{out, errOut, code}
		}()
		var r result
		select {
		case r = <-done:
		case <-time.After(60 * time.Second):
			t.Fatalf("run %d: girder start did not stop at the upgrade height", run)
		}
		last := lastLine(r.stderr)
		if r.code != 1 || !strings.HasPrefix(last, "Error: ") {
			t.Fatalf("run %d: exit %d, last line of stderr %q", run, r.code, last)
		}
		for _, w := range want {
			if !strings.Contains(last, w) {
				t.Fatalf("run %d: stderr's last line %q does not say %q", run, last, w)
			}
		}
	}
	// The state stays at height 2.
	gen, err := node.Export(home, "")
	if err != nil {
		t.Fatal(err)
	}
	if gen.InitialHeight != 3 {
		t.Fatalf("state exported at height %d, want 2", gen.InitialHeight-1)
	}
}

func haltAddr() address.Address {
	seed := sha256.Sum256([]byte("girder start halt test"))
	return address.FromPubKey(tx.KeyEd25519, ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey))
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestListenAddr: --rpc.address and --p2p.address take host:port or an address with its scheme.
func TestListenAddr(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:26657":       "tcp://127.0.0.1:26657",
		"tcp://127.0.0.1:26657": "tcp://127.0.0.1:26657",
		"unix:///tmp/rpc.sock":  "unix:///tmp/rpc.sock",
	} {
		if got := listenAddr(in); got != want {
			t.Errorf("listenAddr(%q) = %q, want %q", in, got, want)
		}
	}
}
