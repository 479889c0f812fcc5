package pirate

import (
	"errors"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/pagematch/pagematch/internal/testpages"
)

var (
	// ErrUnavailable is returned by transforms that need an external tool
	// (cwebp) that is not installed.
	ErrUnavailable = errors.New("pirate: transform unavailable")
	// ErrBadInput is returned for a nil or empty image or bad parameters.
	ErrBadInput = errors.New("pirate: bad input")
	// ErrUnknownFamily is returned by transforms of an unknown family.
	ErrUnknownFamily = errors.New("pirate: unknown family")
	// ErrNeedsSpec is returned by Transform.Apply of the families that need
	// the page's Spec (scanlation and spread); use Run or ApplySpec.
	ErrNeedsSpec = errors.New("pirate: transform needs the page spec")
)

// A Transform is one parameterised pirate edit. Apply must be deterministic
// given rng.
type Transform struct {
	Family string // one of Families()
	Name   string // e.g. "jpeg-q40", "scale-0.50-lanczos"
	// Params holds the numeric parameters, e.g. {"q": 40}; combos prefix
	// them with the family of the step ("crop.left").
	Params map[string]float64
	// Apply edits an image. It is nil for transforms that need the page's
	// Spec (scanlation, spread).
	Apply func(src image.Image, rng *rand.Rand) (image.Image, error)
	// ApplySpec edits the page that s renders to. It is set for every
	// transform; for image-only ones it is Apply on testpages.Page(s).
	ApplySpec func(s testpages.Spec, rng *rand.Rand) (image.Image, error)
}

// Run applies t to the page of s, through ApplySpec when set, else through
// Apply on testpages.Page(s). A nil rng means a fixed seed.
func (t Transform) Run(s testpages.Spec, rng *rand.Rand) (image.Image, error) {
	if rng == nil {
		rng = rand.New(rand.NewPCG(1, 2))
	}
	if t.ApplySpec != nil {
		return t.ApplySpec(s, rng)
	}
	if t.Apply == nil {
		return nil, fmt.Errorf("%w: %s", ErrNeedsSpec, t.Name)
	}
	return t.Apply(testpages.Page(s), rng)
}

// String returns the transform's name.
func (t Transform) String() string { return t.Name }

var families = []string{
	"jpeg", "webp", "scale", "crop", "pad", "watermark", "tone",
	"rescan", "mirror", "rotate", "scanlation", "spread", "combo",
}

// Families lists the transform families.
func Families() []string { return slices.Clone(families) }

// imageFunc is the shape of an image-only edit once its parameters are fixed.
type imageFunc func(src image.Image, rng *rand.Rand) (image.Image, error)

// guarded runs f with a default rng and names the transform in its errors.
func guarded[T any](name string, f func(T, *rand.Rand) (image.Image, error)) func(T, *rand.Rand) (image.Image, error) {
	return func(in T, rng *rand.Rand) (image.Image, error) {
		if rng == nil {
			rng = rand.New(rand.NewPCG(1, 2))
		}
		out, err := f(in, rng)
		if err != nil {
			return nil, fmt.Errorf("pirate: %s: %w", name, err)
		}
		return out, nil
	}
}

// newImage builds a transform from an image-only edit, checking the input
// and filling in ApplySpec.
func newImage(family, name string, params map[string]float64, f imageFunc) Transform {
	apply := guarded(name, func(src image.Image, rng *rand.Rand) (image.Image, error) {
		if src == nil || src.Bounds().Empty() {
			return nil, fmt.Errorf("%w: empty image", ErrBadInput)
		}
		return f(src, rng)
	})
	return Transform{
		Family: family, Name: name, Params: params, Apply: apply,
		ApplySpec: func(s testpages.Spec, rng *rand.Rand) (image.Image, error) {
			return apply(testpages.Page(s), rng)
		},
	}
}

