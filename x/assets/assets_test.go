package assets_test

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"strings"
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
)

func addr(name string) address.Address { return address.FromPubKey("ed25519", []byte(name)) }

var (
	admin    = addr("admin")
	kyc      = addr("kyc")
	officer  = addr("officer")
	issuer   = addr("issuer") // asset_issuer
	bankCo   = addr("bank")   // cash_issuer
	alice    = addr("alice")  // identity alice, verified
	alice2   = addr("alice2") // alice's second account
	bob      = addr("bob")    // no identity
	mallory  = addr("mallory")
	start    = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	prospect = assets.Hash(sha256.Sum256([]byte("prospectus v1")))
)

type env struct {
	t     testing.TB
	ctx   chain.Context
	bank  bank.Keeper
	comp  compliance.Keeper
	k     assets.Keeper
	m     *assets.Module
	cm    *compliance.Module
	route map[string]func(chain.Context, tx.Msg) error
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := chain.NewContext(store.NewCache(store.OpenMemory()), 10, start, chaintest.ChainID, chain.ModeDeliver)
	au := auth.NewKeeper()
	e := &env{t: t, ctx: ctx, route: map[string]func(chain.Context, tx.Msg) error{}}
	e.bank = bank.NewKeeper(au, map[address.Address]string{compliance.HoldAccount: compliance.ModuleName})
	ids := identity.NewKeeper(au)
	e.comp = compliance.NewKeeper(e.bank, ids, au, "ugrd", nil)
	e.bank.SetHooks(e.comp, e.comp)
	ids.SetHooks(e.comp)
	e.k = assets.NewKeeper(e.bank, e.comp, ids, au)
	e.comp.SetAssets(e.k)
	e.m, e.cm = assets.NewModule(e.k), compliance.NewModule(e.comp)
	for _, m := range []chain.Module{bank.NewModule(e.bank), identity.NewModule(ids), e.cm, e.m} {
		for _, r := range m.Routes() {
			e.route[r.Msg.MsgType()] = r.Handle
		}
	}
	if err := auth.NewModule(au).InitGenesis(ctx, chaintest.GenesisJSON(t, auth.Genesis{Accounts: []auth.Account{}, Roles: []auth.GenesisRole{
		{Role: auth.RoleAdmin, Address: admin}, {Role: auth.RoleKYCProvider, Address: kyc}, {Role: auth.RoleComplianceOfficer, Address: officer},
		{Role: auth.RoleAssetIssuer, Address: issuer}, {Role: auth.RoleCashIssuer, Address: bankCo}}})); err != nil {
		t.Fatal(err)
	}
	if err := bank.NewModule(e.bank).InitGenesis(ctx, chaintest.GenesisJSON(t, bank.Genesis{Units: []coin.Unit{chaintest.GRD}})); err != nil {
		t.Fatal(err)
	}
	e.ok(&identity.MsgSetTrust{Authority: admin, Issuer: kyc, Claims: identity.ClaimKinds})
	e.ok(&identity.MsgRegister{Provider: kyc, ID: "alice", Accounts: []address.Address{alice, alice2}})
	e.ok(&identity.MsgIssue{Issuer: kyc, ID: "alice", Claims: identity.ClaimSet{KYCLevel: 2, Jurisdiction: "DE"}, Expiry: start.AddDate(1, 0, 0).Unix(), EvidenceHash: identity.Hash{1}})
	return e
}

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

func (e *env) fails(m tx.Msg, want *codes.Error, inMsg string) {
	e.t.Helper()
	_, err := e.run(m)
	if err == nil || !errors.Is(err, want) || !strings.Contains(err.Error(), inMsg) {
		e.t.Fatalf("%s: got %v, want %s/%d saying %q", m.MsgType(), err, want.Module, want.Code, inMsg)
	}
}

