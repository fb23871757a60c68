package auth

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
)

// Roles of a permissioned Girder chain. An admin grants and revokes them, or chain governance:
// authority.Chain holds every role implicitly (it is never listed as a holder).
const (
	RoleAdmin             = "admin"              // consortium admin: grants and revokes roles, sets trusted issuers
	RoleKYCProvider       = "kyc_provider"       // registers identities and issues credentials
	RoleComplianceOfficer = "compliance_officer" // revokes credentials, decides holds
	RoleRegulator         = "regulator"          // reads reports and envelopes addressed to regulators
	RoleCashIssuer        = "cash_issuer"        // issues cash tokens
	RoleAssetIssuer       = "asset_issuer"       // issues assets (securities, passes, receivables)
	RolePublicAgency      = "public_agency"      // public agency: creates projects
	RoleMember            = "member"             // consortium member: proposes and votes in chain governance
)

// Roles lists every role in name order.
var Roles = []string{RoleAdmin, RoleAssetIssuer, RoleCashIssuer, RoleComplianceOfficer, RoleKYCProvider, RoleMember, RolePublicAgency, RoleRegulator}

// ValidRole reports whether r is a role of this chain.
func ValidRole(r string) bool {
	i := sort.SearchStrings(Roles, r)
	return i < len(Roles) && Roles[i] == r
}

// keyRole holds role grants: r/<role>/<addr20> → RoleGrant.
var keyRole = []byte("r/")

// MaxReasonLen bounds the reason of a revocation.
const MaxReasonLen = 256

// Failures of role msgs.
var (
	ErrNotAdmin     = codes.Register(ModuleName, 8, "signer is not an admin")
	ErrUnknownRole  = codes.Register(ModuleName, 9, "unknown role")
	ErrRoleHeld     = codes.Register(ModuleName, 10, "account already holds the role")
	ErrRoleNotHeld  = codes.Register(ModuleName, 11, "account does not hold the role")
	ErrLastAdmin    = codes.Register(ModuleName, 12, "the last admin cannot be revoked")
	ErrInvalidRoles = codes.Register(ModuleName, 13, "invalid role msg")
)

// RoleGrant records that Account holds Role: who granted it (none: genesis) and at which height.
type RoleGrant struct {
	Role      string           `cbor:"1,keyasint" json:"role"`
	Account   address.Address  `cbor:"2,keyasint" json:"address"`
	GrantedBy *address.Address `cbor:"3,keyasint,omitempty" json:"granted_by,omitempty"`
	Height    int64            `cbor:"4,keyasint" json:"height"`
}

// GenesisRole is a role line of auth's genesis. GrantedBy and Height are optional (an export
// writes them, so that import then export gives the same state).
type GenesisRole struct {
	Role      string           `json:"role"`
	Address   address.Address  `json:"address"`
	GrantedBy *address.Address `json:"granted_by,omitempty"`
	Height    int64            `json:"height,omitempty"`
}

func rolePrefix(role string) []byte {
	k := make([]byte, 0, len(keyRole)+len(role)+1)
	return append(append(append(k, keyRole...), role...), '/')
}

func roleKey(role string, a address.Address) []byte { return append(rolePrefix(role), a[:]...) }

// HasRole reports whether a holds role. authority.Chain (chain governance) holds every role of
// the chain implicitly: no grant of it is stored, so it is never listed among the holders and
// never counts as the last admin.
func (Keeper) HasRole(ctx chain.Context, a address.Address, role string) bool {
	if a == authority.Chain {
		return ValidRole(role)
	}
	return ctx.Store(StorePrefix).Has(roleKey(role, a))
}

// Grant returns a's grant of role; ok is false when a does not hold it.
func (Keeper) Grant(ctx chain.Context, a address.Address, role string) (RoleGrant, bool) {
	b := ctx.Store(StorePrefix).Get(roleKey(role, a))
	if b == nil {
		return RoleGrant{}, false
	}
	var g RoleGrant
	canon.MustDecode(b, &g)
	return g, true
}

// Holders lists the holders of role in address order.
func (k Keeper) Holders(ctx chain.Context, role string) []address.Address {
	out := []address.Address{}
	for _, g := range k.Grants(ctx, role) {
		out = append(out, g.Account)
	}
	return out
}

// Grants lists the grants of role in address order.
func (Keeper) Grants(ctx chain.Context, role string) []RoleGrant {
	p := rolePrefix(role)
	it := ctx.Store(StorePrefix).Iterator(p, store.PrefixEnd(p))
	defer it.Close()
	out := []RoleGrant{}
	for ; it.Valid(); it.Next() {
		var g RoleGrant
		canon.MustDecode(it.Value(), &g)
		out = append(out, g)
	}
	return out
}

