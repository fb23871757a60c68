package vesting_test

import (
	"crypto/sha256"
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
	"github.com/girder-chain/girder/x/vesting"
)

func addr(name string) address.Address { return address.FromPubKey("ed25519", []byte(name)) }

var (
	admin    = addr("admin")
	kyc      = addr("kyc")
	officer  = addr("officer")
	issuer   = addr("issuer") // asset_issuer: issues ubridge
	bankCo   = addr("bank")   // cash_issuer: issues ueur
	treasury = addr("treasury")
	alice    = addr("alice") // identity alice (KYC)
	bob      = addr("bob")   // identity bob (KYC)
	carol    = addr("carol") // no identity
	mallory  = addr("mallory")
	start    = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

const (
	native = "ugrd"
	cash   = "ueur"
	sec    = "ubridge"
	day    = int64(86400)
	year   = 365 * day
)

// at is start plus s seconds, as a unix time.
func at(s int64) int64 { return start.Unix() + s }

type env struct {
	t     testing.TB
	tree  *store.Tree
	ctx   chain.Context
	auth  auth.Keeper
	bank  bank.Keeper
	ids   identity.Keeper
	comp  compliance.Keeper
	as    assets.Keeper
	k     vesting.Keeper
	m     *vesting.Module
	mods  []chain.Module
	route map[string]func(chain.Context, tx.Msg) error
}

// newEnv wires the keepers as app/ would, with vesting's Guard in front of compliance as bank's
// transfer hook, at height 10 and time start: ugrd, a cash asset (ueur) and a security (ubridge);
// treasury holds 1,000,000 of each, issuer 1,000,000 ubridge.
func newEnv(t testing.TB) *env {
	t.Helper()
	tree := store.OpenMemory()
	e := &env{t: t, tree: tree, ctx: chain.NewContext(store.NewCache(tree), 10, start, chaintest.ChainID, chain.ModeDeliver),
		auth: auth.NewKeeper(), route: map[string]func(chain.Context, tx.Msg) error{}}
	e.bank = bank.NewKeeper(e.auth, map[address.Address]string{compliance.HoldAccount: compliance.ModuleName})
	e.ids = identity.NewKeeper(e.auth)
	e.comp = compliance.NewKeeper(e.bank, e.ids, e.auth, native, nil)
	e.as = assets.NewKeeper(e.bank, e.comp, e.ids, e.auth)
	e.comp.SetAssets(e.as)
	e.k = vesting.NewKeeper(e.bank, e.comp)
	e.bank.SetHooks(vesting.Guard{Vesting: e.k, Next: e.comp}, e.comp)
	e.ids.SetHooks(e.comp)
	e.m = vesting.NewModule(e.k)
	e.mods = []chain.Module{auth.NewModule(e.auth), bank.NewModule(e.bank), identity.NewModule(e.ids), compliance.NewModule(e.comp), assets.NewModule(e.as), e.m}
	for _, m := range e.mods {
		for _, r := range m.Routes() {
			e.route[r.Msg.MsgType()] = r.Handle
		}
	}
	if err := e.mods[0].InitGenesis(e.ctx, chaintest.GenesisJSON(t, auth.Genesis{Accounts: []auth.Account{}, Roles: []auth.GenesisRole{
		{Role: auth.RoleAdmin, Address: admin}, {Role: auth.RoleKYCProvider, Address: kyc}, {Role: auth.RoleComplianceOfficer, Address: officer},
		{Role: auth.RoleAssetIssuer, Address: issuer}, {Role: auth.RoleCashIssuer, Address: bankCo}}})); err != nil {
		t.Fatal(err)
	}
	if err := e.mods[1].InitGenesis(e.ctx, chaintest.GenesisJSON(t, bank.Genesis{Units: []coin.Unit{chaintest.GRD},
		Balances: []bank.Balance{{Address: treasury, Coins: []coin.Coin{coin.New(native, 1_000_000)}}}})); err != nil {
		t.Fatal(err)
	}
	e.ok(&identity.MsgSetTrust{Authority: admin, Issuer: kyc, Claims: identity.ClaimKinds})
	for _, p := range []struct {
		id string
		a  address.Address
	}{{"alice", alice}, {"bob", bob}, {"treasury", treasury}} {
		e.ok(&identity.MsgRegister{Provider: kyc, ID: p.id, Accounts: []address.Address{p.a}})
		e.ok(&identity.MsgIssue{Issuer: kyc, ID: p.id, Claims: identity.ClaimSet{KYCLevel: 2, Jurisdiction: "DE"},
			Expiry: start.AddDate(10, 0, 0).Unix(), EvidenceHash: sha256.Sum256([]byte(p.id))})
	}
	e.ok(&assets.MsgCreate{Issuer: bankCo, Denom: cash, Kind: assets.KindCash, Name: "Euro token", Symbol: "EURT", Decimals: 2})
	e.ok(&assets.MsgCreate{Issuer: issuer, Denom: sec, Kind: assets.KindSecurity, Name: "Bridge notes", Symbol: "BRIDGE"})
	e.ok(&assets.MsgMint{Issuer: bankCo, Denom: cash, Amount: 1_000_000, To: treasury})
	e.ok(&assets.MsgMint{Issuer: issuer, Denom: sec, Amount: 1_000_000, To: treasury})
	return e
}

func (e *env) run(m tx.Msg) ([]chain.Event, error) {
	e.t.Helper()
	h := e.route[m.MsgType()]
	if h == nil {
		e.t.Fatalf("no route for %s", m.MsgType())
	}
	return chaintest.RunMsg(e.ctx, h, m)
}

func (e *env) ok(m tx.Msg) []chain.Event {
	e.t.Helper()
	evs, err := e.run(m)
	if err != nil {
		e.t.Fatalf("%s: %v", m.MsgType(), err)
	}
	return evs
}

func (e *env) fails(m tx.Msg, want *codes.Error, inMsg string) {
	e.t.Helper()
	e.failsT(e.t, m, want, inMsg)
}

// failsT is fails reporting to t (a subtest).
func (e *env) failsT(t testing.TB, m tx.Msg, want *codes.Error, inMsg string) {
	t.Helper()
	chaintest.MsgFails(t, e.ctx, e.route[m.MsgType()], m, want, inMsg)
}

// grant makes a grant from treasury and returns its id.
func (e *env) grant(m vesting.MsgGrant) uint64 {
	e.t.Helper()
	if m.Grantor.IsZero() {
		m.Grantor = treasury
	}
	evs := e.ok(&m)
	for _, ev := range evs {
		if ev.Type == "vesting.granted" {
			for _, a := range ev.Attrs {
				if a.Key == "grant" {
					var id uint64
					for _, c := range a.Value {
						id = id*10 + uint64(c-'0')
					}
					return id
				}
			}
		}
	}
	e.t.Fatalf("no vesting.granted event in %v", evs)
	return 0
}

func linear(s, cliff, end int64) vesting.Schedule {
	return vesting.Schedule{Kind: vesting.KindLinear, Start: s, Cliff: cliff, End: end}
}

func (e *env) bal(a address.Address, denom string) coin.Amount {
	return e.bank.Balance(e.ctx, a, denom)
}

// setTime moves the block clock to t (unix seconds) at the next height.
func (e *env) setTime(t int64) {
	e.ctx.Height++
	e.ctx.Time = time.Unix(t, 0).UTC()
}

// endBlock runs every end blocker and checks every invariant; it returns the end block's events.
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

func (e *env) invariants() {
	e.t.Helper()
	for _, m := range e.mods {
		if err := chaintest.All(m).Check(e.ctx); err != nil {
			e.t.Fatal(err)
		}
	}
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
