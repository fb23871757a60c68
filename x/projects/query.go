package projects

import (
	"slices"
	"strings"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
)

const maxScan = 10_000 // records one list query looks at

// ProjectList is a page of projects in id order; Next, when not empty, is the "after" of the
// following page.
type ProjectList struct {
	Projects []Project `json:"projects"`
	Next     string    `json:"next,omitempty"`
}

// Projects lists projects in id order after after ("" from the first), of one sector when
// given, at most limit of them.
func (k Keeper) Projects(ctx chain.Context, sector, after string, limit int) ProjectList {
	out := ProjectList{Projects: []Project{}}
	start := keyProject
	if after != "" {
		start = store.Key(projectKey(after), sep) // the first key after p/<after>
	}
	it := k.st(ctx).Iterator(start, store.PrefixEnd(keyProject))
	defer it.Close()
	scanned, last := 0, ""
	for ; it.Valid(); it.Next() {
		if len(out.Projects) == limit || scanned == maxScan {
			out.Next = last
			return out
		}
		scanned++
		var p Project
		store.GetRecord(k.st(ctx), it.Key(), &p)
		last = p.ID
		if sector == "" || p.Sector == sector {
			out.Projects = append(out.Projects, p)
		}
	}
	return out
}

// ProjectInfo answers a project query: the project with its stakeholders, its treasury's
// balances, what the escrow holds for its milestones, and counts.
type ProjectInfo struct {
	Project
	DAO            *address.Address `json:"dao,omitempty"` // the DAO of its security token, when linked
	Stakeholders   []Stakeholder    `json:"stakeholders"`
	Balances       []coin.Coin      `json:"treasury_balances"`
	Escrowed       []coin.Coin      `json:"escrowed"` // funded tranches not released or returned
	Milestones     int              `json:"milestones"`
	PendingChanges int              `json:"pending_stakeholder_changes"`
}

// Info answers the project query for p.
func (k Keeper) Info(ctx chain.Context, p Project) ProjectInfo {
	info := ProjectInfo{Project: p, Stakeholders: k.Stakeholders(ctx, p.ID), Balances: k.bank.Balances(ctx, p.Treasury), Escrowed: []coin.Coin{}}
	ms := k.Milestones(ctx, p.ID)
	info.Milestones = len(ms)
	for _, m := range ms {
		if v := m.InEscrow(); v > 0 {
			info.Escrowed = addCoin(info.Escrowed, coin.New(m.Tranche.Denom, v))
		}
	}
	info.PendingChanges = len(k.Changes(ctx, p.ID))
	if dao, ok := p.DAO(); ok {
		info.DAO = &dao
	}
	return info
}

// ParameterInfo answers a parameter query: its current version and every version, oldest first.
type ParameterInfo struct {
	Parameter
	History []Parameter `json:"history"`
}

// addCoin adds c to a list sorted by denom (saturating: a sum of tranches that overflows is a
// broken state the invariants report).
func addCoin(list []coin.Coin, c coin.Coin) []coin.Coin {
	for i := range list {
		if list[i].Denom == c.Denom {
			if s, err := list[i].Amount.Add(c.Amount); err == nil {
				list[i].Amount = s
			}
			return list
		}
	}
	i := 0
	for i < len(list) && list[i].Denom < c.Denom {
		i++
	}
	list = append(list, coin.Coin{})
	copy(list[i+1:], list[i:])
	list[i] = c
	return list
}

// TimelineList is a page of a project's timeline; Next, when not 0, is the "after" of the
// following page.
type TimelineList struct {
	Records []TimelineRecord `json:"records"`
	Next    uint64           `json:"next,omitempty"`
}

// Timeline lists project p's timeline records after seq after, at most limit.
func (k Keeper) Timeline(ctx chain.Context, p *Project, after uint64, limit int) TimelineList {
	out := TimelineList{Records: []TimelineRecord{}}
	for seq := after + 1; seq > after && seq <= p.Timeline; seq++ {
		if len(out.Records) == limit {
			out.Next = seq - 1
			break
		}
		var r TimelineRecord
		if k.get(ctx, timelineKey(p.ID, seq), &r) {
			out.Records = append(out.Records, r)
		}
	}
	return out
}

// EntryList is a page of a project's ledger; Next, when not 0, is the "after" of the following
// page.
type EntryList struct {
	Entries []Entry `json:"entries"`
	Next    uint64  `json:"next,omitempty"`
}

// Entries lists project p's ledger entries after id after, at most limit.
func (k Keeper) Entries(ctx chain.Context, p *Project, after uint64, limit int) EntryList {
	out := EntryList{Entries: []Entry{}}
	for n := after + 1; n > after && n <= p.Entries; n++ {
		if len(out.Entries) == limit {
			out.Next = n - 1
			break
		}
		if e, ok := k.Entry(ctx, p.ID, n); ok {
			out.Entries = append(out.Entries, e)
		}
	}
	return out
}

// EntryInfo answers an entry query: the entry, its attestations and disputes (by account), how
// many of each, and the entries that amend it.
type EntryInfo struct {
	Entry
	Attestations []Attestation `json:"attestations"`
	Attested     int           `json:"attested"`
	Disputed     int           `json:"disputed"`
	AmendedBy    []uint64      `json:"amended_by"`
}

