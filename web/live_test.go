package web_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLiveTally: a DAO proposal submitted during the test shows on the open project page, and
// each vote cast with the CLI moves its tally there without a reload, to the API's figures.
func TestLiveTally(t *testing.T) {
	x := env(t)
	var p struct {
		Security string `json:"security"`
	}
	x.mustGet(t, "/projects/harbour-bridge", &p)
	tb := x.open(t, "/projects/harbour-bridge", 1280)
	eval[bool](t, tb, `window.__girderNoReload = true`)

	title := fmt.Sprintf("Browser test spend %d", time.Now().UnixNano())
	x.tx(t, "governance", "propose-spend", "alice", "--project", "harbour-bridge", "--to", x.keys["bob"], "--amount", "1EURt",
		"--reason", "the browser test's proposal", "--title", title)
	var list struct {
		Proposals []struct {
			ID    uint64 `json:"id"`
			Title string `json:"title"`
		} `json:"proposals"`
	}
	x.mustGet(t, "/governance/proposals?dao="+p.Security, &list)
	var id uint64
	for _, q := range list.Proposals {
		if q.Title == title {
			id = q.ID
		}
	}
	if id == 0 {
		t.Fatalf("the new proposal %q is not among the DAO's %+v", title, list.Proposals)
	}
	row := fmt.Sprintf(`document.querySelector('[data-testid="proposal"][data-id="%d"]')`, id)
	tb.poll(t, fmt.Sprintf("proposal %d appears on the page", id), row+` !== null`, 15*time.Second)

	// tallyIs: the row's four tally figures (data-amount, base units) equal the API's.
	tallyIs := func(what string) {
		t.Helper()
		var prop struct {
			Tally map[string]string `json:"tally"`
		}
		x.mustGet(t, fmt.Sprintf("/governance/proposals/%d", id), &prop)
		var conds []string
		for _, k := range []string{"yes", "no", "abstain", "veto"} {
			v := prop.Tally[k]
			if v == "" {
				v = "0"
			}
			conds = append(conds, fmt.Sprintf(`%s.querySelector('[data-testid="tally-%s"]').dataset.amount === %q`, row, k, v))
		}
		tb.poll(t, what+": the page's tally equals the API's "+fmt.Sprint(prop.Tally), strings.Join(conds, " && "), 15*time.Second)
		// The shown text is the amount in display units.
		u := x.units(t)[p.Security]
		got := eval[string](t, tb, row+`.querySelector('[data-testid="tally-yes"]').textContent`)
		if want := prop.Tally["yes"]; want != "" && !shows(got, display(t, want, u)) {
			t.Errorf("%s: tally-yes shows %q, API %s base units", what, got, want)
		}
	}
	tallyIs("before any vote")
	x.tx(t, "governance", "vote", "bob", strconv.FormatUint(id, 10), "yes")
	tallyIs("after bob's yes")
	x.tx(t, "governance", "vote", "alice", strconv.FormatUint(id, 10), "abstain")
	tallyIs("after alice's abstain")
	if yes := eval[string](t, tb, row+`.querySelector('[data-testid="tally-yes"]').dataset.amount`); yes == "0" {
		t.Errorf("bob's yes left the yes tally at 0")
	}
	if !eval[bool](t, tb, `window.__girderNoReload === true`) {
		t.Errorf("the project page reloaded to show the votes")
	}
	tb.screenshot(t, x, "project-live-tally")
	tb.consoleErrors(t)
}

