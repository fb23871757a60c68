package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/keyring"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/distributions"
	"github.com/girder-chain/girder/x/governance"
	"github.com/girder-chain/girder/x/identity"
	"github.com/girder-chain/girder/x/offerings"
	"github.com/girder-chain/girder/x/passes"
	"github.com/girder-chain/girder/x/projects"
)

// The dev chain's demo project: the Harbour Bridge, financed by its security token BRIDGE sold
// for the tokenized euro EURt, with one dividend paid (left for the holders to claim).
const (
	demoProject  = "harbour-bridge"
	demoSecurity = "ubridge" // BRIDGE, 6 decimals
	demoCash     = "ueurt"   // EURt, 2 decimals
)

// demoTaxOffice receives the tax withheld from the demo dividend (an account nobody holds a key to).
var demoTaxOffice = address.Module("demo/tax-office")

// seedDemo writes the demo data of a new dev chain through ordinary signed txs, so the chain's
// history shows how each step is done: identities for alice (DE) and bob (FR); the project
// harbour-bridge with its SPV, contractor and independent engineer; the cash asset EURt and the
// project's security BRIDGE, with a prospectus and a KYC rule; an offering of BRIDGE for EURt that
// alice and bob subscribe and that settles into the project's treasury; a checkpoint and a
// dividend of 123,456.78 EURt with German withholding tax, which alice and bob have yet to claim;
// then the works (seedWorks), the DAO's proposal (seedProposal) and the passes (seedPasses).
func seedDemo(ctx context.Context, c *client.Client, kr *keyring.Keyring, out io.Writer) error {
	signer := func(name string) (keySigner, error) {
		s, err := kr.Signer(name)
		return keySigner{s}, err
	}
	v, err := signer("validator")
	if err != nil {
		return err
	}
	alice, err := signer("alice")
	if err != nil {
		return err
	}
	bob, err := signer("bob")
	if err != nil {
		return err
	}
	spv, err := signer("spv")
	if err != nil {
		return err
	}
	contractor, err := signer("contractor")
	if err != nil {
		return err
	}
	engineer, err := signer("engineer")
	if err != nil {
		return err
	}
	send := func(step string, s keySigner, msgs ...tx.Msg) (*client.Result, error) {
		r, err := c.Send(ctx, s, msgs, client.BuildOptions{})
		if err == nil {
			err = r.Err()
		}
		if err != nil {
			return nil, fmt.Errorf("demo data: %s: %w", step, err)
		}
		fmt.Fprintf(out, "  demo: %-52s height %d\n", step, r.Height)
		return r, nil
	}
	va := v.Address()
	now := time.Now()
	evidence := identity.Hash(sha256.Sum256([]byte("demo KYC file")))
	expiry := now.AddDate(1, 0, 0).Unix()
	fmt.Fprintln(out, "Writing the demo data (first run only):")
	if _, err := send("identities for alice (DE) and bob (FR)", v,
		&identity.MsgSetTrust{Authority: va, Issuer: va, Claims: identity.ClaimKinds},
		&identity.MsgRegister{Provider: va, ID: "alice", Accounts: []address.Address{alice.Address()}},
		&identity.MsgRegister{Provider: va, ID: "bob", Accounts: []address.Address{bob.Address()}},
		&identity.MsgIssue{Issuer: va, ID: "alice", Claims: identity.ClaimSet{KYCLevel: 2, Jurisdiction: "DE", InvestorType: "professional", SanctionsScreened: true},
			Expiry: expiry, EvidenceHash: evidence},
		&identity.MsgIssue{Issuer: va, ID: "bob", Claims: identity.ClaimSet{KYCLevel: 2, Jurisdiction: "FR", InvestorType: "retail", SanctionsScreened: true},
			Expiry: expiry, EvidenceHash: evidence},
	); err != nil {
		return err
	}
	treasury := projects.Treasury(demoProject)
	concession := projects.Hash(sha256.Sum256([]byte("Harbour Bridge concession agreement")))
	if _, err := send("project harbour-bridge and its stakeholders", v, &projects.MsgCreate{Creator: va, ID: demoProject,
		Name: "Harbour Bridge", Sector: "bridge", Location: "Port Ellen harbour crossing", ConcessionStart: now.Unix(),
		ConcessionEnd: now.AddDate(30, 0, 0).Unix(), Description: "A 1.2 km toll bridge built and operated by Harbour Bridge SPV under a 30-year concession",
		StakeholderRule: projects.RuleAgencySPV,
		Documents:       []projects.NamedDocument{{Name: "concession-agreement", URI: "https://example.org/harbour-bridge/concession.pdf", Hash: concession}},
		Stakeholders: []projects.StakeholderRole{{Account: spv.Address(), Role: projects.RolePrivatePartner}, {Account: spv.Address(), Role: projects.RoleOperator},
			{Account: contractor.Address(), Role: projects.RoleContractor}, {Account: engineer.Address(), Role: projects.RoleIndependentEngineer}}}); err != nil {
		return err
	}
	prospectus := assets.Hash(sha256.Sum256([]byte("Harbour Bridge prospectus v1")))
	if _, err := send("assets EURt (cash) and BRIDGE (security)", v,
		&assets.MsgCreate{Issuer: va, Denom: demoCash, Kind: assets.KindCash, Name: "Tokenized euro", Symbol: "EURt", Decimals: 2},
		&assets.MsgCreate{Issuer: va, Denom: demoSecurity, Kind: assets.KindSecurity, Name: "Harbour Bridge SPV equity", Symbol: "BRIDGE",
			Decimals: 6, MaxSupply: 10_000_000_000_000, Project: demoProject},
		&assets.MsgSetDocument{Issuer: va, Denom: demoSecurity, Name: "prospectus", URI: "https://example.org/harbour-bridge/prospectus.pdf", Hash: prospectus},
		&compliance.MsgSetRules{Officer: va, Asset: demoSecurity, Rules: []compliance.Rule{{ID: "kyc", Kind: compliance.KindRequiredClaims,
			Outcome: compliance.OutcomeReject, Params: compliance.Params{Side: compliance.SideReceiver, KYCLevel: 1, Sanctions: true, Exempt: []address.Address{va}}}}},
		&assets.MsgMint{Issuer: va, Denom: demoSecurity, Amount: 10_000_000_000_000},
		&assets.MsgMint{Issuer: va, Denom: demoCash, Amount: 200_000_000, To: alice.Address()},
		&assets.MsgMint{Issuer: va, Denom: demoCash, Amount: 200_000_000, To: bob.Address()},
		&assets.MsgMint{Issuer: va, Denom: demoCash, Amount: 50_000_000},
	); err != nil {
		return err
	}
	// BRIDGE is the project's security: its holders form the project's DAO. The concession fixes
	// the tariff cap and the term: protected, only both chambers change them.
	if _, err := send("BRIDGE linked to the project; concession terms protected", v,
		&projects.MsgSetSecurity{Agency: va, Project: demoProject, Security: demoSecurity},
		&projects.MsgSetParameter{Authority: va, Project: demoProject, Name: "tariff_cap", Value: "2.50 EURt per crossing", Protected: true},
		&projects.MsgSetParameter{Authority: va, Project: demoProject, Name: "concession_term", Value: "30 years from financial close", Protected: true},
		&projects.MsgSetParameter{Authority: va, Project: demoProject, Name: "maintenance_reserve", Value: "2 % of toll revenue"},
	); err != nil {
		return err
	}
	// 4,000,000 BRIDGE at 1.25 EURt: 125 cents per 10^6 ubridge; 8 s of subscriptions.
	r, err := send("offering of 4,000,000 BRIDGE at 1.25 EURt to the treasury", v, &offerings.MsgOpen{Issuer: va, Security: demoSecurity, Cash: demoCash,
		PriceNum: 125, PriceDen: 1_000_000, SoftCap: 1_000_000_000_000, HardCap: 4_000_000_000_000,
		MinPerInvestor: 1_000_000_000, MaxPerInvestor: 2_000_000_000_000, Start: now.Unix() - 5, End: now.Unix() + 8, Treasury: treasury})
	if err != nil {
		return err
	}
	offering, err := eventUint(r, "offerings.opened", "offering")
	if err != nil {
		return err
	}
	if _, err := send("alice subscribes 1,200,000 BRIDGE", alice, &offerings.MsgSubscribe{Investor: alice.Address(), Offering: offering, Amount: 1_200_000_000_000}); err != nil {
		return err
	}
	if _, err := send("bob subscribes 800,000 BRIDGE", bob, &offerings.MsgSubscribe{Investor: bob.Address(), Offering: offering, Amount: 800_000_000_000}); err != nil {
		return err
	}
	fmt.Fprintf(out, "  demo: waiting for offering %d to end and settle…\n", offering)
	for {
		var o offerings.Offering
		if err := c.Query(ctx, fmt.Sprintf("/offerings/offering/%d", offering), nil, 0, &o); err != nil {
			return fmt.Errorf("demo data: offering %d: %w", offering, err)
		}
		if o.Status == offerings.StatusSettled {
			units, _ := c.Units(ctx)
			fmt.Fprintf(out, "  demo: offering %d settled: %s, raised %s\n", offering, countOf(o.Settled, "subscriber"), coin.Format(coin.New(demoCash, o.Raised), units))
			break
		}
		if o.Status == offerings.StatusRefunded || o.Status == offerings.StatusCancelled {
			return fmt.Errorf("demo data: offering %d ended %s", offering, o.Status)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
	r, err = send("checkpoint of BRIDGE", v, &distributions.MsgCreateCheckpoint{Issuer: va, Asset: demoSecurity})
	if err != nil {
		return err
	}
	checkpoint, err := eventUint(r, "distributions.checkpoint_created", "checkpoint")
	if err != nil {
		return err
	}
	if _, err := send("dividend of 123,456.78 EURt (DE withholds 25 %)", v, &distributions.MsgDeposit{Depositor: va, Asset: demoSecurity, Checkpoint: checkpoint,
		Amount: coin.New(demoCash, 12_345_678), Expiry: now.AddDate(1, 0, 0).Unix(), TaxAccount: demoTaxOffice,
		Rates: []distributions.Rate{{Jurisdiction: "DE", Bps: 2_500}}, Memo: "2026 dividend"}); err != nil {
		return err
	}
	if err := seedWorks(ctx, c, send, v, spv, contractor, engineer, now, out); err != nil {
		return err
	}
	if err := seedProposal(send, v, alice, bob); err != nil {
		return err
	}
	return seedPasses(send, spv, alice, now)
}

// seedPasses has the SPV, the bridge's operator, put two pass classes on sale: a transferable
// 10-crossing pass (20 EURt, valid for a year from now) and an annual commuter pass (400 EURt,
// unlimited crossings for 365 days from the service opening, promised in 18 months, fully
// refunded if the bridge opens late; not transferable). alice buys one of each: 420 EURt of
// deferred revenue in escrow. docs/passes.md then walks a newcomer through bob buying a pass,
// signing a ticket at the gate, and the SPV redeeming it.
func seedPasses(send func(string, keySigner, ...tx.Msg) (*client.Result, error), spv, alice keySigner, now time.Time) error {
	sa := spv.Address()
	r, err := send("pass classes: 10-crossing, annual commuter", spv,
		&passes.MsgCreateClass{Creator: sa, Project: demoProject, Name: "10-crossing pass", Price: coin.New(demoCash, 2_000), Uses: 10,
			Validity: passes.Validity{Kind: passes.ValidityFixed, Start: now.Unix(), End: now.AddDate(1, 0, 0).Unix()}, Transferable: true, MaxSupply: 10_000},
		&passes.MsgCreateClass{Creator: sa, Project: demoProject, Name: "annual commuter pass", Price: coin.New(demoCash, 40_000),
			Validity: passes.Validity{Kind: passes.ValidityFromOpening, Duration: 365 * 24 * 3600}, MaxSupply: 5_000,
			PromisedOpening: now.AddDate(0, 18, 0).Unix(), Late: passes.LatePolicy{Policy: passes.LateRefund, RefundBps: passes.BpsDenominator}})
	if err != nil {
		return err
	}
	ids, err := eventUints(r, "passes.class_created", "class")
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	if len(ids) != 2 {
		return fmt.Errorf("demo data: %d pass classes created, want 2", len(ids))
	}
	_, err = send("alice buys a 10-crossing and a commuter pass", alice,
		&passes.MsgBuy{Buyer: alice.Address(), Class: ids[0], Quantity: 1}, &passes.MsgBuy{Buyer: alice.Address(), Class: ids[1], Quantity: 1})
	return err
}

// seedProposal has the DAO of BRIDGE vote on raising the tariff cap, a protected parameter:
// alice proposes, alice and bob vote yes (20 % of the weight: the quorum) and the public agency
// approves (the second chamber). It executes by itself 90 s later (60 s of voting, 30 s of
// timelock); docs/governance.md then walks a newcomer through a treasury spend.
func seedProposal(send func(string, keySigner, ...tx.Msg) (*client.Result, error), v, alice, bob keySigner) error {
	carried, err := tx.Pack(&projects.MsgSetParameter{Authority: authority.DAO(demoSecurity), Project: demoProject, Name: "tariff_cap",
		Value: "2.60 EURt per crossing", Protected: true})
	if err != nil {
		return err
	}
	r, err := send("alice proposes a tariff cap of 2.60 EURt", alice, &governance.MsgSubmit{Proposer: alice.Address(), DAO: demoSecurity,
		Title: "Raise the tariff cap to 2.60 EURt", Summary: "Indexation of the toll tariff cap to 2026 prices (concession clause 14.2).",
		Msgs: []tx.Any{carried}})
	if err != nil {
		return err
	}
	id, err := eventUint(r, "governance.proposal_submitted", "proposal")
	if err != nil {
		return err
	}
	if _, err := send("alice votes yes", alice, &governance.MsgVote{Voter: alice.Address(), Proposal: id, Option: governance.OptionYes}); err != nil {
		return err
	}
	if _, err := send("bob votes yes", bob, &governance.MsgVote{Voter: bob.Address(), Proposal: id, Option: governance.OptionYes}); err != nil {
		return err
	}
	_, err = send("the public agency approves (second chamber)", v, &governance.MsgApprove{Agency: v.Address(), Proposal: id})
	return err
}

// seedWorks writes the demo project's works: four milestones paid from the treasury (which the
// offering filled; design and foundations funded into escrow), progress reports attested by the
// independent engineer, the design approval claimed, signed off and released at the end of its
// 10-second challenge window; the foundations are 35 % done (their claim is left to the newcomer).
func seedWorks(ctx context.Context, c *client.Client, send func(string, keySigner, ...tx.Msg) (*client.Result, error),
	v, spv, contractor, engineer keySigner, now time.Time, out io.Writer) error {
	p, sa, ca, ea := demoProject, spv.Address(), contractor.Address(), engineer.Address()
	both := projects.Policy{Roles: []string{projects.RoleIndependentEngineer, projects.RolePublicAgency}, Min: 2}
	day := int64(24 * 3600)
	plan := func(id, what string, due time.Time, eurt coin.Amount, window int64) tx.Msg {
		return &projects.MsgPlanMilestone{Planner: sa, Project: p, ID: id, Description: what, Due: due.Unix(),
			Tranche: coin.New(demoCash, eurt*100), Payee: ca, Policy: both, Window: window}
	}
	if _, err := send("milestones: design, foundations, deck, opening", spv,
		plan("design-approval", "Detailed design approved by the agency", now.AddDate(0, 1, 0), 250_000, 10),
		plan("foundations", "Pier foundations complete and load-tested", now.AddDate(0, 6, 0), 1_000_000, 7*day),
		plan("deck", "Deck spans placed and surfaced", now.AddDate(1, 0, 0), 900_000, 7*day),
		plan("opening", "Bridge open to traffic, toll system live", now.AddDate(1, 6, 0), 300_000, 14*day),
		&projects.MsgFundMilestone{Funder: sa, Project: p, Milestone: "design-approval"},
		&projects.MsgFundMilestone{Funder: sa, Project: p, Milestone: "foundations"}); err != nil {
		return err
	}
	doc := func(name string) []projects.Attachment {
		return []projects.Attachment{{URI: "https://example.org/harbour-bridge/" + name, Hash: projects.Hash(sha256.Sum256([]byte(name)))}}
	}
	r, err := send("report: design approved (contractor)", contractor, &projects.MsgPostReport{Author: ca, Project: p, Milestone: "design-approval",
		Percent: 100, Summary: "Detailed design package issued for construction; agency approval letter attached", Documents: doc("design-approval.pdf")})
	if err != nil {
		return err
	}
	entry, err := eventUint(r, "projects.report_posted", "entry")
	if err != nil {
		return err
	}
	if _, err := send("engineer attests the design report", engineer,
		&projects.MsgAttest{Attester: ea, Project: p, Entry: entry, Note: "checked against the approval letter"}); err != nil {
		return err
	}
	if _, err := send("contractor claims design-approval", contractor, &projects.MsgClaimComplete{Payee: ca, Project: p, Milestone: "design-approval",
		Evidence: doc("design-approval.pdf")}); err != nil {
		return err
	}
	if _, err := send("engineer signs off design-approval", engineer, &projects.MsgSignOff{Signatory: ea, Project: p, Milestone: "design-approval", Role: projects.RoleIndependentEngineer}); err != nil {
		return err
	}
	if _, err := send("agency signs off design-approval (10 s window)", v, &projects.MsgSignOff{Signatory: v.Address(), Project: p, Milestone: "design-approval", Role: projects.RolePublicAgency}); err != nil {
		return err
	}
	r, err = send("report: foundations 35 % (contractor)", contractor, &projects.MsgPostReport{Author: ca, Project: p, Milestone: "foundations",
		Percent: 35, Summary: "6 of 14 piers cast; load tests on piers 1-4 passed", Documents: doc("foundations-progress-1.pdf")})
	if err != nil {
		return err
	}
	if entry, err = eventUint(r, "projects.report_posted", "entry"); err != nil {
		return err
	}
	if _, err := send("engineer attests the foundations report", engineer, &projects.MsgAttest{Attester: ea, Project: p, Entry: entry}); err != nil {
		return err
	}
	fmt.Fprintln(out, "  demo: waiting for design-approval's challenge window to close…")
	for {
		var m projects.Milestone
		if err := c.Query(ctx, "/projects/milestone/"+p+"/design-approval", nil, 0, &m); err != nil {
			return fmt.Errorf("demo data: milestone design-approval: %w", err)
		}
		if m.Status == projects.MilestoneReleased {
			fmt.Fprintln(out, "  demo: design-approval released: 250,000 EURt to the contractor")
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("demo data: design-approval not released (%s): %w", m.Status, ctx.Err())
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// eventUint reads a uint attribute of the first event of a type in a tx's result.
func eventUint(r *client.Result, typ, key string) (uint64, error) {
	ns, err := eventUints(r, typ, key)
	if err != nil {
		return 0, err
	}
	if len(ns) == 0 {
		return 0, errors.New("no " + typ + " event with " + key + " in tx " + r.Hash)
	}
	return ns[0], nil
}

// eventUints reads a uint attribute of every event of a type in a tx's result, in order.
func eventUints(r *client.Result, typ, key string) ([]uint64, error) {
	var ns []uint64
	for _, e := range r.Events {
		if e.Type != typ {
			continue
		}
		for _, a := range e.Attrs {
			if a.Key == key {
				var n uint64
				if _, err := fmt.Sscan(a.Value, &n); err != nil {
					return nil, fmt.Errorf("event %s: %s=%q is not a number", typ, key, a.Value)
				}
				ns = append(ns, n)
			}
		}
	}
	return ns, nil
}
