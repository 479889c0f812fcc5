package fingerprint

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"

	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// toneCases are tone changes that squeeze a page's range of values: a
// colourise onto dark olive and pink paper, a tint and raised output
// levels.
var toneCases = []pirate.Transform{
	pirate.Colorise(pirate.RGB{R: 0x30, G: 0x2f, B: 0x02}, pirate.RGB{R: 0xe9, G: 0xd6, B: 0xd2}),
	pirate.Tint(0.75, 0.98, 0.94),
	pirate.Colorise(pirate.RGB{R: 40, G: 26, B: 14}, pirate.RGB{R: 255, G: 240, B: 205}),
}

// bgDiff counts the pixels whose background mark differs between the
// planes of a and b, flooded with tolerance tol (0: the page's own).
func bgDiff(t testing.TB, a, b image.Image, tol float32) int {
	t.Helper()
	mark := func(img image.Image) []bool {
		p := lumaPlane(img, workingSize, 0, new(scratch))
		if tol == 0 {
			p.markBackground()
		} else {
			p.markBackgroundBy(0, tol/bgTolerance)
		}
		return p.bg
	}
	ma, mb := mark(a), mark(b)
	n := 0
	for i := range ma {
		if ma[i] != mb[i] {
			n++
		}
	}
	return n
}

// TestFloodToleranceTone checks that a page whose tones were squeezed
// floods closer to the original with the page's own tolerance than with
// the fixed one, on pages outside the tuning and report sets.
func TestFloodToleranceTone(t *testing.T) {
	for _, tr := range toneCases {
		fixed, own := 0, 0
		for i := range 12 {
			img := fillPage(i)
			q, err := tr.Apply(img, nil)
			if err != nil {
				t.Fatal(err)
			}
			fixed += bgDiff(t, img, q, bgTolerance)
			own += bgDiff(t, img, q, 0)
		}
		t.Logf("%s: %d pixels flooded differently on the page's scale, %d on the fixed one", tr.Name, own, fixed)
		if own >= fixed {
			t.Errorf("%s: %d pixels flooded differently on the page's scale, not fewer than %d on the fixed one", tr.Name, own, fixed)
		}
	}
}

// TestValueRangeBlackOnWhite checks that pages printed in black on white
// flood on the fixed scale, as they did before valueRange.
func TestValueRangeBlackOnWhite(t *testing.T) {
	for i := range 12 {
		p := lumaPlane(fillPage(i), workingSize, 0, new(scratch))
		if ink, gain := p.valueRange(); ink != 0 || gain != 1 {
			t.Errorf("page %d: valueRange = %v, %v; want 0, 1", i, ink, gain)
		}
	}
}

// BenchmarkMarkBackground measures what valueRange adds to the floods:
// ref floods on the fixed scale, as markBackground did before it, new on
// the page's own; on these black-on-white pages (JPEGs, decoded) the two
// give the same mask (TestValueRangeBlackOnWhite).
func BenchmarkMarkBackground(b *testing.B) {
	var ps []plane
	for i := range 4 {
		data, err := pirate.EncodeJPEG(testpages.Page(testpages.Spec{Series: i, Page: 2 + i}), 85)
		if err != nil {
			b.Fatal(err)
		}
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		ps = append(ps, lumaPlane(img, workingSize, 0, nil))
	}
	for _, v := range []string{"ref", "new"} {
		b.Run(v, func(b *testing.B) {
			k := 0
			for b.Loop() {
				p := ps[k%len(ps)]
				if v == "ref" {
					p.markBackgroundBy(0, 1)
				} else {
					p.markBackground()
				}
				k++
			}
		})
	}
}
