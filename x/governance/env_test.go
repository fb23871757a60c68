package governance_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/authority"
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
	"github.com/girder-chain/girder/x/fees"
	"github.com/girder-chain/girder/x/governance"
	"github.com/girder-chain/girder/x/identity"
)

func addr(name string) address.Address { return address.FromPubKey("ed25519", []byte(name)) }

var (
	admin    = addr("admin")
	kyc      = addr("kyc")
	issuer   = addr("issuer") // asset_issuer: issues ubridge
	bankCo   = addr("bank")   // cash_issuer: issues ueur
	ministry = addr("ministry")
	alice    = addr("alice") // 600 ubridge
	bob      = addr("bob")   // 300 ubridge
	carol    = addr("carol") // 100 ubridge
	dave     = addr("dave")  // KYC, no ubridge
	mallory  = addr("mallory")
	m1       = addr("member-1")
	m2       = addr("member-2")
	m3       = addr("member-3")
	treasury = address.Module("projects/treasury/" + project)
	dao      = authority.DAO(sec)
	start    = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	hour     = time.Hour
	day      = 24 * hour
)

const (
	native  = "ugrd"
	cash    = "ueur"
	sec     = "ubridge"
	sec2    = "utunnel" // a security with no project
	project = "harbour-bridge"
	deposit = 1_000
)

// ---- fakes of what other engineers build (x/projects' DAO powers, the member role) ----

// msgSpend stands for projects/spend: the DAO moves money out of the project's treasury.
type msgSpend struct {
	Authority address.Address `cbor:"1,keyasint"`
	Project   string          `cbor:"2,keyasint"`
	To        address.Address `cbor:"3,keyasint"`
	Amount    coin.Coin       `cbor:"4,keyasint"`
}

func (*msgSpend) MsgType() string           { return "projects/spend" }
func (m *msgSpend) Signer() address.Address { return m.Authority }
func (m *msgSpend) Validate() error {
	if m.Authority.IsZero() || m.To.IsZero() || m.Project == "" {
		return errFake.Wrapf("zero address or no project")
	}
	return m.Amount.Validate()
}

// msgSetParameter stands for projects/set_parameter. Value "fail" fails at execution, with a
// kept event (fakeprojects.refused).
type msgSetParameter struct {
	Authority address.Address `cbor:"1,keyasint"`
	Project   string          `cbor:"2,keyasint"`
	Name      string          `cbor:"3,keyasint"`
	Value     string          `cbor:"4,keyasint"`
}

func (*msgSetParameter) MsgType() string           { return "projects/set_parameter" }
func (m *msgSetParameter) Signer() address.Address { return m.Authority }
func (m *msgSetParameter) Validate() error {
	if m.Authority.IsZero() || m.Name == "" {
		return errFake.Wrapf("zero authority or no name")
	}
	return nil
}

var (
	errFake        = codes.Register("fakeprojects", 2, "fake projects failure")
	errNoProject   = codes.Register("fakeprojects", 3, "unknown project")
	protectedNames = []string{"concession_term", "tariff_cap"}
)

// fakeProjects is x/projects as governance sees it: one project linked to sec, whose agency is
// ministry; its parameters; a scoper of its msgs.
type fakeProjects struct {
	params map[string]string
}

func (f *fakeProjects) IsAgency(_ chain.Context, p string, a address.Address) bool {
	return p == project && a == ministry
}

func (f *fakeProjects) ProjectOfSecurity(_ chain.Context, denom string) (string, address.Address, bool) {
	if denom == sec {
		return project, treasury, true
	}
	return "", address.Address{}, false
}

func (f *fakeProjects) DAOScope(_ chain.Context, m tx.Msg) (string, string, []string, error) {
	var p string
	var prot []string
	switch m := m.(type) {
	case *msgSpend:
		p = m.Project
	case *msgSetParameter:
		p = m.Project
		for _, n := range protectedNames {
			if n == m.Name {
				prot = []string{n}
			}
		}
	default:
		return "", "", nil, errFake.Wrapf("%s is not a DAO msg", m.MsgType())
	}
	if p != project {
		return "", "", nil, errNoProject.Wrapf("no project %q", p)
	}
	return sec, p, prot, nil
}

// fakeRoles answers the chain role member (x/auth does not know it yet).
type fakeRoles struct{ members map[address.Address]bool }

