package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/keyring"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/projects"
)

// The projects commands live under `tx projects` and `query projects` (tx.go and query.go add
// them). They reuse the helpers of offerings.go (times, ids, events, query commands), assets.go
// (content hashes) and compliance.go (durations, tables, amounts).

// ---- arguments ----

// projectArg checks a project id argument before anything is sent.
func projectArg(s string) error {
	if err := projects.ValidProjectID(s); err != nil {
		if strings.Contains(err.Error(), "reserved") {
			return fmt.Errorf("project id %q is reserved (a REST path under /v1/projects): choose another", s)
		}
		return fmt.Errorf("project id %q: want 3 to 40 characters of a-z, 0-9 and - (starting and ending with a letter or digit), e.g. harbour-bridge", s)
	}
	return nil
}

// milestoneArg checks a milestone id argument.
func milestoneArg(s string) error {
	if err := projects.ValidMilestoneID(s); err != nil {
		return fmt.Errorf("milestone id %q: want 1 to 40 characters of a-z, 0-9 and - (starting and ending with a letter or digit), e.g. foundations", s)
	}
	return nil
}

// roleArg checks a project role.
func roleArg(what, s string) error {
	if !projects.ValidRole(s) {
		return fmt.Errorf("%s %q: want one of %s", what, s, strings.Join(projects.ProjectRoles, ", "))
	}
	return nil
}

// docRef reads the hash part of URI=FILE or URI=SHA256: 64 hex digits are the hash, anything
// else is a file whose SHA-256 is taken.
func docRef(flag, v string) (projects.Attachment, error) {
	i := strings.LastIndex(v, "=")
	if i <= 0 || i == len(v)-1 {
		return projects.Attachment{}, fmt.Errorf("%s %q: want URI=FILE (its SHA-256 is recorded) or URI=SHA256 (64 hex digits)", flag, v)
	}
	uri, ref := v[:i], v[i+1:]
	if len(ref) == 64 {
		if b, err := hex.DecodeString(ref); err == nil {
			var h projects.Hash
			copy(h[:], b)
			return projects.Attachment{URI: uri, Hash: h}, nil
		}
	}
	b, err := os.ReadFile(ref)
	if err != nil {
		return projects.Attachment{}, fmt.Errorf("%s %q: %s is neither a SHA-256 (64 hex digits) nor a readable file: %w", flag, v, ref, err)
	}
	return projects.Attachment{URI: uri, Hash: sha256.Sum256(b)}, nil
}

// parseAttachments reads repeated --doc URI=FILE|URI=SHA256 values.
func parseAttachments(flag string, vals []string) ([]projects.Attachment, error) {
	var out []projects.Attachment
	for _, v := range vals {
		a, err := docRef(flag, v)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// parsePercent reads a percentage complete: 40 or 40%, from 0 to 100.
func parsePercent(s string) (uint32, error) {
	n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(s), "%"), 10, 32)
	if err != nil || n > 100 {
		return 0, fmt.Errorf("--percent %q: want a whole percentage from 0 to 100 (40 or 40%%)", s)
	}
	return uint32(n), nil
}

// parsePolicy reads --sign-off ROLE,ROLE and --min K (0: all the roles listed).
func parsePolicy(roles string, min int) (projects.Policy, error) {
	var p projects.Policy
	for _, r := range strings.Split(roles, ",") {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		if err := roleArg("--sign-off role", r); err != nil {
			return p, err
		}
		for _, e := range p.Roles {
			if e == r {
				return p, fmt.Errorf("--sign-off lists %s twice", r)
			}
		}
		p.Roles = append(p.Roles, r)
	}
	if len(p.Roles) == 0 {
		return p, fmt.Errorf("--sign-off: list the roles that sign off, e.g. independent_engineer,public_agency")
	}
	switch {
	case min == 0:
		p.Min = uint32(len(p.Roles))
	case min < 0 || min > len(p.Roles):
		return p, fmt.Errorf("--min %d: want 1 to %d (the roles --sign-off lists)", min, len(p.Roles))
	default:
		p.Min = uint32(min)
	}
	return p, nil
}

// keyNames maps the addresses of the local keyring's keys to their names; empty when there is
// no keyring (it is not created for a query).
func keyNames() map[address.Address]string {
	out := map[address.Address]string{}
	if st, err := os.Stat(filepath.Join(g.home, "keyring-"+g.keyringBackend)); err != nil || !st.IsDir() {
		return out
	}
	kr, err := keyring.Open(g.home, g.keyringBackend, nil)
	if err != nil {
		return out
	}
	infos, _ := kr.List()
	for _, i := range infos {
		out[i.Address] = i.Name
	}
	return out
}

// who names an account: its local key name when it has one, else its address.
func who(names map[address.Address]string, a address.Address) string {
	if n, ok := names[a]; ok {
		return n
	}
	return a.String()
}

// ---- tx projects ----

// projTx is a `tx projects` command signed by the key of its first argument: check validates the
// other arguments first, build makes the msg (validated before it is signed), and the projects
// events of the committed tx are printed after the result.
func projTx(use, short, long string, args cobra.PositionalArgs, check func(args []string) error,
	build func(ctx context.Context, c *client.Client, units []coin.Unit, s client.Signer, args []string) (tx.Msg, error)) *cobra.Command {
	var f txFlags
	cmd := &cobra.Command{Use: use, Short: short, Long: long, Args: args,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				if err := projectArg(args[1]); err != nil {
					return err
				}
			}
			if check != nil {
				if err := check(args); err != nil {
					return err
				}
			}
			var units []coin.Unit
			return withSignerShow(cmd, args[0], func(ctx context.Context, c *client.Client, s client.Signer) ([]tx.Msg, error) {
				var err error
				if units, err = c.Units(ctx); err != nil {
					return nil, err
				}
				m, err := build(ctx, c, units, s, args)
				if err != nil {
					return nil, err
				}
				return validatedMsg(m)
			}, &f, func(w io.Writer, r *client.Result) { printProjectEvents(w, r, units) })
		}}
	f.add(cmd)
	return cmd
}

// milestoneCheck checks the MILESTONE argument (the third).
func milestoneCheck(args []string) error { return milestoneArg(args[2]) }

func newProjectsTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "projects",
		Short: "Projects: registry, stakeholders, progress ledger, milestones and tranche escrow",
		Long: `A project is created by a public agency (chain role public_agency) with its name, sector,
location, concession period and documents. Its stakeholders hold project roles:
  ` + strings.Join(projects.ProjectRoles, ", ") + `,
changed by a public_agency alone (rule agency) or by a public_agency and a private_partner
together (rule agency+spv: one proposes, the other approves). Each project has a treasury (a
module account: girder query projects project ID shows it; send money to it with girder tx bank
send), from which milestones' tranches are funded into escrow.

Any stakeholder posts progress reports to the project's ledger (append-only; a correction is a new
entry that amends an earlier one), and attests or disputes the others' entries.

A milestone has a tranche (an amount of a cash asset), a payee and a sign-off policy (K of some
roles). The payee claims it complete, the policy's roles sign off, a challenge window runs, and
at its end the tranche is released to the payee automatically unless a stakeholder disputed it;
then the project's resolver role (public_agency by default) releases or rejects.

A public_agency links the project's security token (set-security). Its DAO — the holders of the
token, deciding by proposal (docs/governance.md) — then spends from the treasury, changes
parameters and documents, funds, resolves and cancels milestones, and approves stakeholder
changes as the private_partner side. No key signs for the DAO: the commands that act for it print
the msg to put in a proposal.

The first argument of every command is the key that signs (except spend, and "dao" in
set-parameter: those print a msg for a proposal).

  girder tx projects create AGENCY ID --name .. --sector .. --location .. --concession-start .. --concession-end ..
  girder tx projects set-document|remove-document EDITOR PROJECT NAME ...
  girder tx projects add-stakeholder|remove-stakeholder AGENCY PROJECT ACCOUNT ROLE
  girder tx projects propose-stakeholder-change PROPOSER PROJECT add|remove ACCOUNT ROLE
  girder tx projects approve-stakeholder-change APPROVER PROJECT CHANGE
  girder tx projects post-report AUTHOR PROJECT --percent N --summary TEXT [--milestone M] [--doc URI=FILE]
  girder tx projects attest|dispute STAKEHOLDER PROJECT ENTRY [--note|--reason TEXT]
  girder tx projects plan-milestone PLANNER PROJECT MILESTONE DESCRIPTION --due .. --tranche .. --payee .. --sign-off ..
  girder tx projects fund-milestone FUNDER PROJECT MILESTONE
  girder tx projects claim-complete PAYEE PROJECT MILESTONE [--doc URI=FILE]
  girder tx projects sign-off SIGNATORY PROJECT MILESTONE --as ROLE
  girder tx projects dispute-milestone STAKEHOLDER PROJECT MILESTONE --reason TEXT
  girder tx projects resolve RESOLVER PROJECT MILESTONE release|reject --reason TEXT
  girder tx projects cancel-milestone RESOLVER PROJECT MILESTONE --reason TEXT
  girder tx projects set-security AGENCY PROJECT DENOM
  girder tx projects set-parameter AGENCY|dao PROJECT NAME VALUE [--protected]
  girder tx projects spend PROJECT TO AMOUNT --reason TEXT      (prints a msg for a DAO proposal)
  girder query projects list|project|documents|stakeholders|changes|change|timeline|entries|entry|milestones|milestone|parameters|parameter|escrow|params`,
	}

	// create
	var (
		name, sector, location, cStart, cEnd, description, rule, resolver, security string
		stakeholders, documents                                                     []string
	)
	create := projTx("create AGENCY ID --name NAME --sector SECTOR --location TEXT --concession-start TIME --concession-end TIME [--description TEXT] [--stakeholder-rule RULE] [--resolver-role ROLE] [--security DENOM] [--stakeholder ACCOUNT=ROLE]... [--document NAME=URI=FILE|SHA256]...",
		"Create a project (the key AGENCY needs the chain role public_agency)",
		`Create the project ID (3 to 40 characters of a-z, 0-9 and -, unique on the chain), signed by the
key AGENCY, which must hold the chain role public_agency (an admin grants it: girder tx auth
grant-role ADMIN public_agency AGENCY). AGENCY becomes the project's first public_agency
stakeholder. The project's treasury, a module account nobody holds a key of, is printed.

--sector is one of `+strings.Join(projects.Sectors, ", ")+`.
--concession-start and --concession-end take an RFC 3339 date (2027-01-01) or time
(2027-01-01T00:00:00Z), +DURATION after the latest block (+30d, +1y) or unix seconds.
--stakeholder-rule says who changes the stakeholders later: agency (a public_agency alone, the
default) or agency+spv (a public_agency and a private_partner, one proposing, the other approving).
--resolver-role is the project role that resolves disputed milestones and cancels milestones
(default public_agency).
--security DENOM links the project's security token at once (see set-security).
--stakeholder ACCOUNT=ROLE (repeatable) adds other stakeholders at once; ACCOUNT is an address or
a key name. --document NAME=URI=FILE (repeatable) records a document with the SHA-256 of FILE;
NAME=URI=SHA256 gives the hash itself (64 hex digits).

Example:
  girder tx projects create agency harbour-bridge --name "Harbour toll bridge" --sector bridge \
    --location "Port Lune, estuary crossing" --concession-start 2027-01-01 --concession-end 2057-01-01 \
    --stakeholder spv=private_partner --stakeholder builder=contractor \
    --document concession=https://docs.example.org/concession.pdf=concession.pdf`,
		exactArgs(2), func([]string) error {
			if rule != "" && rule != projects.RuleAgency && rule != projects.RuleAgencySPV {
				return fmt.Errorf("--stakeholder-rule %q: want %s or %s", rule, projects.RuleAgency, projects.RuleAgencySPV)
			}
			if resolver != "" {
				return roleArg("--resolver-role", resolver)
			}
			return nil
		},
		func(ctx context.Context, c *client.Client, units []coin.Unit, s client.Signer, args []string) (tx.Msg, error) {
			m := &projects.MsgCreate{Creator: s.Address(), ID: args[1], Name: name, Sector: sector, Location: location,
				Description: description, StakeholderRule: rule, ResolverRole: resolver}
			var err error
			if security != "" {
				if m.Security, err = secDenomArg(security, units); err != nil {
					return nil, fmt.Errorf("--security: %w", err)
				}
			}
			now := chainNow(ctx, c)
			if m.ConcessionStart, err = secWhen("concession-start", cStart, now); err != nil {
				return nil, err
			}
			if m.ConcessionEnd, err = secWhen("concession-end", cEnd, now); err != nil {
				return nil, err
			}
			if m.ConcessionEnd <= m.ConcessionStart {
				return nil, fmt.Errorf("--concession-end %s is not after --concession-start %s", fmtTime(m.ConcessionEnd), fmtTime(m.ConcessionStart))
			}
			for _, v := range stakeholders {
				acc, role, ok := strings.Cut(v, "=")
				if !ok {
					return nil, fmt.Errorf("--stakeholder %q: want ACCOUNT=ROLE, e.g. spv=private_partner", v)
				}
				if err := roleArg("--stakeholder "+acc, role); err != nil {
					return nil, err
				}
				a, err := resolveAddress(acc)
				if err != nil {
					return nil, fmt.Errorf("--stakeholder: %w", err)
				}
				m.Stakeholders = append(m.Stakeholders, projects.StakeholderRole{Account: a, Role: role})
			}
			for _, v := range documents {
				n, rest, ok := strings.Cut(v, "=")
				if !ok || n == "" {
					return nil, fmt.Errorf("--document %q: want NAME=URI=FILE or NAME=URI=SHA256", v)
				}
				a, err := docRef("--document "+n, rest)
				if err != nil {
					return nil, err
				}
				m.Documents = append(m.Documents, projects.NamedDocument{Name: n, URI: a.URI, Hash: a.Hash})
			}
			return m, nil
		})
	create.Flags().StringVar(&name, "name", "", "the project's name (required)")
	create.Flags().StringVar(&sector, "sector", "", "one of "+strings.Join(projects.Sectors, ", ")+" (required)")
	create.Flags().StringVar(&location, "location", "", "where the works are (required)")
	create.Flags().StringVar(&cStart, "concession-start", "", "start of the concession: date, RFC 3339 time, +DURATION or unix seconds (required)")
	create.Flags().StringVar(&cEnd, "concession-end", "", "end of the concession: date, RFC 3339 time, +DURATION or unix seconds (required)")
	create.Flags().StringVar(&description, "description", "", "what the project is (up to 4096 bytes)")
	create.Flags().StringVar(&rule, "stakeholder-rule", "", "who changes stakeholders: agency (default) or agency+spv")
	create.Flags().StringVar(&resolver, "resolver-role", "", "project role that resolves disputed milestones (default public_agency)")
	create.Flags().StringVar(&security, "security", "", "the project's security token (base denom or symbol of a security asset), linked at creation")
	create.Flags().StringArrayVar(&stakeholders, "stakeholder", nil, "another initial stakeholder, ACCOUNT=ROLE (repeatable)")
	create.Flags().StringArrayVar(&documents, "document", nil, "an initial document, NAME=URI=FILE or NAME=URI=SHA256 (repeatable)")
	for _, f := range []string{"name", "sector", "location", "concession-start", "concession-end"} {
		_ = create.MarkFlagRequired(f)
	}

	// documents
	var docHash, docFile string
	setDoc := projTx("set-document EDITOR PROJECT NAME URI (--file PATH | --hash SHA256)",
		"Add a document to a project, or a new version of it (public_agency or private_partner)",
		`Record the document NAME of PROJECT at URI with its SHA-256 content hash, signed by the key EDITOR,
a public_agency or private_partner stakeholder. A name used before gets a new version; versions
are kept (girder query projects documents PROJECT --history). --file PATH hashes the file (it stays
off chain); --hash gives the SHA-256 as 64 hex digits.

Example:
  girder tx projects set-document agency harbour-bridge design https://docs.example.org/design-v2.pdf --file design-v2.pdf`,
		exactArgs(4), nil,
		func(_ context.Context, _ *client.Client, _ []coin.Unit, s client.Signer, args []string) (tx.Msg, error) {
			h, err := contentHash(docHash, docFile)
			if err != nil {
				return nil, err
			}
			return &projects.MsgSetDocument{Editor: s.Address(), Project: args[1], Name: args[2], URI: args[3], Hash: h}, nil
		})
	setDoc.Flags().StringVar(&docHash, "hash", "", "the document's SHA-256, 64 hex digits")
	setDoc.Flags().StringVar(&docFile, "file", "", "the document: its SHA-256 is recorded (the file stays off chain)")
	removeDoc := projTx("remove-document EDITOR PROJECT NAME",
		"Remove a project's document (its versions stay; public_agency or private_partner)",
		`Remove the document NAME of PROJECT, signed by the key EDITOR, a public_agency or private_partner
stakeholder. The removal is recorded as the document's newest version; earlier versions stay.

Example:
  girder tx projects remove-document agency harbour-bridge permit-draft`,
		exactArgs(3), nil,
		func(_ context.Context, _ *client.Client, _ []coin.Unit, s client.Signer, args []string) (tx.Msg, error) {
			return &projects.MsgRemoveDocument{Editor: s.Address(), Project: args[1], Name: args[2]}, nil
		})

	// stakeholders
	stakeCheck := func(args []string) error { return roleArg("ROLE", args[3]) }
	addStake := projTx("add-stakeholder AGENCY PROJECT ACCOUNT ROLE",
		"Give an account a role in a project (a public_agency alone, under the rule agency)",
		`Give ACCOUNT (an address or key name) the project role ROLE in PROJECT, signed by the key AGENCY, a
public_agency stakeholder. Under the rule agency+spv this is refused: propose the change
(propose-stakeholder-change) and let the other side approve it. An account may hold several roles.
ROLE is one of `+strings.Join(projects.ProjectRoles, ", ")+`.

Example:
  girder tx projects add-stakeholder agency harbour-bridge engineer independent_engineer`,
		exactArgs(4), stakeCheck,
		func(_ context.Context, _ *client.Client, _ []coin.Unit, s client.Signer, args []string) (tx.Msg, error) {
			a, err := resolveAddress(args[2])
			if err != nil {
				return nil, err
			}
			return &projects.MsgAddStakeholder{Agency: s.Address(), Project: args[1], Account: a, Role: args[3]}, nil
		})
	var removeReason string
	removeStake := projTx("remove-stakeholder AGENCY PROJECT ACCOUNT ROLE --reason TEXT",
		"Take a role from an account in a project (a public_agency alone, under the rule agency)",
		`Take the project role ROLE from ACCOUNT (an address or key name) in PROJECT, signed by the key AGENCY,
a public_agency stakeholder, for a reason (recorded in the timeline). Under the rule agency+spv
this is refused: propose the change. The last public_agency cannot be removed.

Example:
  girder tx projects remove-stakeholder agency harbour-bridge lender1 lender --reason "loan repaid"`,
		exactArgs(4), stakeCheck,
		func(_ context.Context, _ *client.Client, _ []coin.Unit, s client.Signer, args []string) (tx.Msg, error) {
			a, err := resolveAddress(args[2])
			if err != nil {
				return nil, err
			}
			return &projects.MsgRemoveStakeholder{Agency: s.Address(), Project: args[1], Account: a, Role: args[3], Reason: removeReason}, nil
		})
	removeStake.Flags().StringVar(&removeReason, "reason", "", "why (required, up to 512 bytes)")
	_ = removeStake.MarkFlagRequired("reason")

	var proposeReason string
	propose := projTx("propose-stakeholder-change PROPOSER PROJECT add|remove ACCOUNT ROLE [--reason TEXT]",
		"Propose adding or removing a stakeholder's role (public_agency or private_partner)",
		`Propose to add (or remove) the project role ROLE of ACCOUNT (an address or key name) in PROJECT,
signed by the key PROPOSER, a public_agency or private_partner stakeholder; the proposer's approval
counts for its side. Under the rule agency a public_agency's proposal applies at once. Under
agency+spv the change applies when a stakeholder of the other side approves it
(approve-stakeholder-change) within 30 days; its id is printed. A removal needs --reason.

Example:
  girder tx projects propose-stakeholder-change agency tunnel-north add lender1 lender
  girder tx projects propose-stakeholder-change spv tunnel-north remove lender1 lender --reason "loan repaid"`,
		exactArgs(5), func(args []string) error {
			if args[2] != projects.ActionAdd && args[2] != projects.ActionRemove {
				return fmt.Errorf("action %q: want add or remove", args[2])
			}
			if args[2] == projects.ActionRemove && strings.TrimSpace(proposeReason) == "" {
				return fmt.Errorf("a removal needs --reason TEXT")
			}
			return roleArg("ROLE", args[4])
		},
		func(_ context.Context, _ *client.Client, _ []coin.Unit, s client.Signer, args []string) (tx.Msg, error) {
			a, err := resolveAddress(args[3])
			if err != nil {
				return nil, err
			}
			return &projects.MsgProposeStakeholderChange{Proposer: s.Address(), Project: args[1], Action: args[2], Account: a, Role: args[4], Reason: proposeReason}, nil
		})
	propose.Flags().StringVar(&proposeReason, "reason", "", "why (required for a removal, up to 512 bytes)")
	approve := projTx("approve-stakeholder-change APPROVER PROJECT CHANGE",
		"Approve a pending stakeholder change for the other side (agency+spv)",
		`Approve the pending stakeholder change CHANGE (its id, printed when it was proposed; girder query
projects changes PROJECT lists them) of PROJECT, signed by the key APPROVER, a stakeholder of the
side (public_agency or private_partner) that has not approved it yet. The change applies when both
sides have approved.

Example:
  girder tx projects approve-stakeholder-change spv tunnel-north 1`,
		exactArgs(3), func(args []string) error { _, err := secID(args[2], "change"); return err },
		func(_ context.Context, _ *client.Client, _ []coin.Unit, s client.Signer, args []string) (tx.Msg, error) {
			n, _ := secID(args[2], "change")
			return &projects.MsgApproveStakeholderChange{Approver: s.Address(), Project: args[1], Change: n}, nil
		})

	// progress ledger
	var (
		repMilestone, repPercent, repSummary string
		repDocs                              []string
		repAmends                            uint64
	)
	report := projTx("post-report AUTHOR PROJECT --percent N --summary TEXT [--milestone MILESTONE] [--doc URI=FILE|URI=SHA256]... [--amends ENTRY]",
		"Post a progress report to a project's ledger (any stakeholder)",
		`Append a progress report to the ledger of PROJECT, signed by the key AUTHOR, any stakeholder: the
percent complete (of --milestone, or of the project when none is given), a summary (up to 2000
bytes) and documents. --doc URI=FILE records URI with the SHA-256 of FILE; URI=SHA256 gives the
hash (64 hex digits); repeat it for several documents (up to 16). Entries are never changed: a
correction is a new entry with --amends ENTRY, an earlier entry of the same author. The entry's id
is printed; other stakeholders attest or dispute it.

Example:
  girder tx projects post-report builder harbour-bridge --milestone foundations --percent 40 \
    --summary "Piers 1-4 poured" --doc https://docs.example.org/site-2027-03.pdf=site-2027-03.pdf
  girder tx projects post-report builder harbour-bridge --milestone foundations --percent 45 --summary "Piers 1-5 poured" --amends 1`,
		exactArgs(2), func([]string) error {
			if repMilestone != "" {
				if err := milestoneArg(repMilestone); err != nil {
					return fmt.Errorf("--milestone: %w", err)
				}
			}
			_, err := parsePercent(repPercent)
			return err
		},
		func(_ context.Context, _ *client.Client, _ []coin.Unit, s client.Signer, args []string) (tx.Msg, error) {
			pct, _ := parsePercent(repPercent)
			docs, err := parseAttachments("--doc", repDocs)
			if err != nil {
				return nil, err
			}
			return &projects.MsgPostReport{Author: s.Address(), Project: args[1], Milestone: repMilestone, Percent: pct, Summary: repSummary,
				Documents: docs, Amends: repAmends}, nil
		})
	report.Flags().StringVar(&repMilestone, "milestone", "", "the milestone reported on (default: the project as a whole)")
	report.Flags().StringVar(&repPercent, "percent", "", "percent complete, 0 to 100 (required)")
	report.Flags().StringVar(&repSummary, "summary", "", "what was done (required, up to 2000 bytes)")
	report.Flags().StringArrayVar(&repDocs, "doc", nil, "a document, URI=FILE or URI=SHA256 (repeatable, up to 16)")
	report.Flags().Uint64Var(&repAmends, "amends", 0, "the id of an earlier entry of yours that this one corrects")
	_ = report.MarkFlagRequired("percent")
	_ = report.MarkFlagRequired("summary")

	entryCheck := func(args []string) error { _, err := secID(args[2], "entry"); return err }
	var attestNote string
	attest := projTx("attest ATTESTER PROJECT ENTRY [--note TEXT]",
		"Attest a ledger entry: it is true (any stakeholder but its author, once)",
		`Attest entry ENTRY of the ledger of PROJECT, signed by the key ATTESTER, a stakeholder other than
the entry's author, with an optional note. Each stakeholder attests or disputes an entry once.

Example:
  girder tx projects attest engineer harbour-bridge 1 --note "seen on site 2027-03-14"`,
		exactArgs(3), entryCheck,
		func(_ context.Context, _ *client.Client, _ []coin.Unit, s client.Signer, args []string) (tx.Msg, error) {
			n, _ := secID(args[2], "entry")
			return &projects.MsgAttest{Attester: s.Address(), Project: args[1], Entry: n, Note: attestNote}, nil
		})
	attest.Flags().StringVar(&attestNote, "note", "", "a note (up to 512 bytes)")
	attest.Flags().StringVar(&attestNote, "reason", "", "the same as --note")
	_ = attest.Flags().MarkHidden("reason")
	var disputeReason string
	dispute := projTx("dispute DISPUTER PROJECT ENTRY --reason TEXT",
		"Dispute a ledger entry: it is not true (any stakeholder but its author, once)",
		`Dispute entry ENTRY of the ledger of PROJECT, signed by the key DISPUTER, a stakeholder other than
the entry's author, with a reason. Each stakeholder attests or disputes an entry once. The entry
stays as it is; its author may post a correction (post-report --amends ENTRY).

Example:
  girder tx projects dispute agency harbour-bridge 1 --reason "pier 4 not poured at inspection"`,
		exactArgs(3), entryCheck,
		func(_ context.Context, _ *client.Client, _ []coin.Unit, s client.Signer, args []string) (tx.Msg, error) {
			n, _ := secID(args[2], "entry")
			return &projects.MsgDispute{Disputer: s.Address(), Project: args[1], Entry: n, Reason: disputeReason}, nil
		})
	dispute.Flags().StringVar(&disputeReason, "reason", "", "why (required, up to 512 bytes)")
	_ = dispute.MarkFlagRequired("reason")

	// milestones
	var (
		due, tranche, payee, signOff, window string
		minSign                              int
	)
	plan := projTx("plan-milestone PLANNER PROJECT MILESTONE DESCRIPTION --due TIME --tranche AMOUNT --payee ACCOUNT --sign-off ROLE[,ROLE...] [--min K] [--window DURATION]",
		"Plan a milestone with its tranche, payee, sign-off policy and challenge window (public_agency or private_partner)",
		`Plan the milestone MILESTONE (1 to 40 characters of a-z, 0-9 and -, unique in the project) of
PROJECT, described by DESCRIPTION, signed by the key PLANNER, a public_agency or private_partner
stakeholder.

--due        when it should be complete: an RFC 3339 date or time, +DURATION after the latest
             block (+90d) or unix seconds; not signed off by then, it raises a late alert once.
--tranche    what it pays, in a cash asset, with its unit: 250000EURt (display) or 25000000ueurt.
--payee      who is paid (an address or key name): a stakeholder, usually the contractor.
--sign-off   the roles that sign off the payee's claim, e.g. independent_engineer,public_agency;
--min K      how many of them must (default: all); each role signs by a different account.
--window     the challenge window after the sign-off, in which any stakeholder may dispute:
             7d, 48h, 30m, 90s or seconds, 0 to 365 days (default 7d).

The tranche is paid from escrow: fund the milestone (fund-milestone) from the project's treasury.

Example:
  girder tx projects plan-milestone agency harbour-bridge foundations "Foundations and piers" \
    --due 2027-09-30 --tranche 250000EURt --payee builder --sign-off independent_engineer,public_agency --window 7d
  girder tx projects plan-milestone agency harbour-bridge deck "Deck" --due +1y --tranche 400000EURt \
    --payee builder --sign-off lender,independent_engineer,public_agency --min 2`,
		exactArgs(4), func(args []string) error {
			if err := milestoneArg(args[2]); err != nil {
				return err
			}
			if _, err := parsePolicy(signOff, minSign); err != nil {
				return err
			}
			if w, err := parseSeconds(window); err != nil || w < 0 || w > projects.MaxWindow {
				return fmt.Errorf("--window %q: want a duration from 0 to 365d, e.g. 7d, 48h, 30m or 90s", window)
			}
			return nil
		},
		func(ctx context.Context, c *client.Client, units []coin.Unit, s client.Signer, args []string) (tx.Msg, error) {
			pol, _ := parsePolicy(signOff, minSign)
			win, _ := parseSeconds(window)
			m := &projects.MsgPlanMilestone{Planner: s.Address(), Project: args[1], ID: args[2], Description: args[3], Policy: pol, Window: win}
			now := chainNow(ctx, c)
			var err error
			if m.Due, err = secWhen("due", due, now); err != nil {
				return nil, err
			}
			if m.Due <= now.Unix() {
				return nil, fmt.Errorf("--due %s is not after the latest block time %s", fmtTime(m.Due), fmtTime(now.Unix()))
			}
			if m.Tranche, err = assetAmount("--tranche", "the cash asset's", tranche, "250000EURt", units); err != nil {
				return nil, err
			}
			if m.Payee, err = resolveAddress(payee); err != nil {
				return nil, fmt.Errorf("--payee: %w", err)
			}
			return m, nil
		})
	plan.Flags().StringVar(&due, "due", "", "due date: RFC 3339 date or time, +DURATION or unix seconds (required)")
	plan.Flags().StringVar(&tranche, "tranche", "", "the tranche in a cash asset, with its unit, e.g. 250000EURt (required)")
	plan.Flags().StringVar(&payee, "payee", "", "the account paid (address or key name), a stakeholder (required)")
	plan.Flags().StringVar(&signOff, "sign-off", "", "roles that sign off the claim, comma separated (required)")
	plan.Flags().IntVar(&minSign, "min", 0, "how many of the --sign-off roles must sign (default: all)")
	plan.Flags().StringVar(&window, "window", "7d", "challenge window after the sign-off: 7d, 48h, 30m, 90s or seconds")
	for _, f := range []string{"due", "tranche", "payee", "sign-off"} {
		_ = plan.MarkFlagRequired(f)
	}

	fund := projTx("fund-milestone FUNDER PROJECT MILESTONE",
		"Move a milestone's tranche from the project's treasury into escrow (public_agency or private_partner)",
		`Fund the milestone MILESTONE of PROJECT, signed by the key FUNDER, a public_agency or
private_partner stakeholder: its tranche moves from the project's treasury into escrow, where it
waits for the release. A milestone is funded once; the treasury must hold the tranche. A
milestone whose challenge window closed while it was unfunded (awaiting_funds) is released at the
end of the block that funds it.

Example:
  girder tx projects fund-milestone agency harbour-bridge foundations`,
		exactArgs(3), milestoneCheck,
		func(_ context.Context, _ *client.Client, _ []coin.Unit, s client.Signer, args []string) (tx.Msg, error) {
			return &projects.MsgFundMilestone{Funder: s.Address(), Project: args[1], Milestone: args[2]}, nil
		})

	var claimDocs []string
	var claimNote string
	claim := projTx("claim-complete PAYEE PROJECT MILESTONE [--doc URI=FILE|URI=SHA256]... [--note TEXT]",
		"Claim a milestone complete, with evidence (its payee)",
		`Claim the milestone MILESTONE of PROJECT complete, signed by the key PAYEE, its payee, with evidence
documents (--doc URI=FILE or URI=SHA256, repeatable, up to 16) and an optional note. The roles of
its sign-off policy then sign off (sign-off). A milestone is claimed once; after a rejection the
payee may claim again.

Example:
  girder tx projects claim-complete builder harbour-bridge foundations --doc https://docs.example.org/as-built.pdf=as-built.pdf`,
		exactArgs(3), milestoneCheck,
		func(_ context.Context, _ *client.Client, _ []coin.Unit, s client.Signer, args []string) (tx.Msg, error) {
			docs, err := parseAttachments("--doc", claimDocs)
			if err != nil {
				return nil, err
			}
			return &projects.MsgClaimComplete{Payee: s.Address(), Project: args[1], Milestone: args[2], Evidence: docs, Note: claimNote}, nil
		})
	claim.Flags().StringArrayVar(&claimDocs, "doc", nil, "evidence, URI=FILE or URI=SHA256 (repeatable, up to 16)")
	claim.Flags().StringVar(&claimNote, "note", "", "a note (up to 512 bytes)")

	var signAs string
	sign := projTx("sign-off SIGNATORY PROJECT MILESTONE --as ROLE",
		"Sign off a claimed milestone for one role of its policy",
		`Sign off the claimed milestone MILESTONE of PROJECT for the project role ROLE, signed by the key
SIGNATORY, which holds ROLE in the project. ROLE must be in the milestone's sign-off policy; each
role signs once and by a different account; the payee does not sign. When the policy is met the
milestone is signed off and its challenge window starts: undisputed, the tranche is released at
its end.

Example:
  girder tx projects sign-off engineer harbour-bridge foundations --as independent_engineer
  girder tx projects sign-off agency harbour-bridge foundations --as public_agency`,
		exactArgs(3), func(args []string) error {
			if err := milestoneArg(args[2]); err != nil {
				return err
			}
			return roleArg("--as", signAs)
		},
		func(_ context.Context, _ *client.Client, _ []coin.Unit, s client.Signer, args []string) (tx.Msg, error) {
			return &projects.MsgSignOff{Signatory: s.Address(), Project: args[1], Milestone: args[2], Role: signAs}, nil
		})
	sign.Flags().StringVar(&signAs, "as", "", "the project role signed for, one of the milestone's sign-off roles (required)")
	_ = sign.MarkFlagRequired("as")

	var dmReason string
	disputeMs := projTx("dispute-milestone DISPUTER PROJECT MILESTONE --reason TEXT",
		"Dispute a signed-off milestone in its challenge window (any stakeholder)",
		`Dispute the signed-off milestone MILESTONE of PROJECT during its challenge window, signed by the key
DISPUTER, any stakeholder, with a reason. The tranche is not released until the project's resolver
decides (resolve).

Example:
  girder tx projects dispute-milestone lender1 harbour-bridge foundations --reason "load test report missing"`,
		exactArgs(3), milestoneCheck,
		func(_ context.Context, _ *client.Client, _ []coin.Unit, s client.Signer, args []string) (tx.Msg, error) {
			return &projects.MsgDisputeMilestone{Disputer: s.Address(), Project: args[1], Milestone: args[2], Reason: dmReason}, nil
		})
	disputeMs.Flags().StringVar(&dmReason, "reason", "", "why (required, up to 512 bytes)")
	_ = disputeMs.MarkFlagRequired("reason")

	var resolveReason string
	resolve := projTx("resolve RESOLVER PROJECT MILESTONE release|reject --reason TEXT",
		"Decide a disputed milestone: release its tranche now, or reject the claim (the resolver)",
		`Resolve the disputed milestone MILESTONE of PROJECT, signed by the key RESOLVER, which holds the
project's resolver role (public_agency unless the project says otherwise), with a reason:
  release   the funded tranche is paid to the payee now
  reject    the claim is not accepted: the milestone is planned again and the payee may claim
            again; a funded tranche stays in escrow

Example:
  girder tx projects resolve agency harbour-bridge deck release --reason "load test report received"
  girder tx projects resolve agency harbour-bridge deck reject --reason "expansion joints not installed"`,
		exactArgs(4), func(args []string) error {
			if err := milestoneArg(args[2]); err != nil {
				return err
			}
			if args[3] != projects.DecisionRelease && args[3] != projects.DecisionReject {
				return fmt.Errorf("decision %q: want release or reject", args[3])
			}
			return nil
		},
		func(_ context.Context, _ *client.Client, _ []coin.Unit, s client.Signer, args []string) (tx.Msg, error) {
			return &projects.MsgResolve{Resolver: s.Address(), Project: args[1], Milestone: args[2], Decision: args[3], Reason: resolveReason}, nil
		})
	resolve.Flags().StringVar(&resolveReason, "reason", "", "why (required, up to 512 bytes)")
	_ = resolve.MarkFlagRequired("reason")

	var cancelReason string
	cancel := projTx("cancel-milestone RESOLVER PROJECT MILESTONE --reason TEXT",
		"Cancel a planned, claimed or disputed milestone; a funded tranche returns to the treasury (the resolver)",
		`Cancel the milestone MILESTONE of PROJECT, signed by the key RESOLVER, which holds the project's
resolver role, with a reason. Only a planned, claimed or disputed milestone is cancelled (a
signed-off one is disputed first); a funded tranche returns from escrow to the project's treasury.

Example:
  girder tx projects cancel-milestone agency harbour-bridge lighting --reason "moved to the operator's budget"`,
		exactArgs(3), milestoneCheck,
		func(_ context.Context, _ *client.Client, _ []coin.Unit, s client.Signer, args []string) (tx.Msg, error) {
			return &projects.MsgCancelMilestone{Resolver: s.Address(), Project: args[1], Milestone: args[2], Reason: cancelReason}, nil
		})
	cancel.Flags().StringVar(&cancelReason, "reason", "", "why (required, up to 512 bytes)")
	_ = cancel.MarkFlagRequired("reason")

	setSec := projTx("set-security AGENCY PROJECT DENOM",
		"Link the project's security token, once (public_agency): its DAO gets the project DAO's powers",
		`Link DENOM, an asset of kind security (girder tx assets create --kind security) named by its base
denom (ubridge) or its symbol (BRIDGE), as the security token of PROJECT, signed by the key AGENCY, a public_agency stakeholder. A project's token is
linked once, and a token to one project only (girder tx projects create --security DENOM links it
at creation). The token's DAO — an account no key holds, printed here — then acts for the project
through proposals its holders vote on (docs/governance.md): it spends from the treasury, sets
parameters and documents, funds, resolves and cancels milestones, and approves stakeholder
changes as the private_partner side.

Example:
  girder tx projects set-security agency harbour-bridge ubridge`,
		exactArgs(3), func(args []string) error {
			if err := coin.ValidateDenom(args[2]); err != nil {
				return fmt.Errorf("DENOM %q: %v (the security token's base denom or symbol, e.g. ubridge or BRIDGE)", args[2], err)
			}
			return nil
		},
		func(_ context.Context, _ *client.Client, units []coin.Unit, s client.Signer, args []string) (tx.Msg, error) {
			denom, err := secDenomArg(args[2], units)
			if err != nil {
				return nil, fmt.Errorf("DENOM: %w", err)
			}
			if _, known := secUnit(units, denom); !known {
				return nil, fmt.Errorf("%s is not an asset of this chain (girder query assets list shows them)", args[2])
			}
			return &projects.MsgSetSecurity{Agency: s.Address(), Project: args[1], Security: denom}, nil
		})

	var protectedParam bool
	setParam := projTx("set-parameter AGENCY|dao PROJECT NAME VALUE [--protected]",
		"Set a project parameter (public_agency), or print the DAO's change for a proposal (dao)",
		`Set the parameter NAME of PROJECT to VALUE (a new version; the first sets it). NAME is 2 to 40
characters of a-z, 0-9 and _, starting with a letter (tariff_cap, concession_term,
handback_terms); VALUE is 1 to 256 bytes of text.

Signed by the key AGENCY, a public_agency stakeholder. --protected marks the parameter protected
by the concession: only a public_agency marks it, it stays protected, and from then on only the
project's DAO changes its value — through a proposal the public agency approves too (two
chambers, docs/governance.md).

With "dao" instead of a key, nothing is sent: the msg of the project's DAO is printed as JSON, to
put in a proposal of the token's holders. For a protected parameter give --protected: the
proposal then needs the public agency's approval (without it the change is refused).

Examples:
  girder tx projects set-parameter agency harbour-bridge tariff_cap "3.50 EUR per car" --protected
  girder tx projects set-parameter dao harbour-bridge tariff_cap "3.80 EUR per car" --protected > msg.json`,
		exactArgs(4), func(args []string) error {
			if err := projects.ValidParamName(args[2]); err != nil {
				return fmt.Errorf("parameter name %q: want 2 to 40 characters of a-z, 0-9 and _, starting with a letter (e.g. tariff_cap)", args[2])
			}
			return nil
		},
		func(_ context.Context, _ *client.Client, _ []coin.Unit, s client.Signer, args []string) (tx.Msg, error) {
			return &projects.MsgSetParameter{Authority: s.Address(), Project: args[1], Name: args[2], Value: args[3], Protected: protectedParam}, nil
		})
	setParam.Flags().BoolVar(&protectedParam, "protected", false, "the parameter is protected by the concession (public_agency marks it; the DAO's change says it)")
	sendParam := setParam.RunE
	setParam.RunE = func(cmd *cobra.Command, args []string) error {
		if args[0] != "dao" {
			return sendParam(cmd, args)
		}
		if err := projectArg(args[1]); err != nil {
			return err
		}
		if err := projects.ValidParamName(args[2]); err != nil {
			return fmt.Errorf("parameter name %q: want 2 to 40 characters of a-z, 0-9 and _, starting with a letter (e.g. tariff_cap)", args[2])
		}
		return daoMsg(cmd, args[1], func(_ context.Context, _ *client.Client, _ []coin.Unit, dao address.Address) (tx.Msg, error) {
			return &projects.MsgSetParameter{Authority: dao, Project: args[1], Name: args[2], Value: args[3], Protected: protectedParam}, nil
		})
	}

	var spendReason string
	spend := &cobra.Command{
		Use:   "spend PROJECT TO AMOUNT --reason TEXT",
		Short: "Print the DAO's spend from the project's treasury, for a proposal",
		Long: `Print, as JSON, the msg by which the DAO of PROJECT's security token pays AMOUNT (with its unit:
25000EURt or 2500000ueurt) from the project's treasury to TO (an address or a key name), for a
reason. Nothing is sent: only the project's DAO spends from the treasury, when a proposal of the
token's holders that carries this msg passes (docs/governance.md). The transfer is reviewed by
compliance like any transfer when it executes.

Example:
  girder tx projects spend harbour-bridge operator 25000EURt --reason "toll booth software" > spend.json`,
		Args: exactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := projectArg(args[0]); err != nil {
				return err
			}
			return daoMsg(cmd, args[0], func(_ context.Context, _ *client.Client, units []coin.Unit, dao address.Address) (tx.Msg, error) {
				to, err := resolveAddress(args[1])
				if err != nil {
					return nil, fmt.Errorf("TO: %w", err)
				}
				amount, err := assetAmount("AMOUNT", "the asset's", args[2], "25000EURt", units)
				if err != nil {
					return nil, err
				}
				return &projects.MsgSpend{Authority: dao, Project: args[0], To: to, Amount: amount, Reason: spendReason}, nil
			})
		},
	}
	spend.Flags().StringVar(&spendReason, "reason", "", "why (required, up to 512 bytes)")
	_ = spend.MarkFlagRequired("reason")

	cmd.AddCommand(create, setDoc, removeDoc, addStake, removeStake, propose, approve, report, attest, dispute,
		plan, fund, claim, sign, disputeMs, resolve, cancel, setSec, setParam, spend)
	return cmd
}

