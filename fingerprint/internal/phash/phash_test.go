package phash

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/corona10/goimagehash"
	"github.com/corona10/goimagehash/etcs"
	"github.com/corona10/goimagehash/transforms"
	"github.com/nfnt/resize"

	"github.com/pagematch/pagematch/internal/testpages"
)

// reference returns goimagehash's hash of img and the grey image it
// computes before the DCT.
func reference(t testing.TB, img image.Image) (uint64, []float64) {
	t.Helper()
	want, err := goimagehash.PerceptionHash(img)
	if err != nil {
		t.Fatalf("goimagehash: %v", err)
	}
	g := make([]float64, side*side)
	transforms.Rgb2GrayFast(resize.Resize(side, side, img, resize.Bilinear), &g)
	return want.GetHash(), g
}

// check compares the grey image and the hash of img with goimagehash's.
func check(t testing.TB, h *Hasher, name string, img image.Image) {
	t.Helper()
	wantHash, wantGrey := reference(t, img)
	if err := h.greyImage(img); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for i, w := range wantGrey {
		if math.Float64bits(h.grey[i]) != math.Float64bits(w) {
			t.Fatalf("%s: grey[%d,%d] = %v, goimagehash %v", name, i/side, i%side, h.grey[i], w)
		}
	}
	got, err := h.Hash(img)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if got != wantHash {
		t.Fatalf("%s: hash %016x, goimagehash %016x", name, got, wantHash)
	}
}

// content returns byte k of the pixel at (x, y) of a w×h image.
type content func(x, y, k int) uint8

func noise(rng *rand.Rand) content {
	return func(_, _, _ int) uint8 { return uint8(rng.Uint32()) }
}

func gradient(w, h int, rng *rand.Rand) content {
	fx, fy := 0.5+rng.Float64()*3, 0.5+rng.Float64()*3
	return func(x, y, k int) uint8 {
		v := 128 + 120*math.Sin(float64(x)/float64(w)*math.Pi*fx+float64(k))*math.Cos(float64(y)/float64(h)*math.Pi*fy)
		return uint8(v)
	}
}

// cached evaluates c once per byte over (0,0)-(w,h), 4 bytes per pixel;
// makers read up to 16 pixels beyond the nominal size (parents of
// sub-images).
func cached(w, h int, c content) content {
	w, h = w+16, h+16
	buf := make([]uint8, w*h*4)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for k := 0; k < 4; k++ {
				buf[(y*w+x)*4+k] = c(x, y, k)
			}
		}
	}
	return func(x, y, k int) uint8 { return buf[(y*w+x)*4+k] }
}

// manga draws screentoned and solid panels with black borders on white.
func manga(w, h int, rng *rand.Rand) content {
	type panel struct {
		r    image.Rectangle
		tone int
	}
	var ps []panel
	for i := 0; i < 6; i++ {
		x0, y0 := rng.IntN(w), rng.IntN(h)
		ps = append(ps, panel{image.Rect(x0, y0, x0+1+rng.IntN(w), y0+1+rng.IntN(h)), rng.IntN(4)})
	}
	return func(x, y, k int) uint8 {
		v := uint8(255)
		for _, p := range ps {
			if !(image.Point{x, y}.In(p.r)) {
				continue
			}
			if x-p.r.Min.X < 3 || y-p.r.Min.Y < 3 || p.r.Max.X-x <= 3 || p.r.Max.Y-y <= 3 {
				v = 0
				continue
			}
			switch p.tone {
			case 0:
				v = 40
			case 1:
				if (x+y)%5 < 2 {
					v = 0
				}
			case 2:
				v = uint8(200 - 30*k)
			}
		}
		return v
	}
}

// foreign hides an image's type so that nfnt takes its generic path.
type foreign struct{ image.Image }

// maker builds an image of one type with bounds r from c.
type maker struct {
	name string
	make func(r image.Rectangle, c content, rng *rand.Rand) image.Image
}

