package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/passes"
)

// The passes commands live under `tx passes` and `query passes` (tx.go and query.go add them);
// `girder passes ticket|verify-ticket` are a holder's and a gate's tools, which work without a
// node (registered here).

func init() { register(newPassesCmd) }

// signedTicket is what `girder passes ticket` prints and a gate reads: the ticket, the holder's
// ed25519 public key and the holder's signature of passes.TicketSignBytes(ticket) (bytes in
// base64).
type signedTicket struct {
	Ticket    passes.Ticket `json:"ticket"`
	PubKey    []byte        `json:"pubkey"`
	Signature []byte        `json:"signature"`
}

// readTickets reads a ticket file: one signed ticket, or a JSON array of them (a gate's batch).
// Unknown fields are refused.
func readTickets(file string) ([]signedTicket, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("ticket file: %w", err)
	}
	b = bytes.TrimSpace(b)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var out []signedTicket
	if len(b) > 0 && b[0] == '[' {
		err = dec.Decode(&out)
	} else {
		var one signedTicket
		err = dec.Decode(&one)
		out = append(out, one)
	}
	if err != nil {
		return nil, fmt.Errorf("ticket file %s: %v (want the JSON {ticket, pubkey, signature} that girder passes ticket prints, or an array of them)", file, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("ticket file %s holds no tickets", file)
	}
	for i, t := range out {
		if len(t.PubKey) == 0 || len(t.Signature) == 0 || t.Ticket.Pass == 0 {
			return nil, fmt.Errorf("ticket file %s, ticket %d: no pass, pubkey or signature (want the JSON girder passes ticket prints)", file, i)
		}
	}
	return out, nil
}

