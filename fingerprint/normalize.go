package fingerprint

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"sort"
)

// rect is a half-open box [x0,x1)×[y0,y1) on a plane.
type rect struct{ x0, y0, x1, y1 int }

func (r rect) dx() int       { return r.x1 - r.x0 }
func (r rect) dy() int       { return r.y1 - r.y0 }
func (r rect) empty() bool   { return r.x1 <= r.x0 || r.y1 <= r.y0 }
func (r rect) area() float64 { return float64(max(r.dx(), 0)) * float64(max(r.dy(), 0)) }

// Deskew search: the range covers the ±3° of a careless scan or a pirate's
// rotation with room to spare.
const (
	maxSkew     = 4.0
	coarseStep  = 0.5
	fineStep    = 0.1
	minSkew     = 0.15 // below this a rotation would only blur
	minSkewGain = 1.25 // the sharpness a skew must gain over 0° to be undone
	// coarseKeep coarse angles are rescored on pixels. Chosen on the
	// tuning set (40 series): 3 -> 5 let a -1.58° turn onto white, whose
	// pixel sharpness peaks at -1.5° but whose cells ranked it fifth, be
	// tried as the other reading (rotate 98.5 -> 98.8%, nothing
	// else moved, 7.70 lookups per query). 5 -> 9 on 100 tuning series:
	// two turns onto white of -2.09° and -2.66°, 1.45 and 1.30 times as
	// sharp on pixels as 0° but ranked about eighth on cells, are undone
	// (rotate 97.8 -> 98.0%, nothing else moved, 7.77 lookups per query).
	coarseKeep = 9
	// straightGain is how much sharper the projections must be at 0°
	// than a coarse step either side for the search to stop there.
	straightGain = 1.5
)

// Ambiguous skews. A rotation whose sharpness gain over 0° lies between
// altSkewGain and minSkewGain is not undone, but a query also tries the
// page turned by it; one undone with a gain below sureSkewGain also tries
// the page as it came.
const (
	altSkewGain  = 1.05
	sureSkewGain = 1.5
)

// skew estimates the rotation of the page in r, in degrees, from the
// sharpness of its ink projections: panel borders and gutters line up with
// the axes when the page is straight. alt is the other reading a query
// should try when the evidence is weak (NaN when there is none).
func (p plane) skew(r rect) (deg, alt float64) { return p.skewBy(r, coarseKeep) }

// skewBy is skew with keep coarse angles rescored on pixels.
func (p plane) skewBy(r rect, keep int) (deg, alt float64) {
	// The edge of a page turned on a dark fill gives the angle directly,
	// where ink projections can be fooled by speed lines and screentones.
	// A fill edge at 0° (a letterbox bar) says nothing of the page inside.
	if deg, ok := p.fillSkew(); ok && math.Abs(deg) >= minSkew {
		return deg, math.NaN()
	}
	cx, cy := float32(r.x0+r.x1)/2, float32(r.y0+r.y1)/2
	fine := p.s.projector(r.dx()*r.dy(), r.dy())
	fine.inkPoints(p, r, cx, cy)
	if len(fine.xs) < 32 {
		return 0, math.NaN()
	}
	diag := int(math.Hypot(float64(r.dx()), float64(r.dy()))) + 4
	fine.bins(diag, p.s)
	// A page whose projections are far sharper at 0° than a coarse step
	// either side is straight: most pages are, and need no more search.
	s0 := fine.score(0)
	if sl, sr := fine.scorePair(-coarseStep, coarseStep); s0 >= straightGain*max(sl, sr) {
		return 0, math.NaN()
	}
	// The coarse search runs on 2×2 cells, a quarter of the points; the
	// fine search, which decides, on pixels.
	cw, ch := (r.dx()+1)/2, (r.dy()+1)/2
	cells := p.s.float32s(cw * ch)
	start := int32(0)
	for k, end := range fine.rowEnd {
		cells := cells[int(fine.rowY[k]+cy-float32(r.y0))/2*cw:][:cw]
		for i, x := range fine.xs[start:end] {
			cells[int(x+cx-float32(r.x0))/2] += fine.ws[int(start)+i]
		}
		start = end
	}
	coarse := p.s.projector(len(cells), ch)
	for j := range ch {
		n := len(coarse.xs)
		for i, v := range cells[j*cw:][:cw] {
			if v > 0 {
				coarse.point((float32(r.x0+2*i)+0.5-cx)/2, v)
			}
		}
		if len(coarse.xs) > n {
			coarse.endRow((float32(r.y0+2*j) + 0.5 - cy) / 2)
		}
	}
	coarse.bins(diag/2+1, p.s)
	// The best few coarse angles are scored again on pixels: cells can
	// blur apart two angles that pixels tell apart.
	type cand struct{ deg, s float64 }
	var cands []cand
	for a := -maxSkew; a <= maxSkew+1e-9; a += coarseStep {
		cands = append(cands, cand{a, coarse.score(a)})
	}
	slices.SortStableFunc(cands, func(a, b cand) int { return cmp.Compare(b.s, a.s) })
	c, cBest := 0.0, s0
	for _, k := range cands[:keep] {
		if k.deg == 0 {
			continue
		}
		if s := fine.score(k.deg); s > cBest {
			c, cBest = k.deg, s
		}
	}
	// Between two coarse angles the sharpness peaks at most half a
	// coarse step from the better one.
	steps := [...]float64{c - fineStep, c + fineStep, c - 2*fineStep, c + 2*fineStep}
	var scores [len(steps)]float64
	// On a straight page (c = 0) only the steps of minSkew or more can
	// turn it: when neither beats 0°, the nearer ones need no scoring.
	straight := c == 0
	for i := len(steps) - 1; i >= 0; i-- {
		if straight && math.Abs(steps[i]) < minSkew {
			return 0, p.ridgeAlt(r, math.NaN())
		}
		scores[i] = fine.score(steps[i])
		straight = straight && scores[i] <= s0
	}
	best, bestS := c, cBest
	for i, a := range steps {
		if scores[i] > bestS {
			best, bestS = a, scores[i]
		}
	}
	// Diagonal panel cuts and speed lines can favour a small angle on a
	// straight page; a real skew sharpens the projections by far more.
	switch {
	case math.Abs(best) < minSkew || bestS < altSkewGain*s0:
		return 0, p.ridgeAlt(r, math.NaN())
	case bestS < minSkewGain*s0:
		return 0, p.ridgeAlt(r, best)
	case p.outlineStraighter(r, best):
		// Long slanted speed lines can outweigh the frames in the ink;
		// the outline of the content, frames along the gutters, still
		// says the page is straight. The angle stays a reading to try.
		return 0, p.ridgeAlt(r, best)
	case bestS < sureSkewGain*s0:
		return best, 0
	}
	return best, math.NaN()
}

