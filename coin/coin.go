// Package coin holds amounts of assets: integer amounts in base units with overflow-checked
// arithmetic, denominations, and parsing of human amounts such as "1500ugrd" or "1.5GRD".
package coin

import (
	"errors"
	"fmt"
	"math/bits"
	"regexp"
	"strconv"
	"strings"
)

// Amount is a number of base units. Arithmetic on it is checked: it never wraps around.
type Amount uint64

// MaxAmount is the largest representable amount.
const MaxAmount = Amount(^uint64(0))

// ErrOverflow is returned by arithmetic whose result does not fit, or goes below zero.
var ErrOverflow = errors.New("amount overflow")

// Add returns a+b or ErrOverflow.
func (a Amount) Add(b Amount) (Amount, error) {
	s, carry := bits.Add64(uint64(a), uint64(b), 0)
	if carry != 0 {
		return 0, fmt.Errorf("%w: %d + %d", ErrOverflow, a, b)
	}
	return Amount(s), nil
}

// Sub returns a−b or ErrOverflow when b > a.
func (a Amount) Sub(b Amount) (Amount, error) {
	if b > a {
		return 0, fmt.Errorf("%w: %d − %d is negative", ErrOverflow, a, b)
	}
	return a - b, nil
}

// Mul returns a×b or ErrOverflow.
func (a Amount) Mul(b uint64) (Amount, error) {
	hi, lo := bits.Mul64(uint64(a), b)
	if hi != 0 {
		return 0, fmt.Errorf("%w: %d × %d", ErrOverflow, a, b)
	}
	return Amount(lo), nil
}

// MulDiv returns floor(a×num/den) and the remainder (a×num mod den), exactly, with a 128-bit
// intermediate product. den must not be zero; the quotient must fit.
func (a Amount) MulDiv(num, den uint64) (q Amount, rem uint64, err error) {
	if den == 0 {
		return 0, 0, errors.New("division by zero")
	}
	hi, lo := bits.Mul64(uint64(a), num)
	if hi >= den {
		return 0, 0, fmt.Errorf("%w: %d × %d / %d", ErrOverflow, a, num, den)
	}
	qq, r := bits.Div64(hi, lo, den)
	return Amount(qq), r, nil
}

// Denom rules: 2–64 characters, a letter first, then letters, digits, '/', ':', '.', '_', '-'.
var denomRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9/:._-]{1,63}$`)

// ValidateDenom checks a denomination's spelling.
func ValidateDenom(d string) error {
	if !denomRE.MatchString(d) {
		return fmt.Errorf("invalid denom %q: 2-64 characters, a letter first, then letters, digits or /:._-", d)
	}
	return nil
}

// Coin is an amount of one denomination.
type Coin struct {
	Denom  string `cbor:"1,keyasint" json:"denom"`
	Amount Amount `cbor:"2,keyasint" json:"amount,string"`
}

// New makes a Coin.
func New(denom string, amount Amount) Coin { return Coin{Denom: denom, Amount: amount} }

func (c Coin) String() string { return strconv.FormatUint(uint64(c.Amount), 10) + c.Denom }

// Validate checks the denom and that the amount is positive.
func (c Coin) Validate() error {
	if err := ValidateDenom(c.Denom); err != nil {
		return err
	}
	if c.Amount == 0 {
		return fmt.Errorf("amount of %s must be positive", c.Denom)
	}
	return nil
}

// Unit relates a display denomination to a base one: 1 Display = 10^Exponent Base.
type Unit struct {
	Base     string `cbor:"1,keyasint" json:"base"`
	Display  string `cbor:"2,keyasint" json:"display"`
	Exponent uint8  `cbor:"3,keyasint" json:"exponent"`
}

var amountRE = regexp.MustCompile(`^([0-9]+)(?:\.([0-9]+))? ?([a-zA-Z][a-zA-Z0-9/:._-]*)$`)

// Parse reads "1500ugrd" (base units) or "1.5GRD" / "1.5 GRD" (display units, converted with units).
// Negative, zero, malformed or overflowing amounts and unknown display denoms are errors.
func Parse(s string, units []Unit) (Coin, error) {
	s = strings.TrimSpace(s)
	m := amountRE.FindStringSubmatch(s)
	if m == nil {
		if strings.HasPrefix(s, "-") {
			return Coin{}, fmt.Errorf("amount %q is negative: amounts must be positive", s)
		}
		return Coin{}, fmt.Errorf("amount %q is not of the form 1500ugrd or 1.5GRD", s)
	}
	whole, frac, denom := m[1], m[2], m[3]
	if err := ValidateDenom(denom); err != nil {
		return Coin{}, err
	}
	exp := -1
	base := denom
	for _, u := range units {
		if u.Display == denom {
			exp, base = int(u.Exponent), u.Base
			break
		}
		if u.Base == denom {
			exp = 0
			break
		}
	}
	if exp < 0 {
		if frac != "" {
			return Coin{}, fmt.Errorf("amount %q: %s is not a known display unit, so it cannot have a fraction", s, denom)
		}
		exp = 0
	}
	if len(frac) > exp {
		return Coin{}, fmt.Errorf("amount %q has more than %d decimals", s, exp)
	}
	digits := whole + frac + strings.Repeat("0", exp-len(frac))
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return Coin{}, fmt.Errorf("amount %q is zero: amounts must be positive", s)
	}
	v, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return Coin{}, fmt.Errorf("amount %q is too large: %w", s, ErrOverflow)
	}
	return Coin{Denom: base, Amount: Amount(v)}, nil
}

// Format shows c in display units when a unit is known ("1.5 GRD"), else in base units.
func Format(c Coin, units []Unit) string {
	for _, u := range units {
		if u.Base == c.Denom && u.Exponent > 0 {
			s := strconv.FormatUint(uint64(c.Amount), 10)
			e := int(u.Exponent)
			if len(s) <= e {
				s = strings.Repeat("0", e-len(s)+1) + s
			}
			w, f := s[:len(s)-e], strings.TrimRight(s[len(s)-e:], "0")
			if f == "" {
				return w + " " + u.Display
			}
			return w + "." + f + " " + u.Display
		}
	}
	return c.String()
}
