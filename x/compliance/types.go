package compliance

import (
	"fmt"
	"slices"
	"strings"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
)

// Rule kinds. A rule set is evaluated in its order; the chain-wide set before the asset's.
const (
	KindRequiredClaims    = "required_claims"    // the party's identity must hold these claims
	KindJurisdictionAllow = "jurisdiction_allow" // the party's jurisdiction claim must be listed
	KindJurisdictionBlock = "jurisdiction_block" // the party's jurisdiction claim must not be listed
	KindMaxHolders        = "max_holders"        // at most N identities hold the asset
	KindMaxBalance        = "max_balance"        // an identity holds at most an amount (or bps of supply)
	KindLockup            = "lockup"             // no transfer before a time
	KindVelocity          = "velocity"           // an identity sends at most an amount per rolling window
	KindLargeTransfer     = "large_transfer"     // a transfer of at least an amount
	KindDenyList          = "deny_list"          // neither party is on the scope's deny list
)

// Kinds lists every rule kind.
var Kinds = []string{KindRequiredClaims, KindJurisdictionAllow, KindJurisdictionBlock, KindMaxHolders,
	KindMaxBalance, KindLockup, KindVelocity, KindLargeTransfer, KindDenyList}

// assetOnly are the kinds whose parameters are amounts of one asset (or its holders): they belong
// to an asset's rule set, not the chain-wide one.
var assetOnly = map[string]bool{KindMaxHolders: true, KindMaxBalance: true, KindLockup: true,
	KindVelocity: true, KindLargeTransfer: true}

// Outcomes of a rule (and of a decision, with OutcomeAllow).
const (
	OutcomeAllow  = "allow"
	OutcomeFlag   = "flag"
	OutcomeHold   = "hold"
	OutcomeReject = "reject"
)

// severity orders outcomes: a decision takes the most severe outcome among the rules that hit.
func severity(outcome string) int {
	switch outcome {
	case OutcomeFlag:
		return 1
	case OutcomeHold:
		return 2
	case OutcomeReject:
		return 3
	}
	return 0
}

// Alert severities.
const (
	SeverityLow      = "low"
	SeverityMedium   = "medium"
	SeverityHigh     = "high"
	SeverityCritical = "critical"
)

// Severities lists the alert severities, lowest first.
var Severities = []string{SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}

// Sides a party rule applies to.
const (
	SideSender   = "sender"
	SideReceiver = "receiver"
	SideBoth     = "both"
)

// Built-in rule ids: checks that are not rules of a set.
const (
	RuleFrozen = "frozen" // a freeze on the sender or receiver (always enforced, always reject)
	RulePaused = "paused" // the asset is paused by its controller (always enforced, always reject)
)

// Limits.
const (
	MaxRules        = 32
	MaxRuleIDLen    = 32
	MaxListLen      = 256                    // jurisdictions, investor types, exempt accounts of a rule
	MaxReasonLen    = 256                    // bytes of a reason or note
	DefaultHoldFor  = 7 * 24 * 3600          // seconds a hold waits for an officer by default
	MaxHoldFor      = 90 * 24 * 3600         // the longest a hold may wait
	MaxWindow       = 5 * 366 * 24 * 3600    // the longest velocity window
	VelocityBuckets = 12                     // a velocity window is counted in this many buckets
	MaxExpiries     = 100                    // holds returned at the end of one block, at most
	MaxLockup       = int64(1) << 40         // a lock-up time must be a plausible unix time
	BpsDenominator  = 10_000                 // basis points
	maxScopeLen     = 64                     // a scope is "" (chain-wide) or a denom
	chainScopeName  = "chain"                // how the chain-wide scope is shown
	defaultSeverity = SeverityMedium         // an alert's severity when the rule gives none
	defaultPageSize = 100                    // list queries
	maxPageSize     = 500                    // list queries
	minWindow       = int64(VelocityBuckets) // a window of at least one second per bucket
)

