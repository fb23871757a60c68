package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	cmtlog "github.com/cometbft/cometbft/libs/log"
	"github.com/spf13/cobra"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/app"
	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/governance"
	"github.com/girder-chain/girder/x/projects"
)

// The governance commands live under `tx governance` and `query governance` (tx.go and query.go
// add them). Proposals carry ordinary msgs signed by a DAO (authority.DAO(denom)) or by chain
// governance (authority.Chain); they are given as JSON ({"type": …, "value": …}, as
// `girder tx projects spend` prints them) or built by the propose-* commands.

// ---- msgs as JSON ----

var (
	msgTypesOnce sync.Once
	msgTypesMap  map[string]reflect.Type
	msgRegistry  *tx.Registry
)

// chainMsgTypes maps every msg type of this chain to its Go type (tx.Registry decodes CBOR only;
// a proposal's msgs are written as JSON).
func chainMsgTypes() (map[string]reflect.Type, *tx.Registry) {
	msgTypesOnce.Do(func() {
		a, err := app.New(store.OpenMemory(), cmtlog.NewNopLogger())
		if err != nil {
			panic(err) // an empty memory state always loads
		}
		msgTypesMap = map[string]reflect.Type{}
		for _, m := range a.Modules() {
			for _, r := range m.Routes() {
				msgTypesMap[r.Msg.MsgType()] = reflect.TypeOf(r.Msg).Elem()
			}
		}
		msgRegistry = a.Registry()
	})
	return msgTypesMap, msgRegistry
}

// jsonMsg is a msg as JSON: its type and its fields.
type jsonMsg struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

// strictJSON decodes b into v, refusing unknown fields and trailing data.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("unexpected data after the JSON value")
	}
	return nil
}

// decodeJSONMsg makes the msg of type typ from its JSON fields and validates it.
func decodeJSONMsg(typ string, value json.RawMessage) (tx.Msg, error) {
	types, _ := chainMsgTypes()
	t, ok := types[typ]
	if !ok {
		return nil, fmt.Errorf("%q is not a msg type of this chain (a project DAO's proposal may carry %s; a chain proposal %s)",
			typ, strings.Join(governance.DAOMsgTypes, ", "), strings.Join(governance.ChainMsgTypes, ", "))
	}
	if len(bytes.TrimSpace(value)) == 0 {
		return nil, fmt.Errorf("%s: no \"value\" (the msg's fields)", typ)
	}
	v := reflect.New(t)
	if err := strictJSON(value, v.Interface()); err != nil {
		return nil, fmt.Errorf("%s: %v", typ, err)
	}
	m := v.Interface().(tx.Msg)
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %v", typ, err)
	}
	return m, nil
}

// readProposalMsgs reads --msg values: each a file name ("-": standard input) or JSON text, holding
// a msg {"type": …, "value": {…}} or a list of them.
func readProposalMsgs(vals []string, stdin io.Reader) ([]tx.Msg, error) {
	var out []tx.Msg
	for _, v := range vals {
		src, b := "--msg "+v, []byte(strings.TrimSpace(v))
		if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
			var err error
			if v == "-" {
				src, b = "standard input", nil
				b, err = io.ReadAll(stdin)
			} else {
				src = v
				b, err = os.ReadFile(v)
			}
			if err != nil {
				return nil, fmt.Errorf("--msg %q is neither JSON ({\"type\": …, \"value\": {…}}) nor a readable file: %v", v, err)
			}
			b = bytes.TrimSpace(b)
		}
		var list []jsonMsg
		if len(b) > 0 && b[0] == '[' {
			if err := strictJSON(b, &list); err != nil {
				return nil, fmt.Errorf("%s: want a list of msgs [{\"type\": …, \"value\": {…}}, …]: %v", src, err)
			}
		} else {
			var one jsonMsg
			if err := strictJSON(b, &one); err != nil {
				return nil, fmt.Errorf("%s: want a msg {\"type\": \"projects/spend\", \"value\": {…}} (girder tx projects spend prints one): %v", src, err)
			}
			list = []jsonMsg{one}
		}
		for i, j := range list {
			m, err := decodeJSONMsg(j.Type, j.Value)
			if err != nil {
				return nil, fmt.Errorf("%s: msg %d: %w", src, i, err)
			}
			out = append(out, m)
		}
	}
	return out, nil
}

// msgJSON shows a carried msg as the JSON it is written in (its type and fields).
func msgJSON(a tx.Any) (string, json.RawMessage) {
	_, reg := chainMsgTypes()
	m, err := reg.DecodeMsg(a)
	if err != nil {
		return a.Type, json.RawMessage(strconv.Quote("undecodable: " + err.Error()))
	}
	b, err := json.Marshal(m)
	if err != nil {
		return a.Type, json.RawMessage(strconv.Quote(err.Error()))
	}
	return a.Type, b
}

// ---- shared helpers ----

// daoArg reads --dao: "chain" (chain governance: "") or a security token's denom or symbol.
func daoArg(s string, units []coin.Unit) (string, error) {
	if s == "chain" {
		return "", nil
	}
	d, err := secDenomArg(s, units)
	if err != nil {
		return "", fmt.Errorf("--dao %q: want chain or a security token's denom or symbol (e.g. ubridge or BRIDGE): %v", s, err)
	}
	return d, nil
}

// chamberText names a proposal's chamber.
func chamberText(dao string, units []coin.Unit) string {
	if dao == "" {
		return "chain governance"
	}
	if u, ok := secUnit(units, dao); ok && u.Display != "" {
		return fmt.Sprintf("the DAO of %s (%s)", dao, u.Display)
	}
	return "the DAO of " + dao
}

// weightText shows a weight: an amount of the DAO's token, or a number of members' votes.
func weightText(dao string, w coin.Amount, units []coin.Unit) string {
	if dao == "" {
		if w == 1 {
			return "1 vote"
		}
		return fmt.Sprintf("%d votes", w)
	}
	return coin.Format(coin.New(dao, w), units)
}

// bpsPercent is bps as the number of a percentage: 2000 → "20", 3334 → "33.34", 1250 → "12.5".
// pctText (governance: "20%"), percentText (passes: "20 %") and bpsText (distributions:
// "2000 bps (20 %)") print it as their commands' outputs have it.
func bpsPercent(bps uint64) string {
	return ratText(new(big.Rat).SetFrac(new(big.Int).SetUint64(bps), big.NewInt(100)))
}

// pctText is bps as a percentage: 2000 → "20%", 3334 → "33.34%".
func pctText(bps uint64) string { return bpsPercent(bps) + "%" }