// fillPix fills a Pix-based image of bpp bytes per pixel, whose 16-bit
// samples (wide) take their high byte from c and a random low byte.
func fillPix(pix []uint8, stride int, r image.Rectangle, bpp int, wide bool, c content, rng *rand.Rand) {
	for y := 0; y < r.Dy(); y++ {
		for x := 0; x < r.Dx(); x++ {
			for k := 0; k < bpp; k++ {
				v := c(x, y, k)
				if wide {
					v = c(x, y, k/2)
					if k%2 == 1 {
						v = uint8(rng.Uint32())
					}
				}
				pix[y*stride+x*bpp+k] = v
			}
		}
	}
}

func fillYCbCr(p *image.YCbCr, c content) {
	r := p.Rect
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			p.Y[p.YOffset(x, y)] = c(x-r.Min.X, y-r.Min.Y, 0)
			ci := p.COffset(x, y)
			p.Cb[ci] = c(x-r.Min.X, y-r.Min.Y, 1)
			p.Cr[ci] = c(x-r.Min.X, y-r.Min.Y, 2)
		}
	}
}

func randomPalette(rng *rand.Rand) color.Palette {
	p := make(color.Palette, 256)
	for i := range p {
		a := uint8(255)
		if i%7 == 0 {
			a = uint8(rng.Uint32())
		}
		p[i] = color.NRGBA{uint8(rng.Uint32()), uint8(rng.Uint32()), uint8(rng.Uint32()), a}
	}
	return p
}

// pixType describes an image type whose pixels live in Pix: bpp bytes per
// pixel, 16-bit samples when wide.
type pixType struct {
	name string
	bpp  int
	wide bool
	new  func(r image.Rectangle, rng *rand.Rand) (img image.Image, pix []uint8, stride int)
}

var pixTypes = []pixType{
	{"Gray", 1, false, func(r image.Rectangle, _ *rand.Rand) (image.Image, []uint8, int) {
		p := image.NewGray(r)
		return p, p.Pix, p.Stride
	}},
	{"Gray16", 2, true, func(r image.Rectangle, _ *rand.Rand) (image.Image, []uint8, int) {
		p := image.NewGray16(r)
		return p, p.Pix, p.Stride
	}},
	{"RGBA", 4, false, func(r image.Rectangle, _ *rand.Rand) (image.Image, []uint8, int) {
		p := image.NewRGBA(r)
		return p, p.Pix, p.Stride
	}},
	{"NRGBA", 4, false, func(r image.Rectangle, _ *rand.Rand) (image.Image, []uint8, int) {
		p := image.NewNRGBA(r)
		return p, p.Pix, p.Stride
	}},
	{"RGBA64", 8, true, func(r image.Rectangle, _ *rand.Rand) (image.Image, []uint8, int) {
		p := image.NewRGBA64(r)
		return p, p.Pix, p.Stride
	}},
	{"NRGBA64", 8, true, func(r image.Rectangle, _ *rand.Rand) (image.Image, []uint8, int) {
		p := image.NewNRGBA64(r)
		return p, p.Pix, p.Stride
	}},
	{"CMYK", 4, false, func(r image.Rectangle, _ *rand.Rand) (image.Image, []uint8, int) {
		p := image.NewCMYK(r)
		return p, p.Pix, p.Stride
	}},
	{"Alpha", 1, false, func(r image.Rectangle, _ *rand.Rand) (image.Image, []uint8, int) {
		p := image.NewAlpha(r)
		return p, p.Pix, p.Stride
	}},
	{"Alpha16", 2, true, func(r image.Rectangle, _ *rand.Rand) (image.Image, []uint8, int) {
		p := image.NewAlpha16(r)
		return p, p.Pix, p.Stride
	}},
	{"Paletted", 1, false, func(r image.Rectangle, rng *rand.Rand) (image.Image, []uint8, int) {
		p := image.NewPaletted(r, randomPalette(rng))
		return p, p.Pix, p.Stride
	}},
	{"PalettedOpaque", 1, false, func(r image.Rectangle, rng *rand.Rand) (image.Image, []uint8, int) {
		pal := make(color.Palette, 256)
		for i := range pal {
			pal[i] = color.RGBA{uint8(rng.Uint32()), uint8(rng.Uint32()), uint8(rng.Uint32()), 255}
		}
		p := image.NewPaletted(r, pal)
		return p, p.Pix, p.Stride
	}},
	{"PalettedGrey", 1, false, func(r image.Rectangle, rng *rand.Rand) (image.Image, []uint8, int) {
		pal := make(color.Palette, 256)
		for i := range pal {
			pal[i] = color.Gray{uint8(255 - i)}
		}
		p := image.NewPaletted(r, pal)
		return p, p.Pix, p.Stride
	}},
	{"foreign", 4, false, func(r image.Rectangle, _ *rand.Rand) (image.Image, []uint8, int) {
		p := image.NewNRGBA(r)
		return foreign{p}, p.Pix, p.Stride
	}},
}

