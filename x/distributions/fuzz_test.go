package distributions_test

import (
	"bytes"
	"testing"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/distributions"
)

// fuzzMsgs are the seeds of FuzzDecodeMsg: one valid msg of each distributions type.
func fuzzMsgs() []tx.Msg {
	return []tx.Msg{
		&distributions.MsgCreateCheckpoint{Issuer: issuer, Asset: sec, RecordTime: start.Unix() + 3600},
		&distributions.MsgAppointAgent{Issuer: issuer, Asset: sec, Agent: agent},
		&distributions.MsgRemoveAgent{Issuer: issuer, Asset: sec, Agent: agent},
		&distributions.MsgDeposit{Depositor: agent, Asset: sec, Checkpoint: 3, Amount: eur(1_000_000), Expiry: start.Unix() + 86_400*90,
			TaxAccount: taxman, DefaultBps: 1500, Rates: []distributions.Rate{{Jurisdiction: "DE", Bps: 2638}, {Jurisdiction: "US", Bps: 3000}}, Memo: "FY2025"},
		&distributions.MsgClaim{Holder: alice, Distribution: 7},
		&distributions.MsgPush{Agent: agent, Distribution: 7, Holders: []address.Address{alice, bob, carol}},
		&distributions.MsgReclaim{Issuer: issuer, Distribution: 7},
	}
}

// FuzzDecodeMsg feeds arbitrary bytes to the chain's msg decoder as each distributions msg type
// (the first byte picks the type). Decoding never panics; a msg it accepts is the one canonical
// encoding of its value, and validating it never panics.
func FuzzDecodeMsg(f *testing.F) {
	protos := fuzzMsgs()
	reg := tx.NewRegistry()
	for _, m := range protos {
		reg.Register(m)
	}
	for i, m := range protos {
		b, err := canon.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		if err := m.Validate(); err != nil {
			f.Fatalf("seed %s: %v", m.MsgType(), err)
		}
		f.Add(append([]byte{byte(i)}, b...))
		f.Add(append([]byte{byte(i)}, b[:len(b)/2]...))
	}
	f.Add([]byte{3, 0xa0})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		typ := protos[int(in[0])%len(protos)].MsgType()
		m, err := reg.DecodeMsg(tx.Any{Type: typ, Value: in[1:]})
		if err != nil {
			return
		}
		again, err := canon.Marshal(m)
		if err != nil || !bytes.Equal(again, in[1:]) {
			t.Fatalf("accepted %s re-encodes differently: %x vs %x (%v)", typ, again, in[1:], err)
		}
		_ = m.Validate()
	})
}
