package assets

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
)

func validDenom(d string) error {
	if err := coin.ValidateDenom(d); err != nil {
		return ErrInvalidMsg.Wrap(err)
	}
	return nil
}

func nonZero(what string, a address.Address) error {
	if a.IsZero() {
		return ErrInvalidMsg.Wrapf("zero %s address", what)
	}
	return nil
}

// MsgCreate creates an asset. A cash asset needs the cash_issuer role, any other kind the
// asset_issuer role. Controller defaults to the issuer; MaxSupply 0 means no limit.
type MsgCreate struct {
	Issuer     address.Address `cbor:"1,keyasint" json:"issuer"`
	Denom      string          `cbor:"2,keyasint" json:"denom"`
	Kind       string          `cbor:"3,keyasint" json:"kind"`
	Name       string          `cbor:"4,keyasint" json:"name"`
	Symbol     string          `cbor:"5,keyasint" json:"symbol"`
	Decimals   uint8           `cbor:"6,keyasint" json:"decimals"`
	MaxSupply  coin.Amount     `cbor:"7,keyasint,omitempty" json:"max_supply,omitempty,string"`
	Project    string          `cbor:"8,keyasint,omitempty" json:"project,omitempty"`
	Controller address.Address `cbor:"9,keyasint,omitzero" json:"controller,omitzero"`
}

func (*MsgCreate) MsgType() string           { return "assets/create" }
func (m *MsgCreate) Signer() address.Address { return m.Issuer }
func (m *MsgCreate) Validate() error {
	if err := nonZero("issuer", m.Issuer); err != nil {
		return err
	}
	if err := validDenom(m.Denom); err != nil {
		return err
	}
	if err := validKind(m.Kind); err != nil {
		return err
	}
	if err := validText("name", m.Name, MaxNameLen, true); err != nil {
		return err
	}
	if err := validSymbol(m.Symbol); err != nil {
		return err
	}
	if m.Symbol == m.Denom {
		return ErrInvalidMsg.Wrapf("symbol and denom are both %q: the symbol is the display unit, the denom the base unit (e.g. BRIDGE and ubridge)", m.Symbol)
	}
	if m.Decimals > MaxDecimals {
		return ErrInvalidMsg.Wrapf("decimals %d: at most %d", m.Decimals, MaxDecimals)
	}
	return validText("project", m.Project, MaxProjectLen, false)
}

// MsgMint creates Amount of Denom in account To (the issuer when zero), within the maximum supply.
// A mint to another account is decided by compliance like a transfer from the issuer.
type MsgMint struct {
	Issuer address.Address `cbor:"1,keyasint" json:"issuer"`
	Denom  string          `cbor:"2,keyasint" json:"denom"`
	Amount coin.Amount     `cbor:"3,keyasint" json:"amount,string"`
	To     address.Address `cbor:"4,keyasint,omitzero" json:"to,omitzero"`
}

func (*MsgMint) MsgType() string           { return "assets/mint" }
func (m *MsgMint) Signer() address.Address { return m.Issuer }
func (m *MsgMint) Validate() error         { return validAmountMsg(m.Issuer, m.Denom, m.Amount) }

// MsgBurn destroys Amount of Denom from the issuer's own balance.
type MsgBurn struct {
	Issuer address.Address `cbor:"1,keyasint" json:"issuer"`
	Denom  string          `cbor:"2,keyasint" json:"denom"`
	Amount coin.Amount     `cbor:"3,keyasint" json:"amount,string"`
}

func (*MsgBurn) MsgType() string           { return "assets/burn" }
func (m *MsgBurn) Signer() address.Address { return m.Issuer }
func (m *MsgBurn) Validate() error         { return validAmountMsg(m.Issuer, m.Denom, m.Amount) }

func validAmountMsg(issuer address.Address, denom string, amount coin.Amount) error {
	if err := nonZero("issuer", issuer); err != nil {
		return err
	}
	if err := validDenom(denom); err != nil {
		return err
	}
	if amount == 0 {
		return ErrInvalidMsg.Wrapf("amount must be positive")
	}
	return nil
}

// MsgSetDocument adds a document to an asset, or a new version of one with the same name.
type MsgSetDocument struct {
	Issuer address.Address `cbor:"1,keyasint" json:"issuer"`
	Denom  string          `cbor:"2,keyasint" json:"denom"`
	Name   string          `cbor:"3,keyasint" json:"name"`
	URI    string          `cbor:"4,keyasint" json:"uri"`
	Hash   Hash            `cbor:"5,keyasint" json:"hash"`
}

func (*MsgSetDocument) MsgType() string           { return "assets/set_document" }
func (m *MsgSetDocument) Signer() address.Address { return m.Issuer }
func (m *MsgSetDocument) Validate() error {
	if err := nonZero("issuer", m.Issuer); err != nil {
		return err
	}
	if err := validDenom(m.Denom); err != nil {
		return err
	}
	if err := validText("document name", m.Name, MaxDocNameLen, true); err != nil {
		return err
	}
	if err := validText("uri", m.URI, MaxURILen, true); err != nil {
		return err
	}
	if m.Hash.IsZero() {
		return ErrInvalidMsg.Wrapf("give the document's SHA-256 content hash")
	}
	return nil
}

// MsgRemoveDocument removes a document (its history stays).
type MsgRemoveDocument struct {
	Issuer address.Address `cbor:"1,keyasint" json:"issuer"`
	Denom  string          `cbor:"2,keyasint" json:"denom"`
	Name   string          `cbor:"3,keyasint" json:"name"`
}

