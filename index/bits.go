package index

import (
	"encoding/binary"
	"math/bits"
)

// bitsFor returns the bits needed to store values 0..n-1 (0 when n <= 1).
func bitsFor(n uint64) uint {
	if n <= 1 {
		return 0
	}
	return uint(bits.Len64(n - 1))
}

// packed is a fixed-width array of unsigned codes, width 0–64 bits.
type packed struct {
	words []uint64
	width uint
	n     int
}

func packedWords(n int, width uint) int {
	return int((uint64(n)*uint64(width) + 63) / 64)
}

func newPacked(n int, width uint) packed {
	return packed{words: make([]uint64, packedWords(n, width)), width: width, n: n}
}

func (p *packed) set(i int, v uint64) {
	if p.width == 0 {
		return
	}
	off := uint64(i) * uint64(p.width)
	w, s := off>>6, uint(off&63)
	p.words[w] |= v << s
	if s+p.width > 64 {
		p.words[w+1] |= v >> (64 - s)
	}
}

func (p *packed) get(i int) uint64 {
	if p.width == 0 {
		return 0
	}
	off := uint64(i) * uint64(p.width)
	w, s := off>>6, uint(off&63)
	v := p.words[w] >> s
	if s+p.width > 64 {
		v |= p.words[w+1] << (64 - s)
	}
	if p.width < 64 {
		v &= 1<<p.width - 1
	}
	return v
}

// appendBytes appends the words little-endian.
func (p *packed) appendBytes(dst []byte) []byte {
	for _, w := range p.words {
		dst = binary.LittleEndian.AppendUint64(dst, w)
	}
	return dst
}

// cursor reads varints and bytes from a buffer, remembering the first
// error so that callers check once.
type cursor struct {
	b   []byte
	bad bool
}

func (c *cursor) uvarint() uint64 {
	v, n := binary.Uvarint(c.b)
	return c.advance(v, n)
}

func (c *cursor) varint() int64 {
	v, n := binary.Varint(c.b)
	return int64(c.advance(uint64(v), n))
}

// advance consumes n bytes holding v, or fails on n <= 0.
func (c *cursor) advance(v uint64, n int) uint64 {
	if n <= 0 {
		c.bad, c.b = true, nil
		return 0
	}
	c.b = c.b[n:]
	return v
}

// bytes returns the next n bytes (not copied).
func (c *cursor) bytes(n uint64) []byte {
	if n > uint64(len(c.b)) {
		c.bad = true
		c.b = nil
		return nil
	}
	v := c.b[:n]
	c.b = c.b[n:]
	return v
}

func (c *cursor) u64() uint64 {
	b := c.bytes(8)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}
