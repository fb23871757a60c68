package main

import (
	"context"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/distributions"
)

// The distributions commands live under `tx distributions` and `query distributions` (tx.go and
// query.go add them); the helpers they share with the offerings commands are in offerings.go.

// parseBps reads a withholding rate: basis points (2500 or 2500bps) or a percentage with up to two
// decimals (25%, 12.5%), from 0 to 100 %.
func parseBps(s string) (uint32, error) {
	bad := fmt.Errorf("rate %q: want basis points (2500 or 2500bps) or a percentage (25%%, 12.5%%), from 0 to 100 %%", s)
	var bps *big.Rat
	switch {
	case strings.HasSuffix(s, "%"):
		r, ok := new(big.Rat).SetString(strings.TrimSuffix(s, "%"))
		if !ok || strings.ContainsAny(s, "/eE") {
			return 0, bad
		}
		bps = r.Mul(r, big.NewRat(100, 1))
	default:
		n, err := strconv.ParseUint(strings.TrimSuffix(s, "bps"), 10, 32)
		if err != nil {
			return 0, bad
		}
		bps = new(big.Rat).SetUint64(n)
	}
	if bps.Sign() < 0 || !bps.IsInt() || bps.Cmp(big.NewRat(distributions.BpsDenominator, 1)) > 0 {
		if bps.Sign() >= 0 && !bps.IsInt() {
			return 0, fmt.Errorf("rate %q is not a whole number of basis points (0.01 %%)", s)
		}
		return 0, bad
	}
	return uint32(bps.Num().Uint64()), nil
}

// parseRates reads --withhold entries: JURISDICTION=RATE, each flag value possibly a comma list.
func parseRates(entries []string) ([]distributions.Rate, error) {
	var out []distributions.Rate
	for _, e := range entries {
		j, rate, ok := strings.Cut(strings.TrimSpace(e), "=")
		if !ok || j == "" {
			return nil, fmt.Errorf("--withhold %q: want JURISDICTION=RATE, e.g. DE=2500bps or FR=12.8%%", e)
		}
		bps, err := parseBps(rate)
		if err != nil {
			return nil, fmt.Errorf("--withhold %s: %w", j, err)
		}
		out = append(out, distributions.Rate{Jurisdiction: j, Bps: bps})
	}
	return out, nil
}

// bpsText is a rate in bps and as a percentage: 2500 → "2500 bps (25 %)".
func bpsText(bps uint32) string { return fmt.Sprintf("%d bps (%s %%)", bps, bpsPercent(uint64(bps))) }

// ---- tx distributions ----

func newDistributionsTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "distributions",
		Short: "Pay holders of a security pro rata: checkpoints, deposits, claims, pushed payments, reclaims",
		Long: `A distribution pays the holders of a security (dividends, coupons, revenue) pro rata to their
balances at a checkpoint. The issuer takes a checkpoint (balances now, or at a record time),
deposits cash for it, and each holder is owed floor(balance x amount / supply): the division's
remainder is accounted for and returns to the issuer at reclaim. Holders claim, or the issuer or
a paying agent pushes payments to them; withholding by jurisdiction goes to a tax account. After
the expiry the issuer reclaims what is unclaimed.

  girder tx distributions checkpoint ISSUER DENOM [--record-time TIME]
  girder tx distributions deposit DEPOSITOR DENOM CHECKPOINT AMOUNT --expiry TIME [--tax-account A --withhold DE=2500bps --default-bps N]
  girder tx distributions claim HOLDER DISTRIBUTION
  girder tx distributions push AGENT DISTRIBUTION HOLDER...
  girder tx distributions reclaim ISSUER DISTRIBUTION
  girder tx distributions appoint-agent|remove-agent ISSUER DENOM AGENT
  girder query distributions tracked|checkpoint|checkpoints|distributions|distribution|agents|balance-at|entitlement|queue`,
	}

	var cpF txFlags
	var recordTime string
	checkpoint := &cobra.Command{
		Use:     "checkpoint ISSUER DENOM [--record-time TIME]",
		Aliases: []string{"create-checkpoint"},
		Short:   "Take a checkpoint of a security's balances: now, or at a record time",
		Long: `Create a checkpoint of the security DENOM (denom or symbol), signed by the key ISSUER, its issuer.
Without --record-time it records the balances as of the end of the previous block; with it, as
of the end of the first block whose time is at or after the record time (it is "scheduled"
until then). A checkpoint copies no balance: the chain keeps each holder's balance history.
The checkpoint's id, printed here, is what a deposit names.

--record-time takes +DURATION after the latest block (+10m, +2d), an RFC 3339 time, a date, or
unix seconds.

Example:
  girder tx distributions checkpoint alice ubridge
  girder tx distributions checkpoint alice BRIDGE --record-time 2027-06-30T16:00:00Z`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				units, err := c.Units(ctx)
				if err != nil {
					return nil, err
				}
				denom, err := secDenomArg(args[1], units)
				if err != nil {
					return nil, err
				}
				m := &distributions.MsgCreateCheckpoint{Issuer: s.Address(), Asset: denom}
				if recordTime != "" {
					now := chainNow(ctx, c)
					if m.RecordTime, err = secWhen("record-time", recordTime, now); err != nil {
						return nil, err
					}
					if m.RecordTime <= now.Unix() {
						return nil, fmt.Errorf("--record-time %s is not after the latest block time %s: omit --record-time for a checkpoint now", fmtTime(m.RecordTime), fmtTime(now.Unix()))
					}
				}
				return validatedMsg(m)
			}, &cpF, func(w io.Writer, r *client.Result) {
				for _, e := range secEvents(r, "distributions.checkpoint_created") {
					if e["status"] == distributions.CheckpointScheduled {
						rt, _ := strconv.ParseInt(e["record_time"], 10, 64)
						fmt.Fprintf(w, "checkpoint %s of %s scheduled: taken at the end of the first block at or after %s\n", e["checkpoint"], e["asset"], fmtTime(rt))
						continue
					}
					fmt.Fprintf(w, "checkpoint %s of %s taken: balances as of the end of block %s\n", e["checkpoint"], e["asset"], e["height"])
				}
			})
		},
	}
	checkpoint.Flags().StringVar(&recordTime, "record-time", "", "record date: +DURATION, RFC 3339 time, date or unix seconds (default: now)")
	cpF.add(checkpoint)

	agentCmd := func(use, short, long string, appoint bool) *cobra.Command {
		var f txFlags
		c := &cobra.Command{
			Use: use + " ISSUER DENOM AGENT", Short: short, Long: long, Args: exactArgs(3),
			RunE: func(cmd *cobra.Command, args []string) error {
				agent, err := resolveAddress(args[2])
				if err != nil {
					return err
				}
				return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
					units, err := c.Units(ctx)
					if err != nil {
						return nil, err
					}
					denom, err := secDenomArg(args[1], units)
					if err != nil {
						return nil, err
					}
					if appoint {
						return validatedMsg(&distributions.MsgAppointAgent{Issuer: s.Address(), Asset: denom, Agent: agent})
					}
					return validatedMsg(&distributions.MsgRemoveAgent{Issuer: s.Address(), Asset: denom, Agent: agent})
				}, &f, func(w io.Writer, r *client.Result) {
					for _, e := range secEvents(r, "distributions.agent_appointed") {
						fmt.Fprintf(w, "%s is a paying agent of %s: it may deposit and push payments\n", e["agent"], e["asset"])
					}
					for _, e := range secEvents(r, "distributions.agent_removed") {
						fmt.Fprintf(w, "%s is no longer a paying agent of %s (what it queued is still paid)\n", e["agent"], e["asset"])
					}
				})
			},
		}
		f.add(c)
		return c
	}
	appoint := agentCmd("appoint-agent", "Appoint a paying agent of a security: it may deposit and push payments",
		`Appoint AGENT (an address or key name) as a paying agent of the security DENOM, signed by the key
ISSUER, its issuer. A paying agent may deposit cash for the holders and push payments to them.
An asset has at most 16 agents; the issuer is always its own agent.

Example:
  girder tx distributions appoint-agent alice ubridge paying-bank`, true)
	remove := agentCmd("remove-agent", "End a paying agent's appointment",
		`End the appointment of AGENT as a paying agent of DENOM, signed by the key ISSUER, its issuer.
Payments the agent already queued are still paid.

Example:
  girder tx distributions remove-agent alice ubridge paying-bank`, false)

	var depF txFlags
	var expiry, taxAccount, defaultBps string
	var withhold []string
	var depUnits []coin.Unit
	deposit := &cobra.Command{
		Use:   "deposit DEPOSITOR DENOM CHECKPOINT AMOUNT --expiry TIME [--tax-account ACCOUNT --withhold JJ=RATE,... --default-bps RATE] [--memo TEXT]",
		Short: "Deposit cash for the holders of a security at a checkpoint: a new distribution",
		Long: `Deposit AMOUNT of a cash asset (e.g. 1000.07EURt or 100007ueurt) for the holders of the security
DENOM (denom or symbol) at checkpoint CHECKPOINT (its id), signed by the key DEPOSITOR, the
security's issuer or one of its paying agents. This opens a distribution, whose id is printed.

Each holder is owed floor(balance x AMOUNT / supply), balance and supply as of the checkpoint;
the units lost to rounding add up to the distribution's remainder, which nobody is owed and
which returns to the issuer at reclaim. Holders claim until --expiry (at least 1 hour and at
most 10 years after the latest block): +DURATION (+90d, +1y), an RFC 3339 time, a date, or
unix seconds.

Withholding: a holder whose identity claims a jurisdiction listed in --withhold has that rate
withheld, any other holder --default-bps (default 0); the withheld part goes to --tax-account,
which is required when any rate is not zero. A rate is basis points (2500 or 2500bps) or a
percentage (25%, 12.5%). --memo is stored with the distribution (and the tx).

Example:
  girder tx distributions deposit alice ubridge 1 1000.07EURt --expiry +90d --memo "FY2026 dividend"
  girder tx distributions deposit paying-bank BRIDGE 1 50000EURt --expiry 2027-12-31 --tax-account tax-office --withhold DE=2500bps,FR=12.8% --default-bps 1500`,
		Args: exactArgs(4),
		RunE: func(cmd *cobra.Command, args []string) error {
			cp, err := secID(args[2], "checkpoint")
			if err != nil {
				return err
			}
			rates, err := parseRates(withhold)
			if err != nil {
				return err
			}
			var def uint32
			if defaultBps != "" {
				if def, err = parseBps(defaultBps); err != nil {
					return fmt.Errorf("--default-bps: %w", err)
				}
			}
			var tax address.Address
			if taxAccount != "" {
				if tax, err = resolveAddress(taxAccount); err != nil {
					return fmt.Errorf("--tax-account: %w", err)
				}
			}
			return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				var err error
				if depUnits, err = c.Units(ctx); err != nil {
					return nil, err
				}
				denom, err := secDenomArg(args[1], depUnits)
				if err != nil {
					return nil, err
				}
				amt, err := assetAmount("AMOUNT", "the cash asset's", args[3], "1000.07EURt", depUnits)
				if err != nil {
					return nil, err
				}
				if amt.Denom == denom {
					return nil, fmt.Errorf("AMOUNT %s is of the security itself: deposit a cash asset (e.g. EURt)", args[3])
				}
				exp, err := secWhen("expiry", expiry, chainNow(ctx, c))
				if err != nil {
					return nil, err
				}
				return validatedMsg(&distributions.MsgDeposit{Depositor: s.Address(), Asset: denom, Checkpoint: cp, Amount: amt, Expiry: exp,
					TaxAccount: tax, DefaultBps: def, Rates: rates, Memo: depF.memo})
			}, &depF, func(w io.Writer, r *client.Result) {
				for _, e := range secEvents(r, "distributions.deposited") {
					exp, _ := strconv.ParseInt(e["expiry"], 10, 64)
					fmt.Fprintf(w, "distribution %s opened: %s for the holders of %s at checkpoint %s (balances of block %s, supply %s)\n",
						e["distribution"], coinAttr(e["amount"], depUnits), e["asset"], e["checkpoint"], e["height"], amountAttr(e["supply"], e["asset"], depUnits))
					fmt.Fprintf(w, "holders claim until %s: girder tx distributions claim HOLDER %s\n", fmtTime(exp), e["distribution"])
				}
			})
		},
	}
	deposit.Flags().StringVar(&expiry, "expiry", "", "end of the claims: +DURATION (+90d, +1y), RFC 3339 time, date or unix seconds (required)")
	deposit.Flags().StringVar(&taxAccount, "tax-account", "", "account (address or key name) that receives what is withheld")
	deposit.Flags().StringSliceVar(&withhold, "withhold", nil, "withholding by the holder's jurisdiction: DE=2500bps,FR=12.8% (repeatable)")
	deposit.Flags().StringVar(&defaultBps, "default-bps", "", "withholding for every other holder: 1500, 1500bps or 15% (default 0)")
	_ = deposit.MarkFlagRequired("expiry")
	depF.add(deposit)
	deposit.Flags().Lookup("memo").Usage = "memo of the distribution, e.g. \"FY2026 dividend\" (up to 256 bytes; also the tx's memo)"

	var clF txFlags
	var clUnits []coin.Unit
	claim := &cobra.Command{
		Use:   "claim HOLDER DISTRIBUTION",
		Short: "Claim a holder's payment from a distribution (once)",
		Long: `Claim what the key HOLDER is owed by distribution DISTRIBUTION (its id): its balance at the
checkpoint times the amount deposited, divided by the supply, rounded down; less the withholding
for its jurisdiction, which goes to the tax account. A holder is paid once. See what a claim
would pay first with: girder query distributions entitlement DISTRIBUTION HOLDER.

Example:
  girder tx distributions claim bob 1`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := secID(args[1], "distribution")
			if err != nil {
				return err
			}
			return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				clUnits, _ = c.Units(ctx)
				return validatedMsg(&distributions.MsgClaim{Holder: s.Address(), Distribution: id})
			}, &clF, func(w io.Writer, r *client.Result) { printPaid(w, r, clUnits) })
		},
	}
	clF.add(claim)

	var pushF txFlags
	push := &cobra.Command{
		Use:   "push AGENT DISTRIBUTION HOLDER...",
		Short: "Queue payments to holders of a distribution (issuer or paying agent); the chain pays them",
		Long: `Queue payments from distribution DISTRIBUTION to each HOLDER (addresses or key names, 1 to 1000),
signed by the key AGENT: the security's issuer or one of its paying agents. The chain pays them
at the end of blocks, at most 100 per block, in queue order. A payment that cannot be made (the
holder was paid already, is frozen or denied, ...) is skipped and the holder keeps its right to
claim. See the queue with girder query distributions queue, and each payment with girder query
distributions entitlement DISTRIBUTION HOLDER.

Example:
  girder tx distributions push alice 1 bob carol gir1...`,
		Args: minArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := secID(args[1], "distribution")
			if err != nil {
				return err
			}
			holders, err := resolveAll(args[2:]...)
			if err != nil {
				return err
			}
			return withSignerShow(cmd, args[0], func(_ context.Context, _ *client.Client, s client.Signer) ([]tx.Msg, error) {
				return validatedMsg(&distributions.MsgPush{Agent: s.Address(), Distribution: id, Holders: holders})
			}, &pushF, func(w io.Writer, r *client.Result) {
				for _, e := range secEvents(r, "distributions.push_queued") {
					fmt.Fprintf(w, "queued %s payment(s) from distribution %s (queue entries %s to %s): paid at the end of blocks, 100 per block\n",
						e["holders"], e["distribution"], e["first"], e["last"])
				}
			})
		},
	}
	pushF.add(push)

	var rcF txFlags
	var rcUnits []coin.Unit
	reclaim := &cobra.Command{
		Use:   "reclaim ISSUER DISTRIBUTION",
		Short: "Take back what is unclaimed of an expired distribution, with its remainder",
		Long: `Return to the key ISSUER, the security's issuer, what holders did not claim from distribution
DISTRIBUTION by its expiry, together with its remainder (the units lost to rounding). Refused
before the expiry.

Example:
  girder tx distributions reclaim alice 1`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := secID(args[1], "distribution")
			if err != nil {
				return err
			}
			return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				rcUnits, _ = c.Units(ctx)
				return validatedMsg(&distributions.MsgReclaim{Issuer: s.Address(), Distribution: id})
			}, &rcF, func(w io.Writer, r *client.Result) {
				for _, e := range secEvents(r, "distributions.reclaimed") {
					c, _ := coin.Parse(e["amount"], nil)
					fmt.Fprintf(w, "reclaimed %s from distribution %s to %s (unclaimed %s, remainder %s)\n", coin.Format(c, rcUnits), e["distribution"], e["to"],
						amountAttr(e["unclaimed"], c.Denom, rcUnits), amountAttr(e["remainder"], c.Denom, rcUnits))
				}
			})
		},
	}
	rcF.add(reclaim)

	cmd.AddCommand(checkpoint, appoint, remove, deposit, claim, push, reclaim)
	return cmd
}

