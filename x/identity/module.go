package identity

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
)

// Module is identity's registration with the chain.
type Module struct {
	Keeper Keeper
	// blockTime is the time queries judge expiry at (the latest block's time); nil: ctx.Time.
	blockTime func(chain.Context) time.Time
}

// NewModule makes the module.
func NewModule(k Keeper) *Module { return &Module{Keeper: k} }

// WithBlockTime sets how queries learn the time of the block they read (the app records it;
// query contexts carry no block time). Expiry and status in query answers are judged at it.
func (m *Module) WithBlockTime(f func(chain.Context) time.Time) *Module {
	m.blockTime = f
	return m
}

func (m *Module) queryTime(ctx chain.Context) time.Time {
	if m.blockTime != nil {
		return m.blockTime(ctx)
	}
	return ctx.Time
}

func (*Module) Name() string { return ModuleName }

// Routes: register, link, unlink, issue, renew, revoke, set_trust.
func (m *Module) Routes() []chain.Route {
	k := m.Keeper
	return []chain.Route{
		{Msg: &MsgRegister{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Register(ctx, msg.(*MsgRegister)) }},
		{Msg: &MsgLink{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Link(ctx, msg.(*MsgLink)) }},
		{Msg: &MsgUnlink{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Unlink(ctx, msg.(*MsgUnlink)) }},
		{Msg: &MsgIssue{}, Handle: func(ctx chain.Context, msg tx.Msg) error {
			_, err := k.Issue(ctx, msg.(*MsgIssue))
			return err
		}},
		{Msg: &MsgRenew{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Renew(ctx, msg.(*MsgRenew)) }},
		{Msg: &MsgRevoke{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Revoke(ctx, msg.(*MsgRevoke)) }},
		{Msg: &MsgSetTrust{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.SetTrust(ctx, msg.(*MsgSetTrust)) }},
	}
}

// GenesisIdentity is an identity with its linked accounts.
type GenesisIdentity struct {
	Identity
	Accounts []Link `json:"accounts"`
}

// Genesis is identity's genesis state. Sequence is the next credential id (0 means 1).
type Genesis struct {
	Identities  []GenesisIdentity `json:"identities"`
	Credentials []Credential      `json:"credentials"`
	Trust       []Trust           `json:"trust"`
	Sequence    uint64            `json:"sequence"`
}

// DefaultGenesis is an empty identity state.
func DefaultGenesis() Genesis {
	return Genesis{Identities: []GenesisIdentity{}, Credentials: []Credential{}, Trust: []Trust{}, Sequence: 1}
}

// InitGenesis loads identities, links, credentials (with their revocations) and trust. Roles are
// not checked: an exported state may hold the work of providers whose role was revoked since.
func (m *Module) InitGenesis(ctx chain.Context, raw json.RawMessage) error {
	var g Genesis
	if len(raw) > 0 {
		if err := chain.DecodeGenesis(raw, &g); err != nil {
			return fmt.Errorf("identity genesis: %w", err)
		}
	}
	k := m.Keeper
	if g.Sequence == 0 {
		g.Sequence = 1
	}
	for _, gi := range g.Identities {
		if err := ValidateID(gi.ID); err != nil {
			return fmt.Errorf("identity genesis: %w", err)
		}
		if gi.Provider.IsZero() {
			return fmt.Errorf("identity genesis: identity %q has no provider", gi.ID)
		}
		if _, dup := k.GetIdentity(ctx, gi.ID); dup {
			return fmt.Errorf("identity genesis: identity %q listed twice", gi.ID)
		}
		k.set(ctx, identityKey(gi.ID), &gi.Identity)
		for _, l := range gi.Accounts {
			if l.Account.IsZero() {
				return fmt.Errorf("identity genesis: identity %q links the zero address", gi.ID)
			}
			if other, linked := k.Identity(ctx, l.Account); linked {
				return fmt.Errorf("identity genesis: account %s linked to %q and %q", l.Account, other, gi.ID)
			}
			k.set(ctx, memberKey(gi.ID, l.Account), &l)
			k.st(ctx).Set(accountKey(l.Account), []byte(gi.ID))
		}
	}
	for _, c := range g.Credentials {
		if err := checkCredential(c, g.Sequence); err != nil {
			return fmt.Errorf("identity genesis: %w", err)
		}
		if _, dup := k.Credential(ctx, c.ID); dup {
			return fmt.Errorf("identity genesis: credential %d listed twice", c.ID)
		}
		if _, ok := k.GetIdentity(ctx, c.Identity); !ok {
			return fmt.Errorf("identity genesis: credential %d is of unknown identity %q", c.ID, c.Identity)
		}
		k.putCredential(ctx, &c)
	}
	for _, t := range g.Trust {
		if err := checkTrust(t); err != nil {
			return fmt.Errorf("identity genesis: %w", err)
		}
		if _, dup := k.Trust(ctx, t.Issuer); dup {
			return fmt.Errorf("identity genesis: trust of %s listed twice", t.Issuer)
		}
		k.set(ctx, trustKey(t.Issuer), &t)
	}
	k.setSequence(ctx, g.Sequence)
	return nil
}

