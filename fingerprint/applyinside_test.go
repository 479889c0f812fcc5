package fingerprint

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestApplyInsideMatchesApply checks applyInside against apply on rows
// with unknown samples, for boxes inside and beyond the row, shrinking
// and enlarging.
func TestApplyInsideMatchesApply(t *testing.T) {
	rng := rand.New(rand.NewPCG(39, 40))
	for k := range 2000 {
		n, cells := 1+rng.IntN(300), 1+rng.IntN(grid)
		src := make([]float32, n)
		for i := range src {
			src[i] = float32(rng.IntN(256)) + rng.Float32()
			if rng.IntN(20) == 0 {
				src[i] = -1
			}
		}
		a := rng.Float64() * float64(n) * 0.3
		width := rng.Float64() * (float64(n) - a)
		if k%4 == 0 {
			a, width = rng.Float64()*float64(n)*1.4-float64(n)*0.2, (rng.Float64()*1.3+0.01)*float64(n)
		}
		xs := spansFor(a, width/float64(cells), cells)
		wsums := make([]float32, cells)
		if !spanWeights(xs, n, wsums) {
			continue
		}
		want, got := make([]float32, cells), make([]float32, cells)
		apply(xs, src, want, 255)
		applyInside(xs, wsums, src, got)
		if !slices.Equal(bitsOf(got), bitsOf(want)) {
			t.Fatalf("case %d (%d samples, %d cells from %v by %v): applyInside differs from apply", k, n, cells, a, width)
		}
	}
}

func bitsOf(f []float32) []uint32 {
	out := make([]uint32, len(f))
	for i, v := range f {
		out[i] = math.Float32bits(v)
	}
	return out
}

func BenchmarkResampleRows(b *testing.B) {
	p := randomPlane(rand.New(rand.NewPCG(7, 8)), 180, 256)
	xs := spansFor(3.4, 170.0/grid, grid)
	var wsums [grid]float32
	spanWeights(xs, p.w, wsums[:])
	dst := make([]float32, grid)
	for _, v := range []string{"ref", "new"} {
		b.Run(v, func(b *testing.B) {
			for b.Loop() {
				for y := range p.h {
					row := p.pix[y*p.w : (y+1)*p.w]
					if v == "ref" {
						apply(xs, row, dst, 255)
					} else {
						applyInside(xs, wsums[:], row, dst)
					}
				}
			}
		})
	}
}
