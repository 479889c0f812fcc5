package testpages

import "math"

// box is an axis-aligned rectangle in design units.
type box struct{ x0, y0, x1, y1 float64 }

func (b box) w() float64           { return b.x1 - b.x0 }
func (b box) h() float64           { return b.y1 - b.y0 }
func (b box) m() float64           { return math.Min(b.w(), b.h()) }
func (b box) at(fx, fy float64) pt { return pt{b.x0 + fx*b.w(), b.y0 + fy*b.h()} }
func (b box) rnd(r *rng, pad float64) pt {
	return b.at(r.rf(pad, 1-pad), r.rf(pad, 1-pad))
}

var (
	inkP   = solid(0)
	whiteP = solid(255)
)

// tone returns a screentone paint for the sheet t at coverage dens.
func (cv *canvas) tone(t toneSpec, dens float64) paint {
	per := math.Max(2.2, t.period*cv.ls)
	s, c := math.Sincos(t.angle)
	k := paintDots
	if t.lines {
		k = paintLines
		dens *= 0.6
	}
	return paint{kind: k, v: 0, c: c, s: s, period: per, dens: dens}
}

// toneGrad is a screentone whose coverage goes from d0 at a to d1 at b.
func (cv *canvas) toneGrad(t toneSpec, d0, d1 float64, a, b pt) paint {
	p := cv.tone(t, d0)
	pa, pb := cv.px(a), cv.px(b)
	dir := pb.sub(pa).norm()
	p.graded = true
	p.gc, p.gs = dir.x, dir.y
	p.g0 = pa.x*dir.x + pa.y*dir.y
	p.g1 = pb.x*dir.x + pb.y*dir.y
	if p.g1-p.g0 < 1 {
		p.g1 = p.g0 + 1
	}
	p.dens1 = d1
	if t.lines {
		p.dens1 *= 0.6
	}
	return p
}

func (st *style) pickTone(r *rng) toneSpec { return st.tones[r.n(len(st.tones))] }

// closed draws a closed outline through pts.
func (cv *canvas) closed(p *paint, w float64, pts []pt) {
	for i := range pts {
		cv.line(p, pts[i], pts[(i+1)%len(pts)], w)
	}
}

func drawPanel(cv *canvas, st *style, r *rng, p panel) {
	x0, y0, x1, y1 := bbox(p.q)
	b := box{math.Max(x0, 0), math.Max(y0, 0), math.Min(x1, designW), math.Min(y1, designH)}
	scene := r.pick(st.scenes...)
	if scene == 5 {
		drawDark(cv, st, r, b, p.q)
	} else {
		drawBackground(cv, st, r, b, p.q, scene)
		if (scene == 1 || scene == 4) && r.chance(0.6) {
			drawInterior(cv, st, r, b)
		}
		switch scene {
		case 0:
			drawCloseup(cv, st, r, b)
		case 1:
			drawFigures(cv, st, r, b)
		case 2:
			drawScenery(cv, st, r, b)
		case 3:
			drawAction(cv, st, r, b)
		case 4:
			drawObjects(cv, st, r, b)
		}
	}
	drawDetails(cv, st, r, b)
}

