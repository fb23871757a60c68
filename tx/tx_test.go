package tx

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/codes"
)

const testChain = "test-chain"

// testMsg is a msg type for these tests only.
type testMsg struct {
	From address.Address `cbor:"1,keyasint"`
	N    uint64          `cbor:"2,keyasint"`
}

func (*testMsg) MsgType() string           { return "test/msg" }
func (m *testMsg) Signer() address.Address { return m.From }
func (m *testMsg) Validate() error {
	if m.N == 0 {
		return errors.New("n must be positive")
	}
	return nil
}

// otherMsg is a second msg type, to check the registry's ordering.
type otherMsg struct {
	From address.Address `cbor:"1,keyasint"`
}

func (*otherMsg) MsgType() string           { return "test/a_other" }
func (m *otherMsg) Signer() address.Address { return m.From }
func (m *otherMsg) Validate() error         { return nil }

func testRegistry() *Registry {
	r := NewRegistry()
	r.Register(&testMsg{}, &otherMsg{})
	return r
}

// testKey is a deterministic ed25519 key, so signatures (and seed corpus files) are reproducible.
type testKey struct {
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
	addr address.Address
}

func newTestKey(seed byte) testKey {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	pub := priv.Public().(ed25519.PublicKey)
	return testKey{pub: pub, priv: priv, addr: address.FromPubKey(KeyEd25519, pub)}
}

func (k testKey) sign(m []byte) []byte { return ed25519.Sign(k.priv, m) }

