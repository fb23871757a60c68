package bank_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/chain/chaintest"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/fees"
)

const denom = "ugrd"

func addr(name string) address.Address { return address.FromPubKey("ed25519", []byte(name)) }

var (
	alice = addr("alice")
	bob   = addr("bob")
	carol = addr("carol") // no genesis balance, so no account
)

type env struct {
	ctx  chain.Context
	auth auth.Keeper
	bank bank.Keeper
	mod  *bank.Module
}

func defaultGenesis() bank.Genesis {
	return bank.Genesis{
		Units: []coin.Unit{chaintest.GRD, {Base: "ueur", Display: "EUR", Exponent: 6}},
		Balances: []bank.Balance{
			{Address: alice, Coins: []coin.Coin{coin.New(denom, 1_000), coin.New("ueur", 50)}},
			{Address: bob, Coins: []coin.Coin{coin.New(denom, 200)}},
		},
	}
}

func setup(t *testing.T) env {
	t.Helper()
	return setupWith(t, defaultGenesis())
}

func setupWith(t *testing.T, g bank.Genesis) env {
	t.Helper()
	ctx := chaintest.Context()
	authK := auth.NewKeeper()
	bankK := bank.NewKeeper(authK, map[address.Address]string{fees.PoolAddress: "fees"})
	m := bank.NewModule(bankK)
	if err := m.InitGenesis(ctx, chaintest.GenesisJSON(t, g)); err != nil {
		t.Fatalf("bank genesis: %v", err)
	}
	if err := fees.NewModule(fees.NewKeeper(bankK)).InitGenesis(ctx, chaintest.GenesisJSON(t, fees.DefaultGenesis())); err != nil {
		t.Fatalf("fees genesis: %v", err)
	}
	return env{ctx: ctx, auth: authK, bank: bankK, mod: m}
}

// writes is a snapshot of everything written to the test's state so far.
func (e env) writes() string { return fmt.Sprint(e.ctx.KV().(*store.Cache).Changes()) }

func (e env) bal(a address.Address, d string) coin.Amount { return e.bank.Balance(e.ctx, a, d) }

// inv is bank's one invariant.
func (e env) inv(t *testing.T) chain.Invariant {
	t.Helper()
	invs := e.mod.Invariants()
	if len(invs) != 1 {
		t.Fatalf("%d bank invariants", len(invs))
	}
	return invs[0]
}

func (e env) invariant(t *testing.T) error {
	t.Helper()
	return e.inv(t).Check(e.ctx)
}

func eventsOf(ctx chain.Context, typ string) []chain.Event {
	var out []chain.Event
	for _, ev := range ctx.Events() {
		if ev.Type == typ {
			out = append(out, ev)
		}
	}
	return out
}

func attrs(ev chain.Event) map[string]string {
	m := map[string]string{}
	for _, a := range ev.Attrs {
		m[a.Key] = a.Value
	}
	return m
}

func TestGenesisState(t *testing.T) {
	e := setup(t)
	if e.bal(alice, denom) != 1_000 || e.bal(alice, "ueur") != 50 || e.bal(bob, denom) != 200 || e.bal(carol, denom) != 0 {
		t.Fatal("genesis balances wrong")
	}
	if e.bank.Supply(e.ctx, denom) != 1_200 || e.bank.Supply(e.ctx, "ueur") != 50 {
		t.Fatal("genesis supply wrong")
	}
	if got := e.bank.Balances(e.ctx, alice); !reflect.DeepEqual(got, []coin.Coin{coin.New("ueur", 50), coin.New(denom, 1_000)}) {
		t.Fatalf("Balances(alice) = %v (want denom order)", got)
	}
	if got := e.bank.Balances(e.ctx, carol); got == nil || len(got) != 0 {
		t.Fatalf("Balances(carol) = %#v, want an empty list", got)
	}
	for _, a := range []address.Address{alice, bob} {
		if _, ok := e.auth.Get(e.ctx, a); !ok {
			t.Fatalf("genesis holder %s has no account", a)
		}
	}
	if u, ok := e.bank.Unit(e.ctx, denom); !ok || u.Display != "GRD" || u.Exponent != 6 {
		t.Fatalf("Unit = %+v, %v", u, ok)
	}
	if _, ok := e.bank.Unit(e.ctx, "uxyz"); ok {
		t.Fatal("unknown unit found")
	}
	if err := e.invariant(t); err != nil {
		t.Fatal(err)
	}
}

