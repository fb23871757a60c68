package vesting_test

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/chain/chaintest"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/vesting"
)

func TestVestedOverTime(t *testing.T) {
	fourYears := linear(at(0), at(year), at(4*year))
	periodic := vesting.Schedule{Kind: vesting.KindPeriodic, Start: at(0), Periods: []vesting.Period{
		{Time: at(90 * day), Amount: 100}, {Time: at(180 * day), Amount: 200}, {Time: at(270 * day), Amount: 700}}}
	maxLong := linear(at(0), 0, at(vesting.MaxDuration))
	cases := []struct {
		name  string
		total coin.Amount
		s     vesting.Schedule
		t     int64
		want  coin.Amount
	}{
		{"before the start", 1_000_000, fourYears, at(-1), 0},
		{"at the start", 1_000_000, fourYears, at(0), 0},
		{"a second before the cliff", 1_000_000, fourYears, at(year - 1), 0},
		{"at the cliff", 1_000_000, fourYears, at(year), 250_000},
		{"mid-way", 1_000_000, fourYears, at(2 * year), 500_000},
		{"a second before the end", 1_000_000, fourYears, at(4*year - 1), 999_999}, // floor(1e6 × (4y−1)/4y)
		{"at the end", 1_000_000, fourYears, at(4 * year), 1_000_000},
		{"after the end", 1_000_000, fourYears, at(10 * year), 1_000_000},
		{"no cliff, one second in", 3, linear(at(0), 0, at(3)), at(1), 1},
		{"no cliff, rounding down", 2, linear(at(0), 0, at(3)), at(1), 0},
		{"cliff at the end", 500, linear(at(0), at(100), at(100)), at(99), 0},
		{"cliff at the end, reached", 500, linear(at(0), at(100), at(100)), at(100), 500},
		{"largest amount, a second before the end (128-bit product)", coin.MaxAmount, maxLong, at(vesting.MaxDuration - 1),
			coin.MaxAmount - ceilDiv(uint64(coin.MaxAmount), vesting.MaxDuration)},
		{"largest amount, mid-way", coin.MaxAmount, maxLong, at(vesting.MaxDuration / 2), coin.MaxAmount / 2},
		{"periodic, before the first", 1000, periodic, at(90*day - 1), 0},
		{"periodic, at the first", 1000, periodic, at(90 * day), 100},
		{"periodic, between", 1000, periodic, at(200 * day), 300},
		{"periodic, at the last", 1000, periodic, at(270 * day), 1000},
		{"periodic, after the last", 1000, periodic, at(5 * year), 1000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := vesting.Grant{Amount: coin.New(native, c.total), Schedule: c.s}
			if got := g.Vested(c.t); got != c.want {
				t.Fatalf("vested = %d, want %d", got, c.want)
			}
			if got := g.Locked(c.t); got != c.total-c.want {
				t.Fatalf("locked = %d, want %d", got, c.total-c.want)
			}
		})
	}
	// Monotone and never above the total, second by second around the cliff and the end.
	g := vesting.Grant{Amount: coin.New(native, 7_777_777), Schedule: linear(at(0), at(10), at(1000))}
	var prev coin.Amount
	for s := int64(-5); s < 1010; s++ {
		v := g.Vested(at(s))
		if v < prev || v > g.Amount.Amount {
			t.Fatalf("vested at %d = %d after %d", s, v, prev)
		}
		prev = v
	}
	// After a clawback, what vested at the clawback is all that ever vests.
	g = vesting.Grant{Amount: coin.New(native, 1000), Schedule: linear(at(0), 0, at(1000)), ClawedBack: 600, ClawedAt: at(400)}
	if g.Vested(at(999)) != 400 || g.Locked(at(999)) != 0 || g.Vested(at(100)) != 100 {
		t.Fatalf("after clawback: vested %d, locked %d", g.Vested(at(999)), g.Locked(at(999)))
	}
}

func ceilDiv(a, b uint64) coin.Amount {
	q := a / b
	if a%b != 0 {
		q++
	}
	return coin.Amount(q)
}