func drawBackground(cv *canvas, st *style, r *rng, b box, q []pt, scene int) {
	w := []float64{1.2, 1, 0.8, 0.5, 0.5, st.blackLove, 0.4}
	if scene == 3 { // action panels favour motion lines
		w[3], w[4] = 3, 2
	}
	if scene == 2 { // scenery draws its own sky
		w[0] = 3
	}
	switch r.pick(w...) {
	case 0: // plain white
	case 1:
		p := cv.tone(st.pickTone(r), r.rf(0.15, 0.5))
		cv.poly(&p, q...)
	case 2:
		a, c := b.at(r.f(), 0), b.at(r.f(), 1)
		if r.chance(0.5) {
			a, c = c, a
		}
		p := cv.toneGrad(st.pickTone(r), r.rf(0, 0.15), r.rf(0.4, 0.8), a, c)
		cv.poly(&p, q...)
	case 3:
		focusLines(cv, r, b, b.rnd(r, 0.3), b.m()*r.rf(0.25, 0.45), r.rn(70, 170))
	case 4:
		speedLines(cv, r, b, r.angle(25)+float64(r.n(2))*math.Pi/2, r.rn(40, 110))
	case 5:
		cv.poly(&inkP, q...)
		// white streaks keep a black panel from being a flat slab
		for i, n := 0, r.rn(3, 15); i < n; i++ {
			a := b.rnd(r, 0)
			cv.bezier(&whiteP, a, a.add(pt{r.rf(-80, 80), r.rf(-80, 80)}), a.add(pt{r.rf(-120, 120), r.rf(-120, 120)}), b.rnd(r, 0), st.lineW*1.5, 0.2)
		}
	case 6:
		hatch(cv, r, b, b.at(0.5, 0.5), b.m()*0.8, r.angle(80), r.rf(5, 10), r.rn(15, 40), st.lineW*0.6)
	}
}

// focusLines draws radial wedges that converge on c but stop short of it.
func focusLines(cv *canvas, r *rng, b box, c pt, inner float64, n int) {
	outer := math.Hypot(b.w(), b.h())
	for i := 0; i < n; i++ {
		a := r.f() * 2 * math.Pi
		s, co := math.Sincos(a)
		dir := pt{co, s}
		ri := inner * r.rf(0.8, 1.6)
		wd := r.rf(2, 9)
		tip := c.add(dir.mul(ri))
		base := c.add(dir.mul(outer))
		n := dir.perp().mul(wd / 2)
		cv.poly(&inkP, tip, base.add(n), base.sub(n))
	}
}

// speedLines draws long thin tapered strokes along angle a.
func speedLines(cv *canvas, r *rng, b box, a float64, n int) {
	s, c := math.Sincos(a)
	dir := pt{c, s}
	nrm := dir.perp()
	ctr := b.at(0.5, 0.5)
	span := math.Hypot(b.w(), b.h())
	for i := 0; i < n; i++ {
		off := r.rf(-0.5, 0.5) * span
		start := r.rf(-0.6, 0.2) * span
		l := r.rf(0.3, 0.9) * span
		p0 := ctr.add(nrm.mul(off)).add(dir.mul(start))
		p1 := p0.add(dir.mul(l))
		cv.seg(&inkP, p0, p1, r.rf(0.5, 1), r.rf(1.5, 5))
	}
}

// hatch draws n parallel strokes centred on c across a band of size ext.
func hatch(cv *canvas, r *rng, b box, c pt, ext, a, gap float64, n int, w float64) {
	s, co := math.Sincos(a)
	dir := pt{co, s}
	nrm := dir.perp()
	for i := 0; i < n; i++ {
		o := (float64(i) - float64(n)/2) * gap
		l := ext * r.rf(0.3, 0.6)
		m := c.add(nrm.mul(o)).add(dir.mul(r.rf(-0.2, 0.2) * ext))
		cv.seg(&inkP, m.sub(dir.mul(l)), m.add(dir.mul(l)), w*0.4, w)
	}
}

// faceContour is a manga face: round skull, narrowing to a pointed chin.
func faceContour(c pt, R, tilt float64) []pt {
	const n = 40
	st, ct := math.Sincos(tilt)
	out := make([]pt, n)
	for i := range out {
		a := 2 * math.Pi * float64(i) / n
		s, co := math.Sincos(a)
		x, y := co*0.82*R, s*R
		if s > 0 {
			x *= 1 - 0.38*s*s
			y *= 1 + 0.15*s
		}
		out[i] = c.add(pt{x, y}.rot(st, ct))
	}
	return out
}

