package testpages

import (
	"image"
	"math"
)

// Design space: every page is drawn in a 1200x1700 coordinate system and
// mapped to the requested pixel size, so a small page is the same page scaled.
const (
	designW = 1200.0
	designH = 1700.0
)

// pt is a point in design units.
type pt struct{ x, y float64 }

func (p pt) add(q pt) pt         { return pt{p.x + q.x, p.y + q.y} }
func (p pt) sub(q pt) pt         { return pt{p.x - q.x, p.y - q.y} }
func (p pt) mul(k float64) pt    { return pt{p.x * k, p.y * k} }
func lerp(a, b pt, t float64) pt { return pt{a.x + (b.x-a.x)*t, a.y + (b.y-a.y)*t} }
func (p pt) len() float64        { return math.Hypot(p.x, p.y) }
func (p pt) rot(s, c float64) pt { return pt{p.x*c - p.y*s, p.x*s + p.y*c} }
func (p pt) perp() pt            { return pt{-p.y, p.x} }
func (p pt) norm() pt {
	l := p.len()
	if l == 0 {
		return pt{}
	}
	return p.mul(1 / l)
}

// paintKind selects how a span is filled.
type paintKind uint8

const (
	paintSolid paintKind = iota
	paintDots            // halftone dot screen, possibly graded
	paintLines           // parallel line screen
	paintNoise           // sparse random specks (sand/texture tone)
)

// paint describes a fill. Screen parameters are in pixel units so that the
// per-pixel loop needs no further scaling.
type paint struct {
	kind paintKind
	v    uint8 // colour for solid fills and for screen ink

	// screen geometry
	c, s   float64 // cos/sin of the screen angle
	period float64 // screen period in pixels
	dens   float64 // ink coverage 0..1 at the start of the gradient

	// optional gradient of coverage along direction (gc, gs) from g0 to g1
	// (pixel positions along that direction), ending at coverage dens1.
	graded bool
	gc, gs float64
	g0, g1 float64
	dens1  float64
	seed   uint64 // for paintNoise
}

func solid(v uint8) paint { return paint{kind: paintSolid, v: v} }

// canvas rasterises into an 8-bit grey buffer. Everything is drawn as
// horizontal spans, optionally clipped to a convex region given per row.
type canvas struct {
	pix    []uint8
	stride int
	w, h   int
	sx, sy float64 // design units -> pixels
	ls     float64 // line width scale

	clipOn bool
	clipLo []int32 // per row, first pixel inside
	clipHi []int32 // per row, one past last pixel inside

	xs  []float64 // scratch for polygon crossings
	pts []pt      // scratch for path building
}

func newCanvas(img *image.Gray) *canvas {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	cv := &canvas{
		pix: img.Pix, stride: img.Stride, w: w, h: h,
		sx: float64(w) / designW, sy: float64(h) / designH,
	}
	cv.ls = math.Sqrt(cv.sx * cv.sy)
	cv.clipLo = make([]int32, h)
	cv.clipHi = make([]int32, h)
	return cv
}

// px converts design coordinates to pixel coordinates.
func (cv *canvas) px(p pt) pt { return pt{p.x * cv.sx, p.y * cv.sy} }

// lw converts a design line width to pixels, never thinner than one pixel
// so that thin lines survive small renderings without dropouts.
func (cv *canvas) lw(w float64) float64 {
	w *= cv.ls
	if w < 1 {
		w = 1
	}
	return w
}

func (cv *canvas) fillAll(v uint8) {
	for i := range cv.pix {
		cv.pix[i] = v
	}
}

// span fills pixels [x0,x1) of row y with p, honouring the clip.
func (cv *canvas) span(y, x0, x1 int, p *paint) {
	if y < 0 || y >= cv.h {
		return
	}
	if cv.clipOn {
		if lo := int(cv.clipLo[y]); x0 < lo {
			x0 = lo
		}
		if hi := int(cv.clipHi[y]); x1 > hi {
			x1 = hi
		}
	}
	if x0 < 0 {
		x0 = 0
	}
	if x1 > cv.w {
		x1 = cv.w
	}
	if x0 >= x1 {
		return
	}
	row := cv.pix[y*cv.stride : y*cv.stride+cv.w]
	switch p.kind {
	case paintSolid:
		v := p.v
		for x := x0; x < x1; x++ {
			row[x] = v
		}
	case paintDots, paintLines:
		screenSpan(row, y, x0, x1, p)
	case paintNoise:
		noiseSpan(row, y, x0, x1, p)
	}
}

