// Package distributions pays holders of a security pro rata at a record date: checkpoints
// (balances as of a block, read from per-account balance history without copying any balance),
// cash deposits into an escrow, claims and pushed payments with withholding by jurisdiction,
// exact integer entitlements whose division remainders are accounted for, and the issuer's
// reclaim of what stays unclaimed after the expiry.
package distributions

import (
	"bytes"
	"encoding/binary"
	"errors"

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
const ModuleName = "distributions"

// StorePrefix is the module's key prefix in state.
var StorePrefix = []byte{0x08}

// EscrowAccount is the module account that holds deposited cash until it is paid or reclaimed.
var EscrowAccount = address.Module("distributions/escrow")

var (
	keyTracked     = []byte("t/")  // t/<denom> → Tracked
	keyHistory     = []byte("h/")  // h/<denom>\0<addr20><height8> → Amount (balance at the end of that block)
	keySupply      = []byte("s/")  // s/<denom>\0<height8> → Amount (supply at the end of that block)
	keyAgent       = []byte("g/")  // g/<denom>\0<addr20> → Agent
	keyCheckpoint  = []byte("c/")  // c/<id8> → Checkpoint
	keyCheckAsset  = []byte("ca/") // ca/<denom>\0<id8> → 1
	keyCheckDue    = []byte("cd/") // cd/<recordTime8><id8> → 1 (scheduled checkpoints)
	keyDist        = []byte("d/")  // d/<id8> → Distribution
	keyDistAsset   = []byte("da/") // da/<denom>\0<id8> → 1
	keyPayment     = []byte("p/")  // p/<id8><addr20> → Payment
	keyQueue       = []byte("q/")  // q/<seq8> → PushEntry
	keyQueueLen    = []byte("qn")  // uint64: entries in the queue
	keyCheckSeq    = []byte("seq/checkpoint")
	keyDistSeq     = []byte("seq/distribution")
	keyPushSeq     = []byte("seq/push")
	marker         = []byte{1}
	sep            = []byte{0}
	heightLen      = 8
	historyAddrLen = address.Len + 8
)

// Failures.
var (
	ErrInvalidMsg          = codes.Register(ModuleName, 2, "invalid distributions msg")
	ErrUnknownAsset        = codes.Register(ModuleName, 3, "unknown asset")
	ErrNotTracked          = codes.Register(ModuleName, 4, "asset has no balance history")
	ErrNotIssuer           = codes.Register(ModuleName, 5, "signer is not the asset's issuer")
	ErrNotAgent            = codes.Register(ModuleName, 6, "signer is neither the asset's issuer nor one of its paying agents")
	ErrUnknownCheckpoint   = codes.Register(ModuleName, 7, "unknown checkpoint")
	ErrCheckpointPending   = codes.Register(ModuleName, 8, "checkpoint not taken yet")
	ErrNotCash             = codes.Register(ModuleName, 9, "not a cash asset")
	ErrNoSupply            = codes.Register(ModuleName, 10, "asset had no supply at the checkpoint")
	ErrBadTime             = codes.Register(ModuleName, 11, "time out of range")
	ErrUnknownDistribution = codes.Register(ModuleName, 12, "unknown distribution")
	ErrAlreadyPaid         = codes.Register(ModuleName, 13, "holder already paid")
	ErrNothingToClaim      = codes.Register(ModuleName, 14, "nothing to claim")
	ErrExpired             = codes.Register(ModuleName, 15, "distribution expired")
	ErrNotExpired          = codes.Register(ModuleName, 16, "distribution has not expired")
	ErrReclaimed           = codes.Register(ModuleName, 17, "distribution already reclaimed")
	ErrFrozen              = codes.Register(ModuleName, 18, "holding frozen")
	ErrCashPaused          = codes.Register(ModuleName, 19, "cash asset paused")
	ErrDenied              = codes.Register(ModuleName, 20, "holder on the chain's deny list")
	ErrAgentExists         = codes.Register(ModuleName, 21, "already a paying agent")
	ErrUnknownAgent        = codes.Register(ModuleName, 22, "not a paying agent")
	ErrTooManyAgents       = codes.Register(ModuleName, 23, "too many paying agents")
	ErrAlreadyTracked      = codes.Register(ModuleName, 24, "asset already tracked")
	ErrModuleAccount       = codes.Register(ModuleName, 25, "module accounts are not paid")
	ErrNotDAOMsg           = codes.Register(ModuleName, 26, "a project DAO may not use this msg")
)

// Keeper keeps balance history, checkpoints, distributions and the push queue.
type Keeper struct {
	bank       Bank
	assets     Assets
	compliance Compliance
	ids        Identities
	modules    map[address.Address]bool // module accounts: never paid, never a tax account
}

// NewKeeper makes the keeper. modules are the chain's module accounts (fee pool, compliance hold
// account, …; EscrowAccount is added): a module account's balance is what its module put there,
// so no payment goes to one (what it held at a checkpoint stays unclaimed and is reclaimed).
// Wire the keeper as a bank balance hook (it is also a supply hook) and as an assets creation
// hook; block EscrowAccount in bank (users may not send to it) and list it among compliance's
// module accounts.
func NewKeeper(bank Bank, a Assets, c Compliance, ids Identities, modules []address.Address) Keeper {
	m := map[address.Address]bool{EscrowAccount: true}
	for _, a := range modules {
		m[a] = true
	}
	return Keeper{bank: bank, assets: a, compliance: c, ids: ids, modules: m}
}

func trackedKey(denom string) []byte { return store.Key(keyTracked, []byte(denom)) }
func historyPrefix(denom string) []byte {
	return store.Key(keyHistory, []byte(denom), sep)
}
func historyKey(denom string, a address.Address, height int64) []byte {
	return store.Key(keyHistory, []byte(denom), sep, a[:], store.Uint64Key(uint64(height)))
}
func supplyPrefix(denom string) []byte { return store.Key(keySupply, []byte(denom), sep) }
func supplyKey(denom string, height int64) []byte {
	return store.Key(keySupply, []byte(denom), sep, store.Uint64Key(uint64(height)))
}
func agentKey(denom string, a address.Address) []byte {
	return store.Key(keyAgent, []byte(denom), sep, a[:])
}
func checkpointKey(id uint64) []byte { return store.Key(keyCheckpoint, store.Uint64Key(id)) }
func checkAssetKey(denom string, id uint64) []byte {
	return store.Key(keyCheckAsset, []byte(denom), sep, store.Uint64Key(id))
}
func dueKey(t int64, id uint64) []byte {
	return store.Key(keyCheckDue, store.Uint64Key(uint64(t)), store.Uint64Key(id))
}
func distKey(id uint64) []byte { return store.Key(keyDist, store.Uint64Key(id)) }
func distAssetKey(denom string, id uint64) []byte {
	return store.Key(keyDistAsset, []byte(denom), sep, store.Uint64Key(id))
}
func paymentKey(id uint64, a address.Address) []byte {
	return store.Key(keyPayment, store.Uint64Key(id), a[:])
}
func queueKey(seq uint64) []byte { return store.Key(keyQueue, store.Uint64Key(seq)) }

func (Keeper) st(ctx chain.Context) store.KV { return ctx.Store(StorePrefix) }

func (k Keeper) get(ctx chain.Context, key []byte, v any) bool {
	return store.GetRecord(k.st(ctx), key, v)
}

func (k Keeper) set(ctx chain.Context, key []byte, v any) { store.SetRecord(k.st(ctx), key, v) }

func (k Keeper) next(ctx chain.Context, key []byte) uint64 {
	var n uint64
	k.get(ctx, key, &n)
	n++
	k.set(ctx, key, n)
	return n
}

func (k Keeper) seq(ctx chain.Context, key []byte) uint64 {
	var n uint64
	k.get(ctx, key, &n)
	return n
}

// ---- balance and supply history ----

// IsTracked reports whether denom's balance and supply history is kept.
func (k Keeper) IsTracked(ctx chain.Context, denom string) bool {
	return k.st(ctx).Has(trackedKey(denom))
}

// TrackedAssets lists the tracked denoms in order.
func (k Keeper) TrackedAssets(ctx chain.Context) []Tracked {
	return store.Records[Tracked](k.st(ctx), keyTracked)
}

// AssetCreated starts the history of every new security (assets calls it; supply is 0 then).
func (k Keeper) AssetCreated(ctx chain.Context, a assets.Asset) {
	if a.Kind == assets.KindSecurity && !k.IsTracked(ctx, a.Denom) {
		k.track(ctx, a.Denom)
	}
}

// Track starts keeping the balance and supply history of an asset (genesis, or an asset that was
// not a security at creation). When the asset already has a supply, its current balances are
// recorded at this height: that scans every balance of the chain, so it is meant for genesis.
func (k Keeper) Track(ctx chain.Context, denom string) error {
	if _, ok := k.assets.Asset(ctx, denom); !ok {
		return ErrUnknownAsset.Wrapf("%q is not an asset issued on this chain", denom)
	}
	if k.IsTracked(ctx, denom) {
		return ErrAlreadyTracked.Wrapf("%s has had balance history since height %d", denom, k.trackedSince(ctx, denom))
	}
	k.track(ctx, denom)
	return nil
}

func (k Keeper) trackedSince(ctx chain.Context, denom string) int64 {
	var t Tracked
	k.get(ctx, trackedKey(denom), &t)
	return t.Since
}

func (k Keeper) track(ctx chain.Context, denom string) {
	k.set(ctx, trackedKey(denom), &Tracked{Denom: denom, Since: ctx.Height})
	supply := k.bank.Supply(ctx, denom)
	if supply != 0 {
		k.set(ctx, supplyKey(denom, ctx.Height), supply)
		k.bank.EachBalance(ctx, func(a address.Address, c coin.Coin) {
			if c.Denom == denom {
				k.set(ctx, historyKey(denom, a, ctx.Height), c.Amount)
			}
		})
	}
	ctx.Emit(chain.NewEvent("distributions.tracking_started", "asset", denom, "height", chain.Uint(ctx.Height), "supply", chain.Uint(supply)))
}

// BalanceChanged records the balance of a tracked denom at this height (bank calls it on every
// change). Several changes in one block keep the last: the balance at the end of the block.
func (k Keeper) BalanceChanged(ctx chain.Context, a address.Address, denom string, _, after coin.Amount) {
	if k.IsTracked(ctx, denom) {
		k.set(ctx, historyKey(denom, a, ctx.Height), after)
	}
}

// SupplyChanged records the supply of a tracked denom at this height (bank calls it on mint and burn).
func (k Keeper) SupplyChanged(ctx chain.Context, denom string, _, after coin.Amount) {
	if k.IsTracked(ctx, denom) {
		k.set(ctx, supplyKey(denom, ctx.Height), after)
	}
}

// lastAtOrBefore reads the value of the last key under p whose 8-byte height suffix is at most
// height: one reverse seek, O(log n) in the size of the state.
func (k Keeper) lastAtOrBefore(ctx chain.Context, p []byte, height int64) coin.Amount {
	if height < 0 {
		return 0
	}
	it := k.st(ctx).ReverseIterator(p, store.Key(p, store.Uint64Key(uint64(height)+1)))
	defer it.Close()
	if !it.Valid() {
		return 0
	}
	var v coin.Amount
	canon.MustDecode(it.Value(), &v)
	return v
}

// BalanceAt is a's balance of denom at the end of block height (0 before its first change).
func (k Keeper) BalanceAt(ctx chain.Context, denom string, a address.Address, height int64) coin.Amount {
	return k.lastAtOrBefore(ctx, store.Key(historyPrefix(denom), a[:]), height)
}

// SupplyAt is denom's supply at the end of block height.
func (k Keeper) SupplyAt(ctx chain.Context, denom string, height int64) coin.Amount {
	return k.lastAtOrBefore(ctx, supplyPrefix(denom), height)
}

// HistoryEntry is one recorded balance (or supply, without Address) of a tracked asset.
type HistoryEntry struct {
	Asset   string          `json:"asset"`
	Address address.Address `json:"address"`
	Height  int64           `json:"height"`
	Amount  coin.Amount     `json:"amount,string"`
}

// SupplyEntry is one recorded supply of a tracked asset.
type SupplyEntry struct {
	Asset  string      `json:"asset"`
	Height int64       `json:"height"`
	Amount coin.Amount `json:"amount,string"`
}

// eachHistory walks the balance history under p (all of it, or one denom's) in key order:
// per denom, per account, by height.
func (k Keeper) eachHistory(ctx chain.Context, p []byte, fn func(e HistoryEntry)) {
	it := k.st(ctx).Iterator(p, store.PrefixEnd(p))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		rest := it.Key()[len(keyHistory):]
		i := bytes.IndexByte(rest, 0)
		if i < 0 || len(rest)-i-1 != historyAddrLen {
			panic("distributions: malformed history key")
		}
		a, _ := address.FromBytes(rest[i+1 : i+1+address.Len])
		var v coin.Amount
		canon.MustDecode(it.Value(), &v)
		fn(HistoryEntry{Asset: string(rest[:i]), Address: a, Height: int64(binary.BigEndian.Uint64(rest[i+1+address.Len:])), Amount: v})
	}
}

