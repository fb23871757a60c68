package fees

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
)

// ModuleName is the module's name and code space.
const ModuleName = "fees"

// StorePrefix is the module's key prefix in state.
var StorePrefix = []byte{0x03}

var (
	keyParams  = []byte("p")
	keyBaseFee = []byte("f")
	keyTotals  = []byte("t")
)

// PoolAddress is the fee pool's account (module-controlled, no private key).
var PoolAddress = address.Module("fees/pool")

// Failures.
var (
	ErrFeeTooLow      = codes.Register(ModuleName, 2, "max fee below the required fee")
	ErrCannotCoverFee = codes.Register(ModuleName, 3, "balance below max fee")
	ErrOutOfGas       = codes.Register(ModuleName, 4, "gas limit below the gas the tx uses")
	ErrBlockGasLimit  = codes.Register(ModuleName, 5, "tx gas exceeds the block gas limit")
	ErrGasOverflow    = codes.Register(ModuleName, 6, "gas overflow")
)

// Totals are the cumulative fee figures since genesis.
type Totals struct {
	Burnt  coin.Amount `cbor:"1,keyasint" json:"burnt,string"`
	Pooled coin.Amount `cbor:"2,keyasint" json:"pooled,string"`
}

// Keeper reads fee state and charges fees.
type Keeper struct{ bank Bank }

// NewKeeper makes the fees keeper.
func NewKeeper(bank Bank) Keeper { return Keeper{bank: bank} }

// Params returns the fee params.
func (k Keeper) Params(ctx chain.Context) Params {
	var p Params
	canon.MustDecode(ctx.Store(StorePrefix).Get(keyParams), &p)
	return p
}

// SetParams writes validated params.
func (k Keeper) SetParams(ctx chain.Context, p Params) {
	ctx.Store(StorePrefix).Set(keyParams, canon.MustMarshal(&p))
}

// BaseFee is the current base fee per gas.
func (k Keeper) BaseFee(ctx chain.Context) coin.Amount {
	var f coin.Amount
	canon.MustDecode(ctx.Store(StorePrefix).Get(keyBaseFee), &f)
	return f
}

func (k Keeper) setBaseFee(ctx chain.Context, f coin.Amount) {
	ctx.Store(StorePrefix).Set(keyBaseFee, canon.MustMarshal(f))
}

// Totals returns cumulative burnt and pooled fees.
func (k Keeper) Totals(ctx chain.Context) Totals {
	var t Totals
	if b := ctx.Store(StorePrefix).Get(keyTotals); b != nil {
		canon.MustDecode(b, &t)
	}
	return t
}

func (k Keeper) setTotals(ctx chain.Context, t Totals) {
	ctx.Store(StorePrefix).Set(keyTotals, canon.MustMarshal(&t))
}

// Charge is what a tx paid.
type Charge struct {
	Gas     uint64      `json:"gas"`
	BaseFee coin.Amount `json:"base_fee,string"`
	Total   coin.Amount `json:"total,string"`
	Tip     coin.Amount `json:"tip,string"`
	Burnt   coin.Amount `json:"burnt,string"`
	Pooled  coin.Amount `json:"pooled,string"`
}

// Check verifies, without writing, that a tx using gas can pay: gas within the tx's limit and
// the block's, max fee covering the base fee, balance covering the max fee. It returns the charge.
func (k Keeper) Check(ctx chain.Context, p Params, payer address.Address, fee tx.Fee, gas uint64) (Charge, error) {
	if gas > fee.GasLimit {
		return Charge{}, ErrOutOfGas.Wrapf("the tx uses %d gas, its limit is %d", gas, fee.GasLimit)
	}
	if gas > p.MaxBlockGas {
		return Charge{}, ErrBlockGasLimit.Wrapf("%d gas, a block holds %d", gas, p.MaxBlockGas)
	}
	base := k.BaseFee(ctx)
	required, err := base.Mul(gas)
	if err != nil {
		return Charge{}, ErrGasOverflow.Wrap(err)
	}
	if fee.MaxFee < required {
		return Charge{}, ErrFeeTooLow.Wrapf("max fee %s, but %d gas at the base fee of %d%s/gas costs %s",
			coin.New(p.Denom, fee.MaxFee), gas, base, p.Denom, coin.New(p.Denom, required))
	}
	if bal := k.bank.Balance(ctx, payer, p.Denom); bal < fee.MaxFee {
		return Charge{}, ErrCannotCoverFee.Wrapf("%s has %s, the tx's max fee is %s",
			payer, coin.New(p.Denom, bal), coin.New(p.Denom, fee.MaxFee))
	}
	tip := fee.Tip
	if room := fee.MaxFee - required; tip > room {
		tip = room
	}
	burnt, pooled, err := p.Split(base, gas, tip)
	if err != nil {
		return Charge{}, ErrGasOverflow.Wrap(err)
	}
	return Charge{Gas: gas, BaseFee: base, Total: required + tip, Tip: tip, Burnt: burnt, Pooled: pooled}, nil
}

// Collect takes a checked charge from payer: burns its burnt part, pays the rest to the pool.
func (k Keeper) Collect(ctx chain.Context, p Params, payer address.Address, c Charge) error {
	if c.Burnt > 0 {
		if err := k.bank.Burn(ctx, payer, coin.New(p.Denom, c.Burnt)); err != nil {
			return err
		}
	}
	if c.Pooled > 0 {
		if err := k.bank.Send(ctx, payer, PoolAddress, coin.New(p.Denom, c.Pooled)); err != nil {
			return err
		}
	}
	t := k.Totals(ctx)
	var err error
	if t.Burnt, err = t.Burnt.Add(c.Burnt); err != nil {
		return ErrGasOverflow.Wrap(err)
	}
	if t.Pooled, err = t.Pooled.Add(c.Pooled); err != nil {
		return ErrGasOverflow.Wrap(err)
	}
	k.setTotals(ctx, t)
	ctx.Emit(chain.NewEvent("fees.charged", "payer", payer.String(), "gas", chain.Uint(c.Gas),
		"base_fee", chain.Uint(c.BaseFee), "total", chain.Uint(c.Total), "tip", chain.Uint(c.Tip),
		"burnt", chain.Uint(c.Burnt), "pooled", chain.Uint(c.Pooled)))
	return nil
}

// EndBlock moves the base fee for the gas the block used.
func (k Keeper) EndBlock(ctx chain.Context, blockGas uint64) {
	p := k.Params(ctx)
	old := k.BaseFee(ctx)
	next := p.NextBaseFee(old, blockGas)
	if next != old {
		k.setBaseFee(ctx, next)
		ctx.Emit(chain.NewEvent("fees.base_fee", "old", chain.Uint(old), "new", chain.Uint(next), "block_gas", chain.Uint(blockGas)))
	}
}
