package fingerprint

import (
	"image"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// lumaPlaneRef is lumaPlane as it was for 8-bit luma before lumaBytes:
// the plane reduced (copied), sharpened in place, then resized.
func lumaPlaneRef(img image.Image, long int, sharpen float32, s *scratch) plane {
	p := reducePlane(img, long, s)
	if sharpen > 0 {
		p.unsharp(sharpen)
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w >= h {
		return p.resize(long, max(1, int(math.Round(float64(h)*float64(long)/float64(w)))))
	}
	return p.resize(max(1, int(math.Round(float64(w)*float64(long)/float64(h)))), long)
}

// TestLumaBytesMatchesRef checks lumaPlane on 8-bit luma against
// lumaPlaneRef, bit for bit: on the DC thumbnails of pages and parts of
// them (a spread's half, a zoomed box), and on random images of every
// shape lumaBytes takes, from 1×1 to twice the long side, including ones
// already at the working size.
func TestLumaBytesMatchesRef(t *testing.T) {
	var imgs []image.Image
	for _, g := range dcThumbs(t) {
		b := g.Bounds()
		imgs = append(imgs, g, g.SubImage(image.Rect(b.Dx()/2, 0, b.Dx(), b.Dy())), g.SubImage(image.Rect(13, 21, b.Dx()-7, b.Dy()-30)))
	}
	rng := rand.New(rand.NewPCG(41, 42))
	sizes := [][2]int{{1, 1}, {1, 9}, {9, 1}, {2, 2}, {180, 256}, {256, 180}, {256, 256}, {511, 300}, {150, 213}, {213, 150}}
	for range 60 {
		sizes = append(sizes, [2]int{1 + rng.IntN(511), 1 + rng.IntN(511)})
	}
	for _, sz := range sizes {
		g := image.NewGray(image.Rect(3, 5, 3+sz[0], 5+sz[1]))
		for i := range g.Pix {
			g.Pix[i] = uint8(rng.IntN(256))
			if rng.IntN(3) == 0 {
				g.Pix[i] = 255 - uint8(rng.IntN(8))
			}
		}
		imgs = append(imgs, g)
	}
	for k, img := range imgs {
		for _, sharpen := range []float32{0, dcSharpen, 1.7} {
			got := lumaPlane(img, workingSize, sharpen, new(scratch))
			want := lumaPlaneRef(img, workingSize, sharpen, new(scratch))
			if got.w != want.w || got.h != want.h || !slices.Equal(bitsOf(got.pix), bitsOf(want.pix)) {
				t.Fatalf("image %d (%v), sharpen %v: lumaPlane differs from lumaPlaneRef", k, img.Bounds(), sharpen)
			}
		}
	}
}

// BenchmarkLumaBytes makes the working planes of DC thumbnails.
func BenchmarkLumaBytes(b *testing.B) {
	thumbs := dcThumbs(b)
	s := new(scratch)
	for _, v := range []string{"ref", "new"} {
		b.Run(v, func(b *testing.B) {
			k := 0
			for b.Loop() {
				s.f32.used, s.u16.used, s.i32.used = 0, 0, 0
				img := thumbs[k%len(thumbs)]
				if v == "ref" {
					lumaPlaneRef(img, workingSize, dcSharpen, s)
				} else {
					lumaPlane(img, workingSize, dcSharpen, s)
				}
				k++
			}
		})
	}
}

// sharpenRowRef is sharpenRow as lumaBytes first had it: a division by 9
// and Go's min and max.
func sharpenRowRef(up, mid, down []byte, cols []uint16, a float32, out []float32) {
	w := len(mid)
	up, down, cols, out = up[:w], down[:w], cols[:w], out[:w]
	for x, v := range mid {
		cols[x] = uint16(up[x]) + uint16(v) + uint16(down[x])
	}
	at := func(x int, sum uint16) {
		v := float32(mid[x])
		mean := float32(sum) / 9
		out[x] = min(255, max(0, v+a*(v-mean)))
	}
	if w < 2 {
		at(0, 3*cols[0])
		return
	}
	at(0, cols[0]+cols[0]+cols[1])
	for x := 1; x < w-1; x++ {
		at(x, cols[x-1]+cols[x]+cols[x+1])
	}
	at(w-1, cols[w-2]+cols[w-1]+cols[w-1])
}

// TestClamp255 checks clamp255 against min and max on values either side
// of 0 and 255, signed zeros and infinities included.
func TestClamp255(t *testing.T) {
	vs := []float32{float32(math.Copysign(0, -1)), 0, -1e-45, 1e-45, 254.99998, 255, 255.00002, -255, 1e30, float32(math.Inf(1)), float32(math.Inf(-1))}
	rng := rand.New(rand.NewPCG(43, 44))
	for range 100000 {
		vs = append(vs, (rng.Float32()-0.3)*400)
	}
	for _, v := range vs {
		if got, want := clamp255(v), min(255, max(0, v)); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("clamp255(%v) = %v, want %v", v, got, want)
		}
	}
}

// BenchmarkSharpenRow sharpens the rows of DC thumbnails.
func BenchmarkSharpenRow(b *testing.B) {
	thumbs := dcThumbs(b)
	out, cols := make([]float32, 512), make([]uint16, 512)
	for _, v := range []string{"ref", "new"} {
		b.Run(v, func(b *testing.B) {
			k := 0
			for b.Loop() {
				g := thumbs[k%len(thumbs)]
				w, h := g.Rect.Dx(), g.Rect.Dy()
				row := func(y int) []byte { return g.Pix[min(max(y, 0), h-1)*g.Stride:][:w] }
				for y := range h {
					if v == "ref" {
						sharpenRowRef(row(y-1), row(y), row(y+1), cols, dcSharpen, out[:w])
					} else {
						sharpenRow(row(y-1), row(y), row(y+1), cols, dcSharpen, out[:w])
					}
				}
				k++
			}
		})
	}
}
