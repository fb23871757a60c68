package distributions_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/chain/chaintest"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/distributions"
	"github.com/girder-chain/girder/x/identity"
)

func addr(name string) address.Address { return address.FromPubKey("ed25519", []byte(name)) }

var (
	admin   = addr("admin")
	kyc     = addr("kyc")
	officer = addr("officer")
	issuer  = addr("issuer") // asset_issuer: issues ubridge, utunnel, upass
	bankCo  = addr("bank")   // cash_issuer: issues ueur
	agent   = addr("agent")  // a paying agent (appointed in some tests)
	taxman  = addr("taxman") // the tax authority's account
	alice   = addr("alice")  // identity alice: jurisdiction DE
	bob     = addr("bob")    // identity bob: jurisdiction US
	carol   = addr("carol")  // no identity
	dave    = addr("dave")   // identity dave: KYC, no jurisdiction claim
	mallory = addr("mallory")
	start   = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

const (
	sec    = "ubridge" // a security
	sec2   = "utunnel" // another security
	cash   = "ueur"    // cash
	pass   = "upass"   // a pass: not tracked
	native = "ugrd"
	year   = 365 * 24 * time.Hour
)

type env struct {
	t     testing.TB
	tree  *store.Tree
	ctx   chain.Context
	auth  auth.Keeper
	bank  bank.Keeper
	ids   identity.Keeper
	comp  compliance.Keeper
	as    assets.Keeper
	k     distributions.Keeper
	m     *distributions.Module
	mods  []chain.Module // in genesis order
	inv   []chain.Module // whose invariants endBlock checks
	route map[string]func(chain.Context, tx.Msg) error
}

// wire builds the keepers the way app/app.go does, with distributions as a bank (balance and
// supply) hook and an assets creation hook, over an empty state at height.
func wire(t testing.TB, height int64) *env {
	t.Helper()
	tree := store.OpenMemory()
	ctx := chain.NewContext(store.NewCache(tree), height, start, chaintest.ChainID, chain.ModeDeliver)
	e := &env{t: t, tree: tree, ctx: ctx, auth: auth.NewKeeper(), route: map[string]func(chain.Context, tx.Msg) error{}}
	e.bank = bank.NewKeeper(e.auth, map[address.Address]string{compliance.HoldAccount: compliance.ModuleName, distributions.EscrowAccount: distributions.ModuleName})
	e.ids = identity.NewKeeper(e.auth)
	e.comp = compliance.NewKeeper(e.bank, e.ids, e.auth, native, []address.Address{distributions.EscrowAccount})
	e.as = assets.NewKeeper(e.bank, e.comp, e.ids, e.auth)
	e.comp.SetAssets(e.as)
	e.k = distributions.NewKeeper(e.bank, e.as, e.comp, e.ids, []address.Address{compliance.HoldAccount})
	e.bank.SetHooks(e.comp, e.comp, e.k)
	e.ids.SetHooks(e.comp)
	e.as.SetHooks(e.k)
	e.m = distributions.NewModule(e.k)
	e.mods = []chain.Module{auth.NewModule(e.auth), bank.NewModule(e.bank), identity.NewModule(e.ids), compliance.NewModule(e.comp), assets.NewModule(e.as), e.m}
	e.inv = e.mods
	for _, m := range e.mods {
		for _, r := range m.Routes() {
			e.route[r.Msg.MsgType()] = r.Handle
		}
	}
	return e
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := wire(t, 10)
	if err := e.mods[0].InitGenesis(e.ctx, chaintest.GenesisJSON(t, auth.Genesis{Accounts: []auth.Account{}, Roles: []auth.GenesisRole{
		{Role: auth.RoleAdmin, Address: admin}, {Role: auth.RoleKYCProvider, Address: kyc}, {Role: auth.RoleComplianceOfficer, Address: officer},
		{Role: auth.RoleAssetIssuer, Address: issuer}, {Role: auth.RoleCashIssuer, Address: bankCo}}})); err != nil {
		t.Fatal(err)
	}
	if err := e.mods[1].InitGenesis(e.ctx, chaintest.GenesisJSON(t, bank.Genesis{Units: []coin.Unit{chaintest.GRD}})); err != nil {
		t.Fatal(err)
	}
	e.ok(&identity.MsgSetTrust{Authority: admin, Issuer: kyc, Claims: identity.ClaimKinds})
	for _, p := range []struct {
		id string
		a  address.Address
		c  identity.ClaimSet
	}{
		{"alice", alice, identity.ClaimSet{KYCLevel: 2, Jurisdiction: "DE"}},
		{"bob", bob, identity.ClaimSet{KYCLevel: 1, Jurisdiction: "US"}},
		{"dave", dave, identity.ClaimSet{KYCLevel: 1}},
	} {
		e.ok(&identity.MsgRegister{Provider: kyc, ID: p.id, Accounts: []address.Address{p.a}})
		e.issue(p.id, p.c)
	}
	e.ok(&assets.MsgCreate{Issuer: issuer, Denom: sec, Kind: assets.KindSecurity, Name: "Bridge notes", Symbol: "BRIDGE"})
	e.ok(&assets.MsgCreate{Issuer: issuer, Denom: sec2, Kind: assets.KindSecurity, Name: "Tunnel notes", Symbol: "TUNNEL"})
	e.ok(&assets.MsgCreate{Issuer: issuer, Denom: pass, Kind: assets.KindPass, Name: "Toll pass", Symbol: "TOLL"})
	e.ok(&assets.MsgCreate{Issuer: bankCo, Denom: cash, Kind: assets.KindCash, Name: "Euro token", Symbol: "EURT", Decimals: 2})
	e.ok(&assets.MsgMint{Issuer: bankCo, Denom: cash, Amount: 10_000_000, To: issuer})
	e.ok(&assets.MsgMint{Issuer: bankCo, Denom: cash, Amount: 1_000_000, To: agent})
	e.ok(&assets.MsgMint{Issuer: issuer, Denom: pass, Amount: 10, To: alice})
	return e
}

func (e *env) issue(id string, c identity.ClaimSet) {
	e.t.Helper()
	e.ok(&identity.MsgIssue{Issuer: kyc, ID: id, Claims: c, Expiry: start.AddDate(3, 0, 0).Unix(), EvidenceHash: sha256.Sum256([]byte(id))})
}

// run executes msg like the app does: in a branch written only on success.
func (e *env) run(m tx.Msg) ([]chain.Event, error) {
	e.t.Helper()
	return chaintest.RunMsg(e.ctx, e.route[m.MsgType()], m)
}

func (e *env) ok(m tx.Msg) []chain.Event {
	e.t.Helper()
	evs, err := e.run(m)
	if err != nil {
		e.t.Fatalf("%s: %v", m.MsgType(), err)
	}
	return evs
}

func (e *env) fails(m tx.Msg, want *codes.Error, inMsg string) {
	e.t.Helper()
	_, err := e.run(m)
	if err == nil {
		e.t.Fatalf("%s succeeded, want %s/%d", m.MsgType(), want.Module, want.Code)
	}
	if !errors.Is(err, want) || !strings.Contains(err.Error(), inMsg) {
		e.t.Fatalf("%s: got %v, want %s/%d saying %q", m.MsgType(), err, want.Module, want.Code, inMsg)
	}
}

func (e *env) mint(to address.Address, n coin.Amount) {
	e.t.Helper()
	e.ok(&assets.MsgMint{Issuer: issuer, Denom: sec, Amount: n, To: to})
}

func (e *env) send(from, to address.Address, denom string, n coin.Amount) {
	e.t.Helper()
	e.ok(&bank.MsgSend{From: from, To: to, Amount: coin.New(denom, n)})
}

func (e *env) bal(a address.Address, denom string) coin.Amount {
	return e.bank.Balance(e.ctx, a, denom)
}

// endBlock runs the end of the current block (compliance, then distributions, as the app orders
// modules), checks every invariant, and moves to the next block, after d. It returns the end of
// block's events.
func (e *env) endBlock(d time.Duration) []chain.Event {
	e.t.Helper()
	end := e.ctx.WithKV(e.ctx.KV())
	for _, m := range e.mods {
		if eb, ok := m.(chain.EndBlocker); ok {
			if err := eb.EndBlock(end); err != nil {
				e.t.Fatal(err)
			}
		}
	}
	e.invariants()
	e.ctx.Height++
	e.ctx.Time = e.ctx.Time.Add(d)
	return end.Events()
}

func (e *env) invariants() {
	e.t.Helper()
	for _, m := range e.inv {
		if err := chaintest.All(m).Check(e.ctx); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *env) checkpoint(recordTime int64) uint64 {
	e.t.Helper()
	evs := e.ok(&distributions.MsgCreateCheckpoint{Issuer: issuer, Asset: sec, RecordTime: recordTime})
	return attrUint(e.t, evs, "distributions.checkpoint_created", "checkpoint")
}

func (e *env) deposit(m distributions.MsgDeposit) uint64 {
	e.t.Helper()
	if m.Depositor.IsZero() {
		m.Depositor = issuer
	}
	if m.Asset == "" {
		m.Asset = sec
	}
	if m.Expiry == 0 {
		m.Expiry = e.ctx.Time.Add(30 * 24 * time.Hour).Unix()
	}
	evs := e.ok(&m)
	return attrUint(e.t, evs, "distributions.deposited", "distribution")
}

func (e *env) dist(id uint64) distributions.Distribution {
	e.t.Helper()
	d, ok := e.k.Distribution(e.ctx, id)
	if !ok {
		e.t.Fatalf("no distribution %d", id)
	}
	return d
}

func eventsOf(evs []chain.Event, typ string) []map[string]string {
	var out []map[string]string
	for _, ev := range evs {
		if ev.Type == typ {
			m := map[string]string{}
			for _, a := range ev.Attrs {
				m[a.Key] = a.Value
			}
			out = append(out, m)
		}
	}
	return out
}

func eventOf(evs []chain.Event, typ string) map[string]string {
	if l := eventsOf(evs, typ); len(l) > 0 {
		return l[0]
	}
	return nil
}

func attrUint(t testing.TB, evs []chain.Event, typ, key string) uint64 {
	t.Helper()
	ev := eventOf(evs, typ)
	var n uint64
	if _, err := fmt.Sscan(ev[key], &n); err != nil {
		t.Fatalf("event %s has no %s: %v", typ, key, evs)
	}
	return n
}

func eur(n coin.Amount) coin.Coin { return coin.New(cash, n) }

// TestRecordDate: a checkpoint "now" is the state at the end of the previous block, later txs of
// the same block do not change it; a scheduled checkpoint is the state at the end of the first
// block at or after its record time; transfers after it change no entitlement, and a buyer after
// the record date gets nothing.
func TestRecordDate(t *testing.T) {
	e := newEnv(t)
	e.mint(alice, 600)
	e.mint(bob, 400)
	e.endBlock(5 * time.Second) // block 10 ends: alice 600, bob 400

	now := e.checkpoint(0) // block 11: as of the end of block 10
	e.send(alice, carol, sec, 600)
	record := e.ctx.Time.Add(time.Hour)
	sched := e.checkpoint(record.Unix())
	c, _ := e.k.Checkpoint(e.ctx, now)
	if c.Status != distributions.CheckpointTaken || c.Height != 10 {
		t.Fatalf("checkpoint now: %+v", c)
	}
	e.endBlock(10 * time.Minute)

	e.send(bob, alice, sec, 100) // block 12, before the record time: counts
	e.endBlock(50 * time.Minute) // block 12 ends before the record time
	if c, _ := e.k.Checkpoint(e.ctx, sched); c.Status != distributions.CheckpointScheduled {
		t.Fatalf("taken before its record time: %+v", c)
	}
	// Block 13 has time = the record time: its txs count, it is taken at its end.
	if !e.ctx.Time.Equal(record) {
		t.Fatalf("block time %v", e.ctx.Time)
	}
	e.send(carol, dave, sec, 200)
	e.fails(&distributions.MsgDeposit{Depositor: issuer, Asset: sec, Checkpoint: sched, Amount: eur(1000), Expiry: record.Add(year).Unix()},
		distributions.ErrCheckpointPending, "taken at the end of the first block")
	evs := e.endBlock(5 * time.Second)
	if ev := eventOf(evs, "distributions.checkpoint_taken"); ev["checkpoint"] != chain.Uint(sched) || ev["height"] != "13" {
		t.Fatalf("checkpoint_taken %v", ev)
	}
	// After the record date: dave sells to mallory, alice sells everything to bob.
	e.send(dave, mallory, sec, 100)
	e.send(alice, bob, sec, 100)
	e.endBlock(5 * time.Second)

	d1 := e.deposit(distributions.MsgDeposit{Checkpoint: now, Amount: eur(1000)})
	d2 := e.deposit(distributions.MsgDeposit{Checkpoint: sched, Amount: eur(1000)})
	cases := []struct {
		dist   uint64
		holder address.Address
		want   coin.Amount // 0: nothing to claim
	}{
		{d1, alice, 600}, {d1, bob, 400}, {d1, carol, 0}, {d1, dave, 0},
		{d2, alice, 100}, {d2, bob, 300}, {d2, carol, 400}, {d2, dave, 200}, {d2, mallory, 0},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("d%d-%s", c.dist, c.holder.String()[:10]), func(t *testing.T) {
			ent, err := e.k.EntitlementOf(e.ctx, c.dist, c.holder)
			if err != nil || ent.Gross.Amount != c.want {
				t.Fatalf("entitlement %+v, %v; want %d", ent, err, c.want)
			}
			before := e.bal(c.holder, cash)
			if c.want == 0 {
				e.fails(&distributions.MsgClaim{Holder: c.holder, Distribution: c.dist}, distributions.ErrNothingToClaim, "entitled to 0")
				return
			}
			evs := e.ok(&distributions.MsgClaim{Holder: c.holder, Distribution: c.dist})
			if got := e.bal(c.holder, cash) - before; got != c.want {
				t.Fatalf("paid %d", got)
			}
			ev := eventOf(evs, "distributions.paid")
			if ev["holder"] != c.holder.String() || ev["gross"] != eur(c.want).String() || ev["net"] != eur(c.want).String() || ev["withheld"] != "0ueur" || ev["via"] != "claim" {
				t.Fatalf("paid event %v", ev)
			}
		})
	}
	e.invariants()
	// The balance-at query answers from history, not from current balances.
	v, err := e.m.Query(e.ctx, []string{"balance-at", sec, chain.Uint(sched), dave.String()}, nil)
	if err != nil || v.(distributions.BalanceAtResult).Balance != 200 || v.(distributions.BalanceAtResult).Supply != 1000 || e.bal(dave, sec) != 100 {
		t.Fatalf("balance-at %+v, %v", v, err)
	}
}

// TestSevenHolders: 7 holders of 100 units share 997 cash units. Every entitlement is floored; the
// remainders add up to whole units that go back to the issuer with the reclaim, and the sums are
// exact at every step.
func TestSevenHolders(t *testing.T) {
	holders := []struct {
		a     address.Address
		units coin.Amount
		gross coin.Amount
	}{
		{addr("h1"), 30, 299}, {addr("h2"), 20, 199}, {addr("h3"), 15, 149}, {addr("h4"), 12, 119},
		{addr("h5"), 10, 99}, {addr("h6"), 8, 79}, {addr("h7"), 5, 49},
	}
	for _, all := range []bool{true, false} {
		t.Run(fmt.Sprintf("all-claim=%v", all), func(t *testing.T) {
			e := newEnv(t)
			for _, h := range holders {
				e.mint(h.a, h.units)
			}
			e.endBlock(5 * time.Second)
			cp := e.checkpoint(0)
			id := e.deposit(distributions.MsgDeposit{Checkpoint: cp, Amount: eur(997), Expiry: start.Add(48 * time.Hour).Unix()})
			if d := e.dist(id); d.Supply != 100 || d.Unclaimed() != 997 {
				t.Fatalf("deposit: %+v", d)
			}
			var paid, remNum coin.Amount
			for i, h := range holders {
				if !all && i == 0 {
					continue // h1 never claims
				}
				e.ok(&distributions.MsgClaim{Holder: h.a, Distribution: id})
				if got := e.bal(h.a, cash); got != h.gross {
					t.Fatalf("%d units: paid %d, want %d", h.units, got, h.gross)
				}
				paid += h.gross
				remNum += h.units*997 - h.gross*100
				d := e.dist(id)
				if d.Paid != paid || d.Remainder != remNum/100 || d.RemainderNum != remNum%100 {
					t.Fatalf("after holder %d: paid %d remainder %d+%d/100, want %d, %d+%d/100", i+1, d.Paid, d.Remainder, d.RemainderNum, paid, remNum/100, remNum%100)
				}
				if d.Paid+d.Withheld+d.Unclaimed()+d.Remainder != d.Amount.Amount {
					t.Fatalf("paid + withheld + unclaimed + remainder ≠ deposited: %+v", d)
				}
				e.invariants()
			}
			d := e.dist(id)
			wantRemainder, wantPaid := coin.Amount(4), coin.Amount(993)
			wantBack := wantRemainder
			if !all {
				// Without h1: the remainders of the six payments add up to 390/100, so 3 whole units
				// are remainder and 90/100 wait for h1's share (299, numerator 10) to make another:
				// the unclaimed 300 are h1's 299 and that unit. The reclaim returns both.
				wantRemainder, wantPaid = 3, 694
				wantBack = 300 + 3
			}
			if d.Paid != wantPaid || d.Remainder != wantRemainder || d.Outstanding() != wantBack {
				t.Fatalf("final: paid %d, remainder %d, outstanding %d", d.Paid, d.Remainder, d.Outstanding())
			}
			e.ctx.Time = start.Add(48 * time.Hour)
			before := e.bal(issuer, cash)
			evs := e.ok(&distributions.MsgReclaim{Issuer: issuer, Distribution: id})
			if got := e.bal(issuer, cash) - before; got != wantBack {
				t.Fatalf("issuer got back %d, want %d", got, wantBack)
			}
			ev := eventOf(evs, "distributions.reclaimed")
			if ev["amount"] != eur(wantBack).String() || ev["remainder"] != chain.Uint(wantRemainder) || ev["unclaimed"] != chain.Uint(wantBack-wantRemainder) {
				t.Fatalf("reclaimed event %v", ev)
			}
			if e.bal(distributions.EscrowAccount, cash) != 0 {
				t.Fatal("escrow not empty after the reclaim")
			}
			e.invariants()
		})
	}
}

func TestExpiryAndReclaim(t *testing.T) {
	e := newEnv(t)
	e.mint(alice, 3)
	e.mint(bob, 1)
	e.endBlock(5 * time.Second)
	e.ok(&distributions.MsgAppointAgent{Issuer: issuer, Asset: sec, Agent: agent})
	expiry := e.ctx.Time.Add(24 * time.Hour)
	id := e.deposit(distributions.MsgDeposit{Depositor: agent, Checkpoint: e.checkpoint(0), Amount: eur(1000), Expiry: expiry.Unix()})
	e.ok(&distributions.MsgClaim{Holder: alice, Distribution: id})

	e.fails(&distributions.MsgReclaim{Issuer: issuer, Distribution: id}, distributions.ErrNotExpired, "holders may still claim")
	e.ctx.Time = expiry.Add(-time.Second)
	e.fails(&distributions.MsgReclaim{Issuer: issuer, Distribution: id}, distributions.ErrNotExpired, "expires at")
	e.ctx.Time = expiry
	e.fails(&distributions.MsgClaim{Holder: bob, Distribution: id}, distributions.ErrExpired, "expired")
	e.fails(&distributions.MsgReclaim{Issuer: agent, Distribution: id}, distributions.ErrNotIssuer, "issued by")
	e.fails(&distributions.MsgReclaim{Issuer: mallory, Distribution: id}, distributions.ErrNotIssuer, "issued by")
	e.fails(&distributions.MsgReclaim{Issuer: authority.DAO(sec), Distribution: id}, distributions.ErrNotIssuer, "issued by") // the DAO does not reclaim
	e.fails(&distributions.MsgReclaim{Issuer: issuer, Distribution: 9}, distributions.ErrUnknownDistribution, "no distribution 9")
	before := e.bal(issuer, cash)
	e.ok(&distributions.MsgReclaim{Issuer: issuer, Distribution: id})
	if got := e.bal(issuer, cash) - before; got != 250 {
		t.Fatalf("issuer got %d back, want bob's unclaimed 250", got)
	}
	if d := e.dist(id); d.Status != distributions.StatusReclaimed || d.Reclaimed != 250 || d.Unclaimed() != 0 || d.Outstanding() != 0 {
		t.Fatalf("after reclaim: %+v", d)
	}
	e.fails(&distributions.MsgReclaim{Issuer: issuer, Distribution: id}, distributions.ErrReclaimed, "reclaimed")
	e.fails(&distributions.MsgClaim{Holder: bob, Distribution: id}, distributions.ErrReclaimed, "reclaimed")
	e.invariants()
}

func TestWithholdingByJurisdiction(t *testing.T) {
	e := newEnv(t)
	for _, a := range []address.Address{alice, bob, carol, dave} {
		e.mint(a, 250)
	}
	e.endBlock(5 * time.Second)
	id := e.deposit(distributions.MsgDeposit{Checkpoint: e.checkpoint(0), Amount: eur(10_000), TaxAccount: taxman, DefaultBps: 1500,
		Rates: []distributions.Rate{{Jurisdiction: "DE", Bps: 2638}, {Jurisdiction: "US", Bps: 3000}, {Jurisdiction: "FR", Bps: 0}}})
	cases := []struct {
		name     string
		holder   address.Address
		setup    func()
		juris    string
		bps      uint32
		withheld coin.Amount
	}{
		{"DE rate", alice, nil, "DE", 2638, 659}, // 2500 × 26.38 % = 659.5 → 659
		{"US rate", bob, nil, "US", 3000, 750},
		{"no identity: default", carol, nil, "", 1500, 375},
		{"identity without jurisdiction: default", dave, nil, "", 1500, 375},
	}
	var taxed coin.Amount
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.setup != nil {
				c.setup()
			}
			evs := e.ok(&distributions.MsgClaim{Holder: c.holder, Distribution: id})
			ev := eventOf(evs, "distributions.paid")
			if ev["jurisdiction"] != c.juris || ev["bps"] != chain.Uint(uint64(c.bps)) || ev["gross"] != "2500ueur" ||
				ev["withheld"] != eur(c.withheld).String() || ev["net"] != eur(2500-c.withheld).String() || ev["tax_account"] != taxman.String() {
				t.Fatalf("paid event %v", ev)
			}
			taxed += c.withheld
			if e.bal(c.holder, cash) != 2500-c.withheld || e.bal(taxman, cash) != taxed {
				t.Fatalf("holder has %d, tax account %d", e.bal(c.holder, cash), e.bal(taxman, cash))
			}
		})
	}
	if d := e.dist(id); d.Withheld != taxed || d.Paid != 10_000-taxed || d.Remainder != 0 {
		t.Fatalf("distribution %+v", d)
	}
	e.invariants()

	// The jurisdiction counts at payment time, not at the checkpoint: bob moves to FR (0 %).
	id2 := e.deposit(distributions.MsgDeposit{Checkpoint: e.checkpoint(0), Amount: eur(1000), TaxAccount: taxman, DefaultBps: 1500,
		Rates: []distributions.Rate{{Jurisdiction: "US", Bps: 3000}, {Jurisdiction: "FR", Bps: 0}}})
	e.issue("bob", identity.ClaimSet{Jurisdiction: "FR"})
	ent, err := e.k.EntitlementOf(e.ctx, id2, bob)
	if err != nil || ent.Jurisdiction != "FR" || ent.Withheld.Amount != 0 || ent.Net.Amount != 250 || !ent.Claimable {
		t.Fatalf("entitlement %+v %v", ent, err)
	}
	e.ok(&distributions.MsgClaim{Holder: bob, Distribution: id2})
	if p, _ := e.k.Payment(e.ctx, id2, bob); p.Jurisdiction != "FR" || p.Withheld != 0 || p.Net != 250 {
		t.Fatalf("payment %+v", p)
	}
}

