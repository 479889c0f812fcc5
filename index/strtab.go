package index

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// strtabBlock is the restart interval of front coding: reading one string
// decodes at most this many.
const strtabBlock = 16

// strtab is a sorted dictionary of distinct strings, front-coded in blocks
// of strtabBlock. Each block starts with a full string (length, bytes);
// the others are (shared prefix length, suffix length, suffix).
type strtab struct {
	data   []byte
	blocks []uint32 // offset of each block in data
	n      int
	last   []byte // while building: the previous string
}

// add appends s, which must sort after every string added before.
func (t *strtab) add(s []byte) {
	if t.n%strtabBlock == 0 {
		t.blocks = append(t.blocks, uint32(len(t.data)))
		t.data = binary.AppendUvarint(t.data, uint64(len(s)))
		t.data = append(t.data, s...)
	} else {
		shared := commonPrefix(t.last, s)
		t.data = binary.AppendUvarint(t.data, uint64(shared))
		t.data = binary.AppendUvarint(t.data, uint64(len(s)-shared))
		t.data = append(t.data, s[shared:]...)
	}
	t.last = append(t.last[:0], s...)
	t.n++
}

// finish drops building state and trims capacity.
func (t *strtab) finish() {
	t.last = nil
	t.data = bytes.Clone(t.data)
	if t.data == nil {
		t.data = []byte{}
	}
	t.blocks = append([]uint32(nil), t.blocks...)
}

// appendString appends string i to dst. i must be in range; the table was
// validated when it was built.
func (t *strtab) appendString(dst []byte, i int) []byte {
	p := int(t.blocks[i/strtabBlock])
	start := len(dst)
	l, k := binary.Uvarint(t.data[p:])
	p += k
	dst = append(dst, t.data[p:p+int(l)]...)
	p += int(l)
	for j := i % strtabBlock; j > 0; j-- {
		shared, k := binary.Uvarint(t.data[p:])
		p += k
		sl, k := binary.Uvarint(t.data[p:])
		p += k
		dst = append(dst[:start+int(shared)], t.data[p:p+int(sl)]...)
		p += int(sl)
	}
	return dst
}

func (t *strtab) bytes() int64 { return int64(cap(t.data) + 4*cap(t.blocks)) }

func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// appendDictPayload encodes a sorted dictionary for a file section: count,
// then for each string (shared prefix with the previous, suffix length,
// suffix). The stream has no restarts; zstd does the rest.
func appendDictPayload(dst []byte, t *strtab) []byte {
	dst = binary.AppendUvarint(dst, uint64(t.n))
	var prev, cur []byte
	for i := 0; i < t.n; i++ {
		cur = t.appendString(cur[:0], i)
		shared := commonPrefix(prev, cur)
		dst = binary.AppendUvarint(dst, uint64(shared))
		dst = binary.AppendUvarint(dst, uint64(len(cur)-shared))
		dst = append(dst, cur[shared:]...)
		prev, cur = cur, prev
	}
	return dst
}

// parseDictPayload decodes appendDictPayload output, checking that the
// strings are strictly increasing, at most maxLen bytes long and at most
// maxCount in number.
func parseDictPayload(b []byte, maxCount uint64, maxLen int) (strtab, error) {
	var t strtab
	c := cursor{b: b}
	n := c.uvarint()
	if c.bad || n > maxCount || n > uint64(len(b)) {
		return t, fmt.Errorf("%w: dictionary count %d", ErrCorrupt, n)
	}
	var prev, cur []byte
	for i := uint64(0); i < n; i++ {
		shared := c.uvarint()
		sl := c.uvarint()
		if c.bad || shared > uint64(len(prev)) || sl > uint64(maxLen) || shared+sl > uint64(maxLen) {
			return t, fmt.Errorf("%w: dictionary string %d", ErrCorrupt, i)
		}
		suffix := c.bytes(sl)
		if c.bad {
			return t, fmt.Errorf("%w: dictionary string %d", ErrCorrupt, i)
		}
		cur = append(append(cur[:0], prev[:shared]...), suffix...)
		if i > 0 && bytes.Compare(prev, cur) >= 0 {
			return t, fmt.Errorf("%w: dictionary not sorted at %d", ErrCorrupt, i)
		}
		t.add(cur)
		prev, cur = cur, prev
	}
	if len(c.b) != 0 {
		return t, fmt.Errorf("%w: dictionary trailing bytes", ErrCorrupt)
	}
	t.finish()
	return t, nil
}
