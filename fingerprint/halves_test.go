package fingerprint

import (
	"math/rand/v2"
	"testing"

	"github.com/pagematch/pagematch/internal/testpages"
)

// TestHashBoxHalves: sharing the horizontal pass gives, bit for bit, what
// hashing the box and each half on its own gives, for boxes with
// fractional sides, boxes touching the plane's edges and boxes reaching
// beyond them (the fallback).
func TestHashBoxHalves(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for i := 0; i < 8; i++ {
		p := lumaPlane(testpages.Page(testpages.Spec{Series: 40 + i, Page: i, Width: 600, Height: 850}), workingSize, dcSharpen, new(scratch))
		p.markBackground()
		w, h := float64(p.w), float64(p.h)
		boxes := []frect{
			{0, 0, w, h},
			{3, 5, w - 7, h - 2},
			{-4, 10, w, h + 3}, // beyond the plane
		}
		for range 20 {
			x0, y0 := rng.Float64()*w/2, rng.Float64()*h/2
			boxes = append(boxes, frect{x0, y0, x0 + 1 + rng.Float64()*(w-x0-1), y0 + 2 + rng.Float64()*(h-y0-2)})
		}
		for _, b := range boxes {
			var c coeffs
			var halves [2]coeffs
			h := b.halves()
			shared := p.shareRows([]frect{b, h[0], h[1]})
			q := shared.hashBox(b, 0.7, &c)
			hq := [2]int{shared.hashBox(h[0], 0.7, &halves[0]), shared.hashBox(h[1], 0.7, &halves[1])}
			mid := (b.y0 + b.y1) / 2
			var want [3]coeffs
			wq := [3]int{
				p.hashBox(b, 0.7, &want[0]),
				p.hashBox(frect{b.x0, b.y0, b.x1, mid}, 0.7, &want[1]),
				p.hashBox(frect{b.x0, mid, b.x1, b.y1}, 0.7, &want[2]),
			}
			if c != want[0] || halves[0] != want[1] || halves[1] != want[2] || q != wq[0] || hq[0] != wq[1] || hq[1] != wq[2] {
				t.Fatalf("page %d box %+v: shared pass differs (qualities %d %v, want %v)", i, b, q, hq, wq)
			}
		}
	}
}
