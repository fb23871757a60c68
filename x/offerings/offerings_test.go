package offerings_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
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
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/offerings"
)

var escrow = offerings.EscrowAccount

func TestCost(t *testing.T) {
	cases := []struct {
		amount    coin.Amount
		num, den  uint64
		want      coin.Amount
		overflows bool
	}{
		{0, 2, 3, 0, false},
		{1, 2, 3, 1, false}, // 0.67 → 1
		{3, 2, 3, 2, false}, // exact
		{4, 2, 3, 3, false}, // 2.67 → 3
		{10_000, 2, 3, 6_667, false},
		{1, 1, 1_000_000, 1, false}, // a millionth of a unit still costs one
		{2_000_000, 1, 1_000_000, 2, false},
		{7, 5, 1, 35, false},
		{coin.MaxAmount, 1, 1, coin.MaxAmount, false},
		{coin.MaxAmount, 1, 2, 1 << 63, false},
		{coin.MaxAmount, 2, 1, 0, true},
		{coin.MaxAmount - 1, uint64(coin.MaxAmount), uint64(coin.MaxAmount), coin.MaxAmount - 1, false},
	}
	for _, c := range cases {
		got, err := offerings.Cost(c.amount, c.num, c.den)
		if c.overflows {
			if err == nil {
				t.Errorf("Cost(%d, %d/%d) = %d, want an overflow", c.amount, c.num, c.den, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Cost(%d, %d/%d) = %d, %v; want %d", c.amount, c.num, c.den, got, err, c.want)
		}
	}
	// The cost is the least amount that covers the exact price: cost×den ≥ amount×num > (cost−1)×den.
	for a := coin.Amount(1); a < 2_000; a += 7 {
		for _, p := range [][2]uint64{{2, 3}, {1, 7}, {13, 10}, {999_999, 1_000_000}, {5, 1}} {
			c, err := offerings.Cost(a, p[0], p[1])
			if err != nil {
				t.Fatal(err)
			}
			hiP, loP := bits.Mul64(uint64(a), p[0])
			hiC, loC := bits.Mul64(uint64(c), p[1])
			hiL, loL := bits.Mul64(uint64(c)-1, p[1])
			if hiC < hiP || (hiC == hiP && loC < loP) || hiL > hiP || (hiL == hiP && loL >= loP) {
				t.Fatalf("Cost(%d, %d/%d) = %d is not the ceiling", a, p[0], p[1], c)
			}
		}
	}
}

// TestSettlement runs an offering from open to settled with three subscriptions over the window
// (one a top-up, two accounts of one identity) and checks every token and cash unit.
func TestSettlement(t *testing.T) {
	e := newEnv(t)
	e.kycRule()
	id := e.open(nil)
	if e.bal(issuer, sec) != 900_000 || e.bal(escrow, sec) != 100_000 {
		t.Fatalf("at open: issuer %d, escrow %d", e.bal(issuer, sec), e.bal(escrow, sec))
	}
	o := e.offering(id)
	if o.Status != offerings.StatusOpen || o.Treasury != treasury || o.Issuer != issuer {
		t.Fatalf("opened %+v", o)
	}
	e.at(opens)
	ev := eventOf(e.subscribe(alice, id, 10_000), "offerings.subscribed")
	if ev["cash"] != "6667ueur" || ev["subscription"] != "10000ubridge" || ev["counted_as"] != "identity:alice" {
		t.Fatalf("subscribed event %v", ev)
	}
	e.at(opens.Add(time.Hour))
	ev = eventOf(e.subscribe(alice, id, 5_000), "offerings.subscribed")
	if ev["cash"] != "3333ueur" || ev["subscription_cash"] != "10000ueur" { // ⌈2×15,000/3⌉ − 6,667
		t.Fatalf("top-up event %v", ev)
	}
	e.subscribe(bob, id, 20_000)   // ⌈40,000/3⌉ = 13,334
	e.subscribe(alice2, id, 1_000) // ⌈2,000/3⌉ = 667; alice's identity now has 16,000
	if got := e.k.Tally(e.ctx, id, "identity:alice"); got != 16_000 {
		t.Fatalf("alice's tally %d", got)
	}
	if e.bal(alice, cash) != 990_000 || e.bal(bob, cash) != 986_666 || e.bal(alice2, cash) != 999_333 || e.bal(escrow, cash) != 24_001 {
		t.Fatalf("cash after subscriptions: alice %d bob %d alice2 %d escrow %d", e.bal(alice, cash), e.bal(bob, cash), e.bal(alice2, cash), e.bal(escrow, cash))
	}
	// Nothing happens before the end.
	e.at(ends.Add(-time.Second))
	if evs := e.endBlock(); len(evs) != 0 || e.offering(id).Status != offerings.StatusOpen {
		t.Fatalf("end block before the end: %v", evs)
	}
	e.at(ends)
	evs := e.endBlock()
	if ev := eventOf(evs, "offerings.judged"); ev["status"] != offerings.StatusSettling || ev["eligible"] != "36000ubridge" && ev["eligible"] != "35000ubridge" && ev["eligible"] != "30000ubridge" {
		t.Fatalf("judged %v", ev)
	}
	settled := eventsOf(evs, "offerings.settled")
	if len(settled) != 3 {
		t.Fatalf("settled events %v", settled)
	}
	closed := eventOf(evs, "offerings.closed")
	if closed["status"] != offerings.StatusSettled || closed["delivered"] != "36000ubridge" || closed["raised"] != "24001ueur" || closed["returned"] != "64000ubridge" {
		t.Fatalf("closed %v", closed)
	}
	for _, c := range []struct {
		a     address.Address
		denom string
		want  coin.Amount
	}{
		{alice, sec, 15_000}, {alice2, sec, 1_000}, {bob, sec, 20_000}, {issuer, sec, 964_000}, {escrow, sec, 0},
		{treasury, cash, 24_001}, {escrow, cash, 0}, {alice, cash, 990_000}, {bob, cash, 986_666},
	} {
		if got := e.bal(c.a, c.denom); got != c.want {
			t.Errorf("%s holds %d%s, want %d", c.a, got, c.denom, c.want)
		}
	}
	o = e.offering(id)
	if o.Status != offerings.StatusSettled || o.Delivered != 36_000 || o.Raised != 24_001 || o.Returned != 64_000 || o.Settled != 3 || o.CashEscrowed != 0 {
		t.Fatalf("settled offering %+v", o)
	}
	if s := e.sub(id, bob); s.Status != offerings.SubSettled || s.Cash != 13_334 || s.ClosedHeight != e.ctx.Height {
		t.Fatalf("bob's subscription %+v", s)
	}
	// Finished offerings cost nothing more.
	e.at(ends.Add(time.Minute))
	if evs := e.endBlock(); len(evs) != 0 {
		t.Fatalf("events after the close: %v", evs)
	}
}

func TestSoftCapMissedRefundsEveryone(t *testing.T) {
	e := newEnv(t)
	id := e.open(nil)
	e.at(opens)
	e.subscribe(alice, id, 10_000)
	e.subscribe(dave, id, 5_000) // no rules: dave may subscribe
	e.at(ends)
	evs := e.endBlock()
	if ev := eventOf(evs, "offerings.ended"); ev["status"] != offerings.StatusRefunding || ev["subscribed"] != "15000ubridge" {
		t.Fatalf("ended %v", ev)
	}
	refunds := eventsOf(evs, "offerings.refunded")
	if len(refunds) != 2 || refunds[0]["reason"] != "soft cap missed: 15000 of 30000 subscribed" {
		t.Fatalf("refunds %v", refunds)
	}
	if ev := eventOf(evs, "offerings.closed"); ev["status"] != offerings.StatusRefunded || ev["returned"] != "100000ubridge" || ev["raised"] != "0ueur" {
		t.Fatalf("closed %v", ev)
	}
	for _, a := range []address.Address{alice, dave} {
		if e.bal(a, cash) != 1_000_000 || e.bal(a, sec) != 0 {
			t.Errorf("%s after refund: %d ueur, %d ubridge", a, e.bal(a, cash), e.bal(a, sec))
		}
	}
	if e.bal(issuer, sec) != 1_000_000 || e.bal(treasury, cash) != 0 || len(e.bank.Balances(e.ctx, escrow)) != 0 {
		t.Fatal("tokens or cash left over after the refund")
	}
	if s := e.sub(id, alice); s.Status != offerings.SubRefunded || !strings.Contains(s.Reason, "soft cap") {
		t.Fatalf("alice's subscription %+v", s)
	}
}

func TestCancel(t *testing.T) {
	e := newEnv(t)
	id := e.open(nil)
	e.at(opens)
	e.subscribe(alice, id, 10_000)
	e.subscribe(bob, id, 30_000)
	e.fails(&offerings.MsgCancel{Issuer: mallory, Offering: id, Reason: "mine"}, offerings.ErrNotOwner, "offering 1 is")
	e.fails(&offerings.MsgCancel{Issuer: issuer, Offering: 9, Reason: "x"}, offerings.ErrUnknownOffering, "no offering 9")
	e.fails(&offerings.MsgCancel{Issuer: issuer, Offering: id}, offerings.ErrInvalidMsg, "reason")
	ev := eventOf(e.ok(&offerings.MsgCancel{Issuer: issuer, Offering: id, Reason: "permit withdrawn"}), "offerings.cancelled")
	if ev["reason"] != "permit withdrawn" || ev["subscribers"] != "2" || ev["by"] != issuer.String() {
		t.Fatalf("cancelled %v", ev)
	}
	e.invariants()
	e.fails(&offerings.MsgSubscribe{Investor: carol, Offering: id, Amount: 1_000}, offerings.ErrNotOpen, "cancelling")
	e.fails(&offerings.MsgCancel{Issuer: issuer, Offering: id, Reason: "again"}, offerings.ErrNotOpen, "cancelling")
	evs := e.endBlock() // the same block: refunds start at its end, long before the window's end
	refunds := eventsOf(evs, "offerings.refunded")
	if len(refunds) != 2 || refunds[0]["reason"] != "cancelled by the issuer: permit withdrawn" {
		t.Fatalf("refunds %v", refunds)
	}
	if o := e.offering(id); o.Status != offerings.StatusCancelled || o.Refunded != 2 || o.Returned != 100_000 {
		t.Fatalf("cancelled offering %+v", o)
	}
	if e.bal(alice, cash) != 1_000_000 || e.bal(bob, cash) != 1_000_000 || e.bal(issuer, sec) != 1_000_000 {
		t.Fatal("cancel did not refund everything")
	}
	// After the window's end a cancel is too late: the offering settles or refunds by itself.
	id2 := e.open(func(m *offerings.MsgOpen) { m.Start, m.End = ends.Unix(), ends.Add(time.Hour).Unix() })
	e.at(ends.Add(time.Hour))
	e.fails(&offerings.MsgCancel{Issuer: issuer, Offering: id2, Reason: "late"}, offerings.ErrWindow, "settles or refunds by itself")
}

func TestSubscribeRefusals(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(e *env, id uint64)
		msg    offerings.MsgSubscribe
		code   *codes.Error
		inMsg  string
		offset time.Duration // block time from opens
	}{
		{"before the start", nil, offerings.MsgSubscribe{Investor: alice, Amount: 1_000}, offerings.ErrOutsideWindow, "opens at 2026-01-01T01:00:00Z", -time.Second},
		{"at the end", nil, offerings.MsgSubscribe{Investor: alice, Amount: 1_000}, offerings.ErrOutsideWindow, "closed at 2026-01-03T00:00:00Z", 47 * time.Hour},
		{"below the minimum", nil, offerings.MsgSubscribe{Investor: alice, Amount: 999}, offerings.ErrInvestorLimit, "the minimum is 1000ubridge", 0},
		{"above the maximum", nil, offerings.MsgSubscribe{Investor: alice, Amount: 50_001}, offerings.ErrInvestorLimit, "the maximum is 50000ubridge", 0},
		{"maximum over one identity's accounts", func(e *env, id uint64) { e.subscribe(alice, id, 30_000) },
			offerings.MsgSubscribe{Investor: alice2, Amount: 20_001}, offerings.ErrInvestorLimit, "identity:alice would subscribe 50001ubridge", 0},
		{"maximum over top-ups", func(e *env, id uint64) { e.subscribe(bob, id, 49_000) },
			offerings.MsgSubscribe{Investor: bob, Amount: 1_001}, offerings.ErrInvestorLimit, "maximum", 0},
		{"hard cap", func(e *env, id uint64) { e.subscribe(alice, id, 50_000); e.subscribe(bob, id, 49_500) },
			offerings.MsgSubscribe{Investor: carol, Amount: 1_000}, offerings.ErrHardCap, "has 500ubridge left of its hard cap 100000ubridge", 0},
		{"compliance rejects", nil, offerings.MsgSubscribe{Investor: dave, Amount: 1_000}, offerings.ErrRefused, "rule kyc", 0},
		{"the issuer", nil, offerings.MsgSubscribe{Investor: issuer, Amount: 1_000}, offerings.ErrSelfSubscribe, "issues ubridge", 0},
		{"not enough cash", func(e *env, id uint64) {
			e.identity("erin", "DE", start.AddDate(1, 0, 0), addr("erin"))
			e.fund(addr("erin"), 100)
		},
			offerings.MsgSubscribe{Investor: addr("erin"), Amount: 1_000}, offerings.ErrInsufficient, "holds 100ueur; 1000ubridge costs 667ueur", 0},
		{"frozen cash", func(e *env, id uint64) {
			e.ok(&compliance.MsgFreeze{Officer: officer, Asset: cash, Account: alice, Reason: "court order"})
		}, offerings.MsgSubscribe{Investor: alice, Amount: 1_000}, offerings.ErrRefused, "frozen (court order)", 0},
		{"paused security", func(e *env, id uint64) {
			e.ok(&assets.MsgPause{Controller: issuer, Denom: sec, Reason: "incident"})
		}, offerings.MsgSubscribe{Investor: alice, Amount: 1_000}, offerings.ErrRefused, "paused", 0},
		{"unknown offering", nil, offerings.MsgSubscribe{Investor: alice, Offering: 7, Amount: 1_000}, offerings.ErrUnknownOffering, "no offering 7", 0},
		{"zero amount", nil, offerings.MsgSubscribe{Investor: alice, Amount: 0}, offerings.ErrInvalidMsg, "positive", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.kycRule()
			id := e.open(nil)
			e.at(opens.Add(c.offset))
			if c.setup != nil {
				c.setup(e, id)
			}
			m := c.msg
			if m.Offering == 0 {
				m.Offering = id
			}
			e.fails(&m, c.code, c.inMsg)
			e.invariants()
		})
	}
}

