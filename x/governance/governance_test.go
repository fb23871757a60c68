package governance_test

import (
	"slices"
	"testing"
	"time"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/fees"
	"github.com/girder-chain/girder/x/governance"
)

const (
	yes     = governance.OptionYes
	no      = governance.OptionNo
	abstain = governance.OptionAbstain
	veto    = governance.OptionVeto
)

var (
	escrow = governance.EscrowAccount
	payee  = addr("payee") // receives the spends
)

// runToEnd ends blocks until the one whose time reaches p's voting end has ended; it checks that
// p is still voting at the end of the block just before, and returns the deciding block's events.
func (e *env) runToEnd(id uint64) []chain.Event {
	e.t.Helper()
	p := e.proposal(id)
	e.until(p.VotingEnd-1, 12*hour)
	e.block(time.Second)
	if got := e.proposal(id).Status; got != governance.StatusVoting {
		e.t.Fatalf("proposal %d is %s one second before its voting end", id, got)
	}
	return all(e.block(hour))
}

func TestSpendExecutesOnceAfterTimelock(t *testing.T) {
	e := newEnv(t)
	id := e.submit(alice, sec, spend(payee, 500))
	p := e.proposal(id)
	if p.Snapshot != 10 || p.Eligible != 1_000 || p.Deposit != coin.New(native, deposit) || p.Authority != dao || p.Status != governance.StatusVoting {
		t.Fatalf("proposal %+v", p)
	}
	if e.bal(alice, native) != 9_000 || e.bal(escrow, native) != deposit {
		t.Fatalf("deposit not escrowed: alice %d, escrow %d", e.bal(alice, native), e.bal(escrow, native))
	}
	e.vote(alice, id, yes)
	if w := e.weightOf(id, alice); w != 600 {
		t.Fatalf("alice's weight %d, want 600", w)
	}
	if p := e.proposal(id); !p.QuorumReached || p.Extended {
		t.Fatalf("quorum reached early must not extend: %+v", p)
	}
	evs := e.runToEnd(id)
	p = e.proposal(id)
	if p.Status != governance.StatusPassed || p.ExecuteAfter != p.VotingEnd+2*86400 || find(evs, "governance.proposal_passed") == nil {
		t.Fatalf("after the vote: %+v", p)
	}
	if e.bal(alice, native) != 10_000 || e.bal(escrow, native) != 0 || p.DepositStatus != governance.DepositReturned {
		t.Fatal("deposit not returned")
	}
	// Timelock: nothing runs before ExecuteAfter.
	e.until(p.ExecuteAfter-1, 6*hour)
	e.block(time.Second)
	if e.routed["projects/spend"] != 0 || e.bal(payee, native) != 0 || e.proposal(id).Status != governance.StatusPassed {
		t.Fatal("executed before the timelock passed")
	}
	evs = all(e.block(time.Minute)) // the block at ExecuteAfter
	p = e.proposal(id)
	if p.Status != governance.StatusExecuted || p.ExecutedHeight == 0 || find(evs, "governance.proposal_executed") == nil || find(evs, "bank.transfer") == nil {
		t.Fatalf("not executed at ExecuteAfter: %+v %v", p, evs)
	}
	if e.bal(payee, native) != 500 || e.bal(treasury, native) != 999_500 {
		t.Fatal("the spend did not move the money")
	}
	for i := 0; i < 20; i++ {
		e.block(day)
	}
	if e.routed["projects/spend"] != 1 || e.bal(payee, native) != 500 {
		t.Fatalf("executed %d times", e.routed["projects/spend"])
	}
}

func TestFlashBuyGivesNoWeight(t *testing.T) {
	e := newEnv(t)
	id := e.submit(alice, sec, spend(payee, 1))
	// Bought in the creation block: after the snapshot (the end of the previous block).
	e.ok(&bank.MsgSend{From: alice, To: dave, Amount: coin.New(sec, 200)})
	e.fails(&governance.MsgVote{Voter: dave, Proposal: id, Option: yes}, governance.ErrNoWeight, "end of block 10")
	e.block(hour)
	e.ok(&bank.MsgSend{From: bob, To: dave, Amount: coin.New(sec, 100)})
	e.block(hour)
	e.fails(&governance.MsgVote{Voter: dave, Proposal: id, Option: yes}, governance.ErrNoWeight, "no ubridge")
	// Alice sold 200 after the snapshot: she still votes with 600.
	e.vote(alice, id, yes)
	if w := e.weightOf(id, alice); w != 600 {
		t.Fatalf("alice's weight %d, want 600", w)
	}
	// A proposal submitted now sees dave's 300.
	id2 := e.submit(dave, sec, spend(payee, 1))
	e.vote(dave, id2, no)
	if w := e.weightOf(id2, dave); w != 300 {
		t.Fatalf("dave's weight %d on the later proposal, want 300", w)
	}
}

func TestQuorumMissedReturnsDeposit(t *testing.T) {
	e := newEnv(t)
	id := e.submit(carol, sec, spend(carol, 1))
	e.vote(carol, id, yes) // 100 of 1,000: quorum is 200
	if e.bal(carol, native) != 9_000 {
		t.Fatal("deposit not taken")
	}
	evs := e.runToEnd(id)
	p := e.proposal(id)
	if p.Status != governance.StatusRejected || p.Reason != governance.ReasonQuorum || find(evs, "governance.proposal_rejected")["reason"] != governance.ReasonQuorum {
		t.Fatalf("%+v", p)
	}
	if e.bal(carol, native) != 10_000 || e.bal(escrow, native) != 0 {
		t.Fatal("deposit not returned")
	}
	e.until(p.VotingEnd+10*86400, day)
	if e.routed["projects/spend"] != 0 {
		t.Fatal("a rejected proposal executed")
	}
}

