package fingerprint

import (
	"image"
	"math"
	"testing"

	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// skewPlanes are real pages, straight and turned onto white (where the
// fill gives no angle and the ink search runs), as skew sees them on the
// fast path: with the DC thumbnail's sharpening, background marked, and
// the tight box.
func skewPlanes(b *testing.B) (ps []plane, boxes []rect) {
	for i := range 8 {
		var img image.Image = testpages.Page(testpages.Spec{Series: i, Page: 1 + i})
		if i%2 == 1 {
			var err error
			if img, err = pirate.Rotate(0.8+0.3*float64(i), 255, i%4 == 1).Apply(img, nil); err != nil {
				b.Fatal(err)
			}
		}
		p := lumaPlane(img, workingSize, dcSharpen, new(scratch))
		p.markBackground()
		ps = append(ps, p)
		boxes = append(boxes, contentBox(p))
	}
	return ps, boxes
}

// resetScratch takes back everything s lent, keeping s out of the pool.
func resetScratch(s *scratch) {
	s.f32.used, s.f64.used, s.bools.used, s.u16.used, s.i32.used, s.u64.used, s.i64.used = 0, 0, 0, 0, 0, 0, 0
}

// contentBox is the tight box skew is given.
func contentBox(p plane) rect {
	return p.density().box(rect{0, 0, p.w, p.h}, densityTau, keepShare)
}

// BenchmarkSkewCoarseKeep compares rescoring 5 coarse angles (ref, the
// previous setting) with coarseKeep (new).
func BenchmarkSkewCoarseKeep(b *testing.B) {
	ps, boxes := skewPlanes(b)
	s := new(scratch)
	for i := range ps {
		ps[i].s = s
	}
	for _, v := range []struct {
		name string
		keep int
	}{{"ref", 5}, {"new", coarseKeep}} {
		b.Run(v.name, func(b *testing.B) {
			k := 0
			for b.Loop() {
				i := k % len(ps)
				resetScratch(s)
				ps[i].skewBy(boxes[i], v.keep)
				k++
			}
		})
	}
}

// BenchmarkOutlineStraighter measures the outline check beside the whole
// deskew on the same turned pages, the only ones it runs on.
func BenchmarkOutlineStraighter(b *testing.B) {
	ps, boxes := skewPlanes(b)
	s := new(scratch)
	var turned []int
	for i := range ps {
		ps[i].s = s
		if i%2 == 1 {
			turned = append(turned, i)
		}
	}
	for _, name := range []string{"skew", "outline"} {
		b.Run(name, func(b *testing.B) {
			k := 0
			for b.Loop() {
				i := turned[k%len(turned)]
				resetScratch(s)
				if name == "skew" {
					ps[i].skew(boxes[i])
				} else {
					ps[i].outlineStraighter(boxes[i], 1.5)
				}
				k++
			}
		})
	}
}

// TestOutlineStraighter checks the outline check both ways on real pages:
// a page turned onto white is not straighter at 0° than at its angle, and
// a straight page is straighter at 0° than at a turn.
func TestOutlineStraighter(t *testing.T) {
	for i := range 4 {
		var img image.Image = testpages.Page(testpages.Spec{Series: 3000 + i, Page: i, Width: 600, Height: 850})
		p := fillPlane(t, img)
		if !p.outlineStraighter(contentBox(p), 1.5) {
			t.Errorf("straight page %d: outline not straighter at 0° than at 1.5°", i)
		}
		deg := -2.0 + float64(i)
		if deg == 0 {
			deg = 2.5
		}
		turned, err := pirate.Rotate(deg, 255, i%2 == 0).Apply(img, nil)
		if err != nil {
			t.Fatal(err)
		}
		if q := fillPlane(t, turned); q.outlineStraighter(contentBox(q), deg) {
			t.Errorf("page %d turned %+.1f°: outline straighter at 0°", i, deg)
		}
	}
}

// TestSkewCoarseKeepStraight checks that rescoring more coarse angles
// leaves the page hash of straight pages as it was (so indexes need no
// rebuilding): 300 pages of series outside the tuning and report sets, as
// full decodes and through the DC thumbnail's sharpening, are turned by
// the same angle with 5 coarse angles rescored as with coarseKeep. The
// other reading a query also tries (alt) may differ.
func TestSkewCoarseKeepStraight(t *testing.T) {
	if testing.Short() {
		t.Skip("300 pages")
	}
	for i := range 300 {
		img := testpages.Page(testpages.Spec{Series: 5000 + i/3, Page: i % 3 * 4, Width: 600, Height: 850})
		for _, sharpen := range []float32{0, dcSharpen} {
			p := lumaPlane(img, workingSize, sharpen, new(scratch))
			p.markBackground()
			r := contentBox(p)
			d5, a5 := p.skewBy(r, 5)
			d, a := p.skewBy(r, coarseKeep)
			if d != d5 {
				t.Errorf("page %d sharpen %v: skew %v with 5 coarse angles, %v with %d", i, sharpen, d5, d, coarseKeep)
			}
			if a != a5 && !(math.IsNaN(a) && math.IsNaN(a5)) {
				t.Logf("page %d sharpen %v: other reading %v with 5 coarse angles, %v with %d", i, sharpen, a5, a, coarseKeep)
			}
		}
	}
}
