// Package compliance is the rules engine every transfer between parties passes through: rule
// sets chain-wide and per asset, one decision per transfer (allow, reject, flag, hold), holds that
// a compliance officer releases or returns (or that return by themselves at their deadline),
// alerts, deny lists, freezes, and the per-identity holder accounting that holder and balance
// limits need.
package compliance

import (
	"bytes"
	"slices"
	"sync"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
)

// ModuleName is the module's name and code space.
const ModuleName = "compliance"

// StorePrefix is the module's key prefix in state.
var StorePrefix = []byte{0x05}

// HoldAccount is the module account that keeps held amounts until they are decided.
var HoldAccount = address.Module("compliance/holds")

var (
	keyRules       = []byte("r/")  // r/<asset> → RuleSet ("r/" alone: the chain-wide set)
	keyDeny        = []byte("d/")  // d/<asset>\0<addr20> → DenyEntry
	keyFreeze      = []byte("f/")  // f/<asset>\0<addr20> → Freeze
	keyHold        = []byte("h/")  // h/<id8> → Hold
	keyHoldOpen    = []byte("ho/") // ho/<id8> → 1 (open holds)
	keyHoldDue     = []byte("hd/") // hd/<deadline8><id8> → 1 (open holds by deadline)
	keyHoldAccount = []byte("ha/") // ha/<addr20><id8> → 1 (holds by sender and receiver)
	keyHoldAsset   = []byte("hs/") // hs/<asset>\0<id8> → 1
	keyAlert       = []byte("a/")  // a/<id8> → Alert
	keyAlertOpen   = []byte("ao/") // ao/<id8> → 1
	keyAlertAcct   = []byte("aa/") // aa/<addr20><id8> → 1
	keyAlertAsset  = []byte("as/") // as/<asset>\0<id8> → 1
	keyHolding     = []byte("b/")  // b/<asset>\0<holder> → Amount (an identity's, or an unlinked account's, balance)
	keyHolders     = []byte("n/")  // n/<asset> → uint64 (holders with a non-zero balance)
	keyVelocity    = []byte("v/")  // v/<asset>\0<rule>\0<holder> → Velocity
	keyHoldSeq     = []byte("seq/hold")
	keyAlertSeq    = []byte("seq/alert")
)

var marker = []byte{1}

// Failures.
var (
	ErrInvalidMsg     = codes.Register(ModuleName, 2, "invalid compliance msg")
	ErrRejected       = codes.Register(ModuleName, 3, "transfer rejected by a compliance rule")
	ErrNotOfficer     = codes.Register(ModuleName, 4, "signer is not a compliance officer")
	ErrInvalidRule    = codes.Register(ModuleName, 5, "invalid rule")
	ErrUnknownAsset   = codes.Register(ModuleName, 6, "unknown asset")
	ErrUnknownHold    = codes.Register(ModuleName, 7, "unknown hold")
	ErrHoldDecided    = codes.Register(ModuleName, 8, "hold already decided")
	ErrUnknownAlert   = codes.Register(ModuleName, 9, "unknown alert")
	ErrAlertClosed    = codes.Register(ModuleName, 10, "alert already closed")
	ErrNotListed      = codes.Register(ModuleName, 11, "account is not on the deny list")
	ErrAlreadyListed  = codes.Register(ModuleName, 12, "account is already on the deny list")
	ErrNotFrozen      = codes.Register(ModuleName, 13, "account's holding is not frozen")
	ErrFreezeTooLarge = codes.Register(ModuleName, 14, "freeze exceeds the balance")
	ErrNativeFreeze   = codes.Register(ModuleName, 15, "the gas token cannot be frozen")
)

// Keeper holds rule sets, holds, alerts, lists and the holder accounting.
type Keeper struct {
	bank    Bank
	ids     Identities
	roles   Roles
	native  string                   // the gas token: no holder accounting, no freezes
	modules map[address.Address]bool // module accounts: not holders
	gate    *assetGate               // shared by every copy, set once at wiring
	rules   *ruleCache               // decoded rule sets, shared by every copy
}

// ruleCache keeps the last decoded rule set of each scope with the encoding it was decoded from.
// A lookup still reads the record from the caller's branch and uses the decoded set only when
// the bytes are the same, so it is a pure function of what the branch holds: a set_rules (in any
// branch, committed or not) changes the bytes and is decoded afresh, and no branch ever sees
// another's rules.
type ruleCache struct {
	mu     sync.Mutex
	scopes map[string]cachedRules
}

type cachedRules struct {
	raw []byte
	rs  RuleSet
}

// maxCachedScopes bounds the cache; past it, it starts again empty.
const maxCachedScopes = 1024

// decode returns the rule set encoded as raw for scope asset. The returned set is shared: callers
// must not modify it.
func (c *ruleCache) decode(asset string, raw []byte) RuleSet {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.scopes[asset]; ok && bytes.Equal(e.raw, raw) {
		return e.rs
	}
	var rs RuleSet
	canon.MustDecode(raw, &rs)
	if len(c.scopes) >= maxCachedScopes {
		c.scopes = map[string]cachedRules{}
	}
	c.scopes[asset] = cachedRules{raw: bytes.Clone(raw), rs: rs}
	return rs
}