// TestTxStateChanges: a committed tx's page lists the state changes the API's replay reports
// (same keys, modules and values, in order) and says the replay matches the committed result.
func TestTxStateChanges(t *testing.T) {
	x := env(t)
	hash := x.send(t, "alice", x.keys["bob"], "2.25GRD")
	for _, h := range []string{x.demoTx, hash} {
		var ch struct {
			Simulation struct {
				Code    uint32 `json:"code"`
				Changes []struct {
					Key     string          `json:"key"`
					Module  string          `json:"module"`
					Record  string          `json:"record"`
					Deleted bool            `json:"deleted"`
					Decoded json.RawMessage `json:"decoded"`
				} `json:"changes"`
			} `json:"simulation"`
		}
		x.mustGet(t, "/txs/"+h+"/changes", &ch)
		if len(ch.Simulation.Changes) == 0 {
			t.Fatalf("tx %s: the API reports no changes", h)
		}
		tb := x.open(t, "/txs/"+h, 1280)
		if m := eval[string](t, tb, `(document.querySelector('[data-testid="tx-replay"]')||{dataset:{}}).dataset.match || ""`); m != "true" {
			t.Errorf("tx %s: tx-replay data-match %q, want true", h, m)
		}
		rows := items(t, tb, "tx-change")
		if len(rows) != len(ch.Simulation.Changes) {
			t.Fatalf("tx %s: %d tx-change rows, API %d changes", h, len(rows), len(ch.Simulation.Changes))
		}
		for i, c := range ch.Simulation.Changes {
			r := rows[i]
			if r.Data["key"] != c.Key || r.Data["module"] != c.Module || (r.Data["deleted"] == "true") != c.Deleted {
				t.Errorf("tx %s change %d: page key %s module %s deleted %s; API %s %s %v", h, i, r.Data["key"], r.Data["module"], r.Data["deleted"], c.Key, c.Module, c.Deleted)
			}
			if c.Record == "" || !strings.Contains(r.Text, c.Record) {
				t.Errorf("tx %s change %d (%s %q): the API names no record kind or the page does not show it", h, i, c.Module, c.Record)
			}
			var compact bytes.Buffer
			if len(c.Decoded) > 0 && json.Compact(&compact, c.Decoded) == nil && !strings.Contains(r.Text, compact.String()) {
				t.Errorf("tx %s change %d (%s): page %q lacks the API's decoded value %s", h, i, c.Module, r.Text, c.Decoded)
			}
		}
		if h == hash {
			tb.screenshot(t, x, "tx-changes")
		}
		tb.consoleErrors(t)
	}
}

// TestComplianceFlows: the flow chart's total per asset is the sum of the bank.transfer events
// the API streams over the same heights (read here from /v1/events), including a transfer sent
// while the page is open.
func TestComplianceFlows(t *testing.T) {
	x := env(t)
	tb := x.open(t, "/compliance", 1280)
	from := eval[string](t, tb, `document.querySelector('[data-testid="flow-chart"]').dataset.from`)
	hash := x.send(t, "bob", x.keys["alice"], "0.75GRD")
	var sent struct {
		Height int64 `json:"height"`
	}
	x.mustGet(t, "/txs/"+hash, &sent)
	want := x.transferTotals(t, from, sent.Height)
	if len(want) == 0 {
		t.Fatal("the API streamed no transfers")
	}
	var conds []string
	for d, v := range want {
		conds = append(conds, fmt.Sprintf(`(e => e !== null && e.dataset.total === %q)(document.querySelector('[data-testid="flow-row"][data-denom="%s"]'))`, v.String(), d))
	}
	conds = append(conds, fmt.Sprintf(`document.querySelectorAll('[data-testid="flow-row"]').length === %d`, len(want)))
	tb.poll(t, fmt.Sprintf("flow totals per asset equal the API's transfers from height %s to %d: %v", from, sent.Height, want), strings.Join(conds, " && "), 20*time.Second)
	tb.consoleErrors(t)
}

// transferTotals sums the amounts of bank.transfer events from height from to height to, per
// denom, read from the API's event stream.
func (x *harness) transferTotals(t *testing.T, from string, to int64) map[string]*big.Int {
	t.Helper()
	req, err := http.NewRequest("GET", x.api+"/events?type=bank.transfer&from_height="+from, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	client := &http.Client{Timeout: 30 * time.Second}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET /v1/events: %s", res.Status)
	}
	totals := map[string]*big.Int{}
	amountRE := func(s string) (string, string) {
		i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
		if i <= 0 {
			return "", ""
		}
		return s[:i], s[i:]
	}
	lines, done := make(chan string), make(chan struct{})
	defer close(done) // before the body closes (deferred earlier): the reader stops
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-done:
				return
			}
		}
	}()
	// A block's events are written together: once an event of height to has come, a second
	// without a line means the stream is past that block (the chain is idle but for the tests).
	reached := false
	for {
		var line string
		var ok bool
		if reached {
			select {
			case line, ok = <-lines:
			case <-time.After(time.Second):
				return totals
			}
		} else {
			line, ok = <-lines
		}
		if !ok {
			t.Fatalf("the event stream ended before height %d", to)
		}
		if !strings.HasPrefix(line, "data: ") {
			continue
		}
		var ev struct {
			Height     int64             `json:"height"`
			Attributes map[string]string `json:"attributes"`
		}
		if err := json.Unmarshal([]byte(line[6:]), &ev); err != nil {
			t.Fatalf("event %s: %v", line, err)
		}
		if ev.Height > to {
			return totals
		}
		reached = reached || ev.Height == to
		n, d := amountRE(ev.Attributes["amount"])
		v, ok := new(big.Int).SetString(n, 10)
		if !ok {
			t.Fatalf("transfer amount %q", ev.Attributes["amount"])
		}
		if totals[d] == nil {
			totals[d] = new(big.Int)
		}
		totals[d].Add(totals[d], v)
	}
}

