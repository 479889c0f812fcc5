package fingerprint

import "testing"

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
