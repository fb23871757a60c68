// Package assets owns asset definitions: kind (security, cash, pass, receivable), name, symbol,
// decimals, maximum supply, issuer and controller, linked project, documents with their history;
// issuance (mint and burn within limits) and the controller's actions (freeze, forced transfer,
// recovery, pause), each with a recorded reason.
package assets

import (
	"encoding/binary"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
)

// ModuleName is the module's name and code space.
const ModuleName = "assets"

// StorePrefix is the module's key prefix in state.
var StorePrefix = []byte{0x06}

var (
	keyAsset   = []byte("a/") // a/<denom> → Asset
	keyDoc     = []byte("d/") // d/<denom>\0<name>\0<version4> → Document
	keyCurrent = []byte("c/") // c/<denom>\0<name> → uint32 latest version
)

// Failures.
var (
	ErrInvalidMsg     = codes.Register(ModuleName, 2, "invalid assets msg")
	ErrNotIssuer      = codes.Register(ModuleName, 3, "signer may not issue this kind of asset")
	ErrDenomTaken     = codes.Register(ModuleName, 4, "denom already exists")
	ErrUnknownAsset   = codes.Register(ModuleName, 5, "unknown asset")
	ErrNotAssetIssuer = codes.Register(ModuleName, 6, "signer is not the asset's issuer")
	ErrNotController  = codes.Register(ModuleName, 7, "signer is not the asset's controller")
	ErrMaxSupply      = codes.Register(ModuleName, 8, "mint exceeds the maximum supply")
	ErrRefused        = codes.Register(ModuleName, 9, "compliance refuses the issuance")
	ErrUnknownDoc     = codes.Register(ModuleName, 10, "unknown document")
	ErrTooManyDocs    = codes.Register(ModuleName, 11, "too many documents")
	ErrNotSameOwner   = codes.Register(ModuleName, 12, "recovery needs two accounts of one identity")
	ErrPaused         = codes.Register(ModuleName, 13, "asset already paused")
	ErrNotPaused      = codes.Register(ModuleName, 14, "asset is not paused")
	ErrNothingToMove  = codes.Register(ModuleName, 15, "nothing to recover")
	ErrFrozenHolding  = codes.Register(ModuleName, 16, "the holding is frozen")
	ErrModuleAccount  = codes.Register(ModuleName, 17, "module accounts hold what their module put there")
)

// Keeper reads and writes assets and documents.
type Keeper struct {
	bank       Bank
	compliance Compliance
	ids        Identities
	roles      Roles
	hooks      *hooks
}

type hooks struct {
	created    []CreationHook
	treasuries Treasuries
}

// NewKeeper makes the keeper.
func NewKeeper(bank Bank, c Compliance, ids Identities, roles Roles) Keeper {
	return Keeper{bank: bank, compliance: c, ids: ids, roles: roles, hooks: &hooks{}}
}

// SetHooks wires the modules told of every new asset. Every copy of the keeper sees them.
func (k Keeper) SetHooks(h ...CreationHook) { k.hooks.created = h }

// SetTreasuries wires who knows the module-controlled treasuries (x/projects): no controller
// action touches them. Every copy of the keeper sees it.
func (k Keeper) SetTreasuries(t Treasuries) { k.hooks.treasuries = t }

var sep = []byte{0}

func assetKey(denom string) []byte { return store.Key(keyAsset, []byte(denom)) }
func docKey(denom, name string, v uint32) []byte {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return store.Key(keyDoc, []byte(denom), sep, []byte(name), sep, b[:])
}
func currentKey(denom, name string) []byte {
	return store.Key(keyCurrent, []byte(denom), sep, []byte(name))
}

func (Keeper) st(ctx chain.Context) store.KV { return ctx.Store(StorePrefix) }

func (k Keeper) get(ctx chain.Context, key []byte, v any) bool {
	return store.GetRecord(k.st(ctx), key, v)
}

func (k Keeper) set(ctx chain.Context, key []byte, v any) { store.SetRecord(k.st(ctx), key, v) }

// Asset returns the asset of denom.
func (k Keeper) Asset(ctx chain.Context, denom string) (Asset, bool) {
	var a Asset
	ok := k.get(ctx, assetKey(denom), &a)
	return a, ok
}

