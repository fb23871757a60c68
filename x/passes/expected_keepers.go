package passes

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/projects"
)

// Bank is what passes needs from bank: the escrow's balances (the accounting invariant) and
// plain moves into and out of the escrow. A buyer's payment is decided by compliance first (see
// Compliance): the escrow is a module account, which bank's Transfer refuses as a receiver, so
// passes asks compliance for the decision on the cash leg itself (as offerings does) and then
// moves the price with Send (which still refuses to spend locked (vesting) tokens). Earned
// revenue goes from the escrow to the project's treasury, refunds back to holders: moves of this
// module's own account under the class's terms.
type Bank interface {
	Balance(ctx chain.Context, a address.Address, denom string) coin.Amount
	Balances(ctx chain.Context, a address.Address) []coin.Coin
	Send(ctx chain.Context, from, to address.Address, c coin.Coin) error
	ModuleAccount(a address.Address) (string, bool)
}

// Assets is what passes needs from x/assets: a class's price must be in a cash asset and its
// compliance asset of kind pass.
type Assets interface {
	Asset(ctx chain.Context, denom string) (assets.Asset, bool)
}

// Compliance is what passes needs from x/compliance: the decision on a buyer's payment (the
// cash asset's rules, from the buyer to the project's treasury) and, when a class names a
// compliance asset, on a sale (as many units of it as passes bought, from the class's creator to
// the buyer) and a transfer (1 unit, from holder to holder). Reject and hold (which passes cannot
// wait for) refuse; a flag lets it happen with its alert.
type Compliance interface {
	Check(ctx chain.Context, from, to address.Address, c coin.Coin) compliance.Decision
}

// Projects is what passes needs from x/projects: the project, and its stakeholders' roles
// (operator or private_partner create classes; operators redeem; public_agency or operator
// open the service).
type Projects interface {
	Project(ctx chain.Context, id string) (projects.Project, bool)
	Holds(ctx chain.Context, project string, a address.Address, role string) bool
}
