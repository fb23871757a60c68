package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/keyring"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/distributions"
	"github.com/girder-chain/girder/x/identity"
	"github.com/girder-chain/girder/x/offerings"
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
// history shows how each step is done: identities for alice (DE) and bob (FR); the cash asset
// EURt and the security BRIDGE of the demo project, with a prospectus and a KYC rule; an offering
// of BRIDGE for EURt that alice and bob subscribe and that settles; a checkpoint and a dividend of
// 123,456.78 EURt with German withholding tax, which alice and bob have yet to claim.
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
	// 4,000,000 BRIDGE at 1.25 EURt: 125 cents per 10^6 ubridge; 8 s of subscriptions.
	r, err := send("offering of 4,000,000 BRIDGE at 1.25 EURt", v, &offerings.MsgOpen{Issuer: va, Security: demoSecurity, Cash: demoCash,
		PriceNum: 125, PriceDen: 1_000_000, SoftCap: 1_000_000_000_000, HardCap: 4_000_000_000_000,
		MinPerInvestor: 1_000_000_000, MaxPerInvestor: 2_000_000_000_000, Start: now.Unix() - 5, End: now.Unix() + 8})
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
	return nil
}

// eventUint reads a uint attribute of the first event of a type in a tx's result.
func eventUint(r *client.Result, typ, key string) (uint64, error) {
	for _, e := range r.Events {
		if e.Type != typ {
			continue
		}
		for _, a := range e.Attrs {
			if a.Key == key {
				var n uint64
				if _, err := fmt.Sscan(a.Value, &n); err != nil {
					return 0, fmt.Errorf("event %s: %s=%q is not a number", typ, key, a.Value)
				}
				return n, nil
			}
		}
	}
	return 0, errors.New("no " + typ + " event with " + key + " in tx " + r.Hash)
}