func makers() []maker {
	var ms []maker
	for _, pt := range pixTypes {
		ms = append(ms, maker{pt.name, func(r image.Rectangle, c content, rng *rand.Rand) image.Image {
			img, pix, stride := pt.new(r, rng)
			fillPix(pix, stride, r, pt.bpp, pt.wide, c, rng)
			return img
		}})
	}
	ms = append(ms, maker{"NYCbCrA", func(r image.Rectangle, c content, rng *rand.Rand) image.Image {
		p := image.NewNYCbCrA(r, image.YCbCrSubsampleRatio420)
		fillYCbCr(&p.YCbCr, c)
		fillPix(p.A, p.AStride, r, 1, false, func(x, y, _ int) uint8 { return c(x, y, 3) }, rng)
		return p
	}})
	for _, sr := range []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
	} {
		ms = append(ms, maker{"YCbCr" + sr.String()[len("YCbCrSubsampleRatio"):], func(r image.Rectangle, c content, _ *rand.Rand) image.Image {
			p := image.NewYCbCr(r, sr)
			fillYCbCr(p, c)
			return p
		}})
	}
	return ms
}

type size struct{ w, h int }

var fixedSizes = []size{
	{1, 1}, {1, 7}, {7, 1}, {2, 3}, {8, 8}, {63, 63}, {63, 65}, {65, 63}, {64, 64},
	{64, 65}, {65, 64}, {64, 1}, {1, 64}, {127, 129}, {128, 128}, {333, 517},
	{2000, 300}, {300, 2000}, {20011, 3}, {2, 9001},
}

// TestMatchesGoimagehash compares hashes and the grey image before the DCT
// with goimagehash's, for every image type, many sizes, three kinds of
// content, whole images and sub-images with odd origins.
func TestMatchesGoimagehash(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := append([]size(nil), fixedSizes...)
	for i := 0; i < 8; i++ {
		sizes = append(sizes, size{1 + rng.IntN(400), 1 + rng.IntN(400)})
	}
	h := NewHasher()
	ms := makers()
	compared := 0
	for si, s := range sizes {
		big := s.w*s.h > 100_000 || max(s.w, s.h) > 5000
		if testing.Short() && big {
			continue
		}
		for ci, kind := range []string{"noise", "gradient", "manga"} {
			if big && ci != si%3 {
				continue // one content per large size keeps the test fast
			}
			var c content
			switch kind {
			case "noise":
				c = noise(rng)
			case "gradient":
				c = cached(s.w, s.h, gradient(s.w, s.h, rng))
			default:
				c = cached(s.w, s.h, manga(s.w, s.h, rng))
			}
			for _, m := range ms {
				// A whole image with a zero origin, and a sub-image at an
				// odd origin of an image cropped on all sides.
				name := fmt.Sprintf("%s %dx%d %s", m.name, s.w, s.h, kind)
				if !big {
					check(t, h, name, m.make(image.Rect(0, 0, s.w, s.h), c, rng))
					compared++
				}
				ox, oy := 1+2*rng.IntN(5), 1+2*rng.IntN(5)
				parent := m.make(image.Rect(-3, 2, s.w+ox+4, s.h+oy+5), c, rng)
				sub := subImage(parent, image.Rect(ox, oy+2, ox+s.w, oy+2+s.h))
				check(t, h, name+" sub-image", sub)
				compared++
			}
		}
	}
	t.Logf("%d images compared bit-exactly (grey image and hash)", compared)
}

func subImage(img image.Image, r image.Rectangle) image.Image {
	if f, ok := img.(foreign); ok {
		return foreign{subImage(f.Image, r)}
	}
	return img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(r)
}

