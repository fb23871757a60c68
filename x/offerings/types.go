package offerings

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
)

// Offering statuses. An offering is open until its end time; then it is closing (the
// subscriptions are checked again by compliance until the soft cap is reached by those that
// pass, or all have been looked at), then settling (soft cap reached) or refunding (missed).
// An issuer's cancel turns an open offering into cancelling. Settling, refunding and cancelling
// work through the subscriptions a bounded number per block and end settled, refunded or
// cancelled.
const (
	StatusOpen       = "open"
	StatusClosing    = "closing"
	StatusSettling   = "settling"
	StatusRefunding  = "refunding"
	StatusCancelling = "cancelling"
	StatusSettled    = "settled"
	StatusRefunded   = "refunded"
	StatusCancelled  = "cancelled"
)

// Statuses lists every offering status in life-cycle order.
var Statuses = []string{StatusOpen, StatusClosing, StatusSettling, StatusRefunding, StatusCancelling,
	StatusSettled, StatusRefunded, StatusCancelled}

// Live reports whether an offering still holds tokens (and possibly cash) in escrow.
func Live(status string) bool {
	switch status {
	case StatusOpen, StatusClosing, StatusSettling, StatusRefunding, StatusCancelling:
		return true
	}
	return false
}

// working reports whether an offering is being worked through at the end of blocks.
func working(status string) bool { return Live(status) && status != StatusOpen }

// Subscription statuses.
const (
	SubPending  = "pending"  // cash in escrow, waiting for the end
	SubSettled  = "settled"  // tokens delivered, cash paid to the treasury
	SubRefunded = "refunded" // cash returned to the investor
)

// Limits.
const (
	MaxDuration     = 5 * 366 * 24 * 3600 // the longest subscription window, seconds
	MaxReasonLen    = 256                 // bytes of a cancel reason
	MaxTime         = int64(1) << 40      // a start or end must be a plausible unix time
	DefaultPerBlock = 500                 // subscriptions worked through per block, all offerings together
	MaxPerBlock     = 100_000             // the largest per-block budget params may set
	defaultPageSize = 100
	maxPageSize     = 500
	maxScan         = 10_000 // records one list query looks at
)

// Params are the module's settings (genesis; later chain governance).
type Params struct {
	// PerBlock is how many subscriptions the end of one block works through, over all
	// offerings (each compliance re-check, settlement or refund counts one; so does opening the
	// end of an offering and closing it).
	PerBlock uint32 `cbor:"1,keyasint" json:"per_block"`
}

// DefaultParams are the launch settings.
func DefaultParams() Params { return Params{PerBlock: DefaultPerBlock} }

// Validate checks the params.
func (p Params) Validate() error {
	if p.PerBlock == 0 || p.PerBlock > MaxPerBlock {
		return ErrInvalidMsg.Wrapf("per_block %d: want 1 to %d", p.PerBlock, MaxPerBlock)
	}
	return nil
}

