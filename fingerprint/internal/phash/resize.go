package phash

import (
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
)

// resize reproduces nfnt's Bilinear resize of img to 64×64 along the path
// that nfnt takes for img's type, then goimagehash's grey conversion of the
// image type that path returns.
func (h *Hasher) resize(img image.Image, dx, dy int) error {
	switch p := img.(type) {
	case *image.YCbCr:
		return h.resizeYCbCr(p, dx, dy)
	case *image.Gray:
		if err := h.prepare(len(p.Pix), p.Stride, dx, dy, 1, false); err != nil {
			return err
		}
		h.plane8(&h.fx, &h.fy, p.Pix, p.Stride, dx, dy, 0)
		h.greyFrom8(1)
	case *image.RGBA:
		if err := h.prepare(len(p.Pix), p.Stride, dx, dy, 4, false); err != nil {
			return err
		}
		h.interleaved8(p.Pix, p.Stride, dx, dy, false)
		h.greyFrom8(3)
	case *image.NRGBA:
		if err := h.prepare(len(p.Pix), p.Stride, dx, dy, 4, false); err != nil {
			return err
		}
		h.interleaved8(p.Pix, p.Stride, dx, dy, true)
		h.greyFrom8(3)
	case *image.Gray16:
		if err := h.prepare(len(p.Pix), p.Stride, dx, dy, 2, true); err != nil {
			return err
		}
		return h.rows16(dx, dy, 1, func(y int, r, _, _ []uint32) error {
			px := p.Pix[y*p.Stride:][:2*dx]
			r = r[:len(px)/2]
			for x := range r {
				r[x] = uint32(px[2*x])<<8 | uint32(px[2*x+1])
			}
			return nil
		})
	case *image.RGBA64:
		return h.resize64(p.Pix, p.Stride, dx, dy, false)
	case *image.NRGBA64:
		return h.resize64(p.Pix, p.Stride, dx, dy, true)
	case *image.Paletted:
		return h.resizePaletted(p, dx, dy)
	case *image.CMYK:
		// nfnt's generic path, reading Pix rather than At.
		if err := h.prepare(len(p.Pix), p.Stride, dx, dy, 4, true); err != nil {
			return err
		}
		return h.rows16(dx, dy, 3, func(y int, r, g, b []uint32) error {
			px := p.Pix[y*p.Stride:][:4*dx]
			for x := range r {
				q := px[4*x : 4*x+4]
				r[x], g[x], b[x], _ = color.CMYK{C: q[0], M: q[1], Y: q[2], K: q[3]}.RGBA()
			}
			return nil
		})
	default:
		// nfnt's generic path: At().RGBA() in 16-bit precision.
		if err := h.filters(dx, dy, true); err != nil {
			return err
		}
		if err := h.loadPalette(img); err != nil {
			return err
		}
		min := img.Bounds().Min
		return h.rows16(dx, dy, 3, func(y int, r, g, b []uint32) error {
			return h.readRGBA(img, min.X, min.Y+y, r, g, b)
		})
	}
	return nil
}

// resize64 is nfnt's *image.RGBA64 and *image.NRGBA64 path (alpha is
// filtered by nfnt but never read by goimagehash, so it is skipped).
func (h *Hasher) resize64(pix []uint8, stride, dx, dy int, premultiply bool) error {
	if err := h.prepare(len(pix), stride, dx, dy, 8, true); err != nil {
		return err
	}
	return h.rows16(dx, dy, 3, func(y int, r, g, b []uint32) error {
		px := pix[y*stride:][:8*dx]
		for x := range r {
			q := px[8*x : 8*x+8]
			r[x], g[x], b[x] = be16(q[0:2]), be16(q[2:4]), be16(q[4:6])
			if premultiply {
				// nfnt's alpha pre-multiplication (in int64, here in
				// uint64: the values are not negative).
				a := uint64(be16(q[6:8]))
				r[x] = uint32(uint64(r[x]) * a / 0xffff)
				g[x] = uint32(uint64(g[x]) * a / 0xffff)
				b[x] = uint32(uint64(b[x]) * a / 0xffff)
			}
		}
		return nil
	})
}

