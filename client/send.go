package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
)

// Signer signs txs for one account (a keyring.Signer, or a key held in memory).
type Signer interface {
	Address() address.Address
	PubKey() []byte
	Sign(msg []byte) []byte
}

// BuildOptions adjust a tx. Zero values pick sensible defaults.
type BuildOptions struct {
	// Nonce, when set, is used instead of the account's next nonce (for txs signed ahead).
	Nonce *uint64
	// GasLimit, when set, skips the simulation that measures the gas.
	GasLimit uint64
	// MaxFee, when set, caps the fee; by default 2 × base fee × gas + tip, room for the base fee
	// to rise while the tx waits.
	MaxFee coin.Amount
	Tip    coin.Amount
	Memo   string
}

// Build makes and signs a tx carrying msgs: the nonce from the account, the gas from a dry run.
func (c *Client) Build(ctx context.Context, s Signer, msgs []tx.Msg, o BuildOptions) ([]byte, error) {
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	acc, exists, err := c.PendingAccount(ctx, s.Address())
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, fmt.Errorf("account %s does not exist on chain %s: it must receive funds before it can send", s.Address(), chainID)
	}
	body := tx.Body{ChainID: chainID, Signer: s.Address(), Nonce: acc.Nonce, Memo: o.Memo}
	if o.Nonce != nil {
		body.Nonce = *o.Nonce
	}
	for _, m := range msgs {
		a, err := tx.Pack(m)
		if err != nil {
			return nil, err
		}
		body.Msgs = append(body.Msgs, a)
	}
	var pub []byte
	if acc.PubKey == nil {
		pub = s.PubKey() // the first tx binds the key to the account
	}
	info, err := c.Fees(ctx)
	if err != nil {
		return nil, err
	}
	gas := o.GasLimit
	if gas == 0 {
		// The gas of a tx is fixed by its msgs and its size. A first dry run with empty fee
		// fields gives it up to the size of the fee fields, which add at most feeFieldsBytes.
		probe := body
		probe.Fee = tx.Fee{}
		raw, err := tx.Sign(probe, pub, s.Sign)
		if err != nil {
			return nil, err
		}
		sim, err := c.Simulate(ctx, raw)
		if err != nil {
			return nil, err
		}
		if sim.GasUsed == 0 {
			return nil, resultError(sim.Codespace, sim.Code, sim.Log)
		}
		gas = sim.GasUsed + feeFieldsBytes*info.Params.PerByteGas
	}
	maxFee := o.MaxFee
	if maxFee == 0 {
		base, err := info.BaseFee.Mul(2 * gas)
		if err == nil {
			maxFee, err = base.Add(o.Tip)
		}
		if err != nil {
			return nil, fmt.Errorf("fee for %d gas: %w", gas, err)
		}
	}
	body.Fee = tx.Fee{GasLimit: gas, MaxFee: maxFee, Tip: o.Tip}
	raw, err := tx.Sign(body, pub, s.Sign)
	if err != nil {
		return nil, err
	}
	if o.GasLimit == 0 {
		// A second dry run of the final tx reports what would fail (funds, denom, fee) before
		// anything is paid.
		sim, err := c.Simulate(ctx, raw)
		if err != nil {
			return nil, err
		}
		if sim.Code != 0 {
			return nil, resultError(sim.Codespace, sim.Code, sim.Log)
		}
	}
	return raw, nil
}

// feeFieldsBytes bounds what non-empty fee fields add to a tx's encoding: the gas limit and the
// max fee grow from 1 to at most 9 bytes each, and a tip adds its key and up to 9 bytes.
const feeFieldsBytes = 8 + 8 + 10

// Result is a committed tx's outcome.
type Result struct {
	Hash      string        `json:"hash"`
	Height    int64         `json:"height"`
	Code      uint32        `json:"code"`
	Codespace string        `json:"codespace,omitempty"`
	Log       string        `json:"log,omitempty"`
	GasWanted int64         `json:"gas_wanted"`
	GasUsed   int64         `json:"gas_used"`
	Fee       coin.Amount   `json:"fee,string"`
	Burnt     coin.Amount   `json:"burnt,string"`
	Events    []chain.Event `json:"events"`
}

// Err is the chain's failure when Code is not 0.
func (r *Result) Err() error {
	if r.Code == 0 {
		return nil
	}
	return resultError(r.Codespace, r.Code, r.Log)
}

// Broadcast submits tx bytes and returns their hash once the node's mempool admitted them. A
// refusal comes back as a *codes.Error.
func (c *Client) Broadcast(ctx context.Context, txBytes []byte) (string, error) {
	r, err := c.rpc.BroadcastTxSync(ctx, txBytes)
	if err != nil {
		msg := err.Error()
		if strings.Contains(msg, "tx already exists in cache") {
			h := tx.Hash(txBytes)
			return hashHex(h[:]), nil
		}
		if e := RefusalOf(err); e != nil {
			return "", e
		}
		if strings.Contains(msg, "mempool is full") {
			return "", fmt.Errorf("the node's mempool is full, try again shortly: %w", err)
		}
		return "", unreachable(err)
	}
	if r.Code != 0 {
		return "", resultError(r.Codespace, r.Code, r.Log)
	}
	return hashHex(r.Hash), nil
}

