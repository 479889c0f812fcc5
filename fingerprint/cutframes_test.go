package fingerprint_test

import (
	"testing"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/pirate"
)

// A crop along a panel's frame leaves the frame on the image edge, where
// the background flood takes it for a bar (series 2 page 9, top), or opens
// a screentone panel that the flood takes for a bar (series 39 page 1,
// bottom): the content box then stops short of the edge by more than
// touchMargin, and the crop must be undone on that side all the same.
func TestCropAtCutFrame(t *testing.T) {
	for _, c := range []struct {
		series, page             int
		left, right, top, bottom float64
	}{
		{2, 9, 0.02, 0.07, 0.05, 0},
		{39, 1, 0.07, 0, 0.05, 0},
	} {
		ref := page(c.series, c.page)
		refFP, err := fingerprint.FromImage(ref)
		if err != nil {
			t.Fatal(err)
		}
		img, err := pirate.Crop(c.left, c.right, c.top, c.bottom).Apply(ref, nil)
		if err != nil {
			t.Fatal(err)
		}
		fp, err := fingerprint.FromImage(img)
		if err != nil {
			t.Fatal(err)
		}
		best := fingerprint.HashBits
		for _, v := range fp.Variants {
			if v.Quality >= fingerprint.MinQuality {
				best = min(best, v.Hash.Distance(refFP.Hash))
			}
		}
		if best > fingerprint.DefaultThreshold {
			t.Errorf("series %d page %d: nearest variant %d bits from the page, want <= %d", c.series, c.page, best, fingerprint.DefaultThreshold)
		}
	}
}
