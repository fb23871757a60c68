// Package passes sells prepaid access to a project's future service (a toll-road or bridge pass)
// and redeems it at use. A stakeholder (operator or private_partner) creates pass classes: a
// price in a cash asset, a number of uses (or unlimited within the validity), a validity (from the
// service opening for a duration, or fixed dates), a transfer policy, a supply, a sale window
// and a late-service policy. Buyers pay into the escrow: the project's deferred revenue. An
// operator records uses in batches from tickets the holders signed (a gate checks them offline
// with VerifyTicket); each use moves its share of the price from deferred to earned revenue,
// paid to the project's treasury; expiry recognises the rest. If the promised opening passes
// before the service opens, the class is late: holders may claim a refund (a pass not claimed is
// refunded when its validity ends), or the validity is extended, as the class says. A class with
// a promised opening is usable only once the service opens. Late classes and expiries are
// handled at the end of blocks, bounded per block.
package passes

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/projects"
)

// ModuleName is the module's name and code space.
const ModuleName = "passes"

// StorePrefix is the module's key prefix in state.
var StorePrefix = []byte{0x0C}

// EscrowAccount holds the deferred (prepaid) revenue of every project's passes. It is a module
// account: bank must refuse user transfers to it and compliance must not count it as a holder.
var EscrowAccount = address.Module("passes")

var (
	keyClassSeq = []byte("n/class") // → last class id
	keyPassSeq  = []byte("n/pass")  // → last pass id
	keyClass    = []byte("c/")      // c/<class8> → Class
	keyProjCls  = []byte("cp/")     // cp/<project>\0<class8> → marker: a project's classes
	keyPass     = []byte("p/")      // p/<pass8> → Pass
	keyHolder   = []byte("h/")      // h/<holder20><pass8> → marker: a holder's passes
	keyOfClass  = []byte("k/")      // k/<class8><pass8> → marker: a class's passes
	keyActive   = []byte("a/")      // a/<class8><pass8> → marker: a class's active passes
	keyService  = []byte("s/")      // s/<project> → Service
	keyRevenue  = []byte("r/")      // r/<project>\0<denom> → Revenue
	keyExpiry   = []byte("x/")      // x/<end8><class8> → marker: classes whose validity end is known
	keyLate     = []byte("l/")      // l/<promised8><class8> → marker: classes waiting for their promised opening
	marker      = []byte{1}
	sep         = []byte{0}
)

// Failures.
var (
	ErrInvalidMsg     = codes.Register(ModuleName, 2, "invalid passes msg")
	ErrUnknownProject = codes.Register(ModuleName, 3, "unknown project")
	ErrWrongRole      = codes.Register(ModuleName, 4, "signer does not hold a project role that may do this")
	ErrUnknownAsset   = codes.Register(ModuleName, 5, "unknown asset")
	ErrNotCash        = codes.Register(ModuleName, 6, "a pass's price must be in a cash asset")
	ErrNotPassAsset   = codes.Register(ModuleName, 7, "a class's compliance asset must be an asset of kind pass")
	ErrTooMany        = codes.Register(ModuleName, 8, "limit reached")
	ErrBadTime        = codes.Register(ModuleName, 9, "time out of range")
	ErrUnknownClass   = codes.Register(ModuleName, 10, "unknown pass class")
	ErrNotOnSale      = codes.Register(ModuleName, 11, "the class is not on sale")
	ErrSaleWindow     = codes.Register(ModuleName, 12, "outside the class's sale window")
	ErrSoldOut        = codes.Register(ModuleName, 13, "the class's sale cap or maximum supply would be exceeded")
	ErrRefused        = codes.Register(ModuleName, 14, "refused by compliance")
	ErrInsufficient   = codes.Register(ModuleName, 15, "the buyer does not hold the price")
	ErrUnknownPass    = codes.Register(ModuleName, 16, "unknown pass")
	ErrNotHolder      = codes.Register(ModuleName, 17, "signer is not the pass's holder")
	ErrNotTransfer    = codes.Register(ModuleName, 18, "the class's passes are not transferable")
	ErrNotActive      = codes.Register(ModuleName, 19, "the pass is not active (used up, expired or refunded)")
	ErrBadTicket      = codes.Register(ModuleName, 20, "the ticket does not match the pass")
	ErrBadSignature   = codes.Register(ModuleName, 21, "the ticket's signature does not verify")
	ErrSeq            = codes.Register(ModuleName, 22, "the ticket's use number is not the pass's next use (replayed or out of order)")
	ErrTicketTime     = codes.Register(ModuleName, 23, "the ticket's time is too far from the block time")
	ErrNotValid       = codes.Register(ModuleName, 24, "the pass is not valid at that time")
	ErrNoRefund       = codes.Register(ModuleName, 25, "the class is not late with a refund policy")
	ErrServiceOpen    = codes.Register(ModuleName, 26, "the project's service is already open")
	ErrModuleAccount  = codes.Register(ModuleName, 27, "a module account cannot hold a pass")
	ErrClassEnded     = codes.Register(ModuleName, 28, "the class's validity has ended")
	ErrPassUsed       = codes.Register(ModuleName, 29, "the pass has been used: no late-service refund")
	ErrNotOpen        = codes.Register(ModuleName, 30, "the project's service is not open yet")
)

