package passes

import (
	"crypto/ed25519"
	"strings"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/x/projects"
)

func nonZero(what string, a address.Address) error {
	if a.IsZero() {
		return ErrInvalidMsg.Wrapf("zero %s address", what)
	}
	return nil
}

// validProject checks a project id as x/projects does, answering with this module's code.
func validProject(id string) error {
	if err := projects.ValidProjectID(id); err != nil {
		return ErrInvalidMsg.Wrapf("%s", strings.TrimPrefix(err.Error(), projects.ErrInvalidMsg.Desc+": "))
	}
	return nil
}

func validID(what string, id uint64) error {
	if id == 0 {
		return ErrInvalidMsg.Wrapf("%s id 0: ids start at 1", what)
	}
	return nil
}

// MsgCreateClass creates a pass class of a project. Signed by a stakeholder holding the project
// role operator or private_partner. Price is in a cash asset; Uses 0 means unlimited within the
// validity; PromisedOpening is required for a from_opening validity (optional for fixed, and
// then before its end: the passes are usable only once the service opens) and needs a Late
// policy; SaleStart/SaleEnd bound the sale (0: from creation, no end); SaleCap (0: MaxSupply)
// caps the passes sold; ComplianceAsset (optional) is an asset of kind pass whose compliance
// rules judge every sale and transfer.
type MsgCreateClass struct {
	Creator         address.Address `cbor:"1,keyasint" json:"creator"`
	Project         string          `cbor:"2,keyasint" json:"project"`
	Name            string          `cbor:"3,keyasint" json:"name"`
	Price           coin.Coin       `cbor:"4,keyasint" json:"price"`
	Uses            uint32          `cbor:"5,keyasint,omitempty" json:"uses,omitempty"`
	Validity        Validity        `cbor:"6,keyasint" json:"validity"`
	Transferable    bool            `cbor:"7,keyasint,omitempty" json:"transferable,omitempty"`
	MaxSupply       uint64          `cbor:"8,keyasint" json:"max_supply"`
	PromisedOpening int64           `cbor:"9,keyasint,omitempty" json:"promised_opening,omitempty"`
	Late            LatePolicy      `cbor:"10,keyasint" json:"late"`
	SaleStart       int64           `cbor:"11,keyasint,omitempty" json:"sale_start,omitempty"`
	SaleEnd         int64           `cbor:"12,keyasint,omitempty" json:"sale_end,omitempty"`
	SaleCap         uint64          `cbor:"13,keyasint,omitempty" json:"sale_cap,omitempty"`
	ComplianceAsset string          `cbor:"14,keyasint,omitempty" json:"compliance_asset,omitempty"`
}

func (*MsgCreateClass) MsgType() string           { return "passes/create_class" }
func (m *MsgCreateClass) Signer() address.Address { return m.Creator }
func (m *MsgCreateClass) Validate() error {
	if err := nonZero("creator", m.Creator); err != nil {
		return err
	}
	if err := validProject(m.Project); err != nil {
		return err
	}
	return checkTerms(m.Name, m.Price, m.Uses, m.Validity, m.MaxSupply, m.PromisedOpening, m.Late, m.SaleStart, m.SaleEnd, m.SaleCap, m.ComplianceAsset)
}

