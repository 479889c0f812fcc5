package match

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/zeebo/xxh3"
)

// object identifies the resource a response carries: its URL, and the key
// under which a match is recorded for it (see objectKey). The URL is
// formatted only when someone reads it (a hook, an enabled log level), so
// that a cache hit does not allocate it.
type object struct {
	req    *http.Request // nil: no URL
	server bool          // the URL as a server sees it (Middleware), not the request's own
	s      string        // the URL, once formatted by fix
	fixed  bool
	key    uint64
	keyed  bool
}

// clientObject is the object of a response to req, named by req.URL
// (ModifyResponse, Transport).
func clientObject(req *http.Request, status int, h http.Header) object {
	o := object{req: req}
	if req == nil || req.URL == nil {
		o.req = nil
	}
	o.key, o.keyed = objectKey(&o, status, h)
	return o
}

// serverObject is the object of the response a handler writes to r
// (Middleware), named by scheme, Host and request URI.
func serverObject(r *http.Request, status int, h http.Header) object {
	o := object{req: r, server: true}
	o.key, o.keyed = objectKey(&o, status, h)
	return o
}

// url returns the object's URL: for a client request its URL as
// url.URL.String formats it, for a server request the scheme, Host and
// RequestURI; "" when there is none.
func (o *object) url() string {
	if o.fixed || o.req == nil {
		return o.s
	}
	return string(o.appendURL(nil))
}

// fix formats the URL now, for an object that outlives its request (a
// deferred verdict reported from another goroutine).
func (o *object) fix() {
	if !o.fixed {
		o.s, o.fixed = o.url(), true
	}
}

// appendURL appends the URL that url returns to b. Common URLs are
// appended field by field, without allocating; others through the
// net/url formatting.
func (o *object) appendURL(b []byte) []byte {
	u := o.req.URL
	if o.server {
		if o.req.TLS != nil {
			b = append(b, "https://"...)
		} else {
			b = append(b, "http://"...)
		}
		b = append(b, o.req.Host...)
		if u.Opaque != "" {
			return append(b, u.RequestURI()...)
		}
		p := u.EscapedPath()
		if p == "" {
			p = "/"
		}
		return appendQuery(append(b, p...), u)
	}
	// What url.URL.String writes for scheme://host/path?query, the form
	// of every URL a ReverseProxy or a Transport sends.
	if u.Opaque != "" || u.User != nil || u.OmitHost || u.Scheme == "" || !plainHost(u.Host) || u.Fragment != "" {
		return append(b, u.String()...)
	}
	b = append(append(append(b, u.Scheme...), "://"...), u.Host...)
	p := u.EscapedPath()
	if p != "" && p[0] != '/' {
		b = append(b, '/')
	}
	return appendQuery(append(b, p...), u)
}

func appendQuery(b []byte, u *url.URL) []byte {
	if u.ForceQuery || u.RawQuery != "" {
		b = append(append(b, '?'), u.RawQuery...)
	}
	return b
}

// plainHost reports whether h is not empty and url.URL.String writes it
// unescaped: ASCII letters, digits and the punctuation of names, ports
// and IPv6 literals.
func plainHost(h string) bool {
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']':
		default:
			return false
		}
	}
	return h != ""
}

// objectKey names one representation of an object: its URL and its ETag,
// or without one its full length and Last-Modified. Range (206), HEAD and
// 304 responses find the verdict recorded for the full body through it.
// ok is false when the response carries nothing to key on.
func objectKey(o *object, status int, h http.Header) (key uint64, ok bool) {
	if o.req == nil {
		return 0, false
	}
	var a [512]byte // most keys fit: no allocation
	b := append(a[:0], "pagematch-object\x00"...)
	n := len(b)
	if b = o.appendURL(b); len(b) == n {
		return 0, false
	}
	b = append(b, 0)
	if et := h.Get("Etag"); et != "" {
		b = append(append(b, "etag\x00"...), et...)
		return xxh3.Hash(b), true
	}
	cl := h.Get("Content-Length")
	if status == http.StatusPartialContent {
		cl = rangeTotal(h.Get("Content-Range"))
	}
	if cl == "" || cl == "*" || status == http.StatusNotModified {
		return 0, false
	}
	b = append(append(append(b, "len\x00"...), cl...), 0)
	b = append(b, h.Get("Last-Modified")...)
	return xxh3.Hash(b), true
}

// rangeTotal returns the complete length from "bytes 0-99/1234".
func rangeTotal(cr string) string {
	if i := strings.LastIndexByte(cr, '/'); i >= 0 {
		return strings.TrimSpace(cr[i+1:])
	}
	return ""
}
