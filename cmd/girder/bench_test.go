package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/girder-chain/girder/bench"
)

// TestBenchHelp: every flag of girder bench is documented in --help.
func TestBenchHelp(t *testing.T) {
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs([]string{"bench", "--help"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"--scenario", "--validators", "--rates", "--duration", "--tail", "--accounts", "--baseline", "--node",
		"--from", "--conns", "--json", "--profile", "--dir", "--seed", "kvstore", "saturated"} {
		if !strings.Contains(out.String(), flag) {
			t.Errorf("bench --help does not mention %s", flag)
		}
	}
}

// TestBenchCommand runs one tiny step (1 validator, 200 tx/s for 2 s, no baseline) through the
// command and checks the JSON report adds up; bad flags are refused before anything starts.
func TestBenchCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a network")
	}
	for _, bad := range [][]string{
		{"--rates", "100,x"}, {"--rates", "-5"}, {"--scenario", "mint"}, {"--baseline", "geth"},
		{"--node", "tcp://127.0.0.1:1"}, {"--from", "alice"},
	} {
		root := newRootCmd()
		root.SetOut(&bytes.Buffer{})
		root.SetErr(&bytes.Buffer{})
		root.SetArgs(append([]string{"bench"}, bad...))
		if err := root.Execute(); err == nil {
			t.Errorf("bench %v: no error", bad)
		}
	}
	dir := t.TempDir()
	jsonFile := filepath.Join(dir, "bench.json")
	root := newRootCmd()
	var out, progress bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&progress)
	root.SetArgs([]string{"bench", "--rates", "200", "--duration", "2s", "--tail", "3s", "--accounts", "40", "--conns", "4",
		"--baseline", "none", "--json", jsonFile, "--dir", filepath.Join(dir, "net")})
	if err := root.Execute(); err != nil {
		t.Fatalf("%v\n%s", err, progress.String())
	}
	b, err := os.ReadFile(jsonFile)
	if err != nil {
		t.Fatal(err)
	}
	var rep bench.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Scenario != "transfer" || rep.Validators != 1 || len(rep.Girder.Steps) != 1 || rep.KVStore != nil {
		t.Fatalf("report: %+v", rep)
	}
	st := rep.Girder.Steps[0]
	if st.Committed == 0 || st.Committed > st.Submitted || st.Committed+st.Rejected+st.Dropped != st.Submitted {
		t.Errorf("step: %+v", st)
	}
	if !(st.P50 > 0 && st.P50 <= st.P95 && st.P95 <= st.P99) {
		t.Errorf("latencies: %+v", st)
	}
	if !strings.Contains(out.String(), "commit/s") || !strings.Contains(progress.String(), "offered    200/s") {
		t.Errorf("table:\n%s\nprogress:\n%s", out.String(), progress.String())
	}
}
