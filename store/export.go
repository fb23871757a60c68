package store

import (
	"errors"
	"fmt"
	"io"

	"github.com/cosmos/iavl"
	iavldb "github.com/cosmos/iavl/db"
)

// exportCacheNodes is how many tree nodes an export keeps in memory.
const exportCacheNodes = 10_000

// Export streams the nodes of committed version v to fn, in IAVL's export order (depth-first,
// post-order): the order Import needs to rebuild the same tree.
//
// Export may run in another goroutine while the tree is written and new versions committed (a
// snapshot is taken while the chain moves on). It reads the database through its own IAVL node
// cache: the working tree modifies the in-memory nodes it shares with its views, so exporting a
// View (sharing them) would race with writes. (Girder never deletes versions; if it ever prunes
// them, a version must not be pruned while it is exported.)
func (t *Tree) Export(version int64, fn func(*iavl.ExportNode) error) error {
	r := iavl.NewMutableTree(iavldb.NewWrapper(t.db), exportCacheNodes, true, iavl.NewNopLogger())
	if version <= 0 || !r.VersionExists(version) {
		return fmt.Errorf("export: %w: %d", ErrVersion, version)
	}
	it, err := r.GetImmutable(version)
	if err != nil {
		return fmt.Errorf("export: %w: %d: %v", ErrVersion, version, err)
	}
	if it.Size() == 0 {
		return nil // an empty version has no nodes
	}
	exp, err := it.Export()
	if err != nil {
		return fmt.Errorf("export state version %d: %w", version, err)
	}
	defer exp.Close()
	for {
		n, err := exp.Next()
		if errors.Is(err, iavl.ErrorExportDone) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("export state version %d: %w", version, err)
		}
		if err := fn(n); err != nil {
			return err
		}
	}
}

// ErrNotEmpty is returned by Import on a tree that already holds state.
var ErrNotEmpty = errors.New("state is not empty")

// Import rebuilds version v from the nodes of an Export, which next returns in export order and
// then io.EOF. The tree must be empty (no version committed, nothing written). Afterwards the
// tree is at version v, with the exported version's hash; the next Commit saves v+1. It is the
// caller's job to check Hash against the hash it trusts (and Reset the tree when it differs).
// When Import fails the tree is left empty.
func (t *Tree) Import(version int64, next func() (*iavl.ExportNode, error)) (err error) {
	if version <= 0 {
		return fmt.Errorf("import state: version %d must be positive", version)
	}
	if v := t.tree.Version(); v != 0 || !t.tree.IsEmpty() {
		return fmt.Errorf("import state: %w (version %d)", ErrNotEmpty, v)
	}
	imp, err := t.tree.Import(version)
	if err != nil {
		return fmt.Errorf("import state version %d: %w", version, err)
	}
	defer func() {
		imp.Close()
		if err != nil {
			if rerr := t.Reset(); rerr != nil {
				err = fmt.Errorf("%w (and clearing the partial import failed: %v)", err, rerr)
			}
		}
	}()
	for {
		n, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("import state version %d: %w", version, err)
		}
		if err := imp.Add(n); err != nil {
			return fmt.Errorf("import state version %d: %w", version, err)
		}
	}
	if err := imp.Commit(); err != nil {
		return fmt.Errorf("import state version %d: %w", version, err)
	}
	if t.tree.Version() != version {
		return fmt.Errorf("import state: at version %d after importing version %d", t.tree.Version(), version)
	}
	return nil
}

// Reset deletes every version and leaves the tree empty, as a freshly created database. It
// exists to undo an Import whose result is not the state the caller trusts (state sync restores
// into an empty tree only); nothing else may call it. Views taken before are invalid afterwards.
func (t *Tree) Reset() error {
	for {
		keys, err := t.someKeys(10_000)
		if err != nil {
			return fmt.Errorf("reset state: %w", err)
		}
		if len(keys) == 0 {
			break
		}
		b := t.db.NewBatch()
		for _, k := range keys {
			if err = b.Delete(k); err != nil {
				break
			}
		}
		if err == nil {
			err = b.WriteSync()
		}
		b.Close()
		if err != nil {
			return fmt.Errorf("reset state: %w", err)
		}
	}
	fresh, err := load(t.db)
	if err != nil {
		return fmt.Errorf("reset state: %w", err)
	}
	t.tree = fresh.tree
	return nil
}

// someKeys returns up to n keys of the database (a fresh iterator each time: some databases do
// not allow writes while an iterator is open).
func (t *Tree) someKeys(n int) ([][]byte, error) {
	it, err := t.db.Iterator(nil, nil)
	if err != nil {
		return nil, err
	}
	var keys [][]byte
	for ; it.Valid() && len(keys) < n; it.Next() {
		keys = append(keys, append([]byte(nil), it.Key()...))
	}
	err = it.Error()
	if cerr := it.Close(); err == nil {
		err = cerr
	}
	return keys, err
}
