package passes_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"

	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain/chaintest"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/passes"
)

// fuzzMsgs are the seeds of FuzzDecodeMsg: a valid msg of each passes type.
func fuzzMsgs() []tx.Msg {
	return []tx.Msg{
		classMsg(),
		&passes.MsgCloseSale{Actor: operator, Class: 1},
		&passes.MsgBuy{Buyer: alice, Class: 1, Quantity: 3},
		&passes.MsgTransfer{From: alice, To: bob, Pass: 2},
		redeem(use(aliceK, 1, 1, at(0)), use(bobK, 2, 4, at(5))),
		&passes.MsgClaimRefund{Holder: alice, Pass: 1},
		&passes.MsgOpenService{Actor: ministry, Project: bridge, Opened: at(0)},
	}
}

// FuzzDecodeMsg feeds arbitrary bytes to the chain's msg decoder as each passes msg type (the
// first byte picks the type). Decoding never panics; a msg it accepts is the one canonical
// encoding of its value, and validating it never panics.
func FuzzDecodeMsg(f *testing.F) {
	protos := fuzzMsgs()
	reg := tx.NewRegistry()
	for _, m := range protos {
		reg.Register(m)
	}
	for i, m := range protos {
		b, err := canon.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		if err := m.Validate(); err != nil {
			f.Fatalf("seed %s: %v", m.MsgType(), err)
		}
		f.Add(append([]byte{byte(i)}, b...))
		f.Add(append([]byte{byte(i)}, b[:len(b)/2]...))
	}
	f.Add([]byte{4, 0xa0})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		typ := protos[int(in[0])%len(protos)].MsgType()
		m, err := reg.DecodeMsg(tx.Any{Type: typ, Value: in[1:]})
		if err != nil {
			return
		}
		again, err := canon.Marshal(m)
		if err != nil || !bytes.Equal(again, in[1:]) {
			t.Fatalf("accepted %s re-encodes differently: %x vs %x (%v)", typ, again, in[1:], err)
		}
		if err := m.Validate(); err != nil && !strings.HasPrefix(err.Error(), passes.ErrInvalidMsg.Desc) {
			t.Fatalf("%s refused with %v, not the module's invalid-msg code", typ, err)
		}
	})
}

// FuzzTicket decodes arbitrary bytes as a ticket and verifies it with a holder's key and a
// signature: nothing panics; a ticket verifies only with the holder's signature of exactly its
// sign bytes (any other ticket, key or signature fails).
func FuzzTicket(f *testing.F) {
	tk := passes.Ticket{ChainID: chaintest.ChainID, Pass: 7, Holder: alice, Seq: 3, Time: at(100)}
	b, _ := canon.Marshal(&tk)
	f.Add(b, passes.SignTicket(tk, aliceK.sign))
	f.Add(b, make([]byte, ed25519.SignatureSize))
	f.Add([]byte{0xa0}, []byte{1, 2})
	f.Fuzz(func(t *testing.T, in, sig []byte) {
		var got passes.Ticket
		if err := canon.Unmarshal(in, &got); err != nil {
			return
		}
		ok := passes.VerifyTicket(aliceK.pub, got, sig)
		own := passes.SignTicket(got, aliceK.sign)
		if ok && !bytes.Equal(sig, own) { // ed25519 signatures are deterministic
			t.Fatalf("a signature that is not the holder's verifies: %x", sig)
		}
		if want := got.Holder == alice; passes.VerifyTicket(aliceK.pub, got, own) != want {
			t.Fatalf("the holder's own signature verifies %v for holder %s", !want, got.Holder)
		}
		if passes.VerifyTicket(bobK.pub, got, own) {
			t.Fatal("alice's signature verifies with bob's key")
		}
		if got.Holder == alice {
			changed := got
			changed.Seq++
			if passes.VerifyTicket(aliceK.pub, changed, own) {
				t.Fatal("the signature of one ticket verifies another")
			}
		}
	})
}

// FuzzGenesis loads arbitrary JSON as passes' genesis over the rich state's chain: it never
// panics, and a genesis it accepts satisfies every invariant and exports as what re-imports to
// the same export.
func FuzzGenesis(f *testing.F) {
	e, _, _, _, _ := rich(f)
	_, raw := exportOf(f, e)
	escrowed := e.bal(escrow)
	when := e.ctx.Time
	f.Add(raw)
	b, _ := json.Marshal(passes.DefaultGenesis())
	f.Add(b)
	f.Add([]byte(`{"classes":[{"id":1}],"class_sequence":1}`))
	f.Add([]byte(`{"passes":null,"pass_sequence":18446744073709551615}`))
	// One chain with the escrow funded; each run loads into a branch of it.
	base := newEnv(f)
	base.ctx.Time = when
	if err := base.bank.Send(base.ctx, alice, escrow, coin.New(cash, escrowed)); err != nil {
		f.Fatal(err)
	}
	load := func(t *testing.T, in []byte) (*env, error) {
		x := *base
		x.t = t
		x.ctx = base.ctx.WithKV(store.NewCache(base.ctx.KV()))
		return &x, x.m.InitGenesis(x.ctx, in)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		x, err := load(t, in)
		if err != nil {
			return
		}
		for _, m := range x.mods {
			if err := chaintest.All(m).Check(x.ctx); err != nil {
				t.Fatalf("accepted genesis breaks an invariant: %v\n%s", err, in)
			}
		}
		out, err := x.m.ExportGenesis(x.ctx)
		if err != nil {
			t.Fatal(err)
		}
		y, err := load(t, out)
		if err != nil {
			t.Fatalf("exported genesis refused: %v\n%s", err, out)
		}
		again, _ := y.m.ExportGenesis(y.ctx)
		if !bytes.Equal(out, again) {
			t.Fatalf("round trip differs:\n%s\n%s", out, again)
		}
	})
}

// FuzzQuery sends arbitrary paths and data to the module's queries over the rich state: nothing
// panics, a refusal carries the query or passes code space, every answer marshals as JSON.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{
		"classes/" + bridge + "|", "class/1|", "class-passes/1|limit=2&after=1", "class-passes/1|status=expired", "pass/2|",
		"holder/" + alice.String() + "|", "holder/" + bob.String() + "|limit=1&status=active", "revenue/" + bridge + "|",
		"service/" + bridge + "|", "pass/0|", "class/18446744073709551615|", "holder/x|", "classes/X|", "|", "pass/1|limit=99999",
		"holder/" + bob.String() + "|after=18446744073709551615",
	} {
		f.Add(s)
	}
	e, _, _, _, _ := rich(f)
	f.Fuzz(func(t *testing.T, in string) {
		path, data, _ := strings.Cut(in, "|")
		v, q, limit := chaintest.FuzzQuery(t, e.m, e.ctx, passes.ModuleName, path, data)
		if l, ok := v.(passes.PassList); ok && len(l.Passes) > limit {
			t.Fatalf("%d passes on a page of %d", len(l.Passes), limit)
		}
		if l, ok := v.(passes.PassList); ok && q.Get("status") != "" {
			for _, p := range l.Passes {
				if p.Status != q.Get("status") {
					t.Fatalf("status filter %q answered a %s pass", q.Get("status"), p.Status)
				}
			}
		}
	})
}
