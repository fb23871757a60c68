package app

import (
	"bytes"
	"crypto/ed25519"
	"testing"

	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/fees"
)

// negSend is MsgSend's shape with a signed amount, to put a negative number on the wire.
type negSend struct {
	From   []byte `cbor:"1,keyasint"`
	To     []byte `cbor:"2,keyasint"`
	Amount struct {
		Denom  string `cbor:"1,keyasint"`
		Amount int64  `cbor:"2,keyasint"`
	} `cbor:"3,keyasint"`
}

// rawMsgTx signs a tx whose single msg is given as raw wire bytes.
func rawMsgTx(t testing.TB, from account, typ string, value []byte) []byte {
	body := tx.Body{ChainID: testChain, Signer: from.addr, Fee: goodFee, Msgs: []tx.Any{{Type: typ, Value: value}}}
	raw, err := tx.Sign(body, from.pub, func(b []byte) []byte { return ed25519.Sign(from.priv, b) })
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestInvalidTxsChangeNothing: each invalid tx is refused by CheckTx with a stable code, leaves
// the mempool state as it was, and, if a block carries it anyway, fails with the same code and
// writes nothing: the app hash equals that of an empty block.
func TestInvalidTxsChangeNothing(t *testing.T) {
	alice, bob := testAccount("acc0"), testAccount("acc1")
	mallory := testAccount("mallory") // not funded
	cases := []struct {
		name       string
		setup      func(h *harness) // run on both the tested and the control chain
		raw        func(t testing.TB) []byte
		module     string
		code       uint32
		undecoding bool // ProcessProposal must reject a block carrying it
	}{
		{name: "malformed CBOR", raw: func(testing.TB) []byte { return []byte{0xa2, 0x01, 0xff} }, module: "tx", code: 3, undecoding: true},
		{name: "trailing bytes", raw: func(t testing.TB) []byte { return append(send(t, alice, bob, 5, 0), 0x00) }, module: "tx", code: 3, undecoding: true},
		{name: "oversize tx", raw: func(testing.TB) []byte { return bytes.Repeat([]byte{0x01}, MaxTxBytes+1) }, module: "tx", code: 2, undecoding: true},
		{name: "unknown msg type", raw: func(t testing.TB) []byte { return rawMsgTx(t, alice, "bank/steal", []byte{0xa0}) }, module: "tx", code: 5, undecoding: true},
		{name: "negative amount", raw: func(t testing.TB) []byte {
			m := negSend{From: alice.addr.Bytes(), To: bob.addr.Bytes()}
			m.Amount.Denom, m.Amount.Amount = "ugrd", -5
			return rawMsgTx(t, alice, "bank/send", canon.MustMarshal(&m))
		}, module: "tx", code: 3, undecoding: true},
		{name: "address of 19 bytes", raw: func(t testing.TB) []byte {
			m := negSend{From: alice.addr.Bytes(), To: bob.addr.Bytes()[:19]}
			m.Amount.Denom, m.Amount.Amount = "ugrd", 5
			return rawMsgTx(t, alice, "bank/send", canon.MustMarshal(&m))
		}, module: "tx", code: 3, undecoding: true},
		{name: "zero amount", raw: func(t testing.TB) []byte { return send(t, alice, bob, 0, 0) }, module: "tx", code: 6, undecoding: true},
		{name: "send to self", raw: func(t testing.TB) []byte { return send(t, alice, alice, 5, 0) }, module: "tx", code: 6, undecoding: true},
		{name: "wrong chain id", raw: func(t testing.TB) []byte {
			return signTx(t, alice, "other-chain", 0, goodFee, true, &bank.MsgSend{From: alice.addr, To: bob.addr, Amount: coin.New("ugrd", 5)})
		}, module: "tx", code: 10, undecoding: true},
		{name: "bad signature", raw: func(t testing.TB) []byte {
			raw := send(t, alice, bob, 5, 0)
			d, err := tx.Decode(raw, NewRegistry(), testChain, MaxTxBytes)
			if err != nil {
				t.Fatal(err)
			}
			d.Tx.Signatures[0].Sig[3] ^= 0x40
			return resign(t, d)
		}, module: "auth", code: 5},
		{name: "signature by another key", raw: func(t testing.TB) []byte {
			body := tx.Body{ChainID: testChain, Signer: alice.addr, Fee: goodFee}
			a, _ := tx.Pack(&bank.MsgSend{From: alice.addr, To: bob.addr, Amount: coin.New("ugrd", 5)})
			body.Msgs = []tx.Any{a}
			raw, _ := tx.Sign(body, alice.pub, func(b []byte) []byte { return ed25519.Sign(bob.priv, b) })
			return raw
		}, module: "auth", code: 5},
		{name: "another key claimed as the signer's", raw: func(t testing.TB) []byte {
			body := tx.Body{ChainID: testChain, Signer: alice.addr, Fee: goodFee}
			a, _ := tx.Pack(&bank.MsgSend{From: alice.addr, To: bob.addr, Amount: coin.New("ugrd", 5)})
			body.Msgs = []tx.Any{a}
			raw, _ := tx.Sign(body, bob.pub, func(b []byte) []byte { return ed25519.Sign(bob.priv, b) })
			return raw
		}, module: "auth", code: 6},
		{name: "first tx without public key", raw: func(t testing.TB) []byte {
			return signTx(t, alice, testChain, 0, goodFee, false, &bank.MsgSend{From: alice.addr, To: bob.addr, Amount: coin.New("ugrd", 5)})
		}, module: "auth", code: 7},
		{name: "unknown signer account", raw: func(t testing.TB) []byte { return send(t, mallory, bob, 5, 0) }, module: "auth", code: 2},
		{name: "replayed nonce", setup: func(h *harness) { h.block(send(h.t, alice, bob, 5, 0)) },
			raw: func(t testing.TB) []byte { return send(t, alice, bob, 6, 0) }, module: "auth", code: 3},
		{name: "replayed tx bytes", setup: func(h *harness) { h.block(send(h.t, alice, bob, 5, 0)) },
			raw: func(t testing.TB) []byte { return send(t, alice, bob, 5, 0) }, module: "auth", code: 3},
		{name: "skipped nonce", raw: func(t testing.TB) []byte { return send(t, alice, bob, 5, 3) }, module: "auth", code: 4},
		{name: "fee below base fee", raw: func(t testing.TB) []byte {
			return signTx(t, alice, testChain, 0, tx.Fee{GasLimit: 100_000, MaxFee: 100}, true, &bank.MsgSend{From: alice.addr, To: bob.addr, Amount: coin.New("ugrd", 5)})
		}, module: "fees", code: 2},
		{name: "gas limit below use", raw: func(t testing.TB) []byte {
			return signTx(t, alice, testChain, 0, tx.Fee{GasLimit: 100, MaxFee: 100_000_000}, true, &bank.MsgSend{From: alice.addr, To: bob.addr, Amount: coin.New("ugrd", 5)})
		}, module: "fees", code: 4},
		{name: "balance below max fee", raw: func(t testing.TB) []byte {
			return signTx(t, alice, testChain, 0, tx.Fee{GasLimit: 100_000, MaxFee: startFunds + 1}, true, &bank.MsgSend{From: alice.addr, To: bob.addr, Amount: coin.New("ugrd", 5)})
		}, module: "fees", code: 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, store.OpenMemory(), 3, fees.DefaultParams())
			ctl := newHarness(t, store.OpenMemory(), 3, fees.DefaultParams())
			if c.setup != nil {
				c.setup(h)
				c.setup(ctl)
			}
			raw := c.raw(t)
			pending := h.app.check.cache.Len()
			r := h.checkTx(raw)
			if r.Codespace != c.module || r.Code != c.code {
				t.Fatalf("CheckTx = %s/%d %q, want %s/%d", r.Codespace, r.Code, r.Log, c.module, c.code)
			}
			if r.Log == "" {
				t.Fatal("no message for a person")
			}
			if h.app.check.cache.Len() != pending {
				t.Fatal("a refused tx changed the mempool state")
			}
			if accepted := h.proposal([][]byte{raw}); accepted == c.undecoding {
				t.Fatalf("ProcessProposal accepted=%v, want %v", accepted, !c.undecoding)
			}
			res := h.finalize([][]byte{raw})
			empty := ctl.finalize(nil)
			if got := res.TxResults[0]; got.Codespace != c.module || got.Code != c.code || got.GasUsed != 0 {
				t.Fatalf("FinalizeBlock result = %s/%d gas %d %q, want %s/%d, no gas", got.Codespace, got.Code, got.GasUsed, got.Log, c.module, c.code)
			}
			if !bytes.Equal(res.AppHash, empty.AppHash) {
				t.Fatal("the invalid tx changed state: app hash differs from an empty block's")
			}
			h.checkChain()
		})
	}
}