// TestComplianceAlertsAndHolds: with EURt rules set during the test (hold at 100,000 EURt, flag
// at 10,000), a held and a flagged transfer appear on the open compliance page without a
// reload — the rule set, decisions by rule, the open hold and the alert, with the API's ids
// and amounts.
func TestComplianceAlertsAndHolds(t *testing.T) {
	x := env(t)
	tb := x.open(t, "/compliance", 1280)
	eval[bool](t, tb, `window.__girderNoReload = true`)
	rules := filepath.Join(x.work, "eurt-rules.json")
	if err := os.WriteFile(rules, []byte(`[
  {"id": "large-eurt", "kind": "large_transfer", "outcome": "hold", "params": {"amount": "100000EURt", "hold_for": "48h", "reason": "browser test: large payment"}},
  {"id": "watch-eurt", "kind": "large_transfer", "outcome": "flag", "params": {"amount": "10000EURt", "severity": "high"}}
]`), 0o644); err != nil {
		t.Fatal(err)
	}
	x.tx(t, "compliance", "set-rules", "validator", "--asset", "ueurt", "--file", rules)
	x.tx(t, "bank", "send", "bob", x.keys["alice"], "150000EURt") // held
	x.tx(t, "bank", "send", "alice", x.keys["bob"], "20000EURt")  // flagged

	var holds struct {
		Holds []struct {
			ID     uint64 `json:"id"`
			Rule   string `json:"rule"`
			Amount struct {
				Denom  string `json:"denom"`
				Amount string `json:"amount"`
			} `json:"amount"`
		} `json:"holds"`
	}
	x.mustGet(t, "/compliance/holds?status=open&limit=100", &holds)
	var alerts struct {
		Alerts []struct {
			ID   uint64 `json:"id"`
			Rule string `json:"rule"`
		} `json:"alerts"`
	}
	x.mustGet(t, "/compliance/alerts?limit=100", &alerts)
	var holdIDs, alertIDs []string
	for _, h := range holds.Holds {
		holdIDs = append(holdIDs, strconv.FormatUint(h.ID, 10))
	}
	for _, a := range alerts.Alerts {
		alertIDs = append(alertIDs, strconv.FormatUint(a.ID, 10))
	}
	if len(holdIDs) == 0 || len(alertIDs) == 0 {
		t.Fatalf("the API has holds %v and alerts %v after a held and a flagged transfer", holdIDs, alertIDs)
	}
	ids := func(testid string) string {
		return fmt.Sprintf(`Array.from(document.querySelectorAll('[data-testid="%s"]')).map(e => e.dataset.id).join(",")`, testid)
	}
	tb.poll(t, "the new EURt rule set is listed", `document.querySelector('[data-testid="rule-set"][data-scope="ueurt"]') !== null`, 15*time.Second)
	tb.poll(t, "the open holds equal the API's "+strings.Join(holdIDs, ","), ids("hold")+fmt.Sprintf(` === %q`, strings.Join(holdIDs, ",")), 15*time.Second)
	tb.poll(t, "the alerts equal the API's "+strings.Join(alertIDs, ","), ids("alert")+fmt.Sprintf(` === %q`, strings.Join(alertIDs, ",")), 15*time.Second)
	for _, c := range [][2]string{{"large-eurt", "hold"}, {"watch-eurt", "flag"}} {
		tb.poll(t, "a "+c[1]+" decision by rule "+c[0],
			fmt.Sprintf(`document.querySelector('[data-testid="decision"][data-rule="%s"][data-outcome="%s"]') !== null && document.querySelector('[data-testid="decisions-by-rule"] tr[data-rule="%s"]') !== null`, c[0], c[1], c[0]), 15*time.Second)
	}
	// The held amount as shown is the API's (150,000 EURt).
	last := holds.Holds[len(holds.Holds)-1]
	el := fmt.Sprintf(`document.querySelector('[data-testid="hold"][data-id="%d"] [data-amount]')`, last.ID)
	raw := eval[string](t, tb, el+`.dataset.amount + " " + `+el+`.dataset.denom`)
	shown := eval[string](t, tb, el+`.textContent`)
	if raw != last.Amount.Amount+" "+last.Amount.Denom || !shows(shown, display(t, last.Amount.Amount, x.units(t)[last.Amount.Denom])) {
		t.Errorf("hold %d shows %q (%s), API %s %s", last.ID, shown, raw, last.Amount.Amount, last.Amount.Denom)
	}
	if last.Amount.Amount != "15000000" || last.Rule != "large-eurt" {
		t.Errorf("the last open hold is %+v, want 150,000 EURt (15000000ueurt) by large-eurt", last)
	}
	if !eval[bool](t, tb, `window.__girderNoReload === true`) {
		t.Errorf("the compliance page reloaded")
	}
	tb.screenshot(t, x, "compliance-live")
	tb.consoleErrors(t)
}