// Assets lists every asset in denom order.
func (k Keeper) Assets(ctx chain.Context) []Asset {
	return store.Records[Asset](k.st(ctx), keyAsset)
}

// Paused reports whether an asset is paused, and why (compliance rejects its transfers).
func (k Keeper) Paused(ctx chain.Context, denom string) (bool, string) {
	a, ok := k.Asset(ctx, denom)
	return ok && a.Paused, a.PauseNote
}

func (k Keeper) assetOf(ctx chain.Context, denom string) (Asset, error) {
	a, ok := k.Asset(ctx, denom)
	if !ok {
		return a, ErrUnknownAsset.Wrapf("%q is not an asset issued on this chain", denom)
	}
	return a, nil
}

func (k Keeper) asIssuer(ctx chain.Context, denom string, by address.Address) (Asset, error) {
	a, err := k.assetOf(ctx, denom)
	if err != nil {
		return a, err
	}
	if a.Issuer != by {
		return a, ErrNotAssetIssuer.Wrapf("%s is issued by %s, not %s", denom, a.Issuer, by)
	}
	return a, nil
}

func (k Keeper) asController(ctx chain.Context, denom string, by address.Address) (Asset, error) {
	a, err := k.assetOf(ctx, denom)
	if err != nil {
		return a, err
	}
	if a.Controller != by {
		return a, ErrNotController.Wrapf("%s is controlled by %s, not %s", denom, a.Controller, by)
	}
	return a, nil
}

func (k Keeper) put(ctx chain.Context, a Asset) { k.set(ctx, assetKey(a.Denom), &a) }

// Create creates an asset and declares its denom to bank.
func (k Keeper) Create(ctx chain.Context, m *MsgCreate) error {
	if err := m.Validate(); err != nil {
		return err
	}
	role := RoleAssetIssuer
	if m.Kind == KindCash {
		role = RoleCashIssuer
	}
	if !k.roles.HasRole(ctx, m.Issuer, role) {
		return ErrNotIssuer.Wrapf("a %s asset needs the %s role, which %s does not hold", m.Kind, role, m.Issuer)
	}
	if _, taken := k.bank.Unit(ctx, m.Denom); taken {
		return ErrDenomTaken.Wrapf("%q is already a denom of this chain", m.Denom)
	}
	for _, u := range k.Assets(ctx) {
		if u.Symbol == m.Symbol {
			return ErrDenomTaken.Wrapf("symbol %s is already used by %s", m.Symbol, u.Denom)
		}
	}
	a := Asset{Denom: m.Denom, Kind: m.Kind, Name: m.Name, Symbol: m.Symbol, Decimals: m.Decimals, MaxSupply: m.MaxSupply,
		Issuer: m.Issuer, Controller: m.Controller, Project: m.Project, Height: ctx.Height}
	if a.Controller.IsZero() {
		a.Controller = m.Issuer
	}
	k.put(ctx, a)
	k.bank.SetUnit(ctx, a.Unit())
	for _, h := range k.hooks.created {
		h.AssetCreated(ctx, a)
	}
	ctx.Emit(chain.NewEvent("assets.created", "asset", a.Denom, "kind", a.Kind, "symbol", a.Symbol, "issuer", a.Issuer.String(),
		"controller", a.Controller.String(), "max_supply", chain.Uint(a.MaxSupply), "project", a.Project))
	return nil
}

// Mint issues an amount to the issuer or, decided by compliance, to another account.
func (k Keeper) Mint(ctx chain.Context, m *MsgMint) error {
	if err := m.Validate(); err != nil {
		return err
	}
	a, err := k.asIssuer(ctx, m.Denom, m.Issuer)
	if err != nil {
		return err
	}
	supply, err := k.bank.Supply(ctx, m.Denom).Add(m.Amount)
	if err != nil || (a.MaxSupply != 0 && supply > a.MaxSupply) {
		return ErrMaxSupply.Wrapf("supply %d + %d exceeds the maximum %d", k.bank.Supply(ctx, m.Denom), m.Amount, a.MaxSupply)
	}
	to := m.To
	if to.IsZero() {
		to = m.Issuer
	}
	c := coin.New(m.Denom, m.Amount)
	// Minting to another account is minting to the issuer and a transfer from it, decided by
	// compliance like any transfer: a rejection refuses the mint; a hold keeps the amount in a
	// hold for the officer; a flag opens an alert.
	if err := k.bank.Mint(ctx, m.Issuer, c); err != nil {
		return err
	}
	a.Minted, _ = a.Minted.Add(m.Amount)
	k.put(ctx, a)
	ctx.Emit(chain.NewEvent("assets.minted", "asset", m.Denom, "to", to.String(), "amount", c.String(), "by", m.Issuer.String()))
	if to == m.Issuer {
		return nil
	}
	held, err := k.compliance.Review(ctx, m.Issuer, to, c)
	if err != nil {
		return ErrRefused.Wrapf("minting to %s: %v", to, err)
	}
	if held {
		return nil
	}
	return k.bank.Send(ctx, m.Issuer, to, c)
}

