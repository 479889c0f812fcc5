package pirate

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"github.com/disintegration/imaging"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// RGB is an opaque colour for watermarks and tints.
type RGB struct{ R, G, B uint8 }

// Colours used by the fixed transforms.
var (
	Black = RGB{0, 0, 0}
	White = RGB{255, 255, 255}
	Grey  = RGB{128, 128, 128}
	Red   = RGB{220, 30, 40}
	Blue  = RGB{30, 60, 160}
	Cream = RGB{255, 244, 220}
)

func (c RGB) grey() bool { return c.R == c.G && c.G == c.B }

// lut is a per-channel lookup table.
type lut [256]uint8

// lutOf captures an imaging adjustment as a table by running it on a
// 256-pixel ramp, so grey pages can be adjusted without a colour copy.
func lutOf(adjust func(image.Image) *image.NRGBA) *lut {
	ramp := image.NewGray(image.Rect(0, 0, 256, 1))
	for i := range ramp.Pix {
		ramp.Pix[i] = uint8(i)
	}
	out := adjust(ramp)
	var t lut
	for i := range t {
		t[i] = out.Pix[4*i]
	}
	return &t
}

// applyLUT maps every colour channel through t; grey stays grey.
func applyLUT(src image.Image, t *lut) image.Image {
	if isGray(src) {
		g := toGray(src)
		out := image.NewGray(g.Rect)
		for i, v := range g.Pix {
			out.Pix[i] = t[v]
		}
		return out
	}
	out := imaging.Clone(src)
	for i := 0; i < len(out.Pix); i += 4 {
		out.Pix[i], out.Pix[i+1], out.Pix[i+2] = t[out.Pix[i]], t[out.Pix[i+1]], t[out.Pix[i+2]]
	}
	return out
}

func lutTransform(name string, params map[string]float64, t func() *lut) Transform {
	return newImage("tone", name, params, func(src image.Image, _ *rand.Rand) (image.Image, error) {
		return applyLUT(src, t()), nil
	})
}

// Gamma applies a gamma correction (imaging.AdjustGamma: below 1 darkens).
func Gamma(g float64) Transform {
	return lutTransform(fmt.Sprintf("gamma-%.2f", g), map[string]float64{"gamma": g}, func() *lut {
		return lutOf(func(i image.Image) *image.NRGBA { return imaging.AdjustGamma(i, g) })
	})
}

// Contrast changes contrast by pct percent (imaging.AdjustContrast).
func Contrast(pct float64) Transform {
	return lutTransform(fmt.Sprintf("contrast-%+.0f", pct), map[string]float64{"contrast": pct}, func() *lut {
		return lutOf(func(i image.Image) *image.NRGBA { return imaging.AdjustContrast(i, pct) })
	})
}

// Levels maps black point bp to 0 and white point wp to 255, clipping
// outside, like a levels dialog.
func Levels(bp, wp uint8) Transform {
	return lutTransform(fmt.Sprintf("levels-%d-%d", bp, wp), map[string]float64{"black": float64(bp), "white": float64(wp)}, func() *lut {
		var t lut
		for i := range t {
			v := (float64(i) - float64(bp)) * 255 / math.Max(1, float64(wp)-float64(bp))
			t[i] = uint8(math.Round(math.Max(0, math.Min(255, v))))
		}
		return &t
	})
}

// duotone maps luma from dark to light colour; sepia and colorising are
// both this.
func duotone(src image.Image, dark, light RGB) image.Image {
	g := toGray(src)
	out := image.NewNRGBA(g.Rect)
	var t [3]lut
	for i := 0; i < 256; i++ {
		f := float64(i) / 255
		t[0][i] = uint8(float64(dark.R) + (float64(light.R)-float64(dark.R))*f + 0.5)
		t[1][i] = uint8(float64(dark.G) + (float64(light.G)-float64(dark.G))*f + 0.5)
		t[2][i] = uint8(float64(dark.B) + (float64(light.B)-float64(dark.B))*f + 0.5)
	}
	for i, v := range g.Pix {
		o := 4 * i
		out.Pix[o], out.Pix[o+1], out.Pix[o+2], out.Pix[o+3] = t[0][v], t[1][v], t[2][v], 255
	}
	return out
}

// Sepia turns the page into brown tones (colour output).
func Sepia() Transform {
	return Colorise(RGB{40, 26, 14}, RGB{255, 240, 205})
}

