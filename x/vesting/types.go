package vesting

import (
	"math/bits"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
)

// Limits.
const (
	// MaxDuration is the longest schedule, end − start: five years with their leap days (1,827 days).
	MaxDuration = 1_827 * 24 * 3600
	// MaxStartAhead is how far after the block time a schedule may start (one year and a day).
	MaxStartAhead = 366 * 24 * 3600
	// MaxLiveGrants is the most grants still vesting an account may hold in one denom: Locked, and
	// so every transfer and fee check of the account, reads at most this many grants.
	MaxLiveGrants = 64
	// MaxPeriods is the most periods of a periodic schedule (monthly for five years is 60).
	MaxPeriods = 128
	// MaxReleasesPerBlock bounds the end-of-block release of ended grants (the rest wait a block;
	// an ended grant locks nothing meanwhile).
	MaxReleasesPerBlock = 1_000
	MaxMemoLen          = 256 // bytes of a grant's memo
	MaxReasonLen        = 256 // bytes of a clawback's reason
	defaultPageSize     = 100
	maxPageSize         = 500
	maxTime             = int64(1) << 40 // a time must be a plausible unix time (seconds)
)

// Schedule kinds.
const (
	KindLinear   = "linear"   // nothing before Cliff, then linear from Start to End
	KindPeriodic = "periodic" // each period's amount vests at its time
)

// Grant statuses.
const (
	StatusVesting    = "vesting"     // part of it may still be locked
	StatusVested     = "vested"      // its schedule ended: nothing locked (set at the end of a block)
	StatusClawedBack = "clawed_back" // the grantor took back the unvested part; the vested part stayed
)

// Period is one step of a periodic schedule: Amount vests at Time (unix seconds).
type Period struct {
	Time   int64       `cbor:"1,keyasint" json:"time"`
	Amount coin.Amount `cbor:"2,keyasint" json:"amount,string"`
}

// Schedule says how a grant vests. Linear: nothing before Cliff; from Cliff on, the vested part
// is floor(total × (t − Start) / (End − Start)) (exact, 128-bit product), all of it from End.
// Periodic: the sum of the amounts of the periods whose time has come; Start is when the
// schedule begins (no period before it), and it ends at the last period.
type Schedule struct {
	Kind    string   `cbor:"1,keyasint" json:"kind"`
	Start   int64    `cbor:"2,keyasint" json:"start"`
	Cliff   int64    `cbor:"3,keyasint,omitempty" json:"cliff,omitempty"`
	End     int64    `cbor:"4,keyasint,omitempty" json:"end,omitempty"`
	Periods []Period `cbor:"5,keyasint,omitempty" json:"periods,omitempty"`
}

// EndTime is when the whole schedule has vested.
func (s Schedule) EndTime() int64 {
	if s.Kind == KindPeriodic {
		if len(s.Periods) == 0 {
			return s.Start
		}
		return s.Periods[len(s.Periods)-1].Time
	}
	return s.End
}

// validate checks a schedule of total (stateless).
func (s Schedule) validate(total coin.Amount) error {
	if s.Start <= 0 || s.Start > maxTime {
		return ErrInvalidMsg.Wrapf("start %d: want a unix time in seconds", s.Start)
	}
	switch s.Kind {
	case KindLinear:
		if len(s.Periods) != 0 {
			return ErrInvalidMsg.Wrapf("a linear schedule has no periods")
		}
		if s.End <= s.Start || s.End > maxTime {
			return ErrInvalidMsg.Wrapf("end %d: want a unix time after the start %d", s.End, s.Start)
		}
		if s.Cliff != 0 && (s.Cliff < s.Start || s.Cliff > s.End) {
			return ErrInvalidMsg.Wrapf("cliff %d: want 0 (none) or a time from the start %d to the end %d", s.Cliff, s.Start, s.End)
		}
	case KindPeriodic:
		if s.Cliff != 0 || s.End != 0 {
			return ErrInvalidMsg.Wrapf("a periodic schedule has no cliff or end: it ends at its last period")
		}
		if len(s.Periods) == 0 || len(s.Periods) > MaxPeriods {
			return ErrInvalidMsg.Wrapf("%d periods: want 1 to %d", len(s.Periods), MaxPeriods)
		}
		var sum coin.Amount
		prev := s.Start - 1
		for i, p := range s.Periods {
			if p.Time <= prev || p.Time > maxTime {
				return ErrInvalidMsg.Wrapf("period %d at %d: periods are in increasing time order, from the start %d", i, p.Time, s.Start)
			}
			if p.Amount == 0 {
				return ErrInvalidMsg.Wrapf("period %d: amount must be positive", i)
			}
			var err error
			if sum, err = sum.Add(p.Amount); err != nil {
				return ErrInvalidMsg.Wrapf("periods: %v", err)
			}
			prev = p.Time
		}
		if sum != total {
			return ErrInvalidMsg.Wrapf("the periods add up to %d, the grant is of %d", sum, total)
		}
	default:
		return ErrInvalidMsg.Wrapf("schedule kind %q: want %s or %s", s.Kind, KindLinear, KindPeriodic)
	}
	if d := s.EndTime() - s.Start; d > MaxDuration {
		return ErrInvalidMsg.Wrapf("schedule lasts %d days: at most %d (5 years)", d/86400+1, MaxDuration/86400)
	}
	return nil
}