// Ridges. On a page turned onto white the ink projections can stay about
// as sharp at 0° as at the page's angle: the turn smears thin frames
// across two plane lines, which the ink threshold then thins, while
// screentones alias into patterns of their own. Ridge pixels, darker
// than both their neighbours across in one direction (lines, frames,
// strokes), keep a frame's mass on its line whatever the angle. When the
// ink search keeps a page straight, a ridge projection ridgeGain times
// as sharp at another angle as at 0° gives the reading a query also tries
// (in place of the ink's own weaker one); the page itself, and so every
// reference hash, stays as it was. Tuning series 0-99 / 100-199 /
// 200-299: rotate 99.5 -> 99.5, 98.9 -> 99.1, 98.9 -> 99.1% (four turns
// onto white of 1.02-2.30° read again), nothing else moved, lookups per
// query +0.01 on each; on 400 clean pages one more has another reading.
// About one page in six on the fast path gets here (34 of 200 DC
// thumbnails), most of them straight by their ridges too, which stops the
// search after three projections: 55-60 µs per page on average, about 3%
// of the fast path (`-bench` of ridgeAlt over those 34 planes).
const ridgeGain = 1.4

// ridgeMin is how much darker than both neighbours across a pixel must be
// to count as a ridge: flat screentone, whose pixels differ by a few grey
// levels, adds points and time but no line.
const ridgeMin = 16

// ridgeAlt returns the angle, at least minSkew, at which the ridges of r
// project ridgeGain times as sharply as at 0°, or alt when there is none.
func (p plane) ridgeAlt(r rect, alt float64) float64 {
	bg := p.mask()
	at := func(i int) float32 {
		if v := p.pix[i]; v >= 0 && !bg[i] {
			return v
		}
		return 255
	}
	cx, cy := float32(r.x0+r.x1)/2, float32(r.y0+r.y1)/2
	q := p.s.projector(r.dx()*r.dy(), r.dy())
	for y := max(r.y0, 1); y < min(r.y1, p.h-1); y++ {
		n := len(q.xs)
		for x := max(r.x0, 1); x < min(r.x1, p.w-1); x++ {
			// Background, and paper too light to lie ridgeMin under
			// anything, is no ridge.
			i := y*p.w + x
			v := p.pix[i]
			if v < 0 || v >= 255-ridgeMin || bg[i] {
				continue
			}
			if w := max(min(at(i-1), at(i+1))-v, min(at(i-p.w), at(i+p.w))-v); w > ridgeMin {
				q.point(float32(x)-cx, w)
			}
		}
		if len(q.xs) > n {
			q.endRow(float32(y) - cy)
		}
	}
	if len(q.xs) < 32 {
		return alt
	}
	q.bins(int(math.Hypot(float64(r.dx()), float64(r.dy())))+4, p.s)
	// Ridges far sharper at 0° than a coarse step either side: the page
	// is straight by its ridges too (most pages that get here).
	s0 := q.score(0)
	sl, sr := q.scorePair(-coarseStep, coarseStep)
	if s0 >= straightGain*max(sl, sr) {
		return alt
	}
	best, bestS := 0.0, s0
	if sl > bestS {
		best, bestS = -coarseStep, sl
	}
	if sr > bestS {
		best, bestS = coarseStep, sr
	}
	for a := -maxSkew; a <= maxSkew+1e-9; a += coarseStep {
		if math.Abs(a) <= coarseStep {
			continue
		}
		if s := q.score(a); s > bestS {
			best, bestS = a, s
		}
	}
	if best == 0 {
		return alt
	}
	c := best
	for _, a := range [...]float64{c - 2*fineStep, c - fineStep, c + fineStep, c + 2*fineStep} {
		if s := q.score(a); s > bestS {
			best, bestS = a, s
		}
	}
	if math.Abs(best) < minSkew || bestS < ridgeGain*s0 {
		return alt
	}
	return best
}

// outlineStraighter reports whether the outline of the content in r (its
// pixels next to background: panel frames along the gutters and margins)
// projects more sharply at 0° than at deg. Tuning set (40 series): of the
// 106 queries the ink search turned by the right angle (within 0.3°), the
// outline was sharper at that angle in every one (1.08 to 30 times); it
// was sharper at 0° on a straight cropped page turned by -1.4° and a
// straight combo page turned by 1.3°.
func (p plane) outlineStraighter(r rect, deg float64) bool {
	if p.bg == nil {
		return false
	}
	bg, w := p.bg, p.w
	cx, cy := float32(r.x0+r.x1)/2, float32(r.y0+r.y1)/2
	q := p.s.projector(r.dx()*r.dy(), r.dy())
	for y := r.y0; y < r.y1; y++ {
		n := len(q.xs)
		for x := r.x0; x < r.x1; x++ {
			i := y*w + x
			if bg[i] || p.pix[i] < 0 {
				continue
			}
			if (x > 0 && bg[i-1]) || (x < w-1 && bg[i+1]) || (y > 0 && bg[i-w]) || (y < p.h-1 && bg[i+w]) {
				q.point(float32(x)-cx, 1)
			}
		}
		if len(q.xs) > n {
			q.endRow(float32(y) - cy)
		}
	}
	if len(q.xs) < 32 {
		return false
	}
	q.bins(int(math.Hypot(float64(r.dx()), float64(r.dy())))+4, p.s)
	return q.score(0) > q.score(deg)
}