func TestOpenRefusals(t *testing.T) {
	cases := []struct {
		name  string
		setup func(e *env)
		edit  func(m *offerings.MsgOpen)
		code  *codes.Error
		inMsg string
	}{
		{"not the issuer", nil, func(m *offerings.MsgOpen) { m.Issuer = mallory }, offerings.ErrNotIssuer, "issued by"},
		{"cash of the wrong kind", func(e *env) {
			e.ok(&assets.MsgCreate{Issuer: mallory, Denom: "utunnel", Kind: assets.KindSecurity, Name: "Tunnel", Symbol: "TUNNEL", Decimals: 6})
		}, func(m *offerings.MsgOpen) { m.Cash = "utunnel" }, offerings.ErrWrongKind, "utunnel is a security asset; an offering needs a cash asset"},
		{"security of the wrong kind", nil, func(m *offerings.MsgOpen) { m.Security, m.Cash = cash, sec }, offerings.ErrWrongKind, "ueur is a cash asset"},
		{"unknown cash", nil, func(m *offerings.MsgOpen) { m.Cash = "uusd" }, offerings.ErrUnknownAsset, "uusd"},
		{"price 0", nil, func(m *offerings.MsgOpen) { m.PriceNum = 0 }, offerings.ErrInvalidMsg, "price 0/3"},
		{"price denominator 0", nil, func(m *offerings.MsgOpen) { m.PriceDen = 0 }, offerings.ErrInvalidMsg, "price 2/0"},
		{"soft cap above hard cap", nil, func(m *offerings.MsgOpen) { m.SoftCap = 100_001 }, offerings.ErrInvalidMsg, "soft cap 100001 exceeds the hard cap 100000"},
		{"hard cap 0", nil, func(m *offerings.MsgOpen) { m.HardCap, m.SoftCap, m.MaxPerInvestor, m.MinPerInvestor = 0, 0, 0, 0 }, offerings.ErrInvalidMsg, "hard cap must be positive"},
		{"min above max", nil, func(m *offerings.MsgOpen) { m.MinPerInvestor = 50_001 }, offerings.ErrInvalidMsg, "minimum per investor 50001 exceeds the maximum"},
		{"max above hard cap", nil, func(m *offerings.MsgOpen) { m.MaxPerInvestor = 100_001 }, offerings.ErrInvalidMsg, "maximum per investor 100001 exceeds the hard cap"},
		{"end before start", nil, func(m *offerings.MsgOpen) { m.End = m.Start - 1 }, offerings.ErrInvalidMsg, "is not after start"},
		{"window too long", nil, func(m *offerings.MsgOpen) { m.End = m.Start + offerings.MaxDuration + 1 }, offerings.ErrInvalidMsg, "5 years"},
		{"window over", nil, func(m *offerings.MsgOpen) { m.Start, m.End = start.Add(-2*time.Hour).Unix(), start.Unix() }, offerings.ErrWindow, "not after the block time"},
		{"price overflows", nil, func(m *offerings.MsgOpen) { m.PriceNum = uint64(coin.MaxAmount) }, offerings.ErrInvalidMsg, "costs more"},
		{"treasury is the escrow", nil, func(m *offerings.MsgOpen) { m.Treasury = escrow }, offerings.ErrBadTreasury, "module account"},
		{"treasury is the hold account", nil, func(m *offerings.MsgOpen) { m.Treasury = compliance.HoldAccount }, offerings.ErrBadTreasury, "module account"},
		{"not enough tokens", nil, func(m *offerings.MsgOpen) { m.HardCap, m.MaxPerInvestor = 1_000_001, 0 }, offerings.ErrInsufficient, "holds 1000000ubridge"},
		{"tokens frozen", func(e *env) {
			e.ok(&compliance.MsgFreeze{Officer: officer, Asset: sec, Account: issuer, Amount: 950_000, Reason: "pledged"})
		}, nil, offerings.ErrFrozen, "950000ubridge of the issuer's ubridge is frozen (pledged)"},
		{"security paused", func(e *env) { e.ok(&assets.MsgPause{Controller: issuer, Denom: sec, Reason: "audit"}) }, nil, offerings.ErrPaused, "paused by its controller (audit)"},
		{"zero issuer", nil, func(m *offerings.MsgOpen) { m.Issuer = address.Address{} }, offerings.ErrInvalidMsg, "zero issuer"},
		{"same denom", nil, func(m *offerings.MsgOpen) { m.Cash = sec }, offerings.ErrInvalidMsg, "both ubridge"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			if c.setup != nil {
				c.setup(e)
			}
			m := openMsg()
			if c.edit != nil {
				c.edit(m)
			}
			e.fails(m, c.code, c.inMsg)
			if e.k.Sequence(e.ctx) != 0 || e.bal(issuer, sec) != 1_000_000 || len(e.bank.Balances(e.ctx, escrow)) != 0 {
				t.Fatal("a refused open changed the state")
			}
		})
	}
	// A partial freeze that leaves the hard cap free does not stop the open.
	e := newEnv(t)
	e.ok(&compliance.MsgFreeze{Officer: officer, Asset: sec, Account: issuer, Amount: 900_000, Reason: "pledged"})
	e.open(nil)
}

