package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/big"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/offerings"
)

// The offerings commands live under `tx offerings` and `query offerings` (tx.go and query.go add
// them). This file also holds the helpers the distributions commands share: amounts that must
// name their unit, times given as +DURATION, ids, events and exact ratios.

// ---- shared helpers (offerings and distributions) ----

// secUnit is the unit of a base denom, if the chain knows one.
func secUnit(units []coin.Unit, denom string) (coin.Unit, bool) {
	for _, u := range units {
		if u.Base == denom {
			return u, true
		}
	}
	return coin.Unit{}, false
}

// secDenomArg reads a denom argument: a base denom (ubridge) or an asset's symbol (BRIDGE).
func secDenomArg(s string, units []coin.Unit) (string, error) {
	for _, u := range units {
		if u.Base == s {
			return s, nil
		}
	}
	for _, u := range units {
		if u.Display == s {
			return u.Base, nil
		}
	}
	if err := coin.ValidateDenom(s); err != nil {
		return "", err
	}
	return s, nil
}

// assetAmount reads an amount with its unit, in display units (250000EURt) or base units
// (25000000ueurt), of an asset of this chain (coin.Parse refuses zero). A bare number is refused:
// the unit must be said. what names the amount in errors (--tranche, AMOUNT); whose names the
// unit a bare number lacks ("the cash asset's", "the asset's", "the"); example is the amount the
// errors suggest (250000EURt).
func assetAmount(what, whose, s, example string, units []coin.Unit) (coin.Coin, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return coin.Coin{}, fmt.Errorf("give %s, e.g. %s", what, example)
	}
	if strings.Trim(t, "0123456789.") == "" {
		return coin.Coin{}, fmt.Errorf("%s %q: give %s unit, e.g. %s", what, s, whose, example)
	}
	c, err := coin.Parse(t, units)
	if err != nil {
		return coin.Coin{}, fmt.Errorf("%s: %w (e.g. %s)", what, err, example)
	}
	if _, known := secUnit(units, c.Denom); !known {
		return coin.Coin{}, fmt.Errorf("%s %q: %s is not an asset of this chain (girder query assets list shows them)", what, s, c.Denom)
	}
	return c, nil
}

// secAmount reads an amount of the asset want (display units "100.5BRIDGE" or base units
// "100500000ubridge"); what names it in errors. A bare number is refused: the unit must be said.
func secAmount(s, want, what string, units []coin.Unit) (coin.Amount, error) {
	example := "100" + want
	if u, ok := secUnit(units, want); ok && u.Display != "" {
		example = "100" + u.Display + " or " + example
	}
	c, err := assetAmount(what, "the", s, example, units)
	if err != nil {
		return 0, err
	}
	if c.Denom != want {
		return 0, fmt.Errorf("%s %q is an amount of %s; want an amount of %s, e.g. %s", what, s, c.Denom, want, example)
	}
	return c.Amount, nil
}

// secID reads an id argument (a number from 1).
func secID(s, what string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%s id %q: want a number from 1 (the id the chain assigned, shown when it was created)", what, s)
	}
	return n, nil
}

// chainNow is the time of the node's latest block (the clock the chain judges windows and expiries
// by); the local clock when the node does not say.
func chainNow(ctx context.Context, c *client.Client) time.Time {
	if s, err := c.Status(ctx); err == nil && !s.LatestBlockTime.IsZero() {
		return s.LatestBlockTime
	}
	return time.Now()
}

// secWhen reads a time flag as unix seconds: "now", "+DURATION" after now (+90s, +10m, +48h, +30d,
// +1y), an RFC 3339 time, a date (midnight UTC) or unix seconds.
func secWhen(flag, s string, now time.Time) (int64, error) {
	bad := fmt.Errorf("--%s %q: want now, +DURATION (+90s, +10m, +48h, +30d, +1y), an RFC 3339 time (2027-06-30T12:00:00Z), a date (2027-06-30) or unix seconds", flag, s)
	switch {
	case s == "now":
		return now.Unix(), nil
	case strings.HasPrefix(s, "+"):
		d := s[1:]
		for _, unit := range []struct {
			suffix string
			add    func(int) time.Time
		}{
			{"y", func(n int) time.Time { return now.AddDate(n, 0, 0) }},
			{"d", func(n int) time.Time { return now.AddDate(0, 0, n) }},
		} {
			if n, err := strconv.Atoi(strings.TrimSuffix(d, unit.suffix)); err == nil && strings.HasSuffix(d, unit.suffix) {
				if n <= 0 || n > 100*366 {
					return 0, bad
				}
				return unit.add(n).Unix(), nil
			}
		}
		dur, err := time.ParseDuration(d)
		if err != nil || dur <= 0 {
			return 0, bad
		}
		return now.Add(dur).Unix(), nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		return n, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Unix(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Unix(), nil
	}
	return 0, bad
}

// secEvents lists the attributes of every event of type typ in a tx result.
func secEvents(r *client.Result, typ string) []map[string]string {
	var out []map[string]string
	for _, e := range r.Events {
		if e.Type != typ {
			continue
		}
		at := map[string]string{}
		for _, a := range e.Attrs {
			at[a.Key] = a.Value
		}
		out = append(out, at)
	}
	return out
}

var coinAttrRE = regexp.MustCompile(`^([0-9]+)([a-zA-Z][a-zA-Z0-9/:._-]*)$`)

// coinAttr shows an event's coin attribute ("12500ueurt", also "0ueurt") in display units.
func coinAttr(s string, units []coin.Unit) string {
	m := coinAttrRE.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	n, err := strconv.ParseUint(m[1], 10, 64)
	if err != nil {
		return s
	}
	return coin.Format(coin.New(m[2], coin.Amount(n)), units)
}

// amountAttr shows an event's amount of denom given as a bare number of base units.
func amountAttr(s, denom string, units []coin.Unit) string {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return s
	}
	return coin.Format(coin.New(denom, coin.Amount(n)), units)
}

