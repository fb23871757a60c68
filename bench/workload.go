package bench

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/codes"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/assets"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/compliance"
	"github.com/girder-chain/girder/x/distributions"
	"github.com/girder-chain/girder/x/identity"
)

// Scenarios.
const (
	ScenarioTransfer = "transfer" // native ugrd transfers among the accounts
	ScenarioSecurity = "security" // transfers of a security token under five compliance rules
	ScenarioClaim    = "claim"    // dividend claims: every account claims its entitlement
)

// batch is a rate step's pre-signed txs; lane[i] orders tx i: txs of one lane (one account) are
// submitted in order over one connection, so their nonces arrive in sequence.
type batch struct {
	txs  [][]byte
	lane []int
}

// workload makes the txs of rate steps.
type workload interface {
	// next pre-signs n txs for the next step.
	next(ctx context.Context, n int) (*batch, error)
	// done updates what the workload knows (nonces) from the step's outcome.
	done(ctx context.Context, b *batch, o *outcome) error
	// meanSize is the mean size of the txs made so far (bytes).
	meanSize() int
}

// key is a deterministic ed25519 account key.
type key struct {
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
	addr address.Address
}

func newKey(seed, name string) *key {
	s := sha256.Sum256([]byte("girder-bench/" + seed + "/" + name))
	priv := ed25519.NewKeyFromSeed(s[:])
	pub := priv.Public().(ed25519.PublicKey)
	return &key{priv: priv, pub: pub, addr: address.FromPubKey(tx.KeyEd25519, pub)}
}

func (k *key) Address() address.Address { return k.addr }
func (k *key) PubKey() []byte           { return k.pub }
func (k *key) Sign(msg []byte) []byte   { return ed25519.Sign(k.priv, msg) }

// Denoms of the security and claim scenarios.
const (
	benchSecurity = "ubenchsec"
	benchCash     = "ubenchcash"
)

// IssuerRoles are the roles the scenarios' issuer needs: it funds the accounts, registers their
// identities, issues the cash and the security, sets the rules and pays the dividends.
var IssuerRoles = []string{auth.RoleAdmin, auth.RoleKYCProvider, auth.RoleComplianceOfficer, auth.RoleAssetIssuer, auth.RoleCashIssuer}

// girderLoad is a Girder workload: accounts with their next nonces, and the scenario's msgs.
type girderLoad struct {
	scenario string
	c        *client.Client
	chainID  string
	issuer   client.Signer
	accs     []*key
	nonce    []uint64
	bound    []bool // the account's key is bound on chain (its first tx committed)
	gas      uint64
	maxFee   coin.Amount
	security string
	cash     string
	progress func(string, ...any)

	checkpoint uint64
	dists      []uint64 // distributions no step has claimed yet, in order

	sizeSum, sizeN int
}