func (*MsgRemoveDocument) MsgType() string           { return "assets/remove_document" }
func (m *MsgRemoveDocument) Signer() address.Address { return m.Issuer }
func (m *MsgRemoveDocument) Validate() error {
	if err := nonZero("issuer", m.Issuer); err != nil {
		return err
	}
	if err := validDenom(m.Denom); err != nil {
		return err
	}
	return validText("document name", m.Name, MaxDocNameLen, true)
}

// Controller actions: each carries a reason, recorded in its event.

// MsgFreeze freezes Account's holding of Denom: all of it (Amount 0) or Amount.
type MsgFreeze struct {
	Controller address.Address `cbor:"1,keyasint" json:"controller"`
	Denom      string          `cbor:"2,keyasint" json:"denom"`
	Account    address.Address `cbor:"3,keyasint" json:"account"`
	Amount     coin.Amount     `cbor:"4,keyasint,omitempty" json:"amount,omitempty,string"`
	Reason     string          `cbor:"5,keyasint" json:"reason"`
}

func (*MsgFreeze) MsgType() string           { return "assets/freeze" }
func (m *MsgFreeze) Signer() address.Address { return m.Controller }
func (m *MsgFreeze) Validate() error         { return validAction(m.Controller, m.Denom, m.Reason, m.Account) }

// MsgUnfreeze lifts a freeze.
type MsgUnfreeze struct {
	Controller address.Address `cbor:"1,keyasint" json:"controller"`
	Denom      string          `cbor:"2,keyasint" json:"denom"`
	Account    address.Address `cbor:"3,keyasint" json:"account"`
	Reason     string          `cbor:"4,keyasint" json:"reason"`
}

func (*MsgUnfreeze) MsgType() string           { return "assets/unfreeze" }
func (m *MsgUnfreeze) Signer() address.Address { return m.Controller }
func (m *MsgUnfreeze) Validate() error {
	return validAction(m.Controller, m.Denom, m.Reason, m.Account)
}

// MsgForceTransfer moves Amount from From to To without compliance (a court order, say).
type MsgForceTransfer struct {
	Controller address.Address `cbor:"1,keyasint" json:"controller"`
	Denom      string          `cbor:"2,keyasint" json:"denom"`
	From       address.Address `cbor:"3,keyasint" json:"from"`
	To         address.Address `cbor:"4,keyasint" json:"to"`
	Amount     coin.Amount     `cbor:"5,keyasint" json:"amount,string"`
	Reason     string          `cbor:"6,keyasint" json:"reason"`
}

func (*MsgForceTransfer) MsgType() string           { return "assets/force_transfer" }
func (m *MsgForceTransfer) Signer() address.Address { return m.Controller }
func (m *MsgForceTransfer) Validate() error {
	if err := validAction(m.Controller, m.Denom, m.Reason, m.From, m.To); err != nil {
		return err
	}
	if m.From == m.To {
		return ErrInvalidMsg.Wrapf("from and to are the same account")
	}
	if m.Amount == 0 {
		return ErrInvalidMsg.Wrapf("amount must be positive")
	}
	return nil
}

// MsgRecover moves an account's whole holding of Denom (and its freeze) to another account of the
// same identity: a lost key.
type MsgRecover struct {
	Controller address.Address `cbor:"1,keyasint" json:"controller"`
	Denom      string          `cbor:"2,keyasint" json:"denom"`
	From       address.Address `cbor:"3,keyasint" json:"from"`
	To         address.Address `cbor:"4,keyasint" json:"to"`
	Reason     string          `cbor:"5,keyasint" json:"reason"`
}

func (*MsgRecover) MsgType() string           { return "assets/recover" }
func (m *MsgRecover) Signer() address.Address { return m.Controller }
func (m *MsgRecover) Validate() error {
	if err := validAction(m.Controller, m.Denom, m.Reason, m.From, m.To); err != nil {
		return err
	}
	if m.From == m.To {
		return ErrInvalidMsg.Wrapf("from and to are the same account")
	}
	return nil
}

// MsgPause stops every transfer of Denom; MsgUnpause lets them resume.
type MsgPause struct {
	Controller address.Address `cbor:"1,keyasint" json:"controller"`
	Denom      string          `cbor:"2,keyasint" json:"denom"`
	Reason     string          `cbor:"3,keyasint" json:"reason"`
}

func (*MsgPause) MsgType() string           { return "assets/pause" }
func (m *MsgPause) Signer() address.Address { return m.Controller }
func (m *MsgPause) Validate() error         { return validAction(m.Controller, m.Denom, m.Reason) }

// MsgUnpause lets transfers of a paused asset resume.
type MsgUnpause struct {
	Controller address.Address `cbor:"1,keyasint" json:"controller"`
	Denom      string          `cbor:"2,keyasint" json:"denom"`
	Reason     string          `cbor:"3,keyasint" json:"reason"`
}

func (*MsgUnpause) MsgType() string           { return "assets/unpause" }
func (m *MsgUnpause) Signer() address.Address { return m.Controller }
func (m *MsgUnpause) Validate() error         { return validAction(m.Controller, m.Denom, m.Reason) }

func validAction(controller address.Address, denom, reason string, accounts ...address.Address) error {
	if err := nonZero("controller", controller); err != nil {
		return err
	}
	for _, a := range accounts {
		if err := nonZero("account", a); err != nil {
			return err
		}
	}
	if err := validDenom(denom); err != nil {
		return err
	}
	return validText("reason", reason, MaxReasonLen, true)
}