func TestVetoBurnsDeposit(t *testing.T) {
	e := newEnv(t)
	supply := e.bank.Supply(e.ctx, native)
	id := e.submit(carol, sec, spend(carol, 1))
	e.vote(carol, id, yes)
	e.vote(bob, id, yes)
	e.vote(alice, id, veto) // 600 of 1,000 participating ≥ 33.34 %
	evs := e.runToEnd(id)
	p := e.proposal(id)
	if p.Status != governance.StatusVetoed || p.DepositStatus != governance.DepositBurnt || find(evs, "governance.proposal_vetoed") == nil {
		t.Fatalf("%+v", p)
	}
	if e.bal(carol, native) != 9_000 || e.bal(escrow, native) != 0 || e.bank.Supply(e.ctx, native) != supply-deposit {
		t.Fatalf("deposit not burnt: carol %d, escrow %d, supply %d", e.bal(carol, native), e.bal(escrow, native), e.bank.Supply(e.ctx, native))
	}
}

func TestThresholdNotReached(t *testing.T) {
	e := newEnv(t)
	id := e.submit(carol, sec, spend(carol, 1))
	e.vote(carol, id, yes)
	e.vote(bob, id, no)
	e.vote(alice, id, abstain) // abstain counts for quorum, not for the threshold
	e.runToEnd(id)
	if p := e.proposal(id); p.Status != governance.StatusRejected || p.Reason != governance.ReasonThreshold || p.DepositStatus != governance.DepositReturned {
		t.Fatalf("%+v", p)
	}
}

func TestLateQuorumExtension(t *testing.T) {
	e := newEnv(t)
	id := e.submit(carol, sec, spend(carol, 1))
	e.vote(carol, id, yes)
	first := e.proposal(id).VotingEnd
	e.until(first-2*3600, 12*hour)
	evs := e.vote(bob, id, yes) // 400 ≥ 200, two hours before the end: extend by a day
	now := e.ctx.Time.Unix()
	p := e.proposal(id)
	if !p.Extended || p.VotingEnd != now+86400 || find(evs, "governance.voting_extended") == nil {
		t.Fatalf("not extended: %+v", p)
	}
	e.until(first+1, hour)
	if e.proposal(id).Status != governance.StatusVoting {
		t.Fatal("ended at the first voting end")
	}
	// Votes still count in the extension; quorum was reached already: no second extension.
	e.until(p.VotingEnd-60, hour)
	e.vote(alice, id, no)
	if e.proposal(id).VotingEnd != p.VotingEnd {
		t.Fatal("extended twice")
	}
	e.runToEnd(id)
	if got := e.proposal(id); got.Status != governance.StatusRejected || got.Reason != governance.ReasonThreshold {
		t.Fatalf("%+v", got)
	}
}

func TestFailedExecutionRecordedNotRetried(t *testing.T) {
	e := newEnv(t)
	id := e.submit(alice, sec, spend(payee, 500), &msgSetParameter{Authority: dao, Project: project, Name: "toll_note", Value: "fail"})
	e.vote(alice, id, yes)
	e.runToEnd(id)
	e.until(e.proposal(id).ExecuteAfter, 6*hour)
	evs := all(e.block(hour))
	p := e.proposal(id)
	if p.Status != governance.StatusFailed || p.Failure == nil || p.Failure.Msg != 1 || p.Failure.Module != "fakeprojects" || p.Failure.Code != 2 {
		t.Fatalf("%+v %+v", p, p.Failure)
	}
	if ev := find(evs, "governance.execution_failed"); ev == nil || ev["code"] != "2" || ev["msg"] != "1" {
		t.Fatalf("event %v", ev)
	}
	if find(evs, "bank.transfer") != nil || e.bal(payee, native) != 0 || e.bal(treasury, native) != 1_000_000 {
		t.Fatal("the first msg's transfer was kept: all or nothing")
	}
	// The failing msg's kept event outlives the failure (as a failed tx's does), before the
	// failure's own event.
	kept, failed := -1, -1
	for i, ev := range evs {
		switch ev.Type {
		case "fakeprojects.refused":
			kept = i
		case "governance.execution_failed":
			failed = i
		}
	}
	if kept < 0 || kept > failed || attrs(evs[kept])["name"] != "toll_note" {
		t.Fatalf("the refusal kept by the failing msg is not in the block's events: %v", evs)
	}
	for i := 0; i < 10; i++ {
		e.block(day)
	}
	if e.routed["projects/spend"] != 1 || e.routed["projects/set_parameter"] != 1 {
		t.Fatalf("retried: %v", e.routed)
	}
}

func TestProtectedParameterNeedsAgency(t *testing.T) {
	e := newEnv(t)
	setCap := &msgSetParameter{Authority: dao, Project: project, Name: "tariff_cap", Value: "5"}
	// Without the agency's approval.
	id := e.submit(alice, sec, setCap, &msgSetParameter{Authority: dao, Project: project, Name: "concession_term", Value: "30y"})
	if p := e.proposal(id); !slices.Equal(p.Protected, []string{"concession_term", "tariff_cap"}) || p.Project != project {
		t.Fatalf("protected %v of %q", p.Protected, p.Project)
	}
	e.vote(alice, id, yes)
	e.runToEnd(id)
	if p := e.proposal(id); p.Status != governance.StatusRejected || p.Reason != governance.ReasonApproval {
		t.Fatalf("%+v", p)
	}
	e.fails(&governance.MsgApprove{Agency: ministry, Proposal: id}, governance.ErrVotingClosed, "within the voting period")
	// With it.
	id = e.submit(alice, sec, setCap)
	e.fails(&governance.MsgApprove{Agency: mallory, Proposal: id}, governance.ErrNotAgency, project)
	evs := e.ok(&governance.MsgApprove{Agency: ministry, Proposal: id})
	if find(evs, "governance.approved") == nil {
		t.Fatal("no approved event")
	}
	e.fails(&governance.MsgApprove{Agency: ministry, Proposal: id}, governance.ErrAlreadyApproved, "approved by")
	e.vote(alice, id, yes)
	e.runToEnd(id)
	e.until(e.proposal(id).ExecuteAfter, 12*hour)
	e.block(hour)
	if p := e.proposal(id); p.Status != governance.StatusExecuted || e.proj.params["tariff_cap"] != "5" {
		t.Fatalf("%+v %v", p, e.proj.params)
	}
	// A proposal without protected parameters needs no approval.
	id = e.submit(alice, sec, spend(payee, 1))
	e.fails(&governance.MsgApprove{Agency: ministry, Proposal: id}, governance.ErrNotProtected, "no protected")
	e.fails(&governance.MsgApprove{Agency: ministry, Proposal: 99}, governance.ErrUnknownProposal, "99")
}

