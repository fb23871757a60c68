// Package canon encodes Girder's txs and state records in deterministic CBOR (RFC 8949 core
// deterministic encoding) and decodes them strictly.
package canon

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/fxamacker/cbor/v2"
)

// Limits on decoded input, to bound the work an attacker's bytes can cause.
const (
	maxNesting  = 16
	maxElements = 4096
)

var (
	encMode cbor.EncMode
	decMode cbor.DecMode
	anyMode cbor.DecMode // generic decoding for display
)

func init() {
	var err error
	encMode, err = cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	limits := cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		IndefLength:      cbor.IndefLengthForbidden,
		TagsMd:           cbor.TagsForbidden,
		MaxNestedLevels:  maxNesting,
		MaxArrayElements: maxElements,
		MaxMapPairs:      maxElements,
		UTF8:             cbor.UTF8RejectInvalid,
	}
	strict := limits
	strict.ExtraReturnErrors = cbor.ExtraDecErrorUnknownField
	strict.DefaultMapType = reflect.TypeOf(map[string]any(nil))
	if decMode, err = strict.DecMode(); err != nil {
		panic(err)
	}
	generic := limits
	generic.DefaultMapType = reflect.TypeOf(map[any]any(nil))
	if anyMode, err = generic.DecMode(); err != nil {
		panic(err)
	}
}

// ErrNonCanonical is returned by Unmarshal for input that decodes but is not the canonical
// encoding of what it decodes to.
var ErrNonCanonical = errors.New("not the canonical CBOR encoding")

// Marshal encodes v deterministically.
func Marshal(v any) ([]byte, error) { return encMode.Marshal(v) }

// MustMarshal encodes v, panicking on failure: for state records, whose types always encode.
func MustMarshal(v any) []byte {
	b, err := encMode.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("cbor encode %T: %v", v, err))
	}
	return b
}

// Unmarshal decodes untrusted input strictly (no duplicate keys, unknown fields, indefinite
// lengths or tags) and requires b to be the canonical encoding of the result.
func Unmarshal(b []byte, v any) error {
	if err := decMode.Unmarshal(b, v); err != nil {
		return err
	}
	again, err := encMode.Marshal(v)
	if err != nil {
		return err
	}
	if string(again) != string(b) {
		return ErrNonCanonical
	}
	return nil
}

// Decode decodes untrusted input strictly but without the canonical re-encoding check (the
// caller checks canonical form at a higher level).
func Decode(b []byte, v any) error { return decMode.Unmarshal(b, v) }

// DecodeAny decodes any CBOR item generically, for display: maps as map[any]any (state records
// use integer keys), under the same limits as Decode.
func DecodeAny(b []byte) (any, error) {
	var v any
	err := anyMode.Unmarshal(b, &v)
	return v, err
}

// MustDecode decodes a state record the chain itself wrote; failure means corrupt state.
func MustDecode(b []byte, v any) {
	if err := decMode.Unmarshal(b, v); err != nil {
		panic(fmt.Sprintf("corrupt state record %T: %v", v, err))
	}
}

// RawMessage is an encoded CBOR item kept as bytes.
type RawMessage = cbor.RawMessage
