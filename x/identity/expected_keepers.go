package identity

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
)

// Roles is what identity needs from auth: who holds which role.
type Roles interface {
	HasRole(ctx chain.Context, a address.Address, role string) bool
}

// The auth roles identity checks (auth owns them; the names are part of the chain's protocol).
const (
	RoleAdmin             = "admin"
	RoleKYCProvider       = "kyc_provider"
	RoleComplianceOfficer = "compliance_officer"
)

// LinkHooks is told when an account joins or leaves an identity (x/compliance moves the
// account's holdings between the identity and the account).
type LinkHooks interface {
	AccountLinked(ctx chain.Context, a address.Address, id string)
	AccountUnlinked(ctx chain.Context, a address.Address, id string)
}
