package app

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/fees"
)

// metaPrefix holds the app's own records (chain id, last block time); modules own the others.
var metaPrefix = []byte{0x00}

var (
	keyChainID   = []byte("chain_id")
	keyBlockTime = []byte("block_time")
)

var zeroTime = time.Unix(0, 0).UTC()

// checkState is the mempool's view: the last committed state plus the effects (nonces, fees) of
// the txs admitted since. It is rebuilt on every Commit; CometBFT then rechecks the txs left.
type checkState struct {
	cache  *store.Cache
	height int64 // last committed height
	time   time.Time
	params *fees.Params // read once: the mempool runs no msgs, so they do not change until Commit
}

// feeParams are the fee params of the mempool's state, read on first use.
func (c *checkState) feeParams(k fees.Keeper, ctx chain.Context) fees.Params {
	if c.params == nil {
		p := k.Params(ctx)
		c.params = &p
	}
	return *c.params
}

// blockState is the block being finalized: a branch over the tree written at the block's end, so
// the tree sees each key once per block.
type blockState struct {
	cache  *store.Cache
	base   *blockBase // what the branch reads from and writes to
	height int64
	time   time.Time
	gas    uint64
}

// committedReads remembers the values, and the absences, of keys read from the last committed
// state, for the mempool's state and the next block alike: a transfer reads a dozen keys (the
// accounts, balances, the fee pool, and hooks' records that mostly do not exist), and without it
// every one is an IAVL lookup that, for a key that does not exist, goes down to the database.
// It is kept exact: Commit applies the block's writes to it (and the epoch changes); InitChain
// and a restored snapshot empty it. Readers carry the epoch they were made in, and a reader of
// another epoch neither reads nor fills it. Safe for concurrent use (CheckTx runs alongside
// FinalizeBlock: both read the last committed state, because a block's writes reach the tree only
// at its end).
type committedReads struct {
	mu    sync.RWMutex
	epoch uint64
	m     map[string][]byte // nil: the key does not exist
}

// maxCommittedReads bounds the cache (it is emptied when full).
const maxCommittedReads = 1 << 20

func newCommittedReads() *committedReads { return &committedReads{m: map[string][]byte{}} }

func (c *committedReads) current() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.epoch
}

func (c *committedReads) get(epoch uint64, key []byte) ([]byte, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if epoch != c.epoch {
		return nil, false
	}
	v, ok := c.m[string(key)]
	return v, ok
}

func (c *committedReads) fill(epoch uint64, key, value []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch {
		return
	}
	if len(c.m) >= maxCommittedReads {
		c.m = map[string][]byte{}
	}
	c.m[string(key)] = value
}

// committed applies a committed block's writes (nil value: deleted) and starts a new epoch.
func (c *committedReads) committed(writes map[string][]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	if len(c.m)+len(writes) >= maxCommittedReads {
		c.m = map[string][]byte{}
	}
	for k, v := range writes {
		c.m[k] = v
	}
}

// reset forgets everything (the tree changed other than by a committed block).
func (c *committedReads) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.m = map[string][]byte{}
}

// cachedReader reads parent (the committed state of the reads' epoch) through the reads cache.
type cachedReader struct {
	reads  *committedReads
	epoch  uint64
	parent store.Reader
}

func (r cachedReader) Get(key []byte) []byte {
	if v, ok := r.reads.get(r.epoch, key); ok {
		return v
	}
	v := r.parent.Get(key)
	r.reads.fill(r.epoch, key, v)
	return v
}

func (r cachedReader) Has(key []byte) bool { return r.Get(key) != nil }

func (r cachedReader) Iterator(start, end []byte) store.Iterator {
	return r.parent.Iterator(start, end)
}

func (r cachedReader) ReverseIterator(start, end []byte) store.Iterator {
	return r.parent.ReverseIterator(start, end)
}

