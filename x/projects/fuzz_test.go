package projects_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain/chaintest"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/projects"
)

// ---- msgs ----

// fuzzMsgs are the seeds of FuzzDecodeMsg: one valid msg of each projects type, in route order.
func fuzzMsgs() []tx.Msg {
	doc := []projects.Attachment{{URI: "ipfs://x", Hash: hash("x")}}
	return []tx.Msg{
		func() tx.Msg { m := createMsg(projects.RuleAgencySPV); m.Security = ubridge; return m }(),
		&projects.MsgSetDocument{Editor: ministry, Project: bridge, Name: "design", URI: "ipfs://design", Hash: hash("design")},
		&projects.MsgRemoveDocument{Editor: ministry, Project: bridge, Name: "design"},
		&projects.MsgAddStakeholder{Agency: ministry, Project: bridge, Account: lender, Role: projects.RoleLender},
		&projects.MsgRemoveStakeholder{Agency: ministry, Project: bridge, Account: lender, Role: projects.RoleLender, Reason: "repaid"},
		&projects.MsgProposeStakeholderChange{Proposer: spv, Project: bridge, Action: projects.ActionAdd, Account: lender, Role: projects.RoleLender, Reason: "B loan"},
		&projects.MsgApproveStakeholderChange{Approver: ministry, Project: bridge, Change: 3},
		&projects.MsgPostReport{Author: builder, Project: bridge, Milestone: "deck", Percent: 60, Summary: "Spans 1-4 placed.", Documents: doc, Amends: 2},
		&projects.MsgAttest{Attester: engineer, Project: bridge, Entry: 1, Note: "seen"},
		&projects.MsgDispute{Disputer: auditor, Project: bridge, Entry: 1, Reason: "no photos"},
		planMsg("deck", 1_000_000, start.Add(90*day)),
		&projects.MsgFundMilestone{Funder: spv, Project: bridge, Milestone: "deck"},
		&projects.MsgClaimComplete{Payee: builder, Project: bridge, Milestone: "deck", Evidence: doc, Note: "done"},
		&projects.MsgSignOff{Signatory: engineer, Project: bridge, Milestone: "deck", Role: projects.RoleIndependentEngineer},
		&projects.MsgDisputeMilestone{Disputer: lender, Project: bridge, Milestone: "deck", Reason: "cracks"},
		&projects.MsgResolve{Resolver: ministry, Project: bridge, Milestone: "deck", Decision: projects.DecisionReject, Reason: "redo"},
		&projects.MsgCancelMilestone{Resolver: ministry, Project: bridge, Milestone: "deck", Reason: "descoped"},
		&projects.MsgSetSecurity{Agency: ministry, Project: bridge, Security: ubridge},
		&projects.MsgSpend{Authority: dao, Project: bridge, To: operator, Amount: coin.New(cash, 25_000), Reason: "toll booth software"},
		&projects.MsgSetParameter{Authority: ministry, Project: bridge, Name: "tariff_cap", Value: "3.50 EUR per car", Protected: true},
	}
}

