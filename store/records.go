package store

import (
	"encoding/binary"

	"github.com/girder-chain/girder/canon"
)

// Key joins the parts of a key (a module's record prefix, then its fields) into one slice.
func Key(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Uint64Key is n as 8 big-endian bytes: keys built with it sort by number.
func Uint64Key(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}

// GetRecord decodes the deterministic CBOR record at key into v; false when there is none.
func GetRecord(kv KV, key []byte, v any) bool {
	b := kv.Get(key)
	if b == nil {
		return false
	}
	canon.MustDecode(b, v)
	return true
}

// SetRecord writes v at key as deterministic CBOR.
func SetRecord(kv KV, key []byte, v any) { kv.Set(key, canon.MustMarshal(v)) }

// Records decodes every record under prefix, in key order (an empty slice when there is none).
func Records[T any](kv KV, prefix []byte) []T {
	out := []T{}
	it := kv.Iterator(prefix, PrefixEnd(prefix))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		var v T
		canon.MustDecode(it.Value(), &v)
		out = append(out, v)
	}
	return out
}
