package canon

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
)

type rec struct {
	A uint64 `cbor:"1,keyasint"`
	B string `cbor:"2,keyasint,omitempty"`
	C []byte `cbor:"3,keyasint,omitempty"`
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMarshalRec(t *testing.T) {
	b, err := Marshal(&rec{A: 1, B: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, "a2 01 01 02 6178"); !bytes.Equal(b, want) {
		t.Fatalf("Marshal = %x, want %x", b, want)
	}
	if got := MustMarshal(&rec{A: 1, B: "x"}); !bytes.Equal(got, b) {
		t.Fatalf("MustMarshal = %x, want %x", got, b)
	}
}

func TestUnmarshal(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		want    rec
		wantErr error // nil: accepted; ErrNonCanonical; or errAny for a decoder error
	}{
		{name: "canonical", in: "a2 01 01 02 6178", want: rec{A: 1, B: "x"}},
		{name: "canonical with bytes", in: "a3 01 18 64 02 6178 03 42 0102", want: rec{A: 100, B: "x", C: []byte{1, 2}}},
		{name: "canonical zero", in: "a1 01 00", want: rec{}},
		{name: "canonical max uint64", in: "a1 01 1b ffffffffffffffff", want: rec{A: 1<<64 - 1}},

		{name: "int in 1-byte form", in: "a1 01 18 01", wantErr: ErrNonCanonical},
		{name: "int in 2-byte form", in: "a1 01 19 0064", wantErr: ErrNonCanonical},
		{name: "int in 8-byte form", in: "a1 01 1b 00000000000000ff", wantErr: ErrNonCanonical},
		{name: "map length in long form", in: "b8 01 01 00", wantErr: ErrNonCanonical},
		{name: "string length in long form", in: "a2 01 01 02 78 01 78", wantErr: ErrNonCanonical},
		{name: "keys out of order", in: "a2 02 6178 01 01", wantErr: ErrNonCanonical},
		{name: "omitempty field written out", in: "a2 01 01 02 60", wantErr: ErrNonCanonical},
		{name: "required field missing", in: "a1 02 6178", wantErr: ErrNonCanonical},
		{name: "empty map", in: "a0", wantErr: ErrNonCanonical},
		{name: "text key matching a field", in: "a1 61 31 00", wantErr: ErrNonCanonical},

		{name: "duplicate key", in: "a2 01 01 01 02", wantErr: errAny},
		{name: "duplicate key, same value", in: "a3 01 01 01 01 02 6178", wantErr: errAny},
		{name: "unknown field", in: "a2 01 01 04 00", wantErr: errAny},
		{name: "indefinite-length map", in: "bf 01 01 ff", wantErr: errAny},
		{name: "indefinite-length string", in: "a2 01 01 02 7f 6178 ff", wantErr: errAny},
		{name: "indefinite-length bytes", in: "a2 01 01 03 5f 4101 ff", wantErr: errAny},
		{name: "tag", in: "c1 a1 01 01", wantErr: errAny},
		{name: "invalid utf-8", in: "a2 01 01 02 62 c328", wantErr: errAny},
		{name: "trailing bytes", in: "a1 01 01 00", wantErr: errAny},
		{name: "truncated", in: "a2 01 01 02 62 78", wantErr: errAny},
		{name: "empty input", in: "", wantErr: errAny},
		{name: "wrong type", in: "a1 01 61 31", wantErr: errAny},
		{name: "negative into unsigned", in: "a1 01 20", wantErr: errAny},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got rec
			err := Unmarshal(unhex(t, c.in), &got)
			switch {
			case c.wantErr == nil:
				if err != nil {
					t.Fatalf("Unmarshal: %v", err)
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Fatalf("got %+v, want %+v", got, c.want)
				}
			case c.wantErr == ErrNonCanonical:
				if err != ErrNonCanonical {
					t.Fatalf("err = %v, want ErrNonCanonical", err)
				}
			default:
				if err == nil || errors.Is(err, ErrNonCanonical) {
					t.Fatalf("err = %v, want a decoding error", err)
				}
			}
		})
	}
}

var errAny = errors.New("any decoding error")

func TestDecodeSkipsCanonicalCheckOnly(t *testing.T) {
	var r rec
	if err := Decode(unhex(t, "a1 01 18 01"), &r); err != nil || r.A != 1 {
		t.Fatalf("Decode of a long-form int: %+v, %v", r, err)
	}
	if err := Decode(unhex(t, "a2 02 6178 01 01"), &r); err != nil {
		t.Fatalf("Decode of out-of-order keys: %v", err)
	}
	for _, in := range []string{"a2 01 01 01 02", "a2 01 01 04 00", "bf 01 01 ff", "c1 a1 01 01", "a1 01 01 00"} {
		if err := Decode(unhex(t, in), &rec{}); err == nil {
			t.Fatalf("Decode(%s) accepted strict-mode violation", in)
		}
	}
}