// TestPages compares the hashes of synthetic manga pages, as *image.Gray
// and converted to *image.YCbCr 4:2:0 and *image.RGBA.
func TestPages(t *testing.T) {
	h := NewHasher()
	n := 4
	if testing.Short() {
		n = 1
	}
	for page := 1; page <= n; page++ {
		g := testpages.Page(testpages.Spec{Series: 1, Page: page})
		check(t, h, fmt.Sprintf("page %d Gray", page), g)
		check(t, h, fmt.Sprintf("page %d YCbCr420", page), toYCbCr(g, true))
		check(t, h, fmt.Sprintf("page %d YCbCr420 neutral", page), toYCbCr(g, false))
		check(t, h, fmt.Sprintf("page %d RGBA", page), toRGBA(g, false))
		check(t, h, fmt.Sprintf("page %d RGBA grey", page), toRGBA(g, true))
		check(t, h, fmt.Sprintf("page %d NRGBA grey", page), toNRGBA(g))
		b := g.Bounds()
		crop := g.SubImage(image.Rect(b.Min.X+37, b.Min.Y+51, b.Max.X-20, b.Max.Y-33))
		check(t, h, fmt.Sprintf("page %d cropped", page), crop)
	}
	check(t, h, "cover RGBA", testpages.Cover(testpages.Spec{Series: 1}))
}

// toYCbCr converts a grey page as a JPEG decoder would return it, with
// neutral chroma (128) or a faint tint in it.
func toYCbCr(g *image.Gray, tint bool) *image.YCbCr {
	b := g.Bounds()
	p := image.NewYCbCr(b, image.YCbCrSubsampleRatio420)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			v := g.GrayAt(x, y).Y
			p.Y[p.YOffset(x, y)] = v
			ci := p.COffset(x, y)
			p.Cb[ci], p.Cr[ci] = 128, 128
			if tint {
				p.Cb[ci] = 128 + v/32
				p.Cr[ci] = 124 + v/64
			}
		}
	}
	return p
}

// toRGBA converts a grey page as image/png returns an RGB PNG, grey or
// with a faint tint.
func toRGBA(g *image.Gray, grey bool) *image.RGBA {
	b := g.Bounds()
	p := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			v := g.GrayAt(x, y).Y
			c := color.RGBA{v, v, v, 255}
			if !grey {
				c.G -= v / 16
			}
			p.SetRGBA(x, y, c)
		}
	}
	return p
}

// toNRGBA converts a grey page to an RGBA PNG's image, with a varying
// alpha on some rows.
func toNRGBA(g *image.Gray) *image.NRGBA {
	b := g.Bounds()
	p := image.NewNRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			v := g.GrayAt(x, y).Y
			a := uint8(255)
			if y%7 == 0 {
				a = uint8(x)
			}
			p.SetNRGBA(x, y, color.NRGBA{v, v, v, a})
		}
	}
	return p
}

// TestDCT compares the low-frequency block with goimagehash's DCT2DFast64
// on random inputs.
func TestDCT(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cos := newLeeCos()
	for n := 0; n < 200; n++ {
		var g [side * side]float64
		in := make([]float64, side*side)
		for i := range g {
			v := rng.Float64() * 255
			if n%2 == 0 {
				v = math.Round(v*0.299) + 0.587*float64(rng.IntN(256))
			}
			g[i], in[i] = v, v
		}
		got := cos.lowFreq(&g)
		transforms.DCT2DFast64(&in)
		want := transforms.FlattenPixelsFast64(in, 8, 8)
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("input %d: coefficient %d = %v, goimagehash %v", n, i, got[i], want[i])
			}
		}
	}
}

// TestMedian compares the median, ties included, with goimagehash's.
func TestMedian(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 0; n < 2000; n++ {
		var v [64]float64
		for i := range v {
			v[i] = float64(rng.IntN(1 + n%40))
			if n%3 == 0 {
				v[i] = rng.NormFloat64() * 1000
			}
		}
		if got, want := median(v), etcs.MedianOfPixelsFast64(v[:]); got != want {
			t.Fatalf("median(%v) = %v, goimagehash %v", v, got, want)
		}
	}
}

