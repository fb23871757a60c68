package projects

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/x/assets"
)

// Sectors of a project.
const (
	SectorRoad   = "road"
	SectorBridge = "bridge"
	SectorTunnel = "tunnel"
	SectorRail   = "rail"
	SectorWater  = "water"
	SectorEnergy = "energy"
	SectorSocial = "social"
	SectorOther  = "other"
)

// Sectors lists the sectors a project may have.
var Sectors = []string{SectorRoad, SectorBridge, SectorTunnel, SectorRail, SectorWater, SectorEnergy, SectorSocial, SectorOther}

// Project roles: what a stakeholder is to one project. An account may hold several. They are not
// chain roles (x/auth), except that creating a project needs the chain role public_agency.
const (
	RolePublicAgency        = "public_agency"        // the granting authority
	RolePrivatePartner      = "private_partner"      // the SPV (concessionaire)
	RoleContractor          = "contractor"           // builds; usually a milestone's payee
	RoleLender              = "lender"               // finances
	RoleIndependentEngineer = "independent_engineer" // certifies the works
	RoleAuditor             = "auditor"              // audits accounts and reports
	RoleOperator            = "operator"             // runs the asset once built
)

// ProjectRoles lists the project roles.
var ProjectRoles = []string{RolePublicAgency, RolePrivatePartner, RoleContractor, RoleLender, RoleIndependentEngineer, RoleAuditor, RoleOperator}

// ActorDAO names the project's DAO (authority.DAO of its security token) where a record lists the
// roles someone acted in (the timeline, a resolution, a cancellation). It is not a project role:
// the DAO holds its powers through the project's Security, not as a stakeholder.
const ActorDAO = "dao"

// ValidRole reports whether r is a project role.
func ValidRole(r string) bool { return slices.Contains(ProjectRoles, r) }

// Stakeholder-change rules: who changes a project's stakeholders.
const (
	// RuleAgency: a public_agency stakeholder adds and removes stakeholders alone.
	RuleAgency = "agency"
	// RuleAgencySPV: a change needs the approvals of a public_agency stakeholder and of a
	// private_partner stakeholder (two different accounts): one proposes, the other approves.
	RuleAgencySPV = "agency+spv"
)

// Rules lists the stakeholder-change rules.
var Rules = []string{RuleAgency, RuleAgencySPV}

// Stakeholder change actions.
const (
	ActionAdd    = "add"
	ActionRemove = "remove"
)

// Milestone statuses. A milestone is planned; its payee claims it complete (claimed); the roles
// of its sign-off policy sign (signed_off: the challenge window runs from the sign-off that met
// the policy); at the end of the window, undisputed, its tranche is released to the payee at the
// end of the block (released) — or, when it was never funded, it waits (awaiting_funds) until it
// is, and is released at the end of the block that funds it. A dispute in the window stops the
// release (disputed) until the resolver releases (released) or rejects (planned again: the
// payee may claim again; a funded tranche stays in escrow). The resolver may cancel a milestone
// that is planned, claimed or disputed (cancelled: a funded tranche returns to the treasury).
const (
	MilestonePlanned       = "planned"
	MilestoneClaimed       = "claimed"
	MilestoneSignedOff     = "signed_off"
	MilestoneAwaitingFunds = "awaiting_funds"
	MilestoneDisputed      = "disputed"
	MilestoneReleased      = "released"
	MilestoneCancelled     = "cancelled"
)

// MilestoneStatuses lists the milestone statuses in life-cycle order.
var MilestoneStatuses = []string{MilestonePlanned, MilestoneClaimed, MilestoneSignedOff, MilestoneAwaitingFunds,
	MilestoneDisputed, MilestoneReleased, MilestoneCancelled}

// Final reports whether a milestone status is final (its tranche is no longer in escrow).
func Final(status string) bool { return status == MilestoneReleased || status == MilestoneCancelled }

// Resolutions of a disputed milestone.
const (
	DecisionRelease = "release" // pay the tranche to the payee now
	DecisionReject  = "reject"  // the work is not accepted: planned again, the payee may claim again
)

// Kinds of an attestation record (a stakeholder's verdict on a ledger entry).
const (
	KindAttest  = "attest"
	KindDispute = "dispute"
)

// How a tranche was released.
const (
	ViaWindow     = "window"     // at the end of the challenge window, undisputed
	ViaResolution = "resolution" // by the resolver, after a dispute
)

