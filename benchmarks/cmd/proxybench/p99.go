package main

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"time"
)

// The added p99 latency is estimated three ways, each with a bootstrap
// interval, because a p99 difference between two proxies on a shared
// machine is mostly noise unless shown otherwise (the -aa calibration
// runs the same estimators between identical proxies):
//
//   - pooled: the p99 of every pagematch request of every round less the
//     p99 of every plain request. One stall of the machine during a few
//     runs of one proxy moves it.
//   - rounds: the median over the rounds of the p99 of the round's
//     pagematch run less the p99 of its plain run, the two run back to
//     back (ABBA order), so a stall falls into a few rounds and the median
//     drops them. With 150 requests a run the p99 of a run is its second
//     slowest request; with 50 (one client) its slowest.
//   - blocks: the same over blocks of consecutive rounds (an even number,
//     so each holds as many plain-first as pagematch-first rounds) of at
//     least minBlockRequests requests per proxy: a p99 read among more
//     requests than in one round, with fewer blocks to take the median of.
//
// The targets are judged on the median over rounds: in the calibration
// runs (-aa) its intervals were the narrowest of the three at both
// concurrencies (README, issue 5). It is not the p99 of all requests: at
// one client a run's p99 is its slowest request, and the estimate is the
// typical difference between the two proxies' slowest requests of a
// round.
//
// The intervals resample the ABBA pairs of rounds with replacement
// (bootstrapResamples times, seeded: the same runs give the same
// interval) and give the 5th and 95th percentile of the estimate.

const (
	minBlockRequests   = 1000
	bootstrapResamples = 400
)

// p99Estimates are the added p99 latency estimates of one row, in µs.
type p99Estimates struct {
	Pooled, Rounds, Blocks                 float64
	PooledCI, RoundsCI, BlocksCI           [2]float64
	BlockRounds                            int
	RoundsPlainP99us, RoundsPagematchP99us float64 // medians of the per-round p99s
}

// estimateP99 computes the estimates from the latencies of each run, plain
// and pagematch, round by round.
func estimateP99(plain, pm [][]time.Duration) p99Estimates {
	rounds := min(len(plain), len(pm))
	var e p99Estimates
	if rounds == 0 {
		return e
	}
	perRound := len(plain[0])
	e.BlockRounds = 2
	for e.BlockRounds*perRound < minBlockRequests && e.BlockRounds < rounds {
		e.BlockRounds += 2
	}
	// Each run's latencies sorted, slowest first, once; the p99 of any
	// selection of runs is then read off their slowest requests.
	desc := func(runs [][]time.Duration) [][]time.Duration {
		out := make([][]time.Duration, len(runs))
		for r, lat := range runs {
			out[r] = slices.Clone(lat)
			slices.SortFunc(out[r], func(a, b time.Duration) int { return cmp.Compare(b, a) })
		}
		return out
	}
	dp, dq := desc(plain[:rounds]), desc(pm[:rounds])
	pp, qq := make([]float64, rounds), make([]float64, rounds)
	for r := range rounds {
		pp[r], qq[r] = p99us(dp[r:r+1]), p99us(dq[r:r+1])
	}
	e.RoundsPlainP99us, e.RoundsPagematchP99us = medianOf(pp), medianOf(qq)
	// An estimate over a selection of rounds (indices, repeats allowed).
	var a, b [][]time.Duration
	pooled := func(sel []int) float64 {
		a, b = a[:0], b[:0]
		for _, r := range sel {
			a, b = append(a, dp[r]), append(b, dq[r])
		}
		return p99us(b) - p99us(a)
	}
	byRound := func(sel []int) float64 {
		d := make([]float64, len(sel))
		for i, r := range sel {
			d[i] = qq[r] - pp[r]
		}
		return medianOf(d)
	}
	byBlock := func(sel []int) float64 {
		var d []float64
		for i := 0; i+e.BlockRounds <= len(sel); i += e.BlockRounds {
			d = append(d, pooled(sel[i:i+e.BlockRounds]))
		}
		return medianOf(d)
	}
	all := make([]int, rounds)
	for r := range all {
		all[r] = r
	}
	e.Pooled, e.Rounds, e.Blocks = pooled(all), byRound(all), byBlock(all)
	// Bootstrap over ABBA pairs of rounds (a lone last round counts as a
	// pair of one), kept in pairs so that every block stays balanced.
	pairs := (rounds + 1) / 2
	rng := rand.New(rand.NewPCG(uint64(rounds), uint64(perRound)))
	var bp, br, bb []float64
	sel := make([]int, 0, rounds+1)
	for range bootstrapResamples {
		sel = sel[:0]
		for range pairs {
			p := rng.IntN(pairs)
			sel = append(sel, 2*p)
			if 2*p+1 < rounds {
				sel = append(sel, 2*p+1)
			}
		}
		bp, br, bb = append(bp, pooled(sel)), append(br, byRound(sel)), append(bb, byBlock(sel))
	}
	ci := func(v []float64) [2]float64 { return [2]float64{quantileOf(v, 0.05), quantileOf(v, 0.95)} }
	e.PooledCI, e.RoundsCI, e.BlocksCI = ci(bp), ci(br), ci(bb)
	return e
}

// p99us returns the p99 (nearest rank, as quantile) of the latencies of
// runs, each sorted slowest first, in µs: the k-th slowest of them all,
// k being 1% of them (at least one), found by walking down the runs'
// slowest requests.
func p99us(runs [][]time.Duration) float64 {
	n := 0
	for _, r := range runs {
		n += len(r)
	}
	if n == 0 {
		return 0
	}
	k := n - min(n-1, int(0.99*float64(n)))
	heads := make([]int, len(runs))
	var v time.Duration
	for range k {
		best := -1
		for j, r := range runs {
			if heads[j] < len(r) && (best < 0 || r[heads[j]] > runs[best][heads[best]]) {
				best = j
			}
		}
		v = runs[best][heads[best]]
		heads[best]++
	}
	return us(v)
}
