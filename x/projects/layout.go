package projects

import "github.com/girder-chain/girder/chain"

// StateLayout describes the module's keys (see chain.StateLayout).
func (*Module) StateLayout() chain.StateLayout {
	return chain.StateLayout{Prefix: StorePrefix[0], Kinds: []chain.StateKind{
		{Prefix: keyProject, Name: "project", New: func() any { return new(Project) }},
		{Prefix: keyStake, Name: "stakeholder", New: func() any { return new(Stakeholder) }},
		{Prefix: keyDoc, Name: "document", New: func() any { return new(Document) }},
		{Prefix: keyDocCur, Name: "current document version", New: func() any { return new(uint32) }},
		{Prefix: keyChange, Name: "stakeholder change", New: func() any { return new(StakeholderChange) }},
		{Prefix: keyChangeOf, Name: "project change index", New: nil},
		{Prefix: keyChangeExp, Name: "change expiry queue entry", New: nil},
		{Prefix: keyEntry, Name: "ledger entry", New: func() any { return new(Entry) }},
		{Prefix: keyAmend, Name: "amendment index", New: nil},
		{Prefix: keyAttest, Name: "attestation", New: func() any { return new(Attestation) }},
		{Prefix: keyTimeline, Name: "timeline record", New: func() any { return new(TimelineRecord) }},
		{Prefix: keyMilestone, Name: "milestone", New: func() any { return new(Milestone) }},
		{Prefix: keyRelease, Name: "release queue entry", New: nil},
		{Prefix: keyLate, Name: "late milestone queue entry", New: nil},
		{Prefix: keyTotals, Name: "totals", New: func() any { return new(Totals) }},
		// The values of the treasury and security indexes are the project id's raw bytes, not
		// CBOR records.
		{Prefix: keyTreasury, Name: "treasury index", New: nil},
		{Prefix: keySecurity, Name: "security index", New: nil},
		{Prefix: keyParam, Name: "parameter", New: func() any { return new(Parameter) }},
		{Prefix: keyParamCur, Name: "current parameter version", New: func() any { return new(uint32) }},
		{Prefix: keyChangeSeq, Name: "change sequence", New: func() any { return new(uint64) }},
		{Prefix: keyParams, Name: "params", New: func() any { return new(Params) }},
	}}
}
