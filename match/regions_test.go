package match

import (
	"context"
	"testing"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/index"
	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// TestCheckRegions: against an index that stores the pages' halves, the
// Matcher hashes the halves of what it checks, so a page whose lower half
// carries a large logo still matches through its top half; against an
// index of pages only, the same copy does not match.
func TestCheckRegions(t *testing.T) {
	page := testpages.Page(testpages.Spec{Series: 2, Page: 4, Width: 600, Height: 850})
	ref, err := pirate.EncodeJPEG(page, 92)
	if err != nil {
		t.Fatal(err)
	}
	// An opaque logo over 5% of the page, in its lower half.
	logo, err := pirate.Watermark(pirate.WatermarkSpec{Kind: "logo", Text: "SCANS", Area: 0.05, X: 0.5, Y: 0.7, Alpha: 1,
		Color: pirate.RGB{R: 40, G: 40, B: 160}}).Apply(page, nil)
	if err != nil {
		t.Fatal(err)
	}
	copyBody, err := pirate.EncodeJPEG(logo, 75)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	build := func(regions bool) *index.Index {
		fp, err := fingerprint.FromBytes(ctx, ref, fingerprint.WithRegions(regions))
		if err != nil {
			t.Fatal(err)
		}
		b := index.NewBuilder()
		if err := b.Add(index.NewEntry("p-004", fp, nil)); err != nil {
			t.Fatal(err)
		}
		ix, err := b.Index()
		if err != nil {
			t.Fatal(err)
		}
		if ix.Regions() != regions {
			t.Fatalf("Regions() = %v, want %v", ix.Regions(), regions)
		}
		return ix
	}
	for _, regions := range []bool{false, true} {
		m, err := New(build(regions))
		if err != nil {
			t.Fatal(err)
		}
		v, err := m.Check(ctx, copyBody)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("regions %v: %+v", regions, v)
		if v.Match != regions {
			t.Errorf("regions %v: match %v (distance %d, variant %v)", regions, v.Match, v.Distance, v.Variant)
		}
		if regions && v.Variant.Target() != fingerprint.VariantTop {
			t.Errorf("matched through %v, want the top half", v.Variant)
		}
	}
}