// Timeline record kinds.
const (
	TLCreated            = "created"
	TLStakeholderAdded   = "stakeholder_added"
	TLStakeholderRemoved = "stakeholder_removed"
	TLChangeProposed     = "change_proposed"
	TLChangeApproved     = "change_approved"
	TLChangeExpired      = "change_expired"
	TLDocumentSet        = "document_set"
	TLDocumentRemoved    = "document_removed"
	TLReport             = "report"
	TLAttestation        = "attestation"
	TLDispute            = "dispute"
	TLMilestonePlanned   = "milestone_planned"
	TLMilestoneFunded    = "milestone_funded"
	TLMilestoneClaimed   = "milestone_claimed"
	TLMilestoneSignOff   = "milestone_sign_off"
	TLMilestoneSignedOff = "milestone_signed_off"
	TLMilestoneAwaiting  = "milestone_awaiting_funds"
	TLMilestoneDisputed  = "milestone_disputed"
	TLMilestoneResolved  = "milestone_resolved"
	TLMilestoneReleased  = "milestone_released"
	TLMilestoneCancelled = "milestone_cancelled"
	TLMilestoneLate      = "milestone_late"
	TLSecuritySet        = "security_set"
	TLTreasurySpend      = "treasury_spend"
	TLParameterSet       = "parameter_set"
)

// Limits.
const (
	MinIDLen          = 3   // a project id
	MaxIDLen          = 40  // a project or milestone id
	MaxNameLen        = 128 // a project's name
	MaxLocationLen    = 256
	MaxDescriptionLen = 4_096 // a project's or a milestone's description
	MaxSummaryLen     = 2_000 // a report's summary
	MaxReasonLen      = 512   // a reason or a note
	MaxURILen         = 512
	MaxDocNameLen     = 64
	MaxDocuments      = 64      // current documents of one project
	MaxDocVersions    = 1 << 20 // versions of one document
	MaxAttachments    = 16      // documents of one report or claim
	MaxStakeholders   = 128     // (account, role) pairs of one project
	MaxMilestones     = 256     // milestones of one project
	MaxPendingChanges = 32      // pending stakeholder changes of one project
	MaxParameters     = 64      // parameters of one project
	MaxParamVersions  = 1 << 20 // versions of one parameter
	MinParamNameLen   = 2
	MaxParamNameLen   = 40
	MaxParamValueLen  = 256
	MaxWindow         = 365 * 24 * 3600
	ChangeTTL         = 30 * 24 * 3600 // a pending stakeholder change expires after 30 days
	MaxTime           = int64(1) << 40 // a time must be a plausible unix time
	DefaultPerBlock   = 200            // end-of-block work units (releases, late alerts, expiries)
	MaxPerBlock       = 100_000
	defaultPageSize   = 100
	maxPageSize       = 500
)

// reservedIDs may not be project ids: they are REST paths under /projects.
var reservedIDs = []string{"escrow", "params"}

// Params are the module's settings (genesis; later chain governance).
type Params struct {
	// PerBlock is how many items the end of one block works through: each release looked at,
	// each late alert and each expired stakeholder change counts one.
	PerBlock uint32 `cbor:"1,keyasint" json:"per_block"`
}

// DefaultParams are the launch settings.
func DefaultParams() Params { return Params{PerBlock: DefaultPerBlock} }

// Validate checks the params.
func (p Params) Validate() error {
	if p.PerBlock == 0 || p.PerBlock > MaxPerBlock {
		return ErrInvalidMsg.Wrapf("per_block %d: want 1 to %d", p.PerBlock, MaxPerBlock)
	}
	return nil
}

// Hash is a SHA-256 content hash, 64 hex digits in JSON.
type Hash = assets.Hash

// NamedDocument is a document given with a msg: its name, URI and content hash.
type NamedDocument struct {
	Name string `cbor:"1,keyasint" json:"name"`
	URI  string `cbor:"2,keyasint" json:"uri"`
	Hash Hash   `cbor:"3,keyasint" json:"hash"`
}

// Attachment is a document attached to a report or a claim: its URI and content hash.
type Attachment struct {
	URI  string `cbor:"1,keyasint" json:"uri"`
	Hash Hash   `cbor:"2,keyasint" json:"hash"`
}

