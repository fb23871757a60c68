package app

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/fees"
)

// replay asks the app, as the API does, what tx i of a committed block did.
func (h *harness) replay(height int64, blockTime int64, txs [][]byte) *abci.QueryResponse {
	h.t.Helper()
	data, err := canon.Marshal(ReplayRequest{Height: height, Time: blockTime, Txs: txs})
	if err != nil {
		h.t.Fatal(err)
	}
	r, err := h.app.Query(context.Background(), &abci.QueryRequest{Path: "/replay", Height: height - 1, Data: data})
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

func sameEvents(committed []abci.Event, replayed []chain.Event) bool {
	if len(committed) != len(replayed) {
		return false
	}
	for i, e := range committed {
		if e.Type != replayed[i].Type || len(e.Attributes) != len(replayed[i].Attrs) {
			return false
		}
		for j, a := range e.Attributes {
			b := replayed[i].Attrs[j]
			if a.Key != b.Key || a.Value != b.Value { // (the index flag is not part of the JSON answer)
				return false
			}
		}
	}
	return true
}

// TestReplayMatchesBlock: every tx of committed blocks (successes, a failed msg, a replayed
// nonce, undecodable bytes, a forged signature, several txs of one signer in a row) replays over the state before
// its block to exactly the committed code, log, gas and events; its writes are the state after
// the block for the keys nothing later touched; replay reads but never writes.
func TestReplayMatchesBlock(t *testing.T) {
	fp := fees.DefaultParams()
	h := newHarness(t, store.OpenMemory(), 4, fp)
	a, b, c, d := h.accs[0], h.accs[1], h.accs[2], h.accs[3]
	h.block(send(t, a, b, 1, 0)) // block 1: ran over genesis
	// a's body and key, b's signature
	forged := signTx(t, account{priv: b.priv, pub: a.pub, addr: a.addr}, testChain, 3, goodFee, true,
		&bank.MsgSend{From: a.addr, To: d.addr, Amount: coin.New("ugrd", 77)})
	blocks := [][][]byte{
		{send(t, a, b, 5_000, 1), send(t, a, c, 7_000, 2), send(t, b, d, 2*startFunds, 0), send(t, c, d, 11, 0)},
		// A proposer may include a tx whose signature fails (ProcessProposal does not verify
		// signatures): the block refuses it, so must the replay, or a's next tx would fail there.
		{[]byte("not a tx"), send(t, c, a, 3, 0), send(t, d, a, 1_000, 0), forged, send(t, a, d, 9, 3)},
	}
	times := map[int64]int64{}
	for _, txs := range blocks {
		res := h.finalize(txs)
		height, blockTime := h.height, h.time.UnixNano()
		times[height] = blockTime
		after, err := h.tree.At(height)
		if err != nil {
			t.Fatal(err)
		}
		hashBefore := h.tree.WorkingHash()
		for i := range txs {
			q := h.replay(height, blockTime, txs[:i+1])
			if q.Code != 0 {
				t.Fatalf("block %d tx %d: replay refused: %d %s", height, i, q.Code, q.Log)
			}
			var r SimulateResult
			if err := json.Unmarshal(q.Value, &r); err != nil {
				t.Fatal(err)
			}
			want := res.TxResults[i]
			if r.Code != want.Code || r.Codespace != want.Codespace || r.Log != want.Log || int64(r.GasUsed) != want.GasUsed {
				t.Errorf("block %d tx %d: replay %d/%s %q gas %d, committed %d/%s %q gas %d", height, i,
					r.Code, r.Codespace, r.Log, r.GasUsed, want.Code, want.Codespace, want.Log, want.GasUsed)
			}
			if !sameEvents(want.Events, r.Events) {
				t.Errorf("block %d tx %d: replayed events differ:\n%v\ncommitted:\n%v", height, i, r.Events, want.Events)
			}
			if want.Code == 0 && len(r.Changes) == 0 {
				t.Errorf("block %d tx %d: a successful tx replayed with no writes", height, i)
			}
			for _, ch := range r.Changes {
				if ch.Module == "" || ch.KeyText == "" {
					t.Errorf("block %d tx %d: change %s has no owner or key text", height, i, ch.Key)
				}
			}
			// The last tx's writes outside fees (end-of-block base fee) and the app's own
			// record (block time) are the committed state.
			if i == len(txs)-1 {
				for _, ch := range r.Changes {
					if ch.Module == "fees" || ch.Module == "app" {
						continue
					}
					k, _ := hex.DecodeString(ch.Key)
					v, _ := hex.DecodeString(ch.Value)
					if got := after.Get(k); !bytes.Equal(got, v) {
						t.Errorf("block %d tx %d: replay writes %s (%s) = %s, the committed state has %x", height, i, ch.KeyText, ch.Module, ch.Value, got)
					}
				}
			}
		}
		if !bytes.Equal(h.tree.WorkingHash(), hashBefore) {
			t.Fatalf("replay changed the working state")
		}
	}
	// Block 2's first tx: a send; its writes name the bank balances with their amounts decoded.
	q := h.replay(2, times[2], blocks[0][:1])
	var r SimulateResult
	_ = json.Unmarshal(q.Value, &r)
	var sawBalance bool
	for _, ch := range r.Changes {
		if ch.Module == "bank" && strings.HasPrefix(ch.KeyText, "b/") && strings.HasSuffix(ch.KeyText, "ugrd") {
			var amt string
			if err := json.Unmarshal(ch.Decoded, &amt); err != nil {
				t.Errorf("balance %s decoded as %s: %v", ch.KeyText, ch.Decoded, err)
			}
			sawBalance = true
		}
	}
	if !sawBalance {
		t.Errorf("a send's replay shows no bank balance write: %+v", r.Changes)
	}
}

// TestReplayRefusals: bad replay queries get ErrBadQuery with a message, never a node error.
func TestReplayRefusals(t *testing.T) {
	h := newHarness(t, store.OpenMemory(), 2, fees.DefaultParams())
	a, b := h.accs[0], h.accs[1]
	one := send(t, a, b, 1, 0)
	h.block(one)
	two := send(t, a, b, 1, 1)
	h.block(two)
	enc := func(rr ReplayRequest) []byte { b, _ := canon.Marshal(rr); return b }
	cases := []struct {
		name   string
		height int64
		data   []byte
		want   string
	}{
		{"genesis block", 0, enc(ReplayRequest{Height: 1, Txs: [][]byte{one}}), "genesis"},
		{"height mismatch", 1, enc(ReplayRequest{Height: 3, Txs: [][]byte{two}}), "reads the state at height 2"},
		{"no txs", 1, enc(ReplayRequest{Height: 2}), "needs the block's txs"},
		{"not cbor", 1, []byte("{}"), "replay request"},
		{"too many txs", 1, enc(ReplayRequest{Height: 2, Txs: make([][]byte, MaxReplayTxs+1)}), "at most 1000"},
		{"state not kept", 7, enc(ReplayRequest{Height: 8, Txs: [][]byte{two}}), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := h.app.Query(context.Background(), &abci.QueryRequest{Path: "/replay", Height: c.height, Data: c.data})
			if err != nil {
				t.Fatal(err)
			}
			if r.Code == 0 || !strings.Contains(r.Log, c.want) {
				t.Fatalf("got code %d %q, want a refusal saying %q", r.Code, r.Log, c.want)
			}
		})
	}
}

