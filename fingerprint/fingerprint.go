package fingerprint

import "image"

// DefaultThreshold is the largest Hamming distance between two hashes that
// counts as the same page. It is the largest threshold whose estimated
// false-match rate stays at or below 1e-6 per lookup against a 10-million
// page index, estimated from the tail of the non-matching distances on the
// tuning set (series 0–19 of internal/testpages); the README reports it on
// a held-apart set. `go run ./benchmarks/cmd/robustness -set tune` prints
// the estimate.
const DefaultThreshold = 33

// DefaultDetailThreshold is the largest Hamming distance between the
// Detail hashes of two views that Hash puts within DefaultThreshold for
// them to count as the same page. Two different pages of the same
// composition (a close-up face filling the same panel) come nearer by Hash
// than any other pair; their finer frequencies differ. Chosen on tuning
// series 0–99 as the largest of 50, 60, …, 110 whose estimated false-match
// rate per lookup at 10M pages (the tail of hash + detail sums, each view
// fitted apart) is at most 1e-6: 4.9e-7 at 80, 5.3e-6 at 90, 1.7e-3 with
// no check. It cost crop, pad, watermark, rotate and spread one query of
// 1,000 each there; see the README.
const DefaultDetailThreshold = 80

// DetailMatch reports whether detail hashes a and b confirm a match at
// threshold t. A zero hash is a detail not recorded (an index built before
// detail hashes) and confirms anything. A computed detail hash sets the
// bits of the coefficients above their median, 127 of 256; only a flat
// thumbnail gives zero, and its quality (0) never lets it match.
func DetailMatch(a, b Hash, t int) bool {
	return a.IsZero() || b.IsZero() || a.Distance(b) <= t
}

// MinQuality is the lowest Quality at which a fingerprint may match.
// Fingerprints below it carry too little information (blank, solid,
// nearly empty pages) and never match anything, including each other.
const MinQuality = 30

// VariantKind says which view of the image a Variant hashes.
type VariantKind uint8

const (
	// VariantPage is the whole normalised image.
	VariantPage VariantKind = iota
	// VariantMirror is the normalised image, mirrored left to right.
	VariantMirror
	// VariantLeft is the left half of an image shaped like a two-page spread.
	VariantLeft
	// VariantRight is the right half of an image shaped like a two-page spread.
	VariantRight
	// VariantUncrop is the page hashed as if a crop had cut its content
	// on the sides where the content box touches the image edge.
	VariantUncrop
	// VariantUncropMirror is VariantUncrop, mirrored.
	VariantUncropMirror
	// VariantAltBox is the page cut to an alternative content box, for
	// regions (a large watermark, a small panel) near the size at which
	// they count as content. A spread's halves have theirs too, with boxes
	// inside the half.
	VariantAltBox
	// VariantAltBoxMirror is VariantAltBox, mirrored.
	VariantAltBoxMirror
	// VariantAltSkew is the page read with the other answer to a deskew
	// that the evidence leaves in doubt: turned when it was left
	// straight, or as it came when it was turned. Its box is in the
	// coordinates of the page so turned.
	VariantAltSkew
	// VariantAltSkewMirror is VariantAltSkew, mirrored.
	VariantAltSkewMirror
	// VariantTop is the top half of the page's content box, hashed as an
	// image of its own. A mark over the art of the other half (a logo, a
	// site's name) leaves it untouched. Only WithRegions computes it.
	VariantTop
	// VariantBottom is the bottom half of the content box (see VariantTop).
	VariantBottom
	// VariantTopMirror is VariantTop, mirrored.
	VariantTopMirror
	// VariantBottomMirror is VariantBottom, mirrored.
	VariantBottomMirror
)

var variantNames = [...]string{"page", "mirror", "left", "right", "uncrop", "uncrop-mirror", "altbox", "altbox-mirror", "altskew", "altskew-mirror",
	"top", "bottom", "top-mirror", "bottom-mirror"}

func (k VariantKind) String() string {
	if int(k) < len(variantNames) {
		return variantNames[k]
	}
	return "unknown"
}

// Target is the view of a reference that a variant of kind k is compared
// with: VariantTop for the top half and its mirror, VariantBottom for the
// bottom half and its mirror, VariantPage for every other kind (each is a
// reading of a whole page).
func (k VariantKind) Target() VariantKind {
	switch k {
	case VariantTop, VariantTopMirror:
		return VariantTop
	case VariantBottom, VariantBottomMirror:
		return VariantBottom
	}
	return VariantPage
}

// Variant is one hashed view of an image. A query looks up every variant
// against the references' view of its Target kind; a reference is indexed
// by its VariantPage hash and, in an index with regions, its VariantTop
// and VariantBottom hashes.
type Variant struct {
	Kind VariantKind
	Hash Hash
	// Detail is the detail hash of the same view, from finer frequencies
	// than Hash: a pair within DefaultThreshold by Hash is the same page
	// only if their Details are within DefaultDetailThreshold too (see
	// DetailMatch). Searches use Hash alone.
	Detail  Hash
	Quality int             // 0–100, see Fingerprint.Quality
	Box     image.Rectangle // content box, in the coordinates of the decoded image
}

// Fingerprint is what pagematch knows of one image.
type Fingerprint struct {
	// Hash is the 256-bit hash of the normalised page (Variants[0].Hash).
	Hash Hash
	// Quality scores the information in the normalised page from 0 (blank)
	// to 100. Below MinQuality the fingerprint never matches.
	Quality int
	// Variants holds the page, its mirror and, for spread-shaped images,
	// each half; with WithRegions, also the top and bottom halves of the
	// page (VariantTop, VariantBottom) and their mirrors, and of the zoomed
	// reading of a padded page. Variants[0] is always the page itself.
	Variants []Variant
	// PHash is the 64-bit pHash, bit-exact with goimagehash.PerceptionHash
	// on the same decoded image. It is zero unless WithPHash is set.
	PHash uint64
	// Width and Height are the decoded image's dimensions, after any EXIF
	// orientation.
	Width, Height int
	// Format is the decoder's name: "jpeg", "png", "gif" or "webp".
	Format string
	// Box is the content box found, in decoded-image coordinates.
	Box image.Rectangle
	// Skew is the rotation, in degrees, that normalisation undid.
	Skew float64
	// FastPath reports whether the JPEG fast path (DC-only decode) was used.
	FastPath bool

	gutter float64 // spread split, in image pixels; 0 when not a spread
}

// scaleBoxes maps the boxes from a thumbnail's pixels to the image's.
func (f *Fingerprint) scaleBoxes(s float64) {
	sc := func(r image.Rectangle) image.Rectangle {
		return image.Rect(int(float64(r.Min.X)*s), int(float64(r.Min.Y)*s), int(float64(r.Max.X)*s), int(float64(r.Max.Y)*s))
	}
	for i := range f.Variants {
		f.Variants[i].Box = sc(f.Variants[i].Box)
	}
	f.Box = sc(f.Box)
}

// Matchable reports whether the fingerprint carries enough information to
// match: Quality >= MinQuality.
func (f *Fingerprint) Matchable() bool { return f != nil && f.Quality >= MinQuality }
