package phash

import (
	"image"
	"testing"

	"github.com/corona10/goimagehash"

	"github.com/pagematch/pagematch/internal/testpages"
)

// benchImages returns a 1200×1700 manga page as *image.Gray and as
// *image.YCbCr 4:2:0 (what image/jpeg returns for a colour JPEG), with
// slightly tinted and with neutral chroma (a grey page saved in colour).
func benchImages() []struct {
	name  string
	img   image.Image
	bytes int64
} {
	g := testpages.Page(testpages.Spec{Series: 1, Page: 1})
	n := int64(len(g.Pix))
	return []struct {
		name  string
		img   image.Image
		bytes int64
	}{
		{"Gray1200x1700", g, n},
		{"YCbCr420_1200x1700", toYCbCr(g, true), n + n/2},
		{"YCbCr420neutral_1200x1700", toYCbCr(g, false), n + n/2},
	}
}

// BenchmarkHash compares this package with goimagehash.PerceptionHash on
// the same images; the ns/op ratio is the speed-up.
func BenchmarkHash(b *testing.B) {
	for _, tc := range benchImages() {
		b.Run(tc.name+"/Hasher", func(b *testing.B) {
			h := NewHasher()
			b.SetBytes(tc.bytes)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := h.Hash(tc.img); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tc.name+"/Hash", func(b *testing.B) {
			b.SetBytes(tc.bytes)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Hash(tc.img); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tc.name+"/goimagehash", func(b *testing.B) {
			b.SetBytes(tc.bytes)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := goimagehash.PerceptionHash(tc.img); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
