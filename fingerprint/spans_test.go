package fingerprint

import (
	"math"
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

// spansFarRef is spans as it was before acceptRange: far's two
// subtractions at each pixel, and the marks set as the span grows.
func (f *flooder) spansFarRef() {
	w, h := int32(f.p.w), int32(f.p.h)
	pix := f.p.pix
	mark, bg := f.mark[:len(pix)], f.bg[:len(pix)]
	gen, ref, tol, record, dark := f.gen, f.ref, bgTolerance*f.gain, f.record, f.dark
	stack, edge := f.stack, f.edge
	far := func(v float32) bool { return v-ref > tol || ref-v > tol }
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if mark[i] == gen {
			continue
		}
		if v := pix[i]; far(v) {
			if record && v >= paperLevel {
				edge = append(edge, i)
			}
			continue
		}
		mark[i], bg[i] = gen, true
		dark = dark || pix[i] < paperLevel
		var y int32
		if f.magic != 0 {
			y = int32(uint64(i) * f.magic >> 32)
		} else {
			y = i / w
		}
		row := y * w
		l, r := i, i
		for l > row && mark[l-1] != gen {
			v := pix[l-1]
			if far(v) {
				if record && v >= paperLevel {
					edge = append(edge, l-1)
				}
				break
			}
			l--
			mark[l], bg[l] = gen, true
			dark = dark || v < paperLevel
		}
		for r < row+w-1 && mark[r+1] != gen {
			v := pix[r+1]
			if far(v) {
				if record && v >= paperLevel {
					edge = append(edge, r+1)
				}
				break
			}
			r++
			mark[r], bg[r] = gen, true
			dark = dark || v < paperLevel
		}
		// The first pixel of each run of acceptable pixels in the rows
		// above and below goes on the stack; the others are taken when
		// that one is popped.
		for _, d := range [2]int32{-w, w} {
			if d < 0 && y == 0 || d > 0 && y == h-1 {
				continue
			}
			in := false
			for j := l + d; j <= r+d; j++ {
				ok := false
				if mark[j] != gen {
					v := pix[j]
					ok = !far(v)
					if !ok && record && v >= paperLevel {
						edge = append(edge, j)
					}
				}
				if ok && !in {
					stack = append(stack, j)
				}
				in = ok
			}
		}
	}
	f.stack, f.edge, f.dark = stack, edge, dark
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
// does: the same marks, mask and dark flag, and the same pixels of paper
// turned away. Their order and repeats in edge may differ: markBackground
// only floods from them, and a flood's result does not depend on the order
// of its seeds.
func TestSpansMatchesRef(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for k := range 400 {
		w, h := 1+rng.IntN(60), 1+rng.IntN(60)
		if k < 8 {
			w, h = 180, 256
		}
		f := floodCase(rng, w, h, k%2 == 0)
		g := cloneFlooder(f)
		seeds := slices.Clone(f.stack)
		f.stack = f.stack[:0]
		f.spans(seeds)
		g.spansRef()
		if !slices.Equal(f.mark, g.mark) || !slices.Equal(f.bg, g.bg) || f.dark != g.dark ||
			!slices.Equal(pixelSet(f.edge), pixelSet(g.edge)) || len(f.stack) != len(g.stack) {
			t.Fatalf("case %d (%dx%d): spans differs from spansRef", k, w, h)
		}
	}
}

// pixelSet returns the distinct pixels of list, sorted.
func pixelSet(list []int32) []int32 {
	s := slices.Clone(list)
	slices.Sort(s)
	return slices.Compact(s)
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
				if v == "ref" {
					f.stack = append(f.stack[:0], seeds[k%len(fs)]...)
					f.spansFarRef()
				} else {
					f.spans(seeds[k%len(fs)])
				}
				k++
			}
		})
	}
}

// TestAcceptRange checks that lo <= v && v <= hi takes exactly the values
// far's subtractions take, on the references and tolerances of floods on
// pages of any gain: around both bounds, ulp by ulp, and at random.
func TestAcceptRange(t *testing.T) {
	rng := rand.New(rand.NewPCG(47, 48))
	up, down := float32(math.Inf(1)), float32(math.Inf(-1))
	for k := range 3000 {
		gain := float32(1)
		if k%3 != 0 {
			gain = float32(minContrast)/255 + rng.Float32()
		}
		ink := float32(rng.IntN(200)) * rng.Float32()
		ref := ink + gain*float32(rng.IntN(256/bgBucket+1)*bgBucket+bgBucket/2)
		tol := bgTolerance * gain
		lo, hi := acceptRange(ref, tol)
		check := func(v float32) {
			if got, want := lo <= v && v <= hi, !(v-ref > tol || ref-v > tol); got != want {
				t.Fatalf("ref %v, tol %v: [%v, %v] takes %v: %v, want %v", ref, tol, lo, hi, v, got, want)
			}
		}
		for _, b := range []float32{lo, hi, ref - tol, ref + tol} {
			v, u := b, b
			for range 50 {
				check(v)
				check(u)
				v, u = math.Nextafter32(v, up), math.Nextafter32(u, down)
			}
		}
		for range 50 {
			check(ref + (rng.Float32()-0.5)*4*tol)
		}
		check(-1)
		check(0)
	}
}
