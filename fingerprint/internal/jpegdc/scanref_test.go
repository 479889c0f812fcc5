package jpegdc

// The scan decoder as it was before the changes measured against it
// (TestScanMatchesRef, BenchmarkScan): scanRef and what it calls, with Ref
// names; everything else is shared.

import (
	"fmt"
	"image"
)

// decodeRef is Decoder.Decode with the reference scan decoder.
func (d *Decoder) decodeRef(data []byte, dst *image.Gray) (*image.Gray, Config, error) {
	err := d.parseWith(data, false, (*Decoder).scanRef)
	d.data = nil
	if err != nil {
		return nil, d.cfg, err
	}
	return d.finishRef(dst), d.cfg, nil
}

func (d *Decoder) scanRef(seg []byte, pos int) (int, bool, error) {
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
		for y := 0; y < v; y++ {
			for x := 0; x < h; x++ {
				d.blocks[nb] = mcuBlock{dc: dc, ac: ac, luma: scomp[i] == 0, off: y*d.coefW + x}
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
			err = d.decodeRefineRef(&g, start, min(start+interval, total), d.rst[k], d.rst[k+1])
		} else {
			err = d.decodeDCRef(&g, start, min(start+interval, total), d.rst[k], d.rst[k+1])
		}
		if err != nil {
			return 0, false, err
		}
	}
	d.yStarted = true
	d.yAl = int(al)
	return end, !progressive || al == 0, nil
}

func (d *Decoder) decodeDCRef(g *scanGeom, start, end, from, to int) error {
	if len(g.blocks) == 1 {
		return d.decodeLumaRef(g, start, end, from, to)
	}
	var acc uint64
	var n uint
	var pred int32
	pos := from
	buf := d.buf
	lim := len(buf) - 8
	if lim < 0 {
		return errCorrupt // cannot happen: see unstuff
	}
	coef := d.coef
	blocks, al, withAC := g.blocks, g.al&31, g.withAC
	mx, my := start%g.mcusX, start/g.mcusX
	base := my*g.stepY + mx*g.stepX // coef index of the MCU's first luma block
	// As in decodeLuma, the tables are indexed before the refill.
	acc, n, pos = refill(buf, lim, acc, n, pos)
	for m := start; m < end; m++ {
		for i := range blocks {
			b := &blocks[i]
			e := b.dc.dcLook[acc>>(64-dcLookBits)]
			acc, n, pos = refill(buf, lim, acc, n, pos)
			if e == 0 {
				if e = b.dc.dcSlow(acc); e == 0 {
					return errCorrupt
				}
			}
			if b.luma {
				pred += dcDiff(acc, e)
				coef[base+b.off] = pred << al
			}
			acc <<= e >> 8 & 63
			n -= uint(e >> 8)
			if withAC {
				// Most chroma blocks, and blank luma ones, are an end
				// of block alone.
				if e := b.ac.acSkip[acc>>(64-acLookBits)]; e>>skipAdvShift == skipEOB>>skipAdvShift|1 {
					acc <<= e & skipBitsMask
					n -= uint(e & skipBitsMask)
					continue
				}
				var ok bool
				if acc, n, pos, ok = b.ac.skipBlockRef(buf, acc, n, pos, 1); !ok {
					return errCorrupt
				}
			}
		}
		base += g.stepX
		if mx++; mx == g.mcusX {
			mx = 0
			my++
			base = my * g.stepY
			// Once a row, stop early on data read past its end.
			if overread(pos, n, to) {
				return errCorrupt
			}
		}
	}
	if overread(pos, n, to) {
		return errCorrupt
	}
	return nil
}

// noBlank is the blank-block table of scans without AC coefficients: it
// matches nothing.
var noBlank [1 << blankBits]uint16

