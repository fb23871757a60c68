// Package governance lets the holders of a security token decide together what its DAO does,
// and the chain's consortium members what the chain does: proposals carry ordinary msgs signed
// by the DAO's (or the chain's) authority, checked at submission; votes are weighted by the
// balances at a snapshot taken when the proposal is created (the end of the previous block), with
// optional delegation; a tally at the end of the voting period with quorum, threshold and veto, a
// late-quorum extension, a timelock, and the automatic execution of the msgs at the end of a
// block, all or nothing, recorded once and never retried. A proposal changing a project's
// protected parameters also needs the public agency's approval (two chambers). Chain governance
// also keeps the software upgrade plan and the block limits the app hands to consensus.
package governance

import (
	"bytes"
	"encoding/binary"
	"slices"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
)

// ModuleName is the module's name and code space.
const ModuleName = "governance"

// StorePrefix is the module's key prefix in state.
var StorePrefix = []byte{0x0B}

// EscrowAccount holds the deposits of the proposals in their voting period. It is a module
// account: block it in bank (users may not send to it) and list it among the module accounts.
var EscrowAccount = address.Module("governance")

var (
	keySeq        = []byte("n")   // n → last proposal id
	keyProposal   = []byte("p/")  // p/<id8> → Proposal
	keyByDAO      = []byte("pd/") // pd/<dao>\0<id8> → marker (dao "" : chain)
	keyEnds       = []byte("e/")  // e/<votingEnd8><id8> → marker: proposals in their voting period
	keyExec       = []byte("x/")  // x/<executeAfter8><id8> → marker: passed proposals waiting
	keyExecRecord = []byte("xr/") // xr/<id8> → ExecutionRecord
	keyVote       = []byte("v/")  // v/<id8><voter20> → Vote
	keyOverride   = []byte("o/")  // o/<id8><delegate20> → Amount
	keyDelegation = []byte("d/")  // d/<denom>\0<delegator20> → Delegation (current)
	keyDelegHist  = []byte("dh/") // dh/<denom>\0<delegator20><height8> → address (zero: none)
	keyPowerHist  = []byte("ph/") // ph/<denom>\0<delegate20><height8> → Amount
	keyChainPar   = []byte("cp")  // → ChainParams
	keyDAODefault = []byte("dd")  // → DAOParams
	keyDAOParams  = []byte("dp/") // dp/<denom> → DAOParams
	keyPlan       = []byte("up")  // → Plan
	keyDone       = []byte("ud/") // ud/<name> → DoneUpgrade
	keyBlock      = []byte("bp")  // → BlockParams (pending)
	marker        = []byte{1}
	sep           = []byte{0}
)

// Failures.
var (
	ErrInvalidMsg         = codes.Register(ModuleName, 2, "invalid governance msg")
	ErrInvalidParams      = codes.Register(ModuleName, 3, "invalid governance params")
	ErrUnknownProposal    = codes.Register(ModuleName, 4, "unknown proposal")
	ErrWrongAuthority     = codes.Register(ModuleName, 5, "a msg's signer is not the proposal's authority")
	ErrNotAllowed         = codes.Register(ModuleName, 6, "msg type not allowed in this chamber")
	ErrOutOfScope         = codes.Register(ModuleName, 7, "msg outside the DAO's powers")
	ErrInvalidProposalMsg = codes.Register(ModuleName, 8, "a carried msg does not decode or is invalid")
	ErrNotSecurity        = codes.Register(ModuleName, 9, "not a security token")
	ErrNoEligibleWeight   = codes.Register(ModuleName, 10, "no eligible weight at the snapshot")
	ErrBelowThreshold     = codes.Register(ModuleName, 11, "proposer's weight is below the proposal threshold")
	ErrNotMember          = codes.Register(ModuleName, 12, "signer is not a member of chain governance")
	ErrTooManyMembers     = codes.Register(ModuleName, 13, "too many members")
	ErrVotingClosed       = codes.Register(ModuleName, 14, "proposal is not in its voting period")
	ErrNoWeight           = codes.Register(ModuleName, 15, "voter has no weight on the proposal")
	ErrNotProtected       = codes.Register(ModuleName, 16, "proposal needs no agency approval")
	ErrNotAgency          = codes.Register(ModuleName, 17, "signer is not a public_agency stakeholder of the proposal's project")
	ErrAlreadyApproved    = codes.Register(ModuleName, 18, "proposal already approved")
	ErrNoDelegation       = codes.Register(ModuleName, 19, "no delegation")
	ErrSameDelegate       = codes.Register(ModuleName, 20, "already delegated to this account")
	ErrModuleAccount      = codes.Register(ModuleName, 21, "module accounts do not vote or delegate")
	ErrBadHeight          = codes.Register(ModuleName, 22, "upgrade height out of range")
	ErrNoUpgrade          = codes.Register(ModuleName, 23, "no upgrade scheduled")
	ErrUpgradeDone        = codes.Register(ModuleName, 24, "upgrade already applied")
	ErrNotWired           = codes.Register(ModuleName, 25, "this chain has no module to do this")
)

