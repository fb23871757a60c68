package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/compliance"
)

// The compliance commands live under `tx compliance` and `query compliance` (tx.go and query.go
// add them); this file also registers the `girder compliance` help topic.
func init() { register(newComplianceTopicCmd) }

// complianceNative is the gas token: rules of its scope may not count holders or balances, and
// it cannot be frozen.
const complianceNative = "ugrd"

func newComplianceTopicCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "compliance",
		Short: "Guide: rules, decisions, holds, alerts, deny lists and freezes",
		Long: `The compliance engine (see docs/compliance.md) decides every transfer between parties:
allow, flag (it moves and an alert opens), hold (the amount waits in a hold until a compliance
officer releases or returns it, or its deadline returns it) or reject (nothing moves).

It checks, in order: the asset's pause and freezes, the chain-wide rule set, then the asset's
rule set. The most severe outcome wins (reject > hold > flag > allow), attributed to the first
rule with it. Rule kinds: ` + strings.Join(compliance.Kinds, ", ") + `.

Every tx below is signed by a holder of the compliance_officer role (girder dev's validator):
  girder tx compliance set-rules OFFICER --asset DENOM|--chain --file rules.json   (or --clear)
  girder tx compliance deny|undeny OFFICER ACCOUNT [--asset DENOM] --reason TEXT
  girder tx compliance freeze OFFICER ACCOUNT --asset DENOM [--amount AMOUNT] --reason TEXT
  girder tx compliance unfreeze OFFICER ACCOUNT --asset DENOM --reason TEXT
  girder tx compliance decide-hold OFFICER HOLD release|return --reason TEXT
  girder tx compliance close-alert OFFICER ALERT --note TEXT

Anyone may read:
  girder query compliance rules [chain|DENOM]
  girder query compliance check FROM TO AMOUNT        dry run: the decision a transfer would get now
  girder query compliance holds|alerts [--account A] [--asset D] [--rule R] [--status S] [--after N] [--limit N]
  girder query compliance hold|alert ID
  girder query compliance deny-list [chain|DENOM]
  girder query compliance freezes|holders DENOM
  girder query compliance holding DENOM ADDRESS

A rules.json:
  [{"id": "sanctions", "kind": "deny_list", "outcome": "reject", "params": {"side": "both"}},
   {"id": "large", "kind": "large_transfer", "outcome": "hold",
    "params": {"amount": "100000GRD", "hold_for": "48h", "reason": "review large payments"}}]

Reports for regulators: girder report compliance (docs/reports.md).`,
	}
}

// ---- the rule file ----

// paramNames are the JSON names of compliance.Params, in field order.
func paramNames() []string {
	var out []string
	t := reflect.TypeOf(compliance.Params{})
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		out = append(out, name)
	}
	return out
}

