package identity_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/chain/chaintest"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/identity"
)

func addr(name string) address.Address { return address.FromPubKey("ed25519", []byte(name)) }

var (
	admin    = addr("admin")
	kyc1     = addr("kyc1") // a KYC provider, trusted for every claim kind
	kyc2     = addr("kyc2") // a KYC provider, not trusted
	officer  = addr("officer")
	alice    = addr("alice")
	alice2   = addr("alice2")
	bob      = addr("bob")
	mallory  = addr("mallory") // holds no role
	start    = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	evidence = identity.Hash(sha256.Sum256([]byte("passport scan")))
)

func year(n int) int64 { return start.AddDate(n, 0, 0).Unix() }

type env struct {
	ctx   chain.Context
	auth  auth.Keeper
	k     identity.Keeper
	m     *identity.Module
	route map[string]func(chain.Context, tx.Msg) error
}

func newCtx() chain.Context {
	return chain.NewContext(store.NewCache(store.OpenMemory()), 10, start, "test-chain", chain.ModeDeliver)
}

func rawJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// setup: admin; kyc1 and kyc2 are KYC providers; officer is a compliance officer; kyc1 is
// trusted for every claim kind.
func setup(t *testing.T) *env {
	t.Helper()
	ctx := newCtx()
	ak := auth.NewKeeper()
	roles := []auth.GenesisRole{
		{Role: auth.RoleAdmin, Address: admin},
		{Role: auth.RoleKYCProvider, Address: kyc1},
		{Role: auth.RoleKYCProvider, Address: kyc2},
		{Role: auth.RoleComplianceOfficer, Address: officer},
	}
	if err := auth.NewModule(ak).InitGenesis(ctx, rawJSON(t, auth.Genesis{Roles: roles})); err != nil {
		t.Fatal(err)
	}
	k := identity.NewKeeper(ak)
	m := identity.NewModule(k)
	if err := m.InitGenesis(ctx, rawJSON(t, identity.DefaultGenesis())); err != nil {
		t.Fatal(err)
	}
	e := &env{ctx: ctx, auth: ak, k: k, m: m, route: map[string]func(chain.Context, tx.Msg) error{}}
	for _, r := range m.Routes() {
		e.route[r.Msg.MsgType()] = r.Handle
	}
	e.ok(t, &identity.MsgSetTrust{Authority: admin, Issuer: kyc1, Claims: identity.ClaimKinds})
	return e
}

// run executes msg through its route, as the app does.
func (e *env) run(m tx.Msg) error {
	h, ok := e.route[m.MsgType()]
	if !ok {
		panic("no route for " + m.MsgType())
	}
	return h(e.ctx, m)
}

func (e *env) ok(t *testing.T, m tx.Msg) {
	t.Helper()
	if err := e.run(m); err != nil {
		t.Fatalf("%s: %v", m.MsgType(), err)
	}
}

func (e *env) writes() string { return fmt.Sprint(e.ctx.KV().(*store.Cache).Changes()) }

func (e *env) invariants() error {
	for _, inv := range e.m.Invariants() {
		if err := inv.Check(e.ctx); err != nil {
			return fmt.Errorf("%s: %w", inv.Name, err)
		}
	}
	return nil
}

func (e *env) issue(t *testing.T, issuer address.Address, id string, c identity.ClaimSet, expiry int64) uint64 {
	t.Helper()
	n, err := e.k.Issue(e.ctx, &identity.MsgIssue{Issuer: issuer, ID: id, Claims: c, Expiry: expiry, EvidenceHash: evidence})
	if err != nil {
		t.Fatalf("issue: %v", err)
	}
	return n
}

var fullClaims = identity.ClaimSet{KYCLevel: 2, Jurisdiction: "DE", InvestorType: identity.InvestorRetail, SanctionsScreened: true}

// withAlice registers identity "alice" (by kyc1) with alice's two accounts and one credential.
func withAlice(t *testing.T) *env {
	e := setup(t)
	e.ok(t, &identity.MsgRegister{Provider: kyc1, ID: "alice", Accounts: []address.Address{alice, alice2}})
	e.issue(t, kyc1, "alice", fullClaims, year(1))
	return e
}

func lastEvent(e *env) chain.Event {
	evs := e.ctx.Events()
	return evs[len(evs)-1]
}

func attr(ev chain.Event, key string) string {
	for _, a := range ev.Attrs {
		if a.Key == key {
			return a.Value
		}
	}
	return "<missing>"
}

// failure is a msg that must fail with want and leave state and events untouched.
type failure struct {
	name string
	msg  tx.Msg
	want *codes.Error
}

