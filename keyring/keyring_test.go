package keyring

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/girder-chain/girder/address"
)

func TestMain(m *testing.M) {
	// Cheap argon2 parameters so the tests run fast; the default stays strong (see TestDefaultKDF).
	defaultKDF = kdfParams{Name: kdfArgon2id, Time: 1, MemoryKiB: 64, Threads: 1}
	os.Exit(m.Run())
}

func TestDefaultKDFIsStrong(t *testing.T) {
	p := productionKDF()
	if p.Name != "argon2id" || p.Time < 3 || p.MemoryKiB < 64*1024 || p.Threads < 1 {
		t.Fatalf("production argon2id parameters are too weak: %+v", p)
	}
	p.Salt = make([]byte, saltSize)
	if err := p.check(); err != nil {
		t.Fatalf("production parameters fail their own bounds: %v", err)
	}
}

// passRecorder is a PassphraseFunc that always answers p and records the calls.
type passRecorder struct {
	mu    sync.Mutex
	p     string
	calls []bool // confirm flag of each call
}

func (r *passRecorder) fn(prompt string, confirm bool) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, confirm)
	return []byte(r.p), nil
}

func noPass(t *testing.T) PassphraseFunc {
	return func(string, bool) ([]byte, error) {
		t.Errorf("passphrase asked, but this should not need one")
		return nil, errors.New("no passphrase")
	}
}

func openKR(t *testing.T, home, backend string, pass PassphraseFunc) *Keyring {
	t.Helper()
	k, err := Open(home, backend, pass)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRoundTripBothBackends(t *testing.T) {
	for _, backend := range []string{BackendFile, BackendTest} {
		t.Run(backend, func(t *testing.T) {
			home := t.TempDir()
			rec := &passRecorder{p: "correct horse"}
			var pass PassphraseFunc = rec.fn
			if backend == BackendTest {
				pass = noPass(t)
			}
			k := openKR(t, home, backend, pass)

			dir := filepath.Join(home, "keyring-"+backend)
			if k.Dir() != dir {
				t.Fatalf("Dir() = %q, want %q", k.Dir(), dir)
			}
			st, err := os.Stat(dir)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o700 {
				t.Fatalf("keyring dir mode %v, want 0700", st.Mode().Perm())
			}

			bob, err := k.Add("bob")
			if err != nil {
				t.Fatal(err)
			}
			alice, err := k.Add("alice")
			if err != nil {
				t.Fatal(err)
			}
			if alice.Type != "ed25519" || len(alice.PubKey) != ed25519.PublicKeySize {
				t.Fatalf("bad info %+v", alice)
			}
			if alice.Address != address.FromPubKey("ed25519", alice.PubKey) {
				t.Fatal("address does not derive from the public key")
			}
			if !strings.HasPrefix(alice.Address.String(), "gir1") {
				t.Fatalf("address %s", alice.Address)
			}
			if alice.Address == bob.Address {
				t.Fatal("two keys with the same address")
			}
			if backend == BackendFile {
				// The first Add in an empty keyring asks a new passphrase (confirm=true); the second
				// Add reuses it, since this Keyring already knows it.
				if len(rec.calls) != 1 || !rec.calls[0] {
					t.Fatalf("passphrase calls %v, want exactly one with confirm=true", rec.calls)
				}
			}

			fi, err := os.Stat(filepath.Join(dir, "alice.json"))
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
			}

			// A fresh Keyring (new process) lists and shows without any passphrase.
			k2 := openKR(t, home, backend, noPass(t))
			list, err := k2.List()
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 2 || list[0].Name != "alice" || list[1].Name != "bob" {
				t.Fatalf("List = %+v, want alice, bob", list)
			}
			if list[0].Address != alice.Address || !bytes.Equal(list[0].PubKey, alice.PubKey) {
				t.Fatal("listed alice differs from added alice")
			}
			got, err := k2.Show("bob")
			if err != nil {
				t.Fatal(err)
			}
			if got.Address != bob.Address || got.Name != "bob" {
				t.Fatalf("Show(bob) = %+v", got)
			}

			// Signing works with the right passphrase and verifies.
			k3 := openKR(t, home, backend, pass)
			s, err := k3.Signer("alice")
			if err != nil {
				t.Fatal(err)
			}
			msg := []byte("transfer 10 gird")
			if !ed25519.Verify(alice.PubKey, msg, s.Sign(msg)) {
				t.Fatal("signature does not verify")
			}
			if s.Info().Address != alice.Address {
				t.Fatal("signer info has another address")
			}

			if err := k2.Delete("alice"); err != nil {
				t.Fatal(err)
			}
			if _, err := k2.Show("alice"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Show after Delete: %v, want ErrNotFound", err)
			}
			if _, err := k2.Signer("alice"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Signer after Delete: %v, want ErrNotFound", err)
			}
			list, err = k2.List()
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 || list[0].Name != "bob" {
				t.Fatalf("List after delete = %+v", list)
			}
			if err := k2.Delete("alice"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("second Delete: %v, want ErrNotFound", err)
			}
			// No temporary files left behind.
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".tmp-") {
					t.Fatalf("leftover temp file %s", e.Name())
				}
			}
		})
	}
}