// StakeholderRole is an (account, project role) pair given with a msg.
type StakeholderRole struct {
	Account address.Address `cbor:"1,keyasint" json:"account"`
	Role    string          `cbor:"2,keyasint" json:"role"`
}

// Policy is a milestone's sign-off policy: Min distinct roles among Roles must sign off, each
// by a different account holding it (independent engineer AND public agency: both roles, min
// 2; any 2 of lender, engineer, agency: those three, min 2).
type Policy struct {
	Roles []string `cbor:"1,keyasint" json:"roles"`
	Min   uint32   `cbor:"2,keyasint" json:"min"`
}

// Has reports whether role is one of the policy's roles.
func (p Policy) Has(role string) bool { return slices.Contains(p.Roles, role) }

// String is the policy as "2 of independent_engineer, public_agency".
func (p Policy) String() string {
	return strconv.FormatUint(uint64(p.Min), 10) + " of " + strings.Join(p.Roles, ", ")
}

// Project is a project of the registry. Entries and LedgerHash chain its progress ledger;
// Timeline and TimelineHash its timeline (both append-only).
type Project struct {
	ID              string          `cbor:"1,keyasint" json:"id"`
	Name            string          `cbor:"2,keyasint" json:"name"`
	Sector          string          `cbor:"3,keyasint" json:"sector"`
	Location        string          `cbor:"4,keyasint" json:"location"`
	ConcessionStart int64           `cbor:"5,keyasint" json:"concession_start"` // unix seconds
	ConcessionEnd   int64           `cbor:"6,keyasint" json:"concession_end"`
	Description     string          `cbor:"7,keyasint,omitempty" json:"description,omitempty"`
	StakeholderRule string          `cbor:"8,keyasint" json:"stakeholder_rule"`
	ResolverRole    string          `cbor:"9,keyasint" json:"resolver_role"`
	Treasury        address.Address `cbor:"10,keyasint" json:"treasury"`
	Creator         address.Address `cbor:"11,keyasint" json:"creator"`
	Height          int64           `cbor:"12,keyasint" json:"created_height"`
	Time            int64           `cbor:"13,keyasint" json:"created_time"`
	// Entries is the number of ledger entries (ids 1 to Entries); LedgerHash the hash of the last
	// (zero before the first).
	Entries    uint64 `cbor:"14,keyasint,omitempty" json:"entries"`
	LedgerHash Hash   `cbor:"15,keyasint" json:"ledger_hash"`
	// Timeline is the number of timeline records (seqs 1 to Timeline); TimelineHash the hash of
	// the last.
	Timeline     uint64 `cbor:"16,keyasint,omitempty" json:"timeline"`
	TimelineHash Hash   `cbor:"17,keyasint" json:"timeline_hash"`
	// Security is the project's security token (an asset of kind security), linked once by a
	// public_agency stakeholder; its DAO (authority.DAO(Security)) then holds the powers listed
	// in docs/projects.md. Empty: none linked (the project has no DAO).
	Security string `cbor:"18,keyasint,omitempty" json:"security,omitempty"`
}

// Parameter is one version of a named parameter of a project (tariff_cap, concession_term, …).
// Versions are never deleted. A protected parameter (marked by a public_agency stakeholder,
// protected by the concession) stays protected: its value is changed only by the project's DAO,
// through a proposal the public agency approves.
type Parameter struct {
	Project   string          `cbor:"1,keyasint" json:"project"`
	Name      string          `cbor:"2,keyasint" json:"name"`
	Version   uint32          `cbor:"3,keyasint" json:"version"`
	Value     string          `cbor:"4,keyasint" json:"value"`
	Protected bool            `cbor:"5,keyasint,omitempty" json:"protected,omitempty"`
	By        address.Address `cbor:"6,keyasint" json:"by"`
	Height    int64           `cbor:"7,keyasint" json:"height"`
	Time      int64           `cbor:"8,keyasint" json:"time"`
}

// Stakeholder is an account holding a role in a project.
type Stakeholder struct {
	Project string          `cbor:"1,keyasint" json:"project"`
	Account address.Address `cbor:"2,keyasint" json:"account"`
	Role    string          `cbor:"3,keyasint" json:"role"`
	AddedBy address.Address `cbor:"4,keyasint" json:"added_by"`
	Change  uint64          `cbor:"5,keyasint,omitempty" json:"change,omitempty"` // the stakeholder change that added it
	Height  int64           `cbor:"6,keyasint" json:"height"`
	Time    int64           `cbor:"7,keyasint" json:"time"`
}

