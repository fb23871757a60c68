package node

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/bank"
)

// BenchmarkCommitLatency runs a real one-validator node per timeout_commit setting and measures,
// for transfers sent one after another through the SDK, the submit→commit latency (p50, p99)
// and the block interval. It is how the default timeout_commit was chosen (docs/performance.md):
//
//	go test ./node -run '^$' -bench CommitLatency -benchtime 40x
func BenchmarkCommitLatency(b *testing.B) {
	for _, tc := range []time.Duration{0, 100 * time.Millisecond, DefaultTimeoutCommit, 500 * time.Millisecond, time.Second} {
		b.Run(fmt.Sprintf("timeout_commit=%v", tc), func(b *testing.B) {
			alice, bob := newSigner("alice"), newSigner("bob")
			home := b.TempDir()
			if _, err := Init(InitOptions{Home: home, ChainID: "girder-bench", Moniker: "v0", Balances: []bank.Balance{
				{Address: alice.Address(), Coins: []coin.Coin{coin.New("ugrd", funds)}}}}); err != nil {
				b.Fatal(err)
			}
			rpc, p2p := freePortB(b), freePortB(b)
			n, err := Start(context.Background(), home, Options{Log: nopWriter{}, Configure: func(c *cmtcfg.Config) {
				c.RPC.ListenAddress, c.P2P.ListenAddress = "tcp://"+rpc, "tcp://"+p2p
				c.Consensus.TimeoutCommit = tc
			}})
			if err != nil {
				b.Fatal(err)
			}
			defer n.Stop()
			c, err := client.Dial(n.RPCAddress())
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			for {
				if s, err := c.Status(ctx); err == nil && s.Height >= 2 {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			msgs := []tx.Msg{&bank.MsgSend{From: alice.Address(), To: bob.Address(), Amount: coin.New("ugrd", 1)}}
			lat := make([]time.Duration, 0, b.N)
			s0, _ := c.Status(ctx)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				nonce := uint64(i)
				raw, err := c.Build(ctx, alice, msgs, client.BuildOptions{Nonce: &nonce, GasLimit: 10_000})
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				hash, err := c.Broadcast(ctx, raw)
				if err != nil {
					b.Fatal(err)
				}
				if r, err := c.WaitForTx(ctx, hash); err != nil || r.Code != 0 {
					b.Fatalf("%v %+v", err, r)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			s1, _ := c.Status(ctx)
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99-ms")
			if blocks := s1.Height - s0.Height; blocks > 0 {
				b.ReportMetric(float64(s1.LatestBlockTime.Sub(s0.LatestBlockTime).Milliseconds())/float64(blocks), "ms/block")
			}
		})
	}
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }

func freePortB(b *testing.B) string { return freePortAddr(b) }