// Fill edges. A page turned and set on a fill darker than paper (the
// corners a rotation uncovers, or the whole surround of an expanded
// canvas) meets the image border in wedges whose depth grows linearly
// along the border, by the tangent of the angle. The depth is measured as
// the fill's coverage summed inwards, which blurring and resampling
// conserve, so that thin wedges are measured without bias. A fit counts
// when it holds at least fillMinShare of the plane's width plus height in
// border positions and its residual is at most fillMaxRMS pixels. Chosen
// on the tuning set (40 series): on rotations onto grey or black the fit
// is within 0.08° of the true angle and its residual at most 0.12; on
// unrotated pages only cut dark panels give fits of that size, with
// residuals of 0.24 or more.
const (
	fillMinShare = 0.33
	fillMaxRMS   = 0.15
	// fillMinRun is the least run of border positions of one straight
	// wedge edge; fillStep the largest step in depth between neighbours
	// on one edge (at most 4°, 0.07 a pixel, plus noise).
	fillMinRun = 8
	fillStep   = 0.5
)

// fillSkew estimates the angle of a page on a dark fill from the fill
// wedges along the image border. ok is false when there is no such fill or
// the wedges are not straight.
func (p plane) fillSkew() (deg float64, ok bool) {
	if p.bg == nil || p.w < 16 || p.h < 16 {
		return 0, false
	}
	w, h := p.w, p.h
	// Each side: its first pixel, the steps along it and inwards, its
	// length and depth, and the sign that turns the slope of depth along
	// it into the tangent of the page's angle.
	sides := [4]struct {
		base, along, in, n, depth int
		sign                      float64
	}{
		{0, 1, w, w, h, -1},           // top
		{0, w, 1, h, w, 1},            // left
		{(h - 1) * w, 1, -w, w, h, 1}, // bottom
		{w - 1, w, -1, h, w, -1},      // right
	}
	pix, bg := p.pix, p.bg
	dark := func(i int) bool { return bg[i] && pix[i] >= 0 && pix[i] < paperLevel-bgTolerance }
	var sxx, sxy, syy float64
	count := 0
	for _, sd := range sides {
		maxDepth := sd.depth / 4
		// The fill's own value: the median at the border where the fill
		// is at least two pixels deep.
		var hist [256]int
		nFill := 0
		for t := 0; t < sd.n; t++ {
			i := sd.base + t*sd.along
			if dark(i) && dark(i+sd.in) {
				hist[int(pix[i])]++
				nFill++
			}
		}
		if nFill < fillMinRun {
			continue
		}
		fill := float32(percentile(&hist, nFill, 0.5))
		// Sums of one run of positions t with depths e.
		var n, st, se, stt, ste, see float64
		flush := func() {
			if n >= fillMinRun {
				sxx += stt - st*st/n
				sxy += sd.sign * (ste - st*se/n)
				syy += see - se*se/n
				count += int(n)
			}
			n, st, se, stt, ste, see = 0, 0, 0, 0, 0, 0
		}
		last := 0.0
		for t := 0; t < sd.n; t++ {
			i := sd.base + t*sd.along
			if !dark(i) {
				flush()
				continue
			}
			end := -1
			for d := 1; d < maxDepth; d++ {
				if pix[i+d*sd.in] >= paperLevel {
					end = d
					break
				}
			}
			if end < 0 {
				flush()
				continue
			}
			paper := max(pix[i+(end+1)*sd.in], pix[i+(end+2)*sd.in])
			e := 0.0
			for d := 0; d <= end; d++ {
				e += float64(min(1, max(0, (paper-pix[i+d*sd.in])/(paper-fill))))
			}
			if n > 0 && math.Abs(e-last) > fillStep {
				flush()
			}
			ft := float64(t)
			n, st, se, stt, ste, see = n+1, st+ft, se+e, stt+ft*ft, ste+ft*e, see+e*e
			last = e
		}
		flush()
	}
	if float64(count) < fillMinShare*float64(w+h) || sxx == 0 {
		return 0, false
	}
	b := sxy / sxx
	if rss := syy - b*sxy; rss > fillMaxRMS*fillMaxRMS*float64(count) {
		return 0, false
	}
	return math.Atan(b) * 180 / math.Pi, true
}

// projector scores the sharpness of the horizontal and vertical ink
// projections of weighted points, centred on 0, turned by an angle. The
// points are held in columns, row by row (points of one y follow each
// other): a score visits every one of them.
type projector struct {
	xs, ws []float32
	rowY   []float32 // the y of each row of points
	rowEnd []int32   // the end of each row in xs
	hp, vp []float32
	// hp2 and vp2 are the second angle's projections for scorePair.
	hp2, vp2 []float32
	off      float32
}

// inkPoints adds the ink of r, pixels known, not background and darker
// than 160, as points weighted by their darkness, centred on (cx, cy), a
// row of points for each row of r that has any. q must have room for every
// pixel of r.
//
// Every pixel is written as a point and kept by counting it: on
// screentones a branch per pixel is a coin toss. The xs of a row are the
// same for every row, taken from a table: fewer values live in the loop,
// which kept three of them on the stack.
func (q *projector) inkPoints(p plane, r rect, cx, cy float32) {
	bg := p.mask()
	xr := p.s.float32sSet(r.dx())
	for i := range xr {
		xr[i] = float32(r.x0+i) - cx
	}
	xs, ws := q.xs[:cap(q.xs)], q.ws[:cap(q.ws)]
	n := 0
	for y := r.y0; y < r.y1; y++ {
		pix := p.pix[y*p.w+r.x0 : y*p.w+r.x1]
		bg, xr := bg[y*p.w+r.x0:][:len(pix)], xr[:len(pix)]
		if m := inkRow(pix, bg, xr, xs[n:], ws[n:]); m > 0 {
			n += m
			q.xs, q.ws = xs[:n], ws[:n]
			q.endRow(float32(y) - cy)
		}
	}
	q.xs, q.ws = xs[:n], ws[:n]
}

