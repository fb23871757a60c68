package address

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	a := FromPubKey("ed25519", []byte("some public key bytes of 32 len."))
	s := a.String()
	if !strings.HasPrefix(s, "gir1") {
		t.Fatalf("address %q lacks prefix", s)
	}
	b, err := Parse(s)
	if err != nil || b != a {
		t.Fatalf("Parse(%q) = %v, %v", s, b, err)
	}
	j, _ := json.Marshal(a)
	var c Address
	if err := json.Unmarshal(j, &c); err != nil || c != a {
		t.Fatalf("json round trip: %v %v", c, err)
	}
	raw, _ := a.MarshalCBOR()
	var d Address
	if err := d.UnmarshalCBOR(raw); err != nil || d != a {
		t.Fatalf("cbor round trip: %v %v", d, err)
	}
}

func TestParseRejects(t *testing.T) {
	good := Module("fees").String()
	flipped := []byte(good)
	last := len(flipped) - 1
	if flipped[last] == 'q' {
		flipped[last] = 'p'
	} else {
		flipped[last] = 'q'
	}
	cases := map[string]string{
		"empty":           "",
		"bad checksum":    string(flipped),
		"wrong prefix":    "cosmos1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v",
		"not bech32":      "gir1!!!",
		"short payload":   "gir1qqqqqqqqqqqqqqqq5n8wkl",
		"upper and lower": strings.ToUpper(good[:5]) + good[5:],
	}
	for name, in := range cases {
		if _, err := Parse(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Parse(%q) err = %v, want ErrInvalid", name, in, err)
		}
	}
}
