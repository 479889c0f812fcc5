package pirate

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/disintegration/imaging"
)

// isGray reports whether img carries no colour: *image.Gray, or a JPEG
// decoded from a greyscale file.
func isGray(img image.Image) bool {
	switch img.(type) {
	case *image.Gray, *image.Gray16:
		return true
	}
	return false
}

// toGray returns the luma of img as an *image.Gray at origin (0,0).
func toGray(img image.Image) *image.Gray {
	b := img.Bounds()
	if g, ok := img.(*image.Gray); ok && b.Min == (image.Point{}) {
		return g
	}
	out := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	w := b.Dx()
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < b.Dy(); y++ {
			copy(out.Pix[y*out.Stride:y*out.Stride+w], m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):])
		}
		return out
	case *image.YCbCr:
		for y := 0; y < b.Dy(); y++ {
			copy(out.Pix[y*out.Stride:y*out.Stride+w], m.Y[m.YOffset(b.Min.X, b.Min.Y+y):])
		}
		return out
	case *image.NRGBA:
		// The generic draw path goes pixel by pixel through interfaces;
		// this is color.GrayModel's formula for opaque pixels, inline.
		for y := 0; y < b.Dy(); y++ {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := out.Pix[y*out.Stride : y*out.Stride+w]
			opaque := true
			for x := range dst {
				p := src[4*x : 4*x+4 : 4*x+4]
				if p[3] != 255 {
					opaque = false
					break
				}
				r, g, bl := uint32(p[0])*0x101, uint32(p[1])*0x101, uint32(p[2])*0x101
				dst[x] = uint8((19595*r + 38470*g + 7471*bl + 1<<15) >> 24)
			}
			if !opaque {
				draw.Draw(out, image.Rect(0, y, w, y+1), img, image.Pt(b.Min.X, b.Min.Y+y), draw.Src)
			}
		}
		return out
	}
	draw.Draw(out, out.Rect, img, b.Min, draw.Src)
	return out
}

// like converts out back to grey when the source was grey, so that
// geometric edits keep greyscale pages greyscale.
func like(src image.Image, out image.Image) image.Image {
	if isGray(src) && !isGray(out) {
		return toGray(out)
	}
	return out
}

var filterNames = []string{"box", "linear", "catmullrom", "lanczos", "nearest"}

func filterByName(name string) (imaging.ResampleFilter, bool) {
	switch name {
	case "box":
		return imaging.Box, true
	case "linear":
		return imaging.Linear, true
	case "catmullrom":
		return imaging.CatmullRom, true
	case "lanczos":
		return imaging.Lanczos, true
	case "nearest":
		return imaging.NearestNeighbor, true
	}
	return imaging.ResampleFilter{}, false
}

func resize(src image.Image, w, h int, f imaging.ResampleFilter) image.Image {
	return like(src, imaging.Resize(src, max(1, w), max(1, h), f))
}

// Scale downscales by factor f with the named filter (box, linear,
// catmullrom, lanczos, nearest); with up it scales back to the original
// size afterwards, losing detail but not size.
func Scale(f float64, filter string, up bool) Transform {
	name := fmt.Sprintf("scale-%.2f-%s", f, filter)
	if up {
		name = fmt.Sprintf("scaleup-%.2f-%s", f, filter)
	}
	params := map[string]float64{"factor": f}
	return newImage("scale", name, params, func(src image.Image, _ *rand.Rand) (image.Image, error) {
		rf, ok := filterByName(filter)
		if !ok || !(f > 0 && f <= 1) {
			return nil, fmt.Errorf("%w: filter %q factor %v", ErrBadInput, filter, f)
		}
		b := src.Bounds()
		out := resize(src, int(math.Round(float64(b.Dx())*f)), int(math.Round(float64(b.Dy())*f)), rf)
		if up {
			out = resize(out, b.Dx(), b.Dy(), rf)
		}
		return out, nil
	})
}

