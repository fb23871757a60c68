package auth_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

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
)

const chainID = "test-chain"

type key struct {
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
	addr address.Address
}

func newKey(seed byte) key {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	pub := priv.Public().(ed25519.PublicKey)
	return key{pub: pub, priv: priv, addr: address.FromPubKey(tx.KeyEd25519, pub)}
}

var (
	alice = newKey(1)
	bob   = newKey(2)
	carol = newKey(3) // never gets an account
)

var registry = func() *tx.Registry {
	r := tx.NewRegistry()
	r.Register(&bank.MsgSend{}, &bank.MsgMultiSend{})
	return r
}()

// signed builds a tx for signer's account at nonce, signed by signedBy, carrying pub (nil: none).
func signed(t *testing.T, signer key, nonce uint64, signedBy key, pub []byte) *tx.Decoded {
	t.Helper()
	msg, err := tx.Pack(&bank.MsgSend{From: signer.addr, To: newKey(9).addr, Amount: coin.New("ugrd", 1)})
	if err != nil {
		t.Fatal(err)
	}
	body := tx.Body{
		ChainID: chainID,
		Signer:  signer.addr,
		Nonce:   nonce,
		Fee:     tx.Fee{GasLimit: 10_000, MaxFee: 100_000},
		Msgs:    []tx.Any{msg},
	}
	raw, err := tx.Sign(body, pub, func(b []byte) []byte { return ed25519.Sign(signedBy.priv, b) })
	if err != nil {
		t.Fatal(err)
	}
	d, err := tx.Decode(raw, registry, chainID, 1<<16)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return d
}

type env struct {
	ctx chain.Context
	k   auth.Keeper
	m   *auth.Module
}

func setup(t *testing.T) env {
	t.Helper()
	ctx := chain.NewContext(store.NewCache(store.OpenMemory()), 1, time.Unix(0, 0), chainID, chain.ModeDeliver)
	k := auth.NewKeeper()
	k.Ensure(ctx, alice.addr)
	k.Ensure(ctx, bob.addr)
	return env{ctx: ctx, k: k, m: auth.NewModule(k)}
}

func (e env) writes() string { return fmt.Sprint(e.ctx.KV().(*store.Cache).Changes()) }

func (e env) account(t *testing.T, a address.Address) auth.Account {
	t.Helper()
	acc, ok := e.k.Get(e.ctx, a)
	if !ok {
		t.Fatalf("no account %s", a)
	}
	return acc
}

func (e env) invariant(t *testing.T) error {
	t.Helper()
	for _, inv := range e.m.Invariants() {
		if err := inv.Check(e.ctx); err != nil {
			return err
		}
	}
	return nil
}

func TestEnsure(t *testing.T) {
	ctx := chain.NewContext(store.NewCache(store.OpenMemory()), 42, time.Unix(0, 0), chainID, chain.ModeDeliver)
	k := auth.NewKeeper()
	if _, ok := k.Get(ctx, alice.addr); ok {
		t.Fatal("account exists before Ensure")
	}
	k.Ensure(ctx, alice.addr)
	acc, ok := k.Get(ctx, alice.addr)
	if !ok {
		t.Fatal("Ensure did not create the account")
	}
	if acc.Address != alice.addr || acc.Created != 42 || acc.Nonce != 0 || acc.PubKey != nil || acc.KeyType != "" {
		t.Fatalf("account %+v", acc)
	}
	evs := ctx.Events()
	if len(evs) != 1 || evs[0].Type != "auth.account_created" || evs[0].Attrs[0].Value != alice.addr.String() {
		t.Fatalf("events %+v", evs)
	}
	// Ensure of an existing account changes nothing and emits nothing.
	acc.Nonce = 5
	k.Set(ctx, acc)
	k.Ensure(ctx, alice.addr)
	if got, _ := k.Get(ctx, alice.addr); got.Nonce != 5 || len(ctx.Events()) != 1 {
		t.Fatalf("Ensure touched an existing account: %+v", got)
	}
}

