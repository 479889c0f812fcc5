package match

import (
	"bytes"
	"crypto/tls"
	"net/http"
	"net/url"
	"testing"
)

var objectURLs = []string{
	"http://origin/a.jpg",
	"https://cdn.example.com:8443/series/1/p-002.jpg?w=1200&q=85",
	"http://[::1]:8080/x.png",
	"http://origin/path%20with%20spaces/a.jpg",
	"http://origin/caf%C3%A9.jpg",
	"http://origin/a.jpg?",
	"http://origin",
	"http://origin/a.jpg#frag",
	"http://user:pw@origin/a.jpg",
	"http://café.example/a.jpg",
	"http://%C3%A9.example/a.jpg",
	"http://xn--caf-dma.example/a.jpg",
	"https://host/a;b/c,d/%2F/e.webp?x=%20",
	"mailto:someone@example.com",
	"/relative/a.jpg?x",
	"",
}

// TestObjectURL checks that the allocation-free URL formatting writes what
// net/url does, so that object keys and reported URLs are unchanged.
func TestObjectURL(t *testing.T) {
	for _, s := range objectURLs {
		u, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		o := object{req: &http.Request{URL: u}}
		if got, want := o.url(), u.String(); got != want {
			t.Errorf("client %q: %q, want %q", s, got, want)
		}
		for _, secure := range []bool{false, true} {
			r := &http.Request{URL: u, Host: "front.example:8081"}
			scheme := "http://"
			if secure {
				r.TLS, scheme = &tls.ConnectionState{}, "https://"
			}
			o := object{req: r, server: true}
			if got, want := o.url(), scheme+r.Host+u.RequestURI(); got != want {
				t.Errorf("server %q: %q, want %q", s, got, want)
			}
		}
	}
}

func FuzzObjectURL(f *testing.F) {
	for _, s := range objectURLs {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := url.Parse(s)
		if err != nil {
			return
		}
		o := object{req: &http.Request{URL: u}}
		if got, want := o.url(), u.String(); got != want {
			t.Errorf("client %q: %q, want %q", s, got, want)
		}
		o = object{req: &http.Request{URL: u, Host: "h"}, server: true}
		if got, want := o.url(), "http://h"+u.RequestURI(); got != want {
			t.Errorf("server %q: %q, want %q", s, got, want)
		}
	})
}

// TestHitAllocs checks that a verdict-cache hit through ModifyResponse
// allocates only the body it hands back.
func TestHitAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under -race")
	}
	body := loadFixtures().pirateA
	m := newMatcher(t, true)
	m.Check(t.Context(), body) // warm the cache
	req, _ := http.NewRequest("GET", "http://origin/series-1/a.jpg?w=600", nil)
	resp := &http.Response{StatusCode: 200, Request: req, ContentLength: int64(len(body)),
		Header: http.Header{"Content-Type": {"image/jpeg"}, "Etag": {`"a"`}}}
	src := &rewinder{}
	buf := make([]byte, 32<<10)
	allocs := testing.AllocsPerRun(200, func() {
		src.Reset(body)
		resp.Body = src
		m.ModifyResponse(resp)
		for {
			if _, err := resp.Body.Read(buf); err != nil {
				break
			}
		}
		resp.Body.Close()
	})
	if allocs > 1 {
		t.Errorf("a cache hit allocates %.1f times, want at most 1 (the body)", allocs)
	}
}

// rewinder is a bytes.Reader that closes, for reuse as a response body.
type rewinder struct{ bytes.Reader }

func (*rewinder) Close() error { return nil }