func TestGrantBadInput(t *testing.T) {
	e := newEnv(t)
	ok := func() vesting.MsgGrant {
		return vesting.MsgGrant{Grantor: treasury, Grantee: alice, Amount: coin.New(native, 1000), Schedule: linear(at(0), at(year), at(4*year))}
	}
	periods := func(n int, each coin.Amount) []vesting.Period {
		out := make([]vesting.Period, n)
		for i := range out {
			out[i] = vesting.Period{Time: at(int64(i+1) * day), Amount: each}
		}
		return out
	}
	cases := []struct {
		name  string
		edit  func(m *vesting.MsgGrant)
		code  *codes.Error
		inMsg string
	}{
		{"zero grantee", func(m *vesting.MsgGrant) { m.Grantee = address.Address{} }, vesting.ErrInvalidMsg, "zero grantor or grantee"},
		{"zero grantor", func(m *vesting.MsgGrant) { m.Grantor = address.Address{} }, vesting.ErrInvalidMsg, "zero grantor or grantee"},
		{"to itself", func(m *vesting.MsgGrant) { m.Grantee = treasury }, vesting.ErrInvalidMsg, "cannot grant to itself"},
		{"zero amount", func(m *vesting.MsgGrant) { m.Amount.Amount = 0 }, vesting.ErrInvalidMsg, "must be positive"},
		{"bad denom", func(m *vesting.MsgGrant) { m.Amount.Denom = "9x" }, vesting.ErrInvalidMsg, "invalid denom"},
		{"long memo", func(m *vesting.MsgGrant) { m.Memo = strings.Repeat("m", 257) }, vesting.ErrInvalidMsg, "memo of 257 bytes"},
		{"unknown kind", func(m *vesting.MsgGrant) { m.Schedule.Kind = "graded" }, vesting.ErrInvalidMsg, `schedule kind "graded"`},
		{"no start", func(m *vesting.MsgGrant) { m.Schedule.Start = 0 }, vesting.ErrInvalidMsg, "start 0"},
		{"end at the start", func(m *vesting.MsgGrant) { m.Schedule.End = m.Schedule.Start }, vesting.ErrInvalidMsg, "want a unix time after the start"},
		{"cliff before the start", func(m *vesting.MsgGrant) { m.Schedule.Cliff = at(-1) }, vesting.ErrInvalidMsg, "cliff"},
		{"cliff after the end", func(m *vesting.MsgGrant) { m.Schedule.Cliff = at(4*year + 1) }, vesting.ErrInvalidMsg, "cliff"},
		{"longer than five years", func(m *vesting.MsgGrant) { m.Schedule.End = at(vesting.MaxDuration + 1) }, vesting.ErrInvalidMsg, "at most 1827 (5 years)"},
		{"linear with periods", func(m *vesting.MsgGrant) { m.Schedule.Periods = periods(1, 1000) }, vesting.ErrInvalidMsg, "no periods"},
		{"periodic without periods", func(m *vesting.MsgGrant) { m.Schedule = vesting.Schedule{Kind: vesting.KindPeriodic, Start: at(0)} }, vesting.ErrInvalidMsg, "0 periods"},
		{"periodic with an end", func(m *vesting.MsgGrant) {
			m.Schedule = vesting.Schedule{Kind: vesting.KindPeriodic, Start: at(0), End: at(10), Periods: periods(1, 1000)}
		}, vesting.ErrInvalidMsg, "no cliff or end"},
		{"too many periods", func(m *vesting.MsgGrant) {
			m.Amount.Amount = 129
			m.Schedule = vesting.Schedule{Kind: vesting.KindPeriodic, Start: at(0), Periods: periods(129, 1)}
		}, vesting.ErrInvalidMsg, "129 periods"},
		{"periods out of order", func(m *vesting.MsgGrant) {
			p := periods(2, 500)
			p[0], p[1] = p[1], p[0]
			m.Schedule = vesting.Schedule{Kind: vesting.KindPeriodic, Start: at(0), Periods: p}
		}, vesting.ErrInvalidMsg, "increasing time order"},
		{"period before the start", func(m *vesting.MsgGrant) {
			m.Schedule = vesting.Schedule{Kind: vesting.KindPeriodic, Start: at(2 * day), Periods: periods(2, 500)}
		}, vesting.ErrInvalidMsg, "increasing time order"},
		{"empty period", func(m *vesting.MsgGrant) {
			p := periods(2, 500)
			p[1].Amount = 0
			m.Schedule = vesting.Schedule{Kind: vesting.KindPeriodic, Start: at(0), Periods: p}
		}, vesting.ErrInvalidMsg, "period 1: amount must be positive"},
		{"periods not adding up", func(m *vesting.MsgGrant) {
			m.Schedule = vesting.Schedule{Kind: vesting.KindPeriodic, Start: at(0), Periods: periods(3, 300)}
		}, vesting.ErrInvalidMsg, "add up to 900, the grant is of 1000"},
		{"periods overflowing", func(m *vesting.MsgGrant) {
			m.Schedule = vesting.Schedule{Kind: vesting.KindPeriodic, Start: at(0), Periods: periods(2, coin.MaxAmount)}
		}, vesting.ErrInvalidMsg, "overflow"},
		{"periodic longer than five years", func(m *vesting.MsgGrant) {
			m.Schedule = vesting.Schedule{Kind: vesting.KindPeriodic, Start: at(0), Periods: []vesting.Period{{Time: at(vesting.MaxDuration + 1), Amount: 1000}}}
		}, vesting.ErrInvalidMsg, "at most 1827"},
		{"already ended", func(m *vesting.MsgGrant) { m.Schedule = linear(at(-2*year), 0, at(0)) }, vesting.ErrBadTime, "nothing would be locked"},
		{"starting too late", func(m *vesting.MsgGrant) { m.Schedule = linear(at(367*day), 0, at(2*year)) }, vesting.ErrBadTime, "more than 366 days after"},
		{"unknown denom", func(m *vesting.MsgGrant) { m.Amount.Denom = "ufoo" }, vesting.ErrUnknownDenom, `"ufoo" is not an asset`},
		{"module account", func(m *vesting.MsgGrant) { m.Grantee = compliance.HoldAccount }, vesting.ErrModuleAccount, "belongs to the compliance module"},
		{"grantor short", func(m *vesting.MsgGrant) { m.Amount.Amount = 1_000_001 }, vesting.ErrInsufficient, "may spend 1000000ugrd"},
		{"grantor short of the asset", func(m *vesting.MsgGrant) { m.Grantor = carol }, vesting.ErrInsufficient, "may spend 0ugrd"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := ok()
			c.edit(&m)
			e.failsT(t, &m, c.code, c.inMsg)
		})
	}
	// The bounds themselves are accepted: exactly five years (1,827 days), 128 periods, a start a
	// year ahead, a backdated start.
	e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(native, 10), Schedule: linear(at(0), 0, at(vesting.MaxDuration))})
	e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(native, 128), Schedule: vesting.Schedule{Kind: vesting.KindPeriodic, Start: at(0), Periods: periods(128, 1)}})
	e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(native, 10), Schedule: linear(at(366*day), 0, at(2*year))})
	e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(native, 10), Schedule: linear(at(-year), 0, at(year))})
	e.invariants()
	// A grant is a transfer between parties: compliance decides it.
	e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(sec, 10), Schedule: linear(at(0), 0, at(year))})
	e.ok(&assets.MsgPause{Controller: issuer, Denom: sec, Reason: "corporate action"})
	e.fails(&vesting.MsgGrant{Grantor: treasury, Grantee: alice, Amount: coin.New(sec, 10), Schedule: linear(at(0), 0, at(year))}, vesting.ErrRefused, "reject by rule paused")
}

