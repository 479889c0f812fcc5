package fingerprint

import (
	"context"
	"image"
	"math"
	"testing"

	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// fillPlane is the working plane of img with its background marked, as
// skew sees it.
func fillPlane(t testing.TB, img image.Image) plane {
	t.Helper()
	p := lumaPlane(img, workingSize, 0, new(scratch))
	p.markBackground()
	return p
}

func fillPage(i int) image.Image {
	// Series outside the tuning (0-) and report (1000-) sets.
	return testpages.Page(testpages.Spec{Series: 3000 + i, Page: i % 7, Width: 600, Height: 850})
}

func TestFillSkewAngle(t *testing.T) {
	for i, c := range []struct {
		deg    float64
		bar    uint8
		expand bool
	}{{-2.7, 0, true}, {1.3, 128, true}, {2.2, 0, false}, {-1.6, 128, false}, {0.9, 0, true}, {-2.9, 128, false}} {
		img, err := pirate.Rotate(c.deg, c.bar, c.expand).Apply(fillPage(i), nil)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := fillPlane(t, img).fillSkew()
		if !ok || math.Abs(got-c.deg) > 0.1 {
			t.Errorf("rotate %+.1f° onto %d (expand %v): fillSkew = %.2f, %v", c.deg, c.bar, c.expand, got, ok)
		}
	}
}

func TestFillSkewNone(t *testing.T) {
	// A straight page, and one turned onto white: no fill to read.
	img, err := pirate.Rotate(1.8, 255, true).Apply(fillPage(1), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, img := range map[string]image.Image{"straight": fillPage(0), "white fill": img} {
		if got, ok := fillPlane(t, img).fillSkew(); ok {
			t.Errorf("%s: fillSkew = %.2f, true; want no reading", name, got)
		}
	}
	// Letterbox bars are straight: a reading of 0°, which skew ignores.
	for i, tr := range []pirate.Transform{pirate.Pad("tb", 0.1, 0), pirate.Pad("all", 0.05, 128)} {
		img, err := tr.Apply(fillPage(2+i), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := fillPlane(t, img).fillSkew(); ok && math.Abs(got) >= minSkew {
			t.Errorf("%s: fillSkew = %.2f; want under %v°", tr.Name, got, minSkew)
		}
	}
}

// BenchmarkFillSkew measures what fillSkew adds to a fingerprint: on
// straight pages (most pages, where it finds no fill and the ink search
// runs as before) and on pages turned onto black, beside a whole fast-path
// fingerprint in the same run.
func BenchmarkFillSkew(b *testing.B) {
	var straight, turned []plane
	for i := range 4 {
		img := testpages.Page(testpages.Spec{Series: i, Page: 1 + i})
		straight = append(straight, fillPlane(b, img))
		r, err := pirate.Rotate(1.5+0.3*float64(i), 0, i%2 == 0).Apply(img, nil)
		if err != nil {
			b.Fatal(err)
		}
		turned = append(turned, fillPlane(b, r))
	}
	for name, ps := range map[string][]plane{"straight": straight, "turned": turned} {
		b.Run(name, func(b *testing.B) {
			k := 0
			for b.Loop() {
				ps[k%len(ps)].fillSkew()
				k++
			}
		})
	}
	data, err := pirate.EncodeJPEG(testpages.Page(testpages.Spec{Series: 1, Page: 1}), 85)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("FromBytesFast", func(b *testing.B) {
		for b.Loop() {
			if _, err := FromBytes(context.Background(), data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