func (r *fakeRoles) HasRole(_ chain.Context, a address.Address, role string) bool {
	return role == governance.RoleMember && r.members[a]
}

func (r *fakeRoles) Holders(_ chain.Context, role string) []address.Address {
	out := []address.Address{}
	if role != governance.RoleMember {
		return out
	}
	for a := range r.members {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i][:], out[j][:]) < 0 })
	return out
}

type env struct {
	t     testing.TB
	ctx   chain.Context
	bank  bank.Keeper
	as    assets.Keeper
	dist  distributions.Keeper
	fees  fees.Keeper
	k     governance.Keeper
	m     *governance.Module
	proj  *fakeProjects
	roles *fakeRoles
	reg   *tx.Registry
	mods  []chain.Module // whose invariants are checked after every block
	route map[string]func(chain.Context, tx.Msg) error
	// routed counts the msgs the router executed, per type.
	routed map[string]int
}

// newEnv wires auth, bank, fees, identity, compliance, assets, distributions and governance
// like app/app.go (governance as a bank balance hook after distributions), with fakes for the
// projects' DAO powers and the member role, at height 10 and time start. issuer creates the
// security ubridge (linked to the project) and mints alice 600, bob 300, carol 100 and the
// treasury 1,000; alice, bob and carol hold 10,000 ugrd, the treasury 1,000,000.
func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := chain.NewContext(store.NewCache(store.OpenMemory()), 10, start, chaintest.ChainID, chain.ModeDeliver)
	au := auth.NewKeeper()
	e := &env{t: t, ctx: ctx, route: map[string]func(chain.Context, tx.Msg) error{}, routed: map[string]int{},
		proj: &fakeProjects{params: map[string]string{}}, roles: &fakeRoles{members: map[address.Address]bool{m1: true, m2: true, m3: true}}}
	modules := []address.Address{compliance.HoldAccount, distributions.EscrowAccount, governance.EscrowAccount}
	e.bank = bank.NewKeeper(au, map[address.Address]string{compliance.HoldAccount: compliance.ModuleName,
		distributions.EscrowAccount: distributions.ModuleName, governance.EscrowAccount: governance.ModuleName})
	e.fees = fees.NewKeeper(e.bank)
	ids := identity.NewKeeper(au)
	comp := compliance.NewKeeper(e.bank, ids, au, native, modules)
	ids.SetHooks(comp)
	e.as = assets.NewKeeper(e.bank, comp, ids, au)
	comp.SetAssets(e.as)
	e.dist = distributions.NewKeeper(e.bank, e.as, comp, ids, []address.Address{compliance.HoldAccount})
	e.reg = tx.NewRegistry()
	e.k = governance.NewKeeper(e.bank, e.dist, e.as, e.roles, e.reg, modules)
	e.bank.SetHooks(comp, comp, e.dist, e.k)
	e.as.SetHooks(e.dist)
	e.k.SetProjects(e.proj)
	e.k.SetScopers(map[string]governance.Scoper{"projects": e.proj})
	e.k.SetFees(e.fees)
	e.m = governance.NewModule(e.k)
	all := []chain.Module{auth.NewModule(au), bank.NewModule(e.bank), fees.NewModule(e.fees), identity.NewModule(ids), compliance.NewModule(comp),
		assets.NewModule(e.as), distributions.NewModule(e.dist), e.m}
	e.mods = []chain.Module{bank.NewModule(e.bank), distributions.NewModule(e.dist), e.m}
	for _, m := range all {
		for _, r := range m.Routes() {
			e.reg.Register(r.Msg)
			e.route[r.Msg.MsgType()] = r.Handle
		}
	}
	e.reg.Register(&msgSpend{}, &msgSetParameter{})
	e.route["projects/spend"] = func(ctx chain.Context, m tx.Msg) error {
		s := m.(*msgSpend)
		if s.Authority != dao {
			return errFake.Wrapf("only the DAO spends")
		}
		return e.bank.Send(ctx, treasury, s.To, s.Amount)
	}
	e.route["projects/set_parameter"] = func(ctx chain.Context, m tx.Msg) error {
		s := m.(*msgSetParameter)
		if s.Value == "fail" {
			// A refusal worth recording (as compliance records its rejections): kept although
			// the msg fails.
			ctx.EmitKept(chain.NewEvent("fakeprojects.refused", "name", s.Name, "value", s.Value))
			return errFake.Wrapf("parameter %s refuses %q", s.Name, s.Value)
		}
		e.proj.params[s.Name] = s.Value // not in the store: a second execution would show in routed
		return nil
	}
	e.k.SetRouter(governance.RouterFunc(func(ctx chain.Context, m tx.Msg) error {
		e.routed[m.MsgType()]++
		h, ok := e.route[m.MsgType()]
		if !ok {
			return errFake.Wrapf("no route for %s", m.MsgType())
		}
		return h(ctx, m)
	}))
	if err := all[0].InitGenesis(ctx, chaintest.GenesisJSON(t, auth.Genesis{Accounts: []auth.Account{}, Roles: []auth.GenesisRole{
		{Role: auth.RoleAdmin, Address: admin}, {Role: auth.RoleKYCProvider, Address: kyc},
		{Role: auth.RoleAssetIssuer, Address: issuer}, {Role: auth.RoleCashIssuer, Address: bankCo}}})); err != nil {
		t.Fatal(err)
	}
	if err := all[1].InitGenesis(ctx, chaintest.GenesisJSON(t, bank.Genesis{Units: []coin.Unit{chaintest.GRD}, Balances: []bank.Balance{
		{Address: alice, Coins: []coin.Coin{coin.New(native, 10_000)}}, {Address: bob, Coins: []coin.Coin{coin.New(native, 10_000)}},
		{Address: carol, Coins: []coin.Coin{coin.New(native, 10_000)}}, {Address: dave, Coins: []coin.Coin{coin.New(native, 10_000)}}, {Address: treasury, Coins: []coin.Coin{coin.New(native, 1_000_000)}}}})); err != nil {
		t.Fatal(err)
	}
	if err := all[2].InitGenesis(ctx, chaintest.GenesisJSON(t, fees.DefaultGenesis())); err != nil {
		t.Fatal(err)
	}
	g := governance.DefaultGenesis()
	g.DAODefaults.Deposit = coin.New(native, deposit)
	if err := e.m.InitGenesis(ctx, chaintest.GenesisJSON(t, g)); err != nil {
		t.Fatal(err)
	}
	e.ok(&identity.MsgSetTrust{Authority: admin, Issuer: kyc, Claims: identity.ClaimKinds})
	for _, p := range []struct {
		id string
		a  address.Address
	}{{"alice", alice}, {"bob", bob}, {"carol", carol}, {"dave", dave}, {"treasury", treasury}} {
		e.ok(&identity.MsgRegister{Provider: kyc, ID: p.id, Accounts: []address.Address{p.a}})
		e.ok(&identity.MsgIssue{Issuer: kyc, ID: p.id, Claims: identity.ClaimSet{KYCLevel: 2, Jurisdiction: "DE"},
			Expiry: start.AddDate(10, 0, 0).Unix(), EvidenceHash: sha256.Sum256([]byte(p.id))})
	}
	e.ok(&assets.MsgCreate{Issuer: bankCo, Denom: cash, Kind: assets.KindCash, Name: "Euro token", Symbol: "EURT", Decimals: 2})
	e.ok(&assets.MsgCreate{Issuer: issuer, Denom: sec, Kind: assets.KindSecurity, Name: "Bridge notes", Symbol: "BRIDGE"})
	e.ok(&assets.MsgCreate{Issuer: issuer, Denom: sec2, Kind: assets.KindSecurity, Name: "Tunnel notes", Symbol: "TUNNEL"})
	for _, h := range []struct {
		a address.Address
		n coin.Amount
	}{{alice, 600}, {bob, 300}, {carol, 100}, {treasury, 1_000}} {
		e.ok(&assets.MsgMint{Issuer: issuer, Denom: sec, Amount: h.n, To: h.a})
	}
	e.ok(&assets.MsgMint{Issuer: issuer, Denom: sec2, Amount: 50, To: alice})
	e.block(hour) // the snapshot of proposals submitted from height 11 on
	return e
}

