package app

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/distributions"
	"github.com/girder-chain/girder/x/identity"
	"github.com/girder-chain/girder/x/offerings"
)

// Accounts of the securities scenario (0–2 are the identity scenario's admin, KYC provider and
// compliance officer).
const (
	sIssuer     = 3  // asset issuer of ubridge, its controller
	sCashIssuer = 4  // issues ueurt; paying agent of ubridge
	sTreasury   = 5  // receives the offering's proceeds
	sInv0       = 6  // investors 6–12: identities inv-0 … inv-6
	sInvUS      = 12 // inv-6, jurisdiction US: blocked at settlement
	sTax        = 13 // receives withholding tax
	sUnverified = 14 // no identity
	sInv4b      = 15 // a second account of inv-4 (account 10): recovery target
)

const (
	secDenom  = "ubridge"
	cashDenom = "ueurt"
)

// TestSecuritiesScenario is issue 6's acceptance scenario, on the whole app over many blocks with
// every invariant checked after each: an issuer creates a security and a cash asset is issued;
// an offering is subscribed (refusals: compliance, the per-identity maximum, the hard cap), one
// subscriber is refused by compliance at settlement and refunded, the rest settle (tokens to
// subscribers, cash to the treasury, unsold tokens back); a second offering misses its soft cap
// and refunds; the controller freezes, forces a transfer and recovers an account (the holder count
// per identity stays right); a checkpoint is taken and a dividend that does not divide evenly is
// deposited with withholding by jurisdiction, claimed, pushed by an agent over blocks, refused to a
// frozen holder until unfrozen, and after the expiry the issuer reclaims the remainder.
func TestSecuritiesScenario(t *testing.T) {
	s := newRoleScenario(t, store.OpenMemory(), "sec", 16)
	h := s.h
	admin, kyc, officer, issuer := s.addr(idAdmin), s.addr(idKYC1), s.addr(idOfficer), s.addr(sIssuer)
	bal := func(i int, denom string) coin.Amount { return h.app.Bank.Balance(h.ctx(), s.addr(i), denom) }
	s.block()

	// Roles, identities and credentials: inv-0…2 in DE, inv-3…5 in FR, inv-6 in US; inv-4 has
	// two accounts.
	ev := identity.Hash(sha256.Sum256([]byte("kyc files")))
	jur := []string{"DE", "DE", "DE", "FR", "FR", "FR", "US"}
	setup := []tx.Msg{
		&auth.MsgGrantRole{Authority: admin, Role: auth.RoleAssetIssuer, Account: issuer},
		&auth.MsgGrantRole{Authority: admin, Role: auth.RoleCashIssuer, Account: s.addr(sCashIssuer)},
	}
	var kycMsgs []tx.Msg
	for i, j := range jur {
		id := "inv-" + string(rune('0'+i))
		accs := []address.Address{s.addr(sInv0 + i)}
		if sInv0+i == 10 {
			accs = append(accs, s.addr(sInv4b))
		}
		kycMsgs = append(kycMsgs, &identity.MsgRegister{Provider: kyc, ID: id, Accounts: accs},
			&identity.MsgIssue{Issuer: kyc, ID: id, Claims: identity.ClaimSet{KYCLevel: 2, Jurisdiction: j, InvestorType: "professional", SanctionsScreened: true},
				Expiry: h.time.AddDate(1, 0, 0).Unix(), EvidenceHash: ev})
	}
	s.block(ok(s.tx(idAdmin, setup...)), ok(s.tx(idKYC1, kycMsgs...)))

	// The security (1,000 units, no decimals) and the cash (cents); the officer's rules on the
	// security: receivers need KYC (the issuer is exempt).
	s.block(
		ok(s.tx(sIssuer, &assets.MsgCreate{Issuer: issuer, Denom: secDenom, Kind: assets.KindSecurity, Name: "Harbour Bridge SPV equity",
			Symbol: "BRIDGE", MaxSupply: 1_000, Project: "harbour-bridge"})),
		ok(s.tx(sCashIssuer, &assets.MsgCreate{Issuer: s.addr(sCashIssuer), Denom: cashDenom, Kind: assets.KindCash, Name: "Tokenized euro", Symbol: "EURt", Decimals: 2})),
		ok(s.tx(idOfficer, &compliance.MsgSetRules{Officer: officer, Asset: secDenom, Rules: []compliance.Rule{
			{ID: "kyc", Kind: compliance.KindRequiredClaims, Outcome: compliance.OutcomeReject,
				Params: compliance.Params{Side: compliance.SideReceiver, KYCLevel: 1, Sanctions: true, Exempt: []address.Address{issuer}}}}})),
	)
	cashMints := []tx.Msg{&assets.MsgMint{Issuer: s.addr(sCashIssuer), Denom: cashDenom, Amount: 20_000, To: issuer}}
	for _, i := range []int{6, 7, 8, 9, 10, 11, 12, sUnverified} {
		cashMints = append(cashMints, &assets.MsgMint{Issuer: s.addr(sCashIssuer), Denom: cashDenom, Amount: 10_000, To: s.addr(i)})
	}
	s.block(
		ok(s.tx(sIssuer, &assets.MsgMint{Issuer: issuer, Denom: secDenom, Amount: 1_000})),
		ok(s.tx(sCashIssuer, cashMints...)),
		outcome{s.tx(sIssuer, &assets.MsgMint{Issuer: issuer, Denom: secDenom, Amount: 1}), assets.ModuleName, assets.ErrMaxSupply.Code},
	)

	// Two offerings at 2.5 ueurt per unit, for 5 s of block time: one of up to 700 units (soft cap
	// 300, 10–200 per identity), paid to the treasury; one of 300 with a soft cap of 250.
	start := h.time.Unix()
	open1 := &offerings.MsgOpen{Issuer: issuer, Security: secDenom, Cash: cashDenom, PriceNum: 5, PriceDen: 2, SoftCap: 300, HardCap: 700,
		MinPerInvestor: 10, MaxPerInvestor: 200, Start: start, End: start + 6, Treasury: s.addr(sTreasury)}
	open2 := &offerings.MsgOpen{Issuer: issuer, Security: secDenom, Cash: cashDenom, PriceNum: 5, PriceDen: 2, SoftCap: 250, HardCap: 300, Start: start, End: start + 6}
	s.block(ok(s.tx(sIssuer, open1, open2)))
	if got := bal(sIssuer, secDenom); got != 0 {
		t.Fatalf("the hard caps move into escrow at once: issuer holds %d", got)
	}
	sub := func(i int, id uint64, n coin.Amount) []byte {
		return s.tx(i, &offerings.MsgSubscribe{Investor: s.addr(i), Offering: id, Amount: n})
	}
	refusedBy := func(raw []byte, code uint32) outcome { return outcome{raw, offerings.ModuleName, code} }
	s.block(
		ok(sub(6, 1, 100)), ok(sub(7, 1, 100)), ok(sub(8, 1, 100)), ok(sub(9, 1, 100)), ok(sub(10, 1, 100)),
		refusedBy(sub(sInv4b, 1, 150), offerings.ErrInvestorLimit.Code), // inv-4 already has 100 through account 10
		refusedBy(sub(sUnverified, 1, 50), offerings.ErrRefused.Code),
		refusedBy(sub(6, 1, 150), offerings.ErrInvestorLimit.Code),
		ok(sub(11, 1, 100)),
		ok(sub(sInvUS, 1, 100)),
		refusedBy(sub(11, 1, 50), offerings.ErrHardCap.Code),
		ok(sub(6, 2, 50)),
	)
	if got := bal(6, cashDenom); got != 10_000-250-125 {
		t.Fatalf("investor 0's cash after paying 100 and 50 units into escrow: %d", got)
	}
	if got := bal(sUnverified, cashDenom); got != 10_000 {
		t.Fatalf("a refused subscription moved cash: %d", got)
	}

	// Before the end the officer blocks US receivers: inv-6 is refused at settlement.
	s.block(ok(s.tx(idOfficer, &compliance.MsgSetRules{Officer: officer, Asset: secDenom, Rules: []compliance.Rule{
		{ID: "kyc", Kind: compliance.KindRequiredClaims, Outcome: compliance.OutcomeReject,
			Params: compliance.Params{Side: compliance.SideReceiver, KYCLevel: 1, Sanctions: true, Exempt: []address.Address{issuer}}},
		{ID: "no-us", Kind: compliance.KindJurisdictionBlock, Outcome: compliance.OutcomeReject,
			Params: compliance.Params{Side: compliance.SideReceiver, Jurisdictions: []string{"US"}, Exempt: []address.Address{issuer}}}}})))
	for n := 0; ; n++ {
		o1, _ := h.app.Offerings.Offering(h.ctx(), 1)
		o2, _ := h.app.Offerings.Offering(h.ctx(), 2)
		if o1.Status == offerings.StatusSettled && o2.Status == offerings.StatusRefunded {
			break
		}
		if n == 20 {
			t.Fatalf("offerings not finished after 20 blocks: %s, %s", o1.Status, o2.Status)
		}
		s.block()
	}
	o1, _ := h.app.Offerings.Offering(h.ctx(), 1)
	if o1.Delivered != 600 || o1.Raised != 1_500 || o1.Returned != 100 || o1.Settled != 6 || o1.Refunded != 1 {
		t.Fatalf("offering 1 settled as %+v", o1)
	}
	if sb, _ := h.app.Offerings.Subscription(h.ctx(), 1, s.addr(sInvUS)); sb.Status == offerings.StatusSettled {
		t.Fatalf("the US subscriber settled despite the rule: %+v", sb)
	}
	for i := 6; i <= 11; i++ {
		want := coin.Amount(10_000 - 250)
		if got := bal(i, secDenom); got != 100 {
			t.Fatalf("investor %d holds %d ubridge, want 100", i, got)
		}
		if got := bal(i, cashDenom); got != want {
			t.Fatalf("investor %d holds %d ueurt, want %d (the missed offering refunded)", i, got, want)
		}
	}
	if bal(sInvUS, secDenom) != 0 || bal(sInvUS, cashDenom) != 10_000 {
		t.Fatalf("the refused US subscriber: %d ubridge, %d ueurt", bal(sInvUS, secDenom), bal(sInvUS, cashDenom))
	}
	if got := bal(sTreasury, cashDenom); got != 1_500 {
		t.Fatalf("treasury received %d ueurt, want 600 × 2.5", got)
	}
	if got := bal(sIssuer, secDenom); got != 400 {
		t.Fatalf("issuer holds %d after both offerings, want 100 unsold + 300 refunded", got)
	}
	for _, esc := range []address.Address{offerings.EscrowAccount} {
		if b := h.app.Bank.Balances(h.ctx(), esc); len(b) != 0 {
			t.Fatalf("the offerings escrow still holds %v", b)
		}
	}
	holders := func() uint64 { return h.app.Compliance.Holders(h.ctx(), secDenom) }
	wantHolders := holders()
	if wantHolders != 7 {
		t.Fatalf("ubridge holders: %d, want 7 (six identities and the issuer)", wantHolders)
	}

	// The controller: freezes investor 1, forces 20 units from investor 2 to investor 3 (a court
	// order), recovers inv-4's holding to its second account. Frozen investor 1 cannot send.
	s.block(
		ok(s.tx(sIssuer,
			&assets.MsgFreeze{Controller: issuer, Denom: secDenom, Account: s.addr(7), Reason: "court order 17"},
			&assets.MsgForceTransfer{Controller: issuer, Denom: secDenom, From: s.addr(8), To: s.addr(9), Amount: 20, Reason: "court order 18"},
			&assets.MsgRecover{Controller: issuer, Denom: secDenom, From: s.addr(10), To: s.addr(sInv4b), Reason: "lost key"})),
		rejected(s.tx(7, &bank.MsgSend{From: s.addr(7), To: s.addr(6), Amount: coin.New(secDenom, 10)})),
		outcome{s.tx(sIssuer, &assets.MsgRecover{Controller: issuer, Denom: secDenom, From: s.addr(11), To: s.addr(6), Reason: "not the same person"}),
			assets.ModuleName, assets.ErrNotSameOwner.Code},
	)
	if got := holders(); got != wantHolders {
		t.Fatalf("holders after a forced transfer and a recovery: %d, want %d", got, wantHolders)
	}

	// A checkpoint of the end of the previous block; a transfer after it in the same block does
	// not change it.
	s.block(
		ok(s.tx(sIssuer, &distributions.MsgCreateCheckpoint{Issuer: issuer, Asset: secDenom})),
		ok(s.tx(6, &bank.MsgSend{From: s.addr(6), To: s.addr(10), Amount: coin.New(secDenom, 50)})), // a buyer after the record date
	)
	cpHeight := h.height - 1
	atCheckpoint := map[int]coin.Amount{sIssuer: 400, 6: 100, 7: 100, 8: 80, 9: 120, 10: 0, 11: 100, sInv4b: 100}
	for i, want := range atCheckpoint {
		if got := h.app.Distributions.BalanceAt(h.ctx(), secDenom, s.addr(i), cpHeight); got != want {
			t.Fatalf("account %d at the checkpoint: %d, want %d", i, got, want)
		}
	}
	if bal(6, secDenom) != 50 || bal(10, secDenom) != 50 {
		t.Fatalf("after the checkpoint: investor 0 %d, account 10 %d", bal(6, secDenom), bal(10, secDenom))
	}

	// A dividend of 10,001 ueurt on 1,000 units: DE withholds 25 %, everyone else 10 %.
	expiry := h.time.Add(2 * time.Hour).Unix()
	s.block(
		ok(s.tx(sIssuer,
			&distributions.MsgDeposit{Depositor: issuer, Asset: secDenom, Checkpoint: 1, Amount: coin.New(cashDenom, 10_001), Expiry: expiry,
				TaxAccount: s.addr(sTax), DefaultBps: 1_000, Rates: []distributions.Rate{{Jurisdiction: "DE", Bps: 2_500}}},
			&distributions.MsgAppointAgent{Issuer: issuer, Asset: secDenom, Agent: s.addr(sCashIssuer)})),
		outcome{s.tx(9, &distributions.MsgDeposit{Depositor: s.addr(9), Asset: secDenom, Checkpoint: 1, Amount: coin.New(cashDenom, 100), Expiry: expiry}),
			distributions.ModuleName, distributions.ErrNotAgent.Code},
	)
	claim := func(i int) []byte {
		return s.tx(i, &distributions.MsgClaim{Holder: s.addr(i), Distribution: 1})
	}
	distErr := func(raw []byte, code uint32) outcome { return outcome{raw, distributions.ModuleName, code} }
	cash0 := map[int]coin.Amount{}
	for _, i := range []int{sIssuer, 6, 7, 8, 9, 11, sInv4b, sTax} {
		cash0[i] = bal(i, cashDenom)
	}
	s.block(
		ok(claim(6)),
		distErr(claim(6), distributions.ErrAlreadyPaid.Code),
		distErr(claim(10), distributions.ErrNothingToClaim.Code), // bought after the record date
		distErr(claim(7), distributions.ErrFrozen.Code),
		distErr(s.tx(sIssuer, &distributions.MsgReclaim{Issuer: issuer, Distribution: 1}), distributions.ErrNotExpired.Code),
		ok(s.tx(sCashIssuer, &distributions.MsgPush{Agent: s.addr(sCashIssuer), Distribution: 1,
			Holders: []address.Address{s.addr(8), s.addr(9), s.addr(sInv4b), s.addr(11), issuer}})),
	)
	// Net of tax: 100 units → gross 1,000; 80 → 800; 120 → 1,200; 400 → 4,000.
	net := map[int]coin.Amount{6: 750, 8: 600, 9: 1_080, sInv4b: 900, 11: 900, sIssuer: 3_600}
	for i, want := range net {
		if got := bal(i, cashDenom) - cash0[i]; got != want {
			t.Fatalf("account %d was paid %d, want %d", i, got, want)
		}
	}
	d, _ := h.app.Distributions.Distribution(h.ctx(), 1)
	if d.Paid != 7_830 || d.Withheld != 1_170 || d.Remainder != 0 || d.RemainderNum != 900 || bal(sTax, cashDenom) != 1_170 {
		t.Fatalf("after six payments: %+v, tax account %d", d, bal(sTax, cashDenom))
	}

	// Unfrozen, investor 1 claims: its share completes the remainder unit.
	s.block(ok(s.tx(sIssuer, &assets.MsgUnfreeze{Controller: issuer, Denom: secDenom, Account: s.addr(7), Reason: "order lifted"})))
	s.block(ok(claim(7)))
	d, _ = h.app.Distributions.Distribution(h.ctx(), 1)
	if d.Paid != 8_580 || d.Withheld != 1_420 || d.Remainder != 1 || d.RemainderNum != 0 {
		t.Fatalf("after every payment: %+v", d)
	}
	if got := h.app.Bank.Balance(h.ctx(), distributions.EscrowAccount, cashDenom); got != 1 {
		t.Fatalf("escrow holds %d, want the remainder 1", got)
	}

	// After the expiry: no claims; the issuer reclaims the remainder, once.
	h.time = time.Unix(expiry, 0).UTC()
	issuerCash := bal(sIssuer, cashDenom)
	s.block(
		distErr(claim(10), distributions.ErrExpired.Code),
		ok(s.tx(sIssuer, &distributions.MsgReclaim{Issuer: issuer, Distribution: 1})),
		distErr(s.tx(sIssuer, &distributions.MsgReclaim{Issuer: issuer, Distribution: 1}), distributions.ErrReclaimed.Code),
	)
	d, _ = h.app.Distributions.Distribution(h.ctx(), 1)
	if d.Reclaimed != 1 || d.Paid+d.Withheld+d.Reclaimed != 10_001 || bal(sIssuer, cashDenom) != issuerCash+1 {
		t.Fatalf("after the reclaim: %+v; issuer %d → %d", d, issuerCash, bal(sIssuer, cashDenom))
	}
	if got := h.app.Bank.Balance(h.ctx(), distributions.EscrowAccount, cashDenom); got != 0 {
		t.Fatalf("escrow holds %d after the reclaim", got)
	}
	// Every unit of cash is accounted for: what was minted is on accounts.
	var sum coin.Amount
	for i := range h.accs {
		sum += bal(i, cashDenom)
	}
	if supply := h.app.Bank.Supply(h.ctx(), cashDenom); sum != supply || supply != 20_000+8*10_000 {
		t.Fatalf("ueurt on accounts %d, supply %d", sum, supply)
	}
}
