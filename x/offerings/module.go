package offerings

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
)

// Module is offerings' registration with the chain.
type Module struct{ Keeper Keeper }

// NewModule makes the module.
func NewModule(k Keeper) *Module { return &Module{Keeper: k} }

func (*Module) Name() string { return ModuleName }

// Routes: open, subscribe, cancel.
func (m *Module) Routes() []chain.Route {
	k := m.Keeper
	return []chain.Route{
		{Msg: &MsgOpen{}, Handle: func(ctx chain.Context, msg tx.Msg) error { _, err := k.Open(ctx, msg.(*MsgOpen)); return err }},
		{Msg: &MsgSubscribe{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Subscribe(ctx, msg.(*MsgSubscribe)) }},
		{Msg: &MsgCancel{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Cancel(ctx, msg.(*MsgCancel)) }},
	}
}

// EndBlock works through ended and cancelled offerings (bounded per block).
func (m *Module) EndBlock(ctx chain.Context) error { return m.Keeper.EndBlock(ctx) }

// ---- lists ----

// OfferingList is a page of offerings; Next, when not 0, is the "after" of the following page.
type OfferingList struct {
	Offerings []Offering `json:"offerings"`
	Next      uint64     `json:"next,omitempty"`
}

// Offerings lists offerings in id order after after, of one security and one status when
// given, at most limit of them.
func (k Keeper) Offerings(ctx chain.Context, security, status string, after uint64, limit int) OfferingList {
	out := OfferingList{Offerings: []Offering{}}
	p := keyOffering
	if security != "" {
		p = store.Key(keySecurity, []byte(security), sep)
	}
	if after == ^uint64(0) {
		return out
	}
	it := k.st(ctx).Iterator(store.Key(p, store.Uint64Key(after+1)), store.PrefixEnd(p))
	defer it.Close()
	scanned := 0
	for ; it.Valid(); it.Next() {
		if len(it.Key()) != len(p)+8 {
			continue // another denom's entry: the filter is not a denom (it holds a 0 byte)
		}
		id := binary.BigEndian.Uint64(it.Key()[len(p):])
		if len(out.Offerings) == limit || scanned == maxScan {
			out.Next = id - 1
			return out
		}
		scanned++
		o, ok := k.Offering(ctx, id)
		if ok && (status == "" || o.Status == status) {
			out.Offerings = append(out.Offerings, o)
		}
	}
	return out
}

// SubscriptionList is a page of an offering's subscriptions in investor address order; Next,
// when not empty, is the "after" of the following page.
type SubscriptionList struct {
	Subscriptions []Subscription `json:"subscriptions"`
	Next          string         `json:"next,omitempty"`
}

// Subscriptions lists offering id's subscriptions after investor after (nil: from the first),
// at most limit of them.
func (k Keeper) Subscriptions(ctx chain.Context, id uint64, after *address.Address, limit int) SubscriptionList {
	o := Offering{ID: id, Cursor: after}
	subs := k.batch(ctx, &o, limit+1)
	out := SubscriptionList{Subscriptions: subs}
	if len(subs) > limit {
		out.Subscriptions = subs[:limit]
		out.Next = subs[limit-1].Investor.String()
	}
	return out
}

// InvestorSubscriptions is a page of one account's subscriptions in offering order; Next, when
// not 0, is the "after" of the following page.
type InvestorSubscriptions struct {
	Investor      address.Address `json:"investor"`
	Subscriptions []Subscription  `json:"subscriptions"`
	Next          uint64          `json:"next,omitempty"`
}

// InvestorSubscriptions lists a's subscriptions to offerings after after, at most limit.
func (k Keeper) InvestorSubscriptions(ctx chain.Context, a address.Address, after uint64, limit int) InvestorSubscriptions {
	out := InvestorSubscriptions{Investor: a, Subscriptions: []Subscription{}}
	if after == ^uint64(0) {
		return out
	}
	p := store.Key(keyInvestor, a[:])
	it := k.st(ctx).Iterator(store.Key(p, store.Uint64Key(after+1)), store.PrefixEnd(p))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		id := binary.BigEndian.Uint64(it.Key()[len(p):])
		if len(out.Subscriptions) == limit {
			out.Next = id - 1
			return out
		}
		if s, ok := k.Subscription(ctx, id, a); ok {
			out.Subscriptions = append(out.Subscriptions, s)
		}
	}
	return out
}