type assetGate struct{ assets Assets }

// SetAssets wires who says whether an asset is paused (x/assets). Every copy of the keeper sees it.
func (k Keeper) SetAssets(a Assets) { k.gate.assets = a }

// NewKeeper makes the keeper. native is the gas token's denom; modules are the module accounts
// (they are not counted as holders; HoldAccount is added).
func NewKeeper(bank Bank, ids Identities, roles Roles, native string, modules []address.Address) Keeper {
	m := map[address.Address]bool{HoldAccount: true}
	for _, a := range modules {
		m[a] = true
	}
	return Keeper{bank: bank, ids: ids, roles: roles, native: native, modules: m, gate: &assetGate{},
		rules: &ruleCache{scopes: map[string]cachedRules{}}}
}

var sep = []byte{0}

func rulesKey(asset string) []byte { return store.Key(keyRules, []byte(asset)) }
func denyKey(asset string, a address.Address) []byte {
	return store.Key(keyDeny, []byte(asset), sep, a[:])
}
func freezeKey(asset string, a address.Address) []byte {
	return store.Key(keyFreeze, []byte(asset), sep, a[:])
}
func holdingKey(asset string, holder []byte) []byte {
	return store.Key(keyHolding, []byte(asset), sep, holder)
}
func holdersKey(asset string) []byte { return store.Key(keyHolders, []byte(asset)) }
func velocityKey(asset, rule string, holder []byte) []byte {
	return store.Key(keyVelocity, []byte(asset), sep, []byte(rule), sep, holder)
}

func (Keeper) st(ctx chain.Context) store.KV { return ctx.Store(StorePrefix) }

func (k Keeper) get(ctx chain.Context, key []byte, v any) bool {
	return store.GetRecord(k.st(ctx), key, v)
}

func (k Keeper) set(ctx chain.Context, key []byte, v any) { store.SetRecord(k.st(ctx), key, v) }

func (k Keeper) requireOfficer(ctx chain.Context, a address.Address) error {
	if !k.roles.HasRole(ctx, a, RoleComplianceOfficer) {
		return ErrNotOfficer.Wrapf("%s does not hold the compliance_officer role", a)
	}
	return nil
}

func (k Keeper) requireAsset(ctx chain.Context, asset string) error {
	if asset == "" {
		return nil
	}
	if _, ok := k.bank.Unit(ctx, asset); !ok {
		return ErrUnknownAsset.Wrapf("%q is not an asset of this chain", asset)
	}
	return nil
}

// ---- rule sets ----

// Rules returns the rule set of a scope ("" is the chain-wide set); ok is false when it has no
// rules. The set is the caller's own copy: changing it changes nothing else.
func (k Keeper) Rules(ctx chain.Context, asset string) (RuleSet, bool) {
	rs, ok := k.sharedRules(ctx, asset)
	return rs.clone(), ok
}

// sharedRules is Rules without the copy, for the decisions: the set is shared (see ruleCache) and
// must not be modified.
func (k Keeper) sharedRules(ctx chain.Context, asset string) (RuleSet, bool) {
	rs, _ := k.ruleSet(ctx, asset)
	return rs, len(rs.Rules) > 0
}

// clone is a deep copy of rs (nothing of it shares memory with rs).
func (rs RuleSet) clone() RuleSet {
	out := rs
	out.Rules = slices.Clone(rs.Rules)
	for i := range out.Rules {
		p := &out.Rules[i].Params
		p.InvestorTypes = slices.Clone(p.InvestorTypes)
		p.Jurisdictions = slices.Clone(p.Jurisdictions)
		p.Exempt = slices.Clone(p.Exempt)
	}
	return out
}

// ruleSet returns a scope's record, also when its rules were removed (it keeps the version). The
// set is decoded once per encoding (see ruleCache) and shared: callers must not modify it.
func (k Keeper) ruleSet(ctx chain.Context, asset string) (RuleSet, bool) {
	raw := k.st(ctx).Get(rulesKey(asset))
	if raw == nil {
		return RuleSet{}, false
	}
	return k.rules.decode(asset, raw), true
}

// RuleSets lists every rule set with rules, the chain-wide one first, then assets in denom order.
func (k Keeper) RuleSets(ctx chain.Context) []RuleSet {
	out := []RuleSet{}
	for _, rs := range k.allRuleSets(ctx) {
		if len(rs.Rules) > 0 {
			out = append(out, rs)
		}
	}
	return out
}

// allRuleSets lists every scope's record, also those whose rules were removed.
func (k Keeper) allRuleSets(ctx chain.Context) []RuleSet {
	return store.Records[RuleSet](k.st(ctx), keyRules)
}

