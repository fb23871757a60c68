package distributions

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/assets"
)

// Distribution returns distribution id.
func (k Keeper) Distribution(ctx chain.Context, id uint64) (Distribution, bool) {
	var d Distribution
	ok := k.get(ctx, distKey(id), &d)
	return d, ok
}

func (k Keeper) distributionOf(ctx chain.Context, id uint64) (Distribution, error) {
	d, ok := k.Distribution(ctx, id)
	if !ok {
		return d, ErrUnknownDistribution.Wrapf("no distribution %d", id)
	}
	return d, nil
}

func (k Keeper) putDistribution(ctx chain.Context, d *Distribution) { k.set(ctx, distKey(d.ID), d) }

// DistributionList is a page of distributions; Next, when not 0, is the "after" of the next page.
type DistributionList struct {
	Distributions []Distribution `json:"distributions"`
	Next          uint64         `json:"next,omitempty"`
}

// Distributions lists an asset's distributions in id order.
func (k Keeper) Distributions(ctx chain.Context, denom string, pg Page) DistributionList {
	out := DistributionList{Distributions: []Distribution{}}
	out.Next = k.listIDs(ctx, store.Key(keyDistAsset, []byte(denom), sep), pg, func(id uint64) {
		if d, ok := k.Distribution(ctx, id); ok {
			out.Distributions = append(out.Distributions, d)
		}
	})
	return out
}

// cashOf is the deposited cash's asset; it must be of kind cash.
func (k Keeper) cashOf(ctx chain.Context, denom string) (assets.Asset, error) {
	a, ok := k.assets.Asset(ctx, denom)
	if !ok {
		return a, ErrNotCash.Wrapf("%s is not an asset issued on this chain; distributions pay in a cash asset", denom)
	}
	if a.Kind != assets.KindCash {
		return a, ErrNotCash.Wrapf("%s is a %s asset; distributions pay in a cash asset", denom, a.Kind)
	}
	return a, nil
}

// Deposit takes cash from the depositor into the escrow for the holders of an asset at a
// checkpoint. Its cost does not depend on the number of holders: it reads the supply at the
// checkpoint (one seek) and writes one record.
func (k Keeper) Deposit(ctx chain.Context, m *MsgDeposit) (uint64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	a, err := k.asPayer(ctx, m.Asset, m.Depositor)
	if err != nil {
		return 0, err
	}
	c, ok := k.Checkpoint(ctx, m.Checkpoint)
	if !ok {
		return 0, ErrUnknownCheckpoint.Wrapf("no checkpoint %d", m.Checkpoint)
	}
	if c.Asset != m.Asset {
		return 0, ErrUnknownCheckpoint.Wrapf("checkpoint %d is of %s, not %s", c.ID, c.Asset, m.Asset)
	}
	if c.Status != CheckpointTaken || c.Height >= ctx.Height {
		return 0, ErrCheckpointPending.Wrapf("checkpoint %d has record time %d and is taken at the end of the first block at or after it; deposit after that", c.ID, c.RecordTime)
	}
	cash, err := k.cashOf(ctx, m.Amount.Denom)
	if err != nil {
		return 0, err
	}
	if cash.Paused {
		return 0, ErrCashPaused.Wrapf("%s is paused by its controller (%s)", cash.Denom, cash.PauseNote)
	}
	now := ctx.Time.Unix()
	if m.Expiry < now+MinClaimWindow || m.Expiry > now+MaxAhead {
		return 0, ErrBadTime.Wrapf("expiry %d: want at least %d s and at most %d s after the block time %d", m.Expiry, MinClaimWindow, int64(MaxAhead), now)
	}
	if k.modules[m.TaxAccount] {
		return 0, ErrModuleAccount.Wrapf("tax account %s is a module account", m.TaxAccount)
	}
	supply := k.SupplyAt(ctx, m.Asset, c.Height)
	if supply == 0 {
		return 0, ErrNoSupply.Wrapf("%s had no supply at the end of block %d (checkpoint %d)", m.Asset, c.Height, c.ID)
	}
	if err := k.bank.Send(ctx, m.Depositor, EscrowAccount, m.Amount); err != nil {
		return 0, err
	}
	id := k.next(ctx, keyDistSeq)
	d := Distribution{ID: id, Asset: m.Asset, Checkpoint: c.ID, Height: c.Height, Amount: m.Amount, Supply: supply,
		Issuer: a.Issuer, Depositor: m.Depositor, Expiry: m.Expiry, TaxAccount: m.TaxAccount, DefaultBps: m.DefaultBps,
		Rates: m.Rates, Memo: m.Memo, Status: StatusOpen, CreatedHeight: ctx.Height, CreatedTime: now}
	k.putDistribution(ctx, &d)
	k.st(ctx).Set(distAssetKey(m.Asset, id), marker)
	ctx.Emit(chain.NewEvent("distributions.deposited", "distribution", chain.Uint(id), "asset", m.Asset, "checkpoint", chain.Uint(c.ID),
		"height", chain.Uint(c.Height), "amount", m.Amount.String(), "supply", chain.Uint(supply), "expiry", chain.Uint(m.Expiry),
		"tax_account", taxAccountString(m.TaxAccount), "default_bps", chain.Uint(uint64(m.DefaultBps)), "by", m.Depositor.String()))
	return id, nil
}

