package passes

import (
	"encoding/json"
	"fmt"

	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/store"
	"github.com/girder-chain/girder/x/assets"
)

// Genesis is passes' genesis state: every class, pass, service and revenue account, and the
// last ids (the indexes and queues are rebuilt).
type Genesis struct {
	Classes       []Class   `json:"classes"`
	Passes        []Pass    `json:"passes"`
	Services      []Service `json:"services"`
	Revenue       []Revenue `json:"revenue"`
	ClassSequence uint64    `json:"class_sequence"`
	PassSequence  uint64    `json:"pass_sequence"`
}

// DefaultGenesis has no classes.
func DefaultGenesis() Genesis {
	return Genesis{Classes: []Class{}, Passes: []Pass{}, Services: []Service{}, Revenue: []Revenue{}}
}

// checkClass checks a class record on its own (genesis, invariants).
func checkClass(c Class) error {
	if c.ID == 0 || c.Creator.IsZero() {
		return fmt.Errorf("id %d, creator %s", c.ID, c.Creator)
	}
	if err := validProject(c.Project); err != nil {
		return err
	}
	if err := checkTerms(c.Name, c.Price, c.Uses, c.Validity, c.MaxSupply, c.PromisedOpening, c.Late, c.SaleStart, c.SaleEnd, c.SaleCap, c.ComplianceAsset); err != nil {
		return err
	}
	if c.Sold > c.Cap() { // Cap() ≤ MaxSupply
		return fmt.Errorf("sold %d, more than its cap %d (max supply %d)", c.Sold, c.Cap(), c.MaxSupply)
	}
	switch c.Status {
	case ClassOnSale, ClassClosed:
		if c.Extended {
			return fmt.Errorf("%s but extended: only a late class is", c.Status)
		}
	case ClassLate:
		if c.PromisedOpening == 0 {
			return fmt.Errorf("late without a promised opening")
		}
		if c.Extended != (c.Late.Policy == LateExtend) {
			return fmt.Errorf("late under policy %s, extended %v", c.Late.Policy, c.Extended)
		}
	default:
		return fmt.Errorf("status %q", c.Status)
	}
	return nil
}

// checkPass checks a pass against its class and the class's validity end (0: not known).
func checkPass(p Pass, c Class, end int64) error {
	if p.ID == 0 || p.Holder.IsZero() {
		return fmt.Errorf("id %d, holder %s", p.ID, p.Holder)
	}
	if p.Paid != c.Price {
		return fmt.Errorf("paid %s, the class's price is %s", p.Paid, c.Price)
	}
	if p.Deferred > p.Paid.Amount {
		return fmt.Errorf("deferred %d of a price of %s", p.Deferred, p.Paid)
	}
	if c.Uses == 0 {
		if p.UsesLeft != 0 {
			return fmt.Errorf("unlimited, with %d uses left", p.UsesLeft)
		}
	} else if p.Used > c.Uses || p.UsesLeft != c.Uses-p.Used {
		return fmt.Errorf("used %d and %d left of %d uses", p.Used, p.UsesLeft, c.Uses)
	}
	if (p.Used == 0) != (p.LastUse == 0) {
		return fmt.Errorf("used %d times, last use at %d", p.Used, p.LastUse)
	}
	if p.LastUse != 0 && (end == 0 || p.LastUse > end) {
		return fmt.Errorf("redeemed at %d, after the validity end %d: an expired pass was redeemed", p.LastUse, end)
	}
	switch p.Status {
	case PassActive:
		want := p.Paid.Amount
		if c.Uses != 0 {
			if p.UsesLeft == 0 {
				return fmt.Errorf("active with no use left")
			}
			want -= coin.Amount(p.Used) * (p.Paid.Amount / coin.Amount(c.Uses)) // Used < Uses: no overflow
		}
		if p.Deferred != want {
			return fmt.Errorf("active, used %d of %d, with %d deferred: want %d", p.Used, c.Uses, p.Deferred, want)
		}
	case PassUsedUp:
		if c.Uses == 0 || p.UsesLeft != 0 || p.Deferred != 0 {
			return fmt.Errorf("used up with %d uses left of %d and %d deferred", p.UsesLeft, c.Uses, p.Deferred)
		}
	case PassExpired, PassRefunded:
		if p.Deferred != 0 {
			return fmt.Errorf("%s with %d deferred", p.Status, p.Deferred)
		}
		if p.Status == PassRefunded && (c.Status != ClassLate || c.Late.Policy != LateRefund) {
			return fmt.Errorf("refunded, but its class is %s with policy %q", c.Status, c.Late.Policy)
		}
	default:
		return fmt.Errorf("status %q", p.Status)
	}
	return nil
}

