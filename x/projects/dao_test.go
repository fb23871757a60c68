package projects_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/projects"
)

// lastRecord is the newest record of the bridge's timeline.
func (e *env) lastRecord() projects.TimelineRecord {
	e.t.Helper()
	p := e.project()
	l := e.k.Timeline(e.ctx, &p, p.Timeline-1, 1)
	if len(l.Records) != 1 {
		e.t.Fatalf("timeline %+v", l)
	}
	return l.Records[0]
}

func TestSetSecurity(t *testing.T) {
	e := newEnv(t)
	e.create(projects.RuleAgency, 0)
	e.security(ubridge)
	if _, _, ok := e.k.ProjectOfSecurity(e.ctx, ubridge); ok {
		t.Fatal("linked before set_security")
	}
	e.allFail([]badCase{
		{"not a stakeholder", &projects.MsgSetSecurity{Agency: mallory, Project: bridge, Security: ubridge}, projects.ErrNotStakeholder, "holds no role"},
		{"not the agency", &projects.MsgSetSecurity{Agency: spv, Project: bridge, Security: ubridge}, projects.ErrWrongRole, "public_agency"},
		{"unknown asset", &projects.MsgSetSecurity{Agency: ministry, Project: bridge, Security: "unone"}, projects.ErrUnknownAsset, "unone"},
		{"cash asset", &projects.MsgSetSecurity{Agency: ministry, Project: bridge, Security: cash}, projects.ErrNotSecurity, "cash asset"},
		{"bad denom", &projects.MsgSetSecurity{Agency: ministry, Project: bridge, Security: "U"}, projects.ErrInvalidMsg, "security"},
		{"no denom", &projects.MsgSetSecurity{Agency: ministry, Project: bridge}, projects.ErrInvalidMsg, "security"},
		{"unknown project", &projects.MsgSetSecurity{Agency: ministry, Project: "nowhere", Security: ubridge}, projects.ErrUnknownProject, "nowhere"},
	})
	evs := e.ok(&projects.MsgSetSecurity{Agency: ministry, Project: bridge, Security: ubridge})
	if ev := eventOf(evs, "projects.security_set"); ev["security"] != ubridge || ev["dao"] != dao.String() || ev["by"] != ministry.String() {
		t.Fatalf("event %v", ev)
	}
	if r := e.lastRecord(); r.Kind != projects.TLSecuritySet || r.Note != ubridge || *r.Account != dao || *r.By != ministry {
		t.Fatalf("record %+v", r)
	}
	p := e.project()
	if d, ok := p.DAO(); p.Security != ubridge || !ok || d != dao {
		t.Fatalf("project %+v", p)
	}
	if id, tr, ok := e.k.ProjectOfSecurity(e.ctx, ubridge); !ok || id != bridge || tr != projects.Treasury(bridge) {
		t.Fatalf("ProjectOfSecurity = %s %s %v", id, tr, ok)
	}
	if info := e.k.Info(e.ctx, p); info.DAO == nil || *info.DAO != dao {
		t.Fatalf("info DAO %v", info.DAO)
	}
	// Once per project; one project per token.
	e.security("utunnel")
	tunnel := createMsg(projects.RuleAgency)
	tunnel.ID, tunnel.Creator, tunnel.Stakeholders, tunnel.Security = "old-tunnel", region, nil, ubridge
	e.allFail([]badCase{
		{"second link", &projects.MsgSetSecurity{Agency: ministry, Project: bridge, Security: "utunnel"}, projects.ErrSecuritySet, "linked once"},
		{"same link again", &projects.MsgSetSecurity{Agency: ministry, Project: bridge, Security: ubridge}, projects.ErrSecuritySet, "linked once"},
		{"token of another project at creation", tunnel, projects.ErrSecurityTaken, "project harbour-bridge"},
	})
	tunnel.Security = "ucash"
	e.fails(tunnel, projects.ErrUnknownAsset, "ucash")
	tunnel.Security = cash
	e.fails(tunnel, projects.ErrNotSecurity, "cash asset")
	tunnel.Security = "utunnel"
	evs = e.ok(tunnel)
	if ev := eventOf(evs, "projects.security_set"); ev["project"] != "old-tunnel" || ev["security"] != "utunnel" {
		t.Fatalf("event at creation %v", ev)
	}
	if id, _, ok := e.k.ProjectOfSecurity(e.ctx, "utunnel"); !ok || id != "old-tunnel" {
		t.Fatal("security of a created project not indexed")
	}
	tunnel2 := createMsg(projects.RuleAgency)
	tunnel2.ID, tunnel2.Creator, tunnel2.Stakeholders = "new-tunnel", region, nil
	e.ok(tunnel2)
	e.fails(&projects.MsgSetSecurity{Agency: region, Project: "new-tunnel", Security: "utunnel"}, projects.ErrSecurityTaken, "project old-tunnel")
	if !e.k.IsAgency(e.ctx, bridge, ministry) || e.k.IsAgency(e.ctx, bridge, spv) || e.k.IsAgency(e.ctx, "nowhere", ministry) || e.k.IsAgency(e.ctx, bridge, dao) {
		t.Fatal("IsAgency")
	}
}

