package node

import (
	"encoding/json"
	"fmt"
	"time"

	cmtlog "github.com/cometbft/cometbft/libs/log"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/girder-chain/girder/app"
	"github.com/girder-chain/girder/store"
)

// Export returns a genesis whose app_state is the state of the (stopped) node in home at its last
// committed height, with the node's validators and consensus params, starting at the next height.
// chainID, when not empty, renames the chain.
func Export(home, chainID string) (*cmttypes.GenesisDoc, error) {
	c, err := LoadConfig(home)
	if err != nil {
		return nil, err
	}
	old, err := cmttypes.GenesisDocFromFile(c.GenesisFile())
	if err != nil {
		return nil, err
	}
	tree, err := store.Open(StateDir(home))
	if err != nil {
		return nil, fmt.Errorf("%w (is the node still running? stop it first)", err)
	}
	defer tree.Close()
	a, err := app.New(tree, cmtlog.NewNopLogger())
	if err != nil {
		return nil, err
	}
	state, h, err := a.ExportGenesis()
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(state)
	if err != nil {
		return nil, err
	}
	gen := *old
	gen.AppState = raw
	gen.InitialHeight = h + 1
	gen.GenesisTime = time.Now().UTC()
	gen.AppHash = nil
	if chainID != "" {
		gen.ChainID = chainID
	}
	if err := gen.ValidateAndComplete(); err != nil {
		return nil, err
	}
	return &gen, nil
}