// Document is one version of a named document of a project (concession agreement, permit,
// design). Versions are never deleted; a removal is a version with Removed set.
type Document struct {
	Project string          `cbor:"1,keyasint" json:"project"`
	Name    string          `cbor:"2,keyasint" json:"name"`
	Version uint32          `cbor:"3,keyasint" json:"version"`
	URI     string          `cbor:"4,keyasint,omitempty" json:"uri,omitempty"`
	Hash    Hash            `cbor:"5,keyasint" json:"hash"`
	Removed bool            `cbor:"6,keyasint,omitempty" json:"removed,omitempty"`
	By      address.Address `cbor:"7,keyasint" json:"by"`
	Height  int64           `cbor:"8,keyasint" json:"height"`
	Time    int64           `cbor:"9,keyasint" json:"time"`
}

// StakeholderChange is a pending change of a project's stakeholders under the rule agency+spv:
// it applies when a public_agency stakeholder and a private_partner stakeholder (two accounts)
// have approved it — the proposer's approval counts — and expires at Expires otherwise.
type StakeholderChange struct {
	ID         uint64           `cbor:"1,keyasint" json:"id"`
	Project    string           `cbor:"2,keyasint" json:"project"`
	Action     string           `cbor:"3,keyasint" json:"action"`
	Account    address.Address  `cbor:"4,keyasint" json:"account"`
	Role       string           `cbor:"5,keyasint" json:"role"`
	Reason     string           `cbor:"6,keyasint,omitempty" json:"reason,omitempty"`
	ProposedBy address.Address  `cbor:"7,keyasint" json:"proposed_by"`
	Agency     *address.Address `cbor:"8,keyasint,omitempty" json:"approved_by_agency,omitempty"`
	SPV        *address.Address `cbor:"9,keyasint,omitempty" json:"approved_by_private_partner,omitempty"`
	Height     int64            `cbor:"10,keyasint" json:"height"`
	Time       int64            `cbor:"11,keyasint" json:"time"`
	Expires    int64            `cbor:"12,keyasint" json:"expires"` // unix seconds: no approval at or after it
}

// Entry is an entry of a project's progress ledger: a progress report. Entries are never
// changed or removed; a correction is a new entry that amends an earlier one of its author.
// Hash chains the ledger: SHA-256(the previous entry's Hash ‖ CBOR of this entry without Hash).
type Entry struct {
	Project   string          `cbor:"1,keyasint" json:"project"`
	ID        uint64          `cbor:"2,keyasint" json:"id"`
	Author    address.Address `cbor:"3,keyasint" json:"author"`
	Roles     []string        `cbor:"4,keyasint" json:"roles"` // the author's project roles when posting
	Milestone string          `cbor:"5,keyasint,omitempty" json:"milestone,omitempty"`
	Percent   uint32          `cbor:"6,keyasint" json:"percent"`
	Summary   string          `cbor:"7,keyasint" json:"summary"`
	Documents []Attachment    `cbor:"8,keyasint,omitempty" json:"documents,omitempty"`
	Amends    uint64          `cbor:"9,keyasint,omitempty" json:"amends,omitempty"`
	Height    int64           `cbor:"10,keyasint" json:"height"`
	Time      int64           `cbor:"11,keyasint" json:"time"`
	Hash      Hash            `cbor:"12,keyasint" json:"hash"`
}

// Attestation is a stakeholder's verdict on a ledger entry: attest (it is true) or dispute (it
// is not, with a reason). One per stakeholder account and entry; never its author's.
type Attestation struct {
	Project string          `cbor:"1,keyasint" json:"project"`
	Entry   uint64          `cbor:"2,keyasint" json:"entry"`
	By      address.Address `cbor:"3,keyasint" json:"by"`
	Roles   []string        `cbor:"4,keyasint" json:"roles"`
	Kind    string          `cbor:"5,keyasint" json:"kind"`
	Reason  string          `cbor:"6,keyasint,omitempty" json:"reason,omitempty"`
	Height  int64           `cbor:"7,keyasint" json:"height"`
	Time    int64           `cbor:"8,keyasint" json:"time"`
}

