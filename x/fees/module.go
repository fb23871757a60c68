package fees

import (
	"encoding/json"
	"fmt"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
)

// Module is fees' registration with the chain.
type Module struct{ Keeper Keeper }

// NewModule makes the module.
func NewModule(k Keeper) *Module { return &Module{Keeper: k} }

func (*Module) Name() string          { return ModuleName }
func (*Module) Routes() []chain.Route { return nil }

// Genesis is fees' genesis state. BaseFee 0 means MinBaseFee.
type Genesis struct {
	Params  Params      `json:"params"`
	BaseFee coin.Amount `json:"base_fee,string"`
	Totals  Totals      `json:"totals"`
}

// DefaultGenesis starts at the minimum base fee.
func DefaultGenesis() Genesis {
	p := DefaultParams()
	return Genesis{Params: p, BaseFee: p.MinBaseFee}
}

// InitGenesis loads params, base fee and totals.
func (m *Module) InitGenesis(ctx chain.Context, raw json.RawMessage) error {
	var g Genesis
	if err := chain.DecodeGenesis(raw, &g); err != nil {
		return fmt.Errorf("fees genesis: %w", err)
	}
	if err := g.Params.Validate(); err != nil {
		return fmt.Errorf("fees genesis: params: %w", err)
	}
	if g.BaseFee == 0 {
		g.BaseFee = g.Params.MinBaseFee
	}
	if g.BaseFee < g.Params.MinBaseFee {
		return fmt.Errorf("fees genesis: base fee %d below the minimum %d", g.BaseFee, g.Params.MinBaseFee)
	}
	m.Keeper.SetParams(ctx, g.Params)
	m.Keeper.setBaseFee(ctx, g.BaseFee)
	m.Keeper.setTotals(ctx, g.Totals)
	return nil
}

// ExportGenesis writes params, base fee and totals.
func (m *Module) ExportGenesis(ctx chain.Context) (json.RawMessage, error) {
	return json.Marshal(Genesis{Params: m.Keeper.Params(ctx), BaseFee: m.Keeper.BaseFee(ctx), Totals: m.Keeper.Totals(ctx)})
}

// Info answers the "fees" query.
type Info struct {
	Denom       string          `json:"denom"`
	BaseFee     coin.Amount     `json:"base_fee,string"`
	MinBaseFee  coin.Amount     `json:"min_base_fee,string"`
	Burnt       coin.Amount     `json:"burnt,string"`
	Pooled      coin.Amount     `json:"pooled,string"`
	Pool        address.Address `json:"pool_address"`
	PoolBalance coin.Amount     `json:"pool_balance,string"`
	Params      Params          `json:"params"`
}

// Query answers "info" (and "params").
func (m *Module) Query(ctx chain.Context, path []string, _ []byte) (any, error) {
	p := m.Keeper.Params(ctx)
	switch {
	case len(path) == 0 || (len(path) == 1 && path[0] == "info"):
		t := m.Keeper.Totals(ctx)
		return Info{Denom: p.Denom, BaseFee: m.Keeper.BaseFee(ctx), MinBaseFee: p.MinBaseFee, Burnt: t.Burnt,
			Pooled: t.Pooled, Pool: PoolAddress, PoolBalance: m.Keeper.bank.Balance(ctx, PoolAddress, p.Denom), Params: p}, nil
	case len(path) == 1 && path[0] == "params":
		return p, nil
	}
	return nil, chain.ErrBadQuery.Wrapf("unknown fees query %v", path)
}

// Invariants: the pool holds exactly what was pooled (nothing pays out of it yet); the base fee
// is at or above its floor.
func (m *Module) Invariants() []chain.Invariant {
	return []chain.Invariant{
		{Name: "fees/pool-balance", Check: func(ctx chain.Context) error {
			p := m.Keeper.Params(ctx)
			if got, want := m.Keeper.bank.Balance(ctx, PoolAddress, p.Denom), m.Keeper.Totals(ctx).Pooled; got != want {
				return fmt.Errorf("fee pool holds %d, %d was pooled", got, want)
			}
			return nil
		}},
		{Name: "fees/base-fee-floor", Check: func(ctx chain.Context) error {
			if f, min := m.Keeper.BaseFee(ctx), m.Keeper.Params(ctx).MinBaseFee; f < min {
				return fmt.Errorf("base fee %d below the minimum %d", f, min)
			}
			return nil
		}},
	}
}

// QueryRoutes publishes fees' queries on the REST API.
func (*Module) QueryRoutes() []chain.QueryRoute {
	return []chain.QueryRoute{{Path: "/fees", Query: "/fees/info", Summary: "Base fee, burnt and pooled totals, fee pool, fee params", Response: Info{}}}
}
