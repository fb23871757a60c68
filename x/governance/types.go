package governance

import (
	"math/bits"
	"regexp"

	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
)

// Limits.
const (
	MaxTitleLen   = 140    // bytes of a proposal's title
	MaxSummaryLen = 10_000 // bytes of a proposal's summary
	MaxMsgs       = 16     // msgs one proposal carries
	// MaxEndsPerBlock and MaxExecutionsPerBlock bound the end-of-block work: the proposals whose
	// voting ended, and those whose timelock passed, beyond these wait for the next block.
	MaxEndsPerBlock       = 32
	MaxExecutionsPerBlock = 8
	// MaxMembersLimit bounds ChainParams.MaxMembers (a chain proposal snapshots its member list).
	MaxMembersLimit   = 1_000
	MaxUpgradeInfoLen = 2_048 // bytes of an upgrade plan's info
	Year              = 365 * 24 * 3600
	BpsDenominator    = 10_000 // basis points: 10,000 = 100 %
	// MaxBlockBytes is the most a block may be (CometBFT's own bound, 100 MiB).
	MaxBlockBytes   = cmttypes.MaxBlockSizeBytes
	defaultPageSize = 100
	maxPageSize     = 500
	maxScan         = 10_000 // records one list query looks at
)

// MinBlockBytes is the least a block may be: twice CometBFT's evidence limit (the default of its
// evidence params, which this chain keeps). CometBFT refuses consensus params whose evidence limit
// is above the block's (a node handed such params by the app stops), and a block at exactly that
// limit would leave no room for the header, the commit and txs once that much evidence is
// pending; the second half holds them, and the largest tx the app accepts (64 KiB).
var MinBlockBytes = 2 * cmttypes.DefaultEvidenceParams().MaxBytes

// RoleMember is the chain role (x/auth) of a consortium member: it may submit chain proposals
// and votes in chain governance, one vote per member.
const RoleMember = "member"

// NativeDenom is the chain's coin, the default DAO deposit's denom.
const NativeDenom = "ugrd"

// Vote options.
const (
	OptionYes     = "yes"
	OptionNo      = "no"
	OptionAbstain = "abstain"
	OptionVeto    = "veto"
)

// Options lists the vote options.
var Options = []string{OptionYes, OptionNo, OptionAbstain, OptionVeto}

// Proposal statuses.
const (
	StatusVoting   = "voting"   // open for votes until VotingEnd
	StatusPassed   = "passed"   // waiting for ExecuteAfter
	StatusRejected = "rejected" // see Reason; deposit returned
	StatusVetoed   = "vetoed"   // deposit burnt
	StatusExecuted = "executed" // every msg ran, all committed
	StatusFailed   = "failed"   // a msg failed: nothing committed; never retried
)

// Statuses lists the proposal statuses.
var Statuses = []string{StatusVoting, StatusPassed, StatusRejected, StatusVetoed, StatusExecuted, StatusFailed}

// Reasons of a rejection.
const (
	ReasonQuorum    = "quorum_not_reached"
	ReasonThreshold = "threshold_not_reached"
	ReasonApproval  = "agency_approval_missing"
)

// Deposit outcomes.
const (
	DepositHeld     = "held"
	DepositReturned = "returned"
	DepositBurnt    = "burnt"
)

// ChainParams rule chain governance: consortium members, one vote each.
type ChainParams struct {
	VotingPeriod     int64  `cbor:"1,keyasint" json:"voting_period"` // seconds
	QuorumBps        uint64 `cbor:"2,keyasint" json:"quorum_bps"`    // of the snapshotted members
	ThresholdBps     uint64 `cbor:"3,keyasint" json:"threshold_bps"` // yes > threshold × (yes + no + veto)
	VetoThresholdBps uint64 `cbor:"4,keyasint" json:"veto_threshold_bps"`
	Timelock         int64  `cbor:"5,keyasint" json:"timelock"` // seconds between passing and execution
	MaxMembers       uint64 `cbor:"6,keyasint" json:"max_members"`
}

// DefaultChainParams: 3 days of voting, half of the members for quorum, a simple majority, a
// third to veto, one day of timelock, at most 200 members.
func DefaultChainParams() ChainParams {
	return ChainParams{VotingPeriod: 3 * 86400, QuorumBps: 5000, ThresholdBps: 5000, VetoThresholdBps: 3334, Timelock: 86400, MaxMembers: 200}
}