// run executes msg like the app does: in a branch written only on success.
func (e *env) run(m tx.Msg) ([]chain.Event, error) {
	e.t.Helper()
	return chaintest.RunMsg(e.ctx, e.handle, m)
}

func (e *env) handle(ctx chain.Context, m tx.Msg) error {
	h, ok := e.route[m.MsgType()]
	if !ok {
		e.t.Fatalf("no route for %s", m.MsgType())
	}
	return h(ctx, m)
}

func (e *env) ok(m tx.Msg) []chain.Event {
	e.t.Helper()
	evs, err := e.run(m)
	if err != nil {
		e.t.Fatalf("%s: %v", m.MsgType(), err)
	}
	return evs
}

// fails runs m, which must fail with code want saying inMsg, leaving the state as it was.
func (e *env) fails(m tx.Msg, want *codes.Error, inMsg string) {
	e.t.Helper()
	chaintest.MsgFails(e.t, e.ctx, e.handle, m, want, inMsg)
}

// block ends the current block (every end blocker, then the invariants) and starts the next one,
// d later. It returns the end of block's events.
func (e *env) block(d time.Duration) []chain.Event {
	e.t.Helper()
	end := e.ctx.WithKV(e.ctx.KV())
	if err := e.m.EndBlock(end); err != nil {
		e.t.Fatal(err)
	}
	e.invariants()
	e.ctx.Height++
	e.ctx.Time = e.ctx.Time.Add(d)
	return end.Events()
}

