package projects

import (
	"slices"
	"strings"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
)

func nonZero(what string, a address.Address) error {
	if a.IsZero() {
		return ErrInvalidMsg.Wrapf("zero %s address", what)
	}
	return nil
}

// validRef checks the signer and the project of a msg about a project.
func validRef(signerWhat string, signer address.Address, project string) error {
	if err := nonZero(signerWhat, signer); err != nil {
		return err
	}
	return ValidProjectID(project)
}

// validMilestoneRef checks the signer, project and milestone of a msg about a milestone.
func validMilestoneRef(signerWhat string, signer address.Address, project, milestone string) error {
	if err := validRef(signerWhat, signer, project); err != nil {
		return err
	}
	return ValidMilestoneID(milestone)
}

// ---- registry ----

// MsgCreate creates a project. The creator must hold the chain role public_agency; it becomes
// the project's first public_agency stakeholder. ID is a slug of 3 to 40 characters of a-z, 0-9
// and '-', unique on the chain. StakeholderRule says who changes the stakeholders later:
// "agency" (default) or "agency+spv". ResolverRole is the project role that resolves disputed
// milestones and cancels milestones (default public_agency). Stakeholders are the project's
// other initial stakeholders; Documents its initial documents (version 1 each). Security, when
// given, links the project's security token (an asset of kind security, linked to no other
// project) as MsgSetSecurity does.
type MsgCreate struct {
	Creator         address.Address   `cbor:"1,keyasint" json:"creator"`
	ID              string            `cbor:"2,keyasint" json:"id"`
	Name            string            `cbor:"3,keyasint" json:"name"`
	Sector          string            `cbor:"4,keyasint" json:"sector"`
	Location        string            `cbor:"5,keyasint" json:"location"`
	ConcessionStart int64             `cbor:"6,keyasint" json:"concession_start"` // unix seconds
	ConcessionEnd   int64             `cbor:"7,keyasint" json:"concession_end"`   // unix seconds
	Description     string            `cbor:"8,keyasint,omitempty" json:"description,omitempty"`
	Documents       []NamedDocument   `cbor:"9,keyasint,omitempty" json:"documents,omitempty"`
	StakeholderRule string            `cbor:"10,keyasint,omitempty" json:"stakeholder_rule,omitempty"`
	ResolverRole    string            `cbor:"11,keyasint,omitempty" json:"resolver_role,omitempty"`
	Stakeholders    []StakeholderRole `cbor:"12,keyasint,omitempty" json:"stakeholders,omitempty"`
	Security        string            `cbor:"13,keyasint,omitempty" json:"security,omitempty"`
}