// Keeper keeps pass classes, passes, project services and the revenue accounts, and moves the
// escrow.
type Keeper struct {
	bank       Bank
	assets     Assets
	compliance Compliance
	projects   Projects
}

// NewKeeper makes the keeper. Block EscrowAccount in bank (users may not send to it) and list it
// among compliance's module accounts.
func NewKeeper(bank Bank, a Assets, c Compliance, p Projects) Keeper {
	return Keeper{bank: bank, assets: a, compliance: c, projects: p}
}

func classKey(id uint64) []byte { return store.Key(keyClass, store.Uint64Key(id)) }
func projClassKey(project string, id uint64) []byte {
	return store.Key(keyProjCls, []byte(project), sep, store.Uint64Key(id))
}
func passKey(id uint64) []byte { return store.Key(keyPass, store.Uint64Key(id)) }
func holderKey(a address.Address, id uint64) []byte {
	return store.Key(keyHolder, a[:], store.Uint64Key(id))
}
func ofClassKey(class, id uint64) []byte {
	return store.Key(keyOfClass, store.Uint64Key(class), store.Uint64Key(id))
}
func activeKey(class, id uint64) []byte {
	return store.Key(keyActive, store.Uint64Key(class), store.Uint64Key(id))
}
func serviceKey(project string) []byte { return store.Key(keyService, []byte(project)) }
func revenueKey(project, denom string) []byte {
	return store.Key(keyRevenue, []byte(project), sep, []byte(denom))
}
func expiryKey(end int64, class uint64) []byte {
	return store.Key(keyExpiry, store.Uint64Key(uint64(end)), store.Uint64Key(class))
}
func lateKey(promised int64, class uint64) []byte {
	return store.Key(keyLate, store.Uint64Key(uint64(promised)), store.Uint64Key(class))
}

func (Keeper) st(ctx chain.Context) store.KV { return ctx.Store(StorePrefix) }

func (k Keeper) get(ctx chain.Context, key []byte, v any) bool {
	return store.GetRecord(k.st(ctx), key, v)
}

func (k Keeper) set(ctx chain.Context, key []byte, v any) { store.SetRecord(k.st(ctx), key, v) }

func (k Keeper) seq(ctx chain.Context, key []byte) uint64 {
	var n uint64
	k.get(ctx, key, &n)
	return n
}

// ClassSequence is the last class id given (0: none yet); PassSequence the last pass id.
func (k Keeper) ClassSequence(ctx chain.Context) uint64 { return k.seq(ctx, keyClassSeq) }
func (k Keeper) PassSequence(ctx chain.Context) uint64  { return k.seq(ctx, keyPassSeq) }

// Class returns class id.
func (k Keeper) Class(ctx chain.Context, id uint64) (Class, bool) {
	var c Class
	ok := k.get(ctx, classKey(id), &c)
	return c, ok
}

func (k Keeper) class(ctx chain.Context, id uint64) (Class, error) {
	c, ok := k.Class(ctx, id)
	if !ok {
		return c, ErrUnknownClass.Wrapf("no pass class %d", id)
	}
	return c, nil
}

func (k Keeper) putClass(ctx chain.Context, c *Class) { k.set(ctx, classKey(c.ID), c) }

// Pass returns pass id.
func (k Keeper) Pass(ctx chain.Context, id uint64) (Pass, bool) {
	var p Pass
	ok := k.get(ctx, passKey(id), &p)
	return p, ok
}

func (k Keeper) pass(ctx chain.Context, id uint64) (Pass, error) {
	p, ok := k.Pass(ctx, id)
	if !ok {
		return p, ErrUnknownPass.Wrapf("no pass %d", id)
	}
	return p, nil
}

func (k Keeper) putPass(ctx chain.Context, p *Pass) { k.set(ctx, passKey(p.ID), p) }

// Service returns a project's service record (Opened 0: not open yet).
func (k Keeper) Service(ctx chain.Context, project string) Service {
	s := Service{Project: project}
	k.get(ctx, serviceKey(project), &s)
	return s
}