func TestSend(t *testing.T) {
	e := setup(t)
	if _, ok := e.auth.Get(e.ctx, carol); ok {
		t.Fatal("carol has an account before receiving funds")
	}
	before := len(e.ctx.Events())
	if err := e.bank.Send(e.ctx, alice, carol, coin.New(denom, 300)); err != nil {
		t.Fatal(err)
	}
	if e.bal(alice, denom) != 700 || e.bal(carol, denom) != 300 || e.bank.Supply(e.ctx, denom) != 1_200 {
		t.Fatalf("after send: alice %d carol %d supply %d", e.bal(alice, denom), e.bal(carol, denom), e.bank.Supply(e.ctx, denom))
	}
	if e.bal(alice, "ueur") != 50 {
		t.Fatal("another denom moved")
	}
	acc, ok := e.auth.Get(e.ctx, carol)
	if !ok || acc.Address != carol || acc.Created != 1 || acc.Nonce != 0 || acc.PubKey != nil {
		t.Fatalf("receiver account %+v, %v", acc, ok)
	}
	evs := e.ctx.Events()[before:]
	if len(evs) != 2 || evs[0].Type != "auth.account_created" || evs[1].Type != "bank.transfer" {
		t.Fatalf("events %+v", evs)
	}
	want := map[string]string{"from": alice.String(), "to": carol.String(), "amount": "300ugrd"}
	if got := attrs(evs[1]); !reflect.DeepEqual(got, want) {
		t.Fatalf("bank.transfer attrs %v, want %v", got, want)
	}

	// A second send to an existing account creates nothing.
	before = len(e.ctx.Events())
	if err := e.bank.Send(e.ctx, alice, carol, coin.New(denom, 700)); err != nil {
		t.Fatal(err)
	}
	if evs := e.ctx.Events()[before:]; len(evs) != 1 || evs[0].Type != "bank.transfer" {
		t.Fatalf("events %+v", evs)
	}
	// Spending the whole balance removes the record, not leaves a zero.
	if e.bal(alice, denom) != 0 || e.bal(carol, denom) != 1_000 {
		t.Fatal("full send wrong")
	}
	if got := e.bank.Balances(e.ctx, alice); !reflect.DeepEqual(got, []coin.Coin{coin.New("ueur", 50)}) {
		t.Fatalf("Balances(alice) = %v", got)
	}
	if err := e.invariant(t); err != nil {
		t.Fatal(err)
	}
}

func TestSendFailuresLeaveStateUnchanged(t *testing.T) {
	cases := []struct {
		name string
		from address.Address
		to   address.Address
		c    coin.Coin
		want *codes.Error
	}{
		{"one more than the balance", bob, carol, coin.New(denom, 201), bank.ErrInsufficientFunds},
		{"from an account with nothing", carol, alice, coin.New(denom, 1), bank.ErrInsufficientFunds},
		{"denom the sender does not hold", bob, alice, coin.New("ueur", 1), bank.ErrInsufficientFunds},
		{"unknown denom", alice, carol, coin.New("uxyz", 1), bank.ErrUnknownDenom},
		{"unknown denom, zero amount", alice, carol, coin.New("uxyz", 0), bank.ErrUnknownDenom},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := setup(t)
			snap, nEv := e.writes(), len(e.ctx.Events())
			err := e.bank.Send(e.ctx, c.from, c.to, c.c)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %s", err, c.want.Desc)
			}
			if e.writes() != snap {
				t.Fatal("a failed send wrote state")
			}
			if len(e.ctx.Events()) != nEv {
				t.Fatal("a failed send emitted events")
			}
			if _, ok := e.auth.Get(e.ctx, carol); ok {
				t.Fatal("a failed send created the receiver's account")
			}
		})
	}
}

