package fingerprint

import "testing"

// TestCornerPanelIsContent checks that a black panel that a crop through
// two sides opened to a corner of the image is content, not background,
// while the fill in the corners of a turned page stays background.
func TestCornerPanelIsContent(t *testing.T) {
	const w, h = 120, 170
	page := func() plane {
		p := new(scratch).plane(w, h)
		for i := range p.pix {
			p.pix[i] = 250
		}
		return p
	}
	set := func(p plane, x0, y0, x1, y1 int, v float32) {
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				p.pix[y*w+x] = v
			}
		}
	}
	// A panel on the page, and a black panel with white specks (stars)
	// cut open on the right and the bottom.
	p := page()
	set(p, 10, 10, 110, 11, 20)
	set(p, 10, 10, 11, 80, 20)
	set(p, 30, 30, 90, 60, 90)
	set(p, 40, 100, w, h, 10)
	for y := 104; y < h; y += 5 {
		for x := 44; x < w; x += 5 {
			p.pix[y*w+x] = 250
		}
	}
	p.markBackground()
	for _, pt := range [][2]int{{w - 2, h - 2}, {41, 101}, {w - 1, 120}, {80, h - 1}} {
		if p.bg[pt[1]*w+pt[0]] {
			t.Errorf("corner panel pixel %v is background", pt)
		}
	}

	// A page turned onto black keeping its size: a wedge of fill in each
	// corner, meeting the page along a straight slope.
	p = page()
	set(p, 20, 20, 100, 150, 120)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if x+y < 25 || (w-1-x)+(h-1-y) < 25 {
				p.pix[y*w+x] = 0
			}
		}
	}
	p.markBackground()
	for _, pt := range [][2]int{{0, 0}, {3, 10}, {w - 1, h - 1}, {w - 8, h - 4}} {
		if !p.bg[pt[1]*w+pt[0]] {
			t.Errorf("fill pixel %v of a turned page is not background", pt)
		}
	}
}
