package jpegdc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
)

// mcuBlock describes one block of an MCU in the scan being decoded.
type mcuBlock struct {
	dc, ac *huffTable
	blank  *[1 << blankBits]uint16 // interleaved scans but refinements
	luma   bool
	off    int // a luma block's offset in d.coef from its MCU's first block
}

var errCorrupt = fmt.Errorf("%w: corrupt entropy-coded data", ErrFormat)

// scan handles one SOS whose header is seg and whose entropy-coded data
// starts at pos. It returns where parsing resumes and whether the luma DC is
// complete.
func (d *Decoder) scan(seg []byte, pos int) (int, bool, error) {
	if len(seg) < 1 {
		return 0, false, fmt.Errorf("%w: short SOS", ErrFormat)
	}
	ns := int(seg[0])
	if ns < 1 || ns > d.nComp || len(seg) != 4+2*ns {
		return 0, false, fmt.Errorf("%w: bad SOS length", ErrFormat)
	}
	ss, se := seg[1+2*ns], seg[2+2*ns]
	ah, al := uint(seg[3+2*ns]>>4), uint(seg[3+2*ns]&15)

	var inScan [maxComponents]bool
	var scomp [maxComponents]int
	var td, ta [maxComponents]uint8
	luma := false
	for i := 0; i < ns; i++ {
		id := seg[1+2*i]
		ci := 0
		for ci < d.nComp && d.comps[ci].id != id {
			ci++
		}
		if ci == d.nComp || inScan[ci] {
			return 0, false, fmt.Errorf("%w: bad SOS component", ErrFormat)
		}
		inScan[ci] = true
		scomp[i] = ci
		td[i], ta[i] = seg[2+2*i]>>4, seg[2+2*i]&15
		if td[i] > 3 || ta[i] > 3 {
			return 0, false, fmt.Errorf("%w: bad SOS table", ErrFormat)
		}
		luma = luma || ci == 0
	}

	progressive := d.cfg.Progressive
	if progressive {
		if ss == 0 && se != 0 || ss > se || se > 63 || al > 13 {
			return 0, false, fmt.Errorf("%w: bad progressive scan parameters", ErrFormat)
		}
		refine := ah != 0
		if ss != 0 || !luma || refine && (!d.yStarted || ah != uint(d.yAl) || al != ah-1) {
			// AC, chroma-only or out-of-sequence refinement: skip.
			return skipEntropy(d.data, pos), false, nil
		}
		if !refine && d.yStarted {
			return 0, false, fmt.Errorf("%w: second luma DC scan", ErrFormat)
		}
	} else if !luma {
		return skipEntropy(d.data, pos), false, nil
	}

	// Set up the MCU.
	nb := 0
	mcusX, mcusY := d.outW, d.outH
	if ns > 1 {
		mcusX = (d.cfg.Width + 8*d.hmax - 1) / (8 * d.hmax)
		mcusY = (d.cfg.Height + 8*d.vmax - 1) / (8 * d.vmax)
	}
	refine := progressive && ah != 0
	lumaH, lumaV := 1, 1
	for i := 0; i < ns; i++ {
		c := &d.comps[scomp[i]]
		dc, ac := &d.dc[td[i]], &d.ac[ta[i]]
		if !refine {
			if !dc.defined || !progressive && !ac.defined {
				return 0, false, fmt.Errorf("%w: undefined Huffman table", ErrFormat)
			}
			if !dc.dcBuilt {
				dc.buildDC()
			}
			if !progressive && !ac.acBuilt {
				ac.buildAC()
			}
		}
		h, v := c.h, c.v
		if ns == 1 {
			h, v = 1, 1
		}
		if nb+h*v > maxBlocksPerMCU {
			return 0, false, fmt.Errorf("%w: too many blocks per MCU", ErrFormat)
		}
		if scomp[i] == 0 {
			lumaH, lumaV = h, v
		}
		var blank *[1 << blankBits]uint16
		if ns > 1 && !refine {
			if progressive {
				ac = nil // DC scan: no end of block
			}
			blank = d.blankOf(i, td[:i], ta[:i], dc, ac)
		}
		for y := 0; y < v; y++ {
			for x := 0; x < h; x++ {
				d.blocks[nb] = mcuBlock{dc: dc, ac: ac, blank: blank, luma: scomp[i] == 0, off: y*d.coefW + x}
				nb++
			}
		}
	}

	if !d.yStarted {
		tq := d.comps[0].tq
		if !d.qdef[tq] {
			return 0, false, fmt.Errorf("%w: undefined quantisation table", ErrFormat)
		}
		d.yq = d.qdc[tq]
		n := d.coefW * d.coefH
		if cap(d.coef) < n {
			d.coef = make([]int32, n)
		}
		d.coef = d.coef[:n]
		clear(d.coef)
	}

	g := scanGeom{blocks: d.blocks[:nb], mcusX: mcusX, withAC: !progressive, al: al, stepX: lumaH, stepY: lumaV * d.coefW}
	total := mcusX * mcusY
	interval := d.ri
	if interval == 0 {
		interval = total
	}
	end := d.unstuff(pos)
	// Each restart interval starts byte-aligned with an empty bit buffer and
	// zero DC predictions, so it is decoded as a unit.
	for k, start := 0, 0; start < total; k, start = k+1, start+interval {
		if k >= len(d.rst)-1 {
			return 0, false, fmt.Errorf("%w: missing RST marker", ErrFormat)
		}
		var err error
		if refine {
			err = d.decodeRefine(&g, start, min(start+interval, total), d.rst[k], d.rst[k+1])
		} else {
			err = d.decodeDC(&g, start, min(start+interval, total), d.rst[k], d.rst[k+1])
		}
		if err != nil {
			return 0, false, err
		}
	}
	d.yStarted = true
	d.yAl = int(al)
	return end, !progressive || al == 0, nil
}

