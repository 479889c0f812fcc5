package match

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// aheadBodyRef is aheadBody as of commit e9d823d, kept to check the
// current one against (TestAheadMatchesRef, BenchmarkAheadRead): its
// first reads went into the reader's buffer, the first block copied out
// of it, until that block decided whether to copy; the current one reads
// ahead into the body's buffer from the first byte.
type aheadBodyRef aheadBody

func (t *aheadBodyRef) Close() error { return (*aheadBody)(t).Close() }

func (t *aheadBodyRef) Read(p []byte) (int, error) {
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
	if !c.decided {
		// Into the reader's buffer, copied and hashed, until the first
		// block decides whether to go on copying.
		if t.err != nil {
			c.abort() // cut short
			return 0, t.err
		}
		k, err := t.rc.Read(p[:min(int64(len(p)), c.n-int64(t.off))])
		c.add(p[:k])
		if c.hb != nil {
			t.ws = len(c.hb.b) // the copy, or the block in progress: served
		}
		t.off += k
		t.err = err
		if k == 0 && err != nil {
			c.abort()
			return 0, err
		}
		if int64(t.off) == c.n {
			c.finish()
		}
		return k, nil
	}
	hb := c.hb
	if t.ws == len(hb.b) {
		if t.err != nil {
			c.abort() // cut short
			return 0, t.err
		}
		end := len(hb.b) + int(c.n-c.seen)
		if c.passing {
			// Start the window again after the block in progress.
			k := copy(hb.b[:cap(hb.b)], hb.b[c.done:])
			hb.b, c.done, t.ws = hb.b[:k], 0, k
			end = min(cap(hb.b), k+aheadWindow, k+int(c.n-c.seen))
		}
		k, err := t.rc.Read(hb.b[len(hb.b):end])
		hb.b = hb.b[:len(hb.b)+k]
		c.seen += int64(k)
		c.hashCopied()
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

// aheadRun is what a reader got from a body streamed through
// ModifyResponse, and whether the body passed without a copy.
type aheadRun struct {
	sum     [32]byte
	n       int
	err     error
	passing bool
}

// streamAhead reads body (declared as n bytes, sent by up) through
// ModifyResponse into a reader's buffer of bufSize, with aheadBody or,
// if ref, aheadBodyRef.
func streamAhead(t *testing.T, m *Matcher, n int64, up io.ReadCloser, bufSize int, ref bool) aheadRun {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://origin/a.jpg", nil)
	resp := &http.Response{StatusCode: 200, Request: req, ContentLength: n,
		Header: http.Header{"Content-Type": {"image/jpeg"}}, Body: up}
	m.ModifyResponse(resp)
	ab, ok := resp.Body.(*aheadBody)
	if !ok {
		t.Fatalf("body %T", resp.Body)
	}
	var body io.ReadCloser = ab
	if ref {
		body = (*aheadBodyRef)(ab)
	}
	h := sha256.New()
	buf := make([]byte, bufSize)
	var r aheadRun
	for r.err == nil {
		var k int
		k, r.err = body.Read(buf)
		h.Write(buf[:k])
		r.n += k
	}
	body.Close()
	if direct := !ref && n > 0 && bufSize >= directRead; ab.direct != direct {
		t.Errorf("%d-byte body into %d: read directly %v, want %v", n, bufSize, ab.direct, direct)
	}
	copy(r.sum[:], h.Sum(nil))
	r.passing = ab.c.passing
	return r
}

// TestAheadMatchesRef streams the same bodies through aheadBody and
// aheadBodyRef, each with its own Matcher, the upstream sending them in
// the same pieces (one byte at a time, half of what is asked, data with
// EOF, random pieces) into reader buffers of 1 byte to 128 KiB (read
// into directly): first
// seen, predicted, a body sharing the first one's first block and
// length (mispredicted), bodies cut short, shorter or longer than
// declared, and small ones. Both must serve the same bytes, end the same
// way, pass the same bodies without a copy and reach the same verdicts.
func TestAheadMatchesRef(t *testing.T) {
	f := loadFixtures()
	a := f.pirateA
	b := bytes.Clone(a)
	b[len(b)-100] ^= 0x10
	cut := errors.New("connection reset")
	type step struct {
		body     []byte
		declared int
		err      error
	}
	steps := []step{
		{a, len(a), nil}, {a, len(a), nil}, {b, len(b), nil}, {b, len(b), nil},
		{a[:len(a)/2], len(a), cut}, {a[:len(a)-10], len(a), nil},
		{append(bytes.Clone(a), "trailing"...), len(a), nil}, {a, len(a), nil},
		{a[:keyBlock-1], keyBlock - 1, nil}, {a[:keyBlock], keyBlock, nil}, {a[:keyBlock], keyBlock, nil},
		{nil, 0, nil},
	}
	for ui, u := range upstreams {
		for _, bufSize := range readerBufs {
			t.Run(fmt.Sprintf("%s into %d", u.name, bufSize), func(t *testing.T) {
				var got [2][]string
				for i, ref := range []bool{false, true} {
					ev := newEvents()
					m := newMatcher(t, true, WithOnVerdict(ev.add))
					rng := rand.New(rand.NewPCG(uint64(ui), uint64(bufSize)))
					for si, s := range steps {
						up := &pieces{b: s.body, rng: rng, err: s.err}
						var src io.ReadCloser = up
						if s.err == nil && u.name != "random pieces" {
							src = &closeCounter{Reader: u.make(s.body, rng)}
						}
						mp := testutil.ToFloat64(m.met.mispredicted)
						r := streamAhead(t, m, int64(s.declared), src, bufSize, ref)
						line := fmt.Sprintf("step %d: %d bytes %x %v, passing %v", si, r.n, r.sum[:4], r.err, r.passing)
						// A whole body gets one verdict, unless it was
						// predicted and missed (counted at its end).
						whole := s.err == nil && len(s.body) >= s.declared
						if whole && testutil.ToFloat64(m.met.mispredicted) == mp {
							e := ev.waitDeferred(t)
							line += fmt.Sprintf("; verdict %v cached %v match %v", e.Verdict.Kind, e.Verdict.Cached, e.Verdict.Match)
						}
						waitHeldZero(t, m)
						for len(ev.ch) > 0 { // none expected
							e := <-ev.ch
							line += fmt.Sprintf("; unexpected verdict %v cached %v match %v", e.Verdict.Kind, e.Verdict.Cached, e.Verdict.Match)
						}
						got[i] = append(got[i], line)
					}
					got[i] = append(got[i], fmt.Sprint("mispredicted ", testutil.ToFloat64(m.met.mispredicted)))
				}
				for i := range got[0] {
					if got[0][i] != got[1][i] {
						t.Errorf("new %s\nref %s", got[0][i], got[1][i])
					}
				}
			})
		}
	}
}

// socketReader returns at most max bytes per read, as a socket returns
// what has arrived.
type socketReader struct {
	b   []byte
	max int
}

func (s *socketReader) Read(p []byte) (int, error) {
	if len(s.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.b[:min(len(s.b), s.max)])
	s.b = s.b[n:]
	return n, nil
}

func (s *socketReader) Close() error { return nil }

// BenchmarkAheadRead streams a cached full-size page (1200x1700 q85)
// through ModifyResponse into a 32 KB reader buffer, as ReverseProxy
// reads, the upstream returning at most 64 KB per read: aheadBodyRef
// and aheadBody. In process there are no system calls to save; this is
// the CPU of the rest.
func BenchmarkAheadRead(b *testing.B) {
	body, err := pirate.EncodeJPEG(testpages.Page(testpages.Spec{Series: 0, Page: 0, Width: 1200, Height: 1700}), 85)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 32<<10)
	req, _ := http.NewRequest("GET", "http://origin/a.jpg", nil)
	for _, ref := range []bool{true, false} {
		b.Run(map[bool]string{true: "ref", false: "new"}[ref], func(b *testing.B) {
			m := newMatcher(b, false)
			m.Check(context.Background(), body)
			read := func() {
				resp := &http.Response{StatusCode: 200, Request: req, ContentLength: int64(len(body)),
					Header: http.Header{"Content-Type": {"image/jpeg"}, "Etag": {`"a"`}},
					Body:   &socketReader{b: body, max: 64 << 10}}
				m.ModifyResponse(resp)
				var r io.Reader = resp.Body
				if ref {
					r = (*aheadBodyRef)(resp.Body.(*aheadBody))
				}
				io.CopyBuffer(io.Discard, struct{ io.Reader }{r}, buf)
				resp.Body.Close()
			}
			read() // copied; its prefix learnt
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				read()
			}
			if n := testutil.ToFloat64(m.met.mispredicted); n != 0 {
				b.Fatalf("%v mispredictions", n)
			}
		})
	}
}
