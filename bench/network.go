package bench

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	"github.com/cometbft/cometbft/abci/example/kvstore"
	abci "github.com/cometbft/cometbft/abci/types"
	cmtcfg "github.com/cometbft/cometbft/config"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/girder-chain/girder/node"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
)

// ChainID is the chain id of the networks the harness starts.
const ChainID = "girder-bench"

// network is a set of in-process validators on loopback (or nodes the harness was pointed at).
type network struct {
	rpcs    []string     // http://host:port of each node's RPC
	clients []*rpcClient // an RPC client of each node (rpcs[i])
	nodes   []*node.Node
	cfg     *cmtcfg.Config // node 0's configuration (nil for external nodes)
	log     *os.File
	close   []func() error // the kvstore apps' databases
}

// App names the application a network runs.
const (
	AppGirder  = "girder"
	AppKVStore = "kvstore"
)

// startNetwork writes a testnet of n validators under dir (node.InitTestnet: node.DefaultConfig,
// loopback ports, every node a peer of every other) and starts each node in this process with
// node.Start. For AppKVStore the same homes, config and node path run CometBFT's kvstore example
// application instead of Girder's (node.Options.WrapApp hands CometBFT the kvstore app; the Girder app stays idle).
// The genesis funds balances and grants roles.
func startNetwork(ctx context.Context, dir, appName string, n int, balances []bank.Balance, roles []auth.GenesisRole) (*network, error) {
	ports := make([][2]string, n)
	for i := range ports {
		p1, err := freeAddr()
		if err != nil {
			return nil, err
		}
		p2, err := freeAddr()
		if err != nil {
			return nil, err
		}
		ports[i] = [2]string{p1, p2}
	}
	tn, err := node.InitTestnet(node.TestnetOptions{Dir: dir, ChainID: ChainID, Validators: n, Balances: balances,
		Ports: func(i int) (string, string) { return ports[i][0], ports[i][1] }})
	if err != nil {
		return nil, err
	}
	// The testnet's genesis funds the balances; roles need the app state rebuilt.
	state, err := node.AppGenesis(balances, roles...)
	if err != nil {
		return nil, err
	}
	for _, tnode := range tn.Nodes {
		c, err := node.LoadConfig(tnode.Home)
		if err != nil {
			return nil, err
		}
		gen, err := cmttypes.GenesisDocFromFile(c.GenesisFile())
		if err != nil {
			return nil, err
		}
		gen.AppState = state
		if err := gen.SaveAs(c.GenesisFile()); err != nil {
			return nil, err
		}
	}
	logf, err := os.Create(filepath.Join(dir, "nodes.log"))
	if err != nil {
		return nil, err
	}
	net := &network{log: logf}
	for _, tnode := range tn.Nodes {
		o := node.Options{Log: logf}
		if appName == AppKVStore {
			o.NoSnapshots = true
			db, err := dbm.NewGoLevelDB("kvstore", filepath.Join(tnode.Home, "data"))
			if err != nil {
				net.stop()
				return nil, err
			}
			kv := kvstore.NewApplication(db)
			net.close = append(net.close, db.Close)
			o.WrapApp = func(abci.Application) abci.Application { return kv }
		}
		nd, err := node.Start(ctx, tnode.Home, o)
		if err != nil {
			net.stop()
			return nil, fmt.Errorf("start %s %s: %w", appName, tnode.Name, err)
		}
		net.nodes = append(net.nodes, nd)
		net.rpcs = append(net.rpcs, nd.RPCURL())
	}
	net.cfg = net.nodes[0].Config
	if err := net.dial(); err != nil {
		net.stop()
		return nil, err
	}
	if err := net.waitHeight(ctx, 2, 60*time.Second); err != nil {
		net.stop()
		return nil, err
	}
	return net, nil
}

// external is a network of running nodes the harness only talks to.
func external(rpcs []string) (*network, error) {
	n := &network{rpcs: rpcs}
	if err := n.dial(); err != nil {
		n.stop()
		return nil, err
	}
	return n, nil
}

// dial makes the RPC client of every node.
func (n *network) dial() error {
	for _, u := range n.rpcs {
		c, err := dialRPC(u, nil)
		if err != nil {
			return err
		}
		n.clients = append(n.clients, c)
	}
	return nil
}

// waitHeight waits until every node has committed height h.
func (n *network) waitHeight(ctx context.Context, h int64, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for i, c := range n.clients {
		u := n.rpcs[i]
		for {
			s, err := c.Status(ctx)
			if err == nil && s.SyncInfo.LatestBlockHeight >= h {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("node %s did not reach height %d: %v (last error %v)", u, h, ctx.Err(), err)
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}

// stop stops the nodes this harness started and closes the RPC clients' idle connections.
func (n *network) stop() {
	for _, c := range n.clients {
		c.close()
	}
	n.clients = nil
	for i := len(n.nodes) - 1; i >= 0; i-- {
		_ = n.nodes[i].Stop()
	}
	n.nodes = nil
	for _, c := range n.close {
		_ = c()
	}
	n.close = nil
	if n.log != nil {
		n.log.Close()
	}
}

// freeAddr is a free loopback address.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
