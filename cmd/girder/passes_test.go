package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/passes"
	"github.com/girder-chain/girder/x/projects"
)

// TestPassesCLI: on a real node, through the CLI only: a project with spv as its operator, the
// cash asset EURt and three classes (a transferable 10-crossing pass, a non-transferable day
// pass, and a pass valid from the service opening promised a few seconds ahead with a 50 %
// refund policy); purchases; a transfer allowed and one refused; tickets the holder signs (one
// with the node telling the seq, others fully offline); a gate's offline verification from a
// pass file, a tampered ticket and a stranger's ticket refused; a batch of four uses redeemed in
// one tx (given out of order); a replayed ticket refused on chain and by the gate; revenue moving
// from deferred to earned; the late class refunding half its price; the service opening; a
// closed sale. Bad input fails clearly and changes nothing.
func TestPassesCLI(t *testing.T) {
	const chainID = "passes-test"
	ch := startCLIChain(t, chainID, "admin", "admin=1000GRD", "agency=1000GRD", "spv=1000GRD", "bank=1000GRD",
		"alice=1000GRD", "bob=1000GRD", "carol=1000GRD", "outsider=1000GRD")
	addr, run, jsonOf := ch.addr, ch.run, ch.jsonOf
	dir := t.TempDir()
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
	// offline runs a command with the keyring but a node nobody listens on.
	offline := func(args ...string) (string, string, int) {
		t.Helper()
		return girder(t, append(args, append([]string{"--node", "tcp://127.0.0.1:1"}, ch.kr...)...)...)
	}
	revenue := func() passes.Revenue {
		t.Helper()
		var v passes.RevenueInfo
		jsonOf(&v, "query", "passes", "revenue", "harbour-bridge")
		if len(v.Revenue) != 1 || v.Revenue[0].Denom != "ueurt" {
			t.Fatalf("revenue: %+v", v)
		}
		r := v.Revenue[0]
		if r.Deferred+r.Earned+r.Refunded != r.Sold {
			t.Fatalf("revenue does not add up: %+v", r)
		}
		return r
	}
	pass := func(id string) passes.PassInfo {
		t.Helper()
		var p passes.PassInfo
		jsonOf(&p, "query", "passes", "pass", id)
		return p
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

	// The project (spv its operator) and EURt.
	run("tx", "auth", "grant-role", "admin", auth.RolePublicAgency, "agency")
	run("tx", "auth", "grant-role", "admin", auth.RoleCashIssuer, "bank")
	run("tx", "projects", "create", "agency", "harbour-bridge", "--name", "Harbour toll bridge", "--sector", "bridge", "--location", "Port Lune",
		"--concession-start", "2027-01-01", "--concession-end", "2057-01-01")
	run("tx", "projects", "add-stakeholder", "agency", "harbour-bridge", "spv", projects.RoleOperator)
	run("tx", "assets", "create", "bank", "ueurt", "--kind", "cash", "--name", "Tokenized euro", "--symbol", "EURt", "--decimals", "2")
	run("tx", "assets", "mint", "bank", "10000EURt")
	run("tx", "bank", "multi-send", "bank", "alice=1000EURt", "bob=1000EURt")
	treasury := projects.Treasury("harbour-bridge").String()

	// Bad classes: nothing is created.
	cc := func(extra ...string) []string {
		return append([]string{"tx", "passes", "create-class", "spv", "harbour-bridge", "--name", "10-crossing pass", "--max-supply", "10000"}, extra...)
	}
	fails(1, "no validity: give --valid-to TIME", cc("--price", "20EURt", "--uses", "10")...)
	fails(1, `--uses "0": want 1 to 10000, or unlimited`, cc("--price", "20EURt", "--uses", "0", "--valid-to", "+1y")...)
	fails(1, `--price "20": give the cash asset's unit, e.g. 20EURt`, cc("--price", "20", "--uses", "10", "--valid-to", "+1y")...)
	fails(1, "--valid-for counts from the service opening: give --promised-opening", cc("--price", "20EURt", "--uses", "10", "--valid-for", "365d")...)
	fails(1, "--late needs --promised-opening", cc("--price", "20EURt", "--uses", "10", "--valid-to", "+1y", "--late", "refund=100%")...)
	fails(1, `--late "refund=150%": the refund is a percentage of the price paid`, cc("--price", "20EURt", "--uses", "10", "--valid-for", "365d",
		"--promised-opening", "+1y", "--late", "refund=150%")...)
	fails(1, "give --valid-for DURATION (counted from the service opening) or --valid-to TIME", cc("--price", "20EURt", "--uses", "10",
		"--valid-for", "365d", "--valid-to", "+1y")...)
	fails(1, `--valid-for "a year": want a duration such as 365d`, cc("--price", "20EURt", "--uses", "10", "--valid-for", "a year",
		"--promised-opening", "+1y", "--late", "extend=90d")...)
	fails(2, `unknown asset: the price's denom "ugrd" is not an asset of this chain`, cc("--price", "20GRD", "--uses", "10", "--valid-to", "+1y")...)
	fails(2, "signer does not hold a project role that may do this", "tx", "passes", "create-class", "outsider", "harbour-bridge", "--name", "x",
		"--price", "20EURt", "--uses", "10", "--valid-to", "+1y", "--max-supply", "1")
	expectText(run("query", "passes", "classes", "harbour-bridge"), "service not open yet", "no pass classes")

	out := run(cc("--price", "20EURt", "--uses", "10", "--valid-to", "+1y", "--transferable")...)
	expectText(out, "code     0 (ok)", `class 1 of harbour-bridge created: "10-crossing pass" at 20 EURt, 10 uses, fixed validity, transferable yes, max supply 10000`)
	run("tx", "passes", "create-class", "spv", "harbour-bridge", "--name", "day pass", "--price", "5EURt", "--uses", "2", "--valid-to", "+30d", "--max-supply", "100")
	// Promised to open in a few seconds: it will be late.
	out = run("tx", "passes", "create-class", "spv", "harbour-bridge", "--name", "opening season", "--price", "50EURt", "--uses", "unlimited",
		"--valid-for", "365d", "--promised-opening", "+8s", "--late", "refund=50%", "--max-supply", "10")
	expectText(out, `class 3 of harbour-bridge created: "opening season" at 50 EURt, unlimited uses, from_opening validity`, "late-service policy: refund")
	expectText(run("tx", "passes", "buy", "alice", "3"), "bought 1 pass of class 3 (harbour-bridge): pass 1, paid 50 EURt")
	expectText(run("tx", "passes", "buy", "alice", "1", "--quantity", "2"), "bought 2 passes of class 1 (harbour-bridge): passes 2 to 3, paid 40 EURt")
	expectText(run("tx", "passes", "buy", "bob", "2"), "pass 4, paid 5 EURt")
	fails(1, "--quantity 0: want 1 to 100", "tx", "passes", "buy", "bob", "1", "--quantity", "0")
	fails(2, "the buyer does not hold the price", "tx", "passes", "buy", "carol", "1")
	fails(1, `class id "x": want a number from 1`, "tx", "passes", "buy", "bob", "x")
	fails(2, "unknown pass class", "tx", "passes", "buy", "bob", "9")
	if b := balance(passes.EscrowAccount.String(), "ueurt"); b != 9_500 {
		t.Fatalf("escrow holds %d ueurt, want the 95 EURt paid", b)
	}
	if r := revenue(); r.Sold != 9_500 || r.Deferred != 9_500 || r.Earned != 0 {
		t.Fatalf("revenue after the sales: %+v", r)
	}

	// Transfers: class 1 is transferable, class 2 is not; only the holder transfers.
	expectText(run("tx", "passes", "transfer", "alice", "bob", "3"), "pass 3 (class 1) transferred from "+addr["alice"]+" to "+addr["bob"]+", 10 uses left")
	fails(2, "the class's passes are not transferable", "tx", "passes", "transfer", "bob", "carol", "4")
	fails(2, "signer is not the pass's holder", "tx", "passes", "transfer", "carol", "alice", "2")
	fails(2, "invalid passes msg: "+addr["bob"]+" cannot transfer a pass to itself", "tx", "passes", "transfer", "bob", "bob", "3")
	expectText(run("query", "passes", "holder", "bob"), "PASS", "10-crossing pass", "day pass", "active")
	var held passes.PassList
	jsonOf(&held, "query", "passes", "holder", "bob")
	if len(held.Passes) != 2 || held.Passes[0].ID != 3 || held.Passes[0].UsesLeft != 10 || held.Passes[1].ID != 4 || !held.Passes[0].ValidNow {
		t.Fatalf("bob's passes: %+v", held)
	}

	// Tickets: the first with the node telling the seq and chain id; then seq 2 and 3 offline.
	file := func(name string) string { return filepath.Join(dir, name) }
	expectText(run("passes", "ticket", "bob", "3", "--out", file("t1.json")), "ticket for pass 3, use 1, signed by bob", "on "+chainID)
	for _, s := range []string{"2", "3"} {
		if _, stderr, code := offline("passes", "ticket", "bob", "3", "--seq", s, "--chain-id", chainID, "--out", file("t"+s+".json")); code != 0 {
			t.Fatalf("offline ticket %s: %s", s, stderr)
		}
	}
	raw := run("passes", "ticket", "alice", "2") // printed: the JSON a gate reads
	var st signedTicket
	if err := json.Unmarshal([]byte(raw), &st); err != nil || st.Ticket.Pass != 2 || st.Ticket.Seq != 1 || st.Ticket.ChainID != chainID ||
		st.Ticket.Holder.String() != addr["alice"] || !passes.VerifyTicket(st.PubKey, st.Ticket, st.Signature) {
		t.Fatalf("printed ticket %v: %s", err, raw)
	}
	writeFile(t, file("t4.json"), raw)
	fails(1, "pass 3 is held by "+addr["bob"]+", not by alice", "passes", "ticket", "alice", "3")
	if _, stderr, code := offline("passes", "ticket", "bob", "3"); code == 0 {
		t.Fatalf("a ticket without --seq and no node: %s", stderr)
	}

	// The gate, offline: a pass list made before, the ticket checked against it.
	writeFile(t, file("pass-3.json"), run("query", "passes", "pass", "3", "-o", "json"))
	writeFile(t, file("class-1.json"), run("query", "passes", "class-passes", "1", "--status", "active", "-o", "json"))
	out, stderr, code := offline("passes", "verify-ticket", file("t1.json"), "--pass-file", file("pass-3.json"), "--chain-id", chainID)
	if code != 0 {
		t.Fatalf("verify: %d %s", code, stderr)
	}
	expectText(out, `valid: pass 3 (class 1 "10-crossing pass"), use 1, held by `+addr["bob"], "9 left after this one")
	out, _, code = offline("passes", "verify-ticket", file("t3.json"), "--pass-file", file("class-1.json"), "--chain-id", chainID)
	if code != 0 || !strings.Contains(out, "uses 1 to 2 must be redeemed before this one") {
		t.Fatalf("verify seq 3: %d %s", code, out)
	}
	expectText(run("passes", "verify-ticket", file("t1.json")), "valid: pass 3") // against the node
	badVerify := func(ticket, want string, extra ...string) {
		t.Helper()
		_, stderr, code := offline(append([]string{"passes", "verify-ticket", ticket, "--pass-file", file("class-1.json")}, extra...)...)
		if code != 1 || !strings.Contains(stderr, "ticket invalid: ") || !strings.Contains(stderr, want) {
			t.Fatalf("verify %s: exit %d %q, want 1 and %q", ticket, code, stderr, want)
		}
	}
	tampered := strings.Replace(readFile(t, file("t1.json")), `"seq": 1`, `"seq": 5`, 1)
	writeFile(t, file("tampered.json"), tampered)
	badVerify(file("tampered.json"), "the signature does not verify")
	badVerify(file("t1.json"), `the ticket is for chain "passes-test", the gate is on "other"`, "--chain-id", "other")
	badVerify(file("t1.json"), "more than 5 min before the gate's clock", "--at", "+1h")
	if _, stderr, code := offline("passes", "ticket", "alice", "3", "--seq", "1", "--chain-id", chainID, "--out", file("stranger.json")); code != 0 {
		t.Fatal(stderr)
	}
	badVerify(file("stranger.json"), "pass 3 is held by "+addr["bob"]+", not by the ticket's holder "+addr["alice"])
	if out, stderr, code := offline("passes", "verify-ticket", file("t4.json"), "--pass-file", file("class-1.json"), "--chain-id", chainID); code != 0 ||
		!strings.Contains(out, "valid: pass 2") {
		t.Fatalf("alice's ticket for pass 2 from class 1's list: %d %s %s", code, out, stderr)
	}
	if _, stderr, code := offline("passes", "verify-ticket", file("t1.json"), "--pass-file", file("nothing.json")); code != 1 || !strings.Contains(stderr, "pass file") {
		t.Fatalf("missing pass file: %d %s", code, stderr)
	}

	// Redemption by the operator: four uses in one tx, given out of order; 2 EURt each.
	fails(2, "signer does not hold a project role that may do this", "tx", "passes", "redeem", "alice", file("t1.json"))
	fails(2, "the ticket's signature does not verify", "tx", "passes", "redeem", "spv", file("tampered.json"))
	fails(1, "ticket file", "tx", "passes", "redeem", "spv", file("nothing.json"))
	out = run("tx", "passes", "redeem", "spv", file("t3.json"), file("t4.json"), file("t1.json"), file("t2.json"))
	expectText(out, "code     0 (ok)", "pass 2 use 1 at", "pass 3 use 1 at", "pass 3 use 2 at", "pass 3 use 3 at", "earned 2 EURt, 7 uses left (active)")
	if p := pass("3"); p.Used != 3 || p.UsesLeft != 7 || p.Deferred != 1_400 {
		t.Fatalf("pass 3 after three uses: %+v", p)
	}
	if r := revenue(); r.Sold != 9_500 || r.Deferred != 8_700 || r.Earned != 800 {
		t.Fatalf("revenue after the batch: %+v", r)
	}
	if b := balance(treasury, "ueurt"); b != 800 {
		t.Fatalf("treasury holds %d ueurt, want the 8 EURt earned", b)
	}
	// Replayed: the chain refuses it (and the whole batch with it); a gate with a fresh list too.
	fails(2, "the ticket's use number is not the pass's next use", "tx", "passes", "redeem", "spv", file("t1.json"))
	writeFile(t, file("pass-3.json"), run("query", "passes", "pass", "3", "-o", "json"))
	if _, stderr, code := offline("passes", "verify-ticket", file("t1.json"), "--pass-file", file("pass-3.json")); code != 1 ||
		!strings.Contains(stderr, "use 1 of pass 3 is already recorded (3 used): a replayed ticket") {
		t.Fatalf("replayed at the gate: %d %s", code, stderr)
	}
	if p := pass("3"); p.Used != 3 {
		t.Fatalf("the replay changed pass 3: %+v", p)
	}
	expectText(run("query", "passes", "revenue", "harbour-bridge"), "ASSET", "ueurt  95 EURt  87 EURt   8 EURt")

	// The late class: its promised opening passes with the service closed; alice claims 50 %.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var c passes.ClassInfo
		jsonOf(&c, "query", "passes", "class", "3")
		if c.Status == passes.ClassLate {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("class 3 never became late: %+v", c)
		}
		time.Sleep(300 * time.Millisecond)
	}
	expectText(run("query", "passes", "class", "3"), `class 3 of harbour-bridge: "opening season" (late)`, "late policy     refund 50 % of the price")
	fails(2, "the class is not late with a refund policy", "tx", "passes", "claim-refund", "bob", "3")
	fails(2, "signer is not the pass's holder", "tx", "passes", "claim-refund", "bob", "1")
	fails(2, "the class is not on sale", "tx", "passes", "buy", "bob", "3")
	before := balance("alice", "ueurt")
	expectText(run("tx", "passes", "claim-refund", "alice", "1"), "pass 1 refunded: 25 EURt to "+addr["alice"]+" (50 % of the price); 25 EURt earned by harbour-bridge")
	if got := balance("alice", "ueurt"); got != before+2_500 {
		t.Fatalf("alice has %d ueurt, want %d + the 25 EURt refund", got, before)
	}
	fails(2, "the pass is not active", "tx", "passes", "claim-refund", "alice", "1")
	if r := revenue(); r.Sold != 9_500 || r.Deferred != 3_700 || r.Earned != 3_300 || r.Refunded != 2_500 {
		t.Fatalf("revenue after the refund: %+v", r)
	}

	// The service opens (not in the future, once); a closed sale sells nothing.
	fails(2, "time out of range", "tx", "passes", "open-service", "spv", "harbour-bridge", "--at", "+1h")
	fails(2, "signer does not hold a project role that may do this", "tx", "passes", "open-service", "alice", "harbour-bridge")
	expectText(run("tx", "passes", "open-service", "spv", "harbour-bridge"), "service of harbour-bridge opened at ")
	fails(2, "the project's service is already open", "tx", "passes", "open-service", "spv", "harbour-bridge")
	var svc passes.Service
	jsonOf(&svc, "query", "passes", "service", "harbour-bridge")
	if svc.Opened == 0 || svc.OpenedBy.String() != addr["spv"] {
		t.Fatalf("service: %+v", svc)
	}
	expectText(run("tx", "passes", "close-sale", "spv", "1"), "sale of class 1 (harbour-bridge) closed after 2 passes sold")
	fails(2, "the class is not on sale", "tx", "passes", "buy", "bob", "1")
	expectText(run("query", "passes", "classes", "harbour-bridge"), "service opened ", "10-crossing pass", "2 of 10000", "closed", "late")
	fails(2, "unknown project", "query", "passes", "revenue", "no-such-project")
	fails(2, "unknown pass", "query", "passes", "pass", "99")
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
