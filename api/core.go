package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	ctypes "github.com/cometbft/cometbft/rpc/core/types"

	abci "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/app"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
)

// StatusInfo answers GET /v1/status.
type StatusInfo struct {
	ChainID         string    `json:"chain_id"`
	Moniker         string    `json:"moniker"`
	NodeID          string    `json:"node_id"`
	Version         string    `json:"version"`
	Height          int64     `json:"latest_block_height"`
	LatestBlockTime time.Time `json:"latest_block_time"`
	LatestBlockHash string    `json:"latest_block_hash"`
	LatestAppHash   string    `json:"latest_app_hash"`
	CatchingUp      bool      `json:"catching_up"`
	Validator       bool      `json:"validator"`
	ReadOnly        bool      `json:"read_only"`
}

// Block is a block as the API shows it.
type Block struct {
	Height          int64     `json:"height"`
	Hash            string    `json:"hash"`
	Time            time.Time `json:"time"`
	Proposer        string    `json:"proposer"`
	AppHash         string    `json:"app_hash"`
	LastResultsHash string    `json:"last_results_hash"`
	NumTxs          int       `json:"num_txs"`
	TxHashes        []string  `json:"tx_hashes"`
}

// BlockList is a page of blocks, newest first.
type BlockList struct {
	Blocks []Block `json:"blocks"`
	Next   string  `json:"next,omitempty"` // cursor of the next (older) page
}

// Msg is a decoded msg.
type Msg struct {
	Type  string `json:"type"`
	Value tx.Msg `json:"value"`
}

// Tx is a committed tx, decoded.
type Tx struct {
	Hash      string        `json:"hash"`
	Height    int64         `json:"height"`
	Index     uint32        `json:"index"`
	Code      uint32        `json:"code"`
	Codespace string        `json:"codespace,omitempty"`
	Log       string        `json:"log,omitempty"`
	GasWanted int64         `json:"gas_wanted"`
	GasUsed   int64         `json:"gas_used"`
	Fee       coin.Amount   `json:"fee,string"`
	Signer    string        `json:"signer,omitempty"`
	Nonce     uint64        `json:"nonce"`
	Limits    *tx.Fee       `json:"fee_limits,omitempty"`
	Memo      string        `json:"memo,omitempty"`
	Msgs      []Msg         `json:"msgs"`
	Events    []chain.Event `json:"events"`
}

// TxChanges is what a committed tx wrote: its block's txs up to it re-run over the state before
// the block (the app's /replay query), with the outcome, which equals the committed one.
type TxChanges struct {
	Hash     string `json:"hash"`
	Height   int64  `json:"height"`
	Index    uint32 `json:"index"`
	StateAt  int64  `json:"state_at"` // the height whose committed state the replay started from
	Replayed int    `json:"replayed"` // txs re-run: the ones before it in its block, and it
	// MatchesCommitted: the re-run's code, codespace, gas and events are the committed ones.
	MatchesCommitted bool               `json:"matches_committed"`
	Simulation       app.SimulateResult `json:"simulation"`
}

// TxList is a page of txs.
type TxList struct {
	Txs   []Tx   `json:"txs"`
	Total int    `json:"total"`
	Next  string `json:"next,omitempty"`
}

// BroadcastRequest submits a signed tx (base64 of its CBOR bytes).
type BroadcastRequest struct {
	Tx   string `json:"tx"`
	Mode string `json:"mode,omitempty"` // "sync" (default): once the mempool admits it; "commit": once a block commits it
}

// BroadcastResult answers a broadcast.
type BroadcastResult struct {
	Hash   string `json:"hash"`
	Height int64  `json:"height,omitempty"`
	Tx     *Tx    `json:"tx,omitempty"` // with mode commit
}

// SimulateRequest dry-runs a tx (base64), signed or not.
type SimulateRequest struct {
	Tx string `json:"tx"`
}

