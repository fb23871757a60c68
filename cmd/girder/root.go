package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"github.com/spf13/cobra"
)

// globals are the flags every command accepts.
type globals struct {
	home           string
	output         string
	node           string
	keyringBackend string
}

var g globals

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "girder",
		Short:         "Girder: a permissioned chain to finance, track and govern infrastructure projects",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if g.output != "text" && g.output != "json" {
				return fmt.Errorf("--output must be text or json, not %q", g.output)
			}
			if g.keyringBackend != "file" && g.keyringBackend != "test" {
				return fmt.Errorf("--keyring-backend must be file or test, not %q", g.keyringBackend)
			}
			return nil
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		if m := negativeArgRE.FindStringSubmatch(err.Error()); m != nil {
			return fmt.Errorf("%w: amounts must be positive; a negative amount such as -%s is not allowed", err, m[1])
		}
		return err
	})
	pf := root.PersistentFlags()
	pf.StringVar(&g.home, "home", defaultHome(), "node and keyring directory ($GIRDER_HOME)")
	pf.StringVarP(&g.output, "output", "o", "text", "output format: text or json")
	pf.StringVar(&g.node, "node", envOr("GIRDER_NODE", "tcp://127.0.0.1:26657"), "CometBFT RPC address of the node to talk to ($GIRDER_NODE)")
	pf.StringVar(&g.keyringBackend, "keyring-backend", envOr("GIRDER_KEYRING_BACKEND", "file"), "keyring backend: file (passphrase-encrypted) or test (unencrypted, for dev) ($GIRDER_KEYRING_BACKEND)")
	for _, c := range subcommands {
		root.AddCommand(c())
	}
	return root
}

var negativeArgRE = regexp.MustCompile(`unknown shorthand flag: '([0-9])'`)

// subcommands is filled by each command file's init, so files do not edit a shared list.
var subcommands []func() *cobra.Command

func register(c func() *cobra.Command) { subcommands = append(subcommands, c) }

// defaultHome is $GIRDER_HOME, else ~/.girder.
func defaultHome() string {
	if h := os.Getenv("GIRDER_HOME"); h != "" {
		return h
	}
	if d, err := os.UserHomeDir(); err == nil {
		return filepath.Join(d, ".girder")
	}
	return ".girder"
}

// emit prints v as indented JSON with --output json, or calls text otherwise.
func emit(w io.Writer, v any, text func(io.Writer)) error {
	if g.output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	text(w)
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
