package vesting

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/x/compliance"
)

// Bank is what vesting needs from bank: balances (the invariant that locked tokens never moved),
// denoms, module accounts, and the plain move of a grant (after compliance decided it) and of a
// clawback.
type Bank interface {
	Balance(ctx chain.Context, a address.Address, denom string) coin.Amount
	Unit(ctx chain.Context, denom string) (coin.Unit, bool)
	ModuleAccount(a address.Address) (string, bool)
	Send(ctx chain.Context, from, to address.Address, c coin.Coin) error
}

// Compliance is what vesting needs from x/compliance: the decision on a grant (a transfer from
// the grantor to the grantee that vesting moves itself; a hold cannot be waited for, so it
// refuses the grant like a rejection).
type Compliance interface {
	Check(ctx chain.Context, from, to address.Address, c coin.Coin) compliance.Decision
}

// SpendGuard is the hook vesting offers the chain: CheckSpend refuses (with ErrLocked) any
// spend of c from an account that would leave its balance below its locked amount. The app calls
// it from bank before a user transfer (bank.Transfer), and before a fee is charged; Spendable
// answers how much may still be spent. Keeper implements it.
type SpendGuard interface {
	CheckSpend(ctx chain.Context, from address.Address, c coin.Coin) error
	Spendable(ctx chain.Context, a address.Address, denom string) coin.Amount
}

// Reviewer is bank's compliance hook (bank.Compliance): Guard wraps one.
type Reviewer interface {
	Review(ctx chain.Context, from, to address.Address, c coin.Coin) (held bool, err error)
}

var _ SpendGuard = Keeper{}