func TestClaimOnce(t *testing.T) {
	e := newEnv(t)
	e.mint(alice, 10)
	e.endBlock(5 * time.Second)
	id := e.deposit(distributions.MsgDeposit{Checkpoint: e.checkpoint(0), Amount: eur(100)})
	e.ok(&distributions.MsgClaim{Holder: alice, Distribution: id})
	e.fails(&distributions.MsgClaim{Holder: alice, Distribution: id}, distributions.ErrAlreadyPaid, "was paid 100ueur")
	if e.bal(alice, cash) != 100 {
		t.Fatalf("alice holds %d", e.bal(alice, cash))
	}
	ent, _ := e.k.EntitlementOf(e.ctx, id, alice)
	if !ent.Paid || ent.Claimable || ent.Code != "distributions:13" || ent.Payment == nil || ent.Net.Amount != 100 {
		t.Fatalf("entitlement after the claim %+v", ent)
	}
	e.invariants()
}

func TestPushInBatches(t *testing.T) {
	e := newEnv(t)
	n := 2*distributions.MaxPushesPerBlock + 50
	holders := make([]address.Address, n)
	for i := range holders {
		holders[i] = addr(fmt.Sprintf("holder-%d", i))
		e.mint(holders[i], coin.Amount(1+i%3))
	}
	e.endBlock(5 * time.Second)
	e.ok(&distributions.MsgAppointAgent{Issuer: issuer, Asset: sec, Agent: agent})
	id := e.deposit(distributions.MsgDeposit{Depositor: agent, Checkpoint: e.checkpoint(0), Amount: eur(999_997)})
	e.ok(&distributions.MsgClaim{Holder: holders[7], Distribution: id}) // claims first: its push is skipped
	e.fails(&distributions.MsgPush{Agent: mallory, Distribution: id, Holders: holders[:1]}, distributions.ErrNotAgent, "paying agents")
	evs := e.ok(&distributions.MsgPush{Agent: agent, Distribution: id, Holders: holders[:200]})
	if ev := eventOf(evs, "distributions.push_queued"); ev["holders"] != "200" || ev["first"] != "1" || ev["last"] != "200" {
		t.Fatalf("push_queued %v", ev)
	}
	e.ok(&distributions.MsgPush{Agent: issuer, Distribution: id, Holders: holders[200:]}) // the issuer may push too
	if e.k.QueueLen(e.ctx) != uint64(n) {
		t.Fatalf("queue %d", e.k.QueueLen(e.ctx))
	}
	for block, want := range []int{100, 100, 50, 0} {
		evs := e.endBlock(5 * time.Second)
		paid, skipped := len(eventsOf(evs, "distributions.paid")), len(eventsOf(evs, "distributions.push_skipped"))
		if paid+skipped != want || paid+skipped > distributions.MaxPushesPerBlock {
			t.Fatalf("block %d: %d paid, %d skipped; want %d handled", block, paid, skipped, want)
		}
		if block == 0 {
			if skipped != 1 || eventOf(evs, "distributions.push_skipped")["code"] != "distributions:13" {
				t.Fatalf("the holder who claimed was not skipped: %v", eventsOf(evs, "distributions.push_skipped"))
			}
			if ev := eventOf(evs, "distributions.paid"); ev["via"] != "push" {
				t.Fatalf("pushed payment event %v", ev)
			}
		}
	}
	d := e.dist(id)
	if d.Payments != uint64(n) || d.ClaimedBalance != d.Supply || d.Unclaimed() != 0 || e.k.QueueLen(e.ctx) != 0 {
		t.Fatalf("after the pushes: %+v, queue %d", d, e.k.QueueLen(e.ctx))
	}
	for i, h := range holders {
		want, _, _ := coin.Amount(1+i%3).MulDiv(999_997, uint64(d.Supply))
		if e.bal(h, cash) != want {
			t.Fatalf("holder %d got %d, want %d", i, e.bal(h, cash), want)
		}
	}
	if d.Paid+d.Remainder != d.Amount.Amount {
		t.Fatalf("everyone paid: paid %d + remainder %d ≠ %s", d.Paid, d.Remainder, d.Amount)
	}
}