// SignOff is one role's sign-off of a milestone's claim.
type SignOff struct {
	Role   string          `cbor:"1,keyasint" json:"role"`
	By     address.Address `cbor:"2,keyasint" json:"by"`
	Height int64           `cbor:"3,keyasint" json:"height"`
	Time   int64           `cbor:"4,keyasint" json:"time"`
}

// Action is who did something to a milestone (a dispute, a resolution, a cancellation), when
// and why.
type Action struct {
	By       address.Address `cbor:"1,keyasint" json:"by"`
	Roles    []string        `cbor:"2,keyasint" json:"roles"`
	Decision string          `cbor:"3,keyasint,omitempty" json:"decision,omitempty"` // a resolution's
	Reason   string          `cbor:"4,keyasint" json:"reason"`
	Height   int64           `cbor:"5,keyasint" json:"height"`
	Time     int64           `cbor:"6,keyasint" json:"time"`
}

// Milestone is a planned part of the works with its tranche: Tranche (a cash asset) is paid to
// Payee when Policy's roles have signed off its completion and Window seconds have passed
// without a dispute. The tranche is in escrow once funded until it is released or the milestone
// is cancelled.
type Milestone struct {
	Project     string          `cbor:"1,keyasint" json:"project"`
	ID          string          `cbor:"2,keyasint" json:"id"`
	Description string          `cbor:"3,keyasint" json:"description"`
	Due         int64           `cbor:"4,keyasint" json:"due"` // unix seconds
	Tranche     coin.Coin       `cbor:"5,keyasint" json:"tranche"`
	Payee       address.Address `cbor:"6,keyasint" json:"payee"`
	Policy      Policy          `cbor:"7,keyasint" json:"policy"`
	Window      int64           `cbor:"8,keyasint" json:"window"` // seconds
	Status      string          `cbor:"9,keyasint" json:"status"`
	PlannedBy   address.Address `cbor:"10,keyasint" json:"planned_by"`
	Height      int64           `cbor:"11,keyasint" json:"planned_height"`
	Time        int64           `cbor:"12,keyasint" json:"planned_time"`

	Funded       bool             `cbor:"13,keyasint,omitempty" json:"funded"`
	FundedBy     *address.Address `cbor:"14,keyasint,omitempty" json:"funded_by,omitempty"`
	FundedHeight int64            `cbor:"15,keyasint,omitempty" json:"funded_height,omitempty"`

	// Claims counts the payee's claims (a rejected claim may be followed by another).
	Claims        uint32       `cbor:"16,keyasint,omitempty" json:"claims"`
	ClaimedHeight int64        `cbor:"17,keyasint,omitempty" json:"claimed_height,omitempty"`
	ClaimedTime   int64        `cbor:"18,keyasint,omitempty" json:"claimed_time,omitempty"`
	Evidence      []Attachment `cbor:"19,keyasint,omitempty" json:"evidence,omitempty"`
	ClaimNote     string       `cbor:"20,keyasint,omitempty" json:"claim_note,omitempty"`
	SignOffs      []SignOff    `cbor:"21,keyasint,omitempty" json:"sign_offs,omitempty"`
	// SignedOffTime is when the policy was met; WindowEnds = SignedOffTime + Window: disputes
	// are accepted before it, the release happens at the end of the first block at or after it.
	SignedOffTime int64   `cbor:"22,keyasint,omitempty" json:"signed_off_time,omitempty"`
	WindowEnds    int64   `cbor:"23,keyasint,omitempty" json:"window_ends,omitempty"`
	Dispute       *Action `cbor:"24,keyasint,omitempty" json:"dispute,omitempty"`    // of the current claim
	Resolution    *Action `cbor:"25,keyasint,omitempty" json:"resolution,omitempty"` // the last one

	Released       coin.Amount `cbor:"26,keyasint,omitempty" json:"released,string"`
	ReleasedHeight int64       `cbor:"27,keyasint,omitempty" json:"released_height,omitempty"`
	ReleasedVia    string      `cbor:"28,keyasint,omitempty" json:"released_via,omitempty"`
	Returned       coin.Amount `cbor:"29,keyasint,omitempty" json:"returned,string"` // to the treasury at a cancellation
	Cancellation   *Action     `cbor:"30,keyasint,omitempty" json:"cancellation,omitempty"`
	// Late is set when the milestone was not signed off by its due date (the alert is raised once).
	Late       bool  `cbor:"31,keyasint,omitempty" json:"late,omitempty"`
	LateHeight int64 `cbor:"32,keyasint,omitempty" json:"late_height,omitempty"`
}