func (k Keeper) eachSupply(ctx chain.Context, p []byte, fn func(e SupplyEntry)) {
	it := k.st(ctx).Iterator(p, store.PrefixEnd(p))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		rest := it.Key()[len(keySupply):]
		i := bytes.IndexByte(rest, 0)
		if i < 0 || len(rest)-i-1 != heightLen {
			panic("distributions: malformed supply key")
		}
		var v coin.Amount
		canon.MustDecode(it.Value(), &v)
		fn(SupplyEntry{Asset: string(rest[:i]), Height: int64(binary.BigEndian.Uint64(rest[i+1:])), Amount: v})
	}
}

// clearHistory deletes a denom's balance and supply history (genesis replaces it).
func (k Keeper) clearHistory(ctx chain.Context, denom string) {
	for _, p := range [][]byte{historyPrefix(denom), supplyPrefix(denom)} {
		var keys [][]byte
		it := k.st(ctx).Iterator(p, store.PrefixEnd(p))
		for ; it.Valid(); it.Next() {
			keys = append(keys, append([]byte(nil), it.Key()...))
		}
		it.Close()
		for _, key := range keys {
			k.st(ctx).Delete(key)
		}
	}
}

// ---- assets, issuers and agents ----

func (k Keeper) assetOf(ctx chain.Context, denom string) (assets.Asset, error) {
	a, ok := k.assets.Asset(ctx, denom)
	if !ok {
		return a, ErrUnknownAsset.Wrapf("%q is not an asset issued on this chain", denom)
	}
	return a, nil
}