// blankOf returns the blank-block table of the i-th component of an
// interleaved scan, whose tables are dc and ac (nil in a DC scan): that
// of an earlier component with the same tables (td, ta), or its own.
func (d *Decoder) blankOf(i int, td, ta []uint8, dc, ac *huffTable) *[1 << blankBits]uint16 {
	for j := range td {
		if &d.dc[td[j]] == dc && (ac == nil || &d.ac[ta[j]] == ac) {
			return d.blanks[j].blankFor(dc, ac)
		}
	}
	if d.blanks[i] == nil {
		d.blanks[i] = new(blankTable)
	}
	return d.blanks[i].blankFor(dc, ac)
}

// unstuff copies the entropy-coded data at pos into d.buf without its
// stuffed zero bytes, records in d.rst where each restart interval starts
// (and, last, where the data ends), and returns the position of the marker
// that ends the scan. d.buf is followed by 8 zero bytes, so that the bit
// reader can always load 8 bytes while real data remains, and blockSlack
// more (see there).
func (d *Decoder) unstuff(pos int) int {
	data := d.data
	// The scan cannot be longer than the rest of the data: one allocation
	// at most, reused by later scans and decodes. Eight bytes are copied at
	// a time, hence the slack.
	buf := slices.Grow(d.buf[:0], len(data)-pos+16+blockSlack)
	buf = buf[:cap(buf)]
	rst := append(d.rst[:0], 0)
	w := 0
	for {
		// Copy eight bytes at a time up to the next 0xFF. 0xFF is
		// frequent (one byte in 50 on dense pages), too frequent for a
		// call to bytes.IndexByte and copy per run.
		for pos >= 0 && pos <= len(data)-8 {
			x := binary.LittleEndian.Uint64(data[pos:])
			binary.LittleEndian.PutUint64(buf[w:w+8], x)
			// High bit of each byte of x that is 0xFF; exact for the
			// lowest such byte, which is all that is used.
			ff := (^x - 0x0101010101010101) & x & 0x8080808080808080
			if ff == 0 {
				pos, w = pos+8, w+8
				continue
			}
			i := bits.TrailingZeros64(ff) >> 3
			pos, w = pos+i, w+i
			break
		}
		for pos < len(data) && data[pos] != 0xFF {
			buf[w] = data[pos]
			pos, w = pos+1, w+1
		}
		if pos+1 >= len(data) {
			pos = len(data)
			break
		}
		// data[pos] is 0xFF.
		m := data[pos+1]
		if m == 0 {
			buf[w] = 0xFF
			pos, w = pos+2, w+1
			continue
		}
		if m == 0xFF { // fill byte
			pos++
			continue
		}
		if m >= mRST0 && m <= mRST7 {
			rst = append(rst, w)
			pos += 2
			continue
		}
		break
	}
	rst = append(rst, w)
	clear(buf[w : w+8+blockSlack])
	d.buf, d.rst = buf[:w+8+blockSlack], rst
	return pos
}

