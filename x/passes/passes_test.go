package passes_test

import (
	"strconv"
	"testing"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain/chaintest"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/passes"
)

func TestCreateClass(t *testing.T) {
	e := newEnv(t)
	id := e.create(classMsg())
	c := e.class(id)
	if c.Status != passes.ClassOnSale || c.Creator != operator || c.Cap() != 1_000 || c.Project != bridge {
		t.Fatalf("class %+v", c)
	}
	m := classMsg()
	m.Creator = spv // private_partner may create too
	e.create(m)
	for _, tc := range []struct {
		name string
		edit func(m *passes.MsgCreateClass)
		want *codes.Error
		in   string
	}{
		{"unknown project", func(m *passes.MsgCreateClass) { m.Project = "no-such-project" }, passes.ErrUnknownProject, "no-such-project"},
		{"contractor", func(m *passes.MsgCreateClass) { m.Creator = builder }, passes.ErrWrongRole, "operator or private_partner"},
		{"agency", func(m *passes.MsgCreateClass) { m.Creator = ministry }, passes.ErrWrongRole, "is not one"},
		{"unknown price asset", func(m *passes.MsgCreateClass) { m.Price = coin.New("uusd", 5) }, passes.ErrUnknownAsset, "uusd"},
		{"price not cash", func(m *passes.MsgCreateClass) { m.Price = coin.New(pass, 5) }, passes.ErrNotCash, "kind pass"},
		{"unknown compliance asset", func(m *passes.MsgCreateClass) { m.ComplianceAsset = "unope" }, passes.ErrUnknownAsset, "unope"},
		{"compliance asset not pass", func(m *passes.MsgCreateClass) { m.ComplianceAsset = cash }, passes.ErrNotPassAsset, "kind cash"},
		{"promised opening passed", func(m *passes.MsgCreateClass) { m.PromisedOpening = at(0) }, passes.ErrBadTime, "promised opening"},
		{"fixed end passed", func(m *passes.MsgCreateClass) {
			m.Validity = passes.Validity{Kind: passes.ValidityFixed, Start: at(-10 * day), End: at(0)}
			m.PromisedOpening, m.Late = 0, passes.LatePolicy{} // a promise after the end is refused on its own
		}, passes.ErrBadTime, "validity ends"},
		{"sale end passed", func(m *passes.MsgCreateClass) { m.SaleStart, m.SaleEnd = at(-day), at(0) }, passes.ErrBadTime, "sale ends"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := classMsg()
			tc.edit(m)
			chaintest.MsgFails(t, e.ctx, e.handle, m, tc.want, tc.in)
		})
	}
}

func TestClassLimit(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < passes.MaxClassesPerProject; i++ {
		if _, err := e.run(classMsg()); err != nil {
			t.Fatal(err)
		}
	}
	e.invariants()
	e.fails(classMsg(), passes.ErrTooMany, "256 pass classes")
}

func TestCloseSale(t *testing.T) {
	e := newEnv(t)
	m := classMsg()
	m.Creator = spv
	id := e.create(m)
	e.fails(&passes.MsgCloseSale{Actor: builder, Class: id}, passes.ErrWrongRole, "operator")
	e.fails(&passes.MsgCloseSale{Actor: spv, Class: 99}, passes.ErrUnknownClass, "99")
	ev := eventOf(e.ok(&passes.MsgCloseSale{Actor: operator, Class: id}), "passes.sale_closed")
	if ev["by"] != operator.String() {
		t.Fatal(ev)
	}
	e.fails(&passes.MsgCloseSale{Actor: spv, Class: id}, passes.ErrNotOnSale, "closed")
	e.fails(&passes.MsgBuy{Buyer: alice, Class: id, Quantity: 1}, passes.ErrNotOnSale, "closed")
}

