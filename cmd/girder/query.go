package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
)

func init() {
	register(newQueryCmd)
	register(newStatusCmd)
}

const queryTimeout = 15 * time.Second

// withClient runs fn with a client of --node.
func withClient(cmd *cobra.Command, fn func(context.Context, *client.Client) error) error {
	ctx, cancel := context.WithTimeout(cmd.Context(), queryTimeout)
	defer cancel()
	c, err := client.Dial(g.node)
	if err != nil {
		return err
	}
	return fn(ctx, c)
}

func newQueryCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "query", Aliases: []string{"q"}, Short: "Read chain state"}
	cmd.AddCommand(newIdentityQueryCmd(), newRolesQueryCmd(), newComplianceQueryCmd(), newAssetsQueryCmd())
	cmd.AddCommand(newOfferingsQueryCmd(), newDistributionsQueryCmd())
	cmd.AddCommand(newProjectsQueryCmd())
	cmd.AddCommand(newVestingQueryCmd())
	cmd.AddCommand(newGovernanceQueryCmd())
	cmd.AddCommand(newPassesQueryCmd())
	cmd.AddCommand(
		&cobra.Command{
			Use: "account ADDRESS|KEY", Short: "Show an account: public key, nonce, creation height",
			Example: "  girder query account alice",
			Args:    cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				a, err := resolveAddress(args[0])
				if err != nil {
					return err
				}
				return withClient(cmd, func(ctx context.Context, c *client.Client) error {
					acc, ok, err := c.Account(ctx, a)
					if err != nil {
						return err
					}
					if !ok {
						return fmt.Errorf("account %s does not exist (it has never received funds)", a)
					}
					return emit(cmd.OutOrStdout(), acc, func(w io.Writer) {
						bound := "not yet bound (no tx sent)"
						if acc.PubKey != nil {
							bound = fmt.Sprintf("%s %s", acc.KeyType, base64.StdEncoding.EncodeToString(acc.PubKey))
						}
						fmt.Fprintf(w, "address  %s\nnonce    %d\npubkey   %s\ncreated  height %d\n", acc.Address, acc.Nonce, bound, acc.Created)
					})
				})
			},
		},
		&cobra.Command{
			Use: "balance ADDRESS|KEY", Short: "Show the balances of an address",
			Example: "  girder query balance bob\n  girder query balance gir1... -o json",
			Args:    cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				a, err := resolveAddress(args[0])
				if err != nil {
					return err
				}
				return withClient(cmd, func(ctx context.Context, c *client.Client) error {
					bals, err := c.Balances(ctx, a)
					if err != nil {
						return err
					}
					units, err := c.Units(ctx)
					if err != nil {
						return err
					}
					return emit(cmd.OutOrStdout(), map[string]any{"address": a, "balances": bals}, func(w io.Writer) {
						fmt.Fprintf(w, "%s\n", a)
						if len(bals) == 0 {
							fmt.Fprintln(w, "  (no balances)")
						}
						for _, b := range bals {
							fmt.Fprintf(w, "  %-24s %s\n", coin.Format(b, units), b)
						}
					})
				})
			},
		},
		&cobra.Command{
			Use: "tx HASH", Short: "Show a committed tx: msgs, result, gas, fee, events",
			Example: "  girder query tx 3F2A…",
			Args:    cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return withClient(cmd, func(ctx context.Context, c *client.Client) error {
					info, err := c.Tx(ctx, args[0])
					if err != nil {
						return err
					}
					units, _ := c.Units(ctx)
					return emit(cmd.OutOrStdout(), info, func(w io.Writer) {
						printResult(w, &info.Result, units)
						if info.Log != "" {
							fmt.Fprintf(w, "log      %s\n", info.Log)
						}
						fmt.Fprintf(w, "signer   %s (nonce %d)\n", info.Signer, info.Nonce)
						if info.Memo != "" {
							fmt.Fprintf(w, "memo     %s\n", info.Memo)
						}
						for i, m := range info.Msgs {
							fmt.Fprintf(w, "msg %d    %s\n", i, m)
						}
						for _, e := range info.Events {
							b, _ := json.Marshal(e.Attrs)
							fmt.Fprintf(w, "event    %s %s\n", e.Type, b)
						}
					})
				})
			},
		},
		&cobra.Command{
			Use: "fees", Short: "Show the base fee and the totals of burnt and pooled fees",
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return withClient(cmd, func(ctx context.Context, c *client.Client) error {
					f, err := c.Fees(ctx)
					if err != nil {
						return err
					}
					units, _ := c.Units(ctx)
					return emit(cmd.OutOrStdout(), f, func(w io.Writer) {
						fmt.Fprintf(w, "base fee     %d %s/gas (minimum %d)\nburnt        %s\npooled       %s\nfee pool     %s holds %s\n",
							f.BaseFee, f.Denom, f.MinBaseFee, coin.Format(coin.New(f.Denom, f.Burnt), units),
							coin.Format(coin.New(f.Denom, f.Pooled), units), f.Pool, coin.Format(coin.New(f.Denom, f.PoolBalance), units))
					})
				})
			},
		},
		&cobra.Command{
			Use: "supply [DENOM]", Short: "Show the total supply of a denom (default ugrd)",
			Args: cobra.MaximumNArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				denom := "ugrd"
				if len(args) == 1 {
					denom = args[0]
				}
				return withClient(cmd, func(ctx context.Context, c *client.Client) error {
					s, err := c.Supply(ctx, denom)
					if err != nil {
						return err
					}
					units, _ := c.Units(ctx)
					return emit(cmd.OutOrStdout(), s, func(w io.Writer) { fmt.Fprintf(w, "%s (%s)\n", coin.Format(s, units), s) })
				})
			},
		},
	)
	return cmd
}

func newStatusCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show the node's chain id, height, latest block time and sync state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withClient(cmd, func(ctx context.Context, c *client.Client) error {
				s, err := c.Status(ctx)
				if err != nil {
					return err
				}
				return emit(cmd.OutOrStdout(), s, func(w io.Writer) {
					fmt.Fprintf(w, "chain id     %s\nnode         %s (%s)\nheight       %d\nblock time   %s\napp hash     %s\ncatching up  %v\nvalidator    %v\n",
						s.ChainID, s.Moniker, s.NodeID, s.Height, s.LatestBlockTime.Format(time.RFC3339Nano), s.LatestAppHash, s.CatchingUp, s.Validator)
				})
			})
		},
	}
}