// TestDivision checks the divisions by multiplication against the
// division instruction, near the bounds where they apply.
func TestDivision(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var f axisFilter
	for n := 0; n < 20000; n++ {
		d := int64(2 + rng.IntN(1<<22))
		if n%2 == 0 {
			d = int64(2 + rng.IntN(600))
		}
		// The weights of a filter with this sum.
		f.sum[0] = d
		f.rcp[0] = math.MaxUint64/uint64(d) + 1
		f.lim[0] = 1 << (64 - bits.Len64(uint64(d)))
		u := uint64(d)
		for _, v := range []uint64{uint64(rng.IntN(256)) * u, u*uint64(1+rng.IntN(255)) - 1, u*uint64(rng.IntN(256)) + uint64(rng.Int64N(d))} {
			if got, want := f.div32(0, v), uint8(min(v/u, 255)); got != want {
				t.Fatalf("%d/%d = %d, want %d", v, d, got, want)
			}
		}
		for _, v := range []uint64{f.lim[0] - 1, f.lim[0], f.lim[0] - 1 - rng.Uint64N(f.lim[0]/2), rng.Uint64N(f.lim[0]), rng.Uint64(), (f.lim[0]-1)/u*u - 1} {
			if got, want := f.quotient(0, v), v/u; got != want {
				t.Fatalf("quotient %d/%d = %d, want %d", v, d, got, want)
			}
		}
	}
	f.sum[1], f.rcp[1], f.lim[1] = 1, 0, 0
	if got := f.div32(1, 200); got != 200 {
		t.Fatalf("div32 by 1 = %d", got)
	}
	if got := f.quotient(1, 1<<40); got != 1<<40 {
		t.Fatalf("quotient by 1 = %d", got)
	}
}

// nilColour is an image whose At returns nil.
type nilColour struct{}

func (nilColour) ColorModel() color.Model { return color.RGBAModel }
func (nilColour) Bounds() image.Rectangle { return image.Rect(0, 0, 10, 10) }
func (nilColour) At(int, int) color.Color { return nil }