// trackedAsset is an asset with balance history: checkpoints and distributions are of those.
func (k Keeper) trackedAsset(ctx chain.Context, denom string) (assets.Asset, error) {
	a, err := k.assetOf(ctx, denom)
	if err != nil {
		return a, err
	}
	if !k.IsTracked(ctx, denom) {
		return a, ErrNotTracked.Wrapf("%s is a %s asset; checkpoints and distributions are of securities", denom, a.Kind)
	}
	return a, nil
}

func (k Keeper) asIssuer(ctx chain.Context, denom string, by address.Address) (assets.Asset, error) {
	a, err := k.trackedAsset(ctx, denom)
	if err != nil {
		return a, err
	}
	if a.Issuer != by {
		return a, ErrNotIssuer.Wrapf("%s is issued by %s, not %s", denom, a.Issuer, by)
	}
	return a, nil
}

// asIssuerOrDAO is asIssuer that also accepts the DAO of denom (authority.DAO(denom)), which
// acts as the issuer for checkpoints and paying agents.
func (k Keeper) asIssuerOrDAO(ctx chain.Context, denom string, by address.Address) (assets.Asset, error) {
	if by == authority.DAO(denom) {
		return k.trackedAsset(ctx, denom)
	}
	a, err := k.asIssuer(ctx, denom, by)
	if errors.Is(err, ErrNotIssuer) {
		err = ErrNotIssuer.Wrapf("%s is issued by %s, not %s (its DAO %s acts as its issuer too, through a proposal)", denom, a.Issuer, by, authority.DAO(denom))
	}
	return a, err
}

