package projects_test

import (
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/chain/chaintest"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/identity"
	"github.com/girder-chain/girder/x/projects"
)

func addr(name string) address.Address { return address.FromPubKey("ed25519", []byte(name)) }

// The toll bridge's parties.
var (
	admin    = addr("admin")
	bankCo   = addr("bank")     // cash_issuer: issues ueur
	ministry = addr("ministry") // chain role public_agency: creates the project
	region   = addr("region")   // chain role public_agency: a second agency
	spv      = addr("spv")      // private_partner
	builder  = addr("builder")  // contractor: the payee
	lender   = addr("lender")
	engineer = addr("engineer") // independent_engineer
	auditor  = addr("auditor")
	operator = addr("operator")
	mallory  = addr("mallory") // no role anywhere
	start    = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	day      = 24 * time.Hour
	week     = 7 * day
)

const (
	cash   = "ueur"
	bridge = "harbour-bridge"
)

var escrow = projects.EscrowAccount

func hash(s string) projects.Hash { return sha256.Sum256([]byte(s)) }

type env struct {
	t     testing.TB
	ctx   chain.Context
	bank  bank.Keeper
	as    assets.Keeper
	k     projects.Keeper
	m     *projects.Module
	mods  []chain.Module // whose invariants are checked after every step
	route map[string]func(chain.Context, tx.Msg) error
}

// newEnv wires auth, bank, identity, compliance, assets and projects like app/app.go, grants
// ministry and region the chain role public_agency, creates the cash asset ueur and mints
// 10,000,000 of it to spv (who deposits into treasuries) and 1,000,000 to mallory.
func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := chain.NewContext(store.NewCache(store.OpenMemory()), 10, start, chaintest.ChainID, chain.ModeDeliver)
	au := auth.NewKeeper()
	e := &env{t: t, ctx: ctx, route: map[string]func(chain.Context, tx.Msg) error{}}
	modules := []address.Address{compliance.HoldAccount, projects.EscrowAccount}
	e.bank = bank.NewKeeper(au, map[address.Address]string{compliance.HoldAccount: compliance.ModuleName, projects.EscrowAccount: projects.ModuleName})
	ids := identity.NewKeeper(au)
	comp := compliance.NewKeeper(e.bank, ids, au, "ugrd", modules)
	e.bank.SetHooks(comp, comp)
	ids.SetHooks(comp)
	e.as = assets.NewKeeper(e.bank, comp, ids, au)
	comp.SetAssets(e.as)
	e.k = projects.NewKeeper(e.bank, au, e.as, []address.Address{compliance.HoldAccount})
	e.m = projects.NewModule(e.k)
	cm := compliance.NewModule(comp)
	e.mods = []chain.Module{e.m, cm}
	for _, m := range []chain.Module{auth.NewModule(au), bank.NewModule(e.bank), identity.NewModule(ids), cm, assets.NewModule(e.as), e.m} {
		for _, r := range m.Routes() {
			e.route[r.Msg.MsgType()] = r.Handle
		}
	}
	if err := auth.NewModule(au).InitGenesis(ctx, chaintest.GenesisJSON(t, auth.Genesis{Accounts: []auth.Account{}, Roles: []auth.GenesisRole{
		{Role: auth.RoleAdmin, Address: admin}, {Role: auth.RoleCashIssuer, Address: bankCo},
		{Role: auth.RolePublicAgency, Address: ministry}, {Role: auth.RolePublicAgency, Address: region}}})); err != nil {
		t.Fatal(err)
	}
	if err := bank.NewModule(e.bank).InitGenesis(ctx, chaintest.GenesisJSON(t, bank.Genesis{Units: []coin.Unit{chaintest.GRD}})); err != nil {
		t.Fatal(err)
	}
	if err := e.m.InitGenesis(ctx, chaintest.GenesisJSON(t, projects.DefaultGenesis())); err != nil {
		t.Fatal(err)
	}
	e.ok(&assets.MsgCreate{Issuer: bankCo, Denom: cash, Kind: assets.KindCash, Name: "Euro token", Symbol: "EURT", Decimals: 2})
	e.ok(&assets.MsgMint{Issuer: bankCo, Denom: cash, Amount: 10_000_000, To: spv})
	e.ok(&assets.MsgMint{Issuer: bankCo, Denom: cash, Amount: 1_000_000, To: mallory})
	return e
}

