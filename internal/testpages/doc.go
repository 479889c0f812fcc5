// Package testpages renders deterministic synthetic manga pages for tests.
//
// A page is a pure function of its Spec: the same Spec gives the same pixels
// on every run. Pages are drawn in a 1200x1700 design space and mapped to the
// requested size, so Spec{Width: 600, Height: 850} is the same page at half
// the size (up to rasterisation), which keeps fast tests cheap.
//
// The pages are meant to be hard to tell apart, like real manga: every series
// has its own margins, screentones and drawing density, and a small pool of
// panel layouts that its pages reuse, so many pages of a series share the
// exact same panel borders. Panels hold line-art characters, screentone
// fills and gradients, speed and focus lines, scenery and solid blacks;
// speech bubbles hold vertical Japanese-like text. Spec.Text changes only the
// text inside the bubbles (see Bubbles), which is how scanlation looks.
//
// Randomness comes from PCG streams seeded by hashing the Spec fields with a
// purpose tag; ranges are computed by this package rather than by math/rand,
// so the pages do not change when the Go library does. Rasterisation uses
// plain float64 arithmetic; the golden checksums in the tests are checked on
// amd64 only, because other architectures may fuse multiply-adds.
package testpages

// The WebP files in testdata/webp are these pages encoded by cwebp.
//go:generate go run ../pirate/cmd/mkwebp -out testdata/webp
