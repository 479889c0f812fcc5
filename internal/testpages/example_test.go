package testpages_test

import (
	"fmt"

	"github.com/pagematch/pagematch/internal/testpages"
)

func ExamplePage() {
	s := testpages.Spec{Series: 1, Page: 3, Width: 600, Height: 850}
	page := testpages.Page(s)
	fmt.Println(page.Bounds().Dx(), page.Bounds().Dy())

	// The scanlated version differs only inside the bubbles.
	s.Text = 1
	scan := testpages.Page(s)
	fmt.Println(len(testpages.Bubbles(s)) > 0, scan.Bounds() == page.Bounds())
	// Output:
	// 600 850
	// true true
}

func ExampleVolume() {
	for _, s := range testpages.Volume(7, 3) {
		fmt.Println(s.Series, s.Page)
	}
	// Output:
	// 7 0
	// 7 1
	// 7 2
}

func ExampleBlank() {
	for _, k := range testpages.BlankKinds() {
		img := testpages.Blank(k, 100, 140)
		fmt.Println(k, img.Bounds().Dx())
	}
	// Output:
	// white 100
	// black 100
	// grey 100
	// near-blank 100
	// nearly-empty 100
	// gradient 100
	// noisy-white 100
}
