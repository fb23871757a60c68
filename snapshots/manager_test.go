package snapshots

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/girder-chain/girder/store"
)

// smallChunks makes snapshots of a few hundred keys span several chunks.
func smallChunks(t *testing.T) {
	old := ChunkSize
	ChunkSize = 2000
	t.Cleanup(func() { ChunkSize = old })
}

// commitBlocks writes and commits versions from+1 … to, telling m (when set) each commit.
func commitBlocks(t *testing.T, tr *store.Tree, m *Manager, to int64) {
	t.Helper()
	for tr.Version() < to {
		v := tr.Version() + 1
		for i := int64(0); i < 60; i++ {
			tr.Set(fmt.Appendf(nil, "acct/%04d", (i*13+v*7)%300), fmt.Appendf(nil, "balance %d at %d", i, v))
		}
		tr.Delete(fmt.Appendf(nil, "acct/%04d", v))
		if _, _, err := tr.Commit(); err != nil {
			t.Fatal(err)
		}
		if m != nil {
			m.Committed(v)
		}
	}
}

func newManager(t *testing.T, tr *store.Tree, interval uint64, keep int) *Manager {
	t.Helper()
	m, err := New(t.TempDir(), tr, interval, keep, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func heights(list []*abci.Snapshot) []uint64 {
	var hs []uint64
	for _, s := range list {
		hs = append(hs, s.Height)
	}
	return hs
}

// restoreAll offers s and applies every chunk loaded from src, expecting ACCEPT throughout.
func restoreAll(t *testing.T, src, dst *Manager, s *abci.Snapshot, appHash []byte) {
	t.Helper()
	if r := dst.Offer(s, appHash); r != abci.OFFER_SNAPSHOT_RESULT_ACCEPT {
		t.Fatalf("offer: %v", r)
	}
	for i := uint32(0); i < s.Chunks; i++ {
		c, err := src.LoadChunk(s.Height, s.Format, i)
		if err != nil {
			t.Fatal(err)
		}
		res, err := dst.ApplyChunk(i, c, "peer-a")
		if err != nil || res.Result != abci.APPLY_SNAPSHOT_CHUNK_RESULT_ACCEPT {
			t.Fatalf("apply chunk %d: %v %v", i, res, err)
		}
	}
}

func TestSnapshotListLoadRestore(t *testing.T) {
	smallChunks(t)
	src := store.OpenMemory()
	m := newManager(t, src, 5, 0)
	commitBlocks(t, src, m, 5)
	m.Wait() // else the snapshot at 10 may be skipped while the one at 5 is still written
	commitBlocks(t, src, m, 12)
	m.Wait()
	list, err := m.List()
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(heights(list)) != "[10 5]" {
		t.Fatalf("snapshots at %v, want [10 5]", heights(list))
	}
	s := list[0]
	if s.Format != Format || s.Chunks < 3 {
		t.Fatalf("snapshot %+v: want format %d and several chunks", s, Format)
	}
	var all []byte
	for i := uint32(0); i < s.Chunks; i++ {
		c, err := m.LoadChunk(10, Format, i)
		if err != nil {
			t.Fatal(err)
		}
		if len(c) > ChunkSize || (i < s.Chunks-1 && len(c) != ChunkSize) {
			t.Fatalf("chunk %d has %d bytes", i, len(c))
		}
		all = append(all, c...)
	}
	if _, err := m.LoadChunk(10, Format, s.Chunks); err == nil {
		t.Fatal("chunk past the end loaded")
	}
	if _, err := m.LoadChunk(7, Format, 0); err == nil {
		t.Fatal("chunk of a snapshot never taken loaded")
	}
	if _, err := m.LoadChunk(10, Format+1, 0); err == nil {
		t.Fatal("chunk of another format loaded")
	}

	// The same height snapshotted again (another node) gives the identical snapshot.
	again, err := newManager(t, src, 0, 0).Snapshot(10)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Hash, s.Hash) || !bytes.Equal(again.Metadata, s.Metadata) || again.Chunks != s.Chunks {
		t.Fatal("a second snapshot of the same version differs")
	}

	v10, err := src.At(10)
	if err != nil {
		t.Fatal(err)
	}
	dst := store.OpenMemory()
	restoreAll(t, m, newManager(t, dst, 5, 0), s, v10.Hash())
	if dst.Version() != 10 || !bytes.Equal(dst.Hash(), v10.Hash()) {
		t.Fatalf("restored version %d hash %X, want 10 %X", dst.Version(), dst.Hash(), v10.Hash())
	}
	it := v10.Iterator(nil, nil)
	defer it.Close()
	n := 0
	for ; it.Valid(); it.Next() {
		if !bytes.Equal(dst.Get(it.Key()), it.Value()) {
			t.Fatalf("key %q differs after restore", it.Key())
		}
		n++
	}
	if n < 200 {
		t.Fatalf("only %d keys", n)
	}
	// The restored tree carries on: the next commit is version 11 with the source's hash.
	ref := store.OpenMemory()
	commitBlocks(t, ref, nil, 11)
	commitBlocks(t, dst, nil, 11)
	if !bytes.Equal(ref.Hash(), dst.Hash()) {
		t.Fatal("restored tree diverges at the next version")
	}
}

func TestRestoreRefusesBadChunksAndSnapshots(t *testing.T) {
	smallChunks(t)
	src := store.OpenMemory()
	m := newManager(t, src, 0, 0)
	commitBlocks(t, src, m, 6)
	s, err := m.Snapshot(6)
	if err != nil {
		t.Fatal(err)
	}
	appHash := src.Hash()
	chunk := func(i uint32) []byte {
		c, err := m.LoadChunk(6, Format, i)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	dst := store.OpenMemory()
	r := newManager(t, dst, 0, 0)

	// Offers that cannot be right.
	other := *s
	other.Format = 2
	if got := r.Offer(&other, appHash); got != abci.OFFER_SNAPSHOT_RESULT_REJECT_FORMAT {
		t.Fatalf("offer of format 2: %v", got)
	}
	other = *s
	other.Chunks++
	if got := r.Offer(&other, appHash); got != abci.OFFER_SNAPSHOT_RESULT_REJECT {
		t.Fatalf("offer with a wrong chunk count: %v", got)
	}
	other = *s
	other.Hash = bytes.Repeat([]byte{1}, 32)
	if got := r.Offer(&other, appHash); got != abci.OFFER_SNAPSHOT_RESULT_REJECT {
		t.Fatalf("offer with a wrong hash: %v", got)
	}
	other = *s
	other.Metadata = append([]byte{}, s.Metadata...)
	other.Metadata[len(other.Metadata)-1] ^= 1
	if got := r.Offer(&other, appHash); got != abci.OFFER_SNAPSHOT_RESULT_REJECT {
		t.Fatalf("offer with tampered metadata: %v", got)
	}
	if got := m.Offer(s, appHash); got != abci.OFFER_SNAPSHOT_RESULT_ABORT {
		t.Fatalf("offer to a node that has state: %v", got)
	}
	if res, _ := r.ApplyChunk(0, chunk(0), "p"); res.Result != abci.APPLY_SNAPSHOT_CHUNK_RESULT_ABORT {
		t.Fatalf("chunk with no restore in progress: %v", res.Result)
	}

	// A corrupted chunk is refetched from someone else and its sender rejected; the good chunk
	// then goes in and the restore completes.
	if got := r.Offer(s, appHash); got != abci.OFFER_SNAPSHOT_RESULT_ACCEPT {
		t.Fatalf("offer: %v", got)
	}
	bad := append([]byte{}, chunk(1)...)
	bad[7] ^= 0xff
	for i := uint32(0); i < s.Chunks; i++ {
		if i == 1 {
			res, err := r.ApplyChunk(1, bad, "evil")
			if err != nil || res.Result != abci.APPLY_SNAPSHOT_CHUNK_RESULT_RETRY ||
				fmt.Sprint(res.RefetchChunks) != "[1]" || fmt.Sprint(res.RejectSenders) != "[evil]" {
				t.Fatalf("corrupted chunk: %+v %v", res, err)
			}
		}
		res, err := r.ApplyChunk(i, chunk(i), "good")
		if err != nil || res.Result != abci.APPLY_SNAPSHOT_CHUNK_RESULT_ACCEPT {
			t.Fatalf("chunk %d: %+v %v", i, res, err)
		}
	}
	if !bytes.Equal(dst.Hash(), appHash) || dst.Version() != 6 {
		t.Fatal("restore after a corrupted chunk did not give the state")
	}

	// A snapshot whose chunks match its metadata but not the trusted app hash (a peer lying about
	// the whole snapshot) is rejected and leaves the tree empty for the next one.
	dst2 := store.OpenMemory()
	r2 := newManager(t, dst2, 0, 0)
	wrong := bytes.Repeat([]byte{9}, 32)
	if got := r2.Offer(s, wrong); got != abci.OFFER_SNAPSHOT_RESULT_ACCEPT {
		t.Fatalf("offer: %v", got)
	}
	var last *abci.ApplySnapshotChunkResponse
	for i := uint32(0); i < s.Chunks; i++ {
		last, err = r2.ApplyChunk(i, chunk(i), "liar")
		if err != nil {
			t.Fatal(err)
		}
	}
	if last.Result != abci.APPLY_SNAPSHOT_CHUNK_RESULT_REJECT_SNAPSHOT || fmt.Sprint(last.RejectSenders) != "[liar]" {
		t.Fatalf("snapshot with the wrong app hash: %+v", last)
	}
	if dst2.Version() != 0 {
		t.Fatalf("rejected snapshot left the tree at version %d", dst2.Version())
	}
	restoreAll(t, m, r2, s, appHash)
	if !bytes.Equal(dst2.Hash(), appHash) {
		t.Fatal("restore after a rejected snapshot did not give the state")
	}

	// A snapshot whose chunks do not decode (consistent metadata, garbage content).
	dst3 := store.OpenMemory()
	r3 := newManager(t, dst3, 0, 0)
	garbage := [][]byte{[]byte("not cbor at all \xff\xff")}
	meta, _ := encodeMetadata([][]byte{chunkHash(garbage[0])})
	g := &abci.Snapshot{Height: 6, Format: Format, Chunks: 1, Hash: snapshotHash([][]byte{chunkHash(garbage[0])}), Metadata: meta}
	if got := r3.Offer(g, appHash); got != abci.OFFER_SNAPSHOT_RESULT_ACCEPT {
		t.Fatalf("offer: %v", got)
	}
	res, err := r3.ApplyChunk(0, garbage[0], "junk")
	if err != nil || res.Result != abci.APPLY_SNAPSHOT_CHUNK_RESULT_REJECT_SNAPSHOT {
		t.Fatalf("undecodable snapshot: %+v %v", res, err)
	}
	if dst3.Version() != 0 {
		t.Fatal("undecodable snapshot left state")
	}
}

func TestSnapshotsPrunedToKeepRecent(t *testing.T) {
	src := store.OpenMemory()
	m := newManager(t, src, 2, 2)
	for h := int64(2); h <= 10; h += 2 {
		commitBlocks(t, src, m, h)
		m.Wait() // one at a time, so none is skipped
	}
	list, err := m.List()
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(heights(list)) != "[10 8]" {
		t.Fatalf("snapshots kept: %v, want [10 8]", heights(list))
	}
	entries, _ := os.ReadDir(m.dir)
	if len(entries) != 2 {
		t.Fatalf("snapshot directory holds %d entries", len(entries))
	}
	if _, err := m.LoadChunk(6, Format, 0); err == nil {
		t.Fatal("a pruned snapshot's chunk loaded")
	}

	// Snapshots a peer was told about (List above) or reads from stay while it may fetch them.
	commitBlocks(t, src, m, 12)
	m.Wait()
	if _, err := m.LoadChunk(12, Format, 0); err != nil {
		t.Fatal(err)
	}
	commitBlocks(t, src, m, 14)
	m.Wait()
	if got := fmt.Sprint(heights(mustList(t, m))); got != "[14 12 10 8]" {
		t.Fatalf("snapshots kept while served: %v", got)
	}
	old := ServeGrace
	ServeGrace = 0
	defer func() { ServeGrace = old }()
	commitBlocks(t, src, m, 16)
	m.Wait()
	if got := fmt.Sprint(heights(mustList(t, m))); got != "[16 14]" {
		t.Fatalf("snapshots kept once no longer served: %v", got)
	}
}

func mustList(t *testing.T, m *Manager) []*abci.Snapshot {
	t.Helper()
	list, err := m.List()
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// Snapshots are written while blocks keep committing (run with -race); a restart finds the
// complete ones and drops what an interrupted one left behind.
func TestSnapshotWhileCommittingAndReopen(t *testing.T) {
	smallChunks(t)
	dir := t.TempDir()
	tr, err := store.Open(filepath.Join(dir, "state"))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	m, err := New(filepath.Join(dir, "snapshots"), tr, 3, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	commitBlocks(t, tr, m, 40)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m.Committed(42) // closed: ignored
	list, err := m.List()
	if err != nil || len(list) == 0 || list[0].Height%3 != 0 {
		t.Fatalf("snapshots %v %v", heights(list), err)
	}
	for _, s := range list {
		v, err := tr.At(int64(s.Height))
		if err != nil {
			t.Fatal(err)
		}
		restoreAll(t, m, newManager(t, store.OpenMemory(), 0, 0), s, v.Hash())
	}
	leftover := filepath.Join(dir, "snapshots", "41", tmpPrefix+"1-x")
	if err := os.MkdirAll(leftover, 0o700); err != nil {
		t.Fatal(err)
	}
	m2, err := New(filepath.Join(dir, "snapshots"), tr, 3, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Fatal("an interrupted snapshot's directory survived a restart")
	}
	list2, err := m2.List()
	if err != nil || fmt.Sprint(heights(list2)) != fmt.Sprint(heights(list)) {
		t.Fatalf("after reopen: %v %v, want %v", heights(list2), err, heights(list))
	}
}
