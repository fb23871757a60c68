package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestTinyStep runs one 2-second step at 200 tx/s against one validator, with and without the
// kvstore baseline, and checks the report adds up (no timed assertions: the figures themselves
// depend on the machine).
func TestTinyStep(t *testing.T) {
	if testing.Short() {
		t.Skip("starts networks")
	}
	for _, baseline := range []string{"none", "kvstore"} {
		t.Run("baseline="+baseline, func(t *testing.T) {
			var progress bytes.Buffer
			rep, err := Run(context.Background(), Config{Rates: []int{200}, Duration: 2 * time.Second, Tail: 3 * time.Second,
				Accounts: 50, Baseline: baseline, Dir: t.TempDir(), Conns: 4, Progress: &progress})
			if err != nil {
				t.Fatalf("%v\n%s", err, progress.String())
			}
			series := []*Series{&rep.Girder}
			if baseline == "kvstore" {
				if rep.KVStore == nil {
					t.Fatal("no kvstore series")
				}
				series = append(series, rep.KVStore)
			} else if rep.KVStore != nil {
				t.Fatal("kvstore series without a baseline")
			}
			for _, s := range series {
				if len(s.Steps) != 1 {
					t.Fatalf("%s: %d steps, want 1", s.App, len(s.Steps))
				}
				st := s.Steps[0]
				if st.Offered != 200 || st.Txs != 400 {
					t.Errorf("%s: offered %d, txs %d", s.App, st.Offered, st.Txs)
				}
				if st.Submitted+st.Unsent != st.Txs {
					t.Errorf("%s: submitted %d + unsent %d != txs %d", s.App, st.Submitted, st.Unsent, st.Txs)
				}
				if st.Committed > st.Submitted || st.Committed+st.Rejected+st.Dropped != st.Submitted {
					t.Errorf("%s: committed %d + rejected %d + dropped %d vs submitted %d", s.App, st.Committed, st.Rejected, st.Dropped, st.Submitted)
				}
				if st.Committed == 0 || st.CommittedTPS <= 0 {
					t.Fatalf("%s: nothing committed: %+v\n%s", s.App, st, progress.String())
				}
				if !(st.P50 > 0 && st.P50 <= st.P95 && st.P95 <= st.P99 && st.P99 <= st.Max) {
					t.Errorf("%s: latencies p50 %v p95 %v p99 %v max %v", s.App, st.P50, st.P95, st.P99, st.Max)
				}
				if st.Blocks < 1 || st.TxsPerBlock <= 0 {
					t.Errorf("%s: blocks %d, txs per block %v", s.App, st.Blocks, st.TxsPerBlock)
				}
				if s.Peak != st.CommittedTPS || s.TxBytes <= 0 {
					t.Errorf("%s: peak %v, tx bytes %d", s.App, s.Peak, s.TxBytes)
				}
			}
			if baseline == "kvstore" {
				if len(rep.Ratios) != 1 || rep.Ratios[0].Ratio <= 0 || rep.PeakRatio <= 0 {
					t.Errorf("ratios %+v, peak ratio %v", rep.Ratios, rep.PeakRatio)
				}
				if rep.KVStore.TxBytes != rep.Girder.TxBytes {
					t.Errorf("kvstore txs of %d bytes, girder's %d", rep.KVStore.TxBytes, rep.Girder.TxBytes)
				}
			}
			var table bytes.Buffer
			rep.WriteTable(&table)
			if !strings.Contains(table.String(), "girder (") || (baseline == "kvstore") != strings.Contains(table.String(), "girder / kvstore") {
				t.Errorf("table:\n%s", table.String())
			}
			var js bytes.Buffer
			if err := rep.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			var back Report
			if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Girder.Steps[0].Committed != rep.Girder.Steps[0].Committed {
				t.Errorf("JSON round trip: %v", err)
			}
			if !strings.Contains(progress.String(), "offered    200/s") {
				t.Errorf("no progress line per step:\n%s", progress.String())
			}
			t.Logf("\n%s\n%s", progress.String(), table.String())
		})
	}
}