// resizePaletted is nfnt's generic path for *image.Paletted, reading Pix
// rather than At. Palettes of 8-bit colours (the usual ones) are filtered
// as 8-bit samples with the 16-bit weights, and grey ones as one channel.
func (h *Hasher) resizePaletted(p *image.Paletted, dx, dy int) error {
	if err := h.prepare(len(p.Pix), p.Stride, dx, dy, 1, true); err != nil {
		return err
	}
	if err := h.loadPalette(p); err != nil {
		return err
	}
	row := func(y int) []uint8 { return p.Pix[y*p.Stride:][:dx] }
	if !h.pal8 {
		return h.rows16(dx, dy, 3, func(y int, r, g, b []uint32) error {
			for x, i := range row(y) {
				e := h.pal[i]
				if !e.ok {
					return paletteError(i)
				}
				r[x], g[x], b[x] = e.r, e.g, e.b
			}
			return nil
		})
	}
	channels := 3
	if h.palGrey {
		channels = 1
	}
	var planes [3][]uint8
	var tmp [3][]uint16
	for ch := 0; ch < channels; ch++ {
		planes[ch] = grow(&h.row8[ch], 2*dx)
		tmp[ch] = grow(&h.tmp16[ch], side*dy)
	}
	var err error
	byPairs(dy, h.fx.packed, func(y, n int) {
		for i := 0; i < n; i++ {
			if bad, ok := h.lookUp(planes, i*dx, row(y+i), channels); !ok {
				err = paletteError(bad)
			}
		}
		for ch := 0; ch < channels; ch++ {
			var out0, out1 [side]uint16
			src0, src1 := planes[ch][:dx], planes[ch][(n-1)*dx:][:dx]
			h.fx.apply8to16x2(src0, src1, &out0, &out1)
			transpose(tmp[ch], dy, y, &out0)
			if n == 2 {
				transpose(tmp[ch], dy, y+1, &out1)
			}
		}
	})
	if err != nil {
		return err
	}
	h.vpass16(channels, dy)
	return nil
}

// lookUp writes the 8-bit components of the colours of the indices src to
// planes[ch][off:], reporting an index without a colour.
func (h *Hasher) lookUp(planes [3][]uint8, off int, src []uint8, channels int) (bad uint8, ok bool) {
	valid := true
	for ch := 0; ch < channels; ch++ {
		dst := planes[ch][off:][:len(src)]
		lut := &h.lut[ch]
		for x, i := range src {
			dst[x] = lut[i]
		}
	}
	if h.palFull {
		return 0, true
	}
	pal := h.pal[:256]
	for _, i := range src {
		valid = valid && pal[i].ok
	}
	if !valid {
		for _, i := range src {
			if !pal[i].ok {
				return i, false
			}
		}
	}
	return 0, true
}

func paletteError(i uint8) error {
	return fmt.Errorf("%w: palette index %d has no colour", ErrInvalidImage, i)
}

// byPairs calls do for each row y in turn, or for rows y and y+1 (n = 2)
// when pairs is set.
func byPairs(rows int, pairs bool, do func(y, n int)) {
	for y := 0; y < rows; {
		n := 1
		if pairs && y+1 < rows {
			n = 2
		}
		do(y, n)
		y += n
	}
}

// prepare checks that a pixel buffer covers the dx×dy pixels of bpp bytes
// that nfnt reads, and builds the filters.
func (h *Hasher) prepare(n, stride, dx, dy, bpp int, wide bool) error {
	if !covers(n, stride, dx*bpp, dy) {
		return fmt.Errorf("%w: %d-byte buffer with stride %d for %d×%d pixels", ErrInvalidImage, n, stride, dx, dy)
	}
	return h.filters(dx, dy, wide)
}