func TestBuy(t *testing.T) {
	e := newEnv(t)
	id := e.create(classMsg())
	ids := e.buy(alice, id, 2)
	if e.bal(escrow) != 2_000 || e.bal(alice) != 998_000 {
		t.Fatalf("escrow %d, alice %d", e.bal(escrow), e.bal(alice))
	}
	if r := e.revenue(); r.Sold != 2_000 || r.Deferred != 2_000 || r.Earned != 0 || r.Refunded != 0 {
		t.Fatalf("revenue %+v", r)
	}
	for _, pid := range ids {
		if p := e.pass(pid); p.Holder != alice || p.UsesLeft != 10 || p.Deferred != 1_000 || p.Status != passes.PassActive || p.Paid != coin.New(cash, 1_000) {
			t.Fatalf("pass %+v", p)
		}
	}
	if c := e.class(id); c.Sold != 2 {
		t.Fatalf("sold %d", c.Sold)
	}

	capped := classMsg()
	capped.MaxSupply, capped.SaleCap = 5, 3
	cid := e.create(capped)
	e.buy(bob, cid, 3)
	small := classMsg()
	small.MaxSupply = 2
	sid := e.create(small)
	window := classMsg()
	window.SaleStart, window.SaleEnd = at(day), at(2*day)
	wid := e.create(window)
	dear := classMsg()
	dear.Price = coin.New(cash, 20_000)
	did := e.create(dear)
	for _, tc := range []struct {
		name string
		m    *passes.MsgBuy
		want *codes.Error
		in   string
	}{
		{"sale cap", &passes.MsgBuy{Buyer: bob, Class: cid, Quantity: 1}, passes.ErrSoldOut, "sold 3 of 3"},
		{"max supply", &passes.MsgBuy{Buyer: bob, Class: sid, Quantity: 3}, passes.ErrSoldOut, "sold 0 of 2"},
		{"before the window", &passes.MsgBuy{Buyer: bob, Class: wid, Quantity: 1}, passes.ErrSaleWindow, "opens at"},
		{"compliance asset refuses", &passes.MsgBuy{Buyer: carol, Class: id, Quantity: 1}, passes.ErrRefused, "rule kyc"},
		{"cash refused", &passes.MsgBuy{Buyer: mallory, Class: id, Quantity: 1}, passes.ErrRefused, "rule deny"},
		{"cannot pay", &passes.MsgBuy{Buyer: bob, Class: did, Quantity: 100}, passes.ErrInsufficient, "cost 2000000ueur"},
		{"unknown class", &passes.MsgBuy{Buyer: bob, Class: 99, Quantity: 1}, passes.ErrUnknownClass, "99"},
		{"module account", &passes.MsgBuy{Buyer: escrow, Class: id, Quantity: 1}, passes.ErrModuleAccount, "passes module"},
	} {
		t.Run(tc.name, func(t *testing.T) { chaintest.MsgFails(t, e.ctx, e.handle, tc.m, tc.want, tc.in) })
	}
	e.setTime(at(day))
	e.buy(bob, wid, 1)
	e.setTime(at(2 * day))
	e.fails(&passes.MsgBuy{Buyer: bob, Class: wid, Quantity: 1}, passes.ErrSaleWindow, "ended at")

	// A fixed class whose validity ended sells nothing more.
	fixed := classMsg()
	fixed.Validity = passes.Validity{Kind: passes.ValidityFixed, Start: at(2 * day), End: at(3 * day)}
	fixed.PromisedOpening, fixed.Late = 0, passes.LatePolicy{}
	fid := e.create(fixed)
	e.setTime(at(3*day) + 1)
	e.fails(&passes.MsgBuy{Buyer: bob, Class: fid, Quantity: 1}, passes.ErrClassEnded, "valid until")
}

func TestTransfer(t *testing.T) {
	e := newEnv(t)
	id := e.create(classMsg())
	p := e.buy(alice, id, 1)[0]
	e.open(at(0))
	e.ok(redeem(use(aliceK, p, 1, at(0))))
	e.fails(&passes.MsgTransfer{From: bob, To: alice, Pass: p}, passes.ErrNotHolder, "held by")
	e.fails(&passes.MsgTransfer{From: alice, To: carol, Pass: p}, passes.ErrRefused, "rule kyc")
	e.fails(&passes.MsgTransfer{From: alice, To: escrow, Pass: p}, passes.ErrModuleAccount, "passes module")
	e.fails(&passes.MsgTransfer{From: alice, To: bob, Pass: 42}, passes.ErrUnknownPass, "42")
	ev := eventOf(e.ok(&passes.MsgTransfer{From: alice, To: bob, Pass: p}), "passes.transferred")
	if ev["to"] != bob.String() || ev["uses_left"] != "9" {
		t.Fatal(ev)
	}
	if got := e.pass(p); got.Holder != bob || got.UsesLeft != 9 || got.Used != 1 {
		t.Fatalf("pass %+v", got)
	}
	// The old holder's tickets no longer count; the new holder's go on from the next use.
	e.fails(redeem(use(aliceK, p, 2, at(0))), passes.ErrBadTicket, "held by")
	e.ok(redeem(use(bobK, p, 2, at(0))))
	if l := e.k.HolderPasses(e.ctx, alice, 0, 10, ""); len(l.Passes) != 0 {
		t.Fatalf("alice still lists %v", l.Passes)
	}
	if l := e.k.HolderPasses(e.ctx, bob, 0, 10, ""); len(l.Passes) != 1 || l.Passes[0].UsesLeft != 8 {
		t.Fatalf("bob lists %+v", l.Passes)
	}

	fixedOnce := classMsg()
	fixedOnce.Transferable, fixedOnce.Uses = false, 1
	nid := e.create(fixedOnce)
	np := e.buy(alice, nid, 1)[0]
	e.fails(&passes.MsgTransfer{From: alice, To: bob, Pass: np}, passes.ErrNotTransfer, "not transferable")

	once := classMsg()
	once.Uses = 1
	oid := e.create(once)
	op := e.buy(alice, oid, 1)[0]
	e.ok(redeem(use(aliceK, op, 1, at(0))))
	e.fails(&passes.MsgTransfer{From: alice, To: bob, Pass: op}, passes.ErrNotActive, "used_up")
}

