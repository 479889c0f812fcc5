package fingerprint

import (
	"image"
	"math"
	"slices"
)

// rect is a half-open box [x0,x1)×[y0,y1) on a plane.
type rect struct{ x0, y0, x1, y1 int }

func (r rect) dx() int       { return r.x1 - r.x0 }
func (r rect) dy() int       { return r.y1 - r.y0 }
func (r rect) empty() bool   { return r.x1 <= r.x0 || r.y1 <= r.y0 }
func (r rect) area() float64 { return float64(max(r.dx(), 0)) * float64(max(r.dy(), 0)) }

// Content-box rules, in grey levels and fractions of the box.
const (
	// A pixel deviates when it differs from its line's median by more than
	// this; it absorbs JPEG ringing, tints and rescan noise on plain margins.
	lineDeviation = 28
	// A line is blank when at most this fraction of its pixels deviate.
	blankFraction = 0.01
	// An edge band of content at most this thick, cut off from the rest by a
	// blank gap at least gapMin thick, is a page number, a signature or a
	// watermark in the margin, and is peeled off with the margin.
	thinBand = 0.04
	gapMin   = 0.01
)

// blankLine reports whether the n pixels starting at offset off with the
// given stride are uniform, ignoring pixels outside the source.
func (p plane) blankLine(off, stride, n int, hist *[256]int32) bool {
	clear(hist[:])
	known := 0
	for i := 0; i < n; i++ {
		j := off + i*stride
		if !p.known(j) {
			continue
		}
		v := p.pix[j]
		hist[int(v)]++
		known++
	}
	if known == 0 {
		return true
	}
	// Median from the histogram.
	med, acc := 0, int32(0)
	for ; med < 255; med++ {
		acc += hist[med]
		if int(acc)*2 >= known {
			break
		}
	}
	lo, hi := med-lineDeviation, med+lineDeviation
	dev := 0
	for v := 0; v < 256; v++ {
		if v < lo || v > hi {
			dev += int(hist[v])
		}
	}
	return float64(dev) <= blankFraction*float64(known)
}

func (p plane) blankRow(y, x0, x1 int, hist *[256]int32) bool {
	return p.blankLine(y*p.w+x0, 1, x1-x0, hist)
}

func (p plane) blankCol(x, y0, y1 int, hist *[256]int32) bool {
	return p.blankLine(y0*p.w+x, p.w, y1-y0, hist)
}

// contentBox limits r to the union of the content regions (comps) of at
// least share of the plane, then peels uniform lines (margins, letterbox bars of any shade,
// fill left by a rotation) off every side of r, one line at a time and side
// by side, so that bars of different shades and rotated fills both go. It
// then peels thin bands of content isolated in the margins.
func (p plane) contentBox(r rect, comps []rect, share float64) rect {
	if c, ok := p.unionOf(comps, share); ok {
		r = rect{max(r.x0, c.x0), max(r.y0, c.y0), min(r.x1, c.x1), min(r.y1, c.y1)}
	}
	var hist [256]int32
	peel := func(r rect) rect {
		for changed := true; changed && !r.empty(); {
			changed = false
			if !r.empty() && p.blankRow(r.y0, r.x0, r.x1, &hist) {
				r.y0++
				changed = true
			}
			if !r.empty() && p.blankRow(r.y1-1, r.x0, r.x1, &hist) {
				r.y1--
				changed = true
			}
			if !r.empty() && p.blankCol(r.x0, r.y0, r.y1, &hist) {
				r.x0++
				changed = true
			}
			if !r.empty() && p.blankCol(r.x1-1, r.y0, r.y1, &hist) {
				r.x1--
				changed = true
			}
		}
		return r
	}
	r = peel(r)
	for i := 0; i < 4 && !r.empty(); i++ {
		n := p.peelThinBand(r, &hist)
		if n == r {
			break
		}
		r = peel(n)
	}
	return r
}