// inkRow writes the points of a row of pixels pix, their mask bg and
// their xs xr to xs and ws (room for all of them) and returns how many it
// kept. A function of its own, so that its loop has the registers to
// itself.
func inkRow(pix []float32, bg []bool, xr, xs, ws []float32) int {
	bg, xr = bg[:len(pix)], xr[:len(pix)]
	xs, ws = xs[:len(pix)], ws[:len(pix)]
	m := 0
	for i, v := range pix {
		xs[m], ws[m] = xr[i], 255-v
		m += int(b2u(v >= 0) & b2u(v < 160) & b2u(!bg[i]))
	}
	return m
}

// projector returns a projector with room for n points in rows rows.
func (s *scratch) projector(n, rows int) projector {
	return projector{xs: s.float32Room(n), ws: s.float32Room(n), rowY: s.float32Room(rows), rowEnd: s.int32s(rows)[:0]}
}

// point adds a point to the row being built; endRow ends that row.
func (q *projector) point(x, w float32) { q.xs, q.ws = append(q.xs, x), append(q.ws, w) }

// endRow ends the row of points added since the last one, at y.
func (q *projector) endRow(y float32) {
	q.rowY = append(q.rowY, y)
	q.rowEnd = append(q.rowEnd, int32(len(q.xs)))
}

// bins sizes the projections for points within radius of the centre.
func (q *projector) bins(radius int, s *scratch) {
	q.hp, q.vp = s.float32s(2*radius+1), s.float32s(2*radius+1)
	q.hp2, q.vp2 = s.float32s(2*radius+1), s.float32s(2*radius+1)
	q.off = float32(radius) + 0.5
}

func (q *projector) score(deg float64) float64 {
	t := float32(math.Tan(deg * math.Pi / 180))
	hp, vp, off := q.hp, q.vp, q.off
	clear(hp)
	clear(vp)
	// Points come row by row, so runs of them fall in one horizontal bin:
	// summing a run before adding it keeps the additions out of a chain
	// through memory, which made this loop half as fast.
	bin, run := 0, float32(0)
	start := int32(0)
	rowY := q.rowY[:len(q.rowEnd)]
	for r, end := range q.rowEnd {
		y := rowY[r]
		yt := y * t
		xs := q.xs[start:end]
		ws := q.ws[start:end]
		ws = ws[:len(xs)]
		for i, x := range xs {
			w := ws[i]
			if b := int(y + x*t + off); b != bin {
				hp[bin] += run
				bin, run = b, 0
			}
			run += w
			vp[int(x-yt+off)] += w
		}
		start = end
	}
	hp[bin] += run
	return sharpness(hp, vp)
}

// sharpness scores the projections hp and vp: the sum of their squared
// steps.
func sharpness(hp, vp []float32) float64 {
	vp = vp[:len(hp)]
	var s float64
	for i := 1; i < len(hp); i++ {
		dh, dv := hp[i]-hp[i-1], vp[i]-vp[i-1]
		s += float64(dh*dh) + float64(dv*dv)
	}
	return s
}

// scorePair is score at two angles, a and b, in one pass over the points:
// each angle's sums are made in the same order as score makes them.
func (q *projector) scorePair(a, b float64) (sa, sb float64) {
	ta, tb := float32(math.Tan(a*math.Pi/180)), float32(math.Tan(b*math.Pi/180))
	hpa, vpa, off := q.hp, q.vp, q.off
	hpb, vpb := q.hp2, q.vp2
	clear(hpa)
	clear(vpa)
	clear(hpb)
	clear(vpb)
	binA, runA, binB, runB := 0, float32(0), 0, float32(0)
	start := int32(0)
	rowY := q.rowY[:len(q.rowEnd)]
	for r, end := range q.rowEnd {
		y := rowY[r]
		yta, ytb := y*ta, y*tb
		xs := q.xs[start:end]
		ws := q.ws[start:end]
		ws = ws[:len(xs)]
		for i, x := range xs {
			w := ws[i]
			if k := int(y + x*ta + off); k != binA {
				hpa[binA] += runA
				binA, runA = k, 0
			}
			if k := int(y + x*tb + off); k != binB {
				hpb[binB] += runB
				binB, runB = k, 0
			}
			runA += w
			runB += w
			vpa[int(x-yta+off)] += w
			vpb[int(x-ytb+off)] += w
		}
		start = end
	}
	hpa[binA] += runA
	hpb[binB] += runB
	return sharpness(hpa, vpa), sharpness(hpb, vpb)
}

// rotate returns p turned by deg degrees about the centre of r so that a
// skew of deg becomes straight. Pixels that come from outside p are marked
// unknown (-1).
func (p plane) rotate(deg float64, r rect) plane {
	out := p.s.planeSet(p.w, p.h)
	if p.bg != nil {
		out.bg = p.s.boolSlice(len(p.bg))
	}
	th := deg * math.Pi / 180
	sin, cos := float32(math.Sin(th)), float32(math.Cos(th))
	cx, cy := float32(r.x0+r.x1)/2, float32(r.y0+r.y1)/2
	for y := 0; y < p.h; y++ {
		dy := float32(y) - cy
		for x := 0; x < p.w; x++ {
			dx := float32(x) - cx
			sx := cx + dx*cos + dy*sin
			sy := cy - dx*sin + dy*cos
			v := p.bilinear(sx, sy)
			out.pix[y*p.w+x] = v
			if out.bg != nil {
				nx, ny := int(sx+0.5), int(sy+0.5)
				out.bg[y*p.w+x] = v < 0 || nx < 0 || ny < 0 || nx >= p.w || ny >= p.h || p.bg[ny*p.w+nx]
			}
		}
	}
	return out
}

func (p plane) bilinear(x, y float32) float32 {
	if x < -0.5 || y < -0.5 || x > float32(p.w)-0.5 || y > float32(p.h)-0.5 {
		return -1
	}
	x = min(max(x, 0), float32(p.w-1))
	y = min(max(y, 0), float32(p.h-1))
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, p.w-1), min(y0+1, p.h-1)
	fx, fy := x-float32(x0), y-float32(y0)
	a, b := p.pix[y0*p.w+x0], p.pix[y0*p.w+x1]
	c, d := p.pix[y1*p.w+x0], p.pix[y1*p.w+x1]
	if a < 0 || b < 0 || c < 0 || d < 0 {
		// At the edge of the source: take the nearest known value.
		for _, v := range [...]float32{a, b, c, d} {
			if v >= 0 {
				return v
			}
		}
		return -1
	}
	top := a + (b-a)*fx
	bot := c + (d-c)*fx
	return top + (bot-top)*fy
}

