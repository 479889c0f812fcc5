package fingerprint_test

import (
	"context"
	"testing"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// BenchmarkFromBytesTurned fingerprints JPEGs of pages turned onto white,
// grey and black: at the default size (1200x1700), where the DC fast path
// reads the turn and hands the page to the full decode (what a turned
// page costs a proxy), and at 600x850 (decoded in full from the start).
func BenchmarkFromBytesTurned(b *testing.B) {
	for _, size := range []struct {
		name string
		w, h int
	}{{"1200x1700", 0, 0}, {"600x850", 600, 850}} {
		var data [][]byte
		for i := range 6 {
			img := testpages.Page(testpages.Spec{Series: 3100 + i, Page: i, Width: size.w, Height: size.h})
			deg := []float64{-2.6, -1.7, -0.9, 1.1, 1.9, 2.8}[i]
			t, err := pirate.Rotate(deg, []uint8{255, 128, 0}[i%3], i%2 == 0).Apply(img, nil)
			if err != nil {
				b.Fatal(err)
			}
			data = append(data, mustJPEG(b, t, 85))
		}
		b.Run(size.name, func(b *testing.B) {
			k := 0
			for b.Loop() {
				if _, err := fingerprint.FromBytes(context.Background(), data[k%len(data)]); err != nil {
					b.Fatal(err)
				}
				k++
			}
		})
	}
}