func (e *env) invariants() {
	e.t.Helper()
	for _, m := range []chain.Module{e.m, e.cm} {
		if err := chaintest.All(m).Check(e.ctx); err != nil {
			e.t.Fatal(err)
		}
	}
}

func bridgeMsg() *assets.MsgCreate {
	return &assets.MsgCreate{Issuer: issuer, Denom: "ubridge", Kind: assets.KindSecurity, Name: "Harbour Bridge SPV equity",
		Symbol: "BRIDGE", Decimals: 6, MaxSupply: 1_000_000, Project: "harbour-bridge"}
}

func (e *env) bridge() {
	e.t.Helper()
	e.ok(bridgeMsg())
	e.ok(&assets.MsgMint{Issuer: issuer, Denom: "ubridge", Amount: 600_000})
}

func TestCreateAndIssue(t *testing.T) {
	e := newEnv(t)
	evs := e.ok(bridgeMsg())
	if len(evs) == 0 || evs[0].Type != "assets.created" {
		t.Fatalf("events %v", evs)
	}
	if u, ok := e.bank.Unit(e.ctx, "ubridge"); !ok || u.Display != "BRIDGE" || u.Exponent != 6 {
		t.Fatalf("bank unit %+v", u)
	}
	a, _ := e.k.Asset(e.ctx, "ubridge")
	if a.Controller != issuer || a.Kind != assets.KindSecurity {
		t.Fatalf("asset %+v", a)
	}
	cash := &assets.MsgCreate{Issuer: bankCo, Denom: "ueurt", Kind: assets.KindCash, Name: "Tokenized euro", Symbol: "EURt", Decimals: 2}
	cases := []struct {
		name string
		m    tx.Msg
		want *codes.Error
		in   string
	}{
		{"security by a cash issuer", &assets.MsgCreate{Issuer: bankCo, Denom: "utoll", Kind: "security", Name: "x", Symbol: "TOLL"}, assets.ErrNotIssuer, "asset_issuer"},
		{"cash by an asset issuer", &assets.MsgCreate{Issuer: issuer, Denom: "ueurt", Kind: "cash", Name: "x", Symbol: "EURt"}, assets.ErrNotIssuer, "cash_issuer"},
		{"denom taken", &assets.MsgCreate{Issuer: issuer, Denom: "ugrd", Kind: "security", Name: "x", Symbol: "GRDX"}, assets.ErrDenomTaken, "ugrd"},
		{"symbol taken", &assets.MsgCreate{Issuer: issuer, Denom: "ubridge2", Kind: "security", Name: "x", Symbol: "BRIDGE"}, assets.ErrDenomTaken, "BRIDGE"},
		{"unknown kind", &assets.MsgCreate{Issuer: issuer, Denom: "ux", Kind: "bond", Name: "x", Symbol: "XX"}, assets.ErrInvalidMsg, "kind"},
		{"bad symbol", &assets.MsgCreate{Issuer: issuer, Denom: "ux", Kind: "security", Name: "x", Symbol: "X-1"}, assets.ErrInvalidMsg, "letters"},
		{"no name", &assets.MsgCreate{Issuer: issuer, Denom: "ux", Kind: "security", Symbol: "XX"}, assets.ErrInvalidMsg, "name"},
		{"too many decimals", &assets.MsgCreate{Issuer: issuer, Denom: "ux", Kind: "security", Name: "x", Symbol: "XX", Decimals: 19}, assets.ErrInvalidMsg, "decimals"},
		{"mint by another", &assets.MsgMint{Issuer: bankCo, Denom: "ubridge", Amount: 5}, assets.ErrNotAssetIssuer, "issued by"},
		{"mint unknown", &assets.MsgMint{Issuer: issuer, Denom: "ughost", Amount: 5}, assets.ErrUnknownAsset, "ughost"},
		{"mint beyond max", &assets.MsgMint{Issuer: issuer, Denom: "ubridge", Amount: 1_000_001}, assets.ErrMaxSupply, "maximum"},
		{"mint zero", &assets.MsgMint{Issuer: issuer, Denom: "ubridge"}, assets.ErrInvalidMsg, "positive"},
		{"burn more than held", &assets.MsgBurn{Issuer: issuer, Denom: "ubridge", Amount: 1}, bank.ErrInsufficientFunds, "has 0ubridge"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { e.t = t; e.fails(c.m, c.want, c.in) })
	}
	e.t = t
	e.ok(cash)
	e.ok(&assets.MsgMint{Issuer: issuer, Denom: "ubridge", Amount: 1_000_000})
	e.fails(&assets.MsgMint{Issuer: issuer, Denom: "ubridge", Amount: 1}, assets.ErrMaxSupply, "maximum 1000000")
	e.ok(&assets.MsgBurn{Issuer: issuer, Denom: "ubridge", Amount: 400_000})
	e.ok(&assets.MsgMint{Issuer: issuer, Denom: "ubridge", Amount: 400_000})
	if s := e.bank.Supply(e.ctx, "ubridge"); s != 1_000_000 {
		t.Fatalf("supply %d", s)
	}
	// The issuer's own frozen tokens cannot be burnt.
	e.ok(&assets.MsgFreeze{Controller: issuer, Denom: "ubridge", Account: issuer, Amount: 900_000, Reason: "pledged"})
	e.fails(&assets.MsgBurn{Issuer: issuer, Denom: "ubridge", Amount: 100_001}, assets.ErrFrozenHolding, "cannot burn")
	e.ok(&assets.MsgBurn{Issuer: issuer, Denom: "ubridge", Amount: 100_000})
	e.invariants()
}

