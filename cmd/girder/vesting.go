package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/vesting"
)

// The vesting commands live under `tx vesting` and `query vesting` (tx.go and query.go add them);
// they share the time, amount, id and event helpers of offerings.go.

// vestingSchedule builds a grant's schedule from the flags: --linear with --start/--end and an
// optional --cliff, or one --period TIME=AMOUNT per step (with an optional --start). Amounts of
// periods are of denom and must add up to total.
func vestingSchedule(linear bool, start, end, cliff string, periods []string, denom string, total coin.Amount, units []coin.Unit, now time.Time) (vesting.Schedule, error) {
	var s vesting.Schedule
	switch {
	case linear && len(periods) > 0:
		return s, fmt.Errorf("give --linear (with --start and --end) or --period TIME=AMOUNT entries, not both")
	case !linear && len(periods) == 0:
		return s, fmt.Errorf("no schedule: give --linear --start TIME --end TIME [--cliff TIME], or one --period TIME=AMOUNT per step")
	}
	var err error
	if linear {
		if end == "" {
			return s, fmt.Errorf("--linear needs --end: when the whole grant has vested (e.g. --end +4y)")
		}
		s.Kind = vesting.KindLinear
		if start == "" {
			start = "now"
		}
		if s.Start, err = secWhen("start", start, now); err != nil {
			return s, err
		}
		if s.End, err = secWhen("end", end, now); err != nil {
			return s, err
		}
		if s.End <= s.Start {
			return s, fmt.Errorf("--end %s is not after --start %s: a linear schedule runs from its start to a later end", fmtTime(s.End), fmtTime(s.Start))
		}
		if cliff != "" {
			if s.Cliff, err = secWhen("cliff", cliff, now); err != nil {
				return s, err
			}
			if s.Cliff < s.Start || s.Cliff > s.End {
				return s, fmt.Errorf("--cliff %s is outside the schedule %s to %s", fmtTime(s.Cliff), fmtTime(s.Start), fmtTime(s.End))
			}
		}
	} else {
		if end != "" || cliff != "" {
			return s, fmt.Errorf("--end and --cliff are for --linear schedules: a periodic schedule ends at its last --period")
		}
		s.Kind = vesting.KindPeriodic
		var sum coin.Amount
		for _, e := range periods {
			at, amt, ok := strings.Cut(strings.TrimSpace(e), "=")
			if !ok || at == "" || amt == "" {
				return s, fmt.Errorf("--period %q: want TIME=AMOUNT, e.g. +90d=250GRD or 2027-06-30=250GRD", e)
			}
			var p vesting.Period
			if p.Time, err = secWhen("period", at, now); err != nil {
				return s, err
			}
			if p.Amount, err = secAmount(amt, denom, "--period "+at+" amount", units); err != nil {
				return s, err
			}
			if p.Amount == 0 {
				return s, fmt.Errorf("--period %q: the amount must be positive", e)
			}
			if n := len(s.Periods); n > 0 && p.Time <= s.Periods[n-1].Time {
				return s, fmt.Errorf("--period %q at %s is not after the previous period (%s): give the periods in increasing time order", e, fmtTime(p.Time), fmtTime(s.Periods[n-1].Time))
			}
			if sum, err = sum.Add(p.Amount); err != nil {
				return s, fmt.Errorf("--period amounts: %w", err)
			}
			s.Periods = append(s.Periods, p)
		}
		if len(s.Periods) > vesting.MaxPeriods {
			return s, fmt.Errorf("%d periods: at most %d", len(s.Periods), vesting.MaxPeriods)
		}
		if sum != total {
			return s, fmt.Errorf("the --period amounts add up to %s, but AMOUNT is %s: they must add up to the grant exactly",
				amountText(coin.New(denom, sum), units), amountText(coin.New(denom, total), units))
		}
		if start == "" {
			s.Start = min(now.Unix(), s.Periods[0].Time)
		} else if s.Start, err = secWhen("start", start, now); err != nil {
			return s, err
		}
		if s.Periods[0].Time < s.Start {
			return s, fmt.Errorf("the first --period (%s) is before --start %s", fmtTime(s.Periods[0].Time), fmtTime(s.Start))
		}
	}
	if d := s.EndTime() - s.Start; d > vesting.MaxDuration {
		return s, fmt.Errorf("the schedule runs %s to %s, longer than %d days (5 years)", fmtTime(s.Start), fmtTime(s.EndTime()), vesting.MaxDuration/86400)
	}
	return s, nil
}

