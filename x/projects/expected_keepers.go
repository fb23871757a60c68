package projects

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/x/assets"
)

// Bank is what projects needs from bank: balances (a treasury's, the escrow's) and plain moves
// between the module's accounts and payees. The moves do not pass compliance: funding moves cash
// between two accounts of this module (a treasury and the escrow), a release or a return pays
// what stakeholders agreed under the project's rules, and the cash asset's own controls still
// apply (a paused cash asset stops every move; see Assets). A payee's eligibility is the
// stakeholders' decision when they plan the milestone. A DAO's spend from a treasury is a
// transfer between parties: Transfer, which compliance reviews.
type Bank interface {
	Balance(ctx chain.Context, a address.Address, denom string) coin.Amount
	Balances(ctx chain.Context, a address.Address) []coin.Coin
	Send(ctx chain.Context, from, to address.Address, c coin.Coin) error
	Transfer(ctx chain.Context, from, to address.Address, c coin.Coin) error
}

// Roles is what projects needs from auth: the chain role public_agency (creating a project).
type Roles interface {
	HasRole(ctx chain.Context, a address.Address, role string) bool
}

// Assets is what projects needs from x/assets: a tranche's asset must be a cash asset, and no
// tranche moves while its asset is paused; a project's security token must be a security.
type Assets interface {
	Asset(ctx chain.Context, denom string) (assets.Asset, bool)
}
