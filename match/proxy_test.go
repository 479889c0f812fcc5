package match

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var modTime = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// upstream serves the fixtures the way an origin or a CDN would.
func upstream() http.Handler {
	f := loadFixtures()
	mux := http.NewServeMux()
	serve := func(path, etag string, body []byte) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			if etag != "" {
				w.Header().Set("Etag", etag)
			}
			http.ServeContent(w, r, path, modTime, bytes.NewReader(body)) // Range, HEAD, 304
		})
	}
	serve("/a.jpg", `"a"`, f.pirateA)
	serve("/a-noetag.jpg", "", f.pirateA)
	serve("/b.jpg", `"b"`, f.pageB)
	serve("/blank.jpg", `"blank"`, f.blank)
	serve("/corrupt.jpg", `"c"`, f.pirateA[:len(f.pirateA)/3])
	serve("/text.txt", `"t"`, bytes.Repeat([]byte("not an image\n"), 10000))
	// No Content-Length: written in pieces and flushed, so chunked.
	mux.HandleFunc("/a-chunked.jpg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Header().Set("Etag", `"a-chunked"`)
		for b := f.pirateA; len(b) > 0; {
			n := min(len(b), 4096)
			w.Write(b[:n])
			w.(http.Flusher).Flush()
			b = b[n:]
		}
	})
	// Mislabelled: an image declared as something else.
	mux.HandleFunc("/a-octet", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(f.pirateA)
	})
	mux.HandleFunc("/bin", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(bytes.Repeat([]byte{1, 2, 3, 4, 5}, 20000))
	})
	mux.HandleFunc("/tiny", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("hi"))
	})
	// No Content-Type: net/http sniffs it.
	mux.HandleFunc("/a-sniffed", func(w http.ResponseWriter, r *http.Request) {
		w.Write(f.pirateA)
	})
	mux.HandleFunc("/a-gzip.jpg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		zw.Write(f.pirateA)
		zw.Close()
	})
	// Declares the whole page, sends a third, then drops the connection.
	mux.HandleFunc("/a-cut.jpg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Header().Set("Content-Length", fmt.Sprint(len(f.pirateA)))
		w.Write(f.pirateA[:len(f.pirateA)/3])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	})
	return mux
}

// newProxy returns a ReverseProxy to u, through m if not nil.
func newProxy(u *url.URL, m *Matcher) *httputil.ReverseProxy {
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = discardLog()
	if m != nil {
		rp.ModifyResponse = m.ModifyResponse
	}
	return rp
}

// setup puts a Matcher between a client and the upstream and returns the
// client and the base URL to request.
type setup struct {
	name string
	run  func(t *testing.T, m *Matcher, up http.Handler) (*http.Client, string)
}

var setups = []setup{
	{"ReverseProxy", func(t *testing.T, m *Matcher, up http.Handler) (*http.Client, string) {
		origin := httptest.NewServer(up)
		t.Cleanup(origin.Close)
		u, _ := url.Parse(origin.URL)
		front := httptest.NewServer(newProxy(u, m))
		t.Cleanup(front.Close)
		return front.Client(), front.URL
	}},
	{"Middleware", func(t *testing.T, m *Matcher, up http.Handler) (*http.Client, string) {
		front := httptest.NewServer(m.Middleware(up))
		t.Cleanup(front.Close)
		return front.Client(), front.URL
	}},
	{"Transport", func(t *testing.T, m *Matcher, up http.Handler) (*http.Client, string) {
		origin := httptest.NewServer(up)
		t.Cleanup(origin.Close)
		return &http.Client{Transport: m.Transport(origin.Client().Transport)}, origin.URL
	}},
}

// baseline fetches from the upstream without pagematch.
type baseline struct {
	c    *http.Client
	base string
}

func newBaseline(t *testing.T) baseline {
	s := httptest.NewServer(upstream())
	t.Cleanup(s.Close)
	return baseline{s.Client(), s.URL}
}

