package phash

import "math"

// leeCos holds, for each stage length n = 64, 32, …, 2, the divisors
// 2·cos((i+½)π/n) of Lee's DCT-II as goimagehash computes them.
type leeCos struct {
	c64 [32]float64
	c32 [16]float64
	c16 [8]float64
	c8  [4]float64
	c4  [2]float64
	c2  float64
}

func newLeeCos() *leeCos {
	t := new(leeCos)
	fill := func(dst []float64, n int) {
		for i := range dst {
			dst[i] = math.Cos((float64(i)+0.5)*math.Pi/float64(n)) * 2
		}
	}
	fill(t.c64[:], 64)
	fill(t.c32[:], 32)
	fill(t.c16[:], 16)
	fill(t.c8[:], 8)
	fill(t.c4[:], 4)
	t.c2 = math.Cos(0.5*math.Pi/2) * 2
	return t
}

// cosFor returns the divisors of the n-point stage.
func (t *leeCos) cosFor(n int) []float64 {
	switch n {
	case 64:
		return t.c64[:]
	case 32:
		return t.c32[:]
	case 16:
		return t.c16[:]
	case 8:
		return t.c8[:]
	default:
		return t.c4[:]
	}
}

// dct transforms x (length 64, 32, 16, 8 or 4) in place with Lee's
// algorithm, performing goimagehash's DCT1DFast64 float operations in the
// same order; tmp must be at least as long as x.
func (t *leeCos) dct(x, tmp []float64) {
	n := len(x)
	if n == 4 {
		t.dct4(x)
		return
	}
	h := n / 2
	c := t.cosFor(n)
	tmp = tmp[:n]
	for i := 0; i < h; i++ {
		a, b := x[i], x[n-1-i]
		tmp[i] = a + b
		tmp[i+h] = (a - b) / c[i]
	}
	// x is free: it serves as the scratch of the half-length transforms.
	t.dct(tmp[:h], x[:h])
	t.dct(tmp[h:], x[h:])
	for i := 0; i < h-1; i++ {
		x[2*i] = tmp[i]
		x[2*i+1] = tmp[i+h] + tmp[i+h+1]
	}
	x[n-2], x[n-1] = tmp[h-1], tmp[n-1]
}

// dct4 is the 4-point stage, with its two 2-point transforms unrolled as
// goimagehash does.
func (t *leeCos) dct4(x []float64) {
	x = x[:4]
	t0 := x[0] + x[3]
	t1 := x[1] + x[2]
	t2 := (x[0] - x[3]) / t.c4[0]
	t3 := (x[1] - x[2]) / t.c4[1]
	t0, t1 = t0+t1, (t0-t1)/t.c2
	t2, t3 = t2+t3, (t2-t3)/t.c2
	x[0], x[1], x[2], x[3] = t0, t2+t3, t1, t3
}

// lowFreq returns the top-left 8×8 block, row-major, of the 2-D DCT of the
// 64×64 grey image g (row-major): rows are transformed first, then columns,
// as goimagehash's DCT2DFast64 does. Only the 8 columns that are kept are
// transformed; g is overwritten.
func (t *leeCos) lowFreq(g *[side * side]float64) [64]float64 {
	var tmp, col [side]float64
	for r := 0; r < side; r++ {
		t.dct(g[r*side:(r+1)*side], tmp[:])
	}
	var out [64]float64
	for c := 0; c < 8; c++ {
		for r := 0; r < side; r++ {
			col[r] = g[r*side+c]
		}
		t.dct(col[:], tmp[:])
		for r := 0; r < 8; r++ {
			out[r*8+c] = col[r]
		}
	}
	return out
}

// median is goimagehash's MedianOfPixelsFast64: a quick-select for element
// 32 whose result, for an even count, averages it with whatever element the
// partitioning left at index 31.
func median(v [64]float64) float64 {
	const k = 32
	lo, hi := 0, len(v)-1
	for lo < hi {
		p := lo/2 + hi/2
		pv := v[p]
		v[p], v[hi] = v[hi], v[p]
		store := lo
		for i := lo; i < hi; i++ {
			if v[i] < pv {
				v[store], v[i] = v[i], v[store]
				store++
			}
		}
		v[hi], v[store] = v[store], v[hi]
		if k <= store {
			hi = store
		} else {
			lo = store + 1
		}
	}
	return v[k-1]/2 + v[k]/2
}

// hashBits sets bit 63-i for each coefficient i above the median.
func hashBits(coef [64]float64) uint64 {
	m := median(coef)
	var h uint64
	for i, c := range coef {
		if c > m {
			h |= 1 << uint(63-i)
		}
	}
	return h
}
