// Package projects runs infrastructure projects on the chain: the project registry (a public
// agency creates a project with its documents; stakeholders hold project roles, changed by the
// agency alone or by the agency and the SPV together), a treasury account per project that only
// this module spends from, the shared progress ledger (append-only, hash-chained reports that
// stakeholders attest or dispute) and the project's timeline, and milestones whose tranches wait
// in escrow until the roles of their sign-off policy have signed off the payee's claim and a
// challenge window has passed without a dispute. Releases, late alerts and the expiry of pending
// stakeholder changes happen at the end of blocks, bounded per block.
package projects

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"strconv"
	"strings"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/assets"
)

// ModuleName is the module's name and code space.
const ModuleName = "projects"

// StorePrefix is the module's key prefix in state.
var StorePrefix = []byte{0x09}

// ChainRolePublicAgency is the chain role (x/auth) that may create projects.
const ChainRolePublicAgency = "public_agency"

// EscrowAccount holds every funded, unreleased tranche of every project. It is a module
// account: bank must refuse user transfers to it and compliance must not count it as a holder.
var EscrowAccount = address.Module("projects/escrow")

// Treasury is project id's treasury: a module-controlled account (no private key exists for it)
// that receives the project's money (offering proceeds, cash deposits) and from which only this
// module moves money (a milestone's funding into escrow).
func Treasury(id string) address.Address { return address.Module("projects/treasury/" + id) }

var (
	keyProject   = []byte("p/")   // p/<id> → Project
	keyStake     = []byte("s/")   // s/<id>\0<addr20><role> → Stakeholder
	keyDoc       = []byte("d/")   // d/<id>\0<name>\0<version4> → Document
	keyDocCur    = []byte("dc/")  // dc/<id>\0<name> → uint32 latest version
	keyChange    = []byte("c/")   // c/<change8> → StakeholderChange (pending)
	keyChangeOf  = []byte("cp/")  // cp/<id>\0<change8> → 1
	keyChangeExp = []byte("ce/")  // ce/<expires8><change8> → 1
	keyEntry     = []byte("e/")   // e/<id>\0<entry8> → Entry
	keyAmend     = []byte("am/")  // am/<id>\0<amended8><entry8> → 1
	keyAttest    = []byte("v/")   // v/<id>\0<entry8><addr20> → Attestation
	keyTimeline  = []byte("t/")   // t/<id>\0<seq8> → TimelineRecord
	keyMilestone = []byte("m/")   // m/<id>\0<milestone> → Milestone
	keyRelease   = []byte("r/")   // r/<windowEnds8><id>\0<milestone> → 1 (signed off, waiting for the end of the window)
	keyLate      = []byte("l/")   // l/<due8><id>\0<milestone> → 1 (not signed off, no late alert yet)
	keyTotals    = []byte("tot/") // tot/<denom> → Totals
	keyTreasury  = []byte("ta/")  // ta/<addr20> → project id (the treasuries)
	keySecurity  = []byte("sec/") // sec/<denom> → project id (the linked security tokens)
	keyParam     = []byte("pa/")  // pa/<id>\0<name>\0<version4> → Parameter
	keyParamCur  = []byte("pc/")  // pc/<id>\0<name> → uint32 latest version
	keyChangeSeq = []byte("seq/change")
	keyParams    = []byte("params")
	marker       = []byte{1}
	sep          = []byte{0}
)

