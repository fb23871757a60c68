package distributions

import (
	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/coin"
)

// Limits.
const (
	BpsDenominator         = 10_000                // basis points
	MaxRates               = 64                    // withholding rates of one distribution
	MaxPushHolders         = 1_000                 // holders of one push msg
	MaxPushesPerBlock      = 100                   // queued payments made at the end of one block, at most
	MaxCheckpointsPerBlock = 100                   // scheduled checkpoints taken at the end of one block, at most
	MaxAgents              = 16                    // paying agents of one asset
	MaxAhead               = 10 * 366 * 24 * 3600  // a record time or an expiry is at most this far after the block time
	MinClaimWindow         = 3600                  // an expiry is at least this long after the block time (seconds)
	MaxMemoLen             = 256                   // bytes of a deposit's memo
	defaultPageSize        = 100                   // list queries
	maxPageSize            = 500                   // list queries
	maxQueueShown          = 100                   // push-queue query
	maxTime                = int64(1) << 40        // a time must be a plausible unix time
	viaClaim               = "claim"               // a payment the holder asked for
	viaPush                = "push"                // a payment the agent pushed
	skipClaimed            = "already_claimed"     // push skip reasons
	skipNothing            = "nothing_to_pay"      //
	skipFrozen             = "frozen"              //
	skipPaused             = "cash_paused"         //
	skipDenied             = "denied"              //
	skipClosed             = "distribution_closed" // expired or reclaimed
	skipRefused            = "refused"             // the payment failed with a code (e.g. the tax account)
)

// Checkpoint statuses.
const (
	CheckpointScheduled = "scheduled" // waits for its record time
	CheckpointTaken     = "taken"     // records balances as of the end of block Height
)

// Distribution statuses.
const (
	StatusOpen      = "open"      // holders claim until the expiry
	StatusReclaimed = "reclaimed" // the issuer took back what was unclaimed, and the remainder
)

// Tracked is a denom whose balance and supply history is kept (every security from its creation).
type Tracked struct {
	Denom string `cbor:"1,keyasint" json:"denom"`
	Since int64  `cbor:"2,keyasint" json:"since_height"`
}

// Checkpoint records "balances of Asset as of the end of block Height" without copying them: the
// balance history answers for any account.
type Checkpoint struct {
	ID    uint64 `cbor:"1,keyasint" json:"id"`
	Asset string `cbor:"2,keyasint" json:"asset"`
	// RecordTime is the record date of a scheduled checkpoint (unix seconds): it is taken at the
	// end of the first block whose time is at or after it. 0: taken at creation ("now", the state
	// at the end of the previous block).
	RecordTime int64  `cbor:"3,keyasint,omitempty" json:"record_time,omitempty"`
	Status     string `cbor:"4,keyasint" json:"status"`
	// Height: balances as of the end of this block (0 while scheduled).
	Height int64 `cbor:"5,keyasint,omitempty" json:"height"`
	// TakenTime is the time of block Height for a scheduled checkpoint (0 for "now" ones).
	TakenTime     int64           `cbor:"6,keyasint,omitempty" json:"taken_time,omitempty"`
	By            address.Address `cbor:"7,keyasint" json:"created_by"`
	CreatedHeight int64           `cbor:"8,keyasint" json:"created_height"`
	CreatedTime   int64           `cbor:"9,keyasint" json:"created_time"`
}

// Rate is a withholding rate for holders whose identity claims a jurisdiction.
type Rate struct {
	Jurisdiction string `cbor:"1,keyasint" json:"jurisdiction"` // ISO 3166-1 alpha-2
	Bps          uint32 `cbor:"2,keyasint" json:"bps"`
}

// Agent is a paying agent an issuer appointed for an asset: it deposits and pushes payments.
type Agent struct {
	Asset  string          `cbor:"1,keyasint" json:"asset"`
	Agent  address.Address `cbor:"2,keyasint" json:"agent"`
	By     address.Address `cbor:"3,keyasint" json:"appointed_by"`
	Height int64           `cbor:"4,keyasint" json:"height"`
}