func TestDelegation(t *testing.T) {
	e := newEnv(t)
	e.ok(&governance.MsgDelegate{Delegator: bob, Denom: sec, Delegate: dave})
	e.ok(&governance.MsgDelegate{Delegator: carol, Denom: sec, Delegate: dave})
	e.fails(&governance.MsgDelegate{Delegator: bob, Denom: sec, Delegate: dave}, governance.ErrSameDelegate, "already delegates")
	e.fails(&governance.MsgDelegate{Delegator: bob, Denom: cash, Delegate: dave}, governance.ErrNotSecurity, "cash")
	e.fails(&governance.MsgDelegate{Delegator: bob, Denom: sec, Delegate: escrow}, governance.ErrModuleAccount, "module account")
	e.fails(&governance.MsgUndelegate{Delegator: alice, Denom: sec}, governance.ErrNoDelegation, "does not delegate")
	if pw := e.k.Power(e.ctx, sec, dave); pw != 400 {
		t.Fatalf("dave's power %d, want 400", pw)
	}
	e.block(hour)
	id := e.submit(dave, sec, spend(payee, 1)) // dave holds nothing but 400 delegated: above the threshold
	// carol votes before her delegate: dave keeps only bob's 300.
	e.vote(carol, id, abstain)
	e.vote(dave, id, yes)
	if w := e.weightOf(id, dave); w != 300 {
		t.Fatalf("dave's weight %d, want 300", w)
	}
	// bob votes after his delegate: his 300 moves from dave's yes to bob's no.
	e.vote(bob, id, no)
	p := e.proposal(id)
	if e.weightOf(id, dave) != 0 || p.Tally != (governance.Tally{Yes: 0, No: 300, Abstain: 100}) {
		t.Fatalf("tally %+v, dave %d", p.Tally, e.weightOf(id, dave))
	}
	// bob changes his mind: the tally moves, nothing is counted twice.
	e.vote(bob, id, yes)
	e.vote(bob, id, yes)
	if p := e.proposal(id); p.Tally != (governance.Tally{Yes: 300, Abstain: 100}) {
		t.Fatalf("tally %+v", p.Tally)
	}
	// A delegate without weight left cannot vote again.
	e.fails(&governance.MsgVote{Voter: dave, Proposal: id, Option: no}, governance.ErrNoWeight, "delegators voted")
	// Balance changes of a delegator move the power now, not at the snapshot.
	e.ok(&bank.MsgSend{From: bob, To: alice, Amount: coin.New(sec, 50)})
	if pw := e.k.Power(e.ctx, sec, dave); pw != 350 {
		t.Fatalf("dave's power %d after bob sent 50, want 350", pw)
	}
	e.ok(&bank.MsgSend{From: alice, To: carol, Amount: coin.New(sec, 20)})
	if pw := e.k.Power(e.ctx, sec, dave); pw != 370 {
		t.Fatalf("dave's power %d after carol received 20, want 370", pw)
	}
	// Moving a delegation and undelegating.
	e.ok(&governance.MsgDelegate{Delegator: carol, Denom: sec, Delegate: alice})
	if e.k.Power(e.ctx, sec, dave) != 250 || e.k.Power(e.ctx, sec, alice) != 120 {
		t.Fatalf("after carol moved: dave %d, alice %d", e.k.Power(e.ctx, sec, dave), e.k.Power(e.ctx, sec, alice))
	}
	e.ok(&governance.MsgUndelegate{Delegator: bob, Denom: sec})
	if e.k.Power(e.ctx, sec, dave) != 0 {
		t.Fatal("power left after undelegation")
	}
	e.block(hour)
	// The running proposal still sees the snapshot; a new one sees the new delegations.
	if pw := e.k.PowerAt(e.ctx, sec, dave, p.Snapshot); pw != 400 {
		t.Fatalf("dave's power at the snapshot %d, want 400", pw)
	}
	id2 := e.submit(alice, sec, spend(payee, 1))
	e.vote(alice, id2, yes)
	if w := e.weightOf(id2, alice); w != 630+120 {
		t.Fatalf("alice's weight %d, want 750", w)
	}
	e.fails(&governance.MsgVote{Voter: dave, Proposal: id2, Option: yes}, governance.ErrNoWeight, "")
	e.runToEnd(id2)
	if e.proposal(id).Status != governance.StatusPassed || e.proposal(id2).Status != governance.StatusPassed {
		t.Fatal("both proposals pass")
	}
}

