package auth_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/chain/chaintest"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/auth"
)

var (
	root   = newKey(10) // admin at genesis
	second = newKey(11)
	kycP   = newKey(12)
)

// roleEnv has root as the only admin and kycP as a KYC provider.
func roleEnv(t *testing.T) env {
	t.Helper()
	ctx := chain.NewContext(store.NewCache(store.OpenMemory()), 7, time.Unix(0, 0), chainID, chain.ModeDeliver)
	m := auth.NewModule(auth.NewKeeper())
	g := auth.Genesis{Roles: []auth.GenesisRole{{Role: auth.RoleAdmin, Address: root.addr}, {Role: auth.RoleKYCProvider, Address: kycP.addr}}}
	raw, _ := json.Marshal(g)
	if err := m.InitGenesis(ctx, raw); err != nil {
		t.Fatal(err)
	}
	return env{ctx: ctx, k: m.Keeper, m: m}
}

func (e env) run(msg tx.Msg) error {
	for _, r := range e.m.Routes() {
		if r.Msg.MsgType() == msg.MsgType() {
			return r.Handle(e.ctx, msg)
		}
	}
	panic("no route for " + msg.MsgType())
}

func TestRoleNames(t *testing.T) {
	if len(auth.Roles) != 8 || !auth.ValidRole(auth.RoleMember) {
		t.Fatalf("roles %v", auth.Roles)
	}
	for i, r := range auth.Roles {
		if !auth.ValidRole(r) || (i > 0 && auth.Roles[i-1] >= r) {
			t.Fatalf("roles not sorted or invalid: %v", auth.Roles)
		}
	}
	for _, r := range []string{"", "Admin", "root", "admin "} {
		if auth.ValidRole(r) {
			t.Fatalf("%q accepted as a role", r)
		}
	}
}

func TestGrantAndRevokeRole(t *testing.T) {
	e := roleEnv(t)
	if err := e.run(&auth.MsgGrantRole{Authority: root.addr, Role: auth.RoleAdmin, Account: second.addr}); err != nil {
		t.Fatal(err)
	}
	g, ok := e.k.Grant(e.ctx, second.addr, auth.RoleAdmin)
	if !ok || g.GrantedBy == nil || *g.GrantedBy != root.addr || g.Height != 7 || g.Account != second.addr {
		t.Fatalf("grant %+v %v", g, ok)
	}
	ev := e.ctx.Events()[len(e.ctx.Events())-1]
	if ev.Type != "auth.role_granted" || fmt.Sprint(ev.Attrs) != fmt.Sprint([]chain.Attr{
		{Key: "role", Value: "admin", Index: true}, {Key: "account", Value: second.addr.String(), Index: true}, {Key: "by", Value: root.addr.String(), Index: true}}) {
		t.Fatalf("event %+v", ev)
	}
	holders := e.k.Holders(e.ctx, auth.RoleAdmin)
	if len(holders) != 2 || bytes.Compare(holders[0][:], holders[1][:]) >= 0 {
		t.Fatalf("holders %v, want two in address order", holders)
	}
	// The new admin grants a role; then the first admin is revoked by the second.
	if err := e.run(&auth.MsgGrantRole{Authority: second.addr, Role: auth.RoleRegulator, Account: bob.addr}); err != nil {
		t.Fatal(err)
	}
	if err := e.run(&auth.MsgRevokeRole{Authority: second.addr, Role: auth.RoleAdmin, Account: root.addr, Reason: "rotation"}); err != nil {
		t.Fatal(err)
	}
	if e.k.HasRole(e.ctx, root.addr, auth.RoleAdmin) || !e.k.HasRole(e.ctx, second.addr, auth.RoleAdmin) {
		t.Fatal("revoke did not revoke")
	}
	ev = e.ctx.Events()[len(e.ctx.Events())-1]
	if ev.Type != "auth.role_revoked" || ev.Attrs[3].Key != "reason" || ev.Attrs[3].Value != "rotation" || ev.Attrs[2].Value != second.addr.String() {
		t.Fatalf("event %+v", ev)
	}
	if got := e.k.RolesOf(e.ctx, bob.addr); len(got) != 1 || got[0].Role != auth.RoleRegulator {
		t.Fatalf("roles of bob %+v", got)
	}
	if err := e.invariant(t); err != nil {
		t.Fatal(err)
	}
	// An admin may drop its own admin role while another admin remains; not when it is the last.
	if err := e.run(&auth.MsgRevokeRole{Authority: second.addr, Role: auth.RoleAdmin, Account: second.addr, Reason: "leaving"}); !errors.Is(err, auth.ErrLastAdmin) {
		t.Fatalf("revoking the last admin: %v", err)
	}
}