func TestFreezeBlocksClaim(t *testing.T) {
	e := newEnv(t)
	e.mint(alice, 60)
	e.mint(bob, 40)
	e.endBlock(5 * time.Second)
	id := e.deposit(distributions.MsgDeposit{Checkpoint: e.checkpoint(0), Amount: eur(1000)})
	e.ok(&compliance.MsgFreeze{Officer: officer, Asset: sec, Account: alice, Reason: "court order 7"})
	e.ok(&compliance.MsgFreeze{Officer: officer, Asset: sec, Account: bob, Amount: 10, Reason: "pledge"})
	e.fails(&distributions.MsgClaim{Holder: alice, Distribution: id}, distributions.ErrFrozen, "court order 7")
	e.ok(&distributions.MsgClaim{Holder: bob, Distribution: id}) // a partial freeze does not block
	// A push to a frozen holder is skipped; the holder keeps its right to claim.
	e.ok(&distributions.MsgPush{Agent: issuer, Distribution: id, Holders: []address.Address{alice}})
	evs := e.endBlock(5 * time.Second)
	if ev := eventOf(evs, "distributions.push_skipped"); ev["code"] != "distributions:18" || !strings.Contains(ev["reason"], "frozen") {
		t.Fatalf("push to a frozen holder: %v", evs)
	}
	e.ok(&compliance.MsgUnfreeze{Officer: officer, Asset: sec, Account: alice, Reason: "lifted"})
	e.ok(&distributions.MsgClaim{Holder: alice, Distribution: id})
	if e.bal(alice, cash) != 600 || e.bal(bob, cash) != 400 {
		t.Fatalf("alice %d, bob %d", e.bal(alice, cash), e.bal(bob, cash))
	}
	e.invariants()
}

