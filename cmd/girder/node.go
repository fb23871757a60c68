package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/api"
	"github.com/girder-chain/girder/app"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/node"
	"github.com/girder-chain/girder/x/bank"
)

func init() {
	register(newInitCmd)
	register(newStartCmd)
	register(newExportCmd)
	register(newVersionCmd)
}

func newInitCmd() *cobra.Command {
	var chainID, moniker, genesisFile, peers string
	var fund, admins []string
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a node home: configuration, node and validator keys, genesis",
		Long: `Create a node home: CometBFT configuration tuned for sub-second blocks, a node key, a
validator key, and a genesis in which this node is the only validator. --fund credits
genesis balances of the native token (repeatable). --admin names the consortium admins, who
grant and revoke roles (repeatable; default: the first --fund address).

To join an existing chain instead, give its genesis and peers: the node block-syncs from
them (and can state-sync, see docs/operations.md). It is a full node unless the genesis
lists its validator key.

Examples:
  girder init --home ./node1 --chain-id girder-1 --moniker agency \
    --fund gir1...=1000000GRD
  girder init --home ./node5 --moniker auditor --genesis genesis.json \
    --peers 0f3c…@10.0.0.1:26656,81aa…@10.0.0.2:26656`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var balances []bank.Balance
			for _, f := range fund {
				b, err := parseFund(f)
				if err != nil {
					return err
				}
				balances = append(balances, b)
			}
			opts := node.InitOptions{Home: g.home, ChainID: chainID, Moniker: moniker, Balances: balances, Peers: peers}
			for _, s := range admins {
				a, err := resolveAddress(s)
				if err != nil {
					return fmt.Errorf("--admin: %w", err)
				}
				opts.Admins = append(opts.Admins, a)
			}
			if genesisFile != "" {
				if chainID != "" || len(fund) > 0 || len(admins) > 0 {
					return fmt.Errorf("--genesis joins an existing chain: --chain-id, --fund and --admin come from that genesis")
				}
				gen, err := cmttypes.GenesisDocFromFile(genesisFile)
				if err != nil {
					return fmt.Errorf("--genesis: %w", err)
				}
				opts.Genesis = gen
			} else if chainID == "" {
				return fmt.Errorf("--chain-id is required to start a new chain (or give --genesis to join one)")
			}
			if err := validatePeers(peers); err != nil {
				return err
			}
			gen, err := node.Init(opts)
			if err != nil {
				return err
			}
			return emit(cmd.OutOrStdout(), map[string]any{"home": g.home, "chain_id": gen.ChainID, "validators": len(gen.Validators)},
				func(w io.Writer) {
					fmt.Fprintf(w, "initialized %s for chain %s (validators in genesis: %d)\nstart it with: girder start --home %s\n", g.home, gen.ChainID, len(gen.Validators), g.home)
				})
		},
	}
	cmd.Flags().StringVar(&chainID, "chain-id", "", "chain id of a new chain: lower-case letters, digits, '.', '_', '-'")
	cmd.Flags().StringVar(&genesisFile, "genesis", "", "join the chain of this genesis file instead of starting a new one")
	cmd.Flags().StringVar(&peers, "peers", "", "persistent peers, NODE_ID@HOST:PORT,… ('girder status' on a peer shows its node id)")
	cmd.Flags().StringVar(&moniker, "moniker", "", "this node's name (required)")
	cmd.Flags().StringArrayVar(&fund, "fund", nil, "genesis balance ADDRESS=AMOUNT, e.g. gir1...=1000GRD (repeatable)")
	cmd.Flags().StringArrayVar(&admins, "admin", nil, "consortium admin of a new chain, an address or key name (repeatable; default: the first --fund address)")
	_ = cmd.MarkFlagRequired("moniker")
	return cmd
}