func TestInfoJSON(t *testing.T) {
	k := openKR(t, t.TempDir(), BackendTest, nil)
	info, err := k.Add("a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["name"] != "a" || m["type"] != "ed25519" || m["address"] != info.Address.String() ||
		m["pubkey"] != base64.StdEncoding.EncodeToString(info.PubKey) {
		t.Fatalf("Info JSON = %s", b)
	}
	var back Info
	if err := json.Unmarshal(b, &back); err != nil || back.Address != info.Address {
		t.Fatalf("Info JSON does not round-trip: %v", err)
	}
}

// secretForms are the encodings in which a private key could leak into a file.
func secretForms(priv ed25519.PrivateKey) [][]byte {
	seed := priv.Seed()
	return [][]byte{
		seed, priv,
		[]byte(base64.StdEncoding.EncodeToString(seed)),
		[]byte(base64.StdEncoding.EncodeToString(priv)),
		[]byte(base64.RawStdEncoding.EncodeToString(seed)),
		[]byte(hex.EncodeToString(seed)),
		[]byte(hex.EncodeToString(priv)),
	}
}

func TestFileBackendEncryptsOnDisk(t *testing.T) {
	home := t.TempDir()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rec := &passRecorder{p: "pw"}
	k := openKR(t, home, BackendFile, rec.fn)
	info, err := k.AddPrivKey("val", priv)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(info.PubKey, priv.Public().(ed25519.PublicKey)) {
		t.Fatal("AddPrivKey stored another public key")
	}
	data, err := os.ReadFile(filepath.Join(home, "keyring-file", "val.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range secretForms(priv) {
		if bytes.Contains(data, f) {
			t.Fatalf("key file contains the private key in clear (%q)", f)
		}
	}
	var kf map[string]any
	if err := json.Unmarshal(data, &kf); err != nil {
		t.Fatal(err)
	}
	if kf["encryption"] != encArgonXChaCha || kf["address"] != info.Address.String() || kf["name"] != "val" {
		t.Fatalf("key file: %s", data)
	}
	kdf, _ := kf["kdf"].(map[string]any)
	if kdf["name"] != "argon2id" || kdf["salt"] == nil {
		t.Fatalf("key file kdf: %v", kdf)
	}

	// The test backend, by contrast, says it stores the key unencrypted.
	kt := openKR(t, home, BackendTest, nil)
	if _, err := kt.AddPrivKey("val", priv); err != nil {
		t.Fatal(err)
	}
	data, err = os.ReadFile(filepath.Join(home, "keyring-test", "val.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"encryption": "none"`)) {
		t.Fatalf("test key file does not say it is unencrypted: %s", data)
	}
	s, err := kt.Signer("val")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.Sign([]byte("m")), ed25519.Sign(priv, []byte("m"))) {
		t.Fatal("test backend signer uses another key")
	}
}

func TestWrongPassphrase(t *testing.T) {
	home := t.TempDir()
	k := openKR(t, home, BackendFile, (&passRecorder{p: "right"}).fn)
	if _, err := k.Add("a"); err != nil {
		t.Fatal(err)
	}
	wrong := openKR(t, home, BackendFile, (&passRecorder{p: "wrong"}).fn)
	if _, err := wrong.Signer("a"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("Signer with wrong passphrase: %v, want ErrWrongPassphrase", err)
	}
	if _, err := wrong.Export("a", []byte("x")); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("Export with wrong passphrase: %v, want ErrWrongPassphrase", err)
	}
	// Adding to a non-empty keyring checks the passphrase against an existing key, so one
	// keyring never mixes passphrases.
	if _, err := wrong.Add("b"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("Add with wrong passphrase: %v, want ErrWrongPassphrase", err)
	}
	if _, err := wrong.Show("b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("failed Add left a key behind: %v", err)
	}
	right := &passRecorder{p: "right"}
	k2 := openKR(t, home, BackendFile, right.fn)
	if _, err := k2.Add("b"); err != nil {
		t.Fatal(err)
	}
	if len(right.calls) != 1 || right.calls[0] {
		t.Fatalf("Add in a non-empty keyring: passphrase calls %v, want one without confirm", right.calls)
	}
	if _, err := k2.Signer("a"); err != nil {
		t.Fatal(err)
	}
	if len(right.calls) != 1 {
		t.Fatalf("verified passphrase was asked again: %v", right.calls)
	}

	// Tampering with the public parts breaks decryption (associated data) or the file check.
	p := filepath.Join(home, "keyring-file", "a.json")
	data, _ := os.ReadFile(p)
	other, _ := k2.Show("b")
	var kf map[string]any
	_ = json.Unmarshal(data, &kf)
	kf["address"] = other.Address.String()
	kf["pubkey"] = other.PubKey
	data, _ = json.Marshal(kf)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	k3 := openKR(t, home, BackendFile, (&passRecorder{p: "right"}).fn)
	if _, err := k3.Signer("a"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("Signer on a tampered file: %v, want failure", err)
	}
}

func TestEmptyPassphraseRejected(t *testing.T) {
	k := openKR(t, t.TempDir(), BackendFile, (&passRecorder{p: ""}).fn)
	if _, err := k.Add("a"); err == nil {
		t.Fatal("empty passphrase accepted")
	}
	k = openKR(t, t.TempDir(), BackendFile, nil)
	if _, err := k.Add("a"); err == nil {
		t.Fatal("file backend without PassphraseFunc accepted a key")
	}
}

func TestExportImport(t *testing.T) {
	for _, backend := range []string{BackendFile, BackendTest} {
		t.Run(backend, func(t *testing.T) {
			src := openKR(t, t.TempDir(), backend, (&passRecorder{p: "src-pass"}).fn)
			orig, err := src.Add("alice")
			if err != nil {
				t.Fatal(err)
			}
			exportPass := []byte("export-pass")
			armored, err := src.Export("alice", exportPass)
			if err != nil {
				t.Fatal(err)
			}
			text := string(armored)
			if !strings.HasPrefix(text, ArmorBegin+"\n") || !strings.HasSuffix(text, ArmorEnd+"\n") {
				t.Fatalf("armor:\n%s", text)
			}
			for _, h := range []string{"type: ed25519\n", "address: " + orig.Address.String() + "\n", "kdf: argon2id\n"} {
				if !strings.Contains(text, h) {
					t.Fatalf("armor lacks header %q:\n%s", h, text)
				}
			}
			s0, err := src.Signer("alice")
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range secretForms(s0.priv) {
				if bytes.Contains(armored, f) {
					t.Fatal("export contains the private key in clear")
				}
			}

			// Into another keyring of the other backend, under another name.
			dstBackend := BackendTest
			if backend == BackendTest {
				dstBackend = BackendFile
			}
			dst := openKR(t, t.TempDir(), dstBackend, (&passRecorder{p: "dst-pass"}).fn)

			if _, err := dst.Import("alice2", armored, []byte("not it")); !errors.Is(err, ErrWrongPassphrase) {
				t.Fatalf("Import with wrong export passphrase: %v, want ErrWrongPassphrase", err)
			}
			info, err := dst.Import("alice2", armored, exportPass)
			if err != nil {
				t.Fatal(err)
			}
			if info.Address != orig.Address || info.Name != "alice2" || !bytes.Equal(info.PubKey, orig.PubKey) {
				t.Fatalf("imported %+v, want address %s", info, orig.Address)
			}
			s, err := dst.Signer("alice2")
			if err != nil {
				t.Fatal(err)
			}
			msg := []byte("hello girder")
			if !ed25519.Verify(ed25519.PublicKey(orig.PubKey), msg, s.Sign(msg)) {
				t.Fatal("imported key's signature does not verify against the original public key")
			}
			if _, err := dst.Import("alice2", armored, exportPass); !errors.Is(err, ErrExists) {
				t.Fatalf("Import onto an existing name: %v, want ErrExists", err)
			}
			// CRLF line endings and surrounding blank lines are tolerated.
			crlf := []byte("\r\n" + strings.ReplaceAll(text, "\n", "\r\n") + "\r\n")
			if _, err := dst.Import("alice3", crlf, exportPass); err != nil {
				t.Fatalf("Import with CRLF: %v", err)
			}
		})
	}
}

func TestImportRejectsBadArmor(t *testing.T) {
	src := openKR(t, t.TempDir(), BackendTest, nil)
	if _, err := src.Add("a"); err != nil {
		t.Fatal(err)
	}
	other, err := src.Add("b")
	if err != nil {
		t.Fatal(err)
	}
	armored, err := src.Export("a", []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(armored)
	lines := strings.Split(text, "\n")
	var addrLine string
	for _, l := range lines {
		if strings.HasPrefix(l, "address: ") {
			addrLine = l
		}
	}
	cases := map[string]string{
		"empty":         "",
		"garbage":       "hello",
		"no end":        strings.Replace(text, ArmorEnd, "", 1),
		"other address": strings.Replace(text, addrLine, "address: "+other.Address.String(), 1),
		"bad address":   strings.Replace(text, addrLine, "address: gir1xyz", 1),
		"huge kdf":      strings.Replace(text, "m=64,", "m=4294967295,", 1),
		"no kdf":        strings.Replace(text, "kdf: argon2id\n", "", 1),
		"other type":    strings.Replace(text, "type: ed25519", "type: secp256k1", 1),
		"dup header":    strings.Replace(text, "kdf: argon2id\n", "kdf: argon2id\nkdf: argon2id\n", 1),
		"flipped body":  flipBody(text),
	}
	if !strings.Contains(text, "m=64,") {
		t.Fatalf("test assumes the lowered kdf memory in the armor:\n%s", text)
	}
	dst := openKR(t, t.TempDir(), BackendTest, nil)
	for name, c := range cases {
		if _, err := dst.Import("x", []byte(c), []byte("pw")); err == nil {
			t.Errorf("%s: Import accepted a bad export", name)
		}
	}
	if l, _ := dst.List(); len(l) != 0 {
		t.Fatalf("failed imports stored keys: %+v", l)
	}
	if _, err := dst.Import("x", armored, nil); err == nil {
		t.Fatal("Import with an empty export passphrase succeeded")
	}
	if _, err := src.Export("a", nil); err == nil {
		t.Fatal("Export with an empty export passphrase succeeded")
	}
}

func flipBody(text string) string {
	lines := strings.Split(text, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i] != "" && lines[i] != ArmorEnd {
			b := []byte(lines[i])
			if b[0] == 'A' {
				b[0] = 'B'
			} else {
				b[0] = 'A'
			}
			lines[i] = string(b)
			break
		}
	}
	return strings.Join(lines, "\n")
}

func TestBadNames(t *testing.T) {
	k := openKR(t, t.TempDir(), BackendTest, nil)
	bad := []string{"", ".", "..", "../evil", "a/b", `a\b`, "with space", "é", "a\x00b", strings.Repeat("x", 65), "semi;colon"}
	for _, n := range bad {
		if _, err := k.Add(n); err == nil {
			t.Errorf("Add(%q) succeeded", n)
		}
		if _, err := k.Show(n); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("Show(%q) = %v, want a name error", n, err)
		}
		if err := k.Delete(n); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("Delete(%q) = %v, want a name error", n, err)
		}
	}
	good := []string{"a", "A.b_c-9", strings.Repeat("x", 64), "..a"}
	for _, n := range good {
		if _, err := k.Add(n); err != nil {
			t.Errorf("Add(%q): %v", n, err)
		}
	}
	// Nothing escaped the keyring directory.
	entries, _ := os.ReadDir(filepath.Dir(k.Dir()))
	if len(entries) != 1 {
		t.Fatalf("home holds %d entries, want only the keyring dir", len(entries))
	}
}

