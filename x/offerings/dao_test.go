package offerings_test

import (
	"errors"
	"testing"

	"github.com/girder-chain/girder/authority"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/offerings"
)

// TestDAOCancels: the DAO of the offered security cancels an open offering like its issuer; the
// refunds say so. Another DAO may not; DAOScope names the offering's security.
func TestDAOCancels(t *testing.T) {
	e := newEnv(t)
	id := e.open(nil)
	e.at(opens)
	e.subscribe(alice, id, 10_000)
	dao := authority.DAO(sec)
	cancel := &offerings.MsgCancel{Issuer: dao, Offering: id, Reason: "holders vote: permit withdrawn"}
	denom, project, protected, err := e.k.DAOScope(e.ctx, cancel)
	if err != nil || denom != sec || project != "" || protected != nil {
		t.Fatalf("DAOScope = %s %q %v %v", denom, project, protected, err)
	}
	if _, _, _, err := e.k.DAOScope(e.ctx, &offerings.MsgCancel{Issuer: dao, Offering: 9, Reason: "x"}); !errors.Is(err, offerings.ErrUnknownOffering) {
		t.Fatalf("DAOScope of an unknown offering: %v", err)
	}
	for _, m := range []tx.Msg{&offerings.MsgSubscribe{Investor: dao, Offering: id, Amount: 1}, &offerings.MsgOpen{Issuer: dao}} {
		if _, _, _, err := e.k.DAOScope(e.ctx, m); !errors.Is(err, offerings.ErrNotDAOMsg) {
			t.Errorf("%s: %v", m.MsgType(), err)
		}
	}
	e.fails(&offerings.MsgCancel{Issuer: authority.DAO("uother"), Offering: id, Reason: "x"}, offerings.ErrNotOwner, "security's DAO "+dao.String())
	e.fails(&offerings.MsgCancel{Issuer: authority.Chain, Offering: id, Reason: "x"}, offerings.ErrNotOwner, "offering 1 is")
	ev := eventOf(e.ok(cancel), "offerings.cancelled")
	if ev["by"] != dao.String() {
		t.Fatalf("cancelled %v", ev)
	}
	if o := e.offering(id); !o.CancelledByDAO || o.Status != offerings.StatusCancelling {
		t.Fatalf("offering %+v", o)
	}
	refunds := eventsOf(e.endBlock(), "offerings.refunded")
	if len(refunds) != 1 || refunds[0]["reason"] != "cancelled by the DAO of "+sec+": holders vote: permit withdrawn" {
		t.Fatalf("refunds %v", refunds)
	}
	e.fails(&offerings.MsgCancel{Issuer: dao, Offering: id, Reason: "again"}, offerings.ErrNotOpen, "cancelled")
}
