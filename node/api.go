package node

import (
	"context"
	"fmt"
	"time"

	"github.com/cometbft/cometbft/rpc/client/local"

	"github.com/girder-chain/girder/api"
	"github.com/girder-chain/girder/app"
	"github.com/girder-chain/girder/web"
)

// startAPI serves the REST API of a started node (Options.API set).
func (n *Node) startAPI(ctx context.Context, cfg api.Config) error {
	if cfg.Dashboard == nil {
		cfg.Dashboard = web.Handler() // the web dashboard at "/"
	}
	s := api.New(cfg, local.New(n.comet), app.NewRegistry(), n.App.Modules())
	if err := s.Start(ctx); err != nil {
		return err
	}
	n.api = s
	return nil
}

// APIAddress is the host:port the REST API listens on ("" when it is off).
func (n *Node) APIAddress() string {
	if n.api == nil {
		return ""
	}
	return n.api.Addr()
}

// APIURL is the REST API's base URL ("" when it is off).
func (n *Node) APIURL() string {
	if n.api == nil {
		return ""
	}
	return "http://" + n.api.Addr()
}

func (n *Node) stopAPI() error {
	if n.api == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := n.api.Stop(ctx); err != nil {
		return fmt.Errorf("stop API: %w", err)
	}
	return nil
}