// ratText shows a non-negative rational exactly: a decimal when it has a finite one ("1.25"),
// else a fraction ("1/3").
func ratText(r *big.Rat) string {
	den := new(big.Int).Set(r.Denom())
	digits := 0
	for _, p := range []int64{2, 5} {
		n, m := 0, new(big.Int)
		for {
			q, rem := new(big.Int).QuoRem(den, big.NewInt(p), m)
			if rem.Sign() != 0 {
				break
			}
			den, n = q, n+1
		}
		digits = max(digits, n)
	}
	if den.Cmp(big.NewInt(1)) != 0 {
		return r.Num().String() + "/" + r.Denom().String()
	}
	s := r.FloatString(digits)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func pow10(n uint8) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

// queryData encodes list filters as the chain reads them (URL query encoding), leaving out empty
// ones.
func queryData(kv ...string) []byte {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" && kv[i+1] != "0" {
			q.Set(kv[i], kv[i+1])
		}
	}
	return []byte(q.Encode())
}

// secQuery is a query command: path builds the query path and data from the arguments (it may
// use the client, e.g. to read a symbol); text prints the answer with the chain's units.
func secQuery[T any](use, short, long string, args cobra.PositionalArgs, path func(context.Context, *client.Client, []coin.Unit, []string) (string, []byte, error), text func(io.Writer, *T, []coin.Unit)) *cobra.Command {
	cmd := &cobra.Command{
		Use: use, Short: short, Long: long, Args: args,
		RunE: func(cmd *cobra.Command, args []string) error {
			return withClient(cmd, func(ctx context.Context, c *client.Client) error {
				units, err := c.Units(ctx)
				if err != nil {
					return err
				}
				p, data, err := path(ctx, c, units, args)
				if err != nil {
					return err
				}
				var v T
				if err := c.Query(ctx, p, data, 0, &v); err != nil {
					return err
				}
				return emit(cmd.OutOrStdout(), v, func(w io.Writer) { text(w, &v, units) })
			})
		},
	}
	return cmd
}

// exactArgs is cobra.ExactArgs with a message that shows the usage line.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return fmt.Errorf("%s takes %d argument(s), got %d: usage: %s (see --help)", cmd.CommandPath(), n, len(args), cmd.UseLine())
		}
		return nil
	}
}

func minArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return fmt.Errorf("%s takes at least %d argument(s), got %d: usage: %s (see --help)", cmd.CommandPath(), n, len(args), cmd.UseLine())
		}
		return nil
	}
}

func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return fmt.Errorf("%s takes at most %d argument(s), got %d: usage: %s (see --help)", cmd.CommandPath(), n, len(args), cmd.UseLine())
		}
		return nil
	}
}

// ---- prices ----

var (
	priceCashRE = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?) ?([a-zA-Z][a-zA-Z0-9/:._-]*)$`)
	pricePerRE  = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)? ?([a-zA-Z][a-zA-Z0-9/:._-]*)$`)
)

// priceSide reads "1.25EURt" (or, with optional, "BRIDGE" meaning 1 BRIDGE) as an exact number of
// base units of a known denom.
func priceSide(s string, re *regexp.Regexp, units []coin.Unit) (*big.Rat, string, bool) {
	m := re.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return nil, "", false
	}
	num := m[1]
	if num == "" {
		num = "1"
	}
	v, ok := new(big.Rat).SetString(num)
	if !ok {
		return nil, "", false
	}
	for _, u := range units {
		switch m[2] {
		case u.Display:
			return v.Mul(v, new(big.Rat).SetInt(pow10(u.Exponent))), u.Base, true
		case u.Base:
			return v, u.Base, true
		}
	}
	return v, m[2], true // not a known unit: the caller says so
}