// Failures.
var (
	ErrInvalidMsg         = codes.Register(ModuleName, 2, "invalid projects msg")
	ErrNotPublicAgency    = codes.Register(ModuleName, 3, "signer does not hold the chain role public_agency")
	ErrProjectExists      = codes.Register(ModuleName, 4, "project id already taken")
	ErrUnknownProject     = codes.Register(ModuleName, 5, "unknown project")
	ErrNotStakeholder     = codes.Register(ModuleName, 6, "signer is not a stakeholder of the project")
	ErrWrongRole          = codes.Register(ModuleName, 7, "signer does not hold a project role that may do this")
	ErrStakeholderExists  = codes.Register(ModuleName, 8, "account already holds the role in the project")
	ErrUnknownStakeholder = codes.Register(ModuleName, 9, "account does not hold the role in the project")
	ErrLastAgency         = codes.Register(ModuleName, 10, "the last public_agency stakeholder cannot be removed")
	ErrApprovalRequired   = codes.Register(ModuleName, 11, "the project's stakeholder rule needs another approval: propose the change")
	ErrUnknownChange      = codes.Register(ModuleName, 12, "unknown stakeholder change")
	ErrChangeExpired      = codes.Register(ModuleName, 13, "stakeholder change expired")
	ErrAlreadyApproved    = codes.Register(ModuleName, 14, "signer already approved the change")
	ErrTooMany            = codes.Register(ModuleName, 15, "limit reached")
	ErrUnknownDocument    = codes.Register(ModuleName, 16, "unknown document")
	ErrUnknownEntry       = codes.Register(ModuleName, 17, "unknown ledger entry")
	ErrOwnEntry           = codes.Register(ModuleName, 18, "the author of an entry cannot attest or dispute it")
	ErrAlreadyAttested    = codes.Register(ModuleName, 19, "signer already attested or disputed the entry")
	ErrNotAuthor          = codes.Register(ModuleName, 20, "only an entry's author amends it")
	ErrMilestoneExists    = codes.Register(ModuleName, 21, "milestone id already taken in the project")
	ErrUnknownMilestone   = codes.Register(ModuleName, 22, "unknown milestone")
	ErrUnknownAsset       = codes.Register(ModuleName, 23, "unknown asset")
	ErrNotCash            = codes.Register(ModuleName, 24, "a tranche must be in a cash asset")
	ErrPaused             = codes.Register(ModuleName, 25, "the tranche's cash asset is paused")
	ErrBadAccount         = codes.Register(ModuleName, 26, "a module account cannot be a stakeholder or a payee")
	ErrAlreadyFunded      = codes.Register(ModuleName, 27, "milestone already funded")
	ErrInsufficientFunds  = codes.Register(ModuleName, 28, "the project's treasury does not hold the tranche")
	ErrWrongStatus        = codes.Register(ModuleName, 29, "the milestone's status does not allow this")
	ErrNotPayee           = codes.Register(ModuleName, 30, "signer is not the milestone's payee")
	ErrAlreadyClaimed     = codes.Register(ModuleName, 31, "milestone already claimed complete")
	ErrRoleNotInPolicy    = codes.Register(ModuleName, 32, "the role is not in the milestone's sign-off policy")
	ErrRoleNotHeld        = codes.Register(ModuleName, 33, "signer does not hold the role in the project")
	ErrAlreadySigned      = codes.Register(ModuleName, 34, "already signed off")
	ErrPayeeSignOff       = codes.Register(ModuleName, 35, "the payee cannot sign off its own milestone")
	ErrWindowClosed       = codes.Register(ModuleName, 36, "the challenge window has closed")
	ErrNotFunded          = codes.Register(ModuleName, 37, "milestone not funded")
	ErrNotResolver        = codes.Register(ModuleName, 38, "signer does not hold the project's resolver role")
	ErrBadTime            = codes.Register(ModuleName, 39, "time out of range")
	ErrSecuritySet        = codes.Register(ModuleName, 40, "the project's security token is linked already")
	ErrNotSecurity        = codes.Register(ModuleName, 41, "the asset is not a security token")
	ErrSecurityTaken      = codes.Register(ModuleName, 42, "the security token is linked to another project")
	ErrNoSecurity         = codes.Register(ModuleName, 43, "the project has no security token linked, so no DAO")
	ErrNotDAO             = codes.Register(ModuleName, 44, "signer is not the project's DAO")
	ErrProtected          = codes.Register(ModuleName, 45, "the parameter is protected: only the project's DAO changes it, with the public agency's approval")
	ErrProtectByAgency    = codes.Register(ModuleName, 46, "only a public_agency stakeholder marks a parameter protected")
	ErrNotDAOMsg          = codes.Register(ModuleName, 47, "a project DAO may not use this msg")
	ErrUnknownParameter   = codes.Register(ModuleName, 48, "unknown parameter")
	ErrTreasuryShort      = codes.Register(ModuleName, 49, "the project's treasury does not hold the amount")
)

// Keeper holds projects, their stakeholders, ledgers, timelines and milestones, and moves
// tranches.
type Keeper struct {
	bank     Bank
	roles    Roles
	assets   Assets
	reserved map[address.Address]bool // module accounts: never a stakeholder or a payee
}

// NewKeeper makes the keeper. reserved lists the chain's module accounts (fee pool, escrows,
// holds; EscrowAccount is added): none may be a stakeholder or a payee. Block EscrowAccount in
// bank (users may not send to it) and list it among compliance's module accounts; the treasuries
// are not blocked (they receive money from anyone).
func NewKeeper(bank Bank, roles Roles, a Assets, reserved []address.Address) Keeper {
	r := map[address.Address]bool{EscrowAccount: true}
	for _, x := range reserved {
		r[x] = true
	}
	return Keeper{bank: bank, roles: roles, assets: a, reserved: r}
}

func projectKey(id string) []byte               { return store.Key(keyProject, []byte(id)) }
func inProject(prefix []byte, id string) []byte { return store.Key(prefix, []byte(id), sep) }
func stakeKey(id string, a address.Address, role string) []byte {
	return store.Key(keyStake, []byte(id), sep, a[:], []byte(role))
}
func docKey(id, name string, v uint32) []byte {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return store.Key(keyDoc, []byte(id), sep, []byte(name), sep, b[:])
}
func docCurKey(id, name string) []byte { return store.Key(keyDocCur, []byte(id), sep, []byte(name)) }
func changeKey(n uint64) []byte        { return store.Key(keyChange, store.Uint64Key(n)) }
func changeOfKey(id string, n uint64) []byte {
	return store.Key(keyChangeOf, []byte(id), sep, store.Uint64Key(n))
}
func changeExpKey(expires int64, n uint64) []byte {
	return store.Key(keyChangeExp, store.Uint64Key(uint64(expires)), store.Uint64Key(n))
}
func entryKey(id string, n uint64) []byte {
	return store.Key(keyEntry, []byte(id), sep, store.Uint64Key(n))
}
func amendKey(id string, amended, n uint64) []byte {
	return store.Key(keyAmend, []byte(id), sep, store.Uint64Key(amended), store.Uint64Key(n))
}
func attestKey(id string, n uint64, a address.Address) []byte {
	return store.Key(keyAttest, []byte(id), sep, store.Uint64Key(n), a[:])
}
func timelineKey(id string, seq uint64) []byte {
	return store.Key(keyTimeline, []byte(id), sep, store.Uint64Key(seq))
}
func milestoneKey(id, mid string) []byte {
	return store.Key(keyMilestone, []byte(id), sep, []byte(mid))
}
func releaseKey(t int64, id, mid string) []byte {
	return store.Key(keyRelease, store.Uint64Key(uint64(t)), []byte(id), sep, []byte(mid))
}
func lateKey(due int64, id, mid string) []byte {
	return store.Key(keyLate, store.Uint64Key(uint64(due)), []byte(id), sep, []byte(mid))
}
func totalsKey(denom string) []byte        { return store.Key(keyTotals, []byte(denom)) }
func treasuryKey(a address.Address) []byte { return store.Key(keyTreasury, a[:]) }
func securityKey(denom string) []byte      { return store.Key(keySecurity, []byte(denom)) }
func paramKey(id, name string, v uint32) []byte {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return store.Key(keyParam, []byte(id), sep, []byte(name), sep, b[:])
}
func paramCurKey(id, name string) []byte {
	return store.Key(keyParamCur, []byte(id), sep, []byte(name))
}

