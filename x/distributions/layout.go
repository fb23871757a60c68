package distributions

import (
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
)

// StateLayout describes the module's keys (see chain.StateLayout).
func (*Module) StateLayout() chain.StateLayout {
	return chain.StateLayout{Prefix: StorePrefix[0], Kinds: []chain.StateKind{
		{Prefix: keyTracked, Name: "tracked asset", New: func() any { return new(Tracked) }},
		{Prefix: keyHistory, Name: "balance history", New: func() any { return new(coin.Amount) }},
		{Prefix: keySupply, Name: "supply history", New: func() any { return new(coin.Amount) }},
		{Prefix: keyAgent, Name: "paying agent", New: func() any { return new(Agent) }},
		{Prefix: keyCheckpoint, Name: "checkpoint", New: func() any { return new(Checkpoint) }},
		{Prefix: keyCheckAsset, Name: "asset checkpoint index", New: nil},
		{Prefix: keyCheckDue, Name: "scheduled checkpoint queue entry", New: nil},
		{Prefix: keyDist, Name: "distribution", New: func() any { return new(Distribution) }},
		{Prefix: keyDistAsset, Name: "asset distribution index", New: nil},
		{Prefix: keyPayment, Name: "payment", New: func() any { return new(Payment) }},
		{Prefix: keyQueue, Name: "push queue entry", New: func() any { return new(PushEntry) }},
		{Prefix: keyQueueLen, Name: "push queue length", New: func() any { return new(uint64) }},
		{Prefix: keyCheckSeq, Name: "checkpoint sequence", New: func() any { return new(uint64) }},
		{Prefix: keyDistSeq, Name: "distribution sequence", New: func() any { return new(uint64) }},
		{Prefix: keyPushSeq, Name: "push sequence", New: func() any { return new(uint64) }},
	}}
}
