// Package auth owns accounts: their public keys (bound on the first tx), nonces (replay
// protection) and creation on first receipt; and roles (admin, kyc_provider, member, …), granted
// and revoked on chain by an admin or by chain governance (authority.Chain, which holds every
// role implicitly).
package auth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
)

// ModuleName is the module's name, its code space and its store prefix owner.
const ModuleName = "auth"

// StorePrefix is the module's key prefix in state.
var StorePrefix = []byte{0x01}

var keyAccount = []byte("a/") // a/<addr20> → Account

// Failures.
var (
	ErrUnknownAccount = codes.Register(ModuleName, 2, "unknown account")
	ErrNonceReplayed  = codes.Register(ModuleName, 3, "nonce already used (replayed tx)")
	ErrNonceSkipped   = codes.Register(ModuleName, 4, "nonce skipped")
	ErrSignature      = codes.Register(ModuleName, 5, "signature verification failed")
	ErrPubKeyMismatch = codes.Register(ModuleName, 6, "public key does not belong to the signer")
	ErrNoPubKey       = codes.Register(ModuleName, 7, "first tx of an account must carry its public key")
)

// Account is an account record.
type Account struct {
	Address address.Address `cbor:"1,keyasint" json:"address"`
	KeyType string          `cbor:"2,keyasint,omitempty" json:"key_type,omitempty"`
	PubKey  []byte          `cbor:"3,keyasint,omitempty" json:"pubkey,omitempty"`
	Nonce   uint64          `cbor:"4,keyasint" json:"nonce"`
	Created int64           `cbor:"5,keyasint" json:"created_height"`
}

// Keeper reads and writes accounts.
type Keeper struct{}

// NewKeeper makes the auth keeper.
func NewKeeper() Keeper { return Keeper{} }

func accountKey(a address.Address) []byte { return append(append([]byte{}, keyAccount...), a[:]...) }

// Get returns the account at a.
func (Keeper) Get(ctx chain.Context, a address.Address) (Account, bool) {
	b := ctx.Store(StorePrefix).Get(accountKey(a))
	if b == nil {
		return Account{}, false
	}
	var acc Account
	canon.MustDecode(b, &acc)
	return acc, true
}

// Set writes an account.
func (Keeper) Set(ctx chain.Context, acc Account) {
	ctx.Store(StorePrefix).Set(accountKey(acc.Address), canon.MustMarshal(&acc))
}

// Ensure creates the account at a if it does not exist (accounts are created on first receipt).
func (k Keeper) Ensure(ctx chain.Context, a address.Address) {
	if ctx.Store(StorePrefix).Has(accountKey(a)) {
		return
	}
	k.Set(ctx, Account{Address: a, Created: ctx.Height})
	ctx.Emit(chain.NewEvent("auth.account_created", "address", a.String()))
}

// Authenticate checks a decoded tx's signer, public key, signature and nonce against state, and
// on success binds the key (first tx) and bumps the nonce. verified says the signature with key
// verifiedKey was already checked (CheckTx cache); otherwise it is verified here.
func (k Keeper) Authenticate(ctx chain.Context, d *tx.Decoded, verifiedKey []byte, skipSig bool) error {
	body := &d.Tx.Body
	acc, ok := k.Get(ctx, body.Signer)
	if !ok {
		return ErrUnknownAccount.Wrapf("%s has never received funds, so it cannot pay fees", body.Signer)
	}
	sig := d.Tx.Signatures[0]
	pub := acc.PubKey
	if pub == nil {
		if sig.PubKey == nil {
			return ErrNoPubKey.Wrapf("account %s", body.Signer)
		}
		if address.FromPubKey(sig.KeyType, sig.PubKey) != body.Signer {
			return ErrPubKeyMismatch.Wrapf("key %x is the key of %s, not of %s", sig.PubKey, address.FromPubKey(sig.KeyType, sig.PubKey), body.Signer)
		}
		pub = sig.PubKey
	} else if sig.PubKey != nil && !bytes.Equal(sig.PubKey, pub) {
		return ErrPubKeyMismatch.Wrapf("tx carries key %x but %s is bound to %x", sig.PubKey, body.Signer, pub)
	}
	if !skipSig && !(verifiedKey != nil && bytes.Equal(verifiedKey, pub)) && !d.VerifySignature(pub) {
		return ErrSignature.Wrapf("the signature is not by the key of %s over this tx on chain %s", body.Signer, ctx.ChainID)
	}
	switch {
	case ctx.Mode == chain.ModeSimulate:
		// A dry run answers gas and effects; the nonce is judged when the tx is submitted (a
		// dry run between a block's commit and the mempool's recheck sees a nonce in flux).
	case body.Nonce < acc.Nonce:
		return ErrNonceReplayed.Wrapf("tx nonce %d, account %s expects %d", body.Nonce, body.Signer, acc.Nonce)
	case body.Nonce > acc.Nonce:
		return ErrNonceSkipped.Wrapf("tx nonce %d, account %s expects %d", body.Nonce, body.Signer, acc.Nonce)
	}
	if acc.PubKey == nil {
		acc.KeyType, acc.PubKey = sig.KeyType, pub
	}
	acc.Nonce++
	k.Set(ctx, acc)
	return nil
}

