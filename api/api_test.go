package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	rpcclient "github.com/cometbft/cometbft/rpc/client"
	"github.com/cometbft/cometbft/rpc/client/local"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/api"
	"github.com/girder-chain/girder/app"
	"github.com/girder-chain/girder/chain"
	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/internal/nodetest"
	"github.com/girder-chain/girder/node"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/auth"
	"github.com/girder-chain/girder/x/bank"
	"github.com/girder-chain/girder/x/fees"
)

const (
	chainID = "girder-api-test"
	funds   = coin.Amount(5_000_000_000)
)

// testNet is one real validator (CometBFT in-process, RPC on loopback) shared by the package's
// tests; each test serves its own API over it with httptest.
type testNet struct {
	net               *nodetest.Net
	n                 *node.Node
	c                 *client.Client
	alice, bob, carol nodetest.Key
	dave              nodetest.Key // never funded
}

var (
	netOnce sync.Once
	theNet  *testNet
	netErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if theNet != nil {
		if err := theNet.net.Stop(); err != nil {
			fmt.Println("stop node:", err)
		}
	}
	os.Exit(code)
}

func startNet() (*testNet, error) {
	tn := &testNet{alice: nodetest.NewKey("alice"), bob: nodetest.NewKey("bob"), carol: nodetest.NewKey("carol"), dave: nodetest.NewKey("dave")}
	net, err := nodetest.Launch(nodetest.Options{ChainID: chainID, Funded: []nodetest.Key{tn.alice, tn.bob, tn.carol}, Funds: funds})
	if err != nil {
		return nil, err
	}
	tn.net, tn.n, tn.c = net, net.Node, net.Client
	return tn, nil
}

// testNode starts the shared node once (it runs until TestMain ends).
func testNode(t *testing.T) *testNet {
	t.Helper()
	netOnce.Do(func() {
		tn, err := startNet()
		if tn != nil {
			theNet = tn
		}
		netErr = err
	})
	if netErr != nil {
		t.Fatalf("start the test node: %v", netErr)
	}
	return theNet
}

// serve runs an API server over the test node, with cfg.
func serve(t *testing.T, tn *testNet, cfg api.Config) (*api.Server, string) {
	t.Helper()
	s := api.New(cfg, local.New(tn.n.Comet()), app.NewRegistry(), tn.n.App.Modules())
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return s, srv.URL
}

type httpAnswer struct {
	status int
	header http.Header
	body   []byte
}

func call(t *testing.T, method, url, body string, header ...string) httpAnswer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read: %v", method, url, err)
	}
	return httpAnswer{res.StatusCode, res.Header, b}
}

// getJSON GETs url, wants 200 application/json, and decodes the answer into out.
func getJSON(t *testing.T, url string, out any) {
	t.Helper()
	a := call(t, "GET", url, "")
	wantJSON(t, "GET "+url, a, out)
}

func postJSON(t *testing.T, url string, in, out any) {
	t.Helper()
	b, _ := json.Marshal(in)
	a := call(t, "POST", url, string(b))
	wantJSON(t, "POST "+url, a, out)
}

func wantJSON(t *testing.T, what string, a httpAnswer, out any) {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("%s: status %d, want 200: %s", what, a.status, a.body)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s: Content-Type %q, want application/json", what, ct)
	}
	if err := json.Unmarshal(a.body, out); err != nil {
		t.Fatalf("%s: decode %s: %v", what, a.body, err)
	}
}

// wantProblem checks an RFC 9457 answer: status, Content-Type, and (when module is not "") the
// chain's module and code.
func wantProblem(t *testing.T, what string, a httpAnswer, status int, module string, code uint32) api.Problem {
	t.Helper()
	if a.status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, a.status, status, a.body)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("%s: Content-Type %q, want application/problem+json", what, ct)
	}
	var p api.Problem
	dec := json.NewDecoder(bytes.NewReader(a.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("%s: problem %s: %v", what, a.body, err)
	}
	if p.Status != status || p.Title == "" || p.Detail == "" || p.Type == "" {
		t.Fatalf("%s: problem %+v", what, p)
	}
	if module != "" {
		if p.Module != module || p.Code != code || p.Type != fmt.Sprintf("urn:girder:error:%s:%d", module, code) {
			t.Fatalf("%s: problem %+v, want module %s code %d", what, p, module, code)
		}
	}
	return p
}

// txView is api.Tx with its msgs' values kept as JSON (tx.Msg is an interface).
type txView struct {
	Hash      string        `json:"hash"`
	Height    int64         `json:"height"`
	Index     uint32        `json:"index"`
	Code      uint32        `json:"code"`
	Codespace string        `json:"codespace"`
	Log       string        `json:"log"`
	GasWanted int64         `json:"gas_wanted"`
	GasUsed   int64         `json:"gas_used"`
	Fee       coin.Amount   `json:"fee,string"`
	Signer    string        `json:"signer"`
	Nonce     uint64        `json:"nonce"`
	Limits    *tx.Fee       `json:"fee_limits"`
	Memo      string        `json:"memo"`
	Msgs      []msgView     `json:"msgs"`
	Events    []chain.Event `json:"events"`
}

