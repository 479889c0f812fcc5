package fingerprint

import (
	"math"
	"slices"
)

// The hash is computed on a grid×grid thumbnail of the content box. Its
// bits are the signs, against their median, of the DCT coefficients with
// horizontal and vertical frequency 0..freqs-1: 16×16 = 256. The DC term
// (bit 0) carries no shape and is always 0. Keeping the pure horizontal and
// vertical frequencies (row and column 0) makes the hash more robust to
// crops than PDQ's 1..16 block; see the README.
//
// The detail hash takes the next band, frequencies freqs..2·freqs-1 both
// ways, thresholded at its own median: 256 more bits that two pages of
// the same composition (a large face in the same panel) share far less
// often than they share the page hash. It confirms a match; it is never
// searched.
const (
	grid  = 64
	freqs = 16
)

// dctTable holds the DCT-II basis for frequencies 0..2·freqs-1 on grid
// points. It is computed once and never written again.
var dctTable = func() [2 * freqs][grid]float32 {
	var t [2 * freqs][grid]float32
	for k := range t {
		for n := range t[k] {
			t[k][n] = float32(math.Cos(math.Pi / grid * (float64(n) + 0.5) * float64(k)))
		}
	}
	return t
}()

// thumb is the normalised grid×grid luma thumbnail.
type thumb [grid * grid]float32

// frect is a box in plane pixels that may reach beyond the plane.
type frect struct{ x0, y0, x1, y1 float64 }

// halves returns the top and bottom halves of r.
func (r frect) halves() [2]frect {
	mid := (r.y0 + r.y1) / 2
	return [2]frect{{r.x0, r.y0, r.x1, mid}, {r.x0, mid, r.x1, r.y1}}
}

func (r rect) f() frect { return frect{float64(r.x0), float64(r.y0), float64(r.x1), float64(r.y1)} }

// resample averages box r of p into t, area-weighted. Unknown pixels and
// pixels beyond the plane count as white paper.
func (p plane) resample(r frect, t *thumb) {
	rows, iy0 := p.resampleRows(r)
	resampleCols(rows, iy0, r, t)
}

// sharedRows hashes boxes of a plane, the boxes with the same left and
// right sides sharing the horizontal pass of the resampling, made once
// over all the rows they cover: a page box and its halves, and the
// alternative boxes, which often differ from it only in their top or
// bottom.
type sharedRows struct {
	p     plane
	spans []rowSpan
}

// rowSpan is the horizontal pass, between x0 and x1, of the plane rows
// from iy0 that [y0, y1) covers, made on first use.
type rowSpan struct {
	x0, x1, y0, y1 float64
	boxes          int
	rows           []float32
	iy0            int
}

// shareRows prepares to hash boxes; those not within p are hashed alone.
func (p plane) shareRows(boxes []frect) sharedRows {
	s := sharedRows{p: p}
	for _, b := range boxes {
		if !s.within(b) {
			continue
		}
		i := s.span(b)
		if i < 0 {
			s.spans = append(s.spans, rowSpan{x0: b.x0, x1: b.x1, y0: b.y0, y1: b.y1})
			i = len(s.spans) - 1
		}
		sp := &s.spans[i]
		sp.y0, sp.y1, sp.boxes = min(sp.y0, b.y0), max(sp.y1, b.y1), sp.boxes+1
	}
	return s
}

// within reports whether r is a box inside the plane, whose rows' pass
// does not depend on the rows around them.
func (s *sharedRows) within(r frect) bool {
	return r.x0 < r.x1 && r.y0 < r.y1 && r.x0 >= 0 && r.y0 >= 0 && r.x1 <= float64(s.p.w) && r.y1 <= float64(s.p.h)
}

// span returns the index of the span with r's left and right sides, or -1.
func (s *sharedRows) span(r frect) int {
	return slices.IndexFunc(s.spans, func(sp rowSpan) bool { return sp.x0 == r.x0 && sp.x1 == r.x1 })
}

