package jpegdc

import (
	"bytes"
	"image"
	"image/jpeg"
	"sync"
	"testing"

	"github.com/pagematch/pagematch/internal/testpages"
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
	var g, c bytes.Buffer
	if err := jpeg.Encode(&g, page, &jpeg.Options{Quality: 85}); err != nil {
		panic(err)
	}
	if err := jpeg.Encode(&c, tinted, &jpeg.Options{Quality: 85}); err != nil {
		panic(err)
	}
	return g.Bytes(), c.Bytes()
})

// testpagesPage is the project's synthetic manga page (series 1, page 1)
// at quality 85, for a second, independently drawn sample.
var testpagesPage = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	page := testpages.Page(testpages.Spec{Series: 1, Page: 1})
	if err := jpeg.Encode(&buf, page, &jpeg.Options{Quality: 85}); err != nil {
		panic(err)
	}
	return buf.Bytes()
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

// BenchmarkDecodeDC decodes with a reused Decoder and output image.
func BenchmarkDecodeDC(b *testing.B) {
	grey, colour := benchPages()
	b.Run("grey", func(b *testing.B) { benchDecodeDC(b, grey) })
	b.Run("colour420", func(b *testing.B) { benchDecodeDC(b, colour) })
	b.Run("testpages", func(b *testing.B) { benchDecodeDC(b, testpagesPage()) })
	b.Run("progressive", func(b *testing.B) { benchDecodeDC(b, readTestdata(b, "prog_page.jpg")) })
}

// BenchmarkDecodeOneShot uses the package-level Decode, which builds its
// tables and buffers on every call.
func BenchmarkDecodeOneShot(b *testing.B) {
	grey, _ := benchPages()
	b.SetBytes(int64(len(grey)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Decode(grey, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkImageJPEG(b *testing.B) {
	grey, colour := benchPages()
	b.Run("grey", func(b *testing.B) { benchImageJPEG(b, grey) })
	b.Run("colour420", func(b *testing.B) { benchImageJPEG(b, colour) })
	b.Run("testpages", func(b *testing.B) { benchImageJPEG(b, testpagesPage()) })
	b.Run("progressive", func(b *testing.B) { benchImageJPEG(b, readTestdata(b, "prog_page.jpg")) })
}
