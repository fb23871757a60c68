// Package offerings runs primary sales of security tokens: an issuer opens an offering of a
// security for a cash asset (price, soft and hard cap, per-investor minimum and maximum, a
// window in block time); investors subscribe, with compliance deciding, and their cash waits in
// escrow; at the end the offering settles delivery-versus-payment (tokens to each subscriber,
// cash to the project's treasury) when the soft cap is reached, and refunds every subscriber
// otherwise. An issuer may cancel before the end. Work at the end is bounded per block.
package offerings

import (
	"strconv"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/compliance"
)

// ModuleName is the module's name and code space.
const ModuleName = "offerings"

// StorePrefix is the module's key prefix in state.
var StorePrefix = []byte{0x07}

// EscrowAccount holds every live offering's unsold tokens and its subscribers' cash. It is a
// module account: bank must refuse user transfers to it and compliance must not count it as a
// holder.
var EscrowAccount = address.Module("offerings/escrow")

var (
	keyOffering = []byte("o/")  // o/<id8> → Offering
	keySub      = []byte("s/")  // s/<id8><addr20> → Subscription
	keyInvestor = []byte("i/")  // i/<addr20><id8> → 1 (an account's subscriptions)
	keySecurity = []byte("bs/") // bs/<security>\0<id8> → 1 (offerings of a security)
	keyTally    = []byte("t/")  // t/<id8><counted-as> → Amount (per-investor total)
	keyDue      = []byte("e/")  // e/<end8><id8> → 1 (open offerings by end time)
	keyWork     = []byte("w/")  // w/<id8> → 1 (offerings being worked through at the end of blocks)
	keySeq      = []byte("seq")
	keyParams   = []byte("params")
)

var marker = []byte{1}

// Failures.
var (
	ErrInvalidMsg      = codes.Register(ModuleName, 2, "invalid offerings msg")
	ErrUnknownAsset    = codes.Register(ModuleName, 3, "unknown asset")
	ErrNotIssuer       = codes.Register(ModuleName, 4, "signer is not the security's issuer")
	ErrWrongKind       = codes.Register(ModuleName, 5, "asset is of the wrong kind")
	ErrPaused          = codes.Register(ModuleName, 6, "asset is paused")
	ErrFrozen          = codes.Register(ModuleName, 7, "the issuer's tokens are frozen")
	ErrBadTreasury     = codes.Register(ModuleName, 8, "treasury may not receive the cash")
	ErrWindow          = codes.Register(ModuleName, 9, "the window has already ended")
	ErrUnknownOffering = codes.Register(ModuleName, 10, "unknown offering")
	ErrNotOpen         = codes.Register(ModuleName, 11, "offering is not open")
	ErrOutsideWindow   = codes.Register(ModuleName, 12, "outside the subscription window")
	ErrHardCap         = codes.Register(ModuleName, 13, "subscription exceeds the hard cap")
	ErrInvestorLimit   = codes.Register(ModuleName, 14, "outside the per-investor minimum and maximum")
	ErrRefused         = codes.Register(ModuleName, 15, "compliance refuses the subscription")
	ErrInsufficient    = codes.Register(ModuleName, 16, "insufficient funds")
	ErrSelfSubscribe   = codes.Register(ModuleName, 17, "the issuer cannot subscribe to its own offering")
	ErrNotOwner        = codes.Register(ModuleName, 18, "signer is not the offering's issuer")
	ErrNotDAOMsg       = codes.Register(ModuleName, 19, "a project DAO may not use this msg")
)

// Keeper holds offerings and subscriptions and runs their settlement.
type Keeper struct {
	bank       Bank
	assets     Assets
	compliance Compliance
	ids        Identities
	reserved   map[address.Address]bool // accounts that may not be a treasury
}

// NewKeeper makes the keeper. reserved lists module accounts that may not be an offering's
// treasury (the fee pool, compliance's hold account, …); the escrow is always reserved.
func NewKeeper(bank Bank, a Assets, c Compliance, ids Identities, reserved []address.Address) Keeper {
	r := map[address.Address]bool{EscrowAccount: true}
	for _, x := range reserved {
		r[x] = true
	}
	return Keeper{bank: bank, assets: a, compliance: c, ids: ids, reserved: r}
}