func (d *Decoder) decodeLumaRef(g *scanGeom, start, end, from, to int) error {
	var acc uint64
	var n uint
	var pred int32
	pos := from
	buf := d.buf
	lim := len(buf) - 8
	if lim < 0 {
		return errCorrupt // cannot happen: see unstuff
	}
	coef := d.coef
	dc, ac, al, withAC := g.blocks[0].dc, g.blocks[0].ac, g.al&31, g.withAC
	var skip *[1 << acLookBits]uint16
	blank := &noBlank
	if withAC {
		skip = ac.acSkip
		blank = d.blank.blankFor(dc, ac)
	}
	mx, my := start%g.mcusX, start/g.mcusX
	i := my*g.stepY + mx // coef index of the block
	// The loop keeps at least blankBits bits buffered at its top, so that
	// the lookups can index their tables before the refill.
	acc, n, pos = refill(buf, lim, acc, n, pos)
	for m := start; m < end; m++ {
		b := blank[acc>>(64-blankBits)]
		e := dc.dcLook[acc>>(64-dcLookBits)]
		acc, n, pos = refill(buf, lim, acc, n, pos)
		if b != 0 {
			// A blank block, in one lookup.
			pred += int32(int8(b >> 8))
			coef[i] = pred << al
			if b&0xf0 != 0 && mx+1 < g.mcusX && m+1 < end {
				// And a second one, difference 0, in the same row.
				i, mx, m = i+1, mx+1, m+1
				coef[i] = pred << al
				acc <<= b >> 4 & 15
				n -= uint(b >> 4 & 15)
			} else {
				acc <<= b & 15
				n -= uint(b & 15)
			}
		} else {
			if e == 0 {
				if e = dc.dcSlow(acc); e == 0 {
					return errCorrupt
				}
			}
			pred += dcDiff(acc, e)
			coef[i] = pred << al
			acc <<= e >> 8 & 63
			n -= uint(e >> 8)
		}
		if withAC && b == 0 {
			// A block that is its end of block alone (blank paper) needs
			// no call: the ≥ 25 bits left after the DC hold the code.
			if e := skip[acc>>(64-acLookBits)]; e>>skipAdvShift == skipEOB>>skipAdvShift|1 {
				acc <<= e & skipBitsMask
				n -= uint(e & skipBitsMask)
			} else {
				var ok bool
				if acc, n, pos, ok = ac.skipBlockRef(buf, acc, n, pos, 1); !ok {
					return errCorrupt
				}
			}
		}
		i++
		if mx++; mx == g.mcusX {
			mx = 0
			my++
			i = my * g.stepY
			if overread(pos, n, to) {
				return errCorrupt
			}
		}
	}
	if overread(pos, n, to) {
		return errCorrupt
	}
	return nil
}

func (h *huffTable) skipBlockRef(buf []byte, acc uint64, n uint, pos int, k uint32) (_ uint64, _ uint, _ int, ok bool) {
	skip := h.acSkip[:]
	lim := len(buf) - 8
	if lim < 0 {
		return acc, n, pos, false // cannot happen: see unstuff
	}
	for {
		e := skip[acc>>(64-acLookBits)]
		acc, n, pos = refill(buf, lim, acc, n, pos)
		a := k + uint32(e>>skipAdvShift)
		if a < 64 {
			acc, n, k = acc<<(e&skipBitsMask), n-uint(e&skipBitsMask), a
			continue
		}
		switch {
		case e == skipLongCode:
			// One coefficient of up to 31 bits.
			e := h.skipLong(acc)
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

func (d *Decoder) decodeRefineRef(g *scanGeom, start, end, from, to int) error {
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
	mx, my := start%g.mcusX, start/g.mcusX
	base := my*g.stepY + mx*g.stepX
	for m := start; m < end; m++ {
		if n < maxBlocksPerMCU {
			acc, n, pos = refill(buf, lim, acc, n, pos)
		}
		for i := range g.blocks {
			b := &g.blocks[i]
			bit := int32(acc >> 63)
			acc <<= 1
			n--
			if b.luma {
				coef[base+b.off] |= bit << al
			}
		}
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

func (d *Decoder) finishRef(dst *image.Gray) *image.Gray {
	w, h := d.outW, d.outH
	if dst == nil || cap(dst.Pix) < w*h {
		dst = image.NewGray(image.Rect(0, 0, w, h))
	} else {
		dst.Pix, dst.Stride, dst.Rect = dst.Pix[:w*h], w, image.Rect(0, 0, w, h)
	}
	q := int64(d.yq)
	bias := int64(0)
	if d.yAl > 0 {
		// Refinement scans never came: take the middle of the interval
		// the missing low bits leave open.
		bias = 1 << (d.yAl - 1)
	}
	for y := range h {
		coef := d.coef[y*d.coefW:][:w]
		pix := dst.Pix[y*w:][:len(coef)]
		for i, c := range coef {
			// The DC-only IDCT is DC·q/8 in every pixel, level-shifted
			// by 128.
			v := ((int64(c)+bias)*q+4)>>3 + 128
			pix[i] = uint8(min(max(v, 0), 255))
		}
	}
	return dst
}