// newGirderLoad sets the scenario up on the chain through c: funds the accounts from issuer,
// and for the security and claim scenarios creates the cash and the security (five rules),
// registers a verified identity per account and gives every account some of the security; for
// claims it takes a checkpoint. tag makes denoms and identity ids unique (for running nodes).
func newGirderLoad(ctx context.Context, c *client.Client, scenario string, issuer client.Signer, seed string, accounts int, tag string,
	progress func(string, ...any)) (*girderLoad, error) {
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	w := &girderLoad{scenario: scenario, c: c, chainID: chainID, issuer: issuer, security: benchSecurity + tag, cash: benchCash + tag, progress: progress}
	for i := 0; i < accounts; i++ {
		w.accs = append(w.accs, newKey(seed, strconv.Itoa(i)))
	}
	w.nonce = make([]uint64, accounts)
	w.bound = make([]bool, accounts)
	s := &setup{c: c, signer: issuer}
	ia := issuer.Address()

	// Fund the accounts (fees, and the native transfers).
	var msgs []tx.Msg
	for lo := 0; lo < accounts; lo += bank.MaxOutputs {
		var outs []bank.Output
		for i := lo; i < min(lo+bank.MaxOutputs, accounts); i++ {
			outs = append(outs, bank.Output{To: w.accs[i].addr, Amount: coin.New("ugrd", 10_000_000_000)})
		}
		msgs = append(msgs, &bank.MsgMultiSend{From: ia, Outputs: outs})
	}
	if err := s.send(ctx, 4, msgs...); err != nil {
		return nil, fmt.Errorf("fund accounts: %w", err)
	}
	if err := s.wait(ctx); err != nil {
		return nil, fmt.Errorf("fund accounts: %w", err)
	}
	progress("funded %d accounts", accounts)

	if scenario != ScenarioTransfer {
		if err := w.setupSecurity(ctx, s); err != nil {
			return nil, err
		}
	}
	if scenario == ScenarioClaim {
		if _, err := s.result(ctx, &distributions.MsgCreateCheckpoint{Issuer: ia, Asset: w.security}); err != nil {
			return nil, fmt.Errorf("checkpoint: %w", err)
		}
		w.checkpoint = s.lastUint("distributions.checkpoint_created", "checkpoint")
		if w.checkpoint == 0 {
			return nil, errors.New("checkpoint: no checkpoint_created event")
		}
		progress("checkpoint %d of %s", w.checkpoint, w.security)
	}

	// The gas of a step's tx, measured once by a dry run of the first one (the same msgs and
	// nearly the same size every time), with room for a longer nonce.
	probe, err := w.msg(ctx, 0)
	if err != nil {
		return nil, err
	}
	body := tx.Body{ChainID: chainID, Signer: w.accs[0].addr, Nonce: 0, Msgs: []tx.Any{probe}}
	raw, err := tx.Sign(body, w.accs[0].pub, w.accs[0].Sign)
	if err != nil {
		return nil, err
	}
	sim, err := c.Simulate(ctx, raw)
	if err != nil {
		return nil, err
	}
	if sim.GasUsed == 0 {
		return nil, fmt.Errorf("dry run of a %s tx: %w", scenario, client.ChainError(sim.Codespace, sim.Code, sim.Log))
	}
	info, err := c.Fees(ctx)
	if err != nil {
		return nil, err
	}
	w.gas = sim.GasUsed + 64*info.Params.PerByteGas
	fee, err := info.BaseFee.Mul(4 * w.gas)
	if err != nil {
		return nil, err
	}
	w.maxFee = fee
	return w, nil
}

