package vesting

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
)

// Module is vesting's registration with the chain.
type Module struct {
	Keeper    Keeper
	blockTime func(chain.Context) time.Time
}

// NewModule makes the module.
func NewModule(k Keeper) *Module { return &Module{Keeper: k} }

// WithBlockTime sets how queries and invariants learn the time of the block they read (what is
// locked depends on it).
func (m *Module) WithBlockTime(f func(chain.Context) time.Time) *Module {
	m.blockTime = f
	return m
}

func (m *Module) at(ctx chain.Context) chain.Context {
	if m.blockTime != nil {
		ctx.Time = m.blockTime(ctx)
	}
	return ctx
}

func (*Module) Name() string { return ModuleName }

// Routes: grant, clawback.
func (m *Module) Routes() []chain.Route {
	k := m.Keeper
	return []chain.Route{
		{Msg: &MsgGrant{}, Handle: func(ctx chain.Context, msg tx.Msg) error { _, err := k.GrantTo(ctx, msg.(*MsgGrant)); return err }},
		{Msg: &MsgClawback{}, Handle: func(ctx chain.Context, msg tx.Msg) error { _, err := k.Clawback(ctx, msg.(*MsgClawback)); return err }},
	}
}

// EndBlock releases the grants whose schedule ended.
func (m *Module) EndBlock(ctx chain.Context) error { return m.Keeper.EndBlock(ctx) }

var (
	_ chain.Module        = (*Module)(nil)
	_ chain.EndBlocker    = (*Module)(nil)
	_ chain.RouteProvider = (*Module)(nil)
)

// Genesis is vesting's genesis state: every grant (the indexes are rebuilt) and the last id.
type Genesis struct {
	Grants   []Grant `json:"grants"`
	Sequence uint64  `json:"grant_sequence"`
}

// DefaultGenesis has no grants.
func DefaultGenesis() Genesis { return Genesis{Grants: []Grant{}} }

// InitGenesis loads the grants. It runs after bank: every grantee must hold what its grants
// lock at the genesis time.
func (m *Module) InitGenesis(ctx chain.Context, raw json.RawMessage) error {
	k := m.Keeper
	var g Genesis
	if err := chain.DecodeGenesis(raw, &g); err != nil {
		return fmt.Errorf("vesting genesis: %w", err)
	}
	fail := func(format string, args ...any) error { return fmt.Errorf("vesting genesis: "+format, args...) }
	if k.Sequence(ctx) != 0 {
		return fail("state already holds grants")
	}
	type acct struct {
		a     address.Address
		denom string
	}
	var order []acct
	seen := map[acct]bool{}
	for i := range g.Grants {
		gr := g.Grants[i]
		if gr.ID == 0 || gr.ID > g.Sequence {
			return fail("grant %d: ids run from 1 to grant_sequence (%d)", gr.ID, g.Sequence)
		}
		if _, dup := k.Grant(ctx, gr.ID); dup {
			return fail("grant %d given twice", gr.ID)
		}
		if err := checkGrant(gr); err != nil {
			return fail("grant %d: %v", gr.ID, err)
		}
		if gr.Status == StatusVested && gr.Schedule.EndTime() > ctx.Time.Unix() {
			return fail("grant %d is marked vested but its schedule ends at %s, after the genesis time", gr.ID, chain.Unix(gr.Schedule.EndTime()))
		}
		if _, ok := k.bank.Unit(ctx, gr.Amount.Denom); !ok {
			return fail("grant %d of %q, which is not a denom of the bank genesis", gr.ID, gr.Amount.Denom)
		}
		k.put(ctx, &gr)
		k.index(ctx, &gr)
		if gr.Status == StatusVesting {
			key := acct{gr.Grantee, gr.Amount.Denom}
			if !seen[key] {
				seen[key] = true
				order = append(order, key)
			}
		}
	}
	if g.Sequence > 0 {
		store.SetRecord(k.st(ctx), keySeq, g.Sequence)
	}
	for _, a := range order {
		if n := len(k.liveIDs(ctx, a.a, a.denom)); n > MaxLiveGrants {
			return fail("%s has %d grants of %s still vesting, at most %d", a.a, n, a.denom, MaxLiveGrants)
		}
		li, err := k.Lock(ctx, a.a, a.denom, ctx.Time.Unix())
		if err != nil {
			return fail("%v", err)
		}
		if bal := k.bank.Balance(ctx, a.a, a.denom); bal < li.Locked {
			return fail("%s holds %s, less than the %s its grants lock", a.a, coin.New(a.denom, bal), coin.New(a.denom, li.Locked))
		}
	}
	return nil
}

