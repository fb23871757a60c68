package projects_test

import (
	"testing"

	"github.com/girder-chain/girder/canon"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/chain/chaintest"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/projects"
)

func invariant(t *testing.T, e *env, name string) chain.Invariant {
	t.Helper()
	for _, inv := range e.m.Invariants() {
		if inv.Name == name {
			return inv
		}
	}
	t.Fatalf("no invariant %s", name)
	return chain.Invariant{}
}

// raw reads and writes projects records under their keys, as a corruption would.
func rawKey(parts ...[]byte) []byte {
	return store.Key(append([][]byte{projects.StorePrefix}, parts...)...)
}

func entryRawKey(n uint64) []byte {
	return rawKey([]byte("e/"), []byte(bridge), []byte{0}, store.Uint64Key(n))
}

func milestoneRawKey(id string) []byte {
	return rawKey([]byte("m/"), []byte(bridge), []byte{0}, []byte(id))
}

func rewrite[T any](e *env, key []byte, fn func(v *T)) {
	e.t.Helper()
	var v T
	if !store.GetRecord(e.ctx.KV(), key, &v) {
		e.t.Fatalf("no record at %q", key)
	}
	fn(&v)
	store.SetRecord(e.ctx.KV(), key, &v)
}

// Each invariant holds after the busy env's ordinary operations and notices a corruption.
func TestInvariantsCatch(t *testing.T) {
	cases := []struct {
		inv     string
		corrupt func(e *env)
		says    string
	}{
		{"projects/escrow-equals-funded-tranches", func(e *env) {
			if err := e.bank.Send(e.ctx, escrow, mallory, coin.New(cash, 1)); err != nil {
				t.Fatal(err)
			}
		}, "escrow holds"},
		{"projects/escrow-equals-funded-tranches", func(e *env) {
			rewrite(e, milestoneRawKey("planned"), func(m *projects.Milestone) {
				m.Funded, m.FundedBy, m.FundedHeight = true, &spv, 1
			})
		}, "escrow holds"},
		// A second release: paid from escrow again and counted again.
		{"projects/tranches-released-once", func(e *env) {
			m := e.milestone("released")
			if err := e.bank.Send(e.ctx, escrow, builder, m.Tranche); err != nil {
				t.Fatal(err)
			}
			rewrite(e, rawKey([]byte("tot/"), []byte(cash)), func(tot *projects.Totals) { tot.Released += m.Tranche.Amount })
		}, "a tranche moved twice"},
		{"projects/tranches-released-once", func(e *env) {
			rewrite(e, milestoneRawKey("released"), func(m *projects.Milestone) { m.Released /= 2 })
		}, "released whole, once"},
		{"projects/tranches-released-once", func(e *env) {
			rewrite(e, milestoneRawKey("window"), func(m *projects.Milestone) {
				m.Released, m.ReleasedHeight, m.ReleasedVia = m.Tranche.Amount, 9, "window"
			})
		}, "signed_off with"},
		{"projects/ledger-append-only", func(e *env) {
			rewrite(e, entryRawKey(1), func(en *projects.Entry) { en.Percent = 5 })
		}, "the entry was changed"},
		{"projects/ledger-append-only", func(e *env) { e.ctx.KV().Delete(entryRawKey(1)) }, "an entry was removed"},
		{"projects/ledger-append-only", func(e *env) { e.ctx.KV().Delete(entryRawKey(2)) }, "an entry was changed or removed"},
		// Changed and re-hashed: the project's recorded chain head still tells.
		{"projects/ledger-append-only", func(e *env) {
			rewrite(e, entryRawKey(2), func(en *projects.Entry) {
				en.Summary = "nothing happened"
				prev, _ := e.k.Entry(e.ctx, bridge, 1)
				en.Hash = rehash(prev.Hash, *en)
			})
		}, "an entry was changed or removed"},
		{"projects/ledger-append-only", func(e *env) {
			rewrite(e, rawKey([]byte("t/"), []byte(bridge), []byte{0}, store.Uint64Key(3)), func(r *projects.TimelineRecord) { r.Note = "x" })
		}, "the record was changed"},
		{"projects/ledger-append-only", func(e *env) {
			rewrite(e, rawKey([]byte("v/"), []byte(bridge), []byte{0}, store.Uint64Key(1), auditor[:]), func(v *projects.Attestation) { v.By = builder })
		}, "stored under"},
		{"projects/indexes", func(e *env) {
			m := e.milestone("window")
			e.ctx.KV().Delete(rawKey([]byte("r/"), store.Uint64Key(uint64(m.WindowEnds)), []byte(bridge), []byte{0}, []byte("window")))
		}, "in the release index false"},
		{"projects/indexes", func(e *env) {
			e.ctx.KV().Set(rawKey([]byte("l/"), store.Uint64Key(5), []byte(bridge), []byte{0}, []byte("ghost")), []byte{1})
		}, "entries in the late index"},
		{"projects/indexes", func(e *env) {
			e.ctx.KV().Delete(rawKey([]byte("s/"), []byte("old-tunnel"), []byte{0}, region[:], []byte(projects.RolePublicAgency)))
		}, "no public_agency"},
		{"projects/indexes", func(e *env) {
			e.ctx.KV().Delete(rawKey([]byte("cp/"), []byte(bridge), []byte{0}, store.Uint64Key(1)))
		}, "missing from an index"},
		{"projects/indexes", func(e *env) {
			tr := projects.Treasury(bridge)
			e.ctx.KV().Set(rawKey([]byte("ta/"), tr[:]), []byte("old-tunnel"))
		}, "indexed as project \"old-tunnel\"'s"},
		{"projects/indexes", func(e *env) {
			tr := projects.Treasury("elsewhere")
			e.ctx.KV().Set(rawKey([]byte("ta/"), tr[:]), []byte("elsewhere"))
		}, "entries in the treasury index"},
		{"projects/indexes", func(e *env) {
			e.ctx.KV().Set(rawKey([]byte("dc/"), []byte(bridge), []byte{0}, []byte("permit")), canon.MustMarshal(uint32(1)))
		}, "current version is 1"},
		{"projects/indexes", func(e *env) {
			e.ctx.KV().Set(rawKey([]byte("sec/"), []byte(ubridge)), []byte("old-tunnel"))
		}, "security token ubridge is indexed as project \"old-tunnel\"'s"},
		{"projects/indexes", func(e *env) {
			e.ctx.KV().Set(rawKey([]byte("sec/"), []byte("uother")), []byte(bridge))
		}, "entries in the security token index"},
		{"projects/indexes", func(e *env) {
			e.ctx.KV().Set(rawKey([]byte("pc/"), []byte(bridge), []byte{0}, []byte("tariff_cap")), canon.MustMarshal(uint32(1)))
		}, "the current version is 1"},
		{"projects/indexes", func(e *env) {
			key := rawKey([]byte("pa/"), []byte(bridge), []byte{0}, []byte("tariff_cap"), []byte{0}, []byte{0, 0, 0, 2})
			rewrite(e, key, func(p *projects.Parameter) { p.Protected = false })
		}, "is not protected but version 1 was"},
		{"projects/indexes", func(e *env) {
			e.ctx.KV().Delete(rawKey([]byte("pc/"), []byte(bridge), []byte{0}, []byte("toll_hours")))
		}, "the current version is 0"},
	}
	for _, c := range cases {
		t.Run(c.inv+"/"+c.says, func(t *testing.T) {
			e := busyEnv(t)
			chaintest.InvariantCatches(t, invariant(t, e, c.inv), e.ctx, func() { c.corrupt(e) }, c.says)
		})
	}
}

// rehash is the ledger hash of en after prev (as the module computes it).
func rehash(prev projects.Hash, en projects.Entry) projects.Hash {
	en.Hash = projects.Hash{}
	b := canon.MustMarshal(&en)
	return sha(append(append([]byte(nil), prev[:]...), b...))
}

func sha(b []byte) projects.Hash { return hash(string(b)) }
