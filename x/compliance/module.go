package compliance

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
)

// Module is compliance's registration with the chain.
type Module struct {
	Keeper    Keeper
	blockTime func(chain.Context) time.Time
}

// NewModule makes the module.
func NewModule(k Keeper) *Module { return &Module{Keeper: k} }

// WithBlockTime sets how queries learn the time of the block they read (dry runs judge expiry,
// lock-ups and velocity windows at it).
func (m *Module) WithBlockTime(f func(chain.Context) time.Time) *Module {
	m.blockTime = f
	return m
}

func (*Module) Name() string { return ModuleName }

// Routes: set_rules, deny, undeny, freeze, unfreeze, decide_hold, close_alert.
func (m *Module) Routes() []chain.Route {
	k := m.Keeper
	return []chain.Route{
		{Msg: &MsgSetRules{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.SetRules(ctx, msg.(*MsgSetRules)) }},
		{Msg: &MsgDeny{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Deny(ctx, msg.(*MsgDeny)) }},
		{Msg: &MsgUndeny{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Undeny(ctx, msg.(*MsgUndeny)) }},
		{Msg: &MsgFreeze{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.SetFreeze(ctx, msg.(*MsgFreeze)) }},
		{Msg: &MsgUnfreeze{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.LiftFreeze(ctx, msg.(*MsgUnfreeze)) }},
		{Msg: &MsgDecideHold{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.DecideHold(ctx, msg.(*MsgDecideHold)) }},
		{Msg: &MsgCloseAlert{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.CloseAlert(ctx, msg.(*MsgCloseAlert)) }},
	}
}

// EndBlock returns the holds whose deadline has passed.
func (m *Module) EndBlock(ctx chain.Context) error { return m.Keeper.ExpireHolds(ctx) }

// GenesisVelocity is one holder's velocity record under a rule.
type GenesisVelocity struct {
	Asset    string   `json:"asset"`
	Rule     string   `json:"rule"`
	Holder   string   `json:"holder"` // "identity:<id>" or "account:<address>"
	Velocity Velocity `json:"velocity"`
}

// Genesis is compliance's genesis state. Holdings and holder counts are not in it: they follow
// from bank's balances and identity's links.
type Genesis struct {
	RuleSets      []RuleSet         `json:"rule_sets"` // with removed ones (no rules), which keep their version
	DenyLists     []DenyEntry       `json:"deny_lists"`
	Freezes       []Freeze          `json:"freezes"`
	Holds         []Hold            `json:"holds"`
	Alerts        []Alert           `json:"alerts"`
	Velocity      []GenesisVelocity `json:"velocity"`
	HoldSequence  uint64            `json:"hold_sequence"`
	AlertSequence uint64            `json:"alert_sequence"`
}

// DefaultGenesis is an empty compliance state.
func DefaultGenesis() Genesis {
	return Genesis{RuleSets: []RuleSet{}, DenyLists: []DenyEntry{}, Freezes: []Freeze{}, Holds: []Hold{}, Alerts: []Alert{}, Velocity: []GenesisVelocity{}}
}

func holderString(h []byte) string {
	if len(h) > 0 && h[0] == 'i' {
		return "identity:" + string(h[1:])
	}
	a, _ := address.FromBytes(h[1:])
	return "account:" + a.String()
}

func parseHolder(s string) ([]byte, error) {
	switch {
	case strings.HasPrefix(s, "identity:"):
		return holderForIdentity(strings.TrimPrefix(s, "identity:")), nil
	case strings.HasPrefix(s, "account:"):
		a, err := address.Parse(strings.TrimPrefix(s, "account:"))
		if err != nil {
			return nil, err
		}
		return holderForAccount(a), nil
	}
	return nil, fmt.Errorf("holder %q: want identity:<id> or account:<address>", s)
}