// parseOfferingPrice reads a price of the security: "1.25EURt" (cash per one display unit of the
// security), "1EURt/3BRIDGE" (per an amount of it) or "125ueurt/1000000ubridge" (base units), into
// PriceNum/PriceDen: cash base units per security base units, in lowest terms. The conversion is
// exact; a price whose lowest terms do not fit the chain's 64-bit numbers is refused.
func parseOfferingPrice(s, security string, units []coin.Unit) (cash string, num, den uint64, err error) {
	secUnitText := security
	if u, ok := secUnit(units, security); ok && u.Display != "" {
		secUnitText = u.Display
	}
	bad := fmt.Errorf("--price %q: want the cash paid per %s, e.g. 1.25EURt (per 1 %s), 1EURt/3%s or 125ueurt/1000000%s", s, secUnitText, secUnitText, secUnitText, security)
	if strings.HasPrefix(strings.TrimSpace(s), "-") {
		return "", 0, 0, fmt.Errorf("--price %q is negative: a price must be positive", s)
	}
	var cashV, perV *big.Rat
	// The cash side may itself contain '/' (denoms allow it): try each '/' as the separator, then
	// the whole string (per one display unit of the security).
	found := false
	for i := len(s) - 1; i >= 0 && !found; i-- {
		if s[i] != '/' {
			continue
		}
		cv, cd, ok1 := priceSide(s[:i], priceCashRE, units)
		pv, pd, ok2 := priceSide(s[i+1:], pricePerRE, units)
		if ok1 && ok2 && pd == security {
			cashV, cash, perV, found = cv, cd, pv, true
		}
	}
	if !found {
		for i := len(s) - 1; i >= 0; i-- {
			if s[i] != '/' {
				continue
			}
			_, _, ok1 := priceSide(s[:i], priceCashRE, units)
			_, pd, ok2 := priceSide(s[i+1:], pricePerRE, units)
			if _, known := secUnit(units, pd); ok1 && ok2 && known {
				return "", 0, 0, fmt.Errorf("--price %q: a price is per an amount of the security %s (%s), not of %s", s, secUnitText, security, pd)
			}
		}
		cv, cd, ok := priceSide(s, priceCashRE, units)
		if !ok {
			return "", 0, 0, bad
		}
		u, known := secUnit(units, security)
		if !known {
			return "", 0, 0, fmt.Errorf("--price: the security %s is not an asset of this chain", security)
		}
		cashV, cash, perV = cv, cd, new(big.Rat).SetInt(pow10(u.Exponent))
	}
	if _, known := secUnit(units, cash); !known {
		return "", 0, 0, fmt.Errorf("--price %q: %s is not an asset of this chain (want the cash asset's symbol or denom, e.g. EURt or ueurt)", s, cash)
	}
	if cash == security {
		return "", 0, 0, fmt.Errorf("--price %q: the price is paid in a cash asset, not in the security itself", s)
	}
	if cashV.Sign() == 0 || perV.Sign() == 0 {
		return "", 0, 0, fmt.Errorf("--price %q: a price must be positive, and per a positive amount", s)
	}
	r := new(big.Rat).Quo(cashV, perV)
	if !r.Num().IsUint64() || !r.Denom().IsUint64() {
		return "", 0, 0, fmt.Errorf("--price %q cannot be represented exactly: it is %s %s per %s %s in lowest terms, and the chain stores each of the two numbers in 64 bits (at most %d)",
			s, r.Num(), cash, r.Denom(), security, uint64(math.MaxUint64))
	}
	return cash, r.Num().Uint64(), r.Denom().Uint64(), nil
}

// offeringPriceText shows a price per one display unit of the security, in display units of the
// cash ("1.25 EURt per BRIDGE"), exactly.
func offeringPriceText(num, den uint64, cash, security string, units []coin.Unit) string {
	if den == 0 {
		return "-"
	}
	r := new(big.Rat).SetFrac(new(big.Int).SetUint64(num), new(big.Int).SetUint64(den))
	per, cashName := security, cash
	if u, ok := secUnit(units, security); ok && u.Display != "" {
		r.Mul(r, new(big.Rat).SetInt(pow10(u.Exponent)))
		per = u.Display
	}
	if u, ok := secUnit(units, cash); ok && u.Display != "" {
		r.Quo(r, new(big.Rat).SetInt(pow10(u.Exponent)))
		cashName = u.Display
	}
	return fmt.Sprintf("%s %s per %s", ratText(r), cashName, per)
}

// ---- tx offerings ----

func newOfferingsTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "offerings",
		Short: "Primary sales of a security for a cash asset: open, subscribe, cancel",
		Long: `An offering sells a security (e.g. BRIDGE) for a cash asset (e.g. EURt) at a fixed price,
between a soft cap (the least that must be sold) and a hard cap, within a window of block time.
At open, the hard cap moves from the issuer into escrow. Investors subscribe: their cash waits in
escrow. When the window ends the offering settles by itself, delivery versus payment (tokens to
each subscriber, cash to the treasury, unsold tokens back to the issuer) if the soft cap was
reached and compliance still allows, and refunds every subscriber otherwise. The issuer may cancel
an open offering: everyone is refunded.

  girder tx offerings open ISSUER HARD_CAP --price PRICE --end TIME [--soft-cap ..] [--min ..] [--max ..]
  girder tx offerings subscribe INVESTOR OFFERING AMOUNT
  girder tx offerings cancel ISSUER OFFERING --reason TEXT
  girder query offerings list|offering|subscriptions|subscription|investor|params`,
	}

	var openF txFlags
	var price, cash, softCap, minInv, maxInv, start, end, treasury string
	open := &cobra.Command{
		Use:   "open ISSUER HARD_CAP --price PRICE --end TIME [--cash DENOM] [--soft-cap AMOUNT] [--min AMOUNT] [--max AMOUNT] [--start TIME] [--treasury ACCOUNT]",
		Short: "Open an offering of a security the key ISSUER issued, for a cash asset",
		Long: `Open an offering of HARD_CAP of a security (e.g. 1000BRIDGE or 1000000000ubridge: its unit names the
security), signed by the key ISSUER, the security's issuer. The hard cap moves from ISSUER into
escrow at once; what is not sold returns at the end.

--price is the cash an investor pays per unit of the security:
  1.25EURt                  1.25 EURt per 1 BRIDGE (one display unit of the security)
  1EURt/3BRIDGE             1 EURt per 3 BRIDGE (a third of a EURt each, exactly)
  125ueurt/1000000ubridge   the same as 1.25EURt, in base units
The chain stores it exactly as a ratio of base units (price_num/price_den, in lowest terms); a
price whose lowest terms do not fit in 64-bit numbers is refused. A subscription costs its amount
at that price rounded up to a whole base unit of cash (e.g. a cent of EURt).

Amounts (--soft-cap, --min, --max) are of the security, with their unit: 100BRIDGE or
100000000ubridge. Times (--start, --end) are now, +DURATION after the latest block (+30s, +10m,
+48h, +30d, +1y), an RFC 3339 time, a date, or unix seconds; the window runs from --start
(inclusive, default now) to --end (exclusive), in block time.

Example:
  girder tx offerings open alice 600BRIDGE --price 1.25EURt --soft-cap 100BRIDGE --min 10BRIDGE --max 400BRIDGE --end +14d --treasury spv-treasury
  girder tx offerings open alice 1000000BRIDGE --price 1EURt/3BRIDGE --start 2027-01-01 --end 2027-03-31`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var units []coin.Unit
			return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				var err error
				if units, err = c.Units(ctx); err != nil {
					return nil, err
				}
				hard, err := assetAmount("HARD_CAP", "the security's", args[1], "1000BRIDGE: the unit names the security", units)
				if err != nil {
					return nil, err
				}
				m := &offerings.MsgOpen{Issuer: s.Address(), Security: hard.Denom, HardCap: hard.Amount}
				if m.Cash, m.PriceNum, m.PriceDen, err = parseOfferingPrice(price, hard.Denom, units); err != nil {
					return nil, err
				}
				if cash != "" {
					want, err := secDenomArg(cash, units)
					if err != nil {
						return nil, fmt.Errorf("--cash: %w", err)
					}
					if want != m.Cash {
						return nil, fmt.Errorf("--cash %s but --price %q is in %s: give the price in the cash asset", cash, price, m.Cash)
					}
				}
				for _, a := range []struct {
					flag string
					val  string
					dst  *coin.Amount
				}{{"--soft-cap", softCap, &m.SoftCap}, {"--min", minInv, &m.MinPerInvestor}, {"--max", maxInv, &m.MaxPerInvestor}} {
					if a.val == "" {
						continue
					}
					if *a.dst, err = secAmount(a.val, hard.Denom, a.flag, units); err != nil {
						return nil, err
					}
				}
				now := chainNow(ctx, c)
				m.Start = now.Unix()
				if start != "" {
					if m.Start, err = secWhen("start", start, now); err != nil {
						return nil, err
					}
				}
				if m.End, err = secWhen("end", end, now); err != nil {
					return nil, err
				}
				if m.End <= now.Unix() {
					return nil, fmt.Errorf("--end %s is not after the latest block time %s", fmtTime(m.End), fmtTime(now.Unix()))
				}
				if treasury != "" {
					if m.Treasury, err = resolveAddress(treasury); err != nil {
						return nil, fmt.Errorf("--treasury: %w", err)
					}
				}
				return validatedMsg(m)
			}, &openF, func(w io.Writer, r *client.Result) {
				for _, e := range secEvents(r, "offerings.opened") {
					num, den, _ := strings.Cut(e["price"], "/")
					n, _ := strconv.ParseUint(num, 10, 64)
					d, _ := strconv.ParseUint(den, 10, 64)
					start, _ := strconv.ParseInt(e["start"], 10, 64)
					end, _ := strconv.ParseInt(e["end"], 10, 64)
					fmt.Fprintf(w, "offering %s opened: %s at %s, window %s to %s\n", e["offering"], coinAttr(e["hard_cap"], units),
						offeringPriceText(n, d, e["cash"], e["security"], units), fmtTime(start), fmtTime(end))
					fmt.Fprintf(w, "subscribe with: girder tx offerings subscribe INVESTOR %s AMOUNT\n", e["offering"])
				}
			})
		},
	}
	open.Flags().StringVar(&price, "price", "", "cash per unit of the security: 1.25EURt (per 1 display unit), 1EURt/3BRIDGE, 125ueurt/1000000ubridge (required)")
	open.Flags().StringVar(&cash, "cash", "", "the cash asset (symbol or denom); default: the asset --price is in, which it must match")
	open.Flags().StringVar(&softCap, "soft-cap", "", "least amount of the security that must be sold, else everyone is refunded (default: no minimum)")
	open.Flags().StringVar(&minInv, "min", "", "least amount one investor (identity) subscribes in all (default: no minimum)")
	open.Flags().StringVar(&maxInv, "max", "", "most one investor (identity) subscribes in all (default: up to the hard cap)")
	open.Flags().StringVar(&start, "start", "", "when subscriptions open, inclusive: now, +DURATION, RFC 3339, date or unix seconds (default: now)")
	open.Flags().StringVar(&end, "end", "", "when subscriptions close, exclusive: +DURATION (+10m, +14d), RFC 3339, date or unix seconds (required)")
	open.Flags().StringVar(&treasury, "treasury", "", "account (address or key name) that receives the cash (default: the issuer)")
	_ = open.MarkFlagRequired("price")
	_ = open.MarkFlagRequired("end")
	openF.add(open)

	var subF txFlags
	subscribe := &cobra.Command{
		Use:   "subscribe INVESTOR OFFERING AMOUNT",
		Short: "Subscribe AMOUNT of an offering's security; its cost moves into escrow now",
		Long: `Subscribe AMOUNT of the security of offering OFFERING (its id), signed by the key INVESTOR, which
pays the cost (AMOUNT at the offering's price, rounded up to a whole base unit of cash) into
escrow now. A second subscribe of the same account adds to its subscription. At the end of the
window the tokens are delivered and the cash goes to the treasury, or the cash is refunded.
AMOUNT is of the security, with its unit (display 100BRIDGE or base 100000000ubridge).

Example:
  girder tx offerings subscribe bob 1 300BRIDGE
  girder tx offerings subscribe carol 1 100.5BRIDGE`,
		Args: exactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := secID(args[1], "offering")
			if err != nil {
				return err
			}
			var units []coin.Unit
			return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				var err error
				if units, err = c.Units(ctx); err != nil {
					return nil, err
				}
				var o offerings.Offering
				if err := c.Query(ctx, "/offerings/offering/"+strconv.FormatUint(id, 10), nil, 0, &o); err != nil {
					return nil, err
				}
				amt, err := secAmount(args[2], o.Security, "AMOUNT", units)
				if err != nil {
					return nil, err
				}
				if left := o.HardCap - o.Subscribed; o.Status == offerings.StatusOpen && amt > left {
					return nil, fmt.Errorf("AMOUNT %s exceeds what is left of offering %d: %s of its hard cap %s (subscribe at most %s)",
						coin.Format(coin.New(o.Security, amt), units), o.ID, coin.Format(coin.New(o.Security, left), units),
						coin.Format(coin.New(o.Security, o.HardCap), units), coin.Format(coin.New(o.Security, left), units))
				}
				return validatedMsg(&offerings.MsgSubscribe{Investor: s.Address(), Offering: id, Amount: amt})
			}, &subF, func(w io.Writer, r *client.Result) {
				for _, e := range secEvents(r, "offerings.subscribed") {
					fmt.Fprintf(w, "subscribed %s to offering %s, paid %s into escrow\n", coinAttr(e["amount"], units), e["offering"], coinAttr(e["cash"], units))
					fmt.Fprintf(w, "subscription %s for %s (counted as %s); the offering has %s subscribed\n",
						coinAttr(e["subscription"], units), coinAttr(e["subscription_cash"], units), e["counted_as"], coinAttr(e["subscribed"], units))
					if f := e["flag"]; f != "" {
						fmt.Fprintf(w, "flagged  %s\n", f)
					}
				}
			})
		},
	}
	subF.add(subscribe)

	var cancelF txFlags
	var reason string
	cancel := &cobra.Command{
		Use:   "cancel ISSUER OFFERING --reason TEXT",
		Short: "Cancel an open offering: every subscriber is refunded, the tokens return to the issuer",
		Long: `Cancel offering OFFERING before the end of its window, signed by the key ISSUER, its issuer, with a
reason (recorded with the offering and given to each refunded subscriber). The refunds and the
return of the tokens happen at the end of the next blocks; the offering ends cancelled.

Example:
  girder tx offerings cancel alice 2 --reason "permit delayed"`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := secID(args[1], "offering")
			if err != nil {
				return err
			}
			var units []coin.Unit
			return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				units, _ = c.Units(ctx)
				return validatedMsg(&offerings.MsgCancel{Issuer: s.Address(), Offering: id, Reason: reason})
			}, &cancelF, func(w io.Writer, r *client.Result) {
				for _, e := range secEvents(r, "offerings.cancelled") {
					fmt.Fprintf(w, "offering %s cancelled (%s): its %s subscribers (%s) are refunded and the tokens return to the issuer over the next blocks\n",
						e["offering"], e["reason"], e["subscribers"], coinAttr(e["subscribed"], units))
				}
			})
		},
	}
	cancel.Flags().StringVar(&reason, "reason", "", "why (required, up to 256 bytes; recorded with the offering and each refund)")
	_ = cancel.MarkFlagRequired("reason")
	cancelF.add(cancel)

	cmd.AddCommand(open, subscribe, cancel)
	return cmd
}

