// Package keyring stores Girder account keys (ed25519) on disk, one JSON file per key.
//
// Two backends exist:
//
//   - "file": the private key is encrypted with a key derived from the keyring passphrase
//     (argon2id) using XChaCha20-Poly1305. The public parts (name, type, address, public key) stay
//     readable, so List and Show never need the passphrase.
//   - "test": same file format, but the private key is stored unencrypted and no passphrase is ever
//     asked. For local development only.
//
// The keyring lives in <home>/keyring-file or <home>/keyring-test. Every write is atomic (temporary
// file, fsync, then link/rename), so a crash never leaves a half-written key file.
package keyring

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/girder-chain/girder/address"
)

// Backend names accepted by Open.
const (
	BackendFile = "file"
	BackendTest = "test"
)

// KeyType is the only key type the keyring creates.
const KeyType = "ed25519"

// PassphraseFunc asks for a passphrase; confirm=true when creating (ask twice).
type PassphraseFunc func(prompt string, confirm bool) ([]byte, error)

// Info is the public description of a key.
type Info struct {
	Name    string          `json:"name"`
	Type    string          `json:"type"` // "ed25519"
	Address address.Address `json:"address"`
	PubKey  []byte          `json:"pubkey"`
}

// Errors wrapped by failures; test with errors.Is.
var (
	ErrNotFound        = errors.New("key not found")
	ErrExists          = errors.New("key already exists")
	ErrWrongPassphrase = errors.New("wrong passphrase")
)

// Keyring is a directory of key files. It is safe for concurrent use by several goroutines of one
// process; a passphrase that was verified once is remembered for the life of the Keyring.
type Keyring struct {
	dir     string
	backend string
	pass    PassphraseFunc

	mu         sync.Mutex
	passphrase []byte // verified keyring passphrase (file backend), nil until known
}

// Open opens (creating if needed, mode 0700) the keyring of the given backend under home.
// pass is used by the file backend to ask the keyring passphrase; it may be nil for the test
// backend.
func Open(home, backend string, pass PassphraseFunc) (*Keyring, error) {
	if home == "" {
		return nil, errors.New("keyring: empty home directory")
	}
	var dir string
	switch backend {
	case BackendFile:
		dir = filepath.Join(home, "keyring-file")
	case BackendTest:
		dir = filepath.Join(home, "keyring-test")
	default:
		return nil, fmt.Errorf("keyring: unknown backend %q (want %q or %q)", backend, BackendFile, BackendTest)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keyring: create %s: %w", dir, err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("keyring: %s is not a directory", dir)
	}
	return &Keyring{dir: dir, backend: backend, pass: pass}, nil
}

// Dir is the directory holding the key files.
func (k *Keyring) Dir() string { return k.dir }

// Backend is BackendFile or BackendTest.
func (k *Keyring) Backend() string { return k.backend }

// ValidateName reports whether name is a usable key name: 1–64 characters of [A-Za-z0-9._-],
// and not "." or "..".
func ValidateName(name string) error {
	if name == "" {
		return errors.New("keyring: key name must not be empty")
	}
	if len(name) > 64 {
		return fmt.Errorf("keyring: key name %.20q… is %d characters long, the maximum is 64", name, len(name))
	}
	for _, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return fmt.Errorf("keyring: invalid key name %q: only letters, digits, '.', '_' and '-' are allowed", name)
		}
	}
	if name == "." || name == ".." {
		return fmt.Errorf("keyring: invalid key name %q", name)
	}
	return nil
}

const fileSuffix = ".json"

func (k *Keyring) path(name string) string { return filepath.Join(k.dir, name+fileSuffix) }

// Add creates a new random ed25519 key. It fails with ErrExists if the name is taken.
func (k *Keyring) Add(name string) (Info, error) {
	if err := ValidateName(name); err != nil {
		return Info{}, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Info{}, fmt.Errorf("keyring: generate key: %w", err)
	}
	defer wipe(priv)
	return k.AddPrivKey(name, priv)
}

