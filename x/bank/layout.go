package bank

import (
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
)

// StateLayout describes the module's keys (see chain.StateLayout).
func (*Module) StateLayout() chain.StateLayout {
	return chain.StateLayout{Prefix: StorePrefix[0], Kinds: []chain.StateKind{
		{Prefix: keyBalance, Name: "balance", New: func() any { return new(coin.Amount) }},
		{Prefix: keySupply, Name: "supply", New: func() any { return new(coin.Amount) }},
		{Prefix: keyUnit, Name: "unit", New: func() any { return new(coin.Unit) }},
	}}
}
