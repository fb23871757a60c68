package audit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Range is the blocks a report covers, From to To (both included).
type Range struct {
	ChainID  string
	From, To Header
	// Open is true when --to is a date or time after the node's latest block: blocks still to
	// come may fall in the range, so the same request later, or on a node further ahead, gives
	// a longer report.
	Open bool
}

// bound is a parsed --from or --to: a height, or a time the range starts at (from: the first
// block at or after it) or ends before (to: the last block before it).
type bound struct {
	text   string
	height int64
	at     time.Time // from: the range starts at or after it; to: the range ends before it
	isTime bool
	date   bool
}

// ErrBadBound is returned for a --from or --to that is neither a height, a date nor a time.
var ErrBadBound = errors.New("want a height (1234), a date (2024-05-01) or an RFC 3339 time (2024-05-01T12:00:00Z)")

// parseBound reads a height, a date (YYYY-MM-DD, UTC) or an RFC 3339 time. A date as the end
// of a range means the whole day: the range ends before the next day's 00:00 UTC; a time as the
// end is included.
func parseBound(s string, end bool) (bound, error) {
	b := bound{text: s}
	if allDigits(s) {
		h, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return b, fmt.Errorf("%q: %w", s, ErrBadBound)
		}
		if h < 1 {
			return b, fmt.Errorf("height %d: heights start at 1", h)
		}
		b.height = h
		return b, nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		b.isTime, b.date, b.at = true, true, d
		if end {
			b.at = d.AddDate(0, 0, 1)
		}
		return b, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return b, fmt.Errorf("%q: %w", s, ErrBadBound)
	}
	b.isTime, b.at = true, t.UTC()
	if end {
		b.at = b.at.Add(time.Nanosecond)
	}
	return b, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// endText describes the end of a range given as a date or time, for messages.
func (b bound) endText() string {
	if b.date {
		return "the end of " + b.text
	}
	return b.text
}

// Resolve turns --from and --to (to "" means the latest height) into heights the node serves.
// A date or time is resolved by binary search over block times (CometBFT block times only ever
// increase): from is the first block at or after it; a date as to is the last block of that day
// (before the next day's 00:00 UTC), a time as to the last block at or before it. It refuses an
// empty range, heights beyond the latest, and heights (or dates) the node has pruned.
func Resolve(ctx context.Context, src Source, from, to string) (Range, error) {
	fb, err := parseBound(from, false)
	if err != nil {
		return Range{}, fmt.Errorf("--from: %w", err)
	}
	tb := bound{text: "latest"}
	if to != "" {
		if tb, err = parseBound(to, true); err != nil {
			return Range{}, fmt.Errorf("--to: %w", err)
		}
	}
	info, err := src.Info(ctx)
	if err != nil {
		return Range{}, fmt.Errorf("node status: %w", err)
	}
	if info.Latest < 1 || info.Latest < info.Earliest {
		return Range{}, errors.New("the node has no blocks yet")
	}
	if tb.text == "latest" {
		tb.height = info.Latest
	}
	r := &resolver{src: src, info: info, headers: map[int64]Header{}}
	rng := Range{ChainID: info.ChainID}
	fromH, err := r.from(ctx, fb)
	if err != nil {
		return Range{}, fmt.Errorf("--from %s: %w", fb.text, err)
	}
	toH, open, err := r.to(ctx, tb)
	if err != nil {
		return Range{}, fmt.Errorf("--to %s: %w", tb.text, err)
	}
	if fromH > toH {
		if fb.isTime || tb.isTime {
			return Range{}, fmt.Errorf("no block in the range: --from %s is height %d and --to %s is height %d", fb.text, fromH, tb.text, toH)
		}
		return Range{}, fmt.Errorf("--from %d is after --to %d", fromH, toH)
	}
	if rng.From, err = r.header(ctx, fromH); err != nil {
		return Range{}, err
	}
	if rng.To, err = r.header(ctx, toH); err != nil {
		return Range{}, err
	}
	rng.Open = open
	return rng, nil
}

