package match

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
)

// ModifyResponse inspects resp; use it as httputil.ReverseProxy's
// ModifyResponse (or call it from yours). It never returns an error: a
// response it cannot decide on passes unchanged unless WithFailClosed
// says otherwise. See the package documentation for what happens to each
// kind of response.
func (m *Matcher) ModifyResponse(resp *http.Response) error {
	m.inspect(resp)
	return nil
}

// Transport returns a RoundTripper that sends requests through base
// (http.DefaultTransport if nil) and inspects the responses as
// ModifyResponse does: for a forward proxy, or for the client that fills
// a cache. A blocked response comes back as a 451 response, not an error.
// Bodies that base has already decompressed (Response.Uncompressed, as
// http.Transport does when it asked for gzip itself) are inspected.
func (m *Matcher) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{m: m, base: base}
}

type transport struct {
	m    *Matcher
	base http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if resp.Request == nil {
		resp.Request = req
	}
	t.m.inspect(resp)
	return resp, nil
}

// inspect applies the Matcher to a response whose body has not been read.
func (m *Matcher) inspect(resp *http.Response) {
	method, ctx := http.MethodGet, context.Background()
	if req := resp.Request; req != nil {
		method, ctx = req.Method, req.Context()
	}
	reason := classify(method, resp.StatusCode, resp.Header, resp.Header.Get("Content-Type"))
	if reason == skipType && m.cfg.sniff && m.sniffBody(resp) {
		reason = inspectIt
	}
	if reason != inspectIt {
		m.met.skipped[reason].Inc()
		if reason == skipMethod || resp.StatusCode == http.StatusPartialContent || resp.StatusCode == http.StatusNotModified {
			m.applyRecorded(resp, method)
		}
		return
	}
	m.met.inspected.Inc()
	o := clientObject(resp.Request, resp.StatusCode, resp.Header)
	n := resp.ContentLength
	switch {
	case m.cfg.policy == LogOnly && n >= 0 && n <= m.cfg.maxBytes:
		// Nothing needs the verdict before the first byte.
		m.readAhead(resp, &o, n)
		return
	case n > m.cfg.holdBytes || m.cfg.policy == LogOnly:
		m.stream(resp, method, &o, nil, n, false)
		return
	}
	// One allocation: the body to serve, holding the buffer.
	body := &heldBody{hb: heldBuf{m: m, limit: m.cfg.holdBytes + 1}}
	hb := &body.hb
	complete, err := readHeld(resp.Body, hb, n)
	switch {
	case err != nil:
		// The upstream failed mid-body: give the client what came and
		// the same error, as it would have seen without us.
		if m.log.Enabled(ctx, slog.LevelDebug) {
			m.log.Debug("pagematch: upstream body error", "url", o.url(), "err", err)
		}
		if m.cfg.policy == Block && m.cfg.failClosed {
			hb.recycle()
			v := Verdict{Kind: KindError, Err: fmt.Errorf("%w: %w", errUpstreamCut, err)}
			m.report(Event{Verdict: v, Action: ActionFailClosed}, &o)
			m.replace(resp, method, v, ActionFailClosed)
			return
		}
		body.orig, body.err = resp.Body, err
		resp.Body = body
	case !complete:
		// Over the hold limit, or no room to hold it.
		m.stream(resp, method, &o, hb, n, n >= 0 || int64(len(hb.b)) < hb.limit)
	default:
		resp.Body.Close()
		v := m.check(ctx, hb.b)
		hb.pinned = v.Kind == KindTimeout // the fingerprint still reads it
		m.record(o.key, o.keyed, v)
		a := m.act(v)
		m.report(Event{Verdict: v, Action: a}, &o)
		switch a {
		case ActionBlock, ActionFailClosed:
			hb.recycle()
			m.replace(resp, method, v, a)
			return
		case ActionHeader:
			resp.Header.Set(HeaderVerdict, FormatVerdictHeader(v))
		}
		resp.Body = body
	}
}

// sniffBody peeks at the start of resp's body and reports whether it is an
// image. The body is left whole either way.
func (m *Matcher) sniffBody(resp *http.Response) bool {
	var peek [magicLen]byte
	k, _ := io.ReadFull(resp.Body, peek[:])
	// A read error shows again on the next read of the body.
	resp.Body = &prefixedBody{Reader: io.MultiReader(bytes.NewReader(peek[:k]), resp.Body), Closer: resp.Body}
	return imageMagic(peek[:k])
}

type prefixedBody struct {
	io.Reader
	io.Closer
}

