package testpages

import (
	"image"
	"math"
	"math/bits"
	"math/rand/v2"
)

// Default page size, a typical scan of a tankobon page.
const (
	DefaultWidth  = 1200
	DefaultHeight = 1700
)

// maxSide bounds the page size so that a bad Spec cannot allocate without
// limit; 8192x8192 is far above any scan.
const maxSide = 8192

// Spec identifies a page. Everything about the page is a pure function of Spec.
type Spec struct {
	Series int // series number; a series has its own style and a small pool of panel layouts
	Page   int // page number within the series
	// Text is the bubble-text variant: same art, different text (0 = the
	// original vertical Japanese-like text; other values are horizontal
	// typeset text as scanlators produce). Used to simulate scanlation.
	Text          int
	Width, Height int // 0 means the default 1200x1700
}

// Size returns the pixel size the Spec renders at, with defaults applied and
// sides clamped to [1, 8192].
func (s Spec) Size() (w, h int) {
	w, h = s.Width, s.Height
	if w <= 0 {
		w = DefaultWidth
	}
	if h <= 0 {
		h = DefaultHeight
	}
	return min(w, maxSide), min(h, maxSide)
}

// Volume returns the Specs of pages 0..pages-1 of a series at default size.
func Volume(series, pages int) []Spec {
	if pages < 0 {
		pages = 0
	}
	out := make([]Spec, pages)
	for i := range out {
		out[i] = Spec{Series: series, Page: i}
	}
	return out
}

// purposes separate the random streams so that, for example, the text of a
// bubble never shifts the art.
const (
	purposeSeries uint64 = iota + 1
	purposeLayout
	purposePage
	purposePanel
	purposeBubble
	purposeText
	purposeCover
	purposeBlank
)

// mix64 is the splitmix64 finaliser: a cheap, well-spread integer hash.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func seedOf(purpose uint64, vals ...int) uint64 {
	h := mix64(purpose*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019)
	for _, v := range vals {
		h = mix64(h ^ uint64(int64(v)))
	}
	return h
}

// rng wraps a PCG with helpers whose arithmetic is defined here, so the
// pages do not depend on how math/rand/v2 maps bits to ranges (which the Go
// project may change); PCG's own output is a fixed algorithm.
type rng struct{ p *rand.PCG }

func newRng(purpose uint64, vals ...int) *rng {
	s := seedOf(purpose, vals...)
	return &rng{rand.NewPCG(s, mix64(s^0xda942042e4dd58b5))}
}

// f returns a float in [0, 1).
func (r *rng) f() float64 { return float64(r.p.Uint64()>>11) * (1.0 / (1 << 53)) }

// rf returns a float in [lo, hi).
func (r *rng) rf(lo, hi float64) float64 { return lo + (hi-lo)*r.f() }

// n returns an int in [0, k); k must be positive.
func (r *rng) n(k int) int {
	hi, _ := bits.Mul64(r.p.Uint64(), uint64(k))
	return int(hi)
}

// rn returns an int in [lo, hi].
func (r *rng) rn(lo, hi int) int { return lo + r.n(hi-lo+1) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.f() < p }

// pick returns an index chosen with the given weights.
func (r *rng) pick(w ...float64) int {
	var sum float64
	for _, v := range w {
		sum += v
	}
	t := r.f() * sum
	for i, v := range w {
		if t < v {
			return i
		}
		t -= v
	}
	return len(w) - 1
}

// angle returns an angle in radians in [-a, a] degrees.
func (r *rng) angle(a float64) float64 { return r.rf(-a, a) * math.Pi / 180 }

func newGray(s Spec) *image.Gray {
	w, h := s.Size()
	return image.NewGray(image.Rect(0, 0, w, h))
}
