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
			rows, a, c, lo, hi := randomLines(rng, d, 0)
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

// randomLines draws lines [a, c) of d, up to 8 and at least least of
// them, in rows or columns, and positions [lo, hi) along them, at least
// least of them.
func randomLines(rng *rand.Rand, d *density, least int) (rows bool, a, c, lo, hi int) {
	rows = rng.IntN(2) == 0
	lines, along := d.h, d.w
	if !rows {
		lines, along = d.w, d.h
	}
	a = rng.IntN(lines)
	c = a + least + rng.IntN(min(8, lines-a)+1-least)
	lo = rng.IntN(along)
	hi = lo + least + rng.IntN(along-lo+1-least)
	return rows, a, c, lo, hi
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

// A thin frame reads alike whether it falls within one plane line or
// across two, and so does a thin line of stray ink beyond it: a page
// shifted by a pixel on the image grid snaps as its original does.
func TestSnapSplitLines(t *testing.T) {
	page := func() *density {
		d := &density{w: 60, h: 100, ink: make([]float32, 60*100)}
		inkRect(d, 0, 30, 60, 100, 1) // the content
		inkRect(d, 0, 14, 10, 17, 1)  // stray ink above the frame, on a sixth of the width
		return d
	}
	b := rect{0, 14, 60, 100}
	for _, tc := range []struct {
		name string
		draw func(d *density)
		want int
	}{
		{"frame in one line", func(d *density) { inkRect(d, 0, 20, 60, 21, 0.4) }, 20},
		{"frame across two lines", func(d *density) { inkRect(d, 0, 20, 60, 22, 0.2) }, 20},
		{"frame mostly in its inner line", func(d *density) {
			inkRect(d, 0, 20, 60, 21, 0.1)
			inkRect(d, 0, 21, 60, 22, 0.3)
		}, 21},
		{"stray text across two lines", func(d *density) {
			inkRect(d, 0, 20, 60, 21, 0.4)
			// Two words, each too short for a frame, of ink under
			// lineInk in each line and over pairInk in two.
			inkRect(d, 10, 15, 30, 17, 0.12)
			inkRect(d, 30, 17, 55, 19, 0.12)
		}, 14},
	} {
		d := page()
		tc.draw(d)
		if got := d.snap(b); got.y0 != tc.want {
			t.Errorf("%s: snapped top %d, want %d", tc.name, got.y0, tc.want)
		}
	}
}

// pairCover counts on cached bit sets; it must agree with summing each
// pair of lines pixel by pixel, in both directions, at every word
// boundary, for ranges of one line and more.
func TestPairCoverMatchesScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, size := range [][2]int{{50, 100}, {130, 70}, {256, 181}} {
		d := &density{w: size[0], h: size[1], ink: make([]float32, size[0]*size[1])}
		for i := range d.ink {
			if rng.IntN(3) == 0 {
				d.ink[i] = rng.Float32() * 0.4
			}
		}
		for range 2000 {
			rows, a, c, lo, hi := randomLines(rng, d, 1)
			ink := func(i, j int) float32 { // line i, position j
				if rows {
					return d.ink[i*d.w+j]
				}
				return d.ink[j*d.w+i]
			}
			n := 0
			for j := lo; j < hi; j++ {
				hit := c-a == 1 && ink(a, j) >= lineInk
				for i := a; i+1 < c; i++ {
					hit = hit || ink(i, j)+ink(i+1, j) >= pairInk
				}
				n += int(b2u(hit))
			}
			want := float64(n) / float64(hi-lo)
			if got := d.pairCover(rows, a, c, lo, hi); got != want {
				t.Fatalf("%dx%d: pairCover(%v, %d, %d, %d, %d) = %v, want %v", d.w, d.h, rows, a, c, lo, hi, got, want)
			}
		}
	}
}
