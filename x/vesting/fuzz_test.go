package vesting_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/chain/chaintest"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/vesting"
)

// fuzzMsgs are the seeds of FuzzDecodeMsg: valid msgs of each vesting type.
func fuzzMsgs() []tx.Msg {
	return []tx.Msg{
		&vesting.MsgGrant{Grantor: treasury, Grantee: alice, Amount: coin.New(native, 1_000_000), Schedule: linear(at(0), at(year), at(4*year)), Clawback: true, Memo: "team"},
		&vesting.MsgClawback{Grantor: treasury, Grant: 7, Reason: "left before the cliff"},
		&vesting.MsgGrant{Grantor: treasury, Grantee: bob, Amount: coin.New(cash, 300), Schedule: vesting.Schedule{Kind: vesting.KindPeriodic, Start: at(0),
			Periods: []vesting.Period{{Time: at(100), Amount: 100}, {Time: at(200), Amount: 200}}}},
	}
}

// FuzzDecodeMsg feeds arbitrary bytes to the chain's msg decoder as each vesting msg type (the
// first byte picks the type). Decoding never panics; a msg it accepts is the one canonical
// encoding of its value, and validating it never panics.
func FuzzDecodeMsg(f *testing.F) {
	protos := fuzzMsgs()
	reg := tx.NewRegistry()
	reg.Register(protos[0])
	reg.Register(protos[1])
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
	f.Add([]byte{0, 0xa0})
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
		if err := m.Validate(); err == nil {
			if g, ok := m.(*vesting.MsgGrant); ok {
				// A valid schedule vests monotonically, never more than the total.
				var prev coin.Amount
				gr := vesting.Grant{Amount: g.Amount, Schedule: g.Schedule}
				for _, s := range []int64{g.Schedule.Start - 1, g.Schedule.Start, g.Schedule.Cliff, (g.Schedule.Start + g.Schedule.EndTime()) / 2, g.Schedule.EndTime() - 1, g.Schedule.EndTime()} {
					v := gr.Vested(s)
					if v < prev && s >= g.Schedule.Start || v > g.Amount.Amount {
						t.Fatalf("vested %d at %d after %d of %s", v, s, prev, g.Amount)
					}
					if s >= g.Schedule.Start {
						prev = v
					}
				}
				if gr.Vested(g.Schedule.EndTime()) != g.Amount.Amount {
					t.Fatalf("not all vested at the end")
				}
			}
		}
	})
}

// fuzzChain is a fresh state with ugrd and ueur balances for alice and bob.
func fuzzChain(t testing.TB) (chain.Context, *vesting.Module) {
	ctx := chain.NewContext(store.NewCache(store.OpenMemory()), 5, start, chaintest.ChainID, chain.ModeDeliver)
	bk := bank.NewKeeper(noAccounts{}, nil)
	if err := bank.NewModule(bk).InitGenesis(ctx, chaintest.GenesisJSON(t, bank.Genesis{Units: []coin.Unit{chaintest.GRD, {Base: cash, Display: "EUR", Exponent: 2}},
		Balances: []bank.Balance{{Address: alice, Coins: []coin.Coin{coin.New(cash, 1000), coin.New(native, 1000)}}, {Address: bob, Coins: []coin.Coin{coin.New(native, 500)}}}})); err != nil {
		t.Fatal(err)
	}
	return ctx, vesting.NewModule(vesting.NewKeeper(bk, nil))
}

// FuzzGenesis loads arbitrary JSON as vesting's genesis: it never panics, and a genesis it
// accepts satisfies every invariant and exports as what re-imports to the same export.
func FuzzGenesis(f *testing.F) {
	seed := vesting.Genesis{Sequence: 4, Grants: []vesting.Grant{
		{ID: 1, Grantor: treasury, Grantee: alice, Amount: coin.New(native, 600), Schedule: linear(at(0), at(10), at(1000)), Status: vesting.StatusVesting},
		{ID: 2, Grantor: treasury, Grantee: alice, Amount: coin.New(cash, 300), Clawback: true, Status: vesting.StatusClawedBack, ClawedBack: 200, ClawedAt: at(150), Reason: "r",
			Schedule: vesting.Schedule{Kind: vesting.KindPeriodic, Start: at(0), Periods: []vesting.Period{{Time: at(100), Amount: 100}, {Time: at(200), Amount: 200}}}},
		{ID: 4, Grantor: treasury, Grantee: bob, Amount: coin.New(native, 900), Schedule: linear(at(-100), 0, at(-1)), Status: vesting.StatusVested},
	}}
	b, _ := json.Marshal(seed)
	if ctx, m := fuzzChain(f); m.InitGenesis(ctx, b) != nil {
		f.Fatalf("seed genesis refused: %v", m.InitGenesis(ctx, b))
	}
	f.Add(b)
	b, _ = json.Marshal(vesting.DefaultGenesis())
	f.Add(b)
	f.Add([]byte(`{"grants":[{"id":1}],"grant_sequence":1}`))
	f.Add([]byte(`{"grants":null,"grant_sequence":18446744073709551615}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		ctx, m := fuzzChain(t)
		if err := m.InitGenesis(ctx, in); err != nil {
			return
		}
		if err := chaintest.All(m).Check(ctx); err != nil {
			t.Fatalf("accepted genesis breaks an invariant: %v\n%s", err, in)
		}
		out, err := m.ExportGenesis(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ctx2, m2 := fuzzChain(t)
		if err := m2.InitGenesis(ctx2, out); err != nil {
			t.Fatalf("exported genesis refused: %v\n%s", err, out)
		}
		again, _ := m2.ExportGenesis(ctx2)
		if !bytes.Equal(out, again) {
			t.Fatalf("round trip differs:\n%s\n%s", out, again)
		}
	})
}

// FuzzQuery sends arbitrary paths and data to the module's queries over a state with grants:
// nothing panics, and every answer marshals as JSON.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{
		"account/" + alice.String() + "|", "account/" + alice.String() + "|limit=1&after=1", "grant/1|", "grant/0|",
		"locked/" + alice.String() + "/ugrd|", "locked/" + bob.String() + "/ibc/ABC|", "account/x|limit=99999", "|", "grant/18446744073709551615|",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ctx, m := fuzzChain(t)
		e := vesting.Genesis{Sequence: 1, Grants: []vesting.Grant{{ID: 1, Grantor: treasury, Grantee: alice, Amount: coin.New(native, 600), Schedule: linear(at(0), at(10), at(1000)), Status: vesting.StatusVesting}}}
		if err := m.InitGenesis(ctx, chaintest.GenesisJSON(t, e)); err != nil {
			t.Fatal(err)
		}
		path, data, _ := strings.Cut(in, "|")
		v, err := m.Query(ctx, strings.Split(path, "/"), []byte(data))
		if err != nil {
			return
		}
		if _, err := json.Marshal(v); err != nil {
			t.Fatalf("answer to %q does not marshal: %v", in, err)
		}
	})
}
