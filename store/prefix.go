package store

// Prefixed is a view of a KV under a key prefix: a module sees only its own keys, without the prefix.
type Prefixed struct {
	parent KV
	prefix []byte
}

// Prefix returns the view of kv under prefix.
func Prefix(kv KV, prefix []byte) Prefixed {
	return Prefixed{parent: kv, prefix: prefix}
}

func (p Prefixed) key(k []byte) []byte {
	out := make([]byte, 0, len(p.prefix)+len(k))
	return append(append(out, p.prefix...), k...)
}

func (p Prefixed) Get(key []byte) []byte { return p.parent.Get(p.key(key)) }
func (p Prefixed) Has(key []byte) bool   { return p.parent.Has(p.key(key)) }
func (p Prefixed) Set(key, value []byte) {
	checkKV(key, value)
	p.parent.Set(p.key(key), value)
}
func (p Prefixed) Delete(key []byte) { p.parent.Delete(p.key(key)) }

func (p Prefixed) bounds(start, end []byte) ([]byte, []byte) {
	s := p.key(start)
	var e []byte
	if end != nil {
		e = p.key(end)
	} else {
		e = PrefixEnd(p.prefix)
	}
	return s, e
}

func (p Prefixed) Iterator(start, end []byte) Iterator {
	s, e := p.bounds(start, end)
	return &prefixIter{Iterator: p.parent.Iterator(s, e), n: len(p.prefix)}
}

func (p Prefixed) ReverseIterator(start, end []byte) Iterator {
	s, e := p.bounds(start, end)
	return &prefixIter{Iterator: p.parent.ReverseIterator(s, e), n: len(p.prefix)}
}

type prefixIter struct {
	Iterator
	n int
}

func (i *prefixIter) Key() []byte { return i.Iterator.Key()[i.n:] }
