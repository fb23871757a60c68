package assets

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/x/compliance"
)

// Bank is what assets needs from bank: denoms, issuance and plain moves (forced transfers and
// recoveries do not pass compliance; they are the controller's decision, recorded with a reason).
type Bank interface {
	Unit(ctx chain.Context, denom string) (coin.Unit, bool)
	SetUnit(ctx chain.Context, u coin.Unit)
	Balance(ctx chain.Context, a address.Address, denom string) coin.Amount
	Supply(ctx chain.Context, denom string) coin.Amount
	Mint(ctx chain.Context, to address.Address, c coin.Coin) error
	Burn(ctx chain.Context, from address.Address, c coin.Coin) error
	Send(ctx chain.Context, from, to address.Address, c coin.Coin) error
	ModuleAccount(a address.Address) (string, bool)
}

// Compliance is what assets needs from compliance: the decision an issuance to an investor gets,
// and freezes by the controller.
type Compliance interface {
	Review(ctx chain.Context, from, to address.Address, c coin.Coin) (held bool, err error)
	Freeze(ctx chain.Context, asset string, account address.Address, amount coin.Amount, reason string, by address.Address) error
	Unfreeze(ctx chain.Context, asset string, account address.Address, reason string, by address.Address) error
	Frozen(ctx chain.Context, asset string, a address.Address) (compliance.Freeze, bool)
}

// Identities is what assets needs from identity: an account's identity (a recovery moves a
// holding only between accounts of one identity).
type Identities interface {
	Identity(ctx chain.Context, a address.Address) (string, bool)
}

// Roles is what assets needs from auth.
type Roles interface {
	HasRole(ctx chain.Context, a address.Address, role string) bool
}

// Creation hooks: modules that keep per-asset state from an asset's creation (x/distributions
// keeps balance history of securities).
type CreationHook interface {
	AssetCreated(ctx chain.Context, a Asset)
}

// The auth roles that may create assets.
const (
	RoleAssetIssuer = "asset_issuer" // securities, passes, receivables
	RoleCashIssuer  = "cash_issuer"  // cash
)

// Treasuries is what assets needs from x/projects: whether an account is a project's treasury
// (a module-controlled account that receives, so bank does not block it).
type Treasuries interface {
	ProjectOfTreasury(ctx chain.Context, a address.Address) (string, bool)
}
