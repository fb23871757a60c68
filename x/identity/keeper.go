// Package identity owns identities (to which accounts are linked), the credentials KYC providers
// issue to them with claims (KYC level, jurisdiction, investor type, sanctions screening, expiry),
// their renewal and revocation, and which issuers are trusted for which claims. The compliance
// engine reads the claims that count for an account through Keeper.Claims.
package identity

import (
	"encoding/binary"
	"sort"
	"strings"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/store"
)

// ModuleName is the module's name and code space.
const ModuleName = "identity"

// StorePrefix is the module's key prefix in state.
var StorePrefix = []byte{0x04}

var (
	keyIdentity   = []byte("i/") // i/<id> → Identity
	keyMember     = []byte("m/") // m/<id>/<addr20> → Link
	keyAccount    = []byte("a/") // a/<addr20> → id (the account's identity)
	keyCredential = []byte("c/") // c/<cred8> → Credential
	keyByIdentity = []byte("x/") // x/<id>/<cred8> → 1 (credentials of an identity)
	keyByIssuer   = []byte("y/") // y/<addr20><cred8> → 1 (credentials of an issuer)
	keyRevocation = []byte("r/") // r/<cred8> → Revocation (a copy, so a lost revocation shows)
	keyTrust      = []byte("t/") // t/<addr20> → Trust
	keyLive       = []byte("l/") // l/<id> → []uint64: the identity's unrevoked credentials, ascending (one read for Claims)
	keySequence   = []byte("seq")
)

var marker = []byte{1}

// Failures.
var (
	ErrInvalidMsg          = codes.Register(ModuleName, 2, "invalid identity msg")
	ErrInvalidID           = codes.Register(ModuleName, 3, "invalid identity id")
	ErrNotProvider         = codes.Register(ModuleName, 4, "not a KYC provider")
	ErrNotAdmin            = codes.Register(ModuleName, 5, "signer is not an admin")
	ErrUnknownIdentity     = codes.Register(ModuleName, 6, "unknown identity")
	ErrIdentityExists      = codes.Register(ModuleName, 7, "identity already registered")
	ErrAccountLinked       = codes.Register(ModuleName, 8, "account already belongs to an identity")
	ErrNotLinked           = codes.Register(ModuleName, 9, "account does not belong to the identity")
	ErrNotIdentityProvider = codes.Register(ModuleName, 10, "only the identity's KYC provider may change its accounts")
	ErrUnknownCredential   = codes.Register(ModuleName, 11, "unknown credential")
	ErrExpiry              = codes.Register(ModuleName, 12, "expiry is not after the block time")
	ErrNotIssuer           = codes.Register(ModuleName, 13, "only the credential's issuer may renew it")
	ErrRevoked             = codes.Register(ModuleName, 14, "credential is revoked")
	ErrAlreadyRevoked      = codes.Register(ModuleName, 15, "credential already revoked")
	ErrNotRevoker          = codes.Register(ModuleName, 16, "only the credential's issuer or a compliance officer may revoke it")
	ErrBadJurisdiction     = codes.Register(ModuleName, 17, "bad jurisdiction")
	ErrBadClaim            = codes.Register(ModuleName, 18, "bad claim")
	ErrNoClaims            = codes.Register(ModuleName, 19, "credential claims nothing")
)

// Keeper reads and writes identities, credentials and trust.
type Keeper struct {
	roles Roles
	hooks *hooks // shared by every copy of the keeper, set once at wiring
}

type hooks struct{ links LinkHooks }

// NewKeeper makes the identity keeper over auth's roles.
func NewKeeper(roles Roles) Keeper { return Keeper{roles: roles, hooks: &hooks{}} }

// SetHooks wires who is told of accounts joining and leaving identities. Every copy of the
// keeper sees it.
func (k Keeper) SetHooks(h LinkHooks) { k.hooks.links = h }

var slash = []byte("/")

func identityKey(id string) []byte                  { return store.Key(keyIdentity, []byte(id)) }
func memberPrefix(id string) []byte                 { return store.Key(keyMember, []byte(id), slash) }
func memberKey(id string, a address.Address) []byte { return store.Key(memberPrefix(id), a[:]) }
func accountKey(a address.Address) []byte           { return store.Key(keyAccount, a[:]) }
func credentialKey(n uint64) []byte                 { return store.Key(keyCredential, store.Uint64Key(n)) }
func byIdentityPrefix(id string) []byte             { return store.Key(keyByIdentity, []byte(id), slash) }
func byIssuerPrefix(a address.Address) []byte       { return store.Key(keyByIssuer, a[:]) }
func revocationKey(n uint64) []byte                 { return store.Key(keyRevocation, store.Uint64Key(n)) }
func trustKey(a address.Address) []byte             { return store.Key(keyTrust, a[:]) }

