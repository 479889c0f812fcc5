package fingerprint

import (
	"image"
	"math"
)

// plane is a greyscale working image. Values are luma in 0..255; a negative
// value marks a pixel that lies outside the source (after a rotation).
type plane struct {
	w, h int
	pix  []float32
	bg   []bool   // background mask, nil when not computed
	s    *scratch // lends the buffers of planes and maps made from this one
}

// plane returns a w×h plane of zeros on buffers of s.
func (s *scratch) plane(w, h int) plane { return plane{w: w, h: h, pix: s.float32s(w * h), s: s} }

// planeSet is plane for a user that sets every pixel before it reads any.
func (s *scratch) planeSet(w, h int) plane {
	return plane{w: w, h: h, pix: s.float32sSet(w * h), s: s}
}

func (p plane) at(x, y int) float32 { return p.pix[y*p.w+x] }

// workingSize is the long side of the working plane. Every decision of
// normalisation (background, content box, deskew, spread split) is made at
// this one resolution, whatever the input's size, so that a page and its
// rescaled copy see the same screentones averaged to the same greys.
const workingSize = 256

// lumaPlane converts img to luma and resamples it so that its long side is
// long pixels. Transparent pixels are composited over white. A positive
// sharpen applies an unsharp mask of that strength before resampling.
func lumaPlane(img image.Image, long int, sharpen float32, s *scratch) plane {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	ow, oh := long, max(1, int(math.Round(float64(h)*float64(long)/float64(w))))
	if w < h {
		ow, oh = max(1, int(math.Round(float64(w)*float64(long)/float64(h)))), long
	}
	if pix, stride, ok := bytePlane(img); ok && max(w, h) < 2*long {
		return lumaBytes(pix, stride, w, h, ow, oh, sharpen, s)
	}
	p := reducePlane(img, long, s)
	if sharpen > 0 {
		p.unsharp(sharpen)
	}
	return p.resize(ow, oh)
}

// lumaBytes is lumaPlane for w×h 8-bit luma samples that need no
// reduction, such as a JPEG's DC thumbnail: each row is sharpened and
// resampled across before the next is read, so that the sharpened plane
// is never stored. The unsharp mask sums its 3×3 neighbourhoods in
// integers, which is exact, as unsharp's float sums of whole numbers are:
// the values are those of unsharp then resize, bit for bit.
func lumaBytes(pix []byte, stride, w, h, ow, oh int, sharpen float32, s *scratch) plane {
	tmp := s.planeSet(ow, h)
	xs := spansFor(0, float64(w)/float64(ow), ow)
	ps := pairs(xs, w, s)
	k := len(ps.a)
	row := s.float32sSet(w)
	cols := s.uint16s(w)
	src := func(y int) []byte { return pix[min(max(y, 0), h-1)*stride:][:w] }
	for y := 0; y < h; y++ {
		dst := tmp.pix[y*ow : (y+1)*ow]
		r := row
		if ow == w {
			r = dst // resize's pass across would copy it
		}
		if sharpen > 0 {
			sharpenRow(src(y-1), src(y), src(y+1), cols, sharpen, r)
		} else {
			for x, v := range src(y) {
				r[x] = float32(v)
			}
		}
		if ow != w {
			applyPairs(&ps, row, dst[:k])
			apply(xs[k:], row, dst[k:], 255)
		}
	}
	if oh == h {
		return tmp
	}
	out := s.planeSet(ow, oh)
	applyRows(spansFor(0, float64(h)/float64(oh), oh), tmp.pix, ow, out.pix)
	return out
}

// ninths holds float32(s)/9 for every sum s of nine 8-bit samples: a load
// instead of a division.
var ninths = func() (t [9*255 + 1]float32) {
	for s := range t {
		t[s] = float32(s) / 9
	}
	return t
}()

// clamp255 is min(255, max(0, v)) for a v that is not NaN, in integer
// operations on its bits: a negative v (-0 included) becomes +0, and
// non-negative floats order as their bits do. Go's float min and max take
// twice the instructions, to handle NaN and signed zeros.
func clamp255(v float32) float32 {
	b := math.Float32bits(v)
	b &^= uint32(int32(b) >> 31)
	return math.Float32frombits(min(b, 0x437f0000)) // 255
}

