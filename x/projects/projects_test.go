package projects_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/projects"
)

type badCase struct {
	name string
	msg  tx.Msg
	want *codes.Error
	says string
}

// allFail runs each bad case, which must fail with its code and message and change nothing.
func (e *env) allFail(cases []badCase) {
	e.t.Helper()
	t, ok := e.t.(*testing.T)
	if !ok {
		e.t.Fatal("allFail runs in tests")
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			old := e.t
			e.t = t
			defer func() { e.t = old }()
			e.fails(c.msg, c.want, c.says)
		})
	}
}

func TestChainRoleMatchesAuth(t *testing.T) {
	if projects.ChainRolePublicAgency != auth.RolePublicAgency || !auth.ValidRole(projects.ChainRolePublicAgency) {
		t.Fatalf("chain role %q is not auth's %q", projects.ChainRolePublicAgency, auth.RolePublicAgency)
	}
	if projects.Treasury("a-b") == projects.Treasury("a-c") || projects.Treasury(bridge) == escrow {
		t.Fatal("treasuries collide")
	}
}

func TestCreate(t *testing.T) {
	e := newEnv(t)
	evs := e.ok(createMsg(""))
	ev := eventOf(evs, "projects.created")
	if ev["project"] != bridge || ev["by"] != ministry.String() || ev["treasury"] != projects.Treasury(bridge).String() ||
		ev["stakeholder_rule"] != projects.RuleAgency || ev["resolver_role"] != projects.RolePublicAgency || ev["sector"] != "bridge" {
		t.Fatalf("created event %v", ev)
	}
	if n := len(eventsOf(evs, "projects.stakeholder_added")); n != 7 {
		t.Fatalf("%d stakeholder_added events", n)
	}
	if d := eventOf(evs, "projects.document_set"); d["name"] != "concession-agreement" || d["version"] != "1" || d["hash"] != hash("concession v1").String() {
		t.Fatalf("document event %v", d)
	}
	p := e.project()
	if p.StakeholderRule != projects.RuleAgency || p.ResolverRole != projects.RolePublicAgency || p.Creator != ministry ||
		p.Treasury != projects.Treasury(bridge) || p.Height != e.ctx.Height || p.Timeline != 9 || p.Entries != 0 {
		t.Fatalf("project %+v", p)
	}
	if roles := e.k.RolesOf(e.ctx, bridge, ministry); len(roles) != 1 || roles[0] != projects.RolePublicAgency {
		t.Fatalf("creator's roles %v", roles)
	}
	if n := len(e.k.Stakeholders(e.ctx, bridge)); n != 7 {
		t.Fatalf("%d stakeholders", n)
	}
	tl := e.k.Timeline(e.ctx, &p, 0, 100)
	if tl.Records[0].Kind != projects.TLCreated || *tl.Records[0].By != ministry || tl.Records[1].Kind != projects.TLStakeholderAdded ||
		tl.Records[8].Kind != projects.TLDocumentSet || tl.Next != 0 {
		t.Fatalf("timeline %+v", tl)
	}
	if id, ok := e.k.ProjectOfTreasury(e.ctx, p.Treasury); !ok || id != bridge {
		t.Fatalf("treasury of %q", id)
	}
	if _, ok := e.k.ProjectOfTreasury(e.ctx, ministry); ok {
		t.Fatal("ministry is a treasury")
	}
	// The treasury receives money from anyone; nobody can sign for it.
	e.ok(&bank.MsgSend{From: mallory, To: p.Treasury, Amount: coin.New(cash, 5)})
	if e.bal(p.Treasury, cash) != 5 {
		t.Fatal("treasury did not receive")
	}
	// The escrow receives nothing from users.
	e.fails(&bank.MsgSend{From: mallory, To: escrow, Amount: coin.New(cash, 5)}, bank.ErrBlockedRecipient, "projects module")
}

func TestCreateBadInput(t *testing.T) {
	e := newEnv(t)
	e.ok(createMsg(""))
	edit := func(fn func(m *projects.MsgCreate)) *projects.MsgCreate {
		m := createMsg("")
		m.ID = "tunnel-1"
		fn(m)
		return m
	}
	long := strings.Repeat("x", 41)
	e.allFail([]badCase{
		{"not a public agency", edit(func(m *projects.MsgCreate) { m.Creator = spv }), projects.ErrNotPublicAgency, "may not create projects"},
		{"id taken", edit(func(m *projects.MsgCreate) { m.ID = bridge }), projects.ErrProjectExists, `"harbour-bridge" exists`},
		{"id too short", edit(func(m *projects.MsgCreate) { m.ID = "ab" }), projects.ErrInvalidMsg, "3 to 40"},
		{"id too long", edit(func(m *projects.MsgCreate) { m.ID = long }), projects.ErrInvalidMsg, "3 to 40"},
		{"id upper case", edit(func(m *projects.MsgCreate) { m.ID = "Bridge" }), projects.ErrInvalidMsg, "only a-z"},
		{"id with a slash", edit(func(m *projects.MsgCreate) { m.ID = "a/b/c" }), projects.ErrInvalidMsg, "only a-z"},
		{"id with a NUL", edit(func(m *projects.MsgCreate) { m.ID = "ab\x00c" }), projects.ErrInvalidMsg, "only a-z"},
		{"id ends with -", edit(func(m *projects.MsgCreate) { m.ID = "abc-" }), projects.ErrInvalidMsg, "start and end"},
		{"reserved id", edit(func(m *projects.MsgCreate) { m.ID = "params" }), projects.ErrInvalidMsg, "reserved"},
		{"no name", edit(func(m *projects.MsgCreate) { m.Name = " " }), projects.ErrInvalidMsg, "give a name"},
		{"bad sector", edit(func(m *projects.MsgCreate) { m.Sector = "airport" }), projects.ErrInvalidMsg, "sector"},
		{"no location", edit(func(m *projects.MsgCreate) { m.Location = "" }), projects.ErrInvalidMsg, "location"},
		{"concession backwards", edit(func(m *projects.MsgCreate) { m.ConcessionEnd = m.ConcessionStart }), projects.ErrInvalidMsg, "not after its start"},
		{"concession start 0", edit(func(m *projects.MsgCreate) { m.ConcessionStart = 0 }), projects.ErrInvalidMsg, "unix time"},
		{"bad rule", edit(func(m *projects.MsgCreate) { m.StakeholderRule = "spv" }), projects.ErrInvalidMsg, "stakeholder rule"},
		{"bad resolver", edit(func(m *projects.MsgCreate) { m.ResolverRole = "dao" }), projects.ErrInvalidMsg, "resolver role"},
		{"bad stakeholder role", edit(func(m *projects.MsgCreate) { m.Stakeholders[0].Role = "banker" }), projects.ErrInvalidMsg, "stakeholder role"},
		{"stakeholder twice", edit(func(m *projects.MsgCreate) { m.Stakeholders[1] = m.Stakeholders[0] }), projects.ErrInvalidMsg, "twice"},
		{"creator again", edit(func(m *projects.MsgCreate) {
			m.Stakeholders[0] = projects.StakeholderRole{Account: ministry, Role: projects.RolePublicAgency}
		}), projects.ErrInvalidMsg, "first public_agency"},
		{"zero stakeholder", edit(func(m *projects.MsgCreate) { m.Stakeholders[0].Account = address.Address{} }), projects.ErrInvalidMsg, "zero stakeholder"},
		{"module account stakeholder", edit(func(m *projects.MsgCreate) { m.Stakeholders[0].Account = escrow }), projects.ErrBadAccount, "module account"},
		{"hold account stakeholder", edit(func(m *projects.MsgCreate) { m.Stakeholders[0].Account = compliance.HoldAccount }), projects.ErrBadAccount, "module account"},
		{"own treasury stakeholder", edit(func(m *projects.MsgCreate) { m.Stakeholders[0].Account = projects.Treasury("tunnel-1") }), projects.ErrBadAccount, "module account"},
		{"document without hash", edit(func(m *projects.MsgCreate) { m.Documents[0].Hash = projects.Hash{} }), projects.ErrInvalidMsg, "SHA-256"},
		{"document without uri", edit(func(m *projects.MsgCreate) { m.Documents[0].URI = "" }), projects.ErrInvalidMsg, "uri"},
		{"document name with a newline", edit(func(m *projects.MsgCreate) { m.Documents[0].Name = "a\nb" }), projects.ErrInvalidMsg, "control characters"},
		{"document twice", edit(func(m *projects.MsgCreate) { m.Documents = append(m.Documents, m.Documents[0]) }), projects.ErrInvalidMsg, "twice"},
		{"long description", edit(func(m *projects.MsgCreate) { m.Description = strings.Repeat("d", projects.MaxDescriptionLen+1) }), projects.ErrInvalidMsg, "description"},
		{"bad UTF-8", edit(func(m *projects.MsgCreate) { m.Name = "\xff" }), projects.ErrInvalidMsg, "UTF-8"},
	})
}