func (*MsgCreate) MsgType() string           { return "projects/create" }
func (m *MsgCreate) Signer() address.Address { return m.Creator }
func (m *MsgCreate) Validate() error {
	if err := validRef("creator", m.Creator, m.ID); err != nil {
		return err
	}
	if err := validText("name", m.Name, MaxNameLen, true); err != nil {
		return err
	}
	if !slices.Contains(Sectors, m.Sector) {
		return ErrInvalidMsg.Wrapf("sector %q: want one of %s", m.Sector, strings.Join(Sectors, ", "))
	}
	if err := validText("location", m.Location, MaxLocationLen, true); err != nil {
		return err
	}
	if err := validTime("concession start", m.ConcessionStart); err != nil {
		return err
	}
	if err := validTime("concession end", m.ConcessionEnd); err != nil {
		return err
	}
	if m.ConcessionEnd <= m.ConcessionStart {
		return ErrInvalidMsg.Wrapf("concession end %d is not after its start %d", m.ConcessionEnd, m.ConcessionStart)
	}
	if err := validText("description", m.Description, MaxDescriptionLen, false); err != nil {
		return err
	}
	if len(m.Documents) > MaxDocuments {
		return ErrInvalidMsg.Wrapf("%d documents: at most %d", len(m.Documents), MaxDocuments)
	}
	for i, d := range m.Documents {
		if err := validNamedDocument(d); err != nil {
			return err
		}
		for _, e := range m.Documents[:i] {
			if e.Name == d.Name {
				return ErrInvalidMsg.Wrapf("document %q given twice", d.Name)
			}
		}
	}
	if m.StakeholderRule != "" && !slices.Contains(Rules, m.StakeholderRule) {
		return ErrInvalidMsg.Wrapf("stakeholder rule %q: want %s", m.StakeholderRule, strings.Join(Rules, " or "))
	}
	if m.ResolverRole != "" {
		if err := validRole("resolver role", m.ResolverRole); err != nil {
			return err
		}
	}
	if err := validSecurity(m.Security, false); err != nil {
		return err
	}
	if len(m.Stakeholders) > MaxStakeholders-1 {
		return ErrInvalidMsg.Wrapf("%d stakeholders: at most %d besides the creator", len(m.Stakeholders), MaxStakeholders-1)
	}
	for i, s := range m.Stakeholders {
		if err := nonZero("stakeholder", s.Account); err != nil {
			return err
		}
		if err := validRole("stakeholder role", s.Role); err != nil {
			return err
		}
		if s.Account == m.Creator && s.Role == RolePublicAgency {
			return ErrInvalidMsg.Wrapf("the creator is the first public_agency stakeholder already")
		}
		for _, e := range m.Stakeholders[:i] {
			if e == s {
				return ErrInvalidMsg.Wrapf("stakeholder %s as %s given twice", s.Account, s.Role)
			}
		}
	}
	return nil
}

// GasItems is the number of documents and stakeholders stored with the project.
func (m *MsgCreate) GasItems() uint64 { return uint64(len(m.Documents) + len(m.Stakeholders)) }

// MsgSetDocument adds a document to a project, or a new version of the document of that name.
// Signed by a public_agency or private_partner stakeholder, or the project's DAO.
type MsgSetDocument struct {
	Editor  address.Address `cbor:"1,keyasint" json:"editor"`
	Project string          `cbor:"2,keyasint" json:"project"`
	Name    string          `cbor:"3,keyasint" json:"name"`
	URI     string          `cbor:"4,keyasint" json:"uri"`
	Hash    Hash            `cbor:"5,keyasint" json:"hash"`
}

func (*MsgSetDocument) MsgType() string           { return "projects/set_document" }
func (m *MsgSetDocument) Signer() address.Address { return m.Editor }
func (m *MsgSetDocument) Validate() error {
	if err := validRef("editor", m.Editor, m.Project); err != nil {
		return err
	}
	return validNamedDocument(NamedDocument{Name: m.Name, URI: m.URI, Hash: m.Hash})
}

// MsgRemoveDocument removes a project's document (its versions stay). Signed by a public_agency
// or private_partner stakeholder, or the project's DAO.
type MsgRemoveDocument struct {
	Editor  address.Address `cbor:"1,keyasint" json:"editor"`
	Project string          `cbor:"2,keyasint" json:"project"`
	Name    string          `cbor:"3,keyasint" json:"name"`
}

func (*MsgRemoveDocument) MsgType() string           { return "projects/remove_document" }
func (m *MsgRemoveDocument) Signer() address.Address { return m.Editor }
func (m *MsgRemoveDocument) Validate() error {
	if err := validRef("editor", m.Editor, m.Project); err != nil {
		return err
	}
	return validDocName(m.Name)
}

// MsgSetSecurity links the project's security token: an asset of kind security, linked to no
// other project. Signed by a public_agency stakeholder; a project's security is linked once. The
// token's DAO (authority.DAO(Security)) then holds the project DAO's powers.
type MsgSetSecurity struct {
	Agency   address.Address `cbor:"1,keyasint" json:"agency"`
	Project  string          `cbor:"2,keyasint" json:"project"`
	Security string          `cbor:"3,keyasint" json:"security"`
}