// EntryInfo answers the entry query for entry n of project id.
func (k Keeper) EntryInfo(ctx chain.Context, p *Project, n uint64) (EntryInfo, error) {
	e, err := k.entry(ctx, p, n)
	if err != nil {
		return EntryInfo{}, err
	}
	info := EntryInfo{Entry: e, Attestations: k.Attestations(ctx, p.ID, n), AmendedBy: k.Amendments(ctx, p.ID, n)}
	for _, v := range info.Attestations {
		if v.Kind == KindDispute {
			info.Disputed++
		} else {
			info.Attested++
		}
	}
	return info, nil
}

// EscrowInfo answers the escrow query: the escrow account, its balances and the flows through it.
type EscrowInfo struct {
	Account  address.Address `json:"account"`
	Balances []coin.Coin     `json:"balances"`
	Totals   []Totals        `json:"totals"`
}

func parsePage(data []byte) (chain.Filters, uint64, error) {
	f, err := chain.ParseFilters(data, defaultPageSize, maxPageSize, "after", "limit")
	if err != nil {
		return f, 0, err
	}
	after, err := f.AfterID()
	return f, after, err
}

// queryProject reads the project named in a query path.
func (k Keeper) queryProject(ctx chain.Context, id string) (Project, error) {
	if err := ValidProjectID(id); err != nil {
		return Project{}, chain.ErrBadQuery.Wrapf("%v", err)
	}
	return k.project(ctx, id)
}

// Query answers:
//
//	params                         the module's params
//	escrow                         the escrow account, its balances and the flows through it
//	projects                       projects in id order; data: sector, after (a project id), limit
//	project/<id>                   a project with stakeholders, treasury balances and escrowed tranches
//	documents/<id>                 a project's current documents
//	document-history/<id>          every version of every document of a project
//	stakeholders/<id>              a project's stakeholders
//	changes/<id>                   a project's pending stakeholder changes
//	change/<id>/<change>           one pending stakeholder change
//	timeline/<id>                  a project's timeline in order; data: after (a seq), limit
//	entries/<id>                   a project's ledger entries in order; data: after (an entry id), limit
//	entry/<id>/<entry>             one entry with its attestations, disputes and amendments
//	milestones/<id>                a project's milestones; data: status
//	milestone/<id>/<milestone>     one milestone
//	parameters/<id>                a project's parameters (the current version of each)
//	parameter/<id>/<name>          one parameter with every version
func (m *Module) Query(ctx chain.Context, path []string, data []byte) (any, error) {
	k := m.Keeper
	switch {
	case len(path) == 1 && path[0] == "params":
		return k.Params(ctx), nil
	case len(path) == 1 && path[0] == "escrow":
		return EscrowInfo{Account: EscrowAccount, Balances: k.bank.Balances(ctx, EscrowAccount), Totals: k.AllTotals(ctx)}, nil
	case len(path) == 1 && path[0] == "projects":
		f, err := chain.ParseFilters(data, defaultPageSize, maxPageSize, "sector", "after", "limit")
		if err != nil {
			return nil, err
		}
		if s := f.Get("sector"); s != "" && !slices.Contains(Sectors, s) {
			return nil, chain.ErrBadQuery.Wrapf("sector %q: want one of %s", s, strings.Join(Sectors, ", "))
		}
		after := f.Get("after")
		if after != "" {
			if err := validSlug("after", after, 1); err != nil {
				return nil, chain.ErrBadQuery.Wrapf("%v", err)
			}
		}
		return k.Projects(ctx, f.Get("sector"), after, f.Limit), nil
	case len(path) == 2:
		p, err := k.queryProject(ctx, path[1])
		if err != nil {
			return nil, err
		}
		switch path[0] {
		case "project":
			return k.Info(ctx, p), nil
		case "documents":
			return k.Documents(ctx, p.ID), nil
		case "document-history":
			return k.DocumentHistory(ctx, p.ID), nil
		case "stakeholders":
			return k.Stakeholders(ctx, p.ID), nil
		case "parameters":
			return k.Parameters(ctx, p.ID), nil
		case "changes":
			return k.Changes(ctx, p.ID), nil
		case "timeline", "entries":
			f, after, err := parsePage(data)
			if err != nil {
				return nil, err
			}
			if path[0] == "timeline" {
				return k.Timeline(ctx, &p, after, f.Limit), nil
			}
			return k.Entries(ctx, &p, after, f.Limit), nil
		case "milestones":
			f, err := chain.ParseFilters(data, defaultPageSize, maxPageSize, "status")
			if err != nil {
				return nil, err
			}
			status := f.Get("status")
			if status != "" && !slices.Contains(MilestoneStatuses, status) {
				return nil, chain.ErrBadQuery.Wrapf("status %q: want one of %s", status, strings.Join(MilestoneStatuses, ", "))
			}
			out := []Milestone{}
			for _, ms := range k.Milestones(ctx, p.ID) {
				if status == "" || ms.Status == status {
					out = append(out, ms)
				}
			}
			return out, nil
		}
	case len(path) == 3:
		p, err := k.queryProject(ctx, path[1])
		if err != nil {
			return nil, err
		}
		switch path[0] {
		case "change":
			n, err := chain.ParseID(path[2], "change")
			if err != nil {
				return nil, err
			}
			c, ok := k.Change(ctx, n)
			if !ok || c.Project != p.ID {
				return nil, ErrUnknownChange.Wrapf("project %s has no pending stakeholder change %d", p.ID, n)
			}
			return c, nil
		case "entry":
			n, err := chain.ParseID(path[2], "entry")
			if err != nil {
				return nil, err
			}
			return k.EntryInfo(ctx, &p, n)
		case "milestone":
			if err := ValidMilestoneID(path[2]); err != nil {
				return nil, chain.ErrBadQuery.Wrapf("%v", err)
			}
			return k.milestone(ctx, &p, path[2])
		case "parameter":
			if err := ValidParamName(path[2]); err != nil {
				return nil, chain.ErrBadQuery.Wrapf("%v", err)
			}
			prm, ok := k.Parameter(ctx, p.ID, path[2])
			if !ok {
				return nil, ErrUnknownParameter.Wrapf("project %s has no parameter %q", p.ID, path[2])
			}
			return ParameterInfo{Parameter: prm, History: k.ParameterHistory(ctx, p.ID, prm.Name)}, nil
		}
	}
	return nil, chain.ErrBadQuery.Wrapf("unknown projects query %v", path)
}