func taxAccountString(a address.Address) string {
	if a.IsZero() {
		return ""
	}
	return a.String()
}

// quote is what a holder is owed by a distribution, withholding judged now.
type quote struct {
	balance, gross, withheld, net coin.Amount
	rem                           uint64 // balance × amount mod supply
	jurisdiction                  string
	bps                           uint32
}

func (k Keeper) quote(ctx chain.Context, d Distribution, holder address.Address) (quote, error) {
	var q quote
	q.balance = k.BalanceAt(ctx, d.Asset, holder, d.Height)
	if q.balance > d.Supply {
		return q, fmt.Errorf("distributions: %s held %d %s at height %d, above the supply %d", holder, q.balance, d.Asset, d.Height, d.Supply)
	}
	var err error
	// balance ≤ supply, so balance × amount / supply ≤ amount: the quotient fits.
	if q.gross, q.rem, err = q.balance.MulDiv(uint64(d.Amount.Amount), uint64(d.Supply)); err != nil {
		return q, fmt.Errorf("distributions: entitlement of %s in %d: %w", holder, d.ID, err)
	}
	if c, ok := k.ids.Claims(ctx, holder); ok {
		q.jurisdiction = c.Jurisdiction
	}
	q.bps = d.rate(q.jurisdiction)
	if q.withheld, _, err = q.gross.MulDiv(uint64(q.bps), BpsDenominator); err != nil {
		return q, err
	}
	q.net = q.gross - q.withheld
	return q, nil
}

// Payment returns holder's payment from distribution id, if it was paid.
func (k Keeper) Payment(ctx chain.Context, id uint64, holder address.Address) (Payment, bool) {
	var p Payment
	ok := k.get(ctx, paymentKey(id, holder), &p)
	return p, ok
}

// check says whether holder can be paid from d now and what; a *codes.Error says why not.
//
// Checked: the distribution is open and not expired; the holder was not paid and is not a module
// account; the cash asset is not paused; the holder is not on the chain-wide deny list; its
// holding of the security and of the cash is not frozen whole; it is owed something. Not checked:
// the rule sets of the security and of the cash, asset deny lists, partial freezes, the tax account.
func (k Keeper) check(ctx chain.Context, d Distribution, holder address.Address) (quote, error) {
	if d.Status != StatusOpen {
		return quote{}, ErrReclaimed.Wrapf("distribution %d was reclaimed by its issuer at height %d", d.ID, d.ReclaimedHeight)
	}
	if now := ctx.Time.Unix(); now >= d.Expiry {
		return quote{}, ErrExpired.Wrapf("distribution %d expired at %d (block time %d); the issuer reclaims what is unclaimed", d.ID, d.Expiry, now)
	}
	if p, ok := k.Payment(ctx, d.ID, holder); ok {
		return quote{}, ErrAlreadyPaid.Wrapf("%s was paid %d%s from distribution %d at height %d (%s)", holder, p.Net, d.Amount.Denom, d.ID, p.Height, p.Via)
	}
	if k.modules[holder] {
		return quote{}, ErrModuleAccount.Wrapf("%s is a module account; what it held at the checkpoint stays unclaimed", holder)
	}
	cash, err := k.cashOf(ctx, d.Amount.Denom)
	if err != nil {
		return quote{}, err
	}
	if cash.Paused {
		return quote{}, ErrCashPaused.Wrapf("%s is paused by its controller (%s); payments wait until it is unpaused", cash.Denom, cash.PauseNote)
	}
	if e, ok := k.compliance.Denied(ctx, "", holder); ok {
		return quote{}, ErrDenied.Wrapf("%s is on the chain's deny list (%s)", holder, e.Reason)
	}
	for _, denom := range []string{d.Asset, d.Amount.Denom} {
		if f, ok := k.compliance.Frozen(ctx, denom, holder); ok && f.Whole() {
			return quote{}, ErrFrozen.Wrapf("%s's %s is frozen (%s); it is paid once unfrozen", holder, denom, f.Reason)
		}
	}
	q, err := k.quote(ctx, d, holder)
	if err != nil {
		return q, err
	}
	if q.gross == 0 {
		return q, ErrNothingToClaim.Wrapf("%s held %d of %d %s at checkpoint %d (height %d): entitled to 0%s", holder, q.balance, d.Supply, d.Asset, d.Checkpoint, d.Height, d.Amount.Denom)
	}
	return q, nil
}