func (*MsgSetSecurity) MsgType() string           { return "projects/set_security" }
func (m *MsgSetSecurity) Signer() address.Address { return m.Agency }
func (m *MsgSetSecurity) Validate() error {
	if err := validRef("agency", m.Agency, m.Project); err != nil {
		return err
	}
	return validSecurity(m.Security, true)
}

// MsgSpend pays Amount from the project's treasury to To, for Reason. Only the project's DAO
// (authority.DAO of its security token) signs it, through a proposal that passed. The transfer
// is reviewed by compliance like any transfer between parties.
type MsgSpend struct {
	Authority address.Address `cbor:"1,keyasint" json:"authority"`
	Project   string          `cbor:"2,keyasint" json:"project"`
	To        address.Address `cbor:"3,keyasint" json:"to"`
	Amount    coin.Coin       `cbor:"4,keyasint" json:"amount"`
	Reason    string          `cbor:"5,keyasint" json:"reason"`
}

func (*MsgSpend) MsgType() string           { return "projects/spend" }
func (m *MsgSpend) Signer() address.Address { return m.Authority }
func (m *MsgSpend) Validate() error {
	if err := validRef("authority", m.Authority, m.Project); err != nil {
		return err
	}
	if err := nonZero("recipient", m.To); err != nil {
		return err
	}
	if err := m.Amount.Validate(); err != nil {
		return ErrInvalidMsg.Wrapf("amount: %v", err)
	}
	return validText("reason", m.Reason, MaxReasonLen, true)
}

// MsgSetParameter sets the value of the project's parameter Name (a new version; the first sets
// it). Signed by a public_agency stakeholder or the project's DAO. Protected marks the parameter
// protected by the concession: only a public_agency stakeholder marks a parameter protected, and
// once protected it stays so; a protected parameter's value is then changed only by the DAO,
// whose msg says Protected (so that governance needs the public agency's approval).
type MsgSetParameter struct {
	Authority address.Address `cbor:"1,keyasint" json:"authority"`
	Project   string          `cbor:"2,keyasint" json:"project"`
	Name      string          `cbor:"3,keyasint" json:"name"`
	Value     string          `cbor:"4,keyasint" json:"value"`
	Protected bool            `cbor:"5,keyasint,omitempty" json:"protected,omitempty"`
}

func (*MsgSetParameter) MsgType() string           { return "projects/set_parameter" }
func (m *MsgSetParameter) Signer() address.Address { return m.Authority }
func (m *MsgSetParameter) Validate() error {
	if err := validRef("authority", m.Authority, m.Project); err != nil {
		return err
	}
	if err := ValidParamName(m.Name); err != nil {
		return err
	}
	return validParamValue(m.Value)
}

// ---- stakeholders ----

// MsgAddStakeholder gives Account the project role Role. Under the rule "agency" it is signed by
// a public_agency stakeholder and applies at once; under "agency+spv" it is refused (propose the
// change with MsgProposeStakeholderChange).
type MsgAddStakeholder struct {
	Agency  address.Address `cbor:"1,keyasint" json:"agency"`
	Project string          `cbor:"2,keyasint" json:"project"`
	Account address.Address `cbor:"3,keyasint" json:"account"`
	Role    string          `cbor:"4,keyasint" json:"role"`
}

func (*MsgAddStakeholder) MsgType() string           { return "projects/add_stakeholder" }
func (m *MsgAddStakeholder) Signer() address.Address { return m.Agency }
func (m *MsgAddStakeholder) Validate() error {
	return validStakeholderMsg(m.Agency, m.Project, m.Account, m.Role)
}

