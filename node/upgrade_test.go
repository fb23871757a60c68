package node

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/girder-chain/girder/app"
	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/governance"
)

// shortChainGovernance makes chain proposals vote for one second with no timelock.
func shortChainGovernance(st map[string]json.RawMessage) error {
	var g governance.Genesis
	if err := json.Unmarshal(st[governance.ModuleName], &g); err != nil {
		return err
	}
	g.ChainParams.VotingPeriod, g.ChainParams.Timelock = 1, 0
	b, err := json.Marshal(g)
	if err != nil {
		return err
	}
	st[governance.ModuleName] = b
	return nil
}

// appHeight is the app's last committed height, asked in-process (the RPC may be stopping).
func appHeight(t *testing.T, n *Node) int64 {
	t.Helper()
	info, err := n.App.Info(context.Background(), &abci.InfoRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return info.LastBlockHeight
}

// TestUpgradeHaltsAndResumes: a real one-validator node; the consortium (its one member, the
// genesis admin) schedules an upgrade at height H through chain governance. The node's app
// halts after committing H-1 (App.Halted closes, HaltPlan names the plan) and commits nothing
// more; the node stops cleanly. Restarted on the same home by a binary that knows the upgrade,
// the node applies it once at H and produces blocks past H.
func TestUpgradeHaltsAndResumes(t *testing.T) {
	alice := newSigner("upgrade alice")
	home := t.TempDir()
	if _, err := Init(InitOptions{Home: home, ChainID: "girder-upgrade", Moniker: "v0", EditAppState: shortChainGovernance,
		Balances: []bank.Balance{{Address: alice.Address(), Coins: []coin.Coin{coin.New("ugrd", funds)}}}}); err != nil {
		t.Fatal(err)
	}
	ports := loopback(t)
	n, c := startNode(t, home, ports)
	stopped := false
	defer func() {
		if !stopped {
			_ = n.Stop()
		}
	}()
	waitHeight(t, c, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	s, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Enough blocks ahead for the submission, the vote, one second of voting and the execution
	// (an upgrade is scheduled after the executing block's next).
	upH := s.Height + 30
	sched, err := tx.Pack(&governance.MsgScheduleUpgrade{Authority: authority.Chain, Name: "v2", Height: upH, Info: "girder 0.2.0"})
	if err != nil {
		t.Fatal(err)
	}
	// Submitted and voted in one tx (the only member's vote passes it), whatever the block times.
	r, err := c.Send(ctx, alice, []tx.Msg{&governance.MsgSubmit{Proposer: alice.Address(), Title: "Upgrade to v2", Msgs: []tx.Any{sched}},
		&governance.MsgVote{Voter: alice.Address(), Proposal: 1, Option: governance.OptionYes}}, client.BuildOptions{})
	if err != nil || r.Code != 0 {
		t.Fatalf("submit and vote: %+v %v", r, err)
	}
	var info governance.UpgradeInfo
	for info.Plan == nil {
		if err := c.Query(ctx, "/governance/upgrade", nil, 0, &info); err != nil {
			t.Fatal(err)
		}
		if info.Plan == nil {
			var p governance.ProposalInfo
			if err := c.Query(ctx, "/governance/proposal/1", nil, 0, &p); err != nil {
				t.Fatal(err)
			}
			if p.Status != governance.StatusVoting && p.Status != governance.StatusPassed && p.Status != governance.StatusExecuted {
				t.Fatalf("upgrade proposal %s (%s): %+v", p.Status, p.Reason, p.Failure)
			}
		}
		select {
		case <-ctx.Done():
			t.Fatal("the upgrade was not scheduled in time")
		case <-time.After(50 * time.Millisecond):
		}
	}
	if info.Plan.Name != "v2" || info.Plan.Height != upH {
		t.Fatalf("plan %+v, want v2 at %d", info.Plan, upH)
	}

	select {
	case <-n.App.Halted():
	case <-ctx.Done():
		t.Fatalf("the node did not halt for the upgrade at %d (app at %d)", upH, appHeight(t, n))
	}
	if p := n.App.HaltPlan(); p == nil || p.Name != "v2" || p.Height != upH || p.Info != "girder 0.2.0" {
		t.Fatalf("halt plan %+v", p)
	}
	// Nothing past H-1 commits, however long the node runs (CometBFT may store block H; the app
	// refuses to execute it).
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if h := appHeight(t, n); h != upH-1 {
			t.Fatalf("the halted app is at height %d, want %d", h, upH-1)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if h := n.Comet().BlockStore().Height(); h > upH {
		t.Fatalf("block store at %d past the upgrade height %d", h, upH)
	}
	stopped = true
	if err := n.Stop(); err != nil {
		t.Fatalf("stop the halted node: %v", err)
	}

	// The same binary refuses to run the home again: it names the upgrade.
	if old, err := Start(context.Background(), home, Options{Log: nodeLog(t, "old"), Configure: ports}); err == nil {
		_ = old.Stop()
		t.Fatal("the old binary started again on a chain halted for an upgrade it does not know")
	} else {
		var ue *UpgradeNeededError
		if !errors.Is(err, app.ErrUpgradeNeeded) || !errors.As(err, &ue) || ue.Plan.Name != "v2" || ue.Plan.Height != upH ||
			!strings.Contains(err.Error(), "install the binary that knows it, then start again") {
			t.Fatalf("restart of the old binary: %v", err)
		}
	}

	// The new binary knows v2.
	var mu sync.Mutex
	var ran []int64
	upgrades := map[string]app.UpgradeHandler{"v2": func(ctx chain.Context, p governance.Plan) error {
		mu.Lock()
		defer mu.Unlock()
		if p.Name != "v2" || p.Height != upH {
			t.Errorf("handler called with plan %+v", p)
		}
		ran = append(ran, ctx.Height)
		return nil
	}}
	n2, err := Start(context.Background(), home, Options{Log: nodeLog(t, "new"), Configure: ports, Upgrades: upgrades})
	if err != nil {
		t.Fatal(err)
	}
	defer n2.Stop()
	c2, err := client.Dial(n2.RPCAddress())
	if err != nil {
		t.Fatal(err)
	}
	waitHeight(t, c2, upH+3)
	for appHeight(t, n2) < upH+3 {
		select {
		case <-ctx.Done():
			t.Fatalf("the upgraded app stays at %d", appHeight(t, n2))
		case <-time.After(50 * time.Millisecond):
		}
	}
	select {
	case <-n2.App.Halted():
		t.Fatal("the upgraded node halted")
	default:
	}
	mu.Lock()
	if len(ran) != 1 || ran[0] != upH {
		t.Fatalf("upgrade handler ran at heights %v, want once at %d", ran, upH)
	}
	mu.Unlock()
	var after governance.UpgradeInfo
	if err := c2.Query(ctx, "/governance/upgrade", nil, 0, &after); err != nil {
		t.Fatal(err)
	}
	if after.Plan != nil || len(after.Done) != 1 || after.Done[0].Name != "v2" || after.Done[0].Height != upH {
		t.Fatalf("upgrade query after the upgrade: %+v", after)
	}
	// Txs go through again.
	r, err = c2.Send(ctx, alice, []tx.Msg{&bank.MsgSend{From: alice.Address(), To: newSigner("upgrade bob").Address(), Amount: coin.New("ugrd", 1)}}, client.BuildOptions{})
	if err != nil || r.Code != 0 || r.Height <= upH {
		t.Fatalf("transfer after the upgrade: %+v %v", r, err)
	}
}

func nodeLog(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
