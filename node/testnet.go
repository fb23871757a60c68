package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/bank"
)

// ManifestFile names the file describing a local testnet inside its directory.
const ManifestFile = "testnet.json"

// TestnetNode is one node of a local testnet.
type TestnetNode struct {
	Name      string `json:"name"`
	Home      string `json:"home"`
	ID        string `json:"node_id"`
	P2P       string `json:"p2p"` // host:port it listens on
	RPC       string `json:"rpc"` // host:port of its RPC
	API       string `json:"api"` // host:port of its REST API
	Validator bool   `json:"validator"`
}

// Testnet is a local network of nodes on loopback, one home per node under Dir.
type Testnet struct {
	Dir     string        `json:"dir"`
	ChainID string        `json:"chain_id"`
	Nodes   []TestnetNode `json:"nodes"`
}

// TestnetOptions say what InitTestnet writes.
type TestnetOptions struct {
	Dir        string
	ChainID    string
	Validators int
	FullNodes  int
	// BasePort: node i listens for p2p on BasePort+10·i, RPC on BasePort+10·i+1 and serves the
	// REST API on BasePort+10·i+2.
	BasePort int
	// Ports, when set, overrides BasePort (tests pick free ports).
	Ports func(i int) (p2pAddr, rpcAddr string)
	// Peer, when set, gives the address node i dials to reach node j (tests put proxies there).
	Peer     func(i, j int) string
	Balances []bank.Balance
}

// InitTestnet writes a network of Validators validators of equal power and FullNodes full nodes
// sharing one genesis, each with its home under Dir, listening on loopback with distinct ports,
// every node a persistent peer of every other.
func InitTestnet(o TestnetOptions) (*Testnet, error) {
	if o.Validators < 1 {
		return nil, errors.New("a testnet needs at least one validator")
	}
	if o.Validators+o.FullNodes > 100 {
		return nil, errors.New("at most 100 nodes")
	}
	if err := tx.ValidateChainID(o.ChainID); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(o.Dir, ManifestFile)); err == nil {
		return nil, fmt.Errorf("%w: %s already holds a testnet", ErrInitialized, o.Dir)
	}
	if o.BasePort == 0 {
		o.BasePort = 26600
	}
	ports := o.Ports
	if ports == nil {
		ports = func(i int) (string, string) {
			p := o.BasePort + 10*i
			return "127.0.0.1:" + strconv.Itoa(p), "127.0.0.1:" + strconv.Itoa(p+1)
		}
	}
	n := o.Validators + o.FullNodes
	net := &Testnet{Dir: o.Dir, ChainID: o.ChainID}
	cfgs := make([]*cmtcfg.Config, n)
	var vals []cmttypes.GenesisValidator
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("node%d", i)
		home := filepath.Join(o.Dir, name)
		c := DefaultConfig(home, name)
		p2pAddr, rpcAddr := ports(i)
		c.P2P.ListenAddress, c.RPC.ListenAddress = "tcp://"+p2pAddr, "tcp://"+rpcAddr
		c.P2P.PexReactor = false // the peers are listed; nothing to discover on a local net
		c.P2P.AddrBookStrict = false
		c.P2P.PersistentPeersMaxDialPeriod = time.Second
		for _, d := range []string{filepath.Join(home, "config"), filepath.Join(home, "data")} {
			if err := os.MkdirAll(d, 0o700); err != nil {
				return nil, err
			}
		}
		nk, err := p2p.LoadOrGenNodeKey(c.NodeKeyFile())
		if err != nil {
			return nil, fmt.Errorf("%s node key: %w", name, err)
		}
		pv, err := privval.LoadOrGenFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile(), func() (crypto.PrivKey, error) {
			return ed25519.GenPrivKey(), nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s validator key: %w", name, err)
		}
		isVal := i < o.Validators
		if isVal {
			pub, err := pv.GetPubKey()
			if err != nil {
				return nil, err
			}
			vals = append(vals, cmttypes.GenesisValidator{Address: pub.Address(), PubKey: pub, Power: 10, Name: name})
		}
		cfgs[i] = c
		apiAddr := ""
		if o.Ports == nil {
			apiAddr = "127.0.0.1:" + strconv.Itoa(o.BasePort+10*i+2)
		}
		net.Nodes = append(net.Nodes, TestnetNode{Name: name, Home: home, ID: string(nk.ID()), P2P: p2pAddr, RPC: rpcAddr, API: apiAddr, Validator: isVal})
	}
	state, err := AppGenesis(o.Balances)
	if err != nil {
		return nil, err
	}
	gen := &cmttypes.GenesisDoc{ChainID: o.ChainID, GenesisTime: time.Now().UTC(), InitialHeight: 1,
		ConsensusParams: ConsensusParams(), Validators: vals, AppState: state}
	if err := gen.ValidateAndComplete(); err != nil {
		return nil, err
	}
	for i, c := range cfgs {
		var peers []string
		for j, p := range net.Nodes {
			if j == i {
				continue
			}
			addr := p.P2P
			if o.Peer != nil {
				addr = o.Peer(i, j)
			}
			peers = append(peers, p.ID+"@"+addr)
		}
		c.P2P.PersistentPeers = strings.Join(peers, ",")
		WriteConfig(c)
		if err := gen.SaveAs(c.GenesisFile()); err != nil {
			return nil, err
		}
	}
	b, err := json.MarshalIndent(net, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(o.Dir, ManifestFile), b, 0o644); err != nil {
		return nil, err
	}
	return net, nil
}

// LoadTestnet reads the manifest of the testnet in dir.
func LoadTestnet(dir string) (*Testnet, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("no testnet in %s (run `girder testnet init` first): %w", dir, err)
	}
	var t Testnet
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestFile), err)
	}
	return &t, nil
}

// PortsFree reports the first address of the testnet's nodes that something else listens on.
func (t *Testnet) PortsFree() error {
	for _, n := range t.Nodes {
		for _, a := range []string{n.P2P, n.RPC, n.API} {
			if a == "" {
				continue
			}
			l, err := net.Listen("tcp", a)
			if err != nil {
				return fmt.Errorf("%s: address %s is in use (another testnet or node running?)", n.Name, a)
			}
			l.Close()
		}
	}
	return nil
}
