package app

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/passes"
	"github.com/girder-chain/girder/x/projects"
)

// Accounts of the passes scenario (0–2 are the role scenario's admin, KYC provider and
// compliance officer; the admin also issues the cash).
const (
	psAgency   = 3 // public_agency: creates the project, opens the service
	psOperator = 4 // the project's operator stakeholder: creates classes, runs the gates
	psA        = 5 // buyers
	psB        = 6
	psC        = 7
	psGuest    = 8 // receives a transferred pass; never sends a tx, still uses the pass
	psAccounts = 9
)

const psProject = "toll-road"

// bigFee covers a redeem batch of a few dozen uses.
var bigFee = tx.Fee{GasLimit: 400_000, MaxFee: 400_000_000}

// passesQuery asks the node, as a client does, for a passes query and decodes the JSON answer.
func passesQuery[T any](t *testing.T, h *harness, path string) T {
	t.Helper()
	r, err := h.app.Query(context.Background(), &abci.QueryRequest{Path: "/passes/" + path})
	if err != nil || r.Code != 0 {
		t.Fatalf("query /passes/%s: %v %s", path, err, r.Log)
	}
	var v T
	if err := json.Unmarshal(r.Value, &v); err != nil {
		t.Fatalf("query /passes/%s: %v", path, err)
	}
	return v
}

