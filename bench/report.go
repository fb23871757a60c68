package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Step is the outcome of one rate step.
type Step struct {
	// Offered is the offered rate (tx/s); Offered × the duration txs were pre-signed.
	Offered int `json:"offered_tps"`
	// Txs is the number of txs the step offered.
	Txs int `json:"txs"`
	// Submitted: broadcast to a node (Committed + Rejected + Dropped). Unsent: still queued in the
	// client when the step's time ran out (the node's RPC did not take them fast enough).
	Submitted int `json:"submitted"`
	Unsent    int `json:"unsent"`
	// Committed: in a block (Failed of them executed with a non-zero code).
	Committed int `json:"committed"`
	Failed    int `json:"failed"`
	// Rejected: refused by CheckTx. Dropped: the broadcast failed, or the tx was admitted and not
	// committed within the tail.
	Rejected int            `json:"rejected"`
	Dropped  int            `json:"dropped"`
	Codes    map[string]int `json:"codes,omitempty"`        // rejection and failure codes
	Drops    map[string]int `json:"drop_reasons,omitempty"` // broadcast errors

	// SubmittedTPS is Submitted ÷ the submission time; CommittedTPS is Committed ÷ (last commit −
	// first submit).
	SubmittedTPS float64 `json:"submitted_tps"`
	CommittedTPS float64 `json:"committed_tps"`
	// Submit→commit latency of the committed txs (ms): submit is the broadcast's start, commit
	// the arrival of the block's NewBlockHeader event at the client.
	P50  float64 `json:"p50_ms"`
	P95  float64 `json:"p95_ms"`
	P99  float64 `json:"p99_ms"`
	Mean float64 `json:"mean_ms"`
	Max  float64 `json:"max_ms"`
	// Blocks that carried the step's txs: their number, the mean interval of their header times
	// (ms) and the mean txs per block.
	Blocks        int     `json:"blocks"`
	BlockInterval float64 `json:"block_interval_ms"`
	TxsPerBlock   float64 `json:"txs_per_block"`
	// Saturated: committed < 0.9 × offered, or p99 > 2 s.
	Saturated bool `json:"saturated"`
}

// Series is one application's steps.
type Series struct {
	App   string `json:"app"` // girder or kvstore
	Steps []Step `json:"steps"`
	// Peak is the highest committed tx/s of the steps; PeakOffered the offered rate of that step.
	Peak        float64 `json:"peak_committed_tps"`
	PeakOffered int     `json:"peak_at_offered_tps"`
	// SaturatedAt is the first offered rate found saturated (0: none).
	SaturatedAt int `json:"saturated_at_offered_tps"`
	// TxBytes is the mean tx size.
	TxBytes int `json:"tx_bytes"`
}

// Ratio compares Girder with the kvstore baseline at one offered rate.
type Ratio struct {
	Offered int     `json:"offered_tps"`
	Girder  float64 `json:"girder_committed_tps"`
	KVStore float64 `json:"kvstore_committed_tps"`
	Ratio   float64 `json:"ratio"`
	// P50Ratio is Girder's p50 latency over kvstore's.
	P50Ratio float64 `json:"p50_ratio"`
}

// Report is a bench run.
type Report struct {
	Scenario   string     `json:"scenario"`
	Validators int        `json:"validators"` // 0: external nodes
	Nodes      []string   `json:"nodes,omitempty"`
	Duration   string     `json:"duration_per_step"`
	Accounts   int        `json:"accounts"`
	Conns      int        `json:"rpc_connections"`
	Started    time.Time  `json:"started"`
	Machine    Machine    `json:"machine"`
	Config     NodeConfig `json:"node_config"`
	Girder     Series     `json:"girder"`
	KVStore    *Series    `json:"kvstore,omitempty"`
	Ratios     []Ratio    `json:"ratios,omitempty"`
	// PeakRatio is Girder's peak committed tx/s over kvstore's.
	PeakRatio float64 `json:"peak_ratio,omitempty"`
}

// Machine describes where the run happened.
type Machine struct {
	CPUs   int    `json:"cpus"`
	CPU    string `json:"cpu_model,omitempty"`
	MemGiB int    `json:"mem_gib,omitempty"`
	OS     string `json:"os"`
	Go     string `json:"go"`
	// LoadAvg is the 1-minute load average when the run started: other work on the machine
	// slows both applications (the ratios hold better than the absolute figures).
	LoadAvg float64 `json:"load_avg_1m"`
}