// vested is the part of total the schedule has vested at t (unix seconds), never more than total.
func (s Schedule) vested(total coin.Amount, t int64) coin.Amount {
	switch s.Kind {
	case KindLinear:
		if t < s.Start || t < s.Cliff {
			return 0
		}
		if t >= s.End {
			return total
		}
		// t − Start < End − Start: the quotient is below total and fits.
		hi, lo := bits.Mul64(uint64(total), uint64(t-s.Start))
		q, _ := bits.Div64(hi, lo, uint64(s.End-s.Start))
		return coin.Amount(q)
	case KindPeriodic:
		var sum coin.Amount
		for _, p := range s.Periods {
			if p.Time > t {
				break
			}
			n, err := sum.Add(p.Amount)
			if err != nil || n > total {
				return total
			}
			sum = n
		}
		return sum
	}
	return 0
}

// Grant is an amount an account received from a grantor, locked in its balance until it vests.
type Grant struct {
	ID       uint64          `cbor:"1,keyasint" json:"id"`
	Grantor  address.Address `cbor:"2,keyasint" json:"grantor"`
	Grantee  address.Address `cbor:"3,keyasint" json:"grantee"`
	Amount   coin.Coin       `cbor:"4,keyasint" json:"amount"` // granted
	Schedule Schedule        `cbor:"5,keyasint" json:"schedule"`
	// Clawback: the grantor may take back the unvested part.
	Clawback bool   `cbor:"6,keyasint,omitempty" json:"clawback"`
	Memo     string `cbor:"7,keyasint,omitempty" json:"memo,omitempty"`
	Status   string `cbor:"8,keyasint" json:"status"`
	// ClawedBack is what the grantor took back (the part unvested at ClawedAt).
	ClawedBack    coin.Amount `cbor:"9,keyasint,omitempty" json:"clawed_back,string"`
	ClawedAt      int64       `cbor:"10,keyasint,omitempty" json:"clawed_at,omitempty"`
	Reason        string      `cbor:"11,keyasint,omitempty" json:"clawback_reason,omitempty"`
	CreatedHeight int64       `cbor:"12,keyasint" json:"created_height"`
	CreatedTime   int64       `cbor:"13,keyasint" json:"created_time"`
}

// Vested is the part of the grant vested at t: what the schedule vested, never more than what
// was not clawed back (after a clawback, the part vested at the clawback).
func (g Grant) Vested(t int64) coin.Amount {
	v := g.Schedule.vested(g.Amount.Amount, t)
	if kept := g.Kept(); v > kept {
		return kept
	}
	return v
}

// Kept is what the grantee keeps of the grant: granted − clawed back.
func (g Grant) Kept() coin.Amount {
	if g.ClawedBack > g.Amount.Amount {
		return 0
	}
	return g.Amount.Amount - g.ClawedBack
}

// Locked is the part of the grant locked at t: granted − vested − clawed back.
func (g Grant) Locked(t int64) coin.Amount { return g.Kept() - g.Vested(t) }
