package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/spf13/cobra"

	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/keyring"
	"github.com/girder-chain/girder/node"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/governance"
)

func init() { register(newDevCmd) }

// DevChainID is the chain id of `girder dev`.
const DevChainID = "girder-dev"

// devKeys are the prefunded demo keys of dev mode, each with devFunds: two investors, the
// validator (consortium admin, public agency and issuer) and the demo project's SPV, contractor
// and independent engineer.
var devKeys = []string{"alice", "bob", "validator", "spv", "contractor", "engineer"}

const devFunds = coin.Amount(1_000_000_000_000) // 1,000,000 GRD

// devHome is $GIRDER_DEV_HOME, else ~/.girder-dev.
func devHome() string {
	if h := os.Getenv("GIRDER_DEV_HOME"); h != "" {
		return h
	}
	if d, err := os.UserHomeDir(); err == nil {
		return filepath.Join(d, ".girder-dev")
	}
	return ".girder-dev"
}

func newDevCmd() *cobra.Command {
	var reset bool
	var rf runFlags
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run a one-validator development chain with prefunded demo keys",
		Long: `Run a one-validator chain on localhost for development and demos. The first run creates
the home (~/.girder-dev, or $GIRDER_DEV_HOME, or --home; never $GIRDER_HOME) with demo keys alice, bob
and validator in an unencrypted test keyring, each funded with 1,000,000 GRD; validator is
also admin, kyc_provider, compliance_officer, asset_issuer and cash_issuer. A new chain gets
demo data, written through ordinary txs: identities for alice (DE) and bob (FR), the cash asset
EURt, the Harbour Bridge security BRIDGE (project harbour-bridge) sold in an offering that alice
and bob subscribe, and a dividend they can claim (girder tx distributions claim alice 1). Data
persists across restarts; --reset deletes it and starts a new chain (it refuses a home that
holds another chain than the dev chain).

Example:
  girder dev
  # in a second terminal:
  export GIRDER_HOME=~/.girder-dev GIRDER_KEYRING_BACKEND=test
  girder tx bank send alice bob 1.5GRD`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home := devHome() // $GIRDER_HOME is for the node and keys of real chains, never dev's
			if cmd.Flags().Changed("home") {
				home = g.home
			}
			out := cmd.OutOrStdout()
			if err := checkDevHome(home); err != nil {
				return err
			}
			if reset {
				if err := os.RemoveAll(home); err != nil {
					return fmt.Errorf("reset %s: %w", home, err)
				}
				fmt.Fprintf(out, "reset: removed %s\n", home)
			}
			kr, err := keyring.Open(home, keyring.BackendTest, nil)
			if err != nil {
				return err
			}
			created, err := ensureDevChain(home, kr)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			logFile, err := os.OpenFile(filepath.Join(home, "node.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
			if err != nil {
				return err
			}
			defer logFile.Close()
			n, err := node.Start(ctx, home, rf.options(node.Options{Log: logFile}))
			if err != nil {
				return err
			}
			if err := ensureDemo(ctx, home, n.RPCURL(), kr, created, out); err != nil {
				n.Stop()
				// %v, not %w: the whole text (the step that failed, the way out) is the message.
				return fmt.Errorf("%v; girder dev --reset starts a new dev chain with the demo data", err)
			}
			infos, err := kr.List()
			if err != nil {
				return err
			}
			word := "resumed"
			if created {
				word = "created"
			}
			fmt.Fprintf(out, "\nGirder dev chain %q %s: one validator, data in %s\n", n.App.ChainID(), word, home)
			fmt.Fprintf(out, "  RPC   %s\n", n.RPCURL())
			if u := n.APIURL(); u != "" {
				fmt.Fprintf(out, "  API   %s/v1   (try: curl %s/v1/status; docs at %s/v1/docs)\n", u, u, u)
				fmt.Fprintf(out, "  Dashboard %s/   (open it in a browser)\n", u)
				if _, err := os.Stat(filepath.Join(home, demoMarker)); err == nil {
					fmt.Fprintf(out, "  demo project %s/#/projects/%s\n", u, demoProject)
				}
			}
			fmt.Fprintf(out, "  logs  %s\n", filepath.Join(home, "node.log"))
			fmt.Fprintln(out, "  keys in the dev keyring (test backend), with their roles at genesis:")
			genesisRoles := devGenesisRoles(home)
			nameWidth := 10
			for _, i := range infos {
				nameWidth = max(nameWidth, len(i.Name))
			}
			for _, i := range infos {
				line := fmt.Sprintf("    %-*s %s", nameWidth, i.Name, i.Address)
				if r := genesisRoles[i.Address.String()]; len(r) > 0 {
					line += "  (" + strings.Join(r, ", ") + ")"
				}
				fmt.Fprintln(out, line)
			}
			fmt.Fprintf(out, "\nIn another terminal:\n  export GIRDER_HOME=%s GIRDER_KEYRING_BACKEND=test\n  girder tx bank send alice bob 1.5GRD\n  girder query balance bob\n  girder query fees\n  girder query projects project harbour-bridge\n  girder query governance proposal 1\n  girder query passes classes harbour-bridge\n(the README's tour and docs/ walk through each)\n\nCtrl-C stops the chain; `girder dev` resumes it.\n\n", home)
			go printBlocks(ctx, n, out)
			return runUntilStopped(ctx, n, out)
		},
	}
	cmd.Flags().BoolVar(&reset, "reset", false, "delete the dev chain's data and start a new chain")
	rf.add(cmd)
	return cmd
}

