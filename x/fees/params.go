// Package fees owns the gas schedule, the EIP-1559-style base fee, the burn of a share of every
// base fee, and the fee pool that receives the rest plus tips.
package fees

import (
	"errors"
	"fmt"
	"sort"

	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
)

// Params are the fee rules, set at genesis and later by chain governance.
type Params struct {
	// Denom is the native token fees are paid in.
	Denom string `cbor:"1,keyasint" json:"denom"`
	// MinBaseFee is the floor of the base fee, in base units per gas.
	MinBaseFee coin.Amount `cbor:"2,keyasint" json:"min_base_fee,string"`
	// MaxBlockGas caps the gas of all txs of a block.
	MaxBlockGas uint64 `cbor:"3,keyasint" json:"max_block_gas"`
	// TargetBlockGas is the block gas at which the base fee stays put.
	TargetBlockGas uint64 `cbor:"4,keyasint" json:"target_block_gas"`
	// ChangeDenominator bounds the base fee's move per block to 1/ChangeDenominator (8: 12.5 %).
	ChangeDenominator uint64 `cbor:"5,keyasint" json:"change_denominator"`
	// BurnPercent of every base fee is burnt; the rest goes to the fee pool.
	BurnPercent uint64 `cbor:"6,keyasint" json:"burn_percent"`
	// TxBaseGas is charged once per tx; PerByteGas per byte of the tx.
	TxBaseGas  uint64 `cbor:"7,keyasint" json:"tx_base_gas"`
	PerByteGas uint64 `cbor:"8,keyasint" json:"per_byte_gas"`
	// DefaultMsgGas is the gas of a msg type the schedule does not list.
	DefaultMsgGas uint64 `cbor:"9,keyasint" json:"default_msg_gas"`
	// Schedule lists the gas of msg types, sorted by type.
	Schedule []MsgGas `cbor:"10,keyasint" json:"schedule"`
}

// MsgGas is the gas of one msg type: Base, plus PerItem for each item (e.g. each output).
type MsgGas struct {
	Type    string `cbor:"1,keyasint" json:"type"`
	Base    uint64 `cbor:"2,keyasint" json:"base"`
	PerItem uint64 `cbor:"3,keyasint,omitempty" json:"per_item,omitempty"`
}