// ---- genesis ----

// Genesis is offerings' genesis state. Per-investor tallies and the indexes follow from the
// offerings and subscriptions.
type Genesis struct {
	Params        Params         `json:"params"`
	Offerings     []Offering     `json:"offerings"`
	Subscriptions []Subscription `json:"subscriptions"`
	Sequence      uint64         `json:"sequence"` // the last offering id used
}

// DefaultGenesis has no offerings and the default params.
func DefaultGenesis() Genesis {
	return Genesis{Params: DefaultParams(), Offerings: []Offering{}, Subscriptions: []Subscription{}}
}

// totals adds up an offering's subscriptions, to compare with the offering's record (genesis
// and the invariants).
type totals struct {
	subscribed, escrowed, delivered, raised coin.Amount
	upToCursor                              coin.Amount // subscribed by the investors at or before the cursor
	count, settled, refunded                uint64
	tallies                                 map[string]coin.Amount
	err                                     error
}

func (t *totals) add(o *Offering, s *Subscription) {
	if t.err != nil {
		return
	}
	fail := func(format string, args ...any) {
		t.err = fmt.Errorf("offering %d, subscription of %s: "+format, append([]any{o.ID, s.Investor}, args...)...)
	}
	if want, err := o.Cost(s.Amount); err != nil || s.Amount == 0 || want != s.Cash {
		fail("cash %d, the price of %d is %d", s.Cash, s.Amount, want)
		return
	}
	if s.CountedAs == "" {
		fail("counted as nobody")
		return
	}
	sum := func(a *coin.Amount, b coin.Amount) {
		v, err := a.Add(b)
		if err != nil && t.err == nil {
			fail("%v", err)
		}
		*a = v
	}
	// The end-of-window passes go through the subscriptions in investor order: those at or before
	// the cursor are done (settled or refunded while paying out), those after it are pending.
	done := o.Cursor != nil && bytes.Compare(s.Investor[:], o.Cursor[:]) <= 0
	if done {
		sum(&t.upToCursor, s.Amount)
	}
	switch o.Status {
	case StatusSettling, StatusRefunding, StatusCancelling:
		if (s.Status == SubPending) == done {
			fail("%s, but the cursor of the %s offering is at %v", s.Status, o.Status, o.Cursor)
			return
		}
	}
	t.count++
	sum(&t.subscribed, s.Amount)
	if t.tallies == nil {
		t.tallies = map[string]coin.Amount{}
	}
	v := t.tallies[s.CountedAs]
	sum(&v, s.Amount)
	t.tallies[s.CountedAs] = v
	switch s.Status {
	case SubPending:
		if !Live(o.Status) {
			fail("pending in a %s offering", o.Status)
		}
		sum(&t.escrowed, s.Cash)
	case SubSettled:
		if o.Status != StatusSettling && o.Status != StatusSettled {
			fail("settled in a %s offering", o.Status)
		}
		t.settled++
		sum(&t.delivered, s.Amount)
		sum(&t.raised, s.Cash)
	case SubRefunded:
		if o.Status == StatusOpen || o.Status == StatusClosing {
			fail("refunded in a %s offering", o.Status)
		}
		t.refunded++
	default:
		fail("status %q", s.Status)
	}
}