// TestComplianceAtSettlement: carol's credential expires after she subscribed and before the
// end; at settlement she is refunded while the others settle. When the soft cap needs her, the
// whole offering refunds: the soft cap is judged on what passes compliance at the end.
func TestComplianceAtSettlement(t *testing.T) {
	for _, c := range []struct {
		name    string
		softCap coin.Amount
		status  string
	}{
		{"others settle", 30_000, offerings.StatusSettled},
		{"soft cap needs her", 35_000, offerings.StatusRefunded},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.kycRule()
			id := e.open(func(m *offerings.MsgOpen) { m.SoftCap = c.softCap })
			e.at(opens)
			e.subscribe(alice, id, 10_000)
			e.subscribe(bob, id, 20_000)
			e.subscribe(carol, id, 10_000) // her credential is still valid
			e.at(ends)
			evs := e.endBlock()
			if o := e.offering(id); o.Status != c.status {
				t.Fatalf("status %s, want %s: %v", o.Status, c.status, evs)
			}
			refunds := eventsOf(evs, "offerings.refunded")
			if c.status == offerings.StatusSettled {
				if len(refunds) != 1 || refunds[0]["investor"] != carol.String() || !strings.Contains(refunds[0]["reason"], "compliance at settlement: rejected by rule kyc") {
					t.Fatalf("refunds %v", refunds)
				}
				if s := e.sub(id, carol); s.Status != offerings.SubRefunded || !strings.Contains(s.Reason, "KYC") {
					t.Fatalf("carol's subscription %+v", s)
				}
				// The refusal is in the audit trail as a compliance decision.
				if ds := eventsOf(evs, "compliance.decision"); len(ds) != 1 || ds[0]["to"] != carol.String() || ds[0]["outcome"] != "reject" || ds[0]["refused"] != "true" {
					t.Fatalf("compliance decisions at settlement: %v", ds)
				}
				if e.bal(carol, cash) != 1_000_000 || e.bal(carol, sec) != 0 || e.bal(alice, sec) != 10_000 || e.bal(bob, sec) != 20_000 {
					t.Fatal("wrong balances after settlement")
				}
				if e.bal(treasury, cash) != 6_667+13_334 || e.bal(issuer, sec) != 970_000 {
					t.Fatalf("treasury %d, issuer %d", e.bal(treasury, cash), e.bal(issuer, sec))
				}
				return
			}
			if len(refunds) != 3 || refunds[0]["reason"] != "soft cap missed: 30000 of 35000 subscribed passed compliance at the end" {
				t.Fatalf("refunds %v", refunds)
			}
			if e.bal(treasury, cash) != 0 || e.bal(issuer, sec) != 1_000_000 {
				t.Fatal("a refunded offering paid out")
			}
		})
	}
}

