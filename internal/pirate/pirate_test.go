package pirate

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/disintegration/imaging"
	"github.com/pagematch/pagematch/internal/testpages"
)

var small = testpages.Spec{Series: 3, Page: 4, Width: 300, Height: 425}

func seeded(n uint64) *rand.Rand { return rand.New(rand.NewPCG(n, 99)) }

// nrgba flattens any image to NRGBA at the origin for comparisons.
func nrgba(img image.Image) *image.NRGBA {
	b := img.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Rect, img, b.Min, draw.Src)
	return out
}

func same(a, b image.Image) bool {
	if a.Bounds().Size() != b.Bounds().Size() {
		return false
	}
	pa, pb := nrgba(a).Pix, nrgba(b).Pix
	for i := range pa {
		if pa[i] != pb[i] {
			return false
		}
	}
	return true
}

func TestAllRunAndChange(t *testing.T) {
	page := testpages.Page(small)
	for _, tr := range All() {
		t.Run(tr.Name, func(t *testing.T) {
			out, err := tr.Run(small, seeded(1))
			if tr.Family == "webp" && !CwebpAvailable() {
				if !errors.Is(err, ErrUnavailable) {
					t.Fatalf("without cwebp: err %v, want ErrUnavailable", err)
				}
				t.Skip("cwebp not installed")
			}
			if err != nil {
				t.Fatal(err)
			}
			if out == nil || out.Bounds().Empty() {
				t.Fatal("empty output")
			}
			// converting a grey page to grey legitimately changes nothing
			if tr.Name != "grey" && same(out, page) {
				t.Error("output equals the input")
			}
		})
	}
}

func TestFamiliesCovered(t *testing.T) {
	count := map[string]int{}
	for _, tr := range All() {
		count[tr.Family]++
		if tr.ApplySpec == nil {
			t.Errorf("%s: no ApplySpec", tr.Name)
		}
		if (tr.Apply == nil) != (tr.Family == "scanlation" || tr.Family == "spread") {
			t.Errorf("%s: Apply set wrongly", tr.Name)
		}
	}
	for _, f := range Families() {
		if count[f] < 2 && f != "mirror" {
			t.Errorf("family %s has %d transforms in All", f, count[f])
		}
	}
	if len(count) != len(Families()) {
		t.Errorf("All has families %v", count)
	}
}

// ranges are the product's acceptance ranges, per family and parameter.
var ranges = map[string]map[string][2]float64{
	"jpeg":       {"q": {40, 95}},
	"webp":       {"q": {50, 90}},
	"scale":      {"factor": {0.4, 0.9}},
	"crop":       {"left": {0.02, 0.08}, "right": {0.02, 0.08}, "top": {0.02, 0.08}, "bottom": {0.02, 0.08}},
	"pad":        {"frac": {0.02, 0.25}, "bar": {0, 255}},
	"watermark":  {"area": {0.005, 0.08}, "x": {0, 1}, "y": {0, 1}, "alpha": {0.3, 1}},
	"tone":       {"gamma": {0.6, 1.8}, "contrast": {-30, 30}, "black": {0, 40}, "white": {215, 255}, "r": {0.7, 1}, "g": {0.7, 1}, "b": {0.7, 1}},
	"rescan":     {"sigma": {0, 1.5}, "noise": {0, 8}},
	"rotate":     {"angle": {-3, 3}, "bar": {0, 255}},
	"scanlation": {"text": {1, 50}, "q": {0, 95}},
	"spread":     {"gutter": {0, 0.02}, "scale": {0.5, 0.8}},
}

func checkRanges(t *testing.T, tr Transform) {
	t.Helper()
	for k, v := range tr.Params {
		fam := tr.Family
		if fam == "combo" {
			fam, k, _ = strings.Cut(k, ".")
		}
		r, ok := ranges[fam][k]
		if !ok {
			t.Errorf("%s: unexpected parameter %s.%s", tr.Name, fam, k)
			continue
		}
		if v < r[0] || v > r[1] {
			t.Errorf("%s: %s.%s = %v outside [%v, %v]", tr.Name, fam, k, v, r[0], r[1])
		}
	}
	if tr.Family == "watermark" && strings.Contains(tr.Name, "-text-") || strings.Contains(tr.Name, "-logo-") {
		if a := tr.Params["area"]; a > 0.05 {
			t.Errorf("%s: mark covers %v of the page", tr.Name, a)
		}
	}
	if tr.Family == "rotate" && math.Abs(tr.Params["angle"]) < 0.2 {
		t.Errorf("%s: angle too small to count as a rotation", tr.Name)
	}
}