// InitGenesis loads the state. It runs after bank, assets and projects: the projects must
// exist, the prices be in cash assets and the escrow hold exactly the deferred revenue.
func (m *Module) InitGenesis(ctx chain.Context, raw json.RawMessage) error {
	k := m.Keeper
	var g Genesis
	if err := chain.DecodeGenesis(raw, &g); err != nil {
		return fmt.Errorf("passes genesis: %w", err)
	}
	fail := func(format string, args ...any) error { return fmt.Errorf("passes genesis: "+format, args...) }
	if k.ClassSequence(ctx) != 0 || k.PassSequence(ctx) != 0 {
		return fail("state already holds passes")
	}
	now := ctx.Time.Unix()
	opened := map[string]int64{}
	for _, s := range g.Services {
		if err := validProject(s.Project); err != nil {
			return fail("service: %v", err)
		}
		if _, dup := opened[s.Project]; dup {
			return fail("service of %s given twice", s.Project)
		}
		if _, ok := k.projects.Project(ctx, s.Project); !ok {
			return fail("service of %s, which is not a project", s.Project)
		}
		if s.Opened <= 0 || s.Opened > now || s.OpenedBy.IsZero() {
			return fail("service of %s opened at %d by %s: want a time up to the genesis time, and who opened it", s.Project, s.Opened, s.OpenedBy)
		}
		opened[s.Project] = s.Opened
	}
	classes := map[uint64]Class{}
	perProject := map[string]int{}
	var prev uint64
	for _, c := range g.Classes {
		if c.ID <= prev || c.ID > g.ClassSequence {
			return fail("class %d: ids increase from 1 to class_sequence (%d)", c.ID, g.ClassSequence)
		}
		prev = c.ID
		if err := checkClass(c); err != nil {
			return fail("class %d: %v", c.ID, err)
		}
		if _, ok := k.projects.Project(ctx, c.Project); !ok {
			return fail("class %d of %s, which is not a project", c.ID, c.Project)
		}
		if a, ok := k.assets.Asset(ctx, c.Price.Denom); !ok || a.Kind != assets.KindCash {
			return fail("class %d: price in %s, which is not a cash asset", c.ID, c.Price.Denom)
		}
		if c.ComplianceAsset != "" {
			if a, ok := k.assets.Asset(ctx, c.ComplianceAsset); !ok || a.Kind != assets.KindPass {
				return fail("class %d: compliance asset %s is not an asset of kind pass", c.ID, c.ComplianceAsset)
			}
		}
		if perProject[c.Project]++; perProject[c.Project] > MaxClassesPerProject {
			return fail("project %s has more than %d classes", c.Project, MaxClassesPerProject)
		}
		classes[c.ID] = c
	}
	deferred, paid := map[acct]coin.Amount{}, map[acct]coin.Amount{}
	sold := map[uint64]uint64{}
	prev = 0
	for _, p := range g.Passes {
		if p.ID <= prev || p.ID > g.PassSequence {
			return fail("pass %d: ids increase from 1 to pass_sequence (%d)", p.ID, g.PassSequence)
		}
		prev = p.ID
		c, ok := classes[p.Class]
		if !ok {
			return fail("pass %d of class %d, which is not given", p.ID, p.Class)
		}
		_, end, _ := c.Window(opened[c.Project])
		if err := checkPass(p, c, end); err != nil {
			return fail("pass %d: %v", p.ID, err)
		}
		if name, ok := k.bank.ModuleAccount(p.Holder); ok {
			return fail("pass %d is held by %s, an account of the %s module", p.ID, p.Holder, name)
		}
		key := acct{c.Project, c.Price.Denom}
		var err error
		if deferred[key], err = deferred[key].Add(p.Deferred); err != nil {
			return fail("deferred revenue of %s in %s overflows", key.project, key.denom)
		}
		if paid[key], err = paid[key].Add(p.Paid.Amount); err != nil {
			return fail("revenue of %s in %s overflows", key.project, key.denom)
		}
		sold[c.ID]++
	}
	for _, c := range g.Classes {
		if sold[c.ID] != c.Sold {
			return fail("class %d says %d sold, %d passes are given", c.ID, c.Sold, sold[c.ID])
		}
	}
	escrow := map[string]coin.Amount{}
	seenRev := map[acct]bool{}
	for _, r := range g.Revenue {
		key := acct{r.Project, r.Denom}
		if seenRev[key] {
			return fail("revenue of %s in %s given twice", r.Project, r.Denom)
		}
		seenRev[key] = true
		if err := checkRevenue(r); err != nil {
			return fail("%v", err)
		}
		if paid[key] != r.Sold {
			return fail("revenue of %s in %s: %d sold, its passes were paid %d", r.Project, r.Denom, r.Sold, paid[key])
		}
		if deferred[key] != r.Deferred {
			return fail("revenue of %s in %s: %d deferred, its passes defer %d", r.Project, r.Denom, r.Deferred, deferred[key])
		}
		var err error
		if escrow[r.Denom], err = escrow[r.Denom].Add(r.Deferred); err != nil {
			return fail("deferred revenue in %s overflows", r.Denom)
		}
	}
	for _, r := range g.Revenue {
		delete(paid, acct{r.Project, r.Denom})
	}
	for _, p := range g.Passes { // in id order: the first pass without a revenue account
		if c := classes[p.Class]; paid[acct{c.Project, c.Price.Denom}] != 0 {
			return fail("pass %d was paid in %s for %s, but no revenue account of it is given", p.ID, c.Price.Denom, c.Project)
		}
	}
	if err := k.checkEscrow(ctx, escrow); err != nil {
		return fail("%v", err)
	}
	// Write.
	for _, s := range g.Services {
		k.set(ctx, serviceKey(s.Project), &s)
	}
	for i := range g.Classes {
		c := g.Classes[i]
		k.putClass(ctx, &c)
		k.indexClass(ctx, &c, opened[c.Project])
	}
	for i := range g.Passes {
		p := g.Passes[i]
		k.putPass(ctx, &p)
		k.indexPass(ctx, &p)
	}
	for i := range g.Revenue {
		k.putRevenue(ctx, &g.Revenue[i])
	}
	if g.ClassSequence > 0 {
		k.set(ctx, keyClassSeq, g.ClassSequence)
	}
	if g.PassSequence > 0 {
		k.set(ctx, keyPassSeq, g.PassSequence)
	}
	return nil
}

