package fingerprint

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// smoothRef is smooth before its rows were split into stretches: a test
// per pixel for each end of the window.
func (d *density) smoothRef(col []int64) {
	w, h, r := d.w, d.h, d.r
	inv := 1 / float64((2*r+1)*(2*r+1)) / inkUnit
	clear(col)
	for y := range min(r, h) {
		for x, v := range d.ink[y*w : (y+1)*w] {
			col[x] += inkUnits(v)
		}
	}
	for y := range h {
		if y+r < h {
			for x, v := range d.ink[(y+r)*w : (y+r+1)*w] {
				col[x] += inkUnits(v)
			}
		}
		if y-r-1 >= 0 {
			for x, v := range d.ink[(y-r-1)*w : (y-r)*w] {
				col[x] -= inkUnits(v)
			}
		}
		dens := d.dens[y*w : (y+1)*w]
		var acc int64
		for _, v := range col[:min(r, w)] {
			acc += v
		}
		for x := range dens {
			if x+r < w {
				acc += col[x+r]
			}
			if x-r-1 >= 0 {
				acc -= col[x-r-1]
			}
			dens[x] = float32(float64(acc) * inv)
		}
	}
}

func randomInk(rng *rand.Rand, w, h, r int) *density {
	d := &density{w: w, h: h, r: r, ink: make([]float32, w*h), dens: make([]float32, w*h)}
	for i := range d.ink {
		if rng.IntN(3) == 0 {
			d.ink[i] = min(1, inkFloor+rng.Float32())
		}
	}
	return d
}

func TestSmoothMatchesRef(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	sizes := [][3]int{{180, 256, 5}, {256, 180, 5}, {1, 1, 1}, {1, 9, 5}, {9, 1, 5}, {10, 10, 5}, {11, 11, 5}, {12, 12, 5}, {13, 3, 5}}
	for range 200 {
		sizes = append(sizes, [3]int{1 + rng.IntN(40), 1 + rng.IntN(40), 1 + rng.IntN(12)})
	}
	var ds []*density
	for _, sz := range sizes {
		ds = append(ds, randomInk(rng, sz[0], sz[1], sz[2]))
	}
	// And the ink of real pages as the fast path makes them.
	for _, p := range fastPlanes(t) {
		ds = append(ds, p.density())
	}
	for _, d := range ds {
		d.smooth(make([]int64, d.w))
		got := slices.Clone(d.dens)
		d.smoothRef(make([]int64, d.w))
		if !slices.Equal(got, d.dens) {
			t.Fatalf("%dx%d r %d: smooth differs from the reference", d.w, d.h, d.r)
		}
	}
}

func BenchmarkSmooth(b *testing.B) {
	d := randomInk(rand.New(rand.NewPCG(7, 8)), 180, 256, 5)
	col := make([]int64, d.w)
	b.Run("ref", func(b *testing.B) {
		for b.Loop() {
			d.smoothRef(col)
		}
	})
	b.Run("new", func(b *testing.B) {
		for b.Loop() {
			d.smooth(col)
		}
	})
}