func (Keeper) st(ctx chain.Context) store.KV { return ctx.Store(StorePrefix) }

func (k Keeper) get(ctx chain.Context, key []byte, v any) bool {
	return store.GetRecord(k.st(ctx), key, v)
}

func (k Keeper) set(ctx chain.Context, key []byte, v any) { store.SetRecord(k.st(ctx), key, v) }

// Params returns the module's params.
func (k Keeper) Params(ctx chain.Context) Params {
	p := DefaultParams()
	k.get(ctx, keyParams, &p)
	return p
}

func (k Keeper) setParams(ctx chain.Context, p Params) { k.set(ctx, keyParams, &p) }

// Project returns project id.
func (k Keeper) Project(ctx chain.Context, id string) (Project, bool) {
	var p Project
	ok := k.get(ctx, projectKey(id), &p)
	return p, ok
}

func (k Keeper) project(ctx chain.Context, id string) (Project, error) {
	p, ok := k.Project(ctx, id)
	if !ok {
		return p, ErrUnknownProject.Wrapf("no project %q", id)
	}
	return p, nil
}

func (k Keeper) putProject(ctx chain.Context, p *Project) { k.set(ctx, projectKey(p.ID), p) }

// Stakeholders lists a project's stakeholders in account, then role order.
func (k Keeper) Stakeholders(ctx chain.Context, id string) []Stakeholder {
	return store.Records[Stakeholder](k.st(ctx), inProject(keyStake, id))
}

// RolesOf lists the project roles a holds in project id, in name order (none: not a stakeholder).
func (k Keeper) RolesOf(ctx chain.Context, id string, a address.Address) []string {
	p := store.Key(keyStake, []byte(id), sep, a[:])
	it := k.st(ctx).Iterator(p, store.PrefixEnd(p))
	defer it.Close()
	var out []string
	for ; it.Valid(); it.Next() {
		out = append(out, string(it.Key()[len(p):]))
	}
	return out
}

// Holds reports whether a holds role in project id.
func (k Keeper) Holds(ctx chain.Context, id string, a address.Address, role string) bool {
	return k.st(ctx).Has(stakeKey(id, a, role))
}

// holders counts the stakeholders of project id, and those holding role.
func (k Keeper) holders(ctx chain.Context, id, role string) (all, withRole int) {
	p := inProject(keyStake, id)
	it := k.st(ctx).Iterator(p, store.PrefixEnd(p))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		all++
		if string(it.Key()[len(p)+address.Len:]) == role {
			withRole++
		}
	}
	return
}

// stakeholder returns a's roles in project p, failing when a holds none.
func (k Keeper) stakeholder(ctx chain.Context, p *Project, a address.Address) ([]string, error) {
	roles := k.RolesOf(ctx, p.ID, a)
	if len(roles) == 0 {
		return nil, ErrNotStakeholder.Wrapf("%s holds no role in project %s", a, p.ID)
	}
	return roles, nil
}

// withRole returns a's roles in project p, failing unless a holds one of want.
func (k Keeper) withRole(ctx chain.Context, p *Project, a address.Address, what string, want ...string) ([]string, error) {
	roles, err := k.stakeholder(ctx, p, a)
	if err != nil {
		return nil, err
	}
	for _, r := range roles {
		if slices.Contains(want, r) {
			return roles, nil
		}
	}
	return nil, ErrWrongRole.Wrapf("%s project %s needs the role %s; %s holds %s", what, p.ID, joinOr(want), a, joinAnd(roles))
}

// DAO returns the account of p's DAO (false: p has no security token linked).
func (p Project) DAO() (address.Address, bool) {
	if p.Security == "" {
		return address.Address{}, false
	}
	return authority.DAO(p.Security), true
}

// isDAO reports whether a is p's DAO (false when p has no security token linked): DAO says
// which account that is.
func (p Project) isDAO(a address.Address) bool {
	dao, ok := p.DAO()
	return ok && a == dao
}