// TestRedeem: a batch of 100 uses (10 passes × 10 uses), then every way a use is refused.
func TestRedeem(t *testing.T) {
	e := newEnv(t)
	id := e.create(classMsg())
	ids := e.buy(alice, id, 10)
	extra := e.buy(alice, id, 1)[0]
	e.fails(redeem(use(aliceK, ids[0], 1, at(0))), passes.ErrNotValid, "has not opened")
	e.setTime(at(day))
	e.open(at(day) - 200)
	var batch []passes.Use
	for _, p := range ids {
		for s := uint32(1); s <= 10; s++ {
			batch = append(batch, use(aliceK, p, s, at(day)-int64(100-len(batch))))
		}
	}
	evs := e.ok(redeem(batch...))
	if n := len(eventsOf(evs, "passes.redeemed")); n != 100 {
		t.Fatalf("%d redeemed events", n)
	}
	if r := e.revenue(); r.Earned != 10_000 || r.Deferred != 1_000 || r.Sold != 11_000 {
		t.Fatalf("revenue %+v", r)
	}
	if e.bal(treasury) != 10_000 || e.bal(escrow) != 1_000 {
		t.Fatalf("treasury %d, escrow %d", e.bal(treasury), e.bal(escrow))
	}
	for _, p := range ids {
		if got := e.pass(p); got.Status != passes.PassUsedUp || got.Used != 10 || got.Deferred != 0 {
			t.Fatalf("pass %+v", got)
		}
	}
	now := at(day)
	good := use(aliceK, extra, 1, now)
	forged := good
	forged.Signature = passes.SignTicket(passes.Ticket{ChainID: chaintest.ChainID, Pass: extra, Holder: alice, Seq: 1, Time: now - 1}, aliceK.sign)
	bobSigns := use(bobK, extra, 1, now)
	bobKey := good
	bobKey.PubKey = bobK.pub
	otherChain := use(aliceK, extra, 1, now)
	otherChain.Ticket.ChainID = "other-chain"
	otherChain.Signature = passes.SignTicket(otherChain.Ticket, aliceK.sign)
	for _, tc := range []struct {
		name string
		m    *passes.MsgRedeem
		want *codes.Error
		in   string
	}{
		{"not an operator", &passes.MsgRedeem{Operator: spv, Uses: []passes.Use{good}}, passes.ErrWrongRole, "operator"},
		{"bad signature", redeem(forged), passes.ErrBadSignature, "not the holder's signature"},
		{"not the holder", redeem(bobSigns), passes.ErrBadTicket, "the pass is held by"},
		{"key not the holder's", redeem(bobKey), passes.ErrBadTicket, "public key"},
		{"other chain", redeem(otherChain), passes.ErrBadTicket, "other-chain"},
		{"skipped seq", redeem(use(aliceK, extra, 2, now)), passes.ErrSeq, "next ticket is seq 1"},
		{"replayed", redeem(use(aliceK, ids[0], 10, now)), passes.ErrNotActive, "used_up"},
		{"replay in a batch", redeem(good, good), passes.ErrSeq, "this one is seq 1"},
		{"used up", redeem(use(aliceK, ids[1], 11, now)), passes.ErrNotActive, "used_up"},
		{"too old", redeem(use(aliceK, extra, 1, now-passes.TicketMaxAge-1)), passes.ErrTicketTime, "up to 86400 s old"},
		{"ahead", redeem(use(aliceK, extra, 1, now+passes.TicketMaxAhead+1)), passes.ErrTicketTime, "60 s ahead"},
		{"before the opening", redeem(use(aliceK, extra, 1, now-201)), passes.ErrNotValid, "valid from"},
		{"unknown pass", redeem(use(aliceK, 999, 1, now)), passes.ErrUnknownPass, "999"},
		// All or nothing: the good first use is not recorded when the second fails.
		{"batch fails whole", redeem(good, use(aliceK, extra, 3, now)), passes.ErrSeq, "use 1 (pass 11, seq 3)"},
	} {
		t.Run(tc.name, func(t *testing.T) { chaintest.MsgFails(t, e.ctx, e.handle, tc.m, tc.want, tc.in) })
	}
	e.ok(redeem(good))
	e.fails(redeem(good), passes.ErrSeq, "this one is seq 1") // the same ticket again
	e.ok(redeem(use(aliceK, extra, 2, now)))
	if p := e.pass(extra); p.Used != 2 || p.UsesLeft != 8 || p.Deferred != 800 || p.LastUse != now {
		t.Fatalf("pass %+v", p)
	}
}

// TestRevenueRemainder: each use earns Paid/Uses, the last the remainder.
func TestRevenueRemainder(t *testing.T) {
	e := newEnv(t)
	m := classMsg()
	m.Price, m.Uses = coin.New(cash, 1_001), 3
	id := e.create(m)
	p := e.buy(alice, id, 1)[0]
	e.open(at(0))
	var earned []string
	for s := uint32(1); s <= 3; s++ {
		ev := eventOf(e.ok(redeem(use(aliceK, p, s, at(0)))), "passes.redeemed")
		earned = append(earned, ev["earned"])
	}
	if earned[0] != "333ueur" || earned[1] != "333ueur" || earned[2] != "335ueur" {
		t.Fatalf("earned %v", earned)
	}
	if e.bal(treasury) != 1_001 || e.revenue().Earned != 1_001 || e.pass(p).Status != passes.PassUsedUp {
		t.Fatalf("treasury %d, revenue %+v", e.bal(treasury), e.revenue())
	}
}

