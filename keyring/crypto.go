package keyring

import (
	"crypto/rand"
	"fmt"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// kdfParams are the argon2id parameters stored next to every ciphertext.
type kdfParams struct {
	Name      string `json:"name"` // "argon2id"
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
	Salt      []byte `json:"salt"`
}

const (
	kdfArgon2id = "argon2id"
	saltSize    = 16
	keySize     = chacha20poly1305.KeySize
	nonceSize   = chacha20poly1305.NonceSizeX
	tagSize     = chacha20poly1305.Overhead

	// Bounds accepted when reading parameters from a file, so a hostile file cannot make us
	// allocate unbounded memory or spin forever.
	maxKDFTime      = 64
	maxKDFMemoryKiB = 4 << 20 // 4 GiB
	maxKDFThreads   = 64
)

// productionKDF is the argon2id cost of every new ciphertext: the second recommended option of
// RFC 9106 (t=3, m=64 MiB, p=4).
func productionKDF() kdfParams {
	return kdfParams{Name: kdfArgon2id, Time: 3, MemoryKiB: 64 * 1024, Threads: 4}
}

// defaultKDF is what seal uses. Tests in this package lower it to run fast; nothing else may.
var defaultKDF = productionKDF()

func (p *kdfParams) check() error {
	if p.Name != kdfArgon2id {
		return fmt.Errorf("unsupported kdf %q", p.Name)
	}
	if p.Time < 1 || p.Time > maxKDFTime {
		return fmt.Errorf("kdf time %d out of range 1..%d", p.Time, maxKDFTime)
	}
	if p.Threads < 1 || p.Threads > maxKDFThreads {
		return fmt.Errorf("kdf threads %d out of range 1..%d", p.Threads, maxKDFThreads)
	}
	if p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxKDFMemoryKiB {
		return fmt.Errorf("kdf memory %d KiB out of range %d..%d", p.MemoryKiB, 8*uint32(p.Threads), maxKDFMemoryKiB)
	}
	if len(p.Salt) != saltSize {
		return fmt.Errorf("kdf salt is %d bytes, want %d", len(p.Salt), saltSize)
	}
	return nil
}

func (p *kdfParams) derive(pass []byte) []byte {
	return argon2.IDKey(pass, p.Salt, p.Time, p.MemoryKiB, p.Threads, keySize)
}

// seal encrypts plaintext under a key derived from pass with fresh salt and nonce.
func seal(pass, plaintext, ad []byte, params kdfParams) (kdfParams, []byte, []byte, error) {
	params.Salt = make([]byte, saltSize)
	if _, err := rand.Read(params.Salt); err != nil {
		return kdfParams{}, nil, nil, fmt.Errorf("keyring: random salt: %w", err)
	}
	if err := params.check(); err != nil {
		return kdfParams{}, nil, nil, fmt.Errorf("keyring: %w", err)
	}
	key := params.derive(pass)
	defer wipe(key)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return kdfParams{}, nil, nil, fmt.Errorf("keyring: %w", err)
	}
	nonce := make([]byte, nonceSize)
	if _, err := rand.Read(nonce); err != nil {
		return kdfParams{}, nil, nil, fmt.Errorf("keyring: random nonce: %w", err)
	}
	return params, nonce, aead.Seal(nil, nonce, plaintext, ad), nil
}

// open decrypts ciphertext; a failed authentication is ErrWrongPassphrase.
func open(pass []byte, params kdfParams, nonce, ciphertext, ad []byte) ([]byte, error) {
	if err := params.check(); err != nil {
		return nil, err
	}
	if len(nonce) != nonceSize {
		return nil, fmt.Errorf("nonce is %d bytes, want %d", len(nonce), nonceSize)
	}
	key := params.derive(pass)
	defer wipe(key)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	pt, err := aead.Open(nil, nonce, ciphertext, ad)
	if err != nil {
		return nil, errWrongPass
	}
	return pt, nil
}

var errWrongPass = fmt.Errorf("%w (or the data was altered)", ErrWrongPassphrase)