func TestGrantAndTransferLimits(t *testing.T) {
	e := newEnv(t)
	e.ok(&bank.MsgSend{From: treasury, To: alice, Amount: coin.New(native, 100_000)})
	evs := e.ok(&vesting.MsgGrant{Grantor: treasury, Grantee: alice, Amount: coin.New(native, 400_000), Schedule: linear(at(0), at(year), at(4*year)), Memo: "employee grant"})
	ev := eventOf(evs, "vesting.granted")
	if ev == nil || ev["grant"] != "1" || ev["amount"] != "400000ugrd" || ev["locked"] != "400000" || ev["kind"] != "linear" || ev["clawback"] != "false" {
		t.Fatalf("granted event %v", ev)
	}
	if e.bal(alice, native) != 500_000 || e.bal(treasury, native) != 500_000 {
		t.Fatalf("balances alice %d treasury %d", e.bal(alice, native), e.bal(treasury, native))
	}
	e.invariants()
	send := func(n coin.Amount) *bank.MsgSend {
		return &bank.MsgSend{From: alice, To: bob, Amount: coin.New(native, n)}
	}
	steps := []struct {
		t         int64
		spendable coin.Amount
	}{
		{at(0), 100_000},
		{at(year - 1), 100_000},
		{at(year), 200_000},
		{at(2 * year), 300_000},
		{at(4*year - 1), 499_999},
		{at(4 * year), 500_000},
	}
	for _, s := range steps {
		e.setTime(s.t)
		spent := 500_000 - e.bal(alice, native)
		want := s.spendable - spent
		if got := e.k.Spendable(e.ctx, alice, native); got != want {
			t.Fatalf("at %d: spendable %d, want %d", s.t-start.Unix(), got, want)
		}
		if want < 500_000-spent {
			e.fails(send(want+1), vesting.ErrLocked, "is locked until 2029-12-31T00:00:00Z at the latest")
			if err := e.k.CheckSpend(e.ctx, alice, coin.New(native, want+1)); err == nil {
				t.Fatal("fee above the spendable amount allowed")
			}
		}
		if err := e.k.CheckSpend(e.ctx, alice, coin.New(native, want)); err != nil {
			t.Fatalf("fee of the spendable amount refused: %v", err)
		}
		if want > 0 {
			e.ok(send(want))
		}
		e.endBlock()
	}
	// The message a person reads.
	e2 := newEnv(t)
	e2.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(native, 600), Schedule: linear(at(0), 0, at(1000))})
	e2.ok(&bank.MsgSend{From: treasury, To: alice, Amount: coin.New(native, 400)})
	_, err := e2.run(&bank.MsgSend{From: alice, To: bob, Amount: coin.New(native, 500)})
	if err == nil || err.Error() != "tokens are locked by a vesting schedule: 600ugrd of "+alice.String()+"'s 1000ugrd is locked until 2026-01-01T00:16:40Z at the latest; 400ugrd is spendable, 500ugrd was asked" {
		t.Fatalf("refusal: %v", err)
	}
	// Other denoms and other accounts are not limited.
	e2.ok(&bank.MsgSend{From: treasury, To: alice, Amount: coin.New(cash, 5)})
	e2.ok(&bank.MsgSend{From: alice, To: bob, Amount: coin.New(cash, 5)})
	// A grantee may not grant on its locked tokens either.
	e2.fails(&vesting.MsgGrant{Grantor: alice, Grantee: bob, Amount: coin.New(native, 401), Schedule: linear(at(0), 0, at(1000))}, vesting.ErrInsufficient, "may spend 400ugrd (balance 1000ugrd, locked 600ugrd)")
	e2.grant(vesting.MsgGrant{Grantor: alice, Grantee: bob, Amount: coin.New(native, 400), Schedule: linear(at(0), 0, at(1000))})
	e2.invariants()
}

