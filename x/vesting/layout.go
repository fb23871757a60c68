package vesting

import "github.com/girder-chain/girder/chain"

// StateLayout describes the module's keys (see chain.StateLayout).
func (*Module) StateLayout() chain.StateLayout {
	return chain.StateLayout{Prefix: StorePrefix[0], Kinds: []chain.StateKind{
		{Prefix: keySeq, Name: "grant sequence", New: func() any { return new(uint64) }},
		{Prefix: keyGrant, Name: "grant", New: func() any { return new(Grant) }},
		{Prefix: keyLive, Name: "live grant index", New: nil},
		{Prefix: keyAccount, Name: "account grant index", New: nil},
		{Prefix: keyDue, Name: "vesting end queue entry", New: nil},
		{Prefix: keyLiveN, Name: "live grant count", New: func() any { return new(uint64) }},
	}}
}
