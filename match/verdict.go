package match

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/index"
)

// Kind classifies a verdict.
type Kind uint8

const (
	// KindNoMatch: the body was fingerprinted and matches no entry.
	KindNoMatch Kind = iota
	// KindMatch: the body matches an index entry.
	KindMatch
	// KindLowQuality: the body was fingerprinted but carries too little
	// information to match anything (blank or nearly empty pages).
	KindLowQuality
	// KindTooLarge: the body exceeds the inspection cap.
	KindTooLarge
	// KindError: the body could not be fingerprinted (corrupt, truncated
	// or unsupported image).
	KindError
	// KindTimeout: the fingerprint did not finish within the budget.
	KindTimeout
	// KindBusy: no fingerprint slot or held memory was available.
	KindBusy
	numKinds
)

var kindNames = [numKinds]string{"nomatch", "match", "lowquality", "toolarge", "error", "timeout", "busy"}

func (k Kind) String() string { return nameOf(kindNames[:], int(k)) }

// decided reports whether the kind is a verdict on the content itself,
// which the cache may keep. Timeouts and lack of capacity are not.
func (k Kind) decided() bool { return k <= KindError && k != KindTooLarge }

// Verdict is what the Matcher concluded about one body.
type Verdict struct {
	Kind Kind
	// Match is Kind == KindMatch.
	Match bool
	// ID, Distance, Variant and Meta describe the best matching entry
	// (smallest distance) when Match is true. Meta is shared with the
	// cache: treat it as read-only.
	ID       string
	Distance int
	// Detail is the detail distance that confirmed the match
	// (index.Match.Detail), -1 when the index holds no detail hashes.
	Detail  int
	Variant fingerprint.VariantKind
	Meta    index.Meta
	// Quality is the body's fingerprint quality (0 when not fingerprinted).
	Quality int
	// Cached reports that the verdict came from the cache.
	Cached bool
	// Generation is the index generation the verdict was reached with.
	Generation uint64
	// Err is the reason for KindTooLarge, KindError, KindTimeout and
	// KindBusy; nil otherwise.
	Err error
}

// RightsURL returns the matched entry's rights URL (metadata key
// MetaRightsURL) if it is an absolute http or https URL that can be
// written in a Link header, else "".
func (v *Verdict) RightsURL() string {
	s, ok := v.Meta.Get(MetaRightsURL)
	if !ok || s == "" {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' {
			return ""
		}
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return s
}

// Action is what a policy did to a response.
type Action uint8

const (
	// ActionNone: the response passed unchanged.
	ActionNone Action = iota
	// ActionHeader: a Pagematch-Verdict header was added.
	ActionHeader
	// ActionBlock: the response was replaced with 451.
	ActionBlock
	// ActionFailClosed: the response was replaced with 503 because no
	// verdict was reached in time (WithFailClosed).
	ActionFailClosed
)

var actionNames = [...]string{"none", "header", "block", "failclosed"}

func (a Action) String() string { return nameOf(actionNames[:], int(a)) }

// Event describes a verdict on one HTTP response, for WithOnVerdict.
type Event struct {
	Verdict Verdict
	// URL is the request URL: the upstream URL for ModifyResponse and
	// Transport, host and request URI for Middleware.
	URL string
	// Action is what the policy did. It is ActionNone for deferred
	// verdicts, which apply from the next request.
	Action Action
	// Deferred reports a verdict reached after the body had streamed to
	// the client: every verdict on a body under LogOnly, and on bodies
	// over the hold limit otherwise.
	Deferred bool
}

// HeaderVerdict is the response header the AddHeader and Block policies
// set on matching responses.
const HeaderVerdict = "Pagematch-Verdict"

// FormatVerdictHeader formats v as the value of the Pagematch-Verdict
// header, an RFC 9651 structured field item:
//
//	match; id="series-1/p-002.jpg"; distance=12
//
// An ID outside printable ASCII is written as a display string
// (id=%"caf%c3%a9"). Verdicts other than a match format as "nomatch".
func FormatVerdictHeader(v Verdict) string {
	if !v.Match {
		return "nomatch"
	}
	var b strings.Builder
	b.Grow(len(v.ID) + 32)
	b.WriteString("match; id=")
	appendSFString(&b, v.ID)
	b.WriteString("; distance=")
	b.WriteString(strconv.Itoa(v.Distance))
	return b.String()
}

// appendSFString writes s as an sf-string, or as a display string when
// it holds bytes outside printable ASCII.
func appendSFString(b *strings.Builder, s string) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			ascii = false
			break
		}
	}
	if ascii {
		b.WriteByte('"')
		for i := 0; i < len(s); i++ {
			if s[i] == '"' || s[i] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(s[i])
		}
		b.WriteByte('"')
		return
	}
	const hex = "0123456789abcdef"
	b.WriteString(`%"`)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '%' || c == '"' {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
}