// peelThinBand removes, from each side of r, one thin band of content that
// a blank gap separates from the rest.
func (p plane) peelThinBand(r rect, hist *[256]int32) rect {
	h, w := r.dy(), r.dx()
	maxBandY, minGapY := int(thinBand*float64(h)), max(1, int(math.Ceil(gapMin*float64(h))))
	maxBandX, minGapX := int(thinBand*float64(w)), max(1, int(math.Ceil(gapMin*float64(w))))
	// band measures, from an edge, a band of content (which may hold
	// short blank runs, as between the strokes of a digit) and the blank
	// gap after it, and returns how many lines both span; step is +1 or -1.
	band := func(start, step, limit, maxBand, minGap int, blank func(int) bool) int {
		i, k, last := start, 0, -1
		for ; i != limit; i, k = i+step, k+1 {
			if !blank(i) {
				last = k
				if k+1 > maxBand {
					return 0
				}
			} else if last >= 0 && k-last >= minGap {
				break
			}
		}
		if last < 0 || i == limit {
			return 0
		}
		for ; i != limit && blank(i); i, k = i+step, k+1 {
		}
		if i == limit {
			return 0
		}
		return k
	}
	row := func(y int) bool { return p.blankRow(y, r.x0, r.x1, hist) }
	col := func(x int) bool { return p.blankCol(x, r.y0, r.y1, hist) }
	out := r
	out.y0 += band(r.y0, 1, r.y1, maxBandY, minGapY, row)
	out.y1 -= band(r.y1-1, -1, r.y0-1, maxBandY, minGapY, row)
	out.x0 += band(r.x0, 1, r.x1, maxBandX, minGapX, col)
	out.x1 -= band(r.x1-1, -1, r.x0-1, maxBandX, minGapX, col)
	// Never peel a page down to a sliver: then the "band" was the content.
	if out.dy() < h/2 || out.dx() < w/2 {
		return r
	}
	return out
}

// Deskew search: the range covers the ±3° of a careless scan or a pirate's
// rotation with room to spare.
const (
	maxSkew     = 4.0
	coarseStep  = 0.5
	fineStep    = 0.1
	minSkew     = 0.15 // below this a rotation would only blur
	minSkewGain = 1.25 // the sharpness a skew must gain over 0° to be undone
)

// skew estimates the rotation of the page in r, in degrees, from the
// sharpness of its ink projections: panel borders and gutters line up with
// the axes when the page is straight.
func (p plane) skew(r rect) float64 {
	type pt struct{ x, y, w float32 }
	cx, cy := float32(r.x0+r.x1)/2, float32(r.y0+r.y1)/2
	var pts []pt
	for y := r.y0; y < r.y1; y++ {
		for x := r.x0; x < r.x1; x++ {
			v := p.pix[y*p.w+x]
			if p.known(y*p.w+x) && v < 160 {
				pts = append(pts, pt{float32(x) - cx, float32(y) - cy, 255 - v})
			}
		}
	}
	if len(pts) < 32 {
		return 0
	}
	diag := int(math.Hypot(float64(r.dx()), float64(r.dy()))) + 4
	hp := make([]float32, 2*diag+1)
	vp := make([]float32, 2*diag+1)
	score := func(deg float64) float64 {
		t := float32(math.Tan(deg * math.Pi / 180))
		clear(hp)
		clear(vp)
		off := float32(diag) + 0.5
		for _, q := range pts {
			hp[int(q.y+q.x*t+off)] += q.w
			vp[int(q.x-q.y*t+off)] += q.w
		}
		var s float64
		for i := 1; i < len(hp); i++ {
			dh, dv := hp[i]-hp[i-1], vp[i]-vp[i-1]
			s += float64(dh*dh) + float64(dv*dv)
		}
		return s
	}
	s0 := score(0)
	best, bestS := 0.0, s0
	for a := -maxSkew; a <= maxSkew+1e-9; a += coarseStep {
		if s := score(a); s > bestS {
			best, bestS = a, s
		}
	}
	c := best
	for a := c - coarseStep; a <= c+coarseStep+1e-9; a += fineStep {
		if s := score(a); s > bestS {
			best, bestS = a, s
		}
	}
	// Diagonal panel cuts and speed lines can favour a small angle on a
	// straight page; a real skew sharpens the projections by far more.
	if math.Abs(best) < minSkew || bestS < minSkewGain*s0 {
		return 0
	}
	return best
}

