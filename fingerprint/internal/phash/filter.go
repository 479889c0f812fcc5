package phash

import (
	"math"
	"math/bits"
)

// side is the width and height that goimagehash resizes to.
const side = 64

// axisFilter is nfnt/resize's Bilinear kernel along one axis of an n-sample
// dimension resized to 64, remapped to a grid in which sample i of the full
// dimension reads grid sample i/div (div > 1 for sub-sampled chroma).
//
// nfnt's taps read sample clamp(start+i, 0, n-1) with weight c_i and divide
// by Σc_i. Taps that land on the same grid sample are merged here; integer
// sums do not depend on their order, so the results are nfnt's exactly.
type axisFilter struct {
	n, div int
	wide   bool // 16-bit coefficients (createWeights16) instead of 8-bit

	lo  [side]int     // first grid sample with a non-zero weight, per output
	off [side + 1]int // weights of output o are w[off[o]:off[o+1]]
	w   []int64
	sum [side]int64  // Σ of nfnt's coefficients: its divisor
	rcp [side]uint64 // ceil(2^64/sum), for exact division of 32-bit values

	// The packed plan (8-bit only): every grid sample carries weight for
	// at most one even and one odd output, so one multiply by pw[x-p0]
	// adds to both, in the low and high 32 bits of an accumulator.
	packed bool
	p0     int
	ends   [side]int // exclusive end of each output's window
	pw     []uint64

	scratch []int64
}

// linear is nfnt/resize's Bilinear kernel.
func linear(in float64) float64 {
	in = math.Abs(in)
	if in <= 1 {
		return 1 - in
	}
	return 0
}

// build computes the filter unless it is already built for (n, div, wide).
// It reports false when nfnt would divide by zero (no weight at all).
func (f *axisFilter) build(n, div int, wide bool) bool {
	if f.n == n && f.div == div && f.wide == wide && f.w != nil {
		return true
	}
	f.n, f.div, f.wide = n, div, wide
	f.w = f.w[:0]

	// The expressions below are those of nfnt's createWeights8/16, with
	// blur = 1, so that the float64 roundings are the same.
	const blur = 1.0
	scale := float64(n) / float64(side)
	filterLength := 2 * int(math.Max(math.Ceil(blur*scale), 1))
	filterFactor := math.Min(1./(blur*scale), 1)
	for y := 0; y < side; y++ {
		interpX := scale*(float64(y)+0.5) - 0.5
		start := int(interpX) - filterLength/2 + 1
		interpX -= float64(start)

		lo := clampIndex(start, n) / div
		hi := clampIndex(start+filterLength-1, n) / div
		acc := f.scratchOf(hi - lo + 1)
		var sum int64
		for i := 0; i < filterLength; i++ {
			in := (interpX - float64(i)) * filterFactor
			var c int64
			if wide {
				c = int64(int32(linear(in) * 65536))
			} else {
				c = int64(int16(linear(in) * 256))
			}
			sum += c
			acc[clampIndex(start+i, n)/div-lo] += c
		}
		if sum <= 0 {
			return false
		}
		// Trim zero weights so that windows are as narrow as possible.
		a, b := 0, len(acc)
		for a < b && acc[a] == 0 {
			a++
		}
		for b > a && acc[b-1] == 0 {
			b--
		}
		f.lo[y] = lo + a
		f.off[y] = len(f.w)
		f.w = append(f.w, acc[a:b]...)
		f.sum[y] = sum
		f.rcp[y] = 0
		if sum > 1 {
			f.rcp[y] = math.MaxUint64/uint64(sum) + 1
		}
	}
	f.off[side] = len(f.w)
	f.planPacked()
	return true
}

func (f *axisFilter) scratchOf(n int) []int64 {
	if cap(f.scratch) < n {
		f.scratch = make([]int64, n)
	}
	s := f.scratch[:n]
	clear(s)
	return s
}

// clampIndex is nfnt's border handling: indices are clamped to [0, n-1].
func clampIndex(i, n int) int {
	if i < 0 {
		return 0
	}
	if i >= n-1 {
		return n - 1
	}
	return i
}