// Burn destroys an amount of the issuer's own balance.
func (k Keeper) Burn(ctx chain.Context, m *MsgBurn) error {
	if err := m.Validate(); err != nil {
		return err
	}
	a, err := k.asIssuer(ctx, m.Denom, m.Issuer)
	if err != nil {
		return err
	}
	c := coin.New(m.Denom, m.Amount)
	if f, ok := k.compliance.Frozen(ctx, m.Denom, m.Issuer); ok {
		bal := k.bank.Balance(ctx, m.Issuer, m.Denom)
		if bal < f.Floor || m.Amount > bal-f.Floor {
			return ErrFrozenHolding.Wrapf("%s holds %s of which %s is frozen (%s): it cannot burn %s",
				m.Issuer, coin.New(m.Denom, bal), coin.New(m.Denom, f.Floor), f.Reason, c)
		}
	}
	if err := k.bank.Burn(ctx, m.Issuer, c); err != nil {
		return err
	}
	a.Burnt, _ = a.Burnt.Add(m.Amount)
	k.put(ctx, a)
	ctx.Emit(chain.NewEvent("assets.burnt", "asset", m.Denom, "from", m.Issuer.String(), "amount", c.String(), "by", m.Issuer.String()))
	return nil
}

// ---- documents ----

// Documents lists an asset's current documents (latest version of each name not removed), by name.
func (k Keeper) Documents(ctx chain.Context, denom string) []Document {
	p := store.Key(keyCurrent, []byte(denom), sep)
	out := []Document{}
	it := k.st(ctx).Iterator(p, store.PrefixEnd(p))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		var v uint32
		canon.MustDecode(it.Value(), &v)
		var d Document
		if k.get(ctx, docKey(denom, string(it.Key()[len(p):]), v), &d) && !d.Removed {
			out = append(out, d)
		}
	}
	return out
}

// DocumentHistory lists every version of every document of an asset, by name then version.
func (k Keeper) DocumentHistory(ctx chain.Context, denom string) []Document {
	p := store.Key(keyDoc, []byte(denom), sep)
	return store.Records[Document](k.st(ctx), p)
}

func (k Keeper) putDoc(ctx chain.Context, d Document) {
	k.set(ctx, docKey(d.Asset, d.Name, d.Version), &d)
	k.set(ctx, currentKey(d.Asset, d.Name), d.Version)
}

// SetDocument adds a document or a new version of it.
func (k Keeper) SetDocument(ctx chain.Context, m *MsgSetDocument) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if _, err := k.asIssuer(ctx, m.Denom, m.Issuer); err != nil {
		return err
	}
	var v uint32
	exists := k.get(ctx, currentKey(m.Denom, m.Name), &v)
	if !exists || k.removed(ctx, m.Denom, m.Name, v) {
		if len(k.Documents(ctx, m.Denom)) >= MaxDocuments {
			return ErrTooManyDocs.Wrapf("%s has %d documents, the most an asset may have", m.Denom, MaxDocuments)
		}
	}
	if v >= MaxDocVersions {
		return ErrTooManyDocs.Wrapf("document %q has %d versions", m.Name, v)
	}
	d := Document{Asset: m.Denom, Name: m.Name, Version: v + 1, URI: m.URI, Hash: m.Hash, By: m.Issuer, Height: ctx.Height, Time: ctx.Time.Unix()}
	k.putDoc(ctx, d)
	ctx.Emit(chain.NewEvent("assets.document_set", "asset", m.Denom, "name", m.Name, "version", chain.Uint(uint64(d.Version)),
		"uri", m.URI, "hash", m.Hash.String(), "by", m.Issuer.String()))
	return nil
}

