package snapshots

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	"github.com/cosmos/iavl"

	"github.com/girder-chain/girder/store"
)

// Manager takes a snapshot of the state tree every interval blocks (in the background: the chain
// does not wait), keeps the most recent ones on disk, serves them to peers, and restores one into
// an empty tree when the node state-syncs.
//
// On disk, under its directory: <height>/<format>/chunk-<i> and <height>/<format>/metadata (the
// snapshot's Metadata). A snapshot is written in a temporary directory and renamed into place
// when complete, so only complete snapshots are ever listed.
type Manager struct {
	dir      string
	tree     *store.Tree
	interval uint64
	keep     int
	logger   cmtlog.Logger

	mu      sync.Mutex // guards the fields below and the snapshot directories
	taking  bool       // a snapshot is being written
	closed  bool
	restore *restore
	served  map[uint64]time.Time // when each snapshot was last listed to or read by a peer
	wg      sync.WaitGroup
	stop    atomic.Bool // Close was called: a snapshot being written gives up
}

// ServeGrace is how long a snapshot listed to a peer or read by one is kept beyond keepRecent:
// a new node discovers snapshots, then fetches chunks, and with fast blocks and a short interval
// the snapshot it chose would otherwise be pruned under it.
var ServeGrace = 2 * time.Minute

const (
	metadataFile = "metadata"
	restoreDir   = "restore"
	tmpPrefix    = "tmp-"
)

// ErrNotFound is returned for a snapshot or chunk the manager does not hold.
var ErrNotFound = errors.New("snapshot not found")

// New opens the snapshot directory dir (created if missing) for tree. Every interval blocks
// (0: never) Committed takes a snapshot; the keepRecent most recent are kept (0 or less: all).
func New(dir string, tree *store.Tree, interval uint64, keepRecent int, logger cmtlog.Logger) (*Manager, error) {
	if logger == nil {
		logger = cmtlog.NewNopLogger()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("snapshot directory: %w", err)
	}
	m := &Manager{dir: dir, tree: tree, interval: interval, keep: keepRecent, logger: logger, served: map[uint64]time.Time{}}
	// Leftovers of a snapshot or a restore the process did not finish.
	if err := os.RemoveAll(filepath.Join(dir, restoreDir)); err != nil {
		return nil, fmt.Errorf("snapshot directory: %w", err)
	}
	heights, err := m.heightDirs()
	if err != nil {
		return nil, err
	}
	for _, h := range heights {
		tmps, _ := filepath.Glob(filepath.Join(m.heightDir(h), tmpPrefix+"*"))
		for _, t := range tmps {
			if err := os.RemoveAll(t); err != nil {
				return nil, fmt.Errorf("snapshot directory: %w", err)
			}
		}
	}
	return m, nil
}

// errClosed stops a snapshot being written when the manager closes.
var errClosed = errors.New("snapshot manager closed")

// Close stops taking snapshots, abandoning one being written, and returns when it has. Call it
// before closing the tree.
func (m *Manager) Close() error {
	m.stop.Store(true)
	m.mu.Lock()
	m.closed = true
	m.abortRestore()
	m.mu.Unlock()
	m.wg.Wait()
	return nil
}

// Committed is told every committed height. At a multiple of the interval it starts writing a
// snapshot of that version in the background, unless one is still being written (that height
// is then skipped).
func (m *Manager) Committed(height int64) {
	if m.interval == 0 || height <= 0 || uint64(height)%m.interval != 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	if m.taking {
		m.logger.Info("skipping snapshot: the previous one is still being written", "height", height)
		return
	}
	m.taking = true
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		start := time.Now()
		s, err := m.take(height)
		if errors.Is(err, errClosed) {
			m.logger.Info("snapshot abandoned: the node is stopping", "height", height)
		} else if err != nil {
			m.logger.Error("snapshot failed", "height", height, "err", err)
		} else if s != nil {
			m.logger.Info("snapshot taken", "height", height, "chunks", s.Chunks, "hash", fmt.Sprintf("%X", s.Hash),
				"took", time.Since(start).Round(time.Millisecond))
		}
		if err == nil {
			if err := m.prune(); err != nil {
				m.logger.Error("pruning snapshots failed", "err", err)
			}
		}
		m.mu.Lock()
		m.taking = false
		m.mu.Unlock()
	}()
}