// checkDevHome refuses a home that is not a dev chain's: one holding another chain, or other
// files, is never run or reset by dev mode.
func checkDevHome(home string) error {
	gen, err := os.ReadFile(filepath.Join(home, "config", "genesis.json"))
	if err == nil {
		var doc struct {
			ChainID string `json:"chain_id"`
		}
		if json.Unmarshal(gen, &doc) != nil || doc.ChainID != DevChainID {
			return fmt.Errorf("%s holds chain %q, not a dev chain (%s): dev mode neither runs nor resets it", home, doc.ChainID, DevChainID)
		}
		return nil
	}
	entries, err := os.ReadDir(home)
	if err != nil {
		return nil // does not exist yet
	}
	for _, e := range entries {
		if e.Name() != "keyring-test" { // a dev home interrupted before its genesis was written
			return fmt.Errorf("%s is not empty and holds no dev chain: dev mode neither runs nor resets it; choose another --home", home)
		}
	}
	return nil
}

// ensureDevChain creates the demo keys and the node home on first use; it reports whether it did.
func ensureDevChain(home string, kr *keyring.Keyring) (bool, error) {
	c := node.DefaultConfig(home, "dev")
	if _, err := os.Stat(c.GenesisFile()); err == nil {
		return false, nil
	}
	var balances []bank.Balance
	var roles []auth.GenesisRole
	for _, name := range devKeys {
		info, err := kr.Show(name)
		if errors.Is(err, keyring.ErrNotFound) {
			info, err = kr.Add(name)
		}
		if err != nil {
			return false, err
		}
		balances = append(balances, bank.Balance{Address: info.Address, Coins: []coin.Coin{coin.New("ugrd", devFunds)}})
		if name == "validator" { // the demo's consortium admin, KYC provider, compliance officer and issuer
			roles = append(roles, auth.GenesisRole{Role: auth.RoleAdmin, Address: info.Address},
				auth.GenesisRole{Role: auth.RoleKYCProvider, Address: info.Address},
				auth.GenesisRole{Role: auth.RoleComplianceOfficer, Address: info.Address},
				auth.GenesisRole{Role: auth.RoleAssetIssuer, Address: info.Address},
				auth.GenesisRole{Role: auth.RoleCashIssuer, Address: info.Address},
				auth.GenesisRole{Role: auth.RolePublicAgency, Address: info.Address})
		}
	}
	_, err := node.Init(node.InitOptions{Home: home, ChainID: DevChainID, Moniker: "dev", Balances: balances, Roles: roles,
		Configure:    func(c *cmtcfg.Config) { c.P2P.ListenAddress = "tcp://127.0.0.1:26656" },
		EditAppState: devGovernance})
	return err == nil, err
}

// devGovernance gives the dev chain governance periods a person can watch: every DAO votes for
// 60 s (quorum 20 %, a late quorum extends by 20 s) and waits 30 s of timelock, with a deposit of
// 10 GRD; chain proposals vote for 60 s and wait 10 s. docs/governance.md's walk-through uses them.
// The rest (thresholds, quorums, the chain's member cap) are the chain's defaults.
func devGovernance(state map[string]json.RawMessage) error {
	g := governance.DefaultGenesis() // DefaultDAOParams and DefaultChainParams
	d := &g.DAODefaults
	d.Deposit = coin.New(governance.NativeDenom, 10_000_000)
	d.VotingPeriod, d.LateQuorumExtension, d.Timelock = 60, 20, 30
	g.ChainParams.VotingPeriod, g.ChainParams.Timelock = 60, 10
	b, err := json.Marshal(g)
	if err != nil {
		return err
	}
	state[governance.ModuleName] = b
	return nil
}

// demoMarker is the file in the dev home that says the demo data was written.
const demoMarker = "demo-data-written"

// ensureDemo writes the demo data on a dev chain created by this run. A chain created earlier
// without it (by an older girder, or a first run stopped while writing it) runs as it is: the
// demo's txs would collide with what is there.
func ensureDemo(ctx context.Context, home, rpc string, kr *keyring.Keyring, created bool, out io.Writer) error {
	marker := filepath.Join(home, demoMarker)
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	if !created {
		fmt.Fprintln(out, "This dev chain has no complete demo data (it was created by an older girder, or its first run was stopped while writing it); girder dev --reset starts a new chain with it.")
		return nil
	}
	c, err := client.Dial(rpc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for { // the genesis state is queryable once the first block is committed
		if h, err := c.AppHeight(ctx); err == nil && h >= 1 {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("demo data: the dev chain committed no block: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	if err := seedDemo(ctx, c, kr, out); err != nil {
		return err
	}
	return os.WriteFile(marker, []byte("the demo data of girder dev was written to this chain\n"), 0o600)
}

// devGenesisRoles lists the roles each address holds in the dev chain's genesis (roles granted
// later are not in it: girder query roles shows those).
func devGenesisRoles(home string) map[string][]string {
	var doc struct {
		AppState struct {
			Auth struct {
				Roles []auth.GenesisRole `json:"roles"`
			} `json:"auth"`
		} `json:"app_state"`
	}
	out := map[string][]string{}
	b, err := os.ReadFile(filepath.Join(home, "config", "genesis.json"))
	if err != nil || json.Unmarshal(b, &doc) != nil {
		return out
	}
	for _, r := range doc.AppState.Auth.Roles {
		out[r.Address.String()] = append(out[r.Address.String()], r.Role)
	}
	return out
}