func mustPack(t testing.TB, m Msg) Any {
	t.Helper()
	a, err := Pack(m)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func validBody(t testing.TB, k testKey) Body {
	return Body{
		ChainID: testChain,
		Signer:  k.addr,
		Nonce:   7,
		Fee:     Fee{GasLimit: 50_000, MaxFee: 1_000_000, Tip: 100},
		Msgs:    []Any{mustPack(t, &testMsg{From: k.addr, N: 3})},
		Memo:    "hello",
	}
}

func mustSign(t testing.TB, b Body, k testKey, pub []byte) []byte {
	t.Helper()
	raw, err := Sign(b, pub, k.sign)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// --- a tiny hand-rolled CBOR writer, to craft encodings the canonical encoder never produces ---

// head is the minimal header of a CBOR item of the given major type and argument.
func head(major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return []byte{m | byte(n)}
	case n <= 0xff:
		return []byte{m | 24, byte(n)}
	case n <= 0xffff:
		return []byte{m | 25, byte(n >> 8), byte(n)}
	case n <= 0xffffffff:
		return []byte{m | 26, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
	}
	return []byte{m | 27, byte(n >> 56), byte(n >> 48), byte(n >> 40), byte(n >> 32), byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
}

func key(n uint64) []byte { return head(0, n) }

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

type kv struct{ k, v []byte }

// cmap writes a definite-length map of pairs in the given order (no sorting, no dedup).
func cmap(pairs ...kv) []byte {
	out := head(5, uint64(len(pairs)))
	for _, p := range pairs {
		out = append(append(out, p.k...), p.v...)
	}
	return out
}

func enc(t testing.TB, v any) []byte {
	t.Helper()
	b, err := Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bodyPairs are the body's fields in canonical order, each encoded canonically.
func bodyPairs(t testing.TB, b Body) []kv {
	ps := []kv{
		{key(1), enc(t, b.ChainID)},
		{key(2), enc(t, b.Signer)},
		{key(3), enc(t, b.Nonce)},
		{key(4), enc(t, &b.Fee)},
		{key(5), enc(t, b.Msgs)},
	}
	if b.Memo != "" {
		ps = append(ps, kv{key(6), enc(t, b.Memo)})
	}
	return ps
}

// wire writes the outer tx map around raw body and signatures bytes.
func wire(body, sigs []byte) []byte {
	return cat(head(5, 2), key(1), body, key(2), sigs)
}

func sigsFor(t testing.TB, k testKey, body []byte) []byte {
	return enc(t, []Signature{{KeyType: KeyEd25519, PubKey: k.pub, Sig: k.sign(SignBytes(testChain, body))}})
}

func TestCraftedEncodingMatchesEncoder(t *testing.T) {
	// The hand-rolled writer must reproduce the encoder's output for the valid case, or the
	// crafted malformations below would test something else than intended.
	k := newTestKey(1)
	b := validBody(t, k)
	body := cmap(bodyPairs(t, b)...)
	if want := enc(t, &b); !bytes.Equal(body, want) {
		t.Fatalf("crafted body %x, encoder %x", body, want)
	}
	raw := wire(body, sigsFor(t, k, body))
	if want := mustSign(t, b, k, k.pub); !bytes.Equal(raw, want) {
		t.Fatalf("crafted tx %x, Sign %x", raw, want)
	}
	for _, n := range []uint64{0, 23, 24, 255, 256, 65535, 65536, 1 << 32, 1<<64 - 1} {
		if got, want := head(0, n), enc(t, n); !bytes.Equal(got, want) {
			t.Fatalf("head(%d) = %x, encoder %x", n, got, want)
		}
	}
}

func TestSignDecodeRoundTrip(t *testing.T) {
	k := newTestKey(1)
	other := newTestKey(2)
	reg := testRegistry()
	body := validBody(t, k)
	raw := mustSign(t, body, k, k.pub)

	d, err := Decode(raw, reg, testChain, len(raw)) // exactly at the size limit
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if !bytes.Equal(d.Bytes, raw) {
		t.Fatal("Decoded.Bytes differ from the input")
	}
	if want := sha256.Sum256(raw); d.Hash != want {
		t.Fatalf("hash %x, want sha256 %x", d.Hash, want)
	}
	if want := fmt.Sprintf("%X", sha256.Sum256(raw)); d.HashHex() != want || strings.ToUpper(d.HashHex()) != d.HashHex() {
		t.Fatalf("HashHex %s, want %s", d.HashHex(), want)
	}
	bodyBytes := enc(t, &body)
	wantSB := append(append([]byte("girder/tx/v1"), "test-chain"...), bodyBytes...)
	if !bytes.Equal(d.SignBytes, wantSB) {
		t.Fatalf("SignBytes %x, want DomainTag‖chainID‖CBOR(body) %x", d.SignBytes, wantSB)
	}
	if !reflect.DeepEqual(d.Tx.Body, body) {
		t.Fatalf("body %+v, want %+v", d.Tx.Body, body)
	}
	if len(d.Msgs) != 1 || !reflect.DeepEqual(d.Msgs[0], &testMsg{From: k.addr, N: 3}) {
		t.Fatalf("msgs %#v", d.Msgs)
	}
	if s := d.Tx.Signatures; len(s) != 1 || s[0].KeyType != KeyEd25519 || !bytes.Equal(s[0].PubKey, k.pub) || len(s[0].Sig) != ed25519.SignatureSize {
		t.Fatalf("signatures %+v", s)
	}
	if !d.VerifySignature(k.pub) {
		t.Fatal("signature does not verify with the signer's key")
	}
	if d.VerifySignature(other.pub) {
		t.Fatal("signature verifies with another key")
	}
	if d.VerifySignature(k.pub[:31]) || d.VerifySignature(nil) {
		t.Fatal("signature verifies with a malformed key")
	}

	// Flip one byte of the signature (the last 64 bytes of the tx): still decodes, no longer verifies.
	for _, i := range []int{len(raw) - 1, len(raw) - ed25519.SignatureSize} {
		bad := append([]byte(nil), raw...)
		bad[i] ^= 0x01
		db, err := Decode(bad, reg, testChain, 1<<16)
		if err != nil {
			t.Fatalf("flipped byte %d: Decode: %v", i, err)
		}
		if db.Hash == d.Hash {
			t.Fatal("different bytes, same hash")
		}
		if db.VerifySignature(k.pub) {
			t.Fatalf("signature with byte %d flipped verifies", i)
		}
	}

	// The same signature over a different body (nonce changed) does not verify.
	tampered := body
	tampered.Nonce++
	tb := enc(t, &tampered)
	sigs := enc(t, d.Tx.Signatures)
	dt, err := Decode(wire(tb, sigs), reg, testChain, 1<<16)
	if err != nil {
		t.Fatal(err)
	}
	if dt.VerifySignature(k.pub) {
		t.Fatal("signature verifies over a tampered body")
	}

	// A tx signed for another chain verifies only there: its sign bytes name that chain.
	ob := body
	ob.ChainID = "other-chain"
	oraw := mustSign(t, ob, k, k.pub)
	od, err := Decode(oraw, reg, "other-chain", 1<<16)
	if err != nil || !od.VerifySignature(k.pub) {
		t.Fatalf("other chain: %v", err)
	}
	if !bytes.HasPrefix(od.SignBytes, []byte(DomainTag+"other-chain")) {
		t.Fatalf("sign bytes %q do not name the chain", od.SignBytes[:30])
	}
}

func TestSignWithoutPubKey(t *testing.T) {
	k := newTestKey(1)
	raw := mustSign(t, validBody(t, k), k, nil)
	d, err := Decode(raw, testRegistry(), testChain, 1<<16)
	if err != nil {
		t.Fatal(err)
	}
	if d.Tx.Signatures[0].PubKey != nil {
		t.Fatalf("pubkey %x, want none", d.Tx.Signatures[0].PubKey)
	}
	if !d.VerifySignature(k.pub) {
		t.Fatal("signature does not verify")
	}
	withKey := mustSign(t, validBody(t, k), k, k.pub)
	if len(withKey) != len(raw)+1+2+ed25519.PublicKeySize {
		t.Fatalf("the pubkey should add a key, a 2-byte header and 32 bytes: %d vs %d", len(withKey), len(raw))
	}
}

func TestDecodeRejects(t *testing.T) {
	k := newTestKey(1)
	other := newTestKey(2)
	reg := testRegistry()
	good := validBody(t, k)
	valid := mustSign(t, good, k, k.pub)

	// withBody signs a modified copy of the valid body with the canonical encoder.
	withBody := func(edit func(b *Body)) []byte {
		b := validBody(t, k)
		edit(&b)
		return mustSign(t, b, k, k.pub)
	}
	// withPairs writes a body from edited canonical pairs, wrapped with a signature.
	withPairs := func(edit func(ps []kv) []kv) []byte {
		body := cmap(edit(bodyPairs(t, good))...)
		return wire(body, sigsFor(t, k, body))
	}
	// withSigs wraps the valid body with the given signatures.
	withSigs := func(sigs []Signature) []byte {
		return wire(enc(t, &good), enc(t, sigs))
	}
	goodSig := Signature{KeyType: KeyEd25519, PubKey: k.pub, Sig: k.sign(SignBytes(testChain, enc(t, &good)))}
	validBodyBytes := enc(t, &good)
	validSigs := sigsFor(t, k, validBodyBytes)
	msgs := func(n int) []Any {
		out := make([]Any, n)
		for i := range out {
			out[i] = mustPack(t, &testMsg{From: k.addr, N: uint64(i + 1)})
		}
		return out
	}
	anyMsg := func(typ string, value []byte) []byte {
		return cmap(kv{key(1), enc(t, typ)}, kv{key(2), value})
	}

	cases := []struct {
		name     string
		in       []byte
		maxBytes int
		want     *codes.Error // nil: must decode
	}{
		// malformed CBOR
		{name: "empty input", in: nil, want: ErrMalformed},
		{name: "random bytes", in: []byte{0xff, 0x13, 0x37, 0xc0, 0xde}, want: ErrMalformed},
		{name: "reserved additional info", in: []byte{0x1c}, want: ErrMalformed},
		{name: "truncated tx", in: valid[:len(valid)-10], want: ErrMalformed},
		{name: "truncated by one byte", in: valid[:len(valid)-1], want: ErrMalformed},
		{name: "trailing byte after a valid tx", in: append(append([]byte(nil), valid...), 0x00), want: ErrMalformed},
		{name: "two txs back to back", in: append(append([]byte(nil), valid...), valid...), maxBytes: 1 << 16, want: ErrMalformed},
		{name: "array instead of map", in: enc(t, []uint64{1, 2}), want: ErrMalformed},
		{name: "body is an integer", in: wire(enc(t, 5), validSigs), want: ErrMalformed},
		// null decodes to the zero body, whose canonical encoding is not null.
		{name: "body is null", in: wire([]byte{0xf6}, validSigs), want: ErrNonCanonical},
		{name: "tagged body", in: wire(cat([]byte{0xc1}, validBodyBytes), validSigs), want: ErrMalformed},
		{name: "invalid utf-8 in memo", in: withPairs(func(ps []kv) []kv {
			ps[5].v = []byte{0x62, 0xc3, 0x28}
			return ps
		}), want: ErrMalformed},

		// non-canonical encodings
		{name: "outer key in long form", in: cat(head(5, 2), []byte{0x18, 0x01}, validBodyBytes, key(2), validSigs), want: ErrNonCanonical},
		{name: "outer map length in long form", in: cat([]byte{0xb8, 0x02}, key(1), validBodyBytes, key(2), validSigs), want: ErrNonCanonical},
		{name: "outer keys out of order", in: cat(head(5, 2), key(2), validSigs, key(1), validBodyBytes), want: ErrNonCanonical},
		{name: "nonce in long form", in: withPairs(func(ps []kv) []kv {
			ps[2].v = []byte{0x18, 0x07}
			return ps
		}), want: ErrNonCanonical},
		{name: "max fee in 8-byte form", in: withPairs(func(ps []kv) []kv {
			ps[3].v = cmap(kv{key(1), enc(t, uint64(50_000))}, kv{key(2), []byte{0x1b, 0, 0, 0, 0, 0, 0x0f, 0x42, 0x40}}, kv{key(3), enc(t, uint64(100))})
			return ps
		}), want: ErrNonCanonical},
		{name: "body keys out of order", in: withPairs(func(ps []kv) []kv {
			ps[0], ps[1] = ps[1], ps[0]
			return ps
		}), want: ErrNonCanonical},
		{name: "fee keys out of order", in: withPairs(func(ps []kv) []kv {
			ps[3].v = cmap(kv{key(2), enc(t, uint64(1_000_000))}, kv{key(1), enc(t, uint64(50_000))}, kv{key(3), enc(t, uint64(100))})
			return ps
		}), want: ErrNonCanonical},
		{name: "zero tip written out", in: withPairs(func(ps []kv) []kv {
			ps[3].v = cmap(kv{key(1), enc(t, uint64(50_000))}, kv{key(2), enc(t, uint64(1_000_000))}, kv{key(3), key(0)})
			return ps
		}), want: ErrNonCanonical},
		{name: "empty memo written out", in: withPairs(func(ps []kv) []kv {
			ps[5].v = enc(t, "")
			return ps
		}), want: ErrNonCanonical},
		{name: "nonce field missing", in: withPairs(func(ps []kv) []kv {
			return append(ps[:2:2], ps[3:]...)
		}), want: ErrNonCanonical},
		{name: "msg value in long form", in: withBody(func(b *Body) {
			v := cat(head(5, 2), key(1), enc(t, k.addr), key(2), []byte{0x18, 0x03})
			b.Msgs = []Any{{Type: "test/msg", Value: v}}
		}), want: ErrNonCanonical},
		// Indefinite lengths are refused by the decoder itself, before the canonical check, so
		// they answer ErrMalformed (not ErrNonCanonical).
		{name: "indefinite-length msgs array", in: withPairs(func(ps []kv) []kv {
			ps[4].v = cat([]byte{0x9f}, enc(t, good.Msgs[0]), []byte{0xff})
			return ps
		}), want: ErrMalformed},
		{name: "indefinite-length signatures array", in: cat(head(5, 2), key(1), validBodyBytes, key(2), []byte{0x9f}, enc(t, goodSig), []byte{0xff}), want: ErrMalformed},
		{name: "indefinite-length chain id", in: withPairs(func(ps []kv) []kv {
			ps[0].v = cat([]byte{0x7f}, enc(t, "test"), enc(t, "-chain"), []byte{0xff})
			return ps
		}), want: ErrMalformed},
		{name: "indefinite-length outer map", in: cat([]byte{0xbf}, key(1), validBodyBytes, key(2), validSigs, []byte{0xff}), want: ErrMalformed},

		// duplicate keys and unknown fields
		{name: "duplicate outer key", in: cat(head(5, 3), key(1), validBodyBytes, key(2), validSigs, key(2), validSigs), want: ErrMalformed},
		{name: "duplicate body key", in: withPairs(func(ps []kv) []kv {
			return append(ps, kv{key(3), enc(t, uint64(8))})
		}), want: ErrMalformed},
		{name: "duplicate body key, same value, in order", in: withPairs(func(ps []kv) []kv {
			return append(ps[:3:3], append([]kv{ps[2]}, ps[3:]...)...)
		}), want: ErrMalformed},
		{name: "unknown body field", in: withPairs(func(ps []kv) []kv {
			return append(ps, kv{key(7), enc(t, uint64(1))})
		}), want: ErrMalformed},
		{name: "unknown outer field", in: cat(head(5, 3), key(1), validBodyBytes, key(2), validSigs, key(3), key(0)), want: ErrMalformed},
		// A text key "1" matches field 1 by name, but the canonical key is the integer 1.
		{name: "text key in body", in: withPairs(func(ps []kv) []kv {
			ps[0].k = enc(t, "1")
			return ps
		}), want: ErrNonCanonical},
		{name: "text key unknown to the body", in: withPairs(func(ps []kv) []kv {
			ps[0].k = enc(t, "chain_id")
			return ps
		}), want: ErrMalformed},
		{name: "unknown signature field", in: wire(validBodyBytes, cat(head(4, 1), cmap(kv{key(1), enc(t, KeyEd25519)}, kv{key(2), enc(t, []byte(k.pub))}, kv{key(3), enc(t, goodSig.Sig)}, kv{key(4), key(0)}))), want: ErrMalformed},
		{name: "unknown msg field", in: withBody(func(b *Body) {
			v := cat(head(5, 3), key(1), enc(t, k.addr), key(2), key(3), key(3), key(1))
			b.Msgs = []Any{{Type: "test/msg", Value: v}}
		}), want: ErrMalformed},
		{name: "msg value of wrong type", in: withPairs(func(ps []kv) []kv {
			ps[4].v = cat(head(4, 1), anyMsg("test/msg", enc(t, "a string")))
			return ps
		}), want: ErrMalformed},
		{name: "signer of 19 bytes", in: withPairs(func(ps []kv) []kv {
			ps[1].v = enc(t, k.addr[:19])
			return ps
		}), want: ErrMalformed},

		// size
		{name: "one byte over the size limit", in: valid, maxBytes: len(valid) - 1, want: ErrTooLarge},
		{name: "oversize garbage is refused before parsing", in: bytes.Repeat([]byte{0xff}, 2000), maxBytes: 1000, want: ErrTooLarge},
		{name: "exactly at the size limit", in: valid, maxBytes: len(valid)},

		// msgs
		{name: "unknown msg type", in: withBody(func(b *Body) {
			b.Msgs = []Any{{Type: "test/nope", Value: enc(t, &testMsg{From: k.addr, N: 1})}}
		}), want: ErrUnknownMsg},
		{name: "unknown second msg type", in: withBody(func(b *Body) {
			b.Msgs = append(b.Msgs, Any{Type: "bank/send", Value: enc(t, &testMsg{From: k.addr, N: 1})})
		}), want: ErrUnknownMsg},
		{name: "msg failing Validate", in: withBody(func(b *Body) {
			b.Msgs = []Any{mustPack(t, &testMsg{From: k.addr, N: 0})}
		}), want: ErrInvalidMsg},
		{name: "zero signer", in: withBody(func(b *Body) {
			b.Signer = address.Address{}
			b.Msgs = []Any{mustPack(t, &testMsg{N: 1})}
		}), want: ErrInvalidMsg},
		{name: "zero msgs (empty array)", in: withBody(func(b *Body) { b.Msgs = []Any{} }), want: ErrNoMsgs},
		{name: "zero msgs (null)", in: withBody(func(b *Body) { b.Msgs = nil }), want: ErrNoMsgs},
		{name: "MaxMsgs msgs", in: withBody(func(b *Body) { b.Msgs = msgs(MaxMsgs) })},
		{name: "MaxMsgs+1 msgs", in: withBody(func(b *Body) { b.Msgs = msgs(MaxMsgs + 1) }), want: ErrTooManyMsgs},
		{name: "msg signer is not the body signer", in: withBody(func(b *Body) {
			b.Msgs = []Any{mustPack(t, &testMsg{From: k.addr, N: 1}), mustPack(t, &otherMsg{From: other.addr})}
		}), want: ErrWrongSigner},

		// signatures
		{name: "zero signatures", in: withSigs([]Signature{}), want: ErrSignatures},
		{name: "null signatures", in: wire(validBodyBytes, []byte{0xf6}), want: ErrSignatures},
		{name: "two signatures", in: withSigs([]Signature{goodSig, goodSig}), want: ErrSignatures},
		{name: "key type secp256k1", in: withSigs([]Signature{{KeyType: "secp256k1", PubKey: k.pub, Sig: goodSig.Sig}}), want: ErrKeyType},
		{name: "empty key type", in: withSigs([]Signature{{PubKey: k.pub, Sig: goodSig.Sig}}), want: ErrKeyType},
		{name: "pubkey of 31 bytes", in: withSigs([]Signature{{KeyType: KeyEd25519, PubKey: k.pub[:31], Sig: goodSig.Sig}}), want: ErrKeyType},
		{name: "pubkey of 33 bytes", in: withSigs([]Signature{{KeyType: KeyEd25519, PubKey: append(append([]byte(nil), k.pub...), 0), Sig: goodSig.Sig}}), want: ErrKeyType},
		{name: "empty pubkey written out", in: wire(validBodyBytes, cat(head(4, 1), cmap(kv{key(1), enc(t, KeyEd25519)}, kv{key(2), []byte{0x40}}, kv{key(3), enc(t, goodSig.Sig)}))), want: ErrNonCanonical},
		{name: "no pubkey", in: withSigs([]Signature{{KeyType: KeyEd25519, Sig: goodSig.Sig}})},

		// body fields
		{name: "wrong chain id", in: withBody(func(b *Body) { b.ChainID = "other-chain" }), want: ErrChainID},
		{name: "empty chain id", in: withBody(func(b *Body) { b.ChainID = "" }), want: ErrChainID},
		{name: "memo of 256 bytes", in: withBody(func(b *Body) { b.Memo = strings.Repeat("m", MaxMemo) })},
		{name: "memo of 257 bytes", in: withBody(func(b *Body) { b.Memo = strings.Repeat("m", MaxMemo+1) }), want: ErrMemo},
		{name: "memo of 86 three-byte runes (258 bytes)", in: withBody(func(b *Body) { b.Memo = strings.Repeat("€", 86) }), want: ErrMemo},
		{name: "tip equal to max fee", in: withBody(func(b *Body) { b.Fee.Tip = b.Fee.MaxFee })},
		{name: "tip above max fee", in: withBody(func(b *Body) { b.Fee.Tip = b.Fee.MaxFee + 1 }), want: ErrFee},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			maxBytes := c.maxBytes
			if maxBytes == 0 {
				maxBytes = 1 << 16
			}
			d, err := Decode(c.in, reg, testChain, maxBytes)
			if c.want == nil {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if !bytes.Equal(d.Bytes, c.in) || d.Hash != sha256.Sum256(c.in) {
					t.Fatal("decoded bytes or hash differ from the input")
				}
				return
			}
			if err == nil {
				t.Fatalf("decoded %x, want %s", c.in, c.want.Desc)
			}
			if d != nil {
				t.Fatal("a failed Decode returned a tx")
			}
			var ce *codes.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T) is not a *codes.Error", err, err)
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("error %q (%s/%d), want %s/%d %q", err, ce.Module, ce.Code, c.want.Module, c.want.Code, c.want.Desc)
			}
			if !strings.HasPrefix(err.Error(), c.want.Desc) {
				t.Fatalf("message %q does not start with %q", err, c.want.Desc)
			}
		})
	}
}

