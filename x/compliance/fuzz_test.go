package compliance_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/compliance"
)

// fuzzMsgs are the seeds of FuzzDecodeMsg: one valid msg of each compliance type.
func fuzzMsgs() []tx.Msg {
	return []tx.Msg{
		&compliance.MsgSetRules{Officer: officer, Asset: "ubridge", Rules: []compliance.Rule{
			rule("kyc", compliance.KindRequiredClaims, "reject", compliance.Params{Side: "both", KYCLevel: 2, InvestorTypes: []string{"professional"}, Exempt: []address.Address{issuer}}),
			rule("big", compliance.KindLargeTransfer, "hold", compliance.Params{Amount: 50_000, HoldFor: 3600, Reason: "review"}),
			rule("daily", compliance.KindVelocity, "flag", compliance.Params{Amount: 1_000, Window: 86_400, Severity: "high"}),
			rule("lock", compliance.KindLockup, "reject", compliance.Params{Until: start.Add(24 * time.Hour).Unix()}),
		}},
		&compliance.MsgDeny{Officer: officer, Account: carol, Reason: "OFAC"},
		&compliance.MsgUndeny{Officer: officer, Asset: "ubridge", Account: carol, Reason: "delisted"},
		&compliance.MsgFreeze{Officer: officer, Asset: "ubridge", Account: alice, Amount: 5, Reason: "court"},
		&compliance.MsgUnfreeze{Officer: officer, Asset: "ubridge", Account: alice, Reason: "lifted"},
		&compliance.MsgDecideHold{Officer: officer, Hold: 7, Action: "release", Reason: "ok"},
		&compliance.MsgCloseAlert{Officer: officer, Alert: 3, Note: "fine"},
	}
}

// FuzzDecodeMsg feeds arbitrary bytes to the chain's msg decoder as each compliance msg type
// (the first byte picks the type). Decoding never panics; a msg it accepts is the one canonical
// encoding of its value, and validating its rules never panics.
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
		f.Add(append([]byte{byte(i)}, b...))
		f.Add(append([]byte{byte(i)}, b[:len(b)/2]...))
	}
	f.Add([]byte{0, 0xa0})
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
		if sr, ok := m.(*compliance.MsgSetRules); ok {
			for _, r := range sr.Rules {
				_ = r.Validate(sr.Asset, ugrd)
			}
		}
	})
}
