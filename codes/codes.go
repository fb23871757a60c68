// Package codes holds Girder's stable failure codes. A tx or query that fails answers with a
// module name, a code number stable across releases, and a message a person understands. A Go
// error that does not wrap a *Error means "this node is broken", never "this input is bad".
package codes

import (
	"errors"
	"fmt"
	"sort"
)

// Error is a registered failure: Module + Code identify it; Msg explains it.
type Error struct {
	Module string
	Code   uint32
	Desc   string // the registered short description
	Msg    string // the message for this occurrence (Desc plus detail)
}

func (e *Error) Error() string { return e.Msg }

// Is lets errors.Is match any occurrence against its registered kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t != nil && t.Module == e.Module && t.Code == e.Code
}

// Wrapf returns an occurrence of e with detail appended to its description.
func (e *Error) Wrapf(format string, args ...any) *Error {
	c := *e
	c.Msg = e.Desc + ": " + fmt.Sprintf(format, args...)
	return &c
}

// Wrap returns an occurrence of e explained by a lower-level error.
func (e *Error) Wrap(err error) *Error { return e.Wrapf("%v", err) }

type key struct {
	module string
	code   uint32
}

var registry = map[key]*Error{}

// Register declares a failure kind. It panics on a duplicate, at program start.
func Register(module string, code uint32, desc string) *Error {
	if code == 0 {
		panic("codes: code 0 means success")
	}
	k := key{module, code}
	if _, dup := registry[k]; dup {
		panic(fmt.Sprintf("codes: %s/%d registered twice", module, code))
	}
	e := &Error{Module: module, Code: code, Desc: desc, Msg: desc}
	registry[k] = e
	return e
}

// Lookup returns the registered kind of module/code, for clients decoding a result.
func Lookup(module string, code uint32) (*Error, bool) {
	e, ok := registry[key{module, code}]
	return e, ok
}

// All lists every registered kind, sorted by module then code (for docs and tests).
func All() []*Error {
	out := make([]*Error, 0, len(registry))
	for _, e := range registry {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Module != out[j].Module {
			return out[i].Module < out[j].Module
		}
		return out[i].Code < out[j].Code
	})
	return out
}

// As extracts the *Error in err's chain, or Internal when there is none.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal.Wrap(err)
}

// Internal is the code of an error that is not a registered failure.
var Internal = Register("girder", 1, "internal error")