// Params are a rule's parameters. Each kind uses some of them and refuses the others, so that a
// rule never carries a parameter that silently does nothing.
type Params struct {
	Side          string            `cbor:"1,keyasint,omitempty" json:"side,omitempty"`           // claims, jurisdiction: sender, receiver or both
	KYCLevel      uint8             `cbor:"2,keyasint,omitempty" json:"kyc_level,omitempty"`      // required_claims: minimum KYC level
	InvestorTypes []string          `cbor:"3,keyasint,omitempty" json:"investor_types,omitempty"` // required_claims: any of these
	Jurisdiction  bool              `cbor:"4,keyasint,omitempty" json:"jurisdiction,omitempty"`   // required_claims: some jurisdiction claim
	Sanctions     bool              `cbor:"5,keyasint,omitempty" json:"sanctions_screened,omitempty"`
	Jurisdictions []string          `cbor:"6,keyasint,omitempty" json:"jurisdictions,omitempty"` // jurisdiction_allow / _block
	MaxHolders    uint64            `cbor:"7,keyasint,omitempty" json:"max_holders,omitempty"`
	Amount        coin.Amount       `cbor:"8,keyasint,omitempty" json:"amount,omitempty,string"` // max_balance, velocity, large_transfer
	Bps           uint32            `cbor:"9,keyasint,omitempty" json:"bps,omitempty"`           // max_balance: basis points of supply
	Until         int64             `cbor:"10,keyasint,omitempty" json:"until,omitempty"`        // lockup: unix seconds
	Window        int64             `cbor:"11,keyasint,omitempty" json:"window,omitempty"`       // velocity: seconds
	Exempt        []address.Address `cbor:"12,keyasint,omitempty" json:"exempt,omitempty"`       // accounts the rule does not apply to
	HoldFor       int64             `cbor:"13,keyasint,omitempty" json:"hold_for,omitempty"`     // outcome hold: seconds before it returns
	Severity      string            `cbor:"14,keyasint,omitempty" json:"severity,omitempty"`     // outcome flag: the alert's severity
	Reason        string            `cbor:"15,keyasint,omitempty" json:"reason,omitempty"`       // shown with the decision
}

// Rule is one check of a rule set with the outcome it leads to when it hits.
type Rule struct {
	ID      string `cbor:"1,keyasint" json:"id"`
	Kind    string `cbor:"2,keyasint" json:"kind"`
	Outcome string `cbor:"3,keyasint" json:"outcome"`
	Params  Params `cbor:"4,keyasint" json:"params"`
}

// RuleSet is the rules of one scope: an asset (Asset is its denom) or the whole chain (Asset "").
type RuleSet struct {
	Asset   string          `cbor:"1,keyasint" json:"asset"`
	Rules   []Rule          `cbor:"2,keyasint" json:"rules"`
	Version uint64          `cbor:"3,keyasint" json:"version"`
	By      address.Address `cbor:"4,keyasint" json:"updated_by"`
	Height  int64           `cbor:"5,keyasint" json:"updated_height"`
}

// ScopeName is how a scope is shown: its denom, or "chain".
func ScopeName(asset string) string {
	if asset == "" {
		return chainScopeName
	}
	return asset
}

func validateRuleID(id string) error {
	if id == "" || len(id) > MaxRuleIDLen {
		return ErrInvalidRule.Wrapf("rule id %q: want 1 to %d characters", id, MaxRuleIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return ErrInvalidRule.Wrapf("rule id %q: only a-z, 0-9, '-' and '_' are allowed", id)
		}
	}
	if id == RuleFrozen || id == RulePaused {
		return ErrInvalidRule.Wrapf("rule id %q is reserved for the built-in freeze check", id)
	}
	return nil
}

