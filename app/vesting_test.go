package app

import (
	"testing"
	"time"

	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/vesting"
)

// TestVestingLocksEveryDebit: tokens locked by a vesting grant stay in the grantee's balance but
// leave it by no path — a transfer, a fee — until they vest; the grantor claws back the
// unvested part; every invariant holds after each block.
func TestVestingLocksEveryDebit(t *testing.T) {
	s := newRoleScenario(t, store.OpenMemory(), "vst", 5)
	h := s.h
	const grantor, grantee, other = 3, 4, 0
	s.block()
	start := h.time.Unix()
	// 1,000,000 ugrd vesting linearly over 100 s, clawback allowed; the grantee keeps its own
	// start funds spendable.
	s.block(ok(s.tx(grantor, &vesting.MsgGrant{Grantor: s.addr(grantor), Grantee: s.addr(grantee), Amount: coin.New("ugrd", 1_000_000),
		Schedule: vesting.Schedule{Kind: vesting.KindLinear, Start: start, End: start + 100}, Clawback: true})))
	locked := func() coin.Amount { return h.app.Vesting.Locked(h.ctx(), s.addr(grantee), "ugrd") }
	if l := locked(); l == 0 || l > 1_000_000 {
		t.Fatalf("locked right after the grant: %d", l)
	}
	spendable := h.app.Vesting.Spendable(h.ctx(), s.addr(grantee), "ugrd")
	lockedErr := func(raw []byte) outcome { return outcome{raw, vesting.ModuleName, vesting.ErrLocked.Code} }
	// Spending more than what is free fails, whatever the route; the free part moves.
	s.block(lockedErr(s.tx(grantee, &bank.MsgSend{From: s.addr(grantee), To: s.addr(other), Amount: coin.New("ugrd", spendable+200_000)})))
	s.block(ok(s.tx(grantee, &bank.MsgSend{From: s.addr(grantee), To: s.addr(other), Amount: coin.New("ugrd", spendable/2)})))
	// The grantor claws back what has not vested; the vested part stays with the grantee.
	before := h.app.Bank.Balance(h.ctx(), s.addr(grantor), "ugrd")
	s.block(ok(s.tx(grantor, &vesting.MsgClawback{Grantor: s.addr(grantor), Grant: 1, Reason: "left the company"})))
	g, _ := h.app.Vesting.Grant(h.ctx(), 1)
	if g.ClawedBack == 0 || g.ClawedBack >= 1_000_000 || h.app.Bank.Balance(h.ctx(), s.addr(grantor), "ugrd") <= before {
		t.Fatalf("clawback: %+v", g)
	}
	if l := locked(); l != 0 {
		t.Fatalf("locked after the clawback: %d", l)
	}
	h.time = h.time.Add(time.Minute)
	s.block(ok(s.tx(grantee, &bank.MsgSend{From: s.addr(grantee), To: s.addr(other), Amount: coin.New("ugrd", spendable/4)})))
}
