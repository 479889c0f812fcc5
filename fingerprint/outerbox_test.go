package fingerprint

import (
	"math"
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

// TestAltUncrop checks that each alternative box moving one side away
// from the edge is grown on the touching sides, and that alternatives
// moving a touching side or several sides are passed over.
func TestAltUncrop(t *testing.T) {
	box := rect{2, 40, 150, 200}
	touch := [4]bool{true, false, false, false}
	alts := []rect{
		{0, 40, 150, 200}, // moves the touching side
		{2, 30, 150, 190}, // moves two sides
		{2, 20, 150, 200}, // moves the top, away from the edge
		{2, 40, 140, 200}, // moves the right side, away from the edge
	}
	got := altUncrop(box, touch, alts)
	want := []frect{{2 - uncropAlt*148, 20, 150, 200}, {2 - uncropAlt*138, 40, 140, 200}}
	if len(got) != len(want) {
		t.Fatalf("altUncrop = %v; want %v", got, want)
	}
	for i, r := range got {
		w := want[i]
		if math.Abs(r.x0-w.x0) > 1e-9 || r.y0 != w.y0 || r.x1 != w.x1 || r.y1 != w.y1 {
			t.Errorf("altUncrop box %d = %v; want %v", i, r, w)
		}
	}
	if got := altUncrop(box, [4]bool{}, alts); len(got) != 0 {
		t.Errorf("altUncrop gave %v for a box touching no edge", got)
	}
}

// TestAltUncropIn checks that each alternative box moving one touching
// side inwards is grown on the other touching sides, and that
// alternatives moving a side away from the edge, outwards or several
// sides are passed over.
func TestAltUncropIn(t *testing.T) {
	box := rect{0, 2, 160, 200}
	touch := [4]bool{false, true, true, false}
	alts := []rect{
		{0, 2, 150, 200}, // the touching right side in
		{0, 2, 160, 190}, // the bottom, away from the edge
		{0, 0, 160, 200}, // the top out
		{0, 6, 150, 200}, // two sides
		{0, 5, 160, 200}, // the touching top in
	}
	got := altUncropIn(box, touch, alts)
	want := []frect{
		{0, 2 - uncropAlt*198, 150, 200},
		{0, 5, 160 + uncropAlt*160, 200},
	}
	if len(got) != len(want) {
		t.Fatalf("altUncropIn = %v; want %v", got, want)
	}
	for i := range want {
		if math.Abs(got[i].y0-want[i].y0) > 1e-9 || math.Abs(got[i].x1-want[i].x1) > 1e-9 || got[i].x0 != want[i].x0 || got[i].y1 != want[i].y1 {
			t.Errorf("altUncropIn box %d = %v; want %v", i, got[i], want[i])
		}
	}
	if got := altUncropIn(box, [4]bool{}, alts); len(got) != 0 {
		t.Errorf("altUncropIn gave %v for a box touching no edge", got)
	}
}
