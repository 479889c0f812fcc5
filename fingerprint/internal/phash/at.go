package phash

import (
	"fmt"
	"image"
	"image/color"
)

// palEntry is the RGBA() of one palette colour; ok is false where
// goimagehash would panic (index beyond the palette, nil colour).
type palEntry struct {
	r, g, b uint32
	ok      bool
}

// loadPalette caches the colours of the palette of img, when img is an
// *image.Paletted, for readRGBA and resizePaletted. It notes whether they
// are all 8-bit colours (RGBA components v·0x101), and all grey.
func (h *Hasher) loadPalette(img image.Image) error {
	p, ok := img.(*image.Paletted)
	if !ok {
		return nil
	}
	if len(p.Palette) == 0 {
		// At returns nil, whose RGBA method goimagehash calls.
		return fmt.Errorf("%w: empty palette", ErrInvalidImage)
	}
	pal := grow(&h.pal, 256)
	h.pal8, h.palGrey, h.palFull = true, true, true
	for i := range pal {
		pal[i] = palEntry{}
		if i >= len(p.Palette) || p.Palette[i] == nil {
			h.palFull = false
			continue
		}
		r, g, b, _ := p.Palette[i].RGBA()
		pal[i] = palEntry{r, g, b, true}
		for ch, v := range [3]uint32{r, g, b} {
			h.lut[ch][i] = uint8(v >> 8)
			h.pal8 = h.pal8 && v == v>>8*0x101
		}
		h.palGrey = h.palGrey && r == g && g == b
	}
	return nil
}

// readRGBA loads img.At(x0+k, y).RGBA() into r[k], g[k], b[k], without
// boxing colours for the standard image types. For an *image.Paletted,
// loadPalette must have been called. Panics of At (a foreign image type, or
// a standard one whose buffers are shorter than its bounds) and nil colours
// are returned as errors.
func (h *Hasher) readRGBA(img image.Image, x0, y int, r, g, b []uint32) (err error) {
	defer func() {
		if rec := recover(); rec != nil {
			err = fmt.Errorf("%w: At panicked: %v", ErrInvalidImage, rec)
		}
	}()
	switch p := img.(type) {
	case *image.Gray:
		readAt(p.GrayAt, x0, y, r, g, b)
	case *image.Gray16:
		readAt(p.Gray16At, x0, y, r, g, b)
	case *image.RGBA:
		readAt(p.RGBAAt, x0, y, r, g, b)
	case *image.RGBA64:
		readAt(p.RGBA64At, x0, y, r, g, b)
	case *image.NRGBA:
		readAt(p.NRGBAAt, x0, y, r, g, b)
	case *image.NRGBA64:
		readAt(p.NRGBA64At, x0, y, r, g, b)
	case *image.YCbCr:
		readAt(p.YCbCrAt, x0, y, r, g, b)
	case *image.NYCbCrA:
		readAt(p.NYCbCrAAt, x0, y, r, g, b)
	case *image.CMYK:
		readAt(p.CMYKAt, x0, y, r, g, b)
	case *image.Alpha:
		readAt(p.AlphaAt, x0, y, r, g, b)
	case *image.Alpha16:
		readAt(p.Alpha16At, x0, y, r, g, b)
	case *image.Paletted:
		for k := range r {
			// ColorIndexAt gives 0 outside the bounds, where At gives
			// Palette[0].
			i := p.ColorIndexAt(x0+k, y)
			e := h.pal[i]
			if !e.ok {
				return fmt.Errorf("%w: palette index %d at (%d, %d) has no colour", ErrInvalidImage, i, x0+k, y)
			}
			r[k], g[k], b[k] = e.r, e.g, e.b
		}
	default:
		for k := range r {
			c := img.At(x0+k, y)
			if c == nil {
				return fmt.Errorf("%w: At(%d, %d) returned nil", ErrInvalidImage, x0+k, y)
			}
			r[k], g[k], b[k], _ = c.RGBA()
		}
	}
	return nil
}

func readAt[C color.Color](at func(x, y int) C, x0, y int, r, g, b []uint32) {
	for k := range r {
		r[k], g[k], b[k], _ = at(x0+k, y).RGBA()
	}
}
