package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/keyring"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/compliance"
)

// TestComplianceRuleFile: the forms a rule file accepts besides the chain's JSON, and errors that
// name the rule and the field.
func TestComplianceRuleFile(t *testing.T) {
	units := []coin.Unit{{Base: "ugrd", Display: "GRD", Exponent: 6}}
	rules, err := decodeRules([]byte(`[
	  {"id": "large", "kind": "large_transfer", "outcome": "hold", "params": {"amount": "1.5GRD", "hold_for": "2d"}},
	  {"id": "fast", "kind": "velocity", "outcome": "flag", "params": {"amount": 700, "window": "24h", "severity": "high"}},
	  {"id": "lock", "kind": "lockup", "outcome": "reject", "params": {"until": "2027-06-30"}},
	  {"id": "big", "kind": "large_transfer", "outcome": "flag", "params": {"amount": "123456"}}
	]`), "ugrd", units)
	if err != nil {
		t.Fatal(err)
	}
	want := []compliance.Params{
		{Amount: 1_500_000, HoldFor: 2 * 86400},
		{Amount: 700, Window: 86400, Severity: "high"},
		{Until: time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC).Unix()},
		{Amount: 123456},
	}
	for i, r := range rules {
		if !equalJSON(t, r.Params, want[i]) {
			t.Errorf("rule %d: params %+v, want %+v", i+1, r.Params, want[i])
		}
	}
	if err := validateRuleSet("ugrd", rules); err != nil {
		t.Fatal(err)
	}
	if r, err := decodeRules([]byte(` [ ] `), "ugrd", units); err != nil || r == nil || len(r) != 0 {
		t.Fatalf("empty array: %v %v", r, err)
	}
	bad := map[string]string{
		`{"id": "x"}`:             "want a JSON array of rules",
		"[\n {\"id\": \"x\",}\n]": "line 2, column",
		`[{"id": "x", "kind": "deny_list", "outcome": "reject", "param": {}}]`:                      `rule 1 (x): unknown field "param"`,
		`[{"id": "x", "kind": "deny_list", "outcome": "reject", "params": {"sides": "both"}}]`:      `rule 1 (x): params: unknown parameter "sides"`,
		`[{"id": "a", "kind": "deny_list", "outcome": "reject"}, {"id": 7}]`:                        "rule 2: id: want a string",
		`[{"id": "x", "kind": "large_transfer", "outcome": "hold", "params": {"amount": "5FOO"}}]`:  `rule 1 (x): params.amount: "5FOO" is an amount of FOO`,
		`[{"id": "x", "kind": "large_transfer", "outcome": "hold", "params": {"amount": -5}}]`:      "rule 1 (x): params.amount:",
		`[{"id": "x", "kind": "velocity", "outcome": "hold", "params": {"window": "soon"}}]`:        `rule 1 (x): params.window: "soon"`,
		`[{"id": "x", "kind": "lockup", "outcome": "hold", "params": {"until": "next year"}}]`:      `rule 1 (x): params.until: "next year"`,
		`[{"id": "x", "kind": "required_claims", "outcome": "hold", "params": {"kyc_level": 300}}]`: "rule 1 (x): params.kyc_level: number 300",
		`[{"id": "x", "kind": "deny_list", "outcome": "reject", "params": {"exempt": ["nobody"]}}]`: "rule 1 (x): params.exempt: entry 1:",
	}
	for in, want := range bad {
		if _, err := decodeRules([]byte(in), "ugrd", units); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("decodeRules(%s): %v; want an error mentioning %q", in, err, want)
		}
	}
	if err := validateRuleSet("", []compliance.Rule{{ID: "big", Kind: compliance.KindLargeTransfer, Outcome: compliance.OutcomeHold,
		Params: compliance.Params{Amount: 5}}}); err == nil || !strings.Contains(err.Error(), "put this rule in an asset's rule set") {
		t.Errorf("chain-wide large_transfer: %v", err)
	}
}

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestDevGenesisRoles: the dev chain's validator key is admin, KYC provider and compliance officer.
func TestDevGenesisRoles(t *testing.T) {
	home := t.TempDir()
	kr, err := keyring.Open(home, keyring.BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	if created, err := ensureDevChain(home, kr); err != nil || !created {
		t.Fatalf("ensureDevChain: %v %v", created, err)
	}
	v, err := kr.Show("validator")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(devGenesisRoles(home)[v.Address.String()], ",")
	if got != "admin,kyc_provider,compliance_officer,asset_issuer,cash_issuer,public_agency,member" {
		t.Fatalf("validator's genesis roles: %q", got)
	}
}

// TestComplianceCLI: on a real node, an officer sets rules from a file, a large send is held and
// released, a flagged send's alert is closed, a dry run names the deny list, and bad input gives
// clear errors and a non-zero exit.
func TestComplianceCLI(t *testing.T) {
	ch := startCLIChain(t, "compliance-test", "alice", "alice=100000GRD", "bob=1000GRD", "carol=10GRD")
	home, addr, rpc, n, at := ch.home, ch.addr, ch.rpc, ch.node, ch.at
	run, jsonOf := ch.run, ch.jsonOf
	dir := t.TempDir()
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}

	run("tx", "auth", "grant-role", "alice", auth.RoleComplianceOfficer, "carol")
	rules := file("rules.json", `[
	  {"id": "large", "kind": "large_transfer", "outcome": "hold", "params": {"amount": "1000GRD", "hold_for": "1h"}},
	  {"id": "watch", "kind": "large_transfer", "outcome": "flag", "params": {"amount": "100GRD", "severity": "high", "exempt": ["carol"]}}
	]`)
	if out := run("tx", "compliance", "set-rules", "carol", "--asset", "ugrd", "--file", rules); !strings.Contains(out, "rule set ugrd version 1: large, watch\n") {
		t.Fatalf("set-rules (text):\n%s", out)
	}
	chainRules := file("chain.json", `[{"id": "sanctions", "kind": "deny_list", "outcome": "reject", "params": {"side": "both", "reason": "sanctions"}}]`)
	run("tx", "compliance", "set-rules", "carol", "--chain", "--file", chainRules)
	var sets []compliance.RuleSet
	jsonOf(&sets, "query", "compliance", "rules")
	if len(sets) != 2 || sets[0].Asset != "" || sets[1].Asset != "ugrd" || sets[1].Rules[0].Params.Amount != 1_000_000_000 ||
		sets[1].Rules[0].Params.HoldFor != 3600 || sets[1].Rules[1].Params.Exempt[0].String() != addr["carol"] {
		t.Fatalf("rule sets: %+v", sets)
	}
	if out := run("query", "compliance", "rules", "ugrd"); !strings.Contains(out, "amount=1000GRD hold_for=1h") {
		t.Fatalf("rules ugrd (text):\n%s", out)
	}

	// A large send is held; the officer releases it.
	out := run("tx", "bank", "send", "alice", "bob", "2000GRD")
	if !strings.Contains(out, "code     0 (ok)") || !strings.Contains(out, "decision held by rule large (hold 1, returns ") {
		t.Fatalf("held send (text):\n%s", out)
	}
	var holds compliance.HoldList
	jsonOf(&holds, "query", "compliance", "holds", "--status", "open", "--account", "bob")
	if len(holds.Holds) != 1 || holds.Holds[0].ID != 1 || holds.Holds[0].Amount != coin.New("ugrd", 2_000_000_000) {
		t.Fatalf("open holds: %+v", holds)
	}
	if out := run("query", "compliance", "holds"); !strings.Contains(out, "2000 GRD") || !strings.Contains(out, "open") {
		t.Fatalf("holds (text):\n%s", out)
	}
	bal := func() coin.Amount {
		var b struct {
			Balances []coin.Coin `json:"balances"`
		}
		jsonOf(&b, "query", "balance", "bob")
		return b.Balances[0].Amount
	}
	bobBefore := bal()
	if out := run("tx", "compliance", "decide-hold", "carol", "1", "release", "--reason", "source of funds documented"); !strings.Contains(out, "hold 1 released: 2000 GRD to "+addr["bob"]) {
		t.Fatalf("decide-hold (text):\n%s", out)
	}
	if got := bal(); got != bobBefore+2_000_000_000 {
		t.Fatalf("bob's balance after the release: %d, want %d", got, bobBefore+2_000_000_000)
	}
	if out := run("query", "compliance", "hold", "1"); !strings.Contains(out, "hold 1 (released)") || !strings.Contains(out, "source of funds documented") {
		t.Fatalf("hold 1 (text):\n%s", out)
	}

	// A flagged send moves and opens an alert, which the officer closes.
	if out := run("tx", "bank", "send", "alice", "bob", "200GRD"); !strings.Contains(out, "decision flagged by rule watch: alert 1 (high)") {
		t.Fatalf("flagged send (text):\n%s", out)
	}
	if out := run("tx", "compliance", "close-alert", "carol", "1", "--note", "invoice 17"); !strings.Contains(out, "alert 1 closed") {
		t.Fatalf("close-alert (text):\n%s", out)
	}
	var alerts compliance.AlertList
	jsonOf(&alerts, "query", "compliance", "alerts", "--rule", "watch")
	if len(alerts.Alerts) != 1 || alerts.Alerts[0].Status != compliance.AlertClosed || alerts.Alerts[0].Note != "invoice 17" {
		t.Fatalf("alerts: %+v", alerts)
	}

	// An asset (created through the SDK: its CLI is not part of this test) to freeze.
	run("tx", "auth", "grant-role", "alice", auth.RoleAssetIssuer, "alice")
	keys, err := keyring.Open(home, keyring.BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := keys.Signer("alice")
	if err != nil {
		t.Fatal(err)
	}
	cl, err := client.Dial("tcp://" + rpc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := cl.Send(ctx, keySigner{ks}, []tx.Msg{
		&assets.MsgCreate{Issuer: ks.Info().Address, Denom: "ubridge", Kind: "security", Name: "Bridge SPV", Symbol: "BRIDGE", Decimals: 6},
		&assets.MsgMint{Issuer: ks.Info().Address, Denom: "ubridge", Amount: 1_000_000_000},
	}, client.BuildOptions{})
	if err != nil || res.Code != 0 {
		t.Fatalf("create ubridge: %v %+v", err, res)
	}
	run("tx", "bank", "send", "alice", "bob", "100BRIDGE")
	run("tx", "compliance", "freeze", "carol", "bob", "--asset", "ubridge", "--amount", "40BRIDGE", "--reason", "pledged")
	if out := run("query", "compliance", "freezes", "ubridge"); !strings.Contains(out, addr["bob"]) || !strings.Contains(out, "40 BRIDGE") || !strings.Contains(out, "pledged") {
		t.Fatalf("freezes (text):\n%s", out)
	}
	if out := run("query", "compliance", "check", "bob", "alice", "70BRIDGE"); !strings.Contains(out, "rule      frozen (ubridge, frozen)") || !strings.Contains(out, "spendable: 60000000ubridge") {
		t.Fatalf("check of a frozen holding (text):\n%s", out)
	}
	if out := run("query", "compliance", "holders", "ubridge"); out != "ubridge has 2 holders\n" {
		t.Fatalf("holders (text):\n%s", out)
	}
	if out := run("query", "compliance", "holding", "ubridge", "bob"); !strings.Contains(out, "holds    100 BRIDGE (100000000ubridge)") {
		t.Fatalf("holding (text):\n%s", out)
	}
	run("tx", "compliance", "unfreeze", "carol", "bob", "--asset", "ubridge", "--reason", "pledge released")
	if out := run("query", "compliance", "freezes", "ubridge"); out != "no freezes\n" {
		t.Fatalf("freezes after unfreeze (text):\n%s", out)
	}

	// A dry run lists every rule that hits; the most severe decides.
	var check compliance.CheckResult
	jsonOf(&check, "query", "compliance", "check", "alice", addr["bob"], "2000GRD")
	if check.Decision.Outcome != compliance.OutcomeHold || check.Decision.Rule != "large" || check.Decision.HoldFor != 3600 ||
		len(check.Decision.Hits) != 2 || check.Decision.Hits[1].Rule != "watch" {
		t.Fatalf("check of a large transfer: %+v", check)
	}

	// bob on the chain's deny list: the dry run answers reject, and exits 0.
	run("tx", "compliance", "deny", "carol", "bob", "--reason", "OFAC SDN match")
	out = run("query", "compliance", "check", "alice", "bob", "1GRD")
	for _, want := range []string{"decision  reject", "rule      sanctions (chain, deny_list)", "on the chain deny list (OFAC SDN match)", "code      compliance:3"} {
		if !strings.Contains(out, want) {
			t.Fatalf("check (text) lacks %q:\n%s", want, out)
		}
	}
	jsonOf(&check, "query", "compliance", "check", "alice", addr["bob"], "150GRD")
	if check.Decision.Outcome != compliance.OutcomeReject || check.Decision.Rule != "sanctions" || check.Code != "compliance:3" {
		t.Fatalf("check: %+v", check)
	}
	if out := run("query", "compliance", "deny-list"); !strings.Contains(out, addr["bob"]) || !strings.Contains(out, "OFAC SDN match") {
		t.Fatalf("deny-list (text):\n%s", out)
	}

	bad := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"tx", "bank", "send", "alice", "bob", "1GRD"}, 2, "transfer rejected by a compliance rule: rule sanctions"},
		{[]string{"tx", "compliance", "set-rules", "bob", "--asset", "ugrd", "--file", rules}, 2, "not a compliance officer"},
		{[]string{"tx", "compliance", "set-rules", "carol", "--asset", "ugrd", "--file", file("typo.json", `[{"id": "kyc", "kind": "required_claims", "outcome": "reject", "params": {"side": "both", "kyc_levl": 2}}]`)}, 1, `rule 1 (kyc): params: unknown parameter "kyc_levl"`},
		{[]string{"tx", "compliance", "set-rules", "carol", "--asset", "ugrd", "--file", file("broken.json", "[{\"id\": \"x\"")}, 1, "broken.json: not valid JSON"},
		{[]string{"tx", "compliance", "set-rules", "carol", "--asset", "ugrd", "--file", file("side.json", `[{"id": "big", "kind": "large_transfer", "outcome": "hold", "params": {"amount": "5GRD", "side": "both"}}]`)}, 2, "rule big (large_transfer): parameter side does not apply"},
		{[]string{"tx", "compliance", "set-rules", "carol", "--asset", "ugrd", "--file", file("cap.json", `[{"id": "cap", "kind": "max_holders", "outcome": "reject", "params": {"max_holders": 5}}]`)}, 2, "the gas token ugrd has no holder accounting"},
		{[]string{"tx", "compliance", "set-rules", "carol", "--file", rules}, 1, "give the scope"},
		{[]string{"tx", "compliance", "set-rules", "carol", "--chain"}, 1, "--clear"},
		{[]string{"tx", "compliance", "decide-hold", "carol", "99", "release", "--reason", "x"}, 2, "unknown hold: no hold 99"},
		{[]string{"tx", "compliance", "decide-hold", "carol", "1", "return", "--reason", "again"}, 2, "hold 1 is already released"},
		{[]string{"tx", "compliance", "decide-hold", "carol", "1", "keep", "--reason", "x"}, 1, "want release"},
		{[]string{"tx", "compliance", "decide-hold", "bob", "1", "release", "--reason", "x"}, 2, "not a compliance officer"},
		{[]string{"tx", "compliance", "close-alert", "carol", "1", "--note", "again"}, 2, "alert 1 was closed"},
		{[]string{"tx", "compliance", "deny", "carol", "bob", "--reason", "twice"}, 2, "already on the chain deny list"},
		{[]string{"tx", "compliance", "freeze", "carol", "bob", "--asset", "ugrd", "--reason", "x"}, 1, "cannot be frozen"},
		{[]string{"tx", "compliance", "freeze", "carol", "bob", "--asset", "ubridge", "--amount", "5GRD", "--reason", "x"}, 1, "the freeze is of ubridge"},
		{[]string{"tx", "compliance", "freeze", "carol", "bob", "--asset", "ubridge", "--amount", "500BRIDGE", "--reason", "x"}, 2, "freeze exceeds the balance"},
		{[]string{"tx", "compliance", "unfreeze", "carol", "bob", "--asset", "ubridge", "--reason", "x"}, 2, "is not frozen"},
		{[]string{"query", "compliance", "hold", "0"}, 1, "number from 1"},
		{[]string{"query", "compliance", "hold", "42"}, 2, "no hold 42"},
		{[]string{"query", "compliance", "holds", "--status", "pending"}, 2, `status "pending"`},
		{[]string{"query", "compliance", "rules", "nosuch"}, 2, "not an asset of this chain"},
	}
	for _, b := range bad {
		_, stderr, code := girder(t, append(b.args, at...)...)
		if code != b.code || !strings.Contains(stderr, b.want) {
			t.Errorf("girder %s: exit %d, stderr %q; want exit %d mentioning %q", strings.Join(b.args, " "), code, stderr, b.code, b.want)
		}
	}

	// Undeny, then --clear removes the chain-wide set.
	run("tx", "compliance", "undeny", "carol", "bob", "--reason", "false positive")
	if out := run("tx", "compliance", "set-rules", "carol", "--chain", "--clear"); !strings.Contains(out, "rule set chain removed (version 2)") {
		t.Fatalf("clear (text):\n%s", out)
	}
	jsonOf(&check, "query", "compliance", "check", "alice", "bob", "1GRD")
	if check.Decision.Outcome != compliance.OutcomeAllow {
		t.Fatalf("check after undeny and clear: %+v", check)
	}
	if err := n.App.Invariants(); err != nil {
		t.Fatal(err)
	}
}