// TestChainGovernanceHoldsEveryRole: authority.Chain holds every chain role without a grant:
// it grants and revokes roles like an admin, is never listed, and is not an admin the
// last-admin rule counts.
func TestChainGovernanceHoldsEveryRole(t *testing.T) {
	e := roleEnv(t)
	for _, r := range auth.Roles {
		if !e.k.HasRole(e.ctx, authority.Chain, r) {
			t.Fatalf("chain governance does not hold %s", r)
		}
		for _, g := range e.k.Grants(e.ctx, r) {
			if g.Account == authority.Chain {
				t.Fatalf("chain governance listed as a holder of %s", r)
			}
		}
	}
	if e.k.HasRole(e.ctx, authority.Chain, "owner") || e.k.HasRole(e.ctx, authority.DAO("bridge"), auth.RoleAdmin) {
		t.Fatal("chain governance holds an unknown role, or a DAO holds a chain role")
	}
	if got := e.k.RolesOf(e.ctx, authority.Chain); len(got) != 0 {
		t.Fatalf("grants of chain governance %+v", got)
	}
	// It grants a member and revokes it, like an admin.
	if err := e.run(&auth.MsgGrantRole{Authority: authority.Chain, Role: auth.RoleMember, Account: bob.addr}); err != nil {
		t.Fatal(err)
	}
	if g, ok := e.k.Grant(e.ctx, bob.addr, auth.RoleMember); !ok || *g.GrantedBy != authority.Chain {
		t.Fatalf("member grant %+v %v", g, ok)
	}
	if err := e.run(&auth.MsgGrantRole{Authority: authority.Chain, Role: auth.RoleAdmin, Account: second.addr}); err != nil {
		t.Fatal(err)
	}
	if err := e.run(&auth.MsgRevokeRole{Authority: authority.Chain, Role: auth.RoleAdmin, Account: root.addr, Reason: "rotation"}); err != nil {
		t.Fatal(err)
	}
	// second is the only admin left: chain governance does not count as one.
	if err := e.run(&auth.MsgRevokeRole{Authority: authority.Chain, Role: auth.RoleAdmin, Account: second.addr, Reason: "x"}); !errors.Is(err, auth.ErrLastAdmin) {
		t.Fatalf("revoking the last admin through governance: %v", err)
	}
	if h := e.k.Holders(e.ctx, auth.RoleAdmin); len(h) != 1 || h[0] != second.addr {
		t.Fatalf("admins %v", h)
	}
	if err := e.invariant(t); err != nil {
		t.Fatal(err)
	}
}