func TestPausedCashAndDenyList(t *testing.T) {
	e := newEnv(t)
	e.mint(alice, 50)
	e.mint(carol, 50)
	e.endBlock(5 * time.Second)
	id := e.deposit(distributions.MsgDeposit{Checkpoint: e.checkpoint(0), Amount: eur(100), Expiry: start.Add(24 * time.Hour).Unix()})
	e.ok(&assets.MsgPause{Controller: bankCo, Denom: cash, Reason: "incident 12"})
	e.fails(&distributions.MsgClaim{Holder: alice, Distribution: id}, distributions.ErrCashPaused, "incident 12")
	e.fails(&distributions.MsgDeposit{Depositor: issuer, Asset: sec, Checkpoint: 1, Amount: eur(5), Expiry: start.Add(24 * time.Hour).Unix()}, distributions.ErrCashPaused, "paused")
	e.ok(&assets.MsgUnpause{Controller: bankCo, Denom: cash, Reason: "resolved"})
	e.ok(&distributions.MsgClaim{Holder: alice, Distribution: id})
	e.ok(&compliance.MsgDeny{Officer: officer, Account: carol, Reason: "OFAC SDN"})
	e.fails(&distributions.MsgClaim{Holder: carol, Distribution: id}, distributions.ErrDenied, "OFAC SDN")
	e.ctx.Time = start.Add(24 * time.Hour)
	e.ok(&assets.MsgPause{Controller: bankCo, Denom: cash, Reason: "incident 13"})
	e.fails(&distributions.MsgReclaim{Issuer: issuer, Distribution: id}, distributions.ErrCashPaused, "incident 13")
	e.ok(&assets.MsgUnpause{Controller: bankCo, Denom: cash, Reason: "resolved"})
	before := e.bal(issuer, cash)
	e.ok(&distributions.MsgReclaim{Issuer: issuer, Distribution: id})
	if e.bal(issuer, cash)-before != 50 {
		t.Fatalf("carol's 50 did not go back to the issuer")
	}
	e.invariants()
}

