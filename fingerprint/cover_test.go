package fingerprint

import (
	"math/bits"
	"math/rand/v2"
	"testing"
)

// coverRef is cover before columns within one word got their own loop.
func (d *density) coverRef(rows bool, a, c, lo, hi int) float64 {
	d.rowTables()
	n, words := 0, d.rowWords
	if rows {
		// The union of the rows' bit sets, counted within [lo, hi).
		for k := lo >> 6; k <= (hi-1)>>6 && lo < hi; k++ {
			var u uint64
			for i := a; i < c; i++ {
				u |= d.lineBits[i*words+k]
			}
			if k == lo>>6 {
				u &= ^uint64(0) << (lo & 63)
			}
			if k == (hi-1)>>6 {
				u &= ^uint64(0) >> (63 - (hi-1)&63)
			}
			n += bits.OnesCount64(u)
		}
	} else if a < c {
		// Each row in [lo, hi) that has a bit within columns [a, c).
		k0, k1 := a>>6, (c-1)>>6
		m0, m1 := ^uint64(0)<<(a&63), ^uint64(0)>>(63-(c-1)&63)
		for j := lo; j < hi; j++ {
			row := d.lineBits[j*words:]
			if k0 == k1 {
				if row[k0]&m0&m1 != 0 {
					n++
				}
				continue
			}
			u := row[k0]&m0 | row[k1]&m1
			for k := k0 + 1; k < k1; k++ {
				u |= row[k]
			}
			if u != 0 {
				n++
			}
		}
	}
	return float64(n) / float64(max(1, hi-lo))
}

func TestCoverMatchesRef(t *testing.T) {
	rng := rand.New(rand.NewPCG(45, 46))
	var ds []*density
	for _, p := range densityPlanes() {
		ds = append(ds, p.density())
	}
	for range 30 {
		d := randomInk(rng, 1+rng.IntN(300), 1+rng.IntN(100), 1)
		for i := range d.ink {
			if rng.IntN(3) > 0 {
				d.ink[i] = 0
			}
		}
		ds = append(ds, d)
	}
	for k, d := range ds {
		for range 500 {
			rows := rng.IntN(2) == 0
			n, m := d.w, d.h
			if rows {
				n, m = m, n
			}
			a := rng.IntN(n)
			c := a + rng.IntN(min(n-a, 1+rng.IntN(70))+1)
			lo := rng.IntN(m)
			hi := lo + rng.IntN(m-lo+1)
			if got, want := d.cover(rows, a, c, lo, hi), d.coverRef(rows, a, c, lo, hi); got != want {
				t.Fatalf("density %d (%dx%d): cover(%v, %d, %d, %d, %d) = %v, want %v", k, d.w, d.h, rows, a, c, lo, hi, got, want)
			}
		}
	}
}

// BenchmarkCoverColumns tests the columns near each side of test pages, a
// line and two lines wide, as the snap does.
func BenchmarkCoverColumns(b *testing.B) {
	var ds []*density
	for _, p := range densityPlanes() {
		d := p.density()
		d.rowTables()
		ds = append(ds, d)
	}
	for _, v := range []string{"ref", "new"} {
		b.Run(v, func(b *testing.B) {
			var sum float64
			for b.Loop() {
				for _, d := range ds {
					for x := 0; x+2 <= d.w; x += 3 {
						if v == "ref" {
							sum += d.coverRef(false, x, x+1+x%2, 10, d.h-10)
						} else {
							sum += d.cover(false, x, x+1+x%2, 10, d.h-10)
						}
					}
				}
			}
		})
	}
}
