package bank

import (
	"encoding/json"
	"fmt"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
)

// Module is bank's registration with the chain.
type Module struct{ Keeper Keeper }

// NewModule makes the module.
func NewModule(k Keeper) *Module { return &Module{Keeper: k} }

func (*Module) Name() string { return ModuleName }

// Routes: send and multi-send.
func (m *Module) Routes() []chain.Route {
	return []chain.Route{
		{Msg: &MsgSend{}, Handle: func(ctx chain.Context, msg tx.Msg) error {
			s := msg.(*MsgSend)
			return m.Keeper.Transfer(ctx, s.From, s.To, s.Amount)
		}},
		{Msg: &MsgMultiSend{}, Handle: func(ctx chain.Context, msg tx.Msg) error {
			s := msg.(*MsgMultiSend)
			for _, o := range s.Outputs {
				if err := m.Keeper.Transfer(ctx, s.From, o.To, o.Amount); err != nil {
					return err
				}
			}
			return nil
		}},
	}
}

// Balance is one genesis balance line.
type Balance struct {
	Address address.Address `json:"address"`
	Coins   []coin.Coin     `json:"coins"`
}

// Genesis is bank's genesis state. Supply, when given, must equal the sum of balances.
type Genesis struct {
	Units    []coin.Unit `json:"units"`
	Balances []Balance   `json:"balances"`
	Supply   []coin.Coin `json:"supply,omitempty"`
}

// InitGenesis declares denoms and mints the genesis balances.
func (m *Module) InitGenesis(ctx chain.Context, raw json.RawMessage) error {
	var g Genesis
	if err := chain.DecodeGenesis(raw, &g); err != nil {
		return fmt.Errorf("bank genesis: %w", err)
	}
	for _, u := range g.Units {
		if err := coin.ValidateDenom(u.Base); err != nil {
			return fmt.Errorf("bank genesis: %w", err)
		}
		if _, dup := m.Keeper.Unit(ctx, u.Base); dup {
			return fmt.Errorf("bank genesis: denom %s declared twice", u.Base)
		}
		m.Keeper.SetUnit(ctx, u)
	}
	for _, b := range g.Balances {
		for _, c := range b.Coins {
			if err := c.Validate(); err != nil {
				return fmt.Errorf("bank genesis: balance of %s: %w", b.Address, err)
			}
			if err := m.Keeper.Mint(ctx, b.Address, c); err != nil {
				return fmt.Errorf("bank genesis: balance of %s: %w", b.Address, err)
			}
		}
	}
	for _, c := range g.Supply {
		if got := m.Keeper.Supply(ctx, c.Denom); got != c.Amount {
			return fmt.Errorf("bank genesis: supply of %s is %d but balances add up to %d", c.Denom, c.Amount, got)
		}
	}
	return nil
}

// ExportGenesis writes denoms, every balance (address order) and supplies.
func (m *Module) ExportGenesis(ctx chain.Context) (json.RawMessage, error) {
	g := Genesis{Units: m.Keeper.Units(ctx), Balances: []Balance{}}
	m.Keeper.EachBalance(ctx, func(a address.Address, c coin.Coin) {
		if n := len(g.Balances); n > 0 && g.Balances[n-1].Address == a {
			g.Balances[n-1].Coins = append(g.Balances[n-1].Coins, c)
			return
		}
		g.Balances = append(g.Balances, Balance{Address: a, Coins: []coin.Coin{c}})
	})
	for _, u := range g.Units {
		g.Supply = append(g.Supply, coin.New(u.Base, m.Keeper.Supply(ctx, u.Base)))
	}
	return json.Marshal(g)
}

// EachBalance calls fn for every non-zero balance in (address, denom) order.
func (k Keeper) EachBalance(ctx chain.Context, fn func(address.Address, coin.Coin)) {
	st := ctx.Store(StorePrefix)
	it := st.Iterator(keyBalance, store.PrefixEnd(keyBalance))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		k := it.Key()[len(keyBalance):]
		a, _ := address.FromBytes(k[:address.Len])
		var v coin.Amount
		canon.MustDecode(it.Value(), &v)
		fn(a, coin.New(string(k[address.Len:]), v))
	}
}

