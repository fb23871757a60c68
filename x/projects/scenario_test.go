package projects_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/chain/chaintest"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/projects"
)

// block moves to a new block d after the current one, runs msgs in it (each must succeed), then
// its end; it returns every event of the block. The invariants are checked after each msg and
// after the end of the block.
func (e *env) block(d time.Duration, msgs ...tx.Msg) []chain.Event {
	e.t.Helper()
	e.at(e.ctx.Time.Add(d))
	var evs []chain.Event
	for _, m := range msgs {
		evs = append(evs, e.ok(m)...)
	}
	return append(evs, e.endBlock()...)
}

// daily runs empty blocks a day apart while the next one is before until; it returns their
// events.
func (e *env) daily(until time.Time) []chain.Event {
	e.t.Helper()
	var evs []chain.Event
	for e.ctx.Time.Add(day).Before(until) {
		evs = append(evs, e.block(day)...)
	}
	return evs
}

func post(milestone string, pct uint32, summary string) *projects.MsgPostReport {
	return &projects.MsgPostReport{Author: builder, Project: bridge, Milestone: milestone, Percent: pct, Summary: summary,
		Documents: []projects.Attachment{{URI: "ipfs://harbour-bridge/" + milestone + "/" + summary, Hash: hash(milestone + summary)}}}
}

func attest(by address.Address, entry uint64) *projects.MsgAttest {
	return &projects.MsgAttest{Attester: by, Project: bridge, Entry: entry}
}

func sign(by address.Address, role, milestone string) *projects.MsgSignOff {
	return &projects.MsgSignOff{Signatory: by, Project: bridge, Milestone: milestone, Role: role}
}

func claim(milestone string) *projects.MsgClaimComplete {
	return &projects.MsgClaimComplete{Payee: builder, Project: bridge, Milestone: milestone,
		Evidence: []projects.Attachment{{URI: "ipfs://harbour-bridge/" + milestone + "/certificate", Hash: hash(milestone + " certificate")}}}
}

func fund(milestone string) *projects.MsgFundMilestone {
	return &projects.MsgFundMilestone{Funder: spv, Project: bridge, Milestone: milestone}
}

