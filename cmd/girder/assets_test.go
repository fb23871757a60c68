package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/compliance"
)

// TestAssetsCLI: on a real node, through the CLI only, an issuer creates a security with a
// maximum supply in display units, mints (to itself and to an investor), burns, publishes
// documents in versions and removes one; the controller freezes part of a holding (a larger send
// fails, readably), unfreezes, forces a transfer (never of frozen tokens), recovers a holding with
// its freeze to another account of the same identity, pauses and unpauses the asset; a mint to an
// investor is held by a compliance rule until an officer releases it. Bad input gives a clear
// message, a non-zero exit and changes nothing.
func TestAssetsCLI(t *testing.T) {
	ch := startCLIChain(t, "assets-test", "alice", "alice=10000GRD", "bob=100GRD", "bob2", "carol=100GRD")
	addr, n, at := ch.addr, ch.node, ch.at
	run, jsonOf := ch.run, ch.jsonOf
	// fails runs a command that must fail: a non-zero exit and stderr mentioning each of want.
	fails := func(wantCode int, args []string, want ...string) {
		t.Helper()
		out, stderr, code := girder(t, append(args, at...)...)
		if code != wantCode {
			t.Fatalf("girder %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, wantCode, out, stderr)
		}
		for _, w := range want {
			if !strings.Contains(stderr, w) {
				t.Fatalf("girder %s: stderr lacks %q:\n%s", strings.Join(args, " "), w, stderr)
			}
		}
	}
	mustContain := func(what, out string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Fatalf("%s lacks %q:\n%s", what, w, out)
			}
		}
	}
	// bal is an account's balance of ubridge, in base units.
	bal := func(name string) coin.Amount {
		t.Helper()
		var b struct {
			Balances []coin.Coin `json:"balances"`
		}
		jsonOf(&b, "query", "balance", name)
		for _, c := range b.Balances {
			if c.Denom == "ubridge" {
				return c.Amount
			}
		}
		return 0
	}
	info := func() assets.AssetInfo {
		t.Helper()
		var v assets.AssetInfo
		jsonOf(&v, "query", "assets", "asset", "ubridge")
		return v
	}
	const BRIDGE = 1_000_000 // base units per display unit (6 decimals)

	// Create: only with the asset_issuer role; the maximum supply in display units.
	createArgs := []string{"tx", "assets", "create", "alice", "ubridge", "--kind", "security", "--name", "Harbour Bridge SPV equity",
		"--symbol", "BRIDGE", "--decimals", "6", "--max-supply", "1000BRIDGE", "--project", "harbour-bridge"}
	fails(2, createArgs, "signer may not issue this kind of asset", "needs the asset_issuer role", "(module assets, code 3)")
	run("tx", "auth", "grant-role", "alice", auth.RoleAssetIssuer, "alice")
	if out := run("query", "roles", "alice"); !strings.Contains(out, auth.RoleAssetIssuer) {
		t.Fatalf("roles of alice:\n%s", out)
	}
	out := run(createArgs...)
	mustContain("create (text)", out, "code     0 (ok)",
		"created  ubridge (BRIDGE, security), max supply 1000 BRIDGE (1000000000ubridge), controller "+addr["alice"])
	a := info()
	if a.Denom != "ubridge" || a.Kind != assets.KindSecurity || a.Name != "Harbour Bridge SPV equity" || a.Symbol != "BRIDGE" || a.Decimals != 6 ||
		a.MaxSupply != 1000*BRIDGE || a.Project != "harbour-bridge" || a.Issuer.String() != addr["alice"] || a.Controller.String() != addr["alice"] ||
		a.Supply != 0 || a.Paused || len(a.Documents) != 0 || a.Height == 0 {
		t.Fatalf("asset after create: %+v", a)
	}
	var list []assets.Asset
	jsonOf(&list, "query", "assets", "list")
	if len(list) != 1 || list[0].Denom != "ubridge" || list[0].MaxSupply != 1000*BRIDGE {
		t.Fatalf("assets list: %+v", list)
	}
	if out := run("query", "assets", "list"); !strings.Contains(out, "ubridge") || !strings.Contains(out, "BRIDGE") ||
		!strings.Contains(out, "security") || !strings.Contains(out, "Harbour Bridge SPV equity") {
		t.Fatalf("assets list (text):\n%s", out)
	}

	// Mint to the issuer and to an investor, burn: supply, minted and burnt follow.
	mustContain("mint (text)", run("tx", "assets", "mint", "alice", "600BRIDGE"), "minted   600 BRIDGE (600000000ubridge) to "+addr["alice"])
	mustContain("mint --to (text)", run("tx", "assets", "mint", "alice", "100BRIDGE", "--to", "bob"), "minted   100 BRIDGE (100000000ubridge) to "+addr["bob"])
	mustContain("burn (text)", run("tx", "assets", "burn", "alice", "50BRIDGE"), "burnt    50 BRIDGE (50000000ubridge) from "+addr["alice"])
	if a := info(); a.Supply != 650*BRIDGE || a.Minted != 700*BRIDGE || a.Burnt != 50*BRIDGE {
		t.Fatalf("after mints and a burn: supply %d minted %d burnt %d", a.Supply, a.Minted, a.Burnt)
	}
	if got := [2]coin.Amount{bal("alice"), bal("bob")}; got != [2]coin.Amount{550 * BRIDGE, 100 * BRIDGE} {
		t.Fatalf("balances alice, bob: %v", got)
	}
	var supply coin.Coin
	jsonOf(&supply, "query", "supply", "ubridge")
	if supply.Amount != 650*BRIDGE {
		t.Fatalf("bank supply: %+v", supply)
	}
	mustContain("asset (text)", run("query", "assets", "asset", "ubridge"),
		"asset       ubridge\n", "kind        security\n", "symbol      BRIDGE (1 BRIDGE = 10^6 ubridge)\n",
		"max supply  1000 BRIDGE (1000000000ubridge)\n", "supply      650 BRIDGE (650000000ubridge)\n",
		"minted      700 BRIDGE (700000000ubridge)\n", "burnt       50 BRIDGE (50000000ubridge)\n",
		"issuer      "+addr["alice"]+"\n", "controller  "+addr["alice"]+"\n", "project     harbour-bridge\n", "documents:\n  (none)\n")

	if out := run("query", "assets", "documents", "ubridge"); out != "no documents\n" {
		t.Fatalf("documents before any (text):\n%s", out)
	}

	// Documents: the file's SHA-256 is recorded; a second version keeps the first; a removal is
	// the newest version of its document.
	dir := t.TempDir()
	file := func(name, body string) (path, sum string) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256([]byte(body))
		return p, hex.EncodeToString(h[:])
	}
	p1, h1 := file("prospectus-v1.pdf", "Harbour Bridge SPV prospectus, first edition")
	p2, h2 := file("prospectus-v2.pdf", "Harbour Bridge SPV prospectus, second edition")
	_, h3 := file("term-sheet.pdf", "term sheet")
	mustContain("set-document (text)", run("tx", "assets", "set-document", "alice", "ubridge", "prospectus", "https://example.org/p1.pdf", "--file", p1),
		"document prospectus v1 https://example.org/p1.pdf sha256 "+h1)
	run("tx", "assets", "set-document", "alice", "ubridge", "term-sheet", "https://example.org/ts.pdf", "--hash", h3)
	mustContain("set-document v2 (text)", run("tx", "assets", "set-document", "alice", "ubridge", "prospectus", "https://example.org/p2.pdf", "--file", p2),
		"document prospectus v2 https://example.org/p2.pdf sha256 "+h2)
	mustContain("remove-document (text)", run("tx", "assets", "remove-document", "alice", "ubridge", "term-sheet"), "document term-sheet v2: removed")
	var hist []assets.Document
	jsonOf(&hist, "query", "assets", "documents", "ubridge")
	type doc struct {
		name, uri, hash string
		version         uint32
		removed         bool
	}
	var got []doc
	for _, d := range hist {
		got = append(got, doc{d.Name, d.URI, d.Hash.String(), d.Version, d.Removed})
		if d.Asset != "ubridge" || d.By.String() != addr["alice"] || d.Height == 0 || d.Time == 0 {
			t.Fatalf("document %+v", d)
		}
	}
	want := []doc{{"prospectus", "https://example.org/p1.pdf", h1, 1, false}, {"prospectus", "https://example.org/p2.pdf", h2, 2, false},
		{"term-sheet", "https://example.org/ts.pdf", h3, 1, false}, {"term-sheet", "", h3, 2, true}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("document history:\n got %v\nwant %v", got, want)
	}
	if a := info(); len(a.Documents) != 1 || a.Documents[0].Name != "prospectus" || a.Documents[0].Version != 2 || a.Documents[0].Hash.String() != h2 {
		t.Fatalf("current documents: %+v", a.Documents)
	}
	mustContain("asset documents (text)", run("query", "assets", "asset", "ubridge"), "documents:\n  prospectus v2 https://example.org/p2.pdf sha256 "+h2+"\n")
	out = run("query", "assets", "documents", "ubridge")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 4 || !strings.Contains(lines[0], "https://example.org/p1.pdf sha256 "+h1) ||
		!strings.HasPrefix(lines[1], "prospectus       v2 ") || !strings.HasPrefix(lines[3], "term-sheet       v2 ") || !strings.HasSuffix(lines[3], "removed") {
		t.Fatalf("documents (text):\n%s", out)
	}

	// A partial freeze: bob holds 100, 60 must stay; sending 50 fails with the spendable amount.
	mustContain("freeze (text)", run("tx", "assets", "freeze", "alice", "ubridge", "bob", "--amount", "60BRIDGE", "--reason", "pledged to lender"),
		"frozen   "+addr["bob"]+": 60 BRIDGE (60000000ubridge) must stay (pledged to lender)")
	var freezes []compliance.Freeze
	jsonOf(&freezes, "query", "compliance", "freezes", "ubridge")
	if len(freezes) != 1 || freezes[0].Account.String() != addr["bob"] || freezes[0].Amount != 60*BRIDGE || freezes[0].Reason != "pledged to lender" ||
		freezes[0].By.String() != addr["alice"] {
		t.Fatalf("freezes: %+v", freezes)
	}
	fails(2, []string{"tx", "bank", "send", "bob", "carol", "50BRIDGE"}, "transfer rejected by a compliance rule: rule frozen",
		"has 60000000ubridge frozen (pledged to lender); spendable: 40000000ubridge", "(module compliance, code 3)")
	if b, c := bal("bob"), bal("carol"); b != 100*BRIDGE || c != 0 {
		t.Fatalf("a refused send moved ubridge: bob %d carol %d", b, c)
	}
	mustContain("unfreeze (text)", run("tx", "assets", "unfreeze", "alice", "ubridge", "bob", "--reason", "loan repaid"),
		"unfrozen "+addr["bob"]+"'s ubridge (loan repaid)")
	if out := run("query", "compliance", "freezes", "ubridge"); out != "no freezes\n" {
		t.Fatalf("freezes after unfreeze:\n%s", out)
	}
	run("tx", "bank", "send", "bob", "carol", "50BRIDGE")
	if b, c := bal("bob"), bal("carol"); b != 50*BRIDGE || c != 50*BRIDGE {
		t.Fatalf("after the send: bob %d carol %d", b, c)
	}

	// A forced transfer: no compliance, its reason in the event.
	mustContain("force-transfer (text)", run("tx", "assets", "force-transfer", "alice", "carol", "bob", "20BRIDGE", "--reason", "court order 17"),
		"moved    20 BRIDGE (20000000ubridge) from "+addr["carol"]+" to "+addr["bob"]+" (court order 17)")
	var res client.Result
	jsonOf(&res, "tx", "assets", "force-transfer", "alice", "carol", "bob", "5BRIDGE", "--reason", "court order 18")
	if res.Code != 0 || eventAttr(&res, "assets.forced_transfer", "reason") != "court order 18" || eventAttr(&res, "assets.forced_transfer", "amount") != "5000000ubridge" {
		t.Fatalf("force-transfer (json): %+v", res)
	}
	if b, c := bal("bob"), bal("carol"); b != 75*BRIDGE || c != 25*BRIDGE {
		t.Fatalf("after forced transfers: bob %d carol %d", b, c)
	}

	// Recovery: bob lost his key; his identity has a second account, bob2, which gets the whole
	// holding. An account of another identity (or none) cannot receive it.
	run("tx", "auth", "grant-role", "alice", auth.RoleKYCProvider, "alice")
	run("tx", "identity", "register", "alice", "bob-jones", "bob", "bob2")
	fails(2, []string{"tx", "assets", "recover", "alice", "ubridge", "carol", "bob2", "--reason", "lost key"},
		"recovery needs two accounts of one identity", `(identity "bob-jones") are not accounts of one identity`, "(module assets, code 12)")
	// 30 of bob's 75 are pledged: a forced transfer moves at most the 45 above; the recovery
	// carries the freeze to bob2.
	run("tx", "assets", "freeze", "alice", "ubridge", "bob", "--amount", "30BRIDGE", "--reason", "pledged")
	fails(2, []string{"tx", "assets", "force-transfer", "alice", "bob", "carol", "50BRIDGE", "--reason", "court order 19"},
		"the holding is frozen", "at most 45000000ubridge can be moved; unfreeze it first", "(module assets, code 16)")
	mustContain("recover (text)", run("tx", "assets", "recover", "alice", "ubridge", "bob", "bob2", "--reason", "lost key, ticket 88"),
		"unfrozen "+addr["bob"]+"'s ubridge (recovered to "+addr["bob2"]+": lost key, ticket 88)",
		"frozen   "+addr["bob2"]+": 30 BRIDGE (30000000ubridge) must stay (pledged (recovered from "+addr["bob"]+"))",
		"recovered 75 BRIDGE (75000000ubridge) from "+addr["bob"]+" to "+addr["bob2"]+" (lost key, ticket 88)")
	if b, b2 := bal("bob"), bal("bob2"); b != 0 || b2 != 75*BRIDGE {
		t.Fatalf("after recovery: bob %d bob2 %d", b, b2)
	}
	jsonOf(&freezes, "query", "compliance", "freezes", "ubridge")
	if len(freezes) != 1 || freezes[0].Account.String() != addr["bob2"] || freezes[0].Amount != 30*BRIDGE || freezes[0].Floor != 30*BRIDGE {
		t.Fatalf("freezes after recovery: %+v", freezes)
	}
	if err := n.App.Invariants(); err != nil {
		t.Fatalf("after a recovery of a frozen holding: %v", err)
	}
	run("tx", "assets", "unfreeze", "alice", "ubridge", "bob2", "--reason", "pledge released")
	fails(2, []string{"tx", "assets", "recover", "alice", "ubridge", "bob", "bob2", "--reason", "again"}, "nothing to recover", "holds no ubridge")

	// Pause: every transfer is refused, with the reason, until unpaused.
	mustContain("pause (text)", run("tx", "assets", "pause", "alice", "ubridge", "--reason", "corporate action"),
		"paused   ubridge: every transfer is refused until unpaused (corporate action)")
	if a := info(); !a.Paused || a.PauseNote != "corporate action" {
		t.Fatalf("paused asset: %+v", a.Asset)
	}
	mustContain("paused asset (text)", run("query", "assets", "asset", "ubridge"), "PAUSED      corporate action\n")
	fails(2, []string{"tx", "bank", "send", "carol", "alice", "1BRIDGE"}, "rule paused", "ubridge is paused by its controller (corporate action)")
	fails(2, []string{"tx", "assets", "pause", "alice", "ubridge", "--reason", "again"}, "asset already paused", "paused since: corporate action")
	if c := bal("carol"); c != 25*BRIDGE {
		t.Fatalf("a paused asset moved: carol %d", c)
	}
	mustContain("unpause (text)", run("tx", "assets", "unpause", "alice", "ubridge", "--reason", "done"), "unpaused ubridge (done)")
	run("tx", "bank", "send", "carol", "alice", "1BRIDGE")
	if a, c := bal("alice"), bal("carol"); a != 551*BRIDGE || c != 24*BRIDGE {
		t.Fatalf("after unpause: alice %d carol %d", a, c)
	}

	// Bad input: a clear message, a non-zero exit, and nothing changes.
	type snapshot struct {
		Info     assets.AssetInfo
		Balances map[string]coin.Amount
		Assets   int
		Freezes  int
	}
	snap := func() snapshot {
		s := snapshot{Info: info(), Balances: map[string]coin.Amount{}}
		for _, name := range []string{"alice", "bob", "bob2", "carol"} {
			s.Balances[name] = bal(name)
		}
		var l []assets.Asset
		jsonOf(&l, "query", "assets", "list")
		s.Assets = len(l)
		var f []compliance.Freeze
		jsonOf(&f, "query", "compliance", "freezes", "ubridge")
		s.Freezes = len(f)
		return s
	}
	before := snap()
	p3, _ := file("other.pdf", "other")
	bad := []struct {
		args []string
		code int
		want string
	}{
		// supply 650, maximum 1000
		{[]string{"tx", "assets", "mint", "alice", "351BRIDGE"}, 2, "mint exceeds the maximum supply: supply 650000000 + 351000000 exceeds the maximum 1000000000 (module assets, code 8)"},
		{[]string{"tx", "assets", "mint", "carol", "1BRIDGE"}, 2, "signer is not the asset's issuer: ubridge is issued by " + addr["alice"] + ", not " + addr["carol"]},
		{[]string{"tx", "assets", "mint", "alice", "5ughost"}, 2, `unknown asset: "ughost" is not an asset issued on this chain (module assets, code 5)`},
		{[]string{"tx", "assets", "mint", "alice", "5ugrd"}, 2, `"ugrd" is not an asset issued on this chain`},
		{[]string{"tx", "assets", "mint", "alice", "1.0000001BRIDGE"}, 1, "more than 6 decimals"},
		{[]string{"tx", "assets", "burn", "alice", "600BRIDGE"}, 2, "insufficient funds"},
		{[]string{"tx", "assets", "burn", "carol", "1BRIDGE"}, 2, "is issued by " + addr["alice"]},
		{[]string{"tx", "assets", "set-document", "carol", "ubridge", "x", "https://x", "--file", p3}, 2, "signer is not the asset's issuer"},
		{[]string{"tx", "assets", "set-document", "alice", "ubridge", "x", "https://x"}, 1, "give the document's SHA-256: --hash HEX or --file PATH"},
		{[]string{"tx", "assets", "set-document", "alice", "ubridge", "x", "https://x", "--hash", "abcd"}, 1, `content hash "abcd": want 64 hex digits`},
		{[]string{"tx", "assets", "set-document", "alice", "ubridge", "x", "https://x", "--file", filepath.Join(dir, "missing.pdf")}, 1, "document file:"},
		{[]string{"tx", "assets", "remove-document", "alice", "ubridge", "term-sheet"}, 2, `unknown document: ubridge has no document "term-sheet"`},
		{[]string{"tx", "assets", "freeze", "alice", "ubridge", "carol"}, 1, `required flag(s) "reason" not set`},
		{[]string{"tx", "assets", "force-transfer", "alice", "carol", "bob", "1BRIDGE"}, 1, `required flag(s) "reason" not set`},
		{[]string{"tx", "assets", "recover", "alice", "ubridge", "bob2", "bob"}, 1, `required flag(s) "reason" not set`},
		{[]string{"tx", "assets", "pause", "alice", "ubridge"}, 1, `required flag(s) "reason" not set`},
		{[]string{"tx", "assets", "freeze", "alice", "ubridge", "carol", "--reason", " "}, 2, "invalid msg: assets/freeze: invalid assets msg: give a reason (module tx, code 6)"},
		{[]string{"tx", "assets", "freeze", "carol", "ubridge", "bob2", "--reason", "x"}, 2, "signer is not the asset's controller: ubridge is controlled by " + addr["alice"]},
		{[]string{"tx", "assets", "freeze", "alice", "ubridge", "carol", "--amount", "5GRD", "--reason", "x"}, 1, "--amount: amount 5GRD is in ugrd, want ubridge"},
		{[]string{"tx", "assets", "freeze", "alice", "ubridge", "carol", "--amount", "25.5BRIDGE", "--reason", "x"}, 2, "freeze exceeds the balance"},
		{[]string{"tx", "assets", "unfreeze", "alice", "ubridge", "carol", "--reason", "x"}, 2, "is not frozen"},
		{[]string{"tx", "assets", "force-transfer", "alice", "carol", "bob", "100BRIDGE", "--reason", "x"}, 2, "insufficient funds"},
		{[]string{"tx", "assets", "force-transfer", "alice", "carol", "carol", "1BRIDGE", "--reason", "x"}, 2, "from and to are the same account (module tx, code 6)"},
		{[]string{"tx", "assets", "unpause", "alice", "ubridge", "--reason", "x"}, 2, "asset is not paused"},
		{[]string{"tx", "assets", "pause", "alice", "ughost", "--reason", "x"}, 2, `"ughost" is not an asset issued on this chain`},
		// create: bad --max-supply, kinds, roles, taken names
		{[]string{"tx", "assets", "create", "alice", "utoll", "--kind", "security", "--name", "Toll", "--symbol", "TOLL", "--max-supply", "lots"}, 1, `--max-supply: amount "lots" is not of the form`},
		{[]string{"tx", "assets", "create", "alice", "utoll", "--kind", "security", "--name", "Toll", "--symbol", "TOLL", "--max-supply", "0"}, 1, `--max-supply "0" is zero: omit --max-supply for no limit`},
		{[]string{"tx", "assets", "create", "alice", "utoll", "--kind", "security", "--name", "Toll", "--symbol", "TOLL", "--decimals", "2", "--max-supply", "1.001TOLL"}, 1, "has more than 2 decimals"},
		{[]string{"tx", "assets", "create", "alice", "utoll", "--kind", "security", "--name", "Toll", "--symbol", "TOLL", "--max-supply", "5GRD"}, 1, `--max-supply "5GRD" is in GRD: want base units (10000000) or TOLL (10000000TOLL)`},
		{[]string{"tx", "assets", "create", "alice", "utoll", "--kind", "security", "--name", "Toll", "--symbol", "TOLL", "--max-supply", "99999999999999999999"}, 1, `--max-supply "99999999999999999999" is too large`},
		{[]string{"tx", "assets", "create", "alice", "utoll", "--kind", "bond", "--name", "Toll", "--symbol", "TOLL"}, 2, `kind "bond": want one of cash, pass, receivable, security`},
		{[]string{"tx", "assets", "create", "alice", "utoll", "--kind", "security", "--symbol", "TOLL"}, 1, `required flag(s) "name" not set`},
		{[]string{"tx", "assets", "create", "alice", "ueurt", "--kind", "cash", "--name", "Tokenized euro", "--symbol", "EURt"}, 2, "a cash asset needs the cash_issuer role"},
		{[]string{"tx", "assets", "create", "carol", "utoll", "--kind", "security", "--name", "Toll", "--symbol", "TOLL"}, 2, "a security asset needs the asset_issuer role"},
		{[]string{"tx", "assets", "create", "alice", "ubridge", "--kind", "security", "--name", "Again", "--symbol", "BRIDGE2"}, 2, `denom already exists: "ubridge" is already a denom of this chain`},
		{[]string{"tx", "assets", "create", "alice", "ubridge2", "--kind", "security", "--name", "Again", "--symbol", "BRIDGE"}, 2, "symbol BRIDGE is already used by ubridge"},
		{[]string{"tx", "assets", "create", "alice", "utoll", "--kind", "security", "--name", "Toll", "--symbol", "TOLL", "--controller", "nobody"}, 1, `--controller: "nobody" is neither an address`},
		{[]string{"tx", "assets", "mint", "alice", "1BRIDGE", "--to", "nobody"}, 1, `--to: "nobody" is neither an address`},
		{[]string{"query", "assets", "asset", "ughost"}, 2, `unknown asset: "ughost" is not an asset issued on this chain`},
		{[]string{"query", "assets", "documents", "ughost"}, 2, "unknown asset"},
		{[]string{"query", "assets", "asset", "bad denom"}, 1, `invalid denom "bad denom"`},
	}
	for _, b := range bad {
		_, stderr, code := girder(t, append(b.args, at...)...)
		if code != b.code || !strings.Contains(stderr, b.want) {
			t.Errorf("girder %s: exit %d, stderr %q; want exit %d mentioning %q", strings.Join(b.args, " "), code, stderr, b.code, b.want)
		}
	}
	if after := snap(); !equalJSON(t, after, before) {
		t.Fatalf("bad input changed state:\nbefore %+v\nafter  %+v", before, after)
	}
	if before.Info.Supply != 650*BRIDGE || before.Balances["alice"] != 551*BRIDGE || before.Assets != 1 || before.Freezes != 0 {
		t.Fatalf("state before the bad input: %+v", before)
	}

	// A mint to an investor is a mint to the issuer and a transfer compliance reviews: a rule that
	// holds large transfers keeps the minted amount in a hold until an officer releases it.
	run("tx", "auth", "grant-role", "alice", auth.RoleComplianceOfficer, "alice")
	rules, _ := file("rules.json", `[{"id": "large", "kind": "large_transfer", "outcome": "hold", "params": {"amount": "10BRIDGE", "hold_for": "1h"}}]`)
	run("tx", "compliance", "set-rules", "alice", "--asset", "ubridge", "--file", rules)
	mustContain("held mint (text)", run("tx", "assets", "mint", "alice", "20BRIDGE", "--to", "carol"), "decision held by rule large (hold 1, returns ",
		"minted   20 BRIDGE (20000000ubridge) for "+addr["carol"]+": in hold 1 until a compliance officer releases or returns it")
	if a, c := info(), bal("carol"); a.Supply != 670*BRIDGE || c != 24*BRIDGE {
		t.Fatalf("after a held mint: supply %d, carol %d", a.Supply, c)
	}
	mustContain("decide-hold (text)", run("tx", "compliance", "decide-hold", "alice", "1", "release", "--reason", "documents checked"), "hold 1 released")
	if c := bal("carol"); c != 44*BRIDGE {
		t.Fatalf("carol after the release: %d", c)
	}
	if err := n.App.Invariants(); err != nil {
		t.Fatal(err)
	}
}