// Module is auth's registration with the chain.
type Module struct{ Keeper Keeper }

// NewModule makes the module.
func NewModule(k Keeper) *Module { return &Module{Keeper: k} }

func (*Module) Name() string { return ModuleName }

// Genesis is auth's genesis state: accounts and role grants (admins at least, once any role is
// granted).
type Genesis struct {
	Accounts []Account     `json:"accounts"`
	Roles    []GenesisRole `json:"roles,omitempty"`
}

// InitGenesis loads accounts and roles.
func (m *Module) InitGenesis(ctx chain.Context, raw json.RawMessage) error {
	var g Genesis
	if len(raw) > 0 {
		if err := chain.DecodeGenesis(raw, &g); err != nil {
			return fmt.Errorf("auth genesis: %w", err)
		}
	}
	seen := map[address.Address]bool{}
	for _, a := range g.Accounts {
		if seen[a.Address] {
			return fmt.Errorf("auth genesis: account %s listed twice", a.Address)
		}
		seen[a.Address] = true
		if a.PubKey != nil && address.FromPubKey(a.KeyType, a.PubKey) != a.Address {
			return fmt.Errorf("auth genesis: public key of %s does not match its address", a.Address)
		}
		m.Keeper.Set(ctx, a)
	}
	return m.Keeper.initRoles(ctx, g.Roles)
}

// ExportGenesis lists every account in address order, then every role grant.
func (m *Module) ExportGenesis(ctx chain.Context) (json.RawMessage, error) {
	g := Genesis{Accounts: []Account{}, Roles: m.Keeper.exportRoles(ctx)}
	it := ctx.Store(StorePrefix).Iterator(keyAccount, store.PrefixEnd(keyAccount))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		var a Account
		canon.MustDecode(it.Value(), &a)
		g.Accounts = append(g.Accounts, a)
	}
	return json.Marshal(g)
}

// Query answers "account/<address>", "roles/<address>" and "role/<role>".
func (m *Module) Query(ctx chain.Context, path []string, _ []byte) (any, error) {
	if len(path) == 2 && path[0] == "roles" {
		a, err := address.Parse(path[1])
		if err != nil {
			return nil, chain.ErrBadQuery.Wrap(err)
		}
		return RolesResult{Address: a, Roles: m.Keeper.RolesOf(ctx, a)}, nil
	}
	if len(path) == 2 && path[0] == "role" {
		if !ValidRole(path[1]) {
			return nil, chain.ErrBadQuery.Wrapf("unknown role %q: the roles are %v", path[1], Roles)
		}
		return HoldersResult{Role: path[1], Holders: m.Keeper.Grants(ctx, path[1])}, nil
	}
	if len(path) == 2 && path[0] == "account" {
		a, err := address.Parse(path[1])
		if err != nil {
			return nil, chain.ErrBadQuery.Wrap(err)
		}
		acc, ok := m.Keeper.Get(ctx, a)
		if !ok {
			return nil, chain.ErrNotFound.Wrapf("account %s does not exist", a)
		}
		return acc, nil
	}
	return nil, chain.ErrBadQuery.Wrapf("unknown auth query %v", path)
}

// Invariants: every bound key hashes to its account's address; records are stored at their
// address; role grants are of known roles, and once any role is held an admin exists.
func (m *Module) Invariants() []chain.Invariant {
	return []chain.Invariant{{Name: "auth/key-matches-address", Check: func(ctx chain.Context) error {
		it := ctx.Store(StorePrefix).Iterator(keyAccount, store.PrefixEnd(keyAccount))
		defer it.Close()
		for ; it.Valid(); it.Next() {
			var a Account
			canon.MustDecode(it.Value(), &a)
			if !bytes.Equal(it.Key()[len(keyAccount):], a.Address[:]) {
				return fmt.Errorf("account %s stored under another key", a.Address)
			}
			if a.PubKey != nil && address.FromPubKey(a.KeyType, a.PubKey) != a.Address {
				return fmt.Errorf("account %s is bound to a key of another address", a.Address)
			}
		}
		return nil
	}}, {Name: "auth/admin-exists", Check: m.Keeper.checkRoles}}
}

// SortAccounts orders accounts by address (genesis builders use it).
func SortAccounts(a []Account) {
	sort.Slice(a, func(i, j int) bool { return bytes.Compare(a[i].Address[:], a[j].Address[:]) < 0 })
}

// QueryRoutes publishes auth's queries on the REST API.
func (*Module) QueryRoutes() []chain.QueryRoute {
	return []chain.QueryRoute{
		{Path: "/accounts/{address}", Query: "/auth/account/{address}",
			Summary: "An account: public key (bound by its first tx), nonce, creation height", Response: Account{}},
		{Path: "/accounts/{address}/roles", Query: "/auth/roles/{address}",
			Summary: "The roles an address holds, with who granted each and when", Response: RolesResult{}},
		{Path: "/roles/{role}", Query: "/auth/role/{role}",
			Summary: "The holders of a role (admin, asset_issuer, cash_issuer, compliance_officer, kyc_provider, member, public_agency, regulator); chain governance holds every role implicitly and is not listed", Response: HoldersResult{}},
	}
}