// Wait blocks until no snapshot is being written or pruned (tests).
func (m *Manager) Wait() {
	for {
		m.mu.Lock()
		busy := m.taking
		m.mu.Unlock()
		if !busy {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Snapshot writes the snapshot of committed version height now (Committed does it in the
// background); it returns the existing one when there is one.
func (m *Manager) Snapshot(height int64) (*abci.Snapshot, error) {
	s, err := m.take(height)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return m.get(uint64(height), Format)
	}
	return s, nil
}

// take writes the snapshot of version height; nil, nil when it exists already.
func (m *Manager) take(height int64) (*abci.Snapshot, error) {
	final := m.snapshotDir(uint64(height), Format)
	if _, err := os.Stat(filepath.Join(final, metadataFile)); err == nil {
		return nil, nil
	}
	parent := m.heightDir(uint64(height))
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, fmt.Errorf("write snapshot: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, tmpPrefix+strconv.FormatUint(uint64(Format), 10)+"-")
	if err != nil {
		return nil, fmt.Errorf("write snapshot: %w", err)
	}
	defer os.RemoveAll(tmp) // gone after the rename; a leftover otherwise
	w := &chunkWriter{dir: tmp}
	err = m.tree.Export(height, func(n *iavl.ExportNode) error {
		if m.stop.Load() {
			return errClosed
		}
		b, err := encodeNode(n)
		if err != nil {
			return err
		}
		return w.write(b)
	})
	if err != nil {
		return nil, fmt.Errorf("write snapshot at %d: %w", height, err)
	}
	if err := w.close(); err != nil {
		return nil, fmt.Errorf("write snapshot at %d: %w", height, err)
	}
	meta, err := encodeMetadata(w.hashes)
	if err != nil {
		return nil, err
	}
	if err := writeFileSync(filepath.Join(tmp, metadataFile), meta); err != nil {
		return nil, fmt.Errorf("write snapshot at %d: %w", height, err)
	}
	if err := syncDir(tmp); err != nil {
		return nil, fmt.Errorf("write snapshot at %d: %w", height, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := os.RemoveAll(final); err != nil { // an incomplete one, if any (there is no metadata)
		return nil, fmt.Errorf("write snapshot at %d: %w", height, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return nil, fmt.Errorf("write snapshot at %d: %w", height, err)
	}
	if err := syncDir(parent); err != nil {
		return nil, fmt.Errorf("write snapshot at %d: %w", height, err)
	}
	return &abci.Snapshot{Height: uint64(height), Format: Format, Chunks: uint32(len(w.hashes)),
		Hash: snapshotHash(w.hashes), Metadata: meta}, nil
}

// chunkWriter cuts the item stream into chunk files of ChunkSize bytes, hashing each.
type chunkWriter struct {
	dir    string
	buf    []byte
	hashes [][]byte
}

func (w *chunkWriter) write(p []byte) error {
	w.buf = append(w.buf, p...)
	for len(w.buf) >= ChunkSize {
		if err := w.flush(w.buf[:ChunkSize]); err != nil {
			return err
		}
		w.buf = append(w.buf[:0], w.buf[ChunkSize:]...)
	}
	return nil
}

func (w *chunkWriter) close() error {
	if len(w.buf) > 0 || len(w.hashes) == 0 { // a snapshot has at least one chunk
		return w.flush(w.buf)
	}
	return nil
}

func (w *chunkWriter) flush(b []byte) error {
	if len(w.hashes) >= maxChunks {
		return fmt.Errorf("state too large for %d chunks of %d bytes", maxChunks, ChunkSize)
	}
	if err := writeFileSync(filepath.Join(w.dir, chunkName(uint32(len(w.hashes)))), b); err != nil {
		return err
	}
	w.hashes = append(w.hashes, chunkHash(b))
	return nil
}

func chunkName(i uint32) string { return "chunk-" + strconv.FormatUint(uint64(i), 10) }

func writeFileSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// List returns the complete snapshots held, most recent first.
func (m *Manager) List() ([]*abci.Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	heights, err := m.heightDirs()
	if err != nil {
		return nil, err
	}
	out := make([]*abci.Snapshot, 0, len(heights))
	for _, h := range heights {
		s, err := m.get(h, Format)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, s)
		m.served[h] = time.Now()
	}
	return out, nil
}

// get reads a complete snapshot's description from its metadata file.
func (m *Manager) get(height uint64, format uint32) (*abci.Snapshot, error) {
	meta, err := os.ReadFile(filepath.Join(m.snapshotDir(height, format), metadataFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: height %d format %d", ErrNotFound, height, format)
	}
	if err != nil {
		return nil, fmt.Errorf("read snapshot: %w", err)
	}
	hashes, err := decodeMetadata(meta)
	if err != nil {
		return nil, fmt.Errorf("snapshot at %d: %w", height, err)
	}
	return &abci.Snapshot{Height: height, Format: format, Chunks: uint32(len(hashes)), Hash: snapshotHash(hashes), Metadata: meta}, nil
}

// LoadChunk returns a chunk of a held snapshot (ErrNotFound when it does not hold it).
func (m *Manager) LoadChunk(height uint64, format, chunk uint32) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if format != Format {
		return nil, fmt.Errorf("%w: format %d", ErrNotFound, format)
	}
	dir := m.snapshotDir(height, format)
	if _, err := os.Stat(filepath.Join(dir, metadataFile)); err != nil {
		return nil, fmt.Errorf("%w: height %d format %d", ErrNotFound, height, format)
	}
	m.served[height] = time.Now()
	b, err := os.ReadFile(filepath.Join(dir, chunkName(chunk)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: chunk %d of height %d", ErrNotFound, chunk, height)
	}
	return b, err
}

// prune deletes all but the keep most recent complete snapshots (and incomplete heights below
// them), except those a peer used within ServeGrace.
func (m *Manager) prune() error {
	if m.keep <= 0 {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	heights, err := m.heightDirs() // most recent first
	if err != nil {
		return err
	}
	kept := 0
	for _, h := range heights {
		if kept < m.keep {
			if _, err := os.Stat(filepath.Join(m.snapshotDir(h, Format), metadataFile)); err == nil {
				kept++
			}
			continue
		}
		if t, ok := m.served[h]; ok && time.Since(t) < ServeGrace {
			continue
		}
		if err := os.RemoveAll(m.heightDir(h)); err != nil {
			return err
		}
		delete(m.served, h)
		m.logger.Debug("pruned snapshot", "height", h)
	}
	return nil
}

// heightDirs lists the heights that have a directory, most recent first.
func (m *Manager) heightDirs() ([]uint64, error) {
	entries, err := os.ReadDir(m.dir)
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	var hs []uint64
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), "0") {
			continue
		}
		h, err := strconv.ParseUint(e.Name(), 10, 64)
		if err != nil {
			continue
		}
		hs = append(hs, h)
	}
	slices.Sort(hs)
	slices.Reverse(hs)
	return hs, nil
}

func (m *Manager) heightDir(h uint64) string {
	return filepath.Join(m.dir, strconv.FormatUint(h, 10))
}

func (m *Manager) snapshotDir(h uint64, format uint32) string {
	return filepath.Join(m.heightDir(h), strconv.FormatUint(uint64(format), 10))
}
