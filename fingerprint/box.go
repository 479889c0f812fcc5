package fingerprint

import (
	"math"
	"math/bits"
	"slices"
)

// The content box is found from ink density rather than from single
// pixels: ink is smoothed over a window of densityRadius (a share of the
// long side), and the box is the tight box of the ink inside the dense
// regions that hold at least keepShare of the heaviest region's ink. The
// smoothing joins the figures and bubbles of a borderless panel to the
// rest of the page, and leaves a page number or a signature in the margin
// as a light region of its own, so that small edits move the box little.
const (
	densityRadius = 0.02
	densityTau    = 0.05
	keepShare     = 0.1
	// inkFloor drops the faint ink of JPEG ringing and paper texture. It
	// must stay above 2⁻⁵ for the fixed-point sums (inkUnit).
	inkFloor = 0.04
	// tightInk is the ink a pixel needs to set the tight box.
	tightInk = 0.3
	// minContrast is the least spread, in grey levels, between paper and
	// ink for a page to have any content.
	minContrast = 40
	// lightBackground is the least value of background that keeps its
	// ink: anything a flood from paper can take (paperLevel less
	// bgTolerance). With paperLevel itself, the floods that run from the
	// margin along a light frame or a faint line took some of its pixels
	// just below paperLevel and not others, and a level or two of JPEG
	// changed which: the line's ink came and went, and with it the frame
	// snap (s87p2 read its top 10 plane lines lower than its JPEG copies,
	// and was missed in 8 families). A bar of 180-199 now holds ink, as
	// one of 200 or more already did; the bars of the pirate families
	// are 0, 128 and 255. Tuning set, 100 series: 61 -> 49 missed
	// queries, no family lower.
	lightBackground = paperLevel - bgTolerance
)

// boxParams are the alternatives a query tries: looser and stricter
// readings of which regions are content.
var boxParams = [...][2]float64{{0.03, 0.05}, {0.08, 0.2}, {densityTau, 0.02}, {densityTau, 0.4}}

// density holds the ink map and its smoothed density for a plane.
type density struct {
	w, h int
	ink  []float32
	dens []float32 // ink smoothed over the window
	r    int
	// regions caches the labelling of the full plane per threshold.
	regions map[float64]*regions
	s       *scratch
	// Row tables for label, built on first use.
	inkSum    []int64 // in inkUnit
	tightBits []uint64
	// Line bits for cover, built with the row tables.
	lineBits []uint64
	rowWords int
	// snaps remembers what snapBy made of which box: the readings of
	// altBoxes often give the same box.
	snaps   []snapped
	snapBuf [8]snapped // snaps' first backing array, to spare allocations
	// pairs are the bit sets of pairCover, columns then rows.
	pairs [2]pairLines
	// The runs at each of labelTaus, found on first use (haveLevels):
	// pairs x0, x1 of row y from start[y] to start[y+1].
	levels     [len(labelTaus)]levelRuns
	haveLevels bool
}

// levelRuns are the runs of a density map at one threshold.
type levelRuns struct{ pairs, start []int32 }

// labelTaus are the thresholds the box search labels at (densityTau and
// those of boxParams), ascending, as label compares with them.
var labelTaus = [3]float32{0.03, densityTau, 0.08}