// sharpenRow writes into out the row mid of 8-bit samples with unsharp's
// mask of strength a, up and down being the rows above and below (mid
// itself at an edge). cols is room for the column sums.
func sharpenRow(up, mid, down []byte, cols []uint16, a float32, out []float32) {
	w := len(mid)
	up, down, cols, out = up[:w], down[:w], cols[:w], out[:w]
	for x, v := range mid {
		cols[x] = uint16(up[x]) + uint16(v) + uint16(down[x])
	}
	at := func(x int, sum uint16) {
		v := float32(mid[x])
		out[x] = clamp255(v + a*(v-ninths[sum]))
	}
	if w < 2 {
		at(0, 3*cols[0])
		return
	}
	at(0, cols[0]+cols[0]+cols[1])
	for x := 1; x < w-1; x++ {
		at(x, cols[x-1]+cols[x]+cols[x+1])
	}
	at(w-1, cols[w-2]+cols[w-1]+cols[w-1])
}

// unsharp adds a times the difference between each pixel and the mean of
// its 3×3 neighbourhood (clamped at the edges), keeping values in 0..255.
func (p plane) unsharp(a float32) {
	w, h := p.w, p.h
	// Horizontal sums of three, then vertical. A pixel's new value needs
	// only its own old value besides the sums, so it is written in place.
	hs := p.s.float32sSet(w * h)
	for y := 0; y < h; y++ {
		row, out := p.pix[y*w:(y+1)*w], hs[y*w:(y+1)*w]
		if w < 2 {
			out[0] = 3 * row[0]
			continue
		}
		out[0] = row[0] + row[0] + row[1]
		for x := 1; x < w-1; x++ {
			out[x] = row[x-1] + row[x] + row[x+1]
		}
		out[w-1] = row[w-2] + row[w-1] + row[w-1]
	}
	for y := 0; y < h; y++ {
		up, mid, down := hs[max(y-1, 0)*w:][:w], hs[y*w:][:w], hs[min(y+1, h-1)*w:][:w]
		row := p.pix[y*w : (y+1)*w]
		for x, v := range row {
			mean := (up[x] + mid[x] + down[x]) / 9
			// min and max, not tests: on a page, paper next to ink
			// overshoots 255 at random, and branches mispredict (real
			// thumbnails: 137-152 µs with tests, 93-100 µs without).
			row[x] = min(255, max(0, v+a*(v-mean)))
		}
	}
}

// resize area-averages p to w×h.
func (p plane) resize(w, h int) plane {
	if w == p.w && h == p.h {
		return p
	}
	tmp := p.s.planeSet(w, p.h)
	xs := spansFor(0, float64(p.w)/float64(w), w)
	ps := pairs(xs, p.w, p.s)
	k := len(ps.a)
	for y := 0; y < p.h; y++ {
		src, dst := p.pix[y*p.w:(y+1)*p.w], tmp.pix[y*w:(y+1)*w]
		applyPairs(&ps, src, dst[:k])
		apply(xs[k:], src, dst[k:], 255)
	}
	out := p.s.planeSet(w, h)
	applyRows(spansFor(0, float64(p.h)/float64(h), h), tmp.pix, w, out.pix)
	return out
}

// pairSpans are spans of one or two samples of a row, all inside it, with
// weights of positive sum, held by field: sample a weighted w0 and sample
// b weighted w1, over wsum (a span of one has b = a and w1 = 0).
type pairSpans struct {
	a, b         []int32
	w0, w1, wsum []float32
}

// pairs returns the leading spans that cover one or two samples of a row
// of n, all inside it, with weights of positive sum: all but perhaps the
// last (which rounding can carry a hair past the row) when a plane is
// enlarged (150 -> 180, 213 -> 256).
func pairs(spans []span, n int, s *scratch) pairSpans {
	k := 0
	for _, sp := range spans {
		if sp.j0 < 0 || int(sp.j1) > n || sp.j1 != sp.j0+1 && sp.j1 != sp.j0+2 || sp.j1 == sp.j0+1 && sp.w1 != 0 || !(sp.w0+sp.w1 > 0) {
			break
		}
		k++
	}
	ab, ws := s.int32s(2*k), s.float32s(3*k)
	ps := pairSpans{a: ab[:k], b: ab[k:], w0: ws[:k], w1: ws[k : 2*k], wsum: ws[2*k:]}
	for i, sp := range spans[:k] {
		ps.a[i], ps.b[i] = sp.j0, sp.j1-1
		ps.w0[i], ps.w1[i], ps.wsum[i] = sp.w0, sp.w1, sp.w0+sp.w1
	}
	return ps
}

