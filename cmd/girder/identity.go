package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/identity"
)

// The identity and role commands live under `tx` and `query` (tx.go and query.go add them);
// this file also registers the `girder identity` help topic.
func init() { register(newIdentityTopicCmd) }

func newIdentityTopicCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "identity",
		Short: "Guide: roles, identities, credentials and trusted issuers",
		Long: `Roles, identities and credentials (see docs/identity.md).

Roles are granted and revoked on chain by an admin: admin, kyc_provider, compliance_officer,
regulator, cash_issuer, asset_issuer.
  girder tx auth grant-role ADMIN ROLE ACCOUNT
  girder tx auth revoke-role ADMIN ROLE ACCOUNT --reason TEXT
  girder query roles ADDRESS|ROLE

A KYC provider registers an identity (an id of 3-64 characters a-z, 0-9, '-') and links
accounts to it (an account belongs to at most one identity), then issues credentials with
claims: KYC level (1-3), jurisdiction (ISO 3166-1 alpha-2), investor type (retail,
professional, accredited, institutional), sanctions screening, an expiry and the hash of the
off-chain evidence.
  girder tx identity register PROVIDER ID [ACCOUNT...]
  girder tx identity link|unlink PROVIDER ID ACCOUNT
  girder tx identity issue PROVIDER ID --kyc-level 2 --jurisdiction DE --expiry +1y --evidence-file kyc.pdf
  girder tx identity renew PROVIDER CREDENTIAL --expiry +1y --evidence-file kyc.pdf
  girder tx identity revoke PROVIDER|OFFICER CREDENTIAL --reason TEXT

Claims count only while their issuer is trusted for them (an admin decides):
  girder tx identity set-trust ADMIN ISSUER kyc_level,jurisdiction,investor_type,sanctions
  girder query identity account|identity|credential|issuer ...`,
	}
}

// withSignerShow is withSigner that, in text mode, also prints what show finds in the committed
// result (e.g. the id of a new credential, which only its event carries).
func withSignerShow(cmd *cobra.Command, from string, build func(context.Context, *client.Client, client.Signer) ([]tx.Msg, error), f *txFlags, show func(io.Writer, *client.Result)) error {
	if g.output == "json" || f.noWait || show == nil {
		return withSigner(cmd, from, build, f)
	}
	out := cmd.OutOrStdout()
	var buf bytes.Buffer
	cmd.SetOut(&buf)
	g.output = "json"
	err := func() error {
		defer func() { g.output = "text"; cmd.SetOut(out) }()
		return withSigner(cmd, from, build, f)
	}()
	var r client.Result
	if buf.Len() == 0 || json.Unmarshal(buf.Bytes(), &r) != nil {
		_, _ = out.Write(buf.Bytes())
		return err
	}
	var units []coin.Unit
	if c, derr := client.Dial(g.node); derr == nil {
		ctx, cancel := context.WithTimeout(cmd.Context(), queryTimeout)
		units, _ = c.Units(ctx)
		cancel()
	}
	printResult(out, &r, units)
	if r.Code == 0 {
		show(out, &r)
	}
	return err
}

// eventAttr is the value of key in the first event of type typ.
func eventAttr(r *client.Result, typ, key string) string {
	for _, e := range r.Events {
		if e.Type != typ {
			continue
		}
		for _, a := range e.Attrs {
			if a.Key == key {
				return a.Value
			}
		}
	}
	return ""
}

func newAuthTxCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "auth", Short: "Grant and revoke roles (admins only)"}
	var gf, rf txFlags
	var reason string
	grant := &cobra.Command{
		Use:   "grant-role ADMIN ROLE ACCOUNT",
		Short: "Grant ROLE to ACCOUNT; the key ADMIN must hold the admin role",
		Long: `Grant ROLE to ACCOUNT (an address or key name), signed by the key ADMIN, which must hold
the admin role. The roles: ` + strings.Join(auth.Roles, ", ") + `.

Example:
  girder tx auth grant-role validator kyc_provider alice`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSigner(cmd, args[0], func(_ context.Context, _ *client.Client, s client.Signer) ([]tx.Msg, error) {
				acc, err := resolveAddress(args[2])
				if err != nil {
					return nil, err
				}
				return []tx.Msg{&auth.MsgGrantRole{Authority: s.Address(), Role: args[1], Account: acc}}, nil
			}, &gf)
		},
	}
	gf.add(grant)
	revoke := &cobra.Command{
		Use:     "revoke-role ADMIN ROLE ACCOUNT --reason TEXT",
		Short:   "Revoke ROLE from ACCOUNT, with a reason; the last admin cannot be revoked",
		Example: `  girder tx auth revoke-role validator kyc_provider alice --reason "contract ended"`,
		Args:    cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSigner(cmd, args[0], func(_ context.Context, _ *client.Client, s client.Signer) ([]tx.Msg, error) {
				acc, err := resolveAddress(args[2])
				if err != nil {
					return nil, err
				}
				return []tx.Msg{&auth.MsgRevokeRole{Authority: s.Address(), Role: args[1], Account: acc, Reason: reason}}, nil
			}, &rf)
		},
	}
	revoke.Flags().StringVar(&reason, "reason", "", "why the role is revoked (required, recorded in the event)")
	_ = revoke.MarkFlagRequired("reason")
	rf.add(revoke)
	cmd.AddCommand(grant, revoke)
	return cmd
}

// credentialFlags are the expiry and evidence of issue and renew.
type credentialFlags struct {
	expiry, evidenceHash, evidenceFile string
}

func (c *credentialFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&c.expiry, "expiry", "", "expiry: +DURATION from now (+1y, +90d, +720h), a date (2027-06-30), RFC 3339 time or unix seconds (required)")
	cmd.Flags().StringVar(&c.evidenceHash, "evidence-hash", "", "SHA-256 of the off-chain evidence, 64 hex digits")
	cmd.Flags().StringVar(&c.evidenceFile, "evidence-file", "", "file of the off-chain evidence: its SHA-256 is recorded (the file stays off chain)")
	_ = cmd.MarkFlagRequired("expiry")
}

func (c *credentialFlags) values() (int64, identity.Hash, error) {
	exp, err := parseExpiry(c.expiry, time.Now())
	if err != nil {
		return 0, identity.Hash{}, err
	}
	h, err := evidenceHash(c.evidenceHash, c.evidenceFile)
	return exp, h, err
}

// parseExpiry reads an expiry as unix seconds: "+DURATION" from now (y years, d days, or a Go
// duration such as 720h), a date (midnight UTC), an RFC 3339 time, or unix seconds.
func parseExpiry(s string, now time.Time) (int64, error) {
	bad := fmt.Errorf("--expiry %q: want +DURATION (+1y, +90d, +720h), a date 2027-06-30, an RFC 3339 time or unix seconds", s)
	switch {
	case s == "":
		return 0, bad
	case strings.HasPrefix(s, "+"):
		d := s[1:]
		if n, err := strconv.Atoi(strings.TrimSuffix(d, "y")); err == nil && strings.HasSuffix(d, "y") && n > 0 {
			return now.AddDate(n, 0, 0).Unix(), nil
		}
		if n, err := strconv.Atoi(strings.TrimSuffix(d, "d")); err == nil && strings.HasSuffix(d, "d") && n > 0 {
			return now.AddDate(0, 0, n).Unix(), nil
		}
		if dur, err := time.ParseDuration(d); err == nil && dur > 0 {
			return now.Add(dur).Unix(), nil
		}
		return 0, bad
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		return n, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Unix(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Unix(), nil
	}
	return 0, bad
}

func evidenceHash(hexHash, file string) (identity.Hash, error) {
	switch {
	case hexHash != "" && file != "":
		return identity.Hash{}, fmt.Errorf("give --evidence-hash or --evidence-file, not both")
	case hexHash != "":
		return identity.ParseHash(strings.ToLower(hexHash))
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return identity.Hash{}, fmt.Errorf("--evidence-file: %w", err)
		}
		return identity.Hash(sha256.Sum256(b)), nil
	}
	return identity.Hash{}, fmt.Errorf("a credential needs its evidence: give --evidence-file FILE or --evidence-hash HEX")
}

func newIdentityTxCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "identity", Short: "Identities, credentials and trusted issuers (KYC providers, compliance officers, admins)"}
	addrs := func(names []string) ([]address.Address, error) {
		var out []address.Address
		for _, n := range names {
			a, err := resolveAddress(n)
			if err != nil {
				return nil, err
			}
			out = append(out, a)
		}
		return out, nil
	}

	var regF txFlags
	register := &cobra.Command{
		Use:   "register PROVIDER ID [ACCOUNT...]",
		Short: "Register identity ID with its accounts; the key PROVIDER must be a KYC provider",
		Long: `Register identity ID (3-64 characters: a-z, 0-9, '-'), linking the ACCOUNTs (addresses or
key names) to it. The key PROVIDER must hold the kyc_provider role; it alone links and unlinks
the identity's accounts later. An account belongs to at most one identity.

Example:
  girder tx identity register validator alice-smith alice`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSigner(cmd, args[0], func(_ context.Context, _ *client.Client, s client.Signer) ([]tx.Msg, error) {
				accs, err := addrs(args[2:])
				if err != nil {
					return nil, err
				}
				return []tx.Msg{&identity.MsgRegister{Provider: s.Address(), ID: args[1], Accounts: accs}}, nil
			}, &regF)
		},
	}
	regF.add(register)

	linkCmd := func(use, short string, unlink bool) *cobra.Command {
		var f txFlags
		c := &cobra.Command{
			Use: use + " PROVIDER ID ACCOUNT", Short: short, Args: cobra.ExactArgs(3),
			Example: "  girder tx identity " + use + " validator alice-smith gir1...",
			RunE: func(cmd *cobra.Command, args []string) error {
				return withSigner(cmd, args[0], func(_ context.Context, _ *client.Client, s client.Signer) ([]tx.Msg, error) {
					acc, err := resolveAddress(args[2])
					if err != nil {
						return nil, err
					}
					if unlink {
						return []tx.Msg{&identity.MsgUnlink{Provider: s.Address(), ID: args[1], Account: acc}}, nil
					}
					return []tx.Msg{&identity.MsgLink{Provider: s.Address(), ID: args[1], Account: acc}}, nil
				}, &f)
			},
		}
		f.add(c)
		return c
	}

	var issF txFlags
	var issC credentialFlags
	var claims identity.ClaimSet
	var kyc uint8
	issue := &cobra.Command{
		Use:   "issue PROVIDER ID [claims] --expiry WHEN --evidence-file FILE",
		Short: "Issue a credential with claims to identity ID; prints the new credential's id",
		Long: `Issue a credential to identity ID, signed by the key PROVIDER (a kyc_provider). It states at
least one claim: --kyc-level (1-3), --jurisdiction (ISO 3166-1 alpha-2, e.g. DE), --investor-type
(retail, professional, accredited, institutional), --sanctions-screened. --expiry must be after
the block time. The evidence stays off chain: its SHA-256 is recorded (--evidence-file hashes
a file, --evidence-hash takes the hash).

The claims count for the identity's accounts only while PROVIDER is trusted for them
(girder tx identity set-trust).

Example:
  girder tx identity issue validator alice-smith --kyc-level 2 --jurisdiction DE \
    --investor-type retail --sanctions-screened --expiry +1y --evidence-file kyc-file.pdf`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSignerShow(cmd, args[0], func(_ context.Context, _ *client.Client, s client.Signer) ([]tx.Msg, error) {
				exp, h, err := issC.values()
				if err != nil {
					return nil, err
				}
				c := claims
				c.KYCLevel = kyc
				return []tx.Msg{&identity.MsgIssue{Issuer: s.Address(), ID: args[1], Claims: c, Expiry: exp, EvidenceHash: h}}, nil
			}, &issF, func(w io.Writer, r *client.Result) {
				fmt.Fprintf(w, "credential %s\n", eventAttr(r, "identity.credential_issued", "credential"))
			})
		},
	}
	issue.Flags().Uint8Var(&kyc, "kyc-level", 0, "KYC level 1-3")
	issue.Flags().StringVar(&claims.Jurisdiction, "jurisdiction", "", "jurisdiction, ISO 3166-1 alpha-2 (DE, US, …)")
	issue.Flags().StringVar(&claims.InvestorType, "investor-type", "", "investor type: "+strings.Join(identity.InvestorTypes, ", "))
	issue.Flags().BoolVar(&claims.SanctionsScreened, "sanctions-screened", false, "the identity passed sanctions screening")
	issC.add(issue)
	issF.add(issue)

	var renF txFlags
	var renC credentialFlags
	renew := &cobra.Command{
		Use:     "renew PROVIDER CREDENTIAL --expiry WHEN --evidence-file FILE",
		Short:   "Extend a credential with new evidence; only its issuer may",
		Example: `  girder tx identity renew validator 1 --expiry +1y --evidence-file kyc-2027.pdf`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := parseCredentialID(args[1])
			if err != nil {
				return err
			}
			return withSigner(cmd, args[0], func(_ context.Context, _ *client.Client, s client.Signer) ([]tx.Msg, error) {
				exp, h, err := renC.values()
				if err != nil {
					return nil, err
				}
				return []tx.Msg{&identity.MsgRenew{Issuer: s.Address(), CredentialID: n, Expiry: exp, EvidenceHash: h}}, nil
			}, &renF)
		},
	}
	renC.add(renew)
	renF.add(renew)

	var revF txFlags
	var reason string
	revoke := &cobra.Command{
		Use:   "revoke SIGNER CREDENTIAL --reason TEXT",
		Short: "Revoke a credential for good; its issuer or a compliance officer may",
		Long: `Revoke credential CREDENTIAL, signed by the key SIGNER: its issuer or a compliance_officer.
The credential stays on chain with its revocation (who, why, when); it never counts again.

Example:
  girder tx identity revoke bob 1 --reason "sanctions list match"`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := parseCredentialID(args[1])
			if err != nil {
				return err
			}
			return withSigner(cmd, args[0], func(_ context.Context, _ *client.Client, s client.Signer) ([]tx.Msg, error) {
				return []tx.Msg{&identity.MsgRevoke{By: s.Address(), CredentialID: n, Reason: reason}}, nil
			}, &revF)
		},
	}
	revoke.Flags().StringVar(&reason, "reason", "", "why the credential is revoked (required)")
	_ = revoke.MarkFlagRequired("reason")
	revF.add(revoke)

	var trF txFlags
	setTrust := &cobra.Command{
		Use:   "set-trust ADMIN ISSUER CLAIMS|none",
		Short: "Set the claims an issuer is trusted for (comma-separated), or none; admins only",
		Long: `Set the claim kinds for which the credentials of ISSUER count: a comma-separated list of
` + strings.Join(identity.ClaimKinds, ", ") + `, or "none" to trust it for nothing. The key
ADMIN must hold the admin role; ISSUER must be a kyc_provider (except for none).

Example:
  girder tx identity set-trust validator validator kyc_level,jurisdiction,investor_type,sanctions
  girder tx identity set-trust validator gir1... none`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			var kinds []string
			if args[2] != "none" {
				for _, k := range strings.Split(args[2], ",") {
					if k = strings.TrimSpace(k); k != "" {
						kinds = append(kinds, k)
					}
				}
				if len(kinds) == 0 {
					return fmt.Errorf("claims %q: give claim kinds (%s) or none", args[2], strings.Join(identity.ClaimKinds, ","))
				}
			}
			return withSigner(cmd, args[0], func(_ context.Context, _ *client.Client, s client.Signer) ([]tx.Msg, error) {
				issuer, err := resolveAddress(args[1])
				if err != nil {
					return nil, err
				}
				return []tx.Msg{&identity.MsgSetTrust{Authority: s.Address(), Issuer: issuer, Claims: kinds}}, nil
			}, &trF)
		},
	}
	trF.add(setTrust)

	cmd.AddCommand(register,
		linkCmd("link", "Link an account to an identity; only the identity's KYC provider may", false),
		linkCmd("unlink", "Unlink an account from an identity; only the identity's KYC provider may", true),
		issue, renew, revoke, setTrust)
	return cmd
}

