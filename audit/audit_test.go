package audit

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeChain is a Source over blocks held in memory: height Earliest+i is blocks[i].
type fakeChain struct {
	chainID  string
	earliest int64
	first    bool // the earliest block is the chain's first
	blocks   []fakeBlock
	failAt   int64 // Results fails at this height

	mu         sync.Mutex
	blockReads map[int64]int
}

type fakeBlock struct {
	time time.Time
	txs  []fakeTx
	end  []Event
}

type fakeTx struct {
	hash   string
	code   uint32
	events []Event
}

func (f *fakeChain) latest() int64 { return f.earliest + int64(len(f.blocks)) - 1 }

func (f *fakeChain) at(h int64) (fakeBlock, error) {
	if h < f.earliest || h > f.latest() {
		return fakeBlock{}, fmt.Errorf("height %d is not available", h)
	}
	return f.blocks[h-f.earliest], nil
}

func (f *fakeChain) Info(context.Context) (Info, error) {
	return Info{ChainID: f.chainID, Earliest: f.earliest, Latest: f.latest()}, nil
}

func (f *fakeChain) Header(_ context.Context, h int64) (Header, error) {
	b, err := f.at(h)
	if err != nil {
		return Header{}, err
	}
	return Header{Height: h, Time: b.time, Hash: fmt.Sprintf("%064X", h), First: f.first && h == f.earliest}, nil
}

func (f *fakeChain) Block(ctx context.Context, h int64) (Block, error) {
	hd, err := f.Header(ctx, h)
	if err != nil {
		return Block{}, err
	}
	f.mu.Lock()
	if f.blockReads == nil {
		f.blockReads = map[int64]int{}
	}
	f.blockReads[h]++
	f.mu.Unlock()
	b, _ := f.at(h)
	out := Block{Header: hd}
	for _, t := range b.txs {
		out.Txs = append(out.Txs, t.hash)
	}
	return out, nil
}

func (f *fakeChain) Results(_ context.Context, h int64) (Results, error) {
	if h == f.failAt {
		return Results{}, errors.New("connection reset")
	}
	b, err := f.at(h)
	if err != nil {
		return Results{}, err
	}
	out := Results{End: b.end}
	for _, t := range b.txs {
		out.Txs = append(out.Txs, TxResult{Code: t.code, Events: t.events})
	}
	return out, nil
}

func ev(typ string, kv ...string) Event {
	e := Event{Type: typ}
	for i := 0; i+1 < len(kv); i += 2 {
		e.Attrs = append(e.Attrs, Attr{Key: kv[i], Value: kv[i+1]})
	}
	return e
}

const (
	alice   = "gir1alice"
	bob     = "gir1bob"
	officer = "gir1officer"
	admin   = "gir1admin"
)

var t0 = time.Date(2024, 5, 1, 9, 30, 0, 123456789, time.UTC)

// fee is an event every tx has, which a report leaves out.
var fee = ev("fees.charged", "payer", alice, "fee", "43900ugrd")