// bgTolerance is how far, in grey levels, a pixel may differ from the
// border pixel it is reached from and still count as background.
const bgTolerance = 20

// bgBucket groups border values into floods of one reference each.
const bgBucket = 8

// paperLevel is the least luma of white paper.
const paperLevel = 200

// background marks the pixels reachable from the border through pixels
// close in value to the border pixel they started from: margins, letterbox
// bars and the fill around a rotated page, whatever their shade. The mask
// steers the content box and the deskew; the thumbnail keeps the values.
func (p *plane) markBackground() { p.markBackgroundBy(p.valueRange()) }

// markBackgroundBy is markBackground for a page whose values run from ink
// to ink+255*gain (see valueRange).
func (p *plane) markBackgroundBy(ink, gain float32) {
	f := flooder{p: p, bg: p.s.boolSlice(len(p.pix)), mark: p.s.uint16s(len(p.pix)), ink: ink, gain: gain}
	if p.s != nil {
		f.stack, f.edge = p.s.stack[:0], p.s.edge[:0]
		defer func() { p.s.stack, p.s.edge = f.stack[:0], f.edge[:0] }()
	}
	w, h := p.w, p.h
	if n := uint64(len(p.pix)); n > 0 && n*uint64(w) < 1<<32 {
		f.magic = (1<<32 + uint64(w) - 1) / uint64(w)
	}
	seeds := p.s.int32s(2*w + 2*max(h-2, 0))[:0]
	for x := 0; x < w; x++ {
		seeds = append(seeds, int32(x), int32((h-1)*w+x))
	}
	for y := 1; y < h-1; y++ {
		seeds = append(seeds, int32(y*w), int32(y*w+w-1))
	}
	f.record = true
	f.flood(seeds)
	f.record = false
	if f.dark {
		f.dark = f.keepDarkContent(seeds)
	}
	bg := f.bg
	// A bar or fill of another shade may surround the white paper of the
	// margins: flood the paper too, from where it meets the background,
	// across the one-pixel blend between bar and paper that resampling
	// leaves.
	seeds = seeds[:0]
	if !f.dark {
		// No background pixel is darker than paper, so there is no
		// blend, and the paper that meets the background is among the
		// pixels the flood turned away.
		for _, i := range f.edge {
			if !bg[i] {
				seeds = append(seeds, i)
			}
		}
		f.flood(seeds)
		p.bg = bg
		return
	}
	f.flood(f.paperSeeds(seeds))
	p.bg = bg
}

// paperSeeds marks as background the pixels that blend into dark
// background (see blendsInto) and returns, appended to seeds, the pixels of
// paper next to background, in the order of the plane. Only pixels next
// to background can be either: bit sets of the mask, of its dark pixels
// and of their neighbours pick them, and each is tested as a scan of every
// pixel would test it.
func (f *flooder) paperSeeds(seeds []int32) []int32 {
	p, bg := f.p, f.bg
	w, h := p.w, p.h
	words := (w + 63) / 64
	all, dark := p.s.uint64sSet(h*words), p.s.uint64sSet(h*words)
	for y := 0; y < h; y++ {
		maskBits(bg[y*w:(y+1)*w], p.pix[y*w:(y+1)*w], all[y*words:(y+1)*words], dark[y*words:(y+1)*words])
	}
	// next returns word k of the pixels of row y with a 4-neighbour in
	// set, among those not in the mask.
	next := func(set []uint64, y, k int) uint64 {
		r := set[y*words:][:words]
		n := r[k]<<1 | r[k]>>1
		if k > 0 {
			n |= r[k-1] >> 63
		}
		if k+1 < words {
			n |= r[k+1] << 63
		}
		if y > 0 {
			n |= set[(y-1)*words+k]
		}
		if y < h-1 {
			n |= set[(y+1)*words+k]
		}
		if last := w - 64*k; last < 64 {
			n &= 1<<last - 1
		}
		return n &^ all[y*words+k]
	}
	// rows returns row y of the mask and of the values, nil beyond the plane.
	rows := func(y int) ([]bool, []float32) {
		if y < 0 || y >= h {
			return nil, nil
		}
		return bg[y*w : (y+1)*w], p.pix[y*w : (y+1)*w]
	}
	var blend []int32
	for y := 0; y < h; y++ {
		cur, pc := rows(y)
		up, pu := rows(y - 1)
		down, pd := rows(y + 1)
		for k := range words {
			for n := next(dark, y, k); n != 0; n &= n - 1 {
				x := 64*k + bits.TrailingZeros64(n)
				v := pc[x]
				if (x > 0 && blendsInto(v, pc[x-1], cur[x-1])) || (x < w-1 && blendsInto(v, pc[x+1], cur[x+1])) ||
					(up != nil && blendsInto(v, pu[x], up[x])) || (down != nil && blendsInto(v, pd[x], down[x])) {
					blend = append(blend, int32(y*w+x))
				}
			}
		}
	}
	for _, i := range blend {
		bg[i] = true
		y, x := int(i)/w, int(i)%w
		all[y*words+x/64] |= 1 << (x % 64)
	}
	for y := 0; y < h; y++ {
		pc := p.pix[y*w : (y+1)*w]
		for k := range words {
			for n := next(all, y, k); n != 0; n &= n - 1 {
				if x := 64*k + bits.TrailingZeros64(n); pc[x] >= paperLevel {
					seeds = append(seeds, int32(y*w+x))
				}
			}
		}
	}
	return seeds
}

