package app

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
)

// ReplayRequest asks what a committed tx changed: the txs of block Height up to and including
// that tx (in block order), re-run over the state committed at Height-1 with the block's time.
// The query carries Height-1 as its height (the state it reads).
type ReplayRequest struct {
	Height int64    `json:"height"`
	Time   int64    `json:"time"` // the block's time, unix nanoseconds
	Txs    [][]byte `json:"txs"`
}

// MaxReplayTxs bounds a replay (the txs of one block before the one asked about, and it): a
// replay holds the node's query lock (shared with CheckTx and Commit) for about 1.5 times the
// time the block took per tx re-run (docs/performance.md), ≈ 0.2 s for 1,000 transfers.
const MaxReplayTxs = 1_000

// Replay re-runs a block's txs over the state before it (view, committed at req.Height-1) and
// returns the last tx's outcome and writes, exactly as the block ran them: same height, time,
// fee params, nonces, preceding txs and signature checks (a proposer may include a tx whose
// signature fails: the block refused it, so must the replay). A planned upgrade at the height
// runs first, as in FinalizeBlock. Nothing is kept. The result equals the committed one
// (TestReplayMatchesBlock).
func (a *App) Replay(view store.Reader, req ReplayRequest) (SimulateResult, *codes.Error) {
	switch {
	case req.Height < 2:
		return SimulateResult{}, chain.ErrBadQuery.Wrapf("block %d ran over the genesis state, which is not kept as a version: its txs cannot be replayed", req.Height)
	case len(req.Txs) == 0:
		return SimulateResult{}, chain.ErrBadQuery.Wrapf("replay needs the block's txs up to the one asked about")
	case len(req.Txs) > MaxReplayTxs:
		return SimulateResult{}, chain.ErrBadQuery.Wrapf("replay of %d txs: at most %d", len(req.Txs), MaxReplayTxs)
	}
	kv := store.NewCache(store.NewReadCache(view))
	ctx := chain.NewContext(kv, req.Height, time.Unix(0, req.Time).UTC(), a.chainID, chain.ModeDeliver)
	if p, ok := a.Governance.UpgradeNeeded(ctx, req.Height); ok {
		fn, known := a.upgrades.handlers[p.Name]
		if !known {
			return SimulateResult{}, chain.ErrBadQuery.Wrapf("block %d applied upgrade %q, which this binary does not know: it cannot replay the block", req.Height, p.Name)
		}
		if err := a.runUpgrade(ctx.WithKV(kv), p, fn); err != nil {
			return SimulateResult{}, codes.Internal.Wrapf("replay: %v", err)
		}
	}
	params := a.Fees.Params(ctx)
	last := len(req.Txs) - 1
	for _, raw := range req.Txs[:last] {
		if d, err := tx.Decode(raw, a.reg, a.chainID, MaxTxBytes); err == nil {
			a.runTx(ctx, params, d, nil, false)
		}
	}
	d, err := tx.Decode(req.Txs[last], a.reg, a.chainID, MaxTxBytes)
	if err != nil {
		return refused(codes.As(err)), nil
	}
	branch := store.NewCache(kv)
	out := a.runTx(ctx.WithKV(branch), params, d, nil, false)
	r := a.result(out, branch)
	if !out.Charged {
		r.GasUsed = 0 // as the block recorded it: no fee, no gas
	}
	return r, nil
}

// refused is the result of a tx that does not decode: no gas, no events, no writes.
func refused(e *codes.Error) SimulateResult {
	return SimulateResult{Code: e.Code, Codespace: e.Module, Log: e.Msg, Events: []chain.Event{}, Changes: []StateChange{}}
}

// result is a run's outcome with the writes of its branch.
func (a *App) result(out Outcome, kv *store.Cache) SimulateResult {
	r := SimulateResult{GasUsed: out.Gas, Events: out.Events, Changes: []StateChange{}}
	if r.Events == nil {
		r.Events = []chain.Event{}
	}
	if out.Charged {
		r.Fee, _ = json.Marshal(out.Charge)
	}
	if out.Err != nil {
		r.Code, r.Codespace, r.Log = out.Err.Code, out.Err.Module, out.Err.Msg
	}
	for _, c := range kv.Changes() {
		r.Changes = append(r.Changes, a.describeChange(c))
	}
	return r
}

// ownedLayout is a module's (or the app's) state layout with the owner's name.
type ownedLayout struct {
	owner  string
	layout chain.StateLayout
}

// metaLayout is the app's own records.
var metaLayout = chain.StateLayout{Prefix: metaPrefix[0], Kinds: []chain.StateKind{
	{Prefix: keyChainID, Name: "chain id (raw text)"},
	{Prefix: keyBlockTime, Name: "last block time (unix ns)", New: func() any { return new(int64) }},
}}

