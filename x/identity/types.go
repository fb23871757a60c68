package identity

import (
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/girder-chain/girder/address"
)

// Claim kinds: what a credential may state about an identity, and what an issuer may be trusted for.
const (
	ClaimInvestorType = "investor_type"
	ClaimJurisdiction = "jurisdiction"
	ClaimKYCLevel     = "kyc_level"
	ClaimSanctions    = "sanctions"
)

// ClaimKinds lists every claim kind in name order.
var ClaimKinds = []string{ClaimInvestorType, ClaimJurisdiction, ClaimKYCLevel, ClaimSanctions}

// Investor types.
const (
	InvestorRetail        = "retail"
	InvestorProfessional  = "professional"
	InvestorAccredited    = "accredited"
	InvestorInstitutional = "institutional"
)

// InvestorTypes lists every investor type.
var InvestorTypes = []string{InvestorRetail, InvestorProfessional, InvestorAccredited, InvestorInstitutional}

// Limits.
const (
	MinIDLen     = 3
	MaxIDLen     = 64
	MaxKYCLevel  = 3
	MaxAccounts  = 64  // accounts of one register msg
	MaxReasonLen = 256 // bytes of a revocation reason
)

// ValidateID checks an identity id: 3 to 64 characters of a-z, 0-9 and '-'.
func ValidateID(id string) error {
	if len(id) < MinIDLen || len(id) > MaxIDLen {
		return ErrInvalidID.Wrapf("%q has %d characters, want %d to %d", id, len(id), MinIDLen, MaxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return ErrInvalidID.Wrapf("%q: only a-z, 0-9 and '-' are allowed", id)
		}
	}
	return nil
}

// ValidateJurisdiction checks an ISO 3166-1 alpha-2 code: two upper-case letters.
func ValidateJurisdiction(j string) error {
	if len(j) != 2 || j[0] < 'A' || j[0] > 'Z' || j[1] < 'A' || j[1] > 'Z' {
		return ErrBadJurisdiction.Wrapf("%q: want an ISO 3166-1 alpha-2 code, two upper-case letters such as DE or US", j)
	}
	return nil
}

// ValidInvestorType reports whether t is an investor type.
func ValidInvestorType(t string) bool {
	for _, v := range InvestorTypes {
		if v == t {
			return true
		}
	}
	return false
}

// ValidClaimKind reports whether c is a claim kind.
func ValidClaimKind(c string) bool {
	i := sort.SearchStrings(ClaimKinds, c)
	return i < len(ClaimKinds) && ClaimKinds[i] == c
}

// Hash is a SHA-256 hash (of a credential's off-chain evidence). It is hex in JSON and a 32-byte
// byte string in CBOR.
type Hash [32]byte

// IsZero reports whether h is all zeros (never a valid evidence hash).
func (h Hash) IsZero() bool { return h == Hash{} }

func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// MarshalText writes 64 hex digits.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText reads 64 hex digits.
func (h *Hash) UnmarshalText(b []byte) error {
	p, err := ParseHash(string(b))
	if err != nil {
		return err
	}
	*h = p
	return nil
}

// ParseHash reads 64 hex digits.
func ParseHash(s string) (Hash, error) {
	var h Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("evidence hash %q: want 64 hex digits (32 bytes)", s)
	}
	copy(h[:], b)
	return h, nil
}

// MarshalCBOR encodes the hash as a 32-byte CBOR byte string.
func (h Hash) MarshalCBOR() ([]byte, error) {
	return append([]byte{0x58, 0x20}, h[:]...), nil
}

// UnmarshalCBOR decodes a 32-byte CBOR byte string.
func (h *Hash) UnmarshalCBOR(b []byte) error {
	if len(b) != 2+len(h) || b[0] != 0x58 || b[1] != 0x20 {
		return fmt.Errorf("evidence hash: want a 32-byte CBOR byte string")
	}
	copy(h[:], b[2:])
	return nil
}

// ClaimSet is what a credential states. A zero field is not claimed: KYCLevel 0, Jurisdiction
// "", InvestorType "", SanctionsScreened false. A credential claims at least one.
type ClaimSet struct {
	KYCLevel          uint8  `cbor:"1,keyasint,omitempty" json:"kyc_level,omitempty"`
	Jurisdiction      string `cbor:"2,keyasint,omitempty" json:"jurisdiction,omitempty"`
	InvestorType      string `cbor:"3,keyasint,omitempty" json:"investor_type,omitempty"`
	SanctionsScreened bool   `cbor:"4,keyasint,omitempty" json:"sanctions_screened,omitempty"`
}

// Has reports whether the set claims kind.
func (c ClaimSet) Has(kind string) bool {
	switch kind {
	case ClaimKYCLevel:
		return c.KYCLevel != 0
	case ClaimJurisdiction:
		return c.Jurisdiction != ""
	case ClaimInvestorType:
		return c.InvestorType != ""
	case ClaimSanctions:
		return c.SanctionsScreened
	}
	return false
}

// Kinds lists the claimed kinds in name order.
func (c ClaimSet) Kinds() []string {
	var out []string
	for _, k := range ClaimKinds {
		if c.Has(k) {
			out = append(out, k)
		}
	}
	return out
}

