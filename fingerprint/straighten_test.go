package fingerprint

import (
	"image"
	"slices"
	"testing"

	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// turnedPages are real pages (series outside the tuning and report sets)
// turned onto white, grey and black, kept and expanded, with their
// references.
func turnedPages(t testing.TB) (refs, turned []image.Image, degs []float64) {
	t.Helper()
	for i := range 6 {
		ref := testpages.Page(testpages.Spec{Series: 3100 + i, Page: i, Width: 600, Height: 850})
		deg := []float64{-2.6, -1.7, -0.9, 1.1, 1.9, 2.8}[i]
		img, err := pirate.Rotate(deg, []uint8{255, 128, 0}[i%3], i%2 == 0).Apply(ref, nil)
		if err != nil {
			t.Fatal(err)
		}
		refs, turned, degs = append(refs, ref), append(turned, img), append(degs, deg)
	}
	return refs, turned, degs
}

// TestStraightenTurnedPages checks that pages turned by up to ±3° onto
// white, grey or black still match their references after straightening.
func TestStraightenTurnedPages(t *testing.T) {
	refs, turned, degs := turnedPages(t)
	for i := range refs {
		ref, err := FromImage(refs[i])
		if err != nil {
			t.Fatal(err)
		}
		fp, err := FromImage(turned[i])
		if err != nil {
			t.Fatal(err)
		}
		if fp.Skew == 0 {
			t.Errorf("page %d turned %+.1f°: not deskewed", i, degs[i])
		}
		best := HashBits
		for _, v := range fp.Variants {
			best = min(best, v.Hash.Distance(ref.Hash))
		}
		if best > DefaultThreshold {
			t.Errorf("page %d turned %+.1f°: nearest variant %d bits from its reference", i, degs[i], best)
		}
	}
}

// BenchmarkStraighten compares turning the working plane with its mask
// (ref, as before) with straightening on a finer plane and flooding again
// (new), on turned pages.
func BenchmarkStraighten(b *testing.B) {
	_, turned, _ := turnedPages(b)
	s := new(scratch)
	type page struct {
		img image.Image
		p   plane
		r   rect
		deg float64
	}
	var ps []page
	for _, img := range turned {
		resetScratch(s)
		p := lumaPlane(img, workingSize, 0, new(scratch))
		p.markBackground()
		r := contentBox(p)
		deg, _ := p.skew(r)
		ps = append(ps, page{img: img, p: p, r: r, deg: deg})
	}
	for _, name := range []string{"ref", "new"} {
		b.Run(name, func(b *testing.B) {
			k := 0
			for b.Loop() {
				pg := &ps[k%len(ps)]
				resetScratch(s)
				pg.p.s = s
				if name == "ref" {
					pg.p.rotate(pg.deg, pg.r)
				} else {
					pg.p.straighten(pg.deg, pg.r, source{pg.img, 0, s})
				}
				k++
			}
		})
	}
}

// TestStraightenSmallSource checks that a page whose image is too small to
// give a finer plane (a DC thumbnail on the fast path) is turned as
// before: the working plane itself, with its mask.
func TestStraightenSmallSource(t *testing.T) {
	_, turned, degs := turnedPages(t)
	for i, img := range turned {
		small, err := pirate.Scale(0.35, "linear", false).Apply(img, nil)
		if err != nil {
			t.Fatal(err)
		}
		s := new(scratch)
		p := lumaPlane(small, workingSize, dcSharpen, s)
		p.markBackground()
		r := contentBox(p)
		want := p.rotate(degs[i], r)
		got := p.straighten(degs[i], r, source{small, dcSharpen, s})
		if !slices.Equal(got.pix, want.pix) || !slices.Equal(got.bg, want.bg) {
			t.Errorf("page %d (%v): straightened plane differs from the turned working plane", i, small.Bounds().Size())
		}
	}
}