// covers reports whether a buffer of n bytes holds rows rows of w bytes,
// stride bytes apart.
func covers(n, stride, w, rows int) bool {
	if rows > 1 && (stride < 0 || stride > n) {
		return false
	}
	return (rows-1)*stride+w <= n
}

func (h *Hasher) filters(dx, dy int, wide bool) error {
	if !h.fx.build(dx, 1, wide) || !h.fy.build(dy, 1, wide) {
		return fmt.Errorf("%w: no filter weights for %d×%d", ErrInvalidImage, dx, dy)
	}
	return nil
}

// chromaDivisors returns how nfnt's imageYCbCrToYCC maps a pixel offset to
// a chroma sample offset: x/dx, y/dy (relative to the image origin).
func chromaDivisors(r image.YCbCrSubsampleRatio) (dx, dy int, ok bool) {
	switch r {
	case image.YCbCrSubsampleRatio444:
		return 1, 1, true
	case image.YCbCrSubsampleRatio422:
		return 2, 1, true
	case image.YCbCrSubsampleRatio420:
		return 2, 2, true
	case image.YCbCrSubsampleRatio440:
		return 1, 2, true
	case image.YCbCrSubsampleRatio411:
		return 4, 1, true
	case image.YCbCrSubsampleRatio410:
		return 4, 2, true
	}
	return 0, 0, false
}

// resizeYCbCr resizes the three planes separately. nfnt first expands the
// chroma to full resolution, addressing it relative to the sub-image origin
// (row y/dy, column x/dx, even when the origin is odd), then filters; the
// chroma filters below read each chroma sample once with the merged
// weights of its copies.
func (h *Hasher) resizeYCbCr(p *image.YCbCr, dx, dy int) error {
	if !covers(len(p.Y), p.YStride, dx, dy) {
		return fmt.Errorf("%w: %d-byte Y plane with stride %d for %d×%d pixels", ErrInvalidImage, len(p.Y), p.YStride, dx, dy)
	}
	if err := h.filters(dx, dy, false); err != nil {
		return err
	}
	divX, divY, ok := chromaDivisors(p.SubsampleRatio)
	if !ok {
		// nfnt leaves its converted image zeroed: Y = Cb = Cr = 0.
		clear(h.out8[:])
		h.greyFromYCbCr()
		return nil
	}
	cw, ch := gridLen(dx, divX), gridLen(dy, divY)
	if !covers(len(p.Cb), p.CStride, cw, ch) || !covers(len(p.Cr), p.CStride, cw, ch) {
		return fmt.Errorf("%w: chroma planes of %d and %d bytes with stride %d for %d×%d samples", ErrInvalidImage, len(p.Cb), len(p.Cr), p.CStride, cw, ch)
	}
	if !h.cx.build(dx, divX, false) || !h.cy.build(dy, divY, false) {
		return fmt.Errorf("%w: no filter weights for %d×%d", ErrInvalidImage, dx, dy)
	}
	h.plane8(&h.fx, &h.fy, p.Y, p.YStride, dx, dy, 0)
	h.plane8(&h.cx, &h.cy, p.Cb, p.CStride, cw, ch, 1)
	h.plane8(&h.cx, &h.cy, p.Cr, p.CStride, cw, ch, 2)
	h.greyFromYCbCr()
	return nil
}

// plane8 resizes one 8-bit plane of w×rows samples into out8[ch]: the
// horizontal pass into a transposed temporary, then the vertical pass.
func (h *Hasher) plane8(fx, fy *axisFilter, pix []uint8, stride, w, rows, ch int) {
	if v, ok := uniform(pix, stride, w, rows); ok {
		// nfnt's weighted averages of a constant are that constant
		// exactly. Neutral chroma (all 128) is common: grey pages saved
		// as colour JPEGs.
		for i := range h.out8[ch] {
			h.out8[ch][i] = v
		}
		return
	}
	tmp := grow(&h.tmp8[ch], side*rows)
	rowOf := func(y int) []uint8 { return pix[y*stride:][:w] }
	pass8(fx, rows, rowOf, func(y int, out [side]uint8) { transpose(tmp, rows, y, &out) })
	h.vpass8(fy, tmp, rows, ch)
}