// MsgRemoveStakeholder takes the project role Role from Account, for Reason. Under the rule
// "agency" it is signed by a public_agency stakeholder and applies at once; under "agency+spv"
// it is refused (propose the change). The last public_agency stakeholder cannot be removed.
type MsgRemoveStakeholder struct {
	Agency  address.Address `cbor:"1,keyasint" json:"agency"`
	Project string          `cbor:"2,keyasint" json:"project"`
	Account address.Address `cbor:"3,keyasint" json:"account"`
	Role    string          `cbor:"4,keyasint" json:"role"`
	Reason  string          `cbor:"5,keyasint" json:"reason"`
}

func (*MsgRemoveStakeholder) MsgType() string           { return "projects/remove_stakeholder" }
func (m *MsgRemoveStakeholder) Signer() address.Address { return m.Agency }
func (m *MsgRemoveStakeholder) Validate() error {
	if err := validStakeholderMsg(m.Agency, m.Project, m.Account, m.Role); err != nil {
		return err
	}
	return validText("reason", m.Reason, MaxReasonLen, true)
}

func validStakeholderMsg(signer address.Address, project string, account address.Address, role string) error {
	if err := validRef("signer", signer, project); err != nil {
		return err
	}
	if err := nonZero("stakeholder", account); err != nil {
		return err
	}
	return validRole("role", role)
}

// MsgProposeStakeholderChange proposes adding (Action "add") or removing ("remove") the project
// role Role of Account. The proposer must be a public_agency or private_partner stakeholder; its
// approval counts for its side. Under the rule "agency" a public_agency's proposal applies at
// once; under "agency+spv" the change applies when a stakeholder of the other side approves it
// (MsgApproveStakeholderChange), and expires after 30 days otherwise. A removal needs a reason.
// The project's DAO may propose (and approve) as the private_partner side.
type MsgProposeStakeholderChange struct {
	Proposer address.Address `cbor:"1,keyasint" json:"proposer"`
	Project  string          `cbor:"2,keyasint" json:"project"`
	Action   string          `cbor:"3,keyasint" json:"action"`
	Account  address.Address `cbor:"4,keyasint" json:"account"`
	Role     string          `cbor:"5,keyasint" json:"role"`
	Reason   string          `cbor:"6,keyasint,omitempty" json:"reason,omitempty"`
}

func (*MsgProposeStakeholderChange) MsgType() string           { return "projects/propose_stakeholder_change" }
func (m *MsgProposeStakeholderChange) Signer() address.Address { return m.Proposer }
func (m *MsgProposeStakeholderChange) Validate() error {
	if err := validStakeholderMsg(m.Proposer, m.Project, m.Account, m.Role); err != nil {
		return err
	}
	if m.Action != ActionAdd && m.Action != ActionRemove {
		return ErrInvalidMsg.Wrapf("action %q: want %s or %s", m.Action, ActionAdd, ActionRemove)
	}
	return validText("reason", m.Reason, MaxReasonLen, m.Action == ActionRemove)
}

// MsgApproveStakeholderChange approves a pending stakeholder change of the project, for the side
// (public_agency or private_partner) the approver holds that has not approved yet. The change
// applies when both sides have approved. The project's DAO approves as the private_partner side.
type MsgApproveStakeholderChange struct {
	Approver address.Address `cbor:"1,keyasint" json:"approver"`
	Project  string          `cbor:"2,keyasint" json:"project"`
	Change   uint64          `cbor:"3,keyasint" json:"change"`
}

func (*MsgApproveStakeholderChange) MsgType() string           { return "projects/approve_stakeholder_change" }
func (m *MsgApproveStakeholderChange) Signer() address.Address { return m.Approver }
func (m *MsgApproveStakeholderChange) Validate() error {
	if err := validRef("approver", m.Approver, m.Project); err != nil {
		return err
	}
	if m.Change == 0 {
		return ErrInvalidMsg.Wrapf("change id 0: ids start at 1")
	}
	return nil
}

// ---- progress ledger ----