// applyPairs is apply for spans that pass pairs, with the same result
// for finite samples (plane values are): a span of one sample reads it
// twice, weighted w0 and w1 = 0, and a*w0 + a*0 is a*w0 exactly, as w0 +
// 0 is w0; a span of two sums a*w0 + b*w1 over w0 + w1, as apply does
// (its wsum adds float32(0) + w1, which is w1). The fields are read from
// slices of their own, with the sums of weights made once for all rows:
// a quarter faster than from a slice of spans.
func applyPairs(ps *pairSpans, src []float32, dst []float32) {
	n := len(ps.a)
	as, bs, w0, w1, wsum := ps.a[:n], ps.b[:n], ps.w0[:n], ps.w1[:n], ps.wsum[:n]
	dst = dst[:n]
	for i := range as {
		a, b := src[as[i]], src[bs[i]]
		if a < 0 {
			a = 255
		}
		if b < 0 {
			b = 255
		}
		dst[i] = (a*w0[i] + b*w1[i]) / wsum[i]
	}
}

// applyRows is apply down the columns of src, rows of w samples, into
// len(spans) rows of dst. It runs along rows, for the cache, with the same
// operations in the same order per sample as apply.
func applyRows(spans []span, src []float32, w int, dst []float32) {
	h := int32(len(src) / w)
	row := func(j int32) []float32 {
		if j < 0 || j >= h {
			return nil
		}
		return src[int(j)*w : (int(j)+1)*w]
	}
	at := func(r []float32, x int) float32 {
		if r == nil || r[x] < 0 {
			return 255
		}
		return r[x]
	}
	for i, sp := range spans {
		d := dst[i*w : (i+1)*w]
		r0 := row(sp.j0)
		// One or two rows, the common cases: one pass, the same
		// operations.
		if r1 := row(sp.j0 + 1); r0 != nil && (sp.j1 == sp.j0+1 || sp.j1 == sp.j0+2 && r1 != nil) {
			wsum := sp.w0
			if sp.j1 == sp.j0+2 {
				wsum += float32(0) + sp.w1
			}
			switch {
			case !(wsum > 0):
				for x := range d {
					d[x] = 255
				}
			case sp.j1 == sp.j0+1:
				r0 := r0[:len(d)]
				for x, a := range r0 {
					if a < 0 {
						a = 255
					}
					d[x] = a * sp.w0 / wsum
				}
			default:
				r0, r1 := r0[:len(d)], r1[:len(d)]
				for x, a := range r0 {
					b := r1[x]
					if a < 0 {
						a = 255
					}
					if b < 0 {
						b = 255
					}
					d[x] = (a*sp.w0 + b*sp.w1) / wsum
				}
			}
			continue
		}
		if rl := row(sp.j1 - 1); r0 != nil && rl != nil && sp.j1 > sp.j0+2 {
			// Three rows or more, all inside src (a shrinking resample):
			// the passes below without the tests of at.
			wsum := sp.w0 + (float32(sp.j1-sp.j0-2) + sp.w1)
			if !(wsum > 0) {
				for x := range d {
					d[x] = 255
				}
				continue
			}
			r0, rl := r0[:len(d)], rl[:len(d)]
			for x, a := range r0 {
				if a < 0 {
					a = 255
				}
				d[x] = a * sp.w0
			}
			for j := sp.j0 + 1; j < sp.j1-1; j++ {
				r := src[int(j)*w:][:len(d)]
				for x, a := range r {
					if a < 0 {
						a = 255
					}
					d[x] += a
				}
			}
			for x, a := range rl {
				if a < 0 {
					a = 255
				}
				d[x] = (d[x] + a*sp.w1) / wsum
			}
			continue
		}
		for x := range d {
			d[x] = at(r0, x) * sp.w0
		}
		wsum := sp.w0
		if sp.j1 > sp.j0+1 {
			for j := sp.j0 + 1; j < sp.j1-1; j++ {
				r := row(j)
				for x := range d {
					d[x] += at(r, x)
				}
			}
			r1 := row(sp.j1 - 1)
			for x := range d {
				d[x] += at(r1, x) * sp.w1
			}
			wsum += float32(sp.j1-sp.j0-2) + sp.w1
		}
		for x := range d {
			if wsum > 0 {
				d[x] /= wsum
			} else {
				d[x] = 255
			}
		}
	}
}

