package distributions

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/identity"
)

// Bank is what distributions needs from bank: balances and supplies (the history starts from
// them), and plain moves into and out of the escrow account (a module account: they do not pass
// compliance).
type Bank interface {
	Balance(ctx chain.Context, a address.Address, denom string) coin.Amount
	Balances(ctx chain.Context, a address.Address) []coin.Coin
	Supply(ctx chain.Context, denom string) coin.Amount
	Send(ctx chain.Context, from, to address.Address, c coin.Coin) error
	EachBalance(ctx chain.Context, fn func(a address.Address, c coin.Coin))
}

// Assets is what distributions needs from x/assets: an asset's kind, issuer and pause.
type Assets interface {
	Asset(ctx chain.Context, denom string) (assets.Asset, bool)
}

// Compliance is what distributions needs from x/compliance: freezes (a holder whose security
// holding is frozen whole does not get paid) and the chain-wide deny list (sanctions).
type Compliance interface {
	Frozen(ctx chain.Context, asset string, a address.Address) (compliance.Freeze, bool)
	Denied(ctx chain.Context, asset string, a address.Address) (compliance.DenyEntry, bool)
}

// Identities is what distributions needs from identity: the jurisdiction claim that counts for
// an account at the block time (it picks the withholding rate).
type Identities interface {
	Claims(ctx chain.Context, a address.Address) (identity.EffectiveClaims, bool)
}