// checkCredential checks a credential record on its own (genesis and invariants).
func checkCredential(c Credential, seq uint64) error {
	if c.ID == 0 || c.ID >= seq {
		return fmt.Errorf("credential id %d is not in 1..%d (below the sequence %d)", c.ID, seq-1, seq)
	}
	if err := ValidateID(c.Identity); err != nil {
		return fmt.Errorf("credential %d: %v", c.ID, err)
	}
	if c.Issuer.IsZero() {
		return fmt.Errorf("credential %d has no issuer", c.ID)
	}
	if err := c.Claims.Validate(); err != nil {
		return fmt.Errorf("credential %d: %v", c.ID, err)
	}
	if c.EvidenceHash.IsZero() {
		return fmt.Errorf("credential %d has no evidence hash", c.ID)
	}
	if r := c.Revocation; r != nil && (r.By.IsZero() || r.Reason == "") {
		return fmt.Errorf("credential %d: revocation without revoker or reason", c.ID)
	}
	return nil
}

// checkTrust checks a trust record: a non-empty, sorted list of known claim kinds, each once.
func checkTrust(t Trust) error {
	if t.Issuer.IsZero() {
		return fmt.Errorf("trust of the zero address")
	}
	if len(t.Claims) == 0 {
		return fmt.Errorf("trust of %s lists no claim kind (an untrusted issuer has no record)", t.Issuer)
	}
	if err := validateClaimKinds(t.Claims); err != nil {
		return fmt.Errorf("trust of %s: %v", t.Issuer, err)
	}
	if !sort.StringsAreSorted(t.Claims) {
		return fmt.Errorf("trust of %s: claim kinds not sorted", t.Issuer)
	}
	return nil
}

// ExportGenesis writes identities (id order) with their accounts (address order), credentials
// (id order), trust (issuer order) and the sequence.
func (m *Module) ExportGenesis(ctx chain.Context) (json.RawMessage, error) {
	k := m.Keeper
	g := DefaultGenesis()
	g.Sequence = k.Sequence(ctx)
	m.eachIdentity(ctx, func(i Identity) {
		g.Identities = append(g.Identities, GenesisIdentity{Identity: i, Accounts: k.Links(ctx, i.ID)})
	})
	m.eachCredential(ctx, func(_ []byte, c Credential) { g.Credentials = append(g.Credentials, c) })
	g.Trust = k.TrustedIssuers(ctx)
	return json.Marshal(g)
}

func (m *Module) eachIdentity(ctx chain.Context, fn func(Identity)) {
	it := m.Keeper.st(ctx).Iterator(keyIdentity, store.PrefixEnd(keyIdentity))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		var i Identity
		canon.MustDecode(it.Value(), &i)
		fn(i)
	}
}

func (m *Module) eachCredential(ctx chain.Context, fn func(key []byte, c Credential)) {
	it := m.Keeper.st(ctx).Iterator(keyCredential, store.PrefixEnd(keyCredential))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		var c Credential
		canon.MustDecode(it.Value(), &c)
		fn(it.Key(), c)
	}
}