// TestBadInputs: each refused msg answers with its code and a clear message, and changes nothing.
func TestBadInputs(t *testing.T) {
	e := newEnv(t)
	e.mint(alice, 10)
	e.endBlock(5 * time.Second)
	cp := e.checkpoint(0)
	future := e.checkpoint(start.Add(time.Hour).Unix())
	e.ok(&distributions.MsgCreateCheckpoint{Issuer: issuer, Asset: sec2})
	other := cp + 2
	empty := e.checkpoint(0) // ubridge had supply before: fine; see "no supply" below for utunnel
	_ = empty
	expiry := e.ctx.Time.Add(30 * 24 * time.Hour).Unix()
	good := func(f func(m *distributions.MsgDeposit)) *distributions.MsgDeposit {
		m := &distributions.MsgDeposit{Depositor: issuer, Asset: sec, Checkpoint: cp, Amount: eur(1000), Expiry: expiry}
		f(m)
		return m
	}
	cases := []struct {
		name string
		msg  tx.Msg
		code *codes.Error
		in   string
	}{
		{"non-issuer deposit", good(func(m *distributions.MsgDeposit) { m.Depositor = mallory }), distributions.ErrNotAgent, "not one of its paying agents"},
		{"unknown checkpoint", good(func(m *distributions.MsgDeposit) { m.Checkpoint = 99 }), distributions.ErrUnknownCheckpoint, "no checkpoint 99"},
		{"checkpoint of another asset", good(func(m *distributions.MsgDeposit) { m.Checkpoint = other }), distributions.ErrUnknownCheckpoint, "is of utunnel, not ubridge"},
		{"checkpoint in the future", good(func(m *distributions.MsgDeposit) { m.Checkpoint = future }), distributions.ErrCheckpointPending, "record time"},
		{"zero amount", good(func(m *distributions.MsgDeposit) { m.Amount = eur(0) }), distributions.ErrInvalidMsg, "must be positive"},
		{"cash of kind pass", good(func(m *distributions.MsgDeposit) { m.Amount = coin.New(pass, 5) }), distributions.ErrNotCash, "is a pass asset"},
		{"cash of kind security", good(func(m *distributions.MsgDeposit) { m.Amount = coin.New(sec2, 5) }), distributions.ErrNotCash, "is a security asset"},
		{"gas token as cash", good(func(m *distributions.MsgDeposit) { m.Amount = coin.New(native, 5) }), distributions.ErrNotCash, "not an asset issued"},
		{"paying in the asset itself", good(func(m *distributions.MsgDeposit) { m.Amount = coin.New(sec, 5) }), distributions.ErrInvalidMsg, "both ubridge"},
		{"unknown asset", good(func(m *distributions.MsgDeposit) { m.Asset = "ughost" }), distributions.ErrUnknownAsset, "ughost"},
		{"untracked asset", good(func(m *distributions.MsgDeposit) { m.Asset = pass }), distributions.ErrNotTracked, "is a pass asset"},
		{"expiry too soon", good(func(m *distributions.MsgDeposit) { m.Expiry = e.ctx.Time.Unix() + 60 }), distributions.ErrBadTime, "at least 3600 s"},
		{"expiry too far", good(func(m *distributions.MsgDeposit) { m.Expiry = e.ctx.Time.Add(20 * year).Unix() }), distributions.ErrBadTime, "at most"},
		{"rates without tax account", good(func(m *distributions.MsgDeposit) { m.DefaultBps = 100 }), distributions.ErrInvalidMsg, "tax_account"},
		{"rate above 100 %", good(func(m *distributions.MsgDeposit) {
			m.TaxAccount, m.Rates = taxman, []distributions.Rate{{Jurisdiction: "DE", Bps: 10_001}}
		}), distributions.ErrInvalidMsg, "10001 bps"},
		{"rate given twice", good(func(m *distributions.MsgDeposit) {
			m.TaxAccount, m.Rates = taxman, []distributions.Rate{{Jurisdiction: "DE", Bps: 1}, {Jurisdiction: "DE", Bps: 2}}
		}), distributions.ErrInvalidMsg, "twice"},
		{"bad jurisdiction", good(func(m *distributions.MsgDeposit) {
			m.TaxAccount, m.Rates = taxman, []distributions.Rate{{Jurisdiction: "de", Bps: 1}}
		}), distributions.ErrInvalidMsg, "alpha-2"},
		{"module account as tax account", good(func(m *distributions.MsgDeposit) { m.TaxAccount, m.DefaultBps = compliance.HoldAccount, 100 }), distributions.ErrModuleAccount, "module account"},
		{"more cash than held", good(func(m *distributions.MsgDeposit) { m.Amount = eur(20_000_000) }), bank.ErrInsufficientFunds, "has 10000000ueur"},
		{"no supply at the checkpoint", &distributions.MsgDeposit{Depositor: issuer, Asset: sec2, Checkpoint: other, Amount: eur(5), Expiry: expiry}, distributions.ErrNoSupply, "no supply"},
		{"checkpoint by non-issuer", &distributions.MsgCreateCheckpoint{Issuer: mallory, Asset: sec}, distributions.ErrNotIssuer, "issued by"},
		{"checkpoint in the past", &distributions.MsgCreateCheckpoint{Issuer: issuer, Asset: sec, RecordTime: start.Add(-time.Hour).Unix()}, distributions.ErrBadTime, "want 0 (now)"},
		{"checkpoint at the block time", &distributions.MsgCreateCheckpoint{Issuer: issuer, Asset: sec, RecordTime: e.ctx.Time.Unix()}, distributions.ErrBadTime, "after the block time"},
		{"checkpoint of a pass", &distributions.MsgCreateCheckpoint{Issuer: issuer, Asset: pass}, distributions.ErrNotTracked, "securities"},
		{"claim of unknown distribution", &distributions.MsgClaim{Holder: alice, Distribution: 5}, distributions.ErrUnknownDistribution, "no distribution 5"},
		{"claim id 0", &distributions.MsgClaim{Holder: alice}, distributions.ErrInvalidMsg, "id 0"},
		{"push nobody", &distributions.MsgPush{Agent: issuer, Distribution: 1}, distributions.ErrInvalidMsg, "0 holders"},
		{"push twice the same", &distributions.MsgPush{Agent: issuer, Distribution: 1, Holders: []address.Address{alice, alice}}, distributions.ErrInvalidMsg, "twice"},
		{"agent by non-issuer", &distributions.MsgAppointAgent{Issuer: mallory, Asset: sec, Agent: agent}, distributions.ErrNotIssuer, "issued by"},
		{"remove unknown agent", &distributions.MsgRemoveAgent{Issuer: issuer, Asset: sec, Agent: agent}, distributions.ErrUnknownAgent, "not a paying agent"},
	}
	genesis := func() string {
		out, err := e.m.ExportGenesis(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	before, issuerCash := genesis(), e.bal(issuer, cash)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.fails(c.msg, c.code, c.in)
			if genesis() != before || e.bal(issuer, cash) != issuerCash || e.bal(distributions.EscrowAccount, cash) != 0 {
				t.Fatal("a refused msg changed the state")
			}
		})
	}
	// An appointed agent deposits; a removed one no longer may.
	e.ok(&distributions.MsgAppointAgent{Issuer: issuer, Asset: sec, Agent: agent})
	e.fails(&distributions.MsgAppointAgent{Issuer: issuer, Asset: sec, Agent: agent}, distributions.ErrAgentExists, "already")
	e.deposit(distributions.MsgDeposit{Depositor: agent, Checkpoint: cp, Amount: eur(10)})
	e.ok(&distributions.MsgRemoveAgent{Issuer: issuer, Asset: sec, Agent: agent})
	e.fails(good(func(m *distributions.MsgDeposit) { m.Depositor = agent }), distributions.ErrNotAgent, "paying agents")
	e.invariants()
}