func TestMint(t *testing.T) {
	e := setup(t)
	if err := e.bank.Mint(e.ctx, carol, coin.New(denom, 5)); err != nil {
		t.Fatal(err)
	}
	if e.bal(carol, denom) != 5 || e.bank.Supply(e.ctx, denom) != 1_205 {
		t.Fatal("mint did not credit or count")
	}
	if _, ok := e.auth.Get(e.ctx, carol); !ok {
		t.Fatal("mint did not create the account")
	}
	if evs := eventsOf(e.ctx, "bank.mint"); len(evs) == 0 || attrs(evs[len(evs)-1])["amount"] != "5ugrd" || attrs(evs[len(evs)-1])["to"] != carol.String() {
		t.Fatalf("mint events %+v", evs)
	}
	// Supply can reach the maximum exactly, not beyond.
	room := coin.MaxAmount - e.bank.Supply(e.ctx, denom)
	if err := e.bank.Mint(e.ctx, bob, coin.New(denom, room)); err != nil {
		t.Fatalf("mint up to the maximum: %v", err)
	}
	if e.bank.Supply(e.ctx, denom) != coin.MaxAmount {
		t.Fatal("supply not at the maximum")
	}
	snap := e.writes()
	for _, to := range []address.Address{alice, carol, addr("dave")} {
		if err := e.bank.Mint(e.ctx, to, coin.New(denom, 1)); !errors.Is(err, bank.ErrOverflow) {
			t.Fatalf("mint past the maximum to %s: %v, want ErrOverflow", to, err)
		}
	}
	if e.writes() != snap {
		t.Fatal("a failed mint wrote state")
	}
	if err := e.bank.Mint(e.ctx, alice, coin.New("uxyz", 1)); !errors.Is(err, bank.ErrUnknownDenom) {
		t.Fatalf("mint of unknown denom: %v", err)
	}
	if err := e.invariant(t); err != nil {
		t.Fatal(err)
	}
}

func TestBurn(t *testing.T) {
	e := setup(t)
	if err := e.bank.Burn(e.ctx, alice, coin.New(denom, 400)); err != nil {
		t.Fatal(err)
	}
	if e.bal(alice, denom) != 600 || e.bank.Supply(e.ctx, denom) != 800 {
		t.Fatalf("after burn: balance %d supply %d", e.bal(alice, denom), e.bank.Supply(e.ctx, denom))
	}
	if evs := eventsOf(e.ctx, "bank.burn"); len(evs) != 1 || attrs(evs[0])["amount"] != "400ugrd" || attrs(evs[0])["from"] != alice.String() {
		t.Fatalf("burn events %+v", evs)
	}
	snap := e.writes()
	if err := e.bank.Burn(e.ctx, bob, coin.New(denom, 201)); !errors.Is(err, bank.ErrInsufficientFunds) {
		t.Fatalf("burn above balance: %v", err)
	}
	if err := e.bank.Burn(e.ctx, carol, coin.New(denom, 1)); !errors.Is(err, bank.ErrInsufficientFunds) {
		t.Fatalf("burn from empty account: %v", err)
	}
	if e.writes() != snap {
		t.Fatal("a failed burn wrote state")
	}
	if err := e.bank.Burn(e.ctx, bob, coin.New(denom, 200)); err != nil {
		t.Fatal(err)
	}
	if e.bank.Supply(e.ctx, denom) != 600 || len(e.bank.Balances(e.ctx, bob)) != 0 {
		t.Fatal("burning a whole balance")
	}
	if err := e.invariant(t); err != nil {
		t.Fatal(err)
	}
}

func route(t *testing.T, m *bank.Module, typ string) func(chain.Context, tx.Msg) error {
	t.Helper()
	for _, r := range m.Routes() {
		if r.Msg.MsgType() == typ {
			return r.Handle
		}
	}
	t.Fatalf("no route for %s", typ)
	return nil
}