func TestMintToInvestorGoesThroughCompliance(t *testing.T) {
	e := newEnv(t)
	e.ok(bridgeMsg())
	e.ok(&compliance.MsgSetRules{Officer: officer, Asset: "ubridge", Rules: []compliance.Rule{{ID: "kyc", Kind: compliance.KindRequiredClaims,
		Outcome: compliance.OutcomeReject, Params: compliance.Params{Side: compliance.SideReceiver, KYCLevel: 1}}}})
	e.ok(&assets.MsgMint{Issuer: issuer, Denom: "ubridge", Amount: 100, To: alice})
	e.fails(&assets.MsgMint{Issuer: issuer, Denom: "ubridge", Amount: 100, To: bob}, assets.ErrRefused, "rule kyc")
	if e.bank.Balance(e.ctx, alice, "ubridge") != 100 || e.bank.Balance(e.ctx, bob, "ubridge") != 0 || e.bank.Supply(e.ctx, "ubridge") != 100 {
		t.Fatal("mint to investors")
	}
	// A flagged mint moves and opens an alert; a held one waits in a hold for the officer.
	e.ok(&compliance.MsgSetRules{Officer: officer, Asset: "ubridge", Rules: []compliance.Rule{
		{ID: "huge", Kind: compliance.KindLargeTransfer, Outcome: compliance.OutcomeHold, Params: compliance.Params{Amount: 1_000}},
		{ID: "large", Kind: compliance.KindLargeTransfer, Outcome: compliance.OutcomeFlag, Params: compliance.Params{Amount: 500}}}})
	evs := e.ok(&assets.MsgMint{Issuer: issuer, Denom: "ubridge", Amount: 600, To: alice})
	if !hasEvent(evs, "compliance.decision", "outcome", "flag") || e.bank.Balance(e.ctx, alice, "ubridge") != 700 {
		t.Fatalf("flagged mint: %v, alice %d", evs, e.bank.Balance(e.ctx, alice, "ubridge"))
	}
	evs = e.ok(&assets.MsgMint{Issuer: issuer, Denom: "ubridge", Amount: 2_000, To: alice})
	if !hasEvent(evs, "compliance.decision", "outcome", "hold") || e.bank.Balance(e.ctx, alice, "ubridge") != 700 ||
		e.bank.Balance(e.ctx, compliance.HoldAccount, "ubridge") != 2_000 || e.bank.Supply(e.ctx, "ubridge") != 2_700 {
		t.Fatalf("held mint: %v, alice %d", evs, e.bank.Balance(e.ctx, alice, "ubridge"))
	}
	e.invariants()
}

