package distributions

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
)

// Module is distributions' registration with the chain.
type Module struct {
	Keeper    Keeper
	blockTime func(chain.Context) time.Time
}

// NewModule makes the module.
func NewModule(k Keeper) *Module { return &Module{Keeper: k} }

// WithBlockTime sets how queries learn the time of the block they read (entitlements judge
// expiry and the holder's jurisdiction claim at it).
func (m *Module) WithBlockTime(f func(chain.Context) time.Time) *Module {
	m.blockTime = f
	return m
}

func (*Module) Name() string { return ModuleName }

// Routes: create_checkpoint, appoint_agent, remove_agent, deposit, claim, push, reclaim.
func (m *Module) Routes() []chain.Route {
	k := m.Keeper
	return []chain.Route{
		{Msg: &MsgCreateCheckpoint{}, Handle: func(ctx chain.Context, msg tx.Msg) error {
			_, err := k.CreateCheckpoint(ctx, msg.(*MsgCreateCheckpoint))
			return err
		}},
		{Msg: &MsgAppointAgent{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.AppointAgent(ctx, msg.(*MsgAppointAgent)) }},
		{Msg: &MsgRemoveAgent{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.RemoveAgent(ctx, msg.(*MsgRemoveAgent)) }},
		{Msg: &MsgDeposit{}, Handle: func(ctx chain.Context, msg tx.Msg) error {
			_, err := k.Deposit(ctx, msg.(*MsgDeposit))
			return err
		}},
		{Msg: &MsgClaim{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Claim(ctx, msg.(*MsgClaim)) }},
		{Msg: &MsgPush{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Push(ctx, msg.(*MsgPush)) }},
		{Msg: &MsgReclaim{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Reclaim(ctx, msg.(*MsgReclaim)) }},
	}
}

// EndBlock takes due checkpoints and pays queued payments, each bounded per block.
func (m *Module) EndBlock(ctx chain.Context) error { return m.Keeper.EndBlock(ctx) }

// Genesis is distributions' genesis state: the tracked assets with their whole balance and supply
// history, agents, checkpoints, distributions, payments and the push queue.
type Genesis struct {
	Tracked              []Tracked      `json:"tracked"`
	BalanceHistory       []HistoryEntry `json:"balance_history"`
	SupplyHistory        []SupplyEntry  `json:"supply_history"`
	Agents               []Agent        `json:"agents"`
	Checkpoints          []Checkpoint   `json:"checkpoints"`
	Distributions        []Distribution `json:"distributions"`
	Payments             []Payment      `json:"payments"`
	Queue                []PushEntry    `json:"push_queue"`
	CheckpointSequence   uint64         `json:"checkpoint_sequence"`
	DistributionSequence uint64         `json:"distribution_sequence"`
	PushSequence         uint64         `json:"push_sequence"`
}

// DefaultGenesis is an empty distributions state (securities of the assets genesis are tracked
// from it by the assets creation hook).
func DefaultGenesis() Genesis {
	return Genesis{Tracked: []Tracked{}, BalanceHistory: []HistoryEntry{}, SupplyHistory: []SupplyEntry{}, Agents: []Agent{},
		Checkpoints: []Checkpoint{}, Distributions: []Distribution{}, Payments: []Payment{}, Queue: []PushEntry{}}
}

