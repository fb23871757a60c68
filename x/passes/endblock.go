package passes

import (
	"encoding/binary"
	"fmt"

	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
)

// EndBlock makes late the classes whose promised opening passed before the service opened (at
// most MaxLatePerBlock, O(1) each), then expires the passes whose validity ended before the block
// time, refunding the unused passes of late classes with the refund policy (at most
// MaxPassesPerBlock; the rest at the end of the next blocks: a pass past its end cannot be
// redeemed meanwhile).
func (k Keeper) EndBlock(ctx chain.Context) error {
	now := ctx.Time.Unix()
	if now < 0 {
		return nil
	}
	if err := k.lateClasses(ctx, now); err != nil {
		return err
	}
	return k.expire(ctx, now)
}

// queued lists up to n entries of a time queue (<time8><class8>) with a time at or before t.
func (k Keeper) queued(ctx chain.Context, prefix []byte, t int64, n int) [][2]uint64 {
	it := k.st(ctx).Iterator(prefix, store.Key(prefix, store.Uint64Key(uint64(t)+1)))
	defer it.Close()
	var out [][2]uint64
	for ; it.Valid() && len(out) < n; it.Next() {
		key := it.Key()[len(prefix):]
		out = append(out, [2]uint64{binary.BigEndian.Uint64(key[:8]), binary.BigEndian.Uint64(key[8:16])})
	}
	return out
}

func (k Keeper) lateClasses(ctx chain.Context, now int64) error {
	st := k.st(ctx)
	for _, e := range k.queued(ctx, keyLate, now-1, MaxLatePerBlock) {
		st.Delete(lateKey(int64(e[0]), e[1]))
		c, ok := k.Class(ctx, e[1])
		if !ok || !waitsForOpening(&c, k.Service(ctx, c.Project).Opened) || c.PromisedOpening != int64(e[0]) {
			return fmt.Errorf("passes: late queue names class %d at %d, which is not waiting for its opening", e[1], e[0])
		}
		c.Status = ClassLate
		ctx.Emit(chain.NewEvent("passes.class_late", "class", chain.Uint(c.ID), "project", c.Project,
			"promised_opening", chain.Uint(c.PromisedOpening), "policy", c.Late.Policy, "refund_bps", chain.Uint(c.Late.RefundBps)))
		if c.Late.Policy == LateExtend { // a class that waited is not extended yet (checkClass)
			_, oldEnd, known := c.Window(0)
			c.Extended = true
			_, newEnd, _ := c.Window(0)
			if known && st.Has(expiryKey(oldEnd, c.ID)) {
				st.Delete(expiryKey(oldEnd, c.ID))
				st.Set(expiryKey(newEnd, c.ID), marker)
			}
			ev := chain.NewEvent("passes.validity_extended", "class", chain.Uint(c.ID), "project", c.Project, "extend_by", chain.Uint(c.Late.ExtendBy))
			if known {
				ev.Attrs = append(ev.Attrs, chain.Attr{Key: "end", Value: chain.Uint(newEnd), Index: true})
			}
			ctx.Emit(ev)
		}
		k.putClass(ctx, &c)
	}
	return nil
}

// expire expires the active passes of the classes whose validity ended before now, at most
// MaxPassesPerBlock passes (a class with none left costs one more and leaves the queue).
func (k Keeper) expire(ctx chain.Context, now int64) error {
	st := k.st(ctx)
	budget := MaxPassesPerBlock
	for _, e := range k.queued(ctx, keyExpiry, now-1, MaxPassesPerBlock) {
		if budget == 0 {
			break
		}
		end, classID := int64(e[0]), e[1]
		c, ok := k.Class(ctx, classID)
		if !ok {
			return fmt.Errorf("passes: expiry queue names class %d, which does not exist", classID)
		}
		ids := k.activeIDs(ctx, classID, budget)
		for _, id := range ids {
			if err := k.expirePass(ctx, &c, id); err != nil {
				return err
			}
		}
		budget -= len(ids)
		if len(k.activeIDs(ctx, classID, 1)) == 0 { // none left: the class leaves the queue
			st.Delete(expiryKey(end, classID))
			if len(ids) == 0 {
				budget-- // an entry with nothing to expire costs one
			}
		}
	}
	return nil
}

// activeIDs lists up to n active pass ids of a class, in id order.
func (k Keeper) activeIDs(ctx chain.Context, class uint64, n int) []uint64 {
	p := store.Key(keyActive, store.Uint64Key(class))
	it := k.st(ctx).Iterator(p, store.PrefixEnd(p))
	defer it.Close()
	var out []uint64
	for ; it.Valid() && len(out) < n; it.Next() {
		out = append(out, binary.BigEndian.Uint64(it.Key()[len(p):]))
	}
	return out
}

// expirePass expires an active pass at its validity end: what it still defers is earned. An
// unused pass of a class late with the refund policy is refunded instead, as a claim would be
// (its holder did not have to claim before the end).
func (k Keeper) expirePass(ctx chain.Context, c *Class, id uint64) error {
	p, ok := k.Pass(ctx, id)
	if !ok || p.Status != PassActive || p.Class != c.ID {
		return fmt.Errorf("passes: active index names pass %d of class %d, which is not an active pass of it", id, c.ID)
	}
	if lateRefund(c, &p) {
		_, err := k.refundPass(ctx, c, &p, "expiry")
		return err
	}
	rest := p.Deferred
	p.Deferred, p.Status = 0, PassExpired
	k.putPass(ctx, &p)
	k.st(ctx).Delete(activeKey(c.ID, p.ID))
	if err := k.recognise(ctx, c.Project, coin.New(p.Paid.Denom, rest)); err != nil {
		return err
	}
	ctx.Emit(chain.NewEvent("passes.expired", "pass", chain.Uint(p.ID), "class", chain.Uint(c.ID), "project", c.Project,
		"holder", p.Holder.String(), "used", chain.Uint(p.Used), "earned", coin.New(p.Paid.Denom, rest).String()))
	return nil
}
