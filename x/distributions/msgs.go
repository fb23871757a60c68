package distributions

import (
	"unicode/utf8"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
)

func validDenom(what, d string) error {
	if err := coin.ValidateDenom(d); err != nil {
		return ErrInvalidMsg.Wrapf("%s: %v", what, err)
	}
	return nil
}

func nonZero(what string, a address.Address) error {
	if a.IsZero() {
		return ErrInvalidMsg.Wrapf("zero %s address", what)
	}
	return nil
}

func validID(what string, id uint64) error {
	if id == 0 {
		return ErrInvalidMsg.Wrapf("%s id 0: ids start at 1", what)
	}
	return nil
}

// MsgCreateCheckpoint creates a checkpoint of Asset: now (RecordTime 0: balances as of the end
// of the previous block) or at a record date (RecordTime, unix seconds after the block time:
// balances as of the end of the first block whose time is at or after it). Signed by the asset's
// issuer or its DAO (authority.DAO(Asset), through a proposal).
type MsgCreateCheckpoint struct {
	Issuer     address.Address `cbor:"1,keyasint" json:"issuer"`
	Asset      string          `cbor:"2,keyasint" json:"asset"`
	RecordTime int64           `cbor:"3,keyasint,omitempty" json:"record_time,omitempty"`
}

func (*MsgCreateCheckpoint) MsgType() string           { return "distributions/create_checkpoint" }
func (m *MsgCreateCheckpoint) Signer() address.Address { return m.Issuer }
func (m *MsgCreateCheckpoint) Validate() error {
	if err := nonZero("issuer", m.Issuer); err != nil {
		return err
	}
	if err := validDenom("asset", m.Asset); err != nil {
		return err
	}
	if m.RecordTime < 0 || m.RecordTime > maxTime {
		return ErrInvalidMsg.Wrapf("record time %d: want 0 (now) or a unix time in seconds", m.RecordTime)
	}
	return nil
}

// MsgAppointAgent appoints a paying agent for Asset: it may deposit and push payments. Signed by
// the asset's issuer or its DAO (authority.DAO(Asset), through a proposal).
type MsgAppointAgent struct {
	Issuer address.Address `cbor:"1,keyasint" json:"issuer"`
	Asset  string          `cbor:"2,keyasint" json:"asset"`
	Agent  address.Address `cbor:"3,keyasint" json:"agent"`
}

func (*MsgAppointAgent) MsgType() string           { return "distributions/appoint_agent" }
func (m *MsgAppointAgent) Signer() address.Address { return m.Issuer }
func (m *MsgAppointAgent) Validate() error         { return validAgentMsg(m.Issuer, m.Asset, m.Agent) }

// MsgRemoveAgent ends a paying agent's appointment. Signed by the asset's issuer.
type MsgRemoveAgent struct {
	Issuer address.Address `cbor:"1,keyasint" json:"issuer"`
	Asset  string          `cbor:"2,keyasint" json:"asset"`
	Agent  address.Address `cbor:"3,keyasint" json:"agent"`
}

func (*MsgRemoveAgent) MsgType() string           { return "distributions/remove_agent" }
func (m *MsgRemoveAgent) Signer() address.Address { return m.Issuer }
func (m *MsgRemoveAgent) Validate() error         { return validAgentMsg(m.Issuer, m.Asset, m.Agent) }

func validAgentMsg(issuer address.Address, asset string, agent address.Address) error {
	if err := nonZero("issuer", issuer); err != nil {
		return err
	}
	if err := nonZero("agent", agent); err != nil {
		return err
	}
	if issuer == agent {
		return ErrInvalidMsg.Wrapf("the issuer is always its own paying agent")
	}
	return validDenom("asset", asset)
}

// MsgDeposit deposits Amount (an amount of a cash asset) for the holders of Asset at Checkpoint,
// into the escrow account. Holders claim until Expiry (unix seconds); then the issuer reclaims
// the rest. Withholding: a holder whose identity claims a jurisdiction listed in Rates has that
// rate withheld, any other holder DefaultBps; the withheld part goes to TaxAccount (required when
// any rate is not zero). Signed by the asset's issuer or one of its paying agents.
type MsgDeposit struct {
	Depositor  address.Address `cbor:"1,keyasint" json:"depositor"`
	Asset      string          `cbor:"2,keyasint" json:"asset"`
	Checkpoint uint64          `cbor:"3,keyasint" json:"checkpoint"`
	Amount     coin.Coin       `cbor:"4,keyasint" json:"amount"`
	Expiry     int64           `cbor:"5,keyasint" json:"expiry"`
	TaxAccount address.Address `cbor:"6,keyasint,omitzero" json:"tax_account,omitzero"`
	DefaultBps uint32          `cbor:"7,keyasint,omitempty" json:"default_bps,omitempty"`
	Rates      []Rate          `cbor:"8,keyasint,omitempty" json:"rates,omitempty"`
	Memo       string          `cbor:"9,keyasint,omitempty" json:"memo,omitempty"`
}