// TestExpiry: at the end of a fixed validity the passes expire and what they still defer is
// earned; an unlimited pass earns nothing per use; expiry is bounded per block.
func TestExpiry(t *testing.T) {
	e := newEnv(t)
	m := classMsg()
	m.Uses, m.Price = 0, coin.New(cash, 500)
	m.Validity = passes.Validity{Kind: passes.ValidityFixed, Start: at(0), End: at(10 * day)}
	m.PromisedOpening, m.Late = 0, passes.LatePolicy{}
	unlimited := e.create(m)
	m.Uses = 4
	limited := e.create(m)
	u := e.buy(alice, unlimited, 1)[0]
	l := e.buy(bob, limited, 1)[0]
	var batch []passes.Use
	for s := uint32(1); s <= 5; s++ {
		batch = append(batch, use(aliceK, u, s, at(0)))
	}
	e.ok(redeem(batch...))
	e.ok(redeem(use(bobK, l, 1, at(0))))
	if r := e.revenue(); r.Earned != 125 || r.Deferred != 875 {
		t.Fatalf("revenue %+v", r)
	}
	e.setTime(at(10 * day))
	e.ok(redeem(use(aliceK, u, 6, at(10*day)))) // the last second of the validity
	e.setTime(at(10*day) + 1)
	e.fails(redeem(use(bobK, l, 2, at(10*day))), passes.ErrNotValid, "validity ended")
	evs := e.endBlock()
	if n := len(eventsOf(evs, "passes.expired")); n != 2 {
		t.Fatalf("%d expired", n)
	}
	if r := e.revenue(); r.Earned != 1_000 || r.Deferred != 0 || e.bal(treasury) != 1_000 || e.bal(escrow) != 0 {
		t.Fatalf("revenue %+v, treasury %d", r, e.bal(treasury))
	}
	if p := e.pass(u); p.Status != passes.PassExpired || p.Used != 6 || p.LastUse != at(10*day) {
		t.Fatalf("pass %+v", p)
	}
	e.fails(redeem(use(bobK, l, 2, at(10*day))), passes.ErrNotActive, "expired")
	e.fails(&passes.MsgTransfer{From: bob, To: alice, Pass: l}, passes.ErrNotActive, "expired")

	// 250 passes expire in three blocks: 100, 100, 50.
	m.Validity = passes.Validity{Kind: passes.ValidityFixed, Start: at(11 * day), End: at(12 * day)}
	m.Uses = 2
	many := e.create(m)
	for i := 0; i < 3; i++ {
		e.buy(alice, many, 100)
	}
	e.setTime(at(12*day) + 1)
	var counts []int
	for i := 0; i < 5; i++ {
		counts = append(counts, len(eventsOf(e.endBlock(), "passes.expired")))
		e.setTime(e.ctx.Time.Unix() + 5)
	}
	if counts[0] != 100 || counts[1] != 100 || counts[2] != 100 || counts[3] != 0 {
		t.Fatalf("expired per block %v", counts)
	}
	if r := e.revenue(); r.Deferred != 0 || e.bal(escrow) != 0 {
		t.Fatalf("revenue %+v", r)
	}
}