// InitGenesis loads rule sets, lists, freezes, holds and alerts, rebuilding their indexes.
func (m *Module) InitGenesis(ctx chain.Context, raw json.RawMessage) error {
	k := m.Keeper
	var g Genesis
	if err := chain.DecodeGenesis(raw, &g); err != nil {
		return fmt.Errorf("compliance genesis: %w", err)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("compliance genesis: "+format, args...)
	}
	for _, rs := range g.RuleSets {
		if err := k.requireAsset(ctx, rs.Asset); err != nil {
			return fail("rule set %s: %w", ScopeName(rs.Asset), err)
		}
		if _, dup := k.ruleSet(ctx, rs.Asset); dup {
			return fail("rule set %s given twice", ScopeName(rs.Asset))
		}
		if err := (&MsgSetRules{Officer: HoldAccount, Asset: rs.Asset, Rules: rs.Rules}).Validate(); err != nil {
			return fail("rule set %s: %w", ScopeName(rs.Asset), err)
		}
		for _, r := range rs.Rules {
			if err := r.Validate(rs.Asset, k.native); err != nil {
				return fail("rule set %s: %w", ScopeName(rs.Asset), err)
			}
		}
		if rs.Version == 0 {
			rs.Version = 1
		}
		k.set(ctx, rulesKey(rs.Asset), &rs)
	}
	for _, e := range g.DenyLists {
		if err := k.requireAsset(ctx, e.Asset); err != nil {
			return fail("deny list %s: %w", ScopeName(e.Asset), err)
		}
		if e.Account.IsZero() {
			return fail("deny list %s: zero account", ScopeName(e.Asset))
		}
		if _, dup := k.Denied(ctx, e.Asset, e.Account); dup {
			return fail("deny list %s lists %s twice", ScopeName(e.Asset), e.Account)
		}
		k.set(ctx, denyKey(e.Asset, e.Account), &e)
	}
	for _, f := range g.Freezes {
		if f.Asset == "" || f.Asset == k.native {
			return fail("freeze of %s: asset %q cannot be frozen", f.Account, f.Asset)
		}
		if err := k.requireAsset(ctx, f.Asset); err != nil {
			return fail("freeze of %s: %w", f.Account, err)
		}
		if _, dup := k.Frozen(ctx, f.Asset, f.Account); dup {
			return fail("freeze of %s in %s given twice", f.Account, f.Asset)
		}
		k.set(ctx, freezeKey(f.Asset, f.Account), &f)
	}
	for _, h := range g.Holds {
		if h.ID == 0 || h.ID > g.HoldSequence {
			return fail("hold %d: ids run from 1 to hold_sequence (%d)", h.ID, g.HoldSequence)
		}
		if _, dup := k.Hold(ctx, h.ID); dup {
			return fail("hold %d given twice", h.ID)
		}
		if !slices.Contains([]string{HoldOpen, HoldReleased, HoldReturned, HoldExpired}, h.Status) {
			return fail("hold %d: status %q", h.ID, h.Status)
		}
		k.putHold(ctx, h)
		st := k.st(ctx)
		st.Set(store.Key(keyHoldAccount, h.From[:], store.Uint64Key(h.ID)), marker)
		st.Set(store.Key(keyHoldAccount, h.To[:], store.Uint64Key(h.ID)), marker)
		st.Set(store.Key(keyHoldAsset, []byte(h.Amount.Denom), sep, store.Uint64Key(h.ID)), marker)
		if h.Status == HoldOpen {
			st.Set(store.Key(keyHoldOpen, store.Uint64Key(h.ID)), marker)
			st.Set(dueKey(h.Deadline, h.ID), marker)
		}
	}
	for _, a := range g.Alerts {
		if a.ID == 0 || a.ID > g.AlertSequence {
			return fail("alert %d: ids run from 1 to alert_sequence (%d)", a.ID, g.AlertSequence)
		}
		if _, dup := k.Alert(ctx, a.ID); dup {
			return fail("alert %d given twice", a.ID)
		}
		if a.Status != AlertOpen && a.Status != AlertClosed {
			return fail("alert %d: status %q", a.ID, a.Status)
		}
		k.set(ctx, alertKey(a.ID), &a)
		st := k.st(ctx)
		st.Set(store.Key(keyAlertAcct, a.From[:], store.Uint64Key(a.ID)), marker)
		st.Set(store.Key(keyAlertAcct, a.To[:], store.Uint64Key(a.ID)), marker)
		st.Set(store.Key(keyAlertAsset, []byte(a.Amount.Denom), sep, store.Uint64Key(a.ID)), marker)
		if a.Status == AlertOpen {
			st.Set(store.Key(keyAlertOpen, store.Uint64Key(a.ID)), marker)
		}
	}
	for _, v := range g.Velocity {
		h, err := parseHolder(v.Holder)
		if err != nil {
			return fail("velocity: %w", err)
		}
		if v.Velocity.Window < minWindow || len(v.Velocity.Buckets) > VelocityBuckets {
			return fail("velocity of %s under %s: window %d s, %d buckets", v.Holder, v.Rule, v.Velocity.Window, len(v.Velocity.Buckets))
		}
		k.set(ctx, velocityKey(v.Asset, v.Rule, h), &v.Velocity)
	}
	if g.HoldSequence > 0 {
		k.set(ctx, keyHoldSeq, g.HoldSequence)
	}
	if g.AlertSequence > 0 {
		k.set(ctx, keyAlertSeq, g.AlertSequence)
	}
	return nil
}