// Colorise maps a greyscale page onto a gradient between two colours, as
// sites that "colour" manga do (colour output).
func Colorise(dark, light RGB) Transform {
	name := fmt.Sprintf("colorise-%02x%02x%02x-%02x%02x%02x", dark.R, dark.G, dark.B, light.R, light.G, light.B)
	if dark == (RGB{40, 26, 14}) && light == (RGB{255, 240, 205}) {
		name = "sepia"
	}
	return newImage("tone", name, map[string]float64{}, func(src image.Image, _ *rand.Rand) (image.Image, error) {
		return duotone(src, dark, light), nil
	})
}

// Tint multiplies the channels by r, g, b (0-1), a colour cast.
func Tint(r, g, b float64) Transform {
	name := fmt.Sprintf("tint-%.2f-%.2f-%.2f", r, g, b)
	return newImage("tone", name, map[string]float64{"r": r, "g": g, "b": b}, func(src image.Image, _ *rand.Rand) (image.Image, error) {
		out := imaging.Clone(src)
		k := [3]float64{r, g, b}
		for i := 0; i < len(out.Pix); i += 4 {
			for c := 0; c < 3; c++ {
				out.Pix[i+c] = uint8(math.Min(255, float64(out.Pix[i+c])*k[c]+0.5))
			}
		}
		return out, nil
	})
}

// ToGrey converts to greyscale. On a page that is already grey it changes
// nothing; it stands for the pirate who converts a colour page.
func ToGrey() Transform {
	return newImage("tone", "grey", map[string]float64{}, func(src image.Image, _ *rand.Rand) (image.Image, error) {
		return toGray(src), nil
	})
}

func randomTone(rng *rand.Rand) Transform {
	switch rng.IntN(7) {
	case 0:
		return Gamma(round2(0.6 + 1.2*rng.Float64()))
	case 1:
		c := math.Round(5 + 25*rng.Float64())
		if rng.IntN(2) == 0 {
			c = -c
		}
		return Contrast(c)
	case 2:
		return Levels(uint8(rng.IntN(41)), uint8(215+rng.IntN(41)))
	case 3:
		return Sepia()
	case 4:
		return Tint(round2(0.7+0.3*rng.Float64()), round2(0.7+0.3*rng.Float64()), round2(0.7+0.3*rng.Float64()))
	case 5:
		dark := RGB{uint8(rng.IntN(90)), uint8(rng.IntN(90)), uint8(rng.IntN(90))}
		light := RGB{uint8(200 + rng.IntN(56)), uint8(200 + rng.IntN(56)), uint8(200 + rng.IntN(56))}
		return Colorise(dark, light)
	default:
		return ToGrey()
	}
}

// Rescan blurs with a Gaussian of sigma pixels, then adds Gaussian noise of
// noise grey levels, as printing and scanning a page does. Either may be 0.
func Rescan(sigma, noise float64) Transform {
	name := fmt.Sprintf("rescan-blur%.2f-noise%.2f", sigma, noise)
	return newImage("rescan", name, map[string]float64{"sigma": sigma, "noise": noise}, func(src image.Image, rng *rand.Rand) (image.Image, error) {
		if sigma < 0 || noise < 0 {
			return nil, fmt.Errorf("%w: sigma %v noise %v", ErrBadInput, sigma, noise)
		}
		img := src
		if sigma > 0 {
			if isGray(src) {
				img = blurGray(toGray(src), sigma)
			} else {
				img = imaging.Blur(src, sigma)
			}
		}
		if noise <= 0 {
			return img, nil
		}
		var pix []uint8
		step := 1
		if g, ok := img.(*image.Gray); ok && g.Rect.Min == (image.Point{}) && g.Stride == g.Rect.Dx() {
			if g == src { // never write into the caller's image
				g = image.NewGray(g.Rect)
				copy(g.Pix, src.(*image.Gray).Pix)
			}
			img, pix = g, g.Pix
		} else {
			n := imaging.Clone(img)
			img, pix, step = n, n.Pix, 4
		}
		for i := range pix {
			if step == 4 && i%4 == 3 {
				continue
			}
			pix[i] = uint8(math.Max(0, math.Min(255, math.Round(float64(pix[i])+rng.NormFloat64()*noise))))
		}
		return img, nil
	})
}

// WatermarkSpec describes a watermark.
type WatermarkSpec struct {
	Kind string // "text", "logo" (a badge with letters cut out) or "banner"
	Text string
	// Area is, for text and logos, the largest fraction of the page area
	// the mark's box may cover (the product accepts up to 0.05); for
	// banners, the band's height as a fraction of the page height
	// (0.04-0.08).
	Area float64
	// X, Y place the mark: 0 puts its box at the left/top edge, 1 at the
	// right/bottom edge. Banners use Y only.
	X, Y  float64
	Alpha float64 // opacity, 0-1
	Color RGB
}