// check compares the totals with the offering's record.
func (t *totals) check(o *Offering) error {
	if t.err != nil {
		return t.err
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("offering %d: "+format, append([]any{o.ID}, args...)...)
	}
	switch {
	case t.subscribed != o.Subscribed || t.count != o.Subscribers:
		return fail("subscriptions add up to %d in %d records; the offering says %d in %d", t.subscribed, t.count, o.Subscribed, o.Subscribers)
	case o.Subscribed > o.HardCap:
		return fail("subscribed %d exceeds the hard cap %d", o.Subscribed, o.HardCap)
	case t.escrowed != o.CashEscrowed:
		return fail("pending subscriptions escrow %d cash; the offering says %d", t.escrowed, o.CashEscrowed)
	case t.delivered != o.Delivered || t.raised != o.Raised || t.settled != o.Settled:
		return fail("settled subscriptions delivered %d for %d cash in %d; the offering says %d for %d in %d",
			t.delivered, t.raised, t.settled, o.Delivered, o.Raised, o.Settled)
	case t.refunded != o.Refunded:
		return fail("%d subscriptions refunded; the offering says %d", t.refunded, o.Refunded)
	case o.Eligible > o.Subscribed:
		return fail("eligible %d exceeds subscribed %d", o.Eligible, o.Subscribed)
	case o.Status == StatusOpen && o.Eligible != 0:
		return fail("open, but %d already counted eligible", o.Eligible)
	case o.Status == StatusClosing && o.Eligible > t.upToCursor:
		return fail("closing with eligible %d, but %d subscribed up to the cursor", o.Eligible, t.upToCursor)
	}
	out, err := o.Delivered.Add(o.Returned)
	if err != nil || out > o.HardCap {
		return fail("delivered %d and returned %d exceed the hard cap %d", o.Delivered, o.Returned, o.HardCap)
	}
	if !Live(o.Status) && (out != o.HardCap || o.CashEscrowed != 0) {
		return fail("%s but %d tokens and %d cash are still in escrow", o.Status, o.HardCap-out, o.CashEscrowed)
	}
	if Live(o.Status) && o.Returned != 0 {
		return fail("%s but %d tokens were already returned", o.Status, o.Returned)
	}
	return nil
}

func validStatus(s string) bool {
	for _, v := range Statuses {
		if v == s {
			return true
		}
	}
	return false
}

// InitGenesis loads params, offerings and subscriptions, rebuilding tallies and indexes. It
// runs after assets' genesis (it checks the assets' kinds).
func (m *Module) InitGenesis(ctx chain.Context, raw json.RawMessage) error {
	k := m.Keeper
	g := DefaultGenesis()
	if err := chain.DecodeGenesis(raw, &g); err != nil {
		return fmt.Errorf("offerings genesis: %w", err)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("offerings genesis: "+format, args...)
	}
	if err := g.Params.Validate(); err != nil {
		return fail("%w", err)
	}
	k.setParams(ctx, g.Params)
	sums := map[uint64]*totals{}
	for i := range g.Offerings {
		o := &g.Offerings[i]
		if o.ID == 0 || o.ID > g.Sequence {
			return fail("offering %d: ids run from 1 to sequence (%d)", o.ID, g.Sequence)
		}
		if _, dup := sums[o.ID]; dup {
			return fail("offering %d given twice", o.ID)
		}
		if err := validateTerms(o.Security, o.Cash, o.PriceNum, o.PriceDen, o.SoftCap, o.HardCap, o.MinPerInvestor, o.MaxPerInvestor, o.Start, o.End); err != nil {
			return fail("offering %d: %w", o.ID, err)
		}
		if o.Issuer.IsZero() || o.Treasury.IsZero() || k.reserved[o.Issuer] || k.reserved[o.Treasury] {
			return fail("offering %d: issuer %s, treasury %s: neither may be the zero address or a module account", o.ID, o.Issuer, o.Treasury)
		}
		for _, a := range []struct{ denom, kind string }{{o.Security, assets.KindSecurity}, {o.Cash, assets.KindCash}} {
			if as, ok := k.assets.Asset(ctx, a.denom); !ok || as.Kind != a.kind {
				return fail("offering %d: %s is not a %s asset", o.ID, a.denom, a.kind)
			}
		}
		if !validStatus(o.Status) {
			return fail("offering %d: status %q", o.ID, o.Status)
		}
		if o.Cursor != nil && !working(o.Status) {
			return fail("offering %d: a cursor in status %s", o.ID, o.Status)
		}
		sums[o.ID] = &totals{}
	}
	for i := range g.Offerings {
		k.putOffering(ctx, &g.Offerings[i])
	}
	for i := range g.Subscriptions {
		s := &g.Subscriptions[i]
		t, ok := sums[s.Offering]
		if !ok {
			return fail("subscription of %s to unknown offering %d", s.Investor, s.Offering)
		}
		if s.Investor.IsZero() || k.reserved[s.Investor] {
			return fail("subscription to offering %d of %s: the zero address or a module account", s.Offering, s.Investor)
		}
		if _, dup := k.Subscription(ctx, s.Offering, s.Investor); dup {
			return fail("subscription of %s to offering %d given twice", s.Investor, s.Offering)
		}
		o, _ := k.Offering(ctx, s.Offering)
		t.add(&o, s)
		k.putSub(ctx, s)
		k.st(ctx).Set(investorKey(s.Investor, s.Offering), marker)
	}
	for i := range g.Offerings {
		o := &g.Offerings[i]
		t := sums[o.ID]
		if err := t.check(o); err != nil {
			return fail("%w", err)
		}
		names := make([]string, 0, len(t.tallies))
		for n := range t.tallies {
			names = append(names, n)
		}
		sort.Strings(names)
		max := o.MaxPerInvestor
		if max == 0 {
			max = o.HardCap
		}
		for _, n := range names {
			if v := t.tallies[n]; v < o.MinPerInvestor || v > max {
				return fail("offering %d: %s subscribed %d, outside the per-investor limits %d to %d", o.ID, n, v, o.MinPerInvestor, max)
			}
			k.set(ctx, tallyKey(o.ID, n), t.tallies[n])
		}
		k.st(ctx).Set(securityKey(o.Security, o.ID), marker)
		switch {
		case o.Status == StatusOpen:
			k.st(ctx).Set(dueKey(o.End, o.ID), marker)
		case working(o.Status):
			k.st(ctx).Set(workKey(o.ID), marker)
		}
	}
	if g.Sequence > 0 {
		k.set(ctx, keySeq, g.Sequence)
	}
	return nil
}

