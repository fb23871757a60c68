package tx

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"testing"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite the seed files in testdata/fuzz/FuzzDecode")

const fuzzMaxBytes = 1 << 14

// fuzzSeeds are the seed inputs of FuzzDecode: valid txs and a few malformed ones. Keys are
// deterministic, so the seeds are too; they are also stored as files in testdata/fuzz/FuzzDecode.
func fuzzSeeds(t testing.TB) map[string][]byte {
	k := newTestKey(1)
	other := newTestKey(2)
	b := validBody(t, k)
	valid := mustSign(t, b, k, k.pub)

	two := validBody(t, k)
	two.Memo = ""
	two.Fee.Tip = 0
	two.Msgs = append(two.Msgs, mustPack(t, &otherMsg{From: k.addr}))
	validTwo := mustSign(t, two, k, nil)

	body := enc(t, &b)
	sigs := sigsFor(t, k, body)
	longNonce := bodyPairs(t, b)
	longNonce[2].v = []byte{0x18, 0x07}
	dup := append(bodyPairs(t, b), kv{key(3), enc(t, uint64(8))})
	wrongSigner := validBody(t, k)
	wrongSigner.Msgs = []Any{mustPack(t, &testMsg{From: other.addr, N: 1})}

	return map[string][]byte{
		"seed-valid":              valid,
		"seed-valid-two-msgs":     validTwo,
		"seed-empty":              {},
		"seed-garbage":            {0xff, 0x13, 0x37, 0xc0, 0xde},
		"seed-truncated":          valid[:len(valid)-10],
		"seed-trailing":           append(append([]byte(nil), valid...), 0x00),
		"seed-outer-out-of-order": cat(head(5, 2), key(2), sigs, key(1), body),
		"seed-long-nonce":         wire(cmap(longNonce...), sigs),
		"seed-dup-key":            wire(cmap(dup...), sigs),
		"seed-indefinite-sigs":    cat(head(5, 2), key(1), body, key(2), []byte{0x9f}, sigs[1:], []byte{0xff}),
		"seed-wrong-signer":       mustSign(t, wrongSigner, k, k.pub),
	}
}

// checkDecode is FuzzDecode's property: Decode never panics, and a tx it accepts is the one
// canonical encoding of what it decoded to.
func checkDecode(t *testing.T, reg *Registry, in []byte) {
	d, err := Decode(in, reg, testChain, fuzzMaxBytes)
	if err != nil {
		if d != nil {
			t.Fatal("Decode returned both a tx and an error")
		}
		return
	}
	if !bytes.Equal(d.Bytes, in) {
		t.Fatal("Decoded.Bytes differ from the input")
	}
	if d.Hash != sha256.Sum256(in) {
		t.Fatal("hash is not sha256 of the input")
	}
	body, err := Marshal(&d.Tx.Body)
	if err != nil {
		t.Fatalf("re-encode body: %v", err)
	}
	again, err := Marshal(&wireTx{Body: body, Signatures: d.Tx.Signatures})
	if err != nil {
		t.Fatalf("re-encode tx: %v", err)
	}
	if !bytes.Equal(again, in) {
		t.Fatalf("re-encoding differs from the accepted input:\n in    %x\n again %x", in, again)
	}
	if whole, err := Marshal(&d.Tx); err != nil || !bytes.Equal(whole, in) {
		t.Fatalf("Marshal(Tx) = %x, %v; want the input", whole, err)
	}
	if !bytes.Equal(d.SignBytes, SignBytes(testChain, body)) {
		t.Fatal("sign bytes do not cover the received body")
	}
	if len(d.Msgs) != len(d.Tx.Body.Msgs) || len(d.Msgs) == 0 {
		t.Fatalf("%d decoded msgs for %d wire msgs", len(d.Msgs), len(d.Tx.Body.Msgs))
	}
	for i, m := range d.Msgs {
		a, err := Pack(m)
		if err != nil || !reflect.DeepEqual(a, d.Tx.Body.Msgs[i]) {
			t.Fatalf("msg %d re-packs to %+v (%v), wire %+v", i, a, err, d.Tx.Body.Msgs[i])
		}
		if m.Signer() != d.Tx.Body.Signer {
			t.Fatalf("msg %d signer differs from the body signer", i)
		}
	}
	d2, err := Decode(in, reg, testChain, fuzzMaxBytes)
	if err != nil || d2.Hash != d.Hash || !reflect.DeepEqual(d2.Tx, d.Tx) {
		t.Fatalf("second Decode differs: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	seeds := fuzzSeeds(f)
	names := make([]string, 0, len(seeds))
	for n := range seeds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f.Add(seeds[n])
	}
	reg := testRegistry()
	f.Fuzz(func(t *testing.T, in []byte) {
		checkDecode(t, reg, in)
	})
}

func corpusFile(in []byte) []byte {
	return []byte("go test fuzz v1\n[]byte(" + strconv.Quote(string(in)) + ")\n")
}

// TestFuzzSeedCorpus keeps the seed files in step with fuzzSeeds (run with -update-corpus to
// rewrite them) and checks that the valid seeds really decode, so the corpus exercises the
// success path.
func TestFuzzSeedCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	reg := testRegistry()
	for name, in := range fuzzSeeds(t) {
		path := filepath.Join(dir, name)
		want := corpusFile(in)
		if *updateCorpus {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("seed file: %v (run go test ./tx -run TestFuzzSeedCorpus -update-corpus)", err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s is stale (run go test ./tx -run TestFuzzSeedCorpus -update-corpus)", path)
		}
		_, err = Decode(in, reg, testChain, fuzzMaxBytes)
		if isValid := name == "seed-valid" || name == "seed-valid-two-msgs"; isValid != (err == nil) {
			t.Fatalf("%s: Decode error %v", name, err)
		}
	}
}