// used lists the parameters a rule sets, by JSON name.
func (p Params) used() []string {
	var out []string
	add := func(on bool, name string) {
		if on {
			out = append(out, name)
		}
	}
	add(p.Side != "", "side")
	add(p.KYCLevel != 0, "kyc_level")
	add(len(p.InvestorTypes) > 0, "investor_types")
	add(p.Jurisdiction, "jurisdiction")
	add(p.Sanctions, "sanctions_screened")
	add(len(p.Jurisdictions) > 0, "jurisdictions")
	add(p.MaxHolders != 0, "max_holders")
	add(p.Amount != 0, "amount")
	add(p.Bps != 0, "bps")
	add(p.Until != 0, "until")
	add(p.Window != 0, "window")
	return out
}

// allowed are the kind-specific parameters each kind takes (exempt, hold_for, severity and
// reason are common to every kind).
var allowed = map[string][]string{
	KindRequiredClaims:    {"side", "kyc_level", "investor_types", "jurisdiction", "sanctions_screened"},
	KindJurisdictionAllow: {"side", "jurisdictions"},
	KindJurisdictionBlock: {"side", "jurisdictions"},
	KindMaxHolders:        {"max_holders"},
	KindMaxBalance:        {"amount", "bps"},
	KindLockup:            {"until"},
	KindVelocity:          {"amount", "window"},
	KindLargeTransfer:     {"amount"},
	KindDenyList:          {"side"},
}