// daoMsg prints the msg build makes for the DAO of project's security token as the JSON a
// proposal carries ({"type": …, "value": …}), after checking it: no key signs for a DAO, its
// holders decide it by proposal.
func daoMsg(cmd *cobra.Command, project string, build func(context.Context, *client.Client, []coin.Unit, address.Address) (tx.Msg, error)) error {
	return withClient(cmd, func(ctx context.Context, c *client.Client) error {
		var p projects.ProjectInfo
		if err := c.Query(ctx, "/projects/project/"+project, nil, 0, &p); err != nil {
			return err
		}
		if p.DAO == nil {
			return fmt.Errorf("project %s has no security token linked, so no DAO: a public_agency links it first (girder tx projects set-security AGENCY %s DENOM)", project, project)
		}
		units, err := c.Units(ctx)
		if err != nil {
			return err
		}
		m, err := build(ctx, c, units, *p.DAO)
		if err != nil {
			return err
		}
		if _, err := validatedMsg(m); err != nil {
			return err
		}
		out, err := json.MarshalIndent(struct {
			Type  string `json:"type"`
			Value tx.Msg `json:"value"`
		}{m.MsgType(), m}, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(cmd.OutOrStdout(), string(out))
		return err
	})
}

// printProjectEvents prints what the projects events of a committed tx did, amounts in display
// units and times in RFC 3339 UTC.
func printProjectEvents(w io.Writer, r *client.Result, units []coin.Unit) {
	applied := map[string]bool{} // stakeholder changes applied in this tx
	for _, typ := range []string{"projects.stakeholder_added", "projects.stakeholder_removed"} {
		for _, e := range secEvents(r, typ) {
			if e["change"] != "" {
				applied[e["change"]] = true
			}
		}
	}
	for _, ev := range r.Events {
		if !strings.HasPrefix(ev.Type, "projects.") {
			continue
		}
		e := map[string]string{}
		for _, a := range ev.Attrs {
			e[a.Key] = a.Value
		}
		p, ms := e["project"], e["milestone"]
		switch ev.Type {
		case "projects.created":
			fmt.Fprintf(w, "project %s created: %q (%s), concession %s to %s\n", p, e["name"], e["sector"], e["concession_start"], e["concession_end"])
			fmt.Fprintf(w, "treasury %s (send the project's money there: girder tx bank send FROM %s AMOUNT)\n", e["treasury"], e["treasury"])
			fmt.Fprintf(w, "stakeholders change by the rule %s; disputed milestones are resolved by %s\n", e["stakeholder_rule"], e["resolver_role"])
		case "projects.stakeholder_added":
			fmt.Fprintf(w, "stakeholder %s added to %s as %s%s\n", e["account"], p, e["role"], changeSuffix(e["change"]))
		case "projects.stakeholder_removed":
			fmt.Fprintf(w, "stakeholder %s removed from %s as %s%s: %s\n", e["account"], p, e["role"], changeSuffix(e["change"]), e["reason"])
		case "projects.stakeholder_change_proposed":
			fmt.Fprintf(w, "stakeholder change %s proposed for %s: %s %s as %s, approved for %s\n", e["change"], p, e["action"], e["account"], e["role"], e["side"])
			if !applied[e["change"]] {
				fmt.Fprintf(w, "it waits for the other side's approval until %s: girder tx projects approve-stakeholder-change APPROVER %s %s\n", e["expires"], p, e["change"])
			}
		case "projects.stakeholder_change_approved":
			state := "it waits for the other side's approval"
			if e["applied"] == "true" {
				state = "applied"
			}
			fmt.Fprintf(w, "stakeholder change %s of %s approved for %s by %s: %s\n", e["change"], p, e["side"], e["by"], state)
		case "projects.document_set":
			fmt.Fprintf(w, "document %s v%s of %s: %s sha256 %s\n", e["name"], e["version"], p, e["uri"], e["hash"])
		case "projects.document_removed":
			fmt.Fprintf(w, "document %s of %s removed (version %s records the removal)\n", e["name"], p, e["version"])
		case "projects.report_posted":
			of := ""
			if e["milestone"] != "" {
				of = " of milestone " + e["milestone"]
			}
			if e["amends"] != "" {
				of += ", amends entry " + e["amends"]
			}
			fmt.Fprintf(w, "entry %s posted to the ledger of %s: %s%%%s (by %s as %s)\n", e["entry"], p, e["percent"], of, e["by"], e["roles"])
			fmt.Fprintf(w, "entry hash %s\n", e["hash"])
		case "projects.attested":
			fmt.Fprintf(w, "entry %s of %s attested by %s (%s)%s\n", e["entry"], p, e["by"], e["roles"], colonText(e["reason"]))
		case "projects.entry_disputed":
			fmt.Fprintf(w, "entry %s of %s disputed by %s (%s)%s\n", e["entry"], p, e["by"], e["roles"], colonText(e["reason"]))
		case "projects.milestone_planned":
			win, _ := strconv.ParseInt(e["window"], 10, 64)
			fmt.Fprintf(w, "milestone %s of %s planned: tranche %s to %s, due %s, sign-off %s, challenge window %s\n",
				ms, p, coinAttr(e["tranche"], units), e["payee"], e["due"], e["policy"], secondsText(win))
			fmt.Fprintf(w, "fund it from the treasury with: girder tx projects fund-milestone FUNDER %s %s\n", p, ms)
		case "projects.milestone_funded":
			fmt.Fprintf(w, "milestone %s of %s funded: %s moved from the treasury into escrow\n", ms, p, coinAttr(e["amount"], units))
			if e["status"] == projects.MilestoneSignedOff {
				fmt.Fprintln(w, "its challenge window closed undisputed: the tranche is released to the payee at the end of this block")
			}
		case "projects.milestone_claimed":
			fmt.Fprintf(w, "milestone %s of %s claimed complete (claim %s, %s evidence document(s)): it needs the sign-off of %s\n",
				ms, p, e["claim"], e["evidence"], e["policy"])
		case "projects.milestone_sign_off":
			fmt.Fprintf(w, "milestone %s of %s signed off as %s by %s (%s of %s sign-offs)\n", ms, p, e["role"], e["by"], e["signatures"], e["min"])
		case "projects.milestone_signed_off":
			then := "the tranche is released to the payee at the end of the first block at or after it"
			if e["funded"] != "true" {
				then = "it is not funded: it waits for funding after it (fund-milestone)"
			}
			fmt.Fprintf(w, "milestone %s of %s is signed off: challenge window until %s; undisputed, %s\n", ms, p, e["window_ends"], then)
		case "projects.milestone_disputed":
			fmt.Fprintf(w, "milestone %s of %s disputed by %s (%s): %s\n", ms, p, e["by"], e["roles"], e["reason"])
			fmt.Fprintf(w, "no release until the resolver decides: girder tx projects resolve RESOLVER %s %s release|reject --reason TEXT\n", p, ms)
		case "projects.milestone_resolved":
			fmt.Fprintf(w, "milestone %s of %s resolved by %s: %s (%s)\n", ms, p, e["by"], e["decision"], e["reason"])
			if e["decision"] == projects.DecisionReject {
				fmt.Fprintln(w, "the milestone is planned again: the payee may claim it again; a funded tranche stays in escrow")
			}
		case "projects.milestone_released":
			fmt.Fprintf(w, "milestone %s of %s released: %s paid to %s (%s)\n", ms, p, coinAttr(e["amount"], units), e["payee"], viaText(e["via"]))
		case "projects.milestone_cancelled":
			fmt.Fprintf(w, "milestone %s of %s cancelled (%s): %s returned to the treasury\n", ms, p, e["reason"], coinAttr(e["returned"], units))
		case "projects.security_set":
			fmt.Fprintf(w, "security token of %s: %s; its DAO %s acts for the project through proposals of its holders\n", p, e["security"], e["dao"])
		case "projects.treasury_spend":
			fmt.Fprintf(w, "treasury of %s paid %s to %s by its DAO: %s\n", p, coinAttr(e["amount"], units), e["to"], e["reason"])
		case "projects.parameter_set":
			prot := ""
			if e["protected"] == "true" {
				prot = " (protected: only the DAO changes it, with the public agency's approval)"
			}
			fmt.Fprintf(w, "parameter %s of %s set to %q, version %s%s\n", e["name"], p, e["value"], e["version"], prot)
		}
	}
}

func changeSuffix(change string) string {
	if change == "" {
		return ""
	}
	return " (change " + change + ")"
}

func colonText(s string) string {
	if s == "" {
		return ""
	}
	return ": " + s
}

func viaText(via string) string {
	switch via {
	case projects.ViaWindow:
		return "the challenge window closed undisputed"
	case projects.ViaResolution:
		return "by the resolver's decision"
	}
	return via
}

// ---- query projects ----

var milestoneStatusNote = map[string]string{
	projects.MilestonePlanned:       "waiting for the payee's claim",
	projects.MilestoneClaimed:       "claimed complete, waiting for the sign-offs",
	projects.MilestoneSignedOff:     "signed off, in its challenge window",
	projects.MilestoneAwaitingFunds: "window closed undisputed, waiting for funding",
	projects.MilestoneDisputed:      "disputed: the resolver releases or rejects",
	projects.MilestoneReleased:      "the tranche was paid to the payee",
	projects.MilestoneCancelled:     "cancelled",
}

// rolesText is "(public_agency, private_partner)", or "" for none.
func rolesText(roles []string) string {
	if len(roles) == 0 {
		return ""
	}
	return " (" + strings.Join(roles, ", ") + ")"
}

func coinsText(cs []coin.Coin, units []coin.Unit, none string) string {
	if len(cs) == 0 {
		return none
	}
	var out []string
	for _, c := range cs {
		out = append(out, coin.Format(c, units))
	}
	return strings.Join(out, ", ")
}

func printProject(w io.Writer, v projects.ProjectInfo, units []coin.Unit, names map[address.Address]string) {
	fmt.Fprintf(w, "project %s: %s\n", v.ID, v.Name)
	fmt.Fprintf(w, "  sector        %s\n  location      %s\n  concession    %s to %s\n", v.Sector, v.Location, fmtTime(v.ConcessionStart), fmtTime(v.ConcessionEnd))
	if v.Description != "" {
		fmt.Fprintf(w, "  description   %s\n", v.Description)
	}
	ruleNote := "a public_agency alone"
	if v.StakeholderRule == projects.RuleAgencySPV {
		ruleNote = "a public_agency and a private_partner together"
	}
	fmt.Fprintf(w, "  rule          %s (stakeholders are changed by %s)\n  resolver      %s (resolves disputed milestones)\n", v.StakeholderRule, ruleNote, v.ResolverRole)
	if v.DAO != nil {
		fmt.Fprintf(w, "  security      %s (its DAO %s acts through proposals)\n", v.Security, *v.DAO)
	}
	fmt.Fprintf(w, "  treasury      %s\n  balances      %s\n  escrowed      %s (funded tranches not yet released)\n",
		v.Treasury, coinsText(v.Balances, units, "none"), coinsText(v.Escrowed, units, "nothing"))
	fmt.Fprintf(w, "  milestones    %d\n  changes       %d pending stakeholder change(s)\n", v.Milestones, v.PendingChanges)
	entries := countOf(v.Entries, "entry")
	if v.Entries != 1 {
		entries = strconv.FormatUint(v.Entries, 10) + " entries"
	}
	fmt.Fprintf(w, "  ledger        %s%s\n  timeline      %s%s\n", entries, lastHash(v.LedgerHash), countOf(v.Timeline, "record"), lastHash(v.TimelineHash))
	fmt.Fprintf(w, "  created       by %s at height %d, %s\n", who(names, v.Creator), v.Height, fmtTime(v.Time))
	fmt.Fprintln(w, "stakeholders:")
	printStakeholders(w, v.Stakeholders, names)
}

// lastHash is ", last hash H", or nothing before the first record.
func lastHash(h projects.Hash) string {
	if h.IsZero() {
		return ""
	}
	return ", last hash " + h.String()
}

// printParameters prints parameter versions as a table.
func printParameters(w io.Writer, ps []projects.Parameter, names map[address.Address]string) {
	tw := newTable(w)
	fmt.Fprintln(tw, "NAME\tVERSION\tVALUE\tPROTECTED\tBY\tHEIGHT\tTIME")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\tv%d\t%s\t%v\t%s\t%d\t%s\n", p.Name, p.Version, p.Value, p.Protected, who(names, p.By), p.Height, fmtTime(p.Time))
	}
	tw.Flush()
}

