package main

import (
	"bufio"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/girder-chain/girder/keyring"
)

// Environment variables that supply passphrases without a terminal (scripts, CI, containers).
const (
	envKeyringPassphrase = "GIRDER_KEYRING_PASSPHRASE"
	envExportPassphrase  = "GIRDER_EXPORT_PASSPHRASE"
)

func init() { register(newKeysCmd) }

// openKeyring opens the keyring selected by --home and --keyring-backend. The file backend asks
// its passphrase from $GIRDER_KEYRING_PASSPHRASE, else on the terminal. Other commands (tx send,
// …) use it to get a signer: k.Signer(name).
func openKeyring() (*keyring.Keyring, error) {
	return keyring.Open(g.home, g.keyringBackend, keyringPassphrase)
}

// keyringPassphrase is the keyring.PassphraseFunc of the CLI.
func keyringPassphrase(prompt string, confirm bool) ([]byte, error) {
	return askPassphrase(envKeyringPassphrase, "keyring", prompt, confirm)
}

// askPassphrase returns $env when it is set and non-empty; otherwise it prompts on the terminal
// (stdin, prompts on stderr), twice when confirm is true; otherwise it fails with a message
// naming the environment variable.
func askPassphrase(env, what, prompt string, confirm bool) ([]byte, error) {
	if v := os.Getenv(env); v != "" {
		return []byte(v), nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return nil, fmt.Errorf("the %s passphrase is needed but stdin is not a terminal: set %s", what, env)
	}
	read := func(p string) ([]byte, error) {
		fmt.Fprint(os.Stderr, p)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return nil, fmt.Errorf("read %s passphrase: %w", what, err)
		}
		return b, nil
	}
	p, err := read(prompt)
	if err != nil {
		return nil, err
	}
	if len(p) == 0 {
		return nil, fmt.Errorf("the %s passphrase must not be empty", what)
	}
	if confirm {
		again, err := read("Repeat the passphrase: ")
		if err != nil {
			return nil, err
		}
		if subtle.ConstantTimeCompare(p, again) != 1 {
			return nil, fmt.Errorf("the two %s passphrases do not match", what)
		}
	}
	return p, nil
}

func newKeysCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "keys",
		Short: "Manage the account keys in the local keyring",
		Long: `Manage the ed25519 account keys kept in the local keyring.

The keyring is <home>/keyring-file (--keyring-backend file, the default: private keys encrypted
with the keyring passphrase) or <home>/keyring-test (--keyring-backend test: unencrypted, for
development only). The keyring passphrase is read from $GIRDER_KEYRING_PASSPHRASE when set,
otherwise asked on the terminal.

Example:
  girder keys add alice
  girder keys list --output json
  girder keys show alice -a`,
	}
	c.AddCommand(newKeysAddCmd(), newKeysListCmd(), newKeysShowCmd(), newKeysDeleteCmd(),
		newKeysExportCmd(), newKeysImportCmd())
	return c
}

func newKeysAddCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "add NAME",
		Short: "Create a new random ed25519 key",
		Long: `Create a new random ed25519 key named NAME and print its address.

NAME is 1 to 64 characters of letters, digits, '.', '_' and '-'. With the file backend the
private key is encrypted with the keyring passphrase: the first key of an empty keyring asks a
new passphrase twice; later keys ask the existing passphrase and check it against the stored
keys, so all keys of a keyring share one passphrase. There is no mnemonic: back the key up with
"girder keys export".

Example:
  girder keys add alice
  GIRDER_KEYRING_PASSPHRASE=... girder keys add validator --output json
  girder keys add dev1 --keyring-backend test --home ./devnet`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := openKeyring()
			if err != nil {
				return err
			}
			info, err := k.Add(args[0])
			if err != nil {
				return err
			}
			if g.output != "json" {
				fmt.Fprintf(cmd.ErrOrStderr(), "Created key %q in %s.\nBack it up: girder keys export %s --out %s.key\n",
					info.Name, k.Dir(), info.Name, info.Name)
			}
			return emit(cmd.OutOrStdout(), info, func(w io.Writer) { printKeyInfo(w, info) })
		},
	}
}

func newKeysListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the keys of the keyring",
		Long: `List every key of the keyring, sorted by name, with its address.
No passphrase is needed: names, addresses and public keys are stored in clear.

Example:
  girder keys list
  girder keys list --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := openKeyring()
			if err != nil {
				return err
			}
			infos, err := k.List()
			if err != nil {
				return err
			}
			return emit(cmd.OutOrStdout(), infos, func(w io.Writer) {
				if len(infos) == 0 {
					fmt.Fprintf(w, "No keys in %s.\n", k.Dir())
					return
				}
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tTYPE\tADDRESS")
				for _, i := range infos {
					fmt.Fprintf(tw, "%s\t%s\t%s\n", i.Name, i.Type, i.Address)
				}
				tw.Flush()
			})
		},
	}
}

func newKeysShowCmd() *cobra.Command {
	var addrOnly bool
	c := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a key's address and public key",
		Long: `Show the name, type, address and public key (base64) of one key.
With -a/--address only the bech32 address is printed, followed by a newline (whatever --output
is), which suits shell scripts. No passphrase is needed.

Example:
  girder keys show alice
  girder keys show alice --output json
  ADDR=$(girder keys show alice -a)`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := openKeyring()
			if err != nil {
				return err
			}
			info, err := k.Show(args[0])
			if err != nil {
				return err
			}
			if addrOnly {
				_, err := fmt.Fprintln(cmd.OutOrStdout(), info.Address.String())
				return err
			}
			return emit(cmd.OutOrStdout(), info, func(w io.Writer) { printKeyInfo(w, info) })
		},
	}
	c.Flags().BoolVarP(&addrOnly, "address", "a", false, "print only the bech32 address")
	return c
}

func newKeysDeleteCmd() *cobra.Command {
	var yes bool
	c := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a key from the keyring",
		Long: `Delete one key file from the keyring. Unless --yes is given, asks for confirmation
