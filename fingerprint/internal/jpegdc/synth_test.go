package jpegdc

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"testing"
)

// Synthetic test pictures: deterministic, with smooth areas, hard edges and
// fine texture so that both DC and AC paths are exercised.

// synthGray draws pattern kind (0: smooth, 1: edges, 2: texture, 3: mix).
func synthGray(kind, w, h int, seed uint64) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(seed, 7))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var v float64
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			smooth := 128 + 100*math.Sin(6*fx+3*fy)*math.Cos(4*fy)
			edges := 30.0
			if (x/13+y/17)%2 == 0 {
				edges = 230
			}
			tex := 128 + 127*math.Sin(float64(x)*1.3)*math.Sin(float64(y)*1.1)
			switch kind {
			case 0:
				v = smooth
			case 1:
				v = edges
			case 2:
				v = tex
			default:
				switch (x*3/w + y*3/h) % 3 {
				case 0:
					v = smooth
				case 1:
					v = edges
				default:
					v = tex + 20*r.NormFloat64()
				}
			}
			img.Pix[y*img.Stride+x] = uint8(min(max(v, 0), 255))
		}
	}
	return img
}

// synthColour tints a grey pattern with slowly varying chroma.
func synthColour(kind, w, h int, seed uint64) *image.RGBA {
	g := synthGray(kind, w, h, seed)
	img := image.NewRGBA(g.Rect)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := float64(g.Pix[y*g.Stride+x])
			rr := v * (0.6 + 0.4*float64(x)/float64(w))
			bb := v * (0.6 + 0.4*float64(y)/float64(h))
			img.SetRGBA(x, y, color.RGBA{uint8(rr), uint8(v), uint8(bb), 255})
		}
	}
	return img
}

// mangaPage draws a dense 1200×1700-style page: panels with borders,
// screentone halftones at several pitches, hatching, speed lines and rows of
// glyph-like strokes, so that its entropy-coded data is realistic.
func mangaPage(w, h int, seed uint64) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	r := rand.New(rand.NewPCG(seed, 11))
	set := func(x, y int, v uint8) {
		if x >= 0 && y >= 0 && x < w && y < h {
			img.Pix[y*img.Stride+x] = v
		}
	}
	rect := func(x0, y0, x1, y1 int, v uint8) {
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				set(x, y, v)
			}
		}
	}
	margin := w / 16
	rows := 4
	ph := (h - 2*margin) / rows
	for row := 0; row < rows; row++ {
		y0 := margin + row*ph
		cols := 1 + r.IntN(3)
		pw := (w - 2*margin) / cols
		for col := 0; col < cols; col++ {
			x0 := margin + col*pw
			x1, y1 := x0+pw-12, y0+ph-12
			// Panel fill inside an ellipse: screentone dots, hatching or a
			// grey gradient; the rest stays paper-white.
			pitch := 4 + r.IntN(5)
			angle := r.Float64() * math.Pi / 2
			ca, sa := math.Cos(angle), math.Sin(angle)
			style := r.IntN(3)
			ecx, ecy := float64(x0+x1)/2, float64(y0+y1)/2
			erx, ery := float64(x1-x0)*(0.15+0.2*r.Float64()), float64(y1-y0)*(0.15+0.2*r.Float64())
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					ex, ey := (float64(x)-ecx)/erx, (float64(y)-ecy)/ery
					if ex*ex+ey*ey > 1 {
						continue
					}
					u := (float64(x)*ca + float64(y)*sa) / float64(pitch)
					v := (-float64(x)*sa + float64(y)*ca) / float64(pitch)
					tone := float64(y-y0) / float64(y1-y0) // darker lower down
					var ink bool
					switch style {
					case 0: // halftone dots whose size follows the tone
						du, dv := u-math.Floor(u)-0.5, v-math.Floor(v)-0.5
						ink = du*du+dv*dv < 0.25*tone
					case 1: // hatching
						ink = u-math.Floor(u) < 0.35*tone
					default: // smooth grey gradient
						set(x, y, uint8(230-120*tone))
						continue
					}
					if ink {
						set(x, y, 20)
					}
				}
			}
			// Line art: random smooth curves, two pixels wide.
			for k := 0; k < 6; k++ {
				cx, cy := float64(x0+r.IntN(pw)), float64(y0+r.IntN(ph))
				a, da := r.Float64()*2*math.Pi, (r.Float64()-0.5)*0.05
				for t := 0; t < 300; t++ {
					cx, cy, a = cx+math.Cos(a), cy+math.Sin(a), a+da
					rect(int(cx), int(cy), int(cx)+2, int(cy)+2, 0)
				}
			}
			// Speed lines from a focus.
			fx, fy := float64(x0+r.IntN(pw)), float64(y0+r.IntN(ph))
			for k := 0; k < 12; k++ {
				a := r.Float64() * 2 * math.Pi
				for t := 30.0; t < 200; t++ {
					set(int(fx+t*math.Cos(a)), int(fy+t*math.Sin(a)), 0)
				}
			}
			// A speech bubble with glyph strokes.
			bx, by := x0+20+r.IntN(max(pw/3, 1)), y0+20+r.IntN(max(ph/3, 1))
			bw, bh := 120+r.IntN(80), 80+r.IntN(60)
			rect(bx-2, by-2, bx+bw+2, by+bh+2, 0)
			rect(bx, by, bx+bw, by+bh, 255)
			for ty := by + 8; ty+14 < by+bh; ty += 18 {
				for tx := bx + 8; tx+12 < bx+bw; tx += 14 {
					for s := 0; s < 4; s++ {
						sx, sy := tx+r.IntN(12), ty+r.IntN(14)
						if r.IntN(2) == 0 {
							rect(sx, ty, sx+2, ty+14, 0)
						} else {
							rect(tx, sy, tx+12, sy+2, 0)
						}
					}
				}
			}
			// Borders.
			rect(x0, y0, x1, y0+4, 0)
			rect(x0, y1-4, x1, y1, 0)
			rect(x0, y0, x0+4, y1, 0)
			rect(x1-4, y0, x1, y1, 0)
		}
	}
	return blur3(img)
}