func (Keeper) st(ctx chain.Context) store.KV { return ctx.Store(StorePrefix) }

func (k Keeper) get(ctx chain.Context, key []byte, v any) bool {
	return store.GetRecord(k.st(ctx), key, v)
}

func (k Keeper) set(ctx chain.Context, key []byte, v any) { store.SetRecord(k.st(ctx), key, v) }

// Identity returns the id of the identity a belongs to; ok is false when it belongs to none.
func (k Keeper) Identity(ctx chain.Context, a address.Address) (id string, ok bool) {
	b := k.st(ctx).Get(accountKey(a))
	if b == nil {
		return "", false
	}
	return string(b), true
}

// GetIdentity returns the identity record of id.
func (k Keeper) GetIdentity(ctx chain.Context, id string) (Identity, bool) {
	var i Identity
	ok := k.get(ctx, identityKey(id), &i)
	return i, ok
}

// Links lists the accounts linked to identity id, in address order, with who linked them.
func (k Keeper) Links(ctx chain.Context, id string) []Link {
	p := memberPrefix(id)
	it := k.st(ctx).Iterator(p, store.PrefixEnd(p))
	defer it.Close()
	out := []Link{}
	for ; it.Valid(); it.Next() {
		var l Link
		canon.MustDecode(it.Value(), &l)
		out = append(out, l)
	}
	return out
}

// Accounts lists the accounts linked to identity id, in address order.
func (k Keeper) Accounts(ctx chain.Context, id string) []address.Address {
	out := []address.Address{}
	for _, l := range k.Links(ctx, id) {
		out = append(out, l.Account)
	}
	return out
}

// Credential returns credential n.
func (k Keeper) Credential(ctx chain.Context, n uint64) (Credential, bool) {
	var c Credential
	ok := k.get(ctx, credentialKey(n), &c)
	return c, ok
}

// Credentials lists the credentials of identity id, oldest first.
func (k Keeper) Credentials(ctx chain.Context, id string) []Credential {
	out := []Credential{}
	for _, n := range k.credentialIDs(ctx, byIdentityPrefix(id)) {
		c, _ := k.Credential(ctx, n)
		out = append(out, c)
	}
	return out
}

// IssuedBy lists the ids of the credentials issuer issued, ascending.
func (k Keeper) IssuedBy(ctx chain.Context, issuer address.Address) []uint64 {
	return k.credentialIDs(ctx, byIssuerPrefix(issuer))
}

func (k Keeper) credentialIDs(ctx chain.Context, p []byte) []uint64 {
	it := k.st(ctx).Iterator(p, store.PrefixEnd(p))
	defer it.Close()
	out := []uint64{}
	for ; it.Valid(); it.Next() {
		out = append(out, binary.BigEndian.Uint64(it.Key()[len(p):]))
	}
	return out
}

// Trust returns the trust set for issuer; ok is false when it is trusted for nothing.
func (k Keeper) Trust(ctx chain.Context, issuer address.Address) (Trust, bool) {
	var t Trust
	ok := k.get(ctx, trustKey(issuer), &t)
	return t, ok
}

// TrustedIssuers lists every trust record in issuer address order.
func (k Keeper) TrustedIssuers(ctx chain.Context) []Trust {
	it := k.st(ctx).Iterator(keyTrust, store.PrefixEnd(keyTrust))
	defer it.Close()
	out := []Trust{}
	for ; it.Valid(); it.Next() {
		var t Trust
		canon.MustDecode(it.Value(), &t)
		out = append(out, t)
	}
	return out
}

// Sequence is the id the next credential gets (ids start at 1).
func (k Keeper) Sequence(ctx chain.Context) uint64 {
	var n uint64
	if !k.get(ctx, keySequence, &n) {
		return 1
	}
	return n
}

func (k Keeper) setSequence(ctx chain.Context, n uint64) { k.set(ctx, keySequence, n) }

// Claims are the claims that count for account a at the block time ctx.Time: per claim kind,
// the most recently issued credential of a's identity that is not revoked, not expired (expiry
// after the block time) and from an issuer trusted for that kind. ok is false when a belongs to
// no identity; a linked account without counting credentials has zero claims.
func (k Keeper) Claims(ctx chain.Context, a address.Address) (EffectiveClaims, bool) {
	id, ok := k.Identity(ctx, a)
	if !ok {
		return EffectiveClaims{Credentials: []uint64{}}, false
	}
	return k.IdentityClaims(ctx, id), true
}

