package main

import (
	"math"

	"github.com/pagematch/pagematch/internal/robustness"
)

// binomial is Daugman's model of an impostor distribution of iris codes:
// the normalised distance x = d/256 of two unrelated codes behaves like
// the fraction of heads in n fair-ish coin tosses, where n, the effective
// degrees of freedom, is set by the spread: n = m(1-m)/s² for mean m and
// variance s² of x. The bits of a hash are correlated, so n is far below
// 256, and the tail falls as the binomial's, not as a normal fitted to the
// same mean and spread.
type binomial struct {
	n    int     // effective degrees of freedom, rounded
	m    float64 // mean of d/bits
	bits int     // the largest distance: 256 for a hash, 512 for a sum of two
}

// fitBinomial fits the model to the whole histogram of distances up to
// bits; ok is false for a histogram without spread.
func fitBinomial(h *robustness.Histogram, bits int) (b binomial, ok bool) {
	mean, std := h.MeanStd()
	m, s := mean/float64(bits), std/float64(bits)
	if s == 0 || m <= 0 || m >= 1 {
		return binomial{}, false
	}
	return binomial{n: max(1, int(math.Round(m*(1-m)/(s*s)))), m: m, bits: bits}, true
}

// CDF is P(d <= t) for one pair: the binomial CDF at floor(t/bits·n).
func (b binomial) CDF(t int) float64 {
	if b.bits == 0 {
		return 0
	}
	k := int(math.Floor(float64(t) / float64(b.bits) * float64(b.n)))
	return binomialCDF(k, b.n, b.m)
}

// binomialCDF is P(X <= k) for X ~ Binomial(n, p), summed in log space so
// that tails far below the smallest float64 ratio of terms stay exact.
func binomialCDF(k, n int, p float64) float64 {
	switch {
	case k < 0:
		return 0
	case k >= n:
		return 1
	case p <= 0:
		return 1
	case p >= 1:
		return 0
	}
	lgn, _ := math.Lgamma(float64(n + 1))
	lp, lq := math.Log(p), math.Log1p(-p)
	var sum float64
	for i := 0; i <= k; i++ {
		a, _ := math.Lgamma(float64(i + 1))
		b, _ := math.Lgamma(float64(n - i + 1))
		sum += math.Exp(lgn - a - b + float64(i)*lp + float64(n-i)*lq)
	}
	return min(sum, 1)
}

// localTail is P(d <= t) from a straight line through log CDF(d) over the
// distances with 10 to hi pairs at or below them: the extreme tail at any
// sample size, where Histogram.TailCDF's line runs up to the 2% quantile
// and follows the bulk. ok is false with fewer than 3 points.
func localTail(h *robustness.Histogram, hi float64, t int) (p float64, ok bool) {
	return h.TailCDFBetween(t, 10, hi)
}