// Watermark overlays a text, logo or banner watermark.
func Watermark(w WatermarkSpec) Transform {
	name := fmt.Sprintf("watermark-%s-%.3f-at%.2f,%.2f-a%.2f", w.Kind, w.Area, w.X, w.Y, w.Alpha)
	params := map[string]float64{"area": w.Area, "x": w.X, "y": w.Y, "alpha": w.Alpha}
	return newImage("watermark", name, params, func(src image.Image, _ *rand.Rand) (image.Image, error) {
		return watermark(src, w)
	})
}

// textMask renders s with the 7x13 bitmap font as a coverage mask.
func textMask(s string) *image.Gray {
	if s == "" {
		s = " "
	}
	m := image.NewAlpha(image.Rect(0, 0, 7*len(s)+2, 15))
	d := font.Drawer{Dst: m, Src: image.Opaque, Face: basicfont.Face7x13, Dot: fixed.P(1, 12)}
	d.DrawString(s)
	g := image.NewGray(m.Rect)
	copy(g.Pix, m.Pix)
	return g
}

// logoMask is a round badge with the text cut out of it.
func logoMask(s string) *image.Gray {
	t := textMask(s)
	side := max(t.Rect.Dx(), t.Rect.Dy()) + 12
	m := image.NewGray(image.Rect(0, 0, side, side))
	c := float64(side) / 2
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			if math.Hypot(float64(x)+0.5-c, float64(y)+0.5-c) < c {
				m.Pix[y*side+x] = 255
			}
		}
	}
	ox, oy := (side-t.Rect.Dx())/2, (side-t.Rect.Dy())/2
	for y := 0; y < t.Rect.Dy(); y++ {
		for x := 0; x < t.Rect.Dx(); x++ {
			m.Pix[(y+oy)*side+x+ox] -= min(m.Pix[(y+oy)*side+x+ox], t.Pix[y*t.Stride+x])
		}
	}
	return m
}

// fitMask scales a mask so that its box covers at most area of a w x h
// page and fits inside it.
func fitMask(m *image.Gray, area float64, w, h int) *image.Gray {
	aspect := float64(m.Rect.Dx()) / float64(m.Rect.Dy())
	return sizeMask(m, math.Sqrt(area*float64(w)*float64(h)/aspect), w, h)
}

// sizeMask scales a mask to height bh, shrinking it to fit within 95% of
// a w x h page.
func sizeMask(m *image.Gray, bh float64, w, h int) *image.Gray {
	bw := bh * float64(m.Rect.Dx()) / float64(m.Rect.Dy())
	if k := math.Min(0.95*float64(w)/bw, 0.95*float64(h)/bh); k < 1 {
		bw, bh = bw*k, bh*k
	}
	return toGray(imaging.Resize(m, max(1, int(bw)), max(1, int(bh)), imaging.Linear))
}

// blend paints col through mask m at offset o with opacity alpha.
func blend(dst *image.NRGBA, m *image.Gray, o image.Point, col RGB, alpha float64) {
	c := [3]float64{float64(col.R), float64(col.G), float64(col.B)}
	r := m.Rect.Add(o).Intersect(dst.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			a := alpha * float64(m.Pix[(y-o.Y)*m.Stride+x-o.X]) / 255
			if a == 0 {
				continue
			}
			p := dst.PixOffset(x, y)
			for k := 0; k < 3; k++ {
				dst.Pix[p+k] = uint8(float64(dst.Pix[p+k])*(1-a) + c[k]*a + 0.5)
			}
		}
	}
}

func watermark(src image.Image, w WatermarkSpec) (image.Image, error) {
	if !(w.Alpha > 0 && w.Alpha <= 1) || !(w.Area > 0 && w.Area <= 0.25) {
		return nil, fmt.Errorf("%w: watermark alpha %v area %v", ErrBadInput, w.Alpha, w.Area)
	}
	dst := imaging.Clone(src)
	W, H := dst.Rect.Dx(), dst.Rect.Dy()
	colours := []RGB{w.Color}
	switch w.Kind {
	case "text", "logo":
		m := textMask(w.Text)
		if w.Kind == "logo" {
			m = logoMask(w.Text)
		}
		m = fitMask(m, w.Area, W, H)
		o := image.Pt(int(w.X*float64(W-m.Rect.Dx())), int(w.Y*float64(H-m.Rect.Dy())))
		blend(dst, m, o, w.Color, w.Alpha)
	case "banner":
		bh := max(1, int(w.Area*float64(H)))
		band := image.NewGray(image.Rect(0, 0, W, bh))
		for i := range band.Pix {
			band.Pix[i] = 255
		}
		y := int(w.Y * float64(H-bh))
		blend(dst, band, image.Pt(0, y), w.Color, w.Alpha)
		// the banner's text, in a colour that stands out on the band
		tc := White
		if int(w.Color.R)+int(w.Color.G)+int(w.Color.B) > 3*150 {
			tc = Black
		}
		colours = append(colours, tc)
		m := sizeMask(textMask(w.Text), 0.7*float64(bh), W, H)
		blend(dst, m, image.Pt((W-m.Rect.Dx())/2, y+(bh-m.Rect.Dy())/2), tc, math.Min(1, w.Alpha+0.4))
	default:
		return nil, fmt.Errorf("%w: watermark kind %q", ErrBadInput, w.Kind)
	}
	for _, c := range colours {
		if !c.grey() {
			return dst, nil
		}
	}
	return like(src, dst), nil
}