// MsgPostReport appends a progress report to the project's ledger: percent complete (0 to 100)
// of Milestone (optional: of the project when empty), a summary (at most 2,000 bytes) and
// documents (URI and SHA-256 content hash). Amends, when not 0, is an earlier entry of the same
// author that this one corrects. Signed by any stakeholder.
type MsgPostReport struct {
	Author    address.Address `cbor:"1,keyasint" json:"author"`
	Project   string          `cbor:"2,keyasint" json:"project"`
	Milestone string          `cbor:"3,keyasint,omitempty" json:"milestone,omitempty"`
	Percent   uint32          `cbor:"4,keyasint" json:"percent"`
	Summary   string          `cbor:"5,keyasint" json:"summary"`
	Documents []Attachment    `cbor:"6,keyasint,omitempty" json:"documents,omitempty"`
	Amends    uint64          `cbor:"7,keyasint,omitempty" json:"amends,omitempty"`
}

func (*MsgPostReport) MsgType() string           { return "projects/post_report" }
func (m *MsgPostReport) Signer() address.Address { return m.Author }
func (m *MsgPostReport) Validate() error {
	if err := validRef("author", m.Author, m.Project); err != nil {
		return err
	}
	if m.Milestone != "" {
		if err := ValidMilestoneID(m.Milestone); err != nil {
			return err
		}
	}
	if m.Percent > 100 {
		return ErrInvalidMsg.Wrapf("percent complete %d: want 0 to 100", m.Percent)
	}
	if err := validText("summary", m.Summary, MaxSummaryLen, true); err != nil {
		return err
	}
	return validAttachments("documents", m.Documents)
}

// GasItems is the number of documents.
func (m *MsgPostReport) GasItems() uint64 { return uint64(len(m.Documents)) }

// MsgAttest attests a ledger entry (it is true), with an optional note. Signed by a stakeholder
// other than the entry's author, once per entry (an attestation or a dispute).
type MsgAttest struct {
	Attester address.Address `cbor:"1,keyasint" json:"attester"`
	Project  string          `cbor:"2,keyasint" json:"project"`
	Entry    uint64          `cbor:"3,keyasint" json:"entry"`
	Note     string          `cbor:"4,keyasint,omitempty" json:"note,omitempty"`
}

func (*MsgAttest) MsgType() string           { return "projects/attest" }
func (m *MsgAttest) Signer() address.Address { return m.Attester }
func (m *MsgAttest) Validate() error {
	return validVerdict("attester", m.Attester, m.Project, m.Entry, m.Note, false)
}

// MsgDispute disputes a ledger entry (it is not true), with a reason. Signed by a stakeholder
// other than the entry's author, once per entry (an attestation or a dispute).
type MsgDispute struct {
	Disputer address.Address `cbor:"1,keyasint" json:"disputer"`
	Project  string          `cbor:"2,keyasint" json:"project"`
	Entry    uint64          `cbor:"3,keyasint" json:"entry"`
	Reason   string          `cbor:"4,keyasint" json:"reason"`
}

func (*MsgDispute) MsgType() string           { return "projects/dispute" }
func (m *MsgDispute) Signer() address.Address { return m.Disputer }
func (m *MsgDispute) Validate() error {
	return validVerdict("disputer", m.Disputer, m.Project, m.Entry, m.Reason, true)
}

func validVerdict(what string, signer address.Address, project string, entry uint64, reason string, required bool) error {
	if err := validRef(what, signer, project); err != nil {
		return err
	}
	if entry == 0 {
		return ErrInvalidMsg.Wrapf("entry id 0: ids start at 1")
	}
	if required {
		return validText("reason", reason, MaxReasonLen, true)
	}
	return validText("note", reason, MaxReasonLen, false)
}

// ---- milestones and tranches ----