// DAOParams rule the DAO of a security token.
type DAOParams struct {
	// ProposalThresholdBps of the eligible weight at the snapshot a proposer must have.
	ProposalThresholdBps uint64 `cbor:"1,keyasint" json:"proposal_threshold_bps"`
	// Deposit moves from the proposer into the escrow (zero: none); returned unless vetoed.
	Deposit             coin.Coin `cbor:"2,keyasint" json:"deposit"`
	VotingPeriod        int64     `cbor:"3,keyasint" json:"voting_period"` // seconds
	QuorumBps           uint64    `cbor:"4,keyasint" json:"quorum_bps"`    // of the eligible weight
	ThresholdBps        uint64    `cbor:"5,keyasint" json:"threshold_bps"`
	VetoThresholdBps    uint64    `cbor:"6,keyasint" json:"veto_threshold_bps"`
	LateQuorumExtension int64     `cbor:"7,keyasint" json:"late_quorum_extension"` // seconds; 0 = off
	Timelock            int64     `cbor:"8,keyasint" json:"timelock"`              // seconds
}

// DefaultDAOParams: 1 % to propose, a deposit of 1,000 GRD, 7 days of voting, 20 % quorum, a
// simple majority, a third to veto, one day of late-quorum extension, two days of timelock.
func DefaultDAOParams() DAOParams {
	return DAOParams{ProposalThresholdBps: 100, Deposit: coin.New(NativeDenom, 1_000_000_000), VotingPeriod: 7 * 86400,
		QuorumBps: 2000, ThresholdBps: 5000, VetoThresholdBps: 3334, LateQuorumExtension: 86400, Timelock: 2 * 86400}
}

func validRules(period int64, quorum, threshold, veto uint64, timelock int64) error {
	switch {
	case period < 1 || period > Year:
		return ErrInvalidParams.Wrapf("voting_period %d s: want 1 s to one year (%d s)", period, Year)
	case quorum == 0 || quorum > BpsDenominator:
		return ErrInvalidParams.Wrapf("quorum_bps %d: want 1 to %d", quorum, BpsDenominator)
	case threshold == 0 || threshold >= BpsDenominator:
		return ErrInvalidParams.Wrapf("threshold_bps %d: want 1 to %d", threshold, BpsDenominator-1)
	case veto == 0 || veto > BpsDenominator:
		return ErrInvalidParams.Wrapf("veto_threshold_bps %d: want 1 to %d", veto, BpsDenominator)
	case timelock < 0 || timelock > Year:
		return ErrInvalidParams.Wrapf("timelock %d s: want 0 to one year (%d s)", timelock, Year)
	}
	return nil
}

// Validate checks chain params.
func (p ChainParams) Validate() error {
	if err := validRules(p.VotingPeriod, p.QuorumBps, p.ThresholdBps, p.VetoThresholdBps, p.Timelock); err != nil {
		return err
	}
	if p.MaxMembers == 0 || p.MaxMembers > MaxMembersLimit {
		return ErrInvalidParams.Wrapf("max_members %d: want 1 to %d", p.MaxMembers, MaxMembersLimit)
	}
	return nil
}

// Validate checks DAO params.
func (p DAOParams) Validate() error {
	if err := validRules(p.VotingPeriod, p.QuorumBps, p.ThresholdBps, p.VetoThresholdBps, p.Timelock); err != nil {
		return err
	}
	if p.ProposalThresholdBps > BpsDenominator {
		return ErrInvalidParams.Wrapf("proposal_threshold_bps %d: want 0 to %d", p.ProposalThresholdBps, BpsDenominator)
	}
	if err := coin.ValidateDenom(p.Deposit.Denom); err != nil {
		return ErrInvalidParams.Wrapf("deposit: %v", err)
	}
	if p.LateQuorumExtension < 0 || p.LateQuorumExtension > p.VotingPeriod {
		return ErrInvalidParams.Wrapf("late_quorum_extension %d s: want 0 (off) to the voting period (%d s)", p.LateQuorumExtension, p.VotingPeriod)
	}
	return nil
}

// Rules are the params a proposal was submitted under: later changes of the params do not
// change a proposal already submitted.
type Rules struct {
	QuorumBps        uint64 `cbor:"1,keyasint" json:"quorum_bps"`
	ThresholdBps     uint64 `cbor:"2,keyasint" json:"threshold_bps"`
	VetoThresholdBps uint64 `cbor:"3,keyasint" json:"veto_threshold_bps"`
	Extension        int64  `cbor:"4,keyasint,omitempty" json:"late_quorum_extension"`
	Timelock         int64  `cbor:"5,keyasint,omitempty" json:"timelock"`
}