func TestDocuments(t *testing.T) {
	e := newEnv(t)
	e.create(projects.RuleAgency, 0)
	// spv updates the concession agreement; ministry adds the permit, then removes it.
	e.ok(&projects.MsgSetDocument{Editor: spv, Project: bridge, Name: "concession-agreement", URI: "ipfs://bafy-concession-2", Hash: hash("concession v2")})
	e.ok(&projects.MsgSetDocument{Editor: ministry, Project: bridge, Name: "building-permit", URI: "https://permits.example/123", Hash: hash("permit")})
	evs := e.ok(&projects.MsgRemoveDocument{Editor: ministry, Project: bridge, Name: "building-permit"})
	if ev := eventOf(evs, "projects.document_removed"); ev["version"] != "2" || ev["by"] != ministry.String() {
		t.Fatalf("removed event %v", ev)
	}
	docs := e.k.Documents(e.ctx, bridge)
	if len(docs) != 1 || docs[0].Version != 2 || docs[0].Hash != hash("concession v2") || docs[0].By != spv {
		t.Fatalf("current documents %+v", docs)
	}
	hist := e.k.DocumentHistory(e.ctx, bridge)
	if len(hist) != 4 || !hist[1].Removed || hist[0].Name != "building-permit" || hist[3].Version != 2 {
		t.Fatalf("history %+v", hist)
	}
	// A removed document may come back, as version 3.
	e.ok(&projects.MsgSetDocument{Editor: ministry, Project: bridge, Name: "building-permit", URI: "https://permits.example/124", Hash: hash("permit 2")})
	if d := e.k.Documents(e.ctx, bridge); len(d) != 2 || d[0].Version != 3 {
		t.Fatalf("documents %+v", d)
	}
	e.allFail([]badCase{
		{"contractor sets", &projects.MsgSetDocument{Editor: builder, Project: bridge, Name: "x", URI: "u", Hash: hash("x")}, projects.ErrWrongRole, "public_agency or private_partner"},
		{"outsider sets", &projects.MsgSetDocument{Editor: mallory, Project: bridge, Name: "x", URI: "u", Hash: hash("x")}, projects.ErrNotStakeholder, "holds no role"},
		{"unknown project", &projects.MsgSetDocument{Editor: ministry, Project: "nowhere", Name: "x", URI: "u", Hash: hash("x")}, projects.ErrUnknownProject, "nowhere"},
		{"no hash", &projects.MsgSetDocument{Editor: ministry, Project: bridge, Name: "x", URI: "u"}, projects.ErrInvalidMsg, "SHA-256"},
		{"remove unknown", &projects.MsgRemoveDocument{Editor: ministry, Project: bridge, Name: "design"}, projects.ErrUnknownDocument, `no document "design"`},
		{"remove by operator", &projects.MsgRemoveDocument{Editor: operator, Project: bridge, Name: "building-permit"}, projects.ErrWrongRole, "holds operator"},
	})
	e.ok(&projects.MsgRemoveDocument{Editor: ministry, Project: bridge, Name: "building-permit"})
	e.fails(&projects.MsgRemoveDocument{Editor: ministry, Project: bridge, Name: "building-permit"}, projects.ErrUnknownDocument, "no document")
}