// ExportGenesis writes the module's state in key order.
func (m *Module) ExportGenesis(ctx chain.Context) (json.RawMessage, error) {
	k := m.Keeper
	g := DefaultGenesis()
	g.Params = k.Params(ctx)
	each := func(prefix []byte, fn func(val []byte)) {
		it := k.st(ctx).Iterator(prefix, store.PrefixEnd(prefix))
		defer it.Close()
		for ; it.Valid(); it.Next() {
			fn(it.Value())
		}
	}
	each(keyOffering, func(v []byte) {
		var o Offering
		canon.MustDecode(v, &o)
		g.Offerings = append(g.Offerings, o)
	})
	each(keySub, func(v []byte) {
		var s Subscription
		canon.MustDecode(v, &s)
		g.Subscriptions = append(g.Subscriptions, s)
	})
	g.Sequence = k.Sequence(ctx)
	return json.Marshal(g)
}

// ---- queries ----

func parseID(s string) (uint64, error) { return chain.ParseID(s, "offering") }

// parseQuery reads the query-string data, allowing only the given keys.
func parseQuery(data []byte, allowed ...string) (url.Values, int, error) {
	f, err := chain.ParseFilters(data, defaultPageSize, maxPageSize, allowed...)
	return f.Values, f.Limit, err
}

func parseAfterID(q url.Values) (uint64, error) { return chain.Filters{Values: q}.AfterID() }

