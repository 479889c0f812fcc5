package fingerprint

import (
	"slices"
	"testing"
)

// TestOuterBox checks that a side moves only to an alternative position
// that touches the image edge, and to the one nearest it.
func TestOuterBox(t *testing.T) {
	full := rect{0, 0, 180, 256}
	box := rect{20, 30, 160, 230}
	alts := []rect{
		{10, 30, 160, 230}, // left nearer the edge but not touching: ignored
		{20, 4, 160, 230},  // top touches
		{20, 2, 175, 230},  // top nearer still; right touches
		{20, 30, 160, 240}, // bottom inside: ignored
		{25, 40, 150, 220}, // every side inwards: ignored
	}
	if got, want := outerBox(box, full, alts), (rect{20, 2, 175, 230}); got != want {
		t.Errorf("outerBox = %v, want %v", got, want)
	}
	if got := outerBox(box, full, nil); got != box {
		t.Errorf("outerBox without alternatives = %v, want the box %v", got, box)
	}
}

// TestCropHypothesesAllSides checks that a box touching three sides is
// also grown on all three together, and that one touching two is not.
func TestCropHypothesesAllSides(t *testing.T) {
	full := rect{0, 0, 180, 256}
	box := rect{2, 3, 178, 200} // touches left, top and right
	b := box.f()
	all := func(f float64) frect {
		w, h := b.x1-b.x0, b.y1-b.y0
		return frect{b.x0 - f*w, b.y0 - f*h, b.x1 + f*w, b.y1}
	}
	got := cropHypotheses(box, full, [4]bool{})
	for _, f := range uncropTwo[1:] {
		if !slices.Contains(got, all(f)) {
			t.Errorf("three sides: no hypothesis %v grown by %v on all of them in %v", all(f), f, got)
		}
	}
	two := cropHypotheses(rect{2, 3, 170, 200}, full, [4]bool{})
	if n := 8; len(two) != n {
		t.Errorf("two sides: %d hypotheses, want the %d of the grid", len(two), n)
	}
}
