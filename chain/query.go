package chain

import (
	"net/url"
	"strconv"
	"strings"
)

// Filters are a list query's filters: its data, a URL query string of the allowed keys, with the
// page size read from limit.
type Filters struct {
	url.Values
	Limit int // 1 to the maximum; the default when absent
}

// ParseFilters reads a list query's data, refusing keys other than allowed and a limit outside 1
// to max (def when absent).
func ParseFilters(data []byte, def, max int, allowed ...string) (Filters, error) {
	f := Filters{Limit: def}
	q, err := url.ParseQuery(string(data))
	if err != nil {
		return f, ErrBadQuery.Wrapf("filters: %v", err)
	}
	for key := range q {
		known := false
		for _, a := range allowed {
			known = known || key == a
		}
		if !known {
			return f, ErrBadQuery.Wrapf("unknown filter %q: want %s", key, strings.Join(allowed, ", "))
		}
	}
	f.Values = q
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > max {
			return f, ErrBadQuery.Wrapf("limit %q: want 1 to %d", v, max)
		}
		f.Limit = n
	}
	return f, nil
}

// AfterID is the filter after read as an id (0 when absent): lists continue after it.
func (f Filters) AfterID() (uint64, error) {
	v := f.Get("after")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, ErrBadQuery.Wrapf("after %q: want an id", v)
	}
	return n, nil
}

// ParseID reads a record id of a query path (ids start at 1); what names the record.
func ParseID(s, what string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, ErrBadQuery.Wrapf("%s id %q: want a number from 1", what, s)
	}
	return n, nil
}
