package app

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtlog "github.com/cometbft/cometbft/libs/log"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/fees"
	"github.com/girder-chain/girder/x/identity"
)

// Accounts of the compliance scenario (besides idAdmin, idKYC1, idOfficer of the identity one).
const (
	cInvestor   = 3 // identity "investor-1": verified, its credential expires during the scenario
	cUnverified = 4 // no identity
	cSanctioned = 5 // identity "sanctioned": verified, but on the chain's deny list
	cIssuer     = 6 // holds the bridge tokens; exempt from the claims rule
	cInvestor2  = 7 // identity "investor-2": verified for the whole scenario
)

const bridgeDenom = "ubridge"

// complianceScenario is the identity scenario's chain with a security token, ubridge.
type complianceScenario struct {
	*idScenario
	bridge  map[int]coin.Amount // ubridge balances after the last block
	results []recordedBlock
}

// recordedBlock is a committed block's results, as the audit report reads them.
type recordedBlock struct {
	height int64
	time   time.Time
	txs    [][]byte
	res    *abci.FinalizeBlockResponse
}

func newComplianceScenario(t *testing.T) *complianceScenario {
	t.Helper()
	tree := store.OpenMemory()
	a, err := New(tree, cmtlog.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, app: a, tree: tree, time: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	for i := 0; i < 8; i++ {
		h.accs = append(h.accs, testAccount(fmt.Sprintf("co%d", i)))
	}
	h.genesis = startFunds * coin.Amount(len(h.accs))
	var st map[string]json.RawMessage
	if err := json.Unmarshal(genesisState(t, h.accs, fees.DefaultParams()), &st); err != nil {
		t.Fatal(err)
	}
	var bg bank.Genesis
	if err := json.Unmarshal(st["bank"], &bg); err != nil {
		t.Fatal(err)
	}
	bg.Units = append(bg.Units, coin.Unit{Base: bridgeDenom, Display: "BRIDGE", Exponent: 6})
	bg.Balances = append(bg.Balances, bank.Balance{Address: h.accs[cIssuer].addr, Coins: []coin.Coin{coin.New(bridgeDenom, 1_000_000)}})
	st["bank"], _ = json.Marshal(bg)
	st["auth"], _ = json.Marshal(auth.Genesis{Accounts: []auth.Account{}, Roles: []auth.GenesisRole{
		{Role: auth.RoleAdmin, Address: h.accs[idAdmin].addr},
		{Role: auth.RoleKYCProvider, Address: h.accs[idKYC1].addr},
		{Role: auth.RoleComplianceOfficer, Address: h.accs[idOfficer].addr},
	}})
	st["identity"], _ = json.Marshal(identity.Genesis{Trust: []identity.Trust{{Issuer: h.accs[idKYC1].addr, Claims: identity.ClaimKinds, SetBy: h.accs[idAdmin].addr}}})
	raw, _ := json.Marshal(st)
	if _, err := a.InitChain(context.Background(), &abci.InitChainRequest{ChainId: testChain, InitialHeight: 1, Time: h.time, AppStateBytes: raw}); err != nil {
		t.Fatal(err)
	}
	s := &complianceScenario{idScenario: &idScenario{h: h, nonces: map[int]uint64{}}, bridge: map[int]coin.Amount{}}
	s.bridge[cIssuer] = 1_000_000
	return s
}

func bridge(n coin.Amount) coin.Coin { return coin.New(bridgeDenom, n) }

// send is a signed ubridge transfer from account i to account j.
func (s *complianceScenario) send(i, j int, n coin.Amount) []byte {
	return s.tx(i, &bank.MsgSend{From: s.addr(i), To: s.addr(j), Amount: bridge(n)})
}

func rejected(raw []byte) outcome {
	return outcome{raw: raw, module: compliance.ModuleName, code: compliance.ErrRejected.Code}
}

// block commits the txs and checks, besides every invariant: no account's ubridge balance grew
// unless its identity held the claims the ubridge rules require at that block's time (the issuer
// is exempt), and the hold account holds exactly the open holds (an invariant too).
func (s *complianceScenario) block(outs ...outcome) *abci.FinalizeBlockResponse {
	s.h.t.Helper()
	var txs [][]byte
	for _, o := range outs {
		txs = append(txs, o.raw)
	}
	s.idScenario.block(outs...)
	res := s.lastResults
	s.results = append(s.results, recordedBlock{height: s.h.height, time: s.h.time, txs: txs, res: res})
	ctx := s.h.ctx()
	for i, acc := range s.h.accs {
		now := s.h.app.Bank.Balance(ctx, acc.addr, bridgeDenom)
		if now > s.bridge[i] && i != cIssuer {
			c, ok := s.h.app.Identity.Claims(ctx, acc.addr)
			if !ok || c.KYCLevel < 1 || !c.SanctionsScreened {
				s.h.t.Fatalf("height %d: account %d received ubridge without the required claims (%+v)", s.h.height, i, c)
			}
		}
		s.bridge[i] = now
	}
	return res
}

// decisions lists the compliance.decision events of a block's txs as "outcome:rule".
func decisions(res *abci.FinalizeBlockResponse) []string {
	var out []string
	for _, r := range res.TxResults {
		for _, e := range r.Events {
			if e.Type != "compliance.decision" {
				continue
			}
			at := map[string]string{}
			for _, a := range e.Attributes {
				at[a.Key] = a.Value
			}
			out = append(out, at["outcome"]+":"+at["rule"])
		}
	}
	return out
}

// TestComplianceScenario is the issue's acceptance scenario, over many blocks with every
// invariant checked after each: a verified investor receives; an unverified one is rejected with
// the rule named; an expired credential starts failing at expiry; a large transfer is held, then
// released by the officer; a sanctioned receiver is rejected; a velocity limit resets after its
// window; a hold nobody decides returns at its deadline.
func TestComplianceScenario(t *testing.T) {
	s := newComplianceScenario(t)
	h := s.h
	officer, kyc := s.addr(idOfficer), s.addr(idKYC1)
	ev := identity.Hash(sha256.Sum256([]byte("kyc files")))
	s.block()

	// Block 2: identities and credentials; investor-1's credential expires 20 s later.
	expiry := h.time.Add(21 * time.Second).Unix()
	claims := identity.ClaimSet{KYCLevel: 2, Jurisdiction: "DE", InvestorType: "professional", SanctionsScreened: true}
	s.block(
		ok(s.tx(idKYC1, &identity.MsgRegister{Provider: kyc, ID: "investor-1", Accounts: []address.Address{s.addr(cInvestor)}},
			&identity.MsgRegister{Provider: kyc, ID: "investor-2", Accounts: []address.Address{s.addr(cInvestor2)}},
			&identity.MsgRegister{Provider: kyc, ID: "sanctioned", Accounts: []address.Address{s.addr(cSanctioned)}},
			&identity.MsgIssue{Issuer: kyc, ID: "investor-1", Claims: claims, Expiry: expiry, EvidenceHash: ev},
			&identity.MsgIssue{Issuer: kyc, ID: "investor-2", Claims: claims, Expiry: h.time.AddDate(1, 0, 0).Unix(), EvidenceHash: ev},
			&identity.MsgIssue{Issuer: kyc, ID: "sanctioned", Claims: claims, Expiry: h.time.AddDate(1, 0, 0).Unix(), EvidenceHash: ev})),
	)

	// Block 3: the officer sets the rules and lists the sanctioned account; a non-officer cannot.
	s.block(
		ok(s.tx(idOfficer,
			&compliance.MsgSetRules{Officer: officer, Rules: []compliance.Rule{
				{ID: "sanctions", Kind: compliance.KindDenyList, Outcome: compliance.OutcomeReject, Params: compliance.Params{Side: compliance.SideBoth}}}},
			&compliance.MsgSetRules{Officer: officer, Asset: bridgeDenom, Rules: []compliance.Rule{
				{ID: "kyc", Kind: compliance.KindRequiredClaims, Outcome: compliance.OutcomeReject,
					Params: compliance.Params{Side: compliance.SideReceiver, KYCLevel: 1, Sanctions: true, Exempt: []address.Address{s.addr(cIssuer)}}},
				{ID: "large", Kind: compliance.KindLargeTransfer, Outcome: compliance.OutcomeHold, Params: compliance.Params{Amount: 50_000, HoldFor: 30}},
				{ID: "watch", Kind: compliance.KindLargeTransfer, Outcome: compliance.OutcomeFlag, Params: compliance.Params{Amount: 20_000, Severity: compliance.SeverityHigh}},
				{ID: "daily", Kind: compliance.KindVelocity, Outcome: compliance.OutcomeReject, Params: compliance.Params{Amount: 100_000, Window: 60}},
			}},
			&compliance.MsgDeny{Officer: officer, Account: s.addr(cSanctioned), Reason: "OFAC SDN match"})),
		outcome{s.tx(cUnverified, &compliance.MsgDeny{Officer: s.addr(cUnverified), Account: s.addr(cInvestor), Reason: "spite"}), compliance.ModuleName, compliance.ErrNotOfficer.Code},
	)

	// Block 4: a verified investor receives; an unverified one and a sanctioned one are rejected,
	// each with its rule named, and nothing of theirs moves.
	res := s.block(
		ok(s.send(cIssuer, cInvestor, 10_000)),
		rejected(s.send(cIssuer, cUnverified, 10_000)),
		rejected(s.send(cIssuer, cSanctioned, 1_000)),
	)
	if !strings.Contains(res.TxResults[1].Log, "rule kyc") || !strings.Contains(res.TxResults[1].Log, "no verified identity") {
		t.Fatalf("unverified receiver: %q", res.TxResults[1].Log)
	}
	if !strings.Contains(res.TxResults[2].Log, "rule sanctions") || !strings.Contains(res.TxResults[2].Log, "OFAC SDN match") {
		t.Fatalf("sanctioned receiver: %q", res.TxResults[2].Log)
	}
	if got := decisions(res); !reflect.DeepEqual(got, []string{"reject:kyc", "reject:sanctions"}) {
		t.Fatalf("decisions %v", got)
	}
	if s.bridge[cInvestor] != 10_000 || s.bridge[cUnverified] != 0 || s.bridge[cSanctioned] != 0 || s.bridge[cIssuer] != 990_000 {
		t.Fatalf("balances after block 4: %v", s.bridge)
	}

	// Block 5: a large transfer is held; block 6: the officer releases it (a second decision and
	// a non-officer's decision fail).
	res = s.block(ok(s.send(cIssuer, cInvestor2, 60_000)))
	if got := decisions(res); !reflect.DeepEqual(got, []string{"hold:large"}) {
		t.Fatalf("decisions %v", got)
	}
	hold, _ := h.app.Compliance.Hold(h.ctx(), 1)
	if hold.Status != compliance.HoldOpen || s.bridge[cInvestor2] != 0 || h.app.Bank.Balance(h.ctx(), compliance.HoldAccount, bridgeDenom) != 60_000 {
		t.Fatalf("held: %+v, investor-2 holds %d", hold, s.bridge[cInvestor2])
	}
	s.block(
		outcome{s.tx(cInvestor, &compliance.MsgDecideHold{Officer: s.addr(cInvestor), Hold: 1, Action: compliance.ActionRelease, Reason: "mine"}), compliance.ModuleName, compliance.ErrNotOfficer.Code},
		ok(s.tx(idOfficer, &compliance.MsgDecideHold{Officer: officer, Hold: 1, Action: compliance.ActionRelease, Reason: "source of funds documented"})),
		outcome{s.tx(idOfficer, &compliance.MsgDecideHold{Officer: officer, Hold: 1, Action: compliance.ActionReturn, Reason: "twice"}), compliance.ModuleName, compliance.ErrHoldDecided.Code},
	)
	if s.bridge[cInvestor2] != 60_000 {
		t.Fatalf("released hold: investor-2 holds %d", s.bridge[cInvestor2])
	}

	// Blocks 7-9: investor-2 sends 45,000 twice (each flagged: at or above 20,000) and a third
	// time, which would exceed 100,000 in 60 s: rejected by the velocity rule.
	res = s.block(ok(s.send(cInvestor2, cInvestor, 45_000)))
	if got := decisions(res); !reflect.DeepEqual(got, []string{"flag:watch"}) {
		t.Fatalf("decisions %v", got)
	}
	s.block(ok(s.send(cInvestor, cInvestor2, 45_000))) // back, so investor-2 can send again
	s.block(ok(s.send(cInvestor2, cInvestor, 45_000)))
	lastSent := h.time
	res = s.block(rejected(s.send(cInvestor2, cInvestor, 10_001)))
	if !strings.Contains(res.TxResults[0].Log, "rule daily") {
		t.Fatalf("velocity: %q", res.TxResults[0].Log)
	}
	// investor-1's credential expires (block time reaches its expiry): it stops receiving.
	for h.time.Unix() < expiry-1 {
		s.block(ok(s.send(cIssuer, cInvestor, 1)))
	}
	res = s.block(rejected(s.send(cIssuer, cInvestor, 1)))
	if h.time.Unix() != expiry || !strings.Contains(res.TxResults[0].Log, "no KYC level that counts") {
		t.Fatalf("at expiry (block time %d, expiry %d): %q", h.time.Unix(), expiry, res.TxResults[0].Log)
	}
	// Once the velocity window (60 s) has passed since investor-2's last send, the same 10,001
	// that was refused goes through (to the issuer, exempt from the claims rule).
	for h.time.Before(lastSent.Add(60 * time.Second)) {
		s.block()
	}
	s.block(ok(s.send(cInvestor2, cIssuer, 10_001)))

	// A hold nobody decides returns at its deadline (30 s), at the end of the block.
	res = s.block(ok(s.send(cIssuer, cInvestor2, 70_000)))
	holdAt := h.time
	if got := decisions(res); !reflect.DeepEqual(got, []string{"hold:large"}) {
		t.Fatalf("decisions %v", got)
	}
	issuerBefore := s.bridge[cIssuer]
	var expired *abci.FinalizeBlockResponse
	for h.time.Before(holdAt.Add(30 * time.Second)) {
		expired = s.block()
	}
	hold, _ = h.app.Compliance.Hold(h.ctx(), 2)
	if hold.Status != compliance.HoldExpired || s.bridge[cIssuer] != issuerBefore+70_000 {
		t.Fatalf("after the deadline: %+v, issuer %d (was %d)", hold, s.bridge[cIssuer], issuerBefore)
	}
	if len(expired.Events) == 0 || expired.Events[len(expired.Events)-1].Type != "compliance.hold_expired" {
		t.Fatalf("the expiry block's events: %v", expired.Events)
	}
	if t.Failed() {
		return
	}
	checkAuditTrail(t, s)
}

// checkAuditTrail checks what the chain recorded over the scenario: the decisions other than
// plain allows, hold resolutions and rule changes, in order.
func checkAuditTrail(t *testing.T, s *complianceScenario) {
	t.Helper()
	var got []string
	for _, b := range s.results {
		for _, r := range b.res.TxResults {
			for _, e := range r.Events {
				if strings.HasPrefix(e.Type, "compliance.") {
					got = append(got, fmt.Sprintf("%d %s %s", b.height, e.Type, attr(e, "rule", "action", "scope")))
				}
			}
		}
		for _, e := range b.res.Events {
			if strings.HasPrefix(e.Type, "compliance.") {
				got = append(got, fmt.Sprintf("%d %s %s", b.height, e.Type, attr(e, "rule")))
			}
		}
	}
	want := []string{
		"3 compliance.rules_set scope=chain", "3 compliance.rules_set scope=ubridge", "3 compliance.denied scope=chain",
		"4 compliance.decision rule=kyc scope=ubridge", "4 compliance.decision rule=sanctions scope=chain",
		"5 compliance.decision rule=large scope=ubridge",
		"6 compliance.hold_decided rule=large action=release",
		"7 compliance.decision rule=watch scope=ubridge", "8 compliance.decision rule=watch scope=ubridge", "9 compliance.decision rule=watch scope=ubridge",
		"10 compliance.decision rule=daily scope=ubridge",
	}
	// after block 10: the expiry rejection, the hold that expires.
	rest := got[len(want):]
	got = got[:len(want)]
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("audit trail:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(rest) != 3 || !strings.HasSuffix(rest[0], "compliance.decision rule=kyc scope=ubridge") ||
		!strings.HasSuffix(rest[1], "compliance.decision rule=large scope=ubridge") || !strings.HasSuffix(rest[2], "compliance.hold_expired rule=large") {
		t.Fatalf("audit trail after block 10: %v", rest)
	}
}

func attr(e abci.Event, keys ...string) string {
	var out []string
	for _, k := range keys {
		for _, a := range e.Attributes {
			if a.Key == k {
				out = append(out, k+"="+a.Value)
			}
		}
	}
	return strings.Join(out, " ")
}