// skipEntropy returns the position of the first marker at or after pos that
// ends entropy-coded data (not a stuffed 0xFF00 or an RSTn), or len(data).
func skipEntropy(data []byte, pos int) int {
	for {
		i := bytes.IndexByte(data[pos:], 0xFF)
		if i < 0 || pos+i+1 >= len(data) {
			return len(data)
		}
		pos += i
		switch m := data[pos+1]; {
		case m == 0 || m >= mRST0 && m <= mRST7:
			pos += 2
		case m == 0xFF:
			pos++
		default:
			return pos
		}
	}
}

// refill tops the bit buffer up to at least 56 bits from buf, the unstuffed
// data followed by 8 zero bytes; lim is len(buf)-8, checked non-negative by
// the caller so that the load needs no bounds check. Past the end it feeds
// zero bits, loading the 8 zero bytes at lim (pos keeps counting, so that
// overread can tell).
func refill(buf []byte, lim int, acc uint64, n uint, pos int) (uint64, uint, int) {
	if p := min(pos, lim); p >= 0 {
		acc |= binary.BigEndian.Uint64(buf[p:]) >> (n & 63)
	}
	return acc, n | 56, pos + int((63-n)>>3)
}

// overread reports whether the bits consumed, up to byte pos less the n
// still buffered, run past byte end.
func overread(pos int, n uint, end int) bool {
	return pos*8-int(n) > end*8
}

// skipLong returns the skip entry of an AC code longer than the skip table's
// lookahead at the top of acc (one coefficient, in both halves), or 0 for an
// invalid code; acc must hold at least 31 bits.
func (h *huffTable) skipLong(acc uint64) uint32 {
	if e, ok := h.longEntry(acc); ok {
		return e
	}
	if len(h.acLong) != 0 {
		return 0 // below the long codes: cannot happen after a skip miss
	}
	sym, l, ok := h.decodeSlow(acc, acLookBits+1)
	if !ok {
		return 0
	}
	bits, a, eob := skipStep(sym, int(l))
	e := skipEntry(bits, a, eob)
	return e | e<<skipOneShift
}

// longEntry is skipLong's entry from acLong, small enough to inline: a
// long code (3% of the lookups on dense pages) then costs skipBlock no
// call. ok is false when acLong does not hold it.
func (h *huffTable) longEntry(acc uint64) (_ uint32, ok bool) {
	if i := uint(acc>>(64-maxCodeLen)) - uint(h.acLongBase); i < uint(len(h.acLong)) {
		return h.acLong[i], true
	}
	return 0, false
}

// blockSlack is the number of zero bytes after the data (and the 8 that
// refill loads at its end) that lets a block's refills load without
// clamping their position. A block that starts at most blockSlack/2 bytes
// past the end loads within them: a block takes at most 64 lookups (each
// advances the position in the block) and a refill moves the position by
// at most 7 bytes. One that starts further past the end has consumed bits
// beyond the end of its restart interval, which fails the interval's
// overread test anyway: it fails at once (all failures are errCorrupt).
const blockSlack = 1024

