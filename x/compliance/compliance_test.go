package compliance_test

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"reflect"
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
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/identity"
)

func addr(name string) address.Address { return address.FromPubKey("ed25519", []byte(name)) }

var (
	admin   = addr("admin")
	kyc     = addr("kyc") // a KYC provider trusted for every claim
	officer = addr("officer")
	issuer  = addr("issuer") // holds bridge tokens, no identity
	alice   = addr("alice")  // identity "alice": KYC 2, DE, professional, screened
	alice2  = addr("alice2") // alice's second account
	bob     = addr("bob")    // identity "bob": KYC 1, US, retail
	carol   = addr("carol")  // no identity
	mallory = addr("mallory")
	start   = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

	bridge = coin.Unit{Base: "ubridge", Display: "BRIDGE", Exponent: 6}
)

const ugrd = "ugrd"

func br(n uint64) coin.Coin { return coin.New("ubridge", coin.Amount(n)) }

type env struct {
	t     testing.TB
	ctx   chain.Context
	auth  auth.Keeper
	bank  bank.Keeper
	ids   identity.Keeper
	k     compliance.Keeper
	m     *compliance.Module
	route map[string]func(chain.Context, tx.Msg) error
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := chain.NewContext(store.NewCache(store.OpenMemory()), 10, start, chaintest.ChainID, chain.ModeDeliver)
	e := &env{t: t, ctx: ctx, auth: auth.NewKeeper(), route: map[string]func(chain.Context, tx.Msg) error{}}
	e.bank = bank.NewKeeper(e.auth, map[address.Address]string{compliance.HoldAccount: compliance.ModuleName})
	e.ids = identity.NewKeeper(e.auth)
	e.k = compliance.NewKeeper(e.bank, e.ids, e.auth, ugrd, nil)
	e.bank.SetHooks(e.k, e.k)
	e.ids.SetHooks(e.k)
	e.m = compliance.NewModule(e.k)
	for _, m := range []chain.Module{bank.NewModule(e.bank), identity.NewModule(e.ids), e.m} {
		for _, r := range m.Routes() {
			e.route[r.Msg.MsgType()] = r.Handle
		}
	}
	if err := auth.NewModule(e.auth).InitGenesis(ctx, chaintest.GenesisJSON(t, auth.Genesis{Accounts: []auth.Account{}, Roles: []auth.GenesisRole{
		{Role: auth.RoleAdmin, Address: admin}, {Role: auth.RoleKYCProvider, Address: kyc}, {Role: auth.RoleComplianceOfficer, Address: officer}}})); err != nil {
		t.Fatal(err)
	}
	if err := bank.NewModule(e.bank).InitGenesis(ctx, chaintest.GenesisJSON(t, bank.Genesis{Units: []coin.Unit{chaintest.GRD, bridge}, Balances: []bank.Balance{
		{Address: issuer, Coins: []coin.Coin{br(1_000_000)}},
		{Address: alice, Coins: []coin.Coin{br(10_000), coin.New(ugrd, 1_000_000)}},
		{Address: bob, Coins: []coin.Coin{coin.New(ugrd, 1_000_000)}},
	}})); err != nil {
		t.Fatal(err)
	}
	e.ok(officer, &identity.MsgSetTrust{Authority: admin, Issuer: kyc, Claims: identity.ClaimKinds})
	e.ok(kyc, &identity.MsgRegister{Provider: kyc, ID: "alice", Accounts: []address.Address{alice, alice2}})
	e.ok(kyc, &identity.MsgRegister{Provider: kyc, ID: "bob", Accounts: []address.Address{bob}})
	e.issue("alice", identity.ClaimSet{KYCLevel: 2, Jurisdiction: "DE", InvestorType: "professional", SanctionsScreened: true}, start.AddDate(1, 0, 0))
	e.issue("bob", identity.ClaimSet{KYCLevel: 1, Jurisdiction: "US", InvestorType: "retail"}, start.AddDate(0, 1, 0))
	return e
}

func (e *env) issue(id string, c identity.ClaimSet, expiry time.Time) {
	e.t.Helper()
	e.ok(kyc, &identity.MsgIssue{Issuer: kyc, ID: id, Claims: c, Expiry: expiry.Unix(), EvidenceHash: sha256.Sum256([]byte(id))})
}

// run executes msg like the app does: in a branch written only on success; it returns the
// branch's events (kept ones only, on failure).
func (e *env) run(m tx.Msg) ([]chain.Event, error) {
	e.t.Helper()
	return chaintest.RunMsg(e.ctx, e.route[m.MsgType()], m)
}

func (e *env) ok(_ address.Address, m tx.Msg) []chain.Event {
	e.t.Helper()
	evs, err := e.run(m)
	if err != nil {
		e.t.Fatalf("%s: %v", m.MsgType(), err)
	}
	return evs
}

func (e *env) fails(m tx.Msg, want *codes.Error, inMsg string) []chain.Event {
	e.t.Helper()
	evs, err := e.run(m)
	if err == nil {
		e.t.Fatalf("%s succeeded, want %s", m.MsgType(), want.Msg)
	}
	if !errors.Is(err, want) {
		e.t.Fatalf("%s: got %v, want code %s/%d", m.MsgType(), err, want.Module, want.Code)
	}
	if !strings.Contains(err.Error(), inMsg) {
		e.t.Fatalf("%s: error %q does not say %q", m.MsgType(), err, inMsg)
	}
	return evs
}

func (e *env) rules(asset string, rules ...compliance.Rule) {
	e.t.Helper()
	e.ok(officer, &compliance.MsgSetRules{Officer: officer, Asset: asset, Rules: rules})
}

func (e *env) send(from, to address.Address, c coin.Coin) ([]chain.Event, error) {
	return e.run(&bank.MsgSend{From: from, To: to, Amount: c})
}

func (e *env) bal(a address.Address, denom string) coin.Amount {
	return e.bank.Balance(e.ctx, a, denom)
}

func (e *env) at(t time.Time) { e.ctx.Time = t; e.ctx.Height++ }

func (e *env) invariants() {
	e.t.Helper()
	if err := chaintest.All(e.m).Check(e.ctx); err != nil {
		e.t.Fatal(err)
	}
}

