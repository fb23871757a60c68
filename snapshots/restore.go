package snapshots

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"

	abci "github.com/cometbft/cometbft/abci/types"
)

// restore is a snapshot being restored: its chunks are kept in a directory until all arrived
// (each checked against its hash on arrival), then imported into the tree in one go and the
// result checked against the app hash the light client verified.
type restore struct {
	snap    *abci.Snapshot
	appHash []byte
	hashes  [][]byte
	dir     string
	senders []string // who sent each chunk
	have    []bool
	missing int
}

// Offer starts restoring snapshot s, whose state must have root hash appHash (the light
// client-verified app hash of the snapshot's height). It abandons a restore in progress.
func (m *Manager) Offer(s *abci.Snapshot, appHash []byte) abci.OfferSnapshotResult {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.abortRestore()
	if m.closed {
		return abci.OFFER_SNAPSHOT_RESULT_ABORT
	}
	if s == nil {
		return abci.OFFER_SNAPSHOT_RESULT_REJECT
	}
	if s.Format != Format {
		return abci.OFFER_SNAPSHOT_RESULT_REJECT_FORMAT
	}
	if v := m.tree.Version(); v != 0 {
		// CometBFT state-syncs only a node without blocks; a state without them is left over from
		// an earlier attempt or another chain. We do not delete it on our own.
		m.logger.Error("cannot restore a snapshot: the state database is not empty; remove it to state sync",
			"version", v)
		return abci.OFFER_SNAPSHOT_RESULT_ABORT
	}
	if s.Height == 0 || s.Height > math.MaxInt64 || len(appHash) == 0 {
		return abci.OFFER_SNAPSHOT_RESULT_REJECT
	}
	hashes, err := decodeMetadata(s.Metadata)
	if err != nil || uint32(len(hashes)) != s.Chunks || !bytes.Equal(snapshotHash(hashes), s.Hash) {
		m.logger.Info("rejecting snapshot: metadata does not match", "height", s.Height, "err", err)
		return abci.OFFER_SNAPSHOT_RESULT_REJECT
	}
	dir := filepath.Join(m.dir, restoreDir)
	if err := os.RemoveAll(dir); err == nil {
		err = os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		m.logger.Error("cannot restore a snapshot", "err", err)
		return abci.OFFER_SNAPSHOT_RESULT_ABORT
	}
	m.restore = &restore{snap: s, appHash: slices.Clone(appHash), hashes: hashes, dir: dir,
		senders: make([]string, len(hashes)), have: make([]bool, len(hashes)), missing: len(hashes)}
	m.logger.Info("restoring snapshot", "height", s.Height, "chunks", s.Chunks)
	return abci.OFFER_SNAPSHOT_RESULT_ACCEPT
}

// abortRestore drops the restore in progress, if any. m.mu is held.
func (m *Manager) abortRestore() {
	if m.restore != nil {
		os.RemoveAll(m.restore.dir)
		m.restore = nil
	}
}

// ApplyChunk takes chunk index of the snapshot being restored, sent by peer sender. A chunk
// whose hash is not the one in the metadata is refetched from another peer and its sender
// rejected. When the last chunk arrives the state is imported; if it is not a valid tree or its
// hash is not the trusted app hash, the tree is emptied again and the snapshot rejected (with
// the peers that sent it). An error means the node itself failed (its disk).
func (m *Manager) ApplyChunk(index uint32, chunk []byte, sender string) (*abci.ApplySnapshotChunkResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.restore
	if r == nil {
		m.logger.Error("snapshot chunk applied with no restore in progress", "index", index)
		return &abci.ApplySnapshotChunkResponse{Result: abci.APPLY_SNAPSHOT_CHUNK_RESULT_ABORT}, nil
	}
	if int(index) >= len(r.hashes) {
		m.abortRestore()
		return &abci.ApplySnapshotChunkResponse{Result: abci.APPLY_SNAPSHOT_CHUNK_RESULT_REJECT_SNAPSHOT}, nil
	}
	if !bytes.Equal(chunkHash(chunk), r.hashes[index]) {
		m.logger.Info("snapshot chunk does not match its hash: refetching it from another peer",
			"height", r.snap.Height, "index", index, "sender", sender)
		res := &abci.ApplySnapshotChunkResponse{Result: abci.APPLY_SNAPSHOT_CHUNK_RESULT_RETRY, RefetchChunks: []uint32{index}}
		if sender != "" {
			res.RejectSenders = []string{sender}
		}
		return res, nil
	}
	if err := os.WriteFile(filepath.Join(r.dir, chunkName(index)), chunk, 0o600); err != nil {
		return nil, fmt.Errorf("keep snapshot chunk: %w", err)
	}
	r.senders[index] = sender
	if !r.have[index] {
		r.have[index] = true
		r.missing--
	}
	if r.missing > 0 {
		return &abci.ApplySnapshotChunkResponse{Result: abci.APPLY_SNAPSHOT_CHUNK_RESULT_ACCEPT}, nil
	}
	return m.finishRestore()
}

