package fingerprint

import (
	"bytes"
	"image"
	"image/jpeg"
	"math/rand/v2"
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

// valueRangeRef is valueRange with two histograms.
func (p *plane) valueRangeRef() (ink, gain float32) {
	// Two histograms, for alternate pixels, shifted by one so that
	// unknown pixels (-1) count at 0 without a branch: runs of paper of
	// one value would otherwise chain every increment through the same
	// counter.
	var even, odd [257]int
	pix := p.pix[:len(p.pix)&^1]
	for i := 0; i < len(pix); i += 2 {
		even[int(pix[i])+1]++
		odd[int(pix[i+1])+1]++
	}
	if len(pix) < len(p.pix) {
		even[int(p.pix[len(pix)])+1]++
	}
	var hist [256]int
	n := 0
	for v := range hist {
		hist[v] = even[v+1] + odd[v+1]
		n += hist[v]
	}
	if n == 0 {
		return 0, 1
	}
	lo := 0
	for hist[lo] == 0 {
		lo++
	}
	span := max(percentile(&hist, n, 0.9)-lo, minContrast)
	return float32(lo), float32(span) / 255
}

// TestValueRangeMatchesRef checks valueRange against valueRangeRef on
// the planes of pages, on planes with unknown pixels and of odd sizes.
func TestValueRangeMatchesRef(t *testing.T) {
	var ps []plane
	for _, g := range dcThumbs(t) {
		ps = append(ps, lumaPlane(g, workingSize, dcSharpen, nil))
	}
	rng := rand.New(rand.NewPCG(49, 50))
	for k := range 200 {
		p := randomPlane(rng, 1+rng.IntN(40), 1+rng.IntN(40))
		for i := range p.pix {
			switch rng.IntN(4) {
			case 0:
				p.pix[i] = -1
			case 1:
				p.pix[i] = 255
			case 2:
				p.pix[i] = float32(k % 256)
			}
		}
		ps = append(ps, p)
	}
	for k, p := range ps {
		ink, gain := p.valueRange()
		wantInk, wantGain := p.valueRangeRef()
		if ink != wantInk || gain != wantGain {
			t.Fatalf("plane %d: valueRange = %v, %v; valueRangeRef %v, %v", k, ink, gain, wantInk, wantGain)
		}
	}
}

// BenchmarkValueRange reads the working planes of DC thumbnails.
func BenchmarkValueRange(b *testing.B) {
	var ps []plane
	for _, g := range dcThumbs(b) {
		ps = append(ps, lumaPlane(g, workingSize, dcSharpen, nil))
	}
	for _, v := range []string{"ref", "new"} {
		b.Run(v, func(b *testing.B) {
			k := 0
			for b.Loop() {
				if v == "ref" {
					ps[k%len(ps)].valueRangeRef()
				} else {
					ps[k%len(ps)].valueRange()
				}
				k++
			}
		})
	}
}
