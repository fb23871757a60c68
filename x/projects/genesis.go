package projects

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
)

// Genesis is projects' genesis state: every record, in key order. The indexes (treasuries,
// security tokens, current document and parameter versions, pending changes by project and by
// expiry, amendments, releases and late alerts due)
// and the escrow totals follow from the records and are rebuilt at import; the ledger's and the
// timeline's hash chains are checked.
type Genesis struct {
	Params         Params              `json:"params"`
	Projects       []Project           `json:"projects"`
	Stakeholders   []Stakeholder       `json:"stakeholders"`
	Documents      []Document          `json:"documents"`
	Changes        []StakeholderChange `json:"stakeholder_changes"`
	ChangeSequence uint64              `json:"change_sequence"` // the last change id used
	Entries        []Entry             `json:"entries"`
	Attestations   []Attestation       `json:"attestations"`
	Timeline       []TimelineRecord    `json:"timeline"`
	Milestones     []Milestone         `json:"milestones"`
	Parameters     []Parameter         `json:"parameters"`
}

// DefaultGenesis has no project and the default params.
func DefaultGenesis() Genesis {
	return Genesis{Params: DefaultParams(), Projects: []Project{}, Stakeholders: []Stakeholder{}, Documents: []Document{},
		Changes: []StakeholderChange{}, Entries: []Entry{}, Attestations: []Attestation{}, Timeline: []TimelineRecord{}, Milestones: []Milestone{},
		Parameters: []Parameter{}}
}

// checkProject checks a project record without reading state.
func checkProject(p *Project) error {
	m := MsgCreate{Creator: p.Creator, ID: p.ID, Name: p.Name, Sector: p.Sector, Location: p.Location, ConcessionStart: p.ConcessionStart,
		ConcessionEnd: p.ConcessionEnd, Description: p.Description, StakeholderRule: p.StakeholderRule, ResolverRole: p.ResolverRole,
		Security: p.Security}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("project %q: %v", p.ID, err)
	}
	switch {
	case p.StakeholderRule == "" || p.ResolverRole == "":
		return fmt.Errorf("project %s: no stakeholder rule or resolver role", p.ID)
	case p.Treasury != Treasury(p.ID):
		return fmt.Errorf("project %s: treasury %s, want %s", p.ID, p.Treasury, Treasury(p.ID))
	case p.Height < 0 || p.Time < 0:
		return fmt.Errorf("project %s: created at height %d, time %d", p.ID, p.Height, p.Time)
	case (p.Entries == 0) != p.LedgerHash.IsZero() || (p.Timeline == 0) != p.TimelineHash.IsZero():
		return fmt.Errorf("project %s: %d entries with ledger hash %s, %d timeline records with hash %s", p.ID, p.Entries, p.LedgerHash, p.Timeline, p.TimelineHash)
	}
	return nil
}