// AddPrivKey stores the given private key under name. It fails with ErrExists if the name is taken.
func (k *Keyring) AddPrivKey(name string, priv ed25519.PrivateKey) (Info, error) {
	if err := ValidateName(name); err != nil {
		return Info{}, err
	}
	if len(priv) != ed25519.PrivateKeySize {
		return Info{}, fmt.Errorf("keyring: private key is %d bytes, want %d", len(priv), ed25519.PrivateKeySize)
	}
	seed := priv.Seed()
	defer wipe(seed)
	check := ed25519.NewKeyFromSeed(seed)
	defer wipe(check)
	if !bytes.Equal(check, priv) {
		return Info{}, errors.New("keyring: malformed ed25519 private key (public half does not match the seed)")
	}
	pub := append([]byte(nil), check[ed25519.SeedSize:]...)
	info := Info{Name: name, Type: KeyType, Address: address.FromPubKey(KeyType, pub), PubKey: pub}

	// Fail early, before asking for a passphrase; the final write re-checks atomically.
	if _, err := os.Lstat(k.path(name)); err == nil {
		return Info{}, fmt.Errorf("keyring: %q: %w", name, ErrExists)
	}

	kf := keyFile{Version: fileVersion, Name: name, Type: KeyType, Address: info.Address, PubKey: pub}
	switch k.backend {
	case BackendTest:
		kf.Encryption = encNone
		kf.PrivKey = append([]byte(nil), seed...)
	case BackendFile:
		pass, err := k.newKeyPassphrase()
		if err != nil {
			return Info{}, err
		}
		params, nonce, ct, err := seal(pass, seed, keyFileAD(name, info.Address), defaultKDF)
		if err != nil {
			return Info{}, err
		}
		kf.Encryption = encArgonXChaCha
		kf.KDF = &params
		kf.Nonce = nonce
		kf.PrivKey = ct
	}
	data, err := json.MarshalIndent(&kf, "", "  ")
	if err != nil {
		return Info{}, fmt.Errorf("keyring: encode key file: %w", err)
	}
	data = append(data, '\n')
	if err := writeFileAtomic(k.dir, k.path(name), data); err != nil {
		if errors.Is(err, ErrExists) {
			return Info{}, fmt.Errorf("keyring: %q: %w", name, ErrExists)
		}
		return Info{}, fmt.Errorf("keyring: write key %q: %w", name, err)
	}
	return info, nil
}

// List returns every key, sorted by name.
func (k *Keyring) List() ([]Info, error) {
	entries, err := os.ReadDir(k.dir)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	out := []Info{}
	for _, e := range entries {
		fn := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(fn, ".") || !strings.HasSuffix(fn, fileSuffix) {
			continue
		}
		name := strings.TrimSuffix(fn, fileSuffix)
		if ValidateName(name) != nil {
			continue
		}
		kf, err := k.read(name)
		if err != nil {
			return nil, err
		}
		out = append(out, kf.info())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Show returns the public description of one key; it never needs the passphrase.
func (k *Keyring) Show(name string) (Info, error) {
	if err := ValidateName(name); err != nil {
		return Info{}, err
	}
	kf, err := k.read(name)
	if err != nil {
		return Info{}, err
	}
	return kf.info(), nil
}

// Delete removes a key file. It fails with ErrNotFound if there is no such key.
func (k *Keyring) Delete(name string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	// Read first: this checks the exact name (case-insensitive file systems) and the file format.
	if _, err := k.read(name); err != nil {
		return err
	}
	if err := os.Remove(k.path(name)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("keyring: %q: %w", name, ErrNotFound)
		}
		return fmt.Errorf("keyring: delete %q: %w", name, err)
	}
	syncDir(k.dir)
	return nil
}

// Signer decrypts a key (asking the keyring passphrase for the file backend) and returns a
// signer for it.
func (k *Keyring) Signer(name string) (*Signer, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	kf, err := k.read(name)
	if err != nil {
		return nil, err
	}
	seed, err := k.unlock(kf)
	if err != nil {
		return nil, err
	}
	defer wipe(seed)
	return &Signer{info: kf.info(), priv: ed25519.NewKeyFromSeed(seed)}, nil
}

// Signer signs with one decrypted key.
type Signer struct {
	info Info
	priv ed25519.PrivateKey
}

// Info describes the signer's key.
func (s *Signer) Info() Info {
	i := s.info
	i.PubKey = append([]byte(nil), i.PubKey...)
	return i
}

// Sign returns the ed25519 signature of msg.
func (s *Signer) Sign(msg []byte) []byte { return ed25519.Sign(s.priv, msg) }

// --- key files ---

const (
	fileVersion     = 1
	encNone         = "none"
	encArgonXChaCha = "argon2id+xchacha20poly1305"
)

// keyFile is the on-disk JSON form of a key.
type keyFile struct {
	Version    int             `json:"version"`
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Address    address.Address `json:"address"`
	PubKey     []byte          `json:"pubkey"`
	Encryption string          `json:"encryption"` // encArgonXChaCha, or encNone (test backend: PrivKey is the clear seed)
	KDF        *kdfParams      `json:"kdf,omitempty"`
	Nonce      []byte          `json:"nonce,omitempty"`
	PrivKey    []byte          `json:"privkey"` // 32-byte ed25519 seed, encrypted unless Encryption is "none"
}

func (kf *keyFile) info() Info {
	return Info{Name: kf.Name, Type: kf.Type, Address: kf.Address, PubKey: append([]byte(nil), kf.PubKey...)}
}

// read loads and checks the key file of name.
func (k *Keyring) read(name string) (*keyFile, error) {
	p := k.path(name)
	data, err := os.ReadFile(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("keyring: %q: %w", name, ErrNotFound)
		}
		return nil, fmt.Errorf("keyring: read key %q: %w", name, err)
	}
	var kf keyFile
	if err := json.Unmarshal(data, &kf); err != nil {
		return nil, fmt.Errorf("keyring: corrupt key file %s: %w", p, err)
	}
	if kf.Name != name {
		// Only reachable on case-insensitive file systems ("Alice" vs "alice") or a renamed file.
		if strings.EqualFold(kf.Name, name) {
			return nil, fmt.Errorf("keyring: %q: %w (there is a key named %q)", name, ErrNotFound, kf.Name)
		}
		return nil, fmt.Errorf("keyring: key file %s holds key %q, not %q", p, kf.Name, name)
	}
	if err := kf.check(k.backend); err != nil {
		return nil, fmt.Errorf("keyring: bad key file %s: %w", p, err)
	}
	return &kf, nil
}