func TestAddedGrants(t *testing.T) {
	e := newEnv(t)
	g1 := e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(native, 1000), Schedule: linear(at(0), 0, at(1000))})
	g2 := e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(native, 3000), Schedule: vesting.Schedule{Kind: vesting.KindPeriodic, Start: at(0),
		Periods: []vesting.Period{{Time: at(500), Amount: 1000}, {Time: at(2000), Amount: 2000}}}})
	g3 := e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(cash, 50), Schedule: linear(at(0), at(100), at(200))})
	if g1 != 1 || g2 != 2 || g3 != 3 {
		t.Fatalf("ids %d %d %d", g1, g2, g3)
	}
	check := func(denom string, locked coin.Amount) {
		t.Helper()
		if got := e.k.Locked(e.ctx, alice, denom); got != locked {
			t.Fatalf("at %d: locked %s %d, want %d", e.ctx.Time.Unix()-start.Unix(), denom, got, locked)
		}
	}
	check(native, 4000)
	check(cash, 50)
	e.setTime(at(500))
	check(native, 500+2000)
	check(cash, 0)
	e.endBlock() // grant 3 ended: released
	if g, _ := e.k.Grant(e.ctx, g3); g.Status != vesting.StatusVested {
		t.Fatalf("grant 3 is %s", g.Status)
	}
	e.setTime(at(1000))
	evs := e.endBlock()
	if ev := eventOf(evs, "vesting.vested"); ev == nil || ev["grant"] != "1" || ev["amount"] != "1000ugrd" {
		t.Fatalf("vested event %v", evs)
	}
	check(native, 2000)
	e.setTime(at(2000))
	check(native, 0)
	e.endBlock()
	q, err := e.m.Query(e.ctx, []string{"account", alice.String()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ag := q.(vesting.AccountGrants)
	if len(ag.Grants) != 3 || len(ag.Locked) != 0 {
		t.Fatalf("account %+v", ag)
	}
	for _, g := range ag.Grants {
		if g.Status != vesting.StatusVested || g.Locked != 0 || g.Vested != g.Amount.Amount {
			t.Fatalf("grant %+v", g)
		}
	}
}

func TestTooManyGrants(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < vesting.MaxLiveGrants; i++ {
		e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(native, 10), Schedule: linear(at(0), 0, at(100+int64(i)))})
	}
	m := &vesting.MsgGrant{Grantor: treasury, Grantee: alice, Amount: coin.New(native, 10), Schedule: linear(at(0), 0, at(year))}
	e.fails(m, vesting.ErrTooManyGrants, "already has 64 grants of ugrd still vesting")
	// Another denom, or another account, is not limited by those.
	e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(cash, 10), Schedule: linear(at(0), 0, at(year))})
	e.grant(vesting.MsgGrant{Grantee: bob, Amount: coin.New(native, 10), Schedule: linear(at(0), 0, at(year))})
	// Once the first ends, a grant fits again, even before the end of block released it.
	e.setTime(at(100))
	e.ok(m)
	e.endBlock()
	e.setTime(at(101))
	e.endBlock()
	e.ok(m)
	e.fails(m, vesting.ErrTooManyGrants, "64 grants")
}