// passDuration reads a duration flag as seconds: Nd (days), Nw (weeks) or a Go duration (90s, 36h).
func passDuration(flag, s string) (int64, error) {
	bad := fmt.Errorf("--%s %q: want a duration such as 365d, 2w, 36h, 90m or 30s", flag, s)
	for _, u := range []struct {
		suffix string
		secs   int64
	}{{"d", 86_400}, {"w", 7 * 86_400}} {
		if n, err := strconv.ParseInt(strings.TrimSuffix(s, u.suffix), 10, 64); err == nil && strings.HasSuffix(s, u.suffix) {
			if n <= 0 || n > 100*366 {
				return 0, bad
			}
			return n * u.secs, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Second || d%time.Second != 0 {
		return 0, bad
	}
	return int64(d / time.Second), nil
}

// durationText shows seconds as days, hours, minutes or seconds ("365 days", "90 s").
func durationText(s int64) string {
	switch {
	case s%86_400 == 0:
		if s == 86_400 {
			return "1 day"
		}
		return fmt.Sprintf("%d days", s/86_400)
	case s%3_600 == 0:
		return fmt.Sprintf("%d h", s/3_600)
	case s%60 == 0:
		return fmt.Sprintf("%d min", s/60)
	}
	return fmt.Sprintf("%d s", s)
}

// parseLate reads --late: refund=PERCENT (refund=100%, refund=12.5%) or extend=DURATION (extend=90d).
func parseLate(s string) (passes.LatePolicy, error) {
	bad := fmt.Errorf("--late %q: want refund=PERCENT (refund=100%%, refund=50%%) or extend=DURATION (extend=90d)", s)
	kind, v, ok := strings.Cut(strings.TrimSpace(s), "=")
	if !ok || v == "" {
		return passes.LatePolicy{}, bad
	}
	switch kind {
	case passes.LateRefund:
		bps, err := percentBps(v)
		if err != nil || bps < 1 || bps > passes.BpsDenominator {
			return passes.LatePolicy{}, fmt.Errorf("--late %q: the refund is a percentage of the price paid, from 0.01%% to 100%% (e.g. refund=100%%)", s)
		}
		return passes.LatePolicy{Policy: passes.LateRefund, RefundBps: bps}, nil
	case passes.LateExtend:
		d, err := passDuration("late extend", v)
		if err != nil {
			return passes.LatePolicy{}, fmt.Errorf("--late %q: extend=DURATION moves the validity end by DURATION, e.g. extend=90d", s)
		}
		return passes.LatePolicy{Policy: passes.LateExtend, ExtendBy: d}, nil
	}
	return passes.LatePolicy{}, bad
}

// percentBps reads "50%", "12.5%" or "2500bps" as basis points.
func percentBps(s string) (uint32, error) {
	if n, ok := strings.CutSuffix(s, "bps"); ok {
		v, err := strconv.ParseUint(n, 10, 32)
		return uint32(v), err
	}
	n, ok := strings.CutSuffix(s, "%")
	if !ok {
		return 0, errors.New("no % sign")
	}
	whole, frac, _ := strings.Cut(n, ".")
	if len(frac) > 2 {
		return 0, errors.New("at most two decimals")
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, err := strconv.ParseUint(whole, 10, 32)
	if err != nil || w > 100 {
		return 0, errors.New("bad percentage")
	}
	f, err := strconv.ParseUint(frac, 10, 32)
	if err != nil {
		return 0, errors.New("bad percentage")
	}
	return uint32(w*100 + f), nil
}

// percentText is bps as a percentage: 5000 → "50 %", 1250 → "12.5 %".
func percentText(b uint32) string { return bpsPercent(uint64(b)) + " %" }

func usesText(u uint32) string {
	if u == 0 {
		return "unlimited"
	}
	return strconv.FormatUint(uint64(u), 10)
}

// validityText describes a class's validity: "fixed 2026-… to 2027-…" or "365 days from the
// service opening".
func validityText(c passes.Class) string {
	if c.Validity.Kind == passes.ValidityFixed {
		return fmt.Sprintf("fixed %s to %s", fmtTime(c.Validity.Start), fmtTime(c.Validity.End))
	}
	return durationText(c.Validity.Duration) + " from the service opening"
}

// lateText describes a class's late-service policy.
func lateText(c passes.Class) string {
	switch c.Late.Policy {
	case passes.LateRefund:
		return fmt.Sprintf("refund %s of the price if the service is not open by %s", percentText(c.Late.RefundBps), fmtTime(c.PromisedOpening))
	case passes.LateExtend:
		return fmt.Sprintf("validity extended by %s if the service is not open by %s", durationText(c.Late.ExtendBy), fmtTime(c.PromisedOpening))
	}
	return "none"
}

func windowText(from, until int64) string {
	if from == 0 && until == 0 {
		return "from the service opening (not open yet)"
	}
	return fmtTime(from) + " to " + fmtTime(until)
}

// ---- tx passes ----

func newPassesTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "passes",
		Short: "Prepaid access passes: classes, sales, transfers, redemption at gates, service opening, refunds",
		Long: `A project's operator or private partner creates pass classes (price in a cash asset, uses,
validity, transfer policy, supply, late-service policy); anyone may buy passes, whose price is held
in escrow as the project's deferred revenue; at a gate the holder signs a ticket (girder passes
ticket) that the gate checks offline (girder passes verify-ticket) and an operator redeems in
batches, moving each use's share of the price to the project's treasury as earned revenue. If the
service is not open by the promised date, the class's late policy applies: holders claim refunds,
or the validity is extended. See docs/passes.md.

  girder tx passes create-class CREATOR PROJECT --name TEXT --price 20EURt --uses 10|unlimited
      (--valid-to TIME [--valid-from TIME] | --valid-for 365d) [--promised-opening TIME --late refund=100%|extend=90d]
      --max-supply N [--transferable] [--sale-start TIME] [--sale-end TIME] [--sale-cap N] [--compliance-asset DENOM]
  girder tx passes close-sale ACTOR CLASS
  girder tx passes buy BUYER CLASS [--quantity N]
  girder tx passes transfer FROM TO PASS
  girder tx passes redeem OPERATOR TICKET_FILE...
  girder tx passes open-service ACTOR PROJECT [--at TIME]
  girder tx passes claim-refund HOLDER PASS`,
	}

	var ccF txFlags
	var name, price, uses, validFrom, validTo, validFor, promised, late, saleStart, saleEnd, complianceAsset string
	var transferable bool
	var maxSupply, saleCap uint64
	var ccUnits []coin.Unit
	create := &cobra.Command{
		Use:   "create-class CREATOR PROJECT --name TEXT --price AMOUNT --uses N|unlimited (--valid-to TIME [--valid-from TIME] | --valid-for DURATION) --max-supply N [flags]",
		Short: "Create a pass class of a project (an operator or private_partner stakeholder)",
		Long: `Create a class of passes of PROJECT, signed by the key CREATOR, a stakeholder of the project holding
the role operator or private_partner. The class's id is printed.

  --name TEXT              what the pass is called (1 to 128 bytes)
  --price AMOUNT           price of one pass in a cash asset, e.g. 20EURt or 2000ueurt
  --uses N|unlimited       uses of each pass (1 to 10,000), or unlimited within the validity
  --valid-to TIME [--valid-from TIME]
                           fixed validity (--valid-from defaults to now)
  --valid-for DURATION     validity counted from the service opening (e.g. 365d; 1 s to 10 years);
                           needs --promised-opening and --late
  --promised-opening TIME  when the service is promised to open; with --late, what happens if it
                           has not opened by then:
  --late refund=PERCENT    holders may claim back PERCENT of the price they paid (refund=100%)
  --late extend=DURATION   the validity end moves by DURATION, once (extend=90d)
  --transferable           holders may give their passes to others
  --max-supply N           most passes ever sold
  --sale-start/--sale-end TIME, --sale-cap N
                           an optional sale window and a cap (at most the max supply)
  --compliance-asset DENOM an asset of kind pass whose compliance rules judge every sale and transfer

TIME is now, +DURATION after the latest block (+90s, +10m, +48h, +30d, +1y), an RFC 3339 time, a
date (midnight UTC) or unix seconds. DURATION is Nd, Nw or a Go duration (36h, 90s).

Example:
  girder tx passes create-class spv harbour-bridge --name "10-crossing pass" --price 20EURt --uses 10 \
      --valid-to +1y --transferable --max-supply 10000
  girder tx passes create-class spv harbour-bridge --name "annual commuter pass" --price 400EURt --uses unlimited \
      --valid-for 365d --promised-opening 2028-06-01 --late refund=100% --max-supply 5000`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			project := args[1]
			if strings.TrimSpace(name) == "" {
				return fmt.Errorf("--name is empty: give the pass's name, e.g. --name \"10-crossing pass\"")
			}
			var nUses uint32
			switch strings.TrimSpace(uses) {
			case "":
				return fmt.Errorf("give --uses N (1 to %d uses per pass) or --uses unlimited (any number within the validity)", passes.MaxUses)
			case "unlimited":
			default:
				n, err := strconv.ParseUint(uses, 10, 32)
				if err != nil || n < 1 || n > passes.MaxUses {
					return fmt.Errorf("--uses %q: want 1 to %d, or unlimited", uses, passes.MaxUses)
				}
				nUses = uint32(n)
			}
			if maxSupply == 0 {
				return fmt.Errorf("give --max-supply N: the most passes of the class ever sold (at least 1)")
			}
			if saleCap > maxSupply {
				return fmt.Errorf("--sale-cap %d exceeds --max-supply %d", saleCap, maxSupply)
			}
			var lp passes.LatePolicy
			if late != "" {
				var err error
				if lp, err = parseLate(late); err != nil {
					return err
				}
			}
			switch {
			case validFor != "" && (validFrom != "" || validTo != ""):
				return fmt.Errorf("give --valid-for DURATION (counted from the service opening) or --valid-to TIME [--valid-from TIME] (fixed dates), not both")
			case validFor == "" && validTo == "":
				if validFrom != "" {
					return fmt.Errorf("--valid-from needs --valid-to: a fixed validity runs from --valid-from to --valid-to")
				}
				return fmt.Errorf("no validity: give --valid-to TIME [--valid-from TIME] (fixed dates) or --valid-for DURATION (from the service opening)")
			case validFor != "" && promised == "":
				return fmt.Errorf("--valid-for counts from the service opening: give --promised-opening TIME (when the service is promised to open) and --late refund=PERCENT|extend=DURATION")
			case promised != "" && late == "":
				return fmt.Errorf("--promised-opening needs --late: refund=PERCENT (e.g. refund=100%%) or extend=DURATION (e.g. extend=90d), what holders get if the service is not open by then")
			case promised == "" && late != "":
				return fmt.Errorf("--late needs --promised-opening: the date the service is promised to open")
			}
			return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				var err error
				if ccUnits, err = c.Units(ctx); err != nil {
					return nil, err
				}
				now := chainNow(ctx, c)
				m := &passes.MsgCreateClass{Creator: s.Address(), Project: project, Name: name, Uses: nUses, Transferable: transferable,
					MaxSupply: maxSupply, Late: lp, SaleCap: saleCap}
				if m.Price, err = passPrice(price, ccUnits); err != nil {
					return nil, err
				}
				if validFor != "" {
					m.Validity.Kind = passes.ValidityFromOpening
					if m.Validity.Duration, err = passDuration("valid-for", validFor); err != nil {
						return nil, err
					}
				} else {
					m.Validity.Kind = passes.ValidityFixed
					from := validFrom
					if from == "" {
						from = "now"
					}
					if m.Validity.Start, err = secWhen("valid-from", from, now); err != nil {
						return nil, err
					}
					if m.Validity.End, err = secWhen("valid-to", validTo, now); err != nil {
						return nil, err
					}
					if m.Validity.End <= m.Validity.Start {
						return nil, fmt.Errorf("--valid-to %s is not after --valid-from %s", fmtTime(m.Validity.End), fmtTime(m.Validity.Start))
					}
				}
				for _, t := range []struct {
					flag, v string
					dst     *int64
				}{{"promised-opening", promised, &m.PromisedOpening}, {"sale-start", saleStart, &m.SaleStart}, {"sale-end", saleEnd, &m.SaleEnd}} {
					if t.v != "" {
						if *t.dst, err = secWhen(t.flag, t.v, now); err != nil {
							return nil, err
						}
					}
				}
				if complianceAsset != "" {
					if m.ComplianceAsset, err = secDenomArg(complianceAsset, ccUnits); err != nil {
						return nil, fmt.Errorf("--compliance-asset: %w", err)
					}
				}
				return validatedMsg(m)
			}, &ccF, func(w io.Writer, r *client.Result) {
				for _, e := range secEvents(r, "passes.class_created") {
					fmt.Fprintf(w, "class %s of %s created: %q at %s, %s uses, %s validity, transferable %s, max supply %s (sale cap %s)\n",
						e["class"], e["project"], e["name"], coinAttr(e["price"], ccUnits), usesText(atoi32(e["uses"])), e["validity"],
						yesNo(e["transferable"] == "true"), e["max_supply"], e["sale_cap"])
					if e["late_policy"] != "" {
						fmt.Fprintf(w, "promised opening %s; late-service policy: %s\n", fmtTime(atoi64(e["promised_opening"])), e["late_policy"])
					}
					fmt.Fprintf(w, "on sale: girder tx passes buy BUYER %s (see girder query passes class %s)\n", e["class"], e["class"])
				}
			})
		},
	}
	f := create.Flags()
	f.StringVar(&name, "name", "", "name of the pass (1 to 128 bytes; required)")
	f.StringVar(&price, "price", "", "price of one pass in a cash asset, e.g. 20EURt (required)")
	f.StringVar(&uses, "uses", "", "uses of each pass: 1 to 10000, or unlimited (required)")
	f.StringVar(&validFrom, "valid-from", "", "fixed validity: start (default now)")
	f.StringVar(&validTo, "valid-to", "", "fixed validity: end")
	f.StringVar(&validFor, "valid-for", "", "validity from the service opening, e.g. 365d (needs --promised-opening and --late)")
	f.StringVar(&promised, "promised-opening", "", "when the service is promised to open (needs --late)")
	f.StringVar(&late, "late", "", "late-service policy: refund=PERCENT (refund=100%) or extend=DURATION (extend=90d)")
	f.BoolVar(&transferable, "transferable", false, "holders may transfer their passes")
	f.Uint64Var(&maxSupply, "max-supply", 0, "most passes ever sold (required)")
	f.StringVar(&saleStart, "sale-start", "", "sale opens at this time (default: at creation)")
	f.StringVar(&saleEnd, "sale-end", "", "sale ends at this time (default: no end)")
	f.Uint64Var(&saleCap, "sale-cap", 0, "most passes sold in this sale (default: the max supply)")
	f.StringVar(&complianceAsset, "compliance-asset", "", "an asset of kind pass whose compliance rules judge sales and transfers")
	for _, r := range []string{"name", "price", "uses", "max-supply"} {
		_ = create.MarkFlagRequired(r)
	}
	ccF.add(create)

	var csF txFlags
	closeSale := &cobra.Command{
		Use:   "close-sale ACTOR CLASS",
		Short: "Stop the sale of a class for good (its creator or an operator)",
		Long: `Stop the sale of pass class CLASS, signed by the key ACTOR: the class's creator or an operator
stakeholder of its project. Passes already sold stay valid.

Example:
  girder tx passes close-sale spv 1`,
		Args: exactArgs(2),
	}
	csF.add(closeSale)
	closeSale.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := secID(args[1], "class")
		if err != nil {
			return err
		}
		return withSignerShow(cmd, args[0], func(_ context.Context, _ *client.Client, s client.Signer) ([]tx.Msg, error) {
			return validatedMsg(&passes.MsgCloseSale{Actor: s.Address(), Class: id})
		}, &csF, func(w io.Writer, r *client.Result) {
			for _, e := range secEvents(r, "passes.sale_closed") {
				fmt.Fprintf(w, "sale of class %s (%s) closed after %s passes sold\n", e["class"], e["project"], e["sold"])
			}
		})
	}

	var buyF txFlags
	var quantity uint32
	var buyUnits []coin.Unit
	buy := &cobra.Command{
		Use:   "buy BUYER CLASS [--quantity N]",
		Short: "Buy passes of a class at its price (held in escrow as the project's deferred revenue)",
		Long: `Buy --quantity passes (1 to 100, default 1) of class CLASS, signed and paid by the key BUYER:
quantity x price moves to the passes escrow, as the project's deferred revenue, until the passes
are used, expire or are refunded. The pass ids are printed. The class must be on sale, within its
sale window and cap; compliance rules of the cash asset (and of the class's compliance asset)
apply.

Example:
  girder tx passes buy bob 1
  girder tx passes buy alice 2 --quantity 3`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := secID(args[1], "class")
			if err != nil {
				return err
			}
			if quantity < 1 || quantity > passes.MaxQuantity {
				return fmt.Errorf("--quantity %d: want 1 to %d passes in one buy", quantity, passes.MaxQuantity)
			}
			return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				buyUnits, _ = c.Units(ctx)
				return validatedMsg(&passes.MsgBuy{Buyer: s.Address(), Class: id, Quantity: quantity})
			}, &buyF, func(w io.Writer, r *client.Result) {
				for _, e := range secEvents(r, "passes.bought") {
					ids := "pass " + e["first_pass"]
					if e["first_pass"] != e["last_pass"] {
						ids = "passes " + e["first_pass"] + " to " + e["last_pass"]
					}
					fmt.Fprintf(w, "%s bought %s of class %s (%s): %s, paid %s (deferred revenue of %s, held in escrow)\n",
						e["buyer"], passCount(e["quantity"]), e["class"], e["project"], ids, coinAttr(e["paid"], buyUnits), e["project"])
					if e["flag"] != "" {
						fmt.Fprintf(w, "flagged by compliance: %s\n", e["flag"])
					}
				}
			})
		},
	}
	buy.Flags().Uint32Var(&quantity, "quantity", 1, "number of passes to buy (1 to 100)")
	buyF.add(buy)

	var trF txFlags
	transfer := &cobra.Command{
		Use:   "transfer FROM TO PASS",
		Short: "Give a pass to another account (transferable classes only; the pass keeps its uses)",
		Long: `Give pass PASS, held by the key FROM, to TO (an address or a key name). Only passes of a
transferable class, while active; the class's compliance asset's rules (if any) apply.

Example:
  girder tx passes transfer alice bob 3`,
		Args: exactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			to, err := resolveAddress(args[1])
			if err != nil {
				return fmt.Errorf("TO: %w", err)
			}
			id, err := secID(args[2], "pass")
			if err != nil {
				return err
			}
			return withSignerShow(cmd, args[0], func(_ context.Context, _ *client.Client, s client.Signer) ([]tx.Msg, error) {
				return validatedMsg(&passes.MsgTransfer{From: s.Address(), To: to, Pass: id})
			}, &trF, func(w io.Writer, r *client.Result) {
				for _, e := range secEvents(r, "passes.transferred") {
					fmt.Fprintf(w, "pass %s (class %s) transferred from %s to %s, %s uses left\n", e["pass"], e["class"], e["from"], e["to"], usesLeftText(e["uses_left"]))
				}
			})
		},
	}
	trF.add(transfer)

	var rdF txFlags
	var rdUnits []coin.Unit
	redeem := &cobra.Command{
		Use:   "redeem OPERATOR TICKET_FILE...",
		Short: "Record a batch of uses at a project's gates from the tickets holders signed (an operator)",
		Long: `Record the uses in the ticket files (each one ticket printed by girder passes ticket, or a JSON
array of them), signed by the key OPERATOR, an operator stakeholder of the passes' project: 1 to
100 uses in one tx, all or nothing. Uses are sent ordered by pass and seq (a pass's uses are
recorded in order). For each, the chain checks the holder's signature, that the public key is the
holder's, that the seq is the pass's next use (a replayed ticket fails), that the pass is active
and valid at the ticket's time and that the ticket was shown at most a day before the block. Each
use of a limited pass moves price/uses from deferred to earned revenue (the last use the
remainder), paid to the project's treasury.

Example:
  girder tx passes redeem spv ticket-1.json ticket-2.json gate-batch.json`,
		Args: minArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var uses []passes.Use
			for _, file := range args[1:] {
				ts, err := readTickets(file)
				if err != nil {
					return err
				}
				for _, t := range ts {
					uses = append(uses, passes.Use{Pass: t.Ticket.Pass, Ticket: t.Ticket, PubKey: t.PubKey, Signature: t.Signature})
				}
			}
			if len(uses) > passes.MaxBatch {
				return fmt.Errorf("%d tickets: at most %d uses in one redeem; split them over several txs", len(uses), passes.MaxBatch)
			}
			slices.SortStableFunc(uses, func(a, b passes.Use) int {
				if a.Pass != b.Pass {
					return cmpU64(a.Pass, b.Pass)
				}
				return cmpU64(uint64(a.Ticket.Seq), uint64(b.Ticket.Seq))
			})
			return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				rdUnits, _ = c.Units(ctx)
				return validatedMsg(&passes.MsgRedeem{Operator: s.Address(), Uses: uses})
			}, &rdF, func(w io.Writer, r *client.Result) {
				for _, e := range secEvents(r, "passes.redeemed") {
					fmt.Fprintf(w, "pass %s use %s at %s: earned %s, %s uses left (%s)\n", e["pass"], e["seq"], fmtTime(atoi64(e["gate_time"])),
						coinAttr(e["earned"], rdUnits), usesLeftText(e["uses_left"]), e["status"])
				}
			})
		},
	}
	rdF.add(redeem)

	var osF txFlags
	var at string
	open := &cobra.Command{
		Use:   "open-service ACTOR PROJECT [--at TIME]",
		Short: "Record that a project's service opened (a public_agency or operator stakeholder; once)",
		Long: `Record that PROJECT's service opened at --at (default now; not after the latest block, at most a
day before it), signed by the key ACTOR, a public_agency or operator stakeholder of the project. Once per project. Passes of
classes valid from the opening become usable from then; late-service policies no longer apply.

Example:
  girder tx passes open-service spv harbour-bridge
  girder tx passes open-service agency harbour-bridge --at 2028-05-30T06:00:00Z   # recorded within a day`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				when := at
				if when == "" {
					when = "now"
				}
				opened, err := secWhen("at", when, chainNow(ctx, c))
				if err != nil {
					return nil, err
				}
				return validatedMsg(&passes.MsgOpenService{Actor: s.Address(), Project: args[1], Opened: opened})
			}, &osF, func(w io.Writer, r *client.Result) {
				for _, e := range secEvents(r, "passes.service_opened") {
					fmt.Fprintf(w, "service of %s opened at %s (recorded by %s)\n", e["project"], fmtTime(atoi64(e["opened"])), e["by"])
				}
			})
		},
	}
	open.Flags().StringVar(&at, "at", "", "when the service opened: now, an RFC 3339 time, a date or unix seconds (default now; not in the future, at most a day ago)")
	osF.add(open)

	var crF txFlags
	var crUnits []coin.Unit
	claim := &cobra.Command{
		Use:   "claim-refund HOLDER PASS",
		Short: "Claim the refund of a pass of a late class whose policy is refund",
		Long: `Claim back, for the key HOLDER, the refund of pass PASS: only when its class is late (the promised
opening passed before the service opened) and its policy is refund. The refund is the class's
percentage of the price paid (rounded down, never more than what is still deferred); the rest of
the pass's deferred revenue becomes earned. The pass is then refunded. A pass that has been used
gets no refund.

Example:
  girder tx passes claim-refund alice 2`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := secID(args[1], "pass")
			if err != nil {
				return err
			}
			return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				crUnits, _ = c.Units(ctx)
				return validatedMsg(&passes.MsgClaimRefund{Holder: s.Address(), Pass: id})
			}, &crF, func(w io.Writer, r *client.Result) {
				for _, e := range secEvents(r, "passes.refunded") {
					fmt.Fprintf(w, "pass %s refunded: %s to %s (%s of the price); %s earned by %s\n", e["pass"], coinAttr(e["refund"], crUnits), e["holder"],
						percentText(atoi32(e["refund_bps"])), coinAttr(e["earned"], crUnits), e["project"])
				}
			})
		},
	}
	crF.add(claim)

	cmd.AddCommand(create, closeSale, buy, transfer, redeem, open, claim)
	return cmd
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