// IdentityClaims are the claims that count for identity id at ctx.Time (see Claims).
func (k Keeper) IdentityClaims(ctx chain.Context, id string) EffectiveClaims {
	out := EffectiveClaims{IdentityID: id, Credentials: []uint64{}}
	now := ctx.Time.Unix()
	filled := map[string]bool{}
	trust := map[address.Address]Trust{} // a cache: looked up by key, never iterated
	live := k.live(ctx, id)
	for i := len(live) - 1; i >= 0 && len(filled) < len(ClaimKinds); i-- {
		c, _ := k.Credential(ctx, live[i])
		if c.StatusAt(now) != StatusActive {
			continue
		}
		t, cached := trust[c.Issuer]
		if !cached {
			t, _ = k.Trust(ctx, c.Issuer)
			trust[c.Issuer] = t
		}
		used := false
		for _, kind := range ClaimKinds {
			if filled[kind] || !c.Claims.Has(kind) || !t.For(kind) {
				continue
			}
			filled[kind], used = true, true
			switch kind {
			case ClaimKYCLevel:
				out.KYCLevel = c.Claims.KYCLevel
			case ClaimJurisdiction:
				out.Jurisdiction = c.Claims.Jurisdiction
			case ClaimInvestorType:
				out.InvestorType = c.Claims.InvestorType
			case ClaimSanctions:
				out.SanctionsScreened = c.Claims.SanctionsScreened
			}
		}
		if used {
			if out.ValidUntil == 0 || c.Expiry < out.ValidUntil {
				out.ValidUntil = c.Expiry
			}
			out.Credentials = append([]uint64{c.ID}, out.Credentials...) // newest first seen: keep ascending
		}
	}
	return out
}

func (k Keeper) requireRole(ctx chain.Context, a address.Address, role string, e *codes.Error) error {
	if !k.roles.HasRole(ctx, a, role) {
		return e.Wrapf("%s does not hold the %s role", a, role)
	}
	return nil
}

func (k Keeper) identityOf(ctx chain.Context, id string) (Identity, error) {
	i, ok := k.GetIdentity(ctx, id)
	if !ok {
		return i, ErrUnknownIdentity.Wrapf("no identity %q is registered", id)
	}
	return i, nil
}

func (k Keeper) checkFree(ctx chain.Context, a address.Address) error {
	if other, ok := k.Identity(ctx, a); ok {
		return ErrAccountLinked.Wrapf("%s belongs to identity %q: unlink it there first", a, other)
	}
	return nil
}

func (k Keeper) link(ctx chain.Context, id string, a, by address.Address) {
	k.set(ctx, memberKey(id, a), &Link{Account: a, By: by, Height: ctx.Height})
	k.st(ctx).Set(accountKey(a), []byte(id))
	if k.hooks.links != nil {
		k.hooks.links.AccountLinked(ctx, a, id)
	}
	ctx.Emit(chain.NewEvent("identity.linked", "id", id, "account", a.String(), "provider", by.String()))
}

// Register registers an identity with its first accounts.
func (k Keeper) Register(ctx chain.Context, m *MsgRegister) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := k.requireRole(ctx, m.Provider, RoleKYCProvider, ErrNotProvider); err != nil {
		return err
	}
	if _, ok := k.GetIdentity(ctx, m.ID); ok {
		return ErrIdentityExists.Wrapf("%q is taken", m.ID)
	}
	for _, a := range m.Accounts {
		if err := k.checkFree(ctx, a); err != nil {
			return err
		}
	}
	k.set(ctx, identityKey(m.ID), &Identity{ID: m.ID, Provider: m.Provider, Height: ctx.Height})
	ctx.Emit(chain.NewEvent("identity.registered", "id", m.ID, "provider", m.Provider.String(), "accounts", chain.Uint(uint64(len(m.Accounts)))))
	for _, a := range m.Accounts {
		k.link(ctx, m.ID, a, m.Provider)
	}
	return nil
}

// manage checks that provider is a KYC provider and the provider of identity id.
func (k Keeper) manage(ctx chain.Context, provider address.Address, id string) error {
	if err := k.requireRole(ctx, provider, RoleKYCProvider, ErrNotProvider); err != nil {
		return err
	}
	i, err := k.identityOf(ctx, id)
	if err != nil {
		return err
	}
	if i.Provider != provider {
		return ErrNotIdentityProvider.Wrapf("identity %q is managed by %s, not %s", id, i.Provider, provider)
	}
	return nil
}