// drawHead draws a manga head with hair, eyes, mouth, neck and shoulders.
func drawHead(cv *canvas, st *style, r *rng, c pt, R float64, detail bool) {
	tilt := r.angle(18)
	sa, ca := math.Sincos(tilt)
	at := func(x, y float64) pt { return c.add(pt{x * R, y * R}.rot(sa, ca)) }
	lw := st.lineW * math.Max(0.7, math.Min(1.6, R/90))
	hairBlack := r.chance(st.hairBlack)
	hairTone := cv.tone(st.pickTone(r), r.rf(0.25, 0.55))
	hairPaint := &whiteP
	if hairBlack {
		hairPaint = &inkP
	} else if r.chance(0.5) {
		hairPaint = &hairTone
	}

	// shoulders and torso
	torso := []pt{at(-0.28, 0.85), at(0.28, 0.85), at(0.3, 1.35), at(1.7, 1.75), at(2.0, 3.5), at(-2.0, 3.5), at(-1.7, 1.75), at(-0.3, 1.35)}
	if r.chance(0.4) {
		p := cv.tone(st.pickTone(r), r.rf(0.2, 0.5))
		cv.poly(&p, torso...)
	} else {
		cv.poly(&whiteP, torso...)
	}
	cv.closed(&inkP, lw, torso)
	cv.bezier(&inkP, at(-0.3, 1.45), at(-0.1, 1.8), at(0.1, 1.8), at(0.3, 1.45), lw, 0.4) // collar

	// long hair behind the head
	if r.chance(0.45) {
		back := make([]pt, 0, 24)
		for i := 0; i <= 20; i++ {
			a := math.Pi * (0.9 + 1.2*float64(i)/20)
			s, co := math.Sincos(a)
			back = append(back, at(co*1.12, s*1.15))
		}
		ln := r.rf(1.3, 2.6)
		back = append(back, at(1.0, ln), at(0.6, ln*0.9), at(-0.6, ln*0.95), at(-1.0, ln))
		cv.poly(hairPaint, back...)
		cv.closed(&inkP, lw, back)
	}

	face := faceContour(c, R, tilt)
	cv.fillPath([][]pt{pxAll(cv, face)}, &whiteP)
	cv.closed(&inkP, lw*1.3, face)

	// front hair: a cap over the skull ending in a spiky fringe
	cap := make([]pt, 0, 40)
	for i := 0; i <= 16; i++ {
		a := math.Pi * (0.95 + 1.1*float64(i)/16)
		s, co := math.Sincos(a)
		cap = append(cap, at(co*0.95, s*1.12-0.04))
	}
	spikes := r.rn(4, 8)
	for i := 1; i < spikes*2; i++ {
		fx := 0.9 - 1.8*float64(i)/float64(spikes*2)
		fy := -0.35 + r.rf(-0.08, 0.08)
		if i%2 == 1 {
			fy = r.rf(-0.05, 0.25)
		}
		cap = append(cap, at(fx, fy))
	}
	cv.poly(hairPaint, cap...)
	cv.closed(&inkP, lw, cap)
	if !hairBlack {
		for i, n := 0, r.rn(3, 7); i < n; i++ {
			x := r.rf(-0.7, 0.7)
			cv.bezier(&inkP, at(x*0.6, -1.0), at(x*0.8, -0.8), at(x, -0.6), at(x*1.05, -0.35), lw*0.8, 0.2)
		}
	} else {
		// highlight band typical of black hair
		cv.bezier(&whiteP, at(-0.6, -0.75), at(-0.2, -0.9), at(0.2, -0.9), at(0.6, -0.75), lw*2, 0.2)
	}

	if !detail {
		return
	}
	look := r.rf(-0.08, 0.08)
	for _, side := range []float64{-1, 1} {
		ex := side*0.36 + look
		e := at(ex, 0.15)
		cv.ellipse(&inkP, e, 0.1*R, 0.14*R, tilt)
		cv.ellipse(&whiteP, at(ex+0.03, 0.1), 0.035*R, 0.04*R, 0)
		cv.bezier(&inkP, at(ex-side*0.2, 0.05), at(ex-side*0.08, -0.03), at(ex+side*0.08, -0.03), at(ex+side*0.2, 0.02), lw*1.8, 0.3)
		cv.bezier(&inkP, at(ex-0.16, -0.15), at(ex-0.05, -0.2), at(ex+0.05, -0.2), at(ex+0.16, -0.16), lw, 0.3)
	}
	cv.line(&inkP, at(0.02+look, 0.4), at(-0.02+look, 0.48), lw*0.8)
	switch r.n(3) {
	case 0:
		cv.line(&inkP, at(-0.1, 0.68), at(0.1, 0.68), lw)
	case 1:
		cv.ellipse(&inkP, at(0, 0.7), 0.1*R, 0.07*R, tilt)
	default:
		cv.bezier(&inkP, at(-0.12, 0.66), at(-0.05, 0.72), at(0.05, 0.72), at(0.12, 0.66), lw, 0.5)
	}
	if r.chance(0.3) { // blush
		for _, side := range []float64{-1, 1} {
			for k := 0; k < 3; k++ {
				o := side*0.42 + float64(k)*0.06
				cv.line(&inkP, at(o, 0.38), at(o-0.05, 0.46), lw*0.6)
			}
		}
	}
}

