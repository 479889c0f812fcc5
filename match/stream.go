package match

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
)

// startStream decides what to do with a response that is not decided
// before its first byte: any body under LogOnly; otherwise a body over
// the hold limit, one of unknown length that outgrew it, or one that
// found no room in the held-memory budget (noRoom). prefix holds what
// was already read (nil if nothing); without one the copy is kept in
// spare, which must live as long as the copy. n is the declared length
// (-1 if unknown).
//
// It returns the action to take now with its verdict: a match recorded
// for the object on an earlier request (Block or AddHeader apply at
// once), or a fail-closed refusal. Otherwise it returns the buffer to
// copy the streaming body into for a deferred fingerprint (it continues
// prefix), or nil when the body cannot be fingerprinted; that verdict
// (KindTooLarge or KindBusy) is reported here.
func (m *Matcher) startStream(o *object, prefix, spare *heldBuf, n int64, noRoom bool) (Action, Verdict, *heldBuf) {
	gen := m.state.Load().gen
	// Known to match: act now, and skip the copy. (LogOnly has nothing
	// to act on; its verdict always comes from the body itself.)
	if m.cfg.policy != LogOnly {
		if a, rv, ok := m.applyRecord(o); ok {
			if prefix != nil {
				prefix.free()
			}
			return a, rv, nil
		}
	}
	cp := prefix
	if cp == nil {
		*spare = heldBuf{m: m}
		cp = spare
	}
	cp.limit = m.cfg.maxBytes
	var over Verdict
	switch {
	case n > m.cfg.maxBytes:
		over = tooLarge(gen, fmt.Sprintf("%d bytes, cap %d", n, m.cfg.maxBytes))
	case noRoom || (n >= 0 && !cp.grow(n)):
		over = busyVerdict(gen)
	}
	a := ActionNone
	if m.cfg.policy == Block && m.cfg.failClosed {
		a = ActionFailClosed
		if over.Err == nil {
			over = tooLarge(gen, fmt.Sprintf("over the hold limit of %d bytes", m.cfg.holdBytes))
		}
	}
	if over.Err == nil {
		return ActionNone, Verdict{}, cp
	}
	cp.free()
	m.met.verdicts[over.Kind].Inc()
	m.report(Event{Verdict: over, Action: a}, o)
	return a, over, nil
}

func tooLarge(gen uint64, why string) Verdict {
	return Verdict{Kind: KindTooLarge, Generation: gen, Err: fmt.Errorf("%w: %s", ErrTooLarge, why)}
}

func busyVerdict(gen uint64) Verdict {
	return Verdict{Kind: KindBusy, Generation: gen, Err: fmt.Errorf("%w: held-memory budget", ErrBusy)}
}

// streamCopy copies a streaming body, up to the inspection cap, and
// fingerprints the copy once the body is complete. Its verdict applies
// from the next request for the object (see record).
//
// Under LogOnly a body whose first block and length name a body with a
// cached verdict (see predictor) is not copied: it is hashed block by
// block where it passes, in the reader's or writer's own buffer, only the
// bytes of a block cut by a read being kept aside. If its key then
// misses the cache after all (a body that shares its first block and
// length with another), there is no copy to fingerprint: its prefix is
// marked ambiguous, so that the next request for it is copied and gets
// the verdict.
type streamCopy struct {
	m *Matcher
	// hb is the copy, nil when not copying; once passing, it holds only
	// the bytes of the block in progress.
	hb   *heldBuf
	kh   keyHasher
	done int   // copying: the bytes of hb.b absorbed into kh
	seen int64 // the body's bytes so far
	n    int64 // the declared length, -1 if unknown
	o    object
	over Verdict // why the copy stopped while streaming, if it did
	// predict: the body may be predicted and passed without a copy
	// (LogOnly, nothing held before). decided: whether to copy is
	// settled (from the first block). passing: predicted, not copied.
	predict, decided, passing bool
	prefix                    uint64 // prefixKey, once decided
	finished                  bool
}

// newStreamCopy starts the copy of a body of declared length n (-1 if
// unknown) into hb (nil: no copy), which may already hold its first bytes.
func newStreamCopy(m *Matcher, hb *heldBuf, n int64, o *object) streamCopy {
	c := streamCopy{m: m, hb: hb, n: n, o: *o}
	if hb != nil {
		c.seen = int64(len(hb.b))
		c.predict = m.cfg.policy == LogOnly && len(hb.b) == 0
	}
	c.decided = !c.predict
	return c
}

// add takes the body's next bytes p: copies them, or drops the copy when
// it would pass the cap or the held-memory budget; or, once predicted,
// only hashes them. The blocks of the key completed by p are hashed at
// once, while in cache.
func (c *streamCopy) add(p []byte) {
	if len(p) == 0 || c.hb == nil {
		return
	}
	if c.passing {
		if c.seen += int64(len(p)); c.seen > c.hb.limit {
			c.overflow(0)
			return
		}
		c.pass(p)
		return
	}
	if !c.decided && len(c.hb.b)+len(p) >= keyBlock {
		// p completes the first block: decide before copying the rest.
		k := keyBlock - len(c.hb.b)
		if !c.hb.add(p[:k]) {
			c.overflow(k)
			return
		}
		c.seen += int64(k)
		p = p[k:]
		c.kh.absorb(c.hb.b)
		c.done = keyBlock
		if c.decide() {
			c.hb.b, c.done = c.hb.b[:0], 0
			if c.seen += int64(len(p)); c.seen > c.hb.limit {
				c.overflow(0)
				return
			}
			c.startPassing(p)
			return
		}
		if len(p) == 0 {
			return
		}
	}
	if !c.hb.add(p) {
		c.overflow(len(p))
		return
	}
	c.seen += int64(len(p))
	c.hashCopied()
}