func TestClawback(t *testing.T) {
	e := newEnv(t)
	free := e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(native, 1000), Schedule: linear(at(0), 0, at(1000))})
	cb := e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(native, 1000), Schedule: linear(at(0), at(100), at(1000)), Clawback: true})
	e.setTime(at(400))
	e.endBlock()
	cases := []struct {
		name  string
		m     vesting.MsgClawback
		code  *codes.Error
		inMsg string
	}{
		{"no reason", vesting.MsgClawback{Grantor: treasury, Grant: cb}, vesting.ErrInvalidMsg, "a clawback says why"},
		{"long reason", vesting.MsgClawback{Grantor: treasury, Grant: cb, Reason: strings.Repeat("r", 257)}, vesting.ErrInvalidMsg, "reason of 257 bytes"},
		{"grant 0", vesting.MsgClawback{Grantor: treasury, Reason: "left"}, vesting.ErrInvalidMsg, "ids start at 1"},
		{"zero grantor", vesting.MsgClawback{Grant: cb, Reason: "left"}, vesting.ErrInvalidMsg, "zero grantor"},
		{"unknown grant", vesting.MsgClawback{Grantor: treasury, Grant: 99, Reason: "left"}, vesting.ErrUnknownGrant, "no grant 99"},
		{"not the grantor", vesting.MsgClawback{Grantor: mallory, Grant: cb, Reason: "left"}, vesting.ErrNotGrantor, "was made by " + treasury.String()},
		{"the grantee", vesting.MsgClawback{Grantor: alice, Grant: cb, Reason: "left"}, vesting.ErrNotGrantor, "not " + alice.String()},
		{"not clawback-able", vesting.MsgClawback{Grantor: treasury, Grant: free, Reason: "left"}, vesting.ErrNoClawback, "made without clawback"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { e.failsT(t, &c.m, c.code, c.inMsg) })
	}
	// Alice spends some of what vested first: the clawback takes only the unvested part.
	e.ok(&bank.MsgSend{From: alice, To: bob, Amount: coin.New(native, 700)}) // 400 + 400 vested
	before := e.bal(treasury, native)
	evs := e.ok(&vesting.MsgClawback{Grantor: treasury, Grant: cb, Reason: "left the project before the milestone"})
	ev := eventOf(evs, "vesting.clawed_back")
	if ev == nil || ev["returned"] != "600ugrd" || ev["vested_kept"] != "400ugrd" || ev["reason"] != "left the project before the milestone" || ev["grant"] != "2" {
		t.Fatalf("clawed_back event %v", ev)
	}
	if got := e.bal(treasury, native) - before; got != 600 {
		t.Fatalf("treasury got back %d", got)
	}
	g, _ := e.k.Grant(e.ctx, cb)
	if g.Status != vesting.StatusClawedBack || g.ClawedBack != 600 || g.Vested(at(5000)) != 400 || g.Locked(at(400)) != 0 {
		t.Fatalf("grant after clawback %+v", g)
	}
	// Alice holds 2000 − 700 − 600 = 700, of which grant 1 locks 600.
	if e.bal(alice, native) != 700 || e.k.Spendable(e.ctx, alice, native) != 100 {
		t.Fatalf("alice %d, spendable %d", e.bal(alice, native), e.k.Spendable(e.ctx, alice, native))
	}
	e.invariants()
	e.fails(&vesting.MsgClawback{Grantor: treasury, Grant: cb, Reason: "again"}, vesting.ErrNothingUnvested, "already clawed back")
	// A fully vested grant has nothing to claw back.
	cb2 := e.grant(vesting.MsgGrant{Grantee: bob, Amount: coin.New(native, 50), Schedule: linear(at(0), 0, at(500)), Clawback: true})
	e.setTime(at(500))
	e.fails(&vesting.MsgClawback{Grantor: treasury, Grant: cb2, Reason: "late"}, vesting.ErrNothingUnvested, "has fully vested")
	e.endBlock()
	e.fails(&vesting.MsgClawback{Grantor: treasury, Grant: cb2, Reason: "late"}, vesting.ErrNothingUnvested, "has fully vested")
	// Before the cliff, everything returns.
	cb3 := e.grant(vesting.MsgGrant{Grantee: bob, Amount: coin.New(cash, 80), Schedule: linear(at(0), at(year), at(2*year)), Clawback: true})
	e.ok(&vesting.MsgClawback{Grantor: treasury, Grant: cb3, Reason: "offer withdrawn"})
	if e.bal(bob, cash) != 0 {
		t.Fatalf("bob keeps %d", e.bal(bob, cash))
	}
	e.endBlock()
}

// A multi-block history: grants of several kinds and denoms, transfers at their limit, a
// clawback, blocks in between; every invariant after every block; run twice, same state.
func TestScenario(t *testing.T) {
	run := func() [32]byte {
		e := newEnv(t)
		e.ok(&bank.MsgSend{From: treasury, To: alice, Amount: coin.New(sec, 10_000)})
		e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(sec, 120_000), Schedule: linear(at(0), at(30*day), at(360*day)), Clawback: true})
		e.grant(vesting.MsgGrant{Grantee: bob, Amount: coin.New(native, 36_000), Schedule: vesting.Schedule{Kind: vesting.KindPeriodic, Start: at(0),
			Periods: []vesting.Period{{Time: at(30 * day), Amount: 6_000}, {Time: at(90 * day), Amount: 10_000}, {Time: at(180 * day), Amount: 20_000}}}})
		e.endBlock()
		for b := int64(1); b <= 40; b++ {
			e.setTime(at(b * 10 * day))
			for _, a := range []address.Address{alice, bob} {
				for _, d := range []string{sec, native} {
					if n := e.k.Spendable(e.ctx, a, d); n > 0 {
						e.ok(&bank.MsgSend{From: a, To: carolOrTreasury(d), Amount: coin.New(d, n)})
					}
					if e.k.Spendable(e.ctx, a, d) != 0 {
						t.Fatal("spendable after spending it all")
					}
				}
			}
			if b == 5 {
				e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(sec, 5_000), Schedule: linear(at(b*10*day), 0, at(b*10*day+100*day))})
			}
			if b == 20 {
				e.ok(&vesting.MsgClawback{Grantor: treasury, Grant: 1, Reason: "breach of the lock-up agreement"})
			}
			e.endBlock()
		}
		return chaintest.Digest(e.ctx.KV())
	}
	if run() != run() {
		t.Fatal("the same history gave different states")
	}
}

func carolOrTreasury(denom string) address.Address {
	if denom == sec {
		return treasury // carol may not hold the security
	}
	return carol
}