func TestRanges(t *testing.T) {
	seen := map[string][2]float64{} // family.param -> min, max over All
	for _, tr := range All() {
		checkRanges(t, tr)
		for k, v := range tr.Params {
			key := tr.Family + "." + k
			mm, ok := seen[key]
			if !ok {
				mm = [2]float64{v, v}
			}
			seen[key] = [2]float64{math.Min(mm[0], v), math.Max(mm[1], v)}
		}
	}
	// All reaches both ends of the main ranges
	for _, key := range []string{"jpeg.q", "webp.q", "scale.factor", "crop.left", "crop.right", "crop.top", "crop.bottom", "tone.gamma", "tone.contrast", "rotate.angle", "spread.scale", "spread.gutter"} {
		fam, k, _ := strings.Cut(key, ".")
		want := ranges[fam][k]
		if got := seen[key]; got != want {
			t.Errorf("All covers %s over %v, want %v", key, got, want)
		}
	}
	for key, v := range map[string]float64{"tone.black": 40, "tone.white": 215, "rescan.sigma": 1.5, "rescan.noise": 8, "pad.frac": 0.25, "watermark.alpha": 0.3} {
		if seen[key][0] != v && seen[key][1] != v {
			t.Errorf("All does not reach %s = %v (range %v)", key, v, seen[key])
		}
	}
	rng := seeded(7)
	for _, f := range Families() {
		for i := 0; i < 300; i++ {
			tr := Random(f, rng)
			if tr.Family != f {
				t.Fatalf("Random(%s) gave family %s", f, tr.Family)
			}
			checkRanges(t, tr)
		}
	}
}

func TestRandomDeterministic(t *testing.T) {
	for _, f := range Families() {
		a, b := Random(f, seeded(3)), Random(f, seeded(3))
		if a.Name != b.Name {
			t.Fatalf("%s: %s vs %s", f, a.Name, b.Name)
		}
		if f == "webp" && !CwebpAvailable() {
			continue
		}
		oa, err := a.Run(small, seeded(5))
		if err != nil {
			t.Fatal(err)
		}
		ob, err := b.Run(small, seeded(5))
		if err != nil {
			t.Fatal(err)
		}
		if !same(oa, ob) {
			t.Errorf("%s: same seed, different output", a.Name)
		}
	}
	names := map[string]bool{}
	rng := seeded(11)
	for i := 0; i < 20; i++ {
		names[Random("crop", rng).Name] = true
	}
	if len(names) < 10 {
		t.Errorf("Random crop gave only %d distinct transforms in 20 draws", len(names))
	}
}

func TestInputUntouched(t *testing.T) {
	page := testpages.Page(small)
	orig := append([]uint8(nil), page.Pix...)
	for _, tr := range All() {
		if tr.Apply == nil || (tr.Family == "webp" && !CwebpAvailable()) {
			continue
		}
		if _, err := tr.Apply(page, seeded(1)); err != nil {
			t.Fatalf("%s: %v", tr.Name, err)
		}
		for i := range orig {
			if orig[i] != page.Pix[i] {
				t.Fatalf("%s modified its input", tr.Name)
			}
		}
	}
}

func TestGeometry(t *testing.T) {
	page := testpages.Page(small) // 300x425
	run := func(tr Transform) image.Image {
		t.Helper()
		out, err := tr.Apply(page, seeded(1))
		if err != nil {
			t.Fatalf("%s: %v", tr.Name, err)
		}
		return out
	}
	size := func(img image.Image) image.Point { return img.Bounds().Size() }
	cases := []struct {
		tr   Transform
		want image.Point
	}{
		{Crop(0.1, 0, 0, 0), image.Pt(270, 425)},
		{Crop(0.02, 0.08, 0.04, 0.04), image.Pt(270, 391)},
		{Pad("tb", 0.2, 0), image.Pt(300, 511)},
		{Pad("lr", 0.2, 255), image.Pt(300+60, 425)},
		{Pad("all", 0.1, 128), image.Pt(330, 467)},
		{Scale(0.5, "box", false), image.Pt(150, 213)},
		{Scale(0.5, "lanczos", true), image.Pt(300, 425)},
		{Rotate(3, 255, false), image.Pt(300, 425)},
		{Mirror(), image.Pt(300, 425)},
	}
	for _, c := range cases {
		out := run(c.tr)
		if got := size(out); got != c.want {
			t.Errorf("%s: size %v, want %v", c.tr.Name, got, c.want)
		}
		if _, ok := out.(*image.Gray); !ok {
			t.Errorf("%s: grey page became %T", c.tr.Name, out)
		}
	}
	if s := size(run(Rotate(-3, 0, true))); s.X <= 300 || s.Y <= 425 {
		t.Errorf("expanded rotation has size %v", s)
	}
	twice, _ := Mirror().Apply(run(Mirror()), nil)
	if !same(twice, page) {
		t.Error("mirror twice is not the identity")
	}
	// a spread holds both pages and the gutter, scaled
	other := testpages.Page(testpages.Spec{Series: 3, Page: 5, Width: 300, Height: 425})
	sp := Spread(page, other, true, 0.02, 0.5)
	if got := size(sp); got != image.Pt(306, 213) {
		t.Errorf("spread size %v", got)
	}
	full := Spread(page, other, true, 0, 1)
	if !same(subOf(full, image.Rect(300, 0, 600, 425)), page) || !same(subOf(full, image.Rect(0, 0, 300, 425)), other) {
		t.Error("page on the right is not on the right")
	}
	full = Spread(page, other, false, 0, 1)
	if !same(subOf(full, image.Rect(0, 0, 300, 425)), page) {
		t.Error("page on the left is not on the left")
	}
}