// Validate checks a rule on its own: a known kind and outcome, the parameters its kind needs and
// no others, each within bounds. native is the gas token, which has no holder accounting.
func (r Rule) Validate(asset, native string) error {
	if err := validateRuleID(r.ID); err != nil {
		return err
	}
	bad := func(format string, args ...any) error {
		return ErrInvalidRule.Wrapf("rule %s (%s): %s", r.ID, r.Kind, fmt.Sprintf(format, args...))
	}
	if !slices.Contains(Kinds, r.Kind) {
		return ErrInvalidRule.Wrapf("rule %s: kind %q: want one of %s", r.ID, r.Kind, strings.Join(Kinds, ", "))
	}
	if !slices.Contains([]string{OutcomeFlag, OutcomeHold, OutcomeReject}, r.Outcome) {
		return bad("outcome %q: want reject, hold or flag", r.Outcome)
	}
	p := r.Params
	for _, name := range p.used() {
		if !slices.Contains(allowed[r.Kind], name) {
			return bad("parameter %s does not apply to this kind (it takes %s)", name, strings.Join(allowed[r.Kind], ", "))
		}
	}
	if asset == "" && assetOnly[r.Kind] {
		return bad("amounts and holders are per asset: put this rule in an asset's rule set")
	}
	if asset == native && (r.Kind == KindMaxHolders || r.Kind == KindMaxBalance) {
		return bad("the gas token %s has no holder accounting", native)
	}
	if r.Outcome == OutcomeHold {
		if p.HoldFor < 0 || p.HoldFor > MaxHoldFor {
			return bad("hold_for %d: want 0 (default %d) to %d seconds", p.HoldFor, DefaultHoldFor, MaxHoldFor)
		}
	} else if p.HoldFor != 0 {
		return bad("hold_for applies to outcome hold only")
	}
	if r.Outcome == OutcomeFlag {
		if p.Severity != "" && !slices.Contains(Severities, p.Severity) {
			return bad("severity %q: want one of %s", p.Severity, strings.Join(Severities, ", "))
		}
	} else if p.Severity != "" {
		return bad("severity applies to outcome flag only (alerts)")
	}
	if len(p.Reason) > MaxReasonLen {
		return bad("reason has %d bytes, at most %d", len(p.Reason), MaxReasonLen)
	}
	if len(p.Exempt) > MaxListLen || len(p.InvestorTypes) > MaxListLen || len(p.Jurisdictions) > MaxListLen {
		return bad("a list has more than %d entries", MaxListLen)
	}
	seen := map[address.Address]bool{}
	for _, a := range p.Exempt {
		if a.IsZero() || seen[a] {
			return bad("exempt account %s is zero or listed twice", a)
		}
		seen[a] = true
	}
	switch r.Kind {
	case KindRequiredClaims, KindJurisdictionAllow, KindJurisdictionBlock, KindDenyList:
		if !slices.Contains([]string{SideSender, SideReceiver, SideBoth}, p.Side) {
			return bad("side %q: want sender, receiver or both", p.Side)
		}
	}
	switch r.Kind {
	case KindRequiredClaims:
		if p.KYCLevel == 0 && len(p.InvestorTypes) == 0 && !p.Jurisdiction && !p.Sanctions {
			return bad("requires nothing: give kyc_level, investor_types, jurisdiction or sanctions_screened")
		}
		if p.KYCLevel > maxKYCLevel {
			return bad("kyc_level %d: want 1 to %d", p.KYCLevel, maxKYCLevel)
		}
		for _, t := range p.InvestorTypes {
			if !slices.Contains(investorTypes, t) {
				return bad("investor type %q: want one of %s", t, strings.Join(investorTypes, ", "))
			}
		}
	case KindJurisdictionAllow, KindJurisdictionBlock:
		if len(p.Jurisdictions) == 0 {
			return bad("no jurisdictions listed")
		}
		for _, j := range p.Jurisdictions {
			if len(j) != 2 || j[0] < 'A' || j[0] > 'Z' || j[1] < 'A' || j[1] > 'Z' {
				return bad("jurisdiction %q: want an ISO 3166-1 alpha-2 code such as DE", j)
			}
		}
	case KindMaxHolders:
		if p.MaxHolders == 0 {
			return bad("max_holders must be at least 1")
		}
	case KindMaxBalance:
		if p.Amount == 0 && p.Bps == 0 {
			return bad("give amount (base units) or bps (basis points of supply)")
		}
		if p.Bps > BpsDenominator {
			return bad("bps %d: want 1 to %d", p.Bps, BpsDenominator)
		}
	case KindLockup:
		if p.Until <= 0 || p.Until > MaxLockup {
			return bad("until %d: want a unix time in seconds", p.Until)
		}
	case KindVelocity:
		if p.Amount == 0 {
			return bad("amount must be at least 1")
		}
		if p.Window < minWindow || p.Window > MaxWindow {
			return bad("window %d s: want %d to %d seconds", p.Window, minWindow, MaxWindow)
		}
	case KindLargeTransfer:
		if p.Amount == 0 {
			return bad("amount must be at least 1")
		}
	}
	return nil
}

// Decision is the engine's answer for one transfer.
type Decision struct {
	Outcome  string    `json:"outcome"`
	Rule     string    `json:"rule,omitempty"`  // the rule that decided (empty for allow)
	Scope    string    `json:"scope,omitempty"` // "chain" or the asset whose rule set holds the rule
	Kind     string    `json:"kind,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	Severity string    `json:"severity,omitempty"` // flag: the alert's severity
	HoldFor  int64     `json:"hold_for,omitempty"` // hold: seconds until it returns
	Hits     []RuleHit `json:"hits"`               // every rule that hit, in evaluation order
}

// RuleHit is one rule that hit during an evaluation.
type RuleHit struct {
	Rule    string `json:"rule"`
	Scope   string `json:"scope"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
}

// Hold statuses.
const (
	HoldOpen     = "open"
	HoldReleased = "released"
	HoldReturned = "returned"
	HoldExpired  = "expired" // returned automatically at its deadline
)

