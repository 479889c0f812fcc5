package fingerprint

import (
	"bytes"
	"image"
	"image/jpeg"
	"syscall"
	"testing"

	"github.com/pagematch/pagematch/fingerprint/internal/jpegdc"
	"github.com/pagematch/pagematch/internal/testpages"
)

// dcThumbs returns the DC thumbnails of four grey pages, as the fast path
// decodes them.
func dcThumbs(b testing.TB) []*image.Gray {
	var thumbs []*image.Gray
	for i := range 4 {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, testpages.Page(testpages.Spec{Series: i, Page: 2 + i}), &jpeg.Options{Quality: 85}); err != nil {
			b.Fatal(err)
		}
		g, _, err := jpegdc.NewDecoder().Decode(buf.Bytes(), nil)
		if err != nil {
			b.Fatal(err)
		}
		thumbs = append(thumbs, g)
	}
	return thumbs
}

// BenchmarkDCPixels times the fast path's pixel work alone: the DC
// thumbnails of a few grey pages, decoded once, fingerprinted as the fast
// path does.
func BenchmarkDCPixels(b *testing.B) {
	thumbs := dcThumbs(b)
	b.ReportAllocs()
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	i := 0
	for b.Loop() {
		hashImage(thumbs[i%len(thumbs)], dcSharpen, readEvery)
		i++
	}
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	cpu := ru1.Utime.Nano() - ru0.Utime.Nano() + ru1.Stime.Nano() - ru0.Stime.Nano()
	b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
}
