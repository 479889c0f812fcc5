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
	page := p.variant(box, full, VariantPage)
	fp.Variants = append(fp.Variants, page)
	mirror := p.variant(box, full, VariantMirror)
	fp.Variants = append(fp.Variants, mirror)
	if !box.empty() && float64(box.dx()) > spreadAspect*float64(box.dy()) {
		l, r := p.splitSpread(box)
		fp.Variants = append(fp.Variants,
			p.variant(p.contentBox(l), full, VariantLeft),
			p.variant(p.contentBox(r), full, VariantRight))
	}
	for i := range fp.Variants {
		v := &fp.Variants[i]
		v.Box = image.Rect(
			int(math.Round(float64(v.Box.Min.X)*scale)), int(math.Round(float64(v.Box.Min.Y)*scale)),
			int(math.Round(float64(v.Box.Max.X)*scale)), int(math.Round(float64(v.Box.Max.Y)*scale)))
	}
	fp.Hash, fp.Quality, fp.Box = page.Hash, page.Quality, fp.Variants[0].Box
	return fp
}

// variant hashes box r of p. The quality falls to 0 as the box shrinks
// towards nothing against the whole image (full).
func (p plane) variant(r, full rect, kind VariantKind) Variant {
	v := Variant{Kind: kind, Box: image.Rect(r.x0, r.y0, r.x1, r.y1)}
	if r.empty() {
		return v
	}
	var t thumb
	p.resample(r, &t)
	var c coeffs
	t.dct(&c)
	if kind == VariantMirror {
		c.mirror()
	}
	v.Hash = c.hash()
	q := t.quality() * qualityScale
	share := r.area() / full.area()
	q *= math.Min(1, math.Max(0, (share-minArea)/(fullArea-minArea)))
	v.Quality = int(math.Min(100, math.Round(q)))
	return v
}

// splitSpread cuts r at the emptiest column near its middle: the gutter
// between two pages.
func (p plane) splitSpread(r rect) (left, right rect) {
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
	return rect{r.x0, r.y0, best, r.y1}, rect{best, r.y0, r.x1, r.y1}
}
