package app

import (
	abci "github.com/cometbft/cometbft/abci/types"
)

// Snapshots takes, serves and restores state-sync snapshots of the state tree. The file and
// goroutine work is behind it (package snapshots): the app only tells it each committed height
// and relays CometBFT's snapshot calls.
type Snapshots interface {
	// Committed is told each committed height (it may start a snapshot in the background).
	Committed(height int64)
	// List returns the snapshots held, most recent first.
	List() ([]*abci.Snapshot, error)
	// LoadChunk returns a chunk of a held snapshot; an error when it is not held.
	LoadChunk(height uint64, format, chunk uint32) ([]byte, error)
	// Offer starts restoring a snapshot whose state must hash to appHash (light client-verified).
	Offer(s *abci.Snapshot, appHash []byte) abci.OfferSnapshotResult
	// ApplyChunk takes the next chunk of the snapshot being restored; after the last one the
	// state is restored. The response may ask CometBFT to refetch chunks or reject senders. An
	// error means the node failed (not the snapshot).
	ApplyChunk(index uint32, chunk []byte, sender string) (*abci.ApplySnapshotChunkResponse, error)
}

// SetSnapshots gives the app its snapshot manager (none: it neither offers nor restores
// snapshots). Call it before the node starts.
func (a *App) SetSnapshots(s Snapshots) { a.snapshots = s }