// rotate returns p turned by deg degrees about the centre of r so that a
// skew of deg becomes straight. Pixels that come from outside p are marked
// unknown (-1).
func (p plane) rotate(deg float64, r rect) plane {
	out := newPlane(p.w, p.h)
	if p.bg != nil {
		out.bg = make([]bool, len(p.bg))
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

// debugThumb is for experiments: the page variant's thumbnail.
func debugThumb(img image.Image) *thumb {
	p := lumaPlane(img, workingSize)
	p.markBackground()
	full := rect{0, 0, p.w, p.h}
	box := p.contentBox(full, p.components(), minComponent)
	if !box.empty() {
		if deg := p.skew(box); deg != 0 {
			p = p.rotate(deg, box)
			box = p.contentBox(full, p.components(), minComponent)
		}
	}
	var t thumb
	if !box.empty() {
		p.resample(box.f(), &t)
	}
	return &t
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
func (p *plane) markBackground() {
	bg := make([]bool, len(p.pix))
	mark := make([]uint16, len(p.pix)) // flood generation that visited a pixel
	gen := uint16(0)
	var stack []int32
	// flood marks the pixels reachable from seeds through values within
	// bgTolerance of ref. Seeds are grouped by value, one flood per group,
	// so that the result does not depend on the order of the seeds.
	flood := func(seeds []int) {
		groups := map[int][]int{}
		for _, i := range seeds {
			g := int(p.pix[i]) / bgBucket
			groups[g] = append(groups[g], i)
		}
		for g, group := range groups {
			gen++
			ref := float32(g*bgBucket + bgBucket/2)
			push := func(i int) {
				if v := p.pix[i]; mark[i] == gen || v-ref > bgTolerance || ref-v > bgTolerance {
					return
				}
				mark[i] = gen
				bg[i] = true
				stack = append(stack, int32(i))
			}
			for _, i := range group {
				push(i)
			}
			for len(stack) > 0 {
				i := int(stack[len(stack)-1])
				stack = stack[:len(stack)-1]
				x, y := i%p.w, i/p.w
				if x > 0 {
					push(i - 1)
				}
				if x < p.w-1 {
					push(i + 1)
				}
				if y > 0 {
					push(i - p.w)
				}
				if y < p.h-1 {
					push(i + p.w)
				}
			}
		}
	}
	var seeds []int
	for x := 0; x < p.w; x++ {
		seeds = append(seeds, x, (p.h-1)*p.w+x)
	}
	for y := 1; y < p.h-1; y++ {
		seeds = append(seeds, y*p.w, y*p.w+p.w-1)
	}
	flood(seeds)
	// A bar or fill of another shade may surround the white paper of the
	// margins: flood the paper too, from where it meets the background,
	// across the one-pixel blend between bar and paper that resampling
	// leaves.
	neighbours := func(i int, f func(j int)) {
		x, y := i%p.w, i/p.w
		if x > 0 {
			f(i - 1)
		}
		if x < p.w-1 {
			f(i + 1)
		}
		if y > 0 {
			f(i - p.w)
		}
		if y < p.h-1 {
			f(i + p.w)
		}
	}
	var blend []int
	for i, v := range p.pix {
		if bg[i] {
			continue
		}
		isBlend := false
		neighbours(i, func(j int) {
			if bg[j] && p.pix[j] < paperLevel && v >= p.pix[j]-bgTolerance {
				isBlend = true
			}
		})
		if isBlend {
			blend = append(blend, i)
		}
	}
	for _, i := range blend {
		bg[i] = true
	}
	seeds = seeds[:0]
	for i, v := range p.pix {
		if bg[i] || v < paperLevel {
			continue
		}
		touches := false
		neighbours(i, func(j int) { touches = touches || bg[j] })
		if touches {
			seeds = append(seeds, i)
		}
	}
	flood(seeds)
	p.bg = bg
}

// known reports whether pixel i carries page content: it lies inside the
// source and is not background.
func (p plane) known(i int) bool { return p.pix[i] >= 0 && (p.bg == nil || !p.bg[i]) }

// minComponent is the smallest bounding box, as a share of the plane, of a
// connected region of content that counts towards the content box. Panels
// are larger; page numbers, signatures and watermark letters in the
// margins are smaller and so cannot stretch the box. altComponents are the
// thresholds of the alternative boxes a query also tries, for regions near
// the threshold that an edit may push across it.
const minComponent = 0.025

var altComponents = [...]float64{0.003, 0.008, 0.06, 0.12}

// maxAltBoxes bounds the alternative boxes a query tries.
const maxAltBoxes = 8

// components returns the bounding boxes of the connected regions of
// non-background pixels.
func (p plane) components() []rect {
	n := p.w * p.h
	parent := make([]int32, n)
	find := func(i int32) int32 {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int32) {
		ra, rb := find(a), find(b)
		if ra != rb {
			parent[max(ra, rb)] = min(ra, rb)
		}
	}
	for i := range parent {
		parent[i] = -1 // background
	}
	for y := 0; y < p.h; y++ {
		for x := 0; x < p.w; x++ {
			i := y*p.w + x
			if !p.known(i) {
				continue
			}
			parent[i] = int32(i)
			if x > 0 && parent[i-1] >= 0 {
				union(int32(i), int32(i-1))
			}
			if y > 0 && parent[i-p.w] >= 0 {
				union(int32(i), int32(i-p.w))
			}
		}
	}
	// Roots come before their members, so one pass assigns each a slot.
	slot := make(map[int32]int)
	var out []rect
	for y := 0; y < p.h; y++ {
		for x := 0; x < p.w; x++ {
			i := y*p.w + x
			if parent[i] < 0 {
				continue
			}
			root := find(int32(i))
			k, ok := slot[root]
			if !ok {
				k = len(out)
				slot[root] = k
				out = append(out, rect{x, y, x + 1, y + 1})
			}
			b := &out[k]
			b.x0, b.y0 = min(b.x0, x), min(b.y0, y)
			b.x1, b.y1 = max(b.x1, x+1), max(b.y1, y+1)
		}
	}
	return out
}

// unionOf returns the bounding box of the components whose own box covers
// at least share of the page; ok is false when there are none.
func (p plane) unionOf(comps []rect, share float64) (r rect, ok bool) {
	return unionAbove(comps, share*pageArea(comps, float64(p.w*p.h)))
}

// pageArea estimates the area the page takes on the plane: the box around
// all but the smallest regions. Shares are taken of it, not of the plane,
// so that letterboxing a page does not shrink its panels below a share.
func pageArea(comps []rect, plane float64) float64 {
	if r, ok := unionAbove(comps, 0.005*plane); ok {
		return r.area()
	}
	return plane
}

func unionAbove(comps []rect, minArea float64) (r rect, ok bool) {
	for _, c := range comps {
		if c.area() < minArea {
			continue
		}
		if !ok {
			r, ok = c, true
			continue
		}
		r = rect{min(r.x0, c.x0), min(r.y0, c.y0), max(r.x1, c.x1), max(r.y1, c.y1)}
	}
	return r, ok
}

// near reports whether two boxes differ by at most a pixel on every side.
func (r rect) near(o rect) bool {
	return abs(r.x0-o.x0) <= 1 && abs(r.y0-o.y0) <= 1 && abs(r.x1-o.x1) <= 1 && abs(r.y1-o.y1) <= 1
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// altBoxes returns the other boxes a query tries besides box. Each side
// of the box may land elsewhere when a region near the size threshold
// falls on the other side of it after an edit, so every side takes each
// position that some other threshold gives it, independently; the boxes
// that differ from box on the fewest sides come first.
func (p plane) altBoxes(box, full rect, comps []rect) []rect {
	if box.empty() {
		return nil
	}
	sides := [4][]int{{box.x0}, {box.y0}, {box.x1}, {box.y1}}
	for _, share := range altComponents {
		alt := p.contentBox(full, comps, share)
		if alt.empty() {
			continue
		}
		for i, v := range [4]int{alt.x0, alt.y0, alt.x1, alt.y1} {
			if !slices.ContainsFunc(sides[i], func(u int) bool { return abs(u-v) <= 1 }) {
				sides[i] = append(sides[i], v)
			}
		}
	}
	var out []rect
	var idx [4]int
	for {
		r := rect{sides[0][idx[0]], sides[1][idx[1]], sides[2][idx[2]], sides[3][idx[3]]}
		if r != box && !r.empty() {
			out = append(out, r)
		}
		i := 0
		for ; i < 4; i++ {
			if idx[i]++; idx[i] < len(sides[i]) {
				break
			}
			idx[i] = 0
		}
		if i == 4 {
			break
		}
	}
	changed := func(r rect) int {
		n := 0
		for i, v := range [4]int{r.x0 - box.x0, r.y0 - box.y0, r.x1 - box.x1, r.y1 - box.y1} {
			_ = i
			if v != 0 {
				n++
			}
		}
		return n
	}
	slices.SortStableFunc(out, func(a, b rect) int { return changed(a) - changed(b) })
	if len(out) > maxAltBoxes {
		out = out[:maxAltBoxes]
	}
	return out
}