func TestGenesisRoundTrip(t *testing.T) {
	e := newEnv(t)
	e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(native, 1000), Schedule: linear(at(0), at(10), at(1000)), Memo: "m"})
	e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(cash, 300), Schedule: vesting.Schedule{Kind: vesting.KindPeriodic, Start: at(0),
		Periods: []vesting.Period{{Time: at(100), Amount: 100}, {Time: at(200), Amount: 200}}}, Clawback: true})
	e.grant(vesting.MsgGrant{Grantee: bob, Amount: coin.New(native, 70), Schedule: linear(at(0), 0, at(50))})
	e.setTime(at(150))
	e.ok(&vesting.MsgClawback{Grantor: treasury, Grant: 2, Reason: "r"})
	e.endBlock()
	raw, err := e.m.ExportGenesis(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	bankRaw, err := e.mods[1].ExportGenesis(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A fresh chain with the same balances.
	ctx := chain.NewContext(store.NewCache(store.OpenMemory()), e.ctx.Height, e.ctx.Time, chaintest.ChainID, chain.ModeDeliver)
	bk := bank.NewKeeper(noAccounts{}, nil)
	if err := bank.NewModule(bk).InitGenesis(ctx, bankRaw); err != nil {
		t.Fatal(err)
	}
	m2 := vesting.NewModule(vesting.NewKeeper(bk, nil))
	if err := m2.InitGenesis(ctx, raw); err != nil {
		t.Fatal(err)
	}
	again, err := m2.ExportGenesis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != string(again) {
		t.Fatalf("round trip differs:\n%s\n%s", raw, again)
	}
	if chaintest.Digest(ctx.Store(vesting.StorePrefix)) != chaintest.Digest(e.ctx.Store(vesting.StorePrefix)) {
		t.Fatal("the imported state differs from the exported one (indexes)")
	}
	if err := chaintest.All(m2).Check(ctx); err != nil {
		t.Fatal(err)
	}
	var g vesting.Genesis
	if err := json.Unmarshal(raw, &g); err != nil || len(g.Grants) != 3 || g.Sequence != 3 || g.Grants[1].Status != vesting.StatusClawedBack || g.Grants[2].Status != vesting.StatusVested {
		t.Fatalf("genesis %+v %v", g, err)
	}
	// The default genesis loads and exports as itself.
	ctx3 := chain.NewContext(store.NewCache(store.OpenMemory()), 1, start, chaintest.ChainID, chain.ModeDeliver)
	m3 := vesting.NewModule(vesting.NewKeeper(bk, nil))
	if err := m3.InitGenesis(ctx3, chaintest.GenesisJSON(t, vesting.DefaultGenesis())); err != nil {
		t.Fatal(err)
	}
	if out, _ := m3.ExportGenesis(ctx3); string(out) != `{"grants":[],"grant_sequence":0}` {
		t.Fatalf("default export %s", out)
	}
}

type noAccounts struct{}

func (noAccounts) Ensure(chain.Context, address.Address) {}

func TestGenesisRefusals(t *testing.T) {
	good := func() vesting.Grant {
		return vesting.Grant{ID: 1, Grantor: treasury, Grantee: alice, Amount: coin.New(native, 100), Schedule: linear(at(0), 0, at(1000)), Status: vesting.StatusVesting}
	}
	cases := []struct {
		name  string
		edit  func(g *vesting.Genesis)
		inErr string
	}{
		{"id 0", func(g *vesting.Genesis) { g.Grants[0].ID = 0 }, "ids run from 1"},
		{"beyond the sequence", func(g *vesting.Genesis) { g.Sequence = 0 }, "ids run from 1 to grant_sequence (0)"},
		{"twice", func(g *vesting.Genesis) { g.Grants = append(g.Grants, g.Grants[0]) }, "given twice"},
		{"bad status", func(g *vesting.Genesis) { g.Grants[0].Status = "paused" }, `status "paused"`},
		{"bad schedule", func(g *vesting.Genesis) { g.Grants[0].Schedule.End = at(vesting.MaxDuration + 1) }, "at most 1827"},
		{"clawed back without clawback", func(g *vesting.Genesis) {
			g.Grants[0].Status, g.Grants[0].ClawedBack, g.Grants[0].ClawedAt, g.Grants[0].Reason = vesting.StatusClawedBack, 50, at(500), "r"
		}, "clawback allowed: false"},
		{"clawed back the wrong amount", func(g *vesting.Genesis) {
			g.Grants[0].Clawback, g.Grants[0].Status, g.Grants[0].ClawedBack, g.Grants[0].ClawedAt, g.Grants[0].Reason = true, vesting.StatusClawedBack, 40, at(500), "r"
		}, "vested + unvested ≠ granted"},
		{"unknown denom", func(g *vesting.Genesis) { g.Grants[0].Amount.Denom = "ufoo" }, "not a denom"},
		{"vested too early", func(g *vesting.Genesis) { g.Grants[0].Status = vesting.StatusVested }, "marked vested"},
		{"balance below the locked amount", func(g *vesting.Genesis) { g.Grants[0].Amount.Amount = 10_000 }, "less than the 10000ugrd its grants lock"},
		{"unknown field", nil, "unknown field"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := chain.NewContext(store.NewCache(store.OpenMemory()), 1, start, chaintest.ChainID, chain.ModeDeliver)
			bk := bank.NewKeeper(noAccounts{}, nil)
			if err := bank.NewModule(bk).InitGenesis(ctx, chaintest.GenesisJSON(t, bank.Genesis{Units: []coin.Unit{chaintest.GRD},
				Balances: []bank.Balance{{Address: alice, Coins: []coin.Coin{coin.New(native, 100)}}}})); err != nil {
				t.Fatal(err)
			}
			m := vesting.NewModule(vesting.NewKeeper(bk, nil))
			raw := json.RawMessage(`{"grants":[],"grant_sequence":0,"extra":1}`)
			if c.edit != nil {
				g := vesting.Genesis{Grants: []vesting.Grant{good()}, Sequence: 1}
				c.edit(&g)
				raw = chaintest.GenesisJSON(t, g)
			}
			err := m.InitGenesis(ctx, raw)
			if err == nil || !strings.Contains(err.Error(), c.inErr) {
				t.Fatalf("got %v, want an error saying %q", err, c.inErr)
			}
		})
	}
}