// validatePeers checks a NODE_ID@HOST:PORT,… list.
func validatePeers(s string) error {
	if s == "" {
		return nil
	}
	for _, p := range strings.Split(s, ",") {
		id, hostport, ok := strings.Cut(strings.TrimSpace(p), "@")
		if _, err := hex.DecodeString(id); !ok || len(id) != 40 || err != nil {
			return fmt.Errorf("--peers %q: want NODE_ID@HOST:PORT with a 40-hex-digit node id", p)
		}
		if _, _, err := net.SplitHostPort(hostport); err != nil {
			return fmt.Errorf("--peers %q: %w", p, err)
		}
	}
	return nil
}

func parseFund(s string) (bank.Balance, error) {
	addr, amt, ok := strings.Cut(s, "=")
	if !ok {
		return bank.Balance{}, fmt.Errorf("--fund %q: want ADDRESS=AMOUNT", s)
	}
	a, err := address.Parse(addr)
	if err != nil {
		return bank.Balance{}, fmt.Errorf("--fund %q: %w", s, err)
	}
	c, err := coin.Parse(amt, []coin.Unit{node.NativeUnit})
	if err != nil {
		return bank.Balance{}, fmt.Errorf("--fund %q: %w", s, err)
	}
	if c.Denom != node.NativeUnit.Base {
		return bank.Balance{}, fmt.Errorf("--fund %q: only the native token (%s or %s) exists at genesis", s, node.NativeUnit.Display, node.NativeUnit.Base)
	}
	return bank.Balance{Address: a, Coins: []coin.Coin{c}}, nil
}

// runFlags are the flags of the commands that run a node (start, dev).
type runFlags struct {
	apiAddr      string
	apiOff       bool
	apiReadOnly  bool
	apiCORS      []string
	snapInterval uint64
	snapKeep     int
	noSnapshots  bool
	rpcAddr      string
	p2pAddr      string
}

func (f *runFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.apiAddr, "api.address", api.DefaultAddr, "host:port of the REST API (/v1)")
	cmd.Flags().BoolVar(&f.apiOff, "api.off", false, "do not serve the REST API")
	cmd.Flags().BoolVar(&f.apiReadOnly, "api.read-only", false, "serve reads only: refuse to broadcast txs (a regulator's node)")
	cmd.Flags().StringSliceVar(&f.apiCORS, "api.cors", nil, "origins browsers may call the API from (comma-separated; default none)")
	cmd.Flags().Uint64Var(&f.snapInterval, "snapshot-interval", node.DefaultSnapshotInterval, "take a state-sync snapshot every this many blocks")
	cmd.Flags().IntVar(&f.snapKeep, "snapshot-keep", node.DefaultSnapshotKeepRecent, "how many snapshots to keep")
	cmd.Flags().BoolVar(&f.noSnapshots, "no-snapshots", false, "take no state-sync snapshots")
	cmd.Flags().StringVar(&f.rpcAddr, "rpc.address", "", "host:port (or tcp://host:port, unix://path) of CometBFT's RPC, for this run (default: the node's config.toml)")
	cmd.Flags().StringVar(&f.p2pAddr, "p2p.address", "", "host:port (or tcp://host:port) of the p2p listener, for this run (default: the node's config.toml)")
}

func (f *runFlags) options(o node.Options) node.Options {
	if !f.apiOff {
		o.API = &api.Config{Addr: f.apiAddr, ReadOnly: f.apiReadOnly, CORSOrigins: f.apiCORS}
	}
	o.SnapshotInterval, o.SnapshotKeepRecent, o.NoSnapshots = f.snapInterval, f.snapKeep, f.noSnapshots
	if f.rpcAddr != "" || f.p2pAddr != "" {
		prev := o.Configure
		o.Configure = func(c *cmtcfg.Config) {
			if prev != nil {
				prev(c)
			}
			if f.rpcAddr != "" {
				c.RPC.ListenAddress = listenAddr(f.rpcAddr)
			}
			if f.p2pAddr != "" {
				c.P2P.ListenAddress = listenAddr(f.p2pAddr)
			}
		}
	}
	return o
}

// listenAddr is a listen address as CometBFT's config takes it: host:port gets tcp://, an address
// with a scheme (tcp://…, unix://…) stays as typed.
func listenAddr(a string) string {
	if strings.Contains(a, "://") {
		return a
	}
	return "tcp://" + a
}

