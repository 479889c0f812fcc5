package match

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/zeebo/xxh3"

	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// uniqueJPEG returns body with a JPEG comment segment holding n inserted
// after SOI: the same image, other bytes, so a cache miss.
func uniqueJPEG(body []byte, n uint64) []byte {
	out := make([]byte, 0, len(body)+14)
	out = append(out, body[:2]...)
	out = append(out, 0xff, 0xfe, 0, 10)
	out = binary.BigEndian.AppendUint64(out, n)
	return append(out, body[2:]...)
}

func BenchmarkCheck(b *testing.B) {
	f := loadFixtures()
	b.Run("cached", func(b *testing.B) {
		m := newMatcher(b, true)
		m.Check(context.Background(), f.pirateA)
		b.SetBytes(int64(len(f.pirateA)))
		b.ReportAllocs()
		for b.Loop() {
			if v, _ := m.Check(context.Background(), f.pirateA); !v.Cached {
				b.Fatal("not cached")
			}
		}
	})
	b.Run("first-seen", func(b *testing.B) {
		m := newMatcher(b, true)
		b.SetBytes(int64(len(f.pirateA)))
		b.ReportAllocs()
		var n uint64
		for b.Loop() {
			n++
			if v, _ := m.Check(context.Background(), uniqueJPEG(f.pirateA, n)); v.Cached || !v.Match {
				b.Fatalf("%+v", v)
			}
		}
	})
}

// BenchmarkModifyResponse compares draining a response body with and
// without ModifyResponse on a cache hit, for the test page (600x850) and a
// full-size page (1200x1700).
func BenchmarkModifyResponse(b *testing.B) {
	full, err := pirate.EncodeJPEG(testpages.Page(testpages.Spec{Series: 1, Page: 2}), 85)
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "http://origin/a.jpg", nil)
	buf := make([]byte, 32<<10)
	for _, body := range [][]byte{loadFixtures().pirateA, full} {
		for _, on := range []bool{false, true} {
			name := fmt.Sprintf("%dKB/plain", len(body)>>10)
			if on {
				name = fmt.Sprintf("%dKB/pagematch", len(body)>>10)
			}
			b.Run(name, func(b *testing.B) {
				m := newMatcher(b, true)
				m.Check(context.Background(), body) // warm the cache
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					resp := &http.Response{StatusCode: 200, Request: req, ContentLength: int64(len(body)),
						Header: http.Header{"Content-Type": {"image/jpeg"}, "Etag": {`"a"`}},
						Body:   io.NopCloser(bytes.NewReader(body))}
					if on {
						m.ModifyResponse(resp)
					}
					// As ReverseProxy does: Read into its own buffer.
					io.CopyBuffer(io.Discard, struct{ io.Reader }{resp.Body}, buf)
					resp.Body.Close()
				}
			})
		}
	}
}

// BenchmarkProxyLoopback fetches one cached page through a ReverseProxy
// over loopback, with and without ModifyResponse; see
// benchmarks/cmd/proxybench for the load figures.
func BenchmarkProxyLoopback(b *testing.B) {
	f := loadFixtures()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(f.pirateA)
	}))
	defer origin.Close()
	u, _ := url.Parse(origin.URL)
	for _, on := range []bool{false, true} {
		name := "plain"
		if on {
			name = "pagematch"
		}
		b.Run(name, func(b *testing.B) {
			var m *Matcher
			if on {
				m = newMatcher(b, true)
				m.Check(context.Background(), f.pirateA) // warm the cache
			}
			front := httptest.NewServer(newProxy(u, m))
			defer front.Close()
			c := front.Client()
			b.SetBytes(int64(len(f.pirateA)))
			b.ReportAllocs()
			for b.Loop() {
				resp, err := c.Get(front.URL + "/a.jpg")
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}

// BenchmarkBodyKey hashes a full-size page (327 KB) in cache: the key on
// 4 KiB blocks, the same on 64 KiB chunks, and one-shot xxh3 of the
// whole body, for what the block size costs.
func BenchmarkBodyKey(b *testing.B) {
	body, err := pirate.EncodeJPEG(testpages.Page(testpages.Spec{Series: 0, Page: 0, Width: 1200, Height: 1700}), 85)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("4KiB-blocks", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			bodyKey(body)
		}
	})
	b.Run("64KiB-chunks", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var acc uint64
			for i := 0; i < len(body); i += 64 << 10 {
				acc = xxh3.HashSeed(body[i:min(len(body), i+64<<10)], acc)
			}
		}
	})
	b.Run("one-shot", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			xxh3.Hash(body)
		}
	})
}