// InitGenesis loads the state. It runs after bank and assets: a tracked asset listed here gets the
// history given here, replacing what the assets creation hook recorded from bank's balances.
func (m *Module) InitGenesis(ctx chain.Context, raw json.RawMessage) error {
	k := m.Keeper
	var g Genesis
	if err := chain.DecodeGenesis(raw, &g); err != nil {
		return fmt.Errorf("distributions genesis: %w", err)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("distributions genesis: "+format, args...)
	}
	listed := map[string]bool{}
	for _, t := range g.Tracked {
		if listed[t.Denom] {
			return fail("asset %s tracked twice", t.Denom)
		}
		if _, ok := k.assets.Asset(ctx, t.Denom); !ok {
			return fail("tracked asset %q is not in the assets genesis", t.Denom)
		}
		if t.Since < 0 || t.Since > ctx.Height {
			return fail("%s tracked since height %d, after the genesis height %d", t.Denom, t.Since, ctx.Height)
		}
		listed[t.Denom] = true
		k.clearHistory(ctx, t.Denom)
		k.set(ctx, trackedKey(t.Denom), &t)
	}
	for _, e := range g.BalanceHistory {
		if !listed[e.Asset] {
			return fail("balance history of %s, which is not tracked", e.Asset)
		}
		if e.Height < 0 || e.Height > ctx.Height || e.Address.IsZero() {
			return fail("balance history of %s: %s at height %d (genesis height %d)", e.Asset, e.Address, e.Height, ctx.Height)
		}
		key := historyKey(e.Asset, e.Address, e.Height)
		if k.st(ctx).Has(key) {
			return fail("balance history of %s: %s at height %d given twice", e.Asset, e.Address, e.Height)
		}
		k.set(ctx, key, e.Amount)
	}
	for _, e := range g.SupplyHistory {
		if !listed[e.Asset] {
			return fail("supply history of %s, which is not tracked", e.Asset)
		}
		if e.Height < 0 || e.Height > ctx.Height {
			return fail("supply history of %s at height %d (genesis height %d)", e.Asset, e.Height, ctx.Height)
		}
		key := supplyKey(e.Asset, e.Height)
		if k.st(ctx).Has(key) {
			return fail("supply history of %s at height %d given twice", e.Asset, e.Height)
		}
		k.set(ctx, key, e.Amount)
	}
	for _, a := range g.Agents {
		if !k.IsTracked(ctx, a.Asset) || a.Agent.IsZero() {
			return fail("agent %s of %q: not a tracked asset, or a zero address", a.Agent, a.Asset)
		}
		if k.st(ctx).Has(agentKey(a.Asset, a.Agent)) {
			return fail("agent %s of %s given twice", a.Agent, a.Asset)
		}
		k.set(ctx, agentKey(a.Asset, a.Agent), &a)
	}
	for _, c := range g.Checkpoints {
		if c.ID == 0 || c.ID > g.CheckpointSequence {
			return fail("checkpoint %d: ids run from 1 to checkpoint_sequence (%d)", c.ID, g.CheckpointSequence)
		}
		if _, dup := k.Checkpoint(ctx, c.ID); dup {
			return fail("checkpoint %d given twice", c.ID)
		}
		if !k.IsTracked(ctx, c.Asset) {
			return fail("checkpoint %d of %q, which is not tracked", c.ID, c.Asset)
		}
		switch {
		case c.Status == CheckpointScheduled && c.RecordTime > 0 && c.Height == 0:
			k.st(ctx).Set(dueKey(c.RecordTime, c.ID), marker)
		case c.Status == CheckpointTaken && c.Height >= 0 && c.Height < ctx.Height:
		default:
			return fail("checkpoint %d: status %q at height %d, record time %d", c.ID, c.Status, c.Height, c.RecordTime)
		}
		k.set(ctx, checkpointKey(c.ID), &c)
		k.st(ctx).Set(checkAssetKey(c.Asset, c.ID), marker)
	}
	for _, d := range g.Distributions {
		if d.ID == 0 || d.ID > g.DistributionSequence {
			return fail("distribution %d: ids run from 1 to distribution_sequence (%d)", d.ID, g.DistributionSequence)
		}
		if _, dup := k.Distribution(ctx, d.ID); dup {
			return fail("distribution %d given twice", d.ID)
		}
		c, ok := k.Checkpoint(ctx, d.Checkpoint)
		if !ok || c.Asset != d.Asset || c.Status != CheckpointTaken || c.Height != d.Height {
			return fail("distribution %d: checkpoint %d is not a taken checkpoint of %s at height %d", d.ID, d.Checkpoint, d.Asset, d.Height)
		}
		if d.Status != StatusOpen && d.Status != StatusReclaimed {
			return fail("distribution %d: status %q", d.ID, d.Status)
		}
		if err := d.Amount.Validate(); err != nil || d.Supply == 0 {
			return fail("distribution %d: amount %s, supply %d", d.ID, d.Amount, d.Supply)
		}
		if _, err := d.Paid.Add(d.Withheld); err != nil || d.RemainderNum >= d.Supply {
			return fail("distribution %d: inconsistent accounting", d.ID)
		}
		k.putDistribution(ctx, &d)
		k.st(ctx).Set(distAssetKey(d.Asset, d.ID), marker)
	}
	for _, p := range g.Payments {
		if _, ok := k.Distribution(ctx, p.Distribution); !ok {
			return fail("payment to %s from unknown distribution %d", p.Holder, p.Distribution)
		}
		if _, dup := k.Payment(ctx, p.Distribution, p.Holder); dup || p.Holder.IsZero() {
			return fail("payment to %s from distribution %d given twice (or a zero holder)", p.Holder, p.Distribution)
		}
		k.set(ctx, paymentKey(p.Distribution, p.Holder), &p)
	}
	for _, e := range g.Queue {
		if e.Seq == 0 || e.Seq > g.PushSequence {
			return fail("queued payment %d: seqs run from 1 to push_sequence (%d)", e.Seq, g.PushSequence)
		}
		if k.st(ctx).Has(queueKey(e.Seq)) {
			return fail("queued payment %d given twice", e.Seq)
		}
		if _, ok := k.Distribution(ctx, e.Distribution); !ok || e.Holder.IsZero() {
			return fail("queued payment %d: unknown distribution %d or zero holder", e.Seq, e.Distribution)
		}
		k.set(ctx, queueKey(e.Seq), &e)
	}
	if n := uint64(len(g.Queue)); n > 0 {
		k.set(ctx, keyQueueLen, n)
	}
	for _, s := range []struct {
		key []byte
		n   uint64
	}{{keyCheckSeq, g.CheckpointSequence}, {keyDistSeq, g.DistributionSequence}, {keyPushSeq, g.PushSequence}} {
		if s.n > 0 {
			k.set(ctx, s.key, s.n)
		}
	}
	return nil
}

