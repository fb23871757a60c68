package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/api/cometbft/types/v1"

	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/fees"
)

var _ abci.Application = (*App)(nil)

// storageGuard turns a storage failure panic into the Go error CometBFT expects from a broken
// node (it stops rather than record a wrong result).
func storageGuard(err *error) {
	if r := recover(); r != nil {
		var f store.Failure
		if e, ok := r.(error); ok && errors.As(e, &f) {
			*err = f
			return
		}
		panic(r)
	}
}

// Info reports the last committed height and app hash, so CometBFT replays what is missing.
func (a *App) Info(context.Context, *abci.InfoRequest) (*abci.InfoResponse, error) {
	res := &abci.InfoResponse{Data: "girder", Version: Version, AppVersion: AppVersion, LastBlockHeight: a.tree.Version()}
	if res.LastBlockHeight > 0 {
		res.LastBlockAppHash = a.tree.Hash()
	}
	return res, nil
}

// InitChain loads the genesis app state into the working version; it is committed with the
// first block.
func (a *App) InitChain(_ context.Context, req *abci.InitChainRequest) (res *abci.InitChainResponse, err error) {
	defer storageGuard(&err)
	if err := tx.ValidateChainID(req.ChainId); err != nil {
		return nil, err
	}
	if a.tree.Version() != 0 {
		return nil, fmt.Errorf("InitChain on a state that is already at height %d", a.tree.Version())
	}
	var gs map[string]json.RawMessage
	if err := json.Unmarshal(req.AppStateBytes, &gs); err != nil {
		return nil, fmt.Errorf("genesis app_state: %w", err)
	}
	a.chainID = req.ChainId
	a.tree.SetInitialVersion(req.InitialHeight)
	cache := store.NewCache(a.tree)
	ctx := chain.NewContext(cache, req.InitialHeight, req.Time, req.ChainId, chain.ModeDeliver)
	meta := store.Prefix(cache, metaPrefix)
	meta.Set(keyChainID, []byte(req.ChainId))
	meta.Set(keyBlockTime, canon.MustMarshal(req.Time.UnixNano()))
	known := map[string]bool{}
	for _, m := range a.modules {
		known[m.Name()] = true
		raw, ok := gs[m.Name()]
		if !ok {
			return nil, fmt.Errorf("genesis app_state has no %q section", m.Name())
		}
		if err := m.InitGenesis(ctx, raw); err != nil {
			return nil, err
		}
	}
	for name := range gs {
		if !known[name] {
			return nil, fmt.Errorf("genesis app_state has a section %q for no module of this chain", name)
		}
	}
	if err := a.checkInvariants(ctx); err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	cache.Write()
	a.reads.reset()
	a.check = checkState{cache: store.NewReadCache(cachedReader{reads: a.reads, epoch: a.reads.current(), parent: a.tree}),
		height: req.InitialHeight - 1, time: req.Time}
	return &abci.InitChainResponse{AppHash: a.tree.WorkingHash()}, nil
}

// CheckTx admits a tx to the mempool: decoding, signature (verified once, then remembered),
// nonce, and fee. It does not run the msgs. CheckTx may run alongside FinalizeBlock, but not
// alongside another CheckTx, a Query, Info, the snapshot calls or Commit: see ConnMutex.
// PreCheckTx, run before it outside that lock, takes the signature check out of it.
func (a *App) CheckTx(_ context.Context, req *abci.CheckTxRequest) (res *abci.CheckTxResponse, err error) {
	defer storageGuard(&err)
	d, key, derr := a.decode(req.Tx)
	if derr != nil {
		return checkFail(codes.As(derr)), nil
	}
	kv := store.NewCache(a.check.cache)
	ctx := a.checkContext(kv)
	out := a.runTx(ctx, a.check.feeParams(a.Fees, ctx), d, key, false)
	if out.Err != nil {
		if key != nil && req.Type == abci.CHECK_TX_TYPE_CHECK {
			a.seen.drop(d.Hash) // pre-checked, refused: do not keep it
		}
		return checkFail(out.Err), nil
	}
	kv.Write()
	acc, _ := a.Auth.Get(ctx, d.Tx.Body.Signer)
	if key == nil || !bytes.Equal(key, acc.PubKey) {
		a.seen.put(verified{d: d, key: acc.PubKey})
	}
	a.keys.put(d.Tx.Body.Signer, acc.PubKey)
	return &abci.CheckTxResponse{GasWanted: int64(d.Tx.Body.Fee.GasLimit), GasUsed: int64(out.Gas)}, nil
}

