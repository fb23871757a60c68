package assets_test

import (
	"bytes"
	"testing"

	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
)

// FuzzDecodeMsg feeds arbitrary bytes to the chain's msg decoder as each assets msg type (the
// first byte picks the type): decoding never panics, and an accepted msg is the one canonical
// encoding of its value.
func FuzzDecodeMsg(f *testing.F) {
	protos := []tx.Msg{
		bridgeMsg(),
		&assets.MsgMint{Issuer: issuer, Denom: "ubridge", Amount: 5, To: alice},
		&assets.MsgBurn{Issuer: issuer, Denom: "ubridge", Amount: 5},
		&assets.MsgSetDocument{Issuer: issuer, Denom: "ubridge", Name: "prospectus", URI: "ipfs://a", Hash: prospect},
		&assets.MsgRemoveDocument{Issuer: issuer, Denom: "ubridge", Name: "prospectus"},
		&assets.MsgFreeze{Controller: issuer, Denom: "ubridge", Account: alice, Amount: 3, Reason: "r"},
		&assets.MsgUnfreeze{Controller: issuer, Denom: "ubridge", Account: alice, Reason: "r"},
		&assets.MsgForceTransfer{Controller: issuer, Denom: "ubridge", From: alice, To: bob, Amount: 1, Reason: "court"},
		&assets.MsgRecover{Controller: issuer, Denom: "ubridge", From: alice, To: alice2, Reason: "lost"},
		&assets.MsgPause{Controller: issuer, Denom: "ubridge", Reason: "r"},
		&assets.MsgUnpause{Controller: issuer, Denom: "ubridge", Reason: "r"},
	}
	reg := tx.NewRegistry()
	reg.Register(protos...)
	for i, m := range protos {
		b, err := canon.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(append([]byte{byte(i)}, b...))
		f.Add(append([]byte{byte(i)}, b[:len(b)/2]...))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		typ := protos[int(in[0])%len(protos)].MsgType()
		m, err := reg.DecodeMsg(tx.Any{Type: typ, Value: in[1:]})
		if err != nil {
			return
		}
		if again, err := canon.Marshal(m); err != nil || !bytes.Equal(again, in[1:]) {
			t.Fatalf("accepted %s re-encodes differently (%v)", typ, err)
		}
	})
}