// FuzzDecodeMsg feeds arbitrary bytes to the chain's msg decoder as each projects msg type (the
// first byte picks the type). Decoding never panics and fails with a code; a msg it accepts is
// valid, is the one canonical encoding of its value, and survives a JSON round trip (clients
// show and build msgs as JSON).
func FuzzDecodeMsg(f *testing.F) {
	protos := fuzzMsgs()
	reg := tx.NewRegistry()
	for _, m := range protos {
		reg.Register(m)
	}
	for i, m := range protos {
		b, err := canon.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		if err := m.Validate(); err != nil {
			f.Fatalf("seed %s: %v", m.MsgType(), err)
		}
		f.Add(append([]byte{byte(i)}, b...))
		f.Add(append([]byte{byte(i)}, b[:len(b)/2]...))
	}
	// Well-formed CBOR that validation refuses.
	bad := []tx.Msg{
		func() tx.Msg { m := createMsg(""); m.ID = "x"; return m }(),
		func() tx.Msg { m := createMsg(""); m.ConcessionEnd = m.ConcessionStart; return m }(),
		func() tx.Msg { m := planMsg("deck", 1, start); m.Policy.Min = 3; return m }(),
		func() tx.Msg { m := planMsg("deck", 1, start); m.Window = -1; return m }(),
		func() tx.Msg { m := planMsg("deck", 0, start); return m }(),
		&projects.MsgPostReport{Author: builder, Project: bridge, Percent: 101, Summary: "x"},
		&projects.MsgDispute{Disputer: auditor, Project: bridge, Entry: 1},
		&projects.MsgResolve{Resolver: ministry, Project: bridge, Milestone: "deck", Decision: "both", Reason: "x"},
		&projects.MsgSetSecurity{Agency: ministry, Project: bridge, Security: "U"},
		&projects.MsgSpend{Authority: dao, Project: bridge, To: operator, Amount: coin.New(cash, 0), Reason: "x"},
		&projects.MsgSpend{Authority: dao, Project: bridge, To: operator, Amount: coin.New(cash, 1)},
		&projects.MsgSetParameter{Authority: ministry, Project: bridge, Name: "Tariff", Value: "1"},
		&projects.MsgSetParameter{Authority: ministry, Project: bridge, Name: "tariff_cap", Value: "a\x00b"},
	}
	for _, m := range bad {
		b, err := canon.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		for i, p := range protos {
			if p.MsgType() == m.MsgType() {
				f.Add(append([]byte{byte(i)}, b...))
			}
		}
	}
	f.Add([]byte{0, 0xa0})                   // an empty map
	f.Add([]byte{3, 0xa1, 0x01, 0x40})       // an agency of the wrong length
	f.Add([]byte{7, 0xa1, 0x05, 0x62, 0xc3}) // truncated UTF-8
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		typ := protos[int(in[0])%len(protos)].MsgType()
		m, err := reg.DecodeMsg(tx.Any{Type: typ, Value: in[1:]})
		if err != nil {
			if c := codes.As(err); c == nil || c.Module != "tx" {
				t.Fatalf("%s: an error without a tx code: %v", typ, err)
			}
			return
		}
		again, err := canon.Marshal(m)
		if err != nil || !bytes.Equal(again, in[1:]) {
			t.Fatalf("accepted %s re-encodes differently: %x vs %x (%v)", typ, again, in[1:], err)
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("accepted %s is invalid: %v", typ, err)
		}
		js, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("%s to JSON: %v", typ, err)
		}
		back := reflect.New(reflect.TypeOf(m).Elem()).Interface()
		if err := json.Unmarshal(js, back); err != nil || !reflect.DeepEqual(back, m) {
			t.Fatalf("%s does not survive JSON: %s → %+v (%v)", typ, js, back, err)
		}
	})
}

// ---- genesis ----

// FuzzGenesis imports arbitrary JSON as projects' genesis. The import fails cleanly (saying
// where) or gives a state whose invariants hold once the escrow is funded as bank's genesis
// would, which exports and re-imports to the same records and the same JSON, and which runs a
// year of end blocks with the invariants holding after each.
func FuzzGenesis(f *testing.F) {
	base := newEnv(f)
	busy := busyEnv(f)
	raw, err := busy.m.ExportGenesis(busy.ctx)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(raw))
	for _, b := range badGenesis(f, raw) {
		f.Add(b.raw)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"params":{"per_block":1},"change_sequence":7}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ctx := branch(base)
		if err := base.m.InitGenesis(ctx, raw); err != nil {
			if !strings.HasPrefix(err.Error(), "projects genesis: ") {
				t.Fatalf("error does not say where: %v", err)
			}
			return
		}
		exported, err := base.m.ExportGenesis(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Fund the escrow as bank's genesis would (what the funded tranches hold).
		for _, tot := range base.k.AllTotals(ctx) {
			if held := tot.Funded - tot.Released - tot.Returned; held > 0 {
				if _, ok := base.bank.Unit(ctx, tot.Denom); !ok {
					base.bank.SetUnit(ctx, coin.Unit{Base: tot.Denom, Display: "X", Exponent: 0})
				}
				if err := base.bank.Mint(ctx, escrow, coin.New(tot.Denom, held)); err != nil {
					return // more than can exist
				}
			}
		}
		if err := allInvariants(base, ctx); err != nil {
			t.Fatalf("after import: %v", err)
		}
		ctx2 := branch(base)
		if err := base.m.InitGenesis(ctx2, exported); err != nil {
			t.Fatalf("the export does not import: %v\n%s", err, exported)
		}
		again, err := base.m.ExportGenesis(ctx2)
		if err != nil || !bytes.Equal(again, exported) {
			t.Fatalf("export after re-import differs (%v):\n%s\n%s", err, exported, again)
		}
		if a, b := projectsState(ctx), projectsState(ctx2); !reflect.DeepEqual(a, b) {
			t.Fatalf("re-import wrote %d records, the import %d", len(b), len(a))
		}
		for d := 0; d < 24; d++ {
			bctx := ctx.WithKV(ctx.KV())
			bctx.Height, bctx.Time = ctx.Height+int64(d)+1, start.Add(time.Duration(d)*15*day)
			if err := base.m.EndBlock(bctx); err != nil {
				t.Fatalf("end block %d: %v", d, err)
			}
			if err := allInvariants(base, ctx); err != nil {
				t.Fatalf("after end block %d: %v", d, err)
			}
		}
	})
}