func TestChainProposal(t *testing.T) {
	e := newEnv(t)
	cp := governance.DefaultChainParams()
	cp.VotingPeriod = 2 * 86400
	plan := &governance.MsgScheduleUpgrade{Authority: authority.Chain, Name: "v2", Height: 500, Info: "binaries at …"}
	msgs := []tx.Msg{&governance.MsgSetChainParams{Authority: authority.Chain, Params: cp},
		&governance.MsgSetBlockParams{Authority: authority.Chain, MaxBytes: 2 << 20, MaxGas: 50_000_000}, plan}
	e.fails(&governance.MsgSubmit{Proposer: mallory, Title: "t", Msgs: pack(t, msgs...)}, governance.ErrNotMember, "member")
	id := e.submit(m1, "", msgs...)
	p := e.proposal(id)
	if p.Eligible != 3 || len(p.Members) != 3 || p.Deposit.Amount != 0 || p.Authority != authority.Chain || p.VotingEnd != e.ctx.Time.Unix()+3*86400 {
		t.Fatalf("%+v", p)
	}
	e.roles.members[addr("member-4")] = true // joined after the snapshot of members
	e.vote(m1, id, yes)
	e.vote(m1, id, yes)
	e.fails(&governance.MsgVote{Voter: addr("member-4"), Proposal: id, Option: yes}, governance.ErrNoWeight, "not a member")
	e.fails(&governance.MsgVote{Voter: alice, Proposal: id, Option: yes}, governance.ErrNoWeight, "not a member")
	e.vote(m2, id, yes)
	e.vote(m3, id, no)
	if p := e.proposal(id); p.Tally != (governance.Tally{Yes: 2, No: 1}) {
		t.Fatalf("one vote per member: %+v", p.Tally)
	}
	e.runToEnd(id)
	p = e.proposal(id)
	if p.Status != governance.StatusPassed || p.ExecuteAfter != p.VotingEnd+86400 {
		t.Fatalf("%+v", p)
	}
	e.until(p.ExecuteAfter, 6*hour)
	e.block(hour)
	if p := e.proposal(id); p.Status != governance.StatusExecuted {
		t.Fatalf("%+v %+v", p, p.Failure)
	}
	if got := e.k.ChainParams(e.ctx); got != cp {
		t.Fatalf("chain params %+v", got)
	}
	mb, mg, ok := e.k.TakeBlockParams(e.ctx)
	if !ok || mb != 2<<20 || mg != 50_000_000 {
		t.Fatalf("block params %d %d %v", mb, mg, ok)
	}
	if _, _, ok := e.k.TakeBlockParams(e.ctx); ok {
		t.Fatal("block params taken twice")
	}
	if _, ok := e.k.UpgradeNeeded(e.ctx, 499); ok {
		t.Fatal("upgrade needed before its height")
	}
	if got, ok := e.k.UpgradeNeeded(e.ctx, 500); !ok || got.Name != "v2" {
		t.Fatalf("upgrade at 500: %+v %v", got, ok)
	}
	ctx := e.ctx
	ctx.Height = 500
	if err := e.k.MarkUpgradeDone(ctx, "v1"); !isCode(err, governance.ErrNoUpgrade) {
		t.Fatalf("marking another upgrade: %v", err)
	}
	if err := e.k.MarkUpgradeDone(ctx, "v2"); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.k.UpgradeNeeded(e.ctx, 500); ok {
		t.Fatal("upgrade still needed once done")
	}
	e.fails(plan, governance.ErrUpgradeDone, "applied at height 500")
	e.fails(&governance.MsgCancelUpgrade{Authority: authority.Chain}, governance.ErrNoUpgrade, "nothing to cancel")
	// A chain proposal with one vote of three misses the quorum of half the members.
	id = e.submit(m2, "", &governance.MsgCancelUpgrade{Authority: authority.Chain})
	e.vote(m2, id, yes)
	e.runToEnd(id)
	if p := e.proposal(id); p.Status != governance.StatusRejected || p.Reason != governance.ReasonQuorum {
		t.Fatalf("%+v", p)
	}
}

func TestParamsMsgsOutsideProposals(t *testing.T) {
	e := newEnv(t)
	dp := governance.DefaultDAOParams()
	dp.VotingPeriod = 86400
	dp.LateQuorumExtension = 3600
	dp.Deposit = coin.New(native, 10)
	// Only the authorities may; nobody has their keys, so only proposals do.
	e.fails(&governance.MsgSetDAOParams{Authority: alice, Denom: sec, Params: dp}, governance.ErrWrongAuthority, "not the DAO")
	e.fails(&governance.MsgSetDAOParams{Authority: authority.DAO(cash), Denom: cash, Params: dp}, governance.ErrNotSecurity, "cash")
	e.fails(&governance.MsgSetChainParams{Authority: alice, Params: governance.DefaultChainParams()}, governance.ErrWrongAuthority, "chain governance account")
	e.fails(&governance.MsgSetDAODefaults{Authority: dao, Params: dp}, governance.ErrWrongAuthority, "chain governance account")
	e.fails(&governance.MsgSetFeeParams{Authority: alice, Params: fees.DefaultParams()}, governance.ErrWrongAuthority, "chain governance account")
	e.fails(&governance.MsgSetBlockParams{Authority: alice, MaxBytes: governance.MinBlockBytes, MaxGas: -1}, governance.ErrWrongAuthority, "chain governance account")
	e.fails(&governance.MsgScheduleUpgrade{Authority: authority.Chain, Name: "v2", Height: e.ctx.Height + 1}, governance.ErrBadHeight, "after the next block")
	// Through a DAO proposal: the DAO's own params; the next proposal runs under them.
	id := e.submit(alice, sec, &governance.MsgSetDAOParams{Authority: dao, Denom: sec, Params: dp})
	e.vote(alice, id, yes)
	e.runToEnd(id)
	e.until(e.proposal(id).ExecuteAfter, 12*hour)
	evs := all(e.block(hour))
	if got, own := e.k.DAOParams(e.ctx, sec); !own || got != dp || find(evs, "governance.params_set") == nil {
		t.Fatalf("dao params %+v own %v", got, own)
	}
	id = e.submit(alice, sec, spend(payee, 1))
	if p := e.proposal(id); p.VotingEnd != e.ctx.Time.Unix()+86400 || p.Rules.Extension != 3600 {
		t.Fatalf("%+v", p)
	}
	// Fee params through a chain proposal.
	fp := fees.DefaultParams()
	fp.MinBaseFee = 20
	id = e.submit(m1, "", &governance.MsgSetFeeParams{Authority: authority.Chain, Params: fp})
	e.vote(m1, id, yes)
	e.vote(m2, id, yes)
	e.runToEnd(id)
	e.until(e.proposal(id).ExecuteAfter, 12*hour)
	e.block(hour)
	if e.fees.Params(e.ctx).MinBaseFee != 20 {
		t.Fatalf("fee params not set: %+v", e.proposal(id).Failure)
	}
}

