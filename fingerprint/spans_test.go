package fingerprint

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/pagematch/pagematch/internal/testpages"
)

// spansRef is spans as it was before its state moved into locals, with
// the methods it called. It floods from the pixels on the stack, a row span at a time: a
// popped pixel's run of acceptable pixels is marked whole, and the rows
// above and below it get one stack entry per run. Every 4-neighbour of a
// flooded pixel is examined, so the pixels taken and turned away are those
// of a pixel-by-pixel flood.
func (f *flooder) spansRef() {
	w, h := int32(f.p.w), int32(f.p.h)
	for len(f.stack) > 0 {
		i := f.stack[len(f.stack)-1]
		f.stack = f.stack[:len(f.stack)-1]
		if !f.takeRef(i) {
			continue
		}
		var y int32
		if f.magic != 0 {
			y = int32(uint64(i) * f.magic >> 32)
		} else {
			y = i / w
		}
		row := y * w
		l, r := i, i
		for l > row && f.takeRef(l-1) {
			l--
		}
		for r < row+w-1 && f.takeRef(r+1) {
			r++
		}
		if y > 0 {
			f.runsRef(l-w, r-w)
		}
		if y < h-1 {
			f.runsRef(l+w, r+w)
		}
	}
}

// runs pushes the first pixel of each run of acceptable pixels in
// [l, r]; the others are taken when that one is popped.
func (f *flooder) runsRef(l, r int32) {
	in := false
	for j := l; j <= r; j++ {
		ok := f.mark[j] != f.gen && f.acceptsRef(j)
		if ok && !in {
			f.stack = append(f.stack, j)
		}
		in = ok
	}
}

// accepts reports whether pixel i is within bgTolerance of the flood's
// reference, noting it among the turned-away paper if not.
func (f *flooder) acceptsRef(i int32) bool {
	v := f.p.pix[i]
	if tol := bgTolerance * f.gain; v-f.ref > tol || f.ref-v > tol {
		if f.record && v >= paperLevel {
			f.edge = append(f.edge, i)
		}
		return false
	}
	return true
}

// take marks pixel i as flooded if it is acceptable and not yet flooded.
func (f *flooder) takeRef(i int32) bool {
	if f.mark[i] == f.gen || !f.acceptsRef(i) {
		return false
	}
	f.mark[i] = f.gen
	f.bg[i] = true
	if f.p.pix[i] < paperLevel {
		f.dark = true
	}
	return true
}

// floodCase is a flooder in a random state: a plane of screentone-like
// values with unknown pixels, marks of earlier generations, a partial
// mask and seeds on the stack.
func floodCase(rng *rand.Rand, w, h int, record bool) *flooder {
	p := randomPlane(rng, w, h)
	for i := range p.pix {
		switch rng.IntN(8) {
		case 0:
			p.pix[i] = -1
		case 1, 2, 3:
			p.pix[i] = 230 + 25*rng.Float32()
		}
	}
	f := &flooder{p: &p, bg: make([]bool, w*h), mark: make([]uint16, w*h), gain: 1, gen: uint16(1 + rng.IntN(3)), record: record}
	f.ref = float32(rng.IntN(256/bgBucket+1)*bgBucket + bgBucket/2)
	for i := range f.mark {
		f.mark[i] = uint16(rng.IntN(int(f.gen) + 1))
		f.bg[i] = rng.IntN(5) == 0
	}
	if n := uint64(w * h); rng.IntN(2) == 0 && n*uint64(w) < 1<<32 {
		f.magic = (1<<32 + uint64(w) - 1) / uint64(w)
	}
	for range 1 + rng.IntN(2*(w+h)) {
		f.stack = append(f.stack, int32(rng.IntN(w*h)))
	}
	f.edge = append(f.edge, int32(rng.IntN(w*h)))
	return f
}

func cloneFlooder(f *flooder) *flooder {
	g := *f
	g.bg, g.mark = slices.Clone(f.bg), slices.Clone(f.mark)
	g.stack, g.edge = slices.Clone(f.stack), slices.Clone(f.edge)
	return &g
}

// TestSpansMatchesRef checks that spans leaves the flooder as spansRef
// does: the same marks, mask, dark flag and turned-away paper in the same
// order.
func TestSpansMatchesRef(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for k := range 400 {
		w, h := 1+rng.IntN(60), 1+rng.IntN(60)
		if k < 8 {
			w, h = 180, 256
		}
		f := floodCase(rng, w, h, k%2 == 0)
		g := cloneFlooder(f)
		f.spans()
		g.spansRef()
		if !slices.Equal(f.mark, g.mark) || !slices.Equal(f.bg, g.bg) || f.dark != g.dark ||
			!slices.Equal(f.edge, g.edge) || len(f.stack) != len(g.stack) {
			t.Fatalf("case %d (%dx%d): spans differs from spansRef", k, w, h)
		}
	}
}

// BenchmarkSpans floods the white margins of test pages (the first flood
// of markBackground, from the border pixels of paper).
func BenchmarkSpans(b *testing.B) {
	var fs []*flooder
	var seeds [][]int32
	for i := range 4 {
		p := lumaPlane(testpages.Page(testpages.Spec{Series: i, Page: 2 + i}), workingSize, dcSharpen, new(scratch))
		w, h := p.w, p.h
		f := &flooder{p: &p, bg: make([]bool, w*h), mark: make([]uint16, w*h), gain: 1, ref: 252, record: true}
		f.magic = (1<<32 + uint64(w) - 1) / uint64(w)
		var ss []int32
		for i := range p.pix {
			if x, y := i%w, i/w; (x == 0 || y == 0 || x == w-1 || y == h-1) && p.pix[i] >= 248 {
				ss = append(ss, int32(i))
			}
		}
		fs, seeds = append(fs, f), append(seeds, ss)
	}
	for _, v := range []string{"ref", "new"} {
		b.Run(v, func(b *testing.B) {
			k := 0
			for b.Loop() {
				f := fs[k%len(fs)]
				f.gen++
				f.edge = f.edge[:0]
				f.stack = append(f.stack[:0], seeds[k%len(fs)]...)
				if v == "ref" {
					f.spansRef()
				} else {
					f.spans()
				}
				k++
			}
		})
	}
}
