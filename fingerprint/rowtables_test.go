package fingerprint

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// rowTablesRef is rowTables as it was: one bit at a time into memory.
func (d *density) rowTablesRef() {
	if d.inkSum != nil {
		return
	}
	w := d.w
	d.rowWords = (w + 63) / 64
	d.inkSum = d.s.int64s((w + 1) * d.h)
	d.tightBits = d.s.uint64s(d.rowWords * d.h)
	for y := 0; y < d.h; y++ {
		ink := d.ink[y*w : (y+1)*w]
		sum := d.inkSum[y*(w+1) : (y+1)*(w+1)]
		tight := d.tightBits[y*d.rowWords : (y+1)*d.rowWords]
		var acc int64
		for x, v := range ink {
			acc += inkUnits(v)
			sum[x+1] = acc
			tight[x>>6] |= uint64(b2u(v >= tightInk)) << (x & 63)
		}
	}
}

func TestRowTablesMatchRef(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	var ds []*density
	for _, p := range densityPlanes() {
		ds = append(ds, p.density())
	}
	for range 100 {
		d := randomInk(rng, 1+rng.IntN(300), 1+rng.IntN(20), 1)
		for i := range d.ink {
			if rng.IntN(4) == 0 {
				d.ink[i] = tightInk
			}
		}
		d.s = new(scratch)
		ds = append(ds, d)
	}
	for k, d := range ds {
		e := *d
		d.inkSum, d.tightBits, e.inkSum, e.tightBits = nil, nil, nil, nil
		d.rowTables()
		e.rowTablesRef()
		if !slices.Equal(d.inkSum, e.inkSum) || !slices.Equal(d.tightBits, e.tightBits) || d.rowWords != e.rowWords {
			t.Fatalf("density %d (%dx%d): rowTables differs from rowTablesRef", k, d.w, d.h)
		}
	}
}

func BenchmarkRowTables(b *testing.B) {
	var ds []*density
	for _, p := range densityPlanes() {
		ds = append(ds, p.density())
	}
	s := new(scratch)
	for _, v := range []string{"ref", "new"} {
		b.Run(v, func(b *testing.B) {
			k := 0
			for b.Loop() {
				d := ds[k%len(ds)]
				d.s, d.inkSum, d.tightBits = s, nil, nil
				s.i64.used, s.u64.used = 0, 0
				if v == "ref" {
					d.rowTablesRef()
				} else {
					d.rowTables()
				}
				k++
			}
		})
	}
}