func eventOf(evs []chain.Event, typ string) map[string]string {
	for _, ev := range evs {
		if ev.Type == typ {
			m := map[string]string{}
			for _, a := range ev.Attrs {
				m[a.Key] = a.Value
			}
			return m
		}
	}
	return nil
}

func rule(id, kind, outcome string, p compliance.Params) compliance.Rule {
	return compliance.Rule{ID: id, Kind: kind, Outcome: outcome, Params: p}
}

func TestRuleValidation(t *testing.T) {
	cases := []struct {
		name  string
		asset string
		r     compliance.Rule
		inErr string // "" = valid
	}{
		{"claims", "ubridge", rule("kyc", compliance.KindRequiredClaims, "reject", compliance.Params{Side: "both", KYCLevel: 2}), ""},
		{"claims chain-wide", "", rule("kyc", compliance.KindRequiredClaims, "reject", compliance.Params{Side: "receiver", Sanctions: true}), ""},
		{"claims nothing", "ubridge", rule("kyc", compliance.KindRequiredClaims, "reject", compliance.Params{Side: "both"}), "requires nothing"},
		{"claims no side", "ubridge", rule("kyc", compliance.KindRequiredClaims, "reject", compliance.Params{KYCLevel: 1}), "side"},
		{"kyc level 4", "ubridge", rule("kyc", compliance.KindRequiredClaims, "reject", compliance.Params{Side: "both", KYCLevel: 4}), "kyc_level 4"},
		{"bad investor type", "ubridge", rule("kyc", compliance.KindRequiredClaims, "reject", compliance.Params{Side: "both", InvestorTypes: []string{"whale"}}), "whale"},
		{"unknown kind", "ubridge", rule("x", "magic", "reject", compliance.Params{}), "kind \"magic\""},
		{"outcome allow", "ubridge", rule("x", compliance.KindLargeTransfer, "allow", compliance.Params{Amount: 1}), "outcome"},
		{"bad id", "ubridge", rule("Big Rule", compliance.KindLargeTransfer, "flag", compliance.Params{Amount: 1}), "only a-z"},
		{"reserved id", "ubridge", rule("frozen", compliance.KindLargeTransfer, "flag", compliance.Params{Amount: 1}), "reserved"},
		{"foreign param", "ubridge", rule("big", compliance.KindLargeTransfer, "flag", compliance.Params{Amount: 1, Window: 60}), "window does not apply"},
		{"amount rule chain-wide", "", rule("big", compliance.KindLargeTransfer, "flag", compliance.Params{Amount: 1}), "per asset"},
		{"large zero", "ubridge", rule("big", compliance.KindLargeTransfer, "flag", compliance.Params{}), "at least 1"},
		{"holders zero", "ubridge", rule("cap", compliance.KindMaxHolders, "reject", compliance.Params{}), "at least 1"},
		{"holders on gas token", "ugrd", rule("cap", compliance.KindMaxHolders, "reject", compliance.Params{MaxHolders: 5}), "no holder accounting"},
		{"balance bps > 100%", "ubridge", rule("max", compliance.KindMaxBalance, "reject", compliance.Params{Bps: 10_001}), "bps"},
		{"balance nothing", "ubridge", rule("max", compliance.KindMaxBalance, "reject", compliance.Params{}), "give amount"},
		{"lockup negative", "ubridge", rule("lock", compliance.KindLockup, "reject", compliance.Params{Until: -5}), "until"},
		{"velocity short window", "ubridge", rule("vel", compliance.KindVelocity, "reject", compliance.Params{Amount: 5, Window: 11}), "window 11"},
		{"velocity", "ubridge", rule("vel", compliance.KindVelocity, "hold", compliance.Params{Amount: 5, Window: 3600, HoldFor: 600}), ""},
		{"hold_for on reject", "ubridge", rule("big", compliance.KindLargeTransfer, "reject", compliance.Params{Amount: 5, HoldFor: 60}), "hold_for applies"},
		{"hold_for too long", "ubridge", rule("big", compliance.KindLargeTransfer, "hold", compliance.Params{Amount: 5, HoldFor: compliance.MaxHoldFor + 1}), "hold_for"},
		{"severity on hold", "ubridge", rule("big", compliance.KindLargeTransfer, "hold", compliance.Params{Amount: 5, Severity: "high"}), "severity applies"},
		{"bad severity", "ubridge", rule("big", compliance.KindLargeTransfer, "flag", compliance.Params{Amount: 5, Severity: "dire"}), "dire"},
		{"jurisdiction lower case", "ubridge", rule("geo", compliance.KindJurisdictionBlock, "reject", compliance.Params{Side: "both", Jurisdictions: []string{"de"}}), "alpha-2"},
		{"jurisdiction none", "ubridge", rule("geo", compliance.KindJurisdictionAllow, "reject", compliance.Params{Side: "both"}), "no jurisdictions"},
		{"exempt twice", "ubridge", rule("big", compliance.KindLargeTransfer, "flag", compliance.Params{Amount: 5, Exempt: []address.Address{alice, alice}}), "twice"},
		{"deny list", "", rule("sanctions", compliance.KindDenyList, "reject", compliance.Params{Side: "both"}), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.r.Validate(c.asset, ugrd)
			if c.inErr == "" {
				if err != nil {
					t.Fatalf("valid rule refused: %v", err)
				}
				return
			}
			if err == nil || !errors.Is(err, compliance.ErrInvalidRule) || !strings.Contains(err.Error(), c.inErr) {
				t.Fatalf("got %v, want an invalid-rule error saying %q", err, c.inErr)
			}
		})
	}
}