// AccountInfo answers the identity of an account (empty when it belongs to none) and the claims
// that count for it.
type AccountInfo struct {
	Address  address.Address `json:"address"`
	Identity string          `json:"identity"`
	Claims   EffectiveClaims `json:"claims"`
	At       int64           `json:"at"` // the block time (unix seconds) the claims are judged at
}

// CredentialInfo is a credential with its status at the block time.
type CredentialInfo struct {
	Credential
	Status string `json:"status"` // active, expired or revoked
}

// IdentityInfo answers an identity: its accounts, credentials and the claims that count.
type IdentityInfo struct {
	Identity
	Accounts    []Link           `json:"accounts"`
	Credentials []CredentialInfo `json:"credentials"`
	Claims      EffectiveClaims  `json:"claims"`
	At          int64            `json:"at"`
}

// IssuerInfo answers an issuer: whether it is a KYC provider, what it is trusted for, what it issued.
type IssuerInfo struct {
	Issuer      address.Address `json:"issuer"`
	KYCProvider bool            `json:"kyc_provider"`
	Trusted     []string        `json:"trusted_for"`
	Trust       *Trust          `json:"trust,omitempty"`
	Credentials []uint64        `json:"credentials"`
}

// Query answers "account/<addr>", "identity/<id>", "credential/<n>" and "issuer/<addr>". Claims
// and statuses are judged at the time of the block the query reads.
func (m *Module) Query(ctx chain.Context, path []string, _ []byte) (any, error) {
	k := m.Keeper
	now := m.queryTime(ctx)
	at := ctx
	at.Time = now
	switch {
	case len(path) == 2 && path[0] == "account":
		a, err := address.Parse(path[1])
		if err != nil {
			return nil, chain.ErrBadQuery.Wrap(err)
		}
		c, _ := k.Claims(at, a) // an account of no identity: identity "" and no claims
		return AccountInfo{Address: a, Identity: c.IdentityID, Claims: c, At: now.Unix()}, nil
	case len(path) == 2 && path[0] == "identity":
		i, ok := k.GetIdentity(ctx, path[1])
		if !ok {
			return nil, chain.ErrNotFound.Wrapf("no identity %q is registered", path[1])
		}
		info := IdentityInfo{Identity: i, Accounts: k.Links(ctx, i.ID), Credentials: []CredentialInfo{},
			Claims: k.IdentityClaims(at, i.ID), At: now.Unix()}
		for _, c := range k.Credentials(ctx, i.ID) {
			info.Credentials = append(info.Credentials, CredentialInfo{Credential: c, Status: c.StatusAt(now.Unix())})
		}
		return info, nil
	case len(path) == 2 && path[0] == "credential":
		n, err := strconv.ParseUint(path[1], 10, 64)
		if err != nil {
			return nil, chain.ErrBadQuery.Wrapf("credential id %q: want a number", path[1])
		}
		c, ok := k.Credential(ctx, n)
		if !ok {
			return nil, chain.ErrNotFound.Wrapf("no credential %d", n)
		}
		return CredentialInfo{Credential: c, Status: c.StatusAt(now.Unix())}, nil
	case len(path) == 2 && path[0] == "issuer":
		a, err := address.Parse(path[1])
		if err != nil {
			return nil, chain.ErrBadQuery.Wrap(err)
		}
		info := IssuerInfo{Issuer: a, KYCProvider: k.roles.HasRole(ctx, a, RoleKYCProvider), Trusted: []string{}, Credentials: k.IssuedBy(ctx, a)}
		if t, ok := k.Trust(ctx, a); ok {
			info.Trusted, info.Trust = t.Claims, &t
		}
		return info, nil
	}
	return nil, chain.ErrBadQuery.Wrapf("unknown identity query %v", path)
}

