package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/girder-chain/girder/audit"
)

func init() { register(newReportCmd) }

func newReportCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "report", Short: "Reports rebuilt from chain data"}
	cmd.AddCommand(newComplianceReportCmd())
	return cmd
}

// progressOver is the number of heights above which a report prints its progress even when
// standard error is not a terminal.
const progressOver = 10_000

func newComplianceReportCmd() *cobra.Command {
	var from, to, format, out string
	cmd := &cobra.Command{
		Use:   "compliance --from HEIGHT|DATE [--to HEIGHT|DATE] [--format csv|json] [--out FILE]",
		Short: "The compliance audit report of a range of blocks, rebuilt from the chain's events",
		Long: `The compliance audit report of a range of blocks, rebuilt from the events in the node's block
results: every compliance decision other than a plain allow (reject, hold, flag; rejections are
read from the failed txs they stopped), every hold and how it ended (released, returned, expired),
every alert closed, every rule set, deny-list and freeze change, every role granted or revoked;
with heights, block times, tx hashes and actors, in chain order.

--from and --to are heights, dates (YYYY-MM-DD, UTC: the day's first block to its last) or RFC 3339
times. --to defaults to the latest height. The same range gives byte-identical reports on every
node of the chain. See docs/reports.md.`,
		Example: `  girder report compliance --from 1
  girder report compliance --from 2024-05-01 --to 2024-05-31 --format json --out may.json
  girder report compliance --from 1200 --to 1500 --node tcp://regulator:26657 | sha256sum`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != audit.FormatCSV && format != audit.FormatJSON {
				return fmt.Errorf("--format must be csv or json, not %q", format)
			}
			src, err := audit.Dial(g.node)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			r, err := audit.Resolve(ctx, src, from, to)
			if err != nil {
				return err
			}
			info := io.Discard
			if g.output == "text" { // with -o json, standard error carries only the error, as JSON
				info = cmd.ErrOrStderr()
			}
			total := r.To.Height - r.From.Height + 1
			fmt.Fprintf(info, "compliance report of %s: heights %d to %d (%s to %s), %d blocks\n",
				r.ChainID, r.From.Height, r.To.Height, audit.FormatTime(r.From.Time), audit.FormatTime(r.To.Time), total)
			if r.Open {
				fmt.Fprintf(info, "note: --to %s is after the node's latest block: the report ends at height %d; blocks to come would extend it\n", to, r.To.Height)
			}
			o := audit.Options{ProgressEvery: max(1000, total/100/1000*1000)} // every 1000 blocks, or 1 % of a long range
			if total > progressOver || isTerminal(cmd.ErrOrStderr()) {
				o.Progress = func(done, total int64) {
					if done < total || total >= 1000 {
						fmt.Fprintf(info, "read %d of %d blocks\n", done, total)
					}
				}
			}
			rep, err := audit.Build(ctx, src, r, o)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := audit.Write(&buf, rep, format); err != nil {
				return err
			}
			if out == "" {
				_, err := cmd.OutOrStdout().Write(buf.Bytes())
				return err
			}
			if err := writeFileAtomic(out, buf.Bytes()); err != nil {
				return err
			}
			fmt.Fprintf(info, "wrote %d rows to %s\n", len(rep.Rows), out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "first block: a height, a date (YYYY-MM-DD, UTC) or an RFC 3339 time (required)")
	f.StringVar(&to, "to", "", "last block: a height, a date (its last block) or an RFC 3339 time (default: the latest height)")
	f.StringVar(&format, "format", audit.FormatCSV, "csv or json")
	f.StringVar(&out, "out", "", "write the report to this file instead of standard output")
	_ = cmd.MarkFlagRequired("from")
	return cmd
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// writeFileAtomic writes b to path through a temporary file in the same directory, so that a
// failed report never leaves a partial file.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