// TestFlaggedDeliveryOpensAlert: a delivery that a rule flags settles and opens an alert, as a
// transfer would.
func TestFlaggedDeliveryOpensAlert(t *testing.T) {
	e := newEnv(t)
	e.ok(&compliance.MsgSetRules{Officer: officer, Asset: sec, Rules: []compliance.Rule{
		{ID: "large", Kind: compliance.KindLargeTransfer, Outcome: compliance.OutcomeFlag, Params: compliance.Params{Amount: 15_000}}}})
	id := e.open(nil)
	e.at(opens)
	e.subscribe(alice, id, 10_000)
	e.subscribe(bob, id, 20_000)
	e.at(ends)
	evs := e.endBlock()
	if o := e.offering(id); o.Status != offerings.StatusSettled || e.bal(bob, sec) != 20_000 {
		t.Fatalf("offering %+v, bob %d", o, e.bal(bob, sec))
	}
	ds := eventsOf(evs, "compliance.decision")
	if len(ds) != 1 || ds[0]["outcome"] != "flag" || ds[0]["to"] != bob.String() || ds[0]["alert"] == "" {
		t.Fatalf("decisions %v", ds)
	}
	if a := e.comp.Alerts(e.ctx, compliance.Filter{Limit: 10}); len(a.Alerts) != 1 || a.Alerts[0].To != bob {
		t.Fatalf("alerts %+v", a)
	}
}