func subOf(img image.Image, r image.Rectangle) image.Image {
	return img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(r)
}

func TestColourOutputs(t *testing.T) {
	page := testpages.Page(small)
	for _, tr := range []Transform{Sepia(), Tint(1, 0.8, 0.7), Colorise(Blue, Cream), Watermark(WatermarkSpec{Kind: "text", Text: "X", Area: 0.05, X: 0.5, Y: 0.5, Alpha: 1, Color: Red})} {
		out, err := tr.Apply(page, nil)
		if err != nil {
			t.Fatal(err)
		}
		n := nrgba(out)
		coloured := false
		for i := 0; i < len(n.Pix); i += 4 {
			if n.Pix[i] != n.Pix[i+1] || n.Pix[i+1] != n.Pix[i+2] {
				coloured = true
				break
			}
		}
		if !coloured {
			t.Errorf("%s: no colour in output", tr.Name)
		}
	}
	// colour to grey
	out, err := ToGrey().Apply(testpages.Cover(small), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := out.(*image.Gray); !ok {
		t.Errorf("grey gave %T", out)
	}
}

func TestWatermarkArea(t *testing.T) {
	// a flat level no watermark colour equals, so every mark shows
	page := image.NewGray(image.Rect(0, 0, 300, 425))
	for i := range page.Pix {
		page.Pix[i] = 77
	}
	total := float64(300 * 425)
	rng := seeded(21)
	for i := 0; i < 60; i++ {
		tr := Random("watermark", rng)
		out, err := tr.Apply(page, nil)
		if err != nil {
			t.Fatal(err)
		}
		a, b := nrgba(page), nrgba(out)
		x0, y0, x1, y1 := 1<<30, 1<<30, -1, -1
		for y := 0; y < 425; y++ {
			for x := 0; x < 300; x++ {
				o := a.PixOffset(x, y)
				if a.Pix[o] != b.Pix[o] || a.Pix[o+1] != b.Pix[o+1] || a.Pix[o+2] != b.Pix[o+2] {
					x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x+1), max(y1, y+1)
				}
			}
		}
		if x1 < 0 {
			t.Errorf("%s changed nothing", tr.Name)
			continue
		}
		frac := float64((x1-x0)*(y1-y0)) / total
		limit := 0.05
		if strings.Contains(tr.Name, "banner") {
			limit = 0.08 + 1.0/425
		}
		if frac > limit+0.003 {
			t.Errorf("%s: changed box covers %.3f of the page", tr.Name, frac)
		}
	}
}

