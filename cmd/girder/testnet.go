package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/keyring"
	"github.com/girder-chain/girder/node"
	"github.com/girder-chain/girder/x/bank"
)

func init() { register(newTestnetCmd) }

// testnetKeys are the prefunded demo keys of a testnet, kept in a test keyring in its directory.
var testnetKeys = []string{"alice", "bob", "carol"}

func newTestnetCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "testnet",
		Short: "Create and run a local network of validators and full nodes",
		Long: `A local network on loopback: every node is its own OS process with its own home, keys
and logs, all peers of each other. For trying consensus and faults on one machine.

Example:
  girder testnet init --validators 4 --dir /tmp/net
  girder testnet start --dir /tmp/net
  girder testnet status --dir /tmp/net     # in another terminal`,
	}
	cmd.AddCommand(newTestnetInitCmd(), newTestnetStartCmd(), newTestnetStatusCmd())
	return cmd
}

func newTestnetInitCmd() *cobra.Command {
	var dir, chainID string
	var vals, full, basePort int
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write the homes, keys and shared genesis of a local testnet",
		Long: `Write DIR/node0 … DIR/nodeN-1: validators of equal power, then full nodes, one genesis,
ports BASE+10·i (p2p), BASE+10·i+1 (RPC) and BASE+10·i+2 (REST API) on 127.0.0.1, every node a persistent peer of
every other. Demo keys alice, bob and carol are created in a test keyring in DIR, each
funded with 1,000,000 GRD.

Example:
  girder testnet init --validators 4 --full-nodes 1 --dir /tmp/net`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				return errors.New("--dir is required")
			}
			kr, err := keyring.Open(dir, keyring.BackendTest, nil)
			if err != nil {
				return err
			}
			var balances []bank.Balance
			for _, name := range testnetKeys {
				info, err := kr.Show(name)
				if errors.Is(err, keyring.ErrNotFound) {
					info, err = kr.Add(name)
				}
				if err != nil {
					return err
				}
				balances = append(balances, bank.Balance{Address: info.Address, Coins: []coin.Coin{coin.New("ugrd", devFunds)}})
			}
			net, err := node.InitTestnet(node.TestnetOptions{Dir: dir, ChainID: chainID, Validators: vals, FullNodes: full, BasePort: basePort, Balances: balances})
			if err != nil {
				return err
			}
			return emit(cmd.OutOrStdout(), net, func(w io.Writer) {
				fmt.Fprintf(w, "testnet %s: %d validators, %d full nodes in %s\n", net.ChainID, vals, full, dir)
				for _, n := range net.Nodes {
					fmt.Fprintf(w, "  %-7s %-10s p2p %s  rpc %s  api %s\n", n.Name, role(n), n.P2P, n.RPC, n.API)
				}
				fmt.Fprintf(w, "start it with: girder testnet start --dir %s\n", dir)
			})
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory of the testnet (required)")
	cmd.Flags().StringVar(&chainID, "chain-id", "girder-testnet", "chain id")
	cmd.Flags().IntVar(&vals, "validators", 4, "number of validators")
	cmd.Flags().IntVar(&full, "full-nodes", 0, "number of full nodes (not validating)")
	cmd.Flags().IntVar(&basePort, "base-port", 26600, "first port: node i uses BASE+10·i (p2p), BASE+10·i+1 (RPC) and BASE+10·i+2 (API)")
	return cmd
}

func role(n node.TestnetNode) string {
	if n.Validator {
		return "validator"
	}
	return "full node"
}

func newTestnetStartCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Run every node of a local testnet, each as its own process, until interrupted",
		Long: `Start every node of the testnet in DIR as a separate 'girder start' process (logs in
DIR/nodeI/node.log), print a line per node once it answers and has committed a block, and
keep running until
SIGINT or SIGTERM, which stops every node cleanly.

Example:
  girder testnet start --dir /tmp/net`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			net, err := node.LoadTestnet(dir)
			if err != nil {
				return err
			}
			if err := net.PortsFree(); err != nil {
				return err
			}
			self, err := os.Executable()
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			out := cmd.OutOrStdout()
			procs := make([]*child, len(net.Nodes))
			exited := make(chan string, len(net.Nodes))
			var wg sync.WaitGroup
			for i, n := range net.Nodes {
				logf, err := os.OpenFile(filepath.Join(n.Home, "node.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
				if err != nil {
					return err
				}
				defer logf.Close()
				args := []string{"start", "--home", n.Home, "--api.off"}
				if n.API != "" {
					args = []string{"start", "--home", n.Home, "--api.address", n.API}
				}
				p := exec.Command(self, args...)
				p.Stdout, p.Stderr = logf, logf
				p.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
				if err := p.Start(); err != nil {
					stopAll(procs)
					return fmt.Errorf("start %s: %w", n.Name, err)
				}
				c := &child{cmd: p, done: make(chan struct{})}
				procs[i] = c
				wg.Add(1)
				go func(name string, c *child) {
					defer wg.Done()
					err := c.cmd.Wait()
					close(c.done)
					exited <- fmt.Sprintf("%s exited (%v)", name, err)
				}(n.Name, c)
			}
			for _, n := range net.Nodes {
				h, err := waitReady(ctx, n)
				if err != nil {
					fmt.Fprintf(out, "%-7s %-10s NOT READY: %v (see %s)\n", n.Name, role(n), err, filepath.Join(n.Home, "node.log"))
					continue
				}
				apiURL := "off"
				if n.API != "" {
					apiURL = "http://" + n.API + "/v1"
				}
				fmt.Fprintf(out, "%-7s %-10s ready  rpc http://%s  api %s  height %d  log %s\n", n.Name, role(n), n.RPC, apiURL, h, filepath.Join(n.Home, "node.log"))
			}
			fmt.Fprintf(out, "\ntestnet %s running; Ctrl-C stops every node.\nUse it: export GIRDER_HOME=%s GIRDER_KEYRING_BACKEND=test GIRDER_NODE=tcp://%s\n", net.ChainID, dir, net.Nodes[0].RPC)
			for running := len(net.Nodes); running > 0; {
				select {
				case <-ctx.Done():
					fmt.Fprintln(out, "stopping every node…")
					stopAll(procs)
					wg.Wait()
					return nil
				case msg := <-exited:
					running--
					fmt.Fprintln(out, msg)
				}
			}
			return errors.New("every node exited")
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory of the testnet (required)")
	_ = cmd.MarkFlagRequired("dir")
	return cmd
}

// child is a node process and the channel closed when it has exited.
type child struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// stopAll asks every node to stop, and kills those still running after 20 s.
func stopAll(procs []*child) {
	for _, c := range procs {
		if c != nil {
			_ = c.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	expired := false
	for _, c := range procs {
		if c == nil {
			continue
		}
		if !expired {
			select {
			case <-c.done:
				continue
			case <-deadline.C:
				expired = true
			}
		}
		_ = c.cmd.Process.Kill() // still running after the deadline
		<-c.done
	}
}

func waitReady(ctx context.Context, n node.TestnetNode) (int64, error) {
	c, err := client.Dial("tcp://" + n.RPC)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		s, err := c.Status(ctx)
		if err == nil && s.Height > 0 && !s.CatchingUp {
			return s.Height, nil // answering, and on the chain
		}
		if err == nil {
			err = fmt.Errorf("at height %d, catching up %v", s.Height, s.CatchingUp)
		}
		select {
		case <-ctx.Done():
			return 0, err
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// NodeStatus is one line of `testnet status`.
type NodeStatus struct {
	Name       string `json:"name"`
	Validator  bool   `json:"validator"`
	Height     int64  `json:"height"`
	AppHash    string `json:"app_hash"`
	Peers      int    `json:"peers"`
	CatchingUp bool   `json:"catching_up"`
	Error      string `json:"error,omitempty"`
}

func newTestnetStatusCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show each node's height, app hash, peers and role",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			net, err := node.LoadTestnet(dir)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 10*time.Second)
			defer cancel()
			var rows []NodeStatus
			for _, n := range net.Nodes {
				r := NodeStatus{Name: n.Name}
				c, err := client.Dial("tcp://" + n.RPC)
				if err == nil {
					var s *client.Status
					if s, err = c.Status(ctx); err == nil {
						r.Validator, r.Height, r.AppHash, r.CatchingUp = s.Validator, s.Height, s.LatestAppHash, s.CatchingUp
						r.Peers, err = c.Peers(ctx)
					}
				}
				if err != nil {
					r.Error = "down: " + err.Error()
				}
				rows = append(rows, r)
			}
			return emit(cmd.OutOrStdout(), rows, func(w io.Writer) {
				fmt.Fprintf(w, "%-7s %-10s %8s  %-16s %5s  %s\n", "node", "role", "height", "app hash", "peers", "state")
				for _, r := range rows {
					if r.Error != "" {
						fmt.Fprintf(w, "%-7s %-10s %8s  %-16s %5s  down\n", r.Name, "", "-", "-", "-")
						continue
					}
					state := "in sync"
					if r.CatchingUp {
						state = "catching up"
					}
					rl := "full node"
					if r.Validator {
						rl = "validator"
					}
					fmt.Fprintf(w, "%-7s %-10s %8d  %-16.16s %5d  %s\n", r.Name, rl, r.Height, r.AppHash, r.Peers, state)
				}
			})
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory of the testnet (required)")
	_ = cmd.MarkFlagRequired("dir")
	return cmd
}
