package passes

import "github.com/girder-chain/girder/chain"

// StateLayout describes the module's keys (see chain.StateLayout).
func (*Module) StateLayout() chain.StateLayout {
	return chain.StateLayout{Prefix: StorePrefix[0], Kinds: []chain.StateKind{
		{Prefix: keyClassSeq, Name: "class sequence", New: func() any { return new(uint64) }},
		{Prefix: keyPassSeq, Name: "pass sequence", New: func() any { return new(uint64) }},
		{Prefix: keyClass, Name: "pass class", New: func() any { return new(Class) }},
		{Prefix: keyProjCls, Name: "project class index", New: nil},
		{Prefix: keyPass, Name: "pass", New: func() any { return new(Pass) }},
		{Prefix: keyHolder, Name: "holder pass index", New: nil},
		{Prefix: keyOfClass, Name: "class pass index", New: nil},
		{Prefix: keyActive, Name: "active pass index", New: nil},
		{Prefix: keyService, Name: "service", New: func() any { return new(Service) }},
		{Prefix: keyRevenue, Name: "revenue", New: func() any { return new(Revenue) }},
		{Prefix: keyExpiry, Name: "class expiry queue entry", New: nil},
		{Prefix: keyLate, Name: "late class queue entry", New: nil},
	}}
}