// checkMilestone checks a milestone record's fields and the consistency of its status without
// reading state.
func checkMilestone(m *Milestone) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("milestone %s of project %s: "+format, append([]any{m.ID, m.Project}, args...)...)
	}
	msg := MsgPlanMilestone{Planner: m.PlannedBy, Project: m.Project, ID: m.ID, Description: m.Description, Due: m.Due,
		Tranche: m.Tranche, Payee: m.Payee, Policy: m.Policy, Window: m.Window}
	if err := msg.Validate(); err != nil {
		return fail("%v", err)
	}
	if !slices.Contains(MilestoneStatuses, m.Status) {
		return fail("status %q", m.Status)
	}
	if m.Funded != (m.FundedBy != nil) || m.Funded != (m.FundedHeight > 0) {
		return fail("funded %v, by %v at height %d", m.Funded, m.FundedBy, m.FundedHeight)
	}
	released := m.Status == MilestoneReleased
	if released != (m.Released != 0) || released != (m.ReleasedHeight > 0) || released != (m.ReleasedVia != "") {
		return fail("%s with %d released at height %d (%q)", m.Status, m.Released, m.ReleasedHeight, m.ReleasedVia)
	}
	if released && (!m.Funded || m.Released != m.Tranche.Amount || (m.ReleasedVia != ViaWindow && m.ReleasedVia != ViaResolution)) {
		return fail("released %d of a tranche of %d (funded %v, via %q): a tranche is released whole, once, from escrow", m.Released, m.Tranche.Amount, m.Funded, m.ReleasedVia)
	}
	cancelled := m.Status == MilestoneCancelled
	if cancelled != (m.Cancellation != nil) {
		return fail("%s with cancellation %v", m.Status, m.Cancellation)
	}
	if want := coin.Amount(0); cancelled && m.Funded {
		want = m.Tranche.Amount
		if m.Returned != want {
			return fail("cancelled after funding, %d returned of %d", m.Returned, want)
		}
	} else if m.Returned != 0 {
		return fail("%s (funded %v) with %d returned", m.Status, m.Funded, m.Returned)
	}
	seenRole, seenBy := map[string]bool{}, map[address.Address]bool{}
	for _, s := range m.SignOffs {
		if !m.Policy.Has(s.Role) || seenRole[s.Role] || seenBy[s.By] || s.By == m.Payee || s.By.IsZero() {
			return fail("sign-off by %s for %s: not a distinct role of the policy by a distinct account other than the payee", s.By, s.Role)
		}
		seenRole[s.Role], seenBy[s.By] = true, true
	}
	n := uint32(len(m.SignOffs))
	switch m.Status {
	case MilestonePlanned:
		if n != 0 || m.Dispute != nil || m.WindowEnds != 0 || m.ClaimedHeight != 0 {
			return fail("planned with %d sign-offs, dispute %v, window end %d, claimed at %d", n, m.Dispute, m.WindowEnds, m.ClaimedHeight)
		}
	case MilestoneClaimed:
		if n >= m.Policy.Min || m.Claims == 0 || m.Dispute != nil || m.WindowEnds != 0 {
			return fail("claimed (%d claims) with %d of %d sign-offs, dispute %v, window end %d", m.Claims, n, m.Policy.Min, m.Dispute, m.WindowEnds)
		}
	case MilestoneSignedOff, MilestoneAwaitingFunds, MilestoneDisputed:
		if n != m.Policy.Min || m.Claims == 0 || m.SignedOffTime <= 0 || m.WindowEnds != m.SignedOffTime+m.Window {
			return fail("%s with %d of %d sign-offs, signed off at %d, window end %d", m.Status, n, m.Policy.Min, m.SignedOffTime, m.WindowEnds)
		}
	}
	if m.Status == MilestoneDisputed && m.Dispute == nil || !Final(m.Status) && m.Status != MilestoneDisputed && m.Dispute != nil {
		return fail("%s with dispute %v", m.Status, m.Dispute)
	}
	if m.Status == MilestoneAwaitingFunds && m.Funded {
		return fail("awaiting funds but funded")
	}
	if m.Late != (m.LateHeight > 0) {
		return fail("late %v at height %d", m.Late, m.LateHeight)
	}
	return nil
}