// readHeld reads the body into hb: all n bytes when the length is known
// (n >= 0), else until EOF or until hb holds more than the hold limit.
// complete is false, with a nil error, when the body did not fit in the
// budget or the hold limit; hb then holds the bytes read so far.
func readHeld(r io.Reader, hb *heldBuf, n int64) (complete bool, err error) {
	if n >= 0 {
		if !hb.grow(n) {
			return false, nil
		}
		k, err := io.ReadFull(r, hb.b[:n])
		hb.b = hb.b[:k]
		return err == nil, err
	}
	for {
		room := min(int64(cap(hb.b)), hb.limit)
		if int64(len(hb.b)) >= room {
			want := min(max(2*int64(cap(hb.b)), 32<<10), hb.limit)
			if int64(len(hb.b)) >= want || !hb.grow(want) {
				return false, nil
			}
			room = min(int64(cap(hb.b)), hb.limit)
		}
		k, err := r.Read(hb.b[len(hb.b):room])
		hb.b = hb.b[:len(hb.b)+k]
		switch {
		case err == io.EOF:
			return int64(len(hb.b)) < hb.limit, nil
		case err != nil:
			return false, err
		}
	}
}

// stream handles a response that cannot be decided before its first
// byte (see startStream).
func (m *Matcher) stream(resp *http.Response, method string, o *object, prefix *heldBuf, n int64, noRoom bool) {
	// One allocation: the body to serve, holding the copy's buffer.
	t := &teeBody{rc: resp.Body}
	a, v, cp := m.startStream(o, prefix, &t.buf, n, noRoom)
	switch a {
	case ActionBlock, ActionFailClosed:
		m.replace(resp, method, v, a)
		return
	case ActionHeader:
		resp.Header.Set(HeaderVerdict, FormatVerdictHeader(v))
	}
	if cp == nil && (prefix == nil || len(prefix.b) == 0) {
		return // untouched: nothing read, nothing to copy
	}
	t.c = newStreamCopy(m, cp, n, o)
	if prefix != nil {
		prefix.pinned = true // served from t.prefix while the copy goes on
		t.prefix = prefix.b
	}
	resp.Body = t
}

// readAhead streams a body of declared length n, within the cap, under
// LogOnly (see aheadBody). Without room for its copy in the held-memory
// budget it passes untouched with KindBusy.
func (m *Matcher) readAhead(resp *http.Response, o *object, n int64) {
	// One allocation: the body to serve, holding the copy's buffer.
	t := &aheadBody{rc: resp.Body}
	if _, _, cp := m.startStream(o, nil, &t.buf, n, false); cp != nil {
		t.c = newStreamCopy(m, cp, n, o)
		resp.Body = t
	}
}

// applyRecorded applies a recorded match to a response that is not
// inspected itself: HEAD, 206 Partial Content and 304 Not Modified.
func (m *Matcher) applyRecorded(resp *http.Response, method string) {
	o := clientObject(resp.Request, resp.StatusCode, resp.Header)
	a, rv, ok := m.applyRecord(&o)
	switch {
	case !ok:
	case a == ActionBlock:
		m.replace(resp, method, rv, a)
	case a == ActionHeader:
		resp.Header.Set(HeaderVerdict, FormatVerdictHeader(rv))
	}
}

// replace turns resp into the 451 or 503 response of action a.
func (m *Matcher) replace(resp *http.Response, method string, v Verdict, a Action) {
	resp.Body.Close()
	status, body := replacement(resp.Header, v, a)
	resp.StatusCode = status
	resp.Status = fmt.Sprintf("%d %s", status, http.StatusText(status))
	resp.ContentLength = int64(len(body))
	resp.TransferEncoding = nil
	resp.Trailer = nil
	resp.Uncompressed = false
	resp.Body = http.NoBody
	if method != http.MethodHead {
		resp.Body = io.NopCloser(strings.NewReader(body))
	}
}

// heldBody serves a held body, then err if the upstream failed. The
// buffer goes back to the pool at EOF or Close, whichever comes first.
type heldBody struct {
	hb   heldBuf
	off  int
	orig io.Closer // upstream body, when not closed yet
	err  error
	done bool
}

func (b *heldBody) Read(p []byte) (int, error) {
	if b.done || b.off >= len(b.hb.b) {
		b.release()
		if b.err != nil {
			return 0, b.err
		}
		return 0, io.EOF
	}
	n := copy(p, b.hb.b[b.off:])
	b.off += n
	return n, nil
}

// WriteTo lets io.Copy skip its intermediate buffer.
func (b *heldBody) WriteTo(w io.Writer) (int64, error) {
	if b.done {
		return 0, b.err
	}
	n, err := w.Write(b.hb.b[b.off:])
	b.off += n
	if err == nil {
		b.release()
		err = b.err
	}
	return int64(n), err
}

func (b *heldBody) release() {
	if !b.done {
		b.done = true
		b.hb.recycle()
	}
}

func (b *heldBody) Close() error {
	b.release()
	if b.orig != nil {
		return b.orig.Close()
	}
	return nil
}

// teeBody streams a body to its reader while copying it for a deferred
// verdict (see streamCopy). The reader's buffer is the one the upstream
// is read into: the bytes reach it as they would without pagematch, in
// the same reads, and the copy is made from there while still in cache.
type teeBody struct {
	rc     io.ReadCloser
	prefix []byte // read before streaming began; served first
	off    int
	c      streamCopy
	buf    heldBuf // the copy's buffer when there is no prefix
}

