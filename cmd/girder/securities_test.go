package main

import (
	"context"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/distributions"
	"github.com/girder-chain/girder/x/offerings"
)

var secTestUnits = []coin.Unit{
	{Base: "ugrd", Display: "GRD", Exponent: 6},
	{Base: "ueurt", Display: "EURt", Exponent: 2},
	{Base: "ubridge", Display: "BRIDGE", Exponent: 6},
	{Base: "ibc/usd", Display: "USDx", Exponent: 2},
}

// TestOfferingPrice: prices convert exactly to cash base units per security base unit, in
// lowest terms, and back; prices the chain cannot store exactly are refused.
func TestOfferingPrice(t *testing.T) {
	good := []struct {
		in       string
		cash     string
		num, den uint64
		text     string
	}{
		{"1.25EURt", "ueurt", 1, 8000, "1.25 EURt per BRIDGE"},
		{"1.25 EURt", "ueurt", 1, 8000, "1.25 EURt per BRIDGE"},
		{"125ueurt/1000000ubridge", "ueurt", 1, 8000, "1.25 EURt per BRIDGE"},
		{"2EURt/BRIDGE", "ueurt", 1, 5000, "2 EURt per BRIDGE"},
		{"1EURt/3BRIDGE", "ueurt", 1, 30000, "1/3 EURt per BRIDGE"},
		{"1.255EURt", "ueurt", 251, 2000000, "1.255 EURt per BRIDGE"},
		{"7ueurt/1ubridge", "ueurt", 7, 1, "70000 EURt per BRIDGE"},
		{"3USDx/2BRIDGE", "ibc/usd", 3, 20000, "1.5 USDx per BRIDGE"},
		{"150ibc/usd/1BRIDGE", "ibc/usd", 3, 20000, "1.5 USDx per BRIDGE"},
	}
	for _, c := range good {
		cash, num, den, err := parseOfferingPrice(c.in, "ubridge", secTestUnits)
		if err != nil || cash != c.cash || num != c.num || den != c.den {
			t.Errorf("price %q: %s %d/%d %v; want %s %d/%d", c.in, cash, num, den, err, c.cash, c.num, c.den)
			continue
		}
		if got := offeringPriceText(num, den, cash, "ubridge", secTestUnits); got != c.text {
			t.Errorf("price %q shown as %q, want %q", c.in, got, c.text)
		}
	}
	bad := map[string]string{
		"1.25":                               "want the cash paid per BRIDGE",
		"EURt":                               "want the cash paid per BRIDGE",
		"-1EURt":                             "negative",
		"0EURt":                              "must be positive",
		"1EURt/0BRIDGE":                      "must be positive",
		"1.25XYZ":                            "XYZ is not an asset of this chain",
		"1BRIDGE":                            "paid in a cash asset",
		"1EURt/2GRD":                         "a price is per an amount of the security BRIDGE (ubridge), not of ugrd",
		"0.0000000000000000001EURt":          "cannot be represented exactly",
		"1ueurt/18446744073709551617ubridge": "cannot be represented exactly",
		"1e3EURt":                            "e3EURt is not an asset of this chain",
	}
	for in, want := range bad {
		if _, _, _, err := parseOfferingPrice(in, "ubridge", secTestUnits); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("price %q: %v; want an error mentioning %q", in, err, want)
		}
	}
	for in, want := range map[string]string{"1/3": "1/3", "5/4": "1.25", "0": "0", "251/200": "1.255", "7": "7", "1/6": "1/6"} {
		r, _ := new(big.Rat).SetString(in)
		if got := ratText(r); got != want {
			t.Errorf("ratText(%s) = %q, want %q", in, got, want)
		}
	}
}