// until runs blocks of step until the block time reaches t (unix seconds); it returns every
// end-of-block event.
func (e *env) until(t int64, step time.Duration) []chain.Event {
	e.t.Helper()
	var evs []chain.Event
	for e.ctx.Time.Unix() < t {
		d := step
		if left := time.Duration(t-e.ctx.Time.Unix()) * time.Second; left < d {
			d = left
		}
		evs = append(evs, e.block(d)...)
	}
	return evs
}

func (e *env) invariants() {
	e.t.Helper()
	for _, m := range e.mods {
		if err := chaintest.All(m).Check(e.ctx); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *env) bal(a address.Address, denom string) coin.Amount {
	return e.bank.Balance(e.ctx, a, denom)
}

func pack(t testing.TB, msgs ...tx.Msg) []tx.Any {
	t.Helper()
	out := make([]tx.Any, len(msgs))
	for i, m := range msgs {
		a, err := tx.Pack(m)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = a
	}
	return out
}

func spend(to address.Address, n coin.Amount) *msgSpend {
	return &msgSpend{Authority: dao, Project: project, To: to, Amount: coin.New(native, n)}
}

// submit submits a proposal of the DAO of sec (dao "" : chain) by proposer and returns its id.
func (e *env) submit(proposer address.Address, daoDenom string, msgs ...tx.Msg) uint64 {
	e.t.Helper()
	evs := e.ok(&governance.MsgSubmit{Proposer: proposer, DAO: daoDenom, Title: "Proposal", Summary: "why", Msgs: pack(e.t, msgs...)})
	ev := eventOf(evs, "governance.proposal_submitted")
	if ev == nil {
		e.t.Fatalf("no governance.proposal_submitted in %v", evs)
	}
	id, _ := strconv.ParseUint(ev["proposal"], 10, 64)
	return id
}

func (e *env) vote(voter address.Address, id uint64, option string) []chain.Event {
	e.t.Helper()
	return e.ok(&governance.MsgVote{Voter: voter, Proposal: id, Option: option})
}

func (e *env) proposal(id uint64) governance.Proposal {
	e.t.Helper()
	p, ok := e.k.Proposal(e.ctx, id)
	if !ok {
		e.t.Fatalf("no proposal %d", id)
	}
	return p
}

func (e *env) weightOf(id uint64, voter address.Address) coin.Amount {
	e.t.Helper()
	v, ok := e.k.Vote(e.ctx, id, voter)
	if !ok {
		e.t.Fatalf("%s has no vote on %d", voter, id)
	}
	return v.Weight
}

func attrs(ev chain.Event) map[string]string {
	m := map[string]string{}
	for _, a := range ev.Attrs {
		m[a.Key] = a.Value
	}
	return m
}

func eventOf(evs []chain.Event, typ string) map[string]string {
	for _, ev := range evs {
		if ev.Type == typ {
			return attrs(ev)
		}
	}
	return nil
}

func isCode(err error, want *codes.Error) bool { return err != nil && errors.Is(err, want) }
