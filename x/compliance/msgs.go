package compliance

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
)

func validateScope(asset string) error {
	if asset == "" {
		return nil
	}
	if err := coin.ValidateDenom(asset); err != nil {
		return ErrInvalidMsg.Wrap(err)
	}
	return nil
}

func validateReason(what, r string, required bool) error {
	if required && r == "" {
		return ErrInvalidMsg.Wrapf("give a %s", what)
	}
	if len(r) > MaxReasonLen {
		return ErrInvalidMsg.Wrapf("%s has %d bytes, at most %d", what, len(r), MaxReasonLen)
	}
	return nil
}

// MsgSetRules replaces the rule set of a scope: Asset "" is the chain-wide set. An empty list
// removes the set. Signed by a compliance officer.
type MsgSetRules struct {
	Officer address.Address `cbor:"1,keyasint" json:"officer"`
	Asset   string          `cbor:"2,keyasint,omitempty" json:"asset"`
	Rules   []Rule          `cbor:"3,keyasint,omitempty" json:"rules"`
}

func (*MsgSetRules) MsgType() string           { return "compliance/set_rules" }
func (m *MsgSetRules) Signer() address.Address { return m.Officer }
func (m *MsgSetRules) Validate() error {
	if m.Officer.IsZero() {
		return ErrInvalidMsg.Wrapf("zero officer address")
	}
	if err := validateScope(m.Asset); err != nil {
		return err
	}
	if len(m.Rules) > MaxRules {
		return ErrInvalidRule.Wrapf("%d rules: at most %d per set", len(m.Rules), MaxRules)
	}
	ids := map[string]bool{}
	for _, r := range m.Rules {
		if ids[r.ID] {
			return ErrInvalidRule.Wrapf("rule id %s used twice in the set", r.ID)
		}
		ids[r.ID] = true
	}
	return nil
}

// GasItems is the number of rules (gas is charged per rule stored).
func (m *MsgSetRules) GasItems() uint64 { return uint64(len(m.Rules)) }

// MsgDeny puts Account on a deny list: the chain-wide (sanctions) list when Asset is "", else
// the asset's. Signed by a compliance officer.
type MsgDeny struct {
	Officer address.Address `cbor:"1,keyasint" json:"officer"`
	Asset   string          `cbor:"2,keyasint,omitempty" json:"asset"`
	Account address.Address `cbor:"3,keyasint" json:"account"`
	Reason  string          `cbor:"4,keyasint" json:"reason"`
}

func (*MsgDeny) MsgType() string           { return "compliance/deny" }
func (m *MsgDeny) Signer() address.Address { return m.Officer }
func (m *MsgDeny) Validate() error {
	return validateListMsg(m.Officer, m.Asset, m.Account, m.Reason)
}

// MsgUndeny takes Account off a deny list.
type MsgUndeny struct {
	Officer address.Address `cbor:"1,keyasint" json:"officer"`
	Asset   string          `cbor:"2,keyasint,omitempty" json:"asset"`
	Account address.Address `cbor:"3,keyasint" json:"account"`
	Reason  string          `cbor:"4,keyasint" json:"reason"`
}

func (*MsgUndeny) MsgType() string           { return "compliance/undeny" }
func (m *MsgUndeny) Signer() address.Address { return m.Officer }
func (m *MsgUndeny) Validate() error {
	return validateListMsg(m.Officer, m.Asset, m.Account, m.Reason)
}

func validateListMsg(officer address.Address, asset string, account address.Address, reason string) error {
	if officer.IsZero() || account.IsZero() {
		return ErrInvalidMsg.Wrapf("zero address")
	}
	if err := validateScope(asset); err != nil {
		return err
	}
	return validateReason("reason", reason, true)
}

// MsgFreeze freezes Account's holding of Asset: all of it (Amount 0) or the given amount.
// A second freeze of the same account and asset replaces the first.
type MsgFreeze struct {
	Officer address.Address `cbor:"1,keyasint" json:"officer"`
	Asset   string          `cbor:"2,keyasint" json:"asset"`
	Account address.Address `cbor:"3,keyasint" json:"account"`
	Amount  coin.Amount     `cbor:"4,keyasint,omitempty" json:"amount,omitempty,string"`
	Reason  string          `cbor:"5,keyasint" json:"reason"`
}

func (*MsgFreeze) MsgType() string           { return "compliance/freeze" }
func (m *MsgFreeze) Signer() address.Address { return m.Officer }
func (m *MsgFreeze) Validate() error {
	if m.Asset == "" {
		return ErrInvalidMsg.Wrapf("a freeze is of one asset: give its denom")
	}
	return validateListMsg(m.Officer, m.Asset, m.Account, m.Reason)
}

// MsgUnfreeze lifts the freeze of Account's holding of Asset.
type MsgUnfreeze struct {
	Officer address.Address `cbor:"1,keyasint" json:"officer"`
	Asset   string          `cbor:"2,keyasint" json:"asset"`
	Account address.Address `cbor:"3,keyasint" json:"account"`
	Reason  string          `cbor:"4,keyasint" json:"reason"`
}

func (*MsgUnfreeze) MsgType() string           { return "compliance/unfreeze" }
func (m *MsgUnfreeze) Signer() address.Address { return m.Officer }
func (m *MsgUnfreeze) Validate() error {
	if m.Asset == "" {
		return ErrInvalidMsg.Wrapf("a freeze is of one asset: give its denom")
	}
	return validateListMsg(m.Officer, m.Asset, m.Account, m.Reason)
}

// Hold decisions.
const (
	ActionRelease = "release" // the held amount goes on to the receiver
	ActionReturn  = "return"  // the held amount goes back to the sender
)

// MsgDecideHold releases a hold to its receiver or returns it to its sender.
type MsgDecideHold struct {
	Officer address.Address `cbor:"1,keyasint" json:"officer"`
	Hold    uint64          `cbor:"2,keyasint" json:"hold"`
	Action  string          `cbor:"3,keyasint" json:"action"`
	Reason  string          `cbor:"4,keyasint" json:"reason"`
}

func (*MsgDecideHold) MsgType() string           { return "compliance/decide_hold" }
func (m *MsgDecideHold) Signer() address.Address { return m.Officer }
func (m *MsgDecideHold) Validate() error {
	if m.Officer.IsZero() {
		return ErrInvalidMsg.Wrapf("zero officer address")
	}
	if m.Hold == 0 {
		return ErrInvalidMsg.Wrapf("hold id 0: ids start at 1")
	}
	if m.Action != ActionRelease && m.Action != ActionReturn {
		return ErrInvalidMsg.Wrapf("action %q: want release or return", m.Action)
	}
	return validateReason("reason", m.Reason, true)
}

// MsgCloseAlert closes an alert with a note (what the officer found).
type MsgCloseAlert struct {
	Officer address.Address `cbor:"1,keyasint" json:"officer"`
	Alert   uint64          `cbor:"2,keyasint" json:"alert"`
	Note    string          `cbor:"3,keyasint" json:"note"`
}

func (*MsgCloseAlert) MsgType() string           { return "compliance/close_alert" }
func (m *MsgCloseAlert) Signer() address.Address { return m.Officer }
func (m *MsgCloseAlert) Validate() error {
	if m.Officer.IsZero() {
		return ErrInvalidMsg.Wrapf("zero officer address")
	}
	if m.Alert == 0 {
		return ErrInvalidMsg.Wrapf("alert id 0: ids start at 1")
	}
	return validateReason("note", m.Note, true)
}
