package governance

import (
	"slices"
	"strings"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/fees"
)

func nonZero(what string, a address.Address) error {
	if a.IsZero() {
		return ErrInvalidMsg.Wrapf("zero %s address", what)
	}
	return nil
}

// MsgSubmit submits a proposal to the DAO of the security token DAO ("" : chain governance).
// Msgs (1 to 16) are ordinary msgs signed by the proposal's authority (authority.DAO(DAO) or
// authority.Chain), of types the chamber allows; they are checked now and executed in order,
// all or nothing, if the proposal passes. A DAO proposal moves the DAO's deposit from the
// proposer into the escrow; a chain proposal needs the proposer to be a member. Signed by the
// proposer.
type MsgSubmit struct {
	Proposer address.Address `cbor:"1,keyasint" json:"proposer"`
	DAO      string          `cbor:"2,keyasint,omitempty" json:"dao,omitempty"`
	Title    string          `cbor:"3,keyasint" json:"title"`
	Summary  string          `cbor:"4,keyasint,omitempty" json:"summary,omitempty"`
	Msgs     []tx.Any        `cbor:"5,keyasint" json:"msgs"`
}

func (*MsgSubmit) MsgType() string           { return "governance/submit" }
func (m *MsgSubmit) Signer() address.Address { return m.Proposer }
func (m *MsgSubmit) Validate() error {
	if err := nonZero("proposer", m.Proposer); err != nil {
		return err
	}
	if m.DAO != "" {
		if err := coin.ValidateDenom(m.DAO); err != nil {
			return ErrInvalidMsg.Wrapf("dao: %v", err)
		}
	}
	if strings.TrimSpace(m.Title) == "" || len(m.Title) > MaxTitleLen {
		return ErrInvalidMsg.Wrapf("title of %d bytes: a proposal has a title of 1 to %d bytes", len(m.Title), MaxTitleLen)
	}
	if len(m.Summary) > MaxSummaryLen {
		return ErrInvalidMsg.Wrapf("summary of %d bytes: at most %d", len(m.Summary), MaxSummaryLen)
	}
	if len(m.Msgs) == 0 || len(m.Msgs) > MaxMsgs {
		return ErrInvalidMsg.Wrapf("%d msgs: a proposal carries 1 to %d", len(m.Msgs), MaxMsgs)
	}
	for i, a := range m.Msgs {
		if a.Type == "" || len(a.Value) == 0 {
			return ErrInvalidMsg.Wrapf("msg %d: empty type or value", i)
		}
	}
	return nil
}

// GasItems is the number of carried msgs.
func (m *MsgSubmit) GasItems() uint64 { return uint64(len(m.Msgs)) }

// MsgVote votes on a proposal in its voting period; a later vote replaces the earlier one.
// Signed by the voter.
type MsgVote struct {
	Voter    address.Address `cbor:"1,keyasint" json:"voter"`
	Proposal uint64          `cbor:"2,keyasint" json:"proposal"`
	Option   string          `cbor:"3,keyasint" json:"option"`
}

func (*MsgVote) MsgType() string           { return "governance/vote" }
func (m *MsgVote) Signer() address.Address { return m.Voter }
func (m *MsgVote) Validate() error {
	if err := nonZero("voter", m.Voter); err != nil {
		return err
	}
	if m.Proposal == 0 {
		return ErrInvalidMsg.Wrapf("proposal id 0: ids start at 1")
	}
	if !slices.Contains(Options, m.Option) {
		return ErrInvalidMsg.Wrapf("option %q: want %s", m.Option, strings.Join(Options, ", "))
	}
	return nil
}

// MsgDelegate lets Delegate vote with the delegator's balance of the security Denom in its
// DAO's proposals (not transitively); the delegator may still vote itself, which overrides.
// Signed by the delegator.
type MsgDelegate struct {
	Delegator address.Address `cbor:"1,keyasint" json:"delegator"`
	Denom     string          `cbor:"2,keyasint" json:"denom"`
	Delegate  address.Address `cbor:"3,keyasint" json:"delegate"`
}

func (*MsgDelegate) MsgType() string           { return "governance/delegate" }
func (m *MsgDelegate) Signer() address.Address { return m.Delegator }
func (m *MsgDelegate) Validate() error {
	if err := nonZero("delegator", m.Delegator); err != nil {
		return err
	}
	if err := nonZero("delegate", m.Delegate); err != nil {
		return err
	}
	if m.Delegator == m.Delegate {
		return ErrInvalidMsg.Wrapf("%s cannot delegate to itself (its own balance already votes)", m.Delegator)
	}
	if err := coin.ValidateDenom(m.Denom); err != nil {
		return ErrInvalidMsg.Wrap(err)
	}
	return nil
}

