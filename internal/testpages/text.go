package testpages

import "math"

const (
	bubbleEllipse = iota
	bubbleRound
	bubbleShout
	bubbleNarration
)

// bubble is a speech bubble or narration box. Its geometry belongs to the
// art; only the text inside depends on the text variant.
type bubble struct {
	kind     int
	c        pt
	rx, ry   float64 // half sizes of the outline
	outline  []pt    // closed contour, design units
	tail     []pt    // triangle: two base points inside, tip outside; may be nil
	border   float64
	inRx     float64 // text area: an ellipse (or box for narration)
	inRy     float64
	vertical bool // original text runs in vertical columns
}

func (b *bubble) bounds() (x0, y0, x1, y1 float64) {
	x0, y0, x1, y1 = bbox(b.outline)
	if b.tail != nil {
		tx0, ty0, tx1, ty1 := bbox(b.tail)
		x0, y0 = math.Min(x0, tx0), math.Min(y0, ty0)
		x1, y1 = math.Max(x1, tx1), math.Max(y1, ty1)
	}
	d := b.border + 2
	return x0 - d, y0 - d, x1 + d, y1 + d
}

func (pl *plan) placeBubbles(r *rng) {
	st := pl.st
	for _, p := range pl.panels {
		x0, y0, x1, y1 := bbox(p.frame)
		fb := box{x0, y0, x1, y1}
		k := r.pick(0.25, 0.45, 0.3)
		for j := 0; j < k; j++ {
			kind := r.pick(st.bubbleKind...)
			for try := 0; try < 8; try++ {
				if b, ok := newBubble(r, st, fb, kind); ok && !pl.overlaps(b) {
					pl.bubbles = append(pl.bubbles, b)
					break
				}
			}
		}
	}
}

func (pl *plan) overlaps(b bubble) bool {
	ax0, ay0, ax1, ay1 := b.bounds()
	for i := range pl.bubbles {
		bx0, by0, bx1, by1 := pl.bubbles[i].bounds()
		if ax0 < bx1 && bx0 < ax1 && ay0 < by1 && by0 < ay1 {
			return true
		}
	}
	return false
}

func newBubble(r *rng, st *style, fb box, kind int) (bubble, bool) {
	b := bubble{kind: kind, border: st.lineW * r.rf(0.9, 1.4)}
	if kind == bubbleNarration {
		b.rx, b.ry = r.rf(55, 110), r.rf(30, 60)
		if r.chance(0.5) { // vertical narration box, Japanese style
			b.rx, b.ry = b.ry*1.2, b.rx*1.2
		}
		if 2*b.rx > fb.w()*0.8 || 2*b.ry > fb.h()*0.8 {
			return b, false
		}
		left := r.chance(0.5)
		b.c = pt{fb.x1 - b.rx - 8, fb.y0 + b.ry + 8}
		if left {
			b.c.x = fb.x0 + b.rx + 8
		}
		b.outline = []pt{b.c.add(pt{-b.rx, -b.ry}), b.c.add(pt{b.rx, -b.ry}), b.c.add(pt{b.rx, b.ry}), b.c.add(pt{-b.rx, b.ry})}
		b.inRx, b.inRy = b.rx-st.em*0.4, b.ry-st.em*0.4
		b.vertical = b.ry > b.rx
		return b, b.inRx > st.em*0.5 && b.inRy > st.em*0.5
	}
	b.rx, b.ry = r.rf(50, 115), r.rf(70, 165)
	if r.chance(0.25) { // wide bubbles happen too
		b.rx, b.ry = b.ry, b.rx
	}
	if b.rx > fb.w()*0.45 || b.ry > fb.h()*0.45 {
		s := math.Min(fb.w()*0.45/b.rx, fb.h()*0.45/b.ry)
		if s < 0.6 {
			return b, false
		}
		b.rx, b.ry = b.rx*s, b.ry*s
	}
	// bubbles may straddle the panel border a little, as in real pages
	b.c = pt{r.rf(fb.x0+b.rx*0.7, fb.x1-b.rx*0.7), r.rf(fb.y0+b.ry*0.7, fb.y1-b.ry*0.7)}
	b.c.x = math.Max(b.rx+15, math.Min(designW-b.rx-15, b.c.x))
	b.c.y = math.Max(b.ry+15, math.Min(designH-b.ry-15, b.c.y))
	const n = 72
	b.outline = make([]pt, 0, n)
	spikes := r.rn(14, 26)
	for i := 0; i < n; i++ {
		a := 2 * math.Pi * float64(i) / n
		s, c := math.Sincos(a)
		x, y := c, s
		switch kind {
		case bubbleRound: // superellipse: a box with round corners
			x = math.Copysign(math.Sqrt(math.Abs(c)), c)
			y = math.Copysign(math.Sqrt(math.Abs(s)), s)
		case bubbleShout:
			continue
		}
		b.outline = append(b.outline, b.c.add(pt{x * b.rx, y * b.ry}))
	}
	b.inRx, b.inRy = b.rx*0.78, b.ry*0.8
	if kind == bubbleShout {
		for i := 0; i < 2*spikes; i++ {
			a := math.Pi * float64(i) / float64(spikes)
			s, c := math.Sincos(a)
			k := 1.18
			if i%2 == 1 {
				k = r.rf(0.9, 0.98)
			}
			b.outline = append(b.outline, b.c.add(pt{c * b.rx * k, s * b.ry * k}))
		}
		b.inRx, b.inRy = b.rx*0.72, b.ry*0.74
	}
	if kind != bubbleShout && r.chance(0.8) {
		a := r.f() * 2 * math.Pi
		s, c := math.Sincos(a)
		dir := pt{c, s}
		base := b.c.add(pt{dir.x * b.rx * 0.8, dir.y * b.ry * 0.8})
		side := dir.perp().mul(r.rf(10, 18))
		tip := b.c.add(pt{dir.x * b.rx, dir.y * b.ry}).add(dir.mul(r.rf(25, 55))).add(dir.perp().mul(r.rf(-20, 20)))
		b.tail = []pt{base.add(side), tip, base.sub(side)}
	}
	b.vertical = true
	return b, true
}

