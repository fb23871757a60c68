package bank

import (
	"errors"
	"fmt"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
)

// MaxOutputs bounds a multi-send.
const MaxOutputs = 256

// MsgSend moves Amount from From to To.
type MsgSend struct {
	From   address.Address `cbor:"1,keyasint" json:"from"`
	To     address.Address `cbor:"2,keyasint" json:"to"`
	Amount coin.Coin       `cbor:"3,keyasint" json:"amount"`
}

func (*MsgSend) MsgType() string           { return "bank/send" }
func (m *MsgSend) Signer() address.Address { return m.From }
func (m *MsgSend) Validate() error {
	if m.To.IsZero() || m.From.IsZero() {
		return errors.New("zero address")
	}
	if m.From == m.To {
		return fmt.Errorf("sending to self (%s) is not allowed", m.From)
	}
	return m.Amount.Validate()
}

// Output is one recipient of a multi-send.
type Output struct {
	To     address.Address `cbor:"1,keyasint" json:"to"`
	Amount coin.Coin       `cbor:"2,keyasint" json:"amount"`
}

// MsgMultiSend pays several recipients from one account, all or nothing.
type MsgMultiSend struct {
	From    address.Address `cbor:"1,keyasint" json:"from"`
	Outputs []Output        `cbor:"2,keyasint" json:"outputs"`
}

func (*MsgMultiSend) MsgType() string           { return "bank/multi_send" }
func (m *MsgMultiSend) Signer() address.Address { return m.From }
func (m *MsgMultiSend) Validate() error {
	if m.From.IsZero() {
		return errors.New("zero address")
	}
	if len(m.Outputs) == 0 || len(m.Outputs) > MaxOutputs {
		return fmt.Errorf("%d outputs: want 1 to %d", len(m.Outputs), MaxOutputs)
	}
	for i, o := range m.Outputs {
		if o.To.IsZero() {
			return fmt.Errorf("output %d: zero address", i)
		}
		if o.To == m.From {
			return fmt.Errorf("output %d: sending to self (%s) is not allowed", i, m.From)
		}
		if err := o.Amount.Validate(); err != nil {
			return fmt.Errorf("output %d: %w", i, err)
		}
	}
	return nil
}

// GasItems is the number of outputs (gas is charged per output).
func (m *MsgMultiSend) GasItems() uint64 { return uint64(len(m.Outputs)) }