// InEscrow is what the escrow holds for m: its tranche from funding until it is released or
// the milestone is cancelled.
func (m Milestone) InEscrow() coin.Amount {
	if m.Funded && !Final(m.Status) {
		return m.Tranche.Amount
	}
	return 0
}

// signedFor reports whether role has signed the current claim, and whether a has signed it.
func (m Milestone) signedFor(role string, a address.Address) (roleSigned, accountSigned bool) {
	for _, s := range m.SignOffs {
		roleSigned = roleSigned || s.Role == role
		accountSigned = accountSigned || s.By == a
	}
	return
}

// watchesDue reports whether a milestone in status s is still to be completed by its due date
// (not signed off yet): the late alert watches it.
func watchesDue(s string) bool { return s == MilestonePlanned || s == MilestoneClaimed }

// TimelineRecord is one record of a project's timeline: everything that happened to the project,
// in order, with who did it (none: the chain, at the end of a block), in which of their roles,
// at which height and time. Hash chains the timeline like the ledger.
type TimelineRecord struct {
	Project   string           `cbor:"1,keyasint" json:"project"`
	Seq       uint64           `cbor:"2,keyasint" json:"seq"`
	Kind      string           `cbor:"3,keyasint" json:"kind"`
	By        *address.Address `cbor:"4,keyasint,omitempty" json:"by,omitempty"`
	Roles     []string         `cbor:"5,keyasint,omitempty" json:"roles,omitempty"`
	Entry     uint64           `cbor:"6,keyasint,omitempty" json:"entry,omitempty"`
	Milestone string           `cbor:"7,keyasint,omitempty" json:"milestone,omitempty"`
	Change    uint64           `cbor:"8,keyasint,omitempty" json:"change,omitempty"`
	Account   *address.Address `cbor:"9,keyasint,omitempty" json:"account,omitempty"` // a stakeholder change's account, a release's payee
	Role      string           `cbor:"10,keyasint,omitempty" json:"role,omitempty"`   // the role added, removed or signed for
	Document  string           `cbor:"11,keyasint,omitempty" json:"document,omitempty"`
	Amount    *coin.Coin       `cbor:"12,keyasint,omitempty" json:"amount,omitempty"`
	Note      string           `cbor:"13,keyasint,omitempty" json:"note,omitempty"` // a reason, a decision, a percent
	Height    int64            `cbor:"14,keyasint" json:"height"`
	Time      int64            `cbor:"15,keyasint" json:"time"`
	Hash      Hash             `cbor:"16,keyasint" json:"hash"`
}

// Totals are the module's flows of one cash asset through the escrow since genesis: funded in,
// released to payees, returned to treasuries. The escrow holds Funded − Released − Returned.
type Totals struct {
	Denom    string      `cbor:"1,keyasint" json:"denom"`
	Funded   coin.Amount `cbor:"2,keyasint" json:"funded,string"`
	Released coin.Amount `cbor:"3,keyasint" json:"released,string"`
	Returned coin.Amount `cbor:"4,keyasint" json:"returned,string"`
}

// ---- stateless checks (msgs and genesis) ----

// validSlug checks an id: min to MaxIDLen characters of a-z, 0-9 and '-', starting and ending
// with a letter or digit.
func validSlug(what, s string, min int) error {
	if len(s) < min || len(s) > MaxIDLen {
		return ErrInvalidMsg.Wrapf("%s %q: want %d to %d characters of a-z, 0-9 and -", what, s, min, MaxIDLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return ErrInvalidMsg.Wrapf("%s %q: only a-z, 0-9 and - (found %q)", what, s, c)
		}
	}
	if s[0] == '-' || s[len(s)-1] == '-' {
		return ErrInvalidMsg.Wrapf("%s %q: must start and end with a letter or digit", what, s)
	}
	return nil
}

// ValidProjectID checks a project id: a slug of 3 to 40 characters (not a reserved word).
func ValidProjectID(s string) error {
	if err := validSlug("project id", s, MinIDLen); err != nil {
		return err
	}
	if slices.Contains(reservedIDs, s) {
		return ErrInvalidMsg.Wrapf("project id %q is reserved", s)
	}
	return nil
}

// ValidMilestoneID checks a milestone id: a slug of 1 to 40 characters.
func ValidMilestoneID(s string) error { return validSlug("milestone id", s, 1) }

