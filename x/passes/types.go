package passes

import (
	"crypto/ed25519"
	"strings"
	"unicode/utf8"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/projects"
)

// Limits.
const (
	MaxNameLen = 128    // bytes of a class's name
	MaxUses    = 10_000 // uses of a limited pass
	// MaxDuration is the longest from_opening validity and the longest extension: ten years with
	// their leap days (3,653 days).
	MaxDuration = 3_653 * 24 * 3600
	// MaxQuantity is the most passes one buy creates.
	MaxQuantity = 100
	// MaxBatch is the most uses one redeem msg records.
	MaxBatch = 100
	// MaxPassesPerBlock bounds the passes the end of a block expires (the rest wait a block).
	MaxPassesPerBlock = 100
	// MaxLatePerBlock bounds the classes the end of a block finds late (O(1) each).
	MaxLatePerBlock = 100
	// MaxClassesPerProject bounds a project's classes: opening the service visits each once.
	MaxClassesPerProject = 256
	// TicketMaxAge is how long before the block time a ticket may have been shown at a gate
	// (offline gates submit their uses late); TicketMaxAhead how far after it (clock skew).
	TicketMaxAge = 86_400
	// MaxOpeningAge is how long before the block time a service opening may be recorded.
	MaxOpeningAge  = 86_400
	TicketMaxAhead = 60
	// BpsDenominator: RefundBps is in basis points of the price paid.
	BpsDenominator  = 10_000
	defaultPageSize = 100
	maxPageSize     = 500
)

// Validity kinds of a class.
const (
	// ValidityFromOpening: a pass is valid from the project's service opening for Duration
	// seconds (not usable before the opening).
	ValidityFromOpening = "from_opening"
	// ValidityFixed: a pass is valid from Start to End (unix seconds).
	ValidityFixed = "fixed"
)

// Late-service policies: what happens when the promised opening passes and the service is not
// open.
const (
	LateRefund = "refund" // holders may claim RefundBps of the price they paid back
	LateExtend = "extend" // the validity end moves by ExtendBy, once
)

// Class statuses.
const (
	ClassOnSale = "on_sale"
	ClassClosed = "closed" // sales stopped by the creator or an operator
	ClassLate   = "late"   // the promised opening passed before the service opened: no more sales
)

// Pass statuses.
const (
	PassActive   = "active"
	PassUsedUp   = "used_up"  // every use of a limited pass was redeemed
	PassExpired  = "expired"  // its validity ended; what was still deferred became earned
	PassRefunded = "refunded" // refunded under a late class's refund policy
)

// Validity says when the passes of a class may be used.
type Validity struct {
	Kind     string `cbor:"1,keyasint" json:"kind"`
	Duration int64  `cbor:"2,keyasint,omitempty" json:"duration,omitempty"` // from_opening: seconds
	Start    int64  `cbor:"3,keyasint,omitempty" json:"start,omitempty"`    // fixed: unix seconds
	End      int64  `cbor:"4,keyasint,omitempty" json:"end,omitempty"`      // fixed: unix seconds
}

// LatePolicy is what a class promises if the service has not opened by PromisedOpening.
type LatePolicy struct {
	Policy    string `cbor:"1,keyasint,omitempty" json:"policy,omitempty"`
	RefundBps uint32 `cbor:"2,keyasint,omitempty" json:"refund_bps,omitempty"` // refund: 1..10000 of the price paid
	ExtendBy  int64  `cbor:"3,keyasint,omitempty" json:"extend_by,omitempty"`  // extend: seconds
}

// Class is a kind of pass a project sells: its price, uses, validity, transfer policy, supply,
// sale window and late-service policy.
type Class struct {
	ID      uint64    `cbor:"1,keyasint" json:"id"`
	Project string    `cbor:"2,keyasint" json:"project"`
	Name    string    `cbor:"3,keyasint" json:"name"`
	Price   coin.Coin `cbor:"4,keyasint" json:"price"` // in a cash asset of x/assets
	// Uses is the number of uses of each pass; 0: unlimited within the validity.
	Uses         uint32   `cbor:"5,keyasint,omitempty" json:"uses"`
	Validity     Validity `cbor:"6,keyasint" json:"validity"`
	Transferable bool     `cbor:"7,keyasint,omitempty" json:"transferable"`
	MaxSupply    uint64   `cbor:"8,keyasint" json:"max_supply"`
	Sold         uint64   `cbor:"9,keyasint,omitempty" json:"sold"` // passes sold
	// PromisedOpening is when the service is promised to open (unix; 0: no promise, fixed only).
	PromisedOpening int64      `cbor:"10,keyasint,omitempty" json:"promised_opening,omitempty"`
	Late            LatePolicy `cbor:"11,keyasint" json:"late"`
	SaleStart       int64      `cbor:"12,keyasint,omitempty" json:"sale_start,omitempty"` // 0: from creation
	SaleEnd         int64      `cbor:"13,keyasint,omitempty" json:"sale_end,omitempty"`   // 0: no end
	SaleCap         uint64     `cbor:"14,keyasint,omitempty" json:"sale_cap,omitempty"`   // 0: MaxSupply
	// ComplianceAsset is an asset of kind pass whose compliance rules judge every sale and
	// transfer (a decision on as many units of it as passes move: the quantity bought, from the
	// creator to the buyer; 1 for a transfer between holders).
	ComplianceAsset string          `cbor:"15,keyasint,omitempty" json:"compliance_asset,omitempty"`
	Status          string          `cbor:"16,keyasint" json:"status"`
	Extended        bool            `cbor:"17,keyasint,omitempty" json:"extended,omitempty"` // the extend policy applied
	Creator         address.Address `cbor:"18,keyasint" json:"creator"`
	Height          int64           `cbor:"19,keyasint" json:"created_height"`
	Time            int64           `cbor:"20,keyasint" json:"created_time"`
}