// QueryRoutes publishes identity's queries on the REST API.
func (*Module) QueryRoutes() []chain.QueryRoute {
	return []chain.QueryRoute{
		{Path: "/accounts/{address}/identity", Query: "/identity/account/{address}",
			Summary: "The identity an account belongs to and the claims that count for it at the latest block time", Response: AccountInfo{}},
		{Path: "/identities/{identity}", Query: "/identity/identity/{identity}",
			Summary: "An identity: its KYC provider, linked accounts, credentials with their status, effective claims", Response: IdentityInfo{}},
		{Path: "/credentials/{credential}", Query: "/identity/credential/{credential}",
			Summary: "A credential: claims, issuer, expiry, evidence hash, renewals, revocation, status", Response: CredentialInfo{}},
		{Path: "/issuers/{address}", Query: "/identity/issuer/{address}",
			Summary: "A credential issuer: whether it is a KYC provider, the claims it is trusted for, the credentials it issued", Response: IssuerInfo{}},
	}
}

// Invariants: links agree both ways and name existing identities (so an account is in at most
// one identity); credentials are valid, below the sequence, of existing identities, indexed, and
// keep their revocation; trust records are well formed.
func (m *Module) Invariants() []chain.Invariant {
	return []chain.Invariant{
		{Name: "identity/links", Check: m.checkLinks},
		{Name: "identity/credentials", Check: m.checkCredentials},
		{Name: "identity/trust", Check: m.checkTrustRecords},
		{Name: "identity/live-credentials", Check: m.checkLive},
	}
}

// checkLive: each identity's list of unrevoked credentials is exactly those of its credentials
// that are not revoked, ascending.
func (m *Module) checkLive(ctx chain.Context) error {
	k := m.Keeper
	want := map[string][]uint64{}
	it := k.st(ctx).Iterator(keyCredential, store.PrefixEnd(keyCredential))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		var c Credential
		canon.MustDecode(it.Value(), &c)
		if c.Revocation == nil {
			want[c.Identity] = append(want[c.Identity], c.ID)
		}
	}
	li := k.st(ctx).Iterator(keyLive, store.PrefixEnd(keyLive))
	defer li.Close()
	for ; li.Valid(); li.Next() {
		id := string(li.Key()[len(keyLive):])
		var got []uint64
		canon.MustDecode(li.Value(), &got)
		if fmt.Sprint(got) != fmt.Sprint(want[id]) {
			return fmt.Errorf("identity %q lists unrevoked credentials %v, its credentials give %v", id, got, want[id])
		}
		delete(want, id)
	}
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if len(ids) > 0 {
		return fmt.Errorf("identity %q has unrevoked credentials %v but no list of them", ids[0], want[ids[0]])
	}
	return nil
}

func (m *Module) checkLinks(ctx chain.Context) error {
	k := m.Keeper
	st := k.st(ctx)
	ii := st.Iterator(keyIdentity, store.PrefixEnd(keyIdentity))
	defer ii.Close()
	for ; ii.Valid(); ii.Next() {
		var i Identity
		canon.MustDecode(ii.Value(), &i)
		if !bytes.Equal(ii.Key(), identityKey(i.ID)) {
			return fmt.Errorf("identity %q stored under another id", i.ID)
		}
		if err := ValidateID(i.ID); err != nil || i.Provider.IsZero() {
			return fmt.Errorf("identity %q is malformed (bad id or no provider)", i.ID)
		}
	}
	// Every member record has its account index pointing back, and its identity exists.
	it := st.Iterator(keyMember, store.PrefixEnd(keyMember))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		rest := it.Key()[len(keyMember):]
		if len(rest) < address.Len+1 || rest[len(rest)-address.Len-1] != '/' {
			return fmt.Errorf("malformed member key %x", it.Key())
		}
		id := string(rest[:len(rest)-address.Len-1])
		a, _ := address.FromBytes(rest[len(rest)-address.Len:])
		var l Link
		canon.MustDecode(it.Value(), &l)
		if l.Account != a {
			return fmt.Errorf("link of %s stored under account %s", l.Account, a)
		}
		if _, ok := k.GetIdentity(ctx, id); !ok {
			return fmt.Errorf("account %s linked to identity %q, which does not exist", a, id)
		}
		if got, ok := k.Identity(ctx, a); !ok || got != id {
			return fmt.Errorf("account %s is a member of %q but its index says %q", a, id, got)
		}
	}
	// Every account index has its member record.
	ai := st.Iterator(keyAccount, store.PrefixEnd(keyAccount))
	defer ai.Close()
	for ; ai.Valid(); ai.Next() {
		a, err := address.FromBytes(ai.Key()[len(keyAccount):])
		if err != nil {
			return fmt.Errorf("malformed account key %x", ai.Key())
		}
		id := string(ai.Value())
		if _, ok := k.GetIdentity(ctx, id); !ok {
			return fmt.Errorf("account %s belongs to identity %q, which does not exist", a, id)
		}
		if !st.Has(memberKey(id, a)) {
			return fmt.Errorf("account %s belongs to %q but is not among its members", a, id)
		}
	}
	return nil
}

