package fingerprint

import (
	"math"
	"testing"

	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// TestRidgeAltTurnedOntoWhite checks that pages turned onto white, which
// the ink search keeps straight (tuning series 238 and 244), get the
// turn as the other reading from their ridges, and that straight pages
// get none from them.
func TestRidgeAltTurnedOntoWhite(t *testing.T) {
	for _, c := range []struct {
		series, page int
		deg          float64
		expand       bool
	}{{238, 7, 2.30, false}, {244, 4, -1.96, true}} {
		img, err := pirate.Rotate(c.deg, 255, c.expand).Apply(testpages.Page(testpages.Spec{Series: c.series, Page: c.page, Width: 600, Height: 850}), nil)
		if err != nil {
			t.Fatal(err)
		}
		p := lumaPlane(img, workingSize, 0, new(scratch))
		p.markBackground()
		deg, alt := p.skew(contentBox(p))
		if deg != 0 || !(math.Abs(alt-c.deg) <= 0.2) {
			t.Errorf("s%dp%d turned by %.2f°: skew %.2f, other reading %.2f; want 0 and the turn", c.series, c.page, c.deg, deg, alt)
		}
	}
	for s := range 6 {
		p := lumaPlane(testpages.Page(testpages.Spec{Series: s, Page: 2, Width: 600, Height: 850}), workingSize, 0, new(scratch))
		p.markBackground()
		if a := p.ridgeAlt(contentBox(p), math.NaN()); !math.IsNaN(a) {
			t.Errorf("straight page s%dp2: ridge reading %.2f°", s, a)
		}
	}
}
