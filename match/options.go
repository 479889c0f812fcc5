package match

import (
	"log/slog"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/index"
)

// Defaults. A manga page is a few hundred kilobytes; the hold limit keeps
// every page decidable before its first byte while the cap still lets
// large posters be fingerprinted after they have streamed.
const (
	// DefaultMaxBytes is the inspection cap: the largest body that is
	// fingerprinted at all.
	DefaultMaxBytes = 16 << 20
	// DefaultHoldBytes is the largest body that is held back and decided
	// before its first byte reaches the client.
	DefaultHoldBytes = 4 << 20
	// DefaultMaxHeldBytes bounds the bytes held by all responses in
	// flight together.
	DefaultMaxHeldBytes = 256 << 20
	// DefaultBudget is the time a response waits for its fingerprint.
	DefaultBudget = 100 * time.Millisecond
	// DefaultCacheEntries is the verdict cache size, in entries.
	DefaultCacheEntries = 1 << 16
)

// MetaRightsURL is the metadata key of an index entry's rights URL. When
// the Block policy blocks a response matching an entry that carries it,
// the 451 response links to it with Link: <url>; rel="blocked-by"
// (RFC 7725). Only absolute http and https URLs are used.
const MetaRightsURL = "rights_url"

// Policy says what happens to a response whose body matches the index.
type Policy uint8

const (
	// LogOnly records the verdict (metrics, log, WithOnVerdict) and
	// changes nothing. It is the default.
	LogOnly Policy = iota
	// AddHeader adds a Pagematch-Verdict header to matching responses
	// (see FormatVerdictHeader); the body is unchanged.
	AddHeader
	// Block replaces matching responses with 451 Unavailable For Legal
	// Reasons.
	Block
)

var policyNames = [...]string{"log", "header", "block"}

func (p Policy) String() string { return nameOf(policyNames[:], int(p)) }

// nameOf returns names[i], or "unknown" out of range.
func nameOf(names []string, i int) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return "unknown"
}

// orDefault returns v if it is positive, else def.
func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

type config struct {
	policy       Policy
	failClosed   bool
	budget       time.Duration
	maxBytes     int64
	holdBytes    int64
	maxHeld      int64
	cacheEntries int
	concurrency  int
	registerer   prometheus.Registerer
	logger       *slog.Logger
	lookup       []index.LookupOption
	fpOpts       []fingerprint.Option
	onVerdict    func(Event)
	sniff        bool
}

func newConfig(opts []Option) config {
	c := config{
		budget:       DefaultBudget,
		maxBytes:     DefaultMaxBytes,
		holdBytes:    DefaultHoldBytes,
		maxHeld:      DefaultMaxHeldBytes,
		cacheEntries: DefaultCacheEntries,
		concurrency:  runtime.GOMAXPROCS(0),
	}
	for _, o := range opts {
		o(&c)
	}
	c.holdBytes = min(c.holdBytes, c.maxBytes)
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// An Option configures New.
type Option func(*config)

// WithPolicy sets what happens to matching responses. The default is
// LogOnly.
func WithPolicy(p Policy) Option { return func(c *config) { c.policy = p } }

// WithFailClosed makes the Block policy refuse, with 503 Service
// Unavailable, every inspected response whose verdict is not known
// before its first byte: fingerprint errors, an exceeded time budget,
// exhausted capacity and bodies over the hold limit. The default is to
// fail open: such responses pass unchanged. It has no effect under the
// other policies.
func WithFailClosed(on bool) Option { return func(c *config) { c.failClosed = on } }

// WithBudget sets how long a response waits for its fingerprint (a
// context timeout, also bounded by the request's own context). d <= 0
// restores DefaultBudget.
func WithBudget(d time.Duration) Option {
	return func(c *config) { c.budget = orDefault(d, DefaultBudget) }
}

// WithMaxBytes sets the inspection cap: bodies larger than n bytes are
// streamed through untouched and get the verdict KindTooLarge. n <= 0
// restores DefaultMaxBytes.
func WithMaxBytes(n int64) Option {
	return func(c *config) { c.maxBytes = orDefault(n, DefaultMaxBytes) }
}

// WithHoldBytes sets the hold limit: under AddHeader and Block, bodies of
// at most n bytes are held back and decided before their first byte is
// sent (LogOnly holds nothing back). Larger ones (up to
// the inspection cap) stream as they arrive and are fingerprinted once
// complete; their verdict applies from the next request for the same
// object. It is clamped to the inspection cap. n <= 0 restores
// DefaultHoldBytes.
func WithHoldBytes(n int64) Option {
	return func(c *config) { c.holdBytes = orDefault(n, DefaultHoldBytes) }
}

// WithMaxHeldBytes bounds the body bytes held by all responses in flight
// together (held bodies and the copies of streaming ones). A response
// that would exceed it passes uninspected with KindBusy. n <= 0 restores
// DefaultMaxHeldBytes.
func WithMaxHeldBytes(n int64) Option {
	return func(c *config) { c.maxHeld = orDefault(n, DefaultMaxHeldBytes) }
}

// WithCacheEntries bounds the verdict cache, in entries (about 200 bytes
// each). n <= 0 restores DefaultCacheEntries.
func WithCacheEntries(n int) Option {
	return func(c *config) { c.cacheEntries = orDefault(n, DefaultCacheEntries) }
}

// WithConcurrency bounds the fingerprints running at once. Fingerprinting
// is CPU-bound; the default is GOMAXPROCS. n <= 0 restores the default.
func WithConcurrency(n int) Option {
	return func(c *config) { c.concurrency = orDefault(n, runtime.GOMAXPROCS(0)) }
}

// WithRegisterer registers the Matcher's metrics on r. Without it the
// metrics are kept but not exported. To register several Matchers on one
// registry, wrap r for each with prometheus.WrapRegistererWith and a
// distinct label value.
func WithRegisterer(r prometheus.Registerer) Option {
	return func(c *config) { c.registerer = r }
}

// WithLogger sets the logger. The default discards everything.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithLookupOptions passes options, such as index.WithThreshold, to every
// index lookup.
func WithLookupOptions(opts ...index.LookupOption) Option {
	return func(c *config) { c.lookup = append(c.lookup, opts...) }
}

// WithFingerprintOptions passes options, such as fingerprint.WithMaxPixels,
// to every fingerprint. The byte limit is always the inspection cap.
func WithFingerprintOptions(opts ...fingerprint.Option) Option {
	return func(c *config) { c.fpOpts = append(c.fpOpts, opts...) }
}

// WithSniff also inspects 200 responses whose declared Content-Type is
// not an image type when their first bytes are those of a JPEG, PNG, GIF
// or WebP file. Browsers show such images anyway, so a site can otherwise
// evade inspection by mislabelling them. It costs every such response a
// peek at its first 12 bytes (the middleware looks at the handler's first
// write, which must hold them). Off by default.
func WithSniff(on bool) Option { return func(c *config) { c.sniff = on } }

// WithOnVerdict calls f after every verdict on an HTTP response, including
// deferred ones (decided after the body streamed: under LogOnly, and
// bodies over the hold limit). f runs on the request's goroutine, on the
// goroutine that read the body to its end, or, for a deferred verdict
// that needed a fingerprint, on a background one; it must be quick and
// safe for concurrent use.
func WithOnVerdict(f func(Event)) Option { return func(c *config) { c.onVerdict = f } }
