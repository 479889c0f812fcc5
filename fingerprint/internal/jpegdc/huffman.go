package jpegdc

import "fmt"

const (
	// dcLookBits is the lookahead of the DC symbol table. DC codes are short
	// (at most 11 symbols), so 9 bits resolve nearly all of them.
	dcLookBits = 9
	// acLookBits is the lookahead of the AC skip table. One lookup consumes
	// every complete code that starts within these bits (plus the magnitude
	// bits of the last one), so larger is faster until the tables stop
	// fitting in L1: 2 tables × 8 Ki entries × 2 bytes = 32 KiB at 13. On
	// the grey benchmark page a dense block takes 12.6 lookups at 13 bits,
	// 13.5 at 12, 11.9 at 14 (no faster than 13: 32 KiB per table).
	acLookBits = 13

	maxCodeLen = 16
)

// Layout of an AC skip entry. A pack is the longest run of whole
// coefficients (code + magnitude bits) decodable from the lookahead. When a
// pack would run past the end of the block, its first coefficient alone is
// decoded (the slow path). Entries of acLong hold a single coefficient in
// both halves, the low one in this layout.
const (
	// Bits consumed (code lengths + magnitude bits, at most acLookBits +
	// 15 = 28), in the low six bits so that x86 can shift by the entry as
	// it is.
	skipBitsMask = 63
	skipAdvShift = 6 // coefficient positions advanced (runs + 1 each; 16 for ZRL; 1 for EOB)
	skipAdvMask  = 127
	skipEOB      = 1 << 13 // the pack ends with an end-of-block
	skipOneShift = 16      // acLong: the single-coefficient entry sits in the high half
	// skipEOB sits just above the advance, so that e>>skipAdvShift&skipStepMask
	// is the advance plus 128 for an end of block: one addition moves the
	// position and one test (≥ 64) ends the block.
	skipStepMask = 255

	// maxLongEntries bounds acLong (16 KiB); the standard luma table needs
	// 128 entries.
	maxLongEntries = 4096

	// skipLongCode is the skip entry of a lookahead value that starts a
	// code longer than the lookahead: it consumes nothing and advances
	// past the end of the block, so that the one test a lookup makes
	// (does the position stay inside the block?) sends it to the slow
	// path too.
	skipLongCode = skipStepMask << skipAdvShift
)

// huffTable is one Huffman table as defined by DHT, with the derived lookups
// built lazily: a DC table needs symbol lookups, an AC table skip lookups.
type huffTable struct {
	defined bool                  // defined in the current image
	valid   bool                  // counts and vals hold a valid table (possibly from an earlier image)
	counts  [maxCodeLen + 1]uint8 // counts[l]: number of codes of length l
	vals    [256]uint8
	nvals   int

	// Canonical decoding for codes longer than the lookahead.
	maxcode [maxCodeLen + 2]int32 // last code of each length, -1 if none
	valptr  [maxCodeLen + 1]int32 // index in vals of the first code of each length
	mincode [maxCodeLen + 1]int32

	dcBuilt bool
	dcLook  [1 << dcLookBits]uint16 // see buildDC; 0: longer code

	acBuilt bool
	acSkip  *[1 << acLookBits]uint16 // see skip* constants; skipLongCode: longer code
	// Codes longer than the lookahead, one coefficient per entry (layout
	// of acSkip), indexed by the top 16 bits less acLongBase; 0: invalid
	// code. Empty when too many lookahead values start a long code: then
	// decodeSlow decodes them.
	acLong     []uint32
	acLongBase uint32

	gen uint32 // counts the definitions that changed the table
}

// define installs a table from a DHT segment body at p, returning the bytes
// used. Identical redefinitions keep the built lookups (encoders repeat the
// same tables in every file, and progressive files before every scan).
func (h *huffTable) define(p []byte) (int, error) {
	if len(p) < 16 {
		return 0, fmt.Errorf("%w: short DHT", ErrFormat)
	}
	var counts [maxCodeLen + 1]uint8
	total := 0
	for l := 1; l <= maxCodeLen; l++ {
		counts[l] = p[l-1]
		total += int(p[l-1])
	}
	if total > 256 || len(p) < 16+total {
		return 0, fmt.Errorf("%w: bad DHT length", ErrFormat)
	}
	vals := p[16 : 16+total]
	if h.valid && counts == h.counts && total == h.nvals && string(vals) == string(h.vals[:total]) {
		h.defined = true
		return 16 + total, nil
	}
	h.valid = false
	// Canonical code assignment (T.81 Annex C); a table whose codes overflow
	// their length is invalid.
	code, k := int32(0), int32(0)
	for l := 1; l <= maxCodeLen; l++ {
		c := int32(counts[l])
		h.valptr[l] = k
		h.mincode[l] = code
		code += c
		k += c
		if c == 0 {
			h.maxcode[l] = -1
		} else {
			h.maxcode[l] = code - 1
		}
		if code > 1<<l {
			return 0, fmt.Errorf("%w: bad Huffman table", ErrFormat)
		}
		code <<= 1
	}
	h.maxcode[maxCodeLen+1] = 1 << 30 // sentinel
	h.counts = counts
	h.nvals = total
	copy(h.vals[:], vals)
	h.defined, h.valid = true, true
	h.dcBuilt = false
	h.acBuilt = false
	h.gen++
	return 16 + total, nil
}