// withRoleOrDAO is withRole that also accepts p's DAO (its roles are then [dao]).
func (k Keeper) withRoleOrDAO(ctx chain.Context, p *Project, a address.Address, what string, want ...string) ([]string, error) {
	if p.isDAO(a) {
		return []string{ActorDAO}, nil
	}
	return k.withRoleNotDAO(ctx, p, a, what, want...)
}

// withRoleNotDAO is withRole for a caller that checked a is not p's DAO: its failure says that
// p's DAO may do it too.
func (k Keeper) withRoleNotDAO(ctx chain.Context, p *Project, a address.Address, what string, want ...string) ([]string, error) {
	roles, err := k.withRole(ctx, p, a, what, want...)
	if dao, ok := p.DAO(); err != nil && ok {
		e := *codes.As(err)
		e.Msg += "; or the project's DAO " + dao.String() + " signs it, through a proposal"
		return nil, &e
	}
	return roles, err
}

// actorRoles lists the roles a acted in for p's records: its project roles, or [dao].
func (k Keeper) actorRoles(ctx chain.Context, p *Project, a address.Address) []string {
	if p.isDAO(a) {
		return []string{ActorDAO}
	}
	return k.RolesOf(ctx, p.ID, a)
}

func joinOr(s []string) string  { return strings.Join(s, " or ") }
func joinAnd(s []string) string { return strings.Join(s, ", ") }

// chainHash is SHA-256(prev ‖ CBOR(rec)): the hash chaining a ledger entry or a timeline record
// (rec with its own hash zero) to the one before.
func chainHash(prev Hash, rec any) Hash {
	h := sha256.New()
	h.Write(prev[:])
	h.Write(canon.MustMarshal(rec))
	var out Hash
	copy(out[:], h.Sum(nil))
	return out
}

// entryHash is e's ledger hash after prev.
func entryHash(prev Hash, e Entry) Hash {
	e.Hash = Hash{}
	return chainHash(prev, &e)
}

// recordHash is r's timeline hash after prev.
func recordHash(prev Hash, r TimelineRecord) Hash {
	r.Hash = Hash{}
	return chainHash(prev, &r)
}

// record appends r to p's timeline (seq, height, time and hash filled in) and saves p.
func (k Keeper) record(ctx chain.Context, p *Project, r TimelineRecord) {
	r.Project, r.Seq, r.Height, r.Time = p.ID, p.Timeline+1, ctx.Height, ctx.Time.Unix()
	r.Hash = recordHash(p.TimelineHash, r)
	k.set(ctx, timelineKey(p.ID, r.Seq), &r)
	p.Timeline, p.TimelineHash = r.Seq, r.Hash
	k.putProject(ctx, p)
}

func by(a address.Address) *address.Address { return &a }

// ProjectOfTreasury names the project whose treasury a is (false: a is no project's treasury).
// Wire it where a module must know module-controlled accounts (e.g. controller actions).
func (k Keeper) ProjectOfTreasury(ctx chain.Context, a address.Address) (string, bool) {
	b := k.st(ctx).Get(treasuryKey(a))
	return string(b), b != nil
}

// badAccount refuses a module account (an escrow, a hold, a pool, a project's treasury) as a
// stakeholder or payee: it cannot sign, and money paid to it would be stuck or double counted.
func (k Keeper) badAccount(ctx chain.Context, p *Project, a address.Address, what string) error {
	if k.reserved[a] || a == p.Treasury || a == authority.Chain || p.isDAO(a) {
		return ErrBadAccount.Wrapf("%s %s is a module account", what, a)
	}
	if id, ok := k.ProjectOfTreasury(ctx, a); ok {
		return ErrBadAccount.Wrapf("%s %s is the treasury of project %s", what, a, id)
	}
	return nil
}

// ---- registry ----

// Create creates a project with its creator as first public_agency stakeholder, its initial
// stakeholders and documents.
func (k Keeper) Create(ctx chain.Context, m *MsgCreate) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if !k.roles.HasRole(ctx, m.Creator, ChainRolePublicAgency) {
		return ErrNotPublicAgency.Wrapf("%s may not create projects: an admin grants the role %s", m.Creator, ChainRolePublicAgency)
	}
	if _, ok := k.Project(ctx, m.ID); ok {
		return ErrProjectExists.Wrapf("a project %q exists", m.ID)
	}
	p := Project{ID: m.ID, Name: m.Name, Sector: m.Sector, Location: m.Location, ConcessionStart: m.ConcessionStart,
		ConcessionEnd: m.ConcessionEnd, Description: m.Description, StakeholderRule: m.StakeholderRule, ResolverRole: m.ResolverRole,
		Treasury: Treasury(m.ID), Creator: m.Creator, Height: ctx.Height, Time: ctx.Time.Unix()}
	if p.StakeholderRule == "" {
		p.StakeholderRule = RuleAgency
	}
	if p.ResolverRole == "" {
		p.ResolverRole = RolePublicAgency
	}
	if err := k.badAccount(ctx, &p, m.Creator, "creator"); err != nil {
		return err
	}
	for _, s := range m.Stakeholders {
		if err := k.badAccount(ctx, &p, s.Account, "stakeholder"); err != nil {
			return err
		}
	}
	if m.Security != "" {
		if err := k.canLink(ctx, p.ID, m.Security); err != nil {
			return err
		}
		p.Security = m.Security
	}
	k.putProject(ctx, &p)
	k.st(ctx).Set(treasuryKey(p.Treasury), []byte(p.ID))
	ctx.Emit(chain.NewEvent("projects.created", "project", p.ID, "name", p.Name, "sector", p.Sector, "by", m.Creator.String(),
		"treasury", p.Treasury.String(), "stakeholder_rule", p.StakeholderRule, "resolver_role", p.ResolverRole,
		"concession_start", chain.Unix(p.ConcessionStart), "concession_end", chain.Unix(p.ConcessionEnd)))
	k.record(ctx, &p, TimelineRecord{Kind: TLCreated, By: by(m.Creator), Roles: []string{RolePublicAgency}, Note: p.Name})
	k.addStakeholder(ctx, &p, m.Creator, RolePublicAgency, m.Creator, 0)
	for _, s := range m.Stakeholders {
		k.addStakeholder(ctx, &p, s.Account, s.Role, m.Creator, 0)
	}
	for _, d := range m.Documents {
		k.putDocument(ctx, &p, Document{Project: p.ID, Name: d.Name, Version: 1, URI: d.URI, Hash: d.Hash, By: m.Creator}, []string{RolePublicAgency})
	}
	if p.Security != "" {
		k.linkSecurity(ctx, &p, m.Creator, []string{RolePublicAgency})
	}
	return nil
}