// hashBox is p.hashBox for box r, one of the boxes s was prepared with:
// bit for bit the same (TestSharedRows, TestHashBoxHalves).
func (s *sharedRows) hashBox(r frect, share float64, c *coeffs) int {
	i := s.span(r)
	if i < 0 || s.spans[i].boxes < 2 || !s.within(r) {
		return s.p.hashBox(r, share, c)
	}
	sp := &s.spans[i]
	if sp.rows == nil {
		sp.rows, sp.iy0 = s.p.resampleRows(frect{sp.x0, sp.y0, sp.x1, sp.y1})
	}
	var t thumb
	resampleCols(sp.rows, sp.iy0, r, &t)
	return thumbQuality(&t, share, c)
}

// resampleCols is resample's vertical pass: rows holds the horizontal
// pass of every plane row from iy0 that r covers (from resampleRows of r,
// or of a box with r's sides left and right and more rows).
func resampleCols(rows []float32, iy0 int, r frect, t *thumb) {
	ry0, ry1 := int(math.Floor(r.y0)), int(math.Ceil(r.y1))
	sy := (r.y1 - r.y0) / grid
	applyRows(spansFor(r.y0-float64(ry0), sy, grid), rows[(ry0-iy0)*grid:(ry1-iy0)*grid], grid, t[:])
}

// resampleRows is resample's horizontal pass: for each plane row from
// iy0 that r covers, its grid cells' averages along x, row after row.
func (p plane) resampleRows(r frect) (rows []float32, iy0 int) {
	sx := (r.x1 - r.x0) / grid
	iy0, iy1 := int(math.Floor(r.y0)), int(math.Ceil(r.y1))
	tmp := p.s.float32sSet((iy1 - iy0) * grid)
	xs := spansFor(r.x0, sx, grid)
	// A box that reaches beyond the plane (a crop hypothesis) guesses the
	// lost content as the mean of what is left: closer on average than
	// white paper, and without a false edge at the cut.
	fill := float32(255)
	if r.x0 < 0 || r.y0 < 0 || r.x1 > float64(p.w) || r.y1 > float64(p.h) {
		var sum float64
		n := 0
		for y := max(iy0, 0); y < min(iy1, p.h); y++ {
			for _, v := range p.pix[y*p.w+max(int(r.x0), 0) : y*p.w+min(int(math.Ceil(r.x1)), p.w)] {
				if v >= 0 {
					sum += float64(v)
					n++
				}
			}
		}
		if n > 0 {
			fill = float32(sum / float64(n))
		}
	}
	// Spans all inside the plane's rows (a box within it, the usual case)
	// take their weight sums once for every row.
	var wsums [grid]float32
	inside := spanWeights(xs, p.w, wsums[:])
	for y := iy0; y < iy1; y++ {
		dst := tmp[(y-iy0)*grid : (y-iy0+1)*grid]
		switch {
		case y < 0 || y >= p.h:
			for i := range dst {
				dst[i] = fill
			}
		case inside:
			applyInside(xs, wsums[:], p.pix[y*p.w:(y+1)*p.w], dst)
		default:
			apply(xs, p.pix[y*p.w:(y+1)*p.w], dst, fill)
		}
	}
	return tmp, iy0
}

// span is one output cell of an area average: source samples j0..j1-1,
// weighted 1 except the first (w0) and the last (w1).
type span struct {
	j0, j1 int32
	w0, w1 float32
}

// spansFor returns the spans of n cells of width s starting at a.
func spansFor(a, s float64, n int) []span {
	out := make([]span, n)
	for i := range out {
		lo := a + float64(i)*s
		hi := lo + s
		j0 := int(math.Floor(lo))
		j1 := int(math.Ceil(hi))
		if j1 <= j0 {
			j1 = j0 + 1
		}
		sp := span{j0: int32(j0), j1: int32(j1)}
		sp.w0 = float32(min(hi, float64(j0+1)) - lo)
		sp.w1 = float32(hi - max(lo, float64(j1-1)))
		if j1 == j0+1 {
			sp.w0, sp.w1 = float32(hi-lo), 0
		}
		out[i] = sp
	}
	return out
}