func TestSubmitRefusals(t *testing.T) {
	e := newEnv(t)
	bad := tx.Any{Type: "projects/spend", Value: []byte{0xa0}} // decodes, but fails validation
	cases := []struct {
		name     string
		proposer address.Address
		dao      string
		msgs     []tx.Any
		want     *codes.Error
		inMsg    string
	}{
		{"wrong signer", alice, sec, pack(t, spend(payee, 1), &msgSpend{Authority: alice, Project: project, To: dave, Amount: coin.New(native, 1)}), governance.ErrWrongAuthority, "msg 1"},
		{"chain msg signed by a DAO", alice, sec, pack(t, &governance.MsgSetChainParams{Authority: dao, Params: governance.DefaultChainParams()}), governance.ErrNotAllowed, "project DAO"},
		{"bank send", alice, sec, pack(t, &bank.MsgSend{From: dao, To: alice, Amount: coin.New(native, 1)}), governance.ErrNotAllowed, "bank/send"},
		{"DAO msg in a chain proposal", m1, "", pack(t, &msgSpend{Authority: authority.Chain, Project: project, To: dave, Amount: coin.New(native, 1)}), governance.ErrNotAllowed, "chain governance"},
		{"chain proposal signed by a DAO", m1, "", pack(t, &governance.MsgCancelUpgrade{Authority: dao}), governance.ErrWrongAuthority, "msg 0"},
		{"unknown type", alice, sec, []tx.Any{{Type: "nope/nothing", Value: []byte{0xa0}}}, governance.ErrInvalidProposalMsg, "not a msg type"},
		{"invalid msg", alice, sec, []tx.Any{bad}, governance.ErrInvalidProposalMsg, "msg 0"},
		{"another project", alice, sec, pack(t, &msgSpend{Authority: dao, Project: "tunnel", To: dave, Amount: coin.New(native, 1)}), governance.ErrOutOfScope, "no project"},
		{"another DAO's params", alice, sec2, pack(t, &governance.MsgSetDAOParams{Authority: authority.DAO(sec2), Denom: sec, Params: governance.DefaultDAOParams()}), governance.ErrOutOfScope, "not of utunnel"},
		{"scope of another denom", alice, sec2, pack(t, &msgSpend{Authority: authority.DAO(sec2), Project: project, To: dave, Amount: coin.New(native, 1)}), governance.ErrOutOfScope, "not of utunnel"},
		{"not a security", alice, cash, pack(t, spend(payee, 1)), governance.ErrNotSecurity, "cash"},
		{"unknown asset", alice, "unothing", pack(t, spend(payee, 1)), governance.ErrNotSecurity, "not an asset"},
		{"below threshold", dave, sec, pack(t, spend(payee, 1)), governance.ErrBelowThreshold, "100 bps"},
		{"no deposit", dave, sec2, pack(t, &governance.MsgSetDAOParams{Authority: authority.DAO(sec2), Denom: sec2, Params: governance.DefaultDAOParams()}), governance.ErrBelowThreshold, ""},
		{"too many members", m1, "", nil, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.want == nil {
				return
			}
			e.t = t
			e.fails(&governance.MsgSubmit{Proposer: c.proposer, DAO: c.dao, Title: "t", Msgs: c.msgs}, c.want, c.inMsg)
		})
	}
	e.t = t
	// The deposit must be spendable.
	e.ok(&bank.MsgSend{From: carol, To: alice, Amount: coin.New(native, 9_500)})
	e.fails(&governance.MsgSubmit{Proposer: carol, DAO: sec, Title: "t", Msgs: pack(t, spend(payee, 1))}, bank.ErrInsufficientFunds, "needs 1000ugrd")
	// Members beyond MaxMembers.
	cp := governance.DefaultChainParams()
	cp.MaxMembers = 2
	id := e.submit(m1, "", &governance.MsgSetChainParams{Authority: authority.Chain, Params: cp})
	e.vote(m1, id, yes)
	e.vote(m2, id, yes)
	e.runToEnd(id)
	e.until(e.proposal(id).ExecuteAfter, 12*hour)
	e.block(hour)
	e.fails(&governance.MsgSubmit{Proposer: m1, Title: "t", Msgs: pack(t, &governance.MsgCancelUpgrade{Authority: authority.Chain})}, governance.ErrTooManyMembers, "at most 2")
}

func TestVoteRefusals(t *testing.T) {
	e := newEnv(t)
	id := e.submit(alice, sec, spend(payee, 1))
	e.fails(&governance.MsgVote{Voter: alice, Proposal: 42, Option: yes}, governance.ErrUnknownProposal, "no proposal 42")
	e.fails(&governance.MsgVote{Voter: mallory, Proposal: id, Option: yes}, governance.ErrNoWeight, "")
	e.runToEnd(id)
	e.fails(&governance.MsgVote{Voter: alice, Proposal: id, Option: yes}, governance.ErrVotingClosed, "rejected")
}