// scheduleText describes a schedule in a line: "linearly 2026-… to 2027-… (cliff …)".
func scheduleText(s vesting.Schedule, denom string, units []coin.Unit) string {
	if s.Kind == vesting.KindPeriodic {
		if len(s.Periods) == 0 {
			return fmt.Sprintf("by periods from %s to %s", fmtTime(s.Start), fmtTime(s.EndTime()))
		}
		if len(s.Periods) == 1 {
			return fmt.Sprintf("all at %s", fmtTime(s.Periods[0].Time))
		}
		return fmt.Sprintf("in %d periods from %s to %s", len(s.Periods), fmtTime(s.Periods[0].Time), fmtTime(s.EndTime()))
	}
	out := fmt.Sprintf("linearly %s to %s", fmtTime(s.Start), fmtTime(s.End))
	if s.Cliff != 0 && s.Cliff != s.Start {
		out += fmt.Sprintf(" (nothing before the cliff %s)", fmtTime(s.Cliff))
	}
	return out
}

func clawbackText(b bool) string {
	if b {
		return "clawback allowed"
	}
	return "no clawback"
}

// ---- tx vesting ----

func newVestingTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vesting",
		Short: "Lock-up grants: tokens in an account's balance that vest on a schedule; clawback",
		Long: `A vesting grant moves an amount from the grantor into the grantee's balance, locked by a
schedule: the tokens count (for voting, for distributions) but the locked part cannot leave the
account by any path (transfers, fees, subscriptions, deposits, burns) until it vests. A schedule
is linear from a start to an end (with an optional cliff) or periodic (amounts at given times),
at most 5 years. A grant made with --clawback may be taken back by its grantor: the unvested
part returns, the vested part stays.

  girder tx vesting grant GRANTOR GRANTEE AMOUNT (--linear --start TIME --end TIME [--cliff TIME] | --period TIME=AMOUNT ...) [--clawback] [--memo TEXT]
  girder tx vesting clawback GRANTOR GRANT_ID --reason TEXT
  girder query vesting account|grant|locked`,
	}

	var grF txFlags
	var linear, clawback bool
	var start, end, cliff string
	var periods []string
	var grUnits []coin.Unit
	grant := &cobra.Command{
		Use:   "grant GRANTOR GRANTEE AMOUNT (--linear --start TIME --end TIME [--cliff TIME] | --period TIME=AMOUNT ...) [--clawback] [--memo TEXT]",
		Short: "Grant tokens that vest on a schedule: in the grantee's balance, locked until vested",
		Long: `Move AMOUNT (e.g. 1000GRD or 1000000000ugrd) from the key GRANTOR to GRANTEE (an address or key
name), locked in GRANTEE's balance by a schedule, signed by GRANTOR. The grant's id is printed.

Schedules:
  --linear --start TIME --end TIME [--cliff TIME]
      nothing vests before the cliff (if any); from then on floor(AMOUNT x (t - start) / (end - start))
      has vested, all of it at the end. --start defaults to now.
  --period TIME=AMOUNT (repeatable, increasing times) [--start TIME]
      each amount vests at its time; the amounts must add up to AMOUNT exactly.

A schedule lasts at most 5 years (1827 days), must end after the latest block and start at most
366 days after it. TIME is now, +DURATION after the latest block (+90s, +10m, +48h, +30d, +1y),
an RFC 3339 time, a date (midnight UTC) or unix seconds.

--clawback lets GRANTOR take back the unvested part later (girder tx vesting clawback). --memo
is stored with the grant (and the tx). An account may hold up to 64 grants still vesting per denom.

Example:
  girder tx vesting grant alice bob 1000GRD --linear --start now --end +4y --cliff +1y --clawback
  girder tx vesting grant alice bob 300GRD --period +30d=100GRD --period +60d=100GRD --period +90d=100GRD --memo "advisor"`,
		Args: exactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			grantee, err := resolveAddress(args[1])
			if err != nil {
				return fmt.Errorf("GRANTEE: %w", err)
			}
			return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				var err error
				if grUnits, err = c.Units(ctx); err != nil {
					return nil, err
				}
				amt, err := parseAssetAmount(ctx, c, args[2], "")
				if err != nil {
					return nil, fmt.Errorf("AMOUNT: %w", err)
				}
				sched, err := vestingSchedule(linear, start, end, cliff, periods, amt.Denom, amt.Amount, grUnits, chainNow(ctx, c))
				if err != nil {
					return nil, err
				}
				return validatedMsg(&vesting.MsgGrant{Grantor: s.Address(), Grantee: grantee, Amount: amt, Schedule: sched, Clawback: clawback, Memo: grF.memo})
			}, &grF, func(w io.Writer, r *client.Result) {
				for _, e := range secEvents(r, "vesting.granted") {
					start, _ := strconv.ParseInt(e["start"], 10, 64)
					cl, _ := strconv.ParseInt(e["cliff"], 10, 64)
					end, _ := strconv.ParseInt(e["end"], 10, 64)
					amt, _ := coin.Parse(e["amount"], nil)
					s := vesting.Schedule{Kind: e["kind"], Start: start, Cliff: cl, End: end}
					if s.Kind == vesting.KindPeriodic {
						s.End = 0 // the event's end is the last period's time
					}
					how := scheduleText(s, amt.Denom, grUnits)
					if s.Kind == vesting.KindPeriodic {
						how = fmt.Sprintf("by periods from %s to %s", fmtTime(start), fmtTime(end))
					}
					fmt.Fprintf(w, "grant %s: %s to %s vesting %s, %s\n", e["grant"], coin.Format(amt, grUnits), e["grantee"], how, clawbackText(e["clawback"] == "true"))
					fmt.Fprintf(w, "locked now: %s (see girder query vesting grant %s)\n", amountAttr(e["locked"], amt.Denom, grUnits), e["grant"])
				}
			})
		},
	}
	grant.Flags().BoolVar(&linear, "linear", false, "linear schedule from --start to --end (with an optional --cliff)")
	grant.Flags().StringVar(&start, "start", "", "start of the schedule: now, +DURATION, RFC 3339 time, date or unix seconds (default now)")
	grant.Flags().StringVar(&end, "end", "", "end of a linear schedule: everything has vested then")
	grant.Flags().StringVar(&cliff, "cliff", "", "nothing of a linear schedule vests before this time")
	grant.Flags().StringArrayVar(&periods, "period", nil, "one step of a periodic schedule: TIME=AMOUNT, e.g. +30d=100GRD (repeatable)")
	grant.Flags().BoolVar(&clawback, "clawback", false, "the grantor may take back the unvested part later")
	grF.add(grant)
	grant.Flags().Lookup("memo").Usage = "memo of the grant (up to 256 bytes; also the tx's memo)"

	var cbF txFlags
	var reason string
	var cbUnits []coin.Unit
	claw := &cobra.Command{
		Use:   "clawback GRANTOR GRANT_ID --reason TEXT",
		Short: "Take back the unvested part of a grant made with --clawback (its grantor only)",
		Long: `Return to the key GRANTOR, the grant's grantor, the part of grant GRANT_ID that has not vested yet;
the vested part stays with the grantee. Only grants made with --clawback, once; --reason (1 to
256 bytes) is recorded with the grant. See the grant first with girder query vesting grant ID.

Example:
  girder tx vesting clawback alice 3 --reason "left the company on 2026-11-30"`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := secID(args[1], "grant")
			if err != nil {
				return err
			}
			if strings.TrimSpace(reason) == "" || len(reason) > vesting.MaxReasonLen {
				return fmt.Errorf("--reason of %d bytes: a clawback says why, in 1 to %d bytes", len(reason), vesting.MaxReasonLen)
			}
			return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				cbUnits, _ = c.Units(ctx)
				return validatedMsg(&vesting.MsgClawback{Grantor: s.Address(), Grant: id, Reason: reason})
			}, &cbF, func(w io.Writer, r *client.Result) {
				for _, e := range secEvents(r, "vesting.clawed_back") {
					fmt.Fprintf(w, "grant %s clawed back: %s returned to %s; %s keeps %s vested\n", e["grant"], coinAttr(e["returned"], cbUnits), e["grantor"],
						e["grantee"], coinAttr(e["vested_kept"], cbUnits))
				}
			})
		},
	}
	claw.Flags().StringVar(&reason, "reason", "", "why the grant is clawed back (1 to 256 bytes, recorded; required)")
	_ = claw.MarkFlagRequired("reason")
	cbF.add(claw)

	cmd.AddCommand(grant, claw)
	return cmd
}

