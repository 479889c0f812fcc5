package main

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// runs makes rounds runs of n latencies each: 300 µs plus an exponential
// tail of mean 50 µs, shifted by add.
func runs(rng *rand.Rand, rounds, n int, add time.Duration) [][]time.Duration {
	out := make([][]time.Duration, rounds)
	for r := range out {
		for range n {
			out[r] = append(out[r], 300*time.Microsecond+add+time.Duration(rng.ExpFloat64()*50e3))
		}
	}
	return out
}

// TestEstimateP99 checks the estimators on synthetic latencies: near 0
// between identical distributions, near the shift when every pagematch
// request is slower by it, and, unlike the pooled p99, the medians barely
// moved by a stall of a few rounds of one proxy (within a minority of
// blocks).
func TestEstimateP99(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{50, 150} {
		plain, same := runs(rng, 100, n, 0), runs(rng, 100, n, 0)
		e := estimateP99(plain, same)
		for name, v := range map[string]float64{"pooled": e.Pooled, "rounds": e.Rounds, "blocks": e.Blocks} {
			if math.Abs(v) > 60 {
				t.Errorf("%d a run, identical: %s %+.0f µs", n, name, v)
			}
		}
		for name, ci := range map[string][2]float64{"pooled": e.PooledCI, "rounds": e.RoundsCI, "blocks": e.BlocksCI} {
			if ci[0] > 0 || ci[1] < 0 || ci[0] >= ci[1] {
				t.Errorf("%d a run, identical: %s interval %v", n, name, ci)
			}
		}
		if e.BlockRounds%2 != 0 || e.BlockRounds*n < minBlockRequests {
			t.Errorf("%d a run: blocks of %d rounds", n, e.BlockRounds)
		}
		slower := runs(rng, 100, n, 100*time.Microsecond)
		e = estimateP99(plain, slower)
		for name, v := range map[string]float64{"pooled": e.Pooled, "rounds": e.Rounds, "blocks": e.Blocks} {
			if math.Abs(v-100) > 60 {
				t.Errorf("%d a run, +100 µs: %s %+.0f µs", n, name, v)
			}
		}
		// Four rounds of the pagematch proxy stalled by 5 ms, in two blocks.
		stalled := runs(rng, 100, n, 0)
		for _, r := range []int{3, 5, 61, 62} {
			for i := range stalled[r] {
				stalled[r][i] += 5 * time.Millisecond
			}
		}
		e = estimateP99(plain, stalled)
		if e.Pooled < 1000 || math.Abs(e.Rounds) > 60 || math.Abs(e.Blocks) > 100 {
			t.Errorf("%d a run, 4 stalled rounds: pooled %+.0f, rounds %+.0f, blocks %+.0f µs", n, e.Pooled, e.Rounds, e.Blocks)
		}
	}
	// The p99 of several runs is that of all their latencies together.
	for range 200 {
		var all []time.Duration
		runs := make([][]time.Duration, 1+rng.IntN(5))
		for i := range runs {
			for range rng.IntN(60) {
				runs[i] = append(runs[i], time.Duration(rng.IntN(1000)))
			}
			all = append(all, runs[i]...)
			slices.SortFunc(runs[i], func(a, b time.Duration) int { return int(b - a) })
		}
		slices.Sort(all)
		if got, want := p99us(runs), us(quantile(all, 0.99)); got != want {
			t.Fatalf("p99 of %v: %v, want %v", runs, got, want)
		}
	}
	if e := estimateP99(nil, nil); e.Pooled != 0 {
		t.Errorf("no rounds: %+v", e)
	}
}