func (s *Server) coreRoutes() []Route {
	heightParam := Param{Name: "height", In: "path", Description: "block height", Required: true}
	pageParams := []Param{
		{Name: "limit", In: "query", Description: fmt.Sprintf("page size, 1 to %d (default %d)", s.cfg.MaxPageSize, defaultPageSize(s.cfg.MaxPageSize))},
		{Name: "cursor", In: "query", Description: "the `next` cursor of the previous page"},
	}
	return []Route{
		{Method: "GET", Path: "/status", Tag: "node", Summary: "Chain id, latest block, sync state of this node", Response: StatusInfo{}, Handler: s.status},
		{Method: "GET", Path: "/validators", Tag: "node", Summary: "The validator set at the latest height: address, public key, voting power, proposer priority", Response: ValidatorSet{}, Handler: s.validators},
		{Method: "GET", Path: "/blocks/latest", Tag: "blocks", Summary: "The latest committed block", Response: Block{}, Handler: s.latestBlock},
		{Method: "GET", Path: "/blocks/{height}", Tag: "blocks", Summary: "A block by height", Params: []Param{heightParam}, Response: Block{}, Handler: s.blockAt},
		{Method: "GET", Path: "/blocks", Tag: "blocks", Summary: "Blocks, newest first, or a height range",
			Params:   append([]Param{{Name: "from", In: "query", Description: "lowest height"}, {Name: "to", In: "query", Description: "highest height"}}, pageParams...),
			Response: BlockList{}, Handler: s.blocks},
		{Method: "GET", Path: "/txs/{hash}", Tag: "txs", Summary: "A committed tx: decoded msgs, result, gas, fee, events",
			Params: []Param{{Name: "hash", In: "path", Description: "tx hash, 64 hex digits", Required: true}}, Response: Tx{}, Handler: s.txByHash},
		{Method: "GET", Path: "/txs/{hash}/changes", Tag: "txs", Summary: "A committed tx's state changes: its block re-run up to it over the state before the block (code, gas, events and every key written, decoded)",
			Params: []Param{{Name: "hash", In: "path", Description: "tx hash, 64 hex digits", Required: true}}, Response: TxChanges{}, Handler: s.txChanges},
		{Method: "GET", Path: "/accounts/{address}/txs", Tag: "txs", Summary: "Txs that involve an account (as signer, sender, receiver or payer), newest first",
			Params: append([]Param{{Name: "address", In: "path", Description: "gir1… address", Required: true}}, pageParams...), Response: TxList{}, Handler: s.txsOfAccount},
		{Method: "POST", Path: "/txs", Tag: "txs", Summary: "Broadcast a signed tx (refused in read-only mode)", Body: BroadcastRequest{}, Response: BroadcastResult{}, Handler: s.broadcast},
		{Method: "POST", Path: "/simulate", Tag: "txs", Summary: "Dry-run a tx against the mempool's state: gas, events, state changes", Body: SimulateRequest{}, Response: app.SimulateResult{}, Handler: s.simulate},
	}
}

func (s *Server) status(_ http.ResponseWriter, r *http.Request) (any, error) {
	st, err := s.rpc.Status(r.Context())
	if err != nil {
		return nil, unavailable(err)
	}
	return StatusInfo{ChainID: st.NodeInfo.Network, Moniker: st.NodeInfo.Moniker, NodeID: string(st.NodeInfo.DefaultNodeID),
		Version: app.Version, Height: st.SyncInfo.LatestBlockHeight, LatestBlockTime: st.SyncInfo.LatestBlockTime,
		LatestBlockHash: st.SyncInfo.LatestBlockHash.String(), LatestAppHash: st.SyncInfo.LatestAppHash.String(),
		CatchingUp: st.SyncInfo.CatchingUp, Validator: st.ValidatorInfo.VotingPower > 0, ReadOnly: s.cfg.ReadOnly}, nil
}

// ValidatorSet is the validator set at a height.
type ValidatorSet struct {
	Height     int64       `json:"height"`
	Total      int         `json:"total"`
	TotalPower int64       `json:"total_power"`
	Validators []Validator `json:"validators"`
}