// TestTimelineDispute: the public agency disputes the foundations progress report while the
// project page is open; the page shows the dispute without a reload, with its reason and block,
// under that milestone beside the engineer's attestation, as the API's timeline records them.
func TestTimelineDispute(t *testing.T) {
	x := env(t)
	type record struct {
		Seq       uint64 `json:"seq"`
		Kind      string `json:"kind"`
		Entry     uint64 `json:"entry"`
		Milestone string `json:"milestone"`
		Note      string `json:"note"`
		Height    int64  `json:"height"`
	}
	var tl struct {
		Records []record `json:"records"`
	}
	x.mustGet(t, "/projects/harbour-bridge/timeline?limit=200", &tl)
	var report uint64
	for _, r := range tl.Records {
		if r.Kind == "report" && r.Milestone == "foundations" {
			report = r.Entry
		}
	}
	if report == 0 {
		t.Fatalf("no foundations report in the demo's timeline: %+v", tl.Records)
	}
	tb := x.open(t, "/projects/harbour-bridge", 1280)
	eval[bool](t, tb, `window.__girderNoReload = true`)
	reason := fmt.Sprintf("pier 4 load test certificate missing (browser test %d)", time.Now().UnixNano())
	x.tx(t, "projects", "dispute", "validator", "harbour-bridge", strconv.FormatUint(report, 10), "--reason", reason)
	x.mustGet(t, "/projects/harbour-bridge/timeline?limit=200", &tl)
	var want record
	var attestations int
	for _, r := range tl.Records {
		if r.Kind == "dispute" && r.Note == reason {
			want = r
		}
		if r.Kind == "attestation" && r.Milestone == "foundations" {
			attestations++
		}
	}
	if want.Kind == "" || want.Milestone != "foundations" {
		t.Fatalf("the API's timeline has no dispute %q of foundations: %+v", reason, tl.Records)
	}
	under := `document.querySelector('[data-testid="milestone"][data-id="foundations"]')`
	tb.poll(t, "the dispute appears under foundations without a reload", fmt.Sprintf(`Array.from(%s.querySelectorAll('[data-testid="dispute"]')).some(e => e.textContent.includes(%q))`, under, reason), 15*time.Second)
	if !eval[bool](t, tb, `window.__girderNoReload === true`) {
		t.Errorf("the project page reloaded to show the dispute")
	}
	disputes := eval[[]string](t, tb, `Array.from(`+under+`.querySelectorAll('[data-testid="dispute"]')).map(e => e.textContent)`)
	var found bool
	for _, d := range disputes {
		found = found || (strings.Contains(d, reason) && strings.Contains(d, "#"+strconv.FormatInt(want.Height, 10)))
	}
	if !found {
		t.Errorf("foundations shows disputes %q, want one with %q at block #%d", disputes, reason, want.Height)
	}
	if got := eval[int](t, tb, under+`.querySelectorAll('[data-testid="attestation"]').length`); got != attestations {
		t.Errorf("foundations shows %d attestations, the API's timeline %d", got, attestations)
	}
	tb.screenshot(t, x, "project-dispute")
	tb.consoleErrors(t)
}
