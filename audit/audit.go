// Package audit rebuilds the compliance report of a range of blocks from the chain's own records:
// the compliance and role events in the block results (CometBFT /block_results). A report lists,
// in chain order, every compliance decision other than a plain allow, every hold and how it
// ended, every alert closed, every rule set, deny-list and freeze change, and every role grant
// and revocation, each with its height, block time, tx hash and actor.
//
// A report holds only what every node of the chain agrees on (block heights, block times, tx
// hashes, event attributes, the chain id) and its encodings are canonical, so the report of a
// range is byte-identical whichever node it is read from.
package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Source is what a report is read from: a node's blocks and their results.
type Source interface {
	// Info is the chain id and the heights the node can serve (Earliest to Latest, both
	// included; Latest is a height whose results are stored).
	Info(ctx context.Context) (Info, error)
	// Header is the header of a height.
	Header(ctx context.Context, height int64) (Header, error)
	// Block is a height's header and the hashes of its txs, in block order.
	Block(ctx context.Context, height int64) (Block, error)
	// Results are a height's tx results (in block order) and its end-of-block events.
	Results(ctx context.Context, height int64) (Results, error)
}

// Info is what a node can serve.
type Info struct {
	ChainID  string
	Earliest int64 // the lowest height the node keeps (above 1 on a pruned or state-synced node)
	Latest   int64
}

// Header is what a report needs of a block header.
type Header struct {
	Height int64
	Time   time.Time
	Hash   string // upper-case hex
	// First is true for the chain's first block (it has no previous block): a node whose earliest
	// block is not First has pruned the blocks before it.
	First bool
}

// Block is a block's header and its tx hashes (upper-case hex), in block order.
type Block struct {
	Header
	Txs []string
}

// Results are the results of a block's execution.
type Results struct {
	Txs []TxResult
	End []Event // end-of-block events (finalize_block_events)
}

// TxResult is one tx's result: Code 0 for success.
type TxResult struct {
	Code      uint32
	Codespace string
	Events    []Event
}

// Event is an ABCI event with its attributes in order.
type Event struct {
	Type  string
	Attrs []Attr
}

// Attr is one event attribute.
type Attr struct{ Key, Value string }