// ---- query offerings ----

var offeringStatusNote = map[string]string{
	offerings.StatusOpen:       "subscriptions are taken until the end of the window",
	offerings.StatusClosing:    "the window ended; compliance checks the subscriptions again",
	offerings.StatusSettling:   "the soft cap is reached: tokens and cash are being exchanged",
	offerings.StatusRefunding:  "the soft cap was missed: subscribers are being refunded",
	offerings.StatusCancelling: "cancelled by the issuer: subscribers are being refunded",
	offerings.StatusSettled:    "tokens delivered, cash paid to the treasury, unsold tokens returned",
	offerings.StatusRefunded:   "the soft cap was missed: every subscriber was refunded",
	offerings.StatusCancelled:  "cancelled by the issuer: every subscriber was refunded",
}

func printOffering(w io.Writer, o offerings.Offering, units []coin.Unit) {
	sec := func(a coin.Amount) string { return amountText(coin.New(o.Security, a), units) }
	csh := func(a coin.Amount) string { return amountText(coin.New(o.Cash, a), units) }
	fmt.Fprintf(w, "offering %d (%s: %s)\n", o.ID, o.Status, offeringStatusNote[o.Status])
	fmt.Fprintf(w, "  security      %s\n  cash          %s\n  price         %s (%d/%d %s per %s)\n",
		o.Security, o.Cash, offeringPriceText(o.PriceNum, o.PriceDen, o.Cash, o.Security, units), o.PriceNum, o.PriceDen, o.Cash, o.Security)
	max := "up to the hard cap"
	if o.MaxPerInvestor != 0 {
		max = sec(o.MaxPerInvestor)
	}
	fmt.Fprintf(w, "  hard cap      %s\n  soft cap      %s\n  per investor  min %s, max %s\n", sec(o.HardCap), sec(o.SoftCap), sec(o.MinPerInvestor), max)
	fmt.Fprintf(w, "  window        %s to %s (end exclusive, block time)\n", fmtTime(o.Start), fmtTime(o.End))
	fmt.Fprintf(w, "  issuer        %s\n  treasury      %s\n  opened        height %d\n", o.Issuer, o.Treasury, o.Height)
	fmt.Fprintf(w, "  subscribed    %s by %s\n  cash escrowed %s\n", sec(o.Subscribed), countOf(o.Subscribers, "subscriber"), csh(o.CashEscrowed))
	if o.Status == offerings.StatusClosing {
		fmt.Fprintf(w, "  eligible      %s (passed compliance at the end)\n", sec(o.Eligible))
	}
	if !offerings.Live(o.Status) || o.Settled != 0 || o.Refunded != 0 {
		fmt.Fprintf(w, "  delivered     %s in %s\n  raised        %s\n  refunded      %s\n  returned      %s (unsold, to the issuer)\n",
			sec(o.Delivered), countOf(o.Settled, "settled subscription"), csh(o.Raised), countOf(o.Refunded, "subscription"), sec(o.Returned))
	}
	if o.CancelReason != "" {
		fmt.Fprintf(w, "  cancelled     %s\n", o.CancelReason)
	}
	if o.EndedHeight != 0 {
		fmt.Fprintf(w, "  ended         height %d\n", o.EndedHeight)
	}
	if o.ClosedHeight != 0 {
		fmt.Fprintf(w, "  closed        height %d\n", o.ClosedHeight)
	}
}