// TestSettlementSpreadsOverBlocks: with 4 units of work per block, two offerings ending at
// once (25 subscribers) finish over several blocks, never more than 4 units per block.
func TestSettlementSpreadsOverBlocks(t *testing.T) {
	e := newEnv(t)
	e.kycRule()
	g := offerings.DefaultGenesis()
	g.Params.PerBlock = 4
	if err := e.m.InitGenesis(e.ctx, chaintest.GenesisJSON(t, g)); err != nil {
		t.Fatal(err)
	}
	id1 := e.open(func(m *offerings.MsgOpen) { m.SoftCap = 10_000 })
	id2 := e.open(func(m *offerings.MsgOpen) { m.SoftCap = 10_000 }) // will miss it
	e.at(opens)
	var investors []address.Address
	for i := 0; i < 20; i++ {
		a := addr(fmt.Sprintf("investor-%02d", i))
		e.identity(fmt.Sprintf("inv-%02d", i), "DE", start.AddDate(1, 0, 0), a)
		e.fund(a, 10_000)
		investors = append(investors, a)
		e.subscribe(a, id1, 1_000)
		if i < 5 {
			e.subscribe(a, id2, 1_000)
		}
	}
	e.at(ends)
	blocks, paid := 0, 0
	for offerings.Live(e.offering(id1).Status) || offerings.Live(e.offering(id2).Status) {
		blocks++
		if blocks > 100 {
			t.Fatal("not finished after 100 blocks")
		}
		evs := e.endBlock()
		units := len(eventsOf(evs, "offerings.settled")) + len(eventsOf(evs, "offerings.refunded")) +
			len(eventsOf(evs, "offerings.closed")) + len(eventsOf(evs, "offerings.ended"))
		if units > 4 {
			t.Fatalf("block %d did %d units of work: %v", blocks, units, evs)
		}
		paid += len(eventsOf(evs, "offerings.settled")) + len(eventsOf(evs, "offerings.refunded"))
		e.at(e.ctx.Time.Add(5 * time.Second))
	}
	// 2 ends, 10 checks to reach the soft cap, 20 settlements, 5 refunds, 2 closes: 39 units.
	if paid != 25 || blocks != 10 {
		t.Fatalf("%d payouts over %d blocks", paid, blocks)
	}
	if o := e.offering(id1); o.Status != offerings.StatusSettled || o.Delivered != 20_000 || o.Raised != 20*667 {
		t.Fatalf("offering 1: %+v", o)
	}
	if o := e.offering(id2); o.Status != offerings.StatusRefunded {
		t.Fatalf("offering 2: %+v", o)
	}
	for _, a := range investors {
		if e.bal(a, sec) != 1_000 || e.bal(a, cash) != 10_000-667 {
			t.Fatalf("%s holds %d ubridge, %d ueur", a, e.bal(a, sec), e.bal(a, cash))
		}
	}
	if e.bal(issuer, sec) != 980_000 || len(e.bank.Balances(e.ctx, escrow)) != 0 {
		t.Fatal("escrow not emptied")
	}
}