func TestQueries(t *testing.T) {
	e := newEnv(t)
	e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(native, 1000), Schedule: linear(at(0), 0, at(1000))})
	e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(cash, 10), Schedule: linear(at(0), 0, at(1000))})
	e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(native, 500), Schedule: linear(at(0), at(600), at(1000))})
	e.setTime(at(250))
	// Queries judge at the latest block time given by the app, not the query context's time.
	m := vesting.NewModule(e.k).WithBlockTime(func(chain.Context) time.Time { return e.ctx.Time })
	qctx := e.ctx
	qctx.Time = start.AddDate(-1, 0, 0)
	q := func(data string, path ...string) any {
		t.Helper()
		v, err := m.Query(qctx, path, []byte(data))
		if err != nil {
			t.Fatalf("%v: %v", path, err)
		}
		return v
	}
	ag := q("", "account", alice.String()).(vesting.AccountGrants)
	if len(ag.Grants) != 3 || ag.Time != at(250) || len(ag.Locked) != 2 ||
		ag.Locked[0] != coin.New(cash, 8) || ag.Locked[1] != coin.New(native, 750+500) || ag.Grants[0].Vested != 250 {
		t.Fatalf("account %+v", ag)
	}
	page := q("limit=2", "account", alice.String()).(vesting.AccountGrants)
	if len(page.Grants) != 2 || page.Next != 2 {
		t.Fatalf("page %+v", page)
	}
	page = q("after=2", "account", alice.String()).(vesting.AccountGrants)
	if len(page.Grants) != 1 || page.Grants[0].ID != 3 || page.Next != 0 {
		t.Fatalf("page 2 %+v", page)
	}
	gi := q("", "grant", "3").(vesting.GrantInfo)
	if gi.Vested != 0 || gi.Locked != 500 || gi.Grantee != alice {
		t.Fatalf("grant %+v", gi)
	}
	li := q("", "locked", alice.String(), native).(vesting.LockedInfo)
	if li.Balance != 1500 || li.Locked != 1250 || li.Spendable != 250 || li.Until != at(1000) || li.Grants != 2 {
		t.Fatalf("locked %+v", li)
	}
	if li := q("", "locked", bob.String(), native).(vesting.LockedInfo); li.Locked != 0 || li.Balance != 0 {
		t.Fatalf("bob %+v", li)
	}
	// The answers marshal as JSON with amounts as strings.
	b, _ := json.Marshal(gi)
	if !strings.Contains(string(b), `"locked":"500"`) || !strings.Contains(string(b), `"kind":"linear"`) {
		t.Fatalf("json %s", b)
	}
	bad := []struct {
		path []string
		data string
		code *codes.Error
		in   string
	}{
		{[]string{"grant", "0"}, "", chain.ErrBadQuery, "grant id"},
		{[]string{"grant", "x"}, "", chain.ErrBadQuery, "grant id"},
		{[]string{"grant", "9"}, "", vesting.ErrUnknownGrant, "no grant 9"},
		{[]string{"account", "nope"}, "", chain.ErrBadQuery, ""},
		{[]string{"account", alice.String()}, "limit=0", chain.ErrBadQuery, "limit"},
		{[]string{"account", alice.String()}, "after=x", chain.ErrBadQuery, "after"},
		{[]string{"account", alice.String()}, "status=x", chain.ErrBadQuery, "unknown filter"},
		{[]string{"locked", alice.String()}, "", chain.ErrBadQuery, "unknown vesting query"},
		{[]string{"locked", alice.String(), "9"}, "", chain.ErrBadQuery, "invalid denom"},
		{[]string{"nothing"}, "", chain.ErrBadQuery, "unknown vesting query"},
		{nil, "", chain.ErrBadQuery, "unknown vesting query"},
	}
	for _, c := range bad {
		_, err := m.Query(qctx, c.path, []byte(c.data))
		if !errors.Is(err, c.code) || !strings.Contains(err.Error(), c.in) {
			t.Errorf("%v %q: %v, want %s/%d saying %q", c.path, c.data, err, c.code.Module, c.code.Code, c.in)
		}
	}
	// REST routes name existing queries.
	for _, r := range m.QueryRoutes() {
		path := strings.NewReplacer("{address}", alice.String(), "{id}", "1", "{denom}", native).Replace(r.Query)
		parts := strings.Split(strings.TrimPrefix(path, "/vesting/"), "/")
		if !strings.HasPrefix(r.Path, "/vesting/") {
			t.Errorf("route %s outside /vesting", r.Path)
		}
		if _, err := m.Query(qctx, parts, nil); err != nil {
			t.Errorf("route %s → %s: %v", r.Path, path, err)
		}
	}
}

