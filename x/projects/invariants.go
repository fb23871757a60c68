package projects

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
)

// Invariants: the escrow holds exactly the funded tranches not yet released or returned (and the
// flows in and out add up to it); every tranche is released at most once, whole, and every
// milestone's status agrees with its fields; every project's ledger and timeline are complete
// and their hash chains unbroken (an entry changed or removed breaks them); the indexes list
// exactly what they index.
func (m *Module) Invariants() []chain.Invariant {
	k := m.Keeper
	return []chain.Invariant{
		{Name: "projects/escrow-equals-funded-tranches", Check: k.checkEscrow},
		{Name: "projects/tranches-released-once", Check: k.checkTranches},
		{Name: "projects/ledger-append-only", Check: k.checkLedger},
		{Name: "projects/indexes", Check: k.checkIndexes},
	}
}

// each decodes every record under prefix in key order and calls fn with its key (without the
// prefix); it stops at fn's first error.
func each[T any](k Keeper, ctx chain.Context, prefix []byte, fn func(key []byte, v *T) error) error {
	it := k.st(ctx).Iterator(prefix, store.PrefixEnd(prefix))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		var v T
		if err := canon.Decode(it.Value(), &v); err != nil {
			return fmt.Errorf("record %q does not decode as %T: %v", it.Key(), v, err)
		}
		if err := fn(it.Key()[len(prefix):], &v); err != nil {
			return err
		}
	}
	return nil
}

type sums map[string]coin.Amount

func (s sums) add(denom string, v coin.Amount) error {
	t, err := s[denom].Add(v)
	if err != nil {
		return fmt.Errorf("the tranches of %s add up to more than exists", denom)
	}
	if v != 0 {
		s[denom] = t
	}
	return nil
}

