package fingerprint

import (
	"encoding/hex"
	"fmt"
	"math/bits"
)

// HashBits is the length of a Hash in bits.
const HashBits = 256

// Hash is a 256-bit perceptual hash of a normalised page. Word 0 holds
// bits 0–63, most significant bit first, so that String reads in bit order.
type Hash [4]uint64

// Distance returns the Hamming distance between h and o: the number of
// differing bits, from 0 to HashBits.
func (h Hash) Distance(o Hash) int {
	return bits.OnesCount64(h[0]^o[0]) + bits.OnesCount64(h[1]^o[1]) +
		bits.OnesCount64(h[2]^o[2]) + bits.OnesCount64(h[3]^o[3])
}

// IsZero reports whether every bit of h is zero.
func (h Hash) IsZero() bool { return h == Hash{} }

// String returns h as 64 lowercase hex digits.
func (h Hash) String() string {
	b, _ := h.MarshalBinary()
	return hex.EncodeToString(b)
}

// MarshalBinary returns h as 32 big-endian bytes.
func (h Hash) MarshalBinary() ([]byte, error) {
	b := make([]byte, 32)
	for i, w := range h {
		for j := 0; j < 8; j++ {
			b[i*8+j] = byte(w >> (56 - 8*j))
		}
	}
	return b, nil
}

// UnmarshalBinary sets h from 32 big-endian bytes.
func (h *Hash) UnmarshalBinary(b []byte) error {
	if len(b) != 32 {
		return fmt.Errorf("fingerprint: hash is %d bytes, want 32", len(b))
	}
	for i := range h {
		var w uint64
		for j := 0; j < 8; j++ {
			w = w<<8 | uint64(b[i*8+j])
		}
		h[i] = w
	}
	return nil
}

// MarshalText implements encoding.TextMarshaler (hex).
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (hex).
func (h *Hash) UnmarshalText(t []byte) error {
	p, err := ParseHash(string(t))
	if err != nil {
		return err
	}
	*h = p
	return nil
}

// ParseHash parses 64 hex digits, as written by Hash.String.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 64 {
		return h, fmt.Errorf("fingerprint: hash %q is %d hex digits, want 64", s, len(s))
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return h, fmt.Errorf("fingerprint: parse hash: %w", err)
	}
	return h, h.UnmarshalBinary(b)
}

// bit sets bit i (0 = most significant bit of word 0).
func (h *Hash) setBit(i int) { h[i>>6] |= 1 << (63 - uint(i&63)) }