// Keeper keeps proposals, votes, delegations and their power history, params, the upgrade plan
// and pending block params, and executes passed proposals.
type Keeper struct {
	bank       Bank
	dist       Distributions
	assets     Assets
	roles      Roles
	reg        *tx.Registry
	modules    map[address.Address]bool // module accounts: their balances never vote
	moduleList []address.Address        // the same, in address order
	w          *wiring                  // shared by every copy, set once at wiring
}

type wiring struct {
	router   Router
	projects Projects
	fees     Fees
	scopers  map[string]Scoper
}

// NewKeeper makes the keeper. reg decodes the msgs proposals carry (the app's registry, filled
// before the first block). modules lists the chain's module accounts (EscrowAccount and
// authority.Chain are added): their balances are not eligible weight. Wire the keeper as a bank
// balance hook (BalanceChanged), then SetRouter, SetProjects, SetScopers and SetFees.
func NewKeeper(bank Bank, dist Distributions, a Assets, roles Roles, reg *tx.Registry, modules []address.Address) Keeper {
	m := map[address.Address]bool{EscrowAccount: true, authority.Chain: true}
	for _, a := range modules {
		m[a] = true
	}
	list := make([]address.Address, 0, len(m))
	for a := range m {
		list = append(list, a)
	}
	slices.SortFunc(list, func(x, y address.Address) int { return bytes.Compare(x[:], y[:]) })
	return Keeper{bank: bank, dist: dist, assets: a, roles: roles, reg: reg, modules: m, moduleList: list, w: &wiring{scopers: map[string]Scoper{}}}
}

// SetRouter wires the router that executes passed proposals' msgs.
func (k Keeper) SetRouter(r Router) { k.w.router = r }

// SetProjects wires x/projects (treasuries, public agencies).
func (k Keeper) SetProjects(p Projects) { k.w.projects = p }

// SetFees wires x/fees (governance/set_fee_params).
func (k Keeper) SetFees(f Fees) { k.w.fees = f }

// SetScopers wires, per module name (the msg type's part before "/"), the module that says which
// DAO may use its msgs.
func (k Keeper) SetScopers(s map[string]Scoper) {
	k.w.scopers = map[string]Scoper{}
	for name, sc := range s {
		k.w.scopers[name] = sc
	}
}

func (Keeper) st(ctx chain.Context) store.KV { return ctx.Store(StorePrefix) }

func (k Keeper) get(ctx chain.Context, key []byte, v any) bool {
	return store.GetRecord(k.st(ctx), key, v)
}

func (k Keeper) set(ctx chain.Context, key []byte, v any) { store.SetRecord(k.st(ctx), key, v) }

func proposalKey(id uint64) []byte { return store.Key(keyProposal, store.Uint64Key(id)) }
func byDAOPrefix(dao string) []byte {
	return store.Key(keyByDAO, []byte(dao), sep)
}
func byDAOKey(dao string, id uint64) []byte { return store.Key(byDAOPrefix(dao), store.Uint64Key(id)) }
func endKey(t int64, id uint64) []byte {
	return store.Key(keyEnds, store.Uint64Key(uint64(t)), store.Uint64Key(id))
}
func execKey(t int64, id uint64) []byte {
	return store.Key(keyExec, store.Uint64Key(uint64(t)), store.Uint64Key(id))
}
func execRecordKey(id uint64) []byte { return store.Key(keyExecRecord, store.Uint64Key(id)) }
func votePrefix(id uint64) []byte    { return store.Key(keyVote, store.Uint64Key(id)) }
func voteKey(id uint64, a address.Address) []byte {
	return store.Key(keyVote, store.Uint64Key(id), a[:])
}
func overrideKey(id uint64, a address.Address) []byte {
	return store.Key(keyOverride, store.Uint64Key(id), a[:])
}
func delegationKey(denom string, a address.Address) []byte {
	return store.Key(keyDelegation, []byte(denom), sep, a[:])
}
func delegHistPrefix(denom string, a address.Address) []byte {
	return store.Key(keyDelegHist, []byte(denom), sep, a[:])
}
func powerHistPrefix(denom string, a address.Address) []byte {
	return store.Key(keyPowerHist, []byte(denom), sep, a[:])
}
func daoParamsKey(denom string) []byte { return store.Key(keyDAOParams, []byte(denom)) }
func doneKey(name string) []byte       { return store.Key(keyDone, []byte(name)) }

