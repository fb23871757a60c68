package governance_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/chain/chaintest"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/governance"
)

// richState runs a scenario leaving governance with every kind of record: executed, failed,
// vetoed and rejected proposals, a passed one waiting for its timelock, a protected one voting
// (approved, with a delegate overridden by a delegator), delegations with history, DAO params,
// an upgrade plan and pending block params. Invariants are checked after every block.
func richState(t testing.TB) (*env, map[string]uint64) {
	e := newEnv(t)
	ids := map[string]uint64{}
	e.ok(&governance.MsgDelegate{Delegator: bob, Denom: sec, Delegate: dave})
	e.ok(&governance.MsgDelegate{Delegator: carol, Denom: sec, Delegate: dave})
	e.block(hour)
	ids["executed"] = e.submit(alice, sec, spend(payee, 5))
	e.vote(alice, ids["executed"], yes)
	ids["failed"] = e.submit(alice, sec, spend(payee, 5), &msgSetParameter{Authority: dao, Project: project, Name: "toll_note", Value: "fail"})
	e.vote(alice, ids["failed"], yes)
	ids["vetoed"] = e.submit(carol, sec, spend(payee, 5))
	e.vote(alice, ids["vetoed"], veto)
	ids["rejected"] = e.submit(carol, sec, spend(payee, 5))
	e.vote(carol, ids["rejected"], yes)
	ids["chain"] = e.submit(m1, "", &governance.MsgSetBlockParams{Authority: authority.Chain, MaxBytes: 2 << 20, MaxGas: -1},
		&governance.MsgScheduleUpgrade{Authority: authority.Chain, Name: "v2", Height: 10_000, Info: "v2.0.0"})
	e.vote(m1, ids["chain"], yes)
	e.vote(m3, ids["chain"], yes)
	e.runToEnd(ids["executed"])
	e.until(e.proposal(ids["executed"]).ExecuteAfter, 12*hour)
	e.block(hour)
	ids["passed"] = e.submit(alice, sec, &governance.MsgSetDAOParams{Authority: dao, Denom: sec, Params: governance.DefaultDAOParams()})
	e.vote(alice, ids["passed"], yes)
	e.runToEnd(ids["passed"])
	ids["voting"] = e.submit(alice, sec, &msgSetParameter{Authority: dao, Project: project, Name: "tariff_cap", Value: "7"})
	e.ok(&governance.MsgApprove{Agency: ministry, Proposal: ids["voting"]})
	e.vote(carol, ids["voting"], abstain)
	e.vote(dave, ids["voting"], yes)
	e.vote(bob, ids["voting"], no)
	e.ok(&governance.MsgUndelegate{Delegator: carol, Denom: sec})
	e.block(hour)
	for name, id := range ids {
		want := map[string]string{"executed": governance.StatusExecuted, "failed": governance.StatusFailed, "vetoed": governance.StatusVetoed,
			"rejected": governance.StatusRejected, "chain": governance.StatusExecuted, "passed": governance.StatusPassed, "voting": governance.StatusVoting}[name]
		if got := e.proposal(id).Status; got != want {
			t.Fatalf("%s proposal %d is %s", name, id, got)
		}
	}
	return e, ids
}

// withoutGovernance is a copy of e's state without governance's keys, at e's block.
func (e *env) withoutGovernance() chain.Context {
	kv := store.NewCache(store.OpenMemory())
	it := e.ctx.KV().Iterator(nil, nil)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		if !bytes.HasPrefix(it.Key(), governance.StorePrefix) {
			kv.Set(it.Key(), it.Value())
		}
	}
	return chain.NewContext(kv, e.ctx.Height, e.ctx.Time, chaintest.ChainID, chain.ModeDeliver)
}

