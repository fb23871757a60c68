package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/fees"
)

// TestEveryModuleDescribesItsLayout: each module describes its keys under its own prefix byte,
// no two owners share a byte, and no kind is unnamed or repeated.
func TestEveryModuleDescribesItsLayout(t *testing.T) {
	h := newHarness(t, store.OpenMemory(), 1, fees.DefaultParams())
	owners := map[byte]string{metaPrefix[0]: "app"}
	for _, m := range h.app.modules {
		d, ok := m.(chain.LayoutDescriber)
		if !ok {
			t.Errorf("module %s does not describe its state layout (chain.LayoutDescriber)", m.Name())
			continue
		}
		l := d.StateLayout()
		if prev, dup := owners[l.Prefix]; dup {
			t.Errorf("modules %s and %s both claim prefix byte %#x", prev, m.Name(), l.Prefix)
		}
		owners[l.Prefix] = m.Name()
		if len(l.Kinds) == 0 {
			t.Errorf("module %s describes no kind of record", m.Name())
		}
		seen := map[string]bool{}
		for _, k := range l.Kinds {
			if k.Name == "" || seen[string(k.Prefix)] {
				t.Errorf("module %s: kind %q with prefix %q is unnamed or repeated", m.Name(), k.Name, k.Prefix)
			}
			seen[string(k.Prefix)] = true
		}
	}
}

// checkLayout scans the whole committed state: every key belongs to an owner's kind and every
// record decodes strictly (canonical, no unknown field) into its kind's type. Scenario tests
// run it after every block (harness.finalize).
func (h *harness) checkLayout() {
	h.t.Helper()
	v, err := h.tree.At(h.tree.Version())
	if err != nil {
		h.t.Fatal(err)
	}
	var bad []string
	it := v.Iterator(nil, nil)
	defer it.Close()
	for ; it.Valid() && len(bad) < 10; it.Next() {
		k, val := it.Key(), it.Value()
		o, ok := h.app.layouts[k[0]]
		if !ok {
			bad = append(bad, fmt.Sprintf("key %x: no owner of prefix byte %#x", k, k[0]))
			continue
		}
		kind, ok := o.layout.Kind(k[1:])
		if !ok {
			bad = append(bad, fmt.Sprintf("%s key %q (%x): no kind in its layout", o.owner, keyText(k[1:]), k))
			continue
		}
		if kind.New == nil {
			continue
		}
		if err := canon.Unmarshal(val, kind.New()); err != nil {
			bad = append(bad, fmt.Sprintf("%s %s key %q: value %x does not decode as %T: %v", o.owner, kind.Name, keyText(k[1:]), val, kind.New(), err))
		}
	}
	if len(bad) > 0 {
		h.t.Fatalf("height %d: state outside the modules' layouts:\n  %s", h.height, strings.Join(bad, "\n  "))
	}
}