// Tally is the weight behind each option.
type Tally struct {
	Yes     coin.Amount `cbor:"1,keyasint,omitempty" json:"yes,string"`
	No      coin.Amount `cbor:"2,keyasint,omitempty" json:"no,string"`
	Abstain coin.Amount `cbor:"3,keyasint,omitempty" json:"abstain,string"`
	Veto    coin.Amount `cbor:"4,keyasint,omitempty" json:"veto,string"`
}

// of points at the count of option o.
func (t *Tally) of(o string) *coin.Amount {
	switch o {
	case OptionYes:
		return &t.Yes
	case OptionNo:
		return &t.No
	case OptionAbstain:
		return &t.Abstain
	}
	return &t.Veto
}

// Participation is yes + no + abstain + veto (false on overflow).
func (t Tally) Participation() (coin.Amount, bool) {
	s, err := t.Yes.Add(t.No)
	if err == nil {
		s, err = s.Add(t.Abstain)
	}
	if err == nil {
		s, err = s.Add(t.Veto)
	}
	return s, err == nil
}

// Failure is why an execution failed: the failing msg's index and the error's code.
type Failure struct {
	Msg     uint32 `cbor:"1,keyasint" json:"msg"`
	Module  string `cbor:"2,keyasint" json:"module"`
	Code    uint32 `cbor:"3,keyasint" json:"code"`
	Message string `cbor:"4,keyasint" json:"message"`
}

// Proposal is a list of msgs its DAO (or the chain) executes if the vote passes.
type Proposal struct {
	ID        uint64          `cbor:"1,keyasint" json:"id"`
	DAO       string          `cbor:"2,keyasint,omitempty" json:"dao"` // the security's denom; "" = chain
	Authority address.Address `cbor:"3,keyasint" json:"authority"`
	Proposer  address.Address `cbor:"4,keyasint" json:"proposer"`
	Title     string          `cbor:"5,keyasint" json:"title"`
	Summary   string          `cbor:"6,keyasint,omitempty" json:"summary"`
	Msgs      []tx.Any        `cbor:"7,keyasint" json:"msgs"`
	Status    string          `cbor:"8,keyasint" json:"status"`
	Height    int64           `cbor:"9,keyasint" json:"submit_height"`
	Time      int64           `cbor:"10,keyasint" json:"submit_time"`
	// Snapshot is the height whose end-of-block balances give the weights (submission height − 1).
	Snapshot int64             `cbor:"11,keyasint" json:"snapshot_height"`
	Eligible coin.Amount       `cbor:"12,keyasint" json:"eligible,string"`             // weight that may vote (chain: members)
	Members  []address.Address `cbor:"13,keyasint,omitempty" json:"members,omitempty"` // chain: the snapshotted members, sorted
	Deposit  coin.Coin         `cbor:"14,keyasint" json:"deposit"`
	// DepositStatus: held while voting, then returned or burnt ("" when there is no deposit).
	DepositStatus string `cbor:"15,keyasint,omitempty" json:"deposit_status,omitempty"`
	Rules         Rules  `cbor:"16,keyasint" json:"rules"`
	VotingEnd     int64  `cbor:"17,keyasint" json:"voting_end"`
	Extended      bool   `cbor:"18,keyasint,omitempty" json:"extended"`
	QuorumReached bool   `cbor:"19,keyasint,omitempty" json:"quorum_reached"`
	Tally         Tally  `cbor:"20,keyasint" json:"tally"`
	// Project and Protected: the protected project parameters the msgs change; then the
	// project's public agency must approve (ApprovedBy) within the voting period.
	Project    string           `cbor:"21,keyasint,omitempty" json:"project,omitempty"`
	Protected  []string         `cbor:"22,keyasint,omitempty" json:"protected,omitempty"`
	ApprovedBy *address.Address `cbor:"23,keyasint,omitempty" json:"approved_by,omitempty"`
	Reason     string           `cbor:"24,keyasint,omitempty" json:"reason,omitempty"`
	EndHeight  int64            `cbor:"25,keyasint,omitempty" json:"end_height,omitempty"` // when the vote was tallied
	// ExecuteAfter is VotingEnd + timelock: execution at the end of the first block at or after it.
	ExecuteAfter   int64    `cbor:"26,keyasint,omitempty" json:"execute_after,omitempty"`
	ExecutedHeight int64    `cbor:"27,keyasint,omitempty" json:"executed_height,omitempty"`
	Failure        *Failure `cbor:"28,keyasint,omitempty" json:"failure,omitempty"`
}