// Link links an account to an identity.
func (k Keeper) Link(ctx chain.Context, m *MsgLink) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := k.manage(ctx, m.Provider, m.ID); err != nil {
		return err
	}
	if err := k.checkFree(ctx, m.Account); err != nil {
		return err
	}
	k.link(ctx, m.ID, m.Account, m.Provider)
	return nil
}

// Unlink removes an account from an identity (its credentials stay with the identity).
func (k Keeper) Unlink(ctx chain.Context, m *MsgUnlink) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := k.manage(ctx, m.Provider, m.ID); err != nil {
		return err
	}
	if id, ok := k.Identity(ctx, m.Account); !ok || id != m.ID {
		return ErrNotLinked.Wrapf("%s is not linked to identity %q", m.Account, m.ID)
	}
	k.st(ctx).Delete(memberKey(m.ID, m.Account))
	k.st(ctx).Delete(accountKey(m.Account))
	if k.hooks.links != nil {
		k.hooks.links.AccountUnlinked(ctx, m.Account, m.ID)
	}
	ctx.Emit(chain.NewEvent("identity.unlinked", "id", m.ID, "account", m.Account.String(), "provider", m.Provider.String()))
	return nil
}

func liveKey(id string) []byte { return store.Key(keyLive, []byte(id)) }

// live lists identity id's unrevoked credentials, ascending.
func (k Keeper) live(ctx chain.Context, id string) []uint64 {
	var ids []uint64
	k.get(ctx, liveKey(id), &ids)
	return ids
}

func (k Keeper) setLive(ctx chain.Context, id string, ids []uint64) {
	if len(ids) == 0 {
		k.st(ctx).Delete(liveKey(id))
		return
	}
	k.set(ctx, liveKey(id), ids)
}

func (k Keeper) putCredential(ctx chain.Context, c *Credential) {
	if c.Revocation == nil {
		ids := k.live(ctx, c.Identity)
		i := sort.Search(len(ids), func(i int) bool { return ids[i] >= c.ID })
		if i == len(ids) || ids[i] != c.ID {
			ids = append(ids[:i], append([]uint64{c.ID}, ids[i:]...)...)
			k.setLive(ctx, c.Identity, ids)
		}
	}
	k.set(ctx, credentialKey(c.ID), c)
	k.st(ctx).Set(store.Key(byIdentityPrefix(c.Identity), store.Uint64Key(c.ID)), marker)
	k.st(ctx).Set(store.Key(byIssuerPrefix(c.Issuer), store.Uint64Key(c.ID)), marker)
	if c.Revocation != nil {
		k.set(ctx, revocationKey(c.ID), c.Revocation)
	}
}

// Issue issues a credential; it returns the new credential's id.
func (k Keeper) Issue(ctx chain.Context, m *MsgIssue) (uint64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	if err := k.requireRole(ctx, m.Issuer, RoleKYCProvider, ErrNotProvider); err != nil {
		return 0, err
	}
	if _, err := k.identityOf(ctx, m.ID); err != nil {
		return 0, err
	}
	if now := ctx.Time.Unix(); m.Expiry <= now {
		return 0, ErrExpiry.Wrapf("expiry %d is not after the block time %d", m.Expiry, now)
	}
	n := k.Sequence(ctx)
	c := Credential{ID: n, Identity: m.ID, Issuer: m.Issuer, Claims: m.Claims, Expiry: m.Expiry, EvidenceHash: m.EvidenceHash,
		IssuedHeight: ctx.Height, IssuedAt: ctx.Time.Unix()}
	k.putCredential(ctx, &c)
	k.setSequence(ctx, n+1)
	ctx.Emit(chain.NewEvent("identity.credential_issued", "credential", chain.Uint(n), "id", m.ID, "issuer", m.Issuer.String(),
		"claims", strings.Join(m.Claims.Kinds(), ","), "expiry", itoa(m.Expiry), "evidence_hash", m.EvidenceHash.String()))
	return n, nil
}

func itoa(v int64) string {
	if v < 0 {
		return "-" + chain.Uint(uint64(-v))
	}
	return chain.Uint(uint64(v))
}

func (k Keeper) credentialOf(ctx chain.Context, n uint64) (Credential, error) {
	c, ok := k.Credential(ctx, n)
	if !ok {
		return c, ErrUnknownCredential.Wrapf("no credential %d", n)
	}
	return c, nil
}

