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
	rcp [side]uint64 // ceil(2^64/sum), or 0 when sum == 1
	lim [side]uint64 // rcp divides exactly below lim (0 when sum == 1)

	// The packed plan (8-bit only), see planPacked.
	packed bool
	p0     int       // first sample read
	ends   [side]int // end of each output's window, relative to p0
	pw     []uint64  // per sample from p0: even-output | odd-output<<32 weight
	early  []earlyTerm

	scratch []int64
}

// earlyTerm is a weight of output o on a sample x that precedes the end of
// the window of output o-2 (see planPacked).
type earlyTerm struct {
	o, x int
	w    uint64
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
		f.rcp[y], f.lim[y] = 0, 0
		if sum > 1 {
			// Lemire, Kaser and Kurz, "Faster remainder by direct
			// computation" (2019): with c = ceil(2^64/d), n/d is the
			// high word of c·n for n < 2^(64-L), 2^L >= d.
			f.rcp[y] = math.MaxUint64/uint64(sum) + 1
			f.lim[y] = 1 << (64 - bits.Len64(uint64(sum)))
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

// planPacked sets up the packed plan, used on 8-bit samples when the
// weights are not negative, the windows advance monotonically and 255·Σw
// stays below 2^32 (which 16-bit weights also meet, up to 16k samples).
//
// Outputs alternate between the low (even o) and high (odd o) 32 bits of
// one accumulator; a single pass over the samples multiplies each by
// pw[x-p0], which holds its weights for the even and the odd output whose
// windows cover it. When output o's window ends, its half is read and
// cleared. A sample before that end that also has weight for output o+2
// (same half) cannot be packed: such "early" terms of o+2 are added to its
// sum separately.
func (f *axisFilter) planPacked() {
	f.packed = false
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
		f.ends[o] = f.lo[o] + len(ws) // made relative to p0 below
		if o > 0 && (f.lo[o] < f.lo[o-1] || f.ends[o] < f.ends[o-1]) {
			return
		}
	}
	f.p0 = f.lo[0]
	f.pw = grow(&f.pw, f.ends[side-1]-f.p0)
	clear(f.pw)
	f.early = f.early[:0]
	for o := 0; o < side; o++ {
		shift := 32 * uint(o&1)
		packFrom := f.lo[o]
		if o >= 2 {
			packFrom = max(packFrom, f.ends[o-2]) // still absolute
		}
		for k, w := range f.w[f.off[o]:f.off[o+1]] {
			x := f.lo[o] + k
			switch {
			case x >= packFrom:
				f.pw[x-f.p0] |= uint64(w) << shift
			case w != 0:
				f.early = append(f.early, earlyTerm{o, x, uint64(w)})
			}
		}
	}
	for o := range f.ends {
		f.ends[o] -= f.p0
	}
	f.packed = true
}

// div32 returns v/sum[o], clamped to 255, for 0 <= v < 2^32 (always below
// lim, as sum < 2^32) without a division instruction.
func (f *axisFilter) div32(o int, v uint64) uint8 {
	q, _ := bits.Mul64(f.rcp[o], v)
	if f.rcp[o] == 0 {
		q = v // sum == 1
	}
	return uint8(min(q, 255))
}

// quotient returns n/sum[o], with a multiplication when n is small enough.
func (f *axisFilter) quotient(o int, n uint64) uint64 {
	if n < f.lim[o] {
		q, _ := bits.Mul64(f.rcp[o], n)
		return q
	}
	return n / uint64(f.sum[o])
}

// apply8 computes the 64 outputs of f over the 8-bit samples src into
// out, rounded as nfnt does (truncating division, clamped to 255).
func (f *axisFilter) apply8(src []uint8, out *[side]uint8) {
	if !f.packed {
		for o := range out {
			out[o] = f.div32(o, weighted(f, o, src))
		}
		return
	}
	var spare [side]uint8
	f.apply8x2(src, src, out, &spare)
}

// apply8x2 is apply8 on two sample rows at once, which share the weight
// loads.
func (f *axisFilter) apply8x2(src0, src1 []uint8, out0, out1 *[side]uint8) {
	var sums [2][side]uint64
	f.sums8(src0, src1, &sums)
	for o := range out0 {
		out0[o], out1[o] = f.div32(o, sums[0][o]), f.div32(o, sums[1][o])
	}
}

// apply8to16x2 filters two rows of 8-bit samples v that stand for the
// 16-bit samples v·0x101 (the RGBA of 8-bit colours) with f's 16-bit
// weights: nfnt's sums are 0x101 times those of v. Results are clamped to
// 65535 as nfnt does.
func (f *axisFilter) apply8to16x2(src0, src1 []uint8, out0, out1 *[side]uint16) {
	var sums [2][side]uint64
	f.sums8(src0, src1, &sums)
	for o := range out0 {
		out0[o] = uint16(min(f.quotient(o, sums[0][o]*0x101), 65535))
		out1[o] = uint16(min(f.quotient(o, sums[1][o]*0x101), 65535))
	}
}

// sums8 computes the weighted sums Σ w·s of all outputs over two rows of
// 8-bit samples.
func (f *axisFilter) sums8(src0, src1 []uint8, sums *[2][side]uint64) {
	if !f.packed {
		for o := range sums[0] {
			sums[0][o], sums[1][o] = weighted(f, o, src0), weighted(f, o, src1)
		}
		return
	}
	n := len(f.pw)
	scan2(f.pw, src0[f.p0:][:n], src1[f.p0:][:n], &f.ends, sums)
	for _, t := range f.early {
		sums[0][t.o] += t.w * uint64(src0[t.x])
		sums[1][t.o] += t.w * uint64(src1[t.x])
	}
}

// scan2 accumulates two rows with the packed weights pw and records, at
// the end of each output's window, the half of the accumulator that holds
// that output's sum. It keeps few values live so that they all stay in
// registers.
func scan2(pw []uint64, s0, s1 []uint8, ends *[side]int, sums *[2][side]uint64) {
	const low = math.MaxUint32
	s0 = s0[:len(pw)]
	s1 = s1[:len(pw)]
	var a0, a1 uint64
	x := 0
	for o := 0; o < side; o += 2 {
		// Even output: low half.
		for end := min(ends[o], len(pw)); x < end; x++ {
			w := pw[x]
			a0 += w * uint64(s0[x])
			a1 += w * uint64(s1[x])
		}
		sums[0][o], sums[1][o] = a0&low, a1&low
		a0, a1 = a0&^low, a1&^low
		// Odd output: high half.
		for end := min(ends[o+1], len(pw)); x < end; x++ {
			w := pw[x]
			a0 += w * uint64(s0[x])
			a1 += w * uint64(s1[x])
		}
		sums[0][o+1], sums[1][o+1] = a0>>32, a1>>32
		a0, a1 = a0&low, a1&low
	}
}

// apply16 is apply8 for 16-bit precision: samples are the uint32 values of
// color.Color.RGBA, 16-bit pixels or the 16-bit temporary; results are
// clamped to 65535.
func apply16[S uint16 | uint32](f *axisFilter, src []S, dst []uint16, stride int) {
	for o := 0; o < side; o++ {
		dst[o*stride] = uint16(min(f.quotient(o, weighted(f, o, src)), 65535))
	}
}

// weighted is nfnt's weighted sum for output o, Σ w·s, which it divides
// by Σ c. Weights and samples are not negative.
func weighted[S uint8 | uint16 | uint32](f *axisFilter, o int, src []S) uint64 {
	ws := f.w[f.off[o]:f.off[o+1]]
	ss := src[f.lo[o]:][:len(ws)]
	var acc int64
	for k, w := range ws {
		acc += w * int64(ss[k])
	}
	return uint64(acc)
}

// gridLen is the number of grid samples that an n-sample dimension reads
// with divisor div.
func gridLen(n, div int) int { return (n-1)/div + 1 }
