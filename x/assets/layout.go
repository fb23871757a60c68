package assets

import "github.com/girder-chain/girder/chain"

// StateLayout describes the module's keys (see chain.StateLayout).
func (*Module) StateLayout() chain.StateLayout {
	return chain.StateLayout{Prefix: StorePrefix[0], Kinds: []chain.StateKind{
		{Prefix: keyAsset, Name: "asset", New: func() any { return new(Asset) }},
		{Prefix: keyDoc, Name: "document", New: func() any { return new(Document) }},
		{Prefix: keyCurrent, Name: "current document version", New: func() any { return new(uint32) }},
	}}
}