func TestGenesisRoundTrip(t *testing.T) {
	e, _ := richState(t)
	out, err := e.m.ExportGenesis(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	ctx := e.withoutGovernance()
	if err := e.m.InitGenesis(ctx, out); err != nil {
		t.Fatalf("exported genesis refused: %v\n%s", err, out)
	}
	again, _ := e.m.ExportGenesis(ctx)
	if !bytes.Equal(out, again) {
		t.Fatalf("round trip differs:\n%s\n%s", out, again)
	}
	if chaintest.Digest(e.ctx.Store(governance.StorePrefix)) != chaintest.Digest(ctx.Store(governance.StorePrefix)) {
		t.Fatal("the imported state differs from the exported one (queues or indexes)")
	}
	if err := e.m.InitGenesis(ctx, out); err == nil || !strings.Contains(err.Error(), "already") {
		t.Fatalf("second import: %v", err)
	}
	// A genesis without the deposits the escrow holds is refused.
	def, _ := json.Marshal(governance.DefaultGenesis())
	if err := e.m.InitGenesis(e.withoutGovernance(), def); err == nil || !strings.Contains(err.Error(), "escrow") {
		t.Fatalf("default genesis over a held deposit: %v", err)
	}
}

func TestGenesisRefusals(t *testing.T) {
	e, ids := richState(t)
	raw, _ := e.m.ExportGenesis(e.ctx)
	voting := ids["voting"]
	cases := []struct {
		name   string
		mutate func(g *governance.Genesis)
		inErr  string
	}{
		{"bad chain params", func(g *governance.Genesis) { g.ChainParams.QuorumBps = 0 }, "chain params"},
		{"bad defaults", func(g *governance.Genesis) { g.DAODefaults.VotingPeriod = 0 }, "dao defaults"},
		{"dao of cash", func(g *governance.Genesis) {
			g.DAOs = append(g.DAOs, governance.DAOGenesis{Denom: cash, Params: g.DAODefaults})
		}, "security"},
		{"sequence", func(g *governance.Genesis) { g.Sequence = 1 }, "beyond proposal_sequence"},
		{"duplicate proposal", func(g *governance.Genesis) { g.Proposals = append(g.Proposals, g.Proposals[0]) }, "twice"},
		{"tally", func(g *governance.Genesis) { g.Proposals[voting-1].Tally.Yes++ }, "votes add up"},
		{"tally above eligible", func(g *governance.Genesis) { g.Proposals[voting-1].Tally.Yes = 5_000 }, "exceeds the eligible"},
		{"deposit", func(g *governance.Genesis) { g.Proposals[voting-1].Deposit.Amount++ }, "escrow"},
		{"status", func(g *governance.Genesis) { g.Proposals[voting-1].Status = "maybe" }, "status"},
		{"vote on nothing", func(g *governance.Genesis) { g.Votes[0].Proposal = 99 }, "unknown proposal"},
		{"executed twice", func(g *governance.Genesis) { g.Executions[0].Count = 2 }, "executed 2 times"},
		{"power", func(g *governance.Genesis) { g.PowerHistory[len(g.PowerHistory)-1].Amount++ }, "delegated"},
		{"delegation", func(g *governance.Genesis) { g.Delegations[0].Delegate = alice }, "history says"},
		{"upgrade done and planned", func(g *governance.Genesis) {
			g.DoneUpgrades = append(g.DoneUpgrades, governance.DoneUpgrade{Name: "v2", Height: 5})
		}, "planned and done"},
		{"block params", func(g *governance.Genesis) { g.BlockParams.MaxGas = 0 }, "block params"},
		{"block below the evidence limit", func(g *governance.Genesis) { g.BlockParams.MaxBytes = governance.MinBlockBytes - 1 }, "evidence limit"},
		{"native delegation", func(g *governance.Genesis) {
			g.Delegations = append(g.Delegations, governance.Delegation{Denom: native, Delegator: alice, Delegate: bob})
		}, "module accounts do not delegate"},
		{"module account delegation", func(g *governance.Genesis) {
			g.Delegations = append(g.Delegations, governance.Delegation{Denom: sec, Delegator: escrow, Delegate: bob})
		}, "module accounts do not delegate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var g governance.Genesis
			if err := json.Unmarshal(raw, &g); err != nil {
				t.Fatal(err)
			}
			c.mutate(&g)
			b, _ := json.Marshal(g)
			err := e.m.InitGenesis(e.withoutGovernance(), b)
			if err == nil || !strings.Contains(err.Error(), c.inErr) {
				t.Fatalf("got %v, want an error saying %q", err, c.inErr)
			}
		})
	}
	if err := e.m.InitGenesis(e.withoutGovernance(), []byte(`{"chain_params":{},"nope":1}`)); err == nil {
		t.Fatal("unknown field accepted")
	}
}