// pastEnd reports whether a block starting at byte pos of buf (unstuffed
// data and its padding) is past the end by more than blockSlack/2 bytes,
// and so corrupt; otherwise the block's loads stay within buf.
func pastEnd(buf []byte, pos int) bool {
	return uint(pos) > uint(len(buf)-8-blockSlack/2)
}

// skipBlock skips the AC coefficients of one block from position k, several
// per lookup. acc must hold at least acLookBits bits: each lookup indexes
// the table with the bits already buffered, and the refill that follows
// (to ≥ 56 bits, of which a lookup consumes at most 28) runs while the
// table is read, off the chain of dependent lookups. A lookup that keeps
// the position inside the block takes one test; the end of the block, a
// pack that would run past it and a code longer than the lookahead take
// the slow path. ok is false for an invalid code or a block past the end
// (see blockSlack). A function of its own (a call per block), so that its
// loop has the registers to itself.
func (h *huffTable) skipBlock(buf []byte, acc uint64, n uint, pos int, k uint32) (_ uint64, _ uint, _ int, ok bool) {
	skip := h.acSkip[:]
	if pastEnd(buf, pos) {
		return acc, n, pos, false
	}
	for {
		// The lookups that stay inside the block, in a loop of their
		// own: fewer register moves per lookup.
		var e uint32
		for {
			e = uint32(skip[acc>>(64-acLookBits)])
			// refill, without the clamp (see blockSlack); written
			// out, the loop compiles to fewer instructions.
			acc |= binary.BigEndian.Uint64(buf[pos:pos+8]) >> (n & 63)
			pos += 7 - int(n>>3)
			n |= 56
			if k+e>>skipAdvShift >= 64 {
				break
			}
			acc <<= e & skipBitsMask
			n -= uint(e & skipBitsMask)
			k += e >> skipAdvShift
		}
		a := k + e>>skipAdvShift
		switch {
		case e == skipLongCode:
			// One coefficient of up to 31 bits.
			e, ok := h.longEntry(acc)
			if !ok {
				e = h.skipLong(acc)
			}
			if e == 0 {
				return acc, n, pos, false
			}
			acc, n, k = skipAC(e, acc, n, k)
		case a&skipAdvMask > 64:
			// The pack runs past the end of the block: its first
			// coefficient alone (a valid code no longer than the
			// lookahead).
			sym, l, _ := h.decodeSlow(acc, 1)
			bits, adv, _ := skipStep(sym, int(l))
			acc, n, k = acc<<bits, n-uint(bits), k+uint32(adv)
		default:
			acc, n, k = acc<<(e&skipBitsMask), n-uint(e&skipBitsMask), a
		}
		if k >= 64 {
			return acc, n, pos, true
		}
	}
}

// skipAC consumes the pack of skip entry e from acc (n bits) at block
// position k, or its first coefficient alone if the pack would run past the
// end of the block. The position it returns is 64 or more once the block
// has ended: an end of block adds 128.
func skipAC(e uint32, acc uint64, n uint, k uint32) (uint64, uint, uint32) {
	a := e >> skipAdvShift & skipStepMask
	if k+a >= 64 && k+a&skipAdvMask > 64 {
		e >>= skipOneShift
		a = e >> skipAdvShift & skipStepMask
	}
	return acc << (e & skipBitsMask), n - uint(e&skipBitsMask), k + a
}

// scanGeom is the MCU layout of the scan being decoded.
type scanGeom struct {
	blocks []mcuBlock
	mcusX  int
	withAC bool // sequential scan: skip AC coefficients after each DC
	al     uint // successive-approximation shift
	// Step in d.coef from one MCU's first luma block to the next one's,
	// along a row and down a row of MCUs.
	stepX, stepY int
}

