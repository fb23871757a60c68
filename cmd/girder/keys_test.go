package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/term"

	"github.com/girder-chain/girder/address"
	"github.com/girder-chain/girder/keyring"
)

// runKeys runs the girder root command with args and stdin, returning stdout.
func runKeys(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(stdin))
	err := root.Execute()
	return out.String(), err
}

func mustRunKeys(t *testing.T, args ...string) string {
	t.Helper()
	out, err := runKeys(t, "", args...)
	if err != nil {
		t.Fatalf("girder %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func TestKeysAddShowListTestBackend(t *testing.T) {
	home := t.TempDir()
	tb := []string{"--keyring-backend", "test", "--home", home}

	out := mustRunKeys(t, append([]string{"keys", "add", "alice", "--output", "json"}, tb...)...)
	var added keyring.Info
	if err := json.Unmarshal([]byte(out), &added); err != nil {
		t.Fatalf("keys add --output json: %v\n%s", err, out)
	}
	if added.Name != "alice" || added.Type != "ed25519" || added.Address != address.FromPubKey("ed25519", added.PubKey) {
		t.Fatalf("added %+v", added)
	}
	if _, err := os.Stat(filepath.Join(home, "keyring-test", "alice.json")); err != nil {
		t.Fatalf("key file not in <home>/keyring-test: %v", err)
	}
	text := mustRunKeys(t, append([]string{"keys", "add", "bob"}, tb...)...)
	if !strings.Contains(text, "name:    bob\n") || !strings.Contains(text, "address: gir1") {
		t.Fatalf("keys add text output:\n%s", text)
	}

	// show -a: exactly the address and a newline, even with --output json.
	for _, extra := range [][]string{nil, {"--output", "json"}, {"--address"}} {
		args := append(append([]string{"keys", "show", "alice", "-a"}, tb...), extra...)
		out := mustRunKeys(t, args...)
		if out != added.Address.String()+"\n" {
			t.Fatalf("girder %v printed %q, want %q", args, out, added.Address.String()+"\n")
		}
	}
	out = mustRunKeys(t, append([]string{"keys", "show", "alice", "-o", "json"}, tb...)...)
	var shown keyring.Info
	if err := json.Unmarshal([]byte(out), &shown); err != nil || shown.Address != added.Address || !bytes.Equal(shown.PubKey, added.PubKey) {
		t.Fatalf("keys show --output json = %s (%v)", out, err)
	}

	out = mustRunKeys(t, append([]string{"keys", "list", "--output", "json"}, tb...)...)
	var list []keyring.Info
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("keys list --output json: %v\n%s", err, out)
	}
	if len(list) != 2 || list[0].Name != "alice" || list[1].Name != "bob" || list[0].Address != added.Address {
		t.Fatalf("list = %+v", list)
	}
	out = mustRunKeys(t, append([]string{"keys", "list"}, tb...)...)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 3 || !strings.Contains(lines[1], added.Address.String()) {
		t.Fatalf("keys list text:\n%s", out)
	}

	// Errors: duplicate, bad name, missing key.
	if _, err := runKeys(t, "", append([]string{"keys", "add", "alice"}, tb...)...); !errors.Is(err, keyring.ErrExists) {
		t.Fatalf("duplicate add: %v", err)
	}
	if _, err := runKeys(t, "", append([]string{"keys", "add", "../x"}, tb...)...); err == nil {
		t.Fatal("bad name accepted")
	}
	if _, err := runKeys(t, "", append([]string{"keys", "show", "nobody"}, tb...)...); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("show missing: %v", err)
	}

	// Empty list in JSON is an array, not null.
	out = mustRunKeys(t, "keys", "list", "-o", "json", "--keyring-backend", "test", "--home", t.TempDir())
	if strings.TrimSpace(out) != "[]" {
		t.Fatalf("empty list json = %q", out)
	}
}

func TestKeysDeleteConfirm(t *testing.T) {
	home := t.TempDir()
	tb := []string{"--keyring-backend", "test", "--home", home}
	mustRunKeys(t, append([]string{"keys", "add", "a"}, tb...)...)

	for _, answer := range []string{"", "n\n", "no\n", "maybe\n"} {
		if _, err := runKeys(t, answer, append([]string{"keys", "delete", "a"}, tb...)...); err == nil {
			t.Fatalf("delete with answer %q succeeded", answer)
		}
		mustRunKeys(t, append([]string{"keys", "show", "a"}, tb...)...)
	}
	if _, err := runKeys(t, "y\n", append([]string{"keys", "delete", "a"}, tb...)...); err != nil {
		t.Fatal(err)
	}
	if _, err := runKeys(t, "", append([]string{"keys", "show", "a"}, tb...)...); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("key still there after delete: %v", err)
	}
	mustRunKeys(t, append([]string{"keys", "add", "b"}, tb...)...)
	out := mustRunKeys(t, append([]string{"keys", "delete", "b", "--yes", "-o", "json"}, tb...)...)
	var info keyring.Info
	if err := json.Unmarshal([]byte(out), &info); err != nil || info.Name != "b" {
		t.Fatalf("delete --output json = %s (%v)", out, err)
	}
	if _, err := runKeys(t, "", append([]string{"keys", "delete", "b", "-y"}, tb...)...); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("delete missing: %v", err)
	}
}