func TestSpend(t *testing.T) {
	e := newEnv(t)
	e.linked(projects.RuleAgency, 5_000)
	tr := projects.Treasury(bridge)
	spend := func(to address.Address, amount coin.Amount) *projects.MsgSpend {
		return &projects.MsgSpend{Authority: dao, Project: bridge, To: to, Amount: coin.New(cash, amount), Reason: "toll system"}
	}
	evs := e.ok(spend(operator, 1_200))
	if e.bal(tr, cash) != 3_800 || e.bal(operator, cash) != 1_200 {
		t.Fatalf("balances: treasury %d, operator %d", e.bal(tr, cash), e.bal(operator, cash))
	}
	if ev := eventOf(evs, "projects.treasury_spend"); ev["to"] != operator.String() || ev["amount"] != "1200ueur" || ev["by"] != dao.String() ||
		ev["reason"] != "toll system" || ev["treasury"] != tr.String() {
		t.Fatalf("event %v", ev)
	}
	if r := e.lastRecord(); r.Kind != projects.TLTreasurySpend || *r.Account != operator || r.Amount.Amount != 1_200 || r.Roles[0] != projects.ActorDAO {
		t.Fatalf("record %+v", r)
	}
	other := spend(operator, 1)
	other.Authority = authority.DAO("uother")
	noReason := spend(operator, 1)
	noReason.Reason = ""
	e.allFail([]badCase{
		{"the agency", &projects.MsgSpend{Authority: ministry, Project: bridge, To: operator, Amount: coin.New(cash, 1), Reason: "x"}, projects.ErrNotDAO, "not " + ministry.String()},
		{"another DAO", other, projects.ErrNotDAO, "its DAO"},
		{"chain governance", &projects.MsgSpend{Authority: authority.Chain, Project: bridge, To: operator, Amount: coin.New(cash, 1), Reason: "x"}, projects.ErrNotDAO, "its DAO"},
		{"more than the treasury", spend(operator, 3_801), projects.ErrTreasuryShort, "holds 3800ueur"},
		{"other denom", &projects.MsgSpend{Authority: dao, Project: bridge, To: operator, Amount: coin.New(ubridge, 1), Reason: "x"}, projects.ErrTreasuryShort, "holds 0ubridge"},
		{"to the treasury", spend(tr, 1), projects.ErrBadAccount, "treasury"},
		{"to the DAO", spend(dao, 1), projects.ErrBadAccount, "DAO"},
		{"to the escrow", spend(escrow, 1), projects.ErrBadAccount, "module account"},
		{"zero amount", spend(operator, 0), projects.ErrInvalidMsg, "amount"},
		{"zero recipient", spend(address.Address{}, 1), projects.ErrInvalidMsg, "zero recipient"},
		{"no reason", noReason, projects.ErrInvalidMsg, "reason"},
		{"unknown project", &projects.MsgSpend{Authority: dao, Project: "nowhere", To: operator, Amount: coin.New(cash, 1), Reason: "x"}, projects.ErrUnknownProject, "nowhere"},
	})
	// A project without a security token has no DAO.
	tunnel := createMsg(projects.RuleAgency)
	tunnel.ID, tunnel.Creator, tunnel.Stakeholders = "old-tunnel", region, nil
	e.ok(tunnel)
	e.fails(&projects.MsgSpend{Authority: dao, Project: "old-tunnel", To: operator, Amount: coin.New(cash, 1), Reason: "x"}, projects.ErrNoSecurity, "no security token")
	// Compliance reviews the spend like any transfer: while the cash asset is paused, refused.
	e.ok(&assets.MsgPause{Controller: bankCo, Denom: cash, Reason: "audit"})
	e.fails(spend(lender, 10), compliance.ErrRejected, "paused")
}

