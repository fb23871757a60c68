// Package tx holds Girder's transaction format: Tx = {Body, Signatures} in deterministic CBOR
// (RFC 8949 core deterministic encoding), signed over a domain tag ‖ chain id ‖ CBOR(Body).
// Decoding is strict: a tx is accepted only in its one canonical encoding, so a tx has one hash.
package tx

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"regexp"
	"sort"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
)

// DomainTag starts the bytes every tx signature covers, so a Girder signature can never be
// replayed as a signature over anything else.
const DomainTag = "girder/tx/v1"

// KeyEd25519 is the key type of ed25519 account keys.
const KeyEd25519 = "ed25519"

// Limits of a tx.
const (
	MaxMsgs    = 64
	MaxMemo    = 256
	MaxSigs    = 1
	MaxChainID = 64
)

// Tx is a signed transaction.
type Tx struct {
	Body       Body        `cbor:"1,keyasint"`
	Signatures []Signature `cbor:"2,keyasint"`
}

// Body is what the signer signs.
type Body struct {
	ChainID string          `cbor:"1,keyasint"`
	Signer  address.Address `cbor:"2,keyasint"`
	Nonce   uint64          `cbor:"3,keyasint"`
	Fee     Fee             `cbor:"4,keyasint"`
	Msgs    []Any           `cbor:"5,keyasint"`
	Memo    string          `cbor:"6,keyasint,omitempty"`
}

// Fee says what the signer will pay: at most MaxFee in total (base units of the native token),
// for at most GasLimit gas; Tip (part of MaxFee) goes to the fee pool on top of the base fee.
type Fee struct {
	GasLimit uint64      `cbor:"1,keyasint" json:"gas_limit"`
	MaxFee   coin.Amount `cbor:"2,keyasint" json:"max_fee,string"`
	Tip      coin.Amount `cbor:"3,keyasint,omitempty" json:"tip,string"`
}

// Signature is a signature over SignBytes. PubKey is required on the signer's first tx (it binds
// the key to the account) and may be omitted afterwards.
type Signature struct {
	KeyType string `cbor:"1,keyasint"`
	PubKey  []byte `cbor:"2,keyasint,omitempty"`
	Sig     []byte `cbor:"3,keyasint"`
}

// Any is a msg on the wire: its type name and its own CBOR encoding.
type Any struct {
	Type  string           `cbor:"1,keyasint"`
	Value canon.RawMessage `cbor:"2,keyasint"`
}

// Msg is a decoded msg. Each module defines its msgs and registers them.
type Msg interface {
	// MsgType is the stable wire name, "<module>/<action>".
	MsgType() string
	// Validate checks the msg without reading state.
	Validate() error
	// Signer is the account whose authority the msg uses; it must sign the tx.
	Signer() address.Address
}

// Failures of decoding and stateless validation.
var (
	ErrTooLarge     = codes.Register("tx", 2, "tx too large")
	ErrMalformed    = codes.Register("tx", 3, "malformed tx encoding")
	ErrNonCanonical = codes.Register("tx", 4, "tx is not in canonical CBOR encoding")
	ErrUnknownMsg   = codes.Register("tx", 5, "unknown msg type")
	ErrInvalidMsg   = codes.Register("tx", 6, "invalid msg")
	ErrNoMsgs       = codes.Register("tx", 7, "tx has no msgs")
	ErrTooManyMsgs  = codes.Register("tx", 8, "tx has too many msgs")
	ErrSignatures   = codes.Register("tx", 9, "wrong number of signatures")
	ErrChainID      = codes.Register("tx", 10, "wrong chain id")
	ErrMemo         = codes.Register("tx", 11, "memo too long")
	ErrKeyType      = codes.Register("tx", 12, "unsupported key type")
	ErrWrongSigner  = codes.Register("tx", 13, "msg signer is not the tx signer")
	ErrFee          = codes.Register("tx", 15, "invalid fee")
)

