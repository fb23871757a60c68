package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtlog "github.com/cometbft/cometbft/libs/log"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/fees"
	"github.com/girder-chain/girder/x/identity"
)

// Roles of the identity scenario's accounts.
const (
	idAdmin    = 0 // admin
	idKYC1     = 1 // kyc_provider, trusted for every claim kind
	idOfficer  = 2 // compliance_officer
	idInvestor = 3 // linked to identity "investor-1"
	idKYC2     = 4 // becomes a kyc_provider on chain
	idOther    = 5 // linked to nothing
)

// idScenario drives a chain whose genesis has an admin, a KYC provider and a compliance officer.
type idScenario struct {
	h           *harness
	nonces      map[int]uint64
	lastResults *abci.FinalizeBlockResponse
}

func newIDScenario(t *testing.T, tree *store.Tree) *idScenario {
	t.Helper()
	return newRoleScenario(t, tree, "id", 6)
}

// newRoleScenario is the identity scenario's genesis with n accounts (n ≥ 3) named prefix0….
func newRoleScenario(t testing.TB, tree *store.Tree, prefix string, n int) *idScenario {
	t.Helper()
	a, err := New(tree, cmtlog.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, app: a, tree: tree, time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	for i := 0; i < n; i++ {
		h.accs = append(h.accs, testAccount(fmt.Sprintf("%s%d", prefix, i)))
	}
	h.genesis = startFunds * coin.Amount(len(h.accs))
	var st map[string]json.RawMessage
	if err := json.Unmarshal(genesisState(t, h.accs, fees.DefaultParams()), &st); err != nil {
		t.Fatal(err)
	}
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
	return &idScenario{h: h, nonces: map[int]uint64{}}
}

func (s *idScenario) addr(i int) address.Address { return s.h.accs[i].addr }

// tx signs msgs by account i at its next nonce.
func (s *idScenario) tx(i int, msgs ...tx.Msg) []byte {
	raw := signTx(s.h.t, s.h.accs[i], testChain, s.nonces[i], goodFee, true, msgs...)
	s.nonces[i]++
	return raw
}

// outcome is what a tx of a block must answer: code 0, or a failure of module/code.
type outcome struct {
	raw    []byte
	module string
	code   uint32
}

func ok(raw []byte) outcome { return outcome{raw: raw} }

// block commits the txs, checks each one's outcome, every invariant and the supply identities.
func (s *idScenario) block(outs ...outcome) {
	s.h.t.Helper()
	var txs [][]byte
	for _, o := range outs {
		txs = append(txs, o.raw)
	}
	res := s.h.block(txs...)
	s.lastResults = res
	for i, o := range outs {
		r := res.TxResults[i]
		if r.Code != o.code || (o.code != 0 && r.Codespace != o.module) {
			s.h.t.Fatalf("height %d tx %d: %s/%d %q, want %s/%d", s.h.height, i, r.Codespace, r.Code, r.Log, o.module, o.code)
		}
		if o.code != 0 && r.GasUsed == 0 {
			s.h.t.Fatalf("height %d tx %d failed in execution but was not charged", s.h.height, i)
		}
	}
	s.h.checkChain()
}

// claims asks the node, as a client does, for an account's identity and claims at the latest block.
func (s *idScenario) claims(i int) identity.AccountInfo {
	s.h.t.Helper()
	r, err := s.h.app.Query(context.Background(), &abci.QueryRequest{Path: "/identity/account/" + s.addr(i).String()})
	if err != nil || r.Code != 0 {
		s.h.t.Fatalf("query: %v %s", err, r.Log)
	}
	var info identity.AccountInfo
	if err := json.Unmarshal(r.Value, &info); err != nil {
		s.h.t.Fatal(err)
	}
	if info.At != s.h.time.Unix() {
		s.h.t.Fatalf("claims judged at %d, the latest block time is %d", info.At, s.h.time.Unix())
	}
	// The keeper, at the same block time, agrees with the query.
	kc, _ := s.h.app.Identity.Claims(s.h.ctx(), s.addr(i))
	if kc.KYCLevel != info.Claims.KYCLevel || kc.Jurisdiction != info.Claims.Jurisdiction || kc.ValidUntil != info.Claims.ValidUntil {
		s.h.t.Fatalf("keeper claims %+v, query claims %+v", kc, info.Claims)
	}
	return info
}

func (s *idScenario) expectClaims(step string, i int, kyc uint8, jur string, validUntil int64) {
	s.h.t.Helper()
	c := s.claims(i).Claims
	if c.KYCLevel != kyc || c.Jurisdiction != jur || c.ValidUntil != validUntil {
		s.h.t.Fatalf("height %d, %s: claims %+v, want kyc %d jurisdiction %q valid until %d", s.h.height, step, c, kyc, jur, validUntil)
	}
}

// TestIdentityScenario runs the identity life cycle over many blocks, checking every invariant
// after each: a credential starts counting, expires at its expiry block time, is renewed, is
// revoked; an issuer gains and loses trust; roles are granted and revoked on chain.
func TestIdentityScenario(t *testing.T) {
	s := newIDScenario(t, store.OpenMemory())
	h := s.h
	ev := identity.Hash(sha256.Sum256([]byte("kyc file 1")))
	s.block()

	// Block 2: the admin makes a second KYC provider; the first registers the investor.
	s.block(
		ok(s.tx(idAdmin, &auth.MsgGrantRole{Authority: s.addr(idAdmin), Role: auth.RoleKYCProvider, Account: s.addr(idKYC2)})),
		ok(s.tx(idKYC1, &identity.MsgRegister{Provider: s.addr(idKYC1), ID: "investor-1", Accounts: []address.Address{s.addr(idInvestor)}})),
		outcome{s.tx(idOther, &auth.MsgGrantRole{Authority: s.addr(idOther), Role: auth.RoleAdmin, Account: s.addr(idOther)}), "auth", auth.ErrNotAdmin.Code},
	)
	if !h.app.Auth.HasRole(h.ctx(), s.addr(idKYC2), auth.RoleKYCProvider) {
		t.Fatal("role not granted")
	}
	s.expectClaims("registered, no credential", idInvestor, 0, "", 0)

	// Block 3: a credential valid for 5 seconds (5 blocks of the harness) starts counting.
	expiry := h.time.Add(6 * time.Second).Unix() // block 3 is at h.time+1s
	s.block(ok(s.tx(idKYC1, &identity.MsgIssue{Issuer: s.addr(idKYC1), ID: "investor-1",
		Claims: identity.ClaimSet{KYCLevel: 2, Jurisdiction: "DE", InvestorType: "retail", SanctionsScreened: true}, Expiry: expiry, EvidenceHash: ev})))
	s.expectClaims("issued", idInvestor, 2, "DE", expiry)

	// It counts until the block whose time reaches its expiry, and not from that block on.
	for h.time.Unix() < expiry-1 {
		s.block()
		s.expectClaims("before expiry", idInvestor, 2, "DE", expiry)
	}
	s.block()
	if h.time.Unix() != expiry {
		t.Fatalf("block time %d, expiry %d", h.time.Unix(), expiry)
	}
	s.expectClaims("at the expiry block time", idInvestor, 0, "", 0)

	// Renewal by another issuer fails (fee paid, state kept); by its issuer it counts again.
	s.block(outcome{s.tx(idKYC2, &identity.MsgRenew{Issuer: s.addr(idKYC2), CredentialID: 1, Expiry: expiry + 3600, EvidenceHash: ev}), "identity", identity.ErrNotIssuer.Code})
	s.expectClaims("renewal by another issuer", idInvestor, 0, "", 0)
	s.block(ok(s.tx(idKYC1, &identity.MsgRenew{Issuer: s.addr(idKYC1), CredentialID: 1, Expiry: expiry + 3600, EvidenceHash: ev})))
	s.expectClaims("renewed", idInvestor, 2, "DE", expiry+3600)

	// The second provider issues a jurisdiction claim: it counts only once trusted for it, and
	// stops counting when the trust is removed.
	s.block(ok(s.tx(idKYC2, &identity.MsgIssue{Issuer: s.addr(idKYC2), ID: "investor-1",
		Claims: identity.ClaimSet{KYCLevel: 1, Jurisdiction: "FR"}, Expiry: expiry + 7200, EvidenceHash: ev})))
	s.expectClaims("untrusted issuer", idInvestor, 2, "DE", expiry+3600)
	s.block(ok(s.tx(idAdmin, &identity.MsgSetTrust{Authority: s.addr(idAdmin), Issuer: s.addr(idKYC2), Claims: []string{identity.ClaimJurisdiction}})))
	s.expectClaims("trusted for jurisdiction", idInvestor, 2, "FR", expiry+3600)
	s.block(ok(s.tx(idAdmin, &identity.MsgSetTrust{Authority: s.addr(idAdmin), Issuer: s.addr(idKYC2)})))
	s.expectClaims("trust removed", idInvestor, 2, "DE", expiry+3600)

	// The compliance officer revokes the first credential; a second revocation fails.
	s.block(ok(s.tx(idOfficer, &identity.MsgRevoke{By: s.addr(idOfficer), CredentialID: 1, Reason: "sanctions list match"})))
	s.expectClaims("revoked", idInvestor, 0, "", 0)
	s.block(outcome{s.tx(idKYC1, &identity.MsgRevoke{By: s.addr(idKYC1), CredentialID: 1, Reason: "again"}), "identity", identity.ErrAlreadyRevoked.Code})
	c, _ := h.app.Identity.Credential(h.ctx(), 1)
	if c.Revocation == nil || c.Revocation.Reason != "sanctions list match" {
		t.Fatalf("revocation %+v", c.Revocation)
	}

	// A tx whose second msg fails changes nothing: the account is not linked.
	s.block(outcome{s.tx(idKYC1,
		&identity.MsgLink{Provider: s.addr(idKYC1), ID: "investor-1", Account: s.addr(idOther)},
		&identity.MsgIssue{Issuer: s.addr(idKYC1), ID: "investor-1", Claims: identity.ClaimSet{KYCLevel: 1}, Expiry: h.time.Unix(), EvidenceHash: ev},
	), "identity", identity.ErrExpiry.Code})
	if info := s.claims(idOther); info.Identity != "" {
		t.Fatalf("a failed tx linked an account: %+v", info)
	}

	// The admin takes the second provider's role away; it can no longer issue.
	s.block(ok(s.tx(idAdmin, &auth.MsgRevokeRole{Authority: s.addr(idAdmin), Role: auth.RoleKYCProvider, Account: s.addr(idKYC2), Reason: "contract ended"})))
	s.block(outcome{s.tx(idKYC2, &identity.MsgIssue{Issuer: s.addr(idKYC2), ID: "investor-1", Claims: identity.ClaimSet{KYCLevel: 3}, Expiry: expiry + 7200, EvidenceHash: ev}),
		"identity", identity.ErrNotProvider.Code})
	// The last admin cannot be revoked.
	s.block(outcome{s.tx(idAdmin, &auth.MsgRevokeRole{Authority: s.addr(idAdmin), Role: auth.RoleAdmin, Account: s.addr(idAdmin), Reason: "bye"}), "auth", auth.ErrLastAdmin.Code})

	// Export then import gives the same identity and roles state.
	exported, _, err := h.app.ExportGenesis()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New(store.OpenMemory(), cmtlog.NewNopLogger())
	st, _ := json.Marshal(exported)
	if _, err := b.InitChain(context.Background(), &abci.InitChainRequest{ChainId: testChain, InitialHeight: 1, Time: h.time, AppStateBytes: st}); err != nil {
		t.Fatalf("import of the export: %v", err)
	}
	if _, err := b.FinalizeBlock(context.Background(), &abci.FinalizeBlockRequest{Height: 1, Time: h.time}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(context.Background(), &abci.CommitRequest{}); err != nil {
		t.Fatal(err)
	}
	again, _, err := b.ExportGenesis()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"auth", "identity"} {
		if !bytes.Equal(again[m], exported[m]) {
			t.Fatalf("%s: export → import → export differs:\n%s\n%s", m, exported[m], again[m])
		}
	}
	if err := b.Invariants(); err != nil {
		t.Fatal(err)
	}
}

// TestIdentityDeterminism runs the same identity txs on two apps: same app hash at every height.
func TestIdentityDeterminism(t *testing.T) {
	disk, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer disk.Close()
	a, b := newIDScenario(t, store.OpenMemory()), newIDScenario(t, disk)
	ev := identity.Hash(sha256.Sum256([]byte("e")))
	steps := []func(s *idScenario) [][]byte{
		func(s *idScenario) [][]byte {
			return [][]byte{s.tx(idKYC1, &identity.MsgRegister{Provider: s.addr(idKYC1), ID: "inv", Accounts: []address.Address{s.addr(idInvestor), s.addr(idOther)}})}
		},
		func(s *idScenario) [][]byte {
			return [][]byte{
				s.tx(idKYC1, &identity.MsgIssue{Issuer: s.addr(idKYC1), ID: "inv", Claims: identity.ClaimSet{KYCLevel: 3}, Expiry: s.h.time.Unix() + 3, EvidenceHash: ev}),
				s.tx(idKYC1, &identity.MsgIssue{Issuer: s.addr(idKYC1), ID: "inv", Claims: identity.ClaimSet{Jurisdiction: "US"}, Expiry: s.h.time.Unix() + 30, EvidenceHash: ev}),
			}
		},
		func(s *idScenario) [][]byte {
			return [][]byte{s.tx(idKYC1, &identity.MsgUnlink{Provider: s.addr(idKYC1), ID: "inv", Account: s.addr(idOther)})}
		},
		func(s *idScenario) [][]byte { return nil },
		func(s *idScenario) [][]byte {
			return [][]byte{s.tx(idOfficer, &identity.MsgRevoke{By: s.addr(idOfficer), CredentialID: 2, Reason: "r"})}
		},
	}
	for i, step := range steps {
		ra, rb := a.h.block(step(a)...), b.h.block(step(b)...)
		if !bytes.Equal(ra.AppHash, rb.AppHash) {
			t.Fatalf("step %d: app hashes differ", i)
		}
		for j := range ra.TxResults {
			if ra.TxResults[j].Code != 0 || rb.TxResults[j].Code != 0 {
				t.Fatalf("step %d tx %d: %s / %s", i, j, ra.TxResults[j].Log, rb.TxResults[j].Log)
			}
		}
		a.h.checkChain()
		b.h.checkChain()
	}
}

// TestGasScheduleCoversEveryMsg: every msg type of the chain has its own gas schedule entry.
func TestGasScheduleCoversEveryMsg(t *testing.T) {
	listed := map[string]bool{}
	for _, g := range fees.DefaultParams().Schedule {
		listed[g.Type] = true
	}
	for _, typ := range NewRegistry().Types() {
		if !listed[typ] {
			t.Errorf("msg type %s has no entry in fees.DefaultParams().Schedule", typ)
		}
	}
}
