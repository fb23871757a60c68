package governance_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/chain/chaintest"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/fees"
	"github.com/girder-chain/girder/x/governance"
)

// fuzzMsgs are the seeds of FuzzDecodeMsg: a valid msg of each governance type.
func fuzzMsgs(t testing.TB) []tx.Msg {
	return []tx.Msg{
		&governance.MsgSubmit{Proposer: alice, DAO: sec, Title: "Pay the builder", Summary: "Milestone 2", Msgs: pack(t, spend(payee, 5))},
		&governance.MsgVote{Voter: alice, Proposal: 3, Option: governance.OptionVeto},
		&governance.MsgDelegate{Delegator: bob, Denom: sec, Delegate: dave},
		&governance.MsgUndelegate{Delegator: bob, Denom: sec},
		&governance.MsgApprove{Agency: ministry, Proposal: 2},
		&governance.MsgSetDAOParams{Authority: dao, Denom: sec, Params: governance.DefaultDAOParams()},
		&governance.MsgSetChainParams{Authority: authority.Chain, Params: governance.DefaultChainParams()},
		&governance.MsgSetDAODefaults{Authority: authority.Chain, Params: governance.DefaultDAOParams()},
		&governance.MsgSetFeeParams{Authority: authority.Chain, Params: fees.DefaultParams()},
		&governance.MsgSetBlockParams{Authority: authority.Chain, MaxBytes: 4 << 20, MaxGas: -1},
		&governance.MsgScheduleUpgrade{Authority: authority.Chain, Name: "v2.1", Height: 1_000, Info: "https://example.org/v2.1"},
		&governance.MsgCancelUpgrade{Authority: authority.Chain},
	}
}

// FuzzDecodeMsg feeds arbitrary bytes to the chain's msg decoder as each governance msg type
// (the first byte picks the type). Decoding never panics; a msg it accepts is the one canonical
// encoding of its value, and its Validate, Signer and GasItems never panic.
func FuzzDecodeMsg(f *testing.F) {
	protos := fuzzMsgs(f)
	reg := tx.NewRegistry()
	for _, r := range governance.NewModule(governance.Keeper{}).Routes() {
		reg.Register(r.Msg)
	}
	for i, m := range protos {
		if err := m.Validate(); err != nil {
			f.Fatalf("seed %s: %v", m.MsgType(), err)
		}
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
			if c := codes.As(err); c.Module != "tx" {
				t.Fatalf("refusal %v outside the tx code space", err)
			}
			return
		}
		again, err := canon.Marshal(m)
		if err != nil || !bytes.Equal(again, in[1:]) {
			t.Fatalf("accepted %s re-encodes differently: %x vs %x (%v)", typ, again, in[1:], err)
		}
		_ = m.Signer()
		if g, ok := m.(interface{ GasItems() uint64 }); ok {
			_ = g.GasItems()
		}
		if s, ok := m.(*governance.MsgSubmit); ok && len(s.Msgs) > governance.MaxMsgs {
			t.Fatalf("a submit with %d msgs validated", len(s.Msgs))
		}
	})
}

var (
	fuzzOnce   sync.Once
	fuzzBase   *env
	fuzzExport []byte
)

// fuzzState is richState, built once: its export is a seed, its state without governance the
// ground every fuzzed genesis is loaded on.
func fuzzState(t testing.TB) (*env, []byte) {
	fuzzOnce.Do(func() {
		fuzzBase, _ = richState(t)
		fuzzExport, _ = fuzzBase.m.ExportGenesis(fuzzBase.ctx)
	})
	return fuzzBase, fuzzExport
}

// FuzzGenesis loads arbitrary JSON as governance's genesis over the rich state's other modules:
// it never panics, and a genesis it accepts satisfies every invariant and exports as what
// re-imports to the same export.
func FuzzGenesis(f *testing.F) {
	e, rich := fuzzState(f)
	f.Add(rich)
	def, _ := json.Marshal(governance.DefaultGenesis())
	f.Add(def)
	f.Add([]byte(`{"chain_params":{"voting_period":1,"quorum_bps":1,"threshold_bps":1,"veto_threshold_bps":1,"max_members":1},"proposal_sequence":18446744073709551615}`))
	f.Add([]byte(`{"proposals":[{"id":1}],"proposal_sequence":1}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		ctx := e.withoutGovernance()
		if err := e.m.InitGenesis(ctx, in); err != nil {
			return
		}
		if err := chaintest.All(e.m).Check(ctx); err != nil {
			t.Fatalf("accepted genesis breaks an invariant: %v\n%s", err, in)
		}
		out, err := e.m.ExportGenesis(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ctx2 := e.withoutGovernance()
		if err := e.m.InitGenesis(ctx2, out); err != nil {
			t.Fatalf("exported genesis refused: %v\n%s", err, out)
		}
		again, _ := e.m.ExportGenesis(ctx2)
		if !bytes.Equal(out, again) {
			t.Fatalf("round trip differs:\n%s\n%s", out, again)
		}
	})
}

// FuzzQuery sends arbitrary paths and data to the module's queries over the rich state: nothing
// panics, a refusal carries a query or governance code, every answer marshals as JSON.
func FuzzQuery(f *testing.F) {
	e, _ := fuzzState(f)
	for _, s := range []string{
		"proposals|", "proposals|dao=&limit=1", "proposals|dao=" + sec + "&status=voting&after=2", "proposal/7|", "proposal/0|",
		"votes/7|limit=1", "votes/7|after=" + bob.String(), "vote/7/" + bob.String() + "|", "power/" + sec + "/" + dave.String() + "|",
		"power/ibc/ABC/" + dave.String() + "|", "delegation/" + sec + "/" + bob.String() + "|", "params|", "dao/" + sec + "|",
		"upgrade|", "proposals|limit=99999", "|", "proposals|after=18446744073709551615",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		path, data, _ := strings.Cut(in, "|")
		ctx := e.ctx.WithKV(e.ctx.KV())
		ctx.Mode = chain.ModeQuery
		v, _, limit := chaintest.FuzzQuery(t, e.m, ctx, governance.ModuleName, path, data)
		if l, ok := v.(governance.ProposalList); ok && len(l.Proposals) > limit {
			t.Fatalf("%d proposals for limit %d", len(l.Proposals), limit)
		}
		if p, ok := v.(governance.ProposalInfo); ok {
			if part, ok := p.Tally.Participation(); !ok || part > p.Eligible {
				t.Fatalf("tally above eligible: %+v", p)
			}
		}
	})
}