// TestMsgValidation: every msg's bad input fails with its stable code.
func TestMsgValidation(t *testing.T) {
	e := newEnv(t)
	okAny := pack(t, spend(payee, 1))
	dp := governance.DefaultDAOParams()
	with := func(f func(p *governance.DAOParams)) governance.DAOParams { p := dp; f(&p); return p }
	cw := func(f func(p *governance.ChainParams)) governance.ChainParams {
		p := governance.DefaultChainParams()
		f(&p)
		return p
	}
	badFees := fees.DefaultParams()
	badFees.BurnPercent = 101
	long := string(make([]byte, governance.MaxTitleLen+1))
	many := make([]tx.Any, governance.MaxMsgs+1)
	for i := range many {
		many[i] = okAny[0]
	}
	inv, par := governance.ErrInvalidMsg, governance.ErrInvalidParams
	cases := []struct {
		m     tx.Msg
		want  *codes.Error
		inMsg string
	}{
		{&governance.MsgSubmit{DAO: sec, Title: "t", Msgs: okAny}, inv, "zero proposer"},
		{&governance.MsgSubmit{Proposer: alice, DAO: "x", Title: "t", Msgs: okAny}, inv, "dao"},
		{&governance.MsgSubmit{Proposer: alice, DAO: sec, Title: " ", Msgs: okAny}, inv, "title"},
		{&governance.MsgSubmit{Proposer: alice, DAO: sec, Title: long, Msgs: okAny}, inv, "title"},
		{&governance.MsgSubmit{Proposer: alice, DAO: sec, Title: "t", Summary: string(make([]byte, 10_001)), Msgs: okAny}, inv, "summary"},
		{&governance.MsgSubmit{Proposer: alice, DAO: sec, Title: "t"}, inv, "0 msgs"},
		{&governance.MsgSubmit{Proposer: alice, DAO: sec, Title: "t", Msgs: many}, inv, "17 msgs"},
		{&governance.MsgSubmit{Proposer: alice, DAO: sec, Title: "t", Msgs: []tx.Any{{Type: "projects/spend"}}}, inv, "empty"},
		{&governance.MsgVote{Proposal: 1, Option: yes}, inv, "zero voter"},
		{&governance.MsgVote{Voter: alice, Option: yes}, inv, "id 0"},
		{&governance.MsgVote{Voter: alice, Proposal: 1, Option: "maybe"}, inv, "option"},
		{&governance.MsgDelegate{Denom: sec, Delegate: bob}, inv, "zero delegator"},
		{&governance.MsgDelegate{Delegator: alice, Denom: sec}, inv, "zero delegate"},
		{&governance.MsgDelegate{Delegator: alice, Denom: sec, Delegate: alice}, inv, "itself"},
		{&governance.MsgDelegate{Delegator: alice, Denom: "1x", Delegate: bob}, inv, "denom"},
		{&governance.MsgUndelegate{Denom: sec}, inv, "zero delegator"},
		{&governance.MsgUndelegate{Delegator: alice, Denom: ""}, inv, "denom"},
		{&governance.MsgApprove{Proposal: 1}, inv, "zero agency"},
		{&governance.MsgApprove{Agency: ministry}, inv, "id 0"},
		{&governance.MsgSetDAOParams{Denom: sec, Params: dp}, inv, "zero authority"},
		{&governance.MsgSetDAOParams{Authority: dao, Denom: "", Params: dp}, inv, "denom"},
		{&governance.MsgSetDAOParams{Authority: dao, Denom: sec, Params: with(func(p *governance.DAOParams) { p.QuorumBps = 0 })}, par, "quorum_bps"},
		{&governance.MsgSetDAOParams{Authority: dao, Denom: sec, Params: with(func(p *governance.DAOParams) { p.QuorumBps = 10_001 })}, par, "quorum_bps"},
		{&governance.MsgSetDAOParams{Authority: dao, Denom: sec, Params: with(func(p *governance.DAOParams) { p.ThresholdBps = 10_000 })}, par, "threshold_bps"},
		{&governance.MsgSetDAOParams{Authority: dao, Denom: sec, Params: with(func(p *governance.DAOParams) { p.VetoThresholdBps = 0 })}, par, "veto_threshold_bps"},
		{&governance.MsgSetDAOParams{Authority: dao, Denom: sec, Params: with(func(p *governance.DAOParams) { p.VotingPeriod = 0 })}, par, "voting_period"},
		{&governance.MsgSetDAOParams{Authority: dao, Denom: sec, Params: with(func(p *governance.DAOParams) { p.VotingPeriod = governance.Year + 1 })}, par, "voting_period"},
		{&governance.MsgSetDAOParams{Authority: dao, Denom: sec, Params: with(func(p *governance.DAOParams) { p.Timelock = -1 })}, par, "timelock"},
		{&governance.MsgSetDAOParams{Authority: dao, Denom: sec, Params: with(func(p *governance.DAOParams) { p.LateQuorumExtension = p.VotingPeriod + 1 })}, par, "late_quorum_extension"},
		{&governance.MsgSetDAOParams{Authority: dao, Denom: sec, Params: with(func(p *governance.DAOParams) { p.ProposalThresholdBps = 10_001 })}, par, "proposal_threshold_bps"},
		{&governance.MsgSetDAOParams{Authority: dao, Denom: sec, Params: with(func(p *governance.DAOParams) { p.Deposit = coin.Coin{} })}, par, "deposit"},
		{&governance.MsgSetChainParams{Params: governance.DefaultChainParams()}, inv, "zero authority"},
		{&governance.MsgSetChainParams{Authority: authority.Chain, Params: cw(func(p *governance.ChainParams) { p.MaxMembers = 0 })}, par, "max_members"},
		{&governance.MsgSetChainParams{Authority: authority.Chain, Params: cw(func(p *governance.ChainParams) { p.ThresholdBps = 0 })}, par, "threshold_bps"},
		{&governance.MsgSetDAODefaults{Params: dp}, inv, "zero authority"},
		{&governance.MsgSetDAODefaults{Authority: authority.Chain, Params: with(func(p *governance.DAOParams) { p.Timelock = governance.Year + 1 })}, par, "timelock"},
		{&governance.MsgSetFeeParams{Params: fees.DefaultParams()}, inv, "zero authority"},
		{&governance.MsgSetFeeParams{Authority: authority.Chain, Params: badFees}, par, "burn_percent"},
		{&governance.MsgSetBlockParams{MaxBytes: 1, MaxGas: 1}, inv, "zero authority"},
		{&governance.MsgSetBlockParams{Authority: authority.Chain, MaxBytes: 0, MaxGas: 1}, par, "max_bytes"},
		{&governance.MsgSetBlockParams{Authority: authority.Chain, MaxBytes: governance.MaxBlockBytes + 1, MaxGas: 1}, par, "max_bytes"},
		{&governance.MsgSetBlockParams{Authority: authority.Chain, MaxBytes: governance.MinBlockBytes - 1, MaxGas: 1}, par, "evidence limit"},
		{&governance.MsgSetBlockParams{Authority: authority.Chain, MaxBytes: governance.MinBlockBytes, MaxGas: 0}, par, "max_gas"},
		{&governance.MsgSetBlockParams{Authority: authority.Chain, MaxBytes: governance.MinBlockBytes, MaxGas: -2}, par, "max_gas"},
		{&governance.MsgScheduleUpgrade{Name: "v2", Height: 100}, inv, "zero authority"},
		{&governance.MsgScheduleUpgrade{Authority: authority.Chain, Name: "V 2", Height: 100}, inv, "upgrade name"},
		{&governance.MsgScheduleUpgrade{Authority: authority.Chain, Name: "v2", Height: 0}, inv, "height"},
		{&governance.MsgScheduleUpgrade{Authority: authority.Chain, Name: "v2", Height: 100, Info: string(make([]byte, governance.MaxUpgradeInfoLen+1))}, inv, "info"},
		{&governance.MsgCancelUpgrade{}, inv, "zero authority"},
	}
	for _, c := range cases {
		e.fails(c.m, c.want, c.inMsg)
	}
}