func expectFailures(t *testing.T, mk func(t *testing.T) *env, cases []failure) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := mk(t)
			snap, nev := e.writes(), len(e.ctx.Events())
			err := e.run(c.msg)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %s/%d %q", err, c.want.Module, c.want.Code, c.want.Desc)
			}
			if ce := codes.As(err); ce.Module != c.want.Module || !strings.HasPrefix(ce.Msg, c.want.Desc) {
				t.Fatalf("error %q is not a clear %s failure", ce.Msg, c.want.Module)
			}
			if e.writes() != snap {
				t.Fatal("a failed msg wrote state")
			}
			if len(e.ctx.Events()) != nev {
				t.Fatal("a failed msg emitted events")
			}
			if err := e.invariants(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestRegister(t *testing.T) {
	e := setup(t)
	e.ok(t, &identity.MsgRegister{Provider: kyc1, ID: "acme-corp-7", Accounts: []address.Address{bob, alice}})
	i, ok := e.k.GetIdentity(e.ctx, "acme-corp-7")
	if !ok || i.Provider != kyc1 || i.Height != 10 {
		t.Fatalf("identity %+v %v", i, ok)
	}
	if got := e.k.Accounts(e.ctx, "acme-corp-7"); len(got) != 2 || bytes.Compare(got[0][:], got[1][:]) >= 0 {
		t.Fatalf("accounts %v (want both, in address order)", got)
	}
	for _, a := range []address.Address{alice, bob} {
		if id, ok := e.k.Identity(e.ctx, a); !ok || id != "acme-corp-7" {
			t.Fatalf("Identity(%s) = %q %v", a, id, ok)
		}
	}
	evs := e.ctx.Events()
	types := []string{}
	for _, ev := range evs[len(evs)-3:] {
		types = append(types, ev.Type)
	}
	if strings.Join(types, " ") != "identity.registered identity.linked identity.linked" || attr(evs[len(evs)-3], "provider") != kyc1.String() {
		t.Fatalf("events %+v", evs)
	}
	// No accounts at first is fine.
	e.ok(t, &identity.MsgRegister{Provider: kyc2, ID: "empty"})
	if err := e.invariants(); err != nil {
		t.Fatal(err)
	}

	expectFailures(t, withAlice, []failure{
		{"signer is not a KYC provider", &identity.MsgRegister{Provider: mallory, ID: "bob"}, identity.ErrNotProvider},
		{"an admin is not a KYC provider", &identity.MsgRegister{Provider: admin, ID: "bob"}, identity.ErrNotProvider},
		{"id taken", &identity.MsgRegister{Provider: kyc2, ID: "alice"}, identity.ErrIdentityExists},
		{"account linked elsewhere", &identity.MsgRegister{Provider: kyc1, ID: "bob", Accounts: []address.Address{bob, alice2}}, identity.ErrAccountLinked},
		{"id too short", &identity.MsgRegister{Provider: kyc1, ID: "ab"}, identity.ErrInvalidID},
		{"id too long", &identity.MsgRegister{Provider: kyc1, ID: strings.Repeat("a", 65)}, identity.ErrInvalidID},
		{"id with upper case", &identity.MsgRegister{Provider: kyc1, ID: "Bob"}, identity.ErrInvalidID},
		{"id with a slash", &identity.MsgRegister{Provider: kyc1, ID: "bob/x"}, identity.ErrInvalidID},
		{"account twice", &identity.MsgRegister{Provider: kyc1, ID: "bob", Accounts: []address.Address{bob, bob}}, identity.ErrInvalidMsg},
		{"zero account", &identity.MsgRegister{Provider: kyc1, ID: "bob", Accounts: []address.Address{{}}}, identity.ErrInvalidMsg},
		{"too many accounts", &identity.MsgRegister{Provider: kyc1, ID: "bob", Accounts: manyAccounts(identity.MaxAccounts + 1)}, identity.ErrInvalidMsg},
	})
}

func manyAccounts(n int) []address.Address {
	out := make([]address.Address, n)
	for i := range out {
		out[i] = addr(fmt.Sprint("many", i))
	}
	return out
}

func TestLinkUnlink(t *testing.T) {
	e := withAlice(t)
	e.ok(t, &identity.MsgLink{Provider: kyc1, ID: "alice", Account: bob})
	if id, _ := e.k.Identity(e.ctx, bob); id != "alice" || lastEvent(e).Type != "identity.linked" || attr(lastEvent(e), "account") != bob.String() {
		t.Fatalf("after link: %q %+v", id, lastEvent(e))
	}
	e.ok(t, &identity.MsgUnlink{Provider: kyc1, ID: "alice", Account: bob})
	if _, ok := e.k.Identity(e.ctx, bob); ok || lastEvent(e).Type != "identity.unlinked" {
		t.Fatal("unlink did not unlink")
	}
	if got := e.k.Accounts(e.ctx, "alice"); len(got) != 2 {
		t.Fatalf("accounts after unlink %v", got)
	}
	// An unlinked account may join another identity.
	e.ok(t, &identity.MsgRegister{Provider: kyc2, ID: "bob", Accounts: []address.Address{bob}})
	if err := e.invariants(); err != nil {
		t.Fatal(err)
	}

	mk := func(t *testing.T) *env {
		e := withAlice(t)
		e.ok(t, &identity.MsgRegister{Provider: kyc2, ID: "bob", Accounts: []address.Address{bob}})
		return e
	}
	expectFailures(t, mk, []failure{
		{"link: not a KYC provider", &identity.MsgLink{Provider: mallory, ID: "alice", Account: addr("new")}, identity.ErrNotProvider},
		{"link: another provider's identity", &identity.MsgLink{Provider: kyc2, ID: "alice", Account: addr("new")}, identity.ErrNotIdentityProvider},
		{"link: unknown identity", &identity.MsgLink{Provider: kyc1, ID: "nobody", Account: addr("new")}, identity.ErrUnknownIdentity},
		{"link: account in another identity", &identity.MsgLink{Provider: kyc1, ID: "alice", Account: bob}, identity.ErrAccountLinked},
		{"link: account already in this identity", &identity.MsgLink{Provider: kyc1, ID: "alice", Account: alice}, identity.ErrAccountLinked},
		{"link: bad id", &identity.MsgLink{Provider: kyc1, ID: "A!", Account: bob}, identity.ErrInvalidID},
		{"link: zero account", &identity.MsgLink{Provider: kyc1, ID: "alice"}, identity.ErrInvalidMsg},
		{"unlink: not a KYC provider", &identity.MsgUnlink{Provider: mallory, ID: "alice", Account: alice}, identity.ErrNotProvider},
		{"unlink: another provider's identity", &identity.MsgUnlink{Provider: kyc2, ID: "alice", Account: alice}, identity.ErrNotIdentityProvider},
		{"unlink: account of another identity", &identity.MsgUnlink{Provider: kyc1, ID: "alice", Account: bob}, identity.ErrNotLinked},
		{"unlink: account of no identity", &identity.MsgUnlink{Provider: kyc1, ID: "alice", Account: mallory}, identity.ErrNotLinked},
		{"unlink: unknown identity", &identity.MsgUnlink{Provider: kyc1, ID: "nobody", Account: alice}, identity.ErrUnknownIdentity},
	})
}

func TestIssue(t *testing.T) {
	e := withAlice(t)
	if seq := e.k.Sequence(e.ctx); seq != 2 {
		t.Fatalf("sequence %d after one credential", seq)
	}
	c, ok := e.k.Credential(e.ctx, 1)
	want := identity.Credential{ID: 1, Identity: "alice", Issuer: kyc1, Claims: fullClaims, Expiry: year(1), EvidenceHash: evidence,
		IssuedHeight: 10, IssuedAt: start.Unix()}
	if !ok || !reflect.DeepEqual(c, want) {
		t.Fatalf("credential %+v, want %+v", c, want)
	}
	ev := lastEvent(e)
	if ev.Type != "identity.credential_issued" || attr(ev, "credential") != "1" || attr(ev, "issuer") != kyc1.String() ||
		attr(ev, "claims") != "investor_type,jurisdiction,kyc_level,sanctions" || attr(ev, "id") != "alice" {
		t.Fatalf("event %+v", ev)
	}
	// A credential may claim only some kinds; ids follow the sequence.
	if n := e.issue(t, kyc2, "alice", identity.ClaimSet{SanctionsScreened: true}, start.Unix()+1); n != 2 {
		t.Fatalf("second credential id %d", n)
	}
	if ids := e.k.IssuedBy(e.ctx, kyc2); len(ids) != 1 || ids[0] != 2 {
		t.Fatalf("IssuedBy %v", ids)
	}

	issue := func(mut func(m *identity.MsgIssue)) *identity.MsgIssue {
		m := &identity.MsgIssue{Issuer: kyc1, ID: "alice", Claims: fullClaims, Expiry: year(1), EvidenceHash: evidence}
		mut(m)
		return m
	}
	expectFailures(t, withAlice, []failure{
		{"not a KYC provider", issue(func(m *identity.MsgIssue) { m.Issuer = mallory }), identity.ErrNotProvider},
		{"compliance officer is no issuer", issue(func(m *identity.MsgIssue) { m.Issuer = officer }), identity.ErrNotProvider},
		{"unknown identity", issue(func(m *identity.MsgIssue) { m.ID = "nobody" }), identity.ErrUnknownIdentity},
		{"expired at issuance: at the block time", issue(func(m *identity.MsgIssue) { m.Expiry = start.Unix() }), identity.ErrExpiry},
		{"expired at issuance: before it", issue(func(m *identity.MsgIssue) { m.Expiry = start.Unix() - 3600 }), identity.ErrExpiry},
		{"negative expiry", issue(func(m *identity.MsgIssue) { m.Expiry = -1 }), identity.ErrExpiry},
		{"lower-case jurisdiction", issue(func(m *identity.MsgIssue) { m.Claims.Jurisdiction = "de" }), identity.ErrBadJurisdiction},
		{"three-letter jurisdiction", issue(func(m *identity.MsgIssue) { m.Claims.Jurisdiction = "DEU" }), identity.ErrBadJurisdiction},
		{"digit jurisdiction", issue(func(m *identity.MsgIssue) { m.Claims.Jurisdiction = "D1" }), identity.ErrBadJurisdiction},
		{"KYC level 4", issue(func(m *identity.MsgIssue) { m.Claims.KYCLevel = 4 }), identity.ErrBadClaim},
		{"unknown investor type", issue(func(m *identity.MsgIssue) { m.Claims.InvestorType = "whale" }), identity.ErrBadClaim},
		{"no claims", issue(func(m *identity.MsgIssue) { m.Claims = identity.ClaimSet{} }), identity.ErrNoClaims},
		{"zero evidence hash", issue(func(m *identity.MsgIssue) { m.EvidenceHash = identity.Hash{} }), identity.ErrInvalidMsg},
		{"bad id", issue(func(m *identity.MsgIssue) { m.ID = "x" }), identity.ErrInvalidID},
	})
}

func TestRenew(t *testing.T) {
	e := withAlice(t)
	e.ctx.Height = 20
	ev2 := identity.Hash(sha256.Sum256([]byte("new passport")))
	e.ok(t, &identity.MsgRenew{Issuer: kyc1, CredentialID: 1, Expiry: year(3), EvidenceHash: ev2})
	c, _ := e.k.Credential(e.ctx, 1)
	if c.Expiry != year(3) || c.EvidenceHash != ev2 || c.Renewals != 1 || c.RenewedHeight != 20 || c.IssuedHeight != 10 {
		t.Fatalf("renewed credential %+v", c)
	}
	if ev := lastEvent(e); ev.Type != "identity.credential_renewed" || attr(ev, "expiry") != fmt.Sprint(year(3)) {
		t.Fatalf("event %+v", ev)
	}
	// An expired credential may be renewed.
	e.ctx.Time = start.AddDate(4, 0, 0)
	e.ok(t, &identity.MsgRenew{Issuer: kyc1, CredentialID: 1, Expiry: year(5), EvidenceHash: ev2})

	mk := func(t *testing.T) *env {
		e := withAlice(t)
		e.issue(t, kyc1, "alice", fullClaims, year(1)) // 2, revoked below
		e.ok(t, &identity.MsgRevoke{By: kyc1, CredentialID: 2, Reason: "fraud"})
		return e
	}
	renew := func(mut func(m *identity.MsgRenew)) *identity.MsgRenew {
		m := &identity.MsgRenew{Issuer: kyc1, CredentialID: 1, Expiry: year(2), EvidenceHash: evidence}
		mut(m)
		return m
	}
	expectFailures(t, mk, []failure{
		{"renew by another issuer", renew(func(m *identity.MsgRenew) { m.Issuer = kyc2 }), identity.ErrNotIssuer},
		{"renew by a compliance officer", renew(func(m *identity.MsgRenew) { m.Issuer = officer }), identity.ErrNotIssuer},
		{"unknown credential", renew(func(m *identity.MsgRenew) { m.CredentialID = 99 }), identity.ErrUnknownCredential},
		{"revoked credential", renew(func(m *identity.MsgRenew) { m.CredentialID = 2 }), identity.ErrRevoked},
		{"expiry at the block time", renew(func(m *identity.MsgRenew) { m.Expiry = start.Unix() }), identity.ErrExpiry},
		{"credential 0", renew(func(m *identity.MsgRenew) { m.CredentialID = 0 }), identity.ErrInvalidMsg},
		{"zero evidence", renew(func(m *identity.MsgRenew) { m.EvidenceHash = identity.Hash{} }), identity.ErrInvalidMsg},
	})
	// An issuer that lost its KYC provider role cannot renew.
	expectFailures(t, func(t *testing.T) *env {
		e := withAlice(t)
		if err := e.auth.RevokeRole(e.ctx, auth.RoleKYCProvider, kyc1, admin, "contract ended"); err != nil {
			t.Fatal(err)
		}
		return e
	}, []failure{{"issuer no longer a provider", renew(func(*identity.MsgRenew) {}), identity.ErrNotProvider}})
}

func TestRevoke(t *testing.T) {
	for _, by := range []address.Address{kyc1, officer} {
		e := withAlice(t)
		e.ctx.Height, e.ctx.Time = 30, start.Add(time.Hour)
		e.ok(t, &identity.MsgRevoke{By: by, CredentialID: 1, Reason: "documents forged"})
		c, _ := e.k.Credential(e.ctx, 1)
		want := identity.Revocation{By: by, Reason: "documents forged", Height: 30, Time: start.Add(time.Hour).Unix()}
		if c.Revocation == nil || *c.Revocation != want || c.Claims != fullClaims {
			t.Fatalf("revoked credential %+v", c)
		}
		if ev := lastEvent(e); ev.Type != "identity.credential_revoked" || attr(ev, "by") != by.String() || attr(ev, "reason") != "documents forged" {
			t.Fatalf("event %+v", ev)
		}
		if err := e.invariants(); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(t *testing.T) *env {
		e := withAlice(t)
		e.issue(t, kyc1, "alice", fullClaims, year(1))
		e.ok(t, &identity.MsgRevoke{By: kyc1, CredentialID: 2, Reason: "fraud"})
		return e
	}
	expectFailures(t, mk, []failure{
		{"revoke twice by the issuer", &identity.MsgRevoke{By: kyc1, CredentialID: 2, Reason: "again"}, identity.ErrAlreadyRevoked},
		{"revoke twice by an officer", &identity.MsgRevoke{By: officer, CredentialID: 2, Reason: "again"}, identity.ErrAlreadyRevoked},
		{"another KYC provider", &identity.MsgRevoke{By: kyc2, CredentialID: 1, Reason: "spite"}, identity.ErrNotRevoker},
		{"an admin", &identity.MsgRevoke{By: admin, CredentialID: 1, Reason: "spite"}, identity.ErrNotRevoker},
		{"unknown credential", &identity.MsgRevoke{By: officer, CredentialID: 3, Reason: "x"}, identity.ErrUnknownCredential},
		{"no reason", &identity.MsgRevoke{By: officer, CredentialID: 1}, identity.ErrInvalidMsg},
		{"reason too long", &identity.MsgRevoke{By: officer, CredentialID: 1, Reason: strings.Repeat("x", identity.MaxReasonLen+1)}, identity.ErrInvalidMsg},
	})
}

func TestSetTrust(t *testing.T) {
	e := setup(t)
	e.ctx.Height = 12
	e.ok(t, &identity.MsgSetTrust{Authority: admin, Issuer: kyc2, Claims: []string{"sanctions", "kyc_level"}})
	tr, ok := e.k.Trust(e.ctx, kyc2)
	if !ok || strings.Join(tr.Claims, ",") != "kyc_level,sanctions" || tr.SetBy != admin || tr.Height != 12 {
		t.Fatalf("trust %+v", tr)
	}
	if ev := lastEvent(e); ev.Type != "identity.trust_set" || attr(ev, "claims") != "kyc_level,sanctions" || attr(ev, "by") != admin.String() {
		t.Fatalf("event %+v", ev)
	}
	e.ok(t, &identity.MsgSetTrust{Authority: admin, Issuer: kyc2})
	if _, ok := e.k.Trust(e.ctx, kyc2); ok {
		t.Fatal("empty claims did not untrust")
	}
	// Untrusting an issuer that lost its role is allowed.
	if err := e.auth.RevokeRole(e.ctx, auth.RoleKYCProvider, kyc1, admin, "gone"); err != nil {
		t.Fatal(err)
	}
	e.ok(t, &identity.MsgSetTrust{Authority: admin, Issuer: kyc1, Claims: nil})
	if len(e.k.TrustedIssuers(e.ctx)) != 0 {
		t.Fatal("trust left")
	}

	expectFailures(t, setup, []failure{
		{"not an admin", &identity.MsgSetTrust{Authority: kyc1, Issuer: kyc2, Claims: []string{"kyc_level"}}, identity.ErrNotAdmin},
		{"not an admin, untrusting", &identity.MsgSetTrust{Authority: officer, Issuer: kyc1}, identity.ErrNotAdmin},
		{"unknown claim kind", &identity.MsgSetTrust{Authority: admin, Issuer: kyc2, Claims: []string{"age"}}, identity.ErrBadClaim},
		{"claim kind twice", &identity.MsgSetTrust{Authority: admin, Issuer: kyc2, Claims: []string{"kyc_level", "kyc_level"}}, identity.ErrBadClaim},
		{"issuer is not a KYC provider", &identity.MsgSetTrust{Authority: admin, Issuer: mallory, Claims: []string{"kyc_level"}}, identity.ErrNotProvider},
		{"zero issuer", &identity.MsgSetTrust{Authority: admin, Claims: []string{"kyc_level"}}, identity.ErrInvalidMsg},
	})
}

// TestClaimsMerge walks the merge rules: newest valid credential per kind, expiry at the block
// time, revocation, untrusted issuers, trust granted and removed later.
func TestClaimsMerge(t *testing.T) {
	e := setup(t)
	claims := func() identity.EffectiveClaims {
		t.Helper()
		c, ok := e.k.Claims(e.ctx, alice)
		if !ok {
			t.Fatal("alice has no identity")
		}
		again, _ := e.k.Claims(e.ctx, alice2)
		if !reflect.DeepEqual(c, again) {
			t.Fatalf("two accounts of one identity see different claims: %+v %+v", c, again)
		}
		return c
	}
	expect := func(step string, want identity.EffectiveClaims) {
		t.Helper()
		want.IdentityID = "alice"
		if want.Credentials == nil {
			want.Credentials = []uint64{}
		}
		if got := claims(); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\n got %+v\nwant %+v", step, got, want)
		}
	}
	if c, ok := e.k.Claims(e.ctx, alice); ok || c.KYCLevel != 0 {
		t.Fatal("an account of no identity has claims")
	}
	e.ok(t, &identity.MsgRegister{Provider: kyc1, ID: "alice", Accounts: []address.Address{alice, alice2}})
	expect("identity without credentials", identity.EffectiveClaims{})

	c1 := e.issue(t, kyc1, "alice", fullClaims, year(2))
	expect("one full credential", identity.EffectiveClaims{KYCLevel: 2, Jurisdiction: "DE", InvestorType: "retail", SanctionsScreened: true,
		ValidUntil: year(2), Credentials: []uint64{c1}})

	e.ctx.Time = start.Add(time.Hour)
	c2 := e.issue(t, kyc1, "alice", identity.ClaimSet{KYCLevel: 3, InvestorType: "professional"}, year(1))
	expect("newer credential wins for its kinds", identity.EffectiveClaims{KYCLevel: 3, Jurisdiction: "DE", InvestorType: "professional",
		SanctionsScreened: true, ValidUntil: year(1), Credentials: []uint64{c1, c2}})

	c3 := e.issue(t, kyc2, "alice", identity.ClaimSet{KYCLevel: 1, Jurisdiction: "FR"}, year(3))
	expect("untrusted issuer does not count", identity.EffectiveClaims{KYCLevel: 3, Jurisdiction: "DE", InvestorType: "professional",
		SanctionsScreened: true, ValidUntil: year(1), Credentials: []uint64{c1, c2}})

	e.ok(t, &identity.MsgSetTrust{Authority: admin, Issuer: kyc2, Claims: []string{identity.ClaimJurisdiction}})
	expect("issuer trusted for one kind counts for that kind only", identity.EffectiveClaims{KYCLevel: 3, Jurisdiction: "FR",
		InvestorType: "professional", SanctionsScreened: true, ValidUntil: year(1), Credentials: []uint64{c1, c2, c3}})

	e.ok(t, &identity.MsgSetTrust{Authority: admin, Issuer: kyc2})
	expect("trust removed later", identity.EffectiveClaims{KYCLevel: 3, Jurisdiction: "DE", InvestorType: "professional",
		SanctionsScreened: true, ValidUntil: year(1), Credentials: []uint64{c1, c2}})

	e.ctx.Time = time.Unix(year(1), 0).Add(-time.Second)
	expect("a second before expiry", identity.EffectiveClaims{KYCLevel: 3, Jurisdiction: "DE", InvestorType: "professional",
		SanctionsScreened: true, ValidUntil: year(1), Credentials: []uint64{c1, c2}})
	e.ctx.Time = time.Unix(year(1), 0)
	expect("expired at its expiry block time", identity.EffectiveClaims{KYCLevel: 2, Jurisdiction: "DE", InvestorType: "retail",
		SanctionsScreened: true, ValidUntil: year(2), Credentials: []uint64{c1}})

	e.ok(t, &identity.MsgRevoke{By: officer, CredentialID: c1, Reason: "sanctions hit"})
	expect("revoked", identity.EffectiveClaims{})

	// An issuer that loses its trust entirely stops counting; a trusted credential of another issuer
	// carries on.
	c4 := e.issue(t, kyc2, "alice", identity.ClaimSet{SanctionsScreened: true}, year(5))
	c5 := e.issue(t, kyc1, "alice", identity.ClaimSet{Jurisdiction: "NL"}, year(4))
	e.ok(t, &identity.MsgSetTrust{Authority: admin, Issuer: kyc2, Claims: []string{identity.ClaimSanctions}})
	expect("two issuers", identity.EffectiveClaims{Jurisdiction: "NL", SanctionsScreened: true, ValidUntil: year(4), Credentials: []uint64{c4, c5}})
	e.ok(t, &identity.MsgSetTrust{Authority: admin, Issuer: kyc1})
	expect("kyc1 untrusted", identity.EffectiveClaims{SanctionsScreened: true, ValidUntil: year(5), Credentials: []uint64{c4}})

	// Unlinked accounts lose their identity's claims.
	e.ok(t, &identity.MsgUnlink{Provider: kyc1, ID: "alice", Account: alice2})
	if _, ok := e.k.Claims(e.ctx, alice2); ok {
		t.Fatal("an unlinked account still has claims")
	}
	if err := e.invariants(); err != nil {
		t.Fatal(err)
	}
}

// populated builds a state with every kind of record.
func populated(t *testing.T) *env {
	e := withAlice(t)
	e.ok(t, &identity.MsgRegister{Provider: kyc2, ID: "bob-ltd", Accounts: []address.Address{bob}})
	e.issue(t, kyc2, "bob-ltd", identity.ClaimSet{InvestorType: "institutional"}, year(1))
	e.issue(t, kyc1, "alice", identity.ClaimSet{KYCLevel: 3}, year(2))
	e.ok(t, &identity.MsgRevoke{By: officer, CredentialID: 3, Reason: "duplicate"})
	e.ok(t, &identity.MsgRenew{Issuer: kyc1, CredentialID: 1, Expiry: year(4), EvidenceHash: evidence})
	e.ok(t, &identity.MsgSetTrust{Authority: admin, Issuer: kyc2, Claims: []string{"investor_type"}})
	e.ok(t, &identity.MsgRegister{Provider: kyc1, ID: "no-accounts"})
	return e
}

// stateOf lists the identity module's keys and values.
func stateOf(ctx chain.Context) string {
	var b strings.Builder
	it := ctx.Store(identity.StorePrefix).Iterator(nil, nil)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		fmt.Fprintf(&b, "%x=%x\n", it.Key(), it.Value())
	}
	return b.String()
}

