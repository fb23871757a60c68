package node

import (
	"errors"
	"testing"

	dbm "github.com/cometbft/cometbft-db"
)

// TestStopSafeDB: after Close, reads find nothing instead of panicking and writes fail.
func TestStopSafeDB(t *testing.T) {
	db := &stopSafeDB{DB: dbm.NewMemDB()}
	if err := db.Set([]byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Get([]byte("k")); err != nil || string(v) != "v" {
		t.Fatalf("get before close: %q %v", v, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Get([]byte("k")); err != nil || v != nil {
		t.Fatalf("get after close: %q %v", v, err)
	}
	if ok, err := db.Has([]byte("k")); err != nil || ok {
		t.Fatalf("has after close: %v %v", ok, err)
	}
	if err := db.Set([]byte("k"), []byte("w")); !errors.Is(err, errDBClosed) {
		t.Fatalf("set after close: %v", err)
	}
	if _, err := db.Iterator(nil, nil); !errors.Is(err, errDBClosed) {
		t.Fatalf("iterator after close: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}