func TestSetRulesRefusals(t *testing.T) {
	e := newEnv(t)
	good := rule("big", compliance.KindLargeTransfer, "hold", compliance.Params{Amount: 5})
	e.fails(&compliance.MsgSetRules{Officer: mallory, Asset: "ubridge", Rules: []compliance.Rule{good}}, compliance.ErrNotOfficer, "compliance_officer")
	e.fails(&compliance.MsgSetRules{Officer: officer, Asset: "ughost", Rules: []compliance.Rule{good}}, compliance.ErrUnknownAsset, "ughost")
	e.fails(&compliance.MsgSetRules{Officer: officer, Asset: "ubridge", Rules: []compliance.Rule{good, good}}, compliance.ErrInvalidRule, "twice")
	e.fails(&compliance.MsgSetRules{Officer: officer, Asset: "ubridge", Rules: []compliance.Rule{good, rule("bad", compliance.KindLockup, "reject", compliance.Params{})}}, compliance.ErrInvalidRule, "until")
	if _, ok := e.k.Rules(e.ctx, "ubridge"); ok {
		t.Fatal("a refused rule set was stored")
	}
	evs := e.ok(officer, &compliance.MsgSetRules{Officer: officer, Asset: "ubridge", Rules: []compliance.Rule{good}})
	if ev := eventOf(evs, "compliance.rules_set"); ev["scope"] != "ubridge" || ev["version"] != "1" || ev["rules"] != "big" || ev["by"] != officer.String() {
		t.Fatalf("rules_set event %v", ev)
	}
	e.rules("ubridge")
	if _, ok := e.k.Rules(e.ctx, "ubridge"); ok {
		t.Fatal("an empty rule list did not remove the set")
	}
	e.rules("ubridge", good)
	if rs, _ := e.k.Rules(e.ctx, "ubridge"); rs.Version != 3 {
		t.Fatalf("version %d after three changes", rs.Version)
	}
}

