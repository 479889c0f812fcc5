package match

import (
	"bufio"
	"io"
	"maps"
	"net"
	"net/http"
	"strings"
)

// Middleware returns a handler that serves next and inspects its
// responses, for servers and caches that produce images themselves. It
// applies the same rules as ModifyResponse; see the package documentation.
//
// The ResponseWriter that next sees supports Flush, Hijack and
// io.ReaderFrom directly and everything else through
// http.ResponseController (it has an Unwrap method). Flushes are ignored
// while a body is held back to be decided.
func (m *Matcher) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		iw := &inspectWriter{m: m, w: w, r: r, declared: -1}
		returned := false
		defer func() {
			if !returned {
				iw.abort() // next panicked; the panic goes on
			}
		}()
		next.ServeHTTP(iw, r)
		returned = true
		iw.finish()
	})
}

type writerState uint8

const (
	wsNew     writerState = iota // nothing decided; code may be set
	wsHold                       // holding the body to decide before its first byte
	wsStream                     // header sent; body passes, copied when c.hb != nil
	wsSwallow                    // replaced (451, 503) or hijacked: discard writes
)

// inspectWriter is the ResponseWriter the wrapped handler writes to.
type inspectWriter struct {
	m        *Matcher
	w        http.ResponseWriter
	r        *http.Request
	state    writerState
	code     int   // final status, 0 until known
	declared int64 // Content-Length the handler set, -1 if none
	hb       *heldBuf
	snap     http.Header // the header when the status was set, while holding
	c        streamCopy  // the copy of a streaming body
	buf      heldBuf     // its buffer when nothing was held
}

func (iw *inspectWriter) Header() http.Header { return iw.w.Header() }

// Unwrap lets http.ResponseController reach the underlying writer.
func (iw *inspectWriter) Unwrap() http.ResponseWriter { return iw.w }

func (iw *inspectWriter) WriteHeader(code int) {
	switch {
	case iw.state == wsStream:
		iw.w.WriteHeader(code) // superfluous: let net/http say so
	case iw.state != wsNew || iw.code != 0:
	case code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols:
		iw.w.WriteHeader(code) // informational: pass at once
	default:
		iw.code = code
		if !iw.needsSniff() {
			iw.begin("")
		}
	}
}

// needsSniff reports whether the decision must wait for the first bytes:
// net/http would sniff the Content-Type of this response, or WithSniff
// asks to look at a response not declared as an image.
func (iw *inspectWriter) needsSniff() bool {
	h := iw.w.Header()
	_, typed := h["Content-Type"]
	if iw.code != http.StatusOK || iw.r.Method == http.MethodHead || !identity(h) {
		return false
	}
	return !typed || (iw.m.cfg.sniff && !isImageType(h.Get("Content-Type")))
}

func (iw *inspectWriter) Write(p []byte) (int, error) {
	switch iw.state {
	case wsNew:
		if iw.code == 0 {
			iw.code = http.StatusOK
		}
		if len(p) == 0 {
			return 0, nil
		}
		sniffed := ""
		if iw.needsSniff() {
			// Only to decide; the header is left for net/http to sniff
			// as it would without us.
			sniffed = http.DetectContentType(p)
			if iw.m.cfg.sniff && imageMagic(p) {
				sniffed = "image/jpeg" // any image type: inspect it
			}
		}
		iw.begin(sniffed)
		return iw.Write(p)
	case wsHold:
		return iw.hold(p)
	case wsStream:
		n, err := iw.w.Write(p)
		iw.c.add(p[:n])
		return n, err
	}
	return len(p), nil
}

// begin decides how the response is handled once its status and header
// are known.
func (iw *inspectWriter) begin(sniffed string) {
	m, h := iw.m, iw.w.Header()
	ct := sniffed
	if ct == "" {
		ct = h.Get("Content-Type")
	}
	reason := classify(iw.r.Method, iw.code, h, ct)
	if reason != inspectIt {
		m.met.skipped[reason].Inc()
		if reason == skipMethod || iw.code == http.StatusPartialContent || iw.code == http.StatusNotModified {
			o := iw.object()
			a, rv, _ := m.applyRecord(&o)
			if iw.apply(a, rv) {
				return
			}
		}
		iw.commit()
		return
	}
	m.met.inspected.Inc()
	iw.declared = contentLength(h)
	if iw.declared > m.cfg.holdBytes || m.cfg.policy == LogOnly {
		// See Matcher.inspect.
		iw.stream(nil, false)
		return
	}
	iw.hb = &heldBuf{m: m, limit: m.cfg.holdBytes}
	if iw.declared >= 0 && !iw.hb.grow(iw.declared) {
		iw.stream(iw.hb, true)
		return
	}
	// net/http ignores header changes made after the status is written;
	// so do we, though the header goes out later.
	iw.snap = h.Clone()
	iw.state = wsHold
}

// restoreHeader undoes header changes made while holding, except
// trailers (declared or prefixed), as net/http would have.
func (iw *inspectWriter) restoreHeader() {
	if iw.snap == nil {
		return
	}
	h := iw.w.Header()
	trailer := func(k string) bool {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			return true
		}
		for _, v := range iw.snap["Trailer"] {
			for t := range strings.SplitSeq(v, ",") {
				if http.CanonicalHeaderKey(strings.TrimSpace(t)) == k {
					return true
				}
			}
		}
		return false
	}
	for k := range h {
		if _, kept := iw.snap[k]; !kept && !trailer(k) {
			delete(h, k)
		}
	}
	maps.Copy(h, iw.snap)
	iw.snap = nil
}

