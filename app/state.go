package app

import (
	"errors"
	"fmt"
	"time"

	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
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
}

// blockState is the block being finalized: a branch over the tree written at the block's end, so
// the tree sees each key once per block.
type blockState struct {
	cache  *store.Cache
	height int64
	time   time.Time
	gas    uint64
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
	a.check = checkState{cache: store.NewReadCache(view), height: v, time: t}
	return nil
}

func (a *App) checkContext(kv store.KV) chain.Context {
	return chain.NewContext(kv, a.check.height+1, a.check.time, a.chainID, chain.ModeCheck)
}

// verifiedTxs remembers txs whose decoding and signature were checked in CheckTx, by hash, so
// FinalizeBlock does neither twice. Bounded: it is cleared when full.
type verifiedTxs struct {
	m map[[32]byte]verified
}

type verified struct {
	d   *tx.Decoded
	key []byte // the public key the signature verified with
}

const maxVerified = 200_000

func newVerifiedTxs() *verifiedTxs { return &verifiedTxs{m: map[[32]byte]verified{}} }

func (s *verifiedTxs) get(h [32]byte) (verified, bool) {
	v, ok := s.m[h]
	return v, ok
}

func (s *verifiedTxs) put(v verified) {
	if len(s.m) >= maxVerified {
		s.m = map[[32]byte]verified{}
	}
	s.m[v.d.Hash] = v
}

func (s *verifiedTxs) drop(h [32]byte) { delete(s.m, h) }