// printPaid prints the distributions.paid events of a tx result.
func printPaid(w io.Writer, r *client.Result, units []coin.Unit) {
	for _, e := range secEvents(r, "distributions.paid") {
		fmt.Fprintf(w, "paid %s from distribution %s: gross %s, ", e["holder"], e["distribution"], coinAttr(e["gross"], units))
		if e["bps"] == "0" {
			fmt.Fprint(w, "nothing withheld")
		} else {
			j := e["jurisdiction"]
			if j == "" {
				j = "no jurisdiction claimed"
			}
			fmt.Fprintf(w, "withheld %s (%s bps, %s) to %s", coinAttr(e["withheld"], units), e["bps"], j, e["tax_account"])
		}
		fmt.Fprintf(w, ", net %s (balance at the checkpoint %s)\n", coinAttr(e["net"], units), amountAttr(e["balance"], e["asset"], units))
	}
}

// ---- query distributions ----

func printCheckpoint(w io.Writer, c distributions.CheckpointInfo, units []coin.Unit) {
	fmt.Fprintf(w, "checkpoint %d of %s (%s)\n", c.ID, c.Asset, c.Status)
	if c.Status == distributions.CheckpointTaken {
		fmt.Fprintf(w, "  balances    as of the end of block %d\n  supply      %s\n", c.Height, amountText(coin.New(c.Asset, c.Supply), units))
	}
	if c.RecordTime != 0 {
		fmt.Fprintf(w, "  record time %s\n", fmtTime(c.RecordTime))
	}
	if c.TakenTime != 0 {
		fmt.Fprintf(w, "  taken       %s\n", fmtTime(c.TakenTime))
	}
	fmt.Fprintf(w, "  created     by %s at height %d, %s\n", c.By, c.CreatedHeight, fmtTime(c.CreatedTime))
}