// Marshal encodes v in deterministic CBOR.
func Marshal(v any) ([]byte, error) { return canon.Marshal(v) }

// Registry maps msg type names to Go types.
type Registry struct {
	types map[string]reflect.Type
}

// NewRegistry makes an empty registry.
func NewRegistry() *Registry { return &Registry{types: map[string]reflect.Type{}} }

// Register adds the msg types of prototypes (pointers to zero structs).
func (r *Registry) Register(protos ...Msg) {
	for _, p := range protos {
		t := reflect.TypeOf(p)
		if t.Kind() != reflect.Ptr {
			panic(fmt.Sprintf("tx: register %T: want a pointer", p))
		}
		name := p.MsgType()
		if _, dup := r.types[name]; dup {
			panic("tx: msg type registered twice: " + name)
		}
		r.types[name] = t.Elem()
	}
}

// Types lists registered msg type names in order.
func (r *Registry) Types() []string {
	out := make([]string, 0, len(r.types))
	for n := range r.types {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// DecodeMsg decodes one wire msg.
func (r *Registry) DecodeMsg(a Any) (Msg, error) {
	t, ok := r.types[a.Type]
	if !ok {
		return nil, ErrUnknownMsg.Wrapf("%q is not a msg type of this chain", a.Type)
	}
	v := reflect.New(t)
	if err := canon.Unmarshal(a.Value, v.Interface()); err != nil {
		if err == canon.ErrNonCanonical {
			return nil, ErrNonCanonical.Wrapf("msg %s", a.Type)
		}
		return nil, ErrMalformed.Wrapf("msg %s: %v", a.Type, err)
	}
	m := v.Interface().(Msg)
	if err := m.Validate(); err != nil {
		return nil, ErrInvalidMsg.Wrapf("%s: %v", a.Type, err)
	}
	return m, nil
}

// Pack wraps a msg for the wire.
func Pack(m Msg) (Any, error) {
	b, err := Marshal(m)
	if err != nil {
		return Any{}, fmt.Errorf("encode msg %s: %w", m.MsgType(), err)
	}
	return Any{Type: m.MsgType(), Value: b}, nil
}

// Decoded is a tx that passed decoding and stateless checks.
type Decoded struct {
	Tx        Tx
	Msgs      []Msg
	Bytes     []byte
	Hash      [32]byte
	SignBytes []byte
}

// HashHex is the tx hash in upper-case hex, as CometBFT shows it.
func (d *Decoded) HashHex() string { return fmt.Sprintf("%X", d.Hash[:]) }

// Hash returns the tx hash: SHA-256 of the tx bytes.
func Hash(b []byte) [32]byte { return sha256.Sum256(b) }

// HashString parses a hex tx hash.
func HashString(s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return nil, fmt.Errorf("tx hash %q is not 64 hex digits", s)
	}
	return b, nil
}

// wireTx keeps the body's bytes as received so they are signed exactly.
type wireTx struct {
	Body       canon.RawMessage `cbor:"1,keyasint"`
	Signatures []Signature      `cbor:"2,keyasint"`
}

var chainIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// ValidateChainID checks a chain id's spelling.
func ValidateChainID(id string) error {
	if !chainIDRE.MatchString(id) {
		return fmt.Errorf("chain id %q: 1-64 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit", id)
	}
	return nil
}

// Decode parses and checks a tx without reading state: size, canonical encoding, chain id, msg
// types and their stateless validation, signer of every msg, signature count and key type.
// It does not verify the signature (see VerifySignature).
func Decode(b []byte, reg *Registry, chainID string, maxBytes int) (*Decoded, error) {
	if len(b) > maxBytes {
		return nil, ErrTooLarge.Wrapf("%d bytes, the limit is %d", len(b), maxBytes)
	}
	var w wireTx
	if err := canon.Unmarshal(b, &w); err != nil {
		if err == canon.ErrNonCanonical {
			return nil, ErrNonCanonical.Wrapf("re-encoding differs from the received bytes")
		}
		return nil, ErrMalformed.Wrap(err)
	}
	d := &Decoded{Bytes: b, Hash: Hash(b)}
	if err := canon.Unmarshal(w.Body, &d.Tx.Body); err != nil {
		if err == canon.ErrNonCanonical {
			return nil, ErrNonCanonical.Wrapf("body")
		}
		return nil, ErrMalformed.Wrapf("body: %v", err)
	}
	d.Tx.Signatures = w.Signatures
	body := &d.Tx.Body
	if body.ChainID != chainID {
		return nil, ErrChainID.Wrapf("tx is for chain %q, this is %q", body.ChainID, chainID)
	}
	if body.Signer.IsZero() {
		return nil, ErrInvalidMsg.Wrapf("signer is the zero address")
	}
	if len(body.Memo) > MaxMemo {
		return nil, ErrMemo.Wrapf("%d bytes, the limit is %d", len(body.Memo), MaxMemo)
	}
	if body.Fee.Tip > body.Fee.MaxFee {
		return nil, ErrFee.Wrapf("tip %d exceeds max fee %d", body.Fee.Tip, body.Fee.MaxFee)
	}
	if len(body.Msgs) == 0 {
		return nil, ErrNoMsgs
	}
	if len(body.Msgs) > MaxMsgs {
		return nil, ErrTooManyMsgs.Wrapf("%d msgs, the limit is %d", len(body.Msgs), MaxMsgs)
	}
	d.Msgs = make([]Msg, len(body.Msgs))
	for i, a := range body.Msgs {
		m, err := reg.DecodeMsg(a)
		if err != nil {
			return nil, err
		}
		if m.Signer() != body.Signer {
			return nil, ErrWrongSigner.Wrapf("msg %d (%s) acts for %s but the tx is signed by %s", i, a.Type, m.Signer(), body.Signer)
		}
		d.Msgs[i] = m
	}
	if len(d.Tx.Signatures) != MaxSigs {
		return nil, ErrSignatures.Wrapf("%d signatures, want %d", len(d.Tx.Signatures), MaxSigs)
	}
	s := d.Tx.Signatures[0]
	if s.KeyType != KeyEd25519 {
		return nil, ErrKeyType.Wrapf("%q (supported: %s)", s.KeyType, KeyEd25519)
	}
	if s.PubKey != nil && len(s.PubKey) != ed25519.PublicKeySize {
		return nil, ErrKeyType.Wrapf("ed25519 public key of %d bytes", len(s.PubKey))
	}
	d.SignBytes = SignBytes(chainID, w.Body)
	return d, nil
}

// SignBytes is what a signature covers: DomainTag ‖ chainID ‖ CBOR(Body).
func SignBytes(chainID string, body []byte) []byte {
	out := make([]byte, 0, len(DomainTag)+len(chainID)+len(body))
	out = append(out, DomainTag...)
	out = append(out, chainID...)
	return append(out, body...)
}

// VerifySignature checks the tx's signature with pub (ed25519).
func (d *Decoded) VerifySignature(pub []byte) bool {
	if len(pub) != ed25519.PublicKeySize {
		return false
	}
	return ed25519.Verify(pub, d.SignBytes, d.Tx.Signatures[0].Sig)
}

// Sign encodes body, signs it with sign (which returns an ed25519 signature) and returns the tx
// bytes. Include pub on the signer's first tx (or always: it is checked against the bound key).
func Sign(body Body, pub []byte, sign func([]byte) []byte) ([]byte, error) {
	bb, err := Marshal(&body)
	if err != nil {
		return nil, fmt.Errorf("encode tx body: %w", err)
	}
	sig := sign(SignBytes(body.ChainID, bb))
	return Marshal(&wireTx{Body: bb, Signatures: []Signature{{KeyType: KeyEd25519, PubKey: pub, Sig: sig}}})
}
