package faults

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/girder-chain/girder/client"
	"github.com/girder-chain/girder/coin"
	"github.com/girder-chain/girder/tx"
	"github.com/girder-chain/girder/x/bank"
)

// BenchmarkNetworkLatency measures, on 1 and on 4 local validators (separate processes, default
// config), the block interval and the submit→commit latency of transfers sent one after another
// to node 0 (p50, p99):
//
//	go test ./faults -run '^$' -bench NetworkLatency -benchtime 100x
func BenchmarkNetworkLatency(b *testing.B) {
	for _, vals := range []int{1, 4} {
		b.Run(fmt.Sprintf("validators=%d", vals), func(b *testing.B) {
			nw := newNetwork(b, vals, 0)
			nw.startAll()
			nw.waitHeight(3, startup, all(vals)...)
			c := nw.client(0)
			key, to := nw.keys[0], nw.keys[1].Address()
			msgs := []tx.Msg{&bank.MsgSend{From: key.Address(), To: to, Amount: coin.New("ugrd", 1)}}
			ctx := context.Background()
			s0, _ := c.Status(ctx)
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				raw, err := c.Build(ctx, key, msgs, client.BuildOptions{})
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				hash, err := c.Broadcast(ctx, raw)
				if err != nil {
					b.Fatal(err)
				}
				wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				r, err := c.WaitForTx(wctx, hash)
				cancel()
				if err != nil || r.Code != 0 {
					b.Fatalf("%v %+v", err, r)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			s1, _ := c.Status(ctx)
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			if n := s1.Height - s0.Height; n > 0 {
				b.ReportMetric(float64(s1.LatestBlockTime.Sub(s0.LatestBlockTime).Milliseconds())/float64(n), "ms/block")
			}
		})
	}
}
