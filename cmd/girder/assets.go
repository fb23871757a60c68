package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/compliance"
)

// parseAssetAmount reads an amount of an asset (base or display units) and checks its denom.
func parseAssetAmount(ctx context.Context, c *client.Client, s, wantDenom string) (coin.Coin, error) {
	amt, err := c.ParseAmount(ctx, s)
	if err != nil {
		return amt, err
	}
	if wantDenom != "" && amt.Denom != wantDenom {
		return amt, fmt.Errorf("amount %s is in %s, want %s", s, amt.Denom, wantDenom)
	}
	return amt, nil
}

func contentHash(hexHash, file string) (assets.Hash, error) {
	switch {
	case hexHash != "" && file != "":
		return assets.Hash{}, fmt.Errorf("give --hash or --file, not both")
	case hexHash != "":
		return assets.ParseHash(hexHash)
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return assets.Hash{}, fmt.Errorf("document file: %w", err)
		}
		return assets.Hash(sha256.Sum256(b)), nil
	}
	return assets.Hash{}, fmt.Errorf("give the document's SHA-256: --hash HEX or --file PATH")
}

func newAssetsTxCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "assets", Short: "Issue assets (securities, cash), manage their documents, and the controller's actions"}
	one := func(use, short, example string, nargs int, build func(ctx context.Context, c *client.Client, s client.Signer, args []string) ([]tx.Msg, error), flags func(*cobra.Command)) *cobra.Command {
		var f txFlags
		sub := &cobra.Command{Use: use, Short: short, Example: example, Args: cobra.ExactArgs(nargs),
			RunE: func(cmd *cobra.Command, args []string) error {
				return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
					return build(ctx, c, s, args)
				}, &f, func(w io.Writer, r *client.Result) { printAssetEvents(cmd, w, r) })
			}}
		f.add(sub)
		if flags != nil {
			flags(sub)
		}
		return sub
	}
	var (
		create                 assets.MsgCreate
		maxSupply, controller  string
		to, reason             string
		hashHex, file, freezeN string
	)
	reasonFlag := func(c *cobra.Command) {
		c.Flags().StringVar(&reason, "reason", "", "why (required, recorded in the event)")
		_ = c.MarkFlagRequired("reason")
	}
	cmd.AddCommand(
		one("create ISSUER DENOM --kind KIND --name NAME --symbol SYMBOL --decimals N", "Create an asset (security: asset_issuer role; cash: cash_issuer role)",
			`  girder tx assets create validator ubridge --kind security --name "Harbour Bridge SPV equity" --symbol BRIDGE --decimals 6 --max-supply 10000000BRIDGE --project harbour-bridge
  girder tx assets create validator ueurt --kind cash --name "Tokenized euro" --symbol EURt --decimals 2`, 2,
			func(ctx context.Context, c *client.Client, s client.Signer, args []string) ([]tx.Msg, error) {
				m := create
				m.Issuer, m.Denom = s.Address(), args[1]
				if maxSupply != "" {
					n, err := strconv.ParseUint(maxSupply, 10, 64)
					if errors.Is(err, strconv.ErrRange) {
						return nil, fmt.Errorf("--max-supply %q is too large: at most %d base units", maxSupply, uint64(math.MaxUint64))
					}
					if err != nil { // display units: SYMBOL is not known to the chain yet
						u := coin.Unit{Base: m.Denom, Display: m.Symbol, Exponent: m.Decimals}
						amt, perr := coin.Parse(maxSupply, []coin.Unit{u})
						switch {
						case perr != nil:
							return nil, fmt.Errorf("--max-supply: %w: want base units (10000000) or %s (10000000%s)", perr, m.Symbol, m.Symbol)
						case amt.Denom != m.Denom:
							return nil, fmt.Errorf("--max-supply %q is in %s: want base units (10000000) or %s (10000000%s)", maxSupply, amt.Denom, m.Symbol, m.Symbol)
						}
						n = uint64(amt.Amount)
					}
					if n == 0 {
						return nil, fmt.Errorf("--max-supply %q is zero: omit --max-supply for no limit", maxSupply)
					}
					m.MaxSupply = coin.Amount(n)
				}
				if controller != "" {
					a, err := resolveAddress(controller)
					if err != nil {
						return nil, fmt.Errorf("--controller: %w", err)
					}
					m.Controller = a
				}
				return []tx.Msg{&m}, nil // the tx layer validates it (tx code 6)
			}, func(c *cobra.Command) {
				c.Flags().StringVar(&create.Kind, "kind", "", "security, cash, pass or receivable (required)")
				c.Flags().StringVar(&create.Name, "name", "", "the asset's name (required)")
				c.Flags().StringVar(&create.Symbol, "symbol", "", "display unit, 2-16 letters or digits (required)")
				c.Flags().Uint8Var(&create.Decimals, "decimals", 0, "base units per display unit = 10^decimals")
				c.Flags().StringVar(&maxSupply, "max-supply", "", "maximum supply in base units or display units (default: no limit)")
				c.Flags().StringVar(&create.Project, "project", "", "id of the project the asset finances")
				c.Flags().StringVar(&controller, "controller", "", "account that may freeze, force transfers, recover and pause (default: the issuer)")
				for _, f := range []string{"kind", "name", "symbol"} {
					_ = c.MarkFlagRequired(f)
				}
			}),
		one("mint ISSUER AMOUNT [--to ACCOUNT]", "Issue AMOUNT to the issuer (or, decided by compliance, to ACCOUNT), within the maximum supply",
			"  girder tx assets mint validator 1000000BRIDGE", 2,
			func(ctx context.Context, c *client.Client, s client.Signer, args []string) ([]tx.Msg, error) {
				amt, err := parseAssetAmount(ctx, c, args[1], "")
				if err != nil {
					return nil, err
				}
				m := &assets.MsgMint{Issuer: s.Address(), Denom: amt.Denom, Amount: amt.Amount}
				if to != "" {
					if m.To, err = resolveAddress(to); err != nil {
						return nil, fmt.Errorf("--to: %w", err)
					}
				}
				return []tx.Msg{m}, nil
			}, func(c *cobra.Command) {
				c.Flags().StringVar(&to, "to", "", "the receiving account (default: the issuer)")
			}),
		one("burn ISSUER AMOUNT", "Destroy AMOUNT of the issuer's own balance", "  girder tx assets burn validator 500BRIDGE", 2,
			func(ctx context.Context, c *client.Client, s client.Signer, args []string) ([]tx.Msg, error) {
				amt, err := parseAssetAmount(ctx, c, args[1], "")
				return []tx.Msg{&assets.MsgBurn{Issuer: s.Address(), Denom: amt.Denom, Amount: amt.Amount}}, err
			}, nil),
		one("set-document ISSUER DENOM NAME URI (--file PATH | --hash HEX)", "Add a document to an asset, or a new version of it (the history stays)",
			"  girder tx assets set-document validator ubridge prospectus https://example.org/prospectus.pdf --file prospectus.pdf", 4,
			func(_ context.Context, _ *client.Client, s client.Signer, args []string) ([]tx.Msg, error) {
				h, err := contentHash(hashHex, file)
				return []tx.Msg{&assets.MsgSetDocument{Issuer: s.Address(), Denom: args[1], Name: args[2], URI: args[3], Hash: h}}, err
			}, func(c *cobra.Command) {
				c.Flags().StringVar(&hashHex, "hash", "", "the document's SHA-256, 64 hex digits")
				c.Flags().StringVar(&file, "file", "", "the document: its SHA-256 is recorded (the file stays off chain)")
			}),
		one("remove-document ISSUER DENOM NAME", "Remove a document (recorded as its newest version)", "  girder tx assets remove-document validator ubridge term-sheet", 3,
			func(_ context.Context, _ *client.Client, s client.Signer, args []string) ([]tx.Msg, error) {
				return []tx.Msg{&assets.MsgRemoveDocument{Issuer: s.Address(), Denom: args[1], Name: args[2]}}, nil
			}, nil),
		one("freeze CONTROLLER DENOM ACCOUNT [--amount AMOUNT] --reason TEXT", "Freeze an account's holding: all of it, or --amount of it",
			`  girder tx assets freeze validator ubridge bob --reason "court order 17"`, 3,
			func(ctx context.Context, c *client.Client, s client.Signer, args []string) ([]tx.Msg, error) {
				acc, err := resolveAddress(args[2])
				if err != nil {
					return nil, err
				}
				m := &assets.MsgFreeze{Controller: s.Address(), Denom: args[1], Account: acc, Reason: reason}
				if freezeN != "" {
					amt, err := parseAssetAmount(ctx, c, freezeN, args[1])
					if err != nil {
						return nil, fmt.Errorf("--amount: %w", err)
					}
					m.Amount = amt.Amount
				}
				return []tx.Msg{m}, nil
			}, func(c *cobra.Command) {
				reasonFlag(c)
				c.Flags().StringVar(&freezeN, "amount", "", "the amount that must stay (default: the whole holding, which then also receives nothing)")
			}),
		one("unfreeze CONTROLLER DENOM ACCOUNT --reason TEXT", "Lift a freeze", `  girder tx assets unfreeze validator ubridge bob --reason "order lifted"`, 3,
			func(_ context.Context, _ *client.Client, s client.Signer, args []string) ([]tx.Msg, error) {
				acc, err := resolveAddress(args[2])
				return []tx.Msg{&assets.MsgUnfreeze{Controller: s.Address(), Denom: args[1], Account: acc, Reason: reason}}, err
			}, reasonFlag),
		one("force-transfer CONTROLLER FROM TO AMOUNT --reason TEXT", "Move an amount between accounts without compliance (e.g. a court order)",
			`  girder tx assets force-transfer validator bob alice 10BRIDGE --reason "court order 17"`, 4,
			func(ctx context.Context, c *client.Client, s client.Signer, args []string) ([]tx.Msg, error) {
				accs, err := resolveAll(args[1], args[2])
				if err != nil {
					return nil, err
				}
				amt, err := parseAssetAmount(ctx, c, args[3], "")
				return []tx.Msg{&assets.MsgForceTransfer{Controller: s.Address(), Denom: amt.Denom, From: accs[0], To: accs[1], Amount: amt.Amount, Reason: reason}}, err
			}, reasonFlag),
		one("recover CONTROLLER DENOM FROM TO --reason TEXT", "Move an account's whole holding to another account of the same identity (lost key)",
			`  girder tx assets recover validator ubridge gir1old... gir1new... --reason "lost key, ticket 88"`, 4,
			func(_ context.Context, _ *client.Client, s client.Signer, args []string) ([]tx.Msg, error) {
				accs, err := resolveAll(args[2], args[3])
				if err != nil {
					return nil, err
				}
				return []tx.Msg{&assets.MsgRecover{Controller: s.Address(), Denom: args[1], From: accs[0], To: accs[1], Reason: reason}}, nil
			}, reasonFlag),
		one("pause CONTROLLER DENOM --reason TEXT", "Stop every transfer of an asset", `  girder tx assets pause validator ubridge --reason "corporate action"`, 2,
			func(_ context.Context, _ *client.Client, s client.Signer, args []string) ([]tx.Msg, error) {
				return []tx.Msg{&assets.MsgPause{Controller: s.Address(), Denom: args[1], Reason: reason}}, nil
			}, reasonFlag),
		one("unpause CONTROLLER DENOM --reason TEXT", "Let transfers of a paused asset resume", `  girder tx assets unpause validator ubridge --reason done`, 2,
			func(_ context.Context, _ *client.Client, s client.Signer, args []string) ([]tx.Msg, error) {
				return []tx.Msg{&assets.MsgUnpause{Controller: s.Address(), Denom: args[1], Reason: reason}}, nil
			}, reasonFlag),
	)
	return cmd
}