// codeOf returns the code of symbol sym and its length, or ok false when
// the table has no such symbol.
func (h *huffTable) codeOf(sym uint8) (code uint32, l int, ok bool) {
	k := 0
	for l = 1; l <= maxCodeLen; l++ {
		for range int(h.counts[l]) {
			if h.vals[k] == sym {
				return code, l, true
			}
			code, k = code+1, k+1
		}
		code <<= 1
	}
	return 0, 0, false
}

// blankBits is the lookahead of the blank-block table: 12 bits hold the
// DC difference and end of block of a blank block (6 bits with the
// standard tables for a difference of 0, 10 up to ±7), or of two blank
// blocks of difference 0 (12 bits).
const blankBits = 12

// blankTable decodes, in one lookup, one or two blocks of a sequential
// scan that have a DC difference and no AC coefficient (blank paper, 60% of
// the blocks of a manga page), or of a progressive DC scan: for the blankBits at the top of the bit
// buffer, the bits of a blank block's DC code, magnitude bits and end of
// block (low four bits), the bits of the pair when a second blank block of
// difference 0 follows (next four bits, 0 if not) and the first block's
// difference (high byte, as an int8); 0 when those bits start anything
// else.
type blankTable struct {
	dc, ac       *huffTable
	dcGen, acGen uint32 // generations of dc and ac the table was built for
	look         [1 << blankBits]uint16
}

// blankFor returns the blank-block table of the DC table dc and the AC
// table ac, building it if the last one built was for other tables.
//
// Without an AC table (ac nil: progressive DC scans), a block is its DC
// difference alone, and the table decodes small ones.
func (t *blankTable) blankFor(dc, ac *huffTable) *[1 << blankBits]uint16 {
	var acGen uint32
	if ac != nil {
		acGen = ac.gen
	}
	if t.dc == dc && t.ac == ac && t.dcGen == dc.gen && t.acGen == acGen {
		return &t.look
	}
	t.dc, t.ac, t.dcGen, t.acGen = dc, ac, dc.gen, acGen
	clear(t.look[:])
	eob, le, ok := uint32(0), 0, true // no AC: no end of block
	if ac != nil {
		eob, le, ok = ac.codeOf(0x00)
	}
	if !ok || le >= blankBits {
		return &t.look
	}
	const mask = 1<<blankBits - 1
	// blank returns the bits of a blank block at the top of the
	// blankBits-bit value v, and its DC entry, or 0.
	blank := func(v uint32) (int, uint16) {
		e := dc.dcLook[v>>(blankBits-dcLookBits)]
		s, l := uint(e&0xff), int(e>>8) // l: code and magnitude bits
		if e == 0 || s > 7 || l+le > blankBits || v>>(blankBits-l-le)&(1<<le-1) != eob {
			return 0, 0
		}
		return l + le, e
	}
	for v := range uint32(1 << blankBits) {
		r, e := blank(v)
		if r == 0 {
			continue
		}
		diff := dcDiff(uint64(v)<<(64-blankBits), e)
		x := uint16(r) | uint16(uint8(int8(diff)))<<8
		// A second blank block of difference 0 within the bits left (the
		// low bits of v<<r are zeros, beyond them).
		if r2, e2 := blank(v << r & mask); r2 != 0 && r+r2 <= blankBits && e2&0xff == 0 {
			x |= uint16(r+r2) << 4
		}
		t.look[v] = x
	}
	return &t.look
}

// fillLook fills a lookahead table of the given width with length<<8|symbol
// for every code no longer than the width.
func (h *huffTable) fillLook(look []uint16, bits int) {
	clear(look)
	code, k := 0, 0
	for l := 1; l <= bits; l++ {
		for i := 0; i < int(h.counts[l]); i++ {
			e := uint16(l)<<8 | uint16(h.vals[k])
			lo := code << (bits - l)
			hi := (code + 1) << (bits - l)
			for j := lo; j < hi; j++ {
				look[j] = e
			}
			code++
			k++
		}
		code <<= 1
	}
}

// buildDC builds dcLook: (code length + size)<<8 | size, the bits a DC
// difference takes and how many of them are magnitude bits.
func (h *huffTable) buildDC() {
	h.fillLook(h.dcLook[:], dcLookBits)
	for i, e := range h.dcLook {
		if s := e & 0xff; s > 15 { // impossible magnitude: let the slow path report it
			h.dcLook[i] = 0
		} else if e != 0 {
			h.dcLook[i] = e + s<<8
		}
	}
	h.dcBuilt = true
}