// shareText is a/b as a percentage with two decimals, rounded down.
func shareText(a, b coin.Amount) string {
	if b == 0 {
		return "-"
	}
	q := new(big.Int).Mul(new(big.Int).SetUint64(uint64(a)), big.NewInt(10000))
	q.Quo(q, new(big.Int).SetUint64(uint64(b)))
	n := q.Uint64()
	return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%d.%02d", n/100, n%100), "0"), ".0") + "%"
}

// queryProposal reads proposal id.
func queryProposal(ctx context.Context, c *client.Client, id uint64) (governance.ProposalInfo, error) {
	var p governance.ProposalInfo
	err := c.Query(ctx, "/governance/proposal/"+strconv.FormatUint(id, 10), nil, 0, &p)
	return p, err
}

// printGovEvents prints what the governance events of a committed tx did; dao is the chamber of
// the proposal the tx acted on (for weights), when known.
func printGovEvents(w io.Writer, r *client.Result, dao string, units []coin.Unit) {
	names := keyNames()
	addr := func(s string) string {
		if a, err := address.Parse(s); err == nil {
			return who(names, a)
		}
		return s
	}
	num := func(s string) coin.Amount { n, _ := strconv.ParseUint(s, 10, 64); return coin.Amount(n) }
	unix := func(s string) string { // event times are RFC 3339 (chain.Unix); unix seconds are shown as such
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return fmtTime(n)
		}
		return s
	}
	for _, ev := range r.Events {
		e := map[string]string{}
		for _, a := range ev.Attrs {
			e[a.Key] = a.Value
		}
		switch ev.Type {
		case "governance.proposal_submitted":
			fmt.Fprintf(w, "proposal %s submitted to %s: %q\n", e["proposal"], chamberText(e["dao"], units), e["title"])
			fmt.Fprintf(w, "  msgs         %s\n", strings.ReplaceAll(e["msgs"], ",", ", "))
			if e["dao"] == "" {
				fmt.Fprintf(w, "  voters       the %s members at submission, one vote each\n", e["eligible"])
			} else {
				fmt.Fprintf(w, "  snapshot     balances at the end of block %s: eligible weight %s\n", e["snapshot_height"], weightText(e["dao"], num(e["eligible"]), units))
				if d, err := coin.Parse(e["deposit"], nil); err == nil && d.Amount != 0 {
					fmt.Fprintf(w, "  deposit      %s held in escrow: returned when the vote ends, burnt if vetoed\n", coin.Format(d, units))
				}
			}
			fmt.Fprintf(w, "  voting until %s (girder tx governance vote VOTER %s yes|no|abstain|veto)\n", unix(e["voting_end"]), e["proposal"])
			if e["protected"] != "" {
				fmt.Fprintf(w, "  protected    %s: the project's public agency must approve within the voting period (girder tx governance approve AGENCY %s)\n",
					strings.ReplaceAll(e["protected"], ",", ", "), e["proposal"])
			}
		case "governance.vote":
			fmt.Fprintf(w, "%s voted %s on proposal %s with a weight of %s\n", addr(e["voter"]), e["option"], e["proposal"], weightText(dao, num(e["weight"]), units))
		case "governance.voting_extended":
			fmt.Fprintf(w, "quorum reached late: the voting period of proposal %s is extended from %s to %s\n", e["proposal"], unix(e["previous_end"]), unix(e["voting_end"]))
		case "governance.approved":
			fmt.Fprintf(w, "proposal %s approved by %s, public agency of %s (protected: %s)\n", e["proposal"], addr(e["agency"]), e["project"], strings.ReplaceAll(e["protected"], ",", ", "))
		case "governance.delegated":
			fmt.Fprintf(w, "%s delegates its %s votes to %s (balance now %s)", addr(e["delegator"]), e["denom"], addr(e["delegate"]), amountAttr(e["balance"], e["denom"], units))
			if e["previous"] != "" {
				fmt.Fprintf(w, ", instead of %s", addr(e["previous"]))
			}
			fmt.Fprintln(w, "; a vote of its own still overrides")
		case "governance.undelegated":
			fmt.Fprintf(w, "%s no longer delegates its %s votes to %s\n", addr(e["delegator"]), e["denom"], addr(e["delegate"]))
		}
	}
}

// ---- tx governance ----

func newGovernanceTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "governance",
		Short: "Proposals of a security token's DAO or of chain governance: submit, vote, delegate, approve",
		Long: `The holders of a security token decide together, by proposal, what its DAO does (spend from the
linked project's treasury, set parameters and documents, …); the consortium members decide what
the chain does (roles, params, upgrades). A proposal carries ordinary msgs signed by the DAO
(or by chain governance) and executes them by itself, all or nothing, when it passed and its
timelock ran out. See docs/governance.md.

Voting weight in a DAO is the voter's balance at the end of the block before the proposal
(plus what others delegated to it); in chain governance each member has one vote.

  girder tx governance submit PROPOSER --dao DENOM|chain --title TEXT [--summary TEXT] --msg FILE|JSON ...
  girder tx governance propose-spend PROPOSER --project P --to ACCOUNT --amount AMOUNT --reason TEXT --title TEXT
  girder tx governance propose-parameter PROPOSER --project P --name NAME --value VALUE --title TEXT
  girder tx governance propose-grant-role PROPOSER ROLE ACCOUNT --title TEXT
  girder tx governance propose-upgrade PROPOSER NAME --height H [--info TEXT] --title TEXT
  girder tx governance vote VOTER ID yes|no|abstain|veto
  girder tx governance delegate DELEGATOR DENOM DELEGATE
  girder tx governance undelegate DELEGATOR DENOM
  girder tx governance approve AGENCY ID
  girder query governance proposals|proposal|votes|vote|power|delegation|params|dao|upgrade`,
	}

	// submitCmd is a command that submits a proposal signed by the key of its first argument;
	// build returns the chamber (a denom, "" for chain governance) and the msgs.
	var stdin io.Reader = os.Stdin
	submitCmd := func(use, short, long string, args cobra.PositionalArgs, build func(ctx context.Context, c *client.Client, units []coin.Unit, args []string) (string, []tx.Msg, error)) *cobra.Command {
		var f txFlags
		var title, summary string
		var units []coin.Unit
		c := &cobra.Command{Use: use, Short: short, Long: long, Args: args,
			RunE: func(cmd *cobra.Command, args []string) error {
				if strings.TrimSpace(title) == "" {
					return fmt.Errorf("--title is empty: a proposal has a title of 1 to %d bytes", governance.MaxTitleLen)
				}
				if len(title) > governance.MaxTitleLen {
					return fmt.Errorf("--title of %d bytes: a proposal has a title of 1 to %d bytes", len(title), governance.MaxTitleLen)
				}
				if len(summary) > governance.MaxSummaryLen {
					return fmt.Errorf("--summary of %d bytes: at most %d", len(summary), governance.MaxSummaryLen)
				}
				stdin = cmd.InOrStdin()
				return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
					var err error
					if units, err = c.Units(ctx); err != nil {
						return nil, err
					}
					dao, msgs, err := build(ctx, c, units, args)
					if err != nil {
						return nil, err
					}
					return proposalMsg(s.Address(), dao, title, summary, msgs)
				}, &f, func(w io.Writer, r *client.Result) { printGovEvents(w, r, "", units) })
			}}
		c.Flags().StringVar(&title, "title", "", "the proposal's title (1 to 140 bytes; required)")
		c.Flags().StringVar(&summary, "summary", "", "what the proposal does and why (up to 10,000 bytes)")
		_ = c.MarkFlagRequired("title")
		f.add(c)
		return c
	}

	var daoFlag string
	var msgFlags []string
	submit := submitCmd("submit PROPOSER --dao DENOM|chain --title TEXT [--summary TEXT] --msg FILE|JSON ...",
		"Submit a proposal carrying msgs, to a security token's DAO or to chain governance",
		`Submit a proposal signed by the key PROPOSER to the DAO of a security token (--dao ubridge or its
symbol --dao BRIDGE) or to chain governance (--dao chain). Each --msg (repeatable) is a file
("-": standard input) or JSON text holding a msg {"type": "projects/spend", "value": {…}} or a
list of them; the msgs run in order, all or nothing, if the proposal passes. girder tx projects
spend and set-parameter dao … print such msgs; propose-spend, propose-parameter,
propose-grant-role and propose-upgrade build and submit the common ones directly.

Every msg must be signed by the proposal's authority: the DAO's account (authority.DAO(denom),
shown by girder query governance dao DENOM) or chain governance's. A DAO's proposal may carry
  `+strings.Join(governance.DAOMsgTypes, ", ")+`;
a chain proposal
  `+strings.Join(governance.ChainMsgTypes, ", ")+`.

To a DAO: PROPOSER needs a weight of at least the DAO's proposal threshold at the end of the
previous block, and pays the DAO's deposit into escrow (returned when the vote ends, burnt if it
is vetoed). To chain governance: PROPOSER holds the chain role member; no deposit.

Example:
  girder tx projects spend harbour-bridge operator 25000EURt --reason "toll booth software" > spend.json
  girder tx governance submit alice --dao BRIDGE --title "Toll booth software" --msg spend.json`,
		exactArgs(1), func(ctx context.Context, c *client.Client, units []coin.Unit, _ []string) (string, []tx.Msg, error) {
			if daoFlag == "" {
				return "", nil, fmt.Errorf("--dao is required: a security token's denom or symbol (e.g. BRIDGE), or chain")
			}
			dao, err := daoArg(daoFlag, units)
			if err != nil {
				return "", nil, err
			}
			if len(msgFlags) == 0 {
				return "", nil, fmt.Errorf("no --msg: a proposal carries 1 to %d msgs, each given with --msg FILE or --msg JSON", governance.MaxMsgs)
			}
			msgs, err := readProposalMsgs(msgFlags, stdin)
			return dao, msgs, err
		})
	submit.Flags().StringVar(&daoFlag, "dao", "", "the chamber: a security token's denom or symbol (its DAO), or chain (required)")
	submit.Flags().StringArrayVar(&msgFlags, "msg", nil, `a msg or a list of msgs: a JSON file ("-": stdin) or JSON text {"type": …, "value": {…}} (repeatable)`)

	// propose-spend
	var spProject, spTo, spAmount, spReason string
	proposeSpend := submitCmd("propose-spend PROPOSER --project PROJECT --to ACCOUNT --amount AMOUNT --reason TEXT --title TEXT [--summary TEXT]",
		"Propose that a project's DAO pays an amount from the project's treasury",
		`Submit to the DAO of PROJECT's security token a proposal carrying one projects/spend: AMOUNT (with
its unit: 5000EURt or 500000ueurt) from the project's treasury to ACCOUNT (an address or key
name), for a reason. Signed by the key PROPOSER, a holder of the token above the DAO's proposal
threshold, who pays the DAO's deposit. If the holders pass it, the spend executes by itself
after the timelock (a transfer compliance reviews like any other).

Example:
  girder tx governance propose-spend alice --project harbour-bridge --to contractor --amount 5000EURt \
    --reason "toll booth software" --title "Pay the toll booth software"`,
		exactArgs(1), func(ctx context.Context, c *client.Client, units []coin.Unit, _ []string) (string, []tx.Msg, error) {
			p, dao, err := projectDAO(ctx, c, spProject)
			if err != nil {
				return "", nil, err
			}
			to, err := resolveAddress(spTo)
			if err != nil {
				return "", nil, fmt.Errorf("--to: %w", err)
			}
			amount, err := assetAmount("--amount", "the asset's", spAmount, "5000EURt", units)
			if err != nil {
				return "", nil, err
			}
			return p.Security, []tx.Msg{&projects.MsgSpend{Authority: dao, Project: spProject, To: to, Amount: amount, Reason: spReason}}, nil
		})
	proposeSpend.Flags().StringVar(&spProject, "project", "", "the project whose treasury pays (required)")
	proposeSpend.Flags().StringVar(&spTo, "to", "", "who is paid: an address or key name (required)")
	proposeSpend.Flags().StringVar(&spAmount, "amount", "", "the amount with its unit, e.g. 5000EURt (required)")
	proposeSpend.Flags().StringVar(&spReason, "reason", "", "why (required, up to 512 bytes; recorded in the project's timeline)")
	for _, n := range []string{"project", "to", "amount", "reason"} {
		_ = proposeSpend.MarkFlagRequired(n)
	}

	// propose-parameter
	var ppProject, ppName, ppValue string
	proposeParam := submitCmd("propose-parameter PROPOSER --project PROJECT --name NAME --value VALUE --title TEXT [--summary TEXT]",
		"Propose that a project's DAO sets a project parameter (a protected one needs the public agency too)",
		`Submit to the DAO of PROJECT's security token a proposal carrying one projects/set_parameter:
parameter NAME (2 to 40 characters of a-z, 0-9 and _, e.g. tariff_cap) set to VALUE (1 to 256
bytes). When the parameter is protected by the concession (a public_agency marked it so), the
msg says protected: true and the proposal passes only if a public_agency stakeholder of the
project also approves it within the voting period (girder tx governance approve AGENCY ID) —
the second chamber. Only a public_agency marks a parameter protected; a DAO cannot.

Example:
  girder tx governance propose-parameter alice --project harbour-bridge --name tariff_cap \
    --value "3.80 EUR per car" --title "Index the toll to inflation"`,
		exactArgs(1), func(ctx context.Context, c *client.Client, _ []coin.Unit, _ []string) (string, []tx.Msg, error) {
			if err := projects.ValidParamName(ppName); err != nil {
				return "", nil, fmt.Errorf("--name %q: want 2 to 40 characters of a-z, 0-9 and _, starting with a letter (e.g. tariff_cap)", ppName)
			}
			p, dao, err := projectDAO(ctx, c, ppProject)
			if err != nil {
				return "", nil, err
			}
			// A parameter not set yet is not protected; any other failure to read it is an error
			// (the chain refuses a DAO msg that calls a protected parameter unprotected).
			var cur projects.ParameterInfo
			err = c.Query(ctx, "/projects/parameter/"+ppProject+"/"+ppName, nil, 0, &cur)
			if err != nil && !errors.Is(err, projects.ErrUnknownParameter) && !client.IsNotFound(err) {
				return "", nil, fmt.Errorf("parameter %s of %s: %w", ppName, ppProject, err)
			}
			protected := err == nil && cur.Protected
			return p.Security, []tx.Msg{&projects.MsgSetParameter{Authority: dao, Project: ppProject, Name: ppName, Value: ppValue, Protected: protected}}, nil
		})
	proposeParam.Flags().StringVar(&ppProject, "project", "", "the project (required)")
	proposeParam.Flags().StringVar(&ppName, "name", "", "the parameter's name, e.g. tariff_cap (required)")
	proposeParam.Flags().StringVar(&ppValue, "value", "", "the new value, 1 to 256 bytes (required)")
	for _, n := range []string{"project", "name", "value"} {
		_ = proposeParam.MarkFlagRequired(n)
	}

	// propose-grant-role
	proposeGrant := submitCmd("propose-grant-role PROPOSER ROLE ACCOUNT --title TEXT [--summary TEXT]",
		"Propose that chain governance grants a chain role to an account",
		`Submit to chain governance a proposal carrying one auth/grant_role: ROLE (`+strings.Join(auth.Roles, ", ")+`)
to ACCOUNT (an address or key name). Signed by the key PROPOSER, a consortium member (chain role
member). Members vote, one vote each; if it passes, the role is granted after the timelock.

Example:
  girder tx governance propose-grant-role validator kyc_provider gir1... --title "Admit Acme KYC as a KYC provider"`,
		exactArgs(3), func(_ context.Context, _ *client.Client, _ []coin.Unit, args []string) (string, []tx.Msg, error) {
			if !auth.ValidRole(args[1]) {
				return "", nil, fmt.Errorf("ROLE %q: want one of %s", args[1], strings.Join(auth.Roles, ", "))
			}
			acc, err := resolveAddress(args[2])
			if err != nil {
				return "", nil, fmt.Errorf("ACCOUNT: %w", err)
			}
			return "", []tx.Msg{&auth.MsgGrantRole{Authority: authority.Chain, Role: args[1], Account: acc}}, nil
		})

	// propose-upgrade
	var upHeight, upInfo string
	proposeUpgrade := submitCmd("propose-upgrade PROPOSER NAME --height H|+N [--info TEXT] --title TEXT [--summary TEXT]",
		"Propose a software upgrade plan: nodes halt at its height unless they run software that knows it",
		`Submit to chain governance a proposal carrying one governance/schedule_upgrade: the upgrade NAME
(1 to 64 characters of a-z, 0-9, '.', '_', '-') at block height H (or +N: N blocks after the
latest). Signed by the key PROPOSER, a consortium member. Once the proposal executes, every node
stops before block H unless its binary knows the upgrade NAME; operators install the new binary
and start again. The height must still be after the executing block: leave room for the voting
period and the timelock.

Example:
  girder tx governance propose-upgrade validator v2 --height +20000 --info "https://example.org/girder/v2" --title "Girder v2"`,
		exactArgs(2), func(ctx context.Context, c *client.Client, _ []coin.Unit, args []string) (string, []tx.Msg, error) {
			if err := governance.ValidUpgradeName(args[1]); err != nil {
				return "", nil, fmt.Errorf("NAME %q: 1 to 64 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit", args[1])
			}
			h, err := heightArg(ctx, c, upHeight)
			if err != nil {
				return "", nil, err
			}
			return "", []tx.Msg{&governance.MsgScheduleUpgrade{Authority: authority.Chain, Name: args[1], Height: h, Info: upInfo}}, nil
		})
	proposeUpgrade.Flags().StringVar(&upHeight, "height", "", "the halt height: a block height, or +N blocks after the latest (required)")
	proposeUpgrade.Flags().StringVar(&upInfo, "info", "", "where to find the new software (up to 2,048 bytes)")
	_ = proposeUpgrade.MarkFlagRequired("height")

	// vote
	var voteF txFlags
	vote := &cobra.Command{
		Use:   "vote VOTER ID yes|no|abstain|veto",
		Short: "Vote on a proposal in its voting period (a later vote replaces the earlier one)",
		Long: `Vote on proposal ID, signed by the key VOTER. In a DAO the weight is VOTER's balance of the token at
the end of the block before the proposal, plus the balances delegated to it then (less those of
delegators who vote themselves); tokens bought later give nothing. In chain governance each
member at submission has one vote. veto counts against and, with enough of it, rejects the
proposal and burns its deposit. Voting again replaces the earlier vote.

Example:
  girder tx governance vote alice 1 yes`,
		Args: exactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := secID(args[1], "proposal")
			if err != nil {
				return err
			}
			if !slices.Contains(governance.Options, args[2]) {
				return fmt.Errorf("option %q: want %s", args[2], strings.Join(governance.Options, ", "))
			}
			var units []coin.Unit
			var dao string
			return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				units, _ = c.Units(ctx)
				p, err := queryProposal(ctx, c, id)
				if err != nil {
					return nil, err
				}
				dao = p.DAO
				return validatedMsg(&governance.MsgVote{Voter: s.Address(), Proposal: id, Option: args[2]})
			}, &voteF, func(w io.Writer, r *client.Result) { printGovEvents(w, r, dao, units) })
		},
	}
	voteF.add(vote)

	// delegate, undelegate
	var delF, undF txFlags
	delegate := &cobra.Command{
		Use:   "delegate DELEGATOR DENOM DELEGATE",
		Short: "Let another account vote with your balance of a security token in its DAO",
		Long: `Let DELEGATE (an address or key name) vote with the balance of DENOM (a security token's denom
or symbol) of the key DELEGATOR in the DAO's proposals submitted from now on. The weight follows
the balance; delegation is not transitive. DELEGATOR may still vote itself on any proposal: its
own vote overrides (its balance then leaves the delegate's vote). A new delegate replaces the
previous one.

Example:
  girder tx governance delegate bob BRIDGE alice`,
		Args: exactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			to, err := resolveAddress(args[2])
			if err != nil {
				return fmt.Errorf("DELEGATE: %w", err)
			}
			var units []coin.Unit
			return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				units, _ = c.Units(ctx)
				d, err := secDenomArg(args[1], units)
				if err != nil {
					return nil, fmt.Errorf("DENOM: %w", err)
				}
				return validatedMsg(&governance.MsgDelegate{Delegator: s.Address(), Denom: d, Delegate: to})
			}, &delF, func(w io.Writer, r *client.Result) { printGovEvents(w, r, "", units) })
		},
	}
	delF.add(delegate)
	undelegate := &cobra.Command{
		Use:   "undelegate DELEGATOR DENOM",
		Short: "End your delegation of a security token's votes",
		Long: `End the delegation of DENOM (a denom or symbol) of the key DELEGATOR: from the next proposal on, its
balance votes only when it votes itself.

Example:
  girder tx governance undelegate bob BRIDGE`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var units []coin.Unit
			return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				units, _ = c.Units(ctx)
				d, err := secDenomArg(args[1], units)
				if err != nil {
					return nil, fmt.Errorf("DENOM: %w", err)
				}
				return validatedMsg(&governance.MsgUndelegate{Delegator: s.Address(), Denom: d})
			}, &undF, func(w io.Writer, r *client.Result) { printGovEvents(w, r, "", units) })
		},
	}
	undF.add(undelegate)

	// approve
	var apF txFlags
	approve := &cobra.Command{
		Use:   "approve AGENCY ID",
		Short: "Approve, as the project's public agency, a proposal that changes protected parameters",
		Long: `Approve proposal ID, signed by the key AGENCY, a public_agency stakeholder of the proposal's
project, within its voting period. A proposal changing a parameter protected by the concession
(tariff_cap, concession_term, …) passes only with this approval and the holders' vote (two
chambers). girder query governance proposal ID shows the protected parameters it changes.

Example:
  girder tx governance approve agency 2`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := secID(args[1], "proposal")
			if err != nil {
				return err
			}
			var units []coin.Unit
			return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				units, _ = c.Units(ctx)
				return validatedMsg(&governance.MsgApprove{Agency: s.Address(), Proposal: id})
			}, &apF, func(w io.Writer, r *client.Result) { printGovEvents(w, r, "", units) })
		},
	}
	apF.add(approve)

	cmd.AddCommand(submit, proposeSpend, proposeParam, proposeGrant, proposeUpgrade, vote, delegate, undelegate, approve)
	return cmd
}