// reducePlane converts img to luma and shrinks it by the largest integer
// factor that keeps its long side at least minLong, averaging each
// factor×factor block: a cheap first step before the exact resize.
func reducePlane(img image.Image, minLong int, s *scratch) plane {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	k := max(1, max(w, h)/minLong)
	ow, oh := (w+k-1)/k, (h+k-1)/k
	out := s.plane(ow, oh)
	acc := make([]float32, ow)
	if pix, stride, ok := bytePlane(img); ok {
		if k == 1 {
			for y := 0; y < h; y++ {
				for x, v := range pix[y*stride : y*stride+w] {
					out.pix[y*w+x] = float32(v)
				}
			}
			return out
		}
		// 8-bit luma: sum in integers, which is exact and several times faster.
		iacc := make([]uint32, ow)
		for oy := 0; oy < oh; oy++ {
			clear(iacc)
			y0, y1 := oy*k, min((oy+1)*k, h)
			for y := y0; y < y1; y++ {
				row := pix[y*stride : y*stride+w]
				for ox := 0; ox < ow; ox++ {
					var s uint32
					for _, v := range row[ox*k : min((ox+1)*k, w)] {
						s += uint32(v)
					}
					iacc[ox] += s
				}
			}
			for ox := range acc {
				acc[ox] = float32(iacc[ox])
			}
			out.average(acc, oy, y1-y0, k, w)
		}
		return out
	}
	row := make([]float32, w)
	readRow := func(y int) { lumaRow(img, b.Min.X, y, row) }
	if m, ok := img.(*image.Paletted); ok {
		// GIF: the luma of each palette entry once, not of each pixel.
		var lut [256]float32
		for i, c := range m.Palette {
			lumaRow(&image.Uniform{C: c}, 0, 0, lut[i:i+1])
		}
		readRow = func(y int) {
			o := m.PixOffset(b.Min.X, y)
			for i, v := range m.Pix[o : o+w] {
				row[i] = lut[v]
			}
		}
	}
	for oy := 0; oy < oh; oy++ {
		clear(acc)
		y0, y1 := b.Min.Y+oy*k, min(b.Min.Y+(oy+1)*k, b.Max.Y)
		for y := y0; y < y1; y++ {
			readRow(y)
			for x, v := range row {
				acc[x/k] += v
			}
		}
		out.average(acc, oy, y1-y0, k, w)
	}
	return out
}

// average writes row oy of p from block sums over rows source rows of
// k-wide blocks of a w-wide source.
func (p plane) average(sums []float32, oy, rows, k, w int) {
	dst := p.pix[oy*p.w : (oy+1)*p.w]
	for ox := range dst {
		n := float32(min((ox+1)*k, w)-ox*k) * float32(rows)
		dst[ox] = sums[ox] / n
	}
}

// bytePlane returns the 8-bit luma samples of img, if it stores them
// directly, starting at its top-left pixel.
func bytePlane(img image.Image) (pix []byte, stride int, ok bool) {
	switch m := img.(type) {
	case *image.Gray:
		return m.Pix[m.PixOffset(m.Rect.Min.X, m.Rect.Min.Y):], m.Stride, true
	case *image.YCbCr:
		return m.Y[m.YOffset(m.Rect.Min.X, m.Rect.Min.Y):], m.YStride, true
	}
	return nil, 0, false
}

// lumaRow writes the luma of row y, from column x0, into dst.
func lumaRow(img image.Image, x0, y int, dst []float32) {
	switch m := img.(type) {
	case *image.Gray:
		o := m.PixOffset(x0, y)
		for i, v := range m.Pix[o : o+len(dst)] {
			dst[i] = float32(v)
		}
	case *image.YCbCr:
		o := m.YOffset(x0, y)
		for i, v := range m.Y[o : o+len(dst)] {
			dst[i] = float32(v)
		}
	case *image.RGBA:
		o := m.PixOffset(x0, y)
		p := m.Pix[o : o+4*len(dst)]
		for i := range dst {
			r, g, b, a := p[4*i], p[4*i+1], p[4*i+2], p[4*i+3]
			// Premultiplied: adding the missing alpha composites over white.
			dst[i] = luma(float32(r), float32(g), float32(b)) + float32(255-a)
		}
	case *image.NRGBA:
		o := m.PixOffset(x0, y)
		p := m.Pix[o : o+4*len(dst)]
		for i := range dst {
			r, g, b, a := p[4*i], p[4*i+1], p[4*i+2], float32(p[4*i+3])/255
			dst[i] = luma(float32(r), float32(g), float32(b))*a + 255*(1-a)
		}
	default:
		for i := range dst {
			r, g, b, a := img.At(x0+i, y).RGBA()
			dst[i] = (luma(float32(r), float32(g), float32(b)) + float32(0xffff-a)) / 257
		}
	}
}

// luma uses the BT.601 weights of JPEG's YCbCr, so a colour JPEG's Y plane
// and the luma of its decoded RGB agree.
func luma(r, g, b float32) float32 { return 0.299*r + 0.587*g + 0.114*b }
