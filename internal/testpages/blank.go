package testpages

import (
	"image"
	"math"
)

// BlankKind selects a low-information page, the kind a fingerprint must
// refuse to match on (or match only against itself).
type BlankKind int

// The kinds of blank pages.
const (
	BlankWhite  BlankKind = iota // all white
	BlankBlack                   // all black
	BlankGrey                    // flat mid grey
	NearBlank                    // white with a tiny page number
	NearlyEmpty                  // white with one small mark or short line
	Gradient                     // smooth vertical gradient
	NoisyWhite                   // white with light paper noise
	numBlankKinds
)

var blankNames = [...]string{"white", "black", "grey", "near-blank", "nearly-empty", "gradient", "noisy-white"}

// BlankKinds lists every BlankKind.
func BlankKinds() []BlankKind {
	out := make([]BlankKind, numBlankKinds)
	for i := range out {
		out[i] = BlankKind(i)
	}
	return out
}

func (k BlankKind) String() string {
	if k < 0 || k >= numBlankKinds {
		return "unknown"
	}
	return blankNames[k]
}

// Blank renders a low-information page; w or h of 0 means the default size.
// An unknown kind gives a white page.
func Blank(kind BlankKind, w, h int) *image.Gray {
	img := newGray(Spec{Width: w, Height: h})
	cv := newCanvas(img)
	switch kind {
	case BlankBlack:
		cv.fillAll(0)
	case BlankGrey:
		cv.fillAll(128)
	case Gradient:
		for y := 0; y < cv.h; y++ {
			v := uint8(40 + 190*float64(y)/math.Max(1, float64(cv.h-1)))
			row := img.Pix[y*img.Stride : y*img.Stride+cv.w]
			for x := range row {
				row[x] = v
			}
		}
	case NoisyWhite:
		for y := 0; y < cv.h; y++ {
			row := img.Pix[y*img.Stride : y*img.Stride+cv.w]
			for x := range row {
				// triangular noise of a few levels below white
				h := mix64(uint64(y)<<32 | uint64(x) ^ 0x5eed)
				row[x] = uint8(255 - int(h&7) - int(h>>8&7))
			}
		}
	default:
		cv.fillAll(255)
	}
	switch kind {
	case NearBlank:
		drawNumber(cv, &inkP, 7, pt{designW / 2, designH * 0.96}, 16, 2)
	case NearlyEmpty:
		cv.line(&inkP, pt{designW * 0.3, designH * 0.55}, pt{designW * 0.42, designH * 0.57}, 3)
		cv.ring(&inkP, pt{designW * 0.62, designH * 0.4}, 9, 9, 0, 2)
	}
	return img
}