// proposalMsg packs msgs into a MsgSubmit to dao ("" : chain governance) after the checks the
// chain makes at submission that need no state: each msg is signed by the proposal's authority
// and of a type its chamber allows.
func proposalMsg(proposer address.Address, dao, title, summary string, msgs []tx.Msg) ([]tx.Msg, error) {
	allowed, chamber, auth := governance.DAOMsgTypes, "a DAO's proposal", authority.DAO(dao)
	if dao == "" {
		allowed, chamber, auth = governance.ChainMsgTypes, "a chain proposal", authority.Chain
	}
	if len(msgs) == 0 || len(msgs) > governance.MaxMsgs {
		return nil, fmt.Errorf("%d msgs: a proposal carries 1 to %d", len(msgs), governance.MaxMsgs)
	}
	m := &governance.MsgSubmit{Proposer: proposer, DAO: dao, Title: title, Summary: summary}
	for i, msg := range msgs {
		if !slices.Contains(allowed, msg.MsgType()) {
			return nil, fmt.Errorf("msg %d: %s cannot be carried by %s (allowed: %s)", i, msg.MsgType(), chamber, strings.Join(allowed, ", "))
		}
		if msg.Signer() != auth {
			return nil, fmt.Errorf("msg %d (%s) is signed by %s, but a proposal of %s acts as %s: the msg's authority must be that address",
				i, msg.MsgType(), msg.Signer(), chamberText(dao, nil), auth)
		}
		a, err := tx.Pack(msg)
		if err != nil {
			return nil, err
		}
		m.Msgs = append(m.Msgs, a)
	}
	return validatedMsg(m)
}