func pxAll(cv *canvas, d []pt) []pt {
	out := make([]pt, len(d))
	for i, q := range d {
		out[i] = cv.px(q)
	}
	return out
}

func drawCloseup(cv *canvas, st *style, r *rng, b box) {
	R := b.m() * r.rf(0.22, 0.42)
	c := b.at(r.rf(0.25, 0.75), r.rf(0.3, 0.6))
	drawHead(cv, st, r, c, R, true)
	if r.chance(0.3) && b.w() > 2.5*R {
		// a second face partly out of frame
		drawHead(cv, st, r, pt{c.x + math.Copysign(R*2.1, b.at(0.5, 0).x-c.x), c.y + R*0.3}, R*0.9, true)
	}
}

func drawFigures(cv *canvas, st *style, r *rng, b box) {
	n := r.rn(1, 3)
	for i := 0; i < n; i++ {
		R := b.h() * r.rf(0.08, 0.16)
		c := b.at((float64(i)+r.rf(0.3, 0.7))/float64(n), r.rf(0.2, 0.45))
		// body: torso, arms and legs as ink lines
		lw := st.lineW
		hip := c.add(pt{r.rf(-0.3, 0.3) * R, 4 * R})
		for _, side := range []float64{-1, 1} {
			sh := c.add(pt{side * 1.1 * R, 1.5 * R})
			hand := sh.add(pt{side * r.rf(0.2, 1.5) * R, r.rf(0.5, 2.5) * R})
			cv.bezier(&inkP, sh, sh.add(pt{side * R * 0.5, R}), hand.sub(pt{0, R * 0.5}), hand, lw*2.2, 0.5)
			foot := hip.add(pt{side * r.rf(0.3, 1.2) * R, r.rf(2.5, 3.5) * R})
			cv.seg(&inkP, hip.add(pt{side * 0.4 * R, 0}), foot, lw*3, lw*2)
		}
		drawHead(cv, st, r, c, R, R > 35)
	}
}

