package fingerprint

import "testing"

// TestAcrossBandIsContent checks that dark art that a crop through two
// opposite sides left as a band from edge to edge is content, while a
// banner across the margin, a band as shallow as the pirate families'
// 4-8% of the page, stays background.
func TestAcrossBandIsContent(t *testing.T) {
	const w, h = 120, 170
	p := whitePlane(w, h)
	set := func(x0, y0, x1, y1 int, v float32) { fillRect(p, x0, y0, x1, y1, v) }
	// A framed panel, a black band with white specks (stars) through
	// both sides, 30 of 170 lines deep, and a grey banner 10 lines deep
	// with letters on it in the bottom margin.
	set(10, 10, 110, 11, 20)
	set(10, 10, 11, 50, 20)
	set(30, 20, 90, 45, 90)
	set(0, 60, w, 90, 10)
	for y := 64; y < 90; y += 5 {
		for x := 4; x < w; x += 5 {
			p.pix[y*w+x] = 250
		}
	}
	set(0, 150, w, 160, 120)
	for x := 10; x < w-10; x += 8 {
		set(x, 152, x+3, 158, 250)
	}
	p.markBackground()
	for _, pt := range [][2]int{{0, 70}, {w - 1, 80}, {60, 61}, {2, 89}} {
		if p.bg[pt[1]*w+pt[0]] {
			t.Errorf("band pixel %v is background", pt)
		}
	}
	for _, pt := range [][2]int{{0, 155}, {w - 1, 151}, {60, 159}} {
		if !p.bg[pt[1]*w+pt[0]] {
			t.Errorf("banner pixel %v is not background", pt)
		}
	}
}

// whitePlane is a w×h plane of paper.
func whitePlane(w, h int) plane {
	p := new(scratch).plane(w, h)
	for i := range p.pix {
		p.pix[i] = 250
	}
	return p
}

// fillRect sets the pixels of [x0, x1)×[y0, y1) of p to v.
func fillRect(p plane, x0, y0, x1, y1 int, v float32) {
	for y := y0; y < y1; y++ {
		row := p.pix[y*p.w : (y+1)*p.w]
		for x := x0; x < x1; x++ {
			row[x] = v
		}
	}
}