// decodeDC decodes MCUs [start, end) of a sequential scan or a progressive
// DC first scan from d.buf[from:to], storing luma DC values (shifted left by
// al) in d.coef, a row of MCUs at a time in scanGeom.mcus.
func (d *Decoder) decodeDC(g *scanGeom, start, end, from, to int) error {
	if len(g.blocks) == 1 {
		return d.decodeLuma(g, start, end, from, to)
	}
	buf := d.buf
	lim := len(buf) - 8
	if lim < 0 {
		return errCorrupt // cannot happen: see unstuff
	}
	var pred int32
	mx, my := start%g.mcusX, start/g.mcusX
	// As in decodeLuma, the tables are indexed before the refill.
	s := bitState{}
	s.acc, s.n, s.pos = refill(buf, lim, 0, 0, from)
	for m := start; m < end; {
		// The rest of the row of MCUs, or of the interval.
		count := min(g.mcusX-mx, end-m)
		base := my*g.stepY + mx*g.stepX // coef index of the MCU's first luma block
		m += count
		mx, my = 0, my+1
		var ok bool
		if s, pred, ok = g.mcus(d.coef, base, count, buf, s, pred); !ok {
			return errCorrupt
		}
		// Once a row, stop early on data read past its end.
		if overread(s.pos, s.n, to) {
			return errCorrupt
		}
	}
	return nil
}

// mcus decodes count MCUs of an interleaved scan, the first one's luma
// blocks at coef[base+off], with DC prediction pred. ok is false for an
// invalid code.
func (g *scanGeom) mcus(coef []int32, base, count int, buf []byte, s bitState, pred int32) (_ bitState, _ int32, ok bool) {
	lim := len(buf) - 8
	if lim < 0 {
		return s, pred, false // cannot happen: see unstuff
	}
	acc, n, pos := s.acc, s.n, s.pos
	blocks, al, withAC := g.blocks, g.al&31, g.withAC
	for ; count > 0; count-- {
		for i := range blocks {
			b := &blocks[i]
			x := b.blank[acc>>(64-blankBits)]
			e := b.dc.dcLook[acc>>(64-dcLookBits)]
			acc, n, pos = refill(buf, lim, acc, n, pos)
			if x != 0 {
				// A blank block (most chroma ones), in one lookup.
				if b.luma {
					pred += int32(int8(x >> 8))
					coef[base+b.off] = pred << al
				}
				acc <<= x & 15
				n -= uint(x & 15)
				continue
			}
			if e == 0 {
				if e = b.dc.dcSlow(acc); e == 0 {
					return s, pred, false
				}
			}
			if b.luma {
				pred += dcDiff(acc, e)
				coef[base+b.off] = pred << al
			}
			acc <<= e >> 8 & 63
			n -= uint(e >> 8)
			if !withAC {
				continue
			}
			// Blocks of large DC differences may still be an end of
			// block alone.
			if e := b.ac.acSkip[acc>>(64-acLookBits)]; e>>skipAdvShift == skipEOB>>skipAdvShift|1 {
				acc <<= e & skipBitsMask
				n -= uint(e & skipBitsMask)
			} else if acc, n, pos, ok = b.ac.skipBlock(buf, acc, n, pos, 1); !ok {
				return s, pred, false
			}
		}
		base += g.stepX
	}
	return bitState{acc, n, pos}, pred, true
}