// readRuleFile reads a rule file, "-" being standard input.
func readRuleFile(cmd *cobra.Command, name string) ([]byte, error) {
	if name == "-" {
		b, err := io.ReadAll(cmd.InOrStdin())
		if err != nil {
			return nil, fmt.Errorf("read rules from stdin: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("--file: %w", err)
	}
	return b, nil
}

// jsonPosition is "line L, column C" of a byte offset.
func jsonPosition(data []byte, offset int64) string {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(offset) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

// decodeRules reads a JSON array of rules for the scope asset ("" chain-wide). Beyond the chain's
// JSON it accepts, for people: amounts as numbers or with a denom ("100000GRD", which must be of
// the scope's asset), until as a date or RFC 3339 time, window and hold_for as durations ("48h",
// "7d"), and key names in exempt. Errors name the rule and the field.
func decodeRules(data []byte, asset string, units []coin.Unit) ([]compliance.Rule, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("not valid JSON at %s: %w", jsonPosition(data, se.Offset), err)
		}
		return nil, fmt.Errorf("want a JSON array of rules ([] removes the set): %w", err)
	}
	rules := make([]compliance.Rule, 0, len(raws))
	for i, raw := range raws {
		r, err := decodeRule(raw, asset, units)
		if err != nil {
			name := fmt.Sprintf("rule %d", i+1)
			if r.ID != "" {
				name += fmt.Sprintf(" (%s)", r.ID)
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		rules = append(rules, r)
	}
	return rules, nil
}

func decodeRule(raw json.RawMessage, asset string, units []coin.Unit) (compliance.Rule, error) {
	var r compliance.Rule
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return r, fmt.Errorf("want an object {\"id\", \"kind\", \"outcome\", \"params\"}, not %s", abbreviate(raw))
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"id", &r.ID}, {"kind", &r.Kind}, {"outcome", &r.Outcome}} {
		v, ok := fields[f.name]
		if !ok {
			continue // Validate names what is missing
		}
		if err := json.Unmarshal(v, f.dst); err != nil {
			return r, fmt.Errorf("%s: want a string, not %s", f.name, abbreviate(v))
		}
	}
	for _, k := range sortedKeys(fields) {
		if k != "id" && k != "kind" && k != "outcome" && k != "params" {
			return r, fmt.Errorf("unknown field %q: a rule has id, kind, outcome and params", k)
		}
	}
	p, ok := fields["params"]
	if !ok || string(p) == "null" {
		return r, nil
	}
	var params map[string]json.RawMessage
	if err := json.Unmarshal(p, &params); err != nil || params == nil {
		return r, fmt.Errorf("params: want an object, not %s", abbreviate(p))
	}
	known := paramNames()
	for _, k := range sortedKeys(params) {
		if !oneOfStrings(k, known) {
			return r, fmt.Errorf("params: unknown parameter %q: the parameters are %s", k, strings.Join(known, ", "))
		}
		v, err := normalizeParam(k, params[k], asset, units)
		if err != nil {
			return r, fmt.Errorf("params.%s: %w", k, err)
		}
		params[k] = v
	}
	norm, err := json.Marshal(params)
	if err != nil {
		return r, fmt.Errorf("params: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(norm))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r.Params); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return r, fmt.Errorf("params.%s: %s is not a valid %s", te.Field, te.Value, te.Type)
		}
		return r, fmt.Errorf("params: %w", err)
	}
	return r, nil
}

// normalizeParam turns the forms people write into the chain's JSON.
func normalizeParam(name string, v json.RawMessage, asset string, units []coin.Unit) (json.RawMessage, error) {
	var s string
	isString := json.Unmarshal(v, &s) == nil
	switch name {
	case "amount":
		var n json.Number
		if !isString {
			if err := json.Unmarshal(v, &n); err != nil {
				return nil, fmt.Errorf("want an amount (\"100000GRD\", \"100000000000\" base units), not %s", abbreviate(v))
			}
			s = n.String()
		}
		if _, err := strconv.ParseUint(s, 10, 64); err == nil {
			return json.Marshal(s)
		}
		c, err := coin.Parse(s, units)
		if err != nil {
			return nil, fmt.Errorf("%w (give base units, or an amount of the rule set's asset)", err)
		}
		if asset != "" && c.Denom != asset {
			return nil, fmt.Errorf("%q is an amount of %s, but the rule set is %s's", s, c.Denom, asset)
		}
		return json.Marshal(strconv.FormatUint(uint64(c.Amount), 10))
	case "until":
		if !isString {
			return v, nil
		}
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return json.Marshal(t.Unix())
		}
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return json.Marshal(t.Unix())
		}
		return nil, fmt.Errorf("%q: want unix seconds, a date (2027-06-30, midnight UTC) or an RFC 3339 time", s)
	case "window", "hold_for":
		if !isString {
			return v, nil
		}
		secs, err := parseSeconds(s)
		if err != nil {
			return nil, err
		}
		return json.Marshal(secs)
	case "exempt":
		var names []string
		if err := json.Unmarshal(v, &names); err != nil {
			return nil, fmt.Errorf("want a list of addresses or key names, not %s", abbreviate(v))
		}
		out := make([]string, len(names))
		for i, n := range names {
			a, err := resolveAddress(n)
			if err != nil {
				return nil, fmt.Errorf("entry %d: %w", i+1, err)
			}
			out[i] = a.String()
		}
		return json.Marshal(out)
	}
	return v, nil
}

// parseSeconds reads a duration in whole seconds: "3600", "90m", "48h" or "7d".
func parseSeconds(s string) (int64, error) {
	bad := fmt.Errorf("%q: want seconds or a duration such as 90m, 48h or 7d", s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseInt(d, 10, 64)
		if err != nil || n < 0 || n > 1<<31 {
			return 0, bad
		}
		return n * 24 * 3600, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d%time.Second != 0 {
		return 0, bad
	}
	return int64(d / time.Second), nil
}

func abbreviate(v json.RawMessage) string {
	s := string(bytes.TrimSpace(v))
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func oneOfStrings(v string, list []string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// validateRuleSet checks a rule set as the chain will: the msg (count, duplicate ids, scope),
// then each rule.
func validateRuleSet(asset string, rules []compliance.Rule) error {
	// The officer is not known before the key is unlocked; any non-zero address stands in.
	if err := (&compliance.MsgSetRules{Officer: compliance.HoldAccount, Asset: asset, Rules: rules}).Validate(); err != nil {
		return err
	}
	for _, r := range rules {
		if err := r.Validate(asset, complianceNative); err != nil {
			return err
		}
	}
	return nil
}

// ---- tx compliance ----

// validatedMsg returns m after its own validation (so a bad msg fails before it is signed).
func validatedMsg(m tx.Msg) ([]tx.Msg, error) {
	if v, ok := m.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return nil, err
		}
	}
	return []tx.Msg{m}, nil
}

func parseComplianceID(s, what string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%s %q: want a %s id, a number from 1", what, s, what)
	}
	return n, nil
}

func newComplianceTxCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "compliance", Short: "Rules, deny lists, freezes, holds and alerts (compliance officers)"}

	var setF txFlags
	var setAsset, setFile string
	var setChain, setClear bool
	setRules := &cobra.Command{
		Use:   "set-rules OFFICER (--asset DENOM | --chain) (--file RULES.json | --clear)",
		Short: "Replace the rule set of an asset or of the whole chain; the key OFFICER must be a compliance officer",
		Long: `Replace the rule set of an asset (--asset DENOM) or the chain-wide one (--chain) with the rules
of a JSON file (--file, "-" for standard input), signed by the key OFFICER, which must hold the
compliance_officer role. An empty array, or --clear, removes the set.

A rule is {"id", "kind", "outcome", "params"}: id 1-32 characters of a-z, 0-9, '-', '_';
kind one of ` + strings.Join(compliance.Kinds, ", ") + `;
outcome reject, hold or flag; params as the kind needs (docs/compliance.md lists them). Amounts
are base units or an amount of the rule set's asset ("100000GRD"); until takes unix seconds or
a date; window and hold_for take seconds or a duration ("48h", "7d"); exempt takes addresses or
key names. The rules are checked here, with the chain's own checks, before anything is signed.

Example:
  girder tx compliance set-rules validator --asset ugrd --file rules.json
  girder query compliance rules ugrd -o json | jq .rules | girder tx compliance set-rules validator --asset ugrd --file -
  girder tx compliance set-rules validator --chain --clear`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if setChain == (setAsset != "") {
				return fmt.Errorf("give the scope: --asset DENOM for an asset's rule set, or --chain for the chain-wide one")
			}
			if setClear == (setFile != "") {
				return fmt.Errorf("give the rules with --file RULES.json (\"-\" for standard input), or --clear to remove the set")
			}
			var rules []compliance.Rule
			if setFile != "" {
				data, err := readRuleFile(cmd, setFile)
				if err != nil {
					return err
				}
				var units []coin.Unit
				if err := withClient(cmd, func(ctx context.Context, c *client.Client) error {
					u, err := c.Units(ctx)
					units = u
					return err
				}); err != nil {
					return err
				}
				if rules, err = decodeRules(data, setAsset, units); err != nil {
					name := setFile
					if name == "-" {
						name = "stdin"
					}
					return fmt.Errorf("%s: %w", name, err)
				}
				if err := validateRuleSet(setAsset, rules); err != nil {
					return err
				}
			}
			return withSignerShow(cmd, args[0], func(_ context.Context, _ *client.Client, s client.Signer) ([]tx.Msg, error) {
				return validatedMsg(&compliance.MsgSetRules{Officer: s.Address(), Asset: setAsset, Rules: rules})
			}, &setF, func(w io.Writer, r *client.Result) {
				ids := eventAttr(r, "compliance.rules_set", "rules")
				scope, version := eventAttr(r, "compliance.rules_set", "scope"), eventAttr(r, "compliance.rules_set", "version")
				if ids == "" {
					fmt.Fprintf(w, "rule set %s removed (version %s)\n", scope, version)
					return
				}
				fmt.Fprintf(w, "rule set %s version %s: %s\n", scope, version, strings.ReplaceAll(ids, ",", ", "))
			})
		},
	}
	setRules.Flags().StringVar(&setAsset, "asset", "", "the asset (denom) whose rule set to replace")
	setRules.Flags().BoolVar(&setChain, "chain", false, "replace the chain-wide rule set (checked before every asset's)")
	setRules.Flags().StringVar(&setFile, "file", "", "JSON array of rules; - reads standard input; [] removes the set")
	setRules.Flags().BoolVar(&setClear, "clear", false, "remove the rule set")
	setF.add(setRules)

	listCmd := func(use, short, example string, deny bool) *cobra.Command {
		var f txFlags
		var asset, reason string
		c := &cobra.Command{
			Use: use + " OFFICER ACCOUNT [--asset DENOM] --reason TEXT", Short: short, Example: example, Args: cobra.ExactArgs(2),
			RunE: func(cmd *cobra.Command, args []string) error {
				acc, err := resolveAddress(args[1])
				if err != nil {
					return err
				}
				scope := compliance.ScopeName(asset)
				return withSignerShow(cmd, args[0], func(_ context.Context, _ *client.Client, s client.Signer) ([]tx.Msg, error) {
					if deny {
						return validatedMsg(&compliance.MsgDeny{Officer: s.Address(), Asset: asset, Account: acc, Reason: reason})
					}
					return validatedMsg(&compliance.MsgUndeny{Officer: s.Address(), Asset: asset, Account: acc, Reason: reason})
				}, &f, func(w io.Writer, _ *client.Result) {
					if !deny {
						fmt.Fprintf(w, "%s is off the %s deny list\n", acc, scope)
						return
					}
					fmt.Fprintf(w, "%s is on the %s deny list\n", acc, scope)
					if ok, known := hasDenyListRule(cmd, scope); known && !ok {
						fmt.Fprintf(w, "note: the %s rule set has no deny_list rule, so this list decides nothing yet (girder tx compliance set-rules adds one)\n", scope)
					}
				})
			},
		}
		c.Flags().StringVar(&asset, "asset", "", "the asset's deny list (default: the chain-wide sanctions list)")
		c.Flags().StringVar(&reason, "reason", "", "why (required, recorded with the entry and in the event)")
		_ = c.MarkFlagRequired("reason")
		f.add(c)
		return c
	}
	deny := listCmd("deny", "Put ACCOUNT on the chain-wide deny list (sanctions) or an asset's",
		`  girder tx compliance deny validator bob --reason "OFAC SDN match"
  girder tx compliance deny validator gir1... --asset ubridge --reason "not a qualified investor"`, true)
	deny.Long = `Put ACCOUNT (an address or key name) on a deny list: the chain-wide one (sanctions), or with
--asset an asset's. A deny list acts through the deny_list rules of the same scope: a
transfer is decided by the rule's outcome when a party on the side it checks is listed.`
	undeny := listCmd("undeny", "Take ACCOUNT off a deny list",
		`  girder tx compliance undeny validator bob --reason "false positive, cleared"`, false)

	var frF txFlags
	var frAsset, frAmount, frReason string
	freeze := &cobra.Command{
		Use:   "freeze OFFICER ACCOUNT --asset DENOM [--amount AMOUNT] --reason TEXT",
		Short: "Freeze an account's holding of an asset: all of it, or an amount that must stay",
		Long: `Freeze ACCOUNT's holding of --asset. Without --amount the whole holding is frozen: nothing of
the asset leaves or arrives. With --amount (base or display units of the asset) that amount must
stay: the account may still spend what it holds above it. A second freeze replaces the first.
The gas token (ugrd) cannot be frozen.

Example:
  girder tx compliance freeze validator bob --asset ubridge --reason "court order 2026/114"
  girder tx compliance freeze validator bob --asset ubridge --amount 500BRIDGE --reason "pledged"`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			acc, err := resolveAddress(args[1])
			if err != nil {
				return err
			}
			if frAsset == complianceNative {
				return fmt.Errorf("--asset %s: the gas token pays fees and cannot be frozen; freeze the account's other assets", complianceNative)
			}
			return withSigner(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				m := &compliance.MsgFreeze{Officer: s.Address(), Asset: frAsset, Account: acc, Reason: frReason}
				if frAmount != "" {
					amt, err := c.ParseAmount(ctx, frAmount)
					if err != nil {
						return nil, fmt.Errorf("--amount: %w", err)
					}
					if amt.Denom != frAsset {
						return nil, fmt.Errorf("--amount %s is in %s, the freeze is of %s", frAmount, amt.Denom, frAsset)
					}
					m.Amount = amt.Amount
				}
				return validatedMsg(m)
			}, &frF)
		},
	}
	freeze.Flags().StringVar(&frAsset, "asset", "", "the asset (denom) to freeze (required)")
	freeze.Flags().StringVar(&frAmount, "amount", "", "the amount that must stay (default: the whole holding)")
	freeze.Flags().StringVar(&frReason, "reason", "", "why (required)")
	_ = freeze.MarkFlagRequired("asset")
	_ = freeze.MarkFlagRequired("reason")
	frF.add(freeze)

	var unF txFlags
	var unAsset, unReason string
	unfreeze := &cobra.Command{
		Use:     "unfreeze OFFICER ACCOUNT --asset DENOM --reason TEXT",
		Short:   "Lift the freeze of an account's holding of an asset",
		Example: `  girder tx compliance unfreeze validator bob --asset ubridge --reason "order lifted"`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			acc, err := resolveAddress(args[1])
			if err != nil {
				return err
			}
			return withSigner(cmd, args[0], func(_ context.Context, _ *client.Client, s client.Signer) ([]tx.Msg, error) {
				return validatedMsg(&compliance.MsgUnfreeze{Officer: s.Address(), Asset: unAsset, Account: acc, Reason: unReason})
			}, &unF)
		},
	}
	unfreeze.Flags().StringVar(&unAsset, "asset", "", "the asset (denom) (required)")
	unfreeze.Flags().StringVar(&unReason, "reason", "", "why (required)")
	_ = unfreeze.MarkFlagRequired("asset")
	_ = unfreeze.MarkFlagRequired("reason")
	unF.add(unfreeze)

	var dhF txFlags
	var dhReason string
	decide := &cobra.Command{
		Use:   "decide-hold OFFICER HOLD release|return --reason TEXT",
		Short: "Release a held transfer to its receiver, or return it to its sender",
		Long: `Decide an open hold: release sends the held amount on to the receiver, return sends it back to
the sender. The decision is final: a release does not evaluate the rules again. A hold nobody
decides returns to the sender by itself at its deadline.

Example:
  girder tx compliance decide-hold validator 1 release --reason "source of funds documented"
  girder tx compliance decide-hold validator 2 return --reason "no answer from the sender"`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseComplianceID(args[1], "hold")
			if err != nil {
				return err
			}
			if args[2] != compliance.ActionRelease && args[2] != compliance.ActionReturn {
				return fmt.Errorf("action %q: want release (to the receiver) or return (to the sender)", args[2])
			}
			var units []coin.Unit
			return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				units, _ = c.Units(ctx)
				return validatedMsg(&compliance.MsgDecideHold{Officer: s.Address(), Hold: id, Action: args[2], Reason: dhReason})
			}, &dhF, func(w io.Writer, r *client.Result) {
				const ev = "compliance.hold_decided"
				amount := eventAttr(r, ev, "amount")
				if c, err := coin.Parse(amount, nil); err == nil {
					amount = coin.Format(c, units)
				}
				if eventAttr(r, ev, "action") == compliance.ActionRelease {
					fmt.Fprintf(w, "hold %s released: %s to %s\n", eventAttr(r, ev, "hold"), amount, eventAttr(r, ev, "to"))
					return
				}
				fmt.Fprintf(w, "hold %s returned: %s to %s\n", eventAttr(r, ev, "hold"), amount, eventAttr(r, ev, "from"))
			})
		},
	}
	decide.Flags().StringVar(&dhReason, "reason", "", "why (required, recorded with the hold)")
	_ = decide.MarkFlagRequired("reason")
	dhF.add(decide)

	var caF txFlags
	var caNote string
	closeAlert := &cobra.Command{
		Use:     "close-alert OFFICER ALERT --note TEXT",
		Short:   "Close an alert with a note on what was found",
		Example: `  girder tx compliance close-alert validator 4 --note "payment of invoice 17, documented"`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseComplianceID(args[1], "alert")
			if err != nil {
				return err
			}
			return withSignerShow(cmd, args[0], func(_ context.Context, _ *client.Client, s client.Signer) ([]tx.Msg, error) {
				return validatedMsg(&compliance.MsgCloseAlert{Officer: s.Address(), Alert: id, Note: caNote})
			}, &caF, func(w io.Writer, r *client.Result) {
				fmt.Fprintf(w, "alert %s closed\n", eventAttr(r, "compliance.alert_closed", "alert"))
			})
		},
	}
	closeAlert.Flags().StringVar(&caNote, "note", "", "what the officer found (required)")
	_ = closeAlert.MarkFlagRequired("note")
	caF.add(closeAlert)

	cmd.AddCommand(setRules, deny, undeny, freeze, unfreeze, decide, closeAlert)
	return cmd
}