// addRemainder adds a payment's remainder numerator to d's, carrying whole units to Remainder.
// Both are below the supply, so the sum is below twice the supply: one subtraction normalizes it.
func addRemainder(d *Distribution, rem uint64) {
	s, carry := bits.Add64(uint64(d.RemainderNum), rem, 0)
	if carry != 0 || s >= uint64(d.Supply) {
		s -= uint64(d.Supply) // exact modulo 2^64 also when the addition carried
		d.Remainder++
	}
	d.RemainderNum = coin.Amount(s)
}

// pay pays holder its entitlement from distribution id: net to the holder, the withheld part to
// the tax account, from the escrow with plain moves.
func (k Keeper) pay(ctx chain.Context, id uint64, holder address.Address, via string) error {
	d, err := k.distributionOf(ctx, id)
	if err != nil {
		return err
	}
	q, err := k.check(ctx, d, holder)
	if err != nil {
		return err
	}
	if q.net != 0 {
		if err := k.bank.Send(ctx, EscrowAccount, holder, coin.New(d.Amount.Denom, q.net)); err != nil {
			return err
		}
	}
	if q.withheld != 0 {
		if err := k.bank.Send(ctx, EscrowAccount, d.TaxAccount, coin.New(d.Amount.Denom, q.withheld)); err != nil {
			return err
		}
	}
	var e1, e2, e3 error
	d.Paid, e1 = d.Paid.Add(q.net)
	d.Withheld, e2 = d.Withheld.Add(q.withheld)
	d.ClaimedBalance, e3 = d.ClaimedBalance.Add(q.balance)
	if err := errors.Join(e1, e2, e3); err != nil || d.ClaimedBalance > d.Supply {
		return fmt.Errorf("distributions: accounting of distribution %d broke: %v", d.ID, err)
	}
	d.Payments++
	addRemainder(&d, q.rem)
	k.putDistribution(ctx, &d)
	p := Payment{Distribution: d.ID, Holder: holder, Balance: q.balance, Gross: q.gross, Withheld: q.withheld, Net: q.net,
		Jurisdiction: q.jurisdiction, Bps: q.bps, Via: via, Height: ctx.Height, Time: ctx.Time.Unix()}
	k.set(ctx, paymentKey(d.ID, holder), &p)
	ctx.Emit(chain.NewEvent("distributions.paid", "distribution", chain.Uint(d.ID), "asset", d.Asset, "holder", holder.String(),
		"balance", chain.Uint(q.balance), "gross", coin.New(d.Amount.Denom, q.gross).String(),
		"withheld", coin.New(d.Amount.Denom, q.withheld).String(), "net", coin.New(d.Amount.Denom, q.net).String(),
		"jurisdiction", q.jurisdiction, "bps", chain.Uint(uint64(q.bps)), "tax_account", taxAccountString(d.TaxAccount), "via", via))
	return nil
}

// Claim pays the holder its entitlement (once).
func (k Keeper) Claim(ctx chain.Context, m *MsgClaim) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return k.pay(ctx, m.Distribution, m.Holder, viaClaim)
}