func parseCredentialID(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("credential %q: want a credential id, a number from 1", s)
	}
	return n, nil
}

func fmtTime(unix int64) string {
	if unix == 0 {
		return "-"
	}
	return time.Unix(unix, 0).UTC().Format(time.RFC3339)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func printClaims(w io.Writer, c identity.EffectiveClaims) {
	kyc, jur, inv := "-", "-", "-"
	if c.KYCLevel != 0 {
		kyc = strconv.Itoa(int(c.KYCLevel))
	}
	if c.Jurisdiction != "" {
		jur = c.Jurisdiction
	}
	if c.InvestorType != "" {
		inv = c.InvestorType
	}
	ids := "-"
	if len(c.Credentials) > 0 {
		ids = joinIDs(c.Credentials)
	}
	fmt.Fprintf(w, "  kyc level          %s\n  jurisdiction       %s\n  investor type      %s\n  sanctions screened %s\n  valid until        %s\n  from credentials   %s\n",
		kyc, jur, inv, yesNo(c.SanctionsScreened), fmtTime(c.ValidUntil), ids)
}

func joinIDs(ids []uint64) string {
	parts := make([]string, len(ids))
	for i, n := range ids {
		parts[i] = strconv.FormatUint(n, 10)
	}
	return strings.Join(parts, ", ")
}

func claimsOf(c identity.ClaimSet) string {
	var parts []string
	if c.KYCLevel != 0 {
		parts = append(parts, fmt.Sprintf("kyc_level=%d", c.KYCLevel))
	}
	if c.Jurisdiction != "" {
		parts = append(parts, "jurisdiction="+c.Jurisdiction)
	}
	if c.InvestorType != "" {
		parts = append(parts, "investor_type="+c.InvestorType)
	}
	if c.SanctionsScreened {
		parts = append(parts, "sanctions_screened")
	}
	return strings.Join(parts, " ")
}

func printCredential(w io.Writer, c identity.CredentialInfo) {
	fmt.Fprintf(w, "credential %d (%s)\n  identity      %s\n  issuer        %s\n  claims        %s\n  expiry        %s\n  evidence      %s\n  issued        height %d, %s\n",
		c.ID, c.Status, c.Identity, c.Issuer, claimsOf(c.Claims), fmtTime(c.Expiry), c.EvidenceHash, c.IssuedHeight, fmtTime(c.IssuedAt))
	if c.Renewals > 0 {
		fmt.Fprintf(w, "  renewed       %d time(s), last at height %d\n", c.Renewals, c.RenewedHeight)
	}
	if r := c.Revocation; r != nil {
		fmt.Fprintf(w, "  revoked       height %d, %s, by %s: %s\n", r.Height, fmtTime(r.Time), r.By, r.Reason)
	}
}

// queryCmd is a query command of one argument that fetches path(arg) into a T and prints it.
func queryCmd[T any](use, short, example string, path func(string) (string, error), text func(io.Writer, *T)) *cobra.Command {
	return &cobra.Command{
		Use: use, Short: short, Example: example, Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := path(args[0])
			if err != nil {
				return err
			}
			return withClient(cmd, func(ctx context.Context, c *client.Client) error {
				var v T
				if err := c.Query(ctx, p, nil, 0, &v); err != nil {
					return err
				}
				return emit(cmd.OutOrStdout(), v, func(w io.Writer) { text(w, &v) })
			})
		},
	}
}