func (e Event) get(key string) string {
	for _, a := range e.Attrs {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}

// Event kinds, as shown in a row's event column.
const (
	KindDecision    = "decision"
	KindHoldDecided = "hold_decided"
	KindHoldExpired = "hold_expired"
	KindAlertClosed = "alert_closed"
	KindRulesSet    = "rules_set"
	KindDenied      = "denied"
	KindUndenied    = "undenied"
	KindFrozen      = "frozen"
	KindUnfrozen    = "unfrozen"
	KindRoleGranted = "role_granted"
	KindRoleRevoked = "role_revoked"
)

// Kinds lists the event kinds of a report, in the order its counts are shown.
var Kinds = []string{KindDecision, KindHoldDecided, KindHoldExpired, KindAlertClosed, KindRulesSet,
	KindDenied, KindUndenied, KindFrozen, KindUnfrozen, KindRoleGranted, KindRoleRevoked}

// eventKinds maps the chain's event types to report kinds.
var eventKinds = map[string]string{
	"compliance.decision":     KindDecision,
	"compliance.hold_decided": KindHoldDecided,
	"compliance.hold_expired": KindHoldExpired,
	"compliance.alert_closed": KindAlertClosed,
	"compliance.rules_set":    KindRulesSet,
	"compliance.denied":       KindDenied,
	"compliance.undenied":     KindUndenied,
	"compliance.frozen":       KindFrozen,
	"compliance.unfrozen":     KindUnfrozen,
	"auth.role_granted":       KindRoleGranted,
	"auth.role_revoked":       KindRoleRevoked,
}

// decisionType is the one event type a failed tx contributes: a rejection is recorded in the
// events of the tx it failed.
const decisionType = "compliance.decision"

// Row is one line of a report. Columns that do not apply to an event are empty.
type Row struct {
	Height   int64  `json:"height"`
	Time     string `json:"time"`     // block time, UTC, RFC 3339 with 9 fraction digits
	Tx       string `json:"tx"`       // tx hash, upper-case hex; empty for end-of-block events
	Event    string `json:"event"`    // one of Kinds
	Outcome  string `json:"outcome"`  // decision: reject, hold or flag; hold_decided: release or return
	Rule     string `json:"rule"`     // the rule; rules_set: the set's rule ids, comma-separated
	RuleKind string `json:"kind"`     // decision: the rule's kind (large_transfer, deny_list, …)
	Scope    string `json:"scope"`    // decision, rules_set, denied, undenied: "chain" or a denom; else the asset
	From     string `json:"from"`     // sender of the transfer
	To       string `json:"to"`       // receiver of the transfer
	Account  string `json:"account"`  // the account denied, frozen or given or taken a role
	Amount   string `json:"amount"`   // a coin ("5000ubridge"); frozen: a coin or "all"
	Hold     string `json:"hold"`     // hold id
	Alert    string `json:"alert"`    // alert id
	Severity string `json:"severity"` // the alert's severity
	Deadline string `json:"deadline"` // a hold's deadline, unix seconds
	Role     string `json:"role"`     // role_granted, role_revoked
	Version  string `json:"version"`  // rules_set: the set's new version
	Actor    string `json:"actor"`    // who acted: the officer or admin ("by"); a decision's sender; empty when the chain acted
	Reason   string `json:"reason"`   // reason; alert_closed: the officer's note
}

// Columns are the CSV header: the JSON names of Row's fields, in order.
var Columns = []string{"height", "time", "tx", "event", "outcome", "rule", "kind", "scope", "from", "to",
	"account", "amount", "hold", "alert", "severity", "deadline", "role", "version", "actor", "reason"}

func (r Row) fields() []string {
	return []string{fmt.Sprint(r.Height), r.Time, r.Tx, r.Event, r.Outcome, r.Rule, r.RuleKind, r.Scope, r.From, r.To,
		r.Account, r.Amount, r.Hold, r.Alert, r.Severity, r.Deadline, r.Role, r.Version, r.Actor, r.Reason}
}

// TimeFormat is how block times are shown: UTC, nanoseconds always written out, so that times
// sort as strings.
const TimeFormat = "2006-01-02T15:04:05.000000000Z07:00"

// FormatTime shows a block time as a report does.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// rowOf maps an event to its row; ok is false for events a report leaves out.
func rowOf(e Event) (r Row, ok bool) {
	kind, ok := eventKinds[e.Type]
	if !ok {
		return Row{}, false
	}
	r = Row{Event: kind, Actor: e.get("by"), Reason: e.get("reason")}
	switch kind {
	case KindDecision:
		r.Outcome = e.get("outcome")
		if r.Outcome == "allow" {
			return Row{}, false
		}
		r.Rule, r.RuleKind, r.Scope = e.get("rule"), e.get("kind"), e.get("scope")
		r.From, r.To, r.Amount = e.get("from"), e.get("to"), e.get("amount")
		r.Severity, r.Alert, r.Hold, r.Deadline = e.get("severity"), e.get("alert"), e.get("hold"), e.get("deadline")
		r.Actor = r.From
	case KindHoldDecided, KindHoldExpired:
		r.Hold, r.Outcome, r.Rule, r.Scope = e.get("hold"), e.get("action"), e.get("rule"), e.get("asset")
		r.From, r.To, r.Amount, r.Deadline = e.get("from"), e.get("to"), e.get("amount"), e.get("deadline")
	case KindAlertClosed:
		r.Alert, r.Rule, r.Scope, r.Reason = e.get("alert"), e.get("rule"), e.get("asset"), e.get("note")
	case KindRulesSet:
		r.Scope, r.Version, r.Rule = e.get("scope"), e.get("version"), e.get("rules")
	case KindDenied, KindUndenied:
		r.Scope, r.Account = e.get("scope"), e.get("account")
	case KindFrozen, KindUnfrozen:
		r.Scope, r.Account, r.Amount = e.get("asset"), e.get("account"), e.get("amount")
	case KindRoleGranted, KindRoleRevoked:
		r.Role, r.Account = e.get("role"), e.get("account")
	}
	return r, true
}

// blockRows are the rows of one block, without height, time and tx hash: its txs' in order (a
// failed tx contributes only its decisions), then its end-of-block events. txIndex gives each
// row's tx (-1 for end-of-block events).
func blockRows(res Results) (rows []Row, txIndex []int) {
	for i, tr := range res.Txs {
		for _, e := range tr.Events {
			if tr.Code != 0 && e.Type != decisionType {
				continue
			}
			if r, ok := rowOf(e); ok {
				rows, txIndex = append(rows, r), append(txIndex, i)
			}
		}
	}
	for _, e := range res.End {
		if r, ok := rowOf(e); ok {
			rows, txIndex = append(rows, r), append(txIndex, -1)
		}
	}
	return rows, txIndex
}

// Report is the compliance report of the blocks From to To.
type Report struct {
	ChainID    string         `json:"chain_id"`
	FromHeight int64          `json:"from_height"`
	ToHeight   int64          `json:"to_height"`
	FromTime   string         `json:"from_time"`
	ToTime     string         `json:"to_time"`
	Counts     map[string]int `json:"counts"`   // rows per event kind (every kind, zeros included)
	Outcomes   map[string]int `json:"outcomes"` // decisions per outcome (reject, hold, flag)
	Rows       []Row          `json:"rows"`
}

// Options tune Build.
type Options struct {
	// Progress, when set, is called with the number of heights read so far and the total,
	// every ProgressEvery heights and at the end.
	Progress      func(done, total int64)
	ProgressEvery int64 // default 1000
	// Workers is how many heights are read at once (default 8). The report does not depend on it.
	Workers int
}

// Build reads the results of every height of r and returns their report.
func Build(ctx context.Context, src Source, r Range, o Options) (*Report, error) {
	if r.From.Height < 1 || r.From.Height > r.To.Height {
		return nil, fmt.Errorf("invalid range: heights %d to %d", r.From.Height, r.To.Height)
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 1000
	}
	rep := &Report{ChainID: r.ChainID, FromHeight: r.From.Height, ToHeight: r.To.Height,
		FromTime: FormatTime(r.From.Time), ToTime: FormatTime(r.To.Time),
		Counts: map[string]int{}, Outcomes: map[string]int{"reject": 0, "hold": 0, "flag": 0}, Rows: []Row{}}
	for _, k := range Kinds {
		rep.Counts[k] = 0
	}
	total := r.To.Height - r.From.Height + 1
	const batch = 256
	for start := r.From.Height; start <= r.To.Height; start += batch {
		end := min(start+batch-1, r.To.Height)
		rows, err := readHeights(ctx, src, start, end, o.Workers)
		if err != nil {
			return nil, err
		}
		for i, hr := range rows {
			rep.Rows = append(rep.Rows, hr...)
			done := start + int64(i) - r.From.Height + 1
			if o.Progress != nil && (done%o.ProgressEvery == 0 || done == total) {
				o.Progress(done, total)
			}
		}
	}
	for _, row := range rep.Rows {
		rep.Counts[row.Event]++
		if row.Event == KindDecision {
			rep.Outcomes[row.Outcome]++
		}
	}
	return rep, nil
}

// readHeights reads the rows of heights from..to, workers at a time, and returns them per height.
func readHeights(parent context.Context, src Source, from, to int64, workers int) ([][]Row, error) {
	n := int(to - from + 1)
	rows := make([][]Row, n)
	errs := make([]error, n)
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if rows[i], errs[i] = heightRows(ctx, src, from+int64(i)); errs[i] != nil {
					cancel()
				}
			}
		}()
	}