// DAOScope says which security token's DAO may carry m in a proposal: for create_checkpoint,
// appoint_agent and remove_agent, the DAO of the msg's asset (no project, no protected
// parameter). A DAO may not use distributions' other msgs.
func (k Keeper) DAOScope(_ chain.Context, m tx.Msg) (denom, project string, protected []string, err error) {
	switch msg := m.(type) {
	case *MsgCreateCheckpoint:
		return msg.Asset, "", nil, nil
	case *MsgAppointAgent:
		return msg.Asset, "", nil, nil
	case *MsgRemoveAgent:
		return msg.Asset, "", nil, nil
	}
	return "", "", nil, ErrNotDAOMsg.Wrapf("%s: a project DAO may use distributions/create_checkpoint, distributions/appoint_agent and distributions/remove_agent", m.MsgType())
}

// asPayer accepts the asset's issuer and its paying agents.
func (k Keeper) asPayer(ctx chain.Context, denom string, by address.Address) (assets.Asset, error) {
	a, err := k.trackedAsset(ctx, denom)
	if err != nil {
		return a, err
	}
	if a.Issuer != by && !k.st(ctx).Has(agentKey(denom, by)) {
		return a, ErrNotAgent.Wrapf("%s is issued by %s; %s is not one of its paying agents", denom, a.Issuer, by)
	}
	return a, nil
}

