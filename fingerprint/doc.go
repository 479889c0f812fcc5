// Package fingerprint turns an image into a perceptual fingerprint of a
// manga page that survives what pirates do to pages (re-encoding, resizing,
// cropping, letterboxing, watermarks, tints, rescans, mirroring, slight
// rotation, two-page spreads, re-lettered speech bubbles) while keeping
// different pages of one series apart.
//
// # Pipeline
//
// FromReader and FromBytes decode JPEG, PNG, GIF and WebP within byte and
// pixel limits; the header's dimensions are checked before any pixel
// buffer is allocated. A baseline or progressive 8-bit JPEG takes a fast
// path that entropy-decodes only what the luma DC coefficients need and
// never runs an IDCT; a light unsharp mask on that 1/8-scale thumbnail
// makes up for its 8×8 blur, so that its fingerprints stay close to the
// full decode's. A page the thumbnail shows turned is decoded in full
// instead: straightening it well needs more pixels than the thumbnail
// has. FromImage starts from a decoded image.
//
// The luma is then resampled to a working plane whose long side is always
// 256 pixels, so that every decision below is taken at one resolution:
//
//   - background: pixels reached from the border through near-uniform
//     values (margins, letterbox bars of any shade, fill around a rotated
//     page) are marked, and the paper inside a bar is reached from there;
//   - content box: ink is smoothed, and the box is the tight box of ink in
//     the dense regions, so that a page number or a signature in a margin
//     does not stretch it;
//   - deskew: the angle, within ±4°, that sharpens the ink projections most
//     is undone when it clearly beats 0°;
//   - the box is area-averaged to 64×64 and its 16×16 lowest DCT
//     frequencies are thresholded at their median: 256 bits; the next band,
//     frequencies 16–31 both ways, thresholded at its own median, is the
//     view's detail hash (Variant.Detail), 256 bits more.
//
// # Variants
//
// A Fingerprint carries the page hash (what an index stores) and query
// variants: the mirror (by sign flips of the coefficients), alternative
// content boxes (regions near a threshold, frames read more loosely, a
// strip of ink parted from the rest by an empty line), the box and its
// alternatives grown outwards on sides that touch the image edge (content
// a crop may have cut), the other reading of a doubtful deskew, the
// content zoomed in when it fills little of the image, and, for an image
// shaped like a spread, each half hashed as a page of its own. A lookup
// tries every variant: about ten on average on the test pages, fourteen
// with WithRegions.
//
// # Matching rule
//
// Two views are the same page when their hashes' Hamming distance is at
// most DefaultThreshold and their detail hashes' at most
// DefaultDetailThreshold (DetailMatch). Indexes search on the hash and
// confirm with the detail: pages of the same composition (a close-up
// filling the same panel) are the nearest pairs by the hash, and their
// finer frequencies differ. A fingerprint whose Quality is below MinQuality (blank,
// solid, near-blank or nearly empty pages) never matches anything, not
// even another such page.
//
// # Concurrency and allocation
//
// Every function is safe for concurrent use, and no call's result depends
// on another's. The working buffers (planes, masks, density maps) and the
// JPEG fast path's decoder are kept in sync.Pools between calls, so that a
// server fingerprinting page after page reuses them: after warm-up a
// fast-path fingerprint of a 1200×1700 page allocates 20–60 KB in about 40
// allocations, where the buffers alone are about 3 MB. A pool gives its
// memory back to the collector when it goes unused.
package fingerprint