// TestDecisions sends one transfer under one rule set per case and checks the decision and its
// effect on balances.
func TestDecisions(t *testing.T) {
	cases := []struct {
		name     string
		asset    string // rule scope; "" chain-wide
		rules    []compliance.Rule
		setup    func(e *env)
		from, to address.Address
		amount   coin.Coin
		outcome  string
		rule     string
		inReason string
	}{
		{name: "no rules", from: issuer, to: carol, amount: br(5), outcome: "allow"},
		{name: "verified receiver", asset: "ubridge", rules: []compliance.Rule{rule("kyc", compliance.KindRequiredClaims, "reject", compliance.Params{Side: "receiver", KYCLevel: 1})},
			from: issuer, to: alice, amount: br(5), outcome: "allow"},
		{name: "unverified receiver", asset: "ubridge", rules: []compliance.Rule{rule("kyc", compliance.KindRequiredClaims, "reject", compliance.Params{Side: "receiver", KYCLevel: 1})},
			from: issuer, to: carol, amount: br(5), outcome: "reject", rule: "kyc", inReason: "no verified identity"},
		{name: "kyc level too low", asset: "ubridge", rules: []compliance.Rule{rule("kyc", compliance.KindRequiredClaims, "reject", compliance.Params{Side: "receiver", KYCLevel: 2})},
			from: issuer, to: bob, amount: br(5), outcome: "reject", rule: "kyc", inReason: "KYC level 1; 2 is required"},
		{name: "investor type", asset: "ubridge", rules: []compliance.Rule{rule("pro", compliance.KindRequiredClaims, "reject", compliance.Params{Side: "receiver", InvestorTypes: []string{"professional", "institutional"}})},
			from: issuer, to: bob, amount: br(5), outcome: "reject", rule: "pro", inReason: "investor type retail"},
		{name: "sender side only", asset: "ubridge", rules: []compliance.Rule{rule("kyc", compliance.KindRequiredClaims, "reject", compliance.Params{Side: "sender", KYCLevel: 1})},
			from: alice, to: carol, amount: br(5), outcome: "allow"},
		{name: "exempt issuer", asset: "ubridge", rules: []compliance.Rule{rule("kyc", compliance.KindRequiredClaims, "reject", compliance.Params{Side: "both", KYCLevel: 1, Exempt: []address.Address{issuer}})},
			from: issuer, to: alice, amount: br(5), outcome: "allow"},
		{name: "jurisdiction allowed", asset: "ubridge", rules: []compliance.Rule{rule("eu", compliance.KindJurisdictionAllow, "reject", compliance.Params{Side: "receiver", Jurisdictions: []string{"DE", "FR"}})},
			from: issuer, to: alice, amount: br(5), outcome: "allow"},
		{name: "jurisdiction not allowed", asset: "ubridge", rules: []compliance.Rule{rule("eu", compliance.KindJurisdictionAllow, "reject", compliance.Params{Side: "receiver", Jurisdictions: []string{"DE", "FR"}})},
			from: issuer, to: bob, amount: br(5), outcome: "reject", rule: "eu", inReason: "US is not among"},
		{name: "jurisdiction blocked chain-wide on gas token", rules: []compliance.Rule{rule("no-us", compliance.KindJurisdictionBlock, "hold", compliance.Params{Side: "receiver", Jurisdictions: []string{"US"}})},
			from: alice, to: bob, amount: coin.New(ugrd, 7), outcome: "hold", rule: "no-us", inReason: "US is blocked"},
		{name: "chain deny list", rules: []compliance.Rule{rule("sanctions", compliance.KindDenyList, "reject", compliance.Params{Side: "both"})},
			setup: func(e *env) {
				e.ok(officer, &compliance.MsgDeny{Officer: officer, Account: carol, Reason: "OFAC SDN"})
			},
			from: issuer, to: carol, amount: br(5), outcome: "reject", rule: "sanctions", inReason: "chain deny list (OFAC SDN)"},
		{name: "asset deny list does not cover other assets", asset: "ubridge", rules: []compliance.Rule{rule("blocked", compliance.KindDenyList, "reject", compliance.Params{Side: "both"})},
			setup: func(e *env) {
				e.ok(officer, &compliance.MsgDeny{Officer: officer, Asset: ugrd, Account: carol, Reason: "other asset"})
			},
			from: issuer, to: carol, amount: br(5), outcome: "allow"},
		{name: "lock-up", asset: "ubridge", rules: []compliance.Rule{rule("lock", compliance.KindLockup, "reject", compliance.Params{Until: start.Add(time.Hour).Unix()})},
			from: alice, to: bob, amount: br(5), outcome: "reject", rule: "lock", inReason: "locked up until 2026-01-01T01:00:00Z"},
		{name: "lock-up over", asset: "ubridge", rules: []compliance.Rule{rule("lock", compliance.KindLockup, "reject", compliance.Params{Until: start.Unix()})},
			from: alice, to: bob, amount: br(5), outcome: "allow"},
		{name: "large transfer flagged", asset: "ubridge", rules: []compliance.Rule{rule("big", compliance.KindLargeTransfer, "flag", compliance.Params{Amount: 100, Severity: "high"})},
			from: alice, to: bob, amount: br(100), outcome: "flag", rule: "big", inReason: "large-transfer threshold 100ubridge"},
		{name: "most severe wins", asset: "ubridge", rules: []compliance.Rule{
			rule("big", compliance.KindLargeTransfer, "flag", compliance.Params{Amount: 10}),
			rule("bigger", compliance.KindLargeTransfer, "hold", compliance.Params{Amount: 50}),
			rule("biggest", compliance.KindLargeTransfer, "hold", compliance.Params{Amount: 60}),
		}, from: alice, to: bob, amount: br(100), outcome: "hold", rule: "bigger"},
		{name: "max balance absolute", asset: "ubridge", rules: []compliance.Rule{rule("max", compliance.KindMaxBalance, "reject", compliance.Params{Amount: 10_004})},
			from: issuer, to: alice2, amount: br(5), outcome: "reject", rule: "max", inReason: "would hold 10005ubridge"},
		{name: "max balance share of supply", asset: "ubridge", rules: []compliance.Rule{rule("max", compliance.KindMaxBalance, "reject", compliance.Params{Bps: 100})},
			from: issuer, to: bob, amount: br(10_101), outcome: "reject", rule: "max", inReason: "the limit is 10100ubridge"},
		{name: "max balance within one identity", asset: "ubridge", rules: []compliance.Rule{rule("max", compliance.KindMaxBalance, "reject", compliance.Params{Amount: 1})},
			from: alice, to: alice2, amount: br(5_000), outcome: "allow"},
		{name: "max holders reached", asset: "ubridge", rules: []compliance.Rule{rule("cap", compliance.KindMaxHolders, "reject", compliance.Params{MaxHolders: 2})},
			from: issuer, to: bob, amount: br(5), outcome: "reject", rule: "cap", inReason: "holder number 3"},
		{name: "max holders: existing identity, new account", asset: "ubridge", rules: []compliance.Rule{rule("cap", compliance.KindMaxHolders, "reject", compliance.Params{MaxHolders: 2})},
			from: issuer, to: alice2, amount: br(5), outcome: "allow"},
		{name: "max holders: sender leaves", asset: "ubridge", rules: []compliance.Rule{rule("cap", compliance.KindMaxHolders, "reject", compliance.Params{MaxHolders: 2})},
			from: alice, to: bob, amount: br(10_000), outcome: "allow"},
		{name: "frozen sender", setup: func(e *env) {
			e.ok(officer, &compliance.MsgFreeze{Officer: officer, Asset: "ubridge", Account: alice, Reason: "court order 12"})
		}, from: alice, to: bob, amount: br(1), outcome: "reject", rule: "frozen", inReason: "court order 12"},
		{name: "partly frozen: spendable part moves", setup: func(e *env) {
			e.ok(officer, &compliance.MsgFreeze{Officer: officer, Asset: "ubridge", Account: alice, Amount: 9_000, Reason: "pledge"})
		}, from: alice, to: bob, amount: br(1_000), outcome: "allow"},
		{name: "partly frozen: frozen part stays", setup: func(e *env) {
			e.ok(officer, &compliance.MsgFreeze{Officer: officer, Asset: "ubridge", Account: alice, Amount: 9_000, Reason: "pledge"})
		}, from: alice, to: bob, amount: br(1_001), outcome: "reject", rule: "frozen", inReason: "spendable: 1000ubridge"},
		{name: "frozen receiver", setup: func(e *env) {
			e.ok(officer, &compliance.MsgFreeze{Officer: officer, Asset: "ubridge", Account: bob, Reason: "estate"})
		}, from: alice, to: bob, amount: br(1), outcome: "reject", rule: "frozen", inReason: "receiver"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			if c.setup != nil {
				c.setup(e)
			}
			if c.rules != nil {
				e.rules(c.asset, c.rules...)
			}
			d := e.k.Decide(e.ctx, c.from, c.to, c.amount)
			if d.Outcome != c.outcome || d.Rule != c.rule || !strings.Contains(d.Reason, c.inReason) {
				t.Fatalf("decision %+v, want %s by %q saying %q", d, c.outcome, c.rule, c.inReason)
			}
			fromBefore, toBefore := e.bal(c.from, c.amount.Denom), e.bal(c.to, c.amount.Denom)
			holdBefore := e.bal(compliance.HoldAccount, c.amount.Denom)
			evs, err := e.send(c.from, c.to, c.amount)
			moved := c.amount.Amount
			switch c.outcome {
			case "reject":
				if !errors.Is(err, compliance.ErrRejected) || !strings.Contains(err.Error(), "rule "+c.rule) {
					t.Fatalf("send: %v, want a rejection naming rule %s", err, c.rule)
				}
				if ev := eventOf(evs, "compliance.decision"); ev["outcome"] != "reject" || ev["rule"] != c.rule {
					t.Fatalf("the rejection left no decision event: %v", evs)
				}
				moved = 0
			case "hold":
				if err != nil {
					t.Fatal(err)
				}
				if got := e.bal(compliance.HoldAccount, c.amount.Denom) - holdBefore; got != c.amount.Amount {
					t.Fatalf("hold account got %d", got)
				}
				if ev := eventOf(evs, "compliance.decision"); ev["hold"] == "" || ev["rule"] != c.rule {
					t.Fatalf("hold event %v", ev)
				}
			case "flag":
				if err != nil {
					t.Fatal(err)
				}
				ev := eventOf(evs, "compliance.decision")
				if ev["alert"] == "" || ev["severity"] != "high" {
					t.Fatalf("flag event %v", ev)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if ev := eventOf(evs, "compliance.decision"); ev != nil {
					t.Fatalf("a plain allow recorded a decision: %v", ev)
				}
			}
			if got := fromBefore - e.bal(c.from, c.amount.Denom); c.amount.Denom != ugrd && got != c.amount.Amount && c.outcome != "reject" {
				t.Fatalf("sender lost %d", got)
			}
			received := e.bal(c.to, c.amount.Denom) - toBefore
			if c.outcome == "hold" {
				moved = 0
			}
			if received != moved {
				t.Fatalf("receiver got %d, want %d", received, moved)
			}
			e.invariants()
		})
	}
}