func (t *teeBody) Read(p []byte) (int, error) {
	if t.off < len(t.prefix) {
		n := copy(p, t.prefix[t.off:])
		t.off += n
		return n, nil
	}
	n, err := t.rc.Read(p)
	t.c.add(p[:n])
	if err == io.EOF {
		t.c.finish()
	}
	return n, err
}

func (t *teeBody) Close() error {
	t.c.abort()
	return t.rc.Close()
}

// aheadBody serves a body of declared length n while hashing it, for a
// verdict once it has streamed (LogOnly). The upstream is read ahead
// into the body's buffer from the first byte, each read asking for more
// than the reader's buffer holds, and the reader is served from there:
// reading what has arrived in one system call instead of one per
// reader's buffer (32 KB for ReverseProxy) saves more than serving it
// from a second buffer costs. The first reads ask for up to aheadWindow
// bytes; once the first block of the key has come, its prefix decides
// (see streamCopy). A body that may need a fingerprint is read on into
// the buffer, its copy, each read asking for the rest of the body. A
// body predicted to be cached is not copied: the buffer's start becomes
// a window of aheadWindow bytes, used again once served, so that the
// kernel writes and the reader reads memory still in cache, and hashed
// there. Once the n bytes are served
// the verdict is reached (see streamCopy.finish) and the buffer
// released; what follows, the upstream's EOF or anything past n, passes
// through. A body cut short is served as far as it came, then the
// upstream's error; it gets no verdict.
//
// A reader whose first read brings a buffer of at least directRead bytes
// (ReverseProxy with a BufferPool of ProxyBufferSize) already reads in
// large pieces: the upstream is read straight into its buffer and the
// bytes copied or hashed there, as teeBody does, which saves serving them
// from a second buffer.
type aheadBody struct {
	rc     io.ReadCloser
	c      streamCopy // c.hb is nil once done
	buf    heldBuf    // c.hb's
	off    int        // bytes served
	ws     int        // the bytes of c.hb.b served
	err    error      // the upstream's error, returned once what came before is served
	direct bool       // read into the reader's buffer (see above)
}

// aheadWindow is the most a read asks for when a body is not copied.
const aheadWindow = 128 << 10

// directRead is the smallest reader's buffer read into directly.
const directRead = 64 << 10

func (t *aheadBody) Read(p []byte) (int, error) {
	c := &t.c
	if c.hb != nil && int64(t.off) == c.n {
		c.finish()
	}
	if c.hb == nil {
		if t.err != nil {
			return 0, t.err
		}
		return t.rc.Read(p)
	}
	if t.off == 0 && len(c.hb.b) == 0 && len(p) >= directRead {
		t.direct = true
	}
	if t.direct {
		return t.readDirect(p)
	}
	hb := c.hb
	if t.ws == len(hb.b) {
		if t.err != nil {
			c.abort() // cut short
			return 0, t.err
		}
		end := len(hb.b) + int(c.n-c.seen)
		switch {
		case c.passing:
			// Start the window again after the block in progress.
			k := copy(hb.b[:cap(hb.b)], hb.b[c.done:])
			hb.b, c.done, t.ws = hb.b[:k], 0, k
			end = min(cap(hb.b), k+aheadWindow, k+int(c.n-c.seen))
		case !c.decided:
			// A window's worth, until the first block decides.
			end = min(end, len(hb.b)+aheadWindow)
		}
		k, err := t.rc.Read(hb.b[len(hb.b):end])
		hb.b = hb.b[:len(hb.b)+k]
		c.seen += int64(k)
		if !c.decided && len(hb.b) >= keyBlock {
			// The first block decides: copy on into the buffer, or pass
			// (the buffer is then the window, at its start).
			c.kh.absorb(hb.b[:keyBlock])
			c.done = keyBlock
			c.passing = c.decide()
		}
		if c.decided {
			c.hashCopied()
		}
		t.err = err
		if k == 0 && err != nil {
			c.abort()
			return 0, err
		}
	}
	k := copy(p, hb.b[t.ws:])
	t.ws += k
	t.off += k
	if int64(t.off) == c.n {
		c.finish()
	}
	return k, nil
}

// readDirect reads the declared body's next bytes into p and copies or
// hashes them there.
func (t *aheadBody) readDirect(p []byte) (int, error) {
	c := &t.c
	k, err := t.rc.Read(p[:min(int64(len(p)), c.n-int64(t.off))])
	c.add(p[:k])
	t.off += k
	switch {
	case int64(t.off) == c.n:
		c.finish()
	case err != nil:
		c.abort() // cut short
	}
	return k, err
}

func (t *aheadBody) Close() error {
	t.c.abort()
	return t.rc.Close()
}