// resign re-encodes a decoded tx with its (possibly altered) signature.
func resign(t testing.TB, d *tx.Decoded) []byte {
	sig := d.Tx.Signatures[0]
	raw, err := tx.Sign(d.Tx.Body, sig.PubKey, func([]byte) []byte { return sig.Sig })
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestFailedExecutionKeepsFeeAndNonceOnly: a tx whose msgs fail pays its fee and uses its nonce,
// and nothing else happens — including the msgs before the failing one.
func TestFailedExecutionKeepsFeeAndNonceOnly(t *testing.T) {
	alice, bob, carol := testAccount("acc0"), testAccount("acc1"), testAccount("acc2")
	cases := []struct {
		name   string
		msgs   []tx.Msg
		module string
		code   uint32
	}{
		{"insufficient funds", []tx.Msg{&bank.MsgSend{From: alice.addr, To: bob.addr, Amount: coin.New("ugrd", startFunds)}}, "bank", 2},
		{"maximal amount", []tx.Msg{&bank.MsgSend{From: alice.addr, To: bob.addr, Amount: coin.New("ugrd", coin.MaxAmount)}}, "bank", 2},
		{"unknown denom", []tx.Msg{&bank.MsgSend{From: alice.addr, To: bob.addr, Amount: coin.New("uxyz", 5)}}, "bank", 3},
		{"to the fee pool", []tx.Msg{&bank.MsgSend{From: alice.addr, To: fees.PoolAddress, Amount: coin.New("ugrd", 5)}}, "bank", 5},
		{"second of two msgs fails", []tx.Msg{
			&bank.MsgSend{From: alice.addr, To: carol.addr, Amount: coin.New("ugrd", 7)},
			&bank.MsgSend{From: alice.addr, To: bob.addr, Amount: coin.New("ugrd", startFunds)},
		}, "bank", 2},
		{"multi-send outputs overflow together", []tx.Msg{&bank.MsgMultiSend{From: alice.addr, Outputs: []bank.Output{
			{To: bob.addr, Amount: coin.New("ugrd", coin.MaxAmount/2+1)}, {To: carol.addr, Amount: coin.New("ugrd", coin.MaxAmount/2+1)},
		}}}, "bank", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, store.OpenMemory(), 3, fees.DefaultParams())
			h.block()
			raw := signTx(t, alice, testChain, 0, goodFee, true, c.msgs...)
			if r := h.checkTx(raw); r.Code != 0 {
				t.Fatalf("CheckTx refused a tx that can pay its fee: %s", r.Log)
			}
			res := h.block(raw)
			r := res.TxResults[0]
			if r.Codespace != c.module || r.Code != c.code {
				t.Fatalf("result %s/%d %q, want %s/%d", r.Codespace, r.Code, r.Log, c.module, c.code)
			}
			if r.GasUsed == 0 {
				t.Fatal("failed execution reported no gas used")
			}
			fee := h.app.Fees.Totals(h.ctx())
			paid := fee.Burnt + fee.Pooled
			if paid == 0 || h.balance(alice) != startFunds-paid {
				t.Fatalf("alice has %d, want %d − fee %d", h.balance(alice), startFunds, paid)
			}
			if h.balance(bob) != startFunds || h.balance(carol) != startFunds {
				t.Fatal("a failed tx moved funds")
			}
			if h.nonce(alice) != 1 {
				t.Fatalf("nonce %d after a failed tx, want 1", h.nonce(alice))
			}
			h.checkChain()
		})
	}
}