func (kf *keyFile) check(backend string) error {
	if kf.Version != fileVersion {
		return fmt.Errorf("unsupported version %d", kf.Version)
	}
	if kf.Type != KeyType {
		return fmt.Errorf("unsupported key type %q", kf.Type)
	}
	if len(kf.PubKey) != ed25519.PublicKeySize {
		return fmt.Errorf("public key is %d bytes, want %d", len(kf.PubKey), ed25519.PublicKeySize)
	}
	if address.FromPubKey(kf.Type, kf.PubKey) != kf.Address {
		return errors.New("address does not match the public key")
	}
	switch backend {
	case BackendFile:
		if kf.Encryption != encArgonXChaCha {
			return fmt.Errorf("encryption %q, the file backend requires %q", kf.Encryption, encArgonXChaCha)
		}
		if kf.KDF == nil {
			return errors.New("missing kdf parameters")
		}
		if err := kf.KDF.check(); err != nil {
			return err
		}
		if len(kf.Nonce) != nonceSize {
			return fmt.Errorf("nonce is %d bytes, want %d", len(kf.Nonce), nonceSize)
		}
		if len(kf.PrivKey) != ed25519.SeedSize+tagSize {
			return fmt.Errorf("encrypted private key is %d bytes, want %d", len(kf.PrivKey), ed25519.SeedSize+tagSize)
		}
	case BackendTest:
		if kf.Encryption != encNone {
			return fmt.Errorf("encryption %q, the test backend stores keys unencrypted (%q)", kf.Encryption, encNone)
		}
		if len(kf.PrivKey) != ed25519.SeedSize {
			return fmt.Errorf("private key is %d bytes, want %d", len(kf.PrivKey), ed25519.SeedSize)
		}
	}
	return nil
}

// keyFileAD is the associated data binding a key file's ciphertext to its name and address.
func keyFileAD(name string, addr address.Address) []byte {
	return []byte("girder-keyring-v1\x00" + KeyType + "\x00" + name + "\x00" + addr.String())
}

