// Package phash computes the 64-bit perceptual hash of
// github.com/corona10/goimagehash v1.1.0 (PerceptionHash), bit for bit,
// single-threaded, and without allocations on the standard image types
// once its buffers have grown.
//
// goimagehash resizes the image to 64×64 with github.com/nfnt/resize's
// Bilinear filter, converts it to grey, runs a 64-point DCT (Lee's
// algorithm) on rows and then columns, keeps the top-left 8×8 coefficients,
// DC included, and sets a bit for each coefficient above their median, most
// significant bit first.
//
// This package reproduces every rounding step of that pipeline:
//
//   - nfnt's integer weights (int16 for 8-bit images, int32 for 16-bit
//     ones), computed with the same float64 expressions, and its two passes
//     (horizontal into a transposed temporary, then vertical), each rounding
//     to 8 or 16 bits with truncating division and clamping;
//   - nfnt's type-specific paths (*image.YCbCr with its chroma addressed
//     relative to the sub-image origin, *image.RGBA, *image.NRGBA with its
//     alpha pre-multiplication, *image.Gray, *image.Gray16, *image.RGBA64,
//     *image.NRGBA64) and its 16-bit generic path, through At().RGBA(), for
//     every other type;
//   - the shortcut that skips resizing for an image already 64×64, where
//     goimagehash reads pixels (0,0)…(63,63) whatever the image's origin;
//   - goimagehash's grey conversion, DCT and median, with the same float64
//     operations in the same order.
//
// Only exact integer arithmetic is reorganised, which cannot change a
// result:
//
//   - taps that read the same sample (clamped borders, sub-sampled chroma)
//     are merged;
//   - each sample carries weight for at most two neighbouring outputs, so
//     one pass per pair of rows accumulates both outputs in the two 32-bit
//     halves of a uint64, and the division by each output's weight sum is a
//     multiplication by its rounded-up reciprocal, exact in the range used;
//   - a plane whose samples are all equal (neutral chroma of a grey page
//     saved as a colour JPEG, a blank page) resizes to that value, so it is
//     not filtered;
//   - palette colours that are 8-bit (RGBA components v·0x101) are filtered
//     as 8-bit samples, the sums multiplied by 0x101, and grey palettes as
//     one channel.
//
// Hash is safe for concurrent use. A Hasher keeps its buffers from one
// image to the next and must be used by one goroutine at a time.
//
// Errors: a nil image gives ErrNilImage, as goimagehash errors too; an
// image without pixels gives ErrEmptyImage (goimagehash hashes stale buffer
// contents); images beyond MaxSide or MaxPixels give ErrTooLarge; images
// on which goimagehash would panic (pixel buffers shorter than their
// bounds, palette indices without a colour, a panicking At) give
// ErrInvalidImage.
package phash
