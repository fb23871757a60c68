package offerings_test

import (
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
	"github.com/girder-chain/girder/x/offerings"
)

func addr(name string) address.Address { return address.FromPubKey("ed25519", []byte(name)) }

var (
	admin    = addr("admin")
	kyc      = addr("kyc")
	officer  = addr("officer")
	issuer   = addr("issuer")   // asset_issuer: issues ubridge
	bankCo   = addr("bank")     // cash_issuer: issues ueur
	treasury = addr("treasury") // the project's treasury
	alice    = addr("alice")    // identity alice: KYC 2, DE
	alice2   = addr("alice2")   // alice's second account
	bob      = addr("bob")      // identity bob: KYC 2, US
	carol    = addr("carol")    // identity carol: KYC 2, expires a day after start
	dave     = addr("dave")     // no identity
	mallory  = addr("mallory")  // asset_issuer of nothing here
	start    = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	opens    = start.Add(time.Hour)
	ends     = start.Add(48 * time.Hour)
)

const (
	sec  = "ubridge"
	cash = "ueur"
)

type env struct {
	t     testing.TB
	ctx   chain.Context
	bank  bank.Keeper
	comp  compliance.Keeper
	ids   identity.Keeper
	as    assets.Keeper
	k     offerings.Keeper
	m     *offerings.Module
	mods  []chain.Module // whose invariants are checked after every step
	route map[string]func(chain.Context, tx.Msg) error
}

// newEnv wires auth, bank, identity, compliance, assets and offerings like app/app.go, creates
// the security ubridge (1,000,000 minted to issuer) and the cash asset ueur (1,000,000 minted to
// each investor), and the identities alice (two accounts), bob and carol. No compliance rules:
// kycRule adds one.
func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := chain.NewContext(store.NewCache(store.OpenMemory()), 10, start, chaintest.ChainID, chain.ModeDeliver)
	au := auth.NewKeeper()
	e := &env{t: t, ctx: ctx, route: map[string]func(chain.Context, tx.Msg) error{}}
	e.bank = bank.NewKeeper(au, map[address.Address]string{compliance.HoldAccount: compliance.ModuleName, offerings.EscrowAccount: offerings.ModuleName})
	e.ids = identity.NewKeeper(au)
	e.comp = compliance.NewKeeper(e.bank, e.ids, au, "ugrd", []address.Address{offerings.EscrowAccount})
	e.bank.SetHooks(e.comp, e.comp)
	e.ids.SetHooks(e.comp)
	e.as = assets.NewKeeper(e.bank, e.comp, e.ids, au)
	e.comp.SetAssets(e.as)
	e.k = offerings.NewKeeper(e.bank, e.as, e.comp, e.ids, []address.Address{compliance.HoldAccount})
	e.m = offerings.NewModule(e.k)
	cm := compliance.NewModule(e.comp)
	e.mods = []chain.Module{e.m, cm}
	for _, m := range []chain.Module{bank.NewModule(e.bank), identity.NewModule(e.ids), cm, assets.NewModule(e.as), e.m} {
		for _, r := range m.Routes() {
			e.route[r.Msg.MsgType()] = r.Handle
		}
	}
	if err := auth.NewModule(au).InitGenesis(ctx, chaintest.GenesisJSON(t, auth.Genesis{Accounts: []auth.Account{}, Roles: []auth.GenesisRole{
		{Role: auth.RoleAdmin, Address: admin}, {Role: auth.RoleKYCProvider, Address: kyc}, {Role: auth.RoleComplianceOfficer, Address: officer},
		{Role: auth.RoleAssetIssuer, Address: issuer}, {Role: auth.RoleAssetIssuer, Address: mallory}, {Role: auth.RoleCashIssuer, Address: bankCo}}})); err != nil {
		t.Fatal(err)
	}
	if err := bank.NewModule(e.bank).InitGenesis(ctx, chaintest.GenesisJSON(t, bank.Genesis{Units: []coin.Unit{chaintest.GRD}})); err != nil {
		t.Fatal(err)
	}
	if err := e.m.InitGenesis(ctx, chaintest.GenesisJSON(t, offerings.DefaultGenesis())); err != nil {
		t.Fatal(err)
	}
	e.ok(&identity.MsgSetTrust{Authority: admin, Issuer: kyc, Claims: identity.ClaimKinds})
	e.identity("alice", "DE", start.AddDate(1, 0, 0), alice, alice2)
	e.identity("bob", "US", start.AddDate(1, 0, 0), bob)
	e.identity("carol", "FR", start.Add(24*time.Hour), carol)
	e.ok(&assets.MsgCreate{Issuer: issuer, Denom: sec, Kind: assets.KindSecurity, Name: "Harbour Bridge SPV equity", Symbol: "BRIDGE", Decimals: 6})
	e.ok(&assets.MsgMint{Issuer: issuer, Denom: sec, Amount: 1_000_000})
	e.ok(&assets.MsgCreate{Issuer: bankCo, Denom: cash, Kind: assets.KindCash, Name: "Euro token", Symbol: "EURT", Decimals: 2})
	for _, a := range []address.Address{alice, alice2, bob, carol, dave} {
		e.fund(a, 1_000_000)
	}
	return e
}