// decodeLuma is decodeDC for scans of one block per MCU, the luma alone
// (greyscale files, progressive DC scans, non-interleaved scans). Without
// the loop over the MCU's blocks, and a row at a time in lumaTables.row,
// the loop over the blocks keeps more of its state in registers.
func (d *Decoder) decodeLuma(g *scanGeom, start, end, from, to int) error {
	buf := d.buf
	lim := len(buf) - 8
	if lim < 0 {
		return errCorrupt // cannot happen: see unstuff
	}
	t := lumaTables{dc: g.blocks[0].dc}
	if g.withAC {
		t.ac = g.blocks[0].ac
	}
	t.blank = d.blank.blankFor(t.dc, t.ac)
	al := g.al & 31
	var pred int32
	mx, my := start%g.mcusX, start/g.mcusX
	// The loop keeps at least blankBits bits buffered at its top, so that
	// the lookups can index their tables before the refill.
	s := bitState{pos: from}
	s.acc, s.n, s.pos = refill(buf, lim, 0, 0, from)
	for m := start; m < end; {
		// The rest of the row, or of the interval (g.stepX is 1).
		row := d.coef[my*g.stepY+mx:][:min(g.mcusX-mx, end-m)]
		m += len(row)
		mx, my = 0, my+1
		var ok bool
		if s, pred, ok = t.row(row, buf, s, pred); !ok {
			return errCorrupt
		}
		if al != 0 {
			// Stored unshifted by row: one variable fewer in its loop.
			for j := range row {
				row[j] <<= al
			}
		}
		// Once a row, stop early on data read past its end.
		if overread(s.pos, s.n, to) {
			return errCorrupt
		}
	}
	return nil
}

// bitState is the bit reader's state between calls: acc holds n bits, the
// data up to byte pos.
type bitState struct {
	acc uint64
	n   uint
	pos int
}

// lumaTables are the tables of a luma-only scan; ac is nil without AC
// coefficients (progressive DC scans), and blank then decodes small DC
// differences alone.
type lumaTables struct {
	dc, ac *huffTable
	blank  *[1 << blankBits]uint16
}

// row decodes the DC values of consecutive blocks into row, with DC
// prediction pred, unshifted. ok is false for an invalid code.
func (t *lumaTables) row(row []int32, buf []byte, s bitState, pred int32) (_ bitState, _ int32, ok bool) {
	lim := len(buf) - 8
	if lim < 0 {
		return s, pred, false // cannot happen: see unstuff
	}
	acc, n, pos := s.acc, s.n, s.pos
	blank, dc, ac := t.blank, t.dc, t.ac
	for j := 0; j < len(row); j++ {
		b := blank[acc>>(64-blankBits)]
		e := dc.dcLook[acc>>(64-dcLookBits)]
		acc, n, pos = refill(buf, lim, acc, n, pos)
		if b != 0 {
			// A blank block, in one lookup.
			pred += int32(int8(b >> 8))
			row[j] = pred
			if b&0xf0 != 0 && j+1 < len(row) {
				// And a second one, difference 0, in the same row.
				j++
				row[j] = pred
				acc <<= b >> 4 & 15
				n -= uint(b >> 4 & 15)
			} else {
				acc <<= b & 15
				n -= uint(b & 15)
			}
			continue
		}
		if e == 0 {
			if e = dc.dcSlow(acc); e == 0 {
				return s, pred, false
			}
		}
		pred += dcDiff(acc, e)
		row[j] = pred
		acc <<= e >> 8 & 63
		n -= uint(e >> 8)
		if ac == nil {
			continue
		}
		// A block that is its end of block alone (blank paper) needs
		// no call: the ≥ 25 bits left after the DC hold the code.
		if e := ac.acSkip[acc>>(64-acLookBits)]; e>>skipAdvShift == skipEOB>>skipAdvShift|1 {
			acc <<= e & skipBitsMask
			n -= uint(e & skipBitsMask)
		} else if acc, n, pos, ok = ac.skipBlock(buf, acc, n, pos, 1); !ok {
			return s, pred, false
		}
	}
	return bitState{acc, n, pos}, pred, true
}

// dcEntry returns the dcLook entry of the DC code at the top of acc (at
// least 31 bits), or 0 for an invalid code.
func (h *huffTable) dcEntry(acc uint64) uint16 {
	if e := h.dcLook[acc>>(64-dcLookBits)]; e != 0 {
		return e
	}
	return h.dcSlow(acc)
}

