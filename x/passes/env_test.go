package passes_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"strconv"
	"testing"
	"time"

	"github.com/girder-chain/girder/address"
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
	"github.com/girder-chain/girder/x/passes"
	"github.com/girder-chain/girder/x/projects"
)

// key is a party with an ed25519 key (holders sign tickets with it).
type key struct {
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
	addr address.Address
}

func newKey(name string) key {
	seed := sha256.Sum256([]byte(name))
	priv := ed25519.NewKeyFromSeed(seed[:])
	pub := priv.Public().(ed25519.PublicKey)
	return key{priv: priv, pub: pub, addr: address.FromPubKey(tx.KeyEd25519, pub)}
}

func (k key) sign(b []byte) []byte { return ed25519.Sign(k.priv, b) }

// The toll bridge's parties and its pass buyers.
var (
	admin    = newKey("admin").addr
	kyc      = newKey("kyc").addr
	officer  = newKey("officer").addr
	bankCo   = newKey("bank").addr     // cash_issuer: issues ueur
	issuerCo = newKey("issuer").addr   // asset_issuer: issues the pass asset upass
	ministry = newKey("ministry").addr // chain role public_agency: creates the project
	spv      = newKey("spv").addr      // private_partner
	operator = newKey("operator").addr // operator: creates classes, redeems
	builder  = newKey("builder").addr  // contractor: no pass powers
	aliceK   = newKey("alice")         // KYC'd buyer
	bobK     = newKey("bob")           // KYC'd buyer
	carolK   = newKey("carol")         // no identity
	mallory  = newKey("mallory").addr  // on the cash asset's deny list
	alice    = aliceK.addr
	bob      = bobK.addr
	carol    = carolK.addr
	start    = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

const (
	cash   = "ueur"
	pass   = "upass"
	bridge = "harbour-bridge"
	day    = int64(86400)
)

// at is start plus s seconds, as a unix time.
func at(s int64) int64 { return start.Unix() + s }

var (
	escrow   = passes.EscrowAccount
	treasury = projects.Treasury(bridge)
)

type env struct {
	t     testing.TB
	ctx   chain.Context
	bank  bank.Keeper
	pk    projects.Keeper
	k     passes.Keeper
	m     *passes.Module
	mods  []chain.Module // every end blocker runs and every invariant is checked
	route map[string]func(chain.Context, tx.Msg) error
}

// newEnv wires auth, bank, identity, compliance, assets, projects and passes as app/ would, at
// height 10 and time start: the cash asset ueur (alice, bob, carol and mallory hold 1,000,000
// each), the pass asset upass (rules: a buyer needs KYC level 1; ueur: a deny list with mallory),
// and the toll bridge project (ministry creates it; spv private_partner, operator operator,
// builder contractor).
func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := chain.NewContext(store.NewCache(store.OpenMemory()), 10, start, chaintest.ChainID, chain.ModeDeliver)
	au := auth.NewKeeper()
	e := &env{t: t, ctx: ctx, route: map[string]func(chain.Context, tx.Msg) error{}}
	modules := []address.Address{compliance.HoldAccount, projects.EscrowAccount, passes.EscrowAccount}
	e.bank = bank.NewKeeper(au, map[address.Address]string{compliance.HoldAccount: compliance.ModuleName,
		projects.EscrowAccount: projects.ModuleName, passes.EscrowAccount: passes.ModuleName})
	ids := identity.NewKeeper(au)
	comp := compliance.NewKeeper(e.bank, ids, au, "ugrd", modules)
	e.bank.SetHooks(comp, comp)
	ids.SetHooks(comp)
	as := assets.NewKeeper(e.bank, comp, ids, au)
	comp.SetAssets(as)
	e.pk = projects.NewKeeper(e.bank, au, as, []address.Address{compliance.HoldAccount, passes.EscrowAccount})
	e.k = passes.NewKeeper(e.bank, as, comp, e.pk)
	e.m = passes.NewModule(e.k)
	pm := projects.NewModule(e.pk)
	cm := compliance.NewModule(comp)
	e.mods = []chain.Module{pm, cm, e.m}
	for _, m := range []chain.Module{auth.NewModule(au), bank.NewModule(e.bank), identity.NewModule(ids), cm, assets.NewModule(as), pm, e.m} {
		for _, r := range m.Routes() {
			e.route[r.Msg.MsgType()] = r.Handle
		}
	}
	if err := auth.NewModule(au).InitGenesis(ctx, chaintest.GenesisJSON(t, auth.Genesis{Accounts: []auth.Account{}, Roles: []auth.GenesisRole{
		{Role: auth.RoleAdmin, Address: admin}, {Role: auth.RoleKYCProvider, Address: kyc}, {Role: auth.RoleComplianceOfficer, Address: officer},
		{Role: auth.RoleCashIssuer, Address: bankCo}, {Role: auth.RoleAssetIssuer, Address: issuerCo}, {Role: auth.RolePublicAgency, Address: ministry}}})); err != nil {
		t.Fatal(err)
	}
	if err := bank.NewModule(e.bank).InitGenesis(ctx, chaintest.GenesisJSON(t, bank.Genesis{Units: []coin.Unit{chaintest.GRD}})); err != nil {
		t.Fatal(err)
	}
	if err := pm.InitGenesis(ctx, chaintest.GenesisJSON(t, projects.DefaultGenesis())); err != nil {
		t.Fatal(err)
	}
	if err := e.m.InitGenesis(ctx, chaintest.GenesisJSON(t, passes.DefaultGenesis())); err != nil {
		t.Fatal(err)
	}
	e.ok(&identity.MsgSetTrust{Authority: admin, Issuer: kyc, Claims: identity.ClaimKinds})
	for _, p := range []struct {
		id string
		a  address.Address
	}{{"alice", alice}, {"bob", bob}, {"mallory", mallory}} {
		e.ok(&identity.MsgRegister{Provider: kyc, ID: p.id, Accounts: []address.Address{p.a}})
		e.ok(&identity.MsgIssue{Issuer: kyc, ID: p.id, Claims: identity.ClaimSet{KYCLevel: 2, Jurisdiction: "DE"},
			Expiry: start.AddDate(10, 0, 0).Unix(), EvidenceHash: sha256.Sum256([]byte(p.id))})
	}
	e.ok(&assets.MsgCreate{Issuer: bankCo, Denom: cash, Kind: assets.KindCash, Name: "Euro token", Symbol: "EURT", Decimals: 2})
	e.ok(&assets.MsgCreate{Issuer: issuerCo, Denom: pass, Kind: assets.KindPass, Name: "Harbour bridge pass", Symbol: "HBPASS"})
	for _, a := range []address.Address{alice, bob, carol, mallory} {
		e.ok(&assets.MsgMint{Issuer: bankCo, Denom: cash, Amount: 1_000_000, To: a})
	}
	e.ok(&compliance.MsgSetRules{Officer: officer, Asset: pass, Rules: []compliance.Rule{
		{ID: "kyc", Kind: compliance.KindRequiredClaims, Outcome: compliance.OutcomeReject, Params: compliance.Params{Side: "receiver", KYCLevel: 1}}}})
	e.ok(&compliance.MsgSetRules{Officer: officer, Asset: cash, Rules: []compliance.Rule{
		{ID: "deny", Kind: compliance.KindDenyList, Outcome: compliance.OutcomeReject, Params: compliance.Params{Side: "both"}}}})
	e.ok(&compliance.MsgDeny{Officer: officer, Asset: cash, Account: mallory, Reason: "sanctioned"})
	e.ok(&projects.MsgCreate{Creator: ministry, ID: bridge, Name: "Harbour toll bridge", Sector: projects.SectorBridge,
		Location: "Harbour strait, km 12", ConcessionStart: start.Unix(), ConcessionEnd: start.AddDate(30, 0, 0).Unix(),
		Stakeholders: []projects.StakeholderRole{{Account: spv, Role: projects.RolePrivatePartner},
			{Account: operator, Role: projects.RoleOperator}, {Account: builder, Role: projects.RoleContractor}}})
	return e
}