// checkRevenue checks that a revenue account adds up: deferred + earned + refunded = sold.
func checkRevenue(r Revenue) error {
	if err := validProject(r.Project); err != nil {
		return fmt.Errorf("revenue: %v", err)
	}
	if err := coin.ValidateDenom(r.Denom); err != nil {
		return fmt.Errorf("revenue of %s: %v", r.Project, err)
	}
	s, err := r.Deferred.Add(r.Earned)
	if err == nil {
		s, err = s.Add(r.Refunded)
	}
	if err != nil || s != r.Sold {
		return fmt.Errorf("revenue of %s in %s: deferred %d + earned %d + refunded %d ≠ sold %d", r.Project, r.Denom, r.Deferred, r.Earned, r.Refunded, r.Sold)
	}
	return nil
}

// ExportGenesis writes every record in key order.
func (m *Module) ExportGenesis(ctx chain.Context) (json.RawMessage, error) {
	k := m.Keeper
	g := DefaultGenesis()
	g.Classes = store.Records[Class](k.st(ctx), keyClass)
	g.Passes = store.Records[Pass](k.st(ctx), keyPass)
	g.Services = store.Records[Service](k.st(ctx), keyService)
	g.Revenue = store.Records[Revenue](k.st(ctx), keyRevenue)
	g.ClassSequence = k.ClassSequence(ctx)
	g.PassSequence = k.PassSequence(ctx)
	return json.Marshal(g)
}
