// Package snapshots takes, keeps, serves and restores state-sync snapshots of Girder's state
// tree: the file and goroutine side of ABCI state sync, which the app (deterministic, no I/O)
// reaches through its Snapshots interface.
//
// Format 1: the nodes of a committed IAVL version, in IAVL export order, each encoded as a CBOR
// array [Key, Value, Version, Height] (canonical encoding), concatenated into one byte stream
// that is cut into chunks of ChunkSize bytes (the last may be shorter; an empty state still has
// one, empty, chunk). The snapshot's Metadata is the CBOR list of the chunks' SHA-256 hashes and
// its Hash is the SHA-256 of those hashes concatenated. Nodes that snapshot the same height write
// identical snapshots, so a new node can fetch chunks from all of them.
package snapshots

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"github.com/cosmos/iavl"
	"github.com/fxamacker/cbor/v2"

	"github.com/girder-chain/girder/canon"
)

// Format is the snapshot format this package writes and restores.
const Format uint32 = 1

// ChunkSize is the most bytes in a chunk (CometBFT carries chunks of up to 16 MB). A variable so
// tests can lower it; every node serving the same snapshot must use the same value.
var ChunkSize = 4 << 20

// maxChunks bounds the hash list a snapshot's metadata may carry (CometBFT limits snapshot
// messages to 4 MB, about 120 000 hashes).
const maxChunks = 1 << 17

// item is one exported tree node in the stream. Value is nil for inner nodes and non-nil (maybe
// empty) for leaves; CBOR keeps the difference (null vs empty byte string).
type item struct {
	_       struct{} `cbor:",toarray"`
	Key     []byte
	Value   []byte
	Version int64
	Height  int8
}

func encodeNode(n *iavl.ExportNode) ([]byte, error) {
	return canon.Marshal(item{Key: n.Key, Value: n.Value, Version: n.Version, Height: n.Height})
}

// streamMode splits the stream into items; each item is then decoded strictly by canon.
var streamMode cbor.DecMode

// metaMode decodes the metadata hash list (longer than canon's array limit).
var metaMode cbor.DecMode

func init() {
	var err error
	streamMode, err = cbor.DecOptions{
		MaxNestedLevels: 4,
		IndefLength:     cbor.IndefLengthForbidden,
		TagsMd:          cbor.TagsForbidden,
	}.DecMode()
	if err != nil {
		panic(err)
	}
	metaMode, err = cbor.DecOptions{
		MaxNestedLevels:  4,
		MaxArrayElements: maxChunks,
		IndefLength:      cbor.IndefLengthForbidden,
		TagsMd:           cbor.TagsForbidden,
	}.DecMode()
	if err != nil {
		panic(err)
	}
}

// errBadData marks a stream or metadata that is not a valid snapshot (as opposed to a local
// failure reading it).
var errBadData = errors.New("invalid snapshot data")

// nodeReader decodes the stream of items back into export nodes; it returns io.EOF after the
// last one.
func nodeReader(r io.Reader) func() (*iavl.ExportNode, error) {
	dec := streamMode.NewDecoder(r)
	return func() (*iavl.ExportNode, error) {
		var raw cbor.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			var local *localError
			if errors.As(err, &local) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: item at byte %d: %v", errBadData, dec.NumBytesRead(), err)
		}
		var it item
		if err := canon.Unmarshal(raw, &it); err != nil {
			return nil, fmt.Errorf("%w: item at byte %d: %v", errBadData, dec.NumBytesRead(), err)
		}
		return &iavl.ExportNode{Key: it.Key, Value: it.Value, Version: it.Version, Height: it.Height}, nil
	}
}

// localError wraps a failure to read our own files during a restore: the node's problem, not
// the snapshot's.
type localError struct{ err error }

func (e *localError) Error() string { return e.err.Error() }
func (e *localError) Unwrap() error { return e.err }

// encodeMetadata is the snapshot's Metadata: the CBOR list of chunk hashes.
func encodeMetadata(hashes [][]byte) ([]byte, error) { return canon.Marshal(hashes) }

// decodeMetadata reads and checks a snapshot's Metadata (canonical, 1 to maxChunks hashes of
// 32 bytes).
func decodeMetadata(b []byte) ([][]byte, error) {
	var hashes [][]byte
	if err := metaMode.Unmarshal(b, &hashes); err != nil {
		return nil, fmt.Errorf("%w: metadata: %v", errBadData, err)
	}
	if again, err := canon.Marshal(hashes); err != nil || !bytes.Equal(again, b) {
		return nil, fmt.Errorf("%w: metadata is not canonical", errBadData)
	}
	if len(hashes) == 0 {
		return nil, fmt.Errorf("%w: metadata lists no chunk", errBadData)
	}
	for i, h := range hashes {
		if len(h) != sha256.Size {
			return nil, fmt.Errorf("%w: hash of chunk %d has %d bytes", errBadData, i, len(h))
		}
	}
	return hashes, nil
}

// snapshotHash is the SHA-256 of the chunk hashes concatenated.
func snapshotHash(hashes [][]byte) []byte {
	h := sha256.New()
	for _, c := range hashes {
		h.Write(c)
	}
	return h.Sum(nil)
}

func chunkHash(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}