// TestTopUpsPayTheExactPrice: a subscription's cash is always the price of its whole amount,
// so a top-up can cost nothing when earlier rounding covered it.
func TestTopUpsPayTheExactPrice(t *testing.T) {
	e := newEnv(t)
	id := e.open(func(m *offerings.MsgOpen) { m.MinPerInvestor, m.SoftCap = 0, 0 })
	e.at(opens)
	var paid []string
	for i := 0; i < 3; i++ {
		paid = append(paid, eventOf(e.subscribe(alice, id, 1), "offerings.subscribed")["cash"])
	}
	if strings.Join(paid, ",") != "1ueur,1ueur,0ueur" || e.sub(id, alice).Cash != 2 || e.bal(escrow, cash) != 2 {
		t.Fatalf("paid %v, subscription %+v", paid, e.sub(id, alice))
	}
}

// TestPausedAssetWaits: while the security is paused, the end of the offering waits.
func TestPausedAssetWaits(t *testing.T) {
	e := newEnv(t)
	id := e.open(nil)
	e.at(opens)
	e.subscribe(alice, id, 30_000)
	e.ok(&assets.MsgPause{Controller: issuer, Denom: sec, Reason: "incident"})
	e.at(ends)
	e.endBlock()
	e.at(ends.Add(time.Minute))
	if evs := e.endBlock(); len(evs) != 0 || e.offering(id).Status != offerings.StatusClosing {
		t.Fatalf("paused offering moved: %v %+v", evs, e.offering(id))
	}
	e.ok(&assets.MsgUnpause{Controller: issuer, Denom: sec, Reason: "resolved"})
	e.endBlock()
	if e.offering(id).Status != offerings.StatusSettled || e.bal(alice, sec) != 30_000 {
		t.Fatalf("after unpause: %+v", e.offering(id))
	}
}