// MsgUndelegate ends the delegator's delegation of Denom. Signed by the delegator.
type MsgUndelegate struct {
	Delegator address.Address `cbor:"1,keyasint" json:"delegator"`
	Denom     string          `cbor:"2,keyasint" json:"denom"`
}

func (*MsgUndelegate) MsgType() string           { return "governance/undelegate" }
func (m *MsgUndelegate) Signer() address.Address { return m.Delegator }
func (m *MsgUndelegate) Validate() error {
	if err := nonZero("delegator", m.Delegator); err != nil {
		return err
	}
	if err := coin.ValidateDenom(m.Denom); err != nil {
		return ErrInvalidMsg.Wrap(err)
	}
	return nil
}

// MsgApprove is the public agency's approval of a proposal that changes protected parameters
// of its project (the second chamber), within the voting period. Signed by a public_agency
// stakeholder of the proposal's project.
type MsgApprove struct {
	Agency   address.Address `cbor:"1,keyasint" json:"agency"`
	Proposal uint64          `cbor:"2,keyasint" json:"proposal"`
}

func (*MsgApprove) MsgType() string           { return "governance/approve" }
func (m *MsgApprove) Signer() address.Address { return m.Agency }
func (m *MsgApprove) Validate() error {
	if err := nonZero("agency", m.Agency); err != nil {
		return err
	}
	if m.Proposal == 0 {
		return ErrInvalidMsg.Wrapf("proposal id 0: ids start at 1")
	}
	return nil
}

// MsgSetDAOParams sets the params of the DAO of Denom (overriding the defaults). Signed by that
// DAO (authority.DAO(Denom)): only through one of its proposals.
type MsgSetDAOParams struct {
	Authority address.Address `cbor:"1,keyasint" json:"authority"`
	Denom     string          `cbor:"2,keyasint" json:"denom"`
	Params    DAOParams       `cbor:"3,keyasint" json:"params"`
}

func (*MsgSetDAOParams) MsgType() string           { return "governance/set_dao_params" }
func (m *MsgSetDAOParams) Signer() address.Address { return m.Authority }
func (m *MsgSetDAOParams) Validate() error {
	if err := nonZero("authority", m.Authority); err != nil {
		return err
	}
	if err := coin.ValidateDenom(m.Denom); err != nil {
		return ErrInvalidMsg.Wrap(err)
	}
	return m.Params.Validate()
}

// MsgSetChainParams sets chain governance's params. Signed by authority.Chain.
type MsgSetChainParams struct {
	Authority address.Address `cbor:"1,keyasint" json:"authority"`
	Params    ChainParams     `cbor:"2,keyasint" json:"params"`
}

func (*MsgSetChainParams) MsgType() string           { return "governance/set_chain_params" }
func (m *MsgSetChainParams) Signer() address.Address { return m.Authority }
func (m *MsgSetChainParams) Validate() error {
	if err := nonZero("authority", m.Authority); err != nil {
		return err
	}
	return m.Params.Validate()
}

// MsgSetDAODefaults sets the params of every DAO without its own. Signed by authority.Chain.
type MsgSetDAODefaults struct {
	Authority address.Address `cbor:"1,keyasint" json:"authority"`
	Params    DAOParams       `cbor:"2,keyasint" json:"params"`
}

func (*MsgSetDAODefaults) MsgType() string           { return "governance/set_dao_defaults" }
func (m *MsgSetDAODefaults) Signer() address.Address { return m.Authority }
func (m *MsgSetDAODefaults) Validate() error {
	if err := nonZero("authority", m.Authority); err != nil {
		return err
	}
	return m.Params.Validate()
}

// MsgSetFeeParams replaces the fee params (x/fees). Signed by authority.Chain.
type MsgSetFeeParams struct {
	Authority address.Address `cbor:"1,keyasint" json:"authority"`
	Params    fees.Params     `cbor:"2,keyasint" json:"params"`
}

func (*MsgSetFeeParams) MsgType() string           { return "governance/set_fee_params" }
func (m *MsgSetFeeParams) Signer() address.Address { return m.Authority }
func (m *MsgSetFeeParams) Validate() error {
	if err := nonZero("authority", m.Authority); err != nil {
		return err
	}
	if err := m.Params.Validate(); err != nil {
		return ErrInvalidParams.Wrapf("fee params: %v", err)
	}
	return nil
}