func TestScheduledCheckpointsAreBoundedPerBlock(t *testing.T) {
	e := newEnv(t)
	e.mint(alice, 1)
	record := start.Add(time.Minute).Unix()
	n := distributions.MaxCheckpointsPerBlock + 5
	for i := 0; i < n; i++ {
		e.checkpoint(record)
	}
	e.ctx.Time = start.Add(time.Minute)
	evs := e.endBlock(5 * time.Second)
	if got := len(eventsOf(evs, "distributions.checkpoint_taken")); got != distributions.MaxCheckpointsPerBlock {
		t.Fatalf("%d taken in one block", got)
	}
	evs = e.endBlock(5 * time.Second)
	if got := len(eventsOf(evs, "distributions.checkpoint_taken")); got != 5 {
		t.Fatalf("%d taken in the next block, want 5", got)
	}
	last, _ := e.k.Checkpoint(e.ctx, uint64(n))
	if last.Status != distributions.CheckpointTaken || last.Height != e.ctx.Height-1 {
		t.Fatalf("the last checkpoint %+v", last)
	}
}

func TestQueries(t *testing.T) {
	e := newEnv(t)
	e.mint(alice, 3)
	e.mint(bob, 4)
	e.endBlock(5 * time.Second)
	e.ok(&distributions.MsgAppointAgent{Issuer: issuer, Asset: sec, Agent: agent})
	cp := e.checkpoint(0)
	sched := e.checkpoint(start.Add(time.Hour).Unix())
	id := e.deposit(distributions.MsgDeposit{Checkpoint: cp, Amount: eur(100), TaxAccount: taxman, Rates: []distributions.Rate{{Jurisdiction: "DE", Bps: 1500}}})
	e.ok(&distributions.MsgPush{Agent: agent, Distribution: id, Holders: []address.Address{bob}})
	q := func(data string, path ...string) any {
		t.Helper()
		v, err := e.m.Query(e.ctx, path, []byte(data))
		if err != nil {
			t.Fatalf("query %v: %v", path, err)
		}
		if _, err := json.Marshal(v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if c := q("", "checkpoint", chain.Uint(cp)).(distributions.CheckpointInfo); c.Supply != 7 || c.Height != 10 {
		t.Fatalf("checkpoint %+v", c)
	}
	if l := q("limit=1", "checkpoints", sec).(distributions.CheckpointList); len(l.Checkpoints) != 1 || l.Next != cp {
		t.Fatalf("checkpoints page %+v", l)
	}
	if l := q("after=1", "checkpoints", sec).(distributions.CheckpointList); len(l.Checkpoints) != 1 || l.Checkpoints[0].ID != sched {
		t.Fatalf("checkpoints after 1 %+v", l)
	}
	if d := q("", "distribution", chain.Uint(id)).(distributions.DistributionInfo); d.Outstanding != 100 || d.Unclaimed != 100 {
		t.Fatalf("distribution %+v", d)
	}
	if l := q("", "distributions", sec).(distributions.DistributionList); len(l.Distributions) != 1 {
		t.Fatalf("distributions %+v", l)
	}
	// 3 × 100 / 7 = 42 rem 6; DE withholds 15 %: 6.3 → 6.
	ent := q("", "entitlement", chain.Uint(id), alice.String()).(distributions.Entitlement)
	if ent.Balance != 3 || ent.Gross.Amount != 42 || ent.Withheld.Amount != 6 || ent.Net.Amount != 36 || ent.Paid || !ent.Claimable || ent.Jurisdiction != "DE" {
		t.Fatalf("entitlement %+v", ent)
	}
	if a := q("", "agents", sec).([]distributions.Agent); len(a) != 1 || a[0].Agent != agent {
		t.Fatalf("agents %+v", a)
	}
	if r := q("", "queue").(distributions.QueueResult); r.Length != 1 || r.Entries[0].Holder != bob {
		t.Fatalf("queue %+v", r)
	}
	if tr := q("", "tracked").([]distributions.Tracked); len(tr) != 2 || tr[0].Denom != sec || tr[1].Denom != sec2 {
		t.Fatalf("tracked %+v", tr)
	}
	for _, bad := range []struct {
		path []string
		data string
		code *codes.Error
	}{
		{[]string{"checkpoint", "0"}, "", chain.ErrBadQuery},
		{[]string{"checkpoint", "77"}, "", distributions.ErrUnknownCheckpoint},
		{[]string{"checkpoints", pass}, "", distributions.ErrNotTracked},
		{[]string{"checkpoints", sec}, "limit=9999", chain.ErrBadQuery},
		{[]string{"checkpoints", sec}, "status=open", chain.ErrBadQuery},
		{[]string{"balance-at", sec, chain.Uint(sched), alice.String()}, "", distributions.ErrCheckpointPending},
		{[]string{"balance-at", sec2, chain.Uint(cp), alice.String()}, "", distributions.ErrUnknownCheckpoint},
		{[]string{"balance-at", sec, chain.Uint(cp), "gir1nope"}, "", chain.ErrBadQuery},
		{[]string{"entitlement", "9", alice.String()}, "", distributions.ErrUnknownDistribution},
		{[]string{"nothing"}, "", chain.ErrBadQuery},
	} {
		if _, err := e.m.Query(e.ctx, bad.path, []byte(bad.data)); !errors.Is(err, bad.code) {
			t.Errorf("query %v %q: %v, want %s/%d", bad.path, bad.data, err, bad.code.Module, bad.code.Code)
		}
	}
	// The published routes register without conflicts (as the API does) and each answers.
	mux := http.NewServeMux()
	for _, r := range e.m.QueryRoutes() {
		mux.HandleFunc("GET /v1"+r.Path, func(http.ResponseWriter, *http.Request) {})
		path := r.Query
		for name, v := range map[string]string{"{id}": chain.Uint(id), "{denom}": sec, "{checkpoint}": chain.Uint(cp), "{address}": alice.String()} {
			path = strings.ReplaceAll(path, name, v)
		}
		parts := strings.Split(strings.TrimPrefix(path, "/distributions/"), "/")
		if _, err := e.m.Query(e.ctx, parts, nil); err != nil {
			t.Errorf("route %s (%s): %v", r.Path, path, err)
		}
	}
}

// TestModuleAccountsAreNotPaid: compliance's hold account held securities at the checkpoint (a
// transfer waiting for an officer); a push to it is skipped, and its share is reclaimed.
func TestModuleAccountsAreNotPaid(t *testing.T) {
	e := newEnv(t)
	e.mint(alice, 100)
	e.ok(&compliance.MsgSetRules{Officer: officer, Asset: sec, Rules: []compliance.Rule{{ID: "big", Kind: compliance.KindLargeTransfer,
		Outcome: compliance.OutcomeHold, Params: compliance.Params{Amount: 50}}}})
	e.send(alice, bob, sec, 50) // held
	if e.bal(compliance.HoldAccount, sec) != 50 {
		t.Fatal("no hold")
	}
	e.endBlock(5 * time.Second)
	id := e.deposit(distributions.MsgDeposit{Checkpoint: e.checkpoint(0), Amount: eur(100), Expiry: e.ctx.Time.Add(2 * time.Hour).Unix()})
	e.ok(&distributions.MsgPush{Agent: issuer, Distribution: id, Holders: []address.Address{compliance.HoldAccount, alice}})
	evs := e.endBlock(5 * time.Second)
	if ev := eventOf(evs, "distributions.push_skipped"); ev["code"] != "distributions:25" || ev["holder"] != compliance.HoldAccount.String() {
		t.Fatalf("push to the hold account: %v", evs)
	}
	if e.bal(alice, cash) != 50 || e.bal(compliance.HoldAccount, cash) != 0 {
		t.Fatal("wrong payments")
	}
	e.ctx.Time = e.ctx.Time.Add(2 * time.Hour)
	before := e.bal(issuer, cash)
	e.ok(&distributions.MsgReclaim{Issuer: issuer, Distribution: id})
	if e.bal(issuer, cash)-before != 50 {
		t.Fatal("the hold account's share was not reclaimed")
	}
	e.invariants()
}

func TestInvariantsCatchCorruption(t *testing.T) {
	setup := func(t *testing.T) (*env, uint64) {
		e := newEnv(t)
		e.mint(alice, 3)
		e.mint(bob, 4)
		e.endBlock(5 * time.Second)
		id := e.deposit(distributions.MsgDeposit{Checkpoint: e.checkpoint(0), Amount: eur(100)})
		e.ok(&distributions.MsgClaim{Holder: alice, Distribution: id})
		e.checkpoint(start.Add(time.Hour).Unix())
		e.ok(&distributions.MsgPush{Agent: issuer, Distribution: id, Holders: []address.Address{bob}})
		return e, id
	}
	inv := func(m *distributions.Module, name string) chain.Invariant {
		for _, i := range m.Invariants() {
			if i.Name == name {
				return i
			}
		}
		t.Fatalf("no invariant %s", name)
		return chain.Invariant{}
	}
	st := func(e *env) store.KV { return e.ctx.Store(distributions.StorePrefix) }
	be := func(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }
	editDist := func(e *env, id uint64, f func(d *distributions.Distribution)) {
		key := append([]byte("d/"), be(id)...)
		var d distributions.Distribution
		canon.MustDecode(st(e).Get(key), &d)
		f(&d)
		st(e).Set(key, canon.MustMarshal(&d))
	}
	t.Run("balance changed behind the history", func(t *testing.T) {
		e, _ := setup(t)
		chaintest.InvariantCatches(t, inv(e.m, "distributions/history-matches-balances"), e.ctx, func() {
			key := append(append([]byte("b/"), alice[:]...), sec...)
			e.ctx.Store(bank.StorePrefix).Set(key, canon.MustMarshal(coin.Amount(9)))
		}, "history of ubridge ends at 3")
	})
	t.Run("history entry lost", func(t *testing.T) {
		e, _ := setup(t)
		chaintest.InvariantCatches(t, inv(e.m, "distributions/history-matches-balances"), e.ctx, func() {
			st(e).Delete(append(append(append([]byte("h/"+sec), 0), bob[:]...), be(10)...))
		}, "no balance history")
	})
	t.Run("supply history", func(t *testing.T) {
		e, _ := setup(t)
		chaintest.InvariantCatches(t, inv(e.m, "distributions/history-matches-balances"), e.ctx, func() {
			st(e).Set(append(append([]byte("s/"+sec), 0), be(uint64(e.ctx.Height))...), canon.MustMarshal(coin.Amount(8)))
		}, "supply history of ubridge ends at 8")
	})
	t.Run("escrow", func(t *testing.T) {
		e, _ := setup(t)
		chaintest.InvariantCatches(t, inv(e.m, "distributions/escrow-equals-outstanding"), e.ctx, func() {
			if err := e.bank.Mint(e.ctx, distributions.EscrowAccount, eur(1)); err != nil {
				t.Fatal(err)
			}
		}, "escrow holds 59ueur; the distributions have 58ueur outstanding")
	})
	t.Run("paid recorded wrong", func(t *testing.T) {
		e, id := setup(t)
		chaintest.InvariantCatches(t, inv(e.m, "distributions/conservation"), e.ctx, func() {
			editDist(e, id, func(d *distributions.Distribution) { d.Paid++ })
		}, "the remainder is not what the divisions left")
	})
	t.Run("remainder recorded wrong", func(t *testing.T) {
		e, id := setup(t)
		chaintest.InvariantCatches(t, inv(e.m, "distributions/conservation"), e.ctx, func() {
			editDist(e, id, func(d *distributions.Distribution) { d.Paid, d.Remainder = d.Paid-1, d.Remainder+1 })
		}, "payments add up")
	})
	t.Run("reclaimed while outstanding", func(t *testing.T) {
		e, id := setup(t)
		chaintest.InvariantCatches(t, inv(e.m, "distributions/conservation"), e.ctx, func() {
			editDist(e, id, func(d *distributions.Distribution) { d.Status = distributions.StatusReclaimed })
		}, "still outstanding")
	})
	t.Run("due index", func(t *testing.T) {
		e, _ := setup(t)
		chaintest.InvariantCatches(t, inv(e.m, "distributions/indexes"), e.ctx, func() {
			st(e).Delete(append(append([]byte("cd/"), be(uint64(start.Add(time.Hour).Unix()))...), be(2)...))
		}, "checkpoint 2 is scheduled")
	})
	t.Run("queue length", func(t *testing.T) {
		e, _ := setup(t)
		chaintest.InvariantCatches(t, inv(e.m, "distributions/indexes"), e.ctx, func() {
			st(e).Set([]byte("qn"), canon.MustMarshal(uint64(5)))
		}, "push queue length 5")
	})
}

// TestGenesisRoundTrip exports a chain with every kind of record, imports it into a fresh chain
// at the next height (modules in the app's order: the assets creation hook tracks the securities
// first, distributions' genesis then replaces their history) and exports the same.
func TestGenesisRoundTrip(t *testing.T) {
	e := newEnv(t)
	e.mint(alice, 30)
	e.mint(bob, 70)
	e.ok(&assets.MsgMint{Issuer: issuer, Denom: sec2, Amount: 5, To: carol})
	e.endBlock(5 * time.Second)
	e.ok(&distributions.MsgAppointAgent{Issuer: issuer, Asset: sec, Agent: agent})
	cp := e.checkpoint(0)
	e.checkpoint(start.Add(24 * time.Hour).Unix())
	open := e.deposit(distributions.MsgDeposit{Checkpoint: cp, Amount: eur(999), TaxAccount: taxman, DefaultBps: 1000,
		Rates: []distributions.Rate{{Jurisdiction: "DE", Bps: 2500}}, Memo: "FY2025 dividend"})
	closed := e.deposit(distributions.MsgDeposit{Depositor: agent, Checkpoint: cp, Amount: eur(10), Expiry: start.Add(2 * time.Hour).Unix()})
	e.ok(&distributions.MsgClaim{Holder: alice, Distribution: open})
	e.ok(&distributions.MsgClaim{Holder: alice, Distribution: closed})
	e.send(bob, dave, sec, 20)
	e.endBlock(3 * time.Hour)
	e.ok(&distributions.MsgReclaim{Issuer: issuer, Distribution: closed})
	e.ok(&distributions.MsgPush{Agent: agent, Distribution: open, Holders: []address.Address{bob, carol}})
	e.invariants()

	states := map[string]json.RawMessage{}
	for _, m := range e.mods {
		out, err := m.ExportGenesis(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		states[m.Name()] = out
	}
	var g distributions.Genesis
	if err := json.Unmarshal(states[distributions.ModuleName], &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Tracked) != 2 || len(g.BalanceHistory) == 0 || len(g.SupplyHistory) != 2 || len(g.Agents) != 1 || len(g.Checkpoints) != 2 ||
		len(g.Distributions) != 2 || len(g.Payments) != 2 || len(g.Queue) != 2 || g.PushSequence != 2 {
		t.Fatalf("export: %s", states[distributions.ModuleName])
	}
	f := wire(t, e.ctx.Height+1)
	f.ctx.Time = e.ctx.Time
	// Not compliance's: identity's genesis links accounts without telling compliance, whose
	// holdings of linked accounts are then counted per account (outside this module).
	f.inv = []chain.Module{f.mods[1], f.mods[4], f.m}
	for _, m := range f.mods {
		if err := m.InitGenesis(f.ctx, states[m.Name()]); err != nil {
			t.Fatalf("%s: %v", m.Name(), err)
		}
	}
	again, err := f.m.ExportGenesis(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(states[distributions.ModuleName]) {
		t.Fatalf("round trip differs:\n%s\n%s", states[distributions.ModuleName], again)
	}
	f.invariants()
	// The imported chain goes on: the queue pays, balances at the old checkpoint still answer.
	evs := f.endBlock(5 * time.Second)
	if n := len(eventsOf(evs, "distributions.paid")); n != 1 { // carol held no ubridge at the checkpoint: skipped
		t.Fatalf("%d paid after import: %v", n, evs)
	}
	if f.k.BalanceAt(f.ctx, sec, bob, 10) != 70 || f.k.BalanceAt(f.ctx, sec, bob, f.ctx.Height) != 50 {
		t.Fatal("history lost in the round trip")
	}
}

func TestGenesisTracksSecuritiesWithBalances(t *testing.T) {
	// A new chain whose bank and assets genesis already hold a security: the creation hook records
	// the genesis balances as its first history, so a checkpoint in the first block sees them.
	f := wire(t, 1)
	sa := assets.Asset{Denom: sec, Kind: assets.KindSecurity, Name: "Bridge", Symbol: "BRIDGE", Issuer: issuer, Controller: issuer}
	for _, s := range []struct {
		m chain.Module
		g any
	}{
		{f.mods[0], auth.Genesis{Accounts: []auth.Account{}, Roles: []auth.GenesisRole{{Role: auth.RoleAdmin, Address: admin}}}},
		{f.mods[1], bank.Genesis{Units: []coin.Unit{chaintest.GRD, sa.Unit()}, Balances: []bank.Balance{{Address: alice, Coins: []coin.Coin{coin.New(sec, 40)}}, {Address: bob, Coins: []coin.Coin{coin.New(sec, 60)}}}}},
		{f.mods[2], identity.DefaultGenesis()},
		{f.mods[3], compliance.DefaultGenesis()},
		{f.mods[4], assets.Genesis{Assets: []assets.Asset{sa}, Documents: []assets.Document{}}},
		{f.mods[5], distributions.DefaultGenesis()},
	} {
		if err := s.m.InitGenesis(f.ctx, chaintest.GenesisJSON(t, s.g)); err != nil {
			t.Fatalf("%s: %v", s.m.Name(), err)
		}
	}
	f.invariants()
	if f.k.BalanceAt(f.ctx, sec, bob, 1) != 60 || f.k.SupplyAt(f.ctx, sec, 1) != 100 {
		t.Fatal("genesis balances not recorded")
	}
	for _, bad := range []struct{ json, inErr string }{
		{`{"tracked":[{"denom":"ughost","since_height":0}]}`, "ughost"},
		{`{"balance_history":[{"asset":"ubridge","address":"` + alice.String() + `","height":0,"amount":"1"}]}`, "not tracked"},
		{`{"checkpoints":[{"id":3,"asset":"ubridge","status":"taken","created_by":"` + alice.String() + `","created_height":0,"created_time":0}],"checkpoint_sequence":2}`, "checkpoint 3"},
		{`{"unknown":1}`, "unknown"},
	} {
		g := wire(t, 1)
		for _, m := range g.mods[:5] {
			_ = m.InitGenesis(g.ctx, json.RawMessage(`{}`))
		}
		if err := g.m.InitGenesis(g.ctx, json.RawMessage(bad.json)); err == nil || !strings.Contains(err.Error(), bad.inErr) {
			t.Errorf("genesis %s: %v, want an error saying %q", bad.json, err, bad.inErr)
		}
	}
}

// TestWorkedExample replays the example of docs/distributions.md.
func TestWorkedExample(t *testing.T) {
	e := newEnv(t)
	e.mint(alice, 3)
	e.mint(bob, 2)
	e.mint(carol, 2)
	e.endBlock(5 * time.Second)
	id := e.deposit(distributions.MsgDeposit{Checkpoint: e.checkpoint(0), Amount: eur(100), TaxAccount: taxman, DefaultBps: 1000,
		Rates: []distributions.Rate{{Jurisdiction: "DE", Bps: 1500}, {Jurisdiction: "US", Bps: 3000}}})
	rows := []struct {
		holder                                                address.Address
		withheld, net                                         coin.Amount
		paid, withheldSum, remNum, remainder, escrow, unclaim coin.Amount
	}{
		{alice, 6, 36, 36, 6, 6, 0, 58, 58},
		{bob, 8, 20, 56, 14, 3, 1, 30, 29},
		{carol, 2, 26, 82, 16, 0, 2, 2, 0},
	}
	for _, r := range rows {
		e.ok(&distributions.MsgClaim{Holder: r.holder, Distribution: id})
		p, _ := e.k.Payment(e.ctx, id, r.holder)
		d := e.dist(id)
		if p.Withheld != r.withheld || p.Net != r.net || d.Paid != r.paid || d.Withheld != r.withheldSum || d.RemainderNum != r.remNum ||
			d.Remainder != r.remainder || e.bal(distributions.EscrowAccount, cash) != r.escrow || d.Unclaimed() != r.unclaim {
			t.Fatalf("after %s: payment %+v, distribution %+v", r.holder, p, d)
		}
	}
}