// DefaultParams are Girder's launch settings: a transfer of ~250 bytes costs ~4,500 gas, so at
// the minimum base fee of 10 ugrd/gas it costs ~0.045 GRD; a block holds up to 100M gas.
func DefaultParams() Params {
	return Params{
		Denom:             "ugrd",
		MinBaseFee:        10,
		MaxBlockGas:       100_000_000,
		TargetBlockGas:    50_000_000,
		ChangeDenominator: 8,
		BurnPercent:       50,
		TxBaseGas:         1_000,
		PerByteGas:        10,
		DefaultMsgGas:     1_000,
		Schedule: []MsgGas{
			{Type: "assets/burn", Base: 1_000},
			{Type: "assets/create", Base: 5_000},
			{Type: "assets/force_transfer", Base: 1_500},
			{Type: "assets/freeze", Base: 1_000},
			{Type: "assets/mint", Base: 1_000},
			{Type: "assets/pause", Base: 1_000},
			{Type: "assets/recover", Base: 1_500},
			{Type: "assets/remove_document", Base: 1_000},
			{Type: "assets/set_document", Base: 1_500},
			{Type: "assets/unfreeze", Base: 1_000},
			{Type: "assets/unpause", Base: 1_000},
			{Type: "auth/grant_role", Base: 1_000},
			{Type: "auth/revoke_role", Base: 1_000},
			{Type: "bank/multi_send", Base: 1_000, PerItem: 1_000},
			{Type: "bank/send", Base: 1_000},
			{Type: "compliance/close_alert", Base: 1_000},
			{Type: "compliance/decide_hold", Base: 2_000},
			{Type: "compliance/deny", Base: 1_000},
			{Type: "compliance/freeze", Base: 1_000},
			{Type: "compliance/set_rules", Base: 2_000, PerItem: 500},
			{Type: "compliance/undeny", Base: 1_000},
			{Type: "compliance/unfreeze", Base: 1_000},
			{Type: "distributions/appoint_agent", Base: 1_000},
			{Type: "distributions/claim", Base: 2_000},
			{Type: "distributions/create_checkpoint", Base: 1_000},
			{Type: "distributions/deposit", Base: 3_000, PerItem: 200},
			{Type: "distributions/push", Base: 1_000, PerItem: 2_000},
			{Type: "distributions/reclaim", Base: 2_000},
			{Type: "distributions/remove_agent", Base: 1_000},
			{Type: "governance/approve", Base: 1_500},
			{Type: "governance/cancel_upgrade", Base: 1_000},
			{Type: "governance/delegate", Base: 2_000},
			{Type: "governance/schedule_upgrade", Base: 1_000},
			{Type: "governance/set_block_params", Base: 1_000},
			{Type: "governance/set_chain_params", Base: 1_000},
			{Type: "governance/set_dao_defaults", Base: 1_000},
			{Type: "governance/set_dao_params", Base: 1_000},
			{Type: "governance/set_fee_params", Base: 2_000, PerItem: 100},
			{Type: "governance/submit", Base: 5_000, PerItem: 1_000},
			{Type: "governance/undelegate", Base: 2_000},
			{Type: "governance/vote", Base: 2_000},
			{Type: "identity/issue", Base: 2_000},
			{Type: "identity/link", Base: 1_000},
			{Type: "identity/register", Base: 1_000, PerItem: 1_000},
			{Type: "identity/renew", Base: 1_500},
			{Type: "identity/revoke", Base: 1_000},
			{Type: "identity/set_trust", Base: 1_000},
			{Type: "identity/unlink", Base: 1_000},
			{Type: "offerings/cancel", Base: 2_000},
			{Type: "offerings/open", Base: 5_000},
			{Type: "offerings/subscribe", Base: 2_000},
			{Type: "passes/buy", Base: 3_000, PerItem: 500},
			{Type: "passes/claim_refund", Base: 2_500},
			{Type: "passes/close_sale", Base: 1_000},
			{Type: "passes/create_class", Base: 3_000},
			{Type: "passes/open_service", Base: 3_000},
			{Type: "passes/redeem", Base: 2_000, PerItem: 1_500},
			{Type: "passes/transfer", Base: 2_000},
			{Type: "projects/add_stakeholder", Base: 1_500},
			{Type: "projects/approve_stakeholder_change", Base: 1_500},
			{Type: "projects/attest", Base: 1_500},
			{Type: "projects/cancel_milestone", Base: 2_000},
			{Type: "projects/claim_complete", Base: 1_500, PerItem: 500},
			{Type: "projects/create", Base: 5_000, PerItem: 500},
			{Type: "projects/dispute", Base: 1_500},
			{Type: "projects/dispute_milestone", Base: 1_500},
			{Type: "projects/fund_milestone", Base: 2_000},
			{Type: "projects/plan_milestone", Base: 2_000},
			{Type: "projects/post_report", Base: 2_000, PerItem: 500},
			{Type: "projects/propose_stakeholder_change", Base: 1_500},
			{Type: "projects/remove_document", Base: 1_000},
			{Type: "projects/remove_stakeholder", Base: 1_500},
			{Type: "projects/resolve", Base: 2_000},
			{Type: "projects/set_document", Base: 1_500},
			{Type: "projects/set_parameter", Base: 1_500},
			{Type: "projects/set_security", Base: 1_500},
			{Type: "projects/sign_off", Base: 1_500},
			{Type: "projects/spend", Base: 2_000},
			{Type: "vesting/clawback", Base: 2_000},
			{Type: "vesting/grant", Base: 3_000, PerItem: 200},
		},
	}
}

