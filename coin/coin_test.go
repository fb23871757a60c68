package coin

import (
	"errors"
	"testing"
)

var grd = []Unit{{Base: "ugrd", Display: "GRD", Exponent: 6}}

func TestParse(t *testing.T) {
	cases := []struct {
		in      string
		want    Coin
		wantErr bool
	}{
		{"1500ugrd", New("ugrd", 1500), false},
		{"1.5GRD", New("ugrd", 1_500_000), false},
		{"2GRD", New("ugrd", 2_000_000), false},
		{"1.5 GRD", New("ugrd", 1_500_000), false},
		{"1.5  GRD", Coin{}, true},
		{"0.000001GRD", New("ugrd", 1), false},
		{"7EURt", New("EURt", 7), false},
		{"0ugrd", Coin{}, true},
		{"0.0GRD", Coin{}, true},
		{"-5ugrd", Coin{}, true},
		{"1.0000001GRD", Coin{}, true},
		{"1.5ugrd", Coin{}, true},
		{"1.5EURt", Coin{}, true},
		{"18446744073709551616ugrd", Coin{}, true},
		{"99999999999999GRD", Coin{}, true},
		{"ugrd", Coin{}, true},
		{"12", Coin{}, true},
		{"1 ugrd x", Coin{}, true},
	}
	for _, c := range cases {
		got, err := Parse(c.in, grd)
		if (err != nil) != c.wantErr || (!c.wantErr && got != c.want) {
			t.Errorf("Parse(%q) = %v, %v; want %v, err=%v", c.in, got, err, c.want, c.wantErr)
		}
	}
}

func TestFormat(t *testing.T) {
	for in, want := range map[Amount]string{1_500_000: "1.5 GRD", 1: "0.000001 GRD", 3_000_000: "3 GRD", 0: "0 GRD"} {
		if got := Format(New("ugrd", in), grd); got != want {
			t.Errorf("Format(%d) = %q, want %q", in, got, want)
		}
	}
	if got := Format(New("EURt", 5), grd); got != "5EURt" {
		t.Errorf("Format unknown = %q", got)
	}
}

func TestArithmetic(t *testing.T) {
	if _, err := MaxAmount.Add(1); !errors.Is(err, ErrOverflow) {
		t.Error("Add overflow not detected")
	}
	if _, err := Amount(1).Sub(2); !errors.Is(err, ErrOverflow) {
		t.Error("Sub below zero not detected")
	}
	if _, err := MaxAmount.Mul(2); !errors.Is(err, ErrOverflow) {
		t.Error("Mul overflow not detected")
	}
	if s, _ := Amount(5).Add(7); s != 12 {
		t.Error("Add")
	}
	// 7 holders of 100 units sharing 1000: 1000*13/100 = 130 exactly; 1000*1/7 = 142 rem 6.
	q, r, err := Amount(1000).MulDiv(1, 7)
	if err != nil || q != 142 || r != 6 {
		t.Errorf("MulDiv = %d %d %v", q, r, err)
	}
	// 128-bit intermediate: MaxAmount * 3 / 4 does not overflow the result.
	q, _, err = MaxAmount.MulDiv(3, 4)
	if err != nil || q != Amount(uint64(MaxAmount)/4*3+2) {
		t.Errorf("MulDiv big = %d %v", q, err)
	}
	if _, _, err := MaxAmount.MulDiv(2, 1); !errors.Is(err, ErrOverflow) {
		t.Error("MulDiv overflow not detected")
	}
}
