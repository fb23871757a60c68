package identity

import (
	"github.com/girder-chain/girder/address"
)

// MsgRegister registers identity ID with its first accounts; Provider must be a KYC provider.
type MsgRegister struct {
	Provider address.Address   `cbor:"1,keyasint" json:"provider"`
	ID       string            `cbor:"2,keyasint" json:"id"`
	Accounts []address.Address `cbor:"3,keyasint,omitempty" json:"accounts"`
}

func (*MsgRegister) MsgType() string           { return "identity/register" }
func (m *MsgRegister) Signer() address.Address { return m.Provider }
func (m *MsgRegister) Validate() error {
	if m.Provider.IsZero() {
		return ErrInvalidMsg.Wrapf("zero provider address")
	}
	if err := ValidateID(m.ID); err != nil {
		return err
	}
	if len(m.Accounts) > MaxAccounts {
		return ErrInvalidMsg.Wrapf("%d accounts: at most %d per msg", len(m.Accounts), MaxAccounts)
	}
	seen := map[address.Address]bool{}
	for i, a := range m.Accounts {
		if a.IsZero() {
			return ErrInvalidMsg.Wrapf("account %d: zero address", i)
		}
		if seen[a] {
			return ErrInvalidMsg.Wrapf("account %s listed twice", a)
		}
		seen[a] = true
	}
	return nil
}

// GasItems is the number of accounts (gas is charged per account linked).
func (m *MsgRegister) GasItems() uint64 { return uint64(len(m.Accounts)) }

// MsgLink links Account to identity ID; Provider must be the identity's KYC provider.
type MsgLink struct {
	Provider address.Address `cbor:"1,keyasint" json:"provider"`
	ID       string          `cbor:"2,keyasint" json:"id"`
	Account  address.Address `cbor:"3,keyasint" json:"account"`
}

func (*MsgLink) MsgType() string           { return "identity/link" }
func (m *MsgLink) Signer() address.Address { return m.Provider }
func (m *MsgLink) Validate() error         { return validateLink(m.Provider, m.ID, m.Account) }

// MsgUnlink removes Account from identity ID; Provider must be the identity's KYC provider.
type MsgUnlink struct {
	Provider address.Address `cbor:"1,keyasint" json:"provider"`
	ID       string          `cbor:"2,keyasint" json:"id"`
	Account  address.Address `cbor:"3,keyasint" json:"account"`
}

func (*MsgUnlink) MsgType() string           { return "identity/unlink" }
func (m *MsgUnlink) Signer() address.Address { return m.Provider }
func (m *MsgUnlink) Validate() error         { return validateLink(m.Provider, m.ID, m.Account) }

func validateLink(provider address.Address, id string, account address.Address) error {
	if provider.IsZero() || account.IsZero() {
		return ErrInvalidMsg.Wrapf("zero address")
	}
	return ValidateID(id)
}

// MsgIssue issues a credential with Claims to identity ID, valid until Expiry (unix seconds,
// after the block time); EvidenceHash is the hash of the off-chain evidence. Issuer must be a KYC
// provider.
type MsgIssue struct {
	Issuer       address.Address `cbor:"1,keyasint" json:"issuer"`
	ID           string          `cbor:"2,keyasint" json:"id"`
	Claims       ClaimSet        `cbor:"3,keyasint" json:"claims"`
	Expiry       int64           `cbor:"4,keyasint" json:"expiry"`
	EvidenceHash Hash            `cbor:"5,keyasint" json:"evidence_hash"`
}

func (*MsgIssue) MsgType() string           { return "identity/issue" }
func (m *MsgIssue) Signer() address.Address { return m.Issuer }
func (m *MsgIssue) Validate() error {
	if m.Issuer.IsZero() {
		return ErrInvalidMsg.Wrapf("zero issuer address")
	}
	if err := ValidateID(m.ID); err != nil {
		return err
	}
	if err := m.Claims.Validate(); err != nil {
		return err
	}
	if m.Expiry <= 0 {
		return ErrExpiry.Wrapf("expiry %d: want unix seconds after the block time", m.Expiry)
	}
	if m.EvidenceHash.IsZero() {
		return ErrInvalidMsg.Wrapf("evidence hash is all zeros: give the SHA-256 of the off-chain evidence")
	}
	return nil
}

// MsgRenew extends credential CredentialID to Expiry with new evidence; only its issuer may.
type MsgRenew struct {
	Issuer       address.Address `cbor:"1,keyasint" json:"issuer"`
	CredentialID uint64          `cbor:"2,keyasint" json:"credential_id"`
	Expiry       int64           `cbor:"3,keyasint" json:"expiry"`
	EvidenceHash Hash            `cbor:"4,keyasint" json:"evidence_hash"`
}

func (*MsgRenew) MsgType() string           { return "identity/renew" }
func (m *MsgRenew) Signer() address.Address { return m.Issuer }
func (m *MsgRenew) Validate() error {
	if m.Issuer.IsZero() {
		return ErrInvalidMsg.Wrapf("zero issuer address")
	}
	if m.CredentialID == 0 {
		return ErrInvalidMsg.Wrapf("credential id 0: credential ids start at 1")
	}
	if m.Expiry <= 0 {
		return ErrExpiry.Wrapf("expiry %d: want unix seconds after the block time", m.Expiry)
	}
	if m.EvidenceHash.IsZero() {
		return ErrInvalidMsg.Wrapf("evidence hash is all zeros: give the SHA-256 of the off-chain evidence")
	}
	return nil
}

// MsgRevoke revokes credential CredentialID for Reason; By is its issuer or a compliance officer.
type MsgRevoke struct {
	By           address.Address `cbor:"1,keyasint" json:"by"`
	CredentialID uint64          `cbor:"2,keyasint" json:"credential_id"`
	Reason       string          `cbor:"3,keyasint" json:"reason"`
}

func (*MsgRevoke) MsgType() string           { return "identity/revoke" }
func (m *MsgRevoke) Signer() address.Address { return m.By }
func (m *MsgRevoke) Validate() error {
	if m.By.IsZero() {
		return ErrInvalidMsg.Wrapf("zero address of the revoker")
	}
	if m.CredentialID == 0 {
		return ErrInvalidMsg.Wrapf("credential id 0: credential ids start at 1")
	}
	if m.Reason == "" || len(m.Reason) > MaxReasonLen {
		return ErrInvalidMsg.Wrapf("a revocation needs a reason of 1 to %d bytes (got %d)", MaxReasonLen, len(m.Reason))
	}
	return nil
}

// MsgSetTrust sets the claim kinds for which Issuer's credentials count (an empty list: none);
// Authority must be an admin.
type MsgSetTrust struct {
	Authority address.Address `cbor:"1,keyasint" json:"authority"`
	Issuer    address.Address `cbor:"2,keyasint" json:"issuer"`
	Claims    []string        `cbor:"3,keyasint,omitempty" json:"claims"`
}

func (*MsgSetTrust) MsgType() string           { return "identity/set_trust" }
func (m *MsgSetTrust) Signer() address.Address { return m.Authority }
func (m *MsgSetTrust) Validate() error {
	if m.Authority.IsZero() || m.Issuer.IsZero() {
		return ErrInvalidMsg.Wrapf("zero address")
	}
	return validateClaimKinds(m.Claims)
}