func validText(what, s string, max int, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return ErrInvalidMsg.Wrapf("give a %s", what)
	}
	if len(s) > max {
		return ErrInvalidMsg.Wrapf("%s has %d bytes, at most %d", what, len(s), max)
	}
	if !utf8.ValidString(s) {
		return ErrInvalidMsg.Wrapf("%s is not valid UTF-8", what)
	}
	return nil
}

func validHash(what string, h Hash) error {
	if h.IsZero() {
		return ErrInvalidMsg.Wrapf("give the SHA-256 content hash of %s", what)
	}
	return nil
}

func validRole(what, r string) error {
	if !ValidRole(r) {
		return ErrInvalidMsg.Wrapf("%s %q: want one of %s", what, r, strings.Join(ProjectRoles, ", "))
	}
	return nil
}

func validAttachments(what string, docs []Attachment) error {
	if len(docs) > MaxAttachments {
		return ErrInvalidMsg.Wrapf("%d %s: at most %d", len(docs), what, MaxAttachments)
	}
	for i, d := range docs {
		if err := validText(what+" uri", d.URI, MaxURILen, true); err != nil {
			return err
		}
		if err := validHash(what+" "+d.URI, d.Hash); err != nil {
			return err
		}
		for _, e := range docs[:i] {
			if e.Hash == d.Hash {
				return ErrInvalidMsg.Wrapf("%s: the document %s is given twice", what, d.Hash)
			}
		}
	}
	return nil
}

// validDocName checks a document name: 1 to 64 bytes of UTF-8 without control characters.
func validDocName(name string) error {
	if err := validText("document name", name, MaxDocNameLen, true); err != nil {
		return err
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return ErrInvalidMsg.Wrapf("document name %q: no control characters", name)
		}
	}
	return nil
}

func validNamedDocument(d NamedDocument) error {
	if err := validDocName(d.Name); err != nil {
		return err
	}
	if err := validText("document uri", d.URI, MaxURILen, true); err != nil {
		return err
	}
	return validHash("document "+d.Name, d.Hash)
}

// Validate checks a sign-off policy.
func (p Policy) Validate() error {
	if len(p.Roles) == 0 {
		return ErrInvalidMsg.Wrapf("the sign-off policy lists no role")
	}
	for i, r := range p.Roles {
		if err := validRole("sign-off role", r); err != nil {
			return err
		}
		if slices.Contains(p.Roles[:i], r) {
			return ErrInvalidMsg.Wrapf("sign-off role %s listed twice", r)
		}
	}
	if p.Min == 0 || int(p.Min) > len(p.Roles) {
		return ErrInvalidMsg.Wrapf("sign-off policy min %d: want 1 to %d (the roles listed)", p.Min, len(p.Roles))
	}
	return nil
}

// ValidParamName checks a parameter name: 2 to 40 characters of a-z, 0-9 and _, starting with a
// letter.
func ValidParamName(s string) error {
	if len(s) < MinParamNameLen || len(s) > MaxParamNameLen || s[0] < 'a' || s[0] > 'z' {
		return ErrInvalidMsg.Wrapf("parameter name %q: want %d to %d characters of a-z, 0-9 and _, starting with a letter (e.g. tariff_cap)", s, MinParamNameLen, MaxParamNameLen)
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return ErrInvalidMsg.Wrapf("parameter name %q: only a-z, 0-9 and _ (found %q)", s, c)
		}
	}
	return nil
}

// validParamValue checks a parameter value: 1 to 256 bytes of UTF-8 without control characters.
func validParamValue(v string) error {
	if err := validText("parameter value", v, MaxParamValueLen, true); err != nil {
		return err
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return ErrInvalidMsg.Wrapf("parameter value %q: no control characters", v)
		}
	}
	return nil
}

// validSecurity checks a security token's denom (empty: none, when optional).
func validSecurity(denom string, required bool) error {
	if denom == "" && !required {
		return nil
	}
	if err := coin.ValidateDenom(denom); err != nil {
		return ErrInvalidMsg.Wrapf("security: %v", err)
	}
	return nil
}

func validTime(what string, t int64) error {
	if t <= 0 || t > MaxTime {
		return ErrInvalidMsg.Wrapf("%s %d: want a unix time in seconds", what, t)
	}
	return nil
}
