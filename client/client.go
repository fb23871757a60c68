// Package client is the Go SDK of Girder: connect to a node, query state, build, sign, simulate
// and broadcast txs, and wait for them to commit. The girder CLI is built on it.
package client

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	rpcclient "github.com/cometbft/cometbft/rpc/client"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/app"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/fees"
)

// Client talks to one node over its CometBFT RPC.
type Client struct {
	rpc *rpchttp.HTTP
	reg *tx.Registry

	mu      sync.Mutex
	chainID string
	units   []coin.Unit
}

// Dial connects to a node's RPC address ("tcp://127.0.0.1:26657" or "http://host:port").
func Dial(addr string) (*Client, error) {
	if addr == "" {
		return nil, errors.New("empty node address")
	}
	if !strings.Contains(addr, "://") {
		addr = "tcp://" + addr
	}
	r, err := rpchttp.New(addr)
	if err != nil {
		return nil, fmt.Errorf("node address %q: %w", addr, err)
	}
	return &Client{rpc: r, reg: app.NewRegistry()}, nil
}

// Status is a node's view of the chain.
type Status struct {
	ChainID         string    `json:"chain_id"`
	Moniker         string    `json:"moniker"`
	NodeID          string    `json:"node_id"`
	Height          int64     `json:"latest_block_height"`
	LatestBlockTime time.Time `json:"latest_block_time"`
	LatestBlockHash string    `json:"latest_block_hash"`
	LatestAppHash   string    `json:"latest_app_hash"`
	CatchingUp      bool      `json:"catching_up"`
	Validator       bool      `json:"validator"`
}

// Status asks the node where it is.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	s, err := c.rpc.Status(ctx)
	if err != nil {
		return nil, unreachable(err)
	}
	c.mu.Lock()
	c.chainID = s.NodeInfo.Network
	c.mu.Unlock()
	return &Status{
		ChainID: s.NodeInfo.Network, Moniker: s.NodeInfo.Moniker, NodeID: string(s.NodeInfo.DefaultNodeID),
		Height: s.SyncInfo.LatestBlockHeight, LatestBlockTime: s.SyncInfo.LatestBlockTime,
		LatestBlockHash: s.SyncInfo.LatestBlockHash.String(), LatestAppHash: s.SyncInfo.LatestAppHash.String(),
		CatchingUp: s.SyncInfo.CatchingUp, Validator: s.ValidatorInfo.VotingPower > 0,
	}, nil
}

// AppHeight is the last height the node's application has committed: what queries read. It can
// trail Status().Height by a block, since a node stores a block before it executes it.
func (c *Client) AppHeight(ctx context.Context) (int64, error) {
	info, err := c.rpc.ABCIInfo(ctx)
	if err != nil {
		return 0, unreachable(err)
	}
	return info.Response.LastBlockHeight, nil
}

// ErrUnreachable wraps failures to reach the node.
var ErrUnreachable = errors.New("node unreachable")

func unreachable(err error) error { return fmt.Errorf("%w: %v", ErrUnreachable, err) }

// ChainID returns the node's chain id (asked once).
func (c *Client) ChainID(ctx context.Context) (string, error) {
	c.mu.Lock()
	id := c.chainID
	c.mu.Unlock()
	if id != "" {
		return id, nil
	}
	s, err := c.Status(ctx)
	if err != nil {
		return "", err
	}
	return s.ChainID, nil
}