func TestRoutes(t *testing.T) {
	e := setup(t)
	if n := len(e.mod.Routes()); n != 2 {
		t.Fatalf("%d routes", n)
	}
	send := route(t, e.mod, "bank/send")
	multi := route(t, e.mod, "bank/multi_send")

	if err := send(e.ctx, &bank.MsgSend{From: alice, To: carol, Amount: coin.New(denom, 10)}); err != nil {
		t.Fatal(err)
	}
	if e.bal(alice, denom) != 990 || e.bal(carol, denom) != 10 {
		t.Fatal("send route did not move funds")
	}

	snap := e.writes()
	err := send(e.ctx, &bank.MsgSend{From: alice, To: fees.PoolAddress, Amount: coin.New(denom, 10)})
	if !errors.Is(err, bank.ErrBlockedRecipient) {
		t.Fatalf("send to the fee pool: %v, want ErrBlockedRecipient", err)
	}
	if !strings.Contains(err.Error(), "fees") {
		t.Fatalf("message %q does not name the module", err)
	}
	if e.writes() != snap || e.bal(fees.PoolAddress, denom) != 0 {
		t.Fatal("a blocked send wrote state")
	}
	if err := send(e.ctx, &bank.MsgSend{From: alice, To: carol, Amount: coin.New(denom, 991)}); !errors.Is(err, bank.ErrInsufficientFunds) {
		t.Fatalf("send route above balance: %v", err)
	}

	if err := multi(e.ctx, &bank.MsgMultiSend{From: alice, Outputs: []bank.Output{
		{To: bob, Amount: coin.New(denom, 100)},
		{To: carol, Amount: coin.New("ueur", 20)},
		{To: bob, Amount: coin.New(denom, 1)},
	}}); err != nil {
		t.Fatal(err)
	}
	if e.bal(alice, denom) != 889 || e.bal(bob, denom) != 301 || e.bal(carol, "ueur") != 20 || e.bal(alice, "ueur") != 30 {
		t.Fatal("multi-send route did not move funds")
	}
	err = multi(e.ctx, &bank.MsgMultiSend{From: alice, Outputs: []bank.Output{
		{To: bob, Amount: coin.New(denom, 1)},
		{To: fees.PoolAddress, Amount: coin.New(denom, 1)},
	}})
	if !errors.Is(err, bank.ErrBlockedRecipient) {
		t.Fatalf("multi-send to the fee pool: %v, want ErrBlockedRecipient", err)
	}
	if e.bal(fees.PoolAddress, denom) != 0 {
		t.Fatal("the pool received a user transfer")
	}
	// (Outputs before the blocked one may have moved: the app runs msgs in a branch it drops.)
	if err := e.invariant(t); err != nil {
		t.Fatal(err)
	}
}

