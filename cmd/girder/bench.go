package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/girder-chain/girder/bench"
)

func init() { register(newBenchCmd) }

// benchFlags are girder bench's flags.
type benchFlags struct {
	scenario   string
	validators int
	rates      string
	duration   time.Duration
	tail       time.Duration
	accounts   int
	baseline   string
	nodes      []string
	from       string
	conns      int
	jsonFile   string
	profile    string
	dir        string
	seed       string
}

func newBenchCmd() *cobra.Command {
	var f benchFlags
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure throughput and submit→commit latency under load, against CometBFT's kvstore in the same run",
		Long: `Load a Girder network with pre-signed txs at increasing offered rates and report, per rate:
committed tx/s, p50/p95/p99 submit→commit latency, block interval, txs per block, and the txs
rejected (CheckTx), dropped (broadcast failed, or never committed) and unsent (the client could
not hand them to the node in time). Then the same steps run against CometBFT's kvstore example
application on the same node configuration, and the Girder/kvstore ratios are reported: a
ceiling measured in the same run, so the figures hold on a noisy machine.

By default the harness starts its own network in a temporary directory: --validators validators
in this process (each a full CometBFT node on loopback ports, node defaults of girder init), and
sets the scenario up through ordinary txs: --accounts accounts funded by an issuer; for security
and claim, a cash asset and a security token with five compliance rules (claims, jurisdictions,
maximum balance, large-transfer flag, velocity), a verified identity and 1,000 BSEC of the
security per account; for claim, a checkpoint and, before each step, enough dividend deposits
for every tx to be a claim that pays.

Each step's txs are signed before the step starts (on every core), so signing never limits the
client. They are submitted by a token bucket (5 ms ticks) over --conns HTTP connections with
broadcast_tx_sync, each account's txs in nonce order over one connection; commits are followed
over the websocket (NewBlockHeader events, then /block for the tx hashes). Latency runs from the
start of a tx's broadcast to the arrival of its block's event. After --duration the harness waits
up to --tail for the admitted txs to commit. A step is saturated when committed < 0.9 × offered
or p99 > 2 s; in auto mode the rates double from 500 tx/s until a step saturates, then the
kvstore baseline runs the same rates and keeps doubling until it saturates too.

Scenarios:
  transfer   native ugrd sends, account i to account i+1 (default)
  security   sends of a security token, every transfer checked by five compliance rules
  claim      dividend claims (distributions), each paying the claimant's entitlement

Output: a progress line per phase and per step, then tables (and --json FILE). docs/performance.md
has the method and the figures of this machine class.

Examples:
  girder bench                                        # transfer, 1 validator, auto rates, kvstore baseline (~2 min)
  girder bench --validators 4
  girder bench --scenario security --rates 1000,2000,4000 --baseline none
  girder bench --profile /tmp/prof --json /tmp/bench.json
  girder bench --node tcp://10.0.0.5:26657 --from alice --baseline none --rates 500,1000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := bench.Config{Scenario: f.scenario, Validators: f.validators, Duration: f.duration, Tail: f.tail,
				Accounts: f.accounts, Baseline: f.baseline, Conns: f.conns, ProfileDir: f.profile, Dir: f.dir, Seed: f.seed,
				Progress: cmd.ErrOrStderr()}
			rates, err := parseBenchRates(f.rates)
			if err != nil {
				return err
			}
			cfg.Rates = rates
			if len(f.nodes) > 0 {
				cfg.Nodes = f.nodes
				if !cmd.Flags().Changed("baseline") {
					cfg.Baseline = "none"
				}
				if f.from == "" {
					return errors.New("--node needs --from KEY: the key that funds the bench accounts (and, for security and claim, holds the roles admin, kyc_provider, compliance_officer, asset_issuer and cash_issuer)")
				}
				kr, err := openKeyring()
				if err != nil {
					return err
				}
				s, err := kr.Signer(f.from)
				if err != nil {
					return err
				}
				cfg.Funder = keySigner{s}
			} else if f.from != "" {
				return errors.New("--from is for --node: the harness's own network funds its accounts itself")
			}
			if f.dir != "" {
				if err := os.MkdirAll(f.dir, 0o700); err != nil {
					return err
				}
				if entries, _ := os.ReadDir(f.dir); len(entries) > 0 {
					return fmt.Errorf("--dir %s is not empty", f.dir)
				}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			rep, err := bench.Run(ctx, cfg)
			if rep != nil {
				if e := emit(cmd.OutOrStdout(), rep, rep.WriteTable); e != nil && err == nil {
					err = e
				}
				if f.jsonFile != "" {
					var js bytes.Buffer
					e := rep.WriteJSON(&js)
					if e == nil {
						e = writeFileAtomic(f.jsonFile, js.Bytes())
					}
					if e != nil && err == nil {
						err = fmt.Errorf("--json: %w", e)
					}
				}
			}
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.scenario, "scenario", bench.ScenarioTransfer, "what the txs do: transfer (native sends), security (compliance-checked security-token sends) or claim (dividend claims)")
	fl.IntVar(&f.validators, "validators", 1, "validators of the network the harness starts (in this process, on loopback)")
	fl.StringVar(&f.rates, "rates", "auto", "offered rates in tx/s, comma-separated (e.g. 2000,5000,10000,20000), or auto: double from 500 until a step saturates")
	fl.DurationVar(&f.duration, "duration", 10*time.Second, "how long each rate step submits")
	fl.DurationVar(&f.tail, "tail", 5*time.Second, "after a step, how long to wait for its admitted txs to commit before counting them dropped")
	fl.IntVar(&f.accounts, "accounts", 2000, "sending accounts (deterministic keys from --seed); each sends its share of a step's txs with consecutive nonces")
	fl.StringVar(&f.baseline, "baseline", "kvstore", "baseline run on the same node configuration: kvstore (CometBFT's example app, on goleveldb) or none; none by default with --node")
	fl.StringSliceVar(&f.nodes, "node", nil, "target these running nodes' RPC addresses (comma-separated) instead of starting a network; needs --from")
	fl.StringVar(&f.from, "from", "", "with --node: the keyring key that funds the accounts (and issues the security, for security and claim)")
	fl.IntVar(&f.conns, "conns", 16, "HTTP RPC connections txs are broadcast over (spread over the nodes)")
	fl.StringVar(&f.jsonFile, "json", "", "also write the report as JSON to this file (--output json prints it instead of the tables)")
	fl.StringVar(&f.profile, "profile", "", "write a CPU and a heap pprof of the whole process for every Girder step to this directory (girder-cpu-RATE.pprof, girder-heap-RATE.pprof)")
	fl.StringVar(&f.dir, "dir", "", "keep the networks' homes and node logs in this empty directory (default: a temporary directory, removed)")
	fl.StringVar(&f.seed, "seed", "girder-bench", "seed of the accounts' keys")
	return cmd
}

// parseBenchRates reads "auto" (nil) or a comma-separated list of positive tx/s.
func parseBenchRates(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "auto" {
		return nil, nil
	}
	var out []int
	for _, p := range strings.Split(s, ",") {
		r, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || r <= 0 {
			return nil, fmt.Errorf("--rates: %q is not a positive number of tx/s (or use auto)", p)
		}
		out = append(out, r)
	}
	return out, nil
}
