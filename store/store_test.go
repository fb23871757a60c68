package store

import (
	"bytes"
	"fmt"
	"testing"
)

func collect(it Iterator) []string {
	defer it.Close()
	var out []string
	for ; it.Valid(); it.Next() {
		out = append(out, string(it.Key())+"="+string(it.Value()))
	}
	return out
}

func TestCacheBranchAndIteration(t *testing.T) {
	tr := OpenMemory()
	for _, k := range []string{"a", "c", "e", "g"} {
		tr.Set([]byte(k), []byte("t"+k))
	}
	c := NewCache(tr)
	c.Set([]byte("b"), []byte("cb"))
	c.Set([]byte("c"), []byte("cc"))
	c.Delete([]byte("e"))
	c.Set([]byte("h"), []byte("ch"))
	if got := c.Get([]byte("e")); got != nil {
		t.Fatalf("deleted key visible: %q", got)
	}
	if got := string(c.Get([]byte("a"))); got != "ta" {
		t.Fatalf("fallthrough read = %q", got)
	}
	want := []string{"a=ta", "b=cb", "c=cc", "g=tg", "h=ch"}
	if got := collect(c.Iterator(nil, nil)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("iterate = %v, want %v", got, want)
	}
	rev := []string{"h=ch", "g=tg", "c=cc", "b=cb", "a=ta"}
	if got := collect(c.ReverseIterator(nil, nil)); fmt.Sprint(got) != fmt.Sprint(rev) {
		t.Fatalf("reverse = %v, want %v", got, rev)
	}
	if got := collect(c.Iterator([]byte("b"), []byte("g"))); fmt.Sprint(got) != "[b=cb c=cc]" {
		t.Fatalf("range = %v", got)
	}
	// nested branch: dropped inner writes are invisible; written ones land in the outer branch only
	inner := NewCache(c)
	inner.Set([]byte("z"), []byte("dropped"))
	if tr.Has([]byte("z")) || c.Has([]byte("z")) {
		t.Fatal("inner write leaked before Write")
	}
	inner2 := NewCache(c)
	inner2.Delete([]byte("a"))
	inner2.Write()
	if c.Has([]byte("a")) || !tr.Has([]byte("a")) {
		t.Fatal("inner Write should reach the outer branch only")
	}
	c.Write()
	if tr.Has([]byte("a")) || tr.Has([]byte("e")) || string(tr.Get([]byte("h"))) != "ch" {
		t.Fatal("outer Write did not reach the tree")
	}
}

func TestPrefix(t *testing.T) {
	tr := OpenMemory()
	p := Prefix(tr, []byte{0x01})
	q := Prefix(tr, []byte{0x02})
	p.Set([]byte("k1"), []byte("v1"))
	p.Set([]byte("k2"), []byte("v2"))
	q.Set([]byte("k1"), []byte("other"))
	if got := collect(p.Iterator(nil, nil)); fmt.Sprint(got) != "[k1=v1 k2=v2]" {
		t.Fatalf("prefixed iterate = %v", got)
	}
	if got := collect(q.ReverseIterator(nil, nil)); fmt.Sprint(got) != "[k1=other]" {
		t.Fatalf("other prefix = %v", got)
	}
	ff := Prefix(tr, []byte{0xff, 0xff})
	ff.Set([]byte("x"), []byte("y"))
	if got := collect(ff.Iterator(nil, nil)); fmt.Sprint(got) != "[x=y]" {
		t.Fatalf("0xff prefix = %v", got)
	}
}

func TestCommitVersionsProofsAndReopen(t *testing.T) {
	dir := t.TempDir()
	tr, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	tr.SetInitialVersion(5)
	tr.Set([]byte("k"), []byte("v5"))
	wh := tr.WorkingHash()
	h5, v, err := tr.Commit()
	if err != nil || v != 5 || !bytes.Equal(h5, wh) {
		t.Fatalf("commit = %x %d %v (working %x)", h5, v, err, wh)
	}
	tr.Set([]byte("k"), []byte("v6"))
	tr.Set([]byte("j"), []byte("new"))
	h6, _, err := tr.Commit()
	if err != nil {
		t.Fatal(err)
	}
	view5, err := tr.At(5)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(view5.Get([]byte("k"))); got != "v5" {
		t.Fatalf("At(5) k = %q", got)
	}
	val, proof, err := view5.Prove([]byte("k"))
	if err != nil || !VerifyProof(h5, proof, []byte("k"), val) {
		t.Fatalf("membership proof failed: %v", err)
	}
	if VerifyProof(h6, proof, []byte("k"), val) {
		t.Fatal("proof verified against the wrong root")
	}
	_, absent, err := view5.Prove([]byte("j"))
	if err != nil || !VerifyProof(h5, absent, []byte("j"), nil) {
		t.Fatalf("absence proof failed: %v", err)
	}
	if _, err := tr.At(99); err == nil {
		t.Fatal("At(99) should fail")
	}
	tr.Set([]byte("uncommitted"), []byte("x"))
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	tr2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tr2.Close()
	if tr2.Version() != 6 || !bytes.Equal(tr2.Hash(), h6) {
		t.Fatalf("reopened at %d %x, want 6 %x", tr2.Version(), tr2.Hash(), h6)
	}
	if tr2.Has([]byte("uncommitted")) {
		t.Fatal("uncommitted write survived a restart")
	}
}

func TestSameWritesSameHash(t *testing.T) {
	hash := func(order []int) []byte {
		tr := OpenMemory()
		c := NewCache(tr)
		for _, i := range order {
			c.Set([]byte(fmt.Sprintf("key%03d", i)), []byte{byte(i)})
		}
		c.Write() // the branch writes in key order, so the tree's shape does not depend on order
		h, _, err := tr.Commit()
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	a := hash([]int{1, 2, 3, 4, 5, 6, 7, 8, 9})
	b := hash([]int{9, 3, 7, 1, 5, 2, 8, 4, 6})
	if !bytes.Equal(a, b) {
		t.Fatalf("hash depends on write order within a block: %x vs %x", a, b)
	}
}
