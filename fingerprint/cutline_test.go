package fingerprint

import "testing"

// TestCutFrameLineIsContent checks that a panel's frame that a crop left
// reaching the image edge is content, not background, while a letterbox
// bar of the same darkness stays background.
func TestCutFrameLineIsContent(t *testing.T) {
	const w, h = 120, 170
	p := new(scratch).plane(w, h)
	for i := range p.pix {
		p.pix[i] = 250
	}
	set := func(x0, y0, x1, y1 int, v float32) {
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				p.pix[y*w+x] = v
			}
		}
	}
	// A panel cut open on the left: its top, bottom and right frames.
	set(0, 30, 80, 31, 20)
	set(0, 100, 80, 101, 20)
	set(79, 30, 80, 101, 20)
	set(20, 50, 60, 80, 90) // art inside it
	// A bar along the bottom, and a panel beside it on the page.
	set(0, h-12, w, h, 20)
	set(90, 30, 110, 101, 60)
	p.markBackground()
	for _, pt := range [][2]int{{0, 30}, {40, 30}, {40, 100}, {79, 60}} {
		if p.bg[pt[1]*w+pt[0]] {
			t.Errorf("frame pixel %v is background", pt)
		}
	}
	if !p.bg[(h-5)*w+60] {
		t.Error("the bar is not background")
	}
}
