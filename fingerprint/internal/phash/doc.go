// Package phash computes the 64-bit perceptual hash of
// github.com/corona10/goimagehash v1.1.0 (PerceptionHash), bit for bit, but
// single-threaded, without per-call goroutines and with reusable buffers.
//
// goimagehash resizes the image to 64×64 with github.com/nfnt/resize's
// Bilinear filter, converts it to grey, runs a 64-point DCT (Lee's
// algorithm) on rows and columns, keeps the top-left 8×8 coefficients, DC
// included, and sets a bit for each coefficient above their median, most
// significant bit first.
//
// This package reproduces every rounding step of that pipeline:
//
//   - nfnt/resize's integer weights (int16 for 8-bit images, int32 for
//     16-bit ones), computed with the same float64 expressions, and its two
//     passes (horizontal into a transposed temporary, then vertical), each
//     rounding to 8 or 16 bits with truncating division and clamping;
//   - the type-specific paths of nfnt/resize (*image.YCbCr including its
//     chroma addressing relative to the sub-image origin, *image.RGBA,
//     *image.NRGBA with its alpha pre-multiplication, *image.Gray,
//     *image.Gray16, *image.RGBA64, *image.NRGBA64) and its generic path
//     for every other image type (At().RGBA() in 16-bit precision);
//   - the shortcut that skips resizing for an image that is already 64×64,
//     in which case goimagehash reads pixels (0,0)…(63,63) whatever the
//     image's origin;
//   - goimagehash's grey conversion, its DCT and its quick-select median.
//
// Speed comes from reorganising only the exact integer arithmetic: nfnt's
// weights are merged where several taps read the same sample (clamped
// borders, sub-sampled chroma), and because each source sample carries
// weight for at most two neighbouring outputs, one pass per row accumulates
// both in the two 32-bit halves of a uint64. Integer sums do not depend on
// their order, so the result is the same as nfnt's. Floating-point
// operations are performed in goimagehash's order.
//
// Images wider or taller than MaxSide, or with more than MaxPixels pixels,
// are refused with ErrTooLarge; images whose pixel buffers are shorter than
// their bounds say (on which goimagehash would panic) are refused with
// ErrInvalidImage.
package phash