func hasEvent(evs []chain.Event, typ, key, value string) bool {
	for _, ev := range evs {
		if ev.Type != typ {
			continue
		}
		for _, a := range ev.Attrs {
			if a.Key == key && a.Value == value {
				return true
			}
		}
	}
	return false
}

func TestDocumentsKeepHistory(t *testing.T) {
	e := newEnv(t)
	e.ok(bridgeMsg())
	e.ok(&assets.MsgSetDocument{Issuer: issuer, Denom: "ubridge", Name: "prospectus", URI: "ipfs://a", Hash: prospect})
	e.ok(&assets.MsgSetDocument{Issuer: issuer, Denom: "ubridge", Name: "term-sheet", URI: "https://x/ts.pdf", Hash: prospect})
	e.ok(&assets.MsgSetDocument{Issuer: issuer, Denom: "ubridge", Name: "prospectus", URI: "ipfs://b", Hash: assets.Hash{2}})
	e.ok(&assets.MsgRemoveDocument{Issuer: issuer, Denom: "ubridge", Name: "term-sheet"})
	e.fails(&assets.MsgRemoveDocument{Issuer: issuer, Denom: "ubridge", Name: "term-sheet"}, assets.ErrUnknownDoc, "term-sheet")
	e.fails(&assets.MsgSetDocument{Issuer: mallory, Denom: "ubridge", Name: "x", URI: "u", Hash: prospect}, assets.ErrNotAssetIssuer, "issued by")
	e.fails(&assets.MsgSetDocument{Issuer: issuer, Denom: "ubridge", Name: "x", URI: "u"}, assets.ErrInvalidMsg, "hash")
	cur := e.k.Documents(e.ctx, "ubridge")
	if len(cur) != 1 || cur[0].Name != "prospectus" || cur[0].Version != 2 || cur[0].URI != "ipfs://b" {
		t.Fatalf("current documents %+v", cur)
	}
	hist := e.k.DocumentHistory(e.ctx, "ubridge")
	if len(hist) != 4 || !hist[3].Removed || hist[3].Version != 2 || hist[0].URI != "ipfs://a" {
		t.Fatalf("history %+v", hist)
	}
	// Re-adding a removed document continues its history.
	e.ok(&assets.MsgSetDocument{Issuer: issuer, Denom: "ubridge", Name: "term-sheet", URI: "https://x/ts2.pdf", Hash: prospect})
	if n := len(e.k.Documents(e.ctx, "ubridge")); n != 2 {
		t.Fatalf("%d current documents", n)
	}
}

