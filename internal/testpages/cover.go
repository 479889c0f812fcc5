package testpages

import (
	"image"
	"math"
)

// Cover renders the page of s in colour, as a cover or colour insert: the
// same line art, with a smooth colour field multiplied into it (a few
// palette colours per page, graded across the page).
func Cover(s Spec) *image.RGBA {
	g := Page(s)
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	r := newRng(purposeCover, s.Series, s.Page)
	type blob struct {
		c       pt
		rad     float64
		r, g, b float64
	}
	base := [3]float64{r.rf(0.85, 1), r.rf(0.85, 1), r.rf(0.8, 1)}
	blobs := make([]blob, r.rn(3, 6))
	for i := range blobs {
		blobs[i] = blob{
			c:   pt{r.f() * float64(w), r.f() * float64(h)},
			rad: r.rf(0.2, 0.5) * float64(w),
			r:   r.rf(0.3, 1), g: r.rf(0.3, 1), b: r.rf(0.3, 1),
		}
	}
	// The colour field is smooth, so it is computed on a coarse grid and
	// held constant over each cell; that keeps Cover cheap.
	const cell = 8
	for cy := 0; cy < h; cy += cell {
		for cx := 0; cx < w; cx += cell {
			cr, cg, cb := base[0], base[1], base[2]
			for _, bl := range blobs {
				d := math.Hypot(float64(cx)-bl.c.x, float64(cy)-bl.c.y) / bl.rad
				if d < 1 {
					k := (1 - d*d) * 0.8
					cr += (bl.r - cr) * k
					cg += (bl.g - cg) * k
					cb += (bl.b - cb) * k
				}
			}
			for y := cy; y < min(cy+cell, h); y++ {
				for x := cx; x < min(cx+cell, w); x++ {
					v := float64(g.Pix[y*g.Stride+x])
					o := out.PixOffset(x, y)
					out.Pix[o] = uint8(v * cr)
					out.Pix[o+1] = uint8(v * cg)
					out.Pix[o+2] = uint8(v * cb)
					out.Pix[o+3] = 255
				}
			}
		}
	}
	return out
}