// ExportGenesis writes the module's state in key order.
func (m *Module) ExportGenesis(ctx chain.Context) (json.RawMessage, error) {
	k := m.Keeper
	g := DefaultGenesis()
	g.RuleSets = k.allRuleSets(ctx)
	each := func(prefix []byte, fn func(key, val []byte)) {
		it := k.st(ctx).Iterator(prefix, store.PrefixEnd(prefix))
		defer it.Close()
		for ; it.Valid(); it.Next() {
			fn(it.Key(), it.Value())
		}
	}
	each(keyDeny, func(_, v []byte) {
		var e DenyEntry
		canon.MustDecode(v, &e)
		g.DenyLists = append(g.DenyLists, e)
	})
	g.Freezes = k.Freezes(ctx, "")
	each(keyHold, func(_, v []byte) {
		var h Hold
		canon.MustDecode(v, &h)
		g.Holds = append(g.Holds, h)
	})
	each(keyAlert, func(_, v []byte) {
		var a Alert
		canon.MustDecode(v, &a)
		g.Alerts = append(g.Alerts, a)
	})
	each(keyVelocity, func(key, v []byte) {
		parts := strings.SplitN(string(key[len(keyVelocity):]), "\x00", 3)
		var vel Velocity
		canon.MustDecode(v, &vel)
		g.Velocity = append(g.Velocity, GenesisVelocity{Asset: parts[0], Rule: parts[1], Holder: holderString([]byte(parts[2])), Velocity: vel})
	})
	k.get(ctx, keyHoldSeq, &g.HoldSequence)
	k.get(ctx, keyAlertSeq, &g.AlertSequence)
	return json.Marshal(g)
}

// CheckResult answers a dry run: the decision a transfer would get now.
type CheckResult struct {
	From     address.Address `json:"from"`
	To       address.Address `json:"to"`
	Amount   coin.Coin       `json:"amount"`
	Decision Decision        `json:"decision"`
	// Code is the error a reject fails the tx with ("compliance:3"), empty otherwise.
	Code string `json:"code,omitempty"`
}

// HoldersResult answers a holder count query.
type HoldersResult struct {
	Asset   string `json:"asset"`
	Holders uint64 `json:"holders"`
}

// HoldingResult answers what an account's identity (or the account alone) holds of an asset.
type HoldingResult struct {
	Account address.Address `json:"account"`
	Holder  string          `json:"holder"`
	Amount  coin.Coin       `json:"amount"`
}

func parseScope(s string) string {
	if s == chainScopeName {
		return ""
	}
	return s
}