// blur3 softens a picture with a 3×3 box filter, as a scan would.
func blur3(src *image.Gray) *image.Gray {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dst := image.NewGray(src.Rect)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			sum := 0
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					sum += int(src.Pix[min(max(y+dy, 0), h-1)*src.Stride+min(max(x+dx, 0), w-1)])
				}
			}
			dst.Pix[y*dst.Stride+x] = uint8(sum / 9)
		}
	}
	return dst
}

func encodeJPEG(t testing.TB, img image.Image, q int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// blockMeans box-averages the luma of a full decode over 8×8 blocks. Edge
// blocks are completed by replicating the last row and column, as encoders
// (image/jpeg's and libjpeg's) pad them, since the DC covers the padding too.
func blockMeans(img image.Image) (w, h int, means []float64) {
	b := img.Bounds()
	var pix []uint8
	var stride int
	switch m := img.(type) {
	case *image.Gray:
		pix, stride = m.Pix, m.Stride
	case *image.YCbCr:
		pix, stride = m.Y, m.YStride
	default:
		panic("unexpected image type")
	}
	w, h = (b.Dx()+7)/8, (b.Dy()+7)/8
	means = make([]float64, w*h)
	for by := 0; by < h; by++ {
		for bx := 0; bx < w; bx++ {
			sum := 0
			for y := by * 8; y < by*8+8; y++ {
				for x := bx * 8; x < bx*8+8; x++ {
					sum += int(pix[min(y, b.Dy()-1)*stride+min(x, b.Dx()-1)])
				}
			}
			means[by*w+bx] = float64(sum) / 64
		}
	}
	return w, h, means
}

// compareFull decodes data with Decode and with image/jpeg and returns the
// mean and max absolute difference between the thumbnail and the block means.
func compareFull(t testing.TB, data []byte) (mean, maxd float64) {
	t.Helper()
	full, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("image/jpeg: %v", err)
	}
	return compareWith(t, data, full)
}

// compareWith is compareFull against a given full decode.
func compareWith(t testing.TB, data []byte, full image.Image) (mean, maxd float64) {
	t.Helper()
	got, cfg, err := Decode(data, 0)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	w, h, means := blockMeans(full)
	if got.Rect.Dx() != w || got.Rect.Dy() != h {
		t.Fatalf("size %v, want %dx%d (config %+v)", got.Rect, w, h, cfg)
	}
	sum := 0.0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			d := math.Abs(float64(got.Pix[y*got.Stride+x]) - means[y*w+x])
			sum += d
			maxd = max(maxd, d)
		}
	}
	return sum / float64(w*h), maxd
}