type msgView struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

type txListView struct {
	Txs   []txView `json:"txs"`
	Total int      `json:"total"`
	Next  string   `json:"next"`
}

type broadcastView struct {
	Hash   string  `json:"hash"`
	Height int64   `json:"height"`
	Tx     *txView `json:"tx"`
}

func apiStatus(t *testing.T, base string) api.StatusInfo {
	t.Helper()
	var st api.StatusInfo
	getJSON(t, base+"/v1/status", &st)
	return st
}

func waitHeight(t *testing.T, base string, h int64) int64 {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		st := apiStatus(t, base)
		if st.Height >= h {
			return st.Height
		}
		if time.Now().After(deadline) {
			t.Fatalf("the chain did not reach height %d (at %d)", h, st.Height)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func testCtx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

// signedSend builds and signs a transfer with the SDK.
func signedSend(t *testing.T, tn *testNet, from, to nodetest.Key, amount coin.Amount, o client.BuildOptions) []byte {
	t.Helper()
	raw, err := tn.c.Build(testCtx(t), from, []tx.Msg{&bank.MsgSend{From: from.Address(), To: to.Address(), Amount: coin.New("ugrd", amount)}}, o)
	if err != nil {
		t.Fatalf("build a transfer: %v", err)
	}
	return raw
}

func b64(raw []byte) string { return base64.StdEncoding.EncodeToString(raw) }

func hashOf(raw []byte) string { h := tx.Hash(raw); return strings.ToUpper(hex.EncodeToString(h[:])) }

// waitTx polls GET /v1/txs/{hash} until the tx is committed.
func waitTx(t *testing.T, base, hash string) txView {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		a := call(t, "GET", base+"/v1/txs/"+hash, "")
		if a.status == http.StatusOK {
			var v txView
			wantJSON(t, "GET tx", a, &v)
			return v
		}
		wantProblem(t, "GET a pending tx", a, http.StatusNotFound, "", 0)
		if time.Now().After(deadline) {
			t.Fatalf("tx %s not committed in time", hash)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func balanceOf(t *testing.T, base string, a address.Address, query string) coin.Amount {
	t.Helper()
	var c coin.Coin
	getJSON(t, base+"/v1/accounts/"+a.String()+"/balances/ugrd"+query, &c)
	if c.Denom != "ugrd" {
		t.Fatalf("balance %+v", c)
	}
	return c.Amount
}

func TestStatus(t *testing.T) {
	tn := testNode(t)
	_, base := serve(t, tn, api.Config{})
	waitHeight(t, base, 1)
	st := apiStatus(t, base)
	if st.ChainID != chainID || st.Moniker != "v0" || st.NodeID == "" || st.Version != app.Version || st.Height < 1 ||
		st.LatestBlockTime.IsZero() || len(st.LatestBlockHash) != 64 || !st.Validator || st.ReadOnly || st.CatchingUp {
		t.Fatalf("status %+v", st)
	}
}

func TestBlocks(t *testing.T) {
	tn := testNode(t)
	_, base := serve(t, tn, api.Config{MaxPageSize: 4})
	waitHeight(t, base, 7)

	var latest api.Block
	getJSON(t, base+"/v1/blocks/latest", &latest)
	if latest.Height < 7 || len(latest.Hash) != 64 || latest.Time.IsZero() || latest.TxHashes == nil || latest.NumTxs != len(latest.TxHashes) {
		t.Fatalf("latest block %+v", latest)
	}
	var b3 api.Block
	getJSON(t, base+"/v1/blocks/3", &b3)
	if b3.Height != 3 || len(b3.Hash) != 64 || b3.Hash == latest.Hash {
		t.Fatalf("block 3: %+v", b3)
	}
	for _, bad := range []string{"0", "-1", "x", "1.5"} {
		wantProblem(t, "block "+bad, call(t, "GET", base+"/v1/blocks/"+bad, ""), http.StatusBadRequest, "", 0)
	}
	wantProblem(t, "a future block", call(t, "GET", base+"/v1/blocks/1000000000", ""), http.StatusNotFound, "", 0)

	// A range, a page at a time, until no next cursor.
	var heights []int64
	url := base + "/v1/blocks?from=2&to=6&limit=2"
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		var l api.BlockList
		getJSON(t, url, &l)
		if len(l.Blocks) > 2 {
			t.Fatalf("page of %d blocks with limit 2", len(l.Blocks))
		}
		for _, b := range l.Blocks {
			heights = append(heights, b.Height)
		}
		if l.Next == "" {
			break
		}
		url = base + "/v1/blocks?from=2&to=6&limit=2&cursor=" + l.Next
	}
	if fmt.Sprint(heights) != "[6 5 4 3 2]" {
		t.Fatalf("blocks 2 to 6 newest first: %v", heights)
	}
	// Without a range: the newest first, from the latest.
	var l api.BlockList
	getJSON(t, base+"/v1/blocks", &l)
	if len(l.Blocks) != 4 || l.Blocks[0].Height < latest.Height || l.Next == "" {
		t.Fatalf("blocks, default page: %d blocks from %d, next %q", len(l.Blocks), l.Blocks[0].Height, l.Next)
	}
	for i := 1; i < len(l.Blocks); i++ {
		if l.Blocks[i].Height != l.Blocks[i-1].Height-1 {
			t.Fatalf("blocks not consecutive newest first: %d after %d", l.Blocks[i].Height, l.Blocks[i-1].Height)
		}
	}
	// A range that reaches past the latest block starts at the latest.
	l = api.BlockList{}
	getJSON(t, base+"/v1/blocks?from=1&to=1000000&limit=1", &l)
	if len(l.Blocks) != 1 || l.Blocks[0].Height < latest.Height || l.Next == "" {
		t.Fatalf("blocks up to a future height: %+v", l)
	}
	// Last page of the whole chain.
	l = api.BlockList{}
	getJSON(t, base+"/v1/blocks?to=2&limit=4", &l)
	if len(l.Blocks) != 2 || l.Blocks[1].Height != 1 || l.Next != "" {
		t.Fatalf("blocks up to 2: %+v", l)
	}

	for _, q := range []string{"limit=0", "limit=-3", "limit=abc", "limit=5", "limit=1000", "cursor=%21%21", "cursor=MA", "cursor=abc", "from=0", "to=x"} {
		wantProblem(t, "blocks?"+q, call(t, "GET", base+"/v1/blocks?"+q, ""), http.StatusBadRequest, "", 0)
	}
}

func TestBroadcastAndTxs(t *testing.T) {
	tn := testNode(t)
	_, base := serve(t, tn, api.Config{})
	waitHeight(t, base, 2)
	alice, bob := tn.alice, tn.bob

	// mode sync (the default): the hash once the mempool admitted it.
	raw := signedSend(t, tn, alice, bob, 1_000, client.BuildOptions{Memo: "sync"})
	var br broadcastView
	postJSON(t, base+"/v1/txs", map[string]string{"tx": b64(raw), "mode": "sync"}, &br)
	if br.Hash != hashOf(raw) || br.Tx != nil {
		t.Fatalf("broadcast sync: %+v, want hash %s", br, hashOf(raw))
	}
	t1 := waitTx(t, base, br.Hash)
	if t1.Hash != br.Hash || t1.Code != 0 || t1.Height < 1 || t1.Fee == 0 || t1.GasUsed == 0 || t1.Signer != alice.Address().String() ||
		t1.Memo != "sync" || t1.Limits == nil || t1.Limits.MaxFee < t1.Fee || len(t1.Events) == 0 {
		t.Fatalf("committed tx: %+v", t1)
	}
	if len(t1.Msgs) != 1 || t1.Msgs[0].Type != "bank/send" {
		t.Fatalf("msgs %+v", t1.Msgs)
	}
	var m bank.MsgSend
	if err := json.Unmarshal(t1.Msgs[0].Value, &m); err != nil || m.From != alice.Address() || m.To != bob.Address() || m.Amount != coin.New("ugrd", 1_000) {
		t.Fatalf("decoded msg %s: %+v %v", t1.Msgs[0].Value, m, err)
	}
	feeEvent := false
	for _, e := range t1.Events {
		for _, a := range e.Attrs {
			if e.Type == "fees.charged" && a.Key == "total" && a.Value == strconv.FormatUint(uint64(t1.Fee), 10) {
				feeEvent = true
			}
		}
	}
	if !feeEvent {
		t.Fatalf("no fees.charged event with the fee %d: %+v", t1.Fee, t1.Events)
	}
	// The hash in lower case and with 0x works too.
	var again txView
	getJSON(t, base+"/v1/txs/0x"+strings.ToLower(br.Hash), &again)
	if again.Hash != br.Hash {
		t.Fatalf("tx by lower-case hash: %+v", again)
	}

	// mode commit: the committed tx in the answer.
	raw = signedSend(t, tn, alice, bob, 2_000, client.BuildOptions{})
	postJSON(t, base+"/v1/txs", map[string]string{"tx": b64(raw), "mode": "commit"}, &br)
	if br.Hash != hashOf(raw) || br.Height <= t1.Height-1 || br.Tx == nil || br.Tx.Code != 0 || br.Tx.Hash != br.Hash ||
		br.Tx.Height != br.Height || br.Tx.Nonce != t1.Nonce+1 || br.Tx.Fee == 0 {
		t.Fatalf("broadcast commit: %+v", br)
	}
	t2 := waitTx(t, base, br.Hash)
	if t2.Height != br.Height || t2.GasUsed != br.Tx.GasUsed {
		t.Fatalf("GET of the committed tx %+v, broadcast said %+v", t2, br.Tx)
	}
	// A retry of a committed tx (say, after a lost answer) answers as the first time.
	var retry broadcastView
	postJSON(t, base+"/v1/txs", map[string]string{"tx": b64(raw), "mode": "commit"}, &retry)
	if retry.Hash != br.Hash || retry.Height != br.Height || retry.Tx == nil || retry.Tx.Code != 0 {
		t.Fatalf("broadcast again: %+v, first %+v", retry, br)
	}
	retry = broadcastView{}
	postJSON(t, base+"/v1/txs", map[string]string{"tx": b64(raw)}, &retry)
	if retry.Hash != br.Hash || retry.Tx != nil {
		t.Fatalf("broadcast again, sync: %+v", retry)
	}

	// The account's txs, newest first, a page at a time.
	var all txListView
	getJSON(t, base+"/v1/accounts/"+alice.Address().String()+"/txs", &all)
	if all.Total < 2 || len(all.Txs) != all.Total || all.Next != "" || all.Txs[0].Hash != t2.Hash {
		t.Fatalf("alice's txs: total %d, %d txs, next %q", all.Total, len(all.Txs), all.Next)
	}
	seen := map[string]bool{}
	url := base + "/v1/accounts/" + alice.Address().String() + "/txs?limit=1"
	for pages := 0; ; pages++ {
		if pages > all.Total {
			t.Fatal("pagination does not end")
		}
		var l txListView
		getJSON(t, url, &l)
		if len(l.Txs) != 1 || l.Total != all.Total {
			t.Fatalf("page %d: %+v", pages, l)
		}
		if seen[l.Txs[0].Hash] {
			t.Fatalf("tx %s on two pages", l.Txs[0].Hash)
		}
		seen[l.Txs[0].Hash] = true
		if l.Next == "" {
			break
		}
		url = base + "/v1/accounts/" + alice.Address().String() + "/txs?limit=1&cursor=" + l.Next
	}
	if len(seen) != all.Total || !seen[t1.Hash] || !seen[t2.Hash] {
		t.Fatalf("pages listed %d txs of %d", len(seen), all.Total)
	}
	// Bob received both: they are his txs too.
	var bobs txListView
	getJSON(t, base+"/v1/accounts/"+bob.Address().String()+"/txs?limit=100", &bobs)
	found := 0
	for _, x := range bobs.Txs {
		if x.Hash == t1.Hash || x.Hash == t2.Hash {
			found++
		}
	}
	if found != 2 {
		t.Fatalf("bob's txs miss the transfers he received: %+v", bobs)
	}
	// An account without txs.
	var none txListView
	getJSON(t, base+"/v1/accounts/"+tn.dave.Address().String()+"/txs", &none)
	if none.Total != 0 || len(none.Txs) != 0 || none.Txs == nil || none.Next != "" {
		t.Fatalf("dave's txs: %s", mustJSON(none))
	}
	for _, q := range []string{"limit=0", "limit=101", "cursor=zz"} {
		wantProblem(t, "txs?"+q, call(t, "GET", base+"/v1/accounts/"+alice.Address().String()+"/txs?"+q, ""), http.StatusBadRequest, "", 0)
	}
	wantProblem(t, "txs of a bad address", call(t, "GET", base+"/v1/accounts/gir1nope/txs", ""), http.StatusBadRequest, "", 0)
	wantProblem(t, "a bad mode", call(t, "POST", base+"/v1/txs", `{"tx":"`+b64(raw)+`","mode":"async"}`), http.StatusBadRequest, "", 0)
}

func rpcclientOpts(h int64) rpcclient.ABCIQueryOptions { return rpcclient.ABCIQueryOptions{Height: h} }

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestModuleRoutes(t *testing.T) {
	tn := testNode(t)
	_, base := serve(t, tn, api.Config{})
	waitHeight(t, base, 2)
	carol, bob := tn.carol, tn.bob
	before := apiStatus(t, base).Height
	carolBefore := balanceOf(t, base, carol.Address(), "")

	var acc auth.Account
	getJSON(t, base+"/v1/accounts/"+carol.Address().String(), &acc)
	if acc.Address != carol.Address() {
		t.Fatalf("account %+v", acc)
	}
	nonce := acc.Nonce

	// A transfer admitted but (maybe) not committed: the pending state already counts its nonce.
	raw := signedSend(t, tn, carol, bob, 5_000, client.BuildOptions{})
	var br broadcastView
	postJSON(t, base+"/v1/txs", map[string]string{"tx": b64(raw)}, &br)
	var pending auth.Account
	getJSON(t, base+"/v1/accounts/"+carol.Address().String()+"?pending=true", &pending)
	if pending.Nonce != nonce+1 {
		t.Fatalf("pending nonce %d right after a broadcast, want %d", pending.Nonce, nonce+1)
	}
	done := waitTx(t, base, br.Hash)
	if done.Code != 0 {
		t.Fatalf("transfer failed: %+v", done)
	}

	getJSON(t, base+"/v1/accounts/"+carol.Address().String(), &acc)
	if acc.Nonce != nonce+1 || !bytes.Equal(acc.PubKey, carol.PubKey()) || acc.KeyType != tx.KeyEd25519 {
		t.Fatalf("carol's account after her tx: %+v", acc)
	}
	getJSON(t, base+"/v1/accounts/"+carol.Address().String()+"?pending=false", &acc)
	if acc.Nonce != nonce+1 {
		t.Fatalf("pending=false: %+v", acc)
	}
	// As of a height before the transfer, and at the transfer's height.
	if got := balanceOf(t, base, carol.Address(), fmt.Sprintf("?height=%d", before)); got != carolBefore {
		t.Fatalf("carol's balance at height %d: %d, want %d", before, got, carolBefore)
	}
	want := carolBefore - 5_000 - done.Fee
	if got := balanceOf(t, base, carol.Address(), fmt.Sprintf("?height=%d", done.Height)); got != want {
		t.Fatalf("carol's balance at height %d: %d, want %d", done.Height, got, want)
	}
	if got := balanceOf(t, base, carol.Address(), ""); got != want {
		t.Fatalf("carol's balance: %d, want %d", got, want)
	}
	if got := balanceOf(t, base, carol.Address(), "?pending=true"); got != want {
		t.Fatalf("carol's pending balance: %d, want %d", got, want)
	}

	var bals bank.BalancesResult
	getJSON(t, base+"/v1/accounts/"+carol.Address().String()+"/balances", &bals)
	if bals.Address != carol.Address() || len(bals.Balances) != 1 || bals.Balances[0] != coin.New("ugrd", want) {
		t.Fatalf("carol's balances %+v", bals)
	}
	// Amounts are strings in JSON (64 bits do not fit a JSON number).
	a := call(t, "GET", base+"/v1/accounts/"+carol.Address().String()+"/balances/ugrd", "")
	if !bytes.Contains(a.body, []byte(fmt.Sprintf(`"amount": "%d"`, want))) {
		t.Fatalf("balance JSON %s: want the amount as a string", a.body)
	}

	var f fees.Info
	getJSON(t, base+"/v1/fees", &f)
	if f.Denom != "ugrd" || f.BaseFee == 0 || f.Burnt == 0 || f.Params.Denom != "ugrd" || f.Pool.IsZero() {
		t.Fatalf("fees %+v", f)
	}
	var supply coin.Coin
	getJSON(t, base+"/v1/supply/ugrd", &supply)
	if supply.Denom != "ugrd" || supply.Amount+f.Burnt != 3*funds {
		t.Fatalf("supply %+v with %d burnt, want %d in all", supply, f.Burnt, 3*funds)
	}
	var units []coin.Unit
	getJSON(t, base+"/v1/denoms", &units)
	hasUgrd := false
	for _, u := range units {
		hasUgrd = hasUgrd || u.Base == "ugrd"
	}
	if !hasUgrd {
		t.Fatalf("denoms %+v", units)
	}
	var f1 fees.Info
	getJSON(t, base+"/v1/fees?height=1", &f1)
	if f1.Burnt != 0 {
		t.Fatalf("fees at height 1: %+v", f1)
	}

	// Failures: not found, bad address, bad height, pending with height.
	wantProblem(t, "an unknown account", call(t, "GET", base+"/v1/accounts/"+tn.dave.Address().String(), ""), http.StatusNotFound, "query", 2)
	wantProblem(t, "a bad address", call(t, "GET", base+"/v1/accounts/gir1xyz", ""), http.StatusBadRequest, "query", 3)
	wantProblem(t, "balances of a bad address", call(t, "GET", base+"/v1/accounts/bogus/balances", ""), http.StatusBadRequest, "query", 3)
	for _, q := range []string{"height=0", "height=x", "pending=yes", "pending=true&height=2"} {
		wantProblem(t, "fees?"+q, call(t, "GET", base+"/v1/fees?"+q, ""), http.StatusBadRequest, "", 0)
	}
	wantProblem(t, "state at a future height", call(t, "GET", base+"/v1/fees?height=1000000000", ""), http.StatusNotFound, "query", 2)
}

// TestSimulate: a dry run's gas, fee and state changes are what the execution then does.
func TestSimulate(t *testing.T) {
	tn := testNode(t)
	_, base := serve(t, tn, api.Config{})
	waitHeight(t, base, 2)
	bob, carol := tn.bob, tn.carol
	bobBefore, carolBefore := balanceOf(t, base, bob.Address(), ""), balanceOf(t, base, carol.Address(), "")

	raw := signedSend(t, tn, bob, carol, 777, client.BuildOptions{})
	var sim app.SimulateResult
	postJSON(t, base+"/v1/simulate", map[string]string{"tx": b64(raw)}, &sim)
	if sim.Code != 0 || sim.GasUsed == 0 || len(sim.Changes) == 0 || len(sim.Events) == 0 || len(sim.Fee) == 0 {
		t.Fatalf("simulation %+v", sim)
	}
	var simFee fees.Charge
	if err := json.Unmarshal(sim.Fee, &simFee); err != nil {
		t.Fatalf("simulated fee %s: %v", sim.Fee, err)
	}
	// Simulating changes nothing.
	if got := balanceOf(t, base, bob.Address(), "?pending=true"); got != bobBefore {
		t.Fatalf("bob's pending balance after a simulation: %d, want %d", got, bobBefore)
	}

	var br broadcastView
	postJSON(t, base+"/v1/txs", map[string]string{"tx": b64(raw), "mode": "commit"}, &br)
	if br.Tx == nil || br.Tx.Code != 0 {
		t.Fatalf("broadcast %+v", br)
	}
	if uint64(br.Tx.GasUsed) != sim.GasUsed || br.Tx.Fee != simFee.Total {
		t.Fatalf("executed gas %d fee %d, simulated gas %d fee %d", br.Tx.GasUsed, br.Tx.Fee, sim.GasUsed, simFee.Total)
	}
	// Every key the simulation said the tx writes holds that value after the block.
	rpc := local.New(tn.n.Comet())
	for _, c := range sim.Changes {
		key, err := hex.DecodeString(c.Key)
		if err != nil {
			t.Fatalf("change key %q: %v", c.Key, err)
		}
		q, err := rpc.ABCIQueryWithOptions(testCtx(t), "/store", key, rpcclientOpts(br.Height))
		if err != nil || q.Response.Code != 0 {
			t.Fatalf("store query %s: %v %+v", c.Key, err, q)
		}
		if got := hex.EncodeToString(q.Response.Value); got != c.Value || (c.Deleted && len(q.Response.Value) != 0) {
			t.Fatalf("key %s after the block: %s, simulated %+v", c.Key, got, c)
		}
	}
	if got := balanceOf(t, base, bob.Address(), fmt.Sprintf("?height=%d", br.Height)); got != bobBefore-777-simFee.Total {
		t.Fatalf("bob's balance %d, want %d - 777 - %d", got, bobBefore, simFee.Total)
	}
	if got := balanceOf(t, base, carol.Address(), fmt.Sprintf("?height=%d", br.Height)); got != carolBefore+777 {
		t.Fatalf("carol's balance %d, want %d + 777", got, carolBefore)
	}

	// A tx that would fail: the result says so (200, with its code), it is not a problem.
	raw = signedSend(t, tn, bob, carol, 10*funds, client.BuildOptions{GasLimit: 50_000})
	postJSON(t, base+"/v1/simulate", map[string]string{"tx": b64(raw)}, &sim)
	if sim.Code != 2 || sim.Codespace != "bank" {
		t.Fatalf("simulation of an overdraft: %+v", sim)
	}
	wantProblem(t, "simulate garbage", call(t, "POST", base+"/v1/simulate", `{"tx":"not base64!"}`), http.StatusBadRequest, "", 0)
	wantProblem(t, "simulate nothing", call(t, "POST", base+"/v1/simulate", `{"tx":""}`), http.StatusBadRequest, "", 0)
}

func TestProblems(t *testing.T) {
	tn := testNode(t)
	_, base := serve(t, tn, api.Config{})
	waitHeight(t, base, 2)
	alice := tn.alice

	wantProblem(t, "bad JSON", call(t, "POST", base+"/v1/txs", `{"tx":`), http.StatusBadRequest, "", 0)
	wantProblem(t, "not an object", call(t, "POST", base+"/v1/txs", `["tx"]`), http.StatusBadRequest, "", 0)
	wantProblem(t, "an unknown field", call(t, "POST", base+"/v1/txs", `{"tx":"AAAA","fee":1}`), http.StatusBadRequest, "", 0)
	wantProblem(t, "trailing data", call(t, "POST", base+"/v1/simulate", `{"tx":"AAAA"} {}`), http.StatusBadRequest, "", 0)
	wantProblem(t, "no body", call(t, "POST", base+"/v1/txs", ""), http.StatusBadRequest, "", 0)
	huge := `{"tx":"` + strings.Repeat("A", 2<<20) + `"}`
	p := wantProblem(t, "a huge body", call(t, "POST", base+"/v1/txs", huge), http.StatusRequestEntityTooLarge, "", 0)
	if !strings.Contains(p.Detail, strconv.Itoa(1<<20)) {
		t.Fatalf("413 detail %q does not say the limit", p.Detail)
	}
	_, small := serve(t, tn, api.Config{MaxBodyBytes: 64})
	wantProblem(t, "a body over a 64-byte limit", call(t, "POST", small+"/v1/simulate", `{"tx":"`+strings.Repeat("A", 100)+`"}`), http.StatusRequestEntityTooLarge, "", 0)
	wantProblem(t, "a tx that is not one", call(t, "POST", base+"/v1/txs", `{"tx":"AAAA"}`), http.StatusUnprocessableEntity, "tx", 3)

	wantProblem(t, "a bad address", call(t, "GET", base+"/v1/accounts/gir1qqqq/balances/ugrd", ""), http.StatusBadRequest, "query", 3)
	wantProblem(t, "an unknown tx", call(t, "GET", base+"/v1/txs/"+strings.Repeat("AB", 32), ""), http.StatusNotFound, "", 0)
	wantProblem(t, "a bad tx hash", call(t, "GET", base+"/v1/txs/xyz", ""), http.StatusBadRequest, "", 0)

	// A replayed nonce: the chain refuses, auth code 3.
	raw := signedSend(t, tn, alice, tn.bob, 1, client.BuildOptions{})
	var br broadcastView
	postJSON(t, base+"/v1/txs", map[string]string{"tx": b64(raw), "mode": "commit"}, &br)
	stale := br.Tx.Nonce
	replay := signedSend(t, tn, alice, tn.bob, 2, client.BuildOptions{Nonce: &stale, GasLimit: 50_000})
	p = wantProblem(t, "a replayed nonce", call(t, "POST", base+"/v1/txs", `{"tx":"`+b64(replay)+`"}`), http.StatusUnprocessableEntity, "auth", 3)
	if p.Instance != "/v1/txs" {
		t.Fatalf("problem instance %q", p.Instance)
	}
	// A request that takes longer than the timeout.
	_, hasty := serve(t, tn, api.Config{Timeout: time.Nanosecond})
	wantProblem(t, "a timeout", call(t, "GET", hasty+"/v1/blocks?limit=100", ""), http.StatusServiceUnavailable, "", 0)
	wantProblem(t, "an unknown route", call(t, "GET", base+"/v1/nothing/here", ""), http.StatusNotFound, "", 0)
	wantProblem(t, "outside /v1", call(t, "GET", base+"/status", ""), http.StatusNotFound, "", 0)
	wantProblem(t, "a wrong method", call(t, "DELETE", base+"/v1/status", ""), http.StatusNotFound, "", 0)
}

func TestReadOnly(t *testing.T) {
	tn := testNode(t)
	_, ro := serve(t, tn, api.Config{ReadOnly: true})
	_, rw := serve(t, tn, api.Config{})
	waitHeight(t, ro, 2)
	carol := tn.carol
	if !apiStatus(t, ro).ReadOnly {
		t.Fatal("status of a read-only API does not say so")
	}
	var acc auth.Account
	getJSON(t, ro+"/v1/accounts/"+carol.Address().String()+"?pending=true", &acc)
	before := balanceOf(t, ro, carol.Address(), "?pending=true")

	raw := signedSend(t, tn, carol, tn.alice, 42, client.BuildOptions{})
	wantProblem(t, "broadcast on a read-only API", call(t, "POST", ro+"/v1/txs", `{"tx":"`+b64(raw)+`","mode":"commit"}`), http.StatusForbidden, "", 0)
	// Reads and simulate still work.
	var sim app.SimulateResult
	postJSON(t, ro+"/v1/simulate", map[string]string{"tx": b64(raw)}, &sim)
	if sim.Code != 0 {
		t.Fatalf("simulate on a read-only API: %+v", sim)
	}
	var l api.BlockList
	getJSON(t, ro+"/v1/blocks?limit=1", &l)
	// Nothing changed: not in the mempool, not committed.
	var after auth.Account
	getJSON(t, ro+"/v1/accounts/"+carol.Address().String()+"?pending=true", &after)
	if after.Nonce != acc.Nonce || balanceOf(t, ro, carol.Address(), "?pending=true") != before {
		t.Fatalf("a refused broadcast changed carol's pending account: %+v → %+v", acc, after)
	}
	waitHeight(t, ro, apiStatus(t, ro).Height+2)
	wantProblem(t, "the refused tx", call(t, "GET", ro+"/v1/txs/"+hashOf(raw), ""), http.StatusNotFound, "", 0)
	// The same tx is still good elsewhere: its nonce was never used.
	var br broadcastView
	postJSON(t, rw+"/v1/txs", map[string]string{"tx": b64(raw), "mode": "commit"}, &br)
	if br.Tx == nil || br.Tx.Code != 0 {
		t.Fatalf("the tx refused by the read-only API, broadcast elsewhere: %+v", br)
	}
}

func TestCORS(t *testing.T) {
	tn := testNode(t)
	_, off := serve(t, tn, api.Config{})
	_, on := serve(t, tn, api.Config{CORSOrigins: []string{"https://dash.example/"}})

	a := call(t, "GET", off+"/v1/status", "", "Origin", "https://dash.example")
	if a.status != 200 || a.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("CORS off: status %d, Access-Control-Allow-Origin %q", a.status, a.header.Get("Access-Control-Allow-Origin"))
	}
	a = call(t, "OPTIONS", off+"/v1/txs", "", "Origin", "https://dash.example", "Access-Control-Request-Method", "POST")
	if a.header.Get("Access-Control-Allow-Origin") != "" || a.status == http.StatusNoContent {
		t.Fatalf("CORS off, preflight: %d %v", a.status, a.header)
	}

	a = call(t, "GET", on+"/v1/status", "", "Origin", "https://dash.example")
	if a.status != 200 || a.header.Get("Access-Control-Allow-Origin") != "https://dash.example" || !strings.Contains(a.header.Get("Vary"), "Origin") {
		t.Fatalf("CORS on, allowed origin: %d %v", a.status, a.header)
	}
	a = call(t, "OPTIONS", on+"/v1/txs", "", "Origin", "https://dash.example", "Access-Control-Request-Method", "POST")
	if a.status != http.StatusNoContent || a.header.Get("Access-Control-Allow-Origin") != "https://dash.example" ||
		!strings.Contains(a.header.Get("Access-Control-Allow-Methods"), "POST") || !strings.Contains(a.header.Get("Access-Control-Allow-Headers"), "Content-Type") {
		t.Fatalf("CORS on, preflight: %d %v", a.status, a.header)
	}
	for _, origin := range []string{"https://evil.example", "http://dash.example", "https://dash.example.evil"} {
		a = call(t, "GET", on+"/v1/status", "", "Origin", origin)
		if a.status != 200 || a.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("CORS on, other origin %s: %d %v", origin, a.status, a.header)
		}
	}
	// A request without Origin (curl, a server) is served as usual.
	a = call(t, "GET", on+"/v1/status", "")
	if a.status != 200 || a.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("no Origin: %d %v", a.status, a.header)
	}
}