func TestControllerActions(t *testing.T) {
	e := newEnv(t)
	e.bridge()
	e.ok(&bank.MsgSend{From: issuer, To: alice, Amount: coin.New("ubridge", 1_000)})
	e.ok(&bank.MsgSend{From: issuer, To: bob, Amount: coin.New("ubridge", 1_000)})

	// Freeze by the controller (a compliance freeze): the frozen part stays.
	e.fails(&assets.MsgFreeze{Controller: mallory, Denom: "ubridge", Account: alice, Reason: "x"}, assets.ErrNotController, "controlled by")
	e.ok(&assets.MsgFreeze{Controller: issuer, Denom: "ubridge", Account: alice, Amount: 600, Reason: "pledged to lender"})
	if _, err := e.run(&bank.MsgSend{From: alice, To: bob, Amount: coin.New("ubridge", 401)}); !errors.Is(err, compliance.ErrRejected) {
		t.Fatalf("frozen part moved: %v", err)
	}
	e.ok(&bank.MsgSend{From: alice, To: bob, Amount: coin.New("ubridge", 400)})
	e.ok(&assets.MsgUnfreeze{Controller: issuer, Denom: "ubridge", Account: alice, Reason: "loan repaid"})

	// Forced transfer (no compliance), with its reason in the event.
	evs := e.ok(&assets.MsgForceTransfer{Controller: issuer, Denom: "ubridge", From: bob, To: alice, Amount: 300, Reason: "court order 2026/17"})
	var reason string
	for _, ev := range evs {
		if ev.Type == "assets.forced_transfer" {
			for _, a := range ev.Attrs {
				if a.Key == "reason" {
					reason = a.Value
				}
			}
		}
	}
	if reason != "court order 2026/17" || e.bank.Balance(e.ctx, bob, "ubridge") != 1_100 {
		t.Fatalf("forced transfer: reason %q, bob %d", reason, e.bank.Balance(e.ctx, bob, "ubridge"))
	}

	// Recovery: only between accounts of one identity; it moves the whole holding; holder counts
	// per identity do not change.
	holders := e.comp.Holders(e.ctx, "ubridge")
	e.fails(&assets.MsgRecover{Controller: issuer, Denom: "ubridge", From: bob, To: alice2, Reason: "lost key"}, assets.ErrNotSameOwner, "not accounts of one identity")
	e.ok(&assets.MsgRecover{Controller: issuer, Denom: "ubridge", From: alice, To: alice2, Reason: "lost key"})
	if e.bank.Balance(e.ctx, alice, "ubridge") != 0 || e.bank.Balance(e.ctx, alice2, "ubridge") != 900 || e.comp.Holders(e.ctx, "ubridge") != holders {
		t.Fatalf("recovery: alice %d alice2 %d holders %d→%d", e.bank.Balance(e.ctx, alice, "ubridge"), e.bank.Balance(e.ctx, alice2, "ubridge"), holders, e.comp.Holders(e.ctx, "ubridge"))
	}
	e.fails(&assets.MsgRecover{Controller: issuer, Denom: "ubridge", From: alice, To: alice2, Reason: "again"}, assets.ErrNothingToMove, "holds no")

	// Frozen holdings: a forced transfer moves only the spendable part; a recovery moves the
	// freeze with the holding (the same amount frozen on the new account).
	e.ok(&assets.MsgFreeze{Controller: issuer, Denom: "ubridge", Account: alice2, Amount: 500, Reason: "pledged"})
	e.fails(&assets.MsgForceTransfer{Controller: issuer, Denom: "ubridge", From: alice2, To: bob, Amount: 401, Reason: "court order"}, assets.ErrFrozenHolding, "at most 400ubridge")
	e.ok(&assets.MsgForceTransfer{Controller: issuer, Denom: "ubridge", From: alice2, To: bob, Amount: 400, Reason: "court order"})
	e.invariants()
	e.ok(&assets.MsgRecover{Controller: issuer, Denom: "ubridge", From: alice2, To: alice, Reason: "lost key again"})
	if _, ok := e.comp.Frozen(e.ctx, "ubridge", alice2); ok {
		t.Fatal("the freeze stayed on the emptied account")
	}
	if f, ok := e.comp.Frozen(e.ctx, "ubridge", alice); !ok || f.Floor != 500 || f.Amount != 500 {
		t.Fatalf("the partial freeze did not move to the new account: %+v %v", f, ok)
	}
	e.invariants()
	e.ok(&assets.MsgUnfreeze{Controller: issuer, Denom: "ubridge", Account: alice, Reason: "released"})
	e.ok(&assets.MsgRecover{Controller: issuer, Denom: "ubridge", From: alice, To: alice2, Reason: "back"})

	// Module accounts (escrows, holds) hold what their module owes others: no controller action
	// touches them.
	for _, m := range []tx.Msg{
		&assets.MsgForceTransfer{Controller: issuer, Denom: "ubridge", From: compliance.HoldAccount, To: bob, Amount: 1, Reason: "x"},
		&assets.MsgForceTransfer{Controller: issuer, Denom: "ubridge", From: bob, To: compliance.HoldAccount, Amount: 1, Reason: "x"},
		&assets.MsgRecover{Controller: issuer, Denom: "ubridge", From: compliance.HoldAccount, To: bob, Reason: "x"},
		&assets.MsgFreeze{Controller: issuer, Denom: "ubridge", Account: compliance.HoldAccount, Reason: "x"},
	} {
		e.fails(m, assets.ErrModuleAccount, "compliance module's account")
	}

	// Pause: every transfer is rejected (rule paused) until unpaused.
	e.ok(&assets.MsgPause{Controller: issuer, Denom: "ubridge", Reason: "corporate action"})
	e.fails(&assets.MsgPause{Controller: issuer, Denom: "ubridge", Reason: "again"}, assets.ErrPaused, "corporate action")
	if _, err := e.run(&bank.MsgSend{From: bob, To: alice2, Amount: coin.New("ubridge", 1)}); !errors.Is(err, compliance.ErrRejected) || !strings.Contains(err.Error(), "rule paused") {
		t.Fatalf("paused transfer: %v", err)
	}
	e.ok(&assets.MsgUnpause{Controller: issuer, Denom: "ubridge", Reason: "done"})
	e.fails(&assets.MsgUnpause{Controller: issuer, Denom: "ubridge", Reason: "again"}, assets.ErrNotPaused, "not paused")
	e.ok(&bank.MsgSend{From: bob, To: alice2, Amount: coin.New("ubridge", 1)})
	e.invariants()
}