// ---- documents ----

// Documents lists a project's current documents (the latest version of each name not removed),
// by name.
func (k Keeper) Documents(ctx chain.Context, id string) []Document {
	p := inProject(keyDocCur, id)
	out := []Document{}
	it := k.st(ctx).Iterator(p, store.PrefixEnd(p))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		var v uint32
		canon.MustDecode(it.Value(), &v)
		var d Document
		if k.get(ctx, docKey(id, string(it.Key()[len(p):]), v), &d) && !d.Removed {
			out = append(out, d)
		}
	}
	return out
}

// DocumentHistory lists every version of every document of a project, by name then version.
func (k Keeper) DocumentHistory(ctx chain.Context, id string) []Document {
	return store.Records[Document](k.st(ctx), inProject(keyDoc, id))
}

// putDocument stores a new version of a document (its Version set by the caller), records it
// and emits its event.
func (k Keeper) putDocument(ctx chain.Context, p *Project, d Document, roles []string) {
	d.Height, d.Time = ctx.Height, ctx.Time.Unix()
	k.set(ctx, docKey(p.ID, d.Name, d.Version), &d)
	k.set(ctx, docCurKey(p.ID, d.Name), d.Version)
	if d.Removed {
		ctx.Emit(chain.NewEvent("projects.document_removed", "project", p.ID, "name", d.Name, "version", chain.Uint(uint64(d.Version)), "by", d.By.String()))
		k.record(ctx, p, TimelineRecord{Kind: TLDocumentRemoved, By: by(d.By), Roles: roles, Document: d.Name})
		return
	}
	ctx.Emit(chain.NewEvent("projects.document_set", "project", p.ID, "name", d.Name, "version", chain.Uint(uint64(d.Version)),
		"uri", d.URI, "hash", d.Hash.String(), "by", d.By.String()))
	k.record(ctx, p, TimelineRecord{Kind: TLDocumentSet, By: by(d.By), Roles: roles, Document: d.Name, Note: d.Hash.String()})
}

func (k Keeper) currentDoc(ctx chain.Context, id, name string) (Document, bool) {
	var v uint32
	if !k.get(ctx, docCurKey(id, name), &v) {
		return Document{}, false
	}
	var d Document
	k.get(ctx, docKey(id, name, v), &d)
	return d, true
}

// SetDocument adds a document to a project or a new version of it.
func (k Keeper) SetDocument(ctx chain.Context, m *MsgSetDocument) error {
	if err := m.Validate(); err != nil {
		return err
	}
	p, err := k.project(ctx, m.Project)
	if err != nil {
		return err
	}
	roles, err := k.withRoleOrDAO(ctx, &p, m.Editor, "setting a document of", RolePublicAgency, RolePrivatePartner)
	if err != nil {
		return err
	}
	last, exists := k.currentDoc(ctx, p.ID, m.Name)
	if (!exists || last.Removed) && len(k.Documents(ctx, p.ID)) >= MaxDocuments {
		return ErrTooMany.Wrapf("project %s has %d documents, the most a project may have", p.ID, MaxDocuments)
	}
	if last.Version >= MaxDocVersions {
		return ErrTooMany.Wrapf("document %q has %d versions", m.Name, last.Version)
	}
	k.putDocument(ctx, &p, Document{Project: p.ID, Name: m.Name, Version: last.Version + 1, URI: m.URI, Hash: m.Hash, By: m.Editor}, roles)
	return nil
}

