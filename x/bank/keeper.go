// Package bank owns balances per (account, denom), transfers and the supply of every denom.
package bank

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
)

// ModuleName is the module's name and code space.
const ModuleName = "bank"

// StorePrefix is the module's key prefix in state.
var StorePrefix = []byte{0x02}

var (
	keyBalance = []byte("b/") // b/<addr20><denom> → Amount
	keySupply  = []byte("s/") // s/<denom> → Amount
	keyUnit    = []byte("u/") // u/<denom> → coin.Unit (the denom is known)
)

// Failures.
var (
	ErrInsufficientFunds = codes.Register(ModuleName, 2, "insufficient funds")
	ErrUnknownDenom      = codes.Register(ModuleName, 3, "unknown denom")
	ErrOverflow          = codes.Register(ModuleName, 4, "amount overflow")
	ErrBlockedRecipient  = codes.Register(ModuleName, 5, "recipient is a module account")
)

// Keeper moves and counts balances.
type Keeper struct {
	accounts Accounts
	blocked  map[address.Address]string
	hooks    *hooks // shared by every copy of the keeper, set once at wiring
}

type hooks struct {
	locks      Locks
	compliance Compliance
	balances   []BalanceHook
	supplies   []SupplyHook
}

// NewKeeper makes the bank keeper. blocked maps module accounts (which users may not send to,
// so that module balances are only what the module put there) to their module's name.
func NewKeeper(accounts Accounts, blocked map[address.Address]string) Keeper {
	return Keeper{accounts: accounts, blocked: blocked, hooks: &hooks{}}
}

// Locks is asked before every debit of a user's account whether the amount is free to spend
// (x/vesting: locked grants stay in the balance but cannot leave it, whoever moves them).
type Locks interface {
	CheckSpend(ctx chain.Context, a address.Address, c coin.Coin) error
}

// SetLocks wires the lock check of every debit of a user account. Every copy of the keeper sees it.
func (k Keeper) SetLocks(l Locks) { k.hooks.locks = l }

// SetHooks wires the compliance engine (asked before every transfer between parties) and the
// balance hooks (told of every balance change, in order; those that are also SupplyHooks are told
// of every supply change). Every copy of the keeper sees them.
func (k Keeper) SetHooks(c Compliance, b ...BalanceHook) {
	k.hooks.compliance, k.hooks.balances, k.hooks.supplies = c, b, nil
	for _, h := range b {
		if s, ok := h.(SupplyHook); ok {
			k.hooks.supplies = append(k.hooks.supplies, s)
		}
	}
}

func (k Keeper) balanceChanged(ctx chain.Context, a address.Address, denom string, before, after coin.Amount) {
	for _, h := range k.hooks.balances {
		h.BalanceChanged(ctx, a, denom, before, after)
	}
}

func (k Keeper) setSupply(ctx chain.Context, denom string, before, after coin.Amount) {
	k.setAmount(ctx, append(append([]byte{}, keySupply...), denom...), after)
	for _, h := range k.hooks.supplies {
		h.SupplyChanged(ctx, denom, before, after)
	}
}

// ModuleAccount names the module an account belongs to ("", false for a user's account).
func (k Keeper) ModuleAccount(a address.Address) (string, bool) {
	name, ok := k.blocked[a]
	return name, ok
}

func (k Keeper) checkRecipient(to address.Address) error {
	if name, ok := k.blocked[to]; ok {
		return ErrBlockedRecipient.Wrapf("%s belongs to the %s module and cannot receive transfers", to, name)
	}
	return nil
}

func balanceKey(a address.Address, denom string) []byte {
	k := make([]byte, 0, len(keyBalance)+address.Len+len(denom))
	k = append(append(append(k, keyBalance...), a[:]...), denom...)
	return k
}

func (k Keeper) getAmount(ctx chain.Context, key []byte) coin.Amount {
	b := ctx.Store(StorePrefix).Get(key)
	if b == nil {
		return 0
	}
	var v coin.Amount
	canon.MustDecode(b, &v)
	return v
}

func (k Keeper) setAmount(ctx chain.Context, key []byte, v coin.Amount) {
	if v == 0 {
		ctx.Store(StorePrefix).Delete(key)
		return
	}
	ctx.Store(StorePrefix).Set(key, canon.MustMarshal(v))
}

// Balance is a's balance of denom.
func (k Keeper) Balance(ctx chain.Context, a address.Address, denom string) coin.Amount {
	return k.getAmount(ctx, balanceKey(a, denom))
}

// Balances lists a's non-zero balances in denom order.
func (k Keeper) Balances(ctx chain.Context, a address.Address) []coin.Coin {
	p := append(append([]byte{}, keyBalance...), a[:]...)
	st := ctx.Store(StorePrefix)
	it := st.Iterator(p, store.PrefixEnd(p))
	defer it.Close()
	out := []coin.Coin{}
	for ; it.Valid(); it.Next() {
		var v coin.Amount
		canon.MustDecode(it.Value(), &v)
		out = append(out, coin.New(string(it.Key()[len(p):]), v))
	}
	return out
}

// Supply is the total supply of denom.
func (k Keeper) Supply(ctx chain.Context, denom string) coin.Amount {
	return k.getAmount(ctx, append(append([]byte{}, keySupply...), denom...))
}