// Revenue returns a project's pass revenue in denom.
func (k Keeper) Revenue(ctx chain.Context, project, denom string) Revenue {
	r := Revenue{Project: project, Denom: denom}
	k.get(ctx, revenueKey(project, denom), &r)
	return r
}

// Revenues lists a project's pass revenue per cash denom, in denom order.
func (k Keeper) Revenues(ctx chain.Context, project string) []Revenue {
	return store.Records[Revenue](k.st(ctx), store.Key(keyRevenue, []byte(project), sep))
}

func (k Keeper) putRevenue(ctx chain.Context, r *Revenue) {
	k.set(ctx, revenueKey(r.Project, r.Denom), r)
}

// ClassIDs lists a project's class ids in order.
func (k Keeper) ClassIDs(ctx chain.Context, project string) []uint64 {
	p := store.Key(keyProjCls, []byte(project), sep)
	it := k.st(ctx).Iterator(p, store.PrefixEnd(p))
	defer it.Close()
	var out []uint64
	for ; it.Valid(); it.Next() {
		out = append(out, binary.BigEndian.Uint64(it.Key()[len(p):]))
	}
	return out
}

// Classes lists a project's classes in id order.
func (k Keeper) Classes(ctx chain.Context, project string) []Class {
	out := []Class{}
	for _, id := range k.ClassIDs(ctx, project) {
		if c, ok := k.Class(ctx, id); ok {
			out = append(out, c)
		}
	}
	return out
}

// window is the class's validity window given its project's service.
func (k Keeper) window(ctx chain.Context, c Class) (start, end int64, known bool) {
	return c.Window(k.Service(ctx, c.Project).Opened)
}

// holdsAny names the first of roles that a holds in project (false: none).
func (k Keeper) holdsAny(ctx chain.Context, project string, a address.Address, roles ...string) bool {
	for _, r := range roles {
		if k.projects.Holds(ctx, project, a, r) {
			return true
		}
	}
	return false
}

func (k Keeper) requireRole(ctx chain.Context, project string, a address.Address, what string, roles ...string) error {
	if k.holdsAny(ctx, project, a, roles...) {
		return nil
	}
	return ErrWrongRole.Wrapf("%s needs a %s stakeholder of project %s; %s is not one", what, strings.Join(roles, " or "), project, a)
}

func refused(d compliance.Decision) bool {
	return d.Outcome == compliance.OutcomeReject || d.Outcome == compliance.OutcomeHold
}

func decisionText(d compliance.Decision) string {
	return fmt.Sprintf("%s by rule %s (%s, %s): %s", d.Outcome, d.Rule, d.Scope, d.Kind, d.Reason)
}

// add and sub are checked amount arithmetic for the accounting: an overflow or a negative
// result is a broken state, never bad input.
func add(a, b coin.Amount) (coin.Amount, error) {
	s, err := a.Add(b)
	if err != nil {
		return 0, fmt.Errorf("passes accounting: %w", err)
	}
	return s, nil
}

func sub(a, b coin.Amount) (coin.Amount, error) {
	s, err := a.Sub(b)
	if err != nil {
		return 0, fmt.Errorf("passes accounting: %w", err)
	}
	return s, nil
}

// ---- classes ----