func TestGenesisRoundTrip(t *testing.T) {
	e := populated(t)
	out, err := e.m.ExportGenesis(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var g identity.Genesis
	if err := json.Unmarshal(out, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Identities) != 3 || len(g.Credentials) != 3 || len(g.Trust) != 2 || g.Sequence != 4 || g.Credentials[2].Revocation == nil {
		t.Fatalf("export %s", out)
	}
	ctx := newCtx()
	m := identity.NewModule(identity.NewKeeper(e.auth))
	if err := m.InitGenesis(ctx, out); err != nil {
		t.Fatalf("import of the export: %v", err)
	}
	again, err := m.ExportGenesis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, out) {
		t.Fatalf("export → import → export differs:\n%s\n%s", out, again)
	}
	if a, b := stateOf(e.ctx), stateOf(ctx); a != b {
		t.Fatalf("imported state differs from the original:\n%s\n%s", a, b)
	}
	for _, inv := range m.Invariants() {
		if err := inv.Check(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Empty genesis, and {}: sequence 1.
	for _, raw := range []string{"", "{}"} {
		ctx := newCtx()
		if err := m.InitGenesis(ctx, json.RawMessage(raw)); err != nil || m.Keeper.Sequence(ctx) != 1 {
			t.Fatalf("genesis %q: %v", raw, err)
		}
	}

	good := func() identity.Genesis {
		var g identity.Genesis
		if err := json.Unmarshal(out, &g); err != nil {
			t.Fatal(err)
		}
		return g
	}
	reject := map[string]func(g *identity.Genesis){
		"bad identity id":           func(g *identity.Genesis) { g.Identities[0].ID = "X" },
		"identity twice":            func(g *identity.Genesis) { g.Identities[1] = g.Identities[0] },
		"identity without provider": func(g *identity.Genesis) { g.Identities[0].Provider = address.Address{} },
		"account in two identities": func(g *identity.Genesis) {
			g.Identities[1].Accounts = append(g.Identities[1].Accounts, g.Identities[0].Accounts[0])
		},
		"credential id at the sequence":    func(g *identity.Genesis) { g.Sequence = 3 },
		"credential id 0":                  func(g *identity.Genesis) { g.Credentials[0].ID = 0 },
		"credential twice":                 func(g *identity.Genesis) { g.Credentials[1].ID = g.Credentials[0].ID },
		"credential of unknown identity":   func(g *identity.Genesis) { g.Credentials[0].Identity = "nobody" },
		"credential with a bad claim":      func(g *identity.Genesis) { g.Credentials[0].Claims.Jurisdiction = "de" },
		"credential without evidence":      func(g *identity.Genesis) { g.Credentials[0].EvidenceHash = identity.Hash{} },
		"revocation without reason":        func(g *identity.Genesis) { g.Credentials[2].Revocation.Reason = "" },
		"trust with no claim kind":         func(g *identity.Genesis) { g.Trust[0].Claims = []string{} },
		"trust with unsorted claim kinds":  func(g *identity.Genesis) { g.Trust[0].Claims = []string{"sanctions", "kyc_level"} },
		"trust with an unknown claim kind": func(g *identity.Genesis) { g.Trust[0].Claims = []string{"age"} },
		"trust twice":                      func(g *identity.Genesis) { g.Trust[1] = g.Trust[0] },
	}
	for name, mut := range reject {
		g := good()
		mut(&g)
		if err := m.InitGenesis(newCtx(), rawJSON(t, g)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := m.InitGenesis(newCtx(), json.RawMessage(`{"identities":[],"x":1}`)); err == nil {
		t.Error("unknown genesis field accepted")
	}
	if err := m.InitGenesis(newCtx(), json.RawMessage(`{"credentials":[{"id":1,"evidence_hash":"00ff"}]}`)); err == nil {
		t.Error("short evidence hash accepted")
	}
}

func TestInvariantsCatchCorruptState(t *testing.T) {
	p := identity.StorePrefix
	key := func(parts ...any) []byte {
		var b []byte
		for _, x := range parts {
			switch v := x.(type) {
			case string:
				b = append(b, v...)
			case address.Address:
				b = append(b, v[:]...)
			case uint64:
				b = append(b, byte(v>>56), byte(v>>48), byte(v>>40), byte(v>>32), byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
			}
		}
		return b
	}
	cases := []struct {
		name    string
		corrupt func(e *env, st store.KV)
		inErr   string
	}{
		{"account index removed", func(e *env, st store.KV) { st.Delete(key("a/", alice)) }, "index says"},
		{"member record removed", func(e *env, st store.KV) { st.Delete(key("m/alice/", alice)) }, "not among its members"},
		{"account in two identities", func(e *env, st store.KV) {
			st.Set(key("m/bob-ltd/", alice), canon.MustMarshal(&identity.Link{Account: alice, By: kyc2, Height: 1}))
		}, "index says"},
		{"linked to a missing identity", func(e *env, st store.KV) {
			st.Delete(key("i/no-accounts"))
			st.Set(key("a/", mallory), []byte("no-accounts"))
		}, "does not exist"},
		{"identity removed under its accounts", func(e *env, st store.KV) { st.Delete(key("i/bob-ltd")) }, "does not exist"},
		{"credential id not below the sequence", func(e *env, st store.KV) { st.Set([]byte("seq"), canon.MustMarshal(uint64(3))) }, "below the sequence"},
		{"revocation dropped from the credential", func(e *env, st store.KV) {
			c, _ := e.k.Credential(e.ctx, 3)
			c.Revocation = nil
			st.Set(key("c/", uint64(3)), canon.MustMarshal(&c))
		}, "lost its revocation"},
		{"revocation record dropped", func(e *env, st store.KV) { st.Delete(key("r/", uint64(3))) }, "not recorded"},
		{"revocation rewritten", func(e *env, st store.KV) {
			c, _ := e.k.Credential(e.ctx, 3)
			c.Revocation.Reason = "nothing to see"
			st.Set(key("c/", uint64(3)), canon.MustMarshal(&c))
		}, "changed after the fact"},
		{"credential deleted", func(e *env, st store.KV) { st.Delete(key("c/", uint64(2))) }, "does not match"},
		{"credential of a missing identity", func(e *env, st store.KV) {
			c, _ := e.k.Credential(e.ctx, 2)
			c.Identity = "ghost"
			st.Set(key("c/", uint64(2)), canon.MustMarshal(&c))
		}, "does not exist"},
		{"empty trust record", func(e *env, st store.KV) {
			st.Set(key("t/", kyc2), canon.MustMarshal(&identity.Trust{Issuer: kyc2, Claims: []string{}, SetBy: admin}))
		}, "no claim kind"},
		{"trust under another key", func(e *env, st store.KV) {
			st.Set(key("t/", mallory), canon.MustMarshal(&identity.Trust{Issuer: kyc2, Claims: []string{"kyc_level"}, SetBy: admin}))
		}, "another key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := populated(t)
			chaintest.InvariantCatches(t, chaintest.All(e.m), e.ctx, func() { c.corrupt(e, e.ctx.Store(p)) }, c.inErr)
		})
	}
}

func TestQueries(t *testing.T) {
	e := populated(t)
	// Queries judge at the block time the app records, not at the context's time.
	qt := time.Unix(year(1), 0) // credential 2 (bob-ltd) expires now
	m := identity.NewModule(e.k).WithBlockTime(func(chain.Context) time.Time { return qt })
	q := func(path ...string) (any, error) { return m.Query(e.ctx, path, nil) }

	v, err := q("account", alice.String())
	ai, _ := v.(identity.AccountInfo)
	if err != nil || ai.Identity != "alice" || ai.Claims.KYCLevel != 2 || ai.Claims.ValidUntil != year(4) || ai.At != year(1) {
		t.Fatalf("account query %+v %v", v, err)
	}
	v, err = q("account", mallory.String())
	if ai, _ := v.(identity.AccountInfo); err != nil || ai.Identity != "" || ai.Claims.KYCLevel != 0 || ai.Address != mallory {
		t.Fatalf("account query of no identity %+v %v", v, err)
	}
	v, err = q("identity", "bob-ltd")
	ii, _ := v.(identity.IdentityInfo)
	if err != nil || ii.Provider != kyc2 || len(ii.Accounts) != 1 || len(ii.Credentials) != 1 || ii.Credentials[0].Status != identity.StatusExpired || ii.Claims.InvestorType != "" {
		t.Fatalf("identity query %+v %v", v, err)
	}
	v, err = q("credential", "3")
	ci, _ := v.(identity.CredentialInfo)
	if err != nil || ci.Status != identity.StatusRevoked || ci.Revocation.Reason != "duplicate" {
		t.Fatalf("credential query %+v %v", v, err)
	}
	v, err = q("credential", "1")
	if ci, _ := v.(identity.CredentialInfo); err != nil || ci.Status != identity.StatusActive {
		t.Fatalf("credential query %+v %v", v, err)
	}
	v, err = q("issuer", kyc2.String())
	is, _ := v.(identity.IssuerInfo)
	if err != nil || !is.KYCProvider || strings.Join(is.Trusted, ",") != "investor_type" || len(is.Credentials) != 1 || is.Credentials[0] != 2 {
		t.Fatalf("issuer query %+v %v", v, err)
	}
	v, err = q("issuer", mallory.String())
	if is, _ := v.(identity.IssuerInfo); err != nil || is.KYCProvider || len(is.Trusted) != 0 || len(is.Credentials) != 0 || is.Trust != nil {
		t.Fatalf("issuer query of a stranger %+v %v", v, err)
	}
	for _, c := range []struct {
		path []string
		want *codes.Error
	}{
		{[]string{"account", "gir1bad"}, chain.ErrBadQuery},
		{[]string{"identity", "nobody"}, chain.ErrNotFound},
		{[]string{"credential", "9"}, chain.ErrNotFound},
		{[]string{"credential", "x"}, chain.ErrBadQuery},
		{[]string{"issuer", "nope"}, chain.ErrBadQuery},
		{[]string{"credentials"}, chain.ErrBadQuery},
		{nil, chain.ErrBadQuery},
	} {
		if _, err := q(c.path...); !errors.Is(err, c.want) {
			t.Errorf("Query(%v) = %v, want %s", c.path, err, c.want.Desc)
		}
	}
	// Every answer encodes to JSON (the API serves it as is).
	for _, p := range [][]string{{"account", alice.String()}, {"identity", "alice"}, {"credential", "1"}, {"issuer", kyc1.String()}} {
		v, _ := q(p...)
		if _, err := json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	if routes := m.QueryRoutes(); len(routes) != 4 {
		t.Fatalf("%d REST routes", len(routes))
	}
}

func TestMsgWireFormat(t *testing.T) {
	r := tx.NewRegistry()
	for _, rt := range identity.NewModule(identity.Keeper{}).Routes() {
		r.Register(rt.Msg)
	}
	msgs := []tx.Msg{
		&identity.MsgRegister{Provider: kyc1, ID: "alice", Accounts: []address.Address{alice}},
		&identity.MsgLink{Provider: kyc1, ID: "alice", Account: bob},
		&identity.MsgUnlink{Provider: kyc1, ID: "alice", Account: bob},
		&identity.MsgIssue{Issuer: kyc1, ID: "alice", Claims: fullClaims, Expiry: year(1), EvidenceHash: evidence},
		&identity.MsgRenew{Issuer: kyc1, CredentialID: 1, Expiry: year(2), EvidenceHash: evidence},
		&identity.MsgRevoke{By: officer, CredentialID: 1, Reason: "x"},
		&identity.MsgSetTrust{Authority: admin, Issuer: kyc1, Claims: []string{"kyc_level"}},
	}
	for _, m := range msgs {
		a, err := tx.Pack(m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := r.DecodeMsg(a)
		if err != nil {
			t.Fatalf("%s: %v", m.MsgType(), err)
		}
		if !reflect.DeepEqual(back, m) {
			t.Fatalf("%s round trip: %+v, want %+v", m.MsgType(), back, m)
		}
	}
	// The hash is a 32-byte CBOR byte string and 64 hex digits in JSON.
	b := canon.MustMarshal(evidence)
	if len(b) != 34 || b[0] != 0x58 || b[1] != 32 {
		t.Fatalf("hash CBOR %x", b)
	}
	j, _ := json.Marshal(evidence)
	if string(j) != `"`+evidence.String()+`"` || len(evidence.String()) != 64 {
		t.Fatalf("hash JSON %s", j)
	}
}

func TestRoleNamesMatchAuth(t *testing.T) {
	if identity.RoleAdmin != auth.RoleAdmin || identity.RoleKYCProvider != auth.RoleKYCProvider || identity.RoleComplianceOfficer != auth.RoleComplianceOfficer {
		t.Fatal("identity's role names differ from auth's")
	}
	for _, c := range codes.All() {
		if c.Module == identity.ModuleName && c.Desc == "" {
			t.Errorf("code %d has no description", c.Code)
		}
	}
}