func drawScenery(cv *canvas, st *style, r *rng, b box) {
	hz := b.y0 + b.h()*r.rf(0.35, 0.75)
	if r.chance(0.6) { // sky
		p := cv.toneGrad(st.pickTone(r), r.rf(0.3, 0.6), 0, pt{b.x0, b.y0}, pt{b.x0, hz})
		cv.rect(&p, b.x0, b.y0, b.x1, hz)
		for i, n := 0, r.rn(0, 3); i < n; i++ {
			cloud(cv, r, b.at(r.f(), r.rf(0.05, 0.3)), b.m()*r.rf(0.06, 0.14), st.lineW)
		}
	}
	vp := pt{b.x0 + b.w()*r.rf(0.2, 0.8), hz}
	for i, n := 0, r.rn(6, 16); i < n; i++ { // perspective lines on the ground
		a := b.at(r.rf(-0.5, 1.5), 1)
		cv.line(&inkP, vp, a, st.lineW*0.6)
	}
	x := b.x0 - r.rf(0, 40)
	for x < b.x1 {
		bw := b.w() * r.rf(0.12, 0.3)
		top := hz - b.h()*r.rf(0.1, 0.55)
		bot := hz + r.rf(0, 30)
		cv.rect(&whiteP, x, top, x+bw, bot)
		cv.closed(&inkP, st.lineW, []pt{{x, top}, {x + bw, top}, {x + bw, bot}, {x, bot}})
		if r.chance(0.4) {
			p := cv.tone(st.pickTone(r), r.rf(0.2, 0.5))
			cv.rect(&p, x+bw*0.7, top, x+bw, bot)
		}
		// windows
		ww, wh := r.rf(8, 18), r.rf(10, 22)
		winP := &inkP
		wt := cv.tone(st.pickTone(r), 0.5)
		if r.chance(0.5) {
			winP = &wt
		}
		for wy := top + 12; wy+wh < bot-8; wy += wh * 1.8 {
			for wx := x + 10; wx+ww < x+bw-8; wx += ww * 1.9 {
				cv.rect(winP, wx, wy, wx+ww, wy+wh)
			}
		}
		x += bw + r.rf(-10, 25)
	}
	if r.chance(0.5) { // a pole with sagging wires
		px := b.x0 + b.w()*r.rf(0.1, 0.9)
		cv.line(&inkP, pt{px, b.y0}, pt{px, b.y1}, r.rf(6, 14))
		for k := 0; k < 3; k++ {
			y := b.y0 + b.h()*(0.08+0.05*float64(k))
			cv.bezier(&inkP, pt{b.x0, y}, pt{(b.x0 + px) / 2, y + 40}, pt{(b.x0 + px) / 2, y + 40}, pt{px, y}, st.lineW*0.7, 1)
		}
	}
}

// cloud draws overlapping puffs so that only their union's outline shows.
func cloud(cv *canvas, r *rng, c pt, s, lw float64) {
	n := r.rn(3, 6)
	ps := make([]pt, n)
	rs := make([]float64, n)
	for i := range ps {
		ps[i] = c.add(pt{(float64(i) - float64(n)/2) * s * 0.8, r.rf(-0.4, 0.3) * s})
		rs[i] = s * r.rf(0.6, 1.0)
	}
	for i := range ps {
		cv.ellipse(&inkP, ps[i], rs[i]+lw, rs[i]*0.75+lw, 0)
	}
	for i := range ps {
		cv.ellipse(&whiteP, ps[i], rs[i], rs[i]*0.75, 0)
	}
}

func drawAction(cv *canvas, st *style, r *rng, b box) {
	c := b.rnd(r, 0.25)
	// burst: a star polygon, black or white with outline
	n := r.rn(9, 18)
	R := b.m() * r.rf(0.2, 0.4)
	star := make([]pt, 0, 2*n)
	for i := 0; i < 2*n; i++ {
		a := math.Pi * float64(i) / float64(n)
		rr := R
		if i%2 == 1 {
			rr = R * r.rf(0.45, 0.7)
		}
		s, co := math.Sincos(a)
		star = append(star, c.add(pt{co * rr, s * rr}))
	}
	if r.chance(0.5) {
		cv.poly(&inkP, star...)
	} else {
		cv.poly(&whiteP, star...)
		cv.closed(&inkP, st.lineW*1.5, star)
	}
	// debris
	for i, k := 0, r.rn(5, 15); i < k; i++ {
		p := b.rnd(r, 0.05)
		s := r.rf(4, 16)
		a := r.f() * math.Pi
		sa, ca := math.Sincos(a)
		cv.poly(&inkP, p.add(pt{-s, -s * 0.4}.rot(sa, ca)), p.add(pt{s, -s * 0.2}.rot(sa, ca)), p.add(pt{0, s}.rot(sa, ca)))
	}
	if r.chance(0.6) {
		drawHead(cv, st, r, b.rnd(r, 0.3), b.m()*r.rf(0.12, 0.22), true)
	}
}

