package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/projects"
)

// TestProjectsCLI: on a real node, through the CLI only, the toll-bridge story: an admin grants
// public_agency; the agency creates the project with a document and adds the SPV, the contractor
// and the independent engineer; a cash asset is minted and sent to the project's treasury; a
// milestone with a 3 s challenge window is planned and funded; the contractor posts a report
// that the engineer attests and the SPV disputes; the contractor claims the milestone complete,
// the engineer and the agency sign off, and the tranche is released to the contractor at the end
// of the block that closes the window; the timeline shows it all in order. Bad input (a
// non-stakeholder posting, signing for a role not held, signing twice, claiming twice, disputing
// after the window, malformed flags) fails with a clear message, a non-zero exit and no change of
// state.
func TestProjectsCLI(t *testing.T) {
	ch := startCLIChain(t, "projects-test", "admin", "admin=1000GRD", "agency=1000GRD", "spv=1000GRD", "builder=1000GRD",
		"engineer=1000GRD", "bank=1000GRD", "outsider=1000GRD")
	addr, run, jsonOf := ch.addr, ch.run, ch.jsonOf
	expectText := func(out string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(out, w) {
				t.Fatalf("output lacks %q:\n%s", w, out)
			}
		}
	}
	// fails runs a command that must fail with exit code; want is the fragments its message has,
	// in order, separated by " … ".
	fails := func(code int, want string, args ...string) {
		t.Helper()
		out, stderr, got := girder(t, append(args, ch.at...)...)
		rest, ok := stderr, got == code
		for _, w := range strings.Split(want, " … ") {
			i := strings.Index(rest, w)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(w):]
		}
		if !ok {
			t.Fatalf("girder %s: exit %d, stdout %q, stderr %q; want exit %d mentioning %q", strings.Join(args, " "), got, out, stderr, code, want)
		}
	}
	balance := func(name, denom string) coin.Amount {
		t.Helper()
		var v struct{ Balances []coin.Coin }
		jsonOf(&v, "query", "balance", name)
		for _, b := range v.Balances {
			if b.Denom == denom {
				return b.Amount
			}
		}
		return 0
	}
	project := func() projects.ProjectInfo {
		t.Helper()
		var p projects.ProjectInfo
		jsonOf(&p, "query", "projects", "project", "harbour-bridge")
		return p
	}
	milestone := func() projects.Milestone {
		t.Helper()
		var m projects.Milestone
		jsonOf(&m, "query", "projects", "milestone", "harbour-bridge", "foundations")
		return m
	}
	dir := t.TempDir()
	file := func(name, content string) (string, string) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256([]byte(content))
		return p, hex.EncodeToString(h[:])
	}
	concession, concessionHash := file("concession.pdf", "concession agreement, signed 2026-11-30")
	site, siteHash := file("site-report.pdf", "piers 1-4 poured")
	asBuilt, asBuiltHash := file("as-built.pdf", "as-built drawings, foundations")

	// Only a public agency creates projects.
	createArgs := []string{"--name", "Harbour toll bridge", "--sector", "bridge", "--location", "Port Lune estuary",
		"--concession-start", "2027-01-01", "--concession-end", "2057-01-01T00:00:00Z", "--description", "A 1.2 km toll bridge",
		"--document", "concession=https://docs.example.org/concession.pdf=" + concession}
	fails(2, "signer does not hold the chain role public_agency", append([]string{"tx", "projects", "create", "agency", "harbour-bridge"}, createArgs...)...)
	run("tx", "auth", "grant-role", "admin", auth.RolePublicAgency, "agency")
	run("tx", "auth", "grant-role", "admin", auth.RoleCashIssuer, "bank")
	fails(2, `invalid projects msg: sector "bridges": want one of road, bridge`, "tx", "projects", "create", "agency", "harbour-bridge", "--name", "X", "--sector", "bridges",
		"--location", "Y", "--concession-start", "2027-01-01", "--concession-end", "2057-01-01")
	fails(1, `project id "Harbour": want 3 to 40 characters`, append([]string{"tx", "projects", "create", "agency", "Harbour"}, createArgs...)...)
	fails(1, "--concession-end 2026-01-01T00:00:00Z is not after --concession-start 2027-01-01T00:00:00Z", "tx", "projects", "create", "agency", "harbour-bridge",
		"--name", "X", "--sector", "bridge", "--location", "Y", "--concession-start", "2027-01-01", "--concession-end", "2026-01-01")
	fails(1, `required flag(s) "concession-end", "location" not set`, "tx", "projects", "create", "agency", "harbour-bridge", "--name", "X", "--sector", "bridge", "--concession-start", "2027-01-01")

	out := run(append([]string{"tx", "projects", "create", "agency", "harbour-bridge"}, createArgs...)...)
	treasury := projects.Treasury("harbour-bridge").String()
	expectText(out, "code     0 (ok)", `project harbour-bridge created: "Harbour toll bridge" (bridge), concession 2027-01-01T00:00:00Z to 2057-01-01T00:00:00Z`,
		"treasury "+treasury, "stakeholders change by the rule agency; disputed milestones are resolved by public_agency",
		"stakeholder "+addr["agency"]+" added to harbour-bridge as public_agency",
		"document concession v1 of harbour-bridge: https://docs.example.org/concession.pdf sha256 "+concessionHash)
	for _, s := range []struct{ name, role string }{{"spv", "private_partner"}, {"builder", "contractor"}, {"engineer", "independent_engineer"}} {
		out = run("tx", "projects", "add-stakeholder", "agency", "harbour-bridge", s.name, s.role)
		expectText(out, "stakeholder "+addr[s.name]+" added to harbour-bridge as "+s.role)
	}
	fails(2, "signer does not hold a project role that may do this: … harbour-bridge … public_agency … "+addr["spv"]+" holds private_partner", "tx", "projects", "add-stakeholder", "spv", "harbour-bridge", "outsider", "lender")
	fails(1, `ROLE "inspector": want one of public_agency, private_partner`, "tx", "projects", "add-stakeholder", "agency", "harbour-bridge", "outsider", "inspector")
	var stake []projects.Stakeholder
	jsonOf(&stake, "query", "projects", "stakeholders", "harbour-bridge")
	if len(stake) != 4 {
		t.Fatalf("stakeholders: %+v", stake)
	}
	var docs []projects.Document
	jsonOf(&docs, "query", "projects", "documents", "harbour-bridge")
	if len(docs) != 1 || docs[0].Name != "concession" || docs[0].Version != 1 || docs[0].Hash.String() != concessionHash {
		t.Fatalf("documents: %+v", docs)
	}

	// The cash asset, minted and sent to the project's treasury (the query shows its address).
	run("tx", "assets", "create", "bank", "ueurt", "--kind", "cash", "--name", "Tokenized euro", "--symbol", "EURt", "--decimals", "2")
	run("tx", "assets", "mint", "bank", "1000000EURt")
	p := project()
	if p.Treasury.String() != treasury || p.Name != "Harbour toll bridge" || p.Sector != "bridge" || p.StakeholderRule != projects.RuleAgency ||
		p.ResolverRole != projects.RolePublicAgency || p.ConcessionStart != time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).Unix() || len(p.Stakeholders) != 4 {
		t.Fatalf("project: %+v", p)
	}
	run("tx", "bank", "send", "bank", p.Treasury.String(), "600000EURt")
	expectText(run("query", "projects", "project", "harbour-bridge"), "project harbour-bridge: Harbour toll bridge", "treasury      "+treasury,
		"balances      600000 EURt", "escrowed      nothing", "concession    2027-01-01T00:00:00Z to 2057-01-01T00:00:00Z",
		"rule          agency (stakeholders are changed by a public_agency alone)")

	// A milestone: 250,000 EURt to the contractor on the engineer's and the agency's sign-off,
	// after a 3 s challenge window; funded from the treasury.
	planArgs := []string{"tx", "projects", "plan-milestone", "agency", "harbour-bridge", "foundations", "Foundations and piers",
		"--due", "+90d", "--payee", "builder", "--sign-off", "independent_engineer,public_agency", "--window", "3s"}
	fails(1, `--tranche "250000": give the cash asset's unit, e.g. 250000EURt`, append(planArgs, "--tranche", "250000")...)
	fails(1, `--sign-off role "inspector"`, "tx", "projects", "plan-milestone", "agency", "harbour-bridge", "foundations", "F", "--due", "+90d",
		"--payee", "builder", "--tranche", "1EURt", "--sign-off", "inspector")
	fails(1, "--min 3: want 1 to 2", append(planArgs, "--tranche", "250000EURt", "--min", "3")...)
	fails(2, `unknown asset: "ugrd" is not an asset issued on this chain`, append(planArgs, "--tranche", "250000GRD")...)
	out = run(append(planArgs, "--tranche", "250000EURt")...)
	expectText(out, "milestone foundations of harbour-bridge planned: tranche 250000 EURt to "+addr["builder"]+", due ",
		"sign-off 2 of independent_engineer, public_agency, challenge window 3s")
	out = run("tx", "projects", "fund-milestone", "agency", "harbour-bridge", "foundations")
	expectText(out, "milestone foundations of harbour-bridge funded: 250000 EURt moved from the treasury into escrow")
	fails(2, "milestone already funded", "tx", "projects", "fund-milestone", "spv", "harbour-bridge", "foundations")
	if b := balance(treasury, "ueurt"); b != 35_000_000 {
		t.Fatalf("treasury holds %d ueurt after funding, want 35000000", b)
	}

	// The ledger: the contractor reports, the engineer attests, the SPV disputes.
	out = run("tx", "projects", "post-report", "builder", "harbour-bridge", "--milestone", "foundations", "--percent", "60%",
		"--summary", "Piers 1-4 poured", "--doc", "https://docs.example.org/site-report.pdf="+site)
	expectText(out, "entry 1 posted to the ledger of harbour-bridge: 60% of milestone foundations (by "+addr["builder"]+" as contractor)")
	out = run("tx", "projects", "attest", "engineer", "harbour-bridge", "1", "--note", "seen on site")
	expectText(out, "entry 1 of harbour-bridge attested by "+addr["engineer"]+" (independent_engineer): seen on site")
	out = run("tx", "projects", "dispute", "spv", "harbour-bridge", "1", "--reason", "pier 4 not poured at inspection")
	expectText(out, "entry 1 of harbour-bridge disputed by "+addr["spv"]+" (private_partner): pier 4 not poured at inspection")
	var e projects.EntryInfo
	jsonOf(&e, "query", "projects", "entry", "harbour-bridge", "1")
	if e.Author.String() != addr["builder"] || e.Percent != 60 || e.Milestone != "foundations" || len(e.Documents) != 1 ||
		e.Documents[0].Hash.String() != siteHash || e.Attested != 1 || e.Disputed != 1 || e.Hash.IsZero() {
		t.Fatalf("entry 1: %+v", e)
	}
	expectText(run("query", "projects", "entry", "harbour-bridge", "1"), "progress      60% of milestone foundations",
		"attest   by engineer (independent_engineer) at height ", "dispute  by spv (private_partner) at height ")

	// Bad input: none of it changes anything.
	before := project()
	fails(2, "signer is not a stakeholder of the project: "+addr["outsider"]+" holds no role in project harbour-bridge",
		"tx", "projects", "post-report", "outsider", "harbour-bridge", "--percent", "100", "--summary", "all done")
	fails(2, "the author of an entry cannot attest or dispute it", "tx", "projects", "attest", "builder", "harbour-bridge", "1")
	fails(2, "signer already attested or disputed the entry: "+addr["engineer"], "tx", "projects", "dispute", "engineer", "harbour-bridge", "1", "--reason", "changed my mind")
	fails(2, "the milestone's status does not allow this: milestone foundations of project harbour-bridge is not claimed complete",
		"tx", "projects", "sign-off", "engineer", "harbour-bridge", "foundations", "--as", "independent_engineer")
	fails(1, `--percent "120": want a whole percentage from 0 to 100`, "tx", "projects", "post-report", "builder", "harbour-bridge", "--percent", "120", "--summary", "x")
	fails(1, `--doc "https://x.org/a.pdf": want URI=FILE`, "tx", "projects", "post-report", "builder", "harbour-bridge", "--percent", "1", "--summary", "x", "--doc", "https://x.org/a.pdf")
	fails(1, `entry id "first"`, "tx", "projects", "attest", "engineer", "harbour-bridge", "first")
	if after := project(); after.Timeline != before.Timeline || after.Entries != 1 || after.TimelineHash != before.TimelineHash {
		t.Fatalf("bad input changed the project: timeline %d → %d, entries %d", before.Timeline, after.Timeline, after.Entries)
	}

	// The contractor claims; the engineer and the agency sign off.
	fails(2, "signer is not the milestone's payee", "tx", "projects", "claim-complete", "engineer", "harbour-bridge", "foundations")
	out = run("tx", "projects", "claim-complete", "builder", "harbour-bridge", "foundations", "--doc", "https://docs.example.org/as-built.pdf="+asBuilt, "--note", "ready for inspection")
	expectText(out, "milestone foundations of harbour-bridge claimed complete (claim 1, 1 evidence document(s)): it needs the sign-off of 2 of independent_engineer, public_agency")
	fails(2, "milestone already claimed complete: milestone foundations of project harbour-bridge was claimed complete at height ", "tx", "projects", "claim-complete", "builder", "harbour-bridge", "foundations")
	fails(2, "signer does not hold the role in the project: "+addr["engineer"]+" holds independent_engineer in project harbour-bridge, not public_agency",
		"tx", "projects", "sign-off", "engineer", "harbour-bridge", "foundations", "--as", "public_agency")
	fails(1, `--as "engineer": want one of`, "tx", "projects", "sign-off", "engineer", "harbour-bridge", "foundations", "--as", "engineer")
	out = run("tx", "projects", "sign-off", "engineer", "harbour-bridge", "foundations", "--as", "independent_engineer")
	expectText(out, "milestone foundations of harbour-bridge signed off as independent_engineer by "+addr["engineer"]+" (1 of 2 sign-offs)")
	fails(2, "already signed off: the role independent_engineer signed off milestone foundations of project harbour-bridge already",
		"tx", "projects", "sign-off", "engineer", "harbour-bridge", "foundations", "--as", "independent_engineer")
	fails(2, "the milestone's status does not allow this: milestone foundations of project harbour-bridge is claimed",
		"tx", "projects", "dispute-milestone", "spv", "harbour-bridge", "foundations", "--reason", "too early")
	m := milestone()
	if m.Status != projects.MilestoneClaimed || m.Claims != 1 || len(m.SignOffs) != 1 || m.Evidence[0].Hash.String() != asBuiltHash || m.ClaimNote != "ready for inspection" {
		t.Fatalf("claimed milestone: %+v", m)
	}
	out = run("tx", "projects", "sign-off", "agency", "harbour-bridge", "foundations", "--as", "public_agency")
	expectText(out, "(2 of 2 sign-offs)", "milestone foundations of harbour-bridge is signed off: challenge window until ",
		"undisputed, the tranche is released to the payee at the end of the first block at or after it")

	// The window closes undisputed: the tranche is released at the end of a block.
	deadline := time.Now().Add(60 * time.Second)
	for m = milestone(); m.Status != projects.MilestoneReleased; m = milestone() {
		if time.Now().After(deadline) {
			t.Fatalf("milestone not released: %+v", m)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if m.WindowEnds != m.SignedOffTime+3 || m.Released != 25_000_000 || m.ReleasedVia != projects.ViaWindow || m.ReleasedHeight == 0 || len(m.SignOffs) != 2 {
		t.Fatalf("released milestone: %+v", m)
	}
	if b := balance("builder", "ueurt"); b != 25_000_000 {
		t.Fatalf("the contractor holds %d ueurt, want 25000000 (250000 EURt)", b)
	}
	if b := balance(treasury, "ueurt"); b != 35_000_000 {
		t.Fatalf("treasury holds %d ueurt, want 35000000", b)
	}
	timelineBefore := project().Timeline
	fails(2, "the challenge window has closed: the challenge window of milestone foundations of project harbour-bridge closed at ",
		"tx", "projects", "dispute-milestone", "spv", "harbour-bridge", "foundations", "--reason", "too late")
	fails(2, "already signed off", "tx", "projects", "sign-off", "spv", "harbour-bridge", "foundations", "--as", "private_partner")
	fails(2, "the milestone's status does not allow this: milestone foundations of project harbour-bridge is released", "tx", "projects", "claim-complete", "builder", "harbour-bridge", "foundations")
	if p := project(); p.Timeline != timelineBefore || len(p.Escrowed) != 0 || balance("builder", "ueurt") != 25_000_000 {
		t.Fatalf("bad input after the release changed state: %+v", p)
	}
	out = run("query", "projects", "milestone", "harbour-bridge", "foundations")
	expectText(out, "milestone foundations of project harbour-bridge (released: the tranche was paid to the payee)",
		"tranche       250000 EURt (25000000ueurt)", "payee         builder", "sign-off      2 of independent_engineer, public_agency",
		"signed off    as independent_engineer by engineer at height ", "signed off    as public_agency by agency at height ",
		"released      250000 EURt (25000000ueurt) at height ", "the challenge window closed undisputed")
	expectText(run("query", "projects", "milestones", "harbour-bridge"), "foundations", "released", "250000 EURt", "yes", "builder", "2 of independent_engineer, public_agency", "3s")
	var esc projects.EscrowInfo
	jsonOf(&esc, "query", "projects", "escrow")
	if len(esc.Totals) != 1 || esc.Totals[0] != (projects.Totals{Denom: "ueurt", Funded: 25_000_000, Released: 25_000_000}) || len(esc.Balances) != 0 {
		t.Fatalf("escrow: %+v", esc)
	}

	// The timeline: everything, in order, with who and which role.
	var tl projects.TimelineList
	jsonOf(&tl, "query", "projects", "timeline", "harbour-bridge")
	kinds := []string{projects.TLCreated, projects.TLStakeholderAdded, projects.TLDocumentSet, projects.TLStakeholderAdded, projects.TLStakeholderAdded,
		projects.TLStakeholderAdded, projects.TLMilestonePlanned, projects.TLMilestoneFunded, projects.TLReport, projects.TLAttestation, projects.TLDispute,
		projects.TLMilestoneClaimed, projects.TLMilestoneSignOff, projects.TLMilestoneSignOff, projects.TLMilestoneSignedOff, projects.TLMilestoneReleased}
	if len(tl.Records) != len(kinds) {
		t.Fatalf("timeline has %d records, want %d: %+v", len(tl.Records), len(kinds), tl.Records)
	}
	for i, r := range tl.Records {
		if r.Kind != kinds[i] || r.Seq != uint64(i+1) || (i > 0 && r.Height < tl.Records[i-1].Height) {
			t.Fatalf("timeline record %d: %+v; want kind %s", i+1, r, kinds[i])
		}
	}
	if last := tl.Records[len(tl.Records)-1]; last.By != nil || last.Account.String() != addr["builder"] || *last.Amount != coin.New("ueurt", 25_000_000) || last.Height != m.ReleasedHeight {
		t.Fatalf("release record: %+v", last)
	}
	out = run("query", "projects", "timeline", "harbour-bridge")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{
		`agency \(public_agency\)\s+created the project "Harbour toll bridge"`,
		`agency \(public_agency\)\s+added agency as public_agency`,
		`agency \(public_agency\)\s+set document concession \(sha256 ` + concessionHash + `\)`,
		`agency \(public_agency\)\s+added spv as private_partner`,
		`agency \(public_agency\)\s+added builder as contractor`,
		`agency \(public_agency\)\s+added engineer as independent_engineer`,
		`agency \(public_agency\)\s+planned milestone foundations: 250000 EURt to builder, due \S+, sign-off 2 of independent_engineer, public_agency`,
		`agency \(public_agency\)\s+funded milestone foundations: 250000 EURt from the treasury into escrow`,
		`builder \(contractor\)\s+posted entry 1: 60% of milestone foundations`,
		`engineer \(independent_engineer\)\s+attested entry 1: seen on site`,
		`spv \(private_partner\)\s+disputed entry 1: pier 4 not poured at inspection`,
		`builder \(contractor\)\s+claimed milestone foundations complete: ready for inspection`,
		`engineer \(independent_engineer\)\s+signed off milestone foundations as independent_engineer`,
		`agency \(public_agency\)\s+signed off milestone foundations as public_agency`,
		`chain\s+milestone foundations signed off: challenge window until \S+Z`,
		`chain\s+released 250000 EURt to builder for milestone foundations \(the challenge window closed undisputed\)`,
	}
	if len(lines) != len(want)+1 || !regexp.MustCompile(`^HEIGHT\s+TIME\s+WHO \(ROLE\)\s+WHAT$`).MatchString(lines[0]) {
		t.Fatalf("timeline text: %d lines, want a header and %d records:\n%s", len(lines), len(want), out)
	}
	for i, w := range want {
		re := regexp.MustCompile(`^[0-9]+\s+[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\s+` + w + `$`)
		if !re.MatchString(lines[i+1]) {
			t.Fatalf("timeline line %d is %q, want it to match %s\n%s", i+1, lines[i+1], re, out)
		}
	}
	jsonOf(&tl, "query", "projects", "timeline", "harbour-bridge", "--after", "14", "--limit", "1")
	if len(tl.Records) != 1 || tl.Records[0].Seq != 15 || tl.Next != 15 {
		t.Fatalf("timeline page after 14: %+v", tl)
	}
	expectText(run("query", "projects", "timeline", "harbour-bridge", "--limit", "2", "--addresses"), "more: repeat with --after 2", addr["agency"]+" (public_agency)")

	// Queries: lists, and bad arguments.
	var list projects.ProjectList
	jsonOf(&list, "query", "projects", "list", "--sector", "bridge")
	if len(list.Projects) != 1 || list.Projects[0].ID != "harbour-bridge" || list.Projects[0].Entries != 1 {
		t.Fatalf("projects: %+v", list)
	}
	expectText(run("query", "projects", "list", "--sector", "road"), "no projects")
	expectText(run("query", "projects", "entries", "harbour-bridge"), "builder (contractor)", "foundations", "60%", "Piers 1-4 poured")
	expectText(run("query", "projects", "params"), "per block  200")
	fails(2, `no project "tunnel-north"`, "query", "projects", "project", "tunnel-north")
	fails(2, `project harbour-bridge has no milestone "deck"`, "query", "projects", "milestone", "harbour-bridge", "deck")
	fails(1, `--sector "bridges": want one of`, "query", "projects", "list", "--sector", "bridges")
	fails(1, `project id "a/b"`, "query", "projects", "timeline", "a/b")
	fails(1, "takes 2 argument(s), got 1", "query", "projects", "milestone", "harbour-bridge")

	// The security token and its DAO: a public agency links it once; parameters; the DAO's spend
	// is printed for a proposal (no key signs it), and nothing is sent.
	run("tx", "auth", "grant-role", "admin", auth.RoleAssetIssuer, "spv")
	run("tx", "assets", "create", "spv", "ubridge", "--kind", "security", "--name", "Harbour bridge notes", "--symbol", "BRIDGE", "--decimals", "0")
	fails(2, "signer does not hold a project role that may do this", "tx", "projects", "set-security", "spv", "harbour-bridge", "ubridge")
	fails(2, "the asset is not a security token: ueurt is a cash asset", "tx", "projects", "set-security", "agency", "harbour-bridge", "ueurt")
	fails(1, "project harbour-bridge has no security token linked, so no DAO", "tx", "projects", "spend", "harbour-bridge", "builder", "10EURt", "--reason", "x")
	dao := authority.DAO("ubridge").String()
	expectText(run("tx", "projects", "set-security", "agency", "harbour-bridge", "ubridge"), "security token of harbour-bridge: ubridge; its DAO "+dao)
	fails(2, "the project's security token is linked already", "tx", "projects", "set-security", "agency", "harbour-bridge", "ubridge")
	fails(2, "the project's security token is linked already", "tx", "projects", "set-security", "agency", "harbour-bridge", "BRIDGE") // the symbol names it too
	expectText(run("query", "projects", "project", "harbour-bridge"), "security      ubridge (its DAO "+dao+" acts through proposals)")
	expectText(run("tx", "projects", "set-parameter", "agency", "harbour-bridge", "tariff_cap", "3.50 EUR per car", "--protected"),
		`parameter tariff_cap of harbour-bridge set to "3.50 EUR per car", version 1 (protected`)
	fails(2, "the parameter is protected", "tx", "projects", "set-parameter", "agency", "harbour-bridge", "tariff_cap", "9 EUR")
	fails(1, `parameter name "Tariff"`, "tx", "projects", "set-parameter", "agency", "harbour-bridge", "Tariff", "1")
	var prm projects.ParameterInfo
	jsonOf(&prm, "query", "projects", "parameter", "harbour-bridge", "tariff_cap")
	if prm.Value != "3.50 EUR per car" || !prm.Protected || len(prm.History) != 1 {
		t.Fatalf("parameter: %+v", prm)
	}
	expectText(run("query", "projects", "parameters", "harbour-bridge"), "tariff_cap", "v1", "3.50 EUR per car", "true", "agency")
	timelineBefore = project().Timeline
	for _, c := range []struct {
		args []string
		typ  string
		want string
	}{
		{[]string{"tx", "projects", "spend", "harbour-bridge", "builder", "100EURt", "--reason", "toll booth software"}, "projects/spend",
			`"amount": {` + "\n" + `      "denom": "ueurt",`},
		{[]string{"tx", "projects", "set-parameter", "dao", "harbour-bridge", "tariff_cap", "3.80 EUR per car", "--protected"}, "projects/set_parameter", `"protected": true`},
	} {
		out, _, code := girder(t, append(c.args, ch.at...)...)
		var msg struct {
			Type  string         `json:"type"`
			Value map[string]any `json:"value"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &msg) != nil || msg.Type != c.typ || msg.Value["authority"] != dao || !strings.Contains(out, c.want) {
			t.Fatalf("%v: exit %d, %s", c.args, code, out)
		}
	}
	if p := project(); p.Timeline != timelineBefore || balance(treasury, "ueurt") != 35_000_000 {
		t.Fatal("printing a DAO msg changed state")
	}
	if err := ch.node.App.Invariants(); err != nil {
		t.Fatal(err)
	}
}