func resolveAll(names ...string) ([]address.Address, error) {
	out := make([]address.Address, len(names))
	for i, n := range names {
		a, err := resolveAddress(n)
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

func printAsset(w io.Writer, v assets.AssetInfo) {
	a, units := v.Asset, []coin.Unit{v.Asset.Unit()}
	max := "no limit"
	if a.MaxSupply != 0 {
		max = amountText(coin.New(a.Denom, a.MaxSupply), units)
	}
	fmt.Fprintf(w, "asset       %s\nname        %s\nkind        %s\nsymbol      %s (1 %s = 10^%d %s)\nmax supply  %s\nsupply      %s\n",
		a.Denom, a.Name, a.Kind, a.Symbol, a.Symbol, a.Decimals, a.Denom, max, amountText(coin.New(a.Denom, v.Supply), units))
	if a.Minted != 0 || a.Burnt != 0 {
		fmt.Fprintf(w, "minted      %s\nburnt       %s\n", amountText(coin.New(a.Denom, a.Minted), units), amountText(coin.New(a.Denom, a.Burnt), units))
	}
	fmt.Fprintf(w, "issuer      %s\ncontroller  %s\n", a.Issuer, a.Controller)
	if a.Project != "" {
		fmt.Fprintf(w, "project     %s\n", a.Project)
	}
	fmt.Fprintf(w, "created     height %d\n", a.Height)
	if a.Paused {
		fmt.Fprintf(w, "PAUSED      %s\n", a.PauseNote)
	}
}

// printAssetEvents prints, after a committed tx, what its assets events (and the freezes a
// controller set or lifted) did, amounts in display units.
func printAssetEvents(cmd *cobra.Command, w io.Writer, r *client.Result) {
	var units []coin.Unit
	if c, err := client.Dial(g.node); err == nil {
		ctx, cancel := context.WithTimeout(cmd.Context(), queryTimeout)
		units, _ = c.Units(ctx)
		cancel()
	}
	attrs := func(e chain.Event) map[string]string {
		at := map[string]string{}
		for _, a := range e.Attrs {
			at[a.Key] = a.Value
		}
		return at
	}
	holds := map[string]string{} // receiver → hold id, of the transfers compliance held
	for _, e := range r.Events {
		if at := attrs(e); e.Type == "compliance.decision" && at["outcome"] == compliance.OutcomeHold {
			holds[at["to"]] = at["hold"]
		}
	}
	for _, e := range r.Events {
		at := attrs(e)
		amount := func() string {
			if c, err := coin.Parse(at["amount"], nil); err == nil {
				return amountText(c, units)
			}
			return at["amount"]
		}
		switch e.Type {
		case "assets.created":
			max := "no maximum supply"
			if n, err := strconv.ParseUint(at["max_supply"], 10, 64); err == nil && n != 0 {
				max = "max supply " + amountText(coin.New(at["asset"], coin.Amount(n)), units)
			}
			fmt.Fprintf(w, "created  %s (%s, %s), %s, controller %s\n", at["asset"], at["symbol"], at["kind"], max, at["controller"])
		case "assets.minted":
			if id, held := holds[at["to"]]; held && at["to"] != at["by"] {
				fmt.Fprintf(w, "minted   %s for %s: in hold %s until a compliance officer releases or returns it\n", amount(), at["to"], id)
				continue
			}
			fmt.Fprintf(w, "minted   %s to %s\n", amount(), at["to"])
		case "assets.burnt":
			fmt.Fprintf(w, "burnt    %s from %s\n", amount(), at["from"])
		case "assets.document_set":
			fmt.Fprintf(w, "document %s v%s %s sha256 %s\n", at["name"], at["version"], at["uri"], at["hash"])
		case "assets.document_removed":
			fmt.Fprintf(w, "document %s v%s: removed\n", at["name"], at["version"])
		case "compliance.frozen":
			what := "all its " + at["asset"] + ", nothing leaves or arrives"
			if at["amount"] != "all" {
				what = amount() + " must stay"
			}
			fmt.Fprintf(w, "frozen   %s: %s (%s)\n", at["account"], what, at["reason"])
		case "compliance.unfrozen":
			fmt.Fprintf(w, "unfrozen %s's %s (%s)\n", at["account"], at["asset"], at["reason"])
		case "assets.forced_transfer":
			fmt.Fprintf(w, "moved    %s from %s to %s (%s)\n", amount(), at["from"], at["to"], at["reason"])
		case "assets.recovered":
			fmt.Fprintf(w, "recovered %s from %s to %s (%s)\n", amount(), at["from"], at["to"], at["reason"])
		case "assets.paused":
			fmt.Fprintf(w, "paused   %s: every transfer is refused until unpaused (%s)\n", at["asset"], at["reason"])
		case "assets.unpaused":
			fmt.Fprintf(w, "unpaused %s (%s)\n", at["asset"], at["reason"])
		}
	}
}

func newAssetsQueryCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "assets", Short: "Assets, their supply and documents"}
	list := &cobra.Command{Use: "list", Short: "Every asset issued on the chain", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withClient(cmd, func(ctx context.Context, c *client.Client) error {
				var v []assets.Asset
				if err := c.Query(ctx, "/assets/assets", nil, 0, &v); err != nil {
					return err
				}
				return emit(cmd.OutOrStdout(), v, func(w io.Writer) {
					if len(v) == 0 {
						fmt.Fprintln(w, "no assets yet")
					}
					for _, a := range v {
						fmt.Fprintf(w, "%-12s %-8s %-10s %s\n", a.Denom, a.Symbol, a.Kind, a.Name)
					}
				})
			})
		}}
	denomPath := func(prefix string) func(string) (string, error) {
		return func(s string) (string, error) { return prefix + s, coin.ValidateDenom(s) }
	}
	cmd.AddCommand(list,
		queryCmd("asset DENOM", "Show an asset: kind, issuer, controller, supply, current documents", "  girder query assets asset ubridge",
			denomPath("/assets/asset/"), func(w io.Writer, v *assets.AssetInfo) {
				printAsset(w, *v)
				fmt.Fprintln(w, "documents:")
				for _, d := range v.Documents {
					fmt.Fprintf(w, "  %s v%d %s sha256 %s\n", d.Name, d.Version, d.URI, d.Hash)
				}
				if len(v.Documents) == 0 {
					fmt.Fprintln(w, "  (none)")
				}
			}),
		queryCmd("documents DENOM", "Every version of every document of an asset", "  girder query assets documents ubridge",
			denomPath("/assets/documents/"), func(w io.Writer, v *[]assets.Document) {
				if len(*v) == 0 {
					fmt.Fprintln(w, "no documents")
				}
				for _, d := range *v {
					what := d.URI + " sha256 " + d.Hash.String()
					if d.Removed {
						what = "removed"
					}
					fmt.Fprintf(w, "%-16s v%-3d height %-6d %s\n", d.Name, d.Version, d.Height, what)
				}
			}),
	)
	return cmd
}