func atoi32(s string) uint32 {
	n, _ := strconv.ParseUint(s, 10, 32)
	return uint32(n)
}

func passCount(n string) string {
	if n == "1" {
		return "1 pass"
	}
	return n + " passes"
}

func usesLeftText(s string) string {
	if s == "0" || s == "" {
		return "no"
	}
	return s
}

// passPrice reads --price: an amount with its unit (20EURt, 2000ueurt), positive.
func passPrice(s string, units []coin.Unit) (coin.Coin, error) {
	return assetAmount("--price", "the cash asset's", s, "20EURt", units)
}

// ---- query passes ----

func printClass(w io.Writer, c passes.ClassInfo, units []coin.Unit) {
	fmt.Fprintf(w, "class %d of %s: %q (%s)\n", c.ID, c.Project, c.Name, c.Status)
	fmt.Fprintf(w, "  price           %s\n  uses            %s\n  validity        %s\n", amountText(c.Price, units), usesText(c.Uses), validityText(c.Class))
	if c.Extended {
		fmt.Fprintf(w, "  extended        by %s (late-service policy)\n", durationText(c.Late.ExtendBy))
	}
	fmt.Fprintf(w, "  valid           %s\n", windowText(c.ValidFrom, c.ValidUntil))
	fmt.Fprintf(w, "  transferable    %s\n", yesNo(c.Transferable))
	fmt.Fprintf(w, "  sold            %d of %d (max supply %d), %d left to sell\n", c.Sold, c.Cap(), c.MaxSupply, c.Remaining)
	if c.SaleStart != 0 || c.SaleEnd != 0 {
		fmt.Fprintf(w, "  sale window     %s to %s\n", fmtTime(c.SaleStart), fmtTime(c.SaleEnd))
	}
	if c.PromisedOpening != 0 {
		fmt.Fprintf(w, "  promised open   %s\n", fmtTime(c.PromisedOpening))
	}
	fmt.Fprintf(w, "  late policy     %s\n", lateText(c.Class))
	if c.ComplianceAsset != "" {
		fmt.Fprintf(w, "  compliance      rules of %s judge sales and transfers\n", c.ComplianceAsset)
	}
	fmt.Fprintf(w, "  creator         %s\n  created         height %d, %s\n", c.Creator, c.Height, fmtTime(c.Time))
}