func (b baseline) get(t *testing.T, method, path string, hdr http.Header) result {
	return fetch(t, b.c, method, b.base+path, hdr)
}

// events collects WithOnVerdict events.
type events struct {
	mu sync.Mutex
	ev []Event
	ch chan Event
}

func newEvents() *events { return &events{ch: make(chan Event, 1000)} }

func (e *events) add(ev Event) {
	e.mu.Lock()
	e.ev = append(e.ev, ev)
	e.mu.Unlock()
	e.ch <- ev
}

// waitDeferred waits for a deferred verdict.
func (e *events) waitDeferred(t *testing.T) Event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-e.ch:
			if ev.Deferred {
				return ev
			}
		case <-timeout:
			t.Fatal("no deferred verdict")
		}
	}
}

func sameAs(t *testing.T, what string, got, want result) {
	t.Helper()
	if got.err != nil || got.status != want.status || got.sum != want.sum {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

var verdictRE = regexp.MustCompile(`^match; id="pub/series-1/p-002.jpg"; distance=[0-9]+$`)

var rangeHdr = http.Header{"Range": {"bytes=100-5099"}}

func TestEndToEnd(t *testing.T) {
	base := newBaseline(t)
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			t.Run("LogOnlyIdenticalBytes", func(t *testing.T) {
				ev := newEvents()
				m := newMatcher(t, true, WithOnVerdict(ev.add))
				c, u := s.run(t, m, upstream())
				for _, p := range []string{"/a.jpg", "/a.jpg", "/b.jpg", "/blank.jpg", "/text.txt", "/a-chunked.jpg", "/a-noetag.jpg", "/a-sniffed", "/corrupt.jpg"} {
					got := fetch(t, c, "GET", u+p, nil)
					sameAs(t, p, got, base.get(t, "GET", p, nil))
					if got.header.Get(HeaderVerdict) != "" {
						t.Errorf("%s: LogOnly added a header", p)
					}
				}
				sameAs(t, "range", fetch(t, c, "GET", u+"/a.jpg", rangeHdr), base.get(t, "GET", "/a.jpg", rangeHdr))
				// Verdicts come once a body has streamed; a first-seen
				// body's once its fingerprint is done, in the background.
				waitHeldZero(t, m)
				// a.jpg twice (the second cached), chunked, no-ETag, sniffed (middleware only)
				waitFor(t, "4 match events", func() bool {
					ev.mu.Lock()
					defer ev.mu.Unlock()
					matches := 0
					for _, e := range ev.ev {
						if e.Verdict.Match {
							matches++
						}
					}
					return matches >= 4
				})
				ev.mu.Lock()
				recorded := 0 // the range response, by the match recorded for a.jpg
				for _, e := range ev.ev {
					if !e.Verdict.Match {
						continue
					}
					if e.Action != ActionNone || e.Verdict.ID != idA {
						t.Errorf("event %+v", e)
					}
					if !e.Deferred {
						recorded++
					}
				}
				ev.mu.Unlock()
				if recorded > 1 {
					t.Errorf("%d match events before the body streamed, want at most 1 (the range request)", recorded)
				}
			})
			t.Run("AddHeader", func(t *testing.T) {
				m := newMatcher(t, true, WithPolicy(AddHeader))
				c, u := s.run(t, m, upstream())
				got := fetch(t, c, "GET", u+"/a.jpg", nil)
				sameAs(t, "a.jpg", got, base.get(t, "GET", "/a.jpg", nil))
				if h := got.header.Get(HeaderVerdict); !verdictRE.MatchString(h) {
					t.Errorf("verdict header %q", h)
				}
				got = fetch(t, c, "GET", u+"/b.jpg", nil)
				sameAs(t, "b.jpg", got, base.get(t, "GET", "/b.jpg", nil))
				if h := got.header.Get(HeaderVerdict); h != "" {
					t.Errorf("b.jpg: verdict header %q", h)
				}
				// The recorded match marks the range and HEAD responses too.
				for _, req := range []struct {
					method string
					hdr    http.Header
				}{{"GET", rangeHdr}, {"HEAD", nil}} {
					got = fetch(t, c, req.method, u+"/a.jpg", req.hdr)
					sameAs(t, req.method+" a.jpg", got, base.get(t, req.method, "/a.jpg", req.hdr))
					if got.header.Get(HeaderVerdict) == "" {
						t.Errorf("%s %v: no verdict header", req.method, req.hdr)
					}
				}
			})
			t.Run("Block", func(t *testing.T) {
				m := newMatcher(t, true, WithPolicy(Block))
				c, u := s.run(t, m, upstream())
				// A range request before any full one cannot be judged.
				sameAs(t, "first range", fetch(t, c, "GET", u+"/a.jpg", rangeHdr), base.get(t, "GET", "/a.jpg", rangeHdr))
				got := fetch(t, c, "GET", u+"/a.jpg", nil)
				checkBlocked(t, "a.jpg", got, "GET")
				sameAs(t, "b.jpg", fetch(t, c, "GET", u+"/b.jpg", nil), base.get(t, "GET", "/b.jpg", nil))
				// Now recorded: range, HEAD and conditional requests are blocked too.
				checkBlocked(t, "range", fetch(t, c, "GET", u+"/a.jpg", rangeHdr), "GET")
				checkBlocked(t, "HEAD", fetch(t, c, "HEAD", u+"/a.jpg", nil), "HEAD")
				checkBlocked(t, "If-None-Match", fetch(t, c, "GET", u+"/a.jpg", http.Header{"If-None-Match": {`"a"`}}), "GET")
				// Without an ETag the object is its length and Last-Modified.
				checkBlocked(t, "no ETag", fetch(t, c, "GET", u+"/a-noetag.jpg", nil), "GET")
				checkBlocked(t, "no ETag, range", fetch(t, c, "GET", u+"/a-noetag.jpg", rangeHdr), "GET")
				checkBlocked(t, "no ETag, HEAD", fetch(t, c, "HEAD", u+"/a-noetag.jpg", nil), "HEAD")
				// Unrecorded objects keep their 206 and 304.
				sameAs(t, "b range", fetch(t, c, "GET", u+"/b.jpg", rangeHdr), base.get(t, "GET", "/b.jpg", rangeHdr))
				inm := http.Header{"If-None-Match": {`"b"`}}
				if got := fetch(t, c, "GET", u+"/b.jpg", inm); got.status != http.StatusNotModified {
					t.Errorf("b.jpg If-None-Match: %v", got)
				}
				// Encoded bodies are not inspected, except by Transport
				// when http.Transport decoded them already.
				gz := fetch(t, c, "GET", u+"/a-gzip.jpg", nil)
				if s.name == "Transport" {
					checkBlocked(t, "gzip", gz, "GET")
				} else {
					sameAs(t, "gzip", gz, base.get(t, "GET", "/a-gzip.jpg", nil))
				}
			})
			t.Run("StreamOverHoldLimit", func(t *testing.T) {
				ev := newEvents()
				m := newMatcher(t, true, WithPolicy(Block), WithHoldBytes(16<<10), WithOnVerdict(ev.add))
				c, u := s.run(t, m, upstream())
				for _, p := range []string{"/a.jpg", "/a-chunked.jpg"} {
					// First request: streams whole, identical; decided afterwards.
					sameAs(t, p+" first", fetch(t, c, "GET", u+p, nil), base.get(t, "GET", p, nil))
					if e := ev.waitDeferred(t); !e.Verdict.Match {
						t.Fatalf("%s: deferred verdict %+v", p, e)
					}
					// Next request for the object: blocked before the first byte.
					checkBlocked(t, p+" second", fetch(t, c, "GET", u+p, nil), "GET")
				}
				waitHeldZero(t, m)
			})
			t.Run("OverInspectionCap", func(t *testing.T) {
				ev := newEvents()
				m := newMatcher(t, true, WithPolicy(Block), WithMaxBytes(16<<10), WithOnVerdict(ev.add))
				c, u := s.run(t, m, upstream())
				for _, p := range []string{"/a.jpg", "/a-chunked.jpg"} {
					for range 2 {
						sameAs(t, p, fetch(t, c, "GET", u+p, nil), base.get(t, "GET", p, nil))
					}
				}
				ev.mu.Lock()
				defer ev.mu.Unlock()
				for _, e := range ev.ev {
					if e.Verdict.Kind != KindTooLarge {
						t.Errorf("event %+v, want KindTooLarge", e)
					}
				}
				if len(ev.ev) != 4 {
					t.Errorf("%d events, want 4", len(ev.ev))
				}
			})
			t.Run("FailClosed", func(t *testing.T) {
				m := newMatcher(t, true, WithPolicy(Block), WithFailClosed(true), WithHoldBytes(64<<10))
				c, u := s.run(t, m, upstream())
				checkRefused(t, "corrupt", fetch(t, c, "GET", u+"/corrupt.jpg", nil))
				checkRefused(t, "over the hold limit", fetch(t, c, "GET", u+"/b.jpg", nil))
				checkRefused(t, "cut", fetch(t, c, "GET", u+"/a-cut.jpg", nil))
				sameAs(t, "blank", fetch(t, c, "GET", u+"/blank.jpg", nil), base.get(t, "GET", "/blank.jpg", nil))
				sameAs(t, "text", fetch(t, c, "GET", u+"/text.txt", nil), base.get(t, "GET", "/text.txt", nil))
			})
			t.Run("NoRoomToHold", func(t *testing.T) {
				ev := newEvents()
				m := newMatcher(t, true, WithPolicy(Block), WithMaxHeldBytes(1000), WithOnVerdict(ev.add))
				c, u := s.run(t, m, upstream())
				for _, p := range []string{"/a.jpg", "/a-chunked.jpg"} {
					sameAs(t, p, fetch(t, c, "GET", u+p, nil), base.get(t, "GET", p, nil))
				}
				ev.mu.Lock()
				for _, e := range ev.ev {
					if e.Verdict.Kind != KindBusy || !errors.Is(e.Verdict.Err, ErrBusy) {
						t.Errorf("event %+v, want KindBusy", e)
					}
				}
				ev.mu.Unlock()
				waitHeldZero(t, m)
				m = newMatcher(t, true, WithPolicy(Block), WithFailClosed(true), WithMaxHeldBytes(1000))
				c, u = s.run(t, m, upstream())
				checkRefused(t, "fail-closed, no room", fetch(t, c, "GET", u+"/a.jpg", nil))
			})
			t.Run("Sniff", func(t *testing.T) {
				for _, sniff := range []bool{false, true} {
					m := newMatcher(t, true, WithPolicy(Block), WithSniff(sniff))
					c, u := s.run(t, m, upstream())
					if got := fetch(t, c, "GET", u+"/a-octet", nil); sniff {
						checkBlocked(t, "mislabelled image, sniffed", got, "GET")
					} else {
						sameAs(t, "mislabelled image", got, base.get(t, "GET", "/a-octet", nil))
					}
					for _, p := range []string{"/bin", "/tiny", "/text.txt", "/b.jpg"} {
						sameAs(t, p, fetch(t, c, "GET", u+p, nil), base.get(t, "GET", p, nil))
					}
				}
			})
			t.Run("UpstreamCut", func(t *testing.T) {
				m := newMatcher(t, true, WithPolicy(Block))
				c, u := s.run(t, m, upstream())
				got, want := fetch(t, c, "GET", u+"/a-cut.jpg", nil), base.get(t, "GET", "/a-cut.jpg", nil)
				if want.err == nil || got.err == nil || got.n != want.n {
					t.Errorf("cut body: got %v, want %v", got, want)
				}
			})
		})
	}
}

