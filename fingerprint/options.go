package fingerprint

import "errors"

// Default limits. A manga page is about 2 megapixels and a few hundred
// kilobytes; the defaults leave a wide margin while keeping one decode under
// about 200 MB of memory.
const (
	DefaultMaxBytes  = 32 << 20
	DefaultMaxPixels = 50_000_000
)

var (
	// ErrTooLarge is returned when the input exceeds the byte limit or its
	// header declares more pixels than the pixel limit. The pixel check
	// happens before any pixel buffer is allocated.
	ErrTooLarge = errors.New("fingerprint: image too large")
	// ErrFormat is returned for input that is not a supported image
	// (JPEG, PNG, GIF or WebP) or is corrupt or truncated.
	ErrFormat = errors.New("fingerprint: unsupported or corrupt image")
	// ErrEmpty is returned for an image with no pixels.
	ErrEmpty = errors.New("fingerprint: empty image")
)

type config struct {
	maxBytes  int64
	maxPixels int64
	fastPath  bool
	phash     bool
	regions   bool
}

func newConfig(opts []Option) config {
	c := config{maxBytes: DefaultMaxBytes, maxPixels: DefaultMaxPixels, fastPath: true}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// An Option configures fingerprinting.
type Option func(*config)

// WithMaxBytes limits how many bytes FromReader reads. Larger input fails
// with ErrTooLarge. n <= 0 restores DefaultMaxBytes.
func WithMaxBytes(n int64) Option {
	return func(c *config) {
		if n <= 0 {
			n = DefaultMaxBytes
		}
		c.maxBytes = n
	}
}

// WithMaxPixels limits width×height as declared in the image header.
// Larger images fail with ErrTooLarge before their pixels are allocated.
// n <= 0 restores DefaultMaxPixels.
func WithMaxPixels(n int64) Option {
	return func(c *config) {
		if n <= 0 {
			n = DefaultMaxPixels
		}
		c.maxPixels = n
	}
}

// WithFastPath turns the JPEG fast path (a DC-only, luma-only decode at
// 1/8 scale) on or off. It is on by default; off forces a full decode,
// which is slower and gives a hash within a few bits of the fast one.
// The fast path applies to JPEGs whose short side is at least 768 pixels
// and that its straightening finds straight: a turned page is decoded in
// full (about 20 times the time), where the finer straightening works,
// and so is a spread whose halves are narrower than 768 pixels.
func WithFastPath(on bool) Option { return func(c *config) { c.fastPath = on } }

// WithPHash also computes Fingerprint.PHash, the 64-bit pHash that is
// bit-exact with goimagehash.PerceptionHash. It needs the full decode, so it
// disables the fast path.
func WithPHash(on bool) Option { return func(c *config) { c.phash = on } }

// WithRegions also hashes the top and bottom halves of the page's content
// box, and their mirrors (VariantTop, VariantBottom, VariantTopMirror,
// VariantBottomMirror). A reference that stores its halves' hashes can then
// be matched through the half that an opaque mark over the art (a logo,
// a site's name) has left intact. Turn it on for references going into
// an index with regions (index.NewEntry keeps the halves) and for queries
// against one (index.Index.Regions); match.Matcher does so by itself. The
// halves cost about 100 µs per image (4% of the JPEG fast path;
// BenchmarkRegions), so it is off by default.
func WithRegions(on bool) Option { return func(c *config) { c.regions = on } }