// ---- queries ----

// FuzzQuery sends arbitrary paths and query strings (the REST API's query parameters) to the
// module's queries. A query never panics; it fails with a coded error or answers JSON that
// obeys its filters and page size, in order.
func FuzzQuery(f *testing.F) {
	e := busyEnv(f)
	for _, s := range []struct{ path, data string }{
		{"params", ""},
		{"escrow", ""},
		{"projects", ""},
		{"projects", "sector=bridge&limit=1"},
		{"projects", "after=harbour-bridge"},
		{"projects", "after=a&limit=500"},
		{"projects", "after=A"},
		{"projects", "after=%00"},
		{"projects", "sector=airport"},
		{"projects", "limit=0"},
		{"projects", "colour=red"},
		{"project/" + bridge, ""},
		{"project/nowhere", ""},
		{"project/X", ""},
		{"project/params", ""},
		{"documents/" + bridge, ""},
		{"document-history/" + bridge, ""},
		{"stakeholders/old-tunnel", ""},
		{"changes/" + bridge, ""},
		{"change/" + bridge + "/1", ""},
		{"change/" + bridge + "/2", ""},
		{"change/old-tunnel/1", ""},
		{"change/" + bridge + "/x", ""},
		{"timeline/" + bridge, ""},
		{"timeline/" + bridge, "after=5&limit=3"},
		{"timeline/" + bridge, "after=18446744073709551615"},
		{"timeline/" + bridge, "after=-1"},
		{"entries/" + bridge, "limit=1"},
		{"entry/" + bridge + "/1", ""},
		{"entry/" + bridge + "/0", ""},
		{"entry/" + bridge + "/3", ""},
		{"milestones/" + bridge, ""},
		{"milestones/" + bridge, "status=released"},
		{"milestones/" + bridge, "status=paid"},
		{"milestone/" + bridge + "/deck", ""},
		{"milestone/" + bridge + "/window", ""},
		{"milestone/" + bridge + "/Deck", ""},
		{"", ""},
		{"project/" + bridge + "/extra/more", ""},
	} {
		f.Add(s.path, s.data)
	}
	f.Fuzz(func(t *testing.T, path, data string) {
		ctx := branch(e)
		v, q, limit := chaintest.FuzzQuery(t, e.m, ctx, projects.ModuleName, path, data)
		if v == nil {
			return
		}
		switch ans := v.(type) {
		case projects.ProjectList:
			if len(ans.Projects) > limit {
				t.Fatalf("%q: %d projects on a page of %d", data, len(ans.Projects), limit)
			}
			for i, p := range ans.Projects {
				if p.ID <= q.Get("after") || (i > 0 && p.ID <= ans.Projects[i-1].ID) {
					t.Fatalf("%q: project %s out of order", data, p.ID)
				}
				if s := q.Get("sector"); s != "" && p.Sector != s {
					t.Fatalf("%q: project %s of sector %s", data, p.ID, p.Sector)
				}
			}
		case projects.TimelineList:
			after, _ := strconv.ParseUint(q.Get("after"), 10, 64)
			if len(ans.Records) > limit {
				t.Fatalf("%q: %d records on a page of %d", data, len(ans.Records), limit)
			}
			for i, r := range ans.Records {
				if r.Seq != after+uint64(i)+1 {
					t.Fatalf("%q: record %d at place %d after %d", data, r.Seq, i, after)
				}
			}
		case projects.EntryList:
			after, _ := strconv.ParseUint(q.Get("after"), 10, 64)
			for i, en := range ans.Entries {
				if en.ID != after+uint64(i)+1 {
					t.Fatalf("%q: entry %d at place %d after %d", data, en.ID, i, after)
				}
			}
		case []projects.Milestone:
			for _, m := range ans {
				if s := q.Get("status"); s != "" && m.Status != s {
					t.Fatalf("%q: milestone %s is %s", data, m.ID, m.Status)
				}
			}
		}
	})
}