// scanLevels finds the runs at all of labelTaus in one pass over the
// density map. The thresholds are nested, so a pixel's level (how many
// of them it reaches) says where a run at each starts and ends; the
// level changes at few pixels, so the pass tests four pixels a step for
// staying within the current level's bounds, where a scan per threshold
// compared every pixel with each.
func (d *density) scanLevels() {
	if d.haveLevels {
		return
	}
	d.haveLevels = true
	for k := range d.levels {
		// Room for a few runs a row; append makes more when needed.
		d.levels[k] = levelRuns{d.s.int32Room(16 * d.h), d.s.int32s(d.h + 1)}
	}
	inf := float32(math.Inf(1))
	bounds := [len(labelTaus) + 2]float32{-inf, labelTaus[0], labelTaus[1], labelTaus[2], inf}
	var open [len(labelTaus)]int
	for y := 0; y < d.h; y++ {
		row := d.dens[y*d.w : (y+1)*d.w]
		lv, x := 0, 0
		for {
			lo, hi := bounds[lv], bounds[lv+1]
			// Below the lowest threshold (paper) and at or above the
			// highest (dense content), most of the map, one bound is
			// infinite and needs no test (density is never NaN).
			switch lv {
			case 0:
				for ; x+4 <= len(row); x += 4 {
					q := (*[4]float32)(row[x:])
					if !(q[0] < hi && q[1] < hi && q[2] < hi && q[3] < hi) {
						break
					}
				}
			case len(labelTaus):
				for ; x+4 <= len(row); x += 4 {
					q := (*[4]float32)(row[x:])
					if !(q[0] >= lo && q[1] >= lo && q[2] >= lo && q[3] >= lo) {
						break
					}
				}
			default:
				for ; x+4 <= len(row); x += 4 {
					q := (*[4]float32)(row[x:])
					if !(q[0] >= lo && q[0] < hi && q[1] >= lo && q[1] < hi && q[2] >= lo && q[2] < hi && q[3] >= lo && q[3] < hi) {
						break
					}
				}
			}
			for x < len(row) && row[x] >= lo && row[x] < hi {
				x++
			}
			l := 0 // the level from x on; 0 past the row's end
			if x < len(row) {
				v := row[x]
				l = int(b2u(v >= labelTaus[0])) + int(b2u(v >= labelTaus[1])) + int(b2u(v >= labelTaus[2]))
			}
			for k := lv; k < l; k++ {
				open[k] = x
			}
			for k := l; k < lv; k++ {
				d.levels[k].pairs = append(d.levels[k].pairs, int32(open[k]), int32(x))
			}
			lv = l
			if x == len(row) {
				break
			}
		}
		for k := range d.levels {
			d.levels[k].start[y+1] = int32(len(d.levels[k].pairs))
		}
	}
}

// snapped is a box b that snapBy moved to out by rule r.
type snapped struct {
	b, out rect
	r      snapRule
}

// regions are the connected parts (4-neighbour) of the pixels at or above
// a density threshold, with each region's ink. Regions are indexed by
// label; a label that was merged into another has no mass.
type regions struct {
	mass  []float64
	tight []rect // per region, the box of its pixels with tightInk or more
}

func (p plane) density() *density {
	d := &density{w: p.w, h: p.h, ink: p.s.float32s(len(p.pix)), s: p.s}
	d.snaps = d.snapBuf[:0]
	// Two histograms, for alternate pixels: runs of paper of one value
	// would otherwise chain every increment through the same counter.
	var hist, odd [256]int
	bg := p.mask()
	pix := p.pix[:len(p.pix)&^1]
	for i := 0; i < len(pix); i += 2 {
		if v := pix[i]; v >= 0 && !bg[i] {
			hist[int(v)]++
		}
		if v := pix[i+1]; v >= 0 && !bg[i+1] {
			odd[int(v)]++
		}
	}
	if i := len(pix); i < len(p.pix) && p.pix[i] >= 0 && !bg[i] {
		hist[int(p.pix[i])]++
	}
	n := 0
	for v, c := range odd {
		hist[v] += c
		n += hist[v]
	}
	paper, black := percentile(&hist, n, 0.90), percentile(&hist, n, 0.02)
	if paper-black >= minContrast {
		scale, fpaper := 1/float32(paper-black), float32(paper)
		bg, ink := bg[:len(p.pix)], d.ink[:len(p.pix)]
		for i, v := range p.pix {
			// Background as dark as a bar holds no ink. Light background
			// keeps its ink: a crop through a panel lets the flood from
			// the margin into the panel's light screentones, which are
			// content all the same (tuning set, 40 series: crop 90.8 ->
			// 92.8%, rotate 91.8 -> 93.5%). Screentones make every test
			// a coin toss, so none of them branches.
			//
			// The ink is min(k, 1), or k·0 (a zero of k's sign) when it
			// is not kept, worked out on k's bits: a float32 that is
			// not NaN orders against a positive one as its bits do as
			// an int32, and Go's float min takes twice the
			// instructions, to handle NaN and signed zeros.
			k := min(int32(math.Float32bits((fpaper-v)*scale)), oneBits)
			keep := b2u(k >= inkFloorBits) & b2u(v >= 0) & (b2u(!bg[i]) | b2u(v >= lightBackground))
			ink[i] = math.Float32frombits(uint32(k) & (uint32(-int32(keep)) | 1<<31))
		}
	}
	d.r = max(1, int(densityRadius*float64(max(p.w, p.h))+0.5))
	d.dens = p.s.float32sSet(len(d.ink))
	d.smooth(p.s.int64sSet(p.w))
	d.regions = map[float64]*regions{}
	return d
}

