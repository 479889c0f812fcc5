package fingerprint_test

import (
	"image"
	"testing"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/pirate"
)

// A two-page spread is looked up through each half, with the halves'
// alternative boxes, and every variant's box lies within the image.
func TestSpreadVariants(t *testing.T) {
	for _, onRight := range []bool{false, true} {
		ref := page(4, 2)
		refFP, err := fingerprint.FromImage(ref)
		if err != nil {
			t.Fatal(err)
		}
		img := pirate.Spread(ref, page(4, 12), onRight, 0.01, 0.7)
		fp, err := fingerprint.FromImage(img)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[fingerprint.VariantKind]int{}
		best := fingerprint.HashBits
		bounds := image.Rect(0, 0, fp.Width, fp.Height)
		for _, v := range fp.Variants {
			kinds[v.Kind]++
			best = min(best, v.Hash.Distance(refFP.Hash))
			if !v.Box.Empty() && !v.Box.In(bounds.Inset(-2)) {
				t.Errorf("onRight %v: %v box %v outside the image %v", onRight, v.Kind, v.Box, bounds)
			}
		}
		if kinds[fingerprint.VariantLeft] != 1 || kinds[fingerprint.VariantRight] != 1 {
			t.Errorf("onRight %v: variants %v, want one left and one right half", onRight, kinds)
		}
		if best > fingerprint.DefaultThreshold {
			t.Errorf("onRight %v: nearest variant %d bits from the page, want <= %d", onRight, best, fingerprint.DefaultThreshold)
		}
	}
}

// Content that fills much less of the image than a page does (a page
// padded on every side) is also read zoomed in; without it the padded
// copy of this page lies 66 bits from its reference.
func TestZoomedPadding(t *testing.T) {
	ref := page(13, 4)
	refFP, err := fingerprint.FromImage(ref)
	if err != nil {
		t.Fatal(err)
	}
	img, err := pirate.Pad("all", 0.24, 255).Apply(ref, nil)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := fingerprint.FromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	best := fingerprint.HashBits
	for _, v := range fp.Variants {
		best = min(best, v.Hash.Distance(refFP.Hash))
	}
	if best > fingerprint.DefaultThreshold {
		t.Errorf("nearest variant %d bits from the page, want <= %d", best, fingerprint.DefaultThreshold)
	}
}
