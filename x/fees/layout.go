package fees

import (
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
)

// StateLayout describes the module's keys (see chain.StateLayout).
func (*Module) StateLayout() chain.StateLayout {
	return chain.StateLayout{Prefix: StorePrefix[0], Kinds: []chain.StateKind{
		{Prefix: keyParams, Name: "params", New: func() any { return new(Params) }},
		{Prefix: keyBaseFee, Name: "base fee", New: func() any { return new(coin.Amount) }},
		{Prefix: keyTotals, Name: "fee totals", New: func() any { return new(Totals) }},
	}}
}