// InitGenesis loads the state, checking every record and rebuilding the indexes.
func (m *Module) InitGenesis(ctx chain.Context, raw json.RawMessage) error {
	k := m.Keeper
	g := DefaultGenesis() // absent fields keep their defaults (params)
	if err := chain.DecodeGenesis(raw, &g); err != nil {
		return fmt.Errorf("projects genesis: %w", err)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("projects genesis: "+format, args...)
	}
	if err := g.Params.Validate(); err != nil {
		return fail("%v", err)
	}
	k.setParams(ctx, g.Params)
	projects := map[string]*Project{}
	for i := range g.Projects {
		p := &g.Projects[i]
		if err := checkProject(p); err != nil {
			return fail("%v", err)
		}
		if projects[p.ID] != nil {
			return fail("project %s given twice", p.ID)
		}
		if k.reserved[p.Creator] {
			return fail("project %s: creator %s is a module account", p.ID, p.Creator)
		}
		projects[p.ID] = p
		k.putProject(ctx, p)
		k.st(ctx).Set(treasuryKey(p.Treasury), []byte(p.ID))
		if p.Security != "" {
			if other, _, taken := k.ProjectOfSecurity(ctx, p.Security); taken {
				return fail("security token %s linked to projects %s and %s", p.Security, other, p.ID)
			}
			k.st(ctx).Set(securityKey(p.Security), []byte(p.ID))
		}
	}
	known := func(what, id string) error {
		if projects[id] == nil {
			return fail("%s of unknown project %q", what, id)
		}
		return nil
	}
	holders := map[string]int{}
	for _, s := range g.Stakeholders {
		if err := known("stakeholder "+s.Account.String(), s.Project); err != nil {
			return err
		}
		if !ValidRole(s.Role) || s.Account.IsZero() || s.AddedBy.IsZero() || k.badAccount(ctx, projects[s.Project], s.Account, "stakeholder") != nil {
			return fail("stakeholder %s of project %s as %q: a project role of a user account, added by someone", s.Account, s.Project, s.Role)
		}
		if k.Holds(ctx, s.Project, s.Account, s.Role) {
			return fail("stakeholder %s of project %s as %s given twice", s.Account, s.Project, s.Role)
		}
		if holders[s.Project]++; holders[s.Project] > MaxStakeholders {
			return fail("project %s has more than %d stakeholder roles", s.Project, MaxStakeholders)
		}
		k.set(ctx, stakeKey(s.Project, s.Account, s.Role), &s)
	}
	for _, p := range g.Projects {
		if _, n := k.holders(ctx, p.ID, RolePublicAgency); n == 0 {
			return fail("project %s has no public_agency stakeholder", p.ID)
		}
	}
	for _, d := range g.Documents {
		if err := known("document "+d.Name, d.Project); err != nil {
			return err
		}
		if err := checkDocument(&d); err != nil {
			return fail("%v", err)
		}
		if d.By.IsZero() || d.Version == 0 || d.Version > MaxDocVersions {
			return fail("document %q of project %s, version %d: removed %v with uri %q, by %s", d.Name, d.Project, d.Version, d.Removed, d.URI, d.By)
		}
		cur, _ := k.currentDoc(ctx, d.Project, d.Name)
		if d.Version != cur.Version+1 {
			return fail("document %q of project %s: version %d follows version %d (versions run from 1, in order)", d.Name, d.Project, d.Version, cur.Version)
		}
		if d.Version == 1 && d.Removed {
			return fail("document %q of project %s: version 1 is a removal", d.Name, d.Project)
		}
		k.set(ctx, docKey(d.Project, d.Name, d.Version), &d)
		k.set(ctx, docCurKey(d.Project, d.Name), d.Version)
	}
	for _, p := range g.Projects {
		if n := len(k.Documents(ctx, p.ID)); n > MaxDocuments {
			return fail("project %s has %d documents, at most %d", p.ID, n, MaxDocuments)
		}
	}
	for _, prm := range g.Parameters {
		if err := known("parameter "+prm.Name, prm.Project); err != nil {
			return err
		}
		if err := checkParamRecord(&prm); err != nil {
			return fail("%v", err)
		}
		cur, exists := k.Parameter(ctx, prm.Project, prm.Name)
		if prm.Version != cur.Version+1 || prm.Version > MaxParamVersions {
			return fail("parameter %s of project %s: version %d follows version %d (versions run from 1, in order)", prm.Name, prm.Project, prm.Version, cur.Version)
		}
		if cur.Protected && !prm.Protected {
			return fail("parameter %s of project %s: version %d is not protected but version %d was (a protected parameter stays protected)", prm.Name, prm.Project, prm.Version, cur.Version)
		}
		if !exists && k.countParameters(ctx, prm.Project) >= MaxParameters {
			return fail("project %s has more than %d parameters", prm.Project, MaxParameters)
		}
		k.set(ctx, paramKey(prm.Project, prm.Name, prm.Version), &prm)
		k.set(ctx, paramCurKey(prm.Project, prm.Name), prm.Version)
	}
	for i := range g.Milestones {
		ms := &g.Milestones[i]
		if err := known("milestone "+ms.ID, ms.Project); err != nil {
			return err
		}
		if err := checkMilestone(ms); err != nil {
			return fail("%v", err)
		}
		if err := k.badAccount(ctx, projects[ms.Project], ms.Payee, "payee"); err != nil {
			return fail("milestone %s of project %s: %v", ms.ID, ms.Project, err)
		}
		if _, dup := k.Milestone(ctx, ms.Project, ms.ID); dup {
			return fail("milestone %s of project %s given twice", ms.ID, ms.Project)
		}
		if k.countMilestones(ctx, ms.Project) >= MaxMilestones {
			return fail("project %s has more than %d milestones", ms.Project, MaxMilestones)
		}
		k.putMilestone(ctx, ms)
		k.indexMilestone(ctx, ms)
		for _, c := range []struct {
			ok    bool
			field func(t *Totals) *coin.Amount
			n     coin.Amount
		}{
			{ms.Funded, func(t *Totals) *coin.Amount { return &t.Funded }, ms.Tranche.Amount},
			{ms.Released != 0, func(t *Totals) *coin.Amount { return &t.Released }, ms.Released},
			{ms.Returned != 0, func(t *Totals) *coin.Amount { return &t.Returned }, ms.Returned},
		} {
			if c.ok {
				if err := k.addTotals(ctx, coin.New(ms.Tranche.Denom, c.n), c.field); err != nil {
					return fail("the tranches of %s overflow", ms.Tranche.Denom)
				}
			}
		}
	}
	chains := map[string]*Project{}
	for _, p := range g.Projects {
		chains[p.ID] = &Project{ID: p.ID}
	}
	for _, e := range g.Entries {
		if err := known("entry "+chain.Uint(e.ID), e.Project); err != nil {
			return err
		}
		c := chains[e.Project]
		if err := k.checkEntry(ctx, &e, c); err != nil {
			return fail("%v", err)
		}
		k.set(ctx, entryKey(e.Project, e.ID), &e)
		if e.Amends != 0 {
			k.st(ctx).Set(amendKey(e.Project, e.Amends, e.ID), marker)
		}
	}
	for _, v := range g.Attestations {
		if err := known("attestation", v.Project); err != nil {
			return err
		}
		if err := k.checkAttestation(ctx, &v); err != nil {
			return fail("%v", err)
		}
		if k.st(ctx).Has(attestKey(v.Project, v.Entry, v.By)) {
			return fail("%s's verdict on entry %d of project %s given twice", v.By, v.Entry, v.Project)
		}
		k.set(ctx, attestKey(v.Project, v.Entry, v.By), &v)
	}
	for _, r := range g.Timeline {
		if err := known("timeline record", r.Project); err != nil {
			return err
		}
		if err := checkRecord(&r, chains[r.Project]); err != nil {
			return fail("%v", err)
		}
		k.set(ctx, timelineKey(r.Project, r.Seq), &r)
	}
	for _, p := range g.Projects {
		c := chains[p.ID]
		if c.Entries != p.Entries || c.LedgerHash != p.LedgerHash || c.Timeline != p.Timeline || c.TimelineHash != p.TimelineHash {
			return fail("project %s: %d entries hash to %s and %d timeline records to %s; the project says %d, %s and %d, %s", p.ID,
				c.Entries, c.LedgerHash, c.Timeline, c.TimelineHash, p.Entries, p.LedgerHash, p.Timeline, p.TimelineHash)
		}
	}
	pending := map[string]int{}
	for _, c := range g.Changes {
		if err := known("stakeholder change "+chain.Uint(c.ID), c.Project); err != nil {
			return err
		}
		if c.ID == 0 || c.ID > g.ChangeSequence {
			return fail("stakeholder change %d: ids run from 1 to change_sequence (%d)", c.ID, g.ChangeSequence)
		}
		if err := checkChange(&c); err != nil {
			return fail("%v", err)
		}
		if _, dup := k.Change(ctx, c.ID); dup {
			return fail("stakeholder change %d given twice", c.ID)
		}
		if pending[c.Project]++; pending[c.Project] > MaxPendingChanges {
			return fail("project %s has more than %d pending stakeholder changes", c.Project, MaxPendingChanges)
		}
		k.set(ctx, changeKey(c.ID), &c)
		k.st(ctx).Set(changeOfKey(c.Project, c.ID), marker)
		k.st(ctx).Set(changeExpKey(c.Expires, c.ID), marker)
	}
	if g.ChangeSequence > 0 {
		k.set(ctx, keyChangeSeq, g.ChangeSequence)
	}
	return nil
}