// overflow drops the copy that k more bytes would not fit in.
func (c *streamCopy) overflow(k int) {
	gen := c.m.state.Load().gen
	if c.seen+int64(k) > c.hb.limit {
		c.over = tooLarge(gen, fmt.Sprintf("more than %d bytes", c.hb.limit))
	} else {
		c.over = busyVerdict(gen)
	}
	c.abort()
}

// hashCopied absorbs the blocks of the copy completed since the last
// call.
func (c *streamCopy) hashCopied() {
	hb := c.hb
	for len(hb.b)-c.done >= keyBlock {
		c.kh.absorb(hb.b[c.done : c.done+keyBlock])
		c.done += keyBlock
	}
}

// decide settles, after the first block, whether the body must be
// copied: not if its prefix predicts a body whose verdict is cached.
func (c *streamCopy) decide() bool {
	c.decided = true
	if !c.predict {
		return false
	}
	c.prefix = prefixKey(c.kh.acc, c.n)
	key, ok := c.m.pred.predict(c.prefix)
	return ok && c.m.cache.has(key, c.m.state.Load().gen)
}

// startPassing stops copying; rest, the bytes after those absorbed, are
// hashed. hb keeps only the bytes of the block in progress from now on.
func (c *streamCopy) startPassing(rest []byte) {
	c.passing = true
	if cap(c.hb.b) < keyBlock && !c.hb.grow(keyBlock) {
		c.overflow(0)
		return
	}
	c.pass(rest)
}

// pass hashes p, the body's next bytes, where it is: whole blocks in
// place, a block cut by the end of p through hb.
func (c *streamCopy) pass(p []byte) {
	hb := c.hb
	if len(hb.b) > 0 {
		k := min(keyBlock-len(hb.b), len(p))
		hb.b = append(hb.b, p[:k]...)
		p = p[k:]
		if len(hb.b) < keyBlock {
			return
		}
		c.kh.absorb(hb.b)
		hb.b = hb.b[:0]
	}
	for len(p) >= keyBlock {
		c.kh.absorb(p[:keyBlock])
		p = p[keyBlock:]
	}
	hb.b = append(hb.b, p...)
}

// key returns the body's key once all of it has been added.
func (c *streamCopy) key() uint64 {
	return c.kh.sum(c.hb.b[c.done:])
}

// abort drops the copy; an aborted body gets no verdict.
func (c *streamCopy) abort() {
	if c.hb != nil {
		c.hb.recycle()
		c.hb = nil
	}
}

// finish runs once the body has ended: the verdict on the copy, from the
// cache or from a fingerprint in the background, or the report of why
// there is none. A body shorter than declared is incomplete and gets no
// verdict.
func (c *streamCopy) finish() {
	if c.finished {
		return
	}
	if c.hb != nil && c.seen < c.n {
		c.abort()
	}
	c.finished = true
	m, o := c.m, &c.o
	if hb := c.hb; hb != nil {
		key := c.key()
		c.hb = nil
		// A copied body that got a decided verdict predicts the next
		// with its prefix.
		learn := c.predict && c.decided && !c.passing
		st := m.state.Load()
		if v, ok := m.cached(key, st.gen); ok {
			// A cache hit is decided here, on the reader's goroutine,
			// without allocating.
			hb.recycle()
			if learn {
				m.pred.learn(c.prefix, key)
			}
			m.met.verdicts[v.Kind].Inc()
			m.record(o.key, o.keyed, v)
			m.report(Event{Verdict: v, Deferred: true}, o)
			return
		}
		if c.passing {
			// Predicted, not copied, and missed: no verdict now; the
			// next request for the body is copied.
			hb.recycle()
			m.pred.spoil(c.prefix)
			m.met.mispredicted.Inc()
			if m.log.Enabled(context.Background(), slog.LevelDebug) {
				m.log.Debug("pagematch: body not copied, missed the cache; verdict on its next request", "url", o.url())
			}
			return
		}
		o.fix() // reported from the goroutine below
		prefix := c.prefix
		go func() {
			v := m.shared(context.Background(), st, key, hb.b)
			m.met.verdicts[v.Kind].Inc()
			hb.pinned = hb.pinned || v.Kind == KindTimeout
			hb.recycle()
			if learn && v.Kind.decided() {
				m.pred.learn(prefix, key)
			}
			m.record(o.key, o.keyed, v)
			m.report(Event{Verdict: v, Deferred: true}, o)
		}()
		return
	}
	if c.over.Err != nil {
		m.met.verdicts[c.over.Kind].Inc()
		m.report(Event{Verdict: c.over, Deferred: true}, o)
	}
}

// replacement clears h, fills it for action a (ActionBlock or
// ActionFailClosed) and returns the status and body to send instead.
func replacement(h http.Header, v Verdict, a Action) (int, string) {
	clear(h)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	// The verdict may change with the next index; never let a cache keep it.
	h.Set("Cache-Control", "no-store")
	status, body := http.StatusServiceUnavailable, refusedBody
	if a == ActionBlock {
		status, body = http.StatusUnavailableForLegalReasons, blockedBody
		h.Set(HeaderVerdict, FormatVerdictHeader(v))
		if u := v.RightsURL(); u != "" {
			h.Set("Link", "<"+u+`>; rel="blocked-by"`)
		}
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	return status, body
}