// maskBits sets the bits of all for the pixels of a row in its mask,
// those of dark for the ones among them darker than paper. A word is
// filled from its top bit down, by constant shifts.
func maskBits(mask []bool, pix []float32, all, dark []uint64) {
	dark = dark[:len(all)]
	for k := range all {
		m := mask[64*k : min(64*k+64, len(mask))]
		px := pix[64*k:][:len(m)]
		var a, d uint64
		for j, on := range m {
			b := uint64(b2u(on))
			a = a>>1 | b<<63
			d = d>>1 | b&uint64(b2u(px[j] < paperLevel))<<63
		}
		all[k], dark[k] = a>>(64-len(m)), d>>(64-len(m))
	}
}

// valueRange returns the page's darkest value and its range up to its
// paper (the 90th percentile) as a share of the 0-255 of a page printed in
// black on white. A tint, a colourise or raised output levels squeeze the
// values of a page: its floods group their seeds and take pixels on that
// scale, so that a step from paper to a faint speed line or a thin frame
// that stops the flood on the original page stops it on the tinted one
// too. Pages that run from black to white flood as before: of the 800
// pages of the tuning series (references and distractors), as images and
// as JPEGs, not one fingerprint changed.
func (p *plane) valueRange() (ink, gain float32) {
	// Four histograms, for every fourth pixel, shifted by one so that
	// unknown pixels (-1) count at 0 without a branch: runs of paper of
	// one value would otherwise chain every increment through the same
	// counter, and two chains still wait on each other's stores.
	var lanes [4][257]int32
	pix := p.pix[:len(p.pix)&^3]
	for i := 0; i < len(pix); i += 4 {
		q := pix[i : i+4 : i+4]
		lanes[0][int(q[0])+1]++
		lanes[1][int(q[1])+1]++
		lanes[2][int(q[2])+1]++
		lanes[3][int(q[3])+1]++
	}
	for _, v := range p.pix[len(pix):] {
		lanes[0][int(v)+1]++
	}
	var hist [256]int
	n := 0
	for v := range hist {
		hist[v] = int(lanes[0][v+1]) + int(lanes[1][v+1]) + int(lanes[2][v+1]) + int(lanes[3][v+1])
		n += hist[v]
	}
	if n == 0 {
		return 0, 1
	}
	lo := 0
	for hist[lo] == 0 {
		lo++
	}
	span := max(percentile(&hist, n, 0.9)-lo, minContrast)
	return float32(lo), float32(span) / 255
}

// blendsInto reports whether a pixel of value v next to a pixel of value u
// is the resampling blend between a background bar (u) and paper.
func blendsInto(v, u float32, uBackground bool) bool {
	return uBackground && u < paperLevel && v >= u-bgTolerance
}

// Dark content at the edge. A crop can open a black panel, hair or a
// screentone to the image edge, and the flood from the border then takes
// it for a bar: its ink is lost and the content box loses a panel. A dark
// flood is content when it touches one side of the image only (a bar runs
// along a whole side, the fill around a rotated page fills a corner),
// two sides that meet at a corner (see corner) or two opposite sides as a
// deep band (see across), its contact with each side it touches spans at
// least darkContentSpan of its own extent along it (not a leak through a
// thin line), it holds at least
// darkContentArea of the plane and reaches on average darkContentDepth of
// the plane's long side inwards (not the letters of a watermark at the
// edge), its outline against the page is darkContentRatio times longer
// than its contact (a bar meets the page along one straight line), and no
// flood touches the opposite side at the same place with as long a
// contact (the two ends of a banner across the page). Chosen on the
// tuning set (40 series): crop 96.0 -> 98.0%, combo 95.2 -> 96.2, spread
// 99.0 -> 99.2, tone 99.2 -> 99.0; without the depth, span and banner
// rules, watermark lost 3.3 points.
const (
	darkContentRatio = 2
	darkContentArea  = 0.005
	darkContentSpan  = 0.6
	darkContentDepth = 0.08
)

// darkFlood is what keepDarkContent learns of one dark flood.
type darkFlood struct {
	side          int // the side it touches, 0-3 in the order of rect's fields; -1 for several
	lo, hi        int // its extent along that side
	cLo, cHi      int // the extent of its contact with that side
	contact, edge int // pixels on the border; pixel sides against non-background
	size          int
	bw, bh        int // the size of its bounding box
	content       bool

	// The sides it touches (bit s for side s), and on each the extent
	// of its contact, for a flood in a corner (see corner).
	sides    uint8
	sLo, sHi [4]int
}

// line reports whether d is a line that a crop cut: a panel's frame that
// now reaches the image edge, where the flood runs along it and takes it
// for a bar, so that the frame is lost to the snap and the content box
// moves in to the next ink. A line is thin (no more pixels than twice its
// bounding box's half perimeter, or at least as many sides against the
// page as pixels), reaches darkContentDepth of long inwards, and touches
// the edge along a quarter of its length at most (a bar or the fill along
// a turned page's side touches it along all of it). Tuning set (100
// series): crop 98.4 -> 98.6%, combo 96.0 -> 96.4, pad, rescan and spread
// +0.1, tone -0.1 (a bleed panel's faint frames, content now, fade under
// a gamma); 7.77 -> 7.85 lookups per query.
func (d *darkFlood) line(long int) bool {
	length := max(d.bw, d.bh)
	deep := float64(length) >= darkContentDepth*float64(long) && 4*d.contact <= length
	edge := d.edge >= d.size && d.edge > darkContentRatio*d.contact && float64(d.edge) >= 2*darkContentDepth*float64(long)
	return deep && d.size <= 2*(d.bw+d.bh) || edge
}

// corner reports whether d touches two adjacent sides of the image, along
// each of them for at least darkContentSpan of its own extent there: a
// crop through two sides can open a black panel at the corner of the page,
// which the flood then takes for a bar. A bar runs along a whole side and
// touches three or four; the fill in the corner of a turned page meets
// the page along one straight slope, no longer than its contact, and fails
// the outline rule that the content must pass. Tuning series 0-299 (100
// each): crop 99.7 -> 99.8%, 99.1 -> 99.1, 98.2 -> 98.3; no other family
// moved, lookups per query and the nearest non-match unchanged; no
// reference page of series 0-399 hashes differently.
func (d *darkFlood) corner() bool {
	if d.sides != 0b0011 && d.sides != 0b0110 && d.sides != 0b1100 && d.sides != 0b1001 {
		return false
	}
	return d.spans()
}