// checkTerms checks a class's terms on their own (a create msg, a genesis class).
func checkTerms(name string, price coin.Coin, uses uint32, v Validity, maxSupply uint64, promised int64, late LatePolicy,
	saleStart, saleEnd int64, saleCap uint64, complianceAsset string) error {
	if err := validText("class name", name, MaxNameLen); err != nil {
		return err
	}
	if err := price.Validate(); err != nil {
		return ErrInvalidMsg.Wrapf("price: %v", err)
	}
	if price.Amount == 0 {
		return ErrInvalidMsg.Wrapf("price must be positive")
	}
	if uses > MaxUses {
		return ErrInvalidMsg.Wrapf("%d uses: want 0 (unlimited within the validity) or 1 to %d", uses, MaxUses)
	}
	if err := v.validate(); err != nil {
		return err
	}
	if maxSupply == 0 {
		return ErrInvalidMsg.Wrapf("max_supply must be at least 1")
	}
	if saleCap > maxSupply {
		return ErrInvalidMsg.Wrapf("sale_cap %d exceeds max_supply %d", saleCap, maxSupply)
	}
	if v.Kind == ValidityFromOpening && promised == 0 {
		return ErrInvalidMsg.Wrapf("a from_opening class needs the promised opening date of the service")
	}
	if promised != 0 {
		if err := validTime("promised opening", promised); err != nil {
			return err
		}
		// A promise kept only after the validity ended promises a service nobody could use (and
		// the class would turn late only once its passes had expired).
		if v.Kind == ValidityFixed && promised >= v.End {
			return ErrInvalidMsg.Wrapf("promised opening %s is not before the validity end %s: the passes could not be used", chain.Unix(promised), chain.Unix(v.End))
		}
	}
	if err := late.validate(promised); err != nil {
		return err
	}
	if saleStart != 0 {
		if err := validTime("sale start", saleStart); err != nil {
			return err
		}
	}
	if saleEnd != 0 {
		if err := validTime("sale end", saleEnd); err != nil {
			return err
		}
		if saleEnd <= saleStart {
			return ErrInvalidMsg.Wrapf("sale end %d is not after the sale start %d", saleEnd, saleStart)
		}
	}
	if complianceAsset != "" {
		if err := coin.ValidateDenom(complianceAsset); err != nil {
			return ErrInvalidMsg.Wrapf("compliance asset: %v", err)
		}
	}
	return nil
}

// MsgCloseSale stops the sale of a class for good. Signed by the class's creator or an operator
// stakeholder of its project.
type MsgCloseSale struct {
	Actor address.Address `cbor:"1,keyasint" json:"actor"`
	Class uint64          `cbor:"2,keyasint" json:"class"`
}

func (*MsgCloseSale) MsgType() string           { return "passes/close_sale" }
func (m *MsgCloseSale) Signer() address.Address { return m.Actor }
func (m *MsgCloseSale) Validate() error {
	if err := nonZero("actor", m.Actor); err != nil {
		return err
	}
	return validID("class", m.Class)
}

// MsgBuy buys Quantity passes of a class at its price: the buyer pays Quantity × Price into the
// escrow (deferred revenue of the project) and receives Quantity passes. Signed by the buyer.
type MsgBuy struct {
	Buyer    address.Address `cbor:"1,keyasint" json:"buyer"`
	Class    uint64          `cbor:"2,keyasint" json:"class"`
	Quantity uint32          `cbor:"3,keyasint" json:"quantity"`
}

func (*MsgBuy) MsgType() string           { return "passes/buy" }
func (m *MsgBuy) Signer() address.Address { return m.Buyer }
func (m *MsgBuy) Validate() error {
	if err := nonZero("buyer", m.Buyer); err != nil {
		return err
	}
	if err := validID("class", m.Class); err != nil {
		return err
	}
	if m.Quantity < 1 || m.Quantity > MaxQuantity {
		return ErrInvalidMsg.Wrapf("quantity %d: want 1 to %d", m.Quantity, MaxQuantity)
	}
	return nil
}

// GasItems is the number of passes bought.
func (m *MsgBuy) GasItems() uint64 { return uint64(m.Quantity) }

// MsgTransfer gives an active pass of a transferable class to another account; the pass keeps
// its uses. Signed by its holder.
type MsgTransfer struct {
	From address.Address `cbor:"1,keyasint" json:"from"`
	To   address.Address `cbor:"2,keyasint" json:"to"`
	Pass uint64          `cbor:"3,keyasint" json:"pass"`
}

func (*MsgTransfer) MsgType() string           { return "passes/transfer" }
func (m *MsgTransfer) Signer() address.Address { return m.From }
func (m *MsgTransfer) Validate() error {
	if err := nonZero("sender", m.From); err != nil {
		return err
	}
	if err := nonZero("receiver", m.To); err != nil {
		return err
	}
	if m.From == m.To {
		return ErrInvalidMsg.Wrapf("%s cannot transfer a pass to itself", m.From)
	}
	return validID("pass", m.Pass)
}

// Use is one use of a pass a gate records: the ticket the holder signed, the holder's ed25519
// public key (its address must be the holder's, so a holder that never sent a tx can use a pass)
// and the signature (over TicketSignBytes(Ticket)).
type Use struct {
	Pass      uint64 `cbor:"1,keyasint" json:"pass"`
	Ticket    Ticket `cbor:"2,keyasint" json:"ticket"`
	PubKey    []byte `cbor:"3,keyasint" json:"pub_key"`
	Signature []byte `cbor:"4,keyasint" json:"signature"`
}

