package keyring

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/girder-chain/girder/address"
)

// Armor delimiters of an exported key.
const (
	ArmorBegin = "-----BEGIN GIRDER PRIVATE KEY-----"
	ArmorEnd   = "-----END GIRDER PRIVATE KEY-----"
)

const (
	armorVersion = "1"
	armorCipher  = "xchacha20-poly1305"
)

// armorHeaders lists the headers of an export, in the order they are written. All are required.
var armorHeaders = []string{"version", "type", "address", "kdf", "kdf-params", "salt", "cipher", "nonce"}

// exportAD binds an export's ciphertext to its key type and address.
func exportAD(keyType string, addr address.Address) []byte {
	return []byte("girder-export-v1\x00" + keyType + "\x00" + addr.String())
}

// Export returns the key as portable armored text, its private key encrypted with exportPass
// (argon2id + XChaCha20-Poly1305). For the file backend it asks the keyring passphrase.
func (k *Keyring) Export(name string, exportPass []byte) ([]byte, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	if len(exportPass) == 0 {
		return nil, errors.New("keyring: the export passphrase must not be empty")
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
	params, nonce, ct, err := seal(exportPass, seed, exportAD(kf.Type, kf.Address), defaultKDF)
	if err != nil {
		return nil, err
	}
	b64 := base64.StdEncoding
	vals := map[string]string{
		"version":    armorVersion,
		"type":       kf.Type,
		"address":    kf.Address.String(),
		"kdf":        params.Name,
		"kdf-params": fmt.Sprintf("t=%d,m=%d,p=%d", params.Time, params.MemoryKiB, params.Threads),
		"salt":       b64.EncodeToString(params.Salt),
		"cipher":     armorCipher,
		"nonce":      b64.EncodeToString(nonce),
	}
	var buf bytes.Buffer
	buf.WriteString(ArmorBegin + "\n")
	for _, h := range armorHeaders {
		fmt.Fprintf(&buf, "%s: %s\n", h, vals[h])
	}
	buf.WriteString("\n")
	body := b64.EncodeToString(ct)
	for len(body) > 64 {
		buf.WriteString(body[:64] + "\n")
		body = body[64:]
	}
	buf.WriteString(body + "\n")
	buf.WriteString(ArmorEnd + "\n")
	return buf.Bytes(), nil
}

// Import decrypts an exported key with exportPass, checks that it matches the address in its
// headers, and stores it under name (asking the keyring passphrase for the file backend).
// A wrong export passphrase (or an altered export) fails with ErrWrongPassphrase.
func (k *Keyring) Import(name string, armored []byte, exportPass []byte) (Info, error) {
	if err := ValidateName(name); err != nil {
		return Info{}, err
	}
	if _, err := k.read(name); err == nil {
		return Info{}, fmt.Errorf("keyring: %q: %w", name, ErrExists)
	} else if !errors.Is(err, ErrNotFound) {
		return Info{}, err
	}
	a, err := parseArmor(armored)
	if err != nil {
		return Info{}, fmt.Errorf("keyring: import: %w", err)
	}
	seed, err := open(exportPass, a.kdf, a.nonce, a.ciphertext, exportAD(a.keyType, a.addr))
	if err != nil {
		if errors.Is(err, ErrWrongPassphrase) {
			return Info{}, fmt.Errorf("keyring: import: %w: the export passphrase is wrong or the export was altered", ErrWrongPassphrase)
		}
		return Info{}, fmt.Errorf("keyring: import: %w", err)
	}
	defer wipe(seed)
	if len(seed) != ed25519.SeedSize {
		return Info{}, fmt.Errorf("keyring: import: private key is %d bytes, want %d", len(seed), ed25519.SeedSize)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	defer wipe(priv)
	if got := address.FromPubKey(a.keyType, priv[ed25519.SeedSize:]); got != a.addr {
		return Info{}, fmt.Errorf("keyring: import: the key's address is %s, but the export says %s", got, a.addr)
	}
	return k.AddPrivKey(name, priv)
}

type armor struct {
	keyType    string
	addr       address.Address
	kdf        kdfParams
	nonce      []byte
	ciphertext []byte
}

func parseArmor(data []byte) (*armor, error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) < 3 || strings.TrimSpace(lines[0]) != ArmorBegin {
		return nil, fmt.Errorf("not an exported Girder key: the text must start with %q", ArmorBegin)
	}
	if strings.TrimSpace(lines[len(lines)-1]) != ArmorEnd {
		return nil, fmt.Errorf("truncated export: missing %q", ArmorEnd)
	}
	lines = lines[1 : len(lines)-1]

	headers := map[string]string{}
	i := 0
	for ; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if line == "" {
			i++
			break
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("bad header line %q (want \"key: value\" then a blank line before the body)", line)
		}
		key = strings.ToLower(strings.TrimSpace(key))
		if _, dup := headers[key]; dup {
			return nil, fmt.Errorf("duplicate header %q", key)
		}
		headers[key] = strings.TrimSpace(val)
	}
	for _, h := range armorHeaders {
		if _, ok := headers[h]; !ok {
			return nil, fmt.Errorf("missing header %q", h)
		}
	}
	for h := range headers {
		known := false
		for _, k := range armorHeaders {
			known = known || h == k
		}
		if !known {
			return nil, fmt.Errorf("unknown header %q", h)
		}
	}
	if v := headers["version"]; v != armorVersion {
		return nil, fmt.Errorf("unsupported export version %q", v)
	}
	if c := headers["cipher"]; c != armorCipher {
		return nil, fmt.Errorf("unsupported cipher %q", c)
	}
	a := &armor{keyType: headers["type"]}
	if a.keyType != KeyType {
		return nil, fmt.Errorf("unsupported key type %q", a.keyType)
	}
	var err error
	if a.addr, err = address.Parse(headers["address"]); err != nil {
		return nil, err
	}
	b64 := base64.StdEncoding
	a.kdf.Name = headers["kdf"]
	if err := parseKDFParams(headers["kdf-params"], &a.kdf); err != nil {
		return nil, err
	}
	if a.kdf.Salt, err = b64.DecodeString(headers["salt"]); err != nil {
		return nil, fmt.Errorf("bad salt: %w", err)
	}
	if err := a.kdf.check(); err != nil {
		return nil, err
	}
	if a.nonce, err = b64.DecodeString(headers["nonce"]); err != nil {
		return nil, fmt.Errorf("bad nonce: %w", err)
	}
	if len(a.nonce) != nonceSize {
		return nil, fmt.Errorf("nonce is %d bytes, want %d", len(a.nonce), nonceSize)
	}
	var body strings.Builder
	for _, l := range lines[i:] {
		body.WriteString(strings.TrimSpace(l))
	}
	if a.ciphertext, err = b64.DecodeString(body.String()); err != nil {
		return nil, fmt.Errorf("bad body: %w", err)
	}
	if len(a.ciphertext) != ed25519.SeedSize+tagSize {
		return nil, fmt.Errorf("body is %d bytes, want %d", len(a.ciphertext), ed25519.SeedSize+tagSize)
	}
	return a, nil
}

// parseKDFParams reads "t=3,m=65536,p=4".
func parseKDFParams(s string, p *kdfParams) error {
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("bad kdf-params %q (want t=…,m=…,p=…)", s)
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return fmt.Errorf("bad kdf-params %q: %v", s, err)
		}
		switch k {
		case "t":
			p.Time = uint32(n)
		case "m":
			p.MemoryKiB = uint32(n)
		case "p":
			if n > 255 {
				return fmt.Errorf("bad kdf-params %q: too many threads", s)
			}
			p.Threads = uint8(n)
		default:
			return fmt.Errorf("bad kdf-params %q: unknown parameter %q", s, k)
		}
		if seen[k] {
			return fmt.Errorf("bad kdf-params %q: %q given twice", s, k)
		}
		seen[k] = true
	}
	if len(seen) != 3 {
		return fmt.Errorf("bad kdf-params %q (want t=…,m=…,p=…)", s)
	}
	return nil
}