func TestMsgValidate(t *testing.T) {
	outs := func(n int) []bank.Output {
		o := make([]bank.Output, n)
		for i := range o {
			o[i] = bank.Output{To: addr(fmt.Sprint("out", i)), Amount: coin.New(denom, 1)}
		}
		return o
	}
	cases := []struct {
		name string
		msg  tx.Msg
		ok   bool
	}{
		{"send", &bank.MsgSend{From: alice, To: bob, Amount: coin.New(denom, 1)}, true},
		{"send to self", &bank.MsgSend{From: alice, To: alice, Amount: coin.New(denom, 1)}, false},
		{"send zero amount", &bank.MsgSend{From: alice, To: bob, Amount: coin.New(denom, 0)}, false},
		{"send bad denom", &bank.MsgSend{From: alice, To: bob, Amount: coin.New("u", 1)}, false},
		{"send empty denom", &bank.MsgSend{From: alice, To: bob, Amount: coin.New("", 1)}, false},
		{"send from zero address", &bank.MsgSend{To: bob, Amount: coin.New(denom, 1)}, false},
		{"send to zero address", &bank.MsgSend{From: alice, Amount: coin.New(denom, 1)}, false},

		{"multi-send one output", &bank.MsgMultiSend{From: alice, Outputs: outs(1)}, true},
		{"multi-send MaxOutputs", &bank.MsgMultiSend{From: alice, Outputs: outs(bank.MaxOutputs)}, true},
		{"multi-send MaxOutputs+1", &bank.MsgMultiSend{From: alice, Outputs: outs(bank.MaxOutputs + 1)}, false},
		{"multi-send no outputs", &bank.MsgMultiSend{From: alice}, false},
		{"multi-send from zero address", &bank.MsgMultiSend{Outputs: outs(1)}, false},
		{"multi-send to self", &bank.MsgMultiSend{From: alice, Outputs: []bank.Output{{To: bob, Amount: coin.New(denom, 1)}, {To: alice, Amount: coin.New(denom, 1)}}}, false},
		{"multi-send zero amount", &bank.MsgMultiSend{From: alice, Outputs: []bank.Output{{To: bob, Amount: coin.New(denom, 0)}}}, false},
		{"multi-send to zero address", &bank.MsgMultiSend{From: alice, Outputs: []bank.Output{{Amount: coin.New(denom, 1)}}}, false},
		{"multi-send bad denom", &bank.MsgMultiSend{From: alice, Outputs: []bank.Output{{To: bob, Amount: coin.New("9x", 1)}}}, false},
	}
	for _, c := range cases {
		if err := c.msg.Validate(); (err == nil) != c.ok {
			t.Errorf("%s: Validate = %v, want ok=%v", c.name, err, c.ok)
		}
	}
	m := &bank.MsgMultiSend{From: alice, Outputs: outs(7)}
	if m.Signer() != alice || m.GasItems() != 7 || m.MsgType() != "bank/multi_send" {
		t.Fatal("multi-send accessors")
	}
	s := &bank.MsgSend{From: bob, To: alice}
	if s.Signer() != bob || s.MsgType() != "bank/send" {
		t.Fatal("send accessors")
	}
}

func TestMsgsDecodeThroughTx(t *testing.T) {
	// The msgs travel in txs: a packed msg decodes back to itself through a registry.
	reg := tx.NewRegistry()
	reg.Register(&bank.MsgSend{}, &bank.MsgMultiSend{})
	for _, m := range []tx.Msg{
		&bank.MsgSend{From: alice, To: bob, Amount: coin.New(denom, 12)},
		&bank.MsgMultiSend{From: alice, Outputs: []bank.Output{{To: bob, Amount: coin.New(denom, 1)}, {To: carol, Amount: coin.New("ueur", 2)}}},
	} {
		a, err := tx.Pack(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := reg.DecodeMsg(a)
		if err != nil || !reflect.DeepEqual(got, m) {
			t.Fatalf("DecodeMsg = %#v, %v; want %#v", got, err, m)
		}
	}
	bad, _ := tx.Pack(&bank.MsgSend{From: alice, To: alice, Amount: coin.New(denom, 1)})
	if _, err := reg.DecodeMsg(bad); !errors.Is(err, tx.ErrInvalidMsg) {
		t.Fatalf("self-send decoded: %v", err)
	}
}

// balanceKey is bank's key layout: b/<20 address bytes><denom>.
func balanceKey(a address.Address, d string) []byte {
	return append(append([]byte("b/"), a[:]...), d...)
}

func TestInvariant(t *testing.T) {
	cases := []struct {
		name    string
		corrupt func(e env)
		inErr   string
	}{
		{"balance raised without supply", func(e env) {
			e.ctx.Store(bank.StorePrefix).Set(balanceKey(alice, denom), canon.MustMarshal(coin.Amount(1_001)))
		}, "supply"},
		{"balance created from nothing", func(e env) {
			e.ctx.Store(bank.StorePrefix).Set(balanceKey(carol, "ueur"), canon.MustMarshal(coin.Amount(1)))
		}, "supply"},
		{"balance deleted", func(e env) {
			e.ctx.Store(bank.StorePrefix).Delete(balanceKey(bob, denom))
		}, "supply"},
		{"supply changed", func(e env) {
			e.ctx.Store(bank.StorePrefix).Set([]byte("s/"+denom), canon.MustMarshal(coin.Amount(7)))
		}, "supply"},
		{"zero balance record", func(e env) {
			e.ctx.Store(bank.StorePrefix).Set(balanceKey(carol, denom), canon.MustMarshal(coin.Amount(0)))
		}, "zero balance"},
		{"unknown denom held", func(e env) {
			e.ctx.Store(bank.StorePrefix).Set(balanceKey(carol, "uxyz"), canon.MustMarshal(coin.Amount(3)))
		}, "unknown denom"},
		{"balances overflow", func(e env) {
			e.ctx.Store(bank.StorePrefix).Set(balanceKey(carol, denom), canon.MustMarshal(coin.MaxAmount))
		}, "overflow"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := setup(t)
			// Ordinary operations keep the invariant.
			if err := e.bank.Send(e.ctx, alice, carol, coin.New(denom, 10)); err != nil {
				t.Fatal(err)
			}
			if err := e.bank.Burn(e.ctx, bob, coin.New(denom, 5)); err != nil {
				t.Fatal(err)
			}
			if err := e.bank.Mint(e.ctx, carol, coin.New("ueur", 5)); err != nil {
				t.Fatal(err)
			}
			chaintest.InvariantCatches(t, e.inv(t), e.ctx, func() { c.corrupt(e) }, c.inErr)
		})
	}
}