// Cap is the most passes of the class that may be sold: SaleCap, or MaxSupply when SaleCap is 0.
func (c Class) Cap() uint64 {
	if c.SaleCap != 0 && c.SaleCap < c.MaxSupply {
		return c.SaleCap
	}
	return c.MaxSupply
}

// Extension is what the extend policy added to the validity end (0 until it applied).
func (c Class) Extension() int64 {
	if c.Extended {
		return c.Late.ExtendBy
	}
	return 0
}

// Window is when the class's passes are valid, given the project's service opening (0: not
// open): fixed → [Start, End + extension]; from_opening → [opened, opened + Duration +
// extension] once opened. known is false while a from_opening class waits for the opening.
func (c Class) Window(opened int64) (start, end int64, known bool) {
	if c.Validity.Kind == ValidityFixed {
		return c.Validity.Start, c.Validity.End + c.Extension(), true
	}
	if opened == 0 {
		return 0, 0, false
	}
	return opened, opened + c.Validity.Duration + c.Extension(), true
}

// usable is when the class's passes may be used, given the service opening (0: not open): its
// Window, but a class with a promised opening is usable only from the service opening (a use of
// a service that does not exist yet makes no sense, and would cost the holder the late-service
// refund). known is false while such a class waits for the opening.
func (c Class) usable(opened int64) (start, end int64, known bool) {
	start, end, known = c.Window(opened)
	if c.PromisedOpening != 0 {
		if opened == 0 {
			return 0, 0, false
		}
		start = max(start, opened)
	}
	return start, end, known
}

// Pass is one prepaid pass, held by an account (not fungible: each has its own uses).
type Pass struct {
	ID     uint64          `cbor:"1,keyasint" json:"id"`
	Class  uint64          `cbor:"2,keyasint" json:"class"`
	Holder address.Address `cbor:"3,keyasint" json:"holder"`
	Paid   coin.Coin       `cbor:"4,keyasint" json:"paid"` // the price at purchase
	// UsesLeft is what is left of a limited pass (0 for unlimited); Used how many were redeemed.
	UsesLeft uint32 `cbor:"5,keyasint,omitempty" json:"uses_left"`
	Used     uint32 `cbor:"6,keyasint,omitempty" json:"used"`
	// Deferred is what is still deferred (prepaid, not earned) of Paid, held in the escrow.
	Deferred coin.Amount `cbor:"7,keyasint,omitempty" json:"deferred,string"`
	Status   string      `cbor:"8,keyasint" json:"status"`
	Height   int64       `cbor:"9,keyasint" json:"bought_height"`
	Time     int64       `cbor:"10,keyasint" json:"bought_time"`
	// LastUse is the gate time of the last redemption (0: never used); never after the validity end.
	LastUse int64 `cbor:"11,keyasint,omitempty" json:"last_use,omitempty"`
}

// Service is a project's service: when it opened (0: not yet), recorded once.
type Service struct {
	Project  string          `cbor:"1,keyasint" json:"project"`
	Opened   int64           `cbor:"2,keyasint" json:"opened"`
	OpenedBy address.Address `cbor:"3,keyasint" json:"opened_by"`
	Height   int64           `cbor:"4,keyasint" json:"height"`
}

// Revenue is the pass revenue of a project in one cash denom: Sold = Deferred + Earned +
// Refunded. Deferred is held in the escrow; Earned was paid to the project's treasury as it was
// recognised (per use, at expiry, or the unrefunded part of a refunded pass); Refunded went back
// to holders.
type Revenue struct {
	Project  string      `cbor:"1,keyasint" json:"project"`
	Denom    string      `cbor:"2,keyasint" json:"denom"`
	Sold     coin.Amount `cbor:"3,keyasint" json:"sold,string"`
	Deferred coin.Amount `cbor:"4,keyasint" json:"deferred,string"`
	Earned   coin.Amount `cbor:"5,keyasint" json:"earned,string"`
	Refunded coin.Amount `cbor:"6,keyasint" json:"refunded,string"`
}

// ---- tickets ----

// TicketDomain is the domain tag before the CBOR of a ticket in what a holder signs.
const TicketDomain = "girder/pass-ticket/v1"