func printPass(w io.Writer, p passes.PassInfo, units []coin.Unit) {
	fmt.Fprintf(w, "pass %d (%s) of class %d %q, project %s\n", p.ID, p.Status, p.Class, p.ClassName, p.Project)
	fmt.Fprintf(w, "  holder          %s\n  paid            %s\n", p.Holder, amountText(p.Paid, units))
	if p.Uses == 0 {
		fmt.Fprintf(w, "  uses            unlimited, %d used\n", p.Used)
	} else {
		fmt.Fprintf(w, "  uses            %d left of %d (%d used); next ticket seq %d\n", p.UsesLeft, p.Uses, p.Used, p.Used+1)
	}
	fmt.Fprintf(w, "  deferred        %s\n", amountText(coin.New(p.Paid.Denom, p.Deferred), units))
	fmt.Fprintf(w, "  valid           %s\n  valid now       %s (at %s)\n", windowText(p.ValidFrom, p.ValidUntil), yesNo(p.ValidNow), fmtTime(p.Time))
	if p.LastUse != 0 {
		fmt.Fprintf(w, "  last use        %s\n", fmtTime(p.LastUse))
	}
	fmt.Fprintf(w, "  bought          height %d, %s\n", p.Height, fmtTime(p.Pass.Time))
}

func printPassList(w io.Writer, l *passes.PassList, units []coin.Unit) {
	if len(l.Passes) == 0 {
		fmt.Fprintln(w, "no passes")
	} else {
		tw := newTable(w)
		fmt.Fprintln(tw, "PASS\tCLASS\tNAME\tSTATUS\tUSES LEFT\tUSED\tVALID FROM\tVALID UNTIL\tDEFERRED\tHOLDER")
		for _, p := range l.Passes {
			left := strconv.FormatUint(uint64(p.UsesLeft), 10)
			if p.Uses == 0 {
				left = "unlimited"
			}
			from, until := fmtTime(p.ValidFrom), fmtTime(p.ValidUntil)
			if p.ValidFrom == 0 && p.ValidUntil == 0 {
				from, until = "at opening", "-"
			}
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", p.ID, p.Class, p.ClassName, p.Status, left, p.Used, from, until,
				coin.Format(coin.New(p.Paid.Denom, p.Deferred), units), p.Holder)
		}
		tw.Flush()
	}
	printNext(w, l.Next)
}