(y/N) on stdin. The key is gone for good unless you kept an export ("girder keys export").

Example:
  girder keys delete alice
  girder keys delete alice --yes --keyring-backend test`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := openKeyring()
			if err != nil {
				return err
			}
			info, err := k.Show(args[0])
			if err != nil {
				return err
			}
			if !yes {
				fmt.Fprintf(cmd.ErrOrStderr(), "Delete key %q (%s)? It cannot be recovered without a backup. [y/N]: ",
					info.Name, info.Address)
				line, rerr := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
				if rerr != nil && !errors.Is(rerr, io.EOF) {
					return fmt.Errorf("read confirmation: %w", rerr)
				}
				if !strings.HasSuffix(line, "\n") {
					fmt.Fprintln(cmd.ErrOrStderr())
				}
				if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
					return errors.New("aborted: key not deleted")
				}
			}
			if err := k.Delete(info.Name); err != nil {
				return err
			}
			return emit(cmd.OutOrStdout(), info, func(w io.Writer) {
				fmt.Fprintf(w, "Deleted key %q (%s).\n", info.Name, info.Address)
			})
		},
	}
	c.Flags().BoolVarP(&yes, "yes", "y", false, "delete without asking for confirmation")
	return c
}

// keysExportResult is the JSON output of keys export.
type keysExportResult struct {
	keyring.Info
	Armor string `json:"armor,omitempty"`
	File  string `json:"file,omitempty"`
}

func newKeysExportCmd() *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "export NAME",
		Short: "Export a key as passphrase-encrypted armored text (backup)",
		Long: `Export one key as an armored text block
("-----BEGIN GIRDER PRIVATE KEY-----" … "-----END GIRDER PRIVATE KEY-----") whose private key is
encrypted with an export passphrase (argon2id + XChaCha20-Poly1305). The export passphrase is read
from $GIRDER_EXPORT_PASSPHRASE, else asked twice on the terminal; with the file backend the
keyring passphrase is needed too. The armor goes to stdout, or to a new file (mode 0600) with
--out; an existing file is never overwritten. With --output json the result is the key's info
plus "armor" (or "file").

Example:
  girder keys export alice --out alice.key
  GIRDER_EXPORT_PASSPHRASE=... girder keys export alice > alice.key`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := openKeyring()
			if err != nil {
				return err
			}
			info, err := k.Show(args[0]) // fail on a missing key before asking passphrases
			if err != nil {
				return err
			}
			if out != "" {
				if _, err := os.Lstat(out); err == nil {
					return fmt.Errorf("%s already exists: remove it or choose another --out", out)
				}
			}
			exportPass, err := askPassphrase(envExportPassphrase, "export", "Enter a passphrase to encrypt the export: ", true)
			if err != nil {
				return err
			}
			armored, err := k.Export(info.Name, exportPass)
			if err != nil {
				return err
			}
			res := keysExportResult{Info: info}
			if out == "" {
				res.Armor = string(armored)
				if g.output != "json" {
					_, err := cmd.OutOrStdout().Write(armored)
					return err
				}
				return emit(cmd.OutOrStdout(), res, nil)
			}
			if err := writeNewFile(out, armored); err != nil {
				return err
			}
			res.File = out
			return emit(cmd.OutOrStdout(), res, func(w io.Writer) {
				fmt.Fprintf(w, "Exported key %q (%s) to %s.\n", info.Name, info.Address, out)
			})
		},
	}
	c.Flags().StringVar(&out, "out", "", "write the armored key to this new file instead of stdout")
	return c
}

// writeNewFile creates path (mode 0600, failing if it exists) and writes data to it; on error it
// removes the partial file.
func writeNewFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func newKeysImportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "import NAME FILE",
		Short: "Import a key exported with \"keys export\"",
		Long: `Import the armored key in FILE ("-" for stdin) under NAME. The export passphrase is read
from $GIRDER_EXPORT_PASSPHRASE, else asked on the terminal. The decrypted key must match the
address written in the export. With the file backend the key is then re-encrypted with the
keyring passphrase.

Example:
  girder keys import alice alice.key
  GIRDER_EXPORT_PASSPHRASE=... girder keys import alice - < alice.key`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, file := args[0], args[1]
			var armored []byte
			var err error
			if file == "-" {
				armored, err = io.ReadAll(io.LimitReader(cmd.InOrStdin(), 1<<20))
			} else {
				armored, err = os.ReadFile(file)
			}
			if err != nil {
				return err
			}
			k, err := openKeyring()
			if err != nil {
				return err
			}
			if _, err := k.Show(name); err == nil {
				return fmt.Errorf("key %q: %w", name, keyring.ErrExists)
			} else if !errors.Is(err, keyring.ErrNotFound) {
				return err
			}
			exportPass, err := askPassphrase(envExportPassphrase, "export", "Enter the export passphrase: ", false)
			if err != nil {
				return err
			}
			info, err := k.Import(name, armored, exportPass)
			if err != nil {
				return err
			}
			return emit(cmd.OutOrStdout(), info, func(w io.Writer) { printKeyInfo(w, info) })
		},
	}
}

func printKeyInfo(w io.Writer, i keyring.Info) {
	fmt.Fprintf(w, "name:    %s\ntype:    %s\naddress: %s\npubkey:  %s\n",
		i.Name, i.Type, i.Address, base64.StdEncoding.EncodeToString(i.PubKey))
}
