package store

import (
	"bytes"
	"sort"
)

// Cache is a branch of a parent KV: reads fall through to the parent, writes stay in the branch
// until Write applies them to the parent (in key order), or the branch is dropped. A tx runs in a
// Cache over the block's Cache, which runs over the tree: a failed tx writes nothing, and the tree
// sees each key once per block, with its last value.
type Cache struct {
	parent Reader
	sink   KV
	writes map[string]entry
	sorted []string // keys of writes in order; nil when stale
}

type entry struct {
	value   []byte
	deleted bool
}

// NewCache branches parent.
func NewCache(parent KV) *Cache {
	return &Cache{parent: parent, sink: parent, writes: map[string]entry{}}
}

// NewReadCache branches a read-only parent; Write on it panics.
func NewReadCache(parent Reader) *Cache {
	return &Cache{parent: parent, writes: map[string]entry{}}
}

// Get implements Reader.
func (c *Cache) Get(key []byte) []byte {
	if e, ok := c.writes[string(key)]; ok {
		if e.deleted {
			return nil
		}
		return e.value
	}
	return c.parent.Get(key)
}

// Has implements Reader.
func (c *Cache) Has(key []byte) bool { return c.Get(key) != nil }

// Set implements KV.
func (c *Cache) Set(key, value []byte) {
	checkKV(key, value)
	c.put(string(key), entry{value: value})
}

// Delete implements KV.
func (c *Cache) Delete(key []byte) {
	if len(key) == 0 {
		panic("store: empty key")
	}
	c.put(string(key), entry{deleted: true})
}

func (c *Cache) put(k string, e entry) {
	if _, ok := c.writes[k]; !ok {
		c.sorted = nil
	}
	c.writes[k] = e
}

func (c *Cache) keys() []string {
	if c.sorted == nil {
		c.sorted = make([]string, 0, len(c.writes))
		for k := range c.writes {
			c.sorted = append(c.sorted, k)
		}
		sort.Strings(c.sorted)
	}
	return c.sorted
}

// Write applies the branch's writes to its parent in key order and empties the branch.
func (c *Cache) Write() {
	if c.sink == nil {
		panic("store: Write on a read-only branch")
	}
	for _, k := range c.keys() {
		e := c.writes[k]
		if e.deleted {
			c.sink.Delete([]byte(k))
		} else {
			c.sink.Set([]byte(k), e.value)
		}
	}
	c.writes = map[string]entry{}
	c.sorted = nil
}

// Len is the number of keys written in the branch.
func (c *Cache) Len() int { return len(c.writes) }

// Changes lists the branch's writes in key order (Value nil for a deletion); simulate shows them.
func (c *Cache) Changes() []Change {
	out := make([]Change, 0, len(c.writes))
	for _, k := range c.keys() {
		e := c.writes[k]
		out = append(out, Change{Key: []byte(k), Value: e.value, Deleted: e.deleted})
	}
	return out
}

// Change is one write of a branch.
type Change struct {
	Key     []byte
	Value   []byte
	Deleted bool
}

// Iterator implements Reader.
func (c *Cache) Iterator(start, end []byte) Iterator {
	return c.iter(start, end, false)
}

// ReverseIterator implements Reader.
func (c *Cache) ReverseIterator(start, end []byte) Iterator {
	return c.iter(start, end, true)
}

func (c *Cache) iter(start, end []byte, reverse bool) Iterator {
	keys := c.keys()
	lo := 0
	if start != nil {
		lo = sort.SearchStrings(keys, string(start))
	}
	hi := len(keys)
	if end != nil {
		hi = sort.SearchStrings(keys, string(end))
	}
	if hi < lo {
		hi = lo
	}
	own := make([]string, hi-lo)
	copy(own, keys[lo:hi])
	var parent Iterator
	if reverse {
		parent = c.parent.ReverseIterator(start, end)
		for i, j := 0, len(own)-1; i < j; i, j = i+1, j-1 {
			own[i], own[j] = own[j], own[i]
		}
	} else {
		parent = c.parent.Iterator(start, end)
	}
	it := &mergeIter{parent: parent, own: own, writes: c.writes, reverse: reverse}
	it.settle()
	return it
}

// mergeIter merges the parent's iterator with the branch's own sorted writes, hiding deletions.
type mergeIter struct {
	parent  Iterator
	own     []string
	writes  map[string]entry
	reverse bool
	// current position
	key, value []byte
	valid      bool
}

// before reports whether a comes before b in the walk's direction.
func (m *mergeIter) before(a, b []byte) bool {
	if m.reverse {
		return bytes.Compare(a, b) > 0
	}
	return bytes.Compare(a, b) < 0
}

// settle moves to the next visible key at or after the current positions.
func (m *mergeIter) settle() {
	for {
		pv := m.parent.Valid()
		if !pv && len(m.own) == 0 {
			m.valid = false
			return
		}
		var useOwn bool
		switch {
		case !pv:
			useOwn = true
		case len(m.own) == 0:
			useOwn = false
		default:
			ok := []byte(m.own[0])
			pk := m.parent.Key()
			if bytes.Equal(ok, pk) {
				m.parent.Next() // the branch's write shadows the parent's value
				useOwn = true
			} else {
				useOwn = m.before(ok, pk)
			}
		}
		if !useOwn {
			m.key, m.value, m.valid = m.parent.Key(), m.parent.Value(), true
			return
		}
		k := m.own[0]
		e := m.writes[k]
		if e.deleted {
			m.own = m.own[1:]
			continue
		}
		m.key, m.value, m.valid = []byte(k), e.value, true
		return
	}
}

func (m *mergeIter) Valid() bool { return m.valid }

func (m *mergeIter) Next() {
	if !m.valid {
		panic("store: Next on an invalid iterator")
	}
	if len(m.own) > 0 && string(m.key) == m.own[0] {
		m.own = m.own[1:]
	} else {
		m.parent.Next()
	}
	m.settle()
}

func (m *mergeIter) Key() []byte   { return m.key }
func (m *mergeIter) Value() []byte { return m.value }
func (m *mergeIter) Close() error  { return m.parent.Close() }
