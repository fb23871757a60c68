package passes_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/x/passes"
)

func TestQueries(t *testing.T) {
	e, a, b, _, d := rich(t)
	q := func(path, data string) any {
		t.Helper()
		v, err := e.m.Query(e.ctx, strings.Split(path, "/"), []byte(data))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return v
	}
	cl := q("classes/"+bridge, "").(passes.ClassList)
	if len(cl.Classes) != 4 || cl.Service.Opened != at(6*day) || cl.Classes[0].ValidFrom != at(6*day) || cl.Classes[0].Remaining != 995 {
		t.Fatalf("classes %+v", cl)
	}
	if c := q("class/"+chain.Uint(d), "").(passes.ClassInfo); c.Status != passes.ClassLate || c.Remaining != 0 {
		t.Fatalf("class %+v", c)
	}
	page := q("class-passes/"+chain.Uint(a), "limit=2").(passes.PassList)
	if len(page.Passes) != 2 || page.Next != 2 {
		t.Fatalf("page %+v", page)
	}
	page = q("class-passes/"+chain.Uint(a), "after=2&limit=10").(passes.PassList)
	if len(page.Passes) != 3 || page.Next != 0 {
		t.Fatalf("second page %+v", page)
	}
	if l := q("class-passes/"+chain.Uint(b), "status=expired").(passes.PassList); len(l.Passes) != 2 {
		t.Fatalf("expired of B %+v", l)
	}
	bobs := q("holder/"+bob.String(), "status=active").(passes.PassList)
	for _, p := range bobs.Passes {
		if p.Holder != bob || !p.ValidNow || p.Project != bridge {
			t.Fatalf("bob's pass %+v", p)
		}
	}
	if len(bobs.Passes) != 3 { // two of A bought, one transferred from alice
		t.Fatalf("bob's active passes %+v", bobs.Passes)
	}
	if p := q("pass/1", "").(passes.PassInfo); p.Status != passes.PassUsedUp || p.ValidNow || p.UsesLeft != 0 || p.Uses != 10 {
		t.Fatalf("pass 1 %+v", p)
	}
	rev := q("revenue/"+bridge, "").(passes.RevenueInfo)
	if len(rev.Revenue) != 1 || rev.Treasury != treasury || rev.Revenue[0] != e.revenue() {
		t.Fatalf("revenue %+v", rev)
	}
	if s := q("service/"+bridge, "").(passes.Service); s.OpenedBy != ministry {
		t.Fatalf("service %+v", s)
	}
	for _, tc := range []struct {
		path, data string
		want       error
	}{
		{"pass/0", "", chain.ErrBadQuery},
		{"pass/99", "", passes.ErrUnknownPass},
		{"class/99", "", passes.ErrUnknownClass},
		{"classes/no-such", "", passes.ErrUnknownProject},
		{"classes/X", "", chain.ErrBadQuery},
		{"holder/nope", "", chain.ErrBadQuery},
		{"holder/" + bob.String(), "status=lost", chain.ErrBadQuery},
		{"holder/" + bob.String(), "limit=501", chain.ErrBadQuery},
		{"holder/" + bob.String(), "colour=red", chain.ErrBadQuery},
		{"passes", "", chain.ErrBadQuery},
	} {
		if _, err := e.m.Query(e.ctx, strings.Split(tc.path, "/"), []byte(tc.data)); !errors.Is(err, tc.want) {
			t.Errorf("%s %s: got %v, want %v", tc.path, tc.data, err, tc.want)
		}
	}
}

// TestQueryRoutes: every REST route names a module query that answers with its documented type.
func TestQueryRoutes(t *testing.T) {
	e, _, _, _, _ := rich(t)
	subst := map[string]string{"{project}": bridge, "{id}": "1", "{address}": bob.String()}
	for _, r := range e.m.QueryRoutes() {
		if !strings.HasPrefix(r.Path, "/passes/") || !strings.HasPrefix(r.Query, "/passes/") {
			t.Fatalf("route %s → %s", r.Path, r.Query)
		}
		path := r.Query
		for k, v := range subst {
			path = strings.ReplaceAll(path, k, v)
		}
		v, err := e.m.Query(e.ctx, strings.Split(strings.TrimPrefix(path, "/passes/"), "/"), nil)
		if err != nil {
			t.Fatalf("%s (%s): %v", r.Path, path, err)
		}
		if got, want := typeName(v), typeName(r.Response); got != want {
			t.Fatalf("%s answers %s, documented %s", r.Path, got, want)
		}
	}
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }
