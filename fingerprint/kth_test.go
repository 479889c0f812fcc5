package fingerprint

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// kth must agree with a sort on every rank, with ties, runs and sorted input.
func TestKthMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gens := map[string]func(i int) float32{
		"random":   func(int) float32 { return rng.Float32()*2 - 1 },
		"few":      func(int) float32 { return float32(rng.IntN(4)) },
		"sorted":   func(i int) float32 { return float32(i) },
		"reversed": func(i int) float32 { return float32(-i) },
		"equal":    func(int) float32 { return 0.5 },
	}
	for name, gen := range gens {
		for _, n := range []int{1, 2, 3, 7, 255} {
			a := make([]float32, n)
			for i := range a {
				a[i] = gen(i)
			}
			sorted := slices.Sorted(slices.Values(a))
			for k := range n {
				b := slices.Clone(a)
				if got := kth(b, k); got != sorted[k] {
					t.Fatalf("%s n=%d k=%d: got %v, want %v", name, n, k, got, sorted[k])
				}
			}
		}
	}
}