// coverage returns the screen coverage at pixel centre (fx, fy).
func (p *paint) coverage(fx, fy float64) float64 {
	if !p.graded {
		return p.dens
	}
	t := (fx*p.gc + fy*p.gs - p.g0) / (p.g1 - p.g0)
	if t < 0 {
		t = 0
	} else if t > 1 {
		t = 1
	}
	return p.dens + (p.dens1-p.dens)*t
}

// screenSpan draws a screentone: round dots, or parallel lines. Dot
// coverage above one half is drawn as white holes in ink, like real
// screentone sheets.
func screenSpan(row []uint8, y, x0, x1 int, p *paint) {
	fy := float64(y) + 0.5
	inv := 1 / p.period
	for x := x0; x < x1; x++ {
		fx := float64(x) + 0.5
		d := p.coverage(fx, fy)
		if d <= 0.01 {
			continue
		}
		u := (fx*p.c + fy*p.s) * inv
		du := u - math.Floor(u)
		if p.kind == paintLines {
			if du < d {
				row[x] = p.v
			}
			continue
		}
		v := (fy*p.c - fx*p.s) * inv
		du -= 0.5
		dv := v - math.Floor(v) - 0.5
		r2 := du*du + dv*dv
		if d <= 0.5 {
			if r2 < d*(1/math.Pi) {
				row[x] = p.v
			}
		} else if r2 >= (1-d)*(1/math.Pi) {
			row[x] = p.v
		}
	}
}

// noiseSpan scatters specks with a hash of the pixel position, so the
// texture is a pure function of position and seed.
func noiseSpan(row []uint8, y, x0, x1 int, p *paint) {
	thr := uint64(p.dens * (1 << 32))
	for x := x0; x < x1; x++ {
		h := mix64(p.seed ^ uint64(y)<<32 ^ uint64(x))
		if h&0xffffffff < thr {
			row[x] = p.v
		}
	}
}

// fillPath fills one or more closed contours (pixel coordinates) with the
// even-odd rule, sampling at pixel centres.
func (cv *canvas) fillPath(contours [][]pt, p *paint) {
	minY, maxY := math.Inf(1), math.Inf(-1)
	for _, c := range contours {
		for _, q := range c {
			minY = math.Min(minY, q.y)
			maxY = math.Max(maxY, q.y)
		}
	}
	if !(minY < maxY) {
		return
	}
	y0 := int(math.Ceil(minY - 0.5))
	y1 := int(math.Ceil(maxY - 0.5))
	if y0 < 0 {
		y0 = 0
	}
	if y1 > cv.h {
		y1 = cv.h
	}
	for y := y0; y < y1; y++ {
		yc := float64(y) + 0.5
		xs := cv.xs[:0]
		for _, c := range contours {
			n := len(c)
			for i := 0; i < n; i++ {
				a, b := c[i], c[(i+1)%n]
				if (a.y <= yc) != (b.y <= yc) {
					xs = append(xs, a.x+(yc-a.y)*(b.x-a.x)/(b.y-a.y))
				}
			}
		}
		// insertion sort: crossings per row are few
		for i := 1; i < len(xs); i++ {
			for j := i; j > 0 && xs[j] < xs[j-1]; j-- {
				xs[j], xs[j-1] = xs[j-1], xs[j]
			}
		}
		for i := 0; i+1 < len(xs); i += 2 {
			cv.span(y, int(math.Ceil(xs[i]-0.5)), int(math.Ceil(xs[i+1]-0.5)), p)
		}
		cv.xs = xs
	}
}

// poly fills one contour given in design units.
func (cv *canvas) poly(p *paint, d ...pt) {
	c := make([]pt, len(d))
	for i, q := range d {
		c[i] = cv.px(q)
	}
	cv.fillPath([][]pt{c}, p)
}