// txEvents counts the events of one type a tx emitted.
func txEvents(res *abci.FinalizeBlockResponse, i int, typ string) int {
	n := 0
	for _, e := range res.TxResults[i].Events {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// TestPassesScenario runs prepaid passes end to end through signed txs on the whole app, block by
// block with every module invariant (passes' accounting, passes and indexes among them) and the
// supply identities checked after each, plus the books after each: per cash denom deferred +
// earned + refunded = sold, the escrow holds the deferred total, the treasury holds exactly the
// earned total, no pass over its class's uses. A public agency creates the toll road with an
// operator; the operator sells a fixed-validity ten-trip pass (transferable), an unlimited pass
// valid from the opening (late policy: 60 % refund), a five-trip pass valid from the opening
// (late policy: extend) and a fixed-dates opening-week pass with the same promise (late policy:
// 50 % refund) whose validity ends before the service opens; buyers buy several each; a pass is
// given away, a non-transferable one is not; holders sign tickets and the operator redeems them
// in batches (one of 24 uses over four passes; the opening-week pass is refused: the service is
// not open); a replayed ticket, a used-up pass, a bad signature and a batch with one bad use are
// refused and change nothing; the promised opening passes: the refund class's holders claim 60 %
// (the rest earned), the extend class's validity grows; the opening-week pass, never claimed, is
// refunded at its end; the service opens; the extension is used; every class's passes expire at
// their end and what they still deferred is earned, but an unused pass of the refund class is
// refunded as a claim would be.
func TestPassesScenario(t *testing.T) {
	s := newRoleScenario(t, store.OpenMemory(), "pas", psAccounts)
	h := s.h
	// The harness checks every module invariant after each block (s.block → checkChain →
	// App.Invariants, over every wired module): passes' are among them.
	var invs []string
	for _, m := range h.app.Modules() {
		if m.Name() == passes.ModuleName {
			for _, inv := range m.Invariants() {
				invs = append(invs, inv.Name)
			}
		}
	}
	for _, want := range []string{"passes/accounting", "passes/passes", "passes/indexes"} {
		if !slices.Contains(invs, want) {
			t.Fatalf("passes invariants %v lack %s", invs, want)
		}
	}

	admin, agency, operator := s.addr(idAdmin), s.addr(psAgency), s.addr(psOperator)
	treasury := projects.Treasury(psProject)
	cash := func(a address.Address) coin.Amount { return h.app.Bank.Balance(h.ctx(), a, cashDenom) }
	next := func() int64 { return h.time.Add(time.Second).Unix() } // the next block's time
	pass := func(id uint64) passes.Pass {
		t.Helper()
		p, found := h.app.Passes.Pass(h.ctx(), id)
		if !found {
			t.Fatalf("no pass %d", id)
		}
		return p
	}
	class := func(id uint64) passes.Class {
		t.Helper()
		c, found := h.app.Passes.Class(h.ctx(), id)
		if !found {
			t.Fatalf("no class %d", id)
		}
		return c
	}
	revenue := func() passes.Revenue {
		t.Helper()
		info := passesQuery[passes.RevenueInfo](t, h, "revenue/"+psProject)
		if info.Treasury != treasury {
			t.Fatalf("revenue query names treasury %s, want %s", info.Treasury, treasury)
		}
		switch len(info.Revenue) {
		case 0:
			return passes.Revenue{Project: psProject, Denom: cashDenom}
		case 1:
			if info.Revenue[0].Denom != cashDenom {
				t.Fatalf("revenue in %s", info.Revenue[0].Denom)
			}
			return info.Revenue[0]
		}
		t.Fatalf("revenue in %d denoms: %+v", len(info.Revenue), info.Revenue)
		return passes.Revenue{}
	}

	// books checks the accounting as a client sees it, after every block of the scenario: the
	// identity per project and cash denom, the escrow holding the deferred total, the treasury
	// (funded by nothing else) holding the earned total, every pass within its class's uses and
	// no pass's use count ever going down.
	lastUsed := map[uint64]uint32{}
	books := func() {
		t.Helper()
		r := revenue()
		if r.Deferred+r.Earned+r.Refunded != r.Sold {
			t.Fatalf("height %d: deferred %d + earned %d + refunded %d ≠ sold %d", h.height, r.Deferred, r.Earned, r.Refunded, r.Sold)
		}
		if esc := cash(passes.EscrowAccount); esc != r.Deferred {
			t.Fatalf("height %d: escrow holds %d, deferred %d", h.height, esc, r.Deferred)
		}
		if tr := cash(treasury); tr != r.Earned {
			t.Fatalf("height %d: treasury holds %d, earned %d", h.height, tr, r.Earned)
		}
		ctx := h.ctx()
		for id := uint64(1); id <= h.app.Passes.PassSequence(ctx); id++ {
			p := pass(id)
			c := class(p.Class)
			if c.Uses != 0 && (p.Used > c.Uses || p.Used+p.UsesLeft != c.Uses) {
				t.Fatalf("height %d: pass %d used %d, %d left, of %d", h.height, id, p.Used, p.UsesLeft, c.Uses)
			}
			if p.Used < lastUsed[id] {
				t.Fatalf("height %d: pass %d's uses went from %d to %d", h.height, id, lastUsed[id], p.Used)
			}
			lastUsed[id] = p.Used
		}
	}
	block := func(outs ...outcome) {
		t.Helper()
		s.block(outs...)
		if _, exists := h.app.Projects.Project(h.ctx(), psProject); exists {
			books()
		}
	}
	refused := func(raw []byte, err *codes.Error) outcome { return outcome{raw, passes.ModuleName, err.Code} }

	// Setup: the agency's role and the cash issuer; the project with its operator; the cash and
	// the buyers' balances.
	block()
	block(ok(s.tx(idAdmin, &auth.MsgGrantRole{Authority: admin, Role: auth.RolePublicAgency, Account: agency},
		&auth.MsgGrantRole{Authority: admin, Role: auth.RoleCashIssuer, Account: admin})))
	block(
		ok(s.tx(psAgency, &projects.MsgCreate{Creator: agency, ID: psProject, Name: "Toll road", Sector: "road", Location: "Valley",
			ConcessionStart: h.time.Unix(), ConcessionEnd: h.time.AddDate(30, 0, 0).Unix(),
			Stakeholders: []projects.StakeholderRole{{Account: operator, Role: projects.RoleOperator}}})),
		ok(s.tx(idAdmin, &assets.MsgCreate{Issuer: admin, Denom: cashDenom, Kind: assets.KindCash, Name: "Tokenized euro", Symbol: "EURt", Decimals: 2})),
	)
	const funds = 100_000
	block(ok(s.tx(idAdmin, &assets.MsgMint{Issuer: admin, Denom: cashDenom, Amount: funds, To: s.addr(psA)},
		&assets.MsgMint{Issuer: admin, Denom: cashDenom, Amount: funds, To: s.addr(psB)},
		&assets.MsgMint{Issuer: admin, Denom: cashDenom, Amount: funds, To: s.addr(psC)})))
	if cash(treasury) != 0 {
		t.Fatalf("the treasury starts with %d", cash(treasury))
	}

	// The classes. T0 is their block's time; the service is promised for T0+8.
	t0 := next()
	promised := t0 + 8
	const (
		price1 = coin.Amount(1_003) // ten trips: 100 per use, the last use 103
		price2 = coin.Amount(2_001) // unlimited: 60 % refund = 1,200 (floor), 801 earned
		price3 = coin.Amount(500)   // five trips: 100 per use
		price4 = coin.Amount(400)   // opening week: 50 % refund = 200
		end1   = 80                 // class 1 is valid [T0, T0+80]
	)
	end4 := promised + 2 // class 4 is valid [T0, T0+10]: it ends before the service opens
	tenTrips := &passes.MsgCreateClass{Creator: operator, Project: psProject, Name: "Ten trips", Price: coin.New(cashDenom, price1), Uses: 10,
		Validity: passes.Validity{Kind: passes.ValidityFixed, Start: t0, End: t0 + end1}, Transferable: true, MaxSupply: 10}
	unlimited := &passes.MsgCreateClass{Creator: operator, Project: psProject, Name: "Unlimited, early bird", Price: coin.New(cashDenom, price2),
		Validity: passes.Validity{Kind: passes.ValidityFromOpening, Duration: 100}, MaxSupply: 20, PromisedOpening: promised,
		Late: passes.LatePolicy{Policy: passes.LateRefund, RefundBps: 6_000}}
	fiveTrips := &passes.MsgCreateClass{Creator: operator, Project: psProject, Name: "Five trips", Price: coin.New(cashDenom, price3), Uses: 5,
		Validity: passes.Validity{Kind: passes.ValidityFromOpening, Duration: 30}, MaxSupply: 20, PromisedOpening: promised,
		Late: passes.LatePolicy{Policy: passes.LateExtend, ExtendBy: 20}}
	openingWeek := &passes.MsgCreateClass{Creator: operator, Project: psProject, Name: "Opening week", Price: coin.New(cashDenom, price4), Uses: 2,
		Validity: passes.Validity{Kind: passes.ValidityFixed, Start: t0, End: end4}, MaxSupply: 5, PromisedOpening: promised,
		Late: passes.LatePolicy{Policy: passes.LateRefund, RefundBps: 5_000}}
	byBuyer := *tenTrips
	byBuyer.Creator = s.addr(psA)
	block(ok(s.tx(psOperator, tenTrips, unlimited, fiveTrips, openingWeek)),
		refused(s.tx(psA, &byBuyer), passes.ErrWrongRole))
	const c1, c2, c3, c4 = 1, 2, 3, 4
	for id, name := range map[uint64]string{c1: "Ten trips", c2: "Unlimited, early bird", c3: "Five trips", c4: "Opening week"} {
		if c := class(id); c.Name != name || c.Status != passes.ClassOnSale || c.Project != psProject || c.Creator != operator {
			t.Fatalf("class %d: %+v", id, c)
		}
	}

	// Purchases (passes 1–3 A, 4–5 B, 6 C of class 1; 7–8 A, 9–11 B of class 2; 12–13 A, 14–15
	// C of class 3; 16 C of class 4); more than the supply, and a buyer without the cash, are
	// refused.
	buy := func(i int, c uint64, q uint32) []byte {
		return s.tx(i, &passes.MsgBuy{Buyer: s.addr(i), Class: c, Quantity: q})
	}
	block(ok(buy(psA, c1, 3)), ok(buy(psB, c1, 2)), ok(buy(psC, c1, 1)),
		ok(buy(psA, c2, 2)), ok(buy(psB, c2, 3)), ok(buy(psA, c3, 2)), ok(buy(psC, c3, 2)), ok(buy(psC, c4, 1)),
		refused(buy(psC, c1, 5), passes.ErrSoldOut), refused(buy(idKYC1, c3, 1), passes.ErrInsufficient))
	holders := map[uint64]int{1: psA, 2: psA, 3: psA, 4: psB, 5: psB, 6: psC, 7: psA, 8: psA, 9: psB, 10: psB, 11: psB,
		12: psA, 13: psA, 14: psC, 15: psC}
	classOf := func(id uint64) uint64 {
		switch {
		case id <= 6:
			return c1
		case id <= 11:
			return c2
		}
		return c3
	}
	for id, i := range holders {
		if p := pass(id); p.Holder != s.addr(i) || p.Class != classOf(id) || p.Status != passes.PassActive || p.Deferred != p.Paid.Amount {
			t.Fatalf("pass %d: %+v", id, p)
		}
	}
	const sold = 6*price1 + 5*price2 + 4*price3 + price4
	if r := revenue(); r.Sold != sold || r.Deferred != sold || r.Earned != 0 || r.Refunded != 0 {
		t.Fatalf("after the sales: %+v", r)
	}
	if got := cash(s.addr(psA)); got != funds-3*price1-2*price2-2*price3 {
		t.Fatalf("A holds %d after paying", got)
	}

	// Transfers: A gives pass 1 (ten trips, transferable) to the guest; a pass of the unlimited
	// class (not transferable) stays; B cannot give away A's former pass.
	guest := s.addr(psGuest)
	block(ok(s.tx(psA, &passes.MsgTransfer{From: s.addr(psA), To: guest, Pass: 1})),
		refused(s.tx(psA, &passes.MsgTransfer{From: s.addr(psA), To: s.addr(psB), Pass: 7}), passes.ErrNotTransfer),
		refused(s.tx(psB, &passes.MsgTransfer{From: s.addr(psB), To: s.addr(psC), Pass: 1}), passes.ErrNotHolder))
	holders[1] = psGuest
	if p := pass(1); p.Holder != guest || p.UsesLeft != 10 || p.Status != passes.PassActive {
		t.Fatalf("pass 1 after the transfer: %+v", p)
	}
	if p := pass(7); p.Holder != s.addr(psA) {
		t.Fatalf("pass 7 moved: %+v", p)
	}
	if l := passesQuery[passes.PassList](t, h, "holder/"+guest.String()); len(l.Passes) != 1 || l.Passes[0].ID != 1 || !l.Passes[0].ValidNow {
		t.Fatalf("the guest's passes: %+v", l)
	}

	// Tickets: the holder signs (seq, gate time) with its account key; the operator's gate
	// redeems them in batches.
	use := func(holder int, id uint64, seq uint32, at int64) passes.Use {
		acc := h.accs[holder]
		tk := passes.Ticket{ChainID: testChain, Pass: id, Holder: acc.addr, Seq: seq, Time: at}
		sig := passes.SignTicket(tk, func(b []byte) []byte { return ed25519.Sign(acc.priv, b) })
		if !passes.VerifyTicket(acc.pub, tk, sig) {
			t.Fatalf("the gate cannot verify the ticket of pass %d seq %d offline", id, seq)
		}
		return passes.Use{Pass: id, Ticket: tk, PubKey: acc.pub, Signature: sig}
	}
	uses := func(holder int, id uint64, from, to uint32, at int64) []passes.Use {
		var out []passes.Use
		for seq := from; seq <= to; seq++ {
			out = append(out, use(holder, id, seq, at))
		}
		return out
	}
	redeemBy := func(i int, us ...passes.Use) []byte {
		raw := signTx(t, h.accs[i], testChain, s.nonces[i], bigFee, true, &passes.MsgRedeem{Operator: s.addr(i), Uses: us})
		s.nonces[i]++
		return raw
	}
	redeem := func(us ...passes.Use) []byte { return redeemBy(psOperator, us...) }

	// One batch of 24 uses over four passes, tickets shown a second before the block: pass 1
	// used up by the guest (who never sent a tx), 6 of pass 2, 5 of pass 4, 3 of pass 6. The gate
	// cannot yet redeem a five-trip pass nor an opening-week pass, though within its dates (the
	// service is not open), and the agency is no gate.
	gate := next() - 1
	batch := slices.Concat(uses(psGuest, 1, 1, 10, gate), uses(psA, 2, 1, 6, gate), uses(psB, 4, 1, 5, gate), uses(psC, 6, 1, 3, gate))
	if len(batch) != 24 {
		t.Fatalf("batch of %d", len(batch))
	}
	block(ok(redeem(batch...)),
		refused(redeem(use(psA, 12, 1, gate)), passes.ErrNotValid),
		refused(redeem(use(psC, 16, 1, gate)), passes.ErrNotOpen),
		refused(redeemBy(psAgency, use(psA, 3, 1, gate)), passes.ErrWrongRole))
	if n := txEvents(s.lastResults, 0, "passes.redeemed"); n != 24 {
		t.Fatalf("%d passes.redeemed events for the batch of 24", n)
	}
	const batchEarned = price1 + 6*(price1/10) + 5*(price1/10) + 3*(price1/10)
	if r := revenue(); r.Earned != batchEarned || r.Deferred != sold-batchEarned || cash(treasury) != batchEarned {
		t.Fatalf("after the batch: %+v, treasury %d", r, cash(treasury))
	}
	if p := pass(1); p.Status != passes.PassUsedUp || p.Used != 10 || p.UsesLeft != 0 || p.Deferred != 0 {
		t.Fatalf("pass 1 after 10 uses: %+v", p)
	}
	if p := pass(2); p.Used != 6 || p.UsesLeft != 4 || p.Deferred != price1-6*(price1/10) || p.Status != passes.PassActive {
		t.Fatalf("pass 2 after 6 uses: %+v", p)
	}

	// Refusals that change nothing: the replayed ticket (pass 2, seq 6), an 11th use of the
	// used-up pass 1, a ticket signed by someone else than the holder, and a batch whose second
	// use is out of order (its first, good, use is not recorded either).
	type snap struct {
		passes         []passes.Pass
		rev            passes.Revenue
		treasury, esc  coin.Amount
		holdersBalance []coin.Amount
	}
	snapshot := func() snap {
		var sn snap
		for id := uint64(1); id <= 15; id++ {
			sn.passes = append(sn.passes, pass(id))
		}
		sn.rev, sn.treasury, sn.esc = revenue(), cash(treasury), cash(passes.EscrowAccount)
		for _, i := range []int{psA, psB, psC, psGuest} {
			sn.holdersBalance = append(sn.holdersBalance, cash(s.addr(i)))
		}
		return sn
	}
	before := snapshot()
	forged := use(psA, 3, 1, next())
	forged.Signature = ed25519.Sign(h.accs[psB].priv, passes.TicketSignBytes(forged.Ticket))
	block(refused(redeem(batch[15]), passes.ErrSeq),
		refused(redeem(use(psGuest, 1, 11, next())), passes.ErrNotActive),
		refused(redeem(forged), passes.ErrBadSignature),
		refused(redeem(use(psA, 2, 7, next()), use(psB, 4, 7, next())), passes.ErrSeq))
	if batch[15].Pass != 2 || batch[15].Ticket.Seq != 6 {
		t.Fatalf("the replayed use is pass %d seq %d", batch[15].Pass, batch[15].Ticket.Seq)
	}
	if after := snapshot(); !snapEqual(before.passes, after.passes) || before.rev != after.rev || before.treasury != after.treasury ||
		before.esc != after.esc || !slices.Equal(before.holdersBalance, after.holdersBalance) {
		t.Fatalf("refused redemptions changed the state:\nbefore %+v\nafter  %+v", before, after)
	}

	// The promised opening passes without an opening: the classes with the promise (both
	// from_opening classes and the opening week) become late at the end of the first block after
	// it, once; the extend class's validity grows.
	lateAt := int64(0)
	lates, extended := 0, 0
	for lateAt == 0 {
		if next() > promised+5 {
			t.Fatalf("classes not late at %d, promised %d", h.time.Unix(), promised)
		}
		bt := next()
		block()
		lates += len(blockEvents(s.lastResults, "passes.class_late"))
		extended += len(blockEvents(s.lastResults, "passes.validity_extended"))
		if class(c2).Status == passes.ClassLate {
			lateAt = bt
		} else if bt > promised {
			t.Fatalf("block time %d, promised %d: class 2 is %s", bt, promised, class(c2).Status)
		}
	}
	if lateAt != promised+1 || lates != 3 || extended != 1 {
		t.Fatalf("late at %d (promised %d): %d class_late, %d validity_extended events", lateAt, promised, lates, extended)
	}
	if c := class(c3); c.Status != passes.ClassLate || !c.Extended || c.Extension() != 20 {
		t.Fatalf("class 3 after its promise passed: %+v", c)
	}
	if c := class(c1); c.Status != passes.ClassOnSale {
		t.Fatalf("class 1 (no promise) became %s", c.Status)
	}

	// Refunds: A claims both of its unlimited passes, B one of three; 60 % goes back, 40 % is
	// earned. Refused: a claim on the extend class, on a class without a late policy, by someone
	// not the holder, and a purchase of a late class.
	const refund2 = price2 * 6_000 / 10_000
	aCash, bCash, trCash := cash(s.addr(psA)), cash(s.addr(psB)), cash(treasury)
	claim := func(i int, id uint64) []byte {
		return s.tx(i, &passes.MsgClaimRefund{Holder: s.addr(i), Pass: id})
	}
	block(ok(claim(psA, 7)), ok(claim(psA, 8)), ok(claim(psB, 9)),
		refused(claim(psA, 12), passes.ErrNoRefund), refused(claim(psA, 2), passes.ErrNoRefund),
		refused(claim(psB, 8), passes.ErrNotHolder), refused(buy(psC, c2, 1), passes.ErrNotOnSale),
		refused(redeem(use(psB, 10, 1, next())), passes.ErrNotValid))
	if refund2 != 1_200 {
		t.Fatalf("refund %d", refund2)
	}
	if got := cash(s.addr(psA)) - aCash; got != 2*refund2 {
		t.Fatalf("A got %d back, want %d", got, 2*refund2)
	}
	if got := cash(s.addr(psB)) - bCash; got != refund2 {
		t.Fatalf("B got %d back, want %d", got, refund2)
	}
	if got := cash(treasury) - trCash; got != 3*(price2-refund2) {
		t.Fatalf("the treasury earned %d from the refunds, want %d", got, 3*(price2-refund2))
	}
	for _, id := range []uint64{7, 8, 9} {
		if p := pass(id); p.Status != passes.PassRefunded || p.Deferred != 0 {
			t.Fatalf("pass %d after its refund: %+v", id, p)
		}
	}
	if r := revenue(); r.Refunded != 3*refund2 {
		t.Fatalf("refunded %d, want %d", r.Refunded, 3*refund2)
	}

	// The opening week ends before the service opened: C's pass 16, never used nor claimed, is
	// refunded at the end of the first block after the end (50 % back to C, 50 % earned), not
	// earned in full.
	until := func(tt int64) { // runs empty blocks until the next block's time is tt
		t.Helper()
		for next() < tt {
			block()
		}
	}
	until(end4 + 1)
	const refund4 = price4 * 5_000 / 10_000
	cCash, trCash := cash(s.addr(psC)), cash(treasury)
	block(refused(claim(psA, 7), passes.ErrNotActive))
	if ev := blockEvents(s.lastResults, "passes.refunded"); len(ev) != 1 || ev[0]["pass"] != "16" || ev[0]["trigger"] != "expiry" ||
		ev[0]["refund"] != coin.New(cashDenom, refund4).String() {
		t.Fatalf("refunds at the end of the opening week: %v", ev)
	}
	if p := pass(16); p.Status != passes.PassRefunded || p.Deferred != 0 || cash(s.addr(psC))-cCash != refund4 || cash(treasury)-trCash != price4-refund4 {
		t.Fatalf("pass 16 at its end: %+v; C got %d back, the treasury earned %d", p, cash(s.addr(psC))-cCash, cash(treasury)-trCash)
	}
	if svc := passesQuery[passes.Service](t, h, "service/"+psProject); svc.Opened != 0 {
		t.Fatalf("the service opened before the opening week ended: %+v", svc)
	}

	// The service opens (the agency records it at the block's time; a buyer may not, and it
	// opens once). The from_opening classes become valid: unlimited until +100, five trips until
	// +30 +20 (extended).
	opened := next()
	block(refused(s.tx(psC, &passes.MsgOpenService{Actor: s.addr(psC), Project: psProject, Opened: opened}), passes.ErrWrongRole),
		ok(s.tx(psAgency, &passes.MsgOpenService{Actor: agency, Project: psProject, Opened: opened})),
		refused(s.tx(psOperator, &passes.MsgOpenService{Actor: operator, Project: psProject, Opened: opened}), passes.ErrServiceOpen))
	if svc := passesQuery[passes.Service](t, h, "service/"+psProject); svc.Opened != opened || svc.OpenedBy != agency {
		t.Fatalf("service: %+v", svc)
	}
	end2, end3 := opened+100, opened+30+20
	if ci := passesQuery[passes.ClassInfo](t, h, "class/3"); ci.ValidFrom != opened || ci.ValidUntil != end3 {
		t.Fatalf("class 3 valid [%d, %d], want [%d, %d]", ci.ValidFrom, ci.ValidUntil, opened, end3)
	}
	if ci := passesQuery[passes.ClassInfo](t, h, "class/2"); ci.ValidFrom != opened || ci.ValidUntil != end2 {
		t.Fatalf("class 2 valid [%d, %d], want [%d, %d]", ci.ValidFrom, ci.ValidUntil, opened, end2)
	}
	if !(t0+end1 > end3 && end2 > t0+end1) {
		t.Fatalf("timeline: class 3 ends %d, class 1 %d, class 2 %d", end3, t0+end1, end2)
	}

	// Uses after the opening: an unlimited pass earns nothing per use; five-trip uses earn 100.
	trCash = cash(treasury)
	now := next()
	block(ok(redeem(slices.Concat(uses(psB, 10, 1, 3, now), uses(psA, 12, 1, 2, now), uses(psC, 14, 1, 1, now), uses(psA, 2, 7, 7, now))...)))
	if got := cash(treasury) - trCash; got != 3*(price3/5)+price1/10 {
		t.Fatalf("the treasury earned %d from the uses after the opening", got)
	}
	if p := pass(10); p.Used != 3 || p.UsesLeft != 0 || p.Deferred != price2 || p.Status != passes.PassActive {
		t.Fatalf("unlimited pass 10 after 3 uses: %+v", p)
	}

	// Beyond the original 30 s (only the extension makes pass 13 valid), and at the very end of
	// the extended validity (pass 15).
	until(opened + 35)
	block(ok(redeem(use(psA, 13, 1, next()))))
	until(end3)
	block(ok(redeem(use(psC, 15, 1, end3))))
	if p := pass(15); p.Status != passes.PassActive || p.LastUse != end3 {
		t.Fatalf("pass 15 at the end of its validity: %+v", p)
	}

	// expireAt checks that the passes of a class expire at the end of the first block after
	// its end, their deferred revenue earned into the treasury, and not before; the passes in
	// refunded (unused, of a class late with the refund policy) are refunded instead, as a claim
	// would be (the refund to the holder, the rest earned).
	expireAt := func(c uint64, end int64, refunded []uint64, ids ...uint64) {
		t.Helper()
		until(end + 1)
		var deferred, earned, back coin.Amount
		holderCash := map[uint64]coin.Amount{}
		for _, id := range slices.Concat(ids, refunded) {
			p := pass(id)
			if p.Status != passes.PassActive {
				t.Fatalf("pass %d is %s before its class's end %d", id, p.Status, end)
			}
			deferred += p.Deferred
			if slices.Contains(refunded, id) {
				r := p.Paid.Amount * coin.Amount(class(c).Late.RefundBps) / 10_000
				back += r
				earned += p.Deferred - r
				holderCash[id] = cash(p.Holder)
			} else {
				earned += p.Deferred
			}
		}
		trCash, esc := cash(treasury), cash(passes.EscrowAccount)
		block()
		if n := len(blockEvents(s.lastResults, "passes.expired")); n != len(ids) {
			t.Fatalf("class %d: %d passes.expired events at %d, want %d", c, n, h.time.Unix(), len(ids))
		}
		if n := len(blockEvents(s.lastResults, "passes.refunded")); n != len(refunded) {
			t.Fatalf("class %d: %d passes.refunded events at %d, want %d", c, n, h.time.Unix(), len(refunded))
		}
		for _, id := range ids {
			if p := pass(id); p.Status != passes.PassExpired || p.Deferred != 0 {
				t.Fatalf("pass %d after its class's end: %+v", id, p)
			}
		}
		for _, id := range refunded {
			p := pass(id)
			if p.Status != passes.PassRefunded || p.Deferred != 0 || cash(p.Holder)-holderCash[id] != p.Paid.Amount*coin.Amount(class(c).Late.RefundBps)/10_000 {
				t.Fatalf("pass %d after its class's end: %+v, its holder got %d back", id, p, cash(p.Holder)-holderCash[id])
			}
		}
		if got := cash(treasury) - trCash; got != earned || esc-cash(passes.EscrowAccount) != deferred || deferred != earned+back {
			t.Fatalf("class %d expiry: treasury +%d, escrow −%d, want +%d, −%d", c, got, esc-cash(passes.EscrowAccount), earned, deferred)
		}
	}
	// Five trips: 12 (2 used), 13 (1), 14 (1), 15 (1): 300 + 400 + 400 + 400 still deferred.
	expireAt(c3, end3, nil, 12, 13, 14, 15)
	block(refused(redeem(use(psC, 14, 2, next())), passes.ErrNotActive))
	// Ten trips: 2 (7 used), 3, 4 (5), 5, 6 (3): 303 + 1,003 + 503 + 1,003 + 703 = 3,515.
	if d := pass(2).Deferred + pass(3).Deferred + pass(4).Deferred + pass(5).Deferred + pass(6).Deferred; d != 3_515 {
		t.Fatalf("class 1 defers %d before its end", d)
	}
	expireAt(c1, t0+end1, nil, 2, 3, 4, 5, 6)
	block(refused(redeem(use(psA, 3, 1, next())), passes.ErrNotActive), refused(buy(psC, c1, 1), passes.ErrClassEnded))
	// Unlimited: 10 (used after the late opening) is earned in full; 11 (B neither used nor claimed
	// it) is refunded at the end: 60 % back to B, the rest earned. (Before the fix of the refund at
	// expiry, 11 was earned in full too.)
	expireAt(c2, end2, []uint64{11}, 10)

	// The end: everything sold was earned or refunded; nothing is left in the escrow.
	r := revenue()
	const refunded = 4*refund2 + refund4
	if r.Sold != sold || r.Deferred != 0 || r.Refunded != refunded || r.Earned != sold-refunded {
		t.Fatalf("final revenue %+v: want sold %d, refunded %d, earned %d", r, sold, refunded, sold-refunded)
	}
	if cash(passes.EscrowAccount) != 0 || cash(treasury) != sold-refunded {
		t.Fatalf("escrow %d, treasury %d", cash(passes.EscrowAccount), cash(treasury))
	}
	for id := uint64(1); id <= 16; id++ {
		p := pass(id)
		if c := class(p.Class); c.Uses != 0 && p.Used > c.Uses {
			t.Fatalf("pass %d used %d of %d", id, p.Used, c.Uses)
		}
		if p.Status == passes.PassActive || p.Deferred != 0 {
			t.Fatalf("pass %d at the end: %+v", id, p)
		}
	}
	for c, want := range map[uint64]int{c1: 6, c2: 5, c3: 4, c4: 1} {
		l := passesQuery[passes.PassList](t, h, fmt.Sprintf("class-passes/%d", c))
		if len(l.Passes) != want {
			t.Fatalf("class %d lists %d passes, want %d", c, len(l.Passes), want)
		}
	}
	t.Logf("height %d: sold %d, earned %d, refunded %d; late at %d, opened at %d", h.height, r.Sold, r.Earned, r.Refunded, lateAt, opened)
}

func snapEqual(a, b []passes.Pass) bool {
	return slices.EqualFunc(a, b, func(x, y passes.Pass) bool { return x == y })
}