// RemoveDocument records the removal of a project's document as its newest version.
func (k Keeper) RemoveDocument(ctx chain.Context, m *MsgRemoveDocument) error {
	if err := m.Validate(); err != nil {
		return err
	}
	p, err := k.project(ctx, m.Project)
	if err != nil {
		return err
	}
	roles, err := k.withRoleOrDAO(ctx, &p, m.Editor, "removing a document of", RolePublicAgency, RolePrivatePartner)
	if err != nil {
		return err
	}
	last, exists := k.currentDoc(ctx, p.ID, m.Name)
	if !exists || last.Removed {
		return ErrUnknownDocument.Wrapf("project %s has no document %q", p.ID, m.Name)
	}
	if last.Version >= MaxDocVersions {
		return ErrTooMany.Wrapf("document %q has %d versions", m.Name, last.Version)
	}
	k.putDocument(ctx, &p, Document{Project: p.ID, Name: m.Name, Version: last.Version + 1, Hash: last.Hash, Removed: true, By: m.Editor}, roles)
	return nil
}

// ---- stakeholders ----

// addStakeholder stores a stakeholder (the caller checked it may be added), records and emits it.
func (k Keeper) addStakeholder(ctx chain.Context, p *Project, a address.Address, role string, byA address.Address, change uint64) {
	s := Stakeholder{Project: p.ID, Account: a, Role: role, AddedBy: byA, Change: change, Height: ctx.Height, Time: ctx.Time.Unix()}
	k.set(ctx, stakeKey(p.ID, a, role), &s)
	ev := chain.NewEvent("projects.stakeholder_added", "project", p.ID, "account", a.String(), "role", role, "by", byA.String())
	if change != 0 {
		ev.Attrs = append(ev.Attrs, chain.Attr{Key: "change", Value: chain.Uint(change), Index: true})
	}
	ctx.Emit(ev)
	k.record(ctx, p, TimelineRecord{Kind: TLStakeholderAdded, By: by(byA), Roles: k.actorRoles(ctx, p, byA), Account: by(a), Role: role, Change: change})
}

// canAdd checks that a may be given role in p.
func (k Keeper) canAdd(ctx chain.Context, p *Project, a address.Address, role string) error {
	if k.Holds(ctx, p.ID, a, role) {
		return ErrStakeholderExists.Wrapf("%s already holds %s in project %s", a, role, p.ID)
	}
	if err := k.badAccount(ctx, p, a, "stakeholder"); err != nil {
		return err
	}
	if all, _ := k.holders(ctx, p.ID, role); all >= MaxStakeholders {
		return ErrTooMany.Wrapf("project %s has %d stakeholder roles, the most a project may have", p.ID, MaxStakeholders)
	}
	return nil
}

// canRemove checks that a's role in p may be removed.
func (k Keeper) canRemove(ctx chain.Context, p *Project, a address.Address, role string) error {
	if !k.Holds(ctx, p.ID, a, role) {
		return ErrUnknownStakeholder.Wrapf("%s does not hold %s in project %s", a, role, p.ID)
	}
	if role == RolePublicAgency {
		if _, n := k.holders(ctx, p.ID, RolePublicAgency); n <= 1 {
			return ErrLastAgency.Wrapf("%s is the only public_agency of project %s: add another first", a, p.ID)
		}
	}
	return nil
}

func (k Keeper) removeStakeholder(ctx chain.Context, p *Project, a address.Address, role string, byA address.Address, reason string, change uint64) {
	k.st(ctx).Delete(stakeKey(p.ID, a, role))
	ev := chain.NewEvent("projects.stakeholder_removed", "project", p.ID, "account", a.String(), "role", role, "by", byA.String(), "reason", reason)
	if change != 0 {
		ev.Attrs = append(ev.Attrs, chain.Attr{Key: "change", Value: chain.Uint(change), Index: true})
	}
	ctx.Emit(ev)
	k.record(ctx, p, TimelineRecord{Kind: TLStakeholderRemoved, By: by(byA), Roles: k.actorRoles(ctx, p, byA), Account: by(a), Role: role, Change: change, Note: reason})
}

// alone reports whether an approval by a (holding roles) satisfies p's stakeholder rule by
// itself: a public_agency's, under the rule agency or when the project has no private_partner.
func (k Keeper) alone(ctx chain.Context, p *Project, roles []string) bool {
	if !slices.Contains(roles, RolePublicAgency) {
		return false
	}
	if p.StakeholderRule == RuleAgency {
		return true
	}
	_, spvs := k.holders(ctx, p.ID, RolePrivatePartner)
	return spvs == 0
}

func (k Keeper) direct(ctx chain.Context, p *Project, signer address.Address, action string) error {
	roles, err := k.withRole(ctx, p, signer, action+" a stakeholder of", RolePublicAgency)
	if err != nil {
		return err
	}
	if !k.alone(ctx, p, roles) {
		return ErrApprovalRequired.Wrapf("project %s changes stakeholders under the rule %s: a public_agency and a private_partner approve each change (propose it, the other side approves)", p.ID, p.StakeholderRule)
	}
	return nil
}

// AddStakeholder gives an account a project role on a public_agency's sole authority (rule agency).
func (k Keeper) AddStakeholder(ctx chain.Context, m *MsgAddStakeholder) error {
	if err := m.Validate(); err != nil {
		return err
	}
	p, err := k.project(ctx, m.Project)
	if err != nil {
		return err
	}
	if err := k.direct(ctx, &p, m.Agency, "adding"); err != nil {
		return err
	}
	if err := k.canAdd(ctx, &p, m.Account, m.Role); err != nil {
		return err
	}
	k.addStakeholder(ctx, &p, m.Account, m.Role, m.Agency, 0)
	return nil
}