// MsgPlanMilestone plans a milestone of the project: its id (a slug of 1 to 40 characters,
// unique in the project), a description, a due date (unix seconds, after the block time), its
// tranche (an amount of a cash asset), its payee (a stakeholder; usually the contractor), its
// sign-off policy and its challenge window (0 to 365 days, in seconds). Signed by a
// public_agency or private_partner stakeholder.
type MsgPlanMilestone struct {
	Planner     address.Address `cbor:"1,keyasint" json:"planner"`
	Project     string          `cbor:"2,keyasint" json:"project"`
	ID          string          `cbor:"3,keyasint" json:"id"`
	Description string          `cbor:"4,keyasint" json:"description"`
	Due         int64           `cbor:"5,keyasint" json:"due"`
	Tranche     coin.Coin       `cbor:"6,keyasint" json:"tranche"`
	Payee       address.Address `cbor:"7,keyasint" json:"payee"`
	Policy      Policy          `cbor:"8,keyasint" json:"policy"`
	Window      int64           `cbor:"9,keyasint" json:"window"`
}

func (*MsgPlanMilestone) MsgType() string           { return "projects/plan_milestone" }
func (m *MsgPlanMilestone) Signer() address.Address { return m.Planner }
func (m *MsgPlanMilestone) Validate() error {
	if err := validMilestoneRef("planner", m.Planner, m.Project, m.ID); err != nil {
		return err
	}
	if err := validText("description", m.Description, MaxDescriptionLen, true); err != nil {
		return err
	}
	if err := validTime("due date", m.Due); err != nil {
		return err
	}
	if err := m.Tranche.Validate(); err != nil {
		return ErrInvalidMsg.Wrapf("tranche: %v", err)
	}
	if err := nonZero("payee", m.Payee); err != nil {
		return err
	}
	if err := m.Policy.Validate(); err != nil {
		return err
	}
	if m.Window < 0 || m.Window > MaxWindow {
		return ErrInvalidMsg.Wrapf("challenge window %d s: want 0 to %d (365 days)", m.Window, MaxWindow)
	}
	return nil
}

// MsgFundMilestone moves a milestone's tranche from the project's treasury into escrow. Signed
// by a public_agency or private_partner stakeholder, or the project's DAO; a milestone is funded
// once.
type MsgFundMilestone struct {
	Funder    address.Address `cbor:"1,keyasint" json:"funder"`
	Project   string          `cbor:"2,keyasint" json:"project"`
	Milestone string          `cbor:"3,keyasint" json:"milestone"`
}

func (*MsgFundMilestone) MsgType() string           { return "projects/fund_milestone" }
func (m *MsgFundMilestone) Signer() address.Address { return m.Funder }
func (m *MsgFundMilestone) Validate() error {
	return validMilestoneRef("funder", m.Funder, m.Project, m.Milestone)
}

// MsgClaimComplete claims a planned milestone complete, with evidence (documents) and an
// optional note. Signed by the milestone's payee.
type MsgClaimComplete struct {
	Payee     address.Address `cbor:"1,keyasint" json:"payee"`
	Project   string          `cbor:"2,keyasint" json:"project"`
	Milestone string          `cbor:"3,keyasint" json:"milestone"`
	Evidence  []Attachment    `cbor:"4,keyasint,omitempty" json:"evidence,omitempty"`
	Note      string          `cbor:"5,keyasint,omitempty" json:"note,omitempty"`
}

func (*MsgClaimComplete) MsgType() string           { return "projects/claim_complete" }
func (m *MsgClaimComplete) Signer() address.Address { return m.Payee }
func (m *MsgClaimComplete) Validate() error {
	if err := validMilestoneRef("payee", m.Payee, m.Project, m.Milestone); err != nil {
		return err
	}
	if err := validAttachments("evidence", m.Evidence); err != nil {
		return err
	}
	return validText("note", m.Note, MaxReasonLen, false)
}

// GasItems is the number of evidence documents.
func (m *MsgClaimComplete) GasItems() uint64 { return uint64(len(m.Evidence)) }