// TestTxChanges: a committed tx's changes (its block re-run up to it over the state before the
// block) equal what the block committed: the same code, gas, fee and events as GET /v1/txs, and
// carol's balance key decoded to her balance after the block; a second tx of the same block
// sees the first; bad and unknown hashes are problems.
func TestTxChanges(t *testing.T) {
	tn := testNode(t)
	_, base := serve(t, tn, api.Config{})
	waitHeight(t, base, 2)
	bob, carol := tn.bob, tn.carol
	// Two sends of bob's, admitted together so that one block likely holds both.
	first := signedSend(t, tn, bob, carol, 101, client.BuildOptions{})
	postJSON(t, base+"/v1/txs", map[string]string{"tx": b64(first)}, &broadcastView{})
	second := signedSend(t, tn, bob, carol, 202, client.BuildOptions{}) // the pending nonce: the next
	postJSON(t, base+"/v1/txs", map[string]string{"tx": b64(second)}, &broadcastView{})
	sameBlock := waitTx(t, base, hashOf(first)).Height == waitTx(t, base, hashOf(second)).Height
	carolKey := "02" + hex.EncodeToString([]byte("b/")) + hex.EncodeToString(carol.Address().Bytes()) + hex.EncodeToString([]byte("ugrd"))
	for i, raw := range [][]byte{first, second} {
		committed := waitTx(t, base, hashOf(raw))
		var ch api.TxChanges
		getJSON(t, base+"/v1/txs/"+hashOf(raw)+"/changes", &ch)
		sim := ch.Simulation
		if !ch.MatchesCommitted {
			t.Errorf("changes of %s: matches_committed false", committed.Hash)
		}
		if ch.Height != committed.Height || ch.Index != committed.Index || ch.StateAt != committed.Height-1 || ch.Replayed != int(committed.Index)+1 {
			t.Fatalf("changes of %s: %+v, committed at %d index %d", committed.Hash, ch, committed.Height, committed.Index)
		}
		if sim.Code != committed.Code || int64(sim.GasUsed) != committed.GasUsed || len(sim.Events) != len(committed.Events) {
			t.Fatalf("replay code %d gas %d %d events, committed code %d gas %d %d events", sim.Code, sim.GasUsed, len(sim.Events), committed.Code, committed.GasUsed, len(committed.Events))
		}
		var fee fees.Charge
		if err := json.Unmarshal(sim.Fee, &fee); err != nil || fee.Total != committed.Fee {
			t.Fatalf("replayed fee %s (%v), committed %d", sim.Fee, err, committed.Fee)
		}
		var found bool
		for _, c := range sim.Changes {
			if c.Key != carolKey {
				continue
			}
			found = true
			if c.Module != "bank" || !strings.HasPrefix(c.KeyText, "b/") || !strings.HasSuffix(c.KeyText, "ugrd") {
				t.Errorf("carol's balance key described as %s %q", c.Module, c.KeyText)
			}
			// After the second send carol holds her balance at the block's height; after the
			// first, that less the second's 202 when both are in the block.
			want := balanceOf(t, base, carol.Address(), fmt.Sprintf("?height=%d", committed.Height))
			if i == 0 && sameBlock {
				want -= 202
			}
			var got string
			if err := json.Unmarshal(c.Decoded, &got); err != nil || got != fmt.Sprint(want) {
				t.Fatalf("tx %d: carol's balance decoded %s (%v), want %d", i, c.Decoded, err, want)
			}
		}
		if !found {
			t.Fatalf("no write of carol's balance (%s) among %+v", carolKey, sim.Changes)
		}
	}
	wantProblem(t, "changes of a bad hash", call(t, "GET", base+"/v1/txs/xyz/changes", ""), http.StatusBadRequest, "", 0)
	wantProblem(t, "changes of an unknown tx", call(t, "GET", base+"/v1/txs/"+strings.Repeat("0", 64)+"/changes", ""), http.StatusNotFound, "", 0)
}
