package match

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/index"
)

// Matcher fingerprints bodies, looks them up in an index and applies a
// policy to HTTP responses. It is safe for concurrent use; create one per
// index source and share it between handlers.
type Matcher struct {
	cfg    config
	state  atomic.Pointer[state]
	reload sync.Mutex // orders generations
	cache  *verdictCache
	pred   *predictor // which streaming bodies need no copy (LogOnly)
	met    *metrics
	log    *slog.Logger
	fpOpts []fingerprint.Option
	// fpRegions is fpOpts for an index with regions: the halves are
	// hashed too (before the caller's options, which may override it).
	fpRegions []fingerprint.Option
	sem       chan struct{} // fingerprint slots
	held      atomic.Int64  // body bytes held by responses in flight
	bufs      *bufPool

	flightMu sync.Mutex
	flights  map[uint64]*flight
}

// state pairs an index with its generation so that readers see both from
// one atomic load.
type state struct {
	idx *index.Index
	gen uint64
	at  time.Time // when it was installed
}

// flight is one fingerprint in progress; concurrent requests for the same
// body wait for it instead of fingerprinting again.
type flight struct {
	done chan struct{}
	v    Verdict // written before done is closed
}

// New returns a Matcher over idx (generation 1).
func New(idx *index.Index, opts ...Option) (*Matcher, error) {
	if idx == nil {
		return nil, ErrNilIndex
	}
	cfg := newConfig(opts)
	m := &Matcher{
		cfg:     cfg,
		cache:   newVerdictCache(cfg.cacheEntries),
		pred:    newPredictor(cfg.cacheEntries),
		log:     cfg.logger,
		sem:     make(chan struct{}, cfg.concurrency),
		flights: make(map[uint64]*flight),
		bufs:    newBufPool(cfg.holdBytes),
	}
	m.fpOpts = append(append([]fingerprint.Option(nil), cfg.fpOpts...), fingerprint.WithMaxBytes(cfg.maxBytes))
	m.fpRegions = append([]fingerprint.Option{fingerprint.WithRegions(true)}, m.fpOpts...)
	m.state.Store(&state{idx: idx, gen: 1, at: time.Now()})
	met, err := newMetrics(m, cfg.registerer)
	if err != nil {
		return nil, err
	}
	m.met = met
	return m, nil
}

// Reload swaps in idx and returns its generation. Requests already being
// checked finish with the index they started with; cached verdicts of
// older generations read as misses from now on.
func (m *Matcher) Reload(idx *index.Index) (uint64, error) {
	if idx == nil {
		return 0, fmt.Errorf("match: reload: %w", ErrNilIndex)
	}
	m.reload.Lock()
	gen := m.state.Load().gen + 1
	m.state.Store(&state{idx: idx, gen: gen, at: time.Now()})
	m.reload.Unlock()
	m.met.reloads.Inc()
	m.log.Info("pagematch: index reloaded", "generation", gen, "entries", idx.Len())
	return gen, nil
}

// Index returns the current index and its generation.
func (m *Matcher) Index() (*index.Index, uint64) {
	st := m.state.Load()
	return st.idx, st.gen
}

// Policy returns the configured policy.
func (m *Matcher) Policy() Policy { return m.cfg.policy }

// Check fingerprints body and looks it up in the current index. The
// returned error is the verdict's Err: nil for KindMatch, KindNoMatch and
// KindLowQuality, else an error wrapping ErrTooLarge, ErrFingerprint,
// ErrTimeout or ErrBusy.
//
// Verdicts are cached by a hash of body (xxh3, block by block: see
// the package documentation); a cached verdict has
// Cached set. Check waits for the fingerprint at most the time budget
// (WithBudget) or until ctx ends; a fingerprint that runs longer finishes
// in the background and caches its verdict. Concurrent calls with the
// same body share one fingerprint. body must not be modified until Check
// returns, nor afterwards if the verdict is KindTimeout (the background
// fingerprint still reads it).
func (m *Matcher) Check(ctx context.Context, body []byte) (Verdict, error) {
	v := m.check(ctx, body)
	return v, v.Err
}

func (m *Matcher) check(ctx context.Context, body []byte) Verdict {
	st := m.state.Load()
	var v Verdict
	if int64(len(body)) > m.cfg.maxBytes {
		v = Verdict{Kind: KindTooLarge, Generation: st.gen,
			Err: fmt.Errorf("%w: %d bytes, cap %d", ErrTooLarge, len(body), m.cfg.maxBytes)}
	} else {
		key := bodyKey(body)
		var ok bool
		if v, ok = m.cached(key, st.gen); !ok {
			v = m.shared(ctx, st, key, body)
		}
	}
	m.met.verdicts[v.Kind].Inc()
	return v
}

