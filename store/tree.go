package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/iavl"
	iavldb "github.com/cosmos/iavl/db"
	ics23 "github.com/cosmos/ics23/go"
)

// Tree is the committed state: a versioned IAVL tree (version = block height) on an embedded
// database. Writes go to the working version; Commit saves it; its root hash is the app hash.
type Tree struct {
	db   dbm.DB
	tree *iavl.MutableTree
}

// cacheNodes is how many tree nodes IAVL keeps in memory.
const cacheNodes = 200_000

// Open opens (or creates) the state database under dir and loads its latest version.
func Open(dir string) (*Tree, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open state: %w", err)
	}
	db, err := dbm.NewGoLevelDB("state", dir, nil)
	if err != nil {
		return nil, fmt.Errorf("open state db in %s: %w", filepath.Join(dir, "state.db"), err)
	}
	return load(db)
}

// OpenMemory opens an empty state held in memory (tests, simulations).
func OpenMemory() *Tree {
	t, err := load(dbm.NewMemDB())
	if err != nil {
		panic(err) // an empty memory database always loads
	}
	return t
}

func load(db dbm.DB) (*Tree, error) {
	tree := iavl.NewMutableTree(iavldb.NewWrapper(db), cacheNodes, false, iavl.NewNopLogger(), iavl.SyncOption(true))
	if _, err := tree.Load(); err != nil {
		db.Close()
		return nil, fmt.Errorf("load state tree: %w", err)
	}
	return &Tree{db: db, tree: tree}, nil
}

// Close releases the database.
func (t *Tree) Close() error { return t.db.Close() }

// Version is the last committed version (0 before the first commit).
func (t *Tree) Version() int64 { return t.tree.Version() }

// Hash is the root hash of the last committed version.
func (t *Tree) Hash() []byte { return t.tree.Hash() }

// WorkingHash is the root hash the working version would have if committed now.
func (t *Tree) WorkingHash() []byte { return t.tree.WorkingHash() }

// SetInitialVersion makes the first Commit save version v (the chain's initial height).
func (t *Tree) SetInitialVersion(v int64) { t.tree.SetInitialVersion(uint64(v)) }

// Commit saves the working version to disk and returns its hash and number.
func (t *Tree) Commit() ([]byte, int64, error) {
	h, v, err := t.tree.SaveVersion()
	if err != nil {
		return nil, 0, fmt.Errorf("commit state version: %w", err)
	}
	return h, v, nil
}

// Rollback drops the working version's uncommitted writes.
func (t *Tree) Rollback() { t.tree.Rollback() }

// Get reads the working version.
func (t *Tree) Get(key []byte) []byte {
	v, err := t.tree.Get(key)
	if err != nil {
		fail("get", err)
	}
	return v
}

// Has reads the working version.
func (t *Tree) Has(key []byte) bool { return t.Get(key) != nil }

// Set writes to the working version.
func (t *Tree) Set(key, value []byte) {
	checkKV(key, value)
	if _, err := t.tree.Set(key, value); err != nil {
		fail("set", err)
	}
}

// Delete removes from the working version.
func (t *Tree) Delete(key []byte) {
	if _, _, err := t.tree.Remove(key); err != nil {
		fail("delete", err)
	}
}

// Iterator walks the working version.
func (t *Tree) Iterator(start, end []byte) Iterator { return t.iter(start, end, true) }

// ReverseIterator walks the working version backwards.
func (t *Tree) ReverseIterator(start, end []byte) Iterator { return t.iter(start, end, false) }

func (t *Tree) iter(start, end []byte, asc bool) Iterator {
	it, err := t.tree.Iterator(start, end, asc)
	if err != nil {
		fail("iterate", err)
	}
	return it
}

// ErrVersion is returned for a version that the store does not hold.
var ErrVersion = errors.New("state version not available")

// At returns a read-only view of committed version v.
func (t *Tree) At(v int64) (*View, error) {
	if v <= 0 || !t.tree.VersionExists(v) {
		return nil, fmt.Errorf("%w: %d (latest is %d)", ErrVersion, v, t.tree.Version())
	}
	it, err := t.tree.GetImmutable(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %d: %v", ErrVersion, v, err)
	}
	return &View{tree: it}, nil
}

// View is a read-only committed version. Reads must not run concurrently with writes to the
// working version (IAVL shares nodes between them): the app reads views only under the ABCI
// connection's mutex, and so does everything that queries through CometBFT (the API included).
type View struct{ tree *iavl.ImmutableTree }

// Version is the view's version.
func (v *View) Version() int64 { return v.tree.Version() }

// Hash is the view's root hash (the app hash committed at that height).
func (v *View) Hash() []byte { return v.tree.Hash() }

func (v *View) Get(key []byte) []byte {
	val, err := v.tree.Get(key)
	if err != nil {
		fail("get", err)
	}
	return val
}

func (v *View) Has(key []byte) bool { return v.Get(key) != nil }

func (v *View) Iterator(start, end []byte) Iterator { return v.iter(start, end, true) }

func (v *View) ReverseIterator(start, end []byte) Iterator { return v.iter(start, end, false) }

func (v *View) iter(start, end []byte, asc bool) Iterator {
	it, err := v.tree.Iterator(start, end, asc)
	if err != nil {
		fail("iterate", err)
	}
	return it
}

// Prove returns the value at key (nil when absent) and an ICS-23 proof of membership or of
// absence against the view's root hash.
func (v *View) Prove(key []byte) ([]byte, *ics23.CommitmentProof, error) {
	val := v.Get(key)
	var p *ics23.CommitmentProof
	var err error
	if val != nil {
		p, err = v.tree.GetMembershipProof(key)
	} else {
		p, err = v.tree.GetNonMembershipProof(key)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("prove key %x at %d: %w", key, v.Version(), err)
	}
	return val, p, nil
}

// VerifyProof checks an ICS-23 proof of key (value nil: of absence) against root.
func VerifyProof(root []byte, proof *ics23.CommitmentProof, key, value []byte) bool {
	if value == nil {
		return ics23.VerifyNonMembership(ics23.IavlSpec, root, proof, key)
	}
	return ics23.VerifyMembership(ics23.IavlSpec, root, proof, key, value)
}
