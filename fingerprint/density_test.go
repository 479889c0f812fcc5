package fingerprint

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/pagematch/pagematch/internal/testpages"
)

// densityRef is density before its ink loop kept the ink slice and the
// paper level in locals (it reloaded d.ink and converted paper at each
// pixel).
func (p plane) densityRef() *density {
	d := &density{w: p.w, h: p.h, ink: p.s.float32s(len(p.pix)), s: p.s}
	// Two histograms, for alternate pixels: runs of paper of one value
	// would otherwise chain every increment through the same counter.
	var hist, odd [256]int
	bg := p.mask()
	pix := p.pix[:len(p.pix)&^1]
	for i := 0; i < len(pix); i += 2 {
		if v := pix[i]; v >= 0 && !bg[i] {
			hist[int(v)]++
		}
		if v := pix[i+1]; v >= 0 && !bg[i+1] {
			odd[int(v)]++
		}
	}
	if i := len(pix); i < len(p.pix) && p.pix[i] >= 0 && !bg[i] {
		hist[int(p.pix[i])]++
	}
	n := 0
	for v, c := range odd {
		hist[v] += c
		n += hist[v]
	}
	paper, black := percentile(&hist, n, 0.90), percentile(&hist, n, 0.02)
	if paper-black >= minContrast {
		scale := 1 / float32(paper-black)
		bg := bg[:len(p.pix)]
		for i, v := range p.pix {
			// Background as dark as a bar holds no ink. Light background
			// keeps its ink: a crop through a panel lets the flood from
			// the margin into the panel's light screentones, which are
			// content all the same (tuning set, 40 series: crop 90.8 ->
			// 92.8%, rotate 91.8 -> 93.5%). Screentones make every test
			// a coin toss, so none of them branches.
			k := min((float32(paper)-v)*scale, 1)
			keep := b2u(k >= inkFloor) & b2u(v >= 0) & (b2u(!bg[i]) | b2u(v >= lightBackground))
			d.ink[i] = k * float32(keep)
		}
	}
	d.r = max(1, int(densityRadius*float64(max(p.w, p.h))+0.5))
	d.dens = p.s.float32s(len(d.ink))
	d.smooth(p.s.int64s(p.w))
	d.regions = map[float64]*regions{}
	return d
}

// densityPrevRef is density before its ink loop worked on k's bits.
func (p plane) densityPrevRef() *density {
	d := &density{w: p.w, h: p.h, ink: p.s.float32s(len(p.pix)), s: p.s}
	d.snaps = d.snapBuf[:0]
	var hist, odd [256]int
	bg := p.mask()
	pix := p.pix[:len(p.pix)&^1]
	for i := 0; i < len(pix); i += 2 {
		if v := pix[i]; v >= 0 && !bg[i] {
			hist[int(v)]++
		}
		if v := pix[i+1]; v >= 0 && !bg[i+1] {
			odd[int(v)]++
		}
	}
	if i := len(pix); i < len(p.pix) && p.pix[i] >= 0 && !bg[i] {
		hist[int(p.pix[i])]++
	}
	n := 0
	for v, c := range odd {
		hist[v] += c
		n += hist[v]
	}
	paper, black := percentile(&hist, n, 0.90), percentile(&hist, n, 0.02)
	if paper-black >= minContrast {
		scale, fpaper := 1/float32(paper-black), float32(paper)
		bg, ink := bg[:len(p.pix)], d.ink[:len(p.pix)]
		for i, v := range p.pix {
			k := min((fpaper-v)*scale, 1)
			keep := b2u(k >= inkFloor) & b2u(v >= 0) & (b2u(!bg[i]) | b2u(v >= lightBackground))
			ink[i] = k * float32(keep)
		}
	}
	d.r = max(1, int(densityRadius*float64(max(p.w, p.h))+0.5))
	d.dens = p.s.float32sSet(len(d.ink))
	d.smooth(p.s.int64sSet(p.w))
	d.regions = map[float64]*regions{}
	return d
}

func TestDensityBits(t *testing.T) {
	if oneBits != int32(math.Float32bits(1)) || inkFloorBits != int32(math.Float32bits(inkFloor)) {
		t.Fatalf("oneBits %#x, inkFloorBits %#x: want %#x, %#x", oneBits, inkFloorBits, math.Float32bits(1), math.Float32bits(inkFloor))
	}
}

func densityPlanes() []plane {
	var ps []plane
	for i := range 4 {
		p := lumaPlane(testpages.Page(testpages.Spec{Series: i, Page: 2 + i}), workingSize, dcSharpen, new(scratch))
		p.markBackground()
		ps = append(ps, p)
	}
	return ps
}

func TestDensityMatchesRef(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	ps := densityPlanes()
	for range 50 {
		p := randomPlane(rng, 1+rng.IntN(200), 1+rng.IntN(200))
		p.bg = make([]bool, len(p.pix))
		for i := range p.pix {
			switch rng.IntN(8) {
			case 0:
				p.pix[i] = -1
			case 1, 2:
				p.pix[i] = 240 + 15*rng.Float32()
			}
			p.bg[i] = rng.IntN(4) == 0
		}
		ps = append(ps, p)
	}
	for k, p := range ps {
		d, e, f := p.density(), p.densityRef(), p.densityPrevRef()
		if !slices.Equal(bitsOf(d.ink), bitsOf(e.ink)) || !slices.Equal(bitsOf(d.dens), bitsOf(e.dens)) || d.r != e.r {
			t.Fatalf("plane %d (%dx%d): density differs from densityRef", k, p.w, p.h)
		}
		if !slices.Equal(bitsOf(d.ink), bitsOf(f.ink)) || !slices.Equal(bitsOf(d.dens), bitsOf(f.dens)) {
			t.Fatalf("plane %d (%dx%d): density differs from densityPrevRef", k, p.w, p.h)
		}
	}
}

func BenchmarkDensity(b *testing.B) {
	ps := densityPlanes()
	s := new(scratch)
	for _, v := range []string{"ref", "prev", "new"} {
		b.Run(v, func(b *testing.B) {
			k := 0
			for b.Loop() {
				p := ps[k%len(ps)]
				p.s = s
				s.f32.used, s.i64.used = 0, 0
				switch v {
				case "ref":
					p.densityRef()
				case "prev":
					p.densityPrevRef()
				default:
					p.density()
				}
				k++
			}
		})
	}
}
