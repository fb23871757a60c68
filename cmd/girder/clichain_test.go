package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/girder-chain/girder/keyring"
	"github.com/girder-chain/girder/node"
)

// cliChain is a one-validator chain on loopback ports made with the CLI (keys add, init) and
// started in-process, for end-to-end tests of the commands.
type cliChain struct {
	t    *testing.T
	home string
	rpc  string // host:port
	kr   []string
	at   []string // --node and keyring flags for every command
	addr map[string]string
	node *node.Node
}

// startCLIChain adds a test-keyring key per account ("name=amount" funds it at genesis, "name"
// only creates the key), inits chainID with admin as its consortium admin and starts the node
// (stopped at the end of the test).
func startCLIChain(t *testing.T, chainID, admin string, accounts ...string) *cliChain {
	t.Helper()
	return startCLIChainWith(t, chainID, admin, nil, accounts...)
}

// startCLIChainWith is startCLIChain with the genesis app_state edited by edit between `girder
// init` and the start of the node (edit has the signature of node.InitOptions.EditAppState; the
// CLI's init has no such hook, so the genesis file is rewritten).
func startCLIChainWith(t *testing.T, chainID, admin string, edit func(map[string]json.RawMessage) error, accounts ...string) *cliChain {
	t.Helper()
	home := t.TempDir()
	ch := &cliChain{t: t, home: home, kr: []string{"--home", home, "--keyring-backend", "test"}, addr: map[string]string{}}
	initArgs := append([]string{"init", "--chain-id", chainID, "--moniker", "v", "--admin", admin}, ch.kr...)
	for _, acc := range accounts {
		name, funds, _ := strings.Cut(acc, "=")
		out, _, code := girder(t, append([]string{"keys", "add", name, "-o", "json"}, ch.kr...)...)
		var info keyring.Info
		if code != 0 || json.Unmarshal([]byte(out), &info) != nil {
			t.Fatalf("keys add %s: %d %s", name, code, out)
		}
		ch.addr[name] = info.Address.String()
		if funds != "" {
			initArgs = append(initArgs, "--fund", ch.addr[name]+"="+funds)
		}
	}
	if _, stderr, code := girder(t, initArgs...); code != 0 {
		t.Fatalf("init: %s", stderr)
	}
	if edit != nil {
		editGenesis(t, filepath.Join(home, "config", "genesis.json"), edit)
	}
	ch.rpc = loopbackAddr(t)
	c, err := node.LoadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	c.RPC.ListenAddress, c.P2P.ListenAddress = "tcp://"+ch.rpc, "tcp://"+loopbackAddr(t)
	node.WriteConfig(c)
	logf, err := os.Create(filepath.Join(t.TempDir(), "node.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logf.Close() })
	ch.node, err = node.Start(context.Background(), home, node.Options{Log: logf, NoSnapshots: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ch.node.Stop() })
	waitForBlocks(t, "tcp://"+ch.rpc)
	ch.at = append([]string{"--node", "tcp://" + ch.rpc}, ch.kr...)
	return ch
}

// run runs a command against the chain that must succeed, returning its stdout.
func (ch *cliChain) run(args ...string) string {
	ch.t.Helper()
	out, stderr, code := girder(ch.t, append(args, ch.at...)...)
	if code != 0 {
		ch.t.Fatalf("girder %s: exit %d\n%s%s", strings.Join(args, " "), code, out, stderr)
	}
	return out
}

// jsonOf runs a command with -o json and decodes its output into v.
func (ch *cliChain) jsonOf(v any, args ...string) {
	ch.t.Helper()
	out := ch.run(append(args, "-o", "json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		ch.t.Fatalf("girder %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// editGenesis rewrites the app_state of the genesis file with edit (the CLI's init has no hook
// like node.InitOptions.EditAppState, whose signature edit has).
func editGenesis(t *testing.T, genFile string, edit func(map[string]json.RawMessage) error) {
	t.Helper()
	raw, err := os.ReadFile(genFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	var state map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(doc["app_state"], &state); err != nil {
		t.Fatal(err)
	}
	if err := edit(state); err != nil {
		t.Fatal(err)
	}
	if doc["app_state"], err = json.Marshal(state); err != nil {
		t.Fatal(err)
	}
	if raw, err = json.MarshalIndent(doc, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(genFile, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}