// indexMilestone adds ms to the time indexes its status puts it in.
func (k Keeper) indexMilestone(ctx chain.Context, ms *Milestone) {
	if ms.Status == MilestoneSignedOff {
		k.st(ctx).Set(releaseKey(ms.WindowEnds, ms.Project, ms.ID), marker)
	}
	if watchesDue(ms.Status) && !ms.Late {
		k.st(ctx).Set(lateKey(ms.Due, ms.Project, ms.ID), marker)
	}
}

// checkEntry checks that e is the next entry of the chain c (a project's entries so far: their
// count and last hash) and advances c.
func (k Keeper) checkEntry(ctx chain.Context, e *Entry, c *Project) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("entry %d of project %s: "+format, append([]any{e.ID, e.Project}, args...)...)
	}
	if e.ID != c.Entries+1 {
		return fail("follows entry %d (ids run from 1, in order)", c.Entries)
	}
	msg := MsgPostReport{Author: e.Author, Project: e.Project, Milestone: e.Milestone, Percent: e.Percent, Summary: e.Summary, Documents: e.Documents, Amends: e.Amends}
	if err := msg.Validate(); err != nil {
		return fail("%v", err)
	}
	if len(e.Roles) == 0 || e.Height < 0 {
		return fail("no author roles, or height %d", e.Height)
	}
	for _, r := range e.Roles {
		if !ValidRole(r) {
			return fail("author role %q", r)
		}
	}
	if e.Milestone != "" {
		if _, ok := k.Milestone(ctx, e.Project, e.Milestone); !ok {
			return fail("unknown milestone %q", e.Milestone)
		}
	}
	if e.Amends != 0 {
		old, ok := k.Entry(ctx, e.Project, e.Amends)
		if !ok || e.Amends >= e.ID || old.Author != e.Author {
			return fail("amends entry %d, which is not an earlier entry of its author", e.Amends)
		}
	}
	if want := entryHash(c.LedgerHash, *e); e.Hash != want {
		return fail("hash %s, the chain gives %s: the entry or one before it was changed", e.Hash, want)
	}
	c.Entries, c.LedgerHash = e.ID, e.Hash
	return nil
}