var sep = []byte{0}

func offeringKey(id uint64) []byte { return store.Key(keyOffering, store.Uint64Key(id)) }
func subPrefix(id uint64) []byte   { return store.Key(keySub, store.Uint64Key(id)) }
func subKey(id uint64, a address.Address) []byte {
	return store.Key(keySub, store.Uint64Key(id), a[:])
}
func investorKey(a address.Address, id uint64) []byte {
	return store.Key(keyInvestor, a[:], store.Uint64Key(id))
}
func securityKey(denom string, id uint64) []byte {
	return store.Key(keySecurity, []byte(denom), sep, store.Uint64Key(id))
}
func tallyKey(id uint64, countedAs string) []byte {
	return store.Key(keyTally, store.Uint64Key(id), []byte(countedAs))
}
func dueKey(end int64, id uint64) []byte {
	return store.Key(keyDue, store.Uint64Key(uint64(end)), store.Uint64Key(id))
}
func workKey(id uint64) []byte { return store.Key(keyWork, store.Uint64Key(id)) }

func (Keeper) st(ctx chain.Context) store.KV { return ctx.Store(StorePrefix) }

func (k Keeper) get(ctx chain.Context, key []byte, v any) bool {
	return store.GetRecord(k.st(ctx), key, v)
}

func (k Keeper) set(ctx chain.Context, key []byte, v any) { store.SetRecord(k.st(ctx), key, v) }

// Params returns the module's params.
func (k Keeper) Params(ctx chain.Context) Params {
	p := DefaultParams()
	k.get(ctx, keyParams, &p)
	return p
}

func (k Keeper) setParams(ctx chain.Context, p Params) { k.set(ctx, keyParams, &p) }

// Sequence is the id of the last offering opened.
func (k Keeper) Sequence(ctx chain.Context) uint64 {
	var n uint64
	k.get(ctx, keySeq, &n)
	return n
}

// Offering returns offering id.
func (k Keeper) Offering(ctx chain.Context, id uint64) (Offering, bool) {
	var o Offering
	ok := k.get(ctx, offeringKey(id), &o)
	return o, ok
}

func (k Keeper) putOffering(ctx chain.Context, o *Offering) { k.set(ctx, offeringKey(o.ID), o) }

// Subscription returns investor's subscription to offering id.
func (k Keeper) Subscription(ctx chain.Context, id uint64, investor address.Address) (Subscription, bool) {
	var s Subscription
	ok := k.get(ctx, subKey(id, investor), &s)
	return s, ok
}

func (k Keeper) putSub(ctx chain.Context, s *Subscription) {
	k.set(ctx, subKey(s.Offering, s.Investor), s)
}

// Tally is what an investor (CountedAs form) has subscribed to offering id in all.
func (k Keeper) Tally(ctx chain.Context, id uint64, countedAs string) coin.Amount {
	var v coin.Amount
	k.get(ctx, tallyKey(id, countedAs), &v)
	return v
}

// countedAs is the per-investor key an account's first subscription counts under.
func (k Keeper) countedAs(ctx chain.Context, a address.Address) string {
	if id, ok := k.ids.Identity(ctx, a); ok {
		return countedAsIdentity(id)
	}
	return countedAsAccount(a)
}

func price(o *Offering) string {
	return strconv.FormatUint(o.PriceNum, 10) + "/" + strconv.FormatUint(o.PriceDen, 10)
}

func (k Keeper) asset(ctx chain.Context, denom, want string) (assets.Asset, error) {
	a, ok := k.assets.Asset(ctx, denom)
	if !ok {
		return a, ErrUnknownAsset.Wrapf("%q is not an asset issued on this chain", denom)
	}
	if a.Kind != want {
		return a, ErrWrongKind.Wrapf("%s is a %s asset; an offering needs a %s asset here", denom, a.Kind, want)
	}
	if a.Paused {
		return a, ErrPaused.Wrapf("%s is paused by its controller (%s)", denom, a.PauseNote)
	}
	return a, nil
}