// setupSecurity creates the cash and the security with five rules, verified identities for the
// accounts (DE, FR, NL) and 1,000,000 units of the security each.
func (w *girderLoad) setupSecurity(ctx context.Context, s *setup) error {
	ia := w.issuer.Address()
	exempt := []address.Address{ia}
	if err := s.send(ctx, 8, // one tx: a dry run does not see what the mempool's txs create
		&identity.MsgSetTrust{Authority: ia, Issuer: ia, Claims: identity.ClaimKinds},
		&assets.MsgCreate{Issuer: ia, Denom: w.cash, Kind: assets.KindCash, Name: "Bench cash", Symbol: "BCASH", Decimals: 2},
		&assets.MsgCreate{Issuer: ia, Denom: w.security, Kind: assets.KindSecurity, Name: "Bench security", Symbol: "BSEC", Decimals: 6},
		&compliance.MsgSetRules{Officer: ia, Asset: w.security, Rules: []compliance.Rule{
			{ID: "kyc", Kind: compliance.KindRequiredClaims, Outcome: compliance.OutcomeReject, Params: compliance.Params{Side: compliance.SideReceiver, KYCLevel: 1, Sanctions: true, Exempt: exempt}},
			{ID: "eu", Kind: compliance.KindJurisdictionAllow, Outcome: compliance.OutcomeReject, Params: compliance.Params{Side: compliance.SideBoth, Jurisdictions: []string{"DE", "FR", "NL"}, Exempt: exempt}},
			{ID: "cap", Kind: compliance.KindMaxBalance, Outcome: compliance.OutcomeReject, Params: compliance.Params{Bps: 5_000, Exempt: exempt}},
			{ID: "large", Kind: compliance.KindLargeTransfer, Outcome: compliance.OutcomeFlag, Params: compliance.Params{Amount: 1_000_000_000}},
			{ID: "daily", Kind: compliance.KindVelocity, Outcome: compliance.OutcomeReject, Params: compliance.Params{Amount: 1_000_000_000_000, Window: 86_400, Exempt: exempt}},
		}},
		&assets.MsgMint{Issuer: ia, Denom: w.security, Amount: 1_000_000_000_000_000},
		&assets.MsgMint{Issuer: ia, Denom: w.cash, Amount: 1_000_000_000_000_000},
	); err != nil {
		return fmt.Errorf("create assets: %w", err)
	}
	if err := s.wait(ctx); err != nil {
		return fmt.Errorf("create assets: %w", err)
	}
	ev := identity.Hash(sha256.Sum256([]byte("bench kyc")))
	expiry := time.Now().AddDate(1, 0, 0).Unix()
	var msgs []tx.Msg
	for i, a := range w.accs {
		id := fmt.Sprintf("bench%s-%d", w.security[len(benchSecurity):], i)
		msgs = append(msgs, &identity.MsgRegister{Provider: ia, ID: id, Accounts: []address.Address{a.addr}},
			&identity.MsgIssue{Issuer: ia, ID: id, Claims: identity.ClaimSet{KYCLevel: 2, Jurisdiction: []string{"DE", "FR", "NL"}[i%3], SanctionsScreened: true},
				Expiry: expiry, EvidenceHash: ev})
	}
	if err := s.send(ctx, 32, msgs...); err != nil {
		return fmt.Errorf("identities: %w", err)
	}
	if err := s.wait(ctx); err != nil {
		return fmt.Errorf("identities: %w", err)
	}
	msgs = nil
	for lo := 0; lo < len(w.accs); lo += 128 {
		var outs []bank.Output
		for i := lo; i < min(lo+128, len(w.accs)); i++ {
			outs = append(outs, bank.Output{To: w.accs[i].addr, Amount: coin.New(w.security, 1_000_000_000)})
		}
		msgs = append(msgs, &bank.MsgMultiSend{From: ia, Outputs: outs})
	}
	if err := s.send(ctx, 1, msgs...); err != nil {
		return fmt.Errorf("distribute %s: %w", w.security, err)
	}
	if err := s.wait(ctx); err != nil {
		return fmt.Errorf("distribute %s: %w", w.security, err)
	}
	w.progress("%s: 5 rules, %d verified holders", w.security, len(w.accs))
	return nil
}

// msg is the scenario's msg for account i (claims: of the distribution to claim next).
func (w *girderLoad) msg(ctx context.Context, i int) (tx.Any, error) {
	from := w.accs[i]
	to := w.accs[(i+1)%len(w.accs)]
	switch w.scenario {
	case ScenarioTransfer:
		return tx.Pack(&bank.MsgSend{From: from.addr, To: to.addr, Amount: coin.New("ugrd", 1)})
	case ScenarioSecurity:
		return tx.Pack(&bank.MsgSend{From: from.addr, To: to.addr, Amount: coin.New(w.security, 1)})
	case ScenarioClaim:
		if len(w.dists) == 0 {
			if err := w.deposit(ctx, 1); err != nil {
				return tx.Any{}, err
			}
		}
		return tx.Pack(&distributions.MsgClaim{Holder: from.addr, Distribution: w.dists[0]})
	}
	return tx.Any{}, fmt.Errorf("unknown scenario %q", w.scenario)
}