// RolesOf lists the grants a holds, in role order.
func (k Keeper) RolesOf(ctx chain.Context, a address.Address) []RoleGrant {
	out := []RoleGrant{}
	for _, r := range Roles {
		if g, ok := k.Grant(ctx, a, r); ok {
			out = append(out, g)
		}
	}
	return out
}

func (Keeper) setGrant(ctx chain.Context, g RoleGrant) {
	ctx.Store(StorePrefix).Set(roleKey(g.Role, g.Account), canon.MustMarshal(&g))
}

// GrantRole gives account role on by's authority (the caller checked that authority: an admin's
// msg, or later a governance decision). Granting a held role fails.
func (k Keeper) GrantRole(ctx chain.Context, role string, account, by address.Address) error {
	if !ValidRole(role) {
		return ErrUnknownRole.Wrapf("%q: the roles are %v", role, Roles)
	}
	if account == authority.Chain {
		return ErrRoleHeld.Wrapf("%s is chain governance: it holds every role implicitly", account)
	}
	if k.HasRole(ctx, account, role) {
		return ErrRoleHeld.Wrapf("%s already holds %s", account, role)
	}
	k.setGrant(ctx, RoleGrant{Role: role, Account: account, GrantedBy: &by, Height: ctx.Height})
	ctx.Emit(chain.NewEvent("auth.role_granted", "role", role, "account", account.String(), "by", by.String()))
	return nil
}

// RevokeRole takes role from account on by's authority. Revoking an unheld role, or the last
// admin, fails.
func (k Keeper) RevokeRole(ctx chain.Context, role string, account, by address.Address, reason string) error {
	if !ValidRole(role) {
		return ErrUnknownRole.Wrapf("%q: the roles are %v", role, Roles)
	}
	if account == authority.Chain {
		return ErrRoleNotHeld.Wrapf("%s is chain governance: it holds every role implicitly, by no grant that could be revoked", account)
	}
	if !k.HasRole(ctx, account, role) {
		return ErrRoleNotHeld.Wrapf("%s does not hold %s", account, role)
	}
	if role == RoleAdmin && len(k.Holders(ctx, RoleAdmin)) == 1 {
		return ErrLastAdmin.Wrapf("%s is the only admin: grant admin to another account first", account)
	}
	ctx.Store(StorePrefix).Delete(roleKey(role, account))
	ctx.Emit(chain.NewEvent("auth.role_revoked", "role", role, "account", account.String(), "by", by.String(), "reason", reason))
	return nil
}

func (k Keeper) requireAdmin(ctx chain.Context, a address.Address) error {
	if !k.HasRole(ctx, a, RoleAdmin) {
		return ErrNotAdmin.Wrapf("%s does not hold the admin role", a)
	}
	return nil
}

// MsgGrantRole gives Account the Role; Authority must be an admin (or chain governance,
// authority.Chain, through a chain proposal).
type MsgGrantRole struct {
	Authority address.Address `cbor:"1,keyasint" json:"authority"`
	Role      string          `cbor:"2,keyasint" json:"role"`
	Account   address.Address `cbor:"3,keyasint" json:"account"`
}

func (*MsgGrantRole) MsgType() string           { return "auth/grant_role" }
func (m *MsgGrantRole) Signer() address.Address { return m.Authority }
func (m *MsgGrantRole) Validate() error {
	if m.Authority.IsZero() || m.Account.IsZero() {
		return ErrInvalidRoles.Wrapf("zero address")
	}
	if !ValidRole(m.Role) {
		return ErrUnknownRole.Wrapf("%q: the roles are %v", m.Role, Roles)
	}
	return nil
}

// MsgRevokeRole takes the Role from Account, for Reason; Authority must be an admin (or chain
// governance, authority.Chain, through a chain proposal).
type MsgRevokeRole struct {
	Authority address.Address `cbor:"1,keyasint" json:"authority"`
	Role      string          `cbor:"2,keyasint" json:"role"`
	Account   address.Address `cbor:"3,keyasint" json:"account"`
	Reason    string          `cbor:"4,keyasint" json:"reason"`
}