func (s sums) denoms() []string {
	out := make([]string, 0, len(s))
	for d := range s {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// tranches adds up the milestones' tranches by denom: in escrow, ever funded, released and
// returned.
func (k Keeper) tranches(ctx chain.Context) (escrowed, funded, released, returned sums, err error) {
	escrowed, funded, released, returned = sums{}, sums{}, sums{}, sums{}
	err = each(k, ctx, keyMilestone, func(_ []byte, m *Milestone) error {
		d := m.Tranche.Denom
		var f coin.Amount
		if m.Funded {
			f = m.Tranche.Amount
		}
		for _, e := range []error{escrowed.add(d, m.InEscrow()), funded.add(d, f), released.add(d, m.Released), returned.add(d, m.Returned)} {
			if e != nil {
				return e
			}
		}
		return nil
	})
	return
}

func (k Keeper) checkEscrow(ctx chain.Context) error {
	want, _, _, _, err := k.tranches(ctx)
	if err != nil {
		return err
	}
	for _, c := range k.bank.Balances(ctx, EscrowAccount) {
		if want[c.Denom] != c.Amount {
			return fmt.Errorf("escrow holds %s, the funded tranches not released or returned add up to %s", c, coin.New(c.Denom, want[c.Denom]))
		}
		delete(want, c.Denom)
	}
	if left := want.denoms(); len(left) > 0 {
		return fmt.Errorf("funded tranches add up to %s, the escrow holds none", coin.New(left[0], want[left[0]]))
	}
	return each(k, ctx, keyTotals, func(key []byte, t *Totals) error {
		if string(key) != t.Denom {
			return fmt.Errorf("totals of %s stored under %q", t.Denom, key)
		}
		out, err := t.Released.Add(t.Returned)
		if err != nil || out > t.Funded {
			return fmt.Errorf("%s: %d released and %d returned of %d funded", t.Denom, t.Released, t.Returned, t.Funded)
		}
		if have := k.bank.Balance(ctx, EscrowAccount, t.Denom); have != t.Funded-out {
			return fmt.Errorf("%s: %d funded − %d released − %d returned = %d, the escrow holds %d", t.Denom, t.Funded, t.Released, t.Returned, t.Funded-out, have)
		}
		return nil
	})
}

func (k Keeper) checkTranches(ctx chain.Context) error {
	err := each(k, ctx, keyMilestone, func(key []byte, m *Milestone) error {
		if !bytes.Equal(key, milestoneKey(m.Project, m.ID)[len(keyMilestone):]) {
			return fmt.Errorf("milestone %s of project %s stored under %q", m.ID, m.Project, key)
		}
		if _, ok := k.Project(ctx, m.Project); !ok {
			return fmt.Errorf("milestone %s of unknown project %s", m.ID, m.Project)
		}
		return checkMilestone(m)
	})
	if err != nil {
		return err
	}
	_, funded, released, returned, err := k.tranches(ctx)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	err = each(k, ctx, keyTotals, func(_ []byte, t *Totals) error {
		seen[t.Denom] = true
		for _, c := range []struct {
			what       string
			flow, tota coin.Amount
		}{{"funded", t.Funded, funded[t.Denom]}, {"released", t.Released, released[t.Denom]}, {"returned", t.Returned, returned[t.Denom]}} {
			if c.flow != c.tota {
				return fmt.Errorf("%s %s in all, the milestones' tranches say %s: a tranche moved twice or was not recorded", coin.New(t.Denom, c.flow), c.what, coin.New(t.Denom, c.tota))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range funded.denoms() {
		if !seen[d] {
			return fmt.Errorf("tranches of %s were funded but no flow of %s is recorded", d, d)
		}
	}
	return nil
}

func (k Keeper) checkLedger(ctx chain.Context) error {
	chains := map[string]*Project{}
	var ids []string
	err := each(k, ctx, keyProject, func(key []byte, p *Project) error {
		if string(key) != p.ID {
			return fmt.Errorf("project %s stored under %q", p.ID, key)
		}
		if err := checkProject(p); err != nil {
			return err
		}
		chains[p.ID] = &Project{ID: p.ID}
		ids = append(ids, p.ID)
		return nil
	})
	if err != nil {
		return err
	}
	err = each(k, ctx, keyEntry, func(key []byte, e *Entry) error {
		c := chains[e.Project]
		if c == nil || !bytes.Equal(key, entryKey(e.Project, e.ID)[len(keyEntry):]) {
			return fmt.Errorf("entry %d of project %q stored under %q", e.ID, e.Project, key)
		}
		if e.ID != c.Entries+1 {
			return fmt.Errorf("project %s's ledger jumps from entry %d to %d: an entry was removed", e.Project, c.Entries, e.ID)
		}
		if want := entryHash(c.LedgerHash, *e); want != e.Hash {
			return fmt.Errorf("entry %d of project %s hashes to %s, it says %s: the entry was changed", e.ID, e.Project, want, e.Hash)
		}
		c.Entries, c.LedgerHash = e.ID, e.Hash
		return nil
	})
	if err != nil {
		return err
	}
	err = each(k, ctx, keyTimeline, func(key []byte, r *TimelineRecord) error {
		c := chains[r.Project]
		if c == nil || !bytes.Equal(key, timelineKey(r.Project, r.Seq)[len(keyTimeline):]) {
			return fmt.Errorf("timeline record %d of project %q stored under %q", r.Seq, r.Project, key)
		}
		if r.Seq != c.Timeline+1 {
			return fmt.Errorf("project %s's timeline jumps from record %d to %d: a record was removed", r.Project, c.Timeline, r.Seq)
		}
		if want := recordHash(c.TimelineHash, *r); want != r.Hash {
			return fmt.Errorf("timeline record %d of project %s hashes to %s, it says %s: the record was changed", r.Seq, r.Project, want, r.Hash)
		}
		c.Timeline, c.TimelineHash = r.Seq, r.Hash
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		p, _ := k.Project(ctx, id)
		c := chains[id]
		if c.Entries != p.Entries || c.LedgerHash != p.LedgerHash {
			return fmt.Errorf("project %s has %d ledger entries hashing to %s; it records %d and %s: an entry was changed or removed", id, c.Entries, c.LedgerHash, p.Entries, p.LedgerHash)
		}
		if c.Timeline != p.Timeline || c.TimelineHash != p.TimelineHash {
			return fmt.Errorf("project %s has %d timeline records hashing to %s; it records %d and %s: a record was changed or removed", id, c.Timeline, c.TimelineHash, p.Timeline, p.TimelineHash)
		}
	}
	return each(k, ctx, keyAttest, func(key []byte, v *Attestation) error {
		if !bytes.Equal(key, attestKey(v.Project, v.Entry, v.By)[len(keyAttest):]) {
			return fmt.Errorf("verdict of %s on entry %d of project %s stored under %q", v.By, v.Entry, v.Project, key)
		}
		return k.checkAttestation(ctx, v)
	})
}

// countUnder counts the keys under prefix.
func (k Keeper) countUnder(ctx chain.Context, prefix []byte) int {
	it := k.st(ctx).Iterator(prefix, store.PrefixEnd(prefix))
	defer it.Close()
	n := 0
	for ; it.Valid(); it.Next() {
		n++
	}
	return n
}

func (k Keeper) checkIndexes(ctx chain.Context) error {
	st := k.st(ctx)
	// Stakeholders: under their key, of a known project; every project has a public_agency.
	agencies := map[string]int{}
	err := each(k, ctx, keyStake, func(key []byte, s *Stakeholder) error {
		if !bytes.Equal(key, stakeKey(s.Project, s.Account, s.Role)[len(keyStake):]) || !ValidRole(s.Role) {
			return fmt.Errorf("stakeholder %s of project %s as %q stored under %q", s.Account, s.Project, s.Role, key)
		}
		if _, ok := k.Project(ctx, s.Project); !ok {
			return fmt.Errorf("stakeholder %s of unknown project %s", s.Account, s.Project)
		}
		if s.Role == RolePublicAgency {
			agencies[s.Project]++
		}
		return nil
	})
	if err != nil {
		return err
	}
	nProjects, securities := 0, 0
	err = each(k, ctx, keyProject, func(_ []byte, p *Project) error {
		if agencies[p.ID] == 0 {
			return fmt.Errorf("project %s has no public_agency stakeholder", p.ID)
		}
		if id, ok := k.ProjectOfTreasury(ctx, p.Treasury); !ok || id != p.ID {
			return fmt.Errorf("project %s's treasury %s is indexed as project %q's", p.ID, p.Treasury, id)
		}
		if p.Security != "" {
			if id, _, ok := k.ProjectOfSecurity(ctx, p.Security); !ok || id != p.ID {
				return fmt.Errorf("project %s's security token %s is indexed as project %q's", p.ID, p.Security, id)
			}
			securities++
		}
		nProjects++
		return nil
	})
	if err != nil {
		return err
	}
	// Milestones: the release index lists the signed-off ones at their window's end, the late
	// index those not signed off and not late yet at their due date.
	releases, lates := 0, 0
	err = each(k, ctx, keyMilestone, func(_ []byte, m *Milestone) error {
		inRelease, inLate := st.Has(releaseKey(m.WindowEnds, m.Project, m.ID)), st.Has(lateKey(m.Due, m.Project, m.ID))
		wantRelease, wantLate := m.Status == MilestoneSignedOff, watchesDue(m.Status) && !m.Late
		if inRelease != wantRelease || inLate != wantLate {
			return fmt.Errorf("milestone %s of project %s is %s (late %v) but in the release index %v, in the late index %v", m.ID, m.Project, m.Status, m.Late, inRelease, inLate)
		}
		releases += b2i(wantRelease)
		lates += b2i(wantLate)
		return nil
	})
	if err != nil {
		return err
	}
	// Pending changes: in both indexes, below the sequence.
	changes := 0
	err = each(k, ctx, keyChange, func(key []byte, c *StakeholderChange) error {
		if !bytes.Equal(key, store.Uint64Key(c.ID)) || c.ID > k.ChangeSequence(ctx) {
			return fmt.Errorf("stakeholder change %d stored under %x (sequence %d)", c.ID, key, k.ChangeSequence(ctx))
		}
		if _, ok := k.Project(ctx, c.Project); !ok {
			return fmt.Errorf("stakeholder change %d of unknown project %s", c.ID, c.Project)
		}
		if err := checkChange(c); err != nil {
			return err
		}
		if !st.Has(changeOfKey(c.Project, c.ID)) || !st.Has(changeExpKey(c.Expires, c.ID)) {
			return fmt.Errorf("stakeholder change %d is missing from an index", c.ID)
		}
		changes++
		return nil
	})
	if err != nil {
		return err
	}
	// Amendments: one index entry per amending entry.
	amends := 0
	err = each(k, ctx, keyEntry, func(_ []byte, e *Entry) error {
		if e.Amends != 0 {
			if !st.Has(amendKey(e.Project, e.Amends, e.ID)) {
				return fmt.Errorf("entry %d of project %s amends entry %d but is missing from the amendment index", e.ID, e.Project, e.Amends)
			}
			amends++
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Documents: the current version of each name is its last.
	names := 0
	err = each(k, ctx, keyDoc, func(key []byte, d *Document) error {
		if !bytes.Equal(key, docKey(d.Project, d.Name, d.Version)[len(keyDoc):]) {
			return fmt.Errorf("document %q of project %s, version %d, stored under %q", d.Name, d.Project, d.Version, key)
		}
		var cur uint32
		if !k.get(ctx, docCurKey(d.Project, d.Name), &cur) || cur < d.Version {
			return fmt.Errorf("document %q of project %s has version %d; the current version is %d", d.Name, d.Project, d.Version, cur)
		}
		if d.Version == cur {
			names++
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Parameters: the current version of each name is its last; protected ones stay protected.
	params := 0
	var prev Parameter
	err = each(k, ctx, keyParam, func(key []byte, prm *Parameter) error {
		if !bytes.Equal(key, paramKey(prm.Project, prm.Name, prm.Version)[len(keyParam):]) {
			return fmt.Errorf("parameter %s of project %s, version %d, stored under %q", prm.Name, prm.Project, prm.Version, key)
		}
		if _, ok := k.Project(ctx, prm.Project); !ok {
			return fmt.Errorf("parameter %s of unknown project %s", prm.Name, prm.Project)
		}
		var cur uint32
		if !k.get(ctx, paramCurKey(prm.Project, prm.Name), &cur) || cur < prm.Version {
			return fmt.Errorf("parameter %s of project %s has version %d; the current version is %d", prm.Name, prm.Project, prm.Version, cur)
		}
		same := prev.Project == prm.Project && prev.Name == prm.Name
		if same && prev.Protected && !prm.Protected {
			return fmt.Errorf("parameter %s of project %s: version %d is not protected but version %d was", prm.Name, prm.Project, prm.Version, prev.Version)
		}
		if want := uint32(1); same {
			want = prev.Version + 1
			if prm.Version != want {
				return fmt.Errorf("parameter %s of project %s: version %d follows version %d", prm.Name, prm.Project, prm.Version, prev.Version)
			}
		} else if prm.Version != want {
			return fmt.Errorf("parameter %s of project %s starts at version %d", prm.Name, prm.Project, prm.Version)
		}
		if prm.Version == cur {
			params++
		}
		prev = *prm
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range []struct {
		name   string
		prefix []byte
		want   int
	}{{"release", keyRelease, releases}, {"late", keyLate, lates}, {"changes by project", keyChangeOf, changes},
		{"change expiry", keyChangeExp, changes}, {"amendment", keyAmend, amends}, {"current document", keyDocCur, names},
		{"treasury", keyTreasury, nProjects}, {"security token", keySecurity, securities}, {"current parameter", keyParamCur, params}} {
		if got := k.countUnder(ctx, c.prefix); got != c.want {
			return fmt.Errorf("%d entries in the %s index for %d records", got, c.name, c.want)
		}
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