// projectDAO reads a project and its DAO's account; a project without a security has none.
func projectDAO(ctx context.Context, c *client.Client, project string) (projects.ProjectInfo, address.Address, error) {
	var p projects.ProjectInfo
	if err := projectArg(project); err != nil {
		return p, address.Address{}, fmt.Errorf("--project: %w", err)
	}
	if err := c.Query(ctx, "/projects/project/"+project, nil, 0, &p); err != nil {
		return p, address.Address{}, err
	}
	if p.DAO == nil || p.Security == "" {
		return p, address.Address{}, fmt.Errorf("project %s has no security token linked, so no DAO: a public_agency links it first (girder tx projects set-security AGENCY %s DENOM)", project, project)
	}
	return p, *p.DAO, nil
}

// heightArg reads a block height: H, or +N blocks after the latest.
func heightArg(ctx context.Context, c *client.Client, s string) (int64, error) {
	bad := fmt.Errorf("--height %q: want a block height (e.g. 120000) or +N blocks after the latest (e.g. +2000)", s)
	if rest, ok := strings.CutPrefix(s, "+"); ok {
		n, err := strconv.ParseInt(rest, 10, 64)
		if err != nil || n <= 0 {
			return 0, bad
		}
		h, err := c.AppHeight(ctx)
		if err != nil {
			return 0, err
		}
		return h + n, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, bad
	}
	return n, nil
}

// ---- query governance ----

// proposalView is a proposal query's answer with its msgs decoded (the JSON the CLI shows).
type proposalView struct {
	governance.ProposalInfo
	Decoded []jsonMsg `json:"decoded_msgs"`
}

