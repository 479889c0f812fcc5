package fingerprint

import (
	"image"
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
		boxes = append(boxes, p.density().box(rect{0, 0, p.w, p.h}, densityTau, keepShare))
	}
	return ps, boxes
}

// BenchmarkSkewCoarseKeep compares rescoring 3 coarse angles (ref) with
// coarseKeep (new).
func BenchmarkSkewCoarseKeep(b *testing.B) {
	ps, boxes := skewPlanes(b)
	s := new(scratch)
	for i := range ps {
		ps[i].s = s
	}
	for _, v := range []struct {
		name string
		keep int
	}{{"ref", 3}, {"new", coarseKeep}} {
		b.Run(v.name, func(b *testing.B) {
			k := 0
			for b.Loop() {
				i := k % len(ps)
				s.f32.used, s.f64.used, s.bools.used, s.u16.used, s.i32.used, s.u64.used, s.i64.used = 0, 0, 0, 0, 0, 0, 0
				ps[i].skewBy(boxes[i], v.keep)
				k++
			}
		})
	}
}
