package fingerprint_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/pagematch/pagematch/fingerprint"
	"github.com/pagematch/pagematch/internal/pirate"
	"github.com/pagematch/pagematch/internal/testpages"
)

func ExampleFromReader() {
	page := testpages.Page(testpages.Spec{Series: 1, Page: 3, Width: 600, Height: 850})
	data, _ := pirate.EncodeJPEG(page, 85)

	fp, err := fingerprint.FromReader(context.Background(), bytes.NewReader(data))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(fp.Format, fp.Width, fp.Height, fp.Matchable())
	// Output: jpeg 600 850 true
}

func ExampleHash_Distance() {
	a, _ := fingerprint.FromImage(testpages.Page(testpages.Spec{Series: 2, Page: 0, Width: 600, Height: 850}))
	// The same page, re-encoded by a pirate at JPEG quality 60.
	data, _ := pirate.EncodeJPEG(testpages.Page(testpages.Spec{Series: 2, Page: 0, Width: 600, Height: 850}), 60)
	b, _ := fingerprint.FromBytes(context.Background(), data)
	// Another page of the same series, which shares its panel layouts.
	c, _ := fingerprint.FromImage(testpages.Page(testpages.Spec{Series: 2, Page: 1, Width: 600, Height: 850}))

	fmt.Println("copy matches:", a.Hash.Distance(b.Hash) <= fingerprint.DefaultThreshold)
	fmt.Println("other page matches:", a.Hash.Distance(c.Hash) <= fingerprint.DefaultThreshold)
	// Output:
	// copy matches: true
	// other page matches: false
}