// Agents lists the paying agents of an asset ("" every asset) in key order.
func (k Keeper) Agents(ctx chain.Context, denom string) []Agent {
	p := keyAgent
	if denom != "" {
		p = store.Key(keyAgent, []byte(denom), sep)
	}
	return store.Records[Agent](k.st(ctx), p)
}

// AppointAgent appoints a paying agent.
func (k Keeper) AppointAgent(ctx chain.Context, m *MsgAppointAgent) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if _, err := k.asIssuerOrDAO(ctx, m.Asset, m.Issuer); err != nil {
		return err
	}
	if k.st(ctx).Has(agentKey(m.Asset, m.Agent)) {
		return ErrAgentExists.Wrapf("%s is already a paying agent of %s", m.Agent, m.Asset)
	}
	if n := len(k.Agents(ctx, m.Asset)); n >= MaxAgents {
		return ErrTooManyAgents.Wrapf("%s has %d paying agents, the most an asset may have", m.Asset, n)
	}
	k.set(ctx, agentKey(m.Asset, m.Agent), &Agent{Asset: m.Asset, Agent: m.Agent, By: m.Issuer, Height: ctx.Height})
	ctx.Emit(chain.NewEvent("distributions.agent_appointed", "asset", m.Asset, "agent", m.Agent.String(), "by", m.Issuer.String()))
	return nil
}

// RemoveAgent ends an appointment. What the agent queued is still paid.
func (k Keeper) RemoveAgent(ctx chain.Context, m *MsgRemoveAgent) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if _, err := k.asIssuerOrDAO(ctx, m.Asset, m.Issuer); err != nil {
		return err
	}
	if !k.st(ctx).Has(agentKey(m.Asset, m.Agent)) {
		return ErrUnknownAgent.Wrapf("%s is not a paying agent of %s", m.Agent, m.Asset)
	}
	k.st(ctx).Delete(agentKey(m.Asset, m.Agent))
	ctx.Emit(chain.NewEvent("distributions.agent_removed", "asset", m.Asset, "agent", m.Agent.String(), "by", m.Issuer.String()))
	return nil
}

// ---- checkpoints ----

// Checkpoint returns checkpoint id.
func (k Keeper) Checkpoint(ctx chain.Context, id uint64) (Checkpoint, bool) {
	var c Checkpoint
	ok := k.get(ctx, checkpointKey(id), &c)
	return c, ok
}

