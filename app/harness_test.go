package app

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtlog "github.com/cometbft/cometbft/libs/log"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/fees"
	"github.com/girder-chain/girder/x/governance"
)

const testChain = "girder-test"

// account is a test key.
type account struct {
	name string
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
	addr address.Address
}

// testAccount derives a deterministic key from a name.
func testAccount(name string) account {
	seed := sha256.Sum256([]byte("girder test key " + name))
	priv := ed25519.NewKeyFromSeed(seed[:])
	pub := priv.Public().(ed25519.PublicKey)
	return account{name: name, priv: priv, pub: pub, addr: address.FromPubKey(tx.KeyEd25519, pub)}
}

// harness drives an App through ABCI as CometBFT would, one block at a time.
type harness struct {
	t       testing.TB
	app     *App
	tree    *store.Tree
	height  int64
	time    time.Time
	genesis coin.Amount // native supply at genesis
	accs    []account
}

const startFunds = coin.Amount(1_000_000_000) // 1,000 GRD

func genesisState(t testing.TB, accs []account, fp fees.Params) []byte {
	var bals []bank.Balance
	for _, a := range accs {
		bals = append(bals, bank.Balance{Address: a.addr, Coins: []coin.Coin{coin.New("ugrd", startFunds)}})
	}
	bg, _ := json.Marshal(bank.Genesis{Units: []coin.Unit{{Base: "ugrd", Display: "GRD", Exponent: 6}}, Balances: bals})
	fg, _ := json.Marshal(fees.Genesis{Params: fp, BaseFee: fp.MinBaseFee})
	st, err := json.Marshal(map[string]json.RawMessage{"auth": json.RawMessage(`{"accounts":[]}`), "bank": bg, "fees": fg, "identity": json.RawMessage(`{}`), "compliance": json.RawMessage(`{}`), "assets": json.RawMessage(`{}`), "offerings": json.RawMessage(`{}`), "distributions": json.RawMessage(`{}`), "projects": json.RawMessage(`{}`), "vesting": json.RawMessage(`{}`), "governance": governanceGenesis, "passes": json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func newHarness(t testing.TB, tree *store.Tree, n int, fp fees.Params) *harness {
	t.Helper()
	a, err := New(tree, cmtlog.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, app: a, tree: tree, time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	for i := 0; i < n; i++ {
		h.accs = append(h.accs, testAccount(fmt.Sprintf("acc%d", i)))
	}
	h.genesis = startFunds * coin.Amount(n)
	_, err = a.InitChain(context.Background(), &abci.InitChainRequest{ChainId: testChain, InitialHeight: 1, Time: h.time, AppStateBytes: genesisState(t, h.accs, fp)})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// signTx signs msgs by acc with an explicit nonce and fee.
func signTx(t testing.TB, acc account, chainID string, nonce uint64, fee tx.Fee, withKey bool, msgs ...tx.Msg) []byte {
	t.Helper()
	body := tx.Body{ChainID: chainID, Signer: acc.addr, Nonce: nonce, Fee: fee}
	for _, m := range msgs {
		a, err := tx.Pack(m)
		if err != nil {
			t.Fatal(err)
		}
		body.Msgs = append(body.Msgs, a)
	}
	var pub []byte
	if withKey {
		pub = acc.pub
	}
	raw, err := tx.Sign(body, pub, func(b []byte) []byte { return ed25519.Sign(acc.priv, b) })
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// goodFee covers any transfer at a base fee up to 1000.
var goodFee = tx.Fee{GasLimit: 100_000, MaxFee: 100_000_000}

func send(t testing.TB, from, to account, amt coin.Amount, nonce uint64) []byte {
	return signTx(t, from, testChain, nonce, goodFee, true, &bank.MsgSend{From: from.addr, To: to.addr, Amount: coin.New("ugrd", amt)})
}

// block finalizes and commits a block of txs, returning the results.
func (h *harness) block(txs ...[]byte) *abci.FinalizeBlockResponse {
	h.t.Helper()
	if !h.proposal(txs) {
		h.t.Fatalf("block %d rejected by ProcessProposal", h.height+1)
	}
	return h.finalize(txs)
}

// proposal reports whether ProcessProposal accepts a block of txs at the next height.
func (h *harness) proposal(txs [][]byte) bool {
	h.t.Helper()
	pp, err := h.app.ProcessProposal(context.Background(), &abci.ProcessProposalRequest{Txs: txs, Height: h.height + 1, Time: h.time.Add(time.Second)})
	if err != nil {
		h.t.Fatal(err)
	}
	return pp.Status == abci.PROCESS_PROPOSAL_STATUS_ACCEPT
}

// finalize runs FinalizeBlock and Commit without asking ProcessProposal first.
func (h *harness) finalize(txs [][]byte) *abci.FinalizeBlockResponse {
	h.t.Helper()
	h.height++
	h.time = h.time.Add(time.Second)
	ctx := context.Background()
	res, err := h.app.FinalizeBlock(ctx, &abci.FinalizeBlockRequest{Txs: txs, Height: h.height, Time: h.time})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.app.Commit(ctx, &abci.CommitRequest{}); err != nil {
		h.t.Fatal(err)
	}
	h.checkLayout()
	return res
}

func (h *harness) checkTx(raw []byte) *abci.CheckTxResponse {
	h.t.Helper()
	r, err := h.app.CheckTx(context.Background(), &abci.CheckTxRequest{Tx: raw, Type: abci.CHECK_TX_TYPE_CHECK})
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

// ctx is a read context over the last committed state.
func (h *harness) ctx() chain.Context {
	v, err := h.tree.At(h.tree.Version())
	if err != nil {
		h.t.Fatal(err)
	}
	return chain.NewContext(store.NewReadCache(v), v.Version(), h.time, testChain, chain.ModeQuery)
}

func (h *harness) balance(a account) coin.Amount { return h.app.Bank.Balance(h.ctx(), a.addr, "ugrd") }

func (h *harness) nonce(a account) uint64 {
	acc, _ := h.app.Auth.Get(h.ctx(), a.addr)
	return acc.Nonce
}

// checkChain checks every module invariant and the chain-wide fee identities:
// supply = genesis − burnt; balances + fee pool = supply (the bank invariant covers the sum).
func (h *harness) checkChain() {
	h.t.Helper()
	if err := h.app.Invariants(); err != nil {
		h.t.Fatalf("height %d: %v", h.height, err)
	}
	ctx := h.ctx()
	supply := h.app.Bank.Supply(ctx, "ugrd")
	tot := h.app.Fees.Totals(ctx)
	if want := h.genesis - tot.Burnt; supply != want {
		h.t.Fatalf("height %d: supply %d, genesis − burnt = %d", h.height, supply, want)
	}
	var sum coin.Amount
	for _, a := range h.accs {
		sum += h.app.Bank.Balance(ctx, a.addr, "ugrd")
	}
	pool := h.app.Bank.Balance(ctx, fees.PoolAddress, "ugrd")
	if sum+pool != supply {
		h.t.Fatalf("height %d: balances %d + pool %d ≠ supply %d", h.height, sum, pool, supply)
	}
}

// governanceGenesis is x/governance's default genesis (its params have no zero defaults).
var governanceGenesis = func() json.RawMessage {
	b, err := json.Marshal(governance.DefaultGenesis())
	if err != nil {
		panic(err)
	}
	return b
}()