// everyKind is a chain whose block 2 holds one event of every kind the report shows (and some
// it leaves out), block 3 a failed tx, block 4 nothing.
func everyKind() *fakeChain {
	return &fakeChain{chainID: "girder-test", earliest: 1, first: true, blocks: []fakeBlock{
		{time: t0},
		{time: t0.Add(time.Second), txs: []fakeTx{
			{hash: "AA01", events: []Event{fee,
				ev("auth.role_granted", "role", "compliance_officer", "account", officer, "by", admin),
				ev("compliance.rules_set", "scope", "ugrd", "version", "3", "rules", "big,watch", "by", officer),
				ev("compliance.denied", "scope", "chain", "account", bob, "reason", "OFAC SDN match", "by", officer),
			}},
			{hash: "AA02", events: []Event{fee,
				ev("compliance.decision", "outcome", "allow", "rule", "", "scope", "", "kind", "", "asset", "ugrd", "from", alice, "to", bob, "amount", "1ugrd", "reason", ""),
				ev("bank.transfer", "from", alice, "to", bob, "amount", "1ugrd"),
				ev("compliance.decision", "outcome", "flag", "rule", "watch", "scope", "ugrd", "kind", "large_transfer", "asset", "ugrd",
					"from", alice, "to", bob, "amount", "500000ugrd", "reason", "at least 100000ugrd", "severity", "high", "alert", "1"),
				ev("compliance.decision", "outcome", "hold", "rule", "big", "scope", "ugrd", "kind", "large_transfer", "asset", "ugrd",
					"from", alice, "to", bob, "amount", "2000000ugrd", "reason", "at least 1000000ugrd", "hold", "1", "deadline", "1714642200"),
			}},
			{hash: "AA03", events: []Event{fee,
				ev("compliance.hold_decided", "hold", "1", "action", "release", "rule", "big", "asset", "ugrd", "from", alice, "to", bob,
					"amount", "2000000ugrd", "reason", "documents checked", "by", officer),
				ev("compliance.alert_closed", "alert", "1", "rule", "watch", "asset", "ugrd", "note", "known customer", "by", officer),
				ev("compliance.undenied", "scope", "ubridge", "account", bob, "reason", "cleared", "by", officer),
				ev("compliance.frozen", "asset", "ubridge", "account", bob, "amount", "all", "reason", "court order", "by", officer),
				ev("compliance.unfrozen", "asset", "ubridge", "account", bob, "reason", "order lifted", "by", officer),
				ev("auth.role_revoked", "role", "kyc_provider", "account", bob, "by", admin, "reason", "contract ended"),
			}},
		}, end: []Event{
			ev("fees.base_fee", "base_fee", "10"),
			ev("compliance.hold_expired", "hold", "2", "rule", "big", "asset", "ugrd", "from", bob, "to", alice, "amount", "3000000ugrd", "deadline", "1714555801"),
		}},
		{time: t0.Add(2 * time.Second), txs: []fakeTx{
			{hash: "BB01", code: 3, events: []Event{fee,
				ev("compliance.decision", "outcome", "reject", "rule", "sanctions", "scope", "chain", "kind", "deny_list", "asset", "ugrd",
					"from", alice, "to", bob, "amount", "5000ugrd", "reason", "the receiver is on the chain's deny list"),
				// Not possible today (a failed tx keeps only kept events), and left out if it were.
				ev("compliance.denied", "scope", "chain", "account", alice, "reason", "x", "by", officer),
				ev("account", "address", alice),
			}},
			{hash: "BB02", code: 2, events: nil}, // failed before anything ran
		}},
		{time: t0.Add(3 * time.Second)},
	}}
}

func wantEveryKind() []Row {
	t1, t2 := "2024-05-01T09:30:01.123456789Z", "2024-05-01T09:30:02.123456789Z"
	return []Row{
		{Height: 2, Time: t1, Tx: "AA01", Event: "role_granted", Role: "compliance_officer", Account: officer, Actor: admin},
		{Height: 2, Time: t1, Tx: "AA01", Event: "rules_set", Scope: "ugrd", Version: "3", Rule: "big,watch", Actor: officer},
		{Height: 2, Time: t1, Tx: "AA01", Event: "denied", Scope: "chain", Account: bob, Reason: "OFAC SDN match", Actor: officer},
		{Height: 2, Time: t1, Tx: "AA02", Event: "decision", Outcome: "flag", Rule: "watch", RuleKind: "large_transfer", Scope: "ugrd",
			From: alice, To: bob, Amount: "500000ugrd", Severity: "high", Alert: "1", Actor: alice, Reason: "at least 100000ugrd"},
		{Height: 2, Time: t1, Tx: "AA02", Event: "decision", Outcome: "hold", Rule: "big", RuleKind: "large_transfer", Scope: "ugrd",
			From: alice, To: bob, Amount: "2000000ugrd", Hold: "1", Deadline: "1714642200", Actor: alice, Reason: "at least 1000000ugrd"},
		{Height: 2, Time: t1, Tx: "AA03", Event: "hold_decided", Hold: "1", Outcome: "release", Rule: "big", Scope: "ugrd",
			From: alice, To: bob, Amount: "2000000ugrd", Actor: officer, Reason: "documents checked"},
		{Height: 2, Time: t1, Tx: "AA03", Event: "alert_closed", Alert: "1", Rule: "watch", Scope: "ugrd", Actor: officer, Reason: "known customer"},
		{Height: 2, Time: t1, Tx: "AA03", Event: "undenied", Scope: "ubridge", Account: bob, Actor: officer, Reason: "cleared"},
		{Height: 2, Time: t1, Tx: "AA03", Event: "frozen", Scope: "ubridge", Account: bob, Amount: "all", Actor: officer, Reason: "court order"},
		{Height: 2, Time: t1, Tx: "AA03", Event: "unfrozen", Scope: "ubridge", Account: bob, Actor: officer, Reason: "order lifted"},
		{Height: 2, Time: t1, Tx: "AA03", Event: "role_revoked", Role: "kyc_provider", Account: bob, Actor: admin, Reason: "contract ended"},
		{Height: 2, Time: t1, Event: "hold_expired", Hold: "2", Rule: "big", Scope: "ugrd", From: bob, To: alice, Amount: "3000000ugrd", Deadline: "1714555801"},
		{Height: 3, Time: t2, Tx: "BB01", Event: "decision", Outcome: "reject", Rule: "sanctions", RuleKind: "deny_list", Scope: "chain",
			From: alice, To: bob, Amount: "5000ugrd", Actor: alice, Reason: "the receiver is on the chain's deny list"},
	}
}