func (u Use) validate(i int) error {
	if err := validID("pass", u.Pass); err != nil {
		return ErrInvalidMsg.Wrapf("use %d: pass id 0: ids start at 1", i)
	}
	if u.Ticket.Pass != u.Pass {
		return ErrInvalidMsg.Wrapf("use %d: the ticket is for pass %d, not pass %d", i, u.Ticket.Pass, u.Pass)
	}
	if u.Ticket.ChainID == "" {
		return ErrInvalidMsg.Wrapf("use %d: the ticket names no chain", i)
	}
	if u.Ticket.Holder.IsZero() {
		return ErrInvalidMsg.Wrapf("use %d: the ticket names no holder", i)
	}
	if u.Ticket.Seq == 0 {
		return ErrInvalidMsg.Wrapf("use %d: ticket seq 0: the first use of a pass is seq 1", i)
	}
	if err := validTime("ticket time", u.Ticket.Time); err != nil {
		return ErrInvalidMsg.Wrapf("use %d: %v", i, err)
	}
	if len(u.PubKey) != ed25519.PublicKeySize {
		return ErrInvalidMsg.Wrapf("use %d: public key of %d bytes: want an ed25519 key of %d", i, len(u.PubKey), ed25519.PublicKeySize)
	}
	if len(u.Signature) != ed25519.SignatureSize {
		return ErrInvalidMsg.Wrapf("use %d: signature of %d bytes: want an ed25519 signature of %d", i, len(u.Signature), ed25519.SignatureSize)
	}
	return nil
}

// MsgRedeem records a batch of uses at a project's gates, all or nothing: signed by an operator
// stakeholder of the project of every pass in it. Uses of one pass are in seq order.
type MsgRedeem struct {
	Operator address.Address `cbor:"1,keyasint" json:"operator"`
	Uses     []Use           `cbor:"2,keyasint" json:"uses"`
}

func (*MsgRedeem) MsgType() string           { return "passes/redeem" }
func (m *MsgRedeem) Signer() address.Address { return m.Operator }
func (m *MsgRedeem) Validate() error {
	if err := nonZero("operator", m.Operator); err != nil {
		return err
	}
	if len(m.Uses) < 1 || len(m.Uses) > MaxBatch {
		return ErrInvalidMsg.Wrapf("%d uses: want 1 to %d in a batch", len(m.Uses), MaxBatch)
	}
	for i, u := range m.Uses {
		if err := u.validate(i); err != nil {
			return err
		}
	}
	return nil
}

// GasItems is the number of uses (each verifies a signature).
func (m *MsgRedeem) GasItems() uint64 { return uint64(len(m.Uses)) }

// MsgClaimRefund claims the refund of an unused pass of a late class whose policy is refund:
// RefundBps of the price paid goes back to the holder; the rest of the price becomes earned.
// Signed by the holder. A pass not claimed is refunded the same way when its validity ends.
type MsgClaimRefund struct {
	Holder address.Address `cbor:"1,keyasint" json:"holder"`
	Pass   uint64          `cbor:"2,keyasint" json:"pass"`
}

func (*MsgClaimRefund) MsgType() string           { return "passes/claim_refund" }
func (m *MsgClaimRefund) Signer() address.Address { return m.Holder }
func (m *MsgClaimRefund) Validate() error {
	if err := nonZero("holder", m.Holder); err != nil {
		return err
	}
	return validID("pass", m.Pass)
}

// MsgOpenService records that a project's service opened at Opened (unix, not after the block
// time), once. Signed by a public_agency or operator stakeholder of the project. The passes of
// its from_opening classes become valid from then.
type MsgOpenService struct {
	Actor   address.Address `cbor:"1,keyasint" json:"actor"`
	Project string          `cbor:"2,keyasint" json:"project"`
	Opened  int64           `cbor:"3,keyasint" json:"opened"`
}

func (*MsgOpenService) MsgType() string           { return "passes/open_service" }
func (m *MsgOpenService) Signer() address.Address { return m.Actor }
func (m *MsgOpenService) Validate() error {
	if err := nonZero("actor", m.Actor); err != nil {
		return err
	}
	if err := validProject(m.Project); err != nil {
		return err
	}
	return validTime("opening", m.Opened)
}