// TestLateRefund: the promised opening passes first: the class is late, sales stop, holders
// claim RefundBps of the price; the rest is earned. A pass used after a late opening gets no
// refund.
func TestLateRefund(t *testing.T) {
	e := newEnv(t)
	id := e.create(classMsg())
	ext := classMsg()
	ext.Late = passes.LatePolicy{Policy: passes.LateExtend, ExtendBy: 30 * day}
	xid := e.create(ext)
	ps := e.buy(alice, id, 3)
	xp := e.buy(bob, xid, 1)[0]
	e.fails(&passes.MsgClaimRefund{Holder: alice, Pass: ps[0]}, passes.ErrNoRefund, "on_sale")
	e.setTime(at(30 * day))
	if evs := e.endBlock(); len(eventsOf(evs, "passes.class_late")) != 0 {
		t.Fatal("late at the promised time itself")
	}
	e.setTime(at(30*day) + 1)
	evs := e.endBlock()
	if n := len(eventsOf(evs, "passes.class_late")); n != 2 {
		t.Fatalf("%d late classes", n)
	}
	if c := e.class(id); c.Status != passes.ClassLate {
		t.Fatalf("class %+v", c)
	}
	e.fails(&passes.MsgBuy{Buyer: bob, Class: id, Quantity: 1}, passes.ErrNotOnSale, "late")
	e.fails(&passes.MsgClaimRefund{Holder: bob, Pass: ps[0]}, passes.ErrNotHolder, "held by")
	e.fails(&passes.MsgClaimRefund{Holder: bob, Pass: xp}, passes.ErrNoRefund, "policy is extend")
	before := e.bal(alice)
	ev := eventOf(e.ok(&passes.MsgClaimRefund{Holder: alice, Pass: ps[0]}), "passes.refunded")
	if ev["refund"] != "800ueur" || ev["earned"] != "200ueur" || e.bal(alice) != before+800 || e.bal(treasury) != 200 {
		t.Fatalf("refund %v, alice +%d, treasury %d", ev, e.bal(alice)-before, e.bal(treasury))
	}
	e.fails(&passes.MsgClaimRefund{Holder: alice, Pass: ps[0]}, passes.ErrNotActive, "refunded")
	if r := e.revenue(); r.Refunded != 800 || r.Earned != 200 || r.Deferred != 2*1_000+1_000 {
		t.Fatalf("revenue %+v", r)
	}
	// The service opens late: the passes not refunded are usable; a used one gets no refund (the
	// service was delivered), one not used still does.
	e.setTime(at(40 * day))
	// An opening backdated by more than a day would expire passes early: refused.
	e.fails(&passes.MsgOpenService{Actor: ministry, Project: bridge, Opened: at(40*day) - passes.MaxOpeningAge - 1}, passes.ErrBadTime, "within a day")
	e.open(at(40*day) - passes.MaxOpeningAge)
	var batch []passes.Use
	for s := uint32(1); s <= 9; s++ {
		batch = append(batch, use(aliceK, ps[1], s, at(40*day)))
	}
	e.ok(redeem(batch...))
	e.fails(&passes.MsgClaimRefund{Holder: alice, Pass: ps[1]}, passes.ErrPassUsed, "used 9 times")
	ev = eventOf(e.ok(&passes.MsgClaimRefund{Holder: alice, Pass: ps[2]}), "passes.refunded")
	if ev["refund"] != "800ueur" || ev["earned"] != "200ueur" {
		t.Fatalf("refund %v", ev)
	}
	if r := e.revenue(); r.Refunded != 1_600 || r.Sold != 4_000 {
		t.Fatalf("revenue %+v", r)
	}
}

// TestLateExtend: the extend policy moves the validity end by ExtendBy, once: a fixed class's
// end, a from_opening class's duration.
func TestLateExtend(t *testing.T) {
	e := newEnv(t)
	m := classMsg()
	m.Validity = passes.Validity{Kind: passes.ValidityFixed, Start: at(0), End: at(60 * day)}
	m.Late = passes.LatePolicy{Policy: passes.LateExtend, ExtendBy: 10 * day}
	fixed := e.create(m)
	m = classMsg()
	m.Late = passes.LatePolicy{Policy: passes.LateExtend, ExtendBy: 10 * day}
	opening := e.create(m)
	fp := e.buy(alice, fixed, 1)[0]
	op := e.buy(alice, opening, 1)[0]
	e.setTime(at(30*day) + 1)
	evs := e.endBlock()
	if n := len(eventsOf(evs, "passes.validity_extended")); n != 2 {
		t.Fatalf("%d extended", n)
	}
	if c := e.class(fixed); !c.Extended || c.Status != passes.ClassLate {
		t.Fatalf("class %+v", c)
	}
	e.setTime(at(40 * day))
	e.open(at(40 * day))
	e.setTime(at(65 * day))
	e.ok(redeem(use(aliceK, fp, 1, at(65*day)))) // after the original end, before the extended one
	if info := e.k.PassInfo(e.ctx, e.pass(op)); info.ValidFrom != at(40*day) || info.ValidUntil != at(40*day+375*day) {
		t.Fatalf("from_opening window %d..%d", info.ValidFrom, info.ValidUntil)
	}
	e.setTime(at(70*day) + 1)
	if n := len(eventsOf(e.endBlock(), "passes.expired")); n != 1 {
		t.Fatalf("%d expired at the extended end", n)
	}
	if e.pass(fp).Status != passes.PassExpired || e.pass(op).Status != passes.PassActive {
		t.Fatal("wrong passes expired")
	}
}

func TestOpenService(t *testing.T) {
	e := newEnv(t)
	id := e.create(classMsg())
	e.buy(alice, id, 1)
	e.setTime(at(day))
	e.fails(&passes.MsgOpenService{Actor: spv, Project: bridge, Opened: at(day)}, passes.ErrWrongRole, "public_agency or operator")
	e.fails(&passes.MsgOpenService{Actor: operator, Project: bridge, Opened: at(day) + 1}, passes.ErrBadTime, "after the block time")
	e.fails(&passes.MsgOpenService{Actor: operator, Project: "no-such-project", Opened: at(day)}, passes.ErrUnknownProject, "no-such-project")
	ev := eventOf(e.ok(&passes.MsgOpenService{Actor: operator, Project: bridge, Opened: at(day) - 60}), "passes.service_opened")
	if ev["opened"] != chain64(at(day)-60) {
		t.Fatal(ev)
	}
	e.fails(&passes.MsgOpenService{Actor: ministry, Project: bridge, Opened: at(day)}, passes.ErrServiceOpen, "opened at")
	// Opened before the promise: the class never becomes late.
	e.setTime(at(31 * day))
	if evs := e.endBlock(); len(eventsOf(evs, "passes.class_late")) != 0 {
		t.Fatal("late after the opening")
	}
	if s := e.k.Service(e.ctx, bridge); s.Opened != at(day)-60 || s.OpenedBy != operator {
		t.Fatalf("service %+v", s)
	}
	// A from_opening class created after the opening is valid from it.
	m := classMsg()
	m.PromisedOpening = at(0)
	nid := e.create(m)
	if c := e.k.PassInfo(e.ctx, e.pass(e.buy(bob, nid, 1)[0])); c.ValidFrom != at(day)-60 || !c.ValidNow {
		t.Fatalf("pass info %+v", c)
	}
}