// blockBase is what a block's branch sits on: reads of the committed state through the reads
// cache, writes (once, at the block's end) to the tree's working version, remembered for Commit.
type blockBase struct {
	cachedReader
	tree   *store.Tree
	writes map[string][]byte
}

func (a *App) newBlockBase() *blockBase {
	return &blockBase{cachedReader: cachedReader{reads: a.reads, epoch: a.reads.current(), parent: a.tree},
		tree: a.tree, writes: map[string][]byte{}}
}

func (b *blockBase) Set(key, value []byte) {
	b.tree.Set(key, value)
	b.writes[string(key)] = value
}

func (b *blockBase) Delete(key []byte) {
	b.tree.Delete(key)
	b.writes[string(key)] = nil
}

// load restores the app after a restart (or prepares an empty one for InitChain).
func (a *App) load() error {
	v := a.tree.Version()
	if v == 0 {
		return nil
	}
	view, err := a.tree.At(v)
	if err != nil {
		return err
	}
	meta := store.Prefix(store.NewReadCache(view), metaPrefix)
	id := meta.Get(keyChainID)
	if id == nil {
		return errors.New("state has no chain id: not a Girder state database")
	}
	a.chainID = string(id)
	a.reads.reset()
	return a.resetCheck()
}

func (a *App) resetCheck() error {
	v := a.tree.Version()
	view, err := a.tree.At(v)
	if err != nil {
		return fmt.Errorf("open committed state %d: %w", v, err)
	}
	t := zeroTime
	if b := store.Prefix(store.NewReadCache(view), metaPrefix).Get(keyBlockTime); b != nil {
		var ns int64
		canon.MustDecode(b, &ns)
		t = time.Unix(0, ns).UTC()
	}
	a.check = checkState{cache: store.NewReadCache(cachedReader{reads: a.reads, epoch: a.reads.current(), parent: view}), height: v, time: t}
	return nil
}

// checkParams are the fee params of the mempool's state (those of the last committed block).
func (a *App) checkParams() fees.Params {
	a.connMu.Lock()
	defer a.connMu.Unlock()
	return a.check.feeParams(a.Fees, a.checkContext(a.check.cache))
}

// signerKeys remembers the public key each signer bound, as seen by CheckTx, so PreCheckTx can
// verify a tx that does not carry its key before CheckTx's lock. Bounded: cleared when full.
type signerKeys struct {
	mu sync.RWMutex
	m  map[address.Address][]byte
}

const maxSignerKeys = 1 << 20

func newSignerKeys() *signerKeys { return &signerKeys{m: map[address.Address][]byte{}} }

func (k *signerKeys) get(a address.Address) []byte {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.m[a]
}

func (k *signerKeys) put(a address.Address, pub []byte) {
	if pub == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.m) >= maxSignerKeys {
		k.m = map[address.Address][]byte{}
	}
	k.m[a] = pub
}

func (a *App) checkContext(kv store.KV) chain.Context {
	return chain.NewContext(kv, a.check.height+1, a.check.time, a.chainID, chain.ModeCheck)
}

// verifiedTxs remembers txs whose decoding and signature were checked in CheckTx, by hash, so
// FinalizeBlock does neither twice. Bounded: it is cleared when full. Safe for concurrent use
// (CheckTx fills it while FinalizeBlock reads it); what FinalizeBlock finds there changes how
// much work it does, never its results.
type verifiedTxs struct {
	mu sync.Mutex
	m  map[[32]byte]verified
}

type verified struct {
	d   *tx.Decoded
	key []byte // the public key the signature verified with
}

const maxVerified = 200_000

func newVerifiedTxs() *verifiedTxs { return &verifiedTxs{m: map[[32]byte]verified{}} }

func (s *verifiedTxs) get(h [32]byte) (verified, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[h]
	return v, ok
}

func (s *verifiedTxs) put(v verified) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= maxVerified {
		s.m = map[[32]byte]verified{}
	}
	s.m[v.d.Hash] = v
}

func (s *verifiedTxs) drop(h [32]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, h)
}