// newSpec builds a transform that needs the page's Spec.
func newSpec(family, name string, params map[string]float64, f func(s testpages.Spec, rng *rand.Rand) (image.Image, error)) Transform {
	return Transform{Family: family, Name: name, Params: params, ApplySpec: guarded(name, f)}
}

// chain runs image-only transforms one after the other as a combo.
func chain(steps ...Transform) Transform {
	name := "combo"
	params := map[string]float64{}
	for _, s := range steps {
		name += "+" + s.Name
		for k, v := range s.Params {
			params[s.Family+"."+k] = v
		}
	}
	return newImage("combo", name, params, func(src image.Image, rng *rand.Rand) (image.Image, error) {
		img := src
		for _, s := range steps {
			var err error
			if img, err = s.Apply(img, rng); err != nil {
				return nil, err
			}
		}
		return img, nil
	})
}

// All returns a fixed list of transforms that covers every family at
// several parameter points, including the ends of each range.
func All() []Transform {
	var out []Transform
	for _, q := range []int{40, 60, 75, 95} {
		out = append(out, JPEG(q))
	}
	for _, q := range []int{50, 75, 90} {
		out = append(out, WebP(q))
	}
	for _, c := range []struct {
		f      float64
		filter string
		up     bool
	}{{0.4, "lanczos", false}, {0.5, "box", false}, {0.5, "nearest", false}, {0.6, "catmullrom", false}, {0.75, "linear", false}, {0.9, "lanczos", false}, {0.5, "linear", true}, {0.4, "box", true}, {0.9, "nearest", true}} {
		out = append(out, Scale(c.f, c.filter, c.up))
	}
	for _, c := range [][4]float64{{0.02, 0, 0, 0}, {0, 0.08, 0, 0}, {0, 0, 0.05, 0}, {0, 0, 0, 0.08}, {0.04, 0.04, 0.04, 0.04}, {0.03, 0.06, 0, 0}, {0, 0, 0.02, 0.08}, {0.08, 0.02, 0.08, 0.02}} {
		out = append(out, Crop(c[0], c[1], c[2], c[3]))
	}
	for _, c := range []struct {
		mode string
		f    float64
		bar  uint8
	}{{"tb", 0.25, 0}, {"lr", 0.25, 255}, {"all", 0.1, 128}, {"tb", 0.05, 255}, {"lr", 0.12, 0}, {"all", 0.25, 255}} {
		out = append(out, Pad(c.mode, c.f, c.bar))
	}
	out = append(out,
		Watermark(WatermarkSpec{Kind: "text", Text: "SCANS-HUB.TOP", Area: 0.05, X: 0.98, Y: 0.98, Alpha: 1, Color: Black}),
		Watermark(WatermarkSpec{Kind: "text", Text: "READ FREE", Area: 0.03, X: 0.5, Y: 0.5, Alpha: 0.4, Color: Red}),
		Watermark(WatermarkSpec{Kind: "text", Text: "mngz.xyz", Area: 0.01, X: 0.02, Y: 0.01, Alpha: 0.7, Color: Grey}),
		Watermark(WatermarkSpec{Kind: "logo", Text: "MZ", Area: 0.02, X: 0.03, Y: 0.97, Alpha: 1, Color: Blue}),
		Watermark(WatermarkSpec{Kind: "logo", Text: "RK", Area: 0.05, X: 0.6, Y: 0.3, Alpha: 0.5, Color: White}),
		Watermark(WatermarkSpec{Kind: "banner", Text: "READ MORE AT MANGA-ZONE", Area: 0.04, Y: 0.5, Alpha: 0.3, Color: Black}),
		Watermark(WatermarkSpec{Kind: "banner", Text: "SCANLATED BY TEAM X", Area: 0.08, Y: 0.15, Alpha: 0.6, Color: Red}),
	)
	out = append(out,
		Gamma(0.6), Gamma(1.8), Gamma(1.25),
		Contrast(30), Contrast(-30),
		Levels(40, 215), Levels(20, 255), Levels(0, 230),
		Sepia(), Tint(1, 0.85, 0.7), Colorise(Blue, Cream), ToGrey(),
	)
	out = append(out, Rescan(1.5, 0), Rescan(0, 8), Rescan(0.8, 4), Rescan(1.5, 8))
	out = append(out, Mirror())
	for _, c := range []struct {
		a      float64
		bar    uint8
		expand bool
	}{{-3, 255, true}, {3, 0, false}, {-1.5, 128, false}, {0.7, 255, true}, {2.2, 255, false}, {-0.4, 0, true}} {
		out = append(out, Rotate(c.a, c.bar, c.expand))
	}
	out = append(out, Scanlation(1, 0), Scanlation(3, 85))
	out = append(out, SpreadPage(true, 0, 0.5), SpreadPage(false, 0.02, 0.8), SpreadPage(true, 0.01, 0.65), SpreadPage(false, 0, 0.6))
	out = append(out,
		chain(Crop(0.05, 0, 0.03, 0.03), Scale(0.6, "linear", false), JPEG(70)),
		chain(Pad("tb", 0.15, 0), Watermark(WatermarkSpec{Kind: "text", Text: "MANGA.FREE", Area: 0.02, X: 0.95, Y: 0.95, Alpha: 0.8, Color: Black}), JPEG(80)),
		chain(Gamma(1.3), Rescan(0.7, 3), JPEG(60)),
	)
	return out
}

