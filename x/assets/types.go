package assets

import (
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
)

// Asset kinds.
const (
	KindSecurity   = "security"   // a project's security token (equity, notes): every transfer is compliance-checked
	KindCash       = "cash"       // a tokenized currency (e.g. EURt), issued by a cash issuer; offerings and dividends settle in it
	KindPass       = "pass"       // prepaid access to a project's service
	KindReceivable = "receivable" // a supply-chain receivable
)

// Kinds lists the asset kinds.
var Kinds = []string{KindCash, KindPass, KindReceivable, KindSecurity}

// Limits.
const (
	MaxNameLen     = 128
	MaxSymbolLen   = 16
	MaxDecimals    = 18
	MaxProjectLen  = 64
	MaxURILen      = 512
	MaxDocNameLen  = 64
	MaxReasonLen   = 256
	MaxDocuments   = 64 // current documents of one asset
	MaxDocVersions = 1 << 20
)

// Asset is an asset issued on the chain: its denom (the base unit), what it is, who issued it and
// who controls it, and its supply limit.
type Asset struct {
	Denom      string          `cbor:"1,keyasint" json:"denom"`
	Kind       string          `cbor:"2,keyasint" json:"kind"`
	Name       string          `cbor:"3,keyasint" json:"name"`
	Symbol     string          `cbor:"4,keyasint" json:"symbol"`   // display unit, e.g. BRIDGE
	Decimals   uint8           `cbor:"5,keyasint" json:"decimals"` // base units per symbol = 10^decimals
	MaxSupply  coin.Amount     `cbor:"6,keyasint,omitempty" json:"max_supply,omitempty,string"`
	Issuer     address.Address `cbor:"7,keyasint" json:"issuer"`
	Controller address.Address `cbor:"8,keyasint" json:"controller"` // may freeze, force transfers, recover, pause
	Project    string          `cbor:"9,keyasint,omitempty" json:"project,omitempty"`
	Paused     bool            `cbor:"10,keyasint,omitempty" json:"paused,omitempty"`
	PauseNote  string          `cbor:"11,keyasint,omitempty" json:"pause_reason,omitempty"`
	Height     int64           `cbor:"12,keyasint" json:"created_height"`
	Minted     coin.Amount     `cbor:"13,keyasint,omitempty" json:"minted,omitempty,string"` // ever minted
	Burnt      coin.Amount     `cbor:"14,keyasint,omitempty" json:"burnt,omitempty,string"`  // ever burnt
}

// Unit is the asset's denom record for bank.
func (a Asset) Unit() coin.Unit {
	return coin.Unit{Base: a.Denom, Display: a.Symbol, Exponent: a.Decimals}
}

// Hash is a SHA-256 content hash, hex in JSON.
type Hash [32]byte

func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is all zeros.
func (h Hash) IsZero() bool { return h == Hash{} }

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
		return h, fmt.Errorf("content hash %q: want 64 hex digits (SHA-256)", s)
	}
	copy(h[:], b)
	return h, nil
}

// Document is one version of a named document of an asset (prospectus, term sheet, audit): its
// URI and content hash. Versions are never deleted; a removal is a version with Removed set.
type Document struct {
	Asset   string          `cbor:"1,keyasint" json:"asset"`
	Name    string          `cbor:"2,keyasint" json:"name"`
	Version uint32          `cbor:"3,keyasint" json:"version"`
	URI     string          `cbor:"4,keyasint,omitempty" json:"uri,omitempty"`
	Hash    Hash            `cbor:"5,keyasint" json:"hash"`
	Removed bool            `cbor:"6,keyasint,omitempty" json:"removed,omitempty"`
	By      address.Address `cbor:"7,keyasint" json:"by"`
	Height  int64           `cbor:"8,keyasint" json:"height"`
	Time    int64           `cbor:"9,keyasint" json:"time"`
}

func validText(what, s string, max int, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return ErrInvalidMsg.Wrapf("give a %s", what)
	}
	if len(s) > max {
		return ErrInvalidMsg.Wrapf("%s has %d bytes, at most %d", what, len(s), max)
	}
	if !utf8.ValidString(s) {
		return ErrInvalidMsg.Wrapf("%s is not valid UTF-8", what)
	}
	return nil
}

func validSymbol(s string) error {
	if len(s) < 2 || len(s) > MaxSymbolLen {
		return ErrInvalidMsg.Wrapf("symbol %q: want 2 to %d characters", s, MaxSymbolLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return ErrInvalidMsg.Wrapf("symbol %q: letters and digits only", s)
		}
	}
	return nil
}

func validKind(k string) error {
	for _, v := range Kinds {
		if v == k {
			return nil
		}
	}
	return ErrInvalidMsg.Wrapf("kind %q: want one of %s", k, strings.Join(Kinds, ", "))
}
