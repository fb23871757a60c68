package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/girder-chain/girder/internal/testports"

	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/keyring"
	"github.com/girder-chain/girder/node"
	"github.com/girder-chain/girder/x/fees"
)

// girder runs the CLI as main does: it returns stdout, stderr and the exit code.
func girder(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	root := newRootCmd()
	var out, errOut lockedBuffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(""))
	code := 0
	if err := root.Execute(); err != nil {
		code = report(&errOut, err)
	}
	return out.String(), errOut.String(), code
}

// lockedBuffer is a buffer that goroutines may write at once: a node started by a command logs
// to the command's stderr from CometBFT's goroutines, some of which may still log while the
// command reports its error (a real process writes to os.Stderr, which allows that).
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func loopbackAddr(t *testing.T) string {
	t.Helper()
	return testports.Addr()
}

// TestCLIAgainstRealNode: keys, init and a real node; then the user commands of the README's
// tour through the CLI, and the errors a person sees for bad input.
func TestCLIAgainstRealNode(t *testing.T) {
	home := t.TempDir()
	kr := []string{"--home", home, "--keyring-backend", "test"}
	addr := map[string]string{}
	for _, name := range []string{"alice", "bob"} {
		out, _, code := girder(t, append([]string{"keys", "add", name, "-o", "json"}, kr...)...)
		var info keyring.Info
		if code != 0 || json.Unmarshal([]byte(out), &info) != nil {
			t.Fatalf("keys add %s: %d %s", name, code, out)
		}
		addr[name] = info.Address.String()
	}
	_, stderr, code := girder(t, "init", "--home", home, "--chain-id", "cli-test", "--moniker", "v",
		"--fund", addr["alice"]+"=1000GRD", "--fund", addr["bob"]+"=1000GRD")
	if code != 0 {
		t.Fatalf("init: %s", stderr)
	}
	rpc := loopbackAddr(t)
	c, err := node.LoadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	c.RPC.ListenAddress, c.P2P.ListenAddress = "tcp://"+rpc, "tcp://"+loopbackAddr(t)
	node.WriteConfig(c)
	logf, _ := os.Create(filepath.Join(t.TempDir(), "node.log"))
	defer logf.Close()
	n, err := node.Start(context.Background(), home, node.Options{Log: logf})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	at := append([]string{"--node", "tcp://" + rpc, "-o", "json"}, kr...)
	waitForBlocks(t, "tcp://"+rpc)

	// The tour: send, then see it in balances, the tx and the fee totals.
	out, stderr, code := girder(t, append([]string{"tx", "bank", "send", "alice", "bob", "1.5GRD", "--memo", "tour"}, at...)...)
	var res client.Result
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Code != 0 || res.Height == 0 || res.Fee == 0 {
		t.Fatalf("send: code %d\n%s\n%s", code, out, stderr)
	}
	out, _, _ = girder(t, append([]string{"query", "balance", "bob"}, at...)...)
	if !strings.Contains(out, `"amount": "1001500000"`) {
		t.Fatalf("bob's balance after receiving 1.5GRD:\n%s", out)
	}
	out, _, _ = girder(t, append([]string{"query", "tx", res.Hash}, at...)...)
	if !strings.Contains(out, `"memo": "tour"`) || !strings.Contains(out, "bank/send") {
		t.Fatalf("query tx:\n%s", out)
	}
	out, _, _ = girder(t, append([]string{"query", "fees"}, at...)...)
	var fi fees.Info
	if json.Unmarshal([]byte(out), &fi) != nil || fi.Burnt != res.Burnt || fi.Burnt == 0 {
		t.Fatalf("query fees after one tx burning %d:\n%s", res.Burnt, out)
	}
	out, _, _ = girder(t, append([]string{"status"}, at...)...)
	if !strings.Contains(out, `"chain_id": "cli-test"`) {
		t.Fatalf("status:\n%s", out)
	}
	text, _, _ := girder(t, "tx", "bank", "send", "bob", addr["alice"], "250000ugrd", "--node", "tcp://"+rpc, "--home", home, "--keyring-backend", "test")
	for _, want := range []string{"code     0 (ok)", "gas used ", "fee      0.0", "burnt 0.0"} {
		if !strings.Contains(text, want) {
			t.Fatalf("text output lacks %q:\n%s", want, text)
		}
	}

	// Several txs in a row from one key, without waiting: each takes the next nonce (the CLI reads
	// the nonce from the node's mempool state), and all commit.
	var hashes []string
	for i := 0; i < 3; i++ {
		out, stderr, code := girder(t, append([]string{"tx", "bank", "send", "alice", "bob", "1ugrd", "--no-wait"}, at...)...)
		var h struct{ Hash string }
		if code != 0 || json.Unmarshal([]byte(out), &h) != nil || h.Hash == "" {
			t.Fatalf("send --no-wait %d: %d %s %s", i, code, out, stderr)
		}
		hashes = append(hashes, h.Hash)
	}
	sdk, _ := client.Dial("tcp://" + rpc)
	for i, h := range hashes {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		r, err := sdk.WaitForTx(ctx, h)
		cancel()
		if err != nil || r.Code != 0 {
			t.Fatalf("tx %d of a row (%s): %+v %v", i, h, r, err)
		}
	}
	if hashes[0] == hashes[1] || hashes[1] == hashes[2] {
		t.Fatal("txs in a row got the same hash (same nonce)")
	}

	// Bad input: a clear message, a non-zero exit, nothing sent.
	bad := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"tx", "bank", "send", "alice", "alice", "1GRD"}, 2, "sending to self"},
		{[]string{"tx", "bank", "send", "alice", "bob", "999999GRD"}, 2, "insufficient funds"},
		{[]string{"tx", "bank", "send", "alice", "bob", "5uxyz"}, 2, "unknown denom"},
		{[]string{"tx", "bank", "send", "alice", "bob", "-5ugrd"}, 1, "must be positive"},
		{[]string{"tx", "bank", "send", "alice", "bob", "--", "-5ugrd"}, 1, "negative"},
		{[]string{"tx", "bank", "send", "alice", "bob", "0GRD"}, 1, "zero"},
		{[]string{"tx", "bank", "send", "alice", "bob", "1.0000001GRD"}, 1, "decimals"},
		{[]string{"tx", "bank", "send", "alice", "bob", "99999999999999999999ugrd"}, 1, "too large"},
		{[]string{"tx", "bank", "send", "alice", corruptLast(addr["bob"]), "1GRD"}, 1, "invalid address"},
		{[]string{"tx", "bank", "send", "nobody", "bob", "1GRD"}, 1, "nobody"},
		{[]string{"query", "balance", "gir1notanaddress"}, 1, "invalid address"},
		{[]string{"tx", "bank", "send", "alice", "bob", "1GRD", "--tip", "5uxyz"}, 1, "paid in ugrd"},
		{[]string{"init", "--chain-id", "x", "--moniker", "m", "--fund", addr["bob"] + "=5foo"}, 1, "only the native token"},
		{[]string{"dev", "--reset"}, 1, "not a dev chain"},
		{[]string{"init", "--genesis", "x.json", "--moniker", "m", "--peers", "zz"}, 1, "--genesis"},
		{[]string{"query", "tx", "ABCD"}, 1, "64 hex digits"},
	}
	for _, b := range bad {
		_, stderr, code := girder(t, append([]string{"--node", "tcp://" + rpc, "--home", home, "--keyring-backend", "test"}, b.args...)...)
		if code != b.code || !strings.Contains(stderr, b.want) {
			t.Errorf("girder %s: exit %d, stderr %q; want exit %d mentioning %q", strings.Join(b.args, " "), code, stderr, b.code, b.want)
		}
	}
	_, stderr, code = girder(t, "query", "tx", strings.Repeat("AB", 32), "--node", "tcp://"+rpc, "-o", "json")
	if code == 0 || !strings.Contains(stderr, `"error"`) {
		t.Errorf("missing tx with -o json: exit %d, %q", code, stderr)
	}
	if err := n.App.Invariants(); err != nil {
		t.Fatal(err)
	}
}

func waitForBlocks(t *testing.T, rpc string) {
	c, err := client.Dial(rpc)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if s, err := c.Status(context.Background()); err == nil && s.Height >= 2 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("node made no blocks")
}

// corruptLast changes an address's last character, which breaks its checksum.
func corruptLast(a string) string {
	last := byte('q')
	if a[len(a)-1] == 'q' {
		last = 'p'
	}
	return a[:len(a)-1] + string(last)
}
