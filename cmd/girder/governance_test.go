package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/governance"
	"github.com/girder-chain/girder/x/projects"
)

// TestGovernanceCLI: on a real node whose governance genesis has short periods, through the CLI
// only: a project with a treasury of EURt and its security token BRIDGE held by alice (1,200)
// and bob (800); alice proposes a treasury spend of 5,000 EURt to the contractor (the msg printed
// by `tx projects spend`, submitted from a file), paying a 10 GRD deposit; a token bought after
// the proposal gives no weight; alice votes yes, bob votes no then changes to yes; after the
// voting period and the timelock the spend executes by itself, exactly once (balances stay put
// blocks later), the proposal shows executed and the deposit returned. Meanwhile a chain
// proposal built by propose-grant-role, voted by the only member, grants a role. Bad input
// (unknown JSON fields, a msg of the wrong authority or chamber, a proposer without weight, a
// vote after the end) fails clearly and changes nothing.
func TestGovernanceCLI(t *testing.T) {
	short := func(state map[string]json.RawMessage) error {
		g := governance.DefaultGenesis()
		g.DAODefaults = governance.DAOParams{ProposalThresholdBps: 100, Deposit: coin.New(governance.NativeDenom, 10_000_000), VotingPeriod: 14,
			QuorumBps: 2000, ThresholdBps: 5000, VetoThresholdBps: 3334, LateQuorumExtension: 0, Timelock: 4}
		g.ChainParams.VotingPeriod, g.ChainParams.Timelock = 8, 2
		b, err := json.Marshal(g)
		state[governance.ModuleName] = b
		return err
	}
	ch := startCLIChainWith(t, "governance-test", "admin", short, "admin=1000GRD", "agency=1000GRD", "spv=1000GRD", "bank=1000GRD",
		"alice=1000GRD", "bob=1000GRD", "carol=1000GRD", "contractor")
	addr, run, jsonOf := ch.addr, ch.run, ch.jsonOf
	expectText := func(out string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(out, w) {
				t.Fatalf("output lacks %q:\n%s", w, out)
			}
		}
	}
	fails := func(code int, want string, args ...string) {
		t.Helper()
		out, stderr, got := girder(t, append(args, ch.at...)...)
		if got != code || !strings.Contains(stderr, want) {
			t.Fatalf("girder %s: exit %d, stdout %q, stderr %q; want exit %d mentioning %q", strings.Join(args, " "), got, out, stderr, code, want)
		}
	}
	balance := func(who, denom string) coin.Amount {
		t.Helper()
		var v struct{ Balances []coin.Coin }
		jsonOf(&v, "query", "balance", who)
		for _, b := range v.Balances {
			if b.Denom == denom {
				return b.Amount
			}
		}
		return 0
	}
	proposal := func(id string) governance.ProposalInfo {
		t.Helper()
		var p governance.ProposalInfo
		jsonOf(&p, "query", "governance", "proposal", id)
		return p
	}

	// The project, its treasury of EURt, its security token held by alice and bob.
	run("tx", "auth", "grant-role", "admin", auth.RolePublicAgency, "agency")
	run("tx", "auth", "grant-role", "admin", auth.RoleCashIssuer, "bank")
	run("tx", "auth", "grant-role", "admin", auth.RoleAssetIssuer, "spv")
	run("tx", "projects", "create", "agency", "harbour-bridge", "--name", "Harbour toll bridge", "--sector", "bridge", "--location", "Port Lune",
		"--concession-start", "2027-01-01", "--concession-end", "2057-01-01")
	treasury := projects.Treasury("harbour-bridge").String()
	run("tx", "assets", "create", "bank", "ueurt", "--kind", "cash", "--name", "Tokenized euro", "--symbol", "EURt", "--decimals", "2")
	run("tx", "assets", "mint", "bank", "1000000EURt")
	run("tx", "bank", "send", "bank", treasury, "600000EURt")
	run("tx", "assets", "create", "spv", "ubridge", "--kind", "security", "--name", "Harbour bridge notes", "--symbol", "BRIDGE", "--decimals", "6")
	run("tx", "assets", "mint", "spv", "1200BRIDGE", "--to", "alice")
	run("tx", "assets", "mint", "spv", "800BRIDGE", "--to", "bob")
	run("tx", "projects", "set-security", "agency", "harbour-bridge", "ubridge")
	dao := authority.DAO("ubridge").String()

	var d governance.DAOInfo
	jsonOf(&d, "query", "governance", "dao", "BRIDGE")
	if d.Authority.String() != dao || d.Own || d.Params.VotingPeriod != 14 || d.Params.Timelock != 4 {
		t.Fatalf("dao: %+v", d)
	}
	expectText(run("query", "governance", "dao", "BRIDGE"), "account                "+dao, "quorum                 20%", "deposit                10 GRD")
	expectText(run("query", "governance", "params"), "voting period          8s", "DAO defaults", "voting period          14s", "veto threshold         33.34%")
	expectText(run("query", "governance", "power", "BRIDGE", "alice"), "balance    1200 BRIDGE (1200000000ubridge)", "delegate   none")

	// The spend, printed by `tx projects spend` into a file.
	spend := run("tx", "projects", "spend", "harbour-bridge", "contractor", "5000EURt", "--reason", "toll booth software")
	dir := t.TempDir()
	spendFile := filepath.Join(dir, "spend.json")
	if err := os.WriteFile(spendFile, []byte(spend), 0o600); err != nil {
		t.Fatal(err)
	}

	// Bad proposals: nothing is submitted.
	fails(1, `unknown field "colour"`, "tx", "governance", "submit", "alice", "--dao", "BRIDGE", "--title", "x",
		"--msg", `{"type":"projects/spend","value":{"authority":"`+dao+`","colour":"red"}}`)
	fails(1, `"projects/spendd" is not a msg type of this chain`, "tx", "governance", "submit", "alice", "--dao", "BRIDGE", "--title", "x",
		"--msg", `{"type":"projects/spendd","value":{}}`)
	fails(1, "projects/spend cannot be carried by a chain proposal", "tx", "governance", "submit", "admin", "--dao", "chain", "--title", "x", "--msg", spendFile)
	fails(1, "is signed by "+addr["alice"], "tx", "governance", "submit", "alice", "--dao", "BRIDGE", "--title", "x",
		"--msg", `{"type":"projects/set_parameter","value":{"authority":"`+addr["alice"]+`","project":"harbour-bridge","name":"toll","value":"1"}}`)
	fails(1, "--title is empty", "tx", "governance", "submit", "alice", "--dao", "BRIDGE", "--title", " ", "--msg", spendFile)
	fails(1, "no --msg", "tx", "governance", "submit", "alice", "--dao", "BRIDGE", "--title", "x")
	fails(2, "proposer's weight is below the proposal threshold", "tx", "governance", "propose-spend", "carol", "--project", "harbour-bridge",
		"--to", "carol", "--amount", "1EURt", "--reason", "me", "--title", "gift")
	// A parameter not set yet reads as not found: not protected, and the proposal goes to the chain.
	fails(2, "proposer's weight is below the proposal threshold", "tx", "governance", "propose-parameter", "carol", "--project", "harbour-bridge",
		"--name", "tariff_cap", "--value", "3.80 EUR", "--title", "toll")
	fails(1, `--amount "5000": give the asset's unit`, "tx", "governance", "propose-spend", "alice", "--project", "harbour-bridge",
		"--to", "contractor", "--amount", "5000", "--reason", "r", "--title", "t")
	fails(1, "is signed by "+dao+", but a proposal of the DAO of ueurt acts as "+authority.DAO("ueurt").String(),
		"tx", "governance", "submit", "alice", "--dao", "EURt", "--title", "x", "--msg", spendFile)
	fails(2, "not a security token", "tx", "governance", "submit", "alice", "--dao", "EURt", "--title", "x",
		"--msg", strings.ReplaceAll(spend, dao, authority.DAO("ueurt").String()))
	expectText(run("query", "governance", "proposals"), "no proposals")

	// A chain proposal: the admin is the only member; it grants carol kyc_provider.
	out := run("tx", "governance", "propose-grant-role", "admin", auth.RoleKYCProvider, "carol", "--title", "Admit carol as a KYC provider")
	expectText(out, `proposal 1 submitted to chain governance: "Admit carol as a KYC provider"`, "msgs         auth/grant_role", "the 1 members at submission")
	expectText(run("tx", "governance", "vote", "admin", "1", "yes"), "admin voted yes on proposal 1 with a weight of 1 vote")
	fails(2, "signer is not a member of chain governance", "tx", "governance", "propose-upgrade", "alice", "v2", "--height", "+1000", "--title", "v2")

	// The DAO proposal, from the file; alice pays the deposit.
	out = run("tx", "governance", "submit", "alice", "--dao", "BRIDGE", "--title", "Pay the toll booth software", "--summary", "Invoice 17", "--msg", spendFile)
	expectText(out, "code     0 (ok)", `proposal 2 submitted to the DAO of ubridge (BRIDGE): "Pay the toll booth software"`, "msgs         projects/spend",
		"eligible weight 2000 BRIDGE", "deposit      10 GRD held in escrow", "voting until 20")
	if b := balance(governance.EscrowAccount.String(), "ugrd"); b != 10_000_000 {
		t.Fatalf("escrow holds %d ugrd, want the 10 GRD deposit", b)
	}
	// Bought after the proposal: no weight.
	run("tx", "assets", "mint", "spv", "5000BRIDGE", "--to", "carol")
	fails(2, "voter has no weight on the proposal", "tx", "governance", "vote", "carol", "2", "yes")
	fails(1, `option "maybe": want yes, no, abstain, veto`, "tx", "governance", "vote", "bob", "2", "maybe")
	fails(2, "unknown proposal", "tx", "governance", "vote", "bob", "9", "yes")

	expectText(run("tx", "governance", "vote", "alice", "2", "yes"), "alice voted yes on proposal 2 with a weight of 1200 BRIDGE")
	expectText(run("tx", "governance", "vote", "bob", "2", "no"), "bob voted no on proposal 2 with a weight of 800 BRIDGE")
	expectText(run("tx", "governance", "vote", "bob", "2", "yes"), "bob voted yes on proposal 2 with a weight of 800 BRIDGE")
	p := proposal("2")
	if p.Status != governance.StatusVoting || p.Tally.Yes != 2000e6 || p.Tally.No != 0 || p.Eligible != 2000e6 || !p.QuorumReached || p.QuorumNeeded != 400e6 {
		t.Fatalf("proposal 2 while voting: %+v", p)
	}
	expectText(run("query", "governance", "votes", "2"), "alice", "bob", "yes", "1200 BRIDGE", "800 BRIDGE")
	var v governance.Vote
	jsonOf(&v, "query", "governance", "vote", "2", "bob")
	if v.Option != "yes" || v.Weight != 800e6 {
		t.Fatalf("bob's vote: %+v", v)
	}
	expectText(run("query", "governance", "proposal", "2"), "proposal 2 (voting: open for votes)", "msg 0         projects/spend {\"authority\":\""+dao+"\"",
		"tally         yes 2000 BRIDGE, no 0 BRIDGE", "participation 2000 BRIDGE of 2000 BRIDGE (100%): quorum reached", "deposit       10 GRD (10000000ugrd), held")

	// After the voting period and the timelock, the spend executes by itself.
	before := balance(treasury, "ueurt")
	deadline := time.Now().Add(60 * time.Second)
	for p = proposal("2"); p.Status != governance.StatusExecuted; p = proposal("2") {
		if p.Status != governance.StatusVoting && p.Status != governance.StatusPassed || time.Now().After(deadline) {
			t.Fatalf("proposal 2 did not execute: %+v", p)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if p.ExecutedHeight == 0 || p.EndHeight == 0 || p.ExecuteAfter != p.VotingEnd+4 || p.DepositStatus != governance.DepositReturned || p.Failure != nil {
		t.Fatalf("executed proposal: %+v", p)
	}
	if b := balance("contractor", "ueurt"); b != 500_000 {
		t.Fatalf("the contractor holds %d ueurt, want 500000 (5000 EURt)", b)
	}
	if b := balance(treasury, "ueurt"); b != before-500_000 {
		t.Fatalf("treasury holds %d ueurt, want %d", b, before-500_000)
	}
	if b := balance(governance.EscrowAccount.String(), "ugrd"); b != 0 {
		t.Fatalf("escrow holds %d ugrd after the vote", b)
	}
	// Exactly once: a few blocks later nothing more moved.
	h := p.ExecutedHeight
	cl, err := client.Dial(ch.at[1])
	if err != nil {
		t.Fatal(err)
	}
	for c, _ := cl.AppHeight(context.Background()); c < h+3; c, _ = cl.AppHeight(context.Background()) {
		if time.Now().After(deadline) {
			t.Fatalf("the chain stopped at height %d", c)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if balance("contractor", "ueurt") != 500_000 || balance(treasury, "ueurt") != before-500_000 || proposal("2").ExecutedHeight != h {
		t.Fatal("the spend moved money again after its execution")
	}
	expectText(run("query", "governance", "proposal", "2"), "proposal 2 (executed)", "outcome       passed at height ", "executed at height ",
		"deposit       10 GRD (10000000ugrd), returned")
	fails(2, "proposal is not in its voting period", "tx", "governance", "vote", "alice", "2", "no")
	var tl projects.TimelineList
	jsonOf(&tl, "query", "projects", "timeline", "harbour-bridge")
	spends := 0
	for _, r := range tl.Records {
		if r.Kind == projects.TLTreasurySpend {
			spends++
		}
	}
	if spends != 1 {
		t.Fatalf("%d treasury spends in the timeline, want 1", spends)
	}

	// The chain proposal executed too: carol holds kyc_provider.
	for p = proposal("1"); p.Status != governance.StatusExecuted; p = proposal("1") {
		if p.Status != governance.StatusVoting && p.Status != governance.StatusPassed || time.Now().After(deadline) {
			t.Fatalf("proposal 1 did not execute: %+v", p)
		}
		time.Sleep(300 * time.Millisecond)
	}
	expectText(run("query", "roles", "carol"), auth.RoleKYCProvider)

	var list governance.ProposalList
	jsonOf(&list, "query", "governance", "proposals", "--dao", "BRIDGE")
	if len(list.Proposals) != 1 || list.Proposals[0].ID != 2 {
		t.Fatalf("BRIDGE proposals: %+v", list)
	}
	jsonOf(&list, "query", "governance", "proposals", "--dao", "chain", "--status", "executed")
	if len(list.Proposals) != 1 || list.Proposals[0].ID != 1 {
		t.Fatalf("chain proposals: %+v", list)
	}
	expectText(run("query", "governance", "proposals"), "executed", "Pay the toll booth software", "2000 BRIDGE", "1 vote")
	fails(1, `--status "done"`, "query", "governance", "proposals", "--status", "done")

	// Delegation: bob lets alice vote with his BRIDGE.
	expectText(run("tx", "governance", "delegate", "bob", "BRIDGE", "alice"), "bob delegates its ubridge votes to alice (balance now 800 BRIDGE); a vote of its own still overrides")
	expectText(run("query", "governance", "power", "BRIDGE", "alice"), "delegated  800 BRIDGE")
	expectText(run("query", "governance", "delegation", "BRIDGE", "bob"), "bob delegates its ubridge votes to alice since height ")
	expectText(run("tx", "governance", "undelegate", "bob", "BRIDGE"), "bob no longer delegates its ubridge votes to alice")
	fails(2, "does not delegate", "query", "governance", "delegation", "BRIDGE", "bob")
	expectText(run("query", "governance", "upgrade"), "no upgrade scheduled")

	if err := ch.node.App.Invariants(); err != nil {
		t.Fatal(err)
	}
}