func build(t *testing.T, src Source, from, to string, o Options) *Report {
	t.Helper()
	r, err := Resolve(context.Background(), src, from, to)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Build(context.Background(), src, r, o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestEveryEventKindMapsToItsRow(t *testing.T) {
	f := everyKind()
	rep := build(t, f, "1", "", Options{})
	want := wantEveryKind()
	if len(rep.Rows) != len(want) {
		t.Fatalf("%d rows, want %d:\n%+v", len(rep.Rows), len(want), rep.Rows)
	}
	for i := range want {
		if rep.Rows[i] != want[i] {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, rep.Rows[i], want[i])
		}
	}
	if rep.ChainID != "girder-test" || rep.FromHeight != 1 || rep.ToHeight != 4 ||
		rep.FromTime != "2024-05-01T09:30:00.123456789Z" || rep.ToTime != "2024-05-01T09:30:03.123456789Z" {
		t.Errorf("header %s %d %d %s %s", rep.ChainID, rep.FromHeight, rep.ToHeight, rep.FromTime, rep.ToTime)
	}
	wantCounts := map[string]int{"decision": 3, "hold_decided": 1, "hold_expired": 1, "alert_closed": 1, "rules_set": 1,
		"denied": 1, "undenied": 1, "frozen": 1, "unfrozen": 1, "role_granted": 1, "role_revoked": 1}
	if !reflect.DeepEqual(rep.Counts, wantCounts) {
		t.Errorf("counts %v, want %v", rep.Counts, wantCounts)
	}
	if want := map[string]int{"reject": 1, "hold": 1, "flag": 1}; !reflect.DeepEqual(rep.Outcomes, want) {
		t.Errorf("outcomes %v, want %v", rep.Outcomes, want)
	}
	// The block (for tx hashes and time) is read only where there are rows: one results read
	// per height otherwise.
	if want := map[int64]int{2: 1, 3: 1}; !reflect.DeepEqual(f.blockReads, want) {
		t.Errorf("block reads %v, want %v", f.blockReads, want)
	}
}

func TestFailedTxContributesOnlyItsDecisions(t *testing.T) {
	rep := build(t, everyKind(), "3", "3", Options{})
	if len(rep.Rows) != 1 || rep.Rows[0].Tx != "BB01" || rep.Rows[0].Event != "decision" || rep.Rows[0].Outcome != "reject" {
		t.Fatalf("rows of a block with a failed tx: %+v", rep.Rows)
	}
	// A failed tx with only a decision that is not a reject (not emitted today) still counts.
	f := &fakeChain{chainID: "c", earliest: 1, first: true, blocks: []fakeBlock{{time: t0, txs: []fakeTx{
		{hash: "01", events: []Event{fee}},
		{hash: "02", code: 5, events: []Event{
			ev("compliance.rules_set", "scope", "chain", "version", "1", "rules", "a", "by", officer),
			ev("compliance.decision", "outcome", "flag", "rule", "w", "from", alice),
		}},
	}}}}
	rep = build(t, f, "1", "1", Options{})
	if len(rep.Rows) != 1 || rep.Rows[0].Tx != "02" || rep.Rows[0].Outcome != "flag" {
		t.Fatalf("failed tx rows: %+v", rep.Rows)
	}
}

func TestEmptyRangeHasFixedShape(t *testing.T) {
	rep := build(t, everyKind(), "4", "4", Options{})
	var buf bytes.Buffer
	if err := WriteJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	want := `{
  "chain_id": "girder-test",
  "from_height": 4,
  "to_height": 4,
  "from_time": "2024-05-01T09:30:03.123456789Z",
  "to_time": "2024-05-01T09:30:03.123456789Z",
  "counts": {
    "alert_closed": 0,
    "decision": 0,
    "denied": 0,
    "frozen": 0,
    "hold_decided": 0,
    "hold_expired": 0,
    "role_granted": 0,
    "role_revoked": 0,
    "rules_set": 0,
    "undenied": 0,
    "unfrozen": 0
  },
  "outcomes": {
    "flag": 0,
    "hold": 0,
    "reject": 0
  },
  "rows": []
}
`
	if buf.String() != want {
		t.Fatalf("JSON of an empty report:\n%s", buf.String())
	}
	buf.Reset()
	if err := WriteCSV(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if buf.String() != strings.Join(Columns, ",")+"\n" {
		t.Fatalf("CSV of an empty report: %q", buf.String())
	}
}

func TestCSVQuoting(t *testing.T) {
	f := &fakeChain{chainID: "c", earliest: 1, first: true, blocks: []fakeBlock{{time: t0, txs: []fakeTx{{hash: "0A", events: []Event{
		ev("compliance.denied", "scope", "chain", "account", bob, "reason", `listed, "per" order`+"\nline 2", "by", officer),
		ev("compliance.rules_set", "scope", "ugrd", "version", "2", "rules", "big,watch", "by", officer),
		ev("compliance.alert_closed", "alert", "7", "rule", "watch", "asset", "ugrd", "note", " leading space", "by", officer),
	}}}}}}
	rep := build(t, f, "1", "1", Options{})
	var buf bytes.Buffer
	if err := WriteCSV(&buf, rep); err != nil {
		t.Fatal(err)
	}
	want := strings.Join(Columns, ",") + "\n" +
		`1,2024-05-01T09:30:00.123456789Z,0A,denied,,,,chain,,,gir1bob,,,,,,,,gir1officer,"listed, ""per"" order` + "\n" + `line 2"` + "\n" +
		`1,2024-05-01T09:30:00.123456789Z,0A,rules_set,,"big,watch",,ugrd,,,,,,,,,,2,gir1officer,` + "\n" +
		`1,2024-05-01T09:30:00.123456789Z,0A,alert_closed,,watch,,ugrd,,,,,,7,,,,,gir1officer," leading space"` + "\n"
	if buf.String() != want {
		t.Fatalf("CSV:\n%s\nwant:\n%s", buf.String(), want)
	}
	// A CSV reader gets every field back as it was.
	recs, err := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || len(recs[1]) != len(Columns) || recs[1][19] != rep.Rows[0].Reason || recs[2][5] != "big,watch" || recs[3][19] != " leading space" {
		t.Fatalf("read back: %q", recs)
	}
}

func TestOutputIsDeterministic(t *testing.T) {
	// Many heights, read with different numbers of workers: the same bytes.
	f := &fakeChain{chainID: "girder-test", earliest: 1, first: true}
	for h := 1; h <= 700; h++ {
		b := fakeBlock{time: t0.Add(time.Duration(h) * time.Second)}
		if h%7 == 0 {
			b.txs = []fakeTx{{hash: fmt.Sprintf("%04X", h), events: []Event{
				ev("compliance.decision", "outcome", "flag", "rule", "watch", "scope", "ugrd", "from", alice, "to", bob, "amount", fmt.Sprintf("%dugrd", h), "alert", fmt.Sprint(h)),
			}}}
		}
		if h%50 == 0 {
			b.end = []Event{ev("compliance.hold_expired", "hold", fmt.Sprint(h), "rule", "big", "asset", "ugrd")}
		}
		f.blocks = append(f.blocks, b)
	}
	var outs [][]byte
	var progress []int64
	for _, workers := range []int{1, 3, 16} {
		for _, format := range []string{FormatCSV, FormatJSON} {
			rep := build(t, f, "1", "700", Options{Workers: workers, ProgressEvery: 300, Progress: func(done, total int64) {
				if total != 700 {
					t.Errorf("progress total %d", total)
				}
				progress = append(progress, done)
			}})
			var buf bytes.Buffer
			if err := Write(&buf, rep, format); err != nil {
				t.Fatal(err)
			}
			outs = append(outs, buf.Bytes())
			if len(rep.Rows) != 100+14 {
				t.Fatalf("%d rows", len(rep.Rows))
			}
			for i := 1; i < len(rep.Rows); i++ {
				if rep.Rows[i].Height < rep.Rows[i-1].Height {
					t.Fatalf("rows out of chain order at %d", i)
				}
			}
		}
	}
	for i := 2; i < len(outs); i++ {
		if !bytes.Equal(outs[i], outs[i%2]) {
			t.Fatalf("output %d differs from output %d", i, i%2)
		}
	}
	if want := []int64{300, 600, 700}; !reflect.DeepEqual(progress[:3], want) {
		t.Errorf("progress %v, want %v first", progress, want)
	}
	var decoded Report
	if err := json.Unmarshal(outs[1], &decoded); err != nil || decoded.Counts["decision"] != 100 || decoded.Counts["hold_expired"] != 14 {
		t.Fatalf("JSON report: %v %+v", err, decoded.Counts)
	}
}

func TestBuildFailsOnUnreadableHeight(t *testing.T) {
	f := everyKind()
	f.failAt = 3
	r, err := Resolve(context.Background(), f, "1", "4")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(context.Background(), f, r, Options{Workers: 4})
	if err == nil || !strings.Contains(err.Error(), "results of height 3: connection reset") {
		t.Fatalf("err %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Build(ctx, everyKind(), r, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled build: %v", err)
	}
}

// days is a chain of blocks at 06:00, 12:00, 18:00 and 00:00 UTC from 2024-05-01T06:00 to
// 2024-05-03T00:00 (heights 1 to 8), a gap, then 2024-05-05T12:00 (height 9).
func days(earliest int64, first bool) *fakeChain {
	f := &fakeChain{chainID: "c", earliest: earliest, first: first}
	start := time.Date(2024, 5, 1, 6, 0, 0, 0, time.UTC)
	for i := 0; i < 8; i++ {
		f.blocks = append(f.blocks, fakeBlock{time: start.Add(time.Duration(i) * 6 * time.Hour)})
	}
	f.blocks = append(f.blocks, fakeBlock{time: time.Date(2024, 5, 5, 12, 0, 0, 0, time.UTC)})
	return f
}

func TestResolveDatesAndHeights(t *testing.T) {
	f := days(1, true)
	// heights: 1 05-01T06, 2 05-01T12, 3 05-01T18, 4 05-02T00, 5 05-02T06, 6 05-02T12, 7 05-02T18, 8 05-03T00, 9 05-05T12
	cases := []struct {
		from, to       string
		wantFrom, want int64
		open           bool
	}{
		{"2024-05-01", "2024-05-01", 1, 3, false},
		{"2024-05-02", "2024-05-02", 4, 7, false},                     // a block exactly at 00:00 opens its day
		{"2024-04-01", "2024-05-01", 1, 3, false},                     // from before the first block: the first block
		{"2024-05-03", "2024-05-04", 8, 8, false},                     // to a day without blocks: the last block before it
		{"2024-05-03", "2024-05-30", 8, 9, true},                      // to after the last block: the latest, and open
		{"2024-05-01T12:00:00Z", "2024-05-02T06:00:00Z", 2, 5, false}, // instants: both included
		{"2024-05-01T12:00:00.000000001Z", "2024-05-02T05:59:59.999999999Z", 3, 4, false},
		{"2024-05-01T14:00:00+02:00", "2024-05-02T08:00:00+02:00", 2, 5, false}, // offsets
		{"3", "", 3, 9, false},
		{"2", "2024-05-01", 2, 3, false},
		{"2024-05-02", "6", 4, 6, false},
		{"9", "9", 9, 9, false},
	}
	for _, c := range cases {
		r, err := Resolve(context.Background(), f, c.from, c.to)
		if err != nil {
			t.Errorf("%s..%s: %v", c.from, c.to, err)
			continue
		}
		if r.From.Height != c.wantFrom || r.To.Height != c.want || r.Open != c.open {
			t.Errorf("%s..%s: heights %d..%d open %v; want %d..%d open %v", c.from, c.to, r.From.Height, r.To.Height, r.Open, c.wantFrom, c.want, c.open)
		}
		if !r.From.Time.Equal(f.blocks[r.From.Height-1].time) || !r.To.Time.Equal(f.blocks[r.To.Height-1].time) {
			t.Errorf("%s..%s: times of the range's blocks", c.from, c.to)
		}
	}
}

func TestResolveRefusals(t *testing.T) {
	full, pruned := days(1, true), days(3, false) // pruned keeps heights 3.. (its blocks shifted: 3 is 05-01T06)
	cases := []struct {
		src      *fakeChain
		from, to string
		want     string
	}{
		{full, "5", "4", "--from 5 is after --to 4"},
		{full, "1", "10", "height 10 is beyond the latest height 9"},
		{full, "10", "", "height 10 is beyond the latest height 9"},
		{full, "0", "", "heights start at 1"},
		{full, "-3", "", "want a height"},
		{full, "yesterday", "", "want a height"},
		{full, "2024-13-01", "", "want a height"},
		{full, "1", "2024-05-01 12:00", "want a height"},
		{full, "2024-05-06", "", "no block at or after 2024-05-06: the latest block, height 9, is at 2024-05-05T12:00:00.000000000Z"},
		{full, "2024-04-01", "2024-04-30", "no block before the end of 2024-04-30: the chain's first block, height 1, is at 2024-05-01T06:00:00.000000000Z"},
		{full, "1", "2024-05-01T05:00:00Z", "no block before 2024-05-01T05:00:00Z"},
		{full, "2024-05-04", "2024-05-04", "no block in the range: --from 2024-05-04 is height 9 and --to 2024-05-04 is height 8"},
		{pruned, "2", "", "height 2 is pruned on this node: it keeps heights 3 to 11"},
		{pruned, "2024-04-30", "", "the node has pruned the blocks before height 3 (2024-05-01T06:00:00.000000000Z), and some of them may be after 2024-04-30"},
		{pruned, "3", "2024-04-30", "the last block before the end of 2024-04-30 is pruned on this node"},
	}
	for _, c := range cases {
		_, err := Resolve(context.Background(), c.src, c.from, c.to)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s..%s: %v; want it to say %q", c.from, c.to, err, c.want)
		}
	}
	// On the pruned node, a date after its earliest block resolves as on any node.
	r, err := Resolve(context.Background(), pruned, "2024-05-01T12:00:00Z", "2024-05-02")
	if err != nil || r.From.Height != 4 || r.To.Height != 9 {
		t.Fatalf("pruned node, dates within what it keeps: %+v %v", r, err)
	}
	// The pruned node's earliest block exactly at the bound: nothing before it can be at or after.
	if r, err := Resolve(context.Background(), pruned, "2024-05-01T06:00:00Z", ""); err != nil || r.From.Height != 3 {
		t.Fatalf("pruned node, from its earliest block's time: %+v %v", r, err)
	}
	// An explicit height at the pruned node's earliest block is fine.
	if r, err := Resolve(context.Background(), pruned, "3", "4"); err != nil || r.From.Height != 3 || r.To.Height != 4 {
		t.Fatalf("pruned node, heights it keeps: %+v %v", r, err)
	}
}
