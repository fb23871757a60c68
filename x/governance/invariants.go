package governance

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
)

// Invariants: every proposal is well formed and its tally is the sum of its votes, never above
// its eligible weight; the queues and indexes name exactly the proposals they should; a proposal
// executes at most once (one execution record, count 1, for each executed or failed proposal);
// the escrow holds exactly the deposits of the proposals in their voting period; every delegate's
// power is the sum of its delegators' current balances.
func (m *Module) Invariants() []chain.Invariant {
	k := m.Keeper
	return []chain.Invariant{
		{Name: "governance/tally", Check: k.checkProposals},
		{Name: "governance/queues", Check: k.checkQueues},
		{Name: "governance/executed-once", Check: k.checkExecutions},
		{Name: "governance/escrow", Check: k.checkEscrow},
		{Name: "governance/delegated-power", Check: k.checkPower},
	}
}

func (k Keeper) eachProposal(ctx chain.Context, fn func(p *Proposal) error) error {
	it := k.st(ctx).Iterator(keyProposal, store.PrefixEnd(keyProposal))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		var p Proposal
		canon.MustDecode(it.Value(), &p)
		if id := idOf(it.Key()); id != p.ID {
			return fmt.Errorf("proposal under id %d says id %d", id, p.ID)
		}
		if err := fn(&p); err != nil {
			return err
		}
	}
	return nil
}

func (k Keeper) checkProposals(ctx chain.Context) error {
	seq := k.Sequence(ctx)
	// The votes, grouped by proposal (they are in key order: proposal, then voter).
	sums := map[uint64]*Tally{}
	var bad error
	each(k.st(ctx), keyVote, func(key, val []byte) {
		var v Vote
		canon.MustDecode(val, &v)
		if bad != nil {
			return
		}
		if id := binary.BigEndian.Uint64(key[len(keyVote):]); id != v.Proposal || addrAt(key, 0) != v.Voter {
			bad = fmt.Errorf("vote under %x says proposal %d voter %s", key, v.Proposal, v.Voter)
			return
		}
		t := sums[v.Proposal]
		if t == nil {
			t = &Tally{}
			sums[v.Proposal] = t
		}
		c := t.of(v.Option)
		s, err := c.Add(v.Weight)
		if err != nil {
			bad = fmt.Errorf("proposal %d: votes overflow", v.Proposal)
		}
		*c = s
	})
	if bad != nil {
		return bad
	}
	err := k.eachProposal(ctx, func(p *Proposal) error {
		if p.ID > seq {
			return fmt.Errorf("proposal %d beyond the sequence %d", p.ID, seq)
		}
		if err := checkProposal(p); err != nil {
			return fmt.Errorf("proposal %d: %v", p.ID, err)
		}
		want := Tally{}
		if t := sums[p.ID]; t != nil {
			want = *t
		}
		if want != p.Tally {
			return fmt.Errorf("proposal %d: tally %+v, its votes add up to %+v", p.ID, p.Tally, want)
		}
		delete(sums, p.ID)
		return nil
	})
	if err != nil {
		return err
	}
	// Map keys in order: the first hit is the same on every node.
	for _, id := range slices.Sorted(maps.Keys(sums)) {
		return fmt.Errorf("votes on proposal %d, which does not exist", id)
	}
	return nil
}

func (k Keeper) checkQueues(ctx chain.Context) error {
	st := k.st(ctx)
	var n, voting, passed int
	err := k.eachProposal(ctx, func(p *Proposal) error {
		n++
		if !st.Has(byDAOKey(p.DAO, p.ID)) {
			return fmt.Errorf("proposal %d is not indexed under its DAO %q", p.ID, p.DAO)
		}
		if inEnd := st.Has(endKey(p.VotingEnd, p.ID)); inEnd != (p.Status == StatusVoting) {
			return fmt.Errorf("proposal %d is %s; in the end queue: %v", p.ID, p.Status, inEnd)
		}
		if inExec := p.Status == StatusPassed && st.Has(execKey(p.ExecuteAfter, p.ID)); inExec != (p.Status == StatusPassed) {
			return fmt.Errorf("proposal %d is %s but not in the execution queue", p.ID, p.Status)
		}
		switch p.Status {
		case StatusVoting:
			voting++
		case StatusPassed:
			passed++
		}
		return nil
	})
	if err != nil {
		return err
	}
	count := func(p []byte) int {
		c := 0
		each(st, p, func(_, _ []byte) { c++ })
		return c
	}
	if c := count(keyByDAO); c != n {
		return fmt.Errorf("%d DAO index entries for %d proposals", c, n)
	}
	if c := count(keyEnds); c != voting {
		return fmt.Errorf("%d end queue entries for %d proposals voting", c, voting)
	}
	if c := count(keyExec); c != passed {
		return fmt.Errorf("%d execution queue entries for %d proposals passed", c, passed)
	}
	return nil
}

