package fingerprint

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/pagematch/pagematch/internal/testpages"
)

// runsRef lists the runs of row at or above t as label found them before
// denseRun: a pixel at a time, bounded by the density's width w.
func runsRef(row []float32, w int, t float32, out [][2]int) [][2]int {
	for x := 0; x < w; {
		if row[x] < t {
			x++
			continue
		}
		x0 := x
		for x < w && row[x] >= t {
			x++
		}
		out = append(out, [2]int{x0, x})
	}
	return out
}

// runsNew lists them as label finds them now.
func runsNew(row []float32, t float32, out [][2]int) [][2]int {
	for x0, x := denseRun(row, t, 0); x0 < len(row); x0, x = denseRun(row, t, x) {
		out = append(out, [2]int{x0, x})
	}
	return out
}

func TestDenseRunMatchesRef(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	for k := range 20000 {
		n := 1 + rng.IntN(300)
		row := make([]float32, n)
		tau := float32(densityTau)
		p := rng.Float64()
		for x := 0; x < n; {
			// Runs of random lengths, some of exactly t.
			l := 1 + rng.IntN(1+[3]int{3, 12, 200}[k%3])
			v := tau * rng.Float32()
			switch r := rng.Float64(); {
			case r < p/2:
				v = tau
			case r < p:
				v = tau + rng.Float32()
			}
			for ; l > 0 && x < n; l-- {
				row[x] = v
				x++
			}
		}
		if got, want := runsNew(row, tau, nil), runsRef(row, n, tau, nil); !slices.Equal(got, want) {
			t.Fatalf("case %d (%d pixels): runs %v, want %v", k, n, got, want)
		}
	}
}

// BenchmarkDenseRuns finds the runs of the density maps of test pages at
// the three thresholds the box search labels.
func BenchmarkDenseRuns(b *testing.B) {
	var ds []*density
	for i := range 4 {
		p := lumaPlane(testpages.Page(testpages.Spec{Series: i, Page: 2 + i}), workingSize, dcSharpen, new(scratch))
		p.markBackground()
		ds = append(ds, p.density())
	}
	out := make([][2]int, 0, workingSize)
	for _, v := range []string{"ref", "new"} {
		b.Run(v, func(b *testing.B) {
			for b.Loop() {
				for _, d := range ds {
					for _, t := range []float32{0.03, 0.08, densityTau} {
						for y := range d.h {
							row := d.dens[y*d.w : (y+1)*d.w]
							if v == "ref" {
								out = runsRef(row, d.w, t, out[:0])
							} else {
								out = runsNew(row, t, out[:0])
							}
						}
					}
				}
			}
		})
	}
}