// identity registers identity id over accounts with KYC level 2 in jurisdiction j until expiry.
func (e *env) identity(id, j string, expiry time.Time, accounts ...address.Address) {
	e.t.Helper()
	e.ok(&identity.MsgRegister{Provider: kyc, ID: id, Accounts: accounts})
	e.ok(&identity.MsgIssue{Issuer: kyc, ID: id, Claims: identity.ClaimSet{KYCLevel: 2, Jurisdiction: j},
		Expiry: expiry.Unix(), EvidenceHash: sha256.Sum256([]byte(id))})
}

func (e *env) fund(a address.Address, n coin.Amount) {
	e.t.Helper()
	e.ok(&assets.MsgMint{Issuer: bankCo, Denom: cash, Amount: n, To: a})
}

// kycRule makes compliance reject deliveries of ubridge to accounts without KYC level 2.
func (e *env) kycRule() {
	e.t.Helper()
	e.ok(&compliance.MsgSetRules{Officer: officer, Asset: sec, Rules: []compliance.Rule{
		{ID: "kyc", Kind: compliance.KindRequiredClaims, Outcome: compliance.OutcomeReject, Params: compliance.Params{Side: compliance.SideReceiver, KYCLevel: 2}}}})
}

// run executes msg like the app does: in a branch written only on success.
func (e *env) run(m tx.Msg) ([]chain.Event, error) {
	e.t.Helper()
	return chaintest.RunMsg(e.ctx, e.route[m.MsgType()], m)
}

func (e *env) ok(m tx.Msg) []chain.Event {
	e.t.Helper()
	evs, err := e.run(m)
	if err != nil {
		e.t.Fatalf("%s: %v", m.MsgType(), err)
	}
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

// endBlock runs offerings' end of block at the current block and checks the invariants; it
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

func (e *env) invariants() {
	e.t.Helper()
	for _, m := range e.mods {
		if err := chaintest.All(m).Check(e.ctx); err != nil {
			e.t.Fatal(err)
		}
	}
}

// openMsg is the default offering: 100,000 ubridge at 2/3 ueur each (cost ⌈2a/3⌉), soft cap
// 30,000, 1,000 to 50,000 per investor, from opens to ends, cash to treasury.
func openMsg() *offerings.MsgOpen {
	return &offerings.MsgOpen{Issuer: issuer, Security: sec, Cash: cash, PriceNum: 2, PriceDen: 3, SoftCap: 30_000, HardCap: 100_000,
		MinPerInvestor: 1_000, MaxPerInvestor: 50_000, Start: opens.Unix(), End: ends.Unix(), Treasury: treasury}
}

// open opens an offering (openMsg changed by edit) and returns its id.
func (e *env) open(edit func(m *offerings.MsgOpen)) uint64 {
	e.t.Helper()
	m := openMsg()
	if edit != nil {
		edit(m)
	}
	ev := eventOf(e.ok(m), "offerings.opened")
	id, err := strconv.ParseUint(ev["offering"], 10, 64)
	if err != nil {
		e.t.Fatalf("opened event %v", ev)
	}
	e.invariants()
	return id
}

func (e *env) subscribe(a address.Address, id uint64, n coin.Amount) []chain.Event {
	e.t.Helper()
	evs := e.ok(&offerings.MsgSubscribe{Investor: a, Offering: id, Amount: n})
	e.invariants()
	return evs
}

func (e *env) offering(id uint64) offerings.Offering {
	e.t.Helper()
	o, ok := e.k.Offering(e.ctx, id)
	if !ok {
		e.t.Fatalf("no offering %d", id)
	}
	return o
}

func (e *env) sub(id uint64, a address.Address) offerings.Subscription {
	e.t.Helper()
	s, ok := e.k.Subscription(e.ctx, id, a)
	if !ok {
		e.t.Fatalf("no subscription of %s to %d", a, id)
	}
	return s
}

// finish runs end blocks until offering id is final; it returns the number of blocks.
func (e *env) finish(id uint64) int {
	e.t.Helper()
	for n := 1; n <= 1000; n++ {
		e.at(e.ctx.Time.Add(5 * time.Second))
		e.endBlock()
		if !offerings.Live(e.offering(id).Status) {
			return n
		}
	}
	e.t.Fatalf("offering %d not final after 1000 blocks: %+v", id, e.offering(id))
	return 0
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
