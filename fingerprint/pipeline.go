package fingerprint

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"sync"

	"github.com/disintegration/imaging"
	"github.com/pagematch/pagematch/fingerprint/internal/jpegdc"
	"github.com/pagematch/pagematch/fingerprint/internal/phash"
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
	orientation := 1
	if format == "jpeg" {
		cfg, err := jpegdc.DecodeConfig(data)
		switch {
		case err == nil:
			if err := checkSize(cfg.Width, cfg.Height, c.maxPixels); err != nil {
				return nil, err
			}
			orientation = cfg.Orientation
			if fp, ok, err := fastJPEG(data, cfg, c); ok || err != nil {
				return fp, err
			}
		case !errors.Is(err, jpegdc.ErrUnsupported):
			return nil, fmt.Errorf("%w: jpeg: %v", ErrFormat, err)
		}
	}
	img, err := decodeFull(data, format, c.maxPixels)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fingerprint: %w", err)
	}
	var ph uint64
	if c.phash {
		if ph, err = phash.Hash(img); err != nil {
			return nil, fmt.Errorf("fingerprint: phash: %w", err)
		}
	}
	if format == "webp" {
		img = webpLuma(img)
	}
	fp, err := fromImage(orient(img, orientation), c)
	if err != nil {
		return nil, err
	}
	fp.Format, fp.PHash = format, ph
	return fp, nil
}

// dcSharpen is the strength of the unsharp mask on the DC thumbnail. Each
// of its pixels is the mean of an 8×8 block, a wider blur than the full
// decode's working plane has, which moves content boxes; sharpening brings
// the fast path's fingerprints back towards the full decode's. Chosen on
// the tuning series (see the README).
const dcSharpen = 0.4

// fastMinSide is the least short side, in 8×8 blocks, at which the DC-only
// JPEG decode still resolves the content box well enough; smaller images
// are cheap to decode in full.
const fastMinSide = 96

// fastJPEG fingerprints a JPEG from its DC coefficients alone. ok is false
// when the fast path does not apply and the caller should decode in full.
func fastJPEG(data []byte, cfg jpegdc.Config, c config) (fp *Fingerprint, ok bool, err error) {
	if !c.fastPath || c.phash || min(cfg.Width, cfg.Height) < 8*fastMinSide {
		return nil, false, nil
	}
	dd := dcPool.Get().(*dcDecoder)
	defer dcPool.Put(dd)
	jpegdc.WithMaxPixels(c.maxPixels)(dd.d)
	g, cfg, err := dd.d.Decode(data, dd.img)
	switch {
	case errors.Is(err, jpegdc.ErrUnsupported):
		return nil, false, nil
	case errors.Is(err, jpegdc.ErrTooLarge):
		return nil, true, fmt.Errorf("%w: %v", ErrTooLarge, err)
	case err != nil:
		return nil, true, fmt.Errorf("%w: jpeg: %v", ErrFormat, err)
	}
	dd.img = g
	img := orient(g, cfg.Orientation)
	w, h := cfg.Width, cfg.Height
	if cfg.Orientation >= 5 {
		w, h = h, w
	}
	fp = hashImage(img, dcSharpen, c.readings())
	if fp.Skew != 0 {
		// A turned page: the finer straightening needs a source twice
		// the working plane's size, which the DC thumbnail is not, so it
		// is decoded in full. Straight pages read 0 here (all of 200
		// clean q85 test pages).
		return nil, false, nil
	}
	if g := fp.gutter; g != 0 {
		// A spread: each half is a page, and a half narrower than the
		// fast path's least side is decoded in full too (its height is
		// at least that side already).
		if w := float64(img.Bounds().Dx()); min(g, w-g) < fastMinSide {
			return nil, false, nil
		}
	}
	fp.scaleBoxes(float64(w) / float64(img.Bounds().Dx()))
	fp.Width, fp.Height, fp.Format, fp.FastPath = w, h, "jpeg", true
	return fp, true, nil
}

