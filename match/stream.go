package match

import (
	"context"
	"fmt"
	"net/http"
)

// startStream decides what to do with a response that cannot be decided
// before its first byte: a body over the hold limit, one of unknown length
// that outgrew it, or one that found no room in the held-memory budget
// (noRoom). prefix holds what was already read (nil if nothing), n is the
// declared length (-1 if unknown).
//
// It returns the action to take now with its verdict: a match recorded
// for the object on an earlier request (Block or AddHeader apply at
// once), or a fail-closed refusal. Otherwise it returns the buffer to
// copy the streaming body into for a deferred fingerprint (it continues
// prefix), or nil when the body cannot be fingerprinted; that verdict
// (KindTooLarge or KindBusy) is reported here.
func (m *Matcher) startStream(o *object, prefix *heldBuf, n int64, noRoom bool) (Action, Verdict, *heldBuf) {
	gen := m.state.Load().gen
	if a, rv, ok := m.applyRecord(o); ok {
		// Known to match: act now, and skip the copy.
		if prefix != nil {
			prefix.free()
		}
		return a, rv, nil
	}
	cp := prefix
	if cp == nil {
		cp = &heldBuf{m: m}
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
	o    object
	over Verdict // why the copy stopped while streaming, if it did
	done bool
}

// add copies p, or drops the copy when it would pass the cap or the
// held-memory budget.
func (c *streamCopy) add(p []byte) {
	if len(p) == 0 || c.hb == nil || c.hb.add(p) {
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

// finish runs once the body is complete: the deferred fingerprint of the
// copy, in the background, or the report of why there is none.
func (c *streamCopy) finish() {
	if c.done {
		return
	}
	c.done = true
	m, o := c.m, &c.o
	if hb := c.hb; hb != nil {
		c.hb = nil
		go func() {
			v := m.check(context.Background(), hb.b)
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