// Sequence is the last proposal id given (0: none yet).
func (k Keeper) Sequence(ctx chain.Context) uint64 {
	var n uint64
	k.get(ctx, keySeq, &n)
	return n
}

// Proposal returns proposal id.
func (k Keeper) Proposal(ctx chain.Context, id uint64) (Proposal, bool) {
	var p Proposal
	ok := k.get(ctx, proposalKey(id), &p)
	return p, ok
}

func (k Keeper) putProposal(ctx chain.Context, p *Proposal) { k.set(ctx, proposalKey(p.ID), p) }

// Vote returns voter's vote on proposal id.
func (k Keeper) Vote(ctx chain.Context, id uint64, voter address.Address) (Vote, bool) {
	var v Vote
	ok := k.get(ctx, voteKey(id, voter), &v)
	return v, ok
}

// Overridden is the weight delegate no longer votes with on proposal id (its delegators voted).
func (k Keeper) Overridden(ctx chain.Context, id uint64, delegate address.Address) coin.Amount {
	var n coin.Amount
	k.get(ctx, overrideKey(id, delegate), &n)
	return n
}

// ChainParams are chain governance's params.
func (k Keeper) ChainParams(ctx chain.Context) ChainParams {
	p := DefaultChainParams()
	k.get(ctx, keyChainPar, &p)
	return p
}

// DAODefaults are the params of every DAO without its own.
func (k Keeper) DAODefaults(ctx chain.Context) DAOParams {
	p := DefaultDAOParams()
	k.get(ctx, keyDAODefault, &p)
	return p
}

// DAOParams are the effective params of the DAO of denom; own is true when they are its own.
func (k Keeper) DAOParams(ctx chain.Context, denom string) (p DAOParams, own bool) {
	if k.get(ctx, daoParamsKey(denom), &p) {
		return p, true
	}
	return k.DAODefaults(ctx), false
}

// isModule reports whether a's balance never votes: a module account, a DAO or the chain.
func (k Keeper) isModule(a address.Address) bool { return k.modules[a] }

// ---- delegation and power history ----

// Delegation returns delegator's current delegation of denom.
func (k Keeper) Delegation(ctx chain.Context, denom string, delegator address.Address) (Delegation, bool) {
	var d Delegation
	ok := k.get(ctx, delegationKey(denom, delegator), &d)
	return d, ok
}

// lastAt reads the value of the last key under p whose 8-byte height suffix is at most height.
func (k Keeper) lastAt(ctx chain.Context, p []byte, height int64, v any) bool {
	if height < 0 {
		return false
	}
	end := store.PrefixEnd(p)
	if height < latest {
		end = store.Key(p, store.Uint64Key(uint64(height)+1))
	}
	it := k.st(ctx).ReverseIterator(p, end)
	defer it.Close()
	if !it.Valid() || len(it.Key()) != len(p)+8 {
		return false
	}
	canon.MustDecode(it.Value(), v)
	return true
}

// DelegateAt is delegator's delegate of denom at the end of block height (ok false: none).
func (k Keeper) DelegateAt(ctx chain.Context, denom string, delegator address.Address, height int64) (address.Address, bool) {
	var d address.Address
	if !k.lastAt(ctx, delegHistPrefix(denom, delegator), height, &d) || d.IsZero() {
		return address.Address{}, false
	}
	return d, true
}

// PowerAt is the balance of denom delegated to delegate at the end of block height.
func (k Keeper) PowerAt(ctx chain.Context, denom string, delegate address.Address, height int64) coin.Amount {
	var n coin.Amount
	k.lastAt(ctx, powerHistPrefix(denom, delegate), height, &n)
	return n
}

// Power is the balance of denom delegated to delegate now.
func (k Keeper) Power(ctx chain.Context, denom string, delegate address.Address) coin.Amount {
	return k.PowerAt(ctx, denom, delegate, latest)
}

// latest reads the last entry of a history.
const latest = int64(^uint64(0) >> 1)

func (k Keeper) setPower(ctx chain.Context, denom string, delegate address.Address, n coin.Amount) {
	k.set(ctx, store.Key(powerHistPrefix(denom, delegate), store.Uint64Key(uint64(ctx.Height))), n)
}

// movePower adds add and takes sub from delegate's power (an overflow or a negative result is a
// broken state: the invariants report it; the power saturates).
func (k Keeper) movePower(ctx chain.Context, denom string, delegate address.Address, add, sub coin.Amount) {
	if add == sub {
		return
	}
	p := k.Power(ctx, denom, delegate)
	if s, err := p.Add(add); err == nil {
		p = s
	} else {
		p = coin.MaxAmount
	}
	if s, err := p.Sub(sub); err == nil {
		p = s
	} else {
		p = 0
	}
	k.setPower(ctx, denom, delegate, p)
}