func TestErrors(t *testing.T) {
	h := NewHasher()
	for _, tc := range []struct {
		name string
		img  image.Image
		want error
	}{
		{"nil", nil, ErrNilImage},
		{"nil *Gray", (*image.Gray)(nil), ErrNilImage},
		{"empty", image.NewGray(image.Rect(0, 0, 0, 0)), ErrEmptyImage},
		{"zero height", image.NewRGBA(image.Rect(0, 0, 10, 0)), ErrEmptyImage},
		{"short Pix", &image.Gray{Pix: make([]uint8, 10), Stride: 10, Rect: image.Rect(0, 0, 10, 10)}, ErrInvalidImage},
		{"negative stride", &image.RGBA{Pix: make([]uint8, 400), Stride: -40, Rect: image.Rect(0, 0, 10, 10)}, ErrInvalidImage},
		{"short chroma", &image.YCbCr{Y: make([]uint8, 100), Cb: make([]uint8, 3), Cr: make([]uint8, 25), YStride: 10, CStride: 5, Rect: image.Rect(0, 0, 10, 10), SubsampleRatio: image.YCbCrSubsampleRatio420}, ErrInvalidImage},
		{"empty palette", image.NewPaletted(image.Rect(0, 0, 10, 10), nil), ErrInvalidImage},
		{"index without colour", image.NewPaletted(image.Rect(0, 0, 64, 64), color.Palette{nil}), ErrInvalidImage},
		{"index beyond palette", func() image.Image {
			p := image.NewPaletted(image.Rect(0, 0, 100, 90), color.Palette{color.Gray{1}, color.Gray{200}})
			p.Pix[3737] = 5
			return p
		}(), ErrInvalidImage},
		{"index beyond colour palette", func() image.Image {
			p := image.NewPaletted(image.Rect(0, 0, 100, 90), color.Palette{color.RGBA{1, 2, 3, 255}, color.NRGBA{1, 2, 3, 4}})
			p.Pix[3737] = 5
			return p
		}(), ErrInvalidImage},
		{"short Pix 64x64", &image.Gray{Pix: make([]uint8, 100), Stride: 64, Rect: image.Rect(0, 0, 64, 64)}, ErrInvalidImage},
		{"short alpha", &image.NYCbCrA{YCbCr: *image.NewYCbCr(image.Rect(0, 0, 100, 90), image.YCbCrSubsampleRatio420), A: make([]uint8, 10), AStride: 100}, ErrInvalidImage},
		{"nil colour", nilColour{}, ErrInvalidImage},
		{"huge", &image.Gray{Rect: image.Rect(0, 0, MaxSide+1, 1)}, ErrTooLarge},
		{"panicking At", foreign{&image.Gray{Rect: image.Rect(0, 0, 10, 10)}}, ErrInvalidImage},
	} {
		if _, err := h.Hash(tc.img); !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestUniformPlanes covers images with constant planes (blank pages,
// neutral chroma), whose filtering is skipped.
func TestUniformPlanes(t *testing.T) {
	h := NewHasher()
	rng := rand.New(rand.NewPCG(15, 16))
	for _, s := range []size{{1, 1}, {5, 3}, {63, 65}, {333, 517}, {1200, 170}} {
		for _, sr := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio410} {
			p := image.NewYCbCr(image.Rect(0, 0, s.w+3, s.h+3), sr)
			for i := range p.Y {
				p.Y[i] = uint8(rng.Uint32())
			}
			for i := range p.Cb {
				p.Cb[i], p.Cr[i] = 128, 128
			}
			check(t, h, fmt.Sprintf("%v %dx%d", sr, s.w, s.h), p)
			check(t, h, fmt.Sprintf("%v %dx%d sub-image", sr, s.w, s.h), p.SubImage(image.Rect(3, 3, s.w+3, s.h+3)))
			p.Cr[len(p.Cr)-1] = 127 // the last sample differs
			check(t, h, fmt.Sprintf("%v %dx%d last differs", sr, s.w, s.h), p)
		}
		g := image.NewGray(image.Rect(0, 0, s.w, s.h))
		for i := range g.Pix {
			g.Pix[i] = 250
		}
		check(t, h, fmt.Sprintf("blank %dx%d", s.w, s.h), g)
	}
}

// TestUnknownSubsampleRatio covers nfnt's zeroed conversion of a YCbCr
// image whose ratio it does not know.
func TestUnknownSubsampleRatio(t *testing.T) {
	p := image.NewYCbCr(image.Rect(0, 0, 100, 90), image.YCbCrSubsampleRatio444)
	p.SubsampleRatio = 99
	check(t, NewHasher(), "ratio 99", p)
}

// TestReuse hashes images of different sizes and types with one Hasher in
// an order that exercises buffer and filter reuse.
func TestReuse(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	h := NewHasher()
	ms := makers()
	for i := 0; i < 60; i++ {
		m := ms[rng.IntN(len(ms))]
		w, hh := 1+rng.IntN(300), 1+rng.IntN(300)
		check(t, h, fmt.Sprintf("%d %s %dx%d", i, m.name, w, hh), m.make(image.Rect(0, 0, w, hh), noise(rng), rng))
	}
}

// TestUnpackedFilter checks the plain per-output path of apply8, used when
// the packed plan does not apply, against the packed one.
func TestUnpackedFilter(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{1, 2, 5, 63, 64, 65, 100, 333, 1200, 1701} {
		for _, div := range []int{1, 2, 4} {
			var packed axisFilter
			if !packed.build(n, div, false) || !packed.packed {
				t.Fatalf("n=%d div=%d: no packed plan", n, div)
			}
			plain := packed
			plain.packed = false
			src := make([]uint8, gridLen(n, div))
			for i := range src {
				src[i] = uint8(rng.Uint32())
			}
			var a, b [side]uint8
			packed.apply8(src, &a)
			plain.apply8(src, &b)
			if a != b {
				t.Fatalf("n=%d div=%d: packed %v, plain %v", n, div, a, b)
			}
		}
	}
}

// TestNoAllocations checks that a warmed-up Hasher does not allocate on
// the common image types.
func TestNoAllocations(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	h := NewHasher()
	for _, m := range makers() {
		switch m.name {
		case "Gray", "RGBA", "NRGBA", "YCbCr420", "YCbCr444", "Gray16", "RGBA64", "Paletted", "PalettedOpaque", "PalettedGrey", "CMYK":
		default:
			continue
		}
		img := m.make(image.Rect(0, 0, 300, 211), noise(rng), rng)
		if _, err := h.Hash(img); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(5, func() { h.Hash(img) }); n != 0 {
			t.Errorf("%s: %v allocations per hash", m.name, n)
		}
	}
}