func TestDocumentLimit(t *testing.T) {
	e := newEnv(t)
	e.create(projects.RuleAgency, 0)
	for i := 1; i < projects.MaxDocuments; i++ {
		e.ok(&projects.MsgSetDocument{Editor: ministry, Project: bridge, Name: "doc-" + itoa(i), URI: "u", Hash: hash(itoa(i))})
	}
	e.fails(&projects.MsgSetDocument{Editor: ministry, Project: bridge, Name: "one-more", URI: "u", Hash: hash("x")}, projects.ErrTooMany, "64 documents")
	// A new version of an existing document is no new document.
	e.ok(&projects.MsgSetDocument{Editor: ministry, Project: bridge, Name: "doc-1", URI: "u2", Hash: hash("x")})
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestStakeholdersUnderAgencyRule(t *testing.T) {
	e := newEnv(t)
	e.create(projects.RuleAgency, 0)
	tunnel := createMsg(projects.RuleAgency)
	tunnel.ID, tunnel.Stakeholders, tunnel.Documents = "tunnel", nil, nil
	e.ok(tunnel)
	evs := e.ok(&projects.MsgAddStakeholder{Agency: ministry, Project: bridge, Account: region, Role: projects.RolePublicAgency})
	if ev := eventOf(evs, "projects.stakeholder_added"); ev["account"] != region.String() || ev["role"] != projects.RolePublicAgency || ev["by"] != ministry.String() {
		t.Fatalf("added %v", ev)
	}
	// An account may hold several roles.
	e.ok(&projects.MsgAddStakeholder{Agency: region, Project: bridge, Account: lender, Role: projects.RoleAuditor})
	if r := e.k.RolesOf(e.ctx, bridge, lender); len(r) != 2 {
		t.Fatalf("lender's roles %v", r)
	}
	evs = e.ok(&projects.MsgRemoveStakeholder{Agency: region, Project: bridge, Account: ministry, Role: projects.RolePublicAgency, Reason: "reorganisation"})
	if ev := eventOf(evs, "projects.stakeholder_removed"); ev["reason"] != "reorganisation" {
		t.Fatalf("removed %v", ev)
	}
	e.allFail([]badCase{
		{"last agency", &projects.MsgRemoveStakeholder{Agency: region, Project: bridge, Account: region, Role: projects.RolePublicAgency, Reason: "x"}, projects.ErrLastAgency, "only public_agency"},
		{"removed agency adds", &projects.MsgAddStakeholder{Agency: ministry, Project: bridge, Account: mallory, Role: projects.RoleLender}, projects.ErrNotStakeholder, "holds no role"},
		{"spv adds", &projects.MsgAddStakeholder{Agency: spv, Project: bridge, Account: mallory, Role: projects.RoleLender}, projects.ErrWrongRole, "public_agency"},
		{"add twice", &projects.MsgAddStakeholder{Agency: region, Project: bridge, Account: lender, Role: projects.RoleLender}, projects.ErrStakeholderExists, "already holds lender"},
		{"remove unheld", &projects.MsgRemoveStakeholder{Agency: region, Project: bridge, Account: mallory, Role: projects.RoleLender, Reason: "x"}, projects.ErrUnknownStakeholder, "does not hold"},
		{"remove without reason", &projects.MsgRemoveStakeholder{Agency: region, Project: bridge, Account: lender, Role: projects.RoleLender}, projects.ErrInvalidMsg, "reason"},
		{"add escrow", &projects.MsgAddStakeholder{Agency: region, Project: bridge, Account: escrow, Role: projects.RoleLender}, projects.ErrBadAccount, "module account"},
		{"add treasury", &projects.MsgAddStakeholder{Agency: region, Project: bridge, Account: projects.Treasury(bridge), Role: projects.RoleLender}, projects.ErrBadAccount, "module account"},
		{"add another project's treasury", &projects.MsgAddStakeholder{Agency: region, Project: bridge, Account: projects.Treasury("tunnel"), Role: projects.RoleLender}, projects.ErrBadAccount, "treasury of project tunnel"},
		{"bad role", &projects.MsgAddStakeholder{Agency: region, Project: bridge, Account: mallory, Role: "banker"}, projects.ErrInvalidMsg, "role"},
		{"zero account", &projects.MsgAddStakeholder{Agency: region, Project: bridge, Role: projects.RoleLender}, projects.ErrInvalidMsg, "zero stakeholder"},
	})
	// Under the rule agency a private partner's proposal waits for an agency.
	evs = e.ok(&projects.MsgProposeStakeholderChange{Proposer: spv, Project: bridge, Action: projects.ActionAdd, Account: mallory, Role: projects.RoleOperator})
	id := eventOf(evs, "projects.stakeholder_change_proposed")["change"]
	if id != "1" || e.k.Holds(e.ctx, bridge, mallory, projects.RoleOperator) {
		t.Fatalf("proposed %v", evs)
	}
	evs = e.ok(&projects.MsgApproveStakeholderChange{Approver: region, Project: bridge, Change: 1})
	if !e.k.Holds(e.ctx, bridge, mallory, projects.RoleOperator) || eventOf(evs, "projects.stakeholder_added")["change"] != "1" {
		t.Fatalf("approved %v", evs)
	}
	// An agency's proposal applies at once.
	e.ok(&projects.MsgProposeStakeholderChange{Proposer: region, Project: bridge, Action: projects.ActionRemove, Account: mallory, Role: projects.RoleOperator, Reason: "never was"})
	if e.k.Holds(e.ctx, bridge, mallory, projects.RoleOperator) || len(e.k.Changes(e.ctx, bridge)) != 0 {
		t.Fatal("an agency's proposal under the rule agency did not apply")
	}
}

func TestStakeholderChangesAgencySPV(t *testing.T) {
	e := newEnv(t)
	e.create(projects.RuleAgencySPV, 0)
	e.allFail([]badCase{
		{"direct add", &projects.MsgAddStakeholder{Agency: ministry, Project: bridge, Account: region, Role: projects.RolePublicAgency}, projects.ErrApprovalRequired, "agency+spv"},
		{"direct remove", &projects.MsgRemoveStakeholder{Agency: ministry, Project: bridge, Account: lender, Role: projects.RoleLender, Reason: "x"}, projects.ErrApprovalRequired, "propose it"},
		{"lender proposes", &projects.MsgProposeStakeholderChange{Proposer: lender, Project: bridge, Action: projects.ActionAdd, Account: mallory, Role: projects.RoleLender}, projects.ErrWrongRole, "public_agency or private_partner"},
		{"bad action", &projects.MsgProposeStakeholderChange{Proposer: ministry, Project: bridge, Action: "replace", Account: mallory, Role: projects.RoleLender}, projects.ErrInvalidMsg, "action"},
		{"removal without reason", &projects.MsgProposeStakeholderChange{Proposer: ministry, Project: bridge, Action: projects.ActionRemove, Account: lender, Role: projects.RoleLender}, projects.ErrInvalidMsg, "reason"},
		{"add existing", &projects.MsgProposeStakeholderChange{Proposer: ministry, Project: bridge, Action: projects.ActionAdd, Account: lender, Role: projects.RoleLender}, projects.ErrStakeholderExists, "already holds"},
		{"remove last agency", &projects.MsgProposeStakeholderChange{Proposer: spv, Project: bridge, Action: projects.ActionRemove, Account: ministry, Role: projects.RolePublicAgency, Reason: "x"}, projects.ErrLastAgency, "only public_agency"},
	})
	evs := e.ok(&projects.MsgProposeStakeholderChange{Proposer: ministry, Project: bridge, Action: projects.ActionAdd, Account: region, Role: projects.RolePublicAgency, Reason: "co-grantor"})
	if ev := eventOf(evs, "projects.stakeholder_change_proposed"); ev["change"] != "1" || ev["side"] != projects.RolePublicAgency {
		t.Fatalf("proposed %v", ev)
	}
	c, ok := e.k.Change(e.ctx, 1)
	if !ok || c.Agency == nil || *c.Agency != ministry || c.SPV != nil || c.Expires != start.Unix()+projects.ChangeTTL {
		t.Fatalf("change %+v", c)
	}
	e.allFail([]badCase{
		{"proposer approves again", &projects.MsgApproveStakeholderChange{Approver: ministry, Project: bridge, Change: 1}, projects.ErrAlreadyApproved, "approved change 1 already"},
		{"engineer approves", &projects.MsgApproveStakeholderChange{Approver: engineer, Project: bridge, Change: 1}, projects.ErrWrongRole, "public_agency or private_partner"},
		{"unknown change", &projects.MsgApproveStakeholderChange{Approver: spv, Project: bridge, Change: 9}, projects.ErrUnknownChange, "no pending stakeholder change 9"},
		{"change 0", &projects.MsgApproveStakeholderChange{Approver: spv, Project: bridge, Change: 0}, projects.ErrInvalidMsg, "ids start at 1"},
		{"outsider approves", &projects.MsgApproveStakeholderChange{Approver: mallory, Project: bridge, Change: 1}, projects.ErrNotStakeholder, "holds no role"},
	})
	evs = e.ok(&projects.MsgApproveStakeholderChange{Approver: spv, Project: bridge, Change: 1})
	if ev := eventOf(evs, "projects.stakeholder_change_approved"); ev["applied"] != "true" || ev["side"] != projects.RolePrivatePartner {
		t.Fatalf("approved %v", ev)
	}
	if !e.k.Holds(e.ctx, bridge, region, projects.RolePublicAgency) || len(e.k.Changes(e.ctx, bridge)) != 0 {
		t.Fatal("the approved change did not apply")
	}
	// A second agency cannot complete an agency's proposal: the other side must.
	e.ok(&projects.MsgProposeStakeholderChange{Proposer: ministry, Project: bridge, Action: projects.ActionRemove, Account: lender, Role: projects.RoleLender, Reason: "loan repaid"})
	e.fails(&projects.MsgApproveStakeholderChange{Approver: region, Project: bridge, Change: 2}, projects.ErrWrongRole, "waits for the approval of a private_partner")
	// It expires after 30 days, at the end of a block.
	e.at(start.Add(30*day - time.Second))
	if evs := e.endBlock(); len(evs) != 0 {
		t.Fatalf("end block before the expiry: %v", evs)
	}
	e.at(start.Add(30 * day))
	e.fails(&projects.MsgApproveStakeholderChange{Approver: spv, Project: bridge, Change: 2}, projects.ErrChangeExpired, "expired at")
	evs = e.endBlock()
	if ev := eventOf(evs, "projects.stakeholder_change_expired"); ev["change"] != "2" {
		t.Fatalf("expiry %v", evs)
	}
	if _, ok := e.k.Change(e.ctx, 2); ok || !e.k.Holds(e.ctx, bridge, lender, projects.RoleLender) {
		t.Fatal("the expired change is still pending or applied")
	}
	e.fails(&projects.MsgApproveStakeholderChange{Approver: spv, Project: bridge, Change: 2}, projects.ErrUnknownChange, "no pending")
	// A change that no longer applies fails at the last approval and stays pending.
	e.ok(&projects.MsgProposeStakeholderChange{Proposer: spv, Project: bridge, Action: projects.ActionAdd, Account: mallory, Role: projects.RoleAuditor})
	e.ok(&projects.MsgProposeStakeholderChange{Proposer: spv, Project: bridge, Action: projects.ActionAdd, Account: mallory, Role: projects.RoleAuditor})
	e.ok(&projects.MsgApproveStakeholderChange{Approver: ministry, Project: bridge, Change: 3})
	e.fails(&projects.MsgApproveStakeholderChange{Approver: ministry, Project: bridge, Change: 4}, projects.ErrStakeholderExists, "already holds auditor")
	// Without a private partner, the agency's approval is enough.
	e.ok(&projects.MsgProposeStakeholderChange{Proposer: ministry, Project: bridge, Action: projects.ActionRemove, Account: spv, Role: projects.RolePrivatePartner, Reason: "SPV wound up"})
	e.ok(&projects.MsgApproveStakeholderChange{Approver: spv, Project: bridge, Change: 5})
	e.ok(&projects.MsgAddStakeholder{Agency: ministry, Project: bridge, Account: operator, Role: projects.RolePrivatePartner})
	e.fails(&projects.MsgAddStakeholder{Agency: ministry, Project: bridge, Account: mallory, Role: projects.RoleLender}, projects.ErrApprovalRequired, "propose")
}

func TestPendingChangeLimit(t *testing.T) {
	e := newEnv(t)
	e.create(projects.RuleAgencySPV, 0)
	for i := 0; i < projects.MaxPendingChanges; i++ {
		e.ok(&projects.MsgProposeStakeholderChange{Proposer: spv, Project: bridge, Action: projects.ActionAdd, Account: addr("x" + itoa(i)), Role: projects.RoleLender})
	}
	e.fails(&projects.MsgProposeStakeholderChange{Proposer: spv, Project: bridge, Action: projects.ActionAdd, Account: mallory, Role: projects.RoleLender},
		projects.ErrTooMany, "32 pending")
}

func TestLedger(t *testing.T) {
	e := newEnv(t)
	e.create(projects.RuleAgency, 0)
	e.ok(planMsg("foundations", 1_000, start.Add(90*day)))
	doc := []projects.Attachment{{URI: "ipfs://site-photos", Hash: hash("photos")}}
	evs := e.ok(&projects.MsgPostReport{Author: builder, Project: bridge, Milestone: "foundations", Percent: 40, Summary: "Piles 1-12 driven.", Documents: doc})
	ev := eventOf(evs, "projects.report_posted")
	if ev["entry"] != "1" || ev["milestone"] != "foundations" || ev["percent"] != "40" || ev["roles"] != projects.RoleContractor {
		t.Fatalf("posted %v", ev)
	}
	e1, _ := e.k.Entry(e.ctx, bridge, 1)
	if p := e.project(); p.Entries != 1 || p.LedgerHash != e1.Hash || e1.Hash.IsZero() {
		t.Fatalf("project %+v, entry %+v", p, e1)
	}
	e.ok(&projects.MsgAttest{Attester: engineer, Project: bridge, Entry: 1, Note: "seen on site"})
	evs = e.ok(&projects.MsgDispute{Disputer: auditor, Project: bridge, Entry: 1, Reason: "pile 12 not load-tested"})
	if ev := eventOf(evs, "projects.entry_disputed"); ev["reason"] != "pile 12 not load-tested" || ev["by"] != auditor.String() {
		t.Fatalf("disputed %v", ev)
	}
	// The author corrects it with a new entry.
	evs = e.ok(&projects.MsgPostReport{Author: builder, Project: bridge, Milestone: "foundations", Percent: 35, Summary: "Piles 1-11 driven and tested; pile 12 to be tested.", Amends: 1})
	if eventOf(evs, "projects.report_posted")["amends"] != "1" {
		t.Fatalf("amendment %v", evs)
	}
	e.ok(&projects.MsgPostReport{Author: ministry, Project: bridge, Percent: 10, Summary: "Project 10 % complete."})
	p := e.project()
	info, err := e.k.EntryInfo(e.ctx, &p, 1)
	if err != nil || info.Attested != 1 || info.Disputed != 1 || len(info.AmendedBy) != 1 || info.AmendedBy[0] != 2 || info.Summary != "Piles 1-12 driven." {
		t.Fatalf("entry info %+v %v", info, err)
	}
	long := strings.Repeat("s", projects.MaxSummaryLen+1)
	e.allFail([]badCase{
		{"outsider posts", &projects.MsgPostReport{Author: mallory, Project: bridge, Summary: "fake"}, projects.ErrNotStakeholder, "holds no role"},
		{"percent 101", &projects.MsgPostReport{Author: builder, Project: bridge, Percent: 101, Summary: "x"}, projects.ErrInvalidMsg, "0 to 100"},
		{"summary too long", &projects.MsgPostReport{Author: builder, Project: bridge, Summary: long}, projects.ErrInvalidMsg, "at most 2000"},
		{"empty summary", &projects.MsgPostReport{Author: builder, Project: bridge}, projects.ErrInvalidMsg, "summary"},
		{"unknown milestone", &projects.MsgPostReport{Author: builder, Project: bridge, Milestone: "deck", Summary: "x"}, projects.ErrUnknownMilestone, `no milestone "deck"`},
		{"amends unknown", &projects.MsgPostReport{Author: builder, Project: bridge, Summary: "x", Amends: 9}, projects.ErrUnknownEntry, "no entry 9"},
		{"amends another's", &projects.MsgPostReport{Author: builder, Project: bridge, Summary: "x", Amends: 3}, projects.ErrNotAuthor, "dispute it instead"},
		{"document without hash", &projects.MsgPostReport{Author: builder, Project: bridge, Summary: "x", Documents: []projects.Attachment{{URI: "u"}}}, projects.ErrInvalidMsg, "SHA-256"},
		{"document twice", &projects.MsgPostReport{Author: builder, Project: bridge, Summary: "x", Documents: append(doc, doc...)}, projects.ErrInvalidMsg, "twice"},
		{"attest own", &projects.MsgAttest{Attester: builder, Project: bridge, Entry: 1}, projects.ErrOwnEntry, "wrote entry 1"},
		{"dispute own", &projects.MsgDispute{Disputer: builder, Project: bridge, Entry: 1, Reason: "x"}, projects.ErrOwnEntry, "wrote entry 1"},
		{"attest twice", &projects.MsgAttest{Attester: engineer, Project: bridge, Entry: 1}, projects.ErrAlreadyAttested, "attested entry 1"},
		{"dispute after attesting", &projects.MsgDispute{Disputer: engineer, Project: bridge, Entry: 1, Reason: "changed my mind"}, projects.ErrAlreadyAttested, "attested entry 1"},
		{"attest after disputing", &projects.MsgAttest{Attester: auditor, Project: bridge, Entry: 1}, projects.ErrAlreadyAttested, "disputed entry 1"},
		{"outsider attests", &projects.MsgAttest{Attester: mallory, Project: bridge, Entry: 1}, projects.ErrNotStakeholder, "holds no role"},
		{"attest unknown entry", &projects.MsgAttest{Attester: engineer, Project: bridge, Entry: 4}, projects.ErrUnknownEntry, "no entry 4"},
		{"attest entry 0", &projects.MsgAttest{Attester: engineer, Project: bridge}, projects.ErrInvalidMsg, "ids start at 1"},
		{"dispute without reason", &projects.MsgDispute{Disputer: engineer, Project: bridge, Entry: 2}, projects.ErrInvalidMsg, "reason"},
	})
	// The timeline has every step in order.
	tl := e.k.Timeline(e.ctx, &p, 9, 100)
	var kinds []string
	for _, r := range tl.Records {
		kinds = append(kinds, r.Kind)
	}
	if got := strings.Join(kinds, " "); got != "milestone_planned report attestation dispute report report" {
		t.Fatalf("timeline %s", got)
	}
	if r := tl.Records[3]; *r.By != auditor || r.Roles[0] != projects.RoleAuditor || r.Entry != 1 || r.Note != "pile 12 not load-tested" || r.Height != e.ctx.Height {
		t.Fatalf("dispute record %+v", r)
	}
	// Pages.
	pg := e.k.Timeline(e.ctx, &p, 0, 4)
	if len(pg.Records) != 4 || pg.Next != 4 || pg.Records[3].Seq != 4 {
		t.Fatalf("page %+v", pg)
	}
	if pg := e.k.Entries(e.ctx, &p, 1, 1); len(pg.Entries) != 1 || pg.Entries[0].ID != 2 || pg.Next != 2 {
		t.Fatalf("entries page %+v", pg)
	}
}

func TestMilestoneRelease(t *testing.T) {
	e := newEnv(t)
	p := e.create(projects.RuleAgency, 5_000_000)
	evs := e.ok(planMsg("deck", 2_000_000, start.Add(90*day)))
	if ev := eventOf(evs, "projects.milestone_planned"); ev["tranche"] != "2000000ueur" || ev["policy"] != "2 of independent_engineer, public_agency" || ev["window"] != "604800" {
		t.Fatalf("planned %v", ev)
	}
	evs = e.ok(&projects.MsgFundMilestone{Funder: spv, Project: bridge, Milestone: "deck"})
	if ev := eventOf(evs, "projects.milestone_funded"); ev["amount"] != "2000000ueur" || ev["by"] != spv.String() {
		t.Fatalf("funded %v", ev)
	}
	if e.bal(p.Treasury, cash) != 3_000_000 || e.bal(escrow, cash) != 2_000_000 {
		t.Fatalf("treasury %d escrow %d", e.bal(p.Treasury, cash), e.bal(escrow, cash))
	}
	e.ok(&projects.MsgClaimComplete{Payee: builder, Project: bridge, Milestone: "deck", Note: "deck poured",
		Evidence: []projects.Attachment{{URI: "ipfs://deck", Hash: hash("deck")}}})
	evs = e.ok(&projects.MsgSignOff{Signatory: engineer, Project: bridge, Milestone: "deck", Role: projects.RoleIndependentEngineer})
	if ev := eventOf(evs, "projects.milestone_sign_off"); ev["signatures"] != "1" || ev["min"] != "2" || eventOf(evs, "projects.milestone_signed_off") != nil {
		t.Fatalf("first sign-off %v", evs)
	}
	e.at(start.Add(time.Hour))
	evs = e.ok(&projects.MsgSignOff{Signatory: ministry, Project: bridge, Milestone: "deck", Role: projects.RolePublicAgency})
	ends := start.Add(time.Hour + week)
	if ev := eventOf(evs, "projects.milestone_signed_off"); ev["window_ends"] != ends.Format(time.RFC3339) {
		t.Fatalf("signed off %v", evs)
	}
	m := e.milestone("deck")
	if m.Status != projects.MilestoneSignedOff || m.WindowEnds != ends.Unix() || len(m.SignOffs) != 2 {
		t.Fatalf("milestone %+v", m)
	}
	// Nothing before the window ends.
	e.at(ends.Add(-time.Second))
	if evs := e.endBlock(); len(evs) != 0 {
		t.Fatalf("end block in the window: %v", evs)
	}
	e.at(ends)
	e.fails(&projects.MsgDisputeMilestone{Disputer: lender, Project: bridge, Milestone: "deck", Reason: "late"}, projects.ErrWindowClosed, "closed at")
	evs = e.endBlock()
	if ev := eventOf(evs, "projects.milestone_released"); ev["amount"] != "2000000ueur" || ev["via"] != projects.ViaWindow || ev["payee"] != builder.String() {
		t.Fatalf("released %v", evs)
	}
	m = e.milestone("deck")
	if m.Status != projects.MilestoneReleased || m.Released != 2_000_000 || m.ReleasedHeight != e.ctx.Height || m.InEscrow() != 0 {
		t.Fatalf("milestone %+v", m)
	}
	if e.bal(builder, cash) != 2_000_000 || e.bal(escrow, cash) != 0 {
		t.Fatalf("builder %d escrow %d", e.bal(builder, cash), e.bal(escrow, cash))
	}
	if tot := e.k.Totals(e.ctx, cash); tot.Funded != 2_000_000 || tot.Released != 2_000_000 || tot.Returned != 0 {
		t.Fatalf("totals %+v", tot)
	}
	// Released once: later blocks do nothing; nothing more can happen to it.
	if evs := e.next(week); len(evs) != 0 {
		t.Fatalf("after the release: %v", evs)
	}
	e.allFail([]badCase{
		{"fund again", &projects.MsgFundMilestone{Funder: ministry, Project: bridge, Milestone: "deck"}, projects.ErrWrongStatus, "is released"},
		{"claim again", &projects.MsgClaimComplete{Payee: builder, Project: bridge, Milestone: "deck"}, projects.ErrWrongStatus, "is released"},
		{"sign again", &projects.MsgSignOff{Signatory: lender, Project: bridge, Milestone: "deck", Role: projects.RoleLender}, projects.ErrAlreadySigned, "signed off already"},
		{"dispute after release", &projects.MsgDisputeMilestone{Disputer: lender, Project: bridge, Milestone: "deck", Reason: "x"}, projects.ErrWindowClosed, "closed"},
		{"resolve released", &projects.MsgResolve{Resolver: ministry, Project: bridge, Milestone: "deck", Decision: projects.DecisionRelease, Reason: "x"}, projects.ErrWrongStatus, "only a disputed"},
		{"cancel released", &projects.MsgCancelMilestone{Resolver: ministry, Project: bridge, Milestone: "deck", Reason: "x"}, projects.ErrWrongStatus, "is released"},
	})
}

func TestMilestoneBadInput(t *testing.T) {
	e := newEnv(t)
	e.create(projects.RuleAgency, 500)
	e.ok(&assets.MsgCreate{Issuer: bankCo, Denom: "uusd", Kind: assets.KindCash, Name: "Dollar token", Symbol: "USDT", Decimals: 2})
	e.ok(&assets.MsgCreate{Issuer: bankCo, Denom: "upass", Kind: assets.KindCash, Name: "x", Symbol: "PASSX", Decimals: 0})
	edit := func(fn func(m *projects.MsgPlanMilestone)) *projects.MsgPlanMilestone {
		m := planMsg("deck", 1_000, start.Add(90*day))
		fn(m)
		return m
	}
	e.ok(planMsg("foundations", 1_000, start.Add(30*day)))
	e.allFail([]badCase{
		{"contractor plans", edit(func(m *projects.MsgPlanMilestone) { m.Planner = builder }), projects.ErrWrongRole, "planning a milestone"},
		{"outsider plans", edit(func(m *projects.MsgPlanMilestone) { m.Planner = mallory }), projects.ErrNotStakeholder, "holds no role"},
		{"id taken", edit(func(m *projects.MsgPlanMilestone) { m.ID = "foundations" }), projects.ErrMilestoneExists, `milestone "foundations"`},
		{"bad id", edit(func(m *projects.MsgPlanMilestone) { m.ID = "Deck" }), projects.ErrInvalidMsg, "milestone id"},
		{"due in the past", edit(func(m *projects.MsgPlanMilestone) { m.Due = start.Unix() }), projects.ErrBadTime, "not after the block time"},
		{"no due date", edit(func(m *projects.MsgPlanMilestone) { m.Due = 0 }), projects.ErrInvalidMsg, "due date"},
		{"zero tranche", edit(func(m *projects.MsgPlanMilestone) { m.Tranche.Amount = 0 }), projects.ErrInvalidMsg, "positive"},
		{"unknown asset", edit(func(m *projects.MsgPlanMilestone) { m.Tranche.Denom = "ugbp" }), projects.ErrUnknownAsset, `"ugbp"`},
		{"native coin", edit(func(m *projects.MsgPlanMilestone) { m.Tranche.Denom = "ugrd" }), projects.ErrUnknownAsset, "ugrd"},
		{"payee not a stakeholder", edit(func(m *projects.MsgPlanMilestone) { m.Payee = mallory }), projects.ErrNotStakeholder, "payee"},
		{"payee the escrow", edit(func(m *projects.MsgPlanMilestone) { m.Payee = escrow }), projects.ErrBadAccount, "module account"},
		{"payee the treasury", edit(func(m *projects.MsgPlanMilestone) { m.Payee = projects.Treasury(bridge) }), projects.ErrBadAccount, "module account"},
		{"no policy roles", edit(func(m *projects.MsgPlanMilestone) { m.Policy.Roles = nil }), projects.ErrInvalidMsg, "no role"},
		{"policy min 0", edit(func(m *projects.MsgPlanMilestone) { m.Policy.Min = 0 }), projects.ErrInvalidMsg, "min 0"},
		{"policy min above roles", edit(func(m *projects.MsgPlanMilestone) { m.Policy.Min = 3 }), projects.ErrInvalidMsg, "want 1 to 2"},
		{"policy role twice", edit(func(m *projects.MsgPlanMilestone) { m.Policy.Roles[1] = m.Policy.Roles[0] }), projects.ErrInvalidMsg, "twice"},
		{"policy bad role", edit(func(m *projects.MsgPlanMilestone) { m.Policy.Roles[1] = "mayor" }), projects.ErrInvalidMsg, "sign-off role"},
		{"negative window", edit(func(m *projects.MsgPlanMilestone) { m.Window = -1 }), projects.ErrInvalidMsg, "challenge window"},
		{"window over a year", edit(func(m *projects.MsgPlanMilestone) { m.Window = projects.MaxWindow + 1 }), projects.ErrInvalidMsg, "365 days"},
		{"no description", edit(func(m *projects.MsgPlanMilestone) { m.Description = "" }), projects.ErrInvalidMsg, "description"},
		{"fund unknown", &projects.MsgFundMilestone{Funder: ministry, Project: bridge, Milestone: "deck"}, projects.ErrUnknownMilestone, "deck"},
		{"fund by contractor", &projects.MsgFundMilestone{Funder: builder, Project: bridge, Milestone: "foundations"}, projects.ErrWrongRole, "funding"},
		{"fund without money", &projects.MsgFundMilestone{Funder: ministry, Project: bridge, Milestone: "foundations"}, projects.ErrInsufficientFunds, "holds 500ueur; milestone foundations needs 1000ueur"},
		{"claim by another", &projects.MsgClaimComplete{Payee: engineer, Project: bridge, Milestone: "foundations"}, projects.ErrNotPayee, "only it claims"},
		{"sign unclaimed", &projects.MsgSignOff{Signatory: engineer, Project: bridge, Milestone: "foundations", Role: projects.RoleIndependentEngineer}, projects.ErrWrongStatus, "not claimed"},
		{"dispute planned", &projects.MsgDisputeMilestone{Disputer: lender, Project: bridge, Milestone: "foundations", Reason: "x"}, projects.ErrWrongStatus, "once signed off"},
		{"resolve planned", &projects.MsgResolve{Resolver: ministry, Project: bridge, Milestone: "foundations", Decision: projects.DecisionRelease, Reason: "x"}, projects.ErrWrongStatus, "only a disputed"},
		{"bad decision", &projects.MsgResolve{Resolver: ministry, Project: bridge, Milestone: "foundations", Decision: "split", Reason: "x"}, projects.ErrInvalidMsg, "decision"},
	})
	// A milestone's tranche is a cash asset; a security is refused.
	e.ok(&auth.MsgGrantRole{Authority: admin, Role: auth.RoleAssetIssuer, Account: spv})
	e.ok(&assets.MsgCreate{Issuer: spv, Denom: "ubridge", Kind: assets.KindSecurity, Name: "Bridge SPV equity", Symbol: "BRIDGE", Decimals: 6})
	e.fails(edit(func(m *projects.MsgPlanMilestone) { m.Tranche.Denom = "ubridge" }), projects.ErrNotCash, "security asset")

	e.ok(&bank.MsgSend{From: spv, To: projects.Treasury(bridge), Amount: coin.New(cash, 500)})
	e.ok(&projects.MsgFundMilestone{Funder: ministry, Project: bridge, Milestone: "foundations"})
	e.ok(&projects.MsgClaimComplete{Payee: builder, Project: bridge, Milestone: "foundations"})
	e.allFail([]badCase{
		{"fund twice", &projects.MsgFundMilestone{Funder: ministry, Project: bridge, Milestone: "foundations"}, projects.ErrAlreadyFunded, "was funded at height"},
		{"claim twice", &projects.MsgClaimComplete{Payee: builder, Project: bridge, Milestone: "foundations"}, projects.ErrAlreadyClaimed, "was claimed complete"},
		{"role not in policy", &projects.MsgSignOff{Signatory: lender, Project: bridge, Milestone: "foundations", Role: projects.RoleLender}, projects.ErrRoleNotInPolicy, "not by lender"},
		{"role not held", &projects.MsgSignOff{Signatory: lender, Project: bridge, Milestone: "foundations", Role: projects.RoleIndependentEngineer}, projects.ErrRoleNotHeld, "not independent_engineer"},
		{"outsider signs", &projects.MsgSignOff{Signatory: mallory, Project: bridge, Milestone: "foundations", Role: projects.RolePublicAgency}, projects.ErrNotStakeholder, "holds no role"},
		{"bad role", &projects.MsgSignOff{Signatory: ministry, Project: bridge, Milestone: "foundations", Role: "mayor"}, projects.ErrInvalidMsg, "role"},
	})
	e.ok(&projects.MsgSignOff{Signatory: engineer, Project: bridge, Milestone: "foundations", Role: projects.RoleIndependentEngineer})
	e.fails(&projects.MsgSignOff{Signatory: engineer, Project: bridge, Milestone: "foundations", Role: projects.RoleIndependentEngineer}, projects.ErrAlreadySigned, "the role independent_engineer signed off")
	// The engineer also holds public_agency: one account signs for one role only.
	e.ok(&projects.MsgAddStakeholder{Agency: ministry, Project: bridge, Account: engineer, Role: projects.RolePublicAgency})
	e.fails(&projects.MsgSignOff{Signatory: engineer, Project: bridge, Milestone: "foundations", Role: projects.RolePublicAgency}, projects.ErrAlreadySigned, "each role signs by a different account")
	// The payee does not sign off its own milestone, whatever roles it holds.
	e.ok(&projects.MsgAddStakeholder{Agency: ministry, Project: bridge, Account: builder, Role: projects.RolePublicAgency})
	e.fails(&projects.MsgSignOff{Signatory: builder, Project: bridge, Milestone: "foundations", Role: projects.RolePublicAgency}, projects.ErrPayeeSignOff, "payee")
}

func TestDisputeAndResolve(t *testing.T) {
	e := newEnv(t)
	p := e.create(projects.RuleAgency, 5_000_000)
	e.signedOff("deck", 1_000_000, true)
	e.signedOff("opening", 2_000_000, true)
	e.signedOff("lighting", 500_000, false)
	e.at(start.Add(day))
	evs := e.ok(&projects.MsgDisputeMilestone{Disputer: lender, Project: bridge, Milestone: "deck", Reason: "cracks in span 3"})
	if ev := eventOf(evs, "projects.milestone_disputed"); ev["by"] != lender.String() || ev["reason"] != "cracks in span 3" {
		t.Fatalf("disputed %v", ev)
	}
	e.ok(&projects.MsgDisputeMilestone{Disputer: auditor, Project: bridge, Milestone: "opening", Reason: "safety report missing"})
	e.ok(&projects.MsgDisputeMilestone{Disputer: operator, Project: bridge, Milestone: "lighting", Reason: "lamps flicker"})
	e.allFail([]badCase{
		{"dispute twice", &projects.MsgDisputeMilestone{Disputer: auditor, Project: bridge, Milestone: "deck", Reason: "x"}, projects.ErrWrongStatus, "disputed already"},
		{"outsider disputes", &projects.MsgDisputeMilestone{Disputer: mallory, Project: bridge, Milestone: "deck", Reason: "x"}, projects.ErrNotStakeholder, "holds no role"},
		{"dispute without reason", &projects.MsgDisputeMilestone{Disputer: lender, Project: bridge, Milestone: "deck"}, projects.ErrInvalidMsg, "reason"},
		{"spv resolves", &projects.MsgResolve{Resolver: spv, Project: bridge, Milestone: "deck", Decision: projects.DecisionRelease, Reason: "x"}, projects.ErrNotResolver, "resolver role is public_agency"},
		{"resolve without reason", &projects.MsgResolve{Resolver: ministry, Project: bridge, Milestone: "deck", Decision: projects.DecisionRelease}, projects.ErrInvalidMsg, "reason"},
		{"release unfunded", &projects.MsgResolve{Resolver: ministry, Project: bridge, Milestone: "lighting", Decision: projects.DecisionRelease, Reason: "fine"}, projects.ErrNotFunded, "fund it"},
		{"cancel unknown", &projects.MsgCancelMilestone{Resolver: ministry, Project: bridge, Milestone: "nope", Reason: "x"}, projects.ErrUnknownMilestone, "nope"},
	})
	// The window ends: disputed milestones are not released.
	e.at(start.Add(2 * week))
	if evs := e.endBlock(); len(evs) != 0 {
		t.Fatalf("disputed milestones released: %v", evs)
	}
	// Release: paid at once.
	evs = e.ok(&projects.MsgResolve{Resolver: ministry, Project: bridge, Milestone: "deck", Decision: projects.DecisionRelease, Reason: "cracks are cosmetic (engineer's report 14)"})
	if ev := eventOf(evs, "projects.milestone_released"); ev["via"] != projects.ViaResolution || ev["amount"] != "1000000ueur" {
		t.Fatalf("release %v", evs)
	}
	if eventOf(evs, "projects.milestone_resolved")["decision"] != projects.DecisionRelease || e.bal(builder, cash) != 1_000_000 {
		t.Fatalf("resolved %v", evs)
	}
	// Reject: planned again, funds stay in escrow; the payee claims again.
	e.ok(&projects.MsgResolve{Resolver: ministry, Project: bridge, Milestone: "opening", Decision: projects.DecisionReject, Reason: "no safety report"})
	m := e.milestone("opening")
	if m.Status != projects.MilestonePlanned || !m.Funded || m.InEscrow() != 2_000_000 || m.Resolution == nil || m.Dispute != nil || len(m.SignOffs) != 0 || m.Claims != 1 {
		t.Fatalf("rejected %+v", m)
	}
	e.ok(&projects.MsgClaimComplete{Payee: builder, Project: bridge, Milestone: "opening", Evidence: []projects.Attachment{{URI: "ipfs://safety", Hash: hash("safety")}}})
	e.ok(&projects.MsgSignOff{Signatory: engineer, Project: bridge, Milestone: "opening", Role: projects.RoleIndependentEngineer})
	e.ok(&projects.MsgSignOff{Signatory: ministry, Project: bridge, Milestone: "opening", Role: projects.RolePublicAgency})
	if m := e.milestone("opening"); m.Claims != 2 || m.Status != projects.MilestoneSignedOff {
		t.Fatalf("second claim %+v", m)
	}
	e.next(week)
	if m := e.milestone("opening"); m.Status != projects.MilestoneReleased || e.bal(builder, cash) != 3_000_000 {
		t.Fatalf("opening %+v", m)
	}
	// Cancel: an unfunded disputed milestone; then a funded planned one returns its tranche.
	evs = e.ok(&projects.MsgCancelMilestone{Resolver: ministry, Project: bridge, Milestone: "lighting", Reason: "descoped"})
	if ev := eventOf(evs, "projects.milestone_cancelled"); ev["returned"] != "0ueur" {
		t.Fatalf("cancelled %v", ev)
	}
	e.ok(planMsg("tolling", 700_000, e.ctx.Time.Add(30*day)))
	e.ok(&projects.MsgFundMilestone{Funder: ministry, Project: bridge, Milestone: "tolling"})
	before := e.bal(p.Treasury, cash)
	e.ok(&projects.MsgCancelMilestone{Resolver: ministry, Project: bridge, Milestone: "tolling", Reason: "operator installs it"})
	if m := e.milestone("tolling"); m.Status != projects.MilestoneCancelled || m.Returned != 700_000 || e.bal(p.Treasury, cash) != before+700_000 {
		t.Fatalf("cancelled %+v", m)
	}
	if tot := e.k.Totals(e.ctx, cash); tot.Funded != 3_700_000 || tot.Released != 3_000_000 || tot.Returned != 700_000 || e.bal(escrow, cash) != 0 {
		t.Fatalf("totals %+v, escrow %d", tot, e.bal(escrow, cash))
	}
	// A signed-off milestone in its window cannot be cancelled: dispute it first.
	e.signedOff("painting", 100, true)
	e.fails(&projects.MsgCancelMilestone{Resolver: ministry, Project: bridge, Milestone: "painting", Reason: "x"}, projects.ErrWrongStatus, "dispute it")
	e.fails(&projects.MsgCancelMilestone{Resolver: spv, Project: bridge, Milestone: "painting", Reason: "x"}, projects.ErrNotResolver, "resolver role")
}

func TestResolverRole(t *testing.T) {
	e := newEnv(t)
	m := createMsg(projects.RuleAgency)
	m.ResolverRole = projects.RoleLender
	e.ok(m)
	e.ok(&bank.MsgSend{From: spv, To: projects.Treasury(bridge), Amount: coin.New(cash, 1_000)})
	e.signedOff("deck", 1_000, true)
	e.ok(&projects.MsgDisputeMilestone{Disputer: auditor, Project: bridge, Milestone: "deck", Reason: "x"})
	e.fails(&projects.MsgResolve{Resolver: ministry, Project: bridge, Milestone: "deck", Decision: projects.DecisionReject, Reason: "x"}, projects.ErrNotResolver, "resolver role is lender")
	e.ok(&projects.MsgResolve{Resolver: lender, Project: bridge, Milestone: "deck", Decision: projects.DecisionRelease, Reason: "ok"})
}

func TestAwaitingFunds(t *testing.T) {
	e := newEnv(t)
	p := e.create(projects.RuleAgency, 0)
	e.signedOff("deck", 1_000, false)
	evs := e.next(week)
	if ev := eventOf(evs, "projects.milestone_awaiting_funds"); ev["milestone"] != "deck" {
		t.Fatalf("window end without funds: %v", evs)
	}
	if m := e.milestone("deck"); m.Status != projects.MilestoneAwaitingFunds {
		t.Fatalf("milestone %+v", m)
	}
	// Nothing more happens until it is funded; its window is closed.
	if evs := e.next(week); len(evs) != 0 {
		t.Fatalf("while awaiting funds: %v", evs)
	}
	e.fails(&projects.MsgDisputeMilestone{Disputer: lender, Project: bridge, Milestone: "deck", Reason: "x"}, projects.ErrWindowClosed, "closed")
	e.fails(&projects.MsgFundMilestone{Funder: ministry, Project: bridge, Milestone: "deck"}, projects.ErrInsufficientFunds, "holds 0ueur")
	e.ok(&bank.MsgSend{From: spv, To: p.Treasury, Amount: coin.New(cash, 1_000)})
	evs = e.ok(&projects.MsgFundMilestone{Funder: ministry, Project: bridge, Milestone: "deck"})
	if eventOf(evs, "projects.milestone_funded")["status"] != projects.MilestoneSignedOff {
		t.Fatalf("funded %v", evs)
	}
	evs = e.endBlock() // the same block
	if ev := eventOf(evs, "projects.milestone_released"); ev["via"] != projects.ViaWindow {
		t.Fatalf("release after funding %v", evs)
	}
	if e.bal(builder, cash) != 1_000 {
		t.Fatal("not paid")
	}
}

func TestLateAlert(t *testing.T) {
	e := newEnv(t)
	e.create(projects.RuleAgency, 1_000)
	e.ok(planMsg("foundations", 500, start.Add(10*day)))
	e.ok(planMsg("deck", 500, start.Add(10*day)))
	e.ok(planMsg("opening", 500, start.Add(10*day)))
	e.ok(&projects.MsgFundMilestone{Funder: ministry, Project: bridge, Milestone: "deck"})
	// deck is signed off on time; foundations is claimed but not signed off; opening is not claimed.
	e.ok(&projects.MsgClaimComplete{Payee: builder, Project: bridge, Milestone: "deck"})
	e.ok(&projects.MsgSignOff{Signatory: engineer, Project: bridge, Milestone: "deck", Role: projects.RoleIndependentEngineer})
	e.ok(&projects.MsgSignOff{Signatory: ministry, Project: bridge, Milestone: "deck", Role: projects.RolePublicAgency})
	e.ok(&projects.MsgClaimComplete{Payee: builder, Project: bridge, Milestone: "foundations"})
	e.at(start.Add(10 * day)) // the due date itself: not late yet
	if evs := eventsOf(e.endBlock(), "projects.milestone_late"); len(evs) != 0 {
		t.Fatalf("late on the due date: %v", evs)
	}
	e.at(start.Add(10*day + time.Second))
	late := eventsOf(e.endBlock(), "projects.milestone_late")
	if len(late) != 2 || late[0]["milestone"] != "foundations" || late[0]["status"] != projects.MilestoneClaimed || late[1]["milestone"] != "opening" {
		t.Fatalf("late alerts %v", late)
	}
	if m := e.milestone("opening"); !m.Late || m.LateHeight != e.ctx.Height {
		t.Fatalf("opening %+v", m)
	}
	// Once only, even after a rejected claim.
	if evs := eventsOf(e.next(day), "projects.milestone_late"); len(evs) != 0 {
		t.Fatalf("late again %v", evs)
	}
	e.ok(&projects.MsgSignOff{Signatory: engineer, Project: bridge, Milestone: "foundations", Role: projects.RoleIndependentEngineer})
	e.ok(&projects.MsgSignOff{Signatory: ministry, Project: bridge, Milestone: "foundations", Role: projects.RolePublicAgency})
	e.ok(&projects.MsgDisputeMilestone{Disputer: lender, Project: bridge, Milestone: "foundations", Reason: "x"})
	e.ok(&projects.MsgResolve{Resolver: ministry, Project: bridge, Milestone: "foundations", Decision: projects.DecisionReject, Reason: "x"})
	if evs := eventsOf(e.next(day), "projects.milestone_late"); len(evs) != 0 {
		t.Fatalf("late again after a rejection %v", evs)
	}
	// A rejected milestone not yet late is watched again.
	e.ok(planMsg("lighting", 100, e.ctx.Time.Add(5*day)))
	e.ok(&projects.MsgClaimComplete{Payee: builder, Project: bridge, Milestone: "lighting"})
	e.ok(&projects.MsgSignOff{Signatory: engineer, Project: bridge, Milestone: "lighting", Role: projects.RoleIndependentEngineer})
	e.ok(&projects.MsgSignOff{Signatory: ministry, Project: bridge, Milestone: "lighting", Role: projects.RolePublicAgency})
	e.ok(&projects.MsgDisputeMilestone{Disputer: lender, Project: bridge, Milestone: "lighting", Reason: "x"})
	e.ok(&projects.MsgResolve{Resolver: ministry, Project: bridge, Milestone: "lighting", Decision: projects.DecisionReject, Reason: "x"})
	if evs := eventsOf(e.next(6*day), "projects.milestone_late"); len(evs) != 1 || evs[0]["milestone"] != "lighting" {
		t.Fatalf("late after a rejection %v", evs)
	}
}

func TestPausedCash(t *testing.T) {
	e := newEnv(t)
	e.create(projects.RuleAgency, 2_000)
	e.signedOff("deck", 1_000, true)
	e.ok(planMsg("opening", 1_000, start.Add(90*day)))
	e.ok(&assets.MsgPause{Controller: bankCo, Denom: cash, Reason: "court order"})
	e.fails(&projects.MsgFundMilestone{Funder: ministry, Project: bridge, Milestone: "opening"}, projects.ErrPaused, "court order")
	// The release waits while paused, and happens once unpaused.
	if evs := e.next(week); len(evs) != 0 || e.milestone("deck").Status != projects.MilestoneSignedOff {
		t.Fatalf("released while paused: %v", evs)
	}
	e.ok(&assets.MsgUnpause{Controller: bankCo, Denom: cash, Reason: "lifted"})
	if ev := eventOf(e.next(time.Minute), "projects.milestone_released"); ev["milestone"] != "deck" {
		t.Fatal("not released after the unpause")
	}
}

func TestEndBlockBudget(t *testing.T) {
	e := newEnv(t)
	e.create(projects.RuleAgency, 10_000)
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		e.signedOff(id, 1_000, true)
	}
	setPerBlock(e, 2)
	var released []string
	for b := 0; b < 3; b++ {
		for _, ev := range eventsOf(e.next(week), "projects.milestone_released") {
			released = append(released, ev["milestone"])
		}
		if want := min(2*(b+1), 5); len(released) != want {
			t.Fatalf("block %d: released %v", b, released)
		}
	}
	if strings.Join(released, "") != "abcde" {
		t.Fatalf("release order %v", released)
	}
}

