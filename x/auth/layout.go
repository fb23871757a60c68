package auth

import "github.com/girder-chain/girder/chain"

// StateLayout describes the module's keys (see chain.StateLayout).
func (*Module) StateLayout() chain.StateLayout {
	return chain.StateLayout{Prefix: StorePrefix[0], Kinds: []chain.StateKind{
		{Prefix: keyAccount, Name: "account", New: func() any { return new(Account) }},
		{Prefix: keyRole, Name: "role grant", New: func() any { return new(RoleGrant) }},
	}}
}