// spans reports whether d's contact with each side it touches spans at
// least darkContentSpan of its own extent along that side.
func (d *darkFlood) spans() bool {
	for s := range 4 {
		if d.sides&(1<<s) == 0 {
			continue
		}
		n := d.bw
		if s == 0 || s == 2 {
			n = d.bh
		}
		if float64(d.sHi[s]-d.sLo[s]+1) < darkContentSpan*float64(n) {
			return false
		}
	}
	return true
}

// across reports whether d touches two opposite sides of the image and no
// other, along each for at least darkContentSpan of its own extent
// there, and reaches across them at least darkBandDepth of the image: a
// crop through both sides of dark art that bled off one of them leaves a
// band from edge to edge, which the flood took for a bar (s265p8 lost
// its top 20 image lines of 850 so). A banner across a margin is such a
// band too, but no deeper than the 4-8% of the page of the pirate
// families; bars run along a whole side and touch three sides or four.
func (d *darkFlood) across(w, h int) bool {
	n, extent := h, d.bh
	switch d.sides {
	case 0b0101: // left and right
	case 0b1010: // top and bottom
		n, extent = w, d.bw
	default:
		return false
	}
	return float64(extent) >= darkBandDepth*float64(n) && d.spans()
}

// darkBandDepth is the least depth of a band that across counts as
// content: half again the deepest banner of the watermark family (8%),
// set from that, not tuned.
const darkBandDepth = 0.12

// keepDarkContent gives back to the page the dark floods that are content
// (see darkContentRatio) and reports whether any dark background is left.
// border lists the plane's border pixels: only floods that reach it can be
// content.
func (f *flooder) keepDarkContent(border []int32) bool {
	p, bg := f.p, f.bg
	w, h := p.w, p.h
	label := p.s.int32s(len(bg)) // 1 + the index of a pixel's flood, 0 for none
	stack := f.stack[:0]
	var floods []darkFlood
	for _, b := range border {
		start := int(b)
		if !bg[start] || label[start] != 0 || p.pix[start] >= paperLevel {
			continue
		}
		l := int32(len(floods) + 1)
		d := darkFlood{side: -2, cLo: max(w, h)}
		x0, y0, x1, y1 := w, h, 0, 0
		label[start] = l
		stack = append(stack[:0], int32(start))
		for len(stack) > 0 {
			i := int(stack[len(stack)-1])
			stack = stack[:len(stack)-1]
			x, y := i%w, i/w
			d.size++
			x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
			for s, on := range [4]bool{x == 0, y == 0, x == w-1, y == h-1} {
				if !on {
					continue
				}
				switch d.side {
				case -2:
					d.side = s
				case s, -1:
				default:
					d.side = -1
				}
				along := y
				if s == 1 || s == 3 {
					along = x
				}
				d.contact++
				d.cLo, d.cHi = min(d.cLo, along), max(d.cHi, along)
				if d.sides&(1<<s) == 0 {
					d.sLo[s], d.sHi[s] = along, along
				}
				d.sides |= 1 << s
				d.sLo[s], d.sHi[s] = min(d.sLo[s], along), max(d.sHi[s], along)
			}
			for _, n := range [4]int{i - 1, i + 1, i - w, i + w} {
				switch {
				case n < 0 || n >= len(bg) || n == i-1 && x == 0 || n == i+1 && x == w-1:
				case !bg[n]:
					d.edge++
				case label[n] == 0 && p.pix[n] < paperLevel:
					label[n] = l
					stack = append(stack, int32(n))
				}
			}
		}
		d.lo, d.hi = x0, x1
		d.bw, d.bh = x1-x0+1, y1-y0+1
		if d.side == 0 || d.side == 2 {
			d.lo, d.hi = y0, y1
		}
		floods = append(floods, d)
	}
	f.stack = stack[:0]
	dark, content := false, false
	for k := range floods {
		d := &floods[k]
		line := d.line(max(w, h))
		d.content = line || (d.side >= 0 && float64(d.cHi-d.cLo+1) >= darkContentSpan*float64(d.hi-d.lo+1) || d.corner() || d.across(w, h)) &&
			d.size >= int(darkContentArea*float64(len(bg))) &&
			float64(d.size) >= darkContentDepth*float64(max(w, h)*d.contact) && d.edge > darkContentRatio*d.contact
		for j := 0; d.content && !line && d.side >= 0 && j < len(floods); j++ {
			e := &floods[j]
			if e.side == (d.side+2)%4 && e.cLo <= d.cHi && d.cLo <= e.cHi && abs(e.contact-d.contact) <= 2 {
				d.content = false
			}
		}
		dark = dark || !d.content
		content = content || d.content
	}
	if !content {
		return true
	}
	for i, l := range label {
		if l != 0 && floods[l-1].content {
			bg[i] = false
		}
	}
	// Dark background away from the border (reached through lighter
	// background) is left too.
	for i := 0; !dark && i < len(bg); i++ {
		dark = bg[i] && p.pix[i] < paperLevel
	}
	return dark
}

// flooder holds the state of markBackground's floods.
type flooder struct {
	p     *plane
	bg    []bool
	mark  []uint16 // flood generation that visited a pixel
	gen   uint16
	ref   float32
	stack []int32

	// ink and gain put the page's values on the scale of a page printed
	// in black on white: level v of that scale is ink+gain*v here, and
	// the tolerance bgTolerance*gain (see valueRange).
	ink, gain float32
	// magic divides a pixel index by the width: (i*magic)>>32 is exact
	// for every index when the plane's size times its width is below
	// 2³²; 0 when it is not, and a division is used.
	magic uint64
	// While record is set, the flood keeps in edge the pixels of paper
	// (paperLevel or more) it turned away, and notes in dark whether it
	// took a pixel darker than paper.
	record bool
	dark   bool
	edge   []int32
}

