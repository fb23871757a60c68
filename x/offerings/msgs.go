package offerings

import (
	"unicode/utf8"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
)

// MsgOpen opens an offering of Security (a security asset issued by the signer) for Cash (a
// cash asset) at a price of PriceNum cash base units per PriceDen security base units. The hard
// cap of the security moves from the issuer into the offering escrow at once, so that delivery
// is guaranteed; what is not sold returns at the end. Investors subscribe from Start (inclusive)
// to End (exclusive), unix seconds of block time. The soft cap is the least that must be sold
// (0: no minimum); each investor (identity) subscribes at least MinPerInvestor (0: no minimum)
// and at most MaxPerInvestor (0: up to the hard cap). Treasury receives the cash (default: the
// issuer).
type MsgOpen struct {
	Issuer         address.Address `cbor:"1,keyasint" json:"issuer"`
	Security       string          `cbor:"2,keyasint" json:"security"`
	Cash           string          `cbor:"3,keyasint" json:"cash"`
	PriceNum       uint64          `cbor:"4,keyasint" json:"price_num"`
	PriceDen       uint64          `cbor:"5,keyasint" json:"price_den"`
	SoftCap        coin.Amount     `cbor:"6,keyasint,omitempty" json:"soft_cap,string"`
	HardCap        coin.Amount     `cbor:"7,keyasint" json:"hard_cap,string"`
	MinPerInvestor coin.Amount     `cbor:"8,keyasint,omitempty" json:"min_per_investor,string"`
	MaxPerInvestor coin.Amount     `cbor:"9,keyasint,omitempty" json:"max_per_investor,string"`
	Start          int64           `cbor:"10,keyasint" json:"start"`
	End            int64           `cbor:"11,keyasint" json:"end"`
	Treasury       address.Address `cbor:"12,keyasint,omitzero" json:"treasury,omitzero"`
}

func (*MsgOpen) MsgType() string           { return "offerings/open" }
func (m *MsgOpen) Signer() address.Address { return m.Issuer }
func (m *MsgOpen) Validate() error {
	if m.Issuer.IsZero() {
		return ErrInvalidMsg.Wrapf("zero issuer address")
	}
	return validateTerms(m.Security, m.Cash, m.PriceNum, m.PriceDen, m.SoftCap, m.HardCap, m.MinPerInvestor, m.MaxPerInvestor, m.Start, m.End)
}

// validateTerms checks an offering's terms without reading state (msgs and genesis).
func validateTerms(security, cash string, num, den uint64, soft, hard, min, max coin.Amount, start, end int64) error {
	if err := coin.ValidateDenom(security); err != nil {
		return ErrInvalidMsg.Wrapf("security: %v", err)
	}
	if err := coin.ValidateDenom(cash); err != nil {
		return ErrInvalidMsg.Wrapf("cash: %v", err)
	}
	if security == cash {
		return ErrInvalidMsg.Wrapf("security and cash are both %s", cash)
	}
	if num == 0 || den == 0 {
		return ErrInvalidMsg.Wrapf("price %d/%d: numerator and denominator must be positive", num, den)
	}
	switch {
	case hard == 0:
		return ErrInvalidMsg.Wrapf("hard cap must be positive")
	case soft > hard:
		return ErrInvalidMsg.Wrapf("soft cap %d exceeds the hard cap %d", soft, hard)
	case max != 0 && min > max:
		return ErrInvalidMsg.Wrapf("minimum per investor %d exceeds the maximum %d", min, max)
	case max > hard:
		return ErrInvalidMsg.Wrapf("maximum per investor %d exceeds the hard cap %d", max, hard)
	case min > hard:
		return ErrInvalidMsg.Wrapf("minimum per investor %d exceeds the hard cap %d", min, hard)
	}
	if _, err := Cost(hard, num, den); err != nil {
		return ErrInvalidMsg.Wrapf("the hard cap costs more than the largest amount at price %d/%d", num, den)
	}
	switch {
	case start < 0 || start > MaxTime || end < 0 || end > MaxTime:
		return ErrInvalidMsg.Wrapf("start %d, end %d: want unix seconds", start, end)
	case end <= start:
		return ErrInvalidMsg.Wrapf("end %d is not after start %d", end, start)
	case end-start > MaxDuration:
		return ErrInvalidMsg.Wrapf("window of %d s: at most %d (5 years)", end-start, MaxDuration)
	}
	return nil
}

// MsgSubscribe subscribes Amount base units of the offering's security for Investor, who pays
// their cost into escrow now. A second subscribe of the same account adds to its subscription.
type MsgSubscribe struct {
	Investor address.Address `cbor:"1,keyasint" json:"investor"`
	Offering uint64          `cbor:"2,keyasint" json:"offering"`
	Amount   coin.Amount     `cbor:"3,keyasint" json:"amount,string"`
}

func (*MsgSubscribe) MsgType() string           { return "offerings/subscribe" }
func (m *MsgSubscribe) Signer() address.Address { return m.Investor }
func (m *MsgSubscribe) Validate() error {
	if m.Investor.IsZero() {
		return ErrInvalidMsg.Wrapf("zero investor address")
	}
	if m.Offering == 0 {
		return ErrInvalidMsg.Wrapf("offering id 0: ids start at 1")
	}
	if m.Amount == 0 {
		return ErrInvalidMsg.Wrapf("amount must be positive")
	}
	return nil
}

// MsgCancel cancels an open offering before its end: every subscriber is refunded and the
// tokens return to the issuer (over the next blocks). Signed by the offering's issuer, or by the
// DAO of its security (authority.DAO(security), through a proposal).
type MsgCancel struct {
	Issuer   address.Address `cbor:"1,keyasint" json:"issuer"`
	Offering uint64          `cbor:"2,keyasint" json:"offering"`
	Reason   string          `cbor:"3,keyasint" json:"reason"`
}

func (*MsgCancel) MsgType() string           { return "offerings/cancel" }
func (m *MsgCancel) Signer() address.Address { return m.Issuer }
func (m *MsgCancel) Validate() error {
	if m.Issuer.IsZero() {
		return ErrInvalidMsg.Wrapf("zero issuer address")
	}
	if m.Offering == 0 {
		return ErrInvalidMsg.Wrapf("offering id 0: ids start at 1")
	}
	if m.Reason == "" {
		return ErrInvalidMsg.Wrapf("give a reason")
	}
	if len(m.Reason) > MaxReasonLen || !utf8.ValidString(m.Reason) {
		return ErrInvalidMsg.Wrapf("reason: at most %d bytes of UTF-8", MaxReasonLen)
	}
	return nil
}
