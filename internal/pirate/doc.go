// Package pirate implements the edits that pirate sites make to manga pages,
// as parameterised, deterministic transforms for testing a fingerprint.
//
// Each Transform belongs to a family (see Families) whose parameter range is
// the acceptance range of the product: a fingerprint must still match a page
// after any transform drawn from these ranges. All returns a fixed list that
// covers every family at several parameter points including the extremes;
// Random draws a transform of one family with random parameters.
//
// Most transforms work on any image (Apply). Two need to know which page
// they work on: "scanlation" re-renders the page with other bubble text, and
// "spread" puts the page beside another page of the same series. Those have
// a nil Apply and set ApplySpec instead. Every transform has ApplySpec, so a
// caller holding a testpages.Spec can always use Transform.Run.
//
// Greyscale input stays *image.Gray where the edit keeps it grey (crop, pad,
// scale, rotate, blur, noise, levels, grey watermarks, spreads), because
// pirates usually serve greyscale pages and decoders have fast paths for
// them. Colour edits return *image.NRGBA; JPEG and WebP round trips return
// what the decoder gives (*image.Gray or *image.YCbCr).
//
// Transforms hold no mutable state and may be used from many goroutines,
// each with its own rng (a *rand.Rand is not safe for concurrent use).
//
// The "webp" family needs the cwebp program (Debian package webp); without it
// its transforms return ErrUnavailable.
package pirate