// Push queues payments to holders; EndBlock pays them.
func (k Keeper) Push(ctx chain.Context, m *MsgPush) error {
	if err := m.Validate(); err != nil {
		return err
	}
	d, err := k.distributionOf(ctx, m.Distribution)
	if err != nil {
		return err
	}
	if _, err := k.asPayer(ctx, d.Asset, m.Agent); err != nil {
		return err
	}
	if d.Status != StatusOpen {
		return ErrReclaimed.Wrapf("distribution %d was reclaimed at height %d", d.ID, d.ReclaimedHeight)
	}
	if now := ctx.Time.Unix(); now >= d.Expiry {
		return ErrExpired.Wrapf("distribution %d expired at %d (block time %d)", d.ID, d.Expiry, now)
	}
	var first uint64
	for i, h := range m.Holders {
		seq := k.next(ctx, keyPushSeq)
		if i == 0 {
			first = seq
		}
		k.set(ctx, queueKey(seq), &PushEntry{Seq: seq, Distribution: d.ID, Holder: h})
	}
	k.set(ctx, keyQueueLen, k.QueueLen(ctx)+uint64(len(m.Holders)))
	ctx.Emit(chain.NewEvent("distributions.push_queued", "distribution", chain.Uint(d.ID), "asset", d.Asset,
		"holders", chain.Uint(uint64(len(m.Holders))), "first", chain.Uint(first), "last", chain.Uint(first+uint64(len(m.Holders))-1),
		"by", m.Agent.String()))
	return nil
}

// QueueLen is the number of queued payments.
func (k Keeper) QueueLen(ctx chain.Context) uint64 { return k.seq(ctx, keyQueueLen) }

// Queue lists up to limit queued payments in the order they will be paid.
func (k Keeper) Queue(ctx chain.Context, limit int) []PushEntry {
	out := []PushEntry{}
	it := k.st(ctx).Iterator(keyQueue, store.PrefixEnd(keyQueue))
	defer it.Close()
	for ; it.Valid() && len(out) < limit; it.Next() {
		var e PushEntry
		k.get(ctx, it.Key(), &e)
		out = append(out, e)
	}
	return out
}

// PayQueue pays up to MaxPushesPerBlock queued payments, in queue order. Each runs in its own
// branch: a payment that is refused (paid already, frozen, paused cash, expired, …) is dropped
// with a distributions.push_skipped event and the holder keeps its right to claim.
func (k Keeper) PayQueue(ctx chain.Context) error {
	var keys [][]byte
	it := k.st(ctx).Iterator(keyQueue, store.PrefixEnd(keyQueue))
	for ; it.Valid() && len(keys) < MaxPushesPerBlock; it.Next() {
		keys = append(keys, append([]byte(nil), it.Key()...))
	}
	it.Close()
	if len(keys) == 0 {
		return nil
	}
	for _, key := range keys {
		var e PushEntry
		if !k.get(ctx, key, &e) {
			continue
		}
		k.st(ctx).Delete(key)
		branch := store.NewCache(ctx.KV())
		bctx := ctx.WithKV(branch)
		err := k.pay(bctx, e.Distribution, e.Holder, viaPush)
		if err == nil {
			branch.Write()
			for _, ev := range bctx.Events() {
				ctx.Emit(ev)
			}
			continue
		}
		var ce *codes.Error
		if !errors.As(err, &ce) {
			return err // a broken state, not a refusal
		}
		ctx.Emit(chain.NewEvent("distributions.push_skipped", "distribution", chain.Uint(e.Distribution), "holder", e.Holder.String(),
			"seq", chain.Uint(e.Seq), "code", fmt.Sprintf("%s:%d", ce.Module, ce.Code), "reason", ce.Msg))
	}
	n := k.QueueLen(ctx) - uint64(len(keys))
	if n == 0 {
		k.st(ctx).Delete(keyQueueLen)
	} else {
		k.set(ctx, keyQueueLen, n)
	}
	return nil
}

