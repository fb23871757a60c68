package compliance

import (
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
)

// StateLayout describes the module's keys (see chain.StateLayout).
func (*Module) StateLayout() chain.StateLayout {
	return chain.StateLayout{Prefix: StorePrefix[0], Kinds: []chain.StateKind{
		{Prefix: keyRules, Name: "rule set", New: func() any { return new(RuleSet) }},
		{Prefix: keyDeny, Name: "deny entry", New: func() any { return new(DenyEntry) }},
		{Prefix: keyFreeze, Name: "freeze", New: func() any { return new(Freeze) }},
		{Prefix: keyHold, Name: "hold", New: func() any { return new(Hold) }},
		{Prefix: keyHoldOpen, Name: "open hold index", New: nil},
		{Prefix: keyHoldDue, Name: "hold deadline queue entry", New: nil},
		{Prefix: keyHoldAccount, Name: "account hold index", New: nil},
		{Prefix: keyHoldAsset, Name: "asset hold index", New: nil},
		{Prefix: keyAlert, Name: "alert", New: func() any { return new(Alert) }},
		{Prefix: keyAlertOpen, Name: "open alert index", New: nil},
		{Prefix: keyAlertAcct, Name: "account alert index", New: nil},
		{Prefix: keyAlertAsset, Name: "asset alert index", New: nil},
		{Prefix: keyHolding, Name: "holding", New: func() any { return new(coin.Amount) }},
		{Prefix: keyHolders, Name: "holder count", New: func() any { return new(uint64) }},
		{Prefix: keyVelocity, Name: "velocity", New: func() any { return new(Velocity) }},
		{Prefix: keyHoldSeq, Name: "hold sequence", New: func() any { return new(uint64) }},
		{Prefix: keyAlertSeq, Name: "alert sequence", New: func() any { return new(uint64) }},
	}}
}