// IsChain reports whether p is a chain proposal.
func (p *Proposal) IsChain() bool { return p.DAO == "" }

// Vote is a voter's current vote on a proposal and the weight it counts with now.
type Vote struct {
	Proposal uint64          `cbor:"1,keyasint" json:"proposal"`
	Voter    address.Address `cbor:"2,keyasint" json:"voter"`
	Option   string          `cbor:"3,keyasint" json:"option"`
	Weight   coin.Amount     `cbor:"4,keyasint" json:"weight,string"`
	Height   int64           `cbor:"5,keyasint" json:"height"`
	Time     int64           `cbor:"6,keyasint" json:"time"`
}

// Override is the weight a delegate no longer votes with on a proposal because its delegators
// voted themselves.
type Override struct {
	Proposal uint64          `cbor:"1,keyasint" json:"proposal"`
	Delegate address.Address `cbor:"2,keyasint" json:"delegate"`
	Amount   coin.Amount     `cbor:"3,keyasint" json:"amount,string"`
}

// Delegation says Delegator's balance of Denom votes through Delegate (since Height) unless the
// delegator votes itself.
type Delegation struct {
	Denom     string          `cbor:"1,keyasint" json:"denom"`
	Delegator address.Address `cbor:"2,keyasint" json:"delegator"`
	Delegate  address.Address `cbor:"3,keyasint" json:"delegate"`
	Height    int64           `cbor:"4,keyasint" json:"height"`
}

// DelegationEntry is one step of a delegator's history: from the end of Height, its delegate
// (zero: none).
type DelegationEntry struct {
	Denom     string          `json:"denom"`
	Delegator address.Address `json:"delegator"`
	Height    int64           `json:"height"`
	Delegate  address.Address `json:"delegate"`
}

// PowerEntry is one step of a delegate's delegated power history: Amount at the end of Height.
type PowerEntry struct {
	Denom    string          `json:"denom"`
	Delegate address.Address `json:"delegate"`
	Height   int64           `json:"height"`
	Amount   coin.Amount     `json:"amount,string"`
}

// Plan is a scheduled software upgrade: nodes halt at Height unless they run software that
// knows the upgrade Name.
type Plan struct {
	Name   string `cbor:"1,keyasint" json:"name"`
	Height int64  `cbor:"2,keyasint" json:"height"`
	Info   string `cbor:"3,keyasint,omitempty" json:"info,omitempty"`
}

// DoneUpgrade records an upgrade applied at Height.
type DoneUpgrade struct {
	Name   string `cbor:"1,keyasint" json:"name"`
	Height int64  `cbor:"2,keyasint" json:"height"`
}

// BlockParams are consensus block limits decided by chain governance, waiting for the app to
// hand them to CometBFT (effective from the next height).
type BlockParams struct {
	MaxBytes int64 `cbor:"1,keyasint" json:"max_bytes"`
	MaxGas   int64 `cbor:"2,keyasint" json:"max_gas"` // -1: unlimited
	Height   int64 `cbor:"3,keyasint" json:"height"`  // when the proposal executed
}

// ExecutionRecord is written once per executed proposal (Count must stay 1).
type ExecutionRecord struct {
	Proposal uint64 `cbor:"1,keyasint" json:"proposal"`
	Height   int64  `cbor:"2,keyasint" json:"height"`
	OK       bool   `cbor:"3,keyasint,omitempty" json:"ok"`
	Count    uint64 `cbor:"4,keyasint" json:"count"`
}

var upgradeNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// ValidUpgradeName checks an upgrade's name: 1–64 of a-z, 0-9, '.', '_', '-'.
func ValidUpgradeName(n string) error {
	if !upgradeNameRE.MatchString(n) {
		return ErrInvalidMsg.Wrapf("upgrade name %q: 1 to 64 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit", n)
	}
	return nil
}

// atLeastBps reports whether a × BpsDenominator ≥ bps × b, exactly (128-bit products).
func atLeastBps(a coin.Amount, bps uint64, b coin.Amount) bool {
	h1, l1 := bits.Mul64(uint64(a), BpsDenominator)
	h2, l2 := bits.Mul64(bps, uint64(b))
	return h1 > h2 || (h1 == h2 && l1 >= l2)
}

// moreThanBps reports whether a × BpsDenominator > bps × b, exactly.
func moreThanBps(a coin.Amount, bps uint64, b coin.Amount) bool {
	h1, l1 := bits.Mul64(uint64(a), BpsDenominator)
	h2, l2 := bits.Mul64(bps, uint64(b))
	return h1 > h2 || (h1 == h2 && l1 > l2)
}
