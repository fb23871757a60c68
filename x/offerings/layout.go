package offerings

import (
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
)

// StateLayout describes the module's keys (see chain.StateLayout).
func (*Module) StateLayout() chain.StateLayout {
	return chain.StateLayout{Prefix: StorePrefix[0], Kinds: []chain.StateKind{
		{Prefix: keyOffering, Name: "offering", New: func() any { return new(Offering) }},
		{Prefix: keySub, Name: "subscription", New: func() any { return new(Subscription) }},
		{Prefix: keyInvestor, Name: "investor subscription index", New: nil},
		{Prefix: keySecurity, Name: "security offering index", New: nil},
		{Prefix: keyTally, Name: "investor tally", New: func() any { return new(coin.Amount) }},
		{Prefix: keyDue, Name: "offering end queue entry", New: nil},
		{Prefix: keyWork, Name: "settlement work queue entry", New: nil},
		{Prefix: keySeq, Name: "offering sequence", New: func() any { return new(uint64) }},
		{Prefix: keyParams, Name: "params", New: func() any { return new(Params) }},
	}}
}