func TestHoldLifecycle(t *testing.T) {
	e := newEnv(t)
	e.rules("ubridge", rule("big", compliance.KindLargeTransfer, "hold", compliance.Params{Amount: 100, HoldFor: 3600}))
	hold := func() uint64 {
		t.Helper()
		evs, err := e.send(alice, bob, br(100))
		if err != nil {
			t.Fatal(err)
		}
		ev := eventOf(evs, "compliance.decision")
		hl := e.k.Holds(e.ctx, compliance.Filter{Status: compliance.HoldOpen, Limit: 100})
		last := hl.Holds[len(hl.Holds)-1]
		if chain.Uint(last.ID) != ev["hold"] || last.Deadline != e.ctx.Time.Unix()+3600 {
			t.Fatalf("hold %+v, event %v", last, ev)
		}
		return last.ID
	}
	h1, h2, h3 := hold(), hold(), hold()
	e.invariants()

	e.fails(&compliance.MsgDecideHold{Officer: mallory, Hold: h1, Action: "release", Reason: "ok"}, compliance.ErrNotOfficer, "compliance_officer")
	e.fails(&compliance.MsgDecideHold{Officer: officer, Hold: 99, Action: "release", Reason: "ok"}, compliance.ErrUnknownHold, "99")
	e.fails(&compliance.MsgDecideHold{Officer: officer, Hold: h1, Action: "keep", Reason: "ok"}, compliance.ErrInvalidMsg, "release or return")

	evs := e.ok(officer, &compliance.MsgDecideHold{Officer: officer, Hold: h1, Action: "release", Reason: "source of funds checked"})
	if ev := eventOf(evs, "compliance.hold_decided"); ev["action"] != "release" || ev["by"] != officer.String() {
		t.Fatalf("hold_decided %v", ev)
	}
	if e.bal(bob, "ubridge") != 100 {
		t.Fatalf("bob holds %d after the release", e.bal(bob, "ubridge"))
	}
	e.fails(&compliance.MsgDecideHold{Officer: officer, Hold: h1, Action: "return", Reason: "again"}, compliance.ErrHoldDecided, "already released")
	e.ok(officer, &compliance.MsgDecideHold{Officer: officer, Hold: h2, Action: "return", Reason: "no explanation"})
	if e.bal(alice, "ubridge") != 10_000-200 {
		t.Fatalf("alice holds %d after one release and one return", e.bal(alice, "ubridge"))
	}
	e.invariants()

	// h3 expires: not before its deadline, then at the first block at or after it.
	e.at(start.Add(3599 * time.Second))
	if err := e.m.EndBlock(e.ctx); err != nil {
		t.Fatal(err)
	}
	if h, _ := e.k.Hold(e.ctx, h3); h.Status != compliance.HoldOpen {
		t.Fatalf("hold returned before its deadline: %+v", h)
	}
	e.at(start.Add(3600 * time.Second))
	if err := e.m.EndBlock(e.ctx); err != nil {
		t.Fatal(err)
	}
	h, _ := e.k.Hold(e.ctx, h3)
	if h.Status != compliance.HoldExpired || e.bal(alice, "ubridge") != 10_000-100 || e.bal(compliance.HoldAccount, "ubridge") != 0 {
		t.Fatalf("after the deadline: %+v, alice %d", h, e.bal(alice, "ubridge"))
	}
	e.fails(&compliance.MsgDecideHold{Officer: officer, Hold: h3, Action: "release", Reason: "late"}, compliance.ErrHoldDecided, "expired")
	e.invariants()

	// Queries by account, asset, rule and status.
	for _, f := range []struct {
		f    compliance.Filter
		want []uint64
	}{
		{compliance.Filter{Account: bob, Limit: 10}, []uint64{1, 2, 3}},
		{compliance.Filter{Account: carol, Limit: 10}, nil},
		{compliance.Filter{Asset: "ubridge", Status: compliance.HoldReturned, Limit: 10}, []uint64{2}},
		{compliance.Filter{Rule: "big", Limit: 2}, []uint64{1, 2}},
		{compliance.Filter{Rule: "big", After: 2, Limit: 2}, []uint64{3}},
		{compliance.Filter{Status: compliance.HoldOpen, Limit: 10}, nil},
	} {
		var got []uint64
		for _, h := range e.k.Holds(e.ctx, f.f).Holds {
			got = append(got, h.ID)
		}
		if !reflect.DeepEqual(got, f.want) {
			t.Errorf("holds %+v: %v, want %v", f.f, got, f.want)
		}
	}
	if p := e.k.Holds(e.ctx, compliance.Filter{Limit: 2}); p.Next != 2 {
		t.Errorf("a first page of 2 of 3 holds has next %d", p.Next)
	}
}

func TestExpiryIsBoundedPerBlock(t *testing.T) {
	e := newEnv(t)
	e.rules("ubridge", rule("any", compliance.KindLargeTransfer, "hold", compliance.Params{Amount: 1, HoldFor: 60}))
	n := compliance.MaxExpiries + 20
	for i := 0; i < n; i++ {
		if _, err := e.send(alice, bob, br(1)); err != nil {
			t.Fatal(err)
		}
	}
	e.at(start.Add(time.Hour))
	if err := e.m.EndBlock(e.ctx); err != nil {
		t.Fatal(err)
	}
	open := len(e.k.Holds(e.ctx, compliance.Filter{Status: compliance.HoldOpen, Limit: 500}).Holds)
	if open != 20 {
		t.Fatalf("%d holds open after one end of block, want 20 left for the next", open)
	}
	e.invariants()
	e.at(start.Add(time.Hour + time.Second))
	if err := e.m.EndBlock(e.ctx); err != nil {
		t.Fatal(err)
	}
	if e.bal(alice, "ubridge") != 10_000 || e.bal(compliance.HoldAccount, "ubridge") != 0 {
		t.Fatal("not every hold came back")
	}
	e.invariants()
}