// SetRules replaces a scope's rule set.
func (k Keeper) SetRules(ctx chain.Context, m *MsgSetRules) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := k.requireOfficer(ctx, m.Officer); err != nil {
		return err
	}
	if err := k.requireAsset(ctx, m.Asset); err != nil {
		return err
	}
	for _, r := range m.Rules {
		if err := r.Validate(m.Asset, k.native); err != nil {
			return err
		}
	}
	old, _ := k.ruleSet(ctx, m.Asset)
	version := old.Version + 1
	// A removed set stays as a record without rules, so that versions only ever go up.
	k.set(ctx, rulesKey(m.Asset), &RuleSet{Asset: m.Asset, Rules: m.Rules, Version: version, By: m.Officer, Height: ctx.Height})
	ids := ""
	for i, r := range m.Rules {
		if i > 0 {
			ids += ","
		}
		ids += r.ID
	}
	ctx.Emit(chain.NewEvent("compliance.rules_set", "scope", ScopeName(m.Asset), "version", chain.Uint(version),
		"rules", ids, "by", m.Officer.String()))
	return nil
}

// ---- deny lists and freezes ----

// Denied returns the deny-list entry of a in scope asset ("" the chain-wide list).
func (k Keeper) Denied(ctx chain.Context, asset string, a address.Address) (DenyEntry, bool) {
	var e DenyEntry
	ok := k.get(ctx, denyKey(asset, a), &e)
	return e, ok
}

// DenyList lists a scope's deny list in address order.
func (k Keeper) DenyList(ctx chain.Context, asset string) []DenyEntry {
	p := store.Key(keyDeny, []byte(asset), sep)
	return store.Records[DenyEntry](k.st(ctx), p)
}

// Deny adds an account to a deny list.
func (k Keeper) Deny(ctx chain.Context, m *MsgDeny) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := k.requireOfficer(ctx, m.Officer); err != nil {
		return err
	}
	if err := k.requireAsset(ctx, m.Asset); err != nil {
		return err
	}
	if _, ok := k.Denied(ctx, m.Asset, m.Account); ok {
		return ErrAlreadyListed.Wrapf("%s is already on the %s deny list", m.Account, ScopeName(m.Asset))
	}
	k.set(ctx, denyKey(m.Asset, m.Account), &DenyEntry{Asset: m.Asset, Account: m.Account, Reason: m.Reason, By: m.Officer, Height: ctx.Height})
	ctx.Emit(chain.NewEvent("compliance.denied", "scope", ScopeName(m.Asset), "account", m.Account.String(), "reason", m.Reason, "by", m.Officer.String()))
	return nil
}

// Undeny takes an account off a deny list.
func (k Keeper) Undeny(ctx chain.Context, m *MsgUndeny) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := k.requireOfficer(ctx, m.Officer); err != nil {
		return err
	}
	if _, ok := k.Denied(ctx, m.Asset, m.Account); !ok {
		return ErrNotListed.Wrapf("%s is not on the %s deny list", m.Account, ScopeName(m.Asset))
	}
	k.st(ctx).Delete(denyKey(m.Asset, m.Account))
	ctx.Emit(chain.NewEvent("compliance.undenied", "scope", ScopeName(m.Asset), "account", m.Account.String(), "reason", m.Reason, "by", m.Officer.String()))
	return nil
}

// Frozen returns the freeze of a's holding of asset.
func (k Keeper) Frozen(ctx chain.Context, asset string, a address.Address) (Freeze, bool) {
	var f Freeze
	ok := k.get(ctx, freezeKey(asset, a), &f)
	return f, ok
}

// Freezes lists the freezes of an asset ("" every asset) in key order.
func (k Keeper) Freezes(ctx chain.Context, asset string) []Freeze {
	p := keyFreeze
	if asset != "" {
		p = store.Key(keyFreeze, []byte(asset), sep)
	}
	return store.Records[Freeze](k.st(ctx), p)
}

// SetFreeze freezes an account's holding of an asset (replacing an earlier freeze).
func (k Keeper) SetFreeze(ctx chain.Context, m *MsgFreeze) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := k.requireOfficer(ctx, m.Officer); err != nil {
		return err
	}
	return k.Freeze(ctx, m.Asset, m.Account, m.Amount, m.Reason, m.Officer)
}

// Freeze freezes account's holding of asset (amount 0: all of it), by an officer or the asset's
// controller (the caller checks the authority). It replaces an earlier freeze.
func (k Keeper) Freeze(ctx chain.Context, asset string, account address.Address, amount coin.Amount, reason string, by address.Address) error {
	if asset == k.native {
		return ErrNativeFreeze.Wrapf("%s pays fees; freeze the account's other assets instead", k.native)
	}
	if err := k.requireAsset(ctx, asset); err != nil {
		return err
	}
	bal := k.bank.Balance(ctx, account, asset)
	floor := bal
	if amount != 0 {
		if amount > bal {
			return ErrFreezeTooLarge.Wrapf("%s holds %s, cannot freeze %s", account, coin.New(asset, bal), coin.New(asset, amount))
		}
		floor = amount
	}
	k.set(ctx, freezeKey(asset, account), &Freeze{Asset: asset, Account: account, Amount: amount, Reason: reason,
		By: by, Height: ctx.Height, Floor: floor})
	shown := "all"
	if amount != 0 {
		shown = coin.New(asset, amount).String()
	}
	ctx.Emit(chain.NewEvent("compliance.frozen", "asset", asset, "account", account.String(), "amount", shown, "reason", reason, "by", by.String()))
	return nil
}