// BalanceChanged keeps the delegated power in step with a delegator's balance (bank calls it on
// every balance change): one read of a's current delegation of denom, and when there is one, a
// new power entry of its delegate at this height. The native denom (every fee moves it) and
// module accounts never delegate: their changes return before any read.
func (k Keeper) BalanceChanged(ctx chain.Context, a address.Address, denom string, before, after coin.Amount) {
	if denom == NativeDenom || k.isModule(a) {
		return
	}
	d, ok := k.Delegation(ctx, denom, a)
	if !ok {
		return
	}
	if after >= before {
		k.movePower(ctx, denom, d.Delegate, after-before, 0)
	} else {
		k.movePower(ctx, denom, d.Delegate, 0, before-after)
	}
}

// Delegate makes (or moves) m.Delegator's delegation of m.Denom.
func (k Keeper) Delegate(ctx chain.Context, m *MsgDelegate) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := k.requireSecurity(ctx, m.Denom); err != nil {
		return err
	}
	if k.isModule(m.Delegate) || k.isModule(m.Delegator) {
		return ErrModuleAccount.Wrapf("%s or %s is a module account", m.Delegator, m.Delegate)
	}
	bal := k.bank.Balance(ctx, m.Delegator, m.Denom)
	old, had := k.Delegation(ctx, m.Denom, m.Delegator)
	if had {
		if old.Delegate == m.Delegate {
			return ErrSameDelegate.Wrapf("%s already delegates %s to %s", m.Delegator, m.Denom, m.Delegate)
		}
		k.movePower(ctx, m.Denom, old.Delegate, 0, bal)
	}
	k.movePower(ctx, m.Denom, m.Delegate, bal, 0)
	d := Delegation{Denom: m.Denom, Delegator: m.Delegator, Delegate: m.Delegate, Height: ctx.Height}
	k.set(ctx, delegationKey(m.Denom, m.Delegator), &d)
	k.set(ctx, store.Key(delegHistPrefix(m.Denom, m.Delegator), store.Uint64Key(uint64(ctx.Height))), m.Delegate)
	ev := chain.NewEvent("governance.delegated", "denom", m.Denom, "delegator", m.Delegator.String(), "delegate", m.Delegate.String(),
		"balance", chain.Uint(bal))
	if had {
		ev.Attrs = append(ev.Attrs, chain.Attr{Key: "previous", Value: old.Delegate.String(), Index: true})
	}
	ctx.Emit(ev)
	return nil
}

// Undelegate ends m.Delegator's delegation of m.Denom.
func (k Keeper) Undelegate(ctx chain.Context, m *MsgUndelegate) error {
	if err := m.Validate(); err != nil {
		return err
	}
	old, had := k.Delegation(ctx, m.Denom, m.Delegator)
	if !had {
		return ErrNoDelegation.Wrapf("%s does not delegate %s", m.Delegator, m.Denom)
	}
	bal := k.bank.Balance(ctx, m.Delegator, m.Denom)
	k.movePower(ctx, m.Denom, old.Delegate, 0, bal)
	k.st(ctx).Delete(delegationKey(m.Denom, m.Delegator))
	k.set(ctx, store.Key(delegHistPrefix(m.Denom, m.Delegator), store.Uint64Key(uint64(ctx.Height))), address.Address{})
	ctx.Emit(chain.NewEvent("governance.undelegated", "denom", m.Denom, "delegator", m.Delegator.String(), "delegate", old.Delegate.String(),
		"balance", chain.Uint(bal)))
	return nil
}

func (k Keeper) requireSecurity(ctx chain.Context, denom string) error {
	a, ok := k.assets.Asset(ctx, denom)
	if !ok {
		return ErrNotSecurity.Wrapf("%q is not an asset of this chain", denom)
	}
	if a.Kind != assets.KindSecurity {
		return ErrNotSecurity.Wrapf("%s is a %s asset: only security tokens have a DAO", denom, a.Kind)
	}
	return nil
}

// ---- iteration helpers ----

func idOf(key []byte) uint64 { return binary.BigEndian.Uint64(key[len(key)-8:]) }

// addrAt reads the address at the end of key, before n trailing bytes.
func addrAt(key []byte, n int) address.Address {
	a, _ := address.FromBytes(key[len(key)-n-address.Len : len(key)-n])
	return a
}

// splitDenomAddr splits <denom>\0<addr20>[<height8>] (after a record prefix).
func splitDenomAddr(rest []byte, tail int) (string, address.Address, bool) {
	if len(rest) < address.Len+tail+2 {
		return "", address.Address{}, false
	}
	head := rest[:len(rest)-tail-address.Len]
	if head[len(head)-1] != 0 || bytes.IndexByte(head, 0) != len(head)-1 {
		return "", address.Address{}, false
	}
	return string(head[:len(head)-1]), addrAt(rest, tail), true
}