// Crop removes the given fractions of the width (left, right) and height
// (top, bottom).
func Crop(left, right, top, bottom float64) Transform {
	var parts []string
	params := map[string]float64{}
	for _, s := range []struct {
		n string
		v float64
	}{{"left", left}, {"right", right}, {"top", top}, {"bottom", bottom}} {
		if s.v > 0 {
			parts = append(parts, fmt.Sprintf("%c%.2f", s.n[0], s.v))
			params[s.n] = s.v
		}
	}
	return newImage("crop", "crop-"+strings.Join(parts, "-"), params, func(src image.Image, _ *rand.Rand) (image.Image, error) {
		if left < 0 || right < 0 || top < 0 || bottom < 0 || left+right >= 1 || top+bottom >= 1 {
			return nil, fmt.Errorf("%w: crop %v %v %v %v", ErrBadInput, left, right, top, bottom)
		}
		b := src.Bounds()
		w, h := float64(b.Dx()), float64(b.Dy())
		r := image.Rect(b.Min.X+int(math.Round(w*left)), b.Min.Y+int(math.Round(h*top)),
			b.Max.X-int(math.Round(w*right)), b.Max.Y-int(math.Round(h*bottom)))
		return subImage(src, r), nil
	})
}

// subImage copies r out of img, keeping *image.Gray as it is.
func subImage(img image.Image, r image.Rectangle) image.Image {
	if g, ok := img.(*image.Gray); ok {
		return toGray(g.SubImage(r))
	}
	return imaging.Crop(img, r)
}

func randomCrop(rng *rand.Rand) Transform {
	var v [4]float64
	if rng.IntN(2) == 0 {
		v[rng.IntN(4)] = 1
	} else {
		for v == ([4]float64{}) {
			for i := range v {
				if rng.IntN(2) == 0 {
					v[i] = 1
				}
			}
		}
	}
	for i := range v {
		if v[i] != 0 {
			v[i] = round2(0.02 + 0.06*rng.Float64())
		}
	}
	return Crop(v[0], v[1], v[2], v[3])
}

// Pad adds bars of grey level bar: mode "tb" (top and bottom), "lr" (left
// and right) or "all"; f is the total added along each padded axis as a
// fraction of that dimension, split evenly between the two sides.
func Pad(mode string, f float64, bar uint8) Transform {
	name := fmt.Sprintf("pad-%s-%.2f-%s", mode, f, levelName(bar))
	return newImage("pad", name, map[string]float64{"frac": f, "bar": float64(bar)}, func(src image.Image, _ *rand.Rand) (image.Image, error) {
		if !(f > 0 && f <= 1) || (mode != "tb" && mode != "lr" && mode != "all") {
			return nil, fmt.Errorf("%w: pad %s %v", ErrBadInput, mode, f)
		}
		b := src.Bounds()
		px, py := 0, 0
		if mode != "tb" {
			px = int(math.Round(float64(b.Dx()) * f / 2))
		}
		if mode != "lr" {
			py = int(math.Round(float64(b.Dy()) * f / 2))
		}
		return padImage(src, px, px, py, py, bar), nil
	})
}

func levelName(v uint8) string {
	switch v {
	case 0:
		return "black"
	case 255:
		return "white"
	}
	return fmt.Sprintf("grey%d", v)
}

// padImage places src on a canvas of grey level bar with the given margins.
func padImage(src image.Image, l, r, t, btm int, bar uint8) image.Image {
	b := src.Bounds()
	rect := image.Rect(0, 0, b.Dx()+l+r, b.Dy()+t+btm)
	var dst draw.Image
	if isGray(src) {
		dst = image.NewGray(rect)
	} else {
		dst = image.NewNRGBA(rect)
	}
	draw.Draw(dst, rect, image.NewUniform(color.Gray{bar}), image.Point{}, draw.Src)
	put(dst, image.Pt(l, t), src)
	return dst
}