func printDistribution(w io.Writer, d distributions.DistributionInfo, units []coin.Unit) {
	cash := func(a coin.Amount) string { return amountText(coin.New(d.Amount.Denom, a), units) }
	sec := func(a coin.Amount) string { return amountText(coin.New(d.Asset, a), units) }
	note := "holders claim until the expiry"
	if d.Status == distributions.StatusReclaimed {
		note = fmt.Sprintf("the issuer took back the rest at height %d", d.ReclaimedHeight)
	}
	fmt.Fprintf(w, "distribution %d (%s: %s)\n", d.ID, d.Status, note)
	fmt.Fprintf(w, "  asset        %s at checkpoint %d (balances of block %d)\n  supply       %s\n", d.Asset, d.Checkpoint, d.Height, sec(d.Supply))
	fmt.Fprintf(w, "  deposited    %s by %s\n  issuer       %s\n  expiry       %s\n", amountText(d.Amount, units), d.Depositor, d.Issuer, fmtTime(d.Expiry))
	if !d.TaxAccount.IsZero() || d.DefaultBps != 0 || len(d.Rates) != 0 {
		var rates []string
		for _, r := range d.Rates {
			rates = append(rates, fmt.Sprintf("%s %d bps", r.Jurisdiction, r.Bps))
		}
		rates = append(rates, fmt.Sprintf("others %d bps", d.DefaultBps))
		fmt.Fprintf(w, "  withholding  %s, to %s\n", strings.Join(rates, ", "), d.TaxAccount)
	}
	if d.Memo != "" {
		fmt.Fprintf(w, "  memo         %s\n", d.Memo)
	}
	fmt.Fprintf(w, "  paid         %s net to holders in %s (holding %s at the checkpoint)\n", cash(d.Paid), countOf(d.Payments, "payment"), sec(d.ClaimedBalance))
	fmt.Fprintf(w, "  withheld     %s\n  unclaimed    %s\n  remainder    %s (rounding: owed to nobody, returns to the issuer at reclaim)\n",
		cash(d.Withheld), cash(d.Unclaimed), cash(d.Remainder))
	fmt.Fprintf(w, "  in escrow    %s\n", cash(d.Outstanding))
	if d.Status == distributions.StatusReclaimed {
		fmt.Fprintf(w, "  reclaimed    %s\n", cash(d.Reclaimed))
	}
	fmt.Fprintf(w, "  created      height %d, %s\n", d.CreatedHeight, fmtTime(d.CreatedTime))
}