// MsgSignOff signs off a claimed milestone for Role: a role of its sign-off policy that the
// signer holds in the project. One sign-off per role and per account; not by the payee. When
// the policy is met the milestone is signed off and its challenge window starts.
type MsgSignOff struct {
	Signatory address.Address `cbor:"1,keyasint" json:"signatory"`
	Project   string          `cbor:"2,keyasint" json:"project"`
	Milestone string          `cbor:"3,keyasint" json:"milestone"`
	Role      string          `cbor:"4,keyasint" json:"role"`
}

func (*MsgSignOff) MsgType() string           { return "projects/sign_off" }
func (m *MsgSignOff) Signer() address.Address { return m.Signatory }
func (m *MsgSignOff) Validate() error {
	if err := validMilestoneRef("signatory", m.Signatory, m.Project, m.Milestone); err != nil {
		return err
	}
	return validRole("role", m.Role)
}

// MsgDisputeMilestone disputes a signed-off milestone during its challenge window, with a
// reason: no release until the resolver decides. Signed by any stakeholder.
type MsgDisputeMilestone struct {
	Disputer  address.Address `cbor:"1,keyasint" json:"disputer"`
	Project   string          `cbor:"2,keyasint" json:"project"`
	Milestone string          `cbor:"3,keyasint" json:"milestone"`
	Reason    string          `cbor:"4,keyasint" json:"reason"`
}

func (*MsgDisputeMilestone) MsgType() string           { return "projects/dispute_milestone" }
func (m *MsgDisputeMilestone) Signer() address.Address { return m.Disputer }
func (m *MsgDisputeMilestone) Validate() error {
	if err := validMilestoneRef("disputer", m.Disputer, m.Project, m.Milestone); err != nil {
		return err
	}
	return validText("reason", m.Reason, MaxReasonLen, true)
}

// MsgResolve resolves a disputed milestone: Decision "release" pays the (funded) tranche to the
// payee at once; "reject" returns the milestone to planned (the payee may claim again; a funded
// tranche stays in escrow). Signed by a stakeholder holding the project's resolver role, or the
// project's DAO.
type MsgResolve struct {
	Resolver  address.Address `cbor:"1,keyasint" json:"resolver"`
	Project   string          `cbor:"2,keyasint" json:"project"`
	Milestone string          `cbor:"3,keyasint" json:"milestone"`
	Decision  string          `cbor:"4,keyasint" json:"decision"`
	Reason    string          `cbor:"5,keyasint" json:"reason"`
}

func (*MsgResolve) MsgType() string           { return "projects/resolve" }
func (m *MsgResolve) Signer() address.Address { return m.Resolver }
func (m *MsgResolve) Validate() error {
	if err := validMilestoneRef("resolver", m.Resolver, m.Project, m.Milestone); err != nil {
		return err
	}
	if m.Decision != DecisionRelease && m.Decision != DecisionReject {
		return ErrInvalidMsg.Wrapf("decision %q: want %s or %s", m.Decision, DecisionRelease, DecisionReject)
	}
	return validText("reason", m.Reason, MaxReasonLen, true)
}

// MsgCancelMilestone cancels a milestone that is planned, claimed or disputed, for a reason; a
// funded tranche returns to the project's treasury. Signed by a stakeholder holding the
// project's resolver role, or the project's DAO.
type MsgCancelMilestone struct {
	Resolver  address.Address `cbor:"1,keyasint" json:"resolver"`
	Project   string          `cbor:"2,keyasint" json:"project"`
	Milestone string          `cbor:"3,keyasint" json:"milestone"`
	Reason    string          `cbor:"4,keyasint" json:"reason"`
}

func (*MsgCancelMilestone) MsgType() string           { return "projects/cancel_milestone" }
func (m *MsgCancelMilestone) Signer() address.Address { return m.Resolver }
func (m *MsgCancelMilestone) Validate() error {
	if err := validMilestoneRef("resolver", m.Resolver, m.Project, m.Milestone); err != nil {
		return err
	}
	return validText("reason", m.Reason, MaxReasonLen, true)
}
