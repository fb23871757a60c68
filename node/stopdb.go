package node

import (
	"errors"
	"sync"

	dbm "github.com/cometbft/cometbft-db"
)

// errDBClosed is what a write to a closed database answers.
var errDBClosed = errors.New("database closed: the node has stopped")

// stopSafeDB wraps a database CometBFT closes in its Stop while some of its goroutines may still
// read it: the consensus reactor's per-peer routine can wake from a sleep after the node stopped
// and load a commit, and a read of a closed LevelDB panics ("leveldb: closed"; a known CometBFT
// shutdown race). After Close, reads find nothing and writes fail with an error; a read in flight
// finishes before the database closes.
type stopSafeDB struct {
	dbm.DB
	mu     sync.RWMutex
	closed bool
}

func (d *stopSafeDB) Get(key []byte) ([]byte, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return nil, nil
	}
	return d.DB.Get(key)
}

func (d *stopSafeDB) Has(key []byte) (bool, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return false, nil
	}
	return d.DB.Has(key)
}

func (d *stopSafeDB) write(f func() error) error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return errDBClosed
	}
	return f()
}

func (d *stopSafeDB) Set(key, value []byte) error {
	return d.write(func() error { return d.DB.Set(key, value) })
}

func (d *stopSafeDB) SetSync(key, value []byte) error {
	return d.write(func() error { return d.DB.SetSync(key, value) })
}

func (d *stopSafeDB) Delete(key []byte) error {
	return d.write(func() error { return d.DB.Delete(key) })
}

func (d *stopSafeDB) DeleteSync(key []byte) error {
	return d.write(func() error { return d.DB.DeleteSync(key) })
}

func (d *stopSafeDB) Iterator(start, end []byte) (dbm.Iterator, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return nil, errDBClosed
	}
	return d.DB.Iterator(start, end)
}

func (d *stopSafeDB) ReverseIterator(start, end []byte) (dbm.Iterator, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return nil, errDBClosed
	}
	return d.DB.ReverseIterator(start, end)
}

// Close closes the database once; reads from then on find nothing.
func (d *stopSafeDB) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	return d.DB.Close()
}