func (k Keeper) removed(ctx chain.Context, denom, name string, v uint32) bool {
	var d Document
	return k.get(ctx, docKey(denom, name, v), &d) && d.Removed
}

// RemoveDocument records the removal of a document as its newest version.
func (k Keeper) RemoveDocument(ctx chain.Context, m *MsgRemoveDocument) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if _, err := k.asIssuer(ctx, m.Denom, m.Issuer); err != nil {
		return err
	}
	var v uint32
	if !k.get(ctx, currentKey(m.Denom, m.Name), &v) || k.removed(ctx, m.Denom, m.Name, v) {
		return ErrUnknownDoc.Wrapf("%s has no document %q", m.Denom, m.Name)
	}
	var last Document
	k.get(ctx, docKey(m.Denom, m.Name, v), &last)
	d := Document{Asset: m.Denom, Name: m.Name, Version: v + 1, Hash: last.Hash, Removed: true, By: m.Issuer, Height: ctx.Height, Time: ctx.Time.Unix()}
	k.putDoc(ctx, d)
	ctx.Emit(chain.NewEvent("assets.document_removed", "asset", m.Denom, "name", m.Name, "version", chain.Uint(uint64(d.Version)), "by", m.Issuer.String()))
	return nil
}

// ---- controller actions ----

// Freeze freezes a holding (through compliance, which enforces freezes).
func (k Keeper) Freeze(ctx chain.Context, m *MsgFreeze) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if _, err := k.asController(ctx, m.Denom, m.Controller); err != nil {
		return err
	}
	if err := k.notModuleAccounts(ctx, m.Account); err != nil {
		return err
	}
	return k.compliance.Freeze(ctx, m.Denom, m.Account, m.Amount, m.Reason, m.Controller)
}

// Unfreeze lifts a freeze.
func (k Keeper) Unfreeze(ctx chain.Context, m *MsgUnfreeze) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if _, err := k.asController(ctx, m.Denom, m.Controller); err != nil {
		return err
	}
	return k.compliance.Unfreeze(ctx, m.Denom, m.Account, m.Reason, m.Controller)
}

// notModuleAccounts refuses a controller action on a module account: an escrow or a hold holds
// exactly what its module owes others, and a project's treasury is spent only by its project's
// rules; their module alone moves them.
func (k Keeper) notModuleAccounts(ctx chain.Context, accs ...address.Address) error {
	for _, a := range accs {
		if name, ok := k.bank.ModuleAccount(a); ok {
			return ErrModuleAccount.Wrapf("%s is the %s module's account: its tokens are owed to others and only that module moves them", a, name)
		}
		if t := k.hooks.treasuries; t != nil {
			if project, ok := t.ProjectOfTreasury(ctx, a); ok {
				return ErrModuleAccount.Wrapf("%s is the treasury of project %s: only the project's milestones move its money", a, project)
			}
		}
	}
	return nil
}

// ForceTransfer moves an amount between two accounts without compliance.
func (k Keeper) ForceTransfer(ctx chain.Context, m *MsgForceTransfer) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if _, err := k.asController(ctx, m.Denom, m.Controller); err != nil {
		return err
	}
	if err := k.notModuleAccounts(ctx, m.From, m.To); err != nil {
		return err
	}
	c := coin.New(m.Denom, m.Amount)
	// A forced transfer does not move frozen tokens: lifting the freeze first is its own recorded
	// act (with its reason), so the audit trail shows both.
	if f, ok := k.compliance.Frozen(ctx, m.Denom, m.From); ok {
		bal := k.bank.Balance(ctx, m.From, m.Denom)
		spendable := coin.Amount(0)
		if bal > f.Floor {
			spendable = bal - f.Floor
		}
		if m.Amount > spendable {
			return ErrFrozenHolding.Wrapf("%s holds %s of which %s is frozen (%s): at most %s can be moved; unfreeze it first",
				m.From, coin.New(m.Denom, bal), coin.New(m.Denom, f.Floor), f.Reason, coin.New(m.Denom, spendable))
		}
	}
	if err := k.bank.Send(ctx, m.From, m.To, c); err != nil {
		return err
	}
	ctx.Emit(chain.NewEvent("assets.forced_transfer", "asset", m.Denom, "from", m.From.String(), "to", m.To.String(),
		"amount", c.String(), "reason", m.Reason, "by", m.Controller.String()))
	return nil
}

