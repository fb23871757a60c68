package fees_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/fees"
)

func TestDefaultParamsValid(t *testing.T) {
	p := fees.DefaultParams()
	if err := p.Validate(); err != nil {
		t.Fatalf("DefaultParams invalid: %v", err)
	}
	if p.Denom != "ugrd" || p.BurnPercent != 50 || p.ChangeDenominator != 8 || p.TargetBlockGas*2 != p.MaxBlockGas {
		t.Fatalf("DefaultParams changed: %+v", p)
	}
	// The package doc's example: a ~250-byte transfer costs ~4,500 gas.
	if g, ok := p.Gas(250, []tx.Msg{&bank.MsgSend{}}); !ok || g != 4_500 {
		t.Fatalf("Gas(250 bytes, send) = %d, %v; want 4500", g, ok)
	}
}

func TestParamsValidate(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(p *fees.Params)
		ok    bool
		inErr string
	}{
		{name: "default", edit: func(p *fees.Params) {}, ok: true},
		{name: "burn 0", edit: func(p *fees.Params) { p.BurnPercent = 0 }, ok: true},
		{name: "burn 100", edit: func(p *fees.Params) { p.BurnPercent = 100 }, ok: true},
		{name: "target equal to max", edit: func(p *fees.Params) { p.TargetBlockGas = p.MaxBlockGas }, ok: true},
		{name: "empty schedule", edit: func(p *fees.Params) { p.Schedule = nil }, ok: true},
		{name: "largest target×denominator", edit: func(p *fees.Params) {
			p.MaxBlockGas, p.TargetBlockGas, p.ChangeDenominator = math.MaxUint64, math.MaxUint64/8, 8
		}, ok: true},

		{name: "empty denom", edit: func(p *fees.Params) { p.Denom = "" }, inErr: "denom"},
		{name: "bad denom", edit: func(p *fees.Params) { p.Denom = "1grd" }, inErr: "denom"},
		{name: "zero max block gas", edit: func(p *fees.Params) { p.MaxBlockGas = 0 }, inErr: "max_block_gas"},
		{name: "zero target", edit: func(p *fees.Params) { p.TargetBlockGas = 0 }, inErr: "target_block_gas"},
		{name: "target above max", edit: func(p *fees.Params) { p.TargetBlockGas = p.MaxBlockGas + 1 }, inErr: "target_block_gas"},
		{name: "zero change denominator", edit: func(p *fees.Params) { p.ChangeDenominator = 0 }, inErr: "change_denominator"},
		{name: "target×denominator overflows", edit: func(p *fees.Params) {
			p.MaxBlockGas, p.TargetBlockGas, p.ChangeDenominator = math.MaxUint64, math.MaxUint64/8+1, 8
		}, inErr: "overflows"},
		{name: "burn 101", edit: func(p *fees.Params) { p.BurnPercent = 101 }, inErr: "burn_percent"},
		{name: "zero min base fee", edit: func(p *fees.Params) { p.MinBaseFee = 0 }, inErr: "min_base_fee"},
		{name: "unsorted schedule", edit: func(p *fees.Params) {
			p.Schedule[0], p.Schedule[1] = p.Schedule[1], p.Schedule[0]
		}, inErr: "sorted"},
		{name: "duplicate schedule entry", edit: func(p *fees.Params) {
			p.Schedule = []fees.MsgGas{{Type: "bank/send", Base: 1}, {Type: "bank/send", Base: 2}}
		}, inErr: "twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := fees.DefaultParams()
			c.edit(&p)
			err := p.Validate()
			if c.ok {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate accepted %+v", p)
			}
			if !strings.Contains(err.Error(), c.inErr) {
				t.Fatalf("error %q does not mention %q", err, c.inErr)
			}
		})
	}
}

// otherMsg is a msg type the schedule does not list.
type otherMsg struct{}

func (otherMsg) MsgType() string         { return "zz/other" }
func (otherMsg) Validate() error         { return nil }
func (otherMsg) Signer() address.Address { return address.Address{} }

// itemizedMsg is an itemized msg type; listed or not depending on the params.
type itemizedMsg struct{ n uint64 }

