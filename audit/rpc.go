package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	rpcclient "github.com/cometbft/cometbft/rpc/client"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// RPC is a Source over a node's CometBFT RPC (/status, /abci_info, /header, /block,
// /block_results).
type RPC struct{ c rpcclient.Client }

// NewRPC reads reports through c (an HTTP client of a node's RPC, or an in-process one).
func NewRPC(c rpcclient.Client) *RPC { return &RPC{c: c} }

// RequestTimeout bounds each request Dial's client sends (a report of many heights sends many).
const RequestTimeout = 30 // seconds

// Dial returns a Source over the RPC of the node at addr ("tcp://host:port", "http://…";
// without a scheme, tcp:// is assumed).
func Dial(addr string) (*RPC, error) {
	if addr == "" {
		return nil, errors.New("empty node address")
	}
	if !strings.Contains(addr, "://") {
		addr = "tcp://" + addr
	}
	c, err := rpchttp.NewWithTimeout(addr, RequestTimeout)
	if err != nil {
		return nil, fmt.Errorf("node address %q: %w", addr, err)
	}
	return NewRPC(c), nil
}

// ErrUnreachable wraps failures to reach the node.
var ErrUnreachable = errors.New("node unreachable")

// Info is the node's chain id, its earliest block and its latest height whose results are
// stored: the lower of its latest block and its application's last committed height (a node
// stores a block before it executes it).
func (s *RPC) Info(ctx context.Context) (Info, error) {
	st, err := s.c.Status(ctx)
	if err != nil {
		return Info{}, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	ai, err := s.c.ABCIInfo(ctx)
	if err != nil {
		return Info{}, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	return Info{ChainID: st.NodeInfo.Network, Earliest: st.SyncInfo.EarliestBlockHeight,
		Latest: min(st.SyncInfo.LatestBlockHeight, ai.Response.LastBlockHeight)}, nil
}

// Header reads /header.
func (s *RPC) Header(ctx context.Context, height int64) (Header, error) {
	h := height
	r, err := s.c.Header(ctx, &h)
	if err != nil {
		return Header{}, err
	}
	if r.Header == nil {
		return Header{}, fmt.Errorf("no header at height %d", height)
	}
	return Header{Height: r.Header.Height, Time: r.Header.Time, Hash: r.Header.Hash().String(), First: r.Header.LastBlockID.IsNil()}, nil
}

// Block reads /block and hashes its txs (SHA-256, the tx hash of CometBFT and Girder).
func (s *RPC) Block(ctx context.Context, height int64) (Block, error) {
	h := height
	r, err := s.c.Block(ctx, &h)
	if err != nil {
		return Block{}, err
	}
	if r.Block == nil {
		return Block{}, fmt.Errorf("no block at height %d", height)
	}
	hd := r.Block.Header
	b := Block{Header: Header{Height: hd.Height, Time: hd.Time, Hash: r.BlockID.Hash.String(), First: hd.LastBlockID.IsNil()}}
	for _, t := range r.Block.Txs {
		b.Txs = append(b.Txs, fmt.Sprintf("%X", t.Hash()))
	}
	return b, nil
}

// Results reads /block_results.
func (s *RPC) Results(ctx context.Context, height int64) (Results, error) {
	h := height
	r, err := s.c.BlockResults(ctx, &h)
	if err != nil {
		return Results{}, err
	}
	out := Results{Txs: make([]TxResult, len(r.TxResults)), End: events(r.FinalizeBlockEvents)}
	for i, tr := range r.TxResults {
		if tr == nil {
			continue
		}
		out.Txs[i] = TxResult{Code: tr.Code, Codespace: tr.Codespace, Events: events(tr.Events)}
	}
	return out, nil
}

func events(evs []abci.Event) []Event {
	out := make([]Event, len(evs))
	for i, e := range evs {
		out[i] = Event{Type: e.Type, Attrs: make([]Attr, len(e.Attributes))}
		for j, a := range e.Attributes {
			out[i].Attrs[j] = Attr{Key: a.Key, Value: a.Value}
		}
	}
	return out
}