// RemoveStakeholder takes a project role from an account on a public_agency's sole authority.
func (k Keeper) RemoveStakeholder(ctx chain.Context, m *MsgRemoveStakeholder) error {
	if err := m.Validate(); err != nil {
		return err
	}
	p, err := k.project(ctx, m.Project)
	if err != nil {
		return err
	}
	if err := k.direct(ctx, &p, m.Agency, "removing"); err != nil {
		return err
	}
	if err := k.canRemove(ctx, &p, m.Account, m.Role); err != nil {
		return err
	}
	k.removeStakeholder(ctx, &p, m.Account, m.Role, m.Agency, m.Reason, 0)
	return nil
}

// Change returns pending stakeholder change n.
func (k Keeper) Change(ctx chain.Context, n uint64) (StakeholderChange, bool) {
	var c StakeholderChange
	ok := k.get(ctx, changeKey(n), &c)
	return c, ok
}

// Changes lists project id's pending stakeholder changes in id order.
func (k Keeper) Changes(ctx chain.Context, id string) []StakeholderChange {
	p := inProject(keyChangeOf, id)
	out := []StakeholderChange{}
	it := k.st(ctx).Iterator(p, store.PrefixEnd(p))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		if c, ok := k.Change(ctx, beUint64(it.Key()[len(p):])); ok {
			out = append(out, c)
		}
	}
	return out
}

// ChangeSequence is the id of the last stakeholder change proposed.
func (k Keeper) ChangeSequence(ctx chain.Context) uint64 {
	var n uint64
	k.get(ctx, keyChangeSeq, &n)
	return n
}

func beUint64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// changeSide returns a's roles in p for the records and the roles it approves stakeholder changes
// in: a public_agency or private_partner stakeholder's own roles, or for p's DAO [dao] and the
// private_partner side.
func (k Keeper) changeSide(ctx chain.Context, p *Project, a address.Address, what string) (roles, sides []string, err error) {
	if p.isDAO(a) {
		return []string{ActorDAO}, []string{RolePrivatePartner}, nil
	}
	roles, err = k.withRoleNotDAO(ctx, p, a, what, RolePublicAgency, RolePrivatePartner)
	return roles, roles, err
}

// approve fills the side (public_agency first, then private_partner) that a, holding roles,
// approves c for; it fails when a has approved c already or holds no side still open.
func approve(c *StakeholderChange, a address.Address, roles []string) (string, error) {
	if (c.Agency != nil && *c.Agency == a) || (c.SPV != nil && *c.SPV == a) {
		return "", ErrAlreadyApproved.Wrapf("%s approved change %d already: the other side approves", a, c.ID)
	}
	switch {
	case c.Agency == nil && slices.Contains(roles, RolePublicAgency):
		c.Agency = by(a)
		return RolePublicAgency, nil
	case c.SPV == nil && slices.Contains(roles, RolePrivatePartner):
		c.SPV = by(a)
		return RolePrivatePartner, nil
	}
	open := []string{}
	if c.Agency == nil {
		open = append(open, RolePublicAgency)
	}
	if c.SPV == nil {
		open = append(open, RolePrivatePartner)
	}
	return "", ErrWrongRole.Wrapf("change %d waits for the approval of a %s stakeholder; %s holds %s", c.ID, joinOr(open), a, joinAnd(roles))
}

// approved reports whether c has the approvals p's rule needs: a public_agency's, and under
// agency+spv a private_partner's too (unless the project has none).
func (k Keeper) approved(ctx chain.Context, p *Project, c *StakeholderChange) bool {
	if c.Agency == nil {
		return false
	}
	if p.StakeholderRule == RuleAgency || c.SPV != nil {
		return true
	}
	_, spvs := k.holders(ctx, p.ID, RolePrivatePartner)
	return spvs == 0
}

// check checks that c may apply to p as things stand.
func (k Keeper) check(ctx chain.Context, p *Project, c *StakeholderChange) error {
	if c.Action == ActionAdd {
		return k.canAdd(ctx, p, c.Account, c.Role)
	}
	return k.canRemove(ctx, p, c.Account, c.Role)
}

// apply applies an approved change; a is the account whose approval completed it.
func (k Keeper) apply(ctx chain.Context, p *Project, c *StakeholderChange, a address.Address) {
	if c.Action == ActionAdd {
		k.addStakeholder(ctx, p, c.Account, c.Role, a, c.ID)
		return
	}
	k.removeStakeholder(ctx, p, c.Account, c.Role, a, c.Reason, c.ID)
}

func (k Keeper) dropChange(ctx chain.Context, c *StakeholderChange) {
	k.st(ctx).Delete(changeKey(c.ID))
	k.st(ctx).Delete(changeOfKey(c.Project, c.ID))
	k.st(ctx).Delete(changeExpKey(c.Expires, c.ID))
}