var pageParams = []chain.QueryParam{
	{Name: "after", Description: "page: records after this one (the previous page's next)"},
	{Name: "limit", Description: "page size, 1 to 500 (default 100)"},
}

// QueryRoutes publishes projects' queries on the REST API.
func (*Module) QueryRoutes() []chain.QueryRoute {
	return []chain.QueryRoute{
		{Path: "/projects", Query: "/projects/projects", Summary: "Projects in id order, filtered by sector", Response: ProjectList{},
			Params: []chain.QueryParam{
				{Name: "sector", Description: "only projects of this sector: " + strings.Join(Sectors, ", ")},
				{Name: "after", Description: "page: projects after this id (the previous page's next)"},
				{Name: "limit", Description: "page size, 1 to 500 (default 100)"},
			}},
		{Path: "/projects/params", Query: "/projects/params", Summary: "The projects module's params", Response: Params{}},
		{Path: "/projects/escrow", Query: "/projects/escrow", Summary: "The tranche escrow: its balances and the flows funded, released and returned", Response: EscrowInfo{}},
		{Path: "/projects/{id}", Query: "/projects/project/{id}", Summary: "A project: its terms, stakeholders, treasury balances and escrowed tranches", Response: ProjectInfo{}},
		{Path: "/projects/{id}/documents", Query: "/projects/documents/{id}", Summary: "A project's current documents", Response: []Document{}},
		{Path: "/projects/{id}/documents/history", Query: "/projects/document-history/{id}", Summary: "Every version of every document of a project", Response: []Document{}},
		{Path: "/projects/{id}/stakeholders", Query: "/projects/stakeholders/{id}", Summary: "A project's stakeholders and their roles", Response: []Stakeholder{}},
		{Path: "/projects/{id}/stakeholder-changes", Query: "/projects/changes/{id}", Summary: "A project's pending stakeholder changes", Response: []StakeholderChange{}},
		{Path: "/projects/{id}/stakeholder-changes/{change}", Query: "/projects/change/{id}/{change}", Summary: "One pending stakeholder change", Response: StakeholderChange{}},
		{Path: "/projects/{id}/timeline", Query: "/projects/timeline/{id}", Summary: "A project's timeline: every report, attestation, dispute, milestone and stakeholder event in order, with who, role, height and time", Response: TimelineList{}, Params: pageParams},
		{Path: "/projects/{id}/entries", Query: "/projects/entries/{id}", Summary: "A project's progress ledger in order", Response: EntryList{}, Params: pageParams},
		{Path: "/projects/{id}/entries/{entry}", Query: "/projects/entry/{id}/{entry}", Summary: "One ledger entry with its attestations, disputes and amendments", Response: EntryInfo{}},
		{Path: "/projects/{id}/milestones", Query: "/projects/milestones/{id}", Summary: "A project's milestones", Response: []Milestone{},
			Params: []chain.QueryParam{{Name: "status", Description: "only milestones with this status: " + strings.Join(MilestoneStatuses, ", ")}}},
		{Path: "/projects/{id}/milestones/{milestone}", Query: "/projects/milestone/{id}/{milestone}", Summary: "One milestone: tranche, payee, sign-off policy, claim, sign-offs, window, dispute, release", Response: Milestone{}},
		{Path: "/projects/{id}/parameters", Query: "/projects/parameters/{id}", Summary: "A project's parameters (tariff cap, concession term, …): the current value of each, protected or not", Response: []Parameter{}},
		{Path: "/projects/{id}/parameters/{parameter}", Query: "/projects/parameter/{id}/{parameter}", Summary: "One project parameter with every version: value, protected, who set it and when", Response: ParameterInfo{}},
	}
}