// Reclaim returns the unclaimed cash and the remainder of an expired distribution to the issuer.
func (k Keeper) Reclaim(ctx chain.Context, m *MsgReclaim) error {
	if err := m.Validate(); err != nil {
		return err
	}
	d, err := k.distributionOf(ctx, m.Distribution)
	if err != nil {
		return err
	}
	if _, err := k.asIssuer(ctx, d.Asset, m.Issuer); err != nil {
		return err
	}
	if d.Status != StatusOpen {
		return ErrReclaimed.Wrapf("distribution %d was reclaimed at height %d", d.ID, d.ReclaimedHeight)
	}
	if now := ctx.Time.Unix(); now < d.Expiry {
		return ErrNotExpired.Wrapf("distribution %d expires at %d; the block time is %d: holders may still claim", d.ID, d.Expiry, now)
	}
	cash, err := k.cashOf(ctx, d.Amount.Denom)
	if err != nil {
		return err
	}
	if cash.Paused {
		return ErrCashPaused.Wrapf("%s is paused by its controller (%s); reclaim once it is unpaused", cash.Denom, cash.PauseNote)
	}
	unclaimed, remainder, amount := d.Unclaimed(), d.Remainder, d.Outstanding()
	if amount != 0 {
		if err := k.bank.Send(ctx, EscrowAccount, m.Issuer, coin.New(d.Amount.Denom, amount)); err != nil {
			return err
		}
	}
	d.Reclaimed, d.Status, d.ReclaimedHeight = amount, StatusReclaimed, ctx.Height
	k.putDistribution(ctx, &d)
	ctx.Emit(chain.NewEvent("distributions.reclaimed", "distribution", chain.Uint(d.ID), "asset", d.Asset,
		"amount", coin.New(d.Amount.Denom, amount).String(), "unclaimed", chain.Uint(unclaimed), "remainder", chain.Uint(remainder),
		"to", m.Issuer.String()))
	return nil
}

// EndBlock takes the scheduled checkpoints that are due, then pays queued payments.
func (k Keeper) EndBlock(ctx chain.Context) error {
	k.TakeDue(ctx)
	return k.PayQueue(ctx)
}

// Entitlement answers what a holder is owed by a distribution: the payment made, or what a claim
// would pay now (withholding by the holder's jurisdiction at the block time) and whether it may.
type Entitlement struct {
	Distribution uint64          `json:"distribution"`
	Asset        string          `json:"asset"`
	Checkpoint   uint64          `json:"checkpoint"`
	Height       int64           `json:"checkpoint_height"`
	Holder       address.Address `json:"holder"`
	Balance      coin.Amount     `json:"balance,string"` // at the checkpoint
	Supply       coin.Amount     `json:"supply,string"`  // at the checkpoint
	Gross        coin.Coin       `json:"gross"`
	Withheld     coin.Coin       `json:"withheld"`
	Net          coin.Coin       `json:"net"`
	Jurisdiction string          `json:"jurisdiction,omitempty"`
	Bps          uint32          `json:"bps"`
	Paid         bool            `json:"paid"`
	Payment      *Payment        `json:"payment,omitempty"`
	Claimable    bool            `json:"claimable"`
	Reason       string          `json:"reason,omitempty"` // why a claim would be refused now
	Code         string          `json:"code,omitempty"`   // the code it would fail with
}

// EntitlementOf computes a holder's entitlement.
func (k Keeper) EntitlementOf(ctx chain.Context, id uint64, holder address.Address) (Entitlement, error) {
	d, err := k.distributionOf(ctx, id)
	if err != nil {
		return Entitlement{}, err
	}
	e := Entitlement{Distribution: d.ID, Asset: d.Asset, Checkpoint: d.Checkpoint, Height: d.Height, Holder: holder, Supply: d.Supply}
	cash := d.Amount.Denom
	if p, ok := k.Payment(ctx, id, holder); ok {
		e.Balance, e.Jurisdiction, e.Bps, e.Paid, e.Payment = p.Balance, p.Jurisdiction, p.Bps, true, &p
		e.Gross, e.Withheld, e.Net = coin.New(cash, p.Gross), coin.New(cash, p.Withheld), coin.New(cash, p.Net)
	} else {
		q, err := k.quote(ctx, d, holder)
		if err != nil {
			return e, err
		}
		e.Balance, e.Jurisdiction, e.Bps = q.balance, q.jurisdiction, q.bps
		e.Gross, e.Withheld, e.Net = coin.New(cash, q.gross), coin.New(cash, q.withheld), coin.New(cash, q.net)
	}
	if _, err := k.check(ctx, d, holder); err != nil {
		var ce *codes.Error
		if !errors.As(err, &ce) {
			return e, err
		}
		e.Reason, e.Code = ce.Msg, fmt.Sprintf("%s:%d", ce.Module, ce.Code)
	} else {
		e.Claimable = true
	}
	return e, nil
}

// queueSeqOf reads the sequence number of a queue key.
func queueSeqOf(key []byte) uint64 { return binary.BigEndian.Uint64(key[len(keyQueue):]) }