// apply fills dst[i] with the weighted mean of src over spans[i]. Samples
// beyond src count as fill, unknown (negative) samples as white paper.
func apply(spans []span, src []float32, dst []float32, fill float32) {
	n := int32(len(src))
	known := func(v float32) float32 {
		if v < 0 {
			return 255
		}
		return v
	}
	at := func(j int32) float32 {
		if j < 0 || j >= n {
			return fill
		}
		return known(src[j])
	}
	for i, sp := range spans {
		var sum, wsum float32
		if sp.j0 >= 0 && sp.j1 <= n {
			// Inside src: the same sums as below, without the range checks.
			s := src[sp.j0:sp.j1]
			sum, wsum = known(s[0])*sp.w0, sp.w0
			if len(s) > 1 {
				for _, v := range s[1 : len(s)-1] {
					sum += known(v)
				}
				sum += known(s[len(s)-1]) * sp.w1
				wsum += float32(len(s)-2) + sp.w1
			}
		} else {
			sum, wsum = at(sp.j0)*sp.w0, sp.w0
			if sp.j1 > sp.j0+1 {
				for j := sp.j0 + 1; j < sp.j1-1; j++ {
					sum += at(j)
				}
				sum += at(sp.j1-1) * sp.w1
				wsum += float32(sp.j1-sp.j0-2) + sp.w1
			}
		}
		dst[i] = 255
		if wsum > 0 {
			dst[i] = sum / wsum
		}
	}
}

// spanWeights reports whether every span lies inside a row of n samples,
// and if so sets wsums to the spans' weight sums as apply computes them.
func spanWeights(spans []span, n int, wsums []float32) bool {
	for i, sp := range spans {
		if sp.j0 < 0 || int(sp.j1) > n {
			return false
		}
		wsum := sp.w0
		if sp.j1 > sp.j0+1 {
			wsum += float32(sp.j1-sp.j0-2) + sp.w1
		}
		wsums[i] = wsum
	}
	return true
}

// applyInside is apply for spans inside src, their weight sums from
// spanWeights: the same operations in the same order per result.
func applyInside(spans []span, wsums []float32, src, dst []float32) {
	known := func(v float32) float32 {
		if v < 0 {
			return 255
		}
		return v
	}
	dst, wsums = dst[:len(spans)], wsums[:len(spans)]
	for i, sp := range spans {
		s := src[sp.j0:sp.j1]
		sum := known(s[0]) * sp.w0
		if len(s) > 1 {
			for _, v := range s[1 : len(s)-1] {
				sum += known(v)
			}
			sum += known(s[len(s)-1]) * sp.w1
		}
		d := float32(255)
		if wsum := wsums[i]; wsum > 0 {
			d = sum / wsum
		}
		dst[i] = d
	}
}

// coeffs holds the freqs×freqs DCT coefficients of the low band, row v
// (vertical frequency v), column u (horizontal frequency u), then those of
// the detail band, row v-freqs, column u-freqs.
type coeffs [2 * freqs * freqs]float32

