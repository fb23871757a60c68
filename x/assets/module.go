package assets

import (
	"encoding/json"
	"fmt"

	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
)

// Module is assets' registration with the chain.
type Module struct{ Keeper Keeper }

// NewModule makes the module.
func NewModule(k Keeper) *Module { return &Module{Keeper: k} }

func (*Module) Name() string { return ModuleName }

// Routes: create, mint, burn, documents, and the controller's actions.
func (m *Module) Routes() []chain.Route {
	k := m.Keeper
	return []chain.Route{
		{Msg: &MsgCreate{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Create(ctx, msg.(*MsgCreate)) }},
		{Msg: &MsgMint{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Mint(ctx, msg.(*MsgMint)) }},
		{Msg: &MsgBurn{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Burn(ctx, msg.(*MsgBurn)) }},
		{Msg: &MsgSetDocument{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.SetDocument(ctx, msg.(*MsgSetDocument)) }},
		{Msg: &MsgRemoveDocument{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.RemoveDocument(ctx, msg.(*MsgRemoveDocument)) }},
		{Msg: &MsgFreeze{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Freeze(ctx, msg.(*MsgFreeze)) }},
		{Msg: &MsgUnfreeze{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Unfreeze(ctx, msg.(*MsgUnfreeze)) }},
		{Msg: &MsgForceTransfer{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.ForceTransfer(ctx, msg.(*MsgForceTransfer)) }},
		{Msg: &MsgRecover{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Recover(ctx, msg.(*MsgRecover)) }},
		{Msg: &MsgPause{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Pause(ctx, msg.(*MsgPause)) }},
		{Msg: &MsgUnpause{}, Handle: func(ctx chain.Context, msg tx.Msg) error { return k.Unpause(ctx, msg.(*MsgUnpause)) }},
	}
}

// Genesis is assets' genesis state: the assets (their denoms are declared by bank's genesis or
// here) and every document version.
type Genesis struct {
	Assets    []Asset    `json:"assets"`
	Documents []Document `json:"documents"`
}

// DefaultGenesis has no assets.
func DefaultGenesis() Genesis { return Genesis{Assets: []Asset{}, Documents: []Document{}} }

// InitGenesis loads assets and documents.
func (m *Module) InitGenesis(ctx chain.Context, raw json.RawMessage) error {
	k := m.Keeper
	var g Genesis
	if err := chain.DecodeGenesis(raw, &g); err != nil {
		return fmt.Errorf("assets genesis: %w", err)
	}
	for _, a := range g.Assets {
		if err := (&MsgCreate{Issuer: a.Issuer, Denom: a.Denom, Kind: a.Kind, Name: a.Name, Symbol: a.Symbol, Decimals: a.Decimals, Project: a.Project}).Validate(); err != nil {
			return fmt.Errorf("assets genesis: %s: %w", a.Denom, err)
		}
		if a.Controller.IsZero() {
			return fmt.Errorf("assets genesis: %s has no controller", a.Denom)
		}
		if _, dup := k.Asset(ctx, a.Denom); dup {
			return fmt.Errorf("assets genesis: %s given twice", a.Denom)
		}
		if u, ok := k.bank.Unit(ctx, a.Denom); ok && u != a.Unit() {
			return fmt.Errorf("assets genesis: %s: bank declares it as %+v, the asset as %+v", a.Denom, u, a.Unit())
		}
		k.put(ctx, a)
		k.bank.SetUnit(ctx, a.Unit())
		for _, h := range k.hooks.created {
			h.AssetCreated(ctx, a)
		}
	}
	for _, d := range g.Documents {
		if _, ok := k.Asset(ctx, d.Asset); !ok {
			return fmt.Errorf("assets genesis: document %q of unknown asset %s", d.Name, d.Asset)
		}
		var v uint32
		k.get(ctx, currentKey(d.Asset, d.Name), &v)
		if d.Version != v+1 {
			return fmt.Errorf("assets genesis: document %q of %s: version %d after %d", d.Name, d.Asset, d.Version, v)
		}
		k.putDoc(ctx, d)
	}
	return nil
}

// ExportGenesis writes every asset and document version.
func (m *Module) ExportGenesis(ctx chain.Context) (json.RawMessage, error) {
	g := DefaultGenesis()
	g.Assets = m.Keeper.Assets(ctx)
	for _, a := range g.Assets {
		g.Documents = append(g.Documents, m.Keeper.DocumentHistory(ctx, a.Denom)...)
	}
	return json.Marshal(g)
}

// AssetInfo is an asset with its supply and current documents.
type AssetInfo struct {
	Asset
	Supply    coin.Amount `json:"supply,string"`
	Documents []Document  `json:"documents"`
}

// Query answers "assets", "asset/<denom>", "documents/<denom>" (every version).
func (m *Module) Query(ctx chain.Context, path []string, _ []byte) (any, error) {
	k := m.Keeper
	switch {
	case len(path) == 1 && path[0] == "assets":
		return k.Assets(ctx), nil
	case len(path) == 2 && path[0] == "asset":
		a, err := k.assetOf(ctx, path[1])
		if err != nil {
			return nil, err
		}
		return AssetInfo{Asset: a, Supply: k.bank.Supply(ctx, a.Denom), Documents: k.Documents(ctx, a.Denom)}, nil
	case len(path) == 2 && path[0] == "documents":
		if _, err := k.assetOf(ctx, path[1]); err != nil {
			return nil, err
		}
		return k.DocumentHistory(ctx, path[1]), nil
	}
	return nil, chain.ErrBadQuery.Wrapf("unknown assets query %v", path)
}

// QueryRoutes publishes assets' queries on the REST API.
func (*Module) QueryRoutes() []chain.QueryRoute {
	return []chain.QueryRoute{
		{Path: "/assets", Query: "/assets/assets", Summary: "Every asset issued on the chain", Response: []Asset{}},
		{Path: "/assets/{denom}", Query: "/assets/asset/{denom}", Summary: "An asset with its supply and current documents", Response: AssetInfo{}},
		{Path: "/assets/{denom}/documents", Query: "/assets/documents/{denom}", Summary: "Every version of every document of an asset", Response: []Document{}},
	}
}

// Invariants: every asset's denom is declared to bank with its unit; supply within the maximum and
// equal to minted − burnt for assets created on chain; documents' current versions exist.
func (m *Module) Invariants() []chain.Invariant {
	k := m.Keeper
	return []chain.Invariant{{Name: "assets/supply-and-units", Check: func(ctx chain.Context) error {
		for _, a := range k.Assets(ctx) {
			u, ok := k.bank.Unit(ctx, a.Denom)
			if !ok || u != a.Unit() {
				return fmt.Errorf("%s: bank unit %+v, asset unit %+v", a.Denom, u, a.Unit())
			}
			s := k.bank.Supply(ctx, a.Denom)
			if a.MaxSupply != 0 && s > a.MaxSupply {
				return fmt.Errorf("%s: supply %d above the maximum %d", a.Denom, s, a.MaxSupply)
			}
			if a.Minted != 0 || a.Burnt != 0 {
				if net, err := a.Minted.Sub(a.Burnt); err != nil || net > s {
					return fmt.Errorf("%s: minted %d − burnt %d does not fit supply %d", a.Denom, a.Minted, a.Burnt, s)
				}
			}
		}
		return nil
	}}}
}
