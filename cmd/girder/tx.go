package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/keyring"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/bank"
)

func init() { register(newTxCmd) }

// txFlags are the flags of every tx command.
type txFlags struct {
	tip      string
	memo     string
	gasLimit uint64
	noWait   bool
	timeout  time.Duration
}

func (f *txFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.tip, "tip", "", "tip to the fee pool on top of the base fee, e.g. 100ugrd")
	cmd.Flags().StringVar(&f.memo, "memo", "", "memo stored with the tx (up to 256 bytes)")
	cmd.Flags().Uint64Var(&f.gasLimit, "gas-limit", 0, "gas limit (default: measured by a dry run)")
	cmd.Flags().BoolVar(&f.noWait, "no-wait", false, "return once the mempool accepts the tx, without waiting for the block")
	cmd.Flags().DurationVar(&f.timeout, "timeout", 30*time.Second, "how long to wait for the tx to commit")
}

func newTxCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "tx", Short: "Sign and send transactions"}
	bankCmd := &cobra.Command{Use: "bank", Short: "Transfers of the native token and other assets"}
	bankCmd.AddCommand(newSendCmd(), newMultiSendCmd())
	cmd.AddCommand(bankCmd, newAuthTxCmd(), newIdentityTxCmd(), newComplianceTxCmd(), newAssetsTxCmd())
	cmd.AddCommand(newOfferingsTxCmd(), newDistributionsTxCmd())
	cmd.AddCommand(newProjectsTxCmd())
	cmd.AddCommand(newVestingTxCmd())
	cmd.AddCommand(newGovernanceTxCmd())
	cmd.AddCommand(newPassesTxCmd())
	return cmd
}

func newSendCmd() *cobra.Command {
	var f txFlags
	cmd := &cobra.Command{
		Use:   "send FROM TO AMOUNT",
		Short: "Send an amount from a key to an address or key name",
		Long: `Send AMOUNT from the key FROM to TO (an address or a key name), wait for the block that
commits it and print its hash, height, result code, gas used and fee. AMOUNT is in base
units (1500ugrd) or display units (1.5GRD).

Example:
  girder tx bank send alice bob 1.5GRD
  girder tx bank send alice gir1... 2500ugrd --memo "invoice 17"`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSigner(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				to, err := resolveAddress(args[1])
				if err != nil {
					return nil, err
				}
				amt, err := c.ParseAmount(ctx, args[2])
				if err != nil {
					return nil, err
				}
				return []tx.Msg{&bank.MsgSend{From: s.Address(), To: to, Amount: amt}}, nil
			}, &f)
		},
	}
	f.add(cmd)
	return cmd
}

func newMultiSendCmd() *cobra.Command {
	var f txFlags
	cmd := &cobra.Command{
		Use:   "multi-send FROM TO=AMOUNT [TO=AMOUNT...]",
		Short: "Pay several recipients in one tx, all or nothing",
		Long: `Pay several recipients from the key FROM in one tx: either every payment happens or none.

Example:
  girder tx bank multi-send alice bob=1GRD gir1...=250000ugrd`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSigner(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				m := &bank.MsgMultiSend{From: s.Address()}
				for _, a := range args[1:] {
					to, amt, ok := strings.Cut(a, "=")
					if !ok {
						return nil, fmt.Errorf("%q: want TO=AMOUNT", a)
					}
					addr, err := resolveAddress(to)
					if err != nil {
						return nil, err
					}
					c, err := c.ParseAmount(ctx, amt)
					if err != nil {
						return nil, err
					}
					m.Outputs = append(m.Outputs, bank.Output{To: addr, Amount: c})
				}
				return []tx.Msg{m}, nil
			}, &f)
		},
	}
	f.add(cmd)
	return cmd
}

// keySigner adapts a keyring signer to the SDK.
type keySigner struct{ *keyring.Signer }

func (k keySigner) Address() address.Address { return k.Info().Address }
func (k keySigner) PubKey() []byte           { return k.Info().PubKey }

// withSigner unlocks key FROM, builds the msgs, sends them and prints the outcome.
func withSigner(cmd *cobra.Command, from string, build func(context.Context, *client.Client, client.Signer) ([]tx.Msg, error), f *txFlags) error {
	ctx, cancel := context.WithTimeout(cmd.Context(), f.timeout)
	defer cancel()
	kr, err := openKeyring()
	if err != nil {
		return err
	}
	ks, err := kr.Signer(from)
	if err != nil {
		return err
	}
	s := keySigner{ks}
	c, err := client.Dial(g.node)
	if err != nil {
		return err
	}
	msgs, err := build(ctx, c, s)
	if err != nil {
		return err
	}
	opts := client.BuildOptions{Memo: f.memo, GasLimit: f.gasLimit}
	if f.tip != "" {
		tip, err := c.ParseAmount(ctx, f.tip)
		if err != nil {
			return fmt.Errorf("--tip: %w", err)
		}
		info, err := c.Fees(ctx)
		if err != nil {
			return err
		}
		if tip.Denom != info.Denom {
			return fmt.Errorf("--tip %s: fees and tips are paid in %s", f.tip, info.Denom)
		}
		opts.Tip = tip.Amount
	}
	raw, err := c.Build(ctx, s, msgs, opts)
	if err != nil {
		return err
	}
	hash, err := c.Broadcast(ctx, raw)
	if err != nil {
		return err
	}
	if f.noWait {
		return emit(cmd.OutOrStdout(), map[string]string{"hash": hash}, func(w io.Writer) {
			fmt.Fprintf(w, "tx %s accepted by the mempool\n", hash)
		})
	}
	r, err := c.WaitForTx(ctx, hash)
	if err != nil {
		return err
	}
	units, _ := c.Units(ctx)
	if err := emit(cmd.OutOrStdout(), r, func(w io.Writer) { printResult(w, r, units) }); err != nil {
		return err
	}
	return r.Err()
}

func printResult(w io.Writer, r *client.Result, units []coin.Unit) {
	status := "ok"
	if r.Code != 0 {
		status = "failed"
	}
	fmt.Fprintf(w, "tx       %s\nheight   %d\ncode     %d (%s)\ngas used %d of %d\nfee      %s (burnt %s)\n",
		r.Hash, r.Height, r.Code, status, r.GasUsed, r.GasWanted,
		coin.Format(coin.New("ugrd", r.Fee), units), coin.Format(coin.New("ugrd", r.Burnt), units))
	printDecisions(w, r)
}

// resolveAddress takes a bech32 address or the name of a key in the keyring.
func resolveAddress(s string) (address.Address, error) {
	if strings.HasPrefix(s, "gir1") {
		return address.Parse(s)
	}
	if keyring.ValidateName(s) == nil {
		kr, err := keyring.Open(g.home, g.keyringBackend, nil)
		if err == nil {
			if info, err := kr.Show(s); err == nil {
				return info.Address, nil
			}
		}
	}
	return address.Address{}, fmt.Errorf("%q is neither an address (gir1…) nor a key in the %s keyring at %s", s, g.keyringBackend, g.home)
}