// parseFilter reads list filters from the query data (URL query encoding).
func parseFilter(data []byte, statuses []string) (Filter, error) {
	f := Filter{Limit: defaultPageSize}
	q, err := chain.ParseFilters(data, defaultPageSize, maxPageSize, "account", "asset", "rule", "status", "after", "limit")
	if err != nil {
		return f, err
	}
	f.Limit = q.Limit
	if v := q.Get("account"); v != "" {
		if f.Account, err = address.Parse(v); err != nil {
			return f, chain.ErrBadQuery.Wrap(err)
		}
	}
	f.Asset, f.Rule, f.Status = q.Get("asset"), q.Get("rule"), q.Get("status")
	if f.Status != "" && !slices.Contains(statuses, f.Status) {
		return f, chain.ErrBadQuery.Wrapf("status %q: want one of %s", f.Status, joinList(statuses))
	}
	f.After, err = q.AfterID()
	return f, err
}

// Query answers:
//
//	rules                         every rule set
//	rules/<chain|asset>           one rule set
//	check/<from>/<to>/<amount>    the decision a transfer would get now (a dry run)
//	holds, alerts                 lists; filters in data: account, asset, rule, status, after, limit
//	hold/<id>, alert/<id>
//	deny/<chain|asset>            a deny list
//	freezes/<asset>               the freezes of an asset
//	holders/<asset>               how many identities hold an asset
//	holding/<asset>/<address>     what an account's identity holds of an asset
func (m *Module) Query(ctx chain.Context, path []string, data []byte) (any, error) {
	k := m.Keeper
	if m.blockTime != nil {
		ctx.Time = m.blockTime(ctx)
	}
	switch {
	case len(path) == 1 && path[0] == "rules":
		return k.RuleSets(ctx), nil
	case len(path) == 2 && path[0] == "rules":
		scope := parseScope(path[1])
		if err := k.requireAsset(ctx, scope); err != nil {
			return nil, err
		}
		rs, ok := k.Rules(ctx, scope)
		if !ok {
			return nil, chain.ErrNotFound.Wrapf("%s has no rule set", ScopeName(scope))
		}
		return rs, nil
	case len(path) == 4 && path[0] == "check":
		from, err := address.Parse(path[1])
		if err != nil {
			return nil, chain.ErrBadQuery.Wrapf("from: %v", err)
		}
		to, err := address.Parse(path[2])
		if err != nil {
			return nil, chain.ErrBadQuery.Wrapf("to: %v", err)
		}
		amount, err := url.PathUnescape(path[3])
		if err != nil {
			return nil, chain.ErrBadQuery.Wrapf("amount: %v", err)
		}
		c, err := coin.Parse(amount, nil)
		if err != nil {
			return nil, chain.ErrBadQuery.Wrapf("amount %q: %v (give base units, e.g. 1000ubridge)", amount, err)
		}
		if err := k.requireAsset(ctx, c.Denom); err != nil {
			return nil, err
		}
		res := CheckResult{From: from, To: to, Amount: c, Decision: k.Decide(ctx, from, to, c)}
		if res.Decision.Outcome == OutcomeReject {
			res.Code = fmt.Sprintf("%s:%d", ErrRejected.Module, ErrRejected.Code)
		}
		return res, nil
	case len(path) == 1 && path[0] == "holds":
		f, err := parseFilter(data, []string{HoldOpen, HoldReleased, HoldReturned, HoldExpired})
		if err != nil {
			return nil, err
		}
		return k.Holds(ctx, f), nil
	case len(path) == 1 && path[0] == "alerts":
		f, err := parseFilter(data, []string{AlertOpen, AlertClosed})
		if err != nil {
			return nil, err
		}
		return k.Alerts(ctx, f), nil
	case len(path) == 2 && path[0] == "hold":
		id, err := chain.ParseID(path[1], "hold")
		if err != nil {
			return nil, err
		}
		h, ok := k.Hold(ctx, id)
		if !ok {
			return nil, ErrUnknownHold.Wrapf("no hold %d", id)
		}
		return h, nil
	case len(path) == 2 && path[0] == "alert":
		id, err := chain.ParseID(path[1], "alert")
		if err != nil {
			return nil, err
		}
		a, ok := k.Alert(ctx, id)
		if !ok {
			return nil, ErrUnknownAlert.Wrapf("no alert %d", id)
		}
		return a, nil
	case len(path) == 2 && path[0] == "deny":
		scope := parseScope(path[1])
		if err := k.requireAsset(ctx, scope); err != nil {
			return nil, err
		}
		return k.DenyList(ctx, scope), nil
	case len(path) == 2 && path[0] == "freezes":
		if err := k.requireAsset(ctx, path[1]); err != nil {
			return nil, err
		}
		return k.Freezes(ctx, path[1]), nil
	case len(path) == 2 && path[0] == "holders":
		if err := k.requireAsset(ctx, path[1]); err != nil {
			return nil, err
		}
		return HoldersResult{Asset: path[1], Holders: k.Holders(ctx, path[1])}, nil
	case len(path) == 3 && path[0] == "holding":
		if err := k.requireAsset(ctx, path[1]); err != nil {
			return nil, err
		}
		a, err := address.Parse(path[2])
		if err != nil {
			return nil, chain.ErrBadQuery.Wrap(err)
		}
		h := k.holderOf(ctx, a)
		return HoldingResult{Account: a, Holder: holderString(h), Amount: coin.New(path[1], k.Holding(ctx, path[1], h))}, nil
	}
	return nil, chain.ErrBadQuery.Wrapf("unknown compliance query %v", path)
}