// Validator is one validator of the set (CometBFT's view: consensus key and power).
type Validator struct {
	Address          string `json:"address"`
	PubKey           string `json:"pub_key"` // base64
	VotingPower      int64  `json:"voting_power"`
	ProposerPriority int64  `json:"proposer_priority"`
}

// validators answers the validator set at the latest height (every page of CometBFT's answer).
func (s *Server) validators(_ http.ResponseWriter, r *http.Request) (any, error) {
	out := ValidatorSet{Validators: []Validator{}}
	perPage := 100
	var height *int64 // the first page's height: every page of the same set
	for page := 1; ; page++ {
		p := page
		res, err := s.rpc.Validators(r.Context(), height, &p, &perPage)
		if err != nil {
			return nil, unavailable(err)
		}
		out.Height, out.Total = res.BlockHeight, res.Total
		height = &out.Height
		for _, v := range res.Validators {
			out.Validators = append(out.Validators, Validator{Address: v.Address.String(), PubKey: base64.StdEncoding.EncodeToString(v.PubKey.Bytes()),
				VotingPower: v.VotingPower, ProposerPriority: v.ProposerPriority})
			out.TotalPower += v.VotingPower
		}
		if len(out.Validators) >= res.Total || len(res.Validators) == 0 {
			return out, nil
		}
	}
}

func blockOf(b *cmttypes.Block, id cmttypes.BlockID) Block {
	out := Block{Height: b.Height, Hash: id.Hash.String(), Time: b.Time, Proposer: b.ProposerAddress.String(),
		AppHash: b.AppHash.String(), LastResultsHash: b.LastResultsHash.String(), NumTxs: len(b.Txs), TxHashes: []string{}}
	for _, t := range b.Txs {
		out.TxHashes = append(out.TxHashes, fmt.Sprintf("%X", t.Hash()))
	}
	return out
}

func (s *Server) block(ctx context.Context, h *int64) (any, error) {
	b, err := s.rpc.Block(ctx, h)
	if err != nil {
		if h != nil {
			return nil, notFound("no block at height %d on this node: %v", *h, err)
		}
		return nil, unavailable(err)
	}
	if b.Block == nil {
		return nil, notFound("no block yet")
	}
	return blockOf(b.Block, b.BlockID), nil
}

func (s *Server) latestBlock(_ http.ResponseWriter, r *http.Request) (any, error) {
	return s.block(r.Context(), nil)
}

func parseHeight(v string) (int64, error) {
	h, err := strconv.ParseInt(v, 10, 64)
	if err != nil || h < 1 {
		return 0, badRequest("height %q is not a positive integer", v)
	}
	return h, nil
}

func (s *Server) blockAt(_ http.ResponseWriter, r *http.Request) (any, error) {
	h, err := parseHeight(r.PathValue("height"))
	if err != nil {
		return nil, err
	}
	return s.block(r.Context(), &h)
}

// page reads limit and an opaque cursor (a base64 number: a height or a page).
func (s *Server) page(r *http.Request) (limit int, cursor int64, err error) {
	limit = defaultPageSize(s.cfg.MaxPageSize)
	if v := r.URL.Query().Get("limit"); v != "" {
		limit, err = strconv.Atoi(v)
		if err != nil || limit < 1 || limit > s.cfg.MaxPageSize {
			return 0, 0, badRequest("limit %q: want 1 to %d", v, s.cfg.MaxPageSize)
		}
	}
	if v := r.URL.Query().Get("cursor"); v != "" {
		b, derr := base64.RawURLEncoding.DecodeString(v)
		if derr == nil {
			cursor, derr = strconv.ParseInt(string(b), 10, 64)
		}
		if derr != nil || cursor < 1 {
			return 0, 0, badRequest("cursor %q is not one this API gave", v)
		}
	}
	return limit, cursor, nil
}

// defaultPageSize is the page size when a request gives no limit: 30, or less when the maximum is.
func defaultPageSize(max int) int { return min(30, max) }