// waitHeldZero checks that every held byte was given back.
func waitHeldZero(t *testing.T, m *Matcher) {
	t.Helper()
	waitFor(t, "held bytes back to 0", func() bool { return m.held.Load() == 0 })
}

func checkBlocked(t *testing.T, what string, got result, method string) {
	t.Helper()
	if got.status != http.StatusUnavailableForLegalReasons {
		t.Errorf("%s: %v, want 451", what, got)
		return
	}
	if l := got.header.Get("Link"); l != "<"+rightsURL+`>; rel="blocked-by"` {
		t.Errorf("%s: Link %q", what, l)
	}
	if cc := got.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("%s: Cache-Control %q", what, cc)
	}
	if !strings.HasPrefix(got.header.Get(HeaderVerdict), "match; ") {
		t.Errorf("%s: verdict header %q", what, got.header.Get(HeaderVerdict))
	}
	if got.header.Get("Etag") != "" || got.header.Get("Content-Range") != "" {
		t.Errorf("%s: upstream headers kept: %v", what, got.header)
	}
	if want := len(blockedBody); method == "GET" && got.n != want {
		t.Errorf("%s: body of %d bytes, want %d", what, got.n, want)
	}
}

func checkRefused(t *testing.T, what string, got result) {
	t.Helper()
	if got.status != http.StatusServiceUnavailable || got.n != len(refusedBody) {
		t.Errorf("%s: %v, want 503", what, got)
	}
}

