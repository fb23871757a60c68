// Package chaintest holds what modules' unit tests share: a fresh in-memory chain.Context,
// genesis JSON, running a msg as the app does, and the check that an invariant notices a
// corruption of the state. It is used only by tests.
package chaintest

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
)

// ChainID is the chain id of Context's contexts, and Time their block time.
const ChainID = "test-chain"

var Time = time.Unix(0, 0)

// GRD is the chain's coin: ugrd, displayed as GRD with 6 decimals.
var GRD = coin.Unit{Base: "ugrd", Display: "GRD", Exponent: 6}

// Context is a deliver-mode context at height 1 over a fresh in-memory store, behind a
// store.Cache (so a test can read what was written).
func Context() chain.Context {
	return chain.NewContext(store.NewCache(store.OpenMemory()), 1, Time, ChainID, chain.ModeDeliver)
}

// GenesisJSON is v as JSON (a module's genesis); it fails the test when v does not marshal.
func GenesisJSON(t testing.TB, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// InvariantCatches fails the test unless inv holds on ctx as it is (after the test's ordinary
// operations) and, once corrupt has run, fails with an error that mentions wantInErr.
func InvariantCatches(t testing.TB, inv chain.Invariant, ctx chain.Context, corrupt func(), wantInErr string) {
	t.Helper()
	if err := inv.Check(ctx); err != nil {
		t.Fatalf("invariant after ordinary ops: %v", err)
	}
	corrupt()
	err := inv.Check(ctx)
	if err == nil {
		t.Fatal("invariant passed on corrupt state")
	}
	if !strings.Contains(err.Error(), wantInErr) {
		t.Fatalf("invariant error %q does not mention %q", err, wantInErr)
	}
}

// All folds every invariant of a module into one, whose error names the invariant that broke.
func All(m chain.Module) chain.Invariant {
	return chain.Invariant{Name: m.Name() + "/all", Check: func(ctx chain.Context) error {
		for _, inv := range m.Invariants() {
			if err := inv.Check(ctx); err != nil {
				return fmt.Errorf("%s: %w", inv.Name, err)
			}
		}
		return nil
	}}
}

// RunMsg executes m as the app does: validated, then handled in a branch of ctx's store that is
// written only on success. It returns the events of a success, or the kept events (decisions that
// outlive a failed tx) with the failure.
func RunMsg(ctx chain.Context, handle func(chain.Context, tx.Msg) error, m tx.Msg) ([]chain.Event, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	br := store.NewCache(ctx.KV())
	bctx := ctx.WithKV(br)
	if err := handle(bctx, m); err != nil {
		return bctx.Kept(), err
	}
	br.Write()
	return bctx.Events(), nil
}

// MsgFails runs m as RunMsg does and fails the test unless it fails with code want, saying
// inMsg, and leaves every key of ctx's store as it was.
func MsgFails(t testing.TB, ctx chain.Context, handle func(chain.Context, tx.Msg) error, m tx.Msg, want *codes.Error, inMsg string) {
	t.Helper()
	before := Digest(ctx.KV())
	_, err := RunMsg(ctx, handle, m)
	if err == nil || !errors.Is(err, want) || !strings.Contains(err.Error(), inMsg) {
		t.Fatalf("%s: got %v, want %s/%d saying %q", m.MsgType(), err, want.Module, want.Code, inMsg)
	}
	if Digest(ctx.KV()) != before {
		t.Fatalf("%s failed but changed the state", m.MsgType())
	}
}

// Digest is a hash of every key and value of a store, in key order.
func Digest(kv store.KV) [32]byte {
	h := sha256.New()
	it := kv.Iterator(nil, nil)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		h.Write([]byte(strconv.Itoa(len(it.Key()))))
		h.Write(it.Key())
		h.Write([]byte(strconv.Itoa(len(it.Value()))))
		h.Write(it.Value())
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// FuzzQuery runs a fuzzed query (path split at "/", data a query string) against m: a refusal
// must carry the query code space or module's; an answer must encode to JSON. It returns the
// answer (nil when refused), the data's filters and the page size asked for (100 when absent).
func FuzzQuery(t testing.TB, m chain.Module, ctx chain.Context, module, path, data string) (any, url.Values, int) {
	t.Helper()
	v, err := m.Query(ctx, strings.Split(path, "/"), []byte(data))
	if err != nil {
		if c := codes.As(err); c == nil || (c.Module != "query" && c.Module != module) {
			t.Fatalf("%q %q: error %v", path, data, err)
		}
		return nil, nil, 0
	}
	if _, err := json.Marshal(v); err != nil {
		t.Fatalf("%q %q: answer to JSON: %v", path, data, err)
	}
	q, _ := url.ParseQuery(data) // the query accepted it
	limit := 100
	if l := q.Get("limit"); l != "" {
		limit, _ = strconv.Atoi(l)
	}
	return v, q, limit
}

// InBranch runs f on a fresh branch of ctx's store, dropped afterwards (a benchmark's op that must
// not change the state the next one meets).
func InBranch(ctx chain.Context, f func(ctx chain.Context)) {
	f(ctx.WithKV(store.NewCache(ctx.KV())))
}

// Meter times a baseline op (e.g. a plain bank Send), each run in a fresh branch of a state, so a
// benchmark can quote its own figures as ratios against it, measured in the same run.
type Meter struct {
	t   testing.TB
	ctx chain.Context
	op  func(chain.Context) error
	ns  time.Duration
	n   int
}

// NewMeter makes a meter of op on ctx's state.
func NewMeter(t testing.TB, ctx chain.Context, op func(chain.Context) error) *Meter {
	return &Meter{t: t, ctx: ctx, op: op}
}

// Run times k runs of the op; the caller stops the benchmark timer around it.
func (m *Meter) Run(k int) {
	for i := 0; i < k; i++ {
		t0 := time.Now()
		InBranch(m.ctx, func(ctx chain.Context) {
			if err := m.op(ctx); err != nil {
				m.t.Fatal(err)
			}
		})
		m.ns += time.Since(t0)
		m.n++
	}
}

// Reset forgets the runs so far (after a warm-up).
func (m *Meter) Reset() { m.ns, m.n = 0, 0 }

// Mean is the ns of one run of the op.
func (m *Meter) Mean() float64 { return float64(m.ns.Nanoseconds()) / float64(m.n) }
