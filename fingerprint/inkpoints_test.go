package fingerprint

import (
	"slices"
	"testing"
)

// inkPointsRef is the gathering of skewBy's points as it was before
// inkPoints took the xs from a table and its rows' loop had a function of
// its own.
func (q *projector) inkPointsRef(p plane, r rect, cx, cy float32) {
	bg := p.mask()
	xs, ws := q.xs[:cap(q.xs)], q.ws[:cap(q.ws)]
	n := 0
	for y := r.y0; y < r.y1; y++ {
		pix, bg := p.pix[y*p.w+r.x0:y*p.w+r.x1], bg[y*p.w+r.x0:y*p.w+r.x1]
		bg = bg[:len(pix)]
		start := n
		for i, v := range pix {
			xs[n], ws[n] = float32(r.x0+i)-cx, 255-v
			n += int(b2u(v >= 0) & b2u(v < 160) & b2u(!bg[i]))
		}
		if n > start {
			q.xs, q.ws = xs[:n], ws[:n]
			q.endRow(float32(y) - cy)
		}
	}
	q.xs, q.ws = xs[:n], ws[:n]
}

// inkPointsCases are the fast path's planes with their content boxes, and
// boxes cut from them at odd places.
func inkPointsCases(tb testing.TB) ([]plane, []rect) {
	var ps []plane
	var rs []rect
	for _, p := range fastPlanes(tb) {
		p.s = new(scratch)
		b := contentBox(p)
		for _, r := range []rect{b, {0, 0, p.w, p.h}, {b.x0 + 3, b.y0 + 5, b.x1 - 7, b.y1 - 1}, {1, 2, 2, 3}} {
			if !r.empty() {
				ps, rs = append(ps, p), append(rs, r)
			}
		}
	}
	return ps, rs
}

func TestInkPointsMatchRef(t *testing.T) {
	ps, rs := inkPointsCases(t)
	for k, p := range ps {
		r := rs[k]
		cx, cy := float32(r.x0+r.x1)/2, float32(r.y0+r.y1)/2
		q, e := p.s.projector(r.dx()*r.dy(), r.dy()), p.s.projector(r.dx()*r.dy(), r.dy())
		q.inkPoints(p, r, cx, cy)
		e.inkPointsRef(p, r, cx, cy)
		if !slices.Equal(bitsOf(q.xs), bitsOf(e.xs)) || !slices.Equal(bitsOf(q.ws), bitsOf(e.ws)) ||
			!slices.Equal(bitsOf(q.rowY), bitsOf(e.rowY)) || !slices.Equal(q.rowEnd, e.rowEnd) {
			t.Fatalf("plane %d box %v: inkPoints differs from inkPointsRef", k, r)
		}
	}
	t.Logf("%d boxes", len(ps))
}

func BenchmarkInkPoints(b *testing.B) {
	ps, rs := inkPointsCases(b)
	for _, v := range []string{"ref", "new"} {
		b.Run(v, func(b *testing.B) {
			k := 0
			for b.Loop() {
				p, r := ps[4*(k%(len(ps)/4))], rs[4*(k%(len(ps)/4))] // the content boxes
				resetScratch(p.s)
				cx, cy := float32(r.x0+r.x1)/2, float32(r.y0+r.y1)/2
				q := p.s.projector(r.dx()*r.dy(), r.dy())
				if v == "ref" {
					q.inkPointsRef(p, r, cx, cy)
				} else {
					q.inkPoints(p, r, cx, cy)
				}
				k++
			}
		})
	}
}
