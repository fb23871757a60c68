package passes_test

import (
	"errors"
	"testing"

	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/x/passes"
)

// TestScenario runs the toll bridge's passes over 120 blocks of an hour: four classes (a
// from_opening class with a refund policy that the opening beats, a fixed season pass, a
// from_opening class with an extend policy and one with a refund policy whose promise passes
// first, refunds claimed every few blocks), buys, transfers and batches of uses by several
// holders each block, the opening at block 40, and expiries. Every invariant (accounting
// included) is checked after every block; refused msgs leave the state unchanged.
func TestScenario(t *testing.T) {
	e := newEnv(t)
	cm := classMsg()
	cm.Validity.Duration, cm.PromisedOpening = 50*3600, at(60*3600)
	commuter := e.create(cm)
	season := classMsg()
	season.Name, season.Uses, season.Price = "Season", 0, coin.New(cash, 2_500)
	season.Validity = passes.Validity{Kind: passes.ValidityFixed, Start: at(0), End: at(100 * 3600)}
	season.PromisedOpening, season.Late = 0, passes.LatePolicy{}
	seasonID := e.create(season)
	short := classMsg()
	short.Name, short.Uses, short.Price = "Weekend", 2, coin.New(cash, 301)
	short.Validity = passes.Validity{Kind: passes.ValidityFromOpening, Duration: 30 * 3600}
	short.PromisedOpening = at(20 * 3600)
	short.Late = passes.LatePolicy{Policy: passes.LateExtend, ExtendBy: 10 * 3600}
	shortID := e.create(short)
	early := classMsg()
	early.Name, early.Uses, early.Price = "Early bird", 5, coin.New(cash, 999)
	early.Validity.Duration, early.PromisedOpening = 60*3600, at(10*3600)
	early.Late = passes.LatePolicy{Policy: passes.LateRefund, RefundBps: 5_000}
	earlyID := e.create(early)

	holders := []key{aliceK, bobK}
	owner := map[uint64]key{}
	var ids []uint64
	refused := 0
	reasons := map[string]int{}
	try := func(m interface{ MsgType() string }, run func() error) {
		if err := run(); err != nil {
			if codes.As(err).Module != passes.ModuleName && !errors.Is(err, passes.ErrRefused) {
				t.Fatalf("%s: %v", m.MsgType(), err)
			}
			refused++
			reasons[m.MsgType()+": "+codes.As(err).Desc]++
		}
	}
	for block := int64(1); block <= 120; block++ {
		e.setTime(at(block * 3600))
		now := e.ctx.Time.Unix()
		h := holders[block%2]
		for _, class := range []uint64{commuter, seasonID, shortID, earlyID} {
			m := &passes.MsgBuy{Buyer: h.addr, Class: class, Quantity: uint32(1 + block%3)}
			try(m, func() error {
				evs, err := e.run(m)
				if err == nil {
					ev := eventOf(evs, "passes.bought")
					for id := parseUint(t, ev["first_pass"]); id <= parseUint(t, ev["last_pass"]); id++ {
						ids = append(ids, id)
						owner[id] = h
					}
				}
				return err
			})
		}
		if block > 10 && block%4 == 0 {
			// A holder of an early-bird pass claims its refund.
			for _, id := range ids {
				if p := e.pass(id); p.Class == earlyID && p.Status == passes.PassActive && p.Used == 0 {
					e.ok(&passes.MsgClaimRefund{Holder: owner[id].addr, Pass: id})
					break
				}
			}
		}
		if block == 40 {
			e.open(now)
		}
		if block%7 == 0 && len(ids) > 0 {
			id := ids[int(block)%len(ids)]
			to := holders[0]
			if owner[id].addr == to.addr {
				to = holders[1]
			}
			m := &passes.MsgTransfer{From: owner[id].addr, To: to.addr, Pass: id}
			try(m, func() error {
				_, err := e.run(m)
				if err == nil {
					owner[id] = to
				}
				return err
			})
		}
		if block >= 40 {
			// A gate's batch: the next use of up to 20 passes.
			var uses []passes.Use
			for i := 0; i < len(ids) && len(uses) < 20; i++ {
				id := ids[(i+int(block))%len(ids)]
				p := e.pass(id)
				if p.Status != passes.PassActive || (i+int(block))%3 != 0 {
					continue
				}
				uses = append(uses, use(owner[id], id, p.Used+1, now-30))
			}
			if len(uses) > 0 {
				m := redeem(uses...)
				try(m, func() error { _, err := e.run(m); return err })
			}
		}
		e.endBlock() // every invariant
	}
	// The validities ended by now and the expiry caught up: nothing is deferred.
	for i := 0; i < 20; i++ {
		e.next(3600)
	}
	r := e.revenue()
	if r.Sold == 0 || r.Earned == 0 || r.Refunded == 0 || r.Deferred != 0 || r.Deferred+r.Earned+r.Refunded != r.Sold {
		t.Fatalf("revenue %+v", r)
	}
	if e.bal(treasury) != r.Earned || e.bal(escrow) != 0 {
		t.Fatalf("treasury %d, escrow %d, revenue %+v", e.bal(treasury), e.bal(escrow), r)
	}
	if c := e.class(commuter); c.Status != passes.ClassOnSale {
		t.Fatalf("the opening beat the promise, yet class %+v", c)
	}
	if c := e.class(shortID); c.Status != passes.ClassLate || !c.Extended {
		t.Fatalf("the weekend class's promise passed first, yet %+v", c)
	}
	uses := 0
	for _, id := range ids {
		p := e.pass(id)
		if p.Status == passes.PassActive {
			t.Fatalf("pass %d still active after every validity ended", id)
		}
		uses += int(p.Used)
	}
	if uses < 500 {
		t.Fatalf("only %d uses recorded", uses)
	}
	t.Logf("%d passes, %d uses, %d refused msgs (%v), revenue %+v", len(ids), uses, refused, reasons, r)
}