// hasDenyListRule reports whether the rule set of scope has a deny_list rule (a deny list acts
// only through one); known is false when the node could not tell.
func hasDenyListRule(cmd *cobra.Command, scope string) (ok, known bool) {
	err := withClient(cmd, func(ctx context.Context, c *client.Client) error {
		var rs compliance.RuleSet
		if err := c.Query(ctx, "/compliance/rules/"+url.PathEscape(scope), nil, 0, &rs); err != nil {
			return err
		}
		for _, r := range rs.Rules {
			if r.Kind == compliance.KindDenyList {
				ok = true
			}
		}
		return nil
	})
	if client.IsNotFound(err) {
		return false, true
	}
	return ok, err == nil
}

// decisionLine describes a compliance.decision event of a tx result, e.g. "held by rule large
// (hold 3, returns 2026-11-29T05:12:00Z)".
func decisionLine(e chain.Event) string {
	attr := map[string]string{}
	for _, a := range e.Attrs {
		attr[a.Key] = a.Value
	}
	switch attr["outcome"] {
	case compliance.OutcomeHold:
		deadline, _ := strconv.ParseInt(attr["deadline"], 10, 64)
		return fmt.Sprintf("held by rule %s (hold %s, returns %s)", attr["rule"], attr["hold"], fmtTime(deadline))
	case compliance.OutcomeFlag:
		return fmt.Sprintf("flagged by rule %s: alert %s (%s)", attr["rule"], attr["alert"], attr["severity"])
	case compliance.OutcomeReject:
		return fmt.Sprintf("rejected by rule %s: %s", attr["rule"], attr["reason"])
	}
	return fmt.Sprintf("%s by rule %s", attr["outcome"], attr["rule"])
}