func TestParameters(t *testing.T) {
	e := newEnv(t)
	e.linked(projects.RuleAgency, 0)
	set := func(a address.Address, name, value string, protected bool) *projects.MsgSetParameter {
		return &projects.MsgSetParameter{Authority: a, Project: bridge, Name: name, Value: value, Protected: protected}
	}
	evs := e.ok(set(ministry, "tariff_cap", "3.50 EUR per car", true))
	if ev := eventOf(evs, "projects.parameter_set"); ev["name"] != "tariff_cap" || ev["version"] != "1" || ev["protected"] != "true" || ev["value"] != "3.50 EUR per car" {
		t.Fatalf("event %v", ev)
	}
	if r := e.lastRecord(); r.Kind != projects.TLParameterSet || r.Note != "tariff_cap = 3.50 EUR per car (protected)" || r.Roles[0] != projects.RolePublicAgency {
		t.Fatalf("record %+v", r)
	}
	e.ok(set(ministry, "maintenance_budget", "120000", false))
	e.ok(set(dao, "maintenance_budget", "150000", false))
	e.ok(set(dao, "toll_hours", "06-22", false)) // the DAO may add a parameter
	if r := e.lastRecord(); r.Roles[0] != projects.ActorDAO || *r.By != dao {
		t.Fatalf("record %+v", r)
	}
	long := strings.Repeat("v", projects.MaxParamValueLen+1)
	e.allFail([]badCase{
		{"agency changes a protected one", set(ministry, "tariff_cap", "9 EUR", false), projects.ErrProtected, "protected by the concession"},
		{"agency re-marks a protected one", set(ministry, "tariff_cap", "9 EUR", true), projects.ErrProtected, "protected by the concession"},
		{"DAO without saying protected", set(dao, "tariff_cap", "4 EUR", false), projects.ErrProtected, "protected: true"},
		{"DAO marks protected", set(dao, "maintenance_budget", "1", true), projects.ErrProtectByAgency, "public_agency stakeholder marks"},
		{"DAO marks a new one protected", set(dao, "handback_terms", "x", true), projects.ErrProtectByAgency, "not protected"},
		{"private partner", set(spv, "toll_hours", "x", false), projects.ErrWrongRole, "public_agency"},
		{"stranger", set(mallory, "toll_hours", "x", false), projects.ErrNotStakeholder, "holds no role"},
		{"another DAO", set(authority.DAO("uother"), "toll_hours", "x", false), projects.ErrNotStakeholder, "or the project's DAO"},
		{"name too short", set(ministry, "t", "x", false), projects.ErrInvalidMsg, "2 to 40"},
		{"name with a digit first", set(ministry, "1cap", "x", false), projects.ErrInvalidMsg, "starting with a letter"},
		{"name upper case", set(ministry, "Cap", "x", false), projects.ErrInvalidMsg, "starting with a letter"},
		{"name with a dash", set(ministry, "tariff-cap", "x", false), projects.ErrInvalidMsg, "only a-z, 0-9 and _"},
		{"name too long", set(ministry, "a"+strings.Repeat("b", 40), "x", false), projects.ErrInvalidMsg, "2 to 40"},
		{"no value", set(ministry, "cap", " ", false), projects.ErrInvalidMsg, "parameter value"},
		{"value too long", set(ministry, "cap", long, false), projects.ErrInvalidMsg, "at most 256"},
		{"control character", set(ministry, "cap", "a\nb", false), projects.ErrInvalidMsg, "control"},
		{"unknown project", &projects.MsgSetParameter{Authority: ministry, Project: "nowhere", Name: "cap", Value: "1"}, projects.ErrUnknownProject, "nowhere"},
	})
	// The DAO changes the protected one when its msg says so (the proposal needs the agency).
	e.ok(set(dao, "tariff_cap", "3.80 EUR per car", true))
	// The agency marks an unprotected one protected (a new version); it stays protected.
	e.ok(set(ministry, "maintenance_budget", "150000", true))
	e.ok(set(dao, "maintenance_budget", "160000", true))
	p, ok := e.k.Parameter(e.ctx, bridge, "maintenance_budget")
	if !ok || !p.Protected || p.Version != 4 || p.Value != "160000" || p.By != dao {
		t.Fatalf("maintenance_budget %+v", p)
	}
	v, err := e.query("parameters/"+bridge, "")
	if list, _ := v.([]projects.Parameter); err != nil || len(list) != 3 || list[0].Name != "maintenance_budget" || list[1].Name != "tariff_cap" || list[1].Value != "3.80 EUR per car" {
		t.Fatalf("parameters %+v %v", v, err)
	}
	v, err = e.query("parameter/"+bridge+"/tariff_cap", "")
	if info, _ := v.(projects.ParameterInfo); err != nil || info.Version != 2 || len(info.History) != 2 || info.History[0].Value != "3.50 EUR per car" || !info.History[1].Protected {
		t.Fatalf("parameter %+v %v", v, err)
	}
	for _, c := range []struct {
		path string
		want *codes.Error
	}{{"parameter/" + bridge + "/nope", projects.ErrUnknownParameter}, {"parameter/" + bridge + "/No", chain.ErrBadQuery}, {"parameters/nowhere", projects.ErrUnknownProject}} {
		if _, err := e.query(c.path, ""); !errors.Is(err, c.want) {
			t.Errorf("%s: %v", c.path, err)
		}
	}
	// At most MaxParameters per project.
	for i := 3; i < projects.MaxParameters; i++ {
		e.ok(set(ministry, fmt.Sprintf("p%02d", i), "1", false))
	}
	e.fails(set(ministry, "one_too_many", "1", false), projects.ErrTooMany, "64 parameters")
	e.ok(set(ministry, "toll_hours", "00-24", false)) // a new version of an existing one is fine
}