// Open opens an offering and moves its hard cap of tokens into escrow.
func (k Keeper) Open(ctx chain.Context, m *MsgOpen) (uint64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	sec, err := k.asset(ctx, m.Security, assets.KindSecurity)
	if err != nil {
		return 0, err
	}
	if sec.Issuer != m.Issuer {
		return 0, ErrNotIssuer.Wrapf("%s is issued by %s, not %s", m.Security, sec.Issuer, m.Issuer)
	}
	if _, err := k.asset(ctx, m.Cash, assets.KindCash); err != nil {
		return 0, err
	}
	now := ctx.Time.Unix()
	if m.End <= now {
		return 0, ErrWindow.Wrapf("end %s is not after the block time %s", chain.Unix(m.End), chain.Unix(now))
	}
	treasury := m.Treasury
	if treasury.IsZero() {
		treasury = m.Issuer
	}
	if k.reserved[treasury] {
		return 0, ErrBadTreasury.Wrapf("%s is a module account", treasury)
	}
	c := coin.New(m.Security, m.HardCap)
	bal := k.bank.Balance(ctx, m.Issuer, m.Security)
	if bal < m.HardCap {
		return 0, ErrInsufficient.Wrapf("the issuer holds %s; the hard cap %s moves into escrow at open", coin.New(m.Security, bal), c)
	}
	if f, ok := k.compliance.Frozen(ctx, m.Security, m.Issuer); ok && (f.Whole() || bal-m.HardCap < f.Floor) {
		return 0, ErrFrozen.Wrapf("%s of the issuer's %s is frozen (%s)", coin.New(m.Security, f.Floor), m.Security, f.Reason)
	}
	id := k.Sequence(ctx) + 1
	k.set(ctx, keySeq, id)
	if err := k.bank.Send(ctx, m.Issuer, EscrowAccount, c); err != nil {
		return 0, err
	}
	o := Offering{ID: id, Issuer: m.Issuer, Security: m.Security, Cash: m.Cash, PriceNum: m.PriceNum, PriceDen: m.PriceDen,
		SoftCap: m.SoftCap, HardCap: m.HardCap, MinPerInvestor: m.MinPerInvestor, MaxPerInvestor: m.MaxPerInvestor,
		Start: m.Start, End: m.End, Treasury: treasury, Status: StatusOpen, Height: ctx.Height}
	k.putOffering(ctx, &o)
	k.st(ctx).Set(securityKey(o.Security, id), marker)
	k.st(ctx).Set(dueKey(o.End, id), marker)
	ctx.Emit(chain.NewEvent("offerings.opened", "offering", chain.Uint(id), "security", o.Security, "cash", o.Cash,
		"issuer", o.Issuer.String(), "treasury", o.Treasury.String(), "price", price(&o),
		"soft_cap", coin.New(o.Security, o.SoftCap).String(), "hard_cap", c.String(),
		"min_per_investor", chain.Uint(o.MinPerInvestor), "max_per_investor", chain.Uint(o.MaxPerInvestor),
		"start", chain.Uint(uint64(o.Start)), "end", chain.Uint(uint64(o.End))))
	return id, nil
}

func (k Keeper) offering(ctx chain.Context, id uint64) (Offering, error) {
	o, ok := k.Offering(ctx, id)
	if !ok {
		return o, ErrUnknownOffering.Wrapf("no offering %d", id)
	}
	return o, nil
}

// refused reports whether a compliance decision stops a leg of an offering: reject, or hold
// (an offering cannot wait for an officer).
func refused(d compliance.Decision) bool {
	return d.Outcome == compliance.OutcomeReject || d.Outcome == compliance.OutcomeHold
}

func decisionText(d compliance.Decision) string {
	verb := map[string]string{compliance.OutcomeReject: "rejected", compliance.OutcomeHold: "held", compliance.OutcomeFlag: "flagged"}[d.Outcome]
	if verb == "" {
		verb = d.Outcome
	}
	return verb + " by rule " + d.Rule + " (" + d.Scope + ", " + d.Kind + "): " + d.Reason
}

