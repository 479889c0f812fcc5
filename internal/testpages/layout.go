package testpages

import "math"

// toneSpec is one screentone sheet a series uses; period is in design units.
type toneSpec struct {
	period, angle, dens float64
	lines               bool
}

// style is everything a series shares across its pages.
type style struct {
	mTop, mBottom, mInner, mOuter float64 // margins, design units
	border                        float64 // panel border width
	gutterH, gutterV              float64 // gaps between rows / columns
	layouts                       [][][]pt
	tones                         []toneSpec
	lineW                         float64 // base ink width
	busy                          float64 // how much detail per panel
	blackLove                     float64 // fondness for solid black areas
	scenes                        []float64
	hairBlack                     float64 // probability that hair is solid black
	em                            float64 // bubble text size
	bubbleKind                    []float64
	sfx                           float64 // expected sound effects per page
}

func seriesStyle(series int) *style {
	r := newRng(purposeSeries, series)
	st := &style{
		mTop:      designH * r.rf(0.045, 0.075),
		mBottom:   designH * r.rf(0.055, 0.085),
		mInner:    designW * r.rf(0.045, 0.07),
		mOuter:    designW * r.rf(0.055, 0.085),
		border:    r.rf(2, 4),
		gutterH:   r.rf(18, 34),
		gutterV:   r.rf(9, 18),
		lineW:     r.rf(1.6, 2.8),
		busy:      r.rf(0.7, 1.3),
		blackLove: r.rf(0.1, 0.45),
		hairBlack: r.rf(0.2, 0.8),
		em:        r.rf(20, 27),
		sfx:       r.rf(0.2, 1.5),
	}
	// closeup, figures, scenery, action, object, dark
	st.scenes = []float64{r.rf(1, 3), r.rf(1, 3), r.rf(0.5, 2), r.rf(0.3, 2), r.rf(0.5, 1.5), r.rf(0.1, 0.8)}
	// ellipse, rounded box, shout, narration
	st.bubbleKind = []float64{r.rf(2, 4), r.rf(0.5, 2), r.rf(0.2, 1), r.rf(0.2, 0.8)}
	nt := r.rn(3, 5)
	for i := 0; i < nt; i++ {
		ang := []float64{45, 45, 0, 30, 60, 15}[r.n(6)]
		st.tones = append(st.tones, toneSpec{
			period: r.rf(4.5, 9),
			angle:  ang * math.Pi / 180,
			dens:   r.rf(0.12, 0.6),
			lines:  r.chance(0.12),
		})
	}
	liveW := designW - st.mInner - st.mOuter
	liveH := designH - st.mTop - st.mBottom
	nl := r.rn(4, 6)
	for i := 0; i < nl; i++ {
		st.layouts = append(st.layouts, makeLayout(newRng(purposeLayout, series, i), liveW, liveH, st.gutterH, st.gutterV))
	}
	return st
}

// cutPoints finds where a cut meets edge a0->a1 at ta and edge b0->b1 at
// tb, and returns the points a half gutter g before and after the cut on
// each edge.
func cutPoints(a0, a1, b0, b1 pt, ta, tb, g float64) (aPre, aPost, bPre, bPost pt) {
	la, lb := a1.sub(a0).len(), b1.sub(b0).len()
	return lerp(a0, a1, ta-g/2/la), lerp(a0, a1, ta+g/2/la), lerp(b0, b1, tb-g/2/lb), lerp(b0, b1, tb+g/2/lb)
}

// hsplit cuts a quad (TL, TR, BR, BL) with a roughly horizontal line that
// meets the left edge at tl and the right edge at tr (edge parameters), and
// leaves a gutter g between the halves.
func hsplit(q []pt, tl, tr, g float64) (top, bottom []pt) {
	l0, l1, r0, r1 := cutPoints(q[0], q[3], q[1], q[2], tl, tr, g)
	return []pt{q[0], q[1], r0, l0}, []pt{l1, r1, q[2], q[3]}
}

// vsplit cuts a quad with a roughly vertical line meeting the top edge at tt
// and the bottom edge at tb.
func vsplit(q []pt, tt, tb, g float64) (left, right []pt) {
	t0, t1, b0, b1 := cutPoints(q[0], q[1], q[3], q[2], tt, tb, g)
	return []pt{q[0], t0, b0, q[3]}, []pt{t1, q[1], q[2], b1}
}

// makeLayout builds a panel layout in live-area coordinates: rows cut from
// the top, each row split into one to three panels, sometimes with a tall
// panel beside two stacked ones, sometimes with slanted cuts.
func makeLayout(r *rng, w, h, gh, gv float64) [][]pt {
	for attempt := 0; ; attempt++ {
		out := tryLayout(r, w, h, gh, gv)
		if attempt > 20 || layoutOK(out) {
			return out
		}
	}
}

func tryLayout(r *rng, w, h, gh, gv float64) [][]pt {
	rows := []int{2, 3, 3, 4, 4, 5}[r.n(6)]
	wts := make([]float64, rows)
	var sum float64
	for i := range wts {
		wts[i] = r.rf(0.6, 1.5)
		sum += wts[i]
	}
	rest := []pt{{0, 0}, {w, 0}, {w, h}, {0, h}}
	var out [][]pt
	for i := 0; i < rows; i++ {
		row := rest
		if i < rows-1 {
			t := wts[i] / sum
			sum -= wts[i]
			sl := 0.0
			if r.chance(0.15) {
				sl = r.rf(-0.25, 0.25) * t
			}
			row, rest = hsplit(rest, t+sl, t-sl, gh)
		}
		out = append(out, splitRow(r, row, gh, gv, rows)...)
	}
	return out
}

func splitRow(r *rng, row []pt, gh, gv float64, rows int) [][]pt {
	n := 1 + r.pick(0.3, 0.45, 0.25)
	if rows >= 5 && n == 3 {
		n = 2
	}
	var out [][]pt
	rest := row
	for j := 0; j < n; j++ {
		cell := rest
		if j < n-1 {
			t := r.rf(0.7, 1.3) / float64(n-j)
			sl := 0.0
			if r.chance(0.15) {
				sl = r.rf(-0.12, 0.12)
			}
			cell, rest = vsplit(rest, t+sl, t-sl, gv)
		}
		// a tall panel beside two stacked ones
		if n == 2 && rows <= 3 && r.chance(0.25) {
			a, b := hsplit(cell, r.rf(0.35, 0.65), r.rf(0.35, 0.65), gh)
			out = append(out, a, b)
			continue
		}
		out = append(out, cell)
	}
	return out
}

// layoutOK rejects layouts with panels too small to hold a drawing.
func layoutOK(ps [][]pt) bool {
	for _, q := range ps {
		x0, y0, x1, y1 := bbox(q)
		if x1-x0 < 150 || y1-y0 < 110 {
			return false
		}
	}
	return true
}

func bbox(q []pt) (x0, y0, x1, y1 float64) {
	x0, y0 = math.Inf(1), math.Inf(1)
	x1, y1 = math.Inf(-1), math.Inf(-1)
	for _, p := range q {
		x0, y0 = math.Min(x0, p.x), math.Min(y0, p.y)
		x1, y1 = math.Max(x1, p.x), math.Max(y1, p.y)
	}
	return
}