// ExportGenesis writes the module's state in key order.
func (m *Module) ExportGenesis(ctx chain.Context) (json.RawMessage, error) {
	k := m.Keeper
	g := DefaultGenesis()
	g.Tracked = k.TrackedAssets(ctx)
	k.eachHistory(ctx, keyHistory, func(e HistoryEntry) { g.BalanceHistory = append(g.BalanceHistory, e) })
	k.eachSupply(ctx, keySupply, func(e SupplyEntry) { g.SupplyHistory = append(g.SupplyHistory, e) })
	g.Agents = k.Agents(ctx, "")
	each := func(prefix []byte, fn func(val []byte)) {
		it := k.st(ctx).Iterator(prefix, store.PrefixEnd(prefix))
		defer it.Close()
		for ; it.Valid(); it.Next() {
			fn(it.Value())
		}
	}
	each(keyCheckpoint, func(v []byte) {
		var c Checkpoint
		canon.MustDecode(v, &c)
		g.Checkpoints = append(g.Checkpoints, c)
	})
	each(keyDist, func(v []byte) {
		var d Distribution
		canon.MustDecode(v, &d)
		g.Distributions = append(g.Distributions, d)
	})
	each(keyPayment, func(v []byte) {
		var p Payment
		canon.MustDecode(v, &p)
		g.Payments = append(g.Payments, p)
	})
	each(keyQueue, func(v []byte) {
		var e PushEntry
		canon.MustDecode(v, &e)
		g.Queue = append(g.Queue, e)
	})
	g.CheckpointSequence = k.seq(ctx, keyCheckSeq)
	g.DistributionSequence = k.seq(ctx, keyDistSeq)
	g.PushSequence = k.seq(ctx, keyPushSeq)
	return json.Marshal(g)
}