// smooth sets dens to the mean ink over the (2r+1)² window around each
// pixel; the window counts beyond the plane as empty, so density falls
// off at the edges alike for every image. It slides the window down the
// columns and along the rows in fixed point (see inkUnits), where the
// sums are exact, so the result is that of any order of additions. col is
// scratch of length w.
func (d *density) smooth(col []int64) {
	w, h, r := d.w, d.h, d.r
	inv := 1 / float64((2*r+1)*(2*r+1)) / inkUnit
	clear(col)
	for y := range min(r, h) {
		for x, v := range d.ink[y*w : (y+1)*w] {
			col[x] += inkUnits(v)
		}
	}
	// Along a row, x adds col[x+r] while x < w-r and drops col[x-r-1]
	// from x = r+1 on: three stretches without tests.
	lo, hi := min(max(w-r, 0), r+1), max(w-r, min(r+1, w))
	both := w-r > r+1
	col = col[:w]
	for y := range h {
		switch {
		case y+r < h && y-r-1 >= 0:
			// Slices of one length: no bounds checks in the loop.
			add, sub := d.ink[(y+r)*w:][:len(col)], d.ink[(y-r-1)*w:][:len(col)]
			for x := range col {
				col[x] += inkUnits(add[x]) - inkUnits(sub[x])
			}
		case y+r < h:
			for x, v := range d.ink[(y+r)*w : (y+r+1)*w] {
				col[x] += inkUnits(v)
			}
		case y-r-1 >= 0:
			for x, v := range d.ink[(y-r-1)*w : (y-r)*w] {
				col[x] -= inkUnits(v)
			}
		}
		dens := d.dens[y*w : (y+1)*w]
		var acc int64
		for _, v := range col[:min(r, w)] {
			acc += v
		}
		for x := 0; x < lo; x++ {
			acc += col[x+r]
			dens[x] = float32(float64(acc) * inv)
		}
		if both {
			// lo is r+1 and hi is w-r: x+r runs over col[lo+r:], x-r-1
			// over col[:hi-lo].
			out := dens[lo:hi]
			add, sub := col[lo+r:][:len(out)], col[:len(out)]
			for x := range out {
				acc += add[x] - sub[x]
				out[x] = float32(float64(acc) * inv)
			}
		} else {
			for x := lo; x < hi; x++ {
				dens[x] = float32(float64(acc) * inv)
			}
		}
		for x := hi; x < w; x++ {
			acc -= col[x-r-1]
			dens[x] = float32(float64(acc) * inv)
		}
	}
}

// The bits of 1 and of inkFloor as float32, as int32s (see density;
// TestDensityBits checks them).
const (
	oneBits      = 0x3f800000
	inkFloorBits = 0x3d23d70a
)

// inkUnit is the fixed-point unit of ink sums. An ink value is a float32
// of at least inkFloor (over 2⁻⁵) or 0, so a whole multiple of 2⁻²⁸:
// scaled by 2²⁸ it converts to an integer exactly, and sums of a plane's
// worth of them stay exact in an int64 (and in a float64).
const inkUnit = 1 << 28

func inkUnits(v float32) int64 { return int64(v * inkUnit) }

func percentile(h *[256]int, n int, q float64) int {
	acc := 0
	for v, c := range h {
		acc += c
		if float64(acc) >= q*float64(n) {
			return v
		}
	}
	return 255
}

// box returns the content box within r for threshold tau and region share
// keep. It is empty when r holds no content.
func (d *density) box(r rect, tau, keep float64) rect {
	if r.empty() {
		return rect{}
	}
	g := d.label(tau)
	heaviest := 0.0
	for _, m := range g.mass {
		heaviest = max(heaviest, m)
	}
	out, ok := rect{}, false
	for l, m := range g.mass {
		t := g.tight[l]
		if heaviest == 0 || m < keep*heaviest || t.empty() {
			continue
		}
		if !ok {
			out, ok = t, true
			continue
		}
		out = rect{min(out.x0, t.x0), min(out.y0, t.y0), max(out.x1, t.x1), max(out.y1, t.y1)}
	}
	if !ok {
		return rect{}
	}
	return rect{max(out.x0, r.x0), max(out.y0, r.y0), min(out.x1, r.x1), min(out.y1, r.y1)}
}

