package fingerprint

import (
	"math/rand/v2"
	"testing"
)

// altBoxesOf returns the content box and the alternative boxes of p, as
// fromPlane finds them.
func altBoxesOf(p plane) (box rect, alts []rect) {
	full := rect{0, 0, p.w, p.h}
	d := p.density()
	tight := d.box(full, densityTau, keepShare)
	box = d.snap(tight)
	return box, d.altBoxes(box, tight, full)
}

// TestSharedRows: boxes hashed through sharedRows get, bit for bit, what
// hashBox gives them, for the alternative boxes of real pages and random
// boxes sharing sides, some touching the plane's edges.
func TestSharedRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for k, p := range fastPlanes(t) {
		_, alts := altBoxesOf(p)
		boxes := append([]rect{}, alts...)
		for range 3 {
			x0, x1 := rng.IntN(p.w/2), p.w/2+1+rng.IntN(p.w/2)
			for range 1 + rng.IntN(4) {
				y0, y1 := rng.IntN(p.h/2), p.h/2+1+rng.IntN(p.h/2)
				boxes = append(boxes, rect{x0, y0, x1, y1}, rect{x0, 0, x1, p.h})
			}
		}
		fs := make([]frect, len(boxes))
		for i, b := range boxes {
			fs[i] = b.f()
		}
		shared := p.shareRows(fs)
		for _, b := range boxes {
			var c, want coeffs
			q := shared.hashBox(b.f(), 0.7, &c)
			if wq := p.hashBox(b.f(), 0.7, &want); c != want || q != wq {
				t.Fatalf("plane %d box %v: shared rows give quality %d, hashBox %d, or other coefficients", k, b, q, wq)
			}
		}
	}
}

// BenchmarkSharedRows hashes the alternative boxes of real pages, each
// with hashBox (ref) or through sharedRows (new).
func BenchmarkSharedRows(b *testing.B) {
	ps := fastPlanes(b)
	var altss [][]rect
	for i, p := range ps {
		_, alts := altBoxesOf(p)
		altss = append(altss, alts)
		ps[i].s = new(scratch) // resetScratch must not lend out the plane
	}
	for _, v := range []string{"ref", "new"} {
		b.Run(v, func(b *testing.B) {
			var c coeffs
			k := 0
			for b.Loop() {
				p, alts := ps[k%len(ps)], altss[k%len(ps)]
				resetScratch(p.s)
				if v == "ref" {
					for _, alt := range alts {
						p.hashBox(alt.f(), 0.7, &c)
					}
				} else {
					fs := make([]frect, len(alts))
					for i, alt := range alts {
						fs[i] = alt.f()
					}
					shared := p.shareRows(fs)
					for _, alt := range fs {
						shared.hashBox(alt, 0.7, &c)
					}
				}
				k++
			}
		})
	}
}