// CreateClass creates a pass class and returns its id.
func (k Keeper) CreateClass(ctx chain.Context, m *MsgCreateClass) (uint64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	now := ctx.Time.Unix()
	if _, ok := k.projects.Project(ctx, m.Project); !ok {
		return 0, ErrUnknownProject.Wrapf("no project %q", m.Project)
	}
	if err := k.requireRole(ctx, m.Project, m.Creator, "creating a pass class", projects.RoleOperator, projects.RolePrivatePartner); err != nil {
		return 0, err
	}
	a, ok := k.assets.Asset(ctx, m.Price.Denom)
	if !ok {
		return 0, ErrUnknownAsset.Wrapf("the price's denom %q is not an asset of this chain", m.Price.Denom)
	}
	if a.Kind != assets.KindCash {
		return 0, ErrNotCash.Wrapf("%s is an asset of kind %s", m.Price.Denom, a.Kind)
	}
	if m.ComplianceAsset != "" {
		ca, ok := k.assets.Asset(ctx, m.ComplianceAsset)
		if !ok {
			return 0, ErrUnknownAsset.Wrapf("the compliance asset %q is not an asset of this chain", m.ComplianceAsset)
		}
		if ca.Kind != assets.KindPass {
			return 0, ErrNotPassAsset.Wrapf("%s is an asset of kind %s", m.ComplianceAsset, ca.Kind)
		}
	}
	svc := k.Service(ctx, m.Project)
	if m.PromisedOpening != 0 && svc.Opened == 0 && m.PromisedOpening <= now {
		return 0, ErrBadTime.Wrapf("the promised opening %s is not after the block time %s, and the service is not open", chain.Unix(m.PromisedOpening), chain.Unix(now))
	}
	if m.Validity.Kind == ValidityFixed && m.Validity.End <= now {
		return 0, ErrBadTime.Wrapf("the validity ends at %s, not after the block time %s", chain.Unix(m.Validity.End), chain.Unix(now))
	}
	if m.SaleEnd != 0 && m.SaleEnd <= now {
		return 0, ErrBadTime.Wrapf("the sale ends at %s, not after the block time %s", chain.Unix(m.SaleEnd), chain.Unix(now))
	}
	if n := len(k.ClassIDs(ctx, m.Project)); n >= MaxClassesPerProject {
		return 0, ErrTooMany.Wrapf("project %s has %d pass classes, the most a project may have", m.Project, n)
	}
	id := k.ClassSequence(ctx) + 1
	k.set(ctx, keyClassSeq, id)
	c := Class{ID: id, Project: m.Project, Name: m.Name, Price: m.Price, Uses: m.Uses, Validity: m.Validity, Transferable: m.Transferable,
		MaxSupply: m.MaxSupply, PromisedOpening: m.PromisedOpening, Late: m.Late, SaleStart: m.SaleStart, SaleEnd: m.SaleEnd,
		SaleCap: m.SaleCap, ComplianceAsset: m.ComplianceAsset, Status: ClassOnSale, Creator: m.Creator, Height: ctx.Height, Time: now}
	k.putClass(ctx, &c)
	k.indexClass(ctx, &c, svc.Opened)
	ctx.Emit(chain.NewEvent("passes.class_created", "class", chain.Uint(id), "project", c.Project, "name", c.Name, "creator", c.Creator.String(),
		"price", c.Price.String(), "uses", chain.Uint(c.Uses), "validity", c.Validity.Kind, "transferable", fmt.Sprint(c.Transferable),
		"max_supply", chain.Uint(c.MaxSupply), "sale_cap", chain.Uint(c.Cap()), "promised_opening", chain.Uint(c.PromisedOpening),
		"late_policy", c.Late.Policy))
	return id, nil
}

// indexClass writes a class's indexes and queues: under its project, its late check (a promise
// not yet kept), its expiry (when the end is known).
func (k Keeper) indexClass(ctx chain.Context, c *Class, opened int64) {
	st := k.st(ctx)
	st.Set(projClassKey(c.Project, c.ID), marker)
	if waitsForOpening(c, opened) {
		st.Set(lateKey(c.PromisedOpening, c.ID), marker)
	}
	if _, end, known := c.Window(opened); known {
		st.Set(expiryKey(end, c.ID), marker)
	}
}

// waitsForOpening: the class's late check is queued (a promise, not late yet, service not open).
func waitsForOpening(c *Class, opened int64) bool {
	return c.PromisedOpening != 0 && c.Status != ClassLate && opened == 0
}

// CloseSale stops a class's sale.
func (k Keeper) CloseSale(ctx chain.Context, m *MsgCloseSale) error {
	if err := m.Validate(); err != nil {
		return err
	}
	c, err := k.class(ctx, m.Class)
	if err != nil {
		return err
	}
	if m.Actor != c.Creator {
		if err := k.requireRole(ctx, c.Project, m.Actor, "closing the sale of a class it did not create", projects.RoleOperator); err != nil {
			return err
		}
	}
	if c.Status != ClassOnSale {
		return ErrNotOnSale.Wrapf("class %d is %s", c.ID, c.Status)
	}
	c.Status = ClassClosed
	k.putClass(ctx, &c)
	ctx.Emit(chain.NewEvent("passes.sale_closed", "class", chain.Uint(c.ID), "project", c.Project, "by", m.Actor.String(), "sold", chain.Uint(c.Sold)))
	return nil
}

// ---- sale ----

