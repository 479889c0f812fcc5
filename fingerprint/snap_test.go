package fingerprint

import (
	"math/rand/v2"
	"testing"
)

// inkRect sets the ink of the rows [y0, y1) and columns [x0, x1) of d.
func inkRect(d *density, x0, y0, x1, y1 int, v float32) {
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			d.ink[y*d.w+x] = v
		}
	}
}

// A strip of ink that empty lines part from the content (a watermark in
// the margin) is cut off; content without such a gap is left alone.
func TestGapSnap(t *testing.T) {
	d := &density{w: 50, h: 100, ink: make([]float32, 50*100)}
	inkRect(d, 0, 10, 50, 100, 1) // the content
	inkRect(d, 20, 3, 45, 6, 1)   // a strip above it, rows 6-9 empty
	got := d.gapSnap(rect{0, 3, 50, 100})
	if want := (rect{0, 10, 50, 100}); got != want {
		t.Errorf("gapSnap = %v, want %v", got, want)
	}
	// The gap must lie within snapReach of the side.
	d = &density{w: 50, h: 100, ink: make([]float32, 50*100)}
	inkRect(d, 0, 30, 50, 100, 1)
	inkRect(d, 20, 3, 45, 6, 1)
	if got, want := d.gapSnap(rect{0, 3, 50, 100}), (rect{0, 3, 50, 100}); got != want {
		t.Errorf("gapSnap beyond reach = %v, want %v", got, want)
	}
	// Faint ink below lineInk does not close a gap.
	d = &density{w: 50, h: 100, ink: make([]float32, 50*100)}
	inkRect(d, 0, 10, 50, 100, 1)
	inkRect(d, 20, 3, 45, 6, 1)
	inkRect(d, 0, 7, 50, 8, lineInk/2)
	if got, want := d.gapSnap(rect{0, 3, 50, 100}), (rect{0, 10, 50, 100}); got != want {
		t.Errorf("gapSnap with faint ink = %v, want %v", got, want)
	}
}

// cover counts on bit sets; it must agree with counting pixel by pixel,
// in both directions, at every word boundary.
func TestCoverMatchesScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range [][2]int{{50, 100}, {130, 70}, {256, 181}} {
		d := &density{w: size[0], h: size[1], ink: make([]float32, size[0]*size[1])}
		for i := range d.ink {
			if rng.IntN(4) == 0 {
				d.ink[i] = rng.Float32()
			}
		}
		for range 2000 {
			rows := rng.IntN(2) == 0
			lines, along := d.h, d.w
			if !rows {
				lines, along = d.w, d.h
			}
			a := rng.IntN(lines)
			c := a + rng.IntN(min(8, lines-a)+1)
			lo := rng.IntN(along)
			hi := lo + rng.IntN(along-lo+1)
			n := 0
			for j := lo; j < hi; j++ {
				for i := a; i < c; i++ {
					k := i*d.w + j
					if !rows {
						k = j*d.w + i
					}
					if d.ink[k] >= lineInk {
						n++
						break
					}
				}
			}
			want := float64(n) / float64(max(1, hi-lo))
			if got := d.cover(rows, a, c, lo, hi); got != want {
				t.Fatalf("%dx%d: cover(%v, %d, %d, %d, %d) = %v, want %v", d.w, d.h, rows, a, c, lo, hi, got, want)
			}
		}
	}
}

// smooth's fixed-point sliding sums must give what summing each window
// directly gives.
func TestSmoothMatchesWindowSums(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, size := range [][3]int{{50, 100, 2}, {181, 256, 5}, {7, 9, 5}} {
		w, h, r := size[0], size[1], size[2]
		d := &density{w: w, h: h, r: r, ink: make([]float32, w*h), dens: make([]float32, w*h)}
		for i := range d.ink {
			if rng.IntN(3) == 0 {
				d.ink[i] = min(1, inkFloor+rng.Float32())
			}
		}
		d.smooth(make([]int64, w))
		area := float64((2*r + 1) * (2*r + 1))
		for y := range h {
			for x := range w {
				var sum float64
				for v := max(0, y-r); v < min(h, y+r+1); v++ {
					for u := max(0, x-r); u < min(w, x+r+1); u++ {
						sum += float64(d.ink[v*w+u])
					}
				}
				if want := float32(sum / area); d.dens[y*w+x] != want {
					t.Fatalf("%dx%d r %d: dens at (%d,%d) = %v, want %v", w, h, r, x, y, d.dens[y*w+x], want)
				}
			}
		}
	}
}