func (itemizedMsg) MsgType() string             { return "mm/itemized" }
func (itemizedMsg) Validate() error             { return nil }
func (itemizedMsg) Signer() address.Address     { return address.Address{} }
func (m itemizedMsg) GasItems() uint64          { return m.n }
func outputs(n int) *bank.MsgMultiSend          { return &bank.MsgMultiSend{Outputs: make([]bank.Output, n)} }
func withSchedule(s ...fees.MsgGas) fees.Params { p := gasParams(); p.Schedule = s; return p }

func gasParams() fees.Params {
	p := fees.DefaultParams()
	p.TxBaseGas, p.PerByteGas, p.DefaultMsgGas = 1_000, 10, 777
	p.Schedule = []fees.MsgGas{
		{Type: "bank/multi_send", Base: 2_000, PerItem: 300},
		{Type: "bank/send", Base: 1_500},
		{Type: "test/per_item_not_itemized", Base: 5, PerItem: 1_000_000},
	}
	return p
}

type perItemNotItemized struct{}

func (perItemNotItemized) MsgType() string         { return "test/per_item_not_itemized" }
func (perItemNotItemized) Validate() error         { return nil }
func (perItemNotItemized) Signer() address.Address { return address.Address{} }

func TestGas(t *testing.T) {
	const max = math.MaxUint64
	cases := []struct {
		name   string
		p      fees.Params
		bytes  int
		msgs   []tx.Msg
		want   uint64
		wantOK bool
	}{
		{name: "no msgs", p: gasParams(), bytes: 100, want: 1_000 + 1_000, wantOK: true},
		{name: "zero bytes", p: gasParams(), bytes: 0, msgs: []tx.Msg{&bank.MsgSend{}}, want: 1_000 + 1_500, wantOK: true},
		{name: "send", p: gasParams(), bytes: 250, msgs: []tx.Msg{&bank.MsgSend{}}, want: 1_000 + 2_500 + 1_500, wantOK: true},
		{name: "multi_send 1 output", p: gasParams(), bytes: 200, msgs: []tx.Msg{outputs(1)}, want: 1_000 + 2_000 + 2_000 + 300, wantOK: true},
		{name: "multi_send 5 outputs", p: gasParams(), bytes: 200, msgs: []tx.Msg{outputs(5)}, want: 1_000 + 2_000 + 2_000 + 5*300, wantOK: true},
		{name: "multi_send 256 outputs", p: gasParams(), bytes: 0, msgs: []tx.Msg{outputs(256)}, want: 1_000 + 2_000 + 256*300, wantOK: true},
		{name: "unknown type uses DefaultMsgGas", p: gasParams(), bytes: 10, msgs: []tx.Msg{otherMsg{}}, want: 1_000 + 100 + 777, wantOK: true},
		{name: "unknown itemized type: default, no per-item", p: gasParams(), bytes: 10, msgs: []tx.Msg{itemizedMsg{n: 9}}, want: 1_000 + 100 + 777, wantOK: true},
		{name: "listed itemized type", p: withSchedule(fees.MsgGas{Type: "mm/itemized", Base: 40, PerItem: 3}), bytes: 0, msgs: []tx.Msg{itemizedMsg{n: 9}}, want: 1_000 + 40 + 27, wantOK: true},
		{name: "per-item of a msg that has no items", p: gasParams(), bytes: 0, msgs: []tx.Msg{perItemNotItemized{}}, want: 1_000 + 5, wantOK: true},
		{name: "several msgs add up", p: gasParams(), bytes: 300, msgs: []tx.Msg{&bank.MsgSend{}, outputs(2), otherMsg{}, &bank.MsgSend{}},
			want: 1_000 + 3_000 + 1_500 + (2_000 + 600) + 777 + 1_500, wantOK: true},
		{name: "empty schedule", p: withSchedule(), bytes: 1, msgs: []tx.Msg{&bank.MsgSend{}, outputs(3)}, want: 1_000 + 10 + 777 + 777, wantOK: true},
		{name: "exactly the maximum", p: withSchedule(fees.MsgGas{Type: "zz/other", Base: max - 1_000}), bytes: 0, msgs: []tx.Msg{otherMsg{}}, want: max, wantOK: true},

		{name: "per-byte overflow", p: func() fees.Params { p := gasParams(); p.PerByteGas = max; return p }(), bytes: 2, msgs: []tx.Msg{&bank.MsgSend{}}},
		{name: "per-byte overflow, no msgs", p: func() fees.Params { p := gasParams(); p.PerByteGas = max; return p }(), bytes: 2},
		{name: "base + bytes overflow", p: func() fees.Params { p := gasParams(); p.TxBaseGas = max; return p }(), bytes: 1},
		{name: "msg base overflow", p: withSchedule(fees.MsgGas{Type: "zz/other", Base: max - 999}), bytes: 0, msgs: []tx.Msg{otherMsg{}}},
		{name: "default msg gas overflow", p: func() fees.Params { p := gasParams(); p.DefaultMsgGas = max / 2; return p }(), msgs: []tx.Msg{otherMsg{}, otherMsg{}, otherMsg{}}},
		{name: "per-item product overflow", p: withSchedule(fees.MsgGas{Type: "mm/itemized", Base: 1, PerItem: max / 2}), msgs: []tx.Msg{itemizedMsg{n: 3}}},
		{name: "per-item sum overflow", p: withSchedule(fees.MsgGas{Type: "mm/itemized", Base: 1, PerItem: max / 4}), msgs: []tx.Msg{itemizedMsg{n: 4}}},
		{name: "overflow in an early msg is not hidden by later ones", p: withSchedule(fees.MsgGas{Type: "mm/itemized", Base: 1, PerItem: max}), msgs: []tx.Msg{itemizedMsg{n: 2}, otherMsg{}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, ok := c.p.Gas(c.bytes, c.msgs)
			if ok != c.wantOK {
				t.Fatalf("Gas = %d, ok=%v; want ok=%v", g, ok, c.wantOK)
			}
			if ok && g != c.want {
				t.Fatalf("Gas = %d, want %d", g, c.want)
			}
		})
	}
}