func addressPath(prefix string) func(string) (string, error) {
	return func(s string) (string, error) {
		a, err := resolveAddress(s)
		if err != nil {
			return "", err
		}
		return prefix + a.String(), nil
	}
}

func newIdentityQueryCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "identity", Short: "Identities, credentials, claims and issuers"}
	cmd.AddCommand(
		queryCmd("account ADDRESS|KEY", "Show an account's identity and the claims that count for it now",
			"  girder query identity account alice", addressPath("/identity/account/"),
			func(w io.Writer, v *identity.AccountInfo) {
				if v.Identity == "" {
					fmt.Fprintf(w, "%s belongs to no identity\n", v.Address)
					return
				}
				fmt.Fprintf(w, "address   %s\nidentity  %s\nclaims at %s:\n", v.Address, v.Identity, fmtTime(v.At))
				printClaims(w, v.Claims)
			}),
		queryCmd("identity ID", "Show an identity: provider, accounts, credentials, effective claims",
			"  girder query identity identity alice-smith", func(s string) (string, error) { return "/identity/identity/" + s, nil },
			func(w io.Writer, v *identity.IdentityInfo) {
				fmt.Fprintf(w, "identity  %s\nprovider  %s (registered at height %d)\naccounts:\n", v.ID, v.Provider, v.Height)
				for _, l := range v.Accounts {
					fmt.Fprintf(w, "  %s (linked at height %d)\n", l.Account, l.Height)
				}
				if len(v.Accounts) == 0 {
					fmt.Fprintln(w, "  (none)")
				}
				fmt.Fprintln(w, "credentials:")
				for _, c := range v.Credentials {
					fmt.Fprintf(w, "  %-4d %-8s %s, expiry %s, issuer %s\n", c.ID, c.Status, claimsOf(c.Claims), fmtTime(c.Expiry), c.Issuer)
				}
				if len(v.Credentials) == 0 {
					fmt.Fprintln(w, "  (none)")
				}
				fmt.Fprintf(w, "claims at %s:\n", fmtTime(v.At))
				printClaims(w, v.Claims)
			}),
		queryCmd("credential ID", "Show a credential: claims, issuer, expiry, evidence, revocation, status",
			"  girder query identity credential 1", func(s string) (string, error) {
				n, err := parseCredentialID(s)
				return "/identity/credential/" + strconv.FormatUint(n, 10), err
			}, func(w io.Writer, v *identity.CredentialInfo) { printCredential(w, *v) }),
		queryCmd("issuer ADDRESS|KEY", "Show an issuer: KYC provider or not, trusted claims, credentials issued",
			"  girder query identity issuer validator", addressPath("/identity/issuer/"),
			func(w io.Writer, v *identity.IssuerInfo) {
				trusted := strings.Join(v.Trusted, ", ")
				if trusted == "" {
					trusted = "nothing"
				}
				fmt.Fprintf(w, "issuer        %s\nkyc provider  %s\ntrusted for   %s\ncredentials   %d issued %s\n",
					v.Issuer, yesNo(v.KYCProvider), trusted, len(v.Credentials), joinIDs(v.Credentials))
			}),
	)
	return cmd
}

func newRolesQueryCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "roles ADDRESS|KEY|ROLE",
		Short: "Show the roles of an address, or the holders of a role",
		Long: `Show the roles an address (or key) holds, or, given a role name, the accounts that hold it.
The roles: ` + strings.Join(auth.Roles, ", ") + `.`,
		Example: "  girder query roles validator\n  girder query roles kyc_provider -o json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withClient(cmd, func(ctx context.Context, c *client.Client) error {
				if auth.ValidRole(args[0]) {
					var v auth.HoldersResult
					if err := c.Query(ctx, "/auth/role/"+args[0], nil, 0, &v); err != nil {
						return err
					}
					return emit(cmd.OutOrStdout(), v, func(w io.Writer) {
						fmt.Fprintf(w, "%s (%d)\n", v.Role, len(v.Holders))
						for _, h := range v.Holders {
							fmt.Fprintf(w, "  %s %s\n", h.Account, grantedBy(h))
						}
					})
				}
				a, err := resolveAddress(args[0])
				if err != nil {
					return fmt.Errorf("%w; nor is it a role (%s)", err, strings.Join(auth.Roles, ", "))
				}
				var v auth.RolesResult
				if err := c.Query(ctx, "/auth/roles/"+a.String(), nil, 0, &v); err != nil {
					return err
				}
				return emit(cmd.OutOrStdout(), v, func(w io.Writer) {
					fmt.Fprintf(w, "%s\n", v.Address)
					if len(v.Roles) == 0 {
						fmt.Fprintln(w, "  (no roles)")
					}
					for _, r := range v.Roles {
						fmt.Fprintf(w, "  %-18s %s\n", r.Role, grantedBy(r))
					}
				})
			})
		},
	}
}

func grantedBy(g auth.RoleGrant) string {
	if g.GrantedBy == nil {
		return "(genesis)"
	}
	return fmt.Sprintf("(granted by %s at height %d)", *g.GrantedBy, g.Height)
}