// run executes msg like the app does: in a branch written only on success.
func (e *env) run(m tx.Msg) ([]chain.Event, error) {
	e.t.Helper()
	h, ok := e.route[m.MsgType()]
	if !ok {
		e.t.Fatalf("no route for %s", m.MsgType())
	}
	return chaintest.RunMsg(e.ctx, h, m)
}

// ok runs m, which must succeed; the invariants must hold after it.
func (e *env) ok(m tx.Msg) []chain.Event {
	e.t.Helper()
	evs, err := e.run(m)
	if err != nil {
		e.t.Fatalf("%s: %v", m.MsgType(), err)
	}
	e.invariants()
	return evs
}

// fails runs m, which must fail with code want saying inMsg, and checks that the state did not
// change.
func (e *env) fails(m tx.Msg, want *codes.Error, inMsg string) {
	e.t.Helper()
	chaintest.MsgFails(e.t, e.ctx, e.handle, m, want, inMsg)
}

// handle routes m to its module's handler.
func (e *env) handle(ctx chain.Context, m tx.Msg) error {
	h, ok := e.route[m.MsgType()]
	if !ok {
		e.t.Fatalf("no route for %s", m.MsgType())
	}
	return h(ctx, m)
}

func (e *env) bal(a address.Address, denom string) coin.Amount {
	return e.bank.Balance(e.ctx, a, denom)
}

// at moves to a new block at time t.
func (e *env) at(t time.Time) { e.ctx.Time = t; e.ctx.Height++ }

// endBlock runs projects' end of block at the current block and checks the invariants; it
// returns the events.
func (e *env) endBlock() []chain.Event {
	e.t.Helper()
	ctx := e.ctx.WithKV(e.ctx.KV())
	if err := e.m.EndBlock(ctx); err != nil {
		e.t.Fatal(err)
	}
	e.invariants()
	return ctx.Events()
}

// next moves to a new block d after the current one and runs its end.
func (e *env) next(d time.Duration) []chain.Event {
	e.t.Helper()
	e.at(e.ctx.Time.Add(d))
	return e.endBlock()
}

func (e *env) invariants() {
	e.t.Helper()
	for _, m := range e.mods {
		if err := chaintest.All(m).Check(e.ctx); err != nil {
			e.t.Fatal(err)
		}
	}
}

// createMsg is the toll bridge: created by ministry under rule rule, with spv, builder, lender,
// engineer, auditor and operator as stakeholders and the concession agreement as document.
func createMsg(rule string) *projects.MsgCreate {
	return &projects.MsgCreate{Creator: ministry, ID: bridge, Name: "Harbour toll bridge", Sector: projects.SectorBridge,
		Location: "Harbour strait, km 12", ConcessionStart: start.Unix(), ConcessionEnd: start.AddDate(30, 0, 0).Unix(),
		Description:     "A 1.2 km cable-stayed toll bridge, DBFO concession for 30 years.",
		Documents:       []projects.NamedDocument{{Name: "concession-agreement", URI: "ipfs://bafy-concession", Hash: hash("concession v1")}},
		StakeholderRule: rule,
		Stakeholders: []projects.StakeholderRole{
			{Account: spv, Role: projects.RolePrivatePartner}, {Account: builder, Role: projects.RoleContractor},
			{Account: lender, Role: projects.RoleLender}, {Account: engineer, Role: projects.RoleIndependentEngineer},
			{Account: auditor, Role: projects.RoleAuditor}, {Account: operator, Role: projects.RoleOperator},
		}}
}

// create creates the toll bridge under rule and deposits deposit ueur from spv into its treasury.
func (e *env) create(rule string, deposit coin.Amount) projects.Project {
	e.t.Helper()
	e.ok(createMsg(rule))
	if deposit > 0 {
		e.ok(&bank.MsgSend{From: spv, To: projects.Treasury(bridge), Amount: coin.New(cash, deposit)})
	}
	return e.project()
}