func printSubscription(w io.Writer, s offerings.Subscription, security, cash string, units []coin.Unit) {
	fmt.Fprintf(w, "subscription of %s to offering %d (%s)\n  amount      %s\n  cash        %s\n  counted as  %s\n  first       height %d, %s\n  last        height %d\n",
		s.Investor, s.Offering, s.Status, amountText(coin.New(security, s.Amount), units), amountText(coin.New(cash, s.Cash), units),
		s.CountedAs, s.Height, fmtTime(s.Time), s.Updated)
	if s.ClosedHeight != 0 {
		fmt.Fprintf(w, "  closed      height %d\n", s.ClosedHeight)
	}
	if s.Reason != "" {
		fmt.Fprintf(w, "  reason      %s\n", s.Reason)
	}
}

func newOfferingsQueryCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "offerings", Short: "Offerings, their subscriptions and an investor's subscriptions"}

	idPath := func(prefix string) func(context.Context, *client.Client, []coin.Unit, []string) (string, []byte, error) {
		return func(_ context.Context, _ *client.Client, _ []coin.Unit, args []string) (string, []byte, error) {
			id, err := secID(args[0], "offering")
			return prefix + strconv.FormatUint(id, 10), nil, err
		}
	}

	var lSecurity, lStatus string
	var lAfter uint64
	var lLimit int
	list := secQuery("list [--security DENOM] [--status STATUS] [--after ID] [--limit N]", "List offerings in id order, filtered by security and status",
		`List offerings in id order, optionally only those of one security (--security, a denom or
symbol) and of one status (--status):
  `+strings.Join(offerings.Statuses, ", ")+`.
A page holds up to --limit offerings (default 100); when there are more, it ends with the
--after value of the next page.

Example:
  girder query offerings list
  girder query offerings list --security BRIDGE --status open -o json`,
		maxArgs(0), func(_ context.Context, _ *client.Client, units []coin.Unit, _ []string) (string, []byte, error) {
			sec := ""
			if lSecurity != "" {
				var err error
				if sec, err = secDenomArg(lSecurity, units); err != nil {
					return "", nil, fmt.Errorf("--security: %w", err)
				}
			}
			return "/offerings/offerings", queryData("security", sec, "status", lStatus, "after", strconv.FormatUint(lAfter, 10), "limit", strconv.Itoa(lLimit)), nil
		}, func(w io.Writer, v *offerings.OfferingList, units []coin.Unit) {
			if len(v.Offerings) == 0 {
				fmt.Fprintln(w, "no offerings")
			} else {
				tw := newTable(w)
				fmt.Fprintln(tw, "ID\tSTATUS\tSECURITY\tPRICE\tSUBSCRIBED\tHARD CAP\tEND")
				for _, o := range v.Offerings {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", o.ID, o.Status, o.Security, offeringPriceText(o.PriceNum, o.PriceDen, o.Cash, o.Security, units),
						coin.Format(coin.New(o.Security, o.Subscribed), units), coin.Format(coin.New(o.Security, o.HardCap), units), fmtTime(o.End))
				}
				tw.Flush()
			}
			printNext(w, v.Next)
		})
	list.Flags().StringVar(&lSecurity, "security", "", "only offerings of this security (denom or symbol)")
	list.Flags().StringVar(&lStatus, "status", "", "only offerings with this status: "+strings.Join(offerings.Statuses, ", "))
	list.Flags().Uint64Var(&lAfter, "after", 0, "page: offerings after this id (the previous page's next)")
	list.Flags().IntVar(&lLimit, "limit", 0, "page size, 1 to 500 (default 100)")

	offering := secQuery("offering ID", "Show an offering: terms, price, window, status and totals",
		`Show offering ID: its terms (price, caps, per-investor limits, window, treasury), its status and
its totals (subscribed, cash in escrow, delivered, raised, refunded, returned).

Example:
  girder query offerings offering 1
  girder query offerings offering 1 -o json | jq -r .status`,
		exactArgs(1), idPath("/offerings/offering/"), func(w io.Writer, o *offerings.Offering, units []coin.Unit) { printOffering(w, *o, units) })

	var sAfter string
	var sLimit int
	subs := &cobra.Command{
		Use:   "subscriptions ID [--after ADDRESS] [--limit N]",
		Short: "List an offering's subscriptions, in investor address order",
		Long: `List the subscriptions of offering ID: investor, amount of the security, cash paid, status.

Example:
  girder query offerings subscriptions 1`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := secID(args[0], "offering")
			if err != nil {
				return err
			}
			after := ""
			if sAfter != "" {
				a, err := resolveAddress(sAfter)
				if err != nil {
					return fmt.Errorf("--after: %w", err)
				}
				after = a.String()
			}
			return withClient(cmd, func(ctx context.Context, c *client.Client) error {
				var o offerings.Offering
				if err := c.Query(ctx, "/offerings/offering/"+strconv.FormatUint(id, 10), nil, 0, &o); err != nil {
					return err
				}
				var v offerings.SubscriptionList
				if err := c.Query(ctx, "/offerings/subscriptions/"+strconv.FormatUint(id, 10), queryData("after", after, "limit", strconv.Itoa(sLimit)), 0, &v); err != nil {
					return err
				}
				units, _ := c.Units(ctx)
				return emit(cmd.OutOrStdout(), v, func(w io.Writer) {
					if len(v.Subscriptions) == 0 {
						fmt.Fprintf(w, "offering %d has no subscriptions\n", id)
						return
					}
					tw := newTable(w)
					fmt.Fprintln(tw, "INVESTOR\tAMOUNT\tCASH\tSTATUS\tCOUNTED AS")
					for _, s := range v.Subscriptions {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Investor, coin.Format(coin.New(o.Security, s.Amount), units),
							coin.Format(coin.New(o.Cash, s.Cash), units), s.Status, s.CountedAs)
					}
					tw.Flush()
					if v.Next != "" {
						fmt.Fprintf(w, "more: repeat with --after %s\n", v.Next)
					}
				})
			})
		},
	}
	subs.Flags().StringVar(&sAfter, "after", "", "page: subscriptions after this investor (the previous page's next)")
	subs.Flags().IntVar(&sLimit, "limit", 0, "page size, 1 to 500 (default 100)")

	sub := &cobra.Command{
		Use:   "subscription ID ADDRESS|KEY",
		Short: "Show one account's subscription to an offering",
		Long: `Show the subscription of an account (address or key name) to offering ID: amount, cash paid,
the investor it counts under for the per-investor limits, its status and, once refunded, why.

Example:
  girder query offerings subscription 1 bob`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := secID(args[0], "offering")
			if err != nil {
				return err
			}
			a, err := resolveAddress(args[1])
			if err != nil {
				return err
			}
			return withClient(cmd, func(ctx context.Context, c *client.Client) error {
				var o offerings.Offering
				if err := c.Query(ctx, "/offerings/offering/"+strconv.FormatUint(id, 10), nil, 0, &o); err != nil {
					return err
				}
				var s offerings.Subscription
				if err := c.Query(ctx, "/offerings/subscription/"+strconv.FormatUint(id, 10)+"/"+a.String(), nil, 0, &s); err != nil {
					return err
				}
				units, _ := c.Units(ctx)
				return emit(cmd.OutOrStdout(), s, func(w io.Writer) { printSubscription(w, s, o.Security, o.Cash, units) })
			})
		},
	}

	var iAfter uint64
	var iLimit int
	investor := &cobra.Command{
		Use:   "investor ADDRESS|KEY [--after ID] [--limit N]",
		Short: "List an account's subscriptions to offerings, in offering order",
		Long: `List the subscriptions of an account (address or key name) to every offering.

Example:
  girder query offerings investor bob`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := resolveAddress(args[0])
			if err != nil {
				return err
			}
			return withClient(cmd, func(ctx context.Context, c *client.Client) error {
				var v offerings.InvestorSubscriptions
				if err := c.Query(ctx, "/offerings/investor/"+a.String(), queryData("after", strconv.FormatUint(iAfter, 10), "limit", strconv.Itoa(iLimit)), 0, &v); err != nil {
					return err
				}
				units, _ := c.Units(ctx)
				terms := map[uint64]offerings.Offering{}
				for _, s := range v.Subscriptions {
					var o offerings.Offering
					if _, ok := terms[s.Offering]; !ok && c.Query(ctx, "/offerings/offering/"+strconv.FormatUint(s.Offering, 10), nil, 0, &o) == nil {
						terms[s.Offering] = o
					}
				}
				return emit(cmd.OutOrStdout(), v, func(w io.Writer) {
					if len(v.Subscriptions) == 0 {
						fmt.Fprintf(w, "%s has no subscriptions\n", a)
					} else {
						tw := newTable(w)
						fmt.Fprintln(tw, "OFFERING\tAMOUNT\tCASH\tSTATUS\tOFFERING STATUS")
						for _, s := range v.Subscriptions {
							o := terms[s.Offering]
							fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", s.Offering, coin.Format(coin.New(o.Security, s.Amount), units),
								coin.Format(coin.New(o.Cash, s.Cash), units), s.Status, o.Status)
						}
						tw.Flush()
					}
					printNext(w, v.Next)
				})
			})
		},
	}
	investor.Flags().Uint64Var(&iAfter, "after", 0, "page: subscriptions to offerings after this id (the previous page's next)")
	investor.Flags().IntVar(&iLimit, "limit", 0, "page size, 1 to 500 (default 100)")

	params := secQuery("params", "Show the offerings module's params",
		"How much end-of-window work (subscriptions checked, settled or refunded) the chain does per block.\n\nExample:\n  girder query offerings params",
		maxArgs(0), func(context.Context, *client.Client, []coin.Unit, []string) (string, []byte, error) {
			return "/offerings/params", nil, nil
		}, func(w io.Writer, p *offerings.Params, _ []coin.Unit) {
			fmt.Fprintf(w, "per block  %d (subscriptions checked, settled or refunded at the end of each block, all offerings together)\n", p.PerBlock)
		})

	cmd.AddCommand(list, offering, subs, sub, investor, params)
	return cmd
}

// countOf is "1 payment", "2 payments".
func countOf(n uint64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.FormatUint(n, 10) + " " + noun + "s"
}