// TestSecuritiesFlags: rates, times and amounts as people write them.
func TestSecuritiesFlags(t *testing.T) {
	for in, want := range map[string]uint32{"2500": 2500, "2500bps": 2500, "25%": 2500, "12.5%": 1250, "0.01%": 1, "0": 0, "100%": 10000} {
		if got, err := parseBps(in); err != nil || got != want {
			t.Errorf("parseBps(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "-1", "-1%", "101%", "10001", "0.005%", "1/2%", "25 %", "2500 bps"} {
		if got, err := parseBps(in); err == nil {
			t.Errorf("parseBps(%q) = %d; want an error", in, got)
		}
	}
	rates, err := parseRates([]string{"DE=2500bps", "FR=12.8%"})
	if err != nil || len(rates) != 2 || rates[0] != (distributions.Rate{Jurisdiction: "DE", Bps: 2500}) || rates[1].Bps != 1280 {
		t.Fatalf("parseRates: %+v %v", rates, err)
	}
	if _, err := parseRates([]string{"DE"}); err == nil || !strings.Contains(err.Error(), "JURISDICTION=RATE") {
		t.Errorf("parseRates(DE): %v", err)
	}

	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]int64{
		"now": now.Unix(), "+90s": now.Unix() + 90, "+10m": now.Unix() + 600, "+2d": now.AddDate(0, 0, 2).Unix(),
		"+1y": now.AddDate(1, 0, 0).Unix(), "2027-06-30": time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC).Unix(),
		"2027-06-30T12:00:00+02:00": time.Date(2027, 6, 30, 10, 0, 0, 0, time.UTC).Unix(), "1800000000": 1800000000,
	} {
		if got, err := secWhen("end", in, now); err != nil || got != want {
			t.Errorf("secWhen(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "+", "+0s", "+-1d", "+0d", "tomorrow", "-5", "0", "2027-13-01", "+1w"} {
		if _, err := secWhen("end", in, now); err == nil || !strings.Contains(err.Error(), "--end") {
			t.Errorf("secWhen(%q): %v; want an error naming --end", in, err)
		}
	}

	for in, want := range map[string]coin.Amount{"100.5BRIDGE": 100_500_000, "7ubridge": 7, "1 BRIDGE": 1_000_000} {
		if got, err := secAmount(in, "ubridge", "--max", secTestUnits); err != nil || got != want {
			t.Errorf("secAmount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"100":             "give the unit, e.g. 100BRIDGE or 100ubridge",
		"5EURt":           "is an amount of ueurt; want an amount of ubridge",
		"1.0000001BRIDGE": "more than 6 decimals",
	} {
		if _, err := secAmount(in, "ubridge", "--max", secTestUnits); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("secAmount(%q): %v; want an error mentioning %q", in, err, want)
		}
	}
	for in, want := range map[string]string{"BRIDGE": "ubridge", "ubridge": "ubridge", "ibc/usd": "ibc/usd", "other": "other"} {
		if got, err := secDenomArg(in, secTestUnits); err != nil || got != want {
			t.Errorf("secDenomArg(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// TestSecuritiesCLI: on a real node, through the CLI only: a cash asset and a security are
// issued, an offering with a short window is subscribed by two investors and settles (tokens
// delivered, cash at the treasury, unsold tokens back), another is cancelled and refunded; then a
// checkpoint, a deposit that does not divide evenly with withholding for one jurisdiction, claims,
// a pushed payment by a paying agent, the exact entitlements and the remainder; and bad input
// (above the hard cap, a second claim, a non-issuer's deposit, malformed prices) fails with a
// clear message, a non-zero exit and no change of state.
func TestSecuritiesCLI(t *testing.T) {
	ch := startCLIChain(t, "securities-test", "alice", "alice=1000GRD", "bank=1000GRD", "bob=1000GRD", "carol=1000GRD", "dave=1000GRD", "treasury=1000GRD", "tax=1000GRD", "agent=1000GRD")
	addr, rpc, n, at := ch.addr, ch.rpc, ch.node, ch.at
	run, jsonOf := ch.run, ch.jsonOf
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
		out, stderr, got := girder(t, append(args, at...)...)
		if got != code || !strings.Contains(stderr, want) {
			t.Fatalf("girder %s: exit %d, stdout %q, stderr %q; want exit %d mentioning %q", strings.Join(args, " "), got, out, stderr, code, want)
		}
	}
	sdk, err := client.Dial("tcp://" + rpc)
	if err != nil {
		t.Fatal(err)
	}
	balance := func(name, denom string) coin.Amount {
		t.Helper()
		var b coin.Coin
		if err := sdk.Query(context.Background(), "/bank/balance/"+addr[name]+"/"+denom, nil, 0, &b); err != nil {
			t.Fatalf("balance of %s: %v", name, err)
		}
		return b.Amount
	}
	expectBalances := func(denom string, want map[string]coin.Amount) {
		t.Helper()
		for name, w := range want {
			if got := balance(name, denom); got != w {
				t.Errorf("%s holds %d%s, want %d%s", name, got, denom, w, denom)
			}
		}
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	// Roles, an identity in DE for bob (its withholding), the two assets, and cash for everyone.
	run("tx", "auth", "grant-role", "alice", auth.RoleAssetIssuer, "alice")
	run("tx", "auth", "grant-role", "alice", auth.RoleCashIssuer, "bank")
	run("tx", "auth", "grant-role", "alice", auth.RoleKYCProvider, "alice")
	run("tx", "identity", "set-trust", "alice", "alice", "jurisdiction")
	run("tx", "identity", "register", "alice", "bob-mueller", "bob")
	run("tx", "identity", "issue", "alice", "bob-mueller", "--jurisdiction", "DE", "--expiry", "+1y", "--evidence-hash", strings.Repeat("ab", 32))
	run("tx", "assets", "create", "bank", "ueurt", "--kind", "cash", "--name", "Tokenized euro", "--symbol", "EURt", "--decimals", "2")
	run("tx", "assets", "mint", "bank", "10000EURt")
	run("tx", "assets", "create", "alice", "ubridge", "--kind", "security", "--name", "Harbour Bridge SPV", "--symbol", "BRIDGE", "--decimals", "6", "--max-supply", "1000BRIDGE")
	run("tx", "assets", "mint", "alice", "1000BRIDGE")
	run("tx", "bank", "multi-send", "bank", "bob=1000EURt", "carol=500EURt", "dave=500EURt", "alice=2000EURt")
	expectBalances("ueurt", map[string]coin.Amount{"bob": 100_000, "carol": 50_000, "dave": 50_000, "alice": 200_000, "bank": 600_000})

	// Malformed prices and terms: exit 1 before anything is signed; no offering exists after.
	for _, b := range []struct{ price, want string }{
		{"1.25", "want the cash paid per BRIDGE, e.g. 1.25EURt"},
		{"0.0000000000000000000001EURt", "cannot be represented exactly"},
		{"1.25XYZ", "XYZ is not an asset of this chain"},
		{"0EURt", "must be positive"},
		{"abc", "want the cash paid per BRIDGE"},
	} {
		fails(1, b.want, "tx", "offerings", "open", "alice", "600BRIDGE", "--price", b.price, "--end", "+1h")
	}
	fails(1, "--soft-cap \"100\": give the unit", "tx", "offerings", "open", "alice", "600BRIDGE", "--price", "1.25EURt", "--soft-cap", "100", "--end", "+1h")
	fails(1, "--cash GRD but --price \"1.25EURt\" is in ueurt", "tx", "offerings", "open", "alice", "600BRIDGE", "--price", "1.25EURt", "--cash", "GRD", "--end", "+1h")
	fails(1, "--end \"soon\": want now, +DURATION", "tx", "offerings", "open", "alice", "600BRIDGE", "--price", "1.25EURt", "--end", "soon")
	fails(1, `required flag(s) "end" not set`, "tx", "offerings", "open", "alice", "600BRIDGE", "--price", "1.25EURt")
	fails(1, "takes 2 argument(s), got 1", "tx", "offerings", "open", "alice", "--price", "1.25EURt", "--end", "+1h")
	fails(2, "soft cap 700000000 exceeds the hard cap 600000000", "tx", "offerings", "open", "alice", "600BRIDGE", "--price", "1.25EURt", "--soft-cap", "700BRIDGE", "--end", "+1h")
	fails(2, "ueurt is a cash asset; an offering needs a security asset", "tx", "offerings", "open", "bank", "100EURt", "--price", "1GRD", "--end", "+1h")
	var list offerings.OfferingList
	jsonOf(&list, "query", "offerings", "list")
	if len(list.Offerings) != 0 || balance("alice", "ubridge") != 1_000_000_000 {
		t.Fatalf("bad opens changed state: %+v, alice holds %d ubridge", list, balance("alice", "ubridge"))
	}

	// Offering 1: 600 BRIDGE at 1.25 EURt, soft cap 100, per investor 10 to 400, a short window.
	out := run("tx", "offerings", "open", "alice", "600BRIDGE", "--price", "1.25EURt", "--cash", "EURt", "--soft-cap", "100BRIDGE",
		"--min", "10BRIDGE", "--max", "400BRIDGE", "--end", "+12s", "--treasury", "treasury")
	expectText(out, "code     0 (ok)", "offering 1 opened: 600 BRIDGE at 1.25 EURt per BRIDGE, window ")
	var o offerings.Offering
	jsonOf(&o, "query", "offerings", "offering", "1")
	if o.Status != offerings.StatusOpen || o.Security != "ubridge" || o.Cash != "ueurt" || o.PriceNum != 1 || o.PriceDen != 8000 ||
		o.HardCap != 600_000_000 || o.SoftCap != 100_000_000 || o.MinPerInvestor != 10_000_000 || o.MaxPerInvestor != 400_000_000 ||
		o.Treasury.String() != addr["treasury"] || o.End-o.Start != 12 {
		t.Fatalf("offering 1: %+v", o)
	}
	out = run("tx", "offerings", "subscribe", "bob", "1", "300BRIDGE")
	expectText(out, "subscribed 300 BRIDGE to offering 1, paid 375 EURt into escrow", "counted as identity:bob-mueller")
	// 100.5 BRIDGE at 1.25 EURt cost 125.625 EURt: rounded up to the cent.
	out = run("tx", "offerings", "subscribe", "carol", "1", "100.5BRIDGE")
	expectText(out, "subscribed 100.5 BRIDGE to offering 1, paid 125.63 EURt into escrow", "the offering has 400.5 BRIDGE subscribed")
	// Above what is left of the hard cap (199.5 BRIDGE), below the minimum, in the wrong asset.
	fails(1, "exceeds what is left of offering 1: 199.5 BRIDGE of its hard cap 600 BRIDGE", "tx", "offerings", "subscribe", "dave", "1", "200BRIDGE")
	fails(2, "the minimum is 10000000ubridge", "tx", "offerings", "subscribe", "dave", "1", "5BRIDGE")
	fails(1, "AMOUNT \"5EURt\" is an amount of ueurt; want an amount of ubridge", "tx", "offerings", "subscribe", "dave", "1", "5EURt")
	fails(1, "offering id \"first\"", "tx", "offerings", "subscribe", "dave", "first", "5BRIDGE")
	var sub offerings.Subscription
	jsonOf(&sub, "query", "offerings", "subscription", "1", "carol")
	if sub.Amount != 100_500_000 || sub.Cash != 12_563 || sub.Status != offerings.SubPending {
		t.Fatalf("carol's subscription: %+v", sub)
	}
	expectBalances("ueurt", map[string]coin.Amount{"bob": 62_500, "carol": 37_437, "dave": 50_000})

	// Offering 2 is cancelled: dave is refunded, the tokens return.
	out = run("tx", "offerings", "open", "alice", "100BRIDGE", "--price", "2EURt/BRIDGE", "--end", "+1h")
	expectText(out, "offering 2 opened: 100 BRIDGE at 2 EURt per BRIDGE")
	run("tx", "offerings", "subscribe", "dave", "2", "20BRIDGE")
	if got := balance("dave", "ueurt"); got != 46_000 {
		t.Fatalf("dave holds %d ueurt after paying 40 EURt, want 46000", got)
	}
	fails(2, "signer is not the offering's issuer", "tx", "offerings", "cancel", "bob", "2", "--reason", "mine")
	fails(1, `required flag(s) "reason" not set`, "tx", "offerings", "cancel", "alice", "2")
	out = run("tx", "offerings", "cancel", "alice", "2", "--reason", "permit delayed")
	expectText(out, "offering 2 cancelled (permit delayed): its 1 subscribers (20 BRIDGE) are refunded")
	waitFor("offering 2 to be cancelled", func() bool {
		jsonOf(&o, "query", "offerings", "offering", "2")
		return o.Status == offerings.StatusCancelled
	})
	jsonOf(&sub, "query", "offerings", "subscription", "2", "dave")
	if sub.Status != offerings.SubRefunded || sub.Reason != "cancelled by the issuer: permit delayed" || balance("dave", "ueurt") != 50_000 {
		t.Fatalf("dave's refunded subscription: %+v, %d ueurt", sub, balance("dave", "ueurt"))
	}

	// Offering 1 settles by itself when its window ends.
	waitFor("offering 1 to settle", func() bool {
		jsonOf(&o, "query", "offerings", "offering", "1")
		return o.Status == offerings.StatusSettled
	})
	if o.Delivered != 400_500_000 || o.Raised != 50_063 || o.Returned != 199_500_000 || o.Settled != 2 || o.Refunded != 0 || o.CashEscrowed != 0 {
		t.Fatalf("settled offering 1: %+v", o)
	}
	expectBalances("ubridge", map[string]coin.Amount{"bob": 300_000_000, "carol": 100_500_000, "alice": 599_500_000, "treasury": 0})
	expectBalances("ueurt", map[string]coin.Amount{"treasury": 50_063, "bob": 62_500, "carol": 37_437})
	out = run("query", "offerings", "offering", "1")
	expectText(out, "offering 1 (settled: ", "price         1.25 EURt per BRIDGE (1/8000 ueurt per ubridge)",
		"raised        500.63 EURt (50063ueurt)", "returned      199.5 BRIDGE (199500000ubridge)", "delivered     400.5 BRIDGE (400500000ubridge) in 2 settled subscriptions")
	expectText(run("query", "offerings", "list", "--security", "BRIDGE"), "1   settled", "2   cancelled")
	jsonOf(&list, "query", "offerings", "list", "--status", "cancelled")
	if len(list.Offerings) != 1 || list.Offerings[0].ID != 2 {
		t.Fatalf("cancelled offerings: %+v", list)
	}
	expectText(run("query", "offerings", "subscriptions", "1"), addr["bob"], "300 BRIDGE", "375 EURt", "125.63 EURt", "settled")
	expectText(run("query", "offerings", "investor", "dave"), "20 BRIDGE", "40 EURt", "refunded", "cancelled")
	expectText(run("query", "offerings", "params"), "per block  500")

	// Checkpoints: now, and one scheduled a few seconds ahead.
	fails(2, "ubridge is issued by", "tx", "distributions", "checkpoint", "bob", "ubridge")
	out = run("tx", "distributions", "checkpoint", "alice", "BRIDGE")
	expectText(out, "checkpoint 1 of ubridge taken: balances as of the end of block ")
	out = run("tx", "distributions", "checkpoint", "alice", "ubridge", "--record-time", "+3s")
	expectText(out, "checkpoint 2 of ubridge scheduled: taken at the end of the first block at or after ")
	var cp distributions.CheckpointInfo
	waitFor("checkpoint 2 to be taken", func() bool {
		jsonOf(&cp, "query", "distributions", "checkpoint", "2")
		return cp.Status == distributions.CheckpointTaken
	})
	if cp.Supply != 1_000_000_000 || cp.TakenTime < cp.RecordTime {
		t.Fatalf("checkpoint 2: %+v", cp)
	}
	var bat distributions.BalanceAtResult
	jsonOf(&bat, "query", "distributions", "balance-at", "BRIDGE", "1", "carol")
	if bat.Balance != 100_500_000 || bat.Supply != 1_000_000_000 {
		t.Fatalf("carol at checkpoint 1: %+v", bat)
	}
	expectText(run("query", "distributions", "checkpoints", "ubridge"), "1   taken", "2   taken")
	expectText(run("query", "distributions", "tracked"), "ubridge")

	// Deposits: a non-issuer is refused (nothing moves), bad rates are refused before signing.
	fails(2, "signer is neither the asset's issuer nor one of its paying agents", "tx", "distributions", "deposit", "carol", "ubridge", "1", "10EURt", "--expiry", "+30d")
	fails(1, `rate "25.005%" is not a whole number of basis points`, "tx", "distributions", "deposit", "alice", "ubridge", "1", "10EURt", "--expiry", "+30d", "--tax-account", "tax", "--withhold", "DE=25.005%")
	fails(2, "withholding rates need a tax_account", "tx", "distributions", "deposit", "alice", "ubridge", "1", "10EURt", "--expiry", "+30d", "--withhold", "DE=2500bps")
	fails(2, "expiry", "tx", "distributions", "deposit", "alice", "ubridge", "1", "10EURt", "--expiry", "+10m")
	fails(1, "is of the security itself", "tx", "distributions", "deposit", "alice", "ubridge", "1", "10BRIDGE", "--expiry", "+30d")
	expectBalances("ueurt", map[string]coin.Amount{"carol": 37_437, "alice": 200_000})

	// 1000.07 EURt for 1000 BRIDGE: 100007 cents do not divide evenly among 599.5, 300 and 100.5.
	out = run("tx", "distributions", "deposit", "alice", "BRIDGE", "1", "1000.07EURt", "--expiry", "+30d", "--tax-account", "tax",
		"--withhold", "DE=25%", "--memo", "FY2026 dividend")
	expectText(out, "distribution 1 opened: 1000.07 EURt for the holders of ubridge at checkpoint 1 (balances of block ", "supply 1000 BRIDGE)",
		"holders claim until ")
	var ent distributions.Entitlement
	jsonOf(&ent, "query", "distributions", "entitlement", "1", "bob")
	// bob: floor(300 x 100007 / 1000) = 30002 cents gross; 25 % withheld for DE, rounded down: 7500.
	if ent.Balance != 300_000_000 || ent.Gross != coin.New("ueurt", 30_002) || ent.Withheld != coin.New("ueurt", 7_500) ||
		ent.Net != coin.New("ueurt", 22_502) || ent.Jurisdiction != "DE" || ent.Bps != 2500 || !ent.Claimable || ent.Paid {
		t.Fatalf("bob's entitlement: %+v", ent)
	}
	expectText(run("query", "distributions", "entitlement", "1", "carol"), "gross        100.5 EURt (10050ueurt)", "withheld     0 EURt (0ueurt), rate 0 bps (0 %), no jurisdiction claimed", "net          100.5 EURt",
		"status       claimable now")

	out = run("tx", "distributions", "claim", "bob", "1")
	expectText(out, "paid "+addr["bob"]+" from distribution 1: gross 300.02 EURt, withheld 75 EURt (2500 bps, DE) to "+addr["tax"]+", net 225.02 EURt")
	expectText(run("query", "distributions", "entitlement", "1", "bob"), "withheld     75 EURt (7500ueurt), rate 2500 bps (25 %), for DE",
		"net          225.02 EURt (22502ueurt)", "status       paid at height ")
	fails(2, "holder already paid: "+addr["bob"]+" was paid 22502ueurt from distribution 1", "tx", "distributions", "claim", "bob", "1")
	out = run("tx", "distributions", "claim", "carol", "1")
	expectText(out, "gross 100.5 EURt, nothing withheld, net 100.5 EURt")
	fails(2, "nothing to claim", "tx", "distributions", "claim", "dave", "1")
	fails(1, "distribution id \"0\"", "tx", "distributions", "claim", "dave", "0")

	// A paying agent pushes alice's payment; once removed it may not push.
	run("tx", "distributions", "appoint-agent", "alice", "ubridge", "agent")
	var agents []distributions.Agent
	jsonOf(&agents, "query", "distributions", "agents", "BRIDGE")
	if len(agents) != 1 || agents[0].Agent.String() != addr["agent"] {
		t.Fatalf("agents: %+v", agents)
	}
	out = run("tx", "distributions", "push", "agent", "1", "alice")
	expectText(out, "queued 1 payment(s) from distribution 1 (queue entries 1 to 1)")
	waitFor("alice's pushed payment", func() bool {
		jsonOf(&ent, "query", "distributions", "entitlement", "1", "alice")
		return ent.Paid
	})
	if ent.Gross.Amount != 59_954 || ent.Net.Amount != 59_954 || ent.Payment.Via != "push" {
		t.Fatalf("alice's entitlement: %+v", ent)
	}
	expectText(run("query", "distributions", "queue"), "the push queue is empty")
	run("tx", "distributions", "remove-agent", "alice", "ubridge", "agent")
	fails(2, "is not one of its paying agents", "tx", "distributions", "push", "agent", "1", "dave")
	fails(2, "has not expired", "tx", "distributions", "reclaim", "alice", "1")

	// The totals: 22502 + 10050 + 59954 paid, 7500 withheld; the remainder is exactly one cent.
	var d distributions.DistributionInfo
	jsonOf(&d, "query", "distributions", "distribution", "1")
	if d.Amount != coin.New("ueurt", 100_007) || d.Supply != 1_000_000_000 || d.Paid != 92_506 || d.Withheld != 7_500 || d.Payments != 3 ||
		d.Remainder != 1 || d.RemainderNum != 0 || d.Unclaimed != 0 || d.Outstanding != 1 || d.ClaimedBalance != 1_000_000_000 ||
		d.Memo != "FY2026 dividend" || d.TaxAccount.String() != addr["tax"] {
		t.Fatalf("distribution 1: %+v", d)
	}
	expectBalances("ueurt", map[string]coin.Amount{"bob": 62_500 + 22_502, "carol": 37_437 + 10_050, "alice": 200_000 - 100_007 + 59_954, "tax": 7_500})
	out = run("query", "distributions", "distribution", "1")
	expectText(out, "distribution 1 (open: ", "paid         925.06 EURt (92506ueurt) net to holders in 3 payments", "withheld     75 EURt (7500ueurt)",
		"unclaimed    0 EURt (0ueurt)", "remainder    0.01 EURt (1ueurt)", "withholding  DE 2500 bps, others 0 bps, to "+addr["tax"], "memo         FY2026 dividend")
	expectText(run("query", "distributions", "distributions", "BRIDGE"), "1   open", "1000.07 EURt", "925.06 EURt", "75 EURt")

	// Queries: bad ids and unknown ones.
	fails(1, "offering id \"0\"", "query", "offerings", "offering", "0")
	fails(2, "no offering 99", "query", "offerings", "offering", "99")
	fails(2, "no distribution 7", "query", "distributions", "distribution", "7")
	fails(2, "checkpoints and distributions are of securities", "query", "distributions", "checkpoints", "EURt")
	fails(2, `status "done"`, "query", "offerings", "list", "--status", "done")
	if err := n.App.Invariants(); err != nil {
		t.Fatal(err)
	}
}