// Query runs an app query (see app.Query for paths) at height (0: latest) and decodes its JSON
// answer into out. A failure the chain reports comes back as a *codes.Error.
func (c *Client) Query(ctx context.Context, path string, data []byte, height int64, out any) error {
	r, err := c.rpc.ABCIQueryWithOptions(ctx, path, data, rpcclient.ABCIQueryOptions{Height: height})
	if err != nil {
		return unreachable(err)
	}
	if r.Response.Code != 0 {
		return resultError(r.Response.Codespace, r.Response.Code, r.Response.Log)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(r.Response.Value, out); err != nil {
		return fmt.Errorf("decode answer of %s: %w", path, err)
	}
	return nil
}

// ChainError rebuilds the chain's failure from its code space, code and log.
func ChainError(module string, code uint32, log string) *codes.Error {
	return resultError(module, code, log)
}

func resultError(module string, code uint32, log string) *codes.Error {
	e := &codes.Error{Module: module, Code: code, Msg: log}
	if k, ok := codes.Lookup(module, code); ok {
		e.Desc = k.Desc
	}
	return e
}

// Account returns an account as of the last block; ok is false when it does not exist yet.
func (c *Client) Account(ctx context.Context, a address.Address) (acc auth.Account, ok bool, err error) {
	return c.account(ctx, "/auth/account/"+a.String())
}

// PendingAccount returns an account as the node's mempool sees it: its nonce counts the txs the
// node admitted but no block has committed yet, so a signer can send several txs in a row.
func (c *Client) PendingAccount(ctx context.Context, a address.Address) (acc auth.Account, ok bool, err error) {
	return c.account(ctx, "/pending/auth/account/"+a.String())
}

func (c *Client) account(ctx context.Context, path string) (acc auth.Account, ok bool, err error) {
	err = c.Query(ctx, path, nil, 0, &acc)
	if errors.Is(err, chainNotFound) {
		return acc, false, nil
	}
	return acc, err == nil, err
}

var chainNotFound = &codes.Error{Module: "query", Code: 2}

// Balances lists an address's balances.
func (c *Client) Balances(ctx context.Context, a address.Address) ([]coin.Coin, error) {
	var r bank.BalancesResult
	if err := c.Query(ctx, "/bank/balances/"+a.String(), nil, 0, &r); err != nil {
		return nil, err
	}
	return r.Balances, nil
}

// Balance is an address's balance of one denom.
func (c *Client) Balance(ctx context.Context, a address.Address, denom string) (coin.Coin, error) {
	var r coin.Coin
	err := c.Query(ctx, "/bank/balance/"+a.String()+"/"+denom, nil, 0, &r)
	return r, err
}

// Supply is the total supply of a denom.
func (c *Client) Supply(ctx context.Context, denom string) (coin.Coin, error) {
	var r coin.Coin
	err := c.Query(ctx, "/bank/supply/"+denom, nil, 0, &r)
	return r, err
}

// Fees returns the base fee, burnt and pooled totals and the fee params.
func (c *Client) Fees(ctx context.Context) (fees.Info, error) {
	var r fees.Info
	err := c.Query(ctx, "/fees/info", nil, 0, &r)
	return r, err
}

// Units lists the chain's denoms with their display units (asked once).
func (c *Client) Units(ctx context.Context) ([]coin.Unit, error) {
	c.mu.Lock()
	u := c.units
	c.mu.Unlock()
	if u != nil {
		return u, nil
	}
	if err := c.Query(ctx, "/bank/units", nil, 0, &u); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.units = u
	c.mu.Unlock()
	return u, nil
}

// ParseAmount reads "1500ugrd" or "1.5GRD" with the chain's units.
func (c *Client) ParseAmount(ctx context.Context, s string) (coin.Coin, error) {
	u, err := c.Units(ctx)
	if err != nil {
		return coin.Coin{}, err
	}
	return coin.Parse(s, u)
}

// Simulate dry-runs signed or unsigned tx bytes against the node's mempool state (the state the
// next tx meets).
func (c *Client) Simulate(ctx context.Context, txBytes []byte) (app.SimulateResult, error) {
	var r app.SimulateResult
	err := c.Query(ctx, "/simulate", txBytes, 0, &r)
	return r, err
}

// HexHash parses a tx hash.
func HexHash(s string) ([]byte, error) {
	return tx.HashString(strings.TrimPrefix(strings.ToLower(s), "0x"))
}

func hashHex(h []byte) string { return strings.ToUpper(hex.EncodeToString(h)) }

// Peers is the number of peers the node is connected to.
func (c *Client) Peers(ctx context.Context) (int, error) {
	ni, err := c.rpc.NetInfo(ctx)
	if err != nil {
		return 0, unreachable(err)
	}
	return ni.NPeers, nil
}