// TestMiddlewareHeaderAfterWriteHeader: changes after WriteHeader are
// ignored by net/http, and so by a held response.
func TestMiddlewareHeaderAfterWriteHeader(t *testing.T) {
	f := loadFixtures()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Header().Set("X-Before", "1")
		w.Header().Set("Trailer", "X-Checksum")
		w.WriteHeader(http.StatusOK)
		w.Header().Set("X-After", "1")
		w.Header().Del("X-Before")
		w.Write(f.pageB)
		w.Header().Set("X-Checksum", "42") // a declared trailer
	})
	for _, wrap := range []bool{false, true} {
		var handler http.Handler = h
		if wrap {
			handler = newMatcher(t, true).Middleware(h)
		}
		srv := httptest.NewServer(handler)
		got := fetch(t, srv.Client(), "GET", srv.URL, nil)
		srv.Close()
		if got.header.Get("X-Before") != "1" || got.header.Get("X-After") != "" || got.n != len(f.pageB) {
			t.Errorf("wrapped=%v: %v %v", wrap, got, got.header)
		}
		if got.trailer.Get("X-Checksum") != "42" {
			t.Errorf("wrapped=%v: trailer %v", wrap, got.trailer)
		}
	}
}

// TestMiddlewareContentLength: writing more than the declared length fails
// as it does without the middleware. A streaming body (LogOnly) reaches the
// client as it would without the middleware; a held one (Block) sends the
// declared bytes.
func TestMiddlewareContentLength(t *testing.T) {
	f := loadFixtures()
	declared := len(f.pageB) - 10
	var werr error
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Header().Set("Content-Length", fmt.Sprint(declared))
		_, werr = w.Write(f.pageB)
	})
	get := func(handler http.Handler) result {
		srv := httptest.NewServer(handler)
		defer srv.Close()
		return fetch(t, srv.Client(), "GET", srv.URL, nil)
	}
	bare := get(h)
	for _, p := range []Policy{LogOnly, Block} {
		got := get(newMatcher(t, true, WithPolicy(p)).Middleware(h))
		if !errors.Is(werr, http.ErrContentLength) {
			t.Errorf("%v: write error %v", p, werr)
		}
		switch {
		case p == LogOnly && (got.status != bare.status || got.n != bare.n || got.sum != bare.sum):
			t.Errorf("%v: client got %v, without the middleware %v", p, got, bare)
		case p == Block && got.n != declared:
			t.Errorf("%v: client got %v, want the %d declared bytes", p, got, declared)
		}
	}
}