func decodedMsgs(p governance.Proposal) []jsonMsg {
	out := make([]jsonMsg, 0, len(p.Msgs))
	for _, a := range p.Msgs {
		t, v := msgJSON(a)
		out = append(out, jsonMsg{Type: t, Value: v})
	}
	return out
}

func statusText(p governance.ProposalInfo) string {
	switch p.Status {
	case governance.StatusVoting:
		if p.Open {
			return "voting: open for votes"
		}
		return "voting: the period has ended, tallied at the end of the next block"
	case governance.StatusPassed:
		return "passed: waiting for its timelock"
	case governance.StatusRejected:
		return "rejected: " + p.Reason
	case governance.StatusVetoed:
		return "vetoed: deposit burnt"
	case governance.StatusExecuted:
		return "executed"
	case governance.StatusFailed:
		return "failed: its execution failed, nothing was changed"
	}
	return p.Status
}

// printProposal prints a proposal with its msgs as decoded for the view.
func printProposal(w io.Writer, v proposalView, units []coin.Unit, names map[address.Address]string) {
	p := v.ProposalInfo
	wt := func(a coin.Amount) string { return weightText(p.DAO, a, units) }
	fmt.Fprintf(w, "proposal %d (%s)\n", p.ID, statusText(p))
	fmt.Fprintf(w, "  title         %s\n", p.Title)
	fmt.Fprintf(w, "  chamber       %s, acting as %s\n", chamberText(p.DAO, units), p.Authority)
	fmt.Fprintf(w, "  proposer      %s\n", who(names, p.Proposer))
	if p.Summary != "" {
		fmt.Fprintf(w, "  summary       %s\n", strings.ReplaceAll(p.Summary, "\n", "\n                "))
	}
	for i, m := range v.Decoded {
		fmt.Fprintf(w, "  msg %-9d %s %s\n", i, m.Type, m.Value)
	}
	fmt.Fprintf(w, "  submitted     height %d, %s\n", p.Height, fmtTime(p.Proposal.Time))
	if p.IsChain() {
		ms := make([]string, len(p.Members))
		for i, a := range p.Members {
			ms[i] = who(names, a)
		}
		fmt.Fprintf(w, "  voters        %d members at submission, one vote each: %s\n", len(p.Members), strings.Join(ms, ", "))
	} else {
		fmt.Fprintf(w, "  snapshot      balances at the end of block %d: eligible weight %s\n", p.Snapshot, wt(p.Eligible))
		dep := amountText(p.Deposit, units)
		if p.Deposit.Amount == 0 {
			dep = "none"
		} else if p.DepositStatus != "" {
			dep += ", " + p.DepositStatus
		}
		fmt.Fprintf(w, "  deposit       %s\n", dep)
	}
	r := p.Rules
	rules := fmt.Sprintf("quorum %s (%s), threshold yes > %s of yes+no+veto, veto %s of the votes", pctText(r.QuorumBps), wt(p.QuorumNeeded), pctText(r.ThresholdBps), pctText(r.VetoThresholdBps))
	if !p.IsChain() {
		if r.Extension > 0 {
			rules += ", late-quorum extension " + secondsText(r.Extension)
		} else {
			rules += ", no late-quorum extension"
		}
	}
	fmt.Fprintf(w, "  rules         %s, timelock %s\n", rules, secondsText(r.Timelock))
	t := p.Tally
	fmt.Fprintf(w, "  tally         yes %s, no %s, abstain %s, veto %s\n", wt(t.Yes), wt(t.No), wt(t.Abstain), wt(t.Veto))
	q := "quorum not reached"
	if p.QuorumReached {
		q = "quorum reached"
	}
	fmt.Fprintf(w, "  participation %s of %s (%s): %s\n", wt(p.Participation), wt(p.Eligible), shareText(p.Participation, p.Eligible), q)
	ext := ""
	if p.Extended {
		ext = " (extended: quorum was reached late)"
	}
	fmt.Fprintf(w, "  voting end    %s%s\n", fmtTime(p.VotingEnd), ext)
	if len(p.Protected) > 0 {
		ap := "not approved yet: without the public agency's approval within the voting period it is rejected"
		if p.ApprovedBy != nil {
			ap = "approved by " + who(names, *p.ApprovedBy)
		}
		fmt.Fprintf(w, "  protected     %s of project %s: %s\n", strings.Join(p.Protected, ", "), p.Project, ap)
	}
	switch p.Status {
	case governance.StatusPassed:
		fmt.Fprintf(w, "  outcome       passed at height %d; executes at the end of the first block at or after %s\n", p.EndHeight, fmtTime(p.ExecuteAfter))
	case governance.StatusExecuted:
		fmt.Fprintf(w, "  outcome       passed at height %d; executed at height %d (timelock until %s): every msg ran\n", p.EndHeight, p.ExecutedHeight, fmtTime(p.ExecuteAfter))
	case governance.StatusFailed:
		f := p.Failure
		fmt.Fprintf(w, "  outcome       passed at height %d; execution failed at height %d (timelock until %s): nothing changed, not retried\n", p.EndHeight, p.ExecutedHeight, fmtTime(p.ExecuteAfter))
		if f != nil {
			fmt.Fprintf(w, "  failure       msg %d: %s (module %s, code %d)\n", f.Msg, f.Message, f.Module, f.Code)
		}
	case governance.StatusRejected:
		fmt.Fprintf(w, "  outcome       rejected at height %d: %s\n", p.EndHeight, p.Reason)
	case governance.StatusVetoed:
		fmt.Fprintf(w, "  outcome       vetoed at height %d: the deposit was burnt\n", p.EndHeight)
	}
	fmt.Fprintf(w, "  as of         %s\n", fmtTime(p.Time))
}

func printDAOParams(w io.Writer, p governance.DAOParams, units []coin.Unit) {
	ext := "off"
	if p.LateQuorumExtension > 0 {
		ext = secondsText(p.LateQuorumExtension)
	}
	dep := amountText(p.Deposit, units)
	if p.Deposit.Amount == 0 {
		dep = "none"
	}
	fmt.Fprintf(w, "  proposal threshold     %s of the eligible weight\n  deposit                %s\n  voting period          %s\n  quorum                 %s\n  threshold              %s\n  veto threshold         %s\n  late-quorum extension  %s\n  timelock               %s\n",
		pctText(p.ProposalThresholdBps), dep, secondsText(p.VotingPeriod), pctText(p.QuorumBps), pctText(p.ThresholdBps), pctText(p.VetoThresholdBps), ext, secondsText(p.Timelock))
}

func newGovernanceQueryCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "governance", Short: "Proposals, votes, voting power, delegations, params and the upgrade plan"}

	var dao, status, after string
	var limit int
	list := &cobra.Command{
		Use:   "proposals [--dao DENOM|chain] [--status STATUS] [--after ID] [--limit N]",
		Short: "List proposals in id order, of one DAO or chain governance, of one status",
		Long: `List proposals in id order with their status and tally. --dao keeps those of one DAO (a security
token's denom or symbol) or of chain governance (chain); --status one of
` + strings.Join(governance.Statuses, ", ") + `.

Example:
  girder query governance proposals --dao BRIDGE --status voting`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if status != "" && !slices.Contains(governance.Statuses, status) {
				return fmt.Errorf("--status %q: want one of %s", status, strings.Join(governance.Statuses, ", "))
			}
			return withClient(cmd, func(ctx context.Context, c *client.Client) error {
				units, err := c.Units(ctx)
				if err != nil {
					return err
				}
				q := url.Values{}
				if dao != "" {
					d, err := daoArg(dao, units)
					if err != nil {
						return err
					}
					q.Set("dao", d)
				}
				for k, v := range map[string]string{"status": status, "after": after, "limit": strconv.Itoa(limit)} {
					if v != "" && v != "0" {
						q.Set(k, v)
					}
				}
				var v governance.ProposalList
				if err := c.Query(ctx, "/governance/proposals", []byte(q.Encode()), 0, &v); err != nil {
					return err
				}
				return emit(cmd.OutOrStdout(), v, func(w io.Writer) {
					if len(v.Proposals) == 0 {
						fmt.Fprintln(w, "no proposals")
						return
					}
					tw := newTable(w)
					fmt.Fprintln(tw, "ID\tSTATUS\tCHAMBER\tTITLE\tYES\tNO\tABSTAIN\tVETO\tQUORUM\tVOTING END")
					for _, p := range v.Proposals {
						ch := p.DAO
						if ch == "" {
							ch = "chain"
						}
						wt := func(a coin.Amount) string { return weightText(p.DAO, a, units) }
						st := p.Status
						if p.Reason != "" {
							st += " (" + p.Reason + ")"
						}
						fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, st, ch, p.Title, wt(p.Tally.Yes), wt(p.Tally.No), wt(p.Tally.Abstain), wt(p.Tally.Veto),
							yesNo(p.QuorumReached), fmtTime(p.VotingEnd))
					}
					tw.Flush()
					printNext(w, v.Next)
				})
			})
		},
	}
	list.Flags().StringVar(&dao, "dao", "", "only the proposals of this DAO (a security token's denom or symbol) or of chain governance (chain)")
	list.Flags().StringVar(&status, "status", "", "only proposals of this status: "+strings.Join(governance.Statuses, ", "))
	list.Flags().StringVar(&after, "after", "", "page: proposals after this id (the previous page's next)")
	list.Flags().IntVar(&limit, "limit", 0, "page size, 1 to 500 (default 100)")

	proposal := &cobra.Command{
		Use:   "proposal ID",
		Short: "Show a proposal: msgs, status, tally, quorum, eligible weight, times, execution result",
		Long: `Show proposal ID: its chamber and authority, the msgs it carries (as JSON), the snapshot and the
eligible weight, the deposit, the rules it was submitted under, the tally and participation
against its quorum, the voting end (and whether a late quorum extended it), the agency's approval
when it changes protected parameters, and its outcome: passed and when it executes, executed,
failed (with the error), rejected (with the reason) or vetoed. Times are RFC 3339 UTC.

Example:
  girder query governance proposal 1
  girder query governance proposal 1 -o json`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := secID(args[0], "proposal")
			if err != nil {
				return err
			}
			return withClient(cmd, func(ctx context.Context, c *client.Client) error {
				units, err := c.Units(ctx)
				if err != nil {
					return err
				}
				p, err := queryProposal(ctx, c, id)
				if err != nil {
					return err
				}
				v := proposalView{ProposalInfo: p, Decoded: decodedMsgs(p.Proposal)}
				return emit(cmd.OutOrStdout(), v, func(w io.Writer) { printProposal(w, v, units, keyNames()) })
			})
		},
	}

	var vAfter string
	var vLimit int
	votes := &cobra.Command{
		Use:   "votes ID [--after ADDRESS] [--limit N]",
		Short: "List the votes on a proposal with their weights",
		Long: `List the votes on proposal ID in voter address order: option, the weight it counts with now (a
delegate's weight drops when its delegators vote themselves), height and time.

Example:
  girder query governance votes 1`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := secID(args[0], "proposal")
			if err != nil {
				return err
			}
			return withClient(cmd, func(ctx context.Context, c *client.Client) error {
				units, _ := c.Units(ctx)
				p, err := queryProposal(ctx, c, id)
				if err != nil {
					return err
				}
				var v governance.VoteList
				if err := c.Query(ctx, "/governance/votes/"+args[0], queryData("after", vAfter, "limit", strconv.Itoa(vLimit)), 0, &v); err != nil {
					return err
				}
				names := keyNames()
				return emit(cmd.OutOrStdout(), v, func(w io.Writer) {
					if len(v.Votes) == 0 {
						fmt.Fprintf(w, "no votes on proposal %d\n", id)
						return
					}
					tw := newTable(w)
					fmt.Fprintln(tw, "VOTER\tOPTION\tWEIGHT\tHEIGHT\tTIME")
					for _, vt := range v.Votes {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", who(names, vt.Voter), vt.Option, weightText(p.DAO, vt.Weight, units), vt.Height, fmtTime(vt.Time))
					}
					tw.Flush()
					if v.Next != "" {
						fmt.Fprintf(w, "more: repeat with --after %s\n", v.Next)
					}
				})
			})
		},
	}
	votes.Flags().StringVar(&vAfter, "after", "", "page: votes after this voter address (the previous page's next)")
	votes.Flags().IntVar(&vLimit, "limit", 0, "page size, 1 to 500 (default 100)")

	var voteDAO string
	vote := secQuery("vote ID VOTER", "Show one account's vote on a proposal",
		`Show the vote of VOTER (an address or key name) on proposal ID: option, weight, height and time.

Example:
  girder query governance vote 1 alice`,
		exactArgs(2), func(ctx context.Context, c *client.Client, _ []coin.Unit, args []string) (string, []byte, error) {
			id, err := secID(args[0], "proposal")
			if err != nil {
				return "", nil, err
			}
			a, err := resolveAddress(args[1])
			if err != nil {
				return "", nil, fmt.Errorf("VOTER: %w", err)
			}
			p, err := queryProposal(ctx, c, id)
			if err != nil {
				return "", nil, err
			}
			voteDAO = p.DAO
			return fmt.Sprintf("/governance/vote/%d/%s", id, a), nil, nil
		}, func(w io.Writer, v *governance.Vote, units []coin.Unit) {
			fmt.Fprintf(w, "%s voted %s on proposal %d with a weight of %s at height %d, %s\n", who(keyNames(), v.Voter), v.Option, v.Proposal,
				weightText(voteDAO, v.Weight, units), v.Height, fmtTime(v.Time))
		})

	power := secQuery("power DENOM ADDRESS|KEY", "Show an account's balance, delegated power and delegate in a DAO now",
		`Show, for the DAO of the security token DENOM (a denom or symbol), what ADDRESS (an address or key
name) holds now, the balances delegated to it now and its own delegate. A proposal's weights come
from the balances at its snapshot (the end of the block before it), not from now.

Example:
  girder query governance power BRIDGE alice`,
		exactArgs(2), func(_ context.Context, _ *client.Client, units []coin.Unit, args []string) (string, []byte, error) {
			d, err := secDenomArg(args[0], units)
			if err != nil {
				return "", nil, fmt.Errorf("DENOM: %w", err)
			}
			a, err := resolveAddress(args[1])
			if err != nil {
				return "", nil, err
			}
			return "/governance/power/" + d + "/" + a.String(), nil, nil
		}, func(w io.Writer, v *governance.PowerInfo, units []coin.Unit) {
			names := keyNames()
			c := func(a coin.Amount) string { return amountText(coin.New(v.Denom, a), units) }
			fmt.Fprintf(w, "account    %s in the DAO of %s\nbalance    %s\ndelegated  %s (the balances others delegate to it now)\n", who(names, v.Address), v.Denom, c(v.Balance), c(v.Delegated))
			if v.Delegate != nil {
				fmt.Fprintf(w, "delegate   %s votes with its balance unless it votes itself\n", who(names, *v.Delegate))
			} else {
				fmt.Fprintln(w, "delegate   none: its balance votes when it votes")
			}
		})

	delegation := secQuery("delegation DENOM ADDRESS|KEY", "Show an account's delegation in a DAO",
		`Show to whom ADDRESS (an address or key name) delegates its votes in the DAO of DENOM (a denom or
symbol), and since which height.

Example:
  girder query governance delegation BRIDGE bob`,
		exactArgs(2), func(_ context.Context, _ *client.Client, units []coin.Unit, args []string) (string, []byte, error) {
			d, err := secDenomArg(args[0], units)
			if err != nil {
				return "", nil, fmt.Errorf("DENOM: %w", err)
			}
			a, err := resolveAddress(args[1])
			if err != nil {
				return "", nil, err
			}
			return "/governance/delegation/" + d + "/" + a.String(), nil, nil
		}, func(w io.Writer, v *governance.Delegation, _ []coin.Unit) {
			names := keyNames()
			fmt.Fprintf(w, "%s delegates its %s votes to %s since height %d\n", who(names, v.Delegator), v.Denom, who(names, v.Delegate), v.Height)
		})

	params := secQuery("params", "Show chain governance's params, the DAOs' default params and pending block limits",
		`Show chain governance's params (members vote, one vote each), the params of every DAO without
its own, and block limits decided by chain governance that wait for the next block.

Example:
  girder query governance params`,
		exactArgs(0), func(context.Context, *client.Client, []coin.Unit, []string) (string, []byte, error) {
			return "/governance/params", nil, nil
		}, func(w io.Writer, v *governance.ParamsInfo, units []coin.Unit) {
			c := v.Chain
			fmt.Fprintf(w, "chain governance (members, one vote each)\n  voting period          %s\n  quorum                 %s of the members\n  threshold              %s\n  veto threshold         %s\n  timelock               %s\n  max members            %d\n",
				secondsText(c.VotingPeriod), pctText(c.QuorumBps), pctText(c.ThresholdBps), pctText(c.VetoThresholdBps), secondsText(c.Timelock), c.MaxMembers)
			fmt.Fprintln(w, "DAO defaults (every DAO without its own params)")
			printDAOParams(w, v.DAODefaults, units)
			if b := v.BlockParams; b != nil {
				fmt.Fprintf(w, "pending block limits: max %d bytes, max gas %d (decided at height %d, from the next block)\n", b.MaxBytes, b.MaxGas, b.Height)
			}
		})

	daoQ := secQuery("dao DENOM", "Show a DAO's account and effective params",
		`Show the DAO of the security token DENOM (a denom or symbol): its account (the authority its
proposals' msgs are signed by) and its params (its own, or the defaults).

Example:
  girder query governance dao BRIDGE`,
		exactArgs(1), func(_ context.Context, _ *client.Client, units []coin.Unit, args []string) (string, []byte, error) {
			d, err := secDenomArg(args[0], units)
			if err != nil {
				return "", nil, fmt.Errorf("DENOM: %w", err)
			}
			return "/governance/dao/" + d, nil, nil
		}, func(w io.Writer, v *governance.DAOInfo, units []coin.Unit) {
			src := "the DAO defaults"
			if v.Own {
				src = "its own"
			}
			fmt.Fprintf(w, "DAO of %s\n  account                %s\n  params                 %s\n", v.Denom, v.Authority, src)
			printDAOParams(w, v.Params, units)
		})

	upgrade := secQuery("upgrade", "Show the scheduled software upgrade and the upgrades done",
		`Show the software upgrade chain governance scheduled (nodes halt at its height unless their
binary knows it) and the upgrades applied.

Example:
  girder query governance upgrade`,
		exactArgs(0), func(context.Context, *client.Client, []coin.Unit, []string) (string, []byte, error) {
			return "/governance/upgrade", nil, nil
		}, func(w io.Writer, v *governance.UpgradeInfo, _ []coin.Unit) {
			if v.Plan == nil {
				fmt.Fprintln(w, "no upgrade scheduled")
			} else {
				fmt.Fprintf(w, "upgrade %s scheduled at height %d: nodes halt before that block unless their binary knows %s\n", v.Plan.Name, v.Plan.Height, v.Plan.Name)
				if v.Plan.Info != "" {
					fmt.Fprintf(w, "  info %s\n", v.Plan.Info)
				}
			}
			for _, d := range v.Done {
				fmt.Fprintf(w, "done: %s at height %d\n", d.Name, d.Height)
			}
		})

	cmd.AddCommand(list, proposal, votes, vote, power, delegation, params, daoQ, upgrade)
	return cmd
}