// Distribution is cash deposited for the holders of an asset at a checkpoint, pro rata.
//
// A holder's gross entitlement is floor(balance × Amount / Supply) (balance and Supply as of
// the checkpoint); the division's remainder numerators add up in RemainderNum, whose whole part
// moves to Remainder (units of cash nobody is owed). The escrow holds Outstanding() for the
// distribution: Amount − Paid − Withheld − Reclaimed = Unclaimed() + Remainder while open.
type Distribution struct {
	ID         uint64          `cbor:"1,keyasint" json:"id"`
	Asset      string          `cbor:"2,keyasint" json:"asset"`
	Checkpoint uint64          `cbor:"3,keyasint" json:"checkpoint"`
	Height     int64           `cbor:"4,keyasint" json:"checkpoint_height"`
	Amount     coin.Coin       `cbor:"5,keyasint" json:"amount"` // deposited cash
	Supply     coin.Amount     `cbor:"6,keyasint" json:"supply,string"`
	Issuer     address.Address `cbor:"7,keyasint" json:"issuer"` // reclaims; gets the remainder
	Depositor  address.Address `cbor:"8,keyasint" json:"depositor"`
	Expiry     int64           `cbor:"9,keyasint" json:"expiry"` // unix seconds: no claims at or after it
	TaxAccount address.Address `cbor:"10,keyasint,omitzero" json:"tax_account,omitzero"`
	DefaultBps uint32          `cbor:"11,keyasint,omitempty" json:"default_bps,omitempty"`
	Rates      []Rate          `cbor:"12,keyasint,omitempty" json:"rates,omitempty"`
	Memo       string          `cbor:"13,keyasint,omitempty" json:"memo,omitempty"`
	Paid       coin.Amount     `cbor:"14,keyasint,omitempty" json:"paid,string"`     // net, to holders
	Withheld   coin.Amount     `cbor:"15,keyasint,omitempty" json:"withheld,string"` // to the tax account
	Payments   uint64          `cbor:"16,keyasint,omitempty" json:"payments"`
	// ClaimedBalance is the sum of the checkpoint balances of the holders paid (at most Supply).
	ClaimedBalance coin.Amount `cbor:"17,keyasint,omitempty" json:"claimed_balance,string"`
	// RemainderNum is the sum of the payments' division remainders modulo Supply (< Supply).
	RemainderNum coin.Amount `cbor:"18,keyasint,omitempty" json:"remainder_numerator,string"`
	// Remainder is the whole part of the summed remainders: cash no holder is owed.
	Remainder       coin.Amount `cbor:"19,keyasint,omitempty" json:"remainder,string"`
	Reclaimed       coin.Amount `cbor:"20,keyasint,omitempty" json:"reclaimed,string"`
	Status          string      `cbor:"21,keyasint" json:"status"`
	CreatedHeight   int64       `cbor:"22,keyasint" json:"created_height"`
	CreatedTime     int64       `cbor:"23,keyasint" json:"created_time"`
	ReclaimedHeight int64       `cbor:"24,keyasint,omitempty" json:"reclaimed_height,omitempty"`
}

// Outstanding is what the escrow holds for d: Amount − Paid − Withheld − Reclaimed.
func (d Distribution) Outstanding() coin.Amount {
	return d.Amount.Amount - d.Paid - d.Withheld - d.Reclaimed
}

// Unclaimed is what holders who have not been paid may still claim (0 once reclaimed):
// Paid + Withheld + Unclaimed + Remainder = Amount while the distribution is open.
func (d Distribution) Unclaimed() coin.Amount {
	if d.Status != StatusOpen {
		return 0
	}
	return d.Outstanding() - d.Remainder
}

// rate is the withholding rate for a jurisdiction ("" when the holder claims none).
func (d Distribution) rate(jurisdiction string) uint32 {
	for _, r := range d.Rates {
		if r.Jurisdiction == jurisdiction && jurisdiction != "" {
			return r.Bps
		}
	}
	return d.DefaultBps
}

// Payment is a holder's payment from a distribution (a holder is paid once).
type Payment struct {
	Distribution uint64          `cbor:"1,keyasint" json:"distribution"`
	Holder       address.Address `cbor:"2,keyasint" json:"holder"`
	Balance      coin.Amount     `cbor:"3,keyasint" json:"balance,string"` // at the checkpoint
	Gross        coin.Amount     `cbor:"4,keyasint" json:"gross,string"`
	Withheld     coin.Amount     `cbor:"5,keyasint,omitempty" json:"withheld,string"`
	Net          coin.Amount     `cbor:"6,keyasint,omitempty" json:"net,string"`
	Jurisdiction string          `cbor:"7,keyasint,omitempty" json:"jurisdiction,omitempty"`
	Bps          uint32          `cbor:"8,keyasint,omitempty" json:"bps"`
	Via          string          `cbor:"9,keyasint" json:"via"` // claim or push
	Height       int64           `cbor:"10,keyasint" json:"height"`
	Time         int64           `cbor:"11,keyasint" json:"time"`
}

// PushEntry is one queued payment, paid at the end of a block in queue order.
type PushEntry struct {
	Seq          uint64          `cbor:"1,keyasint" json:"seq"`
	Distribution uint64          `cbor:"2,keyasint" json:"distribution"`
	Holder       address.Address `cbor:"3,keyasint" json:"holder"`
}

func validJurisdiction(j string) bool {
	return len(j) == 2 && j[0] >= 'A' && j[0] <= 'Z' && j[1] >= 'A' && j[1] <= 'Z'
}