// checkAttestation checks a verdict on an entry against the entry.
func (k Keeper) checkAttestation(ctx chain.Context, v *Attestation) error {
	e, ok := k.Entry(ctx, v.Project, v.Entry)
	switch {
	case !ok:
		return fmt.Errorf("%s's verdict on unknown entry %d of project %s", v.By, v.Entry, v.Project)
	case v.By.IsZero() || v.By == e.Author:
		return fmt.Errorf("verdict on entry %d of project %s by its author or the zero address", v.Entry, v.Project)
	case v.Kind != KindAttest && v.Kind != KindDispute:
		return fmt.Errorf("verdict on entry %d of project %s: kind %q", v.Entry, v.Project, v.Kind)
	case len(v.Roles) == 0:
		return fmt.Errorf("verdict on entry %d of project %s: no roles", v.Entry, v.Project)
	}
	if err := validText("reason", v.Reason, MaxReasonLen, v.Kind == KindDispute); err != nil {
		return fmt.Errorf("verdict on entry %d of project %s: %v", v.Entry, v.Project, err)
	}
	return nil
}

// checkRecord checks that r is the next record of the timeline chain c and advances c.
func checkRecord(r *TimelineRecord, c *Project) error {
	if r.Seq != c.Timeline+1 {
		return fmt.Errorf("timeline record %d of project %s follows record %d (seqs run from 1, in order)", r.Seq, r.Project, c.Timeline)
	}
	if r.Kind == "" || r.Height < 0 {
		return fmt.Errorf("timeline record %d of project %s: kind %q, height %d", r.Seq, r.Project, r.Kind, r.Height)
	}
	if want := recordHash(c.TimelineHash, *r); r.Hash != want {
		return fmt.Errorf("timeline record %d of project %s: hash %s, the chain gives %s: the record or one before it was changed", r.Seq, r.Project, r.Hash, want)
	}
	c.Timeline, c.TimelineHash = r.Seq, r.Hash
	return nil
}

