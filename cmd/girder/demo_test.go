package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/keyring"
	"github.com/girder-chain/girder/node"
	"github.com/girder-chain/girder/x/distributions"
	"github.com/girder-chain/girder/x/governance"
	"github.com/girder-chain/girder/x/offerings"
	"github.com/girder-chain/girder/x/passes"
	"github.com/girder-chain/girder/x/projects"
)

// TestDevDemoData: on a new dev chain (a real node), the demo data is written through signed
// txs: the offering settles (alice 1,200,000 BRIDGE, bob 800,000, the validator the rest and
// 2,500,000 EURt), and the dividend of 123,456.78 EURt is owed exactly pro rata, with German tax
// withheld from alice; the SPV sells two pass classes and alice buys one pass of each (420 EURt
// deferred). A second start writes nothing.
func TestDevDemoData(t *testing.T) {
	home := t.TempDir()
	kr, err := keyring.Open(home, keyring.BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	if created, err := ensureDevChain(home, kr); err != nil || !created {
		t.Fatalf("ensureDevChain: %v %v", created, err)
	}
	rpc := loopbackAddr(t)
	c, err := node.LoadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	c.RPC.ListenAddress, c.P2P.ListenAddress = "tcp://"+rpc, "tcp://"+loopbackAddr(t)
	node.WriteConfig(c)
	n, err := node.Start(context.Background(), home, node.Options{Log: io.Discard, NoSnapshots: true})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := ensureDemo(ctx, home, "tcp://"+rpc, kr, true, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "design-approval released: 250,000 EURt to the contractor") {
		t.Fatalf("progress:\n%s", out.String())
	}
	cl, err := client.Dial("tcp://" + rpc)
	if err != nil {
		t.Fatal(err)
	}
	addr := func(name string) string {
		i, err := kr.Show(name)
		if err != nil {
			t.Fatal(err)
		}
		return i.Address.String()
	}
	for name, want := range map[string]coin.Amount{"alice": 1_200_000_000_000, "bob": 800_000_000_000, "validator": 8_000_000_000_000} {
		i, _ := kr.Show(name)
		b, err := cl.Balance(ctx, i.Address, demoSecurity)
		if err != nil || b.Amount != want {
			t.Fatalf("%s holds %v ubridge (%v), want %d", name, b, err, want)
		}
	}
	// The offering paid the project's treasury; the design tranche went to the contractor at the
	// end of its challenge window; the foundations tranche waits in escrow.
	for who, want := range map[string]coin.Amount{projects.Treasury(demoProject).String(): 125_000_000, addr("contractor"): 25_000_000,
		projects.EscrowAccount.String(): 100_000_000} {
		a, err := address.Parse(who)
		if err != nil {
			t.Fatal(err)
		}
		if b, err := cl.Balance(ctx, a, demoCash); err != nil || b.Amount != want {
			t.Fatalf("%s holds %v ueurt (%v), want %d", who, b, err, want)
		}
	}
	var ms []projects.Milestone
	if err := cl.Query(ctx, "/projects/milestones/"+demoProject, nil, 0, &ms); err != nil || len(ms) != 4 {
		t.Fatalf("milestones: %+v %v", ms, err)
	}
	var o offerings.Offering
	if err := cl.Query(ctx, "/offerings/offering/1", nil, 0, &o); err != nil || o.Status != offerings.StatusSettled || o.Raised != 250_000_000 {
		t.Fatalf("offering 1: %+v %v", o, err)
	}
	// 12,345,678 cents on 10^13 ubridge: alice ⌊12,345,678 × 0.12⌋ = 1,481,481, 25 % withheld
	// (⌊370,370.25⌋); bob ⌊987,654.24⌋, no rate for FR.
	want := map[string][3]coin.Amount{"alice": {1_481_481, 370_370, 1_111_111}, "bob": {987_654, 0, 987_654}}
	for name, w := range want {
		var e distributions.Entitlement
		if err := cl.Query(ctx, "/distributions/entitlement/1/"+addr(name), nil, 0, &e); err != nil {
			t.Fatalf("%s's entitlement: %v", name, err)
		}
		if e.Gross.Amount != w[0] || e.Withheld.Amount != w[1] || e.Net.Amount != w[2] {
			t.Fatalf("%s's entitlement: %+v, want gross/withheld/net %v", name, e, w)
		}
	}
	// BRIDGE is the project's security, the concession terms are protected, and the DAO votes on
	// raising the tariff cap: alice's and bob's 2,000,000 BRIDGE are the 20 % quorum of the
	// 10,000,000 eligible; the public agency approved.
	var info projects.ProjectInfo
	if err := cl.Query(ctx, "/projects/project/"+demoProject, nil, 0, &info); err != nil || info.Project.Security != demoSecurity {
		t.Fatalf("project's security: %+v %v", info.Project, err)
	}
	var cap projects.ParameterInfo
	if err := cl.Query(ctx, "/projects/parameter/"+demoProject+"/tariff_cap", nil, 0, &cap); err != nil || !cap.Parameter.Protected {
		t.Fatalf("tariff_cap: %+v %v", cap, err)
	}
	var p governance.ProposalInfo
	if err := cl.Query(ctx, "/governance/proposal/1", nil, 0, &p); err != nil {
		t.Fatal(err)
	}
	if p.DAO != demoSecurity || p.Tally.Yes != 2_000_000_000_000 || p.Eligible != 10_000_000_000_000 || !p.QuorumReached ||
		p.ApprovedBy == nil || p.ApprovedBy.String() != addr("validator") || len(p.Protected) != 1 {
		t.Fatalf("demo proposal: %+v", p)
	}
	// The passes: two classes on harbour-bridge created by the SPV (its operator); alice holds one
	// pass of each, 420 EURt deferred in escrow, nothing earned yet.
	var classes passes.ClassList
	if err := cl.Query(ctx, "/passes/classes/"+demoProject, nil, 0, &classes); err != nil || len(classes.Classes) != 2 || classes.Service.Opened != 0 {
		t.Fatalf("pass classes: %+v %v", classes, err)
	}
	crossing, commuter := classes.Classes[0], classes.Classes[1]
	if crossing.Name != "10-crossing pass" || crossing.Price != coin.New(demoCash, 2_000) || crossing.Uses != 10 || !crossing.Transferable ||
		crossing.Validity.Kind != passes.ValidityFixed || crossing.MaxSupply != 10_000 || crossing.Sold != 1 || crossing.Creator.String() != addr("spv") ||
		crossing.Validity.End-crossing.Validity.Start < 365*86_400 {
		t.Fatalf("10-crossing pass: %+v", crossing)
	}
	if commuter.Name != "annual commuter pass" || commuter.Price != coin.New(demoCash, 40_000) || commuter.Uses != 0 || commuter.Transferable ||
		commuter.Validity != (passes.Validity{Kind: passes.ValidityFromOpening, Duration: 365 * 86_400}) || commuter.Sold != 1 ||
		commuter.Late != (passes.LatePolicy{Policy: passes.LateRefund, RefundBps: 10_000}) || commuter.PromisedOpening < time.Now().AddDate(1, 5, 0).Unix() ||
		commuter.Status != passes.ClassOnSale {
		t.Fatalf("annual commuter pass: %+v", commuter)
	}
	var held passes.PassList
	if err := cl.Query(ctx, "/passes/holder/"+addr("alice"), nil, 0, &held); err != nil || len(held.Passes) != 2 ||
		held.Passes[0].Class != crossing.ID || held.Passes[0].UsesLeft != 10 || !held.Passes[0].ValidNow || held.Passes[1].Class != commuter.ID || held.Passes[1].ValidNow {
		t.Fatalf("alice's passes: %+v %v", held, err)
	}
	var rev passes.RevenueInfo
	if err := cl.Query(ctx, "/passes/revenue/"+demoProject, nil, 0, &rev); err != nil || len(rev.Revenue) != 1 ||
		rev.Revenue[0] != (passes.Revenue{Project: demoProject, Denom: demoCash, Sold: 42_000, Deferred: 42_000}) {
		t.Fatalf("pass revenue: %+v %v", rev, err)
	}
	if b, err := cl.Balance(ctx, passes.EscrowAccount, demoCash); err != nil || b.Amount != 42_000 {
		t.Fatalf("passes escrow holds %v (%v), want 420 EURt", b, err)
	}
	if _, err := os.Stat(filepath.Join(home, demoMarker)); err != nil {
		t.Fatalf("no marker after the demo data: %v", err)
	}
	out.Reset()
	if err := ensureDemo(ctx, home, "tcp://"+rpc, kr, false, &out); err != nil || out.Len() != 0 {
		t.Fatalf("second run wrote %q (%v)", out.String(), err)
	}
	// A chain without the marker (its first run was stopped while writing the demo) runs as it
	// is, with a word on how to get the demo data.
	if err := os.Remove(filepath.Join(home, demoMarker)); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := ensureDemo(ctx, home, "tcp://"+rpc, kr, false, &out); err != nil || !strings.Contains(out.String(), "girder dev --reset starts a new chain") {
		t.Fatalf("resuming a chain without complete demo data: %q (%v)", out.String(), err)
	}
}
