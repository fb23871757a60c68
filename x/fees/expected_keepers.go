package fees

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
)

// Bank is what fees needs from bank: balances, burning and moving fees to the pool.
type Bank interface {
	Balance(ctx chain.Context, a address.Address, denom string) coin.Amount
	Burn(ctx chain.Context, from address.Address, c coin.Coin) error
	Send(ctx chain.Context, from, to address.Address, c coin.Coin) error
}