// draw paints the bubble: ink outline (and tail), then a white interior.
func (b *bubble) draw(cv *canvas, st *style) {
	scale := func(k float64) []pt {
		out := make([]pt, len(b.outline))
		for i, p := range b.outline {
			d := p.sub(b.c)
			out[i] = cv.px(b.c.add(pt{d.x * (b.rx + k) / b.rx, d.y * (b.ry + k) / b.ry}))
		}
		return out
	}
	bw := cv.lw(b.border) / cv.ls
	if b.kind == bubbleNarration {
		cv.fillPath([][]pt{pxAll(cv, insetConvex(b.outline, -bw))}, &inkP)
		cv.fillPath([][]pt{pxAll(cv, b.outline)}, &whiteP)
		return
	}
	cv.fillPath([][]pt{scale(bw)}, &inkP)
	if b.tail != nil {
		cv.closed(&inkP, 2*b.border, b.tail)
	}
	cv.fillPath([][]pt{scale(0)}, &whiteP)
	if b.tail != nil {
		cv.poly(&whiteP, b.tail...)
	}
}

// drawText fills the bubble's text area. Variant 0 is vertical Japanese-like
// text set right to left; other variants are horizontal capitals, as a
// scanlation group would letter them. Drawing is clipped to the text area so
// that variants never touch pixels outside the bubble.
func (b *bubble) drawText(cv *canvas, st *style, r *rng, variant int) {
	var clip []pt
	if b.kind == bubbleNarration {
		clip = []pt{b.c.add(pt{-b.inRx, -b.inRy}), b.c.add(pt{b.inRx, -b.inRy}), b.c.add(pt{b.inRx, b.inRy}), b.c.add(pt{-b.inRx, b.inRy})}
	} else {
		clip = make([]pt, 48)
		for i := range clip {
			s, c := math.Sincos(2 * math.Pi * float64(i) / 48)
			clip[i] = b.c.add(pt{c * b.inRx, s * b.inRy})
		}
	}
	cv.setClip(clip)
	defer cv.setClip(nil)
	// half-extent of the text area at offset o along the other axis
	half := func(o, along, across float64) float64 {
		if b.kind == bubbleNarration {
			return along
		}
		t := o / across
		if t*t >= 1 {
			return 0
		}
		return along * math.Sqrt(1-t*t)
	}
	em := st.em
	if variant == 0 {
		pitch := em * 1.35
		ncol := min(int(2*b.inRx/pitch), 7)
		if ncol < 1 {
			return
		}
		ncol = r.rn(max(1, ncol-2), ncol)
		for j := 0; j < ncol; j++ {
			x := b.c.x + (float64(ncol-1)/2-float64(j))*pitch
			hh := half(x-b.c.x, b.inRy, b.inRx) - em*0.2
			maxg := int(2 * hh / em)
			if maxg < 1 {
				continue
			}
			ng := r.rn(max(1, maxg/2), maxg)
			y := b.c.y - float64(ng)*em/2
			for g := 0; g < ng; g++ {
				kanaGlyph(cv, r, pt{x - em*0.45, y + float64(g)*em + em*0.05}, em*0.9)
			}
		}
		return
	}
	ch := em * 0.62
	lh := em * 1.05
	nl := int(2 * b.inRy * 0.9 / lh)
	if nl < 1 {
		return
	}
	nl = r.rn(max(1, nl-2), nl)
	for i := 0; i < nl; i++ {
		y := b.c.y + (float64(i)-float64(nl-1)/2)*lh
		hw := half(y-b.c.y, b.inRx, b.inRy) * 0.92
		if hw < ch {
			continue
		}
		// build a line of words that fits, then centre it
		adv := ch * 0.78
		var letters []float64
		target := 2 * hw * r.rf(0.6, 1)
		for w := 0.0; ; {
			n := r.rn(1, 7)
			if w+float64(n)*adv > target {
				break
			}
			for k := 0; k < n; k++ {
				letters = append(letters, w)
				w += adv
			}
			w += adv * 0.6
		}
		if len(letters) == 0 {
			continue
		}
		width := letters[len(letters)-1] + adv
		x0 := b.c.x - width/2
		for _, lx := range letters {
			latinGlyph(cv, r, pt{x0 + lx, y - ch/2}, ch)
		}
	}
}

