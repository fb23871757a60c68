package audit_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/girder-chain/girder/audit"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/internal/nodetest"
	"github.com/girder-chain/girder/internal/testports"
	"github.com/girder-chain/girder/node"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/compliance"
)

// startFullNode starts a full node of val's chain that syncs from val, stopped when the test ends.
func startFullNode(t *testing.T, val *nodetest.Net) *node.Node {
	t.Helper()
	gen, err := cmttypes.GenesisDocFromFile(filepath.Join(val.Home, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	peer := fmt.Sprintf("%s@%s", val.Node.Comet().NodeInfo().ID(), strings.TrimPrefix(val.Node.Config.P2P.ListenAddress, "tcp://"))
	if _, err := node.Init(node.InitOptions{Home: home, Moniker: "full", Genesis: gen, Peers: peer}); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(home, "node.log"))
	if err != nil {
		t.Fatal(err)
	}
	rpc, p2p := testports.Addr(), testports.Addr()
	n, err := node.Start(context.Background(), home, node.Options{Log: logf, NoSnapshots: true, Configure: func(c *cmtcfg.Config) {
		c.RPC.ListenAddress, c.P2P.ListenAddress = "tcp://"+rpc, "tcp://"+p2p
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := n.Stop(); err != nil {
			t.Errorf("stop the full node: %v", err)
		}
		logf.Close()
	})
	return n
}

// findExpiry waits for the end-of-block event that returns hold 2, from height from on, and
// returns its height.
func findExpiry(t *testing.T, ctx context.Context, addr string, from int64) int64 {
	t.Helper()
	rpc, err := rpchttp.New(addr)
	if err != nil {
		t.Fatal(err)
	}
	for h := from; ; {
		hh := h
		r, err := rpc.BlockResults(ctx, &hh)
		if err != nil {
			if ctx.Err() != nil {
				t.Fatalf("hold 2 never expired: %v", err)
			}
			time.Sleep(50 * time.Millisecond) // not yet committed
			continue
		}
		for _, e := range r.FinalizeBlockEvents {
			if e.Type == "compliance.hold_expired" {
				return h
			}
		}
		h++
	}
}

func attr(r *client.Result, typ, key string) string {
	for _, e := range r.Events {
		if e.Type == typ {
			for _, a := range e.Attrs {
				if a.Key == key {
					return a.Value
				}
			}
		}
	}
	return ""
}

// TestReportFromTwoNodes runs a compliance story on a real validator (a role grant, rule sets, a
// deny-list entry, a rejected, a flagged and a held transfer, the hold released, the alert
// closed, a second hold that expires at the end of a block), then reads the report of the same
// heights from the validator and from a full node that synced the chain from it: the two are
// byte-identical, and the rows are exactly the story's, with the hashes of the txs sent.
func TestReportFromTwoNodes(t *testing.T) {
	admin, officer, alice, bob, mallory := nodetest.NewKey("admin"), nodetest.NewKey("officer"), nodetest.NewKey("alice"), nodetest.NewKey("bob"), nodetest.NewKey("mallory")
	val := nodetest.Start(t, nodetest.Options{ChainID: "girder-audit", Funded: []nodetest.Key{admin, officer, alice, bob}})
	full := startFullNode(t, val)
	c := val.Client
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	nodetest.WaitHeight(t, c, 1)

	send := func(k nodetest.Key, o client.BuildOptions, msgs ...tx.Msg) *client.Result {
		t.Helper()
		r, err := c.Send(ctx, k, msgs, o)
		if err != nil {
			t.Fatalf("send %T: %v", msgs[0], err)
		}
		return r
	}
	ok := func(k nodetest.Key, msgs ...tx.Msg) *client.Result {
		t.Helper()
		r := send(k, client.BuildOptions{}, msgs...)
		if r.Code != 0 {
			t.Fatalf("%T failed: %s", msgs[0], r.Log)
		}
		return r
	}
	ugrd := func(n coin.Amount) coin.Coin { return coin.New("ugrd", n) }
	transfer := func(to nodetest.Key, n coin.Amount) *bank.MsgSend {
		return &bank.MsgSend{From: alice.Address(), To: to.Address(), Amount: ugrd(n)}
	}
	rules := func(holdFor int64) []compliance.Rule {
		return []compliance.Rule{
			{ID: "large", Kind: compliance.KindLargeTransfer, Outcome: compliance.OutcomeHold, Params: compliance.Params{Amount: 100_000_000, HoldFor: holdFor}},
			{ID: "watch", Kind: compliance.KindLargeTransfer, Outcome: compliance.OutcomeFlag, Params: compliance.Params{Amount: 10_000_000, Severity: compliance.SeverityHigh}},
		}
	}

	grant := ok(admin, &auth.MsgGrantRole{Authority: admin.Address(), Role: auth.RoleComplianceOfficer, Account: officer.Address()})
	setup := ok(officer,
		&compliance.MsgSetRules{Officer: officer.Address(), Rules: []compliance.Rule{
			{ID: "sanctions", Kind: compliance.KindDenyList, Outcome: compliance.OutcomeReject, Params: compliance.Params{Side: compliance.SideBoth}}}},
		&compliance.MsgSetRules{Officer: officer.Address(), Asset: "ugrd", Rules: rules(0)},
		&compliance.MsgDeny{Officer: officer.Address(), Account: mallory.Address(), Reason: "OFAC SDN match, list of 2024-05-01"})
	// The dry run would refuse the rejected transfer: give its gas, so that it is sent and fails.
	reject := send(alice, client.BuildOptions{GasLimit: 100_000}, transfer(mallory, 1_000_000))
	if reject.Code != compliance.ErrRejected.Code || reject.Codespace != compliance.ModuleName {
		t.Fatalf("transfer to a denied account: code %d %s %s", reject.Code, reject.Codespace, reject.Log)
	}
	flag := ok(alice, transfer(bob, 20_000_000))
	hold := ok(alice, transfer(bob, 200_000_000))
	if attr(flag, "compliance.decision", "alert") != "1" || attr(hold, "compliance.decision", "hold") != "1" {
		t.Fatalf("flag and hold: alert %q hold %q", attr(flag, "compliance.decision", "alert"), attr(hold, "compliance.decision", "hold"))
	}
	deadline1 := attr(hold, "compliance.decision", "deadline")
	release := ok(officer, &compliance.MsgDecideHold{Officer: officer.Address(), Hold: 1, Action: compliance.ActionRelease, Reason: "contract for the bridge works checked"})
	closeAlert := ok(officer, &compliance.MsgCloseAlert{Officer: officer.Address(), Alert: 1, Note: "known counterparty, \"Bridge Co\", invoice 17"})
	// A hold of one second: it goes back to alice at the end of the first block at or after its
	// deadline.
	rules2 := ok(officer, &compliance.MsgSetRules{Officer: officer.Address(), Asset: "ugrd", Rules: rules(1)})
	hold2 := ok(alice, transfer(bob, 300_000_000))
	deadline2 := attr(hold2, "compliance.decision", "deadline")
	expiredAt := findExpiry(t, ctx, val.RPC, hold2.Height)

	// Both nodes at the end of the story; the report of heights 1 to there from each.
	end := expiredAt + 1
	nodetest.WaitHeight(t, c, end)
	fc, err := client.Dial(full.RPCAddress())
	if err != nil {
		t.Fatal(err)
	}
	nodetest.WaitHeight(t, fc, end)
	var csvs, jsons [][]byte
	for _, addr := range []string{val.RPC, full.RPCAddress()} {
		src, err := audit.Dial(addr)
		if err != nil {
			t.Fatal(err)
		}
		r, err := audit.Resolve(ctx, src, "1", fmt.Sprint(end))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := audit.Build(ctx, src, r, audit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var cb, jb bytes.Buffer
		if err := audit.WriteCSV(&cb, rep); err != nil {
			t.Fatal(err)
		}
		if err := audit.WriteJSON(&jb, rep); err != nil {
			t.Fatal(err)
		}
		csvs, jsons = append(csvs, cb.Bytes()), append(jsons, jb.Bytes())
		if addr != val.RPC {
			continue
		}
		check(t, rep, []audit.Row{
			{Height: grant.Height, Tx: grant.Hash, Event: "role_granted", Role: "compliance_officer", Account: officer.Address().String(), Actor: admin.Address().String()},
			{Height: setup.Height, Tx: setup.Hash, Event: "rules_set", Scope: "chain", Version: "1", Rule: "sanctions", Actor: officer.Address().String()},
			{Height: setup.Height, Tx: setup.Hash, Event: "rules_set", Scope: "ugrd", Version: "1", Rule: "large,watch", Actor: officer.Address().String()},
			{Height: setup.Height, Tx: setup.Hash, Event: "denied", Scope: "chain", Account: mallory.Address().String(), Actor: officer.Address().String(), Reason: "OFAC SDN match, list of 2024-05-01"},
			{Height: reject.Height, Tx: reject.Hash, Event: "decision", Outcome: "reject", Rule: "sanctions", RuleKind: "deny_list", Scope: "chain",
				From: alice.Address().String(), To: mallory.Address().String(), Amount: "1000000ugrd", Actor: alice.Address().String(), Reason: "*"},
			{Height: flag.Height, Tx: flag.Hash, Event: "decision", Outcome: "flag", Rule: "watch", RuleKind: "large_transfer", Scope: "ugrd",
				From: alice.Address().String(), To: bob.Address().String(), Amount: "20000000ugrd", Alert: "1", Severity: "high", Actor: alice.Address().String(), Reason: "*"},
			{Height: hold.Height, Tx: hold.Hash, Event: "decision", Outcome: "hold", Rule: "large", RuleKind: "large_transfer", Scope: "ugrd",
				From: alice.Address().String(), To: bob.Address().String(), Amount: "200000000ugrd", Hold: "1", Deadline: deadline1, Actor: alice.Address().String(), Reason: "*"},
			{Height: release.Height, Tx: release.Hash, Event: "hold_decided", Outcome: "release", Rule: "large", Scope: "ugrd", Hold: "1",
				From: alice.Address().String(), To: bob.Address().String(), Amount: "200000000ugrd", Actor: officer.Address().String(), Reason: "contract for the bridge works checked"},
			{Height: closeAlert.Height, Tx: closeAlert.Hash, Event: "alert_closed", Rule: "watch", Scope: "ugrd", Alert: "1", Actor: officer.Address().String(), Reason: `known counterparty, "Bridge Co", invoice 17`},
			{Height: rules2.Height, Tx: rules2.Hash, Event: "rules_set", Scope: "ugrd", Version: "2", Rule: "large,watch", Actor: officer.Address().String()},
			{Height: hold2.Height, Tx: hold2.Hash, Event: "decision", Outcome: "hold", Rule: "large", RuleKind: "large_transfer", Scope: "ugrd",
				From: alice.Address().String(), To: bob.Address().String(), Amount: "300000000ugrd", Hold: "2", Deadline: deadline2, Actor: alice.Address().String(), Reason: "*"},
			{Height: expiredAt, Event: "hold_expired", Rule: "large", Scope: "ugrd", Hold: "2",
				From: alice.Address().String(), To: bob.Address().String(), Amount: "300000000ugrd", Deadline: deadline2},
		})
	}
	if !bytes.Equal(csvs[0], csvs[1]) || !bytes.Equal(jsons[0], jsons[1]) {
		t.Fatalf("the two nodes' reports differ:\n%s\n---\n%s", csvs[0], csvs[1])
	}
	t.Logf("report of heights 1 to %d, identical on both nodes:\n%s", end, csvs[0])
}

// check compares rows, filling each expected row's time from the node and accepting any
// non-empty reason where the expected one is "*" (the engine words it).
func check(t *testing.T, rep *audit.Report, want []audit.Row) {
	t.Helper()
	if len(rep.Rows) != len(want) {
		t.Fatalf("%d rows, want %d:\n%+v", len(rep.Rows), len(want), rep.Rows)
	}
	for i, w := range want {
		got := rep.Rows[i]
		if _, err := time.Parse(audit.TimeFormat, got.Time); err != nil {
			t.Errorf("row %d time %q: %v", i, got.Time, err)
		}
		w.Time = got.Time
		if w.Reason == "*" && got.Reason != "" {
			w.Reason = got.Reason
		}
		if got != w {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, got, w)
		}
	}
	if rep.Counts["decision"] != 4 || rep.Counts["rules_set"] != 3 || rep.Outcomes["hold"] != 2 || rep.Outcomes["reject"] != 1 {
		t.Errorf("counts %v outcomes %v", rep.Counts, rep.Outcomes)
	}
}
