package codes_test

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/girder-chain/girder/codes"
)

// Registered in deliberately unsorted order, at program start as real modules do.
var (
	errZ2 = codes.Register("zz_codes_test", 2, "zeta two")
	errA5 = codes.Register("aa_codes_test", 5, "alpha five")
	errA1 = codes.Register("aa_codes_test", 1, "alpha one")
	errM3 = codes.Register("mm_codes_test", 3, "mu three")
	errM2 = codes.Register("mm_codes_test", 2, "mu two")
)

func mustPanic(t *testing.T, name string, fn func()) (msg string) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatalf("%s: no panic", name)
		}
		msg = fmt.Sprint(r)
	}()
	fn()
	return ""
}

func TestRegisterPanics(t *testing.T) {
	if msg := mustPanic(t, "duplicate", func() { codes.Register("aa_codes_test", 5, "again") }); !strings.Contains(msg, "aa_codes_test/5") {
		t.Fatalf("duplicate panic %q does not name the code", msg)
	}
	mustPanic(t, "duplicate of Internal", func() { codes.Register("girder", 1, "again") })
	mustPanic(t, "code 0", func() { codes.Register("zero_codes_test", 0, "success?") })
	// A failed registration must not leave anything behind.
	if _, ok := codes.Lookup("zero_codes_test", 0); ok {
		t.Fatal("code 0 was registered")
	}
	if e, _ := codes.Lookup("aa_codes_test", 5); e != errA5 || e.Desc != "alpha five" {
		t.Fatalf("duplicate registration replaced the original: %+v", e)
	}
}

func TestRegisterFields(t *testing.T) {
	if errA5.Module != "aa_codes_test" || errA5.Code != 5 || errA5.Desc != "alpha five" || errA5.Msg != "alpha five" {
		t.Fatalf("registered %+v", errA5)
	}
	if errA5.Error() != "alpha five" {
		t.Fatalf("Error() = %q", errA5.Error())
	}
}

func TestIsAcrossWrap(t *testing.T) {
	w := errA5.Wrapf("amount %d of %s", 7, "ugrd")
	if w == errA5 {
		t.Fatal("Wrapf returned the registered kind itself")
	}
	if w.Error() != "alpha five: amount 7 of ugrd" {
		t.Fatalf("Wrapf message %q", w.Error())
	}
	if errA5.Msg != "alpha five" {
		t.Fatalf("Wrapf changed the registered kind: %q", errA5.Msg)
	}
	ww := w.Wrapf("again")
	if ww.Error() != "alpha five: again" {
		t.Fatalf("Wrapf of an occurrence %q", ww.Error())
	}
	plain := errors.New("disk on fire")
	wp := errM3.Wrap(plain)
	if wp.Error() != "mu three: disk on fire" {
		t.Fatalf("Wrap message %q", wp.Error())
	}

	cases := []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{"kind itself", errA5, errA5, true},
		{"occurrence matches kind", w, errA5, true},
		{"kind matches occurrence", errA5, w, true},
		{"occurrence of occurrence", ww, errA5, true},
		{"two occurrences", w, ww, true},
		{"Wrap matches kind", wp, errM3, true},
		{"fmt %w chain", fmt.Errorf("handler: %w", w), errA5, true},
		{"double fmt %w chain", fmt.Errorf("a: %w", fmt.Errorf("b: %w", ww)), errA5, true},
		{"errors.Join", errors.Join(plain, w), errA5, true},
		{"other code same module", w, errA1, false},
		{"same code other module", errM2, errZ2, false},
		{"other kind through fmt", fmt.Errorf("x: %w", errM3), errM2, false},
		{"plain error", plain, errA5, false},
		{"Wrap does not wrap the cause", wp, plain, false},
		{"fmt %v loses the kind", fmt.Errorf("x: %v", w), errA5, false},
	}
	for _, c := range cases {
		if got := errors.Is(c.err, c.target); got != c.want {
			t.Errorf("%s: errors.Is(%v, %v) = %v, want %v", c.name, c.err, c.target, got, c.want)
		}
	}
}

func TestAs(t *testing.T) {
	plain := errors.New("disk on fire")
	got := codes.As(plain)
	if got.Module != "girder" || got.Code != 1 || !errors.Is(got, codes.Internal) {
		t.Fatalf("As(plain) = %s/%d, want girder/1", got.Module, got.Code)
	}
	if got.Error() != "internal error: disk on fire" {
		t.Fatalf("As(plain) message %q", got.Error())
	}
	w := errM2.Wrapf("detail")
	wrapped := fmt.Errorf("ctx: %w", w)
	got = codes.As(wrapped)
	if got != w {
		t.Fatalf("As(wrapped) = %+v, want the occurrence %+v", got, w)
	}
	if got.Module != "mm_codes_test" || got.Code != 2 || got.Error() != "mu two: detail" {
		t.Fatalf("As(wrapped) = %+v", got)
	}
	if got := codes.As(errZ2); got != errZ2 {
		t.Fatalf("As(kind) = %+v", got)
	}
}

func TestLookup(t *testing.T) {
	cases := []struct {
		module string
		code   uint32
		want   *codes.Error
	}{
		{"aa_codes_test", 1, errA1},
		{"aa_codes_test", 5, errA5},
		{"mm_codes_test", 3, errM3},
		{"girder", 1, codes.Internal},
		{"aa_codes_test", 2, nil},
		{"nope_codes_test", 1, nil},
		{"AA_codes_test", 1, nil},
	}
	for _, c := range cases {
		got, ok := codes.Lookup(c.module, c.code)
		if ok != (c.want != nil) || got != c.want {
			t.Errorf("Lookup(%s, %d) = %v, %v; want %v", c.module, c.code, got, ok, c.want)
		}
	}
}

func TestAllSorted(t *testing.T) {
	all := codes.All()
	if !sort.SliceIsSorted(all, func(i, j int) bool {
		if all[i].Module != all[j].Module {
			return all[i].Module < all[j].Module
		}
		return all[i].Code < all[j].Code
	}) {
		t.Fatal("All() is not sorted by module then code")
	}
	var mine []string
	seen := map[string]bool{}
	for _, e := range all {
		k := fmt.Sprintf("%s/%d", e.Module, e.Code)
		if seen[k] {
			t.Fatalf("All() lists %s twice", k)
		}
		seen[k] = true
		if strings.HasSuffix(e.Module, "_codes_test") {
			mine = append(mine, k)
		}
	}
	want := []string{"aa_codes_test/1", "aa_codes_test/5", "mm_codes_test/2", "mm_codes_test/3", "zz_codes_test/2"}
	if fmt.Sprint(mine) != fmt.Sprint(want) {
		t.Fatalf("All() test codes = %v, want %v", mine, want)
	}
	if !seen["girder/1"] {
		t.Fatal("All() lacks Internal")
	}
	// All returns a fresh slice: changing it does not change the registry.
	all[0] = nil
	if codes.All()[0] == nil {
		t.Fatal("All() exposes internal storage")
	}
}
