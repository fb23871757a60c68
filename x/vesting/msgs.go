package vesting

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
)

// MsgGrant moves Amount from the grantor into the grantee's account, locked by Schedule: the
// tokens are in the grantee's balance (they count for voting) but the locked part cannot leave
// it. Clawback lets the grantor take back the unvested part later. An account may receive several
// grants; each is separate, with its own id. Signed by the grantor.
type MsgGrant struct {
	Grantor  address.Address `cbor:"1,keyasint" json:"grantor"`
	Grantee  address.Address `cbor:"2,keyasint" json:"grantee"`
	Amount   coin.Coin       `cbor:"3,keyasint" json:"amount"`
	Schedule Schedule        `cbor:"4,keyasint" json:"schedule"`
	Clawback bool            `cbor:"5,keyasint,omitempty" json:"clawback,omitempty"`
	Memo     string          `cbor:"6,keyasint,omitempty" json:"memo,omitempty"`
}

func (*MsgGrant) MsgType() string           { return "vesting/grant" }
func (m *MsgGrant) Signer() address.Address { return m.Grantor }
func (m *MsgGrant) Validate() error {
	if m.Grantor.IsZero() || m.Grantee.IsZero() {
		return ErrInvalidMsg.Wrapf("zero grantor or grantee address")
	}
	if m.Grantor == m.Grantee {
		return ErrInvalidMsg.Wrapf("%s cannot grant to itself", m.Grantor)
	}
	if err := m.Amount.Validate(); err != nil {
		return ErrInvalidMsg.Wrapf("amount: %v", err)
	}
	if len(m.Memo) > MaxMemoLen {
		return ErrInvalidMsg.Wrapf("memo of %d bytes: at most %d", len(m.Memo), MaxMemoLen)
	}
	return m.Schedule.validate(m.Amount.Amount)
}

// GasItems is the number of periods (gas is charged per period).
func (m *MsgGrant) GasItems() uint64 { return uint64(len(m.Schedule.Periods)) }

// MsgClawback takes back the unvested part of a clawback-able grant into the grantor's account;
// the vested part stays with the grantee. Reason is recorded. Signed by the grantor.
type MsgClawback struct {
	Grantor address.Address `cbor:"1,keyasint" json:"grantor"`
	Grant   uint64          `cbor:"2,keyasint" json:"grant"`
	Reason  string          `cbor:"3,keyasint" json:"reason"`
}

func (*MsgClawback) MsgType() string           { return "vesting/clawback" }
func (m *MsgClawback) Signer() address.Address { return m.Grantor }
func (m *MsgClawback) Validate() error {
	if m.Grantor.IsZero() {
		return ErrInvalidMsg.Wrapf("zero grantor address")
	}
	if m.Grant == 0 {
		return ErrInvalidMsg.Wrapf("grant id 0: ids start at 1")
	}
	if m.Reason == "" || len(m.Reason) > MaxReasonLen {
		return ErrInvalidMsg.Wrapf("reason of %d bytes: a clawback says why, in 1 to %d bytes", len(m.Reason), MaxReasonLen)
	}
	return nil
}