// NodeConfig is the CometBFT configuration both applications ran with.
type NodeConfig struct {
	TimeoutCommit  string `json:"timeout_commit"`
	TimeoutPropose string `json:"timeout_propose"`
	MempoolSize    int    `json:"mempool_size"`
	MempoolRecheck bool   `json:"mempool_recheck"`
	BlockMaxBytes  int64  `json:"block_max_bytes"`
	BlockMaxGas    int64  `json:"block_max_gas"`
	TxIndexer      string `json:"tx_indexer"`
	DBBackend      string `json:"db_backend"`
}

// stepOf computes a step's figures.
func stepOf(rate int, b *batch, o *outcome) Step {
	s := Step{Offered: rate, Txs: len(b.txs), Codes: map[string]int{}, Drops: o.drops}
	for k, v := range o.rejects {
		s.Codes[k] = v
	}
	var first, lastSubmit, lastCommit time.Time
	var lat []float64
	for j, f := range o.fate {
		if f == fateUnsent {
			s.Unsent++
			continue
		}
		s.Submitted++
		t := o.submitAt[j]
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if t.After(lastSubmit) {
			lastSubmit = t
		}
		switch f {
		case fateCommitted, fateFailed:
			s.Committed++
			if f == fateFailed {
				s.Failed++
			}
			if o.commitAt[j].After(lastCommit) {
				lastCommit = o.commitAt[j]
			}
			lat = append(lat, float64(o.commitAt[j].Sub(t).Microseconds())/1000)
		case fateRejected:
			s.Rejected++
		default:
			s.Dropped++
		}
	}
	if len(s.Codes) == 0 {
		s.Codes = nil
	}
	if len(s.Drops) == 0 {
		s.Drops = nil
	}
	if span := lastSubmit.Sub(first).Seconds(); span > 0 {
		s.SubmittedTPS = float64(s.Submitted) / span
	}
	if span := lastCommit.Sub(first).Seconds(); span > 0 && s.Committed > 0 {
		s.CommittedTPS = float64(s.Committed) / span
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		s.P50, s.P95, s.P99, s.Max = quantile(lat, 0.50), quantile(lat, 0.95), quantile(lat, 0.99), lat[len(lat)-1]
		sum := 0.0
		for _, l := range lat {
			sum += l
		}
		s.Mean = sum / float64(len(lat))
	}
	var blocks []blockInfo
	for _, bi := range o.blocks {
		if bi.ours > 0 {
			blocks = append(blocks, bi)
		}
	}
	s.Blocks = len(blocks)
	if len(blocks) > 0 {
		all := 0
		for _, bi := range blocks {
			all += bi.txs
		}
		s.TxsPerBlock = float64(all) / float64(len(blocks))
	}
	if len(blocks) > 1 {
		s.BlockInterval = float64(blocks[len(blocks)-1].time.Sub(blocks[0].time).Microseconds()) / 1000 / float64(len(blocks)-1)
	}
	s.Saturated = s.CommittedTPS < 0.9*float64(rate) || s.P99 > 2000
	return s
}

// quantile of sorted xs (nearest rank).
func quantile(xs []float64, q float64) float64 {
	i := int(math.Ceil(q*float64(len(xs)))) - 1
	return xs[max(0, min(i, len(xs)-1))]
}

func (s *Series) add(st Step) {
	s.Steps = append(s.Steps, st)
	if st.CommittedTPS > s.Peak {
		s.Peak, s.PeakOffered = st.CommittedTPS, st.Offered
	}
	if st.Saturated && s.SaturatedAt == 0 {
		s.SaturatedAt = st.Offered
	}
}

