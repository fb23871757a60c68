package projects

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/store"
)

// Entry returns entry n of project id's ledger.
func (k Keeper) Entry(ctx chain.Context, id string, n uint64) (Entry, bool) {
	var e Entry
	ok := k.get(ctx, entryKey(id, n), &e)
	return e, ok
}

func (k Keeper) entry(ctx chain.Context, p *Project, n uint64) (Entry, error) {
	e, ok := k.Entry(ctx, p.ID, n)
	if !ok {
		return e, ErrUnknownEntry.Wrapf("project %s has %d ledger entries; no entry %d", p.ID, p.Entries, n)
	}
	return e, nil
}

// Attestations lists the attestations and disputes of entry n of project id, by account.
func (k Keeper) Attestations(ctx chain.Context, id string, n uint64) []Attestation {
	return store.Records[Attestation](k.st(ctx), store.Key(keyAttest, []byte(id), sep, store.Uint64Key(n)))
}

// Amendments lists the entries of project id that amend entry n, in order.
func (k Keeper) Amendments(ctx chain.Context, id string, n uint64) []uint64 {
	p := store.Key(keyAmend, []byte(id), sep, store.Uint64Key(n))
	it := k.st(ctx).Iterator(p, store.PrefixEnd(p))
	defer it.Close()
	out := []uint64{}
	for ; it.Valid(); it.Next() {
		out = append(out, beUint64(it.Key()[len(p):]))
	}
	return out
}

// PostReport appends a progress report to a project's ledger and returns its entry id.
func (k Keeper) PostReport(ctx chain.Context, m *MsgPostReport) (uint64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	p, err := k.project(ctx, m.Project)
	if err != nil {
		return 0, err
	}
	roles, err := k.stakeholder(ctx, &p, m.Author)
	if err != nil {
		return 0, err
	}
	if m.Milestone != "" {
		if _, err := k.milestone(ctx, &p, m.Milestone); err != nil {
			return 0, err
		}
	}
	if m.Amends != 0 {
		old, err := k.entry(ctx, &p, m.Amends)
		if err != nil {
			return 0, err
		}
		if old.Author != m.Author {
			return 0, ErrNotAuthor.Wrapf("entry %d of project %s is %s's: dispute it instead", old.ID, p.ID, old.Author)
		}
		if m.Milestone == "" { // a correction is about what it corrects unless it says otherwise
			m.Milestone = old.Milestone
		}
	}
	e := Entry{Project: p.ID, ID: p.Entries + 1, Author: m.Author, Roles: roles, Milestone: m.Milestone, Percent: m.Percent,
		Summary: m.Summary, Documents: m.Documents, Amends: m.Amends, Height: ctx.Height, Time: ctx.Time.Unix()}
	e.Hash = entryHash(p.LedgerHash, e)
	k.set(ctx, entryKey(p.ID, e.ID), &e)
	if e.Amends != 0 {
		k.st(ctx).Set(amendKey(p.ID, e.Amends, e.ID), marker)
	}
	p.Entries, p.LedgerHash = e.ID, e.Hash
	ev := chain.NewEvent("projects.report_posted", "project", p.ID, "entry", chain.Uint(e.ID), "by", m.Author.String(),
		"roles", joinAnd(roles), "percent", chain.Uint(uint64(e.Percent)), "hash", e.Hash.String())
	if e.Milestone != "" {
		ev.Attrs = append(ev.Attrs, chain.Attr{Key: "milestone", Value: e.Milestone, Index: true})
	}
	if e.Amends != 0 {
		ev.Attrs = append(ev.Attrs, chain.Attr{Key: "amends", Value: chain.Uint(e.Amends), Index: true})
	}
	ctx.Emit(ev)
	note := chain.Uint(uint64(e.Percent)) + "%"
	if e.Amends != 0 {
		note += ", amends entry " + chain.Uint(e.Amends)
	}
	k.record(ctx, &p, TimelineRecord{Kind: TLReport, By: by(m.Author), Roles: roles, Entry: e.ID, Milestone: e.Milestone, Note: note})
	return e.ID, nil
}

// Attest records a stakeholder's attestation of an entry.
func (k Keeper) Attest(ctx chain.Context, m *MsgAttest) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return k.verdict(ctx, m.Project, m.Entry, m.Attester, KindAttest, m.Note)
}

// Dispute records a stakeholder's dispute of an entry.
func (k Keeper) Dispute(ctx chain.Context, m *MsgDispute) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return k.verdict(ctx, m.Project, m.Entry, m.Disputer, KindDispute, m.Reason)
}

func (k Keeper) verdict(ctx chain.Context, id string, n uint64, a address.Address, kind, reason string) error {
	p, err := k.project(ctx, id)
	if err != nil {
		return err
	}
	e, err := k.entry(ctx, &p, n)
	if err != nil {
		return err
	}
	roles, err := k.stakeholder(ctx, &p, a)
	if err != nil {
		return err
	}
	if e.Author == a {
		return ErrOwnEntry.Wrapf("%s wrote entry %d of project %s: another stakeholder %ss it (a correction is a new entry that amends it)", a, n, p.ID, kind)
	}
	var prior Attestation
	if k.get(ctx, attestKey(p.ID, n, a), &prior) {
		return ErrAlreadyAttested.Wrapf("%s %s entry %d of project %s at height %d", a, pastTense(prior.Kind), n, p.ID, prior.Height)
	}
	v := Attestation{Project: p.ID, Entry: n, By: a, Roles: roles, Kind: kind, Reason: reason, Height: ctx.Height, Time: ctx.Time.Unix()}
	k.set(ctx, attestKey(p.ID, n, a), &v)
	typ, tl := "projects.attested", TLAttestation
	if kind == KindDispute {
		typ, tl = "projects.entry_disputed", TLDispute
	}
	ev := chain.NewEvent(typ, "project", p.ID, "entry", chain.Uint(n), "by", a.String(), "roles", joinAnd(roles))
	if reason != "" {
		ev.Attrs = append(ev.Attrs, chain.Attr{Key: "reason", Value: reason})
	}
	ctx.Emit(ev)
	k.record(ctx, &p, TimelineRecord{Kind: tl, By: by(a), Roles: roles, Entry: n, Milestone: e.Milestone, Note: reason})
	return nil
}

func pastTense(kind string) string {
	if kind == KindDispute {
		return "disputed"
	}
	return "attested"
}