func makeCursor(n int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(n, 10)))
}

func (s *Server) blocks(_ http.ResponseWriter, r *http.Request) (any, error) {
	limit, cursor, err := s.page(r)
	if err != nil {
		return nil, err
	}
	st, err := s.rpc.Status(r.Context())
	if err != nil {
		return nil, unavailable(err)
	}
	lo, hi := st.SyncInfo.EarliestBlockHeight, st.SyncInfo.LatestBlockHeight
	q := r.URL.Query()
	if v := q.Get("from"); v != "" {
		if lo, err = parseHeight(v); err != nil {
			return nil, err
		}
	}
	if v := q.Get("to"); v != "" {
		if hi, err = parseHeight(v); err != nil {
			return nil, err
		}
		hi = min(hi, st.SyncInfo.LatestBlockHeight) // no block above the latest: start there
	}
	if cursor > 0 && cursor < hi {
		hi = cursor
	}
	out := BlockList{Blocks: []Block{}}
	for h := hi; h >= lo && h >= 1 && len(out.Blocks) < limit; h-- {
		hh := h
		b, err := s.rpc.Block(r.Context(), &hh)
		if err != nil || b.Block == nil {
			break
		}
		out.Blocks = append(out.Blocks, blockOf(b.Block, b.BlockID))
	}
	if n := len(out.Blocks); n == limit && out.Blocks[n-1].Height > lo && out.Blocks[n-1].Height > 1 {
		out.Next = makeCursor(out.Blocks[n-1].Height - 1)
	}
	return out, nil
}

// decodeTx turns an indexed tx into the API's view.
func (s *Server) decodeTx(ctx context.Context, hash []byte, height int64, index uint32, raw []byte, res *abci.ExecTxResult) (Tx, error) {
	out := Tx{Hash: fmt.Sprintf("%X", hash), Height: height, Index: index, Code: res.Code, Codespace: res.Codespace, Log: res.Log,
		GasWanted: res.GasWanted, GasUsed: res.GasUsed, Msgs: []Msg{}, Events: make([]chain.Event, 0, len(res.Events))}
	for _, e := range res.Events {
		ev := chain.Event{Type: e.Type}
		for _, a := range e.Attributes {
			ev.Attrs = append(ev.Attrs, chain.Attr{Key: a.Key, Value: a.Value, Index: a.Index})
			if e.Type == "fees.charged" && a.Key == "total" {
				v, _ := strconv.ParseUint(a.Value, 10, 64)
				out.Fee = coin.Amount(v)
			}
		}
		out.Events = append(out.Events, ev)
	}
	st, err := s.rpc.Status(ctx)
	if err != nil {
		return out, unavailable(err)
	}
	d, err := tx.Decode(raw, s.reg, st.NodeInfo.Network, len(raw))
	if err != nil {
		return out, nil // committed but undecodable: its result code says why
	}
	b := d.Tx.Body
	out.Signer, out.Nonce, out.Limits, out.Memo = b.Signer.String(), b.Nonce, &b.Fee, b.Memo
	for _, m := range d.Msgs {
		out.Msgs = append(out.Msgs, Msg{Type: m.MsgType(), Value: m})
	}
	return out, nil
}

// sameOutcome reports whether a re-run reproduced a committed result: code, codespace, gas
// used and every event with its attributes, in order.
func sameOutcome(c *abci.ExecTxResult, r *app.SimulateResult) bool {
	if c.Code != r.Code || c.Codespace != r.Codespace || c.GasUsed != int64(r.GasUsed) || len(c.Events) != len(r.Events) {
		return false
	}
	for i, e := range c.Events {
		if e.Type != r.Events[i].Type || len(e.Attributes) != len(r.Events[i].Attrs) {
			return false
		}
		for j, a := range e.Attributes {
			if b := r.Events[i].Attrs[j]; a.Key != b.Key || a.Value != b.Value {
				return false
			}
		}
	}
	return true
}