func chain64(v int64) string { return strconv.FormatInt(v, 10) }

// TestBadInput: every msg's stateless refusals, with the module's stable code.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	good := use(aliceK, 1, 1, at(0))
	for _, tc := range []struct {
		name string
		m    tx.Msg
		in   string
	}{
		{"create: zero creator", func() *passes.MsgCreateClass { m := classMsg(); m.Creator = address.Address{}; return m }(), "zero creator"},
		{"create: bad project", func() *passes.MsgCreateClass { m := classMsg(); m.Project = "X"; return m }(), "project id"},
		{"create: no name", func() *passes.MsgCreateClass { m := classMsg(); m.Name = " "; return m }(), "class name"},
		{"create: long name", func() *passes.MsgCreateClass { m := classMsg(); m.Name = string(make([]byte, 129)); return m }(), "at most 128"},
		{"create: zero price", func() *passes.MsgCreateClass { m := classMsg(); m.Price.Amount = 0; return m }(), "price"},
		{"create: too many uses", func() *passes.MsgCreateClass { m := classMsg(); m.Uses = 10_001; return m }(), "10001 uses"},
		{"create: validity kind", func() *passes.MsgCreateClass { m := classMsg(); m.Validity.Kind = "forever"; return m }(), "validity kind"},
		{"create: zero duration", func() *passes.MsgCreateClass { m := classMsg(); m.Validity.Duration = 0; return m }(), "duration 0"},
		{"create: long duration", func() *passes.MsgCreateClass {
			m := classMsg()
			m.Validity.Duration = passes.MaxDuration + 1
			return m
		}(), "10 years"},
		{"create: fixed backwards", func() *passes.MsgCreateClass {
			m := classMsg()
			m.Validity = passes.Validity{Kind: passes.ValidityFixed, Start: at(10), End: at(10)}
			return m
		}(), "not after its start"},
		{"create: fixed with duration", func() *passes.MsgCreateClass {
			m := classMsg()
			m.Validity = passes.Validity{Kind: passes.ValidityFixed, Start: at(0), End: at(10), Duration: 5}
			return m
		}(), "no duration"},
		{"create: zero supply", func() *passes.MsgCreateClass { m := classMsg(); m.MaxSupply = 0; return m }(), "max_supply"},
		{"create: cap over supply", func() *passes.MsgCreateClass { m := classMsg(); m.SaleCap = 1_001; return m }(), "sale_cap 1001"},
		{"create: no promise", func() *passes.MsgCreateClass {
			m := classMsg()
			m.PromisedOpening, m.Late = 0, passes.LatePolicy{}
			return m
		}(), "promised opening date of the service"},
		{"create: promise at the fixed end", func() *passes.MsgCreateClass {
			m := classMsg()
			m.Validity = passes.Validity{Kind: passes.ValidityFixed, Start: at(0), End: at(30 * day)}
			return m
		}(), "promised opening 2026-01-31T00:00:00Z is not before the validity end"},
		{"create: promise after the fixed end", func() *passes.MsgCreateClass {
			m := classMsg()
			m.Validity = passes.Validity{Kind: passes.ValidityFixed, Start: at(0), End: at(10 * day)}
			return m
		}(), "not before the validity end"},
		{"create: policy without promise", func() *passes.MsgCreateClass {
			m := classMsg()
			m.Validity = passes.Validity{Kind: passes.ValidityFixed, Start: at(0), End: at(10)}
			m.PromisedOpening = 0
			return m
		}(), "needs a promised opening"},
		{"create: no policy", func() *passes.MsgCreateClass { m := classMsg(); m.Late = passes.LatePolicy{}; return m }(), "late-service policy"},
		{"create: refund bps", func() *passes.MsgCreateClass { m := classMsg(); m.Late.RefundBps = 10_001; return m }(), "refund_bps 10001"},
		{"create: refund with extend", func() *passes.MsgCreateClass { m := classMsg(); m.Late.ExtendBy = 5; return m }(), "no extend_by"},
		{"create: extend zero", func() *passes.MsgCreateClass {
			m := classMsg()
			m.Late = passes.LatePolicy{Policy: passes.LateExtend}
			return m
		}(), "extend_by 0"},
		{"create: sale window", func() *passes.MsgCreateClass { m := classMsg(); m.SaleStart, m.SaleEnd = at(10), at(5); return m }(), "sale end"},
		{"create: compliance denom", func() *passes.MsgCreateClass { m := classMsg(); m.ComplianceAsset = "1x"; return m }(), "compliance asset"},
		{"close: zero actor", &passes.MsgCloseSale{Class: 1}, "zero actor"},
		{"close: class 0", &passes.MsgCloseSale{Actor: operator}, "class id 0"},
		{"buy: zero buyer", &passes.MsgBuy{Class: 1, Quantity: 1}, "zero buyer"},
		{"buy: class 0", &passes.MsgBuy{Buyer: alice, Quantity: 1}, "class id 0"},
		{"buy: quantity 0", &passes.MsgBuy{Buyer: alice, Class: 1}, "quantity 0"},
		{"buy: quantity 101", &passes.MsgBuy{Buyer: alice, Class: 1, Quantity: 101}, "quantity 101"},
		{"transfer: zero to", &passes.MsgTransfer{From: alice, Pass: 1}, "zero receiver"},
		{"transfer: self", &passes.MsgTransfer{From: alice, To: alice, Pass: 1}, "to itself"},
		{"transfer: pass 0", &passes.MsgTransfer{From: alice, To: bob}, "pass id 0"},
		{"redeem: zero operator", &passes.MsgRedeem{Uses: []passes.Use{good}}, "zero operator"},
		{"redeem: empty", &passes.MsgRedeem{Operator: operator}, "0 uses"},
		{"redeem: 101 uses", &passes.MsgRedeem{Operator: operator, Uses: make([]passes.Use, 101)}, "101 uses"},
		{"redeem: pass mismatch", redeem(func() passes.Use { u := good; u.Pass = 2; return u }()), "ticket is for pass 1"},
		{"redeem: no chain", redeem(func() passes.Use { u := good; u.Ticket.ChainID = ""; return u }()), "names no chain"},
		{"redeem: no holder", redeem(func() passes.Use { u := good; u.Ticket.Holder = address.Address{}; return u }()), "names no holder"},
		{"redeem: seq 0", redeem(func() passes.Use { u := good; u.Ticket.Seq = 0; return u }()), "seq 0"},
		{"redeem: time", redeem(func() passes.Use { u := good; u.Ticket.Time = -1; return u }()), "ticket time"},
		{"redeem: key", redeem(func() passes.Use { u := good; u.PubKey = u.PubKey[:5]; return u }()), "public key of 5 bytes"},
		{"redeem: signature", redeem(func() passes.Use { u := good; u.Signature = nil; return u }()), "signature of 0 bytes"},
		{"refund: zero holder", &passes.MsgClaimRefund{Pass: 1}, "zero holder"},
		{"refund: pass 0", &passes.MsgClaimRefund{Holder: alice}, "pass id 0"},
		{"open: zero actor", &passes.MsgOpenService{Project: bridge, Opened: at(0)}, "zero actor"},
		{"open: project", &passes.MsgOpenService{Actor: ministry, Project: "", Opened: at(0)}, "project id"},
		{"open: time", &passes.MsgOpenService{Actor: ministry, Project: bridge}, "opening 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chaintest.MsgFails(t, e.ctx, e.handle, tc.m, passes.ErrInvalidMsg, tc.in)
		})
	}
}

