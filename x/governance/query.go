package governance

import (
	"fmt"
	"slices"
	"strings"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
)

// ProposalInfo answers a proposal query: the proposal with its participation and whether its
// quorum is reached, at Time.
type ProposalInfo struct {
	Proposal
	Time          int64       `json:"time"`
	Participation coin.Amount `json:"participation,string"`
	QuorumNeeded  coin.Amount `json:"quorum_needed,string"` // the participation that reaches quorum
	Open          bool        `json:"open"`                 // votes are accepted now
}

// Info answers the proposal query for p at the block time.
func (k Keeper) Info(ctx chain.Context, p Proposal) ProposalInfo {
	part, _ := p.Tally.Participation()
	need, rem, _ := p.Eligible.MulDiv(p.Rules.QuorumBps, BpsDenominator)
	if rem != 0 {
		need++
	}
	p.QuorumReached = quorum(&p)
	return ProposalInfo{Proposal: p, Time: ctx.Time.Unix(), Participation: part, QuorumNeeded: need,
		Open: p.Status == StatusVoting && ctx.Time.Unix() < p.VotingEnd}
}

// ProposalList is a page of proposals in id order; Next, when not 0, is the "after" of the
// following page.
type ProposalList struct {
	Proposals []ProposalInfo `json:"proposals"`
	Next      uint64         `json:"next,omitempty"`
}

// Proposals lists proposals after id after, of one DAO when byDAO (dao "" : chain proposals),
// of one status when status is not "", at most limit of them.
func (k Keeper) Proposals(ctx chain.Context, byDAO bool, dao, status string, after uint64, limit int) ProposalList {
	out := ProposalList{Proposals: []ProposalInfo{}}
	p := keyProposal
	if byDAO {
		p = byDAOPrefix(dao)
	}
	it := k.st(ctx).Iterator(store.Key(p, store.Uint64Key(after+1)), store.PrefixEnd(p))
	defer it.Close()
	if after == ^uint64(0) {
		return out
	}
	scanned := uint64(0)
	var last uint64
	for ; it.Valid(); it.Next() {
		id := idOf(it.Key())
		if len(out.Proposals) == limit || scanned == maxScan {
			out.Next = last
			return out
		}
		scanned++
		last = id
		pr, ok := k.Proposal(ctx, id)
		if ok && (status == "" || pr.Status == status) {
			out.Proposals = append(out.Proposals, k.Info(ctx, pr))
		}
	}
	return out
}

// VoteList is a page of a proposal's votes in voter address order; Next, when not empty, is the
// "after" of the following page.
type VoteList struct {
	Votes []Vote `json:"votes"`
	Next  string `json:"next,omitempty"`
}

// Votes lists the votes on proposal id after voter after (zero: from the first).
func (k Keeper) Votes(ctx chain.Context, id uint64, after address.Address, limit int) VoteList {
	out := VoteList{Votes: []Vote{}}
	p := votePrefix(id)
	start := p
	if !after.IsZero() {
		start = store.Key(voteKey(id, after), sep)
	}
	it := k.st(ctx).Iterator(start, store.PrefixEnd(p))
	defer it.Close()
	for ; it.Valid(); it.Next() {
		if len(out.Votes) == limit {
			out.Next = out.Votes[len(out.Votes)-1].Voter.String()
			break
		}
		var v Vote
		canon.MustDecode(it.Value(), &v)
		out.Votes = append(out.Votes, v)
	}
	return out
}

// PowerInfo answers a power query: an account's current balance of a security, the balance
// delegated to it now, and its own delegate.
type PowerInfo struct {
	Address   address.Address  `json:"address"`
	Denom     string           `json:"denom"`
	Balance   coin.Amount      `json:"balance,string"`
	Delegated coin.Amount      `json:"delegated,string"`
	Delegate  *address.Address `json:"delegate,omitempty"`
}

// PowerOf answers the power query.
func (k Keeper) PowerOf(ctx chain.Context, denom string, a address.Address) PowerInfo {
	out := PowerInfo{Address: a, Denom: denom, Balance: k.bank.Balance(ctx, a, denom), Delegated: k.Power(ctx, denom, a)}
	if d, ok := k.Delegation(ctx, denom, a); ok {
		out.Delegate = &d.Delegate
	}
	return out
}