// printDecisions prints a line per compliance decision among a tx's events.
func printDecisions(w io.Writer, r *client.Result) {
	for _, e := range r.Events {
		if e.Type == "compliance.decision" {
			fmt.Fprintf(w, "decision %s\n", decisionLine(e))
		}
	}
}

// ---- query compliance ----

// complianceQuery is a query command: path builds the query path and data from the arguments;
// text prints the answer with the chain's units.
func complianceQuery[T any](use, short, example string, args cobra.PositionalArgs, path func([]string) (string, []byte, error), text func(io.Writer, *T, []coin.Unit)) *cobra.Command {
	return &cobra.Command{
		Use: use, Short: short, Example: example, Args: args,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, data, err := path(args)
			if err != nil {
				return err
			}
			return withClient(cmd, func(ctx context.Context, c *client.Client) error {
				var v T
				if err := c.Query(ctx, p, data, 0, &v); err != nil {
					return err
				}
				units, _ := c.Units(ctx)
				return emit(cmd.OutOrStdout(), v, func(w io.Writer) { text(w, &v, units) })
			})
		},
	}
}

// scopeArg is the scope of an optional argument: "chain" when absent.
func scopeArg(args []string) string {
	if len(args) == 0 || args[0] == "" {
		return "chain"
	}
	return args[0]
}

func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

// amountText is "1.5 GRD (1500000ugrd)", or the base units alone when the asset has no display unit.
func amountText(c coin.Coin, units []coin.Unit) string {
	if f := coin.Format(c, units); f != c.String() {
		return f + " (" + c.String() + ")"
	}
	return c.String()
}

