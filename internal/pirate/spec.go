package pirate

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"

	"github.com/pagematch/pagematch/internal/testpages"
)

// Scanlate returns the page of s with its bubble text replaced by a random
// non-zero text variant, as a scanlation group would re-letter it, and with
// a 50% chance re-encoded as JPEG at quality 70-95.
func Scanlate(s testpages.Spec, rng *rand.Rand) image.Image {
	q := 0
	if rng.IntN(2) == 0 {
		q = 70 + rng.IntN(26)
	}
	img, err := scanlate(s, 1+rng.IntN(50), q)
	if err != nil { // only a failing JPEG encoder gets here
		s.Text = 1
		return testpages.Page(s)
	}
	return img
}

func scanlate(s testpages.Spec, text, q int) (image.Image, error) {
	s.Text = text
	img := image.Image(testpages.Page(s))
	if q == 0 {
		return img, nil
	}
	b, err := EncodeJPEG(img, q)
	if err != nil {
		return nil, err
	}
	return jpeg.Decode(bytes.NewReader(b))
}

// Scanlation re-renders the page with bubble text variant text (non-zero),
// then re-encodes as JPEG at quality q unless q is 0. It has no Apply: use
// Run or ApplySpec.
func Scanlation(text, q int) Transform {
	name := fmt.Sprintf("scanlation-t%d", text)
	if q > 0 {
		name += fmt.Sprintf("-q%d", q)
	}
	return newSpec("scanlation", name, map[string]float64{"text": float64(text), "q": float64(q)},
		func(s testpages.Spec, _ *rand.Rand) (image.Image, error) {
			if text == 0 {
				return nil, fmt.Errorf("%w: text variant 0 is the original", ErrBadInput)
			}
			return scanlate(s, text, q)
		})
}

// SpreadPage makes a two-page spread of the page with its neighbour in the
// same series (the next page when the page is on the right, as manga reads
// right to left, else the previous one), with a gutter and a downscale; see
// Spread. It has no Apply: use Run or ApplySpec.
func SpreadPage(pageOnRight bool, gutter, scale float64) Transform {
	side := "left"
	if pageOnRight {
		side = "right"
	}
	name := fmt.Sprintf("spread-%s-g%.3f-%.2f", side, gutter, scale)
	return newSpec("spread", name, map[string]float64{"gutter": gutter, "scale": scale},
		func(s testpages.Spec, _ *rand.Rand) (image.Image, error) {
			o := s
			o.Text = 0
			if pageOnRight || s.Page == 0 {
				o.Page++
			} else {
				o.Page--
			}
			return Spread(testpages.Page(s), testpages.Page(o), pageOnRight, gutter, scale), nil
		})
}