func serviceText(s passes.Service) string {
	if s.Opened == 0 {
		return "not open yet"
	}
	return fmt.Sprintf("opened %s (recorded by %s at height %d)", fmtTime(s.Opened), s.OpenedBy, s.Height)
}

func newPassesQueryCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "passes", Short: "Pass classes, passes, a holder's passes, a project's pass revenue and service"}

	classes := secQuery("classes PROJECT", "List a project's pass classes and its service opening",
		`List PROJECT's pass classes (price, uses, validity, sold of the cap, status) and whether its
service has opened.

Example:
  girder query passes classes harbour-bridge`,
		exactArgs(1), func(_ context.Context, _ *client.Client, _ []coin.Unit, args []string) (string, []byte, error) {
			return "/passes/classes/" + args[0], nil, nil
		}, func(w io.Writer, v *passes.ClassList, units []coin.Unit) {
			fmt.Fprintf(w, "project %s, service %s\n", v.Project, serviceText(v.Service))
			if len(v.Classes) == 0 {
				fmt.Fprintln(w, "no pass classes")
				return
			}
			tw := newTable(w)
			fmt.Fprintln(tw, "CLASS\tNAME\tPRICE\tUSES\tVALIDITY\tTRANSFERABLE\tSOLD\tSTATUS")
			for _, c := range v.Classes {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d of %d\t%s\n", c.ID, c.Name, coin.Format(c.Price, units), usesText(c.Uses),
					validityText(c.Class), yesNo(c.Transferable), c.Sold, c.Cap(), c.Status)
			}
			tw.Flush()
		})

	class := secQuery("class ID", "Show a pass class: terms, sold, status, validity window, late policy",
		`Show pass class ID: price, uses, validity (and its window once known), transfer policy, supply
and sale, promised opening and late-service policy, status.

Example:
  girder query passes class 1
  girder query passes class 1 -o json`,
		exactArgs(1), func(_ context.Context, _ *client.Client, _ []coin.Unit, args []string) (string, []byte, error) {
			id, err := secID(args[0], "class")
			return "/passes/class/" + strconv.FormatUint(id, 10), nil, err
		}, func(w io.Writer, c *passes.ClassInfo, units []coin.Unit) { printClass(w, *c, units) })

	pass := secQuery("pass ID", "Show a pass: holder, uses left, deferred revenue, status, validity",
		`Show pass ID: its holder, what was paid, uses left and used (the next ticket's seq), what is still
deferred, its status and validity window, and whether it is valid now. Its -o json is the pass
file a gate gives to girder passes verify-ticket --pass-file.

Example:
  girder query passes pass 3
  girder query passes pass 3 -o json > pass-3.json`,
		exactArgs(1), func(_ context.Context, _ *client.Client, _ []coin.Unit, args []string) (string, []byte, error) {
			id, err := secID(args[0], "pass")
			return "/passes/pass/" + strconv.FormatUint(id, 10), nil, err
		}, func(w io.Writer, p *passes.PassInfo, units []coin.Unit) { printPass(w, *p, units) })

	var hAfter, cAfter uint64
	var hLimit, cLimit int
	var hStatus, cStatus string
	holder := secQuery("holder ADDRESS|KEY [--status S] [--after ID] [--limit N]", "List an account's passes with uses left and validity",
		`List the passes an account (address or key name) holds, in id order: class, status, uses left,
validity window and what is still deferred.

Example:
  girder query passes holder bob
  girder query passes holder gir1... --status active -o json`,
		exactArgs(1), func(_ context.Context, _ *client.Client, _ []coin.Unit, args []string) (string, []byte, error) {
			a, err := resolveAddress(args[0])
			if err != nil {
				return "", nil, err
			}
			return "/passes/holder/" + a.String(), queryData("after", strconv.FormatUint(hAfter, 10), "limit", strconv.Itoa(hLimit), "status", hStatus), nil
		}, printPassList)
	classPasses := secQuery("class-passes CLASS [--status S] [--after ID] [--limit N]", "List a class's passes (a gate's pass list)",
		`List the passes of class CLASS in id order: holder, status, uses left, validity. Its -o json is a
pass list a gate may hold to check tickets offline (girder passes verify-ticket --pass-file).

Example:
  girder query passes class-passes 1 --status active -o json > passes-1.json`,
		exactArgs(1), func(_ context.Context, _ *client.Client, _ []coin.Unit, args []string) (string, []byte, error) {
			id, err := secID(args[0], "class")
			if err != nil {
				return "", nil, err
			}
			return "/passes/class-passes/" + strconv.FormatUint(id, 10), queryData("after", strconv.FormatUint(cAfter, 10), "limit", strconv.Itoa(cLimit), "status", cStatus), nil
		}, printPassList)
	for _, x := range []struct {
		c      *cobra.Command
		after  *uint64
		limit  *int
		status *string
	}{{holder, &hAfter, &hLimit, &hStatus}, {classPasses, &cAfter, &cLimit, &cStatus}} {
		x.c.Flags().Uint64Var(x.after, "after", 0, "page: passes after this id (the previous page's next)")
		x.c.Flags().IntVar(x.limit, "limit", 0, "page size, 1 to 500 (default 100)")
		x.c.Flags().StringVar(x.status, "status", "", "only passes of this status: active, used_up, expired, refunded")
	}

	revenue := secQuery("revenue PROJECT", "Show a project's pass revenue per cash asset: sold, deferred, earned, refunded",
		`Show PROJECT's pass revenue per cash asset: sold (all paid for passes) = deferred (held in escrow
until used or expired) + earned (paid to the project's treasury) + refunded (returned to holders).

Example:
  girder query passes revenue harbour-bridge`,
		exactArgs(1), func(_ context.Context, _ *client.Client, _ []coin.Unit, args []string) (string, []byte, error) {
			return "/passes/revenue/" + args[0], nil, nil
		}, func(w io.Writer, v *passes.RevenueInfo, units []coin.Unit) {
			fmt.Fprintf(w, "project %s, treasury %s\n", v.Project, v.Treasury)
			if len(v.Revenue) == 0 {
				fmt.Fprintln(w, "no passes sold")
				return
			}
			tw := newTable(w)
			fmt.Fprintln(tw, "ASSET\tSOLD\tDEFERRED\tEARNED\tREFUNDED")
			for _, r := range v.Revenue {
				c := func(a coin.Amount) string { return coin.Format(coin.New(r.Denom, a), units) }
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Denom, c(r.Sold), c(r.Deferred), c(r.Earned), c(r.Refunded))
			}
			tw.Flush()
		})

	service := secQuery("service PROJECT", "Show whether a project's service has opened, and when",
		`Show when PROJECT's service opened (recorded by girder tx passes open-service), or that it has not.

Example:
  girder query passes service harbour-bridge`,
		exactArgs(1), func(_ context.Context, _ *client.Client, _ []coin.Unit, args []string) (string, []byte, error) {
			return "/passes/service/" + args[0], nil, nil
		}, func(w io.Writer, s *passes.Service, _ []coin.Unit) {
			fmt.Fprintf(w, "service of %s: %s\n", s.Project, serviceText(*s))
		})

	cmd.AddCommand(classes, class, pass, holder, classPasses, revenue, service)
	return cmd
}