func TestAlerts(t *testing.T) {
	e := newEnv(t)
	e.rules("ubridge", rule("big", compliance.KindLargeTransfer, "flag", compliance.Params{Amount: 10}))
	for i := 0; i < 3; i++ {
		if _, err := e.send(alice, bob, br(10)); err != nil {
			t.Fatal(err)
		}
	}
	a, ok := e.k.Alert(e.ctx, 2)
	if !ok || a.Severity != compliance.SeverityMedium || a.Status != compliance.AlertOpen || a.From != alice || a.Rule != "big" {
		t.Fatalf("alert 2: %+v", a)
	}
	e.fails(&compliance.MsgCloseAlert{Officer: mallory, Alert: 2, Note: "fine"}, compliance.ErrNotOfficer, "compliance_officer")
	e.fails(&compliance.MsgCloseAlert{Officer: officer, Alert: 2}, compliance.ErrInvalidMsg, "note")
	e.fails(&compliance.MsgCloseAlert{Officer: officer, Alert: 9, Note: "x"}, compliance.ErrUnknownAlert, "9")
	e.ok(officer, &compliance.MsgCloseAlert{Officer: officer, Alert: 2, Note: "salary payments, documented"})
	e.fails(&compliance.MsgCloseAlert{Officer: officer, Alert: 2, Note: "again"}, compliance.ErrAlertClosed, "closed")
	var open []uint64
	for _, a := range e.k.Alerts(e.ctx, compliance.Filter{Status: compliance.AlertOpen, Limit: 10}).Alerts {
		open = append(open, a.ID)
	}
	if !reflect.DeepEqual(open, []uint64{1, 3}) {
		t.Fatalf("open alerts %v", open)
	}
	if got := e.k.Alerts(e.ctx, compliance.Filter{Account: alice2, Limit: 10}).Alerts; len(got) != 0 {
		t.Fatalf("alerts of an uninvolved account: %v", got)
	}
}

func TestVelocityWindow(t *testing.T) {
	e := newEnv(t)
	const window = 24 * 3600
	e.rules("ubridge", rule("daily", compliance.KindVelocity, "reject", compliance.Params{Amount: 1_000, Window: window}))
	if _, err := e.send(alice, bob, br(600)); err != nil {
		t.Fatal(err)
	}
	e.at(start.Add(time.Hour))
	// alice2 is the same identity: its sends count against the same limit.
	e.ok(alice, &bank.MsgSend{From: alice, To: alice2, Amount: br(400)}) // 1,000 sent in the window
	if _, err := e.send(alice2, bob, br(1)); !errors.Is(err, compliance.ErrRejected) || !strings.Contains(err.Error(), "1000ubridge in the last 86400 s") {
		t.Fatalf("over the limit through a second account of the identity: %v", err)
	}
	e.at(start.Add(window * time.Second))
	if _, err := e.send(alice2, bob, br(400)); err != nil {
		t.Fatalf("after the window the limit resets: %v", err)
	}
	e.invariants()
}

func TestCredentialExpiryStartsFailing(t *testing.T) {
	e := newEnv(t)
	e.rules("ubridge", rule("kyc", compliance.KindRequiredClaims, "reject", compliance.Params{Side: "receiver", KYCLevel: 1}))
	if _, err := e.send(issuer, bob, br(1)); err != nil {
		t.Fatal(err)
	}
	e.at(start.AddDate(0, 1, 0)) // bob's credential expires now
	if _, err := e.send(issuer, bob, br(1)); !errors.Is(err, compliance.ErrRejected) || !strings.Contains(err.Error(), "no KYC level that counts") {
		t.Fatalf("after expiry: %v", err)
	}
	// An untrusted issuer's fresh credential does not count either.
	e.ok(admin, &identity.MsgSetTrust{Authority: admin, Issuer: kyc, Claims: []string{identity.ClaimJurisdiction}})
	e.issue("bob", identity.ClaimSet{KYCLevel: 3}, start.AddDate(2, 0, 0))
	if d := e.k.Decide(e.ctx, issuer, bob, br(1)); d.Outcome != "reject" {
		t.Fatalf("a credential from an issuer not trusted for kyc_level counted: %+v", d)
	}
}

func TestHolderAccountingFollowsLinks(t *testing.T) {
	e := newEnv(t)
	if n := e.k.Holders(e.ctx, "ubridge"); n != 2 { // issuer, identity alice
		t.Fatalf("%d holders at genesis", n)
	}
	e.ok(issuer, &bank.MsgSend{From: issuer, To: carol, Amount: br(50)})
	e.ok(issuer, &bank.MsgSend{From: issuer, To: alice2, Amount: br(50)})
	if n := e.k.Holders(e.ctx, "ubridge"); n != 3 {
		t.Fatalf("%d holders, want 3 (alice's two accounts count once)", n)
	}
	// carol joins bob's identity, then leaves it.
	e.ok(kyc, &identity.MsgLink{Provider: kyc, ID: "bob", Account: carol})
	if got := e.k.Holding(e.ctx, "ubridge", []byte("ibob")); got != 50 {
		t.Fatalf("bob's identity holds %d after carol joined", got)
	}
	e.invariants()
	e.ok(kyc, &identity.MsgUnlink{Provider: kyc, ID: "bob", Account: carol})
	if n := e.k.Holders(e.ctx, "ubridge"); n != 3 {
		t.Fatalf("%d holders after unlink", n)
	}
	e.invariants()
}

func TestListsAndFreezes(t *testing.T) {
	e := newEnv(t)
	e.fails(&compliance.MsgDeny{Officer: mallory, Account: carol, Reason: "x"}, compliance.ErrNotOfficer, "compliance_officer")
	e.fails(&compliance.MsgDeny{Officer: officer, Account: carol}, compliance.ErrInvalidMsg, "reason")
	e.ok(officer, &compliance.MsgDeny{Officer: officer, Account: carol, Reason: "sanctioned"})
	e.fails(&compliance.MsgDeny{Officer: officer, Account: carol, Reason: "again"}, compliance.ErrAlreadyListed, "already")
	e.fails(&compliance.MsgUndeny{Officer: officer, Asset: "ubridge", Account: carol, Reason: "x"}, compliance.ErrNotListed, "ubridge deny list")
	e.ok(officer, &compliance.MsgUndeny{Officer: officer, Account: carol, Reason: "delisted"})
	if len(e.k.DenyList(e.ctx, "")) != 0 {
		t.Fatal("undeny left an entry")
	}
	e.fails(&compliance.MsgFreeze{Officer: officer, Asset: ugrd, Account: alice, Reason: "x"}, compliance.ErrNativeFreeze, "ugrd")
	e.fails(&compliance.MsgFreeze{Officer: officer, Asset: "ubridge", Account: alice, Amount: 10_001, Reason: "x"}, compliance.ErrFreezeTooLarge, "cannot freeze")
	e.fails(&compliance.MsgUnfreeze{Officer: officer, Asset: "ubridge", Account: alice, Reason: "x"}, compliance.ErrNotFrozen, "not frozen")
	e.ok(officer, &compliance.MsgFreeze{Officer: officer, Asset: "ubridge", Account: alice, Amount: 4_000, Reason: "pledge"})
	if _, err := e.send(alice, bob, br(6_001)); !errors.Is(err, compliance.ErrRejected) {
		t.Fatalf("frozen part moved: %v", err)
	}
	e.invariants()
	e.ok(officer, &compliance.MsgUnfreeze{Officer: officer, Asset: "ubridge", Account: alice, Reason: "released"})
	if _, err := e.send(alice, bob, br(6_001)); err != nil {
		t.Fatal(err)
	}
}