// committedTx finds the tx whose hash is the request's {hash}.
func (s *Server) committedTx(r *http.Request) (*ctypes.ResultTx, error) {
	h, err := client.HexHash(r.PathValue("hash"))
	if err != nil {
		return nil, badRequest("%v", err)
	}
	res, err := s.rpc.Tx(r.Context(), h, false)
	if err != nil {
		if strings.Contains(err.Error(), "not found") {
			return nil, notFound("tx %X is in no committed block of this node", h)
		}
		return nil, unavailable(err)
	}
	return res, nil
}

func (s *Server) txByHash(_ http.ResponseWriter, r *http.Request) (any, error) {
	res, err := s.committedTx(r)
	if err != nil {
		return nil, err
	}
	return s.decodeTx(r.Context(), res.Hash, res.Height, res.Index, res.Tx, &res.TxResult)
}

// replayCacheSize is how many txs' state changes the API keeps.
const replayCacheSize = 256

func (s *Server) txChanges(_ http.ResponseWriter, r *http.Request) (any, error) {
	res, err := s.committedTx(r)
	if err != nil {
		return nil, err
	}
	h, key := res.Hash, fmt.Sprintf("%X", res.Hash)
	if c, ok := s.replayCache.Get(key); ok {
		return c, nil
	}
	if int(res.Index) >= app.MaxReplayTxs {
		return nil, &httpError{http.StatusUnprocessableEntity, "too costly",
			fmt.Sprintf("tx %X is tx %d of block %d: its changes need the %d txs before it re-run, more than the %d this node replays (each replay holds its query lock); GET /v1/txs/%X has its events",
				h, res.Index+1, res.Height, res.Index, app.MaxReplayTxs-1, h)}
	}
	height := res.Height
	b, err := s.rpc.Block(r.Context(), &height)
	if err != nil || b.Block == nil {
		return nil, notFound("block %d of tx %X is not kept by this node", res.Height, h)
	}
	txs := b.Block.Txs
	if int(res.Index) >= len(txs) || !bytes.Equal(txs[res.Index], res.Tx) {
		return nil, unavailable(fmt.Errorf("block %d does not hold tx %X at index %d", res.Height, h, res.Index))
	}
	req := app.ReplayRequest{Height: res.Height, Time: b.Block.Time.UnixNano(), Txs: make([][]byte, res.Index+1)}
	for i := range req.Txs {
		req.Txs[i] = txs[i]
	}
	data, err := canon.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encode replay request: %w", err)
	}
	// One replay at a time; a request that waits past its deadline gives up.
	select {
	case s.replaySlot <- struct{}{}:
		defer func() { <-s.replaySlot }()
	case <-r.Context().Done():
		return nil, &httpError{http.StatusServiceUnavailable, "busy", "another tx's changes are being computed: retry shortly"}
	}
	if c, ok := s.replayCache.Get(key); ok {
		return c, nil
	}
	q, err := s.rpc.ABCIQueryWithOptions(r.Context(), "/replay", data, abciOpts(res.Height-1))
	if err != nil {
		return nil, unavailable(err)
	}
	if q.Response.Code != 0 {
		return nil, client.ChainError(q.Response.Codespace, q.Response.Code, q.Response.Log)
	}
	out := TxChanges{Hash: key, Height: res.Height, Index: res.Index, StateAt: res.Height - 1, Replayed: len(req.Txs)}
	if err := json.Unmarshal(q.Response.Value, &out.Simulation); err != nil {
		return nil, fmt.Errorf("decode replay answer: %w", err)
	}
	out.MatchesCommitted = sameOutcome(&res.TxResult, &out.Simulation)
	s.replayCache.Add(key, out)
	return out, nil
}