// Validate checks the params' consistency.
func (p Params) Validate() error {
	if err := coin.ValidateDenom(p.Denom); err != nil {
		return err
	}
	switch {
	case p.MaxBlockGas == 0:
		return errors.New("max_block_gas must be positive")
	case p.TargetBlockGas == 0 || p.TargetBlockGas > p.MaxBlockGas:
		return fmt.Errorf("target_block_gas %d must be in 1..max_block_gas (%d)", p.TargetBlockGas, p.MaxBlockGas)
	case p.ChangeDenominator == 0:
		return errors.New("change_denominator must be positive")
	case p.TargetBlockGas > ^uint64(0)/p.ChangeDenominator:
		return errors.New("target_block_gas × change_denominator overflows")
	case p.BurnPercent > 100:
		return fmt.Errorf("burn_percent %d exceeds 100", p.BurnPercent)
	case p.MinBaseFee == 0:
		return errors.New("min_base_fee must be positive")
	}
	if !sort.SliceIsSorted(p.Schedule, func(i, j int) bool { return p.Schedule[i].Type < p.Schedule[j].Type }) {
		return errors.New("schedule must be sorted by type")
	}
	for i := 1; i < len(p.Schedule); i++ {
		if p.Schedule[i].Type == p.Schedule[i-1].Type {
			return fmt.Errorf("schedule lists %s twice", p.Schedule[i].Type)
		}
	}
	return nil
}

// itemized msgs are charged per item.
type itemized interface{ GasItems() uint64 }

// Gas is the gas a tx of txBytes bytes carrying msgs uses: fixed by the schedule, so a dry run
// and the real execution always agree. ok is false on overflow.
func (p Params) Gas(txBytes int, msgs []tx.Msg) (uint64, bool) {
	g, ok := mulAdd(p.TxBaseGas, uint64(txBytes), p.PerByteGas)
	for _, m := range msgs {
		if !ok {
			return 0, false
		}
		base, per := p.DefaultMsgGas, uint64(0)
		i := sort.Search(len(p.Schedule), func(i int) bool { return p.Schedule[i].Type >= m.MsgType() })
		if i < len(p.Schedule) && p.Schedule[i].Type == m.MsgType() {
			base, per = p.Schedule[i].Base, p.Schedule[i].PerItem
		}
		if g, ok = mulAdd(g, 1, base); !ok {
			return 0, false
		}
		if it, isItemized := m.(itemized); isItemized {
			g, ok = mulAdd(g, it.GasItems(), per)
		}
	}
	return g, ok
}

// mulAdd returns acc + n×x, reporting overflow.
func mulAdd(acc, n, x uint64) (uint64, bool) {
	p, err := coin.Amount(n).Mul(x)
	if err != nil {
		return 0, false
	}
	s, err := coin.Amount(acc).Add(p)
	return uint64(s), err == nil
}

// NextBaseFee is the EIP-1559 update: the base fee rises when a block used more than the target
// gas and falls when it used less, by at most 1/ChangeDenominator per block (rising by at least 1
// when above target), never below MinBaseFee (a base fee under a minimum that governance just
// raised goes straight to it, whatever the block used).
func (p Params) NextBaseFee(base coin.Amount, used uint64) coin.Amount {
	if base < p.MinBaseFee {
		return p.MinBaseFee
	}
	target := p.TargetBlockGas
	maxDelta := uint64(base) / p.ChangeDenominator
	switch {
	case used > target:
		over := used - target
		if over > target {
			over = target
		}
		d, _, _ := base.MulDiv(over, target*p.ChangeDenominator)
		if uint64(d) > maxDelta {
			d = coin.Amount(maxDelta)
		}
		if d == 0 {
			d = 1
		}
		n, err := base.Add(d)
		if err != nil {
			return coin.MaxAmount
		}
		return n
	case used < target:
		under := target - used
		d, _, _ := base.MulDiv(under, target*p.ChangeDenominator)
		if uint64(d) > maxDelta {
			d = coin.Amount(maxDelta)
		}
		n := base - d
		if n < p.MinBaseFee {
			n = p.MinBaseFee
		}
		return n
	}
	return base
}

// Split divides a charge of gas at baseFee with tip: burnt is BurnPercent of the base part
// (rounded down), pooled the rest of it plus the tip. burnt + pooled = baseFee×gas + tip exactly.
func (p Params) Split(baseFee coin.Amount, gas uint64, tip coin.Amount) (burnt, pooled coin.Amount, err error) {
	basePart, err := baseFee.Mul(gas)
	if err != nil {
		return 0, 0, err
	}
	burnt, _, err = basePart.MulDiv(p.BurnPercent, 100)
	if err != nil {
		return 0, 0, err
	}
	pooled, err = (basePart - burnt).Add(tip)
	return burnt, pooled, err
}