// checkGrant checks a grant record on its own (genesis, invariants).
func checkGrant(g Grant) error {
	if g.Grantor.IsZero() || g.Grantee.IsZero() || g.Grantor == g.Grantee {
		return fmt.Errorf("grantor %s, grantee %s", g.Grantor, g.Grantee)
	}
	if err := g.Amount.Validate(); err != nil {
		return err
	}
	if err := g.Schedule.validate(g.Amount.Amount); err != nil {
		return err
	}
	if len(g.Memo) > MaxMemoLen || len(g.Reason) > MaxReasonLen {
		return fmt.Errorf("memo or reason too long")
	}
	switch g.Status {
	case StatusVesting, StatusVested:
		if g.ClawedBack != 0 || g.ClawedAt != 0 || g.Reason != "" {
			return fmt.Errorf("%s, but clawed back %d at %d", g.Status, g.ClawedBack, g.ClawedAt)
		}
	case StatusClawedBack:
		if !g.Clawback || g.ClawedBack == 0 || g.ClawedBack > g.Amount.Amount || g.Reason == "" {
			return fmt.Errorf("clawed back %d of %s (clawback allowed: %v, reason %q)", g.ClawedBack, g.Amount, g.Clawback, g.Reason)
		}
		// What the grantor took back is exactly what had not vested at the clawback.
		if v := g.Schedule.vested(g.Amount.Amount, g.ClawedAt); v+g.ClawedBack != g.Amount.Amount {
			return fmt.Errorf("clawed back %d at %d, when %d of %s had vested: vested + unvested ≠ granted", g.ClawedBack, g.ClawedAt, v, g.Amount)
		}
	default:
		return fmt.Errorf("status %q", g.Status)
	}
	return nil
}

// ExportGenesis writes every grant in id order.
func (m *Module) ExportGenesis(ctx chain.Context) (json.RawMessage, error) {
	k := m.Keeper
	g := DefaultGenesis()
	g.Grants = store.Records[Grant](k.st(ctx), keyGrant)
	g.Sequence = k.Sequence(ctx)
	return json.Marshal(g)
}

// GrantInfo is a grant with what has vested and what is locked at Time.
type GrantInfo struct {
	Grant
	Time   int64       `json:"time"`
	Vested coin.Amount `json:"vested,string"`
	Locked coin.Amount `json:"locked,string"`
}

func info(g Grant, t int64) GrantInfo {
	return GrantInfo{Grant: g, Time: t, Vested: g.Vested(t), Locked: g.Locked(t)}
}

// AccountGrants answers an account query: a page of the grants the account received (in id
// order, each with vested and locked now) and what is locked per denom now.
type AccountGrants struct {
	Address address.Address `json:"address"`
	Time    int64           `json:"time"`
	Locked  []coin.Coin     `json:"locked"`
	Grants  []GrantInfo     `json:"grants"`
	Next    uint64          `json:"next,omitempty"` // when not 0, the "after" of the next page
}

// LockedInfo answers a locked query: an account's balance of a denom, what is locked in it and
// what it may spend, at Time.
type LockedInfo struct {
	Address   address.Address `json:"address"`
	Denom     string          `json:"denom"`
	Time      int64           `json:"time"`
	Balance   coin.Amount     `json:"balance,string"`
	Locked    coin.Amount     `json:"locked,string"`
	Spendable coin.Amount     `json:"spendable,string"`
	Until     int64           `json:"until,omitempty"` // when its last grant still vesting ends
	Grants    int             `json:"grants_vesting"`
}