// Offering is a primary sale of a security for a cash asset. Amounts of the security (caps,
// limits, subscribed, delivered, returned) are in the security's base units; CashEscrowed and
// Raised are in the cash asset's base units.
type Offering struct {
	ID             uint64          `cbor:"1,keyasint" json:"id"`
	Issuer         address.Address `cbor:"2,keyasint" json:"issuer"`
	Security       string          `cbor:"3,keyasint" json:"security"`
	Cash           string          `cbor:"4,keyasint" json:"cash"`
	PriceNum       uint64          `cbor:"5,keyasint" json:"price_num"` // cash base units per PriceDen security base units
	PriceDen       uint64          `cbor:"6,keyasint" json:"price_den"`
	SoftCap        coin.Amount     `cbor:"7,keyasint" json:"soft_cap,string"`
	HardCap        coin.Amount     `cbor:"8,keyasint" json:"hard_cap,string"`
	MinPerInvestor coin.Amount     `cbor:"9,keyasint" json:"min_per_investor,string"`
	MaxPerInvestor coin.Amount     `cbor:"10,keyasint" json:"max_per_investor,string"` // 0: up to the hard cap
	Start          int64           `cbor:"11,keyasint" json:"start"`                   // unix seconds (block time), inclusive
	End            int64           `cbor:"12,keyasint" json:"end"`                     // unix seconds, exclusive
	Treasury       address.Address `cbor:"13,keyasint" json:"treasury"`
	Status         string          `cbor:"14,keyasint" json:"status"`
	Height         int64           `cbor:"15,keyasint" json:"opened_height"`

	Subscribed   coin.Amount `cbor:"16,keyasint" json:"subscribed,string"`     // Σ subscriptions
	Subscribers  uint64      `cbor:"17,keyasint" json:"subscribers"`           // subscription records (accounts)
	CashEscrowed coin.Amount `cbor:"18,keyasint" json:"cash_escrowed,string"`  // cash in escrow for pending subscriptions
	Eligible     coin.Amount `cbor:"19,keyasint" json:"eligible,string"`       // closing: subscribed amounts compliance still allows
	Delivered    coin.Amount `cbor:"20,keyasint" json:"delivered,string"`      // tokens delivered to investors
	Raised       coin.Amount `cbor:"21,keyasint" json:"raised,string"`         // cash paid to the treasury
	Returned     coin.Amount `cbor:"22,keyasint" json:"returned,string"`       // unsold tokens returned to the issuer
	Settled      uint64      `cbor:"23,keyasint" json:"settled_subscriptions"` // subscriptions settled
	Refunded     uint64      `cbor:"24,keyasint" json:"refunded_subscriptions"`

	// Cursor is the investor of the last subscription worked through in the current pass
	// (closing, settling, refunding or cancelling); nil before the first.
	Cursor       *address.Address `cbor:"25,keyasint,omitempty" json:"cursor,omitempty"`
	CancelReason string           `cbor:"26,keyasint,omitempty" json:"cancel_reason,omitempty"`
	EndedHeight  int64            `cbor:"27,keyasint,omitempty" json:"ended_height,omitempty"`  // the block that judged the soft cap (or cancelled)
	ClosedHeight int64            `cbor:"28,keyasint,omitempty" json:"closed_height,omitempty"` // the block that finished the offering
	// CancelledByDAO is set when the security's DAO (authority.DAO(Security)) cancelled it.
	CancelledByDAO bool `cbor:"29,keyasint,omitempty" json:"cancelled_by_dao,omitempty"`
}

// Cost is what an amount of the security costs in the cash asset at the offering's price.
func (o Offering) Cost(amount coin.Amount) (coin.Amount, error) {
	return Cost(amount, o.PriceNum, o.PriceDen)
}

// InEscrow is the offering's security tokens in escrow: the hard cap less what was delivered
// and returned.
func (o Offering) InEscrow() coin.Amount {
	left, err := o.HardCap.Sub(o.Delivered)
	if err == nil {
		left, err = left.Sub(o.Returned)
	}
	if err != nil {
		return 0 // a broken offering; the invariants report it
	}
	return left
}

// Cost is ⌈amount × num / den⌉: the cash an investor pays for amount base units of the security
// at a price of num cash base units per den security base units. It rounds up, so the project
// is never paid less than the exact price; the investor pays at most one cash base unit more.
func Cost(amount coin.Amount, num, den uint64) (coin.Amount, error) {
	q, rem, err := amount.MulDiv(num, den)
	if err != nil {
		return 0, err
	}
	if rem != 0 {
		return q.Add(1)
	}
	return q, nil
}

// Subscription is one account's subscription to an offering: the security amount it asked for
// (over one or more subscribe msgs) and the cash it paid into escrow, which is always
// Cost(Amount).
type Subscription struct {
	Offering uint64          `cbor:"1,keyasint" json:"offering"`
	Investor address.Address `cbor:"2,keyasint" json:"investor"`
	Amount   coin.Amount     `cbor:"3,keyasint" json:"amount,string"` // security base units
	Cash     coin.Amount     `cbor:"4,keyasint" json:"cash,string"`   // cash base units in escrow (pending) or paid/refunded
	// CountedAs is the investor the per-investor limits count this subscription under, fixed at
	// its first subscribe: "identity:<id>" when the account belonged to an identity, else
	// "account:<address>".
	CountedAs string `cbor:"5,keyasint" json:"counted_as"`
	Status    string `cbor:"6,keyasint" json:"status"`
	Height    int64  `cbor:"7,keyasint" json:"height"`  // first subscribe
	Time      int64  `cbor:"8,keyasint" json:"time"`    // first subscribe, unix seconds
	Updated   int64  `cbor:"9,keyasint" json:"updated"` // height of the last subscribe
	// ClosedHeight is when it settled or was refunded; Reason says why a refund happened.
	ClosedHeight int64  `cbor:"10,keyasint,omitempty" json:"closed_height,omitempty"`
	Reason       string `cbor:"11,keyasint,omitempty" json:"reason,omitempty"`
}

func countedAsIdentity(id string) string        { return "identity:" + id }
func countedAsAccount(a address.Address) string { return "account:" + a.String() }
