package passes

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/projects"
)

// ClassInfo is a class with its validity window (when known: a from_opening class waits for the
// service opening) and how many passes are left to sell.
type ClassInfo struct {
	Class
	ValidFrom  int64  `json:"valid_from,omitempty"`
	ValidUntil int64  `json:"valid_until,omitempty"`
	Remaining  uint64 `json:"remaining"` // passes left to sell (cap − sold; 0 when not on sale)
}

func (k Keeper) classInfo(ctx chain.Context, c Class) ClassInfo {
	info := ClassInfo{Class: c}
	if from, until, known := k.window(ctx, c); known {
		info.ValidFrom, info.ValidUntil = from, until
	}
	if c.Status == ClassOnSale {
		info.Remaining = c.Cap() - c.Sold
	}
	return info
}

// ClassList answers a classes query: a project's classes and its service.
type ClassList struct {
	Project string      `json:"project"`
	Service Service     `json:"service"`
	Classes []ClassInfo `json:"classes"`
}

// PassInfo is a pass with what a gate needs to check it offline: its project, when it is usable
// (its class's validity window, from the service opening for a class with a promised opening;
// not known, 0, before the opening) and whether it is valid at Time (the block time).
type PassInfo struct {
	Pass
	Project    string `json:"project"`
	ClassName  string `json:"class_name"`
	Uses       uint32 `json:"class_uses"` // 0: unlimited
	ValidFrom  int64  `json:"valid_from,omitempty"`
	ValidUntil int64  `json:"valid_until,omitempty"`
	Time       int64  `json:"time"`
	ValidNow   bool   `json:"valid_now"`
}

// PassInfo answers the pass query for p.
func (k Keeper) PassInfo(ctx chain.Context, p Pass) PassInfo {
	info := PassInfo{Pass: p, Time: ctx.Time.Unix()}
	c, ok := k.Class(ctx, p.Class)
	if !ok {
		return info
	}
	info.Project, info.ClassName, info.Uses = c.Project, c.Name, c.Uses
	if from, until, known := c.usable(k.Service(ctx, c.Project).Opened); known {
		info.ValidFrom, info.ValidUntil = from, until
		info.ValidNow = p.Status == PassActive && info.Time >= from && info.Time <= until
	}
	return info
}

// PassList is a page of passes in id order; Next, when not 0, is the "after" of the next page.
type PassList struct {
	Passes []PassInfo `json:"passes"`
	Next   uint64     `json:"next,omitempty"`
}

// pageOf lists the passes indexed under prefix (keys prefix<pass8>) after after, at most limit,
// of status when given.
func (k Keeper) pageOf(ctx chain.Context, prefix []byte, after uint64, limit int, status string) PassList {
	out := PassList{Passes: []PassInfo{}}
	if after == ^uint64(0) {
		return out
	}
	it := k.st(ctx).Iterator(store.Key(prefix, store.Uint64Key(after+1)), store.PrefixEnd(prefix))
	defer it.Close()
	scanned := 0
	for ; it.Valid(); it.Next() {
		id := binary.BigEndian.Uint64(it.Key()[len(prefix):])
		if len(out.Passes) == limit || scanned == maxScan {
			out.Next = id - 1
			break
		}
		scanned++
		p, ok := k.Pass(ctx, id)
		if ok && (status == "" || p.Status == status) {
			out.Passes = append(out.Passes, k.PassInfo(ctx, p))
		}
	}
	return out
}

const maxScan = 10_000 // records one list query looks at

// HolderPasses lists a page of a's passes.
func (k Keeper) HolderPasses(ctx chain.Context, a address.Address, after uint64, limit int, status string) PassList {
	return k.pageOf(ctx, store.Key(keyHolder, a[:]), after, limit, status)
}

// ClassPasses lists a page of a class's passes.
func (k Keeper) ClassPasses(ctx chain.Context, class uint64, after uint64, limit int, status string) PassList {
	return k.pageOf(ctx, store.Key(keyOfClass, store.Uint64Key(class)), after, limit, status)
}

// RevenueInfo answers a revenue query: a project's pass revenue per cash denom (sold, deferred,
// earned, refunded) and its treasury, where earned revenue is paid.
type RevenueInfo struct {
	Project  string          `json:"project"`
	Treasury address.Address `json:"treasury"`
	Revenue  []Revenue       `json:"revenue"`
}

var passStatuses = []string{PassActive, PassUsedUp, PassExpired, PassRefunded}

func (k Keeper) queryProject(ctx chain.Context, id string) error {
	if err := projects.ValidProjectID(id); err != nil {
		return chain.ErrBadQuery.Wrapf("%s", strings.TrimPrefix(err.Error(), projects.ErrInvalidMsg.Desc+": "))
	}
	if _, ok := k.projects.Project(ctx, id); !ok {
		return ErrUnknownProject.Wrapf("no project %q", id)
	}
	return nil
}