func drawObjects(cv *canvas, st *style, r *rng, b box) {
	for i, n := 0, r.rn(2, 5); i < n; i++ {
		c := b.rnd(r, 0.2)
		s := b.m() * r.rf(0.1, 0.3)
		switch r.n(4) {
		case 0: // shaded sphere
			p := cv.toneGrad(st.pickTone(r), 0, r.rf(0.4, 0.8), c.add(pt{-s, -s}), c.add(pt{s, s}))
			cv.ellipse(&p, c, s, s, 0)
			cv.ring(&inkP, c, s, s, 0, st.lineW*1.2)
		case 1: // box with a toned side
			cv.rect(&whiteP, c.x-s, c.y-s*0.7, c.x+s, c.y+s*0.7)
			p := cv.tone(st.pickTone(r), r.rf(0.3, 0.6))
			cv.poly(&p, pt{c.x + s, c.y - s*0.7}, pt{c.x + s*1.4, c.y - s}, pt{c.x + s*1.4, c.y + s*0.4}, pt{c.x + s, c.y + s*0.7})
			cv.closed(&inkP, st.lineW, []pt{{c.x - s, c.y - s*0.7}, {c.x + s, c.y - s*0.7}, {c.x + s, c.y + s*0.7}, {c.x - s, c.y + s*0.7}})
			cv.polyline(&inkP, st.lineW, pt{c.x - s, c.y - s*0.7}, pt{c.x - s*0.6, c.y - s}, pt{c.x + s*1.4, c.y - s}, pt{c.x + s*1.4, c.y + s*0.4}, pt{c.x + s, c.y + s*0.7})
			cv.line(&inkP, pt{c.x + s, c.y - s*0.7}, pt{c.x + s*1.4, c.y - s}, st.lineW)
		case 2: // cup: ellipse rim over a body
			cv.rect(&whiteP, c.x-s*0.6, c.y, c.x+s*0.6, c.y+s*1.2)
			cv.line(&inkP, pt{c.x - s*0.6, c.y}, pt{c.x - s*0.5, c.y + s*1.2}, st.lineW)
			cv.line(&inkP, pt{c.x + s*0.6, c.y}, pt{c.x + s*0.5, c.y + s*1.2}, st.lineW)
			cv.ring(&inkP, pt{c.x, c.y + s*1.2}, s*0.5, s*0.15, 0, st.lineW)
			cv.ellipse(&whiteP, c, s*0.6, s*0.2, 0)
			cv.ring(&inkP, c, s*0.6, s*0.2, 0, st.lineW)
			p := cv.tone(st.pickTone(r), 0.5)
			cv.ellipse(&p, c, s*0.5, s*0.13, 0)
		default: // flowing curves like cloth or plants
			for k, m := 0, r.rn(3, 8); k < m; k++ {
				a := c.add(pt{r.rf(-s, s), r.rf(-s, s)})
				cv.bezier(&inkP, a, a.add(pt{r.rf(-s, s), r.rf(-s, s)}), a.add(pt{r.rf(-s, s), r.rf(-s, s)}), a.add(pt{r.rf(-2*s, 2*s), r.rf(-2*s, 2*s)}), st.lineW*1.5, 0.15)
			}
		}
	}
}

func drawDark(cv *canvas, st *style, r *rng, b box, q []pt) {
	cv.poly(&inkP, q...)
	if r.chance(0.5) { // white dot gradient, glow from one side
		t := st.pickTone(r)
		p := cv.toneGrad(t, 0.6, 0, b.at(r.f(), 0), b.at(r.f(), 1))
		p.v = 255
		cv.poly(&p, q...)
	}
	for i, n := 0, r.rn(10, 60); i < n; i++ { // stars and specks
		c := b.rnd(r, 0)
		cv.ellipse(&whiteP, c, r.rf(1, 3), r.rf(1, 3), 0)
	}
	// silhouette with a white rim
	c := b.rnd(r, 0.3)
	R := b.m() * r.rf(0.15, 0.3)
	cv.ellipse(&whiteP, c, R*0.85+3, R+3, 0)
	cv.ellipse(&inkP, c, R*0.85, R, 0)
	body := []pt{c.add(pt{-R * 0.4, R * 0.8}), c.add(pt{R * 0.4, R * 0.8}), c.add(pt{R * 1.8, R * 3}), c.add(pt{-R * 1.8, R * 3})}
	cv.closed(&whiteP, 3, body)
	cv.poly(&inkP, body...)
	for i, n := 0, r.rn(3, 10); i < n; i++ {
		a := b.rnd(r, 0)
		cv.bezier(&whiteP, a, b.rnd(r, 0), b.rnd(r, 0), b.rnd(r, 0), st.lineW, 0.1)
	}
}

