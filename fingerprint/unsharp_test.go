package fingerprint

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/pagematch/pagematch/internal/testpages"
)

// unsharpRef is unsharp as first written: clamped indices, a copy of the
// old values, min and max.
func (p plane) unsharpRef(a float32) {
	w, h := p.w, p.h
	hs := make([]float32, w*h)
	for y := 0; y < h; y++ {
		row, out := p.pix[y*w:(y+1)*w], hs[y*w:(y+1)*w]
		for x := range row {
			out[x] = row[max(x-1, 0)] + row[x] + row[min(x+1, w-1)]
		}
	}
	old := slices.Clone(p.pix)
	for y := 0; y < h; y++ {
		up, mid, down := hs[max(y-1, 0)*w:][:w], hs[y*w:][:w], hs[min(y+1, h-1)*w:][:w]
		row, src := p.pix[y*w:(y+1)*w], old[y*w:(y+1)*w]
		for x, v := range src {
			mean := (up[x] + mid[x] + down[x]) / 9
			row[x] = min(255, max(0, v+a*(v-mean)))
		}
	}
}

func randomPlane(rng *rand.Rand, w, h int) plane {
	p := plane{w: w, h: h, pix: make([]float32, w*h)}
	for i := range p.pix {
		p.pix[i] = float32(rng.IntN(256)) + rng.Float32()
	}
	return p
}

func TestUnsharpMatchesRef(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, size := range [][2]int{{1, 1}, {1, 7}, {2, 2}, {7, 1}, {150, 213}} {
		p := randomPlane(rng, size[0], size[1])
		q := plane{w: p.w, h: p.h, pix: slices.Clone(p.pix)}
		p.unsharp(dcSharpen)
		q.unsharpRef(dcSharpen)
		if !slices.Equal(p.pix, q.pix) {
			t.Fatalf("%dx%d: unsharp differs from the reference", p.w, p.h)
		}
	}
}

// BenchmarkUnsharp runs on a page, not on noise: where paper meets ink
// the overshoot past 255 comes at random, which decides how clamping
// should be written.
func BenchmarkUnsharp(b *testing.B) {
	src := reducePlane(testpages.Page(testpages.Spec{Series: 1, Page: 2}), workingSize, nil)
	p := plane{w: src.w, h: src.h, pix: slices.Clone(src.pix), s: new(scratch)}
	b.Run("ref", func(b *testing.B) {
		for b.Loop() {
			copy(p.pix, src.pix)
			p.unsharpRef(dcSharpen)
		}
	})
	b.Run("new", func(b *testing.B) {
		for b.Loop() {
			copy(p.pix, src.pix)
			p.s.f32.used = 0
			p.unsharp(dcSharpen)
		}
	})
}
