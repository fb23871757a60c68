package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/crypto"
	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/app"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/distributions"
	"github.com/girder-chain/girder/x/fees"
	"github.com/girder-chain/girder/x/governance"
	"github.com/girder-chain/girder/x/identity"
	"github.com/girder-chain/girder/x/offerings"
	"github.com/girder-chain/girder/x/passes"
	"github.com/girder-chain/girder/x/projects"
	"github.com/girder-chain/girder/x/vesting"
)

// NativeUnit is the native token: base denom ugrd, shown as GRD with 6 decimals.
var NativeUnit = coin.Unit{Base: "ugrd", Display: "GRD", Exponent: 6}

// AppGenesis builds the genesis app_state with the given balances (native token and fee
// defaults) and role grants. A chain needs an admin to grant roles: when roles names none, the
// first balance's address is the admin (a chain with neither has no roles at all).
func AppGenesis(balances []bank.Balance, roles ...auth.GenesisRole) (json.RawMessage, error) {
	hasAdmin := false
	seen := map[auth.GenesisRole]bool{}
	for _, r := range roles {
		if !auth.ValidRole(r.Role) {
			return nil, fmt.Errorf("genesis role %q: the roles are %v", r.Role, auth.Roles)
		}
		if r.Address.IsZero() {
			return nil, fmt.Errorf("genesis role %s: zero address", r.Role)
		}
		k := auth.GenesisRole{Role: r.Role, Address: r.Address}
		if seen[k] {
			return nil, fmt.Errorf("genesis role %s granted to %s twice", r.Role, r.Address)
		}
		seen[k] = true
		hasAdmin = hasAdmin || r.Role == auth.RoleAdmin
	}
	if !hasAdmin && len(balances) > 0 {
		roles = append([]auth.GenesisRole{{Role: auth.RoleAdmin, Address: balances[0].Address}}, roles...)
	}
	// Consortium members vote in chain governance; unless the roles name them, the admins are.
	if !slices.ContainsFunc(roles, func(r auth.GenesisRole) bool { return r.Role == auth.RoleMember }) {
		for _, r := range slices.Clone(roles) {
			if r.Role == auth.RoleAdmin {
				roles = append(roles, auth.GenesisRole{Role: auth.RoleMember, Address: r.Address})
			}
		}
	}
	authG, err := json.Marshal(auth.Genesis{Accounts: []auth.Account{}, Roles: roles})
	if err != nil {
		return nil, err
	}
	bankG, err := json.Marshal(bank.Genesis{Units: []coin.Unit{NativeUnit}, Balances: balances})
	if err != nil {
		return nil, err
	}
	feesG, err := json.Marshal(fees.DefaultGenesis())
	if err != nil {
		return nil, err
	}
	identityG, err := json.Marshal(identity.DefaultGenesis())
	if err != nil {
		return nil, err
	}
	complianceG, err := json.Marshal(compliance.DefaultGenesis())
	if err != nil {
		return nil, err
	}
	assetsG, err := json.Marshal(assets.DefaultGenesis())
	if err != nil {
		return nil, err
	}
	offeringsG, err := json.Marshal(offerings.DefaultGenesis())
	if err != nil {
		return nil, err
	}
	distributionsG, err := json.Marshal(distributions.DefaultGenesis())
	if err != nil {
		return nil, err
	}
	projectsG, err := json.Marshal(projects.DefaultGenesis())
	if err != nil {
		return nil, err
	}
	vestingG, err := json.Marshal(vesting.DefaultGenesis())
	if err != nil {
		return nil, err
	}
	governanceG, err := json.Marshal(governance.DefaultGenesis())
	if err != nil {
		return nil, err
	}
	passesG, err := json.Marshal(passes.DefaultGenesis())
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]json.RawMessage{"auth": authG, "bank": bankG, "fees": feesG, "identity": identityG, "compliance": complianceG,
		"assets": assetsG, "offerings": offeringsG, "distributions": distributionsG, "projects": projectsG, "vesting": vestingG,
		"governance": governanceG, "passes": passesG})
}

// AdminRoles are the genesis grants of the admin role to addrs.
func AdminRoles(addrs []address.Address) []auth.GenesisRole {
	out := make([]auth.GenesisRole, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, auth.GenesisRole{Role: auth.RoleAdmin, Address: a})
	}
	return out
}

