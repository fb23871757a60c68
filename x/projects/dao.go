package projects

import (
	"slices"
	"strconv"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
)

// ---- the project's security token and its DAO ----

// ProjectOfSecurity names the project whose security token denom is, and that project's
// treasury (false: denom is linked to no project). Governance uses it to leave the treasury's
// tokens out of the eligible voting weight.
func (k Keeper) ProjectOfSecurity(ctx chain.Context, denom string) (project string, treasury address.Address, ok bool) {
	b := k.st(ctx).Get(securityKey(denom))
	if b == nil {
		return "", address.Address{}, false
	}
	return string(b), Treasury(string(b)), true
}

// IsAgency reports whether a holds the project role public_agency in project.
func (k Keeper) IsAgency(ctx chain.Context, project string, a address.Address) bool {
	return k.Holds(ctx, project, a, RolePublicAgency)
}

// canLink checks that denom may become project id's security token: an asset of kind security
// linked to no project.
func (k Keeper) canLink(ctx chain.Context, id, denom string) error {
	a, ok := k.assets.Asset(ctx, denom)
	if !ok {
		return ErrUnknownAsset.Wrapf("%q is not an asset issued on this chain: issue the security token first (girder tx assets create --kind security)", denom)
	}
	if a.Kind != assets.KindSecurity {
		return ErrNotSecurity.Wrapf("%s is a %s asset; a project's DAO is the DAO of a security token", denom, a.Kind)
	}
	if other, _, taken := k.ProjectOfSecurity(ctx, denom); taken {
		return ErrSecurityTaken.Wrapf("%s is the security token of project %s", denom, other)
	}
	return nil
}

// linkSecurity indexes p's security token (p.Security, set and saved by the caller), records
// and emits the link.
func (k Keeper) linkSecurity(ctx chain.Context, p *Project, byA address.Address, roles []string) {
	k.st(ctx).Set(securityKey(p.Security), []byte(p.ID))
	dao := authority.DAO(p.Security)
	ctx.Emit(chain.NewEvent("projects.security_set", "project", p.ID, "security", p.Security, "dao", dao.String(), "by", byA.String()))
	k.record(ctx, p, TimelineRecord{Kind: TLSecuritySet, By: by(byA), Roles: roles, Account: by(dao), Note: p.Security})
}

// SetSecurity links a project's security token, once.
func (k Keeper) SetSecurity(ctx chain.Context, m *MsgSetSecurity) error {
	if err := m.Validate(); err != nil {
		return err
	}
	p, err := k.project(ctx, m.Project)
	if err != nil {
		return err
	}
	roles, err := k.withRole(ctx, &p, m.Agency, "linking the security token of", RolePublicAgency)
	if err != nil {
		return err
	}
	if p.Security != "" {
		return ErrSecuritySet.Wrapf("project %s's security token is %s: it is linked once", p.ID, p.Security)
	}
	if err := k.canLink(ctx, p.ID, m.Security); err != nil {
		return err
	}
	p.Security = m.Security
	k.linkSecurity(ctx, &p, m.Agency, roles)
	return nil
}

// asDAO fails unless a is p's DAO.
func asDAO(p *Project, a address.Address, what string) error {
	dao, ok := p.DAO()
	if !ok {
		return ErrNoSecurity.Wrapf("project %s has no security token linked: %s needs its DAO (a public_agency links the token with set-security)", p.ID, what)
	}
	if a != dao {
		return ErrNotDAO.Wrapf("%s of project %s is done by its DAO %s (through a proposal of the holders of %s), not %s", what, p.ID, dao, p.Security, a)
	}
	return nil
}