// CheckpointInfo answers a checkpoint query: the checkpoint and the asset's supply at it.
type CheckpointInfo struct {
	Checkpoint
	Supply coin.Amount `json:"supply,string"` // 0 while scheduled
}

// DistributionInfo answers a distribution query: the record with what the escrow holds for it and
// what holders may still claim.
type DistributionInfo struct {
	Distribution
	Outstanding coin.Amount `json:"outstanding,string"`
	Unclaimed   coin.Amount `json:"unclaimed,string"`
}

// BalanceAtResult answers a balance-at query.
type BalanceAtResult struct {
	Asset      string          `json:"asset"`
	Checkpoint uint64          `json:"checkpoint"`
	Height     int64           `json:"height"`
	Address    address.Address `json:"address"`
	Balance    coin.Amount     `json:"balance,string"`
	Supply     coin.Amount     `json:"supply,string"`
}

// QueueResult answers a push-queue query: its length and the first entries.
type QueueResult struct {
	Length  uint64      `json:"length"`
	Entries []PushEntry `json:"entries"`
}

func parsePage(data []byte) (Page, error) {
	f, err := chain.ParseFilters(data, defaultPageSize, maxPageSize, "after", "limit")
	if err != nil {
		return Page{Limit: defaultPageSize}, err
	}
	after, err := f.AfterID()
	return Page{After: after, Limit: f.Limit}, err
}

// Query answers:
//
//	tracked                                   the assets with balance history
//	checkpoint/<id>                           a checkpoint with the supply at it
//	checkpoints/<denom>                       an asset's checkpoints (data: after, limit)
//	balance-at/<denom>/<checkpoint>/<address> an account's balance at a checkpoint
//	distribution/<id>                         a distribution with its outstanding and unclaimed amounts
//	distributions/<denom>                     an asset's distributions (data: after, limit)
//	entitlement/<id>/<address>                what a holder is owed, withheld, and whether it was paid
//	agents/<denom>                            an asset's paying agents
//	queue                                     the push queue's length and first entries
func (m *Module) Query(ctx chain.Context, path []string, data []byte) (any, error) {
	k := m.Keeper
	if m.blockTime != nil {
		ctx.Time = m.blockTime(ctx)
	}
	switch {
	case len(path) == 1 && path[0] == "tracked":
		return k.TrackedAssets(ctx), nil
	case len(path) == 2 && path[0] == "checkpoint":
		id, err := chain.ParseID(path[1], "checkpoint")
		if err != nil {
			return nil, err
		}
		c, ok := k.Checkpoint(ctx, id)
		if !ok {
			return nil, ErrUnknownCheckpoint.Wrapf("no checkpoint %d", id)
		}
		info := CheckpointInfo{Checkpoint: c}
		if c.Status == CheckpointTaken {
			info.Supply = k.SupplyAt(ctx, c.Asset, c.Height)
		}
		return info, nil
	case len(path) == 2 && (path[0] == "checkpoints" || path[0] == "distributions"):
		if _, err := k.trackedAsset(ctx, path[1]); err != nil {
			return nil, err
		}
		pg, err := parsePage(data)
		if err != nil {
			return nil, err
		}
		if path[0] == "checkpoints" {
			return k.Checkpoints(ctx, path[1], pg), nil
		}
		return k.Distributions(ctx, path[1], pg), nil
	case len(path) == 4 && path[0] == "balance-at":
		id, err := chain.ParseID(path[2], "checkpoint")
		if err != nil {
			return nil, err
		}
		a, err := address.Parse(path[3])
		if err != nil {
			return nil, chain.ErrBadQuery.Wrap(err)
		}
		c, ok := k.Checkpoint(ctx, id)
		if !ok || c.Asset != path[1] {
			return nil, ErrUnknownCheckpoint.Wrapf("no checkpoint %d of %s", id, path[1])
		}
		if c.Status != CheckpointTaken {
			return nil, ErrCheckpointPending.Wrapf("checkpoint %d waits for its record time %d", id, c.RecordTime)
		}
		return BalanceAtResult{Asset: c.Asset, Checkpoint: id, Height: c.Height, Address: a,
			Balance: k.BalanceAt(ctx, c.Asset, a, c.Height), Supply: k.SupplyAt(ctx, c.Asset, c.Height)}, nil
	case len(path) == 2 && path[0] == "distribution":
		id, err := chain.ParseID(path[1], "distribution")
		if err != nil {
			return nil, err
		}
		d, err := k.distributionOf(ctx, id)
		if err != nil {
			return nil, err
		}
		return DistributionInfo{Distribution: d, Outstanding: d.Outstanding(), Unclaimed: d.Unclaimed()}, nil
	case len(path) == 3 && path[0] == "entitlement":
		id, err := chain.ParseID(path[1], "distribution")
		if err != nil {
			return nil, err
		}
		a, err := address.Parse(path[2])
		if err != nil {
			return nil, chain.ErrBadQuery.Wrap(err)
		}
		return k.EntitlementOf(ctx, id, a)
	case len(path) == 2 && path[0] == "agents":
		if _, err := k.trackedAsset(ctx, path[1]); err != nil {
			return nil, err
		}
		return k.Agents(ctx, path[1]), nil
	case len(path) == 1 && path[0] == "queue":
		return QueueResult{Length: k.QueueLen(ctx), Entries: k.Queue(ctx, maxQueueShown)}, nil
	}
	return nil, chain.ErrBadQuery.Wrapf("unknown distributions query %v", path)
}

