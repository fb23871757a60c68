package governance

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
)

// StateLayout describes the module's keys (see chain.StateLayout).
func (*Module) StateLayout() chain.StateLayout {
	return chain.StateLayout{Prefix: StorePrefix[0], Kinds: []chain.StateKind{
		{Prefix: keySeq, Name: "proposal sequence", New: func() any { return new(uint64) }},
		{Prefix: keyProposal, Name: "proposal", New: func() any { return new(Proposal) }},
		{Prefix: keyByDAO, Name: "dao proposal index", New: nil},
		{Prefix: keyEnds, Name: "voting end queue entry", New: nil},
		{Prefix: keyExec, Name: "execution queue entry", New: nil},
		{Prefix: keyExecRecord, Name: "execution record", New: func() any { return new(ExecutionRecord) }},
		{Prefix: keyVote, Name: "vote", New: func() any { return new(Vote) }},
		{Prefix: keyOverride, Name: "vote override", New: func() any { return new(coin.Amount) }},
		{Prefix: keyDelegation, Name: "delegation", New: func() any { return new(Delegation) }},
		{Prefix: keyDelegHist, Name: "delegation history", New: func() any { return new(address.Address) }},
		{Prefix: keyPowerHist, Name: "voting power history", New: func() any { return new(coin.Amount) }},
		{Prefix: keyChainPar, Name: "chain params", New: func() any { return new(ChainParams) }},
		{Prefix: keyDAODefault, Name: "dao default params", New: func() any { return new(DAOParams) }},
		{Prefix: keyDAOParams, Name: "dao params", New: func() any { return new(DAOParams) }},
		{Prefix: keyPlan, Name: "upgrade plan", New: func() any { return new(Plan) }},
		{Prefix: keyDone, Name: "done upgrade", New: func() any { return new(DoneUpgrade) }},
		{Prefix: keyBlock, Name: "pending block params", New: func() any { return new(BlockParams) }},
	}}
}