// pass8 applies f to n sample rows, two at a time when f is packed, and
// hands each result to put.
func pass8(f *axisFilter, n int, row func(i int) []uint8, put func(i int, out [side]uint8)) {
	var out0, out1 [side]uint8
	i := 0
	if f.packed {
		for ; i+1 < n; i += 2 {
			f.apply8x2(row(i), row(i+1), &out0, &out1)
			put(i, out0)
			put(i+1, out1)
		}
	}
	for ; i < n; i++ {
		f.apply8(row(i), &out0)
		put(i, out0)
	}
}

// uniform reports whether all w×rows samples hold the same value, v. It
// stops at the first difference, so it costs little on other planes.
func uniform(pix []uint8, stride, w, rows int) (v uint8, ok bool) {
	v = pix[0]
	word := uint64(v) * 0x0101010101010101
	for y := 0; y < rows; y++ {
		row := pix[y*stride:][:w]
		for len(row) >= 8 {
			if binary.LittleEndian.Uint64(row) != word {
				return 0, false
			}
			row = row[8:]
		}
		for _, b := range row {
			if b != v {
				return 0, false
			}
		}
	}
	return v, true
}

// transpose stores the outputs of source row y in the transposed
// temporary of a rows-row image: output c at tmp[c*rows+y].
func transpose[T uint8 | uint16](tmp []T, rows, y int, out *[side]T) {
	for c, v := range out {
		tmp[c*rows+y] = v
	}
}

// vpass8 runs the vertical pass over the transposed temporary: its row c
// holds output column c.
func (h *Hasher) vpass8(fy *axisFilter, tmp []uint8, rows, ch int) {
	out := &h.out8[ch]
	pass8(fy, side, func(c int) []uint8 { return tmp[c*rows:][:rows] }, func(c int, col [side]uint8) {
		for r, v := range col {
			out[r*side+c] = v
		}
	})
}

// interleaved8 is nfnt's *image.RGBA and *image.NRGBA path (alpha is
// filtered by nfnt but never read by goimagehash, so it is skipped). Each
// row is split into three planes first. Where the rows are grey (R = G = B
// after pre-multiplication), the three channels would be filtered alike:
// one is filtered and copied.
func (h *Hasher) interleaved8(pix []uint8, stride, dx, dy int, premultiply bool) {
	var tmp, planes [3][]uint8
	for ch := range tmp {
		tmp[ch] = grow(&h.tmp8[ch], side*dy)
		planes[ch] = grow(&h.row8[ch], 2*dx)
	}
	allGrey := true
	byPairs(dy, h.fx.packed, func(y, n int) {
		var greyRow [2]bool
		for i := 0; i < n; i++ {
			r, g, b := planes[0][i*dx:][:dx], planes[1][i*dx:][:dx], planes[2][i*dx:][:dx]
			greyRow[i] = split(r, g, b, pix[(y+i)*stride:][:4*dx], premultiply)
		}
		grey := greyRow[0] && (n == 1 || greyRow[1])
		for i := 0; i < n && !grey; i++ {
			if greyRow[i] {
				// split wrote only R.
				r := planes[0][i*dx:][:dx]
				copy(planes[1][i*dx:], r)
				copy(planes[2][i*dx:], r)
			}
		}
		channels := 3
		if grey {
			channels = 1
		}
		allGrey = allGrey && grey
		for ch := 0; ch < channels; ch++ {
			var out0, out1 [side]uint8
			if n == 2 {
				h.fx.apply8x2(planes[ch][:dx], planes[ch][dx:], &out0, &out1)
			} else {
				h.fx.apply8(planes[ch][:dx], &out0)
			}
			for c := ch; c < 3 && (c == ch || grey); c++ {
				transpose(tmp[c], dy, y, &out0)
				if n == 2 {
					transpose(tmp[c], dy, y+1, &out1)
				}
			}
		}
	})
	if allGrey {
		h.vpass8(&h.fy, tmp[0], dy, 0)
		h.out8[1], h.out8[2] = h.out8[0], h.out8[0]
		return
	}
	for ch := range tmp {
		h.vpass8(&h.fy, tmp[ch], dy, ch)
	}
}