// Buy sells m.Quantity passes of a class to the buyer and returns their ids.
func (k Keeper) Buy(ctx chain.Context, m *MsgBuy) ([]uint64, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	now := ctx.Time.Unix()
	c, err := k.class(ctx, m.Class)
	if err != nil {
		return nil, err
	}
	if c.Status != ClassOnSale {
		return nil, ErrNotOnSale.Wrapf("class %d is %s", c.ID, c.Status)
	}
	if c.SaleStart != 0 && now < c.SaleStart {
		return nil, ErrSaleWindow.Wrapf("the sale of class %d opens at %s", c.ID, chain.Unix(c.SaleStart))
	}
	if c.SaleEnd != 0 && now >= c.SaleEnd {
		return nil, ErrSaleWindow.Wrapf("the sale of class %d ended at %s", c.ID, chain.Unix(c.SaleEnd))
	}
	if _, end, known := k.window(ctx, c); known && end <= now {
		return nil, ErrClassEnded.Wrapf("the passes of class %d were valid until %s", c.ID, chain.Unix(end))
	}
	q := uint64(m.Quantity)
	if c.Sold+q > c.Cap() {
		return nil, ErrSoldOut.Wrapf("class %d has sold %d of %d; %d more asked", c.ID, c.Sold, c.Cap(), q)
	}
	if name, ok := k.bank.ModuleAccount(m.Buyer); ok {
		return nil, ErrModuleAccount.Wrapf("%s belongs to the %s module", m.Buyer, name)
	}
	total, err := c.Price.Amount.Mul(q)
	if err != nil {
		return nil, ErrInsufficient.Wrapf("%d × %s overflows", q, c.Price)
	}
	pay := coin.New(c.Price.Denom, total)
	if have := k.bank.Balance(ctx, m.Buyer, pay.Denom); have < total {
		return nil, ErrInsufficient.Wrapf("%s holds %s; %d passes of class %d cost %s", m.Buyer, coin.New(pay.Denom, have), q, c.ID, pay)
	}
	var flags []string
	if c.ComplianceAsset != "" {
		// The rules judge what the buyer gets: as many units as passes (a max_balance or velocity
		// rule sees the quantity, not one pass).
		d := k.compliance.Check(ctx, c.Creator, m.Buyer, coin.New(c.ComplianceAsset, coin.Amount(q)))
		if refused(d) {
			return nil, ErrRefused.Wrapf("selling %d passes of class %d to %s would be %s", q, c.ID, m.Buyer, decisionText(d))
		}
		if d.Outcome == compliance.OutcomeFlag {
			flags = append(flags, d.Rule+" ("+d.Scope+"): "+d.Reason)
		}
	}
	// The cash leg: the buyer's payment for the project (freezes, deny lists, a paused cash asset).
	treasury := projects.Treasury(c.Project)
	d := k.compliance.Check(ctx, m.Buyer, treasury, pay)
	if refused(d) {
		return nil, ErrRefused.Wrapf("paying %s from %s would be %s", pay, m.Buyer, decisionText(d))
	}
	if d.Outcome == compliance.OutcomeFlag {
		flags = append(flags, d.Rule+" ("+d.Scope+"): "+d.Reason)
	}
	if err := k.bank.Send(ctx, m.Buyer, EscrowAccount, pay); err != nil {
		return nil, err
	}
	r := k.Revenue(ctx, c.Project, pay.Denom)
	if r.Sold, err = add(r.Sold, total); err != nil {
		return nil, err
	}
	if r.Deferred, err = add(r.Deferred, total); err != nil {
		return nil, err
	}
	k.putRevenue(ctx, &r)
	c.Sold += q
	k.putClass(ctx, &c)
	ids := make([]uint64, 0, q)
	next := k.PassSequence(ctx)
	for i := uint64(0); i < q; i++ {
		next++
		p := Pass{ID: next, Class: c.ID, Holder: m.Buyer, Paid: c.Price, UsesLeft: c.Uses, Deferred: c.Price.Amount, Status: PassActive,
			Height: ctx.Height, Time: now}
		k.putPass(ctx, &p)
		k.indexPass(ctx, &p)
		ids = append(ids, p.ID)
	}
	k.set(ctx, keyPassSeq, next)
	ev := chain.NewEvent("passes.bought", "class", chain.Uint(c.ID), "project", c.Project, "buyer", m.Buyer.String(),
		"quantity", chain.Uint(q), "first_pass", chain.Uint(ids[0]), "last_pass", chain.Uint(ids[len(ids)-1]), "paid", pay.String(),
		"sold", chain.Uint(c.Sold))
	for _, f := range flags {
		ev.Attrs = append(ev.Attrs, chain.Attr{Key: "flag", Value: f, Index: true})
	}
	ctx.Emit(ev)
	return ids, nil
}

func (k Keeper) indexPass(ctx chain.Context, p *Pass) {
	st := k.st(ctx)
	st.Set(holderKey(p.Holder, p.ID), marker)
	st.Set(ofClassKey(p.Class, p.ID), marker)
	if p.Status == PassActive {
		st.Set(activeKey(p.Class, p.ID), marker)
	}
}

