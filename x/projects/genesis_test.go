package projects_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/projects"
)

func decodeGenesis(tb testing.TB, raw []byte) projects.Genesis {
	tb.Helper()
	var g projects.Genesis
	if err := json.Unmarshal(raw, &g); err != nil {
		tb.Fatal(err)
	}
	return g
}

func genesisJSON(tb testing.TB, g projects.Genesis) []byte {
	tb.Helper()
	raw, err := json.Marshal(g)
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

// wipe deletes every projects record of ctx's state.
func wipe(ctx chain.Context) {
	var keys [][]byte
	it := ctx.KV().Iterator(projects.StorePrefix, store.PrefixEnd(projects.StorePrefix))
	for ; it.Valid(); it.Next() {
		keys = append(keys, append([]byte(nil), it.Key()...))
	}
	it.Close()
	for _, k := range keys {
		ctx.KV().Delete(k)
	}
}

// projectsState is every projects record of ctx, in key order.
func projectsState(ctx chain.Context) []string {
	var out []string
	it := ctx.KV().Iterator(projects.StorePrefix, store.PrefixEnd(projects.StorePrefix))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		out = append(out, string(it.Key())+"="+string(it.Value()))
	}
	return out
}

// branch is a fresh state branch over the env's state.
func branch(e *env) chain.Context { return e.ctx.WithKV(store.NewCache(e.ctx.KV())) }