// skipStep returns the bits consumed and positions advanced by the AC symbol
// sym with a code of length l, and whether it ends the block.
func skipStep(sym uint8, l int) (bits, adv int, eob bool) {
	r, s := int(sym>>4), int(sym&15)
	switch {
	case s != 0:
		return l + s, r + 1, false
	case r == 15: // ZRL: sixteen zeros
		return l, 16, false
	default:
		// EOB (other runs with size 0 only occur in progressive AC scans).
		// It counts one position: an EOB can only follow a coefficient
		// before position 63, since a block that reaches 63 has none.
		return l, 1, true
	}
}

// acCode is an AC code that fits in the skip table's lookahead.
type acCode struct {
	code   uint32
	l      int  // code length
	bits   int  // code length + magnitude bits
	adv    int  // positions advanced (see skipStep)
	eob    bool // end of block
	packed uint32
}

func skipEntry(bits, adv int, eob bool) uint32 {
	e := uint32(bits) | uint32(adv)<<skipAdvShift
	if eob {
		e |= skipEOB
	}
	return e
}

// buildAC builds the skip table, allocated on first use: DC-only and
// progressive decodes never need one. It walks the tree of code sequences
// instead of decoding every lookahead value: each entry is written once per
// coefficient of its pack, which matters since optimised files bring new
// tables with every image.
func (h *huffTable) buildAC() {
	const n = acLookBits
	if h.acSkip == nil {
		h.acSkip = new([1 << n]uint16)
	}
	skip := h.acSkip
	for i := range skip {
		skip[i] = skipLongCode // the first code is longer than n bits
	}
	var codes [256]acCode
	nc, code, k := 0, uint32(0), 0
	for l := 1; l <= n; l++ {
		for range int(h.counts[l]) {
			b, a, x := skipStep(h.vals[k], l)
			codes[nc] = acCode{code: code, l: l, bits: b, adv: a, eob: x, packed: skipEntry(b, a, x)}
			nc, code, k = nc+1, code+1, k+1
		}
		code <<= 1
	}
	h.buildLong(code >> 1)
	cs := codes[:nc]
	for i := range cs {
		c := &cs[i]
		lo := int(c.code) << (n - c.l)
		for j := lo; j < lo+1<<(n-c.l); j++ {
			skip[j] = uint16(c.packed)
		}
		if !c.eob && c.bits < n {
			for v := range 1 << (c.bits - c.l) {
				h.extendPack(cs, c.bits, lo+v<<(n-c.bits), c.adv)
			}
		}
	}
	h.acBuilt = true
}

// buildLong builds acLong for the codes longer than the lookahead, whose
// lookahead values are first and above (canonical codes are ordered by
// length). Each entry is what decodeSlow and skipStep give for its 16 bits.
func (h *huffTable) buildLong(first uint32) {
	const n = acLookBits
	h.acLong = h.acLong[:0]
	h.acLongBase = first << (maxCodeLen - n)
	size := 1<<maxCodeLen - int(h.acLongBase)
	if size > maxLongEntries {
		return
	}
	if cap(h.acLong) < size {
		h.acLong = make([]uint32, 0, size)
	}
	for v := range uint64(size) {
		var e uint32
		if sym, l, ok := h.decodeSlow((uint64(h.acLongBase)+v)<<(64-maxCodeLen), n+1); ok {
			b, a, x := skipStep(sym, int(l))
			e = skipEntry(b, a, x)
			e |= e << skipOneShift
		}
		h.acLong = append(h.acLong, e)
	}
}

// extendPack extends the packs of the entries whose first p bits are the
// whole coefficients already packed (advancing adv positions): every code
// that fits in the remaining bits, within the block, joins the pack.
func (h *huffTable) extendPack(cs []acCode, p, lo, adv int) {
	const n = acLookBits
	skip := h.acSkip
	for i := range cs {
		c := &cs[i]
		if c.l > n-p {
			break // codes are sorted by length
		}
		a := adv + c.adv
		if a > 64 {
			continue
		}
		sub := lo + int(c.code)<<(n-p-c.l)
		np := p + c.bits
		pack := skipEntry(np, a, c.eob)
		for j := sub; j < sub+1<<(n-p-c.l); j++ {
			skip[j] = uint16(pack)
		}
		if !c.eob && np < n {
			for v := range 1 << (c.bits - c.l) {
				h.extendPack(cs, np, sub+v<<(n-np), a)
			}
		}
	}
}

// decodeSlow decodes one symbol canonically from the top of acc, for codes
// longer than minLen-1 bits (those a lookahead table did not resolve). ok is
// false for an invalid code.
func (h *huffTable) decodeSlow(acc uint64, minLen uint) (sym uint8, l uint, ok bool) {
	for l = minLen; l <= maxCodeLen; l++ {
		code := int32(acc >> (64 - l))
		if code <= h.maxcode[l] {
			if code < h.mincode[l] {
				// A shorter code the lookahead rejected (a DC size
				// over 15).
				return 0, 0, false
			}
			return h.vals[h.valptr[l]+code-h.mincode[l]], l, true
		}
	}
	return 0, 0, false
}