// ParamsInfo answers the params query.
type ParamsInfo struct {
	Chain       ChainParams  `json:"chain"`
	DAODefaults DAOParams    `json:"dao_defaults"`
	BlockParams *BlockParams `json:"pending_block_params,omitempty"`
}

// DAOInfo answers the dao query: the DAO's effective params.
type DAOInfo struct {
	Denom     string          `json:"denom"`
	Authority address.Address `json:"authority"`
	Params    DAOParams       `json:"params"`
	Own       bool            `json:"own"` // false: the defaults
}

// UpgradeInfo answers the upgrade query.
type UpgradeInfo struct {
	Plan *Plan         `json:"plan,omitempty"`
	Done []DoneUpgrade `json:"done"`
}

// Query answers, at the latest block time:
//
//	proposals                      proposals in id order (data: dao, status, after, limit; "dao=" lists chain proposals)
//	proposal/<id>                  one proposal with its tally, eligible weight, quorum and times
//	votes/<id>                     a proposal's votes (data: after (an address), limit)
//	vote/<id>/<voter>              one vote
//	power/<denom>/<address>        balance, delegated power and delegate of an account
//	delegation/<denom>/<address>   an account's delegation
//	params                         chain params, DAO defaults, pending block params
//	dao/<denom>                    a DAO's effective params
//	upgrade                        the upgrade plan and the upgrades done
func (m *Module) Query(ctx chain.Context, path []string, data []byte) (any, error) {
	k := m.Keeper
	ctx = m.at(ctx)
	switch {
	case len(path) == 1 && path[0] == "proposals":
		f, err := chain.ParseFilters(data, defaultPageSize, maxPageSize, "dao", "status", "after", "limit")
		if err != nil {
			return nil, err
		}
		after, err := f.AfterID()
		if err != nil {
			return nil, err
		}
		status := f.Get("status")
		if status != "" && !slices.Contains(Statuses, status) {
			return nil, chain.ErrBadQuery.Wrapf("status %q: want %s", status, strings.Join(Statuses, ", "))
		}
		_, byDAO := f.Values["dao"]
		dao := f.Get("dao")
		if dao != "" {
			if err := coin.ValidateDenom(dao); err != nil {
				return nil, chain.ErrBadQuery.Wrap(err)
			}
		}
		return k.Proposals(ctx, byDAO, dao, status, after, f.Limit), nil
	case len(path) == 2 && path[0] == "proposal":
		id, err := chain.ParseID(path[1], "proposal")
		if err != nil {
			return nil, err
		}
		p, ok := k.Proposal(ctx, id)
		if !ok {
			return nil, ErrUnknownProposal.Wrapf("no proposal %d", id)
		}
		return k.Info(ctx, p), nil
	case len(path) == 2 && path[0] == "votes":
		id, err := chain.ParseID(path[1], "proposal")
		if err != nil {
			return nil, err
		}
		if _, ok := k.Proposal(ctx, id); !ok {
			return nil, ErrUnknownProposal.Wrapf("no proposal %d", id)
		}
		f, err := chain.ParseFilters(data, defaultPageSize, maxPageSize, "after", "limit")
		if err != nil {
			return nil, err
		}
		var after address.Address
		if s := f.Get("after"); s != "" {
			if after, err = address.Parse(s); err != nil {
				return nil, chain.ErrBadQuery.Wrap(err)
			}
		}
		return k.Votes(ctx, id, after, f.Limit), nil
	case len(path) == 3 && path[0] == "vote":
		id, err := chain.ParseID(path[1], "proposal")
		if err != nil {
			return nil, err
		}
		a, err := address.Parse(path[2])
		if err != nil {
			return nil, chain.ErrBadQuery.Wrap(err)
		}
		v, ok := k.Vote(ctx, id, a)
		if !ok {
			return nil, chain.ErrNotFound.Wrapf("%s has not voted on proposal %d", a, id)
		}
		return v, nil
	case len(path) >= 3 && (path[0] == "power" || path[0] == "delegation"):
		denom := strings.Join(path[1:len(path)-1], "/")
		if err := coin.ValidateDenom(denom); err != nil {
			return nil, chain.ErrBadQuery.Wrap(err)
		}
		a, err := address.Parse(path[len(path)-1])
		if err != nil {
			return nil, chain.ErrBadQuery.Wrap(err)
		}
		if path[0] == "power" {
			return k.PowerOf(ctx, denom, a), nil
		}
		d, ok := k.Delegation(ctx, denom, a)
		if !ok {
			return nil, chain.ErrNotFound.Wrapf("%s does not delegate %s", a, denom)
		}
		return d, nil
	case len(path) == 1 && path[0] == "params":
		out := ParamsInfo{Chain: k.ChainParams(ctx), DAODefaults: k.DAODefaults(ctx)}
		if b, ok := k.PendingBlockParams(ctx); ok {
			out.BlockParams = &b
		}
		return out, nil
	case len(path) >= 2 && path[0] == "dao":
		denom := strings.Join(path[1:], "/")
		if err := coin.ValidateDenom(denom); err != nil {
			return nil, chain.ErrBadQuery.Wrap(err)
		}
		if err := k.requireSecurity(ctx, denom); err != nil {
			return nil, err
		}
		p, own := k.DAOParams(ctx, denom)
		return DAOInfo{Denom: denom, Authority: authority.DAO(denom), Params: p, Own: own}, nil
	case len(path) == 1 && path[0] == "upgrade":
		out := UpgradeInfo{Done: store.Records[DoneUpgrade](k.st(ctx), keyDone)}
		if p, ok := k.UpgradePlan(ctx); ok {
			out.Plan = &p
		}
		return out, nil
	}
	return nil, chain.ErrBadQuery.Wrapf("unknown governance query %v", path)
}