// finishRestore imports the complete snapshot. m.mu is held.
func (m *Manager) finishRestore() (*abci.ApplySnapshotChunkResponse, error) {
	r := m.restore
	defer m.abortRestore()
	reject := &abci.ApplySnapshotChunkResponse{Result: abci.APPLY_SNAPSHOT_CHUNK_RESULT_REJECT_SNAPSHOT}
	for _, s := range r.senders {
		if s != "" && !slices.Contains(reject.RejectSenders, s) {
			reject.RejectSenders = append(reject.RejectSenders, s)
		}
	}
	cr := &chunkReader{dir: r.dir, n: uint32(len(r.hashes))}
	defer cr.close()
	err := m.tree.Import(int64(r.snap.Height), nodeReader(cr))
	var local *localError
	switch {
	case errors.As(err, &local):
		return nil, fmt.Errorf("restore snapshot at %d: %w", r.snap.Height, err)
	case errors.Is(err, errBadData):
		m.logger.Error("rejecting snapshot: its chunks do not decode", "height", r.snap.Height, "err", err)
		return reject, nil
	case err != nil:
		// IAVL refused the nodes (or, rarely, failed to write them): reject the snapshot but not
		// its senders, as the failure may be ours.
		m.logger.Error("rejecting snapshot: its chunks do not make a valid state", "height", r.snap.Height, "err", err)
		return &abci.ApplySnapshotChunkResponse{Result: abci.APPLY_SNAPSHOT_CHUNK_RESULT_REJECT_SNAPSHOT}, nil
	}
	if got := m.tree.Hash(); !bytes.Equal(got, r.appHash) {
		m.logger.Error("rejecting snapshot: restored state has the wrong hash", "height", r.snap.Height,
			"hash", fmt.Sprintf("%X", got), "want", fmt.Sprintf("%X", r.appHash))
		if err := m.tree.Reset(); err != nil {
			return nil, fmt.Errorf("discard restored snapshot: %w", err)
		}
		return reject, nil
	}
	m.logger.Info("snapshot restored", "height", r.snap.Height, "hash", fmt.Sprintf("%X", r.appHash))
	return &abci.ApplySnapshotChunkResponse{Result: abci.APPLY_SNAPSHOT_CHUNK_RESULT_ACCEPT}, nil
}

// chunkReader reads the restore's chunk files one after another, opening each when needed.
type chunkReader struct {
	dir  string
	n    uint32
	next uint32
	f    *os.File
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for {
		if c.f == nil {
			if c.next == c.n {
				return 0, io.EOF
			}
			f, err := os.Open(filepath.Join(c.dir, chunkName(c.next)))
			if err != nil {
				return 0, &localError{err}
			}
			c.f = f
			c.next++
		}
		n, err := c.f.Read(p)
		if err == io.EOF {
			c.f.Close()
			c.f = nil
			if n > 0 {
				return n, nil
			}
			continue
		}
		if err != nil {
			return n, &localError{err}
		}
		return n, nil
	}
}

func (c *chunkReader) close() {
	if c.f != nil {
		c.f.Close()
		c.f = nil
	}
}