func TestInvariantsCatchCorruption(t *testing.T) {
	setup := func(t *testing.T) *env {
		e := newEnv(t)
		e.rules("ubridge", rule("big", compliance.KindLargeTransfer, "hold", compliance.Params{Amount: 100}))
		if _, err := e.send(alice, bob, br(100)); err != nil {
			t.Fatal(err)
		}
		e.ok(officer, &compliance.MsgFreeze{Officer: officer, Asset: "ubridge", Account: alice, Amount: 5_000, Reason: "pledge"})
		return e
	}
	inv := func(m *compliance.Module, name string) chain.Invariant {
		for _, i := range m.Invariants() {
			if i.Name == name {
				return i
			}
		}
		t.Fatalf("no invariant %s", name)
		return chain.Invariant{}
	}
	t.Run("hold account", func(t *testing.T) {
		e := setup(t)
		chaintest.InvariantCatches(t, inv(e.m, "compliance/open-holds-equal-hold-account"), e.ctx, func() {
			// a raw mint into the hold account that no hold explains
			if err := e.bank.Mint(e.ctx, compliance.HoldAccount, br(1)); err != nil {
				t.Fatal(err)
			}
		}, "hold account holds 101ubridge")
	})
	t.Run("frozen", func(t *testing.T) {
		e := setup(t)
		chaintest.InvariantCatches(t, inv(e.m, "compliance/frozen-amounts-stay"), e.ctx, func() {
			if err := e.bank.Send(e.ctx, alice, bob, br(9_000)); err != nil { // a plain move past the freeze
				t.Fatal(err)
			}
		}, "frozen")
	})
	t.Run("holder accounting", func(t *testing.T) {
		e := setup(t)
		chaintest.InvariantCatches(t, inv(e.m, "compliance/holder-accounting"), e.ctx, func() {
			e.ctx.Store(compliance.StorePrefix).Set(append([]byte("n/"), "ubridge"...), []byte{0x09})
		}, "holders recorded")
	})
	t.Run("hold index", func(t *testing.T) {
		e := setup(t)
		chaintest.InvariantCatches(t, inv(e.m, "compliance/open-hold-index"), e.ctx, func() {
			e.ctx.Store(compliance.StorePrefix).Delete([]byte("ho/\x00\x00\x00\x00\x00\x00\x00\x01"))
		}, "hold 1 is open")
	})
}