// checkDocument checks a document version without reading state: a removal keeps the hash of
// the version it removes and has no URI.
func checkDocument(d *Document) error {
	if !d.Removed {
		if err := validNamedDocument(NamedDocument{Name: d.Name, URI: d.URI, Hash: d.Hash}); err != nil {
			return fmt.Errorf("document %q of project %s: %v", d.Name, d.Project, err)
		}
		return nil
	}
	if err := validDocName(d.Name); err != nil {
		return fmt.Errorf("document %q of project %s: %v", d.Name, d.Project, err)
	}
	if d.URI != "" || d.Hash.IsZero() {
		return fmt.Errorf("document %q of project %s, version %d: a removal with uri %q or no hash", d.Name, d.Project, d.Version, d.URI)
	}
	return nil
}

// checkParamRecord checks a parameter version without reading state.
func checkParamRecord(prm *Parameter) error {
	m := MsgSetParameter{Authority: prm.By, Project: prm.Project, Name: prm.Name, Value: prm.Value, Protected: prm.Protected}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("parameter %q of project %s, version %d: %v", prm.Name, prm.Project, prm.Version, err)
	}
	if prm.Version == 0 || prm.Height < 0 || prm.Time < 0 {
		return fmt.Errorf("parameter %s of project %s: version %d at height %d, time %d", prm.Name, prm.Project, prm.Version, prm.Height, prm.Time)
	}
	return nil
}

// checkChange checks a pending stakeholder change without reading state.
func checkChange(c *StakeholderChange) error {
	m := MsgProposeStakeholderChange{Proposer: c.ProposedBy, Project: c.Project, Action: c.Action, Account: c.Account, Role: c.Role, Reason: c.Reason}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("stakeholder change %d: %v", c.ID, err)
	}
	switch {
	case c.Agency == nil && c.SPV == nil:
		return fmt.Errorf("stakeholder change %d has no approval (the proposer's counts)", c.ID)
	case c.Agency != nil && c.SPV != nil:
		return fmt.Errorf("stakeholder change %d has both approvals: it would have applied", c.ID)
	case c.Expires <= c.Time || c.Expires > MaxTime:
		return fmt.Errorf("stakeholder change %d: proposed at %d, expires at %d", c.ID, c.Time, c.Expires)
	}
	return nil
}

// ExportGenesis writes the module's state in key order.
func (m *Module) ExportGenesis(ctx chain.Context) (json.RawMessage, error) {
	k := m.Keeper
	st := k.st(ctx)
	g := Genesis{
		Params:         k.Params(ctx),
		Projects:       store.Records[Project](st, keyProject),
		Stakeholders:   store.Records[Stakeholder](st, keyStake),
		Documents:      store.Records[Document](st, keyDoc),
		Changes:        store.Records[StakeholderChange](st, keyChange),
		ChangeSequence: k.ChangeSequence(ctx),
		Entries:        store.Records[Entry](st, keyEntry),
		Attestations:   store.Records[Attestation](st, keyAttest),
		Timeline:       store.Records[TimelineRecord](st, keyTimeline),
		Milestones:     store.Records[Milestone](st, keyMilestone),
		Parameters:     store.Records[Parameter](st, keyParam),
	}
	return json.Marshal(g)
}
