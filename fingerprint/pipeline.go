package fingerprint

import (
	"context"
	"fmt"
	"image"
	"io"
	"math"
)

// Quality rules. qualityScale maps mean neighbour contrast (grey levels) on
// the thumbnail to 0..100; minArea is the content box's share of the image
// below which the page counts as nearly empty.
const (
	qualityScale = 6.0
	minArea      = 0.04
	fullArea     = 0.15
	// spreadAspect: a content box this much wider than tall is treated as
	// a possible two-page spread and its halves are hashed too.
	spreadAspect = 1.0
	// gutterBand: the split between spread halves is searched this far
	// either side of the middle.
	gutterBand = 0.08
)

// FromReader fingerprints the image that r holds (JPEG, PNG, GIF or WebP).
// It reads at most the WithMaxBytes limit and checks the WithMaxPixels limit
// before decoding pixels. It is safe for concurrent use.
func FromReader(ctx context.Context, r io.Reader, opts ...Option) (*Fingerprint, error) {
	c := newConfig(opts)
	data, err := readAll(ctx, r, c.maxBytes)
	if err != nil {
		return nil, err
	}
	return fromBytes(ctx, data, c)
}

// FromBytes is FromReader for data already in memory.
func FromBytes(ctx context.Context, data []byte, opts ...Option) (*Fingerprint, error) {
	c := newConfig(opts)
	if int64(len(data)) > c.maxBytes {
		return nil, fmt.Errorf("%w: %d bytes is more than %d", ErrTooLarge, len(data), c.maxBytes)
	}
	return fromBytes(ctx, data, c)
}

func fromBytes(ctx context.Context, data []byte, c config) (*Fingerprint, error) {
	format := sniff(data)
	if format == "" {
		return nil, fmt.Errorf("%w: unrecognised header", ErrFormat)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fingerprint: %w", err)
	}
	img, err := decodeFull(data, format, c.maxPixels)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fingerprint: %w", err)
	}
	fp, err := fromImage(img, c)
	if err != nil {
		return nil, err
	}
	fp.Format = format
	return fp, nil
}

// FromImage fingerprints a decoded image. It is safe for concurrent use.
func FromImage(img image.Image, opts ...Option) (*Fingerprint, error) {
	return fromImage(img, newConfig(opts))
}

func fromImage(img image.Image, c config) (*Fingerprint, error) {
	if img == nil {
		return nil, fmt.Errorf("%w: nil image", ErrEmpty)
	}
	b := img.Bounds()
	if err := checkSize(b.Dx(), b.Dy(), c.maxPixels); err != nil {
		return nil, err
	}
	p := lumaPlane(img, workingSize)
	fp := fromPlane(p, float64(b.Dx())/float64(p.w))
	fp.Width, fp.Height = b.Dx(), b.Dy()
	return fp, nil
}

// fromPlane runs normalisation and hashing on a working plane; scale maps
// plane pixels back to image pixels.
func fromPlane(p plane, scale float64) *Fingerprint {
	p.markBackground()
	full := rect{0, 0, p.w, p.h}
	box := p.contentBox(full)
	fp := &Fingerprint{}
	if !box.empty() {
		if deg := p.skew(box); deg != 0 {
			p = p.rotate(deg, box)
			box = p.contentBox(full)
			fp.Skew = deg
		}
	}
	share := box.area() / full.area()
	add := func(kind VariantKind, r frect, c *coeffs, q int) {
		fp.Variants = append(fp.Variants, Variant{Kind: kind, Hash: c.hash(), Quality: q,
			Box: image.Rect(int(math.Round(r.x0*scale)), int(math.Round(r.y0*scale)),
				int(math.Round(r.x1*scale)), int(math.Round(r.y1*scale)))})
	}
	var c coeffs
	q := p.hashBox(box.f(), share, &c)
	add(VariantPage, box.f(), &c, q)
	c.mirror()
	add(VariantMirror, box.f(), &c, q)
	for _, r := range cropHypotheses(box, full) {
		q := p.hashBox(r, share, &c)
		add(VariantUncrop, r, &c, q)
		c.mirror()
		add(VariantUncropMirror, r, &c, q)
	}
	if !box.empty() && float64(box.dx()) > spreadAspect*float64(box.dy()) {
		for i, half := range p.splitSpread(box) {
			h := p.contentBox(half)
			q := p.hashBox(h.f(), h.area()/full.area()*2, &c)
			add(VariantLeft+VariantKind(i), h.f(), &c, q)
		}
	}
	fp.Hash, fp.Quality, fp.Box = fp.Variants[0].Hash, fp.Variants[0].Quality, fp.Variants[0].Box
	return fp
}