func TestKeysExportImport(t *testing.T) {
	t.Setenv(envExportPassphrase, "export secret")
	t.Setenv(envKeyringPassphrase, "keyring secret")
	src, dst := t.TempDir(), t.TempDir()

	mustRunKeys(t, "keys", "add", "alice", "--home", src)
	want := strings.TrimSpace(mustRunKeys(t, "keys", "show", "alice", "-a", "--home", src))

	file := filepath.Join(t.TempDir(), "alice.key")
	mustRunKeys(t, "keys", "export", "alice", "--out", file, "--home", src)
	armored, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(armored), keyring.ArmorBegin) || !strings.Contains(string(armored), "address: "+want) {
		t.Fatalf("export file:\n%s", armored)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Fatalf("export file mode %v, want 0600", fi.Mode().Perm())
	}
	if _, err := runKeys(t, "", "keys", "export", "alice", "--out", file, "--home", src); err == nil {
		t.Fatal("export overwrote an existing file")
	}
	// To stdout.
	stdout := mustRunKeys(t, "keys", "export", "alice", "--home", src)
	if !strings.HasPrefix(stdout, keyring.ArmorBegin+"\n") || !strings.HasSuffix(stdout, keyring.ArmorEnd+"\n") {
		t.Fatalf("export to stdout:\n%s", stdout)
	}

	// Import into a test-backend keyring elsewhere, from the file and from stdin.
	out := mustRunKeys(t, "keys", "import", "alice", file, "--home", dst, "--keyring-backend", "test", "-o", "json")
	var info keyring.Info
	if err := json.Unmarshal([]byte(out), &info); err != nil || info.Address.String() != want {
		t.Fatalf("import --output json = %s (%v), want address %s", out, err, want)
	}
	if _, err := runKeys(t, stdout, "keys", "import", "alice-2", "-", "--home", dst, "--keyring-backend", "test"); err != nil {
		t.Fatal(err)
	}
	k, err := keyring.Open(dst, keyring.BackendTest, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := k.Signer("alice-2")
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("m")
	if !ed25519.Verify(info.PubKey, msg, s.Sign(msg)) || s.Info().Address.String() != want {
		t.Fatal("imported key does not sign for the original address")
	}

	// Wrong passphrases.
	t.Setenv(envExportPassphrase, "wrong")
	if _, err := runKeys(t, "", "keys", "import", "alice-3", file, "--home", dst, "--keyring-backend", "test"); !errors.Is(err, keyring.ErrWrongPassphrase) {
		t.Fatalf("import with wrong export passphrase: %v", err)
	}
	t.Setenv(envKeyringPassphrase, "wrong")
	if _, err := runKeys(t, "", "keys", "export", "alice", "--home", src); !errors.Is(err, keyring.ErrWrongPassphrase) {
		t.Fatalf("export with wrong keyring passphrase: %v", err)
	}
}

func TestKeysPassphraseNeedsEnvWithoutTerminal(t *testing.T) {
	if term.IsTerminal(int(os.Stdin.Fd())) {
		t.Skip("stdin is a terminal")
	}
	t.Setenv(envKeyringPassphrase, "")
	_, err := runKeys(t, "", "keys", "add", "alice", "--home", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), envKeyringPassphrase) {
		t.Fatalf("add without passphrase source: %v, want an error naming %s", err, envKeyringPassphrase)
	}
}

func TestOpenKeyringUsesGlobals(t *testing.T) {
	home := t.TempDir()
	mustRunKeys(t, "keys", "add", "v", "--keyring-backend", "test", "--home", home)
	// After a run, g holds that run's flags; openKeyring (used by tx commands) follows them.
	k, err := openKeyring()
	if err != nil {
		t.Fatal(err)
	}
	if k.Backend() != keyring.BackendTest || k.Dir() != filepath.Join(home, "keyring-test") {
		t.Fatalf("openKeyring: backend %s dir %s", k.Backend(), k.Dir())
	}
	if _, err := k.Signer("v"); err != nil {
		t.Fatal(err)
	}
}
