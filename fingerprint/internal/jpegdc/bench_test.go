package jpegdc

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"sync"
	"testing"
)

// Benchmark pages: a dense 1200×1700 manga-like page at quality 85, in
// greyscale and as a tinted colour (4:2:0) image, encoded once per run.
var benchPages = sync.OnceValues(func() (grey, colour []byte) {
	page := mangaPage(1200, 1700, 1)
	tinted := image.NewRGBA(page.Rect)
	for i, v := range page.Pix {
		tinted.Pix[4*i+0] = v
		tinted.Pix[4*i+1] = uint8(int(v) * 9 / 10)
		tinted.Pix[4*i+2] = uint8(int(v) * 8 / 10)
		tinted.Pix[4*i+3] = 255
	}
	_ = color.RGBA{}
	var g, c bytes.Buffer
	if err := jpeg.Encode(&g, page, &jpeg.Options{Quality: 85}); err != nil {
		panic(err)
	}
	if err := jpeg.Encode(&c, tinted, &jpeg.Options{Quality: 85}); err != nil {
		panic(err)
	}
	return g.Bytes(), c.Bytes()
})

func benchDecodeDC(b *testing.B, data []byte) {
	d := NewDecoder()
	var dst *image.Gray
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if dst, _, err = d.Decode(data, dst); err != nil {
			b.Fatal(err)
		}
	}
}

func benchImageJPEG(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeDC(b *testing.B) {
	grey, colour := benchPages()
	b.Run("grey", func(b *testing.B) { benchDecodeDC(b, grey) })
	b.Run("colour420", func(b *testing.B) { benchDecodeDC(b, colour) })
}

func BenchmarkImageJPEG(b *testing.B) {
	grey, colour := benchPages()
	b.Run("grey", func(b *testing.B) { benchImageJPEG(b, grey) })
	b.Run("colour420", func(b *testing.B) { benchImageJPEG(b, colour) })
}