// CreateCheckpoint takes a checkpoint now (as of the end of the previous block) or schedules it
// for a record time.
func (k Keeper) CreateCheckpoint(ctx chain.Context, m *MsgCreateCheckpoint) (uint64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	if _, err := k.asIssuerOrDAO(ctx, m.Asset, m.Issuer); err != nil {
		return 0, err
	}
	now := ctx.Time.Unix()
	if m.RecordTime != 0 && (m.RecordTime <= now || m.RecordTime > now+MaxAhead) {
		return 0, ErrBadTime.Wrapf("record time %d: want 0 (now) or a time after the block time %d and at most %d s ahead", m.RecordTime, now, int64(MaxAhead))
	}
	id := k.next(ctx, keyCheckSeq)
	c := Checkpoint{ID: id, Asset: m.Asset, RecordTime: m.RecordTime, By: m.Issuer, CreatedHeight: ctx.Height, CreatedTime: now}
	if m.RecordTime == 0 {
		c.Status, c.Height = CheckpointTaken, ctx.Height-1
	} else {
		c.Status = CheckpointScheduled
		k.st(ctx).Set(dueKey(m.RecordTime, id), marker)
	}
	k.set(ctx, checkpointKey(id), &c)
	k.st(ctx).Set(checkAssetKey(m.Asset, id), marker)
	ctx.Emit(chain.NewEvent("distributions.checkpoint_created", "checkpoint", chain.Uint(id), "asset", m.Asset, "status", c.Status,
		"height", chain.Uint(c.Height), "record_time", chain.Uint(c.RecordTime), "by", m.Issuer.String()))
	return id, nil
}

// TakeDue takes the scheduled checkpoints whose record time is at or before the block time, at
// most MaxCheckpointsPerBlock per block (the rest at the end of the next blocks): each records the
// balances as of the end of this block.
func (k Keeper) TakeDue(ctx chain.Context) {
	end := store.Key(keyCheckDue, store.Uint64Key(uint64(ctx.Time.Unix())+1))
	var due [][]byte
	it := k.st(ctx).Iterator(keyCheckDue, end)
	for ; it.Valid() && len(due) < MaxCheckpointsPerBlock; it.Next() {
		due = append(due, append([]byte(nil), it.Key()...))
	}
	it.Close()
	for _, key := range due {
		id := binary.BigEndian.Uint64(key[len(key)-8:])
		k.st(ctx).Delete(key)
		c, ok := k.Checkpoint(ctx, id)
		if !ok || c.Status != CheckpointScheduled {
			continue
		}
		c.Status, c.Height, c.TakenTime = CheckpointTaken, ctx.Height, ctx.Time.Unix()
		k.set(ctx, checkpointKey(id), &c)
		ctx.Emit(chain.NewEvent("distributions.checkpoint_taken", "checkpoint", chain.Uint(id), "asset", c.Asset,
			"height", chain.Uint(c.Height), "record_time", chain.Uint(c.RecordTime)))
	}
}

// Page selects a page of a list by id: ids after After, at most Limit of them.
type Page struct {
	After uint64
	Limit int
}

// CheckpointList is a page of checkpoints; Next, when not 0, is the "after" of the next page.
type CheckpointList struct {
	Checkpoints []Checkpoint `json:"checkpoints"`
	Next        uint64       `json:"next,omitempty"`
}

// listIDs walks an id index under p (keys p<id8>) from after, up to limit ids.
func (k Keeper) listIDs(ctx chain.Context, p []byte, pg Page, fn func(id uint64)) (next uint64) {
	start := p
	if pg.After != 0 {
		if pg.After == ^uint64(0) {
			return 0
		}
		start = store.Key(p, store.Uint64Key(pg.After+1))
	}
	it := k.st(ctx).Iterator(start, store.PrefixEnd(p))
	defer it.Close()
	n := 0
	for ; it.Valid(); it.Next() {
		id := binary.BigEndian.Uint64(it.Key()[len(it.Key())-8:])
		if n == pg.Limit {
			return id - 1
		}
		fn(id)
		n++
	}
	return 0
}

// Checkpoints lists an asset's checkpoints in id order.
func (k Keeper) Checkpoints(ctx chain.Context, denom string, pg Page) CheckpointList {
	out := CheckpointList{Checkpoints: []Checkpoint{}}
	out.Next = k.listIDs(ctx, store.Key(keyCheckAsset, []byte(denom), sep), pg, func(id uint64) {
		if c, ok := k.Checkpoint(ctx, id); ok {
			out.Checkpoints = append(out.Checkpoints, c)
		}
	})
	return out
}
