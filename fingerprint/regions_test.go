package fingerprint_test

import (
	"slices"
	"testing"

	"github.com/disintegration/imaging"
	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

var regionKinds = []fingerprint.VariantKind{fingerprint.VariantTop, fingerprint.VariantBottom, fingerprint.VariantTopMirror, fingerprint.VariantBottomMirror}

// variant returns fp's only variant of kind k.
func variant(t *testing.T, fp *fingerprint.Fingerprint, k fingerprint.VariantKind) fingerprint.Variant {
	t.Helper()
	i := slices.IndexFunc(fp.Variants, func(v fingerprint.Variant) bool { return v.Kind == k })
	if i < 0 || slices.ContainsFunc(fp.Variants[i+1:], func(v fingerprint.Variant) bool { return v.Kind == k }) {
		t.Fatalf("want exactly one %v variant", k)
	}
	return fp.Variants[i]
}

// WithRegions adds the four half variants and changes nothing else, on
// the full decode and on the JPEG fast path.
func TestRegionsOptIn(t *testing.T) {
	for p := 0; p < 4; p++ {
		img := page(3, p)
		data := mustJPEG(t, img, 85)
		for _, fast := range []bool{false, true} {
			plain, err := fingerprint.FromBytes(ctx, data, fingerprint.WithFastPath(fast))
			if err != nil {
				t.Fatal(err)
			}
			withRegions, err := fingerprint.FromBytes(ctx, data, fingerprint.WithFastPath(fast), fingerprint.WithRegions(true))
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range plain.Variants {
				if slices.Contains(regionKinds, v.Kind) {
					t.Fatalf("page %d fast %v: %v variant without WithRegions", p, fast, v.Kind)
				}
			}
			for _, k := range regionKinds {
				v := variant(t, withRegions, k)
				if v.Box.Empty() || !v.Box.In(withRegions.Box) {
					t.Errorf("page %d fast %v: %v box %v not inside the page box %v", p, fast, k, v.Box, withRegions.Box)
				}
			}
			rest := slices.DeleteFunc(slices.Clone(withRegions.Variants), func(v fingerprint.Variant) bool { return slices.Contains(regionKinds, v.Kind) })
			if !slices.EqualFunc(rest, plain.Variants, func(a, b fingerprint.Variant) bool {
				return a.Kind == b.Kind && a.Hash == b.Hash && a.Quality == b.Quality
			}) {
				t.Errorf("page %d fast %v: WithRegions changed the other variants", p, fast)
			}
		}
	}
}

// An opaque logo over the art of the bottom half leaves the top half's
// hash within the threshold of the reference's top half. (The page hash
// alone misses this copy: 54 bits from its reference when this test was
// written.)
func TestRegionsLogo(t *testing.T) {
	ref := page(21, 6)
	refFP, err := fingerprint.FromImage(ref, fingerprint.WithRegions(true))
	if err != nil {
		t.Fatal(err)
	}
	logo := pirate.Watermark(pirate.WatermarkSpec{Kind: "logo", Text: "MZ", Area: 0.048, X: 0.71, Y: 0.88, Alpha: 1, Color: pirate.Black})
	img, err := logo.Apply(ref, nil)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := fingerprint.FromImage(img, fingerprint.WithRegions(true))
	if err != nil {
		t.Fatal(err)
	}
	page := fingerprint.HashBits
	for _, v := range fp.Variants {
		if v.Kind.Target() == fingerprint.VariantPage {
			page = min(page, v.Hash.Distance(refFP.Hash))
		}
	}
	top := variant(t, fp, fingerprint.VariantTop)
	refTop := variant(t, refFP, fingerprint.VariantTop)
	d := top.Hash.Distance(refTop.Hash)
	t.Logf("page variants: %d bits; top half: %d bits", page, d)
	if d > fingerprint.DefaultThreshold || top.Quality < fingerprint.MinQuality {
		t.Errorf("top half %d bits from the reference's (quality %d), want <= %d", d, top.Quality, fingerprint.DefaultThreshold)
	}
}

// The halves of a mirrored copy, mirrored back, are the reference's halves.
func TestRegionsMirrorExact(t *testing.T) {
	for p := 0; p < 5; p++ {
		img := page(p, p)
		ref, err := fingerprint.FromImage(img, fingerprint.WithRegions(true))
		if err != nil {
			t.Fatal(err)
		}
		q, err := fingerprint.FromImage(imaging.FlipH(img), fingerprint.WithRegions(true))
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []fingerprint.VariantKind{fingerprint.VariantTop, fingerprint.VariantBottom} {
			want := variant(t, ref, k).Hash
			got := variant(t, q, k+fingerprint.VariantTopMirror-fingerprint.VariantTop).Hash
			if d := got.Distance(want); d != 0 {
				t.Errorf("page %d: mirrored %v at distance %d", p, k, d)
			}
		}
	}
}

// The fast path's halves stay close to the full decode's, in the way its
// page hash does (TestFastPathCloseToFull: all but the two farthest). A
// half is more sensitive than the page to where the box's top and bottom
// fall, which the DC-only decode moves by a few pixels.
func TestRegionsFastPathCloseToFull(t *testing.T) {
	var ds []int
	for p := 0; p < 8; p++ {
		data := mustJPEG(t, testpages.Page(testpages.Spec{Series: 7, Page: p}), 85)
		fast, err := fingerprint.FromBytes(ctx, data, fingerprint.WithRegions(true))
		if err != nil {
			t.Fatal(err)
		}
		full, err := fingerprint.FromBytes(ctx, data, fingerprint.WithFastPath(false), fingerprint.WithRegions(true))
		if err != nil {
			t.Fatal(err)
		}
		if !fast.FastPath {
			t.Fatal("fast path not taken")
		}
		for _, k := range []fingerprint.VariantKind{fingerprint.VariantTop, fingerprint.VariantBottom} {
			ds = append(ds, variant(t, fast, k).Hash.Distance(variant(t, full, k).Hash))
		}
	}
	slices.Sort(ds)
	t.Logf("fast vs full, halves: %v", ds)
	if ds[len(ds)-3] > fingerprint.DefaultThreshold {
		t.Errorf("fast path's halves too far from the full decode's: %v", ds)
	}
}

func TestVariantTarget(t *testing.T) {
	want := map[fingerprint.VariantKind]fingerprint.VariantKind{
		fingerprint.VariantPage: fingerprint.VariantPage, fingerprint.VariantMirror: fingerprint.VariantPage,
		fingerprint.VariantLeft: fingerprint.VariantPage, fingerprint.VariantAltSkewMirror: fingerprint.VariantPage,
		fingerprint.VariantTop: fingerprint.VariantTop, fingerprint.VariantTopMirror: fingerprint.VariantTop,
		fingerprint.VariantBottom: fingerprint.VariantBottom, fingerprint.VariantBottomMirror: fingerprint.VariantBottom,
	}
	for k, w := range want {
		if got := k.Target(); got != w {
			t.Errorf("%v.Target() = %v, want %v", k, got, w)
		}
	}
	for _, k := range regionKinds {
		if k.String() == "unknown" {
			t.Errorf("kind %d has no name", k)
		}
	}
}

// A padded page's halves are read zoomed in too, as its page is
// (TestZoomedPadding): the halves of the page's own reading, at another
// scale, lie far from the reference's.
func TestRegionsZoomed(t *testing.T) {
	ref := page(13, 4)
	refFP, err := fingerprint.FromImage(ref, fingerprint.WithRegions(true))
	if err != nil {
		t.Fatal(err)
	}
	img, err := pirate.Pad("all", 0.24, 255).Apply(ref, nil)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := fingerprint.FromImage(img, fingerprint.WithRegions(true))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []fingerprint.VariantKind{fingerprint.VariantTop, fingerprint.VariantBottom} {
		want := variant(t, refFP, k).Hash
		var ds []int
		for _, v := range fp.Variants {
			if v.Kind == k {
				ds = append(ds, v.Hash.Distance(want))
			}
		}
		t.Logf("%v: distances of the readings' halves %v", k, ds)
		if len(ds) != 2 || slices.Min(ds) > fingerprint.DefaultThreshold {
			t.Errorf("%v: distances %v, want two readings, one within %d", k, ds, fingerprint.DefaultThreshold)
		}
	}
}