// cached returns the verdict cached under key for generation gen,
// counting the hit.
func (m *Matcher) cached(key, gen uint64) (Verdict, bool) {
	v, ok := m.cache.get(key, gen)
	if ok {
		m.met.cacheHits.Inc()
		v.Cached = true
	}
	return v, ok
}

// shared waits, within the budget, for the fingerprint of body: its own
// or the one already running for the same key.
func (m *Matcher) shared(ctx context.Context, st *state, key uint64, body []byte) Verdict {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.budget)
	defer cancel()
	m.flightMu.Lock()
	f, running := m.flights[key]
	if !running {
		// A flight that landed since our cache miss has filled the
		// cache (put happens before land, which takes flightMu).
		if v, ok := m.cached(key, st.gen); ok {
			m.flightMu.Unlock()
			return v
		}
		f = &flight{done: make(chan struct{})}
		m.flights[key] = f
	}
	m.flightMu.Unlock()
	m.met.cacheMisses.Inc()
	if !running {
		select {
		case m.sem <- struct{}{}:
			go m.run(context.WithoutCancel(ctx), f, st, key, body)
		case <-ctx.Done():
			f.v = Verdict{Kind: KindBusy, Generation: st.gen,
				Err: fmt.Errorf("%w: no fingerprint slot within %v: %w", ErrBusy, m.cfg.budget, ctx.Err())}
			m.land(key, f)
		}
	}
	select {
	case <-f.done:
		return f.v
	case <-ctx.Done():
		return Verdict{Kind: KindTimeout, Generation: st.gen,
			Err: fmt.Errorf("%w (%v): %w", ErrTimeout, m.cfg.budget, ctx.Err())}
	}
}

// run fingerprints body in a slot, caches a decided verdict and releases
// the waiters. ctx carries no deadline: a fingerprint that outlives its
// budget still fills the cache.
func (m *Matcher) run(ctx context.Context, f *flight, st *state, key uint64, body []byte) {
	defer func() { <-m.sem }()
	defer func() {
		// A panic here would take the whole proxy down; turn it into an
		// error verdict for this body instead.
		if r := recover(); r != nil {
			f.v = Verdict{Kind: KindError, Generation: st.gen, Err: fmt.Errorf("%w: panic: %v", ErrFingerprint, r)}
			m.land(key, f)
		}
	}()
	start := time.Now()
	v := m.evaluate(ctx, st, body)
	m.met.latency.Observe(time.Since(start).Seconds())
	if v.Kind.decided() {
		m.cache.put(key, st.gen, v)
	}
	f.v = v
	m.land(key, f)
}

// land ends a flight.
func (m *Matcher) land(key uint64, f *flight) {
	m.flightMu.Lock()
	if m.flights[key] == f {
		delete(m.flights, key)
	}
	m.flightMu.Unlock()
	close(f.done)
}

// evaluate fingerprints body and looks it up in st's index.
func (m *Matcher) evaluate(ctx context.Context, st *state, body []byte) Verdict {
	v := Verdict{Generation: st.gen}
	opts := m.fpOpts
	if st.idx.Regions() {
		opts = m.fpRegions
	}
	fp, err := fingerprint.FromBytes(ctx, body, opts...)
	if err != nil {
		v.Kind, v.Err = KindError, fmt.Errorf("%w: %w", ErrFingerprint, err)
		return v
	}
	v.Quality = fp.Quality
	if !fp.Matchable() {
		v.Kind = KindLowQuality
		return v
	}
	ms := st.idx.Lookup(fp, m.cfg.lookup...)
	if len(ms) == 0 {
		v.Kind = KindNoMatch
		return v
	}
	best := ms[0] // Lookup sorts by distance, then ID
	v.Kind, v.Match = KindMatch, true
	v.ID, v.Distance, v.Detail, v.Variant, v.Meta = best.ID, best.Distance, best.Detail, best.Variant, best.Meta
	return v
}

// reserve claims n bytes of the held-memory budget.
func (m *Matcher) reserve(n int64) bool {
	if m.held.Add(n) > m.cfg.maxHeld {
		m.held.Add(-n)
		return false
	}
	return true
}

func (m *Matcher) release(n int64) { m.held.Add(-n) }