// flood marks the pixels reachable from seeds through values within
// bgTolerance of ref, both on the page's scale (see ink and gain). Seeds are grouped by value, one flood per group, so
// that the result does not depend on the order of the seeds.
func (f *flooder) flood(seeds []int32) {
	const nGroups = 256/bgBucket + 1
	group := func(i int32) int { return min(max(int((f.p.pix[i]-f.ink)/f.gain)/bgBucket, 0), nGroups-1) }
	// The seeds sorted by group, in their order within it.
	var start [nGroups + 1]int
	for _, i := range seeds {
		start[group(i)+1]++
	}
	for g := 1; g <= nGroups; g++ {
		start[g] += start[g-1]
	}
	sorted := f.p.s.int32s(len(seeds))
	next := start
	for _, i := range seeds {
		g := group(i)
		sorted[next[g]] = i
		next[g]++
	}
	for g := range nGroups {
		if start[g] == start[g+1] {
			continue
		}
		f.gen++
		f.ref = f.ink + f.gain*float32(g*bgBucket+bgBucket/2)
		f.spans(sorted[start[g]:start[g+1]])
	}
}

// spans floods from seeds, a row span at a time: a span is grown
// whole from a popped pixel or run, and the rows above and below it get
// one stack entry per run of acceptable pixels. Every 4-neighbour of a
// flooded pixel is examined (or known to be flooded), so the pixels taken
// and turned away are those of a pixel-by-pixel flood; a pixel turned
// away may be noted in edge more than once, and the order of edge is
// that of the search.
//
// A stack entry is three values: a run's first pixel, its last (-1 for a
// seed, not yet tested) and the step from it to the row it was found
// from. A run is acceptable and unmarked when pushed, and a span that
// takes any of it takes all of it, so a popped run is either all marked
// or needs no test; and the row it was found from is flooded over the
// whole run, so that part of it is not scanned again.
//
// The state lives in locals for the loop (stores to the mark and mask
// would otherwise reload every field of f at each pixel). A pixel is
// taken when it is not marked in this generation and lies within
// bgTolerance of ref (between lo and hi); a pixel of paper turned away is
// noted in edge while record is set.
func (f *flooder) spans(seeds []int32) {
	w, h := int32(f.p.w), int32(f.p.h)
	pix := f.p.pix
	mark, bg := f.mark[:len(pix)], f.bg[:len(pix)]
	gen, record := f.gen, f.record
	lo, hi := acceptRange(f.ref, bgTolerance*f.gain)
	stack, edge, dark := f.stack[:0], f.edge, f.dark
	for _, i := range seeds {
		stack = append(stack, i, -1, 0)
	}
	for len(stack) >= 3 {
		n := len(stack) - 3
		i, e, from := stack[n], stack[n+1], stack[n+2]
		stack = stack[:n]
		if mark[i] == gen {
			continue
		}
		if e < 0 {
			if v := pix[i]; v < lo || v > hi {
				if record && v >= paperLevel {
					edge = append(edge, i)
				}
				continue
			}
			e = i
		}
		var y int32
		if f.magic != 0 {
			y = int32(uint64(i) * f.magic >> 32)
		} else {
			y = i / w
		}
		row := y * w
		l, r := i, e
		for l > row && mark[l-1] != gen {
			if v := pix[l-1]; v < lo || v > hi {
				if record && v >= paperLevel {
					edge = append(edge, l-1)
				}
				break
			}
			l--
		}
		for r < row+w-1 && mark[r+1] != gen {
			if v := pix[r+1]; v < lo || v > hi {
				if record && v >= paperLevel {
					edge = append(edge, r+1)
				}
				break
			}
			r++
		}
		for j := l; j <= r; j++ {
			mark[j], bg[j] = gen, true
		}
		if !dark && lo < paperLevel {
			for _, v := range pix[l : r+1] {
				dark = dark || v < paperLevel
			}
		}
		for _, d := range [2]int32{-w, w} {
			if d < 0 && y == 0 || d > 0 && y == h-1 {
				continue
			}
			end := r + d
			skip, skipEnd := end+1, end // the run's own stretch of the row it came from
			if d == from {
				skip, skipEnd = i+d, e+d
			}
			for j := l + d; j <= end; j++ {
				if j == skip {
					j = skipEnd
					continue
				}
				if mark[j] == gen {
					continue
				}
				if v := pix[j]; v < lo || v > hi {
					if record && v >= paperLevel {
						edge = append(edge, j)
					}
					continue
				}
				// A run: it goes on the stack with its end; the pixel
				// that ends it is examined by the loop.
				start := j
				for j < end && mark[j+1] != gen && pix[j+1] >= lo && pix[j+1] <= hi {
					j++
				}
				stack = append(stack, start, j, -d)
			}
		}
	}
	f.stack, f.edge, f.dark = stack, edge, dark
}

// acceptRange returns the least and the greatest float32 v for which
// neither v-ref > tol nor ref-v > tol, both in float32: testing lo <= v
// && v <= hi takes what those tests take, with no subtraction. Each test
// is monotonic in v, so the bounds are found by bisection over the
// float32 values in order. They can differ from ref±tol: ref-v rounds to
// tol for v a hair beyond ref-tol.
func acceptRange(ref, tol float32) (lo, hi float32) {
	lo = orderedFloat(sort.Search(numOrdered, func(k int) bool { return !(ref-orderedFloat(k) > tol) }))
	hi = orderedFloat(sort.Search(numOrdered, func(k int) bool { return orderedFloat(k)-ref > tol }) - 1)
	return lo, hi
}

// numOrdered is the number of float32 values from -Inf to +Inf, NaNs and
// -0 left out; orderedFloat returns the kth of them in increasing order.
const numOrdered = 2*0x7f800000 + 1

func orderedFloat(k int) float32 {
	if k < 0x7f800000 {
		return -math.Float32frombits(uint32(0x7f800000 - k))
	}
	return math.Float32frombits(uint32(k - 0x7f800000))
}

// mask returns the background mask, all false when none was computed.
func (p plane) mask() []bool {
	if p.bg == nil {
		return p.s.boolSlice(len(p.pix))
	}
	return p.bg
}

const maxAltBoxes = 8

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
