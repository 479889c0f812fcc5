package fingerprint

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// rowTablesWords and lineTablesRef are the row tables and the line
// tables as they were before one pass built both.
func (d *density) rowTablesWords() {
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
		// A word of tight bits at a time, built in a register.
		for k := range tight {
			part := ink[k*64 : min(k*64+64, len(ink))]
			sums := sum[k*64+1:][:len(part)]
			var u uint64
			for x, v := range part {
				acc += inkUnits(v)
				sums[x] = acc
				u |= uint64(b2u(v >= tightInk)) << x
			}
			tight[k] = u
		}
	}
}

func (d *density) lineTablesRef() {
	if d.lineBits != nil {
		return
	}
	d.rowWords = (d.w + 63) / 64
	d.lineBits = d.s.uint64s(d.h * d.rowWords)
	for y := range d.h {
		row := d.ink[y*d.w : (y+1)*d.w]
		for k := range d.rowWords {
			var u uint64
			for x, v := range row[k*64 : min(k*64+64, len(row))] {
				u |= uint64(b2u(v >= lineInk)) << x
			}
			d.lineBits[y*d.rowWords+k] = u
		}
	}
}

// rowTablesPrevRef is rowTables as it was before it built its bit sets
// by constant shifts.
func (d *density) rowTablesPrevRef() {
	if d.inkSum != nil {
		return
	}
	w := d.w
	d.rowWords = (w + 63) / 64
	d.inkSum = d.s.int64sSet((w + 1) * d.h)
	d.tightBits = d.s.uint64sSet(d.rowWords * d.h)
	d.lineBits = d.s.uint64sSet(d.rowWords * d.h)
	for y := 0; y < d.h; y++ {
		ink := d.ink[y*w : (y+1)*w]
		sum := d.inkSum[y*(w+1) : (y+1)*(w+1)]
		tight := d.tightBits[y*d.rowWords : (y+1)*d.rowWords]
		line := d.lineBits[y*d.rowWords:][:len(tight)]
		sum[0] = 0
		var acc int64
		for k := range tight {
			part := ink[k*64 : min(k*64+64, len(ink))]
			sums := sum[k*64+1:][:len(part)]
			var u, l uint64
			for x, v := range part {
				acc += inkUnits(v)
				sums[x] = acc
				u |= uint64(b2u(v >= tightInk)) << (x & 63)
				l |= uint64(b2u(v >= lineInk)) << (x & 63)
			}
			tight[k], line[k] = u, l
		}
	}
}

func TestTablesMatchRef(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	var ds []*density
	for _, p := range densityPlanes() {
		ds = append(ds, p.density())
	}
	for range 100 {
		d := randomInk(rng, 1+rng.IntN(300), 1+rng.IntN(20), 1)
		for i := range d.ink {
			switch rng.IntN(6) {
			case 0:
				d.ink[i] = tightInk
			case 1:
				d.ink[i] = lineInk
			}
		}
		d.s = new(scratch)
		ds = append(ds, d)
	}
	for k, d := range ds {
		e := *d
		d.inkSum, d.tightBits, d.lineBits = nil, nil, nil
		e.inkSum, e.tightBits, e.lineBits = nil, nil, nil
		d.rowTables()
		e.rowTablesWords()
		e.lineTablesRef()
		if !slices.Equal(d.inkSum, e.inkSum) || !slices.Equal(d.tightBits, e.tightBits) || !slices.Equal(d.lineBits, e.lineBits) || d.rowWords != e.rowWords {
			t.Fatalf("density %d (%dx%d): rowTables differs from rowTablesWords and lineTablesRef", k, d.w, d.h)
		}
		f := *d
		f.s, f.inkSum, f.tightBits, f.lineBits = new(scratch), nil, nil, nil
		f.rowTablesPrevRef()
		if !slices.Equal(d.inkSum, f.inkSum) || !slices.Equal(d.tightBits, f.tightBits) || !slices.Equal(d.lineBits, f.lineBits) {
			t.Fatalf("density %d (%dx%d): rowTables differs from rowTablesPrevRef", k, d.w, d.h)
		}
	}
}

func BenchmarkTables(b *testing.B) {
	var ds []*density
	for _, p := range densityPlanes() {
		ds = append(ds, p.density())
	}
	s := new(scratch)
	for _, v := range []string{"ref", "prev", "new"} {
		b.Run(v, func(b *testing.B) {
			k := 0
			for b.Loop() {
				d := ds[k%len(ds)]
				d.s, d.inkSum, d.tightBits, d.lineBits = s, nil, nil, nil
				s.i64.used, s.u64.used = 0, 0
				switch v {
				case "ref":
					d.rowTablesWords()
					d.lineTablesRef()
				case "prev":
					d.rowTablesPrevRef()
				default:
					d.rowTables()
				}
				k++
			}
		})
	}
}