var listFilters = []chain.QueryParam{
	{Name: "account", Description: "only those where this gir1… address is the sender or the receiver"},
	{Name: "asset", Description: "only those of this denom"},
	{Name: "rule", Description: "only those decided by this rule id"},
	{Name: "status", Description: "only those with this status"},
	{Name: "after", Description: "page: ids after this one (the previous page's next)"},
	{Name: "limit", Description: "page size, 1 to 500 (default 100)"},
}

// QueryRoutes publishes compliance's queries on the REST API.
func (*Module) QueryRoutes() []chain.QueryRoute {
	return []chain.QueryRoute{
		{Path: "/compliance/rules", Query: "/compliance/rules", Summary: "Every rule set: chain-wide first, then per asset", Response: []RuleSet{}},
		{Path: "/compliance/rules/{scope}", Query: "/compliance/rules/{scope}", Summary: "The rule set of an asset, or of the chain (scope \"chain\")", Response: RuleSet{}},
		{Path: "/compliance/check/{from}/{to}/{amount}", Query: "/compliance/check/{from}/{to}/{amount}", Summary: "Dry run: the decision a transfer would get now, and the rule behind it", Response: CheckResult{}},
		{Path: "/compliance/holds", Query: "/compliance/holds", Summary: "Holds, filtered by account, asset, rule and status", Response: HoldList{}, Params: listFilters},
		{Path: "/compliance/holds/{id}", Query: "/compliance/hold/{id}", Summary: "One hold", Response: Hold{}},
		{Path: "/compliance/alerts", Query: "/compliance/alerts", Summary: "Alerts, filtered by account, asset, rule and status", Response: AlertList{}, Params: listFilters},
		{Path: "/compliance/alerts/{id}", Query: "/compliance/alert/{id}", Summary: "One alert", Response: Alert{}},
		{Path: "/compliance/deny-lists/{scope}", Query: "/compliance/deny/{scope}", Summary: "A deny list: the chain's sanctions list (scope \"chain\") or an asset's", Response: []DenyEntry{}},
		{Path: "/compliance/freezes/{denom}", Query: "/compliance/freezes/{denom}", Summary: "The frozen holdings of an asset", Response: []Freeze{}},
		{Path: "/compliance/holders/{denom}", Query: "/compliance/holders/{denom}", Summary: "How many holders (identities) an asset has", Response: HoldersResult{}},
		{Path: "/compliance/holding/{denom}/{address}", Query: "/compliance/holding/{denom}/{address}", Summary: "What an address's identity holds of an asset, over all its accounts", Response: HoldingResult{}},
	}
}