// deposit creates k distributions of the cash to the security's holders at the checkpoint.
func (w *girderLoad) deposit(ctx context.Context, k int) error {
	ia := w.issuer.Address()
	s := &setup{c: w.c, signer: w.issuer}
	var msgs []tx.Msg
	for i := 0; i < k; i++ {
		msgs = append(msgs, &distributions.MsgDeposit{Depositor: ia, Asset: w.security, Checkpoint: w.checkpoint,
			Amount: coin.New(w.cash, 1_000_000_000), Expiry: time.Now().AddDate(0, 1, 0).Unix()})
	}
	var err error
	for attempt := 0; attempt < 50; attempt++ { // the checkpoint is taken at the end of its block
		if err = s.send(ctx, 32, msgs...); err == nil {
			err = s.wait(ctx)
		}
		var ce *codes.Error
		if err == nil || !errors.As(err, &ce) || ce.Module != "distributions" {
			break
		}
		s = &setup{c: w.c, signer: w.issuer}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("deposit: %w", err)
	}
	for _, r := range s.results {
		w.dists = append(w.dists, eventUints(r, "distributions.deposited", "distribution")...)
	}
	if len(w.dists) == 0 {
		return errors.New("deposit: no distributions.deposited event")
	}
	return nil
}

// next pre-signs n txs, round robin over the accounts (each account's txs in nonce order), in
// parallel on every core.
func (w *girderLoad) next(ctx context.Context, n int) (*batch, error) {
	A := len(w.accs)
	b := &batch{txs: make([][]byte, n), lane: make([]int, n)}
	// Claims: account i's k-th claim of the step is of distribution dists[k]; every account claims
	// each distribution once, so a step of n claims needs ⌈n/A⌉ distributions.
	var dists []uint64
	if w.scenario == ScenarioClaim {
		need := (n + A - 1) / A
		if len(w.dists) < need {
			if err := w.deposit(ctx, need-len(w.dists)); err != nil {
				return nil, err
			}
		}
		dists = w.dists[:need]
		w.dists = w.dists[need:]
	}
	var msgs []tx.Any
	if w.scenario != ScenarioClaim {
		msgs = make([]tx.Any, A)
		for i := range w.accs {
			m, err := w.msg(ctx, i)
			if err != nil {
				return nil, err
			}
			msgs[i] = m
		}
	}
	workers := runtime.NumCPU()
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for j := g; j < n; j += workers {
				i, k := j%A, j/A
				var m tx.Any
				if dists != nil {
					var err error
					if m, err = tx.Pack(&distributions.MsgClaim{Holder: w.accs[i].addr, Distribution: dists[k]}); err != nil {
						errs[g] = err
						return
					}
				} else {
					m = msgs[i]
				}
				a := w.accs[i]
				nonce := w.nonce[i] + uint64(k)
				var pub []byte
				if !w.bound[i] && k == 0 {
					pub = a.pub // the first tx binds the key to the account
				}
				body := tx.Body{ChainID: w.chainID, Signer: a.addr, Nonce: nonce, Fee: tx.Fee{GasLimit: w.gas, MaxFee: w.maxFee}, Msgs: []tx.Any{m}}
				raw, err := tx.Sign(body, pub, a.Sign)
				if err != nil {
					errs[g] = err
					return
				}
				b.txs[j], b.lane[j] = raw, i
			}
		}(g)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, t := range b.txs {
		w.sizeSum += len(t)
		w.sizeN++
	}
	return b, nil
}

// done advances each account's nonce past the txs of the step. An account whose txs all
// committed successfully (or were never sent) is known; for one with a tx rejected, dropped or
// failed, the node is asked (after its mempool drained) for the account's pending nonce.
func (w *girderLoad) done(ctx context.Context, b *batch, o *outcome) error {
	A := len(w.accs)
	dirty := make([]bool, A)
	sent := make([]int, A)
	for j := range b.txs {
		i := b.lane[j]
		switch o.fate[j] {
		case fateCommitted:
			sent[i]++
		case fateUnsent:
		default:
			dirty[i] = true
		}
	}
	var ask []int
	for i := 0; i < A; i++ {
		if dirty[i] {
			ask = append(ask, i)
			continue
		}
		w.nonce[i] += uint64(sent[i])
		if sent[i] > 0 {
			w.bound[i] = true
		}
	}
	if len(ask) == 0 {
		return nil
	}
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, i := range ask {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			acc, ok, err := w.c.PendingAccount(ctx, w.accs[i].addr)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			if ok {
				w.nonce[i] = acc.Nonce
				w.bound[i] = acc.PubKey != nil
			}
		}(i)
	}
	wg.Wait()
	return firstErr
}

