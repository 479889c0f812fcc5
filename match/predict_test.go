package match

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/iotest"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// upstreams make a response body from bytes, each arriving in its own
// way; all end with io.EOF.
var upstreams = []struct {
	name string
	make func(b []byte, rng *rand.Rand) io.Reader
}{
	{"one byte", func(b []byte, _ *rand.Rand) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) }},
	{"half", func(b []byte, _ *rand.Rand) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) }},
	{"data+EOF", func(b []byte, _ *rand.Rand) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) }},
	{"random pieces", func(b []byte, rng *rand.Rand) io.Reader { return &pieces{b: b, rng: rng} }},
}

// readerBufs are the reader's buffer sizes: ReverseProxy reads 32 KB at
// a time, or ProxyBufferSize with NewBufferPool (read into directly);
// others read less, some less than a block.
var readerBufs = []int{1, 100, keyBlock + 1, 32 << 10, ProxyBufferSize}

type closeCounter struct {
	io.Reader
	closed bool
}

func (c *closeCounter) Close() error { c.closed = true; return nil }

// streamOnce reads body through ModifyResponse as a reader with a buffer
// of bufSize does, the upstream sending it as up does, and checks that
// the reader gets exactly the body, by checksum, then io.EOF. It returns
// whether the body passed without a copy.
func streamOnce(t *testing.T, m *Matcher, body []byte, declared bool, up io.Reader, bufSize int) (passing bool) {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://origin/a.jpg", nil)
	n := int64(-1)
	if declared {
		n = int64(len(body))
	}
	src := &closeCounter{Reader: up}
	resp := &http.Response{StatusCode: 200, Request: req, ContentLength: n,
		Header: http.Header{"Content-Type": {"image/jpeg"}}, Body: src}
	m.ModifyResponse(resp)
	var c *streamCopy
	switch b := resp.Body.(type) {
	case *aheadBody:
		c = &b.c
	case *teeBody:
		c = &b.c
	default:
		t.Fatalf("body %T", resp.Body)
	}
	h := sha256.New()
	buf := make([]byte, bufSize)
	var err error
	var got int
	for err == nil {
		var k int
		k, err = resp.Body.Read(buf)
		h.Write(buf[:k])
		got += k
	}
	resp.Body.Close()
	if want := sha256.Sum256(body); err != io.EOF || !bytes.Equal(h.Sum(nil), want[:]) || !src.closed {
		t.Fatalf("got %d bytes, sum %x, %v, closed %v; want %d bytes, sum %x, EOF", got, h.Sum(nil)[:4], err, src.closed, len(body), want[:4])
	}
	return c.passing
}

// TestPredictedKeys streams a body twice, each time arriving in other
// reads (one byte at a time, half of what is asked, data with EOF,
// random pieces) into other reader buffers (1 byte to 32 KB): the first
// time it is copied and fingerprinted, the second time it is predicted
// from its first block and hashed where it passes, without a copy, and
// its key must find the verdict the first one cached. Both times the
// reader must get the same bytes.
func TestPredictedKeys(t *testing.T) {
	f := loadFixtures()
	rng := rand.New(rand.NewPCG(5, 6))
	for _, declared := range []bool{true, false} {
		ev := newEvents()
		m := newMatcher(t, true, WithOnVerdict(ev.add))
		i := 0
		for ui := range upstreams {
			for bi := range readerBufs {
				i++
				body := uniqueJPEG(f.pirateA, uint64(i))
				name := fmt.Sprintf("declared %v, %s into %d, then %s into %d", declared,
					upstreams[ui].name, readerBufs[bi], upstreams[(ui+1)%4].name, readerBufs[(bi+1)%len(readerBufs)])
				t.Run(name, func(t *testing.T) {
					if streamOnce(t, m, body, declared, upstreams[ui].make(body, rng), readerBufs[bi]) {
						t.Fatal("first-seen body passed without a copy")
					}
					if e := ev.waitDeferred(t); e.Verdict.Cached || !e.Verdict.Match {
						t.Fatalf("first verdict %+v", e.Verdict)
					}
					if !streamOnce(t, m, body, declared, upstreams[(ui+1)%4].make(body, rng), readerBufs[(bi+1)%len(readerBufs)]) {
						t.Fatal("cached body copied")
					}
					if e := ev.waitDeferred(t); !e.Verdict.Cached || !e.Verdict.Match {
						t.Fatalf("second verdict %+v: the keys differ", e.Verdict)
					}
				})
			}
		}
		waitHeldZero(t, m)
		if n := testutil.ToFloat64(m.met.mispredicted); n != 0 {
			t.Errorf("%v mispredictions", n)
		}
	}
}

