package offerings

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/compliance"
)

// Bank is what offerings needs from bank: balances and plain moves into and out of the escrow
// (they do not pass compliance; offerings asks compliance itself, see Compliance).
type Bank interface {
	Balance(ctx chain.Context, a address.Address, denom string) coin.Amount
	Balances(ctx chain.Context, a address.Address) []coin.Coin
	Send(ctx chain.Context, from, to address.Address, c coin.Coin) error
}

// Assets is what offerings needs from x/assets: an asset's kind, issuer and pause.
type Assets interface {
	Asset(ctx chain.Context, denom string) (assets.Asset, bool)
}

// Compliance is what offerings needs from x/compliance: the decision a transfer would get (a
// delivery of the security from the issuer to an investor; the investor's payment to the
// treasury), and freezes (an issuer cannot escrow frozen tokens).
type Compliance interface {
	Decide(ctx chain.Context, from, to address.Address, c coin.Coin) compliance.Decision
	Check(ctx chain.Context, from, to address.Address, c coin.Coin) compliance.Decision
	Frozen(ctx chain.Context, asset string, a address.Address) (compliance.Freeze, bool)
}

// Identities is what offerings needs from x/identity: the identity an account belongs to (the
// per-investor limits count per identity).
type Identities interface {
	Identity(ctx chain.Context, a address.Address) (string, bool)
}
