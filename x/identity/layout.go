package identity

import "github.com/girder-chain/girder/chain"

// StateLayout describes the module's keys (see chain.StateLayout).
func (*Module) StateLayout() chain.StateLayout {
	return chain.StateLayout{Prefix: StorePrefix[0], Kinds: []chain.StateKind{
		{Prefix: keyIdentity, Name: "identity", New: func() any { return new(Identity) }},
		{Prefix: keyMember, Name: "account link", New: func() any { return new(Link) }},
		// The value is the identity id's raw bytes, not a CBOR record.
		{Prefix: keyAccount, Name: "account identity index", New: nil},
		{Prefix: keyCredential, Name: "credential", New: func() any { return new(Credential) }},
		{Prefix: keyByIdentity, Name: "identity credential index", New: nil},
		{Prefix: keyByIssuer, Name: "issuer credential index", New: nil},
		{Prefix: keyRevocation, Name: "revocation", New: func() any { return new(Revocation) }},
		{Prefix: keyTrust, Name: "issuer trust", New: func() any { return new(Trust) }},
		{Prefix: keyLive, Name: "live credentials", New: func() any { return new([]uint64) }},
		{Prefix: keySequence, Name: "credential sequence", New: func() any { return new(uint64) }},
	}}
}