// RefusalOf extracts the chain's refusal from a CometBFT v1 broadcast error, which reports a
// CheckTx failure as an RPC error carrying the result; nil when err is something else.
func RefusalOf(err error) *codes.Error {
	if err == nil {
		return nil
	}
	m := refusedRE.FindStringSubmatch(err.Error())
	if m == nil {
		return nil
	}
	code, _ := strconv.ParseUint(m[1], 10, 32)
	return resultError(m[3], uint32(code), m[2])
}

var refusedRE = regexp.MustCompile(`(?s)is invalid: code=(\d+), data=[0-9A-Fa-f]*, log='(.*)', codespace='([^']*)'`)

// ErrTimeout is returned when a tx did not commit in time.
var ErrTimeout = errors.New("tx not committed in time")

// WaitForTx polls until the tx with hash is in a committed block (or ctx ends).
func (c *Client) WaitForTx(ctx context.Context, hash string) (*Result, error) {
	h, err := HexHash(hash)
	if err != nil {
		return nil, err
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		r, err := c.rpc.Tx(ctx, h, false)
		if err == nil {
			return txResult(hashHex(h), r.Height, &r.TxResult), nil
		}
		if !strings.Contains(err.Error(), "not found") {
			return nil, unreachable(err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %s: %v", ErrTimeout, hash, ctx.Err())
		case <-tick.C:
		}
	}
}

func txResult(hash string, height int64, r *abci.ExecTxResult) *Result {
	out := &Result{Hash: hash, Height: height, Code: r.Code, Codespace: r.Codespace, Log: r.Log,
		GasWanted: r.GasWanted, GasUsed: r.GasUsed, Events: make([]chain.Event, 0, len(r.Events))}
	for _, e := range r.Events {
		ev := chain.Event{Type: e.Type}
		for _, a := range e.Attributes {
			ev.Attrs = append(ev.Attrs, chain.Attr{Key: a.Key, Value: a.Value, Index: a.Index})
			if e.Type == "fees.charged" {
				v, _ := strconv.ParseUint(a.Value, 10, 64)
				switch a.Key {
				case "total":
					out.Fee = coin.Amount(v)
				case "burnt":
					out.Burnt = coin.Amount(v)
				}
			}
		}
		out.Events = append(out.Events, ev)
	}
	return out
}

// Send builds, signs and broadcasts msgs, then waits for the block that commits them. A tx
// refused by the mempool returns its *codes.Error; a committed tx that failed returns its Result
// with Code set (the fee was paid).
//
// With the nonce left to Build, a refusal for the nonce (the mempool's view of it moved while
// the tx was built, as happens right at a block's commit) is retried with a fresh nonce.
func (c *Client) Send(ctx context.Context, s Signer, msgs []tx.Msg, o BuildOptions) (*Result, error) {
	for attempt := 0; ; attempt++ {
		raw, err := c.Build(ctx, s, msgs, o)
		if err != nil {
			return nil, err
		}
		hash, err := c.Broadcast(ctx, raw)
		var ce *codes.Error
		if err != nil && o.Nonce == nil && attempt < 3 && errors.As(err, &ce) && ce.Module == "auth" && (ce.Code == 3 || ce.Code == 4) {
			select {
			case <-ctx.Done():
				return nil, err
			case <-time.After(time.Duration(50*(attempt+1)) * time.Millisecond):
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		return c.WaitForTx(ctx, hash)
	}
}

// TxInfo is a committed tx with its decoded msgs.
type TxInfo struct {
	Result
	Signer address.Address   `json:"signer"`
	Nonce  uint64            `json:"nonce"`
	Limits tx.Fee            `json:"fee_limits"`
	Memo   string            `json:"memo,omitempty"`
	Msgs   []json.RawMessage `json:"msgs"`
}

// Tx looks up a committed tx by hash.
func (c *Client) Tx(ctx context.Context, hash string) (*TxInfo, error) {
	h, err := HexHash(hash)
	if err != nil {
		return nil, err
	}
	r, err := c.rpc.Tx(ctx, h, false)
	if err != nil {
		if strings.Contains(err.Error(), "not found") {
			return nil, fmt.Errorf("tx %s is in no committed block: %w", hash, errNotFound)
		}
		return nil, unreachable(err)
	}
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	info := &TxInfo{Result: *txResult(hashHex(h), r.Height, &r.TxResult)}
	d, err := tx.Decode(r.Tx, c.reg, chainID, len(r.Tx))
	if err != nil {
		return info, nil // committed but invalid (its result code says why)
	}
	b := d.Tx.Body
	info.Signer, info.Nonce, info.Limits, info.Memo = b.Signer, b.Nonce, b.Fee, b.Memo
	for _, m := range d.Msgs {
		j, err := json.Marshal(struct {
			Type  string `json:"type"`
			Value tx.Msg `json:"value"`
		}{m.MsgType(), m})
		if err != nil {
			return nil, err
		}
		info.Msgs = append(info.Msgs, j)
	}
	return info, nil
}

var errNotFound = errors.New("not found (it may be still pending, refused, or on another chain)")

// IsNotFound reports whether err says a tx or account was not found.
func IsNotFound(err error) bool { return errors.Is(err, errNotFound) || errors.Is(err, chainNotFound) }
