package fingerprint

import "testing"

// BenchmarkRegions times the fast path's pixel work (as BenchmarkDCPixels)
// without and with the page's halves (WithRegions): what the halves cost.
func BenchmarkRegions(b *testing.B) {
	thumbs := dcThumbs(b)
	for _, c := range []struct {
		name string
		want readings
	}{{"off", readEvery}, {"on", readEvery | readRegions}} {
		b.Run(c.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				hashImage(thumbs[i%len(thumbs)], dcSharpen, c.want)
				i++
			}
		})
	}
	// The halves' own work, steadier on a noisy machine than the
	// difference of the two above: two boxes resampled and transformed.
	b.Run("halves", func(b *testing.B) {
		s := getScratch()
		defer s.release()
		p := lumaPlane(thumbs[0], workingSize, dcSharpen, s)
		p.markBackground()
		box := frect{0.05 * float64(p.w), 0.05 * float64(p.h), 0.95 * float64(p.w), 0.95 * float64(p.h)}
		mid := (box.y0 + box.y1) / 2
		var c coeffs
		for b.Loop() {
			p.hashBox(frect{box.x0, box.y0, box.x1, mid}, 0.8, &c)
			p.hashBox(frect{box.x0, mid, box.x1, box.y1}, 0.8, &c)
			c.hash()
			c.hash()
		}
	})
}