// Spend pays an amount from a project's treasury on its DAO's decision. The transfer goes
// through bank's Transfer: compliance reviews it like any transfer between parties (it may
// refuse it, or hold it until a compliance officer decides).
func (k Keeper) Spend(ctx chain.Context, m *MsgSpend) error {
	if err := m.Validate(); err != nil {
		return err
	}
	p, err := k.project(ctx, m.Project)
	if err != nil {
		return err
	}
	if err := asDAO(&p, m.Authority, "spending from the treasury"); err != nil {
		return err
	}
	if m.To == p.Treasury || p.isDAO(m.To) || k.reserved[m.To] {
		return ErrBadAccount.Wrapf("recipient %s is the project's treasury, its DAO or a module account", m.To)
	}
	if have := k.bank.Balance(ctx, p.Treasury, m.Amount.Denom); have < m.Amount.Amount {
		return ErrTreasuryShort.Wrapf("treasury %s of project %s holds %s; the spend is %s", p.Treasury, p.ID, coin.New(m.Amount.Denom, have), m.Amount)
	}
	if err := k.bank.Transfer(ctx, p.Treasury, m.To, m.Amount); err != nil {
		return err
	}
	ctx.Emit(chain.NewEvent("projects.treasury_spend", "project", p.ID, "treasury", p.Treasury.String(), "to", m.To.String(),
		"amount", m.Amount.String(), "by", m.Authority.String(), "reason", m.Reason))
	k.record(ctx, &p, TimelineRecord{Kind: TLTreasurySpend, By: by(m.Authority), Roles: []string{ActorDAO}, Account: by(m.To), Amount: &m.Amount, Note: m.Reason})
	return nil
}

// ---- parameters ----

// Parameter returns the current version of project id's parameter name.
func (k Keeper) Parameter(ctx chain.Context, id, name string) (Parameter, bool) {
	var v uint32
	if !k.get(ctx, paramCurKey(id, name), &v) {
		return Parameter{}, false
	}
	var prm Parameter
	k.get(ctx, paramKey(id, name, v), &prm)
	return prm, true
}

// Parameters lists the current version of each of project id's parameters, by name.
func (k Keeper) Parameters(ctx chain.Context, id string) []Parameter {
	p := inProject(keyParamCur, id)
	out := []Parameter{}
	it := k.st(ctx).Iterator(p, store.PrefixEnd(p))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		var v uint32
		canon.MustDecode(it.Value(), &v)
		var prm Parameter
		if k.get(ctx, paramKey(id, string(it.Key()[len(p):]), v), &prm) {
			out = append(out, prm)
		}
	}
	return out
}

// ParameterHistory lists every version of project id's parameter name, oldest first.
func (k Keeper) ParameterHistory(ctx chain.Context, id, name string) []Parameter {
	return store.Records[Parameter](k.st(ctx), store.Key(keyParam, []byte(id), sep, []byte(name), sep))
}

func (k Keeper) countParameters(ctx chain.Context, id string) int {
	return k.countUnder(ctx, inProject(keyParamCur, id))
}

// checkParameter applies the rules of a parameter change by a (p's DAO when dao) to cur (the
// current version; exists false when there is none).
func checkParameter(p *Project, m *MsgSetParameter, cur Parameter, exists, dao bool) error {
	protected := exists && cur.Protected
	switch {
	case protected && !dao:
		return ErrProtected.Wrapf("parameter %s of project %s is protected by the concession", m.Name, p.ID)
	case protected && !m.Protected:
		return ErrProtected.Wrapf("parameter %s of project %s is protected: a DAO msg changing it says protected: true, so that the proposal needs the public agency's approval", m.Name, p.ID)
	case !protected && dao && m.Protected:
		return ErrProtectByAgency.Wrapf("parameter %s of project %s is not protected; a public_agency stakeholder marks it protected", m.Name, p.ID)
	}
	return nil
}