// paramsText shows a rule's parameters as key=value, in the chain's JSON order.
func paramsText(p compliance.Params, asset string, units []coin.Unit) string {
	b, err := json.Marshal(p)
	if err != nil {
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil { // {
		return ""
	}
	var parts []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			break
		}
		var val string
		switch key {
		case "amount":
			if asset != "" {
				val = strings.ReplaceAll(coin.Format(coin.New(asset, p.Amount), units), " ", "")
			} else {
				val = strconv.FormatUint(uint64(p.Amount), 10)
			}
		case "until":
			val = fmtTime(p.Until)
		case "window", "hold_for":
			var n int64
			_ = json.Unmarshal(raw, &n)
			val = secondsText(n)
		default:
			var list []string
			var s string
			switch {
			case json.Unmarshal(raw, &list) == nil:
				val = strings.Join(list, ",")
			case json.Unmarshal(raw, &s) == nil:
				val = s
				if strings.ContainsAny(s, " \t\"") {
					val = strconv.Quote(s)
				}
			default:
				val = string(raw)
			}
		}
		parts = append(parts, key+"="+val)
	}
	return strings.Join(parts, " ")
}

// secondsText is a duration as the rule file takes it: "2d", "36h", "90m" or "45s".
func secondsText(n int64) string {
	switch {
	case n != 0 && n%86400 == 0:
		return fmt.Sprintf("%dd", n/86400)
	case n != 0 && n%3600 == 0:
		return fmt.Sprintf("%dh", n/3600)
	case n != 0 && n%60 == 0:
		return fmt.Sprintf("%dm", n/60)
	}
	return fmt.Sprintf("%ds", n)
}

func printRuleSets(w io.Writer, sets []compliance.RuleSet, units []coin.Unit) {
	if len(sets) == 0 {
		fmt.Fprintln(w, "no rule sets: transfers are checked only against freezes and paused assets")
		return
	}
	for i, rs := range sets {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s  version %d, set by %s at height %d\n", compliance.ScopeName(rs.Asset), rs.Version, rs.By, rs.Height)
		tw := newTable(w)
		fmt.Fprintln(tw, "  ID\tKIND\tOUTCOME\tPARAMS")
		for _, r := range rs.Rules {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", r.ID, r.Kind, r.Outcome, paramsText(r.Params, rs.Asset, units))
		}
		tw.Flush()
	}
}

// listFlags are the filters of holds and alerts.
type listFlags struct {
	account, asset, rule, status string
	after                        uint64
	limit                        int
}

func (f *listFlags) add(cmd *cobra.Command, statuses string) {
	cmd.Flags().StringVar(&f.account, "account", "", "only those where this address (or key) is the sender or the receiver")
	cmd.Flags().StringVar(&f.asset, "asset", "", "only those of this denom")
	cmd.Flags().StringVar(&f.rule, "rule", "", "only those decided by this rule id")
	cmd.Flags().StringVar(&f.status, "status", "", "only those with this status: "+statuses)
	cmd.Flags().Uint64Var(&f.after, "after", 0, "page: ids after this one (the previous page's next)")
	cmd.Flags().IntVar(&f.limit, "limit", 0, "page size, 1 to 500 (default 100)")
}

// data is the filters in URL query encoding, as the chain reads them.
func (f *listFlags) data() ([]byte, error) {
	q := url.Values{}
	if f.account != "" {
		a, err := resolveAddress(f.account)
		if err != nil {
			return nil, fmt.Errorf("--account: %w", err)
		}
		q.Set("account", a.String())
	}
	for k, v := range map[string]string{"asset": f.asset, "rule": f.rule, "status": f.status} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.after != 0 {
		q.Set("after", strconv.FormatUint(f.after, 10))
	}
	if f.limit != 0 {
		q.Set("limit", strconv.Itoa(f.limit))
	}
	return []byte(q.Encode()), nil
}

func printNext(w io.Writer, next uint64) {
	if next != 0 {
		fmt.Fprintf(w, "more: repeat with --after %d\n", next)
	}
}

func printHold(w io.Writer, h compliance.Hold, units []coin.Unit) {
	fmt.Fprintf(w, "hold %d (%s)\n  from      %s\n  to        %s\n  amount    %s\n  rule      %s (%s)\n  reason    %s\n  held      height %d, %s\n",
		h.ID, h.Status, h.From, h.To, amountText(h.Amount, units), h.Rule, h.Scope, h.Reason, h.Height, fmtTime(h.Time))
	switch h.Status {
	case compliance.HoldOpen:
		fmt.Fprintf(w, "  deadline  %s (returned to the sender then, unless an officer decides first)\n", fmtTime(h.Deadline))
	case compliance.HoldExpired:
		fmt.Fprintf(w, "  deadline  %s\n  decided   returned to the sender at its deadline, height %d\n", fmtTime(h.Deadline), h.DecidedAt)
	default:
		fmt.Fprintf(w, "  deadline  %s\n  decided   %s by %s at height %d: %s\n", fmtTime(h.Deadline), h.Status, h.DecidedBy, h.DecidedAt, h.Decision)
	}
}

func printAlert(w io.Writer, a compliance.Alert, units []coin.Unit) {
	fmt.Fprintf(w, "alert %d (%s, severity %s)\n  from      %s\n  to        %s\n  amount    %s\n  rule      %s (%s)\n  reason    %s\n  flagged   height %d, %s\n",
		a.ID, a.Status, a.Severity, a.From, a.To, amountText(a.Amount, units), a.Rule, a.Scope, a.Reason, a.Height, fmtTime(a.Time))
	if a.Status == compliance.AlertClosed {
		fmt.Fprintf(w, "  closed    by %s at height %d: %s\n", a.ClosedBy, a.ClosedAt, a.Note)
	}
}

func newComplianceQueryCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "compliance", Short: "Rule sets, dry runs, holds, alerts, deny lists, freezes and holders"}

	rules := &cobra.Command{
		Use:   "rules [chain|DENOM]",
		Short: "Show every rule set, or the chain-wide one (chain) or an asset's",
		Example: `  girder query compliance rules
  girder query compliance rules ugrd -o json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withClient(cmd, func(ctx context.Context, c *client.Client) error {
				units, _ := c.Units(ctx)
				if len(args) == 0 {
					var sets []compliance.RuleSet
					if err := c.Query(ctx, "/compliance/rules", nil, 0, &sets); err != nil {
						return err
					}
					return emit(cmd.OutOrStdout(), sets, func(w io.Writer) { printRuleSets(w, sets, units) })
				}
				var rs compliance.RuleSet
				if err := c.Query(ctx, "/compliance/rules/"+url.PathEscape(args[0]), nil, 0, &rs); err != nil {
					return err
				}
				return emit(cmd.OutOrStdout(), rs, func(w io.Writer) { printRuleSets(w, []compliance.RuleSet{rs}, units) })
			})
		},
	}

	check := &cobra.Command{
		Use:   "check FROM TO AMOUNT",
		Short: "Dry run: the decision a transfer would get now, the rule behind it and every rule that hits",
		Long: `Ask the chain which decision a transfer of AMOUNT from FROM to TO (addresses or key names)
would get in the latest state: allow, flag, hold or reject, the deciding rule and its reason,
and every rule that hits. Nothing is sent. It exits 0 whatever the decision: it is a question.
A reject is what a send would fail with: compliance code 3.

Example:
  girder query compliance check alice bob 150000GRD`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			from, err := resolveAddress(args[0])
			if err != nil {
				return err
			}
			to, err := resolveAddress(args[1])
			if err != nil {
				return err
			}
			return withClient(cmd, func(ctx context.Context, c *client.Client) error {
				amt, err := c.ParseAmount(ctx, args[2])
				if err != nil {
					return err
				}
				var res compliance.CheckResult
				if err := c.Query(ctx, "/compliance/check/"+from.String()+"/"+to.String()+"/"+url.PathEscape(amt.String()), nil, 0, &res); err != nil {
					return err
				}
				units, _ := c.Units(ctx)
				return emit(cmd.OutOrStdout(), res, func(w io.Writer) { printCheck(w, res, units) })
			})
		},
	}

	var hf listFlags
	holds := complianceQuery("holds [filters]", "List holds (held transfers), oldest first",
		"  girder query compliance holds --status open\n  girder query compliance holds --account bob --asset ugrd -o json",
		cobra.NoArgs, func([]string) (string, []byte, error) {
			d, err := hf.data()
			return "/compliance/holds", d, err
		}, func(w io.Writer, v *compliance.HoldList, units []coin.Unit) {
			if len(v.Holds) == 0 {
				fmt.Fprintln(w, "no holds")
				return
			}
			tw := newTable(w)
			fmt.Fprintln(tw, "ID\tSTATUS\tAMOUNT\tRULE\tFROM\tTO\tDEADLINE")
			for _, h := range v.Holds {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", h.ID, h.Status, coin.Format(h.Amount, units), h.Rule, h.From, h.To, fmtTime(h.Deadline))
			}
			tw.Flush()
			printNext(w, v.Next)
		})
	hf.add(holds, "open, released, returned, expired")

	var af listFlags
	alerts := complianceQuery("alerts [filters]", "List alerts (flagged transfers), oldest first",
		"  girder query compliance alerts --status open\n  girder query compliance alerts --rule watch --limit 20",
		cobra.NoArgs, func([]string) (string, []byte, error) {
			d, err := af.data()
			return "/compliance/alerts", d, err
		}, func(w io.Writer, v *compliance.AlertList, units []coin.Unit) {
			if len(v.Alerts) == 0 {
				fmt.Fprintln(w, "no alerts")
				return
			}
			tw := newTable(w)
			fmt.Fprintln(tw, "ID\tSTATUS\tSEVERITY\tAMOUNT\tRULE\tFROM\tTO\tTIME")
			for _, a := range v.Alerts {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Status, a.Severity, coin.Format(a.Amount, units), a.Rule, a.From, a.To, fmtTime(a.Time))
			}
			tw.Flush()
			printNext(w, v.Next)
		})
	af.add(alerts, "open, closed")

	idPath := func(prefix, what string) func([]string) (string, []byte, error) {
		return func(args []string) (string, []byte, error) {
			n, err := parseComplianceID(args[0], what)
			return prefix + strconv.FormatUint(n, 10), nil, err
		}
	}

	cmd.AddCommand(rules, check, holds,
		complianceQuery("hold ID", "Show a hold: the transfer, the rule, its deadline and decision",
			"  girder query compliance hold 1", cobra.ExactArgs(1), idPath("/compliance/hold/", "hold"),
			func(w io.Writer, h *compliance.Hold, units []coin.Unit) { printHold(w, *h, units) }),
		alerts,
		complianceQuery("alert ID", "Show an alert: the transfer, the rule, its severity and how it was closed",
			"  girder query compliance alert 1", cobra.ExactArgs(1), idPath("/compliance/alert/", "alert"),
			func(w io.Writer, a *compliance.Alert, units []coin.Unit) { printAlert(w, *a, units) }),
		complianceQuery("deny-list [chain|DENOM]", "Show the chain-wide deny list (sanctions) or an asset's",
			"  girder query compliance deny-list\n  girder query compliance deny-list ubridge", cobra.MaximumNArgs(1),
			func(args []string) (string, []byte, error) {
				return "/compliance/deny/" + url.PathEscape(scopeArg(args)), nil, nil
			}, func(w io.Writer, v *[]compliance.DenyEntry, _ []coin.Unit) {
				if len(*v) == 0 {
					fmt.Fprintln(w, "the deny list is empty")
					return
				}
				tw := newTable(w)
				fmt.Fprintln(tw, "ACCOUNT\tHEIGHT\tBY\tREASON")
				for _, e := range *v {
					fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", e.Account, e.Height, e.By, e.Reason)
				}
				tw.Flush()
			}),
		complianceQuery("freezes DENOM", "Show the frozen holdings of an asset",
			"  girder query compliance freezes ubridge", cobra.ExactArgs(1),
			func(args []string) (string, []byte, error) {
				return "/compliance/freezes/" + url.PathEscape(args[0]), nil, nil
			},
			func(w io.Writer, v *[]compliance.Freeze, units []coin.Unit) {
				if len(*v) == 0 {
					fmt.Fprintln(w, "no freezes")
					return
				}
				tw := newTable(w)
				fmt.Fprintln(tw, "ACCOUNT\tFROZEN\tMUST STAY\tHEIGHT\tBY\tREASON")
				for _, f := range *v {
					what := "all (nothing leaves or arrives)"
					if !f.Whole() {
						what = coin.Format(coin.New(f.Asset, f.Amount), units)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", f.Account, what, coin.Format(coin.New(f.Asset, f.Floor), units), f.Height, f.By, f.Reason)
				}
				tw.Flush()
			}),
		complianceQuery("holders DENOM", "Show how many holders (identities, and accounts of no identity) an asset has",
			"  girder query compliance holders ubridge", cobra.ExactArgs(1),
			func(args []string) (string, []byte, error) {
				return "/compliance/holders/" + url.PathEscape(args[0]), nil, nil
			},
			func(w io.Writer, v *compliance.HoldersResult, _ []coin.Unit) {
				if v.Asset == complianceNative {
					fmt.Fprintf(w, "%s is the gas token: it has no holder accounting\n", complianceNative)
					return
				}
				fmt.Fprintf(w, "%s has %s\n", v.Asset, countOf(v.Holders, "holder"))
			}),
		complianceQuery("holding DENOM ADDRESS|KEY", "Show what an account's identity (or the account alone) holds of an asset",
			"  girder query compliance holding ubridge alice", cobra.ExactArgs(2),
			func(args []string) (string, []byte, error) {
				a, err := resolveAddress(args[1])
				if err != nil {
					return "", nil, err
				}
				return "/compliance/holding/" + url.PathEscape(args[0]) + "/" + a.String(), nil, nil
			}, func(w io.Writer, v *compliance.HoldingResult, units []coin.Unit) {
				holder := v.Holder
				if id, ok := strings.CutPrefix(holder, "identity:"); ok {
					holder = "identity " + id + " (all its accounts together)"
				} else {
					holder = "the account alone (it belongs to no identity)"
				}
				if v.Amount.Denom == complianceNative {
					fmt.Fprintf(w, "%s is the gas token: it has no holder accounting (girder query balance shows balances)\n", complianceNative)
					return
				}
				fmt.Fprintf(w, "account  %s\nholder   %s\nholds    %s\n", v.Account, holder, amountText(v.Amount, units))
			}),
	)
	return cmd
}

func printCheck(w io.Writer, res compliance.CheckResult, units []coin.Unit) {
	d := res.Decision
	fmt.Fprintf(w, "from      %s\nto        %s\namount    %s\ndecision  %s\n", res.From, res.To, amountText(res.Amount, units), d.Outcome)
	if d.Outcome != compliance.OutcomeAllow {
		fmt.Fprintf(w, "rule      %s (%s, %s)\nreason    %s\n", d.Rule, d.Scope, d.Kind, d.Reason)
	}
	switch d.Outcome {
	case compliance.OutcomeReject:
		fmt.Fprintf(w, "code      %s (a send fails with it; nothing moves)\n", res.Code)
	case compliance.OutcomeHold:
		fmt.Fprintf(w, "hold for  %s (%d s): then it returns to the sender, unless an officer decides first\n", secondsText(d.HoldFor), d.HoldFor)
	case compliance.OutcomeFlag:
		fmt.Fprintf(w, "severity  %s (the transfer moves; an alert opens)\n", d.Severity)
	}
	if len(d.Hits) == 0 {
		fmt.Fprintln(w, "hits      none")
		return
	}
	fmt.Fprintf(w, "hits      %d\n", len(d.Hits))
	tw := newTable(w)
	fmt.Fprintln(tw, "  RULE\tSCOPE\tOUTCOME\tREASON")
	for _, h := range d.Hits {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", h.Rule, h.Scope, h.Outcome, h.Reason)
	}
	tw.Flush()
}