// Unfreeze lifts the freeze of account's holding of asset (the caller checks the authority).
func (k Keeper) Unfreeze(ctx chain.Context, asset string, account address.Address, reason string, by address.Address) error {
	if _, ok := k.Frozen(ctx, asset, account); !ok {
		return ErrNotFrozen.Wrapf("%s's %s is not frozen", account, asset)
	}
	k.st(ctx).Delete(freezeKey(asset, account))
	ctx.Emit(chain.NewEvent("compliance.unfrozen", "asset", asset, "account", account.String(), "reason", reason, "by", by.String()))
	return nil
}

// LiftFreeze lifts a freeze (msg unfreeze, by a compliance officer).
func (k Keeper) LiftFreeze(ctx chain.Context, m *MsgUnfreeze) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := k.requireOfficer(ctx, m.Officer); err != nil {
		return err
	}
	return k.Unfreeze(ctx, m.Asset, m.Account, m.Reason, m.Officer)
}

// ---- holder accounting ----

// holderOf is the key a's balances count under: its identity, or the account itself.
func (k Keeper) holderOf(ctx chain.Context, a address.Address) []byte {
	if id, ok := k.ids.Identity(ctx, a); ok {
		return holderForIdentity(id)
	}
	return holderForAccount(a)
}

func holderForIdentity(id string) []byte        { return store.Key([]byte{'i'}, []byte(id)) }
func holderForAccount(a address.Address) []byte { return store.Key([]byte{'a'}, a[:]) }

// Holding is what a holder (identity or unlinked account) holds of asset.
func (k Keeper) Holding(ctx chain.Context, asset string, holder []byte) coin.Amount {
	var v coin.Amount
	k.get(ctx, holdingKey(asset, holder), &v)
	return v
}

// Holders is the number of holders (identities, and accounts without one) with a non-zero
// balance of asset.
func (k Keeper) Holders(ctx chain.Context, asset string) uint64 {
	var n uint64
	k.get(ctx, holdersKey(asset), &n)
	return n
}

func (k Keeper) tracked(asset string, a address.Address) bool {
	return asset != k.native && !k.modules[a]
}

// adjust moves holder's holding of asset by -sub then +add, keeping the holder count.
func (k Keeper) adjust(ctx chain.Context, asset string, holder []byte, sub, add coin.Amount) {
	key := holdingKey(asset, holder)
	before := k.Holding(ctx, asset, holder)
	after, err := before.Sub(sub)
	if err == nil {
		after, err = after.Add(add)
	}
	if err != nil {
		// Holdings add up balances that bank keeps in range; this is a broken state.
		panic(err)
	}
	if after == 0 {
		k.st(ctx).Delete(key)
	} else {
		k.set(ctx, key, after)
	}
	if (before == 0) == (after == 0) {
		return // the holder count only changes when a holding starts or ends
	}
	n := k.Holders(ctx, asset)
	if after != 0 {
		n++
	} else {
		n--
	}
	if n == 0 {
		k.st(ctx).Delete(holdersKey(asset))
	} else {
		k.set(ctx, holdersKey(asset), n)
	}
}

// BalanceChanged keeps the holder accounting (bank calls it on every balance change).
func (k Keeper) BalanceChanged(ctx chain.Context, a address.Address, asset string, before, after coin.Amount) {
	if !k.tracked(asset, a) {
		return
	}
	k.adjust(ctx, asset, k.holderOf(ctx, a), before, after)
}

// AccountLinked moves a's holdings from the account to identity id (identity calls it after
// linking).
func (k Keeper) AccountLinked(ctx chain.Context, a address.Address, id string) {
	k.moveHoldings(ctx, a, holderForAccount(a), holderForIdentity(id))
}

// AccountUnlinked moves a's holdings from identity id back to the account.
func (k Keeper) AccountUnlinked(ctx chain.Context, a address.Address, id string) {
	k.moveHoldings(ctx, a, holderForIdentity(id), holderForAccount(a))
}

func (k Keeper) moveHoldings(ctx chain.Context, a address.Address, from, to []byte) {
	for _, c := range k.bank.Balances(ctx, a) {
		if !k.tracked(c.Denom, a) {
			continue
		}
		k.adjust(ctx, c.Denom, from, c.Amount, 0)
		k.adjust(ctx, c.Denom, to, 0, c.Amount)
	}
}

// ---- velocity ----

