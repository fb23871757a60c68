// Command girder is the Girder node and client: it runs validators and full nodes (start, dev,
// init, export), manages keys (keys), and signs, sends and queries (tx, query, status).
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/girder-chain/girder/codes"
)

func main() {
	root := newRootCmd()
	if err := root.Execute(); err != nil {
		os.Exit(report(os.Stderr, err))
	}
}

// report prints err for a person (or as JSON with --output json) and returns the exit code.
// A failure the chain reported shows its module, code and message.
func report(w io.Writer, err error) int {
	var ex exitError
	if errors.As(err, &ex) {
		return ex.code
	}
	var ce *codes.Error
	if errors.As(err, &ce) {
		if g.output == "json" {
			b, _ := json.Marshal(map[string]any{"error": ce.Msg, "code": ce.Code, "module": ce.Module})
			fmt.Fprintln(w, string(b))
		} else {
			fmt.Fprintf(w, "Error: %s (module %s, code %d)\n", ce.Msg, ce.Module, ce.Code)
		}
		return 2
	}
	if g.output == "json" {
		b, _ := json.Marshal(map[string]any{"error": err.Error()})
		fmt.Fprintln(w, string(b))
	} else {
		fmt.Fprintln(w, "Error:", err)
	}
	return 1
}

// exitError ends the process with a code after the command already printed its own message.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }
