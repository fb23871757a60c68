package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/girder-chain/girder/audit"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/internal/nodetest"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/auth"
)

// TestReportCLI: `girder report compliance` against a real node where the admin granted a role:
// the CSV and JSON reports, --out, a time range of one block, and the refusals a person sees.
func TestReportCLI(t *testing.T) {
	admin, officer := nodetest.NewKey("admin"), nodetest.NewKey("officer")
	n := nodetest.Start(t, nodetest.Options{ChainID: "girder-report", Funded: []nodetest.Key{admin, officer}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	nodetest.WaitHeight(t, n.Client, 1)
	grant, err := n.Client.Send(ctx, admin, []tx.Msg{&auth.MsgGrantRole{Authority: admin.Address(), Role: auth.RoleComplianceOfficer, Account: officer.Address()}}, client.BuildOptions{})
	if err != nil || grant.Code != 0 {
		t.Fatalf("grant: %+v %v", grant, err)
	}
	end := grant.Height + 1
	nodetest.WaitHeight(t, n.Client, end)
	node := []string{"--node", n.RPC}
	to := fmt.Sprint(end)

	out, stderr, code := girder(t, append([]string{"report", "compliance", "--from", "1", "--to", to}, node...)...)
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("CSV report (%v):\n%s", err, out)
	}
	row := map[string]string{}
	for i, col := range recs[0] {
		row[col] = recs[1][i]
	}
	if row["height"] != fmt.Sprint(grant.Height) || row["tx"] != grant.Hash || row["event"] != "role_granted" ||
		row["role"] != "compliance_officer" || row["account"] != officer.Address().String() || row["actor"] != admin.Address().String() {
		t.Fatalf("row %v", row)
	}
	if want := fmt.Sprintf("compliance report of girder-report: heights 1 to %d", end); !strings.Contains(stderr, want) {
		t.Fatalf("stderr %q lacks %q", stderr, want)
	}
	again, _, _ := girder(t, append([]string{"report", "compliance", "--from", "1", "--to", to}, node...)...)
	if again != out {
		t.Fatal("the same report twice differs")
	}

	// JSON to a file; nothing on standard output.
	file := filepath.Join(t.TempDir(), "report.json")
	out, stderr, code = girder(t, append([]string{"report", "compliance", "--from", "1", "--to", to, "--format", "json", "--out", file}, node...)...)
	if code != 0 || out != "" || !strings.Contains(stderr, "wrote 1 rows to "+file) {
		t.Fatalf("--out: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var rep audit.Report
	if err := json.Unmarshal(b, &rep); err != nil || rep.ChainID != "girder-report" || rep.FromHeight != 1 || rep.ToHeight != end ||
		len(rep.Rows) != 1 || rep.Rows[0].Tx != grant.Hash || rep.Counts["role_granted"] != 1 || rep.Counts["decision"] != 0 {
		t.Fatalf("JSON report (%v):\n%s", err, b)
	}

	// The grant's block by its time: --from and --to the same instant give that block alone.
	at := rep.Rows[0].Time
	out, stderr, code = girder(t, append([]string{"report", "compliance", "--from", at, "--to", at}, node...)...)
	if code != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(out, grant.Hash) ||
		!strings.Contains(stderr, fmt.Sprintf("heights %d to %d", grant.Height, grant.Height)) {
		t.Fatalf("report of %s: exit %d\n%s\n%s", at, code, out, stderr)
	}

	bad := []struct {
		args []string
		want string
	}{
		{[]string{}, `required flag(s) "from" not set`},
		{[]string{"--from", "0"}, "heights start at 1"},
		{[]string{"--from", "3", "--to", "2"}, "--from 3 is after --to 2"},
		{[]string{"--from", "1", "--to", "99999999"}, "height 99999999 is beyond the latest height"},
		{[]string{"--from", "1", "--format", "xml"}, "--format must be csv or json"},
		{[]string{"--from", "last week"}, "want a height (1234), a date (2024-05-01)"},
		{[]string{"--from", "2999-01-01"}, "no block at or after 2999-01-01"},
		{[]string{"--from", "1", "--to", "2000-01-01"}, "no block before the end of 2000-01-01: the chain's first block, height 1"},
		{[]string{"--from", "1", "--node", "tcp://127.0.0.1:1"}, "node unreachable"},
	}
	for _, c := range bad {
		args := append(append([]string{"report", "compliance"}, node...), c.args...)
		out, stderr, code := girder(t, args...)
		if code != 1 || out != "" || !strings.Contains(stderr, c.want) {
			t.Errorf("report %v: exit %d, stdout %q, stderr %q; want exit 1 saying %q", c.args, code, out, stderr, c.want)
		}
	}
	// With -o json, standard error holds only the error, as JSON.
	_, stderr, code = girder(t, append([]string{"report", "compliance", "--from", "0", "-o", "json"}, node...)...)
	var e struct{ Error string }
	if code != 1 || json.Unmarshal([]byte(stderr), &e) != nil || !strings.Contains(e.Error, "heights start at 1") {
		t.Errorf("-o json error: exit %d %q", code, stderr)
	}
}
