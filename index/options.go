package index

import (
	"time"

	"github.com/pagematch/pagematch/fingerprint"
)

// DefaultAlgorithm names the fingerprint algorithm of this release: the
// 256-bit pagematch hash, version 5. It is written into every file and
// checked when one is read, so that an index built with fingerprints of
// another version is refused rather than silently missing pages. Version 2
// (2026-11-28) reads light background differently, which moved the hash of
// about one page in seven; version 3 (2026-11-28) keeps a dark flood in a
// corner of the page as content (a black panel bleeding off two sides),
// which moves the hash of such pages (none of 4,000 clean test pages), and
// the JPEG fast path hands pages it reads turned to the full decode;
// version 4 (2026-11-28) keeps a dark band from one side of the page to
// the opposite one as content when it is at least 12% deep (dark art
// across the whole width or height), which moves the hash of such pages
// (none of the 4,000 clean test pages of series 0-399); version 5
// (2026-11-28) reads a panel frame over pairs of plane lines when it
// snaps the content box to it, so that a thin frame snaps alike wherever
// the sampling grid falls, which moved the hash of 156 of 1,000 clean
// test pages at 1200×1700. Files of versions 1 to 4 open with
// WithAlgorithm("pm256-v1") to "pm256-v4" and should be rebuilt.
const DefaultAlgorithm = "pm256-v5"

// Option configures Open, Read and Builder.Index.
type Option interface{ applyOpen(*openConfig) }

// LookupOption configures one Lookup.
//
// Options are applied by value, so that passing them costs no allocation.
type LookupOption interface {
	applyLookup(lookupConfig) lookupConfig
}

// BuilderOption configures NewBuilder.
type BuilderOption interface{ applyBuilder(*builderConfig) }

type openConfig struct {
	threshold  int    // default Lookup radius
	detail     int    // default Lookup detail threshold, < 0: no check
	algorithm  string // required algorithm, "" for any
	substrings int    // multi-index substrings, 0 for automatic
	maxEntries int
}

func defaultOpenConfig() openConfig {
	return openConfig{
		threshold:  fingerprint.DefaultThreshold,
		detail:     fingerprint.DefaultDetailThreshold,
		algorithm:  DefaultAlgorithm,
		maxEntries: MaxEntries,
	}
}

type lookupConfig struct {
	threshold int
	detail    int
	limit     int
}

type builderConfig struct {
	threshold int
	algorithm string
	created   time.Time
	level     int // zstd level, see WithCompressionLevel
}

func defaultBuilderConfig() builderConfig {
	return builderConfig{threshold: fingerprint.DefaultThreshold, algorithm: DefaultAlgorithm, level: 3}
}

// ThresholdOption sets a Hamming radius. It is accepted by Open and Read
// (the default radius of Lookup on that index), by Lookup (this lookup
// only) and by NewBuilder (the threshold recorded in the file header, for
// information).
type ThresholdOption int

// WithThreshold sets the Hamming radius; see ThresholdOption. The default
// is fingerprint.DefaultThreshold.
func WithThreshold(t int) ThresholdOption { return ThresholdOption(t) }

func (o ThresholdOption) applyOpen(c *openConfig) { c.threshold = int(o) }
func (o ThresholdOption) applyLookup(c lookupConfig) lookupConfig {
	c.threshold = int(o)
	return c
}
func (o ThresholdOption) applyBuilder(c *builderConfig) { c.threshold = int(o) }

// DetailThresholdOption sets the detail threshold: a match that the hash
// finds stands only if the detail hashes of the query variant and of the
// view it matched are within it (fingerprint.DetailMatch; a view or query
// without a detail hash is not checked). A negative value disables the
// check. It is accepted by Open and Read (the default of Lookup on that
// index) and by Lookup (this lookup only).
type DetailThresholdOption int

// WithDetailThreshold sets the detail threshold; see
// DetailThresholdOption. The default is
// fingerprint.DefaultDetailThreshold.
func WithDetailThreshold(t int) DetailThresholdOption { return DetailThresholdOption(t) }

// WithoutDetailCheck disables the detail check: every match by the hash
// stands, as in an index without detail hashes.
func WithoutDetailCheck() DetailThresholdOption { return DetailThresholdOption(-1) }

func (o DetailThresholdOption) applyOpen(c *openConfig) { c.detail = int(o) }
func (o DetailThresholdOption) applyLookup(c lookupConfig) lookupConfig {
	c.detail = int(o)
	return c
}

// AlgorithmOption names a fingerprint algorithm. NewBuilder records it in
// the file; Open and Read reject files built for another one. The empty
// name makes a reader accept any algorithm (for tools such as merge).
type AlgorithmOption string

// WithAlgorithm sets the fingerprint algorithm; see AlgorithmOption. The
// default is DefaultAlgorithm.
func WithAlgorithm(name string) AlgorithmOption { return AlgorithmOption(name) }

func (o AlgorithmOption) applyOpen(c *openConfig)       { c.algorithm = string(o) }
func (o AlgorithmOption) applyBuilder(c *builderConfig) { c.algorithm = string(o) }

type openFunc func(*openConfig)

func (f openFunc) applyOpen(c *openConfig) { f(c) }

type limitOption int

func (o limitOption) applyLookup(c lookupConfig) lookupConfig {
	c.limit = int(o)
	return c
}

type builderFunc func(*builderConfig)

func (f builderFunc) applyBuilder(c *builderConfig) { f(c) }

// WithSubstrings fixes the number of multi-index substrings (1–32) instead
// of choosing it from the entry count. It is meant for benchmarks and
// tests; 1 disables the tables and makes every search a linear scan.
// Other values are raised to at least 8 and to 256/(log2(n)+8), so that
// no directory outgrows the index.
func WithSubstrings(m int) Option {
	return openFunc(func(c *openConfig) { c.substrings = m })
}

// WithMaxEntries makes Open and Read reject files with more than n
// entries, as a guard on memory.
func WithMaxEntries(n int) Option {
	return openFunc(func(c *openConfig) { c.maxEntries = n })
}

// WithLimit keeps only the best n matches of a Lookup (n <= 0: all).
func WithLimit(n int) LookupOption {
	return limitOption(n)
}

// WithCreated sets the creation time recorded in the file header (default:
// the time WriteTo or Save is called). Fixing it makes output
// reproducible.
func WithCreated(t time.Time) BuilderOption {
	return builderFunc(func(c *builderConfig) { c.created = t })
}

// WithCompressionLevel sets the zstd effort for the compressed sections,
// from 1 (fastest) to 4 (smallest); the default is 3.
func WithCompressionLevel(level int) BuilderOption {
	return builderFunc(func(c *builderConfig) { c.level = min(max(level, 1), 4) })
}