func TestNextBaseFee(t *testing.T) {
	def := fees.DefaultParams() // min 10, target 50M, max 100M, denominator 8
	minOne := def
	minOne.MinBaseFee = 1
	const target, full = 50_000_000, 100_000_000
	cases := []struct {
		name string
		p    fees.Params
		base coin.Amount
		used uint64
		want coin.Amount
	}{
		{"at target unchanged", def, 1000, target, 1000},
		{"full block rises by 1/8", def, 1000, full, 1125},
		{"empty block falls by 1/8", def, 1000, 0, 875},
		{"half over target rises by 1/16", def, 1000, target + target/2, 1062},
		{"half under target falls by 1/16", def, 1000, target / 2, 938},
		{"just over target rises by at least 1", def, 1000, target + 1, 1001},
		{"just under target: change rounds to 0", def, 1000, target - 1, 1000},
		{"over-full block bounded to 1/8", def, 1000, 3 * full, 1125},
		{"max uint64 used bounded to 1/8", def, 1000, math.MaxUint64, 1125},
		{"empty block at the floor stays", def, 10, 0, 10},
		{"empty block never below the floor", def, 11, 0, 10},
		{"empty block, 1/8 rounds down", def, 12, 0, 11},
		{"falls to the floor, not below", def, 80, 0, 70},
		{"base 1 full rises to 2", minOne, 1, full, 2},
		{"base 1 empty stays at min 1", minOne, 1, 0, 1},
		{"base 7 full rises by 1 (7/8 rounds to 0)", minOne, 7, full, 8},
		{"base 8 full rises by 1", minOne, 8, full, 9},
		{"base 16 full rises by 2", minOne, 16, full, 18},
		{"large base full", def, 8_000_000_000_000, full, 9_000_000_000_000},
		{"below a raised minimum, full block: to the minimum", def, 4, full, 10},
		{"below a raised minimum, at target: to the minimum", def, 4, target, 10},
		{"below a raised minimum, empty block: to the minimum", def, 4, 0, 10},
		{"max base full saturates", def, coin.MaxAmount, full, coin.MaxAmount},
		{"max base empty falls by 1/8", def, coin.MaxAmount, 0, coin.MaxAmount - coin.MaxAmount/8},
	}
	for _, c := range cases {
		if got := c.p.NextBaseFee(c.base, c.used); got != c.want {
			t.Errorf("%s: NextBaseFee(%d, %d) = %d, want %d", c.name, c.base, c.used, got, c.want)
		}
	}
}

