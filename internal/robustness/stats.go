package robustness

import (
	"math"

	"github.com/pagematch/pagematch/fingerprint"
)

// Histogram counts distances 0..512: a hash distance, or the sum of a
// hash's and a detail hash's.
type Histogram [2*fingerprint.HashBits + 1]uint64

// Total is the number of distances counted.
func (h *Histogram) Total() uint64 {
	var n uint64
	for _, c := range h {
		n += c
	}
	return n
}

// Add counts every distance of o into h.
func (h *Histogram) Add(o *Histogram) {
	for i, c := range o {
		h[i] += c
	}
}

// Min is the smallest distance counted, or -1 if none.
func (h *Histogram) Min() int {
	for d, c := range h {
		if c > 0 {
			return d
		}
	}
	return -1
}

// Quantile returns the smallest distance d with CDF(d) >= q.
func (h *Histogram) Quantile(q float64) int {
	total := float64(h.Total())
	var acc float64
	for d, c := range h {
		acc += float64(c)
		if acc >= q*total && acc > 0 {
			return d
		}
	}
	return len(h) - 1
}

// MeanStd returns the mean and standard deviation of the distances.
func (h *Histogram) MeanStd() (mean, std float64) {
	var n, s, s2 float64
	for d, c := range h {
		n += float64(c)
		s += float64(d) * float64(c)
		s2 += float64(d) * float64(d) * float64(c)
	}
	if n == 0 {
		return 0, 0
	}
	mean = s / n
	return mean, math.Sqrt(math.Max(0, s2/n-mean*mean))
}

// GaussianCDF estimates P(d <= t) for one non-matching pair from a normal
// fit to the whole distribution, with a continuity correction.
func (h *Histogram) GaussianCDF(t int) float64 {
	m, s := h.MeanStd()
	if s == 0 {
		if float64(t) >= m {
			return 1
		}
		return 0
	}
	return 0.5 * math.Erfc(-(float64(t)+0.5-m)/(s*math.Sqrt2))
}

// TailCDF estimates P(d <= t) for one non-matching pair by extrapolating
// the lower tail: it fits log CDF(d) as a straight line over the distances
// whose CDF lies between tailLo counted pairs and tailHi of all pairs. An
// exponential tail falls more slowly than a normal one, so this estimate
// is the conservative of the two. ok is false when the tail holds too few
// points to fit.
func (h *Histogram) TailCDF(t int) (p float64, ok bool) {
	const tailLo, tailHi = 10, 0.02
	return h.TailCDFBetween(t, tailLo, tailHi*float64(h.Total()))
}

// TailCDFBetween is TailCDF with the line fitted over the distances that
// have from lo to hi pairs at or below them.
func (h *Histogram) TailCDFBetween(t int, lo, hi float64) (p float64, ok bool) {
	total := float64(h.Total())
	var xs, ys []float64
	var acc float64
	for d, c := range h {
		acc += float64(c)
		if acc < lo || c == 0 {
			continue
		}
		if acc > hi {
			break
		}
		xs = append(xs, float64(d))
		ys = append(ys, math.Log(acc/total))
	}
	if len(xs) < 3 {
		return 0, false
	}
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= float64(len(xs))
	my /= float64(len(xs))
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	if sxx == 0 || sxy <= 0 {
		return 0, false
	}
	slope := sxy / sxx
	return math.Exp(my + slope*(float64(t)-mx)), true
}

// Upto is the number of distances counted at or below d.
func (h *Histogram) Upto(d int) uint64 {
	var n uint64
	for _, c := range h[:max(0, min(d+1, len(h)))] {
		n += c
	}
	return n
}

// PairFMR is the conservative per-pair false-match probability at
// threshold t: the larger of the tail and normal estimates.
func (h *Histogram) PairFMR(t int) float64 {
	p := h.GaussianCDF(t)
	if q, ok := h.TailCDF(t); ok && q > p {
		p = q
	}
	return p
}

// LookupFMR estimates the false-match rate of one lookup of `lookups`
// hashes against an index of n pages: about lookups·n·p for small p.
func (h *Histogram) LookupFMR(t int, n, lookups float64) float64 {
	return PerLookup(h.PairFMR(t), n, lookups)
}

// PerLookup is the chance that one lookup of `lookups` codes, each a
// false match with probability p against each of n pages, matches one.
func PerLookup(p, n, lookups float64) float64 {
	return -math.Expm1(lookups * n * math.Log1p(-p))
}

// SuggestThreshold is the largest threshold whose estimated lookup
// false-match rate against n pages stays at or below target.
func (h *Histogram) SuggestThreshold(n, lookups, target float64) int {
	t := -1
	for d := 0; d <= 256; d++ {
		if h.LookupFMR(d, n, lookups) > target {
			break
		}
		t = d
	}
	return t
}