// dcDiff returns the DC difference whose code at the top of acc has the
// dcLook entry e: s = e&0xff magnitude bits after the code, to a signed
// value (T.81 F.2.2.1) without branches, the sign being unpredictable.
// With s = 0, v and half are 0 and so is the correction.
func dcDiff(acc uint64, e uint16) int32 {
	s, t := uint(e&0xff), uint(e>>8)
	v := int32(acc>>(64-t)) & (1<<s - 1)
	half := int32(1<<s) >> 1
	return v + (v-half)>>31&(1-1<<s)
}

// dcSlow is dcLook's entry for a code longer than its lookahead, or 0 for
// an invalid code or size.
func (h *huffTable) dcSlow(acc uint64) uint16 {
	sym, l, ok := h.decodeSlow(acc, dcLookBits+1)
	if !ok || sym > 15 {
		return 0
	}
	return uint16(l+uint(sym))<<8 | uint16(sym)
}

// decodeRefine applies MCUs [start, end) of a progressive DC refinement
// scan from d.buf[from:to]: one raw bit per block, bit al of the luma DC.
func (d *Decoder) decodeRefine(g *scanGeom, start, end, from, to int) error {
	if len(g.blocks) == 1 {
		return d.refineLuma(g, start, end, from, to)
	}
	var acc uint64
	var n uint
	pos := from
	buf := d.buf
	lim := len(buf) - 8
	if lim < 0 {
		return errCorrupt // cannot happen: see unstuff
	}
	coef := d.coef
	al := g.al & 31
	// Where each luma block's bit sits in an MCU's bits, and its offset:
	// the loop visits the luma blocks only.
	var lumaShift [maxBlocksPerMCU]uint
	var lumaOff [maxBlocksPerMCU]int
	nl := 0
	for i := range g.blocks {
		if g.blocks[i].luma {
			lumaShift[nl], lumaOff[nl] = uint(63-i), g.blocks[i].off
			nl++
		}
	}
	shifts, offs := lumaShift[:nl], lumaOff[:nl]
	nb := uint(len(g.blocks)) & 15 // ≤ maxBlocksPerMCU
	mx, my := start%g.mcusX, start/g.mcusX
	base := my*g.stepY + mx*g.stepX
	for m := start; m < end; m++ {
		if n < maxBlocksPerMCU {
			acc, n, pos = refill(buf, lim, acc, n, pos)
		}
		for j, s := range shifts {
			coef[base+offs[j]] |= int32(acc>>(s&63)&1) << al
		}
		acc <<= nb
		n -= nb
		base += g.stepX
		if mx++; mx == g.mcusX {
			mx, my = 0, my+1
			base = my * g.stepY
		}
	}
	if overread(pos, n, to) {
		return errCorrupt
	}
	return nil
}

// refineLuma is decodeRefine for scans of one block per MCU (the luma
// alone): the bits of a row's blocks are consecutive, so they are applied a
// row at a time, up to 56 per refill, in a loop of their own.
func (d *Decoder) refineLuma(g *scanGeom, start, end, from, to int) error {
	var acc uint64
	var n uint
	pos := from
	buf := d.buf
	lim := len(buf) - 8
	if lim < 0 {
		return errCorrupt // cannot happen: see unstuff
	}
	al := g.al & 31
	mx, my := start%g.mcusX, start/g.mcusX
	for m := start; m < end; {
		// The rest of the row, or of the interval (a block per MCU:
		// g.stepX is 1).
		row := d.coef[my*g.stepY+mx:][:min(g.mcusX-mx, end-m)]
		m += len(row)
		mx, my = 0, my+1
		for len(row) > 0 {
			acc, n, pos = refill(buf, lim, acc, n, pos)
			c := row[:min(len(row), int(n))]
			for i := range c {
				c[i] |= int32(acc>>63) << al
				acc <<= 1
			}
			n -= uint(len(c))
			row = row[len(c):]
		}
	}
	if overread(pos, n, to) {
		return errCorrupt
	}
	return nil
}