// PreCheckTx does the part of CheckTx that reads no state, and may run concurrently with
// anything (the node calls it for each new tx before taking CheckTx's lock): it decodes raw and
// verifies its signature with the key the tx carries or, when it carries none, with the key its
// signer bound in a tx this node admitted before, and remembers the tx as verified with that key.
// CheckTx then finds it decoded and verified; Authenticate still compares that key with the
// account's bound key, so a wrong guess costs a second verification, never a wrong result.
func (a *App) PreCheckTx(raw []byte) {
	if _, ok := a.seen.get(tx.Hash(raw)); ok {
		return
	}
	d, err := tx.Decode(raw, a.reg, a.chainID, MaxTxBytes)
	if err != nil {
		return
	}
	pub := d.Tx.Signatures[0].PubKey
	if pub == nil {
		if pub = a.keys.get(d.Tx.Body.Signer); pub == nil {
			return
		}
	}
	if d.VerifySignature(pub) {
		a.seen.put(verified{d: d, key: pub})
	}
}

func checkFail(e *codes.Error) *abci.CheckTxResponse {
	return &abci.CheckTxResponse{Code: e.Code, Codespace: e.Module, Log: e.Msg}
}

// PrepareProposal keeps, in mempool order, the txs that decode and fit the block's byte and gas limits.
func (a *App) PrepareProposal(_ context.Context, req *abci.PrepareProposalRequest) (*abci.PrepareProposalResponse, error) {
	p := a.checkParams()
	var size int64
	var gas uint64
	out := make([][]byte, 0, len(req.Txs))
	for _, raw := range req.Txs {
		if size+int64(len(raw)) > req.MaxTxBytes {
			break
		}
		d, _, err := a.decode(raw)
		if err != nil {
			continue
		}
		g, ok := p.Gas(len(raw), d.Msgs)
		if !ok || gas+g > p.MaxBlockGas {
			continue
		}
		size += int64(len(raw))
		gas += g
		out = append(out, raw)
	}
	return &abci.PrepareProposalResponse{Txs: out}, nil
}

// ProcessProposal rejects a block with a tx that cannot decode or with more gas than a block holds.
func (a *App) ProcessProposal(_ context.Context, req *abci.ProcessProposalRequest) (*abci.ProcessProposalResponse, error) {
	p := a.checkParams()
	var gas uint64
	reject := &abci.ProcessProposalResponse{Status: abci.PROCESS_PROPOSAL_STATUS_REJECT}
	for _, raw := range req.Txs {
		d, _, err := a.decode(raw)
		if err != nil {
			a.logger.Info("rejecting proposal: undecodable tx", "height", req.Height, "err", err)
			return reject, nil
		}
		g, ok := p.Gas(len(raw), d.Msgs)
		if !ok || gas+g > p.MaxBlockGas {
			a.logger.Info("rejecting proposal: block gas limit exceeded", "height", req.Height)
			return reject, nil
		}
		gas += g
	}
	return &abci.ProcessProposalResponse{Status: abci.PROCESS_PROPOSAL_STATUS_ACCEPT}, nil
}