// dcDecoder is a DC-only decoder kept between fingerprints with the
// thumbnail it last wrote: both are reused, as nothing of either outlives
// a fingerprint.
type dcDecoder struct {
	d   *jpegdc.Decoder
	img *image.Gray
}

var dcPool = sync.Pool{New: func() any { return &dcDecoder{d: jpegdc.NewDecoder()} }}

// orient applies an EXIF orientation (1–8), so that the page is hashed the
// way it is displayed.
func orient(img image.Image, o int) image.Image {
	switch o {
	case 2:
		return imaging.FlipH(img)
	case 3:
		return imaging.Rotate180(img)
	case 4:
		return imaging.FlipV(img)
	case 5:
		return imaging.Transpose(img)
	case 6:
		return imaging.Rotate270(img)
	case 7:
		return imaging.Transverse(img)
	case 8:
		return imaging.Rotate90(img)
	}
	return img
}

// webpLuma expands the luma of a lossy WebP: VP8 stores video-range luma
// (16–235), which golang.org/x/image/webp hands over unscaled.
func webpLuma(img image.Image) image.Image {
	m, ok := img.(*image.YCbCr)
	if !ok {
		return img
	}
	b := m.Rect
	g := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		src := m.Y[m.YOffset(b.Min.X, y):][:b.Dx()]
		dst := g.Pix[g.PixOffset(b.Min.X, y):][:b.Dx()]
		for i, v := range src {
			dst[i] = uint8(min(255, max(0, (int(v)-16)*255/219)))
		}
	}
	return g
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
	fp := hashImage(img, 0, c.readings())
	fp.Width, fp.Height = b.Dx(), b.Dy()
	return fp, nil
}

// hashImage fingerprints img and, when it is shaped like a two-page
// spread, each of its halves, as a page of its own at full working
// resolution; when its content fills little of it, the content zoomed in
// too (see zoom).
func hashImage(img image.Image, sharpen float32, want readings) *Fingerprint {
	s := getScratch()
	defer s.release()
	p := lumaPlane(img, workingSize, sharpen, s)
	b := img.Bounds()
	fp := fromPlane(p, float64(b.Dx())/float64(p.w), want, source{img, sharpen, s})
	sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok {
		return fp
	}
	if fp.gutter == 0 {
		zoom(fp, sub, b, sharpen, want, s)
		return fp
	}
	x := b.Min.X + int(fp.gutter)
	halves := [2]image.Rectangle{image.Rect(b.Min.X, b.Min.Y, x, b.Max.Y), image.Rect(x, b.Min.Y, b.Max.X, b.Max.Y)}
	for i, r := range halves {
		if r.Dx() < 8 {
			continue
		}
		half := sub.SubImage(r)
		h := fromPlane(lumaPlane(half, workingSize, sharpen, s), float64(r.Dx())/float64(workingSize), readAltBoxes, source{half, sharpen, s})
		for j, v := range h.Variants {
			switch {
			case j == 0:
				v.Kind = VariantLeft + VariantKind(i)
			case v.Kind != VariantAltBox:
				continue
			}
			v.Box = v.Box.Add(image.Pt(r.Min.X-b.Min.X, 0))
			fp.Variants = append(fp.Variants, v)
		}
	}
	return fp
}

// Zoom. Every length in normalisation is a share of the working plane, so
// content that fills much less of the image than a page does (padded,
// letterboxed) is normalised at another scale than its reference. When
// the content box's long side is under zoomBelow of the image's, a query
// also tries the box grown by zoomMargin on each side, fingerprinted as an
// image of its own.
const (
	zoomBelow  = 0.8
	zoomMargin = 0.12
)