func TestRoleMsgFailures(t *testing.T) {
	cases := []struct {
		name string
		msg  tx.Msg
		want *codes.Error
	}{
		{"grant by a non-admin", &auth.MsgGrantRole{Authority: kycP.addr, Role: auth.RoleKYCProvider, Account: bob.addr}, auth.ErrNotAdmin},
		{"grant a held role", &auth.MsgGrantRole{Authority: root.addr, Role: auth.RoleKYCProvider, Account: kycP.addr}, auth.ErrRoleHeld},
		{"grant admin to an admin", &auth.MsgGrantRole{Authority: root.addr, Role: auth.RoleAdmin, Account: root.addr}, auth.ErrRoleHeld},
		{"grant an unknown role", &auth.MsgGrantRole{Authority: root.addr, Role: "superuser", Account: bob.addr}, auth.ErrUnknownRole},
		{"grant to the zero address", &auth.MsgGrantRole{Authority: root.addr, Role: auth.RoleRegulator}, auth.ErrInvalidRoles},
		{"revoke by a non-admin", &auth.MsgRevokeRole{Authority: kycP.addr, Role: auth.RoleKYCProvider, Account: kycP.addr, Reason: "x"}, auth.ErrNotAdmin},
		{"revoke an unheld role", &auth.MsgRevokeRole{Authority: root.addr, Role: auth.RoleRegulator, Account: kycP.addr, Reason: "x"}, auth.ErrRoleNotHeld},
		{"revoke the last admin", &auth.MsgRevokeRole{Authority: root.addr, Role: auth.RoleAdmin, Account: root.addr, Reason: "x"}, auth.ErrLastAdmin},
		{"revoke an unknown role", &auth.MsgRevokeRole{Authority: root.addr, Role: "root", Account: kycP.addr, Reason: "x"}, auth.ErrUnknownRole},
		{"revoke without a reason", &auth.MsgRevokeRole{Authority: root.addr, Role: auth.RoleKYCProvider, Account: kycP.addr}, auth.ErrInvalidRoles},
		{"grant to chain governance", &auth.MsgGrantRole{Authority: root.addr, Role: auth.RoleMember, Account: authority.Chain}, auth.ErrRoleHeld},
		{"revoke from chain governance", &auth.MsgRevokeRole{Authority: root.addr, Role: auth.RoleAdmin, Account: authority.Chain, Reason: "x"}, auth.ErrRoleNotHeld},
		{"chain governance revokes the last admin", &auth.MsgRevokeRole{Authority: authority.Chain, Role: auth.RoleAdmin, Account: root.addr, Reason: "x"}, auth.ErrLastAdmin},
		{"a DAO is no admin", &auth.MsgGrantRole{Authority: authority.DAO("bridge"), Role: auth.RoleMember, Account: bob.addr}, auth.ErrNotAdmin},
		{"revoke with a long reason", &auth.MsgRevokeRole{Authority: root.addr, Role: auth.RoleKYCProvider, Account: kycP.addr, Reason: strings.Repeat("r", auth.MaxReasonLen+1)}, auth.ErrInvalidRoles},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := roleEnv(t)
			snap, nev := e.writes(), len(e.ctx.Events())
			err := e.run(c.msg)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %q", err, c.want.Desc)
			}
			if codes.As(err).Module != auth.ModuleName {
				t.Fatalf("failure of module %s", codes.As(err).Module)
			}
			if e.writes() != snap || len(e.ctx.Events()) != nev {
				t.Fatal("a failed msg wrote state or emitted events")
			}
		})
	}
}

