package fingerprint

import "testing"

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
