package app

import (
	"bytes"
	"math/rand"
	"testing"

	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/fees"
)

// smallBlocks puts the gas target at ~8 transfers so the base fee moves within a short test.
func smallBlocks() fees.Params {
	p := fees.DefaultParams()
	p.MaxBlockGas = 100_000
	p.TargetBlockGas = 35_000
	return p
}

// traffic generates blocks of random transfers, multi-sends and failing txs; nonces are tracked
// so that most txs are valid. It is deterministic for a seed.
type traffic struct {
	rng    *rand.Rand
	accs   []account
	nonces map[int]uint64
}

func newTraffic(seed int64, accs []account) *traffic {
	return &traffic{rng: rand.New(rand.NewSource(seed)), accs: accs, nonces: map[int]uint64{}}
}

func (tr *traffic) next(t testing.TB, n int) [][]byte {
	var txs [][]byte
	used := map[int]bool{}
	for len(txs) < n {
		i := tr.rng.Intn(len(tr.accs))
		if used[i] {
			if len(used) == len(tr.accs) {
				break
			}
			continue
		}
		used[i] = true
		from := tr.accs[i]
		to := tr.accs[(i+1+tr.rng.Intn(len(tr.accs)-1))%len(tr.accs)]
		nonce := tr.nonces[i]
		var raw []byte
		switch k := tr.rng.Intn(10); {
		case k < 6: // plain transfer
			raw = send(t, from, to, coin.Amount(1+tr.rng.Intn(5_000_000)), nonce)
		case k < 8: // multi-send to two others
			o2 := tr.accs[(i+2)%len(tr.accs)]
			if o2.addr == from.addr {
				o2 = tr.accs[(i+3)%len(tr.accs)]
			}
			raw = signTx(t, from, testChain, nonce, goodFee, true, &bank.MsgMultiSend{From: from.addr, Outputs: []bank.Output{
				{To: to.addr, Amount: coin.New("ugrd", coin.Amount(1+tr.rng.Intn(1000)))},
				{To: o2.addr, Amount: coin.New("ugrd", coin.Amount(1+tr.rng.Intn(1000)))},
			}})
		case k < 9: // fails in execution: more than anyone holds (fee and nonce kept)
			raw = send(t, from, to, coin.Amount(1)<<60, nonce)
		default: // invalid: replays an old nonce (nothing kept)
			if nonce == 0 {
				raw = send(t, from, to, 1, nonce)
			} else {
				raw = send(t, from, to, 1, nonce-1)
				txs = append(txs, raw)
				continue
			}
		}
		tr.nonces[i]++
		txs = append(txs, raw)
	}
	return txs
}

// TestScenarioManyBlocks runs 150 blocks of mixed traffic and checks, after every block, every
// invariant, supply = genesis − burnt, and balances + pool = supply; the base fee rises under
// full blocks and returns to its floor after empty ones.
func TestScenarioManyBlocks(t *testing.T) {
	h := newHarness(t, store.OpenMemory(), 12, smallBlocks())
	tr := newTraffic(1, h.accs)
	h.block()
	h.checkChain()
	var ok, failed, invalid int
	maxBase := coin.Amount(0)
	for b := 0; b < 120; b++ {
		res := h.block(tr.next(t, 12)...)
		for _, r := range res.TxResults {
			switch {
			case r.Code == 0:
				ok++
			case r.GasUsed > 0:
				failed++
			default:
				invalid++
			}
		}
		h.checkChain()
		if f := h.app.Fees.BaseFee(h.ctx()); f > maxBase {
			maxBase = f
		}
	}
	p := smallBlocks()
	if maxBase <= p.MinBaseFee {
		t.Fatalf("base fee never rose above %d under full blocks", p.MinBaseFee)
	}
	prev := h.app.Fees.BaseFee(h.ctx())
	for b := 0; b < 80; b++ {
		h.block()
		h.checkChain()
		f := h.app.Fees.BaseFee(h.ctx())
		if f > prev || (prev > p.MinBaseFee && prev-f > prev/8) {
			t.Fatalf("empty block moved the base fee from %d to %d: more than 1/8 or upwards", prev, f)
		}
		prev = f
	}
	if f := h.app.Fees.BaseFee(h.ctx()); f != p.MinBaseFee {
		t.Fatalf("after empty blocks the base fee is %d, want the floor %d", f, p.MinBaseFee)
	}
	if ok < 500 || failed < 50 || invalid < 20 {
		t.Fatalf("traffic mix too thin: %d ok, %d failed in execution, %d invalid", ok, failed, invalid)
	}
	if h.app.Fees.Totals(h.ctx()).Burnt == 0 {
		t.Fatal("no fee was burnt")
	}
	t.Logf("%d ok, %d failed (fee kept), %d invalid; base fee peaked at %d", ok, failed, invalid, maxBase)
}

// TestDeterminism runs the same block sequence on three fresh apps (two in memory, one on disk)
// and requires the same app hash and the same tx results at every height.
func TestDeterminism(t *testing.T) {
	disk, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer disk.Close()
	trees := []*store.Tree{store.OpenMemory(), store.OpenMemory(), disk}
	hs := make([]*harness, len(trees))
	for i, tr := range trees {
		hs[i] = newHarness(t, tr, 8, smallBlocks())
	}
	gen := newTraffic(7, hs[0].accs)
	for b := 0; b < 60; b++ {
		txs := gen.next(t, 10)
		var first []byte
		var firstCodes []uint32
		for i, h := range hs {
			res := h.block(txs...)
			var codes []uint32
			for _, r := range res.TxResults {
				codes = append(codes, r.Code)
			}
			if i == 0 {
				first, firstCodes = res.AppHash, codes
				continue
			}
			if !bytes.Equal(res.AppHash, first) {
				t.Fatalf("height %d: app %d hash %X, app 0 hash %X", h.height, i, res.AppHash, first)
			}
			if len(codes) != len(firstCodes) {
				t.Fatalf("height %d: result count differs", h.height)
			}
			for j := range codes {
				if codes[j] != firstCodes[j] {
					t.Fatalf("height %d tx %d: code %d vs %d", h.height, j, codes[j], firstCodes[j])
				}
			}
			if !bytes.Equal(h.tree.Hash(), first) {
				t.Fatalf("height %d: committed hash differs from FinalizeBlock's", h.height)
			}
		}
	}
}

// TestRestartResumes reopens the on-disk state: Info reports the last height and app hash, and
// the next block applies on top.
func TestRestartResumes(t *testing.T) {
	dir := t.TempDir()
	tree, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, tree, 3, fees.DefaultParams())
	h.block(send(t, h.accs[0], h.accs[1], 1000, 0))
	h.block()
	hash := tree.Hash()
	tree.Close()

	tree2, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tree2.Close()
	a2, err := New(tree2, h.app.logger)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := a2.Info(nil, nil)
	if info.LastBlockHeight != 2 || !bytes.Equal(info.LastBlockAppHash, hash) {
		t.Fatalf("Info after restart = %d %X, want 2 %X", info.LastBlockHeight, info.LastBlockAppHash, hash)
	}
	if a2.ChainID() != testChain {
		t.Fatalf("chain id after restart %q", a2.ChainID())
	}
	h.app, h.tree = a2, tree2
	res := h.block(send(t, h.accs[0], h.accs[1], 1000, 1))
	if res.TxResults[0].Code != 0 {
		t.Fatalf("tx after restart failed: %s", res.TxResults[0].Log)
	}
	h.checkChain()
}
