package compliance

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/x/identity"
)

// Bank is what compliance needs from bank: balances, supplies, and plain moves (into and out of
// the hold account) that do not come back through compliance.
type Bank interface {
	Balance(ctx chain.Context, a address.Address, denom string) coin.Amount
	Balances(ctx chain.Context, a address.Address) []coin.Coin
	Supply(ctx chain.Context, denom string) coin.Amount
	Unit(ctx chain.Context, denom string) (coin.Unit, bool)
	Send(ctx chain.Context, from, to address.Address, c coin.Coin) error
	EachBalance(ctx chain.Context, fn func(a address.Address, c coin.Coin))
}

// Identities is what compliance needs from identity: an account's identity and the claims that
// count for it at the block time.
type Identities interface {
	Identity(ctx chain.Context, a address.Address) (string, bool)
	Claims(ctx chain.Context, a address.Address) (identity.EffectiveClaims, bool)
	IdentityClaims(ctx chain.Context, id string) identity.EffectiveClaims
}

// Roles is what compliance needs from auth.
type Roles interface {
	HasRole(ctx chain.Context, a address.Address, role string) bool
}

// RoleComplianceOfficer is the auth role that changes rules, lists and freezes and decides holds.
const RoleComplianceOfficer = "compliance_officer"

// Assets is what compliance needs from x/assets: whether an asset is paused (then every transfer
// of it is rejected, rule "paused").
type Assets interface {
	Paused(ctx chain.Context, denom string) (paused bool, reason string)
}