dispatch:
	for i := 0; i < n; i++ {
		select {
		case next <- i:
		case <-ctx.Done():
			break dispatch
		}
	}
	close(next)
	wg.Wait()
	// The first failure in height order; reads cancelled because of it come after.
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, err
		}
	}
	if err := parent.Err(); err != nil {
		return nil, fmt.Errorf("read heights %d to %d: %w", from, to, err)
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// heightRows reads one height's rows, with the block's time and tx hashes.
func heightRows(ctx context.Context, src Source, h int64) ([]Row, error) {
	res, err := src.Results(ctx, h)
	if err != nil {
		return nil, fmt.Errorf("results of height %d: %w", h, err)
	}
	rows, txIndex := blockRows(res)
	if len(rows) == 0 {
		return []Row{}, nil
	}
	b, err := src.Block(ctx, h)
	if err != nil {
		return nil, fmt.Errorf("block %d: %w", h, err)
	}
	if len(b.Txs) != len(res.Txs) {
		return nil, fmt.Errorf("block %d has %d txs but %d tx results", h, len(b.Txs), len(res.Txs))
	}
	t := FormatTime(b.Time)
	for i := range rows {
		rows[i].Height, rows[i].Time = h, t
		if txIndex[i] >= 0 {
			rows[i].Tx = strings.ToUpper(b.Txs[txIndex[i]])
		}
	}
	return rows, nil
}