// planPacked sets up the packed plan when its conditions hold: 8-bit
// weights, non-negative; windows that advance monotonically; the window of
// output o+2 starting after that of output o ends; and lane sums of at most
// 255·Σw below 2^32.
func (f *axisFilter) planPacked() {
	f.packed = false
	if f.wide {
		return
	}
	for o := 0; o < side; o++ {
		ws := f.w[f.off[o]:f.off[o+1]]
		if len(ws) == 0 {
			return
		}
		var total int64
		for _, w := range ws {
			if w < 0 {
				return
			}
			total += w
		}
		if total*255 > math.MaxUint32 {
			return
		}
		f.ends[o] = f.lo[o] + len(ws)
		if o > 0 && (f.lo[o] < f.lo[o-1] || f.ends[o] < f.ends[o-1]) {
			return
		}
		if o > 1 && f.lo[o] < f.ends[o-2] {
			return
		}
	}
	f.p0 = f.lo[0]
	n := f.ends[side-1] - f.p0
	if cap(f.pw) < n {
		f.pw = make([]uint64, n)
	}
	f.pw = f.pw[:n]
	clear(f.pw)
	for o := 0; o < side; o++ {
		shift := 32 * uint(o&1)
		for k, w := range f.w[f.off[o]:f.off[o+1]] {
			f.pw[f.lo[o]+k-f.p0] |= uint64(w) << shift
		}
	}
	f.packed = true
}

// div32 returns v/sum[o] for 0 <= v < 2^32 without a division instruction
// (Lemire, Kaser and Kurz, "Faster remainder by direct computation", 2019).
func (f *axisFilter) div32(o int, v uint64) uint64 {
	if f.rcp[o] == 0 {
		return v // sum == 1
	}
	q, _ := bits.Mul64(f.rcp[o], v)
	return q
}

// apply8 computes the 64 outputs of f over the 8-bit samples src, writing
// output o to dst[o*stride], rounded as nfnt does (truncating division,
// clamped to 255).
func (f *axisFilter) apply8(src []uint8, dst []uint8, stride int) {
	if f.packed {
		f.apply8Packed(src, dst, stride)
		return
	}
	for o := 0; o < side; o++ {
		dst[o*stride] = uint8(min(average(f, o, src), 255))
	}
}

func (f *axisFilter) apply8Packed(src []uint8, dst []uint8, stride int) {
	var acc uint64
	x := f.p0
	pw := f.pw
	for o := 0; o < side; o++ {
		e := f.ends[o]
		if x < e {
			ws := pw[x-f.p0 : e-f.p0]
			ss := src[x:e]
			ss = ss[:len(ws)]
			for k, w := range ws {
				acc += w * uint64(ss[k])
			}
			x = e
		}
		shift := 32 * uint(o&1)
		v := acc >> shift & math.MaxUint32
		acc &^= math.MaxUint32 << shift
		dst[o*stride] = uint8(min(f.div32(o, v), 255))
	}
}

// apply16 is apply8 for 16-bit precision: samples are the uint32 values of
// color.Color.RGBA, 16-bit pixels or the 16-bit temporary; results are
// clamped to 65535.
func apply16[S uint16 | uint32](f *axisFilter, src []S, dst []uint16, stride int) {
	for o := 0; o < side; o++ {
		dst[o*stride] = uint16(min(average(f, o, src), 65535))
	}
}

// average is nfnt's weighted average for output o: Σ w·s / Σ c, truncated.
func average[S uint8 | uint16 | uint32](f *axisFilter, o int, src []S) int64 {
	ws := f.w[f.off[o]:f.off[o+1]]
	ss := src[f.lo[o]:][:len(ws)]
	var acc int64
	for k, w := range ws {
		acc += w * int64(ss[k])
	}
	return acc / f.sum[o]
}

// gridLen is the number of grid samples that an n-sample dimension reads
// with divisor div.
func gridLen(n, div int) int { return (n-1)/div + 1 }
