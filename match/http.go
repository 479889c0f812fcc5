package match

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

// classify returns why a response is not inspected, or inspectIt.
// contentType is the declared or sniffed media type.
func classify(method string, status int, h http.Header, contentType string) skipReason {
	switch {
	case method == http.MethodHead:
		return skipMethod
	case status != http.StatusOK:
		return skipStatus
	case !identity(h):
		return skipEncoding
	case !isImageType(contentType):
		return skipType
	}
	return inspectIt
}

func identity(h http.Header) bool {
	ce := h.Get("Content-Encoding")
	return ce == "" || strings.EqualFold(ce, "identity")
}

// isImageType reports whether ct names a format the fingerprint reads.
func isImageType(ct string) bool {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	const prefix = "image/"
	if len(ct) <= len(prefix) || !strings.EqualFold(ct[:len(prefix)], prefix) {
		return false
	}
	switch sub := ct[len(prefix):]; {
	case strings.EqualFold(sub, "jpeg"), strings.EqualFold(sub, "jpg"), strings.EqualFold(sub, "pjpeg"),
		strings.EqualFold(sub, "png"), strings.EqualFold(sub, "gif"), strings.EqualFold(sub, "webp"):
		return true
	}
	return false
}

// imageMagic reports whether b starts like a JPEG, PNG, GIF or WebP file;
// it needs 12 bytes.
func imageMagic(b []byte) bool {
	switch {
	case len(b) >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff:
		return true
	case len(b) >= 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return true
	case len(b) >= 6 && (string(b[:6]) == "GIF87a" || string(b[:6]) == "GIF89a"):
		return true
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return true
	}
	return false
}

// magicLen is how many bytes imageMagic needs.
const magicLen = 12

// contentLength returns the declared length, or -1.
func contentLength(h http.Header) int64 {
	s := h.Get("Content-Length")
	if s == "" {
		return -1
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// act returns what the policy does with v for a response whose first
// byte has not been sent yet.
func (m *Matcher) act(v Verdict) Action {
	switch {
	case v.Match && m.cfg.policy == Block:
		return ActionBlock
	case v.Match && m.cfg.policy == AddHeader:
		return ActionHeader
	case m.cfg.policy == Block && m.cfg.failClosed && failsClosed(v.Kind):
		return ActionFailClosed
	}
	return ActionNone
}

// failsClosed lists the kinds that leave a response undecided.
func failsClosed(k Kind) bool {
	return k == KindError || k == KindTimeout || k == KindBusy || k == KindTooLarge
}

// Bodies of the responses the policy replaces.
const (
	blockedBody = "451 Unavailable For Legal Reasons\n"
	refusedBody = "503 Service Unavailable: the image could not be checked\n"
)

// report counts the action and tells the caller's hook and the logger;
// e.URL is filled from o for them.
func (m *Matcher) report(e Event, o *object) {
	m.met.actions[e.Action].Inc()
	v := &e.Verdict
	msg, level := "pagematch: verdict", slog.LevelDebug
	switch {
	case v.Match:
		msg, level = "pagematch: match", slog.LevelInfo
	case v.Kind == KindTimeout || v.Kind == KindBusy:
		msg, level = "pagematch: no verdict", slog.LevelWarn
	}
	// Check first: formatting the URL and building the attributes
	// allocate, even for a discarding handler.
	logged := m.log.Enabled(context.Background(), level)
	if m.cfg.onVerdict == nil && !logged {
		return
	}
	e.URL = o.url()
	if m.cfg.onVerdict != nil {
		m.cfg.onVerdict(e)
	}
	if !logged {
		return
	}
	attrs := []slog.Attr{slog.String("url", e.URL), slog.String("kind", v.Kind.String()),
		slog.String("action", e.Action.String()), slog.Bool("deferred", e.Deferred), slog.Bool("cached", v.Cached)}
	if v.Match {
		attrs = append(attrs, slog.String("id", v.ID), slog.Int("distance", v.Distance), slog.Int("detail", v.Detail), slog.String("variant", v.Variant.String()))
	}
	if v.Err != nil {
		attrs = append(attrs, slog.String("err", v.Err.Error()))
	}
	m.log.LogAttrs(context.Background(), level, msg, attrs...)
}

// record remembers a match for the object so that its range, HEAD and
// conditional requests, and the next request of a body that streamed,
// get the same treatment; other verdicts forget it.
func (m *Matcher) record(key uint64, ok bool, v Verdict) {
	switch {
	case !ok:
	case v.Match:
		m.cache.put(key, v.Generation, v)
	case v.Kind.decided():
		m.cache.invalidate(key)
	}
}

// applyRecord looks up the match recorded for o under the current index
// generation and, if there is one, reports it with the action the policy
// takes on it.
func (m *Matcher) applyRecord(o *object) (Action, Verdict, bool) {
	if !o.keyed {
		return ActionNone, Verdict{}, false
	}
	v, hit := m.cache.get(o.key, m.state.Load().gen)
	if !hit || !v.Match {
		return ActionNone, Verdict{}, false
	}
	v.Cached = true
	m.met.verdicts[KindMatch].Inc()
	a := m.act(v)
	m.report(Event{Verdict: v, Action: a}, o)
	return a, v, true
}