// Unit returns the denom's record; ok is false for an unknown denom.
func (k Keeper) Unit(ctx chain.Context, denom string) (coin.Unit, bool) {
	b := ctx.Store(StorePrefix).Get(append(append([]byte{}, keyUnit...), denom...))
	if b == nil {
		return coin.Unit{}, false
	}
	var u coin.Unit
	canon.MustDecode(b, &u)
	return u, true
}

// Units lists every known denom in order.
func (k Keeper) Units(ctx chain.Context) []coin.Unit {
	it := ctx.Store(StorePrefix).Iterator(keyUnit, store.PrefixEnd(keyUnit))
	defer it.Close()
	out := []coin.Unit{}
	for ; it.Valid(); it.Next() {
		var u coin.Unit
		canon.MustDecode(it.Value(), &u)
		out = append(out, u)
	}
	return out
}

// SetUnit declares a denom (genesis, or the module that creates an asset).
func (k Keeper) SetUnit(ctx chain.Context, u coin.Unit) {
	ctx.Store(StorePrefix).Set(append(append([]byte{}, keyUnit...), u.Base...), canon.MustMarshal(&u))
}

func (k Keeper) requireDenom(ctx chain.Context, denom string) error {
	if !ctx.Store(StorePrefix).Has(append(append([]byte{}, keyUnit...), denom...)) {
		return ErrUnknownDenom.Wrapf("%q is not an asset of this chain", denom)
	}
	return nil
}

// Transfer is a transfer between parties (a user's send): the receiver may not be a module
// account, the sender must hold the amount, and the compliance engine decides it first. It may
// refuse it (nothing moves), take it into a hold, or let it settle (flagged or not).
func (k Keeper) Transfer(ctx chain.Context, from, to address.Address, c coin.Coin) error {
	if err := k.checkRecipient(to); err != nil {
		return err
	}
	if err := k.requireDenom(ctx, c.Denom); err != nil {
		return err
	}
	if have := k.Balance(ctx, from, c.Denom); have < c.Amount {
		return ErrInsufficientFunds.Wrapf("%s has %s, needs %s", from, coin.New(c.Denom, have), c)
	}
	if k.hooks.compliance != nil {
		held, err := k.hooks.compliance.Review(ctx, from, to, c)
		if err != nil || held {
			return err
		}
	}
	return k.Send(ctx, from, to, c)
}

// Send moves c from one account to another, creating the receiver's account if needed. It is
// the plain move modules use for their own accounts (fees, holds, escrows); transfers between
// parties go through Transfer.
func (k Keeper) Send(ctx chain.Context, from, to address.Address, c coin.Coin) error {
	if err := k.requireDenom(ctx, c.Denom); err != nil {
		return err
	}
	if err := k.debit(ctx, from, c); err != nil {
		return err
	}
	if err := k.credit(ctx, to, c); err != nil {
		return err
	}
	ctx.Emit(chain.NewEvent("bank.transfer", "from", from.String(), "to", to.String(), "amount", c.String()))
	return nil
}

func (k Keeper) debit(ctx chain.Context, a address.Address, c coin.Coin) error {
	key := balanceKey(a, c.Denom)
	have := k.getAmount(ctx, key)
	left, err := have.Sub(c.Amount)
	if err != nil {
		return ErrInsufficientFunds.Wrapf("%s has %s, needs %s", a, coin.New(c.Denom, have), c)
	}
	if _, module := k.blocked[a]; k.hooks.locks != nil && !module {
		if err := k.hooks.locks.CheckSpend(ctx, a, c); err != nil {
			return err
		}
	}
	k.setAmount(ctx, key, left)
	k.balanceChanged(ctx, a, c.Denom, have, left)
	return nil
}

func (k Keeper) credit(ctx chain.Context, a address.Address, c coin.Coin) error {
	key := balanceKey(a, c.Denom)
	sum, err := k.getAmount(ctx, key).Add(c.Amount)
	if err != nil {
		return ErrOverflow.Wrapf("balance of %s in %s", a, c.Denom)
	}
	k.accounts.Ensure(ctx, a)
	k.setAmount(ctx, key, sum)
	k.balanceChanged(ctx, a, c.Denom, sum-c.Amount, sum)
	return nil
}

// Mint creates c in account to (for modules with issuance authority, and genesis).
func (k Keeper) Mint(ctx chain.Context, to address.Address, c coin.Coin) error {
	if err := k.requireDenom(ctx, c.Denom); err != nil {
		return err
	}
	before := k.Supply(ctx, c.Denom)
	s, err := before.Add(c.Amount)
	if err != nil {
		return ErrOverflow.Wrapf("supply of %s", c.Denom)
	}
	if err := k.credit(ctx, to, c); err != nil {
		return err
	}
	k.setSupply(ctx, c.Denom, before, s)
	ctx.Emit(chain.NewEvent("bank.mint", "to", to.String(), "amount", c.String()))
	return nil
}

// Burn destroys c from account from, reducing supply.
func (k Keeper) Burn(ctx chain.Context, from address.Address, c coin.Coin) error {
	if err := k.requireDenom(ctx, c.Denom); err != nil {
		return err
	}
	if err := k.debit(ctx, from, c); err != nil {
		return err
	}
	before := k.Supply(ctx, c.Denom)
	s, err := before.Sub(c.Amount)
	if err != nil {
		return ErrOverflow.Wrapf("burn of %s exceeds supply", c)
	}
	k.setSupply(ctx, c.Denom, before, s)
	ctx.Emit(chain.NewEvent("bank.burn", "from", from.String(), "amount", c.String()))
	return nil
}
