package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/x/vesting"
)

// TestVestingCLI: on a real node, a clawback-able grant of GRD on a short linear schedule locks
// tokens in the grantee's balance (query vesting locked), a send of more than is spendable is
// refused with the lock's message, only the grantor may claw back, and the clawback returns the
// unvested part; bad schedules and unknown grants fail clearly and change nothing.
func TestVestingCLI(t *testing.T) {
	ch := startCLIChain(t, "vesting-test", "alice", "alice=1000GRD", "bob=10GRD", "carol=10GRD")
	addr, at := ch.addr, ch.at
	run, jsonOf := ch.run, ch.jsonOf
	fails := func(code int, want string, args ...string) {
		t.Helper()
		out, stderr, got := girder(t, append(args, at...)...)
		if got != code || !strings.Contains(stderr, want) {
			t.Fatalf("girder %s: exit %d, stdout %q, stderr %q; want exit %d mentioning %q", strings.Join(args, " "), got, out, stderr, code, want)
		}
	}
	expectText := func(out string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(out, w) {
				t.Fatalf("output lacks %q:\n%s", w, out)
			}
		}
	}
	balance := func(name string) coin.Amount {
		t.Helper()
		var v vesting.LockedInfo
		jsonOf(&v, "query", "vesting", "locked", name, "ugrd")
		return v.Balance
	}
	grants := func(name string) int {
		t.Helper()
		var v vesting.AccountGrants
		jsonOf(&v, "query", "vesting", "account", name)
		return len(v.Grants)
	}

	// The grant: 100 GRD over ten minutes, clawback allowed.
	out := run("tx", "vesting", "grant", "alice", "bob", "100GRD", "--linear", "--start", "now", "--end", "+10m", "--clawback", "--memo", "team")
	expectText(out, "grant 1: 100 GRD to "+addr["bob"]+" vesting linearly ", ", clawback allowed", "locked now: ")

	var g vesting.GrantInfo
	jsonOf(&g, "query", "vesting", "grant", "1")
	if g.ID != 1 || g.Grantor.String() != addr["alice"] || g.Grantee.String() != addr["bob"] || g.Amount != coin.New("ugrd", 100_000_000) ||
		g.Schedule.Kind != vesting.KindLinear || !g.Clawback || g.Memo != "team" || g.Status != vesting.StatusVesting || g.Locked == 0 {
		t.Fatalf("grant 1: %+v", g)
	}
	expectText(run("query", "vesting", "grant", "1"), "grant 1 (vesting)", "granted     100 GRD (100000000ugrd)", "clawback    clawback allowed", "memo        team")

	// Locked and spendable.
	var li vesting.LockedInfo
	jsonOf(&li, "query", "vesting", "locked", "bob", "GRD")
	if li.Locked == 0 || li.Locked > 100_000_000 || li.Spendable != li.Balance-li.Locked || li.Grants != 1 || li.Until != g.Schedule.End {
		t.Fatalf("locked: %+v", li)
	}
	expectText(run("query", "vesting", "locked", "bob", "ugrd"), "locked    ", "spendable ", "grants    1 still vesting")
	expectText(run("query", "vesting", "account", "bob"), "locked: ", "ID", "vesting", "100 GRD")

	// A send of more than is spendable is refused, and moves nothing.
	bobBefore := balance("bob")
	fails(2, "locked", "tx", "bank", "send", "bob", "carol", "105GRD")
	if got := balance("bob"); got != bobBefore {
		t.Fatalf("bob's balance moved by a refused send: %d, was %d", got, bobBefore)
	}

	// Only the grantor claws back.
	fails(2, "signer is not the grant's grantor", "tx", "vesting", "clawback", "carol", "1", "--reason", "not mine")
	fails(1, `required flag(s) "reason" not set`, "tx", "vesting", "clawback", "alice", "1")

	// The grantor claws back the unvested part: bob loses exactly it, alice gains it less her fee.
	aliceBefore, bobBefore := balance("alice"), balance("bob")
	var r client.Result
	jsonOf(&r, "tx", "vesting", "clawback", "alice", "1", "--reason", "left the team")
	var returned coin.Coin
	for _, e := range secEvents(&r, "vesting.clawed_back") {
		c, err := coin.Parse(e["returned"], nil)
		if err != nil {
			t.Fatal(err)
		}
		returned = c
	}
	if r.Code != 0 || returned.Denom != "ugrd" || returned.Amount == 0 || returned.Amount > 100_000_000 {
		t.Fatalf("clawback result: %+v", r)
	}
	if got := balance("bob"); got != bobBefore-returned.Amount {
		t.Errorf("bob holds %d after the clawback of %d, had %d", got, returned.Amount, bobBefore)
	}
	if got := balance("alice"); got != aliceBefore+returned.Amount-r.Fee {
		t.Errorf("alice holds %d after the clawback of %d (fee %d), had %d", got, returned.Amount, r.Fee, aliceBefore)
	}
	jsonOf(&g, "query", "vesting", "grant", "1")
	if g.Status != vesting.StatusClawedBack || g.ClawedBack != returned.Amount || g.Locked != 0 || g.Reason != "left the team" ||
		g.Vested != 100_000_000-returned.Amount {
		t.Fatalf("grant 1 after the clawback: %+v", g)
	}
	expectText(run("query", "vesting", "grant", "1"), "grant 1 (clawed_back)", "clawed back ", "left the team")
	jsonOf(&li, "query", "vesting", "locked", "bob", "ugrd")
	if li.Locked != 0 || li.Spendable != li.Balance {
		t.Fatalf("locked after the clawback: %+v", li)
	}
	fails(2, "already clawed back", "tx", "vesting", "clawback", "alice", "1", "--reason", "again")

	// A periodic grant's text output.
	out = run("tx", "vesting", "grant", "alice", "carol", "3GRD", "--period", "+1h=1GRD", "--period", "+2h=1.5GRD", "--period", "+3h=0.5GRD")
	expectText(out, "grant 2: 3 GRD to "+addr["carol"]+" vesting by periods from ", ", no clawback")
	expectText(run("query", "vesting", "grant", "2"), "in 3 periods from", "period 2    ", "1.5 GRD (1500000ugrd)")
	fails(2, "was made without clawback", "tx", "vesting", "clawback", "alice", "2", "--reason", "no")

	// Bad input fails clearly and changes nothing.
	aliceBefore, bobGrants := balance("alice"), grants("bob")
	bad := []struct {
		code int
		want string
		args []string
	}{
		{1, "the --period amounts add up to 90 GRD (90000000ugrd), but AMOUNT is 100 GRD", []string{"--period", "+1h=50GRD", "--period", "+2h=40GRD"}},
		{1, "is not after --start", []string{"--linear", "--start", "+1h", "--end", "+30m"}},
		{1, "no schedule: give --linear", nil},
		{1, "not both", []string{"--linear", "--end", "+1h", "--period", "+1h=100GRD"}},
		{1, "--linear needs --end", []string{"--linear"}},
		{1, "--cliff", []string{"--linear", "--end", "+1h", "--cliff", "+2h"}},
		{1, "give the unit", []string{"--period", "+1h=100"}},
		{1, "longer than 1827 days", []string{"--linear", "--end", "+6y"}},
		{2, "more than 366 days after", []string{"--linear", "--start", "+400d", "--end", "+500d"}},
		{2, "grantor cannot spend the amount", []string{"--linear", "--end", "+1h"}},
	}
	for _, b := range bad {
		amount := "100GRD"
		if b.want == "grantor cannot spend the amount" {
			amount = "5000GRD"
		}
		fails(b.code, b.want, append([]string{"tx", "vesting", "grant", "alice", "bob", amount}, b.args...)...)
	}
	fails(1, `"nobody" is neither an address`, "tx", "vesting", "grant", "alice", "nobody", "1GRD", "--linear", "--end", "+1h")
	fails(1, "takes 3 argument(s), got 2", "tx", "vesting", "grant", "alice", "bob", "--linear", "--end", "+1h")
	fails(2, "unknown grant", "tx", "vesting", "clawback", "alice", "99", "--reason", "none")
	fails(1, `grant id "x"`, "tx", "vesting", "clawback", "alice", "x", "--reason", "none")
	if _, stderr, code := girder(t, append([]string{"query", "vesting", "grant", "99"}, at...)...); code == 0 || !strings.Contains(stderr, "unknown grant") {
		t.Fatalf("query of an unknown grant: exit %d, %s", code, stderr)
	}
	if got := balance("alice"); got != aliceBefore {
		t.Errorf("alice holds %d after refused grants, had %d", got, aliceBefore)
	}
	if got := grants("bob"); got != bobGrants {
		t.Errorf("bob has %d grants after refused grants, had %d", got, bobGrants)
	}
	if out, _, code := girder(t, append([]string{"query", "vesting", "grant", strconv.Itoa(3)}, at...)...); code == 0 {
		t.Errorf("grant 3 exists after refused grants:\n%s", out)
	}
}