func TestNextBaseFeeBounded(t *testing.T) {
	p := fees.DefaultParams()
	p.MinBaseFee = 1
	uses := []uint64{0, 1, p.TargetBlockGas / 3, p.TargetBlockGas - 1, p.TargetBlockGas, p.TargetBlockGas + 1,
		p.MaxBlockGas - 1, p.MaxBlockGas, p.MaxBlockGas + 1, math.MaxUint64}
	for _, base := range []coin.Amount{1, 2, 7, 8, 9, 100, 1_000, 123_456_789, coin.MaxAmount / 2} {
		for _, used := range uses {
			next := p.NextBaseFee(base, used)
			limit := base / 8
			if limit == 0 {
				limit = 1
			}
			switch {
			case used > p.TargetBlockGas:
				if next <= base || next-base > limit {
					t.Errorf("NextBaseFee(%d, %d) = %d: want a rise of 1..%d", base, used, next, limit)
				}
			case used < p.TargetBlockGas:
				if next > base || base-next > base/8 || next < p.MinBaseFee {
					t.Errorf("NextBaseFee(%d, %d) = %d: want a fall of 0..%d", base, used, next, base/8)
				}
			default:
				if next != base {
					t.Errorf("NextBaseFee(%d, at target) = %d", base, next)
				}
			}
		}
	}
}

func TestSplit(t *testing.T) {
	withBurn := func(pct uint64) fees.Params { p := fees.DefaultParams(); p.BurnPercent = pct; return p }
	cases := []struct {
		name          string
		p             fees.Params
		base          coin.Amount
		gas           uint64
		tip           coin.Amount
		burnt, pooled coin.Amount
	}{
		{"half, even", withBurn(50), 10, 4_500, 0, 22_500, 22_500},
		{"half, with tip", withBurn(50), 10, 4_500, 7, 22_500, 22_507},
		{"odd total rounds burnt down", withBurn(50), 3, 1, 0, 1, 2},
		{"odd total with tip", withBurn(50), 3, 3, 5, 4, 10},
		{"33 percent rounds down", withBurn(33), 1, 10, 0, 3, 7},
		{"99 percent of 1", withBurn(99), 1, 1, 0, 0, 1},
		{"burn 0 pools everything", withBurn(0), 10, 100, 3, 0, 1_003},
		{"burn 100 burns the base, pools the tip", withBurn(100), 10, 100, 3, 1_000, 3},
		{"burn 100 without tip", withBurn(100), 10, 100, 0, 1_000, 0},
		{"zero gas", withBurn(50), 10, 0, 4, 0, 4},
		{"zero base fee", withBurn(50), 0, 100, 4, 0, 4},
		{"max base part, 128-bit intermediate", withBurn(50), coin.MaxAmount, 1, 0, coin.MaxAmount / 2, coin.MaxAmount/2 + 1},
		{"max pooled", withBurn(0), 1, 1, coin.MaxAmount - 1, 0, coin.MaxAmount},
	}
	for _, c := range cases {
		burnt, pooled, err := c.p.Split(c.base, c.gas, c.tip)
		if err != nil {
			t.Errorf("%s: Split: %v", c.name, err)
			continue
		}
		if burnt != c.burnt || pooled != c.pooled {
			t.Errorf("%s: Split(%d, %d, %d) = %d, %d; want %d, %d", c.name, c.base, c.gas, c.tip, burnt, pooled, c.burnt, c.pooled)
		}
		total, _ := c.base.Mul(c.gas)
		total, _ = total.Add(c.tip)
		if sum, err := burnt.Add(pooled); err != nil || sum != total {
			t.Errorf("%s: burnt+pooled = %d, want %d exactly", c.name, sum, total)
		}
	}

	over := []struct {
		name string
		base coin.Amount
		gas  uint64
		tip  coin.Amount
		burn uint64
	}{
		{"base×gas overflows", coin.MaxAmount, 2, 0, 50},
		{"base×gas overflows, large gas", 2, math.MaxUint64, 0, 50},
		{"pooled + tip overflows", 1, 1, coin.MaxAmount, 0},
		{"pooled + tip overflows at half burn", 4, 1, coin.MaxAmount - 1, 50},
	}
	for _, c := range over {
		_, _, err := withBurn(c.burn).Split(c.base, c.gas, c.tip)
		if !errors.Is(err, coin.ErrOverflow) {
			t.Errorf("%s: err = %v, want coin.ErrOverflow", c.name, err)
		}
	}
}
