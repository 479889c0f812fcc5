package fingerprint

import (
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
		k := pairs(xs, n)
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
			applyPairs(xs[:k], src, got[:k])
			apply(xs[k:], src, got[k:], 255)
			if !slices.Equal(want, got) {
				t.Fatalf("%d -> %d: applyPairs differs from apply", n, w)
			}
		}
	}
	for _, sz := range [][2]int{{150, 180}, {213, 256}} {
		if k := pairs(spansFor(0, float64(sz[0])/float64(sz[1]), sz[1]), sz[0]); k < sz[1]-1 {
			t.Errorf("%d -> %d: %d pairs", sz[0], sz[1], k)
		}
	}
}

func BenchmarkResizeRows(b *testing.B) {
	src := randomPlane(rand.New(rand.NewPCG(7, 8)), 150, 213)
	xs := spansFor(0, 150.0/180, 180)
	k := pairs(xs, 150)
	dst := make([]float32, 180*213)
	b.Run("ref", func(b *testing.B) {
		for b.Loop() {
			for y := 0; y < src.h; y++ {
				apply(xs, src.pix[y*150:(y+1)*150], dst[y*180:(y+1)*180], 255)
			}
		}
	})
	b.Run("new", func(b *testing.B) {
		for b.Loop() {
			for y := 0; y < src.h; y++ {
				s, d := src.pix[y*150:(y+1)*150], dst[y*180:(y+1)*180]
				applyPairs(xs[:k], s, d[:k])
				apply(xs[k:], s, d[k:], 255)
			}
		}
	})
}