// tollBridge runs the worked example over many blocks (about one a day), checking the
// invariants after every msg and every block, and returns the env and every event:
//
//	design-approval    500,000 EURt  engineer AND agency, 7-day window: released by the chain when its window closes
//	foundations      2,000,000 EURt  any 2 of lender, engineer, agency: disputed in its window, resolved (released)
//	deck             3,500,000 EURt  engineer AND agency, 14-day window: late (one alert), then released at its window's end
//	opening          1,000,000 EURt  any 2 of operator, agency, engineer: its operator added by agency and SPV first
//
// Reports are posted by the contractor and attested by the engineer and the agency; the
// auditor disputes one, which the contractor corrects by an amending entry.
func tollBridge(t testing.TB) (*env, []chain.Event) {
	e := newEnv(t)
	var all []chain.Event
	keep := func(evs []chain.Event) []chain.Event { all = append(all, evs...); return evs }
	ie, pa, ln, op := projects.RoleIndependentEngineer, projects.RolePublicAgency, projects.RoleLender, projects.RoleOperator
	plan := func(id string, tranche coin.Amount, due, window time.Duration, min uint32, roles ...string) *projects.MsgPlanMilestone {
		return &projects.MsgPlanMilestone{Planner: ministry, Project: bridge, ID: id, Description: "Harbour bridge: " + id,
			Due: start.Add(due).Unix(), Tranche: coin.New(cash, tranche), Payee: builder,
			Policy: projects.Policy{Roles: roles, Min: min}, Window: int64(window / time.Second)}
	}
	// Day 0: the ministry creates the project (changes by agency and SPV together); the SPV
	// deposits the offering's proceeds into the treasury; the milestones are planned.
	create := createMsg(projects.RuleAgencySPV)
	create.Stakeholders = create.Stakeholders[:5] // no operator yet
	keep(e.block(0, create,
		&bank.MsgSend{From: spv, To: projects.Treasury(bridge), Amount: coin.New(cash, 8_000_000)},
		plan("design-approval", 500_000, 30*day, week, 2, ie, pa),
		plan("foundations", 2_000_000, 120*day, week, 2, ln, ie, pa),
		plan("deck", 3_500_000, 200*day, 2*week, 2, ie, pa),
		plan("opening", 1_000_000, 300*day, week, 2, op, pa, ie),
		fund("design-approval"), fund("foundations")))
	if e.bal(escrow, cash) != 2_500_000 {
		t.Fatalf("escrow %d after funding", e.bal(escrow, cash))
	}

	// Design approval: report, attestations, claim, sign-offs; released when its 7-day window closes.
	keep(e.daily(start.Add(10 * day)))
	keep(e.block(day, post("design-approval", 100, "Design approved by the ministry's review board")))
	keep(e.block(day, attest(engineer, 1), attest(ministry, 1), claim("design-approval")))
	keep(e.block(day, sign(engineer, ie, "design-approval")))
	signed := e.ctx.Time.Add(day)
	keep(e.block(day, sign(ministry, pa, "design-approval")))
	windowEnds := signed.Add(week)
	for e.ctx.Time.Add(day).Before(windowEnds) {
		if ev := eventOf(keep(e.block(day)), "projects.milestone_released"); ev != nil {
			t.Fatalf("released in its window: %v", ev)
		}
	}
	e.at(windowEnds)
	ev := eventOf(keep(e.endBlock()), "projects.milestone_released")
	if ev["milestone"] != "design-approval" || ev["via"] != projects.ViaWindow || e.bal(builder, cash) != 500_000 {
		t.Fatalf("design approval at the end of its window: %v", ev)
	}

	// Foundations: progress reports, one disputed by the auditor and amended; the claim is
	// signed off by the lender and the engineer; the auditor disputes the milestone in its
	// window; the ministry resolves: release.
	keep(e.daily(start.Add(50 * day)))
	keep(e.block(day, post("foundations", 40, "Piles 1-24 driven")))
	keep(e.block(day, attest(engineer, 2), &projects.MsgDispute{Disputer: auditor, Project: bridge, Entry: 2, Reason: "pile 24 not load-tested"}))
	amend := post("foundations", 38, "Piles 1-23 driven and load-tested; pile 24 to be tested")
	amend.Amends = 2
	keep(e.block(day, amend))
	keep(e.block(day, attest(engineer, 3), attest(auditor, 3)))
	keep(e.daily(start.Add(100 * day)))
	keep(e.block(day, post("foundations", 100, "All 48 piles and pile caps complete"), claim("foundations")))
	keep(e.block(day, attest(engineer, 4), sign(lender, ln, "foundations"), sign(engineer, ie, "foundations")))
	keep(e.block(day, &projects.MsgDisputeMilestone{Disputer: auditor, Project: bridge, Milestone: "foundations", Reason: "settlement survey of pile caps missing"}))
	keep(e.daily(e.ctx.Time.Add(2 * week))) // the window passes: no release while disputed
	if m := e.milestone("foundations"); m.Status != projects.MilestoneDisputed || e.bal(builder, cash) != 500_000 {
		t.Fatalf("foundations after its window: %+v", m)
	}
	evs := keep(e.block(day, &projects.MsgSetDocument{Editor: ministry, Project: bridge, Name: "settlement-survey", URI: "ipfs://survey", Hash: hash("survey")},
		&projects.MsgResolve{Resolver: ministry, Project: bridge, Milestone: "foundations", Decision: projects.DecisionRelease, Reason: "survey filed: settlement within tolerance"}))
	if ev := eventOf(evs, "projects.milestone_released"); ev["via"] != projects.ViaResolution || e.bal(builder, cash) != 2_500_000 {
		t.Fatalf("foundations resolved: %v", evs)
	}

	// Deck: funded, but not signed off by its due date: one late alert; then claimed, signed off
	// and released when its 14-day window closes.
	keep(e.block(day, fund("deck"), post("deck", 30, "Spans 1-3 of 8 placed")))
	keep(e.block(day, attest(engineer, 5)))
	var late []map[string]string
	for e.ctx.Time.Before(start.Add(200*day + 3*day)) {
		late = append(late, eventsOf(keep(e.block(day)), "projects.milestone_late")...)
	}
	if len(late) != 1 || late[0]["milestone"] != "deck" || late[0]["status"] != projects.MilestonePlanned {
		t.Fatalf("late alerts %v", late)
	}
	keep(e.block(day, post("deck", 100, "All 8 spans placed, deck waterproofed"), claim("deck")))
	keep(e.block(day, attest(ministry, 6), sign(engineer, ie, "deck"), sign(ministry, pa, "deck")))
	deckEnds := e.milestone("deck").WindowEnds
	var released []map[string]string
	for e.ctx.Time.Unix() < deckEnds+2*86400 {
		released = append(released, eventsOf(keep(e.block(day)), "projects.milestone_released")...)
	}
	if len(released) != 1 || released[0]["milestone"] != "deck" || e.milestone("deck").ReleasedHeight == 0 || e.bal(builder, cash) != 6_000_000 {
		t.Fatalf("deck releases %v", released)
	}
	if m := e.milestone("deck"); m.Late != true || m.ReleasedVia != projects.ViaWindow {
		t.Fatalf("deck %+v", m)
	}

	// Opening: the operator joins (proposed by the ministry, approved by the SPV), signs off with
	// the ministry; released at the end of its window.
	evs = keep(e.block(day, &projects.MsgProposeStakeholderChange{Proposer: ministry, Project: bridge, Action: projects.ActionAdd, Account: operator, Role: op, Reason: "toll operator"}))
	change := eventOf(evs, "projects.stakeholder_change_proposed")["change"]
	keep(e.block(day, &projects.MsgApproveStakeholderChange{Approver: spv, Project: bridge, Change: 1}))
	if change != "1" || !e.k.Holds(e.ctx, bridge, operator, op) {
		t.Fatalf("operator not added (change %s)", change)
	}
	keep(e.block(day, fund("opening"), post("opening", 100, "Bridge opened to traffic"), claim("opening")))
	keep(e.block(day, attest(operator, 7), attest(engineer, 7), sign(operator, op, "opening"), sign(ministry, pa, "opening")))
	keep(e.daily(e.ctx.Time.Add(week + 2*day)))
	if m := e.milestone("opening"); m.Status != projects.MilestoneReleased {
		t.Fatalf("opening %+v", m)
	}
	return e, all
}

