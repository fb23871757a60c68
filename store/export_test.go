package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/cosmos/iavl"
)

// fill writes keys over several versions (sets, overwrites, deletes, an empty value) so the
// exported nodes carry different versions, and commits through version `versions`.
func fill(t *testing.T, tr *Tree, versions int) {
	t.Helper()
	for v := 1; v <= versions; v++ {
		for i := 0; i < 200; i++ {
			tr.Set(fmt.Appendf(nil, "key-%04d", (i*7+v*31)%400), fmt.Appendf(nil, "value %d at %d", i, v))
		}
		tr.Delete(fmt.Appendf(nil, "key-%04d", v*13))
		tr.Set([]byte("empty"), []byte{})
		if _, _, err := tr.Commit(); err != nil {
			t.Fatal(err)
		}
	}
}

func exportAll(t *testing.T, tr *Tree, v int64) []*iavl.ExportNode {
	t.Helper()
	var nodes []*iavl.ExportNode
	if err := tr.Export(v, func(n *iavl.ExportNode) error { nodes = append(nodes, n); return nil }); err != nil {
		t.Fatal(err)
	}
	return nodes
}

func feed(nodes []*iavl.ExportNode) func() (*iavl.ExportNode, error) {
	return func() (*iavl.ExportNode, error) {
		if len(nodes) == 0 {
			return nil, io.EOF
		}
		n := nodes[0]
		nodes = nodes[1:]
		return n, nil
	}
}

func sameContents(t *testing.T, a, b Reader) {
	t.Helper()
	ga, gb := collect(a.Iterator(nil, nil)), collect(b.Iterator(nil, nil))
	if fmt.Sprint(ga) != fmt.Sprint(gb) {
		t.Fatalf("contents differ:\n%v\n%v", ga, gb)
	}
	if len(ga) < 300 {
		t.Fatalf("only %d keys", len(ga))
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	src := OpenMemory()
	fill(t, src, 5)
	const at = 3 // an old version: export does not need the latest
	nodes := exportAll(t, src, at)
	if len(nodes) < 600 {
		t.Fatalf("exported %d nodes", len(nodes))
	}
	old, err := src.At(at)
	if err != nil {
		t.Fatal(err)
	}

	dst, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if err := dst.Import(at, feed(nodes)); err != nil {
		t.Fatal(err)
	}
	if dst.Version() != at || !bytes.Equal(dst.Hash(), old.Hash()) {
		t.Fatalf("imported version %d hash %x, want %d %x", dst.Version(), dst.Hash(), at, old.Hash())
	}
	view, err := dst.At(at)
	if err != nil {
		t.Fatal(err)
	}
	sameContents(t, old, view)
	sameContents(t, old, dst) // the working version reads the imported state too
	if v := dst.Get([]byte("empty")); v == nil || len(v) != 0 {
		t.Fatalf("empty value came back as %v", v)
	}

	// The imported tree goes on exactly as the original would have.
	again := OpenMemory()
	fill(t, again, at)
	for _, tr := range []*Tree{again, dst} {
		tr.Set([]byte("next"), []byte("block"))
		tr.Delete([]byte("key-0001"))
	}
	h1, v1, err := again.Commit()
	if err != nil {
		t.Fatal(err)
	}
	h2, v2, err := dst.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if v1 != at+1 || v2 != at+1 || !bytes.Equal(h1, h2) {
		t.Fatalf("after one more block: %d %x vs %d %x", v1, h1, v2, h2)
	}
}

func TestImportRefusalsAndReset(t *testing.T) {
	src := OpenMemory()
	fill(t, src, 2)
	nodes := exportAll(t, src, 2)

	// Not into a tree that holds state.
	if err := src.Import(2, feed(nodes)); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("import into a non-empty tree: %v", err)
	}
	busy := OpenMemory()
	busy.Set([]byte("k"), []byte("v")) // written, not committed
	if err := busy.Import(2, feed(nodes)); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("import into a tree with uncommitted writes: %v", err)
	}

	// A broken stream fails and leaves the tree empty, ready for a good one.
	dst := OpenMemory()
	boom := errors.New("network gone")
	half := feed(nodes[:len(nodes)/2])
	err := dst.Import(2, func() (*iavl.ExportNode, error) {
		n, err := half()
		if err == io.EOF {
			return nil, boom
		}
		return n, err
	})
	if !errors.Is(err, boom) {
		t.Fatalf("broken stream: %v", err)
	}
	if err := dst.Import(2, feed(nodes[:len(nodes)-1])); err == nil {
		t.Fatal("a stream missing its root imported")
	}
	if dst.Version() != 0 {
		t.Fatalf("failed imports left version %d", dst.Version())
	}
	if err := dst.Import(2, feed(nodes)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(dst.Hash(), src.Hash()) {
		t.Fatal("hash differs after import")
	}

	// Reset undoes a complete import (its hash was not the trusted one), on disk too.
	dir := t.TempDir()
	disk, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := disk.Import(2, feed(nodes)); err != nil {
		t.Fatal(err)
	}
	if err := disk.Reset(); err != nil {
		t.Fatal(err)
	}
	if disk.Version() != 0 || disk.Get([]byte("empty")) != nil {
		t.Fatalf("after reset: version %d", disk.Version())
	}
	disk.Close()
	disk, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer disk.Close()
	if disk.Version() != 0 {
		t.Fatalf("reopened after reset at version %d", disk.Version())
	}
	if err := disk.Import(2, feed(nodes)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(disk.Hash(), src.Hash()) {
		t.Fatal("hash differs after reset and import")
	}
}

// An export of a committed version runs while new versions are committed (go test -race).
func TestExportWhileCommitting(t *testing.T) {
	tr := OpenMemory()
	fill(t, tr, 3)
	want := exportAll(t, tr, 3)
	done := make(chan []*iavl.ExportNode)
	go func() {
		var got []*iavl.ExportNode
		_ = tr.Export(3, func(n *iavl.ExportNode) error { got = append(got, n); return nil })
		done <- got
	}()
	for v := 0; v < 20; v++ {
		for i := 0; i < 50; i++ {
			tr.Set(fmt.Appendf(nil, "key-%04d", (i*11+v)%400), fmt.Appendf(nil, "later %d", v))
		}
		if _, _, err := tr.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	got := <-done
	if len(got) != len(want) {
		t.Fatalf("concurrent export: %d nodes, want %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i].Key, want[i].Key) || !bytes.Equal(got[i].Value, want[i].Value) ||
			got[i].Version != want[i].Version || got[i].Height != want[i].Height {
			t.Fatalf("node %d differs", i)
		}
	}
}