func (e *env) project() projects.Project {
	e.t.Helper()
	p, ok := e.k.Project(e.ctx, bridge)
	if !ok {
		e.t.Fatalf("no project %s", bridge)
	}
	return p
}

func (e *env) milestone(id string) projects.Milestone {
	e.t.Helper()
	m, ok := e.k.Milestone(e.ctx, bridge, id)
	if !ok {
		e.t.Fatalf("no milestone %s", id)
	}
	return m
}

// planMsg plans milestone id of the bridge: tranche of ueur to builder, due in due, signed off
// by the engineer and the agency (2 of 2), a 7-day window.
func planMsg(id string, tranche coin.Amount, due time.Time) *projects.MsgPlanMilestone {
	return &projects.MsgPlanMilestone{Planner: ministry, Project: bridge, ID: id, Description: "The " + id + " of the bridge", Due: due.Unix(),
		Tranche: coin.New(cash, tranche), Payee: builder,
		Policy: projects.Policy{Roles: []string{projects.RoleIndependentEngineer, projects.RolePublicAgency}, Min: 2},
		Window: int64(week / time.Second)}
}

// signedOff plans, funds (when fund), claims and signs off milestone id (planMsg).
func (e *env) signedOff(id string, tranche coin.Amount, fund bool) {
	e.t.Helper()
	e.ok(planMsg(id, tranche, e.ctx.Time.Add(90*day)))
	if fund {
		e.ok(&projects.MsgFundMilestone{Funder: ministry, Project: bridge, Milestone: id})
	}
	e.ok(&projects.MsgClaimComplete{Payee: builder, Project: bridge, Milestone: id,
		Evidence: []projects.Attachment{{URI: "ipfs://" + id + "-certificate", Hash: hash(id + " certificate")}}})
	e.ok(&projects.MsgSignOff{Signatory: engineer, Project: bridge, Milestone: id, Role: projects.RoleIndependentEngineer})
	e.ok(&projects.MsgSignOff{Signatory: ministry, Project: bridge, Milestone: id, Role: projects.RolePublicAgency})
}

func eventOf(evs []chain.Event, typ string) map[string]string {
	for _, ev := range evs {
		if ev.Type == typ {
			return attrs(ev)
		}
	}
	return nil
}

func eventsOf(evs []chain.Event, typ string) []map[string]string {
	var out []map[string]string
	for _, ev := range evs {
		if ev.Type == typ {
			out = append(out, attrs(ev))
		}
	}
	return out
}

func attrs(ev chain.Event) map[string]string {
	m := map[string]string{}
	for _, a := range ev.Attrs {
		m[a.Key] = a.Value
	}
	return m
}

// issuerCo issues the project's security tokens (chain role asset_issuer, granted by security).
var issuerCo = addr("issuer")

// security creates the security token denom, issued by issuerCo (granted asset_issuer first).
func (e *env) security(denom string) {
	e.t.Helper()
	if _, err := e.run(&auth.MsgGrantRole{Authority: admin, Role: auth.RoleAssetIssuer, Account: issuerCo}); err != nil && !errors.Is(err, auth.ErrRoleHeld) {
		e.t.Fatal(err)
	}
	e.ok(&assets.MsgCreate{Issuer: issuerCo, Denom: denom, Kind: assets.KindSecurity, Name: "Security " + denom, Symbol: strings.ToUpper(denom[1:]), Decimals: 0})
}

// ubridge is the toll bridge's security token; dao its DAO.
const ubridge = "ubridge"

var dao = authority.DAO(ubridge)

// linked creates the toll bridge under rule with deposit ueur in its treasury, issues ubridge and
// links it as the bridge's security token (by ministry).
func (e *env) linked(rule string, deposit coin.Amount) projects.Project {
	e.t.Helper()
	e.create(rule, deposit)
	e.security(ubridge)
	e.ok(&projects.MsgSetSecurity{Agency: ministry, Project: bridge, Security: ubridge})
	return e.project()
}