// ---- girder passes ticket | verify-ticket ----

func newPassesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "passes",
		Short: "Tickets for gates: a holder signs a ticket offline; a gate verifies it offline",
		Long: `A holder shows a pass at a gate as a ticket: {chain id, pass, holder, seq (the use it is: uses
recorded + 1), time}, signed with the holder's ed25519 key over "girder/pass-ticket/v1" followed by
the ticket's CBOR. The gate checks the signature and the pass (from a pass list it holds, or the
node) without the chain, lets the holder through, and an operator later records the uses in
batches (girder tx passes redeem).

  girder passes ticket HOLDER PASS [--seq N --chain-id ID] [--at TIME] [--out FILE]
  girder passes verify-ticket FILE [--pass-file pass.json] [--chain-id ID] [--at TIME]`,
	}

	var seq uint32
	var chainID, at, outFile string
	ticket := &cobra.Command{
		Use:   "ticket HOLDER PASS [--seq N] [--chain-id ID] [--at TIME] [--out FILE]",
		Short: "Sign a ticket for a pass with the holder's key (offline with --seq and --chain-id)",
		Long: `Sign, with the key HOLDER, a ticket for pass PASS and print it as JSON {ticket, pubkey,
signature} (or write it to --out). The ticket's seq is the use it is: the pass's uses recorded so
far + 1, read from the node unless --seq is given; the chain id is the node's unless --chain-id
is given. With both, no node is needed. --at is the time shown at the gate (default: this
machine's clock); the chain accepts a ticket up to a day old when an operator redeems it.

Each ticket is good for one use: the next one has the next seq. Tickets of uses not yet redeemed
may be signed ahead (seq 2, 3, …); the chain records them in order.

Example:
  girder passes ticket bob 3 --out ticket.json
  girder passes ticket bob 3 --seq 2 --chain-id girder-dev --out ticket-2.json`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := secID(args[1], "pass")
			if err != nil {
				return err
			}
			when := time.Now().Unix()
			if at != "" {
				if when, err = secWhen("at", at, time.Now()); err != nil {
					return err
				}
			}
			kr, err := openKeyring()
			if err != nil {
				return err
			}
			ks, err := kr.Signer(args[0])
			if err != nil {
				return err
			}
			info := ks.Info()
			if info.Type != tx.KeyEd25519 {
				return fmt.Errorf("key %s is a %s key: tickets are signed with an ed25519 key", args[0], info.Type)
			}
			holder := info.Address
			cid, s := chainID, seq
			if cid == "" || s == 0 {
				ctx, cancel := context.WithTimeout(cmd.Context(), queryTimeout)
				defer cancel()
				c, err := client.Dial(g.node)
				if err != nil {
					return err
				}
				if cid == "" {
					if cid, err = c.ChainID(ctx); err != nil {
						return fmt.Errorf("reading the chain id from %s (or give --chain-id): %w", g.node, err)
					}
				}
				if s == 0 {
					var p passes.PassInfo
					if err := c.Query(ctx, "/passes/pass/"+strconv.FormatUint(id, 10), nil, 0, &p); err != nil {
						return err
					}
					if p.Holder != holder {
						return fmt.Errorf("pass %d is held by %s, not by %s (%s): only its holder signs its tickets", id, p.Holder, args[0], holder)
					}
					if p.Status != passes.PassActive {
						return fmt.Errorf("pass %d is %s: no more tickets", id, p.Status)
					}
					s = p.Used + 1
				}
			}
			t := passes.Ticket{ChainID: cid, Pass: id, Holder: holder, Seq: s, Time: when}
			st := signedTicket{Ticket: t, PubKey: info.PubKey, Signature: passes.SignTicket(t, ks.Sign)}
			b, err := json.MarshalIndent(st, "", "  ")
			if err != nil {
				return err
			}
			b = append(b, '\n')
			if outFile == "" {
				_, err = cmd.OutOrStdout().Write(b)
				return err
			}
			if err := os.WriteFile(outFile, b, 0o600); err != nil {
				return err
			}
			return emit(cmd.OutOrStdout(), st, func(w io.Writer) {
				fmt.Fprintf(w, "ticket for pass %d, use %d, signed by %s (%s) at %s on %s: %s\n", id, s, args[0], holder, fmtTime(when), cid, outFile)
			})
		},
	}
	ticket.Flags().Uint32Var(&seq, "seq", 0, "the use this ticket is (uses recorded + 1); default: read from the node")
	ticket.Flags().StringVar(&chainID, "chain-id", "", "the chain's id; default: read from the node")
	ticket.Flags().StringVar(&at, "at", "", "time shown at the gate (default: this machine's clock)")
	ticket.Flags().StringVar(&outFile, "out", "", "write the ticket to this file instead of printing it")

	var passFile, vChainID, vAt string
	var maxAge time.Duration
	verify := &cobra.Command{
		Use:   "verify-ticket FILE [--pass-file pass.json] [--chain-id ID] [--at TIME] [--max-age D]",
		Short: "Check a ticket as a gate would, offline: signature, holder, pass, seq, validity",
		Long: `Check the ticket in FILE (printed by girder passes ticket) as a gate does before it lets the holder
through, and exit 1 with the reason if it is not good:
  - the public key is the key of the ticket's holder and the signature verifies;
  - the chain id is the gate's (--chain-id, or the node's);
  - the pass is in the pass list, held by the ticket's holder, active;
  - the seq is a use not yet recorded (more than the pass's used) and within its uses;
  - the ticket's time is within the pass's validity, and at most --max-age (default 5m) before
    the gate's clock (--at, default this machine's) and at most 60 s after it.

The pass comes from --pass-file (the JSON of girder query passes pass ID, or a pass list of girder
query passes class-passes / holder): no node is needed. Without --pass-file it is read from the
node given by --node. A gate that accepted tickets since its list was made must count them itself
(the chain refuses a seq twice when the uses are redeemed).

Example:
  girder query passes class-passes 1 --status active -o json > passes-1.json   # before going offline
  girder passes verify-ticket ticket.json --pass-file passes-1.json --chain-id girder-dev
  girder passes verify-ticket ticket.json                                       # pass read from the node`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ts, err := readTickets(args[0])
			if err != nil {
				return err
			}
			if len(ts) != 1 {
				return fmt.Errorf("%s holds %d tickets: verify-ticket checks one", args[0], len(ts))
			}
			st := ts[0]
			now := time.Now()
			if vAt != "" {
				u, err := secWhen("at", vAt, now)
				if err != nil {
					return err
				}
				now = time.Unix(u, 0)
			}
			cid := vChainID
			var p passes.PassInfo
			if passFile != "" {
				if p, err = passFromFile(passFile, st.Ticket.Pass); err != nil {
					return err
				}
			} else {
				ctx, cancel := context.WithTimeout(cmd.Context(), queryTimeout)
				defer cancel()
				c, err := client.Dial(g.node)
				if err != nil {
					return err
				}
				if cid == "" {
					if cid, err = c.ChainID(ctx); err != nil {
						return err
					}
				}
				if err := c.Query(ctx, "/passes/pass/"+strconv.FormatUint(st.Ticket.Pass, 10), nil, 0, &p); err != nil {
					return fmt.Errorf("ticket invalid: %w", err)
				}
			}
			res := gateCheck(st, p, cid, now.Unix(), int64(maxAge/time.Second))
			if !res.Valid {
				if g.output == "json" {
					_ = emit(cmd.OutOrStdout(), res, nil)
				}
				return fmt.Errorf("ticket invalid: %s", res.Reason)
			}
			return emit(cmd.OutOrStdout(), res, func(w io.Writer) {
				fmt.Fprintf(w, "valid: pass %d (class %d %q), use %d, held by %s\n", p.ID, p.Class, p.ClassName, st.Ticket.Seq, st.Ticket.Holder)
				fmt.Fprintf(w, "  shown at  %s, valid %s\n", fmtTime(st.Ticket.Time), windowText(p.ValidFrom, p.ValidUntil))
				if p.Uses != 0 {
					fmt.Fprintf(w, "  uses      %d left after this one\n", res.UsesLeftAfter)
				} else {
					fmt.Fprintln(w, "  uses      unlimited")
				}
				if res.Note != "" {
					fmt.Fprintf(w, "  note      %s\n", res.Note)
				}
			})
		},
	}
	verify.Flags().StringVar(&passFile, "pass-file", "", "the pass or pass list as JSON (girder query passes pass|class-passes|holder -o json); default: ask the node")
	verify.Flags().StringVar(&vChainID, "chain-id", "", "the gate's chain id (default: the node's when it is asked; not checked with --pass-file alone)")
	verify.Flags().StringVar(&vAt, "at", "", "the gate's clock (default: this machine's)")
	verify.Flags().DurationVar(&maxAge, "max-age", 5*time.Minute, "how old a ticket may be when shown at the gate")

	cmd.AddCommand(ticket, verify)
	return cmd
}