// Transfer gives a pass to another account.
func (k Keeper) Transfer(ctx chain.Context, m *MsgTransfer) error {
	if err := m.Validate(); err != nil {
		return err
	}
	p, err := k.pass(ctx, m.Pass)
	if err != nil {
		return err
	}
	if p.Holder != m.From {
		return ErrNotHolder.Wrapf("pass %d is held by %s, not %s", p.ID, p.Holder, m.From)
	}
	c, err := k.class(ctx, p.Class)
	if err != nil {
		return err
	}
	if !c.Transferable {
		return ErrNotTransfer.Wrapf("class %d (%s) is not transferable", c.ID, c.Name)
	}
	if p.Status != PassActive {
		return ErrNotActive.Wrapf("pass %d is %s", p.ID, p.Status)
	}
	if name, ok := k.bank.ModuleAccount(m.To); ok {
		return ErrModuleAccount.Wrapf("%s belongs to the %s module", m.To, name)
	}
	ev := chain.NewEvent("passes.transferred", "pass", chain.Uint(p.ID), "class", chain.Uint(c.ID), "from", m.From.String(), "to", m.To.String(),
		"uses_left", chain.Uint(p.UsesLeft))
	if c.ComplianceAsset != "" {
		d := k.compliance.Check(ctx, m.From, m.To, coin.New(c.ComplianceAsset, 1))
		if refused(d) {
			return ErrRefused.Wrapf("transferring pass %d to %s would be %s", p.ID, m.To, decisionText(d))
		}
		if d.Outcome == compliance.OutcomeFlag {
			ev.Attrs = append(ev.Attrs, chain.Attr{Key: "flag", Value: d.Rule + " (" + d.Scope + "): " + d.Reason, Index: true})
		}
	}
	k.st(ctx).Delete(holderKey(p.Holder, p.ID))
	p.Holder = m.To
	k.putPass(ctx, &p)
	k.st(ctx).Set(holderKey(p.Holder, p.ID), marker)
	ctx.Emit(ev)
	return nil
}

// ---- redemption ----

// Redeem records a batch of uses; any failing use fails the whole msg.
func (k Keeper) Redeem(ctx chain.Context, m *MsgRedeem) error {
	if err := m.Validate(); err != nil {
		return err
	}
	now := ctx.Time.Unix()
	for i, u := range m.Uses {
		if err := k.redeemOne(ctx, m.Operator, now, u); err != nil {
			if ce := codes.As(err); ce.Code != codes.Internal.Code || ce.Module != codes.Internal.Module {
				return ce.Wrapf("use %d (pass %d, seq %d): %s", i, u.Pass, u.Ticket.Seq, strings.TrimPrefix(ce.Msg, ce.Desc+": "))
			}
			return err
		}
	}
	return nil
}