func TestRolesGenesis(t *testing.T) {
	e := roleEnv(t)
	if err := e.k.GrantRole(e.ctx, auth.RoleCashIssuer, bob.addr, root.addr); err != nil {
		t.Fatal(err)
	}
	out, err := e.m.ExportGenesis(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var g auth.Genesis
	if err := json.Unmarshal(out, &g); err != nil || len(g.Roles) != 3 {
		t.Fatalf("export %s", out)
	}
	ctx := chain.NewContext(store.NewCache(store.OpenMemory()), 1, time.Unix(0, 0), chainID, chain.ModeDeliver)
	m := auth.NewModule(auth.NewKeeper())
	if err := m.InitGenesis(ctx, out); err != nil {
		t.Fatal(err)
	}
	again, _ := m.ExportGenesis(ctx)
	if !bytes.Equal(again, out) {
		t.Fatalf("export → import → export differs:\n%s\n%s", out, again)
	}
	if gr, _ := m.Keeper.Grant(ctx, bob.addr, auth.RoleCashIssuer); gr.GrantedBy == nil || *gr.GrantedBy != root.addr || gr.Height != 7 {
		t.Fatalf("imported grant %+v", gr)
	}
	// Accounts and roles share the store: neither is read as the other.
	withAccounts := setup(t)
	if err := withAccounts.k.GrantRole(withAccounts.ctx, auth.RoleAdmin, alice.addr, bob.addr); err != nil {
		t.Fatal(err)
	}
	out, _ = withAccounts.m.ExportGenesis(withAccounts.ctx)
	if err := json.Unmarshal(out, &g); err != nil || len(g.Accounts) != 2 || len(g.Roles) != 1 || g.Roles[0].GrantedBy == nil {
		t.Fatalf("export of accounts and roles %s", out)
	}
	if err := withAccounts.invariant(t); err != nil {
		t.Fatal(err)
	}
	reject := map[string][]auth.GenesisRole{
		"unknown role":         {{Role: auth.RoleAdmin, Address: root.addr}, {Role: "owner", Address: bob.addr}},
		"role twice":           {{Role: auth.RoleAdmin, Address: root.addr}, {Role: auth.RoleAdmin, Address: root.addr}},
		"zero address":         {{Role: auth.RoleAdmin, Address: address.Address{}}},
		"roles but no admin":   {{Role: auth.RoleKYCProvider, Address: root.addr}},
		"only a regulator too": {{Role: auth.RoleRegulator, Address: bob.addr}},
		"chain governance":     {{Role: auth.RoleAdmin, Address: root.addr}, {Role: auth.RoleMember, Address: authority.Chain}},
	}
	for name, roles := range reject {
		raw, _ := json.Marshal(auth.Genesis{Roles: roles})
		ctx := chain.NewContext(store.NewCache(store.OpenMemory()), 1, time.Unix(0, 0), chainID, chain.ModeDeliver)
		if err := auth.NewModule(auth.NewKeeper()).InitGenesis(ctx, raw); err == nil {
			t.Errorf("%s: accepted %s", name, raw)
		}
	}
}

func TestRolesInvariant(t *testing.T) {
	cases := []struct {
		name    string
		corrupt func(e env)
		inErr   string
	}{
		{"admin record deleted while roles remain", func(e env) {
			e.ctx.Store(auth.StorePrefix).Delete(append([]byte("r/admin/"), root.addr[:]...))
		}, "no admin"},
		{"grant under another key", func(e env) {
			rec := canon.MustMarshal(&auth.RoleGrant{Role: auth.RoleRegulator, Account: bob.addr})
			e.ctx.Store(auth.StorePrefix).Set(append([]byte("r/regulator/"), alice.addr[:]...), rec)
		}, "another key"},
		{"grant of an unknown role", func(e env) {
			rec := canon.MustMarshal(&auth.RoleGrant{Role: "owner", Account: bob.addr})
			e.ctx.Store(auth.StorePrefix).Set(append([]byte("r/owner/"), bob.addr[:]...), rec)
		}, "unknown role"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := roleEnv(t)
			chaintest.InvariantCatches(t, chaintest.All(e.m), e.ctx, func() { c.corrupt(e) }, c.inErr)
		})
	}
	// A chain without any role (a genesis without admins) is consistent.
	if err := setup(t).invariant(t); err != nil {
		t.Fatal(err)
	}
}

func TestRoleQueries(t *testing.T) {
	e := roleEnv(t)
	v, err := e.m.Query(e.ctx, []string{"roles", kycP.addr.String()}, nil)
	if r, _ := v.(auth.RolesResult); err != nil || r.Address != kycP.addr || len(r.Roles) != 1 || r.Roles[0].Role != auth.RoleKYCProvider {
		t.Fatalf("roles query %+v %v", v, err)
	}
	v, err = e.m.Query(e.ctx, []string{"roles", bob.addr.String()}, nil)
	if r, _ := v.(auth.RolesResult); err != nil || r.Roles == nil || len(r.Roles) != 0 {
		t.Fatalf("roles of a stranger %+v %v", v, err)
	}
	v, err = e.m.Query(e.ctx, []string{"role", auth.RoleAdmin}, nil)
	if r, _ := v.(auth.HoldersResult); err != nil || len(r.Holders) != 1 || r.Holders[0].Account != root.addr {
		t.Fatalf("role query %+v %v", v, err)
	}
	for _, p := range [][]string{{"role", "owner"}, {"roles", "gir1x"}, {"role"}} {
		if _, err := e.m.Query(e.ctx, p, nil); !errors.Is(err, chain.ErrBadQuery) {
			t.Errorf("Query(%v) = %v", p, err)
		}
	}
	if len(e.m.QueryRoutes()) != 3 {
		t.Fatal("REST routes for roles missing")
	}
}
