package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcrypto "github.com/cometbft/cometbft/api/cometbft/crypto/v1"

	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
)

// Query paths:
//
//	/store               Data = raw key; value at the height, with an ICS-23 proof if Prove
//	/simulate            Data = tx bytes; a dry run against the mempool's state (JSON SimulateResult)
//	/replay              Height = H-1, Data = CBOR ReplayRequest (block H's txs up to one tx): that
//	                     tx's outcome and writes, re-run over the state before block H (JSON SimulateResult)
//	/<module>/<path...>  a module query; JSON answer
//	/pending/<module>/…  the same, against the mempool's state (committed state plus the effects
//	                     of admitted txs: nonces and fees); for signers sending txs in a row
func (a *App) Query(_ context.Context, req *abci.QueryRequest) (res *abci.QueryResponse, err error) {
	defer storageGuard(&err)
	if a.tree.Version() == 0 {
		return queryFail(chain.ErrNotFound.Wrapf("the chain has no committed block yet"), 0), nil
	}
	h := req.Height
	if h == 0 {
		h = a.tree.Version()
	}
	view, verr := a.tree.At(h)
	if verr != nil {
		return queryFail(chain.ErrNotFound.Wrap(verr), h), nil
	}
	path := strings.Split(strings.Trim(req.Path, "/"), "/")
	switch path[0] {
	case "store":
		if len(req.Data) == 0 {
			return queryFail(chain.ErrBadQuery.Wrapf("store query needs a key"), h), nil
		}
		if !req.Prove {
			return &abci.QueryResponse{Key: req.Data, Value: view.Get(req.Data), Height: h}, nil
		}
		val, proof, perr := view.Prove(req.Data)
		if perr != nil {
			return nil, perr
		}
		pb, perr := proof.Marshal()
		if perr != nil {
			return nil, perr
		}
		return &abci.QueryResponse{Key: req.Data, Value: val, Height: h,
			ProofOps: &cmtcrypto.ProofOps{Ops: []cmtcrypto.ProofOp{{Type: "ics23:iavl", Key: req.Data, Data: pb}}}}, nil
	case "simulate":
		if req.Height != 0 {
			return queryFail(chain.ErrBadQuery.Wrapf("simulate runs against the latest state only"), h), nil
		}
		r := a.Simulate(req.Data)
		return jsonAnswer(r, h)
	case "replay":
		var rr ReplayRequest
		if err := canon.Decode(req.Data, &rr); err != nil {
			return queryFail(chain.ErrBadQuery.Wrapf("replay request: %v", err), h), nil
		}
		if rr.Height > 1 && rr.Height != h+1 {
			return queryFail(chain.ErrBadQuery.Wrapf("replay of block %d reads the state at height %d, not %d", rr.Height, rr.Height-1, h), h), nil
		}
		r, rerr := a.Replay(view, rr)
		if rerr != nil {
			return queryFail(rerr, h), nil
		}
		return jsonAnswer(r, h)
	}
	var reader store.Reader = view
	if path[0] == "pending" {
		if req.Height != 0 {
			return queryFail(chain.ErrBadQuery.Wrapf("pending queries read the mempool's state: no height"), h), nil
		}
		reader, path = a.check.cache, path[1:]
		if len(path) == 0 {
			return queryFail(chain.ErrBadQuery.Wrapf("pending query needs a module path"), h), nil
		}
	}
	ctx := chain.NewContext(store.NewReadCache(reader), h, zeroTime, a.chainID, chain.ModeQuery)
	for _, m := range a.modules {
		if m.Name() == path[0] {
			v, qerr := m.Query(ctx, path[1:], req.Data)
			if qerr != nil {
				return queryFail(codes.As(qerr), h), nil
			}
			return jsonAnswer(v, h)
		}
	}
	return queryFail(chain.ErrBadQuery.Wrapf("no query path %q", req.Path), h), nil
}

func jsonAnswer(v any, h int64) (*abci.QueryResponse, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode query answer: %w", err)
	}
	return &abci.QueryResponse{Value: b, Height: h}, nil
}

func queryFail(e *codes.Error, h int64) *abci.QueryResponse {
	return &abci.QueryResponse{Code: e.Code, Codespace: e.Module, Log: e.Msg, Height: h}
}

// SimulateResult is a dry run's outcome: what the tx would use, emit and change.
type SimulateResult struct {
	Code      uint32          `json:"code"`
	Codespace string          `json:"codespace,omitempty"`
	Log       string          `json:"log,omitempty"`
	GasUsed   uint64          `json:"gas_used"`
	Fee       json.RawMessage `json:"fee,omitempty"`
	Events    []chain.Event   `json:"events"`
	Changes   []StateChange   `json:"changes"`
}

// StateChange is one key the tx writes (hex), with its new value (absent: deleted), the module
// owning the key and the kind of record it holds, the key readably and the value as JSON.
type StateChange struct {
	Key     string          `json:"key"`
	Module  string          `json:"module,omitempty"`
	Record  string          `json:"record,omitempty"`
	KeyText string          `json:"key_text"`
	Value   string          `json:"value,omitempty"`
	Deleted bool            `json:"deleted,omitempty"`
	Decoded json.RawMessage `json:"decoded,omitempty"`
}

// Simulate runs raw against the mempool's state (the last committed state plus the txs this node
// admitted since: the state the tx would meet next) without keeping anything. The signature is
// not checked (a client may simulate before signing), everything else is.
func (a *App) Simulate(raw []byte) SimulateResult {
	d, err := tx.Decode(raw, a.reg, a.chainID, MaxTxBytes)
	if err != nil {
		return refused(codes.As(err))
	}
	kv := store.NewCache(store.NewReadCache(a.check.cache))
	ctx := chain.NewContext(kv, a.check.height+1, a.check.time, a.chainID, chain.ModeSimulate)
	return a.result(a.runTx(ctx, a.Fees.Params(ctx), d, nil, true), kv)
}

// ExportGenesis writes every module's state at the last committed height as a genesis app_state.
func (a *App) ExportGenesis() (map[string]json.RawMessage, int64, error) {
	a.commitMu.RLock()
	defer a.commitMu.RUnlock()
	h := a.tree.Version()
	if h == 0 {
		return nil, 0, errors.New("nothing to export: no block has been committed")
	}
	view, err := a.tree.At(h)
	if err != nil {
		return nil, 0, err
	}
	ctx := chain.NewContext(store.NewReadCache(view), h, zeroTime, a.chainID, chain.ModeQuery)
	out := map[string]json.RawMessage{}
	for _, m := range a.modules {
		raw, err := m.ExportGenesis(ctx)
		if err != nil {
			return nil, 0, fmt.Errorf("export %s: %w", m.Name(), err)
		}
		out[m.Name()] = raw
	}
	return out, h, nil
}