func (iw *inspectWriter) object() object {
	return serverObject(iw.r, iw.code, iw.w.Header())
}

// apply carries out an action decided before the first byte and reports
// whether the response was replaced.
func (iw *inspectWriter) apply(a Action, v Verdict) bool {
	switch a {
	case ActionBlock, ActionFailClosed:
		status, body := replacement(iw.w.Header(), v, a)
		iw.w.WriteHeader(status)
		if iw.r.Method != http.MethodHead {
			io.WriteString(iw.w, body)
		}
		iw.state = wsSwallow
		return true
	case ActionHeader:
		iw.w.Header().Set(HeaderVerdict, FormatVerdictHeader(v))
	}
	return false
}

// commit sends the status line and header; the body streams from now on.
func (iw *inspectWriter) commit() {
	iw.w.WriteHeader(iw.code)
	iw.state = wsStream
}

// hold buffers p, or starts streaming when the body outgrows the hold
// limit or the held-memory budget.
func (iw *inspectWriter) hold(p []byte) (int, error) {
	if d := iw.declared; d >= 0 && int64(len(iw.hb.b)+len(p)) > d {
		// More than declared: net/http would refuse the excess.
		k := int(d) - len(iw.hb.b)
		iw.hb.add(p[:k])
		return k, http.ErrContentLength
	}
	if iw.hb.add(p) {
		return len(p), nil
	}
	iw.restoreHeader()
	iw.stream(iw.hb, int64(len(iw.hb.b)+len(p)) <= iw.hb.limit)
	return iw.Write(p)
}

// stream sends the header and what was held, and streams the rest (see
// startStream).
func (iw *inspectWriter) stream(prefix *heldBuf, noRoom bool) {
	o := iw.object()
	a, v, cp := iw.m.startStream(&o, prefix, &iw.buf, iw.declared, noRoom)
	iw.hb = nil
	if iw.apply(a, v) {
		return
	}
	iw.commit()
	iw.c = newStreamCopy(iw.m, cp, iw.declared, &o)
	if prefix != nil && len(prefix.b) > 0 {
		iw.w.Write(prefix.b)
	}
}

// finish runs after the handler returns.
func (iw *inspectWriter) finish() {
	switch iw.state {
	case wsNew:
		if iw.code != 0 {
			iw.w.WriteHeader(iw.code) // a header without a body: nothing to inspect
		}
	case wsHold:
		m, hb := iw.m, iw.hb
		defer hb.recycle()
		iw.restoreHeader()
		o := iw.object()
		v := m.check(iw.r.Context(), hb.b)
		hb.pinned = v.Kind == KindTimeout // the fingerprint still reads it
		m.record(o.key, o.keyed, v)
		a := m.act(v)
		m.report(Event{Verdict: v, Action: a}, &o)
		if iw.apply(a, v) {
			return
		}
		iw.commit()
		iw.w.Write(hb.b)
	case wsStream:
		iw.c.finish()
	}
}

// abort runs when the handler panics: what was held goes out as it would
// have without us (fail-closed: a 503), before net/http drops the
// connection.
func (iw *inspectWriter) abort() {
	switch iw.state {
	case wsHold:
		hb := iw.hb
		defer hb.recycle()
		iw.restoreHeader()
		if iw.m.cfg.policy == Block && iw.m.cfg.failClosed {
			v := Verdict{Kind: KindError, Err: errHandlerPanic}
			o := iw.object()
			iw.m.report(Event{Verdict: v, Action: ActionFailClosed}, &o)
			iw.apply(ActionFailClosed, v)
		} else {
			iw.commit()
			iw.w.Write(hb.b)
		}
		http.NewResponseController(iw.w).Flush()
	case wsSwallow:
		http.NewResponseController(iw.w).Flush() // the replacement
	case wsStream:
		iw.c.abort()
	}
}

// FlushError flushes a streaming response; it does nothing while the body
// is held back or replaced.
func (iw *inspectWriter) FlushError() error {
	if iw.state == wsNew && iw.code != 0 && !iw.needsSniff() {
		iw.begin("")
	}
	if iw.state != wsStream {
		return nil
	}
	return http.NewResponseController(iw.w).Flush()
}

// Flush is FlushError for http.Flusher.
func (iw *inspectWriter) Flush() { _ = iw.FlushError() }

// Hijack hands the connection to the handler; nothing is inspected after.
func (iw *inspectWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(iw.w).Hijack()
	if err == nil {
		iw.state = wsSwallow
	}
	return conn, rw, err
}

// ReadFrom keeps sendfile for responses that pass untouched.
func (iw *inspectWriter) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := iw.w.(io.ReaderFrom); ok && iw.state == wsStream && iw.c.hb == nil {
		return rf.ReadFrom(r)
	}
	return io.Copy(writerOnly{iw}, r)
}

// writerOnly hides ReadFrom so that io.Copy does not recurse.
type writerOnly struct{ io.Writer }