func TestAuthenticateFirstTx(t *testing.T) {
	e := setup(t)
	d := signed(t, alice, 0, alice, alice.pub)
	if err := e.k.Authenticate(e.ctx, d, nil, false); err != nil {
		t.Fatalf("first tx: %v", err)
	}
	acc := e.account(t, alice.addr)
	if !bytes.Equal(acc.PubKey, alice.pub) || acc.KeyType != tx.KeyEd25519 || acc.Nonce != 1 || acc.Created != 1 {
		t.Fatalf("after first tx: %+v", acc)
	}
	if got := e.account(t, bob.addr); got.Nonce != 0 || got.PubKey != nil {
		t.Fatalf("another account changed: %+v", got)
	}
	// Later txs may omit the key, or repeat it; nonces go up one by one.
	for n, pub := range [][]byte{nil, alice.pub, nil} {
		nonce := uint64(n + 1)
		if err := e.k.Authenticate(e.ctx, signed(t, alice, nonce, alice, pub), nil, false); err != nil {
			t.Fatalf("tx at nonce %d: %v", nonce, err)
		}
		if got := e.account(t, alice.addr).Nonce; got != nonce+1 {
			t.Fatalf("nonce %d after tx %d", got, nonce)
		}
	}
	if err := e.invariant(t); err != nil {
		t.Fatal(err)
	}
}

func TestAuthenticateRejectsFirstTx(t *testing.T) {
	cases := []struct {
		name string
		d    func(t *testing.T) *tx.Decoded
		want *codes.Error
	}{
		{"no pubkey on the first tx", func(t *testing.T) *tx.Decoded { return signed(t, alice, 0, alice, nil) }, auth.ErrNoPubKey},
		{"key of another address, signed by it", func(t *testing.T) *tx.Decoded { return signed(t, alice, 0, bob, bob.pub) }, auth.ErrPubKeyMismatch},
		{"key of another address, signed by the signer", func(t *testing.T) *tx.Decoded { return signed(t, alice, 0, alice, bob.pub) }, auth.ErrPubKeyMismatch},
		{"signer's key, signature by another key", func(t *testing.T) *tx.Decoded { return signed(t, alice, 0, bob, alice.pub) }, auth.ErrSignature},
		{"nonce skipped", func(t *testing.T) *tx.Decoded { return signed(t, alice, 1, alice, alice.pub) }, auth.ErrNonceSkipped},
		{"nonce far ahead", func(t *testing.T) *tx.Decoded { return signed(t, alice, 1<<40, alice, alice.pub) }, auth.ErrNonceSkipped},
		{"unknown account", func(t *testing.T) *tx.Decoded { return signed(t, carol, 0, carol, carol.pub) }, auth.ErrUnknownAccount},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := setup(t)
			snap := e.writes()
			err := e.k.Authenticate(e.ctx, c.d(t), nil, false)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %s", err, c.want.Desc)
			}
			if e.writes() != snap {
				t.Fatal("a rejected tx wrote state (key bound or nonce bumped)")
			}
			if acc := e.account(t, alice.addr); acc.PubKey != nil || acc.Nonce != 0 {
				t.Fatalf("account changed: %+v", acc)
			}
			if _, ok := e.k.Get(e.ctx, carol.addr); ok {
				t.Fatal("an account was created")
			}
		})
	}
}