func TestGenesisRoundTrip(t *testing.T) {
	e := newEnv(t)
	e.rules("", rule("sanctions", compliance.KindDenyList, "reject", compliance.Params{Side: "both"}))
	e.rules("ubridge", rule("big", compliance.KindLargeTransfer, "hold", compliance.Params{Amount: 100}),
		rule("mid", compliance.KindLargeTransfer, "flag", compliance.Params{Amount: 50}),
		rule("daily", compliance.KindVelocity, "flag", compliance.Params{Amount: 1_000_000, Window: 3600}))
	e.ok(officer, &compliance.MsgDeny{Officer: officer, Account: mallory, Reason: "sanctioned"})
	e.ok(officer, &compliance.MsgFreeze{Officer: officer, Asset: "ubridge", Account: alice, Amount: 10, Reason: "pledge"})
	for _, n := range []uint64{100, 100, 60} {
		if _, err := e.send(alice, bob, br(n)); err != nil {
			t.Fatal(err)
		}
	}
	e.ok(officer, &compliance.MsgDecideHold{Officer: officer, Hold: 1, Action: "release", Reason: "ok"})
	out, err := e.m.ExportGenesis(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var g compliance.Genesis
	if err := json.Unmarshal(out, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.RuleSets) != 2 || len(g.Holds) != 2 || len(g.Alerts) != 1 || len(g.Velocity) != 1 || g.HoldSequence != 2 || len(g.DenyLists) != 1 || len(g.Freezes) != 1 {
		t.Fatalf("export: %s", out)
	}
	// A fresh chain with the same bank and identity state imports it and exports the same.
	f := newEnv(t)
	if err := bank.NewModule(f.bank).InitGenesis(f.ctx, chaintest.GenesisJSON(t, bank.Genesis{Balances: []bank.Balance{
		{Address: compliance.HoldAccount, Coins: []coin.Coin{br(100)}}}})); err != nil {
		t.Fatal(err)
	}
	if err := f.m.InitGenesis(f.ctx, out); err != nil {
		t.Fatal(err)
	}
	again, err := f.m.ExportGenesis(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(out) {
		t.Fatalf("round trip differs:\n%s\n%s", out, again)
	}
	if err := chaintest.All(f.m).Check(f.ctx); err != nil {
		t.Fatal(err)
	}
	// Bad genesis is refused with a reason.
	for _, bad := range []struct{ json, inErr string }{
		{`{"rule_sets":[{"asset":"ughost","rules":[]}]}`, "ughost"},
		{`{"rule_sets":[{"asset":"ubridge","rules":[{"id":"x","kind":"lockup","outcome":"reject","params":{}}]}]}`, "until"},
		{`{"holds":[{"id":3,"status":"open"}],"hold_sequence":2}`, "hold 3"},
		{`{"freezes":[{"asset":"ugrd","account":"` + alice.String() + `"}]}`, "cannot be frozen"},
		{`{"unknown":1}`, "unknown"},
	} {
		g := newEnv(t)
		if err := g.m.InitGenesis(g.ctx, json.RawMessage(bad.json)); err == nil || !strings.Contains(err.Error(), bad.inErr) {
			t.Errorf("genesis %s: %v, want an error saying %q", bad.json, err, bad.inErr)
		}
	}
}

func TestDryRunQuery(t *testing.T) {
	e := newEnv(t)
	e.rules("ubridge", rule("kyc", compliance.KindRequiredClaims, "reject", compliance.Params{Side: "receiver", KYCLevel: 1}))
	v, err := e.m.Query(e.ctx, []string{"check", issuer.String(), carol.String(), "5ubridge"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := v.(compliance.CheckResult)
	if res.Decision.Outcome != "reject" || res.Decision.Rule != "kyc" || res.Code != "compliance:3" {
		t.Fatalf("dry run %+v", res)
	}
	if e.bal(carol, "ubridge") != 0 || e.bal(issuer, "ubridge") != 1_000_000 {
		t.Fatal("a dry run moved funds")
	}
	for _, bad := range [][]string{
		{"check", "gir1nope", carol.String(), "5ubridge"},
		{"check", issuer.String(), carol.String(), "5"},
		{"check", issuer.String(), carol.String(), "5ughost"},
		{"holds"},
	} {
		data := []byte(nil)
		if bad[0] == "holds" {
			data = []byte("status=pending")
		}
		if _, err := e.m.Query(e.ctx, bad, data); err == nil {
			t.Errorf("query %v %s answered", bad, data)
		}
	}
}

// TestRuleSetCacheBranches: decoded rule sets are reused only for the bytes a branch holds, so a
// set_rules in a discarded branch does not leak into its parent or a sibling, and a new set
// takes effect at once in the branch that wrote it.
func TestRuleSetCacheBranches(t *testing.T) {
	e := newEnv(t)
	allowDE := compliance.Rule{ID: "eu", Kind: compliance.KindJurisdictionAllow, Outcome: compliance.OutcomeReject,
		Params: compliance.Params{Side: compliance.SideSender, Jurisdictions: []string{"DE"}}}
	e.rules("ubridge", allowDE)
	if d := e.k.Decide(e.ctx, alice, bob, br(1)); d.Outcome != compliance.OutcomeAllow {
		t.Fatalf("decision %+v, want allow", d)
	}
	// A branch sets a rule that rejects alice (DE); it is seen at once there, never outside.
	branch := e.ctx.WithKV(store.NewCache(e.ctx.KV()))
	allowFR := allowDE
	allowFR.Params.Jurisdictions = []string{"FR"}
	if err := e.k.SetRules(branch, &compliance.MsgSetRules{Officer: officer, Asset: "ubridge", Rules: []compliance.Rule{allowFR}}); err != nil {
		t.Fatal(err)
	}
	if d := e.k.Decide(branch, alice, bob, br(1)); d.Outcome != compliance.OutcomeReject || d.Rule != "eu" {
		t.Fatalf("in the branch: decision %+v, want reject by eu", d)
	}
	sibling := e.ctx.WithKV(store.NewCache(e.ctx.KV()))
	for name, ctx := range map[string]chain.Context{"parent": e.ctx, "sibling": sibling} {
		if d := e.k.Decide(ctx, alice, bob, br(1)); d.Outcome != compliance.OutcomeAllow {
			t.Fatalf("%s: decision %+v, want allow (the branch's rules leaked)", name, d)
		}
	}
	if rs, _ := e.k.Rules(e.ctx, "ubridge"); rs.Version != 1 || rs.Rules[0].Params.Jurisdictions[0] != "DE" {
		t.Fatalf("parent's rule set %+v, want version 1 allowing DE", rs)
	}
	// Written to the parent, the new set applies there.
	branch.KV().(*store.Cache).Write()
	if d := e.k.Decide(e.ctx, alice, bob, br(1)); d.Outcome != compliance.OutcomeReject {
		t.Fatalf("after the write: decision %+v, want reject", d)
	}
}

// TestRulesIsACopy: the rule set Rules returns is the caller's own. Changing any part of it
// changes neither what the next caller reads nor the decisions, which share the decoded set
// (a caller changing that would change what every branch sees).
func TestRulesIsACopy(t *testing.T) {
	e := newEnv(t)
	e.rules("ubridge",
		compliance.Rule{ID: "eu", Kind: compliance.KindJurisdictionAllow, Outcome: compliance.OutcomeReject,
			Params: compliance.Params{Side: compliance.SideSender, Jurisdictions: []string{"DE"}, Exempt: []address.Address{issuer}}},
		compliance.Rule{ID: "pro", Kind: compliance.KindRequiredClaims, Outcome: compliance.OutcomeReject,
			Params: compliance.Params{Side: compliance.SideSender, InvestorTypes: []string{"professional"}}})
	snapshot := func() string {
		rs, _ := e.k.Rules(e.ctx, "ubridge")
		b, _ := json.Marshal(rs)
		return string(b)
	}
	before := snapshot()
	decide := func() string {
		d := e.k.Decide(e.ctx, alice, bob, br(1))
		return d.Outcome + ":" + d.Rule
	}
	if got := decide(); got != compliance.OutcomeAllow+":" {
		t.Fatalf("decision %s, want allow", got)
	}
	// Change everything the copy holds: the rules, and every list of their params.
	rs, _ := e.k.Rules(e.ctx, "ubridge")
	rs.Rules[0].Params.Jurisdictions[0] = "FR"
	rs.Rules[0].Params.Exempt[0] = alice
	rs.Rules[1].Params.InvestorTypes[0] = "retail"
	rs.Rules[1].ID, rs.Rules[1].Outcome = "changed", compliance.OutcomeHold
	if again := snapshot(); again != before {
		t.Fatalf("a caller's change shows in the next read: %s", again)
	}
	if got := decide(); got != compliance.OutcomeAllow+":" {
		t.Fatalf("a caller's change moved the decision: %s", got)
	}
	// The decisions still follow the stored rules.
	if d := e.k.Decide(e.ctx, bob, alice, br(1)); d.Outcome != compliance.OutcomeReject || d.Rule != "eu" {
		t.Fatalf("bob (US) sending: %+v, want reject by eu", d)
	}
}