// passFromFile finds pass id in a file holding one pass (PassInfo) or a pass list (PassList).
func passFromFile(file string, id uint64) (passes.PassInfo, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return passes.PassInfo{}, fmt.Errorf("pass file: %w", err)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(b, &probe); err != nil {
		return passes.PassInfo{}, fmt.Errorf("pass file %s: %v (want the JSON of girder query passes pass ID or class-passes CLASS)", file, err)
	}
	var list []passes.PassInfo
	if raw, ok := probe["passes"]; ok {
		if err := json.Unmarshal(raw, &list); err != nil {
			return passes.PassInfo{}, fmt.Errorf("pass file %s: %v", file, err)
		}
	} else {
		var p passes.PassInfo
		if err := json.Unmarshal(b, &p); err != nil || p.ID == 0 {
			return passes.PassInfo{}, fmt.Errorf("pass file %s: not a pass nor a pass list (want the JSON of girder query passes pass ID or class-passes CLASS)", file)
		}
		list = []passes.PassInfo{p}
	}
	for _, p := range list {
		if p.ID == id {
			return p, nil
		}
	}
	return passes.PassInfo{}, fmt.Errorf("ticket invalid: pass %d is not in the pass list %s", id, file)
}

// gateResult is what verify-ticket finds.
type gateResult struct {
	Valid         bool          `json:"valid"`
	Reason        string        `json:"reason,omitempty"`
	Ticket        passes.Ticket `json:"ticket"`
	UsesLeftAfter uint32        `json:"uses_left_after,omitempty"`
	Note          string        `json:"note,omitempty"`
}