// setClip restricts drawing to a convex polygon (design units); nil clears.
func (cv *canvas) setClip(d []pt) {
	if d == nil {
		cv.clipOn = false
		return
	}
	for y := range cv.clipLo {
		cv.clipLo[y] = 0
		cv.clipHi[y] = 0
	}
	n := len(d)
	for y := 0; y < cv.h; y++ {
		yc := float64(y) + 0.5
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := 0; i < n; i++ {
			a, b := cv.px(d[i]), cv.px(d[(i+1)%n])
			if (a.y <= yc) != (b.y <= yc) {
				x := a.x + (yc-a.y)*(b.x-a.x)/(b.y-a.y)
				lo = math.Min(lo, x)
				hi = math.Max(hi, x)
			}
		}
		if lo < hi {
			cv.clipLo[y] = int32(clampInt(int(math.Ceil(lo-0.5)), 0, cv.w))
			cv.clipHi[y] = int32(clampInt(int(math.Ceil(hi-0.5)), 0, cv.w))
		}
	}
	cv.clipOn = true
}

func clampInt(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// ellipsePts returns a rotated ellipse as a polygon in pixel coordinates.
func (cv *canvas) ellipsePts(c pt, rx, ry, ang float64) []pt {
	pc := cv.px(c)
	prx, pry := rx*cv.sx, ry*cv.sy
	n := int((prx + pry) * 0.6)
	n = clampInt(n, 12, 160)
	sa, ca := math.Sincos(ang)
	out := make([]pt, n)
	for i := range out {
		s, co := math.Sincos(2 * math.Pi * float64(i) / float64(n))
		q := pt{co * prx, s * pry}.rot(sa, ca)
		out[i] = pc.add(q)
	}
	return out
}

// ellipse fills an ellipse (design units).
func (cv *canvas) ellipse(p *paint, c pt, rx, ry, ang float64) {
	cv.fillPath([][]pt{cv.ellipsePts(c, rx, ry, ang)}, p)
}

// ring draws an ellipse outline of design width w.
func (cv *canvas) ring(p *paint, c pt, rx, ry, ang, w float64) {
	pw := cv.lw(w) / cv.ls / 2
	outer := cv.ellipsePts(c, rx+pw, ry+pw, ang)
	if rx-pw <= 0 || ry-pw <= 0 {
		cv.fillPath([][]pt{outer}, p)
		return
	}
	inner := cv.ellipsePts(c, rx-pw, ry-pw, ang)
	cv.fillPath([][]pt{outer, inner}, p)
}

// seg draws a segment from a to b (design units) whose width goes from
// w0 to w1, with square-ish caps so that polylines join without gaps.
func (cv *canvas) seg(p *paint, a, b pt, w0, w1 float64) {
	pa, pb := cv.px(a), cv.px(b)
	d := pb.sub(pa)
	l := d.len()
	if l == 0 {
		return
	}
	u := d.mul(1 / l)
	n := u.perp()
	h0, h1 := cv.lw(w0)/2, cv.lw(w1)/2
	ea := pa.sub(u.mul(h0 * 0.5))
	eb := pb.add(u.mul(h1 * 0.5))
	cv.fillPath([][]pt{{ea.add(n.mul(h0)), eb.add(n.mul(h1)), eb.sub(n.mul(h1)), ea.sub(n.mul(h0))}}, p)
}

// line draws a constant-width segment.
func (cv *canvas) line(p *paint, a, b pt, w float64) { cv.seg(p, a, b, w, w) }

// polyline draws a connected path with constant width.
func (cv *canvas) polyline(p *paint, w float64, pts ...pt) {
	for i := 0; i+1 < len(pts); i++ {
		cv.line(p, pts[i], pts[i+1], w)
	}
}

// bezier draws a cubic Bezier as a brush stroke: width swells from w*taper
// at the ends to w in the middle, like an ink pen.
func (cv *canvas) bezier(p *paint, a, b, c, d pt, w, taper float64) {
	l := a.sub(b).len() + b.sub(c).len() + c.sub(d).len()
	n := clampInt(int(l*cv.ls/6), 4, 40)
	prev := a
	prevW := w * taper
	for i := 1; i <= n; i++ {
		t := float64(i) / float64(n)
		mt := 1 - t
		q := a.mul(mt * mt * mt).add(b.mul(3 * mt * mt * t)).add(c.mul(3 * mt * t * t)).add(d.mul(t * t * t))
		sw := w * (taper + (1-taper)*math.Sin(math.Pi*t))
		cv.seg(p, prev, q, prevW, sw)
		prev, prevW = q, sw
	}
}

// rect fills an axis-aligned rectangle (design units).
func (cv *canvas) rect(p *paint, x0, y0, x1, y1 float64) {
	cv.poly(p, pt{x0, y0}, pt{x1, y0}, pt{x1, y1}, pt{x0, y1})
}

// quadOutline draws a closed polygon outline of design width w, mitred by
// filling the band between the polygon and its inward offset. The polygon
// must be convex and wound consistently.
func (cv *canvas) quadOutline(p *paint, d []pt, w float64) {
	inner := insetConvex(d, cv.lw(w)/cv.ls)
	outer := make([]pt, len(d))
	in := make([]pt, len(d))
	for i := range d {
		outer[i] = cv.px(d[i])
		in[i] = cv.px(inner[i])
	}
	cv.fillPath([][]pt{outer, in}, p)
}

// insetConvex offsets a convex polygon inwards by dist (design units).
func insetConvex(d []pt, dist float64) []pt {
	n := len(d)
	// signed area tells the winding so that "inwards" is known
	var area float64
	for i := 0; i < n; i++ {
		a, b := d[i], d[(i+1)%n]
		area += a.x*b.y - b.x*a.y
	}
	sgn := 1.0
	if area < 0 {
		sgn = -1
	}
	out := make([]pt, n)
	for i := 0; i < n; i++ {
		prev, cur, next := d[(i+n-1)%n], d[i], d[(i+1)%n]
		n1 := cur.sub(prev).norm().perp().mul(sgn)
		n2 := next.sub(cur).norm().perp().mul(sgn)
		// intersection of the two offset edges
		p1 := prev.add(n1.mul(dist))
		p2 := cur.add(n2.mul(dist))
		d1 := cur.sub(prev)
		d2 := next.sub(cur)
		den := d1.x*d2.y - d1.y*d2.x
		if math.Abs(den) < 1e-9 {
			out[i] = cur.add(n1.mul(dist))
			continue
		}
		t := ((p2.x-p1.x)*d2.y - (p2.y-p1.y)*d2.x) / den
		out[i] = p1.add(d1.mul(t))
	}
	return out
}

// smooth applies a [1 2 1]/4 filter across and down the page. Scanned and
// digitally lettered pages are anti-aliased, not bi-level; this gives the
// edges their grey steps (so that tone curves and codecs behave as on
// real pages) at a fraction of the cost of anti-aliased rasterisation.
func (cv *canvas) smooth() {
	w, h, st := cv.w, cv.h, cv.stride
	if w < 3 || h < 3 {
		return
	}
	row := make([]uint8, w)
	for y := 0; y < h; y++ {
		p := cv.pix[y*st : y*st+w]
		copy(row, p)
		p[0] = uint8((3*int(row[0]) + int(row[1]) + 2) >> 2)
		for x := 1; x < w-1; x++ {
			p[x] = uint8((int(row[x-1]) + 2*int(row[x]) + int(row[x+1]) + 2) >> 2)
		}
		p[w-1] = uint8((int(row[w-2]) + 3*int(row[w-1]) + 2) >> 2)
	}
	prev := make([]uint8, w)
	copy(prev, cv.pix[:w])
	for y := 0; y < h; y++ {
		cur := cv.pix[y*st : y*st+w]
		next := cur
		if y+1 < h {
			next = cv.pix[(y+1)*st : (y+1)*st+w]
		}
		copy(row, cur)
		for x := 0; x < w; x++ {
			cur[x] = uint8((int(prev[x]) + 2*int(row[x]) + int(next[x]) + 2) >> 2)
		}
		prev, row = row, prev
	}
}
