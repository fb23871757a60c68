package governance

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/fees"
)

// Bank is what governance needs from bank: current balances (delegated power follows them),
// the escrow's balances (invariants) and the plain moves of deposits: into and out of the escrow
// account, and their burn on a veto.
type Bank interface {
	Balance(ctx chain.Context, a address.Address, denom string) coin.Amount
	Balances(ctx chain.Context, a address.Address) []coin.Coin
	Send(ctx chain.Context, from, to address.Address, c coin.Coin) error
	Burn(ctx chain.Context, from address.Address, c coin.Coin) error
}

// Distributions is what governance needs from x/distributions: the balance and supply history of
// every security token, for the weights at a proposal's snapshot.
type Distributions interface {
	BalanceAt(ctx chain.Context, denom string, a address.Address, height int64) coin.Amount
	SupplyAt(ctx chain.Context, denom string, height int64) coin.Amount
}

// Assets is what governance needs from x/assets: a DAO is the DAO of a security token; a DAO's
// deposit is in the native denom or an asset.
type Assets interface {
	Asset(ctx chain.Context, denom string) (assets.Asset, bool)
}

// Roles is what governance needs from x/auth: the chain role member (chain proposals).
type Roles interface {
	HasRole(ctx chain.Context, a address.Address, role string) bool
	// Holders lists the holders of role in address order, each once (x/auth reads them from the
	// role's keys, one per account): a chain proposal snapshots them as they are.
	Holders(ctx chain.Context, role string) []address.Address
}

// Projects is what governance needs from x/projects: the project linked to a security (its
// treasury does not vote) and its public agency stakeholders (the second chamber).
type Projects interface {
	IsAgency(ctx chain.Context, project string, a address.Address) bool
	ProjectOfSecurity(ctx chain.Context, denom string) (project string, treasury address.Address, ok bool)
}

// Scoper is a module whose msgs a project DAO may carry.
type Scoper interface {
	// DAOScope returns the security token whose DAO may use m, the project m acts on ("" when
	// none, e.g. a distributions msg) and the names of the protected project parameters m changes
	// (nil: none). A failure (unknown project, no security linked, a msg type the module does not
	// let a DAO use, …) is a *codes.Error explaining why no DAO may use m.
	DAOScope(ctx chain.Context, m tx.Msg) (denom, project string, protected []string, err error)
}

// Fees is what governance needs from x/fees: the fee params now (their denom does not change)
// and replacing them (validated first).
type Fees interface {
	Params(ctx chain.Context) fees.Params
	SetParams(ctx chain.Context, p fees.Params)
}

// Router executes a msg as the app's handler of its type does (wired in app/). Governance calls
// it at the end of a block for the msgs of a proposal whose timelock passed, in a branch of the
// store that it commits only when every msg succeeded.
type Router interface {
	Route(ctx chain.Context, m tx.Msg) error
}

// RouterFunc lets a function be a Router.
type RouterFunc func(ctx chain.Context, m tx.Msg) error

// Route calls f.
func (f RouterFunc) Route(ctx chain.Context, m tx.Msg) error { return f(ctx, m) }