// Velocity is what a holder sent of an asset under one velocity rule, in buckets of Window/12
// seconds; only the last 12 buckets count.
type Velocity struct {
	Window  int64    `cbor:"1,keyasint" json:"window"`
	Buckets []Bucket `cbor:"2,keyasint" json:"buckets"`
}

// Bucket is the amount sent in one bucket of time (Index = unix seconds / bucket length).
type Bucket struct {
	Index  int64       `cbor:"1,keyasint" json:"index"`
	Amount coin.Amount `cbor:"2,keyasint" json:"amount,string"`
}

func bucketLen(window int64) int64 { return window / VelocityBuckets }

// sent is the amount counted in the window ending now.
func (v Velocity) sent(window, now int64) coin.Amount {
	if v.Window != window {
		return 0 // the rule's window changed: counting starts again
	}
	idx := now / bucketLen(window)
	var sum coin.Amount
	for _, b := range v.Buckets {
		if b.Index > idx-VelocityBuckets && b.Index <= idx {
			sum, _ = sum.Add(b.Amount) // bounded by amounts that existed: cannot overflow in practice; saturate otherwise
		}
	}
	return sum
}

func (k Keeper) velocity(ctx chain.Context, asset, rule string, holder []byte) Velocity {
	var v Velocity
	k.get(ctx, velocityKey(asset, rule, holder), &v)
	return v
}

// recordVelocity adds amount to v, holder's record under the rule, and writes it.
func (k Keeper) recordVelocity(ctx chain.Context, asset, rule string, window int64, holder []byte, v Velocity, amount coin.Amount) {
	now := ctx.Time.Unix()
	idx := now / bucketLen(window)
	kept := make([]Bucket, 0, VelocityBuckets)
	if v.Window == window {
		for _, b := range v.Buckets {
			if b.Index > idx-VelocityBuckets && b.Index <= idx {
				kept = append(kept, b)
			}
		}
	}
	if n := len(kept); n > 0 && kept[n-1].Index == idx {
		s, err := kept[n-1].Amount.Add(amount)
		if err != nil {
			s = coin.Amount(^uint64(0))
		}
		kept[n-1].Amount = s
	} else {
		kept = append(kept, Bucket{Index: idx, Amount: amount})
	}
	k.set(ctx, velocityKey(asset, rule, holder), &Velocity{Window: window, Buckets: kept})
}

// ---- the decision ----

// party is one side of a transfer, with what rules read about it loaded on first use.
type party struct {
	name     string // "sender" or "receiver"
	addr     address.Address
	resolved bool   // id and hasID are loaded
	id       string // the identity addr belongs to, if hasID
	hasID    bool
	holder   []byte
	claims   *effective
}

// identity loads the party's identity once (holder accounting and claims both need it).
func (k Keeper) identity(ctx chain.Context, p *party) (string, bool) {
	if !p.resolved {
		p.id, p.hasID = k.ids.Identity(ctx, p.addr)
		p.resolved = true
	}
	return p.id, p.hasID
}

type effective struct {
	ok                bool // belongs to an identity
	id                string
	kycLevel          uint8
	jurisdiction      string
	investorType      string
	sanctionsScreened bool
}

func (k Keeper) claimsOf(ctx chain.Context, p *party) *effective {
	if p.claims == nil {
		id, ok := k.identity(ctx, p)
		if !ok {
			p.claims = &effective{}
			return p.claims
		}
		c := k.ids.IdentityClaims(ctx, id)
		p.claims = &effective{ok: true, id: c.IdentityID, kycLevel: c.KYCLevel, jurisdiction: c.Jurisdiction,
			investorType: c.InvestorType, sanctionsScreened: c.SanctionsScreened}
	}
	return p.claims
}

func (k Keeper) holderOfParty(ctx chain.Context, p *party) []byte {
	if p.holder == nil {
		if id, ok := k.identity(ctx, p); ok {
			p.holder = holderForIdentity(id)
		} else {
			p.holder = holderForAccount(p.addr)
		}
	}
	return p.holder
}

// transfer is one transfer under evaluation.
type transfer struct {
	from, to party
	coin     coin.Coin
	now      int64
	// velocities are the sender's velocity records the asset's rules read, by rule, so that
	// counting the transfer does not read them again.
	velocities []ruleVelocity
}

type ruleVelocity struct {
	rule string
	v    Velocity
}

// senderVelocity is the sender's record under velocity rule rule of scope asset, read once per
// transfer.
func (k Keeper) senderVelocity(ctx chain.Context, t *transfer, asset, rule string) Velocity {
	if asset != t.coin.Denom { // only the asset's own rules are counted (countVelocity)
		return k.velocity(ctx, asset, rule, k.holderOfParty(ctx, &t.from))
	}
	for _, rv := range t.velocities {
		if rv.rule == rule {
			return rv.v
		}
	}
	v := k.velocity(ctx, asset, rule, k.holderOfParty(ctx, &t.from))
	t.velocities = append(t.velocities, ruleVelocity{rule: rule, v: v})
	return v
}