func (*MsgDeposit) MsgType() string           { return "distributions/deposit" }
func (m *MsgDeposit) Signer() address.Address { return m.Depositor }
func (m *MsgDeposit) Validate() error {
	if err := nonZero("depositor", m.Depositor); err != nil {
		return err
	}
	if err := validDenom("asset", m.Asset); err != nil {
		return err
	}
	if err := validID("checkpoint", m.Checkpoint); err != nil {
		return err
	}
	if err := validDenom("amount", m.Amount.Denom); err != nil {
		return err
	}
	if m.Amount.Amount == 0 {
		return ErrInvalidMsg.Wrapf("amount of %s must be positive", m.Amount.Denom)
	}
	if m.Amount.Denom == m.Asset {
		return ErrInvalidMsg.Wrapf("the cash paid and the asset are both %s", m.Asset)
	}
	if m.Expiry <= 0 || m.Expiry > maxTime {
		return ErrInvalidMsg.Wrapf("expiry %d: want a unix time in seconds", m.Expiry)
	}
	if m.DefaultBps > BpsDenominator {
		return ErrInvalidMsg.Wrapf("default_bps %d: at most %d (100 %%)", m.DefaultBps, BpsDenominator)
	}
	if len(m.Rates) > MaxRates {
		return ErrInvalidMsg.Wrapf("%d withholding rates: at most %d", len(m.Rates), MaxRates)
	}
	taxed := m.DefaultBps != 0
	seen := map[string]bool{}
	for _, r := range m.Rates {
		if !validJurisdiction(r.Jurisdiction) {
			return ErrInvalidMsg.Wrapf("rate jurisdiction %q: want an ISO 3166-1 alpha-2 code such as DE", r.Jurisdiction)
		}
		if seen[r.Jurisdiction] {
			return ErrInvalidMsg.Wrapf("rate for %s given twice", r.Jurisdiction)
		}
		seen[r.Jurisdiction] = true
		if r.Bps > BpsDenominator {
			return ErrInvalidMsg.Wrapf("rate for %s: %d bps, at most %d (100 %%)", r.Jurisdiction, r.Bps, BpsDenominator)
		}
		taxed = taxed || r.Bps != 0
	}
	if taxed && m.TaxAccount.IsZero() {
		return ErrInvalidMsg.Wrapf("withholding rates need a tax_account to receive what is withheld")
	}
	if m.TaxAccount == EscrowAccount {
		return ErrInvalidMsg.Wrapf("the tax account cannot be the escrow account")
	}
	if len(m.Memo) > MaxMemoLen || !utf8.ValidString(m.Memo) {
		return ErrInvalidMsg.Wrapf("memo: at most %d bytes of UTF-8", MaxMemoLen)
	}
	return nil
}

// GasItems is the number of withholding rates (stored with the distribution).
func (m *MsgDeposit) GasItems() uint64 { return uint64(len(m.Rates)) }

// MsgClaim pays the holder its entitlement from a distribution (once). Signed by the holder.
type MsgClaim struct {
	Holder       address.Address `cbor:"1,keyasint" json:"holder"`
	Distribution uint64          `cbor:"2,keyasint" json:"distribution"`
}

func (*MsgClaim) MsgType() string           { return "distributions/claim" }
func (m *MsgClaim) Signer() address.Address { return m.Holder }
func (m *MsgClaim) Validate() error {
	if err := nonZero("holder", m.Holder); err != nil {
		return err
	}
	return validID("distribution", m.Distribution)
}

// MsgPush queues payments to Holders from a distribution; the chain pays them at the end of
// blocks, at most MaxPushesPerBlock per block, in queue order. Signed by the asset's issuer or
// one of its paying agents.
type MsgPush struct {
	Agent        address.Address   `cbor:"1,keyasint" json:"agent"`
	Distribution uint64            `cbor:"2,keyasint" json:"distribution"`
	Holders      []address.Address `cbor:"3,keyasint" json:"holders"`
}

func (*MsgPush) MsgType() string           { return "distributions/push" }
func (m *MsgPush) Signer() address.Address { return m.Agent }
func (m *MsgPush) Validate() error {
	if err := nonZero("agent", m.Agent); err != nil {
		return err
	}
	if err := validID("distribution", m.Distribution); err != nil {
		return err
	}
	if len(m.Holders) == 0 || len(m.Holders) > MaxPushHolders {
		return ErrInvalidMsg.Wrapf("%d holders: want 1 to %d per push", len(m.Holders), MaxPushHolders)
	}
	seen := make(map[address.Address]bool, len(m.Holders))
	for _, h := range m.Holders {
		if h.IsZero() {
			return ErrInvalidMsg.Wrapf("zero holder address")
		}
		if seen[h] {
			return ErrInvalidMsg.Wrapf("holder %s listed twice", h)
		}
		seen[h] = true
	}
	return nil
}

// GasItems is the number of holders (each is a queued payment, paid at the end of a block).
func (m *MsgPush) GasItems() uint64 { return uint64(len(m.Holders)) }

// MsgReclaim returns to the issuer what is unclaimed of a distribution, with its remainder, once
// it has expired. Signed by the asset's issuer.
type MsgReclaim struct {
	Issuer       address.Address `cbor:"1,keyasint" json:"issuer"`
	Distribution uint64          `cbor:"2,keyasint" json:"distribution"`
}

func (*MsgReclaim) MsgType() string           { return "distributions/reclaim" }
func (m *MsgReclaim) Signer() address.Address { return m.Issuer }
func (m *MsgReclaim) Validate() error {
	if err := nonZero("issuer", m.Issuer); err != nil {
		return err
	}
	return validID("distribution", m.Distribution)
}