// denseRun returns the first run [x0, x1) of pixels at or above t in row
// from x on; x0 is len(row) when there is none. It tests four pixels a
// step through the long stretches of paper and of dense content.
func denseRun(row []float32, t float32, x int) (x0, x1 int) {
	for x+4 <= len(row) && row[x] < t && row[x+1] < t && row[x+2] < t && row[x+3] < t {
		x += 4
	}
	for x < len(row) && row[x] < t {
		x++
	}
	x0 = x
	for x+4 <= len(row) && row[x] >= t && row[x+1] >= t && row[x+2] >= t && row[x+3] >= t {
		x += 4
	}
	for x < len(row) && row[x] >= t {
		x++
	}
	return x0, x
}

// rowTables computes, once, what label and cover need of each row of ink:
// prefix sums (row y's w+1 sums start at y*(w+1)), and as bit sets per row
// (rowWords words a row) the pixels with tightInk or more (tightBits, for
// label) and with lineInk or more (lineBits, for cover). A page that needs
// one needs the other, and one pass reads the ink once.
func (d *density) rowTables() {
	if d.inkSum != nil {
		return
	}
	w := d.w
	d.rowWords = (w + 63) / 64
	d.inkSum = d.s.int64sSet((w + 1) * d.h)
	d.tightBits = d.s.uint64sSet(d.rowWords * d.h)
	d.lineBits = d.s.uint64sSet(d.rowWords * d.h)
	for y := 0; y < d.h; y++ {
		ink := d.ink[y*w : (y+1)*w]
		sum := d.inkSum[y*(w+1) : (y+1)*(w+1)]
		tight := d.tightBits[y*d.rowWords : (y+1)*d.rowWords]
		line := d.lineBits[y*d.rowWords:][:len(tight)]
		sum[0] = 0
		var acc int64
		// A word of bits at a time, built in registers from the top bit
		// down by constant shifts: a shift by x would tie up the one
		// register x86 shifts by.
		for k := range tight {
			part := ink[k*64 : min(k*64+64, len(ink))]
			sums := sum[k*64+1:][:len(part)]
			var u, l uint64
			for x, v := range part {
				acc += inkUnits(v)
				sums[x] = acc
				u = u>>1 | uint64(b2u(v >= tightInk))<<63
				l = l>>1 | uint64(b2u(v >= lineInk))<<63
			}
			tight[k], line[k] = u>>(64-len(part)), l>>(64-len(part))
		}
	}
}

// tightSpan returns the first and last pixel of [x0, x1) in row y with
// tightInk or more; first is x1 when there is none.
func (d *density) tightSpan(y, x0, x1 int) (first, last int) {
	row := d.tightBits[y*d.rowWords : (y+1)*d.rowWords]
	first = x1
	for k := x0 >> 6; k <= (x1-1)>>6; k++ {
		u := row[k]
		if k == x0>>6 {
			u &= bitsFrom(x0)
		}
		if u != 0 {
			first = k<<6 + bits.TrailingZeros64(u)
			break
		}
	}
	if first >= x1 {
		return x1, x1
	}
	for k := (x1 - 1) >> 6; ; k-- {
		u := row[k]
		if k == (x1-1)>>6 {
			u &= bitsThrough(x1 - 1)
		}
		if u != 0 {
			return first, k<<6 + 63 - bits.LeadingZeros64(u)
		}
	}
}

// labelRun is a run of pixels x0..x1-1 of row y in region l.
type labelRun struct{ y, x0, x1, l int32 }