// Decide evaluates a transfer against the freezes of its asset, the chain-wide rule set and the
// asset's rule set, in that order, without changing state. The decision takes the most severe
// outcome among the rules that hit (reject > hold > flag), attributed to the first rule with it.
func (k Keeper) Decide(ctx chain.Context, from, to address.Address, c coin.Coin) Decision {
	d, _, _ := k.decide(ctx, from, to, c)
	return d
}

// decide is Decide that also returns the asset's rule set and the transfer with what its rules
// read (Review counts velocity with them).
func (k Keeper) decide(ctx chain.Context, from, to address.Address, c coin.Coin) (Decision, RuleSet, *transfer) {
	var assetRules RuleSet
	t := &transfer{from: party{name: "sender", addr: from}, to: party{name: "receiver", addr: to}, coin: c, now: ctx.Time.Unix()}
	d := Decision{Outcome: OutcomeAllow, Hits: []RuleHit{}}
	if k.gate.assets != nil {
		if paused, why := k.gate.assets.Paused(ctx, c.Denom); paused {
			reason := c.Denom + " is paused by its controller (" + why + ")"
			d.Outcome, d.Rule, d.Scope, d.Kind, d.Reason = OutcomeReject, RulePaused, c.Denom, RulePaused, reason
			d.Hits = append(d.Hits, RuleHit{Rule: RulePaused, Scope: c.Denom, Outcome: OutcomeReject, Reason: reason})
			return d, assetRules, t
		}
	}
	if reason, frozen := k.frozenCheck(ctx, t); frozen {
		d.Outcome, d.Rule, d.Scope, d.Kind, d.Reason = OutcomeReject, RuleFrozen, c.Denom, RuleFrozen, reason
		d.Hits = append(d.Hits, RuleHit{Rule: RuleFrozen, Scope: c.Denom, Outcome: OutcomeReject, Reason: reason})
		return d, assetRules, t
	}
	for _, asset := range []string{"", c.Denom} {
		rs, ok := k.sharedRules(ctx, asset)
		if !ok {
			continue
		}
		if asset != "" {
			assetRules = rs
		}
		for _, r := range rs.Rules {
			reason, hit := k.evaluate(ctx, asset, r, t)
			if !hit {
				continue
			}
			if r.Params.Reason != "" {
				reason = r.Params.Reason + ": " + reason
			}
			d.Hits = append(d.Hits, RuleHit{Rule: r.ID, Scope: ScopeName(asset), Outcome: r.Outcome, Reason: reason})
			if severity(r.Outcome) > severity(d.Outcome) {
				d.Outcome, d.Rule, d.Scope, d.Kind, d.Reason = r.Outcome, r.ID, ScopeName(asset), r.Kind, reason
				d.Severity, d.HoldFor = "", 0
				switch r.Outcome {
				case OutcomeFlag:
					d.Severity = r.Params.Severity
					if d.Severity == "" {
						d.Severity = defaultSeverity
					}
				case OutcomeHold:
					d.HoldFor = r.Params.HoldFor
					if d.HoldFor == 0 {
						d.HoldFor = DefaultHoldFor
					}
				}
			}
			if d.Outcome == OutcomeReject {
				return d, assetRules, t
			}
		}
	}
	return d, assetRules, t
}

func (k Keeper) frozenCheck(ctx chain.Context, t *transfer) (string, bool) {
	if t.coin.Denom == k.native {
		return "", false
	}
	if f, ok := k.Frozen(ctx, t.coin.Denom, t.from.addr); ok {
		if f.Whole() {
			return "sender " + t.from.addr.String() + "'s " + t.coin.Denom + " is frozen (" + f.Reason + ")", true
		}
		bal := k.bank.Balance(ctx, t.from.addr, t.coin.Denom)
		if left, err := bal.Sub(t.coin.Amount); err != nil || left < f.Floor {
			spendable, _ := bal.Sub(f.Floor)
			return "sender " + t.from.addr.String() + " has " + coin.New(t.coin.Denom, f.Floor).String() + " frozen (" + f.Reason +
				"); spendable: " + coin.New(t.coin.Denom, spendable).String(), true
		}
	}
	if f, ok := k.Frozen(ctx, t.coin.Denom, t.to.addr); ok && f.Whole() {
		return "receiver " + t.to.addr.String() + "'s " + t.coin.Denom + " is frozen (" + f.Reason + ")", true
	}
	return "", false
}

func exempt(r Rule, a address.Address) bool {
	for _, e := range r.Params.Exempt {
		if e == a {
			return true
		}
	}
	return false
}

// parties are the sides a party rule checks, without exempt accounts.
func (t *transfer) parties(r Rule) []*party {
	var out []*party
	if r.Params.Side != SideReceiver && !exempt(r, t.from.addr) {
		out = append(out, &t.from)
	}
	if r.Params.Side != SideSender && !exempt(r, t.to.addr) {
		out = append(out, &t.to)
	}
	return out
}