// SetParameter sets a project parameter's value: a new version (the first sets it).
func (k Keeper) SetParameter(ctx chain.Context, m *MsgSetParameter) error {
	if err := m.Validate(); err != nil {
		return err
	}
	p, err := k.project(ctx, m.Project)
	if err != nil {
		return err
	}
	dao := p.isDAO(m.Authority)
	roles := []string{ActorDAO}
	if !dao {
		if roles, err = k.withRoleNotDAO(ctx, &p, m.Authority, "setting a parameter of", RolePublicAgency); err != nil {
			return err
		}
	}
	cur, exists := k.Parameter(ctx, p.ID, m.Name)
	if err := checkParameter(&p, m, cur, exists, dao); err != nil {
		return err
	}
	if !exists && k.countParameters(ctx, p.ID) >= MaxParameters {
		return ErrTooMany.Wrapf("project %s has %d parameters, the most a project may have", p.ID, MaxParameters)
	}
	if cur.Version >= MaxParamVersions {
		return ErrTooMany.Wrapf("parameter %s has %d versions", m.Name, cur.Version)
	}
	prm := Parameter{Project: p.ID, Name: m.Name, Version: cur.Version + 1, Value: m.Value, Protected: m.Protected || cur.Protected,
		By: m.Authority, Height: ctx.Height, Time: ctx.Time.Unix()}
	k.set(ctx, paramKey(p.ID, prm.Name, prm.Version), &prm)
	k.set(ctx, paramCurKey(p.ID, prm.Name), prm.Version)
	ctx.Emit(chain.NewEvent("projects.parameter_set", "project", p.ID, "name", prm.Name, "version", chain.Uint(uint64(prm.Version)),
		"value", prm.Value, "protected", strconv.FormatBool(prm.Protected), "by", m.Authority.String()))
	note := m.Name + " = " + m.Value
	if prm.Protected {
		note += " (protected)"
	}
	k.record(ctx, &p, TimelineRecord{Kind: TLParameterSet, By: by(m.Authority), Roles: roles, Note: note})
	return nil
}

// ---- what a project DAO may carry in a proposal ----

// daoMsgs are the projects msg types a project DAO may carry in a proposal.
var daoMsgs = []string{
	(&MsgSpend{}).MsgType(), (&MsgSetParameter{}).MsgType(), (&MsgSetDocument{}).MsgType(), (&MsgRemoveDocument{}).MsgType(),
	(&MsgFundMilestone{}).MsgType(), (&MsgResolve{}).MsgType(), (&MsgCancelMilestone{}).MsgType(),
	(&MsgProposeStakeholderChange{}).MsgType(), (&MsgApproveStakeholderChange{}).MsgType(),
}

// DAOScope says which security token's DAO may carry m in a proposal: the security token of the
// project m acts on, that project, and the protected parameters m changes (nil: none). It fails
// for a msg type a DAO may not use, an unknown project and a project without a security token;
// and for a parameter change that the parameter's protection refuses as it stands (a protected
// parameter changed without protected: true, or protected: true on one that is not).
func (k Keeper) DAOScope(ctx chain.Context, m tx.Msg) (denom, project string, protected []string, err error) {
	var id string
	switch msg := m.(type) {
	case *MsgSpend:
		id = msg.Project
	case *MsgSetParameter:
		id = msg.Project
	case *MsgSetDocument:
		id = msg.Project
	case *MsgRemoveDocument:
		id = msg.Project
	case *MsgFundMilestone:
		id = msg.Project
	case *MsgResolve:
		id = msg.Project
	case *MsgCancelMilestone:
		id = msg.Project
	case *MsgProposeStakeholderChange:
		id = msg.Project
	case *MsgApproveStakeholderChange:
		id = msg.Project
	default:
		return "", "", nil, ErrNotDAOMsg.Wrapf("%s: a project DAO may use %v", m.MsgType(), daoMsgs)
	}
	p, err := k.project(ctx, id)
	if err != nil {
		return "", "", nil, err
	}
	if p.Security == "" {
		return "", "", nil, ErrNoSecurity.Wrapf("project %s has no security token linked: no DAO acts for it", p.ID)
	}
	if sp, ok := m.(*MsgSetParameter); ok {
		cur, exists := k.Parameter(ctx, p.ID, sp.Name)
		if err := checkParameter(&p, sp, cur, exists, true); err != nil {
			return "", "", nil, err
		}
		if sp.Protected {
			protected = []string{sp.Name}
		}
	}
	return p.Security, p.ID, protected, nil
}

// DAOMsgTypes lists the projects msg types a project DAO may carry, in name order.
func DAOMsgTypes() []string {
	out := slices.Clone(daoMsgs)
	slices.Sort(out)
	return out
}
