package bank

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
)

// Accounts is what bank needs from auth: an account exists once it receives funds.
type Accounts interface {
	Ensure(ctx chain.Context, a address.Address)
}

// Compliance decides transfers between parties (x/compliance). Review returns an error to refuse
// the transfer (nothing moves); held is true when it has taken the amount into a hold itself;
// otherwise bank moves the amount as asked.
type Compliance interface {
	Review(ctx chain.Context, from, to address.Address, c coin.Coin) (held bool, err error)
}

// BalanceHook is told of every balance change (x/compliance counts holders per identity).
type BalanceHook interface {
	BalanceChanged(ctx chain.Context, a address.Address, denom string, before, after coin.Amount)
}

// SupplyHook is told of every change of a denom's supply (mint and burn); x/distributions keeps
// supply history for checkpoints. A BalanceHook given to SetHooks that is also a SupplyHook gets both.
type SupplyHook interface {
	SupplyChanged(ctx chain.Context, denom string, before, after coin.Amount)
}