func printEntitlement(w io.Writer, e distributions.Entitlement, units []coin.Unit) {
	fmt.Fprintf(w, "holder       %s\ndistribution %d of %s, checkpoint %d (block %d)\nbalance      %s of a supply of %s\n",
		e.Holder, e.Distribution, e.Asset, e.Checkpoint, e.Height, amountText(coin.New(e.Asset, e.Balance), units), amountText(coin.New(e.Asset, e.Supply), units))
	j := "for " + e.Jurisdiction
	if e.Jurisdiction == "" {
		j = "no jurisdiction claimed"
	}
	fmt.Fprintf(w, "gross        %s\nwithheld     %s, rate %s, %s\nnet          %s\n", amountText(e.Gross, units), amountText(e.Withheld, units), bpsText(e.Bps), j, amountText(e.Net, units))
	switch {
	case e.Paid && e.Payment != nil:
		fmt.Fprintf(w, "status       paid at height %d, %s (%s)\n", e.Payment.Height, fmtTime(e.Payment.Time), e.Payment.Via)
	case e.Claimable:
		fmt.Fprintf(w, "status       claimable now: girder tx distributions claim %s %d\n", e.Holder, e.Distribution)
	default:
		fmt.Fprintf(w, "status       not claimable now: %s (%s)\n", e.Reason, e.Code)
	}
}

func newDistributionsQueryCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "distributions", Short: "Checkpoints, distributions, entitlements, paying agents and the push queue"}

	denomPath := func(prefix string) func(context.Context, *client.Client, []coin.Unit, []string) (string, []byte, error) {
		return func(_ context.Context, _ *client.Client, units []coin.Unit, args []string) (string, []byte, error) {
			d, err := secDenomArg(args[0], units)
			return prefix + d, nil, err
		}
	}
	idPath := func(prefix, what string) func(context.Context, *client.Client, []coin.Unit, []string) (string, []byte, error) {
		return func(_ context.Context, _ *client.Client, _ []coin.Unit, args []string) (string, []byte, error) {
			id, err := secID(args[0], what)
			return prefix + strconv.FormatUint(id, 10), nil, err
		}
	}
	type page struct {
		after uint64
		limit int
	}
	pageFlags := func(c *cobra.Command, p *page) *cobra.Command {
		c.Flags().Uint64Var(&p.after, "after", 0, "page: ids after this one (the previous page's next)")
		c.Flags().IntVar(&p.limit, "limit", 0, "page size, 1 to 500 (default 100)")
		return c
	}
	pagedDenomPath := func(prefix string, p *page) func(context.Context, *client.Client, []coin.Unit, []string) (string, []byte, error) {
		return func(ctx context.Context, c *client.Client, units []coin.Unit, args []string) (string, []byte, error) {
			path, _, err := denomPath(prefix)(ctx, c, units, args)
			return path, queryData("after", strconv.FormatUint(p.after, 10), "limit", strconv.Itoa(p.limit)), err
		}
	}

	tracked := secQuery("tracked", "List the securities whose balance history is kept (checkpoints are of those)",
		"Every security has its balance history kept from its creation; checkpoints and distributions are of these.\n\nExample:\n  girder query distributions tracked",
		maxArgs(0), func(context.Context, *client.Client, []coin.Unit, []string) (string, []byte, error) {
			return "/distributions/tracked", nil, nil
		}, func(w io.Writer, v *[]distributions.Tracked, _ []coin.Unit) {
			if len(*v) == 0 {
				fmt.Fprintln(w, "no tracked assets: create a security first (girder tx assets create)")
				return
			}
			tw := newTable(w)
			fmt.Fprintln(tw, "ASSET\tSINCE HEIGHT")
			for _, t := range *v {
				fmt.Fprintf(tw, "%s\t%d\n", t.Denom, t.Since)
			}
			tw.Flush()
		})

	checkpoint := secQuery("checkpoint ID", "Show a checkpoint: its asset, block, supply and record time",
		"Show checkpoint ID: the block whose balances it records, the supply then, its record time.\n\nExample:\n  girder query distributions checkpoint 1",
		exactArgs(1), idPath("/distributions/checkpoint/", "checkpoint"),
		func(w io.Writer, c *distributions.CheckpointInfo, units []coin.Unit) { printCheckpoint(w, *c, units) })

	var cpPage page
	checkpoints := pageFlags(secQuery("checkpoints DENOM [--after ID] [--limit N]", "List a security's checkpoints",
		"List the checkpoints of the security DENOM (denom or symbol), in id order.\n\nExample:\n  girder query distributions checkpoints ubridge",
		exactArgs(1), pagedDenomPath("/distributions/checkpoints/", &cpPage),
		func(w io.Writer, v *distributions.CheckpointList, _ []coin.Unit) {
			if len(v.Checkpoints) == 0 {
				fmt.Fprintln(w, "no checkpoints")
			} else {
				tw := newTable(w)
				fmt.Fprintln(tw, "ID\tSTATUS\tBLOCK\tRECORD TIME\tCREATED")
				for _, c := range v.Checkpoints {
					block := "-"
					if c.Status == distributions.CheckpointTaken {
						block = strconv.FormatInt(c.Height, 10)
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", c.ID, c.Status, block, fmtTime(c.RecordTime), fmtTime(c.CreatedTime))
				}
				tw.Flush()
			}
			printNext(w, v.Next)
		}), &cpPage)

	var dPage page
	dists := pageFlags(secQuery("distributions DENOM [--after ID] [--limit N]", "List a security's distributions",
		"List the distributions of the security DENOM (denom or symbol), in id order.\n\nExample:\n  girder query distributions distributions ubridge",
		exactArgs(1), pagedDenomPath("/distributions/distributions/", &dPage),
		func(w io.Writer, v *distributions.DistributionList, units []coin.Unit) {
			if len(v.Distributions) == 0 {
				fmt.Fprintln(w, "no distributions")
			} else {
				tw := newTable(w)
				fmt.Fprintln(tw, "ID\tSTATUS\tCHECKPOINT\tDEPOSITED\tPAID\tWITHHELD\tPAYMENTS\tEXPIRY")
				for _, d := range v.Distributions {
					c := func(a coin.Amount) string { return coin.Format(coin.New(d.Amount.Denom, a), units) }
					fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%d\t%s\n", d.ID, d.Status, d.Checkpoint, coin.Format(d.Amount, units), c(d.Paid), c(d.Withheld), d.Payments, fmtTime(d.Expiry))
				}
				tw.Flush()
			}
			printNext(w, v.Next)
		}), &dPage)

	dist := secQuery("distribution ID", "Show a distribution: deposited, paid, withheld, unclaimed, remainder, reclaimed",
		`Show distribution ID: what was deposited for which checkpoint, its withholding, and its totals.
While it is open, paid + withheld + unclaimed + remainder = deposited.

Example:
  girder query distributions distribution 1
  girder query distributions distribution 1 -o json`,
		exactArgs(1), idPath("/distributions/distribution/", "distribution"),
		func(w io.Writer, d *distributions.DistributionInfo, units []coin.Unit) {
			printDistribution(w, *d, units)
		})

	agents := secQuery("agents DENOM", "List the paying agents of a security",
		"List the paying agents of the security DENOM (denom or symbol).\n\nExample:\n  girder query distributions agents ubridge",
		exactArgs(1), denomPath("/distributions/agents/"),
		func(w io.Writer, v *[]distributions.Agent, _ []coin.Unit) {
			if len(*v) == 0 {
				fmt.Fprintln(w, "no paying agents (the issuer deposits and pushes itself)")
				return
			}
			tw := newTable(w)
			fmt.Fprintln(tw, "AGENT\tAPPOINTED BY\tHEIGHT")
			for _, a := range *v {
				fmt.Fprintf(tw, "%s\t%s\t%d\n", a.Agent, a.By, a.Height)
			}
			tw.Flush()
		})

	balanceAt := secQuery("balance-at DENOM CHECKPOINT ADDRESS|KEY", "Show an account's balance of a security at a checkpoint",
		"Show what an account (address or key name) held of the security DENOM at checkpoint CHECKPOINT, and the supply then.\n\nExample:\n  girder query distributions balance-at ubridge 1 bob",
		exactArgs(3), func(_ context.Context, _ *client.Client, units []coin.Unit, args []string) (string, []byte, error) {
			d, err := secDenomArg(args[0], units)
			if err != nil {
				return "", nil, err
			}
			id, err := secID(args[1], "checkpoint")
			if err != nil {
				return "", nil, err
			}
			a, err := resolveAddress(args[2])
			if err != nil {
				return "", nil, err
			}
			return "/distributions/balance-at/" + d + "/" + strconv.FormatUint(id, 10) + "/" + a.String(), nil, nil
		}, func(w io.Writer, v *distributions.BalanceAtResult, units []coin.Unit) {
			fmt.Fprintf(w, "account    %s\ncheckpoint %d of %s (end of block %d)\nbalance    %s\nsupply     %s\n", v.Address, v.Checkpoint, v.Asset, v.Height,
				amountText(coin.New(v.Asset, v.Balance), units), amountText(coin.New(v.Asset, v.Supply), units))
		})

	entitlement := secQuery("entitlement DISTRIBUTION ADDRESS|KEY", "Show what a holder is owed by a distribution, and whether it was paid or may claim",
		`Show what an account (address or key name) is owed by distribution DISTRIBUTION: its balance at the
checkpoint, the gross amount, the withholding for its jurisdiction and the net; then the payment
made, or whether a claim would be paid now and, if not, why.

Example:
  girder query distributions entitlement 1 bob`,
		exactArgs(2), func(_ context.Context, _ *client.Client, _ []coin.Unit, args []string) (string, []byte, error) {
			id, err := secID(args[0], "distribution")
			if err != nil {
				return "", nil, err
			}
			a, err := resolveAddress(args[1])
			if err != nil {
				return "", nil, err
			}
			return "/distributions/entitlement/" + strconv.FormatUint(id, 10) + "/" + a.String(), nil, nil
		}, func(w io.Writer, e *distributions.Entitlement, units []coin.Unit) { printEntitlement(w, *e, units) })

	queue := secQuery("queue", "Show the pushed payments waiting for the end of a block",
		"Show how many pushed payments wait, and the first 100 in the order they will be paid.\n\nExample:\n  girder query distributions queue",
		maxArgs(0), func(context.Context, *client.Client, []coin.Unit, []string) (string, []byte, error) {
			return "/distributions/queue", nil, nil
		}, func(w io.Writer, q *distributions.QueueResult, _ []coin.Unit) {
			if q.Length == 0 {
				fmt.Fprintln(w, "the push queue is empty")
				return
			}
			fmt.Fprintf(w, "%s queued (paid at the end of blocks, 100 per block)\n", countOf(q.Length, "payment"))
			tw := newTable(w)
			fmt.Fprintln(tw, "SEQ\tDISTRIBUTION\tHOLDER")
			for _, e := range q.Entries {
				fmt.Fprintf(tw, "%d\t%d\t%s\n", e.Seq, e.Distribution, e.Holder)
			}
			tw.Flush()
		})

	cmd.AddCommand(tracked, checkpoint, checkpoints, dists, dist, agents, balanceAt, entitlement, queue)
	return cmd
}