// busyEnv has two projects with every kind of record: the bridge (rule agency+spv) with
// documents (one updated, one removed), a pending stakeholder change, reports (one amended),
// attestations and disputes, and milestones in every status (one late); and a second project
// (rule agency) with one funded milestone.
func busyEnv(tb testing.TB) *env {
	e := newEnv(tb)
	e.create(projects.RuleAgencySPV, 6_000_000)
	e.ok(&projects.MsgSetDocument{Editor: spv, Project: bridge, Name: "concession-agreement", URI: "ipfs://c2", Hash: hash("c2")})
	e.ok(&projects.MsgSetDocument{Editor: ministry, Project: bridge, Name: "permit", URI: "ipfs://p", Hash: hash("p")})
	e.ok(&projects.MsgRemoveDocument{Editor: ministry, Project: bridge, Name: "permit"})
	e.ok(&projects.MsgProposeStakeholderChange{Proposer: ministry, Project: bridge, Action: projects.ActionAdd, Account: region, Role: projects.RolePublicAgency})
	e.ok(&projects.MsgProposeStakeholderChange{Proposer: spv, Project: bridge, Action: projects.ActionAdd, Account: mallory, Role: projects.RoleLender})
	e.ok(&projects.MsgApproveStakeholderChange{Approver: ministry, Project: bridge, Change: 2})
	e.signedOff("released", 1_000_000, true)
	e.ok(planMsg("window", 1_000_000, start.Add(90*day)))
	e.ok(&projects.MsgFundMilestone{Funder: ministry, Project: bridge, Milestone: "window"})
	e.ok(&projects.MsgClaimComplete{Payee: builder, Project: bridge, Milestone: "window"})
	e.ok(&projects.MsgSignOff{Signatory: engineer, Project: bridge, Milestone: "window", Role: projects.RoleIndependentEngineer})
	e.signedOff("unfunded", 1_000_000, false)
	e.signedOff("disputed", 1_000_000, true)
	e.ok(&projects.MsgDisputeMilestone{Disputer: lender, Project: bridge, Milestone: "disputed", Reason: "defects"})
	e.ok(planMsg("claimed", 500_000, start.Add(5*day)))
	e.ok(&projects.MsgFundMilestone{Funder: spv, Project: bridge, Milestone: "claimed"})
	e.ok(&projects.MsgClaimComplete{Payee: builder, Project: bridge, Milestone: "claimed"})
	e.ok(&projects.MsgSignOff{Signatory: engineer, Project: bridge, Milestone: "claimed", Role: projects.RoleIndependentEngineer})
	e.ok(planMsg("planned", 500_000, start.Add(60*day)))
	e.ok(planMsg("cancelled", 500_000, start.Add(60*day)))
	e.ok(&projects.MsgFundMilestone{Funder: spv, Project: bridge, Milestone: "cancelled"})
	e.ok(&projects.MsgCancelMilestone{Resolver: ministry, Project: bridge, Milestone: "cancelled", Reason: "descoped"})
	e.ok(&projects.MsgPostReport{Author: builder, Project: bridge, Milestone: "released", Percent: 100, Summary: "done",
		Documents: []projects.Attachment{{URI: "ipfs://r", Hash: hash("r")}}})
	e.ok(&projects.MsgPostReport{Author: builder, Project: bridge, Milestone: "released", Percent: 100, Summary: "done, with photos", Amends: 1})
	e.ok(&projects.MsgAttest{Attester: engineer, Project: bridge, Entry: 2})
	e.ok(&projects.MsgDispute{Disputer: auditor, Project: bridge, Entry: 1, Reason: "no photos"})
	// The first released at the end of its window; the second still in it.
	e.at(start.Add(week))
	e.endBlock()
	e.at(start.Add(week + time.Hour))
	e.ok(&projects.MsgSignOff{Signatory: ministry, Project: bridge, Milestone: "window", Role: projects.RolePublicAgency})
	e.ok(&projects.MsgDisputeMilestone{Disputer: lender, Project: bridge, Milestone: "window", Reason: "x"})
	e.ok(&projects.MsgResolve{Resolver: ministry, Project: bridge, Milestone: "window", Decision: projects.DecisionReject, Reason: "redo"})
	e.ok(&projects.MsgClaimComplete{Payee: builder, Project: bridge, Milestone: "window"})
	e.ok(&projects.MsgSignOff{Signatory: engineer, Project: bridge, Milestone: "window", Role: projects.RoleIndependentEngineer})
	e.ok(&projects.MsgSignOff{Signatory: ministry, Project: bridge, Milestone: "window", Role: projects.RolePublicAgency})
	tunnel := createMsg(projects.RuleAgency)
	tunnel.ID, tunnel.Sector, tunnel.Creator, tunnel.Stakeholders = "old-tunnel", projects.SectorTunnel, region,
		[]projects.StakeholderRole{{Account: builder, Role: projects.RoleContractor}, {Account: engineer, Role: projects.RoleIndependentEngineer}}
	e.ok(tunnel)
	e.ok(&bank.MsgSend{From: spv, To: projects.Treasury("old-tunnel"), Amount: coin.New(cash, 300)})
	e.ok(&projects.MsgPlanMilestone{Planner: region, Project: "old-tunnel", ID: "bore", Description: "Bore the tunnel", Due: start.Add(300 * day).Unix(),
		Tranche: coin.New(cash, 300), Payee: builder, Policy: projects.Policy{Roles: []string{projects.RoleIndependentEngineer}, Min: 1}})
	e.ok(&projects.MsgFundMilestone{Funder: region, Project: "old-tunnel", Milestone: "bore"})
	// The bridge's security token and DAO: parameters, a spend, a DAO document.
	e.security(ubridge)
	e.ok(&projects.MsgSetSecurity{Agency: ministry, Project: bridge, Security: ubridge})
	e.ok(&projects.MsgSetParameter{Authority: ministry, Project: bridge, Name: "tariff_cap", Value: "3.50 EUR", Protected: true})
	e.ok(&projects.MsgSetParameter{Authority: dao, Project: bridge, Name: "tariff_cap", Value: "3.80 EUR", Protected: true})
	e.ok(&projects.MsgSetParameter{Authority: ministry, Project: bridge, Name: "toll_hours", Value: "06-22"})
	e.ok(&projects.MsgSpend{Authority: dao, Project: bridge, To: operator, Amount: coin.New(cash, 1_000), Reason: "toll booth software"})
	e.at(start.Add(10 * day))
	e.endBlock() // "claimed" is late
	if !e.milestone("claimed").Late || e.milestone("released").Status != projects.MilestoneReleased ||
		e.milestone("unfunded").Status != projects.MilestoneAwaitingFunds || e.milestone("window").Status != projects.MilestoneSignedOff {
		tb.Fatalf("busy env not as planned: %+v", e.k.Milestones(e.ctx, bridge))
	}
	return e
}