// FinalizeBlock runs the block's txs in order, then end-of-block work, and returns the app hash
// the block leads to. Writes reach the tree here and disk in Commit.
func (a *App) FinalizeBlock(_ context.Context, req *abci.FinalizeBlockRequest) (res *abci.FinalizeBlockResponse, err error) {
	defer storageGuard(&err)
	b := &blockState{base: a.newBlockBase(), height: req.Height, time: req.Time}
	b.cache = store.NewCache(b.base)
	a.block = b
	ctx := chain.NewContext(b.cache, req.Height, req.Time, a.chainID, chain.ModeDeliver)
	up := ctx.WithKV(b.cache)
	if err := a.applyUpgrade(up); err != nil {
		a.block = nil
		return nil, err
	}
	p := a.Fees.Params(ctx)
	results := make([]*abci.ExecTxResult, len(req.Txs))
	for i, raw := range req.Txs {
		results[i] = a.deliverTx(ctx, p, raw)
	}
	end := ctx.WithKV(b.cache)
	for _, m := range a.modules {
		if eb, ok := m.(chain.EndBlocker); ok {
			if err := eb.EndBlock(end); err != nil {
				return nil, fmt.Errorf("end of block %d, module %s: %w", req.Height, m.Name(), err)
			}
		}
	}
	// The next base fee last: fee params that governance set in this block's end rule it (a
	// raised minimum applies to the next block's txs, and the base fee never sits below it).
	a.Fees.EndBlock(end, b.gas)
	// Block limits set by chain governance in this block apply from the next height.
	var params *cmtproto.ConsensusParams
	if maxBytes, maxGas, ok := a.Governance.TakeBlockParams(end); ok {
		params = &cmtproto.ConsensusParams{Block: &cmtproto.BlockParams{MaxBytes: maxBytes, MaxGas: maxGas}}
	}
	store.Prefix(b.cache, metaPrefix).Set(keyBlockTime, canon.MustMarshal(req.Time.UnixNano()))
	if a.tree.Version() == 0 {
		// Before the first commit the mempool's state reads the working tree itself (no version
		// is committed yet), and CheckTx does not wait for FinalizeBlock: keep it out while the
		// block writes the tree.
		a.connMu.Lock()
		b.cache.Write()
		a.connMu.Unlock()
	} else {
		b.cache.Write()
	}
	evs := append(up.Events(), end.Events()...)
	return &abci.FinalizeBlockResponse{Events: abciEvents(evs), TxResults: results, AppHash: a.tree.WorkingHash(),
		ConsensusParamUpdates: params}, nil
}

func (a *App) deliverTx(ctx chain.Context, p fees.Params, raw []byte) *abci.ExecTxResult {
	d, key, err := a.decode(raw)
	if err != nil {
		e := codes.As(err)
		return &abci.ExecTxResult{Code: e.Code, Codespace: e.Module, Log: e.Msg}
	}
	a.seen.drop(d.Hash)
	out := a.runTx(ctx, p, d, key, false)
	res := &abci.ExecTxResult{GasWanted: int64(d.Tx.Body.Fee.GasLimit), Events: abciEvents(out.Events)}
	if out.Charged {
		res.GasUsed = int64(out.Gas)
		a.block.gas += out.Gas
	}
	if out.Err != nil {
		res.Code, res.Codespace, res.Log = out.Err.Code, out.Err.Module, out.Err.Msg
	}
	return res
}

// Commit saves the block's state; its hash is the app hash of the next block header.
func (a *App) Commit(context.Context, *abci.CommitRequest) (*abci.CommitResponse, error) {
	a.connMu.Lock()
	defer a.connMu.Unlock()
	a.commitMu.Lock()
	_, height, err := a.tree.Commit()
	a.commitMu.Unlock()
	if err != nil {
		return nil, err
	}
	if a.block != nil {
		a.reads.committed(a.block.base.writes)
	} else {
		a.reads.reset()
	}
	if a.snapshots != nil {
		a.snapshots.Committed(height)
	}
	a.block = nil
	if err := a.resetCheck(); err != nil {
		return nil, err
	}
	a.checkHalt(chain.NewContext(store.NewReadCache(a.check.cache), height, a.check.time, a.chainID, chain.ModeQuery), height)
	return &abci.CommitResponse{}, nil
}