// Renew extends a credential's expiry with new evidence; only its issuer, still a KYC provider, may.
func (k Keeper) Renew(ctx chain.Context, m *MsgRenew) error {
	if err := m.Validate(); err != nil {
		return err
	}
	c, err := k.credentialOf(ctx, m.CredentialID)
	if err != nil {
		return err
	}
	if c.Issuer != m.Issuer {
		return ErrNotIssuer.Wrapf("credential %d was issued by %s, not %s", c.ID, c.Issuer, m.Issuer)
	}
	if err := k.requireRole(ctx, m.Issuer, RoleKYCProvider, ErrNotProvider); err != nil {
		return err
	}
	if c.Revocation != nil {
		return ErrRevoked.Wrapf("credential %d was revoked at height %d (%s) and cannot be renewed", c.ID, c.Revocation.Height, c.Revocation.Reason)
	}
	if now := ctx.Time.Unix(); m.Expiry <= now {
		return ErrExpiry.Wrapf("expiry %d is not after the block time %d", m.Expiry, now)
	}
	c.Expiry, c.EvidenceHash, c.RenewedHeight = m.Expiry, m.EvidenceHash, ctx.Height
	c.Renewals++
	k.set(ctx, credentialKey(c.ID), &c)
	ctx.Emit(chain.NewEvent("identity.credential_renewed", "credential", chain.Uint(c.ID), "id", c.Identity, "issuer", c.Issuer.String(),
		"expiry", itoa(c.Expiry), "evidence_hash", c.EvidenceHash.String()))
	return nil
}

// Revoke revokes a credential for good; its issuer or a compliance officer may. The credential
// stays in state with its revocation.
func (k Keeper) Revoke(ctx chain.Context, m *MsgRevoke) error {
	if err := m.Validate(); err != nil {
		return err
	}
	c, err := k.credentialOf(ctx, m.CredentialID)
	if err != nil {
		return err
	}
	if c.Issuer != m.By && !k.roles.HasRole(ctx, m.By, RoleComplianceOfficer) {
		return ErrNotRevoker.Wrapf("%s neither issued credential %d nor holds the %s role", m.By, c.ID, RoleComplianceOfficer)
	}
	if c.Revocation != nil {
		return ErrAlreadyRevoked.Wrapf("credential %d was revoked at height %d by %s", c.ID, c.Revocation.Height, c.Revocation.By)
	}
	c.Revocation = &Revocation{By: m.By, Reason: m.Reason, Height: ctx.Height, Time: ctx.Time.Unix()}
	k.set(ctx, credentialKey(c.ID), &c)
	k.set(ctx, revocationKey(c.ID), c.Revocation)
	ids := k.live(ctx, c.Identity)
	for i, v := range ids {
		if v == c.ID {
			k.setLive(ctx, c.Identity, append(ids[:i:i], ids[i+1:]...))
			break
		}
	}
	ctx.Emit(chain.NewEvent("identity.credential_revoked", "credential", chain.Uint(c.ID), "id", c.Identity, "issuer", c.Issuer.String(),
		"by", m.By.String(), "reason", m.Reason))
	return nil
}

// SetTrust sets the claim kinds an issuer is trusted for (none: untrusted). Only an admin may;
// trusting for any kind needs the issuer to be a KYC provider.
func (k Keeper) SetTrust(ctx chain.Context, m *MsgSetTrust) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := k.requireRole(ctx, m.Authority, RoleAdmin, ErrNotAdmin); err != nil {
		return err
	}
	kinds := sortedKinds(m.Claims)
	if len(kinds) == 0 {
		k.st(ctx).Delete(trustKey(m.Issuer))
	} else {
		if err := k.requireRole(ctx, m.Issuer, RoleKYCProvider, ErrNotProvider); err != nil {
			return err
		}
		k.set(ctx, trustKey(m.Issuer), &Trust{Issuer: m.Issuer, Claims: kinds, SetBy: m.Authority, Height: ctx.Height})
	}
	ctx.Emit(chain.NewEvent("identity.trust_set", "issuer", m.Issuer.String(), "claims", strings.Join(kinds, ","), "by", m.Authority.String()))
	return nil
}

// sortedKinds returns the kinds in ClaimKinds order (which is name order).
func sortedKinds(kinds []string) []string {
	out := []string{}
	for _, k := range ClaimKinds {
		for _, c := range kinds {
			if c == k {
				out = append(out, k)
				break
			}
		}
	}
	return out
}