var pageParams = []chain.QueryParam{
	{Name: "after", Description: "page: ids after this one (the previous page's next)"},
	{Name: "limit", Description: "page size, 1 to 500 (default 100)"},
}

// QueryRoutes publishes distributions' queries on the REST API.
func (*Module) QueryRoutes() []chain.QueryRoute {
	return []chain.QueryRoute{
		{Path: "/distributions/tracked", Query: "/distributions/tracked", Summary: "The assets whose balance history is kept (securities)", Response: []Tracked{}},
		{Path: "/distributions/checkpoints/{id}", Query: "/distributions/checkpoint/{id}", Summary: "A checkpoint, with the asset's supply at it", Response: CheckpointInfo{}},
		{Path: "/distributions/assets/{denom}/checkpoints", Query: "/distributions/checkpoints/{denom}", Summary: "An asset's checkpoints", Response: CheckpointList{}, Params: pageParams},
		{Path: "/distributions/assets/{denom}/distributions", Query: "/distributions/distributions/{denom}", Summary: "An asset's distributions", Response: DistributionList{}, Params: pageParams},
		{Path: "/distributions/assets/{denom}/agents", Query: "/distributions/agents/{denom}", Summary: "An asset's paying agents", Response: []Agent{}},
		{Path: "/distributions/balance-at/{denom}/{checkpoint}/{address}", Query: "/distributions/balance-at/{denom}/{checkpoint}/{address}", Summary: "An account's balance of an asset at a checkpoint", Response: BalanceAtResult{}},
		{Path: "/distributions/{id}", Query: "/distributions/distribution/{id}", Summary: "A distribution: deposited, paid, withheld, unclaimed, remainder, reclaimed", Response: DistributionInfo{}},
		{Path: "/distributions/entitlements/{id}/{address}", Query: "/distributions/entitlement/{id}/{address}", Summary: "What a holder is owed by a distribution (gross, withheld, net) and whether it was paid", Response: Entitlement{}},
		{Path: "/distributions/queue", Query: "/distributions/queue", Summary: "Payments pushed by agents that wait for the end of a block", Response: QueueResult{}},
	}
}
