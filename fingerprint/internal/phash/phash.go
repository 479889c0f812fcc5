package phash

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"sync"
)

// Errors returned by Hash; they are wrapped with details.
var (
	// ErrNilImage is returned for a nil image (goimagehash errors too).
	ErrNilImage = errors.New("phash: nil image")
	// ErrEmptyImage is returned for an image without pixels, which
	// goimagehash hashes from stale buffer contents.
	ErrEmptyImage = errors.New("phash: empty image")
	// ErrTooLarge is returned for images beyond MaxSide or MaxPixels.
	ErrTooLarge = errors.New("phash: image too large")
	// ErrInvalidImage is returned for images that goimagehash would panic
	// on: pixel buffers shorter than the bounds, palette indices without a
	// colour, At methods that panic.
	ErrInvalidImage = errors.New("phash: invalid image")
)

const (
	// MaxSide is the largest accepted width or height. Up to it, nfnt's
	// 32-bit integer sums cannot overflow, so none are reproduced.
	MaxSide = 1 << 20
	// MaxPixels is the largest accepted pixel count.
	MaxPixels = 1 << 30
)

// Hash returns the same value as
// goimagehash.PerceptionHash(img).GetHash() (goimagehash v1.1.0), for any
// image type. It is safe for concurrent use; it borrows a Hasher from a
// pool.
func Hash(img image.Image) (uint64, error) {
	h := hasherPool.Get().(*Hasher)
	defer hasherPool.Put(h)
	return h.Hash(img)
}

// hasherPool recycles Hashers, whose buffers are the only allocations of
// a hash.
var hasherPool = sync.Pool{New: func() any { return NewHasher() }}

// Hasher computes hashes with reusable buffers. A Hasher must not be used
// by several goroutines at once; use one per goroutine, or Hash.
type Hasher struct {
	cos            *leeCos
	fx, fy, cx, cy axisFilter // luma / full-resolution, and chroma filters

	tmp8    [3][]uint8  // horizontal-pass results, transposed: [c*rows+y]
	tmp16   [3][]uint16 // the same in 16-bit precision
	row8    [3][]uint8  // de-interleaved source rows
	row32   [3][]uint32
	out8    [3][side * side]uint8  // resized channels, row-major
	out16   [3][side * side]uint16 // the same in 16-bit precision
	grey    [side * side]float64
	pal     []palEntry
	pal8    bool          // all palette colours are 8-bit ones
	palGrey bool          // all palette colours are grey
	palFull bool          // all 256 indices have a colour
	lut     [3][256]uint8 // 8-bit components of the palette colours
}

// NewHasher returns a Hasher with empty buffers.
func NewHasher() *Hasher {
	return &Hasher{cos: newLeeCos()}
}

// Hash returns the goimagehash perception hash of img; see the package
// function Hash.
func (h *Hasher) Hash(img image.Image) (uint64, error) {
	if err := h.greyImage(img); err != nil {
		return 0, err
	}
	return hashBits(h.cos.lowFreq(&h.grey)), nil
}

// greyImage fills h.grey with the 64×64 grey image that goimagehash
// computes from img before its DCT.
func (h *Hasher) greyImage(img image.Image) error {
	b, err := bounds(img)
	if err != nil {
		return err
	}
	dx, dy := b.Dx(), b.Dy()
	switch {
	case dx <= 0 || dy <= 0:
		return fmt.Errorf("%w: bounds %v", ErrEmptyImage, b)
	case dx > MaxSide || dy > MaxSide || int64(dx)*int64(dy) > MaxPixels:
		return fmt.Errorf("%w: %d×%d", ErrTooLarge, dx, dy)
	case dx == side && dy == side:
		// nfnt returns the image itself, and goimagehash reads
		// At(0,0)…At(63,63) whatever the image's origin.
		return h.greyAt(img)
	}
	return h.resize(img, dx, dy)
}

// bounds returns img.Bounds(), turning a nil image or a panic of a foreign
// Bounds method into an error.
func bounds(img image.Image) (b image.Rectangle, err error) {
	if img == nil || isNilPointer(img) {
		return b, ErrNilImage
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: Bounds panicked: %v", ErrInvalidImage, r)
		}
	}()
	return img.Bounds(), nil
}

// isNilPointer reports a nil pointer of a standard image type, whose
// methods would panic.
func isNilPointer(img image.Image) bool {
	switch p := img.(type) {
	case *image.Gray:
		return p == nil
	case *image.Gray16:
		return p == nil
	case *image.RGBA:
		return p == nil
	case *image.RGBA64:
		return p == nil
	case *image.NRGBA:
		return p == nil
	case *image.NRGBA64:
		return p == nil
	case *image.YCbCr:
		return p == nil
	case *image.NYCbCrA:
		return p == nil
	case *image.Paletted:
		return p == nil
	case *image.CMYK:
		return p == nil
	case *image.Alpha:
		return p == nil
	case *image.Alpha16:
		return p == nil
	case *image.Uniform:
		return p == nil
	}
	return false
}

// grey is goimagehash's grey conversion of a color.Color.RGBA result,
// written as it is there so that the compiler rounds (or fuses) it alike.
func grey(r, g, b uint32) float64 {
	return 0.299*float64(r/257) + 0.587*float64(g/257) + 0.114*float64(b/256)
}

// greyAt fills the grey image from img.At(x, y) for 0 <= x, y < 64.
func (h *Hasher) greyAt(img image.Image) error {
	if err := h.loadPalette(img); err != nil {
		return err
	}
	r, g, b := h.rows32(side)
	for y := 0; y < side; y++ {
		if err := h.readRGBA(img, 0, y, r, g, b); err != nil {
			return err
		}
		for x := 0; x < side; x++ {
			h.grey[y*side+x] = grey(r[x], g[x], b[x])
		}
	}
	return nil
}

// greyFrom8 fills the grey image from the 8-bit resized channels, as
// goimagehash converts nfnt's *image.Gray (one channel) or *image.RGBA.
func (h *Hasher) greyFrom8(channels int) {
	for i := range h.grey {
		r := uint32(h.out8[0][i]) * 0x101
		g, b := r, r
		if channels == 3 {
			g = uint32(h.out8[1][i]) * 0x101
			b = uint32(h.out8[2][i]) * 0x101
		}
		h.grey[i] = grey(r, g, b)
	}
}

// greyFromYCbCr converts nfnt's 4:4:4 *image.YCbCr result.
func (h *Hasher) greyFromYCbCr() {
	for i := range h.grey {
		c := color.YCbCr{Y: h.out8[0][i], Cb: h.out8[1][i], Cr: h.out8[2][i]}
		r, g, b, _ := c.RGBA()
		h.grey[i] = grey(r, g, b)
	}
}

// greyFrom16 converts nfnt's *image.Gray16 (one channel) or *image.RGBA64.
func (h *Hasher) greyFrom16(channels int) {
	for i := range h.grey {
		r := uint32(h.out16[0][i])
		g, b := r, r
		if channels == 3 {
			g = uint32(h.out16[1][i])
			b = uint32(h.out16[2][i])
		}
		h.grey[i] = grey(r, g, b)
	}
}