// Ticket is what a holder presents at a gate: signed with the holder's ed25519 key, it names the
// chain, the pass, the holder, the use it is (Seq = uses redeemed before + 1) and the gate time.
// A gate checks it offline (VerifyTicket, and the pass's validity and uses from a pass list it
// holds) and submits it to the chain later in a redeem batch.
type Ticket struct {
	ChainID string          `cbor:"1,keyasint" json:"chain_id"`
	Pass    uint64          `cbor:"2,keyasint" json:"pass"`
	Holder  address.Address `cbor:"3,keyasint" json:"holder"`
	Seq     uint32          `cbor:"4,keyasint" json:"seq"`
	Time    int64           `cbor:"5,keyasint" json:"time"` // unix seconds, the gate's clock
}

// TicketSignBytes is what a holder signs for t: TicketDomain ‖ CBOR(t).
func TicketSignBytes(t Ticket) []byte {
	return append([]byte(TicketDomain), canon.MustMarshal(&t)...)
}

// SignTicket signs t with sign (a holder's ed25519 signer, e.g. a keyring key's Sign): the
// signature a Use carries.
func SignTicket(t Ticket, sign func([]byte) []byte) []byte { return sign(TicketSignBytes(t)) }

// VerifyTicket reports whether sig is pub's ed25519 signature of t and pub is the key of
// t.Holder. It reads no state: a gate checks a ticket offline with it (and the pass's validity
// and uses from its pass list).
func VerifyTicket(pub []byte, t Ticket, sig []byte) bool {
	return address.FromPubKey(tx.KeyEd25519, pub) == t.Holder && signed(pub, t, sig)
}

// signed reports whether sig is pub's ed25519 signature of t (the holder's key is checked apart:
// VerifyTicket, or redemption against the pass's holder).
func signed(pub []byte, t Ticket, sig []byte) bool {
	if len(pub) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
		return false
	}
	return ed25519.Verify(pub, TicketSignBytes(t), sig)
}

// ---- validation helpers ----

func validTime(what string, t int64) error {
	if t <= 0 || t > projects.MaxTime { // a plausible unix time (seconds)
		return ErrInvalidMsg.Wrapf("%s %d: want a unix time in seconds", what, t)
	}
	return nil
}

func validText(what, s string, max int) error {
	if strings.TrimSpace(s) == "" {
		return ErrInvalidMsg.Wrapf("give a %s", what)
	}
	if len(s) > max {
		return ErrInvalidMsg.Wrapf("%s has %d bytes, at most %d", what, len(s), max)
	}
	if !utf8.ValidString(s) {
		return ErrInvalidMsg.Wrapf("%s is not valid UTF-8", what)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return ErrInvalidMsg.Wrapf("%s %q: no control characters", what, s)
		}
	}
	return nil
}

// validate checks a validity (stateless).
func (v Validity) validate() error {
	switch v.Kind {
	case ValidityFromOpening:
		if v.Start != 0 || v.End != 0 {
			return ErrInvalidMsg.Wrapf("a from_opening validity has no start or end: it runs from the service opening for its duration")
		}
		if v.Duration < 1 || v.Duration > MaxDuration {
			return ErrInvalidMsg.Wrapf("validity duration %d s: want 1 s to %d s (10 years)", v.Duration, MaxDuration)
		}
	case ValidityFixed:
		if v.Duration != 0 {
			return ErrInvalidMsg.Wrapf("a fixed validity has no duration: it runs from its start to its end")
		}
		if err := validTime("validity start", v.Start); err != nil {
			return err
		}
		if err := validTime("validity end", v.End); err != nil {
			return err
		}
		if v.End <= v.Start {
			return ErrInvalidMsg.Wrapf("validity end %s is not after its start %s", chain.Unix(v.End), chain.Unix(v.Start))
		}
	default:
		return ErrInvalidMsg.Wrapf("validity kind %q: want %s or %s", v.Kind, ValidityFromOpening, ValidityFixed)
	}
	return nil
}

// validate checks a late policy, required when there is a promised opening (stateless).
func (l LatePolicy) validate(promised int64) error {
	if promised == 0 {
		if l != (LatePolicy{}) {
			return ErrInvalidMsg.Wrapf("a late-service policy needs a promised opening date")
		}
		return nil
	}
	switch l.Policy {
	case LateRefund:
		if l.ExtendBy != 0 {
			return ErrInvalidMsg.Wrapf("a refund policy has no extend_by")
		}
		if l.RefundBps < 1 || l.RefundBps > BpsDenominator {
			return ErrInvalidMsg.Wrapf("refund_bps %d: want 1 to %d (basis points of the price paid)", l.RefundBps, BpsDenominator)
		}
	case LateExtend:
		if l.RefundBps != 0 {
			return ErrInvalidMsg.Wrapf("an extend policy has no refund_bps")
		}
		if l.ExtendBy < 1 || l.ExtendBy > MaxDuration {
			return ErrInvalidMsg.Wrapf("extend_by %d s: want 1 s to %d s (10 years)", l.ExtendBy, MaxDuration)
		}
	default:
		return ErrInvalidMsg.Wrapf("late-service policy %q: want %s or %s (a promised opening date needs one)", l.Policy, LateRefund, LateExtend)
	}
	return nil
}
