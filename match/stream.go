package match

import (
	"context"
	"fmt"
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
type streamCopy struct {
	m    *Matcher
	hb   *heldBuf // nil when not copying
	kh   keyHasher
	n    int64 // the declared length, -1 if unknown
	o    object
	over Verdict // why the copy stopped while streaming, if it did
	done bool
}

// add copies p, or drops the copy when it would pass the cap or the
// held-memory budget. The key's chunks completed by p are hashed at once,
// while in cache.
func (c *streamCopy) add(p []byte) {
	if len(p) == 0 || c.hb == nil {
		return
	}
	if c.hb.add(p) {
		c.kh.update(c.hb.b)
		return
	}
	gen := c.m.state.Load().gen
	if int64(len(c.hb.b)+len(p)) > c.hb.limit {
		c.over = tooLarge(gen, fmt.Sprintf("more than %d bytes", c.hb.limit))
	} else {
		c.over = busyVerdict(gen)
	}
	c.abort()
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
	if c.done {
		return
	}
	if c.hb != nil && int64(len(c.hb.b)) < c.n {
		c.abort()
	}
	c.done = true
	m, o := c.m, &c.o
	if hb := c.hb; hb != nil {
		c.hb = nil
		key := c.kh.sum(hb.b)
		st := m.state.Load()
		if v, ok := m.cached(key, st.gen); ok {
			// A cache hit is decided here, on the reader's goroutine,
			// without allocating.
			hb.recycle()
			m.met.verdicts[v.Kind].Inc()
			m.record(o.key, o.keyed, v)
			m.report(Event{Verdict: v, Deferred: true}, o)
			return
		}
		o.fix() // reported from the goroutine below
		go func() {
			v := m.shared(context.Background(), st, key, hb.b)
			m.met.verdicts[v.Kind].Inc()
			hb.pinned = hb.pinned || v.Kind == KindTimeout
			hb.recycle()
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
