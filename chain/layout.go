package chain

// StateLayout describes the keys a module writes: its store prefix (the first byte of every key
// it owns) and the kinds of record under it. The explorer names a tx's state changes with it
// (GET /v1/txs/{hash}/changes), and tests check that every key in state belongs to exactly one
// kind and that its value decodes canonically into that kind's type.
type StateLayout struct {
	Prefix byte
	Kinds  []StateKind
}

// StateKind is one kind of key: the keys that start with Prefix (inside the module's store, after
// its prefix byte) hold values of New's type. New returns a pointer to a fresh value; nil New
// marks an index entry whose value is not a record (empty or a marker byte).
type StateKind struct {
	Prefix []byte
	Name   string // what the record is, e.g. "balance", "account"
	New    func() any
}

// LayoutDescriber is a module that describes its state layout (every module does: a test of
// app/ requires it).
type LayoutDescriber interface {
	StateLayout() StateLayout
}

// Kind finds the kind a key (inside the module's store, prefix byte removed) belongs to: the
// kind with the longest prefix of key.
func (l StateLayout) Kind(key []byte) (StateKind, bool) {
	best, found := StateKind{}, false
	for _, k := range l.Kinds {
		if len(key) >= len(k.Prefix) && string(key[:len(k.Prefix)]) == string(k.Prefix) && (!found || len(k.Prefix) > len(best.Prefix)) {
			best, found = k, true
		}
	}
	return best, found
}