func TestInvariantsCatchCorruption(t *testing.T) {
	st := func(e *env) store.KV { return e.ctx.Store(governance.StorePrefix) }
	inv := func(e *env, name string) chain.Invariant {
		for _, i := range e.m.Invariants() {
			if i.Name == name {
				return i
			}
		}
		t.Fatalf("no invariant %s", name)
		return chain.Invariant{}
	}
	t.Run("tally", func(t *testing.T) {
		e, ids := richState(t)
		chaintest.InvariantCatches(t, inv(e, "governance/tally"), e.ctx, func() {
			p := e.proposal(ids["voting"])
			p.Tally.No += 7
			store.SetRecord(st(e), store.Key([]byte("p/"), store.Uint64Key(p.ID)), &p)
		}, "votes add up")
	})
	t.Run("executed once", func(t *testing.T) {
		e, ids := richState(t)
		chaintest.InvariantCatches(t, inv(e, "governance/executed-once"), e.ctx, func() {
			key := store.Key([]byte("xr/"), store.Uint64Key(ids["executed"]))
			var r governance.ExecutionRecord
			store.GetRecord(st(e), key, &r)
			r.Count++
			store.SetRecord(st(e), key, &r)
		}, "executed 2 times")
	})
	t.Run("escrow", func(t *testing.T) {
		e, _ := richState(t)
		chaintest.InvariantCatches(t, inv(e, "governance/escrow"), e.ctx, func() {
			if err := e.bank.Send(e.ctx, alice, escrow, coin.New(native, 1)); err != nil {
				t.Fatal(err)
			}
		}, "the escrow holds")
	})
	t.Run("delegated power", func(t *testing.T) {
		e, _ := richState(t)
		chaintest.InvariantCatches(t, inv(e, "governance/delegated-power"), e.ctx, func() {
			key := store.Key([]byte("ph/"+sec+"\x00"), dave[:], store.Uint64Key(uint64(e.ctx.Height)))
			st(e).Set(key, canon.MustMarshal(coin.Amount(1)))
		}, "delegated")
	})
	t.Run("queues", func(t *testing.T) {
		e, ids := richState(t)
		chaintest.InvariantCatches(t, inv(e, "governance/queues"), e.ctx, func() {
			p := e.proposal(ids["passed"])
			st(e).Delete(store.Key([]byte("x/"), store.Uint64Key(uint64(p.ExecuteAfter)), store.Uint64Key(p.ID)))
		}, "execution queue")
	})
}