// hashBox computes the coefficients of box r into c and returns the
// quality. share is the box's part of the whole image: the quality falls to
// 0 as it shrinks towards nothing, so that a page number or a speck on a
// blank page never counts as content.
func (p plane) hashBox(r frect, share float64, c *coeffs) int {
	if r.x1 <= r.x0 || r.y1 <= r.y0 {
		*c = coeffs{}
		return 0
	}
	var t thumb
	p.resample(r, &t)
	t.dct(c)
	q := t.quality() * qualityScale
	q *= math.Min(1, math.Max(0, (share-minArea)/(fullArea-minArea)))
	return int(math.Min(100, math.Round(q)))
}

// Crop hypotheses. A side of the content box that touches the image edge
// may have lost content to a crop; the box is then also hashed as if that
// side reached further out, by these fractions of the box.
var (
	uncropOne = [...]float64{0.02, 0.04, 0.06}
	uncropTwo = [...]float64{0, 0.025, 0.05}
)

// touchMargin is how close, in plane pixels, a box side must come to the
// edge to count as touching it (the border line itself is background).
const touchMargin = 2

// cropHypotheses returns the boxes to hash besides box itself.
func cropHypotheses(box, full rect) []frect {
	if box.empty() {
		return nil
	}
	touch := [4]bool{
		box.x0 <= full.x0+touchMargin, box.y0 <= full.y0+touchMargin,
		box.x1 >= full.x1-touchMargin, box.y1 >= full.y1-touchMargin,
	}
	var sides []int
	for i, t := range touch {
		if t {
			sides = append(sides, i)
		}
	}
	b := box.f()
	grow := func(r frect, side int, f float64) frect {
		switch side {
		case 0:
			r.x0 -= f * (b.x1 - b.x0)
		case 1:
			r.y0 -= f * (b.y1 - b.y0)
		case 2:
			r.x1 += f * (b.x1 - b.x0)
		case 3:
			r.y1 += f * (b.y1 - b.y0)
		}
		return r
	}
	var out []frect
	switch len(sides) {
	case 0:
	case 2:
		for _, f0 := range uncropTwo {
			for _, f1 := range uncropTwo {
				if f0 != 0 || f1 != 0 {
					out = append(out, grow(grow(b, sides[0], f0), sides[1], f1))
				}
			}
		}
	default:
		// One side, or so many that combinations would explode: each side alone.
		for _, s := range sides {
			for _, f := range uncropOne {
				out = append(out, grow(b, s, f))
			}
		}
	}
	return out
}

// splitSpread cuts r at the emptiest column near its middle: the gutter
// between two pages.
func (p plane) splitSpread(r rect) [2]rect {
	mid := (r.x0 + r.x1) / 2
	band := int(gutterBand * float64(r.dx()))
	best, bestInk := mid, math.Inf(1)
	for x := mid - band; x <= mid+band; x++ {
		var ink float64
		for y := r.y0; y < r.y1; y++ {
			if v := p.pix[y*p.w+x]; v >= 0 {
				ink += 255 - float64(v)
			}
		}
		// Prefer the middle among equally empty columns.
		ink += math.Abs(float64(x-mid)) * 1e-3
		if ink < bestInk {
			best, bestInk = x, ink
		}
	}
	return [2]rect{{r.x0, r.y0, best, r.y1}, {best, r.y0, r.x1, r.y1}}
}
