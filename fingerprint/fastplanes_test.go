package fingerprint

import (
	"image"
	"testing"

	"github.com/pagematch/pagematch/fingerprint/internal/jpegdc"
	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

// fastPlanes are the working planes of real pages as the fast path makes
// them (JPEG at quality 85, DC thumbnail, sharpened, background marked),
// each with its own scratch: grey pages, colour covers, and pages turned
// onto white, grey and black, where the deskew runs its whole search and
// straightening leaves unknown pixels.
func fastPlanes(tb testing.TB) []plane {
	var imgs []image.Image
	for i := range 6 {
		imgs = append(imgs, testpages.Page(testpages.Spec{Series: i, Page: 1 + i}))
	}
	for i := range 2 {
		imgs = append(imgs, testpages.Cover(testpages.Spec{Series: i, Page: 1}))
	}
	for i, bar := range []uint8{255, 255, 128, 0} {
		img, err := pirate.Rotate(-2+1.3*float64(i), bar, i%2 == 1).Apply(testpages.Page(testpages.Spec{Series: 6 + i, Page: i}), nil)
		if err != nil {
			tb.Fatal(err)
		}
		imgs = append(imgs, img)
	}
	var ps []plane
	for _, img := range imgs {
		data, err := pirate.EncodeJPEG(img, 85)
		if err != nil {
			tb.Fatal(err)
		}
		g, _, err := jpegdc.NewDecoder().Decode(data, nil)
		if err != nil {
			tb.Fatal(err)
		}
		p := lumaPlane(g, workingSize, dcSharpen, new(scratch))
		p.markBackground()
		ps = append(ps, p)
	}
	return ps
}