// Subscribe adds to an investor's subscription and takes its cost into escrow.
func (k Keeper) Subscribe(ctx chain.Context, m *MsgSubscribe) error {
	if err := m.Validate(); err != nil {
		return err
	}
	o, err := k.offering(ctx, m.Offering)
	if err != nil {
		return err
	}
	if o.Status != StatusOpen {
		return ErrNotOpen.Wrapf("offering %d is %s", o.ID, o.Status)
	}
	now := ctx.Time.Unix()
	if now < o.Start {
		return ErrOutsideWindow.Wrapf("offering %d opens at %s", o.ID, chain.Unix(o.Start))
	}
	if now >= o.End {
		return ErrOutsideWindow.Wrapf("offering %d closed at %s", o.ID, chain.Unix(o.End))
	}
	if m.Investor == o.Issuer {
		return ErrSelfSubscribe.Wrapf("%s issues %s", o.Issuer, o.Security)
	}
	total, err := o.Subscribed.Add(m.Amount)
	if err != nil || total > o.HardCap {
		left, _ := o.HardCap.Sub(o.Subscribed)
		return ErrHardCap.Wrapf("offering %d has %s left of its hard cap %s", o.ID, coin.New(o.Security, left), coin.New(o.Security, o.HardCap))
	}
	sub, existing := k.Subscription(ctx, o.ID, m.Investor)
	if !existing {
		sub = Subscription{Offering: o.ID, Investor: m.Investor, CountedAs: k.countedAs(ctx, m.Investor), Status: SubPending,
			Height: ctx.Height, Time: now}
	}
	tally, err := k.Tally(ctx, o.ID, sub.CountedAs).Add(m.Amount)
	if err != nil {
		return ErrInvestorLimit.Wrapf("amount overflow")
	}
	max := o.MaxPerInvestor
	if max == 0 {
		max = o.HardCap
	}
	if tally < o.MinPerInvestor {
		return ErrInvestorLimit.Wrapf("investor %s would subscribe %s in all; the minimum is %s", sub.CountedAs,
			coin.New(o.Security, tally), coin.New(o.Security, o.MinPerInvestor))
	}
	if tally > max {
		return ErrInvestorLimit.Wrapf("investor %s would subscribe %s in all; the maximum is %s", sub.CountedAs,
			coin.New(o.Security, tally), coin.New(o.Security, max))
	}
	newAmount, err := sub.Amount.Add(m.Amount)
	if err != nil {
		return ErrHardCap.Wrapf("amount overflow")
	}
	// The security leg: the tokens this account will receive in all, from the issuer.
	d := k.compliance.Decide(ctx, o.Issuer, m.Investor, coin.New(o.Security, newAmount))
	if refused(d) {
		return ErrRefused.Wrapf("delivering %s to %s would be %s", coin.New(o.Security, newAmount), m.Investor, decisionText(d))
	}
	newCash, err := o.Cost(newAmount)
	if err != nil {
		return ErrHardCap.Wrap(err) // cannot happen: the hard cap's cost fits (checked at open)
	}
	// The investor pays what makes the subscription's cash the price of its new amount (a
	// top-up can cost nothing when the earlier rounding already covered it).
	pay := coin.New(o.Cash, newCash-sub.Cash)
	cd := compliance.Decision{Outcome: compliance.OutcomeAllow}
	if pay.Amount > 0 {
		if have := k.bank.Balance(ctx, m.Investor, o.Cash); have < pay.Amount {
			return ErrInsufficient.Wrapf("%s holds %s; %s costs %s", m.Investor, coin.New(o.Cash, have), coin.New(o.Security, m.Amount), pay)
		}
		// The cash leg: the investor's payment to the treasury (freezes of the investor's
		// cash, deny lists, a paused cash asset).
		cd = k.compliance.Decide(ctx, m.Investor, o.Treasury, pay)
		if refused(cd) {
			return ErrRefused.Wrapf("paying %s from %s would be %s", pay, m.Investor, decisionText(cd))
		}
		if err := k.bank.Send(ctx, m.Investor, EscrowAccount, pay); err != nil {
			return err
		}
	}
	if !existing {
		o.Subscribers++
		k.st(ctx).Set(investorKey(m.Investor, o.ID), marker)
	}
	sub.Amount, sub.Cash, sub.Updated = newAmount, newCash, ctx.Height
	k.putSub(ctx, &sub)
	k.set(ctx, tallyKey(o.ID, sub.CountedAs), tally)
	o.Subscribed = total
	o.CashEscrowed, err = o.CashEscrowed.Add(pay.Amount)
	if err != nil {
		return err // more cash in escrow than exists: a broken state
	}
	k.putOffering(ctx, &o)
	ev := chain.NewEvent("offerings.subscribed", "offering", chain.Uint(o.ID), "investor", m.Investor.String(),
		"amount", coin.New(o.Security, m.Amount).String(), "cash", pay.String(),
		"subscription", coin.New(o.Security, newAmount).String(), "subscription_cash", coin.New(o.Cash, newCash).String(),
		"counted_as", sub.CountedAs, "subscribed", coin.New(o.Security, total).String())
	for _, dd := range []compliance.Decision{d, cd} {
		if dd.Outcome == compliance.OutcomeFlag {
			ev.Attrs = append(ev.Attrs, chain.Attr{Key: "flag", Value: dd.Rule + " (" + dd.Scope + "): " + dd.Reason, Index: true})
		}
	}
	ctx.Emit(ev)
	return nil
}