// dct computes the coefficients. The basis is symmetric about the middle
// of the grid (even frequencies) or antisymmetric (odd ones), so each
// sum runs over half the points, of the sums or differences of mirrored
// pairs.
func (t *thumb) dct(c *coeffs) {
	const half = grid / 2
	// Rows first: for each image row, the horizontal frequencies.
	var rows [2 * freqs][grid]float32 // rows[u][y]
	for y := 0; y < grid; y++ {
		line := t[y*grid : (y+1)*grid]
		var sum, diff [half]float32
		for n := range half {
			sum[n], diff[n] = line[n]+line[grid-1-n], line[n]-line[grid-1-n]
		}
		for u := 0; u < 2*freqs; u++ {
			rows[u][y] = halfDot(&sum, &diff, u)
		}
	}
	// Then the vertical frequencies of the band each u belongs to.
	for u := 0; u < 2*freqs; u++ {
		col := &rows[u]
		var sum, diff [half]float32
		for n := range half {
			sum[n], diff[n] = col[n]+col[grid-1-n], col[n]-col[grid-1-n]
		}
		if u < freqs {
			for v := 0; v < freqs; v++ {
				c[v*freqs+u] = halfDot(&sum, &diff, v)
			}
			continue
		}
		for v := freqs; v < 2*freqs; v++ {
			c[freqs*freqs+(v-freqs)*freqs+u-freqs] = halfDot(&sum, &diff, v)
		}
	}
}

// halfDot is the dot product of frequency k's basis with the points whose
// mirrored sums and differences are given.
func halfDot(sum, diff *[grid / 2]float32, k int) float32 {
	a := sum
	if k&1 == 1 {
		a = diff
	}
	basis := (*[grid / 2]float32)(dctTable[k][:grid/2])
	// Two chains of additions, for the latency.
	var s0, s1 float32
	for n := 0; n < grid/2; n += 2 {
		s0 += a[n] * basis[n]
		s1 += a[n+1] * basis[n+1]
	}
	return s0 + s1
}

// hash sets a bit for each AC coefficient of the low band above their
// median.
func (c *coeffs) hash() Hash {
	var tmp [freqs*freqs - 1]float32
	copy(tmp[:], c[1:freqs*freqs])
	med := kth(tmp[:], len(tmp)/2)
	var h Hash
	for i, v := range c[:freqs*freqs] {
		if i > 0 && v > med {
			h.setBit(i)
		}
	}
	return h
}

// detail sets a bit for each coefficient of the detail band above their
// median.
func (c *coeffs) detail() Hash {
	var tmp [freqs * freqs]float32
	copy(tmp[:], c[freqs*freqs:])
	med := kth(tmp[:], len(tmp)/2)
	var h Hash
	for i, v := range c[freqs*freqs:] {
		if v > med {
			h.setBit(i)
		}
	}
	return h
}

// kth returns the k-th smallest of a (counting from 0), as a sorted copy
// would have it at index k, reordering a: Hoare's selection, linear on
// average where a sort is n log n.
func kth(a []float32, k int) float32 {
	lo, hi := 0, len(a)-1
	for lo < hi {
		// Median of three as the pivot keeps ordered input linear.
		m := lo + (hi-lo)/2
		if a[m] < a[lo] {
			a[m], a[lo] = a[lo], a[m]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] < a[m] {
			a[hi], a[m] = a[m], a[hi]
		}
		pivot := a[m]
		i, j := lo, hi
		for i <= j {
			for a[i] < pivot {
				i++
			}
			for pivot < a[j] {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return a[k]
		}
	}
	return a[k]
}

// mirror turns c into the coefficients of the left-right mirrored
// thumbnail: odd horizontal frequencies change sign, in both bands (freqs
// is even, so column u-freqs is odd where u is).
func (c *coeffs) mirror() {
	for v := 0; v < 2*freqs; v++ {
		for u := 1; u < freqs; u += 2 {
			c[v*freqs+u] = -c[v*freqs+u]
		}
	}
}

// quality scores the detail in t: the mean absolute difference between
// neighbouring cells, in grey levels, scaled so that ordinary pages reach
// 100. Blank and flat pages score near 0.
func (t *thumb) quality() float64 {
	var s float64
	for y := 0; y < grid; y++ {
		for x := 0; x < grid; x++ {
			v := t[y*grid+x]
			if x+1 < grid {
				s += math.Abs(float64(t[y*grid+x+1] - v))
			}
			if y+1 < grid {
				s += math.Abs(float64(t[(y+1)*grid+x] - v))
			}
		}
	}
	return s / float64(2*grid*(grid-1))
}