func (s *Server) txsOfAccount(_ http.ResponseWriter, r *http.Request) (any, error) {
	a, err := address.Parse(r.PathValue("address"))
	if err != nil {
		return nil, badRequest("%v", err)
	}
	limit, cursor, err := s.page(r)
	if err != nil {
		return nil, err
	}
	pageNo := int(cursor)
	if pageNo == 0 {
		pageNo = 1
	}
	res, err := s.rpc.TxSearch(r.Context(), fmt.Sprintf("account.address='%s'", a), false, &pageNo, &limit, "desc")
	if err != nil {
		if strings.Contains(err.Error(), "page should be within") {
			return TxList{Txs: []Tx{}}, nil
		}
		return nil, unavailable(err)
	}
	out := TxList{Txs: []Tx{}, Total: res.TotalCount}
	for _, t := range res.Txs {
		d, err := s.decodeTx(r.Context(), t.Hash, t.Height, t.Index, t.Tx, &t.TxResult)
		if err != nil {
			return nil, err
		}
		out.Txs = append(out.Txs, d)
	}
	if pageNo*limit < res.TotalCount {
		out.Next = makeCursor(int64(pageNo + 1))
	}
	return out, nil
}

func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequestOrTooLarge(err)
	}
	if dec.More() {
		return badRequest("trailing data after the JSON body")
	}
	return nil
}

func badRequestOrTooLarge(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return badRequest("body is not valid JSON of the expected shape: %v", err)
}

func txBytes(b64 string) ([]byte, error) {
	if b64 == "" {
		return nil, badRequest("tx is empty: send the base64 of the signed tx's CBOR bytes")
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, badRequest("tx is not base64: %v", err)
	}
	return raw, nil
}

func (s *Server) broadcast(_ http.ResponseWriter, r *http.Request) (any, error) {
	if s.cfg.ReadOnly {
		return nil, forbidden("this node's API is read-only: it does not broadcast txs")
	}
	var req BroadcastRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	raw, err := txBytes(req.Tx)
	if err != nil {
		return nil, err
	}
	if req.Mode != "" && req.Mode != "sync" && req.Mode != "commit" {
		return nil, badRequest("mode %q: want sync or commit", req.Mode)
	}
	res, err := s.rpc.BroadcastTxSync(r.Context(), raw)
	switch {
	case err != nil && client.RefusalOf(err) != nil:
		return nil, client.RefusalOf(err)
	case err != nil && strings.Contains(err.Error(), "tx already exists in cache"):
		// a retry of a tx this node already admitted or committed: answer as the first time
	case err != nil && strings.Contains(err.Error(), "mempool is full"):
		return nil, &httpError{http.StatusServiceUnavailable, "mempool full", "the node's mempool is full: retry shortly"}
	case err != nil:
		return nil, unavailable(err)
	case res.Code != 0:
		return nil, client.ChainError(res.Codespace, res.Code, res.Log)
	}
	hash := tx.Hash(raw)
	out := BroadcastResult{Hash: fmt.Sprintf("%X", hash)}
	if req.Mode != "commit" {
		return out, nil
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout-time.Second)
	defer cancel()
	for {
		t, err := s.rpc.Tx(ctx, hash[:], false)
		if err == nil {
			d, err := s.decodeTx(ctx, t.Hash, t.Height, t.Index, t.Tx, &t.TxResult)
			if err != nil {
				return nil, err
			}
			out.Height, out.Tx = t.Height, &d
			return out, nil
		}
		select {
		case <-ctx.Done():
			return nil, &httpError{http.StatusGatewayTimeout, "not committed in time", fmt.Sprintf("tx %s was admitted but no block committed it within the request time; query GET /v1/txs/%s", out.Hash, out.Hash)}
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *Server) simulate(_ http.ResponseWriter, r *http.Request) (any, error) {
	var req SimulateRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	raw, err := txBytes(req.Tx)
	if err != nil {
		return nil, err
	}
	q, err := s.rpc.ABCIQuery(r.Context(), "/simulate", raw)
	if err != nil {
		return nil, unavailable(err)
	}
	if q.Response.Code != 0 {
		return nil, client.ChainError(q.Response.Codespace, q.Response.Code, q.Response.Log)
	}
	return json.RawMessage(q.Response.Value), nil
}