// FuzzReplayQuery: any bytes as a replay request get an answer or a refusal, never a node error
// or a panic, and never change the state.
func FuzzReplayQuery(f *testing.F) {
	h := newHarness(f, store.OpenMemory(), 2, fees.DefaultParams())
	a, b := h.accs[0], h.accs[1]
	h.block(send(f, a, b, 1, 0))
	two := send(f, a, b, 1, 1)
	h.block(two)
	good, _ := canon.Marshal(ReplayRequest{Height: 2, Time: h.time.UnixNano(), Txs: [][]byte{two}})
	f.Add(good)
	bad, _ := canon.Marshal(ReplayRequest{Height: 2, Txs: [][]byte{[]byte("x"), two, two}})
	f.Add(bad)
	f.Add([]byte{0xa0})
	f.Add([]byte("not cbor"))
	hash := h.tree.WorkingHash()
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := h.app.Query(context.Background(), &abci.QueryRequest{Path: "/replay", Height: 1, Data: data})
		if err != nil {
			t.Fatalf("replay query: node error %v", err)
		}
		if r.Code == 0 {
			var res SimulateResult
			if err := json.Unmarshal(r.Value, &res); err != nil {
				t.Fatalf("answer is not a SimulateResult: %v", err)
			}
		}
		if !bytes.Equal(h.tree.WorkingHash(), hash) {
			t.Fatal("a replay changed the state")
		}
	})
}

// BenchmarkReplay measures GET /v1/txs/{hash}/changes's work in the app: replaying the first
// and the last tx of a committed block of 1,000 transfers (the last re-runs all 1,000) over
// the state on disk, against executing and committing such a block (BenchmarkFinalizeBlock)
// in the same run.
func BenchmarkReplay(b *testing.B) {
	tree, err := store.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer tree.Close()
	h := newHarness(b, tree, benchAccounts, fees.DefaultParams())
	h.block()
	const per = 1000
	txs := presign(b, h, per)
	res := h.finalize(txs)
	for _, r := range res.TxResults {
		if r.Code != 0 {
			b.Fatalf("block tx failed: %s", r.Log)
		}
	}
	height, blockTime := h.height, h.time.UnixNano()
	for _, n := range []int{1, per} {
		b.Run(fmt.Sprintf("txs=%d", n), func(b *testing.B) {
			data, err := canon.Marshal(ReplayRequest{Height: height, Time: blockTime, Txs: txs[:n]})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				q, err := h.app.Query(context.Background(), &abci.QueryRequest{Path: "/replay", Height: height - 1, Data: data})
				if err != nil || q.Code != 0 {
					b.Fatalf("replay: %v %s", err, q.Log)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/tx")
		})
	}
}

// FuzzDescribeChange: any key and value describe without a panic; a decoded value is JSON.
func FuzzDescribeChange(f *testing.F) {
	h := newHarness(f, store.OpenMemory(), 1, fees.DefaultParams())
	f.Add([]byte("\x02b/\x01\x02ugrd"), canon.MustMarshal(uint64(42)))
	f.Add([]byte{0x01}, []byte{0xa2, 0x01, 0x41, 0xff, 0x02, 0x63, 'a', 'b', 'c'})
	f.Add([]byte{}, []byte{0xf9, 0x3c, 0x00}) // a float: not decoded
	f.Add([]byte{0xff, '\\'}, []byte("not cbor"))
	f.Fuzz(func(t *testing.T, key, value []byte) {
		c := h.app.describeChange(store.Change{Key: key, Value: value})
		if c.Key != hex.EncodeToString(key) || c.Value != hex.EncodeToString(value) {
			t.Fatalf("raw key/value not kept: %+v", c)
		}
		if len(c.Decoded) > 0 && !json.Valid(c.Decoded) {
			t.Fatalf("decoded is not JSON: %s", c.Decoded)
		}
	})
}
