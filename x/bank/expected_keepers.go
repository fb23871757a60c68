package bank

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
)

// Accounts is what bank needs from auth: an account exists once it receives funds.
type Accounts interface {
	Ensure(ctx chain.Context, a address.Address)
}
