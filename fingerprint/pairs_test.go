package fingerprint

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestApplyPairsMatchesApply checks applyPairs against apply on random
// rows with unknown (negative) samples, for the enlargements lumaPlane
// makes and random ones.
func TestApplyPairsMatchesApply(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	sizes := [][2]int{{150, 180}, {213, 256}, {180, 256}, {1, 1}, {1, 2}, {2, 3}, {100, 101}, {200, 256}}
	for range 300 {
		n := 1 + rng.IntN(256)
		sizes = append(sizes, [2]int{n, n + rng.IntN(n+1)})
	}
	for _, sz := range sizes {
		n, w := sz[0], sz[1]
		xs := spansFor(0, float64(n)/float64(w), w)
		ps := pairs(xs, n, nil)
		k := len(ps.a)
		src := make([]float32, n)
		for range 20 {
			for i := range src {
				src[i] = float32(rng.IntN(256)) + rng.Float32()
				switch rng.IntN(10) {
				case 0:
					src[i] = -1
				case 1:
					src[i] = float32(rng.IntN(256))
				case 2:
					src[i] = 0
				}
			}
			want, got := make([]float32, w), make([]float32, w)
			apply(xs, src, want, 255)
			applyPairs(&ps, src, got[:k])
			apply(xs[k:], src, got[k:], 255)
			if !slices.Equal(want, got) {
				t.Fatalf("%d -> %d: applyPairs differs from apply", n, w)
			}
		}
	}
	for _, sz := range [][2]int{{150, 180}, {213, 256}} {
		if k := len(pairs(spansFor(0, float64(sz[0])/float64(sz[1]), sz[1]), sz[0], nil).a); k < sz[1]-1 {
			t.Errorf("%d -> %d: %d pairs", sz[0], sz[1], k)
		}
	}
}

// applyPairsRef is applyPairs as it was before pairSpans: the fields of
// each span read from a slice of spans, its sum of weights made per row.
func applyPairsRef(spans []span, src []float32, dst []float32) {
	dst = dst[:len(spans)]
	for i, sp := range spans {
		a, b := src[sp.j0], src[sp.j1-1]
		if a < 0 {
			a = 255
		}
		if b < 0 {
			b = 255
		}
		sum := a*sp.w0 + b*sp.w1
		wsum := sp.w0 + sp.w1
		d := float32(255)
		if wsum > 0 {
			d = sum / wsum
		}
		dst[i] = d
	}
}

// BenchmarkApplyPairs resamples the rows of DC thumbnails across, as
// lumaPlane does.
func BenchmarkApplyPairs(b *testing.B) {
	var planes []plane
	for _, g := range dcThumbs(b) {
		planes = append(planes, reducePlane(g, workingSize, nil))
	}
	w, h := planes[0].w, planes[0].h
	ow := int(math.Round(float64(w) * workingSize / float64(h)))
	xs := spansFor(0, float64(w)/float64(ow), ow)
	ps := pairs(xs, w, nil)
	dst := make([]float32, ow)
	for _, v := range []string{"ref", "new"} {
		b.Run(v, func(b *testing.B) {
			k := 0
			for b.Loop() {
				p := planes[k%len(planes)]
				for y := range p.h {
					src := p.pix[y*p.w : (y+1)*p.w]
					if v == "ref" {
						applyPairsRef(xs[:len(ps.a)], src, dst)
					} else {
						applyPairs(&ps, src, dst)
					}
				}
				k++
			}
		})
	}
}