// label returns the regions of the plane at density tau, computing them
// once per threshold. It joins runs of dense pixels row by row: a density
// map is smooth, so there are far fewer runs than pixels.
func (d *density) label(tau float64) *regions {
	if g, ok := d.regions[tau]; ok {
		return g
	}
	var runs []labelRun
	if d.s != nil {
		runs = d.s.runs[:0]
		defer func() { d.s.runs = runs[:0] }()
	}
	var parent []int32
	find := func(i int32) int32 {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	t := float32(tau)
	prev, cur := 0, 0 // first run of the previous row, of this row
	// join labels the run [x0, x) of row y.
	join := func(y, x0, x int) {
		l := int32(-1)
		for _, q := range runs[prev:cur] {
			if q.x1 <= int32(x0) || q.x0 >= int32(x) {
				continue
			}
			r := find(q.l)
			switch {
			case l < 0:
				l = r
			case r != l:
				parent[max(r, l)] = min(r, l)
				l = min(r, l)
			}
		}
		if l < 0 {
			l = int32(len(parent))
			parent = append(parent, l)
		}
		runs = append(runs, labelRun{int32(y), int32(x0), int32(x), l})
	}
	var lr *levelRuns
	if k := slices.Index(labelTaus[:], t); k >= 0 {
		d.scanLevels()
		lr = &d.levels[k]
	}
	for y := 0; y < d.h; y++ {
		cur = len(runs)
		if lr != nil {
			pairs := lr.pairs[lr.start[y]:lr.start[y+1]]
			for i := 0; i+1 < len(pairs); i += 2 {
				join(y, int(pairs[i]), int(pairs[i+1]))
			}
		} else {
			row := d.dens[y*d.w : (y+1)*d.w]
			for x0, x := denseRun(row, t, 0); x0 < len(row); x0, x = denseRun(row, t, x) {
				join(y, x0, x)
			}
		}
		prev = cur
	}
	// A parent never has a larger index than its child, so one pass in
	// index order points every label at its root.
	for l, q := range parent {
		parent[l] = parent[q]
	}
	d.rowTables()
	mass := make([]float64, len(parent))
	tight := make([]rect, len(parent))
	for _, q := range runs {
		l, y, x0, x1 := parent[q.l], int(q.y), int(q.x0), int(q.x1)
		o := y * d.w
		mass[l] += float64(d.inkSum[o+y+x1]-d.inkSum[o+y+x0]) / inkUnit
		first, last := d.tightSpan(y, x0, x1)
		if first >= x1 {
			continue
		}
		t := &tight[l]
		if t.empty() {
			*t = rect{first, y, last + 1, y + 1}
			continue
		}
		t.x0, t.y0 = min(t.x0, first), min(t.y0, y)
		t.x1, t.y1 = max(t.x1, last+1), max(t.y1, y+1)
	}
	g := &regions{mass: mass, tight: tight}
	d.regions[tau] = g
	return g
}

// Frame snapping. A side of the box that some stray ink (a corner
// watermark, a bubble breaking out of its panel, sound effects) holds away
// from the page's frame is moved in to the frame: the outermost line,
// within snapReach of the side, that ink covers across at least frameCover
// of the box, provided the ink beyond it covers less than strayCover of the
// box's width. Both covers are read over pairs of neighbouring lines (see
// pairCover), except by runs.
const (
	snapReach  = 0.08
	frameCover = 0.6
	strayCover = 0.6
	// looseFrameCover reads frames more loosely for an alternative box.
	looseFrameCover = 0.5
	// lineInk is the ink that counts a pixel into a line. A panel border
	// of 2-4 px on a 1200 px page is under a pixel wide on the working
	// plane and often falls across two of its lines, so a border pixel
	// holds as little as a third of full ink. Chosen on the tuning set:
	// 0.5, 0.4, 0.3, 0.25 and 0.2 gave watermark recall 88.0, 90.5, 93.5,
	// 94.5 and 92.5% (crop 91.5, 91.0, 92.5, 92.5, 85.5%).
	lineInk = 0.25
	// pairInk is the ink two neighbouring lines need together for a
	// position to count in pairCover: a border split evenly across two
	// lines holds half its ink in each. Chosen on the tuning set (series
	// 0-299, 600 wide, 39,000 queries): the line-by-line reading missed
	// 185 of them, pairs with 0.25 (lineInk) 117, with 0.2 94; 0.2 also
	// kept the page hash steadier under shifts of a pixel and small
	// rescales (1,600 such copies of series 0-19: 9 and 4 beyond the
	// threshold).
	pairInk = 0.2
)

// cover returns the share of positions along [lo, hi) with ink in any
// line from a to c-1 (rows when rows is true, else columns).
func (d *density) cover(rows bool, a, c, lo, hi int) float64 {
	d.rowTables()
	n, words := 0, d.rowWords
	if rows {
		// The union of the rows' bit sets, counted within [lo, hi).
		for k := lo >> 6; k <= (hi-1)>>6 && lo < hi; k++ {
			var u uint64
			for i := a; i < c; i++ {
				u |= d.lineBits[i*words+k]
			}
			if k == lo>>6 {
				u &= bitsFrom(lo)
			}
			if k == (hi-1)>>6 {
				u &= bitsThrough(hi - 1)
			}
			n += bits.OnesCount64(u)
		}
	} else if a < c {
		// Each row in [lo, hi) that has a bit within columns [a, c).
		k0, k1 := a>>6, (c-1)>>6
		m0, m1 := bitsFrom(a), bitsThrough(c-1)
		if k0 == k1 {
			// Columns within one word (a side's few lines): a masked
			// test per row.
			m, rb := m0&m1, d.lineBits[k0:]
			for j := lo; j < hi; j++ {
				n += int(b2u(rb[j*words]&m != 0))
			}
			return float64(n) / float64(max(1, hi-lo))
		}
		for j := lo; j < hi; j++ {
			row := d.lineBits[j*words:]
			u := row[k0]&m0 | row[k1]&m1
			for k := k0 + 1; k < k1; k++ {
				u |= row[k]
			}
			n += int(b2u(u != 0))
		}
	}
	return float64(n) / float64(max(1, hi-lo))
}

// bitsFrom is the mask of the bits of i's word from i on; bitsThrough of
// those up to i.
func bitsFrom(i int) uint64    { return ^uint64(0) << (i & 63) }
func bitsThrough(i int) uint64 { return ^uint64(0) >> (63 - i&63) }

// b2u is 1 for true, 0 for false, without a branch.
func b2u(b bool) uint8 {
	var u uint8
	if b {
		u = 1
	}
	return u
}

// runs returns the share of positions along [lo, hi) that lie in runs,
// at least runMin of hi-lo long, of positions whose ink summed over the
// lines from a to c-1 is lineInk or more: the cover of a frame (a thin
// border split across two lines included) without the short pieces that
// a line of text leaves.
func (d *density) runs(rows bool, a, c, lo, hi int) float64 {
	minRun := max(2, int(runMin*float64(hi-lo)))
	total, n := 0, 0
	for j := lo; j <= hi; j++ { // j == hi ends the last run
		var ink float32
		for i := a; i < c && j < hi; i++ {
			k := i*d.w + j
			if !rows {
				k = j*d.w + i
			}
			ink += d.ink[k]
		}
		if ink >= lineInk {
			n++
			continue
		}
		if n >= minRun {
			total += n
		}
		n = 0
	}
	return float64(total) / float64(max(1, hi-lo))
}

// snapRule says what counts as a frame to snap to: a band of lines that
// together cover at least cover of the box, within reach of the side.
// With runs, cover is read by runs, and the side snaps to the frame
// whatever ink lies beyond it: a line of text in the margin that touches
// the frame covers as much of the box as the frame does, but in pieces.
type snapRule struct {
	cover float64
	band  int
	reach float64
	runs  bool
	// stray is the cover beyond the frame below which the side snaps
	// (rules by cover only).
	stray float64
}

// snapRules are the readings an alternative box also snaps by: looser
// frames, a longer reach (a logo that straddles the frame and the
// margin), and frames read by runs over two lines (a border split across
// two plane lines; this replaced a rule for such borders read by cover,
// which then added nothing on the tuning set).
var snapRules = [...]snapRule{{looseFrameCover, 1, snapReach, false, strayCover}, {frameCover, 1, 0.15, false, strayCover},
	{runCover, 2, snapReach, true, 0}, {frameCover, 1, snapReach, false, looseStrayCover}}

// looseStrayCover reads stray ink more loosely for an alternative box: a
// page whose ink beyond a frame covers just under strayCover snaps to the
// frame, and a copy of it just over does not unless it tries this too.
const looseStrayCover = 0.7

// Frames read by runs: runs of at least runMin of the box cover runCover
// of it. Chosen on the tuning set (40 series), with sides merged within 2
// pixels (see altBoxes): watermark 95.8 -> 97.2%, rotate 96.5 -> 97.0,
// spread 99.2 -> 99.5, pad 99.2 -> 99.5, scale 99.5 -> 99.8, nothing
// lower, 7.71 lookups per query; the primary snap read by runs lost 1-8
// points in most families.
const (
	runCover = 0.5
	runMin   = 0.05
)

func (d *density) snap(b rect) rect {
	return d.snapBy(b, snapRule{frameCover, 1, snapReach, false, strayCover})
}

// snapBy is snap by rule r.
func (d *density) snapBy(b rect, r snapRule) rect {
	if b.empty() {
		return b
	}
	for _, s := range d.snaps {
		if s.b == b && s.r == r {
			return s.out
		}
	}
	out := d.snapSides(b, r)
	d.snaps = append(d.snaps, snapped{b, out, r})
	return out
}

// snapSides is snapBy without the memory.
func (d *density) snapSides(b rect, r snapRule) rect {
	side := func(rows bool, edge, step, lo, hi, extent int) int {
		reach := int(r.reach * float64(extent))
		for k := 1; k <= reach; k++ {
			i := edge + step*k
			fa, fc := i, i+r.band // the frame's lines
			if step < 0 {
				fa, fc = i-r.band+1, i+1
			}
			if r.runs {
				if d.runs(rows, fa, fc, lo, hi) >= r.cover {
					return i
				}
				continue
			}
			j := d.inner(rows, i, step) // the frame's pair of lines
			if d.pairCover(rows, min(i, j), max(i, j)+1, lo, hi) >= r.cover {
				if d.strayCover(rows, edge, i, step, lo, hi) < r.stray {
					return d.heavier(rows, i, step, lo, hi)
				}
				return edge
			}
		}
		return edge
	}
	return eachSide(b, side)
}

// pairCover is the share of positions along [lo, hi) where two
// neighbouring lines from a to c-1 together hold pairInk or more (the
// one line when c is a+1: lineInk or more). A thin line (a frame, a stroke of margin text)
// falls across two plane lines at some positions of the page on the
// image grid and within one at others; read line by line, a frame then
// covers the box in one reading and not in another of the same page
// shifted by a pixel, and the side jumps to another frame or none.
func (d *density) pairCover(rows bool, a, c, lo, hi int) float64 {
	if hi <= lo || c-a <= 1 {
		return d.cover(rows, a, c, lo, hi)
	}
	n := 0
	pc := &d.pairs[b2u(rows)]
	for k := lo >> 6; k <= (hi-1)>>6; k++ {
		var u uint64
		for l := a; l < c-1; l++ {
			u |= d.pairLine(pc, rows, l)[k]
		}
		if k == lo>>6 {
			u &= bitsFrom(lo)
		}
		if k == (hi-1)>>6 {
			u &= bitsThrough(hi - 1)
		}
		n += bits.OnesCount64(u)
	}
	return float64(n) / float64(hi-lo)
}

// pairLines holds, for the lines of a plane in one direction, the bit
// sets of the positions along each line l where l and l+1 together hold
// pairInk or more, made on first use: the boxes that snap are alike, and
// read the same lines.
type pairLines struct {
	bits  []uint64 // words a line from line*words
	words int
	made  []bool
}

// pairLine returns the bit set of lines l and l+1 (see pairLines).
func (d *density) pairLine(pc *pairLines, rows bool, l int) []uint64 {
	lines, along := d.w, d.h
	if rows {
		lines, along = d.h, d.w
	}
	if pc.made == nil {
		pc.words = (along + 63) / 64
		pc.bits = d.s.uint64sSet(pc.words * lines)
		pc.made = d.s.boolSlice(lines)
	}
	out := pc.bits[l*pc.words : (l+1)*pc.words]
	if pc.made[l] {
		return out
	}
	pc.made[l] = true
	clear(out)
	for k := range along {
		i, j := k*d.w+l, k*d.w+l+1
		if rows {
			i, j = l*d.w+k, (l+1)*d.w+k
		}
		out[k>>6] |= uint64(b2u(d.ink[i]+d.ink[j] >= pairInk)) << (k & 63)
	}
	return out
}

// strayCover is the cover of the ink beyond the frame's pair of lines
// from i: on the lines from the side at edge out to i, and the line
// outside edge, which holds what a line of ink split across it and edge
// leaves below tightInk (the ink that sets the side).
func (d *density) strayCover(rows bool, edge, i, step, lo, hi int) float64 {
	a, c := d.inner(rows, edge, -step), i
	if step < 0 {
		a, c = i+1, d.inner(rows, edge, -step)+1
	}
	return d.pairCover(rows, a, c, lo, hi)
}

// inner is line i+step, or i itself at the plane's edge.
func (d *density) inner(rows bool, i, step int) int {
	n := d.w
	if rows {
		n = d.h
	}
	if j := i + step; j >= 0 && j < n {
		return j
	}
	return i
}

// heavier is whichever of line i and i+step holds more ink along
// [lo, hi): the line of a frame's middle, where the side snaps to.
func (d *density) heavier(rows bool, i, step, lo, hi int) int {
	j := d.inner(rows, i, step)
	var si, sj float32
	for k := lo; k < hi; k++ {
		a, b := i*d.w+k, j*d.w+k
		if !rows {
			a, b = k*d.w+i, k*d.w+j
		}
		si += d.ink[a]
		sj += d.ink[b]
	}
	if sj > si {
		return j
	}
	return i
}

// sideFunc moves one side of a box: edge is its outermost line, step
// points inwards, [lo, hi) is the box's extent along the side and extent
// its size across.
type sideFunc func(rows bool, edge, step, lo, hi, extent int) int

// eachSide applies side to the four sides of b; b itself if that empties it.
func eachSide(b rect, side sideFunc) rect {
	out := b
	out.y0 = side(true, b.y0, 1, b.x0, b.x1, b.dy())
	out.y1 = side(true, b.y1-1, -1, b.x0, b.x1, b.dy()) + 1
	out.x0 = side(false, b.x0, 1, b.y0, b.y1, b.dx())
	out.x1 = side(false, b.x1-1, -1, b.y0, b.y1, b.dx()) + 1
	if out.empty() {
		return b
	}
	return out
}

// gapSnap moves each side of b in past a strip of ink that an empty line
// parts from the rest, within snapReach: a watermark in the margin that
// the smoothing joined to the content. Snapping the result again then
// finds the frames that the strip widened the box beyond.
func (d *density) gapSnap(b rect) rect {
	if b.empty() {
		return b
	}
	side := func(rows bool, edge, step, lo, hi, extent int) int {
		reach := int(snapReach * float64(extent))
		gap := false
		for k := 1; k <= reach; k++ {
			i := edge + step*k
			empty := d.cover(rows, i, i+1, lo, hi) == 0
			if gap && !empty {
				return i
			}
			gap = gap || empty
		}
		return edge
	}
	return eachSide(b, side)
}

// sideMerge: positions of a side within this many plane pixels of one
// already taken add no alternative box. Chosen on the tuning set (40
// series): 1 gave 7.34 lookups per query, 2 gave 6.34 with combo -0.2 and
// nothing else lower, 3 lost rescan and spread (with frames read by runs).
const sideMerge = 2

// altBoxes returns the other boxes a query tries besides box, the
// snapped form of tight. Each side
// may land elsewhere when a region near a threshold falls on the other
// side of it after an edit, so each side takes every position that another
// reading gives it, independently; boxes that differ from box on the
// fewest sides come first.
func (d *density) altBoxes(box, tight, full rect) []rect {
	if box.empty() {
		return nil
	}
	sides := [4][]int{{box.x0}, {box.y0}, {box.x1}, {box.y1}}
	var alts []rect
	for _, bp := range boxParams {
		alt := d.box(full, bp[0], bp[1])
		alts = append(alts, alt, d.snap(alt))
	}
	g := d.gapSnap(box)
	alts = append(alts, tight, g, d.snap(g))
	for _, r := range snapRules {
		alts = append(alts, d.snapBy(tight, r))
	}
	for _, alt := range alts {
		if alt.empty() {
			continue
		}
		for i, v := range [4]int{alt.x0, alt.y0, alt.x1, alt.y1} {
			if !slices.ContainsFunc(sides[i], func(u int) bool { return abs(u-v) <= sideMerge }) {
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
		for _, v := range [4]int{r.x0 - box.x0, r.y0 - box.y0, r.x1 - box.x1, r.y1 - box.y1} {
			if v != 0 {
				n++
			}
		}
		return n
	}
	slices.SortStableFunc(out, func(a, b rect) int { return changed(a) - changed(b) })
	return out[:min(len(out), maxAltBoxes)]
}