// zoom appends to fp the page and mirror variants of its zoomed reading,
// and when want asks for them, that reading's halves: a padded page's
// halves in the page's own reading are of the wrong scale.
func zoom(fp *Fingerprint, img interface {
	SubImage(image.Rectangle) image.Image
}, b image.Rectangle, sharpen float32, want readings, s *scratch) {
	box := fp.Box
	// A page too empty to match stays so: zooming into a page number
	// would make it look like content.
	if box.Empty() || fp.Quality < MinQuality || float64(max(box.Dx(), box.Dy())) >= zoomBelow*float64(max(b.Dx(), b.Dy())) {
		return
	}
	mx, my := int(zoomMargin*float64(box.Dx())), int(zoomMargin*float64(box.Dy()))
	r := image.Rect(box.Min.X-mx, box.Min.Y-my, box.Max.X+mx, box.Max.Y+my).Add(b.Min).Intersect(b)
	if r.Dx() < 8 || r.Dy() < 8 {
		return
	}
	zi := img.SubImage(r)
	zp := lumaPlane(zi, workingSize, sharpen, s)
	z := fromPlane(zp, float64(r.Dx())/float64(zp.w), want&readRegions, source{zi, sharpen, s})
	kinds := [2]VariantKind{VariantAltBox, VariantAltBoxMirror}
	for i, v := range z.Variants {
		if i < len(kinds) {
			v.Kind = kinds[i]
		}
		v.Box = v.Box.Add(r.Min.Sub(b.Min))
		fp.Variants = append(fp.Variants, v)
	}
}

// readings says which variants besides the page and its mirror fromPlane
// computes: a spread's halves keep only their alternative boxes, and the
// zoomed reading only its page and mirror, so the rest is not worked out.
// The page's top and bottom halves are read only on request (WithRegions).
type readings uint8

const (
	readAltBoxes readings = 1 << iota
	readUncrop
	readAltSkew
	readRegions
	readEvery = readAltBoxes | readUncrop | readAltSkew
)

// readings is what the whole image is read for.
func (c config) readings() readings {
	if c.regions {
		return readEvery | readRegions
	}
	return readEvery
}

// turnScale is how much finer than the working plane a turned page is
// straightened on. Turning the working plane itself blurs its thin frames
// a second time, and the background flood, made on the slanted page, is
// carried over pixel by pixel with the stairs and leaks of a slanted
// frame: the content box of the straightened page then often differs from
// its reference's by a side. Straightening a finer plane, shrinking it
// back and flooding it again reads such a page much as its reference was
// read. Tuning set, 100 series: rotate 98.0 -> 99.0% with 2 (99.1 with 3,
// at twice the cost), every other family unchanged.
const turnScale = 2

// minTurnScale is the least a finer plane must gain on the working plane
// for a turned page to be straightened on it. Flooding again a page turned
// at the working size (a DC thumbnail has no more to give) loses more
// than it wins: on 100 tuning series, rotate 98.0 -> 97.1%.
const minTurnScale = 2

// source makes planes of the image a working plane was made from, at
// other sizes: up to turnScale times the working size, never larger than
// the image. The zero source makes none.
type source struct {
	img     image.Image
	sharpen float32
	s       *scratch
}

// finest is the long side of the finest plane the source makes for a
// working plane whose long side is long.
func (src source) finest(long int) int {
	if src.img == nil {
		return 0
	}
	b := src.img.Bounds()
	return min(turnScale*long, max(b.Dx(), b.Dy()))
}

// straighten returns the page of p turned by deg about the centre of r,
// with its background marked. The page is turned on a plane of src up to
// turnScale times finer than p, its unknown corners set to the background
// on p's border (the fill or paper), then shrunk to p's size and flooded
// again. When src has no plane minTurnScale times finer than p (no
// source, a small image, the DC thumbnail of the fast path), p itself is
// turned and its background mask carried along, as before.
func (p plane) straighten(deg float64, r rect, src source) plane {
	long := src.finest(max(p.w, p.h))
	if long < minTurnScale*max(p.w, p.h) {
		return p.rotate(deg, r)
	}
	f := lumaPlane(src.img, long, src.sharpen, src.s)
	kx, ky := float64(f.w)/float64(p.w), float64(f.h)/float64(p.h)
	fr := rect{int(float64(r.x0) * kx), int(float64(r.y0) * ky), int(float64(r.x1) * kx), int(float64(r.y1) * ky)}
	t := f.rotate(deg, fr)
	fill := p.borderBackground()
	for i, v := range t.pix {
		if v < 0 {
			t.pix[i] = fill
		}
	}
	out := t.resize(p.w, p.h)
	out.markBackground()
	return out
}