func TestTollBridge(t *testing.T) {
	e, all := tollBridge(t)
	p := e.project()
	if e.bal(builder, cash) != 7_000_000 || e.bal(p.Treasury, cash) != 1_000_000 || e.bal(escrow, cash) != 0 {
		t.Fatalf("builder %d, treasury %d, escrow %d", e.bal(builder, cash), e.bal(p.Treasury, cash), e.bal(escrow, cash))
	}
	if tot := e.k.Totals(e.ctx, cash); tot.Funded != 7_000_000 || tot.Released != 7_000_000 || tot.Returned != 0 {
		t.Fatalf("totals %+v", tot)
	}
	for _, c := range []struct {
		typ string
		n   int
	}{
		{"projects.report_posted", 7}, {"projects.attested", 10}, {"projects.entry_disputed", 1}, {"projects.milestone_released", 4},
		{"projects.milestone_disputed", 1}, {"projects.milestone_resolved", 1}, {"projects.milestone_late", 1},
		{"projects.milestone_signed_off", 4}, {"projects.milestone_funded", 4},
	} {
		if got := len(eventsOf(all, c.typ)); got != c.n {
			t.Errorf("%d %s events, want %d", got, c.typ, c.n)
		}
	}
	// The timeline is one query, in order, paged.
	var recs []projects.TimelineRecord
	for after := uint64(0); ; {
		v, err := e.m.Query(e.ctx, []string{"timeline", bridge}, []byte("limit=10&after="+itoa(int(after))))
		if err != nil {
			t.Fatal(err)
		}
		page := v.(projects.TimelineList)
		recs = append(recs, page.Records...)
		if page.Next == 0 {
			break
		}
		after = page.Next
	}
	if uint64(len(recs)) != p.Timeline {
		t.Fatalf("%d timeline records, the project has %d", len(recs), p.Timeline)
	}
	var kinds []string
	for i, r := range recs {
		if r.Seq != uint64(i+1) || (i > 0 && (r.Height < recs[i-1].Height || r.Time < recs[i-1].Time)) {
			t.Fatalf("record %d out of order: %+v", i, r)
		}
		if r.Milestone == "foundations" {
			kinds = append(kinds, r.Kind)
		}
	}
	want := "milestone_planned milestone_funded report attestation dispute report attestation attestation report milestone_claimed attestation " +
		"milestone_sign_off milestone_sign_off milestone_signed_off milestone_disputed milestone_resolved milestone_released"
	if got := strings.Join(kinds, " "); got != want {
		t.Fatalf("foundations' timeline:\n%s\nwant\n%s", got, want)
	}
	late := recs[0]
	for _, r := range recs {
		if r.Kind == projects.TLMilestoneLate {
			late = r
		}
	}
	if late.Milestone != "deck" || late.By != nil || late.Time <= start.Add(200*day).Unix() {
		t.Fatalf("late record %+v", late)
	}
	// The whole history survives a genesis export and import.
	raw, err := e.m.ExportGenesis(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	ctx := branch(e)
	wipe(ctx)
	if err := e.m.InitGenesis(ctx, raw); err != nil {
		t.Fatal(err)
	}
	if a, b := projectsState(e.ctx), projectsState(ctx); !reflect.DeepEqual(a, b) {
		t.Fatal("the imported toll bridge differs")
	}
	info, err := e.k.EntryInfo(e.ctx, &p, 2)
	if err != nil || info.Attested != 1 || info.Disputed != 1 || len(info.AmendedBy) != 1 || info.AmendedBy[0] != 3 {
		t.Fatalf("entry 2 %+v %v", info, err)
	}
}

// TestTollBridgeDeterministic runs the example twice: the same blocks give the same state.
func TestTollBridgeDeterministic(t *testing.T) {
	a, _ := tollBridge(t)
	b, _ := tollBridge(t)
	if chaintest.Digest(a.ctx.KV()) != chaintest.Digest(b.ctx.KV()) {
		t.Fatal("the same blocks gave different states")
	}
}