// evaluate reports whether rule r (of scope asset) hits transfer t, and why.
func (k Keeper) evaluate(ctx chain.Context, asset string, r Rule, t *transfer) (string, bool) {
	p := r.Params
	amt := t.coin.Amount
	switch r.Kind {
	case KindRequiredClaims:
		for _, pt := range t.parties(r) {
			if reason, hit := k.missingClaims(ctx, pt, p); hit {
				return reason, true
			}
		}
	case KindJurisdictionAllow, KindJurisdictionBlock:
		for _, pt := range t.parties(r) {
			c := k.claimsOf(ctx, pt)
			listed := slices.Contains(p.Jurisdictions, c.jurisdiction)
			switch {
			case r.Kind == KindJurisdictionAllow && c.jurisdiction == "":
				return pt.name + " " + pt.addr.String() + " has no jurisdiction claim that counts", true
			case r.Kind == KindJurisdictionAllow && !listed:
				return pt.name + "'s jurisdiction " + c.jurisdiction + " is not among the allowed", true
			case r.Kind == KindJurisdictionBlock && listed:
				return pt.name + "'s jurisdiction " + c.jurisdiction + " is blocked", true
			}
		}
	case KindDenyList:
		for _, pt := range t.parties(r) {
			if e, ok := k.Denied(ctx, asset, pt.addr); ok {
				return pt.name + " " + pt.addr.String() + " is on the " + ScopeName(asset) + " deny list (" + e.Reason + ")", true
			}
		}
	case KindLockup:
		if t.now < p.Until && !exempt(r, t.from.addr) {
			return t.coin.Denom + " is locked up until " + time.Unix(p.Until, 0).UTC().Format(time.RFC3339), true
		}
	case KindLargeTransfer:
		if amt >= p.Amount && !exempt(r, t.from.addr) && !exempt(r, t.to.addr) {
			return coin.New(t.coin.Denom, amt).String() + " is at or above the large-transfer threshold " + coin.New(t.coin.Denom, p.Amount).String(), true
		}
	case KindVelocity:
		if exempt(r, t.from.addr) {
			return "", false
		}
		sent := k.senderVelocity(ctx, t, asset, r.ID).sent(p.Window, t.now)
		total, err := sent.Add(amt)
		if err != nil || total > p.Amount {
			return "the sender's identity has sent " + coin.New(t.coin.Denom, sent).String() + " in the last " +
				chain.Uint(p.Window) + " s; with this transfer it would exceed the limit of " + coin.New(t.coin.Denom, p.Amount).String(), true
		}
	case KindMaxHolders:
		if exempt(r, t.to.addr) || k.modules[t.to.addr] {
			return "", false
		}
		fh, th := k.holderOfParty(ctx, &t.from), k.holderOfParty(ctx, &t.to)
		if string(fh) == string(th) || k.Holding(ctx, asset, th) != 0 {
			return "", false // no new holder
		}
		n := k.Holders(ctx, asset) + 1
		if !k.modules[t.from.addr] && k.Holding(ctx, asset, fh) == amt {
			n-- // the sender leaves as the receiver joins
		}
		if n > p.MaxHolders {
			return "the receiver would be holder number " + chain.Uint(n) + " of " + asset + "; at most " + chain.Uint(p.MaxHolders) + " are allowed", true
		}
	case KindMaxBalance:
		if exempt(r, t.to.addr) || k.modules[t.to.addr] {
			return "", false
		}
		fh, th := k.holderOfParty(ctx, &t.from), k.holderOfParty(ctx, &t.to)
		if string(fh) == string(th) {
			return "", false
		}
		limit := coin.Amount(^uint64(0))
		if p.Amount != 0 {
			limit = p.Amount
		}
		if p.Bps != 0 {
			byShare, _, err := k.bank.Supply(ctx, asset).MulDiv(uint64(p.Bps), BpsDenominator)
			if err == nil && byShare < limit {
				limit = byShare
			}
		}
		after, err := k.Holding(ctx, asset, th).Add(amt)
		if err != nil || after > limit {
			return "the receiver's identity would hold " + coin.New(asset, after).String() + "; the limit is " + coin.New(asset, limit).String(), true
		}
	}
	return "", false
}

func (k Keeper) missingClaims(ctx chain.Context, pt *party, p Params) (string, bool) {
	c := k.claimsOf(ctx, pt)
	who := pt.name + " " + pt.addr.String()
	if !c.ok {
		return who + " belongs to no verified identity", true
	}
	if p.KYCLevel != 0 && c.kycLevel < p.KYCLevel {
		if c.kycLevel == 0 {
			return who + " has no KYC level that counts (none issued, expired, revoked, or from an untrusted issuer); " + chain.Uint(uint64(p.KYCLevel)) + " is required", true
		}
		return who + " has KYC level " + chain.Uint(uint64(c.kycLevel)) + "; " + chain.Uint(uint64(p.KYCLevel)) + " is required", true
	}
	if len(p.InvestorTypes) > 0 && !slices.Contains(p.InvestorTypes, c.investorType) {
		have := c.investorType
		if have == "" {
			have = "none that counts"
		}
		return who + " has investor type " + have + "; required: one of " + joinList(p.InvestorTypes), true
	}
	if p.Jurisdiction && c.jurisdiction == "" {
		return who + " has no jurisdiction claim that counts", true
	}
	if p.Sanctions && !c.sanctionsScreened {
		return who + " has no sanctions screening that counts", true
	}
	return "", false
}

