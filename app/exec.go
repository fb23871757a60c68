package app

import (
	"errors"
	"fmt"
	"sort"

	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/fees"
)

// Outcome is the result of running one tx.
type Outcome struct {
	Err     *codes.Error // nil on success
	Gas     uint64
	Charge  fees.Charge
	Events  []chain.Event
	Charged bool // the fee was taken and the nonce bumped (also when the msgs failed)
}

// decode parses raw, using the CheckTx cache when the tx was seen before.
func (a *App) decode(raw []byte) (*tx.Decoded, []byte, error) {
	if v, ok := a.seen.get(tx.Hash(raw)); ok {
		return v.d, v.key, nil
	}
	d, err := tx.Decode(raw, a.reg, a.chainID, MaxTxBytes)
	return d, nil, err
}

// runTx runs a decoded tx over kv: authenticate and charge the fee in one branch (kept unless
// the tx is invalid), then all its msgs in another (kept only if every msg succeeds).
func (a *App) runTx(ctx chain.Context, p fees.Params, d *tx.Decoded, verifiedKey []byte, skipSig bool) Outcome {
	gas, ok := p.Gas(len(d.Bytes), d.Msgs)
	if !ok {
		return Outcome{Err: fees.ErrGasOverflow}
	}
	out := Outcome{Gas: gas}
	anteKV := store.NewCache(ctx.KV())
	actx := ctx.WithKV(anteKV)
	if err := a.Auth.Authenticate(actx, d, verifiedKey, skipSig); err != nil {
		out.Err = codes.As(err)
		return out
	}
	charge, err := a.Fees.Check(actx, p, d.Tx.Body.Signer, d.Tx.Body.Fee, gas)
	if err == nil {
		err = a.Fees.Collect(actx, p, d.Tx.Body.Signer, charge)
	}
	if err != nil {
		out.Err = codes.As(err)
		return out
	}
	anteKV.Write()
	out.Charged, out.Charge = true, charge
	out.Events = actx.Events()
	if ctx.Mode == chain.ModeCheck {
		return out // the mempool does not run msgs
	}
	msgKV := store.NewCache(ctx.KV())
	mctx := ctx.WithKV(msgKV)
	if err := a.runMsgs(mctx, d); err != nil {
		out.Err = err
		out.Events = append(out.Events, mctx.Kept()...)
	} else {
		msgKV.Write()
		out.Events = append(out.Events, mctx.Events()...)
	}
	out.Events = append(out.Events, accountsEvent(d.Tx.Body.Signer.String(), out.Events))
	return out
}

// accountKeys are the event attributes that name an account.
var accountKeys = map[string]bool{"from": true, "to": true, "payer": true, "address": true, "signer": true,
	"account": true, "provider": true, "issuer": true, "by": true}

// accountsEvent names, once each and in order, every account the tx's events mention (and its
// signer), so that "txs of an account" is one indexed search: account.address='gir1…'.
func accountsEvent(signer string, evs []chain.Event) chain.Event {
	seen := map[string]bool{signer: true}
	list := []string{signer}
	for _, e := range evs {
		for _, a := range e.Attrs {
			if accountKeys[a.Key] && !seen[a.Value] {
				seen[a.Value] = true
				list = append(list, a.Value)
			}
		}
	}
	sort.Strings(list[1:])
	ev := chain.Event{Type: "account"}
	for _, addr := range list {
		ev.Attrs = append(ev.Attrs, chain.Attr{Key: "address", Value: addr, Index: true})
	}
	return ev
}

// route runs one msg with its type's handler, as a tx's msg runs: governance executes passed
// proposals' msgs through it. A handler's panic fails the msg (as in runMsgs) unless the
// storage failed.
func (a *App) route(ctx chain.Context, m tx.Msg) (err error) {
	defer func() {
		if r := recover(); r != nil {
			var f store.Failure
			if e, ok := r.(error); ok && errors.As(e, &f) {
				panic(r)
			}
			err = codes.Internal.Wrapf("msg handler panicked: %v", r)
			a.logger.Error("msg handler panicked in a proposal's execution", "msg", m.MsgType(), "panic", fmt.Sprint(r))
		}
	}()
	h, ok := a.routes[m.MsgType()]
	if !ok {
		return codes.Internal.Wrapf("no route for msg type %s", m.MsgType())
	}
	return h(ctx, m)
}

func (a *App) runMsgs(ctx chain.Context, d *tx.Decoded) (cerr *codes.Error) {
	defer func() {
		if r := recover(); r != nil {
			var f store.Failure
			if e, ok := r.(error); ok && errors.As(e, &f) {
				panic(r) // the node is broken: stop, do not record a result
			}
			// A handler bug: deterministic on every node, so it fails the tx, not the chain.
			cerr = codes.Internal.Wrapf("msg handler panicked: %v", r)
			a.logger.Error("msg handler panicked", "tx", d.HashHex(), "panic", fmt.Sprint(r))
		}
	}()
	for i, m := range d.Msgs {
		h := a.routes[m.MsgType()]
		if err := h(ctx, m); err != nil {
			c := *codes.As(err)
			c.Msg = fmt.Sprintf("msg %d (%s): %s", i, m.MsgType(), c.Msg)
			return &c
		}
	}
	return nil
}