// Query answers:
//
//	params                          the module's params
//	offering/<id>                   one offering
//	offerings                       offerings; filters in data: security, status, after, limit
//	subscriptions/<id>              an offering's subscriptions; data: after (address), limit
//	subscription/<id>/<address>     one account's subscription to an offering
//	investor/<address>              an account's subscriptions; data: after (offering id), limit
func (m *Module) Query(ctx chain.Context, path []string, data []byte) (any, error) {
	k := m.Keeper
	switch {
	case len(path) == 1 && path[0] == "params":
		return k.Params(ctx), nil
	case len(path) == 2 && path[0] == "offering":
		id, err := parseID(path[1])
		if err != nil {
			return nil, err
		}
		return k.offering(ctx, id)
	case len(path) == 1 && path[0] == "offerings":
		q, limit, err := parseQuery(data, "security", "status", "after", "limit")
		if err != nil {
			return nil, err
		}
		after, err := parseAfterID(q)
		if err != nil {
			return nil, err
		}
		if s := q.Get("security"); s != "" {
			if err := coin.ValidateDenom(s); err != nil {
				return nil, chain.ErrBadQuery.Wrapf("security: %v", err)
			}
		}
		if s := q.Get("status"); s != "" && !validStatus(s) {
			return nil, chain.ErrBadQuery.Wrapf("status %q: want one of %s", s, strings.Join(Statuses, ", "))
		}
		return k.Offerings(ctx, q.Get("security"), q.Get("status"), after, limit), nil
	case len(path) == 2 && path[0] == "subscriptions":
		id, err := parseID(path[1])
		if err != nil {
			return nil, err
		}
		if _, err := k.offering(ctx, id); err != nil {
			return nil, err
		}
		q, limit, err := parseQuery(data, "after", "limit")
		if err != nil {
			return nil, err
		}
		var after *address.Address
		if v := q.Get("after"); v != "" {
			a, err := address.Parse(v)
			if err != nil {
				return nil, chain.ErrBadQuery.Wrapf("after: %v", err)
			}
			after = &a
		}
		return k.Subscriptions(ctx, id, after, limit), nil
	case len(path) == 3 && path[0] == "subscription":
		id, err := parseID(path[1])
		if err != nil {
			return nil, err
		}
		a, err := address.Parse(path[2])
		if err != nil {
			return nil, chain.ErrBadQuery.Wrap(err)
		}
		if _, err := k.offering(ctx, id); err != nil {
			return nil, err
		}
		s, ok := k.Subscription(ctx, id, a)
		if !ok {
			return nil, chain.ErrNotFound.Wrapf("%s has no subscription to offering %d", a, id)
		}
		return s, nil
	case len(path) == 2 && path[0] == "investor":
		a, err := address.Parse(path[1])
		if err != nil {
			return nil, chain.ErrBadQuery.Wrap(err)
		}
		q, limit, err := parseQuery(data, "after", "limit")
		if err != nil {
			return nil, err
		}
		after, err := parseAfterID(q)
		if err != nil {
			return nil, err
		}
		return k.InvestorSubscriptions(ctx, a, after, limit), nil
	}
	return nil, chain.ErrBadQuery.Wrapf("unknown offerings query %v", path)
}

var pageParams = []chain.QueryParam{
	{Name: "after", Description: "page: entries after this one (the previous page's next)"},
	{Name: "limit", Description: "page size, 1 to 500 (default 100)"},
}

// QueryRoutes publishes offerings' queries on the REST API.
func (*Module) QueryRoutes() []chain.QueryRoute {
	return []chain.QueryRoute{
		{Path: "/offerings", Query: "/offerings/offerings", Summary: "Offerings in id order, filtered by security and status", Response: OfferingList{},
			Params: append([]chain.QueryParam{
				{Name: "security", Description: "only offerings of this security denom"},
				{Name: "status", Description: "only offerings with this status: " + strings.Join(Statuses, ", ")},
			}, pageParams...)},
		{Path: "/offerings/params", Query: "/offerings/params", Summary: "The offerings module's params", Response: Params{}},
		{Path: "/offerings/{id}", Query: "/offerings/offering/{id}", Summary: "One offering: terms, status and totals", Response: Offering{}},
		{Path: "/offerings/{id}/subscriptions", Query: "/offerings/subscriptions/{id}", Summary: "An offering's subscriptions in investor address order", Response: SubscriptionList{}, Params: pageParams},
		{Path: "/offerings/{id}/subscriptions/{address}", Query: "/offerings/subscription/{id}/{address}", Summary: "One account's subscription to an offering", Response: Subscription{}},
		{Path: "/accounts/{address}/subscriptions", Query: "/offerings/investor/{address}", Summary: "An account's subscriptions to offerings, in offering order", Response: InvestorSubscriptions{}, Params: pageParams},
	}
}