// InitOptions say what `girder init` writes.
type InitOptions struct {
	Home     string
	ChainID  string
	Moniker  string
	Balances []bank.Balance
	// Admins are the consortium admins of a new chain (default: the first Balances address);
	// Roles are further genesis role grants (kyc_provider, …).
	Admins []address.Address
	Roles  []auth.GenesisRole
	// Genesis, when set, joins an existing chain: the node uses this genesis (ChainID and
	// Balances are ignored) and is a full node unless the genesis lists its validator key.
	Genesis *cmttypes.GenesisDoc
	// Peers are persistent peers, "id@host:port,…".
	Peers string
	// Configure adjusts the CometBFT config before it is written (dev mode binds to loopback).
	Configure func(*cmtcfg.Config)
	// EditAppState adjusts the genesis app state, module by module, before it is written (dev
	// mode shortens governance periods). Not used when Genesis is set.
	EditAppState func(state map[string]json.RawMessage) error
}

// ErrInitialized is returned when the home already holds a node.
var ErrInitialized = errors.New("home already holds a node configuration")

// Init writes a node home: config.toml, node and validator keys, and a genesis in which this
// node is the only validator.
func Init(o InitOptions) (*cmttypes.GenesisDoc, error) {
	if o.Genesis != nil {
		o.ChainID = o.Genesis.ChainID
	}
	if err := tx.ValidateChainID(o.ChainID); err != nil {
		return nil, err
	}
	if o.Moniker == "" {
		return nil, errors.New("moniker must not be empty")
	}
	c := DefaultConfig(o.Home, o.Moniker)
	if _, err := os.Stat(c.GenesisFile()); err == nil {
		return nil, fmt.Errorf("%w: %s exists", ErrInitialized, c.GenesisFile())
	}
	c.P2P.PersistentPeers = o.Peers
	if o.Configure != nil {
		o.Configure(c)
	}
	for _, d := range []string{filepath.Join(o.Home, "config"), filepath.Join(o.Home, "data")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("init: %w", err)
		}
	}
	WriteConfig(c)
	if _, err := p2p.LoadOrGenNodeKey(c.NodeKeyFile()); err != nil {
		return nil, fmt.Errorf("node key: %w", err)
	}
	pv, err := privval.LoadOrGenFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile(), func() (crypto.PrivKey, error) {
		return ed25519.GenPrivKey(), nil
	})
	if err != nil {
		return nil, fmt.Errorf("validator key: %w", err)
	}
	pub, err := pv.GetPubKey()
	if err != nil {
		return nil, fmt.Errorf("validator key: %w", err)
	}
	if o.Genesis != nil {
		if err := o.Genesis.ValidateAndComplete(); err != nil {
			return nil, fmt.Errorf("genesis: %w", err)
		}
		if err := o.Genesis.SaveAs(c.GenesisFile()); err != nil {
			return nil, fmt.Errorf("write genesis: %w", err)
		}
		return o.Genesis, nil
	}
	state, err := AppGenesis(o.Balances, append(AdminRoles(o.Admins), o.Roles...)...)
	if err != nil {
		return nil, err
	}
	if o.EditAppState != nil {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(state, &m); err != nil {
			return nil, err
		}
		if err := o.EditAppState(m); err != nil {
			return nil, fmt.Errorf("genesis app state: %w", err)
		}
		if state, err = json.Marshal(m); err != nil {
			return nil, err
		}
	}
	gen := &cmttypes.GenesisDoc{
		ChainID:         o.ChainID,
		GenesisTime:     time.Now().UTC(),
		InitialHeight:   1,
		ConsensusParams: ConsensusParams(),
		Validators:      []cmttypes.GenesisValidator{{Address: pub.Address(), PubKey: pub, Power: 10, Name: o.Moniker}},
		AppState:        state,
	}
	if err := gen.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	if err := gen.SaveAs(c.GenesisFile()); err != nil {
		return nil, fmt.Errorf("write genesis: %w", err)
	}
	return gen, nil
}

// ConsensusParams are CometBFT's block limits matching the app's: the mempool reaps at most a
// block's gas (using each tx's gas limit) and bytes.
func ConsensusParams() *cmttypes.ConsensusParams {
	p := cmttypes.DefaultConsensusParams()
	p.Block.MaxBytes = 8 << 20
	p.Block.MaxGas = int64(fees.DefaultParams().MaxBlockGas)
	p.Version.App = app.AppVersion
	return p
}