func abciEvents(evs []chain.Event) []abci.Event {
	out := make([]abci.Event, len(evs))
	for i, e := range evs {
		attrs := make([]abci.EventAttribute, len(e.Attrs))
		for j, at := range e.Attrs {
			attrs[j] = abci.EventAttribute{Key: at.Key, Value: at.Value, Index: at.Index}
		}
		out[i] = abci.Event{Type: e.Type, Attributes: attrs}
	}
	return out
}

// The app takes no part in vote extensions yet. State sync: the snapshot methods below.

func (a *App) ExtendVote(context.Context, *abci.ExtendVoteRequest) (*abci.ExtendVoteResponse, error) {
	return &abci.ExtendVoteResponse{}, nil
}

func (a *App) VerifyVoteExtension(context.Context, *abci.VerifyVoteExtensionRequest) (*abci.VerifyVoteExtensionResponse, error) {
	return &abci.VerifyVoteExtensionResponse{Status: abci.VERIFY_VOTE_EXTENSION_STATUS_ACCEPT}, nil
}

// ListSnapshots lists the state-sync snapshots this node serves.
func (a *App) ListSnapshots(context.Context, *abci.ListSnapshotsRequest) (*abci.ListSnapshotsResponse, error) {
	if a.snapshots == nil {
		return &abci.ListSnapshotsResponse{}, nil
	}
	list, err := a.snapshots.List()
	if err != nil {
		a.logger.Error("listing snapshots failed", "err", err)
		return &abci.ListSnapshotsResponse{}, nil
	}
	return &abci.ListSnapshotsResponse{Snapshots: list}, nil
}

// OfferSnapshot starts restoring a snapshot (state sync of a new node).
func (a *App) OfferSnapshot(_ context.Context, req *abci.OfferSnapshotRequest) (*abci.OfferSnapshotResponse, error) {
	if a.snapshots == nil {
		return &abci.OfferSnapshotResponse{Result: abci.OFFER_SNAPSHOT_RESULT_ABORT}, nil
	}
	return &abci.OfferSnapshotResponse{Result: a.snapshots.Offer(req.Snapshot, req.AppHash)}, nil
}

// LoadSnapshotChunk serves a chunk of a snapshot to a peer (none, when the snapshot is gone).
func (a *App) LoadSnapshotChunk(_ context.Context, req *abci.LoadSnapshotChunkRequest) (*abci.LoadSnapshotChunkResponse, error) {
	if a.snapshots == nil {
		return &abci.LoadSnapshotChunkResponse{}, nil
	}
	chunk, err := a.snapshots.LoadChunk(req.Height, req.Format, req.Chunk)
	if err != nil {
		a.logger.Info("snapshot chunk not served", "height", req.Height, "format", req.Format, "chunk", req.Chunk, "err", err)
		return &abci.LoadSnapshotChunkResponse{}, nil
	}
	return &abci.LoadSnapshotChunkResponse{Chunk: chunk}, nil
}

// ApplySnapshotChunk restores the next chunk of the offered snapshot. Once the last is in, the
// app reloads itself from the restored state (chain id, mempool state).
func (a *App) ApplySnapshotChunk(_ context.Context, req *abci.ApplySnapshotChunkRequest) (*abci.ApplySnapshotChunkResponse, error) {
	if a.snapshots == nil {
		return &abci.ApplySnapshotChunkResponse{Result: abci.APPLY_SNAPSHOT_CHUNK_RESULT_ABORT}, nil
	}
	res, err := a.snapshots.ApplyChunk(req.Index, req.Chunk, req.Sender)
	if err != nil {
		return nil, err
	}
	if res.Result == abci.APPLY_SNAPSHOT_CHUNK_RESULT_ACCEPT && a.tree.Version() != 0 {
		if err := a.load(); err != nil {
			return nil, fmt.Errorf("load restored state: %w", err)
		}
	}
	return res, nil
}