// Mirror flips the page horizontally.
func Mirror() Transform {
	return newImage("mirror", "mirror", map[string]float64{}, func(src image.Image, _ *rand.Rand) (image.Image, error) {
		g, ok := src.(*image.Gray)
		if !ok {
			return like(src, imaging.FlipH(src)), nil
		}
		b := g.Bounds()
		out := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
		for y := 0; y < b.Dy(); y++ {
			s := g.Pix[g.PixOffset(b.Min.X, b.Min.Y+y):]
			d := out.Pix[y*out.Stride : y*out.Stride+b.Dx()]
			for x := range d {
				d[x] = s[b.Dx()-1-x]
			}
		}
		return out, nil
	})
}

// Rotate turns the page by deg degrees (counter-clockwise positive) with a
// background of grey level bar. With expand the canvas grows to hold the
// whole page; otherwise the result is cropped back to the original size.
func Rotate(deg float64, bar uint8, expand bool) Transform {
	mode := "keep"
	if expand {
		mode = "expand"
	}
	name := fmt.Sprintf("rotate-%+.2f-%s-%s", deg, mode, levelName(bar))
	return newImage("rotate", name, map[string]float64{"angle": deg, "bar": float64(bar)}, func(src image.Image, _ *rand.Rand) (image.Image, error) {
		out := imaging.Rotate(src, deg, color.Gray{bar})
		if !expand {
			b := src.Bounds()
			out = imaging.CropCenter(out, b.Dx(), b.Dy())
		}
		return like(src, out), nil
	})
}

// Spread puts page a beside page b as a two-page spread: a on the right
// when pageOnRight (manga reads right to left, so the earlier page is on the
// right), with a white gutter of gutter times the combined width between
// them, then scales the whole to scale times its size. b is scaled to a's
// height. The result is grey when both pages are; it is nil when either
// page is nil or empty.
func Spread(a, b image.Image, pageOnRight bool, gutter, scale float64) image.Image {
	if a == nil || b == nil || a.Bounds().Empty() || b.Bounds().Empty() {
		return nil
	}
	gutter = math.Max(0, math.Min(gutter, 1))
	ab, bb := a.Bounds(), b.Bounds()
	h := ab.Dy()
	if bb.Dy() != h {
		b = resize(b, int(math.Round(float64(bb.Dx())*float64(h)/float64(bb.Dy()))), h, imaging.Linear)
		bb = b.Bounds()
	}
	g := int(math.Round(gutter * float64(ab.Dx()+bb.Dx())))
	rect := image.Rect(0, 0, ab.Dx()+bb.Dx()+g, h)
	var dst draw.Image
	if isGray(a) && isGray(b) {
		dst = image.NewGray(rect)
	} else {
		dst = image.NewNRGBA(rect)
	}
	draw.Draw(dst, rect, image.White, image.Point{}, draw.Src)
	left, right := b, a
	if !pageOnRight {
		left, right = a, b
	}
	lb := left.Bounds()
	put(dst, image.Point{}, left)
	put(dst, image.Pt(lb.Dx()+g, 0), right)
	if !(scale > 0 && scale < 1) {
		return dst
	}
	return resize(dst, int(math.Round(float64(rect.Dx())*scale)), int(math.Round(float64(h)*scale)), imaging.Linear)
}

// put copies src into dst at p, by rows when both are grey.
func put(dst draw.Image, p image.Point, src image.Image) {
	b := src.Bounds()
	d, ok1 := dst.(*image.Gray)
	s, ok2 := src.(*image.Gray)
	if !ok1 || !ok2 {
		draw.Draw(dst, b.Sub(b.Min).Add(p), src, b.Min, draw.Src)
		return
	}
	for y := 0; y < b.Dy(); y++ {
		copy(d.Pix[d.PixOffset(p.X, p.Y+y):d.PixOffset(p.X+b.Dx(), p.Y+y)], s.Pix[s.PixOffset(b.Min.X, b.Min.Y+y):])
	}
}