// ratios fills the Girder/kvstore ratios.
func (r *Report) ratios() {
	if r.KVStore == nil {
		return
	}
	r.Ratios = nil
	for _, g := range r.Girder.Steps {
		for _, k := range r.KVStore.Steps {
			if k.Offered == g.Offered && k.CommittedTPS > 0 {
				ra := Ratio{Offered: g.Offered, Girder: g.CommittedTPS, KVStore: k.CommittedTPS, Ratio: g.CommittedTPS / k.CommittedTPS}
				if k.P50 > 0 {
					ra.P50Ratio = g.P50 / k.P50
				}
				r.Ratios = append(r.Ratios, ra)
			}
		}
	}
	if r.KVStore.Peak > 0 {
		r.PeakRatio = r.Girder.Peak / r.KVStore.Peak
	}
}

// WriteTable prints the report as text tables.
func (r *Report) WriteTable(w io.Writer) {
	where := fmt.Sprintf("%d validator(s) in process", r.Validators)
	if r.Validators == 0 {
		where = "nodes " + strings.Join(r.Nodes, ", ")
	}
	fmt.Fprintf(w, "\ngirder bench: scenario %s, %s, %s per rate, %d accounts, %d RPC connections\n", r.Scenario, where, r.Duration, r.Accounts, r.Conns)
	fmt.Fprintf(w, "machine: %d CPUs %s, %s, %s, load average %.1f at the start; timeout_commit %s, mempool %d (recheck %v), block max %d bytes\n",
		r.Machine.CPUs, r.Machine.CPU, r.Machine.OS, r.Machine.Go, r.Machine.LoadAvg, r.Config.TimeoutCommit, r.Config.MempoolSize, r.Config.MempoolRecheck, r.Config.BlockMaxBytes)
	series := []*Series{&r.Girder}
	if r.KVStore != nil {
		series = append(series, r.KVStore)
	}
	for _, s := range series {
		fmt.Fprintf(w, "\n%s (%d-byte txs)\n", s.App, s.TxBytes)
		fmt.Fprintf(w, "%8s %8s %9s %9s %8s %8s %8s %8s %8s %8s %9s %8s %8s\n",
			"offered", "txs", "submit/s", "commit/s", "p50 ms", "p95 ms", "p99 ms", "blk ms", "tx/blk", "failed", "rejected", "dropped", "unsent")
		for _, st := range s.Steps {
			mark := ""
			if st.Saturated {
				mark = "  saturated"
			}
			fmt.Fprintf(w, "%8d %8d %9.0f %9.0f %8.0f %8.0f %8.0f %8.0f %8.0f %8d %9d %8d %8d%s\n",
				st.Offered, st.Txs, st.SubmittedTPS, st.CommittedTPS, st.P50, st.P95, st.P99, st.BlockInterval, st.TxsPerBlock,
				st.Failed, st.Rejected, st.Dropped, st.Unsent, mark)
		}
		fmt.Fprintf(w, "peak: %.0f tx/s committed (offered %d/s)", s.Peak, s.PeakOffered)
		if s.SaturatedAt > 0 {
			fmt.Fprintf(w, "; saturated at offered %d/s", s.SaturatedAt)
		}
		fmt.Fprintln(w)
	}
	if len(r.Ratios) > 0 {
		fmt.Fprintf(w, "\ngirder / kvstore (committed tx/s, same config, same run)\n%8s %9s %9s %7s %10s\n", "offered", "girder", "kvstore", "ratio", "p50 ratio")
		for _, ra := range r.Ratios {
			fmt.Fprintf(w, "%8d %9.0f %9.0f %7.2f %10.2f\n", ra.Offered, ra.Girder, ra.KVStore, ra.Ratio, ra.P50Ratio)
		}
		fmt.Fprintf(w, "at saturation (peaks): %.0f / %.0f = %.2f\n", r.Girder.Peak, r.KVStore.Peak, r.PeakRatio)
	}
	for _, s := range series {
		for _, st := range s.Steps {
			if len(st.Codes) > 0 || len(st.Drops) > 0 {
				fmt.Fprintf(w, "%s at %d/s: codes %v, drops %v\n", s.App, st.Offered, st.Codes, st.Drops)
			}
		}
	}
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// machine describes this machine.
func machine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				if i := strings.Index(l, ":"); i > 0 {
					m.CPU = strings.TrimSpace(l[i+1:])
				}
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		_, _ = fmt.Sscanf(string(b), "%f", &m.LoadAvg)
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			m.MemGiB = int(math.Round(float64(kb) / (1 << 20)))
		}
	}
	return m
}