// unlock returns the 32-byte seed of kf, asking the passphrase if needed. The caller wipes it.
func (k *Keyring) unlock(kf *keyFile) ([]byte, error) {
	var seed []byte
	switch k.backend {
	case BackendTest:
		seed = append([]byte(nil), kf.PrivKey...)
	case BackendFile:
		ad := keyFileAD(kf.Name, kf.Address)
		k.mu.Lock()
		cached := k.passphrase
		k.mu.Unlock()
		var err error
		if cached != nil {
			seed, err = open(cached, *kf.KDF, kf.Nonce, kf.PrivKey, ad)
		}
		if cached == nil || errors.Is(err, ErrWrongPassphrase) {
			pass, perr := k.ask(fmt.Sprintf("Enter keyring passphrase (key %q): ", kf.Name), false)
			if perr != nil {
				return nil, perr
			}
			seed, err = open(pass, *kf.KDF, kf.Nonce, kf.PrivKey, ad)
			if err == nil {
				k.remember(pass)
			}
		}
		if err != nil {
			if errors.Is(err, ErrWrongPassphrase) {
				return nil, fmt.Errorf("keyring: key %q: %w", kf.Name, ErrWrongPassphrase)
			}
			return nil, fmt.Errorf("keyring: key %q: %w", kf.Name, err)
		}
	default:
		return nil, fmt.Errorf("keyring: unknown backend %q", k.backend)
	}
	if len(seed) != ed25519.SeedSize {
		wipe(seed)
		return nil, fmt.Errorf("keyring: key %q: private key is %d bytes, want %d", kf.Name, len(seed), ed25519.SeedSize)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	defer wipe(priv)
	if !bytes.Equal(priv[ed25519.SeedSize:], kf.PubKey) {
		wipe(seed)
		return nil, fmt.Errorf("keyring: key %q: private key does not match the stored public key", kf.Name)
	}
	return seed, nil
}

// newKeyPassphrase returns the passphrase to encrypt a new key with. In an empty keyring it asks
// a new passphrase (confirm=true); otherwise it asks the keyring passphrase and verifies it
// against an existing key, so that every key of a keyring shares one passphrase.
func (k *Keyring) newKeyPassphrase() ([]byte, error) {
	k.mu.Lock()
	cached := k.passphrase
	k.mu.Unlock()
	if cached != nil {
		return cached, nil
	}
	existing, err := k.anyKey()
	if err != nil {
		return nil, err
	}
	if existing == nil {
		pass, err := k.ask("Enter a new keyring passphrase: ", true)
		if err != nil {
			return nil, err
		}
		k.remember(pass)
		return pass, nil
	}
	pass, err := k.ask("Enter keyring passphrase: ", false)
	if err != nil {
		return nil, err
	}
	seed, err := open(pass, *existing.KDF, existing.Nonce, existing.PrivKey, keyFileAD(existing.Name, existing.Address))
	if err != nil {
		if errors.Is(err, ErrWrongPassphrase) {
			return nil, fmt.Errorf("keyring: passphrase does not unlock existing key %q: %w", existing.Name, ErrWrongPassphrase)
		}
		return nil, fmt.Errorf("keyring: %w", err)
	}
	wipe(seed)
	k.remember(pass)
	return pass, nil
}

// anyKey returns the first readable key file, or nil if the keyring is empty.
func (k *Keyring) anyKey() (*keyFile, error) {
	entries, err := os.ReadDir(k.dir)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	for _, e := range entries {
		fn := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(fn, ".") || !strings.HasSuffix(fn, fileSuffix) {
			continue
		}
		name := strings.TrimSuffix(fn, fileSuffix)
		if ValidateName(name) != nil {
			continue
		}
		if kf, err := k.read(name); err == nil {
			return kf, nil
		}
	}
	return nil, nil
}

// ask calls the PassphraseFunc and rejects empty passphrases.
func (k *Keyring) ask(prompt string, confirm bool) ([]byte, error) {
	if k.pass == nil {
		return nil, errors.New("keyring: the file backend needs a passphrase but no way to ask for one was given")
	}
	p, err := k.pass(prompt, confirm)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	if len(p) == 0 {
		return nil, errors.New("keyring: the passphrase must not be empty")
	}
	return p, nil
}

func (k *Keyring) remember(pass []byte) {
	k.mu.Lock()
	k.passphrase = append([]byte(nil), pass...)
	k.mu.Unlock()
}

// writeFileAtomic writes data to a temporary file in dir (mode 0600), syncs it, then links it to
// final, failing with ErrExists if final already exists. A crash leaves either no key file or a
// complete one (plus, at worst, a stray ".tmp-*" file that List ignores).
func writeFileAtomic(dir, final string, data []byte) (err error) {
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if f != nil {
			f.Close()
		}
		os.Remove(tmp) // after a successful link or rename this is a no-op or removes the extra link
	}()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		f = nil
		return err
	}
	f = nil
	// A hard link never replaces an existing file, so two concurrent Adds cannot overwrite each other.
	lerr := os.Link(tmp, final)
	switch {
	case lerr == nil:
	case errors.Is(lerr, fs.ErrExist):
		return ErrExists
	default:
		// File systems without hard links: check, then rename (not race-free, but still atomic).
		if _, err := os.Lstat(final); err == nil {
			return ErrExists
		}
		if err := os.Rename(tmp, final); err != nil {
			return err
		}
	}
	syncDir(dir)
	return nil
}

// syncDir makes a directory entry change durable (best effort; not supported everywhere).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// wipe zeroes secret material (best effort: the garbage collector may have copied it).
func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