// Hold is an amount taken out of a transfer until a compliance officer decides it.
type Hold struct {
	ID        uint64          `cbor:"1,keyasint" json:"id"`
	From      address.Address `cbor:"2,keyasint" json:"from"`
	To        address.Address `cbor:"3,keyasint" json:"to"`
	Amount    coin.Coin       `cbor:"4,keyasint" json:"amount"`
	Rule      string          `cbor:"5,keyasint" json:"rule"`
	Scope     string          `cbor:"6,keyasint" json:"scope"`
	Reason    string          `cbor:"7,keyasint" json:"reason"`
	Status    string          `cbor:"8,keyasint" json:"status"`
	Height    int64           `cbor:"9,keyasint" json:"height"`
	Time      int64           `cbor:"10,keyasint" json:"time"`     // block time, unix seconds
	Deadline  int64           `cbor:"11,keyasint" json:"deadline"` // unix seconds: returned at the first block at or after it
	DecidedBy address.Address `cbor:"12,keyasint,omitzero" json:"decided_by,omitzero"`
	Decision  string          `cbor:"13,keyasint,omitempty" json:"decision_reason,omitempty"`
	DecidedAt int64           `cbor:"14,keyasint,omitempty" json:"decided_height,omitempty"`
}

// Alert statuses.
const (
	AlertOpen   = "open"
	AlertClosed = "closed"
)

// Alert records a flagged transfer (it moved) for compliance officers and regulators.
type Alert struct {
	ID       uint64          `cbor:"1,keyasint" json:"id"`
	From     address.Address `cbor:"2,keyasint" json:"from"`
	To       address.Address `cbor:"3,keyasint" json:"to"`
	Amount   coin.Coin       `cbor:"4,keyasint" json:"amount"`
	Rule     string          `cbor:"5,keyasint" json:"rule"`
	Scope    string          `cbor:"6,keyasint" json:"scope"`
	Severity string          `cbor:"7,keyasint" json:"severity"`
	Reason   string          `cbor:"8,keyasint" json:"reason"`
	Status   string          `cbor:"9,keyasint" json:"status"`
	Height   int64           `cbor:"10,keyasint" json:"height"`
	Time     int64           `cbor:"11,keyasint" json:"time"`
	ClosedBy address.Address `cbor:"12,keyasint,omitzero" json:"closed_by,omitzero"`
	Note     string          `cbor:"13,keyasint,omitempty" json:"note,omitempty"`
	ClosedAt int64           `cbor:"14,keyasint,omitempty" json:"closed_height,omitempty"`
}

// DenyEntry puts an account on a deny list (the chain's sanctions list, or an asset's).
type DenyEntry struct {
	Asset   string          `cbor:"1,keyasint" json:"asset"` // "" for the chain-wide list
	Account address.Address `cbor:"2,keyasint" json:"account"`
	Reason  string          `cbor:"3,keyasint" json:"reason"`
	By      address.Address `cbor:"4,keyasint" json:"by"`
	Height  int64           `cbor:"5,keyasint" json:"height"`
}

// Freeze stops an account's holding of an asset from moving: all of it (Amount 0; the account
// also receives nothing) or a part (Amount: what must stay).
type Freeze struct {
	Asset   string          `cbor:"1,keyasint" json:"asset"`
	Account address.Address `cbor:"2,keyasint" json:"account"`
	Amount  coin.Amount     `cbor:"3,keyasint,omitempty" json:"amount,omitempty,string"` // 0: the whole balance
	Reason  string          `cbor:"4,keyasint" json:"reason"`
	By      address.Address `cbor:"5,keyasint" json:"by"`
	Height  int64           `cbor:"6,keyasint" json:"height"`
	// Floor is the balance that may not be spent: Amount for a partial freeze, the balance at
	// the freeze for a whole one (the invariant checks the balance never drops below it).
	Floor coin.Amount `cbor:"7,keyasint" json:"floor,string"`
}

// Whole reports whether the freeze covers the whole balance.
func (f Freeze) Whole() bool { return f.Amount == 0 }

// The identity facts rules check (identity owns them; the names are the chain's protocol).
const maxKYCLevel = 3

var investorTypes = []string{"retail", "professional", "accredited", "institutional"}
