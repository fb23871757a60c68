// Package store holds Girder's authenticated state: a key-value interface the modules use, an
// IAVL tree on an embedded database behind it (one root hash per block: the app hash), branches
// that buffer writes so a tx commits all or nothing, and prefix views so each module owns its keys.
package store

import "fmt"

// Reader reads state. Iterators run over [start, end) in key order; nil bounds are open.
type Reader interface {
	Get(key []byte) []byte
	Has(key []byte) bool
	Iterator(start, end []byte) Iterator
	ReverseIterator(start, end []byte) Iterator
}

// KV reads and writes state. Keys and values must not be empty or nil respectively.
type KV interface {
	Reader
	Set(key, value []byte)
	Delete(key []byte)
}

// Iterator walks keys in order. Close it when done.
type Iterator interface {
	Valid() bool
	Next()
	Key() []byte
	Value() []byte
	Close() error
}

// Failure is the panic value of a storage failure (disk error, corrupt tree). It means the node
// is broken, not that the input was bad; the ABCI layer turns it into a Go error.
type Failure struct{ Err error }

func (f Failure) Error() string { return "storage failure: " + f.Err.Error() }
func (f Failure) Unwrap() error { return f.Err }

func fail(op string, err error) {
	panic(Failure{fmt.Errorf("%s: %w", op, err)})
}

func checkKV(key, value []byte) {
	if len(key) == 0 {
		panic("store: empty key")
	}
	if value == nil {
		panic("store: nil value")
	}
}

// PrefixEnd returns the smallest key greater than every key starting with p (nil if none).
func PrefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