// ProposeStakeholderChange proposes a change of a project's stakeholders; it applies at once
// when the proposer's approval is all the project's rule needs. It returns the change's id.
func (k Keeper) ProposeStakeholderChange(ctx chain.Context, m *MsgProposeStakeholderChange) (uint64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	p, err := k.project(ctx, m.Project)
	if err != nil {
		return 0, err
	}
	roles, sides, err := k.changeSide(ctx, &p, m.Proposer, "proposing a stakeholder change of")
	if err != nil {
		return 0, err
	}
	id := k.ChangeSequence(ctx) + 1
	c := StakeholderChange{ID: id, Project: p.ID, Action: m.Action, Account: m.Account, Role: m.Role, Reason: m.Reason,
		ProposedBy: m.Proposer, Height: ctx.Height, Time: ctx.Time.Unix(), Expires: ctx.Time.Unix() + ChangeTTL}
	if err := k.check(ctx, &p, &c); err != nil {
		return 0, err
	}
	side, err := approve(&c, m.Proposer, sides)
	if err != nil {
		return 0, err // cannot happen: the proposer holds a side and nothing is approved yet
	}
	done := k.approved(ctx, &p, &c)
	if !done && len(k.Changes(ctx, p.ID)) >= MaxPendingChanges {
		return 0, ErrTooMany.Wrapf("project %s has %d pending stakeholder changes, the most it may have", p.ID, MaxPendingChanges)
	}
	k.set(ctx, keyChangeSeq, id)
	ctx.Emit(chain.NewEvent("projects.stakeholder_change_proposed", "project", p.ID, "change", chain.Uint(id), "action", c.Action,
		"account", c.Account.String(), "role", c.Role, "by", m.Proposer.String(), "side", side, "expires", chain.Unix(c.Expires)))
	k.record(ctx, &p, TimelineRecord{Kind: TLChangeProposed, By: by(m.Proposer), Roles: roles, Change: id, Account: by(c.Account),
		Role: c.Role, Note: c.Action + ": " + c.Reason})
	if done {
		k.apply(ctx, &p, &c, m.Proposer)
		return id, nil
	}
	k.set(ctx, changeKey(id), &c)
	k.st(ctx).Set(changeOfKey(p.ID, id), marker)
	k.st(ctx).Set(changeExpKey(c.Expires, id), marker)
	return id, nil
}

// ApproveStakeholderChange approves a pending change; it applies when both sides have approved.
func (k Keeper) ApproveStakeholderChange(ctx chain.Context, m *MsgApproveStakeholderChange) error {
	if err := m.Validate(); err != nil {
		return err
	}
	p, err := k.project(ctx, m.Project)
	if err != nil {
		return err
	}
	c, ok := k.Change(ctx, m.Change)
	if !ok || c.Project != p.ID {
		return ErrUnknownChange.Wrapf("project %s has no pending stakeholder change %d", p.ID, m.Change)
	}
	if now := ctx.Time.Unix(); now >= c.Expires {
		return ErrChangeExpired.Wrapf("change %d expired at %s", c.ID, chain.Unix(c.Expires))
	}
	roles, sides, err := k.changeSide(ctx, &p, m.Approver, "approving a stakeholder change of")
	if err != nil {
		return err
	}
	side, err := approve(&c, m.Approver, sides)
	if err != nil {
		return err
	}
	done := k.approved(ctx, &p, &c)
	if done {
		if err := k.check(ctx, &p, &c); err != nil {
			return err
		}
	}
	ctx.Emit(chain.NewEvent("projects.stakeholder_change_approved", "project", p.ID, "change", chain.Uint(c.ID), "by", m.Approver.String(),
		"side", side, "applied", strconv.FormatBool(done)))
	k.record(ctx, &p, TimelineRecord{Kind: TLChangeApproved, By: by(m.Approver), Roles: roles, Change: c.ID, Account: by(c.Account), Role: c.Role, Note: c.Action})
	if !done {
		k.set(ctx, changeKey(c.ID), &c)
		return nil
	}
	k.dropChange(ctx, &c)
	k.apply(ctx, &p, &c, m.Approver)
	return nil
}

// ---- totals ----

// Totals returns the flows of denom through the escrow.
func (k Keeper) Totals(ctx chain.Context, denom string) Totals {
	t := Totals{Denom: denom}
	k.get(ctx, totalsKey(denom), &t)
	return t
}

// AllTotals lists the flows of every denom ever funded, in denom order.
func (k Keeper) AllTotals(ctx chain.Context) []Totals {
	return store.Records[Totals](k.st(ctx), keyTotals)
}

func (k Keeper) addTotals(ctx chain.Context, c coin.Coin, field func(t *Totals) *coin.Amount) error {
	t := k.Totals(ctx, c.Denom)
	f := field(&t)
	v, err := f.Add(c.Amount)
	if err != nil {
		return err // more than exists: a broken state
	}
	*f = v
	k.set(ctx, totalsKey(c.Denom), &t)
	return nil
}

// cashAsset returns denom's asset, failing unless it is an unpaused cash asset (paused too when
// checkPause is false).
func (k Keeper) cashAsset(ctx chain.Context, denom string, checkPause bool) (assets.Asset, error) {
	a, ok := k.assets.Asset(ctx, denom)
	if !ok {
		return a, ErrUnknownAsset.Wrapf("%q is not an asset issued on this chain: a tranche is paid in a cash asset (girder query assets list)", denom)
	}
	if a.Kind != assets.KindCash {
		return a, ErrNotCash.Wrapf("%s is a %s asset", denom, a.Kind)
	}
	if checkPause && a.Paused {
		return a, ErrPaused.Wrapf("%s is paused by its controller (%s): no tranche moves until it is unpaused", denom, a.PauseNote)
	}
	return a, nil
}