func (k Keeper) checkExecutions(ctx chain.Context) error {
	recs := map[uint64]ExecutionRecord{}
	for _, r := range store.Records[ExecutionRecord](k.st(ctx), keyExecRecord) {
		recs[r.Proposal] = r
	}
	err := k.eachProposal(ctx, func(p *Proposal) error {
		r, ok := recs[p.ID]
		delete(recs, p.ID)
		switch p.Status {
		case StatusExecuted, StatusFailed:
			if !ok {
				return fmt.Errorf("proposal %d is %s without an execution record", p.ID, p.Status)
			}
			if r.Count != 1 {
				return fmt.Errorf("proposal %d executed %d times", p.ID, r.Count)
			}
			if r.OK != (p.Status == StatusExecuted) || r.Height != p.ExecutedHeight {
				return fmt.Errorf("proposal %d is %s at %d; its record says ok %v at %d", p.ID, p.Status, p.ExecutedHeight, r.OK, r.Height)
			}
		default:
			if ok {
				return fmt.Errorf("proposal %d is %s but has an execution record", p.ID, p.Status)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(recs)) {
		return fmt.Errorf("execution record of proposal %d, which does not exist", id)
	}
	return nil
}

func (k Keeper) checkEscrow(ctx chain.Context) error {
	want := map[string]coin.Amount{}
	err := k.eachProposal(ctx, func(p *Proposal) error {
		if p.DepositStatus != DepositHeld {
			return nil
		}
		s, err := want[p.Deposit.Denom].Add(p.Deposit.Amount)
		if err != nil {
			return fmt.Errorf("deposits of %s overflow", p.Deposit.Denom)
		}
		want[p.Deposit.Denom] = s
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range k.bank.Balances(ctx, EscrowAccount) {
		if want[c.Denom] != c.Amount {
			return fmt.Errorf("the escrow holds %s, the deposits of the proposals voting are %s", c, coin.New(c.Denom, want[c.Denom]))
		}
		delete(want, c.Denom)
	}
	for _, denom := range slices.Sorted(maps.Keys(want)) {
		if n := want[denom]; n != 0 {
			return fmt.Errorf("the escrow holds no %s, the deposits of the proposals voting are %s", denom, coin.New(denom, n))
		}
	}
	return nil
}

type holder struct {
	denom string
	a     address.Address
}

// sortedHolders lists m's keys by denom, then address.
func sortedHolders(m map[holder]coin.Amount) []holder {
	return slices.SortedFunc(maps.Keys(m), func(x, y holder) int {
		if c := strings.Compare(x.denom, y.denom); c != 0 {
			return c
		}
		return bytes.Compare(x.a[:], y.a[:])
	})
}

func (k Keeper) checkPower(ctx chain.Context) error {
	st := k.st(ctx)
	want := map[holder]coin.Amount{}
	delegators := map[holder]address.Address{}
	var bad error
	for _, d := range store.Records[Delegation](st, keyDelegation) {
		if d.Delegator == d.Delegate || d.Delegate.IsZero() {
			return fmt.Errorf("delegation of %s by %s to %s", d.Denom, d.Delegator, d.Delegate)
		}
		// The balance hook skips these: a delegation of them would fall out of step.
		if d.Denom == NativeDenom || k.isModule(d.Delegator) || k.isModule(d.Delegate) {
			return fmt.Errorf("delegation of %s by %s to %s: the native denom and module accounts do not delegate", d.Denom, d.Delegator, d.Delegate)
		}
		if got, ok := k.DelegateAt(ctx, d.Denom, d.Delegator, latest); !ok || got != d.Delegate {
			return fmt.Errorf("%s delegates %s to %s, its history says %s", d.Delegator, d.Denom, d.Delegate, got)
		}
		delegators[holder{d.Denom, d.Delegator}] = d.Delegate
		h := holder{d.Denom, d.Delegate}
		s, err := want[h].Add(k.bank.Balance(ctx, d.Delegator, d.Denom))
		if err != nil {
			return fmt.Errorf("power of %s in %s overflows", d.Delegate, d.Denom)
		}
		want[h] = s
	}
	// Every delegation history ends with the current delegation (or none).
	var last holder
	var lastDelegate address.Address
	flush := func() {
		if bad == nil && last.denom != "" && !lastDelegate.IsZero() {
			if d, ok := delegators[last]; !ok || d != lastDelegate {
				bad = fmt.Errorf("the delegation history of %s in %s ends with %s, its delegation is %s", last.a, last.denom, lastDelegate, d)
			}
		}
	}
	each(st, keyDelegHist, func(key, val []byte) {
		denom, a, ok := splitDenomAddr(key[len(keyDelegHist):], 8)
		if !ok {
			bad = fmt.Errorf("malformed delegation history key %x", key)
			return
		}
		if h := (holder{denom, a}); h != last {
			flush()
			last = h
		}
		canon.MustDecode(val, &lastDelegate)
	})
	flush()
	if bad != nil {
		return bad
	}
	// Every power history ends with the current power.
	seen := map[holder]coin.Amount{}
	each(st, keyPowerHist, func(key, val []byte) {
		denom, a, ok := splitDenomAddr(key[len(keyPowerHist):], 8)
		if !ok {
			bad = fmt.Errorf("malformed power history key %x", key)
			return
		}
		var n coin.Amount
		canon.MustDecode(val, &n)
		seen[holder{denom, a}] = n
	})
	if bad != nil {
		return bad
	}
	for _, h := range sortedHolders(seen) {
		if n := seen[h]; want[h] != n {
			return fmt.Errorf("%s has %s delegated, its delegators hold %s", h.a, coin.New(h.denom, n), coin.New(h.denom, want[h]))
		}
	}
	for _, h := range sortedHolders(want) {
		if _, ok := seen[h]; !ok && want[h] != 0 {
			return fmt.Errorf("%s has no power history, its delegators hold %s", h.a, coin.New(h.denom, want[h]))
		}
	}
	return nil
}