// The raw keys the corruption tests write (the module's layout under its prefix).
func rawGrantKey(id uint64) []byte {
	return store.Key(vesting.StorePrefix, []byte("g/"), store.Uint64Key(id))
}

func rawLiveKey(a address.Address, denom string, id uint64) []byte {
	return store.Key(vesting.StorePrefix, []byte("l/"), a[:], []byte(denom), []byte{0}, store.Uint64Key(id))
}

func rawDueKey(end int64, id uint64) []byte {
	return store.Key(vesting.StorePrefix, []byte("d/"), store.Uint64Key(uint64(end)), store.Uint64Key(id))
}

func TestInvariantsCatchCorruption(t *testing.T) {
	setup := func(t *testing.T) (*env, map[string]chain.Invariant) {
		e := newEnv(t)
		e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(native, 1000), Schedule: linear(at(0), 0, at(1000)), Clawback: true})
		e.grant(vesting.MsgGrant{Grantee: bob, Amount: coin.New(cash, 100), Schedule: linear(at(0), 0, at(1000))})
		e.setTime(at(300))
		e.ok(&vesting.MsgClawback{Grantor: treasury, Grant: 1, Reason: "r"})
		e.grant(vesting.MsgGrant{Grantee: alice, Amount: coin.New(native, 500), Schedule: linear(at(0), 0, at(2000))})
		invs := map[string]chain.Invariant{}
		for _, inv := range e.m.Invariants() {
			invs[inv.Name] = inv
		}
		return e, invs
	}
	rewrite := func(e *env, id uint64, f func(g *vesting.Grant)) {
		g, _ := e.k.Grant(e.ctx, id)
		f(&g)
		e.ctx.KV().Set(rawGrantKey(id), canon.MustMarshal(&g))
	}
	cases := []struct {
		inv     string
		corrupt func(e *env)
		want    string
	}{
		{"vesting/grants", func(e *env) { rewrite(e, 1, func(g *vesting.Grant) { g.ClawedBack = 500 }) }, "vested + unvested ≠ granted"},
		{"vesting/grants", func(e *env) { rewrite(e, 2, func(g *vesting.Grant) { g.Schedule.End = at(vesting.MaxDuration * 2) }) }, "at most 1827"},
		{"vesting/grants", func(e *env) { rewrite(e, 3, func(g *vesting.Grant) { g.Status = vesting.StatusVested }) }, "marked vested"},
		{"vesting/grants", func(e *env) { rewrite(e, 3, func(g *vesting.Grant) { g.ID = 9 }) }, "says id 9"},
		{"vesting/grants", func(e *env) {
			rewrite(e, 3, func(g *vesting.Grant) {
				g.Schedule = vesting.Schedule{Kind: vesting.KindPeriodic, Start: at(0), Periods: []vesting.Period{{Time: at(10), Amount: 400}}}
			})
		}, "add up to 400"},
		{"vesting/locked-held", func(e *env) {
			if err := e.bank.Send(e.ctx, alice, mallory, coin.New(native, 700)); err != nil {
				t.Fatal(err)
			}
		}, "locked tokens moved"},
		{"vesting/locked-held", func(e *env) {
			rewrite(e, 2, func(g *vesting.Grant) { g.Amount.Amount = 1000 })
		}, "holds 100ueur but its grants lock 700ueur"},
		{"vesting/indexes", func(e *env) { e.ctx.KV().Delete(rawLiveKey(bob, cash, 2)) }, "grant 2 is vesting; live index false"},
		{"vesting/indexes", func(e *env) { e.ctx.KV().Set(rawLiveKey(alice, native, 1), []byte{1}) }, "grant 1 is clawed_back; live index true"},
		{"vesting/indexes", func(e *env) { e.ctx.KV().Set(rawDueKey(at(5), 77), []byte{1}) }, "due index entries"},
		{"vesting/indexes", func(e *env) { e.ctx.KV().Set(rawLiveKey(carol, cash, 77), []byte{1}) }, "live index entries"},
		{"vesting/indexes", func(e *env) {
			e.ctx.KV().Set(store.Key(vesting.StorePrefix, []byte("a/"), carol[:], store.Uint64Key(5)), []byte{1})
		}, "account index entries"},
	}
	for _, c := range cases {
		t.Run(c.inv+"/"+c.want, func(t *testing.T) {
			e, invs := setup(t)
			chaintest.InvariantCatches(t, invs[c.inv], e.ctx, func() { c.corrupt(e) }, c.want)
		})
	}
	// All names the invariant that broke.
	e, _ := setup(t)
	e.ctx.KV().Delete(rawDueKey(at(1000), 2))
	if err := chaintest.All(e.m).Check(e.ctx); err == nil || !strings.HasPrefix(err.Error(), "vesting/indexes") {
		t.Fatalf("All: %v", err)
	}
	_ = binary.BigEndian
}
