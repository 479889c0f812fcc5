package fingerprint

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// applyRowsRef is applyRows before its path for spans of three rows or
// more inside src.
func applyRowsRef(spans []span, src []float32, w int, dst []float32) {
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

// TestApplyRowsMatchesRef checks applyRows against applyRowsRef on planes
// with unknown samples, for spans inside and beyond the rows, shrinking
// (three rows or more a span) and enlarging.
func TestApplyRowsMatchesRef(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for k := range 1000 {
		w, h, cells := 1+rng.IntN(70), 1+rng.IntN(300), 1+rng.IntN(grid)
		p := randomPlane(rng, w, h)
		for i := range p.pix {
			if rng.IntN(20) == 0 {
				p.pix[i] = -1
			}
		}
		a := rng.Float64() * float64(h) * 0.3
		height := rng.Float64() * (float64(h) - a)
		if k%4 == 0 {
			a, height = rng.Float64()*float64(h)*1.4-float64(h)*0.2, (rng.Float64()*1.3+0.01)*float64(h)
		}
		ys := spansFor(a, height/float64(cells), cells)
		want, got := make([]float32, cells*w), make([]float32, cells*w)
		applyRowsRef(ys, p.pix, w, want)
		applyRows(ys, p.pix, w, got)
		if !slices.Equal(bitsOf(got), bitsOf(want)) {
			t.Fatalf("case %d (%dx%d, %d cells from %v by %v): applyRows differs from applyRowsRef", k, w, h, cells, a, height)
		}
	}
}

// BenchmarkResampleColumns is resample's vertical pass: 256 rows of 64
// cells into 64.
func BenchmarkResampleColumns(b *testing.B) {
	p := randomPlane(rand.New(rand.NewPCG(7, 8)), grid, 256)
	ys := spansFor(3.4, 240.0/grid, grid)
	dst := make([]float32, grid*grid)
	for _, v := range []string{"ref", "new"} {
		b.Run(v, func(b *testing.B) {
			for b.Loop() {
				if v == "ref" {
					applyRowsRef(ys, p.pix, grid, dst)
				} else {
					applyRows(ys, p.pix, grid, dst)
				}
			}
		})
	}
}