func TestBoundedWorkPerBlock(t *testing.T) {
	e := newEnv(t)
	n := governance.MaxExecutionsPerBlock + 2
	var ids []uint64
	for i := 0; i < n; i++ {
		id := e.submit(alice, sec, spend(payee, 1))
		e.vote(alice, id, yes)
		ids = append(ids, id)
	}
	e.runToEnd(ids[0])
	for _, id := range ids {
		if e.proposal(id).Status != governance.StatusPassed {
			t.Fatalf("proposal %d not passed", id)
		}
	}
	e.until(e.proposal(ids[0]).ExecuteAfter, 12*hour)
	e.block(time.Second)
	if e.routed["projects/spend"] != governance.MaxExecutionsPerBlock {
		t.Fatalf("%d executions in one block", e.routed["projects/spend"])
	}
	e.block(time.Second)
	if e.routed["projects/spend"] != n || e.bal(payee, native) != coin.Amount(n) {
		t.Fatalf("%d executions after two blocks", e.routed["projects/spend"])
	}
}

func all(evs []chain.Event) []chain.Event { return evs }

func find(evs []chain.Event, typ string) map[string]string { return eventOf(evs, typ) }

// TestBlockParamsConsensusAccepts: every block limit set_block_params accepts is one CometBFT
// accepts (a node handed consensus params that fail ValidateBasic stops); a block below the
// evidence limit is refused at submission, before it could reach consensus.
func TestBlockParamsConsensusAccepts(t *testing.T) {
	evidence := cmttypes.DefaultEvidenceParams().MaxBytes
	if governance.MinBlockBytes != 2*evidence || governance.MaxBlockBytes != cmttypes.MaxBlockSizeBytes {
		t.Fatalf("bounds %d to %d, want twice CometBFT's evidence limit %d and its block bound %d", governance.MinBlockBytes, governance.MaxBlockBytes,
			evidence, cmttypes.MaxBlockSizeBytes)
	}
	min := governance.MinBlockBytes
	// The smallest block still holds the largest tx (64 KiB) with full evidence pending and a
	// commit of many validators (CometBFT panics when the data part would be negative).
	if data := cmttypes.MaxDataBytes(min, evidence, 150); data < 64<<10 {
		t.Fatalf("a %d-byte block with %d bytes of evidence and 150 validators leaves %d bytes of txs", min, evidence, data)
	}
	for _, maxBytes := range []int64{-2, -1, 0, 1, 64 << 10, min - 1, min, min + 1, 8 << 20, governance.MaxBlockBytes, governance.MaxBlockBytes + 1} {
		for _, maxGas := range []int64{-2, -1, 0, 1, 80_000_000} {
			m := &governance.MsgSetBlockParams{Authority: authority.Chain, MaxBytes: maxBytes, MaxGas: maxGas}
			cp := cmttypes.DefaultConsensusParams()
			cp.Block.MaxBytes, cp.Block.MaxGas = maxBytes, maxGas
			err := m.Validate()
			if err == nil {
				if cerr := cp.ValidateBasic(); cerr != nil {
					t.Fatalf("max_bytes %d, max_gas %d accepted, CometBFT refuses them: %v", maxBytes, maxGas, cerr)
				}
			} else if !isCode(err, governance.ErrInvalidParams) {
				t.Fatalf("max_bytes %d, max_gas %d: %v, want %s/%d", maxBytes, maxGas, err, governance.ErrInvalidParams.Module, governance.ErrInvalidParams.Code)
			}
			wantOK := maxBytes >= min && maxBytes <= governance.MaxBlockBytes && (maxGas == -1 || maxGas > 0)
			if (err == nil) != wantOK {
				t.Fatalf("max_bytes %d, max_gas %d: %v", maxBytes, maxGas, err)
			}
		}
	}
	// The halting case: below the evidence limit CometBFT refuses the params.
	cp := cmttypes.DefaultConsensusParams()
	cp.Block.MaxBytes = evidence - 1
	if cp.ValidateBasic() == nil {
		t.Fatal("CometBFT accepts a block below its evidence limit: the floor is not needed")
	}
	e := newEnv(t)
	e.fails(&governance.MsgSubmit{Proposer: m1, Title: "small blocks", Msgs: pack(t, &governance.MsgSetBlockParams{Authority: authority.Chain,
		MaxBytes: 64 << 10, MaxGas: -1})}, governance.ErrInvalidProposalMsg, "evidence limit")
}