func TestSoftCapZeroAndNoSubscribers(t *testing.T) {
	e := newEnv(t)
	id := e.open(func(m *offerings.MsgOpen) { m.SoftCap = 0 })
	e.at(ends)
	evs := e.endBlock()
	if ev := eventOf(evs, "offerings.closed"); ev["status"] != offerings.StatusSettled || ev["returned"] != "100000ubridge" {
		t.Fatalf("closed %v", evs)
	}
	if e.bal(issuer, sec) != 1_000_000 || e.offering(id).Settled != 0 {
		t.Fatal("empty offering did not return its tokens")
	}
}

func TestInvariantsCatchCorruption(t *testing.T) {
	setup := func(t *testing.T) (*env, uint64) {
		e := newEnv(t)
		id := e.open(nil)
		e.at(opens)
		e.subscribe(alice, id, 10_000)
		e.subscribe(bob, id, 20_000)
		return e, id
	}
	inv := func(m *offerings.Module, name string) chain.Invariant {
		for _, i := range m.Invariants() {
			if i.Name == name {
				return i
			}
		}
		t.Fatalf("no invariant %s", name)
		return chain.Invariant{}
	}
	st := func(e *env) store.KV { return e.ctx.Store(offerings.StorePrefix) }
	subKey := func(id uint64, a address.Address) []byte {
		return append(append([]byte("s/"), be64(id)...), a[:]...)
	}
	t.Run("escrow", func(t *testing.T) {
		e, _ := setup(t)
		chaintest.InvariantCatches(t, inv(e.m, "offerings/escrow-equals-live-offerings"), e.ctx, func() {
			if err := e.bank.Mint(e.ctx, escrow, coin.New(cash, 1)); err != nil {
				t.Fatal(err)
			}
		}, "escrow holds 20002ueur, live offerings account for 20001ueur")
	})
	t.Run("escrow short of tokens", func(t *testing.T) {
		e, _ := setup(t)
		chaintest.InvariantCatches(t, inv(e.m, "offerings/escrow-equals-live-offerings"), e.ctx, func() {
			if err := e.bank.Send(e.ctx, escrow, mallory, coin.New(sec, 5)); err != nil {
				t.Fatal(err)
			}
		}, "escrow holds 99995ubridge")
	})
	t.Run("subscription price", func(t *testing.T) {
		e, id := setup(t)
		chaintest.InvariantCatches(t, inv(e.m, "offerings/subscriptions-add-up"), e.ctx, func() {
			s := e.sub(id, alice)
			s.Cash--
			st(e).Set(subKey(id, alice), canon.MustMarshal(&s))
		}, "cash 6666, the price of 10000 is 6667")
	})
	t.Run("subscribed total", func(t *testing.T) {
		e, id := setup(t)
		chaintest.InvariantCatches(t, inv(e.m, "offerings/subscriptions-add-up"), e.ctx, func() {
			s := e.sub(id, alice)
			s.Amount, s.Cash = 12_000, 8_000
			st(e).Set(subKey(id, alice), canon.MustMarshal(&s))
		}, "subscriptions add up to 32000")
	})
	t.Run("tally", func(t *testing.T) {
		e, id := setup(t)
		chaintest.InvariantCatches(t, inv(e.m, "offerings/subscriptions-add-up"), e.ctx, func() {
			st(e).Set(append(append([]byte("t/"), be64(id)...), "identity:bob"...), canon.MustMarshal(coin.Amount(60_000)))
		}, "identity:bob's tally is 60000")
	})
	t.Run("due index", func(t *testing.T) {
		e, id := setup(t)
		chaintest.InvariantCatches(t, inv(e.m, "offerings/indexes"), e.ctx, func() {
			st(e).Delete(append(append([]byte("e/"), be64(uint64(ends.Unix()))...), be64(id)...))
		}, "offering 1 is open but due index false")
	})
}

func TestMsgsFailWithCodes(t *testing.T) {
	for _, c := range []struct {
		m     interface{ Validate() error }
		inMsg string
	}{
		{&offerings.MsgSubscribe{Offering: 1, Amount: 1}, "zero investor"},
		{&offerings.MsgSubscribe{Investor: alice, Amount: 1}, "offering id 0"},
		{&offerings.MsgCancel{Issuer: issuer, Offering: 1, Reason: strings.Repeat("x", 257)}, "at most 256"},
		{&offerings.MsgCancel{Offering: 1, Reason: "x"}, "zero issuer"},
		{&offerings.MsgOpen{Issuer: issuer, Security: "u", Cash: cash, PriceNum: 1, PriceDen: 1, HardCap: 1, End: 1}, "security"},
	} {
		err := c.m.Validate()
		if err == nil || !errors.Is(err, offerings.ErrInvalidMsg) || !strings.Contains(err.Error(), c.inMsg) {
			t.Errorf("%T: %v, want an invalid-msg error saying %q", c.m, err, c.inMsg)
		}
	}
}

func be64(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}