func TestErrorCodesAreDistinct(t *testing.T) {
	all := []*codes.Error{ErrTooLarge, ErrMalformed, ErrNonCanonical, ErrUnknownMsg, ErrInvalidMsg, ErrNoMsgs,
		ErrTooManyMsgs, ErrSignatures, ErrChainID, ErrMemo, ErrKeyType, ErrWrongSigner, ErrFee}
	for i, a := range all {
		if a.Module != "tx" {
			t.Fatalf("%q has module %q", a.Desc, a.Module)
		}
		if got, ok := codes.Lookup("tx", a.Code); !ok || got != a {
			t.Fatalf("Lookup(tx, %d) = %v, %v", a.Code, got, ok)
		}
		for j, b := range all {
			if i != j && errors.Is(a, b) {
				t.Fatalf("%q matches %q", a.Desc, b.Desc)
			}
		}
	}
}

func TestRegistry(t *testing.T) {
	r := testRegistry()
	if got := r.Types(); !reflect.DeepEqual(got, []string{"test/a_other", "test/msg"}) {
		t.Fatalf("Types() = %v", got)
	}
	mustPanic := func(name string, fn func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Fatalf("%s: no panic", name)
			}
		}()
		fn()
	}
	mustPanic("duplicate", func() { r.Register(&testMsg{}) })
	mustPanic("non-pointer", func() { NewRegistry().Register(valueMsg{}) })

	k := newTestKey(3)
	a := mustPack(t, &testMsg{From: k.addr, N: 9})
	if a.Type != "test/msg" {
		t.Fatalf("packed type %q", a.Type)
	}
	m, err := r.DecodeMsg(a)
	if err != nil || !reflect.DeepEqual(m, &testMsg{From: k.addr, N: 9}) {
		t.Fatalf("DecodeMsg = %#v, %v", m, err)
	}
	if _, err := NewRegistry().DecodeMsg(a); !errors.Is(err, ErrUnknownMsg) {
		t.Fatalf("empty registry: %v", err)
	}
	if _, err := r.DecodeMsg(Any{Type: "test/msg", Value: []byte{0xa0}}); !errors.Is(err, ErrNonCanonical) {
		// {} decodes to the zero msg, whose canonical form lists both fields.
		t.Fatalf("empty map value: %v", err)
	}
	if _, err := r.DecodeMsg(Any{Type: "test/msg"}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("missing value: %v", err)
	}
}