func (e *env) handle(ctx chain.Context, m tx.Msg) error {
	h, ok := e.route[m.MsgType()]
	if !ok {
		e.t.Fatalf("no route for %s", m.MsgType())
	}
	return h(ctx, m)
}

func (e *env) run(m tx.Msg) ([]chain.Event, error) {
	e.t.Helper()
	return chaintest.RunMsg(e.ctx, e.handle, m)
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

// fails runs m, which must fail with want saying inMsg, leaving the state as it was.
func (e *env) fails(m tx.Msg, want *codes.Error, inMsg string) {
	e.t.Helper()
	chaintest.MsgFails(e.t, e.ctx, e.handle, m, want, inMsg)
}

func (e *env) invariants() {
	e.t.Helper()
	for _, m := range e.mods {
		if err := chaintest.All(m).Check(e.ctx); err != nil {
			e.t.Fatal(err)
		}
	}
}

// setTime moves to a new block at unix time t.
func (e *env) setTime(t int64) {
	e.ctx.Height++
	e.ctx.Time = time.Unix(t, 0).UTC()
}

// endBlock runs every end blocker and checks every invariant; it returns the end's events.
func (e *env) endBlock() []chain.Event {
	e.t.Helper()
	end := e.ctx.WithKV(e.ctx.KV())
	for _, m := range e.mods {
		if eb, ok := m.(chain.EndBlocker); ok {
			if err := eb.EndBlock(end); err != nil {
				e.t.Fatal(err)
			}
		}
	}
	e.invariants()
	return end.Events()
}

// next moves to a new block d seconds later and runs its end.
func (e *env) next(d int64) []chain.Event {
	e.t.Helper()
	e.setTime(e.ctx.Time.Unix() + d)
	return e.endBlock()
}

func (e *env) bal(a address.Address) coin.Amount { return e.bank.Balance(e.ctx, a, cash) }

func (e *env) class(id uint64) passes.Class {
	e.t.Helper()
	c, ok := e.k.Class(e.ctx, id)
	if !ok {
		e.t.Fatalf("no class %d", id)
	}
	return c
}

func (e *env) pass(id uint64) passes.Pass {
	e.t.Helper()
	p, ok := e.k.Pass(e.ctx, id)
	if !ok {
		e.t.Fatalf("no pass %d", id)
	}
	return p
}

func (e *env) revenue() passes.Revenue { return e.k.Revenue(e.ctx, bridge, cash) }

// classMsg is a 10-use bridge pass at 1,000 ueur, valid 365 days from the opening promised in 30
// days, refund of 80 % if late, up to 1,000 sold, transferable, judged by upass's rules.
func classMsg() *passes.MsgCreateClass {
	return &passes.MsgCreateClass{Creator: operator, Project: bridge, Name: "10 crossings", Price: coin.New(cash, 1_000), Uses: 10,
		Validity: passes.Validity{Kind: passes.ValidityFromOpening, Duration: 365 * day}, Transferable: true, MaxSupply: 1_000,
		PromisedOpening: at(30 * day), Late: passes.LatePolicy{Policy: passes.LateRefund, RefundBps: 8_000}, ComplianceAsset: pass}
}

// create creates a class and returns its id.
func (e *env) create(m *passes.MsgCreateClass) uint64 {
	e.t.Helper()
	ev := eventOf(e.ok(m), "passes.class_created")
	if ev == nil {
		e.t.Fatal("no passes.class_created event")
	}
	return parseUint(e.t, ev["class"])
}

// buy buys q passes of class for buyer and returns their ids.
func (e *env) buy(buyer address.Address, class uint64, q uint32) []uint64 {
	e.t.Helper()
	ev := eventOf(e.ok(&passes.MsgBuy{Buyer: buyer, Class: class, Quantity: q}), "passes.bought")
	first, last := parseUint(e.t, ev["first_pass"]), parseUint(e.t, ev["last_pass"])
	var ids []uint64
	for id := first; id <= last; id++ {
		ids = append(ids, id)
	}
	return ids
}

// open records the bridge's opening at t (by ministry).
func (e *env) open(t int64) {
	e.t.Helper()
	e.ok(&passes.MsgOpenService{Actor: ministry, Project: bridge, Opened: t})
}

// use is the holder's signed ticket for pass id's use seq at gate time t.
func use(holder key, id uint64, seq uint32, t int64) passes.Use {
	tk := passes.Ticket{ChainID: chaintest.ChainID, Pass: id, Holder: holder.addr, Seq: seq, Time: t}
	return passes.Use{Pass: id, Ticket: tk, PubKey: holder.pub, Signature: passes.SignTicket(tk, holder.sign)}
}

func redeem(uses ...passes.Use) *passes.MsgRedeem {
	return &passes.MsgRedeem{Operator: operator, Uses: uses}
}

func parseUint(t testing.TB, s string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return n
}

func attrs(ev chain.Event) map[string]string {
	m := map[string]string{}
	for _, a := range ev.Attrs {
		m[a.Key] = a.Value
	}
	return m
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