// split writes the R, G and B samples of a row of RGBA or NRGBA pixels px
// to r, g and b, pre-multiplying NRGBA ones by alpha as nfnt does. It
// reports whether the row is grey (R = G = B everywhere), in which case
// only r may have been written.
func split(r, g, b, px []uint8, premultiply bool) bool {
	px = px[:4*len(r)]
	g, b = g[:len(r)], b[:len(r)]
	// Two pixels per load: R^G and G^B of each in diff, alphas in alpha.
	const rgMask, aMask = 0x0000ffff0000ffff, 0xff000000ff000000
	var diff uint64
	alpha := uint64(aMask)
	rest, x := px, 0
	for ; len(rest) >= 8; rest = rest[8:] {
		v := binary.LittleEndian.Uint64(rest)
		diff |= (v ^ v>>8) & rgMask
		alpha &= v
		r[x], r[x+1] = uint8(v), uint8(v>>32)
		x += 2
	}
	if len(rest) == 4 {
		v := uint64(binary.LittleEndian.Uint32(rest))
		diff |= (v ^ v>>8) & rgMask
		alpha &= v | 0xff<<56
		r[x] = uint8(v)
	}
	grey := diff == 0
	if premultiply && alpha != aMask {
		// Translucent pixels: pre-multiply (equal samples stay equal).
		for x := range r {
			q := px[4*x : 4*x+4]
			r[x] = alphaMul(q[0], q[3])
			g[x] = alphaMul(q[1], q[3])
			b[x] = alphaMul(q[2], q[3])
		}
		return grey
	}
	if grey {
		return true
	}
	for x := range r {
		v := binary.LittleEndian.Uint32(px[4*x:])
		g[x], b[x] = uint8(v>>8), uint8(v>>16)
	}
	return false
}

// alphaMul is nfnt's alpha pre-multiplication of an NRGBA sample (in
// int32; here in uint32, as the values are not negative).
func alphaMul(v, a uint8) uint8 {
	return uint8(uint32(v) * uint32(a) / 0xff)
}

// rows16 runs nfnt's 16-bit passes over channels channels; fill loads the
// samples of source row y (relative to the origin) into r, g, b.
func (h *Hasher) rows16(dx, dy, channels int, fill func(y int, r, g, b []uint32) error) error {
	r, g, b := h.rows32(dx)
	row := [3][]uint32{r, g, b}
	var tmp [3][]uint16
	for ch := 0; ch < channels; ch++ {
		tmp[ch] = grow(&h.tmp16[ch], side*dy)
	}
	for y := 0; y < dy; y++ {
		if err := fill(y, r, g, b); err != nil {
			return err
		}
		for ch := 0; ch < channels; ch++ {
			apply16(&h.fx, row[ch], tmp[ch][y:], dy)
		}
	}
	h.vpass16(channels, dy)
	return nil
}

// vpass16 runs the 16-bit vertical pass over the transposed temporaries
// of channels channels, then the grey conversion.
func (h *Hasher) vpass16(channels, dy int) {
	for ch := 0; ch < channels; ch++ {
		for c := 0; c < side; c++ {
			apply16(&h.fy, h.tmp16[ch][c*dy:][:dy], h.out16[ch][c:], side)
		}
	}
	h.greyFrom16(channels)
}

func (h *Hasher) rows32(n int) (r, g, b []uint32) {
	return grow(&h.row32[0], n), grow(&h.row32[1], n), grow(&h.row32[2], n)
}

// grow returns (*buf)[:n], reallocating when the capacity is short.
func grow[T any](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n)
	}
	return (*buf)[:n]
}

func be16(b []uint8) uint32 { return uint32(b[0])<<8 | uint32(b[1]) }