func TestAuthenticateBoundAccount(t *testing.T) {
	cases := []struct {
		name        string
		d           func(t *testing.T) *tx.Decoded
		verifiedKey []byte
		skipSig     bool
		want        *codes.Error // nil: accepted, nonce bumped to 2
	}{
		{name: "next nonce without key", d: func(t *testing.T) *tx.Decoded { return signed(t, alice, 1, alice, nil) }},
		{name: "next nonce with the bound key", d: func(t *testing.T) *tx.Decoded { return signed(t, alice, 1, alice, alice.pub) }},
		{name: "replayed nonce", d: func(t *testing.T) *tx.Decoded { return signed(t, alice, 0, alice, alice.pub) }, want: auth.ErrNonceReplayed},
		{name: "replayed nonce without key", d: func(t *testing.T) *tx.Decoded { return signed(t, alice, 0, alice, nil) }, want: auth.ErrNonceReplayed},
		{name: "skipped nonce", d: func(t *testing.T) *tx.Decoded { return signed(t, alice, 2, alice, nil) }, want: auth.ErrNonceSkipped},
		{name: "another key than the bound one", d: func(t *testing.T) *tx.Decoded { return signed(t, alice, 1, bob, bob.pub) }, want: auth.ErrPubKeyMismatch},
		{name: "bound key, signature by another key", d: func(t *testing.T) *tx.Decoded { return signed(t, alice, 1, bob, alice.pub) }, want: auth.ErrSignature},
		{name: "no key, signature by another key", d: func(t *testing.T) *tx.Decoded { return signed(t, alice, 1, bob, nil) }, want: auth.ErrSignature},
		{name: "bad signature, cached as verified with the bound key", d: func(t *testing.T) *tx.Decoded { return signed(t, alice, 1, bob, nil) }, verifiedKey: alice.pub},
		{name: "bad signature, cached as verified with another key", d: func(t *testing.T) *tx.Decoded { return signed(t, alice, 1, bob, nil) }, verifiedKey: bob.pub, want: auth.ErrSignature},
		{name: "bad signature, verification skipped", d: func(t *testing.T) *tx.Decoded { return signed(t, alice, 1, bob, nil) }, skipSig: true},
		{name: "skipped verification still checks the nonce", d: func(t *testing.T) *tx.Decoded { return signed(t, alice, 0, alice, nil) }, skipSig: true, want: auth.ErrNonceReplayed},
		{name: "skipped verification still checks the key", d: func(t *testing.T) *tx.Decoded { return signed(t, alice, 1, bob, bob.pub) }, skipSig: true, want: auth.ErrPubKeyMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := setup(t)
			first := signed(t, alice, 0, alice, alice.pub)
			if err := e.k.Authenticate(e.ctx, first, nil, false); err != nil {
				t.Fatal(err)
			}
			snap := e.writes()
			err := e.k.Authenticate(e.ctx, c.d(t), c.verifiedKey, c.skipSig)
			acc := e.account(t, alice.addr)
			if !bytes.Equal(acc.PubKey, alice.pub) {
				t.Fatalf("bound key changed to %x", acc.PubKey)
			}
			if c.want == nil {
				if err != nil {
					t.Fatalf("Authenticate: %v", err)
				}
				if acc.Nonce != 2 {
					t.Fatalf("nonce %d, want 2", acc.Nonce)
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %s", err, c.want.Desc)
			}
			if e.writes() != snap || acc.Nonce != 1 {
				t.Fatalf("a rejected tx wrote state (nonce %d)", acc.Nonce)
			}
		})
	}
}

func TestReplaySameBytes(t *testing.T) {
	e := setup(t)
	d := signed(t, alice, 0, alice, alice.pub)
	if err := e.k.Authenticate(e.ctx, d, nil, false); err != nil {
		t.Fatal(err)
	}
	if err := e.k.Authenticate(e.ctx, d, nil, false); !errors.Is(err, auth.ErrNonceReplayed) {
		t.Fatalf("replay: %v", err)
	}
	if got := e.account(t, alice.addr).Nonce; got != 1 {
		t.Fatalf("nonce %d after replay", got)
	}
}

func TestInvariant(t *testing.T) {
	cases := []struct {
		name    string
		corrupt func(e env)
		inErr   string
	}{
		{"bound to a key of another address", func(e env) {
			e.k.Set(e.ctx, auth.Account{Address: alice.addr, KeyType: tx.KeyEd25519, PubKey: bob.pub, Nonce: 1})
		}, "another address"},
		{"right key, wrong key type", func(e env) {
			e.k.Set(e.ctx, auth.Account{Address: alice.addr, KeyType: "secp256k1", PubKey: alice.pub, Nonce: 1})
		}, "another address"},
		{"record stored under another address", func(e env) {
			rec := canon.MustMarshal(&auth.Account{Address: alice.addr})
			e.ctx.Store(auth.StorePrefix).Set(append([]byte("a/"), carol.addr[:]...), rec)
		}, "another key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := setup(t)
			if err := e.k.Authenticate(e.ctx, signed(t, alice, 0, alice, alice.pub), nil, false); err != nil {
				t.Fatal(err)
			}
			if err := e.k.Authenticate(e.ctx, signed(t, bob, 0, bob, bob.pub), nil, false); err != nil {
				t.Fatal(err)
			}
			chaintest.InvariantCatches(t, chaintest.All(e.m), e.ctx, func() { c.corrupt(e) }, c.inErr)
		})
	}
}