func TestMustDecode(t *testing.T) {
	var r rec
	MustDecode(unhex(t, "a2 01 01 02 6178"), &r)
	if r.A != 1 || r.B != "x" {
		t.Fatalf("MustDecode = %+v", r)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("MustDecode of corrupt input did not panic")
		}
	}()
	MustDecode([]byte{0xff}, &r)
}

func TestMustMarshalPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("MustMarshal of an unencodable value did not panic")
		}
	}()
	MustMarshal(make(chan int))
}

func TestMarshalMapDeterministic(t *testing.T) {
	// Core deterministic encoding sorts keys by their encoded bytes: shorter text keys first,
	// then bytewise; integer keys before text keys.
	m := map[string]uint64{"b": 2, "aa": 3, "a": 1, "": 0, "ab": 4}
	want := unhex(t, "a5 60 00 61 61 01 61 62 02 62 6161 03 62 6162 04")
	for i := 0; i < 50; i++ { // Go randomizes map order; the encoding must not vary
		b, err := Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, want) {
			t.Fatalf("Marshal = %x, want %x", b, want)
		}
	}
	im := map[uint64]string{24: "c", 1: "a", 10: "b", 256: "d"}
	iwant := unhex(t, "a4 01 6161 0a 6162 18 18 6163 19 0100 6164")
	for i := 0; i < 50; i++ {
		if b := MustMarshal(im); !bytes.Equal(b, iwant) {
			t.Fatalf("Marshal = %x, want %x", b, iwant)
		}
	}
	// What Marshal writes, Unmarshal accepts and round-trips.
	var back map[string]uint64
	if err := Unmarshal(want, &back); err != nil || !reflect.DeepEqual(back, m) {
		t.Fatalf("Unmarshal = %v, %v", back, err)
	}
	// The same map with keys in another order is rejected.
	if err := Unmarshal(unhex(t, "a5 61 62 02 60 00 61 61 01 62 6161 03 62 6162 04"), &back); err != ErrNonCanonical {
		t.Fatalf("unsorted map: %v", err)
	}
}

func TestMarshalShortestForms(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{uint64(0), "00"},
		{uint64(23), "17"},
		{uint64(24), "18 18"},
		{uint64(255), "18 ff"},
		{uint64(256), "19 0100"},
		{uint64(65536), "1a 00010000"},
		{uint64(1 << 32), "1b 0000000100000000"},
		{int64(-1), "20"},
		{"", "60"},
		{[]byte{}, "40"},
		{[]uint64{}, "80"},
		{true, "f5"},
	}
	for _, c := range cases {
		b, err := Marshal(c.v)
		if err != nil {
			t.Fatal(err)
		}
		if want := unhex(t, c.want); !bytes.Equal(b, want) {
			t.Errorf("Marshal(%#v) = %x, want %x", c.v, b, want)
		}
	}
}

func TestUnmarshalAny(t *testing.T) {
	// Decoding into an interface uses map[string]any for maps, so a generic re-encoding is still
	// checked for canonical form.
	var v any
	if err := Unmarshal(unhex(t, "a2 61 61 01 61 62 02"), &v); err != nil {
		t.Fatalf("canonical map: %v", err)
	}
	if err := Unmarshal(unhex(t, "a2 61 62 02 61 61 01"), &v); err != ErrNonCanonical {
		t.Fatalf("unsorted map: %v", err)
	}
	if err := Unmarshal(unhex(t, "a2 61 61 01 61 61 02"), &v); err == nil {
		t.Fatal("duplicate key accepted")
	}
}

func TestRawMessageKeptVerbatim(t *testing.T) {
	type outer struct {
		Inner RawMessage `cbor:"1,keyasint"`
	}
	in := unhex(t, "a1 01 a2 01 01 02 6178")
	var o outer
	if err := Unmarshal(in, &o); err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, "a2 01 01 02 6178"); !bytes.Equal(o.Inner, want) {
		t.Fatalf("raw = %x, want %x", o.Inner, want)
	}
	// Marshal writes the raw bytes unchanged.
	if b := MustMarshal(&o); !bytes.Equal(b, in) {
		t.Fatalf("Marshal = %x, want %x", b, in)
	}
}

// FuzzDecodeAny: any bytes decode generically or fail with an error, never a panic; what decodes
// encodes again.
func FuzzDecodeAny(f *testing.F) {
	f.Add(MustMarshal(map[string]any{"a": uint64(1), "b": []byte{1, 2}}))
	f.Add([]byte{0xa2, 0x01, 0x02, 0x03, 0x04}) // {1: 2, 3: 4}: a record keyed by field number
	f.Add([]byte{0xa1, 0x80, 0x01})             // {[]: 1}: an unhashable key
	f.Add([]byte{0xbf, 0xff})                   // indefinite length: refused
	f.Add([]byte("not cbor"))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeAny(b)
		if err != nil {
			return
		}
		if _, err := Marshal(v); err != nil {
			t.Fatalf("decoded %#v does not encode: %v", v, err)
		}
	})
}