func TestQueries(t *testing.T) {
	e, ids := richState(t)
	q := func(path, data string) any {
		t.Helper()
		v, err := e.m.Query(e.ctx, strings.Split(path, "/"), []byte(data))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if _, err := json.Marshal(v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	list := q("proposals", "").(governance.ProposalList)
	if len(list.Proposals) != len(ids) {
		t.Fatalf("%d proposals listed", len(list.Proposals))
	}
	if l := q("proposals", "dao=").(governance.ProposalList); len(l.Proposals) != 1 || l.Proposals[0].ID != ids["chain"] {
		t.Fatalf("chain proposals %+v", l)
	}
	if l := q("proposals", "dao="+sec+"&status=voting").(governance.ProposalList); len(l.Proposals) != 1 || l.Proposals[0].ID != ids["voting"] {
		t.Fatalf("voting proposals %+v", l)
	}
	if l := q("proposals", "limit=2").(governance.ProposalList); len(l.Proposals) != 2 || l.Next != 2 {
		t.Fatalf("page %+v", l)
	}
	info := q("proposal/"+chain.Uint(ids["voting"]), "").(governance.ProposalInfo)
	if !info.Open || info.Participation != 400 || info.QuorumNeeded != 200 || !info.QuorumReached {
		t.Fatalf("%+v", info)
	}
	if v := q("votes/"+chain.Uint(ids["voting"]), "limit=1").(governance.VoteList); len(v.Votes) != 1 || v.Next == "" {
		t.Fatalf("%+v", v)
	}
	if v := q("vote/"+chain.Uint(ids["voting"])+"/"+bob.String(), "").(governance.Vote); v.Weight != 300 || v.Option != no {
		t.Fatalf("%+v", v)
	}
	if p := q("power/"+sec+"/"+dave.String(), "").(governance.PowerInfo); p.Delegated != 300 || p.Delegate != nil {
		t.Fatalf("%+v", p)
	}
	if d := q("delegation/"+sec+"/"+bob.String(), "").(governance.Delegation); d.Delegate != dave {
		t.Fatalf("%+v", d)
	}
	if p := q("params", "").(governance.ParamsInfo); p.BlockParams == nil || p.BlockParams.MaxBytes != 2<<20 {
		t.Fatalf("%+v", p)
	}
	if d := q("dao/"+sec, "").(governance.DAOInfo); d.Own || d.Authority != dao { // its set_dao_params waits for the timelock
		t.Fatalf("%+v", d)
	}
	if u := q("upgrade", "").(governance.UpgradeInfo); u.Plan == nil || u.Plan.Name != "v2" {
		t.Fatalf("%+v", u)
	}
	for _, bad := range []string{"proposal/0", "proposal/99", "votes/x", "vote/1/nope", "power/" + sec, "dao/" + cash, "nope", "proposals|status=maybe", "proposals|colour=red"} {
		path, data, _ := strings.Cut(bad, "|")
		if _, err := e.m.Query(e.ctx, strings.Split(path, "/"), []byte(data)); err == nil {
			t.Fatalf("%s answered", bad)
		}
	}
	// Every REST route names a query the module answers.
	subst := strings.NewReplacer("{id}", chain.Uint(ids["voting"]), "{voter}", bob.String(), "{address}", bob.String(), "{denom}", sec)
	for _, r := range e.m.QueryRoutes() {
		path := strings.TrimPrefix(subst.Replace(r.Query), "/governance/")
		q(path, "")
	}
}

// TestInvariantsFirstHitInOrder: an invariant with several hits reports the first in key order,
// the same on every node (genesis runs them: a bad genesis gives one message everywhere).
func TestInvariantsFirstHitInOrder(t *testing.T) {
	st := func(e *env) store.KV { return e.ctx.Store(governance.StorePrefix) }
	same := func(t *testing.T, e *env, name, want string) {
		t.Helper()
		var check chain.Invariant
		for _, i := range e.m.Invariants() {
			if i.Name == name {
				check = i
			}
		}
		first := check.Check(e.ctx)
		if first == nil || !strings.Contains(first.Error(), want) {
			t.Fatalf("%s: %v, want it to say %q", name, first, want)
		}
		for i := 0; i < 50; i++ {
			if err := check.Check(e.ctx); err == nil || err.Error() != first.Error() {
				t.Fatalf("%s: %v, then %v", name, first, err)
			}
		}
	}
	t.Run("tally", func(t *testing.T) {
		e, _ := richState(t)
		for _, id := range []uint64{99, 97, 98} {
			store.SetRecord(st(e), store.Key([]byte("v/"), store.Uint64Key(id), alice[:]), &governance.Vote{Proposal: id, Voter: alice, Option: yes, Weight: 1})
		}
		same(t, e, "governance/tally", "proposal 97,")
	})
	t.Run("executed once", func(t *testing.T) {
		e, _ := richState(t)
		for _, id := range []uint64{99, 97, 98} {
			store.SetRecord(st(e), store.Key([]byte("xr/"), store.Uint64Key(id)), &governance.ExecutionRecord{Proposal: id, Height: 5, Count: 1})
		}
		same(t, e, "governance/executed-once", "proposal 97,")
	})
	t.Run("escrow", func(t *testing.T) {
		e, ids := richState(t)
		// Two held deposits in denoms the escrow does not hold.
		for name, c := range map[string]coin.Coin{"voting": coin.New(sec2, 5), "passed": coin.New(cash, 5)} {
			p := e.proposal(ids[name])
			p.Deposit, p.DepositStatus = c, governance.DepositHeld
			store.SetRecord(st(e), store.Key([]byte("p/"), store.Uint64Key(p.ID)), &p)
		}
		if err := e.bank.Send(e.ctx, escrow, alice, coin.New(native, e.bal(escrow, native))); err != nil {
			t.Fatal(err)
		}
		same(t, e, "governance/escrow", "holds no ueur")
	})
	t.Run("delegated power", func(t *testing.T) {
		e, _ := richState(t)
		accts := []address.Address{alice, bob, carol, mallory, m1, m2, m3}
		for _, a := range accts {
			st(e).Set(store.Key([]byte("ph/"+sec+"\x00"), a[:], store.Uint64Key(uint64(e.ctx.Height))), canon.MustMarshal(coin.Amount(1)))
		}
		first := slices.MinFunc(accts, func(x, y address.Address) int { return bytes.Compare(x[:], y[:]) })
		same(t, e, "governance/delegated-power", first.String()+" has 1"+sec)
	})
}