// Random returns a transform of the family with random parameters drawn
// from the family's range. An unknown family gives a transform whose Apply
// returns ErrUnknownFamily.
func Random(family string, rng *rand.Rand) Transform {
	switch family {
	case "jpeg":
		return JPEG(40 + rng.IntN(56))
	case "webp":
		return WebP(50 + rng.IntN(41))
	case "scale":
		return Scale(round2(0.4+0.5*rng.Float64()), filterNames[rng.IntN(len(filterNames))], rng.IntN(3) == 0)
	case "crop":
		return randomCrop(rng)
	case "pad":
		return Pad([]string{"tb", "lr", "all"}[rng.IntN(3)], round2(0.02+0.23*rng.Float64()), []uint8{0, 128, 255}[rng.IntN(3)])
	case "watermark":
		return randomWatermark(rng)
	case "tone":
		return randomTone(rng)
	case "rescan":
		switch rng.IntN(3) {
		case 0:
			return Rescan(round2(0.3+1.2*rng.Float64()), 0)
		case 1:
			return Rescan(0, round2(1+7*rng.Float64()))
		default:
			return Rescan(round2(0.3+1.2*rng.Float64()), round2(1+7*rng.Float64()))
		}
	case "mirror":
		return Mirror()
	case "rotate":
		a := 0.2 + 2.8*rng.Float64()
		if rng.IntN(2) == 0 {
			a = -a
		}
		return Rotate(round2(a), []uint8{0, 128, 255}[rng.IntN(3)], rng.IntN(2) == 0)
	case "scanlation":
		q := 0
		if rng.IntN(2) == 0 {
			q = 60 + rng.IntN(36)
		}
		return Scanlation(1+rng.IntN(50), q)
	case "spread":
		return SpreadPage(rng.IntN(2) == 0, round3(0.02*rng.Float64()), round2(0.5+0.3*rng.Float64()))
	case "combo":
		switch rng.IntN(3) {
		case 0:
			return chain(Random("crop", rng), Random("scale", rng), Random("jpeg", rng))
		case 1:
			return chain(Random("pad", rng), Random("watermark", rng), Random("jpeg", rng))
		default:
			return chain(Random("tone", rng), Random("rescan", rng), Random("jpeg", rng))
		}
	}
	return newImage(family, family, nil, func(image.Image, *rand.Rand) (image.Image, error) {
		return nil, fmt.Errorf("%w: %q", ErrUnknownFamily, family)
	})
}

// Parameters are rounded so that names stay short and readable.
func round2(v float64) float64 { return math.Round(v*100) / 100 }
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
