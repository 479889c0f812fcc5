package fingerprint

import (
	"cmp"
	"math"
	"slices"
	"testing"
)

// skewByRef is skewBy before it kept its points without a branch and
// scored the two coarse steps either side of 0° in one pass (with the
// ridge reading of a page it keeps straight, added since).
func (p plane) skewByRef(r rect, keep int) (deg, alt float64) {
	// The edge of a page turned on a dark fill gives the angle directly,
	// where ink projections can be fooled by speed lines and screentones.
	// A fill edge at 0° (a letterbox bar) says nothing of the page inside.
	if deg, ok := p.fillSkew(); ok && math.Abs(deg) >= minSkew {
		return deg, math.NaN()
	}
	cx, cy := float32(r.x0+r.x1)/2, float32(r.y0+r.y1)/2
	bg := p.mask()
	fine := p.s.projector(r.dx()*r.dy(), r.dy())
	for y := r.y0; y < r.y1; y++ {
		pix, bg := p.pix[y*p.w+r.x0:y*p.w+r.x1], bg[y*p.w+r.x0:y*p.w+r.x1]
		n := len(fine.xs)
		for i, v := range pix {
			if v >= 0 && v < 160 && !bg[i] {
				fine.point(float32(r.x0+i)-cx, 255-v)
			}
		}
		if len(fine.xs) > n {
			fine.endRow(float32(y) - cy)
		}
	}
	if len(fine.xs) < 32 {
		return 0, math.NaN()
	}
	diag := int(math.Hypot(float64(r.dx()), float64(r.dy()))) + 4
	fine.bins(diag, p.s)
	// A page whose projections are far sharper at 0° than a coarse step
	// either side is straight: most pages are, and need no more search.
	s0 := fine.score(0)
	if s0 >= straightGain*max(fine.score(-coarseStep), fine.score(coarseStep)) {
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

// TestSkewByMatchesRef checks skewBy against skewByRef on real pages,
// straight and turned, and on the content box of each page turned back.
func TestSkewByMatchesRef(t *testing.T) {
	same := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
	for k, p := range fastPlanes(t) {
		for _, r := range []rect{contentBox(p), {0, 0, p.w, p.h}, {3, 5, p.w / 2, p.h - 7}} {
			for _, keep := range []int{coarseKeep, 3} {
				d, a := p.skewBy(r, keep)
				dr, ar := p.skewByRef(r, keep)
				if !same(d, dr) || !same(a, ar) {
					t.Fatalf("plane %d box %v keep %d: skewBy %v, %v; skewByRef %v, %v", k, r, keep, d, a, dr, ar)
				}
			}
		}
	}
}

// TestScorePairMatchesScore checks scorePair against two score calls, bit
// for bit, on the points of real pages at several angles.
func TestScorePairMatchesScore(t *testing.T) {
	for k, p := range fastPlanes(t) {
		r := contentBox(p)
		q := p.s.projector(r.dx()*r.dy(), r.dy())
		cx, cy := float32(r.x0+r.x1)/2, float32(r.y0+r.y1)/2
		for y := r.y0; y < r.y1; y++ {
			n := len(q.xs)
			for x := r.x0; x < r.x1; x++ {
				if v := p.pix[y*p.w+x]; v >= 0 && v < 200 {
					q.point(float32(x)-cx, 255-v)
				}
			}
			if len(q.xs) > n {
				q.endRow(float32(y) - cy)
			}
		}
		q.bins(int(math.Hypot(float64(r.dx()), float64(r.dy())))+4, p.s)
		for _, ab := range [][2]float64{{-coarseStep, coarseStep}, {0, 3.7}, {-4, 1.1}} {
			a, b := q.scorePair(ab[0], ab[1])
			if ra, rb := q.score(ab[0]), q.score(ab[1]); a != ra || b != rb {
				t.Fatalf("plane %d angles %v: scorePair %v, %v; score %v, %v", k, ab, a, b, ra, rb)
			}
		}
	}
}

func BenchmarkSkewBy(b *testing.B) {
	ps := fastPlanes(b)
	boxes := make([]rect, len(ps))
	for i, p := range ps {
		boxes[i] = contentBox(p)
		ps[i].s = new(scratch) // resetScratch must not lend out the plane
	}
	// The first 8 pages are straight, the rest turned.
	for _, set := range []struct {
		name  string
		n, of int
	}{{"straight", 0, 8}, {"turned", 8, len(ps) - 8}} {
		for _, v := range []string{"ref", "new"} {
			b.Run(set.name+"/"+v, func(b *testing.B) {
				k := 0
				for b.Loop() {
					i := set.n + k%set.of
					resetScratch(ps[i].s)
					if v == "ref" {
						ps[i].skewByRef(boxes[i], coarseKeep)
					} else {
						ps[i].skewBy(boxes[i], coarseKeep)
					}
					k++
				}
			})
		}
	}
}