// setPerBlock sets the per-block budget through a genesis export and re-import.
func setPerBlock(e *env, n uint32) {
	e.t.Helper()
	raw, err := e.m.ExportGenesis(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	g := decodeGenesis(e.t, raw)
	g.Params.PerBlock = n
	wipe(e.ctx)
	if err := e.m.InitGenesis(e.ctx, genesisJSON(e.t, g)); err != nil {
		e.t.Fatal(err)
	}
	e.invariants()
}

func TestUnknownProject(t *testing.T) {
	e := newEnv(t)
	e.allFail([]badCase{
		{"post", &projects.MsgPostReport{Author: builder, Project: "nowhere", Summary: "x"}, projects.ErrUnknownProject, `"nowhere"`},
		{"plan", &projects.MsgPlanMilestone{Planner: ministry, Project: "nowhere", ID: "x", Description: "x", Due: start.Unix() + 10, Tranche: coin.New(cash, 1), Payee: builder, Policy: projects.Policy{Roles: []string{projects.RoleLender}, Min: 1}}, projects.ErrUnknownProject, "nowhere"},
		{"add", &projects.MsgAddStakeholder{Agency: ministry, Project: "nowhere", Account: spv, Role: projects.RoleLender}, projects.ErrUnknownProject, "nowhere"},
		{"propose", &projects.MsgProposeStakeholderChange{Proposer: ministry, Project: "nowhere", Action: projects.ActionAdd, Account: spv, Role: projects.RoleLender}, projects.ErrUnknownProject, "nowhere"},
		{"resolve", &projects.MsgResolve{Resolver: ministry, Project: "nowhere", Milestone: "x", Decision: projects.DecisionReject, Reason: "x"}, projects.ErrUnknownProject, "nowhere"},
		{"zero signer", &projects.MsgFundMilestone{Project: bridge, Milestone: "x"}, projects.ErrInvalidMsg, "zero funder"},
	})
}

// Every msg's Signer is the account whose authority it uses.
func TestSigners(t *testing.T) {
	for _, m := range fuzzMsgs() {
		if m.Signer().IsZero() {
			t.Errorf("%s: zero signer", m.MsgType())
		}
		if !strings.HasPrefix(m.MsgType(), "projects/") {
			t.Errorf("%s: not a projects msg", m.MsgType())
		}
	}
	if n := len(projects.NewModule(projects.Keeper{}).Routes()); n != len(fuzzMsgs()) {
		t.Fatalf("%d routes, %d fuzzed msg types", n, len(fuzzMsgs()))
	}
}

// TestAmendmentKeepsMilestone: a correction that names no milestone is about the milestone of the
// entry it corrects; one that names another keeps its own.
func TestAmendmentKeepsMilestone(t *testing.T) {
	e := newEnv(t)
	e.create(projects.RuleAgency, 0)
	e.ok(planMsg("foundations", 1_000, start.Add(90*day)))
	e.ok(planMsg("deck", 1_000, start.Add(180*day)))
	e.ok(&projects.MsgPostReport{Author: builder, Project: bridge, Milestone: "foundations", Percent: 40, Summary: "Piles 1-12 driven."})
	evs := e.ok(&projects.MsgPostReport{Author: builder, Project: bridge, Percent: 35, Summary: "Piles 1-11 driven.", Amends: 1})
	if ev := eventOf(evs, "projects.report_posted"); ev["milestone"] != "foundations" {
		t.Fatalf("an amendment without a milestone: %v", ev)
	}
	if en, _ := e.k.Entry(e.ctx, bridge, 2); en.Milestone != "foundations" || en.Amends != 1 {
		t.Fatalf("entry 2 %+v", en)
	}
	evs = e.ok(&projects.MsgPostReport{Author: builder, Project: bridge, Milestone: "deck", Percent: 0, Summary: "Filed under the wrong milestone.", Amends: 1})
	if ev := eventOf(evs, "projects.report_posted"); ev["milestone"] != "deck" {
		t.Fatalf("an amendment naming a milestone: %v", ev)
	}
}