func newStartCmd() *cobra.Command {
	var rf runFlags
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Run a node (validator or full node) until interrupted",
		Long: `Run CometBFT and the Girder app in this process. The node resumes from its last
committed height after a restart. SIGINT or SIGTERM stops it cleanly.

At the height of a software upgrade that chain governance scheduled and this binary does not
know, the node stops and girder start exits with status 1, naming the upgrade and its height:
install the binary that knows it, then start again.

Example:
  girder start --home ./node1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			n, err := node.Start(ctx, g.home, rf.options(node.Options{Log: cmd.ErrOrStderr()}))
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "node %s running: chain %s, RPC %s", n.Config.Moniker, n.ChainID(), n.RPCURL())
			if u := n.APIURL(); u != "" {
				fmt.Fprintf(cmd.OutOrStdout(), ", API %s/v1, Dashboard %s/", u, u)
			}
			fmt.Fprintln(cmd.OutOrStdout())
			go printBlocks(ctx, n, cmd.OutOrStdout())
			return runUntilStopped(ctx, n, cmd.OutOrStdout())
		},
	}
	rf.add(cmd)
	return cmd
}

// runUntilStopped runs n until ctx ends (Ctrl-C: the node stops cleanly) or its app halts at a
// software upgrade chain governance scheduled and this binary does not know: then it stops the
// node and returns n.Halt()'s error, which names the upgrade, its height and what to install (the
// command exits with status 1), with the stop's error if stopping failed too.
func runUntilStopped(ctx context.Context, n *node.Node, out io.Writer) error {
	select {
	case <-ctx.Done():
		fmt.Fprintln(out, "stopping…")
		return n.Stop()
	case <-n.App.Halted():
		halt := n.Halt()
		if err := n.Stop(); err != nil {
			return fmt.Errorf("%w (and stopping the node: %v)", halt, err)
		}
		return halt
	}
}

// printBlocks prints one line per committed block until ctx ends.
func printBlocks(ctx context.Context, n *node.Node, w io.Writer) {
	bs := n.Comet().BlockStore()
	last := bs.Height()
	var lastTime time.Time
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		from := last + 1
		if base := bs.Base(); base > from {
			from = base // a chain started from an export begins above height 1
		}
		for h := from; h > 0 && h <= bs.Height(); h++ {
			b, _ := bs.LoadBlock(h)
			if b == nil {
				break
			}
			gap := ""
			if !lastTime.IsZero() {
				gap = fmt.Sprintf("  +%dms", b.Time.Sub(lastTime).Milliseconds())
			}
			fmt.Fprintf(w, "block %d  %d txs  %s%s\n", h, len(b.Txs), b.Time.Format("15:04:05.000"), gap)
			lastTime, last = b.Time, h
		}
	}
}

func newExportCmd() *cobra.Command {
	var out, chainID string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write a genesis holding the app state at the last committed height",
		Long: `Write a genesis file whose app_state is the node's state at its last committed height
(the node must be stopped). A chain started from it continues with the same accounts,
balances and fee state, at the next height.

Example:
  girder export --home ./node1 --out genesis-export.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			gen, err := node.Export(g.home, chainID)
			if err != nil {
				return err
			}
			b, err := cmtjson.MarshalIndent(gen, "", "  ")
			if err != nil {
				return err
			}
			if out == "" {
				_, err = cmd.OutOrStdout().Write(append(b, '\n'))
				return err
			}
			f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if err != nil {
				return fmt.Errorf("--out: %w (export never overwrites a file)", err)
			}
			if _, err := f.Write(append(b, '\n')); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "exported state of height %d to %s\n", gen.InitialHeight-1, out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "file to write (default: standard output)")
	cmd.Flags().StringVar(&chainID, "chain-id", "", "chain id of the new genesis (default: the same)")
	return cmd
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the software version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return emit(cmd.OutOrStdout(), map[string]any{"version": app.Version, "app_version": app.AppVersion},
				func(w io.Writer) { fmt.Fprintf(w, "girder %s (app protocol %d)\n", app.Version, app.AppVersion) })
		},
	}
}