func printStakeholders(w io.Writer, ss []projects.Stakeholder, names map[address.Address]string) {
	if len(ss) == 0 {
		fmt.Fprintln(w, "  (none)")
		return
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "  ACCOUNT\tKEY\tROLE\tADDED BY\tHEIGHT\tTIME")
	for _, s := range ss {
		key := names[s.Account]
		if key == "" {
			key = "-"
		}
		by := who(names, s.AddedBy)
		if s.Change != 0 {
			by += fmt.Sprintf(" (change %d)", s.Change)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%d\t%s\n", s.Account, key, s.Role, by, s.Height, fmtTime(s.Time))
	}
	tw.Flush()
}

// timelineWhat says what a timeline record is, amounts in display units.
func timelineWhat(r projects.TimelineRecord, units []coin.Unit, names map[address.Address]string) string {
	acc := ""
	if r.Account != nil {
		acc = who(names, *r.Account)
	}
	amt := ""
	if r.Amount != nil {
		amt = coin.Format(*r.Amount, units)
	}
	ms := "milestone " + r.Milestone
	switch r.Kind {
	case projects.TLCreated:
		return fmt.Sprintf("created the project %q", r.Note)
	case projects.TLStakeholderAdded:
		return fmt.Sprintf("added %s as %s%s", acc, r.Role, changeSuffix(changeID(r.Change)))
	case projects.TLStakeholderRemoved:
		return fmt.Sprintf("removed %s as %s%s: %s", acc, r.Role, changeSuffix(changeID(r.Change)), r.Note)
	case projects.TLChangeProposed:
		action, reason, _ := strings.Cut(r.Note, ": ")
		return fmt.Sprintf("proposed stakeholder change %d: %s %s as %s%s", r.Change, action, acc, r.Role, colonText(reason))
	case projects.TLChangeApproved:
		return fmt.Sprintf("approved stakeholder change %d (%s %s as %s)", r.Change, r.Note, acc, r.Role)
	case projects.TLChangeExpired:
		return fmt.Sprintf("stakeholder change %d expired unapproved (%s %s as %s)", r.Change, r.Note, acc, r.Role)
	case projects.TLDocumentSet:
		return fmt.Sprintf("set document %s (sha256 %s)", r.Document, r.Note)
	case projects.TLDocumentRemoved:
		return fmt.Sprintf("removed document %s", r.Document)
	case projects.TLReport:
		of := "of the project"
		if r.Milestone != "" {
			of = "of " + ms
		}
		pct, amends, _ := strings.Cut(r.Note, ", ")
		return fmt.Sprintf("posted entry %d: %s %s%s", r.Entry, pct, of, commaText(amends))
	case projects.TLAttestation:
		return fmt.Sprintf("attested entry %d%s", r.Entry, colonText(r.Note))
	case projects.TLDispute:
		return fmt.Sprintf("disputed entry %d%s", r.Entry, colonText(r.Note))
	case projects.TLMilestonePlanned:
		return fmt.Sprintf("planned %s: %s to %s, %s", ms, amt, acc, r.Note)
	case projects.TLMilestoneFunded:
		return fmt.Sprintf("funded %s: %s from the treasury into escrow", ms, amt)
	case projects.TLMilestoneClaimed:
		return fmt.Sprintf("claimed %s complete%s", ms, colonText(r.Note))
	case projects.TLMilestoneSignOff:
		return fmt.Sprintf("signed off %s as %s", ms, r.Role)
	case projects.TLMilestoneSignedOff:
		return fmt.Sprintf("%s signed off: %s", ms, r.Note)
	case projects.TLMilestoneAwaiting:
		return fmt.Sprintf("%s: %s (%s)", ms, r.Note, amt)
	case projects.TLMilestoneDisputed:
		return fmt.Sprintf("disputed %s: %s", ms, r.Note)
	case projects.TLMilestoneResolved:
		return fmt.Sprintf("resolved %s: %s", ms, r.Note)
	case projects.TLMilestoneReleased:
		return fmt.Sprintf("released %s to %s for %s (%s)", amt, acc, ms, viaText(r.Note))
	case projects.TLMilestoneCancelled:
		return fmt.Sprintf("cancelled %s, %s returned to the treasury: %s", ms, amt, r.Note)
	case projects.TLMilestoneLate:
		return fmt.Sprintf("%s is late: %s", ms, r.Note)
	case projects.TLSecuritySet:
		return fmt.Sprintf("linked the security token %s (its DAO %s)", r.Note, acc)
	case projects.TLTreasurySpend:
		return fmt.Sprintf("paid %s from the treasury to %s: %s", amt, acc, r.Note)
	case projects.TLParameterSet:
		return fmt.Sprintf("set parameter %s", r.Note)
	}
	return strings.TrimSpace(fmt.Sprintf("%s %s %s %s", r.Kind, r.Milestone, amt, r.Note))
}

func changeID(n uint64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatUint(n, 10)
}

func commaText(s string) string {
	if s == "" {
		return ""
	}
	return ", " + s
}

// printTimeline prints one line per record: height, time, who (their roles), what.
func printTimeline(w io.Writer, recs []projects.TimelineRecord, units []coin.Unit, names map[address.Address]string) {
	tw := newTable(w)
	fmt.Fprintln(tw, "HEIGHT\tTIME\tWHO (ROLE)\tWHAT")
	for _, r := range recs {
		actor := "chain"
		if r.By != nil {
			actor = who(names, *r.By) + rolesText(r.Roles)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", r.Height, fmtTime(r.Time), actor, timelineWhat(r, units, names))
	}
	tw.Flush()
}

func attachmentsText(w io.Writer, label string, docs []projects.Attachment) {
	for _, d := range docs {
		fmt.Fprintf(w, "  %-13s %s sha256 %s\n", label, d.URI, d.Hash)
	}
}

func printEntry(w io.Writer, v projects.EntryInfo, names map[address.Address]string) {
	fmt.Fprintf(w, "entry %d of project %s\n  author        %s%s\n", v.ID, v.Project, who(names, v.Author), rolesText(v.Roles))
	of := "the project"
	if v.Milestone != "" {
		of = "milestone " + v.Milestone
	}
	fmt.Fprintf(w, "  progress      %d%% of %s\n  summary       %s\n", v.Percent, of, v.Summary)
	attachmentsText(w, "document", v.Documents)
	if v.Amends != 0 {
		fmt.Fprintf(w, "  amends        entry %d\n", v.Amends)
	}
	if len(v.AmendedBy) != 0 {
		fmt.Fprintf(w, "  amended by    %s\n", joinIDs(v.AmendedBy))
	}
	fmt.Fprintf(w, "  posted        height %d, %s\n  hash          %s\n", v.Height, fmtTime(v.Time), v.Hash)
	fmt.Fprintf(w, "  verdicts      %d attested, %d disputed\n", v.Attested, v.Disputed)
	for _, a := range v.Attestations {
		fmt.Fprintf(w, "    %-8s by %s%s at height %d, %s%s\n", a.Kind, who(names, a.By), rolesText(a.Roles), a.Height, fmtTime(a.Time), colonText(a.Reason))
	}
}

func actionText(a *projects.Action, names map[address.Address]string) string {
	s := fmt.Sprintf("by %s%s at height %d, %s: ", who(names, a.By), rolesText(a.Roles), a.Height, fmtTime(a.Time))
	if a.Decision != "" {
		s += a.Decision + ", "
	}
	return s + a.Reason
}

func printMilestone(w io.Writer, m projects.Milestone, units []coin.Unit, names map[address.Address]string) {
	fmt.Fprintf(w, "milestone %s of project %s (%s: %s)\n", m.ID, m.Project, m.Status, milestoneStatusNote[m.Status])
	fmt.Fprintf(w, "  description   %s\n  tranche       %s\n  payee         %s\n", m.Description, amountText(m.Tranche, units), who(names, m.Payee))
	fmt.Fprintf(w, "  sign-off      %s\n  window        %s after the sign-off\n  due           %s\n", m.Policy, secondsText(m.Window), fmtTime(m.Due))
	fmt.Fprintf(w, "  planned       by %s at height %d, %s\n", who(names, m.PlannedBy), m.Height, fmtTime(m.Time))
	if m.Funded {
		funder := "-"
		if m.FundedBy != nil {
			funder = who(names, *m.FundedBy)
		}
		fmt.Fprintf(w, "  funded        by %s at height %d\n", funder, m.FundedHeight)
	} else {
		fmt.Fprintf(w, "  funded        no (girder tx projects fund-milestone FUNDER %s %s)\n", m.Project, m.ID)
	}
	if m.ClaimedHeight != 0 {
		fmt.Fprintf(w, "  claimed       claim %d at height %d, %s%s\n", m.Claims, m.ClaimedHeight, fmtTime(m.ClaimedTime), colonText(m.ClaimNote))
		attachmentsText(w, "evidence", m.Evidence)
	} else if m.Claims != 0 {
		fmt.Fprintf(w, "  claims        %d (the last was rejected)\n", m.Claims)
	}
	for _, s := range m.SignOffs {
		fmt.Fprintf(w, "  signed off    as %s by %s at height %d, %s\n", s.Role, who(names, s.By), s.Height, fmtTime(s.Time))
	}
	if m.WindowEnds != 0 {
		fmt.Fprintf(w, "  challenge     from %s until %s\n", fmtTime(m.SignedOffTime), fmtTime(m.WindowEnds))
	}
	if m.Dispute != nil {
		fmt.Fprintf(w, "  disputed      %s\n", actionText(m.Dispute, names))
	}
	if m.Resolution != nil {
		fmt.Fprintf(w, "  resolved      %s\n", actionText(m.Resolution, names))
	}
	if m.Status == projects.MilestoneReleased {
		fmt.Fprintf(w, "  released      %s at height %d (%s)\n", amountText(coin.New(m.Tranche.Denom, m.Released), units), m.ReleasedHeight, viaText(m.ReleasedVia))
	}
	if m.Cancellation != nil {
		fmt.Fprintf(w, "  cancelled     %s\n  returned      %s\n", actionText(m.Cancellation, names), amountText(coin.New(m.Tranche.Denom, m.Returned), units))
	}
	if m.Late {
		fmt.Fprintf(w, "  late          not signed off by its due date: alert raised at height %d\n", m.LateHeight)
	}
}

func printChange(w io.Writer, c projects.StakeholderChange, names map[address.Address]string) {
	fmt.Fprintf(w, "stakeholder change %d of project %s: %s %s as %s\n", c.ID, c.Project, c.Action, who(names, c.Account), c.Role)
	if c.Reason != "" {
		fmt.Fprintf(w, "  reason        %s\n", c.Reason)
	}
	side := func(a *address.Address) string {
		if a == nil {
			return "waiting"
		}
		return "approved by " + who(names, *a)
	}
	fmt.Fprintf(w, "  proposed      by %s at height %d, %s\n  agency        %s\n  spv           %s\n  expires       %s\n",
		who(names, c.ProposedBy), c.Height, fmtTime(c.Time), side(c.Agency), side(c.SPV), fmtTime(c.Expires))
}

func newProjectsQueryCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "projects", Short: "Projects: registry, stakeholders, documents, timeline, ledger entries, milestones, escrow"}

	// projQuery is a query of one project (and, with more arguments, of one of its records).
	projQuery := func(prefix string, extra func(args []string) (string, error), data func() []byte) func(context.Context, *client.Client, []coin.Unit, []string) (string, []byte, error) {
		return func(_ context.Context, _ *client.Client, _ []coin.Unit, args []string) (string, []byte, error) {
			if err := projectArg(args[0]); err != nil {
				return "", nil, err
			}
			path := prefix + args[0]
			if extra != nil {
				x, err := extra(args)
				if err != nil {
					return "", nil, err
				}
				path += "/" + x
			}
			var d []byte
			if data != nil {
				d = data()
			}
			return path, d, nil
		}
	}
	var names map[address.Address]string
	named := func() map[address.Address]string {
		if names == nil {
			names = keyNames()
		}
		return names
	}

	var lSector, lAfter string
	var lLimit int
	list := secQuery[projects.ProjectList]("list [--sector SECTOR] [--after ID] [--limit N]", "List projects in id order, filtered by sector",
		`List projects in id order, optionally only those of one sector (--sector): `+strings.Join(projects.Sectors, ", ")+`.
A page holds up to --limit projects (default 100); when there are more, it ends with the --after
value of the next page.

Example:
  girder query projects list
  girder query projects list --sector bridge -o json`,
		maxArgs(0), func(context.Context, *client.Client, []coin.Unit, []string) (string, []byte, error) {
			if lSector != "" && !oneOfStrings(lSector, projects.Sectors) {
				return "", nil, fmt.Errorf("--sector %q: want one of %s", lSector, strings.Join(projects.Sectors, ", "))
			}
			return "/projects/projects", queryData("sector", lSector, "after", lAfter, "limit", strconv.Itoa(lLimit)), nil
		}, func(w io.Writer, v *projects.ProjectList, _ []coin.Unit) {
			if len(v.Projects) == 0 {
				fmt.Fprintln(w, "no projects")
			} else {
				tw := newTable(w)
				fmt.Fprintln(tw, "ID\tSECTOR\tNAME\tLOCATION\tCONCESSION\tENTRIES\tCREATED")
				for _, p := range v.Projects {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s to %s\t%d\theight %d\n", p.ID, p.Sector, p.Name, p.Location,
						fmtTime(p.ConcessionStart), fmtTime(p.ConcessionEnd), p.Entries, p.Height)
				}
				tw.Flush()
			}
			if v.Next != "" {
				fmt.Fprintf(w, "more: repeat with --after %s\n", v.Next)
			}
		})
	list.Flags().StringVar(&lSector, "sector", "", "only projects of this sector: "+strings.Join(projects.Sectors, ", "))
	list.Flags().StringVar(&lAfter, "after", "", "page: projects after this id (the previous page's next)")
	list.Flags().IntVar(&lLimit, "limit", 0, "page size, 1 to 500 (default 100)")

	project := secQuery("project ID", "Show a project: terms, treasury and its balances, escrowed tranches, stakeholders",
		`Show project ID: its terms, stakeholder rule and resolver role, its treasury (the address to send
the project's money to) with its balances, what the escrow holds for its funded milestones, the
counts and last hashes of its ledger and timeline, and its stakeholders.

Example:
  girder query projects project harbour-bridge
  girder query projects project harbour-bridge -o json | jq -r .treasury`,
		exactArgs(1), projQuery("/projects/project/", nil, nil),
		func(w io.Writer, v *projects.ProjectInfo, units []coin.Unit) { printProject(w, *v, units, named()) })

	var history bool
	documents := &cobra.Command{
		Use:   "documents ID [--history]",
		Short: "List a project's current documents, or with --history every version",
		Long: `List the current documents of project ID (name, version, URI, SHA-256), or with --history every
version of every document, removals included.

Example:
  girder query projects documents harbour-bridge
  girder query projects documents harbour-bridge --history`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := projectArg(args[0]); err != nil {
				return err
			}
			path := "/projects/documents/" + args[0]
			if history {
				path = "/projects/document-history/" + args[0]
			}
			return withClient(cmd, func(ctx context.Context, c *client.Client) error {
				var v []projects.Document
				if err := c.Query(ctx, path, nil, 0, &v); err != nil {
					return err
				}
				return emit(cmd.OutOrStdout(), v, func(w io.Writer) {
					if len(v) == 0 {
						fmt.Fprintf(w, "project %s has no documents\n", args[0])
						return
					}
					tw := newTable(w)
					fmt.Fprintln(tw, "NAME\tVERSION\tURI\tSHA256\tHEIGHT\tTIME")
					for _, d := range v {
						uri := d.URI
						if d.Removed {
							uri = "(removed)"
						}
						fmt.Fprintf(tw, "%s\tv%d\t%s\t%s\t%d\t%s\n", d.Name, d.Version, uri, d.Hash, d.Height, fmtTime(d.Time))
					}
					tw.Flush()
				})
			})
		},
	}
	documents.Flags().BoolVar(&history, "history", false, "every version of every document, removals included")

	stakeholders := secQuery("stakeholders ID", "List a project's stakeholders and their roles",
		"List the stakeholders of project ID: account (and its local key name), role, who added it and when.\n\nExample:\n  girder query projects stakeholders harbour-bridge",
		exactArgs(1), projQuery("/projects/stakeholders/", nil, nil),
		func(w io.Writer, v *[]projects.Stakeholder, _ []coin.Unit) { printStakeholders(w, *v, named()) })

	changes := secQuery("changes ID", "List a project's pending stakeholder changes (rule agency+spv)",
		"List the stakeholder changes of project ID that wait for an approval, with their expiry.\n\nExample:\n  girder query projects changes tunnel-north",
		exactArgs(1), projQuery("/projects/changes/", nil, nil),
		func(w io.Writer, v *[]projects.StakeholderChange, _ []coin.Unit) {
			if len(*v) == 0 {
				fmt.Fprintln(w, "no pending stakeholder changes")
				return
			}
			for i, c := range *v {
				if i > 0 {
					fmt.Fprintln(w)
				}
				printChange(w, c, named())
			}
		})
	change := secQuery("change ID CHANGE", "Show one pending stakeholder change",
		"Show the pending stakeholder change CHANGE of project ID: what it does, who approved it, its expiry.\n\nExample:\n  girder query projects change tunnel-north 1",
		exactArgs(2), projQuery("/projects/change/", func(args []string) (string, error) {
			n, err := secID(args[1], "change")
			return strconv.FormatUint(n, 10), err
		}, nil),
		func(w io.Writer, c *projects.StakeholderChange, _ []coin.Unit) { printChange(w, *c, named()) })

	var tAfter uint64
	var tLimit int
	var tAddresses bool
	timeline := secQuery("timeline ID [--after SEQ] [--limit N] [--addresses]", "Show a project's timeline: who did what, when, in order",
		`Show the timeline of project ID: every stakeholder change, document, report, attestation, dispute
and milestone event, in order, one line per record: height, time (RFC 3339 UTC), who (a local key
name when the address is in your keyring, --addresses for addresses) with their project roles,
and what. "chain" is the chain itself: a sign-off policy met, a release after a challenge
window, a late alert, an expired stakeholder change. A page holds up to --limit records (default 100); --after SEQ continues after a
record (-o json shows each record's seq and hash).

Example:
  girder query projects timeline harbour-bridge
  girder query projects timeline harbour-bridge --after 100 --limit 50 -o json`,
		exactArgs(1), projQuery("/projects/timeline/", nil, func() []byte {
			return queryData("after", strconv.FormatUint(tAfter, 10), "limit", strconv.Itoa(tLimit))
		}),
		func(w io.Writer, v *projects.TimelineList, units []coin.Unit) {
			if len(v.Records) == 0 {
				fmt.Fprintln(w, "no timeline records")
				return
			}
			n := named()
			if tAddresses {
				n = map[address.Address]string{}
			}
			printTimeline(w, v.Records, units, n)
			printNext(w, v.Next)
		})
	timeline.Flags().Uint64Var(&tAfter, "after", 0, "page: records after this seq (the previous page's next)")
	timeline.Flags().IntVar(&tLimit, "limit", 0, "page size, 1 to 500 (default 100)")
	timeline.Flags().BoolVar(&tAddresses, "addresses", false, "show addresses, not local key names")

	var eAfter uint64
	var eLimit int
	entries := secQuery("entries ID [--after ENTRY] [--limit N]", "List a project's progress ledger entries in order",
		"List the ledger entries of project ID in order: id, author, milestone, percent, summary.\n\nExample:\n  girder query projects entries harbour-bridge",
		exactArgs(1), projQuery("/projects/entries/", nil, func() []byte {
			return queryData("after", strconv.FormatUint(eAfter, 10), "limit", strconv.Itoa(eLimit))
		}),
		func(w io.Writer, v *projects.EntryList, _ []coin.Unit) {
			if len(v.Entries) == 0 {
				fmt.Fprintln(w, "no ledger entries")
				return
			}
			tw := newTable(w)
			fmt.Fprintln(tw, "ENTRY\tHEIGHT\tTIME\tAUTHOR\tMILESTONE\tPERCENT\tSUMMARY")
			for _, e := range v.Entries {
				ms := e.Milestone
				if ms == "" {
					ms = "-"
				}
				summary := e.Summary
				if e.Amends != 0 {
					summary = fmt.Sprintf("(amends %d) %s", e.Amends, summary)
				}
				fmt.Fprintf(tw, "%d\t%d\t%s\t%s%s\t%s\t%d%%\t%s\n", e.ID, e.Height, fmtTime(e.Time), who(named(), e.Author), rolesText(e.Roles), ms, e.Percent, summary)
			}
			tw.Flush()
			printNext(w, v.Next)
		})
	entries.Flags().Uint64Var(&eAfter, "after", 0, "page: entries after this id (the previous page's next)")
	entries.Flags().IntVar(&eLimit, "limit", 0, "page size, 1 to 500 (default 100)")

	entry := secQuery("entry ID ENTRY", "Show a ledger entry with its attestations, disputes and amendments",
		"Show entry ENTRY of the ledger of project ID: author, milestone, percent, summary, documents, its\nhash, who attested or disputed it and why, and the entries that amend it.\n\nExample:\n  girder query projects entry harbour-bridge 1",
		exactArgs(2), projQuery("/projects/entry/", func(args []string) (string, error) {
			n, err := secID(args[1], "entry")
			return strconv.FormatUint(n, 10), err
		}, nil),
		func(w io.Writer, v *projects.EntryInfo, _ []coin.Unit) { printEntry(w, *v, named()) })

	var mStatus string
	milestones := secQuery("milestones ID [--status STATUS]", "List a project's milestones: status, tranche, payee, due date, sign-off",
		`List the milestones of project ID in id order, optionally only those of one status (--status):
`+strings.Join(projects.MilestoneStatuses, ", ")+`.

Example:
  girder query projects milestones harbour-bridge
  girder query projects milestones harbour-bridge --status disputed`,
		exactArgs(1), projQuery("/projects/milestones/", nil, func() []byte { return queryData("status", mStatus) }),
		func(w io.Writer, v *[]projects.Milestone, units []coin.Unit) {
			if len(*v) == 0 {
				fmt.Fprintln(w, "no milestones")
				return
			}
			tw := newTable(w)
			fmt.Fprintln(tw, "MILESTONE\tSTATUS\tTRANCHE\tFUNDED\tPAYEE\tDUE\tSIGN-OFF\tWINDOW")
			for _, m := range *v {
				status := m.Status
				if m.Late {
					status += " (late)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m.ID, status, coin.Format(m.Tranche, units), yesNo(m.Funded), who(named(), m.Payee),
					fmtTime(m.Due), m.Policy, secondsText(m.Window))
			}
			tw.Flush()
		})
	milestones.Flags().StringVar(&mStatus, "status", "", "only milestones with this status: "+strings.Join(projects.MilestoneStatuses, ", "))

	milestone := secQuery("milestone ID MILESTONE", "Show a milestone: tranche, payee, policy, claim, sign-offs, window, dispute, release",
		`Show the milestone MILESTONE of project ID: its tranche, payee, sign-off policy, window and due
date; whether it is funded; the payee's claim and evidence; the sign-offs; the challenge window;
a dispute and its resolution; the release or cancellation; a late alert.

Example:
  girder query projects milestone harbour-bridge foundations
  girder query projects milestone harbour-bridge foundations -o json | jq -r .status`,
		exactArgs(2), projQuery("/projects/milestone/", func(args []string) (string, error) { return args[1], milestoneArg(args[1]) }, nil),
		func(w io.Writer, m *projects.Milestone, units []coin.Unit) { printMilestone(w, *m, units, named()) })

	escrow := secQuery("escrow", "Show the tranche escrow: its balances and the flows funded, released and returned",
		"Show the escrow account that holds every funded, unreleased tranche of every project, its balances,\nand per cash asset what was funded, released to payees and returned to treasuries.\n\nExample:\n  girder query projects escrow",
		maxArgs(0), func(context.Context, *client.Client, []coin.Unit, []string) (string, []byte, error) {
			return "/projects/escrow", nil, nil
		}, func(w io.Writer, v *projects.EscrowInfo, units []coin.Unit) {
			fmt.Fprintf(w, "escrow    %s\nholds     %s\n", v.Account, coinsText(v.Balances, units, "nothing"))
			if len(v.Totals) == 0 {
				return
			}
			tw := newTable(w)
			fmt.Fprintln(tw, "ASSET\tFUNDED\tRELEASED\tRETURNED")
			for _, t := range v.Totals {
				f := func(a coin.Amount) string { return coin.Format(coin.New(t.Denom, a), units) }
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Denom, f(t.Funded), f(t.Released), f(t.Returned))
			}
			tw.Flush()
		})

	params := secQuery("params", "Show the projects module's params",
		"How much end-of-block work (releases, late alerts, expired stakeholder changes) the chain does per block.\n\nExample:\n  girder query projects params",
		maxArgs(0), func(context.Context, *client.Client, []coin.Unit, []string) (string, []byte, error) {
			return "/projects/params", nil, nil
		}, func(w io.Writer, p *projects.Params, _ []coin.Unit) {
			fmt.Fprintf(w, "per block  %d (releases, late alerts and expired stakeholder changes at the end of each block, all projects together)\n", p.PerBlock)
		})

	parameters := secQuery("parameters ID", "List a project's parameters: current value, protected or not, version",
		`List the parameters of project ID (tariff_cap, concession_term, …): the current value of each, whether it
is protected by the concession (only the project's DAO changes it, with the public agency's approval), its
version and who set it.

Example:
  girder query projects parameters harbour-bridge`,
		exactArgs(1), projQuery("/projects/parameters/", nil, nil),
		func(w io.Writer, v *[]projects.Parameter, _ []coin.Unit) {
			if len(*v) == 0 {
				fmt.Fprintln(w, "no parameters")
				return
			}
			printParameters(w, *v, named())
		})
	parameter := secQuery("parameter ID NAME", "Show a project parameter with every version",
		`Show the parameter NAME of project ID: its current value and every earlier version, with who set each
and when.

Example:
  girder query projects parameter harbour-bridge tariff_cap`,
		exactArgs(2), projQuery("/projects/parameter/", func(args []string) (string, error) {
			if err := projects.ValidParamName(args[1]); err != nil {
				return "", fmt.Errorf("parameter name %q: want 2 to 40 characters of a-z, 0-9 and _, starting with a letter (e.g. tariff_cap)", args[1])
			}
			return args[1], nil
		}, nil),
		func(w io.Writer, v *projects.ParameterInfo, _ []coin.Unit) {
			prot := ""
			if v.Protected {
				prot = " (protected)"
			}
			fmt.Fprintf(w, "parameter %s of project %s: %q%s, version %d\n", v.Name, v.Project, v.Value, prot, v.Version)
			printParameters(w, v.History, named())
		})
	cmd.AddCommand(list, project, documents, stakeholders, changes, change, timeline, entries, entry, milestones, milestone, parameters, parameter, escrow, params)
	return cmd
}