func pageFilters(data []byte) (chain.Filters, uint64, string, error) {
	f, err := chain.ParseFilters(data, defaultPageSize, maxPageSize, "after", "limit", "status")
	if err != nil {
		return f, 0, "", err
	}
	after, err := f.AfterID()
	if err != nil {
		return f, 0, "", err
	}
	status := f.Get("status")
	if status != "" && !slices.Contains(passStatuses, status) {
		return f, 0, "", chain.ErrBadQuery.Wrapf("status %q: want one of %s", status, strings.Join(passStatuses, ", "))
	}
	return f, after, status, nil
}

// Query answers, at the latest block time:
//
//	classes/<project>    a project's classes (with validity windows) and its service
//	class/<id>           one class
//	class-passes/<id>    a page of a class's passes (data: after, limit, status)
//	pass/<id>            one pass with its validity window and whether it is valid now
//	holder/<address>     a page of an account's passes (data: after, limit, status)
//	revenue/<project>    a project's pass revenue per cash denom
//	service/<project>    a project's service (opened 0: not yet)
func (m *Module) Query(ctx chain.Context, path []string, data []byte) (any, error) {
	k := m.Keeper
	ctx = m.at(ctx)
	if len(path) != 2 {
		return nil, chain.ErrBadQuery.Wrapf("unknown passes query %v", path)
	}
	switch path[0] {
	case "classes", "revenue", "service":
		if err := k.queryProject(ctx, path[1]); err != nil {
			return nil, err
		}
		switch path[0] {
		case "classes":
			out := ClassList{Project: path[1], Service: k.Service(ctx, path[1]), Classes: []ClassInfo{}}
			for _, c := range k.Classes(ctx, path[1]) {
				out.Classes = append(out.Classes, k.classInfo(ctx, c))
			}
			return out, nil
		case "revenue":
			return RevenueInfo{Project: path[1], Treasury: projects.Treasury(path[1]), Revenue: k.Revenues(ctx, path[1])}, nil
		default:
			return k.Service(ctx, path[1]), nil
		}
	case "class", "class-passes":
		id, err := chain.ParseID(path[1], "class")
		if err != nil {
			return nil, err
		}
		c, err := k.class(ctx, id)
		if err != nil {
			return nil, err
		}
		if path[0] == "class" {
			return k.classInfo(ctx, c), nil
		}
		f, after, status, err := pageFilters(data)
		if err != nil {
			return nil, err
		}
		return k.ClassPasses(ctx, id, after, f.Limit, status), nil
	case "pass":
		id, err := chain.ParseID(path[1], "pass")
		if err != nil {
			return nil, err
		}
		p, err := k.pass(ctx, id)
		if err != nil {
			return nil, err
		}
		return k.PassInfo(ctx, p), nil
	case "holder":
		a, err := address.Parse(path[1])
		if err != nil {
			return nil, chain.ErrBadQuery.Wrap(err)
		}
		f, after, status, err := pageFilters(data)
		if err != nil {
			return nil, err
		}
		return k.HolderPasses(ctx, a, after, f.Limit, status), nil
	}
	return nil, chain.ErrBadQuery.Wrapf("unknown passes query %v", path)
}

var pageParams = []chain.QueryParam{
	{Name: "after", Description: "page: passes after this id (the previous page's next)"},
	{Name: "limit", Description: fmt.Sprintf("page size, 1 to %d (default %d)", maxPageSize, defaultPageSize)},
	{Name: "status", Description: "only passes of this status: " + strings.Join(passStatuses, ", ")},
}

// QueryRoutes publishes passes' queries on the REST API.
func (*Module) QueryRoutes() []chain.QueryRoute {
	return []chain.QueryRoute{
		{Path: "/passes/projects/{project}/classes", Query: "/passes/classes/{project}", Summary: "A project's pass classes (terms, sold, status, validity window) and its service opening", Response: ClassList{}},
		{Path: "/passes/projects/{project}/revenue", Query: "/passes/revenue/{project}", Summary: "A project's pass revenue per cash denom: sold, deferred, earned and refunded", Response: RevenueInfo{}},
		{Path: "/passes/projects/{project}/service", Query: "/passes/service/{project}", Summary: "A project's service: when it opened (0: not yet) and who recorded it", Response: Service{}},
		{Path: "/passes/classes/{id}", Query: "/passes/class/{id}", Summary: "One pass class: terms, sold, status, validity window", Response: ClassInfo{}},
		{Path: "/passes/classes/{id}/passes", Query: "/passes/class-passes/{id}", Summary: "A page of a class's passes (a gate's pass list): holder, uses left, validity", Response: PassList{}, Params: pageParams},
		{Path: "/passes/passes/{id}", Query: "/passes/pass/{id}", Summary: "One pass: holder, uses left, deferred revenue, status, validity window and whether it is valid now", Response: PassInfo{}},
		{Path: "/passes/holders/{address}", Query: "/passes/holder/{address}", Summary: "A page of an account's passes with uses left and validity", Response: PassList{}, Params: pageParams},
	}
}
