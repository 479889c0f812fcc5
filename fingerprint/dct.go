package fingerprint

import (
	"math"
	"slices"
)

// The hash is computed on a grid×grid thumbnail of the content box. Its
// bits are the signs, against their median, of the DCT coefficients with
// horizontal and vertical frequency 1..freqs (DC excluded): 16×16 = 256.
const (
	grid  = 64
	freqs = 16
)

// dctTable holds the DCT-II basis for frequencies 0..freqs on grid points.
// It is computed once and never written again.
var dctTable = func() [freqs + 1][grid]float32 {
	var t [freqs + 1][grid]float32
	for k := range t {
		for n := range t[k] {
			t[k][n] = float32(math.Cos(math.Pi / grid * (float64(n) + 0.5) * float64(k)))
		}
	}
	return t
}()

// thumb is the normalised grid×grid luma thumbnail.
type thumb [grid * grid]float32

// resample averages box r of p into t, area-weighted. Unknown pixels count
// as white paper.
func (p plane) resample(r rect, t *thumb) {
	sx := float64(r.dx()) / grid
	sy := float64(r.dy()) / grid
	// Horizontal pass into rows of grid cells, then vertical.
	tmp := make([]float32, r.dy()*grid)
	for y := r.y0; y < r.y1; y++ {
		src := p.pix[y*p.w : (y+1)*p.w]
		dst := tmp[(y-r.y0)*grid : (y-r.y0+1)*grid]
		areaAverage(src, r.x0, sx, dst, 1)
	}
	col := make([]float32, r.dy())
	out := make([]float32, grid)
	for x := 0; x < grid; x++ {
		for y := range col {
			col[y] = tmp[y*grid+x]
		}
		areaAverage(col, 0, sy, out, 1)
		for y := 0; y < grid; y++ {
			t[y*grid+x] = out[y]
		}
	}
}

// areaAverage fills dst[i] with the mean of src over [x0+i*s, x0+(i+1)*s).
func areaAverage(src []float32, x0 int, s float64, dst []float32, _ int) {
	for i := range dst {
		a := float64(x0) + float64(i)*s
		b := a + s
		var sum, wsum float64
		for j := int(a); float64(j) < b && j < len(src); j++ {
			lo := math.Max(a, float64(j))
			hi := math.Min(b, float64(j+1))
			w := hi - lo
			if w <= 0 {
				continue
			}
			v := src[j]
			if v < 0 {
				v = 255
			}
			sum += float64(v) * w
			wsum += w
		}
		if wsum > 0 {
			dst[i] = float32(sum / wsum)
		} else {
			dst[i] = 255
		}
	}
}

// coeffs holds the freqs×freqs DCT coefficients, row v (vertical frequency
// v+1), column u (horizontal frequency u+1).
type coeffs [freqs * freqs]float32

func (t *thumb) dct(c *coeffs) {
	// Rows first: for each image row, the horizontal frequencies 1..freqs.
	var rows [grid][freqs]float32
	for y := 0; y < grid; y++ {
		line := t[y*grid : (y+1)*grid]
		for u := 0; u < freqs; u++ {
			basis := &dctTable[u+1]
			var s float32
			for x, v := range line {
				s += v * basis[x]
			}
			rows[y][u] = s
		}
	}
	for v := 0; v < freqs; v++ {
		basis := &dctTable[v+1]
		for u := 0; u < freqs; u++ {
			var s float32
			for y := 0; y < grid; y++ {
				s += rows[y][u] * basis[y]
			}
			c[v*freqs+u] = s
		}
	}
}

// hash sets a bit for each coefficient above the median.
func (c *coeffs) hash() Hash {
	sorted := c[:]
	sorted = slices.Clone(sorted)
	slices.Sort(sorted)
	med := (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
	var h Hash
	for i, v := range c {
		if v > med {
			h.setBit(i)
		}
	}
	return h
}

// mirror turns c into the coefficients of the left-right mirrored thumbnail:
// odd horizontal frequencies change sign (u is 0-based for frequency u+1).
func (c *coeffs) mirror() {
	for v := 0; v < freqs; v++ {
		for u := 0; u < freqs; u += 2 {
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