type resolver struct {
	src     Source
	info    Info
	headers map[int64]Header
}

func (r *resolver) header(ctx context.Context, h int64) (Header, error) {
	if hd, ok := r.headers[h]; ok {
		return hd, nil
	}
	hd, err := r.src.Header(ctx, h)
	if err != nil {
		return Header{}, fmt.Errorf("header of height %d: %w", h, err)
	}
	r.headers[h] = hd
	return hd, nil
}

// checkHeight refuses a height the node does not serve.
func (r *resolver) checkHeight(ctx context.Context, h int64) error {
	if h > r.info.Latest {
		return fmt.Errorf("height %d is beyond the latest height %d", h, r.info.Latest)
	}
	if h < r.info.Earliest {
		e, err := r.header(ctx, r.info.Earliest)
		if err != nil {
			return err
		}
		if e.First {
			return fmt.Errorf("height %d is before the chain's first height %d", h, e.Height)
		}
		return fmt.Errorf("height %d is pruned on this node: it keeps heights %d to %d; read the report from a node that keeps older blocks", h, r.info.Earliest, r.info.Latest)
	}
	return nil
}

// firstAtOrAfter is the lowest height whose block time is at or after t; ok is false when the
// latest block is before t.
func (r *resolver) firstAtOrAfter(ctx context.Context, t time.Time) (h int64, ok bool, err error) {
	lo, hi := r.info.Earliest, r.info.Latest+1 // the answer is in [lo, hi]; hi means none
	for lo < hi {
		mid := lo + (hi-lo)/2
		hd, err := r.header(ctx, mid)
		if err != nil {
			return 0, false, err
		}
		if hd.Time.Before(t) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo <= r.info.Latest, nil
}

// prunedBefore refuses a date bound that may fall among blocks the node no longer keeps: its
// earliest block is after t and is not the chain's first.
func (r *resolver) prunedBefore(ctx context.Context, t time.Time, text string) error {
	e, err := r.header(ctx, r.info.Earliest)
	if err != nil {
		return err
	}
	if !e.First && e.Time.After(t) {
		return fmt.Errorf("the node has pruned the blocks before height %d (%s), and some of them may be after %s: read the report from a node that keeps older blocks, or give a height",
			e.Height, FormatTime(e.Time), text)
	}
	return nil
}

func (r *resolver) from(ctx context.Context, b bound) (int64, error) {
	if !b.isTime {
		return b.height, r.checkHeight(ctx, b.height)
	}
	h, ok, err := r.firstAtOrAfter(ctx, b.at)
	if err != nil {
		return 0, err
	}
	if !ok {
		l, err := r.header(ctx, r.info.Latest)
		if err != nil {
			return 0, err
		}
		return 0, fmt.Errorf("no block at or after %s: the latest block, height %d, is at %s", b.text, l.Height, FormatTime(l.Time))
	}
	if h == r.info.Earliest {
		if err := r.prunedBefore(ctx, b.at, b.text); err != nil {
			return 0, err
		}
	}
	return h, nil
}

func (r *resolver) to(ctx context.Context, b bound) (h int64, open bool, err error) {
	if !b.isTime {
		return b.height, false, r.checkHeight(ctx, b.height)
	}
	next, ok, err := r.firstAtOrAfter(ctx, b.at)
	if err != nil {
		return 0, false, err
	}
	if !ok {
		return r.info.Latest, true, nil
	}
	if next == r.info.Earliest {
		e, err := r.header(ctx, next)
		if err != nil {
			return 0, false, err
		}
		if !e.First {
			return 0, false, fmt.Errorf("the last block before %s is pruned on this node: its earliest block, height %d, is at %s; read the report from a node that keeps older blocks",
				b.endText(), e.Height, FormatTime(e.Time))
		}
		return 0, false, fmt.Errorf("no block before %s: the chain's first block, height %d, is at %s", b.endText(), e.Height, FormatTime(e.Time))
	}
	return next - 1, false, nil
}
