package store

import (
	"bytes"
	"reflect"
	"testing"
)

func TestRecordKeysAndValues(t *testing.T) {
	if k := Key([]byte{1}, []byte("ab"), nil, Uint64Key(258)); !bytes.Equal(k, []byte{1, 'a', 'b', 0, 0, 0, 0, 0, 0, 1, 2}) {
		t.Fatalf("Key: %x", k)
	}
	if bytes.Compare(Uint64Key(255), Uint64Key(256)) >= 0 {
		t.Fatal("Uint64Key does not sort by number")
	}
	type rec struct {
		N uint64 `cbor:"1,keyasint"`
		S string `cbor:"2,keyasint"`
	}
	kv := NewCache(OpenMemory())
	if got := Records[rec](kv, []byte{7}); got == nil || len(got) != 0 {
		t.Fatalf("no records: %#v, want an empty slice", got)
	}
	var r rec
	if GetRecord(kv, []byte{7, 1}, &r) {
		t.Fatal("GetRecord found a record that was never written")
	}
	SetRecord(kv, Key([]byte{7}, Uint64Key(2)), rec{2, "b"})
	SetRecord(kv, Key([]byte{7}, Uint64Key(1)), rec{1, "a"})
	SetRecord(kv, []byte{8}, rec{3, "other prefix"})
	if !GetRecord(kv, Key([]byte{7}, Uint64Key(2)), &r) || r != (rec{2, "b"}) {
		t.Fatalf("GetRecord: %+v", r)
	}
	if got := Records[rec](kv, []byte{7}); !reflect.DeepEqual(got, []rec{{1, "a"}, {2, "b"}}) {
		t.Fatalf("Records: %+v", got)
	}
}