// drawDetails scatters small marks: hatch clusters, ticks and curls, which
// give every panel the texture of hand-drawn art.
func drawDetails(cv *canvas, st *style, r *rng, b box) {
	n := int(st.busy * float64(r.rn(3, 10)) * b.w() * b.h() / 1.5e5)
	for i := 0; i < n; i++ {
		c := b.rnd(r, 0.05)
		switch r.n(3) {
		case 0:
			hatch(cv, r, b, c, r.rf(10, 30), r.angle(90), r.rf(4, 7), r.rn(3, 8), st.lineW*0.8)
		case 1:
			cv.bezier(&inkP, c, c.add(pt{r.rf(-30, 30), r.rf(-30, 30)}), c.add(pt{r.rf(-30, 30), r.rf(-30, 30)}), c.add(pt{r.rf(-50, 50), r.rf(-50, 50)}), st.lineW, 0.2)
		default: // a tuft of short strokes fanning out
			s := r.rf(8, 20)
			for k := -2; k <= 2; k++ {
				a := float64(k)*0.3 - math.Pi/2
				sa, ca := math.Sincos(a)
				cv.seg(&inkP, c, c.add(pt{ca * s, sa * s}), st.lineW, st.lineW*0.3)
			}
		}
	}
}

// drawInterior draws a room: wall/floor line, floor perspective, a window
// and sometimes a toned wall.
func drawInterior(cv *canvas, st *style, r *rng, b box) {
	fy := b.y0 + b.h()*r.rf(0.45, 0.7)
	vp := pt{b.x0 + b.w()*r.rf(0.2, 0.8), b.y0 + b.h()*r.rf(0.2, 0.4)}
	if r.chance(0.5) {
		p := cv.tone(st.pickTone(r), r.rf(0.1, 0.3))
		cv.rect(&p, b.x0, b.y0, b.x1, fy)
	}
	cv.line(&inkP, pt{b.x0, fy}, pt{b.x1, fy}, st.lineW*1.2)
	for i, n := 0, r.rn(4, 10); i < n; i++ { // floor boards toward the vanishing point
		bx := b.x0 + b.w()*(float64(i)+0.5)/float64(n)*1.6 - b.w()*0.3
		t := (fy - vp.y) / (b.y1 + 50 - vp.y)
		a := lerp(vp, pt{bx, b.y1 + 50}, t)
		cv.line(&inkP, a, pt{bx, b.y1 + 50}, st.lineW*0.6)
	}
	if r.chance(0.7) { // window with a cross frame
		wx0 := b.x0 + b.w()*r.rf(0.05, 0.55)
		wy0 := b.y0 + b.h()*r.rf(0.05, 0.15)
		ww, wh := b.w()*r.rf(0.2, 0.4), (fy-wy0)*r.rf(0.5, 0.8)
		cv.rect(&whiteP, wx0, wy0, wx0+ww, wy0+wh)
		frame := []pt{{wx0, wy0}, {wx0 + ww, wy0}, {wx0 + ww, wy0 + wh}, {wx0, wy0 + wh}}
		cv.closed(&inkP, st.lineW*1.5, frame)
		cv.line(&inkP, pt{wx0 + ww/2, wy0}, pt{wx0 + ww/2, wy0 + wh}, st.lineW)
		cv.line(&inkP, pt{wx0, wy0 + wh/2}, pt{wx0 + ww, wy0 + wh/2}, st.lineW)
		if r.chance(0.5) { // curtain
			cv.bezier(&inkP, pt{wx0, wy0}, pt{wx0 + ww*0.3, wy0 + wh*0.3}, pt{wx0 + ww*0.1, wy0 + wh*0.7}, pt{wx0 + ww*0.25, wy0 + wh}, st.lineW, 0.5)
		}
	}
}