// TestComplianceQuantity: the class's compliance asset judges the quantity bought, not one pass
// per purchase: a max_balance rule of 4 units refuses a purchase of 5 passes and lets 1 or 4 pass.
// A transfer moves one pass: one unit.
func TestComplianceQuantity(t *testing.T) {
	e := newEnv(t)
	e.ok(&compliance.MsgSetRules{Officer: officer, Asset: pass, Rules: []compliance.Rule{
		{ID: "kyc", Kind: compliance.KindRequiredClaims, Outcome: compliance.OutcomeReject, Params: compliance.Params{Side: "receiver", KYCLevel: 1}},
		{ID: "cap", Kind: compliance.KindMaxBalance, Outcome: compliance.OutcomeReject, Params: compliance.Params{Amount: 4}}}})
	id := e.create(classMsg())
	e.fails(&passes.MsgBuy{Buyer: alice, Class: id, Quantity: 5}, passes.ErrRefused, "selling 5 passes of class 1")
	e.fails(&passes.MsgBuy{Buyer: alice, Class: id, Quantity: 5}, passes.ErrRefused, "rule cap")
	e.buy(alice, id, 1)
	ps := e.buy(bob, id, 4)
	if c := e.class(id); c.Sold != 5 {
		t.Fatalf("sold %d", c.Sold)
	}
	e.ok(&passes.MsgTransfer{From: bob, To: alice, Pass: ps[0]})
}