func (k Keeper) redeemOne(ctx chain.Context, operator address.Address, now int64, u Use) error {
	p, err := k.pass(ctx, u.Pass)
	if err != nil {
		return err
	}
	c, err := k.class(ctx, p.Class)
	if err != nil {
		return err
	}
	if err := k.requireRole(ctx, c.Project, operator, "redeeming a pass", projects.RoleOperator); err != nil {
		return err
	}
	t := u.Ticket
	if t.ChainID != ctx.ChainID {
		return ErrBadTicket.Wrapf("the ticket is for chain %q, this is %q", t.ChainID, ctx.ChainID)
	}
	if p.Status != PassActive {
		return ErrNotActive.Wrapf("pass %d is %s", p.ID, p.Status)
	}
	if t.Holder != p.Holder {
		return ErrBadTicket.Wrapf("the ticket names %s, the pass is held by %s", t.Holder, p.Holder)
	}
	// The key is the holder's (checked once, here: VerifyTicket would derive the address again).
	if address.FromPubKey(tx.KeyEd25519, u.PubKey) != p.Holder {
		return ErrBadTicket.Wrapf("the public key is not the key of the holder %s", p.Holder)
	}
	if !signed(u.PubKey, t, u.Signature) {
		return ErrBadSignature.Wrapf("not the holder's signature of this ticket")
	}
	if t.Seq != p.Used+1 {
		return ErrSeq.Wrapf("pass %d has %d uses recorded: the next ticket is seq %d, this one is seq %d", p.ID, p.Used, p.Used+1, t.Seq)
	}
	if t.Time < now-TicketMaxAge || t.Time > now+TicketMaxAhead {
		return ErrTicketTime.Wrapf("shown at %s; the block time is %s (a ticket may be up to %d s old and %d s ahead)", chain.Unix(t.Time), chain.Unix(now), TicketMaxAge, TicketMaxAhead)
	}
	start, end, known := c.usable(k.Service(ctx, c.Project).Opened)
	if !known && c.Validity.Kind == ValidityFromOpening {
		return ErrNotValid.Wrapf("class %d is valid from the opening of the service of %s, which has not opened", c.ID, c.Project)
	}
	if !known {
		// A fixed class with a promised opening: no use before the service exists (it would also
		// cost the holder the late-service refund).
		return ErrNotOpen.Wrapf("class %d is usable from the opening of the service of %s, promised for %s, which has not opened",
			c.ID, c.Project, chain.Unix(c.PromisedOpening))
	}
	if t.Time < start || t.Time > end {
		return ErrNotValid.Wrapf("shown at %s; pass %d is valid from %s to %s", chain.Unix(t.Time), p.ID, chain.Unix(start), chain.Unix(end))
	}
	if now > end {
		return ErrNotValid.Wrapf("pass %d's validity ended at %s, before the block time %s", p.ID, chain.Unix(end), chain.Unix(now))
	}
	if t.Time < p.LastUse {
		return ErrSeq.Wrapf("shown at %s, before the previous use at %s", chain.Unix(t.Time), chain.Unix(p.LastUse))
	}
	// The share of the price this use earns: Paid/Uses, the last use the remainder.
	var earned coin.Amount
	p.Used++
	p.LastUse = t.Time
	if c.Uses != 0 {
		p.UsesLeft--
		earned = p.Paid.Amount / coin.Amount(c.Uses)
		if p.UsesLeft == 0 || earned > p.Deferred {
			earned = p.Deferred
		}
		p.Deferred -= earned
		if p.UsesLeft == 0 {
			p.Status = PassUsedUp
			k.st(ctx).Delete(activeKey(p.Class, p.ID))
		}
	}
	k.putPass(ctx, &p)
	if err := k.recognise(ctx, c.Project, coin.New(p.Paid.Denom, earned)); err != nil {
		return err
	}
	ctx.Emit(chain.NewEvent("passes.redeemed", "pass", chain.Uint(p.ID), "class", chain.Uint(c.ID), "project", c.Project,
		"holder", p.Holder.String(), "operator", operator.String(), "seq", chain.Uint(t.Seq), "gate_time", chain.Uint(t.Time),
		"earned", coin.New(p.Paid.Denom, earned).String(), "uses_left", chain.Uint(p.UsesLeft), "status", p.Status))
	return nil
}

// recognise moves amt of a project's revenue from deferred to earned and pays it from the
// escrow to the project's treasury.
func (k Keeper) recognise(ctx chain.Context, project string, amt coin.Coin) error {
	if amt.Amount == 0 {
		return nil
	}
	r := k.Revenue(ctx, project, amt.Denom)
	var err error
	if r.Deferred, err = sub(r.Deferred, amt.Amount); err != nil {
		return err
	}
	if r.Earned, err = add(r.Earned, amt.Amount); err != nil {
		return err
	}
	k.putRevenue(ctx, &r)
	return k.bank.Send(ctx, EscrowAccount, projects.Treasury(project), amt)
}

// ---- late service ----

// ClaimRefund refunds a pass of a late class with a refund policy and returns the refund.
func (k Keeper) ClaimRefund(ctx chain.Context, m *MsgClaimRefund) (coin.Coin, error) {
	if err := m.Validate(); err != nil {
		return coin.Coin{}, err
	}
	p, err := k.pass(ctx, m.Pass)
	if err != nil {
		return coin.Coin{}, err
	}
	if p.Holder != m.Holder {
		return coin.Coin{}, ErrNotHolder.Wrapf("pass %d is held by %s, not %s", p.ID, p.Holder, m.Holder)
	}
	c, err := k.class(ctx, p.Class)
	if err != nil {
		return coin.Coin{}, err
	}
	if c.Status != ClassLate || c.Late.Policy != LateRefund {
		what := "its late-service policy is " + c.Late.Policy
		if c.Late.Policy == "" {
			what = "it has no late-service policy"
		}
		return coin.Coin{}, ErrNoRefund.Wrapf("class %d is %s and %s", c.ID, c.Status, what)
	}
	if p.Status != PassActive {
		return coin.Coin{}, ErrNotActive.Wrapf("pass %d is %s", p.ID, p.Status)
	}
	if p.Used > 0 {
		// The late-service refund compensates a service not delivered; a pass that has been used
		// got the service (an unlimited pass keeps its whole price deferred, so no cap would stop a
		// holder from using it and still taking the refund).
		return coin.Coin{}, ErrPassUsed.Wrapf("pass %d has been used %d times since the service opened: the late-service refund is for passes not used", p.ID, p.Used)
	}
	return k.refundPass(ctx, &c, &p, "claim")
}