// TestDAOPowers: once the security token is linked, its DAO sets and removes documents, funds,
// resolves and cancels milestones, and stands as the private_partner side of stakeholder changes.
func TestDAOPowers(t *testing.T) {
	e := newEnv(t)
	e.create(projects.RuleAgencySPV, 3_000_000)
	// Before the link the DAO is nobody.
	e.fails(&projects.MsgSetDocument{Editor: dao, Project: bridge, Name: "design", URI: "ipfs://d", Hash: hash("d")}, projects.ErrNotStakeholder, "holds no role")
	e.security(ubridge)
	e.ok(&projects.MsgSetSecurity{Agency: ministry, Project: bridge, Security: ubridge})

	e.ok(&projects.MsgSetDocument{Editor: dao, Project: bridge, Name: "design", URI: "ipfs://d", Hash: hash("d")})
	if r := e.lastRecord(); r.Kind != projects.TLDocumentSet || *r.By != dao || r.Roles[0] != projects.ActorDAO {
		t.Fatalf("record %+v", r)
	}
	e.ok(&projects.MsgRemoveDocument{Editor: dao, Project: bridge, Name: "design"})
	// A milestone: the DAO funds it; after a dispute it resolves (reject), then cancels it.
	e.ok(planMsg("deck", 1_000_000, start.Add(90*day)))
	e.ok(&projects.MsgFundMilestone{Funder: dao, Project: bridge, Milestone: "deck"})
	if m := e.milestone("deck"); !m.Funded || *m.FundedBy != dao {
		t.Fatalf("funded %+v", m)
	}
	e.ok(&projects.MsgClaimComplete{Payee: builder, Project: bridge, Milestone: "deck"})
	e.ok(&projects.MsgSignOff{Signatory: engineer, Project: bridge, Milestone: "deck", Role: projects.RoleIndependentEngineer})
	e.ok(&projects.MsgSignOff{Signatory: ministry, Project: bridge, Milestone: "deck", Role: projects.RolePublicAgency})
	e.ok(&projects.MsgDisputeMilestone{Disputer: lender, Project: bridge, Milestone: "deck", Reason: "cracks"})
	e.ok(&projects.MsgResolve{Resolver: dao, Project: bridge, Milestone: "deck", Decision: projects.DecisionReject, Reason: "holders vote: redo"})
	if m := e.milestone("deck"); m.Resolution.By != dao || m.Resolution.Roles[0] != projects.ActorDAO || m.Status != projects.MilestonePlanned {
		t.Fatalf("resolved %+v", m)
	}
	e.ok(&projects.MsgCancelMilestone{Resolver: dao, Project: bridge, Milestone: "deck", Reason: "holders vote: descoped"})
	if m := e.milestone("deck"); m.Status != projects.MilestoneCancelled || m.Cancellation.By != dao {
		t.Fatalf("cancelled %+v", m)
	}
	if e.bal(projects.Treasury(bridge), cash) != 3_000_000 {
		t.Fatal("the tranche did not return to the treasury")
	}
	// Stakeholder changes under agency+spv: the DAO proposes as the private_partner side, the
	// agency approves; and the DAO approves an agency's proposal.
	evs := e.ok(&projects.MsgProposeStakeholderChange{Proposer: dao, Project: bridge, Action: projects.ActionAdd, Account: mallory, Role: projects.RoleAuditor})
	if ev := eventOf(evs, "projects.stakeholder_change_proposed"); ev["side"] != projects.RolePrivatePartner {
		t.Fatalf("proposed %v", ev)
	}
	e.fails(&projects.MsgApproveStakeholderChange{Approver: dao, Project: bridge, Change: 1}, projects.ErrAlreadyApproved, "approved change 1 already")
	e.fails(&projects.MsgApproveStakeholderChange{Approver: spv, Project: bridge, Change: 1}, projects.ErrWrongRole, "public_agency")
	e.ok(&projects.MsgApproveStakeholderChange{Approver: ministry, Project: bridge, Change: 1})
	if !e.k.Holds(e.ctx, bridge, mallory, projects.RoleAuditor) {
		t.Fatal("change not applied")
	}
	e.ok(&projects.MsgProposeStakeholderChange{Proposer: ministry, Project: bridge, Action: projects.ActionRemove, Account: mallory, Role: projects.RoleAuditor, Reason: "done"})
	evs = e.ok(&projects.MsgApproveStakeholderChange{Approver: dao, Project: bridge, Change: 2})
	if ev := eventOf(evs, "projects.stakeholder_change_approved"); ev["side"] != projects.RolePrivatePartner || ev["applied"] != "true" {
		t.Fatalf("approved %v", ev)
	}
	if e.k.Holds(e.ctx, bridge, mallory, projects.RoleAuditor) {
		t.Fatal("removal not applied")
	}
	if r := e.lastRecord(); r.Kind != projects.TLStakeholderRemoved || r.Roles[0] != projects.ActorDAO {
		t.Fatalf("record %+v", r)
	}
	// The DAO is no stakeholder: it cannot act where no DAO power is listed, nor be a payee.
	other := authority.DAO("uother")
	e.ok(&projects.MsgProposeStakeholderChange{Proposer: ministry, Project: bridge, Action: projects.ActionAdd, Account: mallory, Role: projects.RoleLender, Reason: "pending"})
	e.allFail([]badCase{
		{"post a report", &projects.MsgPostReport{Author: dao, Project: bridge, Summary: "x"}, projects.ErrNotStakeholder, "holds no role"},
		{"plan", func() tx.Msg { m := planMsg("roof", 1, start.Add(90*day)); m.Planner = dao; return m }(), projects.ErrNotStakeholder, "holds no role"},
		{"add a stakeholder", &projects.MsgAddStakeholder{Agency: dao, Project: bridge, Account: mallory, Role: projects.RoleLender}, projects.ErrNotStakeholder, "holds no role"},
		{"payee", func() tx.Msg { m := planMsg("roof", 1, start.Add(90*day)); m.Payee = dao; return m }(), projects.ErrBadAccount, "module account"},
		{"stakeholder", &projects.MsgProposeStakeholderChange{Proposer: ministry, Project: bridge, Action: projects.ActionAdd, Account: dao, Role: projects.RoleLender}, projects.ErrBadAccount, "module account"},
		{"another DAO resolves", &projects.MsgCancelMilestone{Resolver: other, Project: bridge, Milestone: "deck", Reason: "x"}, projects.ErrNotResolver, "or the project's DAO"},
		{"another DAO funds", &projects.MsgFundMilestone{Funder: other, Project: bridge, Milestone: "deck"}, projects.ErrNotStakeholder, "or the project's DAO"},
		{"another DAO proposes", &projects.MsgProposeStakeholderChange{Proposer: other, Project: bridge, Action: projects.ActionAdd, Account: mallory, Role: projects.RoleLender}, projects.ErrNotStakeholder, "holds no role"},
		// A stakeholder change or a parameter by anyone but a stakeholder or this DAO names the DAO.
		{"another DAO proposes a change", &projects.MsgProposeStakeholderChange{Proposer: other, Project: bridge, Action: projects.ActionAdd, Account: mallory, Role: projects.RoleLender}, projects.ErrNotStakeholder, "or the project's DAO " + dao.String()},
		{"another DAO approves a change", &projects.MsgApproveStakeholderChange{Approver: other, Project: bridge, Change: 3}, projects.ErrNotStakeholder, "or the project's DAO " + dao.String()},
		{"another DAO sets a parameter", &projects.MsgSetParameter{Authority: other, Project: bridge, Name: "toll_hours", Value: "x"}, projects.ErrNotStakeholder, "or the project's DAO " + dao.String()},
	})
}