// TestGenesisRoundTrip exports a busy state, imports it into an empty branch, and checks that
// the records, the indexes (the same keys) and the export are the same, and that the imported
// state runs on like the original: the next blocks give the same events and state.
func TestGenesisRoundTrip(t *testing.T) {
	e := busyEnv(t)
	raw, err := e.m.ExportGenesis(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	g := decodeGenesis(t, raw)
	if len(g.Projects) != 2 || len(g.Milestones) != 8 || len(g.Changes) != 1 || len(g.Entries) != 2 || len(g.Attestations) != 2 || len(g.Documents) != 5 ||
		len(g.Parameters) != 3 || g.Projects[0].Security != ubridge {
		t.Fatalf("export: %d projects, %d milestones, %d changes, %d entries, %d attestations, %d documents",
			len(g.Projects), len(g.Milestones), len(g.Changes), len(g.Entries), len(g.Attestations), len(g.Documents))
	}
	ctx := branch(e)
	wipe(ctx)
	if err := e.m.InitGenesis(ctx, raw); err != nil {
		t.Fatal(err)
	}
	if a, b := projectsState(e.ctx), projectsState(ctx); !reflect.DeepEqual(a, b) {
		t.Fatalf("import wrote %d records, the original has %d", len(b), len(a))
	}
	again, err := e.m.ExportGenesis(ctx)
	if err != nil || !bytes.Equal(again, raw) {
		t.Fatalf("export after import differs (%v)", err)
	}
	// Both run on alike (each in its own branch of the bank state).
	orig := branch(e)
	for _, c := range []chain.Context{orig, ctx} {
		c.Time, c.Height = start.Add(30*day), e.ctx.Height+1
		if err := e.m.EndBlock(c); err != nil {
			t.Fatal(err)
		}
		if err := allInvariants(e, c); err != nil {
			t.Fatal(err)
		}
	}
	if a, b := projectsState(orig), projectsState(ctx); !reflect.DeepEqual(a, b) || reflect.DeepEqual(a, projectsState(e.ctx)) {
		t.Fatal("the imported state runs differently (or nothing ran)")
	}
}

func allInvariants(e *env, ctx chain.Context) error {
	for _, inv := range e.m.Invariants() {
		if err := inv.Check(ctx); err != nil {
			return err
		}
	}
	return nil
}

// badGenesis are genesis states the import must refuse, each made from a busy export by one
// change, with the message part the refusal must contain.
type badState struct {
	says string
	raw  []byte
}

func badGenesis(tb testing.TB, raw []byte) []badState {
	var out []badState
	edit := func(says string, fn func(g *projects.Genesis)) {
		g := decodeGenesis(tb, raw)
		fn(&g)
		out = append(out, badState{says, genesisJSON(tb, g)})
	}
	ms := func(g *projects.Genesis, id string) *projects.Milestone {
		for i := range g.Milestones {
			if g.Milestones[i].ID == id {
				return &g.Milestones[i]
			}
		}
		tb.Fatalf("no milestone %s", id)
		return nil
	}
	edit("per_block 0", func(g *projects.Genesis) { g.Params.PerBlock = 0 })
	edit("security token ubridge linked to projects", func(g *projects.Genesis) { g.Projects[1].Security = g.Projects[0].Security })
	edit("security", func(g *projects.Genesis) { g.Projects[0].Security = "U" })
	edit("versions run from 1", func(g *projects.Genesis) { g.Parameters[0].Version = 2 })
	edit("stays protected", func(g *projects.Genesis) { g.Parameters[1].Protected = false })
	edit("parameter name", func(g *projects.Genesis) { g.Parameters[2].Name = "X" })
	edit("parameter value", func(g *projects.Genesis) { g.Parameters[2].Value = "" })
	edit("unknown project", func(g *projects.Genesis) { g.Parameters[2].Project = "nowhere" })
	edit("zero authority", func(g *projects.Genesis) { g.Parameters[2].By = address.Address{} })
	edit("given twice", func(g *projects.Genesis) { g.Projects[1] = g.Projects[0] })
	edit("treasury", func(g *projects.Genesis) { g.Projects[0].Treasury = escrow })
	edit("project id", func(g *projects.Genesis) { g.Projects[0].ID = "X" })
	edit("stakeholder rule", func(g *projects.Genesis) { g.Projects[0].StakeholderRule = "" })
	edit("no public_agency", func(g *projects.Genesis) {
		var keep []projects.Stakeholder
		for _, s := range g.Stakeholders {
			if s.Role != projects.RolePublicAgency || s.Project != "old-tunnel" {
				keep = append(keep, s)
			}
		}
		g.Stakeholders = keep
	})
	edit("unknown project", func(g *projects.Genesis) { g.Stakeholders[0].Project = "nowhere" })
	edit("a project role of a user account", func(g *projects.Genesis) { g.Stakeholders[0].Role = "mayor" })
	edit("a project role of a user account", func(g *projects.Genesis) { g.Stakeholders[0].Account = escrow })
	edit("stakeholder", func(g *projects.Genesis) { g.Stakeholders[1] = g.Stakeholders[0] })
	edit("versions run from 1", func(g *projects.Genesis) { g.Documents[1].Version = 3 })
	edit("a removal with uri", func(g *projects.Genesis) {
		for i := range g.Documents {
			if g.Documents[i].Removed {
				g.Documents[i].URI = "x"
			}
		}
	})
	edit("ids run from 1 to change_sequence", func(g *projects.Genesis) { g.ChangeSequence = 0 })
	edit("has both approvals", func(g *projects.Genesis) { g.Changes[0].SPV = &spv })
	edit("hash", func(g *projects.Genesis) { g.Entries[0].Summary = "changed" })
	edit("follows entry", func(g *projects.Genesis) { g.Entries = g.Entries[1:] })
	edit("the project says", func(g *projects.Genesis) { g.Projects[0].Entries++ })
	edit("the project says", func(g *projects.Genesis) { g.Projects[1].Timeline++ })
	edit("hash", func(g *projects.Genesis) { g.Timeline[3].Note = "rewritten" })
	edit("follows record", func(g *projects.Genesis) { g.Timeline = append(g.Timeline[:2], g.Timeline[3:]...) })
	edit("by its author", func(g *projects.Genesis) { g.Attestations[0].By = builder })
	edit("unknown entry", func(g *projects.Genesis) { g.Attestations[0].Entry = 9 })
	edit("given twice", func(g *projects.Genesis) { g.Attestations[1] = g.Attestations[0] })
	edit("released 1 of a tranche", func(g *projects.Genesis) { ms(g, "released").Released = 1 })
	edit("released", func(g *projects.Genesis) {
		ms(g, "released").Funded, ms(g, "released").FundedBy, ms(g, "released").FundedHeight = false, nil, 0
	})
	edit("awaiting funds but funded", func(g *projects.Genesis) {
		m := ms(g, "unfunded")
		m.Funded, m.FundedBy, m.FundedHeight = true, &spv, 3
	})
	edit("returned", func(g *projects.Genesis) { ms(g, "cancelled").Returned = 0 })
	edit("with dispute", func(g *projects.Genesis) { ms(g, "disputed").Dispute = nil })
	edit("sign-off", func(g *projects.Genesis) { ms(g, "window").SignOffs[1].Role = projects.RoleIndependentEngineer })
	edit("window end", func(g *projects.Genesis) { ms(g, "window").WindowEnds++ })
	edit("planned with", func(g *projects.Genesis) { ms(g, "planned").WindowEnds = 5 })
	edit("status", func(g *projects.Genesis) { ms(g, "planned").Status = "paid" })
	edit("payee", func(g *projects.Genesis) { ms(g, "planned").Payee = escrow })
	edit("given twice", func(g *projects.Genesis) { g.Milestones[1] = g.Milestones[0] })
	edit("unknown milestone", func(g *projects.Genesis) {
		for i := range g.Milestones {
			if g.Milestones[i].ID == "released" {
				g.Milestones = append(g.Milestones[:i], g.Milestones[i+1:]...)
				return
			}
		}
	})
	return append(out,
		badState{"unknown field", []byte(`{"params":{"per_block":5},"surprise":1}`)},
		badState{"trailing data", []byte(`{"params":{"per_block":5}} {}`)},
		badState{"cannot unmarshal", []byte(`[]`)})
}

func TestGenesisRefusesBadState(t *testing.T) {
	e := busyEnv(t)
	raw, err := e.m.ExportGenesis(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range badGenesis(t, raw) {
		ctx := branch(e)
		wipe(ctx)
		err := e.m.InitGenesis(ctx, b.raw)
		if err == nil || !strings.HasPrefix(err.Error(), "projects genesis: ") || !strings.Contains(err.Error(), b.says) {
			t.Errorf("case %d (%s): got %v", i, b.says, err)
		}
	}
}

func TestDefaultGenesis(t *testing.T) {
	e := newEnv(t)
	raw, err := e.m.ExportGenesis(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := genesisJSON(t, projects.DefaultGenesis()); !bytes.Equal(raw, want) {
		t.Fatalf("empty export %s, want %s", raw, want)
	}
}