// borderBackground is the median value of the background on p's border:
// the fill around a turned page, or paper. It is paper (255) when p has no
// background on its border.
func (p plane) borderBackground() float32 {
	if p.bg == nil {
		return 255
	}
	var hist [256]int
	n := 0
	count := func(i int) {
		if p.bg[i] && p.pix[i] >= 0 {
			hist[int(p.pix[i])]++
			n++
		}
	}
	for x := 0; x < p.w; x++ {
		count(x)
		count((p.h-1)*p.w + x)
	}
	for y := 1; y < p.h-1; y++ {
		count(y * p.w)
		count(y*p.w + p.w - 1)
	}
	if n == 0 {
		return 255
	}
	return float32(percentile(&hist, n, 0.5))
}

// fromPlane runs normalisation and hashing on a working plane; scale maps
// plane pixels back to image pixels. src makes finer planes of the same
// image (see straighten).
func fromPlane(p plane, scale float64, want readings, src source) *Fingerprint {
	p.markBackground()
	full := rect{0, 0, p.w, p.h}
	dens := p.density()
	tight := dens.box(full, densityTau, keepShare)
	fp := &Fingerprint{}
	orig, origDens, origTight, altSkew := p, dens, tight, math.NaN()
	if !tight.empty() {
		var deg float64
		if deg, altSkew = p.skew(tight); deg != 0 {
			p = p.straighten(deg, tight, src)
			dens = p.density()
			tight = dens.box(full, densityTau, keepShare)
			fp.Skew = deg
		}
	}
	box := dens.snap(tight)
	share := box.area() / full.area()
	add := func(kind VariantKind, r frect, c *coeffs, q int) {
		fp.Variants = append(fp.Variants, Variant{Kind: kind, Hash: c.hash(), Detail: c.detail(), Quality: q,
			Box: image.Rect(int(math.Round(r.x0*scale)), int(math.Round(r.y0*scale)),
				int(math.Round(r.x1*scale)), int(math.Round(r.y1*scale)))})
	}
	var alts []rect
	if want&readAltBoxes != 0 {
		alts = dens.altBoxes(box, tight, full)
	}
	// The box, its halves and the alternative boxes share the horizontal
	// pass of their resampling where their sides left and right agree.
	readHalves := want&readRegions != 0 && !box.empty()
	bh := box.f().halves()
	shares := []frect{box.f()}
	if readHalves {
		shares = append(shares, bh[0], bh[1])
	}
	for _, alt := range alts {
		shares = append(shares, alt.f())
	}
	shared := p.shareRows(shares)
	var c coeffs
	q := shared.hashBox(box.f(), share, &c)
	// The halves are hashed now, with the page, and added last, as before.
	var halves [2]coeffs
	var halfQ [2]int
	if readHalves {
		for i, r := range bh {
			halfQ[i] = shared.hashBox(r, share, &halves[i])
		}
	}
	add(VariantPage, box.f(), &c, q)
	c.mirror()
	add(VariantMirror, box.f(), &c, q)
	for _, alt := range alts {
		q := shared.hashBox(alt.f(), alt.area()/full.area(), &c)
		add(VariantAltBox, alt.f(), &c, q)
		c.mirror()
		add(VariantAltBoxMirror, alt.f(), &c, q)
	}
	// From the snapped box: stray ink that reaches the edge (a bubble
	// breaking out, a signature) is no sign of a crop beyond a frame.
	var uncrops []frect
	if want&readUncrop != 0 {
		cut := p.cutFrames(box)
		uncrops = cropHypotheses(box, full, cut)
		if o := outerBox(box, full, alts); o != box {
			uncrops = append(uncrops, cropHypotheses(o, full, p.cutFrames(o))...)
		}
		touch := touching(box, full, cut)
		uncrops = append(uncrops, altUncrop(box, touch, alts)...)
		uncrops = append(uncrops, altUncropIn(box, touch, alts)...)
	}
	for _, r := range uncrops {
		q := p.hashBox(r, share, &c)
		add(VariantUncrop, r, &c, q)
		c.mirror()
		add(VariantUncropMirror, r, &c, q)
	}
	if !math.IsNaN(altSkew) && want&readAltSkew != 0 {
		// The other reading of an ambiguous skew: the page turned by
		// altSkew from how it came.
		ap, ad := orig, origDens
		if altSkew != 0 {
			ap = orig.straighten(altSkew, origTight, src)
			ad = ap.density()
		}
		ab := ad.snap(ad.box(full, densityTau, keepShare))
		q := ap.hashBox(ab.f(), ab.area()/full.area(), &c)
		add(VariantAltSkew, ab.f(), &c, q)
		c.mirror()
		add(VariantAltSkewMirror, ab.f(), &c, q)
	}
	if readHalves {
		// Each half of the box hashed as an image of its own: a mark
		// over the art of one half leaves the other's hash intact. A
		// half keeps its page's size rule, and is no more matchable
		// than its page.
		for i, r := range box.f().halves() {
			q := min(halfQ[i], fp.Variants[0].Quality)
			add(VariantTop+VariantKind(i), r, &halves[i], q)
			halves[i].mirror()
			add(VariantTopMirror+VariantKind(i), r, &halves[i], q)
		}
	}
	// A landscape image is a spread whatever the box; so is a box wider
	// than tall inside a letterboxed image.
	switch {
	case float64(p.w) > spreadAspect*float64(p.h):
		fp.gutter = (float64(p.gutter(full)) + 0.5) * scale
	case !box.empty() && float64(box.dx()) > spreadAspect*float64(box.dy()):
		fp.gutter = (float64(p.gutter(box)) + 0.5) * scale
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
	return thumbQuality(&t, share, c)
}

// thumbQuality transforms t into c and returns its quality for a box of
// the given share of the image (see hashBox).
func thumbQuality(t *thumb, share float64, c *coeffs) int {
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
// edge to count as touching it: a crop through a panel often leaves a few
// rows of white inside the panel's frame that the background flood reaches
// from the cut edge. Chosen on the tuning set: 2, 4, 6 and 8 gave crop
// recall 89.0, 90.5, 91.5 and 92.0% at 5.3, 5.7, 6.3 and 8.4 lookups per
// query.
const touchMargin = 6

// cutFrames reports, per side of box (in rect's field order), whether the
// image's edge line on that side is dark background along at least
// frameCover of the box's extent, within snapReach of the side. A crop
// along a panel's frame leaves the frame on the edge, where the flood takes
// it for a bar and the panel's light inside for margin; a crop through a
// screentone panel opens it to the flood, which takes it for a bar too.
// Either way the box side stops short of the edge by more than touchMargin
// although the crop took content there. Unknown pixels (beyond a deskewed
// page) are no sign of a cut. Tuning set (40 series): crop 98.2 -> 98.8%,
// nothing lower, 7.70 -> 7.96 lookups per query (8.19 with unknown pixels
// counted); no reference's fingerprint changed.
func (p plane) cutFrames(box rect) [4]bool {
	var out [4]bool
	if box.empty() || p.bg == nil {
		return out
	}
	dark := func(i int) int { return int(b2u(p.bg[i] && p.pix[i] >= 0 && p.pix[i] < paperLevel)) }
	line := func(rows bool, at, lo, hi int) bool {
		n := 0
		for j := lo; j < hi; j++ {
			if rows {
				n += dark(at*p.w + j)
			} else {
				n += dark(j*p.w + at)
			}
		}
		return float64(n) >= frameCover*float64(hi-lo)
	}
	ry, rx := int(snapReach*float64(box.dy())), int(snapReach*float64(box.dx()))
	out[0] = box.x0 <= rx && line(false, 0, box.y0, box.y1)
	out[1] = box.y0 <= ry && line(true, 0, box.x0, box.x1)
	out[2] = box.x1 >= p.w-rx && line(false, p.w-1, box.y0, box.y1)
	out[3] = box.y1 >= p.h-ry && line(true, p.h-1, box.x0, box.x1)
	return out
}

// outerBox is box with each side moved to the alternative position
// nearest the image edge when that position touches the edge (within
// touchMargin): a crop that opens a panel or cuts into art reaching the
// edge often leaves the snapped box short of the cut on that side, while
// another reading of the side reaches it; the crop hypotheses must start
// from there. It is box itself when no alternative side touches the edge.
func outerBox(box, full rect, alts []rect) rect {
	o := box
	for _, a := range alts {
		if a.x0 < o.x0 && a.x0 <= full.x0+touchMargin {
			o.x0 = a.x0
		}
		if a.y0 < o.y0 && a.y0 <= full.y0+touchMargin {
			o.y0 = a.y0
		}
		if a.x1 > o.x1 && a.x1 >= full.x1-touchMargin {
			o.x1 = a.x1
		}
		if a.y1 > o.y1 && a.y1 >= full.y1-touchMargin {
			o.y1 = a.y1
		}
	}
	return o
}

// touching reports, per side of box (in rect's field order), whether the
// side may have lost content to a crop: it is at a cut frame (cut, from
// cutFrames) or within touchMargin of the image edge.
func touching(box, full rect, cut [4]bool) [4]bool {
	return [4]bool{
		cut[0] || box.x0 <= full.x0+touchMargin, cut[1] || box.y0 <= full.y0+touchMargin,
		cut[2] || box.x1 >= full.x1-touchMargin, cut[3] || box.y1 >= full.y1-touchMargin,
	}
}

// uncropAlt is how far, as a fraction of the box, altUncrop grows the
// sides that touch the edge. Chosen on the tuning set (see altUncrop).
const uncropAlt = 0.03

// altUncrop returns each alternative box that moves a single side of box,
// one away from the edge, grown by uncropAlt on every side of box that
// touches the edge. A crop can change how a side far from the cut is read
// (a region near a threshold falls on the other side of it), so that
// neither box grown nor the alternative box alone comes near the
// reference's box. It is empty when box touches no edge. Tuning set, 100
// series, with the first such box only: crop 99.5 -> 99.5% (with
// -families crop, other draws: 98.6 -> 98.9%), combo 97.5 -> 97.6%,
// lookups per query 13.82 -> 14.02. Every such box rather than the first:
// the first may move another side than the one a crop misread (s255p6,
// crop-l0.02-t0.07-b0.07, read its uncut right side 13 pixels short of
// the reference's; the first alternative moved the left side, the second
// the right one, which grown on top and bottom came within 32 bits).
// Crop queries missed of tuning series 0-99 / 100-199 / 200-299: 2, 7,
// 17 -> 2, 7, 16; lookups per query 14.63 -> 14.74 (series 0-19).
func altUncrop(box rect, touch [4]bool, alts []rect) (out []frect) {
	for _, a := range alts {
		n, away := 0, false
		for i, m := range [4]bool{a.x0 != box.x0, a.y0 != box.y0, a.x1 != box.x1, a.y1 != box.y1} {
			if m {
				n, away = n+1, !touch[i]
			}
		}
		if n != 1 || !away {
			continue
		}
		b := a.f()
		r := b
		for side, t := range touch {
			if t {
				r = r.grow(side, uncropAlt, b)
			}
		}
		if r != b {
			out = append(out, r)
		}
	}
	return out
}

// altUncropIn returns each alternative box that moves a single side of
// box, one that touches the edge, inwards, grown by uncropAlt on the other
// sides that touch the edge. A crop can make a side it did not cut reach
// the edge (ink beyond a frame read as content after the page's scale
// changed), so that every crop hypothesis keeps that side where the
// reference does not have it, while the alternative box alone keeps the
// cut side short. Tuning series 0-99 / 100-199 / 200-299: crop 99.8 ->
// 99.8, 99.1 -> 99.3, 98.3 -> 98.3%; rotate 99.5 -> 99.5, 98.8 -> 98.9,
// 98.9 -> 98.9; combo 98.0 -> 98.0, 97.9 -> 98.0, 98.0 -> 98.0; nothing
// lower; lookups per query 14.49 -> 14.55, 14.89 -> 14.96, 14.64 -> 14.71.
func altUncropIn(box rect, touch [4]bool, alts []rect) (out []frect) {
	for _, a := range alts {
		moved, n, in := -1, 0, true
		// How far a moves each side inwards.
		for i, d := range [4]int{a.x0 - box.x0, a.y0 - box.y0, box.x1 - a.x1, box.y1 - a.y1} {
			if d != 0 {
				moved, n, in = i, n+1, in && d > 0 && touch[i]
			}
		}
		if n != 1 || !in {
			continue
		}
		b := a.f()
		r := b
		for side, t := range touch {
			if t && side != moved {
				r = r.grow(side, uncropAlt, b)
			}
		}
		if r != b {
			out = append(out, r)
		}
	}
	return out
}

// grow moves side (in rect's field order) of r outwards by f times the
// extent of base across that side.
func (r frect) grow(side int, f float64, base frect) frect {
	switch side {
	case 0:
		r.x0 -= f * (base.x1 - base.x0)
	case 1:
		r.y0 -= f * (base.y1 - base.y0)
	case 2:
		r.x1 += f * (base.x1 - base.x0)
	case 3:
		r.y1 += f * (base.y1 - base.y0)
	}
	return r
}

// cropHypotheses returns the boxes to hash besides box itself; cut says
// which sides cutFrames found at a cut frame.
func cropHypotheses(box, full rect, cut [4]bool) []frect {
	if box.empty() {
		return nil
	}
	var sides []int
	for i, t := range touching(box, full, cut) {
		if t {
			sides = append(sides, i)
		}
	}
	b := box.f()
	var out []frect
	switch len(sides) {
	case 0:
	case 2:
		for _, f0 := range uncropTwo {
			for _, f1 := range uncropTwo {
				if f0 != 0 || f1 != 0 {
					out = append(out, b.grow(sides[0], f0, b).grow(sides[1], f1, b))
				}
			}
		}
	default:
		// One side, or so many that combinations would explode: each side alone.
		for _, s := range sides {
			for _, f := range uncropOne {
				out = append(out, b.grow(s, f, b))
			}
		}
		// Three or four sides: most likely every margin trimmed, so
		// all of them grown together too, by the two-side fractions;
		// and each two of them by the smaller one, for a crop that took
		// content on two sides and only margin on the others (tuning
		// set, 100 series: crop 99.6 -> 99.7%, combo 97.9 -> 98.0%,
		// 14.34 -> 14.49 lookups per query; both fractions for each
		// two found no more, at 14.65).
		if len(sides) > 2 {
			for _, f := range uncropTwo[1:] {
				r := b
				for _, s := range sides {
					r = r.grow(s, f, b)
				}
				out = append(out, r)
			}
			f := uncropTwo[1]
			for i, s0 := range sides {
				for _, s1 := range sides[i+1:] {
					out = append(out, b.grow(s0, f, b).grow(s1, f, b))
				}
			}
		}
	}
	return out
}

// gutter returns the emptiest column near the middle of r: the gutter
// between the two pages of a spread.
func (p plane) gutter(r rect) int {
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
	return best
}
