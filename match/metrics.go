package match

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the Matcher's Prometheus collectors. They always exist, so
// the hot path never checks for nil; they are exported only when the
// caller gives a Registerer.
type metrics struct {
	inspected   prometheus.Counter
	skipped     [numSkips]prometheus.Counter
	verdicts    [numKinds]prometheus.Counter
	actions     [len(actionNames)]prometheus.Counter
	latency     prometheus.Histogram
	cacheHits   prometheus.Counter
	cacheMisses prometheus.Counter
	// mispredicted: bodies predicted cached and not copied whose key
	// missed the cache (their verdict comes on their next request).
	mispredicted prometheus.Counter
	reloads      prometheus.Counter
	reloadErrs   prometheus.Counter
}

// skipReason says why a response is not inspected; its name is the label
// of pagematch_responses_skipped_total.
type skipReason uint8

const (
	inspectIt    skipReason = iota
	skipMethod              // HEAD
	skipStatus              // anything but 200 (206 and 304 included)
	skipEncoding            // Content-Encoding other than identity
	skipType                // not image/jpeg, png, gif or webp
	numSkips
)

var skipNames = [numSkips]string{"", "method", "status", "encoding", "type"}

func newMetrics(m *Matcher, reg prometheus.Registerer) (*metrics, error) {
	const ns = "pagematch"
	mt := &metrics{
		inspected: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Name: "responses_inspected_total",
			Help: "Image responses selected for inspection.",
		}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: ns, Name: "fingerprint_seconds",
			Help:    "Time to fingerprint and look up one body (cache misses only).",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14), // 0.5 ms .. 4 s
		}),
		cacheHits: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Name: "cache_hits_total", Help: "Verdict cache hits.",
		}),
		cacheMisses: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Name: "cache_misses_total", Help: "Verdict cache misses.",
		}),
		mispredicted: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Name: "cache_mispredictions_total",
			Help: "Bodies streamed without a copy, predicted cached by their first block and length, whose key then missed the cache: they get their verdict on their next request.",
		}),
		reloads: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Name: "reloads_total", Help: "Indexes swapped in by Reload.",
		}),
		reloadErrs: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Name: "reload_errors_total", Help: "Failed attempts of a watcher to load an index.",
		}),
	}
	verdicts := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: ns, Name: "verdicts_total", Help: "Verdicts, by kind.",
	}, []string{"kind"})
	for k := range mt.verdicts {
		mt.verdicts[k] = verdicts.WithLabelValues(Kind(k).String())
	}
	actions := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: ns, Name: "actions_total", Help: "What the policy did to responses, by action.",
	}, []string{"action"})
	for a := range mt.actions {
		mt.actions[a] = actions.WithLabelValues(Action(a).String())
	}
	skipped := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: ns, Name: "responses_skipped_total",
		Help: "Responses passed through without inspection, by reason.",
	}, []string{"reason"})
	for r := skipMethod; r < numSkips; r++ {
		mt.skipped[r] = skipped.WithLabelValues(skipNames[r])
	}
	gauges := []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: ns, Name: "index_entries", Help: "Entries in the current index.",
		}, func() float64 { return float64(m.state.Load().idx.Len()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: ns, Name: "index_generation", Help: "Generation of the current index; 1 for the index given to New, +1 per Reload.",
		}, func() float64 { return float64(m.state.Load().gen) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: ns, Name: "cache_entries", Help: "Entries in the verdict cache, stale ones included.",
		}, func() float64 { return float64(m.cache.len()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: ns, Name: "held_bytes", Help: "Body bytes held by responses in flight.",
		}, func() float64 { return float64(m.held.Load()) }),
	}
	if reg == nil {
		return mt, nil
	}
	cs := append([]prometheus.Collector{mt.inspected, skipped, verdicts, actions, mt.latency,
		mt.cacheHits, mt.cacheMisses, mt.mispredicted, mt.reloads, mt.reloadErrs}, gauges...)
	for i, c := range cs {
		if err := reg.Register(c); err != nil {
			for _, done := range cs[:i] {
				reg.Unregister(done)
			}
			return nil, fmt.Errorf("match: register metrics: %w", err)
		}
	}
	return mt, nil
}
