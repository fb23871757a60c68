package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"github.com/girder-chain/girder/internal/testports"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as the girder binary: `testnet start` runs os.Executable()
// with "start --home …", which must be girder.
func TestMain(m *testing.M) {
	if os.Getenv("GIRDER_TEST_AS_MAIN") == "1" {
		root := newRootCmd()
		root.SetArgs(os.Args[1:])
		if err := root.Execute(); err != nil {
			os.Exit(report(os.Stderr, err))
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// freeBase returns a base port whose node ports (base+10·i … base+10·i+2) are free for n nodes.
func freeBase(t *testing.T, n int) int {
	t.Helper()
	return testports.Range(10 * n)
}

// TestTestnetCommands: `testnet init`, `testnet start` (each node its own process), `testnet
// status`, a transfer through a node, and a clean stop of every node on SIGINT.
func TestTestnetCommands(t *testing.T) {
	dir := t.TempDir()
	base := freeBase(t, 3)
	_, stderr, code := girder(t, "testnet", "init", "--validators", "2", "--full-nodes", "1", "--dir", dir, "--base-port", fmt.Sprint(base))
	if code != 0 {
		t.Fatalf("testnet init: %s", stderr)
	}
	if _, stderr, code := girder(t, "testnet", "init", "--validators", "2", "--dir", dir); code == 0 || !strings.Contains(stderr, "already") {
		t.Fatalf("second init of the same dir: exit %d %q", code, stderr)
	}
	self, _ := os.Executable()
	start := exec.Command(self, "testnet", "start", "--dir", dir)
	start.Env = append(os.Environ(), "GIRDER_TEST_AS_MAIN=1")
	out, err := start.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := start.Start(); err != nil {
		t.Fatal(err)
	}
	defer start.Process.Kill()
	lines := bufio.NewScanner(out)
	ready := 0
	deadline := time.AfterFunc(90*time.Second, func() { start.Process.Kill() })
	for lines.Scan() {
		l := lines.Text()
		if strings.Contains(l, " ready ") {
			ready++
		}
		if strings.Contains(l, "NOT READY") {
			t.Fatalf("testnet start: %s", l)
		}
		if strings.HasPrefix(l, "testnet ") && strings.Contains(l, "running") {
			break
		}
	}
	deadline.Stop()
	if ready != 3 {
		t.Fatalf("%d nodes reported ready, want 3", ready)
	}
	go func() {
		for lines.Scan() {
		}
	}()

	rpc := fmt.Sprintf("tcp://127.0.0.1:%d", base+1)
	r, stderr, code := girder(t, "tx", "bank", "send", "alice", "bob", "1GRD", "--home", dir, "--keyring-backend", "test", "--node", rpc, "-o", "json")
	if code != 0 || !strings.Contains(r, `"code": 0`) {
		t.Fatalf("send through node0: %d %s %s", code, r, stderr)
	}
	var rows []NodeStatus
	for end := time.Now().Add(30 * time.Second); ; {
		o, _, _ := girder(t, "testnet", "status", "--dir", dir, "-o", "json")
		rows = nil
		_ = json.Unmarshal([]byte(o), &rows)
		synced := len(rows) == 3
		for _, row := range rows {
			synced = synced && row.Error == "" && row.Peers == 2 && row.Height >= 3 && !row.CatchingUp
		}
		if synced || time.Now().After(end) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(rows) != 3 || !rows[0].Validator || !rows[1].Validator || rows[2].Validator {
		t.Fatalf("status rows: %+v", rows)
	}
	for _, row := range rows {
		if row.Error != "" || row.Peers != 2 || row.Height < 3 {
			t.Fatalf("node not in the network: %+v", row)
		}
	}

	if err := start.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- start.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("testnet start exited with %v after SIGINT", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("testnet start did not stop within 30s of SIGINT")
	}
	o, _, _ := girder(t, "testnet", "status", "--dir", dir, "-o", "json")
	_ = json.Unmarshal([]byte(o), &rows)
	for _, row := range rows {
		if row.Error == "" {
			t.Fatalf("%s still answers after the testnet stopped", row.Name)
		}
	}
}