// TestLateRefundAtExpiry: a fixed-dates class with a promised opening and the refund policy whose
// service never opens: at the validity end the passes nobody claimed are refunded as a claim would
// be (RefundBps back to the holder, the rest earned), not earned in full; a pass already claimed
// stays as it was. Its passes cannot be used before the opening (a use would cost the refund).
func TestLateRefundAtExpiry(t *testing.T) {
	e := newEnv(t)
	m := classMsg()
	m.Validity = passes.Validity{Kind: passes.ValidityFixed, Start: at(0), End: at(60 * day)}
	id := e.create(m) // promised at day 30, 80 % refund, 10 uses at 1,000
	ps := e.buy(alice, id, 3)
	bp := e.buy(bob, id, 1)[0]
	// No use before the service exists; the gate's pass list says so (no window yet).
	e.fails(redeem(use(aliceK, ps[0], 1, at(0))), passes.ErrNotOpen, "has not opened")
	if info := e.k.PassInfo(e.ctx, e.pass(ps[0])); info.ValidFrom != 0 || info.ValidUntil != 0 || info.ValidNow {
		t.Fatalf("pass info before the opening %+v", info)
	}
	e.setTime(at(30*day) + 1)
	if n := len(eventsOf(e.endBlock(), "passes.class_late")); n != 1 {
		t.Fatalf("%d late", n)
	}
	e.fails(redeem(use(aliceK, ps[0], 1, at(30*day))), passes.ErrNotOpen, "has not opened")
	ev := eventOf(e.ok(&passes.MsgClaimRefund{Holder: alice, Pass: ps[0]}), "passes.refunded")
	if ev["refund"] != "800ueur" || ev["trigger"] != "claim" {
		t.Fatalf("claim %v", ev)
	}
	aliceBefore, bobBefore := e.bal(alice), e.bal(bob)
	e.setTime(at(60 * day))
	if evs := e.endBlock(); len(eventsOf(evs, "passes.refunded")) != 0 {
		t.Fatal("refunded at the last second of the validity")
	}
	e.setTime(at(60*day) + 1)
	evs := e.endBlock()
	refunds := eventsOf(evs, "passes.refunded")
	if len(refunds) != 3 || len(eventsOf(evs, "passes.expired")) != 0 {
		t.Fatalf("at the end: %d refunded, %d expired", len(refunds), len(eventsOf(evs, "passes.expired")))
	}
	for _, r := range refunds {
		if r["refund"] != "800ueur" || r["earned"] != "200ueur" || r["trigger"] != "expiry" {
			t.Fatalf("refund at expiry %v", r)
		}
	}
	if e.bal(alice) != aliceBefore+2*800 || e.bal(bob) != bobBefore+800 {
		t.Fatalf("alice +%d, bob +%d", e.bal(alice)-aliceBefore, e.bal(bob)-bobBefore)
	}
	for _, p := range append(ps, bp) {
		if got := e.pass(p); got.Status != passes.PassRefunded || got.Deferred != 0 {
			t.Fatalf("pass %+v", got)
		}
	}
	if r := e.revenue(); r.Sold != 4_000 || r.Refunded != 3_200 || r.Earned != 800 || r.Deferred != 0 || e.bal(treasury) != 800 || e.bal(escrow) != 0 {
		t.Fatalf("revenue %+v, treasury %d, escrow %d", r, e.bal(treasury), e.bal(escrow))
	}
	e.fails(&passes.MsgClaimRefund{Holder: alice, Pass: ps[1]}, passes.ErrNotActive, "refunded")
}

// TestLateRefundAfterLateOpening: the service of a late refund class opens before the end: its
// passes are usable from the opening (not before it); at the end a used pass expires (what it
// defers is earned) and an unused one is refunded.
func TestLateRefundAfterLateOpening(t *testing.T) {
	e := newEnv(t)
	m := classMsg()
	m.Validity = passes.Validity{Kind: passes.ValidityFixed, Start: at(0), End: at(60 * day)}
	id := e.create(m)
	ps := e.buy(alice, id, 2)
	e.setTime(at(30*day) + 1)
	e.endBlock()
	e.setTime(at(40 * day))
	e.open(at(40*day) - 100)
	e.fails(redeem(use(aliceK, ps[0], 1, at(40*day)-101)), passes.ErrNotValid, "valid from")
	if info := e.k.PassInfo(e.ctx, e.pass(ps[0])); info.ValidFrom != at(40*day)-100 || info.ValidUntil != at(60*day) || !info.ValidNow {
		t.Fatalf("pass info after the opening %+v", info)
	}
	e.ok(redeem(use(aliceK, ps[0], 1, at(40*day)-100)))
	before := e.bal(alice)
	e.setTime(at(60*day) + 1)
	evs := e.endBlock()
	exp, ref := eventsOf(evs, "passes.expired"), eventsOf(evs, "passes.refunded")
	if len(exp) != 1 || exp[0]["pass"] != chain64(int64(ps[0])) || exp[0]["earned"] != "900ueur" {
		t.Fatalf("expired %v", exp)
	}
	if len(ref) != 1 || ref[0]["pass"] != chain64(int64(ps[1])) || ref[0]["refund"] != "800ueur" || ref[0]["trigger"] != "expiry" {
		t.Fatalf("refunded %v", ref)
	}
	if e.bal(alice) != before+800 || e.pass(ps[0]).Status != passes.PassExpired || e.pass(ps[1]).Status != passes.PassRefunded {
		t.Fatalf("alice +%d, passes %+v %+v", e.bal(alice)-before, e.pass(ps[0]), e.pass(ps[1]))
	}
	if r := e.revenue(); r.Refunded != 800 || r.Earned != 1_200 || r.Deferred != 0 {
		t.Fatalf("revenue %+v", r)
	}
}
