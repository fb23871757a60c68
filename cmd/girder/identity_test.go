package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/identity"
)

func TestParseExpiry(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	good := map[string]int64{
		"+1y":                  time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC).Unix(),
		"+90d":                 now.AddDate(0, 0, 90).Unix(),
		"+720h":                now.Add(720 * time.Hour).Unix(),
		"2027-06-30":           time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC).Unix(),
		"2027-06-30T10:00:00Z": time.Date(2027, 6, 30, 10, 0, 0, 0, time.UTC).Unix(),
		"1800000000":           1800000000,
	}
	for in, want := range good {
		if got, err := parseExpiry(in, now); err != nil || got != want {
			t.Errorf("parseExpiry(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "+", "+0d", "+-1y", "tomorrow", "-5", "0", "2027-13-01", "+1w"} {
		if _, err := parseExpiry(in, now); err == nil {
			t.Errorf("parseExpiry(%q) accepted", in)
		}
	}
	if _, err := evidenceHash("", ""); err == nil {
		t.Error("no evidence accepted")
	}
	if _, err := evidenceHash("ab", ""); err == nil {
		t.Error("short hash accepted")
	}
	if _, err := evidenceHash(strings.Repeat("ab", 32), "x"); err == nil {
		t.Error("both hash and file accepted")
	}
}

// TestIdentityCLI: on a real node whose genesis names alice admin, the identity and role
// commands of docs/identity.md, and the errors a person sees.
func TestIdentityCLI(t *testing.T) {
	ch := startCLIChain(t, "id-test", "alice", "bob=1000GRD", "alice=1000GRD", "carol=10GRD") // bob is funded first, but --admin makes alice the admin
	addr, n, at := ch.addr, ch.node, ch.at
	run, jsonOf := ch.run, ch.jsonOf

	var roles auth.RolesResult
	jsonOf(&roles, "query", "roles", "alice")
	// The admin is also a consortium member (chain governance) unless the genesis names members.
	if len(roles.Roles) != 2 || roles.Roles[0].Role != auth.RoleAdmin || roles.Roles[1].Role != auth.RoleMember {
		t.Fatalf("alice's roles at genesis: %+v", roles)
	}
	if out := run("query", "roles", "bob"); !strings.Contains(out, "(no roles)") {
		t.Fatalf("bob's roles:\n%s", out)
	}

	run("tx", "auth", "grant-role", "alice", "kyc_provider", "alice")
	run("tx", "auth", "grant-role", "alice", "compliance_officer", "carol")
	run("tx", "identity", "set-trust", "alice", "alice", "kyc_level,jurisdiction,investor_type,sanctions")
	run("tx", "identity", "register", "alice", "bob-smith", "bob")
	evidence := filepath.Join(t.TempDir(), "kyc.pdf")
	os.WriteFile(evidence, []byte("passport scan"), 0o600)
	out := run("tx", "identity", "issue", "alice", "bob-smith", "--kyc-level", "2", "--jurisdiction", "DE", "--investor-type", "retail",
		"--sanctions-screened", "--expiry", "+1y", "--evidence-file", evidence)
	if !strings.Contains(out, "code     0 (ok)") || !strings.Contains(out, "credential 1\n") {
		t.Fatalf("issue (text):\n%s", out)
	}

	var acc identity.AccountInfo
	jsonOf(&acc, "query", "identity", "account", "bob")
	if acc.Identity != "bob-smith" || acc.Claims.KYCLevel != 2 || acc.Claims.Jurisdiction != "DE" || !acc.Claims.SanctionsScreened {
		t.Fatalf("bob's claims: %+v", acc)
	}
	if out := run("query", "identity", "account", "bob"); !strings.Contains(out, "kyc level          2") || !strings.Contains(out, "bob-smith") {
		t.Fatalf("account (text):\n%s", out)
	}
	if out := run("query", "identity", "account", "alice"); !strings.Contains(out, "belongs to no identity") {
		t.Fatalf("account of no identity (text):\n%s", out)
	}
	var holders auth.HoldersResult
	jsonOf(&holders, "query", "roles", "kyc_provider")
	if len(holders.Holders) != 1 || holders.Holders[0].Account.String() != addr["alice"] {
		t.Fatalf("kyc providers: %+v", holders)
	}

	// The compliance officer revokes the credential; the claims stop counting.
	var res client.Result
	jsonOf(&res, "tx", "identity", "revoke", "carol", "1", "--reason", "sanctions list match")
	if res.Code != 0 {
		t.Fatalf("revoke: %+v", res)
	}
	var cred identity.CredentialInfo
	jsonOf(&cred, "query", "identity", "credential", "1")
	if cred.Status != identity.StatusRevoked || cred.Revocation == nil || cred.Revocation.Reason != "sanctions list match" {
		t.Fatalf("credential after revoke: %+v", cred)
	}
	if out := run("query", "identity", "identity", "bob-smith"); !strings.Contains(out, "revoked") || !strings.Contains(out, "kyc level          -") {
		t.Fatalf("identity (text):\n%s", out)
	}
	var iss identity.IssuerInfo
	jsonOf(&iss, "query", "identity", "issuer", "alice")
	if !iss.KYCProvider || len(iss.Trusted) != 4 || len(iss.Credentials) != 1 {
		t.Fatalf("issuer: %+v", iss)
	}

	bad := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"tx", "identity", "register", "bob", "bob-2", "carol"}, 2, "not a KYC provider"},
		{[]string{"tx", "identity", "issue", "alice", "bob-smith", "--jurisdiction", "de", "--expiry", "+1y", "--evidence-hash", strings.Repeat("ab", 32)}, 2, "bad jurisdiction"},
		{[]string{"tx", "identity", "issue", "alice", "nobody", "--kyc-level", "1", "--expiry", "+1y", "--evidence-hash", strings.Repeat("ab", 32)}, 2, "unknown identity"},
		{[]string{"tx", "identity", "issue", "alice", "bob-smith", "--kyc-level", "1", "--expiry", "2001-01-01", "--evidence-hash", strings.Repeat("ab", 32)}, 2, "expiry is not after the block time"},
		{[]string{"tx", "identity", "issue", "alice", "bob-smith", "--kyc-level", "1", "--expiry", "+1y"}, 1, "needs its evidence"},
		{[]string{"tx", "identity", "revoke", "alice", "1", "--reason", "again"}, 2, "already revoked"},
		{[]string{"tx", "identity", "renew", "carol", "1", "--expiry", "+1y", "--evidence-file", evidence}, 2, "only the credential's issuer"},
		{[]string{"tx", "identity", "set-trust", "bob", "alice", "kyc_level"}, 2, "not an admin"},
		{[]string{"tx", "identity", "set-trust", "alice", "alice", ","}, 1, "give claim kinds"},
		{[]string{"tx", "auth", "revoke-role", "alice", "admin", "alice", "--reason", "bye"}, 2, "last admin"},
		{[]string{"tx", "auth", "grant-role", "alice", "superuser", "bob"}, 2, "unknown role"},
		{[]string{"tx", "auth", "revoke-role", "alice", "regulator", "bob"}, 1, "reason"},
		{[]string{"query", "identity", "credential", "0"}, 1, "number from 1"},
		{[]string{"query", "identity", "credential", "9"}, 2, "no credential 9"},
		{[]string{"query", "roles", "nobody"}, 1, "nor is it a role"},
	}
	for _, b := range bad {
		_, stderr, code := girder(t, append(b.args, at...)...)
		if code != b.code || !strings.Contains(stderr, b.want) {
			t.Errorf("girder %s: exit %d, stderr %q; want exit %d mentioning %q", strings.Join(b.args, " "), code, stderr, b.code, b.want)
		}
	}
	if err := n.App.Invariants(); err != nil {
		t.Fatal(err)
	}
}