// ---- query vesting ----

func printGrant(w io.Writer, g vesting.GrantInfo, units []coin.Unit) {
	amt := func(a coin.Amount) string { return amountText(coin.New(g.Amount.Denom, a), units) }
	fmt.Fprintf(w, "grant %d (%s)\n", g.ID, g.Status)
	fmt.Fprintf(w, "  grantor     %s\n  grantee     %s\n  granted     %s\n", g.Grantor, g.Grantee, amountText(g.Amount, units))
	fmt.Fprintf(w, "  schedule    %s\n", scheduleText(g.Schedule, g.Amount.Denom, units))
	if g.Schedule.Kind == vesting.KindPeriodic {
		fmt.Fprintf(w, "  start       %s\n", fmtTime(g.Schedule.Start))
		for i, p := range g.Schedule.Periods {
			fmt.Fprintf(w, "  period %-4d %s  %s\n", i+1, fmtTime(p.Time), amt(p.Amount))
		}
	}
	fmt.Fprintf(w, "  clawback    %s\n", clawbackText(g.Clawback))
	if g.Memo != "" {
		fmt.Fprintf(w, "  memo        %s\n", g.Memo)
	}
	fmt.Fprintf(w, "  vested      %s at %s\n  locked      %s\n", amt(g.Vested), fmtTime(g.Time), amt(g.Locked))
	if g.Status == vesting.StatusClawedBack {
		fmt.Fprintf(w, "  clawed back %s at %s: %s\n", amt(g.ClawedBack), fmtTime(g.ClawedAt), g.Reason)
	}
	fmt.Fprintf(w, "  created     height %d, %s\n", g.CreatedHeight, fmtTime(g.CreatedTime))
}

func newVestingQueryCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "vesting", Short: "Vesting grants: an account's grants, one grant, what is locked and spendable"}

	var after uint64
	var limit int
	account := secQuery("account ADDRESS|KEY [--after ID] [--limit N]", "List an account's vesting grants and what is locked per denom",
		`List the grants an account (address or key name) received, in id order, with what each has vested
and still locks now, and the total locked per denom.

Example:
  girder query vesting account bob
  girder query vesting account gir1... -o json`,
		exactArgs(1), func(_ context.Context, _ *client.Client, _ []coin.Unit, args []string) (string, []byte, error) {
			a, err := resolveAddress(args[0])
			if err != nil {
				return "", nil, err
			}
			return "/vesting/account/" + a.String(), queryData("after", strconv.FormatUint(after, 10), "limit", strconv.Itoa(limit)), nil
		}, func(w io.Writer, v *vesting.AccountGrants, units []coin.Unit) {
			fmt.Fprintf(w, "account %s at %s\n", v.Address, fmtTime(v.Time))
			var locked []string
			for _, c := range v.Locked {
				if c.Amount != 0 {
					locked = append(locked, coin.Format(c, units))
				}
			}
			if len(locked) == 0 {
				fmt.Fprintln(w, "locked: nothing")
			} else {
				fmt.Fprintf(w, "locked: %s\n", strings.Join(locked, ", "))
			}
			if len(v.Grants) == 0 {
				fmt.Fprintln(w, "no grants")
			} else {
				tw := newTable(w)
				fmt.Fprintln(tw, "ID\tSTATUS\tGRANTED\tVESTED\tLOCKED\tKIND\tENDS\tCLAWBACK\tGRANTOR")
				for _, g := range v.Grants {
					c := func(a coin.Amount) string { return coin.Format(coin.New(g.Amount.Denom, a), units) }
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", g.ID, g.Status, coin.Format(g.Amount, units), c(g.Vested), c(g.Locked),
						g.Schedule.Kind, fmtTime(g.Schedule.EndTime()), yesNo(g.Clawback), g.Grantor)
				}
				tw.Flush()
			}
			printNext(w, v.Next)
		})
	account.Flags().Uint64Var(&after, "after", 0, "page: grants after this id (the previous page's next)")
	account.Flags().IntVar(&limit, "limit", 0, "page size, 1 to 500 (default 100)")

	grant := secQuery("grant ID", "Show a grant: schedule, status, vested and locked now",
		`Show grant ID: grantor, grantee, amount, schedule, whether it may be clawed back, what has
vested and what is still locked now (and any clawback).

Example:
  girder query vesting grant 3
  girder query vesting grant 3 -o json`,
		exactArgs(1), func(_ context.Context, _ *client.Client, _ []coin.Unit, args []string) (string, []byte, error) {
			id, err := secID(args[0], "grant")
			return "/vesting/grant/" + strconv.FormatUint(id, 10), nil, err
		}, func(w io.Writer, g *vesting.GrantInfo, units []coin.Unit) { printGrant(w, *g, units) })

	locked := secQuery("locked ADDRESS|KEY DENOM", "Show an account's balance, locked and spendable amounts of a denom",
		`Show what an account (address or key name) holds of DENOM (a denom or symbol, e.g. ugrd or GRD),
how much of it vesting grants lock now, and what it may spend (balance - locked). Fees are paid
from the spendable part too.

Example:
  girder query vesting locked bob GRD`,
		exactArgs(2), func(_ context.Context, _ *client.Client, units []coin.Unit, args []string) (string, []byte, error) {
			a, err := resolveAddress(args[0])
			if err != nil {
				return "", nil, err
			}
			d, err := secDenomArg(args[1], units)
			if err != nil {
				return "", nil, fmt.Errorf("DENOM: %w", err)
			}
			return "/vesting/locked/" + a.String() + "/" + d, nil, nil
		}, func(w io.Writer, v *vesting.LockedInfo, units []coin.Unit) {
			c := func(a coin.Amount) string { return amountText(coin.New(v.Denom, a), units) }
			fmt.Fprintf(w, "account   %s at %s\nbalance   %s\nlocked    %s\nspendable %s\n", v.Address, fmtTime(v.Time), c(v.Balance), c(v.Locked), c(v.Spendable))
			if v.Grants > 0 {
				fmt.Fprintf(w, "grants    %d still vesting, the last ends %s\n", v.Grants, fmtTime(v.Until))
			}
		})

	cmd.AddCommand(account, grant, locked)
	return cmd
}