func TestGenesis(t *testing.T) {
	e := setup(t)
	if err := e.k.Authenticate(e.ctx, signed(t, alice, 0, alice, alice.pub), nil, false); err != nil {
		t.Fatal(err)
	}
	out, err := e.m.ExportGenesis(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var g auth.Genesis
	if err := json.Unmarshal(out, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Accounts) != 2 {
		t.Fatalf("export %s", out)
	}
	sorted := append([]auth.Account(nil), g.Accounts...)
	auth.SortAccounts(sorted)
	for i := range sorted {
		if sorted[i].Address != g.Accounts[i].Address {
			t.Fatalf("export not in address order: %s", out)
		}
	}
	ctx := chain.NewContext(store.NewCache(store.OpenMemory()), 1, time.Unix(0, 0), chainID, chain.ModeDeliver)
	m := auth.NewModule(auth.NewKeeper())
	if err := m.InitGenesis(ctx, out); err != nil {
		t.Fatalf("import of the export: %v", err)
	}
	again, err := m.ExportGenesis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, out) {
		t.Fatalf("export → import → export differs:\n%s\n%s", out, again)
	}
	// The imported key is bound: the next tx needs no key, a replay fails.
	k := auth.NewKeeper()
	if err := k.Authenticate(ctx, signed(t, alice, 1, alice, nil), nil, false); err != nil {
		t.Fatalf("after import: %v", err)
	}
	if err := k.Authenticate(ctx, signed(t, alice, 1, alice, nil), nil, false); !errors.Is(err, auth.ErrNonceReplayed) {
		t.Fatalf("replay after import: %v", err)
	}

	reject := map[string]auth.Genesis{
		"account listed twice":            {Accounts: []auth.Account{{Address: alice.addr}, {Address: alice.addr}}},
		"key of another address":          {Accounts: []auth.Account{{Address: alice.addr, KeyType: tx.KeyEd25519, PubKey: bob.pub}}},
		"right key under a wrong type":    {Accounts: []auth.Account{{Address: alice.addr, KeyType: "sr25519", PubKey: alice.pub}}},
		"right key with no type at all":   {Accounts: []auth.Account{{Address: alice.addr, PubKey: alice.pub}}},
		"second account's key is foreign": {Accounts: []auth.Account{{Address: bob.addr}, {Address: carol.addr, KeyType: tx.KeyEd25519, PubKey: alice.pub}}},
	}
	for name, g := range reject {
		raw, _ := json.Marshal(g)
		ctx := chain.NewContext(store.NewCache(store.OpenMemory()), 1, time.Unix(0, 0), chainID, chain.ModeDeliver)
		if err := auth.NewModule(auth.NewKeeper()).InitGenesis(ctx, raw); err == nil {
			t.Errorf("%s: InitGenesis accepted %s", name, raw)
		}
	}
	if err := auth.NewModule(auth.NewKeeper()).InitGenesis(ctx, json.RawMessage(`{"accounts":[],"x":1}`)); err == nil {
		t.Error("unknown genesis field accepted")
	}
	if err := auth.NewModule(auth.NewKeeper()).InitGenesis(chain.NewContext(store.NewCache(store.OpenMemory()), 1, time.Unix(0, 0), chainID, chain.ModeDeliver), nil); err != nil {
		t.Errorf("empty genesis: %v", err)
	}
}

func TestQuery(t *testing.T) {
	e := setup(t)
	got, err := e.m.Query(e.ctx, []string{"account", alice.addr.String()}, nil)
	if err != nil || got.(auth.Account).Address != alice.addr {
		t.Fatalf("account query = %v, %v", got, err)
	}
	for _, c := range []struct {
		path []string
		want *codes.Error
	}{
		{[]string{"account", carol.addr.String()}, chain.ErrNotFound},
		{[]string{"account", "gir1xyz"}, chain.ErrBadQuery},
		{[]string{"accounts"}, chain.ErrBadQuery},
		{nil, chain.ErrBadQuery},
	} {
		if _, err := e.m.Query(e.ctx, c.path, nil); !errors.Is(err, c.want) {
			t.Errorf("Query(%v) = %v, want %s", c.path, err, c.want.Desc)
		}
	}
}