var pageParams = []chain.QueryParam{
	{Name: "after", Description: "list after this id"},
	{Name: "limit", Description: fmt.Sprintf("page size, 1 to %d (default %d)", maxPageSize, defaultPageSize)},
}

// QueryRoutes publishes governance's queries on the REST API.
func (*Module) QueryRoutes() []chain.QueryRoute {
	return []chain.QueryRoute{
		{Path: "/governance/proposals", Query: "/governance/proposals", Summary: "Proposals in id order, of one DAO (an empty dao: chain proposals) or status", Response: ProposalList{},
			Params: append([]chain.QueryParam{{Name: "dao", Description: "the security token's denom of the DAO; empty: chain proposals"},
				{Name: "status", Description: strings.Join(Statuses, ", ")}}, pageParams...)},
		{Path: "/governance/proposals/{id}", Query: "/governance/proposal/{id}", Summary: "One proposal: msgs, status, tally, eligible weight, quorum, times", Response: ProposalInfo{}},
		{Path: "/governance/proposals/{id}/votes", Query: "/governance/votes/{id}", Summary: "A proposal's votes in voter order", Response: VoteList{},
			Params: []chain.QueryParam{{Name: "after", Description: "list after this voter address"}, pageParams[1]}},
		{Path: "/governance/proposals/{id}/votes/{voter}", Query: "/governance/vote/{id}/{voter}", Summary: "One vote on a proposal", Response: Vote{}},
		{Path: "/governance/power/{denom}/{address}", Query: "/governance/power/{denom}/{address}", Summary: "An account's balance, delegated power and delegate in a DAO now", Response: PowerInfo{}},
		{Path: "/governance/delegations/{denom}/{address}", Query: "/governance/delegation/{denom}/{address}", Summary: "An account's delegation in a DAO", Response: Delegation{}},
		{Path: "/governance/params", Query: "/governance/params", Summary: "Chain governance params, DAO defaults and pending block params", Response: ParamsInfo{}},
		{Path: "/governance/daos/{denom}", Query: "/governance/dao/{denom}", Summary: "A DAO's effective params", Response: DAOInfo{}},
		{Path: "/governance/upgrade", Query: "/governance/upgrade", Summary: "The scheduled software upgrade and the upgrades done", Response: UpgradeInfo{}},
	}
}