func TestGenesisRoundTrip(t *testing.T) {
	e := newEnv(t)
	e.bridge()
	e.ok(&assets.MsgSetDocument{Issuer: issuer, Denom: "ubridge", Name: "prospectus", URI: "ipfs://a", Hash: prospect})
	e.ok(&assets.MsgRemoveDocument{Issuer: issuer, Denom: "ubridge", Name: "prospectus"})
	e.ok(&assets.MsgPause{Controller: issuer, Denom: "ubridge", Reason: "audit"})
	out, err := e.m.ExportGenesis(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	f := newEnv(t)
	if err := f.m.InitGenesis(f.ctx, out); err != nil {
		t.Fatal(err)
	}
	again, _ := f.m.ExportGenesis(f.ctx)
	if string(again) != string(out) {
		t.Fatalf("round trip:\n%s\n%s", out, again)
	}
	var g assets.Genesis
	_ = json.Unmarshal(out, &g)
	if len(g.Assets) != 1 || len(g.Documents) != 2 || !g.Assets[0].Paused {
		t.Fatalf("export %s", out)
	}
	for _, bad := range []struct{ json, in string }{
		{`{"assets":[{"denom":"ux","kind":"bond","name":"x","symbol":"XX","issuer":"` + issuer.String() + `","controller":"` + issuer.String() + `"}]}`, "kind"},
		{`{"documents":[{"asset":"ughost","name":"x","version":1}]}`, "unknown asset"},
	} {
		g := newEnv(t)
		if err := g.m.InitGenesis(g.ctx, json.RawMessage(bad.json)); err == nil || !strings.Contains(err.Error(), bad.in) {
			t.Errorf("genesis %s: %v", bad.json, err)
		}
	}
}

func TestInvariantCatchesSupplyAboveMax(t *testing.T) {
	e := newEnv(t)
	e.bridge()
	chaintest.InvariantCatches(t, e.m.Invariants()[0], e.ctx, func() {
		if err := e.bank.Mint(e.ctx, bob, coin.New("ubridge", 500_000)); err != nil { // a mint that bypasses the module
			t.Fatal(err)
		}
	}, "above the maximum")
}