type valueMsg struct{}

func (valueMsg) MsgType() string         { return "test/value" }
func (valueMsg) Validate() error         { return nil }
func (valueMsg) Signer() address.Address { return address.Address{} }

func TestValidateChainID(t *testing.T) {
	cases := []struct {
		id string
		ok bool
	}{
		{"test-chain", true},
		{"girder-1", true},
		{"a", true},
		{"0", true},
		{"girder.main_net-2", true},
		{strings.Repeat("a", MaxChainID), true},
		{strings.Repeat("a", MaxChainID+1), false},
		{"", false},
		{"Girder", false},
		{"-girder", false},
		{".girder", false},
		{"_girder", false},
		{"girder 1", false},
		{"girder/1", false},
		{"girder\n", false},
		{"\ngirder", false},
		{"gïrder", false},
	}
	for _, c := range cases {
		err := ValidateChainID(c.id)
		if (err == nil) != c.ok {
			t.Errorf("ValidateChainID(%q) = %v, want ok=%v", c.id, err, c.ok)
		}
	}
}

func TestHashString(t *testing.T) {
	h := Hash([]byte("abc"))
	s := fmt.Sprintf("%X", h[:])
	for _, in := range []string{s, strings.ToLower(s)} {
		b, err := HashString(in)
		if err != nil || !bytes.Equal(b, h[:]) {
			t.Fatalf("HashString(%s) = %x, %v", in, b, err)
		}
	}
	for _, in := range []string{"", s[:62], s + "00", "Z" + s[1:]} {
		if _, err := HashString(in); err == nil {
			t.Fatalf("HashString(%q) accepted", in)
		}
	}
}