func TestBadInput(t *testing.T) {
	for _, tr := range All() {
		if tr.Apply == nil {
			continue
		}
		if _, err := tr.Apply(nil, nil); !errors.Is(err, ErrBadInput) {
			t.Errorf("%s: nil image gave %v", tr.Name, err)
		}
		if _, err := tr.Apply(image.NewGray(image.Rect(0, 0, 0, 0)), nil); !errors.Is(err, ErrBadInput) {
			t.Errorf("%s: empty image gave %v", tr.Name, err)
		}
	}
	if _, err := Random("nope", seeded(1)).Apply(testpages.Page(small), nil); !errors.Is(err, ErrUnknownFamily) {
		t.Errorf("unknown family gave %v", err)
	}
	if Spread(nil, testpages.Page(small), true, 0, 0.5) != nil {
		t.Error("Spread of nil page is not nil")
	}
	for _, q := range []int{0, 101} {
		if _, err := EncodeJPEG(testpages.Page(small), q); !errors.Is(err, ErrBadInput) {
			t.Errorf("jpeg q%d gave %v", q, err)
		}
	}
	for _, tr := range []Transform{Crop(0.6, 0.5, 0, 0), Pad("diag", 0.1, 0), Scale(0, "box", false), Scale(0.5, "sinc", false), Scanlation(0, 0), Rescan(-1, 0)} {
		if _, err := tr.Run(small, nil); !errors.Is(err, ErrBadInput) {
			t.Errorf("%s gave %v", tr.Name, err)
		}
	}
	// a tiny image survives every transform
	tiny := image.NewGray(image.Rect(0, 0, 3, 2))
	for _, tr := range All() {
		if tr.Apply == nil || (tr.Family == "webp" && !CwebpAvailable()) {
			continue
		}
		if _, err := tr.Apply(tiny, nil); err != nil && !errors.Is(err, ErrBadInput) {
			t.Errorf("%s on a 3x2 image: %v", tr.Name, err)
		}
	}
}

func TestWebPRange(t *testing.T) {
	if !CwebpAvailable() {
		t.Skip("cwebp not installed")
	}
	g := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range g.Pix {
		if i%64 < 32 {
			g.Pix[i] = 255
		}
	}
	for _, lossless := range []bool{false, true} {
		b, err := EncodeWebP(g, 90, lossless)
		if err != nil {
			t.Fatal(err)
		}
		img, err := DecodeWebP(b)
		if err != nil {
			t.Fatal(err)
		}
		w, k := color.GrayModel.Convert(img.At(8, 32)).(color.Gray), color.GrayModel.Convert(img.At(56, 32)).(color.Gray)
		if w.Y < 250 || k.Y > 5 {
			t.Errorf("lossless=%v: white decodes to %d, black to %d", lossless, w.Y, k.Y)
		}
	}
	if _, err := DecodeWebP([]byte("RIFF")); err == nil {
		t.Error("garbage decoded")
	}
}

// The committed WebP files must still be the pages testpages renders; run
// go generate ./internal/testpages after changing the generator.
func TestWebPTestdataCurrent(t *testing.T) {
	dir := filepath.Join("..", "testpages", "testdata", "webp")
	for i := 0; i < 6; i++ {
		s := testpages.Spec{Series: 900 + i, Width: 360, Height: 510}
		page := testpages.Page(s)
		for _, kind := range []string{"lossless", "lossy"} {
			b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("s%d-%s.webp", s.Series, kind)))
			if err != nil {
				t.Fatal(err)
			}
			img, err := DecodeWebP(b)
			if err != nil {
				t.Fatal(err)
			}
			g := toGray(img)
			if g.Rect != page.Rect {
				t.Fatalf("s%d-%s: size %v", s.Series, kind, g.Rect)
			}
			var sum float64
			for j := range g.Pix {
				sum += math.Abs(float64(g.Pix[j]) - float64(page.Pix[j]))
			}
			mad := sum / float64(len(g.Pix))
			if (kind == "lossless" && mad != 0) || mad > 12 {
				t.Errorf("s%d-%s.webp is stale: mean abs difference %.2f; run go generate ./internal/testpages", s.Series, kind, mad)
			}
		}
	}
}

func BenchmarkTransforms(b *testing.B) {
	page := testpages.Page(testpages.Spec{Series: 1})
	for _, tr := range []Transform{JPEG(75), Scale(0.5, "lanczos", false), Crop(0.05, 0, 0.05, 0), Rotate(2, 255, false), Rescan(1, 4), Gamma(1.4), Watermark(WatermarkSpec{Kind: "banner", Text: "X", Area: 0.06, Y: 0.5, Alpha: 0.5, Color: Red})} {
		b.Run(tr.Name, func(b *testing.B) {
			b.SetBytes(int64(len(page.Pix)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tr.Apply(page, seeded(1)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The grey fast path of the blur agrees with imaging.Blur.
func TestBlurGrayMatchesImaging(t *testing.T) {
	page := testpages.Page(small)
	for _, sigma := range []float64{0.4, 1, 1.5} {
		a := blurGray(page, sigma)
		b := toGray(imaging.Blur(page, sigma))
		worst := 0
		for i := range a.Pix {
			worst = max(worst, int(a.Pix[i])-int(b.Pix[i]), int(b.Pix[i])-int(a.Pix[i]))
		}
		if worst > 3 {
			t.Errorf("sigma %v: differs from imaging.Blur by up to %d levels", sigma, worst)
		}
	}
}