func (w *girderLoad) meanSize() int {
	if w.sizeN == 0 {
		return 0
	}
	return w.sizeSum / w.sizeN
}

// kvLoad is the kvstore baseline's workload: txs "k<step>-<i>=v…" padded to the size of the
// Girder txs, every key new.
type kvLoad struct {
	size int
	step int
}

func (k *kvLoad) next(_ context.Context, n int) (*batch, error) {
	k.step++
	b := &batch{txs: make([][]byte, n), lane: make([]int, n)}
	for i := 0; i < n; i++ {
		t := fmt.Appendf(nil, "k%d-%d=v", k.step, i)
		for len(t) < k.size {
			t = append(t, 'x')
		}
		b.txs[i], b.lane[i] = t, i
	}
	return b, nil
}

func (k *kvLoad) done(context.Context, *batch, *outcome) error { return nil }
func (k *kvLoad) meanSize() int                                { return k.size }

// setup sends setup txs from one signer, each built by the client (nonce from the node's
// mempool view, gas from a dry run), without waiting between them.
type setup struct {
	c       *client.Client
	signer  client.Signer
	hashes  []string
	results []*client.Result
}

// send packs msgs per txs of at most `per` msgs and broadcasts them.
func (s *setup) send(ctx context.Context, per int, msgs ...tx.Msg) error {
	for lo := 0; lo < len(msgs); lo += per {
		var h string
		var err error
		for attempt := 0; ; attempt++ {
			var raw []byte
			if raw, err = s.c.Build(ctx, s.signer, msgs[lo:min(lo+per, len(msgs))], client.BuildOptions{}); err == nil {
				h, err = s.c.Broadcast(ctx, raw)
			}
			// The node's pending nonce can lag while a block commits and its mempool rechecks:
			// build again (as client.Send does).
			var ce *codes.Error
			if err != nil && attempt < 20 && errors.As(err, &ce) && ce.Module == "auth" && (ce.Code == 3 || ce.Code == 4) {
				time.Sleep(100 * time.Millisecond)
				continue
			}
			break
		}
		if err != nil {
			return err
		}
		s.hashes = append(s.hashes, h)
	}
	return nil
}

// wait waits for the txs sent and checks they succeeded.
func (s *setup) wait(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for _, h := range s.hashes {
		r, err := s.c.WaitForTx(ctx, h)
		if err != nil {
			return err
		}
		if err := r.Err(); err != nil {
			return err
		}
		s.results = append(s.results, r)
	}
	s.hashes = nil
	return nil
}

// result sends msgs in one tx and waits for it.
func (s *setup) result(ctx context.Context, msgs ...tx.Msg) (*client.Result, error) {
	if err := s.send(ctx, len(msgs), msgs...); err != nil {
		return nil, err
	}
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	return s.results[len(s.results)-1], nil
}

// lastUint reads an event attribute of the last result.
func (s *setup) lastUint(typ, key string) uint64 {
	if len(s.results) == 0 {
		return 0
	}
	v := eventUints(s.results[len(s.results)-1], typ, key)
	if len(v) == 0 {
		return 0
	}
	return v[0]
}

// eventUints reads a uint attribute of every event of a type in a tx's result.
func eventUints(r *client.Result, typ, key string) []uint64 {
	var out []uint64
	for _, e := range r.Events {
		if e.Type != typ {
			continue
		}
		for _, a := range e.Attrs {
			if a.Key == key {
				if n, err := strconv.ParseUint(a.Value, 10, 64); err == nil {
					out = append(out, n)
				}
			}
		}
	}
	return out
}