func TestGenesisRoundTrip(t *testing.T) {
	e := setup(t)
	ops := []error{
		e.bank.Send(e.ctx, alice, carol, coin.New(denom, 123)),
		e.bank.Send(e.ctx, alice, bob, coin.New("ueur", 50)),
		e.bank.Burn(e.ctx, bob, coin.New(denom, 7)),
		e.bank.Mint(e.ctx, addr("dave"), coin.New("ueur", 9)),
	}
	for i, err := range ops {
		if err != nil {
			t.Fatalf("op %d: %v", i, err)
		}
	}
	out, err := e.mod.ExportGenesis(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var g bank.Genesis
	if err := json.Unmarshal(out, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Units) != 2 || len(g.Supply) != 2 || len(g.Balances) != 4 {
		t.Fatalf("export %s", out)
	}
	for i := 1; i < len(g.Balances); i++ {
		if bytes.Compare(g.Balances[i-1].Address[:], g.Balances[i].Address[:]) >= 0 {
			t.Fatalf("balances not in address order: %s", out)
		}
	}
	// alice sent all her ueur: her record lists only ugrd.
	for _, b := range g.Balances {
		if b.Address == alice && !reflect.DeepEqual(b.Coins, []coin.Coin{coin.New(denom, 877)}) {
			t.Fatalf("alice exported as %v", b.Coins)
		}
	}

	fresh := bank.NewModule(bank.NewKeeper(auth.NewKeeper(), nil))
	ctx := chaintest.Context()
	if err := fresh.InitGenesis(ctx, out); err != nil {
		t.Fatalf("import of the export: %v", err)
	}
	again, err := fresh.ExportGenesis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, out) {
		t.Fatalf("export → import → export differs:\n%s\n%s", out, again)
	}
	if err := fresh.Invariants()[0].Check(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestInitGenesisRejects(t *testing.T) {
	unit := chaintest.GRD
	cases := []struct {
		name string
		raw  string
	}{
		{"supply mismatch", string(chaintest.GenesisJSON(t, bank.Genesis{Units: []coin.Unit{unit},
			Balances: []bank.Balance{{Address: alice, Coins: []coin.Coin{coin.New(denom, 5)}}}, Supply: []coin.Coin{coin.New(denom, 6)}}))},
		{"denom declared twice", string(chaintest.GenesisJSON(t, bank.Genesis{Units: []coin.Unit{unit, unit}}))},
		{"invalid denom", string(chaintest.GenesisJSON(t, bank.Genesis{Units: []coin.Unit{{Base: "9"}}}))},
		{"zero balance", string(chaintest.GenesisJSON(t, bank.Genesis{Units: []coin.Unit{unit},
			Balances: []bank.Balance{{Address: alice, Coins: []coin.Coin{coin.New(denom, 0)}}}}))},
		{"balance of an undeclared denom", string(chaintest.GenesisJSON(t, bank.Genesis{Units: []coin.Unit{unit},
			Balances: []bank.Balance{{Address: alice, Coins: []coin.Coin{coin.New("ueur", 1)}}}}))},
		{"balances overflow the supply", string(chaintest.GenesisJSON(t, bank.Genesis{Units: []coin.Unit{unit},
			Balances: []bank.Balance{{Address: alice, Coins: []coin.Coin{coin.New(denom, coin.MaxAmount)}}, {Address: bob, Coins: []coin.Coin{coin.New(denom, 1)}}}}))},
		{"unknown field", `{"units":[],"balances":[],"extra":true}`},
		{"bad address", `{"units":[],"balances":[{"address":"gir1nope","coins":[]}]}`},
	}
	for _, c := range cases {
		m := bank.NewModule(bank.NewKeeper(auth.NewKeeper(), nil))
		if err := m.InitGenesis(chaintest.Context(), json.RawMessage(c.raw)); err == nil {
			t.Errorf("%s: InitGenesis accepted %s", c.name, c.raw)
		}
	}
	// Supply given and right is accepted.
	ok := chaintest.GenesisJSON(t, bank.Genesis{Units: []coin.Unit{unit},
		Balances: []bank.Balance{{Address: alice, Coins: []coin.Coin{coin.New(denom, 5)}}}, Supply: []coin.Coin{coin.New(denom, 5)}})
	if err := bank.NewModule(bank.NewKeeper(auth.NewKeeper(), nil)).InitGenesis(chaintest.Context(), ok); err != nil {
		t.Fatalf("matching supply rejected: %v", err)
	}
}

func TestQuery(t *testing.T) {
	e := setup(t)
	got, err := e.mod.Query(e.ctx, []string{"balance", alice.String(), denom}, nil)
	if err != nil || got != coin.New(denom, 1_000) {
		t.Fatalf("balance query = %v, %v", got, err)
	}
	got, err = e.mod.Query(e.ctx, []string{"balances", bob.String()}, nil)
	if err != nil || !reflect.DeepEqual(got, bank.BalancesResult{Address: bob, Balances: []coin.Coin{coin.New(denom, 200)}}) {
		t.Fatalf("balances query = %v, %v", got, err)
	}
	got, err = e.mod.Query(e.ctx, []string{"supply", "ueur"}, nil)
	if err != nil || got != coin.New("ueur", 50) {
		t.Fatalf("supply query = %v, %v", got, err)
	}
	got, err = e.mod.Query(e.ctx, []string{"units"}, nil)
	if err != nil || len(got.([]coin.Unit)) != 2 {
		t.Fatalf("units query = %v, %v", got, err)
	}
	for _, c := range []struct {
		path []string
		want *codes.Error
	}{
		{[]string{"balance", alice.String(), "uxyz"}, bank.ErrUnknownDenom},
		{[]string{"supply", "uxyz"}, bank.ErrUnknownDenom},
		{[]string{"balances", "not-an-address"}, chain.ErrBadQuery},
		{[]string{"balance", "gir1", denom}, chain.ErrBadQuery},
		{[]string{"nope"}, chain.ErrBadQuery},
		{nil, chain.ErrBadQuery},
	} {
		if _, err := e.mod.Query(e.ctx, c.path, nil); !errors.Is(err, c.want) {
			t.Errorf("Query(%v) = %v, want %s", c.path, err, c.want.Desc)
		}
	}
}