func TestDuplicateAdd(t *testing.T) {
	for _, backend := range []string{BackendFile, BackendTest} {
		t.Run(backend, func(t *testing.T) {
			k := openKR(t, t.TempDir(), backend, (&passRecorder{p: "p"}).fn)
			first, err := k.Add("dup")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := k.Add("dup"); !errors.Is(err, ErrExists) {
				t.Fatalf("second Add: %v, want ErrExists", err)
			}
			_, priv, _ := ed25519.GenerateKey(rand.Reader)
			if _, err := k.AddPrivKey("dup", priv); !errors.Is(err, ErrExists) {
				t.Fatalf("AddPrivKey onto an existing name: %v, want ErrExists", err)
			}
			got, err := k.Show("dup")
			if err != nil || got.Address != first.Address {
				t.Fatalf("the first key was replaced: %+v %v", got, err)
			}
		})
	}
}

func TestConcurrentAddSameName(t *testing.T) {
	k := openKR(t, t.TempDir(), BackendTest, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := k.Add("race")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrExists):
			t.Fatalf("unexpected error %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent Adds of one name succeeded, want 1", ok)
	}
}

func TestAddPrivKeyRejectsMalformed(t *testing.T) {
	k := openKR(t, t.TempDir(), BackendTest, nil)
	if _, err := k.AddPrivKey("a", ed25519.PrivateKey(make([]byte, 10))); err == nil {
		t.Fatal("short key accepted")
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	bad := append(ed25519.PrivateKey(nil), priv...)
	bad[40] ^= 1 // public half no longer matches the seed
	if _, err := k.AddPrivKey("a", bad); err == nil {
		t.Fatal("inconsistent key accepted")
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open(t.TempDir(), "os", nil); err == nil {
		t.Fatal("unknown backend accepted")
	}
	if _, err := Open("", BackendTest, nil); err == nil {
		t.Fatal("empty home accepted")
	}
	// Backends do not read each other's files.
	home := t.TempDir()
	k := openKR(t, home, BackendTest, nil)
	if _, err := k.Add("a"); err != nil {
		t.Fatal(err)
	}
	if l, err := openKR(t, home, BackendFile, nil).List(); err != nil || len(l) != 0 {
		t.Fatalf("file backend sees test keys: %v %v", l, err)
	}
	// A test-backend file copied into the file keyring is refused, not used.
	src := filepath.Join(home, "keyring-test", "a.json")
	data, _ := os.ReadFile(src)
	if err := os.WriteFile(filepath.Join(home, "keyring-file", "a.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := openKR(t, home, BackendFile, nil).Show("a"); err == nil {
		t.Fatal("file backend accepted an unencrypted key file")
	}
}