// kanaGlyph draws a Japanese-like character: a few strokes in an em box.
func kanaGlyph(cv *canvas, r *rng, o pt, em float64) {
	w := em * 0.075
	at := func(x, y float64) pt { return o.add(pt{x * em, y * em}) }
	if r.chance(0.06) { // punctuation: a small circle or comma low in the box
		cv.ring(&inkP, at(0.3, 0.25), em*0.09, em*0.09, 0, w)
		return
	}
	n := r.rn(2, 6)
	for i := 0; i < n; i++ {
		switch r.n(6) {
		case 0:
			y := r.rf(0.1, 0.9)
			cv.seg(&inkP, at(r.rf(0.05, 0.35), y), at(r.rf(0.65, 0.95), y+r.rf(-0.05, 0.02)), w, w*0.8)
		case 1:
			x := r.rf(0.15, 0.85)
			cv.seg(&inkP, at(x, r.rf(0.05, 0.3)), at(x, r.rf(0.6, 0.95)), w, w*0.7)
		case 2: // left-falling sweep
			cv.bezier(&inkP, at(r.rf(0.4, 0.7), r.rf(0.05, 0.3)), at(0.45, 0.55), at(0.35, 0.75), at(r.rf(0.05, 0.25), r.rf(0.8, 0.95)), w, 0.5)
		case 3: // right-falling sweep
			cv.bezier(&inkP, at(r.rf(0.3, 0.5), r.rf(0.3, 0.5)), at(0.55, 0.6), at(0.7, 0.75), at(r.rf(0.8, 0.95), r.rf(0.85, 0.95)), w, 0.5)
		case 4: // short tick
			p := at(r.rf(0.1, 0.9), r.rf(0.1, 0.9))
			cv.seg(&inkP, p, p.add(pt{em * 0.1, em * 0.12}), w*1.2, w*0.6)
		default: // a small box like 口
			x0, y0 := r.rf(0.15, 0.35), r.rf(0.1, 0.5)
			x1, y1 := x0+r.rf(0.35, 0.55), y0+r.rf(0.25, 0.4)
			cv.closed(&inkP, w, []pt{at(x0, y0), at(x1, y0), at(x1, y1), at(x0, y1)})
		}
	}
}