// GasItems is the number of entries of the gas schedule.
func (m *MsgSetFeeParams) GasItems() uint64 { return uint64(len(m.Params.Schedule)) }

// MsgSetBlockParams sets the consensus block limits, effective from the height after the
// executing block: MaxBytes from MinBlockBytes (CometBFT's evidence limit) to MaxBlockBytes,
// MaxGas −1 (no gas limit) or positive. Signed by authority.Chain.
type MsgSetBlockParams struct {
	Authority address.Address `cbor:"1,keyasint" json:"authority"`
	MaxBytes  int64           `cbor:"2,keyasint" json:"max_bytes"`
	MaxGas    int64           `cbor:"3,keyasint" json:"max_gas"`
}

func (*MsgSetBlockParams) MsgType() string           { return "governance/set_block_params" }
func (m *MsgSetBlockParams) Signer() address.Address { return m.Authority }
func (m *MsgSetBlockParams) Validate() error {
	if err := nonZero("authority", m.Authority); err != nil {
		return err
	}
	if m.MaxBytes < MinBlockBytes || m.MaxBytes > MaxBlockBytes {
		return ErrInvalidParams.Wrapf("max_bytes %d: want %d (twice CometBFT's evidence limit: a block below it can stop every node) to %d (CometBFT's bound)",
			m.MaxBytes, MinBlockBytes, MaxBlockBytes)
	}
	if m.MaxGas < -1 || m.MaxGas == 0 {
		return ErrInvalidParams.Wrapf("max_gas %d: want -1 (no limit) or a positive number (0 would let no tx in)", m.MaxGas)
	}
	return nil
}

// MsgScheduleUpgrade schedules a software upgrade at Height (after the next block), replacing
// any plan not yet applied. Signed by authority.Chain.
type MsgScheduleUpgrade struct {
	Authority address.Address `cbor:"1,keyasint" json:"authority"`
	Name      string          `cbor:"2,keyasint" json:"name"`
	Height    int64           `cbor:"3,keyasint" json:"height"`
	Info      string          `cbor:"4,keyasint,omitempty" json:"info,omitempty"`
}

func (*MsgScheduleUpgrade) MsgType() string           { return "governance/schedule_upgrade" }
func (m *MsgScheduleUpgrade) Signer() address.Address { return m.Authority }
func (m *MsgScheduleUpgrade) Validate() error {
	if err := nonZero("authority", m.Authority); err != nil {
		return err
	}
	if err := ValidUpgradeName(m.Name); err != nil {
		return err
	}
	if m.Height < 1 {
		return ErrInvalidMsg.Wrapf("height %d: want a future block height", m.Height)
	}
	if len(m.Info) > MaxUpgradeInfoLen {
		return ErrInvalidMsg.Wrapf("info of %d bytes: at most %d", len(m.Info), MaxUpgradeInfoLen)
	}
	return nil
}

// MsgCancelUpgrade cancels the scheduled upgrade. Signed by authority.Chain.
type MsgCancelUpgrade struct {
	Authority address.Address `cbor:"1,keyasint" json:"authority"`
}

func (*MsgCancelUpgrade) MsgType() string           { return "governance/cancel_upgrade" }
func (m *MsgCancelUpgrade) Signer() address.Address { return m.Authority }
func (m *MsgCancelUpgrade) Validate() error         { return nonZero("authority", m.Authority) }

// DAOMsgTypes are the msg types a project DAO's proposal may carry.
var DAOMsgTypes = []string{
	"distributions/appoint_agent", "distributions/create_checkpoint", "distributions/remove_agent",
	"governance/set_dao_params",
	"offerings/cancel",
	"projects/approve_stakeholder_change", "projects/cancel_milestone", "projects/fund_milestone",
	"projects/propose_stakeholder_change", "projects/remove_document", "projects/resolve",
	"projects/set_document", "projects/set_parameter", "projects/spend",
}

// ChainMsgTypes are the msg types a chain proposal may carry.
var ChainMsgTypes = []string{
	"auth/grant_role", "auth/revoke_role",
	"compliance/deny", "compliance/set_rules", "compliance/undeny",
	"governance/cancel_upgrade", "governance/schedule_upgrade", "governance/set_block_params",
	"governance/set_chain_params", "governance/set_dao_defaults", "governance/set_fee_params",
	"identity/set_trust",
}
