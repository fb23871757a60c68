package distributions_test

import (
	"errors"
	"testing"

	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/distributions"
)

// TestDAOActsAsIssuer: the DAO of a security token takes checkpoints and appoints and removes
// paying agents like its issuer; not for another token (TestExpiryAndReclaim: nor reclaims).
func TestDAOActsAsIssuer(t *testing.T) {
	e := newEnv(t)
	e.mint(alice, 10)
	dao := authority.DAO(sec)
	evs := e.ok(&distributions.MsgCreateCheckpoint{Issuer: dao, Asset: sec})
	if ev := eventOf(evs, "distributions.checkpoint_created"); ev["by"] != dao.String() || ev["asset"] != sec {
		t.Fatalf("checkpoint event %v", ev)
	}
	e.ok(&distributions.MsgAppointAgent{Issuer: dao, Asset: sec, Agent: agent})
	if ag := e.k.Agents(e.ctx, sec); len(ag) != 1 || ag[0].By != dao {
		t.Fatalf("agents %+v", ag)
	}
	e.ok(&distributions.MsgRemoveAgent{Issuer: dao, Asset: sec, Agent: agent})
	if len(e.k.Agents(e.ctx, sec)) != 0 {
		t.Fatal("agent not removed")
	}
	e.fails(&distributions.MsgCreateCheckpoint{Issuer: dao, Asset: sec2}, distributions.ErrNotIssuer, "its DAO "+authority.DAO(sec2).String())
	e.fails(&distributions.MsgAppointAgent{Issuer: authority.Chain, Asset: sec, Agent: agent}, distributions.ErrNotIssuer, "acts as its issuer")
	e.fails(&distributions.MsgCreateCheckpoint{Issuer: authority.DAO(pass), Asset: pass}, distributions.ErrNotTracked, "pass asset")
	e.fails(&distributions.MsgRemoveAgent{Issuer: authority.DAO("unone"), Asset: "unone", Agent: agent}, distributions.ErrUnknownAsset, "unone")

	for _, m := range []tx.Msg{
		&distributions.MsgCreateCheckpoint{Issuer: dao, Asset: sec},
		&distributions.MsgAppointAgent{Issuer: dao, Asset: sec, Agent: agent},
		&distributions.MsgRemoveAgent{Issuer: dao, Asset: sec, Agent: agent},
	} {
		denom, project, protected, err := e.k.DAOScope(e.ctx, m)
		if err != nil || denom != sec || project != "" || protected != nil {
			t.Errorf("%s: %s %q %v %v", m.MsgType(), denom, project, protected, err)
		}
	}
	for _, m := range []tx.Msg{
		&distributions.MsgDeposit{Depositor: dao, Asset: sec},
		&distributions.MsgReclaim{Issuer: dao, Distribution: 1},
		&distributions.MsgClaim{Holder: dao, Distribution: 1},
		&distributions.MsgPush{Agent: dao, Distribution: 1},
	} {
		if _, _, _, err := e.k.DAOScope(e.ctx, m); !errors.Is(err, distributions.ErrNotDAOMsg) {
			t.Errorf("%s: %v", m.MsgType(), err)
		}
	}
}