func (m *Module) checkCredentials(ctx chain.Context) error {
	k := m.Keeper
	st := k.st(ctx)
	seq := k.Sequence(ctx)
	var err error
	m.eachCredential(ctx, func(key []byte, c Credential) {
		if err != nil {
			return
		}
		if !bytes.Equal(key, credentialKey(c.ID)) {
			err = fmt.Errorf("credential %d stored under another key", c.ID)
			return
		}
		if err = checkCredential(c, seq); err != nil {
			return
		}
		if _, ok := k.GetIdentity(ctx, c.Identity); !ok {
			err = fmt.Errorf("credential %d is of identity %q, which does not exist", c.ID, c.Identity)
			return
		}
		if !st.Has(store.Key(byIdentityPrefix(c.Identity), store.Uint64Key(c.ID))) || !st.Has(store.Key(byIssuerPrefix(c.Issuer), store.Uint64Key(c.ID))) {
			err = fmt.Errorf("credential %d is missing from its identity's or issuer's index", c.ID)
			return
		}
		var r Revocation
		recorded := k.get(ctx, revocationKey(c.ID), &r)
		switch {
		case recorded && c.Revocation == nil:
			err = fmt.Errorf("credential %d was revoked at height %d but lost its revocation", c.ID, r.Height)
		case !recorded && c.Revocation != nil:
			err = fmt.Errorf("credential %d is revoked but its revocation is not recorded", c.ID)
		case recorded && r != *c.Revocation:
			err = fmt.Errorf("credential %d: revocation changed after the fact", c.ID)
		}
	})
	if err != nil {
		return err
	}
	// Index entries name existing credentials of that identity / issuer; revocations too.
	for _, p := range [][]byte{keyByIdentity, keyByIssuer, keyRevocation} {
		it := st.Iterator(p, store.PrefixEnd(p))
		for ; it.Valid(); it.Next() {
			key := it.Key()
			if len(key) < len(p)+8 {
				it.Close()
				return fmt.Errorf("malformed index key %x", key)
			}
			n := binary.BigEndian.Uint64(key[len(key)-8:])
			c, ok := k.Credential(ctx, n)
			var want []byte
			switch {
			case !ok:
			case bytes.Equal(p, keyByIdentity):
				want = store.Key(byIdentityPrefix(c.Identity), store.Uint64Key(n))
			case bytes.Equal(p, keyByIssuer):
				want = store.Key(byIssuerPrefix(c.Issuer), store.Uint64Key(n))
			default:
				want = revocationKey(n)
			}
			if !ok || !bytes.Equal(key, want) {
				it.Close()
				return fmt.Errorf("index entry %x names credential %d, which does not match", key, n)
			}
		}
		it.Close()
	}
	return nil
}

func (m *Module) checkTrustRecords(ctx chain.Context) error {
	it := m.Keeper.st(ctx).Iterator(keyTrust, store.PrefixEnd(keyTrust))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		var t Trust
		canon.MustDecode(it.Value(), &t)
		if !bytes.Equal(it.Key(), trustKey(t.Issuer)) {
			return fmt.Errorf("trust of %s stored under another key", t.Issuer)
		}
		if err := checkTrust(t); err != nil {
			return err
		}
	}
	return nil
}