func TestDAOScope(t *testing.T) {
	e := newEnv(t)
	e.linked(projects.RuleAgency, 0)
	tunnel := createMsg(projects.RuleAgency)
	tunnel.ID, tunnel.Creator, tunnel.Stakeholders = "old-tunnel", region, nil
	e.ok(tunnel)
	e.ok(&projects.MsgSetParameter{Authority: ministry, Project: bridge, Name: "tariff_cap", Value: "3", Protected: true})
	e.ok(&projects.MsgSetParameter{Authority: ministry, Project: bridge, Name: "toll_hours", Value: "06-22"})
	doc := &projects.MsgSetDocument{Editor: dao, Project: bridge, Name: "d", URI: "u", Hash: hash("d")}
	allowed := []tx.Msg{
		&projects.MsgSpend{Authority: dao, Project: bridge, To: operator, Amount: coin.New(cash, 1), Reason: "x"},
		&projects.MsgSetParameter{Authority: dao, Project: bridge, Name: "toll_hours", Value: "x"},
		&projects.MsgSetParameter{Authority: dao, Project: bridge, Name: "new_one", Value: "x"},
		doc,
		&projects.MsgRemoveDocument{Editor: dao, Project: bridge, Name: "d"},
		&projects.MsgFundMilestone{Funder: dao, Project: bridge, Milestone: "m"},
		&projects.MsgResolve{Resolver: dao, Project: bridge, Milestone: "m", Decision: projects.DecisionRelease, Reason: "x"},
		&projects.MsgCancelMilestone{Resolver: dao, Project: bridge, Milestone: "m", Reason: "x"},
		&projects.MsgProposeStakeholderChange{Proposer: dao, Project: bridge, Action: projects.ActionAdd, Account: mallory, Role: projects.RoleLender},
		&projects.MsgApproveStakeholderChange{Approver: dao, Project: bridge, Change: 1},
	}
	if len(allowed) != len(projects.DAOMsgTypes())+1 {
		t.Fatalf("%d allowed msgs tested, %d DAO msg types", len(allowed), len(projects.DAOMsgTypes()))
	}
	for _, m := range allowed {
		denom, project, protected, err := e.k.DAOScope(e.ctx, m)
		if err != nil || denom != ubridge || project != bridge || protected != nil {
			t.Errorf("%s: %s %s %v %v", m.MsgType(), denom, project, protected, err)
		}
	}
	denom, project, protected, err := e.k.DAOScope(e.ctx, &projects.MsgSetParameter{Authority: dao, Project: bridge, Name: "tariff_cap", Value: "4", Protected: true})
	if err != nil || denom != ubridge || project != bridge || len(protected) != 1 || protected[0] != "tariff_cap" {
		t.Fatalf("protected scope: %s %s %v %v", denom, project, protected, err)
	}
	notDAO := []tx.Msg{createMsg(projects.RuleAgency), &projects.MsgAddStakeholder{Agency: dao, Project: bridge, Account: mallory, Role: projects.RoleLender},
		&projects.MsgPostReport{Author: dao, Project: bridge, Summary: "x"}, planMsg("m", 1, start), &projects.MsgSetSecurity{Agency: dao, Project: bridge, Security: "x"},
		&auth.MsgGrantRole{Authority: dao, Role: auth.RoleMember, Account: mallory}}
	for _, m := range notDAO {
		if _, _, _, err := e.k.DAOScope(e.ctx, m); !errors.Is(err, projects.ErrNotDAOMsg) {
			t.Errorf("%s: %v", m.MsgType(), err)
		}
	}
	for _, c := range []struct {
		msg  tx.Msg
		want *codes.Error
	}{
		{&projects.MsgSpend{Authority: dao, Project: "nowhere", To: operator, Amount: coin.New(cash, 1), Reason: "x"}, projects.ErrUnknownProject},
		{&projects.MsgFundMilestone{Funder: dao, Project: "old-tunnel", Milestone: "m"}, projects.ErrNoSecurity},
		{&projects.MsgSetParameter{Authority: dao, Project: bridge, Name: "tariff_cap", Value: "4"}, projects.ErrProtected},
		{&projects.MsgSetParameter{Authority: dao, Project: bridge, Name: "toll_hours", Value: "4", Protected: true}, projects.ErrProtectByAgency},
	} {
		if _, _, _, err := e.k.DAOScope(e.ctx, c.msg); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %s", c.msg.MsgType(), err, c.want.Desc)
		}
	}
}

// TestProtectedAfterSubmission: a parameter the agency protects after a DAO proposal that
// changes it was submitted (without protected: true) is not changed by its execution.
func TestProtectedAfterSubmission(t *testing.T) {
	e := newEnv(t)
	e.linked(projects.RuleAgency, 0)
	e.ok(&projects.MsgSetParameter{Authority: ministry, Project: bridge, Name: "tariff_cap", Value: "3"})
	change := &projects.MsgSetParameter{Authority: dao, Project: bridge, Name: "tariff_cap", Value: "9"}
	if _, _, protected, err := e.k.DAOScope(e.ctx, change); err != nil || protected != nil {
		t.Fatalf("scope at submission: %v %v", protected, err)
	}
	e.ok(&projects.MsgSetParameter{Authority: ministry, Project: bridge, Name: "tariff_cap", Value: "3", Protected: true})
	e.fails(change, projects.ErrProtected, "protected: true")
}