// Account lists a page of a's grants and its locked amounts at the block time.
func (k Keeper) Account(ctx chain.Context, a address.Address, after uint64, limit int) AccountGrants {
	t := ctx.Time.Unix()
	out := AccountGrants{Address: a, Time: t, Locked: []coin.Coin{}, Grants: []GrantInfo{}}
	// Locked per denom, from the live index (denoms in order).
	lp := store.Key(keyLive, a[:])
	it := k.st(ctx).Iterator(lp, store.PrefixEnd(lp))
	for ; it.Valid(); it.Next() {
		rest := it.Key()[len(lp):]
		denom := string(rest[:len(rest)-9])
		id := binary.BigEndian.Uint64(rest[len(rest)-8:])
		g, ok := k.Grant(ctx, id)
		if !ok {
			continue
		}
		l := g.Locked(t)
		if n := len(out.Locked); n > 0 && out.Locked[n-1].Denom == denom {
			out.Locked[n-1].Amount += l // bounded: at most MaxLiveGrants grants of one denom, each ≤ a balance
		} else {
			out.Locked = append(out.Locked, coin.New(denom, l))
		}
	}
	it.Close()
	if after == ^uint64(0) {
		return out
	}
	p := store.Key(keyAccount, a[:])
	it = k.st(ctx).Iterator(store.Key(p, store.Uint64Key(after+1)), store.PrefixEnd(p))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		id := binary.BigEndian.Uint64(it.Key()[len(p):])
		if len(out.Grants) == limit {
			out.Next = id - 1
			break
		}
		if g, ok := k.Grant(ctx, id); ok {
			out.Grants = append(out.Grants, info(g, t))
		}
	}
	return out
}

// LockedOf answers what a holds, has locked and may spend of denom at the block time.
func (k Keeper) LockedOf(ctx chain.Context, a address.Address, denom string) (LockedInfo, error) {
	li, err := k.Lock(ctx, a, denom, ctx.Time.Unix())
	if err != nil {
		return LockedInfo{}, err
	}
	out := LockedInfo{Address: a, Denom: denom, Time: ctx.Time.Unix(), Balance: k.bank.Balance(ctx, a, denom), Locked: li.Locked, Until: li.Until, Grants: li.Grants}
	if li.Locked < out.Balance {
		out.Spendable = out.Balance - li.Locked
	}
	return out, nil
}

// Query answers, at the latest block time:
//
//	account/<address>         the account's grants with vested and locked now (data: after, limit), locked per denom
//	grant/<id>                one grant with vested and locked now
//	locked/<address>/<denom>  balance, locked and spendable of one denom
func (m *Module) Query(ctx chain.Context, path []string, data []byte) (any, error) {
	k := m.Keeper
	ctx = m.at(ctx)
	switch {
	case len(path) == 2 && path[0] == "account":
		a, err := address.Parse(path[1])
		if err != nil {
			return nil, chain.ErrBadQuery.Wrap(err)
		}
		f, err := chain.ParseFilters(data, defaultPageSize, maxPageSize, "after", "limit")
		if err != nil {
			return nil, err
		}
		after, err := f.AfterID()
		if err != nil {
			return nil, err
		}
		return k.Account(ctx, a, after, f.Limit), nil
	case len(path) == 2 && path[0] == "grant":
		id, err := chain.ParseID(path[1], "grant")
		if err != nil {
			return nil, err
		}
		g, ok := k.Grant(ctx, id)
		if !ok {
			return nil, ErrUnknownGrant.Wrapf("no grant %d", id)
		}
		return info(g, ctx.Time.Unix()), nil
	case len(path) >= 3 && path[0] == "locked":
		a, err := address.Parse(path[1])
		if err != nil {
			return nil, chain.ErrBadQuery.Wrap(err)
		}
		denom := strings.Join(path[2:], "/")
		if err := coin.ValidateDenom(denom); err != nil {
			return nil, chain.ErrBadQuery.Wrap(err)
		}
		return k.LockedOf(ctx, a, denom)
	}
	return nil, chain.ErrBadQuery.Wrapf("unknown vesting query %v", path)
}

var pageParams = []chain.QueryParam{
	{Name: "after", Description: "list the grants after this id"},
	{Name: "limit", Description: fmt.Sprintf("page size, 1 to %d (default %d)", maxPageSize, defaultPageSize)},
}

// QueryRoutes publishes vesting's queries on the REST API.
func (*Module) QueryRoutes() []chain.QueryRoute {
	return []chain.QueryRoute{
		{Path: "/vesting/accounts/{address}", Query: "/vesting/account/{address}", Summary: "An account's vesting grants (vested and locked now) and what is locked per denom", Response: AccountGrants{}, Params: pageParams},
		{Path: "/vesting/accounts/{address}/locked/{denom}", Query: "/vesting/locked/{address}/{denom}", Summary: "An account's balance, locked and spendable amounts of one denom now", Response: LockedInfo{}},
		{Path: "/vesting/grants/{id}", Query: "/vesting/grant/{id}", Summary: "One vesting grant: schedule, status, vested and locked now", Response: GrantInfo{}},
	}
}
