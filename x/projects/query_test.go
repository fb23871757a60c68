package projects_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/x/projects"
)

func (e *env) query(path, data string) (any, error) {
	return e.m.Query(e.ctx, strings.Split(path, "/"), []byte(data))
}

func TestQueries(t *testing.T) {
	e := busyEnv(t)
	p := e.project()
	ok := func(path, data string) any {
		t.Helper()
		v, err := e.query(path, data)
		if err != nil {
			t.Fatalf("%s %s: %v", path, data, err)
		}
		if _, err := json.Marshal(v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return v
	}
	if v := ok("params", "").(projects.Params); v.PerBlock != projects.DefaultPerBlock {
		t.Fatalf("params %+v", v)
	}
	esc := ok("escrow", "").(projects.EscrowInfo)
	if esc.Account != escrow || len(esc.Balances) != 1 || esc.Balances[0].Amount != 2_500_300 || len(esc.Totals) != 1 {
		t.Fatalf("escrow %+v", esc)
	}
	if l := ok("projects", "").(projects.ProjectList); len(l.Projects) != 2 || l.Next != "" {
		t.Fatalf("projects %+v", l)
	}
	if l := ok("projects", "limit=1").(projects.ProjectList); len(l.Projects) != 1 || l.Next != bridge {
		t.Fatalf("page %+v", l)
	} else if l2 := ok("projects", "after="+l.Next).(projects.ProjectList); len(l2.Projects) != 1 || l2.Projects[0].ID != "old-tunnel" {
		t.Fatalf("page 2 %+v", l2)
	}
	if l := ok("projects", "sector=tunnel").(projects.ProjectList); len(l.Projects) != 1 || l.Projects[0].Sector != projects.SectorTunnel {
		t.Fatalf("tunnels %+v", l)
	}
	info := ok("project/"+bridge, "").(projects.ProjectInfo)
	if info.ID != bridge || len(info.Stakeholders) != 8 || info.Balances[0].Amount != e.bal(p.Treasury, cash) || info.Escrowed[0].Amount != 2_500_000 ||
		info.Milestones != 7 || info.PendingChanges != 1 {
		t.Fatalf("project %+v", info)
	}
	if d := ok("documents/"+bridge, "").([]projects.Document); len(d) != 1 {
		t.Fatalf("documents %+v", d)
	}
	if d := ok("document-history/"+bridge, "").([]projects.Document); len(d) != 4 {
		t.Fatalf("history %+v", d)
	}
	if s := ok("stakeholders/old-tunnel", "").([]projects.Stakeholder); len(s) != 3 {
		t.Fatalf("stakeholders %+v", s)
	}
	if c := ok("changes/"+bridge, "").([]projects.StakeholderChange); len(c) != 1 || c[0].ID != 1 {
		t.Fatalf("changes %+v", c)
	}
	if c := ok("change/"+bridge+"/1", "").(projects.StakeholderChange); c.Account != region {
		t.Fatalf("change %+v", c)
	}
	if tl := ok("timeline/"+bridge, "after=2&limit=2").(projects.TimelineList); len(tl.Records) != 2 || tl.Records[0].Seq != 3 || tl.Next != 4 {
		t.Fatalf("timeline %+v", tl)
	}
	if en := ok("entries/"+bridge, "").(projects.EntryList); len(en.Entries) != 2 || en.Next != 0 {
		t.Fatalf("entries %+v", en)
	}
	if ei := ok("entry/"+bridge+"/1", "").(projects.EntryInfo); ei.Disputed != 1 || ei.AmendedBy[0] != 2 {
		t.Fatalf("entry %+v", ei)
	}
	if ms := ok("milestones/"+bridge, "status=released").([]projects.Milestone); len(ms) != 1 || ms[0].ID != "released" {
		t.Fatalf("milestones %+v", ms)
	}
	if m := ok("milestone/"+bridge+"/disputed", "").(projects.Milestone); m.Dispute == nil || m.Dispute.By != lender {
		t.Fatalf("milestone %+v", m)
	}
	for _, c := range []struct {
		path, data string
		want       error
	}{
		{"project/nowhere", "", projects.ErrUnknownProject},
		{"project/X", "", chain.ErrBadQuery},
		{"projects", "sector=airport", chain.ErrBadQuery},
		{"projects", "after=A", chain.ErrBadQuery},
		{"projects", "limit=501", chain.ErrBadQuery},
		{"projects", "owner=x", chain.ErrBadQuery},
		{"change/" + bridge + "/2", "", projects.ErrUnknownChange},
		{"change/old-tunnel/1", "", projects.ErrUnknownChange},
		{"change/" + bridge + "/0", "", chain.ErrBadQuery},
		{"entry/" + bridge + "/3", "", projects.ErrUnknownEntry},
		{"timeline/" + bridge, "after=x", chain.ErrBadQuery},
		{"milestones/" + bridge, "status=paid", chain.ErrBadQuery},
		{"milestones/" + bridge, "limit=5", chain.ErrBadQuery},
		{"milestone/" + bridge + "/nope", "", projects.ErrUnknownMilestone},
		{"milestone/" + bridge + "/No", "", chain.ErrBadQuery},
		{"bogus/" + bridge, "", chain.ErrBadQuery},
		{"", "", chain.ErrBadQuery},
	} {
		if _, err := e.query(c.path, c.data); !errors.Is(err, c.want) {
			t.Errorf("%s %s: got %v, want %v", c.path, c.data, err, c.want)
		}
	}
}

// TestQueryRoutes checks that every REST route names a module query that answers, and that the
// routes can be served together (no two patterns conflict).
func TestQueryRoutes(t *testing.T) {
	e := busyEnv(t)
	mux := http.NewServeMux()
	subst := map[string]string{"{id}": bridge, "{change}": "1", "{entry}": "1", "{milestone}": "window", "{parameter}": "tariff_cap"}
	for _, r := range e.m.QueryRoutes() {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("route %s conflicts: %v", r.Path, p)
				}
			}()
			mux.HandleFunc("GET /v1"+r.Path, func(http.ResponseWriter, *http.Request) {})
		}()
		q := r.Query
		for k, v := range subst {
			q = strings.ReplaceAll(q, k, v)
		}
		if !strings.HasPrefix(q, "/projects/") {
			t.Fatalf("route %s queries %s", r.Path, r.Query)
		}
		if _, err := e.query(strings.TrimPrefix(q, "/projects/"), ""); err != nil {
			t.Errorf("route %s (%s): %v", r.Path, q, err)
		}
	}
	// The reserved ids are the fixed routes under /projects.
	for _, id := range []string{"params", "escrow"} {
		if err := projects.ValidProjectID(id); err == nil {
			t.Errorf("project id %q is allowed but is a route", id)
		}
	}
}