// Validate checks each claim and that there is at least one.
func (c ClaimSet) Validate() error {
	if len(c.Kinds()) == 0 {
		return ErrNoClaims.Wrapf("give at least one of kyc_level, jurisdiction, investor_type, sanctions_screened")
	}
	if c.KYCLevel > MaxKYCLevel {
		return ErrBadClaim.Wrapf("kyc_level %d: want 1 to %d", c.KYCLevel, MaxKYCLevel)
	}
	if c.Jurisdiction != "" {
		if err := ValidateJurisdiction(c.Jurisdiction); err != nil {
			return err
		}
	}
	if c.InvestorType != "" && !ValidInvestorType(c.InvestorType) {
		return ErrBadClaim.Wrapf("investor_type %q: want one of %s", c.InvestorType, strings.Join(InvestorTypes, ", "))
	}
	return nil
}

// Identity is a person or organisation known to a KYC provider, to which accounts are linked.
type Identity struct {
	ID       string          `cbor:"1,keyasint" json:"id"`
	Provider address.Address `cbor:"2,keyasint" json:"provider"` // the KYC provider that registered it and manages its accounts
	Height   int64           `cbor:"3,keyasint" json:"height"`   // registration height
}

// Link is an account's membership of an identity.
type Link struct {
	Account address.Address `cbor:"1,keyasint" json:"account"`
	By      address.Address `cbor:"2,keyasint" json:"linked_by"`
	Height  int64           `cbor:"3,keyasint" json:"height"`
}

// Revocation records who revoked a credential, why and when. It is never removed.
type Revocation struct {
	By     address.Address `cbor:"1,keyasint" json:"by"`
	Reason string          `cbor:"2,keyasint" json:"reason"`
	Height int64           `cbor:"3,keyasint" json:"height"`
	Time   int64           `cbor:"4,keyasint" json:"time"` // block time, unix seconds
}

// Credential is a set of claims about an identity, issued by a KYC provider, valid until Expiry
// (unix seconds) unless revoked. Credentials are never deleted.
type Credential struct {
	ID            uint64          `cbor:"1,keyasint" json:"id"`
	Identity      string          `cbor:"2,keyasint" json:"identity"`
	Issuer        address.Address `cbor:"3,keyasint" json:"issuer"`
	Claims        ClaimSet        `cbor:"4,keyasint" json:"claims"`
	Expiry        int64           `cbor:"5,keyasint" json:"expiry"`
	EvidenceHash  Hash            `cbor:"6,keyasint" json:"evidence_hash"`
	IssuedHeight  int64           `cbor:"7,keyasint" json:"issued_height"`
	IssuedAt      int64           `cbor:"8,keyasint" json:"issued_at"` // block time, unix seconds
	Renewals      uint32          `cbor:"9,keyasint,omitempty" json:"renewals,omitempty"`
	RenewedHeight int64           `cbor:"10,keyasint,omitempty" json:"renewed_height,omitempty"`
	Revocation    *Revocation     `cbor:"11,keyasint,omitempty" json:"revocation,omitempty"`
}

// Credential statuses at a time.
const (
	StatusActive  = "active"
	StatusExpired = "expired"
	StatusRevoked = "revoked"
)

// StatusAt is the credential's status at unix time now.
func (c Credential) StatusAt(now int64) string {
	switch {
	case c.Revocation != nil:
		return StatusRevoked
	case now >= c.Expiry:
		return StatusExpired
	}
	return StatusActive
}

// Trust says for which claim kinds an issuer's credentials count.
type Trust struct {
	Issuer address.Address `cbor:"1,keyasint" json:"issuer"`
	Claims []string        `cbor:"2,keyasint" json:"claims"` // sorted, non-empty
	SetBy  address.Address `cbor:"3,keyasint" json:"set_by"`
	Height int64           `cbor:"4,keyasint" json:"height"`
}

// For reports whether the trust covers claim kind.
func (t Trust) For(kind string) bool {
	i := sort.SearchStrings(t.Claims, kind)
	return i < len(t.Claims) && t.Claims[i] == kind
}

// validateClaimKinds checks a trust list: known kinds, each once.
func validateClaimKinds(kinds []string) error {
	seen := map[string]bool{}
	for _, k := range kinds {
		if !ValidClaimKind(k) {
			return ErrBadClaim.Wrapf("%q is not a claim kind: want %s", k, strings.Join(ClaimKinds, ", "))
		}
		if seen[k] {
			return ErrBadClaim.Wrapf("claim kind %s listed twice", k)
		}
		seen[k] = true
	}
	return nil
}

// EffectiveClaims are the claims that count for an identity at a time: per claim kind, the most
// recently issued credential that is not revoked, not expired, and from an issuer trusted for that
// kind. A zero field means no such credential (KYCLevel 0: no KYC level counts).
type EffectiveClaims struct {
	IdentityID        string `json:"identity_id"`
	KYCLevel          uint8  `json:"kyc_level"`
	Jurisdiction      string `json:"jurisdiction"`
	InvestorType      string `json:"investor_type"`
	SanctionsScreened bool   `json:"sanctions_screened"`
	// ValidUntil is the earliest expiry (unix seconds) among the credentials used; 0 when none is.
	ValidUntil int64 `json:"valid_until"`
	// Credentials are the ids of the credentials used, ascending.
	Credentials []uint64 `json:"credentials"`
}