func joinList(l []string) string {
	s := ""
	for i, v := range l {
		if i > 0 {
			s += ", "
		}
		s += v
	}
	return s
}

// Review decides a transfer between parties and applies the decision (bank calls it before it
// moves anything): allow and flag let bank move the amount; hold takes the amount into a hold
// (held is true: bank moves nothing more); reject returns ErrRejected, naming the rule, and
// records the decision in an event that outlives the failed tx.
func (k Keeper) Review(ctx chain.Context, from, to address.Address, c coin.Coin) (held bool, err error) {
	d, rs, t := k.decide(ctx, from, to, c)
	if d.Outcome == OutcomeAllow {
		k.countVelocity(ctx, rs, t)
		return false, nil
	}
	ev := chain.NewEvent("compliance.decision", "outcome", d.Outcome, "rule", d.Rule, "scope", d.Scope, "kind", d.Kind,
		"asset", c.Denom, "from", from.String(), "to", to.String(), "amount", c.String(), "reason", d.Reason)
	switch d.Outcome {
	case OutcomeReject:
		ctx.EmitKept(ev)
		return false, ErrRejected.Wrapf("rule %s (%s, %s): %s", d.Rule, d.Scope, d.Kind, d.Reason)
	case OutcomeFlag:
		id := k.openAlert(ctx, from, to, c, d)
		ev.Attrs = append(ev.Attrs, chain.Attr{Key: "severity", Value: d.Severity, Index: true}, chain.Attr{Key: "alert", Value: chain.Uint(id), Index: true})
		ctx.Emit(ev)
	case OutcomeHold:
		if err := k.bank.Send(ctx, from, HoldAccount, c); err != nil {
			return false, err
		}
		h := k.openHold(ctx, from, to, c, d)
		ev.Attrs = append(ev.Attrs, chain.Attr{Key: "hold", Value: chain.Uint(h.ID), Index: true}, chain.Attr{Key: "deadline", Value: chain.Uint(h.Deadline), Index: true})
		ctx.Emit(ev)
		held = true
	}
	k.countVelocity(ctx, rs, t)
	return held, nil
}

// Check decides a transfer that the caller moves itself (an offering's delivery of the security)
// and records the decision as Review does, without moving anything: a flag opens an alert, an
// allowed or flagged transfer counts toward velocity limits, and a refusal — reject, or hold,
// which such a caller cannot wait for — is recorded in a compliance.decision event (refused=true)
// for the audit trail. The caller moves the amount only when the outcome is allow or flag.
func (k Keeper) Check(ctx chain.Context, from, to address.Address, c coin.Coin) Decision {
	d, rs, t := k.decide(ctx, from, to, c)
	if d.Outcome == OutcomeAllow {
		k.countVelocity(ctx, rs, t)
		return d
	}
	ev := chain.NewEvent("compliance.decision", "outcome", d.Outcome, "rule", d.Rule, "scope", d.Scope, "kind", d.Kind,
		"asset", c.Denom, "from", from.String(), "to", to.String(), "amount", c.String(), "reason", d.Reason)
	if d.Outcome == OutcomeFlag {
		id := k.openAlert(ctx, from, to, c, d)
		ev.Attrs = append(ev.Attrs, chain.Attr{Key: "severity", Value: d.Severity, Index: true}, chain.Attr{Key: "alert", Value: chain.Uint(id), Index: true})
		ctx.Emit(ev)
		k.countVelocity(ctx, rs, t)
		return d
	}
	for i := range ev.Attrs {
		if ev.Attrs[i].Key == "reason" { // the report's reason column says what happened
			ev.Attrs[i].Value += "; refused: the transfer did not take place"
		}
	}
	ev.Attrs = append(ev.Attrs, chain.Attr{Key: "refused", Value: "true", Index: true})
	ctx.Emit(ev)
	return d
}

// countVelocity adds a settled (or held) transfer to the sender's velocity under every velocity
// rule of the asset that applies to it.
func (k Keeper) countVelocity(ctx chain.Context, rs RuleSet, t *transfer) {
	for _, r := range rs.Rules {
		if r.Kind == KindVelocity && !exempt(r, t.from.addr) {
			v := k.senderVelocity(ctx, t, t.coin.Denom, r.ID)
			k.recordVelocity(ctx, t.coin.Denom, r.ID, r.Params.Window, k.holderOfParty(ctx, &t.from), v, t.coin.Amount)
		}
	}
}