func (*MsgRevokeRole) MsgType() string           { return "auth/revoke_role" }
func (m *MsgRevokeRole) Signer() address.Address { return m.Authority }
func (m *MsgRevokeRole) Validate() error {
	if m.Authority.IsZero() || m.Account.IsZero() {
		return ErrInvalidRoles.Wrapf("zero address")
	}
	if !ValidRole(m.Role) {
		return ErrUnknownRole.Wrapf("%q: the roles are %v", m.Role, Roles)
	}
	if m.Reason == "" || len(m.Reason) > MaxReasonLen {
		return ErrInvalidRoles.Wrapf("a revocation needs a reason of 1 to %d bytes (got %d)", MaxReasonLen, len(m.Reason))
	}
	return nil
}

// Routes: grant and revoke roles.
func (m *Module) Routes() []chain.Route {
	return []chain.Route{
		{Msg: &MsgGrantRole{}, Handle: func(ctx chain.Context, msg tx.Msg) error {
			g := msg.(*MsgGrantRole)
			if err := g.Validate(); err != nil {
				return err
			}
			if err := m.Keeper.requireAdmin(ctx, g.Authority); err != nil {
				return err
			}
			return m.Keeper.GrantRole(ctx, g.Role, g.Account, g.Authority)
		}},
		{Msg: &MsgRevokeRole{}, Handle: func(ctx chain.Context, msg tx.Msg) error {
			r := msg.(*MsgRevokeRole)
			if err := r.Validate(); err != nil {
				return err
			}
			if err := m.Keeper.requireAdmin(ctx, r.Authority); err != nil {
				return err
			}
			return m.Keeper.RevokeRole(ctx, r.Role, r.Account, r.Authority, r.Reason)
		}},
	}
}

// initRoles loads genesis role lines; at least one admin is required once any role is granted.
func (k Keeper) initRoles(ctx chain.Context, roles []GenesisRole) error {
	for _, r := range roles {
		if !ValidRole(r.Role) {
			return fmt.Errorf("auth genesis: unknown role %q (the roles are %v)", r.Role, Roles)
		}
		if r.Address.IsZero() {
			return fmt.Errorf("auth genesis: role %s granted to the zero address", r.Role)
		}
		if r.Address == authority.Chain {
			return fmt.Errorf("auth genesis: role %s granted to chain governance (%s), which holds every role implicitly", r.Role, r.Address)
		}
		if k.HasRole(ctx, r.Address, r.Role) {
			return fmt.Errorf("auth genesis: %s holds %s twice", r.Address, r.Role)
		}
		k.setGrant(ctx, RoleGrant{Role: r.Role, Account: r.Address, GrantedBy: r.GrantedBy, Height: r.Height})
	}
	if len(roles) > 0 && len(k.Holders(ctx, RoleAdmin)) == 0 {
		return fmt.Errorf("auth genesis: roles are granted but no account is admin")
	}
	return nil
}

// exportRoles lists every grant in role, then address order.
func (k Keeper) exportRoles(ctx chain.Context) []GenesisRole {
	out := []GenesisRole{}
	it := ctx.Store(StorePrefix).Iterator(keyRole, store.PrefixEnd(keyRole))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		var g RoleGrant
		canon.MustDecode(it.Value(), &g)
		out = append(out, GenesisRole{Role: g.Role, Address: g.Account, GrantedBy: g.GrantedBy, Height: g.Height})
	}
	return out
}

// checkRoles is the roles invariant: every grant is of a known role and stored under its key,
// and once any role is held, at least one account is admin (the last admin cannot be revoked; a
// chain whose genesis names no admin holds no role at all).
func (k Keeper) checkRoles(ctx chain.Context) error {
	it := ctx.Store(StorePrefix).Iterator(keyRole, store.PrefixEnd(keyRole))
	defer it.Close()
	held, admins := 0, 0
	for ; it.Valid(); it.Next() {
		var g RoleGrant
		if err := canon.Decode(it.Value(), &g); err != nil {
			return fmt.Errorf("role record %x does not decode: %v", it.Key(), err)
		}
		if !ValidRole(g.Role) {
			return fmt.Errorf("grant of unknown role %q to %s", g.Role, g.Account)
		}
		if !bytes.Equal(it.Key(), roleKey(g.Role, g.Account)) {
			return fmt.Errorf("grant of %s to %s stored under another key", g.Role, g.Account)
		}
		held++
		if g.Role == RoleAdmin {
			admins++
		}
	}
	if held > 0 && admins == 0 {
		return fmt.Errorf("%d role grants but no admin", held)
	}
	return nil
}

// RolesResult answers the roles of an address.
type RolesResult struct {
	Address address.Address `json:"address"`
	Roles   []RoleGrant     `json:"roles"`
}

// HoldersResult answers the holders of a role.
type HoldersResult struct {
	Role    string      `json:"role"`
	Holders []RoleGrant `json:"holders"`
}
