// Package node runs a Girder node: CometBFT in-process with the Girder app over a local ABCI
// client, its configuration, genesis creation (init), dev mode, and state export.
package node

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/spf13/viper"

	"github.com/girder-chain/girder/app"
)

// Tuned defaults for sub-second blocks on a LAN (see docs/performance.md for the measurements):
// a validator moves on as soon as it has the precommits it needs plus a short commit pause that
// lets the mempool fill the next block, and peers gossip every 10 ms instead of 100 ms.
const (
	DefaultTimeoutCommit  = 200 * time.Millisecond
	DefaultTimeoutPropose = 1000 * time.Millisecond
	DefaultTimeoutVote    = 500 * time.Millisecond
	DefaultGossipSleep    = 10 * time.Millisecond
	DefaultMempoolSize    = 50_000
)

// State-sync snapshots (Girder's settings, not CometBFT's: see Options). A node writes a
// snapshot of its state every DefaultSnapshotInterval blocks under <home>/data/snapshots and
// keeps the DefaultSnapshotKeepRecent most recent, which new nodes restore instead of replaying
// every block (statesync.enable in config.toml).
const (
	DefaultSnapshotInterval   uint64 = 100
	DefaultSnapshotKeepRecent int    = 2
)

// SnapshotDir is where a node keeps its state-sync snapshots inside a home.
func SnapshotDir(home string) string { return filepath.Join(home, "data", "snapshots") }

// DefaultConfig is the CometBFT configuration Girder writes at init.
func DefaultConfig(home, moniker string) *cmtcfg.Config {
	c := cmtcfg.DefaultConfig()
	c.SetRoot(home)
	c.Moniker = moniker
	c.LogLevel = "error"
	c.DBBackend = "goleveldb" // the engine of the app's state too: one embedded database kind
	c.Consensus.TimeoutCommit = DefaultTimeoutCommit
	c.Consensus.TimeoutPropose = DefaultTimeoutPropose
	c.Consensus.TimeoutProposeDelta = 200 * time.Millisecond
	c.Consensus.TimeoutPrevote = DefaultTimeoutVote
	c.Consensus.TimeoutPrevoteDelta = 200 * time.Millisecond
	c.Consensus.TimeoutPrecommit = DefaultTimeoutVote
	c.Consensus.TimeoutPrecommitDelta = 200 * time.Millisecond
	c.Consensus.PeerGossipSleepDuration = DefaultGossipSleep
	c.Consensus.PeerQueryMaj23SleepDuration = 500 * time.Millisecond
	c.Mempool.Size = DefaultMempoolSize
	c.Mempool.MaxTxBytes = app.MaxTxBytes
	c.Mempool.MaxTxsBytes = 256 << 20
	c.Mempool.CacheSize = 100_000
	c.Mempool.Recheck = true // nonces: txs left after a block are re-admitted in order (signatures stay cached)
	c.RPC.ListenAddress = "tcp://127.0.0.1:26657"
	c.RPC.MaxBodyBytes = 4 << 20
	c.P2P.ListenAddress = "tcp://0.0.0.0:26656"
	c.P2P.AllowDuplicateIP = true
	c.TxIndex.Indexer = "kv"
	c.Instrumentation.Prometheus = false
	return c
}

// LoadConfig reads <home>/config/config.toml.
func LoadConfig(home string) (*cmtcfg.Config, error) {
	path := filepath.Join(home, "config", "config.toml")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no node configuration at %s (run `girder init` first): %w", path, err)
	}
	v := viper.New()
	v.SetConfigFile(path)
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	c := cmtcfg.DefaultConfig()
	if err := v.Unmarshal(c); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	c.SetRoot(home)
	if err := c.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("invalid %s: %w", path, err)
	}
	return c, nil
}

// WriteConfig writes c to <home>/config/config.toml.
func WriteConfig(c *cmtcfg.Config) {
	cmtcfg.WriteConfigFile(filepath.Join(c.RootDir, "config", "config.toml"), c)
}