// gateCheck checks a signed ticket against a pass as a gate does offline (chainID "" skips the
// chain check); now is the gate's clock, maxAge how old a ticket may be (seconds).
func gateCheck(st signedTicket, p passes.PassInfo, chainID string, now, maxAge int64) gateResult {
	t := st.Ticket
	res := gateResult{Ticket: t}
	bad := func(f string, a ...any) gateResult { res.Reason = fmt.Sprintf(f, a...); return res }
	if address.FromPubKey(tx.KeyEd25519, st.PubKey) != t.Holder {
		return bad("the public key is not the key of the ticket's holder %s", t.Holder)
	}
	if !passes.VerifyTicket(st.PubKey, t, st.Signature) {
		return bad("the signature does not verify: the ticket was not signed by %s, or was altered", t.Holder)
	}
	if chainID != "" && t.ChainID != chainID {
		return bad("the ticket is for chain %q, the gate is on %q", t.ChainID, chainID)
	}
	if p.ID != t.Pass {
		return bad("the ticket is for pass %d, the pass given is %d", t.Pass, p.ID)
	}
	if p.Holder != t.Holder {
		return bad("pass %d is held by %s, not by the ticket's holder %s", p.ID, p.Holder, t.Holder)
	}
	if p.Status != passes.PassActive {
		return bad("pass %d is %s", p.ID, p.Status)
	}
	if t.Seq <= p.Used {
		return bad("use %d of pass %d is already recorded (%d used): a replayed ticket", t.Seq, p.ID, p.Used)
	}
	if p.Uses != 0 && t.Seq > p.Used+p.UsesLeft {
		return bad("use %d of pass %d: the pass has %d uses, %d used", t.Seq, p.ID, p.Uses, p.Used)
	}
	if p.ValidFrom == 0 && p.ValidUntil == 0 {
		return bad("pass %d is valid from the service opening of %s, which has not opened", p.ID, p.Project)
	}
	if t.Time < p.ValidFrom || t.Time > p.ValidUntil {
		return bad("shown at %s; pass %d is valid from %s to %s", fmtTime(t.Time), p.ID, fmtTime(p.ValidFrom), fmtTime(p.ValidUntil))
	}
	if t.Time < now-maxAge {
		return bad("the ticket was signed at %s, more than %s before the gate's clock %s", fmtTime(t.Time), durationText(maxAge), fmtTime(now))
	}
	if t.Time > now+passes.TicketMaxAhead {
		return bad("the ticket's time %s is more than %d s after the gate's clock %s", fmtTime(t.Time), passes.TicketMaxAhead, fmtTime(now))
	}
	res.Valid = true
	if p.Uses != 0 {
		res.UsesLeftAfter = p.Used + p.UsesLeft - t.Seq
	}
	if t.Seq > p.Used+1 {
		res.Note = fmt.Sprintf("uses %d to %d must be redeemed before this one", p.Used+1, t.Seq-1)
	}
	if chainID == "" {
		res.Note = strings.TrimPrefix(res.Note+"; chain id not checked (give --chain-id)", "; ")
	}
	return res
}
