// Package chain holds what every module plugs into: the execution context a handler runs in
// (state branch, block height and time, events), events, and the contracts of msg routes,
// queries, genesis and invariants that app/ wires together.
package chain

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
)

// Mode says why state is being run.
type Mode uint8

const (
	ModeDeliver  Mode = iota // a block being finalized
	ModeCheck                // mempool admission
	ModeSimulate             // a dry run
	ModeQuery                // a read-only query
)

// Context is what a handler sees: the state branch it may write, the block it runs in and the
// event sink. It is passed by value; handlers never keep it.
type Context struct {
	kv      store.KV
	Height  int64
	Time    time.Time // the block time (never the wall clock)
	ChainID string
	Mode    Mode
	events  *[]Event
	kept    *[]Event
}

// NewContext makes a context over kv.
func NewContext(kv store.KV, height int64, t time.Time, chainID string, mode Mode) Context {
	return Context{kv: kv, Height: height, Time: t, ChainID: chainID, Mode: mode, events: new([]Event), kept: new([]Event)}
}

// WithKV returns a copy of c over another branch, with its own event list.
func (c Context) WithKV(kv store.KV) Context {
	c.kv = kv
	c.events = new([]Event)
	c.kept = new([]Event)
	return c
}

// KV is the whole state branch (app/ only; modules use Store).
func (c Context) KV() store.KV { return c.kv }

// Store is the module-owned part of state under prefix.
func (c Context) Store(prefix []byte) store.KV { return store.Prefix(c.kv, prefix) }

// Emit records an event.
func (c Context) Emit(e Event) { *c.events = append(*c.events, e) }

// EmitKept records an event that is kept even when the tx fails (its state changes are still
// discarded): a refusal worth recording, such as a compliance rejection.
func (c Context) EmitKept(e Event) {
	*c.events = append(*c.events, e)
	*c.kept = append(*c.kept, e)
}

// Kept returns the events emitted with EmitKept so far.
func (c Context) Kept() []Event { return *c.kept }

// Events returns the events emitted so far.
func (c Context) Events() []Event { return *c.events }

// Event is a typed state change notice, "<module>.<what>", with ordered attributes.
type Event struct {
	Type  string `json:"type"`
	Attrs []Attr `json:"attributes"`
}

// Attr is one event attribute. Indexed attributes can be searched (tx search, subscriptions).
type Attr struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Index bool   `json:"-"`
}

// NewEvent builds an event from key/value pairs; every attribute is indexed.
func NewEvent(typ string, kv ...string) Event {
	e := Event{Type: typ, Attrs: make([]Attr, 0, len(kv)/2)}
	for i := 0; i+1 < len(kv); i += 2 {
		e.Attrs = append(e.Attrs, Attr{Key: kv[i], Value: kv[i+1], Index: true})
	}
	return e
}

// Uint formats a number for an event attribute.
func Uint[T ~uint64 | ~uint32 | ~int64](v T) string { return strconv.FormatUint(uint64(v), 10) }

// Unix shows unix seconds as an RFC 3339 UTC time, for messages and events.
func Unix(t int64) string { return time.Unix(t, 0).UTC().Format(time.RFC3339) }

// Route handles one msg type.
type Route struct {
	// Msg is a prototype (pointer to a zero value) of the msg type.
	Msg tx.Msg
	// Handle executes the msg. A returned *codes.Error is a tx failure; any other error halts.
	Handle func(ctx Context, m tx.Msg) error
}

// Module is a domain state machine.
type Module interface {
	Name() string
	// Routes lists the msgs the module handles.
	Routes() []Route
	// InitGenesis loads the module's genesis state (JSON) into ctx.
	InitGenesis(ctx Context, raw json.RawMessage) error
	// ExportGenesis writes the module's state as genesis JSON.
	ExportGenesis(ctx Context) (json.RawMessage, error)
	// Query answers a read-only query; path is what follows "/<module>/" split on '/'.
	Query(ctx Context, path []string, data []byte) (any, error)
	// Invariants are checked by tests after every block.
	Invariants() []Invariant
}

// EndBlocker is a module with work at the end of every block (after the block's txs).
type EndBlocker interface {
	EndBlock(ctx Context) error
}

// Invariant checks a property of the whole state; a non-nil error is a broken invariant.
type Invariant struct {
	Name  string
	Check func(ctx Context) error
}

// ErrNotFound and ErrBadQuery are the common query failures.
var (
	ErrNotFound = codes.Register("query", 2, "not found")
	ErrBadQuery = codes.Register("query", 3, "bad query")
)

// DecodeGenesis decodes a module's genesis JSON, refusing unknown fields and trailing data.
func DecodeGenesis(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the genesis object")
	}
	return nil
}

// QueryRoute publishes a module query on the REST API as GET /v1<Path>: path parameters
// ("{address}") are substituted into Query, the module query path ("/auth/account/{address}").
// The API's description (OpenAPI) is generated from these routes.
type QueryRoute struct {
	Path     string
	Query    string
	Summary  string
	Response any // a value of the answer's type, for the API description
	// Params are optional query-string parameters, passed to the module query as its data in
	// URL query encoding ("asset=x&status=open", sorted by name).
	Params []QueryParam
}

// QueryParam is an optional query-string parameter of a published query.
type QueryParam struct {
	Name        string
	Description string
}

// RouteProvider is a module that publishes queries on the REST API.
type RouteProvider interface {
	QueryRoutes() []QueryRoute
}
