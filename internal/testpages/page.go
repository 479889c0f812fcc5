package testpages

import (
	"image"
	"math"
)

// panel is one frame of a page in design units.
type panel struct {
	q     []pt // convex quad TL, TR, BR, BL (after bleed)
	frame []pt // the quad before bleed, used for placing bubbles
	bleed bool
}

// plan holds every decision about a page except the bubble text, so that
// text variants share the art pixel for pixel.
type plan struct {
	series, page int
	st           *style
	layout       int
	shift        pt // where the live area starts on this page
	panels       []panel
	bubbles      []bubble
}

func makePlan(series, page int) *plan {
	st := seriesStyle(series)
	r := newRng(purposePage, series, page)
	pl := &plan{series: series, page: page, st: st}
	pl.layout = r.n(len(st.layouts))
	// Binding side alternates; half of the pages sit a little off because
	// of trimming or scanning.
	left := st.mInner
	if page%2 == 1 {
		left = st.mOuter
	}
	pl.shift = pt{left, st.mTop}
	if r.chance(0.5) {
		pl.shift = pl.shift.add(pt{r.rf(-0.006, 0.006) * designW, r.rf(-0.005, 0.005) * designH})
	}
	for _, q := range st.layouts[pl.layout] {
		qq := make([]pt, len(q))
		for i, p := range q {
			qq[i] = p.add(pl.shift)
		}
		pl.panels = append(pl.panels, panel{q: qq, frame: qq})
	}
	if r.chance(0.15) {
		pl.bleedOne(r)
	}
	pl.placeBubbles(r)
	return pl
}

// bleedOne extends one panel that touches the live-area edge to the page
// edge on that side.
func (pl *plan) bleedOne(r *rng) {
	lx0, ly0, lx1, ly1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range pl.panels {
		x0, y0, x1, y1 := bbox(p.q)
		lx0, ly0 = math.Min(lx0, x0), math.Min(ly0, y0)
		lx1, ly1 = math.Max(lx1, x1), math.Max(ly1, y1)
	}
	const eps = 0.01
	type cand struct{ i, side int }
	var cands []cand
	for i, p := range pl.panels {
		for _, v := range p.q {
			switch {
			case math.Abs(v.x-lx0) < eps:
				cands = append(cands, cand{i, 0})
			case math.Abs(v.x-lx1) < eps:
				cands = append(cands, cand{i, 1})
			}
			switch {
			case math.Abs(v.y-ly0) < eps:
				cands = append(cands, cand{i, 2})
			case math.Abs(v.y-ly1) < eps:
				cands = append(cands, cand{i, 3})
			}
		}
	}
	c := cands[r.n(len(cands))]
	p := &pl.panels[c.i]
	q := make([]pt, len(p.q))
	copy(q, p.q)
	const out = 30 // beyond the page edge so no border shows
	for k, v := range q {
		switch {
		case c.side == 0 && math.Abs(v.x-lx0) < eps:
			q[k].x = -out
		case c.side == 1 && math.Abs(v.x-lx1) < eps:
			q[k].x = designW + out
		case c.side == 2 && math.Abs(v.y-ly0) < eps:
			q[k].y = -out
		case c.side == 3 && math.Abs(v.y-ly1) < eps:
			q[k].y = designH + out
		}
	}
	p.q = q
	p.bleed = true
}

// Page renders a greyscale manga page.
func Page(s Spec) *image.Gray {
	img := newGray(s)
	cv := newCanvas(img)
	pl := makePlan(s.Series, s.Page)
	pl.draw(cv, s.Text)
	cv.smooth()
	return img
}

// Bubbles returns the pixel bounds of the speech bubbles and narration boxes
// of the page at the Spec's size, outline and tail included. Text variants of
// a page differ only inside these rectangles.
func Bubbles(s Spec) []image.Rectangle {
	w, h := s.Size()
	sx, sy := float64(w)/designW, float64(h)/designH
	pl := makePlan(s.Series, s.Page)
	out := make([]image.Rectangle, 0, len(pl.bubbles))
	for _, b := range pl.bubbles {
		x0, y0, x1, y1 := b.bounds()
		r := image.Rect(int(math.Floor(x0*sx))-2, int(math.Floor(y0*sy))-2,
			int(math.Ceil(x1*sx))+2, int(math.Ceil(y1*sy))+2)
		out = append(out, r.Intersect(image.Rect(0, 0, w, h)))
	}
	return out
}

func (pl *plan) draw(cv *canvas, text int) {
	cv.fillAll(255)
	ink := solid(0)
	for i, p := range pl.panels {
		cv.setClip(p.q)
		drawPanel(cv, pl.st, newRng(purposePanel, pl.series, pl.page, i), p)
		cv.setClip(nil)
		cv.quadOutline(&ink, p.q, pl.st.border)
	}
	pl.drawSFX(cv)
	for i := range pl.bubbles {
		pl.bubbles[i].draw(cv, pl.st)
		pl.bubbles[i].drawText(cv, pl.st, newRng(purposeText, pl.series, pl.page, text, i), text)
	}
	drawNumber(cv, &ink, pl.page+1, pt{designW / 2, designH - pl.st.mBottom/2}, 16, pl.st.lineW)
}