var watermarkTexts = []string{"SCANS-HUB.TOP", "READ FREE ONLINE", "mngz.xyz", "MANGA-ZONE", "RAW SCANS", "team-x scans", "FREE MANGA 24/7"}

func randomWatermark(rng *rand.Rand) Transform {
	text := watermarkTexts[rng.IntN(len(watermarkTexts))]
	col := []RGB{Black, White, Grey, Red, Blue}[rng.IntN(5)]
	alpha := 1.0
	if rng.IntN(2) == 0 {
		alpha = round2(0.3 + 0.6*rng.Float64())
	}
	switch rng.IntN(5) {
	case 0, 1: // corners and margins, where sites put them
		x, y := float64(rng.IntN(2)), float64(rng.IntN(2))
		if rng.IntN(2) == 0 {
			x = round2(rng.Float64())
		}
		return Watermark(WatermarkSpec{Kind: "text", Text: text, Area: round3(0.005 + 0.045*rng.Float64()), X: x, Y: y, Alpha: alpha, Color: col})
	case 2: // anywhere, over the art
		return Watermark(WatermarkSpec{Kind: "text", Text: text, Area: round3(0.005 + 0.045*rng.Float64()), X: round2(rng.Float64()), Y: round2(rng.Float64()), Alpha: alpha, Color: col})
	case 3:
		return Watermark(WatermarkSpec{Kind: "logo", Text: text[:2], Area: round3(0.005 + 0.045*rng.Float64()), X: round2(rng.Float64()), Y: round2(rng.Float64()), Alpha: alpha, Color: col})
	default:
		return Watermark(WatermarkSpec{Kind: "banner", Text: text, Area: round3(0.04 + 0.04*rng.Float64()), Y: round2(rng.Float64()), Alpha: round2(0.3 + 0.3*rng.Float64()), Color: col})
	}
}

// blurGray is a separable Gaussian blur of a grey image with edges
// clamped, like imaging.Blur but without a fourfold colour copy.
func blurGray(src *image.Gray, sigma float64) *image.Gray {
	r := int(math.Ceil(3 * sigma))
	k := make([]int32, 2*r+1)
	var sum float64
	ws := make([]float64, len(k))
	for i := range ws {
		d := float64(i - r)
		ws[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += ws[i]
	}
	for i := range k {
		k[i] = int32(math.Round(ws[i] / sum * (1 << 16)))
	}
	w, h := src.Rect.Dx(), src.Rect.Dy()
	tmp := image.NewGray(src.Rect)
	out := image.NewGray(src.Rect)
	idx := make([]int, w+2*r) // clamped source index per tap position
	for x := range idx {
		idx[x] = min(max(x-r, 0), w-1)
	}
	for y := 0; y < h; y++ {
		s := src.Pix[y*src.Stride : y*src.Stride+w]
		d := tmp.Pix[y*tmp.Stride : y*tmp.Stride+w]
		for x := range d {
			var acc int32
			for i, kv := range k {
				acc += kv * int32(s[idx[x+i]])
			}
			d[x] = uint8((acc + 1<<15) >> 16)
		}
	}
	acc := make([]int32, w)
	for y := 0; y < h; y++ {
		clear(acc)
		for i, kv := range k {
			sy := min(max(y+i-r, 0), h-1)
			row := tmp.Pix[sy*tmp.Stride : sy*tmp.Stride+w]
			for x, v := range row {
				acc[x] += kv * int32(v)
			}
		}
		d := out.Pix[y*out.Stride : y*out.Stride+w]
		for x := range d {
			d[x] = uint8(min((acc[x]+1<<15)>>16, 255))
		}
	}
	return out
}