// TestFeeDenomDoesNotChange: a chain proposal changing the fee denom fails at execution, the
// fees stay payable, and chain governance still works.
func TestFeeDenomDoesNotChange(t *testing.T) {
	e := newEnv(t)
	fp := fees.DefaultParams()
	fp.Denom = cash
	e.fails(&governance.MsgSetFeeParams{Authority: authority.Chain, Params: fp}, governance.ErrInvalidParams, "fee denom \"ueur\": fees are paid in ugrd")
	id := e.submit(m1, "", &governance.MsgSetFeeParams{Authority: authority.Chain, Params: fp})
	e.vote(m1, id, yes)
	e.vote(m2, id, yes)
	e.runToEnd(id)
	e.until(e.proposal(id).ExecuteAfter, 12*hour)
	e.block(hour)
	p := e.proposal(id)
	if p.Status != governance.StatusFailed || p.Failure == nil || p.Failure.Module != governance.ModuleName || p.Failure.Code != governance.ErrInvalidParams.Code {
		t.Fatalf("%+v %+v", p, p.Failure)
	}
	if got := e.fees.Params(e.ctx).Denom; got != native {
		t.Fatalf("fee denom %s", got)
	}
	// Other fee params still change, the denom restated.
	fp = fees.DefaultParams()
	fp.MinBaseFee = 30
	id = e.submit(m1, "", &governance.MsgSetFeeParams{Authority: authority.Chain, Params: fp})
	e.vote(m1, id, yes)
	e.vote(m3, id, yes)
	e.runToEnd(id)
	e.until(e.proposal(id).ExecuteAfter, 12*hour)
	e.block(hour)
	if e.proposal(id).Status != governance.StatusExecuted || e.fees.Params(e.ctx).MinBaseFee != 30 {
		t.Fatalf("%+v", e.proposal(id))
	}
}

// TestDepositDenomMustExist: a DAO's deposit (its own params, or the defaults) is in the native
// denom or an asset; a denom that does not exist is refused, and a DAO whose proposal tried it
// still submits proposals.
func TestDepositDenomMustExist(t *testing.T) {
	e := newEnv(t)
	dp := governance.DefaultDAOParams()
	dp.Deposit = coin.New("unothing", 10)
	e.fails(&governance.MsgSetDAOParams{Authority: dao, Denom: sec, Params: dp}, governance.ErrInvalidParams, "deposit denom \"unothing\"")
	e.fails(&governance.MsgSetDAODefaults{Authority: authority.Chain, Params: dp}, governance.ErrInvalidParams, "deposit denom \"unothing\"")
	for _, denom := range []string{native, cash, sec2} {
		dp.Deposit = coin.New(denom, 10)
		e.ok(&governance.MsgSetDAODefaults{Authority: authority.Chain, Params: dp})
		e.ok(&governance.MsgSetDAOParams{Authority: dao, Denom: sec, Params: dp})
	}
	dp.Deposit = coin.New(native, deposit)
	e.ok(&governance.MsgSetDAOParams{Authority: dao, Denom: sec, Params: dp})
	// Through the DAO's own proposal: the execution fails, the params stay.
	bad := dp
	bad.Deposit = coin.New("unothing", 10)
	id := e.submit(alice, sec, &governance.MsgSetDAOParams{Authority: dao, Denom: sec, Params: bad})
	e.vote(alice, id, yes)
	e.runToEnd(id)
	e.until(e.proposal(id).ExecuteAfter, 12*hour)
	e.block(hour)
	if p := e.proposal(id); p.Status != governance.StatusFailed || p.Failure.Code != governance.ErrInvalidParams.Code {
		t.Fatalf("%+v %+v", p, p.Failure)
	}
	if got, _ := e.k.DAOParams(e.ctx, sec); got.Deposit != coin.New(native, deposit) {
		t.Fatalf("deposit %s", got.Deposit)
	}
	e.submit(alice, sec, spend(payee, 1))
}

// countingKV counts the reads of a store.
type countingKV struct {
	store.KV
	reads int
}

func (c *countingKV) Get(key []byte) []byte { c.reads++; return c.KV.Get(key) }
func (c *countingKV) Has(key []byte) bool   { c.reads++; return c.KV.Has(key) }
func (c *countingKV) Iterator(start, end []byte) store.Iterator {
	c.reads++
	return c.KV.Iterator(start, end)
}
func (c *countingKV) ReverseIterator(start, end []byte) store.Iterator {
	c.reads++
	return c.KV.ReverseIterator(start, end)
}

// TestBalanceHookSkipsNativeAndModules: the balance hook reads nothing for the native denom
// (every fee moves it) or a module account, and still moves a delegate's power otherwise.
func TestBalanceHookSkipsNativeAndModules(t *testing.T) {
	e := newEnv(t)
	e.ok(&governance.MsgDelegate{Delegator: bob, Denom: sec, Delegate: dave})
	kv := &countingKV{KV: e.ctx.KV()}
	ctx := chain.NewContext(kv, e.ctx.Height, e.ctx.Time, e.ctx.ChainID, chain.ModeDeliver)
	for _, c := range []struct {
		a     address.Address
		denom string
	}{{bob, native}, {alice, native}, {escrow, sec}, {escrow, native}, {compliance.HoldAccount, sec}, {authority.Chain, sec}} {
		kv.reads = 0
		e.k.BalanceChanged(ctx, c.a, c.denom, 100, 50)
		if kv.reads != 0 {
			t.Fatalf("%s's %s: %d reads", c.a, c.denom, kv.reads)
		}
	}
	kv.reads = 0
	e.k.BalanceChanged(ctx, alice, sec, 600, 500)
	if kv.reads == 0 {
		t.Fatal("a security's balance change read no delegation")
	}
	// Behaviour: bob's security moves dave's power; bob's native coins do not.
	e.ok(&bank.MsgSend{From: bob, To: alice, Amount: coin.New(native, 1_000)})
	if pw := e.k.Power(e.ctx, sec, dave); pw != 300 {
		t.Fatalf("dave's power %d after bob sent ugrd, want 300", pw)
	}
	e.ok(&bank.MsgSend{From: bob, To: alice, Amount: coin.New(sec, 100)})
	if pw := e.k.Power(e.ctx, sec, dave); pw != 200 {
		t.Fatalf("dave's power %d after bob sent 100 ubridge, want 200", pw)
	}
}
