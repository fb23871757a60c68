// Package address holds Girder account addresses: 20 bytes derived from a public key (or a module
// name), shown as bech32 with the human-readable prefix "gir".
package address

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/bech32"
)

// Prefix is the bech32 human-readable part of every Girder address.
const Prefix = "gir"

// Len is the length in bytes of an address.
const Len = 20

// Address is the 20-byte identifier of an account.
type Address [Len]byte

// ErrInvalid is wrapped by every parse failure.
var ErrInvalid = errors.New("invalid address")

// FromPubKey derives the address of a public key of the given key type ("ed25519", …):
// the first 20 bytes of SHA-256(keyType ‖ 0x00 ‖ pubkey).
func FromPubKey(keyType string, pub []byte) Address {
	h := sha256.New()
	h.Write([]byte(keyType))
	h.Write([]byte{0})
	h.Write(pub)
	var a Address
	copy(a[:], h.Sum(nil))
	return a
}

// Module returns the address of an account controlled by a module (no private key exists for it).
func Module(name string) Address {
	return FromPubKey("module", []byte(name))
}

// FromBytes converts a 20-byte slice.
func FromBytes(b []byte) (Address, error) {
	var a Address
	if len(b) != Len {
		return a, fmt.Errorf("%w: %d bytes, want %d", ErrInvalid, len(b), Len)
	}
	copy(a[:], b)
	return a, nil
}

// Parse decodes a bech32 "gir1…" address, checking its checksum and prefix.
func Parse(s string) (Address, error) {
	var a Address
	hrp, data, err := bech32.Decode(s)
	if err != nil {
		return a, fmt.Errorf("%w %q: %v", ErrInvalid, s, err)
	}
	if hrp != Prefix {
		return a, fmt.Errorf("%w %q: prefix %q, want %q", ErrInvalid, s, hrp, Prefix)
	}
	b, err := bech32.ConvertBits(data, 5, 8, false)
	if err != nil {
		return a, fmt.Errorf("%w %q: %v", ErrInvalid, s, err)
	}
	if len(b) != Len {
		return a, fmt.Errorf("%w %q: %d bytes, want %d", ErrInvalid, s, len(b), Len)
	}
	copy(a[:], b)
	return a, nil
}

// String is the bech32 form.
func (a Address) String() string {
	conv, err := bech32.ConvertBits(a[:], 8, 5, true)
	if err != nil {
		panic(err) // 20 bytes always convert
	}
	s, err := bech32.Encode(Prefix, conv)
	if err != nil {
		panic(err)
	}
	return s
}

// IsZero reports whether a is the all-zero address (never a valid account).
func (a Address) IsZero() bool { return a == Address{} }

// Bytes returns a copy of the address bytes.
func (a Address) Bytes() []byte { return append([]byte(nil), a[:]...) }

// MarshalText makes JSON show the bech32 form.
func (a Address) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText parses the bech32 form.
func (a *Address) UnmarshalText(b []byte) error {
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*a = p
	return nil
}

// MarshalCBOR encodes the address as a 20-byte CBOR byte string.
func (a Address) MarshalCBOR() ([]byte, error) {
	out := make([]byte, 0, 1+1+Len)
	out = append(out, 0x54) // major type 2 (bytes), length 20
	return append(out, a[:]...), nil
}

// UnmarshalCBOR decodes a 20-byte CBOR byte string.
func (a *Address) UnmarshalCBOR(b []byte) error {
	if len(b) != 1+Len || b[0] != 0x54 {
		return fmt.Errorf("%w: want a 20-byte CBOR byte string", ErrInvalid)
	}
	copy(a[:], b[1:])
	return nil
}