// lateRefund reports whether a pass gets the late-service refund: its class is late with the
// refund policy and the pass was never used (a used pass got the service).
func lateRefund(c *Class, p *Pass) bool {
	return c.Status == ClassLate && c.Late.Policy == LateRefund && p.Used == 0
}

// refundPass refunds an active, unused pass of a late class with the refund policy (a claim, or
// the pass's expiry): RefundBps of the price paid goes back to the holder, the rest is earned.
func (k Keeper) refundPass(ctx chain.Context, c *Class, p *Pass, trigger string) (coin.Coin, error) {
	amt, _, err := p.Paid.Amount.MulDiv(uint64(c.Late.RefundBps), BpsDenominator)
	if err != nil {
		return coin.Coin{}, fmt.Errorf("passes: refund of pass %d: %w", p.ID, err) // bps ≤ 10000: cannot overflow
	}
	// An unused active pass still defers its whole price (invariant passes/passes): amt ≤ Deferred.
	rest, err := sub(p.Deferred, amt)
	if err != nil {
		return coin.Coin{}, err
	}
	refund := coin.New(p.Paid.Denom, amt)
	p.Deferred, p.Status = 0, PassRefunded
	k.putPass(ctx, p)
	k.st(ctx).Delete(activeKey(p.Class, p.ID))
	r := k.Revenue(ctx, c.Project, refund.Denom)
	if r.Deferred, err = sub(r.Deferred, amt); err != nil {
		return coin.Coin{}, err
	}
	if r.Refunded, err = add(r.Refunded, amt); err != nil {
		return coin.Coin{}, err
	}
	k.putRevenue(ctx, &r)
	if amt > 0 {
		if err := k.bank.Send(ctx, EscrowAccount, p.Holder, refund); err != nil {
			return coin.Coin{}, err
		}
	}
	if err := k.recognise(ctx, c.Project, coin.New(refund.Denom, rest)); err != nil {
		return coin.Coin{}, err
	}
	ctx.Emit(chain.NewEvent("passes.refunded", "pass", chain.Uint(p.ID), "class", chain.Uint(c.ID), "project", c.Project,
		"holder", p.Holder.String(), "refund", refund.String(), "earned", coin.New(refund.Denom, rest).String(), "refund_bps", chain.Uint(c.Late.RefundBps),
		"trigger", trigger))
	return refund, nil
}

// OpenService records the opening of a project's service.
func (k Keeper) OpenService(ctx chain.Context, m *MsgOpenService) error {
	if err := m.Validate(); err != nil {
		return err
	}
	now := ctx.Time.Unix()
	if _, ok := k.projects.Project(ctx, m.Project); !ok {
		return ErrUnknownProject.Wrapf("no project %q", m.Project)
	}
	if err := k.requireRole(ctx, m.Project, m.Actor, "opening the service", projects.RolePublicAgency, projects.RoleOperator); err != nil {
		return err
	}
	if s := k.Service(ctx, m.Project); s.Opened != 0 {
		return ErrServiceOpen.Wrapf("the service of %s opened at %s", m.Project, chain.Unix(s.Opened))
	}
	if m.Opened > now {
		return ErrBadTime.Wrapf("the opening %s is after the block time %s", chain.Unix(m.Opened), chain.Unix(now))
	}
	// A backdated opening would expire passes early and move their deferred revenue to the
	// operator's project without service delivered (and dodge the late-service policy): the
	// opening is recorded within a day of the fact.
	if m.Opened < now-MaxOpeningAge {
		return ErrBadTime.Wrapf("the opening %s is more than %d hours before the block time %s: record an opening within a day",
			chain.Unix(m.Opened), MaxOpeningAge/3600, chain.Unix(now))
	}
	s := Service{Project: m.Project, Opened: m.Opened, OpenedBy: m.Actor, Height: ctx.Height}
	k.set(ctx, serviceKey(m.Project), &s)
	// Bounded by MaxClassesPerProject: the late checks end, the from_opening classes' ends are known.
	st := k.st(ctx)
	for _, id := range k.ClassIDs(ctx, m.Project) {
		c, ok := k.Class(ctx, id)
		if !ok {
			return fmt.Errorf("passes: project %s lists class %d, which does not exist", m.Project, id)
		}
		if waitsForOpening(&c, 0) {
			st.Delete(lateKey(c.PromisedOpening, c.ID))
		}
		if c.Validity.Kind == ValidityFromOpening {
			_, end, _ := c.Window(m.Opened)
			st.Set(expiryKey(end, c.ID), marker)
		}
	}
	ctx.Emit(chain.NewEvent("passes.service_opened", "project", m.Project, "opened", chain.Uint(m.Opened), "by", m.Actor.String()))
	return nil
}
