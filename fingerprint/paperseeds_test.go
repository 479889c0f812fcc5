package fingerprint

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// paperSeedsRef is paperSeeds as markBackgroundBy first had it: two scans
// of every pixel and its neighbours.
func (f *flooder) paperSeedsRef(seeds []int32) []int32 {
	p, bg := f.p, f.bg
	w, h := p.w, p.h
	rows := func(y int) ([]bool, []float32) {
		if y < 0 || y >= h {
			return nil, nil
		}
		return bg[y*w : (y+1)*w], p.pix[y*w : (y+1)*w]
	}
	var blend []int32
	for y := 0; y < h; y++ {
		cur, pc := rows(y)
		up, pu := rows(y - 1)
		down, pd := rows(y + 1)
		for x, v := range pc {
			if cur[x] {
				continue
			}
			if (x > 0 && blendsInto(v, pc[x-1], cur[x-1])) || (x < w-1 && blendsInto(v, pc[x+1], cur[x+1])) ||
				(up != nil && blendsInto(v, pu[x], up[x])) || (down != nil && blendsInto(v, pd[x], down[x])) {
				blend = append(blend, int32(y*w+x))
			}
		}
	}
	for _, i := range blend {
		bg[i] = true
	}
	for y := 0; y < h; y++ {
		cur, pc := rows(y)
		up, _ := rows(y - 1)
		down, _ := rows(y + 1)
		for x, v := range pc {
			if cur[x] || v < paperLevel {
				continue
			}
			if (x > 0 && cur[x-1]) || (x < w-1 && cur[x+1]) || (up != nil && up[x]) || (down != nil && down[x]) {
				seeds = append(seeds, int32(y*w+x))
			}
		}
	}
	return seeds
}

// borderFlooded returns a flooder after markBackground's first flood of
// p, from its border.
func borderFlooded(p plane) *flooder {
	ink, gain := p.valueRange()
	f := &flooder{p: &p, bg: make([]bool, len(p.pix)), mark: make([]uint16, len(p.pix)), ink: ink, gain: gain}
	var seeds []int32
	for x := 0; x < p.w; x++ {
		seeds = append(seeds, int32(x), int32((p.h-1)*p.w+x))
	}
	for y := 1; y < p.h-1; y++ {
		seeds = append(seeds, int32(y*p.w), int32(y*p.w+p.w-1))
	}
	f.flood(seeds)
	return f
}

// darkCases are flooders after the first flood of pages on dark fills
// (turned onto black and grey, letterboxed, a black-bordered panel at the
// edge) and of random planes with random masks, of odd widths.
func darkCases(t testing.TB) []*flooder {
	var fs []*flooder
	rng := rand.New(rand.NewPCG(51, 52))
	for i := range 6 {
		img := testpages.Page(testpages.Spec{Series: 20 + i, Page: i, Width: 600, Height: 850})
		trs := []pirate.Transform{pirate.Rotate(2.5, 0, false), pirate.Rotate(-1.5, 90, true), pirate.Pad("tb", 0.2, 20)}
		q, err := trs[i%len(trs)].Apply(img, rng)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, borderFlooded(lumaPlane(q, workingSize, dcSharpen, nil)))
	}
	for _, g := range dcThumbs(t) {
		fs = append(fs, borderFlooded(lumaPlane(g, workingSize, dcSharpen, nil)))
	}
	for range 100 {
		w, h := 1+rng.IntN(150), 1+rng.IntN(70)
		p := randomPlane(rng, w, h)
		f := &flooder{p: &p, bg: make([]bool, w*h)}
		for i := range f.bg {
			f.bg[i] = rng.IntN(3) == 0
			if rng.IntN(3) == 0 {
				p.pix[i] = 200 + 55*rng.Float32()
			}
		}
		fs = append(fs, f)
	}
	return fs
}

// TestPaperSeedsMatchesRef checks that paperSeeds marks the same blend
// and returns the same seeds, in the same order, as paperSeedsRef.
func TestPaperSeedsMatchesRef(t *testing.T) {
	for k, f := range darkCases(t) {
		g := *f
		g.bg = slices.Clone(f.bg)
		got, want := f.paperSeeds([]int32{7}), g.paperSeedsRef([]int32{7})
		if !slices.Equal(f.bg, g.bg) || !slices.Equal(got, want) {
			t.Fatalf("case %d (%dx%d): paperSeeds differs from paperSeedsRef", k, f.p.w, f.p.h)
		}
	}
}

// BenchmarkPaperSeeds runs on pages on dark fills, after their first flood.
func BenchmarkPaperSeeds(b *testing.B) {
	fs := darkCases(b)[:6]
	masks := make([][]bool, len(fs))
	for i, f := range fs {
		masks[i] = slices.Clone(f.bg)
		f.p.s = new(scratch)
	}
	var seeds []int32
	for _, v := range []string{"ref", "new"} {
		b.Run(v, func(b *testing.B) {
			k := 0
			for b.Loop() {
				f := fs[k%len(fs)]
				copy(f.bg, masks[k%len(fs)])
				f.p.s.u64.used = 0
				if v == "ref" {
					seeds = f.paperSeedsRef(seeds[:0])
				} else {
					seeds = f.paperSeeds(seeds[:0])
				}
				k++
			}
		})
	}
}