// Recover moves an account's whole holding, and its freeze, to another account of its identity.
func (k Keeper) Recover(ctx chain.Context, m *MsgRecover) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if _, err := k.asController(ctx, m.Denom, m.Controller); err != nil {
		return err
	}
	if err := k.notModuleAccounts(ctx, m.From, m.To); err != nil {
		return err
	}
	idFrom, ok1 := k.ids.Identity(ctx, m.From)
	idTo, ok2 := k.ids.Identity(ctx, m.To)
	if !ok1 || !ok2 || idFrom != idTo {
		return ErrNotSameOwner.Wrapf("%s (identity %q) and %s (identity %q) are not accounts of one identity", m.From, idFrom, m.To, idTo)
	}
	bal := k.bank.Balance(ctx, m.From, m.Denom)
	if bal == 0 {
		return ErrNothingToMove.Wrapf("%s holds no %s", m.From, m.Denom)
	}
	c := coin.New(m.Denom, bal)
	// The freeze moves with the holding: the new account has the same amount frozen (a whole
	// freeze stays whole when the new account held nothing of the asset).
	from, fromFrozen := k.compliance.Frozen(ctx, m.Denom, m.From)
	if fromFrozen {
		if _, ok := k.compliance.Frozen(ctx, m.Denom, m.To); ok {
			return ErrFrozenHolding.Wrapf("both %s and %s have a freeze of %s: lift one before recovering", m.From, m.To, m.Denom)
		}
	}
	toBefore := k.bank.Balance(ctx, m.To, m.Denom)
	if fromFrozen {
		if err := k.compliance.Unfreeze(ctx, m.Denom, m.From, "recovered to "+m.To.String()+": "+m.Reason, m.Controller); err != nil {
			return err
		}
	}
	if err := k.bank.Send(ctx, m.From, m.To, c); err != nil {
		return err
	}
	if fromFrozen {
		amount := from.Floor // partial: the frozen amount
		if from.Amount == 0 && toBefore == 0 {
			amount = 0 // whole
		}
		if err := k.compliance.Freeze(ctx, m.Denom, m.To, amount, from.Reason+" (recovered from "+m.From.String()+")", m.Controller); err != nil {
			return err
		}
	}
	ctx.Emit(chain.NewEvent("assets.recovered", "asset", m.Denom, "from", m.From.String(), "to", m.To.String(),
		"amount", c.String(), "reason", m.Reason, "by", m.Controller.String()))
	return nil
}

// Pause stops every transfer of an asset (compliance rejects them with rule "paused").
func (k Keeper) Pause(ctx chain.Context, m *MsgPause) error {
	if err := m.Validate(); err != nil {
		return err
	}
	a, err := k.asController(ctx, m.Denom, m.Controller)
	if err != nil {
		return err
	}
	if a.Paused {
		return ErrPaused.Wrapf("%s is paused since: %s", m.Denom, a.PauseNote)
	}
	a.Paused, a.PauseNote = true, m.Reason
	k.put(ctx, a)
	ctx.Emit(chain.NewEvent("assets.paused", "asset", m.Denom, "reason", m.Reason, "by", m.Controller.String()))
	return nil
}

// Unpause lets transfers resume.
func (k Keeper) Unpause(ctx chain.Context, m *MsgUnpause) error {
	if err := m.Validate(); err != nil {
		return err
	}
	a, err := k.asController(ctx, m.Denom, m.Controller)
	if err != nil {
		return err
	}
	if !a.Paused {
		return ErrNotPaused.Wrapf("%s is not paused", m.Denom)
	}
	a.Paused, a.PauseNote = false, ""
	k.put(ctx, a)
	ctx.Emit(chain.NewEvent("assets.unpaused", "asset", m.Denom, "reason", m.Reason, "by", m.Controller.String()))
	return nil
}