// TestPrefixHitThenMiss streams a body that shares its first block and
// its length with a cached one but differs after: it is predicted, not
// copied, and misses the cache, so it gets no verdict; its next request
// is copied and fingerprinted, and from then on its prefix is ambiguous:
// both bodies are copied, and get their verdicts from the cache.
func TestPrefixHitThenMiss(t *testing.T) {
	f := loadFixtures()
	a := f.pirateA
	b := bytes.Clone(a)
	b[len(b)-100] ^= 0x10 // in the last block of the entropy-coded data
	rng := rand.New(rand.NewPCG(7, 8))
	for _, declared := range []bool{true, false} {
		t.Run(fmt.Sprint("declared ", declared), func(t *testing.T) {
			ev := newEvents()
			m := newMatcher(t, true, WithOnVerdict(ev.add))
			steps := []struct {
				body            []byte
				passing, cached bool
				verdict         bool
			}{
				{a, false, false, true}, // first seen: copied, fingerprinted
				{a, true, true, true},   // predicted, passes, cached
				{b, true, false, false}, // predicted, passes, misses: no verdict
				{b, false, false, true}, // ambiguous: copied, fingerprinted
				{b, false, true, true},  // still copied, cached
				{a, false, true, true},  // a too
			}
			for i, s := range steps {
				passing := streamOnce(t, m, s.body, declared, &pieces{b: s.body, rng: rng}, 32<<10)
				if passing != s.passing {
					t.Fatalf("step %d: passing %v, want %v", i, passing, s.passing)
				}
				if !s.verdict {
					waitHeldZero(t, m)
					select {
					case e := <-ev.ch:
						t.Fatalf("step %d: verdict %+v", i, e)
					default:
					}
					if n := testutil.ToFloat64(m.met.mispredicted); n != 1 {
						t.Fatalf("step %d: %v mispredictions, want 1", i, n)
					}
					continue
				}
				if e := ev.waitDeferred(t); e.Verdict.Cached != s.cached {
					t.Fatalf("step %d: verdict %+v, want cached %v", i, e.Verdict, s.cached)
				}
			}
			waitHeldZero(t, m)
		})
	}
}

// TestMiddlewarePredicted writes a body through the middleware in writes
// of other sizes each time: copied first, then hashed in place.
func TestMiddlewarePredicted(t *testing.T) {
	body := loadFixtures().pirateA
	ev := newEvents()
	m := newMatcher(t, true, WithOnVerdict(ev.add))
	for i, size := range []int{keyBlock + 3, 1, 100, 32 << 10, 1 << 20} {
		h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/jpeg")
			for rest := body; len(rest) > 0; {
				k := min(size, len(rest))
				w.Write(rest[:k])
				rest = rest[k:]
			}
		}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "http://site/a.jpg", nil))
		if !bytes.Equal(rec.Body.Bytes(), body) {
			t.Fatalf("writes of %d: body differs", size)
		}
		if e := ev.waitDeferred(t); e.Verdict.Cached != (i > 0) || !e.Verdict.Match {
			t.Fatalf("writes of %d: verdict %+v", size, e.Verdict)
		}
	}
	waitHeldZero(t, m)
}

// TestPredictedCutShort streams a cached body again, predicted and read
// ahead through the window, but cut short, shorter than declared, or
// longer: the reader gets what the upstream sent, ended the same way; only
// the whole body gets a verdict (from the cache), and nothing counts as a
// misprediction.
func TestPredictedCutShort(t *testing.T) {
	a := loadFixtures().pirateA
	cut := errors.New("connection reset")
	rng := rand.New(rand.NewPCG(9, 10))
	for _, c := range []struct {
		name    string
		body    []byte
		err     error
		verdict bool
	}{
		{"cut", a[:len(a)/2], cut, false},
		{"shorter than declared", a[:len(a)-10], nil, false},
		{"longer than declared", append(bytes.Clone(a), "trailing"...), nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ev := newEvents()
			m := newMatcher(t, true, WithOnVerdict(ev.add))
			streamOnce(t, m, a, true, bytes.NewReader(a), 32<<10)
			ev.waitDeferred(t)
			req, _ := http.NewRequest("GET", "http://origin/a.jpg", nil)
			up := &pieces{b: c.body, rng: rng, err: c.err}
			resp := &http.Response{StatusCode: 200, Request: req, ContentLength: int64(len(a)),
				Header: http.Header{"Content-Type": {"image/jpeg"}}, Body: up}
			m.ModifyResponse(resp)
			got, err := io.ReadAll(iotest.HalfReader(resp.Body))
			resp.Body.Close()
			wantErr := c.err
			if !bytes.Equal(got, c.body) || err != wantErr || !up.closed {
				t.Fatalf("got %d bytes, %v, closed %v; want %d bytes, %v", len(got), err, up.closed, len(c.body), wantErr)
			}
			if !resp.Body.(*aheadBody).c.passing {
				t.Error("not predicted")
			}
			waitHeldZero(t, m)
			if c.verdict {
				if e := ev.waitDeferred(t); !e.Verdict.Cached {
					t.Errorf("verdict %+v", e.Verdict)
				}
			} else {
				select {
				case e := <-ev.ch:
					t.Errorf("verdict %+v", e)
				default:
				}
			}
			if n := testutil.ToFloat64(m.met.mispredicted); n != 0 {
				t.Errorf("%v mispredictions", n)
			}
		})
	}
}