// DAOScope says which security token's DAO may carry m in a proposal: for offerings/cancel, the
// DAO of the offering's security (no project, no protected parameter). A DAO may not use
// offerings' other msgs.
func (k Keeper) DAOScope(ctx chain.Context, m tx.Msg) (denom, project string, protected []string, err error) {
	c, ok := m.(*MsgCancel)
	if !ok {
		return "", "", nil, ErrNotDAOMsg.Wrapf("%s: a project DAO may use offerings/cancel", m.MsgType())
	}
	o, err := k.offering(ctx, c.Offering)
	if err != nil {
		return "", "", nil, err
	}
	return o.Security, "", nil, nil
}

// Cancel cancels an open offering before its end, by its issuer or its security's DAO; the
// refunds follow at the end of blocks.
func (k Keeper) Cancel(ctx chain.Context, m *MsgCancel) error {
	if err := m.Validate(); err != nil {
		return err
	}
	o, err := k.offering(ctx, m.Offering)
	if err != nil {
		return err
	}
	byDAO := m.Issuer == authority.DAO(o.Security)
	if o.Issuer != m.Issuer && !byDAO {
		return ErrNotOwner.Wrapf("offering %d is %s's (or its security's DAO %s cancels it, through a proposal)", o.ID, o.Issuer, authority.DAO(o.Security))
	}
	if o.Status != StatusOpen {
		return ErrNotOpen.Wrapf("offering %d is %s", o.ID, o.Status)
	}
	if now := ctx.Time.Unix(); now >= o.End {
		return ErrWindow.Wrapf("offering %d ended at %s; it settles or refunds by itself", o.ID, chain.Unix(o.End))
	}
	k.st(ctx).Delete(dueKey(o.End, o.ID))
	k.st(ctx).Set(workKey(o.ID), marker)
	o.Status, o.CancelReason, o.EndedHeight, o.Cursor = StatusCancelling, m.Reason, ctx.Height, nil
	o.CancelledByDAO = byDAO && o.Issuer != m.Issuer
	k.putOffering(ctx, &o)
	ctx.Emit(chain.NewEvent("offerings.cancelled", "offering", chain.Uint(o.ID), "security", o.Security,
		"subscribers", chain.Uint(o.Subscribers), "subscribed", coin.New(o.Security, o.Subscribed).String(),
		"reason", m.Reason, "by", m.Issuer.String()))
	return nil
}