// BalancesResult answers a balances query.
type BalancesResult struct {
	Address  address.Address `json:"address"`
	Balances []coin.Coin     `json:"balances"`
}

// Query answers "balances/<addr>", "balance/<addr>/<denom>", "supply/<denom>", "units".
func (m *Module) Query(ctx chain.Context, path []string, _ []byte) (any, error) {
	switch {
	case len(path) == 2 && path[0] == "balances":
		a, err := address.Parse(path[1])
		if err != nil {
			return nil, chain.ErrBadQuery.Wrap(err)
		}
		return BalancesResult{Address: a, Balances: m.Keeper.Balances(ctx, a)}, nil
	case len(path) == 3 && path[0] == "balance":
		a, err := address.Parse(path[1])
		if err != nil {
			return nil, chain.ErrBadQuery.Wrap(err)
		}
		if _, ok := m.Keeper.Unit(ctx, path[2]); !ok {
			return nil, ErrUnknownDenom.Wrapf("%q is not an asset of this chain", path[2])
		}
		return coin.New(path[2], m.Keeper.Balance(ctx, a, path[2])), nil
	case len(path) == 2 && path[0] == "supply":
		if _, ok := m.Keeper.Unit(ctx, path[1]); !ok {
			return nil, ErrUnknownDenom.Wrapf("%q is not an asset of this chain", path[1])
		}
		return coin.New(path[1], m.Keeper.Supply(ctx, path[1])), nil
	case len(path) == 1 && path[0] == "units":
		return m.Keeper.Units(ctx), nil
	}
	return nil, chain.ErrBadQuery.Wrapf("unknown bank query %v", path)
}

// Invariants: balances of every denom add up to its supply; only known denoms are held.
func (m *Module) Invariants() []chain.Invariant {
	return []chain.Invariant{{Name: "bank/supply-equals-balances", Check: func(ctx chain.Context) error {
		sums := map[string]coin.Amount{}
		var err error
		m.Keeper.EachBalance(ctx, func(a address.Address, c coin.Coin) {
			if err != nil {
				return
			}
			if c.Amount == 0 {
				err = fmt.Errorf("zero balance record for %s in %s", a, c.Denom)
				return
			}
			if _, ok := m.Keeper.Unit(ctx, c.Denom); !ok {
				err = fmt.Errorf("%s holds unknown denom %s", a, c.Denom)
				return
			}
			s, e := sums[c.Denom].Add(c.Amount)
			if e != nil {
				err = fmt.Errorf("balances of %s overflow: %w", c.Denom, e)
			}
			sums[c.Denom] = s
		})
		if err != nil {
			return err
		}
		for _, u := range m.Keeper.Units(ctx) {
			if got, want := sums[u.Base], m.Keeper.Supply(ctx, u.Base); got != want {
				return fmt.Errorf("balances of %s add up to %d, supply is %d", u.Base, got, want)
			}
		}
		return nil
	}}}
}

// QueryRoutes publishes bank's queries on the REST API.
func (*Module) QueryRoutes() []chain.QueryRoute {
	return []chain.QueryRoute{
		{Path: "/accounts/{address}/balances", Query: "/bank/balances/{address}", Summary: "Every balance of an address", Response: BalancesResult{}},
		{Path: "/accounts/{address}/balances/{denom}", Query: "/bank/balance/{address}/{denom}", Summary: "The balance of an address in one denom", Response: coin.Coin{}},
		{Path: "/supply/{denom}", Query: "/bank/supply/{denom}", Summary: "The total supply of a denom", Response: coin.Coin{}},
		{Path: "/denoms", Query: "/bank/units", Summary: "Every denom with its display unit", Response: []coin.Unit{}},
	}
}