// layoutsOf indexes the layouts of the modules that describe theirs, and the app's, by prefix byte.
func layoutsOf(modules []chain.Module) map[byte]ownedLayout {
	out := map[byte]ownedLayout{metaPrefix[0]: {owner: "app", layout: metaLayout}}
	for _, m := range modules {
		if d, ok := m.(chain.LayoutDescriber); ok {
			l := d.StateLayout()
			out[l.Prefix] = ownedLayout{owner: m.Name(), layout: l}
		}
	}
	return out
}

// describeChange is a write as the API shows it: the raw key and value in hex, the module that
// owns the key and the kind of record it is, the key's bytes with printable runs as text, and
// the value decoded: as its record type (field names) when the owner's layout knows the key,
// else (a key no layout knows) as generic CBOR.
func (a *App) describeChange(c store.Change) StateChange {
	sc := StateChange{Key: hex.EncodeToString(c.Key), Deleted: c.Deleted}
	var kind chain.StateKind
	var known bool
	if len(c.Key) > 0 {
		sc.KeyText = keyText(c.Key[1:])
		if o, ok := a.layouts[c.Key[0]]; ok {
			sc.Module = o.owner
			if kind, known = o.layout.Kind(c.Key[1:]); known {
				sc.Record = kind.Name
			}
		}
	}
	if c.Deleted {
		return sc
	}
	sc.Value = hex.EncodeToString(c.Value)
	if known {
		if kind.New != nil { // (nil: an index entry, shown as raw bytes)
			sc.Decoded, _ = typedJSON(c.Value, kind.New())
		}
		return sc
	}
	if v, err := canon.DecodeAny(c.Value); err == nil {
		if j, ok := plainJSON(v); ok {
			sc.Decoded, _ = json.Marshal(j)
		}
	}
	return sc
}

// typedJSON decodes a record into its type and shows it as that type's JSON, with every number
// as a decimal string (exact in any reader).
func typedJSON(raw []byte, v any) (json.RawMessage, bool) {
	if canon.Decode(raw, v) != nil {
		return nil, false
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var generic any
	if dec.Decode(&generic) != nil {
		return nil, false
	}
	out, err := json.Marshal(numbersAsText(generic))
	return out, err == nil
}

// numbersAsText turns every JSON number in v into its decimal text.
func numbersAsText(v any) any {
	switch t := v.(type) {
	case json.Number:
		return t.String()
	case []any:
		for i := range t {
			t[i] = numbersAsText(t[i])
		}
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys) // (the result does not depend on the order; app/ walks maps sorted)
		for _, k := range keys {
			t[k] = numbersAsText(t[k])
		}
	}
	return v
}

// keyText renders key bytes readably: printable ASCII as is (a backslash doubled), any other
// byte as \xNN.
func keyText(k []byte) string {
	var b strings.Builder
	for _, c := range k {
		switch {
		case c == '\\':
			b.WriteString(`\\`)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		default:
			b.WriteString(`\x`)
			b.WriteString(hex.EncodeToString([]byte{c}))
		}
	}
	return b.String()
}

// plainJSON turns a generically decoded CBOR value into JSON-safe values: integers as decimal
// strings (exact in any reader), byte strings as hex, maps with sorted keys. Other kinds (a
// float, which state never holds) make the value undecodable.
func plainJSON(v any) (any, bool) {
	switch t := v.(type) {
	case nil, bool, string:
		return t, true
	case uint64:
		return strconv.FormatUint(t, 10), true
	case int64:
		return strconv.FormatInt(t, 10), true
	case []byte:
		return "0x" + hex.EncodeToString(t), true
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			j, ok := plainJSON(e)
			if !ok {
				return nil, false
			}
			out[i] = j
		}
		return out, true
	case map[any]any:
		// Keys as text: a text key as is, an integer key (a record's field number) in decimal.
		keys := make([]string, 0, len(t))
		byText := make(map[string]any, len(t))
		for k, v := range t {
			var ks string
			switch kt := k.(type) {
			case string:
				ks = kt
			case uint64:
				ks = strconv.FormatUint(kt, 10)
			case int64:
				ks = strconv.FormatInt(kt, 10)
			default:
				return nil, false
			}
			if _, dup := byText[ks]; dup {
				return nil, false
			}
			keys = append(keys, ks)
			byText[ks] = v
		}
		sort.Strings(keys)
		out := make(map[string]any, len(t))
		for _, k := range keys {
			j, ok := plainJSON(byText[k])
			if !ok {
				return nil, false
			}
			out[k] = j
		}
		return out, true
	}
	return nil, false
}