// latinGlyph draws a bold capital-like letter of cap height ch.
func latinGlyph(cv *canvas, r *rng, o pt, ch float64) {
	w := ch * 0.15
	cw := ch * 0.6
	at := func(x, y float64) pt { return o.add(pt{x * cw, y * ch}) }
	n := r.rn(2, 4)
	for i := 0; i < n; i++ {
		switch r.n(5) {
		case 0:
			x := float64(r.n(3)) / 2
			cv.line(&inkP, at(x, 0), at(x, 1), w)
		case 1:
			y := float64(r.n(3)) / 2
			cv.line(&inkP, at(0, y), at(1, y), w)
		case 2:
			cv.line(&inkP, at(0, float64(r.n(2))), at(1, float64(r.n(2))*0.5+0.25), w)
		case 3: // bowl
			cv.bezier(&inkP, at(0.1, 0), at(1.2, 0), at(1.2, 0.5), at(0.1, 0.5), w, 1)
		default:
			cv.bezier(&inkP, at(1, 0.15), at(-0.3, -0.2), at(-0.3, 1.2), at(1, 0.85), w, 1)
		}
	}
}

// drawSFX draws sound-effect lettering over the art: thick strokes with a
// white halo, as drawn by the artist.
func (pl *plan) drawSFX(cv *canvas) {
	st := pl.st
	r := newRng(purposePage, pl.series, pl.page, 1)
	n := int(st.sfx + r.f())
	for i := 0; i < n; i++ {
		g := r.rf(50, 110)
		o := pt{r.rf(st.mInner, designW-st.mOuter-3*g), r.rf(st.mTop, designH-st.mBottom-2*g)}
		k := r.rn(2, 4)
		a := r.angle(35)
		sa, ca := math.Sincos(a)
		step := pt{g * 0.9, 0}.rot(sa, ca)
		if r.chance(0.4) {
			step = pt{0, g * 0.9}.rot(sa, ca)
		}
		hollow := r.chance(0.5)
		type stroke struct {
			a, b pt
			w    float64
		}
		var strokes []stroke
		for j := 0; j < k; j++ {
			go0 := o.add(step.mul(float64(j)))
			for s, m := 0, r.rn(2, 4); s < m; s++ {
				p0 := go0.add(pt{r.rf(0, g), r.rf(0, g)})
				p1 := go0.add(pt{r.rf(0, g), r.rf(0, g)})
				strokes = append(strokes, stroke{p0, p1, g * r.rf(0.1, 0.18)})
			}
		}
		outer, inner := &whiteP, &inkP
		halo := 8.0
		if hollow {
			outer, inner = &inkP, &whiteP
			halo = 6
		}
		for _, s := range strokes {
			cv.seg(outer, s.a, s.b, s.w+halo, s.w+halo)
		}
		for _, s := range strokes {
			cv.seg(inner, s.a, s.b, s.w, s.w)
		}
	}
}

// segment masks for digits 0-9: a b c d e f g
var sevenSeg = [10]uint8{0x3f, 0x06, 0x5b, 0x4f, 0x66, 0x6d, 0x7d, 0x07, 0x7f, 0x6f}

// drawNumber writes a non-negative number centred at c with digit height h.
func drawNumber(cv *canvas, p *paint, n int, c pt, h, lw float64) {
	if n < 0 {
		n = -n
	}
	var digits []int
	for {
		digits = append([]int{n % 10}, digits...)
		n /= 10
		if n == 0 {
			break
		}
	}
	dw := h * 0.55
	adv := dw * 1.5
	x := c.x - (float64(len(digits))*adv-(adv-dw))/2
	for _, d := range digits {
		m := sevenSeg[d]
		o := pt{x, c.y - h/2}
		corners := [6]pt{o, o.add(pt{dw, 0}), o.add(pt{dw, h / 2}), o.add(pt{dw, h}), o.add(pt{0, h}), o.add(pt{0, h / 2})}
		segs := [7][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 0}, {5, 2}}
		for i, s := range segs {
			if m&(1<<i) != 0 {
				cv.line(p, corners[s[0]], corners[s[1]], lw)
			}
		}
		x += adv
	}
}
